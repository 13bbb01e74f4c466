/* The option parser (cli/options.c) on a table of its own, and every command's table against
 * its --help. */
#include "cli.h"
#include "cli_helpers.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

static int run_nothing(const cli_args *a)
{
    (void)a;
    return 0;
}

static const cli_opt opts[] = {
    {"all", 'a', NULL, CLI_FLAG, .help = "every one"},
    {"quiet", 'q', NULL, CLI_FLAG, .help = "say nothing"},
    {"number", 'n', "N", CLI_NUMBER, .help = "a number\nof things", .max = 10,
     .need = "a number from 0 to 10"},
    {"color", 0, "WHEN", CLI_CHOICE, .help = "when", .choices = "auto|always|never",
     .alias = "colour"},
    {"color-by", 0, "WHAT", CLI_CHOICE, .help = "by what", .choices = "position|id"},
    {"file", 'f', "FILE", CLI_TEXT, .help = "a file", .values = CLI_V_FILE},
    {"add", 0, "X", CLI_TEXT, .help = "kept, twice at most", .many = 2},
    {"a-very-long-option-name", 0, "VALUE", CLI_TEXT, .help = "too long for the column\nsecond"},
    {"encoding", 'e', "NAME", CLI_TOKENIZER, .help = "an encoding"},
    {"model", 'm', "MODEL", CLI_TOKENIZER, .help = "a model"},
};

static const cli_command tcmd = {.name = "demo", .synopsis = "[X]", .summary = "a demo",
                                 .usage = "demo [OPTIONS] [X]...\ndemo --all\n",
                                 .about = "What it does.\n", CLI_OPTS(opts),
                                 .footer = "Exit status: 0.\n", .run = run_nothing};

/* cli_parse on the NULL-terminated words after "demo", with what it writes to stderr and
 * stdout captured in err and out. */
static int parse(cli_args *a, char *err, char *out, ...)
{
    static char *argv[64]; /* a->pos points into it */
    argv[0] = "demo";
    int argc = 1;
    va_list ap;
    va_start(ap, out);
    for (char *w; argc < 63 && (w = va_arg(ap, char *));)
        argv[argc++] = w;
    va_end(ap);
    static char words[64][64]; /* argv is reordered: keep the strings */
    for (int i = 1; i < argc; i++)
        argv[i] = strcpy(words[i], argv[i]);
    FILE *fe = tmpfile(), *fo = tmpfile();
    fflush(stderr);
    fflush(stdout);
    int save_err = dup(2), save_out = dup(1);
    dup2(fileno(fe), 2);
    dup2(fileno(fo), 1);
    int st = cli_parse(&tcmd, argc, argv, a);
    fflush(stderr);
    fflush(stdout);
    dup2(save_err, 2);
    dup2(save_out, 1);
    close(save_err);
    close(save_out);
    FILE *fs[2] = {fe, fo};
    char *bufs[2] = {err, out};
    for (int k = 0; k < 2; k++) {
        rewind(fs[k]);
        size_t n = fread(bufs[k], 1, 4095, fs[k]);
        bufs[k][n] = 0;
        fclose(fs[k]);
    }
    return st;
}

TEST(options_parse_forms)
{
    cli_args a;
    char err[4096], out[4096];
    /* bundles, -xVALUE, --opt=VALUE, --opt VALUE, lists, tokenizers in order, operands among
     * options, '-' an operand, '--' ends the options */
    CHECK_EQ(parse(&a, err, out, "-aq", "-n3", "op1", "--color=always", "-", "--add", "p",
                   "-mgpt-4o", "--add=q", "-e", "gpt2", "-f", "x.txt", "--", "--all", NULL),
             -1);
    CHECK_STR(err, "");
    CHECK(cli_flag(&a, "all") && cli_flag(&a, "quiet"));
    CHECK_EQ(cli_number(&a, "number", 99), 3);
    CHECK_EQ(cli_choice(&a, "color", 9), 1);
    CHECK_EQ(cli_choice(&a, "color-by", 9), 9); /* not given: the default */
    CHECK_STR(cli_text(&a, "file"), "x.txt");
    const char *adds[4];
    CHECK_EQ(cli_list(&a, "add", adds, 4), 2);
    CHECK_STR(adds[0], "p");
    CHECK_STR(adds[1], "q");
    tok_choices tc = {0};
    cli_tokenizers(&a, &tc);
    CHECK_EQ(tc.n, 2);
    CHECK(tc.v[0].kind == 'm' && !strcmp(tc.v[0].arg, "gpt-4o"));
    CHECK(tc.v[1].kind == 'e' && !strcmp(tc.v[1].arg, "gpt2"));
    CHECK_EQ(a.n_pos, 3);
    CHECK_STR(a.pos[0], "op1");
    CHECK_STR(a.pos[1], "-");
    CHECK_STR(a.pos[2], "--all");

    /* a value may start with '-'; the last one counts; a unique prefix, an alias, an exact
     * name that is also the prefix of another (--color, --color-by) */
    CHECK_EQ(parse(&a, err, out, "--file", "-x", "-f", "-", "--num", "7", "--colour", "never",
                   "--color-by", "id", NULL), -1);
    CHECK_STR(cli_text(&a, "file"), "-");
    CHECK_EQ(cli_number(&a, "number", 99), 7);
    CHECK_EQ(cli_choice(&a, "color", 9), 2);
    CHECK_EQ(cli_choice(&a, "color-by", 9), 1);
    CHECK(!cli_flag(&a, "all"));
    CHECK(cli_text(&a, "a-very-long-option-name") == NULL);
    CHECK_EQ(a.n_pos, 0);
}

TEST(options_usage_errors)
{
    static const struct {
        const char *args[4], *message;
    } cases[] = {
        {{"-n", "11"}, "demo: -n needs a number from 0 to 10, not '11'"},
        {{"--number=x"}, "demo: --number needs a number from 0 to 10, not 'x'"},
        {{"--all=1"}, "demo: option '--all' takes no value"},
        {{"--file"}, "demo: option '--file' needs a value"},
        {{"-af"}, "demo: option '-f' needs a value"},
        {{"-z"}, "demo: unknown option '-z'"},
        {{"-az"}, "demo: unknown option '-z'"},
        {{"--nope=3"}, "demo: unknown option '--nope'"},
        {{"--=3"}, "demo: unknown option '--'"},
        {{"--col", "auto"}, "demo: option '--col' is ambiguous: --color or --color-by"},
        {{"--color=blue"}, "demo: --color must be auto, always or never, not 'blue'"},
        {{"--add", "1", "--add=2", "--add=3"}, "demo: --add can be given at most 2 times"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_args a;
        char err[4096], out[4096];
        const char *const *w = cases[i].args;
        int st = parse(&a, err, out, (char *)w[0], (char *)w[1], (char *)w[2], (char *)w[3], NULL);
        CHECK_MSG(st == EXIT_BAD, "%s: status %d", w[0], st);
        CHECK_MSG(strstr(err, cases[i].message) && strstr(err, "Try 'tokscope demo --help'.\n"),
                  "%s: %s", w[0], err);
        CHECK_STR(out, "");
    }
    /* at most CLI_MAX_TOKENIZERS tokenizers */
    char *argv[2 * CLI_MAX_TOKENIZERS + 4] = {"demo"};
    int argc = 1;
    for (int i = 0; i <= CLI_MAX_TOKENIZERS; i++) {
        argv[argc++] = "-e";
        argv[argc++] = "gpt2";
    }
    cli_args a;
    FILE *fe = tmpfile();
    fflush(stderr);
    int save = dup(2);
    dup2(fileno(fe), 2);
    int st = cli_parse(&tcmd, argc, argv, &a);
    fflush(stderr);
    dup2(save, 2);
    close(save);
    char err[512];
    rewind(fe);
    err[fread(err, 1, sizeof err - 1, fe)] = 0;
    fclose(fe);
    CHECK_EQ(st, EXIT_BAD);
    CHECK_MSG(strstr(err, "at most 32 tokenizers at once"), "%s", err);
}

TEST(options_help_layout)
{
    cli_args a;
    char err[4096], out[4096];
    static const char *const forms[] = {"--help", "-h", "--he", "-ah"};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(parse(&a, err, out, (char *)forms[i], "--nope", NULL), 0); /* help comes first */
        CHECK_STR(err, "");
        /* the help from two columns past the longest label, or from 28 when one is longer
         * than 26 (then followed by two spaces); continuation lines at that column */
        CHECK_STR(out,
                  "Usage: tokscope demo [OPTIONS] [X]...\n"
                  "       tokscope demo --all\n"
                  "\n"
                  "What it does.\n"
                  "\n"
                  "  -a, --all                 every one\n"
                  "  -q, --quiet               say nothing\n"
                  "  -n, --number N            a number\n"
                  "                            of things\n"
                  "      --color WHEN          when\n"
                  "      --color-by WHAT       by what\n"
                  "  -f, --file FILE           a file\n"
                  "      --add X               kept, twice at most\n"
                  "      --a-very-long-option-name VALUE  too long for the column\n"
                  "                            second\n"
                  "  -e, --encoding NAME       an encoding\n"
                  "  -m, --model MODEL         a model\n"
                  "  -h, --help                this help\n"
                  "\n"
                  "Exit status: 0.\n");
    }
}

/* The option names a --help lists: "--name" of every line that starts an option (an implied
 * value shows as "--name[=VALUE]"). */
static size_t help_names(const char *help, char names[][64], size_t cap)
{
    size_t n = 0;
    for (const char *p = help; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *at = NULL;
        if (len > 8 && !strncmp(p, "      --", 8))
            at = p + 6;
        else if (len > 8 && p[0] == ' ' && p[1] == ' ' && p[2] == '-' && p[3] != '-' &&
                 !strncmp(p + 4, ", --", 4))
            at = p + 6;
        if (at && n < cap) {
            size_t k = 0;
            while (at[k] && at[k] != ' ' && at[k] != '\n' && at[k] != '[' && k < 63)
                k++;
            snprintf(names[n++], 64, "%.*s", (int)k, at);
        }
        p += len + (nl != NULL);
    }
    return n;
}

TEST(options_every_help_lists_exactly_its_table)
{
    for (size_t c = 0; c < cli_n_commands; c++) {
        const cli_command *cmd = cli_commands[c];
        cli_result r = RUN(cmd->name, "--help");
        CHECK_MSG(r.status == 0 && r.err_len == 0, "%s --help", cmd->name);
        char names[64][64];
        size_t n = help_names(r.out, names, 64);
        CHECK_MSG(n == cmd->n_opts + 1, "%s --help lists %zu options, its table has %zu", cmd->name,
                  n, cmd->n_opts + 1);
        for (size_t i = 0; i < cmd->n_opts; i++) {
            char want[64];
            snprintf(want, sizeof want, "--%s", cmd->opts[i].name);
            CHECK_MSG(!strcmp(names[i], want), "%s --help: %s where the table has %s", cmd->name,
                      names[i], want);
            char label[128];
            cli_opt_label(&cmd->opts[i], label, sizeof label);
            CHECK_MSG(strstr(r.out, label), "%s --help lacks '%s'", cmd->name, label);
        }
        CHECK_STR(names[n - 1], "--help");
        cli_free(&r);
    }
}

TEST(options_tables_are_well_formed)
{
    for (size_t c = 0; c < cli_n_commands; c++) {
        const cli_command *cmd = cli_commands[c];
        CHECK_MSG(cmd->n_opts <= CLI_MAX_OPTS, "%s", cmd->name);
        unsigned kept = 0;
        for (size_t i = 0; i < cmd->n_opts; i++) {
            const cli_opt *o = &cmd->opts[i];
            CHECK_MSG(o->help && o->help[0], "%s --%s has no help", cmd->name, o->name);
            CHECK_MSG((o->arg != NULL) == (o->kind != CLI_FLAG), "%s --%s", cmd->name, o->name);
            CHECK_MSG((o->choices != NULL) == (o->kind == CLI_CHOICE), "%s --%s", cmd->name,
                      o->name);
            CHECK_MSG(o->letter != 'h' && strcmp(o->name, "help"), "%s: -h is every command's",
                      cmd->name);
            kept += o->many;
            for (size_t k = 0; k < i; k++) {
                CHECK_MSG(strcmp(o->name, cmd->opts[k].name), "%s: --%s twice", cmd->name, o->name);
                CHECK_MSG(!o->letter || o->letter != cmd->opts[k].letter, "%s: -%c twice",
                          cmd->name, o->letter);
            }
        }
        CHECK_MSG(kept + CLI_MAX_TOKENIZERS <= CLI_MAX_VALUES, "%s keeps too many values",
                  cmd->name);
    }
}
