/* model_map: OpenAI model name -> encoding, as tiktoken 0.14's model.py: an exact name first, then
 * the first matching prefix in model.py's order (so "gpt-4o-mini" reaches "gpt-4o-" before
 * "gpt-4-"). Names are case-sensitive there and here. */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

typedef struct model_map {
    const char *name, *encoding;
} model_map;

static const model_map exact[] = {
    /* reasoning */
    {"o1", "o200k_base"}, {"o3", "o200k_base"}, {"o4-mini", "o200k_base"},
    /* chat */
    {"gpt-5", "o200k_base"}, {"gpt-4.1", "o200k_base"}, {"gpt-4o", "o200k_base"},
    {"gpt-4", "cl100k_base"}, {"gpt-3.5-turbo", "cl100k_base"}, {"gpt-3.5", "cl100k_base"},
    {"gpt-35-turbo", "cl100k_base"},
    /* base */
    {"davinci-002", "cl100k_base"}, {"babbage-002", "cl100k_base"},
    /* embeddings */
    {"text-embedding-ada-002", "cl100k_base"}, {"text-embedding-3-small", "cl100k_base"},
    {"text-embedding-3-large", "cl100k_base"},
    /* deprecated: text */
    {"text-davinci-003", "p50k_base"}, {"text-davinci-002", "p50k_base"},
    {"text-davinci-001", "r50k_base"}, {"text-curie-001", "r50k_base"},
    {"text-babbage-001", "r50k_base"}, {"text-ada-001", "r50k_base"}, {"davinci", "r50k_base"},
    {"curie", "r50k_base"}, {"babbage", "r50k_base"}, {"ada", "r50k_base"},
    /* deprecated: code */
    {"code-davinci-002", "p50k_base"}, {"code-davinci-001", "p50k_base"},
    {"code-cushman-002", "p50k_base"}, {"code-cushman-001", "p50k_base"},
    {"davinci-codex", "p50k_base"}, {"cushman-codex", "p50k_base"},
    /* deprecated: edit */
    {"text-davinci-edit-001", "p50k_edit"}, {"code-davinci-edit-001", "p50k_edit"},
    /* deprecated: old embeddings */
    {"text-similarity-davinci-001", "r50k_base"}, {"text-similarity-curie-001", "r50k_base"},
    {"text-similarity-babbage-001", "r50k_base"}, {"text-similarity-ada-001", "r50k_base"},
    {"text-search-davinci-doc-001", "r50k_base"}, {"text-search-curie-doc-001", "r50k_base"},
    {"text-search-babbage-doc-001", "r50k_base"}, {"text-search-ada-doc-001", "r50k_base"},
    {"code-search-babbage-code-001", "r50k_base"}, {"code-search-ada-code-001", "r50k_base"},
    /* open source */
    {"gpt2", "gpt2"}, {"gpt-2", "gpt2"},
};

static const model_map prefixes[] = {
    {"o1-", "o200k_base"}, {"o3-", "o200k_base"}, {"o4-mini-", "o200k_base"},
    /* chat */
    {"gpt-5", "o200k_base"}, {"gpt-4.5-", "o200k_base"}, {"gpt-4.1-", "o200k_base"},
    {"chatgpt-4o-", "o200k_base"}, {"gpt-4o-", "o200k_base"}, {"gpt-4-", "cl100k_base"},
    {"gpt-3.5-turbo-", "cl100k_base"}, {"gpt-35-turbo-", "cl100k_base"},
    {"gpt-oss-", "o200k_harmony"},
    /* fine-tuned */
    {"ft:gpt-4o", "o200k_base"}, {"ft:gpt-4", "cl100k_base"}, {"ft:gpt-3.5-turbo", "cl100k_base"},
    {"ft:davinci-002", "cl100k_base"}, {"ft:babbage-002", "cl100k_base"},
};

#define N_EXACT (sizeof exact / sizeof exact[0])

/* Names to suggest: the exact names, then examples of families known only by prefix. */
static const char *const prefix_examples[] = {
    "gpt-4o-mini", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5-mini", "gpt-5-nano", "o3-mini",
    "o1-mini", "gpt-oss-120b", "gpt-oss-20b", "chatgpt-4o-latest", "gpt-4-turbo"};
#define N_EXAMPLES (sizeof prefix_examples / sizeof prefix_examples[0])

size_t tok_model_names(const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N_EXACT && n < cap; i++)
        out[n++] = exact[i].name;
    for (size_t i = 0; i < N_EXAMPLES && n < cap; i++)
        out[n++] = prefix_examples[i];
    return n;
}

tok_status tok_encoding_for_model(const char *model, const char **encoding, tok_error *err)
{
    if (!model || !encoding)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no model name given");
    for (size_t i = 0; i < N_EXACT; i++)
        if (strcmp(exact[i].name, model) == 0) {
            *encoding = exact[i].encoding;
            return TOK_OK;
        }
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(model, prefixes[i].name, strlen(prefixes[i].name)) == 0) {
            *encoding = prefixes[i].encoding;
            return TOK_OK;
        }
    *encoding = NULL;
    if (!err)
        return TOK_ENOENT;
    const char *names[N_EXACT + N_EXAMPLES];
    size_t n = tok_model_names(names, N_EXACT + N_EXAMPLES);
    char near[256];
    tok_closest_names(model, names, n, near, sizeof near);
    return tok_fail(err, TOK_ENOENT, model, TOK_NO_OFFSET, "unknown model '%s' (closest: %s)",
                    model, near);
}
