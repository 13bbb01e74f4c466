/* registry: the built-in model registry (vocabs/models.tsv, embedded), name resolution, and
 * price files in the registry's own TSV format. */
#include "registry/registry.h"
#include "runner.h"

#include <strings.h>

static tok_registry *open_reg(void)
{
    tok_registry *r = NULL;
    tok_error err;
    if (tok_registry_open(&r, &err) != TOK_OK)
        fprintf(stderr, "%s\n", err.message);
    return r;
}

static const tok_model *find(const tok_registry *r, const char *name)
{
    const tok_model *m = NULL;
    return tok_model_find(r, name, &m, NULL) == TOK_OK ? m : NULL;
}

TEST(registry_builtin_has_the_models_the_issue_names)
{
    tok_registry *r = open_reg();
    CHECK(r);
    CHECK(tok_registry_count(r) >= 40);
    CHECK_STR(tok_registry_date(r), "2026-07-24");
    CHECK_EQ(tok_registry_source_count(r), 1);
    CHECK_STR(tok_registry_source_at(r, 0)->label, "built-in");
    static const char *const need[] = {
        "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-5", "gpt-5-mini", "o3", "o4-mini",
        "gpt-oss-120b", "claude-3-5-sonnet", "claude-3-7-sonnet", "claude-sonnet-4",
        "claude-opus-4-1", "claude-sonnet-4-5", "gemini-1.5-pro", "gemini-2.0-flash",
        "gemini-2.5-pro", "gemini-2.5-flash", "llama-3.3-70b", "llama-3.1-8b", "mistral-large",
        "qwen3-max", "deepseek-chat", "grok-4"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        CHECK_MSG(find(r, need[i]), "no model %s", need[i]);
    static const char *const providers[] = {"openai", "anthropic", "google", "meta", "mistral",
                                            "qwen", "deepseek", "xai"};
    for (size_t p = 0; p < 8; p++) {
        size_t n = 0;
        for (size_t i = 0; i < tok_registry_count(r); i++)
            n += strcmp(tok_registry_model(r, i)->provider, providers[p]) == 0;
        CHECK_MSG(n >= 2, "%zu models of %s", n, providers[p]);
    }
    CHECK(tok_registry_model(r, tok_registry_count(r)) == NULL);
    tok_registry_close(r);
    tok_registry_close(NULL);
}

/* Every row says where its data comes from and how it counts; every name leads to its row. */
TEST(registry_builtin_rows_are_complete_and_consistent)
{
    tok_registry *r = open_reg();
    CHECK(r);
    for (size_t i = 0; i < tok_registry_count(r); i++) {
        const tok_model *m = tok_registry_model(r, i);
        CHECK_MSG(m->source[0] && strlen(m->date) == 10, "%s: source/date", m->id);
        CHECK_MSG(m->max_input && m->max_output && m->context >= m->max_input, "%s: limits", m->id);
        CHECK_MSG(m->prices.input != TOK_PRICE_UNKNOWN && m->prices.output != TOK_PRICE_UNKNOWN,
                  "%s: no input or output price", m->id);
        CHECK_MSG(m->tokenizer_builtin || m->approx_encoding[0], "%s: cannot count", m->id);
        CHECK_MSG(!m->tokenizer_builtin || !m->approx_encoding[0], "%s: exact and approx", m->id);
        CHECK_MSG(m->basis && m->basis[0], "%s: no basis", m->id);
        /* an estimate has a range around its factor, and a basis that says it is one */
        if (m->approx_encoding[0])
            CHECK_MSG(m->approx_low <= m->approx_factor && m->approx_factor <= m->approx_high &&
                          m->approx_low > 0,
                      "%s: range", m->id);
        if (!m->tokenizer[0])
            CHECK_MSG(!strncmp(m->basis, "estimate: ", 10), "%s: basis %s", m->id, m->basis);
        else
            CHECK_MSG(strstr(m->basis, "exact"), "%s: basis %s", m->id, m->basis);
        CHECK_MSG(find(r, m->id) == m, "%s does not find itself", m->id);
        for (size_t k = 0; k < m->n_aliases; k++)
            CHECK_MSG(find(r, m->aliases[k]) == m, "alias %s of %s", m->aliases[k], m->id);
        for (size_t k = 1; k < m->n_tiers; k++)
            CHECK(m->tiers[k - 1].above < m->tiers[k].above);
        /* OpenAI models count exactly with tiktoken's encoding for the name */
        if (!strcmp(m->provider, "openai")) {
            const char *enc;
            CHECK_MSG(tok_encoding_for_model(m->id, &enc, NULL) == TOK_OK &&
                          !strcmp(enc, m->tokenizer) && m->tokenizer_builtin,
                      "%s: tokenizer %s", m->id, m->tokenizer);
        }
        /* no public tokenizer: never exact */
        if (!strcmp(m->provider, "anthropic") || !strcmp(m->provider, "xai"))
            CHECK_MSG(!m->tokenizer[0] && m->approx_factor >= 1000000, "%s", m->id);
        /* Gemini: exact exactly for the models Google's local tokenizer maps to Gemma 3 */
        if (!strncmp(m->id, "gemini-", 7)) {
            bool gemma3 = !strncmp(m->id, "gemini-2.", 9) || !strcmp(m->id, "gemini-3-flash-preview");
            CHECK_MSG(gemma3 ? !strcmp(m->tokenizer, "gemma3") : !m->tokenizer[0], "%s: %s",
                      m->id, m->tokenizer);
        }
    }
    tok_registry_close(r);
}

TEST(registry_builtin_rows_hold_the_published_numbers)
{
    tok_registry *r = open_reg();
    CHECK(r);
    const tok_model *m = find(r, "gpt-4o");
    CHECK(m);
    CHECK_EQ(m->max_input, 128000);
    CHECK_EQ(m->max_output, 16384);
    CHECK_EQ(m->prices.input, 2500000);        /* $2.50 per 1M = 2.5e-6 $/token */
    CHECK_EQ(m->prices.cached_input, 1250000);
    CHECK_EQ(m->prices.output, 10000000);
    CHECK_EQ(m->prices.cache_write, TOK_PRICE_UNKNOWN);
    CHECK_EQ(m->batch_input, 1250000);
    CHECK_EQ(m->batch_output, 5000000);
    CHECK_STR(m->tokenizer, "o200k_base");
    m = find(r, "gpt-5");
    CHECK_EQ(m->max_input, 272000);
    CHECK_EQ(m->context, 400000);
    m = find(r, "claude-sonnet-4");
    CHECK_EQ(m->prices.cache_write, 3750000);
    CHECK_EQ(m->n_tiers, 1);
    CHECK_EQ(m->tiers[0].above, 200000);
    CHECK_EQ(m->tiers[0].prices.input, 6000000);
    CHECK_EQ(m->tiers[0].prices.output, 22500000);
    CHECK_EQ(m->tiers[0].prices.cached_input, 600000);
    CHECK_EQ(m->tiers[0].prices.cache_write, 7500000);
    CHECK_STR(m->approx_encoding, "o200k_base");
    CHECK_EQ(m->approx_factor, 1200000);
    m = find(r, "qwen3-max");
    CHECK_EQ(m->n_tiers, 2);
    CHECK_EQ(m->tiers[0].above, 32000);
    CHECK_EQ(m->tiers[1].above, 128000);
    CHECK_EQ(m->tiers[1].prices.output, 15000000);
    m = find(r, "gpt-oss-20b");
    CHECK_EQ(m->prices.cached_input, 37500); /* $0.0375 per 1M */
    CHECK_STR(m->tokenizer, "o200k_harmony");
    m = find(r, "deepseek-chat"); /* LiteLLM's cache-write 0 means "no separate charge" */
    CHECK_EQ(m->prices.cache_write, TOK_PRICE_UNKNOWN);
    CHECK_STR(m->tokenizer, "deepseek-v3");
    CHECK(!m->tokenizer_builtin);
    m = find(r, "claude-opus-4-7"); /* the new tokenizer: its own factor and range */
    CHECK_EQ(m->approx_factor, 1550000);
    CHECK_EQ(m->approx_low, 1300000);
    CHECK_EQ(m->approx_high, 1800000);
    CHECK(strstr(m->basis, "Source: "));
    m = find(r, "meta-llama/Llama-3.3-70B-Instruct");
    CHECK(m);
    CHECK_STR(m->id, "llama-3.3-70b");
    CHECK_STR(m->tokenizer, "llama3.1");
    m = find(r, "claude-3-5-sonnet"); /* from the 2025-09-05 copy: LiteLLM dropped it */
    CHECK_STR(m->date, "2025-09-05");
    tok_registry_close(r);
}

TEST(registry_name_resolution)
{
    tok_registry *r = open_reg();
    CHECK(r);
    static const char *const cases[][2] = {
        {"gpt-4o", "gpt-4o"},
        {"GPT-4o", "gpt-4o"},
        {"openai/gpt-4o", "gpt-4o"},
        {"gpt-4o-2024-08-06", "gpt-4o"},
        {"gpt-4o-2024-05-13", "gpt-4o-2024-05-13"}, /* its own row: priced differently */
        {"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
        {"o3-2025-04-16", "o3"},
        {"anthropic/claude-3-7-sonnet-20250219", "claude-3-7-sonnet"},
        {"claude-3-7-sonnet-latest", "claude-3-7-sonnet"},
        {"claude-3-5-sonnet-20240620", "claude-3-5-sonnet"}, /* a date not listed anywhere */
        {"claude-sonnet-4@20250514", "claude-sonnet-4"},
        {"Anthropic/Claude-Sonnet-4-5-20250929", "claude-sonnet-4-5"},
        {"claude-3.5-sonnet", "claude-3-5-sonnet"},
        {"groq/openai/gpt-oss-120b", "gpt-oss-120b"},
        {"gemini/gemini-2.5-pro", "gemini-2.5-pro"},
        {"mistral/mistral-large-latest", "mistral-large"},
        {"mistral-large-latest", "mistral-large"},
        {"deepinfra/Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b-instruct-2507"},
        {"groq/llama-3.3-70b-versatile", "llama-3.3-70b"},
        {"xai/grok-4-latest", "grok-4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tok_model *m = find(r, cases[i][0]);
        CHECK_MSG(m && !strcmp(m->id, cases[i][1]), "%s -> %s, expected %s", cases[i][0],
                  m ? m->id : "(none)", cases[i][1]);
    }
    /* unknown names fail and say what is close */
    const tok_model *m = (const tok_model *)1;
    tok_error err;
    CHECK_EQ(tok_model_find(r, "gpt-5o", &m, &err), TOK_ENOENT);
    CHECK(m == NULL);
    CHECK(strstr(err.message, "unknown model 'gpt-5o'"));
    CHECK(strstr(err.message, "closest:"));
    CHECK(strstr(err.message, "gpt-5"));
    CHECK_EQ(tok_model_find(r, "claude-sonnet", &m, &err), TOK_ENOENT);
    CHECK(strstr(err.message, "claude-sonnet-4"));
    CHECK_EQ(tok_model_find(r, "gpt-4", &m, NULL), TOK_ENOENT); /* not in the registry */
    CHECK_EQ(tok_model_find(r, "", &m, NULL), TOK_ENOENT);
    CHECK_EQ(tok_model_find(r, NULL, &m, NULL), TOK_EINVAL);
    tok_registry_close(r);
}

/* ---- price files in the registry's own format ---- */

static tok_status load_str(tok_registry *r, const char *text, const char *label, tok_error *err)
{
    return tok_registry_load_memory(r, text, strlen(text), label, err);
}

TEST(registry_tsv_overrides_and_adds)
{
    tok_registry *r = open_reg();
    CHECK(r);
    size_t n0 = tok_registry_count(r);
    tok_error err;
    /* only the columns given change; the rest stays */
    CHECK_EQ(load_str(r, "# my prices\n@date\t2026-09-01\nid\tinput\toutput\n"
                         "GPT-4o\t3\t12.5\n", "mine.tsv", &err), TOK_OK);
    const tok_model *m = find(r, "gpt-4o");
    CHECK_EQ(m->prices.input, 3000000);
    CHECK_EQ(m->prices.output, 12500000);
    CHECK_EQ(m->prices.cached_input, 1250000);
    CHECK_EQ(m->max_input, 128000);
    CHECK_STR(m->source, "mine.tsv");
    CHECK_STR(m->date, "2026-09-01");
    CHECK_STR(m->tokenizer, "o200k_base");
    CHECK_EQ(tok_registry_count(r), n0);
    const tok_registry_source *s = tok_registry_source_at(r, 1);
    CHECK(s);
    CHECK_STR(s->label, "mine.tsv");
    CHECK_STR(s->format, "tsv");
    CHECK_STR(s->date, "2026-09-01");
    CHECK_EQ(s->replaced, 1);
    CHECK_EQ(s->added, 0);
    CHECK_STR(tok_registry_date(r), "2026-07-24"); /* still the built-in data's date */

    /* new models: unknown columns stay unknown (never 0); tokenizers default sensibly */
    CHECK_EQ(load_str(r, "id\tprovider\taliases\tmax_input\tinput\toutput\ttiers\n"
                         "acme-1\tacme\tacme-one,acme/one\t1000\t1\t2\t500:input=2,output=4\n"
                         "gpt-4.1-custom\topenai\t-\t-\t-\t0.5\t-\n",
                      "prices-2026-08-01.tsv", &err), TOK_OK);
    CHECK_EQ(tok_registry_count(r), n0 + 2);
    m = find(r, "ACME-ONE");
    CHECK(m);
    CHECK_STR(m->id, "acme-1");
    CHECK(find(r, "acme/one") == m);
    CHECK_STR(m->date, "2026-08-01"); /* from the file name */
    CHECK_EQ(m->prices.cached_input, TOK_PRICE_UNKNOWN);
    CHECK_EQ(m->max_output, 0);
    CHECK_EQ(m->n_tiers, 1);
    CHECK_EQ(m->tiers[0].prices.output, 4000000);
    CHECK_EQ(m->tiers[0].prices.cached_input, TOK_PRICE_UNKNOWN);
    CHECK_STR(m->approx_encoding, "o200k_base"); /* no tokenizer known: an o200k estimate */
    CHECK_EQ(m->approx_factor, 1000000);
    m = find(r, "gpt-4.1-custom"); /* an OpenAI name: its tiktoken encoding, exact */
    CHECK(m && m->tokenizer_builtin);
    CHECK_STR(m->tokenizer, "o200k_base");
    CHECK_EQ(m->prices.input, TOK_PRICE_UNKNOWN);
    tok_registry_close(r);
}

/* Malformed files: EFORMAT, the file and line:column in the message, registry unchanged. */
TEST(registry_tsv_errors_name_file_and_position)
{
    static const struct {
        const char *text, *want;
        uint32_t line;
    } bad[] = {
        {"id\tinput\ngpt-4o\t1.2.3\n", "p.tsv:2:8: input '1.2.3' is not a price", 2},
        {"id\tinput\ngpt-4o\t0.0000001\n", "p.tsv:2:8: input '0.0000001'", 2},
        {"id\tinput\ngpt-4o\t-3\n", "p.tsv:2:8: input '-3'", 2},
        {"id\tinptu\n", "p.tsv:1:4: unknown column 'inptu'", 1},
        {"input\toutput\n", "p.tsv:1:1: the header has no 'id' column", 1},
        {"id\tinput\tinput\n", "column 'input' appears twice", 1},
        {"id\tinput\n# c\n\ngpt-4o\t1\t2\n", "p.tsv:4:1: 3 cells; the header has 2 columns", 4},
        {"id\tmax_input\nx\t12k\n", "p.tsv:2:3: max_input '12k' is not a whole number", 2},
        {"id\tapprox\nx\tnope*1.2\n", "p.tsv:2:3: approx 'nope*1.2' is not ENCODING*FACTOR", 2},
        {"id\ttiers\nx\t200000:input=1;200000:input=2\n", "two tiers", 2},
        {"id\ttiers\nx\tabove:input=1\n", "tier 'above:input=1' does not start with", 2},
        {"id\ttiers\nx\t1000:price=1\n", "tier price 'price=1'", 2},
        {"id\tdate\nx\t24/07/2026\n", "date '24/07/2026' is not YYYY-MM-DD", 2},
        {"@when\t2026\nid\n", "p.tsv:1:1: a directive must be", 1},
        {"id\tinput\n-\t1\n", "a row needs an id", 2},
        {"# only comments\n", "no header line", 2},
    };
    tok_registry *r = open_reg();
    CHECK(r);
    size_t n0 = tok_registry_count(r);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tok_error err;
        tok_status st = load_str(r, bad[i].text, "p.tsv", &err);
        CHECK_MSG(st == TOK_EFORMAT, "case %zu: %s", i, tok_status_name(st));
        CHECK_MSG(strstr(err.message, bad[i].want), "case %zu: '%s'", i, err.message);
        CHECK_MSG(err.line == bad[i].line, "case %zu: line %u", i, err.line);
        CHECK_STR(err.source, "p.tsv");
    }
    CHECK_EQ(tok_registry_count(r), n0);
    CHECK_EQ(tok_registry_source_count(r), 1);
    CHECK_EQ(find(r, "gpt-4o")->prices.input, 2500000);
    tok_error err;
    CHECK_EQ(tok_registry_load(r, "/nonexistent/prices.json", &err), TOK_ENOENT);
    CHECK(strstr(err.message, "/nonexistent/prices.json"));
    tok_registry_close(r);
}
