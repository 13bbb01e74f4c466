/* models: the model registry -- windows, prices, tokenizer and exactness of every model, and
 * the date and source of the data. */
#include "cli.h"
#include "pricing.h"

#include <getopt.h>
#include <string.h>
#include <strings.h>

static const char help[] =
    "Usage: tokscope models [OPTIONS]\n"
    "\n"
    "List the model registry: each model's provider, how its tokens are counted (an exact\n"
    "tokenizer, or ~ an estimate with a built-in encoding and a factor), context window, most\n"
    "output tokens, and USD per million tokens for input, cached input, cache writes and\n"
    "output (- when not published). A + after the prices: long-context prices apply above a\n"
    "threshold (see --json). The last line gives the date and source of the data.\n"
    "\n"
    "      --provider P   only models of provider P (openai, anthropic, google, meta, mistral,\n"
    "                     qwen, deepseek, xai; for imported rows LiteLLM's provider names)\n"
    "      --prices FILE  prices over the built-in ones, as for tokscope cost (repeatable)\n"
    "      --json         one JSON object: the data date, the sources and every model\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 ok, 2 usage or price-file error.\n";

/* "o200k_base", "llama3/tokenizer.json or ~o200k_base x1", "~o200k_base x1.2" */
static void tokenizer_text(const tok_model *m, char *buf, size_t cap)
{
    char fac[32] = "";
    if (m->approx_encoding[0])
        tok_decimal_format(m->approx_factor, 6, fac, sizeof fac);
    if (m->tokenizer_builtin)
        snprintf(buf, cap, "%s", m->tokenizer);
    else if (m->tokenizer[0] && m->approx_encoding[0])
        snprintf(buf, cap, "%s or ~%s x%s", m->tokenizer, m->approx_encoding, fac);
    else if (m->tokenizer[0])
        snprintf(buf, cap, "%s", m->tokenizer);
    else if (m->approx_encoding[0])
        snprintf(buf, cap, "~%s x%s", m->approx_encoding, fac);
    else
        snprintf(buf, cap, "-");
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
    /* exact: always (a built-in encoding), never (estimate only), or when the file is found */
    printf(",\"exact\":\"%s\",\"approx\":", m->tokenizer_builtin ? "always"
                                             : m->tokenizer[0]   ? "with-tokenizer-file"
                                                                 : "never");
    if (m->approx_encoding[0]) {
        char fac[32];
        tok_decimal_format(m->approx_factor, 6, fac, sizeof fac);
        fputs("{\"encoding\":", stdout);
        json_str(stdout, m->approx_encoding, strlen(m->approx_encoding));
        printf(",\"factor\":%s}", fac);
    } else {
        fputs("null", stdout);
    }
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

int cmd_models(int argc, char **argv)
{
    enum { OPT_PROVIDER = 256, OPT_PRICES, OPT_JSON };
    static const struct option longs[] = {
        {"provider", required_argument, 0, OPT_PROVIDER}, {"prices", required_argument, 0, OPT_PRICES},
        {"json", no_argument, 0, OPT_JSON},               {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *provider = NULL, *prices[16];
    size_t n_prices = 0;
    bool json = false;
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (opt) {
        case OPT_PROVIDER: provider = optarg; break;
        case OPT_PRICES:
            if (n_prices == 16)
                return usage_error("models", "at most 16 price files");
            prices[n_prices++] = optarg;
            break;
        case OPT_JSON: json = true; break;
        case 'h': fputs(help, stdout); check_stdout(); return EXIT_OK;
        case ':': return usage_error("models", "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("models", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("models", "no arguments expected, not '%s'", argv[optind]);
    tok_registry *reg;
    if (!open_registry(prices, n_prices, &reg))
        return EXIT_BAD;
    size_t n = tok_registry_count(reg), shown = 0;
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
            if (shown)
                putchar(',');
            json_model(m);
        } else {
            char tk[160], win[24], out[24], a[32], b[32], c[32], d[32];
            tokenizer_text(m, tk, sizeof tk);
            limit_text(m->max_input, win, sizeof win);
            limit_text(m->max_output, out, sizeof out);
            printf("%-*s %-9s %-*s %9s %9s %9s %9s %9s %9s%s\n", iw, m->id, m->provider, tw, tk,
                   win, out, fmt_per_million(m->prices.input, a, sizeof a),
                   fmt_per_million(m->prices.cached_input, b, sizeof b),
                   fmt_per_million(m->prices.cache_write, c, sizeof c),
                   fmt_per_million(m->prices.output, d, sizeof d), m->n_tiers ? " +" : "");
        }
        shown++;
    }
    if (json) {
        fputs("]}\n", stdout);
    } else {
        printf("%zu model%s; USD per million tokens; ~ estimated counts; + long-context prices.\n"
               "Data: ", shown, shown == 1 ? "" : "s");
        describe_sources(reg, stdout);
        puts(" (sources: vocabs/prices/README.md)");
    }
    check_stdout();
    tok_registry_close(reg);
    if (provider && shown == 0) {
        warnx_("no model of provider '%s'", provider);
        return EXIT_BAD;
    }
    return EXIT_OK;
}
