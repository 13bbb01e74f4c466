/* unigram: the Unigram (Viterbi) model, shared by SentencePiece .model files
 * (formats/spm/) and tokenizer.json's Unigram model (formats/hf/models/unigram.c). */
#ifndef TOK_UNIGRAM_H
#define TOK_UNIGRAM_H

#include "algo/trie.h"

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
