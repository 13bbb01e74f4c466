/* utf8: validation and encoding. Input text is validated once per call, up front, so every
 * later stage decodes without checks. */
#include "text/text.h"

#include <string.h>

size_t tok_utf8_encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

size_t tok_utf8_valid_prefix(const uint8_t *s, size_t n, size_t *bad_len)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time: most text is mostly ASCII */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* runs of three-byte characters (CJK, kana, most of the BMP beyond Latin) without the
         * general loop's branches: lead E1-EC or EE-EF and two continuations (E0 and ED have a
         * narrower second byte, and go the general way) */
        while (n - i >= 3) {
            uint32_t w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
            if ((w & 0xF0C0C0) != 0xE08080 || s[i] == 0xE0 || s[i] == 0xED)
                break;
            i += 3;
        }
        if (i >= n)
            break;
        c = s[i];
        if (c < 0x80)
            continue;
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            need = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            *bad_len = 1;
            return i;
        }
        size_t k = 1;
        for (; k < need; k++) {
            if (i + k >= n)
                break;
            uint8_t d = s[i + k];
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF))
                break;
        }
        if (k < need) {
            *bad_len = k; /* the maximal subpart: lead byte plus the continuations that fit */
            return i;
        }
        i += need;
    }
    *bad_len = 0;
    return n;
}

int tok_uni_lower(uint32_t cp, uint32_t out[2])
{
    if (cp < 0x80) {
        out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        return 1;
    }
    if (cp == 0x130) { /* the one unconditional multi-character mapping (SpecialCasing.txt) */
        out[0] = 0x69;
        out[1] = 0x307;
        return 2;
    }
    size_t lo = 0, hi = tok_uni_lower_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (tok_uni_lower_from[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    out[0] = lo < tok_uni_lower_n && tok_uni_lower_from[lo] == cp ? tok_uni_lower_to[lo] : cp;
    return 1;
}
