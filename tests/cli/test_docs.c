/* The man page (tokscope --man) and the bash, zsh and fish completions (tokscope completions
 * SHELL) name every option of every command's table, are valid for their tool, and complete:
 * each script is loaded into its shell and asked for completions. */
#include "cli.h"
#include "cli_helpers.h"

#include <stdlib.h>
#include <sys/wait.h>

/* Run a shell command line; its standard output and error in *out (caller frees). Returns the
 * exit status. */
static int sh(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    size_t n = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!p || !buf) {
        free(buf);
        *out = strdup("");
        return -1;
    }
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                break;
            buf = b;
        }
    }
    buf[n] = 0;
    *out = buf;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool have(const char *tool)
{
    char cmd[128], *out;
    snprintf(cmd, sizeof cmd, "command -v %s 2>&1", tool);
    int st = sh(cmd, &out);
    free(out);
    return st == 0;
}

/* NULL when `SHELL -n script` accepts the script, else what it said (caller frees). */
static char *syntax_error(const char *shell, const char *script)
{
    char cmd[1024], *out;
    snprintf(cmd, sizeof cmd, "%s -n %s 2>&1", shell, script);
    if (sh(cmd, &out) == 0 && !out[0]) {
        free(out);
        return NULL;
    }
    return out;
}

/* Write `tokscope ARGS` to the temporary file name; its path, or NULL. */
static const char *generate(const char *name, const char *arg1, const char *arg2)
{
    cli_result r = run_cli(ARGS(arg1, arg2), NULL, 0);
    const char *path = r.status == 0 && r.err_len == 0 ? tmpfile_path(name) : NULL;
    if (path && !write_file(path, r.out, r.out_len))
        path = NULL;
    cli_free(&r);
    return path;
}

/* "--a --b ... --help" for a command: its table's long names, sorted, one per line. */
static char *sorted_longs(const cli_command *cmd, const char *prefix)
{
    size_t n = cmd->n_opts + 1;
    const char **v = calloc(n, sizeof *v);
    char *s = calloc(n, 80);
    if (!v || !s) {
        free(v);
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < cmd->n_opts; i++)
        v[i] = cmd->opts[i].name;
    v[cmd->n_opts] = "help";
    for (size_t i = 1; i < n; i++) /* insertion sort, in the C locale's order */
        for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
            const char *t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        sprintf(s + strlen(s), "%s%s\n", prefix, v[i]);
    free(v);
    return s;
}

/* ---- man page ---- */

TEST(docs_manpage_has_every_command_and_option)
{
    cli_result r = RUN("--man");
    CHECK_EQ(r.status, 0);
    CHECK(strncmp(r.out, ".\\\"", 3) == 0 && strstr(r.out, "\n.TH TOKSCOPE 1 "));
    for (size_t c = 0; c < cli_n_commands; c++) {
        const cli_command *cmd = cli_commands[c];
        char head[64];
        snprintf(head, sizeof head, "\n.SS \"%s\"\n", cmd->name);
        char *sec = strstr(r.out, head);
        CHECK_MSG(sec, "the man page has no section for %s", cmd->name);
        sec += strlen(head);
        char *end = strstr(sec, "\n.S");
        size_t len = end ? (size_t)(end - sec) : strlen(sec);
        for (size_t i = 0; i <= cmd->n_opts; i++) {
            const char *name = i < cmd->n_opts ? cmd->opts[i].name : "help";
            char want[96] = "\\fB\\-\\-";
            for (const char *p = name; *p; p++)
                strcat(want, *p == '-' ? "\\-" : (char[2]){*p, 0});
            CHECK_MSG(memmem(sec, len, want, strlen(want)), "man page, %s: no --%s", cmd->name,
                      name);
            if (i < cmd->n_opts && cmd->opts[i].letter) {
                snprintf(want, sizeof want, "\\fB\\-%c\\fR, \\fB\\-\\-", cmd->opts[i].letter);
                CHECK_MSG(memmem(sec, len, want, strlen(want)), "man page, %s: no -%c", cmd->name,
                          cmd->opts[i].letter);
            }
        }
    }
    const char *page = tmpfile_path("tokscope.1");
    CHECK(write_file(page, r.out, r.out_len));
    cli_free(&r);

    /* groff finds nothing to warn about; man renders it, with the flags as ASCII text */
    CHECK_MSG(have("groff") && have("man"), "groff and man are needed: make test-tools installs them");
    char cmd[1024], *out;
    snprintf(cmd, sizeof cmd, "groff -man -Tutf8 -ww -z %s 2>&1", page);
    int st = sh(cmd, &out);
    CHECK_MSG(st == 0 && out[0] == 0, "groff: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "MANWIDTH=100 LC_ALL=C.UTF-8 man -l %s 2>&1", page);
    st = sh(cmd, &out);
    CHECK_EQ(st, 0);
    CHECK_MSG(strstr(out, "TOKSCOPE(1)") && strstr(out, "tokscope cost [OPTIONS] -m MODEL") &&
                  strstr(out, "--tokenizer-dir DIR") && strstr(out, "-r, --recursive") &&
                  strstr(out, "EXIT STATUS") && strstr(out, "'\xC2\xB7' space"),
              "man -l: %.2000s", out);
    free(out);
}

/* ---- bash ---- */

TEST(docs_bash_completion_completes)
{
    const char *script = generate("tokscope.bash", "completions", "bash");
    CHECK(script);
    char *bad = syntax_error("bash", script), cmd[8192], *out;
    CHECK_MSG(!bad, "bash -n: %s", bad);
    int st;

    /* t WORDS...: complete the last word as bash would, one reply per line */
    static const char driver[] =
        "source \"$1\"\n"
        "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; "
        "COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _tokscope; printf '%s\\n' \"${COMPREPLY[@]}\" | "
        "LC_ALL=C sort; echo .; }\n"
        "cd \"$2\"\n"
        "t tokscope show --col\n"
        "t tokscope show --color = al\n"
        "t tokscope show --color ''\n"
        "t tokscope show --color=ne\n"
        "t tokscope count -e cl\n"
        "t tokscope count --sp\n"
        "t tokscope count --special ''\n"
        "t tokscope count --limit ''\n"
        "t tokscope cost -m claude-sonnet-4-\n"
        "t tokscope models --provider ope\n"
        "t tokscope completions ''\n"
        "t tokscope co\n"
        "t tokscope count bash-fix\n"
        "t tokscope show bash-fix\n"
        "t tokscope count -- --li\n";
    const char *drv = tmpfile_with("complete.bash", driver);
    const char *dir = tmpfile_path("bash-files");
    snprintf(cmd, sizeof cmd, "mkdir -p %s && touch %s/bash-fixture.txt && bash %s %s %s 2>&1",
             dir, dir, drv, script, dir);
    st = sh(cmd, &out);
    CHECK_EQ(st, 0);
    CHECK_STR(out, "--color\n--color-by\n.\n"
                   "always\n.\n"
                   "always\nauto\nnever\n.\n"
                   "--color=never\n.\n"
                   "cl100k_base\n.\n"
                   "--special\n.\n"
                   "allow\nordinary\nreject\n.\n"
                   "\n.\n" /* a number: nothing to offer */
                   "claude-sonnet-4-5\nclaude-sonnet-4-6\n.\n"
                   "openai\n.\n"
                   "bash\nfish\nzsh\n.\n"
                   "compare\ncompletions\ncost\ncount\n.\n"
                   "bash-fixture.txt\n.\n"
                   "\n.\n" /* show's operands are text */
                   "\n.\n"); /* after --, no options */
    free(out);

    /* every command's options, as the table has them */
    char *calls = calloc(cli_n_commands, 64), *want = calloc(cli_n_commands, 1024);
    CHECK(calls && want);
    for (size_t c = 0; c < cli_n_commands; c++) {
        sprintf(calls + strlen(calls), "t tokscope %s --\n", cli_commands[c]->name);
        char *longs = sorted_longs(cli_commands[c], "--");
        strcat(want, longs);
        strcat(want, ".\n");
        free(longs);
    }
    char *all = malloc(sizeof driver + strlen(calls));
    CHECK(all);
    memcpy(all, driver, strstr(driver, "t tokscope show --col") - driver);
    strcpy(all + (strstr(driver, "t tokscope show --col") - driver), calls);
    drv = tmpfile_with("complete-all.bash", all);
    snprintf(cmd, sizeof cmd, "bash %s %s %s 2>&1", drv, script, dir);
    st = sh(cmd, &out);
    CHECK_EQ(st, 0);
    CHECK_STR(out, want);
    free(out);
    free(all);
    free(calls);
    free(want);
}

/* ---- zsh ---- */

TEST(docs_zsh_completion_completes)
{
    CHECK_MSG(have("zsh"), "zsh is needed: make test-tools installs it");
    const char *dir = tmpfile_path("zsh-functions");
    char cmd[4096], *out;
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    CHECK(sh(cmd, &out) == 0);
    free(out);
    cli_result r = RUN("completions", "zsh");
    CHECK_EQ(r.status, 0);
    CHECK(strncmp(r.out, "#compdef tokscope\n", 18) == 0);
    for (size_t c = 0; c < cli_n_commands; c++) { /* every option in its command's block */
        const cli_command *cmd_ = cli_commands[c];
        char head[64];
        snprintf(head, sizeof head, "\n  %s)\n    _arguments ", cmd_->name);
        const char *sec = strstr(r.out, head);
        CHECK_MSG(sec, "zsh: no block for %s", cmd_->name);
        const char *end = strstr(sec, "\n    ;;\n");
        CHECK(end);
        for (size_t i = 0; i < cmd_->n_opts; i++) {
            char want[80];
            snprintf(want, sizeof want, "--%s%s", cmd_->opts[i].name,
                     cmd_->opts[i].kind == CLI_FLAG ? "" : "=");
            const char *at = strstr(sec, want);
            CHECK_MSG(at && at < end, "zsh, %s: no %s", cmd_->name, want);
        }
    }
    char path[600];
    snprintf(path, sizeof path, "%s/_tokscope", dir);
    CHECK(write_file(path, r.out, r.out_len));
    cli_free(&r);
    char *bad = syntax_error("zsh", path);
    CHECK_MSG(!bad, "zsh -n: %s", bad);
    int st;

    /* A zsh in a pseudo-terminal with the script on its fpath lists the choices for a line
     * (LINE=>WORD: read until WORD shows, since zsh lists nothing while input is pending),
     * then prints a marker computed by the shell, so that its echo cannot match. */
    static const char driver[] =
        "zmodload zsh/zpty\n"
        "zpty z zsh -f -i\n"
        "zpty -w z \"PS1='> '; fpath=($1 \\$fpath); autoload -U compinit; compinit -u -D; "
        "bindkey '^I' list-choices; LISTMAX=1000\"\n"
        "shift\n"
        "local n=0 out list\n"
        "for c in \"$@\"; do\n"
        "  (( n++ ))\n"
        "  zpty -w -n z \"tokscope ${c%%=>*}\"$'\\t'\n"
        "  zpty -r z list \"*${c#*=>}*\"\n"
        "  zpty -w z $'\\025'\"print -r -- END\\$(( $n * 7 ))END\"\n"
        "  zpty -r z out \"*END$(( n * 7 ))END*\"\n"
        "  print -r -- \"== ${c%%=>*}\"; print -r -- \"$list$out\"\n"
        "done\n"
        "zpty -d z\n";
    const char *drv = tmpfile_with("complete.zsh", driver);
    snprintf(cmd, sizeof cmd,
             "timeout 60 zsh -f %s %s 'show --col=>--color-by' 'count -e cl=>cl100k_base' "
             "'show --color =>always' 'cost -m claude-sonnet-4-=>claude-sonnet-4-6' "
             "'co=>completions' 2>&1 | tr -d '\\r'",
             drv, dir);
    st = sh(cmd, &out);
    CHECK_MSG(st == 0, "zsh driver: %.3000s", out);
    const char *expect[][3] = {{"== show --col\n", "--color-by", "alternating"},
                               {"== count -e cl\n", "cl100k_base", NULL},
                               {"== show --color \n", "always", "never"},
                               {"== cost -m claude-sonnet-4-\n", "claude-sonnet-4-5",
                                "claude-sonnet-4-6"},
                               {"== co\n", "completions", "compare"}};
    for (int i = 0; i < 5; i++) {
        const char *at = strstr(out, expect[i][0]);
        CHECK_MSG(at, "zsh: no listing for '%s': %.3000s", expect[i][0], out);
        const char *next = strstr(at + 1, "\n== ");
        size_t len = next ? (size_t)(next - at) : strlen(at);
        for (int k = 1; k < 3 && expect[i][k]; k++)
            CHECK_MSG(memmem(at, len, expect[i][k], strlen(expect[i][k])),
                      "zsh, '%s': no %s in %.*s", expect[i][0], expect[i][k], (int)len, at);
    }
    free(out);
}

/* ---- fish ---- */

TEST(docs_fish_completion_completes)
{
    CHECK_MSG(have("fish"), "fish is needed: make test-tools installs it");
    const char *script = generate("tokscope.fish", "completions", "fish");
    CHECK(script);
    char *bad = syntax_error("fish", script), cmd[4096], *out;
    CHECK_MSG(!bad, "fish -n: %s", bad);
    int st;
    /* every command's long options, exactly (fish lists NAME<TAB>DESCRIPTION) */
    for (size_t c = 0; c < cli_n_commands; c++) {
        snprintf(cmd, sizeof cmd,
                 "fish -c 'source %s; complete -C \"tokscope %s --\"' 2>&1 | cut -f1 | LC_ALL=C sort",
                 script, cli_commands[c]->name);
        st = sh(cmd, &out);
        char *want = sorted_longs(cli_commands[c], "--");
        CHECK_MSG(st == 0 && want && !strcmp(out, want), "fish, %s: %s\nwanted %s",
                  cli_commands[c]->name, out, want);
        free(want);
        free(out);
    }
    static const struct {
        const char *line, *want;
    } cases[] = {
        {"show --color=", "--color=always\n--color=auto\n--color=never\n"},
        {"count -e cl", "cl100k_base\n"},
        {"models --provider ope", "openai\n"},
        {"completions ", "bash\nfish\nzsh\n"},
        {"cost -m claude-sonnet-4-", "claude-sonnet-4-5\nclaude-sonnet-4-6\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cmd, sizeof cmd,
                 "fish -c 'source %s; complete -C \"tokscope %s\"' 2>&1 | cut -f1 | LC_ALL=C sort",
                 script, cases[i].line);
        st = sh(cmd, &out);
        CHECK_MSG(st == 0 && !strcmp(out, cases[i].want), "fish, '%s': %s", cases[i].line, out);
        free(out);
    }
}

TEST(docs_completions_usage_errors)
{
    cli_result r = RUN("completions", "tcsh");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "no completions for 'tcsh': bash, zsh or fish"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    r = RUN("completions");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "name one shell"));
    cli_free(&r);
    r = RUN("completions", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope completions bash|zsh|fish"));
    cli_free(&r);
}
