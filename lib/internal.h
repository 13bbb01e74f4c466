/* internal.h -- what the library's files share; nothing here is installed. */
#ifndef TOK_INTERNAL_H
#define TOK_INTERNAL_H

#define TOK_BUILDING_LIBRARY 1
#include "tokscope.h"
#include "pretok.h"
#include "vocab.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>

#define TOK_HIDDEN __attribute__((visibility("hidden")))

/* ---- large zero-filled blocks on huge pages (bigmem.c); free with the same size ---- */
void *tok_big_alloc(size_t size);
void tok_big_free(void *p, size_t size);

/* ---- errors ---- */

/* Fill err (if not NULL) and return status. source may be NULL. The message is printf-style
 * and should read as a complete statement ("line 3: bad base64"). */
tok_status tok_fail(tok_error *err, tok_status status, const char *source, uint64_t offset,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tok_error_clear(tok_error *err);

/* ---- output of an encode call ---- */

/* Tokens go to ids/spans while they fit; n counts all of them. With grow set, the arrays are
 * reallocated instead (the library owns them until handed to the caller). */
typedef struct tok_out {
    uint32_t *ids;
    tok_span *spans;
    size_t cap, n;
    bool grow, want_spans, oom;
} tok_out;

void tok_out_slow(tok_out *o, uint32_t id, uint64_t start, uint64_t end);

static inline void tok_out_push(tok_out *o, uint32_t id, uint64_t start, uint64_t end)
{
    if (o->n < o->cap) {
        o->ids[o->n] = id;
        if (o->want_spans) {
            o->spans[o->n].start = start;
            o->spans[o->n].end = end;
        }
        o->n++;
    } else {
        tok_out_slow(o, id, start, end);
    }
}

/* ---- per-call scratch: grown as needed, reused across pieces, freed when the call ends ---- */

typedef struct tok_scratch {
    void *buf;
    size_t cap;
} tok_scratch;

void *tok_scratch_get(tok_scratch *s, size_t bytes); /* NULL when out of memory */
void tok_scratch_free(tok_scratch *s);

/* ---- models ---- */

/* tiktoken's byte-pair encoding of one piece: the ids of p[0..n), whose bytes start at input
 * offset base. Ranks are ids; every single byte must be a token. Returns false on OOM. */
bool tok_bpe_rank_piece(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base,
                        tok_out *o, tok_scratch *sc);

/* Linear BPE tables (bpe_tables.c). */
tok_status tok_bpe_tables_build(tok_vocab *v, uint32_t **split, uint32_t **next_prefix,
                                uint64_t **trie, uint32_t *trie_bits, uint64_t **pairs,
                                uint32_t *pair_bits);
bool tok_bpe_valid_pair(const tok_vocab *v, const uint8_t *s, size_t m, uint32_t a, uint32_t b,
                        uint32_t bound);

/* The reference merge strategies (tiktoken's own algorithm), kept for tests that check the
 * linear encoder against them. */
size_t tok_bpe_rank_merge_small(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *ids,
                                uint32_t *starts);
size_t tok_bpe_rank_heap_work(size_t n); /* bytes of work memory the heap merge needs */
/* The linear encoder: toks/starts have n and n + 1 entries, dead (n >> 6) + 1 words. */
size_t tok_bpe_rank_backtrack(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *toks,
                              uint32_t *starts, uint64_t *dead);
size_t tok_bpe_rank_merge_heap(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *ids,
                               uint32_t *starts, void *work);

/* ---- special tokens ---- */

typedef struct tok_special_tok {
    const uint8_t *text; /* points into tok_specials.text */
    uint32_t len, id;
} tok_special_tok;

/* Leftmost-longest matcher over a small set of literal strings. */
typedef struct tok_specials {
    size_t n;
    tok_special_tok *toks;
    uint8_t *text;          /* all texts, owned */
    tok_vocab index;        /* text -> position in toks (a vocab whose "ids" are positions) */
    uint32_t lens[64];      /* distinct lengths, longest first */
    size_t n_lens;
    uint8_t first[256];     /* 1 if some special text starts with this byte */
    int only_first;         /* the one first byte all texts share, or -2 */
} tok_specials;

/* texts[i][0..lens[i]) has id ids[i]. Returns TOK_OK, TOK_ENOMEM or TOK_EINVAL (duplicate or
 * empty text, more than 64 distinct lengths). */
tok_status tok_specials_init(tok_specials *sp, size_t n, const char *const *texts,
                             const size_t *lens, const uint32_t *ids);
void tok_specials_free(tok_specials *sp);
/* The first special text at or after position from in s[0..n): returns its start (n if none)
 * and sets *which to its index in toks. */
size_t tok_specials_find(const tok_specials *sp, const uint8_t *s, size_t from, size_t n,
                         size_t *which);

/* ---- growable byte buffer (decoders write text into one) ---- */

typedef struct tok_buf {
    uint8_t *data;
    size_t len, cap;
    bool oom;
} tok_buf;

bool tok_buf_put(tok_buf *b, const void *p, size_t n); /* false (and oom set) when out of memory */
void tok_buf_free(tok_buf *b);

/* ---- the tokenizer ---- */

typedef enum tok_fmt { TOK_FMT_TIKTOKEN, TOK_FMT_HF, TOK_FMT_SPM } tok_fmt;

/* Formats other than tiktoken bring their own pipeline: a loader sets t->ops and t->impl.
 * encode gets valid UTF-8 (invalid input was already refused or replaced, and the caller maps
 * spans back) and writes ids and spans (byte offsets into s) to out; decode appends the text
 * of ids to buf. Both must be thread-safe (impl is read-only after loading). */
typedef struct tok_format_ops {
    tok_status (*encode)(const tok_tokenizer *t, const uint8_t *s, size_t n,
                         const tok_encode_options *opts, tok_out *out, tok_scratch *sc,
                         tok_error *err);
    tok_status (*decode)(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                         tok_buf *buf, tok_error *err);
    void (*free_impl)(void *impl);
} tok_format_ops;

struct tok_tokenizer {
    char *name;
    tok_fmt fmt;
    tok_vocab vocab;
    tok_specials specials;
    char *pattern;           /* the split regex as the format states it */
    tok_pretok_fn pretok;    /* hand-written scanner for a known pattern, or NULL */
    void *regex;             /* pcre2_code when the pattern has no hand-written scanner */
    uint32_t n_ids;          /* max over vocab and special ids, plus one */
    uint8_t *special_bits;   /* n_ids bits: set where the id is a special token */
    uint32_t *special_sorted; /* (id, index into specials.toks) pairs sorted by id, index */
    const tok_format_ops *ops; /* NULL for tiktoken encodings */
    void *impl;               /* the format's pipeline, owned */
};

/* Allocate an empty tokenizer named name (copied). */
tok_tokenizer *tok_tokenizer_new(const char *name, tok_fmt fmt);
/* After vocab and specials are set: index special ids, set n_ids. */
tok_status tok_tokenizer_finish(tok_tokenizer *t);

/* Pattern compilation for the regex fallback (pretok_regex.c). */
typedef enum tok_regex_dialect { TOK_REGEX_RUST, TOK_REGEX_ONIG } tok_regex_dialect;

/* The pattern with the references' Unicode meaning for PCRE2 10.42 (regex_rewrite.c): \s as
 * White_Space, \p{..} and \d corrected to Unicode 16.0, \w as the dialect defines it. malloc'd;
 * NULL on OOM or with *why set. */
char *tok_regex_rewrite(const char *pattern, size_t len, tok_regex_dialect dialect,
                        const char **why);
/* A compiled pattern (pcre2_code), or NULL with msg and *err_at set. literal: match the text
 * itself. */
void *tok_regex_new(const char *pattern, size_t len, bool literal, tok_regex_dialect dialect,
                    char *msg, size_t msg_cap, size_t *err_at);
tok_status tok_regex_compile(tok_tokenizer *t, const char *pattern, tok_error *err);
void tok_regex_free(void *re);
/* Calls piece(ctx, start, end) for each match in s[from..to); unmatched text between matches is
 * skipped, as tiktoken's find_iter does. TOK_ENOMEM when piece fails, TOK_EUNSUPPORTED when the
 * pattern exceeds the regex engine's match limits on this text. */
tok_status tok_regex_split(const void *re, const uint8_t *s, size_t from, size_t to,
                           bool (*piece)(void *ctx, size_t start, size_t end), void *ctx);

/* ---- built-in encodings (encodings.c) and OpenAI model names (models.c) ---- */

typedef struct tok_builtin {
    const char *name;
    const char *vocab;       /* packed blob name: r50k_base, p50k_base, cl100k_base, o200k_base */
    const char *pattern;
    tok_pretok_fn pretok;
    uint32_t explicit_n_vocab; /* tiktoken's explicit_n_vocab check, 0 if none */
} tok_builtin;

const tok_builtin *tok_builtin_find(const char *name);
/* Special tokens of a built-in encoding (allocated arrays; texts are static or allocated in
 * *arena, free both with free()). */
tok_status tok_builtin_specials(const tok_builtin *b, size_t *n, char ***texts, size_t **lens,
                                uint32_t **ids, char **arena);
/* The embedded packed vocabulary for a blob name, or NULL. */
const void *tok_embedded_vocab(const char *name, size_t *len);
/* Build a tokenizer from a built-in definition and a vocabulary (views it, not copied). */
tok_status tok_builtin_open(const tok_builtin *b, const tok_vocab *vocab, const char *name,
                            tok_tokenizer **out, tok_error *err);

/* Model names worth suggesting when a name is unknown (models.c): up to cap into out; returns
 * how many. TOK_MODEL_NAMES_MAX is always enough. */
#define TOK_MODEL_NAMES_MAX 128
size_t tok_model_names(const char **out, size_t cap);

/* SHA-256 (sha256.c). */
void tok_sha256(const void *data, size_t len, uint8_t out[32]);

/* SentencePiece .model (load_spm.c): data is a ModelProto. */
tok_status tok_open_spm(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                        tok_error *err);
/* Hugging Face tokenizer.json (load_hf.c). */
tok_status tok_open_hf(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                       tok_error *err);

/* .tiktoken text -> vocabulary (load_tiktoken.c). */
tok_status tok_tiktoken_parse(const uint8_t *data, size_t len, const char *source, tok_vocab *v,
                              tok_error *err);
tok_status tok_open_tiktoken(const uint8_t *data, size_t len, const char *source,
                             const tok_open_options *opts, tok_tokenizer **out, tok_error *err);

/* 1-based line and column (in bytes) of offset in data, for messages about text files. */
void tok_line_col(const char *data, size_t len, size_t offset, uint32_t *line, uint32_t *col);

/* Closest names to `name` among n candidates, written as "a, b, c" into buf. */
void tok_closest_names(const char *name, const char *const *cands, size_t n, char *buf,
                       size_t cap);

/* ---- encode driver ---- */
tok_status tok_encode_into(const tok_tokenizer *t, const uint8_t *s, size_t n,
                           const tok_encode_options *opts, tok_out *o, tok_error *err);

#endif
