/* template_driver.c -- lib/template behind a pipe, for jinja_differential.py: reads records
 * (u32 template length, u32 context length, template bytes, context JSON bytes; little endian)
 * from stdin and answers each with (u32 status, u32 length, the rendered text or the error
 * message). strftime_now reads chat_template_ref.py's frozen clock, 2025-06-15T12:00:00. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template/template.h"

static int read_exact(void *p, size_t n) { return n == 0 || fread(p, 1, n, stdin) == n; }

int main(void)
{
    struct tm now = {.tm_year = 125, .tm_mon = 5, .tm_mday = 15, .tm_hour = 12};
    time_t secs = timegm(&now);
    gmtime_r(&secs, &now);
    tmpl_render_options opt = {.now = &now};
    uint32_t lens[2];
    while (read_exact(lens, sizeof lens)) {
        char *src = malloc((size_t)lens[0] + 1), *ctx = malloc((size_t)lens[1] + 1);
        if (!src || !ctx || !read_exact(src, lens[0]) || !read_exact(ctx, lens[1]))
            return 2;
        tmpl *t = NULL;
        tmpl_error err;
        char *out = NULL;
        size_t n = 0;
        tmpl_status st = tmpl_compile(src, lens[0], &t, &err);
        if (st == TMPL_OK)
            st = tmpl_render(t, ctx, lens[1], &opt, &out, &n, &err);
        tmpl_free(t);
        const char *msg = st == TMPL_OK ? out : err.message;
        uint32_t head[2] = {(uint32_t)st, (uint32_t)(st == TMPL_OK ? n : strlen(err.message))};
        fwrite(head, sizeof head, 1, stdout);
        fwrite(msg, 1, head[1], stdout);
        fflush(stdout);
        free(out);
        free(src);
        free(ctx);
    }
    return 0;
}
