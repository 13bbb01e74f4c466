/* spm: the SentencePiece .model format. Includes core/ and the layers below it, never another
 * format (the layer rule: base/base.h). The files are named after sentencepiece 0.1.97's own:
 *
 *   model_proto.c          sentencepiece_model.proto read from the wire format, the pipeline built
 *   normalizer.c           normalizer.cc (rules of algo/charsmap.h, whitespace, U+2581)
 *   bpe_model.c            bpe_model.cc; Unigram is algo/unigram.h (unigram_model.cc)
 *   bpe_long.c             long BPE segments on algo/'s rank core, where that is the same
 *   processor_encode.c     sentencepiece_processor.cc Encode (and the WORD and CHAR models)
 *   processor_decode.c     sentencepiece_processor.cc Decode
 *
 *   text -> normalizer -> model (Unigram, BPE, WORD, CHAR) -> unknown runs merged or byte
 *        fallback -> ids, spans
 *   ids -> pieces -> text (U+2581 -> space, dummy prefix dropped, byte pieces reassembled,
 *        denormalizer)
 *
 * Pieces live in the tokenizer's tables: CONTROL and UNKNOWN pieces are its special tokens
 * (t->specials), all others are in t->vocab with their piece text ("\xE2\x96\x81the",
 * "<0x41>"). */
#ifndef TOK_SPM_H
#define TOK_SPM_H

#include "algo/algo.h"
#include "algo/charsmap.h"
#include "algo/unigram.h"
#include "core/core.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- the normalizer (normalizer.c; normalizer.cc Normalize) ---- */

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
    /* Counting only (no map): a run of plain spaces longer than SPM_ROW_KEEP + drop_row loses
     * rows of drop_row spaces, and dropped counts the rows (spm_lazy_rank.ws_row says when
     * the count is then dropped fewer); 0: the text is normalized whole. */
    uint32_t drop_row;
    size_t dropped;
} tok_norm_out;
/* What a run keeps of its spaces when rows are dropped: far more than the three characters
 * the argument needs (bpe_long.c), so the run's two ends are what they were. */
#define SPM_ROW_KEEP 64

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

/* TrainerSpec.model_type and SentencePiece.Type, with the proto's numbers. */
typedef enum spm_model_type { SPM_UNIGRAM = 1, SPM_BPE = 2, SPM_WORD = 3, SPM_CHAR = 4 } spm_model_type;
enum {
    SPM_NORMAL = 1, SPM_UNKNOWN = 2, SPM_CONTROL = 3, SPM_USER_DEFINED = 4, SPM_UNUSED = 5,
    SPM_BYTE = 6
};

typedef struct spm_model {
    spm_model_type type;
    uint32_t n;               /* pieces */
    uint8_t *ptype;           /* per id: SPM_NORMAL ... SPM_BYTE */
    float *score;             /* per id */
    uint32_t unk_id;
    uint32_t byte_id[256];    /* id of <0xXX>, TOK_NO_ID when absent */
    bool byte_fallback;
    uint32_t bos_id, eos_id;  /* what TOK_ENCODE_ADD_SPECIAL adds (TOK_NO_ID: nothing) */
    tok_trie user;            /* USER_DEFINED pieces (the prefix matcher); n_keys 0 if none */
    tok_unigram uni;          /* Unigram: trie over NORMAL, USER_DEFINED and UNUSED pieces */
    uint8_t *uni_kind;        /* Unigram: per id TOK_UNI_* (NULL if all normal) */
    tok_charsmap cm, dcm;     /* normalizer and denormalizer rules */
    tok_spm_norm norm, denorm;
    bool has_denorm, denorm_broken; /* broken: sentencepiece decodes every text to "" */
    uint8_t *unk_surface;     /* what decode prints for the unknown piece */
    size_t unk_surface_len;
    bool add_dummy_prefix, remove_extra_ws; /* the normalizer's, for decode */
    /* Cutting long texts: a piece that the model matches always starts at a character, so no
     * piece can span the boundary between bytes x and y when no matchable piece holds x
     * followed by y. cut_pairs has a bit per (x, y) that some piece holds or where y
     * continues a character; the text is cut wherever the bit is clear and the segments are
     * encoded one by one, with the result of one pass over the whole text. NULL (no cutting)
     * for BPE with UNUSED pieces: sentencepiece resegments those with a map shared across the
     * whole text. */
    uint64_t *cut_pairs;
    uint32_t n_unused;
    uint32_t *canon;          /* decode: id -> PieceToId(IdToPiece(id)) where it differs; NULL */
    /* BPE: (left id, right id) -> the piece they make, for every way of cutting a
     * matchable piece into two matchable pieces (open addressing, left TOK_NO_ID = empty). */
    struct spm_pair { uint32_t left, right, piece; } *pairs;
    uint32_t pair_mask;
    uint32_t *char_id;        /* BPE: the matchable piece of each BMP code point, or TOK_NO_ID */
    /* BPE: the rank core for long segments, its vocabulary built on the first one that needs
     * it (bpe_long.c); NULL when out of memory at load (the heap serves, still exact). */
    struct spm_lazy_rank *lazy;
    uint32_t rank_min;        /* segments this long may go to it: SPM_RANK_LAZY_MIN (tests: less) */
    uint64_t cache_id;        /* BPE: its words in the per-thread word cache (0: not cached) */
} spm_model;

/* Segments this long (bytes of normalized text) may go to the rank core. The rank vocabulary
 * is built once per tokenizer (about 0.1 s for Llama 2, what the heap takes on some 200 KiB of
 * one letter), so the first such segment pays a little more and every later one much less;
 * below it the heap's memory (some 50 bytes per byte) stays a few megabytes. */
#define SPM_RANK_LAZY_MIN (64u * 1024)
#define SPM_RUN_CHARS 8
typedef struct spm_lazy_rank {
    tok_char_rank cr;          /* the pieces renumbered by score (algo/bpe_chars.c) */
    /* the pieces of the lowest score, when several share it: runs of one character, of every
     * length from 2 to max (Llama 2's 15 runs of U+2581), left out of cr and joined after it */
    uint32_t n_runs;
    struct spm_run_char {
        uint8_t c[4], clen;
        uint32_t max;
    } runs[SPM_RUN_CHARS];
    uint64_t run_lead[4];      /* a bit per first byte of a run character */
    /* K when the normalizer's whitespace mark is such a run character and no user-defined
     * piece holds it: a run of it then makes one piece more for every K more (bpe_long.c,
     * "Rows"); 0 when not */
    uint32_t ws_row;
    pthread_mutex_t mu;
    _Atomic int state;         /* 0: not asked yet, 1: the rank core serves, 2: not (or OOM) */
    _Atomic uint64_t served;   /* segments the rank core encoded (for tests) */
    _Atomic uint64_t rows;     /* rows of spaces counted without being normalized (for tests) */
} spm_lazy_rank;
spm_lazy_rank *spm_lazy_rank_new(void);
void spm_lazy_rank_free(spm_lazy_rank *z);
/* m's rank core, built on the first call (once, under the lock): NULL when the conditions of
 * bpe_long.c do not hold (or no memory). */
const spm_lazy_rank *spm_lazy_rank_get(const tok_tokenizer *t, const spm_model *m);

/* PieceToId: CONTROL/UNKNOWN/BYTE pieces first, then the others, else the unknown id. */
uint32_t spm_piece_to_id(const tok_tokenizer *t, const uint8_t *p, size_t n);

/* One piece a model produced: bytes [start, end) of the normalized text. */
typedef struct spm_piece {
    uint32_t start, end, id;
} spm_piece;

/* The BPE pair table (load time); false when out of memory. */
bool spm_bpe_tables(const tok_tokenizer *t, spm_model *m);

static inline uint32_t spm_pair_hash(uint32_t a, uint32_t b)
{
    return (uint32_t)(tok_fib_hash((uint64_t)a << 32 | b) >> 32);
}

/* The piece the matchable pieces a and b make together, or TOK_NO_ID. */
static inline uint32_t spm_pair_find(const spm_model *m, uint32_t a, uint32_t b)
{
    for (uint32_t i = spm_pair_hash(a, b) & m->pair_mask;; i = (i + 1) & m->pair_mask) {
        const struct spm_pair *p = &m->pairs[i];
        if (p->left == a && p->right == b)
            return p->piece;
        if (p->left == TOK_NO_ID)
            return TOK_NO_ID;
    }
}

static inline bool spm_piece_push(spm_piece **out, size_t *len, size_t *cap, uint32_t a,
                                  uint32_t b, uint32_t id)
{
    if (!tok_grow(out, cap, *len + 1, sizeof **out, 256))
        return false;
    (*out)[(*len)++] = (spm_piece){a, b, id};
    return true;
}

/* Where BPE's pieces go, in order: bytes [start, end) of the segment and the piece's id. */
typedef void (*spm_put_fn)(void *ctx, uint32_t start, uint32_t end, uint32_t id);
/* sentencepiece's BPE over the normalized text s[0..n) (bpe_model.c): the pieces to put; buf
 * (grown, *cap its capacity) is work memory kept between calls. False when out of memory. */
bool spm_bpe_encode(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                    spm_put_fn put, void *ctx, spm_piece **buf, size_t *cap, tok_scratch *sc);
/* sentencepiece's own algorithm, the heap (bpe_model.c): the pieces of s[0..n), offsets plus
 * base, appended to *out. False when out of memory. */
bool spm_bpe_heap(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                  uint32_t base, spm_piece **out, size_t *len, size_t *cap, tok_scratch *sc);
/* A segment on the rank core when it is long and the model qualifies (bpe_long.c): 1 done --
 * its pieces put, or with UNUSED pieces appended to *buf --; 0 not (nothing put or appended:
 * the heap's turn); -1 out of memory. */
int spm_bpe_long(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                 spm_put_fn put, void *ctx, spm_piece **buf, size_t *len, size_t *cap,
                 tok_scratch *sc);

extern const tok_format_ops spm_ops;
tok_status spm_encode(const tok_tokenizer *t, const uint8_t *s, size_t n,
                      const tok_encode_options *opts, tok_out *o, tok_call *call,
                      tok_error *err);
tok_status spm_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                      tok_buf *buf, tok_error *err);
extern const tok_stream_ops spm_stream_ops; /* the same decoder, streaming */
void spm_model_free(void *impl);

/* A .model file in data[0..len), a ModelProto (model_proto.c); source names it in messages. */
tok_status tok_open_spm(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                        tok_error *err);

#endif
