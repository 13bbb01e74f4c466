/* api: what the public entry points share -- opening by name, model or file (open.c,
 * open_model.c), the encode and decode drivers (encode.c, decode.c), batches (batch.c). Includes
 * every layer below it: the formats to open them, the registry for model names (the layer rule:
 * base/base.h). */
#ifndef TOK_API_H
#define TOK_API_H

#include "core/core.h"

/* The encode driver: check options and UTF-8, run t's format into o. */
tok_status tok_encode_into(const tok_tokenizer *t, const uint8_t *s, size_t n,
                           const tok_encode_options *opts, tok_out *o, tok_error *err);
/* The same with the caller's scratch, kept (not freed) for its next call: a worker encoding
 * many texts reuses one block instead of allocating and freeing one per text. */
tok_status tok_encode_with(const tok_tokenizer *t, const uint8_t *s, size_t n,
                           const tok_encode_options *opts, tok_out *o, tok_scratch *sc,
                           tok_error *err);

/* ---- budgets (budget.c): encoding a text stretch by stretch, between the format's cuts ---- */

#define TOK_WRAP_MAX 16
/* How a tokenizer is cut with some encode options: whether it can be (its format proves cuts),
 * the options for the stretches (TOK_ENCODE_ADD_SPECIAL removed), and the tokens that option
 * adds before and after a text (pre_ids: the ones before, whose spans are all (0, 0)). */
typedef struct tok_wrap {
    bool cuttable;
    tok_encode_options body;
    size_t pre, post;
    uint32_t pre_ids[TOK_WRAP_MAX];
    size_t stretch; /* the longest stretch unless no cut comes sooner: TOK_STRETCH_MAX */
} tok_wrap;
/* 64 KB costs a few megabytes in the general tokenizer.json pipeline (tens of bytes per byte:
 * alignments, splits), and encoding it takes long enough that the cut search (a look back from
 * its end) is noise. */
#define TOK_STRETCH_MAX ((size_t)64 << 10)
/* tok_count cuts texts longer than this: shorter ones gain nothing worth a probe. */
#define TOK_COUNT_STRETCHED_MIN (4 * TOK_STRETCH_MAX)
/* Fill w; returns w->cuttable. */
bool tok_wrap_probe(const tok_tokenizer *t, const tok_encode_options *opts, tok_wrap *w);
/* Encode s[0..len) (w cuttable) from its start, stretch by stretch, until o holds more than
 * need tokens or the text ends; the added tokens are not included. *done gets where the tokens
 * of o end: the text s[0..done) gives exactly them (len when all was read). Errors name offsets
 * in s. */
tok_status tok_encode_prefix(const tok_tokenizer *t, const tok_wrap *w, const uint8_t *s,
                             size_t len, size_t need, tok_out *o, size_t *done, tok_error *err);
/* The token count of s[0..len) (tok_count's, for long texts), stretch by stretch of at most
 * `stretch` bytes where t can be cut with opts: true with *count set; false when t has no cuts,
 * the text is not valid UTF-8 (without TOK_ENCODE_LOSSY_UTF8), or encoding failed -- the
 * caller encodes the whole text, and its failure is the one reported (which failure a text
 * meets first depends on the order of a pipeline's stages, and invalid UTF-8 anywhere is
 * refused before any of them). */
bool tok_count_stretched(const tok_tokenizer *t, const uint8_t *s, size_t len,
                         const tok_encode_options *opts, size_t stretch, size_t *count);
/* An error about a stretch that starts delta bytes into the text: its offset (and the "at byte
 * N" of its message) moved by delta. */
void tok_error_shift(tok_error *err, uint64_t delta);

/* A file of the Hugging Face model repo ("org/name") in the local Hugging Face cache
 * (hf_cache.c): its path, or false; where gets the model's cache directory either way. */
bool tok_hf_cache_find(const char *repo, const char *file, char *path, size_t cap, char *where,
                       size_t where_cap);

/* The data directories that hold the vocabularies tokscope ships (open_model.c): at most two,
 * into dirs; returns how many. */
size_t tok_data_dirs(const char *dirs[2]);

/* A tokenizer.json data[0..len) that is byte for byte the source of a pack in the data
 * directories, opened from that pack under the name path (shipped_twin.c). TOK_ENOENT when no
 * pack was made from it or that pack does not open (the file's own loader then runs). */
tok_status tok_open_shipped_twin(const uint8_t *data, size_t len, const char *path,
                                 tok_tokenizer **out);
/* The packs of the data directories that may hold t's BPE model, named to it for its first
 * long piece (shipped_twin.c); nothing for other tokenizers. */
void tok_note_model_twins(tok_tokenizer *t);
/* A byte-level tokenizer.json whose vocabulary looks like a built-in encoding's (GPT-2, GPT-4,
 * GPT-4o in HF form) is named that vocabulary, whose proven tables serve it from its first
 * piece once its merges are checked (formats/hf/models/bpe_ranks.c). */
void tok_note_builtin_twin(tok_tokenizer *t);

#endif
