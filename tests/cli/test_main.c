/* tokscope with no command, help, version, unknown commands */
#include "cli_helpers.h"

TEST(cli_no_command_is_usage_error)
{
    cli_result r = run_cli(ARGS(NULL), NULL, 0);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "Usage: tokscope COMMAND"));
    cli_free(&r);
}

TEST(cli_help_and_version_go_to_stdout)
{
    cli_result r = RUN("--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "count") && strstr(r.out, "encode") && strstr(r.out, "decode"));
    CHECK_EQ(r.err_len, 0);
    cli_free(&r);
    r = RUN("--version");
    CHECK_EQ(r.status, 0);
    CHECK(strncmp(r.out, "tokscope 0.", 11) == 0);
    cli_free(&r);
    static const char *cmds[] = {"count", "encode", "decode", "encodings"};
    for (int i = 0; i < 4; i++) {
        r = RUN(cmds[i], "--help");
        CHECK_EQ(r.status, 0);
        CHECK_MSG(strstr(r.out, "Usage: tokscope ") && r.err_len == 0, "%s --help", cmds[i]);
        cli_free(&r);
        r = RUN(cmds[i], "-h");
        CHECK_EQ(r.status, 0);
        cli_free(&r);
    }
}

TEST(cli_unknown_command_and_options)
{
    cli_result r = RUN("frobnicate");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown command 'frobnicate'"));
    cli_free(&r);
    static const char *cmds[] = {"count", "encode", "decode", "encodings"};
    for (int i = 0; i < 4; i++) {
        r = RUN(cmds[i], "--no-such-flag");
        CHECK_EQ(r.status, 2);
        CHECK_MSG(strstr(r.err, "unknown option '--no-such-flag'") && strstr(r.err, "--help"),
                  "%s: %s", cmds[i], r.err);
        CHECK_EQ(r.out_len, 0);
        cli_free(&r);
    }
    r = RUN("count", "-e");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "needs a value"));
    cli_free(&r);
}

TEST(cli_encodings_lists_all_seven)
{
    cli_result r = RUN("encodings");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "cl100k_base     100277  <|endoftext|>=100257"));
    CHECK(strstr(r.out, "o200k_harmony   201088") && strstr(r.out, "(+1086 more)"));
    cli_free(&r);
    r = RUN("encodings", "--json");
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    CHECK(strstr(r.out, "\"name\":\"p50k_edit\",\"vocab_size\":50284"));
    CHECK(strstr(r.out, "\"<|reserved_201087|>\":201087"));
    int lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, 7);
    cli_free(&r);
    r = RUN("encodings", "extra");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}
