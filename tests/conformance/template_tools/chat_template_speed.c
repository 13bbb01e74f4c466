/* chat_template_speed.c -- how long lib/template takes to render a 10-message conversation with
 * real chat templates after compiling them once. A measurement to read, not a test: nothing
 * here asserts a time. Build and run from the repository root after `make` and `make hf-vocabs`:
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ilib tests/conformance/template_tools/chat_template_speed.c \
 *      build/libtokscope.a $(pkg-config --libs libpcre2-8 libutf8proc libcjson) -lpthread -lm \
 *      -o build/chat_template_speed && build/chat_template_speed
 *
 * Templates: the chat_template of build/hf/<name>/tokenizer_config.json (qwen3, llama3_2,
 * gemma3, mistral_nemo, deepseek_v3); conversation: ten_messages of
 * tests/golden/chat-templates/conversations.jsonl with the special tokens as variables. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template/template.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(p);
        return NULL;
    }
    p[n] = 0;
    fclose(f);
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    const char *names[] = {"qwen3", "llama3_2", "gemma3", "mistral_nemo", "deepseek_v3"};
    char *convs = slurp("tests/golden/chat-templates/conversations.jsonl");
    if (!convs) {
        fprintf(stderr, "run from the repository root\n");
        return 2;
    }
    char *line = strstr(convs, "{\"id\": \"ten_messages\"");
    if (!line)
        return 2;
    char *eol = strchr(line, '\n');
    *eol = 0;
    /* the conversation object is already a context: messages, add_generation_prompt */
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[256];
        snprintf(path, sizeof path, "build/hf/%s/tokenizer_config.json", names[k]);
        char *cfg = slurp(path);
        if (!cfg) {
            fprintf(stderr, "%s missing (make hf-vocabs)\n", path);
            return 2;
        }
        cJSON *j = cJSON_Parse(cfg);
        const char *src = cJSON_GetObjectItemCaseSensitive(j, "chat_template")->valuestring;
        const cJSON *bos = cJSON_GetObjectItemCaseSensitive(j, "bos_token"), *eos = cJSON_GetObjectItemCaseSensitive(j, "eos_token");
        const char *b = cJSON_IsString(bos) ? bos->valuestring : cJSON_IsObject(bos) ? cJSON_GetObjectItemCaseSensitive(bos, "content")->valuestring : "";
        const char *e = cJSON_IsString(eos) ? eos->valuestring : cJSON_IsObject(eos) ? cJSON_GetObjectItemCaseSensitive(eos, "content")->valuestring : "";
        size_t cl = strlen(line) + strlen(b) + strlen(e) + 64;
        char *ctx = malloc(cl);
        snprintf(ctx, cl, "{\"bos_token\": \"%s\", \"eos_token\": \"%s\", %s", b, e, line + 1);
        int reps = 2000;
        double t0 = now_s();
        tmpl *t = NULL;
        tmpl_error err;
        for (int i = 0; i < 200; i++) {
            tmpl_free(t);
            if (tmpl_compile(src, strlen(src), &t, &err) != TMPL_OK) {
                fprintf(stderr, "%s: %s\n", names[k], err.message);
                return 1;
            }
        }
        double compile_us = (now_s() - t0) / 200 * 1e6;
        size_t out_len = 0;
        t0 = now_s();
        for (int i = 0; i < reps; i++) {
            char *out = NULL;
            if (tmpl_render(t, ctx, strlen(ctx), NULL, &out, &out_len, &err) != TMPL_OK) {
                fprintf(stderr, "%s: %s\n", names[k], err.message);
                return 1;
            }
            free(out);
        }
        double render_us = (now_s() - t0) / reps * 1e6;
        printf("%-14s template %5zu bytes  compile %7.1f us  render 10 messages %6.1f us  (%zu bytes out)\n", names[k], strlen(src), compile_us, render_us, out_len);
        tmpl_free(t);
        free(ctx);
        cJSON_Delete(j);
        free(cfg);
    }
    free(convs);
    return 0;
}
