/* fit.h -- fitting text into a token budget, for truncate and chunk: cuts at character
 * boundaries, verified by re-counting the text that is printed. */
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

/* Keep at most n tokens of t[0..len) (e is its encoding): the longest prefix -- or with
 * from_end the longest suffix -- the encoding suggests, at a character boundary, whose own
 * count is at most n. *cut is the end of the prefix (or the start of the suffix) and *count its
 * token count. false with err filled when counting fails. */
bool fit_tokens(const tok_tokenizer *tok, const tok_encode_options *o, const char *t, size_t len,
                const encoded *e, uint64_t n, bool from_end, size_t *cut, size_t *count,
                tok_error *err);

#endif
