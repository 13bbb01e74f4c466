/* unigram_edges: the pieces of short texts, kept per thread, for the SentencePiece Viterbi.
 *
 * sentencepiece runs its Viterbi over a whole sentence and keeps best-path scores in float, so
 * the segmentation of a word depends on the score the path brings to it: on a long line the
 * running score is large enough that rounding decides between near-equal paths, and a word's
 * answer cannot be cached (tokscope cuts a sentence where no piece spans and carries the score
 * across: processor_encode.c). What a word's pass does depend on its bytes alone is the set of
 * pieces that start at each of its characters, which the trie walk finds at a cost of about
 * 180 instructions a byte. This cache keeps that set -- each piece's start, length, id and the
 * number its path adds -- for texts of up to WORD bytes, and the pass over it is the one of
 * unigram.c, offer by offer in the same order with the same arithmetic, so the ids and the
 * score carried on are the same bit for bit.
 *
 * The table lives with the thread (base/thread_mem.c), direct-mapped, tagged with the model's
 * cache id (never given out twice). */
#include "algo/unigram.h"

#include <string.h>

#define WORD 32   /* longest text kept, in bytes */
#define EDGES 24  /* most pieces a kept text may have */
#define SLOTS 2048 /* about 900 KB a thread */

typedef struct edge {
    double add;  /* what the piece adds to the path's score (unknown: min - 10) */
    uint32_t id; /* the piece (unknown: unk_id) */
    uint8_t start, len;
    bool unk;
} edge;

typedef struct entry {
    uint64_t owner, hash;
    uint8_t len, n;
    uint8_t word[WORD];
    edge e[EDGES];
} entry;

static _Thread_local entry *table;

/* The pieces of s[0..n) in the order unigram.c's step offers them: by start, shortest first,
 * the unknown piece last where no one-character piece starts. False when there are more than
 * EDGES. */
static bool find_edges(const tok_unigram *u, const uint8_t *s, size_t n, entry *x)
{
    const tok_trie_cell *cells = u->trie.cells;
    size_t k = 0;
    for (size_t pos = 0; pos < n;) {
        size_t mblen = tok_spm_char_len(s[pos]);
        if (mblen > n - pos)
            mblen = n - pos;
        bool single = false;
        uint32_t node = 0;
        for (size_t j = pos; u->trie.n_keys && j < n; j++) {
            uint32_t next = cells[node].base + s[j];
            if (cells[next].check != node)
                break;
            node = next;
            uint32_t id = cells[node].value;
            if (id == TOK_NO_ID)
                continue;
            size_t len = j + 1 - pos;
            double add;
            if (u->kind && u->kind[id] != TOK_UNI_NORMAL) {
                if (u->kind[id] == TOK_UNI_UNUSED)
                    continue;
                add = (double)((float)len * u->fmax) - 0.1;
            } else {
                add = (double)cells[node].score;
            }
            if (k == EDGES)
                return false;
            x->e[k++] = (edge){add, id, (uint8_t)pos, (uint8_t)len, false};
            if (len == mblen)
                single = true;
        }
        if (!single) {
            if (k == EDGES)
                return false;
            x->e[k++] = (edge){(double)(u->fmin - 10.0f), u->unk_id, (uint8_t)pos,
                               (uint8_t)mblen, true};
        }
        pos += mblen;
    }
    x->n = (uint8_t)k;
    return true;
}

int tok_unigram_cached(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                       tok_uni_emit emit, void *ctx)
{
    if (!u->cache_id || !u->spm || n == 0 || n > WORD || u->settle_every)
        return TOK_UNI_UNCACHED;
    if (!table && !(table = tok_thread_calloc(SLOTS * sizeof *table)))
        return TOK_UNI_UNCACHED;
    uint64_t h = tok_hash_bytes(s, n);
    entry *x = &table[h & (SLOTS - 1)];
    if (!(x->owner == u->cache_id && x->hash == h && x->len == n &&
          tok_bytes_equal(x->word, s, n))) {
        x->owner = 0;
        if (!find_edges(u, s, n, x))
            return TOK_UNI_UNCACHED;
        x->hash = h;
        x->len = (uint8_t)n;
        memcpy(x->word, s, n);
        x->owner = u->cache_id;
    }
    /* The pass of unigram.c over the kept pieces: best[p] the best path's score at byte p (a
     * float, as sentencepiece keeps it), from[p] the piece it ends with, plus one (0: not
     * reached yet). A later piece replaces a kept one only when strictly better. */
    double best[WORD + 1];
    uint8_t from[WORD + 1];
    memset(from, 0, sizeof from);
    best[0] = (double)(float)*score;
    from[0] = EDGES + 1; /* reached, by no piece */
    for (size_t i = 0; i < x->n; i++) {
        const edge *e = &x->e[i];
        double here = best[e->start], cand, stored;
        if (e->unk) { /* added in float */
            cand = stored = (double)((float)e->add + (float)here);
        } else {
            cand = e->add + here;
            stored = (double)(float)cand;
        }
        size_t t = e->start + e->len;
        if (!from[t] || cand > best[t]) {
            best[t] = stored;
            from[t] = (uint8_t)(i + 1);
        }
    }
    /* the best path to n, read backwards, given out forwards */
    uint8_t path[WORD];
    size_t m = 0;
    for (size_t p = n; p > 0; p -= x->e[path[m++]].len)
        path[m] = (uint8_t)(from[p] - 1);
    while (m-- > 0) {
        const edge *e = &x->e[path[m]];
        emit(ctx, e->start, (uint32_t)e->start + e->len, e->id);
    }
    *score = best[n];
    return TOK_UNI_OK;
}
