/* tokscope vocab: ids to bytes and text, --find, --longest, the summary, JSON, errors. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>

TEST(vocab_ids_exact)
{
    cli_result r = RUN("vocab", "-e", "cl100k_base", "9906", "1917", "100257", "9468", "271");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "    id  text           bytes\n"
                     "  9906  Hello          48 65 6c 6c 6f\n"
                     "  1917  \xC2\xB7world         20 77 6f 72 6c 64\n"
                     "100257  <|endoftext|>  3c 7c 65 6e 64 6f 66 74 65 78 74 7c 3e  special\n"
                     "  9468  \\xf0\\x9f       f0 9f\n"
                     "   271  \xE2\x86\xB5\xE2\x86\xB5             0a 0a\n");
    CHECK(!strstr(r.out, "\xEF\xBF\xBD")); /* part of a character: \xHH, no U+FFFD */
    cli_free(&r);
}

TEST(vocab_ids_from_stdin)
{
    cli_result r = RUN_IN("[9906, 1917]\n", "vocab", "-e", "cl100k_base");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "  id  text    bytes\n"
                     "9906  Hello   48 65 6c 6c 6f\n"
                     "1917  \xC2\xB7world  20 77 6f 72 6c 64\n");
    cli_free(&r);
    r = RUN_IN("9906 x", "vocab", "-e", "cl100k_base");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<stdin>: 'x' is not a token id"));
    cli_free(&r);
}

TEST(vocab_find_and_longest)
{
    cli_result r = RUN("vocab", "-e", "cl100k_base", "--find", "ization");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\n 2065  ization "));
    CHECK(strstr(r.out, "\n65 tokens contain \"ization\"\n"));
    cli_free(&r);
    r = RUN("vocab", "-e", "cl100k_base", "--find", " world");
    CHECK(strstr(r.out, "tokens contain \"\xC2\xB7world\"\n") && strstr(r.out, "1917  "));
    cli_free(&r);
    r = RUN("vocab", "-e", "cl100k_base", "--find", "zzzzqqqq");
    CHECK_STR(r.out, "0 tokens contain \"zzzzqqqq\"\n");
    cli_free(&r);
    r = RUN("vocab", "-e", "gpt2", "--longest", "2");
    CHECK_EQ(r.status, 0);
    int lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, 3); /* header and two tokens */
    cli_free(&r);
    r = RUN("vocab", "-e", "cl100k_base", "--longest", "1", "--json");
    CHECK(all_lines_json(r.out));
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_EQ(strlen(cJSON_GetObjectItem(j, "bytes")->valuestring), 2 * 128);
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(vocab_summary)
{
    cli_result r = RUN("vocab", "-e", "cl100k_base");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "tokenizer   cl100k_base (tiktoken)\n"
                     "vocabulary  100277 ids: 100256 ordinary tokens, 5 special, 16 unused\n"
                     "special     100257  <|endoftext|>\n"
                     "            100258  <|fim_prefix|>\n"
                     "            100259  <|fim_middle|>\n"
                     "            100260  <|fim_suffix|>\n"
                     "            100276  <|endofprompt|>\n");
    cli_free(&r);
    r = RUN("vocab", "-m", "gpt-4o", "--json");
    CHECK(all_lines_json(r.out));
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_EQ(cJSON_GetObjectItem(j, "vocab_size")->valueint, 200019);
    CHECK_EQ(cJSON_GetObjectItem(j, "ordinary")->valueint +
                 cJSON_GetObjectItem(j, "special")->valueint +
                 cJSON_GetObjectItem(j, "unused")->valueint,
             200019);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "special_tokens")), 2);
    CHECK_STR(cJSON_GetObjectItem(j, "format")->valuestring, "tiktoken");
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(vocab_json_tokens)
{
    cli_result r = RUN("vocab", "-e", "cl100k_base", "--json", "1917", "9468", "100257");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "{\"id\":1917,\"text\":\" world\",\"bytes\":\"20776f726c64\",\"special\":false}\n"
                     "{\"id\":9468,\"text\":null,\"bytes\":\"f09f\",\"special\":false}\n"
                     "{\"id\":100257,\"text\":\"<|endoftext|>\",\"bytes\":"
                     "\"3c7c656e646f66746578747c3e\",\"special\":true}\n");
    CHECK(all_lines_json(r.out));
    cli_free(&r);
}

TEST(vocab_errors_exit_2)
{
    cli_result r = RUN("vocab", "-e", "cl100k_base", "9906", "100256", "999999");
    CHECK_EQ(r.status, 2); /* the good id is still printed */
    CHECK(strstr(r.out, "9906  Hello"));
    CHECK(strstr(r.err, "token id 100256 is not in the vocabulary of cl100k_base (size 100277; "
                        "this id is unused)"));
    CHECK(strstr(r.err, "token id 999999 is not in the vocabulary of cl100k_base (size 100277)"));
    cli_free(&r);
    static const char *const bad[][4] = {
        {"abc", NULL, NULL, "'abc' is not a token id"},
        {"--", "-12", NULL, "'-12' is not a token id"},
        {"--longest", "many", NULL, "--longest needs a whole number"},
        {"--find", "", NULL, "non-empty"},
        {"--find", "x", "5", "one at a time"},
        {"-e", "gpt2", "-e", "one tokenizer"},
        {"--nope", NULL, NULL, "unknown option '--nope'"},
        {"-t", "/nonexistent/tok.tiktoken", NULL, "/nonexistent/tok.tiktoken"},
        {"99999999999", NULL, NULL, "is not a token id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[6] = {"vocab", bad[i][0], bad[i][1], bad[i][2], NULL, NULL};
        if (!strcmp(bad[i][3], "one tokenizer")) {
            args[3] = "-e";
            args[4] = "cl100k_base";
        }
        r = run_cli(args, NULL, 0);
        CHECK_MSG(r.status == 2 && strstr(r.err, bad[i][3]), "%s %s: status %d, %s", bad[i][0],
                  bad[i][1] ? bad[i][1] : "", r.status, r.err);
        cli_free(&r);
    }
    r = RUN("vocab", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope vocab") && strstr(r.out, "--find TEXT") &&
          strstr(r.out, "--longest N") && strstr(r.out, "--json"));
    cli_free(&r);
}
