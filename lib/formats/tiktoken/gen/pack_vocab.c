/* pack_vocab: vocabs/NAME.tiktoken -> build/vocabs/NAME.bin, the layout vocab/vocab.c views in
 * place, so a built-in encoding costs nothing to open. Run by make; checks the file's SHA-256
 * against the one given (from vocabs/MANIFEST) first, so a damaged vocabulary never builds.
 *
 *   pack_vocab IN.tiktoken OUT.bin SHA256 */
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

    void *blob;
    size_t len;
    if (tok_tiktoken_pack(data, size, argv[1], argv[3], &blob, &len, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(blob, 1, len, f) != len || fclose(f) != 0) {
        perror(argv[2]);
        return 2;
    }
    free(blob);
    free(data);
    return 0;
}
