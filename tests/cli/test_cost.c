/* tokscope cost and tokscope models. "Hello world" is 2 tokens in o200k_base, so its costs
 * can be worked out by hand: gpt-4o 2 x $2.50/1M = $0.000005 (5,000 nUSD), gpt-4o-mini
 * 2 x $0.15/1M = 300 nUSD, claude-opus-4 ~3 tokens (2 x 1.2, rounded up) x $15/1M = 45,000 nUSD. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static const char *hello(void) { return tmpfile_with("hello.txt", "Hello world"); }

static cJSON *model_at(cJSON *root, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "models"), i);
}

static double num(cJSON *obj, const char *path)
{
    /* "cost.total.nano" */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *j = obj;
    for (char *save, *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
        j = cJSON_GetObjectItem(j, k);
    return cJSON_IsNumber(j) ? j->valuedouble : -1;
}

static const char *str(cJSON *obj, const char *key)
{
    cJSON *j = cJSON_GetObjectItem(obj, key);
    return cJSON_IsString(j) ? j->valuestring : "";
}

TEST(cost_table_cheapest_first)
{
    cli_result r = RUN("cost", hello(), "-m", "claude-opus-4", "-m", "gpt-4o-mini", "-m",
                       "openai/GPT-4o-2024-08-06");
    CHECK_EQ(r.status, 0);
    const char *a = strstr(r.out, "\ngpt-4o-mini "), *b = strstr(r.out, "\ngpt-4o "),
               *c = strstr(r.out, "\nclaude-opus-4 ");
    CHECK_MSG(a && b && c && a < b && b < c, "%s", r.out);
    CHECK(strstr(r.out, "1000 calls"));
    CHECK(strstr(r.out, "$0.000005")); /* gpt-4o per call */
    CHECK(strstr(r.out, "$0.005000")); /* gpt-4o, 1000 calls */
    CHECK(strstr(r.out, "$0.0450"));   /* claude-opus-4, 1000 calls */
    CHECK(strstr(c, " ~3 "));          /* approximate counts are marked */
    CHECK(strstr(r.out, "~ claude-opus-4: estimated as o200k_base tokens x 1.2 (range 2-4 "
                        "tokens, x1.1-1.6; no public tokenizer)"));
    CHECK(strstr(r.out, "Prices: built-in data of 2026-07-24"));
    CHECK_STR(r.err, "");
    cli_free(&r);
}

TEST(cost_json_parsed)
{
    cli_result r = RUN("cost", hello(), "-m", "claude-opus-4", "-m", "gpt-4o", "-m",
                       "gpt-4o-mini", "--json", "--calls", "1000");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK_MSG(j, "not JSON: %s", r.out);
    CHECK_STR(str(j, "data_date"), "2026-07-24");
    CHECK_EQ(num(j, "calls"), 1000);
    CHECK_EQ(num(j, "bytes"), 11);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "models")), 3);
    cJSON *m = model_at(j, 0);
    CHECK_STR(str(m, "id"), "gpt-4o-mini");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(m, "exact")));
    CHECK_EQ(num(m, "input_tokens"), 2);
    CHECK_EQ(num(m, "cost.total.nano"), 300);
    CHECK_EQ(num(m, "cost.calls_total.nano"), 300000);
    CHECK(num(m, "cost.calls_total.usd") == 0.0003);
    m = model_at(j, 1);
    CHECK_STR(str(m, "id"), "gpt-4o");
    CHECK_STR(str(m, "tokenizer"), "o200k_base");
    CHECK_EQ(num(m, "cost.input.nano"), 5000);
    CHECK(num(m, "cost.input.usd") == 0.000005);
    CHECK_EQ(num(m, "cost.output.nano"), 0);
    CHECK_EQ(num(m, "cost.calls_total.nano"), 5000000);
    CHECK_EQ(num(m, "max_input"), 128000);
    CHECK_EQ(num(m, "left_for_output"), 16384);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(m, "fits")));
    CHECK(num(m, "prices_per_million.input") == 2.5);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "prices_per_million"),
                                           "cache_write")));
    m = model_at(j, 2);
    CHECK_STR(str(m, "id"), "claude-opus-4");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(m, "exact")));
    CHECK(num(m, "approx_factor") == 1.2);
    CHECK_EQ(num(m, "counted_tokens"), 2);
    CHECK_EQ(num(m, "input_tokens"), 3);
    CHECK_EQ(num(m, "cost.total.nano"), 45000);
    CHECK_EQ(num(m, "cost.calls_total.nano"), 45000000);
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(cost_output_ratio_cached_share_batch)
{
    /* gpt-4o: output 2 x 1.5 = 3; cached 50% of 2 = 1: 1 x $2.50 + 1 x $1.25 + 3 x $10
     * = $0.00003375 = 33,750 nUSD */
    cli_result r = RUN("cost", hello(), "-m", "gpt-4o", "--output-ratio", "1.5",
                       "--cached-share", "50%", "--calls", "4", "--json");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    cJSON *m = model_at(j, 0);
    CHECK_EQ(num(m, "output_tokens"), 3);
    CHECK_EQ(num(m, "cached_tokens"), 1);
    CHECK_EQ(num(m, "cost.input.nano"), 2500);
    CHECK_EQ(num(m, "cost.cached_input.nano"), 1250);
    CHECK_EQ(num(m, "cost.output.nano"), 30000);
    CHECK_EQ(num(m, "cost.total.nano"), 33750);
    CHECK_EQ(num(m, "cost.calls_total.nano"), 135000);
    cJSON_Delete(j);
    cli_free(&r);
    /* the table gets cached and output columns */
    r = RUN("cost", hello(), "-m", "gpt-4o", "--output-tokens", "3", "--cached-tokens", "1");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "cached $"));
    CHECK(strstr(r.out, "$0.000034")); /* 33,750 nUSD rounded to six places */
    cli_free(&r);
    /* batch: 2 x $1.25/1M; gpt-5 publishes no batch price: unknown, not $0 */
    r = RUN("cost", hello(), "-m", "gpt-4o", "-m", "gpt-5", "--batch", "--json");
    CHECK_EQ(r.status, 0);
    j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_STR(str(model_at(j, 0), "id"), "gpt-4o");
    CHECK_EQ(num(model_at(j, 0), "cost.total.nano"), 2500);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(model_at(j, 1), "cost"), "total")));
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "gpt-5", "--batch");
    CHECK(strstr(r.out, "? gpt-5: no published batch input price"));
    cli_free(&r);
}

TEST(cost_unknown_prices_shown_as_unknown)
{
    cli_result r = RUN("cost", hello(), "-m", "llama-3.3-70b", "-m", "gpt-4o", "--cached-tokens", "1");
    CHECK_EQ(r.status, 0);
    const char *a = strstr(r.out, "\ngpt-4o "), *b = strstr(r.out, "\nllama-3.3-70b ");
    CHECK_MSG(a && b && a < b, "unknown totals sort last: %s", r.out);
    CHECK(strstr(b, " ?"));
    CHECK(strstr(r.out, "? llama-3.3-70b: no published cached input price"));
    cli_free(&r);
}

TEST(cost_tiers_from_a_price_file)
{
    /* a model whose long-context prices start above 1 token: "Hello world" (2) pays them */
    const char *p = tmpfile_with("tiered.tsv", "id\tmax_input\tinput\toutput\ttiers\n"
                                               "tiered\t1000\t1\t1\t1:input=10,output=20\n");
    cli_result r = RUN("cost", hello(), "-m", "tiered", "--prices", p, "--output-tokens", "1",
                       "--json");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    cJSON *m = model_at(j, 0);
    CHECK_EQ(num(m, "tier_above"), 1);
    CHECK_EQ(num(m, "cost.total.nano"), 40000); /* 2 x $10 + 1 x $20 per 1M = $0.00004 */
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(m, "exact"))); /* no tokenizer named: estimate */
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "tiered", "--prices", p);
    CHECK(strstr(r.out, "tiered: the input is over 1 tokens: long-context prices (input $10, "
                        "output $20 per 1M)"));
    CHECK(strstr(r.out, "Prices: built-in data of 2026-07-24; "));
    cli_free(&r);
}

TEST(cost_fit_warnings_and_exit_codes)
{
    const char *p = tmpfile_with("tiny.tsv", "id\tmax_input\tmax_output\tinput\toutput\n"
                                             "tiny-model\t5\t3\t1\t2\n");
    cli_result r = RUN("cost", hello(), "-m", "tiny-model", "--prices", p, "--output-tokens", "3");
    CHECK_EQ(r.status, 0); /* 2 + 3 = 5: just fits */
    CHECK_STR(r.err, "");
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "tiny-model", "--prices", p, "--output-tokens", "4");
    CHECK_EQ(r.status, 1);
    CHECK(strstr(r.out, "tiny-model")); /* the table is still printed */
    CHECK(strstr(r.err, "tiny-model: does not fit: ~2 input + 4 output tokens; the output asked "
                        "for is more than the model's maximum output"));
    cli_free(&r);
    const char *big = tmpfile_with("six.txt", "one two three four five six");
    r = RUN("cost", big, "-m", "tiny-model", "--prices", p);
    CHECK_EQ(r.status, 1);
    CHECK(strstr(r.err, "the input is larger than the context window"));
    cli_free(&r);
    /* gpt-4o-2024-05-13 allows 4,096 output tokens; another model that fits does not hide it */
    r = RUN("cost", hello(), "-m", "gpt-4o", "-m", "gpt-4o-2024-05-13", "--output-tokens", "5000");
    CHECK_EQ(r.status, 1);
    CHECK(strstr(r.err, "gpt-4o-2024-05-13: does not fit"));
    CHECK(!strstr(r.err, "gpt-4o: does not fit"));
    CHECK(strstr(r.out, "  !\n"));
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "gpt-4o-2024-05-13", "--output-tokens", "5000", "--json");
    CHECK_EQ(r.status, 1);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(model_at(j, 0), "fits")));
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(cost_errors_exit_2)
{
    cli_result r = RUN("cost", hello(), "-m", "gpt-5o");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown model 'gpt-5o' (closest: "));
    CHECK(strstr(r.err, "gpt-5"));
    CHECK_STR(r.out, "");
    cli_free(&r);
    r = RUN("cost", hello());
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "name at least one model with -m"));
    cli_free(&r);
    static const char *const bad_args[][3] = {
        {"--output-tokens", "many", "--output-tokens needs a whole number"},
        {"--output-ratio", "-1", "--output-ratio needs a decimal number"},
        {"--cached-share", "1.5", "--cached-share needs a share from 0 to 1"},
        {"--cached-share", "120%", "--cached-share needs a share"},
        {"--calls", "0", "--calls needs a whole number above 0"},
    };
    for (size_t i = 0; i < sizeof bad_args / sizeof bad_args[0]; i++) {
        r = RUN("cost", hello(), "-m", "gpt-4o", bad_args[i][0], bad_args[i][1]);
        CHECK_EQ(r.status, 2);
        CHECK_MSG(strstr(r.err, bad_args[i][2]), "%s", r.err);
        cli_free(&r);
    }
    r = RUN("cost", hello(), "-m", "gpt-4o", "--output-tokens", "1", "--output-ratio", "1");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "gpt-4o", "--cached-tokens", "3");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "gpt-4o: 3 cached and 0 cache-write tokens are more than its 2 input"));
    cli_free(&r);
    r = RUN("cost", "/nonexistent/file.txt", "-m", "gpt-4o");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("cost", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope cost"));
    cli_free(&r);
}

TEST(cost_malformed_price_files_exit_2)
{
    const char *j = tmpfile_with("bad.json", "{\"m\": {\"input_cost_per_token\": \"abc\"}}");
    cli_result r = RUN("cost", hello(), "-m", "gpt-4o", "--prices", j);
    CHECK_EQ(r.status, 2);
    CHECK_MSG(strstr(r.err, "bad.json:1:32: 'm'.input_cost_per_token: expected a number"), "%s",
              r.err);
    CHECK_STR(r.out, "");
    cli_free(&r);
    const char *t = tmpfile_with("bad.tsv", "id\tinput\ngpt-4o\tcheap\n");
    r = RUN("models", "--prices", t);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "bad.tsv:2:8: input 'cheap' is not a price"));
    cli_free(&r);
    r = RUN("models", "--prices", "/nonexistent/prices.json");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/prices.json"));
    cli_free(&r);
}

/* The real LiteLLM file, as LiteLLM publishes it (the committed snapshot, unzipped). */
static const char *snapshot_file(void)
{
    static char path[600];
    if (path[0])
        return path;
    size_t len;
    char *data = read_gz("vocabs/prices/litellm_model_prices_2026-07-24.json.gz", &len);
    if (!data)
        return NULL;
    snprintf(path, sizeof path, "%s", tmpfile_path("model_prices_and_context_window.json"));
    bool ok = write_file(path, data, len);
    free(data);
    return ok ? path : NULL;
}

TEST(cost_with_the_litellm_file)
{
    const char *p = snapshot_file();
    CHECK(p);
    cli_result r = RUN("cost", hello(), "-m", "azure/gpt-4o", "-m", "gpt-4o", "--prices", p,
                       "--json");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    cJSON *src = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "sources"), 1);
    CHECK_STR(str(src, "format"), "litellm");
    CHECK_STR(str(src, "date"), "2026-07-24");
    for (int i = 0; i < 2; i++) {
        cJSON *m = model_at(j, i);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(m, "exact")));
        CHECK_EQ(num(m, "cost.total.nano"), 5000); /* $2.50 per 1M at Azure too */
        CHECK(strstr(str(m, "source"), "model_prices_and_context_window.json, key "));
    }
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("models", "--prices", p);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "model_prices_and_context_window.json (litellm, 2026-07-24: "));
    CHECK(strstr(r.out, "replaced, "));
    CHECK(strstr(r.out, "\nazure/gpt-4o "));
    cli_free(&r);
}

TEST(cost_chat_messages)
{
    const char *chat = tmpfile_with("conv.json", "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                                 "{\"role\":\"user\",\"content\":\"Hello world\"}]");
    cli_result c = RUN("chat", chat, "-m", "gpt-4o", "--json");
    CHECK_EQ(c.status, 0);
    cJSON *cj = cJSON_Parse(c.out);
    CHECK(cj);
    double total = num(cj, "total");
    cJSON_Delete(cj);
    cli_free(&c);
    CHECK(total > 5);
    cli_result r = RUN("cost", chat, "--chat", "-m", "gpt-4o", "-m", "claude-haiku-4-5", "--json");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "chat")));
    CHECK_STR(str(model_at(j, 1), "id"), "gpt-4o"); /* $2.50 per 1M, after Haiku's $1 */
    CHECK_EQ(num(model_at(j, 1), "input_tokens"), total);
    CHECK_EQ(num(model_at(j, 0), "counted_tokens"), total); /* o200k with OpenAI's framing */
    /* Claude's estimate scales the text (roles and contents), not the fixed framing tokens
     * standing in for Claude's (3 per message and 3 for the reply: 9); before the request
     * counter the whole count was scaled */
    CHECK_EQ(num(model_at(j, 0), "input_tokens"), 9 + ((long long)(total - 9) * 12 + 9) / 10);
    cJSON_Delete(j);
    cli_free(&r);
    /* tool calls: OpenAI does not document their framing, so even gpt-4o's count is ~ */
    const char *tools = tmpfile_with("tools.json",
        "[{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":null,"
        "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        "\"arguments\":\"{}\"}}]}]");
    r = RUN("cost", tools, "--chat", "-m", "gpt-4o");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "~ gpt-4o: part of the request is an estimate: tool calls framed like "
                        "function_call"));
    CHECK(strstr(r.out, "  gpt-4o: the request's parts: framing 8, text 2, tool calls 6, reply 3"));
    cli_free(&r);
    r = RUN("cost", tools, "--chat", "-m", "gpt-4o", "--json");
    j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(model_at(j, 0), "exact")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(model_at(j, 0), "approx_factor")));
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("cost", hello(), "--chat", "-m", "gpt-4o"); /* not a conversation */
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

TEST(cost_tokenizer_files_count_exactly)
{
    /* the model's own tokenizer file: checked against the model's vocabulary, then exact */
    char real[600];
    snprintf(real, sizeof real, "llama-3.3-70b=%s/llama3_2/tokenizer.json", test_hf_dir());
    cli_result r = RUN("cost", hello(), "-m", "llama-3.3-70b", "-t", real, "--json");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(model_at(j, 0), "exact")));
    CHECK(strstr(str(model_at(j, 0), "tokenizer"), "llama3_2/tokenizer.json"));
    cJSON_Delete(j);
    cli_free(&r);
    /* a file that is not the model's tokenizer is refused, not counted as exact */
    r = RUN("cost", hello(), "-m", "llama-3.3-70b", "-t", "tests/data/tiny_llama3.json");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "tests/data/tiny_llama3.json is not llama-3.3-70b's tokenizer"));
    CHECK_STR(r.out, "");
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "gpt-4o", "-t", "gpt-4o=tests/data/tiny_bytelevel.json");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "is not gpt-4o's tokenizer (o200k_base)"));
    cli_free(&r);
    /* a model whose tokenizer cannot be had here: the file is used, never called exact */
    r = RUN("cost", hello(), "-m", "claude-sonnet-4-5", "-t", "tests/data/tiny_llama3.json",
            "--json");
    CHECK_EQ(r.status, 0);
    j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(model_at(j, 0), "exact")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(model_at(j, 0), "approx_factor"))); /* not scaled */
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "claude-sonnet-4-5", "-t", "tests/data/tiny_llama3.json");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "could not be checked against claude-sonnet-4-5's own tokenizer (not "
                        "public), so the count is not called exact"));
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "llama-3.3-70b", "-m", "gpt-4o", "-t",
            "tests/data/tiny_llama3.json");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "with several models, -t needs MODEL=PATH"));
    cli_free(&r);
    /* a -t for a model that is not priced here is a mistake, not silently ignored */
    r = RUN("cost", hello(), "-m", "gpt-4o", "-t", "llama-3.3-70b=tests/data/tiny_llama3.json");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "'llama-3.3-70b' is not one of the -m models"));
    CHECK_STR(r.out, "");
    cli_free(&r);
    /* the registry's vocabulary (llama3.1): shipped with tokscope (make vocabs) it counts
     * exactly; without it (no data directory) an estimate that says what is missing */
    static const char *const no_data[] = {"TOKSCOPE_DATA_DIR=/nonexistent", NULL};
    r = run_cli_env(ARGS("cost", hello(), "-m", "llama-3.1-8b"), NULL, 0, no_data);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "~ llama-3.1-8b: estimated as o200k_base tokens x 1 (range "));
    CHECK(strstr(r.out, "its vocabulary llama3.1 is not installed (make vocabs, or --tokenizer-dir)"));
    cli_free(&r);
    r = RUN("cost", hello(), "-m", "llama-3.1-8b", "--json");
    CHECK_EQ(r.status, 0);
    j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(model_at(j, 0), "exact")));
    CHECK(strstr(str(model_at(j, 0), "tokenizer"), "llama3.1.tkz"));
    CHECK(strstr(str(model_at(j, 0), "basis"), "checked against npm tokenizers 0.23.2"));
    cJSON_Delete(j);
    cli_free(&r);
    /* a directory of the user's holding NAME/tokenizer.json: found before the data directory */
    char dir[600], cmd[1400];
    snprintf(dir, sizeof dir, "%s/tk", test_tmpdir());
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/llama3.1' && cp tests/data/tiny_llama3.json '%s/llama3.1/tokenizer.json'",
             dir, dir);
    CHECK(system(cmd) == 0);
    r = run_cli_env(ARGS("cost", hello(), "-m", "llama-3.1-8b", "--tokenizer-dir", dir, "--json"),
                    NULL, 0, no_data);
    CHECK_EQ(r.status, 0);
    j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(model_at(j, 0), "exact")));
    CHECK(strstr(str(model_at(j, 0), "tokenizer"), "llama3.1/tokenizer.json"));
    cJSON_Delete(j);
    cli_free(&r);
    char env[700];
    snprintf(env, sizeof env, "TOKSCOPE_TOKENIZER_PATH=/nonexistent:%s", dir);
    r = run_cli_env(ARGS("cost", hello(), "-m", "llama-3.1-8b"), NULL, 0,
                    (const char *const[]){env, no_data[0], NULL});
    CHECK_EQ(r.status, 0);
    CHECK(!strstr(r.out, "~"));
    cli_free(&r);
}

TEST(models_lists_the_registry)
{
    cli_result r = RUN("models");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\ngpt-4o "));
    CHECK(strstr(r.out, "\nclaude-sonnet-4-5 "));
    CHECK(strstr(r.out, "~o200k_base x1.2 [1.1-1.6]"));
    CHECK(strstr(r.out, "\nllama-3.3-70b                  meta      llama3.1 "));
    CHECK(strstr(r.out, "\ngemini-2.5-pro                 google    gemma3 "));
    CHECK(strstr(r.out, "\n76 models; USD per million tokens"));
    cli_free(&r);
    /* without the shipped vocabularies the table says so, and what the estimate would be */
    r = run_cli_env(ARGS("models", "--provider", "meta"), NULL, 0,
                    (const char *const[]){"TOKSCOPE_DATA_DIR=/nonexistent", NULL});
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "llama3.1 (not installed: ~o200k_base x1)"));
    CHECK(strstr(r.out, "Data: built-in data of 2026-07-24"));
    cli_free(&r);
    r = RUN("models", "--provider", "Anthropic");
    CHECK_EQ(r.status, 0);
    size_t rows = 0;
    for (const char *l = strchr(r.out, '\n') + 1; *l && strncmp(l, "13 models", 9); rows++) {
        CHECK_MSG(strstr(l, " anthropic ") && strstr(l, " anthropic ") < strchr(l, '\n'), "%.60s", l);
        l = strchr(l, '\n') + 1;
    }
    CHECK_EQ(rows, 13);
    cli_free(&r);
    r = RUN("models", "--provider", "nobody");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN("models", "--json");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_STR(str(j, "data_date"), "2026-07-24");
    cJSON *ms = cJSON_GetObjectItem(j, "models");
    CHECK(cJSON_GetArraySize(ms) >= 40);
    cJSON *m;
    cJSON_ArrayForEach(m, ms) {
        CHECK(str(m, "source")[0] && strlen(str(m, "date")) == 10);
        const char *ex = str(m, "exact");
        CHECK(!strcmp(ex, "always") || !strcmp(ex, "never") || !strcmp(ex, "with-vocabulary"));
        if (!strcmp(str(m, "id"), "claude-sonnet-4")) {
            CHECK_STR(ex, "never");
            CHECK(num(m, "approx.factor") == 1.2);
            CHECK_EQ(num(m, "max_input"), 1000000);
            cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "tiers"), 0);
            CHECK_EQ(num(t, "above"), 200000);
            CHECK(num(t, "usd_per_million.output") == 22.5);
        }
    }
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("models", "extra");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}
