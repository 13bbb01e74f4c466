/* pack_vocab: vocabs/NAME.tiktoken -> build/vocabs/NAME.bin, the layout vocab/vocab.c views in
 * place, so a built-in encoding costs nothing to open. Run by make; checks the file's SHA-256
 * against the one given (from vocabs/MANIFEST) first, so a damaged vocabulary never builds.
 *
 *   pack_vocab IN.tiktoken OUT.bin SHA256 */
#include "algo/algo.h"
#include "formats/tiktoken/tiktoken.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pack_vocab IN.tiktoken OUT.bin SHA256\n");
        return 2;
    }
    uint8_t *data;
    size_t size;
    tok_error err;
    if (tok_read_file(argv[1], &data, &size, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }

    uint8_t digest[32];
    char hex[65];
    tok_sha256(data, size, digest);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    if (strcmp(hex, argv[3]) != 0) {
        fprintf(stderr, "%s: SHA-256 is %s, MANIFEST says %s\n", argv[1], hex, argv[3]);
        return 2;
    }
    tok_vocab v;
    if (tok_tiktoken_parse(data, size, argv[1], &v, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    if (tok_bpe_tables_add(&v) != 0) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    void *blob;
    size_t len;
    if (tok_vocab_pack(&v, &blob, &len) != 0) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(blob, 1, len, f) != len || fclose(f) != 0) {
        perror(argv[2]);
        return 2;
    }
    free(blob);
    tok_vocab_free(&v);
    free(data);
    return 0;
}
