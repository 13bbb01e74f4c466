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
 *   Embedding tok_decode_stream_*() decode as ids arrive; tok_count_limit(), tok_truncate() and
 *             tok_counter_*() answer token budgets reading only what the budget needs;
 *             tok_spans_convert() gives offsets in characters or UTF-16 units.
 *   Models    tok_registry_open() gives the model registry (windows, prices, tokenizers);
 *             tok_cost_compute() prices a request exactly, in integer picodollars.
 *   Threads   A tok_tokenizer is never modified after tok_open*() returns: any number of
 *             threads may use one at once, without locks (the word cache of SentencePiece-
 *             style tokenizer.json BPE is per thread). tok_encode_batch() spreads a batch
 *             over threads.
 *   Errors    Every call that can fail returns a tok_status (TOK_OK == 0). Pass a tok_error
 *             to get the details (file, byte offset, line, message); NULL is allowed.
 *
 * Text is bytes with a length, never NUL-terminated: a NUL byte is an ordinary character.
 */
#ifndef TOKSCOPE_H
#define TOKSCOPE_H

#include <stdbool.h>
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
 * encoding_for_model), else a file path ("hf:ORG/NAME": the model's tokenizer.json in the local
 * Hugging Face cache), else a model of the built-in registry whose tokenizer counts exactly (see
 * tok_open_model), else "ORG/NAME" in the Hugging Face cache. An unknown name fails with
 * TOK_ENOENT listing the closest names. On success *out owns a tokenizer to tok_close(). */
TOK_API tok_status tok_open(const char *name_or_path, tok_tokenizer **out, tok_error *err);

/* A built-in encoding ("cl100k_base"). Unknown names fail with TOK_ENOENT and the message
 * lists the closest known names. Built-in vocabularies are embedded: no file is read. */
TOK_API tok_status tok_open_encoding(const char *name, tok_tokenizer **out, tok_error *err);

/* The tokenizer of a model: an OpenAI model's encoding ("gpt-4o", "gpt-4-0613",
 * "ft:gpt-4o:org::id", as tiktoken maps them), else a model of the built-in registry by any of
 * its names ("gemini-2.5-pro", "meta-llama/Llama-3.3-70B-Instruct", "DeepSeek-Chat") whose
 * tokenizer counts exactly -- a model whose tokenizer is not public fails with
 * TOK_EUNSUPPORTED (tok_model_open_tokenizer gives its estimating tokenizer), one whose shipped
 * vocabulary is not installed with TOK_ENOENT --, else "ORG/NAME" in the local Hugging Face
 * cache. */
TOK_API tok_status tok_open_model(const char *model, tok_tokenizer **out, tok_error *err);

/* A tokenizer file; the format is detected from its content. opts may be NULL. */
TOK_API tok_status tok_open_file(const char *path, const tok_open_options *opts,
                                 tok_tokenizer **out, tok_error *err);

/* The same from memory (copied; the caller keeps ownership of data). label names the data in
 * error messages and may be NULL. */
TOK_API tok_status tok_open_memory(const void *data, size_t len, const char *label,
                                   const tok_open_options *opts, tok_tokenizer **out,
                                   tok_error *err);

/* Compile a tokenizer file into tokscope's pack: the same tokenizer, in a form that opens in
 * milliseconds (its tables are used in place, not rebuilt), for files that are slow to parse --
 * a tokenizer.json of a large vocabulary takes 0.1-0.5 s. tok_open_file / tok_open_memory open
 * a pack like any tokenizer file; it gives exactly the ids of the file it came from. data is a
 * tokenizer.json (other formats open fast already: TOK_EUNSUPPORTED); chat, when not NULL, is
 * the tokenizer_config.json that comes with it (its chat template), kept in the pack. label
 * names the data in messages and in the pack. On success *out holds the pack (free with
 * tok_free). Packs are native byte order and tied to the pack version of this library:
 * another one is refused with a message saying to pack again. Thread-safe. */
TOK_API tok_status tok_pack(const void *data, size_t len, const char *label, const void *chat,
                            size_t chat_len, void **out, size_t *out_len, tok_error *err);

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

/* The number of tokens, without materialising ids. A long text whose tokenizer would keep
 * state for every byte (a tokenizer.json off the byte-level fast path: alignments) is counted
 * stretch by stretch where the format proves cuts (as the budgets below are), so memory is that
 * of a stretch, not of the text. Thread-safe. */
TOK_API tok_status tok_count(const tok_tokenizer *tok, const char *text, size_t len,
                             const tok_encode_options *opts, size_t *count, tok_error *err);

/* Where text may be cut to encode it in parts: encoding text[0..cut) and text[cut..len) on
 * their own gives exactly the ids of text[0..len) (the second part's spans shifted by cut),
 * whatever follows len. The last such cut in (0, len), or 0 when there is none or this
 * tokenizer is not known to restart anywhere. Built-in cl100k_base and o200k_base (and
 * tokenizer files with their patterns, Llama 3's, Qwen2's) restart after a line feed followed by
 * an ASCII letter; r50k, p50k and others return 0. These places are the same for every
 * tokenizer that restarts there and hold under every special-token policy, so one cut serves
 * several tokenizers; it costs a look back from len. (The budgets below cut each tokenizer at
 * finer places of its own.) A large input can be counted in bounded memory, or on several
 * threads, part by part. With TOK_ENCODE_ADD_SPECIAL each part gets the format's special
 * tokens: ask for them on the first part only. Thread-safe. */
TOK_API size_t tok_cut_point(const tok_tokenizer *tok, const char *text, size_t len);

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

/* ---- Models and prices ---------------------------------------------------------------------
 * A registry of models -- names, tokenizer, context window, prices -- and the price maths, so
 * every program gets the answers `tokscope cost` gives (README "cost and models").
 *
 * Money is integer, never floating point: a price is picodollars per token (1 pUSD/token = one
 * millionth of a dollar per million tokens; $2.50 per 1M tokens = 2500000), an amount for one
 * call is picodollars, a total over many calls nanodollars. Decimal texts ("0.075") are parsed
 * exactly; tok_usd_format prints amounts back as decimals.
 *
 * A price or limit that is not known is TOK_PRICE_UNKNOWN / 0, never taken as zero: a cost
 * that needs an unknown price is TOK_COST_UNKNOWN.
 *
 * Threads: tok_registry_open parses the built-in registry (vocabs/models.tsv, embedded) into a
 * handle the caller owns; tok_registry_load lays a price file over it. Loading changes the
 * registry and must finish before the registry is shared; after that every function here only
 * reads it and any number of threads may use it. tok_model pointers stay valid until
 * tok_registry_close (a later load may change what they point to). */

typedef struct tok_registry tok_registry;

#define TOK_PRICE_UNKNOWN UINT64_MAX
#define TOK_COST_UNKNOWN UINT64_MAX

/* Prices per token, in picodollars; TOK_PRICE_UNKNOWN where not published. */
typedef struct tok_prices {
    uint64_t input;        /* uncached input */
    uint64_t output;
    uint64_t cached_input; /* input read from a prompt cache */
    uint64_t cache_write;  /* input written to a prompt cache (billed instead of input) */
} tok_prices;

/* Long-context prices: when a request's input has more than `above` tokens, all of it (input
 * and output) is billed at these prices (Anthropic, Google and OpenAI bill this way). */
typedef struct tok_price_tier {
    uint64_t above;
    tok_prices prices;
} tok_price_tier;

typedef struct tok_model {
    const char *id;            /* registry name: lower case, no provider prefix or date */
    const char *provider;      /* "openai", "anthropic", ...; "" if unknown */
    size_t n_aliases;
    const char *const *aliases;
    /* How tokens are counted. tokenizer: a built-in encoding (tokenizer_builtin, exact), or a
     * vocabulary tokscope ships ("llama3.1", "gemma3": make vocabs builds them) or the user
     * provides, found by tok_model_open_tokenizer (exact when found), or "".
     * approx_encoding and approx_factor (millionths: 1200000 = x1.2): the estimate used when
     * no exact tokenizer is at hand ("" and 0 when there is none). */
    const char *tokenizer;
    bool tokenizer_builtin;
    const char *approx_encoding;
    uint32_t approx_factor;
    /* Limits in tokens, 0 = unknown. context: the window input + output share (>= max_input;
     * equal to it unless the model documents a larger total, as GPT-5's 272k in / 400k). */
    uint64_t max_input, context, max_output;
    tok_prices prices;
    uint64_t batch_input, batch_output;  /* batch API prices, TOK_PRICE_UNKNOWN if none */
    size_t n_tiers;
    const tok_price_tier *tiers;         /* by increasing `above` */
    const char *source;        /* where the row's data comes from */
    const char *date;          /* the date of that data, YYYY-MM-DD ("" if unknown) */
    const char *notes;         /* "" if none */
    /* How counts for this model are made and where that comes from: the tokenizer and the
     * reference it is checked against, or the estimate's proxy, factor and source ("" if the
     * registry says nothing). */
    const char *basis;
    /* The estimate's range: the factor for the text types it is known to vary over, lowest and
     * highest (millionths; both approx_factor when no range is known, 0 when no estimate). */
    uint32_t approx_low, approx_high;
} tok_model;

/* The built-in registry. On success *out is a registry to tok_registry_close. */
TOK_API tok_status tok_registry_open(tok_registry **out, tok_error *err);
/* Free a registry. NULL is a no-op. */
TOK_API void tok_registry_close(tok_registry *reg);

/* Lay a price file over the registry: a LiteLLM model_prices_and_context_window.json (as
 * LiteLLM publishes it) or a file in the registry's own TSV format (vocabs/models.tsv), told
 * apart by content. A row whose name equals a model's id or alias (case-insensitive) replaces
 * that model's data (see README for which fields); other rows become new models. Errors name
 * the file, line and column (TOK_EFORMAT); a file that fails to read or parse changes nothing
 * (only running out of memory midway can leave part of it applied). Not thread-safe: load
 * before sharing the registry. */
TOK_API tok_status tok_registry_load(tok_registry *reg, const char *path, tok_error *err);
/* The same from memory; label names it in messages and in the models' source. */
TOK_API tok_status tok_registry_load_memory(tok_registry *reg, const void *data, size_t len,
                                            const char *label, tok_error *err);

/* Where the registry's data comes from: source 0 is the built-in data, then one per load. */
typedef struct tok_registry_source {
    const char *label;   /* "built-in" or the file's path */
    const char *format;  /* "tsv" or "litellm" */
    const char *date;    /* date of the data (the file's @date, a date in its name, else its
                            modification time), "" if unknown */
    size_t replaced;     /* models this source replaced */
    size_t added;        /* models it added */
} tok_registry_source;
TOK_API size_t tok_registry_source_count(const tok_registry *reg);
TOK_API const tok_registry_source *tok_registry_source_at(const tok_registry *reg, size_t i);
/* The date of the built-in data ("2026-07-24"). */
TOK_API const char *tok_registry_date(const tok_registry *reg);

/* The models, in registry order (built-in ones first); i >= count gives NULL. */
TOK_API size_t tok_registry_count(const tok_registry *reg);
TOK_API const tok_model *tok_registry_model(const tok_registry *reg, size_t i);

/* Find a model by name, case-insensitively: an id or alias; else the name without provider
 * prefixes ("openai/gpt-4o", "groq/openai/gpt-oss-120b"); else without a date or -latest
 * suffix ("-2024-08-06", "-20250219", "@20250219", "-latest"). Unknown names fail with
 * TOK_ENOENT and the message lists the closest ids. */
TOK_API tok_status tok_model_find(const tok_registry *reg, const char *name,
                                  const tok_model **out, tok_error *err);

/* Open the tokenizer that counts for model m: its built-in encoding (*exact = true); else its
 * vocabulary NAME, looked for as NAME.tkz (a pack) or NAME/tokenizer.json in dirs[0..n_dirs),
 * then in $TOKSCOPE_TOKENIZER_PATH's directories, then in the data directory
 * ($TOKSCOPE_DATA_DIR, else where make install put tokscope's vocabularies, and the build's)
 * (*exact = true; a file that is found but does not load is an error); else its approximating
 * encoding
 * (*exact = false: scale counts with tok_model_approx_count). TOK_ENOENT when the model has
 * neither. The caller owns *out (tok_close). */
TOK_API tok_status tok_model_open_tokenizer(const tok_model *m, const char *const *dirs,
                                            size_t n_dirs, tok_tokenizer **out, bool *exact,
                                            tok_error *err);
/* Whether tok_model_open_tokenizer would count m exactly here: its built-in encoding, or its
 * vocabulary found in the same places (without opening it). */
TOK_API bool tok_model_counts_exactly(const tok_model *m, const char *const *dirs,
                                      size_t n_dirs);
/* Whether m sees its tokenizer's own chat template: an open model (Llama, Qwen, DeepSeek,
 * Mistral, Gemma), served as its tokenizer_config.json's template renders a conversation. False
 * for models behind the OpenAI, Anthropic and Gemini APIs, whose framing is their own (Gemini
 * counts with Gemma 3's vocabulary, not its template). */
TOK_API bool tok_model_own_template(const tok_model *m);
/* An approximate count: count * approx_factor, rounded up (count itself when m has no
 * factor). */
TOK_API uint64_t tok_model_approx_count(const tok_model *m, uint64_t count);
/* The range of that estimate: count * approx_low rounded down, count * approx_high rounded up
 * (both count when m has no factor). */
TOK_API void tok_model_approx_range(const tok_model *m, uint64_t count, uint64_t *low,
                                    uint64_t *high);

/* Does a request fit the model's limits? Limits that are unknown are not checked. */
typedef struct tok_fit {
    bool fits;
    const char *why;          /* which limit is exceeded (static text), NULL if it fits */
    uint64_t window;          /* max_input, 0 if unknown */
    uint32_t used_bp;         /* input / max_input in basis points (10000 = 100%), rounded up;
                                 0 if the window is unknown */
    uint64_t left_for_output; /* min(max_output, context - input), 0 when nothing is left;
                                 UINT64_MAX when no limit is known */
} tok_fit;
TOK_API void tok_model_fit(const tok_model *m, uint64_t input_tokens, uint64_t output_tokens,
                           tok_fit *out);

typedef struct tok_cost_request {
    uint64_t input_tokens;       /* all input tokens, cached ones included */
    uint64_t cached_tokens;      /* of those, read from a prompt cache */
    uint64_t cache_write_tokens; /* of those, written to a prompt cache */
    uint64_t output_tokens;
    uint64_t calls;              /* how many such calls; 0 counts as 1 */
    bool batch;                  /* batch API prices (input and output; cache prices unknown) */
} tok_cost_request;

typedef struct tok_cost {
    const tok_price_tier *tier; /* the long-context tier applied, NULL for the base prices */
    tok_prices prices;          /* the prices per token used (after tier and batch) */
    /* One call, picodollars; TOK_COST_UNKNOWN when a price is needed (tokens > 0) but not
     * known. input is the uncached input only. */
    uint64_t input, cached_input, cache_write, output, total;
    uint64_t calls;             /* as requested, at least 1 */
    uint64_t total_calls_nano;  /* total * calls in nanodollars, rounded half up, or
                                   TOK_COST_UNKNOWN */
} tok_cost;

/* The cost of req with model m's prices, exactly. TOK_EINVAL when cached + cache-write tokens
 * exceed the input; TOK_ERANGE when an amount does not fit 64 bits. Thread-safe. */
TOK_API tok_status tok_cost_compute(const tok_model *m, const tok_cost_request *req,
                                    tok_cost *out, tok_error *err);

/* Write picodollars as a USD decimal into buf (NUL-terminated, truncated to cap like
 * snprintf; returns the full length): decimals 0..12 digits after the point, rounded half
 * up; decimals < 0: exactly, trailing zeros trimmed ("0.0000025", "12", "0"). */
TOK_API size_t tok_usd_format(uint64_t pico, int decimals, char *buf, size_t cap);

/* Parse a plain decimal ("2.5", "0.075", "12") exactly as value * 10^scale into *out.
 * TOK_EINVAL if text is not such a number (no sign, no exponent) or has more than scale
 * decimals; TOK_ERANGE if the result exceeds 64 bits. */
TOK_API tok_status tok_decimal_parse(const char *text, size_t len, unsigned scale,
                                     uint64_t *out);

/* The inverse: write value / 10^scale (scale 0..19) exactly, trailing zeros trimmed
 * ("2.5", "0.075", "12", "0"), into buf like snprintf; returns the full length. Prices per
 * million tokens are scale 6, nanodollars 9, picodollars 12. */
TOK_API size_t tok_decimal_format(uint64_t value, unsigned scale, char *buf, size_t cap);

/* ---- Chat messages -----------------------------------------------------------------------
 * Count a conversation -- an OpenAI-style messages array -- the way a chat model sees it: the
 * messages rendered in the model's chat format, formatting tokens included.
 *
 * Input: a JSON array of messages, or an object with a "messages" array (a Chat Completions
 * body: its tools, functions, tool_choice and function_call are counted too). A message is an
 * object with "role" (system, developer, user, assistant, tool or function), "content" (a
 * string, null, or an array of text, image_url, input_audio, file or refusal parts), and
 * optionally "name", "tool_calls" ([{"id","type":"function","function":{"name","arguments"}}]),
 * "function_call" and "tool_call_id". Other parts or fields are errors naming their JSON path
 * ("messages[2].content[0].text: expected a string"; err->where holds the path, err->offset
 * the byte offset in json). This is tok_request_count_json for Chat Completions, summed up per
 * message; that function gives the parts and their rules, and reads the other APIs' bodies.
 *
 * Conventions (the README's "chat" section has the rendering of each, token by token):
 *   "openai"   OpenAI chat models (cl100k_base, o200k_base): OpenAI's cookbook
 *              num_tokens_from_messages -- per message 3 tokens plus the tokens of its role,
 *              content and name, 1 more for a name, 3 to prime the reply. gpt-3.5-turbo-0301: 4
 *              per message and -1 for a name; function definitions, function messages and
 *              calls as tests/golden/chat-api/RULES.md section 2 gives them (reproducing the
 *              API-measured counts). Exact for o200k_base and cl100k_base where measured;
 *              tool_calls, role tool and tool_choice are estimates.
 *   "harmony"  gpt-oss (o200k_harmony): openai/harmony's render_conversation_for_completion of
 *              harmony's default system message, then the messages (system -> developer
 *              "# Instructions", tools -> its functions namespace), then <|start|>assistant.
 *   "llama3"   tokenizers with <|start_header_id|> and <|eot_id|>: Meta Llama 3's chat template.
 *   "chatml"   tokenizers with <|im_start|> and <|im_end|>: ChatML, <|im_start|>role\n....
 *              llama3 and chatml render the whole conversation as text and encode it with
 *              special tokens allowed, as apply_chat_template(tokenize=True) does.
 * The convention follows from the model ("gpt-oss-*": harmony) and the tokenizer's special
 * tokens (o200k_harmony: harmony; the Llama 3 or ChatML ones), else "openai" for tiktoken
 * encodings; tokenizer files with none of these need the convention named. */

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
                                  message, Llama 3's <|begin_of_text|>; and the request's own
                                  parts (openai: tool definitions, function_call); else 0 */
    uint64_t reply;            /* tokens that prime the reply (openai: 3) */
    int tokens_per_message;    /* openai: 3 (4 for gpt-3.5-turbo-0301); 0 otherwise */
    int tokens_per_name;       /* openai: 1 (-1 for gpt-3.5-turbo-0301); 0 otherwise */
    const char *note;          /* why the count is not exact, or NULL (lives as long as the
                                  tok_chat_count) */
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

/* ---- Chat templates --------------------------------------------------------------------------
 * An open model's own chat template -- the Jinja chat_template of its tokenizer_config.json --
 * rendering a conversation exactly as Hugging Face transformers' apply_chat_template does (same
 * Jinja environment and variables: the config's special tokens, extra keyword arguments,
 * messages, tools, documents, add_generation_prompt), and the rendered text counted as
 * apply_chat_template(tokenize=True) counts it: encoded with special-token text matched and no
 * BOS/EOS added (the template writes them). A template is compiled once and may be rendered
 * from several threads at once. */
typedef struct tok_chat_template tok_chat_template;

/* A chat template from text[0..len): a tokenizer_config.json (a JSON object: its chat_template,
 * a string or a list of {"name", "template"} from which name picks one, NULL meaning
 * "default"; its special tokens become template variables), or a bare Jinja template (.jinja).
 * label names it in messages (NULL: "chat template"). Errors: TOK_EFORMAT (the config is not
 * JSON, the template does not parse: the message names its line and column),
 * TOK_EUNSUPPORTED (Jinja the interpreter does not implement), TOK_ENOENT (no chat_template,
 * no template of that name). On success free *out with tok_chat_template_free. */
TOK_API tok_status tok_chat_template_load(const char *text, size_t len, const char *label,
                                          const char *name, tok_chat_template **out,
                                          tok_error *err);

/* The chat template a tokenizer carries: the tokenizer_config.json packed with it (tok_pack's
 * chat; the open-model vocabularies tokscope ships keep theirs). TOK_ENOENT when it has none --
 * a tokenizer.json opened from a file carries none: load the tokenizer_config.json beside it. */
TOK_API tok_status tok_chat_template_of(const tok_tokenizer *tok, const char *name,
                                        tok_chat_template **out, tok_error *err);

TOK_API void tok_chat_template_free(tok_chat_template *t); /* NULL is a no-op */

/* The label given at load ("tokenizer_config.json", ...; static while t lives). */
TOK_API const char *tok_chat_template_label(const tok_chat_template *t);

typedef struct tok_chat_template_options {
    bool no_generation_prompt; /* add_generation_prompt=False (default True) */
    /* Extra keyword arguments of apply_chat_template as a JSON object ({"enable_thinking":
     * false}); they override the config's special tokens. NULL: none. */
    const char *vars;
    size_t vars_len;
    /* The time strftime_now() shows, in seconds since 1970 (UTC); 0: the local clock, as
     * transformers' datetime.now(). */
    int64_t now;
} tok_chat_template_options;

/* Render a Chat Completions body -- an array of messages, or an object with "messages" and
 * optionally "tools" and "documents" (other fields are not the template's) -- to *out
 * (NUL-terminated, *out_len bytes, may hold NUL bytes the conversation writes; free with
 * tok_free). opts may be NULL. A body of another API (TOK_EUNSUPPORTED) or a message that is not
 * an object (TOK_EINVAL) fails with the JSON path in err->where; an empty messages array renders
 * as the template renders it (its BOS, the generation prompt). A template
 * that raises (raise_exception: many refuse a system role or turns that do not alternate) is
 * TOK_EINVAL with the template's own message; an error inside the template (what Python would
 * raise) is TOK_EINVAL naming the template line. */
TOK_API tok_status tok_chat_template_render(const tok_chat_template *t,
                                            const tok_chat_template_options *opts,
                                            const char *body, size_t len, char **out,
                                            size_t *out_len, tok_error *err);

/* Render as above and count the text with tok: len(apply_chat_template(..., tokenize=True)). */
TOK_API tok_status tok_chat_template_count(const tok_chat_template *t, const tok_tokenizer *tok,
                                           const tok_chat_template_options *opts,
                                           const char *body, size_t len, size_t *count,
                                           tok_error *err);

/* ---- Whole API requests -------------------------------------------------------------------
 * Count a request body the way the API bills its input: messages in the model's framing, tool
 * definitions rendered as the model sees them, tool calls and results, images by the
 * provider's published rule, the overheads a provider documents -- broken into parts, each
 * with its tokens, whether it is exact (reproduces counts an API reported, or is the model's
 * own published format) or an estimate, and the rule's source. tests/golden/chat-api/RULES.md
 * states every rule and constant.
 *
 * Bodies (detected from their shape, or named):
 *   TOK_REQUEST_OPENAI_CHAT       OpenAI Chat Completions ({"messages": [...], "tools", ...}),
 *                                 or a bare messages array
 *   TOK_REQUEST_OPENAI_RESPONSES  OpenAI Responses ({"input", "instructions", "tools"})
 *   TOK_REQUEST_ANTHROPIC         Anthropic Messages ({"system", "messages" of content blocks,
 *                                 "tools" with input_schema})
 *   TOK_REQUEST_GEMINI            Gemini generateContent ({"contents", "systemInstruction",
 *                                 "tools": [{"functionDeclarations"}]})
 * Chat Completions and Responses bodies are rendered in a chat convention (the same as
 * tok_chat_count_json: openai, harmony, llama3, chatml); Anthropic and Gemini bodies by their
 * provider's rules.
 *
 * Errors: a body that matches no API shape, a wrong type at a JSON path, an image that cannot be
 * read, an unknown role or field fail (TOK_EINVAL; TOK_EUNSUPPORTED for what cannot be
 * counted at all, TOK_EFORMAT for an unreadable image) with the JSON path in err->where, the
 * byte offset in err->offset and the reason in err->message. A part that cannot be counted
 * offline (a remote image of unknown size, a PDF, a built-in tool) is not an error: it is an
 * item marked unknown, and the total is then a lower bound (complete == false). */

typedef enum tok_request_api {
    TOK_REQUEST_DETECT = 0, /* from the body's shape (and the model's name when it is ambiguous) */
    TOK_REQUEST_OPENAI_CHAT,
    TOK_REQUEST_OPENAI_RESPONSES,
    TOK_REQUEST_ANTHROPIC,
    TOK_REQUEST_GEMINI,
    TOK_REQUEST_API_COUNT_
} tok_request_api;

/* "openai", "responses", "anthropic", "gemini" ("detect" for TOK_REQUEST_DETECT); static. */
TOK_API const char *tok_request_api_name(tok_request_api api);
/* The inverse (also "chat" for openai); TOK_EINVAL for another name. */
TOK_API tok_status tok_request_api_parse(const char *name, tok_request_api *out);

/* What a part of the request is. */
typedef enum tok_request_part_kind {
    TOK_PART_FRAMING = 0, /* formatting the API adds: per-message tokens, roles, names, headers */
    TOK_PART_SYSTEM,      /* system / developer messages, instructions, systemInstruction */
    TOK_PART_TEXT,        /* what user and assistant messages say */
    TOK_PART_TOOL_DEFS,   /* tool and function definitions, tool_choice, tool-use prompts */
    TOK_PART_TOOL_CALLS,  /* tool calls and their results */
    TOK_PART_IMAGES,
    TOK_PART_FILES,       /* documents, audio, files */
    TOK_PART_REPLY,       /* the tokens that prime the reply */
    TOK_PART_COUNT_
} tok_request_part_kind;

/* "framing", "system", "text", "tool_definitions", "tool_calls", "images", "files", "reply". */
TOK_API const char *tok_request_part_name(tok_request_part_kind kind);

typedef struct tok_request_options {
    /* The model the request is for ("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro"); NULL: the
     * body's "model". It chooses the framing (gpt-3.5-turbo-0301), the convention (gpt-oss-*:
     * harmony), the image rule and Anthropic's tool-use prompt. */
    const char *model;
    /* The registry row of that model (tok_model_find), or NULL. Given without estimate, it says
     * that tok is the model's own tokenizer (tok_model_open_tokenizer said exact = true): parts
     * that are exact only with the model's vocabulary (Gemini text) can be. With estimate set,
     * tok is the row's estimating proxy (exact = false): the tokens of text are scaled by its
     * factor (the total's range by its low and high factors) and no part of text is exact. */
    const tok_model *registry_model;
    bool estimate;
    tok_request_api api;    /* TOK_REQUEST_DETECT to detect */
    const char *convention; /* Chat Completions and Responses: "openai", "harmony", "llama3",
                               "chatml", or NULL to choose from the model and tokenizer */
    /* The size to assume for images given by remote URL (0 x 0: their count is unknown). */
    uint32_t image_width, image_height;
    /* Whether images named by a local path or file:// URL may be read (their headers only);
     * relative paths are taken from image_dir (NULL: the working directory). */
    bool read_image_files;
    const char *image_dir;
    /* An open model's chat template (tok_chat_template_load, tok_chat_template_of): a Chat
     * Completions body is rendered with it and counted as tok_chat_template_count does -- one
     * item, exact, convention "template" -- instead of a convention; bodies of the other APIs
     * are counted as without it. NULL: none. chat_template_options may be NULL. */
    const tok_chat_template *chat_template;
    const tok_chat_template_options *chat_template_options;
    /* With no chat_template: render a Chat Completions body with the template tok carries (a
     * shipped vocabulary's tokenizer_config.json, tok_chat_template_of) when registry_model is
     * given without estimate and tok_model_own_template says the model sees it -- what
     * `tokscope chat -m MODEL` does. Without such a template the convention is chosen as
     * usual. */
    bool own_template;
} tok_request_options;

typedef struct tok_request_item {
    tok_request_part_kind kind;
    int64_t message;    /* index in messages[], -1 for a part of the request as a whole */
    const char *path;   /* its JSON path ("messages[2].content[1]", "tools"; "" for none) */
    const char *what;   /* what it is ("role", "content", "image 1126x488 detail auto") */
    uint64_t tokens;    /* the model's tokens (scaled for an estimated model; 0 when unknown) */
    uint64_t counted;   /* tokens of text counted with the tokenizer (before scaling); 0 for
                           fixed amounts (framing constants, images) */
    bool exact;
    bool unknown;       /* cannot be counted offline; not included in the total */
    const char *source; /* the rule and where it comes from */
} tok_request_item;

typedef struct tok_request_part {
    uint64_t tokens;    /* sum of its items */
    bool exact;         /* every item exact (true when it has none) */
    size_t n_items, n_unknown;
    const char *source; /* the rule of its first estimated or unknown item, else of its first
                           item; NULL when it has none */
} tok_request_part;

typedef struct tok_request_message {
    const char *role;   /* as written, or what the item is for an Anthropic or Gemini body */
    const char *path;   /* "messages[3]", "contents[1]", "input[0]" */
    uint64_t content;   /* tokens of what it says: text, tool calls, images */
    uint64_t overhead;  /* framing tokens */
    uint64_t total;
    bool exact;
} tok_request_message;

typedef struct tok_request_count {
    tok_request_api api;        /* the body as read */
    const char *convention;     /* "openai", "harmony", "llama3", "chatml", "anthropic",
                                   "gemini" (static) */
    const char *model;          /* the model counted for ("" if none) */
    uint64_t total;             /* sum of every part (unknown items count 0) */
    uint64_t total_low, total_high; /* the range of an estimate (total, total when exact) */
    bool exact;                 /* every item exact and none unknown */
    bool complete;              /* no item unknown (else total is a lower bound) */
    tok_request_part parts[TOK_PART_COUNT_];
    size_t n_items;
    tok_request_item *items;    /* in order: messages, then the request's own parts */
    size_t n_messages;
    tok_request_message *messages;
    /* Chat conventions: the per-message numbers of tok_chat_count (openai: 3 and 1, or 4 and -1
     * for gpt-3.5-turbo-0301; 0 otherwise), and tokens before the first message (harmony's
     * system message, Llama 3's <|begin_of_text|>) ... */
    int tokens_per_message, tokens_per_name;
    uint64_t prefix;            /* and every other token of the request's own parts (tool
                                   definitions: items with message -1), the reply's aside */
    const char *note;           /* why the count is not complete (the first unknown item's
                                   rule), else why not exact (the first estimate's), or NULL */
    void *internal_;            /* owned storage; do not touch */
} tok_request_count;

/* Count the request body json[0..len) with tokenizer tok (opened for the model: tok_open_model,
 * or for an estimated model its proxy, see tok_request_options). opts may be NULL (detect the
 * API, the body's model). On success *out holds the count (free it with
 * tok_request_count_free); strings in it live as long as *out. On failure *out is zeroed.
 * Thread-safe: tok is only read. */
TOK_API tok_status tok_request_count_json(const tok_tokenizer *tok,
                                          const tok_request_options *opts, const char *json,
                                          size_t len, tok_request_count *out, tok_error *err);

/* Free what a tok_request_count holds and zero it. NULL or a zeroed struct is a no-op. */
TOK_API void tok_request_count_free(tok_request_count *c);

/* ---- For programs that embed tokscope: streaming, budgets, offsets -------------------------
 * Inference servers, editors and pipelines call these thousands of times a second: each costs
 * about the ids or text it is given, never the whole text again. */

/* -- Streaming decode --
 * Text as ids arrive (a server streaming a model's output). Each step returns the text the new
 * ids complete; all steps and the final flush, concatenated, are exactly tok_decode of all the
 * ids with the same flags, byte for byte, for every format's decoder: byte-level BPE, Metaspace
 * and SentencePiece's leading space (dropped only at the very start of the text), WordPiece's
 * "##" and cleanup, byte-fallback <0xXX> runs, special tokens skipped or kept.
 *
 * A step returns only text no later id can change: a character split across tokens waits for
 * its last byte, a space that depends on the next token waits for it. What is held back is
 * bounded per decoder (lib/api/decode_stream.c lists it): at most one character, one token, or
 * a few characters -- except where tok_decode itself decides over a whole run: a run of
 * byte-fallback tokens (<0xE4><0xBD><0xA0>...) comes out when the run ends, because the
 * decoder turns the whole run into U+FFFD if any byte of it is invalid. Text is valid UTF-8,
 * except that a tiktoken-format stream passes through bytes tok_decode passes through (ids
 * whose bytes can never form a character).
 *
 * Cost: each id costs about its own text; nothing is re-decoded.
 * Ownership and threads: the stream belongs to the caller and to one thread at a time; the
 * tokenizer must outlive it and may be shared by any number of streams and threads. The text a
 * call returns points into the stream and is valid until the next call on that stream
 * (NUL-terminated for convenience; the NUL is not counted). */
typedef struct tok_decode_stream tok_decode_stream;

/* A new stream for tok with tok_decode flags (TOK_DECODE_SKIP_SPECIAL). Free with
 * tok_decode_stream_free. */
TOK_API tok_status tok_decode_stream_new(const tok_tokenizer *tok, unsigned flags,
                                         tok_decode_stream **out, tok_error *err);

/* Feed ids[0..n) (n may be 0); *text and *len get the newly complete text (possibly empty). An
 * id the tokenizer cannot decode fails with TOK_EID (err->index: its position in ids) and the
 * stream is left as it was: none of the n ids is taken. After TOK_ENOMEM, reset the stream. */
TOK_API tok_status tok_decode_stream_step(tok_decode_stream *s, const uint32_t *ids, size_t n,
                                          const char **text, size_t *len, tok_error *err);

/* Feed context whose text the caller already has (the prompt): a step whose text is dropped.
 * Later steps then continue that text -- a first generated "_Hello" gives " Hello", as it
 * would in the middle of the text -- and a character the context left unfinished comes out
 * whole with the step that completes it. */
TOK_API tok_status tok_decode_stream_prefill(tok_decode_stream *s, const uint32_t *ids,
                                             size_t n, tok_error *err);

/* End of the ids: the text still held back (an unfinished character becomes what tok_decode
 * makes of it). The stream is then reset, ready for a new text. */
TOK_API tok_status tok_decode_stream_flush(tok_decode_stream *s, const char **text,
                                           size_t *len, tok_error *err);

/* Forget everything fed so far (keeps the memory). NULL is a no-op. */
TOK_API void tok_decode_stream_reset(tok_decode_stream *s);

/* Free a stream. NULL is a no-op. */
TOK_API void tok_decode_stream_free(tok_decode_stream *s);

/* -- Token budgets --
 * Answers about a budget of tokens that read the text only as far as the budget reaches: the
 * text is encoded from its start in stretches cut where the tokenizer provably cannot join
 * tokens across the cut (lib/api/budget.c says where each format may be cut), and the encoding
 * stops once the budget is passed. A 100 MB text with a limit of 1000 tokens costs about the
 * first few kilobytes. Tokenizers whose pipeline gives no such cut (a whole-text regex
 * normalizer, a tokenizer.json with truncation, ...) are encoded whole: the answer is the same,
 * only slower.
 * Thread-safe: tok is only read. */

/* *count gets the number of tokens of text[0..len) if it is at most limit, else limit + 1
 * (meaning "more than limit"; the rest is not read). *end gets len when the text fits, else the
 * end of token number `limit` (the end of the span tok_encode gives token limit - 1; 0 when
 * limit is 0): the text up to there holds the first limit tokens. Either pointer may be NULL.
 * Errors are tok_count's for the part of the text that was read: invalid UTF-8 after the point
 * where the limit was passed is not looked at. */
TOK_API tok_status tok_count_limit(const tok_tokenizer *tok, const char *text, size_t len,
                                   const tok_encode_options *opts, size_t limit, size_t *count,
                                   size_t *end, tok_error *err);

enum {
    TOK_TRUNCATE_END = 1u << 0 /* keep the last tokens instead of the first */
};

/* The longest prefix of text[0..len) (with TOK_TRUNCATE_END: suffix) that encodes on its own
 * to at most max_tokens tokens, cut at a character boundary -- what `tokscope truncate` prints.
 * *cut gets the prefix's end (the suffix's start), *count the kept text's own token count
 * (either pointer may be NULL). The kept text is verified by counting it, so it fits whatever
 * the tokenizer does at the cut; it is the longest one when fitting is monotone in length, as
 * it is in practice. A text that fits is kept whole. With TOK_ENCODE_ADD_SPECIAL and a
 * max_tokens below the tokens added around every text, nothing fits: the empty text is kept and
 * *count is its count, over max_tokens. The prefix form reads the text only as far as the
 * budget reaches (as tok_count_limit); the suffix form encodes it whole. Thread-safe. */
TOK_API tok_status tok_truncate(const tok_tokenizer *tok, const char *text, size_t len,
                                const tok_encode_options *opts, size_t max_tokens,
                                unsigned flags, size_t *cut, size_t *count, tok_error *err);

/* -- Counting text that grows --
 * A counter for text that is appended to (a chat box, an editor buffer): after every append its
 * total equals tok_count of all the text appended so far, and an append costs about the chunk
 * plus the text since the last place the tokenizer provably cannot join tokens across (the last
 * word or line, usually), not the whole text. The counter keeps only that unfinished tail.
 * Bytes of an unfinished UTF-8 character at the end wait for the next append: the total is that
 * of the text before them (tok_counter_pending says how many). Tokenizers with no provable cut
 * (see the budgets above) keep and recount the whole text at each append: exact, not fast.
 * Ownership and threads: the counter belongs to the caller and to one thread at a time; the
 * tokenizer must outlive it. */
typedef struct tok_counter tok_counter;

/* A counter for tok with encode options opts (copied; NULL: defaults). With
 * TOK_ENCODE_ADD_SPECIAL the total includes the tokens the tokenizer adds around a text. */
TOK_API tok_status tok_counter_new(const tok_tokenizer *tok, const tok_encode_options *opts,
                                   tok_counter **out, tok_error *err);

/* Append text[0..len); *total (may be NULL) gets the new total. On failure (TOK_EUTF8,
 * TOK_ESPECIAL with the offset counted from the start of all the text, TOK_ENOMEM) the counter
 * is as it was before the call. */
TOK_API tok_status tok_counter_append(tok_counter *c, const char *text, size_t len,
                                      size_t *total, tok_error *err);

/* The tokens of everything appended so far (minus pending bytes); the bytes appended so far;
 * the bytes of an unfinished character waiting at the end (0..3). */
TOK_API size_t tok_counter_total(const tok_counter *c);
TOK_API uint64_t tok_counter_bytes(const tok_counter *c);
TOK_API size_t tok_counter_pending(const tok_counter *c);

/* Start again from empty text (keeps the memory). NULL is a no-op. */
TOK_API void tok_counter_reset(tok_counter *c);

/* Free a counter. NULL is a no-op. */
TOK_API void tok_counter_free(tok_counter *c);

/* -- Offsets in characters --
 * tok_encode's spans are byte offsets. Editors and JavaScript count characters (code points)
 * or UTF-16 code units; these convert. */
typedef enum tok_offset_unit {
    TOK_OFFSET_BYTES = 0, /* unchanged */
    TOK_OFFSET_CHARS = 1, /* Unicode code points */
    TOK_OFFSET_UTF16 = 2  /* UTF-16 code units: 2 for a character above U+FFFF */
} tok_offset_unit;

/* Convert spans[0..n) -- byte offsets into text[0..len), as tok_encode gives them -- in place
 * to unit. A span that starts or ends inside a character covers that whole character (its start
 * rounds down, its end up). Invalid UTF-8 counts as one character (one code unit) per maximal
 * invalid subpart, as a lossy decoder shows it (U+FFFD). Offsets past len fail with TOK_EINVAL
 * (spans unchanged). O(len + n) for spans in text order, as tok_encode gives them; a span out
 * of order costs at most 256 bytes of text more. Thread-safe. */
TOK_API tok_status tok_spans_convert(const char *text, size_t len, tok_span *spans, size_t n,
                                     tok_offset_unit unit, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif
