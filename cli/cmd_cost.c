/* cost: how many tokens a prompt is for each model, whether it fits the model's window with
 * room for the answer, and what it costs for one call and for many. Counting, fitting and
 * pricing are the library's (tok_model_*, tok_cost_compute); this file picks tokenizers, reads
 * the input and prints one table, cheapest first. */
#include "chat_pick.h"
#include "cli.h"
#include "pricing.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 64
#define MAX_DIRS 32

typedef struct result {
    const char *arg;     /* as typed */
    const tok_model *m;
    tok_tokenizer *tok;
    bool exact;          /* the tokenizer is the model's own */
    bool user_file;      /* counted with a -t file that could not be checked against the
                            model's tokenizer (not public, or not installed): not scaled, and
                            not called exact */
    bool chat_estimate;  /* --chat: part of the request's count is an estimate */
    bool chat_incomplete; /* --chat: part of the request cannot be counted offline */
    const char *chat_note; /* --chat: why (the first such part's rule; lives in chat) */
    uint64_t chat_low, chat_high; /* --chat: the range of the estimate */
    uint64_t chat_parts[TOK_PART_COUNT_];
    size_t chat_unknown;
    tok_request_count chat;
    tok_chat_template *tpl; /* --chat: the model's own chat template, NULL: none (chat_pick.c) */
    const char *file;       /* the -t file the tokenizer came from, NULL: the model's own */
    const char *tokenizer_name; /* what counted: encoding, file */
    uint64_t raw;        /* the tokenizer's count */
    uint64_t tokens;     /* the model's (scaled when approximate) */
    uint64_t cached, write, output;
    tok_fit fit;
    tok_cost cost;
    size_t order;
} result;

typedef struct cost_opts {
    const char *models[MAX_MODELS];
    size_t n_models;
    const char *tok_args[MAX_MODELS];
    size_t n_tok_args;
    const char *dirs[MAX_DIRS];
    size_t n_dirs;
    const char *prices[MAX_PRICES];
    size_t n_prices;
    uint64_t output_tokens, cached_tokens, write_tokens, calls;
    uint64_t output_ratio, cached_share; /* millionths */
    bool has_output, has_ratio, has_cached, has_share, batch, chat, json, lossy;
    const char *dir; /* --chat: where local images are read from */
} cost_opts;

/* "0.5", "1.25" -> millionths. */
static bool parse_ratio(const char *s, uint64_t *out)
{
    return tok_decimal_parse(s, strlen(s), 6, out) == TOK_OK;
}

/* "0.8" or "80%" -> millionths in [0, 1000000]. */
static bool parse_share(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    bool pct = n && s[n - 1] == '%';
    uint64_t v;
    if (tok_decimal_parse(s, pct ? n - 1 : n, pct ? 4 : 6, &v) != TOK_OK || v > 1000000)
        return false;
    *out = v;
    return true;
}

static int cmp_cost(const void *a, const void *b)
{
    const result *x = a, *y = b;
    if (x->cost.total != y->cost.total)
        return x->cost.total < y->cost.total ? -1 : 1; /* unknown (UINT64_MAX) last */
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The registry model a -t argument "MODEL=PATH" names (its name in name[0..cap)), or NULL
 * when the argument is a bare PATH (or MODEL is no model: then it is a path with '='). */
static const tok_model *arg_model(const tok_registry *reg, const char *a, char *name, size_t cap)
{
    const char *eq = strchr(a, '=');
    const tok_model *tm;
    if (!eq)
        return NULL;
    snprintf(name, cap, "%.*s", (int)(eq - a), a);
    return tok_model_find(reg, name, &tm, NULL) == TOK_OK ? tm : NULL;
}

/* The -t file for model m, or NULL. "MODEL=PATH" names its model; a bare PATH is for the only
 * model. */
static const char *tokenizer_arg(const cost_opts *o, const tok_registry *reg, const tok_model *m,
                                 bool *bad)
{
    for (size_t i = 0; i < o->n_tok_args; i++) {
        const char *a = o->tok_args[i];
        char name[256];
        const tok_model *tm = arg_model(reg, a, name, sizeof name);
        if (tm) {
            if (tm == m)
                return strchr(a, '=') + 1;
            continue;
        }
        if (o->n_models > 1) {
            usage_error("cost", "with several models, -t needs MODEL=PATH ('%s')", a);
            *bad = true;
            return NULL;
        }
        return a;
    }
    return NULL;
}

/* Whether file's tokenizer t is model m's: every id the same bytes as in m's own tokenizer,
 * special tokens aside (a file may register more or fewer of them). 1 same, 0 not (with a
 * message), -1 cannot tell (m's tokenizer is not public or not installed). */
static int same_as_model(const tok_model *m, const tok_tokenizer *t, const char *file,
                         const char *const *dirs, size_t n_dirs)
{
    tok_tokenizer *ref = NULL;
    bool exact = false;
    if (tok_model_open_tokenizer(m, dirs, n_dirs, &ref, &exact, NULL) != TOK_OK || !exact) {
        tok_close(ref);
        return -1;
    }
    uint32_t na = tok_vocab_size(ref), nb = tok_vocab_size(t), n = na > nb ? na : nb, bad = 0;
    bool differ = false;
    for (uint32_t id = 0; id < n && !differ; id++) {
        bool sa = id < na && tok_is_special(ref, id), sb = id < nb && tok_is_special(t, id);
        if (sa || sb)
            continue;
        const char *pa, *pb;
        size_t la, lb;
        bool ha = id < na && tok_token_bytes(ref, id, &pa, &la) == TOK_OK;
        bool hb = id < nb && tok_token_bytes(t, id, &pb, &lb) == TOK_OK;
        differ = ha != hb || (ha && (la != lb || memcmp(pa, pb, la) != 0));
        bad = id;
    }
    if (differ)
        warnx_("%s is not %s's tokenizer (%s): token %u differs (%u ids there, %u in %s); -t "
               "must name the model's own tokenizer file", shown_name(file), m->id,
               tok_name(ref), bad, nb, na, tok_name(ref));
    tok_close(ref);
    return differ ? 0 : 1;
}

/* Count the input for r: plain text, or a conversation with the model's chat format. */
static bool count_one(const cost_opts *o, result *r, const input *in, const char *label)
{
    tok_error err;
    if (o->chat) {
        tok_request_options ro = {0};
        ro.model = r->arg;
        /* the row vouches for the tokenizer only when it is the model's own or its proxy */
        ro.registry_model = r->user_file ? NULL : r->m;
        ro.estimate = !r->exact && !r->user_file; /* the library scales the text */
        ro.read_image_files = true;
        ro.image_dir = o->dir;
        /* the template chat renders with (the model's own, for a model not behind an API),
         * so that both commands count a request the same way */
        tok_chat_template_options topt = {0};
        if ((r->exact || r->user_file) && !chat_api_model(r->m)) {
            if (!chat_pick_template(r->tok, r->file, label, NULL, &r->tpl))
                return false;
            ro.chat_template = r->tpl;
            ro.chat_template_options = &topt;
        }
        tok_request_count *rc = &r->chat;
        if (tok_request_count_json(r->tok, &ro, in->data, in->len, rc, &err) != TOK_OK) {
            warn_err(label, &err);
            if (err.status == TOK_EUNSUPPORTED && !err.where[0])
                warnx_("%s: %s has no chat format tokscope knows; count the text without --chat",
                       shown_name(r->arg), shown_name(r->tokenizer_name));
            return false;
        }
        r->raw = 0;
        for (size_t i = 0; i < rc->n_items; i++)
            r->raw += rc->items[i].counted ? rc->items[i].counted : rc->items[i].tokens;
        r->tokens = rc->total;
        r->chat_estimate = !rc->exact;
        r->chat_incomplete = !rc->complete;
        r->chat_note = rc->note;
        r->chat_low = rc->total_low;
        r->chat_high = rc->total_high;
        for (int k = 0; k < TOK_PART_COUNT_; k++) {
            r->chat_parts[k] = rc->parts[k].tokens;
            r->chat_unknown += rc->parts[k].n_unknown;
        }
        return true;
    } else {
        size_t n;
        tok_encode_options eo = {TOK_SPECIAL_ORDINARY, o->lossy ? TOK_ENCODE_LOSSY_UTF8 : 0};
        if (tok_count(r->tok, in->data, in->len, &eo, &n, &err) != TOK_OK) {
            warn_err(label, &err);
            return false;
        }
        r->raw = n;
    }
    r->tokens = r->exact || r->user_file ? r->raw : tok_model_approx_count(r->m, r->raw);
    return true;
}

/* ---- output ---- */

static void print_table(const cost_opts *o, const result *res, size_t n, const tok_registry *reg)
{
    bool any_cached = false, any_write = false, any_output = false;
    for (size_t i = 0; i < n; i++) {
        any_cached |= res[i].cached > 0;
        any_write |= res[i].write > 0;
        any_output |= res[i].output > 0;
    }
    int mw = 5;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(res[i].m->id) > mw)
            mw = (int)strlen(res[i].m->id);
    char calls_h[40];
    snprintf(calls_h, sizeof calls_h, "%llu calls", (unsigned long long)o->calls);
    printf("%-*s %10s %9s %6s %10s", mw, "model", "tokens", "window", "used", "out left");
    if (any_output)
        printf(" %9s", "output");
    printf(" %11s", "input $");
    if (any_cached)
        printf(" %11s", "cached $");
    if (any_write)
        printf(" %11s", "write $");
    printf(" %11s %11s %12s\n", "output $", "per call $", calls_h);
    for (size_t i = 0; i < n; i++) {
        const result *r = &res[i];
        char tokens[32], window[32], used[16], left[32], a[40], b[40], c[40], d[40], e[40], f[40];
        snprintf(tokens, sizeof tokens, "%s%s%llu", r->chat_incomplete ? ">=" : "",
                 r->exact && !r->chat_estimate ? "" : "~", (unsigned long long)r->tokens);
        if (r->fit.window)
            snprintf(window, sizeof window, "%llu", (unsigned long long)r->fit.window);
        else
            snprintf(window, sizeof window, "?");
        if (r->fit.window)
            snprintf(used, sizeof used, "%u.%u%%", r->fit.used_bp / 100, r->fit.used_bp % 100 / 10);
        else
            snprintf(used, sizeof used, "?");
        if (r->fit.left_for_output == UINT64_MAX)
            snprintf(left, sizeof left, "?");
        else
            snprintf(left, sizeof left, "%llu", (unsigned long long)r->fit.left_for_output);
        printf("%-*s %10s %9s %6s %10s", mw, r->m->id, tokens, window, used, left);
        if (any_output)
            printf(" %9llu", (unsigned long long)r->output);
        printf(" %11s", fmt_usd(r->cost.input, a, sizeof a));
        if (any_cached)
            printf(" %11s", fmt_usd(r->cost.cached_input, b, sizeof b));
        if (any_write)
            printf(" %11s", fmt_usd(r->cost.cache_write, c, sizeof c));
        printf(" %11s %11s %12s%s\n", fmt_usd(r->cost.output, d, sizeof d),
               fmt_usd(r->cost.total, e, sizeof e), fmt_usd_nano(r->cost.total_calls_nano, f, sizeof f),
               r->fit.fits ? "" : "  !");
    }
    /* notes: estimates, tiers, unknown prices, then where the prices come from */
    for (size_t i = 0; i < n; i++) {
        const result *r = &res[i];
        if (r->user_file) {
            printf("~ %s: counted with %s, which could not be checked against %s's own "
                   "tokenizer (%s), so the count is not called exact\n", r->m->id,
                   shown_name(r->tokenizer_name), r->m->id,
                   r->m->tokenizer[0] ? "not installed" : "not public");
        } else if (!r->exact) {
            char fac[32], lo[32], hi[32];
            tok_decimal_format(r->m->approx_factor, 6, fac, sizeof fac);
            uint64_t low, high;
            tok_model_approx_range(r->m, r->raw, &low, &high);
            if (o->chat)
                low = r->chat_low, high = r->chat_high;
            tok_decimal_format(r->m->approx_low, 6, lo, sizeof lo);
            tok_decimal_format(r->m->approx_high, 6, hi, sizeof hi);
            if (r->m->tokenizer[0])
                printf("~ %s: estimated as %s tokens x %s (range %llu-%llu tokens, x%s-%s); its "
                       "vocabulary %s is not installed (make vocabs, or --tokenizer-dir)\n",
                       r->m->id, r->tokenizer_name, fac, (unsigned long long)low,
                       (unsigned long long)high, lo, hi, r->m->tokenizer);
            else
                printf("~ %s: estimated as %s tokens x %s (range %llu-%llu tokens, x%s-%s; no "
                       "public tokenizer)\n", r->m->id, r->tokenizer_name, fac,
                       (unsigned long long)low, (unsigned long long)high, lo, hi);
        }
        if (o->chat) {
            static const char *const names[TOK_PART_COUNT_] = {
                "framing", "system", "text", "tool definitions", "tool calls", "images", "files",
                "reply"};
            printf("  %s: the request's parts:", r->m->id);
            bool first = true;
            for (int k = 0; k < TOK_PART_COUNT_; k++)
                if (r->chat_parts[k] || r->chat.parts[k].n_items) {
                    printf("%s %s %llu", first ? "" : ",", names[k],
                           (unsigned long long)r->chat_parts[k]);
                    first = false;
                }
            puts(" (tokscope chat shows each)");
        }
        if (r->chat_incomplete)
            printf("? %s: %zu part%s of the request cannot be counted offline (tokscope chat lists "
                   "them): the input is at least %llu tokens\n", r->m->id, r->chat_unknown,
                   r->chat_unknown == 1 ? "" : "s", (unsigned long long)r->tokens);
        else if (r->chat_estimate && (r->exact || r->user_file))
            printf("~ %s: part of the request is an estimate: %s\n", r->m->id,
                   r->chat_note ? r->chat_note : "see tokscope chat");
        if (r->cost.tier) {
            char p1[32], p2[32];
            printf("  %s: the input is over %llu tokens: long-context prices (input $%s, "
                   "output $%s per 1M)\n", r->m->id, (unsigned long long)r->cost.tier->above,
                   fmt_per_million(r->cost.prices.input, p1, sizeof p1),
                   fmt_per_million(r->cost.prices.output, p2, sizeof p2));
        }
        if (r->cost.total == TOK_COST_UNKNOWN) {
            const char *what = r->cost.input == TOK_COST_UNKNOWN        ? "input"
                               : r->cost.cached_input == TOK_COST_UNKNOWN ? "cached input"
                               : r->cost.cache_write == TOK_COST_UNKNOWN  ? "cache write"
                                                                          : "output";
            printf("? %s: no published %s%s price%s\n", r->m->id, o->batch ? "batch " : "",
                   what, r->cost.tier ? " for long inputs" : "");
        }
    }
    fputs("Prices: ", stdout);
    describe_sources(reg, stdout);
    puts(" (tokscope models shows them)");
}

static void json_u64_or_null(uint64_t v, uint64_t null_value)
{
    if (v == null_value)
        fputs("null", stdout);
    else
        printf("%llu", (unsigned long long)v);
}

static void print_json(const cost_opts *o, const result *res, size_t n, const tok_registry *reg,
                       const char *file, size_t bytes)
{
    fputs("{\"file\":", stdout);
    json_str(stdout, file, strlen(file));
    printf(",\"bytes\":%zu,\"chat\":%s,\"batch\":%s,\"calls\":%llu,", bytes,
           o->chat ? "true" : "false", o->batch ? "true" : "false", (unsigned long long)o->calls);
    json_registry_sources(stdout, reg);
    fputs(",\"models\":[", stdout);
    for (size_t i = 0; i < n; i++) {
        const result *r = &res[i];
        const tok_model *m = r->m;
        fputs(i ? ",{\"model\":" : "{\"model\":", stdout);
        json_str(stdout, r->arg, strlen(r->arg));
        fputs(",\"id\":", stdout);
        json_str(stdout, m->id, strlen(m->id));
        fputs(",\"provider\":", stdout);
        json_str(stdout, m->provider, strlen(m->provider));
        fputs(",\"tokenizer\":", stdout);
        json_str(stdout, r->tokenizer_name, strlen(r->tokenizer_name));
        printf(",\"exact\":%s,\"approx_factor\":", r->exact && !r->chat_estimate ? "true" : "false");
        if (o->chat && r->chat_estimate) {
            char fac[32], lo[32], hi[32];
            tok_decimal_format(m->approx_factor, 6, fac, sizeof fac);
            tok_decimal_format(m->approx_low, 6, lo, sizeof lo);
            tok_decimal_format(m->approx_high, 6, hi, sizeof hi);
            if (r->exact || r->user_file)
                fputs("null", stdout);
            else
                printf("%s,\"approx_factor_low\":%s,\"approx_factor_high\":%s", fac, lo, hi);
            printf(",\"input_tokens_low\":%llu,\"input_tokens_high\":%llu",
                   (unsigned long long)r->chat_low, (unsigned long long)r->chat_high);
        } else if (r->exact || r->user_file)
            fputs("null", stdout);
        else {
            char fac[32], lo[32], hi[32];
            uint64_t low, high;
            tok_model_approx_range(m, r->raw, &low, &high);
            tok_decimal_format(m->approx_factor, 6, fac, sizeof fac);
            tok_decimal_format(m->approx_low, 6, lo, sizeof lo);
            tok_decimal_format(m->approx_high, 6, hi, sizeof hi);
            printf("%s,\"approx_factor_low\":%s,\"approx_factor_high\":%s,"
                   "\"input_tokens_low\":%llu,\"input_tokens_high\":%llu",
                   fac, lo, hi, (unsigned long long)low, (unsigned long long)high);
        }
        fputs(",\"basis\":", stdout);
        json_str(stdout, m->basis, strlen(m->basis));
        if (o->chat) {
            fputs(",\"chat\":{\"complete\":", stdout);
            fputs(r->chat_incomplete ? "false" : "true", stdout);
            fputs(",\"note\":", stdout);
            if (r->chat_note)
                json_str(stdout, r->chat_note, strlen(r->chat_note));
            else
                fputs("null", stdout);
            fputs(",\"parts\":{", stdout);
            for (int k = 0; k < TOK_PART_COUNT_; k++)
                printf("%s\"%s\":{\"tokens\":%llu,\"exact\":%s,\"unknown\":%zu}", k ? "," : "",
                       tok_request_part_name((tok_request_part_kind)k),
                       (unsigned long long)r->chat.parts[k].tokens,
                       r->chat.parts[k].exact ? "true" : "false", r->chat.parts[k].n_unknown);
            fputs("}}", stdout);
        }
        printf(",\"counted_tokens\":%llu,\"input_tokens\":%llu,\"cached_tokens\":%llu,"
               "\"cache_write_tokens\":%llu,\"output_tokens\":%llu",
               (unsigned long long)r->raw, (unsigned long long)r->tokens,
               (unsigned long long)r->cached, (unsigned long long)r->write,
               (unsigned long long)r->output);
        fputs(",\"max_input\":", stdout);
        json_u64_or_null(m->max_input, 0);
        fputs(",\"context\":", stdout);
        json_u64_or_null(m->context, 0);
        fputs(",\"max_output\":", stdout);
        json_u64_or_null(m->max_output, 0);
        fputs(",\"window_used_percent\":", stdout);
        if (m->max_input)
            printf("%u.%02u", r->fit.used_bp / 100, r->fit.used_bp % 100);
        else
            fputs("null", stdout);
        fputs(",\"left_for_output\":", stdout);
        json_u64_or_null(r->fit.left_for_output, UINT64_MAX);
        printf(",\"fits\":%s,\"why\":", r->fit.fits ? "true" : "false");
        if (r->fit.why)
            json_str(stdout, r->fit.why, strlen(r->fit.why));
        else
            fputs("null", stdout);
        fputs(",\"tier_above\":", stdout);
        if (r->cost.tier)
            printf("%llu", (unsigned long long)r->cost.tier->above);
        else
            fputs("null", stdout);
        fputs(",\"prices_per_million\":{\"input\":", stdout);
        json_per_million(stdout, r->cost.prices.input);
        fputs(",\"cached_input\":", stdout);
        json_per_million(stdout, r->cost.prices.cached_input);
        fputs(",\"cache_write\":", stdout);
        json_per_million(stdout, r->cost.prices.cache_write);
        fputs(",\"output\":", stdout);
        json_per_million(stdout, r->cost.prices.output);
        fputs("},\"cost\":{\"input\":", stdout);
        json_amount(stdout, r->cost.input);
        fputs(",\"cached_input\":", stdout);
        json_amount(stdout, r->cost.cached_input);
        fputs(",\"cache_write\":", stdout);
        json_amount(stdout, r->cost.cache_write);
        fputs(",\"output\":", stdout);
        json_amount(stdout, r->cost.output);
        fputs(",\"total\":", stdout);
        json_amount(stdout, r->cost.total);
        fputs(",\"calls_total\":", stdout);
        json_amount_nano(stdout, r->cost.total_calls_nano);
        fputs("},\"source\":", stdout);
        json_str(stdout, m->source, strlen(m->source));
        fputs(",\"date\":", stdout);
        json_str(stdout, m->date, strlen(m->date));
        fputs("}", stdout);
    }
    fputs("]}\n", stdout);
}

/* ---- the command ---- */

static int run(const cli_args *a)
{
    cost_opts o = {0};
    o.n_models = cli_list(a, "model", o.models, MAX_MODELS);
    o.n_tok_args = cli_list(a, "tokenizer", o.tok_args, MAX_MODELS);
    o.n_dirs = cli_list(a, "tokenizer-dir", o.dirs, MAX_DIRS);
    o.n_prices = cli_list(a, "prices", o.prices, MAX_PRICES);
    o.has_output = cli_flag(a, "output-tokens");
    o.output_tokens = cli_number(a, "output-tokens", 0);
    o.has_ratio = cli_flag(a, "output-ratio");
    o.output_ratio = cli_number(a, "output-ratio", 0);
    o.has_cached = cli_flag(a, "cached-tokens");
    o.cached_tokens = cli_number(a, "cached-tokens", 0);
    o.has_share = cli_flag(a, "cached-share");
    o.cached_share = cli_number(a, "cached-share", 0);
    o.write_tokens = cli_number(a, "cache-write-tokens", 0);
    o.calls = cli_number(a, "calls", 1000);
    o.batch = cli_flag(a, "batch");
    o.chat = cli_flag(a, "chat");
    o.json = cli_flag(a, "json");
    o.lossy = cli_flag(a, "lossy");
    if (o.n_models == 0 && !o.chat)
        return cli_usage_error(a, "name at least one model with -m (tokscope models lists them)");
    if (o.has_output && o.has_ratio)
        return cli_usage_error(a, "--output-tokens and --output-ratio exclude each other");
    if (o.has_cached && o.has_share)
        return cli_usage_error(a, "--cached-tokens and --cached-share exclude each other");
    if (o.chat && o.lossy)
        return cli_usage_error(a, "--lossy is for text; a --chat conversation is JSON, which is "
                                  "UTF-8 or an error");
    if (a->n_pos > 1)
        return cli_usage_error(a, "one input at a time, not %zu", a->n_pos);
    const char *path = a->n_pos ? a->pos[0] : "-";
    const char *label = strcmp(path, "-") ? path : "<stdin>";

    /* tokenizer directories: --tokenizer-dir first, then $TOKSCOPE_TOKENIZER_PATH */
    char *env_copy = NULL;
    const char *env = getenv("TOKSCOPE_TOKENIZER_PATH");
    if (env && *env && (env_copy = strdup(env)))
        for (char *save, *d = strtok_r(env_copy, ":", &save); d && o.n_dirs < MAX_DIRS;
             d = strtok_r(NULL, ":", &save))
            o.dirs[o.n_dirs++] = d;

    int status = EXIT_OK;
    tok_registry *reg = NULL;
    input in = {0};
    char *body_model = NULL, *dir = NULL;
    if (o.chat) {
        /* the request is read first: without -m, its "model" is the model */
        if (!read_input(path, &in)) {
            free(env_copy);
            return EXIT_BAD;
        }
        if (o.n_models == 0) {
            cJSON *j = cJSON_ParseWithLength(in.data, in.len);
            const cJSON *v = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "model") : NULL;
            if (cJSON_IsString(v) && v->valuestring[0])
                body_model = strdup(v->valuestring);
            cJSON_Delete(j);
            if (!body_model) {
                input_free(&in);
                free(env_copy);
                return cli_usage_error(a, "the request names no \"model\": give one with -m "
                                          "(tokscope models lists them)");
            }
            o.models[o.n_models++] = body_model;
        }
        if (strcmp(path, "-") && strchr(path, '/') && (dir = strdup(path))) {
            *strrchr(dir, '/') = 0;
            o.dir = dir[0] ? dir : "/";
        }
    }
    result *res = calloc(o.n_models, sizeof *res);
    if (!res || !open_registry(o.prices, o.n_prices, &reg)) {
        if (!res)
            warnx_("out of memory");
        status = EXIT_BAD;
        goto done;
    }
    for (size_t i = 0; i < o.n_models; i++) {
        tok_error err;
        res[i].arg = o.models[i];
        res[i].order = i;
        if (tok_model_find(reg, o.models[i], &res[i].m, &err) != TOK_OK) {
            warn_err(NULL, &err);
            status = EXIT_BAD;
            goto done;
        }
    }
    /* a -t MODEL=PATH must be for one of the -m models: a typo would otherwise leave that
     * model estimated while the user believes it counted exactly */
    for (size_t i = 0; i < o.n_tok_args; i++) {
        char name[256];
        const tok_model *tm = arg_model(reg, o.tok_args[i], name, sizeof name);
        bool used = false;
        for (size_t k = 0; tm && k < o.n_models; k++)
            used |= res[k].m == tm;
        if (tm && !used) {
            status = cli_usage_error(a, "-t %s: '%s' is not one of the -m models",
                                     o.tok_args[i], name);
            goto done;
        }
    }
    for (size_t i = 0; i < o.n_models; i++) {
        result *r = &res[i];
        bool bad = false;
        const char *file = tokenizer_arg(&o, reg, r->m, &bad);
        r->file = file;
        tok_error err;
        tok_status st;
        if (bad) {
            status = EXIT_BAD;
            goto done;
        }
        if (file) {
            st = tok_open_file(file, NULL, &r->tok, &err);
            int same = st == TOK_OK ? same_as_model(r->m, r->tok, file, o.dirs, o.n_dirs) : 1;
            if (same == 0) {
                status = EXIT_BAD;
                goto done;
            }
            r->exact = same == 1;
            r->user_file = same == -1;
        } else {
            st = tok_model_open_tokenizer(r->m, o.dirs, o.n_dirs, &r->tok, &r->exact, &err);
        }
        if (st != TOK_OK) {
            warn_err(NULL, &err);
            status = EXIT_BAD;
            goto done;
        }
        r->tokenizer_name = tok_name(r->tok);
    }
    if (!o.chat && !read_input(path, &in)) {
        status = EXIT_BAD;
        goto done;
    }
    for (size_t i = 0; i < o.n_models; i++) {
        result *r = &res[i];
        if (!count_one(&o, r, &in, label)) {
            status = EXIT_BAD;
            goto done;
        }
        if (o.has_ratio) /* the answer as a multiple of the input, rounded up */
            r->output = (uint64_t)(((unsigned __int128)r->tokens * o.output_ratio + 999999) / 1000000);
        else
            r->output = o.output_tokens;
        r->cached = o.has_share
                        ? (uint64_t)(((unsigned __int128)r->tokens * o.cached_share + 500000) / 1000000)
                        : o.cached_tokens;
        r->write = o.write_tokens;
        if (r->cached + r->write > r->tokens || r->cached + r->write < r->cached) {
            warnx_("%s: %llu cached and %llu cache-write tokens are more than its %llu input tokens",
                   r->m->id, (unsigned long long)r->cached, (unsigned long long)r->write,
                   (unsigned long long)r->tokens);
            status = EXIT_BAD;
            goto done;
        }
        tok_cost_request req = {r->tokens, r->cached, r->write, r->output, o.calls, o.batch};
        tok_error err;
        if (tok_cost_compute(r->m, &req, &r->cost, &err) != TOK_OK) {
            warn_err(NULL, &err);
            status = EXIT_BAD;
            goto done;
        }
        tok_model_fit(r->m, r->tokens, r->output, &r->fit);
    }
    qsort(res, o.n_models, sizeof *res, cmp_cost);
    if (o.json)
        print_json(&o, res, o.n_models, reg, strcmp(path, "-") ? path : "-", in.len);
    else
        print_table(&o, res, o.n_models, reg);
    check_stdout();
    for (size_t i = 0; i < o.n_models; i++) {
        const result *r = &res[i];
        if (r->fit.fits)
            continue;
        warnx_("%s: does not fit: %s%llu input + %llu output tokens; %s (window %llu, max "
               "output %llu, total %llu)", r->m->id, r->exact && !r->chat_estimate ? "" : "~",
               (unsigned long long)r->tokens, (unsigned long long)r->output, r->fit.why,
               (unsigned long long)r->m->max_input, (unsigned long long)r->m->max_output,
               (unsigned long long)r->m->context);
        status = EXIT_OVER;
    }
done:
    for (size_t i = 0; res && i < o.n_models; i++) {
        tok_close(res[i].tok);
        tok_request_count_free(&res[i].chat);
        tok_chat_template_free(res[i].tpl);
    }
    free(res);
    free(body_model);
    free(dir);
    input_free(&in);
    tok_registry_close(reg);
    free(env_copy);
    return status;
}

static const cli_opt opts[] = {
    {"model", 'm', "MODEL", CLI_TEXT,
     .help = "a model of the registry (tokscope models); repeatable. Case,\n"
             "provider prefixes (openai/) and dates (-2024-08-06) are ignored",
     .values = CLI_V_MODEL, .many = MAX_MODELS},
    {"output-tokens", 0, "N", CLI_NUMBER, .help = "tokens of the answer to price and fit (default 0)"},
    {"output-ratio", 0, "R", CLI_NUMBER, .help = "the answer as R times the input tokens (0.25, 1.5)",
     .need = "a decimal number such as 0.5", .parse = parse_ratio},
    {"cached-tokens", 0, "N", CLI_NUMBER, .help = "N of the input tokens are read from a prompt cache"},
    {"cached-share", 0, "P", CLI_NUMBER, .help = "that share of the input is cached: 0.8 or 80%",
     .need = "a share from 0 to 1 (0.8) or a percentage (80%)", .parse = parse_share},
    {"cache-write-tokens", 0, "N", CLI_NUMBER,
     .help = "N of the input tokens are written to a prompt cache"},
    {"calls", 0, "N", CLI_NUMBER, .help = "price N calls too (default 1000)", .min = 1,
     .need = "a whole number above 0"},
    {"batch", 0, NULL, CLI_FLAG, .help = "batch API prices"},
    {"chat", 0, NULL, CLI_FLAG,
     .help = "FILE is an API request body (as tokscope chat reads it): count\n"
             "what the API bills -- framing, tools, images -- for each model;\n"
             "without -m, the body's \"model\""},
    {"tokenizer", 't', "[MODEL=]PATH", CLI_TEXT,
     .help = "count MODEL (the only model, without MODEL=) exactly\n"
             "with this tokenizer file",
     .values = CLI_V_FILE, .many = MAX_MODELS},
    {"tokenizer-dir", 0, "DIR", CLI_TEXT,
     .help = "where to find the tokenizer files the registry names, such as\n"
             "llama3/tokenizer.json (repeatable; also $TOKSCOPE_TOKENIZER_PATH,\n"
             "directories separated by ':')",
     .values = CLI_V_DIR, .many = MAX_DIRS},
    {"prices", 0, "FILE", CLI_TEXT,
     .help = "prices to use over the built-in ones: LiteLLM's\n"
             "model_prices_and_context_window.json or a tokscope models.tsv\n"
             "(repeatable; later files win)",
     .values = CLI_V_FILE, .many = MAX_PRICES},
    {"json", 0, NULL, CLI_FLAG, .help = "one JSON object: every model's tokens, fit and costs"},
    CLI_LOSSY_OPT,
};

CLI_COMMAND(cost, "[FILE|-] -m MODEL", CLI_V_FILE,
            "tokens, window fit and price of a prompt for one or more models",
            /* usage */
            "cost [OPTIONS] -m MODEL [-m MODEL...] [FILE|-]\n",
            /* about */
            "Count FILE (standard input when none or '-') with each model's tokenizer, check that it\n"
            "fits the model's context window with room for the answer, and price it: input, cached\n"
            "input, output and total, for one call and for --calls calls. Several models give one\n"
            "table, cheapest first. Counts marked ~ are estimates (no public tokenizer for the model).\n",
            /* footer */
            "Exit status: 0 ok, 1 the input and output do not fit a model's window, 2 usage, input,\n"
            "price-file or model-name error.\n");
