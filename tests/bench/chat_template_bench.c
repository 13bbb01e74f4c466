/* chat_template_bench: how long rendering a 10-message conversation with a model's own chat
 * template, and counting it (tok_chat_template_render / _count), takes after the template is
 * compiled -- for make bench. A measurement to read, not a test: nothing here asserts a time.
 *
 *   chat_template_bench MODEL...     (models whose shipped vocabulary carries a template)
 *
 * Best of 5 runs of 500 calls each (the machines are shared and noisy), in microseconds. */
#include "tokscope.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    char body[4096] = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful "
                      "assistant. Answer briefly.\"}";
    for (int i = 1; i < 10; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body),
                 ",{\"role\":\"%s\",\"content\":\"Question %d: what is %d squared? Answer in one "
                 "sentence, and be precise.\"}",
                 i % 2 ? "user" : "assistant", i, i);
    strcat(body, "]}");
    size_t len = strlen(body);
    int status = 0;
    for (int a = 1; a < argc; a++) {
        tok_tokenizer *tok = NULL;
        tok_chat_template *t = NULL;
        tok_error err;
        if (tok_open_model(argv[a], &tok, &err) != TOK_OK ||
            tok_chat_template_of(tok, NULL, &t, &err) != TOK_OK) {
            fprintf(stderr, "chat_template_bench: %s\n", err.message);
            tok_close(tok);
            status = 1;
            continue;
        }
        double best_render = 1e9, best_count = 1e9;
        size_t n = 0;
        for (int run = 0; run < 5; run++) {
            double t0 = now();
            for (int i = 0; i < 500; i++) {
                char *text;
                size_t tl;
                if (tok_chat_template_render(t, NULL, body, len, &text, &tl, &err) != TOK_OK) {
                    fprintf(stderr, "chat_template_bench: %s\n", err.message);
                    return 1;
                }
                tok_free(text);
            }
            double t1 = now();
            for (int i = 0; i < 500; i++)
                if (tok_chat_template_count(t, tok, NULL, body, len, &n, &err) != TOK_OK) {
                    fprintf(stderr, "chat_template_bench: %s\n", err.message);
                    return 1;
                }
            double t2 = now();
            if ((t1 - t0) / 500 < best_render)
                best_render = (t1 - t0) / 500;
            if ((t2 - t1) / 500 < best_count)
                best_count = (t2 - t1) / 500;
        }
        printf("chat template  %-14s 10 messages, %4zu tokens: render %6.1f us, render and "
               "count %6.1f us\n",
               argv[a], n, best_render * 1e6, best_count * 1e6);
        tok_chat_template_free(t);
        tok_close(tok);
    }
    return status;
}
