/* tokscope compare: one row per tokenizer, totals over files, ratio to the first, JSON, the
 * HTML page (its chart is checked in chromium by test_html.c), errors. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>

TEST(compare_rows_exact)
{
    const char *f = tmpfile_with("cmp1.txt", "Hello world, hello tokens! 1234567\n");
    cli_result r = RUN("compare", "-e", "cl100k_base", "-e", "gpt2", "-m", "gpt-4o", f);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "tokenizer        tokens  chars/token   ratio     vocab\n"
                     "cl100k_base          11         3.18    1.00    100277\n"
                     "gpt2                 10         3.50    0.91     50257\n"
                     "gpt-4o               11         3.18    1.00    200019\n");
    cli_free(&r);
}

TEST(compare_files_are_counted_together_and_stdin)
{
    const char *a = tmpfile_with("cmpa.txt", "Hello world");
    const char *b = tmpfile_with("cmpb.txt", " again");
    cli_result r = RUN("compare", "-e", "cl100k_base", a, b);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "tokenizer        tokens  chars/token   ratio     vocab\n"
                     "cl100k_base           3         5.67    1.00    100277\n");
    cli_free(&r);
    r = RUN_IN("Hello world", "compare", "-e", "cl100k_base", "-e", "r50k_base");
    CHECK(strstr(r.out, "cl100k_base           2         5.50    1.00    100277\n"));
    CHECK(strstr(r.out, "r50k_base             2         5.50    1.00     50257\n"));
    cli_free(&r);
    r = RUN_IN("", "compare", "-e", "gpt2", "-e", "cl100k_base");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gpt2                  0            -       -     50257\n"));
    cli_free(&r);
    r = RUN_IN("x", "compare"); /* default tokenizer */
    CHECK(strstr(r.out, "o200k_base"));
    cli_free(&r);
}

TEST(compare_json_parses)
{
    cli_result r = RUN_IN("if x:\n        return y\n", "compare", "-e", "cl100k_base", "-e",
                          "gpt2", "--json");
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    const char *nl = strchr(r.out, '\n');
    cJSON *j = cJSON_Parse(nl + 1);
    CHECK(j);
    CHECK_STR(cJSON_GetObjectItem(j, "tokenizer")->valuestring, "gpt2");
    CHECK_EQ(cJSON_GetObjectItem(j, "tokens")->valueint, 14); /* gpt2: a token per space */
    CHECK_EQ(cJSON_GetObjectItem(j, "characters")->valueint, 23);
    CHECK_EQ(cJSON_GetObjectItem(j, "bytes")->valueint, 23);
    CHECK_EQ(cJSON_GetObjectItem(j, "vocab_size")->valueint, 50257);
    CHECK(cJSON_GetObjectItem(j, "ratio")->valuedouble == 2.0);
    CHECK(cJSON_GetObjectItem(j, "chars_per_token")->valuedouble < 1.7);
    cJSON_Delete(j);
    /* the first line is the baseline: ratio 1 */
    CHECK(strncmp(r.out, "{\"tokenizer\":\"cl100k_base\",\"tokens\":7,", 38) == 0);
    CHECK(strstr(r.out, "\"ratio\":1.0000,\"vocab_size\":100277,\"exact\":true}\n"));
    cli_free(&r);
    r = RUN_IN("", "compare", "--json");
    CHECK(strstr(r.out, "\"chars_per_token\":null,\"ratio\":null"));
    cli_free(&r);
}

TEST(compare_html_page)
{
    const char *f = tmpfile_with("cmph.txt", "Some text <with> & \"markup\"\n");
    cli_result r = RUN("compare", "-e", "cl100k_base", "-e", "gpt2", "--html", "-", f);
    CHECK_EQ(r.status, 0);
    CHECK(strncmp(r.out, "<!DOCTYPE html>", 15) == 0); /* the page alone on standard output */
    CHECK(!strstr(r.out, "chars/token "));
    CHECK(strstr(r.out, "<svg") && strstr(r.out, "</svg>"));
    CHECK(strstr(r.out, "<rect class=\"bar bar0\""));
    CHECK(strstr(r.out, "<rect class=\"bar\""));
    CHECK(strstr(r.out, "<td class=\"mono\">gpt2</td>"));
    CHECK(!strstr(r.out, "<script"));
    cli_free(&r);
    r = RUN("compare", "-e", "cl100k_base", "--html", "/nonexistent/dir/c.html", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/dir/c.html"));
    cli_free(&r);
}

TEST(compare_errors_exit_2)
{
    const char *ok = tmpfile_with("cmpok.txt", "Hello world");
    const char *bad = tmpfile_with("cmpbad.txt", "bad\xFF");
    cli_result r = RUN("compare", "-e", "cl100k_base", ok, "/nonexistent/file", bad);
    CHECK_EQ(r.status, 2); /* the readable file is still counted */
    CHECK(strstr(r.err, "/nonexistent/file") && strstr(r.err, "cmpbad.txt"));
    CHECK(strstr(r.out, "cl100k_base           2         5.50    1.00    100277\n"));
    cli_free(&r);
    r = RUN("compare", "-e", "cl100k_base", "--lossy", bad);
    CHECK_EQ(r.status, 0);
    cli_free(&r);
    r = RUN("compare", "-e", "nope", ok);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown encoding 'nope'"));
    cli_free(&r);
    r = RUN("compare", "--json", "--html", "-", ok);
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("compare", "--special", "sometimes", ok);
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("compare", "--zzz");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown option"));
    cli_free(&r);
    r = RUN("compare", "-h");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope compare") && strstr(r.out, "--html FILE") &&
          strstr(r.out, "--json"));
    cli_free(&r);
}
