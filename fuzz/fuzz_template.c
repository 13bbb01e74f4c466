/* libFuzzer: lib/template compiles and renders anything without crashing, within its limits.
 * Input: template text, optionally a NUL byte and a JSON context; without one, a fixed chat
 * context (messages with a tool call, tools, add_generation_prompt) is used so the template's
 * loops and attribute accesses have data to walk. Limits are set low so every input is quick:
 * a hostile loop or recursion must end in TMPL_ERR_LIMIT, never a hang or an out-of-memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template/template.h"

static const char CONTEXT[] =
    "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
    " {\"role\": \"user\", \"content\": \"Hi \\u4e16\\u754c \\ud83d\\ude00\"},"
    " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"type\": \"function\","
    " \"function\": {\"name\": \"f\", \"arguments\": {\"x\": 1.5, \"y\": [1, \"a\"]}}}]},"
    " {\"role\": \"tool\", \"content\": \"42\"}],"
    " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {}}}],"
    " \"add_generation_prompt\": true, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    const char *text = (const char *)data;
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    const char *ctx = nul ? (const char *)nul + 1 : CONTEXT;
    size_t clen = nul ? size - tlen - 1 : sizeof CONTEXT - 1;
    tmpl *t = NULL;
    tmpl_error err;
    if (tmpl_compile(text, tlen, &t, &err) != TMPL_OK) {
        if (t)
            abort();
        return 0;
    }
    tmpl_limits lim = {.max_output = 1 << 20, .max_memory = 64 << 20, .max_depth = 64, .max_steps = 20000};
    tmpl_render_options opt = {.limits = &lim};
    char *out = NULL;
    size_t out_len = 0;
    tmpl_status st = tmpl_render(t, ctx, clen, &opt, &out, &out_len, &err);
    if (st == TMPL_OK) {
        if (!out || out[out_len] != 0 || out_len > lim.max_output)
            abort();
    } else if (out) {
        abort();
    }
    free(out);
    tmpl_free(t);
    return 0;
}
