/* word_cache: a per-thread cache of the tokens of short words and pieces (word_cache.c), shared
 * by HF's BPE (formats/hf/models/bpe.c) and the rank-BPE core (bpe_rank.c). Includes base/ and
 * vocab/ only. */
#ifndef TOK_WORD_CACHE_H
#define TOK_WORD_CACHE_H

#include "vocab/vocab.h"

#define TOK_WC_WORD 40 /* longest word cached, in bytes */
#define TOK_WC_IDS 10  /* most tokens of a cached word */
typedef struct tok_wc_entry {
    uint64_t owner; /* the owner's id (a vocabulary uid, a model's cache id); 0: empty */
    uint64_t hash;
    uint8_t len, n;
    uint8_t start[TOK_WC_IDS], end[TOK_WC_IDS];
    uint32_t ids[TOK_WC_IDS];
    uint8_t word[TOK_WC_WORD];
} tok_wc_entry;
/* A fresh owner id, from the counter of vocabulary uids. */
uint64_t tok_wc_new_id(void);
/* The cached tokens of w[0..n) for owner (NULL on a miss, with *slot the entry to fill, or NULL
 * when the word cannot be cached). hash is tok_hash_bytes(w, n). */
const tok_wc_entry *tok_wc_find_hashed(uint64_t owner, uint64_t hash, const uint8_t *w,
                                       size_t n, tok_wc_entry **slot);
static inline const tok_wc_entry *tok_wc_find(uint64_t owner, const uint8_t *w, size_t n,
                                              tok_wc_entry **slot)
{
    return tok_wc_find_hashed(owner, n <= TOK_WC_WORD ? tok_hash_bytes(w, n) : 0, w, n, slot);
}
/* Fill slot with the k tokens of w[0..n): ids, and spans start[i]-base .. end[i]-base. Nothing
 * is stored when k is over TOK_WC_IDS. */
void tok_wc_store(tok_wc_entry *slot, uint64_t owner, const uint8_t *w, size_t n, size_t k,
                  const uint32_t *ids, const uint32_t *start, const uint32_t *end, uint32_t base);

#endif
