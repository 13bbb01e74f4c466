/* compact_vocab: build/vocabs/NAME.bin -> NAME.tkc, the compact form the WebAssembly build
 * loads (formats/tiktoken/compact.c; written only when it opens into the same blob), and the
 * check the loader makes of each file it reads.
 *
 *   compact_vocab IN.bin OUT.tkc
 *   compact_vocab --hash NAME=FILE.tkc...   C initializers {"NAME", 0x...ull}: the 64-bit
 *                                           tok_hash_bytes of each file */
#include "formats/tiktoken/tiktoken.h"

#include <stdio.h>
#include <string.h>

static uint8_t *slurp(const char *path, size_t *n)
{
    uint8_t *data;
    tok_error err;
    if (tok_read_file(path, &data, n, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(2);
    }
    return data;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--hash") == 0) {
        for (int i = 2; i < argc; i++) {
            char *eq = strchr(argv[i], '=');
            if (!eq) {
                fprintf(stderr, "compact_vocab: %s is not NAME=FILE\n", argv[i]);
                return 2;
            }
            size_t n;
            uint8_t *data = slurp(eq + 1, &n);
            printf("{\"%.*s\", 0x%016llxull},\n", (int)(eq - argv[i]), argv[i],
                   (unsigned long long)tok_hash_bytes(data, n));
            free(data);
        }
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: compact_vocab IN.bin OUT.tkc | --hash NAME=FILE...\n");
        return 2;
    }
    size_t n, len;
    uint8_t *blob = slurp(argv[1], &n);
    void *form;
    tok_error err;
    if (tok_tiktoken_compact(blob, n, argv[1], &form, &len, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(form, 1, len, f) != len || fclose(f) != 0) {
        perror(argv[2]);
        return 2;
    }
    free(form);
    free(blob);
    return 0;
}
