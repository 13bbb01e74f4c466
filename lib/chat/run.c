/* run: one count of a request body -- errors with JSON paths, the items counted, and the
 * result they add up to (parts, message rows, total, the scaling of an estimated model's text).
 * tok_request_count_json is here; the bodies are read and counted by conversation.c (OpenAI
 * Chat Completions and Responses), anthropic.c and gemini.c. */
#include "chat/request.h"

#include <stdio.h>
#include <string.h>

/* ---- the arena ---- */

typedef struct chat_chunk {
    struct chat_chunk *next;
    size_t used, cap;
    max_align_t data[];
} chat_chunk;

void *chat_arena_alloc(chat_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    chat_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

void chat_arena_free(chat_arena *a)
{
    for (chat_chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    a->head = NULL;
}

const char *chat_strdup(chat_run *r, const char *s, size_t n)
{
    char *p = chat_arena_alloc(&r->arena, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

const char *chat_fmt(chat_run *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    return chat_strdup(r, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- errors and paths ---- */

tok_status chat_fail(chat_run *r, uint32_t node, tok_status st, const char *fmt, ...)
{
    if (!r->err)
        return st;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t at = TOK_NO_OFFSET;
    uint32_t line = 0;
    if (node != J_NONE && r->doc.nodes) {
        at = r->doc.nodes[node].start;
        /* a string's start is its first byte inside the quotes: point at the quote */
        if (r->doc.nodes[node].type == J_STRING && at > 0)
            at--;
        uint32_t col;
        tok_line_col(r->doc.text, r->doc.len, at, &line, &col);
    }
    if (r->path[0])
        tok_fail(r->err, st, NULL, at, "%s: %s", r->path, msg);
    else
        tok_fail(r->err, st, NULL, at, "%s", msg);
    r->err->line = line;
    size_t wl = r->path_len < sizeof r->err->where - 1 ? r->path_len : sizeof r->err->where - 1;
    memcpy(r->err->where, r->path, wl);
    r->err->where[wl] = 0;
    return st;
}

tok_status chat_oom(chat_run *r)
{
    r->path[0] = 0;
    return chat_fail(r, J_NONE, TOK_ENOMEM, "out of memory");
}

static bool plain_key(const char *k, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '$' || c == '@'))
            return false;
    }
    return true;
}

size_t chat_path_key(chat_run *r, const char *key, size_t n)
{
    size_t at = r->path_len, cap = sizeof r->path;
    if (n > 60)
        n = 60; /* a path names the place; a huge key is cut */
    int w;
    if (plain_key(key, n)) {
        w = snprintf(r->path + at, cap - at, "%s%.*s", at ? "." : "", (int)n, key);
    } else {
        /* ["key"] with quotes, backslashes and control bytes escaped */
        char esc[256];
        size_t e = 0;
        for (size_t i = 0; i < n && e + 7 < sizeof esc; i++) {
            unsigned char c = (unsigned char)key[i];
            if (c == '"' || c == '\\')
                esc[e++] = '\\', esc[e++] = (char)c;
            else if (c < 0x20)
                e += (size_t)snprintf(esc + e, sizeof esc - e, "\\u%04x", c);
            else
                esc[e++] = (char)c;
        }
        w = snprintf(r->path + at, cap - at, "[\"%.*s\"]", (int)e, esc);
    }
    if (w > 0)
        r->path_len = at + (size_t)w < cap ? at + (size_t)w : cap - 1;
    return at;
}

size_t chat_path_index(chat_run *r, size_t i)
{
    size_t at = r->path_len, cap = sizeof r->path;
    int w = snprintf(r->path + at, cap - at, "[%zu]", i);
    if (w > 0)
        r->path_len = at + (size_t)w < cap ? at + (size_t)w : cap - 1;
    return at;
}

void chat_path_pop(chat_run *r, size_t len)
{
    r->path_len = len;
    r->path[len] = 0;
}

void chat_path_set(chat_run *r, const char *path)
{
    snprintf(r->path, sizeof r->path, "%s", path);
    r->path_len = strlen(r->path);
}

const char *chat_path_copy(chat_run *r) { return chat_strdup(r, r->path, r->path_len); }

/* ---- JSON ---- */

const char *chat_type_name(uint8_t t)
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

tok_status chat_str(chat_run *r, uint32_t node, cstr *out)
{
    const json_node *n = &r->doc.nodes[node];
    if (!n->esc) {
        out->s = r->doc.text + n->start;
        out->n = n->len;
        return TOK_OK;
    }
    char *b = chat_arena_alloc(&r->arena, n->len + 1);
    if (!b)
        return chat_oom(r);
    out->n = json_unescape(r->doc.text + n->start, n->len, b);
    out->s = b;
    return TOK_OK;
}

tok_status chat_want_str(chat_run *r, uint32_t node, cstr *out)
{
    if (chat_type(r, node) != J_STRING)
        return chat_fail(r, node, TOK_EINVAL, "expected a string, not %s",
                         chat_type_name(chat_type(r, node)));
    return chat_str(r, node, out);
}

tok_status chat_key(chat_run *r, uint32_t member, cstr *out)
{
    const json_node *n = &r->doc.nodes[member];
    if (!n->key_esc) {
        out->s = r->doc.text + n->key;
        out->n = n->key_len;
        return TOK_OK;
    }
    char *b = chat_arena_alloc(&r->arena, n->key_len + 1);
    if (!b)
        return chat_oom(r);
    out->n = json_unescape(r->doc.text + n->key, n->key_len, b);
    out->s = b;
    return TOK_OK;
}

bool chat_key_is(const chat_run *r, uint32_t member, const char *key)
{
    const json_node *n = &r->doc.nodes[member];
    size_t kl = strlen(key);
    if (!n->key_esc)
        return n->key_len == kl && memcmp(r->doc.text + n->key, key, kl) == 0;
    char tmp[64];
    return n->key_len < sizeof tmp && json_unescape(r->doc.text + n->key, n->key_len, tmp) == kl &&
           memcmp(tmp, key, kl) == 0;
}

tok_status chat_member_str(chat_run *r, uint32_t obj, const char *key, bool null_ok, cstr *out,
                           bool *present)
{
    uint32_t v = json_get(&r->doc, obj, key);
    *present = false;
    if (v == J_NONE || (null_ok && chat_type(r, v) == J_NULL))
        return TOK_OK;
    size_t at = chat_path_key(r, key, strlen(key));
    tok_status st = chat_want_str(r, v, out);
    if (st == TOK_OK) {
        chat_path_pop(r, at);
        *present = true;
    }
    return st;
}

tok_status chat_want_type(chat_run *r, uint32_t node, uint8_t t, const char *what)
{
    uint8_t have = chat_type(r, node);
    if (have == t || (t == J_TRUE && have == J_FALSE))
        return TOK_OK;
    return chat_fail(r, node, TOK_EINVAL, "expected %s, not %s", what, chat_type_name(have));
}

tok_status chat_want_items(chat_run *r, uint32_t arr, const char *why)
{
    if (r->doc.nodes[arr].count)
        return TOK_OK;
    return chat_fail(r, arr, TOK_EINVAL, "an empty array: %s", why);
}

static int cstr_cmp(const void *a, const void *b)
{
    const cstr *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = n ? memcmp(x->s, y->s, n) : 0;
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

tok_status chat_names_of(chat_run *r, uint32_t arr, chat_names *out)
{
    out->v = NULL;
    out->n = 0;
    if (arr == J_NONE || chat_type(r, arr) != J_ARRAY || !r->doc.nodes[arr].count)
        return TOK_OK;
    if (!(out->v = chat_arena_alloc(&r->arena, r->doc.nodes[arr].count * sizeof *out->v)))
        return chat_oom(r);
    for (uint32_t e = r->doc.nodes[arr].child; e != J_NONE; e = r->doc.nodes[e].next) {
        if (chat_type(r, e) != J_STRING)
            continue;
        tok_status st = chat_str(r, e, &out->v[out->n]);
        if (st != TOK_OK)
            return st;
        out->n++;
    }
    qsort(out->v, out->n, sizeof *out->v, cstr_cmp);
    return TOK_OK;
}

bool chat_names_has(const chat_names *set, cstr name)
{
    return set->n && bsearch(&name, set->v, set->n, sizeof *set->v, cstr_cmp) != NULL;
}

/* ---- items ---- */

int64_t chat_row_add(chat_run *r, const char *role, size_t role_len)
{
    if (!tok_grow(&r->rows, &r->cap_rows, r->n_rows + 1, sizeof *r->rows, 16))
        return -1;
    chat_row *w = &r->rows[r->n_rows];
    if (!(w->role = chat_strdup(r, role, role_len)) || !(w->path = chat_path_copy(r)))
        return -1;
    return (int64_t)r->n_rows++;
}

static tok_status add_item(chat_run *r, int kind, int64_t row, const char *what, uint64_t tokens,
                           bool exact, bool unknown, bool text, const char *source)
{
    if (!tok_grow(&r->items, &r->cap_items, r->n_items + 1, sizeof *r->items, 32))
        return chat_oom(r);
    chat_item *it = &r->items[r->n_items];
    *it = (chat_item){(uint8_t)kind, exact && !unknown, unknown, text, row, unknown ? 0 : tokens,
                      chat_path_copy(r), what, source};
    if (!it->path)
        return chat_oom(r);
    r->n_items++;
    return TOK_OK;
}

tok_status chat_count(chat_run *r, const char *s, size_t n, uint64_t *out)
{
    size_t k = 0;
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    tok_error e;
    *out = 0;
    if (n && tok_count(r->tok, s, n, &o, &k, &e) != TOK_OK)
        return chat_fail(r, J_NONE, e.status, "%s", e.message);
    *out = k;
    return TOK_OK;
}

tok_status chat_text(chat_run *r, int kind, int64_t row, const char *what, const char *s,
                     size_t n, bool exact, const char *source)
{
    uint64_t k;
    tok_status st = chat_count(r, s, n, &k);
    if (st != TOK_OK)
        return st;
    return add_item(r, kind, row, what, k, exact, false, true, source);
}

tok_status chat_fixed(chat_run *r, int kind, int64_t row, const char *what, uint64_t tokens,
                      bool exact, const char *source)
{
    return add_item(r, kind, row, what, tokens, exact, false, false, source);
}

tok_status chat_unknown(chat_run *r, int kind, int64_t row, const char *what,
                        const char *source)
{
    return add_item(r, kind, row, what, 0, false, true, false, source);
}

/* ---- models ---- */

static void set_model(chat_run *r, const char *model)
{
    r->model = model ? model : "";
    const char *b = r->model, *slash = strrchr(b, '/');
    if (slash)
        b = slash + 1; /* "openai/gpt-4o", "groq/openai/gpt-oss-120b" */
    size_t i = 0;
    for (; b[i] && i + 1 < sizeof r->model_lc; i++)
        r->model_lc[i] = (char)(b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i]);
    r->model_lc[i] = 0;
}

bool chat_model_is(const chat_run *r, const char *prefix)
{
    return !strncmp(r->model_lc, prefix, strlen(prefix));
}

chat_family chat_model_family(const chat_run *r)
{
    const char *p = r->rm ? r->rm->provider : "";
    if (!strcmp(p, "openai"))
        return FAM_OPENAI;
    if (!strcmp(p, "anthropic"))
        return FAM_ANTHROPIC;
    if (!strcmp(p, "google"))
        return FAM_GOOGLE;
    if (!r->model_lc[0])
        return r->rm ? FAM_OTHER : FAM_NONE;
    static const char *const openai[] = {"gpt-", "o1", "o3", "o4", "chatgpt-", "codex-",
                                         "computer-use", NULL};
    for (const char *const *k = openai; *k; k++)
        if (chat_model_is(r, *k))
            return FAM_OPENAI;
    if (chat_model_is(r, "claude"))
        return FAM_ANTHROPIC;
    if (chat_model_is(r, "gemini") || chat_model_is(r, "gemma"))
        return FAM_GOOGLE;
    return FAM_OTHER;
}

/* ---- the result ---- */

static const char *const part_names[TOK_PART_COUNT_] = {
    "framing", "system", "text", "tool_definitions", "tool_calls", "images", "files", "reply"};

const char *tok_request_part_name(tok_request_part_kind kind)
{
    return (unsigned)kind < TOK_PART_COUNT_ ? part_names[kind] : "?";
}

static const char *const api_names[TOK_REQUEST_API_COUNT_] = {"detect", "openai", "responses",
                                                              "anthropic", "gemini"};

const char *tok_request_api_name(tok_request_api api)
{
    return (unsigned)api < TOK_REQUEST_API_COUNT_ ? api_names[api] : "?";
}

tok_status tok_request_api_parse(const char *name, tok_request_api *out)
{
    for (int i = 0; name && i < TOK_REQUEST_API_COUNT_; i++)
        if (!strcmp(name, api_names[i])) {
            *out = (tok_request_api)i;
            return TOK_OK;
        }
    if (name && !strcmp(name, "chat")) {
        *out = TOK_REQUEST_OPENAI_CHAT;
        return TOK_OK;
    }
    return TOK_EINVAL;
}

typedef struct frac {
    size_t item;
    uint64_t rem;
} frac;

static int by_remainder(const void *a, const void *b)
{
    const frac *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* An estimated model's text: the total of the text items is the registry's estimate of their
 * counted sum (tok_model_approx_count: x factor, rounded up), shared out in proportion (largest
 * remainders) so that items, parts and rows add up to the total. */
static tok_status scale_text(chat_run *r, uint64_t *scaled)
{
    uint64_t sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].text && !r->items[i].unknown)
            sum += r->items[i].tokens, n++;
    for (size_t i = 0; i < r->n_items; i++)
        scaled[i] = r->items[i].tokens;
    if (!r->estimate || !r->rm->approx_factor || !n)
        return TOK_OK;
    uint64_t target = tok_model_approx_count(r->rm, sum), floors = 0;
    frac *f = malloc(n * sizeof *f);
    if (!f)
        return chat_oom(r);
    size_t k = 0;
    for (size_t i = 0; i < r->n_items; i++) {
        if (!r->items[i].text || r->items[i].unknown)
            continue;
        unsigned __int128 p = (unsigned __int128)r->items[i].tokens * r->rm->approx_factor;
        scaled[i] = (uint64_t)(p / 1000000);
        floors += scaled[i];
        f[k++] = (frac){i, (uint64_t)(p % 1000000)};
    }
    qsort(f, n, sizeof *f, by_remainder);
    for (size_t j = 0; floors < target && j < n; j++, floors++)
        scaled[f[j].item]++;
    free(f);
    return TOK_OK;
}

static tok_status finish(chat_run *r, tok_request_count *out)
{
    size_t n = r->n_items;
    uint64_t *scaled = malloc((n ? n : 1) * sizeof *scaled);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    out->messages = calloc(r->n_rows ? r->n_rows : 1, sizeof *out->messages);
    if (!scaled || !order || !out->items || !out->messages) {
        free(scaled);
        free(order);
        return chat_oom(r);
    }
    tok_status st = scale_text(r, scaled);
    if (st != TOK_OK) {
        free(scaled);
        free(order);
        return st;
    }
    /* messages in row order, then the request's own parts, each in the order counted (a
     * counting sort on the row keeps it linear) */
    size_t *start = calloc(r->n_rows + 2, sizeof *start);
    if (!start) {
        free(scaled);
        free(order);
        return chat_oom(r);
    }
    for (size_t i = 0; i < n; i++)
        start[(r->items[i].msg < 0 ? r->n_rows : (size_t)r->items[i].msg) + 1]++;
    for (size_t k = 1; k <= r->n_rows + 1; k++)
        start[k] += start[k - 1];
    for (size_t i = 0; i < n; i++)
        order[start[r->items[i].msg < 0 ? r->n_rows : (size_t)r->items[i].msg]++] = i;
    free(start);

    for (size_t k = 0; k < r->n_rows; k++) {
        out->messages[k].role = r->rows[k].role;
        out->messages[k].path = r->rows[k].path;
        out->messages[k].exact = true;
    }
    uint64_t fixed = 0, text = 0, best[TOK_PART_COUNT_] = {0};
    const char *unknown_note = NULL;
    out->exact = out->complete = true;
    for (size_t k = 0; k < TOK_PART_COUNT_; k++)
        out->parts[k].exact = true;
    for (size_t j = 0; j < n; j++) {
        size_t i = order[j];
        const chat_item *it = &r->items[i];
        tok_request_item *o = &out->items[j];
        bool exact = it->exact && !(it->text && r->estimate);
        *o = (tok_request_item){(tok_request_part_kind)it->kind, it->msg, it->path, it->what,
                                scaled[i], it->text ? it->tokens : 0, exact, it->unknown,
                                it->source};
        tok_request_part *p = &out->parts[it->kind];
        p->tokens += o->tokens;
        p->n_items++;
        p->n_unknown += it->unknown;
        /* the rule of the part's largest estimated item (of its largest item when exact) */
        if (!p->source || (!exact && p->exact) ||
            (exact == p->exact && !it->unknown && o->tokens > best[it->kind])) {
            p->source = it->source;
            best[it->kind] = it->unknown ? 0 : o->tokens;
        }
        p->exact &= exact;
        if (it->text)
            text += it->tokens;
        else
            fixed += o->tokens;
        out->total += o->tokens;
        if (!exact && !out->note)
            out->note = it->source;
        if (it->unknown && !unknown_note)
            unknown_note = it->source;
        out->exact &= exact;
        out->complete &= !it->unknown;
        if (it->msg >= 0) {
            tok_request_message *m = &out->messages[it->msg];
            if (it->kind == TOK_PART_FRAMING)
                m->overhead += o->tokens;
            else
                m->content += o->tokens;
            m->total += o->tokens;
            m->exact &= exact;
        }
    }
    if (unknown_note) /* what is missing matters more than what is estimated */
        out->note = unknown_note;
    out->total_low = out->total_high = out->total;
    if (r->estimate) {
        uint64_t lo, hi;
        tok_model_approx_range(r->rm, text, &lo, &hi);
        out->total_low = fixed + lo;
        out->total_high = fixed + hi;
        if (out->total_low > out->total)
            out->total_low = out->total;
        if (out->total_high < out->total)
            out->total_high = out->total;
    }
    out->n_items = n;
    out->n_messages = r->n_rows;
    free(scaled);
    free(order);
    return TOK_OK;
}

void tok_request_count_free(tok_request_count *c)
{
    if (!c)
        return;
    free(c->items);
    free(c->messages);
    if (c->internal_) {
        chat_arena_free(c->internal_);
        free(c->internal_);
    }
    memset(c, 0, sizeof *c);
}

static tok_status parse_body(chat_run *r, const char *json, size_t len)
{
    size_t at;
    const char *msg;
    if (json_parse(&r->doc, json, len, &at, &msg))
        return TOK_OK;
    uint32_t line, col;
    tok_line_col(json, len, at, &line, &col);
    /* columns in characters, not bytes */
    col = 1;
    for (size_t k = at; k > 0 && json[k - 1] != '\n'; k--)
        col += ((unsigned char)json[k - 1] & 0xC0) != 0x80;
    tok_status st = tok_fail(r->err, TOK_EINVAL, NULL, at,
                             "line %u, column %u: %s (not valid JSON)", line, col, msg);
    if (r->err)
        r->err->line = line;
    return st;
}

tok_status chat_run_body(chat_run *r, const char *json, size_t len)
{
    tok_status st = parse_body(r, json, len);
    if (st != TOK_OK)
        return st;
    const char *model = r->opts ? r->opts->model : NULL;
    if (!model && chat_type(r, 0) == J_OBJECT) {
        uint32_t m = json_get(&r->doc, 0, "model");
        if (m != J_NONE && chat_type(r, m) != J_NULL) {
            cstr s;
            chat_path_set(r, "model");
            if ((st = chat_want_str(r, m, &s)) != TOK_OK)
                return st;
            chat_path_set(r, "");
            if (!(model = chat_strdup(r, s.s, s.n)))
                return chat_oom(r);
        }
    }
    set_model(r, model);
    r->rm = r->opts ? r->opts->registry_model : NULL;
    r->estimate = r->opts && r->opts->estimate && r->rm;
    r->api = r->opts ? r->opts->api : TOK_REQUEST_DETECT;
    if ((unsigned)r->api >= TOK_REQUEST_API_COUNT_) {
        return chat_fail(r, J_NONE, TOK_EINVAL, "unknown API %d", (int)r->api);
    }
    if (r->api == TOK_REQUEST_DETECT) {
        r->api = chat_detect(r, &st);
        if (st != TOK_OK)
            return st;
    }
    r->tpl = r->opts ? r->opts->chat_template : NULL;
    if (!r->tpl && r->api == TOK_REQUEST_OPENAI_CHAT && r->opts && r->opts->own_template &&
        r->rm && !r->estimate && tok_model_own_template(r->rm)) {
        st = chat_own_template(r->tok, &r->tpl, r->err);
        if (st != TOK_OK && st != TOK_ENOENT)
            return st; /* a template that does not compile */
    }
    if (r->api == TOK_REQUEST_OPENAI_CHAT && r->tpl) {
        r->convention = "template";
        return chat_count_template(r);
    }
    switch (r->api) {
    case TOK_REQUEST_ANTHROPIC:
        r->convention = "anthropic";
        return chat_count_anthropic(r);
    case TOK_REQUEST_GEMINI:
        r->convention = "gemini";
        return chat_count_gemini(r);
    default:
        return chat_count_conversation(r);
    }
}

tok_status chat_run_finish(chat_run *r, tok_request_count *out)
{
    tok_status st = finish(r, out);
    if (st != TOK_OK)
        return st;
    out->api = r->api;
    out->convention = r->convention;
    out->model = chat_strdup(r, r->model, strlen(r->model));
    out->tokens_per_message = r->tokens_per_message;
    out->tokens_per_name = r->tokens_per_name;
    for (size_t i = 0; i < out->n_items; i++)
        if (out->items[i].message < 0 && out->items[i].kind != TOK_PART_REPLY)
            out->prefix += out->items[i].tokens;
    chat_arena *a = malloc(sizeof *a);
    if (!out->model || !a) {
        free(a);
        return chat_oom(r);
    }
    *a = r->arena;
    r->arena.head = NULL;
    out->internal_ = a;
    return TOK_OK;
}

void chat_run_free(chat_run *r)
{
    free(r->items);
    free(r->rows);
    json_free(&r->doc);
    chat_arena_free(&r->arena);
}

tok_status tok_request_count_json(const tok_tokenizer *tok, const tok_request_options *opts,
                                  const char *json, size_t len, tok_request_count *out,
                                  tok_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!tok || !out || (!json && len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_request_count_json: no tokenizer, output or text given");
    chat_run r = {0};
    r.tok = tok;
    r.opts = opts;
    r.err = err;
    tok_status st = chat_run_body(&r, json ? json : "", len);
    if (st == TOK_OK)
        st = chat_run_finish(&r, out);
    if (st != TOK_OK)
        tok_request_count_free(out);
    chat_run_free(&r);
    return st;
}
