/* options.h -- the one option parser of the tokscope commands, driven by a table per command.
 *
 * A command declares what it accepts (a cli_command with its cli_opt table) and reads what was
 * given through the cli_* getters; it never walks argv itself. The same tables give each
 * command's --help (cli_help), the man page (tokscope --man, manpage.c) and the bash, zsh and
 * fish completions (tokscope completions SHELL, completions.c), so none of them can disagree
 * with what the parser accepts.
 *
 * The syntax is getopt_long's: --name=VALUE, --name VALUE, a unique prefix of a long name, -xVALUE,
 * -x VALUE, bundled letters (-rq), options anywhere among the operands, '--' ends the options and
 * '-' alone is an operand (standard input). Usage errors print "tokscope CMD: message" and
 * "Try 'tokscope CMD --help'." and give exit status 2. */
#ifndef TOKSCOPE_CLI_OPTIONS_H
#define TOKSCOPE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cli_kind {
    CLI_FLAG,      /* no value */
    CLI_TEXT,      /* a value taken as it is */
    CLI_NUMBER,    /* a value read by .parse (default: a whole number), within [.min, .max] */
    CLI_CHOICE,    /* one of the words of .choices; cli_choice gives its index */
    CLI_TOKENIZER  /* -e NAME, -m MODEL, -t PATH: kept in order with the others (cli_tokenizers) */
} cli_kind;

/* What a value or an operand is, for the completions. */
typedef enum cli_values {
    CLI_V_NONE,         /* text or a number: nothing to complete */
    CLI_V_FILE,
    CLI_V_DIR,
    CLI_V_ENCODING,     /* a built-in encoding */
    CLI_V_OPENAI_MODEL, /* a model tok_open_model knows */
    CLI_V_MODEL,        /* a model of the registry */
    CLI_V_PROVIDER,     /* a provider of the registry */
    CLI_V_WORDS         /* operands: one of the command's .operand_words */
} cli_values;

typedef struct cli_opt {
    const char *name;    /* long name, without "--" */
    char letter;         /* short name, 0 for none */
    const char *arg;     /* the value's name in help ("N", "FILE"); NULL for CLI_FLAG */
    cli_kind kind;
    const char *help;    /* lines separated by '\n': --help indents them, the man page joins them */
    cli_values values;   /* what the value is, for the completions (CLI_CHOICE: its words) */
    const char *choices; /* CLI_CHOICE: the words, separated by '|' */
    unsigned many;       /* 0: given again, the last value counts; else every value is kept
                            (cli_list), at most this many */
    uint64_t min, max;   /* CLI_NUMBER: the range (max 0: no upper bound) */
    const char *need;    /* CLI_NUMBER: what the value must be, for the error message */
    bool (*parse)(const char *s, uint64_t *out); /* CLI_NUMBER: NULL reads a whole number */
    const char *alias;   /* another long name the parser accepts; not shown */
    const char *implied; /* the value may be left out, and is then this one; given, it must be
                            attached (--name=VALUE, -xVALUE), so the next word stays an operand
                            (getopt_long's optional_argument) */
} cli_opt;

typedef struct cli_args cli_args;

typedef struct cli_command {
    const char *name;
    const char *synopsis;      /* its line in tokscope --help: "count [FILE|DIR|-]..." */
    const char *summary;       /* ... and what it does, in one line */
    const char *usage;         /* usage lines after "tokscope ", each ending in '\n' */
    const char *about;         /* what --help says before the options */
    const cli_opt *opts;       /* -h, --help is every command's and not in the table */
    size_t n_opts;
    const char *footer;        /* what --help says after the options (NULL: nothing) */
    cli_values operands;       /* what the operands are, for the completions */
    const char *operand_words; /* CLI_V_WORDS: the words, separated by '|' */
    int (*run)(const cli_args *a);
} cli_command;

#define CLI_OPTS(table) .opts = (table), .n_opts = sizeof(table) / sizeof((table)[0])

/* cmd_NAME, the command a cmd_NAME.c file implements with its static run and opts (its option
 * table): its synopsis and summary for tokscope --help, what its operands are, and the usage,
 * about and footer texts of its --help (footer may be NULL). */
#define CLI_COMMAND(name_, synopsis_, operands_, summary_, usage_, about_, footer_)            \
    const cli_command cmd_##name_ = {.name = #name_, .synopsis = synopsis_, .summary = summary_, \
                                     .usage = usage_, .about = about_, CLI_OPTS(opts),         \
                                     .footer = footer_, .operands = operands_, .run = run}

#define CLI_MAX_OPTS 24
#define CLI_MAX_VALUES 256
#define CLI_MAX_TOKENIZERS 32

/* What the parser found. Values point into argv. */
struct cli_args {
    const cli_command *cmd;
    char **pos;                      /* the operands, in order */
    size_t n_pos;
    unsigned given[CLI_MAX_OPTS];    /* how often each option of cmd->opts was given */
    const char *last[CLI_MAX_OPTS];  /* its last value */
    uint64_t num[CLI_MAX_OPTS];      /* CLI_NUMBER: the last value read; CLI_CHOICE: its index */
    struct {
        unsigned char opt;
        const char *value;
    } list[CLI_MAX_VALUES];          /* values of options with .many and of tokenizers, in order */
    size_t n_list;
};

/* Parse argv[1..argc) (argv[0] is the command's name) for cmd, reordering argv so that the
 * operands come last. Returns -1 when the command is to run; else the exit status: 0 after
 * printing --help, 2 after a usage error (message printed). */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *a);
/* cli_parse, then cmd->run. */
int cli_main(const cli_command *cmd, int argc, char **argv);

/* The command's --help. */
void cli_help(const cli_command *cmd, FILE *f);

/* Getters by long name; a name that is not in the command's table is a bug (abort). */
bool cli_flag(const cli_args *a, const char *name);        /* given at least once */
const char *cli_text(const cli_args *a, const char *name); /* the last value, or NULL */
uint64_t cli_number(const cli_args *a, const char *name, uint64_t dflt);
unsigned cli_choice(const cli_args *a, const char *name, unsigned dflt); /* index of the word */
/* The values of an option with .many, in order: their number (at most .many). */
size_t cli_list(const cli_args *a, const char *name, const char **out, size_t cap);

/* A usage error of a's command: the message and "Try 'tokscope CMD --help'.". Returns 2. */
int cli_usage_error(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- for the generators ---- */

/* The option's index in cmd's table, or -1. */
int cli_find(const cli_command *cmd, const char *name);
/* "  -e, --encoding NAME" or "      --json": the option as the help's left column shows it. */
void cli_opt_label(const cli_opt *o, char *buf, size_t cap);
/* The first clause of an option's help, on one line: for completion menus. */
void cli_opt_brief(const cli_opt *o, char *buf, size_t cap);

#endif
