/* encodings: the built-in encodings with their vocabulary sizes and special tokens. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char help[] =
    "Usage: tokscope encodings [--json]\n"
    "\n"
    "List the built-in encodings: name, vocabulary size (one more than the highest id, as\n"
    "tiktoken's n_vocab), and special tokens with their ids. All are embedded in the library.\n"
    "\n"
    "      --json   one JSON object per encoding, with every special token and the pattern\n"
    "  -h, --help   this help\n";

int cmd_encodings(int argc, char **argv)
{
    enum { OPT_JSON = 256 };
    static const struct option longs[] = {
        {"json", no_argument, 0, OPT_JSON}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool json = false;
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (opt) {
        case OPT_JSON: json = true; break;
        case 'h': fputs(help, stdout); check_stdout(); return EXIT_OK;
        default: return usage_error("encodings", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("encodings", "unexpected argument '%s'", argv[optind]);
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
