/* json: see json.h. A recursive-descent parser over an explicit stack, appending nodes. */
#include "base/json.h"
#include "base/base.h"

#include <errno.h>
#include <math.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

typedef struct parser {
    json_doc *d;
    const unsigned char *p, *s, *end;
    const char *msg;
} parser;

static uint32_t new_node(parser *ps, json_type t)
{
    json_doc *d = ps->d;
    if (d->n == d->cap) { /* cannot happen: the capacity is an upper bound */
        ps->msg = "out of memory";
        return J_NONE;
    }
    if (d->n >= J_NONE - 1) {
        ps->msg = "too many values";
        return J_NONE;
    }
    json_node *n = &d->nodes[d->n];
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)t;
    n->next = n->child = J_NONE;
    return (uint32_t)d->n++;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int hexv(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 1 for bytes a string may hold as they are: printable ASCII but the quote and backslash. */
static const uint8_t plain[256] = {
#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
    R16(0), R16(0),                     /* 0x00-0x1F: controls */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2F: '"' is 0x22 */
    R16(1),                             /* 0x30-0x3F */
    R16(1),                             /* 0x40-0x4F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5F: '\\' is 0x5C */
    R16(1), R16(1),                     /* 0x60-0x7F */
    /* 0x80-0xFF: UTF-8, validated separately */
#undef R4
#undef R16
};

/* Scan a string starting after its opening quote; sets start and len to its raw bytes, esc. */
static bool scan_string(parser *ps, uint32_t *start, uint32_t *len, uint8_t *esc)
{
    const unsigned char *p = ps->p, *end = ps->end;
    *start = (uint32_t)(p - ps->s);
    *esc = 0;
    for (;;) {
        /* fast skip over plain ASCII */
        while (p < end && plain[*p])
            p++;
        if (p >= end) {
            ps->p = p;
            ps->msg = "unterminated string";
            return false;
        }
        unsigned char c = *p;
        if (c == '"')
            break;
        if (c < 0x20) {
            ps->p = p;
            ps->msg = "control character in string";
            return false;
        }
        if (c == '\\') {
            *esc = 1;
            if (p + 1 >= end) {
                ps->p = p;
                ps->msg = "unterminated escape";
                return false;
            }
            unsigned char e = p[1];
            if (e == 'u') {
                if (end - p < 6 || hexv(p[2]) < 0 || hexv(p[3]) < 0 || hexv(p[4]) < 0 ||
                    hexv(p[5]) < 0) {
                    ps->p = p;
                    ps->msg = "bad \\u escape";
                    return false;
                }
                unsigned cp = (unsigned)(hexv(p[2]) << 12 | hexv(p[3]) << 8 | hexv(p[4]) << 4 |
                                         hexv(p[5]));
                p += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hexv(p[2]) < 0 ||
                        hexv(p[3]) < 0 || hexv(p[4]) < 0 || hexv(p[5]) < 0) {
                        ps->p = p;
                        ps->msg = "lone surrogate in \\u escape";
                        return false;
                    }
                    unsigned lo = (unsigned)(hexv(p[2]) << 12 | hexv(p[3]) << 8 |
                                             hexv(p[4]) << 4 | hexv(p[5]));
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        ps->p = p;
                        ps->msg = "lone surrogate in \\u escape";
                        return false;
                    }
                    p += 6;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    ps->p = p - 6;
                    ps->msg = "lone surrogate in \\u escape";
                    return false;
                }
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == 0) {
                ps->p = p;
                ps->msg = "unknown escape";
                return false;
            }
            p += 2;
            continue;
        }
        /* UTF-8 multi-byte: validate */
        size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        bool ok = need && (size_t)(end - p) >= need && p[1] >= lo && p[1] <= hi;
        for (size_t k = 2; ok && k < need; k++)
            ok = p[k] >= 0x80 && p[k] <= 0xBF;
        if (!ok) {
            ps->p = p;
            ps->msg = "invalid UTF-8 in string";
            return false;
        }
        p += need;
    }
    *len = (uint32_t)(p - ps->s) - *start;
    ps->p = p + 1;
    return true;
}

static bool scan_number(parser *ps)
{
    const unsigned char *p = ps->p, *end = ps->end;
    if (p < end && *p == '-')
        p++;
    if (p >= end)
        return false;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return false;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return false;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    ps->p = p;
    return true;
}

/* Containers are parsed with an explicit stack of (node, last child). */
bool json_parse(json_doc *doc, const char *text, size_t len, size_t *err_offset,
                const char **err_msg)
{
    memset(doc, 0, sizeof *doc);
    doc->text = text;
    doc->len = len;
    if (len >= UINT32_MAX) {
        *err_offset = 0;
        *err_msg = "file too large";
        return false;
    }
    /* Every value but a container's first follows a ',': commas + containers + 1 bound the
     * node count, so the array is allocated once (the count is cheap next to the parse). */
    size_t bound = 1;
    for (const char *p = text, *e = text + len; p < e; p++)
        bound += *p == ',' || *p == '[' || *p == '{';
    doc->nodes = tok_big_alloc(bound * sizeof *doc->nodes);
    if (!doc->nodes) {
        *err_offset = 0;
        *err_msg = "out of memory";
        return false;
    }
    doc->cap = bound;
    parser ps = {doc, (const unsigned char *)text, (const unsigned char *)text,
                 (const unsigned char *)text + len, NULL};
    struct frame {
        uint32_t node, last;
    } stack[MAX_DEPTH];
    int depth = 0;
    bool want_value = true; /* else: want ',' or a closer */
    skip_ws(&ps);
    for (;;) {
        if (want_value) {
            skip_ws(&ps);
            uint32_t key = 0, key_len = 0;
            uint8_t key_esc = 0;
            bool in_obj = depth > 0 && doc->nodes[stack[depth - 1].node].type == J_OBJECT;
            if (ps.p < ps.end && (*ps.p == ']' || *ps.p == '}') && depth > 0 &&
                stack[depth - 1].last == J_NONE) {
                /* empty container */
                char want = in_obj ? '}' : ']';
                if (*ps.p != want) {
                    ps.msg = "mismatched bracket";
                    goto fail;
                }
                ps.p++;
                depth--;
                want_value = false;
                if (depth == 0)
                    break;
                continue;
            }
            if (in_obj) {
                if (ps.p >= ps.end || *ps.p != '"') {
                    ps.msg = "expected a member name in quotes";
                    goto fail;
                }
                ps.p++;
                if (!scan_string(&ps, &key, &key_len, &key_esc))
                    goto fail;
                skip_ws(&ps);
                if (ps.p >= ps.end || *ps.p != ':') {
                    ps.msg = "expected ':'";
                    goto fail;
                }
                ps.p++;
                skip_ws(&ps);
            }
            if (ps.p >= ps.end) {
                ps.msg = "unexpected end of file";
                goto fail;
            }
            unsigned char c = *ps.p;
            json_type t;
            uint32_t vs = (uint32_t)(ps.p - ps.s), vl = 0;
            uint8_t esc = 0;
            if (c == '"') {
                ps.p++;
                t = J_STRING;
                if (!scan_string(&ps, &vs, &vl, &esc))
                    goto fail;
            } else if (c == '{' || c == '[') {
                t = c == '{' ? J_OBJECT : J_ARRAY;
                ps.p++;
            } else if (c == 't' && ps.end - ps.p >= 4 && !memcmp(ps.p, "true", 4)) {
                t = J_TRUE, ps.p += 4;
            } else if (c == 'f' && ps.end - ps.p >= 5 && !memcmp(ps.p, "false", 5)) {
                t = J_FALSE, ps.p += 5;
            } else if (c == 'n' && ps.end - ps.p >= 4 && !memcmp(ps.p, "null", 4)) {
                t = J_NULL, ps.p += 4;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                t = J_NUMBER;
                if (!scan_number(&ps)) {
                    ps.msg = "malformed number";
                    goto fail;
                }
                vl = (uint32_t)(ps.p - ps.s) - vs;
            } else {
                ps.msg = "expected a value";
                goto fail;
            }
            uint32_t id = new_node(&ps, t);
            if (id == J_NONE)
                goto fail;
            json_node *n = &doc->nodes[id];
            n->start = vs;
            n->len = vl;
            n->esc = esc;
            n->key = key;
            n->key_len = key_len;
            n->key_esc = key_esc;
            if (depth > 0) {
                struct frame *f = &stack[depth - 1];
                if (f->last == J_NONE)
                    doc->nodes[f->node].child = id;
                else
                    doc->nodes[f->last].next = id;
                f->last = id;
                doc->nodes[f->node].count++;
            }
            if (t == J_OBJECT || t == J_ARRAY) {
                if (depth == MAX_DEPTH) {
                    ps.msg = "nesting too deep";
                    goto fail;
                }
                stack[depth++] = (struct frame){id, J_NONE};
                skip_ws(&ps);
                continue; /* want_value stays true (or an immediate closer) */
            }
            want_value = false;
            if (depth == 0)
                break;
        } else {
            skip_ws(&ps);
            if (ps.p >= ps.end) {
                ps.msg = "unexpected end of file";
                goto fail;
            }
            bool in_obj = doc->nodes[stack[depth - 1].node].type == J_OBJECT;
            unsigned char c = *ps.p++;
            if (c == ',') {
                want_value = true;
                skip_ws(&ps);
                if (ps.p < ps.end && (*ps.p == ']' || *ps.p == '}')) {
                    ps.msg = "trailing comma";
                    goto fail;
                }
                continue;
            }
            if (c != (in_obj ? '}' : ']')) {
                ps.p--;
                ps.msg = in_obj ? "expected ',' or '}'" : "expected ',' or ']'";
                goto fail;
            }
            depth--;
            if (depth == 0)
                break;
        }
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        ps.msg = "text after the JSON value";
        goto fail;
    }
    return true;
fail:
    *err_offset = (size_t)(ps.p - ps.s);
    *err_msg = ps.msg ? ps.msg : "malformed JSON";
    json_free(doc);
    return false;
}

void json_free(json_doc *doc)
{
    tok_big_free(doc->nodes, doc->cap * sizeof *doc->nodes);
    doc->nodes = NULL;
    doc->n = doc->cap = 0;
}

size_t json_unescape(const char *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (p[i] != '\\') {
            out[o++] = p[i++];
            continue;
        }
        char e = p[i + 1];
        i += 2;
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp = (unsigned)(hexv((unsigned char)p[i]) << 12 | hexv((unsigned char)p[i + 1]) << 8 |
                                     hexv((unsigned char)p[i + 2]) << 4 | hexv((unsigned char)p[i + 3]));
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo = (unsigned)(hexv((unsigned char)p[i + 2]) << 12 | hexv((unsigned char)p[i + 3]) << 8 |
                                         hexv((unsigned char)p[i + 4]) << 4 | hexv((unsigned char)p[i + 5]));
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            if (cp < 0x80) {
                out[o++] = (char)cp;
            } else if (cp < 0x800) {
                out[o++] = (char)(0xC0 | cp >> 6);
                out[o++] = (char)(0x80 | (cp & 63));
            } else if (cp < 0x10000) {
                out[o++] = (char)(0xE0 | cp >> 12);
                out[o++] = (char)(0x80 | (cp >> 6 & 63));
                out[o++] = (char)(0x80 | (cp & 63));
            } else {
                out[o++] = (char)(0xF0 | cp >> 18);
                out[o++] = (char)(0x80 | (cp >> 12 & 63));
                out[o++] = (char)(0x80 | (cp >> 6 & 63));
                out[o++] = (char)(0x80 | (cp & 63));
            }
            break;
        }
        default: out[o++] = e; /* " \ / */
        }
    }
    return o;
}

static bool decode_span(const json_doc *d, uint32_t start, uint32_t len, bool esc,
                        const char **s, size_t *out_len, char **buf, size_t *cap)
{
    if (!esc) {
        *s = d->text + start;
        *out_len = len;
        return true;
    }
    if (*cap < (size_t)len + 1) {
        size_t c = *cap ? *cap : 64;
        while (c < (size_t)len + 1)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return false;
        *buf = b;
        *cap = c;
    }
    *out_len = json_unescape(d->text + start, len, *buf);
    *s = *buf;
    return true;
}

bool json_string(const json_doc *d, uint32_t i, const char **s, size_t *len, char **buf,
                 size_t *cap)
{
    if (i == J_NONE || d->nodes[i].type != J_STRING)
        return false;
    const json_node *n = &d->nodes[i];
    return decode_span(d, n->start, n->len, n->esc, s, len, buf, cap);
}

bool json_key(const json_doc *d, uint32_t i, const char **s, size_t *len, char **buf,
              size_t *cap)
{
    if (i == J_NONE)
        return false;
    const json_node *n = &d->nodes[i];
    return decode_span(d, n->key, n->key_len, n->key_esc, s, len, buf, cap);
}

uint32_t json_get(const json_doc *d, uint32_t obj, const char *key)
{
    if (obj == J_NONE || d->nodes[obj].type != J_OBJECT)
        return J_NONE;
    size_t kl = strlen(key);
    for (uint32_t i = d->nodes[obj].child; i != J_NONE; i = d->nodes[i].next) {
        const json_node *n = &d->nodes[i];
        if (!n->key_esc) {
            if (n->key_len == kl && memcmp(d->text + n->key, key, kl) == 0)
                return i;
        } else if (n->key_len >= kl) {
            char tmp[256];
            if (n->key_len < sizeof tmp && json_unescape(d->text + n->key, n->key_len, tmp) == kl &&
                memcmp(tmp, key, kl) == 0)
                return i;
        }
    }
    return J_NONE;
}

bool json_int(const json_doc *d, uint32_t i, int64_t *v)
{
    if (i == J_NONE || d->nodes[i].type != J_NUMBER)
        return false;
    const json_node *n = &d->nodes[i];
    const char *p = d->text + n->start, *e = p + n->len;
    bool neg = p < e && *p == '-';
    if (neg)
        p++;
    int64_t x = 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return false; /* a fraction or exponent: not an integer */
        if (x > (INT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (*p - '0');
    }
    *v = neg ? -x : x;
    return true;
}

bool json_double(const json_doc *d, uint32_t i, double *v)
{
    if (i == J_NONE || d->nodes[i].type != J_NUMBER)
        return false;
    const json_node *n = &d->nodes[i];
    char tmp[64];
    if (n->len >= sizeof tmp)
        return false;
    memcpy(tmp, d->text + n->start, n->len);
    tmp[n->len] = 0;
    /* strtod reads the locale's decimal point; JSON's is always '.' */
    char *dot = strchr(tmp, '.');
    if (dot)
        *dot = *localeconv()->decimal_point;
    errno = 0;
    char *end;
    *v = strtod(tmp, &end);
    return end == tmp + n->len && isfinite(*v); /* 1e400: serde_json's "number out of range" */
}

bool json_bool(const json_doc *d, uint32_t i, bool *v)
{
    if (i == J_NONE || (d->nodes[i].type != J_TRUE && d->nodes[i].type != J_FALSE))
        return false;
    *v = d->nodes[i].type == J_TRUE;
    return true;
}

size_t json_end(const json_doc *d, uint32_t i)
{
    const json_node *n = &d->nodes[i];
    if (n->type == J_STRING)
        return (size_t)n->start + n->len + 1; /* the closing quote */
    if (n->type != J_OBJECT && n->type != J_ARRAY)
        return (size_t)n->start + n->len + (n->type == J_NULL || n->type == J_TRUE ? 4
                                             : n->type == J_FALSE                ? 5
                                                                                 : 0);
    /* a container: the parsed text is valid, so brackets outside strings match */
    size_t depth = 0;
    for (size_t k = n->start; k < d->len; k++) {
        char c = d->text[k];
        if (c == '"') {
            for (k++; k < d->len && d->text[k] != '"'; k++)
                if (d->text[k] == '\\')
                    k++;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return k + 1;
        }
    }
    return d->len;
}
