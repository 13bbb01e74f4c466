/* Rows of spaces (lib/formats/hf/rows.c): counting with a SentencePiece-style tokenizer.json
 * drops rows of K spaces from inside long runs when the growth merges come before (u1, u1) (G)
 * and nothing joins past K (B). The counts of texts with runs of every length up to 600 -- at
 * the start, at the end, after characters that join U+2581 (">", "x"), before words, next to
 * literal U+2581, tabs, newlines and added tokens -- must equal the number of ids, which never
 * drop anything; the rows counter shows the path was taken where the conditions hold, and the
 * two conditions each turn it off. */
#include "formats/hf/hf.h"
#include "runner.h"

#include <dirent.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* t's counts of random texts over frag equal its numbers of ids, under both policies that
 * differ; the rows t dropped doing so. */
static uint64_t counts_equal_ids(const char *name, tok_tokenizer *t, const char *const *frag,
                                 size_t nfrag, int texts)
{
    hf_pipeline *hp = t->impl;
    uint64_t before = atomic_load(&hp->rows_dropped), seed = 31;
    static uint8_t p[16384];
    for (int i = 0; i < texts; i++) {
        size_t n = test_runs_text(p, 1024 + test_rand(&seed) % (sizeof p - 1024), &seed, frag,
                                  nfrag);
        for (int policy = TOK_SPECIAL_ORDINARY; policy <= TOK_SPECIAL_ALLOW; policy++) {
            tok_encode_options o = {(tok_special_policy)policy, 0};
            size_t count = 0, want = 0;
            uint32_t *ids = NULL;
            tok_error err;
            tok_status sa = tok_count(t, (const char *)p, n, &o, &count, &err);
            tok_status sb = tok_encode_alloc(t, (const char *)p, n, &o, &ids, NULL, &want, &err);
            free(ids);
            if (sa != TOK_OK || sb != TOK_OK || count != want) {
                test_fail(__FILE__, __LINE__, "%s, text %d, policy %d: counted %zu, %zu ids",
                          name, i, policy, count, want);
                return 0;
            }
        }
    }
    return atomic_load(&hp->rows_dropped) - before;
}

/* Every tokenizer.json of the references: rows where they are proven, the same counts. */
TEST(hf_rows_of_spaces_counted_as_the_ids)
{
    static const char *const frag[] = {"a", "the", "x", "42", "\t", "\n", "\xe2\x96\x81", ".",
                                       ">", "</", "\xe4\xb8\x80", "<start_of_turn>", "ab", "  "};
    DIR *dir = opendir(test_hf_dir());
    CHECK_MSG(dir, "%s missing (make hf-vocabs)", test_hf_dir());
    struct dirent *de;
    size_t files = 0, with_rows = 0;
    bool gemma3 = false;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), de->d_name);
        if (access(path, R_OK) != 0)
            continue;
        tok_tokenizer *t;
        tok_error err;
        if (test_open_json(path, &t, &err) != TOK_OK)
            continue;
        files++;
        uint32_t k = hf_space_rows(t, TOK_SPECIAL_ORDINARY);
        if (k) {
            with_rows++;
            uint64_t rows = counts_equal_ids(de->d_name, t, frag, sizeof frag / sizeof *frag, 30);
            CHECK_MSG(rows > 100, "%s: rows of %u, %llu dropped", de->d_name, k,
                      (unsigned long long)rows);
            if (!strcmp(de->d_name, "gemma3"))
                gemma3 = k == 31;
        }
        /* Mistral 7B's merges of runs come in every order: (G) fails */
        if (!strcmp(de->d_name, "mistral_7b"))
            CHECK_MSG(k == 0, "mistral_7b: rows of %u", k);
        tok_close(t);
    }
    closedir(dir);
    printf("  rows of spaces: %zu of %zu tokenizer.json files\n", with_rows, files);
    CHECK_MSG(files >= 30 && gemma3, "%zu files; Gemma 3 %s", files,
              gemma3 ? "has rows of 31" : "has no rows of 31");
}

/* A small model with rows of four: "▁▁ ▁▁" and the growth merges come before "▁ ▁" (G),
 * nothing joins past four (B); "x" takes up to two marks from the left, "a" one or two from
 * the right. Then (G) broken ("▁ ▁" first), (B) broken ("▁▁▁ ▁▁" makes five) and the same
 * model with truncation. */
static tok_tokenizer *synthetic(const char *truncation, const char *extra_vocab,
                                const char *merges)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"version\":\"1.0\",\"truncation\":%s,\"padding\":null,\"added_tokens\":[],"
             "\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},"
             "\"content\":\"\\u2581\"},\"pre_tokenizer\":null,\"post_processor\":null,"
             "\"decoder\":null,\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,"
             "\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":false,"
             "\"byte_fallback\":false,\"ignore_merges\":false,\"vocab\":{\"\\u2581\":0,\"a\":1,"
             "\"b\":2,\"x\":3,\"\\u2581\\u2581\":4,\"\\u2581\\u2581\\u2581\":5,"
             "\"\\u2581\\u2581\\u2581\\u2581\":6,\"\\u2581a\":7,\"ab\":8,\"x\\u2581\":9,"
             "\"x\\u2581\\u2581\":10,\"\\u2581\\u2581a\":11%s},\"merges\":[%s]}}",
             truncation, extra_vocab, merges);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_memory(json, strlen(json), "rows.json", NULL, &t, &err) != TOK_OK)
        test_fail(__FILE__, __LINE__, "synthetic: %s", err.message);
    return t;
}

#define M_GROW "\"\\u2581\\u2581 \\u2581\\u2581\",\"\\u2581\\u2581\\u2581 \\u2581\",\"\\u2581\\u2581 \\u2581\""
#define M_REST "\"\\u2581 a\",\"a b\",\"x \\u2581\",\"x\\u2581 \\u2581\""
#define M_PAIR "\"\\u2581 \\u2581\""
#define M_LAST "\"\\u2581\\u2581 a\""

TEST(hf_rows_of_spaces_need_both_conditions)
{
    static const char *const frag[] = {"a", "b", "x", "ab", "xa", "ba", "x x"};
    static const char trunc[] =
        "{\"direction\":\"Right\",\"max_length\":100000,\"strategy\":\"LongestFirst\","
        "\"stride\":0}";
    struct {
        const char *what, *truncation, *vocab, *merges;
        uint32_t want;
    } cases[] = {
        {"rows of four", "null", "", M_GROW "," M_REST "," M_PAIR "," M_LAST, 4},
        {"(G) broken", "null", "", M_PAIR "," M_GROW "," M_REST "," M_LAST, 0},
        {"(B) broken", "null", ",\"\\u2581\\u2581\\u2581\\u2581\\u2581\":12",
         M_GROW "," M_REST "," M_PAIR "," M_LAST ",\"\\u2581\\u2581\\u2581 \\u2581\\u2581\"", 0},
        /* truncation needs every id: no rows (its limit is above the texts' counts) */
        {"truncation", trunc, "", M_GROW "," M_REST "," M_PAIR "," M_LAST, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        tok_tokenizer *t = synthetic(cases[c].truncation, cases[c].vocab, cases[c].merges);
        if (!t)
            continue;
        uint32_t k = hf_space_rows(t, TOK_SPECIAL_ORDINARY);
        CHECK_MSG(k == cases[c].want, "%s: rows of %u", cases[c].what, k);
        uint64_t rows = counts_equal_ids(cases[c].what, t, frag, sizeof frag / sizeof *frag, 40);
        CHECK_MSG((rows > 0) == (cases[c].want > 0), "%s: %llu rows dropped", cases[c].what,
                  (unsigned long long)rows);
        tok_close(t);
    }
}
