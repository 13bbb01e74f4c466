/* cut: where a text may be cut without changing the pieces of its split -- for token budgets,
 * which encode a text stretch by stretch (lib/api/budget.c) and need the pieces of each stretch,
 * split as a text of its own, to be the pieces of the whole text.
 *
 * A cut p of s[0..n) must satisfy two things for every text T that begins with s[0..n):
 *   (1) the pieces of T before p do not depend on what follows n (they are final), and
 *   (2) s[0..p) split on its own gives the same pieces: the end of the text at p must not
 *       change them (the patterns' \s++$ and \s+(?!\S) treat a run of spaces at the very end
 *       differently: "1986\n\n" + "You" splits "\n", "\n" where "1986\n\n" alone splits "\n\n").
 * (2) is checked: the candidate's prefix is split again on its own and compared; the last few
 * final boundaries are tried, latest first. Since no pattern here looks behind a search's
 * start, the pieces from p on are then those of T[p..] on its own.
 *
 * (1) for a regex: PCRE2's hard partial matching (tok_regex_final_matches).
 *
 * (1) for the built-in patterns' scanners (r50k, cl100k, o200k; presets.c), by their
 * alternatives. A piece's match examines text past its own end only in these ways: a letter,
 * digit or punctuation run is read one character past its end; o200k's optional contraction
 * ('s 't 're 've 'm 'll 'd, case-insensitive) after letters reads up to three characters past
 * the letters; and at whitespace \s++$, \s*[\r\n], \s+(?!\S) read the whole whitespace run and
 * the character after it. The worst case is whitespace: a run that holds a newline is cut into
 * "...\n", "  " (the rest but its last character), " " (the last one, where \s+(?!\S) and
 * " ?\p{L}" fail on a digit) and the digit's piece -- so the first piece of the run reads into
 * the third piece after it. A contraction read reaches at most into the second piece after
 * ("ab" then "'l" then "1"), a run's next character into the first. So piece j is final when
 * piece j + 3 ends before n: with pieces P1..Pk of s[0..n) (Pk ends at n), P1..P(k-4) are
 * final. The scanners equal the patterns (tests/unit/test_pretok.c); tests/conformance/
 * test_budget.c checks cuts on every golden line at random lengths against the real rest. */
#include "split/split.h"

#include <stdlib.h>

#define TRIES 4 /* candidates checked for (2), latest first */

size_t tok_pretok_cut(tok_pretok_fn scan, const uint8_t *s, size_t n,
                      bool (*accept)(void *ctx, size_t p), void *ctx)
{
    size_t *starts = NULL, k = 0, cap = 0, cut = 0;
    for (size_t i = 0; i < n; k++) {
        if (!tok_grow(&starts, &cap, k + 1, sizeof *starts, 64)) {
            free(starts);
            return 0;
        }
        starts[k] = i;
        i = scan(s, i, n);
    }
    /* pieces 0..k-1; piece i is final when i <= k - 5, so a cut may be where piece j <= k - 4
     * starts */
    for (size_t j = k >= 4 ? k - 4 : 0, tries = 0; j >= 1 && tries < TRIES && !cut; j--) {
        size_t p = starts[j];
        if (accept && !accept(ctx, p))
            continue;
        tries++;
        size_t i = 0, x = 0; /* (2): s[0..p) on its own */
        while (x < p && i < j && starts[i] == x) {
            x = scan(s, x, p);
            i++;
        }
        if (i == j && x == p)
            cut = p;
    }
    free(starts);
    return cut;
}

size_t tok_regex_cut(const void *re, const uint8_t *s, size_t n,
                     bool (*accept)(void *ctx, size_t p), void *ctx)
{
    size_t *a = NULL, *b = NULL, k = 0, cap = 0, cut = 0;
    if (tok_regex_final_matches(re, s, n, &a, &b, &k, &cap))
        for (size_t j = k, tries = 0; j >= 1 && tries < TRIES && !cut; j--) {
            size_t p = b[j - 1]; /* after the j final matches */
            if (p >= n || (accept && !accept(ctx, p)))
                continue;
            tries++;
            if (tok_regex_split_is(re, s, p, a, b, j))
                cut = p;
        }
    free(a);
    free(b);
    return cut;
}
