/* open_model: the tokenizer that counts for a model of the registry -- its built-in encoding,
 * the vocabulary it names (a pack shipped with tokscope, or a tokenizer file of the user's), or
 * the encoding that approximates it -- and opening by model name (tok_open_model).
 *
 * Vocabularies are looked for, in order, in the caller's directories, the directories of
 * $TOKSCOPE_TOKENIZER_PATH (colon-separated), then the data directory: $TOKSCOPE_DATA_DIR when
 * set (a relocated install), else the installed one (TOK_DATADIR, $(PREFIX)/share/tokscope)
 * and the build's (TOK_BUILD_DATADIR, for running from the source tree) -- as NAME.tkz (a pack)
 * or NAME/tokenizer.json. Nothing is downloaded at run time. */
#include "api/api.h"
#include "registry/registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef TOK_DATADIR
#define TOK_DATADIR "/usr/local/share/tokscope"
#endif
#ifndef TOK_BUILD_DATADIR
#define TOK_BUILD_DATADIR ""
#endif

size_t tok_data_dirs(const char *dirs[2])
{
    const char *data = getenv("TOKSCOPE_DATA_DIR");
    size_t n = 0;
    if (data) {
        if (data[0])
            dirs[n++] = data;
        return n;
    }
    dirs[n++] = TOK_DATADIR;
    if (TOK_BUILD_DATADIR[0])
        dirs[n++] = TOK_BUILD_DATADIR;
    return n;
}

/* The first file of NAME in the search path into path; false if none is readable. */
static bool find_vocab(const char *name, const char *const *dirs, size_t n_dirs, char *path,
                       size_t cap)
{
    const char *env = getenv("TOKSCOPE_TOKENIZER_PATH");
    const char *fixed[2] = {NULL, NULL};
    tok_data_dirs(fixed);
    char envbuf[4096];
    snprintf(envbuf, sizeof envbuf, "%s", env ? env : "");
    /* the caller's, then the environment's, then the installed and the build's */
    for (int pass = 0; pass < 3; pass++) {
        const char *list[64];
        size_t n = 0;
        if (pass == 0) {
            for (size_t i = 0; i < n_dirs && n < 64; i++)
                list[n++] = dirs[i];
        } else if (pass == 1) {
            for (char *save = NULL, *d = strtok_r(envbuf, ":", &save); d && n < 64;
                 d = strtok_r(NULL, ":", &save))
                list[n++] = d;
        } else {
            list[n++] = fixed[0];
            list[n++] = fixed[1];
        }
        for (size_t i = 0; i < n; i++) {
            if (!list[i] || !list[i][0])
                continue;
            int k = snprintf(path, cap, "%s/%s.tkz", list[i], name);
            if (k > 0 && (size_t)k < cap && access(path, R_OK) == 0)
                return true;
            k = snprintf(path, cap, "%s/%s/tokenizer.json", list[i], name);
            if (k > 0 && (size_t)k < cap && access(path, R_OK) == 0)
                return true;
        }
    }
    return false;
}

bool tok_model_own_template(const tok_model *m)
{
    return m && strcmp(m->provider, "openai") != 0 && strcmp(m->provider, "anthropic") != 0 &&
           strncmp(m->id, "gemini", 6) != 0;
}

bool tok_model_counts_exactly(const tok_model *m, const char *const *dirs, size_t n_dirs)
{
    char path[4096];
    return m && ((m->tokenizer[0] && m->tokenizer_builtin) ||
                 (m->tokenizer[0] && find_vocab(m->tokenizer, dirs, n_dirs, path, sizeof path)));
}

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
    char path[4096];
    if (m->tokenizer[0] && find_vocab(m->tokenizer, dirs, n_dirs, path, sizeof path)) {
        /* found: it counts exactly, or the user hears why not (no quiet fallback) */
        *exact = true;
        return tok_open_file(path, NULL, out, err);
    }
    if (m->approx_encoding[0])
        return tok_open_encoding(m->approx_encoding, out, err);
    if (m->tokenizer[0])
        return tok_fail(err, TOK_ENOENT, m->id, TOK_NO_OFFSET,
                        "%s: its vocabulary %s is not installed (make vocabs builds it; "
                        "$TOKSCOPE_TOKENIZER_PATH or --tokenizer-dir name other places) and "
                        "the registry gives no approximation", m->id, m->tokenizer);
    return tok_fail(err, TOK_ENOENT, m->id, TOK_NO_OFFSET,
                    "%s: the registry names no tokenizer for it", m->id);
}
