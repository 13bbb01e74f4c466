/* compare: the same text under several tokenizers, one row each: tokens, characters per token,
 * the ratio to the first tokenizer, and vocabulary size. Several files are counted together (a
 * file that cannot be read or encoded is reported and left out, as count does). --html writes
 * the table and a bar chart (inline SVG) as a self-contained page. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

typedef struct totals {
    uint64_t bytes, chars, files;
    uint64_t tokens[MAX_CHOICES];
} totals;

static bool add_file(const tok_choices *tc, const tok_encode_options *o, const char *path,
                     totals *t)
{
    input in;
    if (!read_input(path, &in))
        return false;
    uint64_t counts[MAX_CHOICES];
    bool ok = true;
    for (size_t k = 0; ok && k < tc->n; k++) {
        size_t n = 0;
        tok_error err;
        if (tok_count(tc->v[k].tok, in.data, in.len, o, &n, &err) != TOK_OK) {
            warn_err(strcmp(path, "-") ? path : "<stdin>", &err);
            ok = false;
        }
        counts[k] = n;
    }
    if (ok) {
        t->bytes += in.len;
        t->chars += utf8_chars(in.data, in.len);
        t->files++;
        for (size_t k = 0; k < tc->n; k++)
            t->tokens[k] += counts[k];
    }
    input_free(&in);
    return ok;
}

/* "3.85" or "-" when there are no tokens. */
static void fmt_ratio(char *buf, size_t cap, uint64_t num, uint64_t den)
{
    if (den == 0)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.2f", (double)num / (double)den);
}

/* The model's count of choice k (scaled when it is an estimate), and its vocabulary's size
 * ("-": an estimate's own vocabulary is not known). */
static uint64_t tokens_of(const tok_choices *tc, const totals *t, size_t k)
{
    return choice_tokens(&tc->v[k], t->tokens[k]);
}

static const char *vocab_of(const tok_choice *ch, char *buf, size_t cap)
{
    if (ch->estimate)
        return "-";
    snprintf(buf, cap, "%u", tok_vocab_size(ch->tok));
    return buf;
}

static void print_table(const tok_choices *tc, const totals *t)
{
    size_t nw = strlen("tokenizer");
    for (size_t k = 0; k < tc->n; k++) {
        size_t w = text_width(tc->v[k].label, strlen(tc->v[k].label));
        nw = w > nw ? w : nw;
    }
    put_padded(stdout, "tokenizer", nw, false);
    printf("  %10s  %11s  %6s  %8s\n", "tokens", "chars/token", "ratio", "vocab");
    for (size_t k = 0; k < tc->n; k++) {
        char cpt[32], ratio[32], cell[32], voc[16];
        fmt_ratio(cpt, sizeof cpt, t->chars, tokens_of(tc, t, k));
        fmt_ratio(ratio, sizeof ratio, tokens_of(tc, t, k), tokens_of(tc, t, 0));
        put_padded(stdout, tc->v[k].label, nw, false);
        printf("  %10s  %11s  %6s  %8s\n", choice_cell(&tc->v[k], t->tokens[k], cell, sizeof cell),
               cpt, ratio, vocab_of(&tc->v[k], voc, sizeof voc));
    }
}

static void print_json(const tok_choices *tc, const totals *t)
{
    for (size_t k = 0; k < tc->n; k++) {
        fputs("{\"tokenizer\":", stdout);
        json_str(stdout, tc->v[k].arg, strlen(tc->v[k].arg));
        uint64_t tk = tokens_of(tc, t, k), t0 = tokens_of(tc, t, 0);
        printf(",\"tokens\":%llu,\"characters\":%llu,\"bytes\":%llu,\"chars_per_token\":",
               (unsigned long long)tk, (unsigned long long)t->chars,
               (unsigned long long)t->bytes);
        if (tk)
            printf("%.4f", (double)t->chars / (double)tk);
        else
            fputs("null", stdout);
        fputs(",\"ratio\":", stdout);
        if (t0)
            printf("%.4f", (double)tk / (double)t0);
        else
            fputs("null", stdout);
        if (tc->v[k].estimate) {
            uint64_t lo, hi;
            choice_range(&tc->v[k], t->tokens[k], &lo, &hi);
            printf(",\"low\":%llu,\"high\":%llu,\"vocab_size\":null", (unsigned long long)lo,
                   (unsigned long long)hi);
        } else {
            printf(",\"vocab_size\":%u", tok_vocab_size(tc->v[k].tok));
        }
        choice_json_exactness(stdout, &tc->v[k]);
        fputs("}\n", stdout);
    }
}

/* The page: the table, then one horizontal bar per tokenizer, its length proportional to its
 * tokens (the longest bar is the most tokens), with the count at the end of the bar. */
static void render_html(sbuf *b, const tok_choices *tc, const totals *t, const char *what)
{
    html_begin(b, "tokscope compare",
               ".bar{fill:#5b8def}.bar0{fill:#f0a030}svg text{font:13px system-ui,sans-serif;"
               "fill:currentColor}\n");
    sb_puts(b, "<h1>tokscope compare</h1>\n<p class=\"legend\">");
    html_escape(b, what, strlen(what));
    sb_printf(b, ": %llu characters, %llu bytes</p>\n<table>\n<thead><tr><th>tokenizer</th>"
                 "<th>tokens</th><th>characters per token</th><th>ratio to the first</th>"
                 "<th>vocabulary</th></tr></thead>\n<tbody>\n",
              (unsigned long long)t->chars, (unsigned long long)t->bytes);
    uint64_t max = 1;
    size_t name_w = 0;
    for (size_t k = 0; k < tc->n; k++) {
        char cpt[32], ratio[32], cell[32], voc[16];
        fmt_ratio(cpt, sizeof cpt, t->chars, tokens_of(tc, t, k));
        fmt_ratio(ratio, sizeof ratio, tokens_of(tc, t, k), tokens_of(tc, t, 0));
        sb_puts(b, "<tr><td class=\"mono\">");
        html_escape(b, tc->v[k].arg, strlen(tc->v[k].arg));
        sb_printf(b, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                  choice_cell(&tc->v[k], t->tokens[k], cell, sizeof cell), cpt, ratio,
                  vocab_of(&tc->v[k], voc, sizeof voc));
        max = tokens_of(tc, t, k) > max ? tokens_of(tc, t, k) : max;
        size_t w = utf8_chars(tc->v[k].arg, strlen(tc->v[k].arg));
        name_w = w > name_w ? w : name_w;
    }
    sb_puts(b, "</tbody>\n</table>\n");
    /* Geometry in user units: labels on the left, bars up to 480 wide, 28 per row. */
    unsigned label_w = (unsigned)(name_w > 40 ? 40 : name_w) * 8 + 16, bar_max = 480, row = 28;
    unsigned width = label_w + bar_max + 90, height = (unsigned)tc->n * row + 8;
    sb_printf(b, "<svg class=\"chart\" role=\"img\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u "
                 "%u\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>tokens per tokenizer"
                 "</title>\n",
              width, height, width, height);
    for (size_t k = 0; k < tc->n; k++) {
        unsigned y = (unsigned)k * row + 4;
        unsigned w = (unsigned)((double)tokens_of(tc, t, k) / (double)max * bar_max + 0.5);
        if (w < 1)
            w = 1;
        char cell[32];
        choice_cell(&tc->v[k], t->tokens[k], cell, sizeof cell);
        sb_printf(b, "<g class=\"row\"><title>");
        html_escape(b, tc->v[k].arg, strlen(tc->v[k].arg));
        sb_printf(b, ": %s tokens%s</title><text x=\"%u\" y=\"%u\" text-anchor=\"end\">", cell,
                  tc->v[k].estimate ? " (estimated)" : "", label_w - 8, y + 15);
        html_escape(b, tc->v[k].arg, strlen(tc->v[k].arg));
        sb_printf(b, "</text><rect class=\"bar%s\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"20\" "
                     "rx=\"3\"/><text x=\"%u\" y=\"%u\">%s</text></g>\n",
                  k ? "" : " bar0", label_w, y, w, label_w + w + 6, y + 15, cell);
    }
    sb_puts(b, "</svg>\n<p class=\"key\">The first tokenizer (orange) is the baseline of the "
               "ratio column; a shorter bar means fewer tokens for the same text.</p>\n");
    html_end(b);
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    tok_encode_options o = cli_encode_options(a);
    const char *html = cli_text(a, "html");
    bool json = cli_flag(a, "json");
    if (json && html && !strcmp(html, "-"))
        return cli_usage_error(a, "--json and --html - both write standard output: choose one");
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    totals t = {0};
    int errors = 0;
    bool stdin_only = a->n_pos == 0;
    const char *counted = "-"; /* the file counted, when there is one */
    for (size_t i = 0; i < a->n_pos || stdin_only; i++) {
        const char *path = stdin_only ? "-" : a->pos[i];
        if (!add_file(&tc, &o, path, &t))
            errors++;
        else
            counted = path;
        if (stdin_only)
            break;
    }
    run_tally tally = {stdin_only ? 1 : a->n_pos, (size_t)errors, 0};
    if (errors && t.files == 0) {
        choices_close(&tc);
        return run_status(&tally, "file", "read or encoded");
    }
    bool page_on_stdout = html && !strcmp(html, "-");
    if (json)
        print_json(&tc, &t);
    else if (!page_on_stdout)
        print_table(&tc, &t);
    check_stdout();
    if (html) {
        char what[512];
        if (t.files == 1)
            snprintf(what, sizeof what, "%s", strcmp(counted, "-") ? counted : "standard input");
        else
            snprintf(what, sizeof what, "%llu files", (unsigned long long)t.files);
        sbuf page = {0};
        render_html(&page, &tc, &t, what);
        bool written = write_output(html, &page);
        sb_free(&page);
        if (!written) {
            choices_close(&tc);
            return EXIT_BAD;
        }
    }
    choices_close(&tc);
    return run_status(&tally, "file", "read or encoded");
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS("; repeatable: one row each, the first is the baseline"),
    {"html", 0, "FILE", CLI_TEXT,
     .help = "also write a self-contained HTML page with the table and a bar\n"
             "chart ('-': the page on standard output instead of the table)",
     .values = CLI_V_FILE},
    {"json", 0, NULL, CLI_FLAG, .help = "JSON Lines, one object per tokenizer"},
    CLI_ENCODE_OPTS,
};

CLI_COMMAND(compare, "[FILE...]", CLI_V_FILE,
            "one row per tokenizer: tokens, characters per token, ratio",
            /* usage */
            "compare [OPTIONS] -e A -e B [-m MODEL] [-t PATH] [FILE...]\n",
            /* about */
            "Tokenize the FILEs (standard input when none or '-') with every tokenizer given and\n"
            "print one row per tokenizer: tokens, characters per token, ratio of its tokens to the\n"
            "first tokenizer's, and vocabulary size. Several files are counted together.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error, or a file could not be read or encoded.\n");
