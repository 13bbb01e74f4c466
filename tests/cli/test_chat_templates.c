/* tokscope chat with a model's own chat template: the tokenizer_config.json beside a -t file,
 * the one a shipped pack carries (-m), or --chat-template. Totals and --render against the
 * chat-template goldens (tests/golden/chat-templates: transformers' environment on Debian
 * jinja2, ids from npm tokenizers 0.23.2, so total = len(apply_chat_template(tokenize=True))),
 * and the options and errors. The library's renderings of every golden are checked in
 * tests/conformance/test_chat_templates.c; here the command, on a sample of each template. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#define GOLD "tests/golden/chat-templates"

static cJSON **lines_of(char *text, size_t *n)
{
    size_t cap = 64;
    cJSON **v = malloc(cap * sizeof *v);
    *n = 0;
    for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        if (nl)
            *nl = 0;
        if (!*l)
            continue;
        if (*n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[(*n)++] = cJSON_Parse(l);
    }
    return v;
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The request body of a conversation: messages, tools, documents as it gives them. */
static char *body_of(const cJSON *conv)
{
    cJSON *b = cJSON_CreateObject();
    static const char *const keys[] = {"messages", "tools", "documents"};
    for (int k = 0; k < 3; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(conv, keys[k]);
        if (v)
            cJSON_AddItemToObject(b, keys[k], cJSON_Duplicate(v, 1));
    }
    char *s = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    return s;
}

TEST(chat_cli_templates_against_goldens)
{
    size_t tl, cl, gl;
    char *tfile = read_file(GOLD "/templates.jsonl", &tl);
    char *cfile = read_file(GOLD "/conversations.jsonl", &cl);
    char *gfile = read_gz(GOLD "/goldens.jsonl.gz", &gl);
    CHECK(tfile && cfile && gfile);
    size_t nt, nc, ng;
    cJSON **ts = lines_of(tfile, &nt), **cs = lines_of(cfile, &nc), **gs = lines_of(gfile, &ng);
    CHECK_EQ(ng, nt * nc);
    size_t runs = 0, templates = 0;
    for (size_t t = 0; t < nt; t++) {
        const char *file = str_of(ts[t], "file"), *tokf = str_of(ts[t], "tokenizer");
        const char *name = str_of(ts[t], "template_name");
        /* configs with their tokenizer beside them; not the date-dependent ones (strftime_now
         * reads the clock here: the library's test fixes it) */
        if (str_of(ts[t], "entry") || !tokf || !file)
            continue;
        char cfg[512], tok[512];
        snprintf(cfg, sizeof cfg, "%s/%s", test_hf_dir(), file);
        snprintf(tok, sizeof tok, "%s/%s", test_hf_dir(), tokf);
        size_t n;
        char *cfgtext = read_file(cfg, &n);
        CHECK_MSG(cfgtext, "%s is missing (make hf-vocabs)", cfg);
        bool clock = strstr(cfgtext, "strftime_now") != NULL;
        free(cfgtext);
        if (clock)
            continue;
        templates++;
        /* two conversations per template: the first it renders, and the last (tools, documents
         * and variables come late in conversations.jsonl) */
        size_t picked[2] = {SIZE_MAX, SIZE_MAX};
        for (size_t c = 0; c < nc; c++)
            if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(gs[t * nc + c], "ids"))) {
                if (picked[0] == SIZE_MAX)
                    picked[0] = c;
                picked[1] = c;
            }
        for (int p = 0; p < 2 && picked[p] != SIZE_MAX; p++) {
            if (p == 1 && picked[1] == picked[0])
                break;
            size_t c = picked[p];
            const cJSON *g = gs[t * nc + c], *conv = cs[c];
            char *body = body_of(conv);
            char fname[64];
            snprintf(fname, sizeof fname, "tmpl_%zu_%zu.json", t, c);
            const char *f = tmpfile_with(fname, body);
            const char *args[40] = {"chat", "-t", tok, "--json", f};
            size_t na = 5;
            if (name && strcmp(name, "default")) {
                args[na++] = "--template-name";
                args[na++] = name;
            }
            if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(conv, "add_generation_prompt")))
                args[na++] = "--no-generation-prompt";
            char vars[8][256];
            const cJSON *v;
            size_t nv = 0;
            cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(conv, "vars"))
            {
                char *j = cJSON_PrintUnformatted(v);
                snprintf(vars[nv], sizeof vars[nv], "%s=%s", v->string, j);
                free(j);
                args[na++] = "--var";
                args[na++] = vars[nv++];
            }
            args[na] = NULL;
            cli_result r = run_cli(args, NULL, 0);
            const char *id = str_of(ts[t], "id"), *cid = str_of(conv, "id");
            CHECK_MSG(r.status == 0, "%s x %s: exit %d: %s", id, cid, r.status, r.err);
            cJSON *j = cJSON_Parse(r.out);
            CHECK_MSG(j, "%s x %s: not JSON: %s", id, cid, r.out);
            size_t want = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g, "ids"));
            CHECK_MSG((size_t)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble == want,
                      "%s x %s: total %.0f, len(apply_chat_template(tokenize=True)) is %zu", id,
                      cid, cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble, want);
            CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "exact")));
            CHECK_STR(str_of(j, "convention"), "template");
            CHECK_STR(str_of(j, "chat_template"), cfg);
            cJSON_Delete(j);
            cli_free(&r);
            /* --render: the text, byte for byte */
            args[3] = "--render";
            r = run_cli(args, NULL, 0);
            const char *text = str_of(g, "text");
            CHECK_EQ(r.status, 0);
            CHECK_MSG(r.out_len == strlen(text) && !memcmp(r.out, text, r.out_len),
                      "%s x %s: --render differs", id, cid);
            cli_free(&r);
            free(body);
            runs++;
        }
    }
    fprintf(stderr, "  chat -t with templates: %zu templates, %zu conversations: totals and "
                    "--render as the goldens\n", templates, runs);
    CHECK(templates >= 10 && runs >= 20);
    for (size_t i = 0; i < nt; i++)
        cJSON_Delete(ts[i]);
    for (size_t i = 0; i < nc; i++)
        cJSON_Delete(cs[i]);
    for (size_t i = 0; i < ng; i++)
        cJSON_Delete(gs[i]);
    free(ts);
    free(cs);
    free(gs);
    free(tfile);
    free(cfile);
    free(gfile);
}

static const char sys_user[] =
    "{\"messages\": [{\"role\": \"system\", \"content\": \"You are a helpful assistant. Answer "
    "briefly.\"}, {\"role\": \"user\", \"content\": \"What is the capital of France?\"}]}";

/* A shipped vocabulary renders with the template its pack carries: qwen2.5's is the
 * qwen2_5 config of the goldens (the same SHA-256 in vocabs/open/MANIFEST and
 * tests/golden/chat-templates/MANIFEST): sys_user x qwen2_5 has 29 ids, 28 without the
 * generation prompt's "<|im_start|>assistant\n" (3 tokens) -- see the goldens. */
TEST(chat_cli_template_of_a_shipped_vocabulary)
{
    const char *f = tmpfile_with("sys_user.json", sys_user);
    cli_result r = RUN("chat", "-m", "qwen2.5-7b", "--json", f);
    CHECK_EQ(r.status, 0);
    cJSON *j = cJSON_Parse(r.out);
    CHECK(j);
    CHECK_EQ((int)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble, 29);
    CHECK_STR(str_of(j, "convention"), "template");
    CHECK(strstr(str_of(j, "chat_template"), "the tokenizer_config.json in "));
    CHECK(strstr(str_of(j, "chat_template"), "qwen2.5.tkz"));
    cJSON_Delete(j);
    cli_free(&r);
    r = RUN("chat", "-m", "qwen2.5-7b", "--no-generation-prompt", "--json", f);
    CHECK_EQ(r.status, 0);
    j = cJSON_Parse(r.out);
    CHECK_EQ((int)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble, 26);
    cJSON_Delete(j);
    cli_free(&r);
    /* cost --chat counts the request as chat does: the same template, the same 29 */
    r = RUN("cost", "--chat", "-m", "qwen2.5-7b", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\nqwen2.5-7b         29 "));
    CHECK(strstr(r.out, "qwen2.5-7b: the request's parts: text 29 (tokscope chat shows each)"));
    cli_free(&r);
    /* ... and with the model's file named by -t, the tokenizer_config.json beside it */
    char arg[600];
    snprintf(arg, sizeof arg, "qwen2.5-7b=%s/qwen2_5/tokenizer.json", test_hf_dir());
    r = RUN("cost", "--chat", "-m", "qwen2.5-7b", "-t", arg, f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\nqwen2.5-7b         29 "));
    cli_free(&r);
    /* the table: the rendering is one exact part */
    r = RUN("chat", "-m", "qwen2.5-7b", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "qwen2.5-7b: chat template with "));
    CHECK(strstr(r.out, "   total                           29\n"));
    CHECK(strstr(r.out, "text                  29  exact    the model's chat template ("));
    cli_free(&r);
    /* --template names a fixed convention instead */
    r = RUN("chat", "-m", "qwen2.5-7b", "--template", "chatml", "--json", f);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\"convention\":\"chatml\""));
    cli_free(&r);
    /* an API model is billed by its API's framing, not its vocabulary's template */
    r = RUN("chat", "-m", "gemini-2.5-flash", "--json", f);
    CHECK(!strstr(r.out, "\"convention\":\"template\""));
    cli_free(&r);
    /* bodies of the other APIs are counted by their own rules */
    const char *ant = tmpfile_with("ant.json", "{\"system\":\"s\",\"messages\":[{\"role\":"
                                               "\"user\",\"content\":\"hi\"}]}");
    r = RUN("chat", "-m", "qwen2.5-7b", "--json", ant);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\"api\":\"anthropic\""));
    cli_free(&r);
    r = RUN("chat", "-m", "qwen2.5-7b", "--chat-template", "tests/data/plain.jinja", ant);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "--chat-template renders Chat Completions messages; this is an "
                        "Anthropic Messages body"));
    cli_free(&r);
}

/* A bare template, variables, an empty conversation, and what a template refuses. */
TEST(chat_cli_template_options)
{
    const char *f = tmpfile_with("sys_user2.json", sys_user);
    /* tests/data/plain.jinja writes each message's content, then "|" and its variable x */
    cli_result r = RUN("chat", "-e", "o200k_base", "--chat-template", "tests/data/plain.jinja",
                       "--render", "--var", "x=1.0", f);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "You are a helpful assistant. Answer briefly.\nWhat is the capital of "
                     "France?\n|1.0|True");
    cli_free(&r);
    r = RUN("chat", "-e", "o200k_base", "--chat-template", "tests/data/plain.jinja",
            "--render", "--var", "x=\"y\"", "--no-generation-prompt", f);
    CHECK_STR(r.out, "You are a helpful assistant. Answer briefly.\nWhat is the capital of "
                     "France?\n|y|False");
    cli_free(&r);
    /* the count is the rendering's tokens, nothing added */
    r = RUN("chat", "-e", "o200k_base", "--chat-template", "tests/data/plain.jinja", "--var",
            "x=1", "--json", f);
    cJSON *j = cJSON_Parse(r.out);
    cli_result c = RUN_IN("You are a helpful assistant. Answer briefly.\nWhat is the capital of France?\n"
               "|1|True",
               "count", "-e", "o200k_base");
    CHECK(j && c.status == 0);
    CHECK_EQ((long)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble,
             strtol(c.out, NULL, 10));
    cJSON_Delete(j);
    cli_free(&c);
    cli_free(&r);
    /* an empty conversation renders as the template renders it */
    const char *e = tmpfile_with("empty.json", "[]");
    r = RUN("chat", "-e", "o200k_base", "--chat-template", "tests/data/plain.jinja", "--render",
            "--var", "x=0", e);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "|0|True");
    cli_free(&r);
    /* a template that raises: exit 2 with the template's own message (Gemma 2 refuses a
     * system role) */
    char tok[512];
    snprintf(tok, sizeof tok, "%s/gemini/tokenizer.json", test_hf_dir());
    r = RUN("chat", "-t", tok, f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "the chat template refuses the conversation: "
                        "System role not supported"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
}

TEST(chat_cli_template_errors)
{
    const char *f = tmpfile_with("sys_user3.json", sys_user);
    static const struct {
        const char *const args[10];
        const char *err;
    } cases[] = {
        {{"chat", "-m", "gpt-4o", "--render", NULL}, "no chat template to render with"},
        {{"chat", "-m", "gpt-4o", "--var", "x=1", NULL}, "no chat template to render with"},
        {{"chat", "-m", "qwen2.5-7b", "-m", "llama-3.1-8b", "--render", NULL},
         "--render shows one rendering: give one tokenizer"},
        {{"chat", "-m", "qwen2.5-7b", "--var", "enable_thinking", NULL},
         "--var enable_thinking: expected KEY=JSON"},
        {{"chat", "-m", "qwen2.5-7b", "--var", "d=26 Jul", NULL}, "expected KEY=JSON"},
        {{"chat", "-m", "qwen2.5-7b", "--var", "messages=[]", NULL},
         "\"messages\" comes from the request, not a variable"},
        {{"chat", "-m", "qwen2.5-7b", "--template", "chatml", "--render", NULL},
         "--template names a fixed convention"},
        {{"chat", "-m", "qwen2.5-7b", "--template-name", "tool_use", NULL},
         "no chat template named \"tool_use\" (the config has one, unnamed)"},
        {{"chat", "-e", "o200k_base", "--chat-template", "tests/data/bad.jinja", NULL},
         "tests/data/bad.jinja: chat template line 2, column"},
        {{"chat", "-e", "o200k_base", "--chat-template", "tests/data/no-such.jinja", NULL},
         "tests/data/no-such.jinja: No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[12];
        size_t n = 0;
        while (cases[i].args[n]) {
            args[n] = cases[i].args[n];
            n++;
        }
        args[n++] = f;
        args[n] = NULL;
        cli_result r = run_cli(args, NULL, 0);
        CHECK_MSG(r.status == 2, "case %zu: exit %d", i, r.status);
        CHECK_MSG(strstr(r.err, cases[i].err), "case %zu: %s", i, r.err);
        CHECK_EQ(r.out_len, 0);
        cli_free(&r);
    }
}
