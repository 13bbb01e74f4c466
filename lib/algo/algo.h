/* algo: the algorithms several formats share. Includes base/, text/ and vocab/ only (the layer
 * rule: base/base.h).
 *
 *   algo.h        rank BPE -- tiktoken's byte-pair merge where a token's rank is its id --
 *                 and the tables of its linear encoder (bpe_rank.c, bpe_tables.c); serves the
 *                 built-in encodings and byte-level tokenizer.json files
 *                 bpe_verify.c proves the tables against tiktoken's merge; bpe_memo.c caches
 *                 the encoder's pair checks per thread; bpe_chars.c puts character-level
 *                 BPE (tokenizer.json Metaspace, SentencePiece) on the same core
 *   word_cache.h  a per-thread cache of the tokens of short pieces (both BPEs)
 *   heap.h        the binary heap of both BPE merges
 *   unigram.h     the Unigram Viterbi (SentencePiece and tokenizer.json)
 *   charsmap.h    SentencePiece's precompiled character map (its normalizer, HF Precompiled) */
#ifndef TOK_ALGO_H
#define TOK_ALGO_H

#include "vocab/vocab.h"

/* tiktoken's byte-pair encoding of one piece: the ids of p[0..n), whose bytes start at input
 * offset base. Ranks are ids; every single byte must be a token. Returns false on OOM.
 * tok_bpe_rank_piece (below, inline) takes a piece of one or two bytes, and one of three to
 * eight the thread has met as a whole token, without a call; this is the rest. */
bool tok_bpe_rank_piece_call(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base,
                             tok_out *o, tok_scratch *sc);
/* The same without the whole-piece lookup first: the merges' result even where the piece is
 * one token (HF's BPE without ignore_merges cannot emit a token no merge makes). */
bool tok_bpe_rank_parts(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base,
                        tok_out *o, tok_scratch *sc);
/* A piece's parts as BPE left them, in the call's scratch (valid until its next use): their
 * ids, whose lengths tile the piece, or for a very long piece (64 KB or more) their lengths
 * alone, one byte each instead of four -- tok_bpe_view_id finds each id again by its bytes. */
typedef struct tok_bpe_view {
    const uint32_t *ids;
    const uint8_t *lens;
    size_t m;
} tok_bpe_view;
/* The same parts as a view: false when out of memory (n >= 1). */
bool tok_bpe_rank_parts_view(const tok_vocab *v, const uint8_t *p, size_t n, tok_scratch *sc,
                             tok_bpe_view *out);
/* Part k of w, which starts at `at` in the piece: its id (TOK_NO_ID only for a damaged pack's
 * table that misses its own token) and *len its length. */
static inline uint32_t tok_bpe_view_id(const tok_vocab *v, const tok_bpe_view *w, size_t k,
                                       const uint8_t *at, uint32_t *len)
{
    if (w->ids) {
        *len = tok_vocab_len(v, w->ids[k]);
        return w->ids[k];
    }
    *len = w->lens[k];
    return tok_vocab_find(v, at, w->lens[k]);
}

/* The linear encoder's tables, built (bpe_tables.c), checked against tiktoken's merge and
 * attached to v (bpe_verify.c): 0; -1 when v is a vocabulary they cannot describe (v is left
 * without, and the encoder uses the merge); -2 when out of memory. The embedded vocabularies
 * and packs carry them. */
int tok_bpe_tables_add(tok_vocab *v);
/* The same, also for vocabularies with anomalous tokens of 2 or 3 bytes: *short_out (malloc'd,
 * NULL when none) gets them, and the caller must keep every piece that holds the bytes of one
 * away from the rank core's linear encoder (the four-byte search cannot see them). */
int tok_bpe_tables_add_short(tok_vocab *v, uint32_t **short_out, uint32_t *n_short);
/* tok_bpe_tables_add_short when the caller has already worked out tok_bpe_true_splits(v, NULL,
 * truth) (checking a tokenizer.json's merges does, and tok_char_rank_build): truth (2 n_ids,
 * malloc'd) is taken over and freed, whatever the outcome -- a caller that keeps its splits
 * passes a copy; NULL: worked out here. short_out may be NULL, as for tok_bpe_tables_add. */
int tok_bpe_tables_add_known(tok_vocab *v, uint32_t *truth, uint32_t **short_out,
                             uint32_t *n_short);
/* The tables of v without the ids set in the bitmap ex (NULL: none). */
tok_status tok_bpe_tables_build(tok_vocab *v, const uint8_t *ex, uint32_t **split,
                                uint32_t **next_prefix, uint64_t **trie, uint32_t *trie_bits,
                                uint64_t **pairs, uint32_t *pair_bits);
/* The trie of the tokens split[] reaches (two bytes or more) and the pair table of its merges,
 * from splits already decided (tok_bpe_tables_build's, or a compact pack's): malloc'd. */
tok_status tok_bpe_tables_index(const tok_vocab *v, const uint32_t *split, uint64_t **trie,
                                uint32_t *trie_bits, uint64_t **pairs, uint32_t *pair_bits);
/* Tables from splits and prefixes already decided and proven (a compact vocabulary's: see
 * formats/tiktoken/compact.c), with anom (n_anom ids, in tok_vocab.anom's order) left out:
 * indexed and attached to v as tok_bpe_tables_add attaches them. 0, or -2 when out of memory
 * or v has too many ids for the pair table. */
int tok_bpe_tables_set(tok_vocab *v, const uint32_t *split, const uint32_t *prefix,
                       const uint32_t *anom, uint32_t n_anom);
/* Every token's last merge by tiktoken's own merge (bpe_verify.c): split[2t], split[2t + 1] are
 * the two tokens that BPE of bytes(t) joins last, (t, t) for single bytes, NO_ID for an id BPE
 * cannot make (unreachable, without bytes, not indexed, or set in the bitmap ex, whose ids are
 * left out of the vocabulary). O(sum of the tokens' squared lengths). */
tok_status tok_bpe_true_splits(const tok_vocab *v, const uint8_t *ex, uint32_t *split);
/* Does p[0..n) hold the bytes of a token the tables leave out (v->anom)? O(n). */
bool tok_bpe_piece_has_anom(const tok_vocab *v, const uint8_t *p, size_t n);
bool tok_bpe_valid_pair(const tok_vocab *v, const uint8_t *s, size_t m, uint32_t a, uint32_t b,
                        uint32_t bound);

/* The reference merge strategies (tiktoken's own algorithm), kept for tests that check the
 * linear encoder against them. */
size_t tok_bpe_rank_merge_small(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *ids,
                                uint32_t *starts);
size_t tok_bpe_rank_heap_work(size_t n); /* bytes of work memory the heap merge needs */
/* The linear encoder: toks/starts have n and n + 1 entries (starts may be NULL: the tokens'
 * lengths give them), dead (n >> 6) + 1 words; memo (tok_bpe_memo's) or NULL caches pair
 * checks and trie walks. */
typedef struct tok_bpe_thread_memo tok_bpe_thread_memo;
size_t tok_bpe_rank_backtrack(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *toks,
                              uint32_t *starts, uint64_t *dead, tok_bpe_thread_memo *memo);
size_t tok_bpe_rank_merge_heap(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *ids,
                               uint32_t *starts, void *work);

/* ---- character-level BPE on the rank core (bpe_chars.c) ---- */

/* A character-level vocabulary renumbered for the rank core: bytes, proper prefixes of character
 * tokens and character tokens first, then the tokens of two or more characters in the order
 * the format's merge rule gives them. */
typedef struct tok_char_rank {
    tok_vocab v;
    const uint32_t *to_model; /* v's id -> the model's (TOK_NO_ID: a byte or part, no token) */
    uint32_t first_multi;     /* v's first token of two or more characters */
    uint32_t *split;      /* kept on request: 2 per v id, its true split (tok_bpe_true_splits) */
    const uint32_t *short_anom; /* v's tokens a text must not hold (tok_bpe_tables_add_short) */
    uint32_t n_short;
    bool in_place; /* v, to_model and short_anom are the caller's memory (tok_char_rank_view) */
    /* ASCII characters that are v's character tokens with a model token: tok_char_rank_fits
     * asks one byte of them where it would ask three arrays */
    bool ascii_fits[128];
} tok_char_rank;

/* The format's condition on the multi-character token id (model ids), which BPE makes last
 * from left and right (TOK_NO_ID: a byte or part); called in v's order for each such token
 * BPE can make. */
typedef bool (*tok_char_rank_check)(void *ctx, uint32_t id, uint32_t left, uint32_t right);

/* Build z over the tokens of mv that keep (NULL: all) selects and that find themselves by their
 * bytes; the multi-character ones ordered by key[id], then id. 0 when every byte, part and
 * character token is made by BPE and check accepts every multi-character token; -1 when not
 * (z is left empty); -2 when out of memory. */
int tok_char_rank_build(tok_char_rank *z, const tok_vocab *mv, const uint8_t *keep,
                        const uint32_t *key, tok_char_rank_check check, void *ctx,
                        bool keep_split);
/* z read in place from what a build left (a pack: v as tok_vocab_pack writes it, to_model and
 * short_anom as they were), which must outlive z: 0; -1 when they are damaged -- v fails
 * tok_vocab_view_checked, or an id is out of range (to_model's of the model's n_model). Nothing
 * is allocated; the contents are trusted to be a build's once they are safe to read. */
int tok_char_rank_view(tok_char_rank *z, const void *vocab, size_t vocab_len,
                       const uint32_t *to_model, size_t n_to_model, const uint32_t *short_anom,
                       size_t n_short, uint32_t n_model);
void tok_char_rank_free(tok_char_rank *z);
/* May s[0..n) go to the rank core: is every character of it a character token, and does it
 * hold no token the tables leave out? (Then so may every part of it.) */
bool tok_char_rank_fits(const tok_char_rank *z, const uint8_t *s, size_t n);
/* s[0..n) (n >= 1; it or a text holding it tok_char_rank_fits) by the rank core: 1 with its
 * parts in *w, v's ids, in sc's memory (valid until its next use; their lengths tile s; read
 * them with tok_bpe_view_id, which then never gives TOK_NO_ID); 0 when a byte or part of a
 * character is left over (the argument excludes it); -1 when out of memory. */
int tok_char_rank_encode(const tok_char_rank *z, const uint8_t *s, size_t n, tok_scratch *sc,
                         tok_bpe_view *w);

/* The calling thread's caches for v (bpe_memo.c), NULL when out of memory:
 *   pairs  tok_bpe_valid_pair's answers, direct-mapped: a slot holds the generation (bits
 *          53-63), ((a << 21 | b) + 1) << 1 and the answer (bit 0).
 *   r3     the trie walk over a three-byte UTF-8 character (CJK, most of the BMP beyond
 *          Latin), indexed by its 16 bits: the longest token among its 1-3 byte prefixes
 *          (bits 0-20) and its length (bits 56-57), the node after its third byte (bits
 *          32-55, all ones when the walk ends before), and the generation it was filled in
 *          (bits 21-31): entries of another generation are unfilled, so turning to another
 *          vocabulary costs no clearing.
 *   step   the trie walk from a node over a three-byte character (the second and later
 *          characters of a CJK token), direct-mapped: key the generation (bits 53-63), the
 *          node (bits 16-47) and the character's 16 bits; value the node after the character
 *          (high 32 bits, TOK_NO_ID when the trie ends inside it), the longest token that
 *          ends inside it (bits 0-21, all ones for none) and how many of its bytes that takes
 *          (bits 22-23).
 *   piece  whole pieces of three to eight bytes (tok_bpe_rank_piece), direct-mapped: key
 *          their bytes (the first and last four, which with the length name them), value the
 *          generation (bits 40-50), the length (bits 32-39) and the token (TOK_NO_ID for
 *          none). Numbers, short words and punctuation recur; one load of a 128 KB table
 *          replaces a probe of the vocabulary's hash table, its offsets and its bytes (three
 *          misses; random digits: 0.75x -> 1.1x quicktok).
 *   b2     the trie's step from a single byte by the next, indexed by the two bytes: the
 *          child (bits 0-23, all ones for none), whether it is a leaf (bit 24), the
 *          generation (bits 53-63). A walk that starts inside a character (the byte after a
 *          CJK character's first two, which random CJK text splits off) asks the trie for an
 *          edge it rarely has, a miss in megabytes each time; the pairs of bytes that do this
 *          are few.
 * The sizes were measured on Japanese text (make bench-quicktok): 2^14 pair slots missed often
 * enough to cost 10-15% against 2^18; tables are calloc'd, so a thread pays for the pages its
 * text touches. */
#define TOK_BPE_MEMO_BITS 18
#define TOK_BPE_STEP_BITS 16
#define TOK_BPE_PIECE_BITS 13
struct tok_bpe_thread_memo {
    uint64_t owner; /* the vocabulary's uid */
    uint32_t gen;   /* 1..2047 */
    uint64_t pairs[1u << TOK_BPE_MEMO_BITS];
    uint64_t r3[1 << 16];
    uint64_t step[1u << TOK_BPE_STEP_BITS][2];
    uint64_t piece[1u << TOK_BPE_PIECE_BITS][2];
    uint64_t b2[1 << 16];
};
tok_bpe_thread_memo *tok_bpe_memo(const tok_vocab *v);
/* The same, inline when the thread's table already belongs to v. */
extern _Thread_local tok_bpe_thread_memo *tok_bpe_memo_table;
static inline tok_bpe_thread_memo *tok_bpe_memo_of(const tok_vocab *v)
{
    tok_bpe_thread_memo *m = tok_bpe_memo_table;
    return m && m->owner == v->uid && m->gen ? m : tok_bpe_memo(v);
}

/* The memo's slot for the piece p[0..n) (3 <= n <= 8), and in *key and *tag what a slot
 * holding it has (tok_bpe_thread_memo's piece). */
static inline uint64_t *tok_bpe_piece_slot(const tok_bpe_thread_memo *memo, const uint8_t *p,
                                           size_t n, uint64_t *key, uint64_t *tag)
{
    uint32_t lo, hi;
    if (n == 3) {
        lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
        hi = 0;
    } else { /* two loads of four that overlap when n < 8; with n, they name the bytes */
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
    }
    *key = (uint64_t)hi << 32 | lo;
    *tag = (uint64_t)memo->gen << 40 | (uint64_t)n << 32;
    return (uint64_t *)memo->piece[tok_fib_hash(*key ^ n) >> (64 - TOK_BPE_PIECE_BITS)];
}

static inline __attribute__((always_inline)) bool
tok_bpe_rank_piece(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base, tok_out *o,
                   tok_scratch *sc)
{
    uint32_t id = TOK_NO_ID;
    if (n <= 2) {
        id = n == 1 ? v->byte1[p[0]] : v->pair2[(uint32_t)p[0] << 8 | p[1]];
    } else if (n <= 8) { /* the thread's piece table, when it is v's (bpe_memo.c) */
        tok_bpe_thread_memo *m = tok_bpe_memo_table;
        if (m && m->owner == v->uid && m->gen) {
            uint64_t key, tag, *e = tok_bpe_piece_slot(m, p, n, &key, &tag);
            if (e[0] == key && (e[1] & ~0xFFFFFFFFull) == tag)
                id = (uint32_t)e[1];
        }
    }
    if (id != TOK_NO_ID) {
        tok_out_push(o, id, base, base + n);
        return true;
    }
    return tok_bpe_rank_piece_call(v, p, n, base, o, sc);
}

/* ---- the tables' lookups ---- */

static inline uint32_t tok_trie_hash(uint32_t key) { return (uint32_t)(tok_fib_hash(key) >> 32); }

/* A trie slot: the key (node << 8 | byte) in bits 0-31, the child in bits 32-55, and
 * TOK_TRIE_LEAF when the child has no children, so a walk ends there without probing for the
 * next byte (a miss in a table of megabytes). Tables built before the bit existed lack it:
 * their walks probe once more, with the same answer. */
#define TOK_TRIE_LEAF (1ull << 63)
#define TOK_TRIE_NODE(s) ((uint32_t)((s) >> 32) & 0xFFFFFFu)

/* The trie slot of node's child by byte, or UINT64_MAX when it has none. */
static inline uint64_t tok_trie_edge(const tok_vocab *v, uint32_t node, uint8_t byte)
{
    uint32_t key = node << 8 | byte, mask = (1u << v->trie_bits) - 1;
    for (uint32_t i = tok_trie_hash(key) & mask;; i = (i + 1) & mask) {
        uint64_t s = v->trie[i];
        if (s == UINT64_MAX || (uint32_t)s == key)
            return s;
    }
}

/* The trie child of node by byte, or TOK_NO_ID. */
static inline uint32_t tok_trie_child(const tok_vocab *v, uint32_t node, uint8_t byte)
{
    uint64_t s = tok_trie_edge(v, node, byte);
    return s == UINT64_MAX ? TOK_NO_ID : TOK_TRIE_NODE(s);
}

/* The token BPE makes by merging left and right (they are its split), or TOK_NO_ID. Slots hold
 * left, right and the token in id_bits each (3 * id_bits <= 63). */
static inline uint32_t tok_pair_lookup(const tok_vocab *v, uint32_t left, uint32_t right)
{
    uint64_t key = (uint64_t)left << v->id_bits | right;
    uint32_t mask = (1u << v->pair_bits) - 1, idmask = (uint32_t)((1ull << v->id_bits) - 1);
    for (uint32_t i = (uint32_t)(tok_fib_hash(key) >> 40) & mask;; i = (i + 1) & mask) {
        uint64_t s = v->pairs[i];
        if (s == UINT64_MAX)
            return TOK_NO_ID;
        if (s >> v->id_bits == key)
            return (uint32_t)s & idmask;
    }
}

#endif
