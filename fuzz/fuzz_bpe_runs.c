/* libFuzzer: HF's BPE merge on runs of a repeated symbol (formats/hf/models/bpe_runs.c) gives
 * the tokens of the merge loop symbol by symbol, on vocabularies and words the input makes.
 *
 * Input: byte 0 picks an alphabet of 2-4 letters; then pairs of bytes pick two tokens made so
 * far whose join (up to 8 letters) becomes a merge, in the order given (so the ranks come in
 * any order), until a byte 0xFF; the rest are runs, a letter and a length each. The loader
 * checks nothing here that the merge does not need, so a vocabulary it refuses is skipped. */
#include "bpe_json.h"
#include "formats/hf/models/bpe_word.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > 4096)
        return 0;
    size_t letters = 2 + data[0] % 3, at = 1;
    char tok[48][40];
    size_t nt = 0, nm = 0;
    for (size_t k = 0; k < letters; k++)
        tok[nt][0] = (char)('a' + k), tok[nt][1] = 0, nt++;
    char merges[64][84];
    while (at + 1 < size && data[at] != 0xFF && nm < 64) {
        size_t x = data[at] % nt, y = data[at + 1] % nt;
        at += 2;
        if (strlen(tok[x]) + strlen(tok[y]) <= 8)
            bpe_add_merge(tok, &nt, 48, merges, &nm, x, y);
    }
    at++;
    tok_tokenizer *t = bpe_json_open(tok, nt, merges, nm, false, NULL, NULL);
    if (!t)
        return 0;
    char text[1 << 15];
    size_t len = 0;
    for (; at + 1 < size; at += 2) {
        size_t k = 1 + data[at + 1] % 200;
        for (size_t i = 0; i < k && len < sizeof text; i++)
            text[len++] = (char)('a' + data[at] % letters);
    }
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    hf_tokens a = {0}, b = {0};
    tok_scratch sc = {0};
    bool declined;
    tok_status sa = hf_bpe_runs(t, m, (const uint8_t *)text, len, &a, 0, false, &declined);
    if (!declined) {
        tok_status sb = hf_bpe_merge(t, m, (const uint8_t *)text, len, &b, &sc, false);
        if (sa != sb || a.n != b.n ||
            (a.n && (memcmp(a.id, b.id, a.n * sizeof *a.id) ||
                     memcmp(a.start, b.start, a.n * sizeof *a.start) ||
                     memcmp(a.end, b.end, a.n * sizeof *a.end))))
            abort();
    }
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    tok_scratch_free(&sc);
    tok_close(t);
    return 0;
}
