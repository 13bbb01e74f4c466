/* cut: where a text may be cut without changing the pieces of its split -- for token budgets,
 * which encode a text stretch by stretch (lib/api/budget.c) and need the pieces of each stretch,
 * split as a text of its own, to be the pieces of the whole text, and for inputs counted part
 * by part (tok_cut_point). Two kinds: the analysis below finds the last cut of a given text for
 * any pattern (tok_pretok_cut, tok_regex_cut); restarts (tok_split_cut, at the end of this
 * file) are fixed places, after a line feed followed by a letter, proven per pattern.
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
 * test_budget.c checks cuts on every golden line at random lengths against the real rest.
 *
 * DeepSeek's sequence (scan_deepseek.c) reads no further: a digit chunk, a CJK run, a letter,
 * ASCII-letter or punctuation run one character past its end; the text between two matches
 * up to the first two characters of the match after it, which lie in that match; whitespace
 * its whole run and the character after it, in the same worst case of three pieces ("\n",
 * "  ", " x"); a run that ends at a digit or CJK character (the third pattern's end of text)
 * is decided by that character, the first of the next piece. So the same bound holds. */
#include "split/split.h"

#include <stdlib.h>
#include <string.h>

#define TRIES 4 /* candidates checked for (2), latest first */

size_t tok_pretok_cut(tok_pretok_fn scan, const uint8_t *s, size_t n,
                      bool (*accept)(void *ctx, size_t p), void *ctx)
{
    /* the argument above is for these scanners only (Llama 3's, Qwen2's and Tekken's are
     * analysed through their regex; DeepSeek's sequence has no one regex) */
    if (scan != tok_pretok_r50k && scan != tok_pretok_cl100k && scan != tok_pretok_o200k &&
        scan != tok_pretok_deepseek)
        return 0;
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

/* Restarts: a cut that needs no analysis, the same for every preset with .restarts (presets.c),
 * so that several tokenizers can share it (tok_cut_point). Cut a text between a line feed and
 * an ASCII letter; the split of the whole is the split of the two parts when (a) some piece of
 * the whole ends at the cut, and (b) the part before the cut splits as in the whole although
 * its end is now the text's end (the part after starts fresh either way: no pattern here looks
 * behind).
 *
 * cl100k, o200k, Llama 3, Qwen2, Tekken. (a) No alternative takes a line feed and then a
 * letter: the letter alternatives' optional first character excludes CR and LF; digits,
 * contractions and whitespace hold no letter; the punctuation alternative ends with [\r\n]*
 * (o200k, Tekken: [\r\n/]*), which stops at the letter. (b) The last piece of the first
 * part ends with the LF. If it is punctuation followed by line breaks, the engine takes the
 * same characters at the text's end as before a letter. If it is a whitespace run (ending with
 * the LF), \s*[\r\n] (cl100k) or \s*[\r\n]+ (the others) takes the run up to its last CR
 * or LF -- all of it -- in the whole, and at the text's end cl100k's \s++$, tried first,
 * takes the same run, while the others have no $ and take it as in the whole.
 *
 * DeepSeek's sequence: digits and CJK characters, which end the third pattern's text, are
 * neither a line feed nor an ASCII letter, so the third pattern decides both sides, and it has
 * the others' shape: [^\r\n\p{L}\p{P}\p{S}]? excludes CR and LF, ?[\p{P}\p{S}]+[\r\n]*
 * stops at the letter, \s*[\r\n]+ comes before \s+(?!\S) and takes a run ending with the LF
 * whole, at the end of a text as before a letter.
 *
 * r50k / GPT-2 do not restart there: before a letter "  \n" is "  " (\s+(?!\S)) then
 * "\n", at the end of a text it is one piece. */
size_t tok_split_cut(const uint8_t *s, size_t n)
{
    for (size_t end = n; end > 0;) { /* the last LF in s[0..end) */
        const uint8_t *lf = memrchr(s, '\n', end);
        if (!lf)
            return 0;
        size_t p = (size_t)(lf - s) + 1;
        if (p < n && (s[p] | 0x20) >= 'a' && (s[p] | 0x20) <= 'z')
            return p;
        end = (size_t)(lf - s);
    }
    return 0;
}
