/* count_parts: counting an input part by part, cut where every tokenizer restarts
 * (tok_cut_point) -- memory bounded by the part size however large the input, and the parts of
 * one large input counted on several threads. The parts' counts add up to the count of the
 * whole because each cut is where the split provably restarts (lib/split/presets.c).
 *
 * The input is read into a buffer of `threads` parts of PART bytes; the buffer is cut into up
 * to that many parts at the last cut before each PART boundary, the parts are counted at once,
 * and what follows the last cut is carried to the next buffer. An input with no cut for longer
 * than the buffer (a single 100 MB line) grows the buffer until one comes: such text is one
 * piece to the tokenizer anyway. */
#include "count_parts.h"
#include "parallel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PART ((size_t)8 << 20)

bool parts_possible(tok_tokenizer *const *toks, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (tok_cut_point(toks[k], "a\nb", 3) != 2)
            return false;
    return n > 0;
}

typedef struct job {
    tok_tokenizer *const *toks;
    size_t n_toks;
    const tok_encode_options *opts;
    const char *buf;
    size_t cut[257]; /* part i is buf[cut[i] .. cut[i + 1]) */
    size_t n_parts;
    uint64_t *counts; /* part x tokenizer */
    tok_status *st;   /* per part: the first failure */
    tok_error *err;
} job;

static void count_part(void *ctx, size_t i)
{
    job *j = ctx;
    j->st[i] = TOK_OK;
    for (size_t k = 0; k < j->n_toks && j->st[i] == TOK_OK; k++) {
        size_t n = 0;
        j->st[i] = tok_count(j->toks[k], j->buf + j->cut[i], j->cut[i + 1] - j->cut[i], j->opts,
                             &n, &j->err[i]);
        j->counts[i * j->n_toks + k] = n;
    }
}

/* The failure of a part starting at byte base of the input, its offsets made the input's. */
static void report(const char *name, const tok_error *e, const char *part, uint64_t base)
{
    if (e->status == TOK_EUTF8 && e->offset != TOK_NO_OFFSET)
        warnx_("%s: invalid UTF-8 at byte %llu (byte 0x%02X)", shown_name(name),
               (unsigned long long)(base + e->offset), (uint8_t)part[e->offset]);
    else
        warn_err(name, e);
}

parts_result count_parts(FILE *f, const char *name, tok_tokenizer *const *toks, size_t n_toks,
                         const tok_encode_options *opts, unsigned threads,
                         bool (*skip)(void *ctx, const char *head, size_t len), void *skip_ctx,
                         uint64_t *counts, uint64_t *bytes)
{
    threads = parallel_threads(threads);
    if (threads > 256)
        threads = 256;
    size_t cap = threads * PART, len = 0;
    char *buf = malloc(cap);
    uint64_t *pc = malloc((size_t)threads * n_toks * sizeof *pc);
    tok_status *st = malloc(threads * sizeof *st);
    tok_error *err = malloc(threads * sizeof *err);
    parts_result res = PARTS_FAILED;
    uint64_t base = 0;
    bool eof = false, first = true;
    memset(counts, 0, n_toks * sizeof *counts);
    if (!buf || !pc || !st || !err) {
        warnx_("out of memory");
        goto done;
    }
    while (!eof || len > 0) {
        while (len < cap && !eof) {
            size_t got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (got == 0 && ferror(f)) {
                warnx_("%s: read error after %llu bytes: %s", shown_name(name),
                       (unsigned long long)(base + len), strerror(errno));
                goto done;
            }
            eof = got == 0 || feof(f);
        }
        if (len == 0)
            break;
        if (first) {
            first = false;
            if (skip && skip(skip_ctx, buf, len)) {
                res = PARTS_SKIPPED;
                goto done;
            }
        }
        /* parts: the last cut before each PART boundary; the rest waits for more input */
        job j = {.toks = toks, .n_toks = n_toks, .opts = opts, .buf = buf, .counts = pc,
                 .st = st, .err = err};
        size_t at = 0;
        j.cut[0] = 0;
        for (unsigned k = 1; k <= threads && at < len; k++) {
            size_t end = k == threads || k * PART >= len ? len : k * PART;
            size_t c = end == len && eof ? len : tok_cut_point(toks[0], buf + at, end - at);
            if (c == 0)
                continue; /* no cut before this boundary: the next one is further */
            at += end == len && eof ? len - at : c;
            j.cut[++j.n_parts] = at;
        }
        if (j.n_parts == 0) { /* no cut in the whole buffer: make room and read on */
            char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                warnx_("%s: out of memory: no place to cut the text in %zu bytes",
                       shown_name(name), cap);
                goto done;
            }
            buf = bigger;
            cap *= 2;
            continue;
        }
        parallel_for(j.n_parts, threads, count_part, &j);
        for (size_t i = 0; i < j.n_parts; i++)
            if (st[i] != TOK_OK) {
                report(name, &err[i], buf + j.cut[i], base + j.cut[i]);
                goto done;
            }
        for (size_t i = 0; i < j.n_parts; i++)
            for (size_t k = 0; k < n_toks; k++)
                counts[k] += pc[i * n_toks + k];
        memmove(buf, buf + at, len - at);
        len -= at;
        base += at;
    }
    *bytes = base;
    res = PARTS_COUNTED;
done:
    free(buf), free(pc), free(st), free(err);
    return res;
}
