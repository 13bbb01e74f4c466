/* open_model: the tokenizer that counts for a model of the registry -- its built-in encoding,
 * its tokenizer file, or the encoding that approximates it. */
#include "api/api.h"
#include "registry/registry.h"

#include <stdio.h>
#include <unistd.h>

tok_status tok_model_open_tokenizer(const tok_model *m, const char *const *dirs, size_t n_dirs,
                                    tok_tokenizer **out, bool *exact, tok_error *err)
{
    if (!m || !out || !exact)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no model or no place for the "
                        "tokenizer");
    *out = NULL;
    *exact = false;
    if (m->tokenizer[0] && m->tokenizer_builtin) {
        *exact = true;
        return tok_open_encoding(m->tokenizer, out, err);
    }
    if (m->tokenizer[0]) {
        char path[4096];
        for (size_t i = 0; i < n_dirs; i++) {
            if (!dirs[i] || !dirs[i][0])
                continue;
            int n = snprintf(path, sizeof path, "%s/%s", dirs[i], m->tokenizer);
            if (n < 0 || (size_t)n >= sizeof path || access(path, R_OK) != 0)
                continue;
            /* found: it counts exactly, or the user hears why not (no quiet fallback) */
            *exact = true;
            return tok_open_file(path, NULL, out, err);
        }
    }
    if (m->approx_encoding[0])
        return tok_open_encoding(m->approx_encoding, out, err);
    if (m->tokenizer[0])
        return tok_fail(err, TOK_ENOENT, m->id, TOK_NO_OFFSET,
                        "%s: its tokenizer file %s is in none of the tokenizer directories "
                        "and the registry gives no approximation", m->id, m->tokenizer);
    return tok_fail(err, TOK_ENOENT, m->id, TOK_NO_OFFSET,
                    "%s: the registry names no tokenizer for it", m->id);
}
