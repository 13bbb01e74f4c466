/* Unigram on long texts (algo/unigram.c): the Viterbi settles the pieces before the point where
 * the best paths meet and forgets them. On long hostile texts, through SentencePiece .model
 * files and a tokenizer.json, the ids are those of one pass that never settles (the goldens
 * check settling at every position against the references); and the memory of a pass over a
 * megabyte stays bounded (its scratch does not grow with the text). */
#include "algo/unigram.h"
#include "formats/hf/hf.h"
#include "formats/spm/spm.h"
#include "runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Long texts that keep a Viterbi busy: runs with no cut, digits, words without spaces, CJK. */
static char *shape(int k, size_t n)
{
    char *s = malloc(n + 1);
    uint64_t r = 42 + (uint64_t)k;
    size_t i = 0;
    while (i < n) {
        switch (k) {
        case 0: s[i++] = 'a'; break;
        case 1: s[i] = "ab"[i % 2], i++; break;
        case 2: s[i++] = (char)('0' + test_rand(&r) % 10); break;
        case 3:   /* words glued together */
        case 5: { /* words between spaces: short segments, through the per-thread cache of
                     their pieces (unigram_edges.c) */
            static const char *const w[] = {"the", "tokenizer", "of", "unbelievable", "zürich",
                                            "x", "q", "naïve", "and"};
            const char *x = w[test_rand(&r) % 9];
            if (k == 5 && i < n)
                s[i++] = test_rand(&r) % 16 ? ' ' : '\n';
            size_t m = strlen(x);
            if (i + m > n)
                m = n - i;
            memcpy(s + i, x, m);
            i += m;
            break;
        }
        default: /* one CJK character, then random ones */
            if (n - i < 3) {
                s[i++] = ' ';
                break;
            }
            if (i < n / 2)
                memcpy(s + i, "\xe6\x97\xa5", 3);
            else {
                uint32_t c = 0x4E00 + (uint32_t)(test_rand(&r) % 0x5000);
                s[i] = (char)(0xE0 | c >> 12), s[i + 1] = (char)(0x80 | ((c >> 6) & 63)),
                s[i + 2] = (char)(0x80 | (c & 63));
            }
            i += 3;
        }
    }
    s[n] = 0;
    return s;
}

static tok_unigram *uni_of(tok_tokenizer *t)
{
    if (!strcmp(tok_format(t), "sentencepiece")) {
        spm_model *m = t->impl;
        return m->type == SPM_UNIGRAM ? &m->uni : NULL;
    }
    hf_pipeline *hp = t->impl;
    return hp->model.unigram ? &((tok_unigram *)hp->model.unigram)[0] : NULL;
}

/* Pieces as the pass emits them. */
typedef struct piece_list {
    uint32_t *v; /* start, end, id per piece */
    size_t n, cap;
} piece_list;

static void keep_piece(void *ctx, uint32_t a, uint32_t b, uint32_t id)
{
    piece_list *p = ctx;
    if (p->n + 3 > p->cap) {
        p->cap = p->cap ? 2 * p->cap : 3 * 1024;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = a, p->v[p->n++] = b, p->v[p->n++] = id;
}

/* The pass itself on the raw text (no normalizer, no cuts between segments), settling as it
 * does by default and never: the same pieces and the same final score. */
static bool same_pieces(tok_unigram *u, const char *s, size_t n)
{
    piece_list a = {0}, b = {0};
    tok_scratch sc = {0};
    double sa = 0, sb = 0;
    u->settle_every = 0;
    int ra = tok_unigram_run(u, (const uint8_t *)s, n, &sa, &sc, keep_piece, &a);
    u->settle_every = SIZE_MAX / 4;
    int rb = tok_unigram_run(u, (const uint8_t *)s, n, &sb, &sc, keep_piece, &b);
    u->settle_every = 0;
    tok_scratch_free(&sc);
    bool same = ra == rb && a.n == b.n && a.n > 0 && sa == sb &&
                !memcmp(a.v, b.v, a.n * sizeof *a.v);
    free(a.v), free(b.v);
    return same;
}

static void same_as_one_pass(const char *path)
{
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s: %s", path, err.message);
    tok_unigram *u = uni_of(t);
    CHECK_MSG(u, "%s is not a Unigram model", path);
    for (int k = 0; k < 6; k++) {
        size_t n = 200000;
        char *s = shape(k, n);
        uint32_t *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        u->settle_every = 0; /* the default */
        tok_status sa = tok_encode_alloc(t, s, n, NULL, &a, NULL, &na, NULL);
        u->settle_every = SIZE_MAX / 4; /* never: one pass holds the whole text */
        tok_status sb = tok_encode_alloc(t, s, n, NULL, &b, NULL, &nb, NULL);
        u->settle_every = 0;
        bool same = sa == TOK_OK && sb == TOK_OK && na == nb && na > 0 &&
                    !memcmp(a, b, na * sizeof *a);
        bool direct = same_pieces(u, s, n);
        tok_free(a), tok_free(b), free(s);
        if (!same || !direct) {
            tok_close(t);
            CHECK_MSG(false, "%s, shape %d: %zu tokens settling, %zu in one pass; the pass "
                      "alone %s", path, k, na, nb, direct ? "agrees" : "differs");
        }
    }
    tok_close(t);
}

TEST(unigram_settled_equals_one_pass_spm) { same_as_one_pass("tests/golden/spm/models/uni_en_nosplit_ws.model"); }
TEST(unigram_settled_equals_one_pass_spm_mixed) { same_as_one_pass("tests/golden/spm/models/uni_mixed_8000.model"); }

TEST(unigram_settled_equals_one_pass_json)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gen_unigram_nfkc/tokenizer.json", test_hf_dir());
    same_as_one_pass(path);
}

/* The pieces kept per thread for short texts (unigram_edges.c) give what the trie walk gives,
 * bit for bit, when the path brings a score so large that float rounding decides between
 * near-equal segmentations (a sentence of tens of megabytes), and across the powers of two
 * where the floats' spacing doubles (the kept outcome of a word holds within one binade):
 * word after word of prose, the score carried on, with the cache and without it. */
TEST(unigram_cached_pieces_equal_the_walk_at_large_scores)
{
    static const char *const models[] = {"tests/golden/spm/models/uni_en_nosplit_ws.model",
                                          "tests/golden/spm/models/uni_mixed_8000.model"};
    static const char *const w[] = {"\xe2\x96\x81the", "\xe2\x96\x81tokenizer", "\xe2\x96\x81of",
                                    "\xe2\x96\x81unbelievable", "\xe2\x96\x81z\xc3\xbcrich",
                                    "\xe2\x96\x81x", "q", "\xe2\x96\x81na\xc3\xafve", "and",
                                    "\xe6\x97\xa5\xe6\x9c\xac"};
    /* deep in a binade where floats are 2 apart; just above 2^20 and 2^11 in magnitude, so
     * the score crosses into the next binade; small, where words are worked one by one */
    static const double starts[] = {-3.0e7, -1048000.0, -1900.0, 0.0};
    for (size_t mi = 0; mi < 2; mi++) {
        tok_tokenizer *t;
        tok_error err;
        CHECK_MSG(test_open_json(models[mi], &t, &err) == TOK_OK, "%s", err.message);
        tok_unigram *u = uni_of(t);
        CHECK(u && u->cache_id);
        piece_list a = {0}, b = {0};
        tok_scratch sc = {0};
        for (size_t si = 0; si < sizeof starts / sizeof *starts; si++) {
            uint64_t r = 7 + si;
            double sa = starts[si], sb = sa;
            size_t differ = 0, words = 20000;
            for (size_t i = 0; i < words && !differ; i++) {
                const char *x = w[test_rand(&r) % 10];
                size_t n = strlen(x);
                a.n = b.n = 0;
                u->settle_every = 0;
                int ra = tok_unigram_run(u, (const uint8_t *)x, n, &sa, &sc, keep_piece, &a);
                u->settle_every = SIZE_MAX / 4; /* no cache: the trie walk */
                int rb = tok_unigram_run(u, (const uint8_t *)x, n, &sb, &sc, keep_piece, &b);
                u->settle_every = 0;
                if (ra != rb || sa != sb || a.n != b.n || !a.n ||
                    memcmp(a.v, b.v, a.n * sizeof *a.v))
                    differ = i + 1;
            }
            CHECK_MSG(!differ, "%s from %g: word %zu differs", models[mi], starts[si], differ);
            /* the score moved by more than the words' count (it was carried) */
            CHECK_MSG(sa < starts[si] - (double)words, "%s: score %g -> %g", models[mi],
                      starts[si], sa);
            if (si == 1 || si == 2) /* it crossed the power of two */
                CHECK_MSG(sa < -ldexp(1, si == 1 ? 20 : 11), "%s: score %g", models[mi], sa);
        }
        tok_scratch_free(&sc);
        free(a.v), free(b.v);
        tok_close(t);
    }
}

/* An exact half: where floats are 1 apart, an unknown character scored -28.5 lands halfway
 * between two of them, and round-half-to-even then looks at the incoming score's last bit, so
 * a word's outcome depends on more than the binade of its score. The kept outcomes must see it
 * (unigram_edges.c, summarize): from scores of both parities, with the cache and without. */
TEST(unigram_cached_pieces_see_exact_halves)
{
    tok_tokenizer *t;
    tok_error err;
    const char *path = "tests/golden/spm/models/uni_en_nosplit_ws.model";
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s", err.message);
    tok_unigram *u = uni_of(t);
    CHECK(u && u->cache_id);
    u->fmin = -18.5f; /* the unknown piece: min - 10 = -28.5 */
    static const char *const w[] = {"\xe2\x96\x81\xee\x80\x80", "\xe2\x96\x81the\xee\x80\x80",
                                    "\xee\x80\x80\xee\x80\x81", "\xe2\x96\x81of"};
    piece_list a = {0}, b = {0};
    tok_scratch sc = {0};
    size_t differ = 0, unknown = 0;
    for (int parity = 0; parity < 2 && !differ; parity++) {
        uint64_t r = 11;
        double sa = -0.75 * 16777216.0 - parity, sb = sa; /* 2^24: floats 1 apart below it */
        for (size_t i = 0; i < 2000 && !differ; i++) {
            const char *x = w[test_rand(&r) % 4];
            size_t n = strlen(x);
            a.n = b.n = 0;
            u->settle_every = 0;
            int ra = tok_unigram_run(u, (const uint8_t *)x, n, &sa, &sc, keep_piece, &a);
            u->settle_every = SIZE_MAX / 4;
            int rb = tok_unigram_run(u, (const uint8_t *)x, n, &sb, &sc, keep_piece, &b);
            u->settle_every = 0;
            if (ra != rb || sa != sb || a.n != b.n || !a.n ||
                memcmp(a.v, b.v, a.n * sizeof *a.v))
                differ = i + 1;
            for (size_t k = 2; k < a.n; k += 3)
                unknown += a.v[k] == u->unk_id;
        }
        CHECK_MSG(!differ, "from a score of parity %d: word %zu differs", parity, differ);
    }
    tok_scratch_free(&sc);
    free(a.v), free(b.v);
    tok_close(t);
    CHECK_MSG(unknown > 100, "only %zu unknown pieces: the test does not reach the halves",
              unknown);
}

static void count_piece(void *ctx, uint32_t a, uint32_t b, uint32_t id)
{
    (void)a, (void)b, (void)id;
    ++*(size_t *)ctx;
}

/* A megabyte of one letter: the scratch a pass uses stays far below the byte per position
 * that one holding every position's entry takes. */
TEST(unigram_memory_bounded_on_a_megabyte)
{
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(test_open_json("tests/golden/spm/models/uni_en_nosplit_ws.model", &t, &err) ==
                  TOK_OK, "%s", err.message);
    tok_unigram *u = uni_of(t);
    size_t n = 1 << 20;
    char *s = shape(0, n);
    tok_scratch sc = {0};
    size_t pieces = 0;
    double score = 0;
    int r = tok_unigram_run(u, (const uint8_t *)s, n, &score, &sc, count_piece, &pieces);
    size_t held = sc.cap;
    tok_scratch_free(&sc);
    size_t pieces_one_pass = 0;
    u->settle_every = SIZE_MAX / 4;
    score = 0;
    int r2 = tok_unigram_run(u, (const uint8_t *)s, n, &score, &sc, count_piece, &pieces_one_pass);
    size_t held_one_pass = sc.cap;
    tok_scratch_free(&sc);
    free(s);
    tok_close(t);
    CHECK(r == TOK_UNI_OK && r2 == TOK_UNI_OK);
    CHECK(pieces > 0 && pieces == pieces_one_pass);
    CHECK_MSG(held < 1 << 20, "the pass held %zu bytes of scratch for 1 MB", held);
    CHECK_MSG(held_one_pass >= n, "one pass holds %zu bytes (the check above means nothing?)",
              held_one_pass);
}
