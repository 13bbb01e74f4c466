/* json.c -- JSON in and out with Python's json module semantics: json.loads keeps ints and
 * floats apart and object keys in order; tp_json_dump is json.dumps (transformers' tojson filter)
 * byte for byte: ensure_ascii, indent, separators, sort_keys, floats as Python's repr. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/tmpl_internal.h"

/* ---- parse ---- */

typedef struct jp {
    arena *a;
    const char *p;
    size_t n, i;
    const char *msg;
    unsigned depth;
} jp;

enum { JSON_MAX_DEPTH = 512 };

static void jws(jp *j)
{
    while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' || j->p[j->i] == '\r'))
        j->i++;
}

static bool jfail(jp *j, const char *msg)
{
    if (!j->msg)
        j->msg = msg;
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool read_hex4(jp *j, uint32_t *out)
{
    if (j->i + 4 > j->n)
        return jfail(j, "bad \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(j->p[j->i + (size_t)k]);
        if (h < 0)
            return jfail(j, "bad \\u escape");
        v = v * 16 + (uint32_t)h;
    }
    j->i += 4;
    *out = v;
    return true;
}

static bool valid_utf8_at(const char *p, size_t n, size_t i, size_t *len)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned c = s[i];
    size_t l;
    uint32_t min;
    if (c < 0x80) {
        *len = 1;
        return true;
    } else if (c >= 0xC2 && c < 0xE0) {
        l = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c < 0xF0) {
        l = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c < 0xF5) {
        l = 4;
        min = 0x10000;
    } else
        return false;
    if (i + l > n)
        return false;
    for (size_t k = 1; k < l; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return false;
    size_t t = i;
    uint32_t cp = tp_utf8_next(p, n, &t);
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
    *len = l;
    return true;
}

static bool jstring(jp *j, val *out)
{
    j->i++; /* opening quote */
    sbuf b;
    tp_sb_init(&b, j->a);
    for (;;) {
        if (j->i >= j->n)
            return jfail(j, "unterminated string");
        unsigned char c = (unsigned char)j->p[j->i];
        if (c == '"') {
            j->i++;
            break;
        }
        if (c < 0x20)
            return jfail(j, "invalid control character in string");
        if (c != '\\') {
            size_t len;
            if (!valid_utf8_at(j->p, j->n, j->i, &len))
                return jfail(j, "invalid UTF-8");
            tp_sb_put(&b, j->p + j->i, len);
            j->i += len;
            continue;
        }
        if (++j->i >= j->n)
            return jfail(j, "unterminated string");
        char e = j->p[j->i++];
        switch (e) {
        case '"': tp_sb_putc(&b, '"'); break;
        case '\\': tp_sb_putc(&b, '\\'); break;
        case '/': tp_sb_putc(&b, '/'); break;
        case 'b': tp_sb_putc(&b, '\b'); break;
        case 'f': tp_sb_putc(&b, '\f'); break;
        case 'n': tp_sb_putc(&b, '\n'); break;
        case 'r': tp_sb_putc(&b, '\r'); break;
        case 't': tp_sb_putc(&b, '\t'); break;
        case 'u': {
            uint32_t cp;
            if (!read_hex4(j, &cp))
                return false;
            if (cp >= 0xD800 && cp <= 0xDBFF && j->i + 1 < j->n && j->p[j->i] == '\\' && j->p[j->i + 1] == 'u') {
                size_t save = j->i;
                uint32_t lo;
                j->i += 2;
                if (!read_hex4(j, &lo))
                    return false;
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    j->i = save;
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                return jfail(j, "lone surrogate in string (not representable as UTF-8)");
            tp_utf8_put(&b, cp);
            break;
        }
        default: return jfail(j, "invalid escape");
        }
    }
    *out = tp_v_str(j->a, b.p ? b.p : "", b.n);
    return true;
}

static bool jvalue(jp *j, val *out);

static bool jnumber(jp *j, val *out)
{
    size_t s = j->i;
    bool isfloat = false;
    if (j->p[j->i] == '-')
        j->i++;
    if (j->i < j->n && j->p[j->i] == '0')
        j->i++;
    else if (j->i < j->n && j->p[j->i] >= '1' && j->p[j->i] <= '9')
        while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
            j->i++;
    else
        return jfail(j, "invalid number");
    if (j->i < j->n && j->p[j->i] == '.' && j->i + 1 < j->n && j->p[j->i + 1] >= '0' && j->p[j->i + 1] <= '9') {
        isfloat = true;
        j->i++;
        while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
            j->i++;
    }
    if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
        size_t save = j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
            j->i++;
        if (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9') {
            isfloat = true;
            while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
                j->i++;
        } else
            j->i = save;
    }
    char tmp[64];
    size_t len = j->i - s;
    char *num = len < sizeof tmp ? tmp : tp_arena_alloc(j->a, len + 1);
    memcpy(num, j->p + s, len);
    num[len] = 0;
    if (isfloat) {
        *out = v_float(strtod(num, NULL));
        return true;
    }
    char *end;
    long long v = strtoll(num, &end, 10);
    if ((v == LLONG_MAX || v == LLONG_MIN) && (len > 18)) {
        /* Python ints are unbounded; ours are 64-bit */
        char check[32];
        snprintf(check, sizeof check, "%lld", v);
        if (strcmp(check, num) != 0)
            return jfail(j, "integer out of the 64-bit range (not supported)");
    }
    *out = v_int(v);
    return true;
}

static bool jlit(jp *j, const char *w, val v, val *out)
{
    size_t l = strlen(w);
    if (j->n - j->i < l || memcmp(j->p + j->i, w, l) != 0)
        return jfail(j, "invalid value");
    j->i += l;
    *out = v;
    return true;
}

static bool jvalue(jp *j, val *out)
{
    jws(j);
    if (j->i >= j->n)
        return jfail(j, "unexpected end of JSON");
    char c = j->p[j->i];
    if (c == '"')
        return jstring(j, out);
    if (c == '{' || c == '[') {
        if (++j->depth > JSON_MAX_DEPTH)
            return jfail(j, "JSON nested too deeply");
        j->i++;
        jws(j);
        if (c == '[') {
            vlist *l = tp_vlist_new(j->a, 0);
            if (j->i < j->n && j->p[j->i] == ']') {
                j->i++;
            } else {
                for (;;) {
                    val item;
                    if (!jvalue(j, &item))
                        return false;
                    tp_vlist_push(j->a, l, item);
                    jws(j);
                    if (j->i < j->n && j->p[j->i] == ',') {
                        j->i++;
                        continue;
                    }
                    if (j->i < j->n && j->p[j->i] == ']') {
                        j->i++;
                        break;
                    }
                    return jfail(j, "expected ',' or ']'");
                }
            }
            *out = tp_v_list(l);
        } else {
            vdict *d = tp_vdict_new(j->a, 0);
            if (j->i < j->n && j->p[j->i] == '}') {
                j->i++;
            } else {
                for (;;) {
                    jws(j);
                    if (j->i >= j->n || j->p[j->i] != '"')
                        return jfail(j, "expected a string key");
                    val k, v;
                    if (!jstring(j, &k))
                        return false;
                    jws(j);
                    if (j->i >= j->n || j->p[j->i] != ':')
                        return jfail(j, "expected ':'");
                    j->i++;
                    if (!jvalue(j, &v))
                        return false;
                    tp_vdict_set(j->a, d, k, v);
                    jws(j);
                    if (j->i < j->n && j->p[j->i] == ',') {
                        j->i++;
                        continue;
                    }
                    if (j->i < j->n && j->p[j->i] == '}') {
                        j->i++;
                        break;
                    }
                    return jfail(j, "expected ',' or '}'");
                }
            }
            *out = tp_v_dict(d);
        }
        j->depth--;
        return true;
    }
    if (c == '-' && j->n - j->i >= 9 && memcmp(j->p + j->i, "-Infinity", 9) == 0) {
        j->i += 9;
        *out = v_float(-INFINITY);
        return true;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return jnumber(j, out);
    if (c == 't')
        return jlit(j, "true", v_bool(true), out);
    if (c == 'f')
        return jlit(j, "false", v_bool(false), out);
    if (c == 'n')
        return jlit(j, "null", v_none(), out);
    if (c == 'N')
        return jlit(j, "NaN", v_float(NAN), out);
    if (c == 'I')
        return jlit(j, "Infinity", v_float(INFINITY), out);
    return jfail(j, "invalid value");
}

bool tp_json_parse(arena *a, const char *p, size_t n, val *out, size_t *err_off, const char **msg)
{
    jp j = {.a = a, .p = p, .n = n};
    bool ok = jvalue(&j, out);
    if (ok) {
        jws(&j);
        if (j.i != j.n)
            ok = jfail(&j, "extra data after the JSON value");
    }
    if (!ok) {
        *err_off = j.i;
        *msg = j.msg;
    }
    return ok;
}

/* ---- dump ---- */

static void dump_str(sbuf *b, const char *p, size_t n, bool ensure_ascii)
{
    tp_sb_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default: break;
        }
        bool plain = !esc && c >= 0x20 && (c < 0x7F || !ensure_ascii);
        if (plain) {
            i++;
            continue;
        }
        tp_sb_put(b, p + run, i - run);
        if (esc) {
            tp_sb_puts(b, esc);
            i++;
        } else if (c < 0x80) {
            tp_sb_printf(b, "\\u%04x", c);
            i++;
        } else {
            uint32_t cp = tp_utf8_next(p, n, &i);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                tp_sb_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else
                tp_sb_printf(b, "\\u%04x", cp);
        }
        run = i;
    }
    tp_sb_put(b, p + run, n - run);
    tp_sb_putc(b, '"');
}

static void dump_float(sbuf *b, double f)
{
    if (isnan(f))
        tp_sb_puts(b, "NaN");
    else if (isinf(f))
        tp_sb_puts(b, f < 0 ? "-Infinity" : "Infinity");
    else
        tp_float_repr(b, f);
}

static void newline_indent(sbuf *b, const char *ind, size_t ind_len, unsigned level)
{
    tp_sb_putc(b, '\n');
    for (unsigned k = 0; k < level; k++)
        tp_sb_put(b, ind, ind_len);
}

typedef struct dumpcfg {
    bool ensure_ascii, sort_keys;
    const char *ind, *isep, *ksep;
    size_t ind_len, isep_len, ksep_len;
} dumpcfg;

/* Key text as json.dumps makes it (str keys, and int/float/bool/None converted to str). */
static const char *key_text(sbuf *tmp, val k, const char **p, size_t *n)
{
    switch (k.kind) {
    case V_STR: *p = k.s->p; *n = k.s->n; return NULL;
    case V_INT: tp_sb_printf(tmp, "%lld", (long long)k.i); break;
    case V_FLOAT: dump_float(tmp, k.f); break;
    case V_BOOL: tp_sb_puts(tmp, k.b ? "true" : "false"); break;
    case V_NONE: tp_sb_puts(tmp, "null"); break;
    default: return tp_v_type_name(k);
    }
    *p = tmp->p;
    *n = tmp->n;
    return NULL;
}

static int key_cmp(val a, val b, bool *bad)
{
    if (a.kind == V_STR && b.kind == V_STR) {
        size_t n = a.s->n < b.s->n ? a.s->n : b.s->n;
        int c = memcmp(a.s->p, b.s->p, n);
        return c ? c : (a.s->n < b.s->n ? -1 : a.s->n > b.s->n);
    }
    if ((a.kind == V_INT || a.kind == V_FLOAT || a.kind == V_BOOL) &&
        (b.kind == V_INT || b.kind == V_FLOAT || b.kind == V_BOOL)) {
        double x = a.kind == V_FLOAT ? a.f : a.kind == V_BOOL ? a.b : (double)a.i;
        double y = b.kind == V_FLOAT ? b.f : b.kind == V_BOOL ? b.b : (double)b.i;
        return x < y ? -1 : x > y;
    }
    *bad = true;
    return 0;
}

static const char *dump(sbuf *b, val v, const dumpcfg *c, unsigned level, unsigned depth)
{
    if (depth > 512)
        return "too deeply nested";
    switch (v.kind) {
    case V_NONE: tp_sb_puts(b, "null"); return NULL;
    case V_BOOL: tp_sb_puts(b, v.b ? "true" : "false"); return NULL;
    case V_INT: tp_sb_printf(b, "%lld", (long long)v.i); return NULL;
    case V_FLOAT: dump_float(b, v.f); return NULL;
    case V_STR: dump_str(b, v.s->p, v.s->n, c->ensure_ascii); return NULL;
    case V_LIST: {
        if (v.flags & (VF_ITER | VF_VIEW | VF_RANGE))
            return tp_v_type_name(v);
        if (!v.l->n) {
            tp_sb_puts(b, "[]");
            return NULL;
        }
        tp_sb_putc(b, '[');
        for (uint32_t i = 0; i < v.l->n; i++) {
            if (i)
                tp_sb_put(b, c->isep, c->isep_len);
            if (c->ind)
                newline_indent(b, c->ind, c->ind_len, level + 1);
            const char *e = dump(b, v.l->items[i], c, level + 1, depth + 1);
            if (e)
                return e;
        }
        if (c->ind)
            newline_indent(b, c->ind, c->ind_len, level);
        tp_sb_putc(b, ']');
        return NULL;
    }
    case V_DICT: {
        const vdict *d = v.d;
        if (!d->n) {
            tp_sb_puts(b, "{}");
            return NULL;
        }
        uint32_t *order = tp_arena_alloc(b->a, sizeof(uint32_t) * d->n);
        for (uint32_t i = 0; i < d->n; i++)
            order[i] = i;
        if (c->sort_keys) {
            /* insertion sort keeps it simple and stable; dicts in templates are small */
            bool bad = false;
            for (uint32_t i = 1; i < d->n; i++) {
                uint32_t x = order[i], k = i;
                while (k > 0 && key_cmp(d->keys[order[k - 1]], d->keys[x], &bad) > 0) {
                    order[k] = order[k - 1];
                    k--;
                }
                order[k] = x;
            }
            if (bad)
                return "mixed key types";
        }
        tp_sb_putc(b, '{');
        for (uint32_t i = 0; i < d->n; i++) {
            uint32_t e = order[i];
            if (i)
                tp_sb_put(b, c->isep, c->isep_len);
            if (c->ind)
                newline_indent(b, c->ind, c->ind_len, level + 1);
            sbuf tmp;
            tp_sb_init(&tmp, b->a);
            const char *kp = NULL;
            size_t kn = 0;
            const char *bad = key_text(&tmp, d->keys[e], &kp, &kn);
            if (bad)
                return bad;
            dump_str(b, kp ? kp : "", kn, c->ensure_ascii);
            tp_sb_put(b, c->ksep, c->ksep_len);
            const char *err = dump(b, d->vals[e], c, level + 1, depth + 1);
            if (err)
                return err;
        }
        if (c->ind)
            newline_indent(b, c->ind, c->ind_len, level);
        tp_sb_putc(b, '}');
        return NULL;
    }
    default: return tp_v_type_name(v);
    }
}

const char *tp_json_dump(sbuf *b, val v, bool ensure_ascii, const char *indent_str, size_t indent_len,
                      const char *item_sep, size_t item_sep_len, const char *key_sep,
                      size_t key_sep_len, bool sort_keys, unsigned depth)
{
    dumpcfg c = {.ensure_ascii = ensure_ascii, .sort_keys = sort_keys, .ind = indent_str,
                 .ind_len = indent_len, .isep = item_sep, .isep_len = item_sep_len,
                 .ksep = key_sep, .ksep_len = key_sep_len};
    return dump(b, v, &c, 0, depth);
}
