/* truncate: the first (or last) N tokens of a text, as text. The cut is at a character boundary
 * and the printed text encodes to at most N tokens on its own (tok_truncate, lib/api/truncate.c,
 * says how); with several tokenizers it fits every one of them. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_counts(const tok_choices *tc, const size_t *v)
{
    putchar('{');
    for (size_t k = 0; k < tc->n; k++) {
        if (k)
            putchar(',');
        json_str(stdout, tc->v[k].arg, strlen(tc->v[k].arg));
        printf(":%llu", (unsigned long long)choice_tokens(&tc->v[k], v[k]));
    }
    putchar('}');
}

/* Whether what goes to standard error shows right after standard output: both the same
 * terminal, file or pipe. */
static bool stdout_meets_stderr(void)
{
    struct stat a, b;
    if (isatty(STDOUT_FILENO))
        return true;
    return fstat(STDOUT_FILENO, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    tok_encode_options o = cli_encode_options(a);
    uint64_t n = cli_number(a, "tokens", 0);
    bool from_end = cli_flag(a, "end"), strict = cli_flag(a, "strict"), json = cli_flag(a, "json"),
         quiet = cli_flag(a, "quiet");
    if (!cli_flag(a, "tokens"))
        return cli_usage_error(a, "how many tokens to keep? give -n N");
    if (a->n_pos > 1)
        return cli_usage_error(a, "one file at a time, not %zu", a->n_pos);
    const char *path = a->n_pos ? a->pos[0] : "-";
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
            tok_error err;
            size_t cut, cnt;
            const char *s = in.data + start;
            size_t len = end - start;
            /* an estimate: keep as many proxy tokens as stand for N of the model's */
            uint64_t want = choice_raw_limit(&tc.v[k], n);
            if (tok_truncate(tc.v[k].tok, s, len, &o, want > SIZE_MAX ? SIZE_MAX : (size_t)want,
                             from_end ? TOK_TRUNCATE_END : 0, &cut, &cnt, &err) != TOK_OK) {
                warn_err(label, &err);
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
            /* the text ends where it was cut, mostly mid-line: where the note would follow it
             * (a terminal, or 2>&1) it starts on a line of its own (the bytes on standard
             * output stay exactly the text) */
            if (!json && end > start && in.data[end - 1] != '\n' && stdout_meets_stderr()) {
                fflush(stdout);
                fputc('\n', stderr);
            }
            char counts[512] = "";
            for (size_t k = 0; k < tc.n; k++) {
                size_t l = strlen(counts);
                char a_[32], b_[32];
                snprintf(counts + l, sizeof counts - l, "%s%s of %s tokens%s%s",
                         k ? ", " : "", choice_cell(&tc.v[k], after[k], a_, sizeof a_),
                         choice_cell(&tc.v[k], before[k], b_, sizeof b_),
                         tc.n > 1 ? " with " : "", tc.n > 1 ? tc.v[k].label : "");
            }
            warnx_("%s: cut to the %s %llu tokens: kept %s, %zu of %zu bytes", shown_name(label),
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

static const cli_opt opts[] = {
    {"tokens", 'n', "N", CLI_NUMBER, .help = "keep at most N tokens (required)",
     .need = "a whole number of tokens"},
    {"end", 0, NULL, CLI_FLAG, .help = "keep the last N tokens instead of the first"},
    {"strict", 0, NULL, CLI_FLAG, .help = "exit 1 when the text had to be cut"},
    CLI_TOKENIZER_OPTS("; several: fit them all"),
    {"json", 0, NULL, CLI_FLAG,
     .help = "print a JSON object {file, truncated, start, end, bytes,\n"
             "input_tokens, tokens, text} instead of the text"},
    CLI_SPECIAL_OPT,
    CLI_LOSSY_OPT,
    {"quiet", 'q', NULL, CLI_FLAG, .help = "say nothing on stderr when cutting"},
};

CLI_COMMAND(truncate, "-n N [FILE]", CLI_V_FILE, "the first (or last) N tokens as text",
            /* usage */
            "truncate -n N [OPTIONS] [FILE|-]\n",
            /* about */
            "Print the first N tokens of FILE (standard input when none or '-') as text, never\n"
            "cutting a character in half: the printed text encodes to at most N tokens. Says on\n"
            "stderr when it cut.\n",
            /* footer */
            "Exit status: 0 ok, 1 cut with --strict, 2 a usage or input error.\n");
