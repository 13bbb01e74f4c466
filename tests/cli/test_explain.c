/* tokscope explain: words and numbers, side by side for several tokenizers, digit grouping
 * rules, call-outs, JSON, input and errors. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>

TEST(explain_words_and_numbers_exact)
{
    cli_result r = RUN("explain", "-e", "cl100k_base", "tokenization", "12345", "Hello,");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "word           cl100k_base\n"
                     "tokenization   token|ization  2\n"
                     "12345          123|45         2\n"
                     "Hello          \xC2\xB7Hello         1\n"
                     "\n"
                     "Split into 2 or more tokens: tokenization, 12345\n"
                     "Digits of 12345: 3+2 (3 digits per token from the left)\n");
    CHECK_EQ(r.err_len, 0);
    cli_free(&r);
}

TEST(explain_several_tokenizers_side_by_side)
{
    cli_result r = RUN("explain", "-e", "cl100k_base", "-e", "gpt2", "1234567", "ChatGPT");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "word      cl100k_base      gpt2\n"
                     "1234567   123|456|7    3   123|45|67   3\n"
                     "ChatGPT   \xC2\xB7" "Chat|G|PT   3   \xC2\xB7" "Chat|G|PT  3\n"
                     "\n"
                     "Split into 2 or more tokens: 1234567 (3, 3), ChatGPT (3, 3)\n"
                     "Digits of 1234567: cl100k_base 3+3+1 (3 digits per token from the left); "
                     "gpt2 3+2+2 (no fixed rule: learned merges)\n");
    cli_free(&r);
    r = RUN("explain", "-e", "o200k_base", "-m", "gpt-4", "-e", "p50k_base", "9876543210");
    CHECK(strstr(r.out, "o200k_base 3+3+3+1 (3 digits per token from the left)"));
    CHECK(strstr(r.out, "gpt-4 3+3+3+1 (3 digits per token from the left)"));
    cli_free(&r);
}

TEST(explain_one_digit_per_token_tokenizer)
{
    /* A tokenizer.json that splits digits one by one, as Llama 1/2 and many others do. */
    const char *tj =
        "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":"
        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Whitespace\"},{\"type\":"
        "\"Digits\",\"individual_digits\":true}]},\"post_processor\":null,\"decoder\":null,"
        "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"[UNK]\",\"vocab\":{\"[UNK]\":0,"
        "\"0\":1,\"1\":2,\"2\":3,\"3\":4,\"4\":5,\"5\":6,\"6\":7,\"7\":8,\"8\":9,\"9\":10,"
        "\"abc\":11}}}";
    const char *f = tmpfile_with("digits.json", tj);
    cli_result r = RUN("explain", "-t", f, "abc", "12345");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\n12345   1|2|3|4|5 ") && strstr(r.out, " 5\n"));
    CHECK(strstr(r.out, "Digits of 12345: 1+1+1+1+1 (one digit per token)\n"));
    cli_free(&r);
    r = RUN("explain", "-t", f, "--json", "12345");
    CHECK(strstr(r.out, "\"digits\":[1,1,1,1,1],\"rule\":\"one\""));
    cli_free(&r);
}

TEST(explain_text_from_stdin_and_file_deduplicates_words)
{
    cli_result r = RUN_IN("the cat the dog\n", "explain", "-e", "cl100k_base");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "word   cl100k_base\n"
                     "the    the          1\n"
                     "cat    \xC2\xB7" "cat         1\n"
                     "dog    \xC2\xB7" "dog         1\n");
    cli_free(&r);
    const char *f = tmpfile_with("explain.txt", "unbelievably");
    r = RUN("explain", "-e", "cl100k_base", "-f", f);
    CHECK(strstr(r.out, "unbelievably   un|belie|v|ably  4\n") ||
          strstr(r.out, "Split into 2 or more tokens: unbelievably"));
    cli_free(&r);
    r = RUN_IN("", "explain");
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
}

TEST(explain_punctuation_emoji_and_separators)
{
    cli_result r = RUN("explain", "-e", "cl100k_base", "!!!", "3.14", "\xF0\x9F\x99\x82");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "word   cl100k_base\n"
                     "!!!    !!!          1\n"
                     "3.14   3|.|14       3\n"
                     "\xF0\x9F\x99\x82     \xC2\xB7\xF0\x9F\x99\x82          1\n"
                     "\n"
                     "Split into 2 or more tokens: 3.14\n"
                     "Digits of 3.14: 1+2\n");
    cli_free(&r);
    /* At the start of the text cl100k_base splits the emoji into two byte pieces: one group. */
    r = RUN("explain", "-e", "cl100k_base", "\xF0\x9F\x99\x82");
    CHECK(strstr(r.out, "{\xF0\x9F\x99\x82}         2\n"));
    CHECK(strstr(r.out, "\n{braces}: tokens that each hold part of a character"));
    CHECK(!strstr(r.out, "\xEF\xBF\xBD"));
    cli_free(&r);
}

TEST(explain_json_records_parse)
{
    cli_result r = RUN("explain", "-e", "cl100k_base", "-e", "gpt2", "--json", "1234567",
                       "\xF0\x9F\x99\x82", "tokenization");
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    const char *nl = strchr(r.out, '\n');
    CHECK(nl);
    cJSON *j = cJSON_ParseWithLength(r.out, (size_t)(nl - r.out));
    CHECK(j);
    CHECK_STR(cJSON_GetObjectItem(j, "word")->valuestring, "1234567");
    CHECK_STR(cJSON_GetObjectItem(j, "kind")->valuestring, "number");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "split")));
    cJSON *toks = cJSON_GetObjectItem(j, "tokenizers");
    CHECK_EQ(cJSON_GetArraySize(toks), 2);
    cJSON *c = cJSON_GetArrayItem(toks, 0);
    CHECK_STR(cJSON_GetObjectItem(c, "tokenizer")->valuestring, "cl100k_base");
    CHECK_EQ(cJSON_GetObjectItem(c, "tokens")->valueint, 3);
    CHECK_EQ(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "ids"), 0)->valueint, 4513);
    CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "pieces"), 1)->valuestring, "456");
    CHECK_STR(cJSON_GetObjectItem(c, "rule")->valuestring, "left3");
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(toks, 1), "rule")->valuestring, "learned");
    cJSON_Delete(j);
    CHECK(strstr(r.out, "{\"word\":\"tokenization\",\"kind\":\"word\","));
    cli_free(&r);
}

TEST(explain_errors_exit_2)
{
    cli_result r = RUN("explain", "-e", "cl100k_base", "ab\xFF");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "byte 2"));
    cli_free(&r);
    r = RUN("explain", "-f", "x.txt", "word");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "not both"));
    cli_free(&r);
    r = RUN("explain", "--bogus");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown option '--bogus'"));
    cli_free(&r);
    r = RUN("explain", "-m", "gpt-99-turbo", "x");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "gpt-99-turbo"));
    cli_free(&r);
    r = RUN("explain", "-f", "/nonexistent/words.txt");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/words.txt"));
    cli_free(&r);
    r = RUN("explain", "--special=reject", "<|endoftext|>");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("explain", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope explain") && strstr(r.out, "--json") &&
          strstr(r.out, "--special") && strstr(r.out, "-f, --file"));
    cli_free(&r);
}
