/* tokscope chat. The counts are worked out by hand in tests/unit/test_chat.c; here: the
 * command's output formats, flags and exit statuses. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* system "You are a helpful assistant." + user alice "Hello, world!":
 * gpt-4o 10 + 10 + 3 = 23; gpt-oss-20b 50 + 13 + 10 + 2 = 75 (see test_chat.c). */
static const char conv_a[] =
    "[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
    " {\"role\":\"user\",\"name\":\"alice\",\"content\":\"Hello, world!\"}]";

TEST(chat_cli_table)
{
    const char *f = tmpfile_with("conv_a.json", conv_a);
    cli_result r = RUN("chat", "-m", "gpt-4o", f);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out,
              "gpt-4o: openai with o200k_base (3 per message, 1 per name, 3 for the reply), exact\n"
              "#  role      content overhead  tokens\n"
              "0  system          6        4      10\n"
              "1  user            4        6      10\n"
              "   (reply)                          3\n"
              "   total                           23\n"
              "part              tokens  label    rule\n"
              "framing               10  exact    OpenAI cookbook num_tokens_from_messages: 3 per "
              "message and the role (API-measured; RULES.md 2.2)\n"
              "system                 6  exact    the text, encoded on its own (OpenAI cookbook; "
              "API-measured, RULES.md 2.2)\n"
              "text                   4  exact    the text, encoded on its own (OpenAI cookbook; "
              "API-measured, RULES.md 2.2)\n"
              "reply                  3  exact    <|start|>assistant<|message|> primes the reply: 3 "
              "(OpenAI cookbook; API-measured)\n");
    CHECK_EQ(r.err_len, 0);
    cli_free(&r);
    /* standard input, and gpt-4o is the default model */
    r = RUN_IN(conv_a, "chat");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gpt-4o: openai") && strstr(r.out, "total                           23"));
    cli_free(&r);
    r = RUN_IN(conv_a, "chat", "-");
    CHECK(strstr(r.out, "total                           23"));
    cli_free(&r);
}

TEST(chat_cli_harmony_and_columns)
{
    const char *f = tmpfile_with("conv_a2.json", conv_a);
    cli_result r = RUN("chat", "-m", "gpt-oss-20b", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gpt-oss-20b: harmony with o200k_harmony, exact\n"));
    CHECK(strstr(r.out, "   (start)                         50\n"));
    CHECK(strstr(r.out, "0  system          6        7      13\n"));
    CHECK(strstr(r.out, "   total                           75\n"));
    cli_free(&r);
    /* an encoding: o200k_harmony is harmony's, without a model */
    r = RUN("chat", "-e", "o200k_harmony", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "o200k_harmony: harmony, exact\n"));
    CHECK(strstr(r.out, "   total                           75\n"));
    cli_free(&r);
    /* several models: one column each */
    r = RUN("chat", "-m", "gpt-4o", "-m", "gpt-3.5-turbo-0301", "-m", "gpt-oss-20b", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gpt-3.5-turbo-0301: openai with cl100k_base (4 per message, -1 per "
                        "name, 3 for the reply), exact\n"));
    CHECK(strstr(r.out, "#  role       gpt-4o gpt-3.5-turbo-0301 gpt-oss-20b\n"
                        "   (start)         0                  0          50\n"
                        "0  system         10                 11          13\n"
                        "1  user           10                  9          10\n"
                        "   (reply)         3                  3           2\n"
                        "   total          23                 23          75\n"));
    cli_free(&r);
}

TEST(chat_cli_json)
{
    const char *f = tmpfile_with("conv_a3.json", conv_a);
    cli_result r = RUN("chat", "--json", "-m", "gpt-4o", "-m", "gpt-oss-20b", f);
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    char *nl = strchr(r.out, '\n');
    CHECK(nl);
    cJSON *a = cJSON_ParseWithLength(r.out, (size_t)(nl - r.out)), *b = cJSON_Parse(nl + 1);
    CHECK(a && b);
    CHECK_STR(cJSON_GetObjectItem(a, "name")->valuestring, "gpt-4o");
    CHECK_STR(cJSON_GetObjectItem(a, "tokenizer")->valuestring, "o200k_base");
    CHECK_STR(cJSON_GetObjectItem(a, "convention")->valuestring, "openai");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(a, "exact")));
    CHECK_EQ(cJSON_GetObjectItem(a, "total")->valueint, 23);
    CHECK_EQ(cJSON_GetObjectItem(a, "tokens_per_message")->valueint, 3);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(a, "note")));
    cJSON *msgs = cJSON_GetObjectItem(a, "messages");
    CHECK_EQ(cJSON_GetArraySize(msgs), 2);
    cJSON *m1 = cJSON_GetArrayItem(msgs, 1);
    CHECK_STR(cJSON_GetObjectItem(m1, "role")->valuestring, "user");
    CHECK_EQ(cJSON_GetObjectItem(m1, "content")->valueint, 4);
    CHECK_EQ(cJSON_GetObjectItem(m1, "overhead")->valueint, 6);
    CHECK_EQ(cJSON_GetObjectItem(m1, "tokens")->valueint, 10);
    CHECK_STR(cJSON_GetObjectItem(b, "convention")->valuestring, "harmony");
    CHECK_EQ(cJSON_GetObjectItem(b, "prefix")->valueint, 50);
    CHECK_EQ(cJSON_GetObjectItem(b, "reply")->valueint, 2);
    CHECK_EQ(cJSON_GetObjectItem(b, "total")->valueint, 75);
    CHECK(cJSON_GetObjectItem(b, "tokens_per_message") == NULL);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cli_free(&r);
}

TEST(chat_cli_request_body_and_estimates)
{
    /* the request's model decides when no -m is given: 0301's 4 per message, -1 per name.
     * The tool definitions are counted now (they were left out, with a note, before the request
     * counter): a system message of their own 4 + "system" 1, the header 5 and the namespace
     * "namespace functions {\n\ntype f = () => any;\n\n} // namespace functions" 14 (cl100k);
     * an estimate on 0301, which had no function calling. */
    const char *body = "{\"model\":\"gpt-3.5-turbo-0301\",\"messages\":[{\"role\":\"user\","
                       "\"name\":\"alice\",\"content\":\"Hello, world!\"}],\"tools\":[{\"type\":"
                       "\"function\",\"function\":{\"name\":\"f\"}}]}";
    cli_result r = RUN_IN(body, "chat");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gpt-3.5-turbo-0301: openai with cl100k_base (4 per message, -1 per name"));
    CHECK(strstr(r.out, "estimate: function definitions on gpt-3.5-turbo-0301"));
    CHECK(strstr(r.out, "0  user            4        5       9\n")); /* 4 + 1 + 4 + 1 - 1 */
    CHECK(strstr(r.out, "   (tools)                        ~19\n"));
    CHECK(strstr(r.out, "total                          ~36\n")); /* 5 + 9 + 19 + 3 */
    cli_free(&r);
}

TEST(chat_cli_tokenizer_json_templates)
{
    const char *f = tmpfile_with("conv_b.json",
                                 "[{\"role\":\"system\",\"content\":\"You are helpful.\"},"
                                 " {\"role\":\"user\",\"content\":\"  hello world  \"},"
                                 " {\"role\":\"assistant\",\"content\":\"hi there!\"}]");
    /* 7 + 5 + 6 + 2 = 20 and 1 + 8 + 6 + 7 + 3 = 25 (test_chat.c) */
    cli_result r = RUN("chat", "-t", "tests/data/tiny_chatml.json", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "tests/data/tiny_chatml.json: chatml, exact\n"));
    CHECK(strstr(r.out, "total                           20\n"));
    cli_free(&r);
    r = RUN("chat", "-t", "tests/data/tiny_llama3.json", f);
    CHECK(strstr(r.out, "tests/data/tiny_llama3.json: llama3, exact\n"));
    CHECK(strstr(r.out, "   (start)                          1\n"));
    CHECK(strstr(r.out, "total                           25\n"));
    cli_free(&r);
    /* --template forces a convention; it must fit the tokenizer */
    r = RUN("chat", "-t", "tests/data/tiny_llama3.json", "--template", "openai", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, ": openai (3 per message"));
    cli_free(&r);
    r = RUN("chat", "-t", "tests/data/tiny_llama3.json", "--template", "chatml", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "the chatml convention needs the special tokens <|im_start|> <|im_end|>"));
    cli_free(&r);
    r = RUN("chat", "--template", "alpaca", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "--template must be openai, harmony, llama3, chatml or gemini, not 'alpaca'"));
    cli_free(&r);
    /* a tokenizer with no chat convention: say how to choose one */
    r = RUN("chat", "-t", "tests/data/tiny_bytelevel.json", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "no chat convention fits this tokenizer"));
    CHECK(strstr(r.err, "--chat-template"));
    CHECK(strstr(r.err, "name a convention (openai, harmony, llama3, chatml or gemini)"));
    cli_free(&r);
}

TEST(chat_cli_errors_and_limit)
{
    const char *f = tmpfile_with("conv_c.json", conv_a);
    cli_result r = RUN("chat", "--limit", "23", f);
    CHECK_EQ(r.status, 0);
    cli_free(&r);
    r = RUN("chat", "--limit", "22", f);
    CHECK_EQ(r.status, 1);
    CHECK(strstr(r.err, "23 tokens (gpt-4o) is over the limit of 22"));
    cli_free(&r);
    r = RUN("chat", "--limit", "x", f);
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    const char *bad = tmpfile_with("bad_chat.json",
                                   "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":5}]}]");
    r = RUN("chat", bad);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "bad_chat.json: messages[0].content[0].text: expected a string"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    r = RUN_IN("[{\"role\":\"user\",\n \"content\":\"x\",}]", "chat");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<stdin>: line 2, column 16: trailing comma (not valid JSON)"));
    cli_free(&r);
    r = RUN("chat", "/nonexistent/conv.json");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/conv.json: No such file or directory"));
    cli_free(&r);
    r = RUN("chat", f, f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "one request file at a time"));
    cli_free(&r);
    r = RUN("chat", "-m", "gpt-9000", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "gpt-9000"));
    cli_free(&r);
    r = RUN("chat", "--bogus");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "unknown option '--bogus'") && strstr(r.err, "tokscope chat --help"));
    cli_free(&r);
    r = RUN("chat", "-m");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "needs a value"));
    cli_free(&r);
    r = RUN("chat", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope chat") && strstr(r.out, "--template"));
    cli_free(&r);
}

/* ---- request bodies of every API ---- */

/* A 1000x1000 PNG header, as base64 (the image's pixels are never read). */
static const char png_1000[] =
    "iVBORw0KGgoAAAANSUhEUgAAA+gAAAPoCAIAAAAAAAAA";

TEST(chat_cli_anthropic_body)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"system\":\"Be brief.\","
             "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{"
             "\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"%s\"}},{\"type\":\"text\","
             "\"text\":\"What is this?\"}]}]}", png_1000);
    const char *f = tmpfile_with("anthropic.json", body);
    cli_result r = RUN("chat", f); /* the body's model: Claude, an estimate */
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "claude-sonnet-4-5: Anthropic Messages with o200k_base, text x 1.2 ("));
    CHECK(strstr(r.out, "incomplete: Anthropic publishes no message framing"));
    CHECK(strstr(r.out, "0  system    "));
    CHECK(strstr(r.out, "\nimages              ~1296  estimate Anthropic's published rule"));
    CHECK(strstr(r.out, "? message framing: Anthropic publishes no message framing"));
    CHECK(strstr(r.out, "   total                      >=~"));
    CHECK(strstr(r.err, "~ claude-sonnet-4-5: its tokenizer is not public"));
    cli_free(&r);
    r = RUN("chat", "--json", f);
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_STR(cJSON_GetObjectItem(j, "api")->valuestring, "anthropic");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "exact")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "complete")));
    cJSON *est = cJSON_GetObjectItem(j, "estimate");
    CHECK(est && cJSON_GetObjectItem(est, "factor")->valuedouble == 1.2);
    cJSON *img = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "parts"), "images");
    CHECK_EQ(cJSON_GetObjectItem(img, "tokens")->valueint, 1296);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")) >= 4);
    int total = cJSON_GetObjectItem(j, "total")->valueint;
    CHECK(cJSON_GetObjectItem(j, "total_low")->valueint <= total &&
          total <= cJSON_GetObjectItem(j, "total_high")->valueint);
    cJSON_Delete(j);
    cli_free(&r);
}

TEST(chat_cli_gemini_and_responses_bodies)
{
    const char *g = tmpfile_with("gemini.json",
                                 "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
                                 "\"Hello\"}]}],\"systemInstruction\":{\"parts\":[{\"text\":"
                                 "\"Be brief.\"}]}}");
    cli_result r = RUN("chat", g); /* no model in a Gemini body: -m is needed */
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "a Gemini body does not name its model"));
    cli_free(&r);
    r = RUN("chat", "-m", "gemini-2.5-flash", g);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gemini-2.5-flash: Gemini generateContent with "));
    CHECK(strstr(r.out, ", exact\n"));
    CHECK(strstr(r.out, "1  systemInstruction"));
    cli_free(&r);
    /* The same conversation as Chat Completions messages, for Gemini's OpenAI-compatible
     * endpoint: the same strings, each counted on its own, the same total as the native body. */
    r = RUN("chat", "-m", "gemini-2.5-flash", "--json", g);
    cJSON *nj = cJSON_Parse(r.out);
    double native = cJSON_GetNumberValue(cJSON_GetObjectItem(nj, "total"));
    cJSON_Delete(nj);
    cli_free(&r);
    CHECK(native >= 2);
    const char *oa = tmpfile_with("gemini_oa.json",
                                  "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":"
                                  "\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\","
                                  "\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}]}");
    r = RUN("chat", "--json", oa);
    CHECK_EQ(r.status, 0);
    cJSON *oj = cJSON_Parse(r.out);
    CHECK(oj && cJSON_GetNumberValue(cJSON_GetObjectItem(oj, "total")) == native);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(oj, "exact")));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(oj, "convention")), "gemini");
    cJSON_Delete(oj);
    cli_free(&r);
    r = RUN("chat", oa);
    CHECK(strstr(r.out, "gemini-2.5-flash: OpenAI Chat Completions through Gemini's "
                        "OpenAI-compatible endpoint with "));
    cli_free(&r);
    /* tool calls, tool results and tool definitions go through Google's unpublished
     * conversion: estimates, each named */
    const char *oat = tmpfile_with(
        "gemini_oa_tools.json",
        "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"Weather?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
        "\"c1\",\"type\":\"function\",\"function\":{\"name\":\"wx\",\"arguments\":\"{}\"}}]},"
        "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}],\"tools\":[{"
        "\"type\":\"function\",\"function\":{\"name\":\"wx\",\"description\":\"Weather\"}}]}");
    r = RUN("chat", oat);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\ntool definitions      ~"));
    CHECK(strstr(r.out, "\ntool calls            ~"));
    CHECK(strstr(r.out, "functionCall/functionResponse whose keys and values LocalTokenizer "
                        "counts"));
    CHECK(strstr(r.out, "\ntext                   "));
    cli_free(&r);
    const char *resp = tmpfile_with("responses.json",
                                    "{\"model\":\"gpt-4o\",\"instructions\":\"Be brief.\",\"input\":"
                                    "[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                                    "\"text\":\"Hi\"},{\"type\":\"input_image\",\"image_url\":"
                                    "\"https://example.com/a.png\"}]}]}");
    r = RUN("chat", resp);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "gpt-4o: OpenAI Responses as openai with o200k_base"));
    CHECK(strstr(r.out, "? input[0].content[1].image_url image (size unknown): a remote image"));
    cli_free(&r);
    r = RUN("chat", "--image-size", "1024x1024", resp);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\nimages              ~765  estimate OpenAI tiles: 85 + 170 x 4"));
    cli_free(&r);
    r = RUN("chat", "--image-size", "1024", resp);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "a size WIDTHxHEIGHT such as 1024x768"));
    cli_free(&r);
    /* --api names the body's API: the same body read as Anthropic's fails where it differs */
    r = RUN("chat", "--api", "anthropic", resp);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "no \"messages\""));
    cli_free(&r);
    r = RUN("chat", "--api", "grpc", resp);
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

TEST(chat_cli_tools_and_local_images)
{
    /* the cookbook's tool request on gpt-4o: 101 by the API (tests/cli/test_chat_api.c has every
     * measured request); a local image beside the request file is read, its header only */
    char dir[512];
    snprintf(dir, sizeof dir, "%s/imgs", test_tmpdir());
    const char *png = tmpfile_path("imgs/pic.png");
    char mk[600];
    snprintf(mk, sizeof mk, "mkdir -p %s", dir);
    CHECK(system(mk) == 0);
    static const unsigned char hdr[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                        'I', 'H', 'D', 'R', 0, 0, 4, 0, 0, 0, 3, 0};
    CHECK(write_file(png, hdr, sizeof hdr)); /* 1024 x 768 */
    const char *f = tmpfile_with("imgs/req.json",
                                 "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":"
                                 "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"pic.png\"}}]}]}");
    cli_result r = RUN("chat", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\nimages               765  exact    OpenAI tiles: 85 + 170 x 4 tiles"));
    cli_free(&r);
    const char *bad = tmpfile_with("imgs/bad.json",
                                   "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":"
                                   "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"none.png\"}}]}]}");
    r = RUN("chat", bad);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "messages[0].content[0].image_url.url: image file "));
    CHECK(strstr(r.err, "none.png: cannot be opened"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
}

TEST(chat_cli_cost_takes_the_body_model)
{
    const char *f = tmpfile_with("cost_body.json",
                                 "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                                 "\"content\":\"Hello\"}]}");
    cli_result r = RUN("cost", "--chat", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\ngpt-4o-mini "));
    CHECK(strstr(r.out, "  gpt-4o-mini: the request's parts: framing 4, text 1, reply 3"));
    cli_free(&r);
    const char *none = tmpfile_with("cost_nomodel.json",
                                    "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
    r = RUN("cost", "--chat", none);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "the request names no \"model\""));
    cli_free(&r);
    r = RUN("cost", "--chat", "--json", "-m", "claude-haiku-4-5", f);
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0);
    cJSON *chat = cJSON_GetObjectItem(m, "chat");
    CHECK(chat && cJSON_IsFalse(cJSON_GetObjectItem(chat, "complete"))); /* Anthropic framing */
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(chat, "parts"), "framing"));
    cJSON_Delete(j);
    cli_free(&r);
}
