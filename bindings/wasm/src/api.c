/* api: the functions the JavaScript package calls (tsw_*), thin wrappers over tokscope.h.
 *
 * Conventions, so the JavaScript side stays simple:
 *   - A call that can fail returns its tok_status (or NULL); the details of the last failure are
 *     read with tsw_err_status / tsw_err_message (one module instance is one thread).
 *   - Arrays the library allocates (ids, spans, decoded bytes) are handed out through
 *     tsw_result_*; the caller copies them and calls tsw_result_free.
 *   - Structured answers (models, costs, chat counts) are JSON text the caller frees with
 *     tsw_free. Money stays exact: picodollars and nanodollars are written as decimal strings,
 *     never as floating-point numbers.
 *   - Numbers from JavaScript (token counts) arrive as doubles: exact up to 2^53. */
#include "formats/tiktoken/tiktoken.h"
#include "tokscope.h"

#include <cjson/cJSON.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

#define EXPORT EMSCRIPTEN_KEEPALIVE

const char *tsw_vocab_problem(void); /* embedded_files.c */

static tok_error last;

EXPORT int tsw_err_status(void) { return (int)last.status; }
EXPORT const char *tsw_err_message(void) { return last.message; }
EXPORT const char *tsw_version(void) { return tok_version(); }
EXPORT void tsw_free(void *p) { free(p); }

static void fail(tok_status st, const char *msg)
{
    memset(&last, 0, sizeof last);
    last.status = st;
    snprintf(last.message, sizeof last.message, "%s", msg);
}

/* ---- results of encode and decode ---- */

static struct {
    uint32_t *ids;
    tok_span *spans;
    char *bytes;
    size_t n;
} result;

EXPORT uint32_t *tsw_result_ids(void) { return result.ids; }
EXPORT char *tsw_result_bytes(void) { return result.bytes; }
EXPORT size_t tsw_result_n(void) { return result.n; }

/* Spans as pairs of 32-bit offsets (a wasm32 text is below 4 GB): start, end, start, end, ... */
EXPORT uint32_t *tsw_result_spans32(void)
{
    if (!result.spans)
        return NULL;
    uint32_t *out = (uint32_t *)result.spans; /* narrowed in place, front to back */
    for (size_t i = 0; i < result.n; i++) {
        uint32_t s = (uint32_t)result.spans[i].start, e = (uint32_t)result.spans[i].end;
        out[2 * i] = s;
        out[2 * i + 1] = e;
    }
    return out;
}

EXPORT void tsw_result_free(void)
{
    tok_free(result.ids);
    tok_free(result.spans);
    tok_free(result.bytes);
    memset(&result, 0, sizeof result);
}

/* ---- opening ---- */

EXPORT tok_tokenizer *tsw_open_encoding(const char *name)
{
    tok_tokenizer *t = NULL;
    if (tok_open_encoding(name, &t, &last) != TOK_OK && tsw_vocab_problem()[0]) {
        size_t n = strlen(last.message);
        snprintf(last.message + n, sizeof last.message - n, " (%s)", tsw_vocab_problem());
    }
    return t;
}

/* The encoding tiktoken's encoding_for_model gives a model name (static), or NULL. */
EXPORT const char *tsw_encoding_for_model(const char *model)
{
    const char *enc = NULL;
    return tok_encoding_for_model(model, &enc, &last) == TOK_OK ? enc : NULL;
}

/* pattern: for a .tiktoken file that is not one of OpenAI's ("" for none). */
EXPORT tok_tokenizer *tsw_open_memory(const void *data, size_t len, const char *label,
                                      const char *pattern)
{
    tok_open_options o = {0};
    o.pattern = pattern && *pattern ? pattern : NULL;
    tok_tokenizer *t = NULL;
    tok_open_memory(data, len, label, &o, &t, &last);
    return t;
}

EXPORT void tsw_close(tok_tokenizer *t) { tok_close(t); }

EXPORT const char *tsw_name(const tok_tokenizer *t) { return tok_name(t); }
EXPORT const char *tsw_format(const tok_tokenizer *t) { return tok_format(t); }
EXPORT uint32_t tsw_vocab_size(const tok_tokenizer *t) { return tok_vocab_size(t); }
EXPORT const char *tsw_pattern(const tok_tokenizer *t) { return tok_pattern(t); }
EXPORT int tsw_is_special(const tok_tokenizer *t, uint32_t id) { return tok_is_special(t, id); }

/* The bytes of a token: their length (-1 if the id is unused), then tsw_token_ptr for where
 * they are (inside the tokenizer: not copied, valid until it is closed). */
static const char *token_ptr;

EXPORT int tsw_token_bytes(const tok_tokenizer *t, uint32_t id)
{
    size_t n;
    if (tok_token_bytes(t, id, &token_ptr, &n) != TOK_OK)
        return -1;
    return (int)n;
}
EXPORT const char *tsw_token_ptr(void) { return token_ptr; }

/* The special tokens as JSON: [[text, id], ...] (texts as UTF-8 strings). */
EXPORT char *tsw_specials_json(const tok_tokenizer *t)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0, n = tok_special_count(t); i < n; i++) {
        const char *text;
        size_t len;
        uint32_t id;
        if (tok_special_at(t, i, &text, &len, &id) != TOK_OK)
            continue;
        char *z = strndup(text, len);
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(z ? z : ""));
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(id));
        cJSON_AddItemToArray(a, pair);
        free(z);
    }
    char *out = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return out;
}

/* ---- encoding and decoding ---- */

static tok_encode_options options(int policy, unsigned flags)
{
    tok_encode_options o = {(tok_special_policy)policy, flags};
    return o;
}

/* policy: 0 ordinary, 1 allow, 2 reject (tok_special_policy); flags: TOK_ENCODE_*. */
EXPORT int tsw_encode(const tok_tokenizer *t, const char *text, size_t len, int policy,
                      unsigned flags, int want_spans)
{
    tsw_result_free();
    tok_encode_options o = options(policy, flags);
    return tok_encode_alloc(t, text, len, &o, &result.ids, want_spans ? &result.spans : NULL,
                            &result.n, &last);
}

/* The count into the result's n. */
EXPORT int tsw_count(const tok_tokenizer *t, const char *text, size_t len, int policy,
                     unsigned flags)
{
    tsw_result_free();
    tok_encode_options o = options(policy, flags);
    return tok_count(t, text, len, &o, &result.n, &last);
}

EXPORT int tsw_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags)
{
    tsw_result_free();
    return tok_decode_alloc(t, ids, n, flags, &result.bytes, &result.n, &last);
}

/* ---- the model registry, costs and chats ---- */

static tok_registry *registry(void)
{
    static tok_registry *reg;
    if (!reg && tok_registry_open(&reg, &last) != TOK_OK)
        return NULL;
    return reg;
}

static const tok_model *find_model(const char *name)
{
    tok_registry *reg = registry();
    const tok_model *m = NULL;
    if (reg && tok_model_find(reg, name, &m, &last) != TOK_OK)
        return NULL;
    return m;
}

static void add_u64(cJSON *o, const char *key, uint64_t v, uint64_t unknown)
{
    if (v == unknown) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "\"%llu\"", (unsigned long long)v);
    cJSON_AddRawToObject(o, key, buf);
}

/* A per-token price (picodollars) as dollars per million tokens, exactly ("2.5"); null when not
 * published. */
static void add_price(cJSON *o, const char *key, uint64_t pico)
{
    if (pico == TOK_PRICE_UNKNOWN) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[48];
    tok_decimal_format(pico, 6, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

static void add_factor(cJSON *o, const char *key, uint32_t millionths)
{
    if (!millionths) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[32];
    tok_decimal_format(millionths, 6, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

static cJSON *model_json(const tok_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "provider", m->provider);
    cJSON *al = cJSON_AddArrayToObject(o, "aliases");
    for (size_t i = 0; i < m->n_aliases; i++)
        cJSON_AddItemToArray(al, cJSON_CreateString(m->aliases[i]));
    cJSON_AddStringToObject(o, "tokenizer", m->tokenizer);
    cJSON_AddBoolToObject(o, "tokenizerBuiltin", m->tokenizer_builtin);
    cJSON_AddStringToObject(o, "approxEncoding", m->approx_encoding);
    add_factor(o, "approxFactor", m->approx_factor);
    add_factor(o, "approxLow", m->approx_low);
    add_factor(o, "approxHigh", m->approx_high);
    cJSON_AddNumberToObject(o, "maxInput", (double)m->max_input);
    cJSON_AddNumberToObject(o, "context", (double)m->context);
    cJSON_AddNumberToObject(o, "maxOutput", (double)m->max_output);
    cJSON *p = cJSON_AddObjectToObject(o, "pricesPerMillion");
    add_price(p, "input", m->prices.input);
    add_price(p, "output", m->prices.output);
    add_price(p, "cachedInput", m->prices.cached_input);
    add_price(p, "cacheWrite", m->prices.cache_write);
    add_price(p, "batchInput", m->batch_input);
    add_price(p, "batchOutput", m->batch_output);
    cJSON_AddStringToObject(o, "source", m->source);
    cJSON_AddStringToObject(o, "date", m->date);
    cJSON_AddStringToObject(o, "notes", m->notes);
    cJSON_AddStringToObject(o, "basis", m->basis);
    return o;
}

static char *print(cJSON *o)
{
    char *out = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!out)
        fail(TOK_ENOMEM, "out of memory");
    return out;
}

/* Every model of the registry, in registry order. */
EXPORT char *tsw_models_json(void)
{
    tok_registry *reg = registry();
    if (!reg)
        return NULL;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0, n = tok_registry_count(reg); i < n; i++)
        cJSON_AddItemToArray(a, model_json(tok_registry_model(reg, i)));
    return print(a);
}

EXPORT char *tsw_model_json(const char *name)
{
    const tok_model *m = find_model(name);
    return m ? print(model_json(m)) : NULL;
}

/* The files an open of name may read from the data directory, one per line (the JavaScript side
 * provides the ones it has before opening): a built-in encoding's or an OpenAI model's
 * NAME.tkc (its compact vocabulary: embedded_files.c); for a model of the registry its
 * vocabulary NAME.tkz and the encoding that estimates it. "" when name needs none or is unknown
 * (the open then says why). */
EXPORT char *tsw_files_for(const char *name)
{
    char buf[512] = "";
    const tok_builtin *b = tok_builtin_find(name);
    const char *enc = NULL;
    if (!b && tok_encoding_for_model(name, &enc, NULL) == TOK_OK)
        b = tok_builtin_find(enc);
    if (b) {
        snprintf(buf, sizeof buf, "%s.tkc\n", b->vocab);
    } else {
        tok_registry *reg = registry();
        const tok_model *m = NULL;
        if (reg && tok_model_find(reg, name, &m, NULL) == TOK_OK) {
            size_t o = 0;
            const tok_builtin *mb = m->tokenizer_builtin ? tok_builtin_find(m->tokenizer) : NULL;
            if (mb)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s.tkc\n", mb->vocab);
            else if (m->tokenizer[0])
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s.tkz\n", m->tokenizer);
            const tok_builtin *ab = m->approx_encoding[0] ? tok_builtin_find(m->approx_encoding)
                                                          : NULL;
            if (ab && o < sizeof buf)
                snprintf(buf + o, sizeof buf - o, "%s.tkc\n", ab->vocab);
        }
    }
    return strdup(buf);
}

/* Open the tokenizer that counts for a model: a registry model's (tok_model_open_tokenizer:
 * exact, or its estimating encoding when its vocabulary is not there), else tok_open_model
 * (OpenAI names tiktoken maps, ORG/NAME). *exact says which. */
EXPORT tok_tokenizer *tsw_open_model(const char *name, int *exact)
{
    tok_tokenizer *t = NULL;
    *exact = 0;
    tok_registry *reg = registry();
    const tok_model *m = NULL;
    if (reg && tok_model_find(reg, name, &m, NULL) == TOK_OK) {
        bool ex = false;
        if (tok_model_open_tokenizer(m, NULL, 0, &t, &ex, &last) == TOK_OK)
            *exact = ex;
        return t;
    }
    if (tok_open_model(name, &t, &last) == TOK_OK)
        *exact = 1;
    return t;
}

/* An estimate for a model from a count of its estimating encoding: count, low, high. */
EXPORT char *tsw_estimate_json(const char *name, double count)
{
    const tok_model *m = find_model(name);
    if (!m)
        return NULL;
    uint64_t c = (uint64_t)count, lo, hi;
    tok_model_approx_range(m, c, &lo, &hi);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)tok_model_approx_count(m, c));
    cJSON_AddNumberToObject(o, "low", (double)lo);
    cJSON_AddNumberToObject(o, "high", (double)hi);
    cJSON_AddStringToObject(o, "encoding", m->approx_encoding);
    add_factor(o, "factor", m->approx_factor);
    cJSON_AddStringToObject(o, "basis", m->basis);
    return print(o);
}

static void add_usd(cJSON *o, const char *key, uint64_t pico)
{
    if (pico == TOK_COST_UNKNOWN) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[48];
    tok_usd_format(pico, -1, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

/* Fit and cost of a request (tok_model_fit, tok_cost_compute): amounts in exact USD decimals,
 * the total over `calls` calls in nanodollars. */
EXPORT char *tsw_cost_json(const char *name, double input, double cached, double cache_write,
                           double output, double calls, int batch)
{
    const tok_model *m = find_model(name);
    if (!m)
        return NULL;
    tok_cost_request req = {(uint64_t)input, (uint64_t)cached, (uint64_t)cache_write,
                            (uint64_t)output, (uint64_t)calls, batch != 0};
    tok_cost c;
    if (tok_cost_compute(m, &req, &c, &last) != TOK_OK)
        return NULL;
    tok_fit f;
    tok_model_fit(m, req.input_tokens, req.output_tokens, &f);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", m->id);
    cJSON *fit = cJSON_AddObjectToObject(o, "fit");
    cJSON_AddBoolToObject(fit, "fits", f.fits);
    if (f.why)
        cJSON_AddStringToObject(fit, "why", f.why);
    else
        cJSON_AddNullToObject(fit, "why");
    cJSON_AddNumberToObject(fit, "window", (double)f.window);
    cJSON_AddNumberToObject(fit, "usedBasisPoints", f.used_bp);
    if (f.left_for_output == UINT64_MAX)
        cJSON_AddNullToObject(fit, "leftForOutput");
    else
        cJSON_AddNumberToObject(fit, "leftForOutput", (double)f.left_for_output);
    cJSON *usd = cJSON_AddObjectToObject(o, "usd");
    add_usd(usd, "input", c.input);
    add_usd(usd, "cachedInput", c.cached_input);
    add_usd(usd, "cacheWrite", c.cache_write);
    add_usd(usd, "output", c.output);
    add_usd(usd, "total", c.total);
    cJSON_AddNumberToObject(o, "calls", (double)c.calls);
    add_u64(o, "callsTotalNano", c.total_calls_nano, TOK_COST_UNKNOWN);
    if (c.total_calls_nano == TOK_COST_UNKNOWN) {
        cJSON_AddNullToObject(usd, "callsTotal");
    } else {
        char buf[48];
        tok_decimal_format(c.total_calls_nano, 9, buf, sizeof buf);
        cJSON_AddStringToObject(usd, "callsTotal", buf);
    }
    cJSON_AddNumberToObject(o, "tierAbove", c.tier ? (double)c.tier->above : 0);
    return print(o);
}

/* A whole request's count (tok_request_count_json), as `tokscope chat --json` gives it. model,
 * convention, api and vars may be "" (none). own: the tokenizer was opened for model
 * (tsw_open_model; exact says whether it is the model's own or its estimating encoding), so the
 * registry row vouches for it: an open model's conversation renders with the chat template its
 * vocabulary carries, an estimated model's text is scaled. gen: add_generation_prompt. */
EXPORT char *tsw_request_json(const tok_tokenizer *t, const char *json, size_t len,
                              const char *model, const char *convention, const char *api, int own,
                              int exact, int gen, const char *vars)
{
    tok_request_options ro = {0};
    tok_chat_template_options topt = {0};
    ro.model = model && *model ? model : NULL;
    ro.convention = convention && *convention ? convention : NULL;
    if (api && *api && tok_request_api_parse(api, &ro.api) != TOK_OK) {
        tok_fail(&last, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                 "api must be openai, responses, anthropic or gemini, not '%s'", api);
        return NULL;
    }
    if (own && ro.model) {
        ro.registry_model = find_model(ro.model);
        ro.estimate = ro.registry_model && !exact;
    }
    topt.no_generation_prompt = !gen;
    topt.vars = vars && *vars ? vars : NULL;
    topt.vars_len = topt.vars ? strlen(topt.vars) : 0;
    ro.own_template = true;
    ro.chat_template_options = &topt;
    tok_request_count c;
    if (tok_request_count_json(t, &ro, json, len, &c, &last) != TOK_OK)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "total", (double)c.total);
    cJSON_AddNumberToObject(o, "totalLow", (double)c.total_low);
    cJSON_AddNumberToObject(o, "totalHigh", (double)c.total_high);
    cJSON_AddBoolToObject(o, "exact", c.exact);
    cJSON_AddBoolToObject(o, "complete", c.complete);
    cJSON_AddStringToObject(o, "api", tok_request_api_name(c.api));
    cJSON_AddStringToObject(o, "convention", c.convention);
    cJSON_AddStringToObject(o, "model", c.model);
    cJSON_AddNumberToObject(o, "prefix", (double)c.prefix);
    cJSON_AddNumberToObject(o, "reply", (double)c.parts[TOK_PART_REPLY].tokens);
    cJSON_AddNumberToObject(o, "tokensPerMessage", c.tokens_per_message);
    cJSON_AddNumberToObject(o, "tokensPerName", c.tokens_per_name);
    if (c.note)
        cJSON_AddStringToObject(o, "note", c.note);
    else
        cJSON_AddNullToObject(o, "note");
    cJSON *parts = cJSON_AddObjectToObject(o, "parts");
    for (int k = 0; k < TOK_PART_COUNT_; k++) {
        const tok_request_part *p = &c.parts[k];
        if (!p->n_items)
            continue;
        cJSON *po = cJSON_AddObjectToObject(parts, tok_request_part_name((tok_request_part_kind)k));
        cJSON_AddNumberToObject(po, "tokens", (double)p->tokens);
        cJSON_AddBoolToObject(po, "exact", p->exact);
        cJSON_AddNumberToObject(po, "items", (double)p->n_items);
        cJSON_AddNumberToObject(po, "unknown", (double)p->n_unknown);
        if (p->source)
            cJSON_AddStringToObject(po, "source", p->source);
        else
            cJSON_AddNullToObject(po, "source");
    }
    cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
    for (size_t i = 0; i < c.n_messages; i++) {
        const tok_request_message *m = &c.messages[i];
        cJSON *mo = cJSON_CreateObject();
        cJSON_AddStringToObject(mo, "role", m->role);
        cJSON_AddStringToObject(mo, "path", m->path);
        cJSON_AddNumberToObject(mo, "content", (double)m->content);
        cJSON_AddNumberToObject(mo, "overhead", (double)m->overhead);
        cJSON_AddNumberToObject(mo, "total", (double)m->total);
        cJSON_AddBoolToObject(mo, "exact", m->exact);
        cJSON_AddItemToArray(msgs, mo);
    }
    tok_request_count_free(&c);
    return print(o);
}
