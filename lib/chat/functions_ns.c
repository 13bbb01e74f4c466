/* functions_ns: OpenAI function definitions as the TypeScript-like namespace the model reads
 * (RULES.md 2.3, the rendering that reproduces the API-measured counts of openai-chat-tokens and
 * the OpenAI cookbook; tests/conformance/chat_api_openai.mjs functionsNamespace):
 *
 *   namespace functions {
 *
 *   // DESCRIPTION
 *   type NAME = (_: {
 *   // PROPERTY DESCRIPTION
 *   key?: TYPE,
 *   }) => any;
 *
 *   } // namespace functions
 *
 * Property descriptions two or more levels down are dropped, as the measurements require; a
 * nested object's lines are indented by 2 per level, its closing brace is not. While rendering,
 * shapes no measurement covers are noted so the part can be labelled an estimate. */
#include "chat/conversation.h"

#include <string.h>

/* Nesting deeper than this is refused: every level indents every line below it, and a deep
 * schema would otherwise render to far more text than it takes as JSON. */
#define MAX_SCHEMA_DEPTH 32

typedef struct ns_ctx {
    chat_run *r;
    tok_buf *out;
    ns_shapes *shapes;
} ns_ctx;

static bool put(tok_buf *b, const char *s) { return tok_buf_put(b, s, strlen(s)); }

static void unmeasured(ns_ctx *c, const char *what)
{
    if (!c->shapes->unmeasured)
        c->shapes->unmeasured = what;
}

static bool spaces(tok_buf *b, int n)
{
    static const char sp[] = "                                                                ";
    bool ok = true;
    for (; n > 0 && ok; n -= 64)
        ok = tok_buf_put(b, sp, n > 64 ? 64 : (size_t)n);
    return ok;
}

static bool str_member(ns_ctx *c, uint32_t obj, const char *key, cstr *out)
{
    uint32_t v = json_get(&c->r->doc, obj, key);
    return v != J_NONE && chat_type(c->r, v) == J_STRING && chat_str(c->r, v, out) == TOK_OK;
}

/* `${v}` of an enum value, as JavaScript writes it into a template string. */
static bool enum_value(ns_ctx *c, uint32_t v, bool quoted)
{
    const json_doc *d = &c->r->doc;
    bool ok = !quoted || put(c->out, "\"");
    switch (chat_type(c->r, v)) {
    case J_STRING: {
        cstr s;
        ok &= chat_str(c->r, v, &s) == TOK_OK && tok_buf_put(c->out, s.s, s.n);
        break;
    }
    case J_NUMBER: ok &= chat_number_js(d, v, c->out); break;
    case J_TRUE: ok &= put(c->out, "true"); break;
    case J_FALSE: ok &= put(c->out, "false"); break;
    case J_NULL: ok &= put(c->out, "null"); break;
    case J_ARRAY: { /* String([a, b]) is "a,b" */
        unmeasured(c, "an enum value that is a list");
        for (uint32_t e = d->nodes[v].child; ok && e != J_NONE; e = d->nodes[e].next) {
            if (e != d->nodes[v].child)
                ok &= put(c->out, ",");
            uint8_t t = chat_type(c->r, e);
            if (t != J_NULL)
                ok &= t == J_OBJECT ? put(c->out, "[object Object]") : enum_value(c, e, false);
        }
        break;
    }
    default: ok &= put(c->out, "[object Object]"); break;
    }
    return ok && (!quoted || put(c->out, "\""));
}

static tok_status type_text(ns_ctx *c, uint32_t p, int indent);

/* The property lines of an object schema, joined by "\n"; each property's first line starts
 * with `indent` spaces (a nested object's inner lines carry their own). */
static tok_status object_lines(ns_ctx *c, uint32_t schema, int indent)
{
    chat_run *r = c->r;
    const json_doc *d = &r->doc;
    if (indent / 2 > MAX_SCHEMA_DEPTH)
        return chat_fail(r, schema, TOK_EUNSUPPORTED, "a schema nested more than %d levels deep",
                         MAX_SCHEMA_DEPTH);
    uint32_t props = json_get(d, schema, "properties");
    if (props == J_NONE || chat_type(r, props) == J_NULL)
        return TOK_OK;
    size_t at = chat_path_key(r, "properties", 10);
    tok_status st = chat_want_type(r, props, J_OBJECT, "an object of property schemas");
    if (st != TOK_OK)
        return st;
    chat_names req;
    if ((st = chat_names_of(r, json_get(d, schema, "required"), &req)) != TOK_OK)
        return st;
    bool first = true;
    for (uint32_t p = d->nodes[props].child; p != J_NONE; p = d->nodes[p].next) {
        cstr key;
        if ((st = chat_key(r, p, &key)) != TOK_OK)
            return st;
        size_t pa = chat_path_key(r, key.s, key.n);
        uint8_t t = chat_type(r, p);
        if (t != J_OBJECT && t != J_TRUE && t != J_FALSE)
            return chat_fail(r, p, TOK_EINVAL, "expected a schema object, not %s",
                             chat_type_name(t));
        cstr desc;
        bool ok = true;
        bool described = t == J_OBJECT && str_member(c, p, "description", &desc) && desc.n;
        if (!described)
            c->shapes->undescribed = true;
        if (!first)
            ok &= put(c->out, "\n");
        first = false;
        if (described && indent < 2) {
            ok &= spaces(c->out, indent) && put(c->out, "// ") &&
                  tok_buf_put(c->out, desc.s, desc.n) && put(c->out, "\n");
        }
        bool required = chat_names_has(&req, key);
        ok &= spaces(c->out, indent) && tok_buf_put(c->out, key.s, key.n) &&
              put(c->out, required ? ": " : "?: ");
        if (!ok)
            return chat_oom(r);
        if ((st = type_text(c, p, indent)) != TOK_OK)
            return st;
        if (!put(c->out, ","))
            return chat_oom(r);
        chat_path_pop(r, pa);
    }
    chat_path_pop(r, at);
    return TOK_OK;
}

static tok_status type_text(ns_ctx *c, uint32_t p, int indent)
{
    chat_run *r = c->r;
    const json_doc *d = &r->doc;
    tok_buf *o = c->out;
    if (chat_type(r, p) != J_OBJECT) { /* a boolean schema */
        unmeasured(c, "a boolean schema");
        return put(o, "any") ? TOK_OK : chat_oom(r);
    }
    static const char *const unused[] = {"$ref", "oneOf", "allOf", "not", "$defs", "definitions",
                                         NULL};
    for (const char *const *k = unused; *k; k++)
        if (json_get(d, p, *k) != J_NONE)
            unmeasured(c, "$ref, oneOf, allOf or $defs (rendered as the rest of the schema)");
    uint32_t any = json_get(d, p, "anyOf");
    if (any != J_NONE && chat_type(r, any) == J_ARRAY) {
        size_t at = chat_path_key(r, "anyOf", 5), i = 0;
        for (uint32_t v = d->nodes[any].child; v != J_NONE; v = d->nodes[v].next, i++) {
            size_t va = chat_path_index(r, i);
            if (v != d->nodes[any].child && !put(o, " | "))
                return chat_oom(r);
            tok_status st = type_text(c, v, indent);
            if (st != TOK_OK)
                return st;
            chat_path_pop(r, va);
        }
        chat_path_pop(r, at);
        return TOK_OK;
    }
    cstr ty = {0};
    bool typed = str_member(c, p, "type", &ty);
    uint32_t en = json_get(d, p, "enum");
    bool has_enum = en != J_NONE && chat_type(r, en) == J_ARRAY;
    bool ok = true;
    if (typed && cstr_is(ty, "string")) {
        if (!has_enum)
            return put(o, "string") ? TOK_OK : chat_oom(r);
        for (uint32_t v = d->nodes[en].child; ok && v != J_NONE; v = d->nodes[v].next) {
            if (chat_type(r, v) != J_STRING)
                unmeasured(c, "a string enum with values that are not strings");
            ok &= (v == d->nodes[en].child || put(o, " | ")) && enum_value(c, v, true);
        }
    } else if (typed && (cstr_is(ty, "number") || cstr_is(ty, "integer"))) {
        if (cstr_is(ty, "integer"))
            unmeasured(c, "integer properties");
        if (!has_enum)
            return put(o, "number") ? TOK_OK : chat_oom(r);
        unmeasured(c, "a number enum");
        for (uint32_t v = d->nodes[en].child; ok && v != J_NONE; v = d->nodes[v].next)
            ok &= (v == d->nodes[en].child || put(o, " | ")) && enum_value(c, v, false);
    } else if (typed && cstr_is(ty, "boolean")) {
        ok = put(o, "boolean");
    } else if (typed && cstr_is(ty, "null")) {
        unmeasured(c, "null properties");
        ok = put(o, "null");
    } else if (typed && cstr_is(ty, "object")) {
        c->shapes->nested = true;
        if (indent >= 2)
            unmeasured(c, "objects nested two levels deep");
        if (!put(o, "{\n"))
            return chat_oom(r);
        tok_status st = object_lines(c, p, indent + 2);
        if (st != TOK_OK)
            return st;
        ok = put(o, "\n}");
    } else if (typed && cstr_is(ty, "array")) {
        uint32_t it = json_get(d, p, "items");
        uint8_t t = it == J_NONE ? J_NULL : chat_type(r, it);
        /* JavaScript truthiness: a missing, null, false, 0 or "" items is "any[]" */
        bool truthy = t == J_OBJECT || t == J_ARRAY || t == J_TRUE ||
                      (t == J_STRING && d->nodes[it].len) ||
                      (t == J_NUMBER && !(d->nodes[it].len == 1 && d->text[d->nodes[it].start] == '0'));
        if (!truthy) {
            unmeasured(c, "an array without items");
            ok = put(o, "any[]");
        } else {
            size_t at = chat_path_key(r, "items", 5);
            tok_status st = t == J_OBJECT ? type_text(c, it, indent) : (put(o, "any") ? TOK_OK : TOK_ENOMEM);
            if (st == TOK_ENOMEM)
                return chat_oom(r);
            if (st != TOK_OK)
                return st;
            if (t != J_OBJECT)
                unmeasured(c, "array items that are not a schema object");
            chat_path_pop(r, at);
            ok = put(o, "[]");
        }
    } else {
        unmeasured(c, "a property without a type, or with a list of types");
        ok = put(o, "any");
    }
    return ok ? TOK_OK : chat_oom(r);
}

tok_status chat_functions_ns(chat_run *r, const conversation *cv, tok_buf *out,
                             ns_shapes *shapes)
{
    ns_ctx c = {r, out, shapes};
    memset(shapes, 0, sizeof *shapes);
    bool ok = put(out, "namespace functions {\n\n");
    for (size_t i = 0; ok && i < cv->n_fns; i++) {
        const conv_fn *f = &cv->fns[i];
        chat_path_set(r, f->path);
        cstr desc;
        if (str_member(&c, f->node, "description", &desc) && desc.n)
            ok &= put(out, "// ") && tok_buf_put(out, desc.s, desc.n) && put(out, "\n");
        uint32_t params = json_get(&r->doc, f->node, "parameters");
        uint32_t props = params != J_NONE && chat_type(r, params) == J_OBJECT
                             ? json_get(&r->doc, params, "properties") : J_NONE;
        bool any = props != J_NONE && chat_type(r, props) == J_OBJECT && r->doc.nodes[props].count;
        ok &= put(out, "type ") && tok_buf_put(out, f->name.s, f->name.n);
        if (any) {
            ok &= put(out, " = (_: {\n");
            if (!ok)
                break;
            chat_path_key(r, "parameters", 10);
            tok_status st = object_lines(&c, params, 0);
            if (st != TOK_OK)
                return st;
            ok &= put(out, "\n}) => any;\n\n");
        } else {
            ok &= put(out, " = () => any;\n\n");
        }
    }
    ok &= put(out, "} // namespace functions");
    chat_path_set(r, "");
    return ok ? TOK_OK : chat_oom(r);
}
