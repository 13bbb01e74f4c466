/* prices_litellm: LiteLLM's model_prices_and_context_window.json -- the real 2026-07-24
 * snapshot the built-in registry was generated from (vocabs/prices/, gzip'd), and malformed
 * files. */
#include "registry/registry.h"
#include "runner.h"

#define SNAPSHOT "vocabs/prices/litellm_model_prices_2026-07-24.json.gz"

static const tok_model *find(const tok_registry *r, const char *name)
{
    const tok_model *m = NULL;
    return tok_model_find(r, name, &m, NULL) == TOK_OK ? m : NULL;
}

static bool same_prices(const tok_prices *a, const tok_prices *b)
{
    return a->input == b->input && a->output == b->output &&
           a->cached_input == b->cached_input && a->cache_write == b->cache_write;
}

TEST(prices_litellm_real_snapshot)
{
    size_t len;
    char *json = read_gz(SNAPSHOT, &len);
    CHECK_MSG(json, "cannot read %s", SNAPSHOT);
    tok_registry *builtin, *r;
    CHECK_EQ(tok_registry_open(&builtin, NULL), TOK_OK);
    CHECK_EQ(tok_registry_open(&r, NULL), TOK_OK);
    tok_error err;
    tok_status st = tok_registry_load_memory(r, json, len, "litellm.json", &err);
    free(json);
    CHECK_MSG(st == TOK_OK, "%s", err.message);
    const tok_registry_source *s = tok_registry_source_at(r, 1);
    CHECK_STR(s->format, "litellm");
    CHECK_STR(s->date, "2026-07-24"); /* from the file's "last_updated" */
    CHECK(s->replaced >= 40);
    CHECK(s->added > 2000); /* the chat, completion and responses entries it does not have */
    CHECK_EQ(tok_registry_count(r), tok_registry_count(builtin) + s->added);

    /* The built-in rows dated like the snapshot came from it: loading it changes no number. */
    size_t compared = 0;
    for (size_t i = 0; i < tok_registry_count(builtin); i++) {
        const tok_model *b = tok_registry_model(builtin, i), *m = tok_registry_model(r, i);
        CHECK_STR(m->id, b->id);
        if (strcmp(b->date, "2026-07-24") != 0)
            continue; /* older rows: LiteLLM dropped them */
        CHECK_MSG(same_prices(&m->prices, &b->prices), "%s: prices", b->id);
        CHECK_MSG(m->max_input == b->max_input && m->max_output == b->max_output &&
                      m->context == b->context, "%s: limits", b->id);
        CHECK_MSG(m->batch_input == b->batch_input && m->batch_output == b->batch_output,
                  "%s: batch", b->id);
        CHECK_MSG(m->n_tiers == b->n_tiers, "%s: %zu tiers, built-in %zu", b->id, m->n_tiers,
                  b->n_tiers);
        for (size_t k = 0; k < m->n_tiers; k++)
            CHECK_MSG(m->tiers[k].above == b->tiers[k].above &&
                          same_prices(&m->tiers[k].prices, &b->tiers[k].prices),
                      "%s: tier %zu", b->id, k);
        CHECK_STR(m->tokenizer, b->tokenizer); /* the file says nothing about tokenizers */
        CHECK(strstr(m->source, "litellm.json, key "));
        compared++;
    }
    CHECK(compared >= 40);

    /* Entries that are not text generation are skipped: the file reuses
     * "gemini/gemini-1.5-flash" for an embedding model (output price 0, 8k window), which must
     * not replace the chat model, and embedding models are not added. */
    const tok_model *g = find(r, "gemini-1.5-flash"), *gb = find(builtin, "gemini-1.5-flash");
    CHECK(g && gb);
    if (g && gb) {
        CHECK(same_prices(&g->prices, &gb->prices));
        CHECK(g->prices.output > 0 && g->prices.output != TOK_PRICE_UNKNOWN);
        CHECK_EQ(g->max_input, gb->max_input);
    }
    CHECK(find(r, "text-embedding-3-large") == NULL);
    CHECK(find(r, "dall-e-3") == NULL);

    /* rows the built-in registry does not have */
    const tok_model *m = find(r, "azure/gpt-4o");
    CHECK(m);
    CHECK_STR(m->provider, "azure");
    CHECK(m->tokenizer_builtin); /* an OpenAI name behind the prefix: exact */
    CHECK_STR(m->tokenizer, "o200k_base");
    m = find(r, "dashscope/qwen-flash"); /* tiered_pricing with counts written 256000.0 */
    CHECK(m);
    CHECK_EQ(m->prices.input, 50000);
    CHECK_EQ(m->n_tiers, 1);
    CHECK_EQ(m->tiers[0].above, 256000);
    CHECK_EQ(m->tiers[0].prices.input, 250000);
    CHECK_STR(m->approx_encoding, "o200k_base");
    m = find(r, "databricks/databricks-claude-sonnet-4"); /* float noise, rounded */
    CHECK(m);
    CHECK_EQ(m->prices.input, 2999990);
    CHECK(find(r, "sample_spec") == NULL);
    tok_registry_close(builtin);
    tok_registry_close(r);
}

TEST(prices_litellm_fields)
{
    static const char json[] =
        "{\n"
        "  \"my-model\": {\n"
        "    \"litellm_provider\": \"acme\", \"mode\": \"chat\",\n"
        "    \"input_cost_per_token\": 1.5e-6, \"output_cost_per_token\": 0.000006,\n"
        "    \"cache_read_input_token_cost\": 1.5e-7, \"cache_creation_input_token_cost\": 0,\n"
        "    \"input_cost_per_token_above_128k_tokens\": 3e-6,\n"
        "    \"output_cost_per_token_above_128k_tokens\": 0.000012,\n"
        "    \"cache_creation_input_token_cost_above_1hr\": 9e-6,\n"
        "    \"input_cost_per_token_batches\": 7.5e-7, \"output_cost_per_token_batches\": null,\n"
        "    \"max_input_tokens\": 262144, \"max_output_tokens\": 8192, \"max_tokens\": 8192,\n"
        "    \"supports_vision\": true, \"search_context_cost_per_query\": {\"low\": 0.01}\n"
        "  },\n"
        "  \"free-model\": {\"input_cost_per_token\": 0, \"output_cost_per_token\": 0,\n"
        "                   \"cache_creation_input_token_cost\": 0}\n"
        "}\n";
    tok_registry *r;
    CHECK_EQ(tok_registry_open(&r, NULL), TOK_OK);
    tok_error err;
    tok_status st = tok_registry_load_memory(r, json, strlen(json), "x.json", &err);
    CHECK_MSG(st == TOK_OK, "%s", err.message);
    const tok_model *m = find(r, "MY-MODEL");
    CHECK(m);
    CHECK_STR(m->provider, "acme");
    CHECK_EQ(m->prices.input, 1500000);
    CHECK_EQ(m->prices.output, 6000000);
    CHECK_EQ(m->prices.cached_input, 150000);
    CHECK_EQ(m->prices.cache_write, TOK_PRICE_UNKNOWN); /* 0 on a paid model: not "free" */
    CHECK_EQ(m->batch_input, 750000);
    CHECK_EQ(m->batch_output, TOK_PRICE_UNKNOWN);
    CHECK_EQ(m->max_input, 262144);
    CHECK_EQ(m->max_output, 8192);
    CHECK_EQ(m->n_tiers, 1);
    CHECK_EQ(m->tiers[0].above, 128000);
    CHECK_EQ(m->tiers[0].prices.input, 3000000);
    CHECK_EQ(m->tiers[0].prices.output, 12000000);
    CHECK_EQ(m->tiers[0].prices.cached_input, TOK_PRICE_UNKNOWN);
    CHECK_STR(m->date, ""); /* no date in the name, no last_updated, memory: unknown */
    m = find(r, "free-model"); /* a published price of 0 stays 0 */
    CHECK_EQ(m->prices.input, 0);
    CHECK_EQ(m->prices.cache_write, 0);

    /* a LiteLLM row over a built-in model: prices and limits replaced, unknown where the file
     * says nothing; tokenizer, aliases and the documented total window kept */
    static const char over[] = "{\"gpt-5-2025-08-07\": {\"input_cost_per_token\": 2e-6, "
                               "\"max_input_tokens\": 300000}}";
    CHECK_EQ(tok_registry_load_memory(r, over, strlen(over), "o.json", &err), TOK_OK);
    m = find(r, "gpt-5");
    CHECK_EQ(m->prices.input, 2000000);
    CHECK_EQ(m->prices.output, TOK_PRICE_UNKNOWN);
    CHECK_EQ(m->max_input, 300000);
    CHECK_EQ(m->max_output, 128000);
    CHECK_EQ(m->context, 400000);
    CHECK_STR(m->tokenizer, "o200k_base");
    tok_registry_close(r);
}

TEST(prices_litellm_errors_name_file_and_position)
{
    static const struct {
        const char *json, *want;
        uint32_t line;
    } bad[] = {
        {"{\"m\": {\"input_cost_per_token\": \"abc\"}}",
         "bad.json:1:32: 'm'.input_cost_per_token: expected a number", 1},
        {"{\n  \"a\": {\"input_cost_per_token\": 1e-6},\n  \"b\": {\"max_input_tokens\": -5}\n}",
         "bad.json:3:29: 'b'.max_input_tokens: expected a whole number", 3},
        {"{\"a\": {\"max_output_tokens\": 12.5}}", "'a'.max_output_tokens", 1},
        {"{\"a\": {\"input_cost_per_token\": -1e-6}}", "-1e-6 is not a price", 1},
        {"{\"a\": {\"input_cost_per_token\": 1e300}}", "below $18 million", 1},
        {"{\"a\": {\"input_cost_per_token\": 1e-6,}}", "bad.json:1:37: not valid JSON: trailing comma", 1},
        {"{\"a\": 5}", "bad.json:1:7: 'a': expected an object", 1},
        {"[1, 2]", "expected a JSON object of models", 1},
        {"{\"a\": {\"tiered_pricing\": {}}}", "'a'.tiered_pricing: expected an array", 1},
        {"{\"a\": {\"tiered_pricing\": [{\"range\": \"all\"}]}}", "\"range\" must be", 1},
        {"{\"a\": {\"litellm_provider\": 7}}", "'a'.litellm_provider: expected a string", 1},
        {"{\"\": {}}", "a model with an empty name", 1},
        {"{\"a\": {}", "not valid JSON", 1},
    };
    tok_registry *r;
    CHECK_EQ(tok_registry_open(&r, NULL), TOK_OK);
    size_t n0 = tok_registry_count(r);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tok_error err;
        tok_status st = tok_registry_load_memory(r, bad[i].json, strlen(bad[i].json), "bad.json",
                                                 &err);
        CHECK_MSG(st == TOK_EFORMAT, "case %zu: %s", i, tok_status_name(st));
        CHECK_MSG(strstr(err.message, bad[i].want), "case %zu: '%s'", i, err.message);
        CHECK_MSG(err.line == bad[i].line, "case %zu: line %u", i, err.line);
        CHECK_STR(err.source, "bad.json");
    }
    /* a good entry before the bad one is not applied either */
    static const char half[] = "{\"gpt-4o\": {\"input_cost_per_token\": 1e-6}, \"z\": 1}";
    CHECK_EQ(tok_registry_load_memory(r, half, strlen(half), "bad.json", NULL), TOK_EFORMAT);
    CHECK_EQ(find(r, "gpt-4o")->prices.input, 2500000);
    CHECK_EQ(tok_registry_count(r), n0);
    CHECK_EQ(tok_registry_source_count(r), 1);
    tok_registry_close(r);
}
