/* pretok: the hand-written scanners against PCRE2 running the very pattern strings, on random
 * text over an alphabet of characters whose properties PCRE2's Unicode 14 tables and ours
 * (Unicode 16) agree on -- every case of every alternative, with backtracking, gets exercised.
 * (Characters new in 15/16 and U+180E, which PCRE2 still counts as \s, are covered by the
 * tiktoken goldens instead.) */
#include "split/split.h"

#include <string.h>
#include "runner.h"

static const uint32_t alphabet[] = {
    'a', 'b', 'e', 's', 't', 'd', 'm', 'l', 'v', 'r', 'x', 'A', 'S', 'T', 'L', 'V', 'R', 'E', 'D',
    'M', 'Z', '0', '1', '9', ' ', ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\v', '\f', '\'', '\'',
    '\'', '.', ',', '!', '/', '/', '-', '(', '"', 0x85, 0xA0, 0x2003, 0x3000, 0x2028, 0x1680,
    0x0301, 0x0903, 0x20DD, 0x00C9, 0x00E9, 0x01C5, 0x02B0, 0x4E00, 0x05D0, 0x0660, 0x2160,
    0x00BD, 0xFF11, 0x1F600, 0x017F, 0x212A, 0xFEFF, 0x200B, 0x00DF, 0x0130, 0x0131, 0x1E9E,
};
#define N_ALPHA (sizeof alphabet / sizeof alphabet[0])

typedef struct ends {
    size_t v[512], n;
} ends;

static bool collect(void *ctx, size_t start, size_t end)
{
    ends *e = ctx;
    (void)start;
    if (e->n < 512)
        e->v[e->n++] = end;
    return true;
}

static void differential_in(const char *preset, tok_pretok_fn scan, tok_regex_dialect dialect,
                            uint64_t seed, int rounds)
{
    const tok_split_preset *ps = tok_split_preset_named(preset);
    CHECK(ps && ps->scan == scan);
    CHECK(ps->dialects >> dialect & 1);
    /* the lookup hands out the scanner for exactly the dialects it was proven in */
    for (int d = TOK_REGEX_RUST; d <= TOK_REGEX_ONIG; d++)
        CHECK((tok_split_scanner_for(ps->pattern, strlen(ps->pattern), (tok_regex_dialect)d) ==
               scan) == (bool)(ps->dialects >> d & 1));
    char msg[256];
    size_t at;
    void *re = tok_regex_new(ps->pattern, strlen(ps->pattern), false, dialect, msg,
                             sizeof msg, &at);
    CHECK_MSG(re != NULL, "%s", msg);
    uint8_t text[256];
    for (int r = 0; r < rounds; r++) {
        size_t len = 0, nchars = test_rand(&seed) % 40;
        for (size_t k = 0; k < nchars; k++)
            len += tok_utf8_encode(alphabet[test_rand(&seed) % N_ALPHA], text + len);
        ends want = {.n = 0}, got = {.n = 0};
        CHECK(tok_regex_split(re, text, 0, len, collect, &want) == TOK_OK);
        for (size_t i = 0; i < len;) {
            i = scan(text, i, len);
            got.v[got.n++] = i;
        }
        bool same = want.n == got.n;
        for (size_t k = 0; same && k < got.n; k++)
            same = want.v[k] == got.v[k];
        if (!same) {
            char shown[1024];
            size_t o = 0;
            for (size_t k = 0; k < len && o < 1000; k++)
                o += (size_t)snprintf(shown + o, sizeof shown - o, "%02x", text[k]);
            size_t k = 0;
            while (k < want.n && k < got.n && want.v[k] == got.v[k])
                k++;
            test_fail(__FILE__, __LINE__,
                      "%s (%s): text %s: piece %zu ends at %zu by PCRE2, at %zu by the scanner",
                      preset, dialect == TOK_REGEX_RUST ? "Rust" : "Oniguruma", shown, k,
                      k < want.n ? want.v[k] : 0, k < got.n ? got.v[k] : 0);
            break;
        }
    }
    tok_regex_free(re);
}

/* every dialect a preset claims */
static void differential(const char *preset, tok_pretok_fn scan, uint64_t seed, int rounds)
{
    const tok_split_preset *ps = tok_split_preset_named(preset);
    CHECK(ps != NULL);
    for (int d = TOK_REGEX_RUST; d <= TOK_REGEX_ONIG; d++)
        if (ps->dialects >> d & 1)
            differential_in(preset, scan, (tok_regex_dialect)d, seed + (uint64_t)d * 1000, rounds);
}

TEST(pretok_r50k_matches_pcre2) { differential("r50k", tok_pretok_r50k, 11, 40000); }
TEST(pretok_cl100k_matches_pcre2) { differential("cl100k", tok_pretok_cl100k, 12, 40000); }
TEST(pretok_o200k_matches_pcre2) { differential("o200k", tok_pretok_o200k, 13, 40000); }
TEST(pretok_gpt2_matches_pcre2) { differential("gpt2", tok_pretok_r50k, 14, 40000); }
TEST(pretok_llama3_matches_pcre2) { differential("llama3", tok_pretok_llama3, 15, 40000); }
TEST(pretok_qwen2_matches_pcre2) { differential("qwen2", tok_pretok_qwen2, 16, 40000); }
TEST(pretok_tekken_matches_pcre2) { differential("tekken", tok_pretok_tekken, 17, 40000); }


static size_t pieces(tok_pretok_fn scan, const char *s, size_t *ends_out)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len;)
        ends_out[n++] = i = scan((const uint8_t *)s, i, len);
    return n;
}

/* Does scan cut s into the pieces of want, written with '|' between them? */
static void split_as(const char *name, tok_pretok_fn scan, const char *s, const char *want)
{
    char got[256];
    size_t len = strlen(s), o = 0;
    for (size_t i = 0; i < len && o + 2 < sizeof got;) {
        size_t e = scan((const uint8_t *)s, i, len);
        if (i)
            got[o++] = '|';
        for (; i < e && o + 1 < sizeof got; i++)
            got[o++] = s[i];
    }
    got[o] = 0;
    CHECK_MSG(strcmp(got, want) == 0, "%s: \"%s\" split as \"%s\", not \"%s\"", name, s, got,
              want);
}

/* Worked examples, so a reader sees what each pattern does. */
TEST(pretok_examples)
{
    /* cl100k: contractions split off, digits in threes, trailing space run kept together */
    split_as("cl100k", tok_pretok_cl100k, "we'RE 12345", "we|'RE| |123|45");
    /* o200k: the contraction stays on its word; a word ends where a capital follows a small
     * letter, but capitals before small letters stay with them */
    split_as("o200k", tok_pretok_o200k, "we're HTTPServer helloWorld",
             "we're| HTTPServer| hello|World");
    /* r50k: uppercase contraction is not one ('S is apostrophe + S) */
    split_as("r50k", tok_pretok_r50k, "IT'S", "IT|'|S");
}

/* The differences that set the HF spellings apart, where random text may rarely reach them. */
TEST(pretok_hf_spellings_differ_where_expected)
{
    size_t e[16];
    /* Llama 3 has no \s++$: a whitespace run at the end splits after its last newline */
    CHECK_EQ(pieces(tok_pretok_cl100k, "a\n  ", e), 2);
    CHECK_EQ(pieces(tok_pretok_llama3, "a\n  ", e), 3);
    /* Qwen2 and Tekken take digits one by one */
    CHECK_EQ(pieces(tok_pretok_llama3, "12345", e), 2);
    CHECK_EQ(pieces(tok_pretok_qwen2, "12345", e), 5);
    CHECK_EQ(pieces(tok_pretok_tekken, "12345", e), 5);
    /* Tekken has no contractions */
    CHECK_EQ(pieces(tok_pretok_o200k, "we're", e), 1);
    CHECK_EQ(pieces(tok_pretok_tekken, "we're", e), 2);
}

/* ---- sequences of Isolated Splits: one scanner against the patterns run one after another ---- */

/* Characters of every class DeepSeek's three patterns tell apart, with the edges of its CJK
 * ranges inside and outside them: ideographs (U+4E00, U+9FA5 in, U+9FA6 and U+3400 out), kana
 * and the punctuation and symbols in the kana blocks (U+309B Sk, U+30A0 Pd, U+30FB Po, U+30FF
 * in; U+303F, U+3100 out), digits of three kinds (Nd, Nl, No, and U+3007 outside the ranges),
 * marks, controls and format characters (which start no match alone), ASCII punctuation of the
 * first alternative and other punctuation and symbols. */
static const uint32_t ds_alphabet[] = {
    'a', 'b', 'Z', 'x', ' ', ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\v', '0', '1', '9', '.',
    ',', '!', '-', '[', '\\', '`', '~', '$', '\'', '"', 0x85, 0xA0, 0x3000, 0x2028, 0x0301,
    0x0903, 0x20DD, 0x00E9, 0x01C5, 0x02B0, 0x05D0, 0x0660, 0x2160, 0x00BD, 0x3007, 0x4E00,
    0x4E8C, 0x9FA5, 0x9FA6, 0x3400, 0x3042, 0x3093, 0x309B, 0x30A0, 0x30AB, 0x30FB, 0x30FF,
    0x303F, 0x3100, 0xFF11, 0x00AB, 0x2014, 0x20AC, 0x00A9, 0x1F600, 0x0001, 0x001F, 0x007F,
    0x0090, 0x200B, 0xFEFF, 0x00AD, 0xE000,
};
#define N_DS_ALPHA (sizeof ds_alphabet / sizeof ds_alphabet[0])

typedef struct spans {
    size_t a[600], b[600], n;
} spans;

/* HF's Split with Isolated on each span of in: the matches of re in it (found as Oniguruma's
 * find_iter, on the span as a text of its own) and the text between them, in order. */
static bool split_isolated(const void *re, const uint8_t *s, const spans *in, spans *out)
{
    out->n = 0;
    for (size_t k = 0; k < in->n; k++) {
        tok_match_iter it;
        size_t at = 0, ms, me, len = in->b[k] - in->a[k];
        tok_match_begin(&it, re, s + in->a[k], len);
        while (tok_match_next(&it, &ms, &me)) {
            if (me == ms)
                continue;
            if (ms > at)
                out->a[out->n] = in->a[k] + at, out->b[out->n++] = in->a[k] + ms;
            out->a[out->n] = in->a[k] + ms, out->b[out->n++] = in->a[k] + me;
            at = me;
        }
        if (it.failed)
            return false;
        if (at < len)
            out->a[out->n] = in->a[k] + at, out->b[out->n++] = in->b[k];
    }
    return true;
}

/* A sequence's scanner against PCRE2 running its patterns one after another as HF's Isolated
 * splits, on random texts over alphabet; each piece compared. */
static void sequence_differential(const char *name, tok_pretok_fn scan, const uint32_t *alphabet_,
                                  size_t n_alpha, uint64_t seed, int rounds, size_t min_pieces)
{
    const tok_split_sequence *q = tok_split_sequence_named(name);
    CHECK(q && q->scan == scan);
    if (!q)
        return;
    size_t lens[4], np = q->n;
    for (size_t k = 0; k < np; k++)
        lens[k] = strlen(q->patterns[k]);
    /* handed out for exactly its patterns, in Oniguruma's reading, all of them */
    CHECK(tok_split_sequence_scanner(q->patterns, lens, np, TOK_REGEX_ONIG) == scan);
    CHECK(tok_split_sequence_scanner(q->patterns, lens, np, TOK_REGEX_RUST) == NULL);
    CHECK(tok_split_sequence_scanner(q->patterns, lens, np - 1, TOK_REGEX_ONIG) == NULL);
    lens[np - 1]--;
    CHECK(tok_split_sequence_scanner(q->patterns, lens, np, TOK_REGEX_ONIG) == NULL);
    lens[np - 1]++;
    void *re[4];
    char msg[256];
    size_t at;
    for (size_t k = 0; k < np; k++) {
        re[k] = tok_regex_new(q->patterns[k], lens[k], false, TOK_REGEX_ONIG, msg, sizeof msg, &at);
        CHECK_MSG(re[k] != NULL, "%s", msg);
    }
    uint8_t text[256];
    static spans a, b;
    size_t pieces_seen = 0;
    for (int r = 0; r < rounds; r++) {
        size_t len = 0, nchars = test_rand(&seed) % 40;
        for (size_t k = 0; k < nchars; k++)
            len += tok_utf8_encode(alphabet_[test_rand(&seed) % n_alpha], text + len);
        a.n = len > 0;
        a.a[0] = 0, a.b[0] = len;
        bool ok = true;
        for (size_t k = 0; k < np && ok; k++) {
            ok = split_isolated(re[k], text, &a, &b);
            a = b;
        }
        CHECK(ok);
        size_t n = 0, i = 0;
        bool same = true;
        while (i < len && same) {
            size_t e = scan(text, i, len);
            same = n < a.n && a.a[n] == i && a.b[n] == e;
            n++;
            i = e;
        }
        same = same && n == a.n;
        pieces_seen += n;
        if (!same) {
            char shown[1024];
            size_t o = 0;
            for (size_t k = 0; k < len && o < 1000; k++)
                o += (size_t)snprintf(shown + o, sizeof shown - o, "%02x", text[k]);
            test_fail(__FILE__, __LINE__, "%s: text %s: piece %zu differs (PCRE2 %zu..%zu)", name,
                      shown, n - 1, n - 1 < a.n ? a.a[n - 1] : 0, n - 1 < a.n ? a.b[n - 1] : 0);
            break;
        }
    }
    CHECK_MSG(pieces_seen > min_pieces, "%s: %zu pieces", name, pieces_seen);
    for (size_t k = 0; k < np; k++)
        tok_regex_free(re[k]);
}

TEST(pretok_deepseek_matches_pcre2_sequence)
{
    sequence_differential("deepseek", tok_pretok_deepseek, ds_alphabet, N_DS_ALPHA, 18, 60000,
                          500000);
}

/* Cohere's Digits then GPT-2's pattern: numbers of every kind (Nd, Nl, No, fullwidth) next to
 * spaces, letters, contractions and other characters -- where the next number is the end of
 * a text to the second split */
TEST(pretok_cohere_matches_pcre2_sequence)
{
    sequence_differential("cohere", tok_pretok_cohere, alphabet, N_ALPHA, 19, 60000, 500000);
}

/* Worked examples of the sequence: digits in threes from the start of each run, CJK runs whole,
 * the third pattern's text ending at the next digit or CJK character. */
TEST(pretok_deepseek_examples)
{
    /* the space before the digits is the end of its text: a piece of its own */
    split_as("deepseek", tok_pretok_deepseek, "ab 12345", "ab| |123|45");
    /* kana and ideographs in one run; the space before them ends its own text */
    split_as("deepseek", tok_pretok_deepseek, "go \xE3\x81\x82\xE4\xB8\x80x",
             "go| |\xE3\x81\x82\xE4\xB8\x80|x");
    /* a katakana middle dot (Po) is cut from the katakana around it, inside their run */
    split_as("deepseek", tok_pretok_deepseek, "\xE3\x82\xAB\xE3\x83\xBB\xE3\x83\x8A",
             "\xE3\x82\xAB|\xE3\x83\xBB|\xE3\x83\x8A");
    /* ASCII punctuation takes the ASCII letters after it; controls without a letter after them
     * are a piece between matches */
    split_as("deepseek", tok_pretok_deepseek, ".net\x01\x01!", ".net|\x01\x01|!");
}

/* Cohere's: each digit alone, and the text before a digit ends there (GPT-2's pattern alone
 * gives "a", " ", " 1" for the first) */
TEST(pretok_cohere_examples)
{
    split_as("cohere", tok_pretok_cohere, "a  12", "a|  |1|2");
    split_as("cohere", tok_pretok_cohere, "it's 3rd", "it|'s| |3|rd");
    split_as("cohere", tok_pretok_cohere, "x \xC2\xBD y", "x| |\xC2\xBD| y"); /* U+00BD, No */
    split_as("cohere", tok_pretok_cohere, "a   b", "a|  | b");
}
