/* GPT-2 / r50k_base / p50k_base pre-tokenizer, by hand. tiktoken 0.14's pattern:
 *
 *   '(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s
 *
 * (the original GPT-2 release spells it 's|'t|...|\s+(?!\S)|\s+; tiktoken documents the two as
 * equivalent and they are: the run-minus-one of \s+(?!\S) covers every case but a lone
 * whitespace character before \S.) One pass, no backtracking: each alternative is decided by
 * the first one or two characters. Linear in the piece length. */
#include "split/split.h"

size_t tok_pretok_r50k(const uint8_t *s, size_t i, size_t end)
{
    unsigned l0, k0 = tok_kind_at(s, i, &l0);
    if (k0 == K_APOS) {
        size_t m = tok_contraction_cs(s, i + 1, end);
        if (m)
            return i + 1 + m;
    }
    /* ' ?' then letters, digits or "punctuation" ([^\s\p{L}\p{N}], marks included) */
    size_t p = i;
    unsigned kp = k0, lp = l0;
    if (k0 == K_SPACE && i + 1 < end) {
        p = i + 1;
        kp = tok_kind_at(s, p, &lp);
    }
    if (k_is_letter(kp))
        return tok_skip_letters(s, p + lp, end);
    if (kp == K_N || k_is_punct(kp)) {
        bool digits = kp == K_N;
        size_t j = p + lp;
        while (j < end) {
            unsigned l, k = tok_kind_at(s, j, &l);
            if (digits ? k != K_N : !k_is_punct(k))
                break;
            j += l;
        }
        return j;
    }
    return tok_pretok_space(s, i, end, k0, l0, true, false);
}
