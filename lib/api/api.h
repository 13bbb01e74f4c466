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

#endif
