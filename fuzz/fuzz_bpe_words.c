/* libFuzzer: HF's BPE model on whole texts (formats/hf/models/bpe.c: words cut where no merge
 * crosses, the word cache, ASCII words by their table of pairs, characters by code point,
 * leading runs of U+2581 as their token, words with control characters, offsets after dropped
 * characters) gives the tokens and offsets of the merge loop over the text as one word, on
 * vocabularies and merges the input makes.
 *
 * Input: byte 0 picks byte fallback (bit 0), an unknown token (bit 1) and whether U+2581 is
 * the first letter (bit 2); then pairs of bytes pick two tokens made so far whose join (up to
 * 8 letters) becomes a merge, in the order given, until a byte 0xFF; the rest are runs of a
 * text character (the letters, a newline, a tab, "x" which is no token) and a length. */
#include "bpe_json.h"
#include "formats/hf/hf.h"

#include <stdlib.h>
#include <string.h>

#define SP "\xE2\x96\x81"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > 4096)
        return 0;
    static const char *const letters[] = {SP, "a", "b", "\xC3\xA9", "\xE4\xB8\xAD"};
    static const char *const extra_ch[] = {"\n", "\t", "x"};
    bool fallback = data[0] & 1, unk = data[0] & 2;
    size_t nl = data[0] & 4 ? 5 : 4, first = data[0] & 4 ? 0 : 1, at = 1;
    char tok[64][40], merges[96][84];
    size_t count[64], nt = 0, nm = 0; /* letters in each token */
    for (size_t k = 0; k < nl; k++, nt++) {
        strcpy(tok[nt], letters[first + k < 5 ? first + k : 0]);
        count[nt] = 1;
    }
    while (at + 1 < size && data[at] != 0xFF && nm < 96) {
        size_t x = data[at] % nt, y = data[at + 1] % nt;
        at += 2;
        if (count[x] + count[y] > 8)
            continue;
        size_t before = nt;
        long j = bpe_add_merge(tok, &nt, 64, merges, &nm, x, y);
        if (j >= 0 && nt > before)
            count[j] = count[x] + count[y];
    }
    at++;
    /* byte fallback: a newline and "x" as bytes, not a tab; the unknown token after those */
    char extra[128];
    size_t e = 0;
    extra[0] = 0;
    if (fallback)
        e += (size_t)snprintf(extra, sizeof extra, ", \"<0x0A>\": %zu, \"<0x78>\": %zu", nt,
                              nt + 1);
    if (unk)
        snprintf(extra + e, sizeof extra - e, ", \"<unk>\": %zu", nt + 2);
    tok_tokenizer *t = bpe_json_open(tok, nt, merges, nm, fallback, unk ? "<unk>" : NULL, extra);
    if (!t)
        return 0;
    static uint8_t text[1 << 16];
    size_t len = 0;
    for (; at + 1 < size; at += 2) {
        size_t c = data[at] % (nl + 3), k = 1 + data[at + 1] % 40;
        const char *s = c < nl ? tok[c] : extra_ch[c - nl];
        size_t sl = strlen(s);
        for (size_t i = 0; i < k && len + sl <= sizeof text; i++, len += sl)
            memcpy(text + len, s, sl);
    }
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    hf_tokens a = {0}, b = {0};
    tok_scratch sc = {0};
    tok_status sa = hf_bpe_tokenize(t, m, text, len, &a, &sc);
    tok_status sb = hf_bpe_merge(t, m, text, len, &b, &sc, false);
    if (sa != sb || (sa == TOK_OK && (a.n != b.n ||
                                      (a.n && (memcmp(a.id, b.id, a.n * sizeof *a.id) ||
                                               memcmp(a.start, b.start, a.n * sizeof *a.start) ||
                                               memcmp(a.end, b.end, a.n * sizeof *a.end))))))
        abort();
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    tok_scratch_free(&sc);
    tok_close(t);
    return 0;
}
