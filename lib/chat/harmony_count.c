/* harmony_count: the "harmony" convention -- a Chat Completions conversation as a gpt-oss server
 * renders it (RULES.md 3.4; tests/conformance/chat_api_harmony.mjs chatToHarmony):
 *
 *   <|start|>system<|message|>{harmony's default system message}<|end|>
 *   <|start|>developer<|message|># Instructions\n\n{system and developer texts}\n\n# Tools...<|end|>
 *   <|start|>user[:name]<|message|>{text}<|end|>
 *   <|start|>assistant<|channel|>final<|message|>{text}<|end|>    (commentary before tool calls)
 *   <|start|>assistant to=functions.F<|channel|>commentary <|constrain|>json<|message|>{args}<|call|>
 *   <|start|>functions.F to=assistant<|channel|>commentary<|message|>{result}<|end|>
 *   <|start|>assistant
 *
 * Every formatting token is one token and every text piece is encoded on its own. The default
 * system message carries reasoning_effort when the request gives one; the date a server may add
 * is not known here (RULES.md 3.4 calls the default an assumption about the server). */
#include "chat/conversation.h"
#include "chat/harmony.h"

#include <string.h>

static const char SRC_FRAME[] =
    "harmony's formatting tokens, role, channel and recipient, one token each or encoded on "
    "their own (openai/harmony render_conversation_for_completion; RULES.md 3.1)";
static const char SRC_SYSTEM[] =
    "harmony's default system message, SystemContent::new() (what a gpt-oss server sends when "
    "it adds no date; RULES.md 3.4)";
static const char SRC_TEXT[] = "the text, one piece per content part (harmony; RULES.md 3.1)";
static const char SRC_DEV[] = "system and developer messages as the developer message's "
                              "# Instructions (harmony; RULES.md 3.2, 3.4)";
static const char SRC_TOOLS[] =
    "function tools as the developer message's functions namespace, harmony's TypeScript "
    "rendering (openai/harmony src/encoding.rs; RULES.md 3.3); its split from the instructions "
    "in one piece is approximate, the message's total is exact";
static const char SRC_CALLS[] = "tool calls to functions.NAME on the commentary channel, and their "
                                "results (harmony; RULES.md 3.4)";
static const char SRC_REPLY[] = "<|start|>assistant primes the reply (harmony)";
static const char SRC_NO_MEDIA[] = "gpt-oss reads text only: images, audio and files have no "
                                   "harmony rendering";
static const char SRC_CHOICE[] = "harmony has no rendering for tool_choice or function_call: how a "
                                 "server applies them is not published";

static const char *label(uint8_t kind)
{
    switch (kind) {
    case TOK_PART_FRAMING: return "framing";
    case TOK_PART_SYSTEM: return "system message";
    case TOK_PART_TOOL_CALLS: return "tool call";
    case TOK_PART_REPLY: return "reply priming";
    default: return "content";
    }
}

static const char *source(uint8_t kind)
{
    switch (kind) {
    case TOK_PART_FRAMING: return SRC_FRAME;
    case TOK_PART_SYSTEM: return SRC_SYSTEM;
    case TOK_PART_TOOL_CALLS: return SRC_CALLS;
    case TOK_PART_REPLY: return SRC_REPLY;
    default: return SRC_TEXT;
    }
}

/* A fixed amount that stands for text (scaled like text for an estimated model). */
static tok_status text_amount(chat_run *r, int kind, int64_t row, const char *what, uint64_t n,
                              const char *src)
{
    tok_status st = chat_fixed(r, kind, row, what, n, true, src);
    if (st == TOK_OK)
        r->items[r->n_items - 1].text = true;
    return st;
}

/* The developer message is one piece: instructions and tools, split for the parts by counting
 * the instructions alone and with their heading. */
static tok_status developer(chat_run *r, const harmony_out *h, const harmony_piece *p,
                            const cstr *instructions, bool tools)
{
    uint64_t all, instr = 0, head = 0;
    tok_status st = chat_count(r, (const char *)h->text.data + p->start, p->len, &all);
    if (st != TOK_OK)
        return st;
    if (instructions) {
        static const char h0[] = "# Instructions\n\n";
        char *b = malloc(sizeof h0 + instructions->n);
        if (!b)
            return chat_oom(r);
        memcpy(b, h0, sizeof h0 - 1);
        memcpy(b + sizeof h0 - 1, instructions->s, instructions->n);
        st = chat_count(r, b + sizeof h0 - 1, instructions->n, &instr);
        if (st == TOK_OK)
            st = chat_count(r, b, sizeof h0 - 1 + instructions->n, &head);
        free(b);
        if (st != TOK_OK)
            return st;
    }
    if (instr > all)
        instr = all;
    uint64_t defs = !tools ? 0 : head < all ? all - head : 0;
    if (defs > all - instr)
        defs = all - instr;
    uint64_t frame = all - instr - defs;
    if (instructions &&
        (st = text_amount(r, TOK_PART_SYSTEM, p->row, "instructions", instr, SRC_DEV)) != TOK_OK)
        return st;
    if (frame && (st = text_amount(r, TOK_PART_FRAMING, p->row, "instructions heading", frame,
                                   SRC_DEV)) != TOK_OK)
        return st;
    if (tools)
        st = text_amount(r, TOK_PART_TOOL_DEFS, p->row, "tool definitions", defs, SRC_TOOLS);
    return st;
}

/* Count the rendering: consecutive pieces of one row and kind become one item. */
static tok_status count_pieces(chat_run *r, const harmony_out *h, const cstr *instructions,
                               bool tools)
{
    size_t i = 0;
    while (i < h->n) {
        const harmony_piece *p = &h->p[i];
        if (p->kind == HARMONY_DEVELOPER) {
            tok_status st = developer(r, h, p, instructions, tools);
            if (st != TOK_OK)
                return st;
            i++;
            continue;
        }
        uint64_t sum = 0;
        size_t j = i;
        for (; j < h->n && h->p[j].row == p->row && h->p[j].kind == p->kind; j++) {
            uint64_t k = 1;
            if (!h->p[j].special) {
                tok_status st = chat_count(r, (const char *)h->text.data + h->p[j].start,
                                           h->p[j].len, &k);
                if (st != TOK_OK)
                    return st;
            }
            sum += k;
        }
        tok_status st = text_amount(r, p->kind, p->row, label(p->kind), sum, source(p->kind));
        if (st != TOK_OK)
            return st;
        i = j;
    }
    return TOK_OK;
}

/* The texts of a message's parts; media are unknown items. */
static tok_status texts(chat_run *r, const conv_msg *m, cstr **out, size_t *n)
{
    *out = chat_arena_alloc(&r->arena, (m->n_parts ? m->n_parts : 1) * sizeof **out);
    *n = 0;
    if (!*out)
        return chat_oom(r);
    for (size_t k = 0; k < m->n_parts; k++) {
        const conv_part *p = &m->parts[k];
        if (p->type == CP_TEXT || p->type == CP_REFUSAL) {
            (*out)[(*n)++] = p->text;
            continue;
        }
        chat_path_set(r, p->path);
        tok_status st = chat_unknown(r, p->type == CP_IMAGE ? TOK_PART_IMAGES : TOK_PART_FILES,
                                     m->row, p->type == CP_IMAGE ? "image" : "audio or file",
                                     SRC_NO_MEDIA);
        if (st != TOK_OK)
            return st;
    }
    return TOK_OK;
}

static cstr joined(chat_run *r, const cstr *t, size_t n, const char *sep, bool *oom)
{
    size_t len = 0, sl = strlen(sep);
    for (size_t i = 0; i < n; i++)
        len += t[i].n + (i ? sl : 0);
    char *b = chat_arena_alloc(&r->arena, len + 1);
    if (!b) {
        *oom = true;
        return (cstr){"", 0};
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            memcpy(b + at, sep, sl), at += sl;
        if (t[i].n)
            memcpy(b + at, t[i].s, t[i].n), at += t[i].n;
    }
    return (cstr){b, len};
}

tok_status conv_count_harmony(chat_run *r, conversation *cv)
{
    tok_status st = TOK_OK;
    bool oom = false;
    size_t cap = 2 + cv->n_msgs;
    for (size_t i = 0; i < cv->n_msgs; i++)
        cap += cv->msgs[i].n_calls;
    harmony_msg *hm = chat_arena_alloc(&r->arena, cap * sizeof *hm);
    harmony_tool *tools = chat_arena_alloc(&r->arena, (cv->n_fns ? cv->n_fns : 1) * sizeof *tools);
    cstr *instr = chat_arena_alloc(&r->arena, (cv->n_msgs ? cv->n_msgs : 1) * sizeof *instr);
    if (!hm || !tools || !instr)
        return chat_oom(r);
    memset(hm, 0, cap * sizeof *hm);
    for (size_t i = 0; i < cv->n_fns; i++) {
        const conv_fn *f = &cv->fns[i];
        uint32_t d = json_get(&r->doc, f->node, "description");
        uint32_t p = json_get(&r->doc, f->node, "parameters");
        tools[i].name = f->name;
        tools[i].description = (cstr){"", 0};
        if (d != J_NONE && chat_type(r, d) == J_STRING && chat_str(r, d, &tools[i].description))
            return chat_oom(r);
        tools[i].params = p != J_NONE && chat_type(r, p) != J_NULL ? p : J_NONE;
    }
    harmony_ns ns = {{"functions", 9}, {0}, false, tools, cv->n_fns};
    /* system and developer texts become the developer message's instructions */
    size_t n_instr = 0;
    int64_t dev_row = -1;
    for (size_t i = 0; i < cv->n_msgs; i++) {
        const conv_msg *m = &cv->msgs[i];
        if (!cstr_is(m->role, "system") && !cstr_is(m->role, "developer"))
            continue;
        cstr *t;
        size_t n;
        if ((st = texts(r, m, &t, &n)) != TOK_OK)
            return st;
        instr[n_instr++] = joined(r, t, n, "", &oom);
        if (dev_row < 0)
            dev_row = m->row;
    }
    cstr instructions = joined(r, instr, n_instr, "\n\n", &oom);
    char effort[32] = "medium";
    if (cv->effort.n && cv->effort.n < sizeof effort)
        memcpy(effort, cv->effort.s, cv->effort.n), effort[cv->effort.n] = 0;
    harmony_system sys = {"You are ChatGPT, a large language model trained by OpenAI.",
                          "2024-06", NULL, effort, NULL, 0, harmony_default_channels, 3, true};
    size_t n = 0;
    hm[n++] = (harmony_msg){.role = "system", .system = &sys, .row = -1, .kind = TOK_PART_SYSTEM};
    if (n_instr || cv->n_fns)
        hm[n++] = (harmony_msg){.role = "developer", .developer = true,
                                .instructions = n_instr ? &instructions : NULL,
                                .ns = &ns, .n_ns = cv->n_fns ? 1 : 0, .row = dev_row};
    for (size_t i = 0; i < cv->n_msgs && !oom; i++) {
        const conv_msg *m = &cv->msgs[i];
        cstr none = {NULL, 0}, name = m->has_name ? m->name : none;
        if (cstr_is(m->role, "system") || cstr_is(m->role, "developer"))
            continue;
        cstr *t;
        size_t nt;
        if ((st = texts(r, m, &t, &nt)) != TOK_OK)
            return st;
        if (cstr_is(m->role, "user")) {
            hm[n++] = (harmony_msg){.role = "user", .name = name, .texts = t, .n_texts = nt,
                                    .row = m->row, .kind = TOK_PART_TEXT};
        } else if (cstr_is(m->role, "assistant")) {
            size_t len = 0;
            for (size_t k = 0; k < nt; k++)
                len += t[k].n;
            if (len)
                hm[n++] = (harmony_msg){.role = "assistant", .name = name,
                                        .channel = m->n_calls ? (cstr){"commentary", 10}
                                                              : (cstr){"final", 5},
                                        .texts = t, .n_texts = nt, .row = m->row,
                                        .kind = TOK_PART_TEXT};
            for (size_t k = 0; k < m->n_calls; k++) {
                const conv_call *c = &m->calls[k];
                const char *to = chat_fmt(r, "functions.%.*s", (int)c->name.n, c->name.s);
                if (!to)
                    return chat_oom(r);
                hm[n++] = (harmony_msg){.role = "assistant", .name = name,
                                        .recipient = {to, strlen(to)},
                                        .channel = {"commentary", 10},
                                        .content_type = {"<|constrain|>json", 17},
                                        .texts = &c->args, .n_texts = 1, .row = m->row,
                                        .kind = TOK_PART_TOOL_CALLS};
            }
        } else { /* tool, function: the function is the author */
            cstr fn;
            if (!conv_call_name(cv, m, &fn)) {
                chat_path_set(r, m->path);
                return chat_fail(r, J_NONE, TOK_EINVAL,
                                 "a %.*s message needs the function it answers: a tool_call_id "
                                 "of an earlier tool call, or a name",
                                 (int)m->role.n, m->role.s);
            }
            const char *author = chat_fmt(r, "functions.%.*s", (int)fn.n, fn.s);
            if (!author)
                return chat_oom(r);
            hm[n++] = (harmony_msg){.role = "tool", .name = {author, strlen(author)},
                                    .recipient = {"assistant", 9}, .channel = {"commentary", 10},
                                    .texts = t, .n_texts = nt, .row = m->row,
                                    .kind = TOK_PART_TOOL_CALLS};
        }
    }
    if (oom)
        return chat_oom(r);
    harmony_out h = {0};
    chat_path_set(r, "tools");
    st = harmony_render(r, hm, n, &h);
    chat_path_set(r, "");
    if (st == TOK_OK)
        st = count_pieces(r, &h, n_instr ? &instructions : NULL, cv->n_fns > 0);
    harmony_out_free(&h);
    if (st != TOK_OK)
        return st;
    if (cv->function_call > CHOICE_AUTO) {
        chat_path_set(r, cv->function_call_path);
        st = chat_unknown(r, TOK_PART_TOOL_DEFS, -1, "function_call", SRC_CHOICE);
    }
    if (st == TOK_OK && cv->tool_choice > CHOICE_AUTO) {
        chat_path_set(r, cv->tool_choice_path);
        st = chat_unknown(r, TOK_PART_TOOL_DEFS, -1, "tool_choice", SRC_CHOICE);
    }
    return st;
}
