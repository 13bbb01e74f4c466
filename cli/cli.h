/* cli.h -- what the tokscope commands share: exit codes, messages, reading input, choosing
 * tokenizers, writing JSON. The commands use the library only through tokscope.h. */
#ifndef TOKSCOPE_CLI_H
#define TOKSCOPE_CLI_H

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

/* Whole input: a file, or standard input for "-". Returns false with a message printed. */
typedef struct input {
    char *data;
    size_t len;
} input;
bool read_input(const char *path, input *in);
void input_free(input *in);

/* ---- tokenizer choice: -e NAME, -m MODEL, -t PATH, in the order given ---- */

typedef struct tok_choice {
    char kind; /* 'e', 'm' or 't' */
    const char *arg;
    tok_tokenizer *tok;
} tok_choice;

#define MAX_CHOICES 32
typedef struct tok_choices {
    tok_choice v[MAX_CHOICES];
    size_t n;
} tok_choices;

/* Add a choice (nothing is opened yet, nothing allocated); exits with a usage error past
 * MAX_CHOICES. */
void choices_add(tok_choices *c, char kind, const char *arg);
/* Open every choice; with none, open def (an encoding name). Prints errors; false on failure. */
bool choices_open(tok_choices *c, const char *def);
void choices_close(tok_choices *c);

/* --special=ordinary|allow|reject; false if the word is unknown. */
bool parse_special(const char *s, tok_special_policy *out);
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

/* Commands. */
int cmd_count(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_encodings(int argc, char **argv);
int cmd_cost(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_vocab(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_truncate(int argc, char **argv);
int cmd_chunk(int argc, char **argv);
int cmd_chat(int argc, char **argv);

/* Output errors (EPIPE) end the process quietly, as wc does. Call after writing. */
void check_stdout(void);

#endif
