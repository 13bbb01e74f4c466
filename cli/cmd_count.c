/* count: tokens per file, wc-style. One row per file, a total row when there are several, one
 * column per tokenizer. An unreadable file is reported and the rest still counted (exit 2). */
#include "cli.h"
#include "walk.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct row {
    char *name;
    uint64_t bytes;
    uint64_t *counts;
} row;

/* Compressed data, by its magic number: a walk leaves such files out. */
static const struct {
    const char *name, *magic;
    size_t len;
} compressed[] = {
    {"gzip", "\x1f\x8b", 2},         {"bzip2", "BZh", 3},       {"xz", "\xfd" "7zXZ\0", 6},
    {"zstd", "\x28\xb5\x2f\xfd", 4}, {"zip", "PK\x03\x04", 4}, {"7z", "7z\xbc\xaf\x27\x1c", 6},
    {"lz4", "\x04\x22\x4d\x18", 4},
};
#define N_COMPRESSED (sizeof compressed / sizeof compressed[0])

typedef struct count_ctx {
    tok_choices tc;
    tok_encode_options opts;
    bool json, recursive;
    row *rows;
    size_t n_rows, cap_rows;
    int errors;
    size_t skipped_binary, skipped_compressed[N_COMPRESSED]; /* by walks */
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

/* A walked file that is not text: compressed data, or binary (a NUL byte in the first 8 KB,
 * as git and grep tell). It is left out and counted for the summary. */
static bool skip_walked(count_ctx *c, const input *in)
{
    for (size_t k = 0; k < N_COMPRESSED; k++)
        if (in->len >= compressed[k].len && !memcmp(in->data, compressed[k].magic, compressed[k].len)) {
            c->skipped_compressed[k]++;
            return true;
        }
    if (memchr(in->data, 0, in->len < 8192 ? in->len : 8192)) {
        c->skipped_binary++;
        return true;
    }
    return false;
}

/* "skipped 3 files that are not text: 2 binary (...), 1 compressed (gzip)", when any were. */
static void skipped_summary(const count_ctx *c)
{
    size_t comp = 0;
    for (size_t k = 0; k < N_COMPRESSED; k++)
        comp += c->skipped_compressed[k];
    if (!c->skipped_binary && !comp)
        return;
    char what[256] = "", kinds[128] = "";
    size_t total = c->skipped_binary + comp;
    if (c->skipped_binary)
        snprintf(what, sizeof what, "%zu binary (a NUL byte in the first 8 KB)",
                 c->skipped_binary);
    for (size_t k = 0; k < N_COMPRESSED; k++)
        if (c->skipped_compressed[k])
            snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                     kinds[0] ? ", " : "", compressed[k].name);
    if (comp)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s%zu compressed (%s)",
                 what[0] ? ", " : "", comp, kinds);
    warnx_("skipped %zu %s not text: %s", total, total == 1 ? "file that is" : "files that are",
           what);
}

/* Count one input; a walked file that is not text is left out (see skip_walked). */
static bool count_one(count_ctx *c, const char *path, bool walked)
{
    input in;
    if (!read_input(path, &in))
        return false;
    if (walked && skip_walked(c, &in)) {
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
    bool any = false;
    for (size_t k = 0; k < c->tc.n; k++) {
        if (k)
            putchar(',');
        json_str(stdout, c->tc.v[k].arg, strlen(c->tc.v[k].arg));
        printf(":%llu", (unsigned long long)choice_tokens(&c->tc.v[k], r->counts[k]));
        any |= c->tc.v[k].estimate;
    }
    putchar('}');
    /* estimated counts: their range and basis; the others are exact */
    if (any) {
        fputs(",\"estimated\":{", stdout);
        bool first = true;
        for (size_t k = 0; k < c->tc.n; k++) {
            const tok_choice *ch = &c->tc.v[k];
            if (!ch->estimate)
                continue;
            uint64_t lo, hi;
            choice_range(ch, r->counts[k], &lo, &hi);
            if (!first)
                putchar(',');
            first = false;
            json_str(stdout, ch->arg, strlen(ch->arg));
            printf(":{\"low\":%llu,\"high\":%llu,\"counted\":%llu", (unsigned long long)lo,
                   (unsigned long long)hi, (unsigned long long)r->counts[k]);
            choice_json_exactness(stdout, ch);
            putchar('}');
        }
        putchar('}');
    }
    fputs("}\n", stdout);
}

static int run(const cli_args *a)
{
    count_ctx c = {0};
    cli_tokenizers(a, &c.tc);
    c.opts = cli_encode_options(a);
    c.json = cli_flag(a, "json");
    c.recursive = cli_flag(a, "recursive");
    bool has_limit = cli_flag(a, "limit");
    uint64_t limit = cli_number(a, "limit", 0);
    if (!choices_open(&c.tc, "o200k_base")) {
        choices_close(&c.tc);
        return EXIT_BAD;
    }

    bool stdin_only = a->n_pos == 0;
    for (size_t i = 0; i < a->n_pos || stdin_only; i++) {
        const char *path = stdin_only ? "-" : a->pos[i];
        struct stat st;
        if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (c.recursive)
                c.errors += walk_dir(path, walked_file, &c);
            else {
                warnx_("%s: is a directory (-r counts the files in it)", shown_name(path));
                c.errors++;
            }
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
        int d = digits(choice_tokens(&c.tc.v[k], total.counts[k])) + (c.tc.v[k].estimate ? 1 : 0);
        if (d > width)
            width = d;
        if (c.tc.n > 1 && (int)strlen(c.tc.v[k].label) > width)
            width = (int)strlen(c.tc.v[k].label);
    }
    if (c.json) {
        for (size_t r = 0; r < c.n_rows; r++)
            print_json(&c, &c.rows[r], false);
        print_json(&c, &total, true);
    } else {
        if (c.tc.n > 1) {
            for (size_t k = 0; k < c.tc.n; k++)
                printf("%s%*s", k ? " " : "", width, c.tc.v[k].label);
            puts(" file");
        }
        for (size_t r = 0; r <= c.n_rows; r++) {
            const row *rw = r < c.n_rows ? &c.rows[r] : &total;
            if (r == c.n_rows && !show_total)
                break;
            for (size_t k = 0; k < c.tc.n; k++) {
                char cell[32];
                printf("%s%*s", k ? " " : "", width, choice_cell(&c.tc.v[k], rw->counts[k], cell,
                                                                  sizeof cell));
            }
            if (stdin_only)
                putchar('\n');
            else
                printf(" %s\n", shown_name(rw->name));
        }
    }
    check_stdout();

    skipped_summary(&c);
    /* every count over the limit is named, also when some files failed (then exit 2) */
    run_tally t = {c.n_rows + (size_t)c.errors, (size_t)c.errors, 0};
    for (size_t r = 0; has_limit && r <= c.n_rows; r++) {
        const row *rw = r < c.n_rows ? &c.rows[r] : &total;
        if (r == c.n_rows && !show_total)
            break;
        for (size_t k = 0; k < c.tc.n; k++)
            if (choice_tokens(&c.tc.v[k], rw->counts[k]) > limit) {
                char cell[32];
                warnx_("%s: %s tokens (%s) is over the limit of %llu",
                       strcmp(rw->name, "-") ? shown_name(rw->name) : "<stdin>",
                       choice_cell(&c.tc.v[k], rw->counts[k], cell, sizeof cell),
                       c.tc.v[k].label, (unsigned long long)limit);
                t.over++;
            }
    }
    int status = run_status(&t, "file", "counted");
    for (size_t r = 0; r < c.n_rows; r++) {
        free(c.rows[r].name);
        free(c.rows[r].counts);
    }
    free(c.rows);
    free(total.counts);
    choices_close(&c.tc);
    return status;
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS("; repeatable"),
    {"recursive", 'r', NULL, CLI_FLAG,
     .help = "count the files under each DIR, skipping compressed and binary\n"
             "files (stderr says how many) and what .gitignore files exclude"},
    {"json", 0, NULL, CLI_FLAG, .help = "JSON Lines: an object per file and one for the total"},
    {"limit", 0, "N", CLI_NUMBER, .help = "exit 1 when a count (a file's or the total) is over N"},
    CLI_ENCODE_OPTS,
};

CLI_COMMAND(count, "[FILE|DIR|-]...", CLI_V_FILE, "count tokens, one row per file (wc-style)",
            /* usage */
            "count [OPTIONS] [FILE|DIR|-]...\n",
            /* about */
            "Count tokens in each FILE (standard input when none or '-'), one row per file and a\n"
            "'total' row when there are several. Several tokenizers give one column each.\n",
            /* footer */
            "Exit status: 0 ok, 1 over --limit, 2 a file could not be read or counted (the others\n"
            "are still counted and checked against --limit).\n");
