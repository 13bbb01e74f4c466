/* test_chat_templates.c -- every chat template of tests/golden/chat-templates/templates.jsonl
 * rendered with every conversation of conversations.jsonl by lib/template, compared byte for
 * byte with goldens.jsonl.gz (transformers' environment on Debian jinja2, see
 * tests/conformance/chat_template_ref.py). A template's raise_exception must give the same
 * message; a Python error in a template must be a runtime error here.
 *
 * The templates come from build/hf (fetch_hf.sh; TOK_HF_DIR overrides): a tokenizer_config.json's
 * chat_template, or one entry of @huggingface/ollama-utils' chat-template-automap.ts, checked
 * against the SHA-256 in templates.jsonl. The context is built the way apply_chat_template builds
 * its keyword arguments: the special tokens, then the conversation's extra variables (which
 * override them), messages, tools (null when absent), documents (null when absent) and
 * add_generation_prompt, spliced as raw JSON so ints and floats stay what they are.
 *
 * Where a golden has token ids (the template's own tokenizer.json, npm tokenizers 0.23.2 with
 * addSpecialTokens=false, as apply_chat_template(tokenize=True) encodes), the text rendered here
 * is encoded by libtokscope with special tokens matched and nothing added, and the ids must be
 * the same: rendering and counting a conversation, end to end. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "runner.h"
#include "template/template.h"
#include "tokscope.h"

#define GOLD "tests/golden/chat-templates"

/* ---- raw JSON spans ---- */

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* End of the JSON value starting at s[i] (input known to be valid JSON). */
static size_t skip_value(const char *s, size_t i, size_t n)
{
    if (s[i] == '"') {
        for (i++; i < n && s[i] != '"'; i++)
            if (s[i] == '\\')
                i++;
        return i + 1;
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            if (s[i] == '"') {
                i = skip_value(s, i, n) - 1;
                continue;
            }
            if (s[i] == '{' || s[i] == '[')
                depth++;
            else if (s[i] == '}' || s[i] == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n')
        i++;
    return i;
}

typedef struct span {
    const char *p;
    size_t n;
} span;

/* The raw text of member key of the JSON object s[0..n), or {NULL,0}. */
static span member(const char *s, size_t n, const char *key)
{
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{')
        return (span){0};
    i++;
    size_t kl = strlen(key);
    for (;;) {
        i = skip_ws(s, i, n);
        if (i >= n || s[i] == '}')
            return (span){0};
        size_t ks = i + 1, ke = skip_value(s, i, n) - 1;
        i = skip_ws(s, ke + 1, n);
        i = skip_ws(s, i + 1, n); /* ':' */
        size_t vs = i, ve = skip_value(s, i, n);
        if (ke - ks == kl && memcmp(s + ks, key, kl) == 0)
            return (span){s + vs, ve - vs};
        i = skip_ws(s, ve, n);
        if (i < n && s[i] == ',')
            i++;
    }
}

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* Append the members of the JSON object o (without braces) to b, after a comma if needed. */
static void put_members(buf *b, span o)
{
    if (!o.p)
        return;
    size_t i = skip_ws(o.p, 0, o.n);
    size_t e = o.n;
    while (e > 0 && o.p[e - 1] != '}')
        e--;
    if (i >= e || o.p[i] != '{')
        return;
    size_t a = skip_ws(o.p, i + 1, e - 1);
    if (a >= e - 1)
        return;
    if (b->n && b->p[b->n - 1] != '{')
        puts_(b, ",");
    put(b, o.p + a, e - 1 - a);
}

static char *context_json(span special, const char *conv, size_t cn, size_t *len)
{
    buf b = {0};
    puts_(&b, "{");
    put_members(&b, special);
    put_members(&b, member(conv, cn, "vars"));
    static const char *const keys[] = {"messages", "tools", "documents", "add_generation_prompt"};
    for (int k = 0; k < 4; k++) {
        span v = member(conv, cn, keys[k]);
        if (b.n > 1)
            puts_(&b, ",");
        puts_(&b, "\"");
        puts_(&b, keys[k]);
        puts_(&b, "\":");
        if (v.p)
            put(&b, v.p, v.n);
        else
            puts_(&b, k == 3 ? "false" : "null");
    }
    puts_(&b, "}");
    *len = b.n;
    return b.p;
}

/* ---- template sources ---- */

/* Decode the JavaScript string literal at s[i] (as chat_template_goldens.py's js_string). */
static char *js_string(const char *s, size_t n, size_t i, size_t *out_len)
{
    char q = s[i++];
    buf b = {0};
    put(&b, "", 0);
    while (i < n && s[i] != q) {
        if (s[i] != '\\') {
            put(&b, s + i, 1);
            i++;
            continue;
        }
        char e = s[i + 1];
        uint32_t cp = 0;
        const char *simple = NULL;
        switch (e) {
        case 'n': simple = "\n"; break;
        case 't': simple = "\t"; break;
        case 'r': simple = "\r"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'v': simple = "\v"; break;
        default: break;
        }
        if (simple) {
            put(&b, simple, 1);
            i += 2;
        } else if (e == 'u' || e == 'x') {
            int nd = e == 'u' ? 4 : 2;
            char hex[5] = {0};
            memcpy(hex, s + i + 2, (size_t)nd);
            cp = (uint32_t)strtoul(hex, NULL, 16);
            i += 2 + (size_t)nd;
            if (cp >= 0xD800 && cp <= 0xDBFF && s[i] == '\\' && s[i + 1] == 'u') {
                char lo[5] = {0};
                memcpy(lo, s + i + 2, 4);
                uint32_t l = (uint32_t)strtoul(lo, NULL, 16);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (l - 0xDC00);
                i += 6;
            }
            char u[4];
            size_t un;
            if (cp < 0x80) {
                u[0] = (char)cp;
                un = 1;
            } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3F));
                un = 2;
            } else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F));
                un = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char)(0x80 | (cp & 0x3F));
                un = 4;
            }
            put(&b, u, un);
        } else if (e == '\n') {
            i += 2;
        } else {
            put(&b, &e, 1);
            i += 2;
        }
    }
    *out_len = b.n;
    return b.p;
}

static char *ollama_template(const char *ts, size_t n, const char *model, int occurrence, size_t *len)
{
    char needle[300];
    snprintf(needle, sizeof needle, "model: \"%s\"", model);
    const char *p = ts;
    for (int k = 0; k < occurrence; k++) {
        p = memmem(p, (size_t)(ts + n - p), needle, strlen(needle));
        if (!p)
            return NULL;
        if (k + 1 < occurrence)
            p += strlen(needle);
    }
    const char *g = memmem(p, (size_t)(ts + n - p), "gguf: ", 6);
    if (!g)
        return NULL;
    return js_string(ts, n, (size_t)(g + 6 - ts), len);
}

static char *config_template(const char *cfg, size_t n, const cJSON *tname, size_t *len)
{
    cJSON *j = cJSON_ParseWithLength(cfg, n);
    if (!j)
        return NULL;
    const cJSON *ct = cJSON_GetObjectItemCaseSensitive(j, "chat_template");
    const char *src = NULL;
    if (cJSON_IsString(ct)) {
        src = ct->valuestring;
    } else if (cJSON_IsArray(ct)) {
        const char *want = cJSON_IsString(tname) ? tname->valuestring : "default";
        const cJSON *e;
        cJSON_ArrayForEach(e, ct)
        {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
            if (cJSON_IsString(nm) && strcmp(nm->valuestring, want) == 0)
                src = cJSON_GetObjectItemCaseSensitive(e, "template")->valuestring;
        }
    }
    char *out = src ? strdup(src) : NULL;
    if (out)
        *len = strlen(out);
    cJSON_Delete(j);
    return out;
}

static void hex32(const uint8_t d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* ---- token ids ---- */

/* The template's tokenizer (templates.jsonl "tokenizer", under the HF directory), opened once
 * per run of consecutive templates that share it; NULL when the template has none. */
static tok_tokenizer *tokenizer_for(const cJSON *tj, tok_tokenizer **cache, char **cache_name)
{
    const cJSON *tn = cJSON_GetObjectItemCaseSensitive(tj, "tokenizer");
    if (!cJSON_IsString(tn))
        return NULL;
    if (*cache_name && strcmp(*cache_name, tn->valuestring) == 0)
        return *cache;
    tok_close(*cache);
    free(*cache_name);
    *cache = NULL;
    *cache_name = strdup(tn->valuestring);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", test_hf_dir(), tn->valuestring);
    tok_error err;
    if (tok_open_file(path, NULL, cache, &err) != TOK_OK)
        *cache = NULL;
    return *cache;
}

static bool ids_match(tok_tokenizer *tok, const char *text, size_t len, const cJSON *want, char *why, size_t cap)
{
    if (!tok) {
        snprintf(why, cap, "the tokenizer could not be opened");
        return false;
    }
    tok_encode_options allow = {.special = TOK_SPECIAL_ALLOW};
    uint32_t *ids = NULL;
    size_t n = 0;
    tok_error err;
    if (tok_encode_alloc(tok, text, len, &allow, &ids, NULL, &n, &err) != TOK_OK) {
        snprintf(why, cap, "encoding failed: %s", err.message);
        return false;
    }
    size_t wn = (size_t)cJSON_GetArraySize(want), i = 0;
    bool same = wn == n;
    const cJSON *e;
    cJSON_ArrayForEach(e, want)
    {
        if (!same || i >= n || (uint32_t)e->valuedouble != ids[i]) {
            same = false;
            break;
        }
        i++;
    }
    if (!same)
        snprintf(why, cap, "token ids differ: %zu tokens, the reference has %zu (first difference at %zu)", n, wn, i);
    tok_free(ids);
    return same;
}

/* ---- the test ---- */

typedef struct tline {
    const char *p;
    size_t n;
} tline;

static size_t split_lines(char *s, size_t n, tline **out)
{
    size_t cap = 64, k = 0;
    tline *v = malloc(sizeof *v * cap);
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '\n')
            j++;
        if (j > i) {
            if (k == cap)
                v = realloc(v, sizeof *v * (cap *= 2));
            v[k++] = (tline){s + i, j - i};
        }
        i = j + 1;
    }
    *out = v;
    return k;
}

static struct tm frozen_now(void)
{
    /* chat_template_ref.py's DEFAULT_NOW: 2025-06-15T12:00:00 */
    struct tm t = {.tm_year = 125, .tm_mon = 5, .tm_mday = 15, .tm_hour = 12};
    time_t secs = timegm(&t);
    gmtime_r(&secs, &t);
    return t;
}

TEST(chat_templates_goldens)
{
    size_t tl, cl, gl;
    char *tfile = read_file(GOLD "/templates.jsonl", &tl);
    char *cfile = read_file(GOLD "/conversations.jsonl", &cl);
    char *gfile = read_gz(GOLD "/goldens.jsonl.gz", &gl);
    CHECK_MSG(tfile && cfile && gfile, "missing %s/{templates.jsonl,conversations.jsonl,goldens.jsonl.gz}", GOLD);
    tline *tls, *cls, *gls;
    size_t nt = split_lines(tfile, tl, &tls), nc = split_lines(cfile, cl, &cls), ng = split_lines(gfile, gl, &gls);
    CHECK_MSG(nt >= 20 && nc >= 20, "expected at least 20 templates and 20 conversations, have %zu and %zu", nt, nc);
    CHECK_EQ(ng, nt * nc);
    struct tm now = frozen_now();
    tmpl_render_options opt = {.now = &now};
    size_t ok = 0, bad = 0, texts = 0, raises = 0, errors = 0, id_checked = 0;
    tok_tokenizer *tok_cache = NULL;
    char *tok_cache_name = NULL;
    char *ts_cache = NULL;
    size_t ts_len = 0;
    for (size_t t = 0; t < nt; t++) {
        cJSON *tj = cJSON_ParseWithLength(tls[t].p, tls[t].n);
        CHECK_MSG(tj, "templates.jsonl line %zu is not JSON", t + 1);
        const char *id = cJSON_GetObjectItemCaseSensitive(tj, "id")->valuestring;
        const char *file = cJSON_GetObjectItemCaseSensitive(tj, "file")->valuestring;
        const char *want_sha = cJSON_GetObjectItemCaseSensitive(tj, "sha256")->valuestring;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", test_hf_dir(), file);
        char *src = NULL;
        size_t src_len = 0;
        const cJSON *entry = cJSON_GetObjectItemCaseSensitive(tj, "entry");
        if (cJSON_IsString(entry)) {
            if (!ts_cache)
                ts_cache = read_file(path, &ts_len);
            CHECK_MSG(ts_cache, "%s is missing (make hf-vocabs)", path);
            src = ollama_template(ts_cache, ts_len, entry->valuestring,
                                  cJSON_GetObjectItemCaseSensitive(tj, "occurrence")->valueint, &src_len);
        } else {
            size_t n;
            char *cfg = read_file(path, &n);
            CHECK_MSG(cfg, "%s is missing (make hf-vocabs)", path);
            src = config_template(cfg, n, cJSON_GetObjectItemCaseSensitive(tj, "template_name"), &src_len);
            free(cfg);
        }
        CHECK_MSG(src, "%s: no template in %s", id, path);
        uint8_t d[32];
        char hex[65];
        tok_sha256(src, src_len, d);
        hex32(d, hex);
        CHECK_MSG(strcmp(hex, want_sha) == 0, "%s: the template's SHA-256 is %s, templates.jsonl says %s", id, hex, want_sha);
        /* the special tokens, as raw JSON */
        span special = member(tls[t].p, tls[t].n, "special_tokens");
        tmpl *tp = NULL;
        tmpl_error err;
        tmpl_status cs = tmpl_compile(src, src_len, &tp, &err);
        for (size_t c = 0; c < nc; c++) {
            const tline *g = &gls[t * nc + c];
            cJSON *gj = cJSON_ParseWithLength(g->p, g->n);
            const cJSON *gt = cJSON_GetObjectItemCaseSensitive(gj, "text");
            const cJSON *ge = cJSON_GetObjectItemCaseSensitive(gj, "error");
            const char *conv_id = cJSON_GetObjectItemCaseSensitive(gj, "conversation")->valuestring;
            if (cJSON_IsString(gt))
                texts++;
            else if (strcmp(cJSON_GetObjectItemCaseSensitive(ge, "type")->valuestring, "TemplateError") == 0)
                raises++;
            else
                errors++;
            bool match = false;
            char why[1400] = "";
            if (cs != TMPL_OK) {
                snprintf(why, sizeof why, "compile: %s at %d:%d: %s", tmpl_status_name(err.status), err.line, err.column, err.message);
            } else {
                size_t ctx_len;
                char *ctx = context_json(special, cls[c].p, cls[c].n, &ctx_len);
                char *out = NULL;
                size_t out_len = 0;
                tmpl_status rs = tmpl_render(tp, ctx, ctx_len, &opt, &out, &out_len, &err);
                if (cJSON_IsString(gt)) {
                    /* cJSON strings stop at NUL; the rendered texts have none */
                    match = rs == TMPL_OK && out_len == strlen(gt->valuestring) && memcmp(out, gt->valuestring, out_len) == 0;
                    const cJSON *gids = cJSON_GetObjectItemCaseSensitive(gj, "ids");
                    if (match && cJSON_IsArray(gids)) {
                        match = ids_match(tokenizer_for(tj, &tok_cache, &tok_cache_name), out, out_len, gids, why, sizeof why);
                        id_checked++;
                    }
                    if (rs != TMPL_OK)
                        snprintf(why, sizeof why, "expected text, got %s at %d:%d: %s", tmpl_status_name(err.status), err.line, err.column, err.message);
                    else if (!match) {
                        size_t k = 0, gn = strlen(gt->valuestring);
                        while (k < out_len && k < gn && out[k] == gt->valuestring[k])
                            k++;
                        size_t from = k > 40 ? k - 40 : 0;
                        snprintf(why, sizeof why, "text differs at byte %zu: got \"%.80s\" expected \"%.80s\"", k, out + from, gt->valuestring + from);
                    }
                } else {
                    const char *type = cJSON_GetObjectItemCaseSensitive(ge, "type")->valuestring;
                    const char *msg = cJSON_GetObjectItemCaseSensitive(ge, "message")->valuestring;
                    if (strcmp(type, "TemplateError") == 0)
                        match = rs == TMPL_ERR_RAISE && strcmp(err.message, msg) == 0;
                    else
                        match = rs == TMPL_ERR_RUNTIME;
                    if (!match)
                        snprintf(why, sizeof why, "expected %s: %.200s; got %s: %.300s", type, msg,
                                 rs == TMPL_OK ? "text" : tmpl_status_name(err.status), rs == TMPL_OK ? (out ? out : "") : err.message);
                }
                free(out);
                free(ctx);
            }
            if (match)
                ok++;
            else {
                bad++;
                if (bad <= 40)
                    fprintf(stderr, "  chat template %s x %s: %s\n", id, conv_id, why);
            }
            cJSON_Delete(gj);
        }
        tmpl_free(tp);
        free(src);
        cJSON_Delete(tj);
    }
    fprintf(stderr, "  chat templates: %zu of %zu goldens match (%zu texts, %zu raise_exception, %zu Python errors; token ids of %zu renders), %zu templates x %zu conversations\n",
            ok, ok + bad, texts, raises, errors, id_checked, nt, nc);
    tok_close(tok_cache);
    free(tok_cache_name);
    free(ts_cache);
    free(tls);
    free(cls);
    free(gls);
    free(tfile);
    free(cfile);
    free(gfile);
    CHECK_MSG(bad == 0, "%zu of %zu chat-template goldens differ", bad, ok + bad);
}

/* The public API on the same goldens: tok_chat_template_load on each config (its template
 * picked by name, its special tokens read by the library, not from templates.jsonl),
 * tok_chat_template_render on the request body ({"messages", "tools", "documents"}; the
 * conversation's vars as keyword arguments) and tok_chat_template_count, whose count must be
 * the number of ids npm tokenizers gives: len(apply_chat_template(..., tokenize=True)). */
static char *request_body(const char *conv, size_t cn)
{
    buf b = {0};
    puts_(&b, "{\"messages\":");
    span m = member(conv, cn, "messages");
    put(&b, m.p, m.n);
    static const char *const keys[] = {"tools", "documents"};
    for (int k = 0; k < 2; k++) {
        span v = member(conv, cn, keys[k]);
        if (!v.p)
            continue;
        puts_(&b, ",\"");
        puts_(&b, keys[k]);
        puts_(&b, "\":");
        put(&b, v.p, v.n);
    }
    puts_(&b, "}");
    return b.p;
}

TEST(chat_templates_public_api_goldens)
{
    size_t tl, cl, gl;
    char *tfile = read_file(GOLD "/templates.jsonl", &tl);
    char *cfile = read_file(GOLD "/conversations.jsonl", &cl);
    char *gfile = read_gz(GOLD "/goldens.jsonl.gz", &gl);
    CHECK(tfile && cfile && gfile);
    tline *tls, *cls, *gls;
    size_t nt = split_lines(tfile, tl, &tls), nc = split_lines(cfile, cl, &cls);
    size_t ng = split_lines(gfile, gl, &gls);
    CHECK_EQ(ng, nt * nc);
    struct tm now = frozen_now();
    tok_tokenizer *tok_cache = NULL;
    char *tok_cache_name = NULL;
    size_t configs = 0, counted = 0, rendered = 0, refused = 0, bad = 0;
    for (size_t t = 0; t < nt; t++) {
        cJSON *tj = cJSON_ParseWithLength(tls[t].p, tls[t].n);
        CHECK(tj);
        if (cJSON_GetObjectItemCaseSensitive(tj, "entry")) { /* ollama's: no config to load */
            cJSON_Delete(tj);
            continue;
        }
        configs++;
        const char *id = cJSON_GetObjectItemCaseSensitive(tj, "id")->valuestring;
        const cJSON *tn = cJSON_GetObjectItemCaseSensitive(tj, "template_name");
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", test_hf_dir(),
                 cJSON_GetObjectItemCaseSensitive(tj, "file")->valuestring);
        size_t n;
        char *cfg = read_file(path, &n);
        CHECK_MSG(cfg, "%s is missing (make hf-vocabs)", path);
        tok_chat_template *ct = NULL;
        tok_error err;
        CHECK_MSG(tok_chat_template_load(cfg, n, path, cJSON_IsString(tn) ? tn->valuestring : NULL,
                                         &ct, &err) == TOK_OK,
                  "%s: %s", id, err.message);
        free(cfg);
        tok_tokenizer *tok = tokenizer_for(tj, &tok_cache, &tok_cache_name);
        for (size_t c = 0; c < nc; c++) {
            cJSON *gj = cJSON_ParseWithLength(gls[t * nc + c].p, gls[t * nc + c].n);
            const cJSON *gt = cJSON_GetObjectItemCaseSensitive(gj, "text");
            const cJSON *ge = cJSON_GetObjectItemCaseSensitive(gj, "error");
            const cJSON *gids = cJSON_GetObjectItemCaseSensitive(gj, "ids");
            char *body = request_body(cls[c].p, cls[c].n);
            span vars = member(cls[c].p, cls[c].n, "vars");
            span agp = member(cls[c].p, cls[c].n, "add_generation_prompt");
            tok_chat_template_options o = {0};
            o.no_generation_prompt = !(agp.p && agp.n == 4 && !memcmp(agp.p, "true", 4));
            o.vars = vars.p;
            o.vars_len = vars.n;
            o.now = (int64_t)timegm(&now);
            char *out = NULL;
            size_t out_len = 0;
            tok_status st = tok_chat_template_render(ct, &o, body, strlen(body), &out, &out_len,
                                                     &err);
            bool ok;
            if (cJSON_IsString(gt)) {
                ok = st == TOK_OK && out_len == strlen(gt->valuestring) &&
                     !memcmp(out, gt->valuestring, out_len);
                rendered += ok;
                if (ok && cJSON_IsArray(gids) && tok) {
                    size_t count = 0;
                    ok = tok_chat_template_count(ct, tok, &o, body, strlen(body), &count, &err) ==
                             TOK_OK &&
                         count == (size_t)cJSON_GetArraySize(gids);
                    counted += ok;
                }
            } else {
                const char *type = cJSON_GetObjectItemCaseSensitive(ge, "type")->valuestring;
                const char *msg = cJSON_GetObjectItemCaseSensitive(ge, "message")->valuestring;
                ok = st == TOK_EINVAL;
                if (!strcmp(type, "TemplateError")) /* the template's own words */
                    ok &= strstr(err.message, msg) != NULL;
                refused += ok;
            }
            if (!ok && ++bad <= 20)
                fprintf(stderr, "  %s x %s: %s\n", id,
                        cJSON_GetObjectItemCaseSensitive(gj, "conversation")->valuestring,
                        st ? err.message : "a different rendering or count");
            tok_free(out);
            free(body);
            cJSON_Delete(gj);
        }
        tok_chat_template_free(ct);
        cJSON_Delete(tj);
    }
    fprintf(stderr, "  chat template API: %zu configs; %zu renderings, %zu counts equal to "
                    "len(apply_chat_template(tokenize=True)), %zu refusals as transformers'\n",
            configs, rendered, counted, refused);
    tok_close(tok_cache);
    free(tok_cache_name);
    free(tls);
    free(cls);
    free(gls);
    free(tfile);
    free(cfile);
    free(gfile);
    CHECK(configs >= 15 && counted >= 300);
    CHECK_MSG(bad == 0, "%zu goldens differ through the public API", bad);
}
