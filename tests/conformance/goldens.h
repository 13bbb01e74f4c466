/* goldens: every tokenizer that has goldens and its golden files, for tests that check a
 * library function against the full operations on all of them (test_embed.c): the built-in
 * tiktoken encodings (tests/golden/tiktoken), the tokenizer.json files of tests/golden/hf and
 * tests/golden/hf-components, and the SentencePiece models of tests/golden/spm. */
#ifndef TOKSCOPE_TEST_GOLDENS_H
#define TOKSCOPE_TEST_GOLDENS_H

#include "runner.h"
#include "tokscope.h"

#define GOLDEN_MAX_FILES 8

/* One golden file: its ids per line, and the text each line encodes. */
typedef struct golden_file {
    char path[512];     /* .jsonl or .jsonl.gz */
    const char *field;  /* the JSON field holding the ids ("ids_add"), NULL: the line is the
                           array (tiktoken); error lines have no ids and are skipped */
    char corpus[512];   /* one JSON string per line; "hex:" + path: hex bytes per line; "":
                           the line's own "text" field */
    tok_encode_options opts; /* the options the ids were made with */
} golden_file;

typedef struct golden_set {
    char name[384];     /* "tiktoken/cl100k_base", "hf/gpt2", "hf-components/dec_fuse" */
    char open[512];     /* what tok_open takes */
    golden_file files[GOLDEN_MAX_FILES];
    size_t n_files;
} golden_set;

/* The sets of one family ("tiktoken", "hf", "hf-components", "spm"), in a fixed order: a
 * malloc'd array (free it), their number in *n. A family with no sets is a test failure. */
golden_set *golden_sets(const char *family, size_t *n);

/* Which lines the property tests over every golden line take: every line (1), unless
 * TOK_GOLDEN_STRIDE=N asks for every Nth (make asan does, as the sanitizers cost 3x; make test
 * takes every line). The tests' summary lines say which. */
size_t golden_stride(void);
/* "every golden line" or "every 4th golden line" (static). */
const char *golden_stride_words(void);

/* The lines of a golden file with their texts. */
typedef struct golden_lines {
    size_t n;
    uint32_t **ids;     /* NULL for error lines */
    size_t *n_ids;
    tok_text *text;
} golden_lines;

/* false (with a test failure recorded) when a file is missing or malformed. */
bool golden_load(const golden_file *f, golden_lines *out);
void golden_lines_free(golden_lines *l);

/* test_offsets.c: tok_spans_convert on spans sp[0..n) of x against a reference; false (with a
 * failure recorded) when they differ. */
bool offsets_check(const char *set, size_t lineno, const tok_text *x, const tok_span *sp,
                   size_t n);

#endif
