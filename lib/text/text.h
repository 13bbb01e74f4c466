/* text: Unicode 16.0 character properties (General_Category, White_Space, Script), UTF-8
 * helpers, and lossy decoding. Includes base/ only (the layer rule: base/base.h).
 *
 * The references classify with Unicode 16.0 (tiktoken's Rust regex crate, HF tokenizers); the
 * system libraries here are older (PCRE2 10.42: 14.0, utf8proc 2.8: 15.0), so the built-in
 * pretokenizers use these generated tables instead (text/gen/unicode_tables.mjs). */
#ifndef TOK_TEXT_H
#define TOK_TEXT_H

#include "base/base.h"

#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdbool.h>

enum tok_gc {
    TOK_GC_Cn, TOK_GC_Lu, TOK_GC_Ll, TOK_GC_Lt, TOK_GC_Lm, TOK_GC_Lo,
    TOK_GC_Mn, TOK_GC_Mc, TOK_GC_Me, TOK_GC_Nd, TOK_GC_Nl, TOK_GC_No,
    TOK_GC_Pc, TOK_GC_Pd, TOK_GC_Ps, TOK_GC_Pe, TOK_GC_Pi, TOK_GC_Pf, TOK_GC_Po,
    TOK_GC_Sm, TOK_GC_Sc, TOK_GC_Sk, TOK_GC_So, TOK_GC_Zs, TOK_GC_Zl, TOK_GC_Zp,
    TOK_GC_Cc, TOK_GC_Cf, TOK_GC_Cs, TOK_GC_Co
};
#define TOK_UNI_WS 0x20u    /* White_Space property bit in the props byte */
#define TOK_UNI_ALPHA 0x40u /* Alphabetic property bit */

extern const uint16_t tok_uni_stage1[];
extern const uint8_t tok_uni_stage2[];
extern const uint32_t tok_uni_lower_n, tok_uni_lower_from[], tok_uni_lower_to[];

extern const uint16_t tok_uni_script1[];
extern const uint8_t tok_uni_script2[];
extern const uint32_t tok_uni_script_n; /* entries in tok_uni_script_names */
extern const char *const tok_uni_script_names[];
extern const uint8_t tok_uni_script_han, tok_uni_script_hiragana, tok_uni_script_katakana;
/* Ranges {first, last, category in Unicode 14.0} of the code points whose General_Category
 * differs between Unicode 14.0 (PCRE2 10.42's tables) and 16.0, sorted. */
/* Ranges {first, last, script} where Unicode 9.0's Script (HF's UnicodeScripts table) differs
 * from 16.0's; script 0 means none. Sorted. */
extern const uint32_t tok_uni_script9_n;
extern const uint32_t tok_uni_script9[][3];
extern const uint32_t tok_uni_since14_n;
extern const uint32_t tok_uni_since14[][3];
/* The same against Unicode 9.0 and 8.0: the tables inside HF tokenizers' normal forms and
 * StripAccents (9.0) and its Punctuation / Bert components (8.0). */
extern const uint32_t tok_uni_gc9_n, tok_uni_gc8_n;
extern const uint32_t tok_uni_gc9[][3], tok_uni_gc8[][3];



/* The Script property: an index into tok_uni_script_names (0 = Unknown). */
static inline unsigned tok_uni_script(uint32_t cp)
{
    return tok_uni_script2[((uint32_t)tok_uni_script1[cp >> 7] << 7) | (cp & 127)];
}

/* Rust's char::to_lowercase: writes 1 or 2 code points to out, returns how many. */
int tok_uni_lower(uint32_t cp, uint32_t out[2]);

/* Props byte for a code point (cp < 0x110000): gc in bits 0-4, TOK_UNI_WS. */
static inline uint8_t tok_uni_props(uint32_t cp)
{
    return tok_uni_stage2[((uint32_t)tok_uni_stage1[cp >> 7] << 7) | (cp & 127)];
}
static inline unsigned tok_uni_gc(uint32_t cp) { return tok_uni_props(cp) & 31u; }
static inline bool tok_gc_is_letter(unsigned gc) { return gc >= TOK_GC_Lu && gc <= TOK_GC_Lo; }
static inline bool tok_gc_is_mark(unsigned gc) { return gc >= TOK_GC_Mn && gc <= TOK_GC_Me; }
static inline bool tok_gc_is_number(unsigned gc) { return gc >= TOK_GC_Nd && gc <= TOK_GC_No; }
static inline bool tok_gc_is_punct(unsigned gc) { return gc >= TOK_GC_Pc && gc <= TOK_GC_Po; }
static inline bool tok_gc_is_symbol(unsigned gc) { return gc >= TOK_GC_Sm && gc <= TOK_GC_So; }

/* Decode one code point from valid UTF-8 at s (the caller validated the text); *len gets its
 * byte length. */
static inline uint32_t tok_utf8_decode(const uint8_t *s, unsigned *len)
{
    uint8_t c = s[0];
    if (c < 0x80) { *len = 1; return c; }
    if (c < 0xE0) { *len = 2; return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3Fu); }
    if (c < 0xF0) {
        *len = 3;
        return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3Fu);
    }
    *len = 4;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3Fu);
}

/* Encode cp as UTF-8 into out (4 bytes room); returns the length. */
size_t tok_utf8_encode(uint32_t cp, uint8_t *out);

/* Length of the longest valid UTF-8 prefix of s[0..n): n when all of it is valid. *bad_len gets
 * the number of bytes of the invalid sequence at the returned offset (the maximal subpart, as
 * the Unicode standard's U+FFFD substitution practice counts it). */
size_t tok_utf8_valid_prefix(const uint8_t *s, size_t n, size_t *bad_len);

/* The row {first, last, value} of a sorted range table that holds cp, or NULL. */
static inline const uint32_t *tok_uni_range_find(const uint32_t (*tab)[3], uint32_t n, uint32_t cp)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (tab[mid][1] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && tab[lo][0] <= cp ? tab[lo] : NULL;
}

/* For tok_uni_gc8 (0) and tok_uni_gc9 (1), a bitmap of the BMP code points the table holds
 * (unicode_old.c): published once made, made by the first caller of tok_uni_old_bmp_make. */
extern _Atomic(const uint8_t *) tok_uni_old_bits[2];
const uint8_t *tok_uni_old_bmp_make(int which);
static inline const uint8_t *tok_uni_old_bmp(const uint32_t (*tab)[3])
{
    int which = tab == tok_uni_gc8 ? 0 : tab == tok_uni_gc9 ? 1 : -1;
    if (which < 0)
        return NULL;
    const uint8_t *b = atomic_load_explicit(&tok_uni_old_bits[which], memory_order_acquire);
    return b ? b : tok_uni_old_bmp_make(which);
}

/* The General_Category of cp in an older Unicode version, given that version's difference
 * table (tok_uni_gc9, tok_uni_gc8). */
static inline unsigned tok_uni_gc_old(const uint32_t (*tab)[3], uint32_t n, uint32_t cp)
{
    if (cp < 0x10000) { /* most characters are in no range: no search */
        const uint8_t *bits = tok_uni_old_bmp(tab);
        if (bits && !(bits[cp >> 3] >> (cp & 7) & 1))
            return tok_uni_gc(cp);
    }
    const uint32_t *r = tok_uni_range_find(tab, n, cp);
    return r ? r[2] : tok_uni_gc(cp);
}

/* ---- lossy decoding (lossy.c): invalid sequences become U+FFFD, offsets map back ---- */

typedef struct tok_lossy {
    uint8_t *text;  /* the cleaned text */
    size_t len, n;  /* its length; how many replacements */
    uint64_t *at;   /* per replacement: clean offset, original offset, original length */
} tok_lossy;

/* Clean s[0..n) into m (zeroed first): one U+FFFD per maximal invalid subpart. false when out of
 * memory (free m anyway). */
bool tok_lossy_clean(const uint8_t *s, size_t n, tok_lossy *m);
/* A clean offset -> the original offset; inside a replacement, a start maps to the start of the
 * bad bytes and an end to their end. */
uint64_t tok_lossy_orig(const tok_lossy *m, uint64_t p, bool is_end);
/* Does s[0..n) seem to hold a run of at least min (>= 8) spaces? A look every min / 2 bytes:
 * such a run covers one of those places with a space on each side, so it is never missed; a
 * shorter run may answer yes (a filter before the work that runs need). */
static inline bool tok_maybe_space_run(const uint8_t *s, size_t n, size_t min)
{
    for (size_t i = min / 2; i + 1 < n; i += min / 2)
        if (s[i - 1] == ' ' && s[i] == ' ' && s[i + 1] == ' ')
            return true;
    return false;
}

/* The rows of `row` characters c that a run of c starting at s[i] can lose while keeping at
 * least `keep` of them (counting long runs of spaces by rows: formats/spm/bpe_long.c,
 * formats/hf/rows.c); 0 when the run is shorter than keep + row. */
static inline size_t tok_run_rows(const uint8_t *s, size_t i, size_t n, uint8_t c, size_t keep,
                                  size_t row)
{
    size_t r = i;
    while (r < n && s[r] == c)
        r++;
    return r - i >= keep + row ? (r - i - keep) / row : 0;
}

/* Spans computed on the cleaned text, mapped back to the original bytes. */
void tok_lossy_map_spans(const tok_lossy *m, tok_out *o);
void tok_lossy_free(tok_lossy *m);

#endif
