/* bpe_rank: tiktoken's byte-pair encoding of one piece.
 *
 * Semantics (tiktoken's byte_pair_merge): start from single bytes; repeatedly merge the adjacent
 * pair whose concatenated bytes have the lowest rank, the leftmost one on ties; stop when no
 * adjacent pair is a token. A token's rank is its id.
 *
 * Speed, in the order it matters on real text:
 *   1. Whole-piece lookup. Most pieces (a word with its leading space) are one token, found
 *      with one hash probe (or a direct table for one and two bytes) before any merging.
 *      Most of the rest recur, and come from the per-thread word cache (word_cache.c).
 *   2. Short pieces (<= SCAN_MAX bytes, not led by a three-byte character): tiktoken's own
 *      array scan -- O(n^2) on a handful of
 *      bytes, in registers and L1, pair ranks from a 64K-entry table of two-byte tokens.
 *   3. Longer pieces (CJK runs, base64, a megabyte of one character): the linear backtracking
 *      encoder below, on tables computed once per vocabulary (algo/bpe_tables.c), O(n).
 *      Vocabularies without the tables, and pieces holding a token the tables leave out
 *      (algo/bpe_verify.c), take tiktoken's merge: the array scan up to SMALL_MAX bytes, the
 *      heap beyond (O(n log n)).
 * No allocation per piece: long pieces borrow the call's scratch block.
 *
 * tiktoken's merge, with a heap for long pieces (O(n log n)), is kept as the reference the tests
 * check the linear encoder against, and serves vocabularies without the tables. */
#include "algo/algo.h"
#include "algo/heap.h"
#include "algo/word_cache.h"

#define SMALL_MAX 64 /* longest piece the array scan handles (its stack arrays) */
#define SCAN_MAX 16  /* up to here the scan beats the linear encoder (measured, make bench) */
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
        /* drop part at+1: starts has cnt + 1 entries, ids and rank cnt (a few words: a loop,
         * not three calls) */
        for (size_t k = at + 1; k + 1 < cnt; k++) {
            starts[k] = starts[k + 1];
            ids[k] = ids[k + 1];
            rank[k] = rank[k + 1];
        }
        starts[cnt - 1] = starts[cnt];
        cnt--;
        rank[at] = at + 1 < cnt ? rank_of(v, p + starts[at], starts[at + 2] - starts[at]) : NONE;
        if (at > 0)
            rank[at - 1] = rank_of(v, p + starts[at - 1], starts[at + 1] - starts[at - 1]);
    }
    return cnt;
}

/* The heap of the reference merge: (rank << 32 | start), lowest first. */
static inline bool key_less(const uint64_t *a, const uint64_t *b) { return *a < *b; }
TOK_HEAP_DEFINE(rank_heap, uint64_t, key_less)

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
            rank_heap_push(heap, &hn, (uint64_t)rank[i] << 32 | i);
    }
    while (hn) {
        uint64_t key = rank_heap_pop(heap, &hn);
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
            rank_heap_push(heap, &hn, (uint64_t)rank[i] << 32 | i);
        if (i > 0) {
            uint32_t h = prev[i];
            rank[h] = rank_of(v, p + h, next[i] - h);
            if (rank[h] != NONE)
                rank_heap_push(heap, &hn, (uint64_t)rank[h] << 32 | h);
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

/* A walk's step from node by byte: the child, NONE when there is none or when it is a leaf
 * (the walk ends either way); *best becomes the child when it is a token. */
static inline uint32_t step(const tok_vocab *v, uint32_t node, uint8_t byte, uint32_t *best)
{
    uint64_t s = tok_trie_edge(v, node, byte);
    if (s == UINT64_MAX)
        return NONE;
    uint32_t child = TOK_TRIE_NODE(s);
    if (child < v->n_ids)
        *best = child;
    return s & TOK_TRIE_LEAF ? NONE : child;
}

/* The walk from node over bytes p[from..3) of a three-byte character: the node after them
 * (NONE when the walk ends); *best and *len (bytes from p[0]) follow each token met. */
static inline uint32_t walk_char(const tok_vocab *v, uint32_t node, const uint8_t *p,
                                 uint32_t from, uint32_t *best, uint32_t *len)
{
    for (uint32_t j = from; j < 3 && node != NONE; j++) {
        uint32_t was = *best;
        node = step(v, node, p[j], best);
        if (*best != was)
            *len = j + 1;
    }
    return node;
}

/* The walk over the three-byte character p[0..3): the memo's r3 entry (algo.h), filled. */
static __attribute__((noinline)) uint64_t fill_r3(const tok_vocab *v, const uint8_t *p,
                                                  tok_bpe_thread_memo *memo, uint32_t k)
{
    uint32_t best = v->byte1[p[0]], len = 1;
    uint32_t node = walk_char(v, best, p, 1, &best, &len);
    uint64_t e = (uint64_t)len << 56 | (uint64_t)(node & 0xFFFFFF) << 32 |
                 (uint64_t)memo->gen << 21 | best;
    memo->r3[k] = e;
    return e;
}

/* The trie walk from node over the three-byte character p[0..3), through the memo's step table:
 * the node after it (NONE when the walk ends inside it or on it), and the longest token ending
 * inside it (*best, NONE for none) with how many of the three bytes it takes (*len). */
static inline uint32_t step3(const tok_vocab *v, const uint8_t *p, uint32_t node,
                             tok_bpe_thread_memo *memo, uint32_t *best, uint32_t *len)
{
    uint32_t c = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    uint64_t key = (uint64_t)memo->gen << 53 | (uint64_t)node << 16 | c;
    uint64_t *e = memo->step[(tok_fib_hash(key) >> (64 - TOK_BPE_STEP_BITS))];
    if (e[0] != key) {
        uint32_t b = NONE, l = 0, k = walk_char(v, node, p, 0, &b, &l);
        e[0] = key;
        e[1] = (uint64_t)k << 32 | (uint64_t)l << 22 | (b == NONE ? 0x3FFFFFu : b);
    }
    uint32_t b = (uint32_t)e[1] & 0x3FFFFF;
    *best = b == 0x3FFFFF ? NONE : b;
    *len = (uint32_t)(e[1] >> 22) & 3;
    return (uint32_t)(e[1] >> 32);
}

/* step from the single byte p[0] by p[1], through the memo's b2 table (algo.h) */
static inline uint32_t step2(const tok_vocab *v, const uint8_t *p, tok_bpe_thread_memo *memo,
                             uint32_t *best)
{
    uint32_t k = (uint32_t)p[0] << 8 | p[1];
    uint64_t e = memo->b2[k];
    if (e >> 53 != memo->gen) {
        uint64_t s = tok_trie_edge(v, v->byte1[p[0]], p[1]);
        e = (uint64_t)memo->gen << 53 |
            (s == UINT64_MAX ? 0xFFFFFFu : (uint64_t)!!(s & TOK_TRIE_LEAF) << 24 | TOK_TRIE_NODE(s));
        memo->b2[k] = e;
    }
    uint32_t child = (uint32_t)e & 0xFFFFFF;
    if (child == 0xFFFFFF)
        return NONE;
    if (child < v->n_ids)
        *best = child;
    return e >> 24 & 1 ? NONE : child;
}

/* The longest reachable token starting at p[pos] within p[0..n), with its length in *len
 * (the walk knows it; the offsets table is a cache miss). Single bytes are always tokens, so
 * there is one. A three-byte character at pos is walked in one lookup when the thread's memo
 * has it, and so is each later one (step3). *seen gets how many bytes from pos the answer
 * depends on (at least up to where the walk stopped), or 0 when the walk ran to the end of the
 * piece. */
static inline uint32_t longest_token(const tok_vocab *v, const uint8_t *p, size_t pos, size_t n,
                                     tok_bpe_thread_memo *memo, size_t *seen, uint32_t *len)
{
    uint32_t node, best;
    size_t i = pos + 1;
    const uint8_t b0 = p[pos];
    if (memo && (b0 & 0xF0) == 0xE0 && n - pos >= 3 && (p[pos + 1] & 0xC0) == 0x80 &&
        (p[pos + 2] & 0xC0) == 0x80) {
        /* a bijection on E0-EF x 80-BF x 80-BF, so only well-formed bytes may use it */
        uint32_t k = (uint32_t)(b0 & 0x0F) << 12 | (uint32_t)(p[pos + 1] & 0x3F) << 6 |
                     (p[pos + 2] & 0x3F);
        uint64_t e = memo->r3[k];
        if ((e >> 21 & 0x7FF) != memo->gen)
            e = fill_r3(v, p + pos, memo, k);
        node = (uint32_t)(e >> 32) & 0xFFFFFF;
        best = (uint32_t)e & 0x1FFFFF;
        *len = (uint32_t)(e >> 56);
        if (node == 0xFFFFFF) {
            *seen = 3;
            return best;
        }
        i = pos + 3;
        /* the characters after it, each in one lookup (the key needs the node in 32 bits) */
        while (n - i >= 3 && (p[i] & 0xF0) == 0xE0 && (p[i + 1] & 0xC0) == 0x80 &&
               (p[i + 2] & 0xC0) == 0x80) {
            uint32_t b, l;
            node = step3(v, p + i, node, memo, &b, &l);
            if (b != NONE)
                best = b, *len = (uint32_t)(i - pos) + l;
            i += 3;
            if (node == NONE) {
                *seen = i - pos;
                return best;
            }
        }
    } else {
        node = best = v->byte1[b0];
        *len = 1;
        if (memo && i < n) { /* the second byte in one lookup */
            node = step2(v, p + pos, memo, &best);
            if (best != v->byte1[b0])
                *len = 2;
            i++;
            if (node == NONE) {
                *seen = 2;
                return best;
            }
        }
    }
    for (; i < n; i++) {
        uint32_t b = best;
        node = step(v, node, p[i], &best);
        if (best != b)
            *len = (uint32_t)(i + 1 - pos);
        if (node == NONE) {
            *seen = i + 1 - pos;
            return best;
        }
    }
    *seen = 0;
    return best;
}

/* The last walk of a piece, for longest_again. */
typedef struct walk {
    size_t pos, seen;
    uint32_t tok, len;
} walk;

/* longest_token at pos, unless the bytes the last walk depended on recur there (a run of one
 * character, of spaces, of a CJK character: every walk the same): then its answer. */
static inline uint32_t longest_again(const tok_vocab *v, const uint8_t *p, size_t pos, size_t n,
                                     tok_bpe_thread_memo *memo, walk *w, uint32_t *len)
{
    size_t k = w->seen;
    if (!(k && k <= n - pos && p[pos] == p[w->pos] && !memcmp(p + pos, p + w->pos, k))) {
        w->pos = pos;
        w->tok = longest_token(v, p, pos, n, memo, &w->seen, &w->len);
    }
    *len = w->len;
    return w->tok;
}

/* tok_bpe_valid_pair(a, b) through a direct-mapped cache: a slot holds the generation and
 * (a << 21 | b) + 1 above the answer bit (ids have at most 21 bits: algo/bpe_tables.c). Runs
 * and repetitive text ask the same pairs again and again; a walk down two merge trees costs
 * hundreds of instructions. */
static inline bool valid_cached(const tok_vocab *v, const uint8_t *p, size_t pos, uint32_t a,
                                uint32_t b, tok_bpe_thread_memo *memo)
{
    if (!memo)
        return tok_bpe_valid_pair(v, p, pos, a, b, NONE);
    uint64_t key = ((uint64_t)a << 21 | b) + 1;
    uint64_t *slot = &memo->pairs[tok_fib_hash(key) >> (64 - TOK_BPE_MEMO_BITS)];
    key |= (uint64_t)memo->gen << 52;
    if (*slot >> 1 == key)
        return *slot & 1;
    bool ok = tok_bpe_valid_pair(v, p, pos, a, b, NONE);
    *slot = key << 1 | ok;
    return ok;
}

/* Linear BPE (the backtracking encoder of rust-gems' bpe crate): a sequence of tokens covering
 * the piece is BPE's encoding exactly when every adjacent pair is valid (tok_bpe_valid_pair), so
 * take the longest token that keeps the sequence valid, else the next shorter prefix token, and
 * when no token fits at a position, mark the position dead and back up one token. Each
 * position dies at most once, so the work is linear in the piece (times the few candidates
 * tried per position). Returns the number of tokens, or 0 if the tables are inconsistent.
 *
 * The stack holds the tokens' ids (toks), or, for a very long piece whose ids nobody keeps, their
 * lengths alone (lens, one byte a token instead of four): the top's id is then kept aside, and
 * the one below it found again by its bytes when the top is popped (each position dies once, so
 * that is a lookup per death). A token longer than 255 bytes gives LENS_TOO_LONG there. */
#define LENS_TOO_LONG SIZE_MAX
static inline __attribute__((always_inline)) size_t
backtrack(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *toks, uint8_t *lens,
          uint32_t *starts, uint64_t *dead, tok_bpe_thread_memo *memo)
{
    if (!lens) /* lengths: dead comes zeroed (sparse: a piece of megabytes) */
        memset(dead, 0, ((n >> 6) + 1) * sizeof *dead);
    size_t top = 0, pos = 0;
    /* the memo's entries keep ids in 21 bits and r3's nodes in 24 (a table of 2^24 slots holds
     * fewer than 2^23 nodes) */
    if (memo && (v->n_ids > 1u << 21 || v->trie_bits > 24))
        memo = NULL;
    size_t deaths = 0;
    walk w = {0, 0, NONE, 0};
    uint32_t top_id = NONE; /* lens: the id of the token on top */
    uint32_t next_len, next = longest_again(v, p, 0, n, memo, &w, &next_len);
    for (;;) {
        uint32_t t = next, len = next_len, last = lens ? top_id : top ? toks[top - 1] : NONE;
        for (;;) {
            size_t end = pos + len;
            if ((uint32_t)(len - 1) >= n - pos) /* no bytes, or past the piece: a damaged pack */
                return 0;
            if (!(dead[end >> 6] >> (end & 63) & 1) &&
                (last == NONE || valid_cached(v, p, pos, last, t, memo))) {
                /* The walk's length is the token's own, unless a damaged pack's trie says
                 * otherwise (tables built here put each token at its own depth): tables read
                 * from a file are held to it, so what is returned tiles the piece by the
                 * tokens' lengths, as callers place them. The load is off the chain to the
                 * next walk, which starts from the walk's length. */
                if (v->untrusted && tok_vocab_len(v, t) != len)
                    return 0;
                if (lens) {
                    if (len > 255)
                        return LENS_TOO_LONG;
                    lens[top] = (uint8_t)len;
                    top_id = t;
                } else {
                    toks[top] = t;
                }
                if (starts)
                    starts[top] = (uint32_t)pos;
                top++;
                pos = end;
                if (pos == n) {
                    if (starts)
                        starts[top] = (uint32_t)n;
                    return top;
                }
                next = longest_again(v, p, pos, n, memo, &w, &next_len);
                break;
            }
            if (v->next_prefix[t] != NONE) {
                t = v->next_prefix[t];
                len = tok_vocab_len(v, t);
                continue;
            }
            /* nothing fits at pos after `last`: pos is dead; retry `last` shorter. Each position
             * dies once and a pop stays inside the piece, since every token taken was checked
             * to be as long as its step; the two guards are a second line for damaged tables. */
            if (top == 0 || ++deaths > n)
                return 0;
            dead[pos >> 6] |= 1ull << (pos & 63);
            top--;
            next = lens ? top_id : toks[top];
            next_len = lens ? lens[top] : tok_vocab_len(v, next);
            if (next_len > pos)
                return 0;
            pos -= next_len; /* the tokens tile p: no starts array needed */
            if (lens && top) {
                top_id = tok_vocab_find(v, p + pos - lens[top - 1], lens[top - 1]);
                if (top_id == NONE) /* a damaged pack's table misses its own token */
                    return 0;
            } else if (lens) {
                top_id = NONE;
            }
            break;
        }
    }
}

size_t tok_bpe_rank_backtrack(const tok_vocab *v, const uint8_t *p, size_t n, uint32_t *toks,
                              uint32_t *starts, uint64_t *dead, tok_bpe_thread_memo *memo)
{
    return backtrack(v, p, n, toks, NULL, starts, dead, memo);
}

static __attribute__((noinline)) size_t backtrack_lens(const tok_vocab *v, const uint8_t *p,
                                                       size_t n, uint8_t *lens, uint64_t *dead,
                                                       tok_bpe_thread_memo *memo)
{
    return backtrack(v, p, n, NULL, lens, NULL, dead, memo);
}

/* From this many bytes a piece whose ids are not kept (a count, or a view that finds them
 * again) is encoded on lengths: 4 MB of random CJK is one piece of 4 MB */
#define LENS_MIN (64u * 1024)

enum { STACK = 256 };
/* Room for the parts of a piece that fits on the stack. */
typedef struct parts_buf {
    uint32_t ids[STACK], starts[STACK + 1];
    uint64_t dead[STACK / 64 + 1];
} parts_buf;

/* A piece's parts: ids, with starts (NULL for a long piece: the ids' lengths tile it), or lens
 * alone (a very long piece asked with lens_ok). */
typedef struct parts {
    uint32_t *ids, *starts;
    uint8_t *lens;
    size_t m; /* 0 when out of memory */
} parts;

/* BPE of p[0..n) (n >= 2) as parts, in b or the call's scratch */
__attribute__((always_inline)) static inline parts parts_of(const tok_vocab *v, const uint8_t *p,
                                                            size_t n, tok_scratch *sc,
                                                            parts_buf *b, bool lens_ok)
{
    parts r = {b->ids, b->starts, NULL, 0};
    uint64_t *dead = b->dead;
    /* the linear encoder serves pieces past SCAN_MAX, and those of two or more three-byte
     * characters (its per-thread tables walk a CJK character in one lookup where the scan
     * probes the hash table per merge: cachegrind on Japanese, 1.6% fewer instructions and
     * 4.5% fewer L1 misses), unless they hold a token its tables leave out
     * (algo/bpe_verify.c); tiktoken's merge serves the rest */
    bool wide = n > SCAN_MAX || (n >= 6 && (p[0] & 0xF0) == 0xE0);
    bool linear = v->split && wide && (!v->n_anom || !tok_bpe_piece_has_anom(v, p, n));
    if (!wide || (!linear && n <= SMALL_MAX)) {
        r.m = tok_bpe_rank_merge_small(v, p, n, r.ids, r.starts);
    } else if (linear) {
        size_t words = (n >> 6) + 1;
        if (lens_ok && n >= LENS_MIN) {
            /* the dead positions in sparse zero pages: 1 bit a byte of the piece, of which a
             * few are set (4 MB of spaces through Mistral 7B's file: 1.6 MB of 17.5 above the
             * warm start, issue 14's 4x) */
            uint8_t *mem = tok_scratch_get(sc, n);
            uint64_t *gone = mem ? tok_sparse_alloc(words * 8) : NULL;
            if (!gone)
                return r;
            r.m = backtrack_lens(v, p, n, mem, gone, tok_bpe_memo(v));
            tok_sparse_free(gone, words * 8);
            if (r.m && r.m != LENS_TOO_LONG) {
                r.ids = r.starts = NULL;
                r.lens = mem;
                return r;
            }
            if (!r.m)
                goto heap;
        }
        if (n > STACK) {
            /* no starts (they follow from the ids' lengths): 4 bytes per byte of a hostile
             * piece, and only as many as there are tokens are touched */
            uint8_t *mem = tok_scratch_get(sc, words * 8 + n * sizeof(uint32_t));
            if (!mem)
                return r;
            dead = (uint64_t *)mem;
            r.ids = (uint32_t *)(dead + words);
            r.starts = NULL;
        }
        r.m = tok_bpe_rank_backtrack(v, p, n, r.ids, r.starts, dead, tok_bpe_memo(v));
    }
heap:
    if (r.m == 0) { /* a long piece without the linear encoder: tiktoken's own merge */
        size_t work = tok_bpe_rank_heap_work(n);
        uint8_t *mem = tok_scratch_get(sc, work + (2 * n + 1) * sizeof(uint32_t));
        if (!mem)
            return r;
        r.ids = (uint32_t *)(mem + work);
        r.starts = r.ids + n;
        r.m = tok_bpe_rank_merge_heap(v, p, n, r.ids, r.starts, mem);
    }
    return r;
}

/* Does o only count (no arrays, none to grow)? Then a piece's ids are not kept. */
static inline bool counting(const tok_out *o)
{
    return !o->grow && !o->cap;
}

static inline void push_parts(const tok_vocab *v, tok_out *o, parts r, uint64_t base)
{
    if (r.lens) { /* lens_ok was counting(o) */
        o->n += r.m;
        return;
    }
    if (!r.starts) { /* a long piece: the parts tile it */
        for (size_t k = 0; k < r.m; k++) {
            uint32_t len = tok_vocab_len(v, r.ids[k]);
            tok_out_push(o, r.ids[k], base, base + len);
            base += len;
        }
        return;
    }
    for (size_t k = 0; k < r.m; k++)
        tok_out_push(o, r.ids[k], base + r.starts[k], base + r.starts[k + 1]);
}

/* The piece as tokens by merging (it is not one whole token, or that token must not be taken). */
bool tok_bpe_rank_parts(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base,
                        tok_out *o, tok_scratch *sc)
{
    if (n == 1) {
        tok_out_push(o, v->byte1[p[0]], base, base + 1);
        return true;
    }
    parts_buf b;
    parts r = parts_of(v, p, n, sc, &b, counting(o));
    push_parts(v, o, r, base);
    return r.m > 0;
}

/* The same, the parts left where BPE made them (no copy: a hostile piece's tokens cost 4 bytes
 * each once, not twice, or one byte on lengths); short pieces' parts are copied from the stack
 * to the scratch. */
bool tok_bpe_rank_parts_view(const tok_vocab *v, const uint8_t *p, size_t n, tok_scratch *sc,
                             tok_bpe_view *out)
{
    *out = (tok_bpe_view){NULL, NULL, 0};
    if (n == 0)
        return false;
    parts_buf b;
    uint32_t one = v->byte1[p[0]];
    parts r = n == 1 ? (parts){&one, NULL, NULL, 1} : parts_of(v, p, n, sc, &b, true);
    if (r.m && (r.ids == b.ids || r.ids == &one)) {
        uint32_t *copy = tok_scratch_get(sc, r.m * sizeof *copy);
        if (!copy)
            return false;
        memcpy(copy, r.ids, r.m * sizeof *copy);
        r.ids = copy;
    }
    *out = (tok_bpe_view){r.ids, r.lens, r.m};
    return r.m > 0;
}

/* The slow path of a piece: BPE, its result kept in the word cache (slot, when not NULL). Out of
 * line, so the common paths above it need no room for the parts. */
static __attribute__((noinline)) bool merge_piece(const tok_vocab *v, const uint8_t *p, size_t n,
                                                  uint64_t base, tok_out *o, tok_scratch *sc,
                                                  tok_wc_entry *slot)
{
    parts_buf b;
    parts r = parts_of(v, p, n, sc, &b, counting(o));
    push_parts(v, o, r, base);
    if (slot && r.starts) /* slots are for short pieces, which have starts */
        tok_wc_store(slot, v->uid, p, n, r.m, r.ids, r.starts, r.starts + 1, 0);
    return r.m > 0;
}

/* The token p[0..n) (3 <= n <= 8) is, or NONE, through the thread's piece table; *h is the
 * piece's hash when it was computed (a miss), else left as it is. */
static inline uint32_t short_piece(const tok_vocab *v, tok_bpe_thread_memo *memo,
                                   const uint8_t *p, size_t n, uint64_t *h)
{
    uint64_t key, tag, *e = tok_bpe_piece_slot(memo, p, n, &key, &tag);
    if (e[0] == key && (e[1] & ~0xFFFFFFFFull) == tag)
        return (uint32_t)e[1];
    *h = tok_hash_bytes(p, n);
    uint32_t id = tok_vocab_find_hashed(v, p, n, *h);
    e[0] = key;
    e[1] = tag | id;
    return id;
}

/* A piece: one token when its bytes are one (one hash probe, or the direct tables for one and
 * two bytes); else the per-thread word cache (algo/word_cache.c), keyed by the same hash; else
 * BPE, whose result the cache keeps. */
bool tok_bpe_rank_piece_call(const tok_vocab *v, const uint8_t *p, size_t n, uint64_t base,
                             tok_out *o, tok_scratch *sc)
{
    uint64_t h = 0;
    uint32_t id;
    tok_bpe_thread_memo *memo;
    if (n <= 2) {
        id = n == 1 ? v->byte1[p[0]] : v->pair2[(uint32_t)p[0] << 8 | p[1]];
    } else if (n <= 8 && v->n_ids <= 1u << 21 && (memo = tok_bpe_memo_of(v))) {
        id = short_piece(v, memo, p, n, &h); /* the memo keeps ids of 21 bits */
    } else {
        h = tok_hash_bytes(p, n);
        id = tok_vocab_find_hashed(v, p, n, h);
    }
    if (id != NONE) {
        tok_out_push(o, id, base, base + n);
        return true;
    }
    tok_wc_entry *slot = NULL;
    /* text whose pieces do not recur (base64, random CJK) stops asking after a while: a miss
     * costs a cache line and a store */
    if (n > 2 && n <= TOK_WC_WORD && (sc->wc_misses < 64 || sc->wc_hits >= sc->wc_misses / 4)) {
        if (!h) /* the piece table answered without hashing */
            h = tok_hash_bytes(p, n);
        const tok_wc_entry *e = tok_wc_find_hashed(v->uid, h, p, n, &slot);
        if (e) {
            sc->wc_hits++;
            for (size_t k = 0; k < e->n; k++)
                tok_out_push(o, e->ids[k], base + e->start[k], base + e->end[k]);
            return true;
        }
        sc->wc_misses++;
    }
    return merge_piece(v, p, n, base, o, sc, slot);
}
