/* What every command does alike on bad input: strict UTF-8 unless --lossy, hints that name a
 * flag the command has, names shown so that nothing in them hides or reorders the output, one
 * exit-status rule for runs with several problems. */
#include "cli.h"
#include "cli_helpers.h"

#include <fcntl.h>
#include <pty.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const cli_command *command(const char *name)
{
    for (size_t c = 0; c < cli_n_commands; c++)
        if (!strcmp(cli_commands[c]->name, name))
            return cli_commands[c];
    return NULL;
}

/* tokscope with the words of args (NULL-terminated) and then up to two more (NULL: none). */
static cli_result run_plus(const char *const *args, const char *more1, const char *more2)
{
    const char *argv[12];
    int n = 0;
    for (; args[n] && n < 9; n++)
        argv[n] = args[n];
    argv[n++] = more1;
    argv[n++] = more2;
    argv[n] = NULL;
    return run_cli(argv, NULL, 0);
}

/* Every flag a message mentions ("-r", "--lossy", "-f FILE") is one the command has. Returns the
 * first that is not, or NULL. */
static const char *unknown_flag(const cli_command *cmd, const char *msg)
{
    static char flag[64];
    for (const char *p = msg; *p; p++) {
        if (*p != '-' || (p > msg && p[-1] != ' ' && p[-1] != '(' && p[-1] != '\''))
            continue;
        size_t n = strspn(p, "-abcdefghijklmnopqrstuvwxyz");
        if (n < 2 || (n == 2 && p[1] == '-'))
            continue;
        snprintf(flag, sizeof flag, "%.*s", (int)n, p);
        bool known = !strcmp(flag, "-h") || !strcmp(flag, "--help");
        for (size_t i = 0; i < cmd->n_opts && !known; i++)
            known = p[1] == '-' ? !strcmp(flag + 2, cmd->opts[i].name)
                                : n == 2 && p[1] == cmd->opts[i].letter;
        if (!known)
            return flag;
        p += n - 1;
    }
    return NULL;
}

TEST(consistency_directory_hints_name_real_flags)
{
    const char *dir = tmpfile_path("a-directory");
    mkdir(dir, 0755);
    static const struct {
        const char *args[6];
    } runs[] = {
        {{"count", NULL}},           {{"cost", "-m", "gpt-4o", NULL}},
        {{"compare", NULL}},         {{"stats", NULL}},
        {{"truncate", "-n", "3", NULL}}, {{"chunk", "-n", "3", NULL}},
        {{"chat", NULL}},            {{"encode", "-f", NULL}},
        {{"show", "-f", NULL}},      {{"explain", "-f", NULL}},
        {{"decode", "-f", NULL}},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        const char *name = runs[i].args[0];
        cli_result r = run_plus(runs[i].args, dir, NULL);
        CHECK_MSG(r.status == 2 && strstr(r.err, "is a directory"), "%s DIR: %d %s", name,
                  r.status, r.err);
        const char *bad = unknown_flag(command(name), r.err);
        CHECK_MSG(!bad, "%s DIR suggests %s, which it does not have: %s", name, bad, r.err);
        if (!strcmp(name, "count"))
            CHECK_MSG(strstr(r.err, "(-r counts the files in it)"), "%s", r.err);
        cli_free(&r);
    }
    /* the check itself sees a flag that is not there */
    CHECK(unknown_flag(command("stats"), "x: is a directory (-r counts the files in it)"));
    CHECK(!unknown_flag(command("count"), "x: is a directory (-r counts the files in it)"));
}

TEST(consistency_text_that_names_a_file_gets_a_hint)
{
    const char *file = tmpfile_with("notes.txt", "a file with several words in it\n");
    static const char *const cmds[] = {"show", "explain", "encode"};
    for (int i = 0; i < 3; i++) {
        cli_result r = RUN(cmds[i], file);
        CHECK_EQ(r.status, 0);
        char want[1024];
        snprintf(want, sizeof want, "tokscope: '%s' is read as text, not as the file of that name "
                                    "(-f %s reads the file)\n", file, file);
        CHECK_MSG(!strcmp(r.err, want), "%s FILE: %s", cmds[i], r.err);
        CHECK(!unknown_flag(command(cmds[i]), r.err));
        cli_result t = run_cli(ARGS(cmds[i], "--", file), NULL, 0); /* the same text, in words */
        CHECK(t.out_len == r.out_len && !memcmp(t.out, r.out, r.out_len));
        cli_free(&t);
        cli_free(&r);
        /* no hint for text that is no file, for two words, or for -f */
        const char *const quiet[][3] = {{"no-such-file.txt", NULL}, {file, "more"}, {"-f", file}};
        for (int k = 0; k < 3; k++) {
            r = run_cli(ARGS(cmds[i], quiet[k][0], quiet[k][1]), NULL, 0);
            CHECK_MSG(r.status == 0 && r.err_len == 0, "%s %s: %s", cmds[i], quiet[k][0], r.err);
            cli_free(&r);
        }
    }
}

/* Run tokscope with standard output on a terminal (a pseudo-terminal) and standard error on a
 * pipe: what each received. */
static bool run_on_terminal(const char *const *args, char *out, size_t out_cap, char *err,
                            size_t err_cap, int *status)
{
    int master, slave, errp[2];
    if (openpty(&master, &slave, NULL, NULL, NULL) != 0 || pipe(errp) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[16] = {test_bin};
        for (int i = 0; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(slave, 1);
        dup2(errp[1], 2);
        close(master);
        close(errp[0]);
        execv(test_bin, (char *const *)argv);
        _exit(127);
    }
    close(slave);
    close(errp[1]);
    size_t no = 0, ne = 0;
    for (;;) { /* the outputs are small: read standard output to its end, then stderr */
        ssize_t k = read(master, out + no, out_cap - 1 - no);
        if (k <= 0)
            break;
        no += (size_t)k;
    }
    for (;;) {
        ssize_t k = read(errp[0], err + ne, err_cap - 1 - ne);
        if (k <= 0)
            break;
        ne += (size_t)k;
    }
    out[no] = err[ne] = 0;
    close(master);
    close(errp[0]);
    int st;
    waitpid(pid, &st, 0);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return true;
}

TEST(consistency_truncate_note_starts_a_line_in_a_terminal)
{
    const char *file = tmpfile_with("cut.txt", "one two three four five six seven\n");
    char out[4096], err[4096];
    int st;
    CHECK(run_on_terminal(ARGS("truncate", "-n", "2", file), out, sizeof out, err, sizeof err,
                          &st));
    CHECK_EQ(st, 0);
    CHECK_STR(out, "one two"); /* the terminal's copy of the bytes */
    CHECK_MSG(err[0] == '\n' && strstr(err, "cut to the first 2 tokens"), "stderr: %s", err);
    /* piped: the same bytes, no newline added anywhere */
    cli_result r = RUN("truncate", "-n", "2", file);
    CHECK_EQ(r.out_len, 7);
    CHECK(!memcmp(r.out, "one two", 7));
    CHECK(r.err[0] != '\n' && strstr(r.err, "cut to the first 2 tokens"));
    cli_free(&r);
    /* a cut after a newline, --json and -q need nothing */
    const char *lines = tmpfile_with("lines.txt", "one\ntwo three four\n");
    CHECK(run_on_terminal(ARGS("truncate", "-n", "2", lines), out, sizeof out, err, sizeof err,
                          &st));
    CHECK_MSG(err[0] != '\n', "stderr: %s", err);
    CHECK(run_on_terminal(ARGS("truncate", "--json", "-n", "2", file), out, sizeof out, err,
                          sizeof err, &st));
    CHECK_MSG(err[0] != '\n' && err[0], "stderr: %s", err);
    CHECK(run_on_terminal(ARGS("truncate", "-q", "-n", "2", file), out, sizeof out, err,
                          sizeof err, &st));
    CHECK_STR(err, "");
}

TEST(consistency_strict_utf8_unless_lossy)
{
    const char *latin1 = tmpfile_with("latin1.txt", "caf\xe9 au lait\n");
    /* every command that reads text has --lossy; without it, invalid UTF-8 is exit 2 naming
     * the byte; with it, U+FFFD and exit 0 */
    static const struct {
        const char *args[5];
    } runs[] = {
        {{"count", NULL}},          {{"encode", "-f", NULL}},   {{"show", "-f", NULL}},
        {{"explain", "-f", NULL}},  {{"compare", NULL}},        {{"stats", NULL}},
        {{"truncate", "-n", "2", NULL}}, {{"chunk", "-n", "2", NULL}},
        {{"cost", "-m", "gpt-4o", NULL}},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        const char *name = runs[i].args[0];
        CHECK_MSG(cli_find(command(name), "lossy") >= 0, "%s has no --lossy", name);
        cli_result r = run_plus(runs[i].args, latin1, NULL);
        CHECK_MSG(r.status == 2 && strstr(r.err, "invalid UTF-8 at byte 3"), "%s: %d %s", name,
                  r.status, r.err);
        cli_free(&r);
        r = run_plus(runs[i].args, latin1, "--lossy");
        CHECK_MSG(r.status == 0 && r.out_len > 0, "%s --lossy: %d %s", name, r.status, r.err);
        cli_free(&r);
    }
    /* cost counts what it is given: with --lossy the same count as count --lossy */
    cli_result c = RUN("count", "--lossy", latin1);
    cli_result k = RUN("cost", "-m", "gpt-4o", "--lossy", "--json", latin1);
    CHECK(c.status == 0 && k.status == 0);
    char want[64];
    snprintf(want, sizeof want, "\"counted_tokens\":%d,", atoi(c.out));
    CHECK_MSG(strstr(k.out, want), "%s / %s", c.out, k.out);
    cli_free(&c);
    cli_free(&k);
    /* a conversation is JSON: --lossy does not apply */
    cli_result r = RUN("cost", "-m", "gpt-4o", "--chat", "--lossy", latin1);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "--lossy is for text"));
    cli_free(&r);
}

TEST(consistency_one_exit_rule_for_several_problems)
{
    const char *latin1 = tmpfile_with("rule-latin1.txt", "caf\xe9\n");
    const char *big = tmpfile_with("rule-big.txt", "one two three four five six seven eight\n");
    const char *small = tmpfile_with("rule-small.txt", "one\n");
    /* a file that fails and a file over the limit: both reported, the row printed, exit 2 */
    cli_result r = RUN("count", "--limit", "3", latin1, big, small);
    CHECK_EQ(r.status, 2);
    char row[600];
    snprintf(row, sizeof row, "      9 %s\n", big);
    CHECK_MSG(strstr(r.out, row) && strstr(r.out, " total\n"), "%s", r.out);
    CHECK_MSG(strstr(r.err, "rule-latin1.txt: invalid UTF-8 at byte 3"), "%s", r.err);
    CHECK_MSG(strstr(r.err, "rule-big.txt: 9 tokens (o200k_base) is over the limit of 3"), "%s",
              r.err);
    CHECK_MSG(strstr(r.err, "tokscope: total: 11 tokens (o200k_base) is over the limit of 3\n"),
              "%s", r.err);
    CHECK_MSG(strstr(r.err, "tokscope: 1 of 3 files could not be counted; 2 counts are over the "
                            "limit (exit status 2)\n"), "%s", r.err);
    cli_free(&r);
    /* without the failing file: exit 1 and no summary */
    r = RUN("count", "--limit", "3", big, small);
    CHECK_EQ(r.status, 1);
    CHECK(!strstr(r.err, "could not be"));
    cli_free(&r);
    /* one failed file alone: its message says it all */
    r = RUN("count", latin1);
    CHECK_EQ(r.status, 2);
    CHECK(!strstr(r.err, "could not be"));
    cli_free(&r);
    /* the same rule and summary for the other commands that take several files */
    static const char *const cmds[][4] = {{"stats", "measured", NULL},
                                          {"compare", "read or encoded", NULL},
                                          {"chunk", "chunked", "-n"}};
    for (int i = 0; i < 3; i++) {
        r = cmds[i][2] ? RUN(cmds[i][0], "-n", "5", small, latin1)
                       : RUN(cmds[i][0], small, latin1);
        CHECK_EQ(r.status, 2);
        char want[128];
        snprintf(want, sizeof want, "tokscope: 1 of 2 files could not be %s (exit status 2)\n",
                 cmds[i][1]);
        CHECK_MSG(strstr(r.err, want) && r.out_len > 0, "%s: %s", cmds[i][0], r.err);
        cli_free(&r);
    }
}

TEST(consistency_count_r_says_what_it_skipped)
{
    const char *dir = tmpfile_path("walked");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/sub && printf 'hello world\\n' > %s/a.txt && "
             "gzip -c LICENSE > %s/l.gz && head -c 300 %s > %s/sub/prog && "
             "printf 'BZh91AY' > %s/b.bz2 && printf 'PK\\003\\004 no NUL here' > %s/c.zip",
             dir, dir, dir, test_bin, dir, dir, dir);
    CHECK(system(cmd) == 0);
    cli_result r = RUN("count", "-r", dir);
    CHECK_EQ(r.status, 0);
    CHECK_MSG(strstr(r.out, "a.txt") && !strstr(r.out, "l.gz") && !strstr(r.out, "prog") &&
                  !strstr(r.out, "c.zip"), "%s", r.out);
    CHECK_STR(r.err, "tokscope: skipped 4 files that are not text: 1 binary (a NUL byte in the "
                     "first 8 KB), 3 compressed (gzip, bzip2, zip)\n");
    cli_free(&r);
    /* named on the command line, such a file is counted or fails as any other */
    char gz[600];
    snprintf(gz, sizeof gz, "%s/l.gz", dir);
    r = RUN("count", gz);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "invalid UTF-8") && !strstr(r.err, "skipped"));
    cli_free(&r);
}

TEST(consistency_models_unknown_provider_prints_nothing)
{
    cli_result r = RUN("models", "--provider", "foo");
    CHECK_EQ(r.status, 2);
    CHECK_EQ(r.out_len, 0);
    CHECK_STR(r.err, "tokscope: no model of provider 'foo'\n");
    cli_free(&r);
    r = RUN("models", "--provider", "ANTHROPIC");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "claude-sonnet-4 "));
    cli_free(&r);
}

TEST(consistency_names_cannot_hide_or_reorder_output)
{
    /* a file name with a right-to-left override (U+202E), a zero-width space and a tab */
    const char *name = tmpfile_with("evil\xE2\x80\xAEtxt.exe\xE2\x80\x8B\t.txt", "hello world\n");
    CHECK(name);
    const char *raw = "\xE2\x80\xAE";
    cli_result r = RUN("count", name);
    CHECK_EQ(r.status, 0);
    CHECK_MSG(!strstr(r.out, raw) && strstr(r.out, "evil\xE2\x9F\xA8U+202E\xE2\x9F\xA9txt.exe"
                                                   "\xE2\x9F\xA8U+200B\xE2\x9F\xA9\xE2\x90\x89.txt"),
              "%s", r.out);
    cli_free(&r);
    r = RUN("count", "--json", name); /* JSON keeps the name exactly */
    CHECK(strstr(r.out, raw));
    cli_free(&r);
    const char *page = tmpfile_path("bidi.html");
    r = RUN("compare", "--html", page, "-e", "gpt2", name);
    CHECK_EQ(r.status, 0);
    cli_free(&r);
    size_t len;
    char *html = read_file(page, &len);
    CHECK(html);
    CHECK_MSG(!memmem(html, len, raw, 3) && !memmem(html, len, "\xE2\x80\x8B", 3), "raw U+202E");
    CHECK(strstr(html, "evil\xE2\x9F\xA8U+202E\xE2\x9F\xA9txt.exe"));
    free(html);
    /* messages too */
    r = RUN("stats", "-e", "gpt2", name, "missing\xE2\x80\xAE.txt");
    CHECK_EQ(r.status, 2);
    CHECK_MSG(!strstr(r.out, raw) && !strstr(r.err, raw) &&
                  strstr(r.err, "missing\xE2\x9F\xA8U+202E\xE2\x9F\xA9.txt: No such file"),
              "%s", r.err);
    cli_free(&r);
    /* a tokenizer given by a path: its heading */
    const char *tok = tmpfile_path("r50k\xE2\x80\xAE.tiktoken");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp vocabs/r50k_base.tiktoken '%s'", tok);
    CHECK(system(cmd) == 0);
    r = RUN("show", "-e", "gpt2", "-t", tok, "hi");
    CHECK_EQ(r.status, 0);
    CHECK_MSG(!strstr(r.out, raw) && strstr(r.out, "r50k\xE2\x9F\xA8U+202E\xE2\x9F\xA9.tiktoken\n"),
              "%s", r.out);
    cli_free(&r);
}
