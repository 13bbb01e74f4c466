/* encodings: the built-in encodings with their vocabulary sizes and special tokens. */
#include "cli.h"

#include <string.h>

static int run(const cli_args *a)
{
    bool json = cli_flag(a, "json");
    if (a->n_pos)
        return cli_usage_error(a, "unexpected argument '%s'", a->pos[0]);
    if (!json)
        printf("%-14s %7s  %s\n", "encoding", "vocab", "special tokens");
    for (size_t i = 0; i < tok_builtin_count(); i++) {
        const char *name = tok_builtin_name(i);
        tok_tokenizer *t;
        tok_error err;
        if (tok_open_encoding(name, &t, &err) != TOK_OK) {
            warnx_("%s", err.message);
            return EXIT_BAD;
        }
        size_t ns = tok_special_count(t);
        if (json) {
            fputs("{\"name\":", stdout);
            json_str(stdout, name, strlen(name));
            printf(",\"vocab_size\":%u,\"special_tokens\":{", tok_vocab_size(t));
            for (size_t k = 0; k < ns; k++) {
                const char *text;
                size_t len;
                uint32_t id;
                tok_special_at(t, k, &text, &len, &id);
                if (k)
                    putchar(',');
                json_str(stdout, text, len);
                printf(":%u", id);
            }
            fputs("},\"pattern\":", stdout);
            json_str(stdout, tok_pattern(t), strlen(tok_pattern(t)));
            fputs("}\n", stdout);
        } else {
            printf("%-14s %7u  ", name, tok_vocab_size(t));
            size_t show = ns > 6 ? 5 : ns;
            for (size_t k = 0; k < show; k++) {
                const char *text;
                size_t len;
                uint32_t id;
                tok_special_at(t, k, &text, &len, &id);
                printf("%s%.*s=%u", k ? " " : "", (int)len, text, id);
            }
            if (ns > show)
                printf(" (+%zu more)", ns - show);
            putchar('\n');
        }
        tok_close(t);
    }
    check_stdout();
    return EXIT_OK;
}

static const cli_opt opts[] = {
    {"json", 0, NULL, CLI_FLAG,
     .help = "one JSON object per encoding, with every special token and the pattern"},
};

CLI_COMMAND(encodings, "", CLI_V_NONE, "list the built-in encodings",
            /* usage */
            "encodings [--json]\n",
            /* about */
            "List the built-in encodings: name, vocabulary size (one more than the highest id, as\n"
            "tiktoken's n_vocab), and special tokens with their ids. All are embedded in the library.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error.\n");
