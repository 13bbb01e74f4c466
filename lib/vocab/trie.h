/* trie: a double-array trie over byte strings, shared by SentencePiece (its pieces and
 * user-defined symbols), the Unigram model of both formats and special-token matching.
 *
 * Node s has child t = base[s] + c when check[t] == s. Children of a node sit next to each
 * other, so walking a piece costs about one cache line per byte and nothing is allocated. Built
 * once at load time; read-only afterwards. */
#ifndef TOK_TRIE_H
#define TOK_TRIE_H

#include "vocab/vocab.h"

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
    size_t max_key_len; /* the longest key's length in bytes */
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

#endif
