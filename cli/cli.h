/* cli.h -- what the tokscope commands share: exit codes, messages, reading input, choosing
 * tokenizers, writing JSON. The commands use the library only through tokscope.h. */
#ifndef TOKSCOPE_CLI_H
#define TOKSCOPE_CLI_H

#include "options.h"
#include "tokscope.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_OVER = 1, EXIT_BAD = 2 };

extern const char *prog; /* "tokscope" */

/* "tokscope: message" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a library error (its message names the source and position). */
void warn_err(const char *source, const tok_error *err);
/* A usage error for a command: message plus "try 'tokscope CMD --help'". Returns EXIT_BAD. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whole input: a file, or standard input for "-". Returns false with a message printed. From a
 * pipe or device at most MAX_STREAM_INPUT bytes are read (more is an error, not unbounded
 * memory); a regular file is read whole. */
#define MAX_STREAM_INPUT (1 << 30)
typedef struct input {
    char *data;
    size_t len;
} input;
bool read_input(const char *path, input *in);
void input_free(input *in);
/* The text to analyse: words[0..n) joined with spaces when there are any, else FILE, else
 * standard input. *label names it in messages ("<argument>", the path, "<stdin>"). A single
 * word that names a file gets a hint on stderr that -f reads it. False with a message printed
 * on failure. */
bool read_text_input(char *const *words, size_t n, const char *file, input *in,
                     const char **label);

/* A name (a path, a tokenizer or model as given) for the terminal: name itself, or when it
 * holds characters a terminal would hide or reorder -- controls, format characters such as
 * the bidi controls U+202E, spaces other than U+0020, bytes that are not UTF-8 -- a copy with
 * those made visible (control pictures, <U+202E>, \xHH). Valid until eight more calls. */
const char *shown_name(const char *name);

/* ---- exit status: one rule for runs with several problems ---- */

typedef struct run_tally {
    size_t inputs; /* files (or texts) the run was given or found */
    size_t failed; /* of them, how many could not be read or used (each reported) */
    size_t over;   /* counts over a limit (each reported) */
} run_tally;
/* 2 if any input failed, else 1 if any count was over a limit, else 0. When inputs failed
 * among others or beside counts over the limit, a summary line on stderr says how many of
 * each ("1 of 3 NOUNs could not be DONE; 1 count is over the limit (exit status 2)"). */
int run_status(const run_tally *t, const char *noun, const char *done);

/* ---- tokenizer choice: -e NAME, -m MODEL, -t PATH, in the order given ---- */

/* The three options, for a command's table; rep is said of each ("; repeatable"). */
#define CLI_TOKENIZER_OPTS(rep)                                                              \
    {"encoding", 'e', "NAME", CLI_TOKENIZER, .help = "built-in encoding (default o200k_base" rep ")", \
     .values = CLI_V_ENCODING},                                                              \
    {"model", 'm', "MODEL", CLI_TOKENIZER,                                                   \
     .help = "model name, e.g. gpt-4o, claude-sonnet-4-5, gemini-2.5-pro\n"                    \
             "(tokscope models lists them)" rep,                                             \
     .values = CLI_V_MODEL},                                                                 \
    {"tokenizer", 't', "PATH", CLI_TOKENIZER,                                               \
     .help = "tokenizer file (.tiktoken, tokenizer.json, .model, .tkz;\n"                     \
             "hf:ORG/NAME from the Hugging Face cache)" rep,                                 \
     .values = CLI_V_FILE},                                                                  \
    {"pattern", 0, "PATTERN", CLI_TEXT,                                                      \
     .help = "the split pattern of a .tiktoken file that is not one of\n"                     \
             "OpenAI's: a built-in encoding's name or a regex (PCRE2)",                       \
     .values = CLI_V_ENCODING}

typedef struct tok_choice {
    char kind;         /* 'e', 'm' or 't' */
    const char *arg;   /* as given */
    const char *label; /* arg for the terminal (see shown_name) */
    tok_tokenizer *tok;
    /* -m of a registry model (else NULL). When its count is an estimate -- its tokenizer is not
     * public, or its vocabulary is not installed -- tok is the proxy encoding, counts are scaled
     * by the model's factor (choice_tokens), and stderr has said so once. */
    const tok_model *model;
    bool estimate;
    const char *why;   /* why it is an estimate (static text) */
    const char *title; /* label for commands that show tokens: "claude-sonnet-4-5 (o200k_base's
                          tokens)" for an estimate, else label */
} tok_choice;

#define MAX_CHOICES 32
typedef struct tok_choices {
    tok_choice v[MAX_CHOICES];
    size_t n;
    const char *pattern; /* --pattern: for -t files that need one */
} tok_choices;

/* Add a choice (nothing is opened yet, nothing allocated); exits with a usage error past
 * MAX_CHOICES. */
void choices_add(tok_choices *c, char kind, const char *arg);
/* The -e, -m and -t options given to a command, in order. */
void cli_tokenizers(const cli_args *a, tok_choices *c);
/* Open every choice; with none, open def (an encoding name). -m takes any name of the model
 * registry or an OpenAI model name (tiktoken's map), else ORG/NAME in the Hugging Face cache;
 * a model whose count is an estimate gets one line on stderr naming the proxy, factor, range
 * and basis. Prints errors; false on failure. */
bool choices_open(tok_choices *c, const char *def);
/* The same for commands that need a model's own token ids (encode, decode): an estimated
 * model is an error. */
bool choices_open_exact(tok_choices *c, const char *def);
void choices_close(tok_choices *c);
/* The built-in model registry, opened once for the process (exits on failure). */
const tok_registry *cli_registry(void);

/* A count made with ch's tokenizer, as the model's: scaled by the estimate's factor, rounded up
 * (unchanged when exact); and the estimate's range. */
uint64_t choice_tokens(const tok_choice *ch, uint64_t raw);
void choice_range(const tok_choice *ch, uint64_t raw, uint64_t *low, uint64_t *high);
/* "~" for an estimate, "" when exact: the mark tables put before a count. */
const char *choice_mark(const tok_choice *ch);
/* A count for a table: the model's count (choice_tokens) after its mark ("~23520"). */
const char *choice_cell(const tok_choice *ch, uint64_t raw, char *buf, size_t cap);
/* How many tokens of ch's tokenizer stand for n of the model's (n itself when exact). */
uint64_t choice_raw_limit(const tok_choice *ch, uint64_t n);
/* For commands that show tokens: "" when exact, else what the tokens are instead (" -- the
 * tokens of o200k_base, its proxy: ~123 tokens, range 110-160") for raw tokens shown. */
const char *choice_proxy_note(const tok_choice *ch, uint64_t raw, char *buf, size_t cap);
/* JSON members (after a comma) saying whether ch's counts are exact, and for an estimate its
 * proxy, factor, range of factors and basis: ,"exact":false,"estimate":{...}. */
void choice_json_exactness(FILE *f, const tok_choice *ch);

/* ---- how text is encoded: --special, --lossy, --add-special ---- */

#define CLI_SPECIAL_OPT                                                                      \
    {"special", 0, "POLICY", CLI_CHOICE,                                                      \
     .help = "special-token text such as <|endoftext|>: ordinary (plain\n"                    \
             "text, default), allow (one special token), reject (error)",                     \
     .choices = "ordinary|allow|reject"}
#define CLI_LOSSY_OPT                                                                        \
    {"lossy", 0, NULL, CLI_FLAG, .help = "replace invalid UTF-8 with U+FFFD instead of failing"}
#define CLI_ADD_SPECIAL_OPT                                                                  \
    {"add-special", 0, NULL, CLI_FLAG,                                                        \
     .help = "add the tokenizer's own special tokens around the text (BOS/EOS,\n"             \
             "templates) as tokenizer.json and .model files define them"}
#define CLI_ENCODE_OPTS CLI_SPECIAL_OPT, CLI_LOSSY_OPT, CLI_ADD_SPECIAL_OPT

/* The encode options of those three the command has. */
tok_encode_options cli_encode_options(const cli_args *a);

/* -f FILE: the text to read instead of the arguments. */
#define CLI_FILE_OPT                                                                         \
    {"file", 'f', "FILE", CLI_TEXT, .help = "read the text from FILE ('-' for standard input)",   \
     .values = CLI_V_FILE}

/* A non-negative decimal integer; false if s is not one. */
bool parse_count(const char *s, uint64_t *out);

/* ---- JSON output ---- */

/* Write s[0..n) as a JSON string literal (invalid UTF-8 bytes become U+FFFD). */
void json_str(FILE *f, const char *s, size_t n);

/* ---- JSON Lines input for encode/decode --jsonl ---- */

/* Parse one JSON string literal spanning the whole line (whitespace around allowed), with \u
 * escapes (NUL and surrogate pairs included). *out is malloc'd. Returns NULL on success or a
 * static message describing the error; *col gets the 1-based column of the problem. */
const char *json_parse_string(const char *line, size_t n, char **out, size_t *out_len,
                              size_t *col);

/* Split a buffer into lines (without their \n or \r\n). The last line may lack \n. */
typedef struct line_iter {
    const char *p, *end;
    size_t lineno;
} line_iter;
bool next_line(line_iter *it, const char **line, size_t *len);

/* ---- the commands (commands.c lists them) ---- */

extern const cli_command cmd_count, cmd_encode, cmd_decode, cmd_encodings, cmd_cost, cmd_models,
    cmd_show, cmd_explain, cmd_compare, cmd_vocab, cmd_stats, cmd_truncate, cmd_chunk, cmd_chat,
    cmd_pack, cmd_completions;
extern const cli_command *const cli_commands[];
extern const size_t cli_n_commands;
/* tokscope --help: the commands and what they share. */
void cli_usage(FILE *f);
/* tokscope --man: the manual page, in roff (manpage.c). */
void cli_manpage(FILE *f);

/* Output errors (EPIPE) end the process quietly, as wc does. Call after writing. */
void check_stdout(void);

#endif
