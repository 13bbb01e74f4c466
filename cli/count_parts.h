/* count_parts: counting an input part by part, in bounded memory and on several threads, for
 * tokenizers that restart at tok_cut_point's cuts (count_parts.c). */
#ifndef TOKSCOPE_COUNT_PARTS_H
#define TOKSCOPE_COUNT_PARTS_H

#include "cli.h"

#include <stdio.h>

/* Do all of toks[0..n) restart at the cuts tok_cut_point gives? */
bool parts_possible(tok_tokenizer *const *toks, size_t n);

typedef enum { PARTS_COUNTED, PARTS_SKIPPED, PARTS_FAILED } parts_result;

/* Count what f holds with each of toks[0..n_toks) into counts (its size into *bytes), on up to
 * threads threads (0: every core). skip, when not NULL, sees the first bytes read and may leave
 * the input out (PARTS_SKIPPED). Failures are reported on stderr with the input's offsets
 * (PARTS_FAILED). */
parts_result count_parts(FILE *f, const char *name, tok_tokenizer *const *toks, size_t n_toks,
                         const tok_encode_options *opts, unsigned threads,
                         bool (*skip)(void *ctx, const char *head, size_t len), void *skip_ctx,
                         uint64_t *counts, uint64_t *bytes);

#endif
