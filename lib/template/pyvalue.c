/* value.c -- Python's data model as Jinja templates see it: str/int/float/bool/None, lists and
 * tuples, insertion-ordered dicts, truthiness, ==, and the exact text of str() and repr()
 * (what {{ value }} prints). Dicts index their keys by hash once they pass a few entries, so a
 * lookup stays O(1) on big tool schemas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/tmpl_internal.h"

const vstr *tp_vstr_new(arena *a, const char *p, size_t n)
{
    vstr *s = tp_arena_alloc(a, sizeof *s + n + 1);
    if (!s)
        return NULL;
    char *d = (char *)(s + 1);
    s->n = n;
    s->buf = NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    s->p = d;
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80) {
            ascii = false;
            break;
        }
    s->ascii = ascii;
    return s;
}

val tp_v_str(arena *a, const char *p, size_t n) { return v_strv(tp_vstr_new(a, p, n)); }

vlist *tp_vlist_new(arena *a, uint32_t cap)
{
    vlist *l = tp_arena_alloc(a, sizeof *l);
    l->deferred = NULL;
    l->depth = 1;
    l->has_ns = false;
    l->n = 0;
    l->cap = cap;
    l->items = cap ? tp_arena_alloc(a, sizeof(val) * cap) : NULL;
    return l;
}

void tp_vlist_push(arena *a, vlist *l, val v)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        val *items = tp_arena_alloc(a, sizeof(val) * cap);
        if (l->n)
            memcpy(items, l->items, sizeof(val) * l->n);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = v;
    unsigned d = tp_val_depth(v) + 1;
    if (d > l->depth)
        l->depth = (uint16_t)(d > 60000 ? 60000 : d);
    l->has_ns |= tp_val_has_ns(v);
}

void tp_vlist_seal(vlist *l)
{
    unsigned d = 1;
    bool ns = false;
    for (uint32_t i = 0; i < l->n; i++) {
        unsigned k = tp_val_depth(l->items[i]) + 1;
        if (k > d)
            d = k;
        ns |= tp_val_has_ns(l->items[i]);
    }
    l->depth = (uint16_t)(d > 60000 ? 60000 : d);
    l->has_ns = ns;
}

val tp_v_list(vlist *l)
{
    val v = {.kind = V_LIST};
    v.l = l;
    return v;
}

val tp_v_tuple(vlist *l)
{
    val v = {.kind = V_LIST, .flags = VF_TUPLE};
    v.l = l;
    return v;
}

val tp_v_dict(vdict *d)
{
    val v = {.kind = V_DICT};
    v.d = d;
    return v;
}

vdict *tp_vdict_new(arena *a, uint32_t cap)
{
    vdict *d = tp_arena_zalloc(a, sizeof *d);
    d->depth = 1;
    if (cap) {
        d->cap = cap;
        d->keys = tp_arena_alloc(a, sizeof(val) * cap);
        d->vals = tp_arena_alloc(a, sizeof(val) * cap);
    }
    return d;
}

/* ---- hashing and equality with Python's rules: 1 == 1.0 == True share a slot ---- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t v_hash(val v)
{
    switch (v.kind) {
    case V_STR: return hash_bytes(v.s->p, v.s->n);
    case V_BOOL: return mix((uint64_t)v.b);
    case V_INT: return mix((uint64_t)v.i);
    case V_FLOAT:
        if (v.f == floor(v.f) && fabs(v.f) < 9.2e18)
            return mix((uint64_t)(int64_t)v.f);
        {
            uint64_t bits;
            memcpy(&bits, &v.f, sizeof bits);
            return mix(bits);
        }
    case V_NONE: return 0x9e3779b97f4a7c15ULL;
    default: return mix((uint64_t)(uintptr_t)v.l);
    }
}

static bool is_num(val v) { return v.kind == V_INT || v.kind == V_FLOAT || v.kind == V_BOOL; }

static bool num_eq(val a, val b)
{
    if (a.kind != V_FLOAT && b.kind != V_FLOAT) {
        int64_t x = a.kind == V_BOOL ? a.b : a.i, y = b.kind == V_BOOL ? b.b : b.i;
        return x == y;
    }
    double x = a.kind == V_FLOAT ? a.f : a.kind == V_BOOL ? a.b : (double)a.i;
    double y = b.kind == V_FLOAT ? b.f : b.kind == V_BOOL ? b.b : (double)b.i;
    if (a.kind == V_INT && (double)a.i != x)
        return false;
    if (b.kind == V_INT && (double)b.i != y)
        return false;
    /* an int compares exactly with a float in Python: 2**53+1 != 2.0**53 */
    if (a.kind == V_INT && b.kind == V_FLOAT)
        return b.f == floor(b.f) && fabs(b.f) < 9.3e18 && (int64_t)b.f == a.i && (double)a.i == b.f;
    if (b.kind == V_INT && a.kind == V_FLOAT)
        return a.f == floor(a.f) && fabs(a.f) < 9.3e18 && (int64_t)a.f == b.i && (double)b.i == a.f;
    return x == y;
}

bool tp_v_eq(val a, val b)
{
    if ((a.kind == V_LIST && (a.flags & (VF_ITER | VF_VIEW | VF_RANGE))) ||
        (b.kind == V_LIST && (b.flags & (VF_ITER | VF_VIEW | VF_RANGE))))
        return a.kind == b.kind && a.l == b.l; /* iterators, views and ranges: by identity here */
    if (is_num(a) && is_num(b))
        return num_eq(a, b);
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case V_UNDEF:
    case V_NONE: return true;
    case V_STR: return a.s->n == b.s->n && memcmp(a.s->p, b.s->p, a.s->n) == 0;
    case V_LIST:
        if ((a.flags & VF_TUPLE) != (b.flags & VF_TUPLE) || a.l->n != b.l->n)
            return false;
        for (uint32_t i = 0; i < a.l->n; i++)
            if (!tp_v_eq(a.l->items[i], b.l->items[i]))
                return false;
        return true;
    case V_DICT:
        if (a.d->n != b.d->n)
            return false;
        for (uint32_t i = 0; i < a.d->n; i++) {
            val *o = tp_vdict_get(b.d, a.d->keys[i]);
            if (!o || !tp_v_eq(a.d->vals[i], *o))
                return false;
        }
        return true;
    case V_NS: return a.d == b.d;
    case V_MACRO: return a.m == b.m;
    case V_FUNC: return a.fn == b.fn;
    case V_LOOP: return a.loop == b.loop;
    default: return false;
    }
}

static void index_rebuild(arena *a, vdict *d, uint32_t cap)
{
    d->index = tp_arena_zalloc(a, sizeof(uint32_t) * cap);
    d->index_cap = cap;
    for (uint32_t i = 0; i < d->n; i++) {
        uint32_t s = (uint32_t)v_hash(d->keys[i]) & (cap - 1);
        while (d->index[s])
            s = (s + 1) & (cap - 1);
        d->index[s] = i + 1;
    }
}

enum { DICT_LINEAR = 8 };

val *tp_vdict_get(const vdict *d, val k)
{
    if (!d->index) {
        for (uint32_t i = 0; i < d->n; i++)
            if (tp_v_eq(d->keys[i], k))
                return &d->vals[i];
        return NULL;
    }
    uint32_t s = (uint32_t)v_hash(k) & (d->index_cap - 1);
    while (d->index[s]) {
        uint32_t e = d->index[s] - 1;
        if (tp_v_eq(d->keys[e], k))
            return &d->vals[e];
        s = (s + 1) & (d->index_cap - 1);
    }
    return NULL;
}

val *tp_vdict_get_str(const vdict *d, const char *k, size_t n)
{
    if (!d->index) {
        for (uint32_t i = 0; i < d->n; i++)
            if (d->keys[i].kind == V_STR && d->keys[i].s->n == n && memcmp(d->keys[i].s->p, k, n) == 0)
                return &d->vals[i];
        return NULL;
    }
    uint32_t s = (uint32_t)hash_bytes(k, n) & (d->index_cap - 1);
    while (d->index[s]) {
        uint32_t e = d->index[s] - 1;
        if (d->keys[e].kind == V_STR && d->keys[e].s->n == n && memcmp(d->keys[e].s->p, k, n) == 0)
            return &d->vals[e];
        s = (s + 1) & (d->index_cap - 1);
    }
    return NULL;
}

void tp_vdict_set(arena *a, vdict *d, val k, val v)
{
    unsigned dep = (tp_val_depth(v) > tp_val_depth(k) ? tp_val_depth(v) : tp_val_depth(k)) + 1;
    if (dep > d->depth)
        d->depth = (uint16_t)(dep > 60000 ? 60000 : dep);
    d->has_ns |= tp_val_has_ns(v) || tp_val_has_ns(k);
    val *old = tp_vdict_get(d, k);
    if (old) {
        *old = v;
        return;
    }
    if (d->n == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 4;
        val *keys = tp_arena_alloc(a, sizeof(val) * cap), *vals = tp_arena_alloc(a, sizeof(val) * cap);
        if (d->n) {
            memcpy(keys, d->keys, sizeof(val) * d->n);
            memcpy(vals, d->vals, sizeof(val) * d->n);
        }
        d->keys = keys;
        d->vals = vals;
        d->cap = cap;
    }
    d->keys[d->n] = k;
    d->vals[d->n] = v;
    d->n++;
    if (d->n > DICT_LINEAR) {
        if (!d->index || d->n * 2 > d->index_cap) {
            uint32_t cap = 32;
            while (cap < d->n * 4)
                cap *= 2;
            index_rebuild(a, d, cap);
        } else {
            uint32_t s = (uint32_t)v_hash(k) & (d->index_cap - 1);
            while (d->index[s])
                s = (s + 1) & (d->index_cap - 1);
            d->index[s] = d->n;
        }
    }
}

bool tp_v_truthy(val v)
{
    switch (v.kind) {
    case V_UNDEF:
    case V_NONE: return false;
    case V_BOOL: return v.b;
    case V_INT: return v.i != 0;
    case V_FLOAT: return v.f != 0;
    case V_STR: return v.s->n != 0;
    case V_LIST: return (v.flags & VF_ITER) || v.l->n != 0;
    case V_DICT: return v.d->n != 0;
    default: return true;
    }
}

const char *tp_v_type_name(val v)
{
    switch (v.kind) {
    case V_UNDEF: return "Undefined";
    case V_NONE: return "NoneType";
    case V_BOOL: return "bool";
    case V_INT: return "int";
    case V_FLOAT: return "float";
    case V_STR: return "str";
    case V_LIST:
        return v.flags & VF_ITER ? "generator" : v.flags & VF_VIEW ? "dict_items" : v.flags & VF_RANGE ? "range"
               : v.flags & VF_TUPLE ? "tuple" : "list";
    case V_DICT: return "dict";
    case V_NS: return "Namespace";
    case V_MACRO: return "Macro";
    case V_FUNC: return "function";
    case V_LOOP: return "LoopContext";
    }
    return "object";
}

const char *tp_v_owner_name(val v)
{
    switch (v.kind) {
    case V_NONE: return "None";
    case V_BOOL: return "bool object";
    case V_INT: return "int object";
    case V_FLOAT: return "float object";
    case V_STR: return "str object";
    case V_LIST: return v.flags & VF_TUPLE ? "tuple object" : "list object";
    case V_DICT: return "dict object";
    case V_NS: return "jinja2.utils.Namespace object";
    case V_MACRO: return "jinja2.runtime.Macro object";
    case V_LOOP: return "jinja2.runtime.LoopContext object";
    default: return "builtin_function_or_method object";
    }
}

/* ---- Python's float repr: the shortest digits that read back to the same double ---- */

void tp_float_repr(sbuf *b, double f)
{
    if (isnan(f)) {
        tp_sb_puts(b, "nan");
        return;
    }
    if (isinf(f)) {
        tp_sb_puts(b, f < 0 ? "-inf" : "inf");
        return;
    }
    if (f == 0) {
        tp_sb_puts(b, signbit(f) ? "-0.0" : "0.0");
        return;
    }
    char buf[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f)
            break;
    }
    /* buf: [-]d[.ddd]e[+-]XX -> digits and decimal exponent */
    char digits[24];
    int nd = 0;
    const char *p = buf;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (neg)
        tp_sb_putc(b, '-');
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 >= 0) {
            /* integer part: digits[0..exp10], padded with zeros */
            for (int i = 0; i <= exp10; i++)
                tp_sb_putc(b, i < nd ? digits[i] : '0');
            tp_sb_putc(b, '.');
            if (nd > exp10 + 1)
                tp_sb_put(b, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            else
                tp_sb_putc(b, '0');
        } else {
            tp_sb_puts(b, "0.");
            for (int i = 0; i < -exp10 - 1; i++)
                tp_sb_putc(b, '0');
            tp_sb_put(b, digits, (size_t)nd);
        }
    } else {
        tp_sb_putc(b, digits[0]);
        if (nd > 1) {
            tp_sb_putc(b, '.');
            tp_sb_put(b, digits + 1, (size_t)(nd - 1));
        }
        tp_sb_printf(b, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

/* ---- str() and repr() ---- */

static void repr_str(sbuf *b, const vstr *s)
{
    bool has_sq = memchr(s->p, '\'', s->n) != NULL, has_dq = memchr(s->p, '"', s->n) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    tp_sb_putc(b, q);
    size_t i = 0;
    while (i < s->n) {
        size_t start = i;
        uint32_t c = tp_utf8_next(s->p, s->n, &i);
        if (c == (uint32_t)q || c == '\\') {
            tp_sb_putc(b, '\\');
            tp_sb_putc(b, (char)c);
        } else if (c == '\n')
            tp_sb_puts(b, "\\n");
        else if (c == '\r')
            tp_sb_puts(b, "\\r");
        else if (c == '\t')
            tp_sb_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            tp_sb_printf(b, "\\x%02x", c);
        else if (c < 0x80 || tp_uni_isprintable(c))
            tp_sb_put(b, s->p + start, i - start);
        else if (c <= 0xFF)
            tp_sb_printf(b, "\\x%02x", c);
        else if (c <= 0xFFFF)
            tp_sb_printf(b, "\\u%04x", c);
        else
            tp_sb_printf(b, "\\U%08x", c);
    }
    tp_sb_putc(b, q);
}

static bool repr_seq(sbuf *b, val v)
{
    if (v.flags & (VF_ITER | VF_VIEW))
        return false; /* Python prints <generator object at 0x...> / dict_items([...]) */
    if (v.flags & VF_RANGE)
        return false;
    bool tuple = v.flags & VF_TUPLE;
    tp_sb_putc(b, tuple ? '(' : '[');
    for (uint32_t i = 0; i < v.l->n; i++) {
        if (i)
            tp_sb_puts(b, ", ");
        if (!tp_v_repr_into(b, v.l->items[i]))
            return false;
    }
    if (tuple && v.l->n == 1)
        tp_sb_putc(b, ',');
    tp_sb_putc(b, tuple ? ')' : ']');
    return true;
}

static bool repr_dict(sbuf *b, const vdict *d)
{
    tp_sb_putc(b, '{');
    for (uint32_t i = 0; i < d->n; i++) {
        if (i)
            tp_sb_puts(b, ", ");
        if (!tp_v_repr_into(b, d->keys[i]))
            return false;
        tp_sb_puts(b, ": ");
        if (!tp_v_repr_into(b, d->vals[i]))
            return false;
    }
    tp_sb_putc(b, '}');
    return true;
}

bool tp_v_repr_into(sbuf *b, val v)
{
    switch (v.kind) {
    case V_STR:
        if (v.flags & VF_MARKUP)
            tp_sb_puts(b, "Markup(");
        repr_str(b, v.s);
        if (v.flags & VF_MARKUP)
            tp_sb_putc(b, ')');
        return true;
    case V_UNDEF: tp_sb_puts(b, "Undefined"); return true;
    case V_LIST: return repr_seq(b, v);
    case V_DICT: return repr_dict(b, v.d);
    default: return tp_v_str_into(b, v);
    }
}

bool tp_v_str_into(sbuf *b, val v)
{
    switch (v.kind) {
    case V_UNDEF: return true;
    case V_NONE: tp_sb_puts(b, "None"); return true;
    case V_BOOL: tp_sb_puts(b, v.b ? "True" : "False"); return true;
    case V_INT: tp_sb_printf(b, "%lld", (long long)v.i); return true;
    case V_FLOAT: tp_float_repr(b, v.f); return true;
    case V_STR: tp_sb_put(b, v.s->p, v.s->n); return true;
    case V_LIST: return repr_seq(b, v);
    case V_DICT: return repr_dict(b, v.d);
    case V_NS:
        tp_sb_puts(b, "<Namespace ");
        if (!repr_dict(b, v.d))
            return false;
        tp_sb_putc(b, '>');
        return true;
    default: return false; /* functions, macros, loops: Python prints an address */
    }
}
