/* vocab: look inside a vocabulary -- ids to bytes and text, the tokens that contain a string,
 * the longest tokens, and the vocabulary's size and special tokens. Token text is drawn as
 * show draws it (visible whitespace; bytes that are only part of a character as \xHH). */
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct row {
    uint32_t id;
    const char *s;
    size_t len;
} row;

static void print_json_token(const tok_tokenizer *tok, uint32_t id, const char *s, size_t len)
{
    printf("{\"id\":%u,\"text\":", id);
    size_t i = 0;
    while (i < len) { /* text only when the bytes are whole characters */
        uint32_t cp;
        size_t l = utf8_next(s + i, len - i, &cp, NULL);
        if (!l)
            break;
        i += l;
    }
    if (i == len)
        json_str(stdout, s, len);
    else
        fputs("null", stdout);
    fputs(",\"bytes\":\"", stdout);
    for (size_t k = 0; k < len; k++)
        printf("%02x", (unsigned char)s[k]);
    printf("\",\"special\":%s}\n", tok_is_special(tok, id) ? "true" : "false");
}

/* Aligned rows: id, visible text, hex bytes, and "special" for special tokens. */
static void print_rows(const tok_tokenizer *tok, const row *rows, size_t n, bool json)
{
    if (json) {
        for (size_t i = 0; i < n; i++)
            print_json_token(tok, rows[i].id, rows[i].s, rows[i].len);
        return;
    }
    if (n == 0)
        return;
    sbuf *txt = calloc(n + 1, sizeof *txt);
    if (!txt) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    size_t idw = 2, tw = 4;
    for (size_t i = 0; i < n; i++) {
        char num[16];
        size_t l = (size_t)snprintf(num, sizeof num, "%u", rows[i].id);
        idw = l > idw ? l : idw;
        vis_append(&txt[i], rows[i].s, rows[i].len, &VIS_INLINE);
        if (!txt[i].p)
            sb_puts(&txt[i], "");
        size_t w = text_width(txt[i].p, txt[i].len);
        tw = w > tw ? w : tw;
    }
    printf("%*s  ", (int)idw, "id");
    put_padded(stdout, "text", tw, false);
    fputs("  bytes\n", stdout);
    for (size_t i = 0; i < n; i++) {
        printf("%*u  ", (int)idw, rows[i].id);
        put_padded(stdout, txt[i].p, tw, false);
        fputs(" ", stdout);
        for (size_t k = 0; k < rows[i].len; k++)
            printf(" %02x", (unsigned char)rows[i].s[k]);
        if (tok_is_special(tok, rows[i].id))
            fputs("  special", stdout);
        putchar('\n');
        sb_free(&txt[i]);
    }
    free(txt);
}

/* Ids from text: decimal numbers separated by spaces, commas, newlines, '[' or ']'. what names
 * the input in messages; NULL for arguments (a usage error). */
static bool parse_ids(const char *s, size_t n, uint32_t **out, size_t *count, const char *what)
{
    uint32_t *v = NULL;
    size_t nv = 0, cap = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == ' ' || c == ',' || c == '\n' || c == '\r' || c == '\t' || c == '[' ||
            c == ']') {
            i++;
            continue;
        }
        size_t j = i;
        uint64_t val = 0;
        bool ok = true;
        while (j < n && !(s[j] == ' ' || s[j] == ',' || s[j] == '\n' || s[j] == '\r' ||
                          s[j] == '\t' || s[j] == '[' || s[j] == ']')) {
            if (s[j] < '0' || s[j] > '9' || val > UINT32_MAX)
                ok = false;
            else
                val = val * 10 + (uint64_t)(s[j] - '0');
            j++;
        }
        if (!ok || val > UINT32_MAX) {
            if (what)
                warnx_("%s: '%.*s' is not a token id (a whole number)", what,
                       (int)(j - i > 40 ? 40 : j - i), s + i);
            else
                usage_error("vocab", "'%.*s' is not a token id (a whole number)",
                            (int)(j - i > 40 ? 40 : j - i), s + i);
            free(v);
            return false;
        }
        if (nv == cap) {
            cap = cap ? cap * 2 : 64;
            uint32_t *w = realloc(v, cap * sizeof *v);
            if (!w) {
                free(v);
                warnx_("out of memory");
                return false;
            }
            v = w;
        }
        v[nv++] = (uint32_t)val;
        i = j;
    }
    *out = v;
    *count = nv;
    return true;
}

static int by_length(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void summary(const tok_choice *ch, bool json)
{
    const tok_tokenizer *tok = ch->tok;
    uint32_t size = tok_vocab_size(tok), ordinary = 0, special = 0, unused = 0;
    for (uint32_t id = 0; id < size; id++) {
        const char *s;
        size_t len;
        if (tok_token_bytes(tok, id, &s, &len) != TOK_OK)
            unused++;
        else if (tok_is_special(tok, id))
            special++;
        else
            ordinary++;
    }
    size_t ns = tok_special_count(tok);
    if (json) {
        fputs("{\"tokenizer\":", stdout);
        json_str(stdout, ch->arg, strlen(ch->arg));
        fputs(",\"format\":", stdout);
        json_str(stdout, tok_format(tok), strlen(tok_format(tok)));
        choice_json_exactness(stdout, ch);
        printf(",\"vocab_size\":%u,\"ordinary\":%u,\"special\":%u,\"unused\":%u,"
               "\"special_tokens\":[",
               size, ordinary, special, unused);
        for (size_t i = 0; i < ns; i++) {
            const char *s;
            size_t len;
            uint32_t id;
            if (tok_special_at(tok, i, &s, &len, &id) != TOK_OK)
                continue;
            printf("%s{\"id\":%u,\"text\":", i ? "," : "", id);
            json_str(stdout, s, len);
            putchar('}');
        }
        fputs("]}\n", stdout);
        return;
    }
    if (ch->estimate) /* the proxy's vocabulary, said so */
        printf("tokenizer   %s: %s; the vocabulary of %s (%s), its proxy, is shown\n",
               ch->label, ch->why, ch->model->approx_encoding, tok_format(tok));
    else
        printf("tokenizer   %s (%s)\n", ch->label, tok_format(tok));
    printf("vocabulary  %u ids: %u ordinary %s, %u special, %u unused\n", size, ordinary,
           ordinary == 1 ? "token" : "tokens", special, unused);
    sbuf b = {0};
    for (size_t i = 0; i < ns; i++) {
        const char *s;
        size_t len;
        uint32_t id;
        if (tok_special_at(tok, i, &s, &len, &id) != TOK_OK)
            continue;
        sb_clear(&b);
        vis_append(&b, s, len, &VIS_INLINE);
        printf("%s%6u  %s\n", i ? "            " : "special     ", id, b.p ? b.p : "");
    }
    if (ns == 0)
        puts("special     none");
    sb_free(&b);
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    const char *find = cli_text(a, "find");
    bool has_longest = cli_flag(a, "longest"), json = cli_flag(a, "json");
    uint64_t longest = cli_number(a, "longest", 0);
    if (tc.n > 1)
        return cli_usage_error(a, "vocab takes one tokenizer (-e, -m or -t), not %zu", tc.n);
    if ((find != NULL) + has_longest + (a->n_pos > 0) > 1)
        return cli_usage_error(a, "give IDs, --find TEXT or --longest N, one at a time");
    if (find && !*find)
        return cli_usage_error(a, "--find needs a non-empty TEXT");

    /* Ids: arguments (checked before anything is opened), else standard input. */
    uint32_t *ids = NULL;
    size_t n_ids = 0;
    input in = {0};
    if (a->n_pos) {
        sbuf all = {0};
        for (size_t i = 0; i < a->n_pos; i++) {
            sb_puts(&all, a->pos[i]);
            sb_puts(&all, " ");
        }
        bool ok = parse_ids(all.p, all.len, &ids, &n_ids, NULL);
        sb_free(&all);
        if (!ok)
            return EXIT_BAD;
    } else if (!find && !has_longest && !isatty(STDIN_FILENO)) {
        if (!read_input("-", &in))
            return EXIT_BAD;
        bool ok = parse_ids(in.data, in.len, &ids, &n_ids, "<stdin>");
        input_free(&in);
        if (!ok)
            return EXIT_BAD;
    }
    if (!choices_open(&tc, "o200k_base")) {
        free(ids);
        choices_close(&tc);
        return EXIT_BAD;
    }
    const tok_tokenizer *tok = tc.v[0].tok;
    uint32_t size = tok_vocab_size(tok);
    int status = EXIT_OK;
    row *rows = NULL;
    size_t nr = 0;
    if (find || has_longest) {
        rows = malloc(((size_t)size + 1) * sizeof *rows);
        if (!rows) {
            warnx_("out of memory");
            exit(EXIT_BAD);
        }
        size_t flen = find ? strlen(find) : 0;
        for (uint32_t id = 0; id < size; id++) {
            const char *s;
            size_t len;
            if (tok_token_bytes(tok, id, &s, &len) != TOK_OK)
                continue;
            if (find ? (len >= flen && memmem(s, len, find, flen) != NULL)
                     : !tok_is_special(tok, id))
                rows[nr++] = (row){id, s, len};
        }
        if (has_longest) {
            qsort(rows, nr, sizeof *rows, by_length);
            if (nr > longest)
                nr = (size_t)longest;
        }
        print_rows(tok, rows, nr, json);
        if (find && !json) {
            sbuf b = {0};
            vis_append(&b, find, flen, &VIS_INLINE);
            printf("%zu %s contain \"%s\"\n", nr, nr == 1 ? "token" : "tokens", b.p);
            sb_free(&b);
        }
    } else if (n_ids) {
        rows = malloc(n_ids * sizeof *rows);
        if (!rows) {
            warnx_("out of memory");
            exit(EXIT_BAD);
        }
        for (size_t i = 0; i < n_ids; i++) {
            const char *s;
            size_t len;
            if (tok_token_bytes(tok, ids[i], &s, &len) != TOK_OK) {
                warnx_("token id %u is not in the vocabulary of %s (size %u%s)", ids[i],
                       tc.v[0].label, size, ids[i] < size ? "; this id is unused" : "");
                status = EXIT_BAD;
                continue;
            }
            rows[nr++] = (row){ids[i], s, len};
        }
        print_rows(tok, rows, nr, json);
    } else {
        summary(&tc.v[0], json);
    }
    check_stdout();
    free(rows);
    free(ids);
    choices_close(&tc);
    return status;
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS(""),
    {"find", 0, "TEXT", CLI_TEXT, .help = "list the tokens whose bytes contain TEXT, by id"},
    {"longest", 0, "N", CLI_NUMBER,
     .help = "list the N longest ordinary tokens (in bytes; ties by id)"},
    {"json", 0, NULL, CLI_FLAG,
     .help = "JSON Lines: one object per token {id, text, bytes (hex),\n"
             "special}, or one object describing the vocabulary"},
};

CLI_COMMAND(vocab, "ID...", CLI_V_NONE, "token ids to bytes and text; --find TEXT, --longest N",
            /* usage */
            "vocab [OPTIONS] [ID...]\n"
            "vocab [OPTIONS] --find TEXT\n"
            "vocab [OPTIONS] --longest N\n",
            /* about */
            "Print each token ID's text and bytes (ids from the arguments, or from standard input\n"
            "when it is not a terminal, separated by spaces, commas or newlines; '[' and ']' are\n"
            "ignored, so a JSON array works). With no ids: the vocabulary size and special tokens.\n"
            "Text is shown with visible whitespace ('\xC2\xB7' space, '\xE2\x86\xB5' newline, ...); bytes that are only\n"
            "part of a character are shown as \\xHH.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error, or an id that is not in the vocabulary.\n");
