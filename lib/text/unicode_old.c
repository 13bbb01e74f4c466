/* unicode_old: which BMP code points an older Unicode version's difference table holds, as a
 * bitmap, so that most characters skip the table's binary search.
 *
 * HF tokenizers' normalizers and BERT's components judge characters by Unicode 8.0 and 9.0
 * (text.h: tok_uni_gc8, tok_uni_gc9); a character outside the few hundred ranges that changed
 * since has its current category. BERT's pipeline asks three or four of these questions of
 * every character of CJK or accented text, each a search of 500 ranges: a quarter of its
 * time. The bitmaps (8 KB each) are made once, on first use, and published by pointer. */
#include "text/text.h"

#include <pthread.h>

_Atomic(const uint8_t *) tok_uni_old_bits[2];
static uint8_t bits8[0x10000 / 8], bits9[0x10000 / 8];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void mark(uint8_t *bits, const uint32_t (*tab)[3], uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t cp = tab[i][0]; cp <= tab[i][1] && cp < 0x10000; cp++)
            bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}

static void build(void)
{
    mark(bits8, tok_uni_gc8, tok_uni_gc8_n);
    mark(bits9, tok_uni_gc9, tok_uni_gc9_n);
    atomic_store_explicit(&tok_uni_old_bits[0], bits8, memory_order_release);
    atomic_store_explicit(&tok_uni_old_bits[1], bits9, memory_order_release);
}

const uint8_t *tok_uni_old_bmp_make(int which)
{
    pthread_once(&once, build);
    return atomic_load_explicit(&tok_uni_old_bits[which], memory_order_acquire);
}
