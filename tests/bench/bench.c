/* bench: tokscope's single-thread speed on files, for make bench.
 *
 *   bench [-e ENC | -t FILE]... [-n RUNS] [-c] [-s] FILE...
 *
 * -c encodes the text in chunks of about 4 KB cut at line ends (as tests/bench/hf_bench.mjs
 * does for the reference), instead of as one string. -s matches special tokens written in the
 * text (TOK_SPECIAL_ALLOW), as HF tokenizers' encode does: a corpus that quotes "[MASK]" then
 * counts as it does there (without it, tokscope's default reads such text as plain text).
 *
 * For each file and encoding: encode (ids materialised) and count, best of RUNS, in MB/s
 * (10^6 bytes per second of input), one "RESULT file enc mode mbps tokens" line each. Best-of
 * because the machines are shared and noisy; ratios to the references, measured in the same
 * run, are what make bench reports. */
#include "tokscope.h"

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
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    const char *encs[16];
    int n_enc = 0, runs = 5, first = 1;
    bool chunked = false;
    tok_encode_options opts = {TOK_SPECIAL_ORDINARY, 0};
    for (; first < argc && argv[first][0] == '-'; first++) {
        if ((!strcmp(argv[first], "-e") || !strcmp(argv[first], "-t")) && first + 1 < argc &&
            n_enc < 16)
            encs[n_enc++] = argv[++first];
        else if (!strcmp(argv[first], "-c"))
            chunked = true;
        else if (!strcmp(argv[first], "-s"))
            opts.special = TOK_SPECIAL_ALLOW;
        else if (!strcmp(argv[first], "-n") && first + 1 < argc)
            runs = atoi(argv[++first]);
        else {
            fprintf(stderr, "usage: bench [-e ENC | -t FILE]... [-n RUNS] [-c] [-s] FILE...\n");
            return 2;
        }
    }
    if (!n_enc)
        encs[n_enc++] = "cl100k_base";
    for (int e = 0; e < n_enc; e++) {
        tok_tokenizer *t;
        tok_error err;
        double t0 = now();
        if (tok_open(encs[e], &t, &err) != TOK_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 2;
        }
        printf("OPEN %s %.3f ms\n", encs[e], (now() - t0) * 1e3);
        /* a tokenizer.json is labelled by its directory (hf/llama3/tokenizer.json -> llama3),
         * another file by its name (vocabs/llama3.tkz -> llama3.tkz) */
        char label[128];
        snprintf(label, sizeof label, "%s", encs[e]);
        char *slash = strrchr(label, '/');
        if (slash && !strcmp(slash + 1, "tokenizer.json")) {
            *slash = 0;
            char *dir = strrchr(label, '/');
            memmove(label, dir ? dir + 1 : label, strlen(dir ? dir + 1 : label) + 1);
        } else if (slash) {
            memmove(label, slash + 1, strlen(slash + 1) + 1);
        }
        for (int i = first; i < argc; i++) {
            size_t len;
            char *text = slurp(argv[i], &len);
            if (!text) {
                perror(argv[i]);
                return 2;
            }
            for (int mode = 0; mode < 2; mode++) {
                double best = 1e30;
                size_t n = 0;
                for (int r = 0; r < runs; r++) {
                    double a = now();
                    tok_status st = TOK_OK;
                    n = 0;
                    for (size_t at = 0; at < len && st == TOK_OK;) {
                        size_t end = len;
                        if (chunked) {
                            end = at + 4096 < len ? at + 4096 : len;
                            const char *nl = memchr(text + end, '\n', len - end);
                            end = nl ? (size_t)(nl - text) + 1 : len;
                        }
                        size_t k;
                        if (mode == 0) {
                            uint32_t *ids;
                            st = tok_encode_alloc(t, text + at, end - at, &opts, &ids, NULL, &k, &err);
                            tok_free(ids);
                        } else {
                            st = tok_count(t, text + at, end - at, &opts, &k, &err);
                        }
                        n += k;
                        at = end;
                    }
                    double d = now() - a;
                    if (st != TOK_OK) {
                        fprintf(stderr, "%s: %s\n", argv[i], err.message);
                        return 2;
                    }
                    if (d < best)
                        best = d;
                }
                printf("RESULT %s %s %s %.2f %zu\n", argv[i], label, mode ? "count" : "encode",
                       (double)len / best / 1e6, n);
                fflush(stdout);
            }
            free(text);
        }
        tok_close(t);
    }
    return 0;
}
