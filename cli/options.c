/* options: the parser and the --help of every command (see options.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_find(const cli_command *cmd, const char *name)
{
    for (size_t i = 0; i < cmd->n_opts; i++)
        if (!strcmp(cmd->opts[i].name, name))
            return (int)i;
    return -1;
}

static size_t must_find(const cli_args *a, const char *name)
{
    int i = cli_find(a->cmd, name);
    if (i < 0) {
        fprintf(stderr, "%s %s: internal error: no option --%s\n", prog, a->cmd->name, name);
        abort();
    }
    return (size_t)i;
}

int cli_usage_error(const cli_args *a, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return usage_error(a->cmd->name, "%s", msg);
}

/* ---- reading one option ---- */

/* "a, b or c" from "a|b|c". */
static void word_list(const char *words, char *buf, size_t cap)
{
    size_t n = 0, len = 0;
    for (const char *p = words; *p; p++)
        n += *p == '|';
    buf[0] = 0;
    size_t k = 0;
    for (const char *p = words; k <= n; k++) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        const char *sep = k == 0 ? "" : k == n ? " or " : ", ";
        int w = snprintf(buf + len, cap - len, "%s%.*s", sep, (int)l, p);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
        p = e ? e + 1 : p + l;
    }
}

/* The index of word s in "a|b|c", or -1. */
static int word_index(const char *words, const char *s)
{
    size_t n = strlen(s);
    int k = 0;
    for (const char *p = words;; k++) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !strncmp(p, s, n))
            return k;
        if (!e)
            return -1;
        p = e + 1;
    }
}

/* Take value (NULL for a flag) of option i, which the user wrote as shown ("-n", "--limit"). */
static bool take(cli_args *a, size_t i, const char *shown, const char *value)
{
    const cli_opt *o = &a->cmd->opts[i];
    const char *cmd = a->cmd->name;
    uint64_t v = 0;
    if (a->given[i] < UINT32_MAX)
        a->given[i]++;
    if (o->kind == CLI_FLAG)
        return true;
    if (o->kind == CLI_NUMBER) {
        bool ok = o->parse ? o->parse(value, &v) : parse_count(value, &v);
        if (!ok || v < o->min || (o->max && v > o->max)) {
            usage_error(cmd, "%s needs %s, not '%s'", shown, o->need ? o->need : "a whole number",
                        value);
            return false;
        }
    } else if (o->kind == CLI_CHOICE) {
        int k = word_index(o->choices, value);
        if (k < 0) {
            char words[256];
            word_list(o->choices, words, sizeof words);
            usage_error(cmd, "%s must be %s, not '%s'", shown, words, value);
            return false;
        }
        v = (uint64_t)k;
    }
    a->last[i] = value;
    a->num[i] = v;
    if (o->kind == CLI_TOKENIZER || o->many) {
        size_t tokenizers = 0;
        for (size_t k = 0; k < a->n_list; k++)
            tokenizers += a->cmd->opts[a->list[k].opt].kind == CLI_TOKENIZER;
        if (o->kind == CLI_TOKENIZER && tokenizers == CLI_MAX_TOKENIZERS) {
            usage_error(cmd, "at most %d tokenizers at once", CLI_MAX_TOKENIZERS);
            return false;
        }
        if (o->many && a->given[i] > o->many) {
            usage_error(cmd, "%s can be given at most %u times", shown, o->many);
            return false;
        }
        if (a->n_list == CLI_MAX_VALUES) { /* the tables keep the sum of .many below this */
            usage_error(cmd, "too many options");
            return false;
        }
        a->list[a->n_list].opt = (unsigned char)i;
        a->list[a->n_list++].value = value;
    }
    return true;
}

/* The option whose long name (or alias) is name[0..len): exact, else a unique prefix.
 * -1 unknown, -2 ambiguous (then *other is a second candidate). */
static int find_long(const cli_command *cmd, const char *name, size_t len, int *first, int *other)
{
    int found = -1;
    *first = *other = -1;
    for (size_t i = 0; i < cmd->n_opts; i++) {
        const char *names[2] = {cmd->opts[i].name, cmd->opts[i].alias};
        for (int k = 0; k < 2; k++) {
            if (!names[k] || strncmp(names[k], name, len) != 0)
                continue;
            if (names[k][len] == 0)
                return (int)i;
            if (found < 0)
                found = *first = (int)i;
            else if (found != (int)i)
                *other = (int)i;
        }
    }
    if (*other >= 0)
        return -2;
    return found;
}

static void print_help(const cli_command *cmd)
{
    cli_help(cmd, stdout);
    check_stdout();
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    if (cmd->n_opts > CLI_MAX_OPTS) {
        fprintf(stderr, "%s %s: internal error: more than %d options\n", prog, cmd->name,
                CLI_MAX_OPTS);
        abort();
    }
    size_t n_pos = 0;
    bool operands_only = false;
    for (int i = 1; i < argc;) {
        char *s = argv[i++];
        if (operands_only || s[0] != '-' || s[1] == 0) {
            argv[1 + n_pos++] = s; /* a slot already read: operands move to the front */
            continue;
        }
        if (!strcmp(s, "--")) {
            operands_only = true;
            continue;
        }
        if (s[1] == '-') {
            const char *name = s + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int first, other, k = len ? find_long(cmd, name, len, &first, &other) : -1;
            if (k == -1 && len && len <= 4 && !strncmp("help", name, len)) { /* or a prefix */
                print_help(cmd);
                return EXIT_OK;
            }
            if (k == -2)
                return usage_error(cmd->name, "option '--%.*s' is ambiguous: --%s or --%s",
                                   (int)len, name, cmd->opts[first].name, cmd->opts[other].name);
            if (k < 0)
                return usage_error(cmd->name, "unknown option '--%.*s'", (int)len, name);
            const cli_opt *o = &cmd->opts[k];
            char shown[64];
            snprintf(shown, sizeof shown, "--%s", o->name);
            const char *value = NULL;
            if (o->kind == CLI_FLAG && eq)
                return usage_error(cmd->name, "option '%s' takes no value", shown);
            if (o->kind != CLI_FLAG) {
                if (eq)
                    value = eq + 1;
                else if (o->implied)
                    value = o->implied;
                else if (i < argc)
                    value = argv[i++];
                else
                    return usage_error(cmd->name, "option '%s' needs a value", shown);
            }
            if (!take(a, (size_t)k, shown, value))
                return EXIT_BAD;
            continue;
        }
        for (const char *p = s + 1; *p; p++) { /* -x, -xVALUE, -x VALUE, bundles (-rq) */
            if (*p == 'h') {
                print_help(cmd);
                return EXIT_OK;
            }
            int k = -1;
            for (size_t j = 0; j < cmd->n_opts && k < 0; j++)
                if (cmd->opts[j].letter == *p)
                    k = (int)j;
            char shown[3] = {'-', *p, 0};
            if (k < 0)
                return usage_error(cmd->name, "unknown option '%s'", shown);
            if (cmd->opts[k].kind == CLI_FLAG) {
                if (!take(a, (size_t)k, shown, NULL))
                    return EXIT_BAD;
                continue;
            }
            const cli_opt *o = &cmd->opts[k];
            const char *value = p[1] ? p + 1 : o->implied ? o->implied : i < argc ? argv[i++] : NULL;
            if (!value)
                return usage_error(cmd->name, "option '%s' needs a value", shown);
            if (!take(a, (size_t)k, shown, value))
                return EXIT_BAD;
            break;
        }
    }
    a->pos = argv + 1;
    a->n_pos = n_pos;
    return -1;
}

int cli_main(const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int st = cli_parse(cmd, argc, argv, &a);
    return st >= 0 ? st : cmd->run(&a);
}

/* ---- getters ---- */

bool cli_flag(const cli_args *a, const char *name)
{
    return a->given[must_find(a, name)] > 0;
}

const char *cli_text(const cli_args *a, const char *name)
{
    return a->last[must_find(a, name)];
}

uint64_t cli_number(const cli_args *a, const char *name, uint64_t dflt)
{
    size_t i = must_find(a, name);
    return a->given[i] ? a->num[i] : dflt;
}

unsigned cli_choice(const cli_args *a, const char *name, unsigned dflt)
{
    size_t i = must_find(a, name);
    return a->given[i] ? (unsigned)a->num[i] : dflt;
}

size_t cli_list(const cli_args *a, const char *name, const char **out, size_t cap)
{
    size_t i = must_find(a, name), n = 0;
    for (size_t k = 0; k < a->n_list; k++)
        if (a->list[k].opt == i && n < cap)
            out[n++] = a->list[k].value;
    return n;
}

/* ---- --help ---- */

void cli_opt_label(const cli_opt *o, char *buf, size_t cap)
{
    const char *sep = !o->arg ? "" : o->implied ? "[=" : " ", *close = o->implied ? "]" : "";
    if (o->letter)
        snprintf(buf, cap, "  -%c, --%s%s%s%s", o->letter, o->name, sep, o->arg ? o->arg : "",
                 close);
    else
        snprintf(buf, cap, "      --%s%s%s%s", o->name, sep, o->arg ? o->arg : "", close);
}

void cli_opt_brief(const cli_opt *o, char *buf, size_t cap)
{
    /* up to the first "; " or ": " outside parentheses, newlines as spaces */
    size_t n = 0;
    int depth = 0;
    for (const char *p = o->help; *p && n + 1 < cap; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && depth)
            depth--;
        else if (!depth && (*p == ';' || *p == ':') && (p[1] == ' ' || p[1] == '\n'))
            break;
        buf[n++] = *p == '\n' ? ' ' : *p;
    }
    buf[n] = 0;
}

/* The help's two columns: options on the left, their help from two columns past the longest
 * label, or past HELP_LABEL_MAX when one is longer: such a label is followed by two spaces and
 * its help on the same line. */
#define HELP_LABEL_MAX 26

static const cli_opt help_opt = {"help", 'h', NULL, CLI_FLAG, .help = "this help"};

static void help_row(FILE *f, const cli_opt *o, int col)
{
    char label[128];
    cli_opt_label(o, label, sizeof label);
    int len = (int)strlen(label);
    fputs(label, f);
    fprintf(f, "%*s", len <= col - 2 ? col - len : 2, "");
    for (const char *p = o->help; *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        fwrite(p, 1, l, f);
        fputc('\n', f);
        if (!nl || !nl[1])
            break;
        p = nl + 1;
        fprintf(f, "%*s", col, "");
    }
}

void cli_help(const cli_command *cmd, FILE *f)
{
    const char *u = cmd->usage;
    for (bool first = true; *u; first = false) {
        const char *nl = strchr(u, '\n');
        size_t l = nl ? (size_t)(nl - u) + 1 : strlen(u);
        fprintf(f, "%s%s %.*s", first ? "Usage: " : "       ", prog, (int)l, u);
        u += l;
    }
    fprintf(f, "\n%s\n", cmd->about);
    int col = 0;
    char label[128];
    for (size_t i = 0; i <= cmd->n_opts; i++) {
        cli_opt_label(i < cmd->n_opts ? &cmd->opts[i] : &help_opt, label, sizeof label);
        if ((int)strlen(label) > col)
            col = (int)strlen(label);
    }
    col = (col < HELP_LABEL_MAX ? col : HELP_LABEL_MAX) + 2;
    for (size_t i = 0; i < cmd->n_opts; i++)
        help_row(f, &cmd->opts[i], col);
    help_row(f, &help_opt, col);
    if (cmd->footer)
        fprintf(f, "\n%s", cmd->footer);
}
