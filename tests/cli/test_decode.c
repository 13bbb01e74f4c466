/* tokscope decode, and encode | decode round trips */
#include "cli_helpers.h"

TEST(decode_arguments_and_stdin)
{
    cli_result r = RUN("decode", "-e", "cl100k_base", "9906", "1917");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "Hello world"); /* exact bytes, no newline added */
    cli_free(&r);
    r = RUN_IN("[9906, 1917]\n", "decode", "-e", "cl100k_base");
    CHECK_STR(r.out, "Hello world");
    cli_free(&r);
    r = RUN("decode", "-e", "cl100k_base", "9906,100257,1917");
    CHECK_STR(r.out, "Hello<|endoftext|> world");
    cli_free(&r);
    r = RUN("decode", "-e", "cl100k_base", "--skip-special", "9906,100257,1917");
    CHECK_STR(r.out, "Hello world");
    cli_free(&r);
}

TEST(decode_errors_name_the_id)
{
    cli_result r = RUN("decode", "-e", "cl100k_base", "9906", "100256");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "token id 100256 (position 1) is not in the vocabulary of cl100k_base"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    r = RUN("decode", "12x");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "'12x' is not a token id"));
    cli_free(&r);
    r = RUN("decode", "99999999999");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

TEST(decode_jsonl)
{
    cli_result r = RUN_IN("[9906,1917]\n[]\n[76460,222]\n[15339, 220]\n", "decode", "-e",
                          "cl100k_base", "--jsonl");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "\"Hello world\"\n\"\"\n\"\xF0\x9F\x98\x80\"\n\"hello \"\n");
    cli_free(&r);
    /* a token that is part of a character: U+FFFD in the JSON string */
    r = RUN_IN("[76460]\n", "decode", "-e", "cl100k_base", "--jsonl");
    CHECK_STR(r.out, "\"\xEF\xBF\xBD\"\n");
    cli_free(&r);
    r = RUN_IN("[1,2]\n{}\n", "decode", "--jsonl");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<stdin>:2: expected a JSON array"));
    cli_free(&r);
}

TEST(encode_decode_round_trip_through_the_command)
{
    const char *text = "Round trip: Ünïcödé, 日本語, emoji 😀, tabs\tand\r\nnewlines, <|endoftext|>.";
    const char *f = tmpfile_with("rt.txt", text);
    static const char *encs[] = {"gpt2", "r50k_base", "p50k_base", "p50k_edit",
                                 "cl100k_base", "o200k_base", "o200k_harmony"};
    for (int e = 0; e < 7; e++) {
        cli_result a = RUN("encode", "-e", encs[e], "-f", f);
        CHECK_EQ(a.status, 0);
        cli_result b = run_cli(ARGS("decode", "-e", encs[e]), a.out, a.out_len);
        CHECK_EQ(b.status, 0);
        CHECK_MSG(b.out_len == strlen(text) && memcmp(b.out, text, b.out_len) == 0, "%s", encs[e]);
        cli_free(&a);
        cli_free(&b);
    }
}

/* ---- decode --stream: text as the ids arrive ------------------------------------------------ */

#include "tokscope.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct child {
    pid_t pid;
    int in, out; /* its standard input (we write), its standard output (we read) */
} child;

static bool spawn(child *c, const char *const *args)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return false;
    c->pid = fork();
    if (c->pid < 0)
        return false;
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        char *argv[16];
        size_t n = 0;
        argv[n++] = (char *)test_bin;
        for (; args[n - 1] && n < 15; n++)
            argv[n] = (char *)args[n - 1];
        argv[n] = NULL;
        execv(test_bin, argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->in = in[1];
    c->out = out[0];
    return true;
}

/* Read exactly n bytes of the child's output. The wait is a guard against a command that holds
 * its output back until the end of input (which would never come: the test holds the pipe open):
 * it fails after a minute of silence rather than hanging. It measures nothing. */
static bool read_exactly(child *c, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {c->out, POLLIN, 0};
        if (poll(&p, 1, 60000) <= 0)
            return false;
        ssize_t k = read(c->out, buf + got, n - got);
        if (k <= 0)
            return false;
        got += (size_t)k;
    }
    return true;
}

static bool write_all(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k <= 0)
            return false;
        s += k;
        n -= (size_t)k;
    }
    return true;
}

static int finish(child *c, char *rest, size_t cap, size_t *rest_len)
{
    close(c->in);
    size_t got = 0;
    ssize_t k;
    while (got < cap && (k = read(c->out, rest + got, cap - got)) > 0)
        got += (size_t)k;
    *rest_len = got;
    close(c->out);
    int st;
    waitpid(c->pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Each id is written on its own (numbers even split across writes); before the next one, the
 * test reads exactly the text the library's stream says that id completes -- so the command
 * must have printed and flushed it while its input was still open. */
TEST(decode_stream_prints_text_as_ids_arrive)
{
    const char *text = "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80 "
                       "done<|endoftext|>!";
    const char *encs[] = {"cl100k_base", "tests/data/tiny_llama3.json"};
    for (size_t e = 0; e < 2; e++) {
        tok_tokenizer *t;
        tok_error err;
        CHECK_MSG(tok_open(encs[e], &t, &err) == TOK_OK, "%s", err.message);
        tok_encode_options o = {TOK_SPECIAL_ALLOW, 0};
        uint32_t *ids;
        size_t n;
        CHECK(tok_encode_alloc(t, text, strlen(text), &o, &ids, NULL, &n, &err) == TOK_OK);
        tok_decode_stream *ref;
        CHECK(tok_decode_stream_new(t, 0, &ref, &err) == TOK_OK);
        child c;
        CHECK(spawn(&c, ARGS("decode", "--stream", e ? "-t" : "-e", encs[e])));
        signal(SIGPIPE, SIG_IGN);
        char want_all[256] = "", got[256];
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            char num[32];
            snprintf(num, sizeof num, "%u", ids[i]);
            /* the number in two writes, then its separator */
            size_t half = strlen(num) / 2;
            char first[32];
            memcpy(first, num, half);
            first[half] = 0;
            ok = write_all(c.in, first) && write_all(c.in, num + half) &&
                 write_all(c.in, i % 2 ? " " : "\n");
            const char *w;
            size_t wl;
            CHECK(tok_decode_stream_step(ref, ids + i, 1, &w, &wl, &err) == TOK_OK);
            ok = ok && read_exactly(&c, got, wl) && memcmp(got, w, wl) == 0;
            strncat(want_all, w, wl);
            CHECK_MSG(ok, "%s: after id %zu (%u) the command did not print \"%.*s\"", encs[e], i,
                      ids[i], (int)wl, w);
        }
        const char *w;
        size_t wl, rl;
        CHECK(tok_decode_stream_flush(ref, &w, &wl, &err) == TOK_OK);
        char rest[64];
        int status = finish(&c, rest, sizeof rest, &rl);
        CHECK_EQ(status, 0);
        CHECK(rl == wl && memcmp(rest, w, wl) == 0);
        tok_decode_stream_free(ref);
        tok_free(ids);
        tok_close(t);
    }
}

TEST(decode_stream_errors)
{
    cli_result r = RUN_IN("9906 1917\n12x 5\n", "decode", "-e", "cl100k_base", "--stream");
    CHECK_EQ(r.status, 2);
    CHECK_STR(r.out, "Hello world"); /* what came before the bad word was printed */
    CHECK(strstr(r.err, "<stdin>: byte 10: '12x' is not a token id"));
    cli_free(&r);
    r = RUN_IN("9906 100256", "decode", "-e", "cl100k_base", "--stream");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "token id 100256"));
    cli_free(&r);
    r = RUN("decode", "--stream", "9906");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN_IN("[9906,1917]\n", "decode", "--stream", "--jsonl");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    /* the same text as decoding all at once, the end of input finishing a split character */
    r = RUN_IN("76460 222", "decode", "-e", "cl100k_base", "--stream");
    cli_result all = RUN("decode", "-e", "cl100k_base", "76460", "222");
    CHECK_EQ(r.status, 0);
    CHECK(r.out_len == all.out_len && memcmp(r.out, all.out, r.out_len) == 0);
    cli_free(&r);
    cli_free(&all);
}
