/* fit: helpers for fitting text into a token budget -- character boundaries, a text's tokens
 * with their spans, the token at a byte -- for chunk and stats. (The longest prefix or suffix
 * within N tokens is the library's tok_truncate.) */
#include "fit.h"

#include <stdlib.h>

size_t char_floor(const char *t, size_t len, size_t i)
{
    for (int k = 0; k < 3 && i > 0 && i < len && ((unsigned char)t[i] & 0xC0) == 0x80; k++)
        i--;
    return i;
}

size_t char_ceil(const char *t, size_t len, size_t i)
{
    for (int k = 0; k < 3 && i < len && ((unsigned char)t[i] & 0xC0) == 0x80; k++)
        i++;
    return i;
}

bool encode_spans(const tok_tokenizer *tok, const tok_encode_options *o, const char *t, size_t len,
                  encoded *e, tok_error *err)
{
    e->ids = NULL;
    e->spans = NULL;
    e->n = 0;
    return tok_encode_alloc(tok, t, len, o, &e->ids, &e->spans, &e->n, err) == TOK_OK;
}

void encoded_free(encoded *e)
{
    tok_free(e->ids);
    tok_free(e->spans);
    e->ids = NULL;
    e->spans = NULL;
    e->n = 0;
}

size_t token_at(const encoded *e, uint64_t b)
{
    size_t lo = 0, hi = e->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->spans[mid].start < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
