/* responses_body: an OpenAI Responses body read into the conversation it stands for (RULES.md
 * section 7): "instructions" as a system message, a string "input" as one user message, input
 * items as messages, function_call items as assistant calls, function_call_output items as
 * tool results, function tools as definitions. What lives on OpenAI's side (built-in tools,
 * previous_response_id, conversation, stored prompts, reasoning items) is an unknown item. */
#include "chat/conversation.h"

#include <string.h>

static void *arena_array(chat_run *r, size_t n, size_t size)
{
    void *p = chat_arena_alloc(&r->arena, (n ? n : 1) * size);
    if (p)
        memset(p, 0, (n ? n : 1) * size);
    return p;
}

static tok_status text_message(chat_run *r, conv_msg *m, const char *role, cstr text,
                               const char *row_role)
{
    m->role = (cstr){role, strlen(role)};
    m->row_role = row_role;
    m->string_content = true;
    if (!(m->path = chat_path_copy(r)) || !(m->parts = arena_array(r, 1, sizeof *m->parts)) ||
        !(m->parts[0].path = m->path))
        return chat_oom(r);
    m->parts[0].text = text;
    m->n_parts = 1;
    return TOK_OK;
}

/* Content: a string, or parts input_text / output_text / input_image / input_file / refusal. */
static tok_status read_content(chat_run *r, uint32_t node, conv_msg *m)
{
    tok_status st;
    if (chat_type(r, node) == J_STRING) {
        if (!(m->parts = arena_array(r, 1, sizeof *m->parts)) || !(m->parts[0].path = chat_path_copy(r)))
            return chat_oom(r);
        m->n_parts = 1;
        m->string_content = true;
        return chat_str(r, node, &m->parts[0].text);
    }
    if ((st = chat_want_type(r, node, J_ARRAY, "a string or an array of content parts")) != TOK_OK)
        return st;
    const json_node *a = &r->doc.nodes[node];
    if (!(m->parts = arena_array(r, a->count, sizeof *m->parts)))
        return chat_oom(r);
    size_t j = 0;
    for (uint32_t p = a->child; p != J_NONE; p = r->doc.nodes[p].next, j++) {
        size_t at = chat_path_index(r, j);
        conv_part *o = &m->parts[m->n_parts];
        if ((st = chat_want_type(r, p, J_OBJECT, "a content part object")) != TOK_OK)
            return st;
        if (!(o->path = chat_path_copy(r)))
            return chat_oom(r);
        cstr ty;
        bool has;
        if ((st = chat_member_str(r, p, "type", false, &ty, &has)) != TOK_OK)
            return st;
        if (!has)
            return chat_fail(r, p, TOK_EINVAL, "no type");
        if (cstr_is(ty, "input_text") || cstr_is(ty, "output_text") || cstr_is(ty, "refusal")) {
            const char *key = cstr_is(ty, "refusal") ? "refusal" : "text";
            o->type = cstr_is(ty, "refusal") ? CP_REFUSAL : CP_TEXT;
            if ((st = chat_member_str(r, p, key, false, &o->text, &has)) != TOK_OK)
                return st;
            if (!has)
                return chat_fail(r, p, TOK_EINVAL, "no %s", key);
        } else if (cstr_is(ty, "input_image")) {
            o->type = CP_IMAGE;
            bool hu, hf, hd;
            cstr fid;
            if ((st = chat_member_str(r, p, "image_url", true, &o->url, &hu)) != TOK_OK ||
                (st = chat_member_str(r, p, "file_id", true, &fid, &hf)) != TOK_OK ||
                (st = chat_member_str(r, p, "detail", true, &o->detail, &hd)) != TOK_OK)
                return st;
            if (!hu && !hf)
                return chat_fail(r, p, TOK_EINVAL, "an input_image needs image_url or file_id");
            if (hd && !cstr_is(o->detail, "low") && !cstr_is(o->detail, "high") &&
                !cstr_is(o->detail, "auto")) {
                chat_path_key(r, "detail", 6);
                return chat_fail(r, json_get(&r->doc, p, "detail"), TOK_EINVAL,
                                 "expected low, high or auto, not \"%.*s\"",
                                 (int)(o->detail.n > 40 ? 40 : o->detail.n), o->detail.s);
            }
            chat_path_key(r, hu ? "image_url" : "file_id", hu ? 9 : 7);
            if (!(o->path = chat_path_copy(r)))
                return chat_oom(r);
            if (!hu) {
                o->from = 2; /* IMG_FILE_ID */
                o->url = fid;
            }
        } else if (cstr_is(ty, "input_file") || cstr_is(ty, "input_audio")) {
            o->type = cstr_is(ty, "input_file") ? CP_FILE : CP_AUDIO;
        } else {
            chat_path_key(r, "type", 4);
            return chat_fail(r, json_get(&r->doc, p, "type"), TOK_EINVAL,
                             "unknown content part type \"%.*s\" (expected input_text, "
                             "output_text, input_image, input_file, input_audio or refusal)",
                             (int)(ty.n > 40 ? 40 : ty.n), ty.s);
        }
        m->n_parts++;
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

static tok_status read_item(chat_run *r, conversation *cv, uint32_t it, conv_msg *m, bool *used)
{
    tok_status st;
    *used = false;
    if ((st = chat_want_type(r, it, J_OBJECT, "an input item object")) != TOK_OK)
        return st;
    cstr ty = {"message", 7}, role;
    bool has, has_role;
    if ((st = chat_member_str(r, it, "type", false, &ty, &has)) != TOK_OK)
        return st;
    if (!has)
        ty = (cstr){"message", 7};
    if (!(m->path = chat_path_copy(r)))
        return chat_oom(r);
    if (cstr_is(ty, "message")) {
        if ((st = chat_member_str(r, it, "role", false, &role, &has_role)) != TOK_OK)
            return st;
        if (!has_role)
            return chat_fail(r, it, TOK_EINVAL, "no role");
        if (!cstr_is(role, "user") && !cstr_is(role, "assistant") && !cstr_is(role, "system") &&
            !cstr_is(role, "developer")) {
            chat_path_key(r, "role", 4);
            return chat_fail(r, json_get(&r->doc, it, "role"), TOK_EINVAL,
                             "unknown role \"%.*s\" (expected user, assistant, system or "
                             "developer)",
                             (int)(role.n > 40 ? 40 : role.n), role.s);
        }
        m->role = role;
        uint32_t c = json_get(&r->doc, it, "content");
        if (c == J_NONE)
            return chat_fail(r, it, TOK_EINVAL, "no content");
        size_t at = chat_path_key(r, "content", 7);
        if ((st = read_content(r, c, m)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
        *used = true;
        return TOK_OK;
    }
    if (cstr_is(ty, "function_call")) {
        m->role = (cstr){"assistant", 9};
        m->row_role = "function_call";
        if (!(m->calls = arena_array(r, 1, sizeof *m->calls)))
            return chat_oom(r);
        conv_call *k = &m->calls[0];
        k->path = m->path;
        if ((st = chat_member_str(r, it, "call_id", false, &k->id, &k->has_id)) != TOK_OK ||
            (st = chat_member_str(r, it, "name", false, &k->name, &has)) != TOK_OK)
            return st;
        if (!has)
            return chat_fail(r, it, TOK_EINVAL, "no name");
        if ((st = chat_member_str(r, it, "arguments", false, &k->args, &has)) != TOK_OK)
            return st;
        m->n_calls = 1;
        *used = true;
        return TOK_OK;
    }
    if (cstr_is(ty, "function_call_output")) {
        m->role = (cstr){"tool", 4};
        m->row_role = "function_call_output";
        if ((st = chat_member_str(r, it, "call_id", false, &m->tool_call_id,
                                  &m->has_tool_call_id)) != TOK_OK)
            return st;
        if (!m->has_tool_call_id)
            return chat_fail(r, it, TOK_EINVAL, "no call_id");
        uint32_t o = json_get(&r->doc, it, "output");
        if (o == J_NONE)
            return chat_fail(r, it, TOK_EINVAL, "no output");
        size_t at = chat_path_key(r, "output", 6);
        if ((st = read_content(r, o, m)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
        *used = true;
        return TOK_OK;
    }
    /* reasoning, item_reference, built-in tool calls and their outputs */
    return conv_extra_add(r, cv, cstr_is(ty, "reasoning") ? TOK_PART_TEXT : TOK_PART_TOOL_CALLS,
                          chat_fmt(r, "%.*s item", (int)(ty.n > 40 ? 40 : ty.n), ty.s),
                          "an input item whose rendering is not published (reasoning, item "
                          "references, built-in tool calls): unknown offline");
}

static tok_status read_tools(chat_run *r, conversation *cv, uint32_t node)
{
    tok_status st;
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
            return chat_fail(r, t, TOK_EINVAL, "no type");
        if (cstr_is(ty, "function"))
            st = conv_fn_add(r, cv, t); /* flat: name, description, parameters */
        else
            st = conv_extra_add(r, cv, TOK_PART_TOOL_DEFS,
                                chat_fmt(r, "built-in tool %.*s", (int)(ty.n > 40 ? 40 : ty.n), ty.s),
                                "a built-in tool (web search, file search, code interpreter, ...): "
                                "OpenAI adds its own instructions, not published");
        if (st != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

static tok_status read_tool_choice(chat_run *r, conversation *cv, uint32_t node)
{
    tok_status st;
    if (!(cv->tool_choice_path = chat_path_copy(r)))
        return chat_oom(r);
    if (chat_type(r, node) == J_STRING) {
        cstr s;
        if ((st = chat_str(r, node, &s)) != TOK_OK)
            return st;
        cv->tool_choice = cstr_is(s, "auto")       ? CHOICE_AUTO
                          : cstr_is(s, "none")     ? CHOICE_NONE
                          : cstr_is(s, "required") ? CHOICE_REQUIRED
                                                   : -1;
        if (cv->tool_choice < 0)
            return chat_fail(r, node, TOK_EINVAL,
                             "expected \"auto\", \"none\", \"required\" or an object");
        return TOK_OK;
    }
    if ((st = chat_want_type(r, node, J_OBJECT, "a string or an object")) != TOK_OK)
        return st;
    cstr ty;
    bool has;
    if ((st = chat_member_str(r, node, "type", false, &ty, &has)) != TOK_OK)
        return st;
    if (has && cstr_is(ty, "function")) {
        if ((st = chat_member_str(r, node, "name", false, &cv->tool_choice_name, &has)) != TOK_OK)
            return st;
        if (!has)
            return chat_fail(r, node, TOK_EINVAL, "no name");
        cv->tool_choice = CHOICE_NAMED;
        return TOK_OK;
    }
    return conv_extra_add(r, cv, TOK_PART_TOOL_DEFS, "tool_choice",
                          "a tool_choice that is not a function: not published");
}

/* Fields of a Responses body that are not input. */
static const char *const not_input[] = {
    "model", "max_output_tokens", "temperature", "top_p", "stream", "stream_options", "store",
    "metadata", "user", "truncation", "parallel_tool_calls", "service_tier", "include",
    "background", "top_logprobs", "max_tool_calls", "prompt_cache_key", "safety_identifier",
    NULL};

tok_status conv_read_responses(chat_run *r, conversation *cv)
{
    tok_status st;
    cv->responses = true;
    chat_path_set(r, "");
    if ((st = chat_want_type(r, 0, J_OBJECT, "a Responses request body (an object)")) != TOK_OK)
        return st;
    uint32_t ins = json_get(&r->doc, 0, "instructions"), in = json_get(&r->doc, 0, "input");
    size_t n = 0; /* every member counts, a key given twice too */
    for (uint32_t f = r->doc.nodes[0].child; f != J_NONE; f = r->doc.nodes[f].next)
        if (chat_key_is(r, f, "instructions") || chat_key_is(r, f, "input"))
            n += chat_type(r, f) == J_ARRAY ? r->doc.nodes[f].count : 1;
    if (!(cv->msgs = arena_array(r, n, sizeof *cv->msgs)))
        return chat_oom(r);
    for (uint32_t f = r->doc.nodes[0].child; f != J_NONE; f = r->doc.nodes[f].next) {
        cstr key;
        if ((st = chat_key(r, f, &key)) != TOK_OK)
            return st;
        size_t at = chat_path_key(r, key.s, key.n);
        uint8_t t = chat_type(r, f);
        if (cstr_is(key, "instructions")) {
            if (t != J_NULL) {
                cstr s;
                if ((st = chat_want_str(r, f, &s)) == TOK_OK)
                    st = text_message(r, &cv->msgs[cv->n_msgs++], "system", s, "instructions");
            }
        } else if (cstr_is(key, "input")) {
            if (t == J_STRING) {
                cstr s;
                if ((st = chat_str(r, f, &s)) == TOK_OK)
                    st = text_message(r, &cv->msgs[cv->n_msgs++], "user", s, NULL);
            } else if ((st = chat_want_type(r, f, J_ARRAY, "a string or an array of input items")) ==
                       TOK_OK) {
                size_t i = 0;
                for (uint32_t it = r->doc.nodes[f].child; st == TOK_OK && it != J_NONE;
                     it = r->doc.nodes[it].next, i++) {
                    size_t ia = chat_path_index(r, i);
                    bool used;
                    st = read_item(r, cv, it, &cv->msgs[cv->n_msgs], &used);
                    cv->n_msgs += used;
                    chat_path_pop(r, ia);
                }
            }
        } else if (cstr_is(key, "tools")) {
            if (t != J_NULL)
                st = read_tools(r, cv, f);
        } else if (cstr_is(key, "tool_choice")) {
            if (t != J_NULL)
                st = read_tool_choice(r, cv, f);
        } else if (cstr_is(key, "reasoning")) {
            if (t != J_NULL && (st = chat_want_type(r, f, J_OBJECT, "an object")) == TOK_OK) {
                bool has;
                st = chat_member_str(r, f, "effort", true, &cv->effort, &has);
            }
        } else if (cstr_is(key, "text")) {
            uint32_t fmt = t == J_OBJECT ? json_get(&r->doc, f, "format") : J_NONE;
            uint32_t ty = fmt != J_NONE && chat_type(r, fmt) == J_OBJECT
                              ? json_get(&r->doc, fmt, "type") : J_NONE;
            cstr tys = {0};
            if (ty != J_NONE && chat_type(r, ty) == J_STRING)
                st = chat_str(r, ty, &tys);
            if (st == TOK_OK && fmt != J_NONE && !cstr_is(tys, "text"))
                st = conv_extra_add(r, cv, TOK_PART_SYSTEM, "text.format",
                                    "a JSON mode or schema: how the API shows it to the model is "
                                    "not published (RULES.md 2.7)");
        } else if (cstr_is(key, "previous_response_id") || cstr_is(key, "conversation") ||
                   cstr_is(key, "prompt")) {
            if (t != J_NULL)
                st = conv_extra_add(r, cv, TOK_PART_TEXT, chat_strdup(r, key.s, key.n),
                                    "input stored on OpenAI's side (an earlier response, a "
                                    "conversation, a stored prompt): unknown offline");
        } else {
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
    if (ins == J_NONE && in == J_NONE)
        return chat_fail(r, 0, TOK_EINVAL, "neither input nor instructions");
    if (!cv->n_msgs && !cv->n_extras) { /* a count of nothing would pass for an exact zero */
        chat_path_set(r, in != J_NONE ? "input" : "instructions");
        return chat_fail(r, in != J_NONE ? in : ins, TOK_EINVAL,
                         "the request has no input (input empty, no instructions)");
    }
    /* instructions come first, wherever the body wrote them (a stable partition) */
    conv_msg *sorted = chat_arena_alloc(&r->arena, (cv->n_msgs ? cv->n_msgs : 1) * sizeof *sorted);
    if (!sorted)
        return chat_oom(r);
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < cv->n_msgs; i++) {
            bool ins_msg = cv->msgs[i].row_role && !strcmp(cv->msgs[i].row_role, "instructions");
            if (ins_msg == !pass)
                sorted[k++] = cv->msgs[i];
        }
    cv->msgs = sorted;
    chat_path_set(r, "");
    return TOK_OK;
}
