/* tokscope stats: the measured rules of thumb, by hand on small texts. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <math.h>

TEST(stats_table_by_hand)
{
    /* cl100k_base: "Hello" " world" = 2 tokens; 11 bytes, 11 characters, 2 words.
     * 11/2 = 5.50 characters and bytes per token, 2/2 = 1.00 words per token, 1000 tokens per
     * 1000 words, no word split; estimates round(11/4) = 3 (+50%) and round(2/0.75) = 3. */
    cli_result r = RUN_IN("Hello world", "stats", "-e", "cl100k_base");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out,
              "<stdin>: 11 bytes, 11 characters, 2 words\n"
              "\n"
              "                                   cl100k_base  rule of thumb\n"
              "tokens                                       2\n"
              "characters per token                      5.50              4\n"
              "words per token                           1.00           0.75\n"
              "bytes per token                           5.50\n"
              "tokens per 1000 words                   1000.0         1333.3\n"
              "words split into several tokens           0.0%\n"
              "estimate: characters / 4                     3\n"
              "  off by                                +50.0%\n"
              "estimate: words / 0.75                       3\n"
              "  off by                                +50.0%\n"
              "\n"
              "most frequent tokens, cl100k_base\n"
              "     count   share       id  token\n"
              "         1   50.0%     1917  \" world\"\n"
              "         1   50.0%     9906  \"Hello\"\n"
              "\n"
              "longest tokens, cl100k_base\n"
              "     bytes   count       id  token\n"
              "         6       1     1917  \" world\"\n"
              "         5       1     9906  \"Hello\"\n");
    cli_free(&r);
}

TEST(stats_split_words_and_columns)
{
    /* cl100k_base: "(token" "ization" ")," " the" " token" "ization" "." = 7 tokens.
     * Words: "(tokenization)," "the" "tokenization." -- cores "tokenization" (2 tokens),
     * "the" (1), "tokenization" (2): 2 of 3 split = 66.7%. 33 characters / 7 = 4.71. */
    const char *text = "(tokenization), the tokenization.";
    cli_result r = RUN_IN(text, "stats", "-e", "cl100k_base", "-m", "gpt-4o", "--top", "1");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "                                   cl100k_base      gpt-4o  rule of thumb\n"));
    CHECK(strstr(r.out, "tokens                                       7"));
    CHECK(strstr(r.out, "characters per token                      4.71"));
    CHECK(strstr(r.out, "words split into several tokens          66.7%"));
    CHECK(strstr(r.out, "most frequent tokens, cl100k_base\n     count   share       id  token\n"
                        "         2   28.6%     2065  \"ization\"\n\n"));
    CHECK(strstr(r.out, "most frequent tokens, gpt-4o\n"));
    CHECK(strstr(r.out, "longest tokens, gpt-4o\n"));
    cli_free(&r);
    /* tokens that are parts of characters are shown as bytes */
    r = RUN_IN("お誕", "stats", "-e", "gpt2", "--top", "5");
    CHECK(strstr(r.out, "\"\\xE3\\x81\"") && strstr(r.out, "\"\\x8A\""));
    CHECK(strstr(r.out, "6 bytes, 2 characters, 1 words"));
    cli_free(&r);
}

TEST(stats_json)
{
    const char *a = tmpfile_with("sa.txt", "Hello world"), *b = tmpfile_with("sb.txt", " again");
    cli_result r = RUN("stats", "--json", "--top", "2", "-e", "cl100k_base", "-e", "gpt2", a, b);
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "files")), 2);
    CHECK_EQ(cJSON_GetObjectItem(j, "bytes")->valueint, 17); /* measured together */
    CHECK_EQ(cJSON_GetObjectItem(j, "characters")->valueint, 17);
    CHECK_EQ(cJSON_GetObjectItem(j, "words")->valueint, 3);
    cJSON *rule = cJSON_GetObjectItem(j, "rule_of_thumb");
    CHECK(cJSON_GetObjectItem(rule, "characters_per_token")->valuedouble == 4);
    CHECK(cJSON_GetObjectItem(rule, "words_per_token")->valuedouble == 0.75);
    cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tokenizers"), 0);
    CHECK_STR(cJSON_GetObjectItem(t, "name")->valuestring, "cl100k_base");
    CHECK_EQ(cJSON_GetObjectItem(t, "tokens")->valueint, 3); /* Hello, " world", " again" */
    CHECK(fabs(cJSON_GetObjectItem(t, "characters_per_token")->valuedouble - 17.0 / 3) < 1e-3);
    CHECK(fabs(cJSON_GetObjectItem(t, "words_per_token")->valuedouble - 1.0) < 1e-3);
    CHECK(fabs(cJSON_GetObjectItem(t, "tokens_per_1000_words")->valuedouble - 1000.0) < 1e-3);
    CHECK_EQ(cJSON_GetObjectItem(t, "split_words")->valueint, 0);
    CHECK_EQ(cJSON_GetObjectItem(t, "estimate_from_characters")->valueint, 4); /* 17/4 */
    CHECK_EQ(cJSON_GetObjectItem(t, "estimate_from_words")->valueint, 4);      /* 3/0.75 */
    cJSON *top = cJSON_GetObjectItem(t, "top"), *longest = cJSON_GetObjectItem(t, "longest");
    CHECK_EQ(cJSON_GetArraySize(top), 2);
    CHECK_EQ(cJSON_GetArraySize(longest), 2);
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(longest, 0), "text")->valuestring, " again");
    CHECK_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(longest, 0), "bytes")->valueint, 6);
    cJSON_Delete(j);
    cli_free(&r);
    /* nothing to divide by: null, not a number */
    r = RUN_IN("", "stats", "--json");
    j = cJSON_Parse(r.out);
    CHECK(j);
    t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tokenizers"), 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(t, "characters_per_token")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(t, "split_word_share")));
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(stats_files_and_errors)
{
    const char *a = tmpfile_with("sc.txt", "one two"), *bad = tmpfile_with("sd.txt", "x \xFF");
    cli_result r = RUN("stats", a, "/nonexistent/s.txt", bad);
    CHECK_EQ(r.status, 2); /* reported; the readable file is still measured */
    CHECK(strstr(r.err, "/nonexistent/s.txt: No such file"));
    CHECK(strstr(r.err, "sd.txt") && strstr(r.err, "invalid UTF-8"));
    CHECK(strstr(r.out, "sc.txt: 7 bytes, 7 characters, 2 words"));
    cli_free(&r);
    r = RUN("stats", "--lossy", a, bad);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "2 files: 10 bytes, 10 characters, 4 words"));
    cli_free(&r);
    r = RUN("stats", "--top", "many", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "--top needs a number"));
    cli_free(&r);
    r = RUN("stats", "-t", "tests/data/tiny_chatml.json", "--top", "0", a);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "tests/data/tiny_chatml.json"));
    CHECK(!strstr(r.out, "most frequent"));
    cli_free(&r);
    r = RUN("stats", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope stats"));
    cli_free(&r);
    r = RUN("stats", "-x");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

TEST(stats_special_policy)
{
    /* cl100k_base: "a" "<|endoftext|>" "b" with allow; as plain text it is 9 tokens */
    cli_result r = RUN_IN("a<|endoftext|>b", "stats", "-e", "cl100k_base", "--special", "allow",
                          "--top", "0");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "tokens                                       3\n"));
    cli_free(&r);
    r = RUN_IN("a<|endoftext|>b", "stats", "-e", "cl100k_base", "--top", "0");
    CHECK(strstr(r.out, "tokens                                       9\n"));
    cli_free(&r);
    r = RUN_IN("a<|endoftext|>b", "stats", "--special", "reject");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<|endoftext|>"));
    cli_free(&r);
    r = RUN_IN("a", "stats", "--special", "sometimes");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}
