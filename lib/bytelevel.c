/* bytelevel: GPT-2's byte-to-character alphabet (HF's ByteLevel pre-tokenizer and decoder,
 * pre_tokenizers/byte_level.rs bytes_char): printable Latin-1 bytes stand for themselves, the
 * other 68 bytes for U+0100 onwards in byte order. tokscope keeps byte-level vocabularies as
 * the raw bytes their strings stand for, so the model runs on input bytes directly. */
#include "hf.h"

static bool printable(unsigned b)
{
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

uint32_t hf_bytelevel_char(uint8_t b)
{
    if (printable(b))
        return b;
    uint32_t n = 0;
    for (unsigned c = 0; c < b; c++)
        n += !printable(c);
    return 256 + n;
}

int hf_bytelevel_byte(uint32_t cp)
{
    if (cp < 256)
        return printable(cp) ? (int)cp : -1;
    if (cp >= 256 + 68)
        return -1;
    uint32_t n = cp - 256;
    for (unsigned c = 0; c < 256; c++)
        if (!printable(c) && n-- == 0)
            return (int)c;
    return -1;
}

size_t hf_bytelevel_decode(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
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
