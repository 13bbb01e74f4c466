/* bpe_verify: the linear encoder's tables, proven against tiktoken's own merge before they are
 * used, and the vocabularies they cannot describe.
 *
 * The true split of a token t is the result of tiktoken's merge on bytes(t) with t itself left
 * out of the vocabulary: two tokens [l, r] exactly when BPE can make t (its last merge is
 * l + r), anything else when t is unreachable. Computed here with the plain O(len^2) merge, for
 * every token: about 50 ms for 128,000 tokens.
 *
 * bpe_tables.c finds splits among parts of lower rank, which is right for a vocabulary that
 * BPE training produced. Some are assembled: Llama 3 adds 28,000 tokens to cl100k's 100,000,
 * and about a hundred of them are made last from a token added after them ('.:.:' is '.:.' +
 * ':', the first ranked 100421, the second 105051). The linear encoder's pair check reads ranks
 * as the order of merges, which such a token breaks. So those tokens -- every token whose merge
 * tree holds a part ranked above its whole ("anomalous") -- are left out of the tables, and a
 * piece that contains the bytes of one goes to tiktoken's merge instead (bpe_rank.c): a piece
 * without them never forms one, so the vocabulary without them encodes it identically.
 *
 * tok_bpe_tables_add then checks every split the tables hold against the true split in the
 * vocabulary without the anomalous tokens; any difference and no tables are attached (the
 * encoder falls back to the merge, still exact).
 *
 * Finding them in a piece: a bitmap of 2^16 bits over a hash of each anomalous token's first
 * four bytes, tested at every position (a load, a multiply, a bit test), and on a hit a binary
 * search of the tokens sorted by those four bytes. Llama 3's are 4 to 15 bytes long; a
 * vocabulary with a shorter one goes without the tables. */
#include "algo/algo.h"

#include <string.h>

#define NONE TOK_NO_ID

static inline bool is_set(const uint8_t *bits, uint32_t id)
{
    return bits && id != NONE && (bits[id >> 3] >> (id & 7) & 1);
}

/* The id of p[0..n) outside the excluded set and other than skip, or NONE. */
static inline uint32_t find_ex(const tok_vocab *v, const uint8_t *ex, uint32_t skip,
                               const uint8_t *p, size_t n)
{
    uint32_t id = n == 1 ? v->byte1[p[0]] : tok_vocab_find(v, p, n);
    return id == skip || is_set(ex, id) ? NONE : id;
}

/* tiktoken's merge of p[0..n) without skip and the excluded ids: the parts' ids, their count. */
static size_t merge_ex(const tok_vocab *v, const uint8_t *ex, uint32_t skip, const uint8_t *p,
                       size_t n, uint32_t *ids, uint32_t *starts, uint32_t *rank)
{
    for (size_t i = 0; i < n; i++) {
        starts[i] = (uint32_t)i;
        ids[i] = v->byte1[p[i]];
        rank[i] = i + 1 < n ? find_ex(v, ex, skip, p + i, 2) : NONE;
    }
    starts[n] = (uint32_t)n;
    size_t cnt = n;
    for (;;) {
        uint32_t best = NONE;
        size_t at = 0;
        for (size_t k = 0; k + 1 < cnt; k++)
            if (rank[k] < best)
                best = rank[k], at = k;
        if (best == NONE)
            return cnt;
        ids[at] = best;
        memmove(starts + at + 1, starts + at + 2, (cnt - at - 1) * sizeof *starts);
        memmove(ids + at + 1, ids + at + 2, (cnt - at - 2) * sizeof *ids);
        memmove(rank + at + 1, rank + at + 2, (cnt - at - 2) * sizeof *rank);
        cnt--;
        rank[at] = at + 1 < cnt ? find_ex(v, ex, skip, p + starts[at], starts[at + 2] - starts[at])
                                : NONE;
        if (at > 0)
            rank[at - 1] = find_ex(v, ex, skip, p + starts[at - 1], starts[at + 1] - starts[at - 1]);
    }
}

/* Room for merging the longest token of v: ids, starts and ranks (3 * maxlen + 1), or NULL. */
static uint32_t *merge_room(const tok_vocab *v, uint32_t *maxlen_out)
{
    uint32_t maxlen = 1;
    for (uint32_t t = 0; t < v->n_ids; t++)
        if (tok_vocab_len(v, t) > maxlen)
            maxlen = tok_vocab_len(v, t);
    *maxlen_out = maxlen;
    return malloc(((size_t)maxlen * 3 + 1) * sizeof(uint32_t));
}

tok_status tok_bpe_true_splits(const tok_vocab *v, const uint8_t *ex, uint32_t *split)
{
    uint32_t maxlen;
    uint32_t *mem = merge_room(v, &maxlen);
    if (!mem)
        return TOK_ENOMEM;
    uint32_t *ids = mem, *starts = ids + maxlen, *rank = starts + maxlen + 1;
    for (uint32_t t = 0; t < v->n_ids; t++) {
        uint32_t len = tok_vocab_len(v, t);
        const uint8_t *p = v->bytes + v->off[t];
        split[2 * t] = split[2 * t + 1] = NONE;
        if (!len || is_set(ex, t) || find_ex(v, NULL, NONE, p, len) != t)
            continue;
        if (len == 1) {
            split[2 * t] = split[2 * t + 1] = t;
        } else if (merge_ex(v, ex, t, p, len, ids, starts, rank) == 2) {
            split[2 * t] = ids[0];
            split[2 * t + 1] = ids[1];
        }
    }
    free(mem);
    return TOK_OK;
}

/* The anomalous tokens (a bit each) from the true splits: reachable tokens whose tree holds a
 * part ranked above its whole. Parts are shorter, so tokens are decided by length. Returns
 * their number, or -1 when out of memory. */
static long anomalies(const tok_vocab *v, const uint32_t *split, uint8_t *bits)
{
    uint32_t n = v->n_ids, maxlen = 0;
    for (uint32_t t = 0; t < n; t++)
        if (tok_vocab_len(v, t) > maxlen)
            maxlen = tok_vocab_len(v, t);
    long count = 0;
    uint32_t *at = calloc((size_t)maxlen + 2, sizeof *at), *order = malloc((size_t)n * sizeof *order);
    if (!at || !order) {
        free(at), free(order);
        return -1;
    }
    for (uint32_t t = 0; t < n; t++)
        at[tok_vocab_len(v, t) + 1]++;
    for (uint32_t len = 0; len <= maxlen; len++)
        at[len + 1] += at[len];
    for (uint32_t t = 0; t < n; t++)
        order[at[tok_vocab_len(v, t)]++] = t;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = order[i], l = split[2 * t], r = split[2 * t + 1];
        if (l == NONE || l == t)
            continue;
        if (l > t || r > t || is_set(bits, l) || is_set(bits, r)) {
            bits[t >> 3] |= (uint8_t)(1u << (t & 7));
            count++;
        }
    }
    free(at), free(order);
    return count;
}

static inline uint32_t head4(const uint8_t *p) { return tok_load32(p); }
static inline uint32_t head_bit(uint32_t h) { return (h * 0x9E3779B1u) >> 16; }

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The true splits without the excluded (anomalous) tokens, from those with them, in truth.
 * Merging a token's bytes forms only tokens whose bytes lie inside its own, so a token that
 * holds no excluded token keeps its split; the others (a few thousand of Llama 3's 128,000)
 * merge again. Finding them takes v's list of anomalous tokens, so every excluded token must be
 * on it (four bytes or longer). */
static tok_status resplit(const tok_vocab *v, const uint8_t *ex, uint32_t *truth)
{
    uint32_t maxlen;
    uint32_t *mem = merge_room(v, &maxlen);
    if (!mem)
        return TOK_ENOMEM;
    uint32_t *ids = mem, *starts = ids + maxlen, *rank = starts + maxlen + 1;
    for (uint32_t t = 0; t < v->n_ids; t++) {
        uint32_t len = tok_vocab_len(v, t);
        const uint8_t *p = v->bytes + v->off[t];
        if (is_set(ex, t)) {
            truth[2 * t] = truth[2 * t + 1] = NONE;
            continue;
        }
        /* as tok_bpe_true_splits: ids without bytes, or that do not find themselves, are NONE
         * either way; single bytes are their own split either way */
        if (len < 5 || (truth[2 * t] == NONE && find_ex(v, NULL, NONE, p, len) != t) ||
            !tok_bpe_piece_has_anom(v, p, len))
            continue;
        truth[2 * t] = truth[2 * t + 1] = NONE;
        if (merge_ex(v, ex, t, p, len, ids, starts, rank) == 2) {
            truth[2 * t] = ids[0];
            truth[2 * t + 1] = ids[1];
        }
    }
    free(mem);
    return TOK_OK;
}

/* The bitmap over the hashed first four bytes of each listed token (tok_bpe_piece_has_anom). */
static void mark_heads(const tok_vocab *v, const uint32_t *list, size_t k, uint8_t *heads)
{
    for (size_t i = 0; i < k; i++) {
        uint32_t w = head_bit(head4(v->bytes + v->off[list[i]]));
        heads[w >> 3] |= (uint8_t)(1u << (w & 7));
    }
}

/* The tables copied into one block v owns, so it frees them like its other arrays: 0, or -2
 * when out of memory (v unchanged). */
static int attach(tok_vocab *v, const uint32_t *split, const uint32_t *prefix,
                  const uint64_t *trie, uint32_t bits, const uint64_t *pairs, uint32_t pbits,
                  const uint32_t *list, uint32_t k, const uint8_t *heads)
{
    uint32_t n = v->n_ids;
    size_t a = (size_t)n * 8, b = (((size_t)n * 4 + 7) & ~(size_t)7);
    size_t c = ((size_t)1 << bits) * 8, d = ((size_t)1 << pbits) * 8;
    size_t e = (((size_t)k * 4 + 7) & ~(size_t)7), f = k ? 65536 / 8 : 0;
    uint8_t *blk = malloc(a + b + c + d + e + f);
    if (!blk)
        return -2;
    memcpy(blk, split, a);
    memcpy(blk + a, prefix, (size_t)n * 4);
    memcpy(blk + a + b, trie, c);
    memcpy(blk + a + b + c, pairs, d);
    if (k)
        memcpy(blk + a + b + c + d, list, (size_t)k * sizeof *list);
    if (f)
        memcpy(blk + a + b + c + d + e, heads, f);
    free(v->heap_bpe);
    v->heap_bpe = blk;
    v->uid = tok_vocab_new_uid(); /* new tables: nothing cached for the old ones applies */
    v->split = (const uint32_t *)blk;
    v->next_prefix = (const uint32_t *)(blk + a);
    v->trie = (const uint64_t *)(blk + a + b);
    v->pairs = (const uint64_t *)(blk + a + b + c);
    v->trie_bits = bits;
    v->pair_bits = pbits;
    v->n_anom = k;
    v->anom = k ? (const uint32_t *)(blk + a + b + c + d) : NULL;
    v->anom_heads = k ? blk + a + b + c + d + e : NULL;
    return 0;
}

int tok_bpe_tables_set(tok_vocab *v, const uint32_t *split, const uint32_t *prefix,
                       const uint32_t *anom, uint32_t n_anom)
{
    uint64_t *trie = NULL, *pairs = NULL;
    uint32_t bits, pbits;
    uint8_t *heads = n_anom ? calloc(65536 / 8, 1) : NULL;
    int ret = -2;
    if ((!n_anom || heads) &&
        tok_bpe_tables_index(v, split, &trie, &bits, &pairs, &pbits) == TOK_OK) {
        mark_heads(v, anom, n_anom, heads);
        ret = attach(v, split, prefix, trie, bits, pairs, pbits, anom, n_anom, heads);
    }
    free(trie), free(pairs), free(heads);
    return ret;
}

int tok_bpe_tables_add(tok_vocab *v) { return tok_bpe_tables_add_known(v, NULL, NULL, NULL); }

int tok_bpe_tables_add_short(tok_vocab *v, uint32_t **short_out, uint32_t *n_short)
{
    return tok_bpe_tables_add_known(v, NULL, short_out, n_short);
}

int tok_bpe_tables_add_known(tok_vocab *v, uint32_t *known, uint32_t **short_out,
                             uint32_t *n_short)
{
    uint32_t *shorts = NULL;
    size_t ns = 0, scap = 0;
    if (short_out) {
        *short_out = NULL;
        *n_short = 0;
    }
    uint32_t n = v->n_ids;
    uint32_t *truth = known ? known : malloc((size_t)n * 2 * sizeof *truth);
    uint8_t *anom = calloc((size_t)n / 8 + 1, 1);
    uint32_t *split = NULL, *prefix = NULL, bits = 0, pbits = 0, *list = NULL;
    uint64_t *trie = NULL, *pairs = NULL, *keyed = NULL;
    uint8_t *heads = NULL;
    int ret = -2;
    v->split = v->next_prefix = NULL; /* the build reads the literal vocabulary */
    v->trie = v->pairs = NULL;
    v->n_anom = 0;
    v->anom = NULL;
    v->anom_heads = NULL;
    if (!truth || !anom || (!known && tok_bpe_true_splits(v, NULL, truth) != TOK_OK))
        goto done;
    long n_anom = anomalies(v, truth, anom);
    if (n_anom < 0)
        goto done;
    for (uint32_t t = 0; t < n; t++)
        if (is_set(anom, t) && tok_vocab_len(v, t) < 4) {
            if (!short_out) {
                ret = -1; /* too short for the four-byte search: go without */
                goto done;
            }
            /* the caller keeps pieces holding these away from the tables */
            if (!tok_grow(&shorts, &scap, ns + 1, sizeof *shorts, 8))
                goto done;
            shorts[ns++] = t;
        }
    const uint8_t *ex = n_anom ? anom : NULL;
    tok_status st = tok_bpe_tables_build(v, ex, &split, &prefix, &trie, &bits, &pairs, &pbits);
    if (st != TOK_OK) {
        ret = st == TOK_ENOMEM ? -2 : -1;
        goto done;
    }
    v->split = NULL; /* the build leaves them pointing at its arrays */
    v->trie = NULL;
    /* the anomalous ids (four bytes or longer) sorted by their first four bytes (then id), and
     * the bitmap over a hash of those bytes (tok_bpe_piece_has_anom) */
    size_t k = 0;
    list = malloc(((size_t)n_anom + 1) * sizeof *list);
    keyed = malloc(((size_t)n_anom + 1) * sizeof *keyed);
    heads = calloc(65536 / 8, 1);
    if (!list || !keyed || !heads)
        goto done;
    for (uint32_t t = 0; t < n; t++)
        if (is_set(anom, t) && tok_vocab_len(v, t) >= 4)
            keyed[k++] = (uint64_t)head4(v->bytes + v->off[t]) << 32 | t;
    qsort(keyed, k, sizeof *keyed, by_u64);
    for (size_t i = 0; i < k; i++)
        list[i] = (uint32_t)keyed[i];
    mark_heads(v, list, k, heads);
    v->n_anom = (uint32_t)k;
    v->anom = k ? list : NULL;
    v->anom_heads = k ? heads : NULL;
    /* the truth without them: only the tokens holding one can differ (resplit), unless some
     * are too short for the search */
    if (n_anom && (ns ? tok_bpe_true_splits(v, ex, truth) : resplit(v, ex, truth)) != TOK_OK)
        goto done;
    for (uint32_t t = 0; t < n; t++)
        if (split[2 * t] != truth[2 * t] || split[2 * t + 1] != truth[2 * t + 1]) {
            ret = -1; /* the tables would not be tiktoken's merge: go without */
            goto done;
        }
    if (attach(v, split, prefix, trie, bits, pairs, pbits, list, (uint32_t)k, heads) != 0)
        goto done;
    ret = 0;
    if (short_out) {
        *short_out = shorts;
        *n_short = (uint32_t)ns;
        shorts = NULL;
    }
done:
    free(shorts);
    if (ret != 0) {
        v->split = NULL;
        v->trie = NULL;
        v->pairs = NULL;
        v->n_anom = 0;
        v->anom = NULL;
        v->anom_heads = NULL;
    }
    free(truth), free(anom), free(split), free(prefix), free(trie), free(pairs);
    free(list), free(keyed), free(heads);
    return ret;
}

/* Is an anomalous token whose first four bytes are h at p[0..n)? (the rare case: a hit in
 * the bitmap) */
static __attribute__((noinline)) bool anom_at(const tok_vocab *v, uint32_t h, const uint8_t *p,
                                             size_t n)
{
    size_t lo = 0, hi = v->n_anom; /* the first token whose four bytes are >= h */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (head4(v->bytes + v->off[v->anom[mid]]) < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < v->n_anom; lo++) {
        uint32_t t = v->anom[lo], len = tok_vocab_len(v, t);
        const uint8_t *q = v->bytes + v->off[t];
        if (head4(q) != h)
            return false;
        if (len <= n && memcmp(q, p, len) == 0)
            return true;
    }
    return false;
}

bool tok_bpe_piece_has_anom(const tok_vocab *v, const uint8_t *p, size_t n)
{
    const uint8_t *bits = v->anom_heads;
    for (size_t i = 0; i + 4 <= n; i++) {
        uint32_t h = head4(p + i), w = head_bit(h);
        if (__builtin_expect(bits[w >> 3] >> (w & 7) & 1, 0) && anom_at(v, h, p + i, n - i))
            return true;
    }
    return false;
}
