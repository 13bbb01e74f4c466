/* openai_body: an OpenAI Chat Completions body (or a bare messages array) read into a
 * conversation. Every field is checked: a wrong type is an error naming its JSON path; a field
 * that holds input tokscope cannot count (response_format's schema, web search, audio parts) is
 * kept as an unknown item; fields that are not input (temperature, max_tokens, ...) are passed
 * over. */
#include "chat/conversation.h"

#include <string.h>

static void *arena_array(chat_run *r, size_t n, size_t size)
{
    void *p = chat_arena_alloc(&r->arena, (n ? n : 1) * size);
    if (p)
        memset(p, 0, (n ? n : 1) * size);
    return p;
}

/* ---- content ---- */

static tok_status read_part(chat_run *r, uint32_t p, conv_part *out)
{
    tok_status st;
    if (chat_type(r, p) != J_OBJECT)
        return chat_fail(r, p, TOK_EINVAL, "expected a content part object, not %s",
                         chat_type_name(chat_type(r, p)));
    cstr ty = {"text", 4};
    bool has;
    if ((st = chat_member_str(r, p, "type", false, &ty, &has)) != TOK_OK)
        return st;
    if (!has)
        ty = (cstr){"text", 4};
    if (!(out->path = chat_path_copy(r)))
        return chat_oom(r);
    size_t at;
    if (cstr_is(ty, "text") || cstr_is(ty, "refusal")) {
        const char *key = cstr_is(ty, "text") ? "text" : "refusal";
        out->type = cstr_is(ty, "text") ? CP_TEXT : CP_REFUSAL;
        uint32_t tx = json_get(&r->doc, p, key);
        at = chat_path_key(r, key, strlen(key));
        if (tx == J_NONE)
            return chat_fail(r, p, TOK_EINVAL, "missing (a %s part needs its %s)", key, key);
        if ((st = chat_want_str(r, tx, &out->text)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
        return TOK_OK;
    }
    if (cstr_is(ty, "image_url")) {
        out->type = CP_IMAGE;
        out->from = 0; /* IMG_URL */
        uint32_t iu = json_get(&r->doc, p, "image_url");
        at = chat_path_key(r, "image_url", 9);
        if (iu == J_NONE)
            return chat_fail(r, p, TOK_EINVAL, "missing (an image_url part needs its image_url)");
        if (chat_type(r, iu) == J_STRING) /* some clients send the URL itself */
            return (out->path = chat_path_copy(r)) ? chat_str(r, iu, &out->url) : chat_oom(r);
        if ((st = chat_want_type(r, iu, J_OBJECT, "an object {url, detail}")) != TOK_OK)
            return st;
        bool hu, hd;
        if ((st = chat_member_str(r, iu, "url", false, &out->url, &hu)) != TOK_OK ||
            (st = chat_member_str(r, iu, "detail", true, &out->detail, &hd)) != TOK_OK)
            return st;
        if (!hu)
            return chat_fail(r, iu, TOK_EINVAL, "no url");
        if (hd && !cstr_is(out->detail, "low") && !cstr_is(out->detail, "high") &&
            !cstr_is(out->detail, "auto")) {
            chat_path_key(r, "detail", 6);
            return chat_fail(r, json_get(&r->doc, iu, "detail"), TOK_EINVAL,
                             "expected low, high or auto, not \"%.*s\"",
                             (int)(out->detail.n > 40 ? 40 : out->detail.n), out->detail.s);
        }
        chat_path_key(r, "url", 3);
        if (!(out->path = chat_path_copy(r)))
            return chat_oom(r);
        chat_path_pop(r, at);
        return TOK_OK;
    }
    if (cstr_is(ty, "input_audio") || cstr_is(ty, "file")) {
        out->type = cstr_is(ty, "file") ? CP_FILE : CP_AUDIO;
        return TOK_OK;
    }
    at = chat_path_key(r, "type", 4);
    return chat_fail(r, json_get(&r->doc, p, "type"), TOK_EINVAL,
                     "unknown content part type \"%.*s\" (expected text, image_url, input_audio, "
                     "file or refusal)",
                     (int)(ty.n > 40 ? 40 : ty.n), ty.s);
}

static tok_status read_content(chat_run *r, uint32_t node, conv_msg *m)
{
    uint8_t t = chat_type(r, node);
    /* a second "content" key replaces the first, as JSON.parse keeps the last */
    m->parts = NULL;
    m->n_parts = 0;
    m->string_content = false;
    if (t == J_NULL)
        return TOK_OK;
    if (t == J_STRING) {
        if (!(m->parts = arena_array(r, 1, sizeof *m->parts)) || !(m->parts[0].path = chat_path_copy(r)))
            return chat_oom(r);
        m->n_parts = 1;
        m->string_content = true;
        return chat_str(r, node, &m->parts[0].text);
    }
    if (t != J_ARRAY)
        return chat_fail(r, node, TOK_EINVAL,
                         "expected a string, an array of content parts or null, not %s",
                         chat_type_name(t));
    const json_node *a = &r->doc.nodes[node];
    if (!(m->parts = arena_array(r, a->count, sizeof *m->parts)))
        return chat_oom(r);
    size_t j = 0;
    for (uint32_t p = a->child; p != J_NONE; p = r->doc.nodes[p].next, j++) {
        size_t at = chat_path_index(r, j);
        tok_status st = read_part(r, p, &m->parts[m->n_parts]);
        if (st != TOK_OK)
            return st;
        m->n_parts++;
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

/* {"name": ..., "arguments": ...} at the current path. */
static tok_status read_function(chat_run *r, uint32_t fn, conv_call *k)
{
    tok_status st;
    if (chat_type(r, fn) != J_OBJECT)
        return chat_fail(r, fn, TOK_EINVAL, "expected an object with name and arguments, not %s",
                         chat_type_name(chat_type(r, fn)));
    bool has;
    if ((st = chat_member_str(r, fn, "name", false, &k->name, &has)) != TOK_OK)
        return st;
    if (!has)
        return chat_fail(r, fn, TOK_EINVAL, "no function name");
    k->args = (cstr){"", 0};
    uint32_t ar = json_get(&r->doc, fn, "arguments");
    if (ar != J_NONE && chat_type(r, ar) != J_NULL) {
        size_t at = chat_path_key(r, "arguments", 9);
        if (chat_type(r, ar) != J_STRING)
            return chat_fail(r, ar, TOK_EINVAL,
                             "expected a string (the arguments as JSON text), not %s",
                             chat_type_name(chat_type(r, ar)));
        if ((st = chat_str(r, ar, &k->args)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

static tok_status read_tool_calls(chat_run *r, uint32_t node, conv_msg *m)
{
    uint8_t t = chat_type(r, node);
    if (t == J_NULL)
        return TOK_OK;
    if (t != J_ARRAY)
        return chat_fail(r, node, TOK_EINVAL, "expected an array of tool calls, not %s",
                         chat_type_name(t));
    const json_node *a = &r->doc.nodes[node];
    conv_call *calls = arena_array(r, m->n_calls + a->count, sizeof *calls);
    if (!calls)
        return chat_oom(r);
    if (m->n_calls)
        memcpy(calls, m->calls, m->n_calls * sizeof *calls);
    m->calls = calls;
    size_t j = 0;
    for (uint32_t p = a->child; p != J_NONE; p = r->doc.nodes[p].next, j++) {
        size_t at = chat_path_index(r, j);
        tok_status st;
        if (chat_type(r, p) != J_OBJECT)
            return chat_fail(r, p, TOK_EINVAL, "expected a tool call object, not %s",
                             chat_type_name(chat_type(r, p)));
        conv_call *k = &m->calls[m->n_calls];
        cstr ty;
        bool has;
        if ((st = chat_member_str(r, p, "type", false, &ty, &has)) != TOK_OK)
            return st;
        if (has && !cstr_is(ty, "function")) {
            chat_path_key(r, "type", 4);
            return chat_fail(r, json_get(&r->doc, p, "type"), TOK_EUNSUPPORTED,
                             "\"%.*s\" tool calls cannot be counted (only \"function\")",
                             (int)(ty.n > 40 ? 40 : ty.n), ty.s);
        }
        if ((st = chat_member_str(r, p, "id", true, &k->id, &k->has_id)) != TOK_OK)
            return st;
        uint32_t fn = json_get(&r->doc, p, "function");
        if (!(k->path = chat_path_copy(r)))
            return chat_oom(r);
        chat_path_key(r, "function", 8);
        if (fn == J_NONE)
            return chat_fail(r, p, TOK_EINVAL, "missing (a tool call needs its function)");
        if ((st = read_function(r, fn, k)) != TOK_OK)
            return st;
        m->n_calls++;
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

static const char *const roles[] = {"system", "developer", "user", "assistant", "tool",
                                    "function", NULL};

static tok_status read_message(chat_run *r, uint32_t node, conv_msg *m)
{
    if (chat_type(r, node) != J_OBJECT)
        return chat_fail(r, node, TOK_EINVAL, "expected a message object, not %s",
                         chat_type_name(chat_type(r, node)));
    if (!(m->path = chat_path_copy(r)))
        return chat_oom(r);
    bool has_role = false, has_content = false;
    uint32_t tc = J_NONE, fc = J_NONE; /* read after the loop: a key given twice counts once */
    for (uint32_t f = r->doc.nodes[node].child; f != J_NONE; f = r->doc.nodes[f].next) {
        tok_status st = TOK_OK;
        uint8_t t = chat_type(r, f);
        cstr key;
        if ((st = chat_key(r, f, &key)) != TOK_OK)
            return st;
        size_t at = chat_path_key(r, key.s, key.n);
        if (cstr_is(key, "role")) {
            st = chat_want_str(r, f, &m->role);
            has_role = true;
        } else if (cstr_is(key, "content")) {
            st = read_content(r, f, m);
            has_content = t != J_NULL;
        } else if (cstr_is(key, "name")) {
            if (t != J_NULL) {
                st = chat_want_str(r, f, &m->name);
                m->has_name = true;
            }
        } else if (cstr_is(key, "tool_call_id")) {
            if (t != J_NULL) {
                st = chat_want_str(r, f, &m->tool_call_id);
                m->has_tool_call_id = true;
            }
        } else if (cstr_is(key, "tool_calls")) {
            tc = f;
        } else if (cstr_is(key, "function_call")) {
            fc = t != J_NULL ? f : J_NONE;
        } else if (cstr_is(key, "refusal") || cstr_is(key, "annotations") ||
                   cstr_is(key, "audio")) {
            /* fields of API responses that are not part of the prompt when empty */
            if (t != J_NULL && !(t == J_ARRAY && r->doc.nodes[f].count == 0))
                st = chat_fail(r, f, TOK_EUNSUPPORTED, "cannot be counted (only null or empty)");
        } else {
            st = chat_fail(r, f, TOK_EINVAL,
                           "unknown message field (expected role, content, name, tool_calls, "
                           "tool_call_id, function_call)");
        }
        if (st != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    tok_status st;
    if (fc != J_NONE) { /* the deprecated single call, first */
        chat_path_set(r, m->path);
        chat_path_key(r, "function_call", 13);
        if (!(m->calls = arena_array(r, 1, sizeof *m->calls)) ||
            !(m->calls[0].path = chat_path_copy(r)))
            return chat_oom(r);
        if ((st = read_function(r, fc, &m->calls[0])) != TOK_OK)
            return st;
        m->n_calls = 1;
        m->legacy_call = true;
    }
    if (tc != J_NONE) {
        chat_path_set(r, m->path);
        chat_path_key(r, "tool_calls", 10);
        if ((st = read_tool_calls(r, tc, m)) != TOK_OK)
            return st;
    }
    chat_path_set(r, m->path);
    if (!has_role)
        return chat_fail(r, node, TOK_EINVAL, "no role");
    bool known = false;
    for (const char *const *k = roles; *k; k++)
        known |= cstr_is(m->role, *k);
    if (!known) {
        chat_path_key(r, "role", 4);
        return chat_fail(r, json_get(&r->doc, node, "role"), TOK_EINVAL,
                         "unknown role \"%.*s\" (expected system, developer, user, assistant, tool "
                         "or function)",
                         (int)(m->role.n > 40 ? 40 : m->role.n), m->role.s);
    }
    if (!has_content && !m->n_calls)
        return chat_fail(r, node, TOK_EINVAL,
                         "no content (the API requires it; only an assistant message with "
                         "tool_calls or function_call may leave it out or null)");
    if (m->n_calls && !cstr_is(m->role, "assistant")) {
        const char *k = m->legacy_call ? "function_call" : "tool_calls";
        chat_path_key(r, k, strlen(k));
        return chat_fail(r, json_get(&r->doc, node, k), TOK_EINVAL,
                         "only assistant messages make tool calls");
    }
    return TOK_OK;
}

/* ---- definitions and choices ---- */

tok_status conv_fn_add(chat_run *r, conversation *cv, uint32_t node)
{
    tok_status st;
    if (chat_type(r, node) != J_OBJECT)
        return chat_fail(r, node, TOK_EINVAL, "expected a function definition object, not %s",
                         chat_type_name(chat_type(r, node)));
    conv_fn f = {node, {0}, chat_path_copy(r)};
    bool has;
    if (!f.path)
        return chat_oom(r);
    if ((st = chat_member_str(r, node, "name", false, &f.name, &has)) != TOK_OK)
        return st;
    if (!has)
        return chat_fail(r, node, TOK_EINVAL, "no function name");
    cstr d;
    if ((st = chat_member_str(r, node, "description", true, &d, &has)) != TOK_OK)
        return st;
    uint32_t p = json_get(&r->doc, node, "parameters");
    if (p != J_NONE && chat_type(r, p) != J_NULL) {
        size_t at = chat_path_key(r, "parameters", 10);
        if ((st = chat_want_type(r, p, J_OBJECT, "a JSON schema object")) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    uint32_t s = json_get(&r->doc, node, "strict");
    if (s != J_NONE && chat_type(r, s) == J_TRUE)
        cv->strict = true;
    if (!tok_grow(&cv->fns, &cv->cap_fns, cv->n_fns + 1, sizeof *cv->fns, 8))
        return chat_oom(r);
    cv->fns[cv->n_fns++] = f;
    return TOK_OK;
}

tok_status conv_extra_add(chat_run *r, conversation *cv, int kind, const char *what,
                          const char *source)
{
    if (!tok_grow(&cv->extras, &cv->cap_extras, cv->n_extras + 1, sizeof *cv->extras, 4))
        return chat_oom(r);
    conv_extra *e = &cv->extras[cv->n_extras];
    *e = (conv_extra){(uint8_t)kind, chat_path_copy(r), what, source};
    if (!e->path || !what)
        return chat_oom(r);
    cv->n_extras++;
    return TOK_OK;
}

static tok_status read_tools(chat_run *r, conversation *cv, uint32_t node)
{
    tok_status st;
    if (chat_type(r, node) == J_NULL)
        return TOK_OK;
    if ((st = chat_want_type(r, node, J_ARRAY, "an array of tools")) != TOK_OK)
        return st;
    size_t i = 0;
    for (uint32_t t = r->doc.nodes[node].child; t != J_NONE; t = r->doc.nodes[t].next, i++) {
        size_t at = chat_path_index(r, i);
        if ((st = chat_want_type(r, t, J_OBJECT, "a tool object")) != TOK_OK)
            return st;
        cstr ty;
        bool has;
        if ((st = chat_member_str(r, t, "type", false, &ty, &has)) != TOK_OK)
            return st;
        if (!has)
            return chat_fail(r, t, TOK_EINVAL, "no type (expected \"function\")");
        if (cstr_is(ty, "function")) {
            uint32_t fn = json_get(&r->doc, t, "function");
            chat_path_key(r, "function", 8);
            if (fn == J_NONE)
                return chat_fail(r, t, TOK_EINVAL, "missing (a function tool needs its function)");
            if ((st = conv_fn_add(r, cv, fn)) != TOK_OK)
                return st;
        } else if ((st = conv_extra_add(
                        r, cv, TOK_PART_TOOL_DEFS, chat_fmt(r, "%.*s tool", (int)(ty.n > 40 ? 40 : ty.n), ty.s),
                        "a tool that is not a function: how the model sees it is not published")) !=
                   TOK_OK) {
            return st;
        }
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

static tok_status read_functions(chat_run *r, conversation *cv, uint32_t node)
{
    tok_status st;
    if (chat_type(r, node) == J_NULL)
        return TOK_OK;
    if ((st = chat_want_type(r, node, J_ARRAY, "an array of function definitions")) != TOK_OK)
        return st;
    size_t i = 0, before = cv->n_fns;
    for (uint32_t f = r->doc.nodes[node].child; f != J_NONE; f = r->doc.nodes[f].next, i++) {
        size_t at = chat_path_index(r, i);
        if ((st = conv_fn_add(r, cv, f)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    cv->fns_via_functions = cv->n_fns > before;
    return TOK_OK;
}

/* function_call: "none" | "auto" | {"name"}; tool_choice: "none" | "auto" | "required" |
 * {"type": "function", "function": {"name"}}. */
static tok_status read_choice(chat_run *r, uint32_t node, bool tool, int *kind, cstr *name,
                              const char **path, conversation *cv)
{
    tok_status st;
    if (!(*path = chat_path_copy(r)))
        return chat_oom(r);
    uint8_t t = chat_type(r, node);
    if (t == J_NULL) {
        *kind = CHOICE_ABSENT;
        return TOK_OK;
    }
    if (t == J_STRING) {
        cstr s;
        if ((st = chat_str(r, node, &s)) != TOK_OK)
            return st;
        if (cstr_is(s, "auto"))
            *kind = CHOICE_AUTO;
        else if (cstr_is(s, "none"))
            *kind = CHOICE_NONE;
        else if (tool && cstr_is(s, "required"))
            *kind = CHOICE_REQUIRED;
        else
            return chat_fail(r, node, TOK_EINVAL, "expected \"auto\", \"none\"%s or %s, not \"%.*s\"",
                             tool ? ", \"required\"" : "",
                             tool ? "{\"type\": \"function\", \"function\": {\"name\": ...}}"
                                  : "{\"name\": ...}",
                             (int)(s.n > 40 ? 40 : s.n), s.s);
        return TOK_OK;
    }
    if ((st = chat_want_type(r, node, J_OBJECT, "a string or an object")) != TOK_OK)
        return st;
    uint32_t holder = node;
    if (tool) {
        cstr ty;
        bool has;
        if ((st = chat_member_str(r, node, "type", false, &ty, &has)) != TOK_OK)
            return st;
        if (has && !cstr_is(ty, "function")) {
            *kind = CHOICE_ABSENT;
            return conv_extra_add(r, cv, TOK_PART_TOOL_DEFS,
                                  chat_fmt(r, "tool_choice %.*s", (int)(ty.n > 40 ? 40 : ty.n), ty.s),
                                  "a tool_choice that is not a function: not published");
        }
        holder = json_get(&r->doc, node, "function");
        chat_path_key(r, "function", 8);
        if (holder == J_NONE)
            return chat_fail(r, node, TOK_EINVAL, "missing (expected {\"name\": ...})");
        if ((st = chat_want_type(r, holder, J_OBJECT, "an object {\"name\": ...}")) != TOK_OK)
            return st;
    }
    bool has;
    if ((st = chat_member_str(r, holder, "name", false, name, &has)) != TOK_OK)
        return st;
    if (!has)
        return chat_fail(r, holder, TOK_EINVAL, "no function name");
    *kind = CHOICE_NAMED;
    return TOK_OK;
}

/* Fields of a Chat Completions body that are not input. */
static const char *const not_input[] = {
    "model", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stream",
    "stream_options", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
    "top_logprobs", "user", "seed", "service_tier", "parallel_tool_calls", "store", "metadata",
    "modalities", "audio", "prediction", "verbosity", "prompt_cache_key", "safety_identifier",
    NULL};

static tok_status read_response_format(chat_run *r, conversation *cv, uint32_t node)
{
    tok_status st;
    if (chat_type(r, node) == J_NULL)
        return TOK_OK;
    if ((st = chat_want_type(r, node, J_OBJECT, "an object {\"type\": ...}")) != TOK_OK)
        return st;
    cstr ty;
    bool has;
    if ((st = chat_member_str(r, node, "type", false, &ty, &has)) != TOK_OK)
        return st;
    if (!has)
        return chat_fail(r, node, TOK_EINVAL, "no type (expected text, json_object or json_schema)");
    if (cstr_is(ty, "text"))
        return TOK_OK;
    return conv_extra_add(r, cv, TOK_PART_SYSTEM,
                          chat_fmt(r, "response_format %.*s", (int)(ty.n > 40 ? 40 : ty.n), ty.s),
                          "response_format: how the API shows a JSON mode or schema to the model "
                          "is not published (RULES.md 2.7)");
}

tok_status conv_read_chat(chat_run *r, conversation *cv)
{
    tok_status st;
    uint32_t arr = 0;
    chat_path_set(r, "");
    if (chat_type(r, 0) == J_OBJECT) {
        arr = json_get(&r->doc, 0, "messages");
        if (arr == J_NONE)
            return chat_fail(r, 0, TOK_EINVAL,
                             "no \"messages\" (expected an array of messages, or an object with "
                             "one)");
        for (uint32_t f = r->doc.nodes[0].child; f != J_NONE; f = r->doc.nodes[f].next) {
            cstr key;
            if ((st = chat_key(r, f, &key)) != TOK_OK)
                return st;
            size_t at = chat_path_key(r, key.s, key.n);
            if (cstr_is(key, "tools"))
                st = read_tools(r, cv, f);
            else if (cstr_is(key, "functions"))
                st = read_functions(r, cv, f);
            else if (cstr_is(key, "function_call"))
                st = read_choice(r, f, false, &cv->function_call, &cv->function_call_name,
                                 &cv->function_call_path, cv);
            else if (cstr_is(key, "tool_choice"))
                st = read_choice(r, f, true, &cv->tool_choice, &cv->tool_choice_name,
                                 &cv->tool_choice_path, cv);
            else if (cstr_is(key, "response_format"))
                st = read_response_format(r, cv, f);
            else if (cstr_is(key, "reasoning_effort")) {
                if (chat_type(r, f) != J_NULL)
                    st = chat_want_str(r, f, &cv->effort);
            } else if (cstr_is(key, "web_search_options"))
                st = conv_extra_add(r, cv, TOK_PART_TOOL_DEFS, "web search",
                                    "web search adds what it finds to the input: unknown offline");
            else if (!cstr_is(key, "messages")) {
                bool known = false;
                for (const char *const *k = not_input; *k && !known; k++)
                    known = cstr_is(key, *k);
                if (!known)
                    st = conv_extra_add(r, cv, TOK_PART_FRAMING, "unknown field",
                                        "a field tokscope does not know: whether it adds input "
                                        "tokens is unknown");
            }
            if (st != TOK_OK)
                return st;
            chat_path_pop(r, at);
        }
        chat_path_set(r, "messages");
    }
    if (chat_type(r, arr) != J_ARRAY)
        return chat_fail(r, arr, TOK_EINVAL, "expected an array of messages%s, not %s",
                         arr == 0 ? " (or an object with one)" : "",
                         chat_type_name(chat_type(r, arr)));
    if ((st = chat_want_items(r, arr, "the API refuses a request without messages")) != TOK_OK)
        return st;
    const json_node *a = &r->doc.nodes[arr];
    if (!(cv->msgs = arena_array(r, a->count, sizeof *cv->msgs)))
        return chat_oom(r);
    size_t i = 0;
    for (uint32_t m = a->child; m != J_NONE; m = r->doc.nodes[m].next, i++) {
        chat_path_set(r, "messages");
        chat_path_index(r, i);
        if ((st = read_message(r, m, &cv->msgs[i])) != TOK_OK)
            return st;
        cv->n_msgs++;
    }
    chat_path_set(r, "");
    return TOK_OK;
}
