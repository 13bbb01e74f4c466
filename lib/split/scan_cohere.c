/* Cohere's pre-tokenizer (Command R, R+, Aya tokenizer.json), by hand: a Sequence of Digits
 * with individual_digits, then ByteLevel with its own regex (GPT-2's pattern), which is two
 * Isolated splits in a row:
 *
 *   1. \p{N}           (Digits: each numeric character, Nd Nl No, a piece of its own)
 *   2. 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *
 * A numeric character is its own piece (the second pattern leaves it whole); between two of
 * them the second pattern runs on the text as a text of its own, so the next numeric character
 * acts as the end of the text: "a  1" is "a", "  ", "1", where GPT-2's pattern alone gives
 * "a", " ", " 1". The piece at i is therefore GPT-2's piece at i in s[i..d), d the next numeric
 * character. Finding d anew for every piece would cost the rest of the text each time, so the
 * scanner takes GPT-2's piece [i, p) in the whole text and looks for a numeric character in it
 * and in the two characters after it -- every character the pattern looks at to end a piece
 * there (a run of letters, numbers or others ends at the first character outside it;
 * \s+(?!\S) looks at the character after the run and gives the run but its last character);
 * when there is none, the ends agree, else the piece is cut again in s[i..d). Linear: each
 * piece is read twice at most. tests/unit/test_pretok.c compares it with PCRE2 running the two
 * patterns one after the other on random text. */
#include "split/split.h"

static inline bool numeric_at(const uint8_t *s, size_t i, unsigned *len)
{
    uint8_t c = s[i];
    if (c < 0x80) {
        *len = 1;
        return (uint8_t)(c - '0') < 10;
    }
    return tok_gc_is_number(tok_uni_props(tok_utf8_decode(s + i, len)) & 31u);
}

size_t tok_pretok_cohere(const uint8_t *s, size_t i, size_t end)
{
    unsigned l;
    if (numeric_at(s, i, &l))
        return i + l;
    size_t p = tok_pretok_r50k(s, i, end);
    int after = 2;
    for (size_t j = i; j < end; j += l) {
        if (j >= p && after-- == 0)
            break;
        if (numeric_at(s, j, &l))
            return tok_pretok_r50k(s, i, j); /* j: the end of i's text */
    }
    return p;
}
