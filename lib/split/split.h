/* split: cutting text into pieces before the model runs (the pre-tokenizers' engines).
 * Includes base/ and text/ only (the layer rule: base/base.h).
 *
 *   scan_*.c        hand-written scanners for the widely used patterns (presets.c lists them)
 *   regex.c         the fallback: any pattern on PCRE2, read the way its reference reads it
 *   regex_rewrite.c patterns rewritten so PCRE2 10.42 gives them the references' Unicode 16
 *
 * The built-in encodings' regular expressions are compiled by hand into scanners
 * (scan_r50k.c, scan_cl100k.c, scan_o200k.c): each takes valid UTF-8 and a position and
 * returns where the regex's next match ends. The matches of these patterns tile the text (every
 * character starts some alternative), so "next match" is always "the match starting here".
 * Each scanner follows its pattern's alternatives in order with the backtracking a Perl-style
 * engine would do, worked out per alternative in comments; tests compare them with PCRE2 on
 * random text and with tiktoken's ids on the golden corpus.
 *
 * Character classes come from the project's Unicode 16 tables (text/text.h). */
#ifndef TOK_SPLIT_H
#define TOK_SPLIT_H

#include "text/text.h"

/* End of the piece that starts at i (i < end); always > i. s[0..end) is valid UTF-8. */
typedef size_t (*tok_pretok_fn)(const uint8_t *s, size_t i, size_t end);

size_t tok_pretok_r50k(const uint8_t *s, size_t i, size_t end);
size_t tok_pretok_cl100k(const uint8_t *s, size_t i, size_t end);
size_t tok_pretok_o200k(const uint8_t *s, size_t i, size_t end);
/* tokenizer.json patterns close to those (presets.c names them) */
size_t tok_pretok_llama3(const uint8_t *s, size_t i, size_t end);
size_t tok_pretok_qwen2(const uint8_t *s, size_t i, size_t end);
size_t tok_pretok_tekken(const uint8_t *s, size_t i, size_t end);
/* DeepSeek V3's three Isolated Splits in a row, as one scanner (scan_deepseek.c) */
size_t tok_pretok_deepseek(const uint8_t *s, size_t i, size_t end);
/* Cohere's Digits (individual) then GPT-2's pattern, as one scanner (scan_cohere.c) */
size_t tok_pretok_cohere(const uint8_t *s, size_t i, size_t end);

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
extern const uint8_t tok_kind_of_props[64];

/* Kind of the character at s[i]; *len gets its byte length. */
static inline unsigned tok_kind_at(const uint8_t *s, size_t i, unsigned *len)
{
    uint8_t c = s[i];
    if (c < 0x80) {
        *len = 1;
        return tok_kind_ascii[c];
    }
    uint8_t p = tok_uni_props(tok_utf8_decode(s + i, len));
    return tok_kind_of_props[p & 63];
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
    while (i < end && (uint8_t)((s[i] | 0x20) - 'a') < 26) /* ASCII letters: no table */
        i++;
    while (i < end) {
        unsigned l;
        if (!k_is_letter(tok_kind_at(s, i, &l)))
            break;
        i += l;
    }
    return i;
}

/* \p{N}{1,max}: from j, just past a numeric character that starts the piece, up to max - 1
 * more (ASCII digits without a table); returns where the piece ends. */
static inline size_t tok_skip_digits(const uint8_t *s, size_t j, size_t end, int max)
{
    for (int n = 1; n < max && j < end; n++) {
        unsigned l;
        if ((uint8_t)(s[j] - '0') < 10)
            l = 1;
        else if (tok_kind_at(s, j, &l) != K_N)
            break;
        j += l;
    }
    return j;
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

/* ---- presets: the patterns with a hand-written scanner (presets.c) ---- */

typedef enum tok_regex_dialect { TOK_REGEX_RUST, TOK_REGEX_ONIG } tok_regex_dialect;

typedef struct tok_split_preset {
    const char *name;    /* "r50k", "cl100k", "o200k", "gpt2", "llama3", "qwen2", "tekken" */
    const char *pattern; /* the regex, verbatim from its source */
    tok_pretok_fn scan;  /* the scanner proven equal to it */
    unsigned dialects;   /* bit d set: proven for the pattern read in tok_regex_dialect d */
    bool restarts;       /* the split restarts at a line feed followed by an ASCII letter
                            (cut.c gives the proof): tok_split_cut's cuts are safe */
    const char *source;  /* where the pattern comes from */
} tok_split_preset;

/* The preset of this name, or NULL. */
const tok_split_preset *tok_split_preset_named(const char *name);
/* The scanner equal to pattern[0..len) read in dialect, or NULL (then use the regex). */
tok_pretok_fn tok_split_scanner_for(const char *pattern, size_t len, tok_regex_dialect dialect);
/* Is scan a preset's or a sequence's scanner whose split restarts (.restarts)? */
bool tok_split_scan_restarts(tok_pretok_fn scan);

/* A Sequence of Isolated, non-inverted Splits, each applied to the pieces of the one before,
 * that one scanner gives left to right (their pieces tile the text). */
typedef struct tok_split_sequence {
    const char *name;
    const char *patterns[4];
    size_t n;
    tok_pretok_fn scan;
    unsigned dialects;
    bool restarts; /* as tok_split_preset.restarts */
    const char *source;
} tok_split_sequence;

/* HF's Digits pre-tokenizer with individual_digits, as the Isolated Split it equals */
#define TOK_SPLIT_NUMERIC_ONE "\\p{N}"
const tok_split_sequence *tok_split_sequence_named(const char *name);
/* The scanner of the sequence patterns[0..n) (lens[k] bytes each) read in dialect, or NULL. */
tok_pretok_fn tok_split_sequence_scanner(const char *const *patterns, const size_t *lens, size_t n,
                                         tok_regex_dialect dialect);

/* ---- the regex fallback (regex.c, regex_rewrite.c) ---- */

/* The pattern with the references' Unicode meaning for PCRE2 10.42: \s as White_Space, \p{..}
 * and \d corrected to Unicode 16.0, \w as the dialect defines it. malloc'd; NULL on OOM or
 * with *why set. */
char *tok_regex_rewrite(const char *pattern, size_t len, tok_regex_dialect dialect,
                        const char **why);
/* A compiled pattern (pcre2_code), or NULL with msg and *err_at set. literal: match the text
 * itself. */
void *tok_regex_new(const char *pattern, size_t len, bool literal, tok_regex_dialect dialect,
                    char *msg, size_t msg_cap, size_t *err_at);
void tok_regex_free(void *re);
/* Calls piece(ctx, start, end) for each match in s[from..to); unmatched text between matches is
 * skipped, as tiktoken's find_iter does. TOK_ENOMEM when piece fails, TOK_EUNSUPPORTED when the
 * pattern exceeds the regex engine's match limits on this text. */
tok_status tok_regex_split(const void *re, const uint8_t *s, size_t from, size_t to,
                           bool (*piece)(void *ctx, size_t start, size_t end), void *ctx);

/* ---- cuts (cut.c): where a text may be cut without changing its pieces ---- */

/* The last position p (0 < p < n) where the split of s[0..n) -- by a scanner, or by a regex
 * whose matches are split as tok_regex_split and tok_match_iter do -- may be cut: for every
 * text T that begins with s[0..n), the pieces of T before p are those of s[0..p) split as a
 * text of its own, and the pieces from p on are those of T[p..] split on its own. accept, when
 * not NULL, must also take p. 0 when there is none (or out of memory). A scanner must be one
 * of the built-in patterns' (cut.c has the argument for them); a regex must not look behind
 * where a search starts (tok_regex_looks_back). */
size_t tok_pretok_cut(tok_pretok_fn scan, const uint8_t *s, size_t n,
                      bool (*accept)(void *ctx, size_t p), void *ctx);
size_t tok_regex_cut(const void *re, const uint8_t *s, size_t n,
                     bool (*accept)(void *ctx, size_t p), void *ctx);
/* Restarts: the last position p in (0, n) where s[p - 1] is LF and s[p] an ASCII letter, or 0.
 * Every preset with .restarts splits any text there as its two parts on their own (cut.c). */
size_t tok_split_cut(const uint8_t *s, size_t n);

/* The matches of the split of s[0..n) (empty ones left out) that stay the same in any text that
 * begins with s[0..n): PCRE2's hard partial matching, a search being final when the engine
 * never needed a character past n. Appended to *start / *end (grown; *count of them, *cap the
 * capacity). false when out of memory or on an engine error. */
bool tok_regex_final_matches(const void *re, const uint8_t *s, size_t n, size_t **start,
                             size_t **end, size_t *count, size_t *cap);
/* Does s[0..n), as a whole text, split into exactly the k (non-empty) matches start/end? */
bool tok_regex_split_is(const void *re, const uint8_t *s, size_t n, const size_t *start,
                        const size_t *end, size_t k);
/* Does pattern[0..len) look at text before the position a search starts from -- a lookbehind,
 * \b, \B, ^, \A, \G, \K? (Conservative: anything it cannot read counts as yes.) */
bool tok_regex_looks_back(const char *pattern, size_t len);

/* Oniguruma's find_iter over s[0..n), for tokenizer.json's Split, Replace and the Replace
 * decoder: leftmost matches left to right, an empty match right where the previous one ended
 * skipped by one character. */
typedef struct tok_match_iter {
    const void *re;
    const uint8_t *s;
    size_t n, at, last_end;
    void *md;
    bool failed;
} tok_match_iter;

void tok_match_begin(tok_match_iter *it, const void *re, const uint8_t *s, size_t n);
/* The next match [start, end); false at the end (check it->failed for an engine error). */
bool tok_match_next(tok_match_iter *it, size_t *start, size_t *end);

#endif
