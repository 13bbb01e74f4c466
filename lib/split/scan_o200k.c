/* o200k_base / o200k_harmony pre-tokenizer, by hand. tiktoken 0.14's pattern, alternatives:
 *
 *   1  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   2  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   3  \p{N}{1,3}
 *   4   ?[^\s\p{L}\p{N}]+[\r\n/]*
 *   5  \s*[\r\n]+
 *   6  \s+(?!\S)
 *   7  \s+
 *
 * Call U = [Lu Lt Lm Lo M] and W = [Ll Lm Lo M]; Lm, Lo and marks ("both", K_LB/K_M) are in
 * each. A run of letters and marks holds only U-only (K_LU), Ll (K_LL) and both-kind characters.
 * Alternative 1 from a position: U* stops at the first Ll; if there is one, W+ continues from
 * it over Ll and both-kind characters. If the run has no Ll, the engine backs U* off until W+
 * can start, i.e. at the run's last both-kind character, and W+ then takes just that one
 * (everything after it is U-only); with no both-kind character either, 1 fails. Alternative 2
 * is only tried when 1 failed: the run is U-only, U+ takes all of it. The optional prefix
 * character is tried first with, then without (only a mark can start a run without it).
 *
 * Mistral NeMo's tokenizer.json ("Tekken") has the same pattern without the contractions and
 * with single digits (\p{N}); the same code scans it. */
#include "split/split.h"

#define NO_MATCH SIZE_MAX

/* [U]*[W]+ from i, or NO_MATCH. */
static size_t upper_then_lower(const uint8_t *s, size_t i, size_t end)
{
    size_t last_both = NO_MATCH, j = i;
    while (j < end) {
        unsigned l, k = tok_kind_at(s, j, &l);
        if (k == K_LL) { /* U* ends here; W+ runs over Ll and both-kind */
            j += l;
            while (j < end && (uint8_t)(s[j] - 'a') < 26) /* most of W+: ASCII lowercase */
                j++;
            while (j < end) {
                k = tok_kind_at(s, j, &l);
                if (k != K_LL && k != K_LB && k != K_M)
                    break;
                j += l;
            }
            return j;
        }
        if (k == K_LB || k == K_M)
            last_both = j + l;
        else if (k != K_LU)
            break;
        j += l;
    }
    return last_both;
}

/* [U]+[W]* from i, or NO_MATCH (only reached when upper_then_lower failed). */
static size_t upper_run(const uint8_t *s, size_t i, size_t end)
{
    size_t j = i;
    while (j < end) {
        unsigned l, k = tok_kind_at(s, j, &l);
        if (k != K_LU && k != K_LB && k != K_M)
            break;
        j += l;
    }
    if (j == i)
        return NO_MATCH;
    while (j < end) { /* W* after U+ stopped: only reached at an Ll */
        unsigned l, k = tok_kind_at(s, j, &l);
        if (k != K_LL && k != K_LB && k != K_M)
            break;
        j += l;
    }
    return j;
}

static size_t with_contraction(const uint8_t *s, size_t j, size_t end)
{
    if (j < end && s[j] == '\'') {
        size_t m = tok_contraction_ci(s, j + 1, end);
        if (m)
            return j + 1 + m;
    }
    return j;
}

/* inlined into each pattern's function: one copy per set of constants */
__attribute__((always_inline)) static inline size_t
o200k_like(const uint8_t *s, size_t i, size_t end, bool contractions, int max_digits)
{
    unsigned l0, k0 = tok_kind_at(s, i, &l0);
    /* \p{N}{1,3}: a digit starts neither 1 nor 2 (not a letter, nor their prefix), so it is
     * asked first */
    if (k0 == K_N)
        return tok_skip_digits(s, i + l0, end, max_digits);
    /* [^\r\n\p{L}\p{N}] : anything but CR, LF, letters and digits */
    bool prefix = k0 != K_CR && k0 != K_LF && !k_is_letter(k0);
    size_t j = NO_MATCH;
    if (prefix && i + l0 < end)
        j = upper_then_lower(s, i + l0, end);
    if (j == NO_MATCH)
        j = upper_then_lower(s, i, end);
    if (j == NO_MATCH && prefix && i + l0 < end)
        j = upper_run(s, i + l0, end);
    if (j == NO_MATCH)
        j = upper_run(s, i, end);
    if (j != NO_MATCH)
        return contractions ? with_contraction(s, j, end) : j;
    /*  ?[^\s\p{L}\p{N}]+[\r\n/]* */
    size_t p = i;
    unsigned kp = k0, lp = l0;
    if (k0 == K_SPACE && i + 1 < end) {
        p = i + 1;
        kp = tok_kind_at(s, p, &lp);
    }
    if (k_is_punct(kp)) {
        j = p + lp;
        while (j < end) {
            unsigned l;
            if (!k_is_punct(tok_kind_at(s, j, &l)))
                break;
            j += l;
        }
        while (j < end && (s[j] == '\r' || s[j] == '\n' || s[j] == '/'))
            j++;
        return j;
    }
    return tok_pretok_space(s, i, end, k0, l0, false, true);
}

size_t tok_pretok_o200k(const uint8_t *s, size_t i, size_t end)
{
    return o200k_like(s, i, end, true, 3);
}

size_t tok_pretok_tekken(const uint8_t *s, size_t i, size_t end)
{
    return o200k_like(s, i, end, false, 1);
}
