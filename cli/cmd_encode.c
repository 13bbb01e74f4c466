/* encode: text -> token ids. Plain mode prints the ids of one text; --jsonl reads JSON Lines (a
 * JSON string per line) and prints one JSON array of ids per line, in order, encoding batches
 * on all cores -- the interface for datasets and for the conformance tests. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: tokscope encode [OPTIONS] [TEXT...]\n"
    "       tokscope encode [OPTIONS] -f FILE\n"
    "       tokscope encode [OPTIONS] --jsonl [-f FILE]\n"
    "\n"
    "Print the token ids of TEXT (several TEXT arguments are joined with spaces), of FILE, or\n"
    "of standard input, separated by spaces.\n"
    "\n"
    "  -e, --encoding NAME   built-in encoding (default o200k_base)\n"
    "  -m, --model MODEL     OpenAI model name, e.g. gpt-4o\n"
    "  -t, --tokenizer PATH  tokenizer file\n"
    "  -f, --file FILE       read the text from FILE ('-' for standard input)\n"
    "      --jsonl           input is JSON Lines, one JSON string per line; print one JSON\n"
    "                        array of ids per line, in the same order\n"
    "      --offsets         also give each token's byte span in the input: one\n"
    "                        'ID START END' line per token, or {\"ids\",\"offsets\"} objects\n"
    "                        with --json/--jsonl\n"
    "      --json            print a JSON object {\"tokens\":N,\"ids\":[...]}\n"
    "      --special POLICY  special-token text such as <|endoftext|>: ordinary (plain\n"
    "                        text, default), allow (one special token), reject (error)\n"
    "      --lossy           replace invalid UTF-8 with U+FFFD instead of failing\n"
    "      --add-special     add the tokenizer's own special tokens around the text (BOS/EOS,\n"
    "                        templates) as tokenizer.json and .model files define them\n"
    "  -j, --threads N       threads for --jsonl (default: all cores)\n"
    "  -h, --help            this help\n";

enum out_mode { OUT_PLAIN, OUT_JSON, OUT_JSONL };

/* PLAIN: "1 2 3" or "ID START END" lines. JSON: {"tokens":N,"ids":[...](,"offsets":[...])}.
 * JSONL: [...] or {"ids":[...],"offsets":[...]}. */
static void print_ids(const uint32_t *ids, const tok_span *spans, size_t n, enum out_mode mode)
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
    }
    if (mode == OUT_JSON || spans)
        putchar('}');
    putchar('\n');
}

static int encode_jsonl(const tok_tokenizer *tok, const char *path, const tok_encode_options *o,
                        bool offsets, unsigned threads)
{
    input in;
    if (!read_input(path, &in))
        return EXIT_BAD;
    const char *name = strcmp(path, "-") ? path : "<stdin>";
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
        for (size_t i = 0; i < upto; i++)
            print_ids(res[i].ids, offsets ? res[i].spans : NULL, res[i].n, OUT_JSONL);
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

int cmd_encode(int argc, char **argv)
{
    enum { OPT_JSONL = 256, OPT_JSON, OPT_OFFSETS, OPT_SPECIAL, OPT_LOSSY, OPT_ADD };
    static const struct option longs[] = {
        {"encoding", required_argument, 0, 'e'}, {"model", required_argument, 0, 'm'},
        {"tokenizer", required_argument, 0, 't'}, {"file", required_argument, 0, 'f'},
        {"jsonl", no_argument, 0, OPT_JSONL},    {"json", no_argument, 0, OPT_JSON},
        {"offsets", no_argument, 0, OPT_OFFSETS},
        {"special", required_argument, 0, OPT_SPECIAL},
        {"lossy", no_argument, 0, OPT_LOSSY},    {"add-special", no_argument, 0, OPT_ADD},    {"threads", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    tok_choices tc = {0};
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    const char *file = NULL;
    bool jsonl = false, json = false, offsets = false;
    uint64_t threads = 0;
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":e:m:t:f:j:h", longs, NULL)) != -1) {
        switch (opt) {
        case 'e': case 'm': case 't': choices_add(&tc, (char)opt, optarg); break;
        case 'f': file = optarg; break;
        case OPT_JSONL: jsonl = true; break;
        case OPT_JSON: json = true; break;
        case OPT_OFFSETS: offsets = true; break;
        case OPT_SPECIAL:
            if (!parse_special(optarg, &o.special))
                return usage_error("encode",
                                   "--special must be ordinary, allow or reject, not '%s'", optarg);
            break;
        case OPT_LOSSY: o.flags |= TOK_ENCODE_LOSSY_UTF8; break;
        case OPT_ADD: o.flags |= TOK_ENCODE_ADD_SPECIAL; break;
        case 'j':
            if (!parse_count(optarg, &threads) || threads > 256)
                return usage_error("encode", "--threads needs a number from 0 to 256, not '%s'",
                                   optarg);
            break;
        case 'h': fputs(help, stdout); check_stdout(); return EXIT_OK;
        case ':': return usage_error("encode", "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("encode", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (tc.n > 1)
        return usage_error("encode", "encode takes one tokenizer (-e, -m or -t), not %zu", tc.n);
    if (file && optind < argc)
        return usage_error("encode", "give TEXT or -f FILE, not both");
    if (jsonl && optind < argc)
        return usage_error("encode", "--jsonl reads lines from standard input or -f FILE, "
                                     "not from arguments");
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    const tok_tokenizer *tok = tc.v[0].tok;
    int status;
    if (jsonl) {
        status = encode_jsonl(tok, file ? file : "-", &o, offsets, (unsigned)threads);
        choices_close(&tc);
        return status;
    }

    input in = {0};
    const char *label = "<stdin>";
    if (optind < argc) { /* TEXT arguments, joined with spaces */
        size_t len = 0;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        in.data = malloc(len);
        for (int i = optind; in.data && i < argc; i++) {
            size_t l = strlen(argv[i]);
            memcpy(in.data + in.len, argv[i], l);
            in.len += l;
            if (i + 1 < argc)
                in.data[in.len++] = ' ';
        }
        label = "<argument>";
    } else if (!read_input(file ? file : "-", &in)) {
        choices_close(&tc);
        return EXIT_BAD;
    } else if (file && strcmp(file, "-")) {
        label = file;
    }
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t n = 0;
    tok_error err;
    status = EXIT_OK;
    if (!in.data && in.len == 0 && optind < argc) {
        warnx_("out of memory");
        status = EXIT_BAD;
    } else if (tok_encode_alloc(tok, in.data, in.len, &o, &ids, offsets ? &spans : NULL, &n,
                                &err) != TOK_OK) {
        warn_err(label, &err);
        status = EXIT_BAD;
    } else {
        print_ids(ids, spans, n, json ? OUT_JSON : OUT_PLAIN);
        check_stdout();
    }
    tok_free(ids);
    tok_free(spans);
    input_free(&in);
    choices_close(&tc);
    return status;
}
