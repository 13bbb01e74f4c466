/* -m MODEL means the same in every command: every name of the registry (case-insensitive,
 * provider prefixes, date suffixes, aliases) and tiktoken's OpenAI names; exact counts where the
 * tokenizer is public (the same as the reference file), marked estimates where it is not; the
 * local Hugging Face cache (hf:ORG/NAME, -m ORG/NAME). */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *text_file(void)
{
    return tmpfile_with("names.txt", "Tokenizers split text into tokens: 12345 words, "
                                     "caf\xc3\xa9, \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.\n");
}

/* The commands that take text and -m, with what they need besides. */
static const char *const commands[][4] = {
    {"count", NULL, NULL, NULL},  {"show", "-f", NULL, NULL},     {"explain", "-f", NULL, NULL},
    {"compare", NULL, NULL, NULL}, {"stats", NULL, NULL, NULL},    {"truncate", "-n", "5", NULL},
    {"chunk", "-n", "5", NULL},    {"vocab", NULL, NULL, NULL},     {"cost", NULL, NULL, NULL},
};

static cli_result run_cmd(size_t c, const char *model)
{
    const char *args[12];
    size_t n = 0;
    args[n++] = commands[c][0];
    args[n++] = "-m";
    args[n++] = model;
    for (int k = 1; k < 4 && commands[c][k]; k++)
        args[n++] = commands[c][k];
    if (strcmp(commands[c][0], "vocab") != 0)
        args[n++] = text_file();
    args[n] = NULL;
    return run_cli(args, NULL, 0);
}

TEST(every_command_takes_every_registry_name)
{
    static const char *const names[] = {
        "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5-20250929", "gemini-2.5-pro",
        "gemini/gemini-2.5-pro", "meta-llama/Llama-3.3-70B-Instruct", "DeepSeek-Chat",
        "GPT-4o", "openai/gpt-4o", "qwen3-max", "mistral-large-latest", "grok-4"};
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            cli_result r = run_cmd(c, names[i]);
            CHECK_MSG(r.status == 0, "%s -m %s: status %d: %s", commands[c][0], names[i],
                      r.status, r.err);
            cli_free(&r);
        }
}

TEST(unknown_names_list_the_closest_of_the_whole_registry)
{
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        cli_result r = run_cmd(c, "claude-sonet-4-5");
        CHECK_EQ(r.status, 2);
        CHECK_MSG(strstr(r.err, "claude-sonnet-4-5"), "%s: %s", commands[c][0], r.err);
        CHECK_STR(r.out, "");
        cli_free(&r);
    }
    cli_result r = RUN("count", "-m", "gemni-2.5-pro", text_file());
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "closest: gemini-2.5-pro"));
    cli_free(&r);
}

/* An exact model counts with its own tokenizer: the same as the reference file. */
static void same_count(const char *model, const char *hf_name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), hf_name);
    cli_result a = RUN("count", "-m", model, "README.md"), b = RUN("count", "-t", path, "README.md");
    CHECK_MSG(a.status == 0 && b.status == 0, "%s: %s %s", model, a.err, b.err);
    CHECK_MSG(strtoull(a.out, NULL, 10) == strtoull(b.out, NULL, 10), "%s: %s vs %s", model, a.out,
              b.out);
    CHECK_MSG(!strchr(a.out, '~') && !a.err[0], "%s is marked: %s %s", model, a.out, a.err);
    cli_free(&a);
    cli_free(&b);
}

TEST(public_tokenizers_count_exactly_by_model_name)
{
    same_count("gemini-2.5-pro", "gemma3");
    same_count("gemini-2.0-flash", "gemma3");
    same_count("gemma-3-27b", "gemma3");
    same_count("gemma-2-9b", "gemma2");
    same_count("llama-3.3-70b", "llama3_2");
    same_count("llama-3-8b", "llama3");
    same_count("qwen3-max", "qwen3");
    same_count("qwen2.5-72b", "qwen2_5");
    same_count("deepseek-chat", "deepseek_v3");
    same_count("deepseek-r1", "deepseek_v3");
    same_count("mistral-nemo", "mistral_nemo");
    same_count("mistral-7b", "mistral_7b");
}

TEST(estimates_are_marked_in_text_and_json)
{
    cli_result e = RUN("count", "-e", "o200k_base", "README.md");
    uint64_t raw = strtoull(e.out, NULL, 10);
    cli_free(&e);
    cli_result r = RUN("count", "-m", "claude-sonnet-4-5", "README.md");
    CHECK_EQ(r.status, 0);
    const char *p = r.out;
    while (*p == ' ')
        p++;
    CHECK(*p == '~');
    CHECK_EQ(strtoull(p + 1, NULL, 10), (raw * 12 + 9) / 10); /* x1.2, rounded up */
    CHECK(strstr(r.err, "~ claude-sonnet-4-5: its tokenizer is not public, so its counts are "
                        "estimates: o200k_base tokens x 1.2 (range x1.1-1.6); basis: "));
    cli_free(&r);
    r = RUN("count", "--json", "-m", "claude-opus-4-7", "-m", "gpt-4o", "README.md");
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    cJSON *est = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "estimated"), "claude-opus-4-7");
    CHECK(est);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(est, "exact")));
    CHECK(cJSON_GetObjectItem(est, "low")->valuedouble < cJSON_GetObjectItem(est, "high")->valuedouble);
    cJSON *how = cJSON_GetObjectItem(est, "estimate");
    CHECK(how && cJSON_GetObjectItem(how, "factor")->valuedouble == 1.55);
    CHECK(strstr(cJSON_GetObjectItem(how, "basis")->valuestring, "Source: "));
    CHECK(!cJSON_GetObjectItem(cJSON_GetObjectItem(j, "estimated"), "gpt-4o"));
    cJSON_Delete(j);
    cli_free(&r);
    /* show: the proxy's tokens under a title that says so; encode refuses: no ids to give */
    r = RUN_IN("hello world", "show", "-m", "grok-4");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "grok-4 -- the tokens of o200k_base, its proxy: ~3 tokens, range 1-3"));
    cli_free(&r);
    r = RUN_IN("hello world", "encode", "-m", "grok-4");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "grok-4: its tokenizer is not public, so its token ids cannot be known"));
    CHECK_STR(r.out, "");
    cli_free(&r);
    /* without the shipped vocabularies an exact model is an estimate that says why */
    r = run_cli_env(ARGS("count", "-m", "gemini-2.5-pro", "README.md"), NULL, 0,
                    ARGS("TOKSCOPE_DATA_DIR=/nonexistent"));
    CHECK_EQ(r.status, 0);
    CHECK(strchr(r.out, '~'));
    CHECK(strstr(r.err, "its vocabulary gemma3 is not installed (make vocabs builds it)"));
    cli_free(&r);
    r = run_cli_env(ARGS("encode", "-m", "gemini-2.5-pro"), "x", 1,
                    ARGS("TOKSCOPE_DATA_DIR=/nonexistent"));
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

/* A cache tree like huggingface_hub's: refs/main names the snapshot used. */
TEST(hugging_face_cache_lookup)
{
    char home[600], cmd[2400];
    snprintf(home, sizeof home, "%s/hfhome", test_tmpdir());
    snprintf(cmd, sizeof cmd,
             "set -e; m='%s/hub/models--acme--tiny-chat'; mkdir -p \"$m/refs\" "
             "\"$m/snapshots/aaa\" \"$m/snapshots/bbb\"; printf bbb > \"$m/refs/main\"; "
             "cp tests/data/tiny_llama3.json \"$m/snapshots/bbb/tokenizer.json\"; "
             "cp tests/data/tiny_bytelevel.json \"$m/snapshots/aaa/tokenizer.json\"; "
             "touch -d '2000-01-01' \"$m/snapshots/bbb/tokenizer.json\"",
             home);
    CHECK(system(cmd) == 0);
    char env[700];
    snprintf(env, sizeof env, "HF_HOME=%s", home);
    const char *const envs[] = {env, NULL};
    cli_result want = RUN("count", "-t", "tests/data/tiny_llama3.json", text_file());
    cli_result r = run_cli_env(ARGS("count", "-t", "hf:acme/tiny-chat", text_file()), NULL, 0, envs);
    CHECK_MSG(r.status == 0, "%s", r.err);
    CHECK_EQ(strtoull(r.out, NULL, 10), strtoull(want.out, NULL, 10));
    cli_free(&r);
    r = run_cli_env(ARGS("count", "-m", "acme/tiny-chat", text_file()), NULL, 0, envs);
    CHECK_MSG(r.status == 0, "%s", r.err);
    CHECK_EQ(strtoull(r.out, NULL, 10), strtoull(want.out, NULL, 10));
    cli_free(&r);
    cli_free(&want);
    /* without refs/main: the newest snapshot that has the file */
    snprintf(cmd, sizeof cmd, "rm '%s/hub/models--acme--tiny-chat/refs/main'", home);
    CHECK(system(cmd) == 0);
    want = RUN("count", "-t", "tests/data/tiny_bytelevel.json", text_file());
    r = run_cli_env(ARGS("count", "-t", "hf:acme/tiny-chat", text_file()), NULL, 0, envs);
    CHECK_EQ(strtoull(r.out, NULL, 10), strtoull(want.out, NULL, 10));
    cli_free(&r);
    cli_free(&want);
    r = run_cli_env(ARGS("count", "-t", "hf:acme/other", text_file()), NULL, 0, envs);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "hf:acme/other: no tokenizer.json for it in the Hugging Face cache"));
    CHECK(strstr(r.err, "models--acme--other"));
    cli_free(&r);
}

TEST(pack_command)
{
    char src[600], out[600];
    snprintf(src, sizeof src, "%s/qwen3/tokenizer.json", test_hf_dir());
    snprintf(out, sizeof out, "%s/q.tkz", test_tmpdir());
    cli_result r = RUN("pack", src, "-o", out);
    CHECK_MSG(r.status == 0, "%s", r.err);
    CHECK_STR(r.out, "");
    cli_free(&r);
    cli_result a = RUN("count", "-t", src, "README.md"), b = RUN("count", "-t", out, "README.md");
    CHECK(a.status == 0 && b.status == 0);
    CHECK_EQ(strtoull(a.out, NULL, 10), strtoull(b.out, NULL, 10));
    cli_free(&a);
    cli_free(&b);
    r = RUN("pack", src);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "give -o FILE"));
    cli_free(&r);
    r = RUN("pack", "vocabs/cl100k_base.tiktoken", "-o", out);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "only tokenizer.json files are packed"));
    cli_free(&r);
    r = RUN("pack", src, "-o", "/nonexistent/dir/x.tkz");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "cannot write the pack"));
    cli_free(&r);
}

/* A pipe or device that never ends is an error at a documented size, not unbounded memory. */
TEST(endless_input_is_bounded)
{
    cli_result r = RUN("count", "-t", "/dev/zero", "README.md");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/dev/zero: more than 256 MiB from a pipe or device"));
    cli_free(&r);
    r = RUN("count", "/dev/zero");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/dev/zero: more than 1024 MiB from a pipe or device"));
    CHECK_STR(r.out, "");
    cli_free(&r);
}
