/* chat: count a conversation (an OpenAI-style messages array, or a request body holding one)
 * the way the model sees it, per message and in total. The counting is the library's
 * tok_chat_count_json_opts; this file picks the tokenizers, reads the file and prints. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static int digits(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static void print_json(const char *file, const tok_choice *ch, const tok_chat_count *cc)
{
    fputs("{\"file\":", stdout);
    json_str(stdout, file, strlen(file));
    fputs(",\"name\":", stdout);
    json_str(stdout, ch->arg, strlen(ch->arg));
    fputs(",\"tokenizer\":", stdout);
    json_str(stdout, tok_name(ch->tok), strlen(tok_name(ch->tok)));
    printf(",\"convention\":\"%s\",\"exact\":%s,\"total\":%llu,\"prefix\":%llu,\"reply\":%llu",
           cc->convention, cc->exact ? "true" : "false", (unsigned long long)cc->total,
           (unsigned long long)cc->prefix, (unsigned long long)cc->reply);
    if (!strcmp(cc->convention, "openai"))
        printf(",\"tokens_per_message\":%d,\"tokens_per_name\":%d", cc->tokens_per_message,
               cc->tokens_per_name);
    fputs(",\"messages\":[", stdout);
    for (size_t i = 0; i < cc->n_messages; i++) {
        const tok_chat_message_count *m = &cc->messages[i];
        printf("%s{\"index\":%zu,\"role\":", i ? "," : "", i);
        json_str(stdout, m->role, strlen(m->role));
        printf(",\"content\":%llu,\"overhead\":%llu,\"tokens\":%llu}",
               (unsigned long long)m->content, (unsigned long long)m->overhead,
               (unsigned long long)m->total);
    }
    fputs("],\"note\":", stdout);
    if (cc->note)
        json_str(stdout, cc->note, strlen(cc->note));
    else
        fputs("null", stdout);
    fputs("}\n", stdout);
}

/* "openai convention (3 per message, 1 per name, 3 for the reply), exact" */
static void print_convention(const tok_choice *ch, const tok_chat_count *cc)
{
    printf("%s: %s", ch->label, cc->convention);
    if (strcmp(ch->arg, tok_name(ch->tok)) != 0)
        printf(" with %s", shown_name(tok_name(ch->tok)));
    if (!strcmp(cc->convention, "openai"))
        printf(" (%d per message, %d per name, %llu for the reply)", cc->tokens_per_message,
               cc->tokens_per_name, (unsigned long long)cc->reply);
    if (cc->exact)
        fputs(", exact\n", stdout);
    else
        printf(", estimate: %s\n", cc->note ? cc->note : "see the documentation");
}

/* One tokenizer: content, overhead and tokens per message. */
static void print_one(const tok_choice *ch, const tok_chat_count *cc)
{
    print_convention(ch, cc);
    int rw = 4;
    for (size_t i = 0; i < cc->n_messages; i++)
        if ((int)strlen(cc->messages[i].role) > rw)
            rw = (int)strlen(cc->messages[i].role);
    if (rw < 9)
        rw = 9;
    int iw = digits(cc->n_messages ? cc->n_messages - 1 : 0);
    int w = digits(cc->total) > 7 ? digits(cc->total) : 7;
    printf("%*s  %-*s %*s %*s %*s\n", iw, "#", rw, "role", w, "content", w + 1, "overhead", w,
           "tokens");
    if (cc->prefix)
        printf("%*s  %-*s %*s %*s %*llu\n", iw, "", rw, "(start)", w, "", w + 1, "", w,
               (unsigned long long)cc->prefix);
    for (size_t i = 0; i < cc->n_messages; i++) {
        const tok_chat_message_count *m = &cc->messages[i];
        printf("%*zu  %-*s %*llu %*llu %*llu\n", iw, i, rw, m->role, w,
               (unsigned long long)m->content, w + 1, (unsigned long long)m->overhead, w,
               (unsigned long long)m->total);
    }
    printf("%*s  %-*s %*s %*s %*llu\n", iw, "", rw, "(reply)", w, "", w + 1, "", w,
           (unsigned long long)cc->reply);
    printf("%*s  %-*s %*s %*s %*llu\n", iw, "", rw, "total", w, "", w + 1, "", w,
           (unsigned long long)cc->total);
}

/* Several tokenizers: one column of per-message tokens each. */
static void print_many(const tok_choices *tc, const tok_chat_count *cc)
{
    size_t n = cc[0].n_messages;
    int rw = 9, w[MAX_CHOICES];
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(cc[0].messages[i].role) > rw)
            rw = (int)strlen(cc[0].messages[i].role);
    int iw = digits(n ? n - 1 : 0);
    bool any_prefix = false;
    for (size_t k = 0; k < tc->n; k++) {
        w[k] = (int)strlen(tc->v[k].label);
        if (digits(cc[k].total) > w[k])
            w[k] = digits(cc[k].total);
        if (w[k] < 7)
            w[k] = 7;
        any_prefix |= cc[k].prefix != 0;
    }
    for (size_t k = 0; k < tc->n; k++)
        print_convention(&tc->v[k], &cc[k]);
    printf("%*s  %-*s", iw, "#", rw, "role");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*s", w[k], tc->v[k].label);
    putchar('\n');
    if (any_prefix) {
        printf("%*s  %-*s", iw, "", rw, "(start)");
        for (size_t k = 0; k < tc->n; k++)
            printf(" %*llu", w[k], (unsigned long long)cc[k].prefix);
        putchar('\n');
    }
    for (size_t i = 0; i < n; i++) {
        printf("%*zu  %-*s", iw, i, rw, cc[0].messages[i].role);
        for (size_t k = 0; k < tc->n; k++)
            printf(" %*llu", w[k], (unsigned long long)cc[k].messages[i].total);
        putchar('\n');
    }
    printf("%*s  %-*s", iw, "", rw, "(reply)");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*llu", w[k], (unsigned long long)cc[k].reply);
    printf("\n%*s  %-*s", iw, "", rw, "total");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*llu", w[k], (unsigned long long)cc[k].total);
    putchar('\n');
}

/* The "model" of a request body, if the input is one (malloc'd, or NULL). */
static char *body_model(const input *in)
{
    cJSON *j = cJSON_ParseWithLength(in->data, in->len);
    char *m = NULL;
    if (j && cJSON_IsObject(j)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "model");
        if (cJSON_IsString(v) && v->valuestring[0])
            m = strdup(v->valuestring);
    }
    cJSON_Delete(j);
    return m;
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    const char *tmpl = cli_text(a, "template");
    bool json = cli_flag(a, "json"), has_limit = cli_flag(a, "limit");
    uint64_t limit = cli_number(a, "limit", 0);
    if (a->n_pos > 1)
        return cli_usage_error(a, "one conversation file at a time, not %zu", a->n_pos);
    const char *path = a->n_pos ? a->pos[0] : "-";
    const char *label = strcmp(path, "-") ? path : "<stdin>";
    input in;
    if (!read_input(path, &in))
        return EXIT_BAD;
    char *dflt = NULL;
    if (tc.n == 0) { /* the request's own model, else gpt-4o */
        dflt = body_model(&in);
        choices_add(&tc, 'm', dflt ? dflt : "gpt-4o");
    }
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        input_free(&in);
        free(dflt);
        return EXIT_BAD;
    }
    tok_chat_count *cc = calloc(tc.n, sizeof *cc);
    int status = cc ? EXIT_OK : EXIT_BAD;
    for (size_t k = 0; cc && k < tc.n; k++) {
        tok_chat_options o = {tc.v[k].kind == 'm' ? tc.v[k].arg : NULL, tmpl};
        tok_error err;
        if (tok_chat_count_json_opts(tc.v[k].tok, &o, in.data, in.len, &cc[k], &err) != TOK_OK) {
            warn_err(label, &err);
            if (err.status == TOK_EUNSUPPORTED && !tmpl && !err.where[0])
                warnx_("choose the convention with --template openai|harmony|llama3|chatml");
            status = EXIT_BAD;
            break;
        }
    }
    if (!cc)
        warnx_("out of memory");
    if (status == EXIT_OK) {
        if (json)
            for (size_t k = 0; k < tc.n; k++)
                print_json(strcmp(path, "-") ? path : "-", &tc.v[k], &cc[k]);
        else if (tc.n == 1)
            print_one(&tc.v[0], &cc[0]);
        else
            print_many(&tc, cc);
        check_stdout();
        for (size_t k = 0; has_limit && k < tc.n; k++)
            if (cc[k].total > limit) {
                warnx_("%s: %llu tokens (%s) is over the limit of %llu", shown_name(label),
                       (unsigned long long)cc[k].total, tc.v[k].label, (unsigned long long)limit);
                status = EXIT_OVER;
            }
    }
    for (size_t k = 0; cc && k < tc.n; k++)
        tok_chat_count_free(&cc[k]);
    free(cc);
    choices_close(&tc);
    input_free(&in);
    free(dflt);
    return status;
}

static const cli_opt opts[] = {
    {"model", 'm', "MODEL", CLI_TOKENIZER,
     .help = "OpenAI model (gpt-4o, gpt-4, gpt-3.5-turbo-0301, gpt-oss-20b, ...)\n"
             "(default: the request's \"model\", else gpt-4o; repeatable)",
     .values = CLI_V_OPENAI_MODEL},
    {"encoding", 'e', "NAME", CLI_TOKENIZER, .help = "built-in encoding (repeatable)",
     .values = CLI_V_ENCODING},
    {"tokenizer", 't', "PATH", CLI_TOKENIZER,
     .help = "tokenizer file, e.g. a tokenizer.json (repeatable)", .values = CLI_V_FILE},
    {"template", 0, "NAME", CLI_CHOICE,
     .help = "the chat convention, instead of the one the model and tokenizer\n"
             "imply: openai, harmony, llama3 or chatml",
     .choices = "openai|harmony|llama3|chatml"},
    {"json", 0, NULL, CLI_FLAG, .help = "JSON Lines: one object per tokenizer"},
    {"limit", 0, "N", CLI_NUMBER, .help = "exit 1 when a total is over N"},
};

CLI_COMMAND(chat, "[FILE.json]", CLI_V_FILE, "count a chat conversation the way the API bills it",
            /* usage */
            "chat [OPTIONS] [FILE.json|-]\n",
            /* about */
            "Count the tokens of a conversation -- a JSON array of messages {role, content, name,\n"
            "tool_calls}, or a request body with a \"messages\" array -- the way the model sees it:\n"
            "every message with its formatting tokens, and the tokens that prime the reply. Reads\n"
            "standard input when no FILE is given.\n",
            /* footer */
            "Conventions: openai (OpenAI chat models: 3 tokens per message, 1 per name, 3 for the\n"
            "reply; gpt-3.5-turbo-0301: 4 and -1), harmony (gpt-oss: the harmony rendering),\n"
            "llama3 and chatml (tokenizer.json files with those special tokens: the chat template).\n"
            "\n"
            "Exit status: 0 ok, 1 over --limit, 2 a usage, file or message error.\n");
