/* bpe_tables: what the linear BPE encoder (bpe_rank.c) needs beyond the token table, computed once
 * per vocabulary (at build time for the embedded ones, packed with them).
 *
 *   split[t]        the two tokens BPE merges last to make t: BPE(bytes(t)) with t itself left
 *                   out is exactly [left, right]. (t, t) for single bytes. A longer token that
 *                   no merge sequence reaches (BPE of its own bytes is not [t]) is
 *                   "unreachable": BPE can only emit it as a whole piece, never from merges, so
 *                   it is left out of the trie (split = NO_ID, NO_ID).
 *   next_prefix[t]  the longest reachable token that is a proper prefix of t (NO_ID if none):
 *                   the next candidate when t does not fit.
 *   pairs           (left, right) -> t for every split: the merges BPE can make.
 *   trie            every reachable token, for the longest token starting at a position. Nodes
 *                   that are tokens are numbered by their id, the other prefixes from n_ids
 *                   up; edges (node, byte) -> child live in an open-addressing table of 64-bit
 *                   slots, key in the low half, child in the high half. Single bytes are the
 *                   first level (vocab.byte1), so the root is implicit.
 *
 * The split of t is found as in rust-gems' bpe crate: among t's reachable proper prefixes a
 * (longest first) with rank below t, the one whose rest b is a reachable token below t and
 * (a, b) a valid pair under the ranks below t. Valid pairs are unique per string, so the first
 * found is BPE's own last merge -- provided every token's last merge joins two tokens of lower
 * rank, which is what BPE training produces. Vocabularies assembled otherwise (Llama 3 extends
 * cl100k with tokens whose last merge joins a later one) get the tables of the vocabulary
 * without those tokens, and bpe_verify.c checks the result against tiktoken's own merge.
 *
 * Ids left out: those without bytes, those an exclusion set names, and those whose bytes do not
 * find them (a tokenizer.json entry kept for decoding only). Building costs O(tokens x length)
 * hash probes: a few hundred milliseconds for 200,000 tokens, done when a vocabulary is packed. */
#include "algo/algo.h"

#include <string.h>

#define trie_hash tok_trie_hash

/* ---- building ---- */

typedef struct trie_b {
    uint64_t *slots;
    uint32_t bits, used, next_node;
    bool full; /* a node past the 24 bits a key keeps for it (a vocabulary of tens of millions
                * of prefixes): the tables cannot describe it, and it goes without them */
} trie_b;

static bool trie_grow(trie_b *t);

/* The child of node by byte, created (numbered id, or next_node++ when id is NO_ID) when
 * missing. */
static uint32_t trie_step(trie_b *t, uint32_t node, uint8_t byte, uint32_t id)
{
    uint32_t key = node << 8 | byte, mask = (1u << t->bits) - 1;
    uint32_t i = trie_hash(key) & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t s = t->slots[i];
        if (s == UINT64_MAX)
            break;
        if ((uint32_t)s == key)
            return (uint32_t)(s >> 32);
    }
    if (id == TOK_NO_ID && t->next_node >= 1u << 24) {
        t->full = true;
        return TOK_NO_ID;
    }
    uint32_t child = id != TOK_NO_ID ? id : t->next_node++;
    t->slots[i] = (uint64_t)child << 32 | key;
    t->used++;
    if ((uint64_t)t->used * 2 > ((uint64_t)1 << t->bits) && !trie_grow(t))
        return TOK_NO_ID;
    return child;
}

static bool trie_grow(trie_b *t)
{
    uint32_t bits = t->bits + 1, mask = (1u << bits) - 1;
    uint64_t *s = malloc(((size_t)1 << bits) * sizeof *s);
    if (!s)
        return false;
    memset(s, 0xFF, ((size_t)1 << bits) * sizeof *s);
    for (size_t k = 0; k < ((size_t)1 << t->bits); k++) {
        uint64_t e = t->slots[k];
        if (e == UINT64_MAX)
            continue;
        uint32_t i = trie_hash((uint32_t)e) & mask;
        while (s[i] != UINT64_MAX)
            i = (i + 1) & mask;
        s[i] = e;
    }
    free(t->slots);
    t->slots = s;
    t->bits = bits;
    return true;
}

/* Insert token id (bytes p[0..n), n >= 2) under the byte1 root. Intermediate prefixes that are
 * not (yet) tokens get fresh node numbers; a node created earlier as a non-token prefix keeps its
 * number, so tokens that are prefixes of others must be inserted first (shorter first). */
static bool trie_insert(trie_b *t, const tok_vocab *v, const uint8_t *p, size_t n, uint32_t id)
{
    uint32_t node = v->byte1[p[0]];
    for (size_t i = 1; i < n; i++) {
        node = trie_step(t, node, p[i], i + 1 == n ? id : TOK_NO_ID);
        if (node == TOK_NO_ID)
            return false;
    }
    return true;
}

/* TOK_TRIE_LEAF on every edge whose child has no edges of its own: a walk that reaches it is
 * over. false when out of memory. */
static bool mark_leaves(trie_b *t)
{
    size_t n_slots = (size_t)1 << t->bits;
    uint32_t n_nodes = 1u << 24; /* keys keep 24 bits of a node */
    uint64_t *kids = calloc(n_nodes / 64, sizeof *kids);
    if (!kids)
        return false;
    for (size_t i = 0; i < n_slots; i++)
        if (t->slots[i] != UINT64_MAX) {
            uint32_t parent = (uint32_t)t->slots[i] >> 8;
            kids[parent >> 6] |= 1ull << (parent & 63);
        }
    for (size_t i = 0; i < n_slots; i++) {
        uint64_t s = t->slots[i];
        uint32_t child = TOK_TRIE_NODE(s);
        if (s != UINT64_MAX && !(kids[child >> 6] >> (child & 63) & 1))
            t->slots[i] = s | TOK_TRIE_LEAF;
    }
    free(kids);
    return true;
}

/* Is [a, b] the BPE encoding of bytes(a) + bytes(b), counting only tokens below bound? Walks
 * BPE backwards: undo the later of the two last merges (higher rank) and check whether the pair
 * then adjacent across the boundary would have merged first; a tie goes to the left pair, as
 * BPE takes the leftmost of equal ranks.
 *
 * Which pairs "would merge": tiktoken merges any two adjacent parts whose bytes are a token.
 * While the tables are being built (pairs == NULL) that is checked literally on the bytes, a
 * and b being s[m - len(a), m) and s[m, m + len(b)). Once built, the pair table of splits
 * answers instead, with one integer probe: on this walk the two agree, because a pair that
 * makes a token c whose split is another pair can only be adjacent after a crossing merge the
 * walk has already refused (BPE within c's span would otherwise reach c's own split). The
 * encoder is checked against tiktoken's merge on random text in the tests. */
static inline bool excluded(const uint8_t *ex, uint32_t id)
{
    return ex && id != TOK_NO_ID && (ex[id >> 3] >> (id & 7) & 1);
}

/* The id of p[0..n) among the ids not excluded, or TOK_NO_ID. */
static inline uint32_t find_in(const tok_vocab *v, const uint8_t *ex, const uint8_t *p, size_t n)
{
    uint32_t id = tok_vocab_find(v, p, n);
    return excluded(ex, id) ? TOK_NO_ID : id;
}

static inline bool valid_pair(const tok_vocab *v, const uint8_t *ex, const uint8_t *s, size_t m,
                              uint32_t a, uint32_t b, uint32_t bound)
{
    uint32_t limit = UINT32_MAX;
    for (;;) {
        uint32_t c;
        if (a == TOK_NO_ID || b == TOK_NO_ID)
            return false; /* a token without a split: tables from a damaged pack */
        if (v->pairs) {
            c = tok_pair_lookup(v, a, b);
        } else {
            uint32_t la = tok_vocab_len(v, a), lb = tok_vocab_len(v, b);
            c = find_in(v, ex, s + m - la, (size_t)la + lb);
        }
        if (c != TOK_NO_ID && c < bound && c < limit)
            return false;
        if (a > b) {
            limit = a;
            a = v->split[2 * a + 1];
            if (a == limit) {
                limit = b + 1;
                b = v->split[2 * b];
                if (b + 1 == limit)
                    return true;
            }
        } else {
            limit = b + 1;
            b = v->split[2 * b];
            if (b + 1 == limit) {
                limit = a;
                a = v->split[2 * a + 1];
                if (a == limit)
                    return true;
            }
        }
    }
}

bool tok_bpe_valid_pair(const tok_vocab *v, const uint8_t *s, size_t m, uint32_t a, uint32_t b,
                        uint32_t bound)
{
    return valid_pair(v, NULL, s, m, a, b, bound);
}

/* Is t a token the tables may hold: bytes that find t, and not excluded? */
static bool included(const tok_vocab *v, const uint8_t *ex, uint32_t t)
{
    uint32_t len = tok_vocab_len(v, t);
    if (!len || excluded(ex, t))
        return false;
    const uint8_t *p = v->bytes + v->off[t];
    return (len == 1 ? v->byte1[p[0]] : tok_vocab_find(v, p, len)) == t;
}

typedef struct tok_ref {
    const uint8_t *p;
    uint32_t len, id;
} tok_ref;

static int by_bytes(const void *a, const void *b)
{
    const tok_ref *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* For each included token of two bytes or more, the longest of them that is a proper prefix of
 * it (TOK_NO_ID: none), in longest[]: the tokens in byte order, where a token's prefixes come
 * before it and the ones still on a stack of the path so far are exactly its prefixes. One sort
 * instead of a walk down a trie per token (each step a cache miss in a table of megabytes). */
static bool longest_prefixes(const tok_vocab *v, const uint32_t *order, uint32_t n_multi,
                             uint32_t maxlen, uint32_t *longest)
{
    tok_ref *r = malloc(((size_t)n_multi + 1) * sizeof *r);
    uint32_t *stack = malloc(((size_t)maxlen + 1) * sizeof *stack);
    if (!r || !stack) {
        free(r), free(stack);
        return false;
    }
    for (uint32_t i = 0; i < n_multi; i++)
        r[i] = (tok_ref){v->bytes + v->off[order[i]], tok_vocab_len(v, order[i]), order[i]};
    qsort(r, n_multi, sizeof *r, by_bytes);
    uint32_t sp = 0;
    for (uint32_t i = 0; i < n_multi; i++) {
        while (sp > 0) {
            const tok_ref *s = &r[stack[sp - 1]];
            if (s->len < r[i].len && memcmp(s->p, r[i].p, s->len) == 0)
                break;
            sp--;
        }
        longest[r[i].id] = sp ? r[stack[sp - 1]].id : TOK_NO_ID;
        stack[sp++] = i; /* depth <= maxlen: each entry a proper prefix of the next */
    }
    free(r), free(stack);
    return true;
}

tok_status tok_bpe_tables_index(const tok_vocab *v, const uint32_t *split, uint64_t **trie_out,
                                uint32_t *trie_bits, uint64_t **pairs_out, uint32_t *pair_bits)
{
    if (3 * v->id_bits > 63)
        return TOK_EUNSUPPORTED; /* a pair's key and its token share 64 bits */
    uint32_t n = v->n_ids, maxlen = 0;
    trie_b reach = {.bits = 16, .next_node = n};
    uint64_t *pairs = NULL;
    uint32_t *order = NULL, *at = NULL;
    tok_status st = TOK_ENOMEM;
    for (uint32_t t = 0; t < n; t++)
        if (tok_vocab_len(v, t) > maxlen)
            maxlen = tok_vocab_len(v, t);
    reach.slots = malloc(((size_t)1 << 16) * sizeof(uint64_t));
    order = malloc(((size_t)n + 1) * sizeof *order);
    at = calloc((size_t)maxlen + 2, sizeof *at);
    if (!reach.slots || !order || !at)
        goto done;
    memset(reach.slots, 0xFF, ((size_t)1 << 16) * sizeof(uint64_t));
    /* The reachable tokens of two bytes or more by length (a counting sort, ids in order within
     * a length), so every token is inserted after its prefixes. */
#define MULTI(t) (tok_vocab_len(v, t) >= 2 && split[2 * (t)] != TOK_NO_ID)
    for (uint32_t t = 0; t < n; t++)
        if (MULTI(t))
            at[tok_vocab_len(v, t) + 1]++;
    for (uint32_t len = 1; len <= maxlen; len++)
        at[len + 1] += at[len];
    for (uint32_t t = 0; t < n; t++)
        if (MULTI(t))
            order[at[tok_vocab_len(v, t)]++] = t;
#undef MULTI
    for (uint32_t i = 0; i < at[maxlen]; i++) {
        uint32_t t = order[i];
        if (!trie_insert(&reach, v, v->bytes + v->off[t], tok_vocab_len(v, t), t)) {
            if (reach.full)
                st = TOK_EUNSUPPORTED;
            goto done;
        }
    }
    if (!mark_leaves(&reach))
        goto done;
    /* the merges as a pair table */
    uint32_t n_pairs = 0, pbits = 4;
    for (uint32_t t = 0; t < n; t++)
        n_pairs += split[2 * t] != TOK_NO_ID && split[2 * t] != t;
    while (((size_t)1 << pbits) < 2 * (size_t)n_pairs + 16)
        pbits++;
    pairs = malloc(((size_t)1 << pbits) * sizeof *pairs);
    if (!pairs)
        goto done;
    memset(pairs, 0xFF, ((size_t)1 << pbits) * sizeof *pairs);
    uint32_t pmask = (1u << pbits) - 1;
    for (uint32_t t = 0; t < n; t++) {
        if (split[2 * t] == TOK_NO_ID || split[2 * t] == t)
            continue;
        uint64_t key = (uint64_t)split[2 * t] << v->id_bits | split[2 * t + 1];
        uint32_t i = (uint32_t)(tok_fib_hash(key) >> 40) & pmask;
        while (pairs[i] != UINT64_MAX)
            i = (i + 1) & pmask;
        pairs[i] = key << v->id_bits | t;
    }
    *trie_out = reach.slots;
    *trie_bits = reach.bits;
    *pairs_out = pairs;
    *pair_bits = pbits;
    reach.slots = NULL;
    pairs = NULL;
    st = TOK_OK;
done:
    free(reach.slots);
    free(pairs);
    free(order);
    free(at);
    return st;
}

tok_status tok_bpe_tables_build(tok_vocab *v, const uint8_t *ex, uint32_t **split_out,
                                uint32_t **prefix_out, uint64_t **trie_out, uint32_t *trie_bits,
                                uint64_t **pairs_out, uint32_t *pair_bits)
{
    if (3 * v->id_bits > 63)
        return TOK_EUNSUPPORTED;
    uint32_t n = v->n_ids;
    uint32_t *split = malloc((size_t)n * 2 * sizeof *split);
    uint32_t *prefix = malloc((size_t)n * sizeof *prefix);
    uint32_t *order = malloc((size_t)n * sizeof *order);
    uint32_t *longest = malloc((size_t)n * sizeof *longest), *chain = NULL;
    tok_status st = TOK_ENOMEM;
    if (!split || !prefix || !order || !longest)
        goto done;

    /* The included ids of two bytes or more by length (a counting sort), so every token is
     * inserted after its prefixes. */
    uint32_t maxlen = 0;
    for (uint32_t t = 0; t < n; t++)
        if (tok_vocab_len(v, t) > maxlen)
            maxlen = tok_vocab_len(v, t);
    uint32_t *at = calloc((size_t)maxlen + 2, sizeof *at);
    if (!at)
        goto done;
    for (uint32_t t = 0; t < n; t++)
        if (tok_vocab_len(v, t) >= 2 && included(v, ex, t))
            at[tok_vocab_len(v, t) + 1]++;
    for (uint32_t len = 1; len <= maxlen; len++)
        at[len + 1] += at[len];
    for (uint32_t t = 0; t < n; t++)
        if (tok_vocab_len(v, t) >= 2 && included(v, ex, t))
            order[at[tok_vocab_len(v, t)]++] = t;
    uint32_t n_multi = at[maxlen];
    free(at);

    /* Each token's token prefixes, longest first: longest[t], longest[longest[t]], ... */
    chain = malloc(((size_t)maxlen + 1) * sizeof *chain);
    if (!chain || !longest_prefixes(v, order, n_multi, maxlen, longest))
        goto done;

    /* Splits in rank order; split[] of lower ranks is complete when t is decided. */
    for (uint32_t t = 0; t < n; t++) {
        uint32_t len = tok_vocab_len(v, t);
        split[2 * t] = split[2 * t + 1] = TOK_NO_ID;
        if (!included(v, ex, t))
            continue;
        if (len == 1) {
            split[2 * t] = split[2 * t + 1] = t;
            continue;
        }
        const uint8_t *p = v->bytes + v->off[t];
        /* the candidates: t's token prefixes below t with a split, shortest first (at most
         * 256, the shortest ones), the single byte first of all */
        uint32_t cand[256], nc = 0, node = v->byte1[p[0]], depth = 0;
        if (node < t && split[2 * node] != TOK_NO_ID)
            cand[nc++] = node;
        for (uint32_t q = longest[t]; q != TOK_NO_ID; q = longest[q])
            chain[depth++] = q;
        while (depth > 0 && nc < 256) {
            uint32_t q = chain[--depth];
            if (q < t && split[2 * q] != TOK_NO_ID)
                cand[nc++] = q;
        }
        v->split = split; /* tok_bpe_valid_pair reads the ranks decided so far */
        while (nc-- > 0) {
            uint32_t a = cand[nc], la = tok_vocab_len(v, a);
            uint32_t b = find_in(v, ex, p + la, len - la);
            if (b == TOK_NO_ID || b >= t || split[2 * b] == TOK_NO_ID)
                continue;
            if (valid_pair(v, ex, p, la, a, b, t)) {
                split[2 * t] = a;
                split[2 * t + 1] = b;
                break;
            }
        }
    }

    /* each token's longest reachable proper token prefix, else its first byte */
    for (uint32_t t = 0; t < n; t++) {
        uint32_t len = tok_vocab_len(v, t), best = TOK_NO_ID;
        if (len >= 2 && split[2 * t] != TOK_NO_ID) {
            best = v->byte1[v->bytes[v->off[t]]];
            for (uint32_t q = longest[t]; q != TOK_NO_ID; q = longest[q])
                if (split[2 * q] != TOK_NO_ID) {
                    best = q;
                    break;
                }
        }
        prefix[t] = best;
    }
    uint64_t *trie, *pairs;
    uint32_t bits, pbits;
    st = tok_bpe_tables_index(v, split, &trie, &bits, &pairs, &pbits);
    if (st != TOK_OK)
        goto done;
    v->trie = trie;
    v->trie_bits = bits;
    *split_out = split;
    *prefix_out = prefix;
    *trie_out = trie;
    *trie_bits = bits;
    *pairs_out = pairs;
    *pair_bits = pbits;
    split = prefix = NULL;
done:
    free(split);
    free(prefix);
    free(order);
    free(longest);
    free(chain);
    if (st != TOK_OK) {
        v->split = NULL;
        v->trie = NULL;
    }
    return st;
}
