/* openai_count: the "openai" convention -- what a Chat Completions request costs on OpenAI's
 * chat models (cl100k_base, o200k_base), part by part (RULES.md section 2; the executable form
 * is tests/conformance/chat_api_openai.mjs renderChat, which this follows rule for rule):
 *
 *   each message       3 (gpt-3.5-turbo-0301: 4) + its role + its content, each encoded on
 *                      its own; a name adds its tokens + 1 (0301: - 1)
 *   role function      3 + the function's name + the content (the name takes the role's place)
 *   function_call      its name + arguments + 3
 *   the reply          3 (<|start|>assistant<|message|>)
 *   definitions        5 after the first system message (whose text gains a "\n"), or a system
 *                      message of their own (3 + 1 + 5), then the functions namespace
 *   function_call      "none" 1; {"name"} 4 + the name
 *
 * These reproduce every API-measured count of tests/golden/chat-api/requests.jsonl. Tool calls,
 * role tool, tool_choice and Responses bodies follow the same rules unmeasured: estimates. */
#include "chat/conversation.h"
#include "chat/images.h"
#include "split/split.h"

#include <string.h>

#define TOOLS_HEADER 5      /* measured as a whole; the real header text is not published */
#define REPLY_PRIMING 3
#define CALL_FRAMING 3      /* an assistant function_call beyond its name and arguments */
#define FUNCTION_CALL_NONE 1
#define FUNCTION_CALL_NAMED 4
#define TOOL_CHOICE_NONE 1
#define TOOL_CHOICE_NAMED 7

static const char SRC_FRAMING[] =
    "OpenAI cookbook num_tokens_from_messages: 3 per message and the role (API-measured; "
    "RULES.md 2.2)";
static const char SRC_FRAMING_0301[] =
    "OpenAI cookbook num_tokens_from_messages for gpt-3.5-turbo-0301: 4 per message and the role "
    "(API-measured; RULES.md 2.2)";
static const char SRC_NAME[] = "a name: its tokens + 1 (gpt-3.5-turbo-0301: - 1; OpenAI "
                               "cookbook, API-measured; RULES.md 2.2)";
static const char SRC_TEXT[] = "the text, encoded on its own (OpenAI cookbook; API-measured, "
                               "RULES.md 2.2)";
static const char SRC_SYSTEM_PAD[] =
    "the first system message's text + \"\\n\" before the function definitions (openai-chat-"
    "tokens; API-measured, RULES.md 2.3)";
static const char SRC_PARTS[] = "content in several parts: each counted on its own (how the API "
                                "joins them is not measured; RULES.md 2.6)";
static const char SRC_REPLY[] = "<|start|>assistant<|message|> primes the reply: 3 (OpenAI "
                                "cookbook; API-measured)";
static const char SRC_FN_MSG[] =
    "role function: 3 + the function's name + the content, the name taking the role's place "
    "(openai-chat-tokens; API-measured, RULES.md 2.5)";
static const char SRC_TOOL_MSG[] =
    "role tool framed like role function, with the name of the call it answers (not measured; "
    "RULES.md 2.5)";
static const char SRC_FC[] = "assistant function_call: name + arguments + 3 (openai-chat-tokens; "
                             "API-measured, RULES.md 2.5)";
static const char SRC_TC[] =
    "tool calls framed like function_call: name + arguments + 3 each (not measured; several "
    "calls may be wrapped differently; RULES.md 2.5)";
static const char SRC_DEFS[] =
    "function definitions as the TypeScript-like namespace the model reads, after a 5-token "
    "header (openai-chat-tokens, OpenAI cookbook; API-measured, RULES.md 2.3)";
static const char SRC_FC_NONE[] = "request function_call \"none\": 1 (openai-chat-tokens; "
                                  "API-measured, RULES.md 2.4)";
static const char SRC_FC_NAMED[] = "request function_call {name}: 4 + the name (openai-chat-"
                                   "tokens; API-measured, RULES.md 2.4)";
static const char SRC_TC_NONE[] =
    "tool_choice \"none\": 1 (a measured difference on an unrecorded model, pamelafox "
    "tests/functions.py; RULES.md 2.4)";
static const char SRC_TC_NAMED[] =
    "tool_choice {function}: 7 + the name (measured differences on an unrecorded model, "
    "pamelafox tests/functions.py; RULES.md 2.4)";
static const char SRC_TC_REQUIRED[] =
    "tool_choice \"required\": what it adds is neither published nor measured (RULES.md 2.4)";
static const char SRC_NOT_OPENAI_VOCAB[] =
    "the per-message overheads are OpenAI's for cl100k_base and o200k_base models; this "
    "tokenizer is neither";
static const char SRC_NOT_OPENAI_MODEL[] =
    "OpenAI's chat framing stands in for this model's, which is not published";
static const char SRC_PROXY_TEXT[] =
    "the text, counted with the model's estimating tokenizer and factor (its own tokenizer is not "
    "public)";
static const char SRC_RESPONSES[] =
    "Responses API: its framing is not published; counted as the Chat Completions request it "
    "maps to (RULES.md 7)";
static const char SRC_AUDIO[] = "an audio or file part: no published rule for what it costs";
static const char SRC_REFUSAL[] = "a refusal part, counted as text (not measured)";

static bool openai_vocab(const tok_tokenizer *t)
{
    if (strcmp(tok_format(t), "tiktoken") != 0)
        return false;
    const char *pat = tok_pattern(t);
    uint32_t n = tok_vocab_size(t);
    return (n == 100277 && !strcmp(pat, tok_split_preset_named("cl100k")->pattern)) ||
           (n == 200019 && !strcmp(pat, tok_split_preset_named("o200k")->pattern));
}

typedef struct oa {
    chat_run *r;
    conversation *cv;
    bool exact;          /* the framing rules hold for this model and tokenizer */
    const char *why;     /* else why not */
    const char *why_text; /* ... and why the text is not exact */
    const char *framing; /* SRC_FRAMING or SRC_FRAMING_0301 */
    int per_msg, per_name;
} oa;

/* The source of a measured rule, or the reason it does not hold here. */
static const char *src(const oa *o, const char *measured) { return o->exact ? measured : o->why; }
static const char *src_text(const oa *o) { return o->exact ? SRC_TEXT : o->why_text; }

static tok_status content(oa *o, const conv_msg *m, int kind, bool exact, const char *why)
{
    chat_run *r = o->r;
    size_t texts = 0;
    for (size_t j = 0; j < m->n_parts; j++)
        texts += m->parts[j].type == CP_TEXT;
    for (size_t j = 0; j < m->n_parts; j++) {
        const conv_part *p = &m->parts[j];
        chat_path_set(r, p->path);
        tok_status st;
        switch (p->type) {
        case CP_TEXT: /* one text part is measured (pamelafox's image requests); several not */
            st = chat_text(r, kind, m->row, "content", p->text.s, p->text.n,
                           exact && texts == 1, texts == 1 ? why : SRC_PARTS);
            break;
        case CP_REFUSAL:
            st = chat_text(r, kind, m->row, "refusal", p->text.s, p->text.n, false, SRC_REFUSAL);
            break;
        case CP_IMAGE:
            st = chat_image_part(r, m->row, (chat_image_from)p->from, p->url, p->detail);
            if (st == TOK_OK && !exact && r->items[r->n_items - 1].exact)
                r->items[r->n_items - 1].exact = false; /* the framing around it is a guess */
            break;
        default:
            st = chat_unknown(r, TOK_PART_FILES, m->row,
                              p->type == CP_AUDIO ? "audio" : "file", SRC_AUDIO);
        }
        if (st != TOK_OK)
            return st;
    }
    return TOK_OK;
}

static tok_status calls(oa *o, const conv_msg *m)
{
    chat_run *r = o->r;
    bool exact = m->legacy_call && o->exact;
    const char *why = m->legacy_call ? src(o, SRC_FC) : SRC_TC;
    for (size_t k = 0; k < m->n_calls; k++) {
        const conv_call *c = &m->calls[k];
        chat_path_set(r, c->path);
        tok_status st;
        if ((st = chat_text(r, TOK_PART_TOOL_CALLS, m->row, "call name", c->name.s, c->name.n,
                            exact, why)) != TOK_OK ||
            (st = chat_text(r, TOK_PART_TOOL_CALLS, m->row, "call arguments", c->args.s,
                            c->args.n, exact, why)) != TOK_OK ||
            (st = chat_fixed(r, TOK_PART_TOOL_CALLS, m->row, "call framing", CALL_FRAMING, exact,
                             why)) != TOK_OK)
            return st;
    }
    return TOK_OK;
}

static tok_status message(oa *o, const conv_msg *m, bool defs, bool *padded)
{
    chat_run *r = o->r;
    tok_status st;
    chat_path_set(r, m->path);
    if (cstr_is(m->role, "function") || cstr_is(m->role, "tool")) {
        bool fn = cstr_is(m->role, "function");
        bool exact = fn && o->exact;
        const char *why = fn ? src(o, SRC_FN_MSG) : SRC_TOOL_MSG;
        cstr name;
        if (!(fn ? (m->has_name && (name = m->name, true)) : conv_call_name(o->cv, m, &name)))
            return chat_fail(r, J_NONE, TOK_EINVAL,
                             "a %.*s message needs the function it answers: %s", (int)m->role.n,
                             m->role.s,
                             fn ? "its name" : "a tool_call_id of a tool call, or a name");
        if ((st = chat_fixed(r, TOK_PART_FRAMING, m->row, "framing", (uint64_t)o->per_msg, exact,
                             why)) != TOK_OK ||
            (st = chat_text(r, TOK_PART_FRAMING, m->row, "function name", name.s, name.n, exact,
                            why)) != TOK_OK)
            return st;
        return content(o, m, TOK_PART_TOOL_CALLS, exact, why);
    }
    if ((st = chat_fixed(r, TOK_PART_FRAMING, m->row, "framing", (uint64_t)o->per_msg, o->exact,
                         src(o, o->framing))) != TOK_OK ||
        (st = chat_text(r, TOK_PART_FRAMING, m->row, "role", m->role.s, m->role.n, o->exact,
                        src(o, o->framing))) != TOK_OK)
        return st;
    bool sys = cstr_is(m->role, "system") || cstr_is(m->role, "developer");
    if (cstr_is(m->role, "system") && defs && !*padded && m->string_content) {
        *padded = true;
        const cstr t = m->parts[0].text;
        char *b = malloc(t.n + 1);
        if (!b)
            return chat_oom(r);
        memcpy(b, t.s, t.n);
        b[t.n] = '\n';
        chat_path_set(r, m->parts[0].path);
        st = chat_text(r, TOK_PART_SYSTEM, m->row, "content + \"\\n\"", b, t.n + 1, o->exact,
                       o->exact ? SRC_SYSTEM_PAD : o->why_text);
        free(b);
    } else {
        st = content(o, m, sys ? TOK_PART_SYSTEM : TOK_PART_TEXT, o->exact, src_text(o));
    }
    if (st != TOK_OK)
        return st;
    if (m->has_name) {
        uint64_t k;
        chat_path_set(r, m->path);
        if ((st = chat_count(r, m->name.s, m->name.n, &k)) != TOK_OK)
            return st;
        int64_t v = (int64_t)k + o->per_name; /* 0301: the name replaces the role, -1 */
        if ((st = chat_fixed(r, TOK_PART_FRAMING, m->row, "name", v > 0 ? (uint64_t)v : 0,
                             o->exact, src(o, SRC_NAME))) != TOK_OK)
            return st;
        r->items[r->n_items - 1].text = true; /* text: scaled like the rest for an estimate */
    }
    return calls(o, m);
}

static tok_status definitions(oa *o, bool has_system)
{
    chat_run *r = o->r;
    conversation *cv = o->cv;
    tok_buf ns = {0};
    ns_shapes sh;
    tok_status st = chat_functions_ns(r, cv, &ns, &sh);
    if (st != TOK_OK) {
        tok_buf_free(&ns);
        return st;
    }
    if (ns.oom) {
        tok_buf_free(&ns);
        return chat_oom(r);
    }
    /* Measured: the shapes of RULES.md 2.3 on gpt-3.5-turbo (openai-chat-tokens, 2023) and
     * flat, described tools on gpt-3.5-turbo, gpt-4, gpt-4o and gpt-4o-mini (the cookbook). A
     * 2024 measurement on an unrecorded model counts nested objects and properties without a
     * description differently (RULES.md 2.8), so those shapes are estimates on every model. */
    const char *why = NULL;
    if (!o->exact)
        why = o->why;
    else if (sh.unmeasured)
        why = chat_fmt(r, "function definitions with %s: rendered by RULES.md 2.3, but no "
                          "measurement covers that shape", sh.unmeasured);
    else if (cv->strict)
        why = "function definitions with strict: true: not measured (RULES.md 2.3)";
    else if (sh.nested || sh.undescribed)
        why = "function definitions with nested objects or properties without a description: "
              "reproduces gpt-3.5-turbo's 2023 counts (openai-chat-tokens), but a 2024 "
              "measurement on an unrecorded model counts these shapes differently (RULES.md 2.8)";
    else if (o->per_msg == 4)
        why = "function definitions on gpt-3.5-turbo-0301, which had no function calling";
    bool exact = !why;
    if (!why)
        why = SRC_DEFS;
    /* the header and the system message that holds it are measured whatever the shapes */
    bool frame_exact = o->exact && o->per_msg != 4;
    const char *frame_why = frame_exact ? SRC_DEFS : o->exact ? why : o->why;
    chat_path_set(r, cv->fns_via_functions ? "functions" : "tools");
    if (has_system)
        st = chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "tools header (in the system message)",
                        TOOLS_HEADER, frame_exact, frame_why);
    else if ((st = chat_fixed(r, TOK_PART_FRAMING, -1, "tools system message framing",
                              (uint64_t)o->per_msg, frame_exact, frame_why)) == TOK_OK &&
             (st = chat_text(r, TOK_PART_FRAMING, -1, "tools system message role", "system", 6,
                             frame_exact, frame_why)) == TOK_OK)
        st = chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "tools header", TOOLS_HEADER, frame_exact,
                        frame_why);
    if (st == TOK_OK)
        st = chat_text(r, TOK_PART_TOOL_DEFS, -1, "function definitions", (const char *)ns.data,
                       ns.len, exact, why);
    tok_buf_free(&ns);
    return st;
}

static tok_status choices(oa *o)
{
    chat_run *r = o->r;
    conversation *cv = o->cv;
    tok_status st = TOK_OK;
    if (cv->function_call == CHOICE_NONE || cv->function_call == CHOICE_NAMED) {
        chat_path_set(r, cv->function_call_path);
        if (cv->function_call == CHOICE_NONE)
            st = chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "function_call \"none\"",
                            FUNCTION_CALL_NONE, o->exact, src(o, SRC_FC_NONE));
        else if ((st = chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "function_call {name}",
                                  FUNCTION_CALL_NAMED, o->exact, src(o, SRC_FC_NAMED))) == TOK_OK)
            st = chat_text(r, TOK_PART_TOOL_DEFS, -1, "function_call name",
                           cv->function_call_name.s, cv->function_call_name.n, o->exact,
                           src(o, SRC_FC_NAMED));
    }
    if (st != TOK_OK || cv->tool_choice <= CHOICE_AUTO)
        return st;
    chat_path_set(r, cv->tool_choice_path);
    if (cv->tool_choice == CHOICE_NONE)
        return chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "tool_choice \"none\"", TOOL_CHOICE_NONE,
                          false, SRC_TC_NONE);
    if (cv->tool_choice == CHOICE_REQUIRED)
        return chat_unknown(r, TOK_PART_TOOL_DEFS, -1, "tool_choice \"required\"",
                            SRC_TC_REQUIRED);
    if ((st = chat_fixed(r, TOK_PART_TOOL_DEFS, -1, "tool_choice {function}", TOOL_CHOICE_NAMED,
                         false, SRC_TC_NAMED)) != TOK_OK)
        return st;
    return chat_text(r, TOK_PART_TOOL_DEFS, -1, "tool_choice name", cv->tool_choice_name.s,
                     cv->tool_choice_name.n, false, SRC_TC_NAMED);
}

tok_status conv_count_openai(chat_run *r, conversation *cv)
{
    oa o = {r, cv, true, NULL, NULL, SRC_FRAMING, 3, 1};
    if (chat_model_is(r, "gpt-3.5-turbo-0301")) {
        o.per_msg = 4, o.per_name = -1;
        o.framing = SRC_FRAMING_0301;
    }
    r->tokens_per_message = o.per_msg;
    r->tokens_per_name = o.per_name;
    chat_family fam = chat_model_family(r);
    if (cv->responses)
        o.exact = false, o.why = o.why_text = SRC_RESPONSES;
    else if (r->estimate)
        o.exact = false, o.why = SRC_NOT_OPENAI_MODEL, o.why_text = SRC_PROXY_TEXT;
    else if (!openai_vocab(r->tok))
        o.exact = false, o.why = o.why_text = SRC_NOT_OPENAI_VOCAB;
    else if (fam != FAM_OPENAI && fam != FAM_NONE)
        o.exact = false, o.why = SRC_NOT_OPENAI_MODEL, o.why_text = SRC_TEXT;
    bool has_system = false, padded = false;
    for (size_t i = 0; i < cv->n_msgs; i++)
        has_system |= cstr_is(cv->msgs[i].role, "system");
    tok_status st = TOK_OK;
    for (size_t i = 0; st == TOK_OK && i < cv->n_msgs; i++)
        st = message(&o, &cv->msgs[i], cv->n_fns > 0, &padded);
    if (st == TOK_OK) {
        chat_path_set(r, "");
        st = chat_fixed(r, TOK_PART_REPLY, -1, "reply priming", REPLY_PRIMING, o.exact,
                        src(&o, SRC_REPLY));
    }
    if (st == TOK_OK && cv->n_fns)
        st = definitions(&o, has_system);
    if (st == TOK_OK)
        st = choices(&o);
    return st;
}
