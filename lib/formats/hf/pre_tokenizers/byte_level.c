/* byte_level: GPT-2's byte-to-character alphabet (HF's ByteLevel pre-tokenizer and decoder,
 * pre_tokenizers/byte_level.rs bytes_char): printable Latin-1 bytes stand for themselves, the
 * other 68 bytes for U+0100 onwards in byte order. tokscope keeps byte-level vocabularies as
 * the raw bytes their strings stand for, so the model runs on input bytes directly. */
#include "formats/hf/hf.h"

/* The 68 bytes that are not printable Latin-1 are 0x00-0x20, 0x7F-0xA0 and 0xAD, in that order
 * U+0100..U+0143. */
uint32_t hf_bytelevel_char(uint8_t b)
{
    if (b <= 0x20)
        return 256u + b;
    if (b >= 0x7F && b <= 0xA0)
        return 256u + 33 + (b - 0x7Fu);
    if (b == 0xAD)
        return 256u + 67;
    return b;
}

int hf_bytelevel_byte(uint32_t cp)
{
    if (cp < 256)
        return cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD ? -1 : (int)cp;
    uint32_t n = cp - 256;
    if (n < 33)
        return (int)n;
    if (n < 67)
        return (int)(0x7F + n - 33);
    return n == 67 ? 0xAD : -1;
}

size_t hf_bytelevel_decode(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] > 0x20 && s[i] < 0x7F) { /* printable ASCII stands for itself */
            out[o++] = s[i++];
            continue;
        }
        unsigned len;
        uint32_t cp = tok_utf8_decode(s + i, &len);
        int b = hf_bytelevel_byte(cp);
        if (b < 0)
            return SIZE_MAX;
        out[o++] = (uint8_t)b;
        i += len;
    }
    return o;
}
