/* Streaming decode against tok_decode on every golden line of every tokenizer with goldens
 * (goldens.h): the golden ids of each line, decoded with and without TOK_DECODE_SKIP_SPECIAL,
 *
 *   one       fed one id at a time, then flushed;
 *   chunks    fed in random chunks of 0 to 9 ids, then flushed;
 *   prefill   the first k ids (k random) given as prefill, the rest fed in chunks: the text of
 *             a fresh stream's step over those k ids followed by what the prefilled stream
 *             returns;
 *
 * must each equal tok_decode of all the ids, byte for byte; and no step may return part of a
 * character (every step's text is valid UTF-8 when tok_decode's is). The streams are reused
 * from line to line, so flush's reset is checked too. tok_decode itself is checked against the
 * references by test_tiktoken.c, test_hf.c, test_hf_components.c and test_spm.c. */
#include "goldens.h"

#include <stdlib.h>

typedef struct acc {
    char *v;
    size_t n, cap;
    bool split_char; /* a step returned a partial character */
} acc;

static void acc_put(acc *a, const char *p, size_t n)
{
    if (a->n + n + 1 > a->cap) {
        a->cap = (a->n + n + 1) * 2;
        a->v = realloc(a->v, a->cap);
    }
    memcpy(a->v + a->n, p, n);
    a->n += n;
}

static bool valid_utf8(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!k || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)p[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static bool step(tok_decode_stream *s, const uint32_t *ids, size_t n, acc *a, bool check_utf8)
{
    const char *t;
    size_t len;
    tok_error err;
    if (tok_decode_stream_step(s, ids, n, &t, &len, &err) != TOK_OK)
        return false;
    if (check_utf8 && !valid_utf8(t, len))
        a->split_char = true;
    acc_put(a, t, len);
    return true;
}

static bool flush(tok_decode_stream *s, acc *a, bool check_utf8)
{
    const char *t;
    size_t len;
    tok_error err;
    if (tok_decode_stream_flush(s, &t, &len, &err) != TOK_OK)
        return false;
    if (check_utf8 && !valid_utf8(t, len))
        a->split_char = true;
    acc_put(a, t, len);
    return true;
}

typedef struct tally {
    size_t lines, ids, bad[3], shown;
} tally;

static const char *const mode_name[3] = {"one id at a time", "random chunks", "prefill"};

static void report(tally *ty, const char *set, const char *file, size_t line, int mode,
                   unsigned flags, const acc *got, const char *want, size_t wl)
{
    ty->bad[mode]++;
    if (ty->shown++ >= 4)
        return;
    size_t k = 0;
    while (k < got->n && k < wl && got->v[k] == want[k])
        k++;
    test_fail(__FILE__, __LINE__,
              "%s %s line %zu (%s%s): %s; %zu bytes, tok_decode %zu, first difference at byte "
              "%zu",
              set, file, line, mode_name[mode], flags ? ", skip special" : "",
              got->split_char ? "a step split a character" : "differs", got->n, wl, k);
}

static void check_set(const golden_set *gs)
{
    tok_tokenizer *t;
    tok_error err;
    if (tok_open(gs->open, &t, &err) != TOK_OK) {
        test_fail(__FILE__, __LINE__, "%s: %s", gs->name, err.message);
        return;
    }
    tally ty = {0};
    uint64_t rng = 0x5eed;
    tok_decode_stream *one[2], *chunks[2], *pre[2];
    for (int f = 0; f < 2; f++) {
        unsigned flags = f ? TOK_DECODE_SKIP_SPECIAL : 0;
        if (tok_decode_stream_new(t, flags, &one[f], &err) != TOK_OK ||
            tok_decode_stream_new(t, flags, &chunks[f], &err) != TOK_OK ||
            tok_decode_stream_new(t, flags, &pre[f], &err) != TOK_OK) {
            test_fail(__FILE__, __LINE__, "%s: %s", gs->name, err.message);
            return;
        }
    }
    acc a = {0};
    for (size_t fi = 0; fi < gs->n_files; fi++) {
        golden_lines gl;
        if (!golden_load(&gs->files[fi], &gl))
            continue;
        const char *fname = strrchr(gs->files[fi].path, '/') + 1;
        for (size_t i = 0; i < gl.n; i += golden_stride()) {
            const uint32_t *ids = gl.ids[i];
            size_t n = gl.n_ids[i];
            if (!ids)
                continue;
            ty.lines++;
            ty.ids += n;
            for (int f = 0; f < 2; f++) {
                unsigned flags = f ? TOK_DECODE_SKIP_SPECIAL : 0;
                char *want;
                size_t wl;
                if (tok_decode_alloc(t, ids, n, flags, &want, &wl, &err) != TOK_OK) {
                    test_fail(__FILE__, __LINE__, "%s %s line %zu: tok_decode fails: %s",
                              gs->name, fname, i + 1, err.message);
                    continue;
                }
                bool utf8 = valid_utf8(want, wl);
                /* one at a time */
                a.n = 0;
                a.split_char = false;
                bool ok = true;
                for (size_t k = 0; k < n && ok; k++)
                    ok = step(one[f], ids + k, 1, &a, utf8);
                ok = ok && flush(one[f], &a, utf8);
                if (!ok || a.split_char || a.n != wl || memcmp(a.v, want, wl))
                    report(&ty, gs->name, fname, i + 1, 0, flags, &a, want, wl);
                /* random chunks */
                a.n = 0;
                a.split_char = false;
                ok = true;
                for (size_t k = 0; k < n && ok;) {
                    size_t c = test_rand(&rng) % 10;
                    if (c > n - k)
                        c = n - k;
                    ok = step(chunks[f], ids + k, c, &a, utf8);
                    k += c;
                }
                ok = ok && flush(chunks[f], &a, utf8);
                if (!ok || a.split_char || a.n != wl || memcmp(a.v, want, wl))
                    report(&ty, gs->name, fname, i + 1, 1, flags, &a, want, wl);
                /* prefill: a fresh stream's text of the first k ids, then the prefilled rest */
                size_t k0 = n ? (size_t)(test_rand(&rng) % (n + 1)) : 0;
                a.n = 0;
                a.split_char = false;
                ok = step(pre[f], ids, k0, &a, utf8);
                tok_decode_stream_reset(pre[f]);
                ok = ok && tok_decode_stream_prefill(pre[f], ids, k0, &err) == TOK_OK;
                for (size_t k = k0; k < n && ok;) {
                    size_t c = 1 + test_rand(&rng) % 4;
                    if (c > n - k)
                        c = n - k;
                    ok = step(pre[f], ids + k, c, &a, utf8);
                    k += c;
                }
                ok = ok && flush(pre[f], &a, utf8);
                if (!ok || a.split_char || a.n != wl || memcmp(a.v, want, wl))
                    report(&ty, gs->name, fname, i + 1, 2, flags, &a, want, wl);
                tok_free(want);
            }
        }
        golden_lines_free(&gl);
    }
    free(a.v);
    for (int f = 0; f < 2; f++) {
        tok_decode_stream_free(one[f]);
        tok_decode_stream_free(chunks[f]);
        tok_decode_stream_free(pre[f]);
    }
    tok_close(t);
    if (ty.bad[0] + ty.bad[1] + ty.bad[2])
        test_fail(__FILE__, __LINE__,
                  "%s: %zu lines; streamed text differs from tok_decode: %zu one at a time, %zu "
                  "in chunks, %zu with prefill",
                  gs->name, ty.lines, ty.bad[0], ty.bad[1], ty.bad[2]);
    else if (!ty.lines)
        test_fail(__FILE__, __LINE__, "%s: no golden lines", gs->name);
}

static void check_family(const char *family)
{
    size_t n;
    golden_set *v = golden_sets(family, &n);
    for (size_t i = 0; i < n; i++)
        check_set(&v[i]);
    if (!test_failed())
        printf("  streaming decode = tok_decode: %zu %s tokenizers, %s, 2 flags x 3 ways\n", n,
               family, golden_stride_words());
    free(v);
}

TEST(stream_equals_decode_tiktoken) { check_family("tiktoken"); }
TEST(stream_equals_decode_hf) { check_family("hf"); }
TEST(stream_equals_decode_hf_components) { check_family("hf-components"); }
TEST(stream_equals_decode_spm) { check_family("spm"); }
