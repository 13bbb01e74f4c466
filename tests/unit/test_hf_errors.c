/* tokenizer.json files that are malformed or ask for something tokscope will not do: each fails
 * to open with TOK_EFORMAT/TOK_EUNSUPPORTED and a message naming the JSON path, never a crash
 * and never a silently different tokenizer. */
#include "runner.h"
#include "tokscope.h"

#include <stdlib.h>

/* A small valid file; each case replaces one piece of it. */
static const char base[] =
    "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
    "\"added_tokens\":[{\"id\":3,\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,"
    "\"rstrip\":false,\"normalized\":false,\"special\":true}],"
    "\"normalizer\":null,"
    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
    "{\"type\":\"Digits\",\"individual_digits\":true},{\"type\":\"Punctuation\",\"behavior\":\"Isolated\"}]},"
    "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,\"<s>\":3},"
    "\"merges\":[\"a b\"]},"
    "\"post_processor\":null,\"decoder\":null}";

static char *replaced(const char *from, const char *to)
{
    const char *p = strstr(base, from);
    if (!p)
        return NULL;
    size_t a = (size_t)(p - base), fl = strlen(from), tl = strlen(to), bl = strlen(base);
    char *s = malloc(bl - fl + tl + 1);
    memcpy(s, base, a);
    memcpy(s + a, to, tl);
    memcpy(s + a + tl, p + fl, bl - a - fl + 1);
    return s;
}

TEST(hf_base_file_opens_and_encodes)
{
    tok_tokenizer *t = NULL;
    CHECK_EQ(tok_open_memory(base, strlen(base), "base.json", NULL, &t, NULL), TOK_OK);
    uint32_t ids[8];
    size_t n;
    tok_encode_options o = {TOK_SPECIAL_ALLOW, 0};
    CHECK_EQ(tok_encode(t, "ab a<s>", 7, &o, ids, NULL, 8, &n, NULL), TOK_OK);
    CHECK_EQ(n, 3);
    CHECK(ids[0] == 2 && ids[1] == 0 && ids[2] == 3);
    tok_close(t);
}

static const struct {
    const char *from, *to, *message;
} cases[] = {
    {"{\"type\":\"Punctuation\"", "{\"type\":\"Foo\"",
     "bad.json: pre_tokenizer.pretokenizers[2].type: unknown pre-tokenizer type \"Foo\""},
    {"\"dropout\":null", "\"dropout\":0.1", "model.dropout: dropout 0.1 makes BPE output random"},
    {"\"merges\":[\"a b\"]", "\"merges\":[\"ab\"]", "model.merges[0]: a merge must be two tokens"},
    {"\"merges\":[\"a b\"]", "\"merges\":[\"a zz\"]", "model.merges[0]: token \"zz\" is not in the vocabulary"},
    {"\"merges\":[\"a b\"]", "\"merges\":[[\"a\"]]", "model.merges[0]"},
    {"\"type\":\"BPE\"", "\"type\":\"Magic\"", "model.type: unknown model type \"Magic\""},
    {"\"normalizer\":null", "\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"(\"},\"content\":\"x\"}",
     "normalizer.pattern.Regex: cannot compile the pattern"},
    {"\"content\":\"<s>\"", "\"content\":5", "added_tokens[0].content: expected a string"},
    {"\"ab\":2", "\"ab\":1", "model.vocab"},
    {"\"post_processor\":null",
     "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[X]\",\"type_id\":0}}],\"pair\":[],\"special_tokens\":{}}",
     "post_processor.single[0]"},
    {"\"decoder\":null", "\"decoder\":{\"type\":\"Nope\"}", "decoder.type: unknown decoder type \"Nope\""},
    {"\"normalizer\":null", "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},{}]}",
     "normalizer.normalizers[1]"},
    {"\"model\":{", "\"modelx\":{", "model: missing"},
    {"\"merges\":[\"a b\"]}", "\"merges\":[\"a b\"],}", "not valid JSON at byte"},
};

TEST(hf_malformed_files_name_the_json_path)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = replaced(cases[i].from, cases[i].to);
        CHECK_MSG(s, "case %zu: the base file has no \"%s\"", i, cases[i].from);
        tok_tokenizer *t = NULL;
        tok_error err;
        tok_status st = tok_open_memory(s, strlen(s), "bad.json", NULL, &t, &err);
        free(s);
        CHECK_MSG(st != TOK_OK && t == NULL, "case %zu opened", i);
        CHECK_MSG(strstr(err.message, cases[i].message), "case %zu: message \"%s\" lacks \"%s\"", i,
                  err.message, cases[i].message);
    }
}

/* Every prefix of a valid file is a clean error (truncated downloads are common). */
TEST(hf_every_truncation_of_a_file_fails_cleanly)
{
    size_t n = strlen(base);
    for (size_t len = 0; len < n; len++) {
        tok_tokenizer *t = NULL;
        tok_error err;
        tok_status st = tok_open_memory(base, len, "cut.json", NULL, &t, &err);
        CHECK_MSG(st != TOK_OK && t == NULL, "prefix of %zu bytes opened", len);
        CHECK_MSG(strstr(err.message, "cut.json"), "prefix %zu: message lacks the file name: %s", len,
                  err.message);
    }
}
