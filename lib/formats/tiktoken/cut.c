/* cut: where a tiktoken-format text may be cut for budgets (tok_format_ops.cut; the callers are
 * lib/api/budget.c and lib/api/counter.c).
 *
 * tiktoken encodes each piece of the split on its own (rank BPE never crosses a piece), so a
 * text can be cut where its split can (split/cut.c: boundaries that appending text cannot move
 * and that the text ending there splits the same way -- with the argument for the built-in
 * patterns' scanners, and PCRE2's partial matching for a .tiktoken file's own pattern, unless
 * it looks behind). A segment without a pattern is one piece.
 *
 * Special tokens (when the policy looks for them) end the split's segments, and the text after
 * one cannot join anything before it. A special token that starts at x is found the same in
 * any longer text once x + (the longest special text) <= n, so the analysis is of s[0..m) with
 * m = n less that length: every special token starting before m is final, and the split of the
 * last segment is cut as a text that continues past m.
 *
 * Restarts (TOK_CUT_RESTART, for tok_cut_point): where the split restarts (split/cut.c proves
 * it per pattern), when no special token can straddle the cut: none holds a line feed. */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

/* The text after a special token cannot join anything before it, nor the token itself: a cut
 * right after the last special token found before m (0: none). *seg gets where the last
 * segment starts. */
static size_t last_special_end(const tok_tokenizer *t, const uint8_t *s, size_t n, size_t m)
{
    size_t e = 0;
    for (;;) {
        size_t which, at = tok_specials_find(&t->specials, s, e, n, &which);
        if (at >= m)
            return e;
        e = at + t->specials.toks[which].len;
    }
}

bool tt_cut(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s, size_t n,
            tok_cut_kind kind, size_t *p, size_t *q)
{
    const tt_split *sp = t->impl;
    if (kind == TOK_CUT_RESTART) {
        if (!tok_split_scan_restarts(sp->scan) || tok_specials_hold(&t->specials, '\n'))
            return false;
        if (!s)
            return true;
        *p = *q = tok_split_cut(s, n);
        return *p > 0;
    }
    if (!s)
        return true; /* special-token ends are always cuts */
    bool regex_ok = sp->scan || !sp->regex || !t->pattern ||
                    !tok_regex_looks_back(t->pattern, strlen(t->pattern));
    bool specials = (opts ? opts->special : TOK_SPECIAL_ORDINARY) != TOK_SPECIAL_ORDINARY &&
                    t->specials.n;
    size_t longest = specials ? t->specials.longest : 0;
    if (n <= longest)
        return false;
    size_t m = n - longest;
    while (m > 0 && (s[m] & 0xC0) == 0x80) /* the scanners take whole characters */
        m--;
    size_t seg = specials ? last_special_end(t, s, n, m) : 0, cut = 0;
    if (seg < m) {
        size_t c = sp->scan ? tok_pretok_cut(sp->scan, s + seg, m - seg, NULL, NULL)
                 : sp->regex && regex_ok ? tok_regex_cut(sp->regex, s + seg, m - seg, NULL, NULL)
                                         : 0;
        cut = c ? seg + c : 0;
    }
    if (!cut)
        cut = seg;
    if (!cut || cut >= n)
        return false;
    *p = *q = cut;
    return true;
}
