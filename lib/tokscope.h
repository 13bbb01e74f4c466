/* tokscope.h -- the public API of libtokscope, a fast exact tokenizer library.
 *
 * This header is the reference: every function states what it owns, what NULL means and
 * whether it is thread-safe.
 *
 *   Loading   tok_open*() builds an immutable tokenizer from a built-in encoding (gpt2,
 *             r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base, o200k_harmony), an
 *             OpenAI model name, or a file (.tiktoken; the format is detected from content).
 *   Encoding  tok_encode() / tok_encode_alloc() / tok_count() give exactly the ids of the
 *             reference implementation (OpenAI tiktoken for the built-in encodings).
 *   Decoding  tok_decode() turns ids back into bytes.
 *   Threads   A tok_tokenizer is never modified after tok_open*() returns: any number of
 *             threads may use one at once. tok_encode_batch() spreads a batch over threads.
 *   Errors    Every call that can fail returns a tok_status (TOK_OK == 0). Pass a tok_error
 *             to get the details (file, byte offset, line, message); NULL is allowed.
 *
 * Text is bytes with a length, never NUL-terminated: a NUL byte is an ordinary character.
 */
#ifndef TOKSCOPE_H
#define TOKSCOPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TOK_VERSION_MAJOR 0
#define TOK_VERSION_MINOR 1
#define TOK_VERSION_PATCH 0
#define TOK_VERSION_STRING "0.1.0"

#if defined(TOK_BUILDING_LIBRARY) && defined(__GNUC__)
#define TOK_API __attribute__((visibility("default")))
#else
#define TOK_API
#endif

/* The library's version at run time ("0.1.0"); compare with TOK_VERSION_STRING. */
TOK_API const char *tok_version(void);

/* ---- Status codes ------------------------------------------------------------------------ */

#define TOK_STATUS_LIST(X)                                                            \
    X(OK, "success")                                                                  \
    X(ENOMEM, "out of memory")                                                        \
    X(EINVAL, "invalid argument")                                                     \
    X(ERANGE, "buffer too small")                                                     \
    X(ENOENT, "not found")                                                            \
    X(EIO, "input/output error")                                                      \
    X(EFORMAT, "malformed tokenizer file")                                            \
    X(EUNSUPPORTED, "unsupported tokenizer feature")                                  \
    X(EUTF8, "invalid UTF-8")                                                         \
    X(ESPECIAL, "special token text not allowed")                                     \
    X(EID, "token id not in the vocabulary")

typedef enum tok_status {
#define TOK_STATUS_ENUM_(name, text) TOK_##name,
    TOK_STATUS_LIST(TOK_STATUS_ENUM_)
#undef TOK_STATUS_ENUM_
    TOK_STATUS_COUNT_
} tok_status;

/* "TOK_EUTF8" and "invalid UTF-8" for a status; static strings, never NULL. */
TOK_API const char *tok_status_name(tok_status s);
TOK_API const char *tok_status_str(tok_status s);

#define TOK_NO_OFFSET UINT64_MAX

/* Details of a failure, filled by the call that failed (caller-owned; no global state).
 * message is always a complete sentence-like line naming the source and position, ready to
 * print; the other fields let a program react to the parts. */
typedef struct tok_error {
    tok_status status;
    uint64_t offset;      /* byte offset in the text or file, TOK_NO_OFFSET if none */
    uint32_t line;        /* 1-based line in a text file, 0 if none */
    uint32_t index;       /* batch item or token index the error concerns, 0 if none */
    char source[256];     /* file path, encoding or model name; "" if none */
    char where[256];      /* JSON path or protobuf field ("pre_tokenizer.type"), "" if none */
    char message[768];
} tok_error;

/* ---- Opening and closing ----------------------------------------------------------------- */

typedef struct tok_tokenizer tok_tokenizer;

/* Options for tok_open_file / tok_open_memory. NULL means all defaults. */
typedef struct tok_open_options {
    /* .tiktoken files: the four OpenAI files are recognised by their SHA-256 and get their
     * encoding's pattern and special tokens. Any other .tiktoken file needs a pattern: the
     * name of a built-in encoding (use its pattern) or a regular expression (PCRE2 syntax,
     * Unicode). NULL = recognise by content or fail with TOK_EFORMAT. */
    const char *pattern;
    /* Extra special tokens for a .tiktoken file: n texts (UTF-8, NUL-terminated) and ids. */
    const char *const *special_texts;
    const uint32_t *special_ids;
    size_t n_special;
} tok_open_options;

/* Open by name or path: a built-in encoding name, else an OpenAI model name (as tiktoken's
 * encoding_for_model), else a file path. On success *out owns a tokenizer to tok_close(). */
TOK_API tok_status tok_open(const char *name_or_path, tok_tokenizer **out, tok_error *err);

/* A built-in encoding ("cl100k_base"). Unknown names fail with TOK_ENOENT and the message
 * lists the closest known names. Built-in vocabularies are embedded: no file is read. */
TOK_API tok_status tok_open_encoding(const char *name, tok_tokenizer **out, tok_error *err);

/* The encoding of an OpenAI model ("gpt-4o", "gpt-4-0613", "ft:gpt-4o:org::id"). */
TOK_API tok_status tok_open_model(const char *model, tok_tokenizer **out, tok_error *err);

/* A tokenizer file; the format is detected from its content. opts may be NULL. */
TOK_API tok_status tok_open_file(const char *path, const tok_open_options *opts,
                                 tok_tokenizer **out, tok_error *err);

/* The same from memory (copied; the caller keeps ownership of data). label names the data in
 * error messages and may be NULL. */
TOK_API tok_status tok_open_memory(const void *data, size_t len, const char *label,
                                   const tok_open_options *opts, tok_tokenizer **out,
                                   tok_error *err);

/* Free a tokenizer. NULL is a no-op. No other thread may be using it. */
TOK_API void tok_close(tok_tokenizer *tok);

/* The encoding name of an OpenAI model (static string), following tiktoken's model.py: exact
 * names first, then prefixes ("gpt-4o-2024-05-13" -> "o200k_base"). Unknown models fail with
 * TOK_ENOENT and the message lists the closest known names. */
TOK_API tok_status tok_encoding_for_model(const char *model, const char **encoding,
                                          tok_error *err);

/* The built-in encodings, in a fixed order; i >= count gives NULL. */
TOK_API size_t tok_builtin_count(void);
TOK_API const char *tok_builtin_name(size_t i);

/* ---- Facts about a tokenizer (all thread-safe, none fail on a valid handle) --------------- */

/* The name it was opened as ("cl100k_base", or the file path). Valid until tok_close. */
TOK_API const char *tok_name(const tok_tokenizer *tok);
/* The file format: "tiktoken", "huggingface" or "sentencepiece". */
TOK_API const char *tok_format(const tok_tokenizer *tok);
/* One more than the highest token id (tiktoken's n_vocab). Some ids below it may be unused. */
TOK_API uint32_t tok_vocab_size(const tok_tokenizer *tok);
/* The regular expression that splits text before the model runs ("" if none). */
TOK_API const char *tok_pattern(const tok_tokenizer *tok);

/* Special tokens: i in [0, tok_special_count). Text is valid until tok_close. Several texts
 * may share one id (o200k_harmony's <|endofprompt|> and <|reserved_200018|>). */
TOK_API size_t tok_special_count(const tok_tokenizer *tok);
TOK_API tok_status tok_special_at(const tok_tokenizer *tok, size_t i, const char **text,
                                  size_t *len, uint32_t *id);
/* 1 if id is a special token, 0 otherwise. */
TOK_API int tok_is_special(const tok_tokenizer *tok, uint32_t id);

/* The bytes of one token (a special token's text for special ids). *bytes points into the
 * tokenizer, is not NUL-terminated and is valid until tok_close. TOK_EID if unused. */
TOK_API tok_status tok_token_bytes(const tok_tokenizer *tok, uint32_t id, const char **bytes,
                                   size_t *len);
/* The id whose bytes are exactly bytes[0..len) (ordinary tokens first, then special ones);
 * TOK_ENOENT if there is none. */
TOK_API tok_status tok_token_id(const tok_tokenizer *tok, const char *bytes, size_t len,
                                uint32_t *id);

/* ---- Encoding ------------------------------------------------------------------------------ */

/* What to do with special-token text ("<|endoftext|>") found in the input. */
typedef enum tok_special_policy {
    TOK_SPECIAL_ORDINARY = 0, /* plain text, as tiktoken's encode_ordinary */
    TOK_SPECIAL_ALLOW = 1,    /* the special token's id, as allowed_special="all" */
    TOK_SPECIAL_REJECT = 2    /* fail with TOK_ESPECIAL naming the token and its byte offset,
                                 as tiktoken's default */
} tok_special_policy;

enum {
    /* Invalid UTF-8 becomes U+FFFD (one per maximal invalid subpart, as the Unicode standard
     * recommends; with SentencePiece models one per invalid byte, as sentencepiece does)
     * instead of failing with TOK_EUTF8. Offsets still index the original bytes. */
    TOK_ENCODE_LOSSY_UTF8 = 1u << 0,
    /* Add the tokenizer's own special tokens around the text (BOS/EOS, templates) where its
     * format defines them; built-in tiktoken encodings define none. */
    TOK_ENCODE_ADD_SPECIAL = 1u << 1
};

typedef struct tok_encode_options {
    tok_special_policy special;
    unsigned flags; /* TOK_ENCODE_* */
} tok_encode_options;
/* NULL options mean { TOK_SPECIAL_ORDINARY, 0 }. */

/* The byte span [start, end) of one token in the input text. */
typedef struct tok_span {
    uint64_t start, end;
} tok_span;

/* Encode text[0..len) into ids[0..cap) and, when spans is not NULL, spans[0..cap).
 * *n_out always gets the total number of tokens; when it exceeds cap the call returns
 * TOK_ERANGE with the first cap tokens written (ids may be NULL when cap is 0, to ask the size).
 * Thread-safe. */
TOK_API tok_status tok_encode(const tok_tokenizer *tok, const char *text, size_t len,
                              const tok_encode_options *opts, uint32_t *ids, tok_span *spans,
                              size_t cap, size_t *n_out, tok_error *err);

/* Encode into arrays allocated by the library: *ids (and *spans when spans is not NULL) are
 * freed with tok_free(). On failure they are set to NULL. Thread-safe. */
TOK_API tok_status tok_encode_alloc(const tok_tokenizer *tok, const char *text, size_t len,
                                    const tok_encode_options *opts, uint32_t **ids,
                                    tok_span **spans, size_t *n_out, tok_error *err);

/* The number of tokens, without materialising ids. Thread-safe. */
TOK_API tok_status tok_count(const tok_tokenizer *tok, const char *text, size_t len,
                             const tok_encode_options *opts, size_t *count, tok_error *err);

/* Free memory returned by this library. NULL is a no-op. */
TOK_API void tok_free(void *p);

typedef struct tok_text {
    const char *text;
    size_t len;
} tok_text;

typedef struct tok_batch_item {
    uint32_t *ids;     /* allocated; free with tok_batch_free */
    tok_span *spans;   /* allocated when spans were asked for, else NULL */
    size_t n;
    tok_status status; /* TOK_OK or this item's failure */
} tok_batch_item;

/* Encode n texts on up to `threads` threads (0 = one per online CPU); results[i] belongs to
 * texts[i]. Returns TOK_OK when every item succeeded, else the status of the first failed item
 * (by index) with err describing it (err->index is the item); the other items are still
 * filled. want_spans != 0 also fills spans. */
TOK_API tok_status tok_encode_batch(const tok_tokenizer *tok, const tok_text *texts, size_t n,
                                    const tok_encode_options *opts, int want_spans,
                                    unsigned threads, tok_batch_item *results, tok_error *err);
/* Free the arrays of n batch items (not the results array itself). */
TOK_API void tok_batch_free(tok_batch_item *results, size_t n);

/* ---- Decoding ------------------------------------------------------------------------------ */

enum {
    TOK_DECODE_SKIP_SPECIAL = 1u << 0 /* leave special tokens out of the output */
};

/* Decode ids into out[0..cap): the tokens' bytes concatenated (for byte-level BPE, exactly the
 * encoded text). *len_out gets the full length; TOK_ERANGE when it exceeds cap (out may be
 * NULL when cap is 0). An unused id fails with TOK_EID, err->index naming its position. The
 * output is not NUL-terminated. Thread-safe. */
TOK_API tok_status tok_decode(const tok_tokenizer *tok, const uint32_t *ids, size_t n,
                              unsigned flags, char *out, size_t cap, size_t *len_out,
                              tok_error *err);

/* The same into a buffer allocated by the library (NUL-terminated for convenience; the NUL is
 * not counted in *len_out). Free with tok_free(). */
TOK_API tok_status tok_decode_alloc(const tok_tokenizer *tok, const uint32_t *ids, size_t n,
                                    unsigned flags, char **out, size_t *len_out, tok_error *err);

/* ---- Models and prices (cost.c, registry.c) ----------------------------------------------
 * (owned by the cost estimator work; see README "Cost") */
/* @@MODELS_AND_PRICES@@ */

/* ---- Chat messages (chat.c) -------------------------------------------------------------
 * (owned by the chat work; see README "chat") */
/* Count a conversation -- an OpenAI-style messages array -- the way a chat model sees it: the
 * messages rendered in the model's chat format, formatting tokens included.
 *
 * Input: a JSON array of messages, or an object with a "messages" array (a whole request body).
 * A message is an object with "role" (system, developer, user, assistant, tool or function),
 * "content" (a string, null, or an array of {"type":"text","text":...} parts), and optionally
 * "name", "tool_calls" ([{"id","type":"function","function":{"name","arguments"}}]),
 * "function_call" and "tool_call_id". Other parts or fields are errors naming their JSON path
 * ("messages[2].content[0].text: expected a string"; err->where holds the path, err->offset
 * the byte offset in json).
 *
 * Conventions (the README's "chat" section has the rendering of each, token by token):
 *   "openai"   OpenAI chat models (cl100k_base, o200k_base): OpenAI's cookbook
 *              num_tokens_from_messages -- per message 3 tokens plus the tokens of its role,
 *              content and name, 1 more for a name, 3 to prime the reply. gpt-3.5-turbo-0301: 4
 *              per message and -1 for a name. Exact for plain text messages with o200k_base and
 *              cl100k_base; tool calls are an estimate (their formatting is not documented).
 *   "harmony"  gpt-oss (o200k_harmony): openai/harmony's render_conversation_for_completion of
 *              harmony's default system message, then the messages (system -> developer
 *              "# Instructions"), then <|start|>assistant. Exact.
 *   "llama3"   tokenizers with <|start_header_id|> and <|eot_id|>: Meta Llama 3's chat template.
 *   "chatml"   tokenizers with <|im_start|> and <|im_end|>: ChatML, <|im_start|>role\n....
 *              llama3 and chatml render the whole conversation as text and encode it with
 *              special tokens allowed, as apply_chat_template(tokenize=True) does.
 * The convention follows from the model ("gpt-oss-*": harmony) and the tokenizer's special
 * tokens (o200k_harmony: harmony; the Llama 3 or ChatML ones), else "openai" for tiktoken
 * encodings; tokenizer files with none of these need the convention named. */
#include <stdbool.h>

typedef struct tok_chat_message_count {
    const char *role;    /* the message's role (NUL-terminated, owned by the tok_chat_count) */
    uint64_t content;    /* tokens of what the message says: its text, tool-call names and
                            arguments */
    uint64_t overhead;   /* tokens the format adds around it: role, name, formatting tokens */
    uint64_t total;      /* content + overhead */
} tok_chat_message_count;

typedef struct tok_chat_count {
    uint64_t total;            /* prefix + every message's total + reply */
    bool exact;                /* false when part of the rendering is an estimate (see note) */
    const char *convention;    /* "openai", "harmony", "llama3" or "chatml" (static) */
    size_t n_messages;
    tok_chat_message_count *messages; /* n_messages entries, in input order */
    uint64_t prefix;           /* tokens before the first message: harmony's default system
                                  message, Llama 3's <|begin_of_text|>; 0 for openai */
    uint64_t reply;            /* tokens that prime the reply (openai: 3) */
    int tokens_per_message;    /* openai: 3 (4 for gpt-3.5-turbo-0301); 0 otherwise */
    int tokens_per_name;       /* openai: 1 (-1 for gpt-3.5-turbo-0301); 0 otherwise */
    const char *note;          /* why the count is not exact (static), or NULL */
    void *internal_;           /* owned storage; do not touch */
} tok_chat_count;

/* Count the conversation json[0..len) for model (an OpenAI model name such as "gpt-4o" or
 * "gpt-3.5-turbo-0301"; NULL: the request body's "model" if it has one, else tok alone
 * decides) with tokenizer tok, which the caller opened for that model. On success *out holds
 * the counts; free them with tok_chat_count_free. On failure *out is zeroed (and safe to free).
 * Thread-safe: tok is only read. */
TOK_API tok_status tok_chat_count_json(const tok_tokenizer *tok, const char *model,
                                       const char *json, size_t len, tok_chat_count *out,
                                       tok_error *err);

typedef struct tok_chat_options {
    const char *model;      /* as above; NULL for none */
    const char *convention; /* "openai", "harmony", "llama3", "chatml", or NULL to detect */
} tok_chat_options;

/* The same with the convention chosen by the caller (NULL opts: detect, no model). A
 * convention the tokenizer has no special tokens for fails with TOK_EUNSUPPORTED. */
TOK_API tok_status tok_chat_count_json_opts(const tok_tokenizer *tok, const tok_chat_options *opts,
                                            const char *json, size_t len, tok_chat_count *out,
                                            tok_error *err);

/* Free what a tok_chat_count holds and zero it. NULL or a zeroed struct is a no-op. */
TOK_API void tok_chat_count_free(tok_chat_count *c);

#ifdef __cplusplus
}
#endif
#endif
