/* explain: how words and numbers split into tokens, one row per word and one column per
 * tokenizer.
 *
 * The text is encoded whole, once per tokenizer, and each word is given the tokens whose byte
 * spans overlap it: a word is explained as it tokenizes *in this text* (after a space its first
 * token usually carries the space, drawn '·'). Words are runs of non-space characters with
 * punctuation trimmed from both ends ("world!" is the word "world"; a run of punctuation alone
 * stays). Numbers (digits with , . _ between them) also get their digit grouping: cl100k_base
 * and o200k_base take up to 3 digits per token from the left, some tokenizers one digit per
 * token, older ones whatever merges they learned. */
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct item {
    size_t start, end; /* bytes of the word in the text */
    bool number, digits_only, dup;
} item;

static bool is_space_cp(uint32_t cp)
{
    if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
        return true;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

static bool is_punct_cp(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

static bool is_digit_cp(uint32_t cp)
{
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND;
}

/* The code point at s[i] and its length (an invalid byte is one U+FFFD of length 1). */
static size_t cp_at(const char *s, size_t n, size_t i, uint32_t *cp)
{
    size_t l = utf8_next(s + i, n - i, cp, NULL);
    if (!l) {
        *cp = 0xFFFD;
        l = 1;
    }
    return l;
}

/* Start of the code point that ends just before byte e. */
static size_t cp_before(const char *s, size_t start, size_t e)
{
    size_t b = e - 1;
    while (b > start && e - b < 4 && ((unsigned char)s[b] & 0xC0) == 0x80)
        b--;
    uint32_t cp;
    if (utf8_next(s + b, e - b, &cp, NULL) != e - b)
        b = e - 1;
    return b;
}

static void classify(const char *s, item *it)
{
    uint32_t cp;
    bool digits = true, seps_ok = true, any = false;
    for (size_t i = it->start; i < it->end;) {
        size_t l = cp_at(s, it->end, i, &cp);
        if (is_digit_cp(cp))
            any = true;
        else if (cp == ',' || cp == '.' || cp == '_')
            digits = false;
        else
            digits = seps_ok = false;
        i += l;
    }
    uint32_t first, last;
    cp_at(s, it->end, it->start, &first);
    cp_at(s, it->end, cp_before(s, it->start, it->end), &last);
    it->number = any && seps_ok && is_digit_cp(first) && is_digit_cp(last);
    it->digits_only = it->number && digits;
}

/* Words: runs of non-space characters, punctuation trimmed from both ends. */
static item *find_items(const char *s, size_t n, size_t *count)
{
    item *v = NULL;
    size_t nv = 0, cap = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = cp_at(s, n, i, &cp);
        if (is_space_cp(cp)) {
            i += l;
            continue;
        }
        size_t start = i, end = i;
        while (end < n) {
            l = cp_at(s, n, end, &cp);
            if (is_space_cp(cp))
                break;
            end += l;
        }
        i = end;
        size_t a = start, b = end;
        while (a < b) {
            l = cp_at(s, b, a, &cp);
            if (!is_punct_cp(cp))
                break;
            a += l;
        }
        while (b > a) {
            size_t p = cp_before(s, a, b);
            cp_at(s, b, p, &cp);
            if (!is_punct_cp(cp))
                break;
            b = p;
        }
        if (a == b) { /* punctuation only: keep it whole */
            a = start;
            b = end;
        }
        if (nv == cap) {
            cap = cap ? cap * 2 : 64;
            item *w = realloc(v, cap * sizeof *v);
            if (!w) {
                warnx_("out of memory");
                exit(EXIT_BAD);
            }
            v = w;
        }
        v[nv] = (item){a, b, false, false, false};
        classify(s, &v[nv]);
        nv++;
    }
    *count = nv;
    return v;
}

/* Mark repeated words (the first occurrence is explained) with a hash set of their texts. */
static void mark_duplicates(const char *s, item *v, size_t nv)
{
    size_t cap = 16;
    while (cap < nv * 2)
        cap *= 2;
    size_t *slot = calloc(cap, sizeof *slot); /* item index + 1, 0 = empty */
    if (!slot) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    for (size_t k = 0; k < nv; k++) {
        size_t len = v[k].end - v[k].start;
        uint64_t h = 1469598103934665603ull;
        for (size_t i = v[k].start; i < v[k].end; i++)
            h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
        for (size_t p = (size_t)h & (cap - 1);; p = (p + 1) & (cap - 1)) {
            if (!slot[p]) {
                slot[p] = k + 1;
                break;
            }
            const item *o = &v[slot[p] - 1];
            if (o->end - o->start == len && !memcmp(s + o->start, s + v[k].start, len)) {
                v[k].dup = true;
                break;
            }
        }
    }
    free(slot);
}

/* The tokens of one word under one tokenizer: ids[first..last) overlap it. */
typedef struct cell {
    size_t first, last;
} cell;

static size_t cell_tokens(const cell *c) { return c->last - c->first; }

/* Tokens whose spans overlap [start,end); *cursor walks forward with the (ordered) items. */
static cell find_cell(const tok_span *spans, size_t n, size_t *cursor, const item *it)
{
    size_t j = *cursor;
    while (j < n && (spans[j].end <= it->start || spans[j].start == spans[j].end))
        j++;
    *cursor = j;
    size_t e = j;
    while (e < n && spans[e].start < it->end)
        e++;
    return (cell){j, e};
}

/* "token|ization", "{🙂}|!". Returns true if a group of split-character tokens was drawn. */
static bool cell_pieces(sbuf *b, const tok_tokenizer *tok, const uint32_t *ids, const cell *c)
{
    bool grouped = false;
    for (size_t i = c->first; i < c->last;) {
        size_t j = c->first + token_group_end(tok, ids + c->first, c->last - c->first,
                                              i - c->first);
        sbuf bytes = {0};
        token_group_bytes(tok, ids, i, j, &bytes);
        if (i > c->first)
            sb_puts(b, "|");
        if (j - i > 1) {
            sb_puts(b, "{");
            grouped = true;
        }
        vis_append(b, bytes.p ? bytes.p : "", bytes.len, &VIS_INLINE);
        if (j - i > 1)
            sb_puts(b, "}");
        sb_free(&bytes);
        i = j;
    }
    return grouped;
}

/* Digits of the word inside each token of the cell (tokens without digits are left out). */
static size_t cell_digits(const char *s, const item *it, const tok_span *spans, const cell *c,
                          size_t *out)
{
    size_t m = 0;
    for (size_t k = c->first; k < c->last; k++) {
        size_t a = spans[k].start > it->start ? (size_t)spans[k].start : it->start;
        size_t e = spans[k].end < it->end ? (size_t)spans[k].end : it->end;
        size_t d = 0;
        for (size_t i = a; i < e;) {
            uint32_t cp;
            i += cp_at(s, e, i, &cp);
            d += is_digit_cp(cp);
        }
        if (d)
            out[m++] = d;
    }
    return m;
}

/* How the digits of a digits-only number group: "single", "one" (one digit per token),
 * "left3" (3 per token from the left, the rest last), "right3", or "learned". */
static const char *digit_rule(const size_t *d, size_t m)
{
    if (m <= 1)
        return "single";
    bool ones = true, left = d[m - 1] <= 3, right = d[0] <= 3;
    for (size_t i = 0; i < m; i++) {
        ones &= d[i] == 1;
        if (i + 1 < m)
            left &= d[i] == 3;
        if (i > 0)
            right &= d[i] == 3;
    }
    return ones ? "one" : left ? "left3" : right ? "right3" : "learned";
}

static const char *rule_text(const char *rule)
{
    if (!strcmp(rule, "single"))
        return "one token";
    if (!strcmp(rule, "one"))
        return "one digit per token";
    if (!strcmp(rule, "left3"))
        return "3 digits per token from the left";
    if (!strcmp(rule, "right3"))
        return "3 digits per token from the right";
    return "no fixed rule: learned merges";
}

typedef struct explain_ctx {
    const tok_choices *tc;
    const char *text;
    item *items;
    size_t n_items;
    uint32_t **ids;
    tok_span **spans;
    size_t *n;
    cell *cells; /* n_items x tc->n */
} explain_ctx;

static void print_json(const explain_ctx *x)
{
    size_t *digits = NULL;
    for (size_t w = 0; w < x->n_items; w++) {
        const item *it = &x->items[w];
        if (it->dup)
            continue;
        bool split = false;
        for (size_t k = 0; k < x->tc->n; k++)
            split |= cell_tokens(&x->cells[w * x->tc->n + k]) > 1;
        fputs("{\"word\":", stdout);
        json_str(stdout, x->text + it->start, it->end - it->start);
        printf(",\"kind\":\"%s\",\"start\":%zu,\"end\":%zu,\"split\":%s,\"tokenizers\":[",
               it->number ? "number" : "word", it->start, it->end, split ? "true" : "false");
        for (size_t k = 0; k < x->tc->n; k++) {
            const cell *c = &x->cells[w * x->tc->n + k];
            const tok_tokenizer *tok = x->tc->v[k].tok;
            const uint32_t *ids = x->ids[k];
            fputs(k ? ",{\"tokenizer\":" : "{\"tokenizer\":", stdout);
            json_str(stdout, x->tc->v[k].arg, strlen(x->tc->v[k].arg));
            if (x->tc->v[k].estimate) { /* the proxy's pieces */
                fputs(",\"exact\":false,\"proxy\":", stdout);
                json_str(stdout, x->tc->v[k].model->approx_encoding,
                         strlen(x->tc->v[k].model->approx_encoding));
            }
            printf(",\"tokens\":%zu,\"ids\":[", cell_tokens(c));
            for (size_t i = c->first; i < c->last; i++)
                printf(i > c->first ? ",%u" : "%u", ids[i]);
            fputs("],\"pieces\":[", stdout);
            for (size_t i = c->first; i < c->last;) {
                size_t j = c->first + token_group_end(tok, ids + c->first, c->last - c->first,
                                                      i - c->first);
                for (size_t t = i; t < j; t++) {
                    if (t > c->first)
                        putchar(',');
                    if (j - i > 1) { /* part of a character: no text of its own */
                        fputs("null", stdout);
                        continue;
                    }
                    const char *s;
                    size_t len;
                    token_bytes(tok, ids[t], &s, &len);
                    json_str(stdout, s, len);
                }
                i = j;
            }
            putchar(']');
            if (it->number) {
                digits = realloc(digits, (cell_tokens(c) + 1) * sizeof *digits);
                if (!digits) {
                    warnx_("out of memory");
                    exit(EXIT_BAD);
                }
                size_t m = cell_digits(x->text, it, x->spans[k], c, digits);
                fputs(",\"digits\":[", stdout);
                for (size_t i = 0; i < m; i++)
                    printf(i ? ",%zu" : "%zu", digits[i]);
                putchar(']');
                if (it->digits_only)
                    printf(",\"rule\":\"%s\"", digit_rule(digits, m));
            }
            putchar('}');
        }
        fputs("]}\n", stdout);
    }
    free(digits);
}

static void print_table(const explain_ctx *x)
{
    size_t nt = x->tc->n, rows = 0;
    for (size_t w = 0; w < x->n_items; w++)
        rows += !x->items[w].dup;
    if (!rows)
        return;
    /* Cell texts first, to size the columns. */
    sbuf *txt = calloc(x->n_items * nt, sizeof *txt);
    size_t *pw = calloc(nt, sizeof *pw), *cw = calloc(nt, sizeof *cw);
    if (!txt || !pw || !cw) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    size_t ww = strlen("word");
    bool grouped = false;
    for (size_t k = 0; k < nt; k++) {
        pw[k] = text_width(x->tc->v[k].title, strlen(x->tc->v[k].title));
        cw[k] = 1;
    }
    sbuf word = {0};
    for (size_t w = 0; w < x->n_items; w++) {
        const item *it = &x->items[w];
        if (it->dup)
            continue;
        sb_clear(&word);
        vis_append(&word, x->text + it->start, it->end - it->start, &VIS_INLINE);
        size_t wlen = text_width(word.p, word.len);
        ww = wlen > ww ? wlen : ww;
        for (size_t k = 0; k < nt; k++) {
            sbuf *t = &txt[w * nt + k];
            const cell *c = &x->cells[w * nt + k];
            grouped |= cell_pieces(t, x->tc->v[k].tok, x->ids[k], c);
            if (!t->p)
                sb_puts(t, "");
            size_t tw = text_width(t->p, t->len);
            pw[k] = tw > pw[k] ? tw : pw[k];
            char num[32];
            size_t nl = (size_t)snprintf(num, sizeof num, "%zu", cell_tokens(c));
            cw[k] = nl > cw[k] ? nl : cw[k];
        }
    }
    /* Header: the tokenizer names over their pieces columns. */
    put_padded(stdout, "word", ww, false);
    for (size_t k = 0; k < nt; k++) {
        fputs("   ", stdout);
        if (k + 1 < nt)
            put_padded(stdout, x->tc->v[k].title, pw[k] + 2 + cw[k], false);
        else
            fputs(x->tc->v[k].title, stdout);
    }
    putchar('\n');
    for (size_t w = 0; w < x->n_items; w++) {
        const item *it = &x->items[w];
        if (it->dup)
            continue;
        sb_clear(&word);
        vis_append(&word, x->text + it->start, it->end - it->start, &VIS_INLINE);
        put_padded(stdout, word.p, ww, false);
        for (size_t k = 0; k < nt; k++) {
            fputs("   ", stdout);
            put_padded(stdout, txt[w * nt + k].p, pw[k], false);
            printf("  %*zu", (int)cw[k], cell_tokens(&x->cells[w * nt + k]));
        }
        putchar('\n');
    }
    /* Call-outs: words in 2 or more tokens, and how numbers group their digits. */
    bool any = false;
    for (size_t w = 0; w < x->n_items; w++) {
        const item *it = &x->items[w];
        bool split = false;
        for (size_t k = 0; k < nt; k++)
            split |= cell_tokens(&x->cells[w * nt + k]) > 1;
        if (it->dup || !split)
            continue;
        sb_clear(&word);
        vis_append(&word, x->text + it->start, it->end - it->start, &VIS_INLINE);
        printf("%s%s", any ? ", " : "\nSplit into 2 or more tokens: ", word.p);
        if (nt > 1) {
            putchar(' ');
            for (size_t k = 0; k < nt; k++)
                printf("%s%zu", k ? ", " : "(", cell_tokens(&x->cells[w * nt + k]));
            putchar(')');
        }
        any = true;
    }
    if (any)
        putchar('\n');
    size_t *digits = NULL;
    bool first_number = true;
    for (size_t w = 0; w < x->n_items; w++) {
        const item *it = &x->items[w];
        if (it->dup || !it->number)
            continue;
        if (first_number)
            fputs(any ? "" : "\n", stdout);
        first_number = false;
        printf("Digits of %.*s:", (int)(it->end - it->start), x->text + it->start);
        for (size_t k = 0; k < nt; k++) {
            const cell *c = &x->cells[w * nt + k];
            digits = realloc(digits, (cell_tokens(c) + 1) * sizeof *digits);
            if (!digits) {
                warnx_("out of memory");
                exit(EXIT_BAD);
            }
            size_t m = cell_digits(x->text, it, x->spans[k], c, digits);
            printf("%s", k ? ";" : "");
            if (nt > 1)
                printf(" %s", x->tc->v[k].label);
            putchar(' ');
            for (size_t i = 0; i < m; i++)
                printf(i ? "+%zu" : "%zu", digits[i]);
            if (it->digits_only)
                printf(" (%s)", rule_text(digit_rule(digits, m)));
        }
        putchar('\n');
    }
    if (grouped)
        puts("{braces}: tokens that each hold part of a character, shown as whole characters");
    free(digits);
    sb_free(&word);
    for (size_t i = 0; i < x->n_items * nt; i++)
        sb_free(&txt[i]);
    free(txt);
    free(pw);
    free(cw);
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    tok_encode_options o = cli_encode_options(a);
    const char *file = cli_text(a, "file");
    bool json = cli_flag(a, "json");
    if (file && a->n_pos)
        return cli_usage_error(a, "give WORDs or -f FILE, not both");
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    input in = {0};
    const char *label = "<stdin>";
    if (!read_text_input(a->pos, a->n_pos, file, &in, &label)) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    uint32_t *ids[MAX_CHOICES];
    tok_span *spans[MAX_CHOICES];
    size_t n[MAX_CHOICES];
    int status = EXIT_OK;
    if (!encode_all(&tc, &in, label, &o, ids, spans, n)) {
        status = EXIT_BAD;
    } else {
        const char *text = in.data ? in.data : "";
        explain_ctx x = {&tc, text, NULL, 0, ids, spans, n, NULL};
        x.items = find_items(text, in.len, &x.n_items);
        mark_duplicates(text, x.items, x.n_items);
        x.cells = calloc(x.n_items * tc.n + 1, sizeof *x.cells);
        if (!x.cells) {
            warnx_("out of memory");
            exit(EXIT_BAD);
        }
        for (size_t k = 0; k < tc.n; k++) {
            size_t cursor = 0;
            for (size_t w = 0; w < x.n_items; w++)
                x.cells[w * tc.n + k] = find_cell(spans[k], n[k], &cursor, &x.items[w]);
        }
        if (json)
            print_json(&x);
        else
            print_table(&x);
        check_stdout();
        free(x.items);
        free(x.cells);
    }
    for (size_t k = 0; k < tc.n; k++) {
        tok_free(ids[k]);
        tok_free(spans[k]);
    }
    input_free(&in);
    choices_close(&tc);
    return status;
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS("; repeatable: one column each"),
    CLI_FILE_OPT,
    {"json", 0, NULL, CLI_FLAG,
     .help = "JSON Lines, one record per word: word, kind (word or number),\n"
             "start, end, split, and per tokenizer its tokens, ids and pieces\n"
             "(and for numbers digits per token and the grouping rule)"},
    CLI_ENCODE_OPTS,
};

CLI_COMMAND(explain, "WORD...", CLI_V_NONE, "how words and numbers split into tokens",
            /* usage */
            "explain [OPTIONS] WORD_OR_NUMBER...\n"
            "explain [OPTIONS] -f FILE\n",
            /* about */
            "For each word and number (of the arguments joined with spaces, of FILE, or of standard\n"
            "input), its tokens and how many, one column per tokenizer. Words that split into 2 or\n"
            "more tokens are called out; for numbers, how the digits group into tokens.\n"
            "Tokens are joined with '|'; '\xC2\xB7' is a space the token carries; {braces} hold tokens that\n"
            "each have part of a character, shown as whole characters.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error, unreadable input or text the tokenizer rejects.\n");
