/* libFuzzer: the .tiktoken loader on arbitrary bytes never crashes, and what it accepts encodes
 * and decodes consistently. The data is a .tiktoken file split with cl100k_base's pattern. */
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    tok_open_options o = {.pattern = "cl100k_base"};
    tok_tokenizer *t;
    tok_error err;
    tok_status st = tok_open_memory(data, size, "fuzz.tiktoken", &o, &t, &err);
    if (st != TOK_OK) {
        if (!err.message[0])
            abort(); /* every failure explains itself */
        return 0;
    }
    static const char text[] = "Hello, world! 123 \xE6\x97\xA5\xE6\x9C\xAC   \n\n";
    uint32_t *ids;
    size_t n, bl;
    char *back;
    if (tok_encode_alloc(t, text, sizeof text - 1, NULL, &ids, NULL, &n, NULL) != TOK_OK)
        abort();
    if (tok_decode_alloc(t, ids, n, 0, &back, &bl, NULL) != TOK_OK || bl != sizeof text - 1 ||
        memcmp(back, text, bl) != 0)
        abort();
    tok_free(back);
    tok_free(ids);
    tok_close(t);
    return 0;
}
