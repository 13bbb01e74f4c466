/* DeepSeek V3's pre-tokenizer, by hand: a Sequence of three Isolated Splits before ByteLevel
 * (tokenizer.json of DeepSeek V3, R1 and V4), each applied to the pieces the one before left:
 *
 *   1. \p{N}{1,3}
 *   2. [\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+   (CJK ideographs, kana)
 *   3. [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|
 *       ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * Isolated keeps matches and the text between them as pieces, and each Split runs on every piece
 * of the one before, its matches included; so the pieces tile the text and one scanner can give
 * them left to right. Digits become runs of at most three (a run's chunks start where the run
 * starts, and every piece boundary before them is one of its chunk ends), which the other two
 * patterns leave whole. A run of CJK characters, and the stretch between such runs and digits,
 * are each a whole text to the third pattern: the next character outside acts as the end of the
 * text (runs stop there and (?!\S) holds there). Inside a CJK run the third pattern still cuts
 * letters from the kana blocks' punctuation and symbols (U+30A0, U+30FB, U+309B). In such a
 * text a match starts at every character but a control, format or unassigned character that no
 * letter or mark follows; those characters, one or more in a row, are a piece of their own (the
 * text between two matches). Every decision looks at one or two characters: linear, no
 * backtracking beyond what each alternative's comment works out. tests/unit/test_pretok.c
 * compares it with PCRE2 running the three patterns one after the other on random text. */
#include "split/split.h"

/* Classes of this split: a character's kind for the third pattern, with D_CJK added for the
 * characters of the second pattern's ranges. */
enum { D_N, D_LM, D_PS, D_SPACE, D_NL, D_WS, D_OTHER, D_CJK = 8, D_END = 16 };

static const uint8_t of_gc[32] = {
    [TOK_GC_Cn] = D_OTHER, [TOK_GC_Lu] = D_LM,    [TOK_GC_Ll] = D_LM,    [TOK_GC_Lt] = D_LM,
    [TOK_GC_Lm] = D_LM,    [TOK_GC_Lo] = D_LM,    [TOK_GC_Mn] = D_LM,    [TOK_GC_Mc] = D_LM,
    [TOK_GC_Me] = D_LM,    [TOK_GC_Nd] = D_N,     [TOK_GC_Nl] = D_N,     [TOK_GC_No] = D_N,
    [TOK_GC_Pc] = D_PS,    [TOK_GC_Pd] = D_PS,    [TOK_GC_Ps] = D_PS,    [TOK_GC_Pe] = D_PS,
    [TOK_GC_Pi] = D_PS,    [TOK_GC_Pf] = D_PS,    [TOK_GC_Po] = D_PS,    [TOK_GC_Sm] = D_PS,
    [TOK_GC_Sc] = D_PS,    [TOK_GC_Sk] = D_PS,    [TOK_GC_So] = D_PS,    [TOK_GC_Zs] = D_OTHER,
    [TOK_GC_Zl] = D_OTHER, [TOK_GC_Zp] = D_OTHER, [TOK_GC_Cc] = D_OTHER, [TOK_GC_Cf] = D_OTHER,
    [TOK_GC_Cs] = D_OTHER, [TOK_GC_Co] = D_OTHER,
    /* Z* are White_Space (D_SPACE, D_WS); were one not, it would be a non-space "other" */
};

static inline bool ascii_letter(uint8_t c) { return (uint8_t)((c | 0x20) - 'a') < 26; }

static inline __attribute__((always_inline)) unsigned ds_class(const uint8_t *s, size_t i,
                                                                unsigned *len)
{
    uint8_t c = s[i];
    if (c < 0x80) {
        *len = 1;
        if (ascii_letter(c))
            return D_LM;
        if (c >= '0' && c <= '9')
            return D_N;
        if (c == ' ')
            return D_SPACE;
        if (c == '\r' || c == '\n')
            return D_NL;
        if (c >= '\t' && c <= '\r')
            return D_WS;
        return c > ' ' && c < 0x7F ? D_PS : D_OTHER;
    }
    uint32_t cp = tok_utf8_decode(s + i, len);
    uint8_t p = tok_uni_props(cp);
    unsigned k = p & TOK_UNI_WS ? D_WS : of_gc[p & 31];
    return (cp >= 0x4E00 && cp <= 0x9FA5) || (cp >= 0x3040 && cp <= 0x30FF) ? k | D_CJK : k;
}

/* The class of s[j] as the third pattern sees it in a text of CJK characters (cjk = D_CJK) or
 * of the others but digits (cjk = 0): D_END past that text. */
static inline __attribute__((always_inline)) unsigned in_text(const uint8_t *s, size_t j,
                                                               size_t end, unsigned cjk,
                                                               unsigned *len)
{
    if (j >= end)
        return *len = 0, D_END;
    unsigned k = ds_class(s, j, len);
    return (k & D_CJK) != cjk || k == D_N ? D_END : k & ~(unsigned)D_CJK;
}

/* The end of the run of class k from j, within the text. */
static inline size_t run_of(const uint8_t *s, size_t j, size_t end, unsigned cjk, unsigned k)
{
    unsigned l;
    for (;;) {
        if (k == D_LM && !cjk) /* ASCII letters, the bulk of a word, without the class lookup */
            while (j < end && ascii_letter(s[j]))
                j++;
        if (in_text(s, j, end, cjk, &l) != k)
            return j;
        j += l;
    }
}

/* The third pattern's match starting at i (class k0 without D_CJK, length l0) in its text, or 0
 * when none starts there. */
static size_t third(const uint8_t *s, size_t i, size_t end, unsigned cjk, unsigned k0,
                    unsigned l0)
{
    size_t j = i + l0;
    unsigned l1, k1 = in_text(s, j, end, cjk, &l1);
    /* [!"#...~][A-Za-z]+ : ASCII punctuation then ASCII letters */
    if (k0 == D_PS && s[i] < 0x80 && k1 == D_LM && ascii_letter(s[j])) {
        while (j < end && ascii_letter(s[j]))
            j++;
        return j;
    }
    /* [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+ : a letter or mark starts the run (a mark could
     * also be the optional character, ending at the same place); a space, other whitespace
     * but CR and LF, or a control, format or unassigned character may stand before it */
    if (k0 == D_LM)
        return run_of(s, j, end, cjk, D_LM);
    if ((k0 == D_SPACE || k0 == D_WS || k0 == D_OTHER) && k1 == D_LM)
        return run_of(s, j + l1, end, cjk, D_LM);
    /*  ?[\p{P}\p{S}]+[\r\n]* : with the space when punctuation follows it */
    size_t p = i;
    unsigned kp = k0, lp = l0;
    if (k0 == D_SPACE && k1 == D_PS)
        p = j, kp = k1, lp = l1;
    if (kp == D_PS) {
        size_t q = run_of(s, p + lp, end, cjk, D_PS);
        while (!cjk && q < end && (s[q] == '\r' || s[q] == '\n')) /* not in a CJK run's text */
            q++;
        return q;
    }
    if (k0 != D_SPACE && k0 != D_NL && k0 != D_WS)
        return 0; /* a control, format or unassigned character without a letter after it */
    /* \s*[\r\n]+ : the whitespace run up to its last CR or LF; \s+(?!\S) : the whole run at
     * the text's end (a digit or CJK character counts as the end), else the run but its last
     * character; \s+ : one whitespace character before \S */
    size_t last = i, nl = k0 == D_NL ? i : SIZE_MAX;
    unsigned k, l;
    while ((k = in_text(s, j, end, cjk, &l)) == D_SPACE || k == D_NL || k == D_WS) {
        if (k == D_NL)
            nl = j;
        last = j;
        j += l;
    }
    if (nl != SIZE_MAX)
        return nl + 1;
    if (k == D_END)
        return j;
    return last > i ? last : i + l0;
}

size_t tok_pretok_deepseek(const uint8_t *s, size_t i, size_t end)
{
    unsigned l0, k0 = ds_class(s, i, &l0);
    size_t j = i + l0;
    if (k0 == D_N) { /* \p{N}{1,3}: the other two patterns find nothing in digits */
        for (int n = 1; n < 3 && j < end; n++) {
            unsigned l;
            if (ds_class(s, j, &l) != D_N)
                break;
            j += l;
        }
        return j;
    }
    /* the third pattern, in a run of CJK characters (the second's match) or between them */
    unsigned cjk = k0 & D_CJK;
    k0 &= ~(unsigned)D_CJK;
    size_t m = third(s, i, end, cjk, k0, l0);
    if (m)
        return m;
    /* the text between two matches: up to where one starts, or the text's end */
    unsigned k, l;
    while ((k = in_text(s, j, end, cjk, &l)) != D_END && !third(s, j, end, cjk, k, l))
        j += l;
    return j;
}
