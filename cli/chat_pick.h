/* chat_pick: which chat template a conversation is rendered with, for chat and cost --chat alike
 * (one rule, so the two commands never count the same request two ways). */
#ifndef TOKSCOPE_CLI_CHAT_PICK_H
#define TOKSCOPE_CLI_CHAT_PICK_H

#include "tokscope.h"

#include <stdbool.h>

/* A model behind an API is billed by the API's own framing (tok_model_own_template): its
 * tokenizer's template is not what it sees. m may be NULL (a tokenizer named without a model). */
bool chat_api_model(const tok_model *m);

/* The template tok renders with: the one named `name` (NULL: the default) that its pack carries,
 * else the tokenizer_config.json beside `file` (the -t path it was opened from; NULL when it
 * came from a name); *t NULL when there is none. False after an error, reported with label. */
bool chat_pick_template(const tok_tokenizer *tok, const char *file, const char *label,
                        const char *name, tok_chat_template **t);

#endif
