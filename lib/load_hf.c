/* load_hf: Hugging Face tokenizer.json -> tokenizer. Not implemented yet. */
#include "internal.h"

tok_status tok_open_hf(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                       tok_error *err)
{
    (void)data, (void)len;
    *out = NULL;
    return tok_fail(err, TOK_EUNSUPPORTED, source, 0,
                    "%s: Hugging Face tokenizer.json files are not supported yet", source);
}
