/* encode: text -> token ids. Plain mode prints the ids of one text; --jsonl reads JSON Lines (a
 * JSON string per line) and prints one JSON array of ids per line, in order, encoding batches
 * on all cores -- the interface for datasets and for the conformance tests. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum out_mode { OUT_PLAIN, OUT_JSON, OUT_JSONL };

static const char *const unit_name[] = {"bytes", "chars", "utf16"};

/* PLAIN: "1 2 3" or "ID START END" lines. JSON: {"tokens":N,"ids":[...](,"offsets":[...])}.
 * JSONL: [...] or {"ids":[...],"offsets":[...]}. Offsets in characters or UTF-16 units say so
 * ("offset_unit":"chars"); bytes are the default and say nothing. */
static void print_ids(const uint32_t *ids, const tok_span *spans, size_t n, enum out_mode mode,
                      tok_offset_unit unit)
{
    if (mode == OUT_PLAIN) {
        for (size_t i = 0; i < n; i++) {
            if (spans)
                printf("%u %llu %llu\n", ids[i], (unsigned long long)spans[i].start,
                       (unsigned long long)spans[i].end);
            else
                printf(i ? " %u" : "%u", ids[i]);
        }
        if (!spans)
            putchar('\n');
        return;
    }
    if (mode == OUT_JSON)
        printf("{\"tokens\":%zu,\"ids\":[", n);
    else
        fputs(spans ? "{\"ids\":[" : "[", stdout);
    for (size_t i = 0; i < n; i++)
        printf(i ? ",%u" : "%u", ids[i]);
    putchar(']');
    if (spans) {
        fputs(",\"offsets\":[", stdout);
        for (size_t i = 0; i < n; i++)
            printf("%s[%llu,%llu]", i ? "," : "", (unsigned long long)spans[i].start,
                   (unsigned long long)spans[i].end);
        putchar(']');
        if (unit != TOK_OFFSET_BYTES)
            printf(",\"offset_unit\":\"%s\"", unit_name[unit]);
    }
    if (mode == OUT_JSON || spans)
        putchar('}');
    putchar('\n');
}

static int encode_jsonl(const tok_tokenizer *tok, const char *path, const tok_encode_options *o,
                        bool offsets, tok_offset_unit unit, unsigned threads)
{
    input in;
    if (!read_input(path, &in))
        return EXIT_BAD;
    const char *name = strcmp(path, "-") ? shown_name(path) : "<stdin>"; /* for messages only */
    tok_text *texts = NULL;
    size_t n = 0, cap = 0;
    line_iter it = {in.data, in.data + in.len, 0};
    const char *line;
    size_t len;
    int status = EXIT_OK;
    while (next_line(&it, &line, &len)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            tok_text *t = realloc(texts, cap * sizeof *t);
            if (!t) {
                warnx_("out of memory");
                status = EXIT_BAD;
                break;
            }
            texts = t;
        }
        char *s;
        size_t slen, col;
        const char *msg = json_parse_string(line, len, &s, &slen, &col);
        if (msg) {
            warnx_("%s:%zu:%zu: %s", name, it.lineno, col, msg);
            status = EXIT_BAD;
            break;
        }
        texts[n++] = (tok_text){s, slen};
    }
    /* All lines parse before anything is printed; then batches go out in order. */
    for (size_t at = 0; status == EXIT_OK && at < n;) {
        size_t m = n - at < 4096 ? n - at : 4096;
        tok_batch_item *res = calloc(m, sizeof *res);
        tok_error err;
        if (!res) {
            warnx_("out of memory");
            status = EXIT_BAD;
            break;
        }
        tok_status st = tok_encode_batch(tok, texts + at, m, o, offsets, threads, res, &err);
        size_t upto = st == TOK_OK ? m : err.index;
        for (size_t i = 0; i < upto; i++) {
            if (offsets)
                tok_spans_convert(texts[at + i].text, texts[at + i].len, res[i].spans, res[i].n,
                                  unit, NULL); /* spans from tok_encode: always within */
            print_ids(res[i].ids, offsets ? res[i].spans : NULL, res[i].n, OUT_JSONL, unit);
        }
        if (st != TOK_OK) {
            check_stdout();
            warnx_("%s:%zu: %s", name, at + err.index + 1, err.message);
            status = EXIT_BAD;
        }
        tok_batch_free(res, m);
        free(res);
        at += m;
    }
    for (size_t i = 0; i < n; i++)
        free((char *)texts[i].text);
    free(texts);
    input_free(&in);
    check_stdout();
    return status;
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    tok_encode_options o = cli_encode_options(a);
    const char *file = cli_text(a, "file");
    bool jsonl = cli_flag(a, "jsonl"), json = cli_flag(a, "json"), offsets = cli_flag(a, "offsets");
    tok_offset_unit unit = (tok_offset_unit)cli_choice(a, "offsets", TOK_OFFSET_BYTES);
    uint64_t threads = cli_number(a, "threads", 0);
    if (tc.n > 1)
        return cli_usage_error(a, "encode takes one tokenizer (-e, -m or -t), not %zu", tc.n);
    if (file && a->n_pos)
        return cli_usage_error(a, "give TEXT or -f FILE, not both");
    if (jsonl && a->n_pos)
        return cli_usage_error(a, "--jsonl reads lines from standard input or -f FILE, "
                                  "not from arguments");
    if (!choices_open_exact(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    const tok_tokenizer *tok = tc.v[0].tok;
    int status;
    if (jsonl) {
        status = encode_jsonl(tok, file ? file : "-", &o, offsets, unit, (unsigned)threads);
        choices_close(&tc);
        return status;
    }

    input in = {0};
    const char *label = "<stdin>";
    if (!read_text_input(a->pos, a->n_pos, file, &in, &label)) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t n = 0;
    tok_error err;
    status = EXIT_OK;
    if (tok_encode_alloc(tok, in.data, in.len, &o, &ids, offsets ? &spans : NULL, &n,
                                &err) != TOK_OK) {
        warn_err(label, &err);
        status = EXIT_BAD;
    } else {
        if (spans)
            tok_spans_convert(in.data, in.len, spans, n, unit, NULL);
        print_ids(ids, spans, n, json ? OUT_JSON : OUT_PLAIN, unit);
        check_stdout();
    }
    tok_free(ids);
    tok_free(spans);
    input_free(&in);
    choices_close(&tc);
    return status;
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS(""),
    CLI_FILE_OPT,
    {"jsonl", 0, NULL, CLI_FLAG,
     .help = "input is JSON Lines, one JSON string per line; print one JSON\n"
             "array of ids per line, in the same order"},
    {"offsets", 0, "UNIT", CLI_CHOICE, .choices = "bytes|chars|utf16", .implied = "bytes",
     .help = "also give each token's span in the input: one 'ID START END'\n"
             "line per token, or {\"ids\",\"offsets\"} objects with --json/--jsonl;\n"
             "in bytes (the default), chars (code points) or utf16 (UTF-16 code\n"
             "units, as JavaScript counts); a span that starts or ends inside a\n"
             "character covers all of it"},
    {"json", 0, NULL, CLI_FLAG, .help = "print a JSON object {\"tokens\":N,\"ids\":[...]}"},
    CLI_ENCODE_OPTS,
    {"threads", 'j', "N", CLI_NUMBER, .help = "threads for --jsonl (default: all cores)",
     .max = 256, .need = "a number from 0 to 256"},
};

CLI_COMMAND(encode, "[TEXT|-f FILE]", CLI_V_NONE,
            "print token ids (--jsonl: one JSON string per input line)",
            /* usage */
            "encode [OPTIONS] [TEXT...]\n"
            "encode [OPTIONS] -f FILE\n"
            "encode [OPTIONS] --jsonl [-f FILE]\n",
            /* about */
            "Print the token ids of TEXT (several TEXT arguments are joined with spaces), of FILE, or\n"
            "of standard input, separated by spaces.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error, unreadable input or text the tokenizer rejects.\n");
