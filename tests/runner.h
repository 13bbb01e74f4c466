/* runner.h -- the test runner: tests register themselves with TEST(name) and check with
 * CHECK(...). A failing check records file, line and message and ends that test; the run goes
 * on. The runner ends with "N passed, N failed". */
#ifndef TOKSCOPE_TEST_RUNNER_H
#define TOKSCOPE_TEST_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tokscope.h"

typedef void (*test_fn)(void);
void test_register(const char *file, const char *name, test_fn fn);
/* Record a failure of the running test (printf-style message). */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool test_failed(void);

/* The tokscope binary under test (--bin), and the compiler command the library was built with
 * (--cc, flags included), for tests that build programs against it. The cwd is the repository. */
extern const char *test_bin;
extern const char *test_cc;

#define TEST(name)                                                               \
    static void test_##name(void);                                               \
    __attribute__((constructor)) static void register_##name(void)              \
    {                                                                            \
        test_register(__FILE__, #name, test_##name);                             \
    }                                                                            \
    static void test_##name(void)

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                   \
            return;                                                              \
        }                                                                        \
    } while (0)

#define CHECK_MSG(cond, ...)                                                     \
    do {                                                                         \
        if (!(cond)) {                                                           \
            test_fail(__FILE__, __LINE__, __VA_ARGS__);                          \
            return;                                                              \
        }                                                                        \
    } while (0)

#define CHECK_EQ(a, b)                                                           \
    do {                                                                         \
        long long a_ = (long long)(a), b_ = (long long)(b);                      \
        if (a_ != b_) {                                                          \
            test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, a_, #b, b_); \
            return;                                                              \
        }                                                                        \
    } while (0)

#define CHECK_STR(a, b)                                                          \
    do {                                                                         \
        const char *a_ = (a), *b_ = (b);                                         \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                 \
            test_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #a,   \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                   \
            return;                                                              \
        }                                                                        \
    } while (0)

/* ---- helpers (util.c) ---- */

/* Read a whole file; NULL if it cannot be read. *len gets the size. Caller frees. */
char *read_file(const char *path, size_t *len);

/* Run build/tokscope with args (NULL-terminated), feeding stdin_data; capture everything. */
typedef struct cli_result {
    int status; /* exit status, or 128 + signal */
    char *out, *err;
    size_t out_len, err_len;
} cli_result;
cli_result run_cli(const char *const *args, const char *stdin_data, size_t stdin_len);
/* The same with extra environment settings ("NAME=value", NULL-terminated; may be NULL). */
cli_result run_cli_env(const char *const *args, const char *stdin_data, size_t stdin_len,
                       const char *const *env);
void cli_free(cli_result *r);

/* Deterministic random numbers for property tests. */
uint64_t test_rand(uint64_t *state);
/* A text of at most cap bytes (cap > 1,000): fragments from frag[0..nfrag) and runs of spaces
 * of every length up to 600, one opening it a time in four, one closing it a time in two (for
 * counting that takes long runs by rows). Its length. */
size_t test_runs_text(uint8_t *p, size_t cap, uint64_t *seed, const char *const *frag,
                      size_t nfrag);

/* A fresh temporary directory (removed at exit). */
const char *test_tmpdir(void);
/* A tokenizer file opened with its own loader: tok_open_memory of its bytes, since
 * tok_open_file opens a tokenizer.json that tokscope ships from its pack (api/shipped_twin.c).
 * Tests of the JSON loader's paths use this. */
tok_status test_open_json(const char *path, tok_tokenizer **out, tok_error *err);
/* The same file with every `from` made `to` (a variant of a real file: no byte fallback, a
 * truncation limit, ...), opened from memory; NULL (with a message) when it does not open or
 * `from` is not in it. from NULL: the file as it is. */
tok_tokenizer *test_open_json_edited(const char *path, const char *from, const char *to);
/* Do a and b give s[0..n) the same ids and spans (flags as tok_encode_options.flags), and a's
 * count as many and ids asked alone the same? *tokens (may be NULL) gets how many. */
bool test_same_tokens(const tok_tokenizer *a, const tok_tokenizer *b, const char *s, size_t n,
                      unsigned flags, size_t *tokens);
/* Where the reference tokenizer.json files are: $TOK_HF_DIR, else build/hf. */
const char *test_hf_dir(void);
/* Write data to path; false on error. */
bool write_file(const char *path, const void *data, size_t len);
/* The whole output of `gzip -dc path`; NULL if gzip fails. Caller frees. */
char *read_gz(const char *path, size_t *len);

/* A corpus file: one JSON string per line (tests/golden/corpus/NAME.jsonl). */
typedef struct text_lines {
    struct tok_text *v;
    size_t n;
} text_lines;
bool load_text_lines(const char *path, text_lines *out); /* false: unreadable or malformed */
void text_lines_free(text_lines *l);

#endif
