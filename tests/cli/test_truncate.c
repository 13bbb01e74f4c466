/* tokscope truncate, and the fitting it rests on (cli/fit.c), checked on random text for every
 * kind of tokenizer: the kept text is a prefix (suffix) ending (starting) at a character
 * boundary whose own count is at most N. */
#include "cli_helpers.h"
#include "fit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

TEST(truncate_first_tokens)
{
    /* o200k_base: "Hello" " world" "," " this" | " is" " a" " test" " of" " trunc" "ation" "." */
    const char *text = "Hello world, this is a test of truncation.";
    cli_result r = RUN_IN(text, "truncate", "-n", "4");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "Hello world, this");
    CHECK_STR(r.err, "tokscope: <stdin>: cut to the first 4 tokens: kept 4 of 11 tokens, 17 of "
                     "42 bytes\n");
    cli_free(&r);
    r = RUN_IN(text, "truncate", "-n", "4", "--strict");
    CHECK_EQ(r.status, 1);
    CHECK_STR(r.out, "Hello world, this");
    cli_free(&r);
    r = RUN_IN(text, "truncate", "-n", "4", "-q");
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.err_len, 0);
    cli_free(&r);
    /* nothing to cut: the text as it is, quietly, exit 0 even with --strict */
    r = RUN_IN(text, "truncate", "-n", "11", "--strict");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, text);
    CHECK_EQ(r.err_len, 0);
    cli_free(&r);
    r = RUN_IN(text, "truncate", "-n", "0");
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    /* the last tokens */
    r = RUN_IN(text, "truncate", "-n", "3", "--end");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, " truncation.");
    CHECK(strstr(r.err, "cut to the last 3 tokens: kept 3 of 11 tokens"));
    cli_free(&r);
}

TEST(truncate_never_cuts_a_character)
{
    /* gpt2 gives "お" two tokens (e3 81 | 8a), "誕" two more: 3 tokens would end inside "誕",
     * so the cut goes back to its start and keeps 2. */
    const char *text = "お誕生日おめでとう";
    cli_result r = RUN_IN(text, "truncate", "-e", "gpt2", "-n", "3");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "お");
    CHECK(strstr(r.err, "kept 2 of 14 tokens, 3 of 27 bytes"));
    cli_free(&r);
    r = RUN_IN(text, "truncate", "-e", "gpt2", "-n", "3", "--end");
    CHECK_STR(r.out, "でとう");
    cli_free(&r);
    /* a tokenizer.json with byte-level BPE: "hello" " world" " " + 3 byte tokens for "お" */
    r = RUN_IN("hello world お", "truncate", "-t", "tests/data/tiny_bytelevel.json", "-n", "4");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "hello world ");
    CHECK(strstr(r.err, "kept 3 of 6 tokens"));
    cli_free(&r);
}

TEST(truncate_model_and_tokenizer_file)
{
    /* gpt-4 is cl100k_base: "Hello" " world" "," | " this" */
    cli_result r = RUN_IN("Hello world, this", "truncate", "-m", "gpt-4", "-n", "3");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "Hello world,");
    cli_free(&r);
    /* WordLevel tokenizer.json: words and punctuation are one token each, spaces none */
    r = RUN_IN("hello world. what is", "truncate", "-t", "tests/data/tiny_chatml.json", "-n", "3");
    CHECK_STR(r.out, "hello world. "); /* the cut is where the next token starts */
    cli_free(&r);
    r = RUN_IN("hello world. what is", "truncate", "-t", "tests/data/tiny_chatml.json", "-n", "2",
               "--end");
    CHECK_STR(r.out, "what is");
    cli_free(&r);
}

TEST(truncate_json_and_several_tokenizers)
{
    const char *f = tmpfile_with("tr.txt", "お誕生日おめでとう");
    cli_result r = RUN("truncate", "--json", "-n", "5", "-e", "gpt2", "-e", "cl100k_base", f);
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")));
    CHECK_EQ(cJSON_GetObjectItem(j, "start")->valueint, 0);
    CHECK_EQ(cJSON_GetObjectItem(j, "end")->valueint, 9);
    CHECK_EQ(cJSON_GetObjectItem(j, "bytes")->valueint, 27);
    CHECK_STR(cJSON_GetObjectItem(j, "text")->valuestring, "お誕生");
    CHECK_STR(cJSON_GetObjectItem(j, "file")->valuestring, f);
    cJSON *in = cJSON_GetObjectItem(j, "input_tokens"), *out = cJSON_GetObjectItem(j, "tokens");
    CHECK_EQ(cJSON_GetObjectItem(in, "gpt2")->valueint, 14);
    CHECK_EQ(cJSON_GetObjectItem(in, "cl100k_base")->valueint, 9);
    CHECK(cJSON_GetObjectItem(out, "gpt2")->valueint <= 5);
    CHECK(cJSON_GetObjectItem(out, "cl100k_base")->valueint <= 5);
    cJSON_Delete(j);
    CHECK(strstr(r.err, "with gpt2") && strstr(r.err, "with cl100k_base"));
    cli_free(&r);
    r = RUN("truncate", "--json", "-n", "50", f);
    j = cJSON_Parse(r.out);
    CHECK(j && cJSON_IsFalse(cJSON_GetObjectItem(j, "truncated")));
    CHECK_EQ(cJSON_GetObjectItem(j, "end")->valueint, 27);
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(truncate_errors)
{
    cli_result r = RUN_IN("x", "truncate");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "give -n N"));
    cli_free(&r);
    r = RUN_IN("x", "truncate", "-n", "-3");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "-n needs a whole number of tokens, not '-3'"));
    cli_free(&r);
    const char *a = tmpfile_with("tra.txt", "a"), *bad = tmpfile_with("trb.txt", "ok \xFF no");
    r = RUN("truncate", "-n", "1", a, a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "one file at a time"));
    cli_free(&r);
    r = RUN("truncate", "-n", "1", "/nonexistent/x.txt");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/x.txt: No such file"));
    cli_free(&r);
    r = RUN("truncate", "-n", "1", bad);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "trb.txt") && strstr(r.err, "invalid UTF-8 at byte 3"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    r = RUN("truncate", "-n", "1", "--lossy", bad);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "ok");
    cli_free(&r);
    r = RUN_IN("a<|endoftext|>", "truncate", "-n", "5", "--special", "reject");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<|endoftext|>"));
    cli_free(&r);
    r = RUN_IN("a<|endoftext|>b", "truncate", "-n", "2", "--special", "allow", "-e", "cl100k_base");
    CHECK_STR(r.out, "a<|endoftext|>");
    cli_free(&r);
    r = RUN("truncate", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "--end") && strstr(r.out, "--strict"));
    cli_free(&r);
    r = RUN("truncate", "-n", "1", "--nope");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

/* Random text from pieces that stress the cut: multi-byte characters split by byte-level BPE,
 * combining marks, digits, spaces and line breaks, words that merge. */
static size_t random_text(uint64_t *seed, char *buf, size_t cap)
{
    static const char *const pieces[] = {
        "hello", " world", " the", "ization", " ", "  ", "\n", "\n\n", "お", "誕生日", "😀",
        "👩‍👩‍👧", "é", "e\xCC\x81", "12345", ".", ",", "!?", "Ωμέγα", "данные", "\t", "'s",
        "<|endoftext|>", "ـــ", "한국어", "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"};
    size_t n = 0, want = test_rand(seed) % 40;
    for (size_t i = 0; i < want; i++) {
        const char *p = pieces[test_rand(seed) % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        if (n + l >= cap)
            break;
        memcpy(buf + n, p, l);
        n += l;
    }
    return n;
}

static bool boundary_ok(const char *t, size_t len, size_t i)
{
    return i == 0 || i == len || ((unsigned char)t[i] & 0xC0) != 0x80;
}

TEST(truncate_fit_property_every_tokenizer_kind)
{
    static const char *const names[] = {"r50k_base", "cl100k_base", "o200k_base",
                                        "tests/data/tiny_bytelevel.json",
                                        "tests/data/tiny_chatml.json"};
    uint64_t seed = 42;
    char buf[1024];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        tok_tokenizer *t = NULL;
        tok_error err;
        CHECK_MSG(tok_open(names[k], &t, &err) == TOK_OK, "%s", err.message);
        tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
        for (int round = 0; round < 300; round++) {
            size_t len = random_text(&seed, buf, sizeof buf);
            encoded e;
            CHECK(encode_spans(t, &o, buf, len, &e, &err));
            uint64_t n = test_rand(&seed) % 24;
            for (int end = 0; end < 2; end++) {
                size_t cut, cnt, again;
                CHECK(tok_truncate(t, buf, len, &o, (size_t)n, end ? TOK_TRUNCATE_END : 0, &cut,
                                   &cnt, &err) == TOK_OK);
                CHECK(cut <= len);
                CHECK_MSG(boundary_ok(buf, len, cut), "%s: cut %zu inside a character", names[k],
                          cut);
                const char *s = end ? buf + cut : buf;
                size_t l = end ? len - cut : cut;
                CHECK(tok_count(t, s, l, &o, &again, &err) == TOK_OK);
                CHECK_MSG(again == cnt && cnt <= n, "%s: kept %zu tokens (said %zu), limit %llu",
                          names[k], again, cnt, (unsigned long long)n);
                if (e.n <= n)
                    CHECK(l == len);
                /* not needlessly short: within one character's tokens of the limit (a
                 * character is at most 4 byte tokens; grapheme pieces add a few) */
                size_t want = e.n < n ? e.n : (size_t)n;
                CHECK_MSG(cnt + 8 >= want, "%s: kept %zu of %zu tokens, limit %llu", names[k],
                          cnt, e.n, (unsigned long long)n);
            }
            encoded_free(&e);
        }
        tok_close(t);
    }
}
