/* fit.h -- fitting text into a token budget, for chunk and stats: character boundaries and
 * spans (truncate is the library's tok_truncate). */
#ifndef TOKSCOPE_FIT_H
#define TOKSCOPE_FIT_H

#include "cli.h"

/* The nearest UTF-8 character boundary at or before (floor) / at or after (ceil) byte i of
 * t[0..len): i moves over continuation bytes, at most 3. */
size_t char_floor(const char *t, size_t len, size_t i);
size_t char_ceil(const char *t, size_t len, size_t i);

/* The tokens of t[0..len) with their spans (freed with tok_free). */
typedef struct encoded {
    uint32_t *ids;
    tok_span *spans;
    size_t n;
} encoded;
bool encode_spans(const tok_tokenizer *tok, const tok_encode_options *o, const char *t, size_t len,
                  encoded *e, tok_error *err);
void encoded_free(encoded *e);

/* The first token whose span starts at or after byte b (e->n if none). */
size_t token_at(const encoded *e, uint64_t b);

#endif
