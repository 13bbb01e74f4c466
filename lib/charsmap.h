/* charsmap.h -- SentencePiece's precompiled character map and its normalizer.
 *
 * A precompiled_charsmap (NormalizerSpec field 2, and Hugging Face's "Precompiled" normalizer,
 * base64) is <u32 trie size><Darts-clone double array><pool of NUL-terminated replacements>: the
 * double array maps byte strings (usually one character or a short sequence) to offsets into
 * the pool. tok_charsmap reads that format as is; the normalizer of sentencepiece
 * (normalizer.cc) is built on it, and hf_unigram.c builds Hugging Face's per-grapheme variant on
 * the same lookups. */
#ifndef TOK_CHARSMAP_H
#define TOK_CHARSMAP_H

#include "unigram.h"

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
} tok_charsmap;

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

/* ---- sentencepiece's normalizer (normalizer.cc Normalize) ---- */

typedef struct tok_spm_norm {
    const tok_charsmap *cm;   /* NULL: no rules */
    const tok_trie *user;     /* user-defined symbols, copied verbatim (longest first); NULL */
    bool add_dummy_prefix, remove_extra_ws, escape_ws, ws_suffix;
} tok_spm_norm;

/* Normalized text and, when want_map, for each of its bytes the offset of the input character
 * it came from, plus one more entry: where the input ends (after ignored trailing spaces). */
typedef struct tok_norm_out {
    uint8_t *text;
    uint32_t *map;
    size_t len, cap;
    bool want_map, oom;
} tok_norm_out;

/* Normalize s[0..n) into o (reset first; memory reused across calls). Whitespace as
 * sentencepiece: leading, trailing and repeated spaces dropped (remove_extra_ws), spaces as
 * U+2581 (escape_ws), one U+2581 added before (or with ws_suffix after) the text
 * (add_dummy_prefix). A byte that does not start a valid UTF-8 character becomes U+FFFD on its
 * own. False when out of memory. n must be below 2^32 - 1. */
bool tok_spm_normalize(const tok_spm_norm *nm, const uint8_t *s, size_t n, tok_norm_out *o);
void tok_norm_out_free(tok_norm_out *o);

/* The length of the valid UTF-8 character at s[0..n) as sentencepiece decodes it (1..4), or 0
 * when the bytes there are not one (a valid U+FFFD counts as valid). */
size_t tok_spm_valid_char(const uint8_t *s, size_t n);

#endif
