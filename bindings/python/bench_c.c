/* bench_c: the C library's own speed on the inputs bindings/python/bench.py measures, so the
 * two are compared in the same run on the same machine.
 *
 *   bench_c TOKENIZER DOCS_FILE SHORT_TEXT POLICY
 *
 * DOCS_FILE: documents, each an 8-byte little-endian length and its bytes. POLICY: ordinary,
 * allow or reject (the policy the Python call being compared uses). Prints one JSON line:
 * MB/s over all documents (tok_encode into a caller buffer, best of 7 passes) and the time of
 * one tok_encode of SHORT_TEXT (best of 7 rounds of 200000 calls). */
#include "tokscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread, as bench.py measures Python (less disturbed by a busy machine) */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_c TOKENIZER DOCS_FILE SHORT_TEXT POLICY\n");
        return 2;
    }
    tok_tokenizer *t;
    tok_error err;
    if (tok_open(argv[1], &t, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    tok_encode_options o = {!strcmp(argv[4], "allow")    ? TOK_SPECIAL_ALLOW
                            : !strcmp(argv[4], "reject") ? TOK_SPECIAL_REJECT
                                                         : TOK_SPECIAL_ORDINARY,
                            0};
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    size_t cap = 1 << 20, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    size_t n_docs = 0, total = 0, max_len = 0;
    const char *docs[100000];
    size_t lens[100000];
    for (size_t pos = 0; pos + 8 <= n && n_docs < 100000;) {
        unsigned long long len = 0;
        for (int k = 7; k >= 0; k--)
            len = len << 8 | (unsigned char)buf[pos + (size_t)k];
        docs[n_docs] = buf + pos + 8;
        lens[n_docs++] = (size_t)len;
        total += (size_t)len;
        max_len = len > max_len ? (size_t)len : max_len;
        pos += 8 + (size_t)len;
    }
    uint32_t *ids = malloc((max_len + 16) * sizeof *ids);
    double best = 1e30;
    size_t tokens = 0;
    for (int run = 0; run < 7; run++) {
        double t0 = now();
        tokens = 0;
        for (size_t i = 0; i < n_docs; i++) {
            size_t k;
            if (tok_encode(t, docs[i], lens[i], &o, ids, NULL, max_len + 16, &k, &err) != TOK_OK) {
                fprintf(stderr, "document %zu: %s\n", i, err.message);
                return 2;
            }
            tokens += k;
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    const char *s = argv[3];
    size_t sl = strlen(s);
    double best_call = 1e30;
    for (int run = 0; run < 7; run++) {
        double t0 = now();
        for (int i = 0; i < 200000; i++) {
            size_t k;
            tok_encode(t, s, sl, &o, ids, NULL, max_len + 16, &k, NULL);
        }
        double dt = (now() - t0) / 200000;
        best_call = dt < best_call ? dt : best_call;
    }
    printf("{\"mbps\": %.3f, \"tokens\": %zu, \"bytes\": %zu, \"docs\": %zu, \"call_ns\": %.1f}\n",
           (double)total / best / 1e6, tokens, total, n_docs, best_call * 1e9);
    tok_close(t);
    free(ids);
    free(buf);
    return 0;
}
