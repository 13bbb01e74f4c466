/* models: the model registry -- windows, prices, tokenizer and exactness of every model, and
 * the date and source of the data. */
#include "cli.h"
#include "pricing.h"

#include <string.h>
#include <strings.h>

/* How a model's tokens are counted: "o200k_base", "gemma3" (a vocabulary tokscope ships,
 * exact), "gemma3 (not installed: ~o200k_base x1.15)", "~o200k_base x1.2 [1.1-1.6]". */
static void tokenizer_text(const tok_model *m, char *buf, size_t cap)
{
    char fac[32] = "", lo[32] = "", hi[32] = "";
    if (m->approx_encoding[0]) {
        tok_decimal_format(m->approx_factor, 6, fac, sizeof fac);
        tok_decimal_format(m->approx_low, 6, lo, sizeof lo);
        tok_decimal_format(m->approx_high, 6, hi, sizeof hi);
    }
    if (m->tokenizer_builtin) {
        snprintf(buf, cap, "%s", m->tokenizer);
    } else if (m->tokenizer[0]) {
        if (tok_model_counts_exactly(m, NULL, 0))
            snprintf(buf, cap, "%s", m->tokenizer);
        else if (m->approx_encoding[0])
            snprintf(buf, cap, "%s (not installed: ~%s x%s)", m->tokenizer, m->approx_encoding,
                     fac);
        else
            snprintf(buf, cap, "%s (not installed)", m->tokenizer);
    } else if (m->approx_encoding[0]) {
        snprintf(buf, cap, "~%s x%s [%s-%s]", m->approx_encoding, fac, lo, hi);
    } else {
        snprintf(buf, cap, "-");
    }
}

static void json_prices(const tok_prices *p)
{
    fputs("{\"input\":", stdout);
    json_per_million(stdout, p->input);
    fputs(",\"output\":", stdout);
    json_per_million(stdout, p->output);
    fputs(",\"cached_input\":", stdout);
    json_per_million(stdout, p->cached_input);
    fputs(",\"cache_write\":", stdout);
    json_per_million(stdout, p->cache_write);
    fputs("}", stdout);
}

static void json_model(const tok_model *m)
{
    fputs("{\"id\":", stdout);
    json_str(stdout, m->id, strlen(m->id));
    fputs(",\"provider\":", stdout);
    json_str(stdout, m->provider, strlen(m->provider));
    fputs(",\"aliases\":[", stdout);
    for (size_t k = 0; k < m->n_aliases; k++) {
        if (k)
            putchar(',');
        json_str(stdout, m->aliases[k], strlen(m->aliases[k]));
    }
    fputs("],\"tokenizer\":", stdout);
    if (m->tokenizer[0])
        json_str(stdout, m->tokenizer, strlen(m->tokenizer));
    else
        fputs("null", stdout);
    /* exact: always (a built-in encoding), never (estimate only), or when its vocabulary is
     * installed -- and whether it is, here and now */
    bool here = tok_model_counts_exactly(m, NULL, 0);
    printf(",\"exact\":\"%s\",\"exact_here\":%s,\"approx\":",
           m->tokenizer_builtin ? "always" : m->tokenizer[0] ? "with-vocabulary" : "never",
           here ? "true" : "false");
    if (m->approx_encoding[0]) {
        char fac[32], lo[32], hi[32];
        tok_decimal_format(m->approx_factor, 6, fac, sizeof fac);
        tok_decimal_format(m->approx_low, 6, lo, sizeof lo);
        tok_decimal_format(m->approx_high, 6, hi, sizeof hi);
        fputs("{\"encoding\":", stdout);
        json_str(stdout, m->approx_encoding, strlen(m->approx_encoding));
        printf(",\"factor\":%s,\"factor_low\":%s,\"factor_high\":%s}", fac, lo, hi);
    } else {
        fputs("null", stdout);
    }
    fputs(",\"basis\":", stdout);
    json_str(stdout, m->basis, strlen(m->basis));
    const uint64_t lim[3] = {m->max_input, m->context, m->max_output};
    const char *lname[3] = {"max_input", "context", "max_output"};
    for (int k = 0; k < 3; k++) {
        printf(",\"%s\":", lname[k]);
        if (lim[k])
            printf("%llu", (unsigned long long)lim[k]);
        else
            fputs("null", stdout);
    }
    fputs(",\"usd_per_million\":", stdout);
    json_prices(&m->prices);
    fputs(",\"batch_usd_per_million\":{\"input\":", stdout);
    json_per_million(stdout, m->batch_input);
    fputs(",\"output\":", stdout);
    json_per_million(stdout, m->batch_output);
    fputs("},\"tiers\":[", stdout);
    for (size_t k = 0; k < m->n_tiers; k++) {
        printf("%s{\"above\":%llu,\"usd_per_million\":", k ? "," : "",
               (unsigned long long)m->tiers[k].above);
        json_prices(&m->tiers[k].prices);
        putchar('}');
    }
    fputs("],\"source\":", stdout);
    json_str(stdout, m->source, strlen(m->source));
    fputs(",\"date\":", stdout);
    json_str(stdout, m->date, strlen(m->date));
    fputs(",\"notes\":", stdout);
    json_str(stdout, m->notes, strlen(m->notes));
    putchar('}');
}

static void limit_text(uint64_t v, char *buf, size_t cap)
{
    if (v)
        snprintf(buf, cap, "%llu", (unsigned long long)v);
    else
        snprintf(buf, cap, "?");
}

static int run(const cli_args *a)
{
    const char *provider = cli_text(a, "provider"), *prices[MAX_PRICES];
    size_t n_prices = cli_list(a, "prices", prices, MAX_PRICES);
    bool json = cli_flag(a, "json");
    if (a->n_pos)
        return cli_usage_error(a, "no arguments expected, not '%s'", a->pos[0]);
    tok_registry *reg;
    if (!open_registry(prices, n_prices, &reg))
        return EXIT_BAD;
    size_t n = tok_registry_count(reg), listed = 0;
    bool any = !provider; /* an unknown provider is an error before anything is printed */
    for (size_t i = 0; i < n && !any; i++)
        any = !strcasecmp(provider, tok_registry_model(reg, i)->provider);
    if (!any) {
        warnx_("no model of provider '%s'", shown_name(provider));
        tok_registry_close(reg);
        return EXIT_BAD;
    }
    if (json) {
        fputc('{', stdout);
        json_registry_sources(stdout, reg);
        fputs(",\"models\":[", stdout);
    }
    int iw = 5, tw = 9;
    for (size_t i = 0; i < n; i++) {
        const tok_model *m = tok_registry_model(reg, i);
        char tk[160];
        if (provider && strcasecmp(provider, m->provider) != 0)
            continue;
        tokenizer_text(m, tk, sizeof tk);
        if ((int)strlen(m->id) > iw)
            iw = (int)strlen(m->id);
        if ((int)strlen(tk) > tw)
            tw = (int)strlen(tk);
    }
    if (!json)
        printf("%-*s %-9s %-*s %9s %9s %9s %9s %9s %9s\n", iw, "model", "provider", tw,
               "tokenizer", "window", "output", "input", "cached", "write", "output $");
    for (size_t i = 0; i < n; i++) {
        const tok_model *m = tok_registry_model(reg, i);
        if (provider && strcasecmp(provider, m->provider) != 0)
            continue;
        if (json) {
            if (listed)
                putchar(',');
            json_model(m);
        } else {
            char tk[160], win[24], out[24], in_p[32], cached_p[32], write_p[32], out_p[32];
            tokenizer_text(m, tk, sizeof tk);
            limit_text(m->max_input, win, sizeof win);
            limit_text(m->max_output, out, sizeof out);
            printf("%-*s %-9s %-*s %9s %9s %9s %9s %9s %9s%s\n", iw, m->id, m->provider, tw, tk,
                   win, out, fmt_per_million(m->prices.input, in_p, sizeof in_p),
                   fmt_per_million(m->prices.cached_input, cached_p, sizeof cached_p),
                   fmt_per_million(m->prices.cache_write, write_p, sizeof write_p),
                   fmt_per_million(m->prices.output, out_p, sizeof out_p), m->n_tiers ? " +" : "");
        }
        listed++;
    }
    if (json) {
        fputs("]}\n", stdout);
    } else {
        printf("%zu model%s; USD per million tokens; ~ estimated counts; + long-context prices.\n"
               "Data: ", listed, listed == 1 ? "" : "s");
        describe_sources(reg, stdout);
        puts(" (sources: vocabs/prices/README.md)");
    }
    check_stdout();
    tok_registry_close(reg);
    return EXIT_OK;
}

static const cli_opt opts[] = {
    {"provider", 0, "P", CLI_TEXT,
     .help = "only models of provider P (openai, anthropic, google, meta, mistral,\n"
             "qwen, deepseek, xai; for imported rows LiteLLM's provider names)",
     .values = CLI_V_PROVIDER},
    {"prices", 0, "FILE", CLI_TEXT,
     .help = "prices over the built-in ones, as for tokscope cost (repeatable)",
     .values = CLI_V_FILE, .many = MAX_PRICES},
    {"json", 0, NULL, CLI_FLAG, .help = "one JSON object: the data date, the sources and every model"},
};

CLI_COMMAND(models, "", CLI_V_NONE, "the model registry: windows, prices, tokenizers, data date",
            /* usage */
            "models [OPTIONS]\n",
            /* about */
            "List the model registry: each model's provider, how its tokens are counted (an exact\n"
            "tokenizer, or ~ an estimate with a built-in encoding and a factor), context window, most\n"
            "output tokens, and USD per million tokens for input, cached input, cache writes and\n"
            "output (- when not published). A + after the prices: long-context prices apply above a\n"
            "threshold (see --json). The last line gives the date and source of the data.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage or price-file error.\n");
