/* core: the tokenizer object and the interface every format implements. Includes base/, text/,
 * vocab/, split/ and algo/ only (the layer rule: base/base.h).
 *
 * A tokenizer is a vocabulary, its special tokens and a format's pipeline behind tok_format_ops.
 * A loader (formats/) builds one and never encodes; the drivers (api/) validate input, call
 * ops->encode / ops->decode and map the results back, knowing no algorithm. */
#ifndef TOK_CORE_H
#define TOK_CORE_H

#include "text/text.h"
#include "vocab/specials.h"

/* What one encode call carries besides its text: scratch memory reused across pieces, and the
 * map back to the caller's bytes when the driver replaced invalid UTF-8 (NULL otherwise). */
typedef struct tok_call {
    tok_scratch sc;
    const tok_lossy *lossy;
} tok_call;

/* Fail with TOK_ESPECIAL for special-token text tok[0..len) found at byte `at` of the text the
 * format was given, which the policy rejects; the offset reported is the caller's. */
tok_status tok_fail_special(const tok_call *call, tok_error *err, const uint8_t *tok, size_t len,
                            uint64_t at);

typedef struct tok_format_ops {
    const char *name; /* what tok_format() reports: "tiktoken", "huggingface", "sentencepiece" */
    /* encode gets valid UTF-8 (invalid input was already refused, or replaced when the caller
     * asked for TOK_ENCODE_LOSSY_UTF8 and the driver maps spans back) -- unless lossy_self is
     * set: then a lossy call gets the bytes as they are and the format replaces invalid ones
     * itself (sentencepiece makes each invalid byte a U+FFFD). It writes ids and spans (byte
     * offsets into s) to out. */
    bool lossy_self;
    tok_status (*encode)(const tok_tokenizer *t, const uint8_t *s, size_t n,
                         const tok_encode_options *opts, tok_out *out, tok_call *call,
                         tok_error *err);
    /* decode appends the text of ids (all below t->n_ids) to buf. */
    tok_status (*decode)(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                         tok_buf *buf, tok_error *err);
    void (*free_impl)(void *impl);
    /* Tokens a format keeps beside the vocabulary and the special tokens (tokenizer.json's
     * added tokens that are not special): bytes by id, id by bytes. NULL when it has none. */
    bool (*extra_bytes)(const tok_tokenizer *t, uint32_t id, const char **bytes, size_t *len);
    bool (*extra_id)(const tok_tokenizer *t, const char *bytes, size_t len, uint32_t *id);
    /* Does t's encoding restart after every cut tok_split_cut finds (tok_cut_point)? NULL: no. */
    bool (*restarts)(const tok_tokenizer *t);
} tok_format_ops;


/* A tokenizer is immutable once its loader returns it: the hooks only read impl, so any number
 * of threads may encode and decode with it at once. */
struct tok_tokenizer {
    char *name;
    const tok_format_ops *ops; /* the format; set by the loader */
    void *impl;                /* the format's pipeline, owned */
    tok_vocab vocab;
    tok_specials specials;
    char *pattern;             /* the split regex as the format states it, or NULL */
    uint32_t n_ids;            /* max over vocab and special ids, plus one */
    uint8_t *special_bits;     /* n_ids bits: set where the id is a special token */
    uint32_t *special_sorted;  /* (id, index into specials.toks) pairs sorted by id, index */
    const char *chat_config;   /* the tokenizer_config.json a pack keeps, in the format's memory */
    size_t chat_config_len;    /* (NULL, 0: none) */
};

/* An empty tokenizer named name (copied) of a format; NULL when out of memory. */
tok_tokenizer *tok_tokenizer_new(const char *name, const tok_format_ops *ops);
/* After vocab and specials are set: index special ids, set n_ids. */
tok_status tok_tokenizer_finish(tok_tokenizer *t);

/* The bytes of an id that is a special token, or NULL (tokenizer.c). */
const tok_special_tok *tok_special_of(const tok_tokenizer *t, uint32_t id);

#endif
