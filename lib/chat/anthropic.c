/* anthropic: an Anthropic Messages body, part by part (RULES.md section 5). Claude's tokenizer
 * is not public, so nothing here is exact: text is counted with the model's estimating
 * tokenizer (the registry's calibrated factor scales it), images by Anthropic's published
 * rule, and when tools are given Anthropic's documented tool-use system prompt is added by model
 * and tool_choice. What Anthropic does not publish -- the framing of messages, PDFs, server
 * tools without a documented size -- is an unknown item, never a silent 0. Exact counts come
 * from POST /v1/messages/count_tokens. */
#include "chat/images.h"

#include <string.h>

static const char SRC_TEXT[] =
    "the text, counted with the estimating tokenizer (Claude's tokenizer is not public; "
    "RULES.md 5)";
static const char SRC_FRAMING[] =
    "Anthropic publishes no message framing (a few tokens per message): not counted; "
    "POST /v1/messages/count_tokens gives the exact number (RULES.md 5)";
static const char SRC_TOOL_USE[] = "a tool_use block: its name and its input as JSON text "
                                   "(the rendering is not published; RULES.md 5)";
static const char SRC_TOOL_RESULT[] = "a tool_result block: its content (RULES.md 5)";
static const char SRC_TOOLS[] =
    "a tool: its name, description and input_schema as JSON text (Anthropic bills them; the "
    "rendering is not published; RULES.md 5)";
static const char SRC_THINKING_KEPT[] =
    "thinking of the current tool-use turn: kept in the context (Anthropic extended thinking "
    "docs; an assumption per model, RULES.md 5)";
static const char SRC_THINKING_DROPPED[] =
    "thinking of an earlier turn: dropped from the context, not billed (Anthropic extended "
    "thinking docs; an assumption per model, RULES.md 5)";
static const char SRC_PDF[] =
    "a PDF: each page is billed as text plus an image of the page (Anthropic PDF support docs: "
    "1,500-3,000 tokens per page typical); not computable offline";
static const char SRC_DOC_TEXT[] = "a plain-text document: its text (RULES.md 5)";
static const char SRC_OPAQUE[] = "a block whose size is not published (redacted thinking, "
                                 "server tool blocks, search results): unknown offline";
static const char SRC_SERVER_TOOL[] = "a server tool without a published size: unknown offline";

/* The tool-use system prompt Anthropic documents (docs.anthropic.com tool-use pricing; RULES.md
 * 5: the Claude 3 rows verbatim, the others from the pricing table). One table, so it can be
 * corrected in one place. */
static const struct {
    const char *prefix;
    uint32_t auto_none, any_tool;
} tool_prompt[] = {
    {"claude-3-5-sonnet-20240620", 294, 261},
    {"claude-opus-4", 346, 313},
    {"claude-sonnet-4", 346, 313},
    {"claude-haiku-4", 346, 313},
    {"claude-3-7-sonnet", 346, 313},
    {"claude-3-5-sonnet", 346, 313},
    {"claude-3-5-haiku", 264, 340},
    {"claude-3-opus", 530, 281},
    {"claude-3-sonnet", 159, 235},
    {"claude-3-haiku", 264, 340},
};

/* Server tools with a published size (the same pricing page): added input tokens. */
static const struct {
    const char *prefix;
    uint32_t tokens;
    const char *what;
} server_tools[] = {
    {"bash_", 245, "bash tool: 245 (Anthropic tool-use pricing)"},
    {"text_editor_", 700, "text editor tool: 700 (Anthropic tool-use pricing)"},
    {"computer_", 1234,
     "computer use tool: 466-499 system prompt (499 taken) + 735 per tool definition "
     "(Anthropic tool-use pricing)"},
};

typedef struct ant {
    chat_run *r;
    bool claude;         /* the model is Claude's */
    const char *text_src;
    int64_t last_assistant;
    bool last_has_tool_use;
} ant;

static tok_status text(ant *a, int kind, int64_t row, const char *what, cstr s, const char *src)
{
    return chat_text(a->r, kind, row, what, s.s, s.n, false, src ? src : a->text_src);
}

/* A JSON value written as text (tool inputs, schemas). */
static tok_status json_text(ant *a, int kind, int64_t row, const char *what, uint32_t v,
                            const char *src)
{
    tok_buf b = {0};
    if (!chat_json_write(&a->r->doc, v, &b)) {
        tok_buf_free(&b);
        return chat_oom(a->r);
    }
    tok_status st = chat_text(a->r, kind, row, what, (const char *)b.data, b.len, false, src);
    tok_buf_free(&b);
    return st;
}

static tok_status need_str(chat_run *r, uint32_t obj, const char *key, cstr *out)
{
    bool has;
    tok_status st = chat_member_str(r, obj, key, false, out, &has);
    if (st == TOK_OK && !has)
        return chat_fail(r, obj, TOK_EINVAL, "no %s", key);
    return st;
}

/* image / document sources: {type: base64 | url | file | text | content, ...} */
static tok_status image_block(ant *a, uint32_t blk, int64_t row)
{
    chat_run *r = a->r;
    uint32_t src = json_get(&r->doc, blk, "source");
    if (src == J_NONE)
        return chat_fail(r, blk, TOK_EINVAL, "an image block needs its source");
    size_t at = chat_path_key(r, "source", 6);
    tok_status st = chat_want_type(r, src, J_OBJECT, "an object {type, ...}");
    cstr ty, data, none = {"", 0};
    if (st == TOK_OK)
        st = need_str(r, src, "type", &ty);
    if (st != TOK_OK)
        return st;
    if (cstr_is(ty, "base64")) {
        if ((st = need_str(r, src, "data", &data)) != TOK_OK)
            return st;
        chat_path_key(r, "data", 4);
        st = chat_image_part(r, row, IMG_BASE64, data, none);
    } else if (cstr_is(ty, "url")) {
        if ((st = need_str(r, src, "url", &data)) != TOK_OK)
            return st;
        chat_path_key(r, "url", 3);
        st = chat_image_part(r, row, IMG_URL, data, none);
    } else if (cstr_is(ty, "file")) {
        st = chat_image_part(r, row, IMG_FILE_ID, none, none);
    } else {
        chat_path_key(r, "type", 4);
        return chat_fail(r, json_get(&r->doc, src, "type"), TOK_EINVAL,
                         "unknown image source type \"%.*s\" (expected base64, url or file)",
                         (int)(ty.n > 40 ? 40 : ty.n), ty.s);
    }
    chat_path_pop(r, at);
    return st;
}

static tok_status blocks(ant *a, uint32_t node, int64_t row, int kind, bool in_tool_result);

static tok_status document_block(ant *a, uint32_t blk, int64_t row)
{
    chat_run *r = a->r;
    tok_status st;
    cstr s, ty;
    bool has;
    for (const char *const *k = (const char *const[]){"title", "context", NULL}; *k; k++) {
        if ((st = chat_member_str(r, blk, *k, true, &s, &has)) != TOK_OK)
            return st;
        if (has && (st = text(a, TOK_PART_FILES, row, *k, s, SRC_DOC_TEXT)) != TOK_OK)
            return st;
    }
    uint32_t src = json_get(&r->doc, blk, "source");
    if (src == J_NONE)
        return chat_fail(r, blk, TOK_EINVAL, "a document block needs its source");
    size_t at = chat_path_key(r, "source", 6);
    if ((st = chat_want_type(r, src, J_OBJECT, "an object {type, ...}")) != TOK_OK ||
        (st = need_str(r, src, "type", &ty)) != TOK_OK)
        return st;
    if (cstr_is(ty, "text")) {
        if ((st = need_str(r, src, "data", &s)) != TOK_OK)
            return st;
        st = text(a, TOK_PART_FILES, row, "document text", s, SRC_DOC_TEXT);
    } else if (cstr_is(ty, "content")) {
        uint32_t c = json_get(&r->doc, src, "content");
        if (c == J_NONE)
            return chat_fail(r, src, TOK_EINVAL, "no content");
        chat_path_key(r, "content", 7);
        st = blocks(a, c, row, TOK_PART_FILES, true);
    } else if (cstr_is(ty, "base64") || cstr_is(ty, "url") || cstr_is(ty, "file")) {
        st = chat_unknown(r, TOK_PART_FILES, row, "PDF document", SRC_PDF);
    } else {
        chat_path_key(r, "type", 4);
        return chat_fail(r, json_get(&r->doc, src, "type"), TOK_EINVAL,
                         "unknown document source type \"%.*s\" (expected base64, text, content, "
                         "url or file)",
                         (int)(ty.n > 40 ? 40 : ty.n), ty.s);
    }
    if (st == TOK_OK)
        chat_path_pop(r, at);
    return st;
}

static tok_status block(ant *a, uint32_t blk, int64_t row, int kind, bool in_tool_result)
{
    chat_run *r = a->r;
    tok_status st;
    if ((st = chat_want_type(r, blk, J_OBJECT, "a content block object")) != TOK_OK)
        return st;
    cstr ty, s;
    if ((st = need_str(r, blk, "type", &ty)) != TOK_OK)
        return st;
    if (cstr_is(ty, "text")) {
        if ((st = need_str(r, blk, "text", &s)) != TOK_OK)
            return st;
        return text(a, kind, row, "text", s, NULL);
    }
    if (cstr_is(ty, "image"))
        return image_block(a, blk, row);
    if (cstr_is(ty, "document"))
        return document_block(a, blk, row);
    if (in_tool_result)
        goto unknown_type;
    if (cstr_is(ty, "tool_use")) {
        if ((st = need_str(r, blk, "name", &s)) != TOK_OK ||
            (st = text(a, TOK_PART_TOOL_CALLS, row, "tool_use name", s, SRC_TOOL_USE)) != TOK_OK)
            return st;
        uint32_t in = json_get(&r->doc, blk, "input");
        if (in == J_NONE)
            return chat_fail(r, blk, TOK_EINVAL, "a tool_use block needs its input");
        return json_text(a, TOK_PART_TOOL_CALLS, row, "tool_use input", in, SRC_TOOL_USE);
    }
    if (cstr_is(ty, "tool_result")) {
        uint32_t c = json_get(&r->doc, blk, "content");
        if (c == J_NONE || chat_type(r, c) == J_NULL)
            return TOK_OK;
        size_t at = chat_path_key(r, "content", 7);
        if (chat_type(r, c) == J_STRING) {
            if ((st = chat_str(r, c, &s)) != TOK_OK ||
                (st = text(a, TOK_PART_TOOL_CALLS, row, "tool_result", s, SRC_TOOL_RESULT)) != TOK_OK)
                return st;
        } else if ((st = blocks(a, c, row, TOK_PART_TOOL_CALLS, true)) != TOK_OK) {
            return st;
        }
        chat_path_pop(r, at);
        return TOK_OK;
    }
    if (cstr_is(ty, "thinking") || cstr_is(ty, "redacted_thinking")) {
        bool kept = row == a->last_assistant && a->last_has_tool_use;
        bool redacted = cstr_is(ty, "redacted_thinking");
        if (!kept)
            return chat_fixed(r, TOK_PART_TEXT, row, redacted ? "redacted thinking" : "thinking",
                              0, false, SRC_THINKING_DROPPED);
        if (redacted)
            return chat_unknown(r, TOK_PART_TEXT, row, "redacted thinking", SRC_OPAQUE);
        if ((st = need_str(r, blk, "thinking", &s)) != TOK_OK)
            return st;
        return text(a, TOK_PART_TEXT, row, "thinking", s, SRC_THINKING_KEPT);
    }
    static const char *const opaque[] = {"server_tool_use", "web_search_tool_result",
                                         "web_fetch_tool_result", "code_execution_tool_result",
                                         "search_result", "container_upload", "mcp_tool_use",
                                         "mcp_tool_result", NULL};
    for (const char *const *k = opaque; *k; k++)
        if (cstr_is(ty, *k))
            return chat_unknown(r, TOK_PART_TOOL_CALLS, row,
                                chat_fmt(r, "%.*s block", (int)ty.n, ty.s), SRC_OPAQUE);
unknown_type:
    chat_path_key(r, "type", 4);
    return chat_fail(r, json_get(&r->doc, blk, "type"), TOK_EINVAL,
                     "unknown content block type \"%.*s\" (expected text, image, document%s)",
                     (int)(ty.n > 40 ? 40 : ty.n), ty.s,
                     in_tool_result ? "" : ", tool_use, tool_result, thinking");
}

static tok_status blocks(ant *a, uint32_t node, int64_t row, int kind, bool in_tool_result)
{
    chat_run *r = a->r;
    tok_status st = chat_want_type(r, node, J_ARRAY, "an array of content blocks");
    size_t i = 0;
    for (uint32_t b = st == TOK_OK ? r->doc.nodes[node].child : J_NONE; st == TOK_OK && b != J_NONE;
         b = r->doc.nodes[b].next, i++) {
        size_t at = chat_path_index(r, i);
        if ((st = block(a, b, row, kind, in_tool_result)) == TOK_OK)
            chat_path_pop(r, at);
    }
    return st;
}

static tok_status system_prompt(ant *a, uint32_t sys)
{
    chat_run *r = a->r;
    chat_path_set(r, "system");
    if (chat_type(r, sys) == J_NULL)
        return TOK_OK;
    int64_t row = chat_row_add(r, "system", 6);
    if (row < 0)
        return chat_oom(r);
    if (chat_type(r, sys) == J_STRING) {
        cstr s;
        tok_status st = chat_str(r, sys, &s);
        return st == TOK_OK ? text(a, TOK_PART_SYSTEM, row, "system", s, NULL) : st;
    }
    if (chat_type(r, sys) != J_ARRAY)
        return chat_fail(r, sys, TOK_EINVAL, "expected a string or an array of text blocks, not %s",
                         chat_type_name(chat_type(r, sys)));
    size_t i = 0;
    for (uint32_t b = r->doc.nodes[sys].child; b != J_NONE; b = r->doc.nodes[b].next, i++) {
        size_t at = chat_path_index(r, i);
        cstr ty, s;
        tok_status st = chat_want_type(r, b, J_OBJECT, "a text block");
        if (st == TOK_OK)
            st = need_str(r, b, "type", &ty);
        if (st == TOK_OK && !cstr_is(ty, "text")) {
            chat_path_key(r, "type", 4);
            return chat_fail(r, json_get(&r->doc, b, "type"), TOK_EINVAL,
                             "system blocks are text blocks, not \"%.*s\"",
                             (int)(ty.n > 40 ? 40 : ty.n), ty.s);
        }
        if (st == TOK_OK)
            st = need_str(r, b, "text", &s);
        if (st == TOK_OK)
            st = text(a, TOK_PART_SYSTEM, row, "system", s, NULL);
        if (st != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    return TOK_OK;
}

static tok_status messages(ant *a, uint32_t msgs)
{
    chat_run *r = a->r;
    chat_path_set(r, "messages");
    tok_status st = chat_want_type(r, msgs, J_ARRAY, "an array of messages");
    if (st == TOK_OK)
        st = chat_want_items(r, msgs, "the API requires at least one message");
    if (st != TOK_OK)
        return st;
    /* the last assistant message, and whether it calls tools: its thinking is kept */
    size_t i = 0;
    a->last_assistant = -1;
    for (uint32_t m = r->doc.nodes[msgs].child; m != J_NONE; m = r->doc.nodes[m].next, i++) {
        uint32_t role = chat_type(r, m) == J_OBJECT ? json_get(&r->doc, m, "role") : J_NONE;
        cstr s;
        if (role != J_NONE && chat_type(r, role) == J_STRING && chat_str(r, role, &s) == TOK_OK &&
            cstr_is(s, "assistant")) {
            a->last_assistant = (int64_t)i; /* rows are made in order, after system's */
            a->last_has_tool_use = false;
            uint32_t c = json_get(&r->doc, m, "content");
            for (uint32_t b = c != J_NONE && chat_type(r, c) == J_ARRAY ? r->doc.nodes[c].child : J_NONE;
                 b != J_NONE; b = r->doc.nodes[b].next) {
                uint32_t t = chat_type(r, b) == J_OBJECT ? json_get(&r->doc, b, "type") : J_NONE;
                cstr ts;
                if (t != J_NONE && chat_type(r, t) == J_STRING && chat_str(r, t, &ts) == TOK_OK &&
                    cstr_is(ts, "tool_use"))
                    a->last_has_tool_use = true;
            }
        }
    }
    int64_t first_row = (int64_t)r->n_rows;
    if (a->last_assistant >= 0)
        a->last_assistant += first_row;
    i = 0;
    for (uint32_t m = r->doc.nodes[msgs].child; m != J_NONE; m = r->doc.nodes[m].next, i++) {
        chat_path_set(r, "messages");
        chat_path_index(r, i);
        if ((st = chat_want_type(r, m, J_OBJECT, "a message object")) != TOK_OK)
            return st;
        cstr role;
        if ((st = need_str(r, m, "role", &role)) != TOK_OK)
            return st;
        if (!cstr_is(role, "user") && !cstr_is(role, "assistant")) {
            chat_path_key(r, "role", 4);
            return chat_fail(r, json_get(&r->doc, m, "role"), TOK_EINVAL,
                             "unknown role \"%.*s\" (Anthropic messages are user or assistant; "
                             "the system prompt is the top-level \"system\")",
                             (int)(role.n > 40 ? 40 : role.n), role.s);
        }
        for (uint32_t f = r->doc.nodes[m].child; f != J_NONE; f = r->doc.nodes[f].next)
            if (!chat_key_is(r, f, "role") && !chat_key_is(r, f, "content")) {
                cstr k;
                if ((st = chat_key(r, f, &k)) != TOK_OK)
                    return st;
                chat_path_key(r, k.s, k.n);
                return chat_fail(r, f, TOK_EINVAL, "unknown message field (expected role, content)");
            }
        int64_t row = chat_row_add(r, role.s, role.n);
        if (row < 0)
            return chat_oom(r);
        uint32_t c = json_get(&r->doc, m, "content");
        if (c == J_NONE)
            return chat_fail(r, m, TOK_EINVAL, "no content");
        chat_path_key(r, "content", 7);
        uint8_t ct = chat_type(r, c);
        bool empty = ct == J_STRING  ? !r->doc.nodes[c].len
                     : ct == J_ARRAY ? !r->doc.nodes[c].count
                                     : false;
        if (empty && !(cstr_is(role, "assistant") && i + 1 == r->doc.nodes[msgs].count))
            return chat_fail(r, c, TOK_EINVAL,
                             "empty (the API requires content in every message but an optional "
                             "final assistant one)");
        if (chat_type(r, c) == J_STRING) {
            cstr s;
            if ((st = chat_str(r, c, &s)) != TOK_OK ||
                (st = text(a, TOK_PART_TEXT, row, "text", s, NULL)) != TOK_OK)
                return st;
        } else if ((st = blocks(a, c, row, TOK_PART_TEXT, false)) != TOK_OK) {
            return st;
        }
    }
    return TOK_OK;
}

static tok_status tools(ant *a, uint32_t node, uint32_t choice)
{
    chat_run *r = a->r;
    chat_path_set(r, "tools");
    tok_status st = chat_want_type(r, node, J_ARRAY, "an array of tools");
    if (st != TOK_OK)
        return st;
    size_t i = 0, custom = 0;
    for (uint32_t t = r->doc.nodes[node].child; t != J_NONE; t = r->doc.nodes[t].next, i++) {
        size_t at = chat_path_index(r, i);
        if ((st = chat_want_type(r, t, J_OBJECT, "a tool object")) != TOK_OK)
            return st;
        cstr ty = {"custom", 6}, name, desc;
        bool has;
        if ((st = chat_member_str(r, t, "type", true, &ty, &has)) != TOK_OK)
            return st;
        if (!has)
            ty = (cstr){"custom", 6};
        if (!cstr_is(ty, "custom")) {
            size_t k = 0, nk = sizeof server_tools / sizeof server_tools[0];
            while (k < nk && strncmp(ty.s, server_tools[k].prefix, strlen(server_tools[k].prefix)))
                k++;
            st = k < nk ? chat_fixed(r, TOK_PART_TOOL_DEFS, -1,
                                     chat_fmt(r, "%.*s", (int)(ty.n > 60 ? 60 : ty.n), ty.s),
                                     server_tools[k].tokens, false, server_tools[k].what)
                        : chat_unknown(r, TOK_PART_TOOL_DEFS, -1,
                                       chat_fmt(r, "%.*s", (int)(ty.n > 60 ? 60 : ty.n), ty.s),
                                       SRC_SERVER_TOOL);
            if (st != TOK_OK)
                return st;
            chat_path_pop(r, at);
            continue;
        }
        custom++;
        if ((st = need_str(r, t, "name", &name)) != TOK_OK ||
            (st = text(a, TOK_PART_TOOL_DEFS, -1, "tool name", name, SRC_TOOLS)) != TOK_OK ||
            (st = chat_member_str(r, t, "description", true, &desc, &has)) != TOK_OK ||
            (has && (st = text(a, TOK_PART_TOOL_DEFS, -1, "tool description", desc, SRC_TOOLS)) != TOK_OK))
            return st;
        uint32_t s = json_get(&r->doc, t, "input_schema");
        if (s == J_NONE)
            return chat_fail(r, t, TOK_EINVAL, "a tool needs its input_schema");
        chat_path_key(r, "input_schema", 12);
        if ((st = chat_want_type(r, s, J_OBJECT, "a JSON schema object")) != TOK_OK ||
            (st = json_text(a, TOK_PART_TOOL_DEFS, -1, "tool input_schema", s, SRC_TOOLS)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    if (!custom && !i)
        return TOK_OK;
    /* the tool-use system prompt, by model and tool_choice */
    cstr ct = {"auto", 4};
    chat_path_set(r, "tool_choice");
    if (choice != J_NONE && chat_type(r, choice) != J_NULL) {
        if ((st = chat_want_type(r, choice, J_OBJECT, "an object {type, name}")) != TOK_OK ||
            (st = need_str(r, choice, "type", &ct)) != TOK_OK)
            return st;
        if (!cstr_is(ct, "auto") && !cstr_is(ct, "any") && !cstr_is(ct, "tool") &&
            !cstr_is(ct, "none")) {
            chat_path_key(r, "type", 4);
            return chat_fail(r, json_get(&r->doc, choice, "type"), TOK_EINVAL,
                             "expected auto, any, tool or none");
        }
    }
    bool forced = cstr_is(ct, "any") || cstr_is(ct, "tool");
    const char *m = r->model_lc;
    size_t k = 0, nk = sizeof tool_prompt / sizeof tool_prompt[0];
    while (k < nk && strncmp(m, tool_prompt[k].prefix, strlen(tool_prompt[k].prefix)))
        k++;
    chat_path_set(r, "tools");
    if (k == nk)
        return chat_unknown(r, TOK_PART_TOOL_DEFS, -1, "tool-use system prompt",
                            a->claude ? "Anthropic's tool-use system prompt: no published size for "
                                        "this model"
                                      : "Anthropic's tool-use system prompt is published for "
                                        "Claude models only");
    uint32_t n = forced ? tool_prompt[k].any_tool : tool_prompt[k].auto_none;
    return chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "tool-use system prompt", n, false,
                      chat_fmt(r, "Anthropic's published tool-use system prompt, row %s*, "
                                  "tool_choice %s: %u (docs.anthropic.com tool-use pricing; "
                                  "RULES.md 5)",
                               tool_prompt[k].prefix, forced ? "any/tool" : "auto/none", n));
}

/* Fields of a Messages body that are not input. */
static const char *const not_input[] = {
    "model", "max_tokens", "stop_sequences", "stream", "temperature", "top_k", "top_p",
    "metadata", "service_tier", "anthropic_version", "container", "thinking",
    "context_management", NULL};

tok_status chat_count_anthropic(chat_run *r)
{
    ant a = {r, chat_model_family(r) == FAM_ANTHROPIC, SRC_TEXT, -1, false};
    tok_status st;
    chat_path_set(r, "");
    if ((st = chat_want_type(r, 0, J_OBJECT, "an Anthropic Messages body (an object)")) != TOK_OK)
        return st;
    uint32_t sys = json_get(&r->doc, 0, "system"), msgs = json_get(&r->doc, 0, "messages"),
             tl = json_get(&r->doc, 0, "tools"), tc = json_get(&r->doc, 0, "tool_choice");
    if (msgs == J_NONE)
        return chat_fail(r, 0, TOK_EINVAL, "no \"messages\"");
    if (!a.claude)
        a.text_src = "the text, counted with this tokenizer (an Anthropic body for a model that "
                     "is not Claude)";
    if (sys != J_NONE && (st = system_prompt(&a, sys)) != TOK_OK)
        return st;
    if ((st = messages(&a, msgs)) != TOK_OK)
        return st;
    if (tl != J_NONE && chat_type(r, tl) != J_NULL && (st = tools(&a, tl, tc)) != TOK_OK)
        return st;
    for (uint32_t f = r->doc.nodes[0].child; f != J_NONE; f = r->doc.nodes[f].next) {
        cstr key;
        if ((st = chat_key(r, f, &key)) != TOK_OK)
            return st;
        if (cstr_is(key, "system") || cstr_is(key, "messages") || cstr_is(key, "tools") ||
            cstr_is(key, "tool_choice"))
            continue;
        bool known = false;
        for (const char *const *k = not_input; *k && !known; k++)
            known = cstr_is(key, *k);
        if (known)
            continue;
        chat_path_set(r, "");
        chat_path_key(r, key.s, key.n);
        if ((st = chat_unknown(r, TOK_PART_FRAMING, -1,
                               cstr_is(key, "mcp_servers") ? "MCP servers" : "unknown field",
                               "a field whose input tokens are not published or not known to "
                               "tokscope")) != TOK_OK)
            return st;
    }
    chat_path_set(r, "");
    return chat_unknown(r, TOK_PART_FRAMING, -1, "message framing", SRC_FRAMING);
}
