/* The general tokenizer.json pipeline gives the model's tokens out as they come
 * (formats/hf/encode.c: hf_tokens_settled and the sink) when the post-processor looks at no
 * whole sequence; with truncation it collects them first, as before. The two ways must agree:
 * the same file with a truncation limit no text reaches runs the collecting way, and on long
 * single pieces (a letter repeated: thousands of tokens in one piece, drained many times), on
 * words and on the golden corpora as one text, ids and spans are the same with and without the
 * template's special tokens. The goldens check the tokens themselves against HF tokenizers. */
#include "goldens.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

/* The file as it is, and with "truncation": null made a limit of a billion tokens. */
static bool open_both(const char *name, tok_tokenizer **stream, tok_tokenizer **collect)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
    *stream = test_open_json_edited(path, NULL, NULL);
    *collect = test_open_json_edited(path, "\"truncation\": null",
                                     "\"truncation\": {\"direction\": \"Right\", \"max_length\": "
                                     "1000000000, \"strategy\": \"LongestFirst\", \"stride\": 0}");
    return *stream && *collect;
}

static char *repeat(const char *unit, size_t len)
{
    size_t u = strlen(unit);
    char *s = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        s[i] = unit[i % u];
    s[len] = 0;
    return s;
}

static void check(const char *name)
{
    tok_tokenizer *a = NULL, *b = NULL;
    CHECK_MSG(open_both(name, &a, &b), "%s: cannot open it twice (no \"truncation\": null?)", name);
    if (!a || !b) {
        tok_close(a), tok_close(b);
        return;
    }
    /* under the sanitizers (every 4th golden line) the texts are shorter, still over the
     * drain size of 4096 tokens for the letter runs */
    size_t len = golden_stride() > 1 ? 24000 : 60000;
    static const char *const units[] = {"a", "ab", "0123456789", " ", "word, ", "é ü ",
                                        "\xe4\xb8\x80"};
    size_t most = 0;
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        char *s = repeat(units[u], len);
        for (unsigned f = 0; f < 2; f++) {
            size_t k = 0;
            CHECK_MSG(test_same_tokens(a, b, s, len - len % strlen(units[u]), f ? TOK_ENCODE_ADD_SPECIAL : 0, &k),
                      "%s: \"%s\" x %zu differs streamed and collected (flags %u)", name,
                      units[u], len / strlen(units[u]), f);
            if (k > most)
                most = k;
        }
        free(s);
    }
    text_lines tl;
    CHECK_MSG(load_text_lines("tests/golden/corpus/real.jsonl", &tl), "the corpus is missing");
    size_t cap = len * 4, n = 0;
    char *all = malloc(cap);
    for (size_t i = 0; i < tl.n && n + tl.v[i].len + 1 <= cap; i++) {
        memcpy(all + n, tl.v[i].text, tl.v[i].len);
        n += tl.v[i].len;
        all[n++] = '\n';
    }
    text_lines_free(&tl);
    size_t k = 0;
    CHECK_MSG(test_same_tokens(a, b, all, n, TOK_ENCODE_ADD_SPECIAL, &k),
              "%s: the corpus as one text (%zu bytes) differs streamed and collected", name, n);
    free(all);
    CHECK_MSG(most > 4096, "%s: no text gave more than 4096 tokens (%zu): nothing was drained",
              name, most);
    tok_close(a);
    tok_close(b);
}

TEST(hf_stream_unigram) { check("gen_unigram_nfkc"); }
TEST(hf_stream_wordpiece) { check("gen_wordpiece_bert_uncased"); }
TEST(hf_stream_wordpiece_added) { check("gen_added_wordpiece"); }
TEST(hf_stream_metaspace_added) { check("gen_added_metaspace"); }
TEST(hf_stream_mistral_7b) { check("mistral_7b"); }
TEST(hf_stream_gemma) { check("gemma"); }
