/* unigram: the Unigram (Viterbi) model, shared by SentencePiece .model files
 * (formats/spm/) and tokenizer.json's Unigram model (formats/hf/models/unigram.c). */
#ifndef TOK_UNIGRAM_H
#define TOK_UNIGRAM_H

#include "vocab/trie.h"

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
    /* How many positions the pass holds before it first looks for where the best paths meet
     * (unigram.c); 0: the default. Tests set 1 to settle at every position. */
    size_t settle_every;
    /* spm: the owner id of its entries in the per-thread cache of short texts' pieces
     * (unigram_edges.c; tok_vocab_new_uid()); 0: no cache */
    uint64_t cache_id;
} tok_unigram;

/* Receives the pieces of a segmentation in text order: bytes [start, end) of the text and the
 * id (unk_id for an unknown character; runs of them are not fused here). */
typedef void (*tok_uni_emit)(void *ctx, uint32_t start, uint32_t end, uint32_t id);

enum { TOK_UNI_OK = 0, TOK_UNI_ENOMEM = -1, TOK_UNI_MISSING_UNK = -2, TOK_UNI_UNCACHED = 1 };

/* The best segmentation of s[0..n), its pieces given to emit as soon as they are certain (a
 * long text is not held: see unigram.c). *score is the best-path score at s[0] (0 for a
 * sentence's start; carrying it lets a long text be cut where no piece can span, with the
 * arithmetic of one whole pass) and gets the score at s[n]. Returns TOK_UNI_OK, TOK_UNI_ENOMEM,
 * or TOK_UNI_MISSING_UNK when an unknown character wins a position in a model without unk_id
 * (Hugging Face's MissingUnkId; what was emitted before it is to be thrown away). */
int tok_unigram_run(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                    tok_scratch *sc, tok_uni_emit emit, void *ctx);

/* What the piece id, of len bytes, found at trie node node, adds to a path's score (false: an
 * unused piece, which sentencepiece skips). spm and kinds are constants where it is inlined:
 * a SentencePiece model, and one with user-defined or unused pieces. */
static inline __attribute__((always_inline)) bool tok_unigram_piece_add(const tok_unigram *u,
                                                                        const bool spm,
                                                                        const bool kinds,
                                                                        uint32_t id, size_t len,
                                                                        uint32_t node,
                                                                        double *add)
{
    if (!spm) {
        *add = u->dscore[id];
    } else if (kinds && u->kind[id] != TOK_UNI_NORMAL) {
        if (u->kind[id] == TOK_UNI_UNUSED)
            return false;
        *add = (double)((float)len * u->fmax) - 0.1; /* user-defined: a double expression */
    } else {
        *add = (double)u->trie.cells[node].score;
    }
    return true;
}

/* tok_unigram_run's way for a short text of a SentencePiece model (unigram_edges.c): the pass
 * over the pieces kept for s[0..n) by the calling thread, with the same results.
 * TOK_UNI_UNCACHED (nothing done) when the text is not one it keeps. */
int tok_unigram_cached(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                       tok_uni_emit emit, void *ctx);

/* The byte length of the UTF-8 character starting with byte b, as sentencepiece's OneCharLen
 * (a continuation or invalid byte counts 1, 0xF8..0xFF count 4). */
static inline size_t tok_spm_char_len(uint8_t b)
{
    return (size_t)"\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[b >> 4];
}

#endif
