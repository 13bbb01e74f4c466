/* Built-in twins (formats/hf/models/bpe_ranks.c, api/shipped_twin.c): the GPT-2, GPT-3.5/4 and
 * GPT-4o tokenizer.json files are r50k_base, p50k_base, cl100k_base and o200k_base with their
 * specials added, and encode on the built-in encoding's proven tables from their first piece,
 * with HF's ids. What the proof leans on is checked here: each built-in's tables hold the true
 * splits; a file whose merges are not the built-in's is refused (HF's merge loop serves it);
 * a vocabulary that is the built-in's and more (Llama 3) is not even asked. */
#include "algo/algo.h"
#include "api/api.h"
#include "formats/hf/hf.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The proof takes a built-in's splits as the true ones (algo/bpe_verify.c attaches tables only
 * when they are, and these have no token left out): worked out again here, every token. */
TEST(builtin_twin_tables_hold_the_true_splits)
{
    static const char *const names[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        tok_tokenizer *t;
        CHECK(tok_open_encoding(names[i], &t, NULL) == TOK_OK);
        const tok_vocab *v = &t->vocab;
        uint32_t *truth = malloc((size_t)v->n_ids * 2 * sizeof *truth);
        bool have = v->split && !v->n_anom && truth;
        bool made = have && tok_bpe_true_splits(v, NULL, truth) == TOK_OK;
        bool same = made && !memcmp(truth, v->split, (size_t)v->n_ids * 2 * sizeof *truth);
        free(truth);
        tok_close(t);
        CHECK_MSG(have, "%s: no tables, or tokens left out of them", names[i]);
        CHECK(made);
        CHECK_MSG(same, "%s: the tables' splits are not the true splits", names[i]);
    }
}

static hf_lazy_rank *lazy_of(const tok_tokenizer *t)
{
    return ((const hf_pipeline *)t->impl)->model.lazy;
}

/* Mixed text, every kind of piece: words, CJK runs, digits, spaces, code, emoji, bytes that
 * are partial characters of tokens; and a long run of each. */
static size_t mixed_text(char *p, size_t cap, uint64_t *seed)
{
    static const char *const frag[] = {
        "Hello", " world", "!", " It's", " 2024", "  ", "\n\n", "\t", "日本語の文章", "中文句子，",
        " Привет", " мир", "🙂", "🙂🙂", "    def f(x):", " return x**2", " # 1234567890",
        "ZZZZZZ", "aaaaaaaaaaaa", "==", " café", "naïve", "\r\n", "ÿ", " ​"};
    size_t n = 0;
    while (n + 64 < cap) {
        const char *f = frag[test_rand(seed) % (sizeof frag / sizeof *frag)];
        size_t reps = test_rand(seed) % 16 == 0 ? 1 + test_rand(seed) % 40 : 1;
        for (size_t r = 0; r < reps && n + strlen(f) < cap; r++) {
            memcpy(p + n, f, strlen(f));
            n += strlen(f);
        }
    }
    return n;
}

/* Each OpenAI tokenizer.json in HF form takes its built-in's tables on the first piece (the
 * lazy tables are the built-in's own memory), and gives the ids HF's merge loop gives on the
 * same file (the same file opened with the question turned off) on mixed text. The goldens
 * check the ids against npm tokenizers too. */
TEST(builtin_twin_serves_openai_tokenizer_json)
{
    static const struct {
        const char *dir, *encoding;
    } files[] = {{"gpt2", "r50k_base"},
                 {"text_davinci003", "p50k_base"},
                 {"gpt4", "cl100k_base"},
                 {"gpt4o", "o200k_base"}};
    char *text = malloc(200000);
    CHECK(text);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), files[i].dir);
        if (access(path, R_OK) != 0)
            free(text);
        CHECK_MSG(access(path, R_OK) == 0, "%s is missing (run make hf-vocabs)", path);
        tok_tokenizer *t = NULL, *ref = NULL, *enc = NULL;
        bool opened = tok_open_file(path, NULL, &t, NULL) == TOK_OK &&
                      tok_open_file(path, NULL, &ref, NULL) == TOK_OK &&
                      tok_open_encoding(files[i].encoding, &enc, NULL) == TOK_OK;
        bool noted = opened && lazy_of(t) && lazy_of(t)->has_builtin &&
                     lazy_of(t)->builtin.bytes == enc->vocab.bytes;
        if (noted) /* the reference: HF's merge loop, never asked */
            atomic_store(&lazy_of(ref)->eager, 0);
        uint64_t seed = 77 + i;
        bool same = noted;
        size_t tokens = 0;
        for (int k = 0; k < 6 && same; k++) {
            size_t n = mixed_text(text, k == 5 ? 200000 : 3000, &seed), c;
            same = test_same_tokens(t, ref, text, n, 0, &c);
            tokens += c;
        }
        bool lent = noted && atomic_load(&lazy_of(t)->state) == 1 &&
                    lazy_of(t)->v.bytes == enc->vocab.bytes;
        bool ref_merged = noted && atomic_load(&lazy_of(ref)->state) != 1;
        tok_close(t), tok_close(ref), tok_close(enc);
        if (!(noted && same && lent && ref_merged))
            free(text);
        CHECK_MSG(opened, "%s", path);
        CHECK_MSG(noted, "%s: %s was not named as its twin", path, files[i].encoding);
        CHECK_MSG(same, "%s: ids differ from HF's merge loop", path);
        CHECK_MSG(lent, "%s: the built-in's tables did not serve it", path);
        CHECK_MSG(ref_merged, "%s: the reference did not take the merge loop", path);
        CHECK(tokens > 50000);
    }
    free(text);
}

/* GPT-2's file with its first two merges swapped ("Ġ a" before "Ġ t"): the vocabulary is still
 * r50k_base's, so it is named, but the merge order is not the ranks' (condition 2): the proof
 * refuses it on the first piece, lends nothing and is not asked again (HF's merge loop serves
 * the file). */
TEST(builtin_twin_refuses_other_merges)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gpt2/tokenizer.json", test_hf_dir());
    CHECK_MSG(access(path, R_OK) == 0, "%s is missing (run make hf-vocabs)", path);
    tok_tokenizer *t = test_open_json_edited(path, "\"\xc4\xa0 t\",\n      \"\xc4\xa0 a\",",
                                             "\"\xc4\xa0 a\",\n      \"\xc4\xa0 t\",");
    CHECK(t);
    bool noted = lazy_of(t) && lazy_of(t)->has_builtin;
    size_t n;
    bool counted = tok_count(t, "a cat sat on a mat", 18, NULL, &n, NULL) == TOK_OK && n > 0;
    int state = atomic_load(&lazy_of(t)->state), eager = atomic_load(&lazy_of(t)->eager);
    tok_close(t);
    CHECK_MSG(noted, "the edited file was not named (the test no longer reaches the proof)");
    CHECK(counted);
    CHECK_MSG(state == 0 && eager == 0, "state %d, eager %d: the proof did not refuse", state,
              eager);
}

/* Llama 3's tokenizer.json holds cl100k_base's tokens and 28,000 more that are not added ones:
 * not a twin, and not asked (the proof would cost a comparison of 100,000 tokens). */
TEST(builtin_twin_not_asked_for_larger_vocabularies)
{
    char path[512];
    snprintf(path, sizeof path, "%s/llama3/tokenizer.json", test_hf_dir());
    CHECK_MSG(access(path, R_OK) == 0, "%s is missing (run make hf-vocabs)", path);
    tok_tokenizer *t;
    CHECK(test_open_json(path, &t, NULL) == TOK_OK);
    bool noted = lazy_of(t) && lazy_of(t)->has_builtin;
    tok_close(t);
    CHECK(!noted);
}

/* A byte-level file that is no built-in's (GPT-2's, its twin turned off) works its tables out
 * once the text through its merge loop adds up to HF_RANK_SPEND_PER_ID bytes a token, not
 * before; from then on the rank core gives the merge loop's ids. */
TEST(rank_tables_built_once_text_pays_for_them)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gpt2/tokenizer.json", test_hf_dir());
    CHECK_MSG(access(path, R_OK) == 0, "%s is missing (run make hf-vocabs)", path);
    tok_tokenizer *t = NULL, *ref = NULL;
    CHECK(test_open_json(path, &t, NULL) == TOK_OK);
    if (test_open_json(path, &ref, NULL) != TOK_OK)
        tok_close(t);
    CHECK(ref);
    lazy_of(t)->has_builtin = false; /* no twin: the tables are worked out from the file */
    atomic_store(&lazy_of(t)->eager, 0);
    atomic_store(&lazy_of(ref)->eager, 0);
    atomic_store(&lazy_of(ref)->state, 2); /* the reference: HF's merge loop for good */
    size_t price = (size_t)HF_RANK_SPEND_PER_ID * t->vocab.n_ids, cap = price / 3 + 1000;
    char *text = malloc(cap);
    uint64_t seed = 5;
    size_t n = text ? mixed_text(text, cap, &seed) : 0, c;
    bool counted = text != NULL;
    int before = -1;
    for (int k = 0; k < 4 && counted; k++) { /* 4 x a third of the price */
        if (k == 2)
            before = atomic_load(&lazy_of(t)->state);
        counted = tok_count(t, text, n, NULL, &c, NULL) == TOK_OK;
    }
    int after = atomic_load(&lazy_of(t)->state);
    bool built = after == 1 && lazy_of(t)->v.heap_bpe != NULL;
    n = text ? mixed_text(text, 20000, &seed) : 0;
    bool same = built && test_same_tokens(t, ref, text, n, 0, NULL);
    free(text);
    tok_close(t), tok_close(ref);
    CHECK(counted);
    CHECK_MSG(before == 0, "the tables were worked out before the text paid for them");
    CHECK_MSG(built, "state %d after more text than the price", after);
    CHECK(same);
}
