/* shipped_twin: a tokenizer.json that tokscope ships as a pack opens from the pack.
 *
 * Users pass the tokenizer.json they have (`-t llama3/tokenizer.json`, `Tokenizer.from_file`),
 * and for the open models tokscope ships that is often byte for byte the file a pack in the
 * data directory was made from (vocabs/open/MANIFEST). Parsing it takes 0.1-0.4 s, and a
 * byte-level file proves its merges are rank BPE on its first long piece (another 0.15 s); the
 * pack has both done and opens in milliseconds. The pack is the same tokenizer -- the goldens
 * check every shipped pack against the reference -- so the file opens from it, under the
 * file's name, without the pack's chat template (a tokenizer.json carries none).
 *
 * Each pack records its source's SHA-256 and length (load/packed.c). The length is compared
 * first, so a file no pack came from costs a directory listing and a page of each pack, never
 * a hash; a pack that does not record its length is compared by hash.
 *
 * A file that is not byte for byte a pack's source may still hold a shipped model: a
 * fine-tune's tokenizer.json, or one saved again, with the same vocabulary and merges and other
 * added tokens, normalizer or post-processor. It opens from its JSON, and the packs whose
 * sizes agree are named to it (tok_note_model_twins); on its first long piece the one that
 * holds the same model byte for byte lends its rank tables (formats/hf/load/packed.c) in place
 * of the 0.15 s proof (byte-level) or the build (character-level: 0.5 s for Gemma 3). */
#include "api/api.h"
#include "formats/hf/hf.h"
#include "formats/tiktoken/tiktoken.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Each pack (.tkz) of the data directories, mapped, to visit(path, map, len, view, ctx), until
 * it returns true (then it owns the mapping; the walk stops and returns true). */
typedef bool (*pack_visit)(const char *path, void *map, size_t len, const tok_pack_view *p,
                           void *ctx);
static bool each_pack(pack_visit visit, void *ctx)
{
    const char *dirs[2];
    size_t n_dirs = tok_data_dirs(dirs);
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        for (struct dirent *e; (e = readdir(d));) {
            size_t nl = strlen(e->d_name);
            if (nl < 5 || strcmp(e->d_name + nl - 4, ".tkz") != 0)
                continue;
            char path[4096];
            int k = snprintf(path, sizeof path, "%s/%s", dirs[i], e->d_name);
            if (k <= 0 || (size_t)k >= sizeof path)
                continue;
            size_t len;
            void *map = tok_map_file(path, TOK_PACK_HEADER_SIZE, &len);
            if (!map)
                continue;
            tok_pack_view p;
            if (tok_pack_read(map, len, path, &p, NULL) == TOK_OK &&
                visit(path, map, len, &p, ctx)) {
                closedir(d);
                return true;
            }
            munmap(map, len);
        }
        closedir(d);
    }
    return false;
}

typedef struct twin_search {
    const uint8_t *data;
    size_t len;
    bool hashed;
    char hex[65];
    const char *path;
    tok_tokenizer **out;
    tok_status st;
} twin_search;

/* The pack made from s->data: its recorded source length first, so a file no pack came from
 * costs a directory listing and a page of each pack, never a hash (a pack that does not record
 * its length is compared by hash); the file's SHA-256 at most once. */
static bool made_from(const char *pack, void *map, size_t len, const tok_pack_view *p, void *ctx)
{
    (void)pack, (void)len;
    twin_search *s = ctx;
    char want[65];
    uint64_t src_len;
    if (!tok_hf_pack_source(p, want, &src_len) || (src_len != UINT64_MAX && src_len != s->len))
        return false;
    if (!s->hashed) {
        tok_sha256_hex(s->data, s->len, s->hex);
        s->hashed = true;
    }
    if (memcmp(s->hex, want, 64))
        return false;
    /* A pack that fails to open (damaged since it was installed) leaves the file to its own
     * loader: the pack is only a faster way to the same tokenizer. */
    tok_error ignored;
    if (tok_open_hf_packed(p, map, true, s->path, s->out, &ignored) != TOK_OK) {
        s->st = TOK_ENOENT; /* it unmapped the pack */
        return true;
    }
    (*s->out)->chat_config = NULL;
    (*s->out)->chat_config_len = 0;
    s->st = TOK_OK;
    return true;
}

tok_status tok_open_shipped_twin(const uint8_t *data, size_t len, const char *path,
                                 tok_tokenizer **out)
{
    twin_search s = {data, len, false, {0}, path, out, TOK_ENOENT};
    return each_pack(made_from, &s) ? s.st : TOK_ENOENT;
}

/* A pack whose model may be t's (hf_pack_may_lend: the sizes agree) is named to t's lazy
 * tables; the comparison itself waits for the first long piece, which most uses never meet. */
typedef struct twin_model {
    const tok_tokenizer *t;
    const hf_model *m;
} twin_model;

static bool may_lend(const char *pack, void *map, size_t len, const tok_pack_view *p, void *ctx)
{
    (void)map, (void)len;
    const twin_model *w = ctx;
    if (hf_pack_may_lend(p, w->t, w->m))
        hf_lazy_rank_twin(w->m->lazy, pack);
    return false; /* the mapping goes; every pack is looked at */
}

void tok_note_model_twins(tok_tokenizer *t)
{
    twin_model w = {t, hf_twin_wanted(t)};
    if (w.m)
        each_pack(may_lend, &w);
}

void tok_note_builtin_twin(tok_tokenizer *t)
{
#ifndef __EMSCRIPTEN__ /* there the vocabularies are files, loaded when an encoding asks */
    if (!hf_twin_wanted(t))
        return;
    /* the largest first: p50k_base is r50k_base and 24 tokens more, and a file of p50k_base's
     * would pass r50k_base's sample, then fail its proof */
    tok_vocab w[8];
    const char *seen[8];
    size_t n = 0;
    for (size_t i = 0; i < tok_builtin_count() && n < 8; i++) {
        const tok_builtin *b = tok_builtin_find(tok_builtin_name(i));
        size_t len, k = 0;
        while (k < n && strcmp(seen[k], b->vocab) != 0)
            k++;
        const void *blob = k == n ? tok_embedded_vocab(b->vocab, &len) : NULL;
        if (blob && tok_vocab_view(&w[n], blob, len) == 0)
            seen[n++] = b->vocab;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort by size, largest first */
        for (size_t k = i; k > 0 && w[k].n_ids > w[k - 1].n_ids; k--) {
            tok_vocab x = w[k];
            w[k] = w[k - 1], w[k - 1] = x;
        }
    for (size_t i = 0; i < n; i++)
        if (hf_lazy_rank_builtin(t, &w[i]))
            return;
#else
    (void)t;
#endif
}
