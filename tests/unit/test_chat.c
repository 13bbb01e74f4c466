/* chat: tok_chat_count_json against hand-computed totals for each convention, OpenAI's own
 * API-checked numbers, openai/harmony's test data, and the JSON-path errors.
 *
 * Token counts of the pieces below come from `tokscope encode -e ENCODING 'TEXT'` (ids shown
 * where they help). o200k_base, cl100k_base and o200k_harmony agree on all of these:
 *   "system" 1, "user" 1, "assistant" 1, "developer" 1, "alice" 1, ":alice" 2 (25 148206),
 *   "You are a helpful assistant." 6, "Hello, world!" 4, "final" 1, "commentary" 2
 *   (12606 815), " to=functions.get_weather" 5, "json" 1, " " 1, "{"city":"Paris"}" 5,
 *   "functions.get_weather" 3, " to=assistant" 3, "{"temp":21}" 5, "get_weather" 2,
 *   "It is 21 degrees." 6, "Checking." 2, "What is the weather in Paris?" 7,
 *   "# Instructions\n\nYou are a helpful assistant." 9,
 *   harmony's default system text (SystemContent::new(), 5 lines) 46. */
#include "api/api.h"
#include "runner.h"

static tok_tokenizer *open_name(const char *name)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open(name, &t, &err) != TOK_OK)
        fprintf(stderr, "%s\n", err.message);
    return t;
}

static size_t count_special(const tok_tokenizer *t, const char *s)
{
    size_t n = 0;
    tok_encode_options o = {TOK_SPECIAL_ALLOW, 0};
    tok_count(t, s, strlen(s), &o, &n, NULL);
    return n;
}

/* The cookbook's example conversation (openai-cookbook, "How to count tokens with tiktoken",
 * section 6), whose counts the notebook checks against the API's usage.prompt_tokens. */
static const char cookbook[] =
    "[{\"role\": \"system\", \"content\": \"You are a helpful, pattern-following assistant that "
    "translates corporate jargon into plain English.\"},"
    "{\"role\": \"system\", \"name\": \"example_user\", \"content\": \"New synergies will help "
    "drive top-line growth.\"},"
    "{\"role\": \"system\", \"name\": \"example_assistant\", \"content\": \"Things working well "
    "together will increase revenue.\"},"
    "{\"role\": \"system\", \"name\": \"example_user\", \"content\": \"Let's circle back when we "
    "have more bandwidth to touch base on opportunities for increased leverage.\"},"
    "{\"role\": \"system\", \"name\": \"example_assistant\", \"content\": \"Let's talk later when "
    "we're less busy about how to do better.\"},"
    "{\"role\": \"user\", \"content\": \"This late pivot means we don't have time to boil the "
    "ocean for the client deliverable.\"}]";

TEST(chat_openai_matches_the_cookbook_api_counts)
{
    static const struct {
        const char *model;
        uint64_t total;
    } want[] = {{"gpt-4o", 124}, {"gpt-4o-mini", 124}, {"gpt-4-0613", 129},
                {"gpt-3.5-turbo", 129}, {"gpt-3.5-turbo-0301", 127}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        tok_tokenizer *t = open_name(want[i].model);
        CHECK(t);
        tok_chat_count c;
        tok_error err;
        CHECK_MSG(tok_chat_count_json(t, want[i].model, cookbook, strlen(cookbook), &c, &err) ==
                      TOK_OK,
                  "%s", err.message);
        CHECK_MSG(c.total == want[i].total, "%s: %llu, expected %llu", want[i].model,
                  (unsigned long long)c.total, (unsigned long long)want[i].total);
        CHECK_STR(c.convention, "openai");
        CHECK(c.exact);
        CHECK_EQ(c.n_messages, 6);
        CHECK_EQ(c.reply, 3);
        CHECK_STR(c.messages[5].role, "user");
        uint64_t sum = c.prefix + c.reply;
        for (size_t k = 0; k < c.n_messages; k++) {
            CHECK_EQ(c.messages[k].total, c.messages[k].content + c.messages[k].overhead);
            sum += c.messages[k].total;
        }
        CHECK_EQ(sum, c.total);
        tok_chat_count_free(&c);
        tok_close(t);
    }
}

static const char conv_a[] =
    "[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
    " {\"role\":\"user\",\"name\":\"alice\",\"content\":\"Hello, world!\"}]";

TEST(chat_openai_hand_computed)
{
    /* gpt-4o (o200k_base):
     *   system: 3 + "system" 1 + content 6            = 10 (overhead 4, content 6)
     *   user:   3 + "user" 1 + content 4 + "alice" 1 + 1 = 10 (overhead 6, content 4)
     *   reply 3                                        total 23 */
    tok_tokenizer *t = open_name("gpt-4o");
    CHECK(t);
    tok_chat_count c;
    CHECK(tok_chat_count_json(t, "gpt-4o", conv_a, strlen(conv_a), &c, NULL) == TOK_OK);
    CHECK_EQ(c.total, 23);
    CHECK_EQ(c.messages[0].overhead, 4);
    CHECK_EQ(c.messages[0].content, 6);
    CHECK_EQ(c.messages[1].overhead, 6);
    CHECK_EQ(c.messages[1].content, 4);
    CHECK_EQ(c.tokens_per_message, 3);
    CHECK_EQ(c.tokens_per_name, 1);
    CHECK(c.exact && c.note == NULL);
    tok_chat_count_free(&c);
    tok_close(t);
    /* gpt-3.5-turbo-0301 (cl100k_base): 4 per message, -1 for a name
     *   system: 4 + 1 + 6 = 11;  user: 4 + 1 + 4 + 1 - 1 = 9;  reply 3;  total 23 */
    t = open_name("gpt-3.5-turbo-0301");
    CHECK(tok_chat_count_json(t, "gpt-3.5-turbo-0301", conv_a, strlen(conv_a), &c, NULL) ==
          TOK_OK);
    CHECK_EQ(c.messages[0].total, 11);
    CHECK_EQ(c.messages[1].total, 9);
    CHECK_EQ(c.total, 23);
    CHECK_EQ(c.tokens_per_message, 4);
    CHECK_EQ(c.tokens_per_name, -1);
    tok_chat_count_free(&c);
    /* a request body names its model: with model NULL it decides the overheads */
    const char *body = "{\"model\":\"gpt-3.5-turbo-0301\",\"temperature\":0,\"messages\":[{\"role\":"
                       "\"user\",\"name\":\"alice\",\"content\":\"Hello, world!\"}]}";
    CHECK(tok_chat_count_json(t, NULL, body, strlen(body), &c, NULL) == TOK_OK);
    CHECK_EQ(c.total, 9 + 3);
    tok_chat_count_free(&c);
    tok_close(t);
}

TEST(chat_openai_estimates_are_marked)
{
    tok_tokenizer *t = open_name("gpt-4o");
    CHECK(t);
    tok_chat_count c;
    /* two text parts: 3 + 1 + ("Hello, world!" 4 + "Checking." 2) = 10, + 3 */
    const char *parts = "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, "
                        "world!\"},{\"type\":\"text\",\"text\":\"Checking.\"}]}]";
    CHECK(tok_chat_count_json(t, NULL, parts, strlen(parts), &c, NULL) == TOK_OK);
    CHECK_EQ(c.total, 13);
    CHECK(!c.exact && c.note && strstr(c.note, "several parts"));
    tok_chat_count_free(&c);
    /* one part is the same as a string, and exact */
    const char *one = "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, "
                      "world!\"}]}]";
    CHECK(tok_chat_count_json(t, NULL, one, strlen(one), &c, NULL) == TOK_OK);
    CHECK_EQ(c.total, 3 + 1 + 4 + 3);
    CHECK(c.exact);
    tok_chat_count_free(&c);
    /* r50k_base has no chat models: the overheads are OpenAI's, the count an estimate */
    tok_tokenizer *r = open_name("r50k_base");
    CHECK(tok_chat_count_json(r, NULL, one, strlen(one), &c, NULL) == TOK_OK);
    CHECK_STR(c.convention, "openai");
    CHECK(!c.exact);
    tok_chat_count_free(&c);
    tok_close(r);
    tok_close(t);
}

TEST(chat_harmony_hand_computed)
{
    /* gpt-oss-20b (o200k_harmony), harmony's rendering:
     *   <|start|>system<|message|>{default system text}<|end|>  3 + 1 + 46            = 50
     *   <|start|>developer<|message|># Instructions\n\nYou are a helpful assistant.<|end|>
     *                                                            3 + 1 + 9             = 13
     *   <|start|>user:alice<|message|>Hello, world!<|end|>       3 + 1 + 2 + 4         = 10
     *   <|start|>assistant                                       1 + 1                 =  2
     *                                                                          total     75 */
    tok_tokenizer *t = open_name("gpt-oss-20b");
    CHECK(t);
    tok_chat_count c;
    tok_error err;
    CHECK_MSG(tok_chat_count_json(t, "gpt-oss-20b", conv_a, strlen(conv_a), &c, &err) == TOK_OK,
              "%s", err.message);
    CHECK_STR(c.convention, "harmony");
    CHECK(c.exact);
    CHECK_EQ(c.prefix, 50);
    CHECK_EQ(c.messages[0].total, 13);
    CHECK_EQ(c.messages[0].content, 6);
    CHECK_EQ(c.messages[1].total, 10);
    CHECK_EQ(c.reply, 2);
    CHECK_EQ(c.total, 75);
    CHECK_EQ(c.tokens_per_message, 0);
    tok_chat_count_free(&c);
    /* the same rendering written out and encoded in one go */
    const char *text =
        "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
        "Knowledge cutoff: 2024-06\n\nReasoning: medium\n\n# Valid channels: analysis, "
        "commentary, final. Channel must be included for every message.<|end|>"
        "<|start|>developer<|message|># Instructions\n\nYou are a helpful assistant.<|end|>"
        "<|start|>user:alice<|message|>Hello, world!<|end|><|start|>assistant";
    CHECK_EQ(count_special(t, text), 75);
    tok_close(t);
}

TEST(chat_harmony_matches_harmony_test_data)
{
    /* openai/harmony test-data/test_simple_convo.txt: the default system message, "What is
     * 2 + 2?" from the user, and the reply primed; harmony's test checks that rendering the
     * conversation gives exactly the tokens of this text. */
    const char *text =
        "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
        "Knowledge cutoff: 2024-06\n\nReasoning: medium\n\n# Valid channels: analysis, "
        "commentary, final. Channel must be included for every message.<|end|><|start|>user"
        "<|message|>What is 2 + 2?<|end|><|start|>assistant";
    tok_tokenizer *t = open_name("o200k_harmony");
    CHECK(t);
    const char *conv = "[{\"role\":\"user\",\"content\":\"What is 2 + 2?\"}]";
    tok_chat_count c;
    CHECK(tok_chat_count_json(t, NULL, conv, strlen(conv), &c, NULL) == TOK_OK);
    CHECK_STR(c.convention, "harmony"); /* from the tokenizer alone */
    CHECK_EQ(c.total, count_special(t, text));
    CHECK_EQ(c.total, 64);
    tok_chat_count_free(&c);
    tok_close(t);
}

static const char tool_conv[] =
    "[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
    " {\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":[{\"id\":\"call_1\","
    "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
    "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
    " {\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"{\\\"temp\\\":21}\"},"
    " {\"role\":\"assistant\",\"content\":\"It is 21 degrees.\"}]";

TEST(chat_harmony_tool_calls)
{
    /* harmony, after the 50-token system message:
     *   <|start|>user<|message|>What is the weather in Paris?<|end|>        3 + 1 + 7   = 11
     *   <|start|>assistant<|channel|>commentary<|message|>Checking.<|end|>  4 + 1 + 2 + 2 = 9
     *   <|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json
     *     <|message|>{"city":"Paris"}<|call|>                    5 + 1 + 5 + 2 + 1 + 1 + 5 = 20
     *   <|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>
     *     {"temp":21}<|end|>                                          4 + 3 + 3 + 2 + 5 = 17
     *   <|start|>assistant<|channel|>final<|message|>It is 21 degrees.<|end|> 4 + 1 + 1 + 6 = 12
     *   <|start|>assistant                                                               2
     *   total 50 + 11 + 29 + 17 + 12 + 2 = 121 */
    tok_tokenizer *t = open_name("gpt-oss-120b");
    CHECK(t);
    tok_chat_count c;
    tok_error err;
    CHECK_MSG(tok_chat_count_json(t, "gpt-oss-120b", tool_conv, strlen(tool_conv), &c, &err) ==
                  TOK_OK,
              "%s", err.message);
    CHECK_EQ(c.messages[0].total, 11);
    CHECK_EQ(c.messages[1].total, 29);
    CHECK_EQ(c.messages[2].total, 17);
    CHECK_EQ(c.messages[3].total, 12);
    CHECK_EQ(c.total, 121);
    /* the calls and results are harmony's own format, and the request defines no tools: exact
     * (before the request counter, calls were marked as an estimate for the missing tools) */
    CHECK(c.exact && !c.note);
    tok_chat_count_free(&c);
    /* the same text encoded in one go (harmony's tests check this rendering of a tool call) */
    const char *text =
        "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
        "Knowledge cutoff: 2024-06\n\nReasoning: medium\n\n# Valid channels: analysis, "
        "commentary, final. Channel must be included for every message.<|end|>"
        "<|start|>user<|message|>What is the weather in Paris?<|end|>"
        "<|start|>assistant<|channel|>commentary<|message|>Checking.<|end|>"
        "<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json"
        "<|message|>{\"city\":\"Paris\"}<|call|>"
        "<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>"
        "{\"temp\":21}<|end|>"
        "<|start|>assistant<|channel|>final<|message|>It is 21 degrees.<|end|>"
        "<|start|>assistant";
    CHECK_EQ(count_special(t, text), 121);
    /* a tool result needs to know its function */
    const char *orphan = "[{\"role\":\"tool\",\"tool_call_id\":\"nope\",\"content\":\"x\"}]";
    CHECK(tok_chat_count_json(t, NULL, orphan, strlen(orphan), &c, &err) == TOK_EINVAL);
    CHECK(strstr(err.message, "messages[0]: a tool message needs the function it answers"));
    tok_close(t);
}

TEST(chat_openai_tool_calls_are_an_estimate)
{
    /* gpt-4o, tool calls framed like the measured function_call (RULES.md 2.5): user 3 + 1 + 7
     * = 11; assistant 3 + 1 + "Checking." 2 + ("get_weather" 2 + arguments 5 + 3) = 16; tool
     * message like a function message: 3 + "get_weather" 2 + 5 = 10; assistant 3 + 1 + 6 = 10;
     * reply 3; 50. (Before the request counter: calls without their +3, the tool message with
     * its role instead of the function's name: 46.) */
    tok_tokenizer *t = open_name("gpt-4o");
    CHECK(t);
    tok_chat_count c;
    CHECK(tok_chat_count_json(t, "gpt-4o", tool_conv, strlen(tool_conv), &c, NULL) == TOK_OK);
    CHECK_EQ(c.messages[1].total, 16);
    CHECK_EQ(c.messages[2].total, 10);
    CHECK_EQ(c.total, 50);
    CHECK(!c.exact && strstr(c.note, "tool calls"));
    tok_chat_count_free(&c);
    tok_close(t);
}

static const char conv_b[] =
    "[{\"role\":\"system\",\"content\":\"You are helpful.\"},"
    " {\"role\":\"user\",\"content\":\"  hello world  \"},"
    " {\"role\":\"assistant\",\"content\":\"hi there!\"}]";

TEST(chat_chatml_hand_computed)
{
    /* tests/data/tiny_chatml.json: WordLevel over lower-case words, Whitespace pre-tokenizer
     * (line breaks vanish), "You" is [UNK]:
     *   <|im_start|>system\nYou are helpful.<|im_end|>\n   1 + 1 + 4 + 1 = 7
     *   <|im_start|>user\n  hello world  <|im_end|>\n       1 + 1 + 2 + 1 = 5
     *   <|im_start|>assistant\nhi there!<|im_end|>\n        1 + 1 + 3 + 1 = 6
     *   <|im_start|>assistant\n                             1 + 1     = 2;  total 20 */
    tok_tokenizer *t = open_name("tests/data/tiny_chatml.json");
    CHECK(t);
    tok_chat_count c;
    tok_error err;
    CHECK_MSG(tok_chat_count_json(t, NULL, conv_b, strlen(conv_b), &c, &err) == TOK_OK, "%s",
              err.message);
    CHECK_STR(c.convention, "chatml");
    CHECK(c.exact);
    CHECK_EQ(c.messages[0].total, 7);
    CHECK_EQ(c.messages[0].content, 4);
    CHECK_EQ(c.messages[1].total, 5);
    CHECK_EQ(c.messages[2].total, 6);
    CHECK_EQ(c.prefix, 0);
    CHECK_EQ(c.reply, 2);
    CHECK_EQ(c.total, 20);
    tok_chat_count_free(&c);
    tok_close(t);
}

TEST(chat_llama3_hand_computed)
{
    /* tests/data/tiny_llama3.json, the same words:
     *   <|begin_of_text|>                                                    1
     *   <|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>  3 + 4 + 1 = 8
     *   <|start_header_id|>user<|end_header_id|>\n\nhello world<|eot_id|>     3 + 2 + 1 = 6
     *   <|start_header_id|>assistant<|end_header_id|>\n\nhi there!<|eot_id|>  3 + 3 + 1 = 7
     *   <|start_header_id|>assistant<|end_header_id|>\n\n                     3
     *   total 25 */
    tok_tokenizer *t = open_name("tests/data/tiny_llama3.json");
    CHECK(t);
    tok_chat_count c;
    tok_error err;
    CHECK_MSG(tok_chat_count_json(t, NULL, conv_b, strlen(conv_b), &c, &err) == TOK_OK, "%s",
              err.message);
    CHECK_STR(c.convention, "llama3");
    CHECK_EQ(c.prefix, 1);
    CHECK_EQ(c.messages[0].total, 8);
    CHECK_EQ(c.messages[1].total, 6);
    CHECK_EQ(c.messages[2].total, 7);
    CHECK_EQ(c.reply, 3);
    CHECK_EQ(c.total, 25);
    tok_chat_count_free(&c);
    /* the convention can be forced, and must have its special tokens */
    tok_chat_options o = {NULL, "openai"};
    CHECK(tok_chat_count_json_opts(t, &o, conv_b, strlen(conv_b), &c, &err) == TOK_OK);
    CHECK_STR(c.convention, "openai");
    CHECK(!c.exact);
    tok_chat_count_free(&c);
    o.convention = "chatml";
    CHECK(tok_chat_count_json_opts(t, &o, conv_b, strlen(conv_b), &c, &err) == TOK_EUNSUPPORTED);
    CHECK(strstr(err.message, "the chatml convention needs the special tokens <|im_start|>"));
    o.convention = "vicuna";
    CHECK(tok_chat_count_json_opts(t, &o, conv_b, strlen(conv_b), &c, &err) == TOK_EINVAL);
    CHECK(strstr(err.message, "unknown chat convention 'vicuna'"));
    tok_close(t);
}

TEST(chat_llama3_trims_content_and_counts_bytes)
{
    /* tests/data/tiny_bytelevel.json (byte-level BPE, 256 bytes and a few merges) with Llama 3's
     * special tokens added: whitespace counts, so the template's trim shows.
     *   <|begin_of_text|> 1; <|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>:
     *   1 + "user" 4 + 1 + "\n\n" 2 + "hi" 2 + 1 = 11 (the spaces around "hi" are trimmed);
     *   reply: 1 + "assistant" 9 + 1 + "\n\n" 2 = 13; total 25 */
    size_t len;
    char *j = read_file("tests/data/tiny_bytelevel.json", &len);
    CHECK(j);
    const char *at = strstr(j, "\"added_tokens\":[]");
    CHECK(at);
    static const char added[] =
        "\"added_tokens\":[{\"id\":267,\"content\":\"<|begin_of_text|>\",\"special\":true},"
        "{\"id\":268,\"content\":\"<|start_header_id|>\",\"special\":true},"
        "{\"id\":269,\"content\":\"<|end_header_id|>\",\"special\":true},"
        "{\"id\":270,\"content\":\"<|eot_id|>\",\"special\":true}]";
    size_t pre = (size_t)(at - j), rest = len - pre - strlen("\"added_tokens\":[]");
    char *k = malloc(len + sizeof added);
    memcpy(k, j, pre);
    memcpy(k + pre, added, sizeof added - 1);
    memcpy(k + pre + sizeof added - 1, at + strlen("\"added_tokens\":[]"), rest);
    tok_tokenizer *t = NULL;
    tok_error err;
    tok_status st = tok_open_memory(k, pre + sizeof added - 1 + rest, "llama3-bytes", NULL, &t, &err);
    free(j);
    free(k);
    CHECK_MSG(st == TOK_OK, "%s", err.message);
    const char *conv = "[{\"role\":\"user\",\"content\":\" \\n hi \\t\"}]";
    tok_chat_count c;
    CHECK_MSG(tok_chat_count_json(t, NULL, conv, strlen(conv), &c, &err) == TOK_OK, "%s",
              err.message);
    CHECK_STR(c.convention, "llama3");
    CHECK_EQ(c.prefix, 1);
    CHECK_EQ(c.messages[0].total, 11);
    CHECK_EQ(c.messages[0].content, 2);
    CHECK_EQ(c.reply, 13);
    CHECK_EQ(c.total, 25);
    tok_chat_count_free(&c);
    /* without a chat convention of its own, the plain file needs one named */
    tok_tokenizer *plain = open_name("tests/data/tiny_bytelevel.json");
    CHECK(plain);
    CHECK(tok_chat_count_json(plain, NULL, conv, strlen(conv), &c, &err) == TOK_EUNSUPPORTED);
    CHECK(strstr(err.message, "no chat convention fits this tokenizer"));
    tok_close(plain);
    tok_close(t);
}

/* The error message for json with model gpt-4o; "" when it succeeds. */
static const char *chat_error(const char *json, tok_error *err)
{
    static tok_tokenizer *t;
    if (!t)
        tok_open_encoding("o200k_base", &t, NULL);
    tok_chat_count c;
    memset(&c, 0x55, sizeof c);
    if (tok_chat_count_json(t, "gpt-4o", json, strlen(json), &c, err) == TOK_OK) {
        tok_chat_count_free(&c);
        return "";
    }
    /* on failure the output is zeroed */
    if (c.messages || c.total || c.n_messages)
        return "output not zeroed";
    tok_chat_count_free(&c);
    return err->message;
}

TEST(chat_errors_name_the_json_path)
{
    tok_error err;
    static const struct {
        const char *json, *msg, *where;
    } cases[] = {
        {"[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":5}]}]",
         "messages[0].content[0].text: expected a string, not a number",
         "messages[0].content[0].text"},
        {"[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":[{\"type\":"
         "\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,aGVsbG8=\"}}]}]",
         "messages[1].content[0].image_url.url: the image cannot be read: not a PNG, JPEG, GIF "
         "or WebP image",
         "messages[1].content[0].image_url.url"},
        {"[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]",
         "messages[0].content[0].type: unknown content part type \"video\"",
         "messages[0].content[0].type"},
        {"[{\"role\":\"user\",\"content\":[\"a\"]}]",
         "messages[0].content[0]: expected a content part object, not a string", NULL},
        {"[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]",
         "messages[0].content[0].text: missing", NULL},
        {"[{\"role\":\"user\",\"content\":7}]",
         "messages[0].content: expected a string, an array of content parts or null, not a "
         "number",
         NULL},
        {"[{\"content\":\"x\"}]", "messages[0]: no role", NULL},
        {"[{\"role\":\"bot\",\"content\":\"x\"}]", "messages[0].role: unknown role \"bot\"", NULL},
        {"[{\"role\":5}]", "messages[0].role: expected a string, not a number", NULL},
        {"[{\"role\":\"user\",\"content\":\"x\",\"colour\":\"red\"}]",
         "messages[0].colour: unknown message field", NULL},
        {"[{\"role\":\"user\",\"name\":[]}]", "messages[0].name: expected a string", NULL},
        {"[1]", "messages[0]: expected a message object, not a number", NULL},
        {"{\"model\":\"gpt-4o\"}", "no \"messages\"", NULL},
        {"{\"messages\":{}}", "messages: expected an array of messages, not an object", NULL},
        {"\"hi\"", "expected an array of messages (or an object with one), not a string", NULL},
        {"[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":"
         "\"f\",\"arguments\":{}}}]}]",
         "messages[0].tool_calls[0].function.arguments: expected a string (the arguments as "
         "JSON text), not an object",
         NULL},
        {"[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{}}]}]",
         "messages[0].tool_calls[0].function: no function name", NULL},
        {"[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"custom\"}]}]",
         "messages[0].tool_calls[0].type: \"custom\" tool calls cannot be counted", NULL},
        {"[{\"role\":\"user\",\"tool_calls\":[{\"function\":{\"name\":\"f\"}}]}]",
         "messages[0].tool_calls: only assistant messages make tool calls", NULL},
        {"[{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":\"no\"}]",
         "messages[0].refusal: cannot be counted", NULL},
        {"[{\"role\":\"user\",\n\"content\":\"x\",}]", "line 2, column 15: trailing comma", NULL},
        {"", "not valid JSON", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *m = chat_error(cases[i].json, &err);
        CHECK_MSG(strstr(m, cases[i].msg) != NULL, "case %zu: got '%s', expected '%s'", i, m,
                  cases[i].msg);
        if (cases[i].where)
            CHECK_STR(err.where, cases[i].where);
    }
    /* the offset points at the value in error */
    const char *j = "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":5}]}]";
    chat_error(j, &err);
    CHECK_EQ(err.offset, (uint64_t)(strstr(j, "5}") - j));
    CHECK_EQ(err.line, 1);
    /* null or empty response fields, and null optional fields, are accepted */
    CHECK_STR(chat_error("[{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":null,"
                         "\"annotations\":[],\"name\":null,\"tool_calls\":null}]",
                         &err),
              "");
    /* nothing to count is an error, not an exact zero */
    CHECK(strstr(chat_error("[]", &err), "an empty array: the API refuses a request without "
                                         "messages"));
    CHECK(strstr(chat_error("[{\"role\":\"user\"}]", &err), "messages[0]: no content"));
    CHECK_STR(chat_error("[{\"role\":\"user\",\"content\":\"\"}]", &err), "");
}

TEST(chat_empty_conversation_and_free)
{
    tok_tokenizer *t = open_name("gpt-4o");
    CHECK(t);
    tok_chat_count c;
    memset(&c, 0x55, sizeof c);
    CHECK(tok_chat_count_json(t, NULL, "[]", 2, &c, NULL) == TOK_EINVAL); /* the API refuses it */
    CHECK(!c.n_messages && !c.total && !c.messages);
    tok_chat_count_free(&c);
    const char *empty = "[{\"role\":\"user\",\"content\":\"\"}]";
    CHECK(tok_chat_count_json(t, NULL, empty, strlen(empty), &c, NULL) == TOK_OK);
    CHECK_EQ(c.n_messages, 1);
    CHECK_EQ(c.total, 3 + 1 + 0 + 3); /* framing and the role, no text, the reply priming */
    tok_chat_count_free(&c);
    tok_chat_count_free(&c); /* zeroed: a second free is a no-op */
    tok_chat_count_free(NULL);
    CHECK(tok_chat_count_json(NULL, NULL, "[]", 2, &c, NULL) == TOK_EINVAL);
    /* escapes in roles and content are decoded */
    const char *esc = "[{\"role\":\"us\\u0065r\",\"content\":\"Hello,\\u0020world!\"}]";
    CHECK(tok_chat_count_json(t, NULL, esc, strlen(esc), &c, NULL) == TOK_OK);
    CHECK_STR(c.messages[0].role, "user");
    CHECK_EQ(c.total, 3 + 1 + 4 + 3);
    tok_chat_count_free(&c);
    tok_close(t);
}
