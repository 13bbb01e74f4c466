/* embedded_files: the WebAssembly build's side of lib's embedded_blobs.c seam. emcc cannot
 * assemble the .incbin of lib/formats/tiktoken/embedded.S and lib/registry/embedded.S, so this
 * build leaves out both of those pairs and defines their two functions here:
 *
 *   tok_embedded_vocab     reads NAME.tiktoken from the data directory on first use, checks
 *                          its SHA-256 (vocabs/MANIFEST, compiled in as TSW_VOCAB_SHA) and packs
 *                          it with tok_tiktoken_pack -- what the native build does at build
 *                          time -- then keeps the blob for the life of the module, as the native
 *                          library keeps its linked-in one.
 *   tok_models_tsv_builtin vocabs/models.tsv, compiled in as a C array (models_tsv.c, made by
 *                          the build from the same file embedded.S links).
 *
 * The data directory is the one the library already searches for the open-model packs
 * (TOK_DATADIR, "/vocabs" in this build's virtual file system); the JavaScript side puts each
 * file there before the first open that needs it (tsw_files_for in api.c says which). */
#include "formats/tiktoken/tiktoken.h"
#include "registry/registry.h"

#include <stdio.h>
#include <string.h>

#ifndef TOK_DATADIR
#error "TOK_DATADIR: the data directory of this build"
#endif

static const struct {
    const char *name, *sha256;
} vocab_sha[] = {TSW_VOCAB_SHA};
#define N_VOCABS (sizeof vocab_sha / sizeof vocab_sha[0])

static struct {
    void *blob;
    size_t len;
} loaded[N_VOCABS];

/* Why the last vocabulary failed to load ("" if none did): the library's own message says only
 * that the vocabulary is missing or damaged, api.c adds this. */
static tok_error problem;

const char *tsw_vocab_problem(void) { return problem.message; }

const void *tok_embedded_vocab(const char *name, size_t *len)
{
    for (size_t i = 0; i < N_VOCABS; i++) {
        if (strcmp(vocab_sha[i].name, name) != 0)
            continue;
        if (!loaded[i].blob) {
            char path[256];
            snprintf(path, sizeof path, "%s/%s.tiktoken", TOK_DATADIR, name);
            uint8_t *data;
            size_t n;
            if (tok_read_file(path, &data, &n, &problem) != TOK_OK)
                return NULL;
            tok_status st = tok_tiktoken_pack(data, n, path, vocab_sha[i].sha256,
                                              &loaded[i].blob, &loaded[i].len, &problem);
            free(data);
            if (st != TOK_OK)
                return NULL;
            problem.message[0] = 0;
        }
        *len = loaded[i].len;
        return loaded[i].blob;
    }
    return NULL;
}

extern const char tsw_models_tsv[];
extern const size_t tsw_models_tsv_len;

const char *tok_models_tsv_builtin(size_t *len)
{
    *len = tsw_models_tsv_len;
    return tsw_models_tsv;
}
