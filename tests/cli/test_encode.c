/* tokscope encode */
#include "cli_helpers.h"

TEST(encode_text_arguments_file_and_stdin)
{
    cli_result r = RUN("encode", "-e", "cl100k_base", "Hello", "world");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "9906 1917\n"); /* arguments joined with a space */
    cli_free(&r);
    const char *f = tmpfile_with("enc.txt", "Hello world");
    r = RUN("encode", "-m", "gpt-4", "-f", f);
    CHECK_STR(r.out, "9906 1917\n");
    cli_free(&r);
    r = RUN_IN("Hello world", "encode", "-e", "cl100k_base");
    CHECK_STR(r.out, "9906 1917\n");
    cli_free(&r);
    r = RUN_IN("", "encode");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "\n");
    cli_free(&r);
}

TEST(encode_json_and_offsets)
{
    cli_result r = RUN("encode", "-e", "cl100k_base", "--json", "Hello world");
    CHECK_STR(r.out, "{\"tokens\":2,\"ids\":[9906,1917]}\n");
    cli_free(&r);
    r = RUN("encode", "-e", "cl100k_base", "--offsets", "Hello world");
    CHECK_STR(r.out, "9906 0 5\n1917 5 11\n");
    cli_free(&r);
    r = RUN("encode", "-e", "cl100k_base", "--offsets", "--json", "Hello world");
    CHECK_STR(r.out, "{\"tokens\":2,\"ids\":[9906,1917],\"offsets\":[[0,5],[5,11]]}\n");
    cli_free(&r);
}

TEST(encode_jsonl_batch_interface)
{
    const char *in = "\"Hello world\"\n\"\"\n\"a\\u0000b\"\n\"\\ud83d\\ude00 \\\"q\\\"\\n\"\n";
    cli_result r = RUN_IN(in, "encode", "-e", "cl100k_base", "--jsonl", "-j", "2");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "[9906,1917]\n[]\n[64,188,65]\n[76460,222,330,80,702]\n");
    cli_free(&r);
    r = RUN_IN("\"Hello\"\n", "encode", "-e", "cl100k_base", "--jsonl", "--offsets");
    CHECK_STR(r.out, "{\"ids\":[9906],\"offsets\":[[0,5]]}\n");
    cli_free(&r);
    const char *f = tmpfile_with("in.jsonl", "\"x\"\n\"y\"");
    r = RUN("encode", "-e", "cl100k_base", "--jsonl", "-f", f);
    CHECK_STR(r.out, "[87]\n[88]\n");
    cli_free(&r);
}

TEST(encode_jsonl_errors_name_line_and_column)
{
    cli_result r = RUN_IN("\"ok\"\nnot json\n", "encode", "--jsonl");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<stdin>:2:1: expected a JSON string"));
    CHECK_EQ(r.out_len, 0); /* nothing printed before the input is known to be good */
    cli_free(&r);
    r = RUN_IN("\"\\ud800\"\n", "encode", "--jsonl");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, ":1:") && strstr(r.err, "lone surrogate"));
    cli_free(&r);
    r = RUN_IN("\"a\" x\n", "encode", "--jsonl");
    CHECK(strstr(r.err, "text after the string"));
    cli_free(&r);
    r = RUN_IN("\"a\"\n\"b<|endoftext|>\"\n", "encode", "--jsonl", "--special=reject");
    CHECK_EQ(r.status, 2);
    CHECK_STR(r.out, "[64]\n"); /* lines before the failing one are out, then the error */
    CHECK(strstr(r.err, "<stdin>:2:") && strstr(r.err, "<|endoftext|> at byte 1"));
    cli_free(&r);
}

TEST(encode_usage_errors)
{
    cli_result r = RUN("encode", "-e", "gpt2", "-e", "cl100k_base", "x");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "one tokenizer"));
    cli_free(&r);
    r = RUN("encode", "-f", "x.txt", "text");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("encode", "--jsonl", "text");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("encode", "-j", "many", "x");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("encode", "-f", "/nonexistent/in.txt");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/in.txt"));
    cli_free(&r);
}

TEST(encode_invalid_utf8_and_specials)
{
    const char *f = tmpfile_with("bad8.txt", "ab\xFF");
    cli_result r = RUN("encode", "-f", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "bad8.txt") && strstr(r.err, "byte 2"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    r = RUN("encode", "--lossy", "-e", "cl100k_base", "-f", f);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "370 5809\n"); /* "ab" and U+FFFD */
    cli_free(&r);
    r = RUN("encode", "-e", "cl100k_base", "--special=allow", "<|endoftext|>");
    CHECK_STR(r.out, "100257\n");
    cli_free(&r);
    r = RUN("encode", "-e", "cl100k_base", "<|endoftext|>");
    CHECK_STR(r.out, "27 91 8862 728 428 91 29\n");
    cli_free(&r);
}
