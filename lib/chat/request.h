/* request: what the request counters share -- the run of one count (tokenizer, JSON document,
 * the JSON path of what is being read, the items counted so far), recording items, counting
 * text, and reading JSON with errors that name their path.
 *
 * Every counter (openai_count.c, harmony.c, templates.c, anthropic.c, gemini.c) turns the body
 * into items: a piece of text counted with the tokenizer, a fixed number of tokens, or an
 * unknown amount, each with its part kind, message, path, label and rule. run.c sums them into
 * parts, message rows and the total, and scales the text of an estimated model. */
#ifndef TOK_CHAT_REQUEST_H
#define TOK_CHAT_REQUEST_H

#include "base/base.h"
#include "base/json.h"

typedef struct cstr {
    const char *s;
    size_t n;
} cstr;

static inline bool cstr_is(cstr s, const char *lit)
{
    size_t n = 0;
    while (lit[n])
        n++;
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s.s[i] != lit[i])
            return false;
    return true;
}

/* One counted piece before the run is finished. */
typedef struct chat_item {
    uint8_t kind;       /* tok_request_part_kind */
    bool exact, unknown;
    bool text;          /* tokens were counted from text (scaled for an estimated model) */
    int64_t msg;        /* row, or -1 */
    uint64_t tokens;    /* counted (text) or fixed */
    const char *path, *what, *source;
} chat_item;

typedef struct chat_row {
    const char *role, *path;
} chat_row;

/* Bump allocator: every string of a result lives here, freed at once. */
typedef struct chat_arena {
    struct chat_chunk *head;
} chat_arena;

void *chat_arena_alloc(chat_arena *a, size_t n);
void chat_arena_free(chat_arena *a);

typedef struct chat_run {
    const tok_tokenizer *tok;
    const tok_request_options *opts;
    tok_error *err;
    json_doc doc;
    char path[512];
    size_t path_len;
    chat_arena arena;
    chat_item *items;
    size_t n_items, cap_items;
    chat_row *rows;
    size_t n_rows, cap_rows;
    /* the model: as given (or the body's), and its base name in lower case without provider
     * prefixes ("openai/gpt-4o" -> "gpt-4o"), "" when none */
    const char *model;
    char model_lc[128];
    const tok_model *rm;  /* its registry row, or NULL */
    bool estimate;        /* tok is rm's proxy: text is scaled and never exact */
    tok_request_api api;
    const char *convention;
    /* the chat template a Chat Completions body renders with (chat_template.c), NULL: none:
     * the caller's, or the tokenizer's own (options.own_template), compiled once per tokenizer
     * and kept with it (chat_own_template) */
    const tok_chat_template *tpl;
    /* filled by the chat conventions for tok_chat_count */
    int tokens_per_message, tokens_per_name;
    const char *failed_convention; /* a convention whose special tokens the tokenizer lacks */
} chat_run;

/* ---- errors and paths ---- */

/* Fail with status: the message is "PATH: reason" (the current path), err->where the path,
 * err->offset the byte offset of node (J_NONE: none). Returns status. */
tok_status chat_fail(chat_run *r, uint32_t node, tok_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
tok_status chat_oom(chat_run *r);

/* Append ".key" (or ["key"] for a key that is not a plain name) or "[i]" to the path; returns
 * the length to give chat_path_pop. */
size_t chat_path_key(chat_run *r, const char *key, size_t n);
size_t chat_path_index(chat_run *r, size_t i);
void chat_path_pop(chat_run *r, size_t len);
/* Replace the whole path. */
void chat_path_set(chat_run *r, const char *path);
/* A copy of the current path in the arena (NULL when out of memory). */
const char *chat_path_copy(chat_run *r);

/* ---- JSON ---- */

static inline uint8_t chat_type(const chat_run *r, uint32_t node) { return r->doc.nodes[node].type; }
const char *chat_type_name(uint8_t t); /* "a string", "an object", ... */
/* The decoded string of a string node (into the arena when it has escapes). */
tok_status chat_str(chat_run *r, uint32_t node, cstr *out);
/* The string of a node that must be one: an error at the current path otherwise. */
tok_status chat_want_str(chat_run *r, uint32_t node, cstr *out);
/* Member key of node (decoded). */
tok_status chat_key(chat_run *r, uint32_t member, cstr *out);
bool chat_key_is(const chat_run *r, uint32_t member, const char *key);
/* Member `key` of object obj that must be a string when present (null counts as absent when
 * null_ok). *present says whether it was there; the path is restored. */
tok_status chat_member_str(chat_run *r, uint32_t obj, const char *key, bool null_ok, cstr *out,
                           bool *present);
/* Fail unless node has type t (what names the expectation: "an array of messages"). */
tok_status chat_want_type(chat_run *r, uint32_t node, uint8_t t, const char *what);

/* Fail unless the array arr has an element: an API refuses the request otherwise, and a count
 * of nothing would pass for an exact zero (why: the API's rule, for the message). */
tok_status chat_want_items(chat_run *r, uint32_t arr, const char *why);

/* The strings of a JSON array (its other values left out), sorted, to look names up in
 * (a schema's "required"): lookups stay logarithmic however many properties a schema has. */
typedef struct chat_names {
    cstr *v;
    size_t n;
} chat_names;
tok_status chat_names_of(chat_run *r, uint32_t arr, chat_names *out); /* J_NONE: empty */
bool chat_names_has(const chat_names *set, cstr name);

/* ---- items ---- */

/* A row for per-message numbers (a message, or a top-level part of an Anthropic or Gemini body):
 * its index, or -1 when out of memory. */
int64_t chat_row_add(chat_run *r, const char *role, size_t role_len);
/* Text counted with the tokenizer (special-token text counts as ordinary text). */
tok_status chat_text(chat_run *r, int kind, int64_t row, const char *what, const char *s,
                     size_t n, bool exact, const char *source);
/* A fixed number of tokens that are not text. */
tok_status chat_fixed(chat_run *r, int kind, int64_t row, const char *what, uint64_t tokens,
                      bool exact, const char *source);
/* What cannot be counted offline: shown, never counted as 0 silently. */
tok_status chat_unknown(chat_run *r, int kind, int64_t row, const char *what,
                        const char *source);
/* The tokens of text (no item). */
tok_status chat_count(chat_run *r, const char *s, size_t n, uint64_t *out);
/* printf into the arena (NULL when out of memory). */
const char *chat_fmt(chat_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy n bytes into the arena as a C string. */
const char *chat_strdup(chat_run *r, const char *s, size_t n);

/* ---- models ---- */

/* Whether the model's base name starts with prefix. */
bool chat_model_is(const chat_run *r, const char *prefix);
typedef enum chat_family { FAM_NONE, FAM_OPENAI, FAM_ANTHROPIC, FAM_GOOGLE, FAM_OTHER } chat_family;
chat_family chat_model_family(const chat_run *r);

/* ---- a run (run.c) ---- */

/* Parse json, find the model and the API, count; then fill out (which takes the arena); then
 * free what the run holds. */
tok_status chat_run_body(chat_run *r, const char *json, size_t len);
tok_status chat_run_finish(chat_run *r, tok_request_count *out);
void chat_run_free(chat_run *r);

/* ---- the bodies ---- */

tok_request_api chat_detect(chat_run *r, tok_status *st); /* detect.c */
tok_status chat_count_template(chat_run *r);             /* chat_template.c */
/* The template of tok's own tokenizer_config.json, compiled on first use and kept with tok
 * (freed by tok_close): shared, read-only, valid while tok is. TOK_ENOENT when it has none. */
tok_status chat_own_template(const tok_tokenizer *tok, const tok_chat_template **out,
                             tok_error *err);
tok_status chat_count_conversation(chat_run *r);         /* conversation.c: Chat, Responses */
tok_status chat_count_anthropic(chat_run *r);             /* anthropic.c */
tok_status chat_count_gemini(chat_run *r);                /* gemini.c */

/* Compact JSON of a value, as JSON.stringify and serde_json write it (json_write.c): strings
 * re-escaped, numbers as written. */
bool chat_json_write(const json_doc *d, uint32_t node, tok_buf *out);
/* A JSON number as JavaScript prints it (`${v}`: 1.0 -> "1", 1e2 -> "100"). */
bool chat_number_js(const json_doc *d, uint32_t node, tok_buf *out);

#endif
