/* pack: compiling a tokenizer file into tokscope's pack (the public tok_pack). */
#include "api/api.h"
#include "base/json.h"
#include "formats/hf/hf.h"

tok_status tok_pack(const void *data, size_t len, const char *label, const void *chat,
                    size_t chat_len, void **out, size_t *out_len, tok_error *err)
{
    if (!out || !out_len || (!data && len) || (!chat && chat_len))
        return tok_fail(err, TOK_EINVAL, label, TOK_NO_OFFSET, "invalid arguments to tok_pack");
    *out = NULL;
    *out_len = 0;
    const char *src = label ? label : "<memory>";
    const uint8_t *p = data;
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    if (i == len || p[i] != '{')
        return tok_fail(err, TOK_EUNSUPPORTED, src, TOK_NO_OFFSET,
                        "%s: only tokenizer.json files are packed (.tiktoken and .model files "
                        "open in milliseconds already)", src);
    if (chat) { /* it must be what it says: a JSON object */
        json_doc d;
        size_t at;
        const char *msg;
        if (!json_parse(&d, chat, chat_len, &at, &msg))
            return tok_fail(err, TOK_EFORMAT, src, at,
                            "%s: the tokenizer_config.json given with it is not valid JSON at "
                            "byte %zu: %s", src, at, msg);
        bool object = d.nodes[0].type == J_OBJECT;
        json_free(&d);
        if (!object)
            return tok_fail(err, TOK_EFORMAT, src, 0,
                            "%s: the tokenizer_config.json given with it is not a JSON object",
                            src);
    }
    return tok_hf_pack(p, len, src, chat, chat_len, out, out_len, err);
}
