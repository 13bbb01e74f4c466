/* embed_bench: the costs tools that embed tokscope care about, for make bench, each beside
 * what a caller without the call would do.
 *
 *   embed_bench [-t TOKENIZER]... [-n RUNS] FILE...
 *
 * For each tokenizer (name or file, as tok_open takes it; default cl100k_base), on the text of
 * the files (the first megabyte of each, joined):
 *   stream     streaming decode, one id per step: nanoseconds per token (the target is under
 *              100), beside tok_decode of all the ids at once, and beside decoding everything
 *              again at each step (what a server without a stream does: quadratic, so measured
 *              on the first RE_TOKENS tokens);
 *   limit      tok_count_limit on a 100 MB text (the text repeated) with limits 1000 and
 *              100000: microseconds per call, beside tok_count of the whole 100 MB;
 *   truncate   tok_truncate of the same text to 1000 tokens: microseconds;
 *   counter    the first RE_BYTES bytes appended to a tok_counter in 64-byte chunks:
 *              nanoseconds per append, beside counting the whole text again after each append
 *              (what a chat box without a counter does: quadratic).
 * Best of RUNS (default 5; fewer when a measurement takes seconds -- a tokenizer with no cuts
 * encodes the whole 100 MB for every budget): the machines are shared and noisy. One "RESULT tokenizer what value
 * unit (...)" line each, with the ratio to the alternative. Nothing is asserted: make bench
 * reports. */
#include "tokscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RE_TOKENS 4096 /* tokens decoded again at every step */
#define RE_BYTES 32768 /* bytes appended, and counted again at every append */
#define SLOW 2.0 /* seconds: a measurement that took longer is not repeated */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp_prefix(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    *len = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    /* end at a character boundary */
    while (*len > 0 && ((unsigned char)buf[*len - 1] & 0xC0) == 0x80)
        --*len;
    if (*len > 0 && (unsigned char)buf[*len - 1] >= 0xC0)
        --*len;
    return buf;
}

static void die(const char *what, const tok_error *err)
{
    fprintf(stderr, "embed_bench: %s: %s\n", what, err->message);
    exit(2);
}

static void bench(const char *name, const char *text, size_t len, int runs)
{
    tok_tokenizer *t;
    tok_error err;
    if (tok_open(name, &t, &err) != TOK_OK)
        die(name, &err);
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8};
    uint32_t *ids;
    size_t n;
    if (tok_encode_alloc(t, text, len, &o, &ids, NULL, &n, &err) != TOK_OK)
        die(name, &err);
    const char *label = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    if (!strcmp(label, "tokenizer.json")) { /* hf/llama3/tokenizer.json -> llama3 */
        static char dir[256];
        snprintf(dir, sizeof dir, "%.*s", (int)(label - 1 - name), name);
        label = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    }

    /* streaming decode, one id a step */
    tok_decode_stream *s;
    if (tok_decode_stream_new(t, 0, &s, &err) != TOK_OK)
        die(name, &err);
    double best = 1e30, best_all = 1e30;
    size_t out = 0;
    for (int r = 0; r < runs && (r == 0 || best * r < SLOW); r++) {
        double t0 = now();
        const char *p;
        size_t pl;
        for (size_t i = 0; i < n; i++) {
            tok_decode_stream_step(s, ids + i, 1, &p, &pl, NULL);
            out += pl;
        }
        tok_decode_stream_flush(s, &p, &pl, NULL);
        double t1 = now();
        best = t1 - t0 < best ? t1 - t0 : best;
        char *all;
        size_t al;
        t0 = now();
        tok_decode_alloc(t, ids, n, 0, &all, &al, NULL);
        t1 = now();
        tok_free(all);
        best_all = t1 - t0 < best_all ? t1 - t0 : best_all;
    }
    tok_decode_stream_free(s);
    /* without a stream: decode ids[0..i] again at every step i and print what is new */
    size_t rn = n < RE_TOKENS ? n : RE_TOKENS;
    double best_re = 1e30;
    for (int r = 0; r < runs && (r == 0 || best_re * r < SLOW); r++) {
        double t0 = now();
        for (size_t i = 1; i <= rn; i++) {
            char *all;
            size_t al;
            tok_decode_alloc(t, ids, i, 0, &all, &al, NULL);
            out += al;
            tok_free(all);
        }
        double t1 = now();
        best_re = t1 - t0 < best_re ? t1 - t0 : best_re;
    }
    printf("RESULT %s stream_step %.1f ns/token (%zu tokens; tok_decode of all at once: %.1f "
           "ns/token; decoding again at each step, first %zu tokens: %.1f ns/token, x%.0f)\n",
           label, best * 1e9 / (double)n, n, best_all * 1e9 / (double)n, rn,
           best_re * 1e9 / (double)rn, best_re / (double)rn / (best / (double)n));

    /* budgets on 100 MB */
    size_t big = (size_t)100 << 20;
    char *huge = malloc(big);
    for (size_t at = 0; at < big; at += len)
        memcpy(huge + at, text, big - at < len ? big - at : len);
    double full = now();
    size_t full_n = 0;
    if (tok_count(t, huge, big, &o, &full_n, &err) != TOK_OK)
        die(name, &err);
    full = now() - full; /* once: it is the slow side */
    printf("RESULT %s count_100MB %.1f us (%zu tokens)\n", label, full * 1e6, full_n);
    size_t limits[2] = {1000, 100000};
    for (int l = 0; l < 2; l++) {
        best = 1e30;
        size_t c = 0, e = 0;
        for (int r = 0; r < runs * 4 && (r == 0 || best * r < SLOW); r++) {
            double t0 = now();
            if (tok_count_limit(t, huge, big, &o, limits[l], &c, &e, &err) != TOK_OK)
                die(name, &err);
            double t1 = now();
            best = t1 - t0 < best ? t1 - t0 : best;
        }
        printf("RESULT %s count_limit_100MB_%zu %.1f us (count %zu, end %zu; x%.0f faster than "
               "tok_count of it all)\n", label, limits[l], best * 1e6, c, e, full / best);
    }
    best = 1e30;
    size_t cut = 0, cnt = 0;
    for (int r = 0; r < runs && (r == 0 || best * r < SLOW); r++) {
        double t0 = now();
        if (tok_truncate(t, huge, big, &o, 1000, 0, &cut, &cnt, &err) != TOK_OK)
            die(name, &err);
        double t1 = now();
        best = t1 - t0 < best ? t1 - t0 : best;
    }
    printf("RESULT %s truncate_100MB_1000 %.1f us (kept %zu bytes, %zu tokens; x%.0f faster "
           "than tok_count of it all)\n", label, best * 1e6, cut, cnt, full / best);
    free(huge);

    /* a growing text: a counter, and counting the text again after each append */
    size_t rb = len < RE_BYTES ? len : RE_BYTES, ra = (rb + 63) / 64;
    double best_k = 1e30, best_r = 1e30;
    size_t total = 0, fresh = 0;
    for (int r = 0; r < runs && (r == 0 || (best_k + best_r) * r < SLOW); r++) {
        tok_counter *k;
        if (tok_counter_new(t, &o, &k, &err) != TOK_OK)
            die(name, &err);
        double t0 = now();
        for (size_t at = 0; at < rb; at += 64)
            tok_counter_append(k, text + at, rb - at < 64 ? rb - at : 64, &total, NULL);
        double t1 = now();
        best_k = t1 - t0 < best_k ? t1 - t0 : best_k;
        tok_counter_free(k);
        t0 = now();
        for (size_t at = 64; at < rb + 64; at += 64)
            tok_count(t, text, at < rb ? at : rb, &o, &fresh, NULL);
        t1 = now();
        best_r = t1 - t0 < best_r ? t1 - t0 : best_r;
    }
    printf("RESULT %s counter_append_64B %.1f ns/append (%zu appends, the first %zu bytes; "
           "counting all again after each: %.1f ns/append, x%.0f; totals %zu and %zu)\n",
           label, best_k * 1e9 / (double)ra, ra, rb, best_r * 1e9 / (double)ra,
           best_r / best_k, total, fresh);
    tok_free(ids);
    tok_close(t);
}

int main(int argc, char **argv)
{
    const char *toks[16];
    int n_tok = 0, runs = 5, first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "-t") && first + 1 < argc && n_tok < 16)
            toks[n_tok++] = argv[++first];
        else if (!strcmp(argv[first], "-n") && first + 1 < argc)
            runs = atoi(argv[++first]);
        else {
            fprintf(stderr, "usage: embed_bench [-t TOKENIZER]... [-n RUNS] FILE...\n");
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: embed_bench [-t TOKENIZER]... [-n RUNS] FILE...\n");
        return 2;
    }
    if (!n_tok)
        toks[n_tok++] = "cl100k_base";
    size_t len = 0, cap = 0;
    char *text = NULL;
    for (int f = first; f < argc; f++) {
        size_t l;
        char *part = slurp_prefix(argv[f], (size_t)1 << 20, &l);
        if (!part) {
            fprintf(stderr, "embed_bench: cannot read %s\n", argv[f]);
            return 2;
        }
        if (len + l > cap) {
            cap = (len + l) * 2;
            text = realloc(text, cap);
        }
        memcpy(text + len, part, l);
        len += l;
        free(part);
    }
    for (int k = 0; k < n_tok; k++)
        bench(toks[k], text, len, runs);
    free(text);
    return 0;
}
