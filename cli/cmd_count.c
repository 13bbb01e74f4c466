/* count: tokens per file, wc-style. One row per file, a total row when there are several, one
 * column per tokenizer. An unreadable file is reported and the rest still counted (exit 2). */
#include "cli.h"
#include "walk.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "Usage: tokscope count [OPTIONS] [FILE|DIR|-]...\n"
    "\n"
    "Count tokens in each FILE (standard input when none or '-'), one row per file and a\n"
    "'total' row when there are several. Several tokenizers give one column each.\n"
    "\n"
    "  -e, --encoding NAME   built-in encoding (default o200k_base; repeatable)\n"
    "  -m, --model MODEL     OpenAI model name, e.g. gpt-4o (repeatable)\n"
    "  -t, --tokenizer PATH  tokenizer file, e.g. a .tiktoken file (repeatable)\n"
    "  -r, --recursive       count the files under each DIR, skipping binary files and\n"
    "                        what .gitignore files exclude\n"
    "      --json            JSON Lines: an object per file and one for the total\n"
    "      --limit N         exit 1 when a count (a file's or the total) is over N\n"
    "      --special POLICY  special-token text such as <|endoftext|>: ordinary (plain\n"
    "                        text, default), allow (one special token), reject (error)\n"
    "      --lossy           replace invalid UTF-8 with U+FFFD instead of failing\n"
    "      --add-special     add the tokenizer's own special tokens around the text (BOS/EOS,\n"
    "                        templates) as tokenizer.json and .model files define them\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 ok, 1 over --limit, 2 a file could not be read or counted.\n";

typedef struct row {
    char *name;
    uint64_t bytes;
    uint64_t *counts;
} row;

typedef struct count_ctx {
    tok_choices tc;
    tok_encode_options opts;
    bool json, recursive;
    row *rows;
    size_t n_rows, cap_rows;
    int errors;
} count_ctx;

static void add_row(count_ctx *c, const char *name, uint64_t bytes, const uint64_t *counts)
{
    if (c->n_rows == c->cap_rows) {
        c->cap_rows = c->cap_rows ? c->cap_rows * 2 : 16;
        c->rows = realloc(c->rows, c->cap_rows * sizeof *c->rows);
        if (!c->rows) {
            warnx_("out of memory");
            exit(EXIT_BAD);
        }
    }
    row *r = &c->rows[c->n_rows++];
    r->name = strdup(name);
    r->bytes = bytes;
    r->counts = malloc(c->tc.n * sizeof *r->counts);
    if (!r->name || !r->counts) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    memcpy(r->counts, counts, c->tc.n * sizeof *counts);
}

/* Count one input; walked files skip binary content quietly. */
static bool count_one(count_ctx *c, const char *path, bool skip_binary)
{
    input in;
    if (!read_input(path, &in))
        return false;
    if (skip_binary && memchr(in.data, 0, in.len < 8192 ? in.len : 8192)) {
        input_free(&in);
        return true;
    }
    uint64_t *counts = malloc(c->tc.n * sizeof *counts);
    bool ok = counts != NULL;
    for (size_t k = 0; ok && k < c->tc.n; k++) {
        size_t n;
        tok_error err;
        if (tok_count(c->tc.v[k].tok, in.data, in.len, &c->opts, &n, &err) != TOK_OK) {
            warn_err(strcmp(path, "-") ? path : "<stdin>", &err);
            ok = false;
        }
        counts[k] = n;
    }
    if (ok)
        add_row(c, path, in.len, counts);
    free(counts);
    input_free(&in);
    return ok;
}

static bool walked_file(void *ctx, const char *path) { return count_one(ctx, path, true); }

static int digits(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static void print_json(const count_ctx *c, const row *r, bool total)
{
    if (total)
        printf("{\"total\":true,\"files\":%zu,\"bytes\":%llu,\"tokens\":{", c->n_rows,
               (unsigned long long)r->bytes);
    else {
        fputs("{\"file\":", stdout);
        json_str(stdout, r->name, strlen(r->name));
        printf(",\"bytes\":%llu,\"tokens\":{", (unsigned long long)r->bytes);
    }
    for (size_t k = 0; k < c->tc.n; k++) {
        if (k)
            putchar(',');
        json_str(stdout, c->tc.v[k].arg, strlen(c->tc.v[k].arg));
        printf(":%llu", (unsigned long long)r->counts[k]);
    }
    fputs("}}\n", stdout);
}

int cmd_count(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_LIMIT, OPT_SPECIAL, OPT_LOSSY, OPT_ADD };
    static const struct option longs[] = {
        {"encoding", required_argument, 0, 'e'}, {"model", required_argument, 0, 'm'},
        {"tokenizer", required_argument, 0, 't'}, {"recursive", no_argument, 0, 'r'},
        {"json", no_argument, 0, OPT_JSON},      {"limit", required_argument, 0, OPT_LIMIT},
        {"special", required_argument, 0, OPT_SPECIAL},
        {"lossy", no_argument, 0, OPT_LOSSY},    {"add-special", no_argument, 0, OPT_ADD},    {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    count_ctx c = {0};
    uint64_t limit = 0;
    bool has_limit = false;
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":e:m:t:rh", longs, NULL)) != -1) {
        switch (opt) {
        case 'e': case 'm': case 't': choices_add(&c.tc, (char)opt, optarg); break;
        case 'r': c.recursive = true; break;
        case OPT_JSON: c.json = true; break;
        case OPT_LIMIT:
            if (!parse_count(optarg, &limit))
                return usage_error("count", "--limit needs a whole number, not '%s'", optarg);
            has_limit = true;
            break;
        case OPT_SPECIAL:
            if (!parse_special(optarg, &c.opts.special))
                return usage_error("count", "--special must be ordinary, allow or reject, not '%s'",
                                   optarg);
            break;
        case OPT_LOSSY: c.opts.flags |= TOK_ENCODE_LOSSY_UTF8; break;
        case OPT_ADD: c.opts.flags |= TOK_ENCODE_ADD_SPECIAL; break;
        case 'h': fputs(help, stdout); check_stdout(); return EXIT_OK;
        case ':': return usage_error("count", "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("count", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!choices_open(&c.tc, "o200k_base")) {
        choices_close(&c.tc);
        return EXIT_BAD;
    }

    int n_ops = argc - optind;
    bool stdin_only = n_ops == 0;
    for (int i = optind; i < argc || stdin_only; i++) {
        const char *path = stdin_only ? "-" : argv[i];
        struct stat st;
        if (c.recursive && strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            c.errors += walk_dir(path, walked_file, &c);
            continue;
        }
        if (!count_one(&c, path, false))
            c.errors++;
        if (stdin_only)
            break;
    }

    row total = {.name = "total", .counts = calloc(c.tc.n, sizeof(uint64_t))};
    for (size_t r = 0; r < c.n_rows; r++) {
        total.bytes += c.rows[r].bytes;
        for (size_t k = 0; k < c.tc.n; k++)
            total.counts[k] += c.rows[r].counts[k];
    }
    bool show_total = c.n_rows > 1;
    int width = 7;
    for (size_t k = 0; k < c.tc.n; k++) {
        int d = digits(total.counts[k]);
        if (d > width)
            width = d;
        if (c.tc.n > 1 && (int)strlen(c.tc.v[k].arg) > width)
            width = (int)strlen(c.tc.v[k].arg);
    }
    if (c.json) {
        for (size_t r = 0; r < c.n_rows; r++)
            print_json(&c, &c.rows[r], false);
        print_json(&c, &total, true);
    } else {
        if (c.tc.n > 1) {
            for (size_t k = 0; k < c.tc.n; k++)
                printf("%s%*s", k ? " " : "", width, c.tc.v[k].arg);
            puts(" file");
        }
        for (size_t r = 0; r <= c.n_rows; r++) {
            const row *rw = r < c.n_rows ? &c.rows[r] : &total;
            if (r == c.n_rows && !show_total)
                break;
            for (size_t k = 0; k < c.tc.n; k++)
                printf("%s%*llu", k ? " " : "", width, (unsigned long long)rw->counts[k]);
            if (stdin_only)
                putchar('\n');
            else
                printf(" %s\n", rw->name);
        }
    }
    check_stdout();

    int status = c.errors ? EXIT_BAD : EXIT_OK;
    if (has_limit && !c.errors) {
        for (size_t r = 0; r <= c.n_rows; r++) {
            const row *rw = r < c.n_rows ? &c.rows[r] : &total;
            if (r == c.n_rows && !show_total)
                break;
            for (size_t k = 0; k < c.tc.n; k++)
                if (rw->counts[k] > limit) {
                    warnx_("%s: %llu tokens (%s) is over the limit of %llu",
                           strcmp(rw->name, "-") ? rw->name : "<stdin>",
                           (unsigned long long)rw->counts[k], c.tc.v[k].arg,
                           (unsigned long long)limit);
                    status = EXIT_OVER;
                }
        }
    }
    for (size_t r = 0; r < c.n_rows; r++) {
        free(c.rows[r].name);
        free(c.rows[r].counts);
    }
    free(c.rows);
    free(total.counts);
    choices_close(&c.tc);
    return status;
}
