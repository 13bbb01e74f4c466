/* truncate: the first (or last) N tokens of a text, as text. The cut is at a character boundary
 * and the printed text encodes to at most N tokens on its own (fit.c says how); with several
 * tokenizers it fits every one of them. */
#include "fit.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: tokscope truncate -n N [OPTIONS] [FILE|-]\n"
    "\n"
    "Print the first N tokens of FILE (standard input when none or '-') as text, never\n"
    "cutting a character in half: the printed text encodes to at most N tokens. Says on\n"
    "stderr when it cut.\n"
    "\n"
    "  -n, --tokens N        keep at most N tokens (required)\n"
    "      --end             keep the last N tokens instead of the first\n"
    "      --strict          exit 1 when the text had to be cut\n"
    "  -e, --encoding NAME   built-in encoding (default o200k_base; several: fit them all)\n"
    "  -m, --model MODEL     OpenAI model name, e.g. gpt-4o (repeatable)\n"
    "  -t, --tokenizer PATH  tokenizer file (repeatable)\n"
    "      --json            print a JSON object {file, truncated, start, end, bytes,\n"
    "                        input_tokens, tokens, text} instead of the text\n"
    "      --special POLICY  special-token text such as <|endoftext|>: ordinary (plain\n"
    "                        text, default), allow (one special token), reject (error)\n"
    "      --lossy           replace invalid UTF-8 with U+FFFD instead of failing\n"
    "  -q, --quiet           say nothing on stderr when cutting\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 ok, 1 cut with --strict, 2 a usage or input error.\n";

static void print_counts(const tok_choices *tc, const size_t *v)
{
    putchar('{');
    for (size_t k = 0; k < tc->n; k++) {
        if (k)
            putchar(',');
        json_str(stdout, tc->v[k].arg, strlen(tc->v[k].arg));
        printf(":%zu", v[k]);
    }
    putchar('}');
}

int cmd_truncate(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_END, OPT_STRICT, OPT_SPECIAL, OPT_LOSSY };
    static const struct option longs[] = {
        {"tokens", required_argument, 0, 'n'},  {"encoding", required_argument, 0, 'e'},
        {"model", required_argument, 0, 'm'},   {"tokenizer", required_argument, 0, 't'},
        {"end", no_argument, 0, OPT_END},       {"strict", no_argument, 0, OPT_STRICT},
        {"json", no_argument, 0, OPT_JSON},     {"special", required_argument, 0, OPT_SPECIAL},
        {"lossy", no_argument, 0, OPT_LOSSY},   {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    tok_choices tc = {0};
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    uint64_t n = 0;
    bool has_n = false, from_end = false, strict = false, json = false, quiet = false;
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":n:e:m:t:qh", longs, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (!parse_count(optarg, &n))
                return usage_error("truncate", "-n needs a whole number of tokens, not '%s'",
                                   optarg);
            has_n = true;
            break;
        case 'e': case 'm': case 't': choices_add(&tc, (char)opt, optarg); break;
        case OPT_END: from_end = true; break;
        case OPT_STRICT: strict = true; break;
        case OPT_JSON: json = true; break;
        case OPT_SPECIAL:
            if (!parse_special(optarg, &o.special))
                return usage_error("truncate",
                                   "--special must be ordinary, allow or reject, not '%s'", optarg);
            break;
        case OPT_LOSSY: o.flags |= TOK_ENCODE_LOSSY_UTF8; break;
        case 'q': quiet = true; break;
        case 'h': fputs(help, stdout); check_stdout(); return EXIT_OK;
        case ':': return usage_error("truncate", "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("truncate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!has_n)
        return usage_error("truncate", "how many tokens to keep? give -n N");
    if (argc - optind > 1)
        return usage_error("truncate", "one file at a time, not %d", argc - optind);
    const char *path = optind < argc ? argv[optind] : "-";
    const char *label = strcmp(path, "-") ? path : "<stdin>";
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    input in;
    if (!read_input(path, &in)) {
        choices_close(&tc);
        return EXIT_BAD;
    }

    /* Cut with each tokenizer in turn until a whole round cuts nothing: then the text fits
     * every one (each verified its count of exactly this text). One round for one tokenizer. */
    size_t *before = calloc(tc.n, sizeof *before), *after = calloc(tc.n, sizeof *after);
    size_t start = 0, end = in.len;
    int status = before && after ? EXIT_OK : EXIT_BAD;
    if (status != EXIT_OK)
        warnx_("out of memory");
    for (size_t k = 0; status == EXIT_OK && k < tc.n; k++) {
        tok_error err;
        if (tok_count(tc.v[k].tok, in.data, in.len, &o, &before[k], &err) != TOK_OK) {
            warn_err(label, &err);
            status = EXIT_BAD;
        }
    }
    for (bool again = true; status == EXIT_OK && again;) {
        again = false;
        for (size_t k = 0; k < tc.n; k++) {
            encoded e;
            tok_error err;
            size_t cut, cnt;
            const char *s = in.data + start;
            size_t len = end - start;
            if (!encode_spans(tc.v[k].tok, &o, s, len, &e, &err) ||
                !fit_tokens(tc.v[k].tok, &o, s, len, &e, n, from_end, &cut, &cnt, &err)) {
                warn_err(label, &err);
                encoded_free(&e);
                status = EXIT_BAD;
                break;
            }
            after[k] = cnt;
            if (from_end ? cut > 0 : cut < len) {
                if (from_end)
                    start += cut;
                else
                    end = start + cut;
                again = tc.n > 1; /* the others must see the shorter text */
            }
            encoded_free(&e);
        }
    }
    bool cut = start > 0 || end < in.len;
    if (status == EXIT_OK) {
        if (json) {
            fputs("{\"file\":", stdout);
            json_str(stdout, path, strlen(path));
            printf(",\"truncated\":%s,\"start\":%zu,\"end\":%zu,\"bytes\":%zu,\"input_tokens\":",
                   cut ? "true" : "false", start, end, in.len);
            print_counts(&tc, before);
            fputs(",\"tokens\":", stdout);
            print_counts(&tc, after);
            fputs(",\"text\":", stdout);
            json_str(stdout, in.data + start, end - start);
            fputs("}\n", stdout);
        } else {
            fwrite(in.data + start, 1, end - start, stdout);
        }
        check_stdout();
        if (cut && !quiet) {
            char counts[512] = "";
            for (size_t k = 0; k < tc.n; k++) {
                size_t l = strlen(counts);
                snprintf(counts + l, sizeof counts - l, "%s%zu of %zu tokens%s%s",
                         k ? ", " : "", after[k], before[k], tc.n > 1 ? " with " : "",
                         tc.n > 1 ? tc.v[k].arg : "");
            }
            warnx_("%s: cut to the %s %llu tokens: kept %s, %zu of %zu bytes", label,
                   from_end ? "last" : "first", (unsigned long long)n, counts, end - start,
                   in.len);
        }
        if (cut && strict)
            status = EXIT_OVER;
    }
    free(before);
    free(after);
    input_free(&in);
    choices_close(&tc);
    return status;
}
