/* bpe: tiktoken's merge rule, on a hand-built vocabulary and on cl100k/o200k; the array scan
 * and the heap agree everywhere. */
#include "algo/algo.h"
#include "core/core.h"
#include "runner.h"

/* A tiny vocabulary where the merge order matters (a worked example): the bytes a b c d have
 * ranks 0-3, then "bc" 4, "ab" 5, "cd" 6. */
static void tiny_vocab(tok_vocab *v)
{
    static const char *toks[] = {"a", "b", "c", "d", "bc", "ab", "cd"};
    const uint8_t *p[7];
    uint32_t lens[7], ids[7];
    for (int i = 0; i < 7; i++) {
        p[i] = (const uint8_t *)toks[i];
        lens[i] = (uint32_t)strlen(toks[i]);
        ids[i] = (uint32_t)i;
    }
    size_t dup;
    if (tok_vocab_build(v, 7, p, lens, ids, &dup) != 0)
        abort();
}

TEST(bpe_lowest_rank_merges_first)
{
    tok_vocab v;
    tiny_vocab(&v);
    uint32_t ids[8], starts[9];
    /* "abcd": pairs ab(5) bc(4) cd(6): bc merges first (rank 4); then neither "abc" nor "bcd"
     * is a token -> a, bc, d. "ab" and "cd" never form although they are tokens. */
    size_t n = tok_bpe_rank_merge_small(&v, (const uint8_t *)"abcd", 4, ids, starts);
    CHECK_EQ(n, 3);
    CHECK_EQ(ids[0], 0);
    CHECK_EQ(ids[1], 4);
    CHECK_EQ(ids[2], 3);
    CHECK_EQ(starts[1], 1);
    CHECK_EQ(starts[2], 3);
    /* "abab": ab, ab (leftmost first on the tie; the result is the same either way here) */
    n = tok_bpe_rank_merge_small(&v, (const uint8_t *)"abab", 4, ids, starts);
    CHECK_EQ(n, 2);
    CHECK(ids[0] == 5 && ids[1] == 5);
    tok_vocab_free(&v);
}

/* A piece of at least want bytes (at most cap) of random fragments: its length. */
static size_t from_frags(uint8_t *p, size_t cap, size_t want, const char *const *frags,
                         size_t n_frags, uint64_t *seed)
{
    size_t n = 0;
    while (n < want) {
        const char *f = frags[test_rand(seed) % n_frags];
        size_t l = strlen(f);
        if (n + l > cap)
            break;
        memcpy(p + n, f, l);
        n += l;
    }
    return n;
}

static void agree_on_random(const char *enc, uint64_t seed)
{
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(tok_open_encoding(enc, &t, &err) == TOK_OK, "%s", err.message);
    const tok_vocab *v = &t->vocab;
    static const char *frags[] = {"a", "aa", " ", "  ", "the", "ing", "\xC3\xA9", "\xE4\xB8\x80",
                                  "0", "12", "!", "==", "\n", "\xF0\x9F\x98\x80", "er", "ab"};
    uint8_t p[64];
    uint32_t ids1[64], starts1[65], ids2[64], starts2[65];
    void *work = malloc(tok_bpe_rank_heap_work(64));
    for (int r = 0; r < 20000; r++) {
        size_t n = from_frags(p, 64, 2 + test_rand(&seed) % 62, frags, 16, &seed);
        size_t m1 = tok_bpe_rank_merge_small(v, p, n, ids1, starts1);
        size_t m2 = tok_bpe_rank_merge_heap(v, p, n, ids2, starts2, work);
        bool same = m1 == m2;
        for (size_t k = 0; same && k < m1; k++)
            same = ids1[k] == ids2[k] && starts1[k] == starts2[k];
        CHECK_MSG(same, "%s: scan and heap disagree on a %zu-byte piece (round %d)", enc, n, r);
        /* and the parts are tokens whose bytes are the piece */
        for (size_t k = 0; k < m1; k++)
            CHECK(tok_vocab_find(v, p + starts1[k], starts1[k + 1] - starts1[k]) == ids1[k]);
    }
    free(work);
    tok_close(t);
}

TEST(bpe_scan_and_heap_agree_cl100k) { agree_on_random("cl100k_base", 21); }
TEST(bpe_scan_and_heap_agree_o200k) { agree_on_random("o200k_base", 22); }
TEST(bpe_scan_and_heap_agree_r50k) { agree_on_random("r50k_base", 23); }

/* No quadratic path: a megabyte of one character is one piece for every pattern (letters) or
 * many (digits); either way it finishes, and decodes back. Timing is left to make bench. */
TEST(bpe_long_runs_round_trip)
{
    static const char *encs[] = {"r50k_base", "cl100k_base", "o200k_base"};
    static const char fill[] = {'a', ' ', '\n', '7', '!'};
    size_t len = 1 << 20;
    char *s = malloc(len);
    for (size_t e = 0; e < 3; e++) {
        tok_tokenizer *t;
        CHECK(tok_open_encoding(encs[e], &t, NULL) == TOK_OK);
        for (size_t f = 0; f < sizeof fill; f++) {
            memset(s, fill[f], len);
            uint32_t *ids;
            size_t n, dl;
            char *back;
            CHECK(tok_encode_alloc(t, s, len, NULL, &ids, NULL, &n, NULL) == TOK_OK);
            CHECK(n > 0 && n <= len); /* r50k has no token for two spaces */
            CHECK(tok_decode_alloc(t, ids, n, 0, &back, &dl, NULL) == TOK_OK);
            CHECK_MSG(dl == len && memcmp(back, s, len) == 0, "%s: run of '%c' round trip",
                      encs[e], fill[f]);
            tok_free(ids);
            tok_free(back);
        }
        tok_close(t);
    }
    free(s);
}

/* The linear encoder gives tiktoken's merge result on random pieces of every length, including
 * multi-byte characters and long runs (it never gives up and falls back). */
static void backtrack_agrees(const char *enc, uint64_t seed)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding(enc, &t, NULL) == TOK_OK);
    const tok_vocab *v = &t->vocab;
    CHECK(v->split && v->trie && v->pairs);
    static const char *frags[] = {"a", "aa", " ", "  ", "the", "ing", "\xC3\xA9", "\xE4\xB8\x80",
                                  "\xE6\x97\xA5\xE6\x9C\xAC", "0", "12", "!", "==", "\n", "er",
                                  "\xF0\x9F\x98\x80", "\xD0\xBF\xD1\x80", "ab", "Zq", "/+"};
    enum { MAXN = 600 };
    static uint8_t p[MAXN];
    static uint32_t i1[MAXN], s1[MAXN + 1], i2[MAXN], s2[MAXN + 1];
    static uint64_t dead[MAXN / 64 + 1];
    void *work = malloc(tok_bpe_rank_heap_work(MAXN));
    tok_bpe_thread_memo *memo = tok_bpe_memo(v); /* every other piece through the caches */
    for (int r = 0; r < 6000; r++) {
        size_t want = 2 + test_rand(&seed) % (r % 10 == 0 ? MAXN - 8 : 40);
        size_t n = from_frags(p, MAXN, want, frags, 20, &seed);
        size_t m1 = tok_bpe_rank_backtrack(v, p, n, i1, s1, dead, r % 2 ? memo : NULL);
        size_t m2 = tok_bpe_rank_merge_heap(v, p, n, i2, s2, work);
        CHECK_MSG(m1 > 0, "%s: the linear encoder gave up on a %zu-byte piece", enc, n);
        bool same = m1 == m2;
        for (size_t k = 0; same && k < m1; k++)
            same = i1[k] == i2[k] && s1[k] == s2[k];
        CHECK_MSG(same, "%s: linear encoder and merge disagree on a %zu-byte piece (round %d)",
                  enc, n, r);
    }
    free(work);
    tok_close(t);
}

/* Runs, where each walk of the linear encoder may reuse the last one's answer (bpe_rank.c:
 * longest_again): one unit repeated, with another byte or character dropped in now and then
 * and at the ends, through the thread's caches, against tiktoken's merge. */
static void runs_agree(const char *enc, uint64_t seed)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding(enc, &t, NULL) == TOK_OK);
    const tok_vocab *v = &t->vocab;
    static const char *units[] = {"a", "ab", " ", "\n", "\xE6\x97\xA5", "\xE6\x97\xA5\xE6\x9C\xAC",
                                  "0", "12", "\xF0\x9F\x98\x80", "\xC3\xA9", "the", "aab", "  \n",
                                  "\xE3\x81\x82"};
    static const char *odd[] = {"b", " ", "x", "\xE6\x9C\xAC", "\n", "aa", "\xC3\xA9", "9"};
    enum { MAXN = 3000 };
    static uint8_t p[MAXN];
    static uint32_t i1[MAXN], s1[MAXN + 1], i2[MAXN], s2[MAXN + 1];
    static uint64_t dead[MAXN / 64 + 1];
    void *work = malloc(tok_bpe_rank_heap_work(MAXN));
    tok_bpe_thread_memo *memo = tok_bpe_memo(v);
    for (int r = 0; r < 400; r++) {
        const char *u = units[test_rand(&seed) % (sizeof units / sizeof *units)];
        size_t n = 0, want = 20 + test_rand(&seed) % (MAXN - 40), ul = strlen(u);
        unsigned every = (unsigned)(test_rand(&seed) % 4) * 97; /* 0: a pure run */
        while (n + ul + 4 <= want) {
            if (every && test_rand(&seed) % every == 0) {
                const char *o = odd[test_rand(&seed) % (sizeof odd / sizeof *odd)];
                memcpy(p + n, o, strlen(o));
                n += strlen(o);
            }
            memcpy(p + n, u, ul);
            n += ul;
        }
        size_t m1 = tok_bpe_rank_backtrack(v, p, n, i1, s1, dead, memo);
        size_t m2 = tok_bpe_rank_merge_heap(v, p, n, i2, s2, work);
        bool same = m1 == m2 && m1 > 0;
        for (size_t k = 0; same && k < m1; k++)
            same = i1[k] == i2[k] && s1[k] == s2[k];
        if (!same) {
            free(work);
            tok_close(t);
            CHECK_MSG(false, "%s: a run of \"%s\" (%zu bytes, round %d): linear encoder and "
                      "merge disagree", enc, u, n, r);
        }
    }
    free(work);
    tok_close(t);
}

TEST(bpe_linear_runs_match_merge_cl100k) { runs_agree("cl100k_base", 41); }
TEST(bpe_linear_runs_match_merge_o200k) { runs_agree("o200k_base", 42); }
TEST(bpe_linear_runs_match_merge_r50k) { runs_agree("r50k_base", 43); }

TEST(bpe_linear_matches_merge_r50k) { backtrack_agrees("r50k_base", 31); }
TEST(bpe_linear_matches_merge_p50k) { backtrack_agrees("p50k_base", 32); }
TEST(bpe_linear_matches_merge_cl100k) { backtrack_agrees("cl100k_base", 33); }
TEST(bpe_linear_matches_merge_o200k) { backtrack_agrees("o200k_base", 34); }

/* Every token of the built-in vocabularies is reachable by merges (BPE of its own bytes is the
 * token itself), so the linear encoder can produce each of them. */
TEST(bpe_every_builtin_token_encodes_to_itself)
{
    static const char *encs[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"};
    uint32_t *ids = malloc(256 * 4), *st = malloc(257 * 4);
    uint64_t dead[8];
    for (int e = 0; e < 4; e++) {
        tok_tokenizer *t;
        CHECK(tok_open_encoding(encs[e], &t, NULL) == TOK_OK);
        const tok_vocab *v = &t->vocab;
        for (uint32_t id = 0; id < v->n_ids; id++) {
            uint32_t len = tok_vocab_len(v, id);
            if (len < 2)
                continue;
            CHECK_MSG(v->split[2 * id] != TOK_NO_ID, "%s: token %u is unreachable", encs[e], id);
            size_t m = tok_bpe_rank_backtrack(v, v->bytes + v->off[id], len, ids, st, dead, NULL);
            CHECK_MSG(m == 1 && ids[0] == id, "%s: token %u encodes to %zu tokens", encs[e], id, m);
        }
        tok_close(t);
    }
    free(ids), free(st);
}

/* The leaf bit (algo/algo.h: TOK_TRIE_LEAF) is on exactly the edges whose child has no edges of
 * its own, in the tables every built-in encoding is built with. */
TEST(bpe_trie_leaf_bits_exact)
{
    static const char *encs[] = {"cl100k_base", "o200k_base"};
    for (int e = 0; e < 2; e++) {
        tok_tokenizer *t;
        CHECK(tok_open_encoding(encs[e], &t, NULL) == TOK_OK);
        const tok_vocab *v = &t->vocab;
        size_t n_slots = (size_t)1 << v->trie_bits, leaves = 0, wrong = 0;
        uint64_t *kids = calloc((1u << 24) / 64, sizeof *kids);
        for (size_t i = 0; i < n_slots; i++)
            if (v->trie[i] != UINT64_MAX) {
                uint32_t parent = (uint32_t)v->trie[i] >> 8;
                kids[parent >> 6] |= 1ull << (parent & 63);
            }
        for (size_t i = 0; i < n_slots; i++) {
            uint64_t s = v->trie[i];
            if (s == UINT64_MAX)
                continue;
            uint32_t c = TOK_TRIE_NODE(s);
            bool leaf = !(kids[c >> 6] >> (c & 63) & 1);
            leaves += leaf;
            wrong += leaf != !!(s & TOK_TRIE_LEAF);
        }
        free(kids);
        tok_close(t);
        CHECK_MSG(wrong == 0 && leaves > 1000, "%s: %zu leaf bits wrong (%zu leaves)", encs[e],
                  wrong, leaves);
    }
}

/* The vocabulary's tokens of two or more three-byte characters (malloc'd), *n of them. */
static uint32_t *cjk_tokens(const tok_vocab *v, uint32_t *n)
{
    uint32_t *cjk = malloc(v->n_ids * sizeof *cjk);
    *n = 0;
    for (uint32_t id = 0; id < v->n_ids; id++) {
        uint32_t len = tok_vocab_len(v, id);
        const uint8_t *b = v->bytes + v->off[id];
        bool ok = len >= 6 && len % 3 == 0;
        for (uint32_t k = 0; ok && k < len; k += 3)
            ok = (b[k] & 0xF0) == 0xE0 && (b[k + 1] & 0xC0) == 0x80 && (b[k + 2] & 0xC0) == 0x80;
        if (ok)
            cjk[(*n)++] = id;
    }
    return cjk;
}

/* Long pieces of CJK made of the vocabulary's own tokens of two or more three-byte characters
 * (where the walks go deepest: the thread's step table, leaves mid-word), through the linear
 * encoder with and without the thread's caches, and through the same tables with the leaf bits
 * cleared (as packs made before the bit have them), against tiktoken's merge. */
static void cjk_tokens_agree(const char *enc, uint64_t seed)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding(enc, &t, NULL) == TOK_OK);
    const tok_vocab *v = &t->vocab;
    uint32_t n_cjk, *cjk = cjk_tokens(v, &n_cjk);
    size_t n_slots = (size_t)1 << v->trie_bits;
    uint64_t *bare = malloc(n_slots * sizeof *bare);
    for (size_t i = 0; i < n_slots; i++)
        bare[i] = v->trie[i] == UINT64_MAX ? UINT64_MAX : v->trie[i] & ~TOK_TRIE_LEAF;
    tok_vocab old = *v;
    old.trie = bare;
    old.uid = tok_vocab_new_uid(); /* its own thread caches */
    enum { MAXN = 1500 };
    static uint8_t p[MAXN];
    static uint32_t i1[MAXN], s1[MAXN + 1], i2[MAXN], s2[MAXN + 1], i3[MAXN], s3[MAXN + 1];
    static uint64_t dead[MAXN / 64 + 1];
    void *work = malloc(tok_bpe_rank_heap_work(MAXN));
    size_t bad = 0;
    for (int r = 0; r < 1500 && n_cjk; r++) {
        size_t n = 0, want = 20 + test_rand(&seed) % (MAXN - 40);
        while (n < want) {
            uint32_t id = cjk[test_rand(&seed) % n_cjk], len = tok_vocab_len(v, id);
            /* now and then the token cut after one of its characters, or a kana alone */
            if (test_rand(&seed) % 5 == 0)
                len = 3 * (1 + (uint32_t)(test_rand(&seed) % (len / 3)));
            if (n + len > MAXN)
                break;
            memcpy(p + n, v->bytes + v->off[id], len);
            n += len;
        }
        size_t m1 = tok_bpe_rank_backtrack(v, p, n, i1, s1, dead, r % 3 ? tok_bpe_memo(v) : NULL);
        size_t m3 = tok_bpe_rank_backtrack(&old, p, n, i3, s3, dead, tok_bpe_memo(&old));
        size_t m2 = tok_bpe_rank_merge_heap(v, p, n, i2, s2, work);
        bool same = m1 == m2 && m3 == m2 && m1 > 0;
        for (size_t k = 0; same && k < m1; k++)
            same = i1[k] == i2[k] && s1[k] == s2[k] && i3[k] == i2[k] && s3[k] == s2[k];
        bad += !same;
    }
    free(work), free(bare), free(cjk);
    tok_close(t);
    CHECK_MSG(n_cjk > 100, "%s: only %u CJK tokens", enc, n_cjk);
    CHECK_MSG(bad == 0, "%s: %zu CJK pieces where the linear encoder and the merge disagree", enc,
              bad);
}

TEST(bpe_linear_cjk_tokens_match_merge_cl100k) { cjk_tokens_agree("cl100k_base", 51); }
TEST(bpe_linear_cjk_tokens_match_merge_o200k) { cjk_tokens_agree("o200k_base", 52); }

/* Pieces of three to eight bytes go through the thread's piece table (bpe_rank.c: short_piece),
 * keyed by their bytes and length. Every such token of a vocabulary and random pieces of the same
 * lengths (many not tokens), two passes in a row (the second answered by the table), then the
 * other vocabulary (the table changes owner), then the first again: tok_bpe_rank_piece gives the
 * merge's ids every time. */
TEST(bpe_short_pieces_through_the_piece_table)
{
    tok_tokenizer *t[2];
    CHECK(tok_open_encoding("cl100k_base", &t[0], NULL) == TOK_OK);
    CHECK(tok_open_encoding("o200k_base", &t[1], NULL) == TOK_OK);
    enum { MAXN = 8 };
    uint32_t ids[64], want[MAXN], st[MAXN + 1];
    tok_span spans[64];
    void *work = malloc(tok_bpe_rank_heap_work(MAXN));
    tok_scratch sc = {0};
    size_t bad = 0, checked = 0;
    static const int order[] = {0, 1, 0};
    for (int o_i = 0; o_i < 3; o_i++) {
        const tok_vocab *v = &t[order[o_i]]->vocab;
        for (int pass = 0; pass < 2; pass++) {
            uint64_t seed = 61; /* the same random pieces in both passes */
            for (uint32_t id = 0; id < v->n_ids; id++) {
                uint8_t buf[MAXN];
                const uint8_t *p = buf;
                size_t n = tok_vocab_len(v, id);
                if (n >= 3 && n <= MAXN) {
                    p = v->bytes + v->off[id];
                } else if (id % 3 == 0) { /* bytes of a small alphabet: near tokens */
                    n = 3 + test_rand(&seed) % (MAXN - 2);
                    for (size_t i = 0; i < n; i++)
                        buf[i] = " aeinrst0159.\xC3\xA9"[test_rand(&seed) % 15];
                } else {
                    continue;
                }
                tok_out o = {.ids = ids, .spans = spans, .cap = 64, .want_spans = true};
                CHECK(tok_bpe_rank_piece(v, p, n, 0, &o, &sc));
                size_t m = tok_bpe_rank_merge_heap(v, p, n, want, st, work);
                bool same = o.n == m;
                for (size_t i = 0; same && i < m; i++)
                    same = ids[i] == want[i] && spans[i].start == st[i] &&
                           spans[i].end == st[i + 1];
                bad += !same;
                checked++;
            }
        }
    }
    free(work);
    tok_scratch_free(&sc);
    tok_close(t[0]);
    tok_close(t[1]);
    CHECK_MSG(checked > 300000 && bad == 0, "%zu of %zu short pieces differ from the merge", bad,
              checked);
}

/* A pack whose trie lies (children renumbered to tokens of other lengths, leaf bits flipped)
 * still passes tok_vocab_view_checked, which reads no walks. The encoder steps by its walks'
 * lengths, so on such tables it must give up (0: the caller merges instead) or return tokens
 * that tile the piece by their own lengths -- never positions outside it (ASan runs this). */
TEST(bpe_linear_on_a_lying_trie_stays_inside)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding("cl100k_base", &t, NULL) == TOK_OK);
    void *blob;
    size_t len;
    CHECK(tok_vocab_pack(&t->vocab, &blob, &len) == 0);
    tok_vocab w;
    CHECK(tok_vocab_view_checked(&w, blob, len) == 0 && w.untrusted && w.trie);
    uint64_t seed = 71, *trie = (uint64_t *)(uintptr_t)w.trie;
    size_t lies = 0;
    for (size_t i = 0; i < (size_t)1 << w.trie_bits; i++) {
        uint64_t s = trie[i];
        if (s == UINT64_MAX || test_rand(&seed) % 8)
            continue;
        uint32_t c = TOK_TRIE_NODE(s);
        if (c < w.n_ids && test_rand(&seed) % 2) { /* another token, of another length */
            uint32_t d = (uint32_t)(test_rand(&seed) % w.n_ids);
            if (tok_vocab_len(&w, d) && tok_vocab_len(&w, d) != tok_vocab_len(&w, c)) {
                trie[i] = (s & ~(0xFFFFFFull << 32)) | (uint64_t)d << 32;
                lies++;
            }
        } else {
            trie[i] = s ^ TOK_TRIE_LEAF;
        }
    }
    CHECK(tok_vocab_view_checked(&w, blob, len) == 0); /* the check does not see it */
    static const char *frags[] = {"a", " the", "ing", "\xE4\xB8\x80", "\xE6\x97\xA5\xE6\x9C\xAC",
                                  "\xE3\x81\x82\xE3\x81\x84", "0", "er", "\xC3\xA9", "  "};
    enum { MAXN = 2000 };
    static uint8_t p[MAXN];
    static uint32_t ids[MAXN], st[MAXN + 1];
    static uint64_t dead[MAXN / 64 + 1];
    size_t gave_up = 0, bad = 0;
    for (int r = 0; r < 3000; r++) {
        size_t want = 2 + test_rand(&seed) % (r % 4 ? 60 : MAXN - 8);
        size_t n = from_frags(p, MAXN, want, frags, 10, &seed);
        size_t m = tok_bpe_rank_backtrack(&w, p, n, ids, r % 2 ? st : NULL, dead,
                                          r % 3 ? tok_bpe_memo(&w) : NULL);
        gave_up += m == 0;
        size_t sum = 0;
        for (size_t k = 0; k < m; k++) {
            if (r % 2 && st[k] != sum)
                bad++;
            sum += tok_vocab_len(&w, ids[k]);
        }
        bad += m && sum != n;
    }
    free(blob);
    tok_close(t);
    CHECK_MSG(lies > 1000 && gave_up > 100 && bad == 0,
              "%zu lies, %zu pieces given up, %zu results that do not tile the piece", lies,
              gave_up, bad);
}

/* A piece of 64 KB or more whose ids are not kept -- counted, or viewed -- is encoded on its
 * tokens' lengths, one byte each (bpe_rank.c: backtrack with lens), the token below a popped one
 * found again by its bytes. On long pieces of cut CJK tokens (which make the encoder back up),
 * of fragments and of runs: the count, and the view's ids found again, equal tiktoken's merge;
 * the view is on lengths; ids asked for (spans too) equal the merge's as well. */
static void long_pieces_on_lengths(const char *enc, uint64_t seed)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding(enc, &t, NULL) == TOK_OK);
    const tok_vocab *v = &t->vocab;
    uint32_t n_cjk, *cjk = cjk_tokens(v, &n_cjk);
    static const char *frags[] = {"a", "aa", " ", "  ", "the", "ing", "\xC3\xA9", "\xE4\xB8\x80",
                                  "\xE6\x97\xA5\xE6\x9C\xAC", "0", "12", "!", "==", "\n", "er",
                                  "\xF0\x9F\x98\x80", "\xD0\xBF\xD1\x80", "ab", "Zq", "/+"};
    enum { MAXN = 200000 };
    uint8_t *p = malloc(MAXN);
    uint32_t *ids = malloc(MAXN * 4), *starts = malloc((MAXN + 1) * 4);
    void *work = malloc(tok_bpe_rank_heap_work(MAXN));
    tok_scratch sc = {0};
    size_t bad = 0, on_lens = 0;
    for (int r = 0; r < 9; r++) {
        size_t n = 0, want = 70000 + test_rand(&seed) % (MAXN - 80000);
        if (r % 3 == 0) { /* CJK tokens, now and then cut after a character */
            while (n_cjk && n < want) {
                uint32_t id = cjk[test_rand(&seed) % n_cjk], len = tok_vocab_len(v, id);
                if (test_rand(&seed) % 5 == 0)
                    len = 3 * (1 + (uint32_t)(test_rand(&seed) % (len / 3)));
                memcpy(p + n, v->bytes + v->off[id], len);
                n += len;
            }
        } else if (r % 3 == 1) {
            n = from_frags(p, MAXN, want, frags, 20, &seed);
        } else { /* a run of one fragment, another dropped in now and then */
            const char *u = frags[test_rand(&seed) % 20];
            while (n + 8 < want) {
                const char *f = test_rand(&seed) % 300 ? u : frags[test_rand(&seed) % 20];
                memcpy(p + n, f, strlen(f));
                n += strlen(f);
            }
        }
        size_t m = tok_bpe_rank_merge_heap(v, p, n, ids, starts, work);
        tok_out count = {0};
        bool ok = tok_bpe_rank_parts(v, p, n, 0, &count, &sc) && count.n == m;
        tok_bpe_view w;
        ok = ok && tok_bpe_rank_parts_view(v, p, n, &sc, &w) && w.m == m;
        on_lens += ok && w.lens && !w.ids;
        uint32_t len;
        for (size_t k = 0, at = 0; ok && k < m; k++, at += len)
            ok = tok_bpe_view_id(v, &w, k, p + at, &len) == ids[k] && at == starts[k];
        tok_out all = {.grow = true, .want_spans = true};
        ok = ok && tok_bpe_rank_parts(v, p, n, 0, &all, &sc) && all.n == m;
        for (size_t k = 0; ok && k < m; k++)
            ok = all.ids[k] == ids[k] && all.spans[k].start == starts[k] &&
                 all.spans[k].end == starts[k + 1];
        free(all.ids), free(all.spans);
        bad += !ok;
    }
    tok_scratch_free(&sc);
    free(p), free(ids), free(starts), free(work), free(cjk);
    tok_close(t);
    CHECK_MSG(bad == 0 && on_lens == 9,
              "%s: %zu long pieces differ from the merge, %zu of 9 viewed on lengths", enc, bad,
              on_lens);
}

TEST(bpe_long_pieces_on_lengths_cl100k) { long_pieces_on_lengths("cl100k_base", 61); }
TEST(bpe_long_pieces_on_lengths_o200k) { long_pieces_on_lengths("o200k_base", 62); }
