/* harmony: gpt-oss's format, as openai/harmony's src/encoding.rs renders it (commit ec7606df;
 * RULES.md section 3; restated in tests/conformance/chat_api_harmony.mjs, which reproduces
 * harmony's own expected renderings byte for byte -- this file follows that restatement line by
 * line, quirks included: a nested object's description written twice, nullable variants,
 * defaults quoted or not by whether the schema has an enum).
 *
 * A message is pieces: formatting tokens (<|start|>, <|channel|>, ...: one token each) and text
 * pieces, each encoded on its own as harmony's render_text_into does. */
#include "chat/harmony.h"

#include <string.h>

#define MAX_SCHEMA_DEPTH 32

const char *const harmony_default_channels[3] = {"analysis", "commentary", "final"};

static bool put(tok_buf *b, const char *s) { return tok_buf_put(b, s, strlen(s)); }
static bool putc_(tok_buf *b, cstr s) { return tok_buf_put(b, s.s, s.n); }

static bool spaces(tok_buf *b, size_t n)
{
    static const char sp[] = "                                                                ";
    bool ok = true;
    for (; n && ok; n -= n > 64 ? 64 : n)
        ok = tok_buf_put(b, sp, n > 64 ? 64 : n);
    return ok;
}

/* ---- schema -> TypeScript (json_schema_to_typescript) ---- */

typedef struct ts_ctx {
    chat_run *r;
    tok_buf *o;
} ts_ctx;

static bool is_obj(ts_ctx *c, uint32_t v) { return v != J_NONE && chat_type(c->r, v) == J_OBJECT; }

static uint32_t get(ts_ctx *c, uint32_t obj, const char *key)
{
    return is_obj(c, obj) ? json_get(&c->r->doc, obj, key) : J_NONE;
}

static bool get_str(ts_ctx *c, uint32_t obj, const char *key, cstr *out)
{
    uint32_t v = get(c, obj, key);
    return v != J_NONE && chat_type(c->r, v) == J_STRING && chat_str(c->r, v, out) == TOK_OK;
}

static bool is_array(ts_ctx *c, uint32_t v) { return v != J_NONE && chat_type(c->r, v) == J_ARRAY; }

static bool is_enum(ts_ctx *c, uint32_t s)
{
    uint32_t e = get(c, s, "enum");
    return is_array(c, e) && c->r->doc.nodes[e].count > 0;
}

/* "default: ..." of a property: a string bare when the schema has an enum, quoted otherwise;
 * anything else as compact JSON. */
static bool default_text(ts_ctx *c, uint32_t s)
{
    uint32_t d = get(c, s, "default");
    cstr str;
    if (chat_type(c->r, d) == J_STRING && chat_str(c->r, d, &str) == TOK_OK)
        return is_enum(c, s) ? put(c->o, "default: ") && putc_(c->o, str)
                             : put(c->o, "default: \"") && putc_(c->o, str) && put(c->o, "\"");
    return put(c->o, "default: ") && chat_json_write(&c->r->doc, d, c->o);
}

/* The same inside a list of oneOf variants. */
static bool variant_default_text(ts_ctx *c, uint32_t v, bool quote_enum_string)
{
    uint32_t d = get(c, v, "default");
    cstr str;
    if (chat_type(c->r, d) == J_STRING && chat_str(c->r, d, &str) == TOK_OK) {
        if (!is_enum(c, v))
            return put(c->o, "default: \"") && putc_(c->o, str) && put(c->o, "\"");
        if (!quote_enum_string)
            return put(c->o, "default: ") && putc_(c->o, str);
    }
    return put(c->o, "default: ") && chat_json_write(&c->r->doc, d, c->o);
}

static bool contains(const tok_buf *b, size_t from, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = from; i + n <= b->len; i++)
        if (!memcmp(b->data + i, s, n))
            return true;
    return false;
}

static tok_status ts(ts_ctx *c, uint32_t schema, size_t indent);

/* TS(raw) followed by " | null" when the variant says nullable and the text has no null. */
static tok_status ts_nullable(ts_ctx *c, uint32_t raw, size_t indent)
{
    size_t from = c->o->len;
    tok_status st = ts(c, raw, indent);
    if (st != TOK_OK)
        return st;
    uint32_t n = get(c, raw, "nullable");
    if (n != J_NONE && chat_type(c->r, n) == J_TRUE && !contains(c->o, from, "null"))
        return put(c->o, " | null") ? TOK_OK : chat_oom(c->r);
    return TOK_OK;
}

/* " // a b" from the trailing comments of a variant: description unless skipped, default. */
static bool trailing(ts_ctx *c, uint32_t v, bool desc, bool quote_enum_string)
{
    cstr d;
    bool has_desc = desc && get_str(c, v, "description", &d);
    bool has_default = get(c, v, "default") != J_NONE;
    if (!has_desc && !has_default)
        return true;
    bool ok = put(c->o, " // ");
    if (has_desc)
        ok &= putc_(c->o, d) && (!has_default || put(c->o, " "));
    if (has_default)
        ok &= variant_default_text(c, v, quote_enum_string);
    return ok;
}

static tok_status object_ts(ts_ctx *c, uint32_t schema, size_t indent)
{
    chat_run *r = c->r;
    const json_doc *d = &r->doc;
    tok_buf *o = c->o;
    bool ok = true;
    cstr desc;
    if (get_str(c, schema, "description", &desc))
        ok &= spaces(o, indent) && put(o, "// ") && putc_(o, desc) && put(o, "\n");
    ok &= put(o, "{\n");
    uint32_t props = get(c, schema, "properties");
    if (ok && is_obj(c, props)) {
        chat_names req;
        tok_status rst = chat_names_of(r, get(c, schema, "required"), &req);
        if (rst != TOK_OK)
            return rst;
        for (uint32_t p = d->nodes[props].child; ok && p != J_NONE; p = d->nodes[p].next) {
            cstr key;
            tok_status st = chat_key(r, p, &key);
            if (st != TOK_OK)
                return st;
            size_t at = chat_path_key(r, key.s, key.n);
            bool required = chat_names_has(&req, key);
            const char *opt = required ? "" : "?";
            uint32_t val = is_obj(c, p) ? p : J_NONE;
            cstr title, vd;
            bool has_oneof = get(c, val, "oneOf") != J_NONE;
            if (get_str(c, val, "title", &title))
                ok &= spaces(o, indent) && put(o, "// ") && putc_(o, title) && put(o, "\n") &&
                      spaces(o, indent) && put(o, "//\n");
            if (!has_oneof && get_str(c, val, "description", &vd))
                ok &= spaces(o, indent) && put(o, "// ") && putc_(o, vd) && put(o, "\n");
            uint32_t ex = get(c, val, "examples");
            if (is_array(c, ex) && d->nodes[ex].count) {
                ok &= spaces(o, indent) && put(o, "// Examples:\n");
                for (uint32_t e = d->nodes[ex].child; ok && e != J_NONE; e = d->nodes[e].next) {
                    cstr s;
                    if (chat_type(r, e) == J_STRING && chat_str(r, e, &s) == TOK_OK)
                        ok &= spaces(o, indent) && put(o, "// - \"") && putc_(o, s) &&
                              put(o, "\"\n");
                }
            }
            uint32_t one = get(c, val, "oneOf");
            if (is_array(c, one)) {
                cstr pd;
                bool has_pd = get_str(c, val, "description", &pd);
                uint32_t first = d->nodes[one].child;
                cstr fd;
                bool skip = has_pd && is_obj(c, first) && get_str(c, first, "description", &fd) &&
                            fd.n == pd.n && !memcmp(fd.s, pd.s, pd.n);
                bool above = false;
                if (!skip && has_pd) {
                    ok &= spaces(o, indent) && put(o, "// ") && putc_(o, pd) && put(o, "\n");
                    above = true;
                }
                if (get(c, val, "default") != J_NONE)
                    ok &= spaces(o, indent) && put(o, "// ") && default_text(c, val) &&
                          put(o, "\n");
                ok &= spaces(o, indent) && putc_(o, key) && put(o, opt) && put(o, ":\n");
                size_t i = 0;
                for (uint32_t v = first; ok && v != J_NONE; v = d->nodes[v].next, i++) {
                    ok &= spaces(o, indent) && put(o, " | ");
                    tok_status st2 = ts_nullable(c, v, indent + 3);
                    if (st2 != TOK_OK)
                        return st2;
                    cstr vdesc;
                    bool show = !(i == 0 && above) && get_str(c, v, "description", &vdesc) &&
                                !(has_pd && vdesc.n == pd.n && !memcmp(vdesc.s, pd.s, pd.n));
                    ok &= trailing(c, v, show, false) && put(o, "\n");
                }
                ok &= spaces(o, indent) && put(o, ",\n");
                chat_path_pop(r, at);
                continue;
            }
            ok &= spaces(o, indent) && putc_(o, key) && put(o, opt) && put(o, ": ");
            if (!ok)
                break;
            tok_status st2 = ts_nullable(c, p, indent + 4);
            if (st2 != TOK_OK)
                return st2;
            ok &= put(o, ",");
            if (!has_oneof && get(c, val, "default") != J_NONE)
                ok &= put(o, " // ") && default_text(c, val);
            ok &= put(o, "\n");
            chat_path_pop(r, at);
        }
    }
    ok &= spaces(o, indent) && put(o, "}");
    return ok ? TOK_OK : chat_oom(r);
}

static tok_status ts(ts_ctx *c, uint32_t schema, size_t indent)
{
    chat_run *r = c->r;
    const json_doc *d = &r->doc;
    tok_buf *o = c->o;
    if (indent > 4 * MAX_SCHEMA_DEPTH)
        return chat_fail(r, schema, TOK_EUNSUPPORTED, "a schema nested more than %d levels deep",
                         MAX_SCHEMA_DEPTH);
    if (!is_obj(c, schema)) /* serde_json's get() on anything else finds nothing */
        return put(o, "any") ? TOK_OK : chat_oom(r);
    bool ok = true;
    uint32_t one = get(c, schema, "oneOf");
    if (is_array(c, one)) {
        for (uint32_t v = d->nodes[one].child; ok && v != J_NONE; v = d->nodes[v].next) {
            ok &= put(o, "\n") && spaces(o, indent) && put(o, " | ");
            tok_status st = ts_nullable(c, v, indent + 3);
            if (st != TOK_OK)
                return st;
            cstr vd;
            ok &= trailing(c, v, get_str(c, v, "description", &vd), true);
        }
        return ok ? TOK_OK : chat_oom(r);
    }
    uint32_t ty = get(c, schema, "type");
    if (is_array(c, ty)) {
        bool any = false;
        for (uint32_t t = d->nodes[ty].child; ok && t != J_NONE; t = d->nodes[t].next) {
            cstr s;
            if (chat_type(r, t) != J_STRING || chat_str(r, t, &s) != TOK_OK)
                continue;
            ok &= (!any || put(o, " | ")) && (cstr_is(s, "integer") ? put(o, "number") : putc_(o, s));
            any = true;
        }
        if (any)
            return ok ? TOK_OK : chat_oom(r);
    }
    cstr t;
    if (ty == J_NONE || chat_type(r, ty) != J_STRING || chat_str(r, ty, &t) != TOK_OK)
        return put(o, "any") ? TOK_OK : chat_oom(r);
    if (cstr_is(t, "object"))
        return object_ts(c, schema, indent);
    if (cstr_is(t, "string")) {
        uint32_t e = get(c, schema, "enum");
        bool any = false;
        for (uint32_t v = is_array(c, e) ? d->nodes[e].child : J_NONE; ok && v != J_NONE;
             v = d->nodes[v].next) {
            cstr s;
            if (chat_type(r, v) != J_STRING || chat_str(r, v, &s) != TOK_OK)
                continue;
            ok &= (!any || put(o, " | ")) && put(o, "\"") && putc_(o, s) && put(o, "\"");
            any = true;
        }
        if (!any)
            ok &= put(o, "string");
    } else if (cstr_is(t, "number") || cstr_is(t, "integer")) {
        ok = put(o, "number");
    } else if (cstr_is(t, "boolean")) {
        ok = put(o, "boolean");
    } else if (cstr_is(t, "array")) {
        uint32_t it = get(c, schema, "items");
        if (it == J_NONE)
            return put(o, "Array<any>") ? TOK_OK : chat_oom(r);
        size_t at = chat_path_key(r, "items", 5);
        tok_status st = ts(c, it, indent);
        if (st != TOK_OK)
            return st;
        chat_path_pop(r, at);
        ok = put(o, "[]");
    } else {
        ok = put(o, "any");
    }
    return ok ? TOK_OK : chat_oom(r);
}

/* ---- system and developer text ---- */

/* Rust's str::lines(): split on \n, one trailing \r dropped per line, no last empty line. */
static bool put_lines(tok_buf *o, cstr s, const char *prefix, bool *first)
{
    bool ok = true;
    size_t i = 0;
    while (ok && i < s.n) {
        const char *nl = memchr(s.s + i, '\n', s.n - i);
        size_t e = nl ? (size_t)(nl - s.s) : s.n, end = e;
        if (end > i && s.s[end - 1] == '\r')
            end--;
        ok &= (*first || put(o, "\n")) && put(o, prefix) && tok_buf_put(o, s.s + i, end - i);
        *first = false;
        i = e + 1;
    }
    return ok;
}

static int by_name(const void *a, const void *b)
{
    const harmony_ns *x = *(const harmony_ns *const *)a, *y = *(const harmony_ns *const *)b;
    size_t n = x->name.n < y->name.n ? x->name.n : y->name.n;
    int c = n ? memcmp(x->name.s, y->name.s, n) : 0;
    return c ? c : (x->name.n > y->name.n) - (x->name.n < y->name.n);
}

/* "# Tools", then each namespace by name (harmony keeps them in a BTreeMap). */
static tok_status tools_section(chat_run *r, const harmony_ns *ns, size_t n, tok_buf *o)
{
    const harmony_ns **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return chat_oom(r);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &ns[i];
    qsort(sorted, n, sizeof *sorted, by_name);
    bool ok = put(o, "# Tools");
    ts_ctx c = {r, o};
    tok_status st = TOK_OK;
    for (size_t i = 0; ok && st == TOK_OK && i < n; i++) {
        const harmony_ns *s = sorted[i];
        bool has = s->n_tools > 0, first = false;
        ok &= put(o, "\n\n## ") && putc_(o, s->name) && put(o, "\n");
        if (s->has_description)
            ok &= put_lines(o, s->description, has ? "// " : "", &first);
        if (!has)
            continue;
        ok &= put(o, "\nnamespace ") && putc_(o, s->name) && put(o, " {\n");
        for (size_t k = 0; ok && k < s->n_tools; k++) {
            const harmony_tool *t = &s->tools[k];
            ok &= put_lines(o, t->description, "// ", &first);
            ok &= put(o, "\ntype ") && putc_(o, t->name);
            if (t->params != J_NONE) {
                ok &= put(o, " = (_: ");
                if (ok && (st = ts(&c, t->params, 0)) != TOK_OK)
                    break;
                ok &= put(o, ") => any;\n");
            } else {
                ok &= put(o, " = () => any;\n");
            }
        }
        ok &= put(o, "\n} // namespace ") && putc_(o, s->name);
    }
    free(sorted);
    if (st != TOK_OK)
        return st;
    return ok ? TOK_OK : chat_oom(r);
}

tok_status harmony_system_text(chat_run *r, const harmony_system *s, bool function_tools,
                               tok_buf *o)
{
    bool ok = true, any = false;
    const char *top[3][2] = {{"", s->identity}, {"Knowledge cutoff: ", s->cutoff},
                             {"Current date: ", s->date}};
    for (int i = 0; i < 3; i++)
        if (top[i][1] && top[i][1][0]) {
            ok &= (!any || put(o, "\n")) && put(o, top[i][0]) && put(o, top[i][1]);
            any = true;
        }
    bool section = any;
    if (s->effort && s->effort[0]) {
        ok &= (!section || put(o, "\n\n")) && put(o, "Reasoning: ") && put(o, s->effort);
        section = true;
    }
    if (s->n_tools) {
        ok &= !section || put(o, "\n\n");
        tok_status st = tools_section(r, s->tools, s->n_tools, o);
        if (st != TOK_OK)
            return st;
        section = true;
    }
    if (s->n_channels) {
        ok &= (!section || put(o, "\n\n")) && put(o, "# Valid channels: ");
        for (size_t i = 0; i < s->n_channels; i++)
            ok &= (!i || put(o, ", ")) && put(o, s->channels[i]);
        ok &= put(o, ".");
        if (s->channel_required)
            ok &= put(o, " Channel must be included for every message.");
        if (function_tools)
            ok &= put(o, "\nCalls to these tools must go to the commentary channel: 'functions'.");
    }
    return ok ? TOK_OK : chat_oom(r);
}

tok_status harmony_developer_text(chat_run *r, const cstr *instructions, const harmony_ns *ns,
                                  size_t n_ns, tok_buf *o)
{
    bool ok = true;
    if (instructions)
        ok &= put(o, "# Instructions\n\n") && putc_(o, *instructions);
    if (n_ns) {
        ok &= !instructions || put(o, "\n\n");
        tok_status st = tools_section(r, ns, n_ns, o);
        if (st != TOK_OK)
            return st;
    }
    return ok ? TOK_OK : chat_oom(r);
}

/* ---- messages ---- */

/* One piece: a and b written one after the other. */
static void piece2(harmony_out *h, const char *a, size_t la, cstr b, bool special, uint8_t kind,
                   int64_t row)
{
    size_t start = h->text.len;
    if (!tok_grow(&h->p, &h->cap, h->n + 1, sizeof *h->p, 64) ||
        !tok_buf_put(&h->text, a, la) || !tok_buf_put(&h->text, b.s, b.n)) {
        h->oom = true;
        return;
    }
    h->p[h->n++] = (harmony_piece){start, h->text.len - start, special, kind, row};
}

static void piece(harmony_out *h, const char *s, size_t n, bool special, uint8_t kind,
                  int64_t row)
{
    piece2(h, s, n, (cstr){"", 0}, special, kind, row);
}

static void special(harmony_out *h, const char *s, int64_t row)
{
    piece(h, s, strlen(s), true, TOK_PART_FRAMING, row);
}

static void frame(harmony_out *h, const char *a, cstr b, int64_t row)
{
    piece2(h, a, strlen(a), b, false, TOK_PART_FRAMING, row);
}

static bool any_function_tools(const harmony_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (msgs[i].developer)
            for (size_t k = 0; k < msgs[i].n_ns; k++)
                if (cstr_is(msgs[i].ns[k].name, "functions") && msgs[i].ns[k].n_tools)
                    return true;
    return false;
}

tok_status harmony_render(chat_run *r, const harmony_msg *msgs, size_t n, harmony_out *h)
{
    bool fns = any_function_tools(msgs, n);
    tok_buf tmp = {0};
    for (size_t i = 0; i < n && !h->oom; i++) {
        const harmony_msg *m = &msgs[i];
        int64_t row = m->row;
        special(h, "<|start|>", row);
        if (!strcmp(m->role, "tool")) {
            frame(h, "", m->name, row);
        } else {
            frame(h, m->role, (cstr){"", 0}, row);
            if (m->name.s)
                frame(h, ":", m->name, row);
        }
        if (m->recipient.s && !cstr_is(m->recipient, "all"))
            frame(h, " to=", m->recipient, row);
        if (m->channel.s) {
            special(h, "<|channel|>", row);
            frame(h, "", m->channel, row);
        }
        if (m->content_type.s) {
            static const char con[] = "<|constrain|>";
            cstr ct = m->content_type;
            if (ct.n >= sizeof con - 1 && !memcmp(ct.s, con, sizeof con - 1)) {
                frame(h, " ", (cstr){"", 0}, row);
                special(h, con, row);
                if (ct.n > sizeof con - 1)
                    frame(h, "", (cstr){ct.s + sizeof con - 1, ct.n - (sizeof con - 1)}, row);
            } else {
                frame(h, " ", ct, row);
            }
        }
        special(h, "<|message|>", row);
        tmp.len = 0;
        tok_status st = TOK_OK;
        if (m->system) {
            if ((st = harmony_system_text(r, m->system, fns, &tmp)) == TOK_OK)
                piece(h, (const char *)tmp.data, tmp.len, false, m->kind, row);
        } else if (m->developer) {
            if ((st = harmony_developer_text(r, m->instructions, m->ns, m->n_ns, &tmp)) == TOK_OK)
                piece(h, (const char *)tmp.data, tmp.len, false, HARMONY_DEVELOPER, row);
        } else {
            for (size_t k = 0; k < m->n_texts; k++)
                piece(h, m->texts[k].s, m->texts[k].n, false, m->kind, row);
        }
        if (st != TOK_OK) {
            tok_buf_free(&tmp);
            return st;
        }
        special(h, !strcmp(m->role, "assistant") && m->recipient.s ? "<|call|>" : "<|end|>", row);
    }
    special(h, "<|start|>", -1);
    piece(h, "assistant", 9, false, TOK_PART_REPLY, -1);
    if (!h->oom)
        h->p[h->n - 2].kind = TOK_PART_REPLY; /* <|start|>assistant primes the reply */
    bool oom = h->oom || tmp.oom;
    tok_buf_free(&tmp);
    return oom ? chat_oom(r) : TOK_OK;
}

void harmony_out_free(harmony_out *o)
{
    tok_buf_free(&o->text);
    free(o->p);
    memset(o, 0, sizeof *o);
}
