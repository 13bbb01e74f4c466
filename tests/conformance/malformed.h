/* Malformed files at scale (issue 14): the harness the test_malformed_*.c files share.
 *
 * Every mutant of a reference tokenizer file is opened in-process (under ASan and UBSan in
 * `make asan`) and must end one of two ways:
 *   - a clear failure: a status other than TOK_ENOMEM (a file of a few bytes must not make the
 *     loader run out of memory) with a message that names the input, or
 *   - a tokenizer that works: it encodes and counts a stress text, decodes what it encoded,
 *     answers token look-ups for its first and last ids and refuses ids past its vocabulary.
 * Either way the load's peak memory (VmHWM, reset before each load through
 * /proc/self/clear_refs) stays within a bound set by the size of the input, not by what the
 * input claims. A mutant that breaks a rule is written to a file whose path the failure names,
 * so it can be reproduced with `tokscope count -t FILE`. */
#ifndef TOKSCOPE_TEST_MALFORMED_H
#define TOKSCOPE_TEST_MALFORMED_H

#include "runner.h"
#include "tokscope.h"

typedef struct mut_run {
    const char *family;       /* "tokenizer.json", "SentencePiece", ... */
    const char *source;       /* the file being mutated */
    size_t loads, opened;     /* mutants tried; of those, ones that opened */
    double worst_ratio;       /* largest peak-memory growth over input size */
    char worst[160];          /* the mutant that had it */
    uint64_t rng;
} mut_run;

void mut_begin(mut_run *r, const char *family, const char *source, uint64_t seed);
/* Print the family's line: mutants, opened, refused, worst memory ratio. */
void mut_end(mut_run *r);

/* Open one mutant (what describes it) and check the rules above; false after recording a test
 * failure. opts may be NULL. */
bool mut_try(mut_run *r, const char *what, const void *data, size_t len,
             const tok_open_options *opts);

/* The byte-level mutations every format gets: truncation at the first bytes, at n_cut spread
 * offsets and just before the end; n_flip single bytes set to random values; a random range
 * deleted and one duplicated. */
bool mut_bytes(mut_run *r, const uint8_t *data, size_t len, unsigned n_cut, unsigned n_flip,
               const tok_open_options *opts);

/* Uniform in [0, n) (n > 0). */
size_t mut_below(mut_run *r, size_t n);

/* data with [at, at + cut) replaced by ins[0..ins_len): a malloc'd copy, *out_len its size. */
uint8_t *mut_splice(const uint8_t *data, size_t len, size_t at, size_t cut, const void *ins,
                    size_t ins_len, size_t *out_len);

#define MUT_TRY(r, what, data, len, opts)                                        \
    do {                                                                         \
        if (!mut_try((r), (what), (data), (len), (opts)))                        \
            return;                                                              \
    } while (0)

#endif
