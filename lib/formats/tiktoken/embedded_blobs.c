/* embedded_blobs: the built-in vocabularies, packed at build time (gen/pack_vocab.c) and linked
 * in by embedded.S. This file and embedded.S are one unit: a build that cannot assemble .incbin
 * (WebAssembly) leaves both out and defines tok_embedded_vocab itself, loading each vocabulary
 * on first use (bindings/wasm/src/embedded_files.c). */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

#define BLOB_(name)                                                                  \
    extern const uint8_t tok_blob_##name[] __attribute__((visibility("hidden")));     \
    extern const uint8_t tok_blob_##name##_end[] __attribute__((visibility("hidden")));
BLOB_(r50k_base)
BLOB_(p50k_base)
BLOB_(cl100k_base)
BLOB_(o200k_base)
#undef BLOB_

const void *tok_embedded_vocab(const char *name, size_t *len)
{
#define PICK_(nm)                                                        \
    if (strcmp(name, #nm) == 0) {                                        \
        *len = (size_t)(tok_blob_##nm##_end - tok_blob_##nm);           \
        return tok_blob_##nm;                                            \
    }
    PICK_(r50k_base)
    PICK_(p50k_base)
    PICK_(cl100k_base)
    PICK_(o200k_base)
#undef PICK_
    return NULL;
}
