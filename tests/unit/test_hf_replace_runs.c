/* Replace with a Regex "c{m,}" (T5's " {2,}") finds its matches as runs of c by memchr
 * (hf_norm.run_min) instead of through the regex engine. Each such pattern is compared with a
 * regex the shortcut does not take and that means the same ("  +" for " {2,}"), on random text
 * over the repeated character and others, through the whole normalizer; the shortcut must be
 * taken for the first form and not for the second, so the test compares two ways, not one. */
#include "formats/hf/hf.h"
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tok_tokenizer *open_replace(const char *regex)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
             "\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"%s\"},"
             "\"content\":\"\\u2581\"},\"pre_tokenizer\":null,\"post_processor\":null,"
             "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},"
             "\"unk_token\":\"a\"}}",
             regex);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_memory(json, strlen(json), "replace.json", NULL, &t, &err) != TOK_OK)
        fprintf(stderr, "  %s: %s\n", regex, err.message);
    return t;
}

static void same(const char *run, const char *plain, uint32_t min)
{
    tok_tokenizer *a = open_replace(run), *b = open_replace(plain);
    CHECK_MSG(a && b, "%s or %s does not open", run, plain);
    if (!a || !b) {
        tok_close(a), tok_close(b);
        return;
    }
    const hf_pipeline *pa = a->impl, *pb = b->impl;
    CHECK_MSG(pa->norms[0].run_min == min && pb->norms[0].run_min == 0,
              "%s: run_min %u, %s: %u", run, pa->norms[0].run_min, plain, pb->norms[0].run_min);
    static const char alphabet[] = "  x-ab";
    uint64_t r = 7;
    char s[64];
    for (int round = 0; round < 3000; round++) {
        size_t n = test_rand(&r) % 40;
        for (size_t k = 0; k < n; k++)
            s[k] = alphabet[test_rand(&r) % 6];
        if (round % 7 == 0 && n + 2 <= sizeof s) { /* and an é somewhere */
            size_t at = test_rand(&r) % (n + 1);
            memmove(s + at + 2, s + at, n - at);
            memcpy(s + at, "\xc3\xa9", 2);
            n += 2;
        }
        size_t la = 0, lb = 0;
        char *x = hf_normalize_string(pa, s, n, &la), *y = hf_normalize_string(pb, s, n, &lb);
        CHECK_MSG(x && y && la == lb && !memcmp(x, y, la), "%s and %s differ on \"%.*s\"", run,
                  plain, (int)n, s);
        free(x), free(y);
    }
    tok_close(a), tok_close(b);
}

TEST(hf_replace_runs_equal_the_regex)
{
    same(" {2,}", "  +", 2);
    same("x{3,}", "xxx+", 3);
    same("-{1,}", "-+", 1);
    same(" {12,}", " {12}(?: )*", 12);
}

/* What the shortcut must not take: other quantifiers, classes, escapes, metacharacters. */
TEST(hf_replace_runs_only_plain_characters)
{
    static const char *const not_runs[] = {" {2}", " {2,3}", ".{2,}", "\\\\s{2,}", "[ ]{2,}",
                                           " {,2}", " +", " {2,}x", "x{a,}"};
    for (size_t k = 0; k < sizeof not_runs / sizeof *not_runs; k++) {
        tok_tokenizer *t = open_replace(not_runs[k]);
        CHECK_MSG(t, "%s does not open", not_runs[k]);
        if (t)
            CHECK_MSG(((const hf_pipeline *)t->impl)->norms[0].run_min == 0, "%s taken as a run",
                      not_runs[k]);
        tok_close(t);
    }
}

/* A Prepend and the one-byte Replace after it (Mistral 7B's and Llama 2's files) go in one pass
 * when the prefix is the replacement and holds no replaced byte (hf_normalize_next): the same
 * text as the two steps one after the other, which the other pairs still take. */
static tok_tokenizer *open_prepend_replace(const char *prefix, const char *rep)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
             "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":["
             "{\"type\":\"Prepend\",\"prepend\":\"%s\"},{\"type\":\"Replace\",\"pattern\":"
             "{\"String\":\" \"},\"content\":\"%s\"}]},\"pre_tokenizer\":null,"
             "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"WordLevel\","
             "\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}",
             prefix, rep);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_memory(json, strlen(json), "prepend.json", NULL, &t, &err) != TOK_OK)
        fprintf(stderr, "  %s, %s: %s\n", prefix, rep, err.message);
    return t;
}

TEST(hf_prepend_then_replace_in_one_pass)
{
    static const struct {
        const char *prefix, *rep;
        size_t steps; /* what hf_normalize_next takes at once */
    } cases[] = {{"\\u2581", "\\u2581", 2}, {"x ", "\\u2581", 1}, {"\\u2581", "_", 1},
                 {"ab", "ab", 2}, {" z", " z", 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tok_tokenizer *t = open_prepend_replace(cases[c].prefix, cases[c].rep);
        CHECK_MSG(t, "case %zu does not open", c);
        if (!t)
            continue;
        const hf_pipeline *hp = t->impl;
        CHECK(hp->n_norms == 2);
        static const char alphabet[] = "  x-ab";
        uint64_t r = 11;
        char s[64];
        for (int round = 0; round < 2000; round++) {
            size_t n = round % 50 == 0 ? 0 : test_rand(&r) % 40;
            for (size_t k = 0; k < n; k++)
                s[k] = alphabet[test_rand(&r) % 6];
            hf_splits in, mid, one, two;
            hf_splits_init(&in, false), hf_splits_init(&mid, false);
            hf_splits_init(&one, false), hf_splits_init(&two, false);
            bool ok = hf_splits_add(&in, (const uint8_t *)s, n, NULL, NULL, 0, TOK_NO_ID, 0,
                                    (uint32_t)n);
            size_t took = ok ? hf_normalize_next(hp->norms, 2, &in, 0, &one) : 0;
            ok = ok && hf_normalize(&hp->norms[0], &in, 0, &mid) &&
                 hf_normalize(&hp->norms[1], &mid, 0, &two);
            CHECK_MSG(ok && took == (n ? cases[c].steps : 1), "case %zu: took %zu steps", c,
                      took);
            if (took == 1) { /* one step done: the Replace after it */
                hf_splits x;
                hf_splits_init(&x, false);
                ok = hf_normalize(&hp->norms[1], &one, 0, &x);
                hf_splits_free(&one);
                one = x;
            }
            const hf_split *a = &one.v[0], *b = &two.v[0];
            CHECK_MSG(ok && a->len == b->len &&
                          !memcmp(one.text + a->off, two.text + b->off, a->len),
                      "case %zu differs on \"%.*s\"", c, (int)n, s);
            hf_splits_free(&in), hf_splits_free(&mid), hf_splits_free(&one), hf_splits_free(&two);
        }
        tok_close(t);
    }
}
