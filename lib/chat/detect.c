/* detect: which API a request body is written for, from its shape.
 *
 *   a JSON array                      a Chat Completions messages array
 *   "contents" / "systemInstruction"  Gemini generateContent
 *   "input" / "instructions"          OpenAI Responses
 *   "messages"                        Chat Completions or Anthropic Messages: fields only one of
 *                                     them has decide (a top-level "system", content blocks
 *                                     tool_use / tool_result / document / thinking, tools with
 *                                     input_schema: Anthropic; roles system, developer, tool,
 *                                     function, tool_calls, image_url parts, tools with a
 *                                     "function": Chat Completions); a body with neither is
 *                                     Anthropic's for a Claude model, else Chat Completions.
 * A body with markers of both, or of none of the shapes, is an error that says what was found. */
#include "chat/request.h"

#include <stdio.h>
#include <string.h>

typedef struct clue {
    const char *what; /* "top-level \"system\"" */
    char path[96];
    uint32_t node;
} clue;

static void note(clue *c, uint32_t node, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(clue *c, uint32_t node, const char *what, const char *fmt, ...)
{
    if (c->what)
        return; /* the first one is enough to name */
    c->what = what;
    c->node = node;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->path, sizeof c->path, fmt, ap);
    va_end(ap);
}

static bool str_is(chat_run *r, uint32_t node, const char *lit)
{
    cstr s;
    return node != J_NONE && chat_type(r, node) == J_STRING && chat_str(r, node, &s) == TOK_OK &&
           cstr_is(s, lit);
}

static void look_at_messages(chat_run *r, uint32_t msgs, clue *ant, clue *oai)
{
    size_t i = 0;
    for (uint32_t m = r->doc.nodes[msgs].child; m != J_NONE; m = r->doc.nodes[m].next, i++) {
        if (chat_type(r, m) != J_OBJECT)
            continue;
        uint32_t role = json_get(&r->doc, m, "role");
        static const char *const oai_roles[] = {"system", "developer", "tool", "function", NULL};
        for (const char *const *k = oai_roles; *k; k++)
            if (str_is(r, role, *k))
                note(oai, role, "a message with role system, developer, tool or function",
                     "messages[%zu].role", i);
        if (json_get(&r->doc, m, "tool_calls") != J_NONE)
            note(oai, m, "tool_calls", "messages[%zu].tool_calls", i);
        if (json_get(&r->doc, m, "function_call") != J_NONE)
            note(oai, m, "function_call", "messages[%zu].function_call", i);
        uint32_t c = json_get(&r->doc, m, "content");
        if (c == J_NONE || chat_type(r, c) != J_ARRAY)
            continue;
        size_t j = 0;
        for (uint32_t p = r->doc.nodes[c].child; p != J_NONE; p = r->doc.nodes[p].next, j++) {
            if (chat_type(r, p) != J_OBJECT)
                continue;
            uint32_t ty = json_get(&r->doc, p, "type");
            static const char *const ant_types[] = {"tool_use", "tool_result", "document",
                                                    "thinking", "redacted_thinking", NULL};
            for (const char *const *k = ant_types; *k; k++)
                if (str_is(r, ty, *k))
                    note(ant, p, "a tool_use, tool_result, document or thinking block",
                         "messages[%zu].content[%zu]", i, j);
            if (str_is(r, ty, "image") && json_get(&r->doc, p, "source") != J_NONE)
                note(ant, p, "an image block with a source", "messages[%zu].content[%zu]", i, j);
            static const char *const oai_types[] = {"image_url", "input_audio", "file", NULL};
            for (const char *const *k = oai_types; *k; k++)
                if (str_is(r, ty, *k))
                    note(oai, p, "an image_url, input_audio or file part",
                         "messages[%zu].content[%zu]", i, j);
        }
    }
}

tok_request_api chat_detect(chat_run *r, tok_status *st)
{
    *st = TOK_OK;
    if (chat_type(r, 0) == J_ARRAY)
        return TOK_REQUEST_OPENAI_CHAT;
    if (chat_type(r, 0) != J_OBJECT) {
        *st = chat_fail(r, 0, TOK_EINVAL,
                        "expected a request body (an object) or an array of messages, not %s",
                        chat_type_name(chat_type(r, 0)));
        return TOK_REQUEST_DETECT;
    }
    const json_doc *d = &r->doc;
    bool msgs = json_get(d, 0, "messages") != J_NONE;
    bool gem = json_get(d, 0, "contents") != J_NONE ||
               json_get(d, 0, "systemInstruction") != J_NONE ||
               json_get(d, 0, "system_instruction") != J_NONE;
    bool resp = json_get(d, 0, "input") != J_NONE || json_get(d, 0, "instructions") != J_NONE;
    if (gem + msgs + resp > 1) {
        char list[160] = "";
        if (msgs)
            strcat(list, "\"messages\": Chat Completions or Anthropic");
        if (gem)
            strcat(strcat(list, list[0] ? ", " : ""), "\"contents\": Gemini");
        if (resp)
            strcat(strcat(list, list[0] ? ", " : ""), "\"input\" or \"instructions\": Responses");
        *st = chat_fail(r, 0, TOK_EINVAL,
                        "the body has fields of several APIs (%s); name the API (--api "
                        "openai|responses|anthropic|gemini)",
                        list);
        return TOK_REQUEST_DETECT;
    }
    if (gem)
        return TOK_REQUEST_GEMINI;
    if (resp)
        return TOK_REQUEST_OPENAI_RESPONSES;
    if (!msgs) {
        *st = chat_fail(r, 0, TOK_EINVAL,
                        "the body matches no API: expected \"messages\" (OpenAI Chat Completions, "
                        "Anthropic Messages), \"input\" (OpenAI Responses) or \"contents\" "
                        "(Gemini), or an array of messages");
        return TOK_REQUEST_DETECT;
    }
    clue ant = {0}, oai = {0};
    uint32_t v;
    if ((v = json_get(d, 0, "system")) != J_NONE)
        note(&ant, v, "a top-level \"system\"", "system");
    if ((v = json_get(d, 0, "anthropic_version")) != J_NONE)
        note(&ant, v, "\"anthropic_version\"", "anthropic_version");
    if ((v = json_get(d, 0, "thinking")) != J_NONE)
        note(&ant, v, "\"thinking\"", "thinking");
    if ((v = json_get(d, 0, "functions")) != J_NONE)
        note(&oai, v, "\"functions\"", "functions");
    if ((v = json_get(d, 0, "tools")) != J_NONE && chat_type(r, v) == J_ARRAY) {
        size_t i = 0;
        for (uint32_t t = d->nodes[v].child; t != J_NONE; t = d->nodes[t].next, i++) {
            if (chat_type(r, t) != J_OBJECT)
                continue;
            if (json_get(d, t, "input_schema") != J_NONE)
                note(&ant, t, "a tool with input_schema", "tools[%zu]", i);
            if (json_get(d, t, "function") != J_NONE)
                note(&oai, t, "a tool with a \"function\"", "tools[%zu]", i);
        }
    }
    uint32_t ms = json_get(d, 0, "messages");
    if (chat_type(r, ms) == J_ARRAY)
        look_at_messages(r, ms, &ant, &oai);
    if (ant.what && oai.what) {
        chat_path_set(r, ant.path);
        *st = chat_fail(r, ant.node, TOK_EINVAL,
                        "%s is Anthropic's, but %s is OpenAI's (at %s); name the API (--api "
                        "openai or anthropic)",
                        ant.what, oai.what, oai.path);
        return TOK_REQUEST_DETECT;
    }
    if (ant.what)
        return TOK_REQUEST_ANTHROPIC;
    if (oai.what)
        return TOK_REQUEST_OPENAI_CHAT;
    return chat_model_family(r) == FAM_ANTHROPIC ? TOK_REQUEST_ANTHROPIC
                                                 : TOK_REQUEST_OPENAI_CHAT;
}
