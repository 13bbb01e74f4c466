/* chat: count a conversation (an OpenAI-style messages array) the way a chat model sees it.
 *
 * The messages are read into a small list (strings decoded, every field checked, errors naming
 * their JSON path), then one of four renderers counts them:
 *
 *   openai   OpenAI's cookbook num_tokens_from_messages ("How to count tokens with tiktoken"):
 *            3 tokens per message, then the tokens of its role, content and name, 1 more for a
 *            name, and 3 that prime the reply (<|start|>assistant<|message|>). gpt-3.5-turbo-0301
 *            used 4 per message and -1 for a name. The cookbook checks these against the API's
 *            usage.prompt_tokens; they hold for plain text messages. Tool calls have no
 *            documented format: their function name and arguments are counted as text and the
 *            count is marked as an estimate.
 *
 *   harmony  gpt-oss: what openai/harmony's render_conversation_for_completion(conversation,
 *            Role::Assistant) produces, counted piece by piece the way it encodes (every text
 *            piece encoded on its own with encode_ordinary, every formatting token one token):
 *              <|start|>system<|message|>{SystemContent::new()}<|end|>   harmony's defaults
 *              <|start|>developer<|message|># Instructions\n\n{text}<|end|>  system/developer
 *              <|start|>user[:name]<|message|>{text}<|end|>
 *              <|start|>assistant<|channel|>final<|message|>{text}<|end|>
 *              <|start|>assistant to=functions.F<|channel|>commentary <|constrain|>json
 *                  <|message|>{arguments}<|call|>                         each tool call
 *              <|start|>functions.F to=assistant<|channel|>commentary<|message|>{text}<|end|>
 *              <|start|>assistant                                         the reply
 *            The renderer itself adds no system message; gpt-oss servers and the model's chat
 *            template always send one, and SystemContent::new() is harmony's default for it
 *            (no "Current date:" line: servers that add today's date add its tokens).
 *            Text before tool calls goes to the commentary channel (a preamble).
 *
 *   llama3   Meta Llama 3's chat template (tokenizer_config.json of Meta-Llama-3-*-Instruct):
 *              <|begin_of_text|>{<|start_header_id|>role<|end_header_id|>\n\n
 *              {content | trim}<|eot_id|>}...<|start_header_id|>assistant<|end_header_id|>\n\n
 *   chatml   ChatML: {<|im_start|>role\n{content}<|im_end|>\n}...<|im_start|>assistant\n
 *            Both render the whole conversation as text and encode it once with special tokens
 *            allowed, as transformers' apply_chat_template(tokenize=True) does; each token
 *            belongs to the message its first byte came from.
 *
 * Text parts of one message are separate pieces for harmony (as harmony renders a message with
 * several text contents) and for openai (undocumented there: an estimate), and are joined with
 * nothing between them for the two templates. */
#include "base/json.h"
#include "split/split.h"

#include <stdio.h>
#include <string.h>

typedef struct cstr {
    const char *s;
    size_t n;
} cstr;

typedef struct ccall {
    cstr id, name, args;
    bool has_id;
} ccall;

typedef struct cmsg {
    cstr role, name, tool_call_id;
    bool has_name, has_tool_call_id;
    cstr *parts;
    size_t n_parts;
    ccall *calls;
    size_t n_calls;
} cmsg;

typedef struct chat_ctx {
    const tok_tokenizer *tok;
    json_doc doc;
    tok_error *err;
    char path[256];
    void **owned; /* every allocation the messages point into */
    size_t n_owned, cap_owned;
    cmsg *msgs;
    size_t n_msgs;
    bool tools_defined; /* the request body declares tools or functions */
    cstr body_model;
    bool has_body_model;
    tok_chat_count *out;
} chat_ctx;

/* ---- errors and ownership ---- */

static tok_status cfail(chat_ctx *c, uint32_t node, tok_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static tok_status cfail(chat_ctx *c, uint32_t node, tok_status st, const char *fmt, ...)
{
    if (!c->err)
        return st;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t at = TOK_NO_OFFSET;
    uint32_t line = 0;
    if (node != J_NONE && c->doc.nodes) {
        at = c->doc.nodes[node].start;
        /* A string's start is its first byte inside the quotes: point at the quote. */
        if (c->doc.nodes[node].type == J_STRING && at > 0)
            at--;
        line = 1;
        for (uint64_t i = 0; i < at; i++)
            line += c->doc.text[i] == '\n';
    }
    if (c->path[0])
        tok_fail(c->err, st, NULL, at, "%s: %s", c->path, msg);
    else
        tok_fail(c->err, st, NULL, at, "%s", msg);
    c->err->line = line;
    snprintf(c->err->where, sizeof c->err->where, "%s", c->path);
    return st;
}

static tok_status oom(chat_ctx *c) { return cfail(c, J_NONE, TOK_ENOMEM, "out of memory"); }

static void *own(chat_ctx *c, void *p)
{
    if (!p)
        return NULL;
    if (!tok_grow(&c->owned, &c->cap_owned, c->n_owned + 1, sizeof *c->owned, 32)) {
        free(p);
        return NULL;
    }
    c->owned[c->n_owned++] = p;
    return p;
}

static void *own_alloc(chat_ctx *c, size_t n) { return own(c, calloc(n ? n : 1, 1)); }

/* The decoded text of a string node (points into the input when it has no escapes). */
static bool node_str(chat_ctx *c, uint32_t node, cstr *out)
{
    const json_node *n = &c->doc.nodes[node];
    if (!n->esc) {
        out->s = c->doc.text + n->start;
        out->n = n->len;
        return true;
    }
    char *b = own_alloc(c, n->len);
    if (!b)
        return false;
    out->n = json_unescape(c->doc.text + n->start, n->len, b);
    out->s = b;
    return true;
}

static bool key_is(chat_ctx *c, uint32_t member, const char *key)
{
    const json_node *n = &c->doc.nodes[member];
    size_t kl = strlen(key);
    if (!n->key_esc)
        return n->key_len == kl && memcmp(c->doc.text + n->key, key, kl) == 0;
    char tmp[64];
    return n->key_len < sizeof tmp && json_unescape(c->doc.text + n->key, n->key_len, tmp) == kl &&
           memcmp(tmp, key, kl) == 0;
}

static bool cstr_is(cstr s, const char *lit) { return s.n == strlen(lit) && !memcmp(s.s, lit, s.n); }

static uint8_t jtype(chat_ctx *c, uint32_t node) { return c->doc.nodes[node].type; }

static const char *type_name(uint8_t t)
{
    switch (t) {
    case J_NULL: return "null";
    case J_FALSE: case J_TRUE: return "a boolean";
    case J_NUMBER: return "a number";
    case J_STRING: return "a string";
    case J_ARRAY: return "an array";
    default: return "an object";
    }
}

/* Path helpers: the path is rebuilt from the message index down, which keeps it simple. */
static void path_msg(chat_ctx *c, size_t i, const char *rest)
{
    snprintf(c->path, sizeof c->path, "messages[%zu]%s", i, rest ? rest : "");
}

/* A string member value, or an error naming the path. */
static tok_status want_str(chat_ctx *c, uint32_t node, cstr *out)
{
    if (jtype(c, node) != J_STRING)
        return cfail(c, node, TOK_EINVAL, "expected a string, not %s", type_name(jtype(c, node)));
    return node_str(c, node, out) ? TOK_OK : oom(c);
}

/* ---- reading the messages ---- */

static tok_status read_content(chat_ctx *c, size_t i, uint32_t node, cmsg *m)
{
    uint8_t t = jtype(c, node);
    path_msg(c, i, ".content");
    if (t == J_NULL)
        return TOK_OK;
    if (t == J_STRING) {
        m->parts = own_alloc(c, sizeof *m->parts);
        if (!m->parts || !node_str(c, node, &m->parts[0]))
            return oom(c);
        m->n_parts = 1;
        return TOK_OK;
    }
    if (t != J_ARRAY)
        return cfail(c, node, TOK_EINVAL,
                     "expected a string, an array of text parts or null, not %s", type_name(t));
    const json_node *a = &c->doc.nodes[node];
    m->parts = own_alloc(c, a->count * sizeof *m->parts);
    if (!m->parts)
        return oom(c);
    size_t j = 0;
    for (uint32_t p = a->child; p != J_NONE; p = c->doc.nodes[p].next, j++) {
        char sub[64];
        snprintf(sub, sizeof sub, ".content[%zu]", j);
        path_msg(c, i, sub);
        if (jtype(c, p) != J_OBJECT)
            return cfail(c, p, TOK_EINVAL, "expected a content part object, not %s",
                         type_name(jtype(c, p)));
        uint32_t ty = json_get(&c->doc, p, "type");
        cstr tys = {"text", 4};
        if (ty != J_NONE) {
            snprintf(sub, sizeof sub, ".content[%zu].type", j);
            path_msg(c, i, sub);
            tok_status st = want_str(c, ty, &tys);
            if (st != TOK_OK)
                return st;
        }
        if (!cstr_is(tys, "text"))
            return cfail(c, ty, TOK_EUNSUPPORTED,
                         "\"%.*s\" parts cannot be counted from text (only \"text\" parts)",
                         (int)(tys.n > 40 ? 40 : tys.n), tys.s);
        uint32_t tx = json_get(&c->doc, p, "text");
        snprintf(sub, sizeof sub, ".content[%zu].text", j);
        path_msg(c, i, sub);
        if (tx == J_NONE)
            return cfail(c, p, TOK_EINVAL, "missing (a text part needs its text)");
        tok_status st = want_str(c, tx, &m->parts[m->n_parts]);
        if (st != TOK_OK)
            return st;
        m->n_parts++;
    }
    return TOK_OK;
}

/* One function call object {"name": ..., "arguments": ...}; prefix names it in the path. */
static tok_status read_function(chat_ctx *c, size_t i, const char *prefix, uint32_t fn, ccall *k)
{
    char sub[96];
    snprintf(sub, sizeof sub, "%s", prefix);
    path_msg(c, i, sub);
    if (jtype(c, fn) != J_OBJECT)
        return cfail(c, fn, TOK_EINVAL, "expected an object with name and arguments, not %s",
                     type_name(jtype(c, fn)));
    uint32_t nm = json_get(&c->doc, fn, "name"), ar = json_get(&c->doc, fn, "arguments");
    if (nm == J_NONE)
        return cfail(c, fn, TOK_EINVAL, "no function name");
    snprintf(sub, sizeof sub, "%s.name", prefix);
    path_msg(c, i, sub);
    tok_status st = want_str(c, nm, &k->name);
    if (st != TOK_OK)
        return st;
    k->args = (cstr){"", 0};
    if (ar != J_NONE && jtype(c, ar) != J_NULL) {
        snprintf(sub, sizeof sub, "%s.arguments", prefix);
        path_msg(c, i, sub);
        if (jtype(c, ar) != J_STRING)
            return cfail(c, ar, TOK_EINVAL,
                         "expected a string (the arguments as JSON text), not %s",
                         type_name(jtype(c, ar)));
        st = want_str(c, ar, &k->args);
    }
    return st;
}

static tok_status read_tool_calls(chat_ctx *c, size_t i, uint32_t node, cmsg *m)
{
    path_msg(c, i, ".tool_calls");
    uint8_t t = jtype(c, node);
    if (t == J_NULL)
        return TOK_OK;
    if (t != J_ARRAY)
        return cfail(c, node, TOK_EINVAL, "expected an array of tool calls, not %s", type_name(t));
    const json_node *a = &c->doc.nodes[node];
    m->calls = own_alloc(c, a->count * sizeof *m->calls);
    if (!m->calls)
        return oom(c);
    size_t j = 0;
    for (uint32_t p = a->child; p != J_NONE; p = c->doc.nodes[p].next, j++) {
        char sub[64];
        snprintf(sub, sizeof sub, ".tool_calls[%zu]", j);
        path_msg(c, i, sub);
        if (jtype(c, p) != J_OBJECT)
            return cfail(c, p, TOK_EINVAL, "expected a tool call object, not %s",
                         type_name(jtype(c, p)));
        ccall *k = &m->calls[m->n_calls];
        uint32_t ty = json_get(&c->doc, p, "type"), id = json_get(&c->doc, p, "id"),
                 fn = json_get(&c->doc, p, "function");
        if (ty != J_NONE) {
            cstr tys;
            snprintf(sub, sizeof sub, ".tool_calls[%zu].type", j);
            path_msg(c, i, sub);
            tok_status st = want_str(c, ty, &tys);
            if (st != TOK_OK)
                return st;
            if (!cstr_is(tys, "function"))
                return cfail(c, ty, TOK_EUNSUPPORTED,
                             "\"%.*s\" tool calls cannot be counted (only \"function\")",
                             (int)(tys.n > 40 ? 40 : tys.n), tys.s);
        }
        if (id != J_NONE && jtype(c, id) != J_NULL) {
            snprintf(sub, sizeof sub, ".tool_calls[%zu].id", j);
            path_msg(c, i, sub);
            tok_status st = want_str(c, id, &k->id);
            if (st != TOK_OK)
                return st;
            k->has_id = true;
        }
        snprintf(sub, sizeof sub, ".tool_calls[%zu].function", j);
        if (fn == J_NONE) {
            path_msg(c, i, sub);
            return cfail(c, p, TOK_EINVAL, "missing (a tool call needs its function)");
        }
        tok_status st = read_function(c, i, sub, fn, k);
        if (st != TOK_OK)
            return st;
        m->n_calls++;
    }
    return TOK_OK;
}

static const char *const roles[] = {"system", "developer", "user", "assistant", "tool", "function"};

static tok_status read_message(chat_ctx *c, size_t i, uint32_t node, cmsg *m)
{
    path_msg(c, i, NULL);
    if (jtype(c, node) != J_OBJECT)
        return cfail(c, node, TOK_EINVAL, "expected a message object, not %s",
                     type_name(jtype(c, node)));
    bool has_role = false;
    for (uint32_t f = c->doc.nodes[node].child; f != J_NONE; f = c->doc.nodes[f].next) {
        tok_status st = TOK_OK;
        uint8_t t = jtype(c, f);
        if (key_is(c, f, "role")) {
            path_msg(c, i, ".role");
            st = want_str(c, f, &m->role);
            has_role = true;
        } else if (key_is(c, f, "content")) {
            st = read_content(c, i, f, m);
        } else if (key_is(c, f, "name")) {
            path_msg(c, i, ".name");
            if (t != J_NULL) {
                st = want_str(c, f, &m->name);
                m->has_name = true;
            }
        } else if (key_is(c, f, "tool_call_id")) {
            path_msg(c, i, ".tool_call_id");
            if (t != J_NULL) {
                st = want_str(c, f, &m->tool_call_id);
                m->has_tool_call_id = true;
            }
        } else if (key_is(c, f, "tool_calls")) {
            st = read_tool_calls(c, i, f, m);
        } else if (key_is(c, f, "function_call")) {
            if (t != J_NULL) { /* the deprecated single call: one more tool call */
                ccall *calls = own_alloc(c, (m->n_calls + 1) * sizeof *calls);
                if (!calls)
                    return oom(c);
                if (m->n_calls)
                    memcpy(calls, m->calls, m->n_calls * sizeof *calls);
                m->calls = calls;
                st = read_function(c, i, ".function_call", f, &m->calls[m->n_calls]);
                if (st == TOK_OK)
                    m->n_calls++;
            }
        } else if (key_is(c, f, "refusal") || key_is(c, f, "annotations") ||
                   key_is(c, f, "audio")) {
            /* fields of API responses that are not part of the prompt when empty */
            if (t != J_NULL && !(t == J_ARRAY && c->doc.nodes[f].count == 0)) {
                const json_node *n = &c->doc.nodes[f];
                path_msg(c, i, NULL);
                size_t l = strlen(c->path);
                snprintf(c->path + l, sizeof c->path - l, ".%.*s", (int)n->key_len,
                         c->doc.text + n->key);
                st = cfail(c, f, TOK_EUNSUPPORTED, "cannot be counted (only null or empty)");
            }
        } else {
            const json_node *n = &c->doc.nodes[f];
            path_msg(c, i, NULL);
            size_t l = strlen(c->path);
            snprintf(c->path + l, sizeof c->path - l, ".%.*s", (int)(n->key_len > 60 ? 60 : n->key_len),
                     c->doc.text + n->key);
            st = cfail(c, f, TOK_EINVAL,
                       "unknown message field (expected role, content, name, tool_calls, "
                       "tool_call_id)");
        }
        if (st != TOK_OK)
            return st;
    }
    path_msg(c, i, NULL);
    if (!has_role)
        return cfail(c, node, TOK_EINVAL, "no role");
    bool known = false;
    for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++)
        known |= cstr_is(m->role, roles[r]);
    if (!known) {
        path_msg(c, i, ".role");
        return cfail(c, json_get(&c->doc, node, "role"), TOK_EINVAL,
                     "unknown role \"%.*s\" (expected system, developer, user, assistant, tool "
                     "or function)",
                     (int)(m->role.n > 40 ? 40 : m->role.n), m->role.s);
    }
    if (m->n_calls && !cstr_is(m->role, "assistant")) {
        path_msg(c, i, ".tool_calls");
        return cfail(c, json_get(&c->doc, node, "tool_calls"), TOK_EINVAL,
                     "only assistant messages make tool calls");
    }
    return TOK_OK;
}

static tok_status read_messages(chat_ctx *c, const char *json, size_t len)
{
    size_t at;
    const char *msg;
    if (!json_parse(&c->doc, json, len, &at, &msg)) {
        uint32_t line = 1, col = 1;
        for (size_t k = 0; k < at && k < len; k++) {
            if (json[k] == '\n')
                line++, col = 1;
            else if (((unsigned char)json[k] & 0xC0) != 0x80)
                col++;
        }
        tok_status st = tok_fail(c->err, TOK_EINVAL, NULL, at,
                                 "line %u, column %u: %s (not valid JSON)", line, col, msg);
        if (c->err)
            c->err->line = line;
        return st;
    }
    uint32_t root = 0, arr = 0;
    if (jtype(c, root) == J_OBJECT) {
        arr = json_get(&c->doc, root, "messages");
        if (arr == J_NONE)
            return cfail(c, root, TOK_EINVAL,
                         "no \"messages\" (expected an array of messages, or an object with one)");
        for (const char *const *k = (const char *const[]){"tools", "functions", NULL}; *k; k++) {
            uint32_t tn = json_get(&c->doc, root, *k);
            if (tn != J_NONE && jtype(c, tn) == J_ARRAY && c->doc.nodes[tn].count)
                c->tools_defined = true;
        }
        uint32_t mn = json_get(&c->doc, root, "model");
        if (mn != J_NONE && jtype(c, mn) == J_STRING && node_str(c, mn, &c->body_model))
            c->has_body_model = true;
    }
    if (jtype(c, arr) != J_ARRAY) {
        snprintf(c->path, sizeof c->path, "%s", arr == root ? "" : "messages");
        return cfail(c, arr, TOK_EINVAL, "expected an array of messages%s, not %s",
                     arr == root ? " (or an object with one)" : "", type_name(jtype(c, arr)));
    }
    const json_node *a = &c->doc.nodes[arr];
    c->msgs = own_alloc(c, a->count * sizeof *c->msgs);
    if (!c->msgs)
        return oom(c);
    size_t i = 0;
    for (uint32_t m = a->child; m != J_NONE; m = c->doc.nodes[m].next, i++) {
        tok_status st = read_message(c, i, m, &c->msgs[i]);
        if (st != TOK_OK)
            return st;
        c->n_msgs++;
    }
    c->path[0] = 0;
    return TOK_OK;
}

/* ---- counting helpers ---- */

static tok_status count_text(chat_ctx *c, const char *s, size_t n, uint64_t *acc)
{
    size_t k = 0;
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    tok_error e;
    if (n && tok_count(c->tok, s, n, &o, &k, &e) != TOK_OK)
        return cfail(c, J_NONE, e.status, "%s", e.message);
    *acc += k;
    return TOK_OK;
}

/* The same for a concatenation a + b (harmony encodes ":name" and " to=..." as one piece). */
static tok_status count_cat(chat_ctx *c, const char *a, cstr b, uint64_t *acc)
{
    size_t la = strlen(a);
    char *t = malloc(la + b.n + 1);
    if (!t)
        return oom(c);
    memcpy(t, a, la);
    memcpy(t + la, b.s, b.n);
    tok_status st = count_text(c, t, la + b.n, acc);
    free(t);
    return st;
}

static bool special(const tok_tokenizer *t, const char *text, uint32_t *id)
{
    uint32_t v;
    if (tok_token_id(t, text, strlen(text), &v) != TOK_OK || !tok_is_special(t, v))
        return false;
    if (id)
        *id = v;
    return true;
}

static bool has_all(const tok_tokenizer *t, const char *const *names)
{
    for (; *names; names++)
        if (!special(t, *names, NULL))
            return false;
    return true;
}

static const char *const harmony_specials[] = {"<|start|>",   "<|message|>",   "<|end|>",
                                               "<|channel|>", "<|constrain|>", "<|call|>", NULL};
static const char *const llama3_specials[] = {"<|start_header_id|>", "<|end_header_id|>",
                                              "<|eot_id|>", NULL};
static const char *const chatml_specials[] = {"<|im_start|>", "<|im_end|>", NULL};

/* ---- openai ---- */

static bool is_tiktoken(const tok_tokenizer *t) { return !strcmp(tok_format(t), "tiktoken"); }

static bool is_openai_chat_vocab(const tok_tokenizer *t)
{
    if (!is_tiktoken(t))
        return false;
    const char *pat = tok_pattern(t);
    uint32_t n = tok_vocab_size(t);
    return (n == 100277 && !strcmp(pat, tok_split_preset_named("cl100k")->pattern)) ||
           (n == 200019 && !strcmp(pat, tok_split_preset_named("o200k")->pattern));
}

static tok_status run_openai(chat_ctx *c, const char *model)
{
    tok_chat_count *out = c->out;
    int per_msg = 3, per_name = 1;
    if (model && !strcmp(model, "gpt-3.5-turbo-0301"))
        per_msg = 4, per_name = -1;
    out->tokens_per_message = per_msg;
    out->tokens_per_name = per_name;
    if (!is_openai_chat_vocab(c->tok)) {
        out->exact = false;
        out->note = "the per-message overheads are OpenAI's for cl100k_base and o200k_base "
                    "models; this tokenizer is neither";
    }
    for (size_t i = 0; i < c->n_msgs; i++) {
        cmsg *m = &c->msgs[i];
        tok_chat_message_count *r = &out->messages[i];
        uint64_t over = 0, cont = 0;
        tok_status st = count_text(c, m->role.s, m->role.n, &over);
        for (size_t p = 0; st == TOK_OK && p < m->n_parts; p++)
            st = count_text(c, m->parts[p].s, m->parts[p].n, &cont);
        if (st == TOK_OK && m->has_name)
            st = count_text(c, m->name.s, m->name.n, &over);
        for (size_t k = 0; st == TOK_OK && k < m->n_calls; k++) {
            st = count_text(c, m->calls[k].name.s, m->calls[k].name.n, &cont);
            if (st == TOK_OK)
                st = count_text(c, m->calls[k].args.s, m->calls[k].args.n, &cont);
        }
        if (st != TOK_OK)
            return st;
        int64_t fixed = per_msg + (m->has_name ? per_name : 0);
        int64_t o = (int64_t)over + fixed;
        r->overhead = o > 0 ? (uint64_t)o : 0; /* 0301: a 1-token role and a name cancel out */
        r->content = cont;
        r->total = r->overhead + r->content;
        if (m->n_parts > 1 && out->exact) {
            out->exact = false;
            out->note = "content in several parts: how the API joins them is not documented "
                        "(each part counted on its own)";
        }
        if (m->n_calls && (out->exact || !out->note)) {
            out->exact = false;
            out->note = "tool calls: their formatting is not documented (function names and "
                        "arguments counted as text)";
        }
    }
    if (c->tools_defined && (out->exact || !out->note)) {
        out->exact = false;
        out->note = "the tool definitions of the request are not counted";
    }
    out->reply = 3;
    return TOK_OK;
}

/* ---- harmony ---- */

/* The text of harmony's SystemContent::new(), as Render<SystemContent> joins its sections. */
static const char harmony_system[] =
    "You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "\n"
    "Reasoning: medium\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.";

/* The function name of a tool result: its own name, else the call its tool_call_id answers. */
static bool tool_name(chat_ctx *c, size_t i, cstr *name)
{
    cmsg *m = &c->msgs[i];
    if (m->has_name) {
        *name = m->name;
        return true;
    }
    if (!m->has_tool_call_id)
        return false;
    for (size_t j = i; j-- > 0;)
        for (size_t k = 0; k < c->msgs[j].n_calls; k++) {
            ccall *call = &c->msgs[j].calls[k];
            if (call->has_id && call->id.n == m->tool_call_id.n &&
                !memcmp(call->id.s, m->tool_call_id.s, call->id.n)) {
                *name = call->name;
                return true;
            }
        }
    return false;
}

static tok_status run_harmony(chat_ctx *c)
{
    tok_chat_count *out = c->out;
    /* Formatting tokens are one token each; <|start|>role<|message|>...<|end|> is 3 of them. */
    uint64_t sys = 3;
    tok_status st = count_text(c, "system", 6, &sys);
    if (st == TOK_OK)
        st = count_text(c, harmony_system, sizeof harmony_system - 1, &sys);
    if (st != TOK_OK)
        return st;
    out->prefix = sys;
    bool calls = false;
    for (size_t i = 0; i < c->n_msgs; i++) {
        cmsg *m = &c->msgs[i];
        tok_chat_message_count *r = &out->messages[i];
        uint64_t over = 0, cont = 0;
        cstr role = m->role, nm = {":", 1};
        if (cstr_is(role, "system") || cstr_is(role, "developer")) {
            /* DeveloperContent with instructions: "# Instructions" and the text joined by a
             * blank line, encoded as one piece. */
            size_t tl = 0;
            for (size_t p = 0; p < m->n_parts; p++)
                tl += m->parts[p].n;
            static const char head[] = "# Instructions\n\n";
            char *t = malloc(sizeof head + tl);
            if (!t)
                return oom(c);
            memcpy(t, head, sizeof head - 1);
            size_t at = sizeof head - 1;
            for (size_t p = 0; p < m->n_parts; p++) {
                memcpy(t + at, m->parts[p].s, m->parts[p].n);
                at += m->parts[p].n;
            }
            uint64_t all = 0;
            st = count_text(c, t, at, &all);
            if (st == TOK_OK)
                st = count_text(c, t + sizeof head - 1, tl, &cont);
            free(t);
            if (cont > all)
                cont = all;
            over = 3 + (all - cont); /* <|start|> <|message|> <|end|> */
            if (st == TOK_OK)
                st = count_text(c, "developer", 9, &over);
            if (st == TOK_OK && m->has_name)
                st = count_cat(c, ":", m->name, &over);
        } else if (cstr_is(role, "user") || (cstr_is(role, "assistant") && !m->n_calls)) {
            over = 3;
            st = count_text(c, role.s, role.n, &over);
            if (st == TOK_OK && m->has_name)
                st = count_cat(c, ":", m->name, &over);
            if (st == TOK_OK && cstr_is(role, "assistant")) {
                over += 1; /* <|channel|> */
                st = count_text(c, "final", 5, &over);
            }
            for (size_t p = 0; st == TOK_OK && p < m->n_parts; p++)
                st = count_text(c, m->parts[p].s, m->parts[p].n, &cont);
        } else if (cstr_is(role, "assistant")) {
            calls = true;
            size_t text = 0;
            for (size_t p = 0; p < m->n_parts; p++)
                text += m->parts[p].n;
            if (text) { /* a preamble on the commentary channel */
                over = 4;
                st = count_text(c, "assistant", 9, &over);
                if (st == TOK_OK && m->has_name)
                    st = count_cat(c, ":", m->name, &over);
                if (st == TOK_OK)
                    st = count_text(c, "commentary", 10, &over);
                for (size_t p = 0; st == TOK_OK && p < m->n_parts; p++)
                    st = count_text(c, m->parts[p].s, m->parts[p].n, &cont);
            }
            for (size_t k = 0; st == TOK_OK && k < m->n_calls; k++) {
                /* <|start|> <|channel|> <|constrain|> <|message|> <|call|> */
                over += 5;
                st = count_text(c, "assistant", 9, &over);
                if (st == TOK_OK && m->has_name)
                    st = count_cat(c, ":", m->name, &over);
                if (st == TOK_OK)
                    st = count_cat(c, " to=functions.", m->calls[k].name, &cont);
                if (st == TOK_OK)
                    st = count_text(c, "commentary", 10, &over);
                if (st == TOK_OK)
                    st = count_text(c, " ", 1, &over);
                if (st == TOK_OK)
                    st = count_text(c, "json", 4, &over);
                if (st == TOK_OK)
                    st = count_text(c, m->calls[k].args.s, m->calls[k].args.n, &cont);
            }
        } else { /* tool, function: the author is the function */
            if (!tool_name(c, i, &nm)) {
                path_msg(c, i, NULL);
                return cfail(c, J_NONE, TOK_EINVAL,
                             "a %.*s message needs the function it answers: a tool_call_id of "
                             "an earlier tool call, or a name",
                             (int)role.n, role.s);
            }
            over = 4; /* <|start|> <|channel|> <|message|> <|end|> */
            st = count_cat(c, "functions.", nm, &over);
            if (st == TOK_OK)
                st = count_text(c, " to=assistant", 13, &over);
            if (st == TOK_OK)
                st = count_text(c, "commentary", 10, &over);
            for (size_t p = 0; st == TOK_OK && p < m->n_parts; p++)
                st = count_text(c, m->parts[p].s, m->parts[p].n, &cont);
        }
        if (st != TOK_OK)
            return st;
        r->overhead = over;
        r->content = cont;
        r->total = over + cont;
    }
    uint64_t reply = 1; /* <|start|>assistant */
    st = count_text(c, "assistant", 9, &reply);
    out->reply = reply;
    if (c->tools_defined || calls) {
        out->exact = false;
        out->note = "function definitions (the tools of the request) go into the developer "
                    "and system messages and are not counted";
    }
    return st;
}

/* ---- llama3 and chatml: render as text, encode once ---- */

/* Python's str.strip(): the characters str.isspace() accepts. */
static size_t ws_at(const uint8_t *s, size_t n, size_t i, bool back)
{
    /* Returns the byte length of the whitespace character ending (back) or starting at i, or 0. */
    static const uint32_t cps[] = {0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    size_t st = i;
    if (back) {
        if (i == 0)
            return 0;
        st = i - 1;
        while (st > 0 && (s[st] & 0xC0) == 0x80 && i - st < 4)
            st--;
    } else if (i >= n) {
        return 0;
    }
    uint8_t b = s[st];
    if (b < 0x80)
        return (b == ' ' || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)) ? 1 : 0;
    uint32_t cp;
    size_t l;
    if ((b & 0xE0) == 0xC0)
        cp = b & 0x1Fu, l = 2;
    else if ((b & 0xF0) == 0xE0)
        cp = b & 0x0Fu, l = 3;
    else
        return 0; /* no 4-byte character is whitespace */
    if (st + l > n || (back && st + l != i))
        return 0;
    for (size_t k = 1; k < l; k++)
        cp = cp << 6 | (s[st + k] & 0x3Fu);
    if (cp >= 0x2000 && cp <= 0x200A)
        return l;
    for (size_t k = 0; k < sizeof cps / sizeof cps[0]; k++)
        if (cp == cps[k])
            return l;
    return 0;
}

typedef struct seg {
    size_t start, end;         /* bytes of the rendering */
    size_t cstart, cend;       /* the content inside it */
    long msg;                  /* message index, -1 prefix, -2 reply */
} seg;

static bool put(tok_buf *b, const char *s) { return tok_buf_put(b, s, strlen(s)); }

static tok_status run_template(chat_ctx *c, bool llama3)
{
    tok_chat_count *out = c->out;
    tok_buf b = {0};
    seg *segs = calloc(c->n_msgs + 2, sizeof *segs);
    if (!segs)
        return oom(c);
    size_t ns = 0;
    bool ok = true, calls = false;
    if (llama3 && special(c->tok, "<|begin_of_text|>", NULL)) {
        ok &= put(&b, "<|begin_of_text|>");
        segs[ns++] = (seg){0, b.len, 0, 0, -1};
    }
    for (size_t i = 0; ok && i < c->n_msgs; i++) {
        cmsg *m = &c->msgs[i];
        seg *sg = &segs[ns++];
        sg->start = b.len;
        sg->msg = (long)i;
        ok &= put(&b, llama3 ? "<|start_header_id|>" : "<|im_start|>");
        ok &= tok_buf_put(&b, m->role.s, m->role.n);
        ok &= put(&b, llama3 ? "<|end_header_id|>\n\n" : "\n");
        sg->cstart = b.len;
        for (size_t p = 0; ok && p < m->n_parts; p++)
            ok &= tok_buf_put(&b, m->parts[p].s, m->parts[p].n);
        if (llama3 && ok) { /* {{ message['content'] | trim }} */
            size_t s0 = sg->cstart, e = b.len, l;
            while ((l = ws_at(b.data, e, s0, false)) != 0)
                s0 += l;
            while (e > s0 && (l = ws_at(b.data, e, e, true)) != 0)
                e -= l;
            memmove(b.data + sg->cstart, b.data + s0, e - s0);
            b.len = sg->cstart + (e - s0);
        }
        sg->cend = b.len;
        ok &= put(&b, llama3 ? "<|eot_id|>" : "<|im_end|>\n");
        sg->end = b.len;
        calls |= m->n_calls > 0;
    }
    if (ok) {
        seg *sg = &segs[ns++];
        sg->start = sg->cstart = sg->cend = b.len;
        sg->msg = -2;
        ok &= put(&b, llama3 ? "<|start_header_id|>assistant<|end_header_id|>\n\n"
                             : "<|im_start|>assistant\n");
        sg->end = b.len;
    }
    if (!ok || b.oom) {
        tok_buf_free(&b);
        free(segs);
        return oom(c);
    }
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t n = 0;
    tok_encode_options o = {TOK_SPECIAL_ALLOW, 0};
    tok_error e;
    tok_status st = tok_encode_alloc(c->tok, (const char *)b.data, b.len, &o, &ids, &spans, &n, &e);
    if (st != TOK_OK) {
        tok_buf_free(&b);
        free(segs);
        return cfail(c, J_NONE, st, "%s", e.message);
    }
    size_t k = 0;
    for (size_t t = 0; t < n; t++) {
        uint64_t at = spans[t].start;
        while (k + 1 < ns && at >= segs[k].end)
            k++;
        /* spans come in order; a span before the current segment stays with it */
        seg *sg = &segs[k];
        if (sg->msg == -1)
            out->prefix++;
        else if (sg->msg == -2)
            out->reply++;
        else if (at >= sg->cstart && at < sg->cend)
            out->messages[sg->msg].content++;
        else
            out->messages[sg->msg].overhead++;
    }
    for (size_t i = 0; i < c->n_msgs; i++)
        out->messages[i].total = out->messages[i].content + out->messages[i].overhead;
    if (calls) {
        out->exact = false;
        out->note = llama3 ? "tool calls are not part of the Llama 3 template (not counted)"
                           : "tool calls are not part of ChatML (not counted)";
    }
    if (c->tools_defined && (out->exact || !out->note)) {
        out->exact = false;
        out->note = "the tool definitions of the request are not counted";
    }
    tok_free(ids);
    tok_free(spans);
    tok_buf_free(&b);
    free(segs);
    return TOK_OK;
}

/* ---- the API ---- */

void tok_chat_count_free(tok_chat_count *c)
{
    if (!c)
        return;
    free(c->messages);
    free(c->internal_);
    memset(c, 0, sizeof *c);
}

static tok_status pick_convention(chat_ctx *c, const char *model, const char *want,
                                  const char **conv)
{
    const tok_tokenizer *t = c->tok;
    if (want) {
        const char *const *need = NULL;
        if (!strcmp(want, "openai"))
            need = NULL;
        else if (!strcmp(want, "harmony"))
            need = harmony_specials;
        else if (!strcmp(want, "llama3"))
            need = llama3_specials;
        else if (!strcmp(want, "chatml"))
            need = chatml_specials;
        else
            return cfail(c, J_NONE, TOK_EINVAL,
                         "unknown chat convention '%s' (expected openai, harmony, llama3 or "
                         "chatml)",
                         want);
        if (need && !has_all(t, need)) {
            char list[160] = "";
            for (const char *const *k = need; *k; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         k == need ? "" : " ", *k);
            return tok_fail(c->err, TOK_EUNSUPPORTED, tok_name(t), TOK_NO_OFFSET,
                            "%s: the %s convention needs the special tokens %s", tok_name(t),
                            want, list);
        }
        *conv = need == NULL ? "openai" : need == harmony_specials ? "harmony"
                : need == llama3_specials                          ? "llama3"
                                                                   : "chatml";
        return TOK_OK;
    }
    if ((model && !strncmp(model, "gpt-oss", 7)) || has_all(t, harmony_specials))
        *conv = has_all(t, harmony_specials) ? "harmony" : NULL;
    else if (has_all(t, llama3_specials))
        *conv = "llama3";
    else if (has_all(t, chatml_specials))
        *conv = "chatml";
    else if (is_tiktoken(t))
        *conv = "openai";
    else
        *conv = NULL;
    if (!*conv)
        return tok_fail(c->err, TOK_EUNSUPPORTED, tok_name(t), TOK_NO_OFFSET,
                        "%s: no chat convention fits this tokenizer: its special tokens include "
                        "neither <|start_header_id|> and <|eot_id|> (llama3) nor <|im_start|> "
                        "and <|im_end|> (chatml)%s; name the convention (openai, harmony, "
                        "llama3 or chatml)",
                        tok_name(t), model && !strncmp(model, "gpt-oss", 7)
                                         ? ", nor harmony's (gpt-oss needs o200k_harmony)" : "");
    return TOK_OK;
}

tok_status tok_chat_count_json_opts(const tok_tokenizer *tok, const tok_chat_options *opts,
                                    const char *json, size_t len, tok_chat_count *out,
                                    tok_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!tok || !out || (!json && len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_chat_count_json: no tokenizer, output or text given");
    chat_ctx c = {0};
    c.tok = tok;
    c.err = err;
    c.out = out;
    const char *model = opts ? opts->model : NULL;
    tok_status st = read_messages(&c, json ? json : "", len);
    char body_model[128];
    if (st == TOK_OK && !model && c.has_body_model && c.body_model.n < sizeof body_model) {
        memcpy(body_model, c.body_model.s, c.body_model.n);
        body_model[c.body_model.n] = 0;
        model = body_model;
    }
    const char *conv = NULL;
    if (st == TOK_OK)
        st = pick_convention(&c, model, opts ? opts->convention : NULL, &conv);
    if (st == TOK_OK) {
        /* roles are copied out: the messages point into json and into c's allocations */
        size_t bytes = 0;
        for (size_t i = 0; i < c.n_msgs; i++)
            bytes += c.msgs[i].role.n + 1;
        out->messages = calloc(c.n_msgs ? c.n_msgs : 1, sizeof *out->messages);
        char *arena = malloc(bytes ? bytes : 1);
        out->internal_ = arena;
        if (!out->messages || !arena) {
            st = oom(&c);
        } else {
            for (size_t i = 0; i < c.n_msgs; i++) {
                memcpy(arena, c.msgs[i].role.s, c.msgs[i].role.n);
                arena[c.msgs[i].role.n] = 0;
                out->messages[i].role = arena;
                arena += c.msgs[i].role.n + 1;
            }
            out->n_messages = c.n_msgs;
            out->convention = conv;
            out->exact = true;
            if (!strcmp(conv, "openai"))
                st = run_openai(&c, model);
            else if (!strcmp(conv, "harmony"))
                st = run_harmony(&c);
            else
                st = run_template(&c, !strcmp(conv, "llama3"));
        }
    }
    if (st == TOK_OK) {
        out->total = out->prefix + out->reply;
        for (size_t i = 0; i < out->n_messages; i++)
            out->total += out->messages[i].total;
    } else {
        tok_chat_count_free(out);
    }
    for (size_t i = 0; i < c.n_owned; i++)
        free(c.owned[i]);
    free(c.owned);
    json_free(&c.doc);
    return st;
}

tok_status tok_chat_count_json(const tok_tokenizer *tok, const char *model, const char *json,
                               size_t len, tok_chat_count *out, tok_error *err)
{
    tok_chat_options o = {model, NULL};
    return tok_chat_count_json_opts(tok, &o, json, len, out, err);
}
