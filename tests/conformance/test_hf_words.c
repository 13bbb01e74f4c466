/* BERT-shaped pipelines cut plain ASCII words in one pass (formats/hf/encode_words.c) and send
 * every other stretch through the normalizers and the pre-tokenizer. The same file with a
 * Strip normalizer that strips nothing added after BertNormalizer is not BERT-shaped, so it
 * runs the stages over everything: ids and spans must be the same, with and without the
 * template's tokens, on the golden corpora (real and stress text, each line alone and all as
 * one text) and on text that switches between the two every few words (accents, CJK,
 * controls, vertical tabs, punctuation, added tokens). The goldens check the tokens against HF
 * tokenizers. */
#include "goldens.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *name, const char *normalizer)
{
    char path[512], to[512];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
    snprintf(to, sizeof to, "\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [%s, "
             "{\"type\": \"Strip\", \"strip_left\": false, \"strip_right\": false}]}", normalizer);
    char from[512];
    snprintf(from, sizeof from, "\"normalizer\": %s", normalizer);
    tok_tokenizer *words = test_open_json_edited(path, NULL, NULL),
                  *stages = test_open_json_edited(path, from, to);
    CHECK_MSG(words && stages, "%s: cannot open it, or without its normalizer as given", name);
    if (!words || !stages) {
        tok_close(words), tok_close(stages);
        return;
    }
    size_t lines = 0, bad = 0;
    static const char *const corpora[] = {"tests/golden/corpus/real.jsonl",
                                          "tests/golden/corpus/stress.jsonl"};
    for (int c = 0; c < 2; c++) {
        text_lines tl;
        CHECK_MSG(load_text_lines(corpora[c], &tl), "%s is missing", corpora[c]);
        size_t cap = 1 << 20, n = 0;
        char *all = malloc(cap);
        for (size_t i = 0; i < tl.n; i += golden_stride()) {
            lines++;
            if (!test_same_tokens(words, stages, tl.v[i].text, tl.v[i].len, 0, NULL) && bad++ < 5)
                CHECK_MSG(false, "%s: %s line %zu differs", name, corpora[c], i + 1);
            if (n + tl.v[i].len + 1 <= cap) {
                memcpy(all + n, tl.v[i].text, tl.v[i].len);
                n += tl.v[i].len;
                all[n++] = '\n';
            }
        }
        CHECK_MSG(test_same_tokens(words, stages, all, n, TOK_ENCODE_ADD_SPECIAL, NULL),
                  "%s: %s as one text differs", name, corpora[c]);
        free(all);
        text_lines_free(&tl);
    }
    static const char *const bits[] = {"Hello", "WORLD,", "résumé", "東京", "x\x01y", "a\vb",
                                       "(ok)", "don't", "[CLS]", "[MASK]", "Zürich!", "\t",
                                       "e\xcc\x81", "123.45", "\xe2\x80\x8b", "--", "\r\n"};
    uint64_t r = 5;
    char s[8192];
    for (int round = 0; round < 200; round++) {
        size_t n = 0;
        while (n < sizeof s - 64) {
            const char *b = bits[test_rand(&r) % (sizeof bits / sizeof *bits)];
            memcpy(s + n, b, strlen(b));
            n += strlen(b);
            if (test_rand(&r) % 3)
                s[n++] = ' ';
        }
        CHECK_MSG(test_same_tokens(words, stages, s, n, round % 2 ? TOK_ENCODE_ADD_SPECIAL : 0, NULL),
                  "%s: mixed text %d differs", name, round);
    }
    CHECK_MSG(lines > 100, "%s: only %zu lines", name, lines);
    tok_close(words);
    tok_close(stages);
}

#define BERT(lower)                                                                          \
    "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, "  \
    "\"strip_accents\": null, \"lowercase\": " lower "}"

TEST(hf_words_bert_uncased) { check("gen_wordpiece_bert_uncased", BERT("true")); }
TEST(hf_words_bert_cased) { check("gen_wordpiece_bert_cased_style", BERT("false")); }

/* Without alignments (ids alone, a count) each piece goes through the model as it is cut: a
 * word the model cannot make without an unknown token the file lacks fails the call there,
 * the same as on the stages' path, and an added token between words keeps its place. */
TEST(hf_words_direct_model_errors)
{
    static const char json[] =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":5,"
        "\"content\":\"[X]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
        "\"normalized\":false,\"special\":false}],\"normalizer\":" BERT("true") ","
        "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":null,"
        "\"decoder\":null,\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
        "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,"
        "\"vocab\":{\"a\":0,\"b\":1,\"##b\":2,\",\":3,\"ab\":4,\"[X]\":5}}}";
    tok_tokenizer *t = NULL;
    CHECK(tok_open_memory(json, sizeof json - 1, "wp.json", NULL, &t, NULL) == TOK_OK);
    if (!t)
        return;
    static const char good[] = "ab, Ab[X]b abb", bad[] = "ab, Ab[X]b zz ab";
    static const uint32_t want[] = {4, 3, 4, 5, 1, 4, 2};
    uint32_t *ids = NULL;
    size_t n = 0, count = 0;
    CHECK(tok_encode_alloc(t, good, sizeof good - 1, NULL, &ids, NULL, &n, NULL) == TOK_OK);
    CHECK(n == 7 && ids && !memcmp(ids, want, sizeof want));
    CHECK(tok_count(t, good, sizeof good - 1, NULL, &count, NULL) == TOK_OK && count == 7);
    tok_free(ids);
    ids = NULL;
    CHECK(tok_encode_alloc(t, bad, sizeof bad - 1, NULL, &ids, NULL, &n, NULL) == TOK_EFORMAT);
    CHECK(tok_count(t, bad, sizeof bad - 1, NULL, &count, NULL) == TOK_EFORMAT);
    tok_span *sp = NULL;
    CHECK(tok_encode_alloc(t, bad, sizeof bad - 1, NULL, &ids, &sp, &n, NULL) == TOK_EFORMAT);
    tok_free(ids);
    tok_free(sp);
    tok_close(t);
}

/* The same for every pipeline on the general path: ids asked alone (the pre-tokenizer's pieces
 * straight to the model, formats/hf/encode.c) equal the ids asked with spans (the pieces on a
 * list with their alignments), on Metaspace with runs of spaces and of U+2581 written in the
 * text, where delimiters follow delimiters. */
TEST(hf_pieces_direct_equal_listed)
{
    static const char json[] =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
        "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Metaspace\",\"replacement\":"
        "\"\\u2581\",\"prepend_scheme\":\"always\",\"split\":true},\"post_processor\":null,"
        "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":"
        "{\"<unk>\":0,\"\\u2581a\":1,\"\\u2581\":2,\"\\u2581b\":3,\"a\":4,\"b\":5,\"ab\":6}}}";
    tok_tokenizer *t[2] = {NULL, NULL};
    CHECK(tok_open_memory(json, sizeof json - 1, "meta.json", NULL, &t[0], NULL) == TOK_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/gen_unigram_nfkc/tokenizer.json", test_hf_dir());
    t[1] = test_open_json_edited(path, NULL, NULL);
    CHECK_MSG(t[1], "%s does not open", path);
    /* U+2581 last: every other round leaves it out, so the text goes through Metaspace's
     * one-pass cutter (pre_tokenizers.c: metaspace_sink), which takes only text without one; an
     * em dash has its first byte */
    static const char *const bits[] = {"a", "b", " ", "  ", "ab", "\xc3\xa9", "x",
                                       "\xe2\x80\x94", "unbelievably", "\xe2\x96\x81"};
    uint64_t r = 11;
    for (int k = 0; k < 2 && t[0] && t[1]; k++)
        for (int round = 0; round < 400; round++) {
            char s[256];
            size_t n = 0;
            while (n < sizeof s - 16 && test_rand(&r) % 40) { /* room for the longest bit */
                const char *b = bits[test_rand(&r) % (sizeof bits / sizeof *bits - round % 2)];
                memcpy(s + n, b, strlen(b));
                n += strlen(b);
            }
            uint32_t *a = NULL, *b = NULL;
            tok_span *sp = NULL;
            size_t na = 0, nb = 0;
            tok_status sa = tok_encode_alloc(t[k], s, n, NULL, &a, NULL, &na, NULL),
                       sb = tok_encode_alloc(t[k], s, n, NULL, &b, &sp, &nb, NULL);
            CHECK_MSG(sa == TOK_OK && sb == TOK_OK && na == nb &&
                          (!na || !memcmp(a, b, na * sizeof *a)),
                      "tokenizer %d: \"%.*s\": %zu ids alone, %zu with spans", k, (int)n, s, na,
                      nb);
            tok_free(a), tok_free(b), tok_free(sp);
        }
    tok_close(t[0]);
    tok_close(t[1]);
}
