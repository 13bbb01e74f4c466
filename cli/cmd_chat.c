/* chat: count a request body -- OpenAI Chat Completions or Responses, Anthropic Messages,
 * Gemini generateContent, or a bare messages array -- the way the API bills its input: per
 * message, per part (framing, system, text, tool definitions, tool calls, images, files, reply),
 * each exact or an estimate with its rule. An open model's Chat Completions conversation is
 * rendered with its own chat template (a tokenizer_config.json: packed with a shipped
 * vocabulary, beside a tokenizer file, or --chat-template) as transformers renders it. The
 * counting is the library's tok_request_count_json and tok_chat_template_*; this file picks the
 * tokenizers and templates, reads the files and prints. */
#include "chat_pick.h"
#include "cli.h"
#include "render.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static int digits(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* ---- rows: the messages, and the request's own parts before and after them ---- */

typedef struct row {
    const char *label; /* the role, or "(start)", "(tools)", ... */
    long index;        /* message index, -1 for the request's own rows */
    uint64_t content, overhead, total;
    bool split;        /* content and overhead are known apart */
    bool exact, unknown;
} row;

#define MAX_EXTRA 8

typedef struct rows {
    row pre[MAX_EXTRA], post[MAX_EXTRA];
    size_t n_pre, n_post;
} rows;

/* The request's own items by where they are read: before the messages (framing, system:
 * harmony's system message, Llama 3's <|begin_of_text|>) or after them. */
static const char *extra_label(tok_request_part_kind k, bool *before)
{
    *before = k == TOK_PART_FRAMING || k == TOK_PART_SYSTEM;
    switch (k) {
    case TOK_PART_FRAMING: case TOK_PART_SYSTEM: return "(start)";
    case TOK_PART_TOOL_DEFS: case TOK_PART_TOOL_CALLS: return "(tools)";
    case TOK_PART_IMAGES: return "(images)";
    case TOK_PART_FILES: return "(files)";
    case TOK_PART_TEXT: return "(text)";
    default: return "(reply)";
    }
}

static void extra_rows(const tok_request_count *rc, rows *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < rc->n_items; i++) {
        const tok_request_item *it = &rc->items[i];
        if (it->message >= 0)
            continue;
        bool before;
        const char *l = extra_label(it->kind, &before);
        row *list = before ? out->pre : out->post;
        size_t *n = before ? &out->n_pre : &out->n_post, k = 0;
        while (k < *n && strcmp(list[k].label, l))
            k++;
        if (k == *n) {
            if (*n == MAX_EXTRA)
                continue;
            list[(*n)++] = (row){l, -1, 0, 0, 0, false, true, false};
        }
        list[k].total += it->tokens;
        list[k].exact &= it->exact;
        list[k].unknown |= it->unknown;
    }
    /* the reply last */
    for (size_t k = 0; k + 1 < out->n_post; k++)
        if (!strcmp(out->post[k].label, "(reply)")) {
            row t = out->post[k];
            memmove(out->post + k, out->post + k + 1, (out->n_post - k - 1) * sizeof t);
            out->post[out->n_post - 1] = t;
            break;
        }
}

static const char *api_title(tok_request_api api)
{
    switch (api) {
    case TOK_REQUEST_OPENAI_RESPONSES: return "OpenAI Responses";
    case TOK_REQUEST_ANTHROPIC: return "Anthropic Messages";
    case TOK_REQUEST_GEMINI: return "Gemini generateContent";
    default: return "OpenAI Chat Completions";
    }
}

static const char *part_title(tok_request_part_kind k)
{
    static const char *const t[TOK_PART_COUNT_] = {
        "framing", "system", "text", "tool definitions", "tool calls", "images", "files", "reply"};
    return (unsigned)k < TOK_PART_COUNT_ ? t[k] : "?";
}

/* "12", "~12", ">=12"; "?" for nothing but unknowns */
static const char *cell(uint64_t v, bool exact, bool complete, char *buf, size_t cap)
{
    if (!complete && !v)
        snprintf(buf, cap, "?");
    else
        snprintf(buf, cap, "%s%s%llu", complete ? "" : ">=", exact ? "" : "~",
                 (unsigned long long)v);
    return buf;
}

/* "gpt-4o: openai with o200k_base (3 per message, 1 per name, 3 for the reply), exact" */
static void print_header(const tok_choice *ch, const tok_request_count *rc)
{
    printf("%s: ", ch->label);
    if (!strcmp(rc->convention, "template"))
        fputs("chat template", stdout);
    else if (!strcmp(rc->convention, "gemini") && rc->api != TOK_REQUEST_GEMINI)
        printf("%s through Gemini's OpenAI-compatible endpoint", api_title(rc->api));
    else if (rc->api == TOK_REQUEST_OPENAI_CHAT)
        fputs(rc->convention, stdout);
    else if (rc->api == TOK_REQUEST_OPENAI_RESPONSES)
        printf("%s as %s", api_title(rc->api), rc->convention);
    else
        fputs(api_title(rc->api), stdout);
    if (strcmp(ch->arg, tok_name(ch->tok)) != 0)
        printf(" with %s", shown_name(tok_name(ch->tok)));
    if (!strcmp(rc->convention, "openai"))
        printf(" (%d per message, %d per name, %llu for the reply)", rc->tokens_per_message,
               rc->tokens_per_name, (unsigned long long)rc->parts[TOK_PART_REPLY].tokens);
    if (ch->estimate) {
        char f[32];
        tok_decimal_format(ch->model->approx_factor, 6, f, sizeof f);
        printf(", text x %s (range %llu-%llu)", f, (unsigned long long)rc->total_low,
               (unsigned long long)rc->total_high);
    }
    if (rc->exact)
        fputs(", exact\n", stdout);
    else
        printf(", %s: %s\n", rc->complete ? "estimate" : "incomplete",
               rc->note ? rc->note : "see the parts");
}

static void print_parts(const tok_request_count *rc)
{
    int w = digits(rc->total) + 3;
    if (w < 6)
        w = 6;
    printf("%-17s %*s  %-8s %s\n", "part", w, "tokens", "label", "rule");
    for (int k = 0; k < TOK_PART_COUNT_; k++) {
        const tok_request_part *p = &rc->parts[k];
        if (!p->n_items)
            continue;
        char c[40];
        const char *lab = p->n_unknown ? "unknown" : p->exact ? "exact" : "estimate";
        printf("%-17s %*s  %-8s %s\n", part_title((tok_request_part_kind)k), w,
               cell(p->tokens, p->exact, !p->n_unknown, c, sizeof c), lab,
               p->source ? p->source : "");
    }
    for (size_t i = 0; i < rc->n_items; i++) {
        const tok_request_item *it = &rc->items[i];
        if (it->unknown)
            printf("? %s%s%s: %s\n", it->path[0] ? it->path : "", it->path[0] ? " " : "",
                   it->what, it->source);
    }
}

/* One tokenizer: content, overhead and tokens per message, then the parts. */
static void print_one(const tok_choice *ch, const tok_request_count *rc)
{
    print_header(ch, rc);
    rows x;
    extra_rows(rc, &x);
    int rw = 9;
    for (size_t i = 0; i < rc->n_messages; i++)
        if ((int)strlen(rc->messages[i].role) > rw)
            rw = (int)strlen(rc->messages[i].role);
    int iw = digits(rc->n_messages ? rc->n_messages - 1 : 0);
    int w = digits(rc->total) + 3 > 7 ? digits(rc->total) + 3 : 7;
    printf("%*s  %-*s %*s %*s %*s\n", iw, "#", rw, "role", w, "content", w + 1, "overhead", w,
           "tokens");
    char a[40], b[40], c[40];
    for (size_t k = 0; k < x.n_pre; k++)
        printf("%*s  %-*s %*s %*s %*s\n", iw, "", rw, x.pre[k].label, w, "", w + 1, "", w,
               cell(x.pre[k].total, x.pre[k].exact, !x.pre[k].unknown, c, sizeof c));
    for (size_t i = 0; i < rc->n_messages; i++) {
        const tok_request_message *m = &rc->messages[i];
        printf("%*zu  %-*s %*s %*s %*s\n", iw, i, rw, m->role, w,
               cell(m->content, m->exact, true, a, sizeof a), w + 1,
               cell(m->overhead, m->exact, true, b, sizeof b), w,
               cell(m->total, m->exact, true, c, sizeof c));
    }
    for (size_t k = 0; k < x.n_post; k++)
        printf("%*s  %-*s %*s %*s %*s\n", iw, "", rw, x.post[k].label, w, "", w + 1, "", w,
               cell(x.post[k].total, x.post[k].exact, !x.post[k].unknown, c, sizeof c));
    printf("%*s  %-*s %*s %*s %*s\n", iw, "", rw, "total", w, "", w + 1, "", w,
           cell(rc->total, rc->exact, rc->complete, c, sizeof c));
    print_parts(rc);
}

/* Several tokenizers: one column of tokens per row each. */
static void print_many(const tok_choices *tc, const tok_request_count *rc)
{
    size_t n = rc[0].n_messages;
    int rw = 9, w[MAX_CHOICES];
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(rc[0].messages[i].role) > rw)
            rw = (int)strlen(rc[0].messages[i].role);
    int iw = digits(n ? n - 1 : 0);
    rows x[MAX_CHOICES];
    for (size_t k = 0; k < tc->n; k++) {
        extra_rows(&rc[k], &x[k]);
        w[k] = (int)strlen(tc->v[k].label);
        if (digits(rc[k].total) + 3 > w[k])
            w[k] = digits(rc[k].total) + 3;
        if (w[k] < 7)
            w[k] = 7;
        print_header(&tc->v[k], &rc[k]);
    }
    printf("%*s  %-*s", iw, "#", rw, "role");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*s", w[k], tc->v[k].label);
    putchar('\n');
    char c[40];
    /* the request's own rows, by label, across the tokenizers */
    for (int pass = 0; pass < 2; pass++) {
        const char *seen[2 * MAX_EXTRA];
        size_t n_seen = 0;
        for (size_t k = 0; k < tc->n; k++) {
            const row *list = pass ? x[k].post : x[k].pre;
            size_t nl = pass ? x[k].n_post : x[k].n_pre;
            for (size_t j = 0; j < nl; j++) {
                bool dup = false;
                for (size_t s = 0; s < n_seen; s++)
                    dup |= !strcmp(seen[s], list[j].label);
                if (!dup && n_seen < 2 * MAX_EXTRA)
                    seen[n_seen++] = list[j].label;
            }
        }
        if (pass == 1) /* the reply last */
            for (size_t s = 0; s + 1 < n_seen; s++)
                if (!strcmp(seen[s], "(reply)")) {
                    memmove(seen + s, seen + s + 1, (n_seen - s - 1) * sizeof *seen);
                    seen[n_seen - 1] = "(reply)";
                    break;
                }
        if (pass == 1) {
            for (size_t i = 0; i < n; i++) {
                printf("%*zu  %-*s", iw, i, rw, rc[0].messages[i].role);
                for (size_t k = 0; k < tc->n; k++) {
                    const tok_request_message *m = &rc[k].messages[i];
                    printf(" %*s", w[k], cell(m->total, m->exact, true, c, sizeof c));
                }
                putchar('\n');
            }
        }
        for (size_t s = 0; s < n_seen; s++) {
            printf("%*s  %-*s", iw, "", rw, seen[s]);
            for (size_t k = 0; k < tc->n; k++) {
                const row *list = pass ? x[k].post : x[k].pre;
                size_t nl = pass ? x[k].n_post : x[k].n_pre, j = 0;
                while (j < nl && strcmp(list[j].label, seen[s]))
                    j++;
                if (j < nl)
                    printf(" %*s", w[k], cell(list[j].total, list[j].exact, !list[j].unknown, c,
                                              sizeof c));
                else
                    printf(" %*d", w[k], 0);
            }
            putchar('\n');
        }
    }
    printf("%*s  %-*s", iw, "", rw, "total");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*s", w[k], cell(rc[k].total, rc[k].exact, rc[k].complete, c, sizeof c));
    putchar('\n');
}

static void json_text(const char *s)
{
    if (s)
        json_str(stdout, s, strlen(s));
    else
        fputs("null", stdout);
}

static void print_json(const char *file, const tok_choice *ch, const tok_request_count *rc,
                       const tok_chat_template *t)
{
    fputs("{\"file\":", stdout);
    json_text(file);
    fputs(",\"name\":", stdout);
    json_text(ch->arg);
    fputs(",\"model\":", stdout);
    json_text(rc->model);
    fputs(",\"tokenizer\":", stdout);
    json_text(tok_name(ch->tok));
    printf(",\"api\":\"%s\",\"convention\":\"%s\",\"exact\":%s,\"complete\":%s,\"total\":%llu,"
           "\"total_low\":%llu,\"total_high\":%llu,\"prefix\":%llu,\"reply\":%llu",
           tok_request_api_name(rc->api), rc->convention, rc->exact ? "true" : "false",
           rc->complete ? "true" : "false", (unsigned long long)rc->total,
           (unsigned long long)rc->total_low, (unsigned long long)rc->total_high,
           (unsigned long long)rc->prefix, (unsigned long long)rc->parts[TOK_PART_REPLY].tokens);
    if (!strcmp(rc->convention, "openai"))
        printf(",\"tokens_per_message\":%d,\"tokens_per_name\":%d", rc->tokens_per_message,
               rc->tokens_per_name);
    if (!strcmp(rc->convention, "template")) {
        fputs(",\"chat_template\":", stdout);
        json_text(tok_chat_template_label(t));
    }
    if (ch->estimate) {
        char a[32], b[32], c[32];
        const tok_model *m = ch->model;
        fputs(",\"estimate\":{\"why\":", stdout);
        json_text(ch->why);
        fputs(",\"proxy\":", stdout);
        json_text(m->approx_encoding);
        tok_decimal_format(m->approx_factor, 6, a, sizeof a);
        tok_decimal_format(m->approx_low, 6, b, sizeof b);
        tok_decimal_format(m->approx_high, 6, c, sizeof c);
        printf(",\"factor\":%s,\"factor_low\":%s,\"factor_high\":%s,\"basis\":", a, b, c);
        json_text(m->basis);
        fputc('}', stdout);
    }
    fputs(",\"parts\":{", stdout);
    for (int k = 0; k < TOK_PART_COUNT_; k++) {
        const tok_request_part *p = &rc->parts[k];
        printf("%s\"%s\":{\"tokens\":%llu,\"exact\":%s,\"items\":%zu,\"unknown\":%zu,\"source\":",
               k ? "," : "", tok_request_part_name((tok_request_part_kind)k),
               (unsigned long long)p->tokens, p->exact ? "true" : "false", p->n_items,
               p->n_unknown);
        json_text(p->source);
        fputc('}', stdout);
    }
    fputs("},\"messages\":[", stdout);
    for (size_t i = 0; i < rc->n_messages; i++) {
        const tok_request_message *m = &rc->messages[i];
        printf("%s{\"index\":%zu,\"role\":", i ? "," : "", i);
        json_text(m->role);
        fputs(",\"path\":", stdout);
        json_text(m->path);
        printf(",\"content\":%llu,\"overhead\":%llu,\"tokens\":%llu,\"exact\":%s}",
               (unsigned long long)m->content, (unsigned long long)m->overhead,
               (unsigned long long)m->total, m->exact ? "true" : "false");
    }
    fputs("],\"items\":[", stdout);
    for (size_t i = 0; i < rc->n_items; i++) {
        const tok_request_item *it = &rc->items[i];
        printf("%s{\"part\":\"%s\",\"message\":", i ? "," : "", tok_request_part_name(it->kind));
        if (it->message >= 0)
            printf("%lld", (long long)it->message);
        else
            fputs("null", stdout);
        fputs(",\"path\":", stdout);
        json_text(it->path);
        fputs(",\"what\":", stdout);
        json_text(it->what);
        printf(",\"tokens\":%llu,\"counted\":%llu,\"exact\":%s,\"unknown\":%s,\"source\":",
               (unsigned long long)it->tokens, (unsigned long long)it->counted,
               it->exact ? "true" : "false", it->unknown ? "true" : "false");
        json_text(it->source);
        fputc('}', stdout);
    }
    fputs("],\"note\":", stdout);
    json_text(rc->note);
    fputs("}\n", stdout);
}

/* What the body says before counting: its "model", and whether it is a Gemini body (whose
 * model is in the URL, not the body). */
static char *body_model(const input *in, bool *gemini)
{
    cJSON *j = cJSON_ParseWithLength(in->data, in->len);
    char *m = NULL;
    *gemini = false;
    if (j && cJSON_IsObject(j)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "model");
        if (cJSON_IsString(v) && v->valuestring[0])
            m = strdup(v->valuestring);
        *gemini = cJSON_GetObjectItemCaseSensitive(j, "contents") != NULL ||
                  cJSON_GetObjectItemCaseSensitive(j, "systemInstruction") != NULL;
    }
    cJSON_Delete(j);
    return m;
}

static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long w = strtoul(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X') || w == 0 || w > 0xFFFFFFFFul)
        return false;
    const char *h0 = end + 1;
    unsigned long h = strtoul(h0, &end, 10);
    if (end == h0 || *end || h == 0 || h > 0xFFFFFFFFul || s[0] == '-' || h0[0] == '-')
        return false;
    *out = (uint64_t)w << 32 | h;
    return true;
}

static const char *const apis[] = {"openai", "responses", "anthropic", "gemini"};

/* --var KEY=JSON ... as the JSON object of template keyword arguments, each value as written
 * (1.0 stays a float); NULL after a usage error. */
static char *template_vars(const cli_args *a, bool *failed)
{
    const char *v[64];
    size_t n = cli_list(a, "var", v, 64);
    *failed = false;
    if (!n)
        return NULL;
    sbuf b = {0};
    sb_puts(&b, "{");
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(v[i], '=');
        cJSON *j = eq ? cJSON_ParseWithOpts(eq + 1, NULL, 1) : NULL; /* nothing after it */
        if (!eq || eq == v[i] || !j) {
            cJSON_Delete(j);
            sb_free(&b);
            *failed = true;
            cli_usage_error(a, "--var %s: expected KEY=JSON, e.g. enable_thinking=false or "
                               "date_string='\"26 Jul 2024\"' (a string value needs its quotes)",
                            shown_name(v[i]));
            return NULL;
        }
        cJSON_Delete(j);
        char *key = strndup(v[i], (size_t)(eq - v[i]));
        cJSON *k = key ? cJSON_CreateString(key) : NULL;
        char *kj = k ? cJSON_PrintUnformatted(k) : NULL;
        if (!kj) {
            warnx_("out of memory");
            exit(EXIT_BAD);
        }
        sb_printf(&b, "%s%s:%s", i ? "," : "", kj, eq + 1);
        cJSON_free(kj);
        cJSON_Delete(k);
        free(key);
    }
    sb_puts(&b, "}");
    return b.p;
}

/* Models behind an API are billed by the API's own framing; a built-in encoding or an estimate
 * has no template either. */
static bool api_model(const tok_choice *ch)
{
    return ch->kind == 'e' || ch->estimate || chat_api_model(ch->model);
}

/* The chat template a choice renders with (chat_pick.c); *t NULL when none. */
static bool choice_template(const tok_choice *ch, const char *name, tok_chat_template **t)
{
    *t = NULL;
    return api_model(ch) ||
           chat_pick_template(ch->tok, ch->kind == 't' ? ch->arg : NULL, ch->label, name, t);
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    const char *tmpl = cli_text(a, "template");
    bool json = cli_flag(a, "json"), has_limit = cli_flag(a, "limit");
    uint64_t limit = cli_number(a, "limit", 0), size = cli_number(a, "image-size", 0);
    tok_request_api api = TOK_REQUEST_DETECT;
    if (cli_flag(a, "api"))
        tok_request_api_parse(apis[cli_choice(a, "api", 0)], &api);
    if (a->n_pos > 1)
        return cli_usage_error(a, "one request file at a time, not %zu", a->n_pos);
    const char *ct_path = cli_text(a, "chat-template"), *ct_name = cli_text(a, "template-name");
    bool render = cli_flag(a, "render"), no_gen = cli_flag(a, "no-generation-prompt");
    bool bad_vars;
    char *vars = template_vars(a, &bad_vars);
    if (bad_vars)
        return EXIT_BAD;
    bool template_opts = ct_path || ct_name || render || no_gen || vars;
    if (tmpl && template_opts) {
        free(vars);
        return cli_usage_error(a, "--template names a fixed convention; --chat-template, "
                                  "--template-name, --render, --no-generation-prompt and --var "
                                  "are for a model's own chat template");
    }
    const char *path = a->n_pos ? a->pos[0] : "-";
    const char *label = strcmp(path, "-") ? path : "<stdin>";
    input in;
    if (!read_input(path, &in)) {
        free(vars);
        return EXIT_BAD;
    }
    char *dflt = NULL, *dir = NULL;
    if (tc.n == 0) { /* the request's own model, else gpt-4o */
        bool gemini;
        dflt = body_model(&in, &gemini);
        if (!dflt && gemini && (api == TOK_REQUEST_DETECT || api == TOK_REQUEST_GEMINI)) {
            input_free(&in);
            return cli_usage_error(a, "a Gemini body does not name its model (it is in the URL): "
                                      "give one with -m, e.g. -m gemini-2.5-flash");
        }
        choices_add(&tc, 'm', dflt ? dflt : "gpt-4o");
    }
    tok_chat_template *tpl[MAX_CHOICES] = {0}, *given = NULL;
    bool any_tpl = false, ok = choices_open(&tc, "o200k_base");
    if (ok && ct_path) {
        input cfg;
        tok_error err;
        ok = read_input(ct_path, &cfg);
        if (ok && tok_chat_template_load(cfg.data, cfg.len, ct_path, ct_name, &given, &err)) {
            warn_err(ct_path, &err);
            ok = false;
        }
        if (cfg.data)
            input_free(&cfg);
    }
    for (size_t k = 0; ok && k < tc.n; k++) {
        if (given)
            tpl[k] = given;
        else if (!tmpl)
            ok = choice_template(&tc.v[k], ct_name, &tpl[k]);
        any_tpl |= tpl[k] != NULL;
    }
    int status = EXIT_OK;
    if (ok && template_opts && !any_tpl)
        status = cli_usage_error(a, "no chat template to render with: the tokenizer carries "
                                    "none and no tokenizer_config.json is beside it; give one "
                                    "with --chat-template FILE");
    else if (ok && render && tc.n != 1)
        status = cli_usage_error(a, "--render shows one rendering: give one tokenizer");
    if (!ok || status != EXIT_OK) {
        for (size_t k = 0; k < tc.n; k++)
            if (tpl[k] != given)
                tok_chat_template_free(tpl[k]);
        tok_chat_template_free(given);
        choices_close(&tc);
        input_free(&in);
        free(dflt);
        free(vars);
        return EXIT_BAD;
    }
    tok_chat_template_options topt = {0};
    topt.no_generation_prompt = no_gen;
    topt.vars = vars;
    topt.vars_len = vars ? strlen(vars) : 0;
    /* local images are read from beside the request file */
    if (strcmp(path, "-") && strchr(path, '/')) {
        dir = strdup(path);
        if (dir)
            *strrchr(dir, '/') = 0;
    }
    tok_request_count *rc = render ? NULL : calloc(tc.n, sizeof *rc);
    if (render) { /* the text the template gives, byte for byte */
        char *text;
        size_t n;
        tok_error err;
        if (tok_chat_template_render(tpl[0], &topt, in.data, in.len, &text, &n, &err)) {
            warn_err(label, &err);
            status = EXIT_BAD;
        } else {
            fwrite(text, 1, n, stdout);
            check_stdout();
            tok_free(text);
        }
    } else if (!rc) {
        status = EXIT_BAD;
    }
    for (size_t k = 0; rc && k < tc.n; k++) {
        const tok_choice *ch = &tc.v[k];
        tok_request_options o = {0};
        o.model = ch->kind == 'm' ? ch->arg : NULL;
        o.registry_model = ch->model;
        o.estimate = ch->estimate;
        o.api = api;
        o.convention = tmpl;
        o.image_width = (uint32_t)(size >> 32);
        o.image_height = (uint32_t)size;
        o.read_image_files = true;
        o.image_dir = dir && dir[0] ? dir : (dir ? "/" : NULL);
        o.chat_template = tpl[k];
        o.chat_template_options = &topt;
        tok_error err;
        if (tok_request_count_json(ch->tok, &o, in.data, in.len, &rc[k], &err) != TOK_OK) {
            warn_err(label, &err);
            status = EXIT_BAD;
            break;
        }
        if (given && strcmp(rc[k].convention, "template")) {
            warnx_("%s: --chat-template renders Chat Completions messages; this is %s %s body",
                   shown_name(label), rc[k].api == TOK_REQUEST_GEMINI ? "a" : "an",
                   api_title(rc[k].api));
            status = EXIT_BAD;
            break;
        }
    }
    if (!rc && !render)
        warnx_("out of memory");
    if (status == EXIT_OK && rc) {
        if (json)
            for (size_t k = 0; k < tc.n; k++)
                print_json(strcmp(path, "-") ? path : "-", &tc.v[k], &rc[k], tpl[k]);
        else if (tc.n == 1)
            print_one(&tc.v[0], &rc[0]);
        else
            print_many(&tc, rc);
        check_stdout();
        for (size_t k = 0; has_limit && k < tc.n; k++)
            if (rc[k].total > limit) {
                warnx_("%s: %s%llu tokens (%s) is over the limit of %llu", shown_name(label),
                       rc[k].exact ? "" : "~", (unsigned long long)rc[k].total, tc.v[k].label,
                       (unsigned long long)limit);
                status = EXIT_OVER;
            }
    }
    for (size_t k = 0; rc && k < tc.n; k++)
        tok_request_count_free(&rc[k]);
    free(rc);
    for (size_t k = 0; k < tc.n; k++)
        if (tpl[k] != given)
            tok_chat_template_free(tpl[k]);
    tok_chat_template_free(given);
    choices_close(&tc);
    input_free(&in);
    free(dflt);
    free(dir);
    free(vars);
    return status;
}

static const cli_opt opts[] = {
    {"model", 'm', "MODEL", CLI_TOKENIZER,
     .help = "the model (gpt-4o, gpt-oss-20b, claude-sonnet-4-5, gemini-2.5-pro,\n"
             "...; tokscope models lists them) (default: the request's \"model\",\n"
             "else gpt-4o; repeatable)",
     .values = CLI_V_MODEL},
    {"encoding", 'e', "NAME", CLI_TOKENIZER, .help = "built-in encoding (repeatable)",
     .values = CLI_V_ENCODING},
    {"tokenizer", 't', "PATH", CLI_TOKENIZER,
     .help = "tokenizer file, e.g. a tokenizer.json (repeatable)", .values = CLI_V_FILE},
    {"api", 0, "API", CLI_CHOICE,
     .help = "the API the body is written for, instead of the one its shape\n"
             "shows: openai (Chat Completions), responses, anthropic or gemini",
     .choices = "openai|responses|anthropic|gemini"},
    {"template", 0, "NAME", CLI_CHOICE,
     .help = "the chat convention of a Chat Completions or Responses body,\n"
             "instead of the one the model and tokenizer imply: openai,\n"
             "harmony, llama3, chatml or gemini (Gemini's OpenAI-compatible\n"
             "endpoint)",
     .choices = "openai|harmony|llama3|chatml|gemini"},
    {"chat-template", 0, "FILE", CLI_TEXT,
     .help = "render with this chat template: a tokenizer_config.json or a bare\n"
             "Jinja file (default: the one the tokenizer's pack carries, or the\n"
             "tokenizer_config.json beside a -t file)",
     .values = CLI_V_FILE},
    {"template-name", 0, "NAME", CLI_TEXT,
     .help = "the config's chat template of that name (\"tool_use\", \"rag\")\n"
             "instead of \"default\""},
    {"render", 0, NULL, CLI_FLAG,
     .help = "print the text the chat template renders, byte for byte, instead\n"
             "of counting it"},
    {"no-generation-prompt", 0, NULL, CLI_FLAG,
     .help = "render without the assistant turn's opening\n"
             "(add_generation_prompt=False)"},
    {"var", 0, "KEY=JSON", CLI_TEXT, .many = 64,
     .help = "a chat template variable, as apply_chat_template's keyword\n"
             "arguments (enable_thinking=false; repeatable)"},
    {"image-size", 0, "WxH", CLI_NUMBER,
     .help = "the size to assume for images given by remote URL or file id\n"
             "(else their tokens are unknown and the total a lower bound)",
     .need = "a size WIDTHxHEIGHT such as 1024x768", .parse = parse_size},
    {"json", 0, NULL, CLI_FLAG,
     .help = "JSON Lines: one object per tokenizer, with every part and item"},
    {"limit", 0, "N", CLI_NUMBER, .help = "exit 1 when a total is over N"},
};

CLI_COMMAND(chat, "[FILE.json]", CLI_V_FILE, "count an API request body the way the API bills it",
            /* usage */
            "chat [OPTIONS] [FILE.json|-]\n",
            /* about */
            "Count the input tokens of an API request body -- OpenAI Chat Completions or Responses,\n"
            "Anthropic Messages, Gemini generateContent (told apart by their shape, or --api), or a\n"
            "JSON array of messages -- the way the API bills it: messages with their framing, tool\n"
            "definitions as the model reads them, tool calls and results, images by the provider's\n"
            "rule (sizes from data: URLs and local files, headers only). Shows each message and each\n"
            "part (framing, system, text, tool definitions, tool calls, images, files, reply), exact\n"
            "or estimated (~) with its rule; what cannot be counted offline is listed (?) and the\n"
            "total is then a lower bound (>=). Reads standard input when no FILE is given.\n"
            "\n"
            "An open model's Chat Completions conversation is rendered with its own chat template --\n"
            "the tokenizer_config.json its shipped vocabulary carries, the one beside a -t file, or\n"
            "--chat-template FILE -- as transformers' apply_chat_template renders it, and counted as\n"
            "with tokenize=True (special-token text matched, no BOS/EOS added); a template that\n"
            "raises stops with its own message.\n",
            /* footer */
            "Exact: OpenAI chat models (cl100k_base, o200k_base) for messages, function messages and\n"
            "calls, function definitions of the measured shapes (reproducing API-measured counts);\n"
            "gpt-oss (harmony rendering); Gemini text as Google's LocalTokenizer counts it; open\n"
            "models' chat templates (checked against Jinja2 in transformers' environment). Estimated:\n"
            "Claude (calibrated text factor, Anthropic's documented tool-use overheads), Responses\n"
            "bodies, tool_calls and role tool, most images. Rules and sources:\n"
            "tests/golden/chat-api/RULES.md.\n"
            "\n"
            "Exit status: 0 ok, 1 over --limit, 2 a usage, file or request error.\n");
