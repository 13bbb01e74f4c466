/* chunk: split text into chunks of at most N tokens for embeddings and retrieval, preferring
 * paragraph, then sentence, then word boundaries; JSON Lines out.
 *
 * Each file is encoded once, with spans. A chunk starting at byte s may reach the start of the
 * token N past s (by that encoding), moved back to a character boundary: the window. Within
 * the second half of the window the last paragraph break is taken, else the last sentence end,
 * else the last word boundary, else the window's end. The chunk is then counted on its own,
 * and only a chunk whose own count is at most N is printed; if the count is over by x, the
 * window shrinks by x tokens, then twice as much each further failure (so a few recounts at
 * most, of one chunk each: linear in the file overall). With --overlap K the next chunk starts
 * K tokens before the end of this one (moved forward to a word start when that falls inside a
 * word), and always after this one's start. */
#include "fit.h"

#include <stdlib.h>
#include <string.h>

static bool sp(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* The best place to end a chunk that starts at s and may reach limit (< len): see the top. */
static size_t boundary(const char *t, size_t s, size_t limit)
{
    size_t min = s + (limit - s) / 2;
    if (min <= s)
        min = s + 1;
    /* a paragraph: after a blank line (and the whole run of line breaks) */
    for (size_t p = limit; p >= min && p >= s + 2; p--) {
        bool blank = t[p - 1] == '\n' &&
                     (t[p - 2] == '\n' || (t[p - 2] == '\r' && p >= s + 3 && t[p - 3] == '\n'));
        if (blank && t[p] != '\n' && t[p] != '\r')
            return p;
    }
    /* a sentence: after . ! ? (and closing quotes or brackets) before a space; after 。！？ */
    for (size_t p = limit; p >= min; p--) {
        if (sp(t[p]) && !sp(t[p - 1])) {
            size_t q = p;
            while (q > s && (t[q - 1] == '"' || t[q - 1] == '\'' || t[q - 1] == ')' ||
                             t[q - 1] == ']'))
                q--;
            if (q > s && (t[q - 1] == '.' || t[q - 1] == '!' || t[q - 1] == '?'))
                return p;
        }
        if (p >= s + 3) {
            const unsigned char *u = (const unsigned char *)t + p - 3;
            if ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x82) ||           /* 。 */
                (u[0] == 0xEF && u[1] == 0xBC && (u[2] == 0x81 || u[2] == 0x9F))) /* ！？ */
                return p;
        }
    }
    /* a word: where a space run starts or ends */
    for (size_t p = limit; p >= min; p--)
        if (sp(t[p - 1]) != sp(t[p]))
            return p;
    return limit;
}

typedef struct chunk_opts {
    const tok_tokenizer *tok;
    tok_encode_options o;
    uint64_t n, overlap; /* in tokens of tok (an estimated model's proxy: scaled to it) */
    const tok_choice *ch;
} chunk_opts;

static void print_chunk(const chunk_opts *co, const char *file, size_t index, size_t s, size_t e,
                        size_t cnt, const char *t)
{
    fputs("{\"file\":", stdout);
    json_str(stdout, file, strlen(file));
    printf(",\"index\":%zu,\"start\":%zu,\"end\":%zu,\"tokens\":%llu", index, s, e,
           (unsigned long long)choice_tokens(co->ch, cnt));
    if (co->ch->estimate)
        printf(",\"exact\":false,\"counted\":%zu", cnt);
    fputs(",\"text\":", stdout);
    json_str(stdout, t + s, e - s);
    fputs("}\n", stdout);
}

static bool chunk_file(const chunk_opts *co, const char *path)
{
    input in;
    if (!read_input(path, &in))
        return false;
    const char *label = strcmp(path, "-") ? path : "<stdin>";
    const char *t = in.data;
    size_t len = in.len;
    encoded e;
    tok_error err;
    bool ok = encode_spans(co->tok, &co->o, t, len, &e, &err);
    if (!ok)
        warn_err(label, &err);
    size_t s = 0, index = 0;
    while (ok && s < len) {
        size_t ts = token_at(&e, s), budget = (size_t)co->n, b = s, cnt = 0;
        size_t one = char_ceil(t, len, s + 1); /* the chunk of one character */
        for (unsigned attempt = 0;; attempt++) {
            size_t limit = len;
            if (ts + budget < e.n) {
                uint64_t at = e.spans[ts + budget].start;
                limit = char_floor(t, len, at < len ? (size_t)at : len);
            }
            if (limit < one)
                limit = one;
            b = limit < len ? boundary(t, s, limit) : len;
            if (tok_count(co->tok, t + s, b - s, &co->o, &cnt, &err) != TOK_OK) {
                warn_err(label, &err);
                ok = false;
                break;
            }
            if (cnt <= co->n)
                break;
            if (b <= one) {
                warnx_("%s: the character at byte %zu alone is %zu tokens, more than %llu",
                       label, s, cnt, (unsigned long long)co->n);
                ok = false;
                break;
            }
            size_t in_chunk = token_at(&e, b) - ts, step = (cnt - co->n) << (attempt < 16 ? attempt : 16);
            budget = in_chunk > step ? in_chunk - step : 0;
            if (budget >= in_chunk && in_chunk > 0) /* always shrink */
                budget = in_chunk - 1;
        }
        if (!ok)
            break;
        print_chunk(co, path, index++, s, b, cnt, t);
        if (b >= len)
            break;
        size_t next = b;
        if (co->overlap) {
            size_t tb = token_at(&e, b), nt = tb > co->overlap ? tb - (size_t)co->overlap : 0;
            if (nt <= ts)
                nt = ts + 1;
            if (nt < e.n) {
                uint64_t at = e.spans[nt].start;
                size_t c = char_floor(t, len, at < len ? (size_t)at : len);
                /* inside a word: move on to the next word boundary, if the chunk has one */
                size_t w = c;
                while (w > 0 && w < b && !sp(t[w - 1]) && !sp(t[w]))
                    w++;
                if (w < b)
                    c = w;
                if (c > s && c < b)
                    next = c;
            }
        }
        s = next;
    }
    encoded_free(&e);
    input_free(&in);
    check_stdout();
    return ok;
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    chunk_opts co = {NULL, cli_encode_options(a), cli_number(a, "tokens", 0),
                     cli_number(a, "overlap", 0), NULL};
    if (!cli_flag(a, "tokens"))
        return cli_usage_error(a, "how many tokens per chunk? give -n N");
    if (co.overlap >= co.n)
        return cli_usage_error(a, "--overlap must be less than -n (%llu >= %llu)",
                               (unsigned long long)co.overlap, (unsigned long long)co.n);
    if (tc.n > 1)
        return cli_usage_error(a, "chunk takes one tokenizer (-e, -m or -t), not %zu", tc.n);
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    co.tok = tc.v[0].tok;
    co.ch = &tc.v[0];
    if (co.ch->estimate) { /* chunks of the proxy's tokens that stand for N of the model's */
        co.n = choice_raw_limit(co.ch, co.n);
        co.overlap = choice_raw_limit(co.ch, co.overlap);
        if (co.n == 0) {
            choices_close(&tc);
            return cli_usage_error(a, "-n is too small for an estimate of %s", co.ch->label);
        }
    }
    int errors = 0;
    if (a->n_pos == 0)
        errors += !chunk_file(&co, "-");
    for (size_t i = 0; i < a->n_pos; i++)
        errors += !chunk_file(&co, a->pos[i]);
    choices_close(&tc);
    return run_status(&(run_tally){a->n_pos ? a->n_pos : 1, (size_t)errors, 0}, "file", "chunked");
}

static const cli_opt opts[] = {
    {"tokens", 'n', "N", CLI_NUMBER, .help = "at most N tokens per chunk (required)", .min = 1,
     .need = "a number of tokens of at least 1"},
    {"overlap", 0, "K", CLI_NUMBER,
     .help = "start each chunk about K tokens before the previous one ended\n"
             "(K < N; default 0)",
     .need = "a whole number of tokens"},
    CLI_TOKENIZER_OPTS(""),
    {"json", 0, NULL, CLI_FLAG, .help = "JSON Lines (the default and only output)"},
    CLI_SPECIAL_OPT,
    CLI_LOSSY_OPT,
};

CLI_COMMAND(chunk, "-n N [FILE...]", CLI_V_FILE,
            "split into chunks of at most N tokens (JSON Lines)",
            /* usage */
            "chunk -n N [OPTIONS] [FILE|-]...\n",
            /* about */
            "Split each FILE (standard input when none or '-') into chunks of at most N tokens,\n"
            "preferring paragraph, then sentence, then word boundaries, never cutting a character in\n"
            "half. Prints JSON Lines, one object per chunk:\n"
            "  {\"file\", \"index\", \"start\", \"end\", \"tokens\", \"text\"}\n"
            "start and end are byte offsets into the file; tokens is the chunk's own count (at most N).\n",
            /* footer */
            "Exit status: 0 ok, 2 a usage error, or a file that could not be read or chunked (the\n"
            "other files are still chunked).\n");
