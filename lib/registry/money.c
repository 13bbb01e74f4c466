/* money: decimal text <-> integer amounts, exactly.
 *
 * Prices arrive as decimal text ("0.075" USD per million tokens, LiteLLM's "3e-7" USD per
 * token) and leave as decimal text. Going through double would turn 0.1 into
 * 0.1000000000000000055...; summed over a million calls that drift shows in the cents. So a
 * number is read digit by digit into an integer count of 10^-scale units, and printed back by
 * integer division. */
#include "registry/registry.h"

#include <stdio.h>
#include <string.h>

/* value * 10^scale for a JSON-style number in s[0..n): digits, optional fraction, optional
 * exponent (a leading sign is refused: no price is negative). Digits beyond the scale are
 * rounded half up and *rounded says so. */
tok_status tok_decimal_scaled(const char *s, size_t n, int scale, uint64_t *out, bool *rounded)
{
    char digits[96]; /* significant digits, leading zeros dropped */
    size_t nd = 0, i = 0;
    long point = 0;  /* value = 0.digits * 10^point */
    bool any = false;
    *rounded = false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        any = true;
        if (nd == 0 && s[i] == '0')
            continue;
        if (nd == sizeof digits)
            return TOK_EINVAL;
        digits[nd++] = s[i];
        point++;
    }
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (nd == 0 && s[i] == '0') {
                point--;
                continue;
            }
            if (nd == sizeof digits)
                return TOK_EINVAL;
            digits[nd++] = s[i];
        }
        if (i == start)
            return TOK_EINVAL; /* "1." */
        any = true;
    }
    if (!any)
        return TOK_EINVAL;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool neg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            neg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9')
            return TOK_EINVAL;
        long e = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        point += neg ? -e : e;
    }
    if (i != n)
        return TOK_EINVAL;
    while (nd > 0 && digits[nd - 1] == '0')
        nd--; /* trailing zeros (point keeps the magnitude) */
    if (nd == 0) { /* zero, however written */
        *out = 0;
        return TOK_OK;
    }
    /* The scaled value's integer part is the first `keep` digits; the rest round it. */
    long keep = point + scale;
    uint64_t v = 0;
    for (long k = 0; k < keep; k++) {
        unsigned d = k < (long)nd ? (unsigned)(digits[k] - '0') : 0;
        if (v > (UINT64_MAX - d) / 10)
            return TOK_ERANGE;
        v = v * 10 + d;
    }
    if (keep < (long)nd) {
        unsigned next = keep >= 0 ? (unsigned)(digits[keep] - '0') : 0;
        *rounded = true; /* digits[nd - 1] is non-zero, so something non-zero was dropped */
        if (next >= 5) {
            if (v == UINT64_MAX)
                return TOK_ERANGE;
            v++;
        }
    }
    *out = v;
    return TOK_OK;
}

tok_status tok_decimal_parse(const char *text, size_t len, unsigned scale, uint64_t *out)
{
    if (!text || !out || scale > 30)
        return TOK_EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
            return TOK_EINVAL; /* plain decimals only: no sign, no exponent */
    bool rounded;
    tok_status st = tok_decimal_scaled(text, len, (int)scale, out, &rounded);
    if (st == TOK_OK && rounded)
        return TOK_EINVAL; /* more decimals than the scale holds */
    return st;
}

size_t tok_decimal_format(uint64_t value, unsigned scale, char *buf, size_t cap)
{
    if (scale > 19)
        scale = 19; /* 10^19 is the largest power of ten in 64 bits */
    uint64_t unit = 1;
    for (unsigned k = 0; k < scale; k++)
        unit *= 10;
    char frac[24];
    snprintf(frac, sizeof frac, "%0*llu", (int)scale, (unsigned long long)(value % unit));
    size_t n = scale;
    while (n > 0 && frac[n - 1] == '0')
        n--;
    frac[n] = 0;
    int w = snprintf(buf, cap, "%llu%s%s", (unsigned long long)(value / unit), n ? "." : "", frac);
    return w < 0 ? 0 : (size_t)w;
}

size_t tok_usd_format(uint64_t pico, int decimals, char *buf, size_t cap)
{
    static const uint64_t unit = 1000000000000ull; /* picodollars per dollar */
    if (decimals < 0)
        return tok_decimal_format(pico, 12, buf, cap);
    if (decimals > 12)
        decimals = 12;
    uint64_t step = 1;
    for (int k = decimals; k < 12; k++)
        step *= 10;
    /* round half up in 128 bits: pico + step/2 may pass 2^64 */
    unsigned __int128 r = ((unsigned __int128)pico + step / 2) / step;
    uint64_t per_dollar = unit / step;
    uint64_t whole = (uint64_t)(r / per_dollar), part = (uint64_t)(r % per_dollar);
    char frac[16] = "";
    if (decimals > 0)
        snprintf(frac, sizeof frac, "%0*llu", decimals, (unsigned long long)part);
    int n = snprintf(buf, cap, "%llu%s%s", (unsigned long long)whole, frac[0] ? "." : "", frac);
    return n < 0 ? 0 : (size_t)n;
}
