/* embedded_blobs: the built-in model registry, vocabs/models.tsv, linked in by embedded.S. This
 * file and embedded.S are one unit: a build that cannot assemble .incbin (WebAssembly) leaves
 * both out and defines tok_models_tsv_builtin itself (bindings/wasm/src/embedded_files.c). */
#include "registry/registry.h"

extern const char tok_models_tsv[] __attribute__((visibility("hidden")));
extern const char tok_models_tsv_end[] __attribute__((visibility("hidden")));

const char *tok_models_tsv_builtin(size_t *len)
{
    *len = (size_t)(tok_models_tsv_end - tok_models_tsv);
    return tok_models_tsv;
}
