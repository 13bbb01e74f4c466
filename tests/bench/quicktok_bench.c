/* quicktok_bench: tokscope next to quicktok (dmatth1/quicktok, the fastest exact tiktoken BPE
 * published, C++20) in one process, on the same documents, single thread -- the comparison of
 * issue 13, for `make bench-quicktok QUICKTOK=DIR`. quicktok is not packaged (Debian, npm), so it
 * is never a dependency: the target builds a checkout the user provides, outside the repository,
 * and links this driver to it through quicktok's C ABI (include/quicktok.h).
 *
 *   quicktok_bench QUICKTOK_DATA_DIR [-n ROUNDS] [-w] FILE...
 *
 * Each FILE is cut at line ends into documents of about 10 KB (-w: one document, the whole file:
 * the hostile shapes). For cl100k_base and o200k_base, every document is encoded by both
 * libraries, the ids compared (a difference is reported with the document, never hidden), then
 * ROUNDS rounds (default 5) time each library over all documents, alternating, and the best
 * round of each gives MB/s (10^6 bytes of input per second). Ratios in one run are what to read:
 * the machines are shared and noisy. */
#include "tokscope.h"

#include <quicktok.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 65536 > cap) {
            char *b = realloc(buf, cap = (n + 65536) * 2);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got);
    fclose(f);
    *len = n;
    return buf;
}

typedef struct doc {
    const char *p;
    size_t n;
} doc;

/* Documents of about 10 KB, each ending at a line end (the last at the end of the text). */
static size_t split_docs(const char *s, size_t n, bool whole, doc *out, size_t cap)
{
    size_t k = 0, at = 0;
    while (at < n && k < cap) {
        size_t end = whole ? n : at + 10000;
        if (end >= n) {
            end = n;
        } else {
            const char *nl = memchr(s + end, '\n', n - end);
            end = nl ? (size_t)(nl - s) + 1 : n;
        }
        out[k++] = (doc){s + at, end - at};
        at = end;
    }
    return k;
}

static const char *qt_name(const char *enc)
{
    return !strcmp(enc, "cl100k_base") ? "cl100k_base" : "o200k_base";
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: quicktok_bench QUICKTOK_DATA_DIR [-n ROUNDS] [-w] FILE...\n");
        return 2;
    }
    const char *dir = argv[1];
    int rounds = 5, first = 2;
    bool whole = false;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "-n") && first + 1 < argc)
            rounds = atoi(argv[++first]);
        else if (!strcmp(argv[first], "-w"))
            whole = true;
        else {
            fprintf(stderr, "quicktok_bench: unknown option %s\n", argv[first]);
            return 2;
        }
    }
    if (rounds < 1)
        rounds = 1;
    static const char *const encs[] = {"cl100k_base", "o200k_base"};
    int status = 0;
    printf("%-22s %-12s %6s %10s %10s %7s  ids\n", "file", "encoding", "docs", "tokscope",
           "quicktok", "ratio");
    for (int e = 0; e < 2; e++) {
        char errbuf[512];
        qt_tokenizer *q = qt_load_dir(dir, qt_name(encs[e]), errbuf, sizeof errbuf);
        if (!q) {
            fprintf(stderr, "quicktok_bench: quicktok cannot load %s from %s: %s\n", encs[e], dir,
                    errbuf);
            return 2;
        }
        tok_tokenizer *t;
        tok_error err;
        if (tok_open(encs[e], &t, &err) != TOK_OK) {
            fprintf(stderr, "quicktok_bench: %s\n", err.message);
            return 2;
        }
        for (int f = first; f < argc; f++) {
            size_t len;
            char *text = slurp(argv[f], &len);
            if (!text) {
                fprintf(stderr, "quicktok_bench: cannot read %s\n", argv[f]);
                return 2;
            }
            size_t cap = whole ? 1 : len / 5000 + 2;
            doc *docs = malloc(cap * sizeof *docs);
            size_t nd = docs ? split_docs(text, len, whole, docs, cap) : 0;
            /* ids first: a timing of different answers means nothing */
            size_t differ = 0, first_bad = 0;
            for (size_t d = 0; d < nd; d++) {
                uint32_t *a = NULL, *b = NULL;
                size_t na = 0, nb = 0;
                tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
                bool ok = tok_encode_alloc(t, docs[d].p, docs[d].n, &o, &a, NULL, &na, &err) ==
                              TOK_OK &&
                          qt_encode(q, docs[d].p, docs[d].n, &b, &nb) == 0;
                if (!ok || na != nb || (na && memcmp(a, b, na * sizeof *a))) {
                    if (!differ++)
                        first_bad = d;
                }
                tok_free(a);
                qt_ids_free(b);
            }
            double best_t = 1e30, best_q = 1e30;
            for (int r = 0; r < rounds; r++) {
                double t0 = now();
                for (size_t d = 0; d < nd; d++) {
                    uint32_t *a = NULL;
                    size_t na = 0;
                    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
                    tok_encode_alloc(t, docs[d].p, docs[d].n, &o, &a, NULL, &na, NULL);
                    tok_free(a);
                }
                double t1 = now();
                for (size_t d = 0; d < nd; d++) {
                    uint32_t *b = NULL;
                    size_t nb = 0;
                    qt_encode(q, docs[d].p, docs[d].n, &b, &nb);
                    qt_ids_free(b);
                }
                double t2 = now();
                if (t1 - t0 < best_t)
                    best_t = t1 - t0;
                if (t2 - t1 < best_q)
                    best_q = t2 - t1;
            }
            const char *base = strrchr(argv[f], '/');
            double mb = (double)len / 1e6;
            printf("%-22s %-12s %6zu %10.1f %10.1f %6.2fx  ", base ? base + 1 : argv[f], encs[e],
                   nd, mb / best_t, mb / best_q, best_q / best_t);
            if (differ) {
                printf("%zu of %zu documents differ (first: bytes %zu..%zu)\n", differ, nd,
                       (size_t)(docs[first_bad].p - text),
                       (size_t)(docs[first_bad].p - text) + docs[first_bad].n);
                status = 1;
            } else {
                printf("identical\n");
            }
            fflush(stdout);
            free(docs);
            free(text);
        }
        tok_close(t);
        qt_tokenizer_free(q);
    }
    return status;
}
