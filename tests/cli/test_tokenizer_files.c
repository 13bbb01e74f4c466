/* Tokenizer files on the command line: -t with a tokenizer.json, its errors (exit 2, the file
 * and JSON path named, nothing on stdout), and --add-special. */
#include "cli_helpers.h"

#define CASE "tests/golden/hf-components/post_template.tokenizer.json"

TEST(cli_tokenizer_json_encodes_and_adds_special)
{
    /* post_template: char-level BPE ("th", "the", "ll", "llo" merged), [CLS]=3 ... [SEP]=4 */
    cli_result r = RUN_IN("the", "encode", "-t", CASE);
    CHECK_EQ(r.status, 0);
    cli_result a = RUN_IN("the", "encode", "-t", CASE, "--add-special");
    CHECK_EQ(a.status, 0);
    char want[256];
    snprintf(want, sizeof want, "3 %.*s 4\n", (int)strcspn(r.out, "\n"), r.out);
    CHECK_STR(a.out, want);
    CHECK(strchr(r.out, ' ') == NULL); /* "the" is one merged token */
    cli_free(&r);
    cli_free(&a);
    r = RUN_IN("the", "count", "-t", CASE, "--add-special");
    CHECK_STR(r.out, "      3\n");
    cli_free(&r);
}

TEST(cli_malformed_tokenizer_json_exit_2)
{
    const char *bad = tmpfile_with("tokenizer.json",
                                   "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[],"
                                   "\"dropout\":null},\"pre_tokenizer\":{\"type\":\"Whitespacey\"}}");
    cli_result r = RUN_IN("a", "count", "-t", bad);
    CHECK_EQ(r.status, 2);
    CHECK_STR(r.out, "");
    CHECK(strstr(r.err, bad) && strstr(r.err, "pre_tokenizer.type: unknown pre-tokenizer type \"Whitespacey\""));
    cli_free(&r);
    const char *cut = tmpfile_with("cut.json", "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":");
    r = RUN_IN("a", "encode", "-t", cut);
    CHECK_EQ(r.status, 2);
    CHECK_STR(r.out, "");
    CHECK(strstr(r.err, "cut.json: not valid JSON at byte"));
    cli_free(&r);
}
