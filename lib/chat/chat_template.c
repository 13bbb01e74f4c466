/* chat_template: a model's own chat template (the Jinja chat_template of its
 * tokenizer_config.json) rendering a Chat Completions conversation the way Hugging Face
 * transformers' apply_chat_template does, and the rendered text counted as
 * apply_chat_template(tokenize=True) counts it.
 *
 * What transformers passes (tests/conformance/chat_template_ref.py restates it from
 * chat_template_utils.py and tokenization_utils_base.py): the special tokens of the config
 * (bos_token, eos_token, unk_token, sep_token, pad_token, cls_token, mask_token as strings --
 * an AddedToken {"content": ...} gives its content --, additional_special_tokens as a list; left
 * out when unset or empty), then the caller's keyword arguments, which override them, then
 * messages, tools (None when absent), documents (None when absent) and add_generation_prompt.
 * With tokenize=True the text is encoded with add_special_tokens=False: the template writes
 * BOS and EOS itself, and special-token text in it is matched as the special token.
 *
 * The context goes to lib/template as JSON, each value spliced as the body's raw text, so
 * numbers keep their int/float distinction as json.loads gives them. */
#include "chat/request.h"
#include "core/core.h"
#include "template/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_SPECIAL 8
static const char *const special_attrs[N_SPECIAL] = {"bos_token",  "eos_token", "unk_token",
                                                     "sep_token",  "pad_token", "cls_token",
                                                     "mask_token", "additional_special_tokens"};

struct tok_chat_template {
    tmpl *t;
    char *special[N_SPECIAL]; /* each attribute's value as JSON text, NULL when left out */
    char label[200];
};

/* Keys transformers sets itself: a keyword argument of the same name is a TypeError there. */
static const char *const own_keys[] = {"messages", "tools", "documents", "add_generation_prompt"};

/* The raw JSON text of node i. */
static cstr raw(const json_doc *d, uint32_t i)
{
    size_t s = d->nodes[i].start - (d->nodes[i].type == J_STRING);
    return (cstr){d->text + s, json_end(d, i) - s};
}

/* A token's text as a JSON string: the string itself, or an AddedToken's "content"; {NULL, 0}
 * when it has none (null, "", or another type: transformers leaves those out). */
static cstr token_json(const json_doc *d, uint32_t v)
{
    if (v != J_NONE && d->nodes[v].type == J_OBJECT)
        v = json_get(d, v, "content");
    if (v == J_NONE || d->nodes[v].type != J_STRING || !d->nodes[v].len)
        return (cstr){NULL, 0};
    return raw(d, v);
}

static bool put(tok_buf *b, const char *s) { return tok_buf_put(b, s, strlen(s)); }

/* The special tokens of a config, as transformers' special_tokens_map gives them. */
static bool special_values(const json_doc *d, char *out[N_SPECIAL])
{
    bool ok = true;
    for (size_t k = 0; k < N_SPECIAL; k++) {
        uint32_t v = json_get(d, 0, special_attrs[k]);
        if (v == J_NONE)
            continue;
        tok_buf one = {0};
        if (d->nodes[v].type == J_ARRAY) { /* additional_special_tokens */
            bool any = false;
            ok &= put(&one, "[");
            for (uint32_t e = d->nodes[v].child; e != J_NONE; e = d->nodes[e].next) {
                cstr s = token_json(d, e);
                if (!s.s)
                    continue;
                ok &= (!any || put(&one, ",")) && tok_buf_put(&one, s.s, s.n);
                any = true;
            }
            ok &= put(&one, "]");
            if (!any)
                one.len = 0;
        } else {
            cstr s = token_json(d, v);
            if (s.s)
                ok &= tok_buf_put(&one, s.s, s.n);
        }
        if (one.len && tok_buf_put(&one, "", 1)) { /* NUL-terminated */
            out[k] = (char *)one.data;
            one.data = NULL;
        }
        ok &= !one.oom;
        tok_buf_free(&one);
    }
    return ok;
}

static tok_status compile_fail(tok_error *err, const char *label, const tmpl_error *te)
{
    tok_status st = te->status == TMPL_ERR_NOMEM         ? TOK_ENOMEM
                    : te->status == TMPL_ERR_UNSUPPORTED ? TOK_EUNSUPPORTED
                                                         : TOK_EFORMAT;
    return tok_fail(err, st, label, TOK_NO_OFFSET, "%s: chat template line %d, column %d: %s",
                    label, te->line, te->column, te->message);
}

/* Compile src into c (which it frees on failure). */
static tok_status from_source(const char *src, size_t n, tok_chat_template *c, const char *label,
                              tok_chat_template **out, tok_error *err)
{
    snprintf(c->label, sizeof c->label, "%s", label);
    tmpl_error te;
    if (tmpl_compile(src, n, &c->t, &te) != TMPL_OK) {
        tok_status st = compile_fail(err, c->label, &te);
        tok_chat_template_free(c);
        return st;
    }
    *out = c;
    return TOK_OK;
}

/* A config (a JSON object: '{' then a key or '}') or a bare template ("{%", "{{", text). */
static bool looks_like_config(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    if (i == len || text[i] != '{')
        return false;
    for (i++; i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t');)
        i++;
    return i < len && (text[i] == '"' || text[i] == '}');
}

tok_status tok_chat_template_load(const char *text, size_t len, const char *label,
                                  const char *name, tok_chat_template **out, tok_error *err)
{
    if (out)
        *out = NULL;
    if (!label)
        label = "chat template";
    if (!out || (!text && len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_chat_template_load: no text or output given");
    if (!text)
        text = "";
    if (memchr(text, 0, len))
        return tok_fail(err, TOK_EFORMAT, label, TOK_NO_OFFSET, "%s: holds a NUL byte", label);
    if (!looks_like_config(text, len)) {
        if (name && strcmp(name, "default"))
            return tok_fail(err, TOK_ENOENT, label, TOK_NO_OFFSET,
                            "%s: a bare template has no template named \"%s\"", label, name);
        tok_chat_template *c = calloc(1, sizeof *c);
        if (!c)
            return tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "%s: out of memory", label);
        return from_source(text, len, c, label, out, err);
    }
    json_doc d;
    size_t at;
    const char *msg;
    if (!json_parse(&d, text, len, &at, &msg)) {
        uint32_t line, col;
        tok_line_col(text, len, at, &line, &col);
        return tok_fail(err, TOK_EFORMAT, label, at, "%s: line %u, column %u: %s", label, line,
                        col, msg);
    }
    tok_status st = TOK_OK;
    uint32_t ct = json_get(&d, 0, "chat_template"), src = J_NONE;
    const char *want = name ? name : "default";
    if (ct != J_NONE && d.nodes[ct].type == J_STRING) {
        if (strcmp(want, "default"))
            st = tok_fail(err, TOK_ENOENT, label, TOK_NO_OFFSET,
                          "%s: no chat template named \"%s\" (the config has one, unnamed)",
                          label, want);
        src = ct;
    } else if (ct != J_NONE && d.nodes[ct].type == J_ARRAY) {
        tok_buf names = {0};
        for (uint32_t e = d.nodes[ct].child; e != J_NONE && src == J_NONE; e = d.nodes[e].next) {
            uint32_t nm = json_get(&d, e, "name"), tp = json_get(&d, e, "template");
            if (nm == J_NONE || tp == J_NONE || d.nodes[nm].type != J_STRING ||
                d.nodes[tp].type != J_STRING)
                continue;
            cstr s = raw(&d, nm);
            if (s.n - 2 == strlen(want) && !memcmp(s.s + 1, want, s.n - 2))
                src = tp;
            tok_buf_put(&names, names.len ? ", " : "", names.len ? 2 : 0);
            tok_buf_put(&names, s.s, s.n);
        }
        if (src == J_NONE)
            st = tok_fail(err, TOK_ENOENT, label, TOK_NO_OFFSET,
                          "%s: no chat template named \"%s\" (the config has %.*s)", label, want,
                          (int)(names.len > 300 ? 300 : names.len),
                          names.data ? (const char *)names.data : "none");
        tok_buf_free(&names);
    } else {
        st = tok_fail(err, TOK_ENOENT, label, TOK_NO_OFFSET, "%s: no chat_template", label);
    }
    tok_chat_template *c = st == TOK_OK ? calloc(1, sizeof *c) : NULL;
    const char *s = NULL;
    size_t n = 0, cap = 0;
    char *buf = NULL;
    if (st == TOK_OK && (!c || !special_values(&d, c->special) ||
                         !json_string(&d, src, &s, &n, &buf, &cap)))
        st = tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "%s: out of memory", label);
    else if (st == TOK_OK && memchr(s, 0, n))
        st = tok_fail(err, TOK_EFORMAT, label, TOK_NO_OFFSET,
                      "%s: the chat template holds a NUL character", label);
    if (st == TOK_OK)
        st = from_source(s, n, c, label, out, err);
    else
        tok_chat_template_free(c);
    free(buf);
    json_free(&d);
    return st;
}

tok_status tok_chat_template_of(const tok_tokenizer *tok, const char *name,
                                tok_chat_template **out, tok_error *err)
{
    if (out)
        *out = NULL;
    if (!tok || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_chat_template_of: no tokenizer or output given");
    size_t len = tok->chat_config_len;
    const char *cfg = tok->chat_config;
    if (!cfg)
        return tok_fail(err, TOK_ENOENT, tok_name(tok), TOK_NO_OFFSET,
                        "%s: carries no tokenizer_config.json (no chat template)", tok_name(tok));
    char label[200];
    snprintf(label, sizeof label, "the tokenizer_config.json in %s", tok_name(tok));
    return tok_chat_template_load(cfg, len, label, name, out, err);
}

/* The compiled own template, kept with its tokenizer (core.h: tok_cached). */
typedef struct own_cache {
    tok_cached base;
    tok_chat_template *tpl;
} own_cache;

static void own_cache_free(tok_cached *c)
{
    own_cache *o = (own_cache *)c;
    tok_chat_template_free(o->tpl);
    free(o);
}

tok_status chat_own_template(const tok_tokenizer *tok, const tok_chat_template **out,
                             tok_error *err)
{
    /* Compiling Llama 3.1's template takes longer than counting a short conversation, and
     * bindings count conversation after conversation with one tokenizer. Two threads may both
     * compile it the first time; one of the results is kept, the other freed. */
    _Atomic(tok_cached *) *slot = &((tok_tokenizer *)tok)->chat_cache;
    tok_cached *c = atomic_load_explicit(slot, memory_order_acquire);
    if (c) {
        *out = ((own_cache *)c)->tpl;
        return TOK_OK;
    }
    *out = NULL;
    tok_chat_template *t;
    tok_status st = tok_chat_template_of(tok, NULL, &t, err);
    if (st != TOK_OK)
        return st;
    own_cache *o = malloc(sizeof *o);
    if (!o) {
        tok_chat_template_free(t);
        return tok_fail(err, TOK_ENOMEM, tok_name(tok), TOK_NO_OFFSET, "out of memory");
    }
    o->base.free = own_cache_free;
    o->tpl = t;
    tok_cached *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &none, &o->base, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        own_cache_free(&o->base); /* another thread's is kept */
        *out = ((own_cache *)none)->tpl;
        return TOK_OK;
    }
    *out = t;
    return TOK_OK;
}

void tok_chat_template_free(tok_chat_template *t)
{
    if (!t)
        return;
    tmpl_free(t->t);
    for (size_t k = 0; k < N_SPECIAL; k++)
        free(t->special[k]);
    free(t);
}

const char *tok_chat_template_label(const tok_chat_template *t) { return t ? t->label : ""; }

/* ---- rendering ---- */

static bool key_in(const json_doc *d, uint32_t obj, const char *key)
{
    return obj != J_NONE && json_get(d, obj, key) != J_NONE;
}

/* A list transformers requires to hold dicts (tools: JSON schemas; documents). */
static tok_status want_objects(chat_run *r, uint32_t arr, const char *key)
{
    chat_path_set(r, key);
    tok_status st = chat_want_type(r, arr, J_ARRAY, "an array of objects");
    size_t i = 0;
    for (uint32_t e = st == TOK_OK ? r->doc.nodes[arr].child : J_NONE; e != J_NONE;
         e = r->doc.nodes[e].next, i++) {
        size_t at = chat_path_index(r, i);
        if ((st = chat_want_type(r, e, J_OBJECT, "an object")) != TOK_OK)
            break;
        chat_path_pop(r, at);
    }
    return st;
}

/* The context transformers renders with, as JSON, in *ctx. */
static tok_status context(const tok_chat_template *t, const tok_chat_template_options *o,
                          chat_run *r, const json_doc *vars, tok_buf *ctx)
{
    tok_status st;
    uint32_t msgs = 0, tools = J_NONE, docs = J_NONE;
    tok_request_api api = chat_detect(r, &st);
    if (st != TOK_OK)
        return st;
    if (api != TOK_REQUEST_OPENAI_CHAT)
        return chat_fail(r, J_NONE, TOK_EUNSUPPORTED,
                         "a chat template renders a Chat Completions messages array; this is %s "
                         "body",
                         api == TOK_REQUEST_ANTHROPIC ? "an Anthropic Messages"
                         : api == TOK_REQUEST_GEMINI  ? "a Gemini generateContent"
                                                      : "an OpenAI Responses");
    if (r->doc.nodes[0].type == J_OBJECT) {
        msgs = json_get(&r->doc, 0, "messages");
        tools = json_get(&r->doc, 0, "tools");
        docs = json_get(&r->doc, 0, "documents");
        chat_path_set(r, "messages");
    }
    /* an empty conversation renders as transformers renders it (a template's BOS and
     * generation prompt): a count of what the template writes, not a zero */
    if ((st = chat_want_type(r, msgs, J_ARRAY, "an array of messages")) != TOK_OK)
        return st;
    size_t i = 0;
    for (uint32_t m = r->doc.nodes[msgs].child; m != J_NONE; m = r->doc.nodes[m].next, i++) {
        size_t at = chat_path_index(r, i);
        if ((st = chat_want_type(r, m, J_OBJECT, "a message object")) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    if (tools != J_NONE && r->doc.nodes[tools].type == J_NULL)
        tools = J_NONE;
    if (docs != J_NONE && r->doc.nodes[docs].type == J_NULL)
        docs = J_NONE;
    if ((tools != J_NONE && (st = want_objects(r, tools, "tools")) != TOK_OK) ||
        (docs != J_NONE && (st = want_objects(r, docs, "documents")) != TOK_OK))
        return st;
    chat_path_set(r, "");
    /* special tokens that a keyword argument does not override, then the arguments */
    bool ok = put(ctx, "{");
    for (size_t k = 0; k < N_SPECIAL; k++)
        if (t->special[k] && !(vars && key_in(vars, 0, special_attrs[k])))
            ok &= (ctx->len == 1 || put(ctx, ",")) && put(ctx, "\"") &&
                  put(ctx, special_attrs[k]) && put(ctx, "\":") && put(ctx, t->special[k]);
    for (uint32_t f = vars ? vars->nodes[0].child : J_NONE; f != J_NONE;
         f = vars->nodes[f].next) {
        cstr v = raw(vars, f);
        ok &= (ctx->len == 1 || put(ctx, ",")) && put(ctx, "\"") &&
              tok_buf_put(ctx, vars->text + vars->nodes[f].key, vars->nodes[f].key_len) &&
              put(ctx, "\":") && tok_buf_put(ctx, v.s, v.n);
    }
    cstr m = raw(&r->doc, msgs);
    ok &= (ctx->len == 1 || put(ctx, ",")) && put(ctx, "\"messages\":") &&
          tok_buf_put(ctx, m.s, m.n);
    cstr tl = tools != J_NONE ? raw(&r->doc, tools) : (cstr){"null", 4};
    cstr dl = docs != J_NONE ? raw(&r->doc, docs) : (cstr){"null", 4};
    ok &= put(ctx, ",\"tools\":") && tok_buf_put(ctx, tl.s, tl.n) && put(ctx, ",\"documents\":") &&
          tok_buf_put(ctx, dl.s, dl.n) && put(ctx, ",\"add_generation_prompt\":") &&
          put(ctx, o && o->no_generation_prompt ? "false" : "true") && put(ctx, "}");
    return ok && !ctx->oom ? TOK_OK : chat_oom(r);
}

static tok_status render_fail(tok_error *err, const tok_chat_template *t, const tmpl_error *te)
{
    switch (te->status) {
    case TMPL_ERR_RAISE: /* the template's own refusal, word for word */
        return tok_fail(err, TOK_EINVAL, t->label, TOK_NO_OFFSET,
                        "%s: the chat template refuses the conversation: %s", t->label,
                        te->message);
    case TMPL_ERR_NOMEM:
        return tok_fail(err, TOK_ENOMEM, t->label, TOK_NO_OFFSET, "%s: out of memory", t->label);
    case TMPL_ERR_UNSUPPORTED:
        return tok_fail(err, TOK_EUNSUPPORTED, t->label, TOK_NO_OFFSET,
                        "%s: chat template line %d, column %d: %s", t->label, te->line,
                        te->column, te->message);
    default:
        return tok_fail(err, TOK_EINVAL, t->label, TOK_NO_OFFSET,
                        "%s: chat template line %d, column %d: %s (%s)", t->label, te->line,
                        te->column, te->message, tmpl_status_name(te->status));
    }
}

tok_status tok_chat_template_render(const tok_chat_template *t,
                                    const tok_chat_template_options *o, const char *body,
                                    size_t len, char **out, size_t *out_len, tok_error *err)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!t || !out || (!body && len) || (o && !o->vars && o->vars_len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_chat_template_render: no template, body or output given");
    json_doc vars = {0};
    bool has_vars = o && o->vars;
    if (has_vars) {
        size_t at;
        const char *msg;
        if (!json_parse(&vars, o->vars, o->vars_len, &at, &msg))
            return tok_fail(err, TOK_EINVAL, "template variables", at,
                            "template variables: not valid JSON at byte %zu: %s", at, msg);
        const char *bad = NULL;
        for (size_t k = 0; k < sizeof own_keys / sizeof *own_keys && !bad; k++)
            if (vars.nodes[0].type == J_OBJECT && key_in(&vars, 0, own_keys[k]))
                bad = own_keys[k];
        if (vars.nodes[0].type != J_OBJECT || bad) {
            json_free(&vars);
            return bad ? tok_fail(err, TOK_EINVAL, "template variables", TOK_NO_OFFSET,
                                  "template variables: \"%s\" comes from the request, not a "
                                  "variable", bad)
                       : tok_fail(err, TOK_EINVAL, "template variables", TOK_NO_OFFSET,
                                  "template variables: expected a JSON object");
        }
    }
    chat_run r = {0};
    r.err = err;
    size_t at;
    const char *msg;
    tok_status st;
    if (!json_parse(&r.doc, body ? body : "", len, &at, &msg)) {
        uint32_t line, col;
        tok_line_col(body ? body : "", len, at, &line, &col);
        st = tok_fail(err, TOK_EINVAL, NULL, at, "line %u, column %u: %s", line, col, msg);
        if (err)
            err->line = line;
        json_free(&vars);
        return st;
    }
    tok_buf ctx = {0};
    st = context(t, o, &r, has_vars ? &vars : NULL, &ctx);
    if (st == TOK_OK) {
        struct tm now;
        tmpl_render_options ro = {0};
        if (o && o->now) {
            time_t secs = (time_t)o->now;
            gmtime_r(&secs, &now);
            ro.now = &now;
        }
        tmpl_error te;
        if (tmpl_render(t->t, (const char *)ctx.data, ctx.len, &ro, out, out_len, &te) != TMPL_OK)
            st = render_fail(err, t, &te);
    }
    tok_buf_free(&ctx);
    chat_run_free(&r);
    json_free(&vars);
    return st;
}

tok_status tok_chat_template_count(const tok_chat_template *t, const tok_tokenizer *tok,
                                   const tok_chat_template_options *o, const char *body,
                                   size_t len, size_t *count, tok_error *err)
{
    if (count)
        *count = 0;
    if (!tok || !count)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_chat_template_count: no tokenizer or output given");
    char *text;
    size_t n;
    tok_status st = tok_chat_template_render(t, o, body, len, &text, &n, err);
    if (st != TOK_OK)
        return st;
    /* tokenize=True: special-token text is the special token; nothing is added around it */
    tok_encode_options eo = {.special = TOK_SPECIAL_ALLOW};
    st = tok_count(tok, text, n, &eo, count, err);
    free(text);
    return st;
}

/* The request counter's "template" convention: the whole rendering, one exact item. */
tok_status chat_count_template(chat_run *r)
{
    const tok_chat_template *t = r->tpl;
    if (r->estimate)
        return chat_fail(r, J_NONE, TOK_EINVAL,
                         "a chat template is counted with the model's own tokenizer, not an "
                         "estimating one");
    size_t n;
    tok_status st = tok_chat_template_count(t, r->tok, r->opts->chat_template_options,
                                            r->doc.text, r->doc.len, &n, r->err);
    if (st != TOK_OK)
        return st;
    const char *src = chat_fmt(r, "the model's chat template (%s) rendered as transformers' "
                                  "apply_chat_template renders it, encoded as with "
                                  "tokenize=True: special-token text matched, nothing added",
                               t->label);
    if (!src)
        return chat_oom(r);
    return chat_fixed(r, TOK_PART_TEXT, -1, "the rendered conversation", n, true, src);
}
