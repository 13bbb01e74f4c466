/* tok_request_count_json: gpt-oss against harmony's own renderings (harmony.jsonl), Anthropic
 * and Gemini bodies part by part with their labels (Gemini against the string lists of
 * googleapis/python-genai's LocalTokenizer tests, as tests/conformance/chat_api_gemini.mjs
 * restates them), Responses bodies as the Chat Completions requests they map to, the API
 * detection, the scaling of an estimated model's text, and every error with its JSON path. */
#include "chat/harmony.h"
#include "runner.h"

#include <pthread.h>
#include <stdlib.h>

/* the least a body needs besides what a case is about (an empty one is refused) */
#define ONE_MSG "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]"
#define ONE_CONTENT "\"contents\":[{\"parts\":[{\"text\":\"x\"}]}]"

static tok_tokenizer *enc(const char *name)
{
    static tok_tokenizer *o200k, *harmony;
    tok_tokenizer **t = !strcmp(name, "o200k_harmony") ? &harmony : &o200k;
    if (!*t)
        tok_open_encoding(name, t, NULL);
    return *t;
}

static uint64_t ntok(const tok_tokenizer *t, const char *s)
{
    size_t n = 0;
    tok_count(t, s, strlen(s), NULL, &n, NULL);
    return n;
}

static const tok_model *model(const char *name)
{
    static tok_registry *reg;
    if (!reg)
        tok_registry_open(&reg, NULL);
    const tok_model *m = NULL;
    tok_model_find(reg, name, &m, NULL);
    return m;
}

/* ---- harmony ---- */

static const char *dup_str(chat_run *r, uint32_t obj, const char *key)
{
    uint32_t v = json_get(&r->doc, obj, key);
    cstr s;
    if (v == J_NONE || chat_type(r, v) != J_STRING || chat_str(r, v, &s) != TOK_OK)
        return NULL;
    return chat_strdup(r, s.s, s.n);
}

static cstr get_cstr(chat_run *r, uint32_t obj, const char *key)
{
    const char *s = dup_str(r, obj, key);
    return s ? (cstr){s, strlen(s)} : (cstr){NULL, 0};
}

static harmony_ns *namespaces(chat_run *r, uint32_t arr, size_t *n)
{
    *n = arr == J_NONE ? 0 : r->doc.nodes[arr].count;
    harmony_ns *ns = chat_arena_alloc(&r->arena, (*n ? *n : 1) * sizeof *ns);
    size_t i = 0;
    for (uint32_t e = *n ? r->doc.nodes[arr].child : J_NONE; e != J_NONE; e = r->doc.nodes[e].next, i++) {
        ns[i].name = get_cstr(r, e, "name");
        ns[i].description = get_cstr(r, e, "description");
        ns[i].has_description = ns[i].description.s != NULL;
        uint32_t tl = json_get(&r->doc, e, "tools");
        size_t nt = r->doc.nodes[tl].count, k = 0;
        harmony_tool *t = chat_arena_alloc(&r->arena, (nt ? nt : 1) * sizeof *t);
        for (uint32_t x = r->doc.nodes[tl].child; x != J_NONE; x = r->doc.nodes[x].next, k++) {
            t[k].name = get_cstr(r, x, "name");
            t[k].description = get_cstr(r, x, "description");
            if (!t[k].description.s)
                t[k].description = (cstr){"", 0};
            uint32_t p = json_get(&r->doc, x, "parameters");
            t[k].params = p != J_NONE && chat_type(r, p) != J_NULL ? p : J_NONE;
        }
        ns[i].tools = t;
        ns[i].n_tools = nt;
    }
    return ns;
}

/* A message of harmony.jsonl (as chat_api_harmony.mjs writes them) as the renderer's input. */
static void harmony_message(chat_run *r, uint32_t m, harmony_msg *out)
{
    memset(out, 0, sizeof *out);
    out->role = dup_str(r, m, "role");
    out->name = get_cstr(r, m, "name");
    out->recipient = get_cstr(r, m, "recipient");
    out->channel = get_cstr(r, m, "channel");
    out->content_type = get_cstr(r, m, "content_type");
    out->row = -1;
    out->kind = TOK_PART_TEXT;
    uint32_t c = json_get(&r->doc, m, "content");
    if (chat_type(r, c) == J_STRING) {
        cstr *t = chat_arena_alloc(&r->arena, sizeof *t);
        chat_str(r, c, t);
        out->texts = t;
        out->n_texts = 1;
        return;
    }
    uint32_t sys = json_get(&r->doc, c, "system"), dev = json_get(&r->doc, c, "developer");
    if (sys != J_NONE) {
        harmony_system *s = chat_arena_alloc(&r->arena, sizeof *s);
        memset(s, 0, sizeof *s);
        s->identity = dup_str(r, sys, "model_identity");
        s->effort = dup_str(r, sys, "reasoning_effort");
        s->cutoff = dup_str(r, sys, "knowledge_cutoff");
        s->date = dup_str(r, sys, "conversation_start_date");
        uint32_t ch = json_get(&r->doc, sys, "channels");
        s->n_channels = r->doc.nodes[ch].count;
        const char **names = chat_arena_alloc(&r->arena, (s->n_channels + 1) * sizeof *names);
        size_t k = 0;
        for (uint32_t x = r->doc.nodes[ch].child; x != J_NONE; x = r->doc.nodes[x].next) {
            cstr v;
            chat_str(r, x, &v);
            names[k++] = chat_strdup(r, v.s, v.n);
        }
        s->channels = names;
        s->channel_required = chat_type(r, json_get(&r->doc, sys, "channel_required")) == J_TRUE;
        s->tools = namespaces(r, json_get(&r->doc, sys, "tools"), &s->n_tools);
        out->system = s;
        out->kind = TOK_PART_SYSTEM;
    } else {
        out->developer = true;
        cstr *ins = chat_arena_alloc(&r->arena, sizeof *ins);
        *ins = get_cstr(r, dev, "instructions");
        out->instructions = ins->s ? ins : NULL;
        out->ns = namespaces(r, json_get(&r->doc, dev, "tools"), &out->n_ns);
    }
}

TEST(chat_harmony_reproduces_harmony_jsonl)
{
    size_t len;
    char *text = read_file("tests/golden/chat-api/harmony.jsonl", &len);
    CHECK(text);
    size_t cases = 0;
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        CHECK(nl);
        chat_run r = {0};
        size_t at;
        const char *msg;
        CHECK(json_parse(&r.doc, line, (size_t)(nl - line), &at, &msg));
        const char *id = dup_str(&r, 0, "id"), *want_text = dup_str(&r, 0, "text");
        int64_t want;
        CHECK(json_int(&r.doc, json_get(&r.doc, 0, "tokens"), &want));
        uint32_t msgs = json_get(&r.doc, 0, "messages");
        uint64_t got = 0;
        if (msgs != J_NONE) {
            /* a conversation built as openai/harmony's tests build it: rendered text and count */
            size_t n = r.doc.nodes[msgs].count, k = 0;
            harmony_msg *hm = calloc(n, sizeof *hm);
            for (uint32_t m = r.doc.nodes[msgs].child; m != J_NONE; m = r.doc.nodes[m].next)
                harmony_message(&r, m, &hm[k++]);
            harmony_out h = {0};
            CHECK(harmony_render(&r, hm, n, &h) == TOK_OK);
            /* the rendering for completion: the reply primed, <|start|>assistant, at the end */
            size_t tl = h.text.len;
            CHECK_MSG(tl == strlen(want_text) && !memcmp(h.text.data, want_text, tl),
                      "%s: rendering differs:\n%.*s\n---\n%s", id, (int)tl, (char *)h.text.data,
                      want_text);
            for (size_t p = 0; p < h.n; p++) {
                size_t c = 1;
                if (!h.p[p].special)
                    tok_count(enc("o200k_harmony"), (const char *)h.text.data + h.p[p].start,
                              h.p[p].len, NULL, &c, NULL);
                got += c;
            }
            harmony_out_free(&h);
            free(hm);
        } else {
            /* a Chat Completions body as a gpt-oss server renders it */
            uint32_t req = json_get(&r.doc, 0, "request");
            size_t start = r.doc.nodes[req].start, end = json_end(&r.doc, req);
            tok_request_count rc;
            tok_error err;
            CHECK_MSG(tok_request_count_json(enc("o200k_harmony"), NULL, line + start,
                                             end - start, &rc, &err) == TOK_OK,
                      "%s: %s", id, err.message);
            CHECK_STR(rc.convention, "harmony");
            CHECK(rc.exact && rc.complete);
            CHECK(rc.parts[TOK_PART_TOOL_DEFS].tokens > 0);
            got = rc.total;
            tok_request_count_free(&rc);
        }
        CHECK_MSG(got == (uint64_t)want, "%s: %llu tokens, harmony.jsonl %lld", id,
                  (unsigned long long)got, (long long)want);
        chat_run_free(&r);
        cases++;
    }
    CHECK_EQ(cases, 7);
    free(text);
}

/* ---- Anthropic ---- */

static const char anthropic_body[] =
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
    "\"system\":[{\"type\":\"text\",\"text\":\"You are a helpful assistant.\"}],"
    "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Get the weather\",\"input_schema\":"
    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}],"
    "\"tool_choice\":{\"type\":\"any\"},"
    "\"messages\":["
    "{\"role\":\"user\",\"content\":\"Hi\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"An old thought.\","
    "\"signature\":\"s1\"},{\"type\":\"text\",\"text\":\"Hello!\"}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris?\"},"
    "{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":"
    "\"Paris is in France.\"}},{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":"
    "\"application/pdf\",\"data\":\"JVBERi0=\"}}]},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Call the tool.\","
    "\"signature\":\"s2\"},{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"get_weather\","
    "\"input\":{\"city\":\"Paris\"}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":"
    "\"18C and sunny\"}]}]}";

TEST(chat_anthropic_part_by_part)
{
    const tok_tokenizer *t = enc("o200k_base");
    const tok_model *m = model("claude-sonnet-4-5");
    CHECK(m && m->approx_factor == 1200000);
    tok_request_options o = {0};
    o.registry_model = m;
    o.estimate = true; /* o200k_base is its proxy */
    tok_request_count rc;
    tok_error err;
    CHECK_MSG(tok_request_count_json(t, &o, anthropic_body, strlen(anthropic_body), &rc, &err) ==
                  TOK_OK,
              "%s", err.message);
    CHECK_EQ(rc.api, TOK_REQUEST_ANTHROPIC);
    CHECK_STR(rc.convention, "anthropic");
    CHECK_STR(rc.model, "claude-sonnet-4-5");
    /* nothing about Claude is exact; the framing is not published: unknown, total a lower bound */
    CHECK(!rc.exact && !rc.complete);
    for (size_t i = 0; i < rc.n_items; i++)
        CHECK_MSG(!rc.items[i].exact, "%s %s called exact", rc.items[i].path, rc.items[i].what);
    CHECK_EQ(rc.parts[TOK_PART_FRAMING].n_unknown, 1);
    CHECK_EQ(rc.parts[TOK_PART_FILES].n_unknown, 1); /* the PDF */
    CHECK(strstr(rc.parts[TOK_PART_FILES].source, "plain-text document") ||
          strstr(rc.note, "framing"));
    /* rows: system, then each message */
    CHECK_EQ(rc.n_messages, 6);
    CHECK_STR(rc.messages[0].role, "system");
    CHECK_STR(rc.messages[0].path, "system");
    CHECK_STR(rc.messages[5].path, "messages[4]");
    /* the texts counted, each on its own, with the proxy tokenizer; the earlier turn's thinking
     * is dropped (0, and shown), the current tool-use turn's is kept */
    const char *texts[] = {"You are a helpful assistant.", "Hi", "Hello!", "Weather in Paris?",
                           "Paris is in France.", "Call the tool.", "get_weather",
                           "{\"city\":\"Paris\"}", "18C and sunny", "get_weather",
                           "Get the weather",
                           ("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                            "\"required\":[\"city\"]}")};
    uint64_t counted = 0, sum = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        counted += ntok(t, texts[i]);
    bool dropped = false;
    for (size_t i = 0; i < rc.n_items; i++) {
        sum += rc.items[i].counted;
        if (!strcmp(rc.items[i].what, "thinking") && rc.items[i].tokens == 0)
            dropped = strstr(rc.items[i].source, "earlier turn") != NULL &&
                      !strcmp(rc.items[i].path, "messages[1].content[0]");
    }
    CHECK(dropped);
    CHECK_EQ(sum, counted);
    /* the tool-use system prompt for tool_choice any on Claude 4.x: 313 (not scaled); the text
     * scaled by the registry's factor, x 1.2 rounded up */
    uint64_t prompt = 0;
    for (size_t i = 0; i < rc.n_items; i++)
        if (!strcmp(rc.items[i].what, "tool-use system prompt"))
            prompt = rc.items[i].tokens;
    CHECK_EQ(prompt, 313);
    CHECK_EQ(rc.total, 313 + (counted * 12 + 9) / 10);
    CHECK(rc.total_low <= rc.total && rc.total <= rc.total_high);
    CHECK_EQ(rc.total_low, 313 + counted * 11 / 10);
    CHECK_EQ(rc.total_high, 313 + (counted * 16 + 9) / 10);
    /* the parts, the rows and the items add up to the total */
    uint64_t parts = 0, rows = 0, items = 0;
    for (int k = 0; k < TOK_PART_COUNT_; k++)
        parts += rc.parts[k].tokens;
    for (size_t i = 0; i < rc.n_messages; i++) {
        rows += rc.messages[i].total;
        CHECK_EQ(rc.messages[i].total, rc.messages[i].content + rc.messages[i].overhead);
    }
    for (size_t i = 0; i < rc.n_items; i++)
        items += rc.items[i].tokens;
    CHECK_EQ(parts, rc.total);
    CHECK_EQ(items, rc.total);
    CHECK_EQ(rows + rc.parts[TOK_PART_TOOL_DEFS].tokens, rc.total); /* tools are request-level */
    tok_request_count_free(&rc);
}

/* The tool-use system prompt by model and tool_choice (Anthropic's published table). */
static uint64_t tool_prompt(const char *model_name, const char *choice, bool *unknown)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"model\":\"%s\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":"
             "\"x\"}],\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}]%s%s%s}",
             model_name, choice ? ",\"tool_choice\":{\"type\":\"" : "", choice ? choice : "",
             choice ? "\"}" : "");
    tok_request_count rc;
    uint64_t v = 0;
    *unknown = false;
    if (tok_request_count_json(enc("o200k_base"), NULL, body, strlen(body), &rc, NULL) != TOK_OK)
        return UINT64_MAX;
    for (size_t i = 0; i < rc.n_items; i++)
        if (!strcmp(rc.items[i].what, "tool-use system prompt")) {
            v = rc.items[i].tokens;
            *unknown = rc.items[i].unknown;
        }
    tok_request_count_free(&rc);
    return v;
}

TEST(chat_anthropic_tool_use_prompt_table)
{
    static const struct {
        const char *model, *choice;
        uint64_t tokens;
    } rows[] = {
        {"claude-opus-4-1-20250805", NULL, 346}, {"claude-sonnet-4-5", "auto", 346},
        {"claude-haiku-4-5", "tool", 313},      {"claude-3-7-sonnet-20250219", "none", 346},
        {"claude-3-5-sonnet-20240620", NULL, 294}, {"claude-3-5-sonnet-20240620", "any", 261},
        {"claude-3-5-sonnet-20241022", "any", 313}, {"claude-3-5-haiku", "any", 340},
        {"claude-3-opus-20240229", NULL, 530},  {"claude-3-opus-20240229", "any", 281},
        {"claude-3-sonnet-20240229", NULL, 159}, {"claude-3-haiku-20240307", "tool", 340},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool unknown;
        uint64_t v = tool_prompt(rows[i].model, rows[i].choice, &unknown);
        CHECK_MSG(v == rows[i].tokens && !unknown, "%s %s: %llu, expected %llu", rows[i].model,
                  rows[i].choice ? rows[i].choice : "(auto)", (unsigned long long)v,
                  (unsigned long long)rows[i].tokens);
    }
    bool unknown;
    CHECK_EQ(tool_prompt("claude-9-mystery", NULL, &unknown), 0);
    CHECK(unknown); /* no published size: shown, not 0 silently */
    /* server tools: a published size, or unknown */
    const char *body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":"
                       "\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"bash_20250124\","
                       "\"name\":\"bash\"},{\"type\":\"web_search_20250305\",\"name\":\"web\"}]}";
    tok_request_count rc;
    CHECK(tok_request_count_json(enc("o200k_base"), NULL, body, strlen(body), &rc, NULL) == TOK_OK);
    bool bash = false, web = false;
    for (size_t i = 0; i < rc.n_items; i++) {
        bash |= !strcmp(rc.items[i].path, "tools[0]") && rc.items[i].tokens == 245;
        web |= !strcmp(rc.items[i].path, "tools[1]") && rc.items[i].unknown;
    }
    CHECK(bash && web);
    tok_request_count_free(&rc);
}

/* ---- Gemini ---- */

/* python-genai google/genai/tests/local_tokenizer/test_local_tokenizer.py: the strings each test
 * expects encode() to get, for the same input as a REST body (chat_api_ref.mjs runGemini). */
static const struct {
    const char *test, *body;
    const char *strings[12];
} gemini_cases[] = {
    {"test_count_tokens_simple_string", "{\"contents\":\"Hello world\"}", {"Hello world"}},
    {"test_count_tokens_with_chat_history",
     "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]},{\"role\":\"model\","
     "\"parts\":[{\"text\":\"Hi there!\"}]}]}",
     {"Hello", "Hi there!"}},
    {"test_count_tokens_with_tools",
     "{\"contents\":\"What is the weather in Boston?\",\"tools\":[{\"functionDeclarations\":[{"
     "\"name\":\"get_weather\",\"description\":\"Get the weather for a location\",\"parameters\":{"
     "\"type\":\"OBJECT\",\"properties\":{\"location\":{\"type\":\"STRING\",\"description\":"
     "\"The location\"}},\"required\":[\"location\"]}}]}]}",
     {"What is the weather in Boston?", "get_weather", "Get the weather for a location",
      "location", "location", "The location"}},
    {"test_count_tokens_with_function_call",
     "{\"contents\":[{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\","
     "\"args\":{\"location\":\"Boston\"}}}]}]}",
     {"get_weather", "location", "Boston"}},
    {"test_count_tokens_with_function_response",
     "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\","
     "\"response\":{\"weather\":\"sunny\"}}}]}]}",
     {"get_weather", "weather", "sunny"}},
    {"test_count_tokens_with_system_instruction",
     "{\"contents\":\"Hello\",\"systemInstruction\":{\"parts\":[{\"text\":\"You are a helpful "
     "assistant.\"}]}}",
     {"Hello", "You are a helpful assistant."}},
    /* the test's example values are Schema objects, which the walk skips; as plain JSON they
     * would be walked, so the reference replaces them with a value that adds only its key */
    {"test_count_tokens_with_response_schema",
     "{\"contents\":\"Generate a recipe for chocolate chip cookies.\",\"generationConfig\":{"
     "\"responseSchema\":{\"type\":\"OBJECT\",\"format\":\"schema_format\",\"description\":"
     "\"Recipe schema\",\"enum\":[\"schema_enum1\",\"schema_enum2\"],\"properties\":{"
     "\"recipe_name\":{\"type\":\"STRING\",\"description\":\"Name of the recipe\"}},\"items\":{"
     "\"type\":\"STRING\",\"description\":\"Item in the recipe\"},\"example\":{\"recipe_example\":"
     "0},\"required\":[\"recipe_name\"]}}}",
     {"Generate a recipe for chocolate chip cookies.", "schema_format", "Recipe schema",
      "schema_enum1", "schema_enum2", "recipe_name", "Item in the recipe", "recipe_name",
      "Name of the recipe", "recipe_example"}},
};

TEST(chat_gemini_counts_as_local_tokenizer)
{
    const tok_model *m = model("gemini-2.5-flash");
    CHECK(m);
    tok_tokenizer *t = NULL;
    bool exact = false;
    tok_error err;
    CHECK_MSG(tok_model_open_tokenizer(m, NULL, 0, &t, &exact, &err) == TOK_OK, "%s", err.message);
    CHECK_MSG(exact, "the gemma3 vocabulary is not installed (make builds it)");
    tok_request_options o = {0};
    o.model = "gemini-2.5-flash";
    o.registry_model = m;
    for (size_t i = 0; i < sizeof gemini_cases / sizeof gemini_cases[0]; i++) {
        uint64_t want = 0;
        for (size_t k = 0; gemini_cases[i].strings[k]; k++)
            want += ntok(t, gemini_cases[i].strings[k]);
        tok_request_count rc;
        CHECK_MSG(tok_request_count_json(t, &o, gemini_cases[i].body,
                                         strlen(gemini_cases[i].body), &rc, &err) == TOK_OK,
                  "%s: %s", gemini_cases[i].test, err.message);
        CHECK_MSG(rc.total == want && rc.exact && rc.complete,
                  "%s: %llu tokens (%s), the strings of python-genai's test: %llu",
                  gemini_cases[i].test, (unsigned long long)rc.total,
                  rc.exact ? "exact" : "estimate", (unsigned long long)want);
        CHECK_EQ(rc.api, TOK_REQUEST_GEMINI);
        if (i == 2) /* the tools are their own part */
            CHECK_EQ(rc.parts[TOK_PART_TOOL_DEFS].tokens,
                     want - ntok(t, "What is the weather in Boston?"));
        if (i == 5) {
            CHECK_STR(rc.messages[1].role, "systemInstruction");
            CHECK_EQ(rc.parts[TOK_PART_SYSTEM].tokens, ntok(t, "You are a helpful assistant."));
        }
        tok_request_count_free(&rc);
    }
    /* what LocalTokenizer refuses (an image) is counted by Google's rule, as an estimate; the
     * text stays exact */
    const char *img = "{\"contents\":[{\"parts\":[{\"text\":\"Hello\"},{\"inlineData\":{"
                      "\"mimeType\":\"image/gif\",\"data\":\"R0lGODlhAQABAAAAACw=\"}}]}]}";
    tok_request_count rc;
    CHECK_MSG(tok_request_count_json(t, &o, img, strlen(img), &rc, &err) == TOK_OK, "%s",
              err.message);
    CHECK(rc.parts[TOK_PART_TEXT].exact && !rc.parts[TOK_PART_IMAGES].exact);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].tokens, 258);
    CHECK_EQ(rc.total, ntok(t, "Hello") + 258);
    tok_request_count_free(&rc);
    /* a tokenizer the caller does not vouch for as the model's (no registry row given): the
     * strings are LocalTokenizer's, the count an estimate */
    o.registry_model = NULL;
    CHECK(tok_request_count_json(enc("o200k_base"), &o, gemini_cases[0].body,
                                 strlen(gemini_cases[0].body), &rc, NULL) == TOK_OK);
    CHECK(!rc.exact);
    CHECK_EQ(rc.total, ntok(enc("o200k_base"), "Hello world"));
    tok_request_count_free(&rc);
    tok_close(t);
}

TEST(chat_gemini_model_without_its_vocabulary_is_an_estimate)
{
    /* gemini-3.1-pro-preview maps to Gemma 4's vocabulary, which tokscope does not ship: the
     * registry's proxy and factor */
    const tok_model *m = model("gemini-3.1-pro-preview");
    CHECK(m);
    tok_tokenizer *t = NULL;
    bool exact = true;
    CHECK(tok_model_open_tokenizer(m, NULL, 0, &t, &exact, NULL) == TOK_OK);
    CHECK(!exact);
    tok_request_options o = {0};
    o.model = "gemini-3.1-pro-preview";
    o.registry_model = m;
    o.estimate = true;
    tok_request_count rc;
    CHECK(tok_request_count_json(t, &o, gemini_cases[1].body, strlen(gemini_cases[1].body), &rc,
                                 NULL) == TOK_OK);
    CHECK(!rc.exact && rc.complete);
    CHECK_EQ(rc.total, tok_model_approx_count(m, ntok(t, "Hello") + ntok(t, "Hi there!")));
    tok_request_count_free(&rc);
    tok_close(t);
}

/* ---- Responses ---- */

TEST(chat_responses_as_the_chat_request_it_maps_to)
{
    const char *resp =
        "{\"model\":\"gpt-4o\",\"instructions\":\"Be brief.\",\"input\":["
        "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Weather in Paris?\"}]},"
        "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"get_weather\",\"arguments\":"
        "\"{\\\"city\\\":\\\"Paris\\\"}\"},"
        "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"18C\"}],"
        "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather\","
        "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
        "\"description\":\"City\"}},\"required\":[\"city\"]}}],\"max_output_tokens\":50}";
    const char *chat =
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":"
        "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
        "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
        "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"18C\"}],"
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":"
        "\"Weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
        "\"string\",\"description\":\"City\"}},\"required\":[\"city\"]}}}]}";
    tok_request_count a, b;
    tok_error err;
    CHECK_MSG(tok_request_count_json(enc("o200k_base"), NULL, resp, strlen(resp), &a, &err) ==
                  TOK_OK,
              "%s", err.message);
    CHECK(tok_request_count_json(enc("o200k_base"), NULL, chat, strlen(chat), &b, NULL) == TOK_OK);
    CHECK_EQ(a.api, TOK_REQUEST_OPENAI_RESPONSES);
    CHECK_EQ(b.api, TOK_REQUEST_OPENAI_CHAT);
    CHECK_EQ(a.total, b.total);
    CHECK(a.complete && !a.exact);
    for (size_t i = 0; i < a.n_items; i++)
        CHECK_MSG(!a.items[i].exact, "%s: a Responses part called exact", a.items[i].path);
    CHECK(strstr(a.note, "Responses API"));
    CHECK_STR(a.messages[0].role, "instructions");
    CHECK_STR(a.messages[2].role, "function_call");
    CHECK_STR(a.messages[3].path, "input[2]");
    tok_request_count_free(&a);
    tok_request_count_free(&b);
    /* what lives on OpenAI's side is unknown offline */
    const char *more = "{\"model\":\"gpt-4o\",\"input\":\"Hi\",\"previous_response_id\":\"r1\","
                       "\"tools\":[{\"type\":\"web_search\"}],\"reasoning\":{\"effort\":\"low\"}}";
    CHECK(tok_request_count_json(enc("o200k_base"), NULL, more, strlen(more), &a, NULL) == TOK_OK);
    CHECK(!a.complete);
    CHECK_EQ(a.parts[TOK_PART_TEXT].n_unknown + a.parts[TOK_PART_TOOL_DEFS].n_unknown, 2);
    tok_request_count_free(&a);
}

/* ---- detection ---- */

TEST(chat_request_api_detection)
{
    static const struct {
        const char *body, *model;
        tok_request_api api;
    } cases[] = {
        {"[{\"role\":\"user\",\"content\":\"x\"}]", NULL, TOK_REQUEST_OPENAI_CHAT},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", NULL, TOK_REQUEST_OPENAI_CHAT},
        {"{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
         NULL, TOK_REQUEST_ANTHROPIC},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "anthropic/claude-sonnet-4-5",
         TOK_REQUEST_ANTHROPIC},
        /* an OpenAI-shaped body sent to Claude (an OpenAI-compatible endpoint) stays OpenAI's */
        {"{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
         NULL, TOK_REQUEST_OPENAI_CHAT},
        {"{\"system\":\"s\"," ONE_MSG "}", "gpt-4o", TOK_REQUEST_ANTHROPIC},
        {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
         "\"tool_use_id\":\"a\"}]}]}",
         NULL, TOK_REQUEST_ANTHROPIC},
        {"{\"input\":\"x\"}", NULL, TOK_REQUEST_OPENAI_RESPONSES},
        {"{\"instructions\":\"x\",\"input\":[]}", NULL, TOK_REQUEST_OPENAI_RESPONSES},
        {"{\"contents\":\"x\"}", "gemini-2.5-pro", TOK_REQUEST_GEMINI},
        {"{\"systemInstruction\":{\"parts\":[]}," ONE_CONTENT "}", "gemini-2.5-pro",
         TOK_REQUEST_GEMINI},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tok_request_options o = {0};
        o.model = cases[i].model;
        tok_request_count rc;
        tok_error err;
        CHECK_MSG(tok_request_count_json(enc("o200k_base"), &o, cases[i].body,
                                         strlen(cases[i].body), &rc, &err) == TOK_OK,
                  "case %zu: %s", i, err.message);
        CHECK_MSG(rc.api == cases[i].api, "case %zu: %s, expected %s", i,
                  tok_request_api_name(rc.api), tok_request_api_name(cases[i].api));
        tok_request_count_free(&rc);
    }
    tok_request_api api;
    CHECK(tok_request_api_parse("anthropic", &api) == TOK_OK && api == TOK_REQUEST_ANTHROPIC);
    CHECK(tok_request_api_parse("chat", &api) == TOK_OK && api == TOK_REQUEST_OPENAI_CHAT);
    CHECK(tok_request_api_parse("bedrock", &api) == TOK_EINVAL);
    CHECK_STR(tok_request_part_name(TOK_PART_TOOL_DEFS), "tool_definitions");
}

/* ---- errors ---- */

typedef struct bad_case {
    tok_request_api api;
    const char *body, *msg, *where;
    tok_status status;
} bad_case;

TEST(chat_request_errors_name_the_json_path)
{
    static const bad_case cases[] = {
        {0, "{\"foo\":1}", "the body matches no API", "", TOK_EINVAL},
        {0, "7", "expected a request body (an object) or an array of messages, not a number", "",
         TOK_EINVAL},
        {0, "{\"messages\":[],\"contents\":[]}", "fields of several APIs", "", TOK_EINVAL},
        {0, "{\"system\":\"x\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
         "a top-level \"system\" is Anthropic's, but a message with role system, developer, tool "
         "or function is OpenAI's (at messages[0].role)", "system", TOK_EINVAL},
        {0, "{\"model\":5,\"messages\":[]}", "model: expected a string, not a number", "model",
         TOK_EINVAL},
        {0, "{\"messages\":[", "not valid JSON", "", TOK_EINVAL},
        /* nothing to count: the APIs refuse these, and a zero would pass for exact */
        {0, "[]", "an empty array: the API refuses a request without messages", "", TOK_EINVAL},
        {0, "{\"messages\":[]}", "messages: an empty array: the API refuses a request without "
            "messages", "messages", TOK_EINVAL},
        {0, "[{\"role\":\"user\"}]", "messages[0]: no content (the API requires it", "messages[0]",
         TOK_EINVAL},
        {0, "[{\"role\":\"assistant\",\"content\":null}]", "messages[0]: no content",
         "messages[0]", TOK_EINVAL},
        {0, "[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}]",
         "messages[0]: no content", "messages[0]", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[]}", "messages: an empty array: the API "
            "requires at least one message", "messages", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":[]}]}",
         "messages[0].content: empty", "messages[0].content", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"assistant\",\"content\":\"\"},"
            "{\"role\":\"user\",\"content\":\"x\"}]}",
         "messages[0].content: empty", "messages[0].content", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
            "{\"role\":\"assistant\",\"content\":\"\"}]}", "", "", TOK_OK}, /* a prefill */
        {TOK_REQUEST_GEMINI, "{\"contents\":[]}", "contents: an empty array", "contents",
         TOK_EINVAL},
        {TOK_REQUEST_GEMINI, "{\"contents\":[{\"role\":\"user\"}]}", "contents[0]: no parts",
         "contents[0]", TOK_EINVAL},
        {TOK_REQUEST_GEMINI, "{\"contents\":[{\"parts\":[]}]}",
         "contents[0].parts: an empty array", "contents[0].parts", TOK_EINVAL},
        {TOK_REQUEST_OPENAI_RESPONSES, "{\"input\":[]}", "input: the request has no input",
         "input", TOK_EINVAL},
        {TOK_REQUEST_OPENAI_RESPONSES, "{\"input\":[],\"previous_response_id\":\"r\"}", "", "",
         TOK_OK}, /* the input is on OpenAI's side: unknown, not zero */
        /* OpenAI Chat Completions */
        {0, "{\"messages\":[],\"tools\":[{\"function\":{\"name\":\"f\"}}]}",
         "tools[0]: no type", "tools[0]", TOK_EINVAL},
        {0, "{\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
            "\"parameters\":\"x\"}}]}",
         "tools[0].function.parameters: expected a JSON schema object, not a string",
         "tools[0].function.parameters", TOK_EINVAL},
        {0, "{\"messages\":[],\"functions\":[{\"description\":\"d\"}]}", "functions[0]: no "
            "function name", "functions[0]", TOK_EINVAL},
        {0, "{\"messages\":[],\"tool_choice\":\"sometimes\"}",
         "tool_choice: expected \"auto\", \"none\", \"required\"", "tool_choice", TOK_EINVAL},
        {0, "{\"messages\":[],\"function_call\":{\"nam\":\"f\"}}", "function_call: no function "
            "name", "function_call", TOK_EINVAL},
        {0, "{\"messages\":[],\"response_format\":{\"json_schema\":{}}}",
         "response_format: no type", "response_format", TOK_EINVAL},
        {0, "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
            "\"https://x/y.png\",\"detail\":\"ultra\"}}]}]",
         "messages[0].content[0].image_url.detail: expected low, high or auto, not \"ultra\"",
         "messages[0].content[0].image_url.detail", TOK_EINVAL},
        {0, "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
            "\"ftp://x/y.png\"}}]}]",
         "the image URL is not a data:, http(s): or file: URL",
         "messages[0].content[0].image_url.url", TOK_EFORMAT},
        {0, "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
            "\"data:image/png,abc\"}}]}]",
         "a data: URL without base64 data", "messages[0].content[0].image_url.url", TOK_EFORMAT},
        {0, "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
            "\"data:image/png;base64,!!!!\"}}]}]",
         "the image cannot be read: the image data is not base64",
         "messages[0].content[0].image_url.url", TOK_EFORMAT},
        {0, "[{\"role\":\"tool\",\"tool_call_id\":\"nope\",\"content\":\"x\"}]",
         "messages[0]: a tool message needs the function it answers", "messages[0]", TOK_EINVAL},
        {0, "[{\"role\":\"function\",\"content\":\"x\"}]",
         "messages[0]: a function message needs the function it answers: its name",
         "messages[0]", TOK_EINVAL},
        /* OpenAI Responses */
        {0, "{\"input\":5}", "input: expected a string or an array of input items, not a number",
         "input", TOK_EINVAL},
        {0, "{\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
         "input[0].role: unknown role \"tool\"", "input[0].role", TOK_EINVAL},
        {0, "{\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}",
         "input[0]: no call_id", "input[0]", TOK_EINVAL},
        {0, "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_video\"}]}]}",
         "input[0].content[0].type: unknown content part type \"input_video\"",
         "input[0].content[0].type", TOK_EINVAL},
        /* Anthropic */
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
         "messages[0].role: unknown role \"system\" (Anthropic messages are user or assistant",
         "messages[0].role", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                                "\"video\"}]}]}",
         "messages[0].content[0].type: unknown content block type \"video\"",
         "messages[0].content[0].type", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                                "\"image\"}]}]}",
         "messages[0].content[0]: an image block needs its source", "messages[0].content[0]",
         TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                                "\"image\",\"source\":{\"type\":\"base64\",\"media_type\":"
                                "\"image/png\",\"data\":\"aGVsbG8gd29ybGQ=\"}}]}]}",
         "messages[0].content[0].source.data: the image cannot be read: not a PNG",
         "messages[0].content[0].source.data", TOK_EFORMAT},
        {TOK_REQUEST_ANTHROPIC, "{" ONE_MSG ",\"tools\":[{\"name\":\"f\"}]}",
         "tools[0]: a tool needs its input_schema", "tools[0]", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{" ONE_MSG ",\"tools\":[{\"name\":\"f\",\"input_schema\":"
                                "{}}],\"tool_choice\":{\"type\":\"bogus\"}}",
         "tool_choice.type: expected auto, any, tool or none", "tool_choice.type", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"system\":5," ONE_MSG "}",
         "system: expected a string or an array of text blocks, not a number", "system",
         TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\","
                                "\"name\":\"n\"}]}",
         "messages[0].name: unknown message field", "messages[0].name", TOK_EINVAL},
        {TOK_REQUEST_ANTHROPIC, "{\"system\":\"x\"}", "no \"messages\"", "", TOK_EINVAL},
        /* Gemini */
        {0, "{\"contents\":[{\"role\":\"assistant\",\"parts\":[]}]}",
         "contents[0].role: unknown role \"assistant\"", "contents[0].role", TOK_EINVAL},
        {0, "{\"contents\":[{\"parts\":[{\"foo\":1}]}]}",
         "contents[0].parts[0].foo: unknown part field", "contents[0].parts[0].foo", TOK_EINVAL},
        {0, "{\"contents\":[{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":[1]}}]}]}",
         "contents[0].parts[0].functionCall.args: expected an object, not an array",
         "contents[0].parts[0].functionCall.args", TOK_EINVAL},
        {0, "{" ONE_CONTENT ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\","
            "\"parameters\":{\"properties\":{\"x\":{\"enum\":5}}}}]}]}",
         "tools[0].functionDeclarations[0].parameters.properties.x.enum: expected an array of "
         "strings, not a number",
         "tools[0].functionDeclarations[0].parameters.properties.x.enum", TOK_EINVAL},
        {0, "{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":"
            "\"%%%\"}}]}]}",
         "contents[0].parts[0].inlineData.data: the image cannot be read: the image data is not "
         "base64",
         "contents[0].parts[0].inlineData.data", TOK_EFORMAT},
        {0, "{\"contents\":5}", "contents: expected an array of contents, not a number",
         "contents", TOK_EINVAL},
        {TOK_REQUEST_GEMINI, "{\"messages\":[]}", "no \"contents\"", "", TOK_EINVAL},
        {0, "{" ONE_CONTENT ",\"generationConfig\":{\"mediaResolution\":\"MEDIA_RESOLUTION_HUGE\"}"
            ",\"model\":\"gemini-3-pro-preview\"}",
         "", "", TOK_OK}, /* read, and only refused for an image that needs it: */
        {0, "{\"model\":\"gemini-3-pro-preview\",\"generationConfig\":{\"mediaResolution\":"
            "\"MEDIA_RESOLUTION_HUGE\"},\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":"
            "\"image/gif\",\"data\":\"R0lGODlhAQABAAAAACw=\"}}]}]}",
         "contents[0].parts[0].inlineData.data: media resolution \"huge\": expected low, medium, "
         "high or ultra_high",
         "contents[0].parts[0].inlineData.data", TOK_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tok_request_options o = {0};
        o.api = cases[i].api;
        tok_request_count rc;
        memset(&rc, 0x55, sizeof rc);
        tok_error err;
        memset(&err, 0, sizeof err);
        tok_status st = tok_request_count_json(enc("o200k_base"), &o, cases[i].body,
                                               strlen(cases[i].body), &rc, &err);
        CHECK_MSG(st == cases[i].status, "case %zu (%s): status %s, expected %s: %s", i,
                  cases[i].body, tok_status_name(st), tok_status_name(cases[i].status),
                  st ? err.message : "");
        if (st == TOK_OK) {
            tok_request_count_free(&rc);
            continue;
        }
        CHECK_MSG(strstr(err.message, cases[i].msg), "case %zu: '%s', expected '%s'", i,
                  err.message, cases[i].msg);
        CHECK_MSG(!strcmp(err.where, cases[i].where), "case %zu: where '%s', expected '%s'", i,
                  err.where, cases[i].where);
        CHECK_MSG(!rc.items && !rc.total && !rc.internal_, "case %zu: output not zeroed", i);
    }
    /* offsets point at the value */
    const char *j = "{\"messages\":[],\"tool_choice\":\"sometimes\"}";
    tok_request_count rc;
    tok_error err;
    CHECK(tok_request_count_json(enc("o200k_base"), NULL, j, strlen(j), &rc, &err) != TOK_OK);
    CHECK_EQ(err.offset, (uint64_t)(strstr(j, "\"sometimes\"") - j));
    /* a schema nested deeper than the renderer goes is refused, not rendered to megabytes */
    char deep[2048] = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{"
                      "\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":";
    for (int d = 0; d < 40; d++)
        strcat(deep, "{\"type\":\"object\",\"properties\":{\"a\":");
    strcat(deep, "{\"type\":\"string\"}");
    for (int d = 0; d < 40; d++)
        strcat(deep, "}}");
    strcat(deep, "}}]}");
    CHECK(tok_request_count_json(enc("o200k_base"), NULL, deep, strlen(deep), &rc, &err) ==
          TOK_EUNSUPPORTED);
    CHECK(strstr(err.message, "a schema nested more than 32 levels deep"));
    CHECK(!strncmp(err.where, "tools[0].function.parameters.properties.a.properties.a", 54));
    /* no tokenizer, no output */
    CHECK(tok_request_count_json(NULL, NULL, "[]", 2, &rc, &err) == TOK_EINVAL);
    tok_request_count_free(NULL);
}

/* Keys given twice (found by fuzz/fuzz_chat.c): counted without reading past what was read. */
TEST(chat_request_duplicate_keys)
{
    static const char *const bodies[] = {
        "{\"input\":\"gpt-4o\",\"instructions\":\"x\",\"input\":[{\"role\":\"user\",\"content\":"
        "\"a\"},{\"role\":\"user\",\"content\":\"b\"}]}",
        "[{\"role\":\"system\",\"content\":\"s\",\"content\":[{\"type\":\"image_url\","
        "\"image_url\":{\"url\":\"https://x/y.png\"}}]}]",
        "{\"messages\":[{\"role\":\"system\",\"content\":\"s\",\"content\":[{\"type\":\"text\","
        "\"text\":\"t\"}]}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"g\"}}]}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        tok_request_count rc;
        tok_error err;
        CHECK_MSG(tok_request_count_json(enc("o200k_base"), NULL, bodies[i], strlen(bodies[i]),
                                         &rc, &err) == TOK_OK,
                  "body %zu: %s", i, err.message);
        CHECK(rc.total > 0);
        tok_request_count_free(&rc);
    }
}

static uint64_t request_total(const char *body)
{
    tok_request_count rc;
    tok_error err;
    if (tok_request_count_json(enc("o200k_base"), NULL, body, strlen(body), &rc, &err) != TOK_OK)
        return 0;
    uint64_t n = rc.total;
    tok_request_count_free(&rc);
    return n;
}

/* The order of keys does not change a count, and a key given twice counts once (the last). */
TEST(chat_request_key_order_and_repeats)
{
#define CALL "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}"
    uint64_t once = request_total("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\","
                                  "\"content\":null,\"tool_calls\":[" CALL "]}]");
    uint64_t twice = request_total("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\","
                                   "\"tool_calls\":[" CALL "," CALL "],\"content\":null,"
                                   "\"tool_calls\":[" CALL "]}]");
    CHECK(once > 0);
    CHECK_MSG(once == twice, "%llu vs %llu", (unsigned long long)once, (unsigned long long)twice);
    uint64_t a = request_total("[{\"role\":\"assistant\",\"function_call\":{\"name\":\"g\","
                               "\"arguments\":\"{}\"},\"tool_calls\":[" CALL "]}]");
    uint64_t b = request_total("[{\"role\":\"assistant\",\"tool_calls\":[" CALL "],"
                               "\"function_call\":{\"name\":\"g\",\"arguments\":\"{}\"}}]");
    CHECK(a > 0);
    CHECK(a == b);
#undef CALL
    /* Responses: instructions count first wherever the body puts them */
    uint64_t first = request_total("{\"instructions\":\"be brief\",\"input\":\"hello there\"}");
    uint64_t last = request_total("{\"input\":\"hello there\",\"instructions\":\"be brief\"}");
    CHECK(first > 0);
    CHECK(first == last);
    /* "required" is looked up by name: order and non-strings do not matter */
    chat_run r = {0};
    static const char req[] = "[\"c\",7,\"a\",\"bb\",null,\"b\"]";
    size_t at;
    const char *msg;
    CHECK(json_parse(&r.doc, req, strlen(req), &at, &msg));
    chat_names names;
    CHECK(chat_names_of(&r, 0, &names) == TOK_OK);
    CHECK(names.n == 4);
    static const char *const in[] = {"a", "b", "bb", "c"}, *const out[] = {"", "7", "ab", "cc", "d"};
    for (size_t i = 0; i < 4; i++)
        CHECK_MSG(chat_names_has(&names, (cstr){in[i], strlen(in[i])}), "%s", in[i]);
    for (size_t i = 0; i < 5; i++)
        CHECK_MSG(!chat_names_has(&names, (cstr){out[i], strlen(out[i])}), "%s", out[i]);
    CHECK(chat_names_of(&r, J_NONE, &names) == TOK_OK && names.n == 0);
    CHECK(!chat_names_has(&names, (cstr){"a", 1}));
    chat_run_free(&r);
}

/* ---- the tokenizer's own template, compiled once and shared ---- */

typedef struct own_job {
    const tok_tokenizer *t;
    const tok_model *m;
    uint64_t total;
    bool ok;
} own_job;

static const char OWN_BODY[] = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                               "{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";

static void *own_worker(void *p)
{
    own_job *j = p;
    tok_request_options o = {.registry_model = j->m, .own_template = true};
    j->ok = true;
    for (int k = 0; k < 8 && j->ok; k++) {
        tok_request_count c;
        j->ok = tok_request_count_json(j->t, &o, OWN_BODY, strlen(OWN_BODY), &c, NULL) == TOK_OK &&
                !strcmp(c.convention, "template") && c.exact && (k == 0 || c.total == j->total);
        j->total = c.total;
        tok_request_count_free(&c);
    }
    return NULL;
}

/* Qwen2.5's tokenizer.json and tokenizer_config.json (TOK_HF_DIR) packed here, so the test
 * needs no installed vocabulary (make tsan builds none). */
static tok_status open_qwen_with_template(tok_tokenizer **t)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/qwen2_5/tokenizer.json", test_hf_dir());
    snprintf(b, sizeof b, "%s/qwen2_5/tokenizer_config.json", test_hf_dir());
    size_t la, lb, lp;
    char *ja = read_file(a, &la), *jb = read_file(b, &lb);
    void *pack = NULL;
    tok_status st = ja && jb ? tok_pack(ja, la, a, jb, lb, &pack, &lp, NULL) : TOK_ENOENT;
    if (st == TOK_OK)
        st = tok_open_memory(pack, lp, "qwen2.5", NULL, t, NULL);
    free(ja), free(jb), tok_free(pack);
    return st;
}

/* Threads that count with a fresh tokenizer race to compile its template (chat_template.c:
 * chat_own_template keeps one); every count equals the one with the template compiled by the
 * caller. Runs under make tsan. */
TEST(chat_own_template_shared_by_threads)
{
    const tok_model *m = model("qwen2.5-7b");
    CHECK(m);
    tok_tokenizer *t = NULL, *u = NULL;
    CHECK_MSG(open_qwen_with_template(&t) == TOK_OK,
              "qwen2_5/tokenizer.json and tokenizer_config.json (make hf-vocabs)");
    own_job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (own_job){.t = t, .m = m};
        CHECK(pthread_create(&th[i], NULL, own_worker, &jobs[i]) == 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    /* the same count with the template compiled here, on another handle */
    CHECK(open_qwen_with_template(&u) == TOK_OK);
    tok_chat_template *tpl = NULL;
    CHECK(tok_chat_template_of(u, NULL, &tpl, NULL) == TOK_OK);
    tok_request_options o = {.registry_model = m, .chat_template = tpl};
    tok_request_count c;
    tok_status st = tok_request_count_json(u, &o, OWN_BODY, strlen(OWN_BODY), &c, NULL);
    uint64_t want = st == TOK_OK ? c.total : 0;
    tok_request_count_free(&c);
    tok_chat_template_free(tpl);
    tok_close(u);
    tok_close(t);
    CHECK(st == TOK_OK && want > 0);
    for (int i = 0; i < 4; i++)
        CHECK_MSG(jobs[i].ok && jobs[i].total == want, "thread %d: %llu tokens, want %llu", i,
                  (unsigned long long)jobs[i].total, (unsigned long long)want);
}
