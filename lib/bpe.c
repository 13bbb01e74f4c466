/* bpe: tiktoken's byte-pair encoding of one piece.
 *
 * Semantics (tiktoken's byte_pair_merge): start from single bytes; repeatedly merge the adjacent
 * pair whose concatenated bytes have the lowest rank, the leftmost one on ties; stop when no
 * adjacent pair is a token. A token's rank is its id.
 *
 * Speed, in the order it matters on real text:
 *   1. Whole-piece lookup. Most pieces (a word with its leading space) are one token, found
 *      with one hash probe (or a direct table for one and two bytes) before any merging.
 *   2. Short pieces (<= SMALL_MAX bytes): tiktoken's own array scan, O(n^2) on at most 64
 *      bytes, all in registers and L1, no allocation. Initial pair ranks come from a 64K-entry
 *      table of two-byte tokens rather than the hash.
 *   3. Long pieces (a run of 1 MB of one character is one piece): a doubly linked list of parts
 *      and a binary heap of candidate merges keyed (rank, start), so the leftmost lowest pair
 *      pops first, exactly as the scan would pick it. Stale heap entries are skipped by
 *      checking the part's current rank. O(n log n); memory from the call's scratch.
 * Both strategies are checked against each other on random pieces in the tests. */
#include "internal.h"

#define SMALL_MAX 64
#define NONE UINT32_MAX

static inline uint32_t rank_of(const tok_vocab *v, const uint8_t *p, size_t n)
{
    if (n == 2)
        return v->pair2[(uint32_t)p[0] << 8 | p[1]];
    return tok_vocab_find(v, p, n);
}

size_t tok_bpe_rank_merge_small(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *ids,
                                uint32_t *starts)
{
    /* Part k is p[starts[k] .. starts[k+1]); rank[k] is the rank of parts k and k+1 merged. */
    uint32_t rank[SMALL_MAX];
    size_t cnt = n;
    for (size_t i = 0; i < n; i++) {
        starts[i] = (uint32_t)i;
        ids[i] = v->byte1[p[i]];
        rank[i] = i + 1 < n ? v->pair2[(uint32_t)p[i] << 8 | p[i + 1]] : NONE;
    }
    starts[n] = (uint32_t)n;
    for (;;) {
        uint32_t best = NONE;
        size_t at = 0;
        for (size_t k = 0; k + 1 < cnt; k++)
            if (rank[k] < best)
                best = rank[k], at = k;
        if (best == NONE)
            break;
        ids[at] = best;
        /* drop part at+1: starts has cnt + 1 entries, ids and rank cnt */
        memmove(starts + at + 1, starts + at + 2, (cnt - at - 1) * sizeof *starts);
        memmove(ids + at + 1, ids + at + 2, (cnt - at - 2) * sizeof *ids);
        memmove(rank + at + 1, rank + at + 2, (cnt - at - 2) * sizeof *rank);
        cnt--;
        rank[at] = at + 1 < cnt ? rank_of(v, p + starts[at], starts[at + 2] - starts[at]) : NONE;
        if (at > 0)
            rank[at - 1] = rank_of(v, p + starts[at - 1], starts[at + 1] - starts[at - 1]);
    }
    return cnt;
}

/* Binary min-heap of (rank << 32 | start). */
static void heap_push(uint64_t *h, size_t *n, uint64_t key)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h[parent] <= key)
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = key;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
    uint64_t top = h[0], last = h[--*n];
    size_t i = 0, len = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= len)
            break;
        if (c + 1 < len && h[c + 1] < h[c])
            c++;
        if (last <= h[c])
            break;
        h[i] = h[c];
        i = c;
    }
    if (len)
        h[i] = last;
    return top;
}

size_t tok_bpe_rank_heap_work(size_t n)
{
    return 3 * n * sizeof(uint64_t) + 3 * n * sizeof(uint32_t);
}

size_t tok_bpe_rank_merge_heap(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *ids,
                               uint32_t *starts, void *work)
{
    /* Parts are named by their start byte: part i is p[i .. next[i]). rank[i] is the rank of
     * part i merged with the part after it, NONE when there is none or it is not a token, and
     * also NONE for a part that was merged away. Each merge pushes at most two entries. */
    uint64_t *heap = work;
    uint32_t *next = (uint32_t *)(heap + 3 * n), *prev = next + n, *rank = prev + n;
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        next[i] = (uint32_t)(i + 1);
        prev[i] = (uint32_t)(i - 1);
        ids[i] = v->byte1[p[i]];
        rank[i] = i + 1 < n ? v->pair2[(uint32_t)p[i] << 8 | p[i + 1]] : NONE;
        if (rank[i] != NONE)
            heap_push(heap, &hn, (uint64_t)rank[i] << 32 | i);
    }
    while (hn) {
        uint64_t key = heap_pop(heap, &hn);
        uint32_t r = (uint32_t)(key >> 32), i = (uint32_t)key;
        if (rank[i] != r)
            continue; /* stale: the part was merged away or its neighbour changed */
        uint32_t j = next[i];
        ids[i] = r;
        next[i] = next[j];
        if (next[j] < n)
            prev[next[j]] = i;
        rank[j] = NONE;
        uint32_t k = next[i];
        rank[i] = k < n ? rank_of(v, p + i, next[k] - i) : NONE;
        if (rank[i] != NONE)
            heap_push(heap, &hn, (uint64_t)rank[i] << 32 | i);
        if (i > 0) {
            uint32_t h = prev[i];
            rank[h] = rank_of(v, p + h, next[i] - h);
            if (rank[h] != NONE)
                heap_push(heap, &hn, (uint64_t)rank[h] << 32 | h);
        }
    }
    size_t m = 0;
    for (uint32_t i = 0; i < n; i = next[i]) {
        starts[m] = i;
        ids[m] = ids[i];
        m++;
    }
    starts[m] = (uint32_t)n;
    return m;
}

bool tok_bpe_rank_piece(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base,
                        tok_out *o, tok_scratch *sc)
{
    uint32_t id = n == 1 ? v->byte1[p[0]] : rank_of(v, p, n);
    if (id != NONE) {
        tok_out_push(o, id, base, base + n);
        return true;
    }
    uint32_t ids_small[SMALL_MAX], starts_small[SMALL_MAX + 1];
    uint32_t *ids = ids_small, *starts = starts_small;
    size_t m;
    if (n <= SMALL_MAX) {
        m = tok_bpe_rank_merge_small(v, p, n, ids, starts);
    } else {
        size_t work = tok_bpe_rank_heap_work(n);
        uint8_t *mem = tok_scratch_get(sc, work + (2 * n + 1) * sizeof(uint32_t));
        if (!mem)
            return false;
        ids = (uint32_t *)(mem + work);
        starts = ids + n;
        m = tok_bpe_rank_merge_heap(v, p, n, ids, starts, mem);
    }
    for (size_t k = 0; k < m; k++)
        tok_out_push(o, ids[k], base + starts[k], base + starts[k + 1]);
    return true;
}
