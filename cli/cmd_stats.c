/* stats: the rules of thumb (1 token is about 4 characters, or 0.75 English words), measured on
 * the user's own text, one column per tokenizer.
 *
 * Characters are Unicode code points; words are runs of characters that are not whitespace (as
 * wc -w counts them). A word is "split" when its core -- the word without the punctuation
 * around it, e.g. "tokenizer" in "(tokenizer)," -- overlaps the spans of two or more tokens.
 * All files are measured together; the token counts per id give the most frequent and the
 * longest tokens used. */
#include "fit.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define THUMB_CHARS 4.0
#define THUMB_WORDS 0.75

typedef struct span2 {
    size_t a, b;
} span2;

/* Per tokenizer, over all files. */
typedef struct tstats {
    uint64_t tokens, split, cored; /* words with a core, and those split */
    uint64_t *freq;                /* count per id (vocab size entries) */
    uint32_t n_ids;
} tstats;

typedef struct totals {
    uint64_t bytes, chars, words;
    size_t files;
} totals;

static bool is_ws(int32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
        return true;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

static bool is_core(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Characters, words, and the cores of the words (appended to *cores). Invalid UTF-8 bytes count
 * as one character each (they were refused or replaced by the encoder). */
static bool scan_words(const char *t, size_t len, totals *tot, span2 **cores, size_t *n_cores)
{
    size_t cap = 0, n = 0;
    span2 *cv = NULL;
    bool in_word = false;
    size_t core_a = 0, core_b = 0;
    bool has_core = false;
    for (size_t i = 0; i <= len;) {
        int32_t cp = -1;
        utf8proc_ssize_t l = 1;
        if (i < len) {
            l = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(len - i), &cp);
            if (l <= 0)
                l = 1, cp = 0xFFFD;
            tot->chars++;
        }
        bool ws = i == len || is_ws(cp);
        if (!ws && !in_word) {
            in_word = true;
            has_core = false;
            tot->words++;
        }
        if (in_word && !ws && is_core(cp)) {
            if (!has_core)
                core_a = i;
            core_b = i + (size_t)l;
            has_core = true;
        }
        if (ws && in_word) {
            in_word = false;
            if (has_core) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 1024;
                    span2 *g = realloc(cv, cap * sizeof *g);
                    if (!g) {
                        free(cv);
                        return false;
                    }
                    cv = g;
                }
                cv[n++] = (span2){core_a, core_b};
            }
        }
        i += (size_t)l;
    }
    *cores = cv;
    *n_cores = n;
    return true;
}

/* Words whose core overlaps two or more tokens. Spans come in order. */
static uint64_t count_split(const encoded *e, const span2 *cores, size_t n)
{
    uint64_t split = 0;
    size_t j = 0;
    for (size_t w = 0; w < n; w++) {
        while (j < e->n && e->spans[j].end <= cores[w].a)
            j++;
        size_t k = j, over = 0;
        while (k < e->n && e->spans[k].start < cores[w].b && over < 2) {
            if (e->spans[k].end > cores[w].a)
                over++;
            k++;
        }
        split += over >= 2;
    }
    return split;
}

typedef struct ranked {
    uint32_t id;
    uint64_t count;
    size_t len;
} ranked;

static int by_count(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int by_len(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->len != b->len)
        return a->len < b->len ? 1 : -1;
    return by_count(x, y);
}

/* The ids used, with counts and byte lengths; NULL when out of memory. */
static ranked *used_tokens(const tok_tokenizer *tok, const tstats *s, size_t *n)
{
    size_t m = 0;
    for (uint32_t id = 0; id < s->n_ids; id++)
        m += s->freq[id] != 0;
    ranked *r = malloc((m ? m : 1) * sizeof *r);
    if (!r)
        return NULL;
    m = 0;
    for (uint32_t id = 0; id < s->n_ids; id++)
        if (s->freq[id]) {
            const char *b;
            size_t l = 0;
            if (tok_token_bytes(tok, id, &b, &l) != TOK_OK)
                l = 0;
            r[m++] = (ranked){id, s->freq[id], l};
        }
    *n = m;
    return r;
}

/* A token's bytes for the terminal: in quotes, escapes for controls and for bytes that are not
 * (complete) UTF-8. */
static void print_token(const tok_tokenizer *tok, uint32_t id)
{
    const char *b;
    size_t l;
    if (tok_token_bytes(tok, id, &b, &l) != TOK_OK) {
        fputs("?", stdout);
        return;
    }
    putchar('"');
    for (size_t i = 0; i < l;) {
        unsigned char c = (unsigned char)b[i];
        int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)b + i,
                                              (utf8proc_ssize_t)(l - i), &cp);
        if (c == '"' || c == '\\')
            printf("\\%c", c), n = 1;
        else if (c == '\n')
            fputs("\\n", stdout), n = 1;
        else if (c == '\t')
            fputs("\\t", stdout), n = 1;
        else if (c == '\r')
            fputs("\\r", stdout), n = 1;
        else if (n <= 0 || c < 0x20 || c == 0x7F)
            printf("\\x%02X", c), n = 1;
        else
            fwrite(b + i, 1, (size_t)n, stdout);
        i += (size_t)n;
    }
    putchar('"');
}

enum ratio_fmt { R2, R1, PCT, SPCT };

/* num / den in a column of width w: 2 or 1 decimals, a percentage, a signed percentage. */
static void print_ratio(double num, double den, int w, enum ratio_fmt f)
{
    char buf[64] = "-";
    if (den > 0) {
        double v = num / den;
        switch (f) {
        case R2: snprintf(buf, sizeof buf, "%.2f", v); break;
        case R1: snprintf(buf, sizeof buf, "%.1f", v); break;
        case PCT: snprintf(buf, sizeof buf, "%.1f%%", v); break;
        case SPCT: snprintf(buf, sizeof buf, "%+.1f%%", v); break;
        }
    }
    printf(" %*s", w, buf);
}

static void json_ratio(const char *key, double num, double den)
{
    if (den > 0)
        printf(",\"%s\":%.4f", key, num / den);
    else
        printf(",\"%s\":null", key);
}

static void print_text(const tok_choices *tc, const tstats *st, const totals *tot,
                       const char *label, size_t top)
{
    if (tot->files == 1)
        printf("%s: ", shown_name(label));
    else
        printf("%zu files: ", tot->files);
    printf("%llu bytes, %llu characters, %llu words\n\n", (unsigned long long)tot->bytes,
           (unsigned long long)tot->chars, (unsigned long long)tot->words);
    int lw = 34, w = 11;
    for (size_t k = 0; k < tc->n; k++)
        if ((int)strlen(tc->v[k].label) > w)
            w = (int)strlen(tc->v[k].label);
    printf("%-*s", lw, "");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*s", w, tc->v[k].label);
    printf("  %13s\n", "rule of thumb");
    double chars = (double)tot->chars, words = (double)tot->words, bytes = (double)tot->bytes;
    uint64_t tk[MAX_CHOICES]; /* the models' counts: estimates scaled (marked ~) */
    for (size_t k = 0; k < tc->n; k++)
        tk[k] = choice_tokens(&tc->v[k], st[k].tokens);
    printf("%-*s", lw, "tokens");
    for (size_t k = 0; k < tc->n; k++) {
        char cell[32];
        printf(" %*s", w, choice_cell(&tc->v[k], st[k].tokens, cell, sizeof cell));
    }
    printf("\n%-*s", lw, "characters per token");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(chars, (double)tk[k], w, R2);
    printf("  %13g\n%-*s", THUMB_CHARS, lw, "words per token");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(words, (double)tk[k], w, R2);
    printf("  %13g\n%-*s", THUMB_WORDS, lw, "bytes per token");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(bytes, (double)tk[k], w, R2);
    printf("\n%-*s", lw, "tokens per 1000 words");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(1000.0 * (double)tk[k], words, w, R1);
    printf("  %13.1f\n%-*s", 1000.0 / THUMB_WORDS, lw, "words split into several tokens");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(100.0 * (double)st[k].split, (double)st[k].cored, w, PCT);
    /* the estimates the rules give, and how far off they are here */
    double est_c = (double)(uint64_t)(chars / THUMB_CHARS + 0.5),
           est_w = (double)(uint64_t)(words / THUMB_WORDS + 0.5);
    printf("\n%-*s", lw, "estimate: characters / 4");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*.0f", w, est_c);
    printf("\n%-*s", lw, "  off by");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(100.0 * (est_c - (double)tk[k]), (double)tk[k], w, SPCT);
    printf("\n%-*s", lw, "estimate: words / 0.75");
    for (size_t k = 0; k < tc->n; k++)
        printf(" %*.0f", w, est_w);
    printf("\n%-*s", lw, "  off by");
    for (size_t k = 0; k < tc->n; k++)
        print_ratio(100.0 * (est_w - (double)tk[k]), (double)tk[k], w, SPCT);
    putchar('\n');
    for (size_t k = 0; top && k < tc->n; k++) {
        if (!st[k].tokens)
            continue;
        size_t n;
        ranked *r = used_tokens(tc->v[k].tok, &st[k], &n);
        if (!r)
            break;
        size_t m = n < top ? n : top;
        qsort(r, n, sizeof *r, by_count);
        char note[200];
        choice_proxy_note(&tc->v[k], st[k].tokens, note, sizeof note);
        printf("\nmost frequent tokens, %s%s\n%10s %7s %8s  %s\n", tc->v[k].label, note, "count",
               "share", "id", "token");
        for (size_t i = 0; i < m; i++) {
            printf("%10llu %6.1f%% %8u  ", (unsigned long long)r[i].count,
                   100.0 * (double)r[i].count / (double)st[k].tokens, r[i].id);
            print_token(tc->v[k].tok, r[i].id);
            putchar('\n');
        }
        qsort(r, n, sizeof *r, by_len);
        printf("\nlongest tokens, %s\n%10s %7s %8s  %s\n", tc->v[k].label, "bytes", "count", "id",
               "token");
        for (size_t i = 0; i < m; i++) {
            printf("%10zu %7llu %8u  ", r[i].len, (unsigned long long)r[i].count, r[i].id);
            print_token(tc->v[k].tok, r[i].id);
            putchar('\n');
        }
        free(r);
    }
}

static void print_json(const tok_choices *tc, const tstats *st, const totals *tot,
                       char **files, size_t n_files, size_t top)
{
    fputs("{\"files\":[", stdout);
    for (size_t i = 0; i < n_files; i++) {
        if (i)
            putchar(',');
        json_str(stdout, files[i], strlen(files[i]));
    }
    printf("],\"bytes\":%llu,\"characters\":%llu,\"words\":%llu,", (unsigned long long)tot->bytes,
           (unsigned long long)tot->chars, (unsigned long long)tot->words);
    printf("\"rule_of_thumb\":{\"characters_per_token\":%g,\"words_per_token\":%g,"
           "\"tokens_per_1000_words\":%.1f},\"tokenizers\":[",
           THUMB_CHARS, THUMB_WORDS, 1000.0 / THUMB_WORDS);
    double chars = (double)tot->chars, words = (double)tot->words;
    for (size_t k = 0; k < tc->n; k++) {
        double t = (double)choice_tokens(&tc->v[k], st[k].tokens);
        fputs(k ? ",{\"name\":" : "{\"name\":", stdout);
        json_str(stdout, tc->v[k].arg, strlen(tc->v[k].arg));
        fputs(",\"tokenizer\":", stdout);
        json_str(stdout, tok_name(tc->v[k].tok), strlen(tok_name(tc->v[k].tok)));
        printf(",\"tokens\":%llu", (unsigned long long)choice_tokens(&tc->v[k], st[k].tokens));
        if (tc->v[k].estimate) { /* top and longest are the proxy's tokens: counted */
            uint64_t lo, hi;
            choice_range(&tc->v[k], st[k].tokens, &lo, &hi);
            printf(",\"low\":%llu,\"high\":%llu,\"counted\":%llu", (unsigned long long)lo,
                   (unsigned long long)hi, (unsigned long long)st[k].tokens);
        }
        choice_json_exactness(stdout, &tc->v[k]);
        json_ratio("characters_per_token", chars, t);
        json_ratio("words_per_token", words, t);
        json_ratio("bytes_per_token", (double)tot->bytes, t);
        json_ratio("tokens_per_1000_words", 1000.0 * t, words);
        printf(",\"words_with_letters\":%llu,\"split_words\":%llu",
               (unsigned long long)st[k].cored, (unsigned long long)st[k].split);
        json_ratio("split_word_share", (double)st[k].split, (double)st[k].cored);
        printf(",\"estimate_from_characters\":%llu,\"estimate_from_words\":%llu",
               (unsigned long long)(chars / THUMB_CHARS + 0.5),
               (unsigned long long)(words / THUMB_WORDS + 0.5));
        size_t n = 0;
        ranked *r = used_tokens(tc->v[k].tok, &st[k], &n);
        size_t m = n < top ? n : top;
        fputs(",\"top\":[", stdout);
        if (r)
            qsort(r, n, sizeof *r, by_count);
        for (size_t i = 0; r && i < m; i++) {
            const char *b;
            size_t l = 0;
            printf("%s{\"id\":%u,\"count\":%llu,\"text\":", i ? "," : "", r[i].id,
                   (unsigned long long)r[i].count);
            if (tok_token_bytes(tc->v[k].tok, r[i].id, &b, &l) != TOK_OK)
                b = "", l = 0;
            json_str(stdout, b, l);
            putchar('}');
        }
        fputs("],\"longest\":[", stdout);
        if (r)
            qsort(r, n, sizeof *r, by_len);
        for (size_t i = 0; r && i < m; i++) {
            const char *b;
            size_t l = 0;
            printf("%s{\"id\":%u,\"bytes\":%zu,\"count\":%llu,\"text\":", i ? "," : "", r[i].id,
                   r[i].len, (unsigned long long)r[i].count);
            if (tok_token_bytes(tc->v[k].tok, r[i].id, &b, &l) != TOK_OK)
                b = "", l = 0;
            json_str(stdout, b, l);
            putchar('}');
        }
        fputs("]}", stdout);
        free(r);
    }
    fputs("]}\n", stdout);
}

/* Measure one file with every tokenizer; nothing is added unless all succeed. */
static bool stats_file(const tok_choices *tc, const tok_encode_options *o, const char *path,
                       tstats *st, totals *tot)
{
    input in;
    if (!read_input(path, &in))
        return false;
    const char *label = strcmp(path, "-") ? path : "<stdin>";
    encoded *e = calloc(tc->n, sizeof *e);
    bool ok = e != NULL;
    for (size_t k = 0; ok && k < tc->n; k++) {
        tok_error err;
        if (!encode_spans(tc->v[k].tok, o, in.data, in.len, &e[k], &err)) {
            warn_err(label, &err);
            ok = false;
        }
    }
    totals t = {0, 0, 0, 0};
    span2 *cores = NULL;
    size_t n_cores = 0;
    if (ok && !scan_words(in.data, in.len, &t, &cores, &n_cores)) {
        warnx_("%s: out of memory", shown_name(label));
        ok = false;
    }
    if (ok) {
        tot->bytes += in.len;
        tot->chars += t.chars;
        tot->words += t.words;
        tot->files++;
        for (size_t k = 0; k < tc->n; k++) {
            st[k].tokens += e[k].n;
            st[k].cored += n_cores;
            st[k].split += count_split(&e[k], cores, n_cores);
            for (size_t i = 0; i < e[k].n; i++)
                if (e[k].ids[i] < st[k].n_ids)
                    st[k].freq[e[k].ids[i]]++;
        }
    }
    for (size_t k = 0; e && k < tc->n; k++)
        encoded_free(&e[k]);
    free(e);
    free(cores);
    input_free(&in);
    return ok;
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    tok_encode_options o = cli_encode_options(a);
    uint64_t top = cli_number(a, "top", 10);
    bool json = cli_flag(a, "json");
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    tstats *st = calloc(tc.n, sizeof *st);
    bool ok = st != NULL;
    for (size_t k = 0; ok && k < tc.n; k++) {
        st[k].n_ids = tok_vocab_size(tc.v[k].tok);
        st[k].freq = calloc(st[k].n_ids ? st[k].n_ids : 1, sizeof *st[k].freq);
        ok = st[k].freq != NULL;
    }
    if (!ok) {
        warnx_("out of memory");
        for (size_t k = 0; st && k < tc.n; k++)
            free(st[k].freq);
        free(st);
        choices_close(&tc);
        return EXIT_BAD;
    }
    bool stdin_only = a->n_pos == 0;
    char **names = stdin_only ? (char *[]){"-"} : a->pos;
    size_t n_names = stdin_only ? 1 : a->n_pos;
    char **done = calloc(n_names, sizeof *done);
    size_t n_done = 0;
    totals tot = {0, 0, 0, 0};
    int errors = 0;
    for (size_t i = 0; i < n_names; i++) {
        if (stats_file(&tc, &o, names[i], st, &tot))
            done[n_done++] = names[i];
        else
            errors++;
    }
    if (n_done) {
        const char *label = strcmp(done[0], "-") ? done[0] : "<stdin>";
        if (json)
            print_json(&tc, st, &tot, done, n_done, (size_t)top);
        else
            print_text(&tc, st, &tot, label, (size_t)top);
        check_stdout();
    }
    for (size_t k = 0; k < tc.n; k++)
        free(st[k].freq);
    free(st);
    free(done);
    choices_close(&tc);
    return run_status(&(run_tally){n_names, (size_t)errors, 0}, "file", "measured");
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS("; repeatable: side by side"),
    {"top", 0, "K", CLI_NUMBER,
     .help = "how many frequent and long tokens to list (default 10; 0: none)", .max = 100000,
     .need = "a number from 0 to 100000"},
    {"json", 0, NULL, CLI_FLAG, .help = "one JSON object with every figure"},
    CLI_SPECIAL_OPT,
    CLI_LOSSY_OPT,
};

CLI_COMMAND(stats, "[FILE...]", CLI_V_FILE,
            "characters, words and bytes per token, next to the rules of thumb",
            /* usage */
            "stats [OPTIONS] [FILE|-]...\n",
            /* about */
            "Measure the rules of thumb on your text: characters, words and bytes per token, tokens\n"
            "per 1000 words, the share of words split into several tokens, and how far the estimates\n"
            "'characters / 4' and 'words / 0.75' are from the real count; then the most frequent and\n"
            "the longest tokens. All FILEs (standard input when none or '-') are measured together.\n",
            /* footer */
            "Exit status: 0 ok, 2 a usage error or a file that could not be read or encoded (the\n"
            "others are still measured).\n");
