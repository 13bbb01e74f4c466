/* wordpiece: HF's WordPiece model (models/wordpiece).
 *
 * WordPiece: greedy longest match from the left; pieces after the first carry the
 * continuing_subword_prefix ("##"); a word with an unmatchable rest, or longer than
 * max_input_chars_per_word characters, is one unknown token. HF tries ever shorter prefixes of
 * the rest of the word; here one walk down a trie of the tokens finds the longest that ends at
 * a character boundary, so a word costs the bytes walked, not its length squared. */
#include "formats/hf/hf.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

typedef struct wp_trie {
    uint64_t *keys;   /* (node << 8 | byte) + 1 of each edge; 0: an empty slot */
    uint32_t *child;  /* the node each edge leads to */
    uint32_t *id;     /* per node: the token that ends there, or TOK_NO_ID */
    uint32_t bits;    /* 1 << bits slots */
    uint32_t n_nodes;
    uint32_t cont;    /* the node after the continuing_subword_prefix; NONE if no token has it */
} wp_trie;

static inline uint32_t slot_of(const wp_trie *tr, uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - tr->bits));
}

static inline uint32_t child(const wp_trie *tr, uint32_t node, uint8_t b)
{
    uint64_t key = ((uint64_t)node << 8 | b) + 1;
    uint32_t mask = (1u << tr->bits) - 1;
    for (uint32_t i = slot_of(tr, key);; i = (i + 1) & mask) {
        if (tr->keys[i] == key)
            return tr->child[i];
        if (tr->keys[i] == 0)
            return NONE;
    }
}

static uint32_t add_child(wp_trie *tr, uint32_t node, uint8_t b)
{
    uint64_t key = ((uint64_t)node << 8 | b) + 1;
    uint32_t mask = (1u << tr->bits) - 1, i = slot_of(tr, key);
    for (; tr->keys[i]; i = (i + 1) & mask)
        if (tr->keys[i] == key)
            return tr->child[i];
    tr->keys[i] = key;
    tr->id[tr->n_nodes] = TOK_NO_ID;
    return tr->child[i] = tr->n_nodes++;
}

void hf_wordpiece_free(void *w)
{
    wp_trie *tr = w;
    if (!tr)
        return;
    free(tr->keys);
    free(tr->child);
    free(tr->id);
    free(tr);
}

bool hf_wordpiece_build(const tok_tokenizer *t, hf_model *m)
{
    const tok_vocab *v = &t->vocab;
    uint64_t bytes = 1;
    for (uint32_t id = 0; id < v->n_ids; id++)
        bytes += tok_vocab_len(v, id);
    if (bytes >= UINT32_MAX / 4)
        return false;
    wp_trie *tr = calloc(1, sizeof *tr);
    if (!tr)
        return false;
    tr->bits = 4;
    while (((uint64_t)1 << tr->bits) < 2 * bytes) /* at most half full: short probes */
        tr->bits++;
    tr->keys = calloc((size_t)1 << tr->bits, sizeof *tr->keys);
    tr->child = malloc(((size_t)1 << tr->bits) * sizeof *tr->child);
    tr->id = malloc(bytes * sizeof *tr->id);
    if (!tr->keys || !tr->child || !tr->id) {
        hf_wordpiece_free(tr);
        return false;
    }
    tr->id[0] = TOK_NO_ID;
    tr->n_nodes = 1;
    for (uint32_t id = 0; id < v->n_ids; id++) {
        uint32_t len = tok_vocab_len(v, id), node = 0;
        if (!len)
            continue;
        const uint8_t *p = v->bytes + v->off[id];
        for (uint32_t k = 0; k < len; k++)
            node = add_child(tr, node, p[k]);
        tr->id[node] = id;
    }
    tr->cont = 0;
    for (size_t k = 0; k < m->prefix_len && tr->cont != NONE; k++)
        tr->cont = child(tr, tr->cont, (uint8_t)m->prefix[k]);
    m->wordpiece = tr;
    m->cache_id = tok_wc_new_id();
    return true;
}

static tok_status wordpiece_word(const hf_model *m, const uint8_t *s, size_t n, hf_tokens *out)
{
    size_t chars = 0;
    for (size_t k = 0; k < n; k++)
        chars += (s[k] & 0xC0) != 0x80;
    size_t first = out->n;
    bool bad = chars > m->max_input_chars_per_word;
    const wp_trie *tr = m->wordpiece;
    for (size_t start = 0; start < n && !bad;) {
        /* the longest token s[start..end) (after the prefix past the first piece) that ends
         * at a character boundary */
        uint32_t node = start ? tr->cont : 0, id = TOK_NO_ID;
        size_t end = start;
        for (size_t i = start; i < n && node != NONE; i++) {
            node = child(tr, node, s[i]);
            if (node != NONE && tr->id[node] != TOK_NO_ID && (i + 1 == n || (s[i + 1] & 0xC0) != 0x80)) {
                id = tr->id[node];
                end = i + 1;
            }
        }
        if (id == TOK_NO_ID) {
            bad = true;
            break;
        }
        if (!hf_tokens_push(out, id, (uint32_t)start, (uint32_t)end))
            return TOK_ENOMEM;
        start = end;
    }
    if (bad) {
        out->n = first;
        if (m->unk_id == TOK_NO_ID)
            return TOK_EFORMAT; /* HF: MissingUnkToken */
        return hf_tokens_push(out, m->unk_id, 0, (uint32_t)n) ? TOK_OK : TOK_ENOMEM;
    }
    return TOK_OK;
}

tok_status hf_wordpiece_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                                 size_t n, hf_tokens *out)
{
    (void)t;
    /* a word's pieces depend on its bytes alone: the per-thread word cache keeps those of words
     * met before (algo/word_cache.c; words too long for it are worked out each time) */
    tok_wc_entry *slot = NULL;
    const tok_wc_entry *e = tok_wc_find(m->cache_id, s, n, &slot);
    if (e)
        return hf_tokens_from_cache(out, e, 0) ? TOK_OK : TOK_ENOMEM;
    size_t first = out->n;
    tok_status st = wordpiece_word(m, s, n, out);
    if (st == TOK_OK)
        hf_tokens_to_cache(slot, m->cache_id, s, n, out, first, 0);
    return st;
}
