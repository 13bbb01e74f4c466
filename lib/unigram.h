/* unigram.h -- the pieces trie and the Unigram (Viterbi) model, shared by SentencePiece .model
 * files (load_spm.c, spm_encode.c) and tokenizer.json's Unigram model (hf_unigram.c).
 *
 * tok_trie is a double-array trie over byte strings: node s has child t = base[s] + c when
 * check[t] == s. Children of a node sit next to each other, so walking a piece costs about one
 * cache line per byte and nothing is allocated. Built once at load time; read-only afterwards. */
#ifndef TOK_UNIGRAM_H
#define TOK_UNIGRAM_H

#include "internal.h"

typedef struct tok_trie_cell {
    uint32_t base;  /* children of this node are at base + byte */
    uint32_t check; /* the parent node, or TOK_TRIE_FREE */
    uint32_t value; /* the key ending here, or TOK_NO_ID */
    float score;    /* the owner's number for that key (sentencepiece: the piece's score, kept
                       here so the Viterbi reads it from the cache line it already has) */
} tok_trie_cell;

#define TOK_TRIE_FREE UINT32_MAX

typedef struct tok_trie {
    tok_trie_cell *cells; /* cells[0] is the root; at least 256 free cells past the last base */
    size_t n_cells;
    size_t n_keys;
} tok_trie;

/* Build from n keys: keys[i][0..lens[i]) maps to values[i]. A key given twice keeps the value
 * of its last occurrence. Returns 0, or -2 when out of memory. n may be 0 (an empty trie). */
int tok_trie_build(tok_trie *t, size_t n, const uint8_t *const *keys, const uint32_t *lens,
                   const uint32_t *values);
void tok_trie_free(tok_trie *t);
/* Store score[value] in the cell of every key. */
void tok_trie_set_scores(tok_trie *t, const float *score);

/* The child of node by byte c, or TOK_NO_ID. The root is node 0. */
static inline uint32_t tok_trie_next(const tok_trie *t, uint32_t node, uint8_t c)
{
    uint32_t k = t->cells[node].base + c;
    return t->cells[k].check == node ? k : TOK_NO_ID;
}

/* The value of exactly s[0..n), or TOK_NO_ID. */
static inline uint32_t tok_trie_find(const tok_trie *t, const uint8_t *s, size_t n)
{
    if (!t->n_keys)
        return TOK_NO_ID;
    uint32_t node = 0;
    for (size_t i = 0; i < n; i++)
        if ((node = tok_trie_next(t, node, s[i])) == TOK_NO_ID)
            return TOK_NO_ID;
    return t->cells[node].value;
}

/* The length of the longest key that is a prefix of s[0..n) (0 if none); its value in *value. */
static inline size_t tok_trie_longest(const tok_trie *t, const uint8_t *s, size_t n,
                                      uint32_t *value)
{
    size_t best = 0;
    if (!t->n_keys)
        return 0;
    uint32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        if ((node = tok_trie_next(t, node, s[i])) == TOK_NO_ID)
            break;
        if (t->cells[node].value != TOK_NO_ID) {
            best = i + 1;
            *value = t->cells[node].value;
        }
    }
    return best;
}

/* ---- Unigram ---- */

/* Piece kinds the SentencePiece Viterbi treats apart (kind[] below). */
enum { TOK_UNI_NORMAL = 0, TOK_UNI_USER = 1, TOK_UNI_UNUSED = 2 };

typedef struct tok_unigram {
    tok_trie trie;         /* the pieces that can be matched -> id */
    uint32_t unk_id;       /* TOK_NO_ID if the model has none */
    /* SentencePiece (unigram_model.cc, EncodeOptimized): float scores (in the trie cells:
     * tok_trie_set_scores), best-path scores kept in
     * float but compared in double, user-defined pieces scored length * max - 0.1, unused
     * pieces skipped, unknown characters scored min - 10. */
    bool spm;
    const uint8_t *kind;   /* spm: per id TOK_UNI_*, NULL when every piece is normal */
    float fmin, fmax;      /* spm: min and max score of the normal pieces (max starts at FLT_MIN,
                              as sentencepiece's does) */
    /* Hugging Face (models/unigram/model.rs, encode_optimized): double scores, unknown
     * characters scored min over the whole vocabulary - 10. */
    const double *dscore;  /* hf: per id */
    double dmin;
} tok_unigram;

/* One piece of a segmentation: bytes [start, end) of the text and the id (unk_id for an unknown
 * character; runs of them are not fused here). */
typedef struct tok_uni_piece {
    uint32_t start, end, id;
} tok_uni_piece;

/* The best segmentation of s[0..n). *score is the best-path score at s[0] (0 for a sentence's
 * start; carrying it lets a long text be cut where no piece can span, with the arithmetic of
 * one whole pass) and gets the score at s[n]. Writes the pieces in order to *out (scratch
 * memory, valid until sc is used again) and returns their number. Returns SIZE_MAX when out of
 * memory; returns SIZE_MAX - 1 when an unknown character wins a position in a model without
 * unk_id (Hugging Face's MissingUnkId). */
size_t tok_unigram_best(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                        tok_scratch *sc, tok_uni_piece **out);

/* The byte length of the UTF-8 character starting with byte b, as sentencepiece's OneCharLen
 * (a continuation or invalid byte counts 1, 0xF8..0xFF count 4). */
static inline size_t tok_spm_char_len(uint8_t b)
{
    return (size_t)"\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[b >> 4];
}

#endif
