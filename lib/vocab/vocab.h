/* vocab: the token table of a tokenizer, id -> bytes and bytes -> id. Includes base/ and text/
 * only (the layer rule: base/base.h). Special-token matching: vocab/specials.h; the double-array
 * trie of byte strings (SentencePiece pieces, Unigram, special tokens): vocab/trie.h.
 *
 * One layout serves both the embedded built-in vocabularies and files loaded at run time: the
 * build packs each .tiktoken file into this exact layout (formats/tiktoken/gen/pack_vocab.c), the library
 * links the packed blobs and points into them without copying, so a built-in encoding is ready
 * as soon as the process maps the library. Files loaded at run time build the same arrays on
 * the heap.
 *
 * bytes -> id is an open-addressing hash table of 32-bit slots, each the id in the low id_bits
 * bits and a tag (high bits of the hash) above them; probes compare the tag before touching
 * the token's bytes, so most misses cost one cache line. The load factor is at most 1/2. */
#ifndef TOK_VOCAB_H
#define TOK_VOCAB_H

#include "base/base.h"

#include <string.h>

#define TOK_NO_ID UINT32_MAX

typedef struct tok_vocab {
    uint32_t n_ids;        /* one more than the highest id */
    uint32_t n_tokens;     /* ids that have bytes */
    uint32_t hash_bits;    /* table has 1 << hash_bits slots */
    uint32_t id_bits;      /* 2^id_bits > n_ids, so an all-ones slot is never a real entry */
    const uint32_t *off;   /* n_ids + 1 offsets into bytes; an unused id has length 0 */
    const uint32_t *slots; /* hash table */
    const uint32_t *pair2; /* 65536 entries: id of the two-byte token (b0 << 8 | b1) or NO_ID */
    const uint32_t *byte1; /* 256 entries: id of the one-byte token or NO_ID */
    const uint8_t *bytes;
    /* For the linear BPE encoder (algo/bpe_tables.c); NULL until tok_bpe_tables_add(). */
    const uint32_t *split;       /* 2 per id: the pair BPE merges last into it */
    const uint32_t *next_prefix; /* per id: longest reachable proper prefix token */
    const uint64_t *trie;        /* 1 << trie_bits slots: (node << 8 | byte) -> child, with
                                  * TOK_TRIE_LEAF (algo/algo.h) when the child has none */
    const uint64_t *pairs;       /* 1 << pair_bits slots: (left, right) -> the token they make */
    uint32_t trie_bits, pair_bits;
    /* The tables come from a blob tok_vocab_view_checked read (a pack from a file): safe to
     * read, but their walks' lengths are checked against the tokens' (algo/bpe_rank.c). */
    bool untrusted;
    /* Tokens the tables leave out (their last merge joins a later token: algo/bpe_verify.c),
     * four bytes or longer, sorted by their first four bytes, and a bitmap of 2^16 bits over a
     * hash of those. */
    uint32_t n_anom;
    const uint32_t *anom;
    const uint8_t *anom_heads;
    uint64_t uid;          /* no other vocabulary of the process has it (caches key on it) */
    void *heap;            /* owned storage for vocabularies built at run time, else NULL */
    size_t heap_size;
    void *heap_bpe;        /* owned BPE tables, else NULL */
} tok_vocab;

#define TOK_VOCAB_EMPTY_SLOT UINT32_MAX

static inline uint64_t tok_load64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t tok_load32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static inline uint64_t tok_mix64(uint64_t a, uint64_t b)
{
    __extension__ typedef unsigned __int128 u128;
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* A fast hash for short byte strings (wyhash-style; the packed blobs depend on it, so changing
 * it means rebuilding them, which make does). */
static inline uint64_t tok_hash_bytes(const uint8_t *p, size_t n)
{
    const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
    uint64_t a, b, seed = k0 ^ (uint64_t)n;
    if (n <= 16) {
        if (n >= 8) {
            a = tok_load64(p);
            b = tok_load64(p + n - 8);
        } else if (n >= 4) {
            a = tok_load32(p);
            b = tok_load32(p + n - 4);
        } else if (n > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = 0;
        for (; i + 16 < n; i += 16)
            seed = tok_mix64(tok_load64(p + i) ^ k1, tok_load64(p + i + 8) ^ seed);
        a = tok_load64(p + n - 16);
        b = tok_load64(p + n - 8);
    }
    return tok_mix64(k1 ^ (uint64_t)n, tok_mix64(a ^ k1, b ^ seed));
}

/* q[0..n) == p[0..n), short strings (most tokens) with two overlapping loads a side -- the
 * loads the hash makes, never outside either string. */
static inline bool tok_bytes_equal(const uint8_t *q, const uint8_t *p, size_t n)
{
    if (n >= 4 && n <= 8)
        return tok_load32(q) == tok_load32(p) && tok_load32(q + n - 4) == tok_load32(p + n - 4);
    if (n < 4)
        return n == 0 || (q[0] == p[0] && q[n >> 1] == p[n >> 1] && q[n - 1] == p[n - 1]);
    if (n <= 16)
        return tok_load64(q) == tok_load64(p) && tok_load64(q + n - 8) == tok_load64(p + n - 8);
    return memcmp(q, p, n) == 0;
}

static inline uint32_t tok_vocab_len(const tok_vocab *v, uint32_t id)
{
    return v->off[id + 1] - v->off[id];
}

/* The id of bytes p[0..n), or TOK_NO_ID; h is tok_hash_bytes(p, n). */
__attribute__((always_inline)) static inline uint32_t
tok_vocab_find_hashed(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t h)
{
    uint32_t mask = (1u << v->hash_bits) - 1, idmask = (uint32_t)((1ull << v->id_bits) - 1);
    uint32_t tag = (uint32_t)(h >> 32) & ~idmask;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t s = v->slots[i];
        if (s == TOK_VOCAB_EMPTY_SLOT)
            return TOK_NO_ID;
        if ((s & ~idmask) == tag) {
            uint32_t id = s & idmask;
            if (tok_vocab_len(v, id) != n)
                continue;
            if (tok_bytes_equal(v->bytes + v->off[id], p, n))
                return id;
        }
    }
}

/* The id of bytes p[0..n), or TOK_NO_ID. One and two bytes come from the direct tables, which
 * a vocabulary built here fills with exactly the tokens it indexes (a blob from a file has its
 * entries checked for range only, so it is asked by hash: what comes back has those bytes). */
static inline uint32_t tok_vocab_find(const tok_vocab *v, const uint8_t *p, size_t n)
{
    if (n - 1 < 2 && !v->untrusted)
        return n == 1 ? v->byte1[p[0]] : v->pair2[(uint32_t)p[0] << 8 | p[1]];
    return tok_vocab_find_hashed(v, p, n, tok_hash_bytes(p, n));
}

/* Build a vocabulary on the heap from n tokens: ids[i] gets toks[i][0..lens[i]). Fails (returns
 * -1 and sets *dup to the index of the second occurrence) when two ids share bytes or an id is
 * used twice; returns -2 when out of memory; -3 (with *dup the entry) when the largest id is
 * more than TOK_VOCAB_MAX_GAP beyond the number of tokens: the tables are indexed by id, so
 * memory must follow what the file holds, not what it claims. */
#define TOK_VOCAB_MAX_GAP (1u << 20)
int tok_vocab_build(tok_vocab *v, size_t n, const uint8_t *const *toks, const uint32_t *lens,
                    const uint32_t *ids, size_t *dup);
/* The same, except that tokens with noindex[i] set keep their bytes (for decoding) but are left
 * out of bytes -> id: a model can never produce them (a byte-level vocabulary's entries that
 * are not in the byte alphabet), and their bytes may equal a real token's. */
int tok_vocab_build_ex(tok_vocab *v, size_t n, const uint8_t *const *toks, const uint32_t *lens,
                       const uint32_t *ids, const uint8_t *noindex, size_t *dup);
void tok_vocab_free(tok_vocab *v);
/* A number never given out before in this process. */
uint64_t tok_vocab_new_uid(void);

/* Serialise to / view a packed blob (the layout of embedded vocabularies). tok_vocab_view
 * returns 0 on success, -1 if the blob is not a vocabulary of this build. */
int tok_vocab_pack(const tok_vocab *v, void **blob, size_t *len);
int tok_vocab_view(tok_vocab *v, const void *blob, size_t len);
/* The same for a blob from a file (untrusted): every offset and table entry checked, so no
 * lookup can read outside the blob or probe forever; -1 if any is wrong. O(size of the blob). */
int tok_vocab_view_checked(tok_vocab *v, const void *blob, size_t len);

#endif
