/* embedded_files: the WebAssembly build's side of lib's embedded_blobs.c seam. emcc cannot
 * assemble the .incbin of lib/formats/tiktoken/embedded.S and lib/registry/embedded.S, so this
 * build leaves out both of those pairs and defines their two functions here:
 *
 *   tok_embedded_vocab     reads NAME.tkc from the data directory on first use -- the compact
 *                          form of the native build's packed blob (formats/tiktoken/compact.c:
 *                          1.2 MB gzipped for o200k_base, against 1.7 MB for its .tiktoken
 *                          text and 8.6 MB for the blob) --, checks it is the file this build
 *                          made (its 64-bit tok_hash_bytes, compiled in as TSW_VOCAB_HASH),
 *                          opens it into the blob byte for byte, then keeps the blob for the
 *                          life of the module, as the native library keeps its linked-in one.
 *                          Packing the .tiktoken text here instead cost 3-6 times the first
 *                          open of npm tiktoken (the proofs of tok_tiktoken_pack).
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
    const char *name;
    uint64_t hash;
} vocab_hash[] = {TSW_VOCAB_HASH};
#define N_VOCABS (sizeof vocab_hash / sizeof vocab_hash[0])

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
        if (strcmp(vocab_hash[i].name, name) != 0)
            continue;
        if (!loaded[i].blob) {
            char path[256];
            snprintf(path, sizeof path, "%s/%s.tkc", TOK_DATADIR, name);
            uint8_t *data;
            size_t n;
            if (tok_read_file(path, &data, &n, &problem) != TOK_OK)
                return NULL;
            tok_status st = TOK_OK;
            if (tok_hash_bytes(data, n) != vocab_hash[i].hash)
                st = tok_fail(&problem, TOK_EFORMAT, path, TOK_NO_OFFSET,
                              "%s is not the file this build made, another version's?", path);
            else
                st = tok_tiktoken_uncompact(data, n, path, &loaded[i].blob, &loaded[i].len,
                                            &problem);
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
