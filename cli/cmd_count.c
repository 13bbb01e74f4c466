/* count: tokens per file, wc-style. One row per file, a total row when there are several, one
 * column per tokenizer. An unreadable file is reported and the rest still counted (exit 2).
 *
 * Inputs are listed first (directories walked), then counted -- on -j threads, a file each --
 * and reported in the order given. Standard input and files of PARTS_MIN bytes or more are read
 * part by part where the tokenizers allow it (count_parts.c): memory stays at a few parts, and a
 * single large input is counted on the -j threads. */
#include "cli.h"
#include "count_parts.h"
#include "parallel.h"
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

#define PARTS_MIN ((uint64_t)64 << 20) /* files this large are read part by part */

/* An input to count, and what came of it. */
typedef struct item {
    char *path;
    bool walked;
    parts_result how;
    int skip;          /* why a walk left it out: a compressed[] index, N_COMPRESSED binary */
    uint64_t bytes;
    uint64_t *counts;
} item;

typedef struct count_ctx {
    tok_choices tc;
    tok_tokenizer *toks[MAX_CHOICES];
    tok_encode_options opts;
    bool json, recursive, parts;
    unsigned threads;
    item *items;
    size_t n_items, cap_items;
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
static bool skip_walked(void *ctx, const char *data, size_t len)
{
    item *it = ctx;
    it->skip = -1;
    for (size_t k = 0; k < N_COMPRESSED; k++)
        if (len >= compressed[k].len && !memcmp(data, compressed[k].magic, compressed[k].len))
            it->skip = (int)k;
    if (it->skip < 0 && memchr(data, 0, len < 8192 ? len : 8192))
        it->skip = N_COMPRESSED;
    return it->skip >= 0;
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

/* Standard input, or a file of PARTS_MIN bytes or more, when the tokenizers allow parts: read
 * part by part on `threads` threads. Returns false when the input is for count_whole. */
static bool count_by_parts(count_ctx *c, item *it, unsigned threads)
{
    bool is_stdin = strcmp(it->path, "-") == 0;
    struct stat st;
    if (!c->parts ||
        (!is_stdin && (stat(it->path, &st) != 0 || !S_ISREG(st.st_mode) ||
                       (uint64_t)st.st_size < PARTS_MIN)))
        return false;
    FILE *f = is_stdin ? stdin : fopen(it->path, "rb");
    if (!f)
        return false; /* count_whole says why */
    it->how = count_parts(f, is_stdin ? "<stdin>" : it->path, c->toks, c->tc.n, &c->opts,
                          threads, it->walked ? skip_walked : NULL, it, it->counts, &it->bytes);
    if (!is_stdin)
        fclose(f);
    return true;
}

static void count_whole(count_ctx *c, item *it)
{
    input in;
    it->how = PARTS_FAILED;
    if (!read_input(it->path, &in))
        return;
    if (it->walked && skip_walked(it, in.data, in.len)) {
        it->how = PARTS_SKIPPED;
        input_free(&in);
        return;
    }
    bool ok = true;
    for (size_t k = 0; ok && k < c->tc.n; k++) {
        size_t n;
        tok_error err;
        if (tok_count(c->tc.v[k].tok, in.data, in.len, &c->opts, &n, &err) != TOK_OK) {
            warn_err(strcmp(it->path, "-") ? it->path : "<stdin>", &err);
            ok = false;
        }
        it->counts[k] = n;
    }
    it->bytes = in.len;
    it->how = ok ? PARTS_COUNTED : PARTS_FAILED;
    input_free(&in);
}

/* Count one input; a walked file that is not text is left out (see skip_walked). */
static void count_item(count_ctx *c, item *it, unsigned threads)
{
    it->counts = calloc(c->tc.n, sizeof *it->counts);
    if (!it->counts) {
        warnx_("out of memory");
        it->how = PARTS_FAILED;
    } else if (!count_by_parts(c, it, threads)) {
        count_whole(c, it);
    }
}

static void count_task(void *ctx, size_t i)
{
    count_ctx *c = ctx;
    count_item(c, &c->items[i], 1);
}

static bool add_item(count_ctx *c, const char *path, bool walked)
{
    if (c->n_items == c->cap_items) {
        c->cap_items = c->cap_items ? c->cap_items * 2 : 16;
        c->items = realloc(c->items, c->cap_items * sizeof *c->items);
        if (!c->items) {
            warnx_("out of memory");
            exit(EXIT_BAD);
        }
    }
    item *it = &c->items[c->n_items++];
    *it = (item){.path = strdup(path), .walked = walked, .skip = -1};
    if (!it->path) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    return true;
}

static bool walked_file(void *ctx, const char *path) { return add_item(ctx, path, true); }

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
    c.threads = cli_flag(a, "threads") ? (unsigned)cli_number(a, "threads", 1) : 1;
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
        add_item(&c, path, false);
        if (stdin_only)
            break;
    }
    /* count: one input on every thread (by parts), several a thread each */
    for (size_t k = 0; k < c.tc.n; k++)
        c.toks[k] = c.tc.v[k].tok;
    c.parts = parts_possible(c.toks, c.tc.n);
    if (c.n_items == 1 || c.threads == 1) {
        for (size_t i = 0; i < c.n_items; i++)
            count_item(&c, &c.items[i], c.threads);
    } else {
        parallel_for(c.n_items, c.threads, count_task, &c);
    }
    for (size_t i = 0; i < c.n_items; i++) {
        item *it = &c.items[i];
        if (it->how == PARTS_COUNTED)
            add_row(&c, it->path, it->bytes, it->counts);
        else if (it->how == PARTS_FAILED)
            c.errors++;
        else if (it->skip == N_COMPRESSED)
            c.skipped_binary++;
        else
            c.skipped_compressed[it->skip]++;
        free(it->path);
        free(it->counts);
    }
    free(c.items);

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
    {"threads", 'j', "N", CLI_NUMBER,
     .help = "count on N threads (0: all cores): a file each, or the parts of one\n"
             "large input (default 1)",
     .max = 256, .need = "a number from 0 to 256"},
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
