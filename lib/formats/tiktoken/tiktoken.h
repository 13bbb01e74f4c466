/* tiktoken: OpenAI's format -- a rank table (.tiktoken) behind a split pattern, the built-in
 * encodings embedded in the library, and tiktoken's model-name map. Includes core/ and the
 * layers below it, never another format (the layer rule: base/base.h).
 *
 *   encodings.c       the seven built-in encodings (patterns, special tokens, explicit sizes)
 *   embedded_blobs.c  their packed vocabularies (embedded.S links them in; gen/pack_vocab.c
 *                     packs them with tok_tiktoken_pack)
 *   file.c            the .tiktoken text format -> vocabulary, and its packed form
 *   compact.c         a packed vocabulary in a small file that opens without the proofs
 *   load.c            a .tiktoken file -> tokenizer (OpenAI's files recognised by SHA-256)
 *   encode.c          the pipeline: special tokens, the split, rank BPE per piece; decode
 *   cut.c             where a text may be cut without changing its tokens (budgets)
 *   model_map.c       OpenAI model name -> encoding (tiktoken's model.py) */
#ifndef TOK_TIKTOKEN_H
#define TOK_TIKTOKEN_H

#include "algo/algo.h"
#include "core/core.h"
#include "split/split.h"

/* The pipeline behind a tiktoken tokenizer: its split (a scanner, else a compiled regex, else
 * none: the whole segment is one piece). */
typedef struct tt_split {
    tok_pretok_fn scan;
    void *regex;
} tt_split;

extern const tok_format_ops tiktoken_ops;
/* Where a text may be cut (cut.c; tok_format_ops.cut). */
bool tt_cut(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s, size_t n,
            tok_cut_kind kind, size_t *p, size_t *q);

/* Give t (made by tok_tokenizer_new(name, &tiktoken_ops)) its split; the regex, if any, is
 * taken over (freed with t even on failure). TOK_ENOMEM when out of memory. */
tok_status tt_set_split(tok_tokenizer *t, tok_pretok_fn scan, void *regex);

/* ---- built-in encodings (encodings.c) ---- */

typedef struct tok_builtin {
    const char *name;
    const char *vocab;       /* packed blob name: r50k_base, p50k_base, cl100k_base, o200k_base */
    const char *preset;      /* split preset (split/presets.c): r50k, cl100k, o200k */
    uint32_t explicit_n_vocab; /* tiktoken's explicit_n_vocab check, 0 if none */
} tok_builtin;

const tok_builtin *tok_builtin_find(const char *name);
/* Special tokens of a built-in encoding (allocated arrays; texts are static or allocated in
 * *arena, free both with free()). */
tok_status tok_builtin_specials(const tok_builtin *b, size_t *n, char ***texts, size_t **lens,
                                uint32_t **ids, char **arena);
/* The packed vocabulary for a blob name, or NULL (embedded_blobs.c; see there for builds
 * without it). */
const void *tok_embedded_vocab(const char *name, size_t *len);
/* Build a tokenizer from a built-in definition and a vocabulary (views it, not copied). */
tok_status tok_builtin_open(const tok_builtin *b, const tok_vocab *vocab, const char *name,
                            tok_tokenizer **out, tok_error *err);

/* ---- files (file.c, load.c) ---- */

/* .tiktoken text -> vocabulary. */
tok_status tok_tiktoken_parse(const uint8_t *data, size_t len, const char *source, tok_vocab *v,
                              tok_error *err);
/* .tiktoken text -> the packed vocabulary tok_embedded_vocab gives (tok_vocab_view's layout,
 * with the BPE tables), in one malloc'd block *blob of *blob_len bytes. sha256 (64 hex digits)
 * is checked first when not NULL, so a damaged file never packs. */
tok_status tok_tiktoken_pack(const uint8_t *data, size_t len, const char *source,
                             const char *sha256, void **blob, size_t *blob_len, tok_error *err);
/* The compact form of a packed vocabulary (compact.c): what opens into the same blob without
 * the proofs; checked to do so before it is given (malloc'd). */
tok_status tok_tiktoken_compact(const void *blob, size_t blob_len, const char *source,
                                void **out, size_t *out_len, tok_error *err);
/* A compact form -> the packed blob it was made from (malloc'd). TOK_EFORMAT naming source
 * when it is not one this build wrote or is damaged; never a crash on any input. */
tok_status tok_tiktoken_uncompact(const uint8_t *data, size_t len, const char *source,
                                  void **blob, size_t *blob_len, tok_error *err);
/* A .tiktoken file in data[0..len); source names it in messages. */
tok_status tok_open_tiktoken(const uint8_t *data, size_t len, const char *source,
                             const tok_open_options *opts, tok_tokenizer **out, tok_error *err);

/* ---- OpenAI model names (model_map.c) ---- */

/* Model names worth suggesting when a name is unknown: up to cap into out; returns how many.
 * TOK_MODEL_NAMES_MAX is always enough. */
#define TOK_MODEL_NAMES_MAX 128
size_t tok_model_names(const char **out, size_t cap);

#endif
