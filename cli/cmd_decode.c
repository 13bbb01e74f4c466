/* decode: token ids -> text. Prints exactly the bytes the ids stand for (no newline added), so
 * `tokscope encode | tokscope decode` gives the input back. --jsonl reads a JSON array of ids per
 * line and prints a JSON string per line; --stream decodes ids as they arrive (a model's output
 * piped in) and prints each piece of text as soon as it is complete (tok_decode_stream). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct idvec {
    uint32_t *v;
    size_t n, cap;
} idvec;

static bool push_id(idvec *iv, uint32_t id)
{
    if (iv->n == iv->cap) {
        iv->cap = iv->cap ? iv->cap * 2 : 256;
        uint32_t *v = realloc(iv->v, iv->cap * sizeof *v);
        if (!v)
            return false;
        iv->v = v;
    }
    iv->v[iv->n++] = id;
    return true;
}

/* Parse ids from s[0..n): numbers separated by whitespace, commas and brackets. On a bad word,
 * returns false and points bad, bad_len at it. */
static bool parse_ids(const char *s, size_t n, idvec *iv, const char **bad, size_t *bad_len)
{
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '[' || c == ']') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !strchr(" \t\n\r,[]", s[j]))
            j++;
        uint64_t v = 0;
        bool ok = true;
        for (size_t k = i; k < j; k++) {
            if (s[k] < '0' || s[k] > '9' || v > UINT32_MAX) {
                ok = false;
                break;
            }
            v = v * 10 + (uint64_t)(s[k] - '0');
        }
        if (!ok || v > UINT32_MAX || !push_id(iv, (uint32_t)v)) {
            *bad = s + i;
            *bad_len = j - i;
            return false;
        }
        i = j;
    }
    return true;
}

static int decode_jsonl(const tok_tokenizer *tok, const char *path, unsigned flags)
{
    input in;
    if (!read_input(path, &in))
        return EXIT_BAD;
    const char *name = strcmp(path, "-") ? shown_name(path) : "<stdin>"; /* for messages only */
    line_iter it = {in.data, in.data + in.len, 0};
    const char *line;
    size_t len;
    int status = EXIT_OK;
    idvec iv = {0};
    while (status == EXIT_OK && next_line(&it, &line, &len)) {
        const char *bad;
        size_t bad_len, a = 0, b = len;
        while (a < b && (line[a] == ' ' || line[a] == '\t'))
            a++;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
            b--;
        iv.n = 0;
        if (b - a < 2 || line[a] != '[' || line[b - 1] != ']') {
            warnx_("%s:%zu: expected a JSON array of token ids", name, it.lineno);
            status = EXIT_BAD;
        } else if (!parse_ids(line + a + 1, b - a - 2, &iv, &bad, &bad_len)) {
            warnx_("%s:%zu: '%.*s' is not a token id", name, it.lineno, (int)bad_len, bad);
            status = EXIT_BAD;
        } else {
            char *text;
            size_t tl;
            tok_error err;
            if (tok_decode_alloc(tok, iv.v, iv.n, flags, &text, &tl, &err) != TOK_OK) {
                warnx_("%s:%zu: %s", name, it.lineno, err.message);
                status = EXIT_BAD;
            } else {
                json_str(stdout, text, tl);
                putchar('\n');
                tok_free(text);
            }
        }
    }
    free(iv.v);
    input_free(&in);
    check_stdout();
    return status;
}

/* --stream: ids from fd as they come, separated as parse_ids separates them; a number at the
 * end of what has arrived may go on, so it waits for the next read (or the end). Text is written
 * and flushed after every read. */
static int decode_stream(const tok_tokenizer *tok, int fd, const char *name, unsigned flags)
{
    tok_decode_stream *ds;
    tok_error err;
    if (tok_decode_stream_new(tok, flags, &ds, &err) != TOK_OK) {
        warnx_("%s", err.message);
        return EXIT_BAD;
    }
    char buf[1 << 16];
    size_t have = 0;   /* bytes of buf not parsed yet: an unfinished word */
    uint64_t seen = 0; /* bytes before buf, for messages */
    idvec iv = {0};
    int status = EXIT_OK;
    for (bool eof = false; status == EXIT_OK && !eof;) {
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            warnx_("%s: %s", name, strerror(errno));
            status = EXIT_BAD;
            break;
        }
        eof = got == 0;
        size_t len = have + (size_t)got, upto = len;
        if (!eof) /* leave a word that may go on for the next read */
            while (upto > 0 && !strchr(" \t\n\r,[]", buf[upto - 1]))
                upto--;
        if (upto == 0 && len == sizeof buf) { /* one word fills the buffer */
            warnx_("%s: byte %llu: '%.20s...' is not a token id", name,
                   (unsigned long long)seen, buf);
            status = EXIT_BAD;
            break;
        }
        const char *bad = NULL, *text;
        size_t bad_len = 0, tl;
        iv.n = 0;
        bool words = parse_ids(buf, upto, &iv, &bad, &bad_len); /* the ids before a bad word */
        if (tok_decode_stream_step(ds, iv.v, iv.n, &text, &tl, &err) != TOK_OK) {
            warnx_("%s: %s", name, err.message);
            status = EXIT_BAD;
            break;
        }
        fwrite(text, 1, tl, stdout);
        if (eof && words && tok_decode_stream_flush(ds, &text, &tl, &err) == TOK_OK)
            fwrite(text, 1, tl, stdout);
        check_stdout(); /* flushes: the text goes out now */
        if (!words) {
            warnx_("%s: byte %llu: '%.*s' is not a token id", name,
                   (unsigned long long)(seen + (uint64_t)(bad - buf)), (int)bad_len, bad);
            status = EXIT_BAD;
            break;
        }
        memmove(buf, buf + upto, len - upto);
        have = len - upto;
        seen += upto;
    }
    free(iv.v);
    tok_decode_stream_free(ds);
    return status;
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    const char *file = cli_text(a, "file");
    bool jsonl = cli_flag(a, "jsonl"), stream = cli_flag(a, "stream");
    unsigned flags = cli_flag(a, "skip-special") ? TOK_DECODE_SKIP_SPECIAL : 0;
    if (tc.n > 1)
        return cli_usage_error(a, "decode takes one tokenizer (-e, -m or -t), not %zu", tc.n);
    if ((file || jsonl || stream) && a->n_pos)
        return cli_usage_error(a, "give ids as arguments or on input, not both");
    if (stream && jsonl)
        return cli_usage_error(a, "--stream and --jsonl do not go together");
    if (!choices_open_exact(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    const tok_tokenizer *tok = tc.v[0].tok;
    int status = EXIT_OK;
    if (jsonl) {
        status = decode_jsonl(tok, file ? file : "-", flags);
        choices_close(&tc);
        return status;
    }
    if (stream) {
        bool in = !file || !strcmp(file, "-");
        int fd = in ? STDIN_FILENO : open(file, O_RDONLY);
        if (fd < 0) {
            warnx_("%s: %s", shown_name(file), strerror(errno));
            status = EXIT_BAD;
        } else {
            status = decode_stream(tok, fd, in ? "<stdin>" : shown_name(file), flags);
            if (!in)
                close(fd);
        }
        choices_close(&tc);
        return status;
    }
    idvec iv = {0};
    const char *bad;
    size_t bad_len;
    input in = {0};
    if (a->n_pos) {
        for (size_t i = 0; i < a->n_pos && status == EXIT_OK; i++)
            if (!parse_ids(a->pos[i], strlen(a->pos[i]), &iv, &bad, &bad_len)) {
                warnx_("'%.*s' is not a token id", (int)bad_len, bad);
                status = EXIT_BAD;
            }
    } else if (!read_input(file ? file : "-", &in)) {
        status = EXIT_BAD;
    } else if (!parse_ids(in.data, in.len, &iv, &bad, &bad_len)) {
        warnx_("%s: '%.*s' is not a token id", file && strcmp(file, "-") ? shown_name(file) : "<stdin>",
               (int)bad_len, bad);
        status = EXIT_BAD;
    }
    if (status == EXIT_OK) {
        char *text;
        size_t tl;
        tok_error err;
        if (tok_decode_alloc(tok, iv.v, iv.n, flags, &text, &tl, &err) != TOK_OK) {
            warnx_("%s", err.message);
            status = EXIT_BAD;
        } else {
            fwrite(text, 1, tl, stdout);
            tok_free(text);
            check_stdout();
        }
    }
    free(iv.v);
    input_free(&in);
    choices_close(&tc);
    return status;
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS(""),
    {"file", 'f', "FILE", CLI_TEXT, .help = "read the ids from FILE", .values = CLI_V_FILE},
    {"jsonl", 0, NULL, CLI_FLAG,
     .help = "one JSON array of ids per input line; print one JSON string per\n"
             "line (bytes that are not valid UTF-8 become U+FFFD)"},
    {"skip-special", 0, NULL, CLI_FLAG, .help = "leave special tokens out"},
    {"stream", 0, NULL, CLI_FLAG,
     .help = "decode ids as they arrive on standard input (or -f FILE, a pipe),\n"
             "printing the text as soon as it is complete: a character split across\n"
             "tokens waits for its last byte (the text is exactly that of decoding\n"
             "all the ids at once)"},
};

CLI_COMMAND(decode, "[ID...]", CLI_V_NONE, "print the text of token ids",
            /* usage */
            "decode [OPTIONS] [ID...]\n"
            "decode [OPTIONS] --jsonl [-f FILE]\n"
            "decode [OPTIONS] --stream [-f FILE]\n",
            /* about */
            "Print the text of token ids given as arguments or on standard input (separated by\n"
            "spaces, commas or newlines; [ and ] are ignored). The bytes are printed exactly, with\n"
            "no newline added.\n",
            /* footer */
            "An id that is not in the vocabulary is an error (exit 2) naming it.\n");
