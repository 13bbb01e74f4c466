/* json_write: JSON values written back as text, the way the references write them -- compact
 * (JSON.stringify, serde_json's Display: no spaces), strings re-escaped (\" \\ \b \f \n \r \t,
 * other control characters as \u00xx, everything else as UTF-8), numbers as JavaScript prints
 * them. Rules that put a JSON value into the text a model reads (Anthropic tool inputs, harmony
 * defaults, enum values) use these. */
#include "chat/request.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool put(tok_buf *b, const char *s) { return tok_buf_put(b, s, strlen(s)); }

static bool put_escaped(tok_buf *b, const char *s, size_t n)
{
    bool ok = put(b, "\"");
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        ok &= tok_buf_put(b, s + run, i - run);
        run = i + 1;
        char e[8];
        switch (c) {
        case '"': ok &= put(b, "\\\""); break;
        case '\\': ok &= put(b, "\\\\"); break;
        case '\b': ok &= put(b, "\\b"); break;
        case '\f': ok &= put(b, "\\f"); break;
        case '\n': ok &= put(b, "\\n"); break;
        case '\r': ok &= put(b, "\\r"); break;
        case '\t': ok &= put(b, "\\t"); break;
        default:
            snprintf(e, sizeof e, "\\u%04x", c);
            ok &= put(b, e);
        }
    }
    ok &= tok_buf_put(b, s + run, n - run);
    return ok & put(b, "\"");
}

/* Number.prototype.toString(): the shortest digits that read back as the same double, placed
 * as ECMAScript's Number::toString places them. */
static bool put_js_number(tok_buf *b, double v)
{
    char out[64];
    if (v != v || isinf(v))
        return put(b, "null"); /* what JSON.stringify writes for them */
    if (v == 0)
        return put(b, "0");
    char e[40];
    int p = 1;
    for (; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is "-d.ddde+XX": its digits and exponent */
    char digits[24];
    int k = 0, neg = e[0] == '-';
    const char *q = e + neg;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[k++] = *q;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = 0;
    int n = atoi(q + 1) + 1; /* v = 0.digits x 10^n */
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (k <= n && n <= 21) {
        memcpy(out + o, digits, (size_t)k), o += (size_t)k;
        for (int i = 0; i < n - k; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out + o, digits, (size_t)n), o += (size_t)n;
        out[o++] = '.';
        memcpy(out + o, digits + n, (size_t)(k - n)), o += (size_t)(k - n);
    } else if (-6 < n && n <= 0) {
        out[o++] = '0', out[o++] = '.';
        for (int i = 0; i < -n; i++)
            out[o++] = '0';
        memcpy(out + o, digits, (size_t)k), o += (size_t)k;
    } else {
        out[o++] = digits[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, (size_t)(k - 1)), o += (size_t)(k - 1);
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "e%c%d", n - 1 < 0 ? '-' : '+',
                              n - 1 < 0 ? 1 - n : n - 1);
    }
    return tok_buf_put(b, out, o);
}

bool chat_number_js(const json_doc *d, uint32_t node, tok_buf *out)
{
    double v;
    if (!json_double(d, node, &v)) {
        /* out of double range: JSON.parse gives +-Infinity */
        return put(out, "null");
    }
    return put_js_number(out, v);
}

static bool write_string(const json_doc *d, size_t start, size_t len, bool esc, tok_buf *out)
{
    if (!esc)
        return put_escaped(out, d->text + start, len);
    char *tmp = malloc(len ? len : 1);
    if (!tmp)
        return false;
    size_t n = json_unescape(d->text + start, len, tmp);
    bool ok = put_escaped(out, tmp, n);
    free(tmp);
    return ok;
}

bool chat_json_write(const json_doc *d, uint32_t node, tok_buf *out)
{
    const json_node *n = &d->nodes[node];
    switch (n->type) {
    case J_NULL: return put(out, "null");
    case J_TRUE: return put(out, "true");
    case J_FALSE: return put(out, "false");
    case J_NUMBER: return chat_number_js(d, node, out);
    case J_STRING: return write_string(d, n->start, n->len, n->esc, out);
    default: break;
    }
    bool obj = n->type == J_OBJECT, ok = put(out, obj ? "{" : "[");
    for (uint32_t c = n->child; ok && c != J_NONE; c = d->nodes[c].next) {
        if (c != n->child)
            ok &= put(out, ",");
        if (obj) {
            const json_node *m = &d->nodes[c];
            ok &= write_string(d, m->key, m->key_len, m->key_esc, out);
            ok &= put(out, ":");
        }
        ok &= chat_json_write(d, c, out);
    }
    return ok && put(out, obj ? "}" : "]");
}
