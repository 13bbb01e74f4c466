/* libFuzzer: the compact vocabulary reader (formats/tiktoken/compact.c, what the WebAssembly
 * build opens its built-in vocabularies from) on arbitrary bytes never crashes, explains every
 * refusal, and what it accepts has tables that are safe to read -- checked as a file's pack is
 * (tok_vocab_view_checked), then walked by the linear encoder as the trusted blob it becomes. */
#include "algo/algo.h"
#include "core/core.h"
#include "formats/tiktoken/tiktoken.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    void *blob;
    size_t len;
    tok_error err;
    if (tok_tiktoken_uncompact(data, size, "fuzz.tkc", &blob, &len, &err) != TOK_OK) {
        if (!err.message[0])
            abort(); /* every failure explains itself */
        return 0;
    }
    tok_vocab v;
    if (tok_vocab_view_checked(&v, blob, len) != 0 || tok_vocab_view(&v, blob, len) != 0)
        abort();
    for (int b = 0; b < 256; b++)
        if (v.byte1[b] == TOK_NO_ID) { /* the encoder needs every byte; the loader need not */
            free(blob);
            return 0;
        }
    /* a text of the vocabulary's own tokens and the input's tail */
    uint8_t text[600];
    size_t n = 0;
    for (uint32_t t = 0; t < v.n_ids && n < 300; t += 1 + t % 7) {
        uint32_t l = tok_vocab_len(&v, t);
        if (l && l <= 300 - n)
            memcpy(text + n, v.bytes + v.off[t], l), n += l;
    }
    size_t tail = size < sizeof text - n ? size : sizeof text - n;
    memcpy(text + n, data + size - tail, tail);
    n += tail;
    tok_scratch sc = {0};
    uint32_t ids[600];
    tok_out o = {.ids = ids, .cap = 600};
    if (!tok_bpe_rank_parts(&v, text, n, 0, &o, &sc) || o.n > n)
        abort();
    free(sc.buf);
    free(blob);
    return 0;
}
