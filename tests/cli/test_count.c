/* tokscope count */
#include "cli_helpers.h"

#include <stdlib.h>
#include <sys/stat.h>

TEST(count_stdin_and_default_encoding)
{
    cli_result r = RUN_IN("Hello world", "count");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "      2\n"); /* wc-style: no name for standard input */
    cli_free(&r);
    r = RUN_IN("Hello world", "count", "-");
    CHECK_STR(r.out, "      2 -\n");
    cli_free(&r);
}

TEST(count_files_with_total_and_columns)
{
    const char *a = tmpfile_with("a.txt", "Hello world");
    const char *b = tmpfile_with("b.txt", "The quick brown fox jumps over the lazy dog.");
    cli_result r = RUN("count", "-e", "cl100k_base", a, b);
    CHECK_EQ(r.status, 0);
    char want[1024];
    snprintf(want, sizeof want, "      2 %s\n     10 %s\n     12 total\n", a, b);
    CHECK_STR(r.out, want);
    cli_free(&r);
    /* one column per tokenizer, in the order given, with a header */
    r = RUN("count", "-e", "gpt2", "-m", "gpt-4", "-t", "vocabs/o200k_base.tiktoken", a);
    CHECK_EQ(r.status, 0);
    snprintf(want, sizeof want, "%26s %26s %26s file\n%26d %26d %26d %s\n", "gpt2", "gpt-4",
             "vocabs/o200k_base.tiktoken", 2, 2, 2, a);
    CHECK_STR(r.out, want);
    cli_free(&r);
}

TEST(count_json_lines)
{
    const char *a = tmpfile_with("j1.txt", "one two three");
    const char *b = tmpfile_with("j2.txt", "four");
    cli_result r = RUN("count", "--json", "-e", "cl100k_base", "-e", "r50k_base", a, b);
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    char want[1024];
    snprintf(want, sizeof want,
             "{\"file\":\"%s\",\"bytes\":13,\"tokens\":{\"cl100k_base\":3,\"r50k_base\":3}}\n"
             "{\"file\":\"%s\",\"bytes\":4,\"tokens\":{\"cl100k_base\":1,\"r50k_base\":1}}\n"
             "{\"total\":true,\"files\":2,\"bytes\":17,\"tokens\":{\"cl100k_base\":4,\"r50k_base\":4}}\n",
             a, b);
    CHECK_STR(r.out, want);
    cli_free(&r);
}

TEST(count_limit_exit_codes)
{
    const char *a = tmpfile_with("lim.txt", "one two three four five");
    cli_result r = RUN("count", "--limit", "5", a);
    CHECK_EQ(r.status, 0);
    cli_free(&r);
    r = RUN("count", "--limit", "4", a);
    CHECK_EQ(r.status, 1);
    CHECK(strstr(r.out, "5 "));
    CHECK(strstr(r.err, "5 tokens (o200k_base) is over the limit of 4"));
    cli_free(&r);
    r = RUN("count", "--limit", "four", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "--limit needs a whole number"));
    cli_free(&r);
}

TEST(count_special_policies)
{
    const char *a = tmpfile_with("sp.txt", "a<|endoftext|>b");
    cli_result r = RUN("count", "-e", "cl100k_base", a);
    CHECK(strncmp(r.out, "      9 ", 8) == 0); /* ordinary: plain text */
    cli_free(&r);
    r = RUN("count", "-e", "cl100k_base", "--special=allow", a);
    CHECK(strncmp(r.out, "      3 ", 8) == 0);
    cli_free(&r);
    r = RUN("count", "-e", "cl100k_base", "--special", "reject", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "sp.txt") && strstr(r.err, "<|endoftext|> at byte 1"));
    cli_free(&r);
    r = RUN("count", "--special=maybe", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "ordinary, allow or reject"));
    cli_free(&r);
}

TEST(count_invalid_utf8_and_lossy)
{
    const char *a = tmpfile_with("bad.txt", "fine\nbroken \xC3( here");
    cli_result r = RUN("count", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "bad.txt") && strstr(r.err, "invalid UTF-8 at byte 12"));
    CHECK_EQ(r.out_len, 0); /* no row passed off as a count */
    cli_free(&r);
    r = RUN("count", "--lossy", a);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "bad.txt"));
    cli_free(&r);
}

TEST(count_unreadable_file_reported_rest_counted)
{
    const char *a = tmpfile_with("ok.txt", "fine");
    cli_result r = RUN("count", "/nonexistent/nope.txt", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/nope.txt: No such file or directory"));
    CHECK(strstr(r.out, "ok.txt"));
    cli_free(&r);
    r = RUN("count", test_tmpdir());
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "is a directory"));
    cli_free(&r);
    r = RUN("count", "-e", "nope", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown encoding 'nope'"));
    cli_free(&r);
    r = RUN("count", "-t", "/nonexistent/tok.json", a);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/tok.json"));
    cli_free(&r);
    /* an encoding given to -m, a model to -e: the message names the flag that takes it (it
     * listed the name itself as the closest model) */
    r = RUN("count", "-m", "o200k_base", a);
    CHECK_EQ(r.status, 2);
    CHECK_MSG(strstr(r.err, "'o200k_base' is an encoding, not a model: -e o200k_base"), "%s",
              r.err);
    CHECK(!*r.out);
    cli_free(&r);
    static const char *const models[] = {"gpt-4o", "llama-3.1-8b", "claude-sonnet-4"};
    for (size_t i = 0; i < 3; i++) {
        r = RUN("count", "-e", models[i], a);
        CHECK_EQ(r.status, 2);
        CHECK_MSG(strstr(r.err, "is a model, not an encoding: -m ") &&
                      strstr(r.err, models[i]), "%s", r.err);
        cli_free(&r);
    }
}

TEST(count_recursive_honours_gitignore_and_skips_binary)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tree", test_tmpdir());
    char path[700];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/sub", dir), mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sub/deep", dir), mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/build", dir), mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/.git", dir), mkdir(path, 0755);
    struct {
        const char *name, *text;
    } files[] = {
        {"a.txt", "alpha"},
        {"b.log", "ignored by *.log"},
        {"keep.log", "re-included by !keep.log"},
        {"sub/c.txt", "gamma"},
        {"sub/skip.txt", "ignored by sub/.gitignore"},
        {"sub/deep/d.md", "delta"},
        {"sub/deep/x.tmp", "ignored by **/*.tmp"},
        {"build/out.txt", "ignored directory"},
        {".git/config", "never walked"},
        {".gitignore", "*.log\n!keep.log\n/build/\n**/*.tmp\n# comment\n"},
        {"sub/.gitignore", "skip.txt\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        CHECK(write_file(path, files[i].text, strlen(files[i].text)));
    }
    snprintf(path, sizeof path, "%s/image.bin", dir);
    CHECK(write_file(path, "PNG\0\0\x01" "binary", 12));
    cli_result r = RUN("count", "-r", "--json", dir);
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    static const char *want[] = {"/.gitignore\"", "/a.txt\"", "/keep.log\"", "/sub/.gitignore\"",
                                 "/sub/c.txt\"", "/sub/deep/d.md\""};
    const char *at = r.out;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *f = strstr(at, want[i]);
        CHECK_MSG(f, "missing or out of order: %s in\n%s", want[i], r.out);
        at = f;
    }
    static const char *never[] = {"b.log", "skip.txt", "x.tmp", "build", ".git/", "image.bin"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        CHECK_MSG(!strstr(r.out, never[i]), "%s should be skipped", never[i]);
    CHECK(strstr(r.out, "\"total\":true,\"files\":6"));
    cli_free(&r);
}

TEST(gitignore_glob_rules)
{
    extern bool walk_gitignore_match(const char *pattern, const char *path);
    CHECK(walk_gitignore_match("*.log", "a.log"));
    CHECK(!walk_gitignore_match("*.log", "dir/a.log")); /* the walker passes the base name */
    CHECK(walk_gitignore_match("**/*.tmp", "a/b/c.tmp"));
    CHECK(walk_gitignore_match("**/*.tmp", "c.tmp"));
    CHECK(walk_gitignore_match("doc/**", "doc/a/b"));
    CHECK(walk_gitignore_match("a/**/b", "a/b"));
    CHECK(walk_gitignore_match("a/**/b", "a/x/y/b"));
    CHECK(!walk_gitignore_match("a/*/b", "a/x/y/b"));
    CHECK(walk_gitignore_match("file[0-9].txt", "file7.txt"));
    CHECK(!walk_gitignore_match("file[!0-9].txt", "file7.txt"));
    CHECK(walk_gitignore_match("?.c", "x.c"));
    CHECK(!walk_gitignore_match("?.c", "xy.c"));
}

/* Standard input is counted part by part (cut where the tokenizers restart: tok_cut_point),
 * on -j threads; the total is the count of the whole text, which a file of the same bytes
 * (counted whole) gives. 20 MB spans several parts of 8 MB. */
TEST(count_by_parts_equals_whole)
{
    static const char *const lines[] = {"The quick brown fox jumps over the lazy dog.\n",
                                        "  indented code(x) { return 42; }\n",
                                        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\n",
                                        "trailing spaces   \n\n", "x\r\n", "!!!\n", "word\n"};
    size_t cap = 20u << 20, n = 0;
    char *text = malloc(cap + 64);
    uint64_t seed = 9;
    while (n < cap) {
        const char *l = lines[test_rand(&seed) % 7];
        memcpy(text + n, l, strlen(l));
        n += strlen(l);
    }
    text[n] = 0;
    const char *path = tmpfile_with("parts.txt", text);
    static const char *const toks[][2] = {{"-e", "cl100k_base"}, {"-e", "o200k_base"},
                                          {"-e", "r50k_base"} /* no cuts: whole */};
    for (size_t k = 0; k < 3; k++) {
        cli_result whole = RUN("count", toks[k][0], toks[k][1], path);
        CHECK_EQ(whole.status, 0);
        for (int j = 1; j <= 2; j++) {
            char jobs[4];
            snprintf(jobs, sizeof jobs, "%d", j);
            cli_result parts = run_cli(ARGS("count", toks[k][0], toks[k][1], "-j", jobs), text, n);
            CHECK_EQ(parts.status, 0);
            CHECK_MSG(!strncmp(whole.out, parts.out, strlen(parts.out) - 1),
                      "%s -j %d: parts %s, whole %s", toks[k][1], j, parts.out, whole.out);
            cli_free(&parts);
        }
        cli_free(&whole);
    }
    /* an invalid byte far into the input is reported at its offset in the whole input */
    text[15u << 20] = (char)0xFF;
    cli_result r = run_cli(ARGS("count", "-j", "2"), text, n);
    CHECK_EQ(r.status, 2);
    char want[64];
    snprintf(want, sizeof want, "invalid UTF-8 at byte %u (byte 0xFF)", 15u << 20);
    CHECK_MSG(strstr(r.err, want), "%s", r.err);
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    free(text);
}

/* Several files on several threads: the rows in the order given, as with one thread. */
TEST(count_threads_keep_the_order)
{
    const char *a = tmpfile_with("t1.txt", "one two three");
    const char *b = tmpfile_with("t2.txt", "four");
    const char *c = tmpfile_with("t3.txt", "five six");
    cli_result one = RUN("count", a, b, "/nonexistent/x.txt", c);
    cli_result two = RUN("count", "-j", "2", a, b, "/nonexistent/x.txt", c);
    CHECK_EQ(one.status, 2);
    CHECK_EQ(two.status, 2);
    CHECK_STR(two.out, one.out);
    CHECK(strstr(two.err, "/nonexistent/x.txt"));
    cli_free(&one);
    cli_free(&two);
}
