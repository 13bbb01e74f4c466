/* spm_bench: what `spm_encode --output_format=id` does, with libtokscope -- for make bench.
 *
 *   spm_bench MODEL [FILE]
 *
 * Reads FILE (or standard input), encodes every line (split at \n, as spm_encode reads them)
 * and prints its ids separated by spaces, one line per line, so the two programs do the same
 * work and their outputs can be compared byte for byte. Single thread. */
#include "tokscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 20, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: spm_bench MODEL [FILE]\n");
        return 2;
    }
    tok_tokenizer *t;
    tok_error err;
    if (tok_open_file(argv[1], NULL, &t, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    FILE *in = argc == 3 ? fopen(argv[2], "rb") : stdin;
    if (!in) {
        perror(argv[2]);
        return 2;
    }
    size_t len;
    char *text = slurp(in, &len);
    if (!text)
        return 2;
    size_t cap = 1 << 16;
    uint32_t *ids = malloc(cap * sizeof *ids);
    char *out = malloc(1 << 20);
    size_t o = 0;
    for (char *p = text, *end = text + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p), n;
        tok_status st;
        while ((st = tok_encode(t, p, ll, NULL, ids, NULL, cap, &n, &err)) == TOK_ERANGE) {
            cap = n;
            ids = realloc(ids, cap * sizeof *ids);
        }
        if (st != TOK_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 2;
        }
        for (size_t i = 0; i < n; i++) {
            if (o > (1 << 20) - 16) {
                fwrite(out, 1, o, stdout);
                o = 0;
            }
            char d[12];
            int k = 0;
            uint32_t v = ids[i];
            do
                d[k++] = (char)('0' + v % 10);
            while ((v /= 10) != 0);
            if (i)
                out[o++] = ' ';
            while (k)
                out[o++] = d[--k];
        }
        out[o++] = '\n';
        p += ll + 1;
    }
    fwrite(out, 1, o, stdout);
    free(out);
    free(ids);
    free(text);
    tok_close(t);
    return 0;
}
