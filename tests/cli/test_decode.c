/* tokscope decode, and encode | decode round trips */
#include "cli_helpers.h"

TEST(decode_arguments_and_stdin)
{
    cli_result r = RUN("decode", "-e", "cl100k_base", "9906", "1917");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "Hello world"); /* exact bytes, no newline added */
    cli_free(&r);
    r = RUN_IN("[9906, 1917]\n", "decode", "-e", "cl100k_base");
    CHECK_STR(r.out, "Hello world");
    cli_free(&r);
    r = RUN("decode", "-e", "cl100k_base", "9906,100257,1917");
    CHECK_STR(r.out, "Hello<|endoftext|> world");
    cli_free(&r);
    r = RUN("decode", "-e", "cl100k_base", "--skip-special", "9906,100257,1917");
    CHECK_STR(r.out, "Hello world");
    cli_free(&r);
}

TEST(decode_errors_name_the_id)
{
    cli_result r = RUN("decode", "-e", "cl100k_base", "9906", "100256");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "token id 100256 (position 1) is not in the vocabulary of cl100k_base"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    r = RUN("decode", "12x");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "'12x' is not a token id"));
    cli_free(&r);
    r = RUN("decode", "99999999999");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

TEST(decode_jsonl)
{
    cli_result r = RUN_IN("[9906,1917]\n[]\n[76460,222]\n[15339, 220]\n", "decode", "-e",
                          "cl100k_base", "--jsonl");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "\"Hello world\"\n\"\"\n\"\xF0\x9F\x98\x80\"\n\"hello \"\n");
    cli_free(&r);
    /* a token that is part of a character: U+FFFD in the JSON string */
    r = RUN_IN("[76460]\n", "decode", "-e", "cl100k_base", "--jsonl");
    CHECK_STR(r.out, "\"\xEF\xBF\xBD\"\n");
    cli_free(&r);
    r = RUN_IN("[1,2]\n{}\n", "decode", "--jsonl");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<stdin>:2: expected a JSON array"));
    cli_free(&r);
}

TEST(encode_decode_round_trip_through_the_command)
{
    const char *text = "Round trip: Ünïcödé, 日本語, emoji 😀, tabs\tand\r\nnewlines, <|endoftext|>.";
    const char *f = tmpfile_with("rt.txt", text);
    static const char *encs[] = {"gpt2", "r50k_base", "p50k_base", "p50k_edit",
                                 "cl100k_base", "o200k_base", "o200k_harmony"};
    for (int e = 0; e < 7; e++) {
        cli_result a = RUN("encode", "-e", encs[e], "-f", f);
        CHECK_EQ(a.status, 0);
        cli_result b = run_cli(ARGS("decode", "-e", encs[e]), a.out, a.out_len);
        CHECK_EQ(b.status, 0);
        CHECK_MSG(b.out_len == strlen(text) && memcmp(b.out, text, b.out_len) == 0, "%s", encs[e]);
        cli_free(&a);
        cli_free(&b);
    }
}
