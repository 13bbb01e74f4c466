/* core: the tokenizer object and the interface every format implements. Includes base/, text/,
 * vocab/, split/ and algo/ only (the layer rule: base/base.h).
 *
 * A tokenizer is a vocabulary, its special tokens and a format's pipeline behind tok_format_ops.
 * A loader (formats/) builds one and never encodes; the drivers (api/) validate input, call
 * ops->encode / ops->decode and map the results back, knowing no algorithm. */
#ifndef TOK_CORE_H
#define TOK_CORE_H

#include <stdatomic.h>

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

/* Streaming decode (api/decode_stream.c): a format's decoder as a state machine. new makes the
 * state of one stream (decode flags as tok_decode's), NULL when out of memory. push appends to
 * buf the text that ids[0..n) complete and that no later id can change -- the concatenation of
 * everything push and end append is exactly what decode gives for all the ids. end appends the
 * rest and returns the state to its start; reset only returns it there. push and end return
 * false when out of memory. id_ok says whether decode accepts the id (below t->n_ids): the
 * driver checks every id of a step before pushing any, so a bad id changes nothing. */
typedef struct tok_stream_ops {
    void *(*new)(const tok_tokenizer *t, unsigned flags);
    bool (*id_ok)(const tok_tokenizer *t, uint32_t id);
    bool (*push)(const tok_tokenizer *t, void *st, const uint32_t *ids, size_t n, tok_buf *buf);
    bool (*end)(const tok_tokenizer *t, void *st, tok_buf *buf);
    void (*reset)(void *st);
    void (*free)(void *st);
} tok_stream_ops;

/* The cuts tok_format_ops.cut looks for. TOK_CUT_ANY: the last the format can prove, wherever
 * (split/cut.c's analysis; for budgets). TOK_CUT_RESTART: only where tok_split_cut cuts --
 * after a line feed followed by an ASCII letter -- and only when that holds for every special-
 * token policy (opts is ignored): the same places for every tokenizer that restarts there, so
 * several tokenizers can share the parts (tok_cut_point). */
typedef enum tok_cut_kind { TOK_CUT_ANY, TOK_CUT_RESTART } tok_cut_kind;

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
    const tok_stream_ops *stream;
    /* Tokens a format keeps beside the vocabulary and the special tokens (tokenizer.json's
     * added tokens that are not special): bytes by id, id by bytes. NULL when it has none. */
    bool (*extra_bytes)(const tok_tokenizer *t, uint32_t id, const char **bytes, size_t *len);
    bool (*extra_id)(const tok_tokenizer *t, const char *bytes, size_t len, uint32_t *id);
    /* Cuts -- where a text may be encoded in parts (budgets, api/budget.c; tok_cut_point).
     * s[0..n) is the start of a text (valid UTF-8, never empty). A cut is a pair p <= q < n
     * such that for EVERY text T that begins with s[0..n) -- whatever follows -- encode(T)
     * with opts (TOK_ENCODE_ADD_SPECIAL aside) is the tokens of T[0..p) followed by those of
     * T[q..) encoded as a text of its own, shifted by q. T[p..q) is a separator whose tokens
     * come from the second part (a space a dummy prefix stands for). The answer is the last
     * cut of the kind asked for (tok_cut_kind); false when there is none the format can
     * prove. Called with s NULL (and n 0), it says whether t can ever be cut so with opts.
     * NULL when the format never has a cut. */
    bool (*cut)(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s,
                size_t n, tok_cut_kind kind, size_t *p, size_t *q);
    /* Does encoding a text with t keep state for every byte of it (alignments, a lattice)?
     * Then tok_count counts a long text in stretches at the cuts above (api/budget.c), whose
     * search costs little beside such an encode. NULL or false: the encode's memory is bounded
     * by a piece, and the cut search (a second pass of the split, for the regex formats) would
     * only cost time -- it is counted whole. */
    bool (*keeps_per_byte)(const tok_tokenizer *t);
} tok_format_ops;


/* Something a higher layer derives from a tokenizer on first use and keeps with it (the chat
 * layer's compiled chat template): its first member, so tok_close can free it without knowing
 * what it is. */
typedef struct tok_cached {
    void (*free)(struct tok_cached *c);
} tok_cached;

/* A tokenizer is immutable once its loader returns it: the hooks only read impl, so any number
 * of threads may encode and decode with it at once. (chat_cache is the one exception: set once,
 * by compare-and-swap, to a value that never changes after.) */
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
    _Atomic(tok_cached *) chat_cache; /* chat_config compiled (chat/chat_template.c), or NULL */
};

/* An empty tokenizer named name (copied) of a format; NULL when out of memory. */
tok_tokenizer *tok_tokenizer_new(const char *name, const tok_format_ops *ops);
/* After vocab and specials are set: index special ids, set n_ids. */
tok_status tok_tokenizer_finish(tok_tokenizer *t);

/* The bytes of an id that is a special token, or NULL (tokenizer.c). */
const tok_special_tok *tok_special_of(const tok_tokenizer *t, uint32_t id);

#endif
