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

/* Worked examples, so a reader sees what each pattern does. */
TEST(pretok_examples)
{
    size_t e[32];
    /* cl100k: contractions split off, digits in threes, trailing space run kept together */
    CHECK_EQ(pieces(tok_pretok_cl100k, "we'RE 12345", e), 5); /* we 'RE ' 123 45 */
    CHECK_EQ(e[0], 2);
    CHECK_EQ(e[1], 5);
    CHECK_EQ(e[2], 6);
    CHECK_EQ(e[3], 9);
    /* o200k: the contraction stays on its word; a word ends where a capital follows a small
     * letter, but capitals before small letters stay with them: we're| HTTPServer| hello|World */
    CHECK_EQ(pieces(tok_pretok_o200k, "we're HTTPServer helloWorld", e), 4);
    CHECK_EQ(e[0], 5);
    CHECK_EQ(e[1], 16);
    CHECK_EQ(e[2], 22);
    /* r50k: uppercase contraction is not one ('S is apostrophe + S) */
    CHECK_EQ(pieces(tok_pretok_r50k, "IT'S", e), 3); /* IT ' S */
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
