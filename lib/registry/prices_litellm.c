/* prices_litellm: LiteLLM's model_prices_and_context_window.json -> registry patches.
 *
 * The file is one JSON object: model key -> object of fields. The fields used (all others are
 * ignored, so a newer LiteLLM file still loads):
 *   input_cost_per_token, output_cost_per_token     USD per token
 *   cache_read_input_token_cost                      cached input
 *   cache_creation_input_token_cost                  cache write
 *   input_cost_per_token_batches, output_cost_per_token_batches
 *   <one of the four above>_above_<N>k_tokens        long-context tier above N*1000 tokens
 *   tiered_pricing: [{input_cost_per_token, output_cost_per_token, range: [lo, hi]}]
 *                                                    the range from 0 is the base price, each
 *                                                    other range a tier above lo
 *   max_input_tokens, max_output_tokens, litellm_provider
 * "sample_spec" (LiteLLM's documentation entry, whose values are prose) is skipped, and so is
 * every entry whose "mode" is not chat, completion or responses (see generates_text).
 *
 * Numbers are read from their text (json.c keeps it) with tok_decimal_scaled: 3e-7 USD per
 * token is exactly 300000 pUSD. LiteLLM has a few computed prices such as
 * 2.9999900000000002e-06; those are rounded to the nearest pUSD per token (a millionth of a
 * dollar per million tokens). */
#include "registry/registry.h"
#include "base/json.h"

#include <stdio.h>
#include <string.h>

typedef struct lctx {
    const json_doc *doc;
    const char *label;
    char *key;   /* the entry being read */
    tok_error *err;
} lctx;

static tok_status lfail(const lctx *c, uint32_t node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tok_status lfail(const lctx *c, uint32_t node, const char *fmt, ...)
{
    if (!c->err)
        return TOK_EFORMAT;
    const json_node *nd = json_at(c->doc, node);
    size_t off = nd ? nd->start : 0;
    if (nd && nd->type == J_STRING && off > 0)
        off--; /* point at the opening quote */
    va_list ap;
    va_start(ap, fmt);
    reg_fail_at(c->err, c->label, c->doc->text, c->doc->len, off, fmt, ap);
    va_end(ap);
    snprintf(c->err->where, sizeof c->err->where, "%s", c->key ? c->key : "");
    return TOK_EFORMAT;
}

/* A USD-per-token number -> pUSD per token. */
static tok_status price(const lctx *c, uint32_t i, const char *field, uint64_t *out)
{
    const json_node *n = json_at(c->doc, i);
    if (n->type == J_NULL) {
        *out = TOK_PRICE_UNKNOWN;
        return TOK_OK;
    }
    if (n->type != J_NUMBER)
        return lfail(c, i, "'%s'.%s: expected a number (USD per token)", c->key, field);
    bool rounded;
    tok_status st = TOK_EINVAL;
    if (c->doc->text[n->start] != '-')
        st = tok_decimal_scaled(c->doc->text + n->start, n->len, 12, out, &rounded);
    if (st == TOK_OK && *out == TOK_PRICE_UNKNOWN)
        st = TOK_ERANGE;
    if (st != TOK_OK)
        return lfail(c, i, "'%s'.%s: %.*s is not a price (a non-negative USD amount per token%s)",
                     c->key, field, (int)n->len, c->doc->text + n->start,
                     st == TOK_ERANGE ? " below $18 million" : "");
    return TOK_OK;
}

/* A whole number, also when written 256000.0 (LiteLLM writes some counts so). */
static bool whole(const lctx *c, uint32_t i, uint64_t *out)
{
    const json_node *n = json_at(c->doc, i);
    bool rounded;
    return n && n->type == J_NUMBER && c->doc->text[n->start] != '-' &&
           tok_decimal_scaled(c->doc->text + n->start, n->len, 0, out, &rounded) == TOK_OK &&
           !rounded;
}

static tok_status count(const lctx *c, uint32_t i, const char *field, uint64_t *out, bool *have)
{
    if (json_at(c->doc, i)->type == J_NULL)
        return TOK_OK;
    if (!whole(c, i, out))
        return lfail(c, i, "'%s'.%s: expected a whole number of tokens", c->key, field);
    *have = true;
    return TOK_OK;
}

static const char *const base_fields[4] = {"input_cost_per_token", "output_cost_per_token",
                                           "cache_read_input_token_cost",
                                           "cache_creation_input_token_cost"};

static uint64_t *price_slot(tok_prices *p, int which)
{
    switch (which) {
    case 0: return &p->input;
    case 1: return &p->output;
    case 2: return &p->cached_input;
    default: return &p->cache_write;
    }
}

/* "<base>_above_<N>k_tokens" -> which base (0..3) and N * 1000; -1 if the name is not one. */
static int tier_field(const char *k, size_t kl, uint64_t *above)
{
    for (int b = 0; b < 4; b++) {
        size_t bl = strlen(base_fields[b]);
        if (kl <= bl + 7 || memcmp(k, base_fields[b], bl) != 0 || memcmp(k + bl, "_above_", 7))
            continue;
        const char *d = k + bl + 7, *e = k + kl;
        uint64_t n = 0;
        const char *q = d;
        while (q < e && *q >= '0' && *q <= '9' && n < 1000000000)
            n = n * 10 + (uint64_t)(*q++ - '0');
        if (q == d || (size_t)(e - q) != 8 || memcmp(q, "k_tokens", 8) != 0)
            continue;
        *above = n * 1000;
        return b;
    }
    return -1;
}

static tok_price_tier *tier_for(reg_patch *p, uint64_t above, size_t *cap)
{
    for (size_t i = 0; i < p->n_tiers; i++)
        if (p->tiers[i].above == above)
            return &p->tiers[i];
    if (!tok_grow(&p->tiers, cap, p->n_tiers + 1, sizeof *p->tiers, 2))
        return NULL;
    tok_price_tier *t = &p->tiers[p->n_tiers++];
    t->above = above;
    t->prices = (tok_prices){TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN,
                             TOK_PRICE_UNKNOWN};
    return t;
}

/* tiered_pricing: an array of {input_cost_per_token, output_cost_per_token, range}. */
static tok_status tiered(const lctx *c, uint32_t arr, reg_patch *p, size_t *cap,
                         tok_prices *base, bool *have_base)
{
    const json_node *a = json_at(c->doc, arr);
    if (a->type != J_ARRAY)
        return lfail(c, arr, "'%s'.tiered_pricing: expected an array", c->key);
    for (uint32_t e = a->child; e != J_NONE; e = json_at(c->doc, e)->next) {
        if (json_at(c->doc, e)->type != J_OBJECT)
            return lfail(c, e, "'%s'.tiered_pricing: expected objects", c->key);
        uint32_t range = json_get(c->doc, e, "range");
        if (range == J_NONE)
            continue; /* tiers of something other than tokens (search results per query) */
        const json_node *r = json_at(c->doc, range);
        uint64_t lo;
        if (r->type != J_ARRAY || r->child == J_NONE || !whole(c, r->child, &lo))
            return lfail(c, range, "'%s'.tiered_pricing: \"range\" must be [from, to] in tokens",
                         c->key);
        tok_prices tp = {TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN,
                         TOK_PRICE_UNKNOWN};
        for (int b = 0; b < 4; b++) {
            uint32_t f = json_get(c->doc, e, base_fields[b]);
            if (f != J_NONE) {
                tok_status st = price(c, f, base_fields[b], price_slot(&tp, b));
                if (st != TOK_OK)
                    return st;
            }
        }
        if (lo == 0) {
            *base = tp;
            *have_base = true;
        } else {
            tok_price_tier *t = tier_for(p, lo, cap);
            if (!t)
                return TOK_ENOMEM;
            t->prices = tp;
        }
    }
    return TOK_OK;
}

/* Only chat, completion and responses entries price text in and text out. LiteLLM keys other
 * kinds (embeddings, images, audio, rerank, ...) with names that can collide with a chat
 * model's: its 2026-07-24 file has "gemini/gemini-1.5-flash" as an embedding model with an
 * output price of 0, which would otherwise replace Gemini 1.5 Flash. An entry without a mode
 * is taken as text generation. */
static bool generates_text(const json_doc *d, uint32_t obj)
{
    uint32_t i = json_get(d, obj, "mode");
    if (i == J_NONE || json_at(d, i)->type != J_STRING)
        return true;
    const json_node *n = json_at(d, i);
    const char *v = d->text + n->start;
    static const char *const modes[] = {"chat", "completion", "responses"};
    for (size_t k = 0; k < sizeof modes / sizeof *modes; k++)
        if (n->len == strlen(modes[k]) && !memcmp(v, modes[k], n->len))
            return true;
    return false;
}

static tok_status entry(lctx *c, uint32_t obj, reg_patch *p)
{
    const json_doc *d = c->doc;
    size_t tier_cap = 0;
    tok_prices base = {TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN,
                       TOK_PRICE_UNKNOWN}, tiered_base;
    bool have_tiered_base = false, have_in = false, have_out = false;
    char *kbuf = NULL;
    size_t kcap = 0;
    tok_status st = TOK_OK;
    for (uint32_t f = json_at(d, obj)->child; f != J_NONE && st == TOK_OK;
         f = json_at(d, f)->next) {
        const char *k;
        size_t kl;
        if (!json_key(d, f, &k, &kl, &kbuf, &kcap)) {
            st = TOK_ENOMEM;
            break;
        }
        char name[96];
        if (kl >= sizeof name)
            continue; /* no field we read is that long */
        memcpy(name, k, kl);
        name[kl] = 0;
        uint64_t above;
        int b;
        if (!strcmp(name, "input_cost_per_token_batches"))
            st = price(c, f, name, &p->batch_input);
        else if (!strcmp(name, "output_cost_per_token_batches"))
            st = price(c, f, name, &p->batch_output);
        else if (!strcmp(name, "max_input_tokens")) {
            bool have = false;
            st = count(c, f, name, &p->max_input, &have);
            if (have)
                p->set |= F_MAX_INPUT;
        } else if (!strcmp(name, "max_output_tokens")) {
            bool have = false;
            st = count(c, f, name, &p->max_output, &have);
            if (have)
                p->set |= F_MAX_OUTPUT;
        } else if (!strcmp(name, "litellm_provider")) {
            const char *s;
            size_t sl;
            char *sbuf = NULL;
            size_t scap = 0;
            if (json_at(d, f)->type != J_STRING)
                st = lfail(c, f, "'%s'.litellm_provider: expected a string", c->key);
            else if (!json_string(d, f, &s, &sl, &sbuf, &scap))
                st = TOK_ENOMEM;
            else {
                free(p->provider);
                if ((p->provider = malloc(sl + 1))) {
                    memcpy(p->provider, s, sl);
                    p->provider[sl] = 0;
                    p->set_if_new |= F_PROVIDER;
                } else
                    st = TOK_ENOMEM;
            }
            free(sbuf);
        } else if (!strcmp(name, "tiered_pricing"))
            st = tiered(c, f, p, &tier_cap, &tiered_base, &have_tiered_base);
        else if ((b = tier_field(name, kl, &above)) >= 0) {
            tok_price_tier *t = tier_for(p, above, &tier_cap);
            st = t ? price(c, f, name, price_slot(&t->prices, b)) : TOK_ENOMEM;
        } else {
            for (b = 0; b < 4; b++)
                if (!strcmp(name, base_fields[b])) {
                    st = price(c, f, name, price_slot(&base, b));
                    have_in |= b == 0;
                    have_out |= b == 1;
                }
        }
    }
    free(kbuf);
    if (st != TOK_OK)
        return st;
    /* the tiered_pricing base fills what the plain fields leave out */
    if (have_tiered_base) {
        if (!have_in)
            base.input = tiered_base.input;
        if (!have_out)
            base.output = tiered_base.output;
    }
    /* A cache-write price of 0 on a paid model is LiteLLM's "no separate charge" (DeepSeek
     * bills a cache miss as input); read as a price it would make cache writes free. */
    if (base.cache_write == 0 && base.input != TOK_PRICE_UNKNOWN && base.input > 0)
        base.cache_write = TOK_PRICE_UNKNOWN;
    p->prices = base;
    if (!reg_tiers_sort(p->tiers, p->n_tiers))
        return lfail(c, obj, "'%s': two long-context tiers start at the same count", c->key);
    p->set |= F_PRICES;
    return TOK_OK;
}

tok_status tok_prices_litellm_parse(const char *data, size_t len, const char *label,
                                    reg_patches *out, tok_error *err)
{
    memset(out, 0, sizeof *out);
    json_doc doc;
    size_t at;
    const char *why;
    if (!json_parse(&doc, data, len, &at, &why)) {
        uint32_t line, col;
        tok_line_col(data, len, at, &line, &col);
        tok_fail(err, TOK_EFORMAT, label, at, "%s:%u:%u: not valid JSON: %s", label, line, col,
                 why);
        if (err)
            err->line = line;
        return TOK_EFORMAT;
    }
    lctx c = {&doc, label, NULL, err};
    tok_status st = TOK_OK;
    if (doc.nodes[0].type != J_OBJECT)
        st = lfail(&c, 0, "expected a JSON object of models (LiteLLM's "
                   "model_prices_and_context_window.json)");
    char *kbuf = NULL;
    size_t kcap = 0, line_at = 0;
    uint32_t line = 1;
    for (uint32_t m = doc.nodes[0].child; st == TOK_OK && m != J_NONE;
         m = json_at(&doc, m)->next) {
        const char *k;
        size_t kl;
        if (!json_key(&doc, m, &k, &kl, &kbuf, &kcap)) {
            st = TOK_ENOMEM;
            break;
        }
        if (kl == 11 && !memcmp(k, "sample_spec", 11))
            continue;
        if (kl == 12 && !memcmp(k, "last_updated", 12) && doc.nodes[m].type == J_STRING) {
            /* the mirror's stamp, "2026-07-24T18:23Z": the date of the data */
            const json_node *n = &doc.nodes[m];
            if (n->len >= 10)
                snprintf(out->date, sizeof out->date, "%.10s", data + n->start);
            continue;
        }
        if (doc.nodes[m].type == J_OBJECT && !generates_text(&doc, m))
            continue;
        reg_patch *p = reg_patch_add(out);
        if (!p || !(p->name = malloc(kl + 1))) {
            st = TOK_ENOMEM;
            break;
        }
        memcpy(p->name, k, kl);
        p->name[kl] = 0;
        c.key = p->name;
        /* lines counted forward from the previous entry: a 1.5 MB file has ~3000 entries */
        for (; line_at < doc.nodes[m].start; line_at++)
            line += data[line_at] == '\n';
        p->line = line;
        if (kl == 0) {
            st = lfail(&c, m, "a model with an empty name");
            break;
        }
        if (doc.nodes[m].type != J_OBJECT) {
            st = lfail(&c, m, "'%s': expected an object of prices and limits", p->name);
            break;
        }
        st = entry(&c, m, p);
        if (st == TOK_OK) {
            size_t sl = strlen(label) + kl + 16;
            if ((p->source = malloc(sl))) {
                snprintf(p->source, sl, "%s, key %s", label, p->name);
                p->set |= F_SOURCE;
            } else
                st = TOK_ENOMEM;
        }
    }
    free(kbuf);
    json_free(&doc);
    if (st == TOK_ENOMEM)
        tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
    if (st != TOK_OK)
        reg_patches_free(out);
    return st;
}
