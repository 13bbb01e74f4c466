/* render.c -- evaluate the syntax tree the way Jinja2's compiled Python code does.
 *
 * Scopes: the root frame holds the context variables and top-level {% set %}s; each for-loop
 * iteration gets a fresh frame over the enclosing one (a set inside a loop is gone at the next
 * iteration, which is why templates use namespace()); if-blocks share their frame; a macro runs
 * in a frame over the one it was defined in. Names missing everywhere fall back to the globals
 * (range, namespace, raise_exception, ...) and then to Undefined, which prints as nothing and
 * fails when used (attribute, arithmetic, call), as Jinja's default Undefined does.
 *
 * Errors longjmp out of the render; everything lives in the render's arena, so there is nothing
 * to unwind. Loop iterations, macro calls and nesting are counted against tmpl_limits. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/tmpl_internal.h"

enum flow { FLOW_NORMAL, FLOW_BREAK, FLOW_CONTINUE };

/* ---- errors ---- */

void tp_tc_fail(tctx *c, tmpl_status st, const char *fmt, ...)
{
    if (c->err) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
        va_end(ap);
        c->err->status = st;
        c->err->message_len = n > 0 ? (size_t)n : 0;
        c->err->line = c->where ? c->where->line : 0;
        c->err->column = c->where ? c->where->col : 0;
    }
    longjmp(c->jb, 1);
}

static void undefined_message(char *buf, size_t cap, val u)
{
    const vundef *d = u.u;
    if (!d)
        snprintf(buf, cap, "undefined value");
    else if (d->hint)
        snprintf(buf, cap, "%s", d->hint);
    else if (!d->owner)
        snprintf(buf, cap, "'%s' is undefined", d->name);
    else if (!d->name)
        snprintf(buf, cap, "%s has no element %lld", d->owner, (long long)d->idx);
    else
        snprintf(buf, cap, "'%s' has no attribute '%s'", d->owner, d->name);
}

void tp_tc_fail_undefined(tctx *c, val u)
{
    char msg[600];
    undefined_message(msg, sizeof msg, u);
    tp_tc_fail(c, TMPL_ERR_RUNTIME, "UndefinedError: %s", msg);
}

/* Work proportional to a value's size (scanning a list, a string method on a long text) counts
 * too, so a loop of O(n) operations over a big value is bounded by max_steps, not only its
 * iterations: one step per list element, per 256 bytes of text. */
void tp_tc_charge(tctx *c, val v)
{
    uint64_t units = v.kind == V_STR ? v.s->n / 256 : v.kind == V_LIST ? v.l->n : (v.kind == V_DICT || v.kind == V_NS) ? v.d->n : 0;
    if (units) {
        c->steps += units;
        if (c->steps > c->max_steps)
            tp_tc_fail(c, TMPL_ERR_LIMIT, "more than %llu loop iterations, macro calls and filter steps", (unsigned long long)c->max_steps);
    }
}

void tp_tc_step(tctx *c)
{
    if (++c->steps > c->max_steps)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "more than %llu loop iterations, macro calls and filter steps", (unsigned long long)c->max_steps);
}

static void enter_depth(tctx *c)
{
    if (++c->depth > c->max_depth)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "nested deeper than %u (macro calls, loops, blocks)", c->max_depth);
}

val tp_undefined_named(tctx *c, const char *name)
{
    vundef *d = tp_arena_zalloc(&c->mem, sizeof *d);
    d->name = name;
    val v = {.kind = V_UNDEF};
    v.u = d;
    return v;
}

val tp_undefined_attr(tctx *c, val owner, const char *name, size_t n)
{
    vundef *d = tp_arena_zalloc(&c->mem, sizeof *d);
    d->owner = tp_v_owner_name(owner);
    d->name = tp_arena_strdup(&c->mem, name, n);
    val v = {.kind = V_UNDEF};
    v.u = d;
    return v;
}

static val undefined_elem(tctx *c, val owner, int64_t idx)
{
    vundef *d = tp_arena_zalloc(&c->mem, sizeof *d);
    d->owner = tp_v_owner_name(owner);
    d->idx = idx;
    val v = {.kind = V_UNDEF};
    v.u = d;
    return v;
}

val tp_undefined_hint(tctx *c, const char *hint)
{
    vundef *d = tp_arena_zalloc(&c->mem, sizeof *d);
    d->hint = hint;
    val v = {.kind = V_UNDEF};
    v.u = d;
    return v;
}

/* ---- frames ---- */

static frame *frame_new(tctx *c, frame *parent)
{
    frame *f = tp_arena_alloc(&c->mem, sizeof *f);
    f->parent = parent;
    f->n = f->cap = 0;
    f->ids = NULL;
    f->vals = NULL;
    f->index = NULL;
    return f;
}

enum { FRAME_LINEAR = 16 };

/* The slot of sym in f, or -1. Small frames (nearly all) are searched; big ones indexed. */
static int32_t frame_slot(const frame *f, int sym)
{
    if (f->index)
        return f->index[sym];
    for (uint32_t i = 0; i < f->n; i++)
        if (f->ids[i] == sym)
            return (int32_t)i;
    return -1;
}

static void frame_set(tctx *c, frame *f, int sym, val v)
{
    int32_t slot = frame_slot(f, sym);
    if (slot >= 0) {
        f->vals[slot] = v;
        return;
    }
    if (f->n == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 8;
        int *ids = tp_arena_alloc(&c->mem, sizeof(int) * cap);
        val *vals = tp_arena_alloc(&c->mem, sizeof(val) * cap);
        if (f->n) {
            memcpy(ids, f->ids, sizeof(int) * f->n);
            memcpy(vals, f->vals, sizeof(val) * f->n);
        }
        f->ids = ids;
        f->vals = vals;
        f->cap = cap;
    }
    f->ids[f->n] = sym;
    f->vals[f->n] = v;
    f->n++;
    if (f->index) {
        f->index[sym] = (int32_t)(f->n - 1);
    } else if (f->n > FRAME_LINEAR) {
        f->index = tp_arena_alloc(&c->mem, sizeof(int32_t) * (size_t)c->t->nsyms);
        for (int k = 0; k < c->t->nsyms; k++)
            f->index[k] = -1;
        for (uint32_t i = 0; i < f->n; i++)
            f->index[f->ids[i]] = (int32_t)i;
    }
}

/* The names a scope starts Undefined (jinja_scope.c): they shadow the context and outer values. */
static void bind_undef(tctx *c, frame *f, const node *body)
{
    if (!body)
        return;
    for (uint32_t i = 0; i < body->nundef; i++)
        frame_set(c, f, body->undef[i], tp_undefined_named(c, c->t->syms[body->undef[i]]->p));
}

static val lookup(tctx *c, int sym)
{
    for (frame *f = c->f; f; f = f->parent) {
        int32_t slot = frame_slot(f, sym);
        if (slot >= 0)
            return f->vals[slot];
    }
    int g = c->t->global_of[sym];
    if (g >= 0) {
        vfunc *fn = tp_arena_zalloc(&c->mem, sizeof *fn);
        fn->id = g;
        fn->self = v_undef_plain();
        fn->name = c->t->syms[sym]->p;
        val v = {.kind = V_FUNC};
        v.fn = fn;
        return v;
    }
    return tp_undefined_named(c, c->t->syms[sym]->p);
}

/* ---- output ---- */

static void out_put(tctx *c, const char *p, size_t n)
{
    if (c->out->n + n > c->max_output)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "the output passed %zu bytes", c->max_output);
    tp_sb_put(c->out, p, n);
}

static void out_value(tctx *c, val v)
{
    if (v.kind == V_STR) {
        out_put(c, v.s->p, v.s->n);
        return;
    }
    if (v.kind == V_UNDEF)
        return;
    sbuf tmp;
    tp_sb_init(&tmp, &c->mem);
    if (!tp_v_str_into(&tmp, v))
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "printing this %s is not supported (its Python text holds an object address)", tp_v_type_name(v));
    out_put(c, tmp.p ? tmp.p : "", tmp.n);
}

const vstr *tp_to_str(tctx *c, val v)
{
    if (v.kind == V_STR)
        return v.s;
    sbuf tmp;
    tp_sb_init(&tmp, &c->mem);
    if (!tp_v_str_into(&tmp, v))
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "converting this %s to a string is not supported (its Python text holds an object address)", tp_v_type_name(v));
    return tp_vstr_new(&c->mem, tmp.p ? tmp.p : "", tmp.n);
}

/* ---- attribute and item access (the sandbox's getattr / getitem) ---- */

static val loop_attr(tctx *c, val lv, const char *name, size_t n)
{
    const vloop *l = lv.loop;
#define IS(w) (n == sizeof(w) - 1 && memcmp(name, w, n) == 0)
    if (IS("index"))
        return v_int((int64_t)l->index0 + 1);
    if (IS("index0"))
        return v_int((int64_t)l->index0);
    if (IS("revindex"))
        return v_int((int64_t)(l->length - l->index0));
    if (IS("revindex0"))
        return v_int((int64_t)(l->length - l->index0 - 1));
    if (IS("first"))
        return v_bool(l->index0 == 0);
    if (IS("last"))
        return v_bool(l->index0 + 1 == l->length);
    if (IS("length"))
        return v_int((int64_t)l->length);
    if (IS("depth"))
        return v_int((int64_t)l->depth);
    if (IS("depth0"))
        return v_int((int64_t)l->depth - 1);
    if (IS("previtem"))
        return l->index0 ? l->items[l->index0 - 1] : tp_undefined_hint(c, "there is no previous item");
    if (IS("nextitem"))
        return l->index0 + 1 < l->length ? l->items[l->index0 + 1] : tp_undefined_hint(c, "there is no next item");
    if (IS("cycle") || IS("changed")) {
        vfunc *fn = tp_arena_zalloc(&c->mem, sizeof *fn);
        fn->id = IS("cycle") ? M_CYCLE : M_CHANGED;
        fn->self = lv;
        val v = {.kind = V_FUNC};
        v.fn = fn;
        return v;
    }
#undef IS
    return tp_undefined_attr(c, lv, name, n);
}

val tp_getattr_v(tctx *c, val obj, const char *name, size_t n)
{
    switch (obj.kind) {
    case V_UNDEF: tp_tc_fail_undefined(c, obj);
    case V_NS: {
        val *v = tp_vdict_get_str(obj.d, name, n);
        return v ? *v : tp_undefined_attr(c, obj, name, n);
    }
    case V_LOOP: return loop_attr(c, obj, name, n);
    case V_DICT: {
        val m = tp_method_of(c, obj, name, n);
        if (m.kind != V_UNDEF)
            return m;
        val *v = tp_vdict_get_str(obj.d, name, n);
        return v ? *v : tp_undefined_attr(c, obj, name, n);
    }
    default: {
        val m = tp_method_of(c, obj, name, n);
        if (m.kind != V_UNDEF)
            return m;
        return tp_undefined_attr(c, obj, name, n);
    }
    }
}

static bool as_index(val k, int64_t *i)
{
    if (k.kind == V_INT) {
        *i = k.i;
        return true;
    }
    if (k.kind == V_BOOL) {
        *i = k.b;
        return true;
    }
    return false;
}

/* Byte offset of code point index i (0 <= i <= cplen) in s. */
static size_t cp_offset(const vstr *s, size_t i)
{
    if (s->ascii)
        return i;
    size_t k = 0, b = 0;
    while (b < s->n && k < i) {
        b++;
        while (b < s->n && ((unsigned char)s->p[b] & 0xC0) == 0x80)
            b++;
        k++;
    }
    return b;
}

static size_t str_len(const vstr *s) { return s->ascii ? s->n : tp_utf8_cplen(s->p, s->n); }

val tp_getitem_v(tctx *c, val obj, val key)
{
    if (obj.kind == V_LIST && (obj.flags & (VF_ITER | VF_VIEW)))
        return tp_undefined_hint(c, "the value is an iterator and cannot be indexed");
    switch (obj.kind) {
    case V_UNDEF: tp_tc_fail_undefined(c, obj);
    case V_DICT: {
        val *v = tp_vdict_get(obj.d, key);
        if (v)
            return *v;
        break;
    }
    case V_LIST: {
        int64_t i;
        if (as_index(key, &i)) {
            int64_t n = obj.l->n;
            int64_t j = i < 0 ? i + n : i;
            if (j < 0 || j >= n)
                return undefined_elem(c, obj, i);
            return obj.l->items[j];
        }
        break;
    }
    case V_STR: {
        int64_t i;
        if (as_index(key, &i)) {
            int64_t n = (int64_t)str_len(obj.s);
            int64_t j = i < 0 ? i + n : i;
            if (j < 0 || j >= n)
                return undefined_elem(c, obj, i);
            size_t a = cp_offset(obj.s, (size_t)j), b = cp_offset(obj.s, (size_t)j + 1);
            return tp_v_str(&c->mem, obj.s->p + a, b - a);
        }
        break;
    }
    default: break;
    }
    if (key.kind == V_STR) {
        if (obj.kind == V_NS || obj.kind == V_LOOP)
            return tp_getattr_v(c, obj, key.s->p, key.s->n);
        val m = tp_method_of(c, obj, key.s->p, key.s->n);
        if (m.kind != V_UNDEF)
            return m;
        return tp_undefined_attr(c, obj, key.s->p, key.s->n);
    }
    int64_t i;
    if (as_index(key, &i))
        return undefined_elem(c, obj, i);
    return tp_undefined_hint(c, "the key is not a valid index");
}

/* A slice bound: false when it is not an int or None (Python's TypeError, which Jinja's
 * getitem turns into an undefined value). */
static bool slice_arg(tctx *c, const node *n, bool *given, int64_t *out)
{
    *given = false;
    *out = 0;
    if (!n)
        return true;
    val v = tp_eval(c, n);
    if (v.kind == V_NONE)
        return true;
    if (!as_index(v, out))
        return false;
    *given = true;
    return true;
}

static val do_slice(tctx *c, val obj, const node *sl)
{
    if (obj.kind == V_UNDEF)
        tp_tc_fail_undefined(c, obj);
    bool hs, he, hp;
    int64_t start, stop, step;
    bool ok = slice_arg(c, sl->a, &hs, &start);
    ok &= slice_arg(c, sl->b, &he, &stop);
    ok &= slice_arg(c, sl->c, &hp, &step);
    if (!ok) /* Jinja subscripts slices directly, not through the sandbox's getitem: errors raise */
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: slice indices must be integers or None or have an __index__ method");
    if (!hp)
        step = 1;
    if (step == 0)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: slice step cannot be zero");
    if ((obj.kind != V_LIST && obj.kind != V_STR) || (obj.kind == V_LIST && (obj.flags & (VF_ITER | VF_VIEW))))
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: '%s' object is not subscriptable", tp_v_type_name(obj));
    int64_t len = obj.kind == V_LIST ? (int64_t)obj.l->n : (int64_t)str_len(obj.s);
    /* PySlice_AdjustIndices */
    if (!hs)
        start = step < 0 ? len - 1 : 0;
    else if (start < 0) {
        start += len;
        if (start < 0)
            start = step < 0 ? -1 : 0;
    } else if (start >= len)
        start = step < 0 ? len - 1 : len;
    if (!he)
        stop = step < 0 ? -1 : len;
    else if (stop < 0) {
        stop += len;
        if (stop < 0)
            stop = step < 0 ? -1 : 0;
    } else if (stop >= len)
        stop = step < 0 ? len - 1 : len;
    if (obj.kind == V_LIST) {
        vlist *l = tp_vlist_new(&c->mem, 0);
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
            tp_vlist_push(&c->mem, l, obj.l->items[i]);
        val r = tp_v_list(l);
        r.flags = obj.flags & (VF_TUPLE | VF_RANGE); /* a sliced range is a range */
        return r;
    }
    if (step == 1) {
        if (stop <= start)
            return tp_v_str(&c->mem, "", 0);
        size_t a = cp_offset(obj.s, (size_t)start), b = cp_offset(obj.s, (size_t)stop);
        return tp_v_str(&c->mem, obj.s->p + a, b - a);
    }
    /* general step: index the code points once */
    size_t *offs = tp_arena_alloc(&c->mem, sizeof(size_t) * ((size_t)len + 1));
    size_t b = 0;
    for (int64_t i = 0; i < len; i++) {
        offs[i] = b;
        b++;
        while (b < obj.s->n && ((unsigned char)obj.s->p[b] & 0xC0) == 0x80)
            b++;
    }
    offs[len] = obj.s->n;
    sbuf out;
    tp_sb_init(&out, &c->mem);
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
        tp_sb_put(&out, obj.s->p + offs[i], offs[i + 1] - offs[i]);
    return tp_v_str(&c->mem, out.p ? out.p : "", out.n);
}

/* Consuming a generator whose evaluation failed raises that failure now, as Python does. */
void tp_raise_deferred(tctx *c, const vlist *l)
{
    if (!l->deferred)
        return;
    if (c->err)
        *c->err = *l->deferred;
    longjmp(c->jb, 1);
}

vlist *tp_iter_list(tctx *c, val v)
{
    if (v.kind != V_LIST) /* building the list of a dict's keys or a string's characters */
        tp_tc_charge(c, v);
    switch (v.kind) {
    case V_UNDEF: return tp_vlist_new(&c->mem, 0);
    case V_LIST:
        tp_raise_deferred(c, v.l);
        return v.l;
    case V_DICT: {
        vlist *l = tp_vlist_new(&c->mem, v.d->n);
        for (uint32_t i = 0; i < v.d->n; i++)
            l->items[i] = v.d->keys[i];
        l->n = v.d->n;
        tp_vlist_seal(l);
        return l;
    }
    case V_STR: {
        vlist *l = tp_vlist_new(&c->mem, 0);
        size_t i = 0;
        while (i < v.s->n) {
            size_t st = i;
            tp_utf8_next(v.s->p, v.s->n, &i);
            tp_vlist_push(&c->mem, l, tp_v_str(&c->mem, v.s->p + st, i - st));
        }
        return l;
    }
    case V_LOOP: tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "iterating the loop variable itself (recursive loops) is not supported");
    default: tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: '%s' object is not iterable", tp_v_type_name(v));
    }
}

/* ---- operators ---- */

/* Python refuses lists and dicts as dict keys (and in "x in dict"); a namespace hashes by identity. */
void tp_check_hashable(tctx *c, val k)
{
    if ((k.kind == V_LIST && !(k.flags & (VF_TUPLE | VF_ITER | VF_RANGE))) || k.kind == V_DICT)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: '%s'", tp_v_type_name(k));
    if (k.kind == V_LIST && (k.flags & VF_TUPLE))
        for (uint32_t i = 0; i < k.l->n; i++)
            tp_check_hashable(c, k.l->items[i]);
}

static bool numeric(val v) { return v.kind == V_INT || v.kind == V_FLOAT || v.kind == V_BOOL; }
static double as_f(val v) { return v.kind == V_FLOAT ? v.f : v.kind == V_BOOL ? v.b : (double)v.i; }
static int64_t as_i(val v) { return v.kind == V_BOOL ? v.b : v.i; }

_Noreturn static void type_error_op(tctx *c, const char *op, val a, val b)
{
    if (a.kind == V_UNDEF)
        tp_tc_fail_undefined(c, a);
    if (b.kind == V_UNDEF)
        tp_tc_fail_undefined(c, b);
    if (op[0] == '+' && a.kind == V_STR)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: can only concatenate str (not \"%s\") to str", tp_v_type_name(b));
    if (op[0] == '+' && a.kind == V_LIST && !(a.flags & VF_TUPLE))
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: can only concatenate list (not \"%s\") to list", tp_v_type_name(b));
    tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unsupported operand type(s) for %s: '%s' and '%s'", op, tp_v_type_name(a), tp_v_type_name(b));
}

static val repeat(tctx *c, val seq, int64_t times)
{
    if (times < 0)
        times = 0;
    if (seq.kind == V_STR) {
        if (seq.s->n && (uint64_t)times > c->max_output / seq.s->n + 1)
            tp_tc_fail(c, TMPL_ERR_LIMIT, "a string repeated %lld times passes the output limit", (long long)times);
        /* the string once, then what is there again, doubling: a few copies, not one call per
         * repetition (a string of one byte times 64 million took minutes under the fuzzer) */
        sbuf b;
        tp_sb_init(&b, &c->mem);
        size_t total = seq.s->n * (size_t)times;
        if (total)
            tp_sb_put(&b, seq.s->p, seq.s->n);
        while (b.n && b.n < total) {
            size_t had = b.n;
            tp_sb_put(&b, b.p, had < total - had ? had : total - had); /* an older copy stays */
            if (b.n == had)
                break; /* out of room: the arena has said so */
        }
        return tp_v_str(&c->mem, b.p ? b.p : "", b.n);
    }
    if (seq.l->n && (uint64_t)times * seq.l->n > c->max_steps)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "a list repeated %lld times passes the step limit", (long long)times);
    vlist *l = tp_vlist_new(&c->mem, 0);
    for (int64_t i = 0; i < times; i++)
        for (uint32_t k = 0; k < seq.l->n; k++)
            tp_vlist_push(&c->mem, l, seq.l->items[k]);
    return seq.flags & VF_TUPLE ? tp_v_tuple(l) : tp_v_list(l);
}

static val int_result(tctx *c, bool overflow, int64_t r)
{
    if (overflow)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "integer overflow (Python integers are unbounded; 64-bit here)");
    return v_int(r);
}

static double py_fmod(double a, double b)
{
    double m = fmod(a, b);
    if (m != 0 && ((b < 0) != (m < 0)))
        m += b;
    else if (m == 0)
        m = copysign(0.0, b);
    return m;
}

static val binop(tctx *c, char op, val a, val b)
{
    const char *opname = op == '+' ? "+" : op == '-' ? "-" : op == '*' ? "*" : op == '/' ? "/" : op == 'f' ? "//" : op == '%' ? "%" : "** or pow()";
    if (numeric(a) && numeric(b)) {
        bool fl = a.kind == V_FLOAT || b.kind == V_FLOAT;
        int64_t x = as_i(a), y = as_i(b), r;
        double fx = as_f(a), fy = as_f(b);
        switch (op) {
        case '+':
            if (fl)
                return v_float(fx + fy);
            {
                bool of = __builtin_add_overflow(x, y, &r);
                return int_result(c, of, r);
            }
        case '-':
            if (fl)
                return v_float(fx - fy);
            {
                bool of = __builtin_sub_overflow(x, y, &r);
                return int_result(c, of, r);
            }
        case '*':
            if (fl)
                return v_float(fx * fy);
            {
                bool of = __builtin_mul_overflow(x, y, &r);
                return int_result(c, of, r);
            }
        case '/':
            if (fy == 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "ZeroDivisionError: division by zero");
            return v_float(fx / fy);
        case 'f':
            if (fl) {
                if (fy == 0)
                    tp_tc_fail(c, TMPL_ERR_RUNTIME, "ZeroDivisionError: float floor division by zero");
                double m = py_fmod(fx, fy);
                double d = (fx - m) / fy;
                double fd = floor(d);
                if (d - fd > 0.5)
                    fd += 1;
                if (fd == 0)
                    fd = copysign(0.0, fx / fy);
                return v_float(fd);
            }
            if (y == 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "ZeroDivisionError: integer division or modulo by zero");
            if (x == INT64_MIN && y == -1)
                return int_result(c, true, 0);
            r = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0)))
                r--;
            return v_int(r);
        case '%':
            if (fl) {
                if (fy == 0)
                    tp_tc_fail(c, TMPL_ERR_RUNTIME, "ZeroDivisionError: float modulo");
                return v_float(py_fmod(fx, fy));
            }
            if (y == 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "ZeroDivisionError: integer division or modulo by zero");
            if (y == -1)
                return v_int(0);
            r = x % y;
            if (r != 0 && ((r < 0) != (y < 0)))
                r += y;
            return v_int(r);
        case 'p':
            if (!fl && y >= 0) {
                int64_t acc = 1, base = x;
                int64_t e = y;
                bool of = false;
                while (e > 0) {
                    if (e & 1)
                        of |= __builtin_mul_overflow(acc, base, &acc);
                    e >>= 1;
                    if (e)
                        of |= __builtin_mul_overflow(base, base, &base);
                }
                return int_result(c, of, acc);
            }
            if (fx == 0 && fy < 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "ZeroDivisionError: 0.0 cannot be raised to a negative power");
            if (fx < 0 && fy != floor(fy))
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "a negative number to a fractional power is complex in Python; not supported");
            return v_float(pow(fx, fy));
        }
    }
    if (op == '+') {
        if (a.kind == V_STR && b.kind == V_STR) {
            if ((a.flags | b.flags) & VF_MARKUP)
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "'+' on the Markup string of |safe (Markup escapes the other operand) is not supported");
            return v_strv(tp_str_concat(c, a.s, b.s));
        }
        if (a.kind == V_LIST && b.kind == V_LIST && (a.flags & VF_TUPLE) == (b.flags & VF_TUPLE) &&
            !((a.flags | b.flags) & (VF_ITER | VF_VIEW | VF_RANGE))) {
            vlist *l = tp_vlist_new(&c->mem, a.l->n + b.l->n);
            if (a.l->n)
                memcpy(l->items, a.l->items, sizeof(val) * a.l->n);
            if (b.l->n)
                memcpy(l->items + a.l->n, b.l->items, sizeof(val) * b.l->n);
            l->n = a.l->n + b.l->n;
            tp_vlist_seal(l);
            return a.flags & VF_TUPLE ? tp_v_tuple(l) : tp_v_list(l);
        }
    }
    if (op == '*' && !((a.kind == V_LIST && (a.flags & (VF_ITER | VF_VIEW | VF_RANGE))) ||
                       (b.kind == V_LIST && (b.flags & (VF_ITER | VF_VIEW | VF_RANGE))))) {
        if ((a.kind == V_STR || a.kind == V_LIST) && (b.kind == V_INT || b.kind == V_BOOL))
            return repeat(c, a, as_i(b));
        if ((b.kind == V_STR || b.kind == V_LIST) && (a.kind == V_INT || a.kind == V_BOOL))
            return repeat(c, b, as_i(a));
    }
    if (op == '%' && a.kind == V_STR)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "printf-style string formatting (str %% value) is not supported");
    type_error_op(c, opname, a, b);
}

val tp_binop_add(tctx *c, val a, val b) { return binop(c, '+', a, b); }

enum { GROWABLE_MIN = 64 };

const vstr *tp_str_concat(tctx *c, const vstr *a, const vstr *b)
{
    size_t total = a->n + b->n;
    if (total > c->max_output)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "a string passed the output limit");
    if (!b->n)
        return a;
    vstr *r = tp_arena_alloc(&c->mem, sizeof *r);
    r->n = total;
    r->ascii = a->ascii && b->ascii;
    if (a->buf && a->p + a->n == a->buf->used_end && (size_t)(a->buf->cap_end - a->buf->used_end) >= b->n) {
        /* a ends where its buffer's used part ends: append in place, share the prefix */
        memcpy(a->buf->used_end, b->p, b->n);
        a->buf->used_end += b->n;
        r->buf = a->buf;
        r->p = a->p;
        return r;
    }
    if (total < GROWABLE_MIN) {
        char *d = tp_arena_alloc(&c->mem, total + 1);
        memcpy(d, a->p, a->n);
        memcpy(d + a->n, b->p, b->n);
        d[total] = 0;
        r->buf = NULL;
        r->p = d;
        return r;
    }
    size_t cap = total * 2;
    strbuf *sb = tp_arena_alloc(&c->mem, sizeof *sb);
    char *d = tp_arena_alloc(&c->mem, cap);
    memcpy(d, a->p, a->n);
    memcpy(d + a->n, b->p, b->n);
    sb->used_end = d + total;
    sb->cap_end = d + cap;
    r->buf = sb;
    r->p = d;
    return r;
}
val tp_binop_mod(tctx *c, val a, val b) { return binop(c, '%', a, b); }

int tp_cmp_values(tctx *c, val a, val b)
{
    if (numeric(a) && numeric(b)) {
        if (a.kind != V_FLOAT && b.kind != V_FLOAT) {
            int64_t x = as_i(a), y = as_i(b);
            return x < y ? -1 : x > y;
        }
        double x = as_f(a), y = as_f(b);
        if (isnan(x) || isnan(y))
            return 2; /* unordered: every comparison false */
        return x < y ? -1 : x > y;
    }
    if (a.kind == V_STR && b.kind == V_STR) {
        size_t n = a.s->n < b.s->n ? a.s->n : b.s->n;
        int r = memcmp(a.s->p, b.s->p, n);
        if (r)
            return r < 0 ? -1 : 1;
        return a.s->n < b.s->n ? -1 : a.s->n > b.s->n;
    }
    if (a.kind == V_LIST && b.kind == V_LIST && (a.flags & VF_TUPLE) == (b.flags & VF_TUPLE) &&
        !((a.flags | b.flags) & (VF_ITER | VF_VIEW | VF_RANGE))) {
        uint32_t n = a.l->n < b.l->n ? a.l->n : b.l->n;
        for (uint32_t i = 0; i < n; i++) {
            if (tp_v_eq(a.l->items[i], b.l->items[i]))
                continue;
            return tp_cmp_values(c, a.l->items[i], b.l->items[i]);
        }
        return a.l->n < b.l->n ? -1 : a.l->n > b.l->n;
    }
    if (a.kind == V_UNDEF)
        tp_tc_fail_undefined(c, a);
    if (b.kind == V_UNDEF)
        tp_tc_fail_undefined(c, b);
    if ((a.kind == V_LIST && (a.flags & VF_VIEW)) || (b.kind == V_LIST && (b.flags & VF_VIEW)))
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "ordering comparisons of dict views (set semantics) are not supported");
    tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: '<' not supported between instances of '%s' and '%s'", tp_v_type_name(a), tp_v_type_name(b));
}

static bool contains(tctx *c, val container, val item)
{
    tp_tc_charge(c, container);
    switch (container.kind) {
    case V_UNDEF: return false;
    case V_STR:
        if (item.kind != V_STR) {
            if (item.kind == V_UNDEF)
                tp_tc_fail_undefined(c, item);
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: 'in <string>' requires string as left operand, not %s", tp_v_type_name(item));
        }
        if (!item.s->n)
            return true;
        return memmem(container.s->p, container.s->n, item.s->p, item.s->n) != NULL;
    case V_LIST:
        for (uint32_t i = 0; i < container.l->n; i++)
            if (tp_v_eq(container.l->items[i], item))
                return true;
        tp_raise_deferred(c, container.l);
        return false;
    case V_DICT:
        tp_check_hashable(c, item);
        return tp_vdict_get(container.d, item) != NULL;
    default:
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: argument of type '%s' is not iterable", tp_v_type_name(container));
    }
}

static bool compare(tctx *c, int op, val a, val b)
{
    switch (op) {
    case C_EQ: return tp_v_eq(a, b);
    case C_NE: return !tp_v_eq(a, b);
    case C_IN: return contains(c, b, a);
    case C_NOTIN: return !contains(c, b, a);
    default: break;
    }
    int r = tp_cmp_values(c, a, b);
    if (r == 2)
        return false;
    switch (op) {
    case C_LT: return r < 0;
    case C_LE: return r <= 0;
    case C_GT: return r > 0;
    default: return r >= 0;
    }
}

/* ---- calls ---- */

typedef struct argv_ {
    val *pos;
    size_t npos;
    const vstr **kwn;
    val *kwv;
    size_t nkw;
} argv_;

static void eval_args(tctx *c, const node *n, argv_ *a)
{
    size_t extra = 0;
    val star = v_undef_plain(), dstar = v_undef_plain();
    if (n->d) {
        star = tp_eval(c, n->d);
        extra = tp_iter_list(c, star)->n;
    }
    a->pos = tp_arena_alloc(&c->mem, sizeof(val) * (n->nkids + extra + 1));
    a->npos = 0;
    for (uint32_t i = 0; i < n->nkids; i++)
        a->pos[a->npos++] = tp_eval(c, n->kids[i]);
    if (n->d) {
        vlist *l = tp_iter_list(c, star);
        for (uint32_t i = 0; i < l->n; i++)
            a->pos[a->npos++] = l->items[i];
    }
    size_t dn = 0;
    if (n->e) {
        dstar = tp_eval(c, n->e);
        if (dstar.kind != V_DICT)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: argument after ** must be a mapping, not %s", tp_v_type_name(dstar));
        dn = dstar.d->n;
    }
    a->kwn = tp_arena_alloc(&c->mem, sizeof(vstr *) * (n->nkids2 + dn + 2));
    a->kwv = tp_arena_alloc(&c->mem, sizeof(val) * (n->nkids2 + dn + 2));
    a->nkw = 0;
    for (uint32_t i = 0; i < n->nkids2; i++) {
        a->kwn[a->nkw] = n->kwnames[i];
        a->kwv[a->nkw++] = tp_eval(c, n->kids2[i]);
    }
    for (size_t i = 0; i < dn; i++) {
        val k = dstar.d->keys[i];
        if (k.kind != V_STR)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: keywords must be strings");
        a->kwn[a->nkw] = k.s;
        a->kwv[a->nkw++] = dstar.d->vals[i];
    }
}

static enum flow exec(tctx *c, const node *n);

static const vstr *capture(tctx *c, const node *body)
{
    sbuf *saved = c->out;
    sbuf buf;
    tp_sb_init(&buf, &c->mem);
    c->out = &buf;
    exec(c, body);
    c->out = saved;
    return tp_vstr_new(&c->mem, buf.p ? buf.p : "", buf.n);
}

static val call_macro(tctx *c, vmacro *m, const val *args, size_t nargs, const vstr *const *kwn,
                      const val *kwv, size_t nkw)
{
    const node *def = m->def;
    const tmpl *t = c->t;
    const char *mname = def->str ? def->str->p : "caller";
    tp_tc_step(c);
    enter_depth(c);
    frame *f = frame_new(c, m->closure);
    bind_undef(c, f, def->b);
    bool *given = tp_arena_zalloc(&c->mem, def->nkids + 1);
    size_t npar = def->nkids;
    if (nargs > npar && !(def->macro_uses & 1))
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: macro '%s' takes not more than %zu argument(s)", mname, npar);
    for (size_t i = 0; i < nargs && i < npar; i++) {
        frame_set(c, f, def->kids[i]->sym, args[i]);
        given[i] = true;
    }
    vdict *extra_kw = (def->macro_uses & 2) ? tp_vdict_new(&c->mem, 0) : NULL;
    val caller = m->caller;
    for (size_t k = 0; k < nkw; k++) {
        size_t i;
        for (i = 0; i < npar; i++) {
            const vstr *pn = t->syms[def->kids[i]->sym];
            if (pn->n == kwn[k]->n && memcmp(pn->p, kwn[k]->p, pn->n) == 0)
                break;
        }
        if (i < npar) {
            if (given[i])
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: macro '%s' got multiple values for argument '%.*s'", mname, (int)kwn[k]->n, kwn[k]->p);
            frame_set(c, f, def->kids[i]->sym, kwv[k]);
            given[i] = true;
        } else if (kwn[k]->n == 6 && memcmp(kwn[k]->p, "caller", 6) == 0 && (def->macro_uses & 4)) {
            caller = kwv[k];
        } else if (extra_kw) {
            tp_vdict_set(&c->mem, extra_kw, v_strv(kwn[k]), kwv[k]);
        } else {
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: macro '%s' takes no keyword argument '%.*s'", mname, (int)kwn[k]->n, kwn[k]->p);
        }
    }
    frame *saved_f = c->f;
    const node *saved_where = c->where;
    c->f = f;
    for (size_t i = 0; i < npar; i++) {
        if (given[i])
            continue;
        const node *p = def->kids[i];
        if (p->a) {
            frame_set(c, f, p->sym, tp_eval(c, p->a));
        } else {
            char *hint = tp_arena_alloc(&c->mem, t->syms[p->sym]->n + 40);
            sprintf(hint, "parameter '%s' was not provided", t->syms[p->sym]->p);
            frame_set(c, f, p->sym, tp_undefined_hint(c, hint));
        }
    }
    if ((def->macro_uses & 1) && t->sym_varargs >= 0) {
        vlist *l = tp_vlist_new(&c->mem, 0);
        for (size_t i = npar; i < nargs; i++)
            tp_vlist_push(&c->mem, l, args[i]);
        frame_set(c, f, t->sym_varargs, tp_v_tuple(l));
    }
    if (extra_kw && t->sym_kwargs >= 0)
        frame_set(c, f, t->sym_kwargs, tp_v_dict(extra_kw));
    if ((def->macro_uses & 4) && t->sym_caller >= 0)
        frame_set(c, f, t->sym_caller, caller.kind == V_UNDEF ? tp_undefined_hint(c, "No caller defined") : caller);
    const vstr *s = capture(c, def->b);
    c->f = saved_f;
    c->where = saved_where;
    c->depth--;
    return v_strv(s);
}

val tp_call_value(tctx *c, val callee, const val *args, size_t nargs, const vstr *const *kwn,
               const val *kwv, size_t nkw)
{
    switch (callee.kind) {
    case V_MACRO: return call_macro(c, callee.m, args, nargs, kwn, kwv, nkw);
    case V_FUNC: return tp_call_func(c, callee.fn, args, nargs, kwn, kwv, nkw);
    case V_UNDEF: tp_tc_fail_undefined(c, callee);
    default: tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: '%s' object is not callable", tp_v_type_name(callee));
    }
}

/* ---- expressions ---- */

enum { MAX_RECURSION = 2000 };

/* Every recursive path of a render goes through tp_eval or exec: counting them bounds the C
 * stack (a 5000-term a+a+... chain or deep macro recursion is TMPL_ERR_LIMIT, not a crash). */
static void recurse_in(tctx *c)
{
    if (++c->rdepth > MAX_RECURSION)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "the template nests expressions and calls deeper than %d", MAX_RECURSION);
}

val tp_eval(tctx *c, const node *n)
{
    const node *saved = c->where;
    c->where = n;
    recurse_in(c);
    val r;
    switch (n->kind) {
    case E_CONST: r = n->constv; break;
    case E_NAME: r = lookup(c, n->sym); break;
    case E_GETATTR: r = tp_getattr_v(c, tp_eval(c, n->a), n->str->p, n->str->n); break;
    case E_GETITEM: {
        val obj = tp_eval(c, n->a);
        if (n->b->kind == E_SLICE) {
            r = do_slice(c, obj, n->b);
        } else {
            val key = tp_eval(c, n->b);
            c->where = n;
            r = tp_getitem_v(c, obj, key);
        }
        break;
    }
    case E_CALL: {
        val callee = tp_eval(c, n->a);
        argv_ a;
        eval_args(c, n, &a);
        c->where = n;
        r = tp_call_value(c, callee, a.pos, a.npos, a.kwn, a.kwv, a.nkw);
        break;
    }
    case E_FILTER: {
        val operand = tp_eval(c, n->a);
        argv_ a;
        eval_args(c, n, &a);
        c->where = n;
        r = tp_apply_filter_id(c, n->op, operand, a.pos, a.npos, a.kwn, a.kwv, a.nkw);
        break;
    }
    case E_TEST: {
        val operand = tp_eval(c, n->a);
        argv_ a;
        eval_args(c, n, &a);
        c->where = n;
        if (a.nkw)
            tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "keyword arguments to tests are not supported");
        bool b = tp_apply_test(c, n, n->op, operand, a.pos, a.npos);
        r = v_bool(n->flag ? !b : b);
        break;
    }
    case E_BINOP: {
        val a = tp_eval(c, n->a), b = tp_eval(c, n->b);
        c->where = n;
        r = binop(c, (char)n->op, a, b);
        break;
    }
    case E_NEG:
    case E_POS: {
        val a = tp_eval(c, n->a);
        c->where = n;
        if (a.kind == V_INT || a.kind == V_BOOL) {
            int64_t x = as_i(a);
            if (n->kind == E_NEG && x == INT64_MIN)
                int_result(c, true, 0);
            r = v_int(n->kind == E_NEG ? -x : x);
        } else if (a.kind == V_FLOAT)
            r = v_float(n->kind == E_NEG ? -a.f : a.f);
        else if (a.kind == V_UNDEF)
            tp_tc_fail_undefined(c, a);
        else
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: bad operand type for unary %c: '%s'", n->kind == E_NEG ? '-' : '+', tp_v_type_name(a));
        break;
    }
    case E_NOT: r = v_bool(!tp_v_truthy(tp_eval(c, n->a))); break;
    case E_AND: {
        val a = tp_eval(c, n->a);
        r = tp_v_truthy(a) ? tp_eval(c, n->b) : a;
        break;
    }
    case E_OR: {
        val a = tp_eval(c, n->a);
        r = tp_v_truthy(a) ? a : tp_eval(c, n->b);
        break;
    }
    case E_CONCAT: {
        const vstr *acc = NULL;
        for (uint32_t i = 0; i < n->nkids; i++) {
            val v = tp_eval(c, n->kids[i]);
            c->where = n;
            const vstr *s = tp_to_str(c, v);
            acc = acc ? tp_str_concat(c, acc, s) : s;
        }
        r = v_strv(acc);
        break;
    }
    case E_COMPARE: {
        val left = tp_eval(c, n->a);
        r = v_bool(true);
        for (uint32_t i = 0; i < n->nkids; i++) {
            val right = tp_eval(c, n->kids[i]);
            c->where = n;
            if (!compare(c, n->ops[i], left, right)) {
                r = v_bool(false);
                break;
            }
            left = right;
        }
        break;
    }
    case E_COND:
        if (tp_v_truthy(tp_eval(c, n->a)))
            r = tp_eval(c, n->b);
        else if (n->c)
            r = tp_eval(c, n->c);
        else
            r = tp_undefined_hint(c, "the inline if-expression evaluated to false and no else section was defined.");
        break;
    case E_LIST:
    case E_TUPLE: {
        vlist *l = tp_vlist_new(&c->mem, n->nkids);
        for (uint32_t i = 0; i < n->nkids; i++)
            l->items[i] = tp_eval(c, n->kids[i]);
        l->n = n->nkids;
        tp_vlist_seal(l);
        r = n->kind == E_TUPLE ? tp_v_tuple(l) : tp_v_list(l);
        break;
    }
    case E_DICT: {
        vdict *d = tp_vdict_new(&c->mem, n->nkids);
        for (uint32_t i = 0; i < n->nkids; i++) {
            val k = tp_eval(c, n->kids[i]);
            val v = tp_eval(c, n->kids2[i]);
            if (k.kind == V_LIST && !(k.flags & VF_TUPLE))
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: 'list'");
            if (k.kind == V_DICT || k.kind == V_NS)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: '%s'", tp_v_type_name(k));
            if (k.kind == V_UNDEF)
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "an undefined value as a dict key is not supported");
            tp_vdict_set(&c->mem, d, k, v);
        }
        r = tp_v_dict(d);
        break;
    }
    case E_SLICE: tp_tc_fail(c, TMPL_ERR_SYNTAX, "a slice outside of a subscript");
    default: tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "this expression is not supported");
    }
    if (tp_val_depth(r) > MAX_VALUE_DEPTH)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "a value nested deeper than %d", MAX_VALUE_DEPTH);
    c->rdepth--;
    c->where = saved;
    return r;
}

/* ---- statements ---- */

/* Does v hold the dict/namespace d (v's depth is bounded, so is this walk)? Only called when
 * v holds some namespace. */
static bool contains_dict(val v, const vdict *d, unsigned depth)
{
    if ((v.kind == V_NS || v.kind == V_DICT) && v.d == d)
        return true;
    if (depth > MAX_VALUE_DEPTH + 2 || !tp_val_has_ns(v))
        return false;
    if (v.kind == V_LIST) {
        for (uint32_t i = 0; i < v.l->n; i++)
            if (contains_dict(v.l->items[i], d, depth + 1))
                return true;
    } else if (v.kind == V_DICT || v.kind == V_NS) {
        for (uint32_t i = 0; i < v.d->n; i++)
            if (contains_dict(v.d->vals[i], d, depth + 1) || contains_dict(v.d->keys[i], d, depth + 1))
                return true;
    }
    return false;
}

static void assign(tctx *c, const node *target, val v, frame *f)
{
    switch (target->kind) {
    case E_NAME: frame_set(c, f, target->sym, v); return;
    case E_NSREF: {
        val ns = lookup(c, target->sym);
        if (ns.kind != V_NS)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TemplateRuntimeError: cannot assign attribute on non-namespace object");
        if (tp_val_has_ns(v) && contains_dict(v, ns.d, 0))
            tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "a namespace holding itself (Python prints such cycles as {...}) is not supported");
        tp_vdict_set(&c->mem, ns.d, v_strv(target->str), v);
        return;
    }
    case E_TUPLE: {
        if (v.kind == V_UNDEF)
            tp_tc_fail_undefined(c, v);
        vlist *items = tp_iter_list(c, v);
        if (items->n != target->nkids)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: %s values to unpack (expected %u, got %u)",
                    items->n > target->nkids ? "too many" : "not enough", target->nkids, items->n);
        for (uint32_t i = 0; i < target->nkids; i++)
            assign(c, target->kids[i], items->items[i], f);
        return;
    }
    default: tp_tc_fail(c, TMPL_ERR_SYNTAX, "cannot assign to this expression");
    }
}

static val apply_filter_chain(tctx *c, const node *chain, val v)
{
    if (!chain)
        return v;
    if (chain->a)
        v = apply_filter_chain(c, chain->a, v);
    argv_ a;
    eval_args(c, chain, &a);
    c->where = chain;
    return tp_apply_filter_id(c, chain->op, v, a.pos, a.npos, a.kwn, a.kwv, a.nkw);
}

static enum flow exec_for(tctx *c, const node *n)
{
    frame *outer = c->f;
    val it = tp_eval(c, n->b);
    c->where = n;
    vlist *src = tp_iter_list(c, it);
    const val *items = src->items;
    size_t count = src->n;
    if (n->e) {
        /* loop filter: evaluated with the target bound, before the loop counts anything */
        vlist *kept = tp_vlist_new(&c->mem, 0);
        for (size_t i = 0; i < count; i++) {
            tp_tc_step(c);
            frame *f = frame_new(c, outer);
            c->f = f;
            assign(c, n->a, items[i], f);
            if (tp_v_truthy(tp_eval(c, n->e)))
                tp_vlist_push(&c->mem, kept, items[i]);
            c->f = outer;
        }
        items = kept->items;
        count = kept->n;
    }
    enter_depth(c);
    vloop *loop = tp_arena_zalloc(&c->mem, sizeof *loop);
    loop->items = items;
    loop->length = count;
    loop->depth = 1;
    val lv = {.kind = V_LOOP};
    lv.loop = loop;
    enum flow result = FLOW_NORMAL;
    for (size_t i = 0; i < count; i++) {
        tp_tc_step(c);
        loop->index0 = i;
        frame *f = frame_new(c, outer);
        c->f = f;
        bind_undef(c, f, n->c);
        assign(c, n->a, items[i], f);
        if (c->t->sym_loop >= 0)
            frame_set(c, f, c->t->sym_loop, lv);
        enum flow fl = exec(c, n->c);
        c->f = outer;
        if (fl == FLOW_BREAK)
            break;
    }
    if (count == 0 && n->d) {
        frame *f = frame_new(c, outer);
        c->f = f;
        bind_undef(c, f, n->d);
        result = exec(c, n->d);
        c->f = outer;
    }
    c->depth--;
    return result;
}

static enum flow exec_node(tctx *c, const node *n);

static enum flow exec(tctx *c, const node *n)
{
    if (!n)
        return FLOW_NORMAL;
    recurse_in(c);
    enum flow f = exec_node(c, n);
    c->rdepth--;
    return f;
}

static enum flow exec_node(tctx *c, const node *n)
{
    c->where = n;
    switch (n->kind) {
    case N_BODY:
        for (uint32_t i = 0; i < n->nkids; i++) {
            enum flow f = exec(c, n->kids[i]);
            if (f != FLOW_NORMAL)
                return f;
        }
        return FLOW_NORMAL;
    case N_DATA: out_put(c, n->str->p, n->str->n); return FLOW_NORMAL;
    case N_OUTPUT: {
        val v = tp_eval(c, n->a);
        c->where = n;
        out_value(c, v);
        return FLOW_NORMAL;
    }
    case N_IF: {
        const node *at = n;
        while (at && at->kind == N_IF) {
            if (tp_v_truthy(tp_eval(c, at->a)))
                return exec(c, at->b);
            at = at->c;
        }
        return exec(c, at);
    }
    case N_FOR: return exec_for(c, n);
    case N_SET: {
        val v = tp_eval(c, n->b);
        c->where = n;
        assign(c, n->a, v, c->f);
        return FLOW_NORMAL;
    }
    case N_SETBLOCK: {
        enter_depth(c);
        frame *outer = c->f;
        c->f = frame_new(c, outer);
        bind_undef(c, c->f, n->b);
        val v = v_strv(capture(c, n->b));
        c->f = outer;
        c->where = n;
        v = apply_filter_chain(c, n->c, v);
        c->depth--;
        assign(c, n->a, v, c->f);
        return FLOW_NORMAL;
    }
    case N_FILTERBLOCK: {
        enter_depth(c);
        frame *outer = c->f;
        c->f = frame_new(c, outer);
        bind_undef(c, c->f, n->b);
        val v = v_strv(capture(c, n->b));
        c->f = outer;
        c->where = n;
        v = apply_filter_chain(c, n->a, v);
        c->depth--;
        out_value(c, v);
        return FLOW_NORMAL;
    }
    case N_MACRO: {
        vmacro *m = tp_arena_zalloc(&c->mem, sizeof *m);
        m->def = n;
        m->closure = c->f;
        m->caller = v_undef_plain();
        val v = {.kind = V_MACRO};
        v.m = m;
        frame_set(c, c->f, n->sym, v);
        return FLOW_NORMAL;
    }
    case N_CALLBLOCK: {
        vmacro *m = tp_arena_zalloc(&c->mem, sizeof *m);
        m->def = n;
        m->closure = c->f;
        m->caller = v_undef_plain();
        val cv = {.kind = V_MACRO};
        cv.m = m;
        const node *call = n->a;
        val callee = tp_eval(c, call->a);
        argv_ a;
        eval_args(c, call, &a);
        a.kwn[a.nkw] = n->str; /* "caller" */
        a.kwv[a.nkw++] = cv;
        c->where = n;
        out_value(c, tp_call_value(c, callee, a.pos, a.npos, a.kwn, a.kwv, a.nkw));
        return FLOW_NORMAL;
    }
    case N_WITH: {
        frame *outer = c->f, *f = frame_new(c, outer);
        bind_undef(c, f, n->b);
        for (uint32_t i = 0; i < n->nkids; i++) {
            val v = tp_eval(c, n->kids2[i]);
            assign(c, n->kids[i], v, f);
        }
        c->f = f;
        enum flow fl = exec(c, n->b);
        c->f = outer;
        return fl;
    }
    case N_BREAK: return FLOW_BREAK;
    case N_CONTINUE: return FLOW_CONTINUE;
    default: tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "this statement is not supported");
    }
}

/* ---- entry ---- */

static void on_render_arena_fail(void *ud, bool limit)
{
    tctx *c = ud;
    if (limit)
        tp_tc_fail(c, TMPL_ERR_LIMIT, "the render passed its memory limit (%zu bytes)", c->mem.limit);
    tp_tc_fail(c, TMPL_ERR_NOMEM, "out of memory");
}

static void json_pos(const char *p, size_t off, int *line, int *col)
{
    int l = 1;
    size_t ls = 0;
    for (size_t i = 0; i < off; i++)
        if (p[i] == '\n') {
            l++;
            ls = i + 1;
        }
    *line = l;
    *col = (int)tp_utf8_cplen(p + ls, off - ls) + 1;
}

/* The part of a render that can longjmp: everything it touches after the jump is in c. */
static tmpl_status render_run(tctx *c, const char *context_json, size_t len)
{
    if (setjmp(c->jb))
        return c->err->status;
    tmpl_error *e = c->err;
    const tmpl *t = c->t;
    val ctxv;
    size_t off;
    const char *msg;
    if (!tp_json_parse(&c->mem, context_json ? context_json : "{}", context_json ? len : 2, &ctxv, &off, &msg)) {
        e->status = TMPL_ERR_CONTEXT;
        json_pos(context_json, off, &e->line, &e->column);
        e->message_len = (size_t)snprintf(e->message, sizeof e->message, "context JSON: %s", msg);
        return TMPL_ERR_CONTEXT;
    }
    if (ctxv.kind != V_DICT) {
        e->status = TMPL_ERR_CONTEXT;
        e->message_len = (size_t)snprintf(e->message, sizeof e->message, "context JSON: the context must be a JSON object");
        return TMPL_ERR_CONTEXT;
    }
    c->root = frame_new(c, NULL);
    /* bind the context members the template names (a name lookup per symbol in the dict's
     * hash, so neither a big context nor a template with many names is quadratic) */
    for (int s = 0; s < t->nsyms; s++) {
        val *v = tp_vdict_get_str(ctxv.d, t->syms[s]->p, t->syms[s]->n);
        if (v)
            frame_set(c, c->root, s, *v);
    }
    bind_undef(c, c->root, t->root);
    c->f = c->root;
    c->result = tp_arena_alloc(&c->mem, sizeof(sbuf));
    tp_sb_init(c->result, &c->mem);
    c->out = c->result;
    exec(c, t->root);
    return TMPL_OK;
}

tmpl_status tmpl_render(const tmpl *t, const char *context_json, size_t len,
                        const tmpl_render_options *opt, char **out, size_t *out_len,
                        tmpl_error *err)
{
    tmpl_error local;
    tmpl_error *e = err ? err : &local;
    memset(e, 0, sizeof *e);
    *out = NULL;
    if (out_len)
        *out_len = 0;
    tctx *c = calloc(1, sizeof *c);
    if (!c) {
        e->status = TMPL_ERR_NOMEM;
        snprintf(e->message, sizeof e->message, "out of memory");
        return TMPL_ERR_NOMEM;
    }
    const tmpl_limits *lim = opt ? opt->limits : NULL;
    c->t = t;
    c->err = e;
    c->max_output = lim && lim->max_output ? lim->max_output : (size_t)64 << 20;
    c->max_steps = lim && lim->max_steps ? lim->max_steps : 10000000;
    c->max_depth = lim && lim->max_depth ? lim->max_depth : 256;
    c->mem.limit = lim && lim->max_memory ? lim->max_memory : (size_t)256 << 20;
    c->mem.on_fail = on_render_arena_fail;
    c->mem.ud = c;
    c->now = opt ? opt->now : NULL;
    tmpl_status st = render_run(c, context_json, len);
    if (st == TMPL_OK) {
        sbuf *r = c->result;
        char *o = malloc(r->n + 1);
        if (!o) {
            e->status = st = TMPL_ERR_NOMEM;
            snprintf(e->message, sizeof e->message, "out of memory");
        } else {
            if (r->n)
                memcpy(o, r->p, r->n);
            o[r->n] = 0;
            *out = o;
            if (out_len)
                *out_len = r->n;
        }
    }
    tp_arena_free(&c->mem);
    free(c);
    return st;
}
