/* make install and the README's library example: the installed header, libraries and .pc file
 * are enough to build a program, statically and dynamically, and the example prints what the
 * README says it does; so does the example for tools that embed tokscope. */
#include "cli_helpers.h"

#include <stdlib.h>
#include <unistd.h>

/* The C block after the mark "<!-- example: NAME -->" in README.md. */
static char *readme_block(const char *mark_text)
{
    size_t len;
    char *md = read_file("README.md", &len);
    if (!md)
        return NULL;
    char *mark = strstr(md, mark_text);
    char *start = mark ? strstr(mark, "```c\n") : NULL;
    char *end = start ? strstr(start + 5, "\n```") : NULL;
    char *code = NULL;
    if (end) {
        start += 5;
        code = strndup(start, (size_t)(end - start) + 1);
    }
    free(md);
    return code;
}

TEST(install_and_build_the_readme_example)
{
    char *code = readme_block("<!-- example: library -->");
    CHECK_MSG(code, "README.md has no library example block");
    const char *src = tmpfile_with("example.c", code);
    free(code);
    char prefix[600], cmd[4096];
    snprintf(prefix, sizeof prefix, "%s/prefix", test_tmpdir());
    /* BUILD is the directory the tests were built from (the binary's directory) */
    char build[512];
    snprintf(build, sizeof build, "%s", test_bin);
    char *slash = strrchr(build, '/');
    CHECK(slash);
    *slash = 0;
    snprintf(cmd, sizeof cmd, "MAKEFLAGS= make -s install BUILD=%s PREFIX=%s >/dev/null", build, prefix);
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
    snprintf(cmd, sizeof cmd,
             "%s %s $(PKG_CONFIG_PATH=%s/lib/pkgconfig pkg-config --cflags --libs tokscope) "
             "-o %s/ex_shared && LD_LIBRARY_PATH=%s/lib %s/ex_shared > %s/out_shared.txt",
             test_cc, src, prefix, test_tmpdir(), prefix, test_tmpdir(), test_tmpdir());
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
    /* tokscope-static.pc: the archive inside the program, no libtokscope.so needed */
    snprintf(cmd, sizeof cmd,
             "%s %s $(PKG_CONFIG_PATH=%s/lib/pkgconfig pkg-config --cflags --libs tokscope-static) "
             "-o %s/ex_static && ! readelf -d %s/ex_static | grep -q libtokscope "
             "&& %s/ex_static > %s/out_static.txt",
             test_cc, src, prefix, test_tmpdir(), test_tmpdir(), test_tmpdir(), test_tmpdir());
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
    const char *want = "13225 [0,5)\n11 [5,6)\n2375 [6,12)\n0 [12,13)\n4 tokens, round trip ok\n";
    for (int i = 0; i < 2; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", test_tmpdir(), i ? "out_static.txt" : "out_shared.txt");
        size_t len;
        char *out = read_file(path, &len);
        CHECK(out);
        CHECK_STR(out, want);
        free(out);
    }
    /* the installed pieces */
    static const char *files[] = {"include/tokscope.h", "lib/libtokscope.a", "lib/libtokscope.so",
                                  "lib/libtokscope.so.0", "lib/pkgconfig/tokscope.pc",
                                  "lib/pkgconfig/tokscope-static.pc", "share/tokscope/gemma3.tkz",
                                  "share/tokscope/NOTICE",
                                  "bin/tokscope", "share/man/man1/tokscope.1",
                                  "share/bash-completion/completions/tokscope",
                                  "share/zsh/site-functions/_tokscope",
                                  "share/fish/vendor_completions.d/tokscope.fish"};
    const int n_files = (int)(sizeof files / sizeof files[0]);
    for (int i = 0; i < n_files; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", prefix, files[i]);
        size_t len;
        char *data = read_file(path, &len);
        CHECK_MSG(data && len > 0, "%s missing", path);
        free(data);
    }
    snprintf(cmd, sizeof cmd, "objdump -p %s/lib/libtokscope.so | grep -q 'SONAME *libtokscope.so.0'",
             prefix);
    CHECK_MSG(system(cmd) == 0, "soname");
    /* only tok_ names are exported */
    snprintf(cmd, sizeof cmd,
             "nm -D --defined-only %s/lib/libtokscope.so | awk '$2 ~ /[TDR]/ {print $3}' | "
             "grep -v '^tok_' | grep -v '^_' | grep -q . && exit 1 || exit 0", prefix);
    CHECK_MSG(system(cmd) == 0, "libtokscope.so exports names without the tok_ prefix");
    /* the man page and the completions are what the installed binary writes */
    static const char *const written[][2] = {
        {"--man", "share/man/man1/tokscope.1"},
        {"completions bash", "share/bash-completion/completions/tokscope"},
        {"completions zsh", "share/zsh/site-functions/_tokscope"},
        {"completions fish", "share/fish/vendor_completions.d/tokscope.fish"}};
    for (int i = 0; i < 4; i++) {
        snprintf(cmd, sizeof cmd, "%s/bin/tokscope %s | cmp -s - %s/%s", prefix, written[i][0],
                 prefix, written[i][1]);
        CHECK_MSG(system(cmd) == 0, "%s differs from tokscope %s", written[i][1], written[i][0]);
    }
    /* make uninstall leaves nothing of them */
    snprintf(cmd, sizeof cmd, "make -s uninstall BUILD=%s PREFIX=%s >/dev/null", build, prefix);
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
    for (int i = 0; i < n_files; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", prefix, files[i]);
        CHECK_MSG(access(path, F_OK) != 0, "make uninstall left %s", path);
    }
}

/* The embedding example (streaming decode, budgets, a counter, UTF-16 offsets), linked with
 * the archive the tests were built with: it prints what the README says it does. */
TEST(readme_embed_example)
{
    char *code = readme_block("<!-- example: embed -->");
    CHECK_MSG(code, "README.md has no embed example block");
    const char *src = tmpfile_with("embed.c", code);
    free(code);
    char build[512], cmd[4096];
    snprintf(build, sizeof build, "%s", test_bin);
    char *slash = strrchr(build, '/');
    CHECK(slash);
    *slash = 0;
    snprintf(cmd, sizeof cmd,
             "%s -std=c11 -Wall -Wextra -Werror -Ilib %s %s/libtokscope.a "
             "$(pkg-config --libs libpcre2-8 libutf8proc libcjson) -lpthread -lm -o %s/embed "
             "&& %s/embed > %s/embed_out.txt",
             test_cc, src, build, test_tmpdir(), test_tmpdir(), test_tmpdir());
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
    size_t len;
    char path[700];
    snprintf(path, sizeof path, "%s/embed_out.txt", test_tmpdir());
    char *out = read_file(path, &len), *md = read_file("README.md", &len);
    CHECK(out && md);
    /* the "prints" block after the example */
    char *mark = md ? strstr(md, "<!-- example: embed -->") : NULL;
    char *want = mark ? strstr(mark, "prints\n\n```text\n") : NULL;
    char *stop = want ? strstr(want + 16, "```") : NULL;
    CHECK_MSG(stop, "README.md: no \"prints\" block after the embed example");
    if (out && stop) {
        want += 16;
        *stop = 0;
        CHECK_STR(out, want);
    }
    free(out);
    free(md);
}
