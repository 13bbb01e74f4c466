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

/* A file of the Hugging Face model repo ("org/name") in the local Hugging Face cache
 * (hf_cache.c): its path, or false; where gets the model's cache directory either way. */
bool tok_hf_cache_find(const char *repo, const char *file, char *path, size_t cap, char *where,
                       size_t where_cap);

#endif
