/* pretok: splitting text into pieces before the model runs.
 *
 * The built-in encodings' regular expressions are compiled by hand into scanners
 * (pretok_r50k.c, pretok_cl100k.c, pretok_o200k.c): each takes valid UTF-8 and a position and
 * returns where the regex's next match ends. The matches of these patterns tile the text (every
 * character starts some alternative), so "next match" is always "the match starting here".
 * Each scanner follows its pattern's alternatives in order with the backtracking a Perl-style
 * engine would do, worked out per alternative in comments; tests compare them with PCRE2 on
 * random text and with tiktoken's ids on the golden corpus.
 *
 * Character classes come from the project's Unicode 16 tables (unicode.h). */
#ifndef TOK_PRETOK_H
#define TOK_PRETOK_H

#include "unicode.h"

/* End of the piece that starts at i (i < end); always > i. s[0..end) is valid UTF-8. */
typedef size_t (*tok_pretok_fn)(const uint8_t *s, size_t i, size_t end);

size_t tok_pretok_r50k(const uint8_t *s, size_t i, size_t end);
size_t tok_pretok_cl100k(const uint8_t *s, size_t i, size_t end);
size_t tok_pretok_o200k(const uint8_t *s, size_t i, size_t end);

/* Character kinds the tiktoken patterns distinguish. */
enum tok_kind {
    K_OTHER, /* punctuation, symbols, controls, format, unassigned: [^\s\p{L}\p{N}] minus marks */
    K_APOS,  /* U+0027, which starts contractions */
    K_M,     /* \p{M}: not a letter, but o200k counts marks with both cases */
    K_N,     /* \p{N} */
    K_LU,    /* Lu, Lt: upper-ish letters only (o200k) */
    K_LL,    /* Ll */
    K_LB,    /* Lm, Lo: letters o200k counts as both upper and lower */
    K_SPACE, /* U+0020, the one whitespace ' ?' accepts */
    K_CR,
    K_LF,
    K_WS /* any other White_Space */
};

static inline bool k_is_letter(unsigned k) { return k >= K_LU && k <= K_LB; }
static inline bool k_is_space(unsigned k) { return k >= K_SPACE; }
/* [^\s\p{L}\p{N}] */
static inline bool k_is_punct(unsigned k) { return k <= K_M; }

extern const uint8_t tok_kind_ascii[128];
extern const uint8_t tok_kind_of_gc[32];

/* Kind of the character at s[i]; *len gets its byte length. */
static inline unsigned tok_kind_at(const uint8_t *s, size_t i, unsigned *len)
{
    uint8_t c = s[i];
    if (c < 0x80) {
        *len = 1;
        return tok_kind_ascii[c];
    }
    uint8_t p = tok_uni_props(tok_utf8_decode(s + i, len));
    return (p & TOK_UNI_WS) ? K_WS : tok_kind_of_gc[p & 31];
}

/* Length after the apostrophe of a contraction at s[i..end): 's 't 'd 'm 'll 've 're.
 * Case-insensitive as (?i) in Rust's regex: simple case folding adds U+017F (long s) to 's'.
 * Returns 0 when there is none. */
size_t tok_contraction_ci(const uint8_t *s, size_t i, size_t end);
/* The same, lowercase ASCII only (GPT-2's pattern has no (?i)). */
size_t tok_contraction_cs(const uint8_t *s, size_t i, size_t end);

/* Skip characters of a kind set from i; returns the first position not in it. */
static inline size_t tok_skip_letters(const uint8_t *s, size_t i, size_t end)
{
    while (i < end) {
        unsigned l;
        if (!k_is_letter(tok_kind_at(s, i, &l)))
            break;
        i += l;
    }
    return i;
}



/* The whitespace alternatives the patterns end with, for a piece starting with whitespace at
 * i (kind k0, length l0). Let the maximal whitespace run be i..j:
 *   \s++$          (dollar_first) the whole run when it reaches the end of the text;
 *   \s*[\r\n]+     (newline_rule) the run up to and including its last CR or LF -- \s* first
 *                  takes the whole run, then gives back characters until [\r\n] can match;
 *   \s+(?!\S)      the run when it reaches the end, else the run minus its last character
 *                  (which is followed by \S), if that leaves anything;
 *   \s+ / \s       what remains: a single whitespace character followed by \S. */
static inline size_t tok_pretok_space(const uint8_t *s, size_t i, size_t end, unsigned k0,
                                      unsigned l0, bool dollar_first, bool newline_rule)
{
    size_t j = i + l0, last = i, nl = (k0 == K_CR || k0 == K_LF) ? i : SIZE_MAX;
    while (j < end) {
        unsigned l, k = tok_kind_at(s, j, &l);
        if (!k_is_space(k))
            break;
        if (k == K_CR || k == K_LF)
            nl = j;
        last = j;
        j += l;
    }
    if (dollar_first && j == end)
        return end;
    if (newline_rule && nl != SIZE_MAX)
        return nl + 1;
    if (j == end)
        return end;
    return last > i ? last : i + l0;
}
#endif
