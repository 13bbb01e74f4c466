/* pack_tokenizer: tokenizer.json [tokenizer_config.json] -> a tokscope pack (tok_pack), for
 * make vocabs. Uses only the public API.
 *
 *   pack_tokenizer IN.json [CONFIG.json|-] OUT */
#include "tokscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *b = realloc(buf, cap *= 2);
        if (!b)
            free(buf);
        buf = b;
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "%s: read error\n", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pack_tokenizer IN.json CONFIG.json|- OUT\n");
        return 2;
    }
    size_t len, clen = 0;
    char *data = slurp(argv[1], &len), *config = NULL;
    if (!data)
        return 2;
    if (strcmp(argv[2], "-") != 0 && !(config = slurp(argv[2], &clen)))
        return 2;
    void *pack;
    size_t plen;
    tok_error err;
    if (tok_pack(data, len, argv[1], config, clen, &pack, &plen, &err) != TOK_OK) {
        fprintf(stderr, "pack_tokenizer: %s\n", err.message);
        return 2;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(pack, 1, plen, f) != plen || fclose(f) != 0 || rename(tmp, argv[3]) != 0) {
        perror(argv[3]);
        return 2;
    }
    tok_free(pack);
    free(data);
    free(config);
    return 0;
}
