/* utf8: validation and encoding. Input text is validated once per call, up front, so every
 * later stage decodes without checks. */
#include "text/text.h"

#include <string.h>

size_t tok_utf8_encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- sixteen bytes at a time (x86 with SSSE3; WebAssembly SIMD) ----
 *
 * The check of Keiser and Lemire ("Validating UTF-8 in less than one instruction per byte",
 * 2021), as simdjson runs it: each byte with the one before it looks up three 16-entry tables
 * (the previous byte's high and low nibble, its own high nibble) whose AND flags every invalid
 * pair of bytes -- too short, too long, overlong, surrogate, above U+10FFFF, two continuations
 * where one belongs -- and a third or fourth byte of a character must be a continuation where
 * the byte two or three back is a lead of three or four. It says whether a block is valid, not
 * where it is not: the blocks it passes are taken whole, up to the start of the last character
 * they begin, and the byte-wise loop below goes on from there (finding the exact position and
 * length of an invalid sequence, and whether the last character is complete). Multilingual
 * text: 6 instructions a byte in the loop below, about 1 here. */
#if ((defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)) || defined(__wasm_simd128__)
#define TOO_SHORT 0x01
#define TOO_LONG 0x02
#define OVERLONG_3 0x04
#define TOO_LARGE 0x08
#define SURROGATE 0x10
#define OVERLONG_2 0x20
#define TOO_LARGE_1000 0x40
#define OVERLONG_4 0x40
#define TWO_CONTS 0x80
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)
#define BIG (CARRY | TOO_LARGE | TOO_LARGE_1000)

/* by the previous byte's high nibble, its low nibble, this byte's high nibble; then the limits
 * above which a block's last three bytes begin a character it does not finish */
static const uint8_t tables[4][16] = {
    {TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TWO_CONTS,
     TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
     TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4},
    {CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
     CARRY | TOO_LARGE, BIG, BIG, BIG, BIG, BIG, BIG, BIG, BIG, BIG | SURROGATE, BIG, BIG},
    {TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
     TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
     TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
     TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
     TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT, TOO_SHORT,
     TOO_SHORT},
    {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0xEF, 0xDF, 0xBF},
};

/* Back from the first block not passed to the start of the last character the passed blocks
 * begin: it may run on into that block or past the end. */
static size_t last_start(const uint8_t *s, size_t i)
{
    if (i == 0)
        return 0;
    i--;
    while (i > 0 && (s[i] & 0xC0) == 0x80)
        i--;
    return i;
}
#endif

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("ssse3"))) static size_t valid_blocks(const uint8_t *s, size_t n)
{
    const __m128i hi1 = _mm_loadu_si128((const __m128i *)tables[0]);
    const __m128i lo1 = _mm_loadu_si128((const __m128i *)tables[1]);
    const __m128i hi2 = _mm_loadu_si128((const __m128i *)tables[2]);
    const __m128i last = _mm_loadu_si128((const __m128i *)tables[3]);
    const __m128i nib = _mm_set1_epi8(0x0F), zero = _mm_setzero_si128();
    __m128i prev = zero;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i in = _mm_loadu_si128((const __m128i *)(s + i));
        if (!_mm_movemask_epi8(in)) { /* ASCII: valid unless a character before it is cut */
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(prev, last), zero)) != 0xFFFF)
                break;
            prev = in;
            continue;
        }
        __m128i p1 = _mm_alignr_epi8(in, prev, 15), p2 = _mm_alignr_epi8(in, prev, 14);
        __m128i p3 = _mm_alignr_epi8(in, prev, 13);
        /* every pair's flags; a byte two or three after a lead of three or four must be a
         * continuation (0x80 where it must: the saturating subtractions leave the high bit
         * exactly there), which TWO_CONTS (0x80) in the flags says it is */
        __m128i sc = _mm_and_si128(
            _mm_and_si128(_mm_shuffle_epi8(hi1, _mm_and_si128(_mm_srli_epi16(p1, 4), nib)),
                          _mm_shuffle_epi8(lo1, _mm_and_si128(p1, nib))),
            _mm_shuffle_epi8(hi2, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
        __m128i must = _mm_or_si128(_mm_subs_epu8(p2, _mm_set1_epi8((char)(0xE0 - 0x80))),
                                    _mm_subs_epu8(p3, _mm_set1_epi8((char)(0xF0 - 0x80))));
        __m128i err = _mm_xor_si128(_mm_and_si128(must, _mm_set1_epi8((char)0x80)), sc);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(err, zero)) != 0xFFFF)
            break;
        prev = in;
    }
    return last_start(s, i);
}

static bool have_ssse3(void)
{
    static int known; /* 0: not asked yet, 1: no, 2: yes (threads may ask at once: same answer) */
    int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (!k) {
        unsigned a, b, c, d;
        k = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) ? 2 : 1;
        __atomic_store_n(&known, k, __ATOMIC_RELAXED);
    }
    return k == 2;
}
#define VALID_BLOCKS(s, n) ((n) >= 64 && have_ssse3() ? valid_blocks(s, n) : 0)

#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>

/* The same with WebAssembly's SIMD (the build's -msimd128): swizzle is pshufb for indices
 * below 16, a shuffle of two vectors is alignr. */
static size_t valid_blocks(const uint8_t *s, size_t n)
{
    const v128_t hi1 = wasm_v128_load(tables[0]), lo1 = wasm_v128_load(tables[1]);
    const v128_t hi2 = wasm_v128_load(tables[2]), last = wasm_v128_load(tables[3]);
    const v128_t nib = wasm_u8x16_splat(0x0F);
    v128_t prev = wasm_u8x16_splat(0);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v128_t in = wasm_v128_load(s + i);
        if (!wasm_i8x16_bitmask(in)) {
            if (wasm_v128_any_true(wasm_u8x16_sub_sat(prev, last)))
                break;
            prev = in;
            continue;
        }
        v128_t p1 = wasm_i8x16_shuffle(prev, in, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
                                       27, 28, 29, 30);
        v128_t p2 = wasm_i8x16_shuffle(prev, in, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                                       26, 27, 28, 29);
        v128_t p3 = wasm_i8x16_shuffle(prev, in, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                       25, 26, 27, 28);
        v128_t sc = wasm_v128_and(
            wasm_v128_and(wasm_i8x16_swizzle(hi1, wasm_u8x16_shr(p1, 4)),
                          wasm_i8x16_swizzle(lo1, wasm_v128_and(p1, nib))),
            wasm_i8x16_swizzle(hi2, wasm_u8x16_shr(in, 4)));
        v128_t must = wasm_v128_or(wasm_u8x16_sub_sat(p2, wasm_u8x16_splat(0xE0 - 0x80)),
                                   wasm_u8x16_sub_sat(p3, wasm_u8x16_splat(0xF0 - 0x80)));
        v128_t err = wasm_v128_xor(wasm_v128_and(must, wasm_u8x16_splat(0x80)), sc);
        if (wasm_v128_any_true(err))
            break;
        prev = in;
    }
    return last_start(s, i);
}
#define VALID_BLOCKS(s, n) ((n) >= 64 ? valid_blocks(s, n) : 0)

#else
#define VALID_BLOCKS(s, n) 0
#endif

size_t tok_utf8_valid_prefix(const uint8_t *s, size_t n, size_t *bad_len)
{
    size_t i = VALID_BLOCKS(s, n);
    while (i < n) {
        /* ASCII eight bytes at a time: most text is mostly ASCII */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* runs of three-byte characters (CJK, kana, most of the BMP beyond Latin) without the
         * general loop's branches: lead E1-EC or EE-EF and two continuations (E0 and ED have a
         * narrower second byte, and go the general way) */
        while (n - i >= 3) {
            uint32_t w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
            if ((w & 0xF0C0C0) != 0xE08080 || s[i] == 0xE0 || s[i] == 0xED)
                break;
            i += 3;
        }
        if (i >= n)
            break;
        c = s[i];
        if (c < 0x80)
            continue;
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            need = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            *bad_len = 1;
            return i;
        }
        size_t k = 1;
        for (; k < need; k++) {
            if (i + k >= n)
                break;
            uint8_t d = s[i + k];
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF))
                break;
        }
        if (k < need) {
            *bad_len = k; /* the maximal subpart: lead byte plus the continuations that fit */
            return i;
        }
        i += need;
    }
    *bad_len = 0;
    return n;
}

int tok_uni_lower(uint32_t cp, uint32_t out[2])
{
    if (cp < 0x80) {
        out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        return 1;
    }
    if (cp == 0x130) { /* the one unconditional multi-character mapping (SpecialCasing.txt) */
        out[0] = 0x69;
        out[1] = 0x307;
        return 2;
    }
    size_t lo = 0, hi = tok_uni_lower_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (tok_uni_lower_from[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    out[0] = lo < tok_uni_lower_n && tok_uni_lower_from[lo] == cp ? tok_uni_lower_to[lo] : cp;
    return 1;
}
