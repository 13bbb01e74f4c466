/* cost: tok_cost_compute, tok_model_fit and tok_model_approx_count against totals worked out
 * by hand from the registry's published prices (USD per 1M tokens; 1 $/1M = 1,000,000
 * pUSD per token). */
#include "registry/registry.h"
#include "runner.h"

static tok_registry *reg;

static const tok_model *model(const char *name)
{
    if (!reg && tok_registry_open(&reg, NULL) != TOK_OK)
        return NULL;
    const tok_model *m = NULL;
    tok_model_find(reg, name, &m, NULL);
    return m;
}

static tok_cost cost(const char *name, uint64_t in, uint64_t cached, uint64_t write,
                     uint64_t out, uint64_t calls, bool batch, tok_status *st)
{
    tok_cost c;
    tok_cost_request req = {in, cached, write, out, calls, batch};
    *st = tok_cost_compute(model(name), &req, &c, NULL);
    return c;
}

TEST(cost_gpt4o_with_cached_input)
{
    /* 10,000 input of which 4,000 cached, 500 output, 1,000 calls:
     *   6,000 x $2.50/1M = $0.015; 4,000 x $1.25/1M = $0.005; 500 x $10/1M = $0.005
     *   = $0.025 per call, $25 for 1,000 */
    tok_status st;
    tok_cost c = cost("gpt-4o", 10000, 4000, 0, 500, 1000, false, &st);
    CHECK_EQ(st, TOK_OK);
    CHECK(c.tier == NULL);
    CHECK_EQ(c.input, 15000000000ull);
    CHECK_EQ(c.cached_input, 5000000000ull);
    CHECK_EQ(c.cache_write, 0);
    CHECK_EQ(c.output, 5000000000ull);
    CHECK_EQ(c.total, 25000000000ull);
    CHECK_EQ(c.calls, 1000);
    CHECK_EQ(c.total_calls_nano, 25000000000ull); /* $25 */
}

TEST(cost_claude_long_context_tier_with_cache_reads_and_writes)
{
    /* claude-sonnet-4, 250,000 input (over 200k: every token at the tier's prices):
     * 100,000 plain x $6 = $0.60; 100,000 cached x $0.60 = $0.06; 50,000 written x $7.50
     * = $0.375; 2,000 output x $22.50 = $0.045; total $1.08; 3 calls $3.24 */
    tok_status st;
    tok_cost c = cost("claude-sonnet-4", 250000, 100000, 50000, 2000, 3, false, &st);
    CHECK_EQ(st, TOK_OK);
    CHECK(c.tier && c.tier->above == 200000);
    CHECK_EQ(c.prices.input, 6000000);
    CHECK_EQ(c.input, 600000000000ull);
    CHECK_EQ(c.cached_input, 60000000000ull);
    CHECK_EQ(c.cache_write, 375000000000ull);
    CHECK_EQ(c.output, 45000000000ull);
    CHECK_EQ(c.total, 1080000000000ull);
    CHECK_EQ(c.total_calls_nano, 3240000000ull);
    /* exactly 200,000 is not over the threshold: base prices, 200,000 x $3 = $0.60 */
    c = cost("claude-sonnet-4", 200000, 0, 0, 0, 1, false, &st);
    CHECK(c.tier == NULL);
    CHECK_EQ(c.total, 600000000000ull);
    c = cost("claude-sonnet-4", 200001, 0, 0, 0, 1, false, &st);
    CHECK(c.tier != NULL);
    CHECK_EQ(c.total, 1200006000000ull); /* 200,001 x $6/1M */
}

TEST(cost_gemini_tier_and_rounding_to_nanodollars)
{
    /* gemini-2.5-pro, 200,001 input x $2.50 = $0.5000025, 1 output x $15 = $0.000015:
     * 500,017,500,000 pUSD; 7 calls = 3,500,122,500,000 pUSD = 3,500,122,500 nUSD */
    tok_status st;
    tok_cost c = cost("gemini-2.5-pro", 200001, 0, 0, 1, 7, false, &st);
    CHECK_EQ(st, TOK_OK);
    CHECK(c.tier && c.tier->above == 200000);
    CHECK_EQ(c.input, 500002500000ull);
    CHECK_EQ(c.output, 15000000ull);
    CHECK_EQ(c.total, 500017500000ull);
    CHECK_EQ(c.total_calls_nano, 3500122500ull);
    /* gpt-oss-20b caches at $0.0375/1M: one cached token is 37.5 nUSD, rounded half up */
    c = cost("gpt-oss-20b", 1, 1, 0, 0, 1, false, &st);
    CHECK_EQ(c.total, 37500);
    CHECK_EQ(c.total_calls_nano, 38);
    c = cost("gpt-oss-20b", 1, 1, 0, 0, 3, false, &st);
    CHECK_EQ(c.total_calls_nano, 113); /* 112.5 */
}

TEST(cost_qwen_three_tiers)
{
    /* qwen3-max: $1.2/$6 up to 32k, $2.4/$12 above 32k, $3/$15 above 128k */
    tok_status st;
    tok_cost c = cost("qwen3-max", 32000, 0, 0, 0, 1, false, &st);
    CHECK(c.tier == NULL);
    CHECK_EQ(c.total, 38400000000ull); /* 32,000 x $1.2 = $0.0384 */
    c = cost("qwen3-max", 100000, 0, 0, 1000, 1, false, &st);
    CHECK(c.tier && c.tier->above == 32000);
    CHECK_EQ(c.total, 252000000000ull); /* $0.24 + $0.012 */
    c = cost("qwen3-max", 130000, 0, 0, 0, 1, false, &st);
    CHECK(c.tier && c.tier->above == 128000);
    CHECK_EQ(c.total, 390000000000ull); /* 130,000 x $3 */
}

/* 0.1 is not a binary fraction: summed in double ten million times it drifts. Here it can't. */
TEST(cost_no_drift_over_many_calls)
{
    tok_status st;
    tok_cost c = cost("gpt-4.1-nano", 1, 0, 0, 0, 10000000, false, &st); /* $0.10 per 1M */
    CHECK_EQ(st, TOK_OK);
    CHECK_EQ(c.total, 100000);
    CHECK_EQ(c.total_calls_nano, 1000000000ull); /* exactly $1 */
    c = cost("gpt-4o-mini", 3, 0, 0, 7, 1000000, false, &st); /* 3 x 0.15 + 7 x 0.6 per 1M */
    CHECK_EQ(c.total, 4650000);
    CHECK_EQ(c.total_calls_nano, 4650000000ull); /* $4.65 */
}

TEST(cost_batch_prices)
{
    /* gpt-4o batch: $1.25 in, $5 out per 1M */
    tok_status st;
    tok_cost c = cost("gpt-4o", 1000, 0, 0, 1000, 1, true, &st);
    CHECK_EQ(st, TOK_OK);
    CHECK_EQ(c.total, 6250000000ull);
    /* no batch price published: unknown, never 0 */
    c = cost("gpt-5", 1000, 0, 0, 0, 1, true, &st);
    CHECK_EQ(c.input, TOK_COST_UNKNOWN);
    CHECK_EQ(c.total, TOK_COST_UNKNOWN);
    CHECK_EQ(c.total_calls_nano, TOK_COST_UNKNOWN);
    c = cost("gpt-4o", 1000, 10, 0, 0, 1, true, &st); /* cached reads in a batch: unknown */
    CHECK_EQ(c.cached_input, TOK_COST_UNKNOWN);
    CHECK_EQ(c.total, TOK_COST_UNKNOWN);
}

TEST(cost_unknown_prices_are_never_zero)
{
    tok_status st;
    /* llama-3.3-70b publishes no cached price: cached tokens make the total unknown */
    tok_cost c = cost("llama-3.3-70b", 1000, 500, 0, 0, 1, false, &st);
    CHECK_EQ(st, TOK_OK);
    CHECK_EQ(c.input, 295000000ull); /* 500 x $0.59 */
    CHECK_EQ(c.cached_input, TOK_COST_UNKNOWN);
    CHECK_EQ(c.total, TOK_COST_UNKNOWN);
    /* ...but zero tokens need no price */
    c = cost("llama-3.3-70b", 1000, 0, 0, 0, 1, false, &st);
    CHECK_EQ(c.total, 590000000ull);
    /* grok-4-1-fast's long-context tier gives no cached price */
    c = cost("grok-4-1-fast", 200000, 1000, 0, 0, 1, false, &st);
    CHECK(c.tier != NULL);
    CHECK_EQ(c.cached_input, TOK_COST_UNKNOWN);
    /* a model added from a file without prices */
    tok_error err;
    CHECK_EQ(tok_registry_load_memory(reg, "id\nbare-model\n", 14, "bare.tsv", &err), TOK_OK);
    c = cost("bare-model", 10, 0, 0, 10, 1, false, &st);
    CHECK_EQ(c.input, TOK_COST_UNKNOWN);
    CHECK_EQ(c.output, TOK_COST_UNKNOWN);
    CHECK_EQ(c.total, TOK_COST_UNKNOWN);
}

TEST(cost_bad_requests)
{
    tok_status st;
    tok_error err;
    tok_cost c;
    tok_cost_request req = {100, 60, 50, 0, 1, false}; /* 110 of 100 cached or written */
    CHECK_EQ(tok_cost_compute(model("claude-sonnet-4"), &req, &c, &err), TOK_EINVAL);
    CHECK(strstr(err.message, "more than the 100 input tokens"));
    cost("gpt-4o", UINT64_MAX / 2, 0, 0, 0, 1, false, &st);
    CHECK_EQ(st, TOK_ERANGE);
    cost("o1", 1000000, 0, 0, 100000, UINT64_MAX, false, &st); /* $21 x 2^64 calls */
    CHECK_EQ(st, TOK_ERANGE);
    c = cost("gpt-4o", 0, 0, 0, 0, 0, false, &st); /* 0 calls counts as 1 */
    CHECK_EQ(st, TOK_OK);
    CHECK_EQ(c.calls, 1);
    CHECK_EQ(c.total, 0);
    CHECK_EQ(tok_cost_compute(NULL, &req, &c, NULL), TOK_EINVAL);
}

TEST(cost_fit_windows)
{
    tok_fit f;
    const tok_model *m = model("gpt-4o"); /* 128,000 shared, at most 16,384 out */
    tok_model_fit(m, 120000, 8000, &f);
    CHECK(f.fits);
    CHECK_EQ(f.window, 128000);
    CHECK_EQ(f.left_for_output, 8000);
    CHECK_EQ(f.used_bp, 9375); /* 93.75% */
    tok_model_fit(m, 120000, 8001, &f);
    CHECK(!f.fits);
    CHECK(strstr(f.why, "together"));
    tok_model_fit(m, 128001, 0, &f);
    CHECK(!f.fits);
    CHECK(strstr(f.why, "input is larger"));
    CHECK_EQ(f.left_for_output, 0);
    tok_model_fit(m, 10, 16385, &f);
    CHECK(!f.fits);
    CHECK(strstr(f.why, "maximum output"));
    tok_model_fit(m, 1000, 0, &f);
    CHECK_EQ(f.left_for_output, 16384);
    CHECK_EQ(f.used_bp, 79); /* 0.78125% rounded up */
    m = model("gpt-5"); /* 272,000 in, 400,000 in + out, 128,000 out */
    tok_model_fit(m, 272000, 128000, &f);
    CHECK(f.fits);
    CHECK_EQ(f.used_bp, 10000);
    tok_model_fit(m, 272001, 0, &f);
    CHECK(!f.fits);
    tok_model_fit(m, 136000, 0, &f);
    CHECK_EQ(f.used_bp, 5000);
    CHECK_EQ(f.left_for_output, 128000);
    /* no limits known: nothing to check */
    tok_registry_load_memory(reg, "id\nno-limits\n", 13, "n.tsv", NULL);
    tok_model_fit(model("no-limits"), UINT64_MAX, UINT64_MAX, &f);
    CHECK(f.fits);
    CHECK_EQ(f.left_for_output, UINT64_MAX);
    CHECK_EQ(f.used_bp, 0);
}

TEST(cost_approx_counts_round_up)
{
    const tok_model *m = model("claude-sonnet-4"); /* x1.2 */
    CHECK_EQ(tok_model_approx_count(m, 0), 0);
    CHECK_EQ(tok_model_approx_count(m, 10), 12);
    CHECK_EQ(tok_model_approx_count(m, 11), 14); /* 13.2 */
    CHECK_EQ(tok_model_approx_count(model("gemini-1.5-pro"), 100), 114);
    uint64_t lo, hi; /* claude-sonnet-4: 1.10 - 1.60 */
    tok_model_approx_range(m, 11, &lo, &hi);
    CHECK_EQ(lo, 12); /* 12.1 down */
    CHECK_EQ(hi, 18); /* 17.6 up */
    tok_model_approx_range(model("gpt-4o"), 11, &lo, &hi);
    CHECK(lo == 11 && hi == 11);
    CHECK_EQ(tok_model_approx_count(model("gpt-4o"), 11), 11); /* exact: no factor */
}

TEST(cost_open_tokenizer_exact_or_estimated)
{
    tok_tokenizer *t;
    bool exact;
    tok_error err;
    CHECK_EQ(tok_model_open_tokenizer(model("gpt-4o"), NULL, 0, &t, &exact, &err), TOK_OK);
    CHECK(exact);
    CHECK_STR(tok_name(t), "o200k_base");
    tok_close(t);
    CHECK_EQ(tok_model_open_tokenizer(model("claude-opus-4-1"), NULL, 0, &t, &exact, &err), TOK_OK);
    CHECK(!exact);
    CHECK_STR(tok_name(t), "o200k_base");
    tok_close(t);
    /* the vocabulary tokscope ships: the pack make vocabs built counts exactly */
    CHECK_EQ(tok_model_open_tokenizer(model("gemini-2.5-pro"), NULL, 0, &t, &exact, &err), TOK_OK);
    CHECK(exact);
    CHECK(strstr(tok_name(t), "gemma3.tkz"));
    CHECK_EQ(tok_vocab_size(t), 262145);
    tok_close(t);
    /* a tokenizer file found in a directory counts exactly, before the shipped one */
    const char *dir = test_tmpdir();
    char sub[600], dst[700];
    snprintf(sub, sizeof sub, "%s/llama3.1", dir);
    snprintf(dst, sizeof dst, "%s/tokenizer.json", sub);
    size_t len;
    char *data = read_file("tests/data/tiny_llama3.json", &len);
    CHECK(data);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    CHECK(system(cmd) == 0);
    CHECK(write_file(dst, data, len));
    free(data);
    const char *dirs[] = {"/nonexistent", dir};
    CHECK_EQ(tok_model_open_tokenizer(model("llama-3.3-70b"), dirs, 2, &t, &exact, &err), TOK_OK);
    CHECK(exact);
    CHECK_STR(tok_format(t), "huggingface");
    CHECK_STR(tok_name(t), dst);
    tok_close(t);
    /* nowhere (no data directory either): the o200k estimate, never a silent exact */
    setenv("TOKSCOPE_DATA_DIR", "/nonexistent", 1);
    tok_status st = tok_model_open_tokenizer(model("llama-3.3-70b"), dirs, 1, &t, &exact, &err);
    unsetenv("TOKSCOPE_DATA_DIR");
    CHECK_EQ(st, TOK_OK);
    CHECK(!exact);
    CHECK_STR(tok_name(t), "o200k_base");
    tok_close(t);
    tok_registry_close(reg);
    reg = NULL;
}
