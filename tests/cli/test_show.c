/* tokscope show: terminal output with and without colour (exact bytes), the colour decision
 * (a real pseudo-terminal, NO_COLOR, TERM=dumb, --color), visible whitespace, tokens that
 * split a character, --ids, --color-by=id, --json, several tokenizers, input and errors. The
 * HTML page is checked in a browser by test_html.c. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define BG(n) "\x1b[38;5;16;48;5;" #n "m"
#define MARK "\x1b[38;5;242m"
#define UNMARK "\x1b[38;5;16m"
#define RESET "\x1b[0m"

/* Run tokscope with standard output on a pseudo-terminal (so isatty() is true) in raw mode,
 * with env settings applied in the child ("NAME=value" sets, "NAME" alone unsets). Returns what
 * the terminal received; *status gets the exit status. */
static char *run_pty(const char *const *args, const char *const *env, int *status)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
        return NULL;
    const char *slave = ptsname(m);
    if (!slave)
        return NULL;
    char slave_path[256];
    snprintf(slave_path, sizeof slave_path, "%s", slave);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int s = open(slave_path, O_RDWR);
        int nul = open("/dev/null", O_RDWR);
        if (s < 0 || nul < 0)
            _exit(127);
        struct termios t;
        if (tcgetattr(s, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(s, TCSANOW, &t);
        }
        dup2(nul, 0);
        dup2(s, 1);
        dup2(nul, 2);
        close(m);
        for (const char *const *e = env; e && *e; e++) {
            const char *eq = strchr(*e, '=');
            if (eq) {
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
                setenv(name, eq + 1, 1);
            } else {
                unsetenv(*e);
            }
        }
        const char *argv[64];
        int n = 0;
        argv[n++] = test_bin;
        for (const char *const *a = args; *a && n < 63; a++)
            argv[n++] = *a;
        argv[n] = NULL;
        execv(test_bin, (char *const *)argv);
        _exit(127);
    }
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    for (;;) {
        if (len + 1024 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        ssize_t k = read(m, out + len, cap - len - 1);
        if (k > 0)
            len += (size_t)k;
        else if (k < 0 && errno == EINTR)
            continue;
        else
            break; /* EIO once the child has closed the terminal */
    }
    out[len] = 0;
    close(m);
    int st = 0;
    waitpid(pid, &st, 0);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return out;
}

TEST(show_plain_brackets_and_summary)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "Hello, world!");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "[Hello][,][\xC2\xB7world][!]\n"
                     "4 tokens, 13 characters, 13 bytes, 3.25 characters per token\n");
    CHECK_EQ(r.err_len, 0);
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "a");
    CHECK_STR(r.out, "[a]\n1 token, 1 character, 1 byte, 1.00 characters per token\n");
    cli_free(&r);
    r = RUN_IN("", "show");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "0 tokens, 0 characters, 0 bytes\n");
    cli_free(&r);
}

TEST(show_colour_exact_bytes)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "--color=always", "Hello, world!");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, BG(153) "Hello" RESET BG(223) "," RESET BG(157) MARK "\xC2\xB7" UNMARK
                     "world" RESET BG(225) "!" RESET "\n"
                     "4 tokens, 13 characters, 13 bytes, 3.25 characters per token\n");
    cli_free(&r);
    /* A token that holds a newline: the colour is closed before the line break and reopened. */
    r = RUN("show", "-e", "cl100k_base", "--color", "always", "x\n  y\n");
    CHECK_STR(r.out, BG(153) "x" RESET BG(223) MARK "\xE2\x86\xB5" UNMARK RESET "\n" BG(157) MARK
                     "\xC2\xB7" UNMARK RESET BG(225) MARK "\xC2\xB7" UNMARK "y" RESET BG(229)
                     MARK "\xE2\x86\xB5" UNMARK RESET "\n"
                     "5 tokens, 6 characters, 6 bytes, 1.20 characters per token\n");
    cli_free(&r);
    /* The palette alternates through six colours. */
    r = RUN("show", "-e", "cl100k_base", "--color=always", "1+2+3+4");
    CHECK_STR(r.out, BG(153) "1" RESET BG(223) "+" RESET BG(157) "2" RESET BG(225) "+" RESET
                     BG(229) "3" RESET BG(189) "+" RESET BG(153) "4" RESET "\n"
                     "7 tokens, 7 characters, 7 bytes, 1.00 characters per token\n");
    cli_free(&r);
}

TEST(show_colour_only_on_a_terminal)
{
    static const char colour[] = BG(153) "Hi" RESET "\n";
    const char *const term[] = {"TERM=xterm-256color", "NO_COLOR", NULL};
    int st = -1;
    char *out = run_pty(ARGS("show", "-e", "cl100k_base", "Hi"), term, &st);
    CHECK(out);
    CHECK_EQ(st, 0);
    CHECK_MSG(strncmp(out, colour, strlen(colour)) == 0, "auto on a terminal: %s", out);
    free(out);
    const char *const no_color[] = {"TERM=xterm-256color", "NO_COLOR=1", NULL};
    out = run_pty(ARGS("show", "-e", "cl100k_base", "Hi"), no_color, &st);
    CHECK(out && strncmp(out, "[Hi]\n", 5) == 0);
    free(out);
    const char *const empty_no_color[] = {"TERM=xterm-256color", "NO_COLOR=", NULL};
    out = run_pty(ARGS("show", "-e", "cl100k_base", "Hi"), empty_no_color, &st);
    CHECK_MSG(out && strncmp(out, colour, strlen(colour)) == 0, "empty NO_COLOR: %s", out);
    free(out);
    const char *const dumb[] = {"TERM=dumb", "NO_COLOR", NULL};
    out = run_pty(ARGS("show", "-e", "cl100k_base", "Hi"), dumb, &st);
    CHECK(out && strncmp(out, "[Hi]\n", 5) == 0);
    free(out);
    out = run_pty(ARGS("show", "-e", "cl100k_base", "--color=never", "Hi"), term, &st);
    CHECK(out && strncmp(out, "[Hi]\n", 5) == 0);
    free(out);
    /* --color=always wins over NO_COLOR and TERM=dumb; a pipe is not a terminal. */
    const char *const both[] = {"TERM=dumb", "NO_COLOR=1", NULL};
    cli_result r = run_cli_env(ARGS("show", "-e", "cl100k_base", "--color=always", "Hi"), NULL,
                               0, both);
    CHECK_STR(r.out, BG(153) "Hi" RESET "\n"
                     "1 token, 2 characters, 2 bytes, 2.00 characters per token\n");
    cli_free(&r);
    r = run_cli_env(ARGS("show", "-e", "cl100k_base", "--color=auto", "Hi"), NULL, 0,
                    ARGS("TERM=xterm-256color"));
    CHECK(strncmp(r.out, "[Hi]\n", 5) == 0);
    cli_free(&r);
}

TEST(show_whitespace_and_invisible_characters)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "a\tb\r\nc\n\nd\x01\x7f\xE2\x80\x8B\xC2\xA0" "e");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "[a][\xE2\x86\x92" "b][\xE2\x90\x8D\xE2\x86\xB5]\n"
                     "[c][\xE2\x86\xB5\xE2\x86\xB5]\n\n"
                     "[d][\xE2\x90\x81][\xE2\x90\xA1][\xE2\x9F\xA8U+200B\xE2\x9F\xA9]"
                     "[\xE2\x9F\xA8U+00A0\xE2\x9F\xA9][e]\n"
                     "11 tokens, 14 characters, 17 bytes, 1.27 characters per token\n");
    cli_free(&r);
    /* A newline inside a token (followed by more of it) breaks the line inside the bracket. */
    r = RUN("show", "-e", "cl100k_base", "x:\n    y");
    CHECK_STR(r.out, "[x][:\xE2\x86\xB5]\n[\xC2\xB7\xC2\xB7\xC2\xB7][\xC2\xB7y]\n"
                     "4 tokens, 8 characters, 8 bytes, 2.00 characters per token\n");
    cli_free(&r);
}

TEST(show_tokens_that_split_a_character_are_grouped)
{
    /* cl100k_base splits U+1F642 into f0 9f | 99 82: drawn once, whole, in braces. */
    cli_result r = RUN("show", "-e", "cl100k_base", "\xF0\x9F\x99\x82!");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "{\xF0\x9F\x99\x82}[!]\n"
                     "3 tokens, 2 characters, 5 bytes, 0.67 characters per token\n"
                     "{braces}: 2 tokens each hold part of a character (1 group)\n");
    CHECK(!strstr(r.out, "\xEF\xBF\xBD")); /* no replacement character */
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--ids", "\xF0\x9F\x99\x82!");
    CHECK_STR(r.out, "{\xF0\x9F\x99\x82 9468 19044}[! 0]\n"
                     "3 tokens, 2 characters, 5 bytes, 0.67 characters per token\n"
                     "{braces}: 2 tokens each hold part of a character (1 group)\n");
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--color=always", "\xF0\x9F\x99\x82");
    CHECK_STR(r.out, "\x1b[4;38;5;16;48;5;153m\xF0\x9F\x99\x82" RESET "\n"
                     "2 tokens, 1 character, 4 bytes, 0.50 characters per token\n"
                     "underlined: 2 tokens each hold part of a character (1 group)\n");
    cli_free(&r);
    /* Many scripts and emoji: never a replacement character, whatever the split. */
    const char *mix = "\xE4\xB8\xAD\xE6\x96\x87 \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A "
                      "\xF0\x9F\xA4\x96\xF0\x9F\xA7\xAC \xE1\x83\xA5\xE1\x83\x90 "
                      "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB";
    static const char *encs[] = {"gpt2", "p50k_base", "cl100k_base", "o200k_base"};
    for (int i = 0; i < 4; i++) {
        r = RUN("show", "-e", encs[i], "--ids", mix);
        CHECK_EQ(r.status, 0);
        CHECK_MSG(!strstr(r.out, "\xEF\xBF\xBD") && !strstr(r.out, "\\x"), "%s: %s", encs[i],
                  r.out);
        cli_free(&r);
    }
}

TEST(show_ids_and_color_by_id)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "--ids", "Hello world");
    CHECK_STR(r.out, "[Hello 9906][\xC2\xB7world 1917]\n"
                     "2 tokens, 11 characters, 11 bytes, 5.50 characters per token\n");
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--ids", "--color=always", "Hi");
    CHECK_STR(r.out, BG(153) "Hi" MARK " 13347" UNMARK RESET "\n"
                     "1 token, 2 characters, 2 bytes, 2.00 characters per token\n");
    cli_free(&r);
    /* "a a a": ids 64, 264, 264 -- the repeated id keeps its colour, by position it would not */
    r = RUN("show", "-e", "cl100k_base", "--color=always", "--color-by=id", "a a a");
    CHECK_STR(r.out, BG(158) "a" RESET BG(193) MARK "\xC2\xB7" UNMARK "a" RESET BG(193) MARK
                     "\xC2\xB7" UNMARK "a" RESET "\n"
                     "3 tokens, 5 characters, 5 bytes, 1.67 characters per token\n");
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--color=always", "--color-by", "position", "a a a");
    CHECK(strstr(r.out, BG(153)) && strstr(r.out, BG(223)) && strstr(r.out, BG(157)));
    cli_free(&r);
}

TEST(show_special_tokens_follow_the_policy)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "--special=allow", "a<|endoftext|>");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "[a]\xE2\x9F\xA6<|endoftext|>\xE2\x9F\xA7\n"
                     "2 tokens, 14 characters, 14 bytes, 7.00 characters per token\n");
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--special=allow", "--color=always", "<|endoftext|>");
    CHECK_STR(r.out, "\x1b[1;38;5;16;48;5;214m<|endoftext|>" RESET "\n"
                     "1 token, 13 characters, 13 bytes, 13.00 characters per token\n");
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "<|endoftext|>"); /* ordinary: plain text */
    CHECK(strncmp(r.out, "[<][|][endo][ft][ext][|][>]\n", 28) == 0);
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--special=reject", "ab<|endoftext|>");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<|endoftext|>") && strstr(r.err, "byte 2"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
}

TEST(show_several_tokenizers_one_block_each)
{
    cli_result r = RUN("show", "-e", "gpt2", "-m", "gpt-4o", "  x");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "gpt2\n[\xC2\xB7][\xC2\xB7x]\n"
                     "2 tokens, 3 characters, 3 bytes, 1.50 characters per token\n\n"
                     "gpt-4o\n[\xC2\xB7][\xC2\xB7x]\n"
                     "2 tokens, 3 characters, 3 bytes, 1.50 characters per token\n");
    cli_free(&r);
    r = RUN("show", "-e", "gpt2", "-e", "cl100k_base", "--color=always", "x");
    CHECK(strncmp(r.out, "\x1b[1mgpt2" RESET "\n", 10) == 0);
    cli_free(&r);
}

TEST(show_input_from_arguments_file_and_stdin)
{
    const char *expect = "[Hello][\xC2\xB7world]\n"
                         "2 tokens, 11 characters, 11 bytes, 5.50 characters per token\n";
    cli_result r = RUN("show", "-e", "cl100k_base", "Hello", "world");
    CHECK_STR(r.out, expect);
    cli_free(&r);
    r = RUN_IN("Hello world", "show", "-e", "cl100k_base");
    CHECK_STR(r.out, expect);
    cli_free(&r);
    const char *f = tmpfile_with("show.txt", "Hello world");
    r = RUN("show", "-e", "cl100k_base", "-f", f);
    CHECK_STR(r.out, expect);
    cli_free(&r);
    r = RUN_IN("Hello world", "show", "-e", "cl100k_base", "--file", "-");
    CHECK_STR(r.out, expect);
    cli_free(&r);
}

TEST(show_json_records_parse)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "--special=allow", "--json",
                       "Hi\xF0\x9F\x99\x82<|endoftext|>");
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    cJSON *rec[8] = {0};
    size_t n = 0;
    for (const char *p = r.out; *p && n < 8;) {
        const char *nl = strchr(p, '\n');
        CHECK(nl);
        rec[n++] = cJSON_ParseWithLength(p, (size_t)(nl - p));
        p = nl + 1;
    }
    CHECK_EQ(n, 4); /* Hi, f0 9f, 99 82, <|endoftext|> */
    CHECK_STR(cJSON_GetObjectItem(rec[0], "tokenizer")->valuestring, "cl100k_base");
    CHECK_EQ(cJSON_GetObjectItem(rec[0], "index")->valueint, 0);
    CHECK_EQ(cJSON_GetObjectItem(rec[0], "id")->valueint, 13347);
    CHECK_STR(cJSON_GetObjectItem(rec[0], "text")->valuestring, "Hi");
    CHECK_STR(cJSON_GetObjectItem(rec[0], "bytes")->valuestring, "4869");
    CHECK_EQ(cJSON_GetObjectItem(rec[0], "start")->valueint, 0);
    CHECK_EQ(cJSON_GetObjectItem(rec[0], "end")->valueint, 2);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(rec[0], "special")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(rec[0], "partial")));
    /* The partial tokens: no text of their own, exact bytes, the whole character as group. */
    int partial = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *p = cJSON_GetObjectItem(rec[i], "partial");
        if (!cJSON_IsTrue(p))
            continue;
        partial++;
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(rec[i], "text")));
        CHECK_STR(cJSON_GetObjectItem(rec[i], "group")->valuestring, "\xF0\x9F\x99\x82");
    }
    CHECK_EQ(partial, 2);
    cJSON *last = rec[n - 1];
    CHECK_EQ(cJSON_GetObjectItem(last, "id")->valueint, 100257);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(last, "special")));
    CHECK_STR(cJSON_GetObjectItem(last, "bytes")->valuestring, "3c7c656e646f66746578747c3e");
    CHECK_EQ(cJSON_GetObjectItem(last, "start")->valueint, 6);
    CHECK_EQ(cJSON_GetObjectItem(last, "end")->valueint, 19);
    /* Offsets tile the input. */
    for (size_t i = 1; i < n; i++)
        CHECK_EQ(cJSON_GetObjectItem(rec[i], "start")->valueint,
                 cJSON_GetObjectItem(rec[i - 1], "end")->valueint);
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(rec[i]);
    cli_free(&r);
    r = RUN("show", "-e", "gpt2", "-e", "cl100k_base", "--json", "a\"b\\c\n");
    CHECK(all_lines_json(r.out));
    CHECK(strstr(r.out, "{\"tokenizer\":\"gpt2\",\"index\":0,"));
    CHECK(strstr(r.out, "{\"tokenizer\":\"cl100k_base\",\"index\":0,"));
    cli_free(&r);
}

TEST(show_other_tokenizer_files_show_their_token_bytes)
{
    /* A WordPiece tokenizer.json: the tokens are what the model sees ("##ization"). */
    const char *wp =
        "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":0,\"content\":\"[UNK]\","
        "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
        "\"special\":true}],\"normalizer\":null,\"pre_tokenizer\":{\"type\":"
        "\"BertPreTokenizer\"},\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":"
        "\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
        "\"max_input_chars_per_word\":100,\"vocab\":{\"[UNK]\":0,\"token\":1,\"##ization\":2,"
        "\"is\":3,\"fun\":4,\"!\":5}}}";
    const char *f = tmpfile_with("wordpiece.json", wp);
    cli_result r = RUN("show", "-t", f, "--ids", "tokenization is fun!");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "[token 1][##ization 2][is 3][fun 4][! 5]\n"
                     "5 tokens, 20 characters, 20 bytes, 4.00 characters per token\n");
    cli_free(&r);
}

TEST(show_errors_exit_2)
{
    cli_result r = RUN("show", "-e", "cl100k_base", "ab\xFF");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<argument>") && strstr(r.err, "byte 2"));
    CHECK_EQ(r.out_len, 0);
    cli_free(&r);
    const char *f = tmpfile_with("bad.txt", "ok\xC3");
    r = RUN("show", "-f", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "bad.txt") && strstr(r.err, "byte 2"));
    cli_free(&r);
    r = RUN("show", "-e", "cl100k_base", "--lossy", "-f", f);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "[ok][\xEF\xBF\xBD]\n"
                     "2 tokens, 3 characters, 3 bytes, 1.50 characters per token\n");
    cli_free(&r);
    static const char *const bad[][4] = {
        {"--color=sometimes", "x", NULL, "--color must be auto, always or never"},
        {"--color-by=hue", "x", NULL, "--color-by must be position or id"},
        {"--special=maybe", "x", NULL, "--special must be"},
        {"-f", "a.txt", "text", "not both"},
        {"--json", "--html=-", "x", "choose one"},
        {"--frobnicate", NULL, NULL, "unknown option '--frobnicate'"},
        {"-e", "cl100k", NULL, "unknown encoding 'cl100k'"},
        {"-f", "/nonexistent/x.txt", NULL, "/nonexistent/x.txt"},
        {"--html", "/nonexistent/dir/page.html", "x", "/nonexistent/dir/page.html"},
        {"-e", NULL, NULL, "needs a value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[6] = {"show", bad[i][0], bad[i][1], bad[i][2], NULL, NULL};
        r = run_cli(args, NULL, 0);
        CHECK_MSG(r.status == 2 && strstr(r.err, bad[i][3]), "%s: status %d, %s", bad[i][0],
                  r.status, r.err);
        cli_free(&r);
    }
}

TEST(show_help)
{
    cli_result r = RUN("show", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "Usage: tokscope show"));
    static const char *flags[] = {"--ids", "--color WHEN", "--color-by", "--html FILE",
                                  "--json", "--special", "--lossy", "--add-special", "-f,",
                                  "-e,", "-m,", "-t,"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        CHECK_MSG(strstr(r.out, flags[i]), "help lacks %s", flags[i]);
    cli_free(&r);
}
