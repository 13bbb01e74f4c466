/* base64: the standard alphabet (RFC 4648), decoded in the two readings the formats need. */
#include "base/base.h"

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

size_t tok_base64_decode(const uint8_t *s, size_t n, uint8_t *out, bool strict)
{
    size_t pad = 0;
    if (strict) {
        if (n % 4)
            return SIZE_MAX;
        while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
            pad++;
    } else {
        while (n > pad && s[n - 1 - pad] == '=')
            pad++;
        if ((n - pad) % 4 == 1)
            return SIZE_MAX;
    }
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n - pad; i++) {
        int v = b64val(s[i]);
        if (v < 0)
            return SIZE_MAX;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (strict && bits && (acc & ((1u << bits) - 1))) /* non-zero trailing bits */
        return SIZE_MAX;
    return o;
}
