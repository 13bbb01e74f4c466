/* libFuzzer: decoding arbitrary ids never crashes; an unused id fails with TOK_EID at the right
 * index; the buffer and allocating variants agree. */
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

static tok_tokenizer *toks[16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    size_t which = data[0] % tok_builtin_count();
    if (!toks[which] && tok_open_encoding(tok_builtin_name(which), &toks[which], NULL) != TOK_OK)
        abort();
    const tok_tokenizer *t = toks[which];
    size_t n = (size - 1) / 3;
    uint32_t *ids = malloc((n + 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) /* 3 bytes per id: ids up to 2^24, most near the vocabulary */
        ids[i] = ((uint32_t)data[1 + 3 * i] | (uint32_t)data[2 + 3 * i] << 8 |
                  (uint32_t)data[3 + 3 * i] << 16) % (tok_vocab_size(t) + 64);
    unsigned flags = data[0] & 0x80 ? TOK_DECODE_SKIP_SPECIAL : 0;
    char *out;
    size_t len, len2;
    tok_error err;
    tok_status st = tok_decode_alloc(t, ids, n, flags, &out, &len, &err);
    char small[64];
    tok_status st2 = tok_decode(t, ids, n, flags, small, sizeof small, &len2, NULL);
    if (st == TOK_OK) {
        if (len2 != len || (st2 == TOK_OK && memcmp(small, out, len) != 0) ||
            (st2 == TOK_ERANGE) != (len > sizeof small))
            abort();
        tok_free(out);
    } else if (st != TOK_EID || st2 != TOK_EID || err.index >= n) {
        abort();
    } else {
        const char *b;
        size_t bl;
        if (tok_token_bytes(t, ids[err.index], &b, &bl) != TOK_EID)
            abort();
    }
    free(ids);
    return 0;
}
