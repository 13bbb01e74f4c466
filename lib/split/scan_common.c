/* scan_common: character kinds and contractions shared by the hand-written scanners. */
#include "split/split.h"

/* By the props byte's low six bits: the general category, and White_Space above it (every
 * White_Space character is K_WS, whatever its category), so a character's kind is one load. */
#define WS_(gc) [TOK_UNI_WS | (gc)] = K_WS
const uint8_t tok_kind_of_props[64] = {
    WS_(0),  WS_(1),  WS_(2),  WS_(3),  WS_(4),  WS_(5),  WS_(6),  WS_(7),
    WS_(8),  WS_(9),  WS_(10), WS_(11), WS_(12), WS_(13), WS_(14), WS_(15),
    WS_(16), WS_(17), WS_(18), WS_(19), WS_(20), WS_(21), WS_(22), WS_(23),
    WS_(24), WS_(25), WS_(26), WS_(27), WS_(28), WS_(29), WS_(30), WS_(31),
    [TOK_GC_Cn] = K_OTHER, [TOK_GC_Lu] = K_LU,    [TOK_GC_Ll] = K_LL,    [TOK_GC_Lt] = K_LU,
    [TOK_GC_Lm] = K_LB,    [TOK_GC_Lo] = K_LB,    [TOK_GC_Mn] = K_M,     [TOK_GC_Mc] = K_M,
    [TOK_GC_Me] = K_M,     [TOK_GC_Nd] = K_N,     [TOK_GC_Nl] = K_N,     [TOK_GC_No] = K_N,
    [TOK_GC_Pc] = K_OTHER, [TOK_GC_Pd] = K_OTHER, [TOK_GC_Ps] = K_OTHER, [TOK_GC_Pe] = K_OTHER,
    [TOK_GC_Pi] = K_OTHER, [TOK_GC_Pf] = K_OTHER, [TOK_GC_Po] = K_OTHER, [TOK_GC_Sm] = K_OTHER,
    [TOK_GC_Sc] = K_OTHER, [TOK_GC_Sk] = K_OTHER, [TOK_GC_So] = K_OTHER, [TOK_GC_Zs] = K_OTHER,
    [TOK_GC_Zl] = K_OTHER, [TOK_GC_Zp] = K_OTHER, [TOK_GC_Cc] = K_OTHER, [TOK_GC_Cf] = K_OTHER,
    [TOK_GC_Cs] = K_OTHER, [TOK_GC_Co] = K_OTHER,
    /* Zs/Zl/Zp are all White_Space: their entries are the K_WS ones above. */
};

#define A_(c) [c] = K_LU
#define a_(c) [c] = K_LL
const uint8_t tok_kind_ascii[128] = {
    /* controls and punctuation default to K_OTHER (0) */
    ['\t'] = K_WS, ['\n'] = K_LF, ['\v'] = K_WS, ['\f'] = K_WS, ['\r'] = K_CR, [' '] = K_SPACE,
    ['\''] = K_APOS,
    ['0'] = K_N, ['1'] = K_N, ['2'] = K_N, ['3'] = K_N, ['4'] = K_N,
    ['5'] = K_N, ['6'] = K_N, ['7'] = K_N, ['8'] = K_N, ['9'] = K_N,
    A_('A'), A_('B'), A_('C'), A_('D'), A_('E'), A_('F'), A_('G'), A_('H'), A_('I'), A_('J'),
    A_('K'), A_('L'), A_('M'), A_('N'), A_('O'), A_('P'), A_('Q'), A_('R'), A_('S'), A_('T'),
    A_('U'), A_('V'), A_('W'), A_('X'), A_('Y'), A_('Z'),
    a_('a'), a_('b'), a_('c'), a_('d'), a_('e'), a_('f'), a_('g'), a_('h'), a_('i'), a_('j'),
    a_('k'), a_('l'), a_('m'), a_('n'), a_('o'), a_('p'), a_('q'), a_('r'), a_('s'), a_('t'),
    a_('u'), a_('v'), a_('w'), a_('x'), a_('y'), a_('z'),
};
#undef A_
#undef a_

static inline int lower_ascii(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

size_t tok_contraction_ci(const uint8_t *s, size_t i, size_t end)
{
    if (i >= end)
        return 0;
    int c = lower_ascii(s[i]);
    if (c == 's' || c == 't' || c == 'd' || c == 'm')
        return 1;
    if (s[i] == 0xC5 && i + 1 < end && s[i + 1] == 0xBF) /* U+017F folds to 's' */
        return 2;
    if (i + 1 < end) {
        int d = lower_ascii(s[i + 1]);
        if ((c == 'l' && d == 'l') || (c == 'v' && d == 'e') || (c == 'r' && d == 'e'))
            return 2;
    }
    return 0;
}

size_t tok_contraction_cs(const uint8_t *s, size_t i, size_t end)
{
    if (i >= end)
        return 0;
    int c = s[i];
    if (c == 's' || c == 't' || c == 'd' || c == 'm')
        return 1;
    if (i + 1 < end) {
        int d = s[i + 1];
        if ((c == 'l' && d == 'l') || (c == 'v' && d == 'e') || (c == 'r' && d == 'e'))
            return 2;
    }
    return 0;
}
