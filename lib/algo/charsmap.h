/* charsmap: SentencePiece's precompiled character map.
 *
 * A precompiled_charsmap (NormalizerSpec field 2, and Hugging Face's "Precompiled" normalizer,
 * base64) is <u32 trie size><Darts-clone double array><pool of NUL-terminated replacements>: the
 * double array maps byte strings (usually one character or a short sequence) to offsets into
 * the pool. tok_charsmap reads that format as is; the normalizer of sentencepiece
 * (formats/spm/normalizer.c) is built on it, and formats/hf/normalizers/precompiled.c builds
 * Hugging Face's per-grapheme variant on the same lookups. */
#ifndef TOK_CHARSMAP_H
#define TOK_CHARSMAP_H

#include "text/text.h"
#include "vocab/vocab.h"

#include <string.h>

typedef struct tok_charsmap {
    uint32_t *units;     /* the double array, native order (owned) */
    size_t n_units;
    uint8_t *pool;       /* replacements, each ending at a NUL (owned; one NUL added at the end) */
    size_t pool_len;     /* without the added NUL */
    uint8_t root[256];   /* 1 when some rule starts with this byte */
    uint64_t plain[65536 / 64]; /* bit per BMP code point: no rule starts with it or within it,
                                   so it stays itself (the normalizer copies runs of these) */
    /* ASCII bytes that start rules (often only combining sequences: "e\u0301"): whether the
     * byte alone is a rule, and the bytes that can follow it in one */
    uint8_t ascii_leaf[128];
    uint64_t ascii_next[128][4];
    bool printable_alone; /* no printable ASCII character (0x20-0x7E) is a rule on its own */
    /* graphic ASCII bytes (0x21-0x7E) that are no rule alone and start none with another
     * graphic byte after them: before a graphic byte, such a byte stays itself */
    uint8_t graphic_safe[128];
} tok_charsmap;

/* Are s[0..8) all printable ASCII (0x20-0x7E)? In one word: none has the top bit, none is below
 * 0x20 (subtracting 0x20 borrows into the top bit), none is 0x7F (the xor makes it zero). */
static inline bool tok_ascii8_printable(const uint8_t *s)
{
    uint64_t w, hi = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    memcpy(&w, s, 8);
    uint64_t d = w ^ (0x7Full * ones);
    return !((w | ((w - 0x20 * ones) & ~w) | ((d - ones) & ~d)) & hi);
}

static inline bool tok_charsmap_plain(const tok_charsmap *cm, uint32_t cp)
{
    return cp < 65536 && (cm->plain[cp / 64] >> (cp % 64) & 1);
}

/* Read blob[0..len) (copied). hf selects Hugging Face's reading (spm_precompiled): the pool
 * starts after whole units and must be UTF-8. On failure returns TOK_EFORMAT with a reason in
 * why (and *at, the byte offset in the blob it concerns). */
tok_status tok_charsmap_init(tok_charsmap *cm, const uint8_t *blob, size_t len, bool hf, char *why,
                             size_t why_cap, size_t *at);
void tok_charsmap_free(tok_charsmap *cm);

/* The rule matching a prefix of s[0..n): the longest one (sentencepiece) or, with shortest, the
 * first found (Hugging Face's transform). Returns the matched length (0 if none) and the
 * replacement in *rep / *rep_len. A NUL byte ends the search (as both references do). */
size_t tok_charsmap_match(const tok_charsmap *cm, const uint8_t *s, size_t n, bool shortest,
                          const uint8_t **rep, size_t *rep_len);

#endif
