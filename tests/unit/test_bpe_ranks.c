/* bpe_ranks: the rank-BPE core on vocabularies that are not what BPE training makes, and
 * tokenizer.json merges recognised (or not) as tiktoken's rank BPE.
 *
 * - A token whose last merge joins a token ranked after it (Llama 3 has about a hundred) is
 *   left out of the linear encoder's tables; a piece holding its bytes goes to tiktoken's merge,
 *   every other piece to the linear encoder, and both give tiktoken's merge result.
 * - Packed files whose merges are rank BPE are found to be; a file with one merge dropped is
 *   not (the pack then keeps HF's merge loop), and either way the pack encodes as the file. */
#include "algo/algo.h"
#include "base/pack.h"
#include "conformance/goldens.h"
#include "core/core.h"
#include "formats/hf/hf.h"
#include "runner.h"
#include "tokscope.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The bytes, then "ab" 256, "abcd" 257, "abc" 258: BPE of "abcd" makes "ab", then "abc" (258),
 * then "abcd" (257) -- a token made last from one ranked after it. */
static void odd_vocab(tok_vocab *v)
{
    static const uint8_t *p[259];
    static uint32_t lens[259], ids[259];
    static uint8_t bytes[256];
    static const char *multi[] = {"ab", "abcd", "abc"};
    for (int i = 0; i < 256; i++) {
        bytes[i] = (uint8_t)i;
        p[i] = bytes + i;
        lens[i] = 1;
        ids[i] = (uint32_t)i;
    }
    for (int i = 0; i < 3; i++) {
        p[256 + i] = (const uint8_t *)multi[i];
        lens[256 + i] = (uint32_t)strlen(multi[i]);
        ids[256 + i] = 256u + (uint32_t)i;
    }
    size_t dup;
    if (tok_vocab_build(v, 259, p, lens, ids, &dup) != 0)
        abort();
}

/* tiktoken's merge (the heap) and the rank core's answer on p[0..n) are the same. */
static bool core_is_merge(const tok_vocab *v, const uint8_t *p, size_t n, tok_scratch *sc)
{
    uint32_t *ids = malloc(n * 4), *starts = malloc((n + 1) * 4), got[2048];
    tok_span spans[2048];
    void *work = malloc(tok_bpe_rank_heap_work(n));
    size_t m = tok_bpe_rank_merge_heap(v, p, n, ids, starts, work);
    tok_out o = {.ids = got, .spans = spans, .cap = 2048, .want_spans = true};
    bool ok = tok_bpe_rank_parts(v, p, n, 0, &o, sc) && o.n == m;
    for (size_t k = 0; ok && k < m; k++)
        ok = got[k] == ids[k] && spans[k].start == starts[k] && spans[k].end == starts[k + 1];
    free(ids), free(starts), free(work);
    return ok;
}

TEST(bpe_tables_leave_out_tokens_made_from_later_ones)
{
    tok_vocab v;
    odd_vocab(&v);
    CHECK_EQ(tok_bpe_tables_add(&v), 0);
    CHECK(v.split != NULL);
    CHECK_EQ(v.n_anom, 1);
    CHECK_EQ(v.anom[0], 257);
    CHECK(v.split[2 * 257] == TOK_NO_ID);                       /* left out */
    CHECK(v.split[2 * 258] == 256 && v.split[2 * 258 + 1] == 'c'); /* "abc" = "ab" + "c" */
    CHECK(tok_bpe_piece_has_anom(&v, (const uint8_t *)"xxabcdxx", 8));
    CHECK(!tok_bpe_piece_has_anom(&v, (const uint8_t *)"xxabcxdx", 8));
    /* long pieces over a small alphabet, with and without "abcd" */
    tok_scratch sc = {0};
    uint64_t seed = 41;
    uint8_t p[400];
    size_t with = 0;
    for (int r = 0; r < 3000; r++) {
        size_t n = 17 + test_rand(&seed) % 380;
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)"abcdx"[test_rand(&seed) % (r % 2 ? 5 : 4)];
        with += tok_bpe_piece_has_anom(&v, p, n);
        CHECK_MSG(core_is_merge(&v, p, n, &sc), "piece %d (%zu bytes) differs from the merge", r, n);
    }
    CHECK(with > 100 && with < 2900); /* both routes were taken */
    free(sc.buf);
    tok_vocab_free(&v);
}

static void *pack_file(const char *path, size_t *plen)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data)
        return NULL;
    void *p = NULL;
    tok_error err;
    tok_status st = tok_pack(data, len, path, NULL, 0, &p, plen, &err);
    free(data);
    return st == TOK_OK ? p : NULL;
}

/* Llama 3: rank BPE with anomalous tokens; the core agrees with the merge on random pieces made
 * of fragments that include the anomalous tokens' bytes. */
TEST(bpe_ranks_llama3_core_matches_merge)
{
    char path[512];
    snprintf(path, sizeof path, "%s/llama3/tokenizer.json", test_hf_dir());
    size_t plen;
    void *blob = pack_file(path, &plen);
    CHECK_MSG(blob, "%s: cannot pack (make hf-vocabs)", path);
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(tok_open_memory(blob, plen, "llama3", NULL, &t, &err) == TOK_OK, "%s", err.message);
    free(blob);
    const hf_pipeline *hp = t->impl;
    CHECK(hp->fast && hp->model.rank_bpe);
    const tok_vocab *v = &t->vocab;
    CHECK(v->split != NULL && v->n_anom > 50);
    static const char *frags[] = {".:", ".:.", ":", " ngh", "i\xe1\xbb\x87", "p", "a", " ", "aa",
                                  "\xe4\xb8\x80", "\xe6\x97\xa5\xe6\x9c\xac", "12", "!", "=="};
    enum { N_FRAGS = sizeof frags / sizeof frags[0] };
    tok_scratch sc = {0};
    uint64_t seed = 42;
    uint8_t p[700];
    size_t with = 0;
    for (int r = 0; r < 4000; r++) {
        size_t n = 0, want = 17 + test_rand(&seed) % (r % 10 ? 60 : 600);
        while (n < want) {
            const char *f = frags[test_rand(&seed) % N_FRAGS];
            size_t l = strlen(f);
            if (n + l > sizeof p)
                break;
            memcpy(p + n, f, l);
            n += l;
        }
        with += tok_bpe_piece_has_anom(v, p, n);
        CHECK_MSG(core_is_merge(v, p, n, &sc), "llama3: piece %d (%zu bytes) differs", r, n);
    }
    CHECK(with > 0);
    free(sc.buf);
    tok_close(t);
}

/* A file with one merge dropped is not rank BPE; the pack then runs HF's merges, as the file. */
TEST(bpe_ranks_refuses_merges_tiktoken_would_not_make)
{
    size_t len;
    char *data = read_file("tests/data/tiny_bytelevel.json", &len);
    CHECK(data);
    tok_tokenizer *t;
    tok_error err;
    void *blob;
    size_t plen;
    CHECK(tok_pack(data, len, "tiny", NULL, 0, &blob, &plen, &err) == TOK_OK);
    CHECK(tok_open_memory(blob, plen, "tiny", NULL, &t, &err) == TOK_OK);
    free(blob);
    const hf_pipeline *hp = t->impl;
    CHECK(hp->fast && hp->model.rank_bpe);
    tok_close(t);
    /* drop "h e": "he" is still a token, tiktoken would make it, HF no longer does */
    char *at = strstr(data, "\"h e\",");
    CHECK(at);
    memmove(at, at + 6, len - (size_t)(at + 6 - data) + 1);
    len -= 6;
    tok_tokenizer *file;
    CHECK_MSG(tok_open_memory(data, len, "tiny-1", NULL, &file, &err) == TOK_OK, "%s", err.message);
    CHECK(tok_pack(data, len, "tiny-1", NULL, 0, &blob, &plen, &err) == TOK_OK);
    CHECK(tok_open_memory(blob, plen, "tiny-1", NULL, &t, &err) == TOK_OK);
    free(blob);
    hp = t->impl;
    CHECK(hp->fast && !hp->model.rank_bpe);
    const char *s = "hello there, hell and heaven";
    uint32_t a[64], b[64];
    size_t na, nb;
    CHECK(tok_encode(file, s, strlen(s), NULL, a, NULL, 64, &na, NULL) == TOK_OK);
    CHECK(tok_encode(t, s, strlen(s), NULL, b, NULL, 64, &nb, NULL) == TOK_OK);
    CHECK(na == nb && memcmp(a, b, na * 4) == 0);
    tok_close(t);
    tok_close(file);
    free(data);
}

/* Hostile text of about n bytes, one of eight shapes, each one long piece for Llama 3's split. */
static size_t hostile_text(int shape, uint8_t *p, size_t n, uint64_t *seed)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char *frags[] = {".:", ".:.", ":", "::", "...", ","};
    size_t k = 0;
    while (k + 3 <= n) {
        switch (shape) {
        case 0: p[k++] = 'a'; break;
        case 1: p[k] = k % 2 ? 'b' : 'a'; k++; break;
        case 2: p[k++] = (uint8_t)b64[test_rand(seed) % 64]; break;
        case 3: memcpy(p + k, "\xe4\xb8\x80", 3); k += 3; break; /* U+4E00 */
        case 4: { /* a random ideograph U+4E00..U+9FFF */
            uint32_t c = 0x4E00 + (uint32_t)(test_rand(seed) % 0x5200);
            p[k++] = (uint8_t)(0xE0 | c >> 12);
            p[k++] = (uint8_t)(0x80 | (c >> 6 & 63));
            p[k++] = (uint8_t)(0x80 | (c & 63));
            break;
        }
        case 5: p[k++] = ' '; break;
        case 6: p[k++] = '\n'; break;
        default: { /* the bytes of tokens the tables leave out (the merge serves these) */
            const char *f = frags[test_rand(seed) % 6];
            size_t l = strlen(f);
            memcpy(p + k, f, l);
            k += l;
            break;
        }
        }
    }
    return k;
}

/* A byte-level tokenizer.json opened without a pack asks whether its merges are rank BPE on
 * the first piece of HF_RANK_LAZY_MIN bytes, then encodes long pieces with the rank core: the
 * same ids and spans as HF's merge loop (the general path) on every hostile shape. */
TEST(bpe_ranks_lazy_on_long_pieces_matches_merge_loop)
{
    char path[512];
    snprintf(path, sizeof path, "%s/llama3/tokenizer.json", test_hf_dir());
    tok_tokenizer *t, *g;
    tok_error err;
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s (make hf-vocabs)", err.message);
    CHECK(test_open_json(path, &g, &err) == TOK_OK);
    hf_use_general_path(g);
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    CHECK(!m->rank_bpe && m->lazy && atomic_load(&m->lazy->state) == 0);
    size_t cap = HF_RANK_LAZY_MIN + 4096;
    uint8_t *p = malloc(cap);
    uint64_t seed = 14;
    for (int shape = 0; shape < 8; shape++) {
        size_t n = hostile_text(shape, p, cap, &seed);
        uint32_t *a, *b;
        tok_span *sa, *sb;
        size_t na, nb;
        CHECK(tok_encode_alloc(t, (const char *)p, n, NULL, &a, &sa, &na, &err) == TOK_OK);
        CHECK(tok_encode_alloc(g, (const char *)p, n, NULL, &b, &sb, &nb, &err) == TOK_OK);
        CHECK_MSG(na == nb && !memcmp(a, b, na * 4) && !memcmp(sa, sb, na * sizeof *sa),
                  "shape %d: %zu tokens against the merge loop's %zu", shape, na, nb);
        free(a), free(b), free(sa), free(sb);
    }
    CHECK(atomic_load(&m->lazy->state) == 1); /* the rank core did serve */
    free(p);
    tok_close(t);
    tok_close(g);
}

/* Character-level BPE (Metaspace; SentencePiece's characters ranked last): a word of
 * HF_RANK_LAZY_MIN bytes or more goes to the rank core over a renumbered vocabulary when the
 * merges are rank BPE over characters. Same ids and spans as HF's merge loop (the same file
 * with the lazy path removed) on every hostile shape; shapes with characters that are not
 * tokens (byte fallback) keep the merge loop. */
static void char_level_path(const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s/tokenizer.json", test_hf_dir(), name);
    if (access(path, R_OK) != 0)
        snprintf(path, size, "tests/golden/hf/tokenizers/%s/tokenizer.json", name);
}

/* The file at path packed in memory and opened (NULL: cannot). */
static tok_tokenizer *open_packed(const char *path)
{
    size_t plen;
    void *blob = pack_file(path, &plen);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (blob && tok_open_memory(blob, plen, path, NULL, &t, &err) != TOK_OK)
        t = NULL;
    free(blob);
    return t;
}

/* Does p point into the pack t was opened from? */
static bool in_pack(const tok_tokenizer *t, const void *p)
{
    const hf_pipeline *hp = t->impl;
    const uint8_t *b = hp->backing, *q = p;
    return b && q && q >= b && q < b + hp->backing_len;
}

/* The character-level rank tables of t's model were read from its pack, none built: the
 * vocabulary, its tables and the id map all point into the pack, nothing is on the heap. */
static bool served_from_pack(const tok_tokenizer *t)
{
    const hf_lazy_rank *z = ((const hf_pipeline *)t->impl)->model.lazy;
    const tok_char_rank *cr = z ? &z->cr : NULL;
    return z && z->from_pack && atomic_load(&z->state) == 1 && cr->in_place && !cr->v.heap &&
           !cr->v.heap_bpe && in_pack(t, cr->v.bytes) && in_pack(t, cr->v.split) &&
           in_pack(t, cr->v.trie) && in_pack(t, cr->to_model);
}

static void char_level_matches(const char *name, bool want_rank, bool packed)
{
    char path[512];
    char_level_path(name, path, sizeof path);
    tok_tokenizer *t = NULL, *g;
    tok_error err;
    if (packed)
        CHECK_MSG(t = open_packed(path), "%s: cannot pack and open (make hf-vocabs)", path);
    else
        CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s (make hf-vocabs)", err.message);
    CHECK(test_open_json(path, &g, &err) == TOK_OK);
    hf_model *gm = &((hf_pipeline *)g->impl)->model;
    hf_lazy_rank_free(gm->lazy);
    gm->lazy = NULL; /* g: HF's merge loop only */
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    CHECK_MSG(!m->byte_level && m->lazy, "%s: not a character-level BPE with the lazy check", name);
    CHECK_MSG(m->lazy->from_pack == (packed && want_rank), "%s: from_pack %d", name,
              m->lazy->from_pack);
    CHECK(atomic_load(&m->lazy->state) == 0);
    size_t cap = HF_RANK_LAZY_MIN + 4096;
    uint8_t *p = malloc(cap);
    uint64_t seed = 15;
    for (int shape = 0; shape < 8; shape++) {
        size_t n = hostile_text(shape, p, cap, &seed);
        uint32_t *a, *b;
        tok_span *sa, *sb;
        size_t na, nb;
        CHECK(tok_encode_alloc(t, (const char *)p, n, NULL, &a, &sa, &na, &err) == TOK_OK);
        CHECK(tok_encode_alloc(g, (const char *)p, n, NULL, &b, &sb, &nb, &err) == TOK_OK);
        CHECK_MSG(na == nb && !memcmp(a, b, na * 4) && !memcmp(sa, sb, na * sizeof *sa),
                  "%s, shape %d: %zu tokens against the merge loop's %zu", name, shape, na, nb);
        free(a), free(b), free(sa), free(sb);
    }
    CHECK_MSG(atomic_load(&m->lazy->state) == (want_rank ? 1 : 2), "%s: state %d", name,
              atomic_load(&m->lazy->state));
    if (packed && want_rank)
        CHECK_MSG(served_from_pack(t), "%s: the pack's tables were not what served", name);
    free(p);
    tok_close(t);
    tok_close(g);
}

TEST(bpe_ranks_lazy_char_level_mistral) { char_level_matches("mistral_7b", true, false); }
TEST(bpe_ranks_lazy_char_level_gemma3) { char_level_matches("gemma3", true, false); }
TEST(bpe_ranks_lazy_char_level_llama_like) { char_level_matches("gen_bpe_llama_like", true, false); }

/* Packed, the same: the pack holds the renumbered vocabulary and its tables (made by tok_pack),
 * and the first long word reads them in place -- no build, nothing on the heap. */
TEST(bpe_ranks_packed_char_level_mistral) { char_level_matches("mistral_7b", true, true); }
TEST(bpe_ranks_packed_char_level_gemma3) { char_level_matches("gemma3", true, true); }
TEST(bpe_ranks_packed_char_level_gemma2) { char_level_matches("gemma2", true, true); }
TEST(bpe_ranks_packed_char_level_llama_like) { char_level_matches("gen_bpe_llama_like", true, true); }

/* The packs make vocabs ships, opened by model name, hold the tables: a long word is served
 * from them, none built. */
static void shipped_serves_from_pack(const char *model)
{
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(tok_open_model(model, &t, &err) == TOK_OK, "%s: %s (make vocabs)", model, err.message);
    CHECK_MSG(strstr(tok_name(t), ".tkz"), "%s opened %s, not a shipped pack", model, tok_name(t));
    const hf_lazy_rank *z = ((const hf_pipeline *)t->impl)->model.lazy;
    CHECK_MSG(z && z->from_pack, "%s: the shipped pack has no character-level rank tables", model);
    size_t n = HF_RANK_LAZY_MIN + 1000;
    char *p = malloc(n);
    memset(p, 'a', n);
    size_t count;
    CHECK(tok_count(t, p, n, NULL, &count, &err) == TOK_OK);
    CHECK_MSG(served_from_pack(t), "%s: the pack's tables were not what served", model);
    free(p);
    tok_close(t);
}

TEST(bpe_ranks_shipped_char_level_packs_hold_tables)
{
    shipped_serves_from_pack("gemma-3-4b");
    shipped_serves_from_pack("gemma-2-9b");
    shipped_serves_from_pack("open-mistral-7b");
}

/* Damaged tables in a pack: a section whose length is not whole ids is refused when the pack
 * opens, naming it; damaged contents are found on the first long word, which then gets HF's
 * merge loop -- never a crash or a read outside the pack (make asan runs this). */
static uint8_t *section_entry(uint8_t *pack, size_t len, uint32_t kind, uint64_t *off, uint64_t *n)
{
    uint32_t ns;
    memcpy(&ns, pack + 24, 4);
    for (uint32_t i = 0; i < ns && TOK_PACK_HEADER_SIZE + 24 * (size_t)(i + 1) <= len; i++) {
        uint8_t *e = pack + TOK_PACK_HEADER_SIZE + 24 * (size_t)i;
        uint32_t k;
        memcpy(&k, e, 4);
        if (k == kind) {
            memcpy(off, e + 8, 8);
            memcpy(n, e + 16, 8);
            return e;
        }
    }
    return NULL;
}

TEST(bpe_ranks_packed_char_level_damaged_tables)
{
    char path[512];
    char_level_path("gen_bpe_llama_like", path, sizeof path);
    size_t plen;
    uint8_t *blob = pack_file(path, &plen);
    CHECK(blob);
    enum { CHARS_VOCAB = 8, CHARS_MAP = 9 }; /* formats/hf/load/packed.c */
    uint64_t voff = 0, vlen = 0, moff = 0, mlen = 0;
    uint8_t *ve = section_entry(blob, plen, CHARS_VOCAB, &voff, &vlen);
    uint8_t *me = section_entry(blob, plen, CHARS_MAP, &moff, &mlen);
    CHECK_MSG(ve && me, "the pack has no character-level sections");
    tok_tokenizer *t, *g;
    tok_error err;
    uint64_t odd = mlen - 2;
    memcpy(me + 16, &odd, 8);
    CHECK(tok_open_memory(blob, plen, "odd.tkz", NULL, &t, &err) == TOK_EFORMAT);
    CHECK_MSG(strstr(err.message, "odd.tkz") && strstr(err.message, "character-level"), "%s",
              err.message);
    memcpy(me + 16, &mlen, 8);
    CHECK(test_open_json(path, &g, &err) == TOK_OK);
    hf_use_general_path(g);
    size_t cap = HF_RANK_LAZY_MIN + 4096;
    uint8_t *p = malloc(cap);
    uint64_t seed = 17;
    size_t rejected = 0, served = 0;
    static const uint32_t words[] = {0, UINT32_MAX, 0x7fffffffu, 1, 255};
    for (int r = 0; r < 60; r++) {
        uint8_t *m = malloc(plen);
        memcpy(m, blob, plen);
        bool in_map = r % 4 == 3;
        uint64_t off = in_map ? moff : voff, len = in_map ? mlen : vlen;
        for (int k = 0; k < 1 + r % 3; k++) {
            uint32_t v = words[test_rand(&seed) % 5];
            memcpy(m + off + 4 * (test_rand(&seed) % (len / 4)), &v, 4);
        }
        CHECK(tok_open_memory(m, plen, "damaged.tkz", NULL, &t, &err) == TOK_OK);
        free(m);
        size_t n = hostile_text(r % 8, p, cap, &seed);
        uint32_t *a, *b;
        tok_span *sa, *sb;
        size_t na, nb;
        CHECK(tok_encode_alloc(t, (const char *)p, n, NULL, &a, &sa, &na, &err) == TOK_OK);
        CHECK(tok_encode_alloc(g, (const char *)p, n, NULL, &b, &sb, &nb, &err) == TOK_OK);
        const hf_lazy_rank *z = ((const hf_pipeline *)t->impl)->model.lazy;
        int state = atomic_load(&z->state);
        rejected += state == 2;
        served += state == 1;
        for (size_t k = 0; k < na; k++)
            CHECK(a[k] < tok_vocab_size(t) && sa[k].start <= sa[k].end && sa[k].end <= n);
        if (state == 2) /* refused: the merge loop's ids */
            CHECK_MSG(na == nb && !memcmp(a, b, na * 4), "mutant %d: %zu tokens against %zu", r,
                      na, nb);
        free(a), free(b), free(sa), free(sb);
        tok_close(t);
    }
    CHECK_MSG(rejected > 5, "%zu of 60 damaged packs refused, %zu served", rejected, served);
    printf("  damaged character-level tables: %zu of 60 refused on first use, %zu served\n",
           rejected, served);
    free(p);
    free(blob);
    tok_close(g);
}

/* A megabyte of one shape, packed against the file (which builds its tables on the first long
 * word): the same ids and spans. */
static void megabyte_runs(const char *name)
{
    char path[512];
    char_level_path(name, path, sizeof path);
    tok_tokenizer *t, *f;
    tok_error err;
    CHECK_MSG(t = open_packed(path), "%s: cannot pack and open (make hf-vocabs)", path);
    CHECK(test_open_json(path, &f, &err) == TOK_OK);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t cap = (size_t)1 << 20;
    uint8_t *p = malloc(cap);
    uint64_t seed = 16;
    for (int shape = 0; shape < 5; shape++) {
        size_t n = 0;
        for (; n + 3 <= cap; n++) {
            if (shape == 0)
                p[n] = 'a';
            else if (shape == 1)
                p[n] = ' ';
            else if (shape == 2)
                p[n] = n % 2 ? 'b' : 'a';
            else if (shape == 3)
                p[n] = (uint8_t)b64[test_rand(&seed) % 64];
            else
                memcpy(p + n, "\xe4\xb8\x80", 3), n += 2; /* U+4E00 */
        }
        uint32_t *a, *b;
        tok_span *sa, *sb;
        size_t na, nb;
        CHECK(tok_encode_alloc(t, (const char *)p, n, NULL, &a, &sa, &na, &err) == TOK_OK);
        CHECK(tok_encode_alloc(f, (const char *)p, n, NULL, &b, &sb, &nb, &err) == TOK_OK);
        CHECK_MSG(na == nb && !memcmp(a, b, na * 4) && !memcmp(sa, sb, na * sizeof *sa),
                  "%s, shape %d: %zu tokens packed against the file's %zu", name, shape, na, nb);
        free(a), free(b), free(sa), free(sb);
    }
    CHECK_MSG(served_from_pack(t), "%s: the pack's tables were not what served", name);
    const hf_lazy_rank *z = ((const hf_pipeline *)f->impl)->model.lazy;
    /* the file built its own */
    CHECK(!z->from_pack && atomic_load(&z->state) == 1 && z->cr.v.heap);
    /* what the pack does not hold is worked out as the build had it */
    const tok_char_rank *pc = &((const hf_pipeline *)t->impl)->model.lazy->cr;
    CHECK_MSG(pc->first_multi == z->cr.first_multi && pc->v.n_ids == z->cr.v.n_ids &&
                  pc->n_short == z->cr.n_short,
              "%s: first_multi %u packed, %u built", name, pc->first_multi, z->cr.first_multi);
    free(p);
    tok_close(t);
    tok_close(f);
}

TEST(bpe_ranks_packed_char_level_megabyte_gemma3) { megabyte_runs("gemma3"); }
TEST(bpe_ranks_packed_char_level_megabyte_mistral) { megabyte_runs("mistral_7b"); }

/* Every golden text of the character-level tokenizers as one word for the model (spaces as
 * U+2581, as the normalizers make them): the packed tables' rank core gives the ids and spans
 * of HF's merge loop over the same word. Short words, so each golden line is a case the
 * megabyte shapes are not. */
static void golden_words(const char *set_name)
{
    char path[512];
    char_level_path(set_name, path, sizeof path);
    tok_tokenizer *t;
    CHECK_MSG(t = open_packed(path), "%s: cannot pack and open (make hf-vocabs)", path);
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    const hf_lazy_rank *z = m->lazy ? hf_lazy_rank_get(t, m) : NULL;
    CHECK_MSG(z && served_from_pack(t), "%s: no packed character-level tables", set_name);
    hf_model merge_only = *m;
    merge_only.lazy = NULL;
    merge_only.cut_words = false; /* one word, as the rank core takes it */
    merge_only.whole_words = true; /* not in parts (a pair set of its own would be built) */
    merge_only.pairs = NULL;
    merge_only.cache_id = 0;       /* nor from the word cache, which the rank core fills */
    char want[64];
    snprintf(want, sizeof want, "hf/%s", set_name);
    size_t nsets, lines = 0, served = 0;
    golden_set *sets = golden_sets("hf", &nsets);
    tok_scratch sc = {0};
    tok_buf w = {0};
    for (size_t i = 0; i < nsets; i++) {
        if (strcmp(sets[i].name, want) != 0)
            continue;
        for (size_t k = 0; k < sets[i].n_files; k++) {
            golden_lines gl;
            if (!golden_load(&sets[i].files[k], &gl))
                continue;
            for (size_t l = 0; l < gl.n; l++) {
                const tok_text *x = &gl.text[l];
                w.len = 0;
                for (size_t c = 0; c < x->len; c++)
                    if (x->text[c] == ' ')
                        tok_buf_put(&w, "\xe2\x96\x81", 3);
                    else
                        tok_buf_put(&w, x->text + c, 1);
                CHECK(!w.oom);
                lines++;
                hf_tokens a = {0}, b = {0};
                tok_status st = TOK_OK;
                if (w.len && hf_lazy_rank_word(z, w.data, w.len, &a, &sc, 0, false, &st)) {
                    served++;
                    CHECK(hf_bpe_tokenize(t, &merge_only, w.data, w.len, &b, &sc) == TOK_OK);
                    CHECK_MSG(a.n == b.n && !memcmp(a.id, b.id, a.n * 4) &&
                                  !memcmp(a.start, b.start, a.n * 4) && !memcmp(a.end, b.end, a.n * 4),
                              "%s, %s line %zu: %zu tokens against the merge loop's %zu", set_name,
                              sets[i].files[k].path, l + 1, a.n, b.n);
                }
                CHECK(st == TOK_OK);
                free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
            }
            golden_lines_free(&gl);
        }
    }
    free(sets);
    tok_buf_free(&w);
    free(sc.buf);
    tok_close(t);
    /* the rest hold a character that is not a token (byte fallback) or a token the tables
     * leave out: the merge loop's, as in a long word */
    CHECK_MSG(lines > 1000 && served > lines / 4, "%s: %zu of %zu golden lines on the rank core",
              set_name, served, lines);
    printf("  %s: %zu of %zu golden texts on the packed rank core, as the merge loop\n",
           set_name, served, lines);
}

TEST(bpe_ranks_packed_char_level_golden_words_gemma3) { golden_words("gemma3"); }
TEST(bpe_ranks_packed_char_level_golden_words_mistral) { golden_words("mistral_7b"); }
TEST(bpe_ranks_packed_char_level_golden_words_gemma2) { golden_words("gemma2"); }

/* Words too long for the word cache take a pack's tables too (bpe.c cached_word), with their
 * tokens settled as they come: texts of long runs of punctuation (a man page's line of
 * asterisks), letters, digits and CJK with U+2581 between, through the packed Gemma 3 and
 * Mistral 7B, give the merge loop's tokens and spans over the same text. */
static void long_words(const char *name)
{
    static const char *const parts[] = {"*", "-", "=", ".", "\"", "~", "a", "x", "7",
                                        "\xE4\xB8\xAD", "\xC3\xA9", "\xE2\x96\x81"};
    char path[512];
    char_level_path(name, path, sizeof path);
    tok_tokenizer *t;
    CHECK_MSG(t = open_packed(path), "%s: cannot pack and open (make hf-vocabs)", path);
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    CHECK_MSG(m->lazy && hf_lazy_rank_get(t, m) && served_from_pack(t), "%s: no packed tables",
              name);
    tok_scratch sc = {0};
    hf_tokens a = {0}, b = {0};
    uint64_t seed = 23;
    size_t texts = 0;
    for (int i = 0; i < 300; i++) {
        uint8_t s[2048];
        size_t n = 0;
        while (n + 3 * 100 < sizeof s) { /* a run of 30-90 of one part, or a few parts */
            const char *x = parts[test_rand(&seed) % (sizeof parts / sizeof *parts)];
            size_t k = i % 3 ? 30 + test_rand(&seed) % 60 : 1 + test_rand(&seed) % 3;
            for (size_t r = 0; r < k; r++, n += strlen(x))
                memcpy(s + n, x, strlen(x));
        }
        a.n = b.n = 0;
        tok_status sa = hf_bpe_tokenize(t, m, s, n, &a, &sc), sb = hf_bpe_merge(t, m, s, n, &b, &sc, false);
        bool same = sa == sb && a.n == b.n;
        for (size_t k = 0; same && k < a.n; k++)
            same = a.id[k] == b.id[k] && a.start[k] == b.start[k] && a.end[k] == b.end[k];
        CHECK_MSG(same, "%s: text %d: %zu tokens, the merge loop %zu", name, i, a.n, b.n);
        texts++;
    }
    CHECK_EQ(texts, 300);
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    free(sc.buf);
    tok_close(t);
}

TEST(bpe_ranks_packed_char_level_long_words_gemma3) { long_words("gemma3"); }
TEST(bpe_ranks_packed_char_level_long_words_mistral) { long_words("mistral_7b"); }

/* The lazy tables are built inside the first encode of a long piece, on a tokenizer that threads
 * share: several threads hit the first long piece at once, one builds (under the lazy state's
 * lock), all get the ids of the merge loop. make tsan runs this test (its name has "thread"). */
typedef struct lazy_job {
    const tok_tokenizer *t;
    const uint8_t *p;
    size_t n;
    uint32_t *ids;
    size_t nids;
    tok_status st;
} lazy_job;

static void *lazy_worker(void *arg)
{
    lazy_job *j = arg;
    tok_error err;
    j->st = tok_encode_alloc(j->t, (const char *)j->p, j->n, NULL, &j->ids, NULL, &j->nids, &err);
    return NULL;
}

TEST(bpe_ranks_lazy_build_shared_by_threads)
{
    char path[512];
    snprintf(path, sizeof path, "%s/llama3/tokenizer.json", test_hf_dir());
    tok_tokenizer *t, *g;
    tok_error err;
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s (make hf-vocabs)", err.message);
    CHECK(test_open_json(path, &g, &err) == TOK_OK);
    hf_use_general_path(g);
    size_t cap = HF_RANK_LAZY_MIN + 4096;
    uint8_t *p = malloc(cap);
    uint64_t seed = 7;
    size_t n = hostile_text(3, p, cap, &seed); /* one CJK character repeated: one long piece */
    uint32_t *want;
    size_t nwant;
    CHECK(tok_encode_alloc(g, (const char *)p, n, NULL, &want, NULL, &nwant, &err) == TOK_OK);
    enum { NT = 4 };
    pthread_t th[NT];
    lazy_job jobs[NT];
    for (int i = 0; i < NT; i++) {
        jobs[i] = (lazy_job){.t = t, .p = p, .n = n};
        CHECK(pthread_create(&th[i], NULL, lazy_worker, &jobs[i]) == 0);
    }
    for (int i = 0; i < NT; i++) {
        pthread_join(th[i], NULL);
        CHECK(jobs[i].st == TOK_OK);
        CHECK_MSG(jobs[i].nids == nwant && !memcmp(jobs[i].ids, want, nwant * 4),
                  "thread %d: %zu tokens against the merge loop's %zu", i, jobs[i].nids, nwant);
        free(jobs[i].ids);
    }
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    CHECK(atomic_load(&m->lazy->state) == 1); /* the rank core served */
    free(want);
    free(p);
    tok_close(t);
    tok_close(g);
}

/* build/hf's NAME packed (*t) and read from its tokenizer.json (*g, and *j when asked: a second
 * copy); false (each NULL, the failure reported) when one does not open. */
static bool open_packed_and_file(const char *name, tok_tokenizer **t, tok_tokenizer **g,
                                 tok_tokenizer **j)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
    size_t plen = 0, len = 0;
    void *blob = pack_file(path, &plen);
    char *data = read_file(path, &len);
    tok_error err;
    *t = *g = NULL;
    if (j)
        *j = NULL;
    bool ok = blob && data;
    ok = ok && tok_open_memory(blob, plen, name, NULL, t, &err) == TOK_OK;
    ok = ok && tok_open_memory(data, len, path, NULL, g, &err) == TOK_OK;
    ok = ok && (!j || tok_open_memory(data, len, path, NULL, j, &err) == TOK_OK);
    if (!ok)
        test_fail(__FILE__, __LINE__, "%s: %s", name,
                  blob && data ? err.message : "cannot read or pack it (make hf-vocabs)");
    free(blob);
    free(data);
    if (!ok) {
        tok_close(*t), tok_close(*g);
        *t = *g = NULL;
        if (j) {
            tok_close(*j);
            *j = NULL;
        }
    }
    return ok;
}

/* DeepSeek V3 and V4: three Splits in a row and added tokens matched on normalized text (with
 * no normalizer) -- once the general pipeline, now the fast path: the sequence's scanner
 * (split/scan_deepseek.c), the two levels of added tokens (encode_fast.c cut_added) and the
 * rank core. Ids against the general pipeline on text that mixes tokens of both levels, under
 * each policy. */
TEST(bpe_ranks_deepseek_on_the_scanner_and_rank_core)
{
    static const char text[] =
        "<\xef\xbd\x9cUser\xef\xbd\x9c>hi 12345 \xe6\xbc\xa2\xe5\xad\x97\xe3\x82\xab\xe3\x83\x8a"
        "\xe3\x83\xbb\xe3\x83\x86<\xef\xbd\x9c" "Assistant\xef\xbd\x9c><\xef\xbd\x9c" "end\xe2\x96\x81"
        "of\xe2\x96\x81sentence\xef\xbd\x9c>x<\xef\xbd\x9ctool\xe2\x96\x81sep\xef\xbd\x9c> .NET\t"
        "\xc2\xbd\n\n  \xe2\x80\x8b";
    const char *names[] = {"deepseek_v3", "deepseek_v4"};
    for (size_t f = 0; f < 2; f++) {
        tok_tokenizer *t, *g;
        if (!open_packed_and_file(names[f], &t, &g, NULL))
            continue;
        const hf_pipeline *hp = t->impl;
        CHECK(hp->fast && hp->fast_scan == tok_pretok_deepseek && hp->model.rank_bpe);
        CHECK(hp->norm_match.n > 0 && hp->raw_match.n > 0);
        hf_use_general_path(g);
        for (int policy = TOK_SPECIAL_ORDINARY; policy <= TOK_SPECIAL_REJECT; policy++) {
            tok_encode_options o = {(tok_special_policy)policy, 0};
            uint32_t a[256], b[256];
            size_t na = 0, nb = 0;
            tok_status sa = tok_encode(t, text, strlen(text), &o, a, NULL, 256, &na, NULL),
                       sb = tok_encode(g, text, strlen(text), &o, b, NULL, 256, &nb, NULL);
            CHECK_MSG(sa == sb && na == nb && (sa != TOK_OK || memcmp(a, b, na * 4) == 0),
                      "%s, policy %d: %d/%zu tokens fast, %d/%zu general", names[f], policy, sa,
                      na, sb, nb);
            CHECK_MSG(policy == TOK_SPECIAL_REJECT ? sa == TOK_ESPECIAL : sa == TOK_OK && na > 15, "%s, policy %d: %d, %zu tokens", names[f], policy, sa, na);
        }
        tok_close(t);
        tok_close(g);
    }
}

/* Cohere's Command R+ and Aya Expanse: Digits (each numeric character) and ByteLevel's own
 * regex -- once the general pipeline, now the fast path: one scanner for both
 * (split/scan_cohere.c), an NFC normalizer, and the rank core once packed. Ids against the
 * general pipeline, from the file and from the pack, on text where the digits cut the text
 * GPT-2's pattern sees (a space before a digit, fractions, fullwidth and Arabic-Indic digits,
 * decomposed accents NFC composes), under each policy. */
TEST(bpe_ranks_cohere_on_the_scanner_and_rank_core)
{
    static const char text[] =
        "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>Version 3.14 ships in 2025,  12  items \xc2\xbd "
        "\xef\xbc\x91\xef\xbc\x92 \xd9\xa3\xd9\xa4 it's Cafe\xcc\x81 x1y2   z\n\n 7<|END_OF_TURN_TOKEN|>"
        "<BOS_TOKEN>done";
    const char *names[] = {"command_r_plus", "aya_expanse"};
    for (size_t f = 0; f < 2; f++) {
        tok_tokenizer *t, *j, *g;
        if (!open_packed_and_file(names[f], &t, &g, &j))
            continue;
        const hf_pipeline *hp = t->impl, *hj = j->impl;
        CHECK(hp->fast && hp->fast_scan == tok_pretok_cohere && hp->model.rank_bpe);
        CHECK(hj->fast && hj->fast_scan == tok_pretok_cohere);
        hf_use_general_path(g);
        for (int policy = TOK_SPECIAL_ORDINARY; policy <= TOK_SPECIAL_REJECT; policy++) {
            tok_encode_options o = {(tok_special_policy)policy, 0};
            uint32_t a[256], c[256], b[256];
            size_t na = 0, nc = 0, nb = 0;
            tok_status sa = tok_encode(t, text, strlen(text), &o, a, NULL, 256, &na, NULL),
                       sc = tok_encode(j, text, strlen(text), &o, c, NULL, 256, &nc, NULL),
                       sb = tok_encode(g, text, strlen(text), &o, b, NULL, 256, &nb, NULL);
            CHECK_MSG(sa == sb && sc == sb &&
                          (sa != TOK_OK || (na == nb && nc == nb && !memcmp(a, b, na * 4) &&
                                            !memcmp(c, b, nc * 4))),
                      "%s, policy %d: %d/%zu tokens packed, %d/%zu from the file, %d/%zu general",
                      names[f], policy, sa, na, sc, nc, sb, nb);
            CHECK_MSG(policy == TOK_SPECIAL_REJECT ? sa == TOK_ESPECIAL : sa == TOK_OK && na > 40,
                      "%s, policy %d: %d, %zu tokens", names[f], policy, sa, na);
        }
        tok_close(t);
        tok_close(j);
        tok_close(g);
    }
}
