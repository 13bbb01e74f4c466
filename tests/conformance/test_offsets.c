/* Offsets in characters and UTF-16 units (tok_spans_convert) against a plain reference: the
 * spans tok_encode gives, converted by the library, equal a count made here character by
 * character (a span starting inside a character rounds down, one ending inside rounds up; each
 * maximal invalid subpart is one character, as U+FFFD) -- in text order, and again in reverse
 * order (the walk going back). offsets_check runs on every golden line of every tokenizer from
 * test_budget.c (which encodes each line once for all its checks). And `tokscope encode
 * --offsets=UNIT` prints the same numbers. */
#include "goldens.h"

#include <stdlib.h>

/* The length of the well-formed sequence at s[0..n) (Unicode table 3-7), or, if there is none,
 * of its maximal subpart (>= 1). *ok tells which. */
static size_t seq_len(const unsigned char *s, size_t n, bool *ok)
{
    unsigned char c = s[0];
    *ok = true;
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else {
        *ok = false;
        return 1;
    }
    size_t k = 1;
    for (; k < need && k < n; k++) {
        unsigned char d = s[k];
        if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF))
            break;
    }
    *ok = k == need;
    return k;
}

/* before[x]: units of the characters that end at or before byte x; upto[x]: of those that
 * start before x. */
static void reference(const char *t, size_t len, bool utf16, uint64_t *before, uint64_t *upto)
{
    uint64_t u = 0;
    size_t i = 0;
    before[0] = upto[0] = 0;
    while (i < len) {
        bool ok;
        size_t k = seq_len((const unsigned char *)t + i, len - i, &ok);
        unsigned w = ok && k == 4 && utf16 ? 2 : 1;
        for (size_t j = 1; j <= k; j++) {
            before[i + j] = j == k ? u + w : u;
            upto[i + j] = u + w;
        }
        u += w;
        i += k;
    }
}

/* The spans sp[0..n) of x (tok_encode's) converted by the library, in text order and reversed,
 * against the reference; false (after recording a failure) when they differ. */
bool offsets_check(const char *set, size_t lineno, const tok_text *x, const tok_span *sp,
                   size_t n)
{
    uint64_t *before = malloc((x->len + 1) * sizeof *before);
    uint64_t *upto = malloc((x->len + 1) * sizeof *upto);
    tok_span *a = malloc((n + 1) * sizeof *a), *r = malloc((n + 1) * sizeof *r);
    bool good = true;
    for (int unit = TOK_OFFSET_CHARS; unit <= TOK_OFFSET_UTF16 && good; unit++) {
        reference(x->text, x->len, unit == TOK_OFFSET_UTF16, before, upto);
        for (size_t i = 0; i < n; i++) {
            a[i] = sp[i];
            r[n - 1 - i] = sp[i];
        }
        tok_error err;
        /* reversed (the walk going back at every span) in characters only: it is the costly
         * way round, and the walk is the same for both units */
        bool back = unit == TOK_OFFSET_CHARS;
        bool ok = tok_spans_convert(x->text, x->len, a, n, (tok_offset_unit)unit, &err) ==
                      TOK_OK &&
                  (!back ||
                   tok_spans_convert(x->text, x->len, r, n, (tok_offset_unit)unit, &err) == TOK_OK);
        size_t k = 0;
        for (; ok && k < n; k++) {
            uint64_t ws = before[sp[k].start], we = upto[sp[k].end];
            if (a[k].start != ws || a[k].end != we ||
                (back && (r[n - 1 - k].start != ws || r[n - 1 - k].end != we)))
                break;
        }
        if (!ok || k < n) {
            good = false;
            test_fail(__FILE__, __LINE__,
                      "%s line %zu, %s: span %zu [%llu,%llu) converts to [%llu,%llu) "
                      "(reversed [%llu,%llu)), expected [%llu,%llu)",
                      set, lineno, unit == TOK_OFFSET_CHARS ? "chars" : "utf16", k,
                      k < n ? (unsigned long long)sp[k].start : 0,
                      k < n ? (unsigned long long)sp[k].end : 0,
                      k < n ? (unsigned long long)a[k].start : 0,
                      k < n ? (unsigned long long)a[k].end : 0,
                      k < n ? (unsigned long long)r[n - 1 - k].start : 0,
                      k < n ? (unsigned long long)r[n - 1 - k].end : 0,
                      k < n ? (unsigned long long)before[sp[k].start] : 0,
                      k < n ? (unsigned long long)upto[sp[k].end] : 0);
        }
    }
    free(before);
    free(upto);
    free(a);
    free(r);
    return good;
}

TEST(offsets_convert_errors)
{
    tok_span sp[2] = {{0, 3}, {2, 9}};
    tok_error err;
    CHECK_EQ(tok_spans_convert("abcdef", 6, sp, 2, TOK_OFFSET_CHARS, &err), TOK_EINVAL);
    CHECK_EQ(err.index, 1);
    CHECK(sp[0].end == 3 && sp[1].end == 9); /* unchanged */
    sp[1] = (tok_span){4, 2};
    CHECK_EQ(tok_spans_convert("abcdef", 6, sp, 2, TOK_OFFSET_CHARS, NULL), TOK_EINVAL);
    CHECK_EQ(tok_spans_convert("abc", 3, NULL, 0, TOK_OFFSET_UTF16, NULL), TOK_OK);
    CHECK_EQ(tok_spans_convert("abc", 3, sp, 1, (tok_offset_unit)7, NULL), TOK_EINVAL);
}

/* `encode --offsets=UNIT`: the byte spans of `--offsets`, converted as the reference does. */
TEST(offsets_cli_units)
{
    const char *text = "h\xC3\xA9llo \xF0\x9D\x84\x9E w\xC3\xB6rld \xE4\xBD\xA0\xE5\xA5\xBD!";
    size_t len = strlen(text);
    const char *args_b[] = {"encode", "--offsets", "--json", text, NULL};
    cli_result rb = run_cli(args_b, NULL, 0);
    CHECK_EQ(rb.status, 0);
    uint64_t before[64], upto[64];
    for (int unit = 1; unit <= 2; unit++) {
        const char *args[] = {"encode", unit == 1 ? "--offsets=chars" : "--offsets=utf16",
                              "--json", text, NULL};
        cli_result r = run_cli(args, NULL, 0);
        CHECK_EQ(r.status, 0);
        reference(text, len, unit == 2, before, upto);
        /* rewrite the byte offsets of rb into the unit and compare the whole line */
        char want[4096];
        size_t o = 0;
        const char *p = rb.out, *q = strstr(p, "\"offsets\":[");
        CHECK(q);
        o += (size_t)snprintf(want, sizeof want, "%.*s\"offsets\":[", (int)(q - p), p);
        q += strlen("\"offsets\":[");
        for (int k = 0; *q == '['; k++) {
            unsigned long long a, b;
            int used;
            CHECK(sscanf(q, "[%llu,%llu]%n", &a, &b, &used) == 2);
            o += (size_t)snprintf(want + o, sizeof want - o, "%s[%llu,%llu]", k ? "," : "",
                                  (unsigned long long)before[a], (unsigned long long)upto[b]);
            q += used;
            if (*q == ',')
                q++;
        }
        snprintf(want + o, sizeof want - o, "],\"offset_unit\":\"%s\"}\n",
                 unit == 1 ? "chars" : "utf16");
        CHECK_STR(r.out, want);
        cli_free(&r);
    }
    /* the value is optional: "--offsets chars" keeps "chars" as the text */
    const char *args_t[] = {"encode", "--offsets", "--json", "chars", NULL};
    cli_result rt = run_cli(args_t, NULL, 0);
    CHECK_EQ(rt.status, 0);
    CHECK(strstr(rt.out, "\"offsets\":[[0,5]]") != NULL);
    cli_free(&rt);
    const char *args_x[] = {"encode", "--offsets=words", "x", NULL};
    cli_result rx = run_cli(args_x, NULL, 0);
    CHECK_EQ(rx.status, 2);
    CHECK(strstr(rx.err, "bytes, chars or utf16") || strstr(rx.err, "bytes, chars, utf16"));
    cli_free(&rx);
    cli_free(&rb);
}
