/* Token budgets against the full operations on every golden line of every tokenizer (the texts
 * of goldens.h, with the options of each golden file; tokenizer.json sets also with
 * TOK_ENCODE_ADD_SPECIAL off):
 *
 *   offsets     tok_encode's spans in characters and UTF-16 units (test_offsets.c);
 *   cuts        the format's cut of the line's first L bytes (L random), checked
 *               against the real continuation: the ids of the whole line are the ids of the text
 *               before the cut followed by those of the text after it;
 *   count_limit for limits 0, random below n, and n (n = tok_encode's count): the count is
 *               min(n, limit + 1) and the end is the text's length if it fits, else the end of
 *               token `limit`'s span;
 *   truncate    a random N: the kept prefix counts (tok_count) as reported, at most N, at a
 *               character boundary, and is the prefix tok_truncate keeps when the tokenizer is
 *               not cut at all (its whole encoding);
 *   stretched   tok_count_stretched (tok_count's way with long texts) in stretches of at most
 *               1-48 bytes, so at every cut the format finds: the line's count;
 *   counter     the line appended in random chunks (1-64 bytes, up to 1/16 of a long line; cut
 *               inside characters too):
 *               the total is tok_count of the text so far (less the bytes of an unfinished
 *               character) at a few random appends and at the end.
 * A failing line reports the tokenizer, file, line and what differs. */
#include "api/api.h"
#include "goldens.h"

#include <stdlib.h>

typedef struct tally {
    size_t lines, cuts, bad_cut, bad_limit, bad_trunc, bad_counter, bad_offsets, shown;
    size_t stretched, bad_stretched;
} tally;

#define FAIL(ty, ...)                                                                         \
    do {                                                                                      \
        if ((ty)->shown++ < 6)                                                                \
            test_fail(__FILE__, __LINE__, __VA_ARGS__);                                       \
    } while (0)

static bool ids_of(const tok_tokenizer *t, const char *s, size_t n, const tok_encode_options *o,
                   uint32_t **ids, size_t *k)
{
    return tok_encode_alloc(t, s, n, o, ids, NULL, k, NULL) == TOK_OK;
}

/* The format's cut of text[0..L), checked against the rest of the text. */
static void check_cut(tally *ty, const char *set, size_t line, const tok_tokenizer *t,
                      const tok_text *x, const tok_encode_options *o, size_t L)
{
    tok_wrap w;
    if (!tok_wrap_probe(t, o, &w))
        return;
    size_t bad, v = tok_utf8_valid_prefix((const uint8_t *)x->text, L, &bad), p, q;
    if (!v || !t->ops->cut(t, &w.body, (const uint8_t *)x->text, v, TOK_CUT_ANY, &p, &q))
        return;
    ty->cuts++;
    uint32_t *all = NULL, *a = NULL, *b = NULL;
    size_t na, nb, nall;
    bool ok = p <= q && q < v && ids_of(t, x->text, x->len, &w.body, &all, &nall) &&
              ids_of(t, x->text, p, &w.body, &a, &na) &&
              ids_of(t, x->text + q, x->len - q, &w.body, &b, &nb) && na + nb == nall &&
              !memcmp(all, a, na * sizeof *a) && !memcmp(all + na, b, nb * sizeof *b);
    if (!ok) {
        ty->bad_cut++;
        FAIL(ty, "%s line %zu: the cut (%zu, %zu) of the first %zu bytes does not hold for the "
             "whole line (%zu bytes)", set, line, p, q, L, x->len);
    }
    tok_free(all);
    tok_free(a);
    tok_free(b);
}

static void check_limits(tally *ty, const char *set, size_t line, const tok_tokenizer *t,
                         const tok_text *x, const tok_encode_options *o, const tok_span *sp,
                         size_t n, uint64_t *rng)
{
    size_t limits[3] = {0, n ? (size_t)(test_rand(rng) % n) : 0, n};
    for (int i = 0; i < 3; i++) {
        size_t lim = limits[i], c, e;
        tok_error err;
        tok_status st = tok_count_limit(t, x->text, x->len, o, lim, &c, &e, &err);
        size_t want_c = n <= lim ? n : lim + 1;
        size_t want_e = n <= lim ? x->len : lim ? (size_t)sp[lim - 1].end : 0;
        if (st != TOK_OK || c != want_c || e != want_e) {
            ty->bad_limit++;
            FAIL(ty, "%s line %zu: tok_count_limit(limit %zu) gives %s, count %zu, end %zu; "
                 "expected count %zu, end %zu", set, line, lim, tok_status_name(st), c, e,
                 want_c, want_e);
            return;
        }
    }
}

static void check_truncate(tally *ty, const char *set, size_t line, tok_tokenizer *t,
                           const tok_text *x, const tok_encode_options *o, size_t n,
                           uint64_t *rng)
{
    size_t N = n ? (size_t)(test_rand(rng) % (n + 1)) : 0, cut, cnt, cut2, cnt2, own = 0;
    tok_error err;
    tok_status st = tok_truncate(t, x->text, x->len, o, N, 0, &cut, &cnt, &err), st2 = st;
    cut2 = cut;
    cnt2 = cnt;
    if (t->ops->cut) { /* the same tokenizer with no cuts: tok_truncate encodes all the text */
        tok_format_ops plain = *t->ops;
        const tok_format_ops *ops = t->ops;
        plain.cut = NULL;
        t->ops = &plain;
        st2 = tok_truncate(t, x->text, x->len, o, N, 0, &cut2, &cnt2, &err);
        t->ops = ops;
    }
    /* over N only when nothing fits: the tokens added around any text are more than N */
    bool ok = st == TOK_OK && st2 == TOK_OK && cut == cut2 && cnt == cnt2 && (cnt <= N || !cut) &&
              cut <= x->len &&
              (cut == 0 || cut == x->len || ((unsigned char)x->text[cut] & 0xC0) != 0x80) &&
              tok_count(t, x->text, cut, o, &own, NULL) == TOK_OK && own == cnt;
    if (!ok) {
        ty->bad_trunc++;
        FAIL(ty, "%s line %zu: tok_truncate(%zu) keeps %zu bytes, %zu tokens (%s); uncut it keeps "
             "%zu bytes, %zu tokens (%s); on its own the kept text has %zu", set, line, N, cut,
             cnt, tok_status_name(st), cut2, cnt2, tok_status_name(st2), own);
    }
}

static void check_stretched(tally *ty, const char *set, size_t line, const tok_tokenizer *t,
                            const tok_text *x, const tok_encode_options *o, size_t n,
                            uint64_t *rng)
{
    tok_wrap w;
    if (!tok_wrap_probe(t, o, &w))
        return;
    size_t c = 0, most = 1 + (size_t)(test_rand(rng) % 48);
    ty->stretched++;
    if (!tok_count_stretched(t, (const uint8_t *)x->text, x->len, o, most, &c) || c != n) {
        ty->bad_stretched++;
        FAIL(ty, "%s line %zu: in stretches of at most %zu bytes the count is %zu, whole %zu",
             set, line, most, c, n);
    }
}

/* The bytes at the end of s[0..n) that begin a character more bytes could finish. */
static size_t unfinished_tail(const char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = (unsigned char)s[n - k];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (need <= k)
            return 0;
        if (k >= 2) { /* the second byte's range (Unicode table 3-7) */
            unsigned char d = (unsigned char)s[n - k + 1];
            unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
            unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
            if (d < lo || d > hi)
                return 0;
        }
        return k;
    }
    return 0;
}

static void check_counter(tally *ty, const char *set, size_t line, tok_counter *k,
                          const tok_tokenizer *t, const tok_text *x, const tok_encode_options *o,
                          uint64_t *rng)
{
    tok_wrap w;
    bool cuttable = tok_wrap_probe(t, o, &w);
    tok_counter_reset(k);
    size_t every = x->len / 512 + 1, appends = 0; /* about 4 checks a line, and the end */
    for (size_t at = 0; at < x->len;) {
        /* about 24 appends a line where the tokenizer is cut (a piece without cuts -- a run
         * of thousands of digits -- is counted again at each append), 4 where it is not (all
         * the text is counted again at each append) */
        size_t most = 2 * x->len / (cuttable ? 24 : 4) + 1;
        size_t c = 1 + test_rand(rng) % most;
        if (c > x->len - at)
            c = x->len - at;
        size_t total;
        tok_error err;
        tok_status st = tok_counter_append(k, x->text + at, c, &total, &err);
        if (st != TOK_OK) {
            /* a prefix of a text that encodes may not (a WORD model's "<s>" before "<s>x"):
             * then tok_count fails on the text so far too, and the counter took nothing */
            size_t pend = unfinished_tail(x->text, at + c), cn;
            if (tok_count(t, x->text, at + c - pend, o, &cn, NULL) != st ||
                tok_counter_bytes(k) != at) {
                ty->bad_counter++;
                FAIL(ty, "%s line %zu: append at byte %zu fails (%s), tok_count does not",
                     set, line, at, err.message);
            }
            return;
        }
        at += c;
        if (at == x->len || (++appends % every == 0 && test_rand(rng) % 4 == 0)) {
            size_t want, pend = tok_counter_pending(k);
            if (tok_count(t, x->text, at - pend, o, &want, NULL) != TOK_OK || want != total ||
                tok_counter_total(k) != total || tok_counter_bytes(k) != at) {
                ty->bad_counter++;
                FAIL(ty, "%s line %zu: after %zu bytes (%zu pending) the counter says %zu, "
                     "tok_count %zu", set, line, at, pend, total, want);
                return;
            }
        }
    }
}

static void check_set(const golden_set *gs, bool drop_add)
{
    tok_tokenizer *t;
    tok_error err;
    if (tok_open(gs->open, &t, &err) != TOK_OK) {
        test_fail(__FILE__, __LINE__, "%s: %s", gs->name, err.message);
        return;
    }
    tally ty = {0};
    uint64_t rng = 0xb0d9e7;
    for (size_t f = 0; f < gs->n_files; f++) {
        tok_encode_options o = gs->files[f].opts;
        if (drop_add)
            o.flags &= ~(unsigned)TOK_ENCODE_ADD_SPECIAL;
        golden_lines gl;
        if (!golden_load(&gs->files[f], &gl))
            continue;
        tok_counter *k;
        if (tok_counter_new(t, &o, &k, &err) != TOK_OK) {
            test_fail(__FILE__, __LINE__, "%s: %s", gs->name, err.message);
            golden_lines_free(&gl);
            continue;
        }
        for (size_t i = 0; i < gl.n; i += golden_stride()) {
            const tok_text *x = &gl.text[i];
            uint32_t *ids;
            tok_span *sp;
            size_t n;
            if (tok_encode_alloc(t, x->text, x->len, &o, &ids, &sp, &n, NULL) != TOK_OK) {
                /* the reference's errors: the limit that reads everything fails too */
                size_t c;
                if (tok_count_limit(t, x->text, x->len, &o, SIZE_MAX - 1, &c, NULL, NULL) ==
                    TOK_OK) {
                    ty.bad_limit++;
                    FAIL(&ty, "%s line %zu: tok_encode fails, tok_count_limit does not",
                         gs->name, i + 1);
                }
                continue;
            }
            ty.lines++;
            if (x->len)
                check_cut(&ty, gs->name, i + 1, t, x, &o, 1 + (size_t)(test_rand(&rng) % x->len));
            if (!offsets_check(gs->name, i + 1, x, sp, n))
                ty.bad_offsets++;
            check_limits(&ty, gs->name, i + 1, t, x, &o, sp, n, &rng);
            check_truncate(&ty, gs->name, i + 1, t, x, &o, n, &rng);
            check_stretched(&ty, gs->name, i + 1, t, x, &o, n, &rng);
            check_counter(&ty, gs->name, i + 1, k, t, x, &o, &rng);
            tok_free(ids);
            tok_free(sp);
        }
        tok_counter_free(k);
        golden_lines_free(&gl);
    }
    tok_close(t);
    if (ty.bad_cut + ty.bad_limit + ty.bad_trunc + ty.bad_counter + ty.bad_offsets +
        ty.bad_stretched)
        test_fail(__FILE__, __LINE__,
                  "%s%s: %zu lines; wrong: cuts %zu of %zu, count_limit %zu, truncate %zu, "
                  "counter %zu, offsets %zu, stretched counts %zu of %zu", gs->name,
                  drop_add ? " (no added tokens)" : "", ty.lines, ty.bad_cut, ty.cuts,
                  ty.bad_limit, ty.bad_trunc, ty.bad_counter, ty.bad_offsets, ty.bad_stretched,
                  ty.stretched);
}

static void check_family(const char *family, bool also_without_add)
{
    size_t n;
    golden_set *v = golden_sets(family, &n);
    for (size_t i = 0; i < n; i++) {
        check_set(&v[i], false);
        if (also_without_add)
            check_set(&v[i], true);
    }
    if (!test_failed())
        printf("  budgets = full encodes: %zu %s tokenizers, %s\n", n, family,
               golden_stride_words());
    free(v);
}

TEST(budget_equals_encode_tiktoken) { check_family("tiktoken", false); }
TEST(budget_equals_encode_hf) { check_family("hf", false); }
TEST(budget_equals_encode_hf_components) { check_family("hf-components", true); }
TEST(budget_equals_encode_spm) { check_family("spm", false); }
