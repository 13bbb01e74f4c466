/* bpe_ranks: the rank-BPE core on vocabularies that are not what BPE training makes, and
 * tokenizer.json merges recognised (or not) as tiktoken's rank BPE.
 *
 * - A token whose last merge joins a token ranked after it (Llama 3 has about a hundred) is
 *   left out of the linear encoder's tables; a piece holding its bytes goes to tiktoken's merge,
 *   every other piece to the linear encoder, and both give tiktoken's merge result.
 * - Packed files whose merges are rank BPE are found to be; a file with one merge dropped is
 *   not (the pack then keeps HF's merge loop), and either way the pack encodes as the file. */
#include "algo/algo.h"
#include "core/core.h"
#include "formats/hf/hf.h"
#include "runner.h"
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

static const char *hf_dir(void)
{
    const char *d = getenv("TOK_HF_DIR");
    return d && *d ? d : "build/hf";
}

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
    snprintf(path, sizeof path, "%s/llama3/tokenizer.json", hf_dir());
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
