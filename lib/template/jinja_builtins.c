/* builtins.c -- Jinja2's filters and tests, the str/dict methods templates call, and the
 * globals (range, namespace, dict, raise_exception, strftime_now), each with the behaviour of
 * its Python original in jinja2/filters.py, jinja2/tests.py and CPython's str/dict. A Jinja
 * builtin this file does not implement is known by name and refused at compile time
 * (filters) or when called (methods), with TMPL_ERR_UNSUPPORTED. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template/tmpl_internal.h"

/* ---- names ---- */

enum tp_filter_id {
    F_ABS, F_ATTR, F_BATCH, F_CAPITALIZE, F_COUNT, F_D, F_DEFAULT, F_DICTSORT, F_FIRST, F_FLOAT,
    F_INDENT, F_INT, F_ITEMS, F_JOIN, F_LAST, F_LENGTH, F_LIST, F_LOWER, F_MAP, F_MAX, F_MIN,
    F_REJECT, F_REJECTATTR, F_REPLACE, F_REVERSE, F_ROUND, F_SAFE, F_SELECT, F_SELECTATTR, F_SORT,
    F_STRING, F_SUM, F_TITLE, F_TOJSON, F_TRIM, F_UNIQUE, F_UPPER, F_WORDCOUNT,
    F_SUPPORTED_END,
    /* Jinja builtins not implemented */
    F_CENTER = F_SUPPORTED_END, F_E, F_ESCAPE, F_FILESIZEFORMAT, F_FORCEESCAPE, F_FORMAT, F_GROUPBY,
    F_PPRINT, F_RANDOM, F_SLICE, F_STRIPTAGS, F_TRUNCATE, F_URLENCODE, F_URLIZE, F_WORDWRAP,
    F_XMLATTR,
    F_END
};

static const char *const FILTER_NAMES[F_END] = {
    "abs", "attr", "batch", "capitalize", "count", "d", "default", "dictsort", "first", "float",
    "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
    "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
    "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount",
    "center", "e", "escape", "filesizeformat", "forceescape", "format", "groupby",
    "pprint", "random", "slice", "striptags", "truncate", "urlencode", "urlize", "wordwrap",
    "xmlattr",
};

enum tp_test_id {
    T_BOOLEAN, T_CALLABLE, T_DEFINED, T_DIVISIBLEBY, T_EQ, T_EQUALTO, T_ESCAPED, T_EVEN, T_FALSE,
    T_FILTER, T_FLOAT, T_GE, T_GT, T_GREATERTHAN, T_IN, T_INTEGER, T_ITERABLE, T_LE, T_LESSTHAN,
    T_LOWER, T_LT, T_MAPPING, T_NE, T_NONE, T_NUMBER, T_ODD, T_SAMEAS, T_SEQUENCE, T_STRING, T_TEST,
    T_TRUE, T_UNDEFINED, T_UPPER,
    T_END
};

static const char *const TEST_NAMES[T_END] = {
    "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even", "false",
    "filter", "float", "ge", "gt", "greaterthan", "in", "integer", "iterable", "le", "lessthan",
    "lower", "lt", "mapping", "ne", "none", "number", "odd", "sameas", "sequence", "string", "test",
    "true", "undefined", "upper",
};

static int find_name(const char *const *names, int count, const char *name, size_t n)
{
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
            return i;
    return -1;
}

int tp_filter_id(const char *name, size_t n) { return find_name(FILTER_NAMES, F_END, name, n); }
int tp_test_id(const char *name, size_t n) { return find_name(TEST_NAMES, T_END, name, n); }
const char *tp_filter_name(int id) { return id >= 0 && id < F_END ? FILTER_NAMES[id] : "?"; }
const char *tp_test_name(int id) { return id >= 0 && id < T_END ? TEST_NAMES[id] : "?"; }
bool tp_filter_supported(int id) { return id >= 0 && id < F_SUPPORTED_END; }

int tp_global_fn_id(const char *name, size_t n)
{
    static const struct {
        const char *name;
        int id;
    } G[] = {
        {"range", FN_RANGE}, {"namespace", FN_NAMESPACE}, {"dict", FN_DICT},
        {"raise_exception", FN_RAISE}, {"strftime_now", FN_STRFTIME},
        {"cycler", FN_UNSUPPORTED}, {"joiner", FN_UNSUPPORTED}, {"lipsum", FN_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof G / sizeof G[0]; i++)
        if (strlen(G[i].name) == n && memcmp(G[i].name, name, n) == 0)
            return G[i].id;
    return -1;
}

/* ---- arguments ---- */

typedef struct args_ {
    const val *pos;
    size_t npos;
    const vstr *const *kwn;
    const val *kwv;
    size_t nkw;
    const char *fname;
    unsigned used_kw; /* bit per keyword consumed */
} args_;

/* Argument i (positional) or named; NULL if not given. */
static const val *arg(args_ *a, size_t i, const char *name)
{
    if (i < a->npos)
        return &a->pos[i];
    size_t nl = strlen(name);
    for (size_t k = 0; k < a->nkw; k++)
        if (a->kwn[k]->n == nl && memcmp(a->kwn[k]->p, name, nl) == 0) {
            if (k < 32)
                a->used_kw |= 1u << k;
            return &a->kwv[k];
        }
    return NULL;
}

static void args_done(tctx *c, args_ *a, size_t max_pos)
{
    if (a->npos > max_pos)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s() takes at most %zu argument(s) (%zu given)", a->fname, max_pos, a->npos);
    for (size_t k = 0; k < a->nkw; k++)
        if (k >= 32 || !(a->used_kw & (1u << k)))
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s() got an unexpected keyword argument '%.*s'", a->fname, (int)a->kwn[k]->n, a->kwn[k]->p);
}

static bool arg_bool(const val *v, bool dflt) { return v ? tp_v_truthy(*v) : dflt; }

static int64_t arg_int(tctx *c, const val *v, int64_t dflt, const char *what)
{
    if (!v || v->kind == V_NONE)
        return dflt;
    if (v->kind == V_INT)
        return v->i;
    if (v->kind == V_BOOL)
        return v->b;
    if (v->kind == V_UNDEF)
        tp_tc_fail_undefined(c, *v);
    tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s must be an integer, not %s", what, tp_v_type_name(*v));
}

static const vstr *arg_str(tctx *c, const val *v, const char *what)
{
    if (v->kind == V_STR)
        return v->s;
    if (v->kind == V_UNDEF)
        tp_tc_fail_undefined(c, *v);
    tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s must be str, not %s", what, tp_v_type_name(*v));
}

/* ---- string helpers (code points) ---- */

static val str_of(tctx *c, sbuf *b) { return tp_v_str(&c->mem, b->p ? b->p : "", b->n); }

static bool in_chars(uint32_t cp, const vstr *chars)
{
    size_t i = 0;
    while (i < chars->n)
        if (tp_utf8_next(chars->p, chars->n, &i) == cp)
            return true;
    return false;
}

/* Python str.strip/lstrip/rstrip: chars NULL = whitespace. which: 1 left, 2 right, 3 both. */
static val py_strip(tctx *c, const vstr *s, const vstr *chars, int which)
{
    size_t start = 0, end = s->n;
    if (which & 1)
        while (start < end) {
            size_t k = start;
            uint32_t cp = tp_utf8_next(s->p, s->n, &k);
            if (chars ? !in_chars(cp, chars) : !tp_uni_isspace(cp))
                break;
            start = k;
        }
    if (which & 2)
        while (end > start) {
            size_t st = end - 1;
            while (st > start && ((unsigned char)s->p[st] & 0xC0) == 0x80)
                st--;
            size_t k = st;
            uint32_t cp = tp_utf8_next(s->p, s->n, &k);
            if (chars ? !in_chars(cp, chars) : !tp_uni_isspace(cp))
                break;
            end = st;
        }
    if (start == 0 && end == s->n)
        return v_strv(s);
    return tp_v_str(&c->mem, s->p + start, end - start);
}

/* case: 0 lower, 1 upper */
static val py_case(tctx *c, const vstr *s, int which)
{
    sbuf b;
    tp_sb_init(&b, &c->mem);
    size_t i = 0;
    while (i < s->n) {
        uint32_t cp = tp_utf8_next(s->p, s->n, &i), m[3];
        int k = which ? tp_uni_upper(cp, m) : tp_uni_lower(cp, m);
        for (int j = 0; j < k; j++)
            tp_utf8_put(&b, m[j]);
    }
    return str_of(c, &b);
}

/* str.capitalize (Python 3.8+): first character title-cased, the rest lower-cased. */
static val py_capitalize(tctx *c, const vstr *s)
{
    sbuf b;
    tp_sb_init(&b, &c->mem);
    size_t i = 0;
    bool first = true;
    while (i < s->n) {
        uint32_t cp = tp_utf8_next(s->p, s->n, &i), m[3];
        int k = first ? tp_uni_title(cp, m) : tp_uni_lower(cp, m);
        first = false;
        for (int j = 0; j < k; j++)
            tp_utf8_put(&b, m[j]);
    }
    return str_of(c, &b);
}

/* str.title: title-case after an uncased character, lower-case after a cased one. */
static val py_title_method(tctx *c, const vstr *s)
{
    sbuf b;
    tp_sb_init(&b, &c->mem);
    size_t i = 0;
    bool prev_cased = false;
    while (i < s->n) {
        uint32_t cp = tp_utf8_next(s->p, s->n, &i), m[3];
        int k = prev_cased ? tp_uni_lower(cp, m) : tp_uni_title(cp, m);
        for (int j = 0; j < k; j++)
            tp_utf8_put(&b, m[j]);
        prev_cased = tp_uni_cased(cp);
    }
    return str_of(c, &b);
}

/* Jinja's |title: split on runs of "-", whitespace, "(", "{", "[", "<" (kept), then each piece
 * gets piece[0].upper() + piece[1:].lower(). */
static bool title_sep(uint32_t cp) { return cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || tp_uni_isspace(cp); }

static val jinja_title(tctx *c, const vstr *s)
{
    sbuf b;
    tp_sb_init(&b, &c->mem);
    size_t i = 0;
    bool at_word_start = true;
    while (i < s->n) {
        uint32_t cp = tp_utf8_next(s->p, s->n, &i), m[3];
        int k;
        if (title_sep(cp)) {
            m[0] = cp;
            k = 1;
            at_word_start = true;
        } else if (at_word_start) {
            k = tp_uni_upper(cp, m);
            at_word_start = false;
        } else {
            k = tp_uni_lower(cp, m);
        }
        for (int j = 0; j < k; j++)
            tp_utf8_put(&b, m[j]);
    }
    return str_of(c, &b);
}

static val py_replace(tctx *c, const vstr *s, const vstr *old, const vstr *new_, int64_t count)
{
    sbuf b;
    tp_sb_init(&b, &c->mem);
    if (count < 0)
        count = INT64_MAX;
    if (old->n == 0) {
        /* inserts new_ before every character and at the end */
        size_t i = 0;
        int64_t done = 0;
        while (i <= s->n) {
            if (done < count) {
                tp_sb_put(&b, new_->p, new_->n);
                done++;
            }
            if (i == s->n)
                break;
            size_t st = i;
            tp_utf8_next(s->p, s->n, &i);
            tp_sb_put(&b, s->p + st, i - st);
            if (b.n > c->max_output)
                tp_tc_fail(c, TMPL_ERR_LIMIT, "a string passed the output limit");
        }
        return str_of(c, &b);
    }
    size_t i = 0;
    int64_t done = 0;
    while (i < s->n) {
        const char *h = done < count ? memmem(s->p + i, s->n - i, old->p, old->n) : NULL;
        if (!h) {
            tp_sb_put(&b, s->p + i, s->n - i);
            break;
        }
        size_t at = (size_t)(h - s->p);
        tp_sb_put(&b, s->p + i, at - i);
        tp_sb_put(&b, new_->p, new_->n);
        if (b.n > c->max_output)
            tp_tc_fail(c, TMPL_ERR_LIMIT, "a string passed the output limit");
        i = at + old->n;
        done++;
    }
    return str_of(c, &b);
}

/* Python str.split / rsplit; sep NULL = runs of whitespace. */
static val py_split(tctx *c, const vstr *s, const vstr *sep, int64_t maxsplit, bool right)
{
    vlist *l = tp_vlist_new(&c->mem, 0);
    if (maxsplit < 0)
        maxsplit = INT64_MAX;
    if (sep && sep->n == 0)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: empty separator");
    if (sep) {
        if (!right) {
            size_t i = 0;
            int64_t done = 0;
            for (;;) {
                const char *h = done < maxsplit ? memmem(s->p + i, s->n - i, sep->p, sep->n) : NULL;
                if (!h) {
                    tp_vlist_push(&c->mem, l, tp_v_str(&c->mem, s->p + i, s->n - i));
                    break;
                }
                size_t at = (size_t)(h - s->p);
                tp_vlist_push(&c->mem, l, tp_v_str(&c->mem, s->p + i, at - i));
                i = at + sep->n;
                done++;
            }
        } else {
            size_t end = s->n;
            int64_t done = 0;
            vlist *rev = tp_vlist_new(&c->mem, 0);
            for (;;) {
                size_t at = SIZE_MAX;
                if (done < maxsplit && end >= sep->n)
                    for (size_t k = end - sep->n + 1; k-- > 0;)
                        if (memcmp(s->p + k, sep->p, sep->n) == 0) {
                            at = k;
                            break;
                        }
                if (at == SIZE_MAX) {
                    tp_vlist_push(&c->mem, rev, tp_v_str(&c->mem, s->p, end));
                    break;
                }
                tp_vlist_push(&c->mem, rev, tp_v_str(&c->mem, s->p + at + sep->n, end - at - sep->n));
                end = at;
                done++;
            }
            for (uint32_t k = rev->n; k-- > 0;)
                tp_vlist_push(&c->mem, l, rev->items[k]);
        }
        return tp_v_list(l);
    }
    /* whitespace split: no empty strings */
    if (right && maxsplit != INT64_MAX)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "str.rsplit() with maxsplit and no separator is not supported");
    size_t i = 0;
    int64_t done = 0;
    while (i < s->n) {
        size_t k = i;
        uint32_t cp = tp_utf8_next(s->p, s->n, &k);
        if (tp_uni_isspace(cp)) {
            i = k;
            continue;
        }
        if (done >= maxsplit) {
            /* the rest, with trailing whitespace stripped */
            val rest = py_strip(c, tp_vstr_new(&c->mem, s->p + i, s->n - i), NULL, 2);
            tp_vlist_push(&c->mem, l, rest);
            break;
        }
        size_t start = i;
        while (i < s->n) {
            k = i;
            cp = tp_utf8_next(s->p, s->n, &k);
            if (tp_uni_isspace(cp))
                break;
            i = k;
        }
        tp_vlist_push(&c->mem, l, tp_v_str(&c->mem, s->p + start, i - start));
        done++;
    }
    return tp_v_list(l);
}

/* Python str.splitlines: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029 */
static bool line_break(uint32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x1C || cp == 0x1D || cp == 0x1E ||
           cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

static vlist *py_splitlines(tctx *c, const vstr *s, bool keepends)
{
    vlist *l = tp_vlist_new(&c->mem, 0);
    size_t i = 0, start = 0;
    while (i < s->n) {
        size_t k = i;
        uint32_t cp = tp_utf8_next(s->p, s->n, &k);
        if (line_break(cp)) {
            size_t eol = k;
            if (cp == '\r' && eol < s->n && s->p[eol] == '\n')
                eol++;
            tp_vlist_push(&c->mem, l, tp_v_str(&c->mem, s->p + start, (keepends ? eol : i) - start));
            i = start = eol;
            continue;
        }
        i = k;
    }
    if (start < s->n)
        tp_vlist_push(&c->mem, l, tp_v_str(&c->mem, s->p + start, s->n - start));
    return l;
}

static size_t cp_count(const vstr *s) { return s->ascii ? s->n : tp_utf8_cplen(s->p, s->n); }

/* Python str.find/rfind/count with optional start/end (code point indices) */
static size_t byte_at(const vstr *s, int64_t cpi)
{
    if (s->ascii)
        return (size_t)cpi;
    size_t b = 0;
    for (int64_t k = 0; k < cpi && b < s->n; k++) {
        b++;
        while (b < s->n && ((unsigned char)s->p[b] & 0xC0) == 0x80)
            b++;
    }
    return b;
}

static void adjust_range(int64_t len, int64_t *start, int64_t *end)
{
    if (*start < 0) {
        *start += len;
        if (*start < 0)
            *start = 0;
    }
    if (*end > len)
        *end = len;
    else if (*end < 0) {
        *end += len;
        if (*end < 0)
            *end = 0;
    }
}

static val str_find(tctx *c, const vstr *s, args_ *a, int kind /* 0 find, 1 rfind, 2 count */)
{
    const val *sub_v = arg(a, 0, "sub");
    if (!sub_v)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s() takes at least 1 argument (0 given)", a->fname);
    const vstr *sub = arg_str(c, sub_v, "the substring");
    int64_t len = (int64_t)cp_count(s);
    int64_t start = arg_int(c, arg(a, 1, "start"), 0, "start"), end = arg_int(c, arg(a, 2, "end"), len, "end");
    args_done(c, a, 3);
    adjust_range(len, &start, &end);
    if (end < start || start > len) {
        if (kind == 2)
            return v_int(0);
        return v_int(-1);
    }
    size_t bs = byte_at(s, start), be = byte_at(s, end);
    if (kind == 2) {
        if (!sub->n)
            return v_int(end - start + 1);
        int64_t n = 0;
        size_t i = bs;
        while (i + sub->n <= be) {
            const char *h = memmem(s->p + i, be - i, sub->p, sub->n);
            if (!h)
                break;
            n++;
            i = (size_t)(h - s->p) + sub->n;
        }
        return v_int(n);
    }
    size_t found = SIZE_MAX;
    if (kind == 0) {
        const char *h = sub->n ? memmem(s->p + bs, be - bs, sub->p, sub->n) : s->p + bs;
        if (h)
            found = (size_t)(h - s->p);
    } else if (be - bs >= sub->n) {
        for (size_t k = be - sub->n + 1; k-- > bs;)
            if (memcmp(s->p + k, sub->p, sub->n) == 0) {
                found = k;
                break;
            }
    }
    if (found == SIZE_MAX)
        return v_int(-1);
    return v_int((int64_t)tp_utf8_cplen(s->p, found));
}

static bool affix_match(tctx *c, const vstr *s, val pre, bool end, int64_t start, int64_t stop)
{
    if (pre.kind == V_LIST && (pre.flags & VF_TUPLE)) {
        for (uint32_t i = 0; i < pre.l->n; i++)
            if (affix_match(c, s, pre.l->items[i], end, start, stop))
                return true;
        return false;
    }
    if (pre.kind != V_STR) {
        if (pre.kind == V_UNDEF)
            tp_tc_fail_undefined(c, pre);
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s first arg must be str or a tuple of str, not %s", end ? "endswith" : "startswith", tp_v_type_name(pre));
    }
    int64_t len = (int64_t)cp_count(s);
    adjust_range(len, &start, &stop);
    if (start > len)
        return false;
    size_t bs = byte_at(s, start), be = byte_at(s, stop < start ? start : stop);
    if (be - bs < pre.s->n)
        return false;
    return memcmp(s->p + (end ? be - pre.s->n : bs), pre.s->p, pre.s->n) == 0;
}

/* ---- methods ---- */

static val bound(tctx *c, int id, val self, const char *name)
{
    vfunc *fn = tp_arena_zalloc(&c->mem, sizeof *fn);
    fn->id = id;
    fn->self = self;
    fn->name = name;
    val v = {.kind = V_FUNC};
    v.fn = fn;
    return v;
}

val tp_method_of(tctx *c, val obj, const char *name, size_t n)
{
    static const struct {
        const char *name;
        int id;
    } STR[] = {
        {"strip", M_STRIP}, {"lstrip", M_LSTRIP}, {"rstrip", M_RSTRIP}, {"split", M_SPLIT},
        {"rsplit", M_RSPLIT}, {"splitlines", M_SPLITLINES}, {"startswith", M_STARTSWITH},
        {"endswith", M_ENDSWITH}, {"upper", M_UPPER}, {"lower", M_LOWER}, {"title", M_TITLE},
        {"capitalize", M_CAPITALIZE}, {"replace", M_REPLACE}, {"find", M_FIND}, {"rfind", M_RFIND},
        {"count", M_COUNT}, {"join", M_JOIN}, {"isdigit", M_ISDIGIT}, {"isalpha", M_ISALPHA},
        {"isspace", M_ISSPACE}, {"isupper", M_ISUPPER}, {"islower", M_ISLOWER},
        /* Python has these; not implemented */
        {"format", M_UNSUPPORTED}, {"format_map", M_UNSUPPORTED}, {"index", M_UNSUPPORTED},
        {"rindex", M_UNSUPPORTED}, {"center", M_UNSUPPORTED}, {"ljust", M_UNSUPPORTED},
        {"rjust", M_UNSUPPORTED}, {"zfill", M_UNSUPPORTED}, {"partition", M_UNSUPPORTED},
        {"rpartition", M_UNSUPPORTED}, {"casefold", M_UNSUPPORTED}, {"swapcase", M_UNSUPPORTED},
        {"expandtabs", M_UNSUPPORTED}, {"encode", M_UNSUPPORTED}, {"removeprefix", M_UNSUPPORTED},
        {"removesuffix", M_UNSUPPORTED}, {"isalnum", M_UNSUPPORTED}, {"isdecimal", M_UNSUPPORTED},
        {"isnumeric", M_UNSUPPORTED}, {"isidentifier", M_UNSUPPORTED}, {"isprintable", M_UNSUPPORTED},
        {"istitle", M_UNSUPPORTED}, {"isascii", M_UNSUPPORTED}, {"translate", M_UNSUPPORTED},
        {"maketrans", M_UNSUPPORTED},
    };
    static const struct {
        const char *name;
        int id;
    } DICT[] = {
        {"items", M_ITEMS}, {"keys", M_KEYS}, {"values", M_VALUES}, {"get", M_GET},
        {"clear", M_UNSAFE}, {"pop", M_UNSAFE}, {"popitem", M_UNSAFE}, {"setdefault", M_UNSAFE},
        {"update", M_UNSAFE}, {"copy", M_UNSUPPORTED}, {"fromkeys", M_UNSUPPORTED},
    };
    static const struct {
        const char *name;
        int id;
    } LIST[] = {
        {"append", M_UNSAFE}, {"clear", M_UNSAFE}, {"pop", M_UNSAFE}, {"reverse", M_UNSAFE},
        {"insert", M_UNSAFE}, {"sort", M_UNSAFE}, {"extend", M_UNSAFE}, {"remove", M_UNSAFE},
        {"index", M_UNSUPPORTED}, {"count", M_UNSUPPORTED}, {"copy", M_UNSUPPORTED},
    };
#define LOOKUP(T)                                                                         \
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)                                   \
        if (strlen(T[i].name) == n && memcmp(T[i].name, name, n) == 0) {                  \
            if (T[i].id == M_UNSAFE) {                                                    \
                char *h = tp_arena_alloc(&c->mem, 100);                                      \
                snprintf(h, 100, "access to attribute '%s' of '%s' object is unsafe.", T[i].name, tp_v_type_name(obj)); \
                return tp_undefined_hint(c, h);                                              \
            }                                                                             \
            return bound(c, T[i].id, obj, T[i].name);                                     \
        }
    if (obj.kind == V_STR) {
        LOOKUP(STR)
    } else if (obj.kind == V_DICT) {
        LOOKUP(DICT)
    } else if (obj.kind == V_LIST && !(obj.flags & (VF_TUPLE | VF_ITER | VF_VIEW | VF_RANGE))) {
        LOOKUP(LIST)
    }
#undef LOOKUP
    return v_undef_plain();
}

static val items_view(tctx *c, const vdict *d, int which /* 0 items, 1 keys, 2 values */)
{
    vlist *l = tp_vlist_new(&c->mem, d->n);
    for (uint32_t i = 0; i < d->n; i++) {
        if (which == 0) {
            vlist *p = tp_vlist_new(&c->mem, 2);
            p->items[0] = d->keys[i];
            p->items[1] = d->vals[i];
            p->n = 2;
            tp_vlist_seal(p);
            l->items[i] = tp_v_tuple(p);
        } else
            l->items[i] = which == 1 ? d->keys[i] : d->vals[i];
    }
    l->n = d->n;
    tp_vlist_seal(l);
    val v = tp_v_list(l);
    v.flags = VF_VIEW;
    return v;
}

static val ascii_pred(tctx *c, const vstr *s, int id)
{
    if (!s->ascii && id != M_ISSPACE)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "str.is*() on non-ASCII text is not supported");
    if (!s->n)
        return v_bool(false);
    bool any_cased = false;
    size_t i = 0;
    while (i < s->n) {
        uint32_t cp = tp_utf8_next(s->p, s->n, &i);
        switch (id) {
        case M_ISDIGIT: if (!tp_uni_isdigit(cp)) return v_bool(false); break;
        case M_ISALPHA: if (!tp_uni_isalpha(cp)) return v_bool(false); break;
        case M_ISSPACE: if (!tp_uni_isspace(cp)) return v_bool(false); break;
        case M_ISUPPER:
            if (tp_uni_islower(cp))
                return v_bool(false);
            any_cased |= tp_uni_isupper(cp);
            break;
        case M_ISLOWER:
            if (tp_uni_isupper(cp))
                return v_bool(false);
            any_cased |= tp_uni_islower(cp);
            break;
        }
    }
    return v_bool(id == M_ISUPPER || id == M_ISLOWER ? any_cased : true);
}

static val call_method(tctx *c, const vfunc *f, args_ *a)
{
    val self = f->self;
    if (f->id != M_GET)
        tp_tc_charge(c, self);
    if (self.kind == V_DICT) {
        switch (f->id) {
        case M_ITEMS: args_done(c, a, 0); return items_view(c, self.d, 0);
        case M_KEYS: args_done(c, a, 0); return items_view(c, self.d, 1);
        case M_VALUES: args_done(c, a, 0); return items_view(c, self.d, 2);
        case M_GET: {
            if (a->nkw)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: get() takes no keyword arguments");
            if (a->npos < 1 || a->npos > 2)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: get expected 1 or 2 arguments, got %zu", a->npos);
            val k = a->pos[0];
            if (k.kind == V_LIST && !(k.flags & VF_TUPLE))
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: 'list'");
            if (k.kind == V_DICT)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: 'dict'");
            if (k.kind == V_UNDEF)
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "dict.get() with an undefined key is not supported");
            val *v = tp_vdict_get(self.d, k);
            return v ? *v : a->npos == 2 ? a->pos[1] : v_none();
        }
        default: break;
        }
    }
    if (self.kind != V_STR)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "this method is not supported");
    const vstr *s = self.s;
    switch (f->id) {
    case M_STRIP:
    case M_LSTRIP:
    case M_RSTRIP: {
        const val *ch = arg(a, 0, "chars");
        args_done(c, a, 1);
        const vstr *chars = ch && ch->kind != V_NONE ? arg_str(c, ch, "strip arg") : NULL;
        return py_strip(c, s, chars, f->id == M_STRIP ? 3 : f->id == M_LSTRIP ? 1 : 2);
    }
    case M_SPLIT:
    case M_RSPLIT: {
        const val *sep = arg(a, 0, "sep"), *mx = arg(a, 1, "maxsplit");
        args_done(c, a, 2);
        return py_split(c, s, sep && sep->kind != V_NONE ? arg_str(c, sep, "sep") : NULL, arg_int(c, mx, -1, "maxsplit"), f->id == M_RSPLIT);
    }
    case M_SPLITLINES: {
        bool keep = arg_bool(arg(a, 0, "keepends"), false);
        args_done(c, a, 1);
        return tp_v_list(py_splitlines(c, s, keep));
    }
    case M_STARTSWITH:
    case M_ENDSWITH: {
        if (a->nkw)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s() takes no keyword arguments", f->name);
        if (a->npos < 1 || a->npos > 3)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: %s() takes from 1 to 3 arguments", f->name);
        int64_t len = (int64_t)cp_count(s);
        int64_t st = a->npos > 1 ? arg_int(c, &a->pos[1], 0, "start") : 0;
        int64_t en = a->npos > 2 ? arg_int(c, &a->pos[2], len, "end") : len;
        return v_bool(affix_match(c, s, a->pos[0], f->id == M_ENDSWITH, st, en));
    }
    case M_UPPER: args_done(c, a, 0); return py_case(c, s, 1);
    case M_LOWER: args_done(c, a, 0); return py_case(c, s, 0);
    case M_TITLE: args_done(c, a, 0); return py_title_method(c, s);
    case M_CAPITALIZE: args_done(c, a, 0); return py_capitalize(c, s);
    case M_REPLACE: {
        if (a->nkw)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: replace() takes no keyword arguments");
        if (a->npos < 2 || a->npos > 3)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: replace expected 2 or 3 arguments");
        return py_replace(c, s, arg_str(c, &a->pos[0], "replace() argument 1"), arg_str(c, &a->pos[1], "replace() argument 2"),
                          a->npos > 2 ? arg_int(c, &a->pos[2], -1, "count") : -1);
    }
    case M_FIND: return str_find(c, s, a, 0);
    case M_RFIND: return str_find(c, s, a, 1);
    case M_COUNT: return str_find(c, s, a, 2);
    case M_JOIN: {
        const val *it = arg(a, 0, "iterable");
        args_done(c, a, 1);
        if (!it)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: join() takes exactly one argument (0 given)");
        vlist *l = tp_iter_list(c, *it);
        sbuf b;
        tp_sb_init(&b, &c->mem);
        for (uint32_t i = 0; i < l->n; i++) {
            if (l->items[i].kind != V_STR)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: sequence item %u: expected str instance, %s found", i, tp_v_type_name(l->items[i]));
            if (i)
                tp_sb_put(&b, s->p, s->n);
            tp_sb_put(&b, l->items[i].s->p, l->items[i].s->n);
        }
        return str_of(c, &b);
    }
    case M_ISDIGIT:
    case M_ISALPHA:
    case M_ISSPACE:
    case M_ISUPPER:
    case M_ISLOWER: args_done(c, a, 0); return ascii_pred(c, s, f->id);
    default: break;
    }
    tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "this method is not supported");
}

/* ---- globals ---- */

static val make_namespace(tctx *c, args_ *a)
{
    vdict *d = tp_vdict_new(&c->mem, 0);
    if (a->npos > 1)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: namespace expected at most 1 argument, got %zu", a->npos);
    if (a->npos == 1) {
        val m = a->pos[0];
        if (m.kind == V_DICT) {
            for (uint32_t i = 0; i < m.d->n; i++)
                tp_vdict_set(&c->mem, d, m.d->keys[i], m.d->vals[i]);
        } else {
            vlist *l = tp_iter_list(c, m);
            for (uint32_t i = 0; i < l->n; i++) {
                vlist *p = tp_iter_list(c, l->items[i]);
                if (p->n != 2)
                    tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: dictionary update sequence element #%u has length %u; 2 is required", i, p->n);
                tp_vdict_set(&c->mem, d, p->items[0], p->items[1]);
            }
        }
    }
    for (size_t k = 0; k < a->nkw; k++)
        tp_vdict_set(&c->mem, d, v_strv(a->kwn[k]), a->kwv[k]);
    return d ? (val){.kind = V_NS, .d = d} : v_none();
}

static val do_strftime(tctx *c, args_ *a)
{
    const val *fv = arg(a, 0, "format");
    args_done(c, a, 1);
    if (!fv)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: strftime_now() missing 1 required positional argument: 'format'");
    const vstr *fmt = arg_str(c, fv, "format");
    struct tm tmv;
    if (c->now) {
        tmv = *c->now;
    } else {
        time_t now = time(NULL);
        localtime_r(&now, &tmv);
    }
    /* Python's strftime expands %f (microseconds) itself; the rest is C's strftime */
    if (memmem(fmt->p, fmt->n, "%f", 2) || memmem(fmt->p, fmt->n, "%:", 2))
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "strftime_now: %%f and %%: are not supported");
    if (!fmt->n)
        return tp_v_str(&c->mem, "", 0);
    size_t cap = fmt->n * 8 + 64;
    char *buf = tp_arena_alloc(&c->mem, cap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const char *f = tp_arena_strdup(&c->mem, fmt->p, fmt->n); /* NUL-terminated copy */
    size_t n = strftime(buf, cap, f, &tmv); /* the template's format, as Python passes it on */
#pragma GCC diagnostic pop
    if (n == 0)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "strftime_now: this format gives no text (or too much)");
    return tp_v_str(&c->mem, buf, n);
}

val tp_call_func(tctx *c, const vfunc *f, const val *pos, size_t npos, const vstr *const *kwn,
              const val *kwv, size_t nkw)
{
    args_ a = {.pos = pos, .npos = npos, .kwn = kwn, .kwv = kwv, .nkw = nkw, .fname = f->name ? f->name : "function"};
    switch (f->id) {
    case FN_RANGE: {
        a.fname = "range";
        args_done(c, &a, 3);
        if (npos < 1)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: range expected at least 1 argument, got 0");
        int64_t start = 0, stop, step = 1;
        if (npos == 1)
            stop = arg_int(c, &pos[0], 0, "range() argument");
        else {
            start = arg_int(c, &pos[0], 0, "range() argument");
            stop = arg_int(c, &pos[1], 0, "range() argument");
            if (npos == 3)
                step = arg_int(c, &pos[2], 1, "range() argument");
        }
        if (step == 0)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: range() arg 3 must not be zero");
        int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                                 : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (count > 100000)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
        vlist *l = tp_vlist_new(&c->mem, (uint32_t)count);
        for (int64_t i = 0; i < count; i++)
            l->items[i] = v_int(start + i * step);
        l->n = (uint32_t)count;
        val v = tp_v_list(l);
        v.flags = VF_RANGE;
        return v;
    }
    case FN_NAMESPACE: return make_namespace(c, &a);
    case FN_DICT: {
        val ns = make_namespace(c, &a);
        return tp_v_dict(ns.d);
    }
    case FN_RAISE: {
        const val *m = arg(&a, 0, "message");
        a.fname = "raise_exception";
        args_done(c, &a, 1);
        if (!m)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: raise_exception() missing 1 required positional argument: 'message'");
        const vstr *s = tp_to_str(c, *m);
        if (c->err) {
            size_t n = s->n < sizeof c->err->message - 1 ? s->n : sizeof c->err->message - 1;
            /* keep the truncation on a UTF-8 boundary */
            while (n > 0 && n < s->n && ((unsigned char)s->p[n] & 0xC0) == 0x80)
                n--;
            memcpy(c->err->message, s->p, n);
            c->err->message[n] = 0;
            c->err->message_len = s->n;
            c->err->status = TMPL_ERR_RAISE;
            c->err->line = c->where ? c->where->line : 0;
            c->err->column = c->where ? c->where->col : 0;
        }
        longjmp(c->jb, 1);
    }
    case FN_STRFTIME: a.fname = "strftime_now"; return do_strftime(c, &a);
    case M_CYCLE: {
        if (!npos)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: no items for cycling given");
        return pos[f->self.loop->index0 % npos];
    }
    case M_CHANGED: {
        vlist *l = tp_vlist_new(&c->mem, (uint32_t)npos);
        for (size_t i = 0; i < npos; i++)
            l->items[i] = pos[i];
        l->n = (uint32_t)npos;
        tp_vlist_seal(l);
        val now = tp_v_tuple(l);
        vloop *lp = f->self.loop;
        if (!lp->has_changed || !tp_v_eq(lp->last_changed, now)) {
            lp->last_changed = now;
            lp->has_changed = true;
            return v_bool(true);
        }
        return v_bool(false);
    }
    case FN_UNSUPPORTED:
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "the global function %s() is not supported", f->name);
    case M_UNSUPPORTED:
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "the method %s.%s() is not supported", tp_v_type_name(f->self), f->name);
    default: return call_method(c, f, &a);
    }
}

/* ---- tests ---- */

static bool is_number(val v) { return v.kind == V_INT || v.kind == V_FLOAT || v.kind == V_BOOL; }

static bool test_compare(tctx *c, int id, val a, const val *args, size_t nargs)
{
    if (nargs != 1)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: the test '%s' takes 1 argument", tp_test_name(id));
    val b = args[0];
    switch (id) {
    case T_EQ:
    case T_EQUALTO: return tp_v_eq(a, b);
    case T_NE: return !tp_v_eq(a, b);
    default: break;
    }
    int r = tp_cmp_values(c, a, b);
    if (r == 2)
        return false;
    switch (id) {
    case T_GT:
    case T_GREATERTHAN: return r > 0;
    case T_GE: return r >= 0;
    case T_LT:
    case T_LESSTHAN: return r < 0;
    default: return r <= 0;
    }
}

bool tp_apply_test(tctx *c, const node *n, int id, val v, const val *args, size_t nargs)
{
    (void)n;
    bool one_arg = id == T_DIVISIBLEBY || id == T_EQ || id == T_EQUALTO || id == T_NE || id == T_GE || id == T_GT ||
                   id == T_GREATERTHAN || id == T_LE || id == T_LT || id == T_LESSTHAN || id == T_IN || id == T_SAMEAS;
    if (nargs != (one_arg ? 1u : 0u))
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: test_%s() takes %d positional argument(s) but %zu were given",
                   tp_test_name(id), one_arg ? 2 : 1, nargs + 1);
    switch (id) {
    case T_DEFINED: return v.kind != V_UNDEF;
    case T_UNDEFINED: return v.kind == V_UNDEF;
    case T_NONE: return v.kind == V_NONE;
    case T_BOOLEAN: return v.kind == V_BOOL;
    case T_TRUE: return v.kind == V_BOOL && v.b;
    case T_FALSE: return v.kind == V_BOOL && !v.b;
    case T_STRING: return v.kind == V_STR;
    case T_NUMBER: return is_number(v);
    case T_INTEGER: return v.kind == V_INT;
    case T_FLOAT: return v.kind == V_FLOAT;
    case T_MAPPING: return v.kind == V_DICT;
    case T_ITERABLE: return v.kind == V_UNDEF || v.kind == V_STR || v.kind == V_LIST || v.kind == V_DICT || v.kind == V_LOOP;
    case T_SEQUENCE:
        return v.kind == V_UNDEF || v.kind == V_STR || v.kind == V_DICT ||
               (v.kind == V_LIST && !(v.flags & (VF_ITER | VF_VIEW)));
    case T_CALLABLE: return v.kind == V_MACRO || v.kind == V_FUNC || v.kind == V_UNDEF;
    case T_ESCAPED: return v.kind == V_STR && (v.flags & VF_MARKUP);
    case T_ODD:
    case T_EVEN:
    case T_DIVISIBLEBY: {
        /* value % 2 == 1, value % 2 == 0, value % num == 0, with Python's % on ints and floats */
        val d = id == T_DIVISIBLEBY ? args[0] : v_int(2);
        val m = tp_binop_mod(c, v, d);
        return tp_v_eq(m, v_int(id == T_ODD ? 1 : 0));
    }
    case T_IN: {
        if (nargs != 1)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: the test 'in' takes 1 argument");
        val seq = args[0];
        if (seq.kind == V_UNDEF)
            return false;
        if (seq.kind == V_STR) {
            if (v.kind != V_STR)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: 'in <string>' requires string as left operand, not %s", tp_v_type_name(v));
            return !v.s->n || memmem(seq.s->p, seq.s->n, v.s->p, v.s->n) != NULL;
        }
        if (seq.kind == V_LIST) {
            for (uint32_t i = 0; i < seq.l->n; i++)
                if (tp_v_eq(seq.l->items[i], v))
                    return true;
            return false;
        }
        if (seq.kind == V_DICT) {
            tp_check_hashable(c, v);
            return tp_vdict_get(seq.d, v) != NULL;
        }
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: argument of type '%s' is not iterable", tp_v_type_name(seq));
    }
    case T_LOWER:
    case T_UPPER: {
        const vstr *s = tp_to_str(c, v);
        return tp_v_truthy(ascii_pred(c, s, id == T_LOWER ? M_ISLOWER : M_ISUPPER));
    }
    case T_SAMEAS: {
        if (nargs != 1)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: sameas() takes 1 argument");
        val o = args[0];
        if (v.kind == V_NONE || o.kind == V_NONE)
            return v.kind == o.kind;
        if (v.kind == V_BOOL || o.kind == V_BOOL)
            return v.kind == o.kind && v.b == o.b;
        if (v.kind == V_UNDEF || o.kind == V_UNDEF)
            return false;
        if ((v.kind == V_LIST || v.kind == V_DICT || v.kind == V_NS) && v.kind == o.kind)
            return v.l == o.l;
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "'sameas' on a %s depends on Python object identity; not supported", tp_v_type_name(v));
    }
    case T_FILTER:
    case T_TEST: {
        /* "name is filter": is there a filter (test) of that name */
        if (v.kind != V_STR)
            return false;
        int k = id == T_FILTER ? tp_filter_id(v.s->p, v.s->n) : tp_test_id(v.s->p, v.s->n);
        return k >= 0;
    }
    default: return test_compare(c, id, v, args, nargs);
    }
}

/* ---- filters ---- */

static const vstr *soft_str(tctx *c, val v) { return tp_to_str(c, v); }

/* Jinja's make_attrgetter: "a.b.0" -> getitem per part (digits as int); undefined -> default. */
static val attr_path(tctx *c, val item, const vstr *path, const val *dflt)
{
    size_t i = 0;
    while (i <= path->n) {
        size_t j = i;
        while (j < path->n && path->p[j] != '.')
            j++;
        bool digits = j > i;
        for (size_t k = i; k < j; k++)
            digits &= path->p[k] >= '0' && path->p[k] <= '9';
        int64_t num = 0;
        for (size_t k = i; digits && k < j && num < INT64_MAX / 10 - 10; k++)
            num = num * 10 + (path->p[k] - '0');
        val key = digits ? v_int(num) : tp_v_str(&c->mem, path->p + i, j - i);
        item = tp_getitem_v(c, item, key);
        if (j >= path->n)
            break;
        i = j + 1;
    }
    if (dflt && item.kind == V_UNDEF)
        item = *dflt;
    return item;
}

static val as_iter(vlist *l)
{
    val v = tp_v_list(l);
    v.flags = VF_ITER;
    return v;
}

static bool run_test_named(tctx *c, val name, val item, const val *extra, size_t nextra)
{
    if (name.kind != V_STR)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: the test name must be a string");
    int id = tp_test_id(name.s->p, name.s->n);
    if (id < 0)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TemplateRuntimeError: No test named '%.*s'.", (int)name.s->n, name.s->p);
    return tp_apply_test(c, NULL, id, item, extra, nextra);
}

static val select_like(tctx *c, val seq, args_ *a, bool attr, bool keep_if)
{
    if (!tp_v_truthy(seq)) /* jinja2's select_or_reject: "if value:" -- None selects nothing */
        return as_iter(tp_vlist_new(&c->mem, 0));
    vlist *src = tp_iter_list(c, seq), *out = tp_vlist_new(&c->mem, 0);
    if (a->nkw)
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "keyword arguments to select/reject filters are not supported");
    size_t first = 0;
    const vstr *path = NULL;
    if (attr) {
        if (!a->npos)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "FilterArgumentError: Missing parameter for attribute name");
        path = tp_to_str(c, a->pos[0]);
        first = 1;
    }
    for (uint32_t i = 0; i < src->n; i++) {
        tp_tc_step(c);
        val item = src->items[i], subject = attr ? attr_path(c, item, path, NULL) : item;
        bool ok = a->npos > first ? run_test_named(c, a->pos[first], subject, a->pos + first + 1, a->npos - first - 1)
                                  : tp_v_truthy(subject);
        if (ok == keep_if)
            tp_vlist_push(&c->mem, out, item);
    }
    return as_iter(out);
}

static int sort_cmp(tctx *c, val a, val b, bool case_sensitive)
{
    if (!case_sensitive && a.kind == V_STR && b.kind == V_STR) {
        a = py_case(c, a.s, 0);
        b = py_case(c, b.s, 0);
    }
    int r = tp_cmp_values(c, a, b);
    return r == 2 ? 0 : r;
}

/* |sort's keys are lists ([item], make_multi_attrgetter): Python compares lists element by
 * element with == first, so equal keys (two Undefined, say) never reach <. */
static int sort_cmp_listkey(tctx *c, val a, val b, bool case_sensitive)
{
    if (!case_sensitive && a.kind == V_STR && b.kind == V_STR) {
        a = py_case(c, a.s, 0);
        b = py_case(c, b.s, 0);
    }
    if (tp_v_eq(a, b))
        return 0;
    int r = tp_cmp_values(c, a, b);
    return r == 2 ? 0 : r;
}

/* stable merge sort of items by keys */
static void merge_sort(tctx *c, val *items, val *keys, size_t n, bool cs, bool reverse, bool listkey)
{
    if (n < 2)
        return;
    val *ti = tp_arena_alloc(&c->mem, sizeof(val) * n), *tk = tp_arena_alloc(&c->mem, sizeof(val) * n);
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                int r = listkey ? sort_cmp_listkey(c, keys[j], keys[i], cs) : sort_cmp(c, keys[j], keys[i], cs);
                bool take_right = reverse ? r > 0 : r < 0;
                if (take_right) {
                    ti[k] = items[j];
                    tk[k++] = keys[j++];
                } else {
                    ti[k] = items[i];
                    tk[k++] = keys[i++];
                }
            }
            while (i < mid) {
                ti[k] = items[i];
                tk[k++] = keys[i++];
            }
            while (j < hi) {
                ti[k] = items[j];
                tk[k++] = keys[j++];
            }
        }
        memcpy(items, ti, sizeof(val) * n);
        memcpy(keys, tk, sizeof(val) * n);
    }
}

static const val *kw(args_ *a, const char *name)
{
    size_t nl = strlen(name);
    for (size_t k = 0; k < a->nkw; k++)
        if (a->kwn[k]->n == nl && memcmp(a->kwn[k]->p, name, nl) == 0) {
            if (k < 32)
                a->used_kw |= 1u << k;
            return &a->kwv[k];
        }
    return NULL;
}

static val do_round(tctx *c, val v, args_ *a)
{
    const val *pv = arg(a, 0, "precision"), *mv = arg(a, 1, "method");
    args_done(c, a, 2);
    int64_t prec = arg_int(c, pv, 0, "precision");
    const char *method = mv ? tp_arena_strdup(&c->mem, arg_str(c, mv, "method")->p, arg_str(c, mv, "method")->n) : "common";
    if (!is_number(v)) {
        if (v.kind == V_UNDEF)
            tp_tc_fail_undefined(c, v);
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: type %s doesn't define __round__ method", tp_v_type_name(v));
    }
    double x = v.kind == V_FLOAT ? v.f : v.kind == V_BOOL ? v.b : (double)v.i;
    if (strcmp(method, "common") == 0) {
        if (v.kind != V_FLOAT)
            return v_int(v.kind == V_BOOL ? v.b : v.i); /* round(int, n) is the int */
        if (prec < -300 || prec > 300)
            tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "round() precision out of range");
        if (!isfinite(x))
            return v_float(x);
        char buf[400];
        if (prec >= 0) {
            snprintf(buf, sizeof buf, "%.*f", (int)prec, x); /* correctly rounded, half-even */
            return v_float(strtod(buf, NULL));
        }
        tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "round() with a negative precision is not supported");
    }
    if (strcmp(method, "floor") != 0 && strcmp(method, "ceil") != 0)
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "FilterArgumentError: method must be common, ceil or floor");
    double f = pow(10.0, (double)prec);
    double r = strcmp(method, "floor") == 0 ? floor(x * f) / f : ceil(x * f) / f;
    return v_float(r);
}

static bool parse_py_int(const vstr *s, int base, int64_t *out)
{
    /* int(str, base): optional whitespace and sign, digits with single underscores */
    val t = v_strv(s);
    (void)t;
    size_t i = 0, n = s->n;
    while (i < n && tp_uni_isspace((unsigned char)s->p[i]))
        i++;
    while (n > i && tp_uni_isspace((unsigned char)s->p[n - 1]))
        n--;
    bool neg = false;
    if (i < n && (s->p[i] == '+' || s->p[i] == '-'))
        neg = s->p[i++] == '-';
    if (base == 0 || base == 16 || base == 8 || base == 2) {
        if (i + 1 < n && s->p[i] == '0') {
            char p = (char)(s->p[i + 1] | 0x20);
            int pb = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
            if (pb && (base == 0 || base == pb)) {
                base = pb;
                i += 2;
                if (i < n && s->p[i] == '_')
                    i++;
            }
        }
        if (base == 0)
            base = 10;
    }
    if (i >= n)
        return false;
    int64_t v = 0;
    bool prev_us = true;
    for (; i < n; i++) {
        char ch = s->p[i];
        if (ch == '_') {
            if (prev_us)
                return false;
            prev_us = true;
            continue;
        }
        int d = ch >= '0' && ch <= '9' ? ch - '0' : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z' ? (ch | 0x20) - 'a' + 10 : 99;
        if (d >= base)
            return false;
        if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
            return false;
        prev_us = false;
    }
    if (prev_us)
        return false;
    *out = neg ? -v : v;
    return true;
}

static bool parse_py_float(const vstr *s, double *out)
{
    char *end;
    size_t i = 0, n = s->n;
    while (i < n && tp_uni_isspace((unsigned char)s->p[i]))
        i++;
    while (n > i && tp_uni_isspace((unsigned char)s->p[n - 1]))
        n--;
    if (i >= n || memchr(s->p + i, '_', n - i))
        return false;
    char *tmp = strndup(s->p + i, n - i);
    if (!tmp)
        return false;
    /* Python accepts: decimal, exponent, inf/infinity/nan (any case); not hex floats */
    bool hex = strchr(tmp, 'x') || strchr(tmp, 'X');
    double d = strtod(tmp, &end);
    bool ok = !hex && *end == 0;
    free(tmp);
    if (ok)
        *out = d;
    return ok;
}

static val eager_filter(tctx *c, int id, val v, const val *pos, size_t npos, const vstr *const *kwn,
                        const val *kwv, size_t nkw);

/* jinja2's items, map, select, reject, selectattr, rejectattr, unique and batch are
 * generators: nothing of them runs until something iterates them, so a template that never
 * consumes one never sees its error. They are computed eagerly here; a failure becomes a
 * generator that raises the failure when consumed (tp_raise_deferred). Limits, memory and
 * unsupported constructs still stop the render at once. */
static bool is_generator_filter(int id)
{
    return id == F_ITEMS || id == F_MAP || id == F_SELECT || id == F_REJECT || id == F_SELECTATTR ||
           id == F_REJECTATTR || id == F_UNIQUE || id == F_BATCH;
}

val tp_apply_filter_id(tctx *c, int id, val v, const val *pos, size_t npos, const vstr *const *kwn,
                       const val *kwv, size_t nkw)
{
    if (!is_generator_filter(id))
        return eager_filter(c, id, v, pos, npos, kwn, kwv, nkw);
    jmp_buf outer;
    memcpy(outer, c->jb, sizeof outer);
    tmpl_error *outer_err = c->err, inner;
    const node *where = c->where;
    unsigned depth = c->depth, rdepth = c->rdepth;
    memset(&inner, 0, sizeof inner);
    c->err = &inner;
    if (setjmp(c->jb) == 0) {
        val r = eager_filter(c, id, v, pos, npos, kwn, kwv, nkw);
        memcpy(c->jb, outer, sizeof outer);
        c->err = outer_err;
        return r;
    }
    memcpy(c->jb, outer, sizeof outer);
    c->err = outer_err;
    c->where = where;
    c->depth = depth;
    c->rdepth = rdepth;
    if (inner.status == TMPL_ERR_LIMIT || inner.status == TMPL_ERR_NOMEM || inner.status == TMPL_ERR_UNSUPPORTED) {
        if (c->err)
            *c->err = inner;
        longjmp(c->jb, 1);
    }
    tmpl_error *saved = tp_arena_alloc(&c->mem, sizeof *saved);
    *saved = inner;
    vlist *l = tp_vlist_new(&c->mem, 0);
    l->deferred = saved;
    return as_iter(l);
}

static val eager_filter(tctx *c, int id, val v, const val *pos, size_t npos, const vstr *const *kwn,
                        const val *kwv, size_t nkw)
{
    args_ a = {.pos = pos, .npos = npos, .kwn = kwn, .kwv = kwv, .nkw = nkw, .fname = tp_filter_name(id)};
    tp_tc_step(c);
    if (id != F_LENGTH && id != F_COUNT && id != F_DEFAULT && id != F_D && id != F_FIRST && id != F_LAST &&
        id != F_ATTR && id != F_ABS && id != F_ROUND && id != F_INT && id != F_FLOAT)
        tp_tc_charge(c, v); /* the filter's work grows with its operand */
    switch (id) {
    case F_TOJSON: {
        const val *ea = arg(&a, 0, "ensure_ascii"), *ind = arg(&a, 1, "indent"), *sep = arg(&a, 2, "separators"), *sk = arg(&a, 3, "sort_keys");
        args_done(c, &a, 4);
        const char *ind_s = NULL;
        size_t ind_n = 0;
        if (ind && ind->kind != V_NONE) {
            if (ind->kind == V_STR) {
                ind_s = ind->s->p;
                ind_n = ind->s->n;
            } else {
                int64_t k = arg_int(c, ind, 0, "indent");
                if (k > 1000)
                    tp_tc_fail(c, TMPL_ERR_LIMIT, "tojson indent too large");
                char *sp = tp_arena_alloc(&c->mem, (size_t)(k > 0 ? k : 0) + 1);
                memset(sp, ' ', (size_t)(k > 0 ? k : 0));
                ind_s = sp;
                ind_n = (size_t)(k > 0 ? k : 0);
            }
        }
        const char *isep = ind_s ? "," : ", ", *ksep = ": ";
        size_t isep_n = ind_s ? 1 : 2, ksep_n = 2;
        if (sep && sep->kind != V_NONE) {
            vlist *sl = tp_iter_list(c, *sep);
            if (sl->n != 2 || sl->items[0].kind != V_STR || sl->items[1].kind != V_STR)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: separators must be a pair of strings");
            isep = sl->items[0].s->p;
            isep_n = sl->items[0].s->n;
            ksep = sl->items[1].s->p;
            ksep_n = sl->items[1].s->n;
        }
        sbuf b;
        tp_sb_init(&b, &c->mem);
        const char *bad = tp_json_dump(&b, v, arg_bool(ea, false), ind_s, ind_n, isep, isep_n, ksep, ksep_n, arg_bool(sk, false), 0);
        if (bad) {
            if (strcmp(bad, "Undefined") == 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: Object of type Undefined is not JSON serializable");
            if (strcmp(bad, "mixed key types") == 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: '<' not supported between key types");
            if (strcmp(bad, "too deeply nested") == 0)
                tp_tc_fail(c, TMPL_ERR_LIMIT, "tojson: the value is nested too deeply");
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: Object of type %s is not JSON serializable", bad);
        }
        return str_of(c, &b);
    }
    case F_TRIM: {
        const val *ch = arg(&a, 0, "chars");
        args_done(c, &a, 1);
        return py_strip(c, soft_str(c, v), ch && ch->kind != V_NONE ? arg_str(c, ch, "chars") : NULL, 3);
    }
    case F_LENGTH:
    case F_COUNT:
        args_done(c, &a, 0);
        switch (v.kind) {
        case V_UNDEF: return v_int(0);
        case V_STR: return v_int((int64_t)cp_count(v.s));
        case V_LIST:
            if (v.flags & VF_ITER)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: object of type 'generator' has no len()");
            return v_int(v.l->n);
        case V_DICT: return v_int(v.d->n);
        case V_LOOP: return v_int((int64_t)v.loop->length);
        default: tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: object of type '%s' has no len()", tp_v_type_name(v));
        }
    case F_DEFAULT:
    case F_D: {
        const val *dv = arg(&a, 0, "default_value"), *bo = arg(&a, 1, "boolean");
        args_done(c, &a, 2);
        val d = dv ? *dv : tp_v_str(&c->mem, "", 0);
        if (v.kind == V_UNDEF || (arg_bool(bo, false) && !tp_v_truthy(v)))
            return d;
        return v;
    }
    case F_FIRST: {
        args_done(c, &a, 0);
        if (v.kind == V_UNDEF)
            return tp_undefined_hint(c, "No first item, sequence was empty.");
        vlist *l = tp_iter_list(c, v);
        return l->n ? l->items[0] : tp_undefined_hint(c, "No first item, sequence was empty.");
    }
    case F_LAST: {
        args_done(c, &a, 0);
        /* next(iter(reversed(seq))): Undefined is reversible (len 0), a generator is not */
        if (v.kind == V_LIST && (v.flags & VF_ITER))
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: '%s' object is not reversible", tp_v_type_name(v));
        vlist *l = tp_iter_list(c, v);
        return l->n ? l->items[l->n - 1] : tp_undefined_hint(c, "No last item, sequence was empty.");
    }
    case F_JOIN: {
        const val *dv = arg(&a, 0, "d"), *at = arg(&a, 1, "attribute");
        args_done(c, &a, 2);
        const vstr *sep = dv ? soft_str(c, *dv) : tp_vstr_new(&c->mem, "", 0);
        vlist *l = tp_iter_list(c, v);
        sbuf b;
        tp_sb_init(&b, &c->mem);
        for (uint32_t i = 0; i < l->n; i++) {
            val item = l->items[i];
            if (at && at->kind != V_NONE)
                item = attr_path(c, item, soft_str(c, *at), NULL);
            if (i)
                tp_sb_put(&b, sep->p, sep->n);
            const vstr *s = soft_str(c, item);
            tp_sb_put(&b, s->p, s->n);
            if (b.n > c->max_output)
                tp_tc_fail(c, TMPL_ERR_LIMIT, "a string passed the output limit");
        }
        return str_of(c, &b);
    }
    case F_LIST: {
        args_done(c, &a, 0);
        vlist *l = tp_iter_list(c, v), *o = tp_vlist_new(&c->mem, l->n);
        if (l->n)
            memcpy(o->items, l->items, sizeof(val) * l->n);
        o->n = l->n;
        tp_vlist_seal(o);
        return tp_v_list(o);
    }
    case F_MAP: {
        if (!tp_v_truthy(v)) /* "if value:" as in jinja2's do_map */
            return as_iter(tp_vlist_new(&c->mem, 0));
        vlist *l = tp_iter_list(c, v), *o = tp_vlist_new(&c->mem, l->n);
        const val *at = npos == 0 ? kw(&a, "attribute") : NULL;
        if (at) {
            const val *dflt = kw(&a, "default");
            args_done(c, &a, 0);
            const vstr *path = soft_str(c, *at);
            for (uint32_t i = 0; i < l->n; i++) {
                tp_tc_step(c);
                o->items[i] = attr_path(c, l->items[i], path, dflt && dflt->kind != V_NONE ? dflt : NULL);
            }
        } else {
            if (!npos || pos[0].kind != V_STR)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "FilterArgumentError: map requires a filter argument");
            int fid = tp_filter_id(pos[0].s->p, pos[0].s->n);
            if (fid < 0)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TemplateRuntimeError: No filter named '%.*s'.", (int)pos[0].s->n, pos[0].s->p);
            if (!tp_filter_supported(fid))
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "the filter '%.*s' is not supported", (int)pos[0].s->n, pos[0].s->p);
            for (uint32_t i = 0; i < l->n; i++)
                o->items[i] = tp_apply_filter_id(c, fid, l->items[i], pos + 1, npos - 1, kwn, kwv, nkw);
        }
        o->n = l->n;
        tp_vlist_seal(o);
        return as_iter(o);
    }
    case F_SELECT: return select_like(c, v, &a, false, true);
    case F_REJECT: return select_like(c, v, &a, false, false);
    case F_SELECTATTR: return select_like(c, v, &a, true, true);
    case F_REJECTATTR: return select_like(c, v, &a, true, false);
    case F_ITEMS: {
        args_done(c, &a, 0);
        if (v.kind == V_UNDEF)
            return as_iter(tp_vlist_new(&c->mem, 0));
        if (v.kind != V_DICT)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: Can only get item pairs from a mapping.");
        val r = items_view(c, v.d, 0);
        r.flags = VF_ITER;
        return r;
    }
    case F_DICTSORT: {
        const val *cs = arg(&a, 0, "case_sensitive"), *by = arg(&a, 1, "by"), *rv = arg(&a, 2, "reverse");
        args_done(c, &a, 3);
        if (v.kind != V_DICT)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: dictsort needs a mapping");
        bool by_value = false;
        if (by) {
            const vstr *b = arg_str(c, by, "by");
            if (b->n == 5 && memcmp(b->p, "value", 5) == 0)
                by_value = true;
            else if (!(b->n == 3 && memcmp(b->p, "key", 3) == 0))
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "FilterArgumentError: You can only sort by either \"key\" or \"value\"");
        }
        val items = items_view(c, v.d, 0);
        vlist *l = items.l;
        val *keys = tp_arena_alloc(&c->mem, sizeof(val) * (l->n + 1));
        for (uint32_t i = 0; i < l->n; i++)
            keys[i] = l->items[i].l->items[by_value ? 1 : 0];
        merge_sort(c, l->items, keys, l->n, arg_bool(cs, false), arg_bool(rv, false), false);
        return tp_v_list(l);
    }
    case F_SORT: {
        const val *rv = arg(&a, 0, "reverse"), *cs = arg(&a, 1, "case_sensitive"), *at = arg(&a, 2, "attribute");
        args_done(c, &a, 3);
        vlist *src = tp_iter_list(c, v), *l = tp_vlist_new(&c->mem, src->n);
        if (src->n)
            memcpy(l->items, src->items, sizeof(val) * src->n);
        l->n = src->n;
        tp_vlist_seal(l);
        val *keys = tp_arena_alloc(&c->mem, sizeof(val) * (l->n + 1));
        for (uint32_t i = 0; i < l->n; i++) {
            tp_tc_step(c);
            keys[i] = at && at->kind != V_NONE ? attr_path(c, l->items[i], soft_str(c, *at), NULL) : l->items[i];
        }
        merge_sort(c, l->items, keys, l->n, arg_bool(cs, false), arg_bool(rv, false), true);
        return tp_v_list(l);
    }
    case F_UNIQUE: {
        const val *cs = arg(&a, 0, "case_sensitive"), *at = arg(&a, 1, "attribute");
        args_done(c, &a, 2);
        vlist *src = tp_iter_list(c, v), *o = tp_vlist_new(&c->mem, 0);
        vdict *seen = tp_vdict_new(&c->mem, 0);
        for (uint32_t i = 0; i < src->n; i++) {
            tp_tc_step(c);
            val key = at && at->kind != V_NONE ? attr_path(c, src->items[i], soft_str(c, *at), NULL) : src->items[i];
            if (!arg_bool(cs, false) && key.kind == V_STR)
                key = py_case(c, key.s, 0);
            if (key.kind == V_LIST && !(key.flags & VF_TUPLE))
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: 'list'");
            if (key.kind == V_DICT || key.kind == V_UNDEF)
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: unhashable type: '%s'", tp_v_type_name(key));
            if (!tp_vdict_get(seen, key)) {
                tp_vdict_set(&c->mem, seen, key, v_none());
                tp_vlist_push(&c->mem, o, src->items[i]);
            }
        }
        return as_iter(o);
    }
    case F_REVERSE: {
        args_done(c, &a, 0);
        if (v.kind == V_STR) {
            sbuf b;
            tp_sb_init(&b, &c->mem);
            size_t end = v.s->n;
            while (end > 0) {
                size_t st = end - 1;
                while (st > 0 && ((unsigned char)v.s->p[st] & 0xC0) == 0x80)
                    st--;
                tp_sb_put(&b, v.s->p + st, end - st);
                end = st;
            }
            return str_of(c, &b);
        }
        /* reversed() where Python has it (an iterator; Undefined counts, it has __len__ and
         * __getitem__); otherwise list(value) reversed (a list), as jinja2's do_reverse falls
         * back for generators and views */
        bool reversible = v.kind == V_DICT || v.kind == V_UNDEF || (v.kind == V_LIST && !(v.flags & (VF_ITER | VF_VIEW)));
        if (v.kind != V_UNDEF && v.kind != V_LIST && v.kind != V_DICT)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "FilterArgumentError: argument must be iterable");
        vlist *src = tp_iter_list(c, v), *o = tp_vlist_new(&c->mem, src->n);
        for (uint32_t i = 0; i < src->n; i++)
            o->items[i] = src->items[src->n - 1 - i];
        o->n = src->n;
        tp_vlist_seal(o);
        return reversible ? as_iter(o) : tp_v_list(o);
    }
    case F_UPPER: args_done(c, &a, 0); return py_case(c, soft_str(c, v), 1);
    case F_LOWER: args_done(c, &a, 0); return py_case(c, soft_str(c, v), 0);
    case F_CAPITALIZE: args_done(c, &a, 0); return py_capitalize(c, soft_str(c, v));
    case F_TITLE: args_done(c, &a, 0); return jinja_title(c, soft_str(c, v));
    case F_REPLACE: {
        const val *o = arg(&a, 0, "old"), *nw = arg(&a, 1, "new"), *cnt = arg(&a, 2, "count");
        args_done(c, &a, 3);
        if (!o || !nw)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: replace() missing required arguments");
        return py_replace(c, soft_str(c, v), soft_str(c, *o), soft_str(c, *nw), arg_int(c, cnt, -1, "count"));
    }
    case F_STRING: args_done(c, &a, 0); return v.kind == V_STR ? v : v_strv(soft_str(c, v));
    case F_SAFE: {
        args_done(c, &a, 0);
        val s = v_strv(soft_str(c, v));
        s.flags = VF_MARKUP;
        return s;
    }
    case F_INT: {
        const val *dv = arg(&a, 0, "default"), *bv = arg(&a, 1, "base");
        args_done(c, &a, 2);
        val d = dv ? *dv : v_int(0);
        int64_t base = arg_int(c, bv, 10, "base");
        if (v.kind == V_UNDEF) /* Undefined.__int__ raises */
            tp_tc_fail_undefined(c, v);
        if (v.kind == V_INT)
            return v;
        if (v.kind == V_BOOL)
            return v_int(v.b);
        if (v.kind == V_FLOAT) {
            if (isnan(v.f))
                return d; /* int(nan) is ValueError: caught, the default */
            if (isinf(v.f)) /* OverflowError: not caught by do_int */
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "OverflowError: cannot convert float infinity to integer");
            if (fabs(v.f) >= 9.2e18)
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "|int of %g: Python integers are unbounded, 64-bit here", v.f);
            return v_int((int64_t)v.f);
        }
        if (v.kind == V_STR) {
            int64_t r;
            if (parse_py_int(v.s, (int)base, &r))
                return v_int(r);
            double f;
            if (parse_py_float(v.s, &f) && isinf(f))
                tp_tc_fail(c, TMPL_ERR_RUNTIME, "OverflowError: cannot convert float infinity to integer");
            if (parse_py_float(v.s, &f) && isfinite(f)) {
                if (fabs(f) >= 9.2e18)
                    tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "|int of %g: Python integers are unbounded, 64-bit here", f);
                return v_int((int64_t)f);
            }
            return d;
        }
        return d;
    }
    case F_FLOAT: {
        const val *dv = arg(&a, 0, "default");
        args_done(c, &a, 1);
        val d = dv ? *dv : v_float(0.0);
        if (v.kind == V_UNDEF) /* Undefined.__float__ raises */
            tp_tc_fail_undefined(c, v);
        if (v.kind == V_FLOAT)
            return v;
        if (v.kind == V_INT)
            return v_float((double)v.i);
        if (v.kind == V_BOOL)
            return v_float(v.b);
        if (v.kind == V_STR) {
            double f;
            return parse_py_float(v.s, &f) ? v_float(f) : d;
        }
        return d;
    }
    case F_ROUND: return do_round(c, v, &a);
    case F_ABS:
        args_done(c, &a, 0);
        if (v.kind == V_INT) {
            if (v.i == INT64_MIN)
                tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "integer overflow");
            return v_int(v.i < 0 ? -v.i : v.i);
        }
        if (v.kind == V_BOOL)
            return v_int(v.b);
        if (v.kind == V_FLOAT)
            return v_float(fabs(v.f));
        if (v.kind == V_UNDEF)
            tp_tc_fail_undefined(c, v);
        tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: bad operand type for abs(): '%s'", tp_v_type_name(v));
    case F_INDENT: {
        const val *wv = arg(&a, 0, "width"), *fv = arg(&a, 1, "first"), *bv = arg(&a, 2, "blank");
        args_done(c, &a, 3);
        const char *ind;
        size_t ind_n;
        if (wv && wv->kind == V_STR) {
            ind = wv->s->p;
            ind_n = wv->s->n;
        } else {
            int64_t w = arg_int(c, wv, 4, "width");
            if (w < 0)
                w = 0;
            if (w > 1000)
                tp_tc_fail(c, TMPL_ERR_LIMIT, "indent width too large");
            char *sp = tp_arena_alloc(&c->mem, (size_t)w + 1);
            memset(sp, ' ', (size_t)w);
            ind = sp;
            ind_n = (size_t)w;
        }
        /* jinja2's do_indent does s += "\n" on the value itself: only a str works */
        if (v.kind == V_UNDEF)
            tp_tc_fail_undefined(c, v);
        if (v.kind != V_STR)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: indent needs a string, not %s", tp_v_type_name(v));
        const vstr *s0 = v.s;
        sbuf tmp;
        tp_sb_init(&tmp, &c->mem);
        tp_sb_put(&tmp, s0->p, s0->n);
        tp_sb_putc(&tmp, '\n'); /* Jinja appends a newline so splitlines() keeps a trailing empty line */
        vlist *lines = py_splitlines(c, tp_vstr_new(&c->mem, tmp.p, tmp.n), false);
        sbuf b;
        tp_sb_init(&b, &c->mem);
        if (arg_bool(bv, false)) {
            for (uint32_t i = 0; i < lines->n; i++) {
                if (i) {
                    tp_sb_putc(&b, '\n');
                    tp_sb_put(&b, ind, ind_n);
                }
                tp_sb_put(&b, lines->items[i].s->p, lines->items[i].s->n);
            }
        } else {
            for (uint32_t i = 0; i < lines->n; i++) {
                if (i) {
                    tp_sb_putc(&b, '\n');
                    if (lines->items[i].s->n)
                        tp_sb_put(&b, ind, ind_n);
                }
                tp_sb_put(&b, lines->items[i].s->p, lines->items[i].s->n);
            }
        }
        if (arg_bool(fv, false)) {
            sbuf f2;
            tp_sb_init(&f2, &c->mem);
            tp_sb_put(&f2, ind, ind_n);
            tp_sb_put(&f2, b.p ? b.p : "", b.n);
            return str_of(c, &f2);
        }
        return str_of(c, &b);
    }
    case F_ATTR: {
        const val *nv = arg(&a, 0, "name");
        args_done(c, &a, 1);
        if (!nv)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "TypeError: attr() missing 1 required positional argument: 'name'");
        const vstr *name = arg_str(c, nv, "attribute name");
        if (v.kind == V_UNDEF)
            tp_tc_fail_undefined(c, v);
        if (v.kind == V_DICT) {
            val m = tp_method_of(c, v, name->p, name->n);
            return m.kind != V_UNDEF ? m : tp_undefined_attr(c, v, name->p, name->n);
        }
        return tp_getattr_v(c, v, name->p, name->n);
    }
    case F_SUM: {
        const val *at = arg(&a, 0, "attribute"), *st = arg(&a, 1, "start");
        args_done(c, &a, 2);
        vlist *l = tp_iter_list(c, v);
        val acc = st ? *st : v_int(0);
        for (uint32_t i = 0; i < l->n; i++) {
            val item = at && at->kind != V_NONE ? attr_path(c, l->items[i], soft_str(c, *at), NULL) : l->items[i];
            acc = tp_binop_add(c, acc, item);
        }
        return acc;
    }
    case F_MIN:
    case F_MAX: {
        const val *cs = arg(&a, 0, "case_sensitive"), *at = arg(&a, 1, "attribute");
        args_done(c, &a, 2);
        vlist *l = tp_iter_list(c, v);
        if (!l->n)
            return tp_undefined_hint(c, id == F_MIN ? "No aggregated item, sequence was empty." : "No aggregated item, sequence was empty.");
        uint32_t best = 0;
        for (uint32_t i = 1; i < l->n; i++) {
            val x = l->items[i], y = l->items[best];
            if (at && at->kind != V_NONE) {
                x = attr_path(c, x, soft_str(c, *at), NULL);
                y = attr_path(c, y, soft_str(c, *at), NULL);
            }
            int r = sort_cmp(c, x, y, arg_bool(cs, false));
            if (id == F_MIN ? r < 0 : r > 0)
                best = i;
        }
        return l->items[best];
    }
    case F_BATCH: {
        const val *lc = arg(&a, 0, "linecount"), *fw = arg(&a, 1, "fill_with");
        args_done(c, &a, 2);
        int64_t n = arg_int(c, lc, 0, "linecount");
        if (n <= 0)
            tp_tc_fail(c, TMPL_ERR_RUNTIME, "ValueError: batch size must be positive");
        vlist *l = tp_iter_list(c, v), *o = tp_vlist_new(&c->mem, 0), *cur = NULL;
        for (uint32_t i = 0; i < l->n; i++) {
            if (!cur || cur->n == (uint32_t)n) {
                cur = tp_vlist_new(&c->mem, 0);
                tp_vlist_push(&c->mem, o, tp_v_list(cur));
            }
            tp_vlist_push(&c->mem, cur, l->items[i]);
        }
        if (cur && fw && fw->kind != V_NONE)
            while (cur->n < (uint32_t)n)
                tp_vlist_push(&c->mem, cur, *fw);
        return as_iter(o);
    }
    case F_WORDCOUNT: {
        args_done(c, &a, 0);
        /* len(re.compile(r"\w+").findall(s)): \w for non-ASCII needs Unicode tables */
        const vstr *s = soft_str(c, v);
        if (!s->ascii)
            tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "|wordcount on non-ASCII text is not supported");
        int64_t n = 0;
        bool in = false;
        for (size_t i = 0; i < s->n; i++) {
            char ch = s->p[i];
            bool w = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
            if (w && !in)
                n++;
            in = w;
        }
        return v_int(n);
    }
    default: tp_tc_fail(c, TMPL_ERR_UNSUPPORTED, "the filter '%s' is not supported", tp_filter_name(id));
    }
}
