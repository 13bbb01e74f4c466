/* cl100k_base pre-tokenizer, by hand. tiktoken 0.14's pattern:
 *
 *   '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
 *    ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
 *
 * npm tiktoken 1.0.22 still ships the older spelling (...|\s*[\r\n]+|\s+(?!\S)|\s+). The two
 * split a whitespace run at the very end of the text differently ("\n  " is one piece here, two
 * there) but give the same ids, because no cl100k token contains CR or LF followed by other
 * whitespace, so BPE never merges across that boundary (checked over the whole vocabulary).
 * Every alternative is decided by the first two characters; linear, no backtracking.
 *
 * Two tokenizer.json patterns are this one with small differences, scanned by the same code:
 *   Llama 3 (and GPT-4 in HF form) spell it the older way above, without \s++$: at the end of
 *   the text "\n  " is two pieces ("\n" by \s*[\r\n]+, then "  " by \s+(?!\S));
 *   Qwen2 (1.5, 2.5, 3) also takes digits one at a time (\p{N} for \p{N}{1,3}).
 * The non-possessive quantifiers of the HF spellings change nothing: where ?+ or ++ would
 * refuse to give back, giving back cannot make the rest of the alternative match. */
#include "split/split.h"

/* inlined into each pattern's function: one copy per set of constants */
__attribute__((always_inline)) static inline size_t
cl100k_like(const uint8_t *s, size_t i, size_t end, int max_digits, bool dollar_first)
{
    unsigned l0, k0 = tok_kind_at(s, i, &l0);
    if (k0 == K_APOS) {
        size_t m = tok_contraction_ci(s, i + 1, end);
        if (m)
            return i + 1 + m;
    }
    /* [^\r\n\p{L}\p{N}]?+\p{L}++ : letters, optionally after one character that is none of
     * CR, LF, a letter or a digit (a space, punctuation, a mark, ...). */
    if (k_is_letter(k0))
        return tok_skip_letters(s, i + l0, end);
    if (k0 != K_CR && k0 != K_LF && k0 != K_N && i + l0 < end) {
        unsigned l1, k1 = tok_kind_at(s, i + l0, &l1);
        if (k_is_letter(k1))
            return tok_skip_letters(s, i + l0 + l1, end);
    }
    if (k0 == K_N) { /* \p{N}{1,3}+ */
        return tok_skip_digits(s, i + l0, end, max_digits);
    }
    /*  ?[^\s\p{L}\p{N}]++[\r\n]*+ */
    size_t p = i;
    unsigned kp = k0, lp = l0;
    if (k0 == K_SPACE && i + 1 < end) {
        p = i + 1;
        kp = tok_kind_at(s, p, &lp);
    }
    if (k_is_punct(kp)) {
        size_t j = p + lp;
        while (j < end) {
            unsigned l;
            if (!k_is_punct(tok_kind_at(s, j, &l)))
                break;
            j += l;
        }
        while (j < end && (s[j] == '\r' || s[j] == '\n'))
            j++;
        return j;
    }
    return tok_pretok_space(s, i, end, k0, l0, dollar_first, true);
}

size_t tok_pretok_cl100k(const uint8_t *s, size_t i, size_t end)
{
    return cl100k_like(s, i, end, 3, true);
}

size_t tok_pretok_llama3(const uint8_t *s, size_t i, size_t end)
{
    return cl100k_like(s, i, end, 3, false);
}

size_t tok_pretok_qwen2(const uint8_t *s, size_t i, size_t end)
{
    return cl100k_like(s, i, end, 1, false);
}
