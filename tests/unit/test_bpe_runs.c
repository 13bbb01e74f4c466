/* A word that is mostly runs of one repeated symbol is merged on the runs
 * (formats/hf/models/bpe_runs.c): a level of the run at once where HF's order allows it, the
 * first two alone where it does not (Gemma 3's U+2581: each pair made takes the next symbol
 * first), chains of such merges without the heap. Ids and spans must be those of HF's merge
 * loop symbol by symbol (which the goldens check against HF tokenizers) on runs of many
 * lengths and characters, alone, between other text, and several in a word; on real
 * vocabularies (Metaspace BPE, byte-level) and with unknown characters. */
#include "formats/hf/models/bpe_word.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

static const char *const RUN_CHARS[] = {"\xE2\x96\x81", "a", "\n", "\xE4\xB8\xAD", "=", "0",
                                        "\xC3\xA9", " ", "-", "\t", "\xF0\x90\x90\x80", "."};
#define N_RUN_CHARS (sizeof RUN_CHARS / sizeof *RUN_CHARS)
static const char *const BITS[] = {"x", "the", "\xE2\x96\x81the", "ab", "12", "\xE2\x96\x81",
                                   "\xE6\x9D\xB1\xE4\xBA\xAC", "<b>", "\xE2\x96\x81\xE2\x96\x81"};
#define N_BITS (sizeof BITS / sizeof *BITS)

static size_t add_run(char *s, size_t i, const char *c, size_t k)
{
    size_t m = strlen(c);
    for (size_t j = 0; j < k; j++, i += m)
        memcpy(s + i, c, m);
    return i;
}

/* A word of shape k: one run (k 0), a run between short bits (1), several runs (2), runs of
 * a few letters of every length, so that what comes before a run merges with its start (3). */
static char *word(int k, uint64_t *r, size_t *len, const char **single)
{
    char *s = malloc(64 * 1024);
    size_t i = 0;
    *single = NULL;
    if (k == 3) {
        static const char *const few[] = {"a", "b", "e", "n", "\xE2\x96\x81", "s"};
        while (i < 3000) {
            const char *c = few[test_rand(r) % 6];
            i = add_run(s, i, c, 1 + (test_rand(r) % 4 ? test_rand(r) % 12 : test_rand(r) % 300));
        }
        *len = i;
        return s;
    }
    int runs = k == 2 ? 2 + (int)(test_rand(r) % 4) : 1;
    if (k == 1)
        i = (size_t)(stpcpy(s, BITS[test_rand(r) % N_BITS]) - s);
    for (int j = 0; j < runs; j++) {
        const char *c = RUN_CHARS[test_rand(r) % N_RUN_CHARS];
        size_t n = 64 + test_rand(r) % (j == 0 && k == 0 ? 4000 : 1500);
        i = add_run(s, i, c, n);
        if (k == 0)
            *single = c;
        if (k == 2 && test_rand(r) % 2)
            i = (size_t)(stpcpy(s + i, BITS[test_rand(r) % N_BITS]) - s);
    }
    if (k == 1)
        i = (size_t)(stpcpy(s + i, BITS[test_rand(r) % N_BITS]) - s);
    *len = i;
    return s;
}

/* Word s[0..n) merged on runs (when not declined) and symbol by symbol: the same tokens? */
static bool runs_agree(const tok_tokenizer *t, const char *s, size_t n, tok_scratch *sc,
                       bool *declined, size_t *na, size_t *nb)
{
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    hf_tokens a = {0}, b = {0};
    *declined = true;
    tok_status sa = hf_bpe_runs(t, m, (const uint8_t *)s, n, &a, 0, false, declined);
    if (*declined)
        sa = hf_bpe_merge(t, m, (const uint8_t *)s, n, &a, sc, false);
    tok_status sb = hf_bpe_merge(t, m, (const uint8_t *)s, n, &b, sc, false);
    bool same = sa == sb && a.n == b.n &&
                (!a.n || (!memcmp(a.id, b.id, a.n * sizeof *a.id) &&
                          !memcmp(a.start, b.start, a.n * sizeof *a.start) &&
                          !memcmp(a.end, b.end, a.n * sizeof *a.end)));
    *na = a.n, *nb = b.n;
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    return same && (sa == TOK_OK || a.n == 0);
}

static void check(const char *name, const char *from, const char *to)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
    tok_tokenizer *t = test_open_json_edited(path, from, to);
    CHECK_MSG(t, "%s: cannot open it", path);
    if (!t)
        return;
    const hf_model *m = &((const hf_pipeline *)t->impl)->model;
    tok_scratch sc = {0};
    uint64_t r = 11;
    int on_runs = 0;
    for (int round = 0; round < 60; round++) {
        size_t n;
        const char *single;
        char *s = word(round % 4, &r, &n, &single);
        bool declined;
        size_t na, nb;
        bool same = runs_agree(t, s, n, &sc, &declined, &na, &nb);
        on_runs += !declined;
        CHECK_MSG(same, "%s%s%s: round %d (%zu bytes%s%s): %zu tokens on runs, %zu symbol by "
                  "symbol", name, from ? " with " : "", from ? to : "", round, n,
                  single ? ", one run of " : "", single ? single : "", na, nb);
        /* a run of one character the vocabulary has is what the runs are for */
        if (single && !m->byte_level && tok_vocab_find(&t->vocab, (const uint8_t *)single,
                                                       strlen(single)) != TOK_NO_ID)
            CHECK_MSG(!declined, "%s: one run of %s declined", name, single);
        free(s);
    }
    CHECK_MSG(on_runs >= 15, "%s: only %d of 60 words merged on runs", name, on_runs);
    tok_scratch_free(&sc);
    tok_close(t);
}

TEST(bpe_runs_gemma3) { check("gemma3", NULL, NULL); }
TEST(bpe_runs_gemma) { check("gemma", NULL, NULL); }
TEST(bpe_runs_mistral_7b) { check("mistral_7b", NULL, NULL); }
TEST(bpe_runs_yi) { check("yi", NULL, NULL); }
TEST(bpe_runs_llama_like) { check("gen_bpe_llama_like", NULL, NULL); }
TEST(bpe_runs_gpt2) { check("gpt2", NULL, NULL); }
TEST(bpe_runs_qwen) { check("qwen2_5", NULL, NULL); }
/* unknown characters fused into one <unk> (no byte fallback) or each their own */
TEST(bpe_runs_fused_unknowns)
{
    check("mistral_7b", "\"byte_fallback\": true", "\"byte_fallback\": false");
}
TEST(bpe_runs_unfused_unknowns)
{
    check("gen_bpe_llama_like", "\"fuse_unk\": true, \"byte_fallback\": true",
          "\"fuse_unk\": false, \"byte_fallback\": false");
}

/* A tokenizer.json of a BPE model alone: vocab and merges are the bodies of its "vocab" object
 * and "merges" array, unk and prefix JSON values (null or a string). NULL, with a failed check,
 * when it does not open. */
static tok_tokenizer *open_bpe(const char *name, const char *unk, const char *prefix,
                               bool fallback, const char *vocab, const char *merges)
{
    size_t cap = strlen(vocab) + strlen(merges) + 1024;
    char *json = malloc(cap);
    int n = snprintf(json, cap,
                     "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": null, "
                     "\"pre_tokenizer\": null, \"post_processor\": null, \"decoder\": null, "
                     "\"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": %s, "
                     "\"continuing_subword_prefix\": %s, \"end_of_word_suffix\": null, "
                     "\"fuse_unk\": false, \"byte_fallback\": %s, \"vocab\": {%s}, "
                     "\"merges\": [%s]}}",
                     unk, prefix, fallback ? "true" : "false", vocab, merges);
    tok_tokenizer *t = NULL;
    tok_error err = {0};
    if (n <= 0 || (size_t)n >= cap || tok_open_memory(json, (size_t)n, name, NULL, &t, &err) != TOK_OK)
        test_fail(__FILE__, __LINE__, "%s: %s", name, err.message);
    free(json);
    return t;
}

/* A small vocabulary where each shortcut would go wrong: with merges "b aa" < "aa a" < "a a",
 * HF merges the first "a a" of a run after "b", then "b aa" (it ranks before "aa a"), so the
 * first pair made must not take the next symbol first (the chain's look at the pair before
 * it), nor the run merge as a level ("aa a" ranks before "a a"); with "a a" first and "aa aa"
 * after it, levels apply. The merge loop symbol by symbol is the reference. */
static void check_small(const char *merges, const char *name)
{
    tok_tokenizer *t = open_bpe(name, "null", "null", false,
                                "\"a\": 0, \"b\": 1, \"aa\": 2, \"aaa\": 3, \"baa\": 4, "
                                "\"aaaa\": 5, \"baaa\": 6, \"ab\": 7, \"ba\": 8",
                                merges);
    if (!t)
        return;
    tok_scratch sc = {0};
    for (size_t k = 300; k < 340; k++) {
        char s[1024];
        size_t n = 0;
        for (size_t j = 0; j < k; j++)
            s[n++] = j == 0 || (j * 7) % 53 == 0 ? 'b' : 'a';
        bool declined;
        size_t na, nb;
        bool same = runs_agree(t, s, n, &sc, &declined, &na, &nb);
        CHECK_MSG(!declined && same && na, "%s: %zu letters: %zu tokens on runs%s, %zu symbol "
                  "by symbol", name, k, na, declined ? " (declined)" : "", nb);
    }
    tok_scratch_free(&sc);
    tok_close(t);
}

TEST(bpe_runs_small_vocabularies)
{
    check_small("\"b aa\", \"aa a\", \"a a\", \"b aaa\"", "pair before first");
    check_small("\"aa a\", \"a a\", \"b aa\", \"aaa a\"", "chain");
    check_small("\"a a\", \"aa aa\", \"b aa\", \"aa a\", \"b a\"", "levels");
    check_small("\"a a\", \"b aa\", \"aa aa\", \"baa a\", \"a b\"", "levels after b");
}

/* With a continuing_subword_prefix and byte fallback, a character outside the vocabulary is
 * the prefix's bytes and its own: six symbols for a four-byte character, more symbols than
 * the word has bytes. The merge loop sized its symbols by bytes, so the last ran into its heap
 * (inside one allocation: ASan does not see it), and a merge at the end broke them. */
TEST(bpe_prefix_byte_fallback_symbols)
{
    tok_tokenizer *t = open_bpe("prefix", "\"<unk>\"", "\"##\"", true,
                                "\"<unk>\": 0, \"<0x23>\": 1, \"<0xF0>\": 2, \"<0x90>\": 3, "
                                "\"<0x80>\": 4, \"a\": 5, \"##a\": 6, \"##aa\": 7",
                                "\"##a ##a\"");
    if (!t)
        return;
    char s[4 * 300 + 2];
    for (int i = 0; i < 300; i++)
        memcpy(s + 4 * i, "\xF0\x90\x90\x80", 4); /* U+10400 */
    memcpy(s + 4 * 300, "aa", 2);
    uint32_t *ids = NULL;
    size_t n = 0;
    CHECK_EQ(tok_encode_alloc(t, s, sizeof s, NULL, &ids, NULL, &n, NULL), TOK_OK);
    CHECK_EQ(n, 4 + 299 * 6 + 1);
    bool bytes = n == 4 + 299 * 6 + 1;
    for (size_t i = 0; bytes && i + 1 < n; i++) /* <0xF0> ... then <0x23> <0x23> <0xF0> ... */
        bytes = ids[i] >= 1 && ids[i] <= 4;
    CHECK_MSG(bytes && ids[n - 1] == 7, "not the byte tokens, then ##aa");
    tok_free(ids);
    tok_close(t);
}

/* Random vocabularies over "a" and "b": tokens made by joining two earlier ones (up to 8
 * letters), the merges in a random order, so every order of a run's pairs against the pairs
 * around it comes up; words of runs of random lengths. The runs must give the merge loop's
 * tokens every time. */
TEST(bpe_runs_random_vocabularies)
{
    uint64_t r = 2026;
    size_t on_runs = 0, words = 0;
    for (int v = 0; v < 40; v++) {
        char tok[64][9];
        int nt = 2;
        strcpy(tok[0], "a");
        strcpy(tok[1], "b");
        char merges[64][20];
        int nm = 0;
        for (int tries = 0; tries < 400 && nt < 64 && nm < 64; tries++) {
            int x = (int)(test_rand(&r) % (uint64_t)nt), y = (int)(test_rand(&r) % (uint64_t)nt);
            if (strlen(tok[x]) + strlen(tok[y]) > 8)
                continue;
            char j[17];
            snprintf(j, sizeof j, "%s%s", tok[x], tok[y]);
            bool have = false;
            for (int k = 0; k < nt && !have; k++)
                have = !strcmp(tok[k], j);
            for (int k = 0; k < nm && have; k++) { /* the same merge once */
                char m[20];
                snprintf(m, sizeof m, "%s %s", tok[x], tok[y]);
                if (!strcmp(merges[k], m))
                    goto next;
            }
            if (!have)
                strcpy(tok[nt++], j);
            snprintf(merges[nm++], sizeof merges[0], "%s %s", tok[x], tok[y]);
        next:;
        }
        /* merges in a random order: ranks that do not follow the order tokens were made */
        for (int k = nm - 1; k > 0; k--) {
            int o = (int)(test_rand(&r) % (uint64_t)(k + 1));
            char t[20];
            memcpy(t, merges[k], sizeof t), memcpy(merges[k], merges[o], sizeof t),
                memcpy(merges[o], t, sizeof t);
        }
        char vocab[2048], ms[2048];
        size_t nv = 0, nmb = 0;
        for (int k = 0; k < nt; k++)
            nv += (size_t)snprintf(vocab + nv, sizeof vocab - nv, "%s\"%s\": %d", k ? ", " : "",
                                   tok[k], k);
        for (int k = 0; k < nm; k++)
            nmb += (size_t)snprintf(ms + nmb, sizeof ms - nmb, "%s\"%s\"", k ? ", " : "",
                                    merges[k]);
        tok_tokenizer *t = open_bpe("random", "null", "null", false, vocab, ms);
        if (!t)
            return;
        tok_scratch sc = {0};
        for (int w = 0; w < 25; w++) {
            char s[4096];
            size_t len = 0;
            while (len < 600) {
                size_t k = test_rand(&r) % 4 ? 1 + test_rand(&r) % 6 : 1 + test_rand(&r) % 200;
                char c = test_rand(&r) % 2 ? 'a' : 'b';
                for (size_t i = 0; i < k && len < sizeof s; i++)
                    s[len++] = c;
            }
            bool declined;
            size_t na, nb;
            bool same = runs_agree(t, s, len, &sc, &declined, &na, &nb);
            words++;
            on_runs += !declined;
            CHECK_MSG(same && na, "vocabulary %d, word %d: %zu tokens on runs%s, %zu symbol by "
                      "symbol", v, w, na, declined ? " (declined)" : "", nb);
        }
        tok_scratch_free(&sc);
        tok_close(t);
    }
    CHECK_MSG(on_runs > words / 2, "only %zu of %zu words on runs", on_runs, words);
}
