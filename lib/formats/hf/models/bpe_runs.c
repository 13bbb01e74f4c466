/* bpe_runs: HF's merge of a word that is mostly runs of one repeated symbol, done on the runs.
 *
 * The merge loop (bpe.c) holds a symbol and three heap entries per character: 76 bytes and a
 * log factor per character of 4 MB of spaces, which Gemma 3 reads as one word of U+2581 (its
 * tokens for runs of U+2581 keep it off the rank core). Here a run of q equal symbols is one
 * record, and HF's order of merges is followed on the records.
 *
 * HF merges, again and again, the adjacent pair with the lowest (rank, position): its heap
 * skips an entry whose pair no longer makes the same token, and since the loader refuses two
 * tokens with one id and a pair's text only grows while it stays at its position, that is
 * exactly an entry whose pair has changed. So a run needs one entry for its inner pairs (they
 * share a rank; the leftmost comes first) and one for the pair across its end. When a run's
 * inner pair B B (rank r) comes first, HF goes on to merge B B at every second position of the
 * run, left to right, unless a pair that this makes ranks below r: (B' B') or (B' B), B' = BB,
 * or the pair of the symbol before the run with B'. When none does (looked up here), the whole
 * level is one step: q B become q/2 B' (and one B when q is odd). When one does, the first two
 * merge alone, which is always HF's next step. Runs of one letter, of spaces, of one CJK
 * character then take a few steps a doubling, not one a character.
 *
 * A text that is not mostly runs (a run for every four characters or more) is declined: the
 * merge loop is faster on it. So is a model with affixes (their zero-width symbols have no
 * position of their own). */
#include "algo/heap.h"
#include "formats/hf/models/bpe_word.h"

#include <stdlib.h>

typedef struct run {
    uint32_t c, len, count; /* count symbols c of len bytes each; count 0: gone */
    uint32_t pos;           /* the first one's byte position (HF's order of pairs) */
    int32_t prev, next;     /* a gone run's next: the next free record */
} run;

typedef struct runs {
    run *r;
    size_t n, cap;   /* records made, room */
    size_t live, max; /* live runs; more than max and the text is declined */
    int32_t free;    /* a gone record to use again, or -1 */
    uint32_t pos;
} runs;

typedef struct entry {
    uint32_t rank, pos, id, left, right;
    int32_t at;   /* the run whose symbol at pos is the pair's left one */
    bool inner;   /* the run's first two symbols, else its last and the next run's first */
} entry;

static bool entry_less(const entry *a, const entry *b)
{
    return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

TOK_HEAP_DEFINE(entry_heap, entry, entry_less)

typedef struct heap {
    entry *e;
    size_t n, cap;
} heap;

enum { DONE, OOM, DECLINE };

/* A record for a new run; -1 when out of memory or past max (*why says which). An entry that
 * named a gone record may meet a new run in it: entries are checked by what they hold (the
 * position and the pair), never by the record, so it is then the pair it says. */
static int32_t new_run(runs *rs, uint32_t c, uint32_t len, uint32_t count, uint32_t pos, int *why)
{
    if (rs->live >= rs->max) {
        *why = DECLINE;
        return -1;
    }
    int32_t k = rs->free;
    if (k >= 0) {
        rs->free = rs->r[k].next;
    } else {
        if (rs->n == rs->cap) {
            size_t cap = tok_grow_cap(rs->cap, rs->n + 1, 64);
            if (!cap || !tok_realloc(&rs->r, cap, sizeof *rs->r)) {
                *why = OOM;
                return -1;
            }
            rs->cap = cap;
        }
        k = (int32_t)rs->n++;
    }
    rs->r[k] = (run){c, len, count, pos, -1, -1};
    rs->live++;
    return k;
}

/* Word::add, run by run: count symbols equal to the last (same token, same length) lengthen
 * it. */
static bool put_runs(void *ctx, uint32_t id, uint32_t len, uint32_t count)
{
    runs *rs = ctx;
    run *last = rs->n ? &rs->r[rs->n - 1] : NULL;
    if (last && last->c == id && last->len == len) {
        last->count += count;
    } else {
        int why;
        int32_t k = new_run(rs, id, len, count, rs->pos, &why);
        if (k < 0)
            return false; /* out of memory, or not mostly runs after all (byte fallback) */
        rs->r[k].prev = k - 1;
        if (k > 0)
            rs->r[k - 1].next = k;
    }
    rs->pos += len * count;
    return true;
}

static bool put_run(void *ctx, uint32_t id, uint32_t len) { return put_runs(ctx, id, len, 1); }

static bool push(heap *h, entry e)
{
    if (h->n == h->cap) {
        size_t cap = tok_grow_cap(h->cap, h->n + 1, 64);
        if (!cap || !tok_realloc(&h->e, cap, sizeof *h->e))
            return false;
        h->cap = cap;
    }
    entry_heap_push(h->e, &h->n, e);
    return true;
}

static uint32_t last_pos(const run *x) { return x->pos + (x->count - 1) * x->len; }

/* The entry of run k's inner pair, when it has one. */
static bool inner(const hf_model *m, const runs *rs, heap *h, int32_t k)
{
    const run *x = &rs->r[k];
    uint32_t rank, id;
    return x->count < 2 || !hf_merge_lookup(m, x->c, x->c, &rank, &id) ||
           push(h, (entry){rank, x->pos, id, x->c, x->c, k, true});
}

/* The entry of the pair across run k's end, when it has one. */
static bool across(const hf_model *m, const runs *rs, heap *h, int32_t k)
{
    const run *x = &rs->r[k];
    uint32_t rank, id;
    if (k < 0 || x->next < 0)
        return true;
    const run *y = &rs->r[x->next];
    return !hf_merge_lookup(m, x->c, y->c, &rank, &id) ||
           push(h, (entry){rank, last_pos(x), id, x->c, y->c, k, false});
}

/* A new run of one symbol before (after == false) or after run k; -1 when none is made. */
static int32_t insert(runs *rs, int32_t k, bool after, uint32_t c, uint32_t len, uint32_t pos,
                      int *why)
{
    int32_t x = new_run(rs, c, len, 1, pos, why);
    if (x < 0)
        return -1;
    run *r = rs->r;
    int32_t p = after ? k : r[k].prev, nx = after ? r[k].next : k;
    r[x].prev = p;
    r[x].next = nx;
    if (p >= 0)
        r[p].next = x;
    if (nx >= 0)
        r[nx].prev = x;
    return x;
}

static void unlink_run(runs *rs, int32_t k)
{
    run *r = rs->r;
    if (r[k].prev >= 0)
        r[r[k].prev].next = r[k].next;
    if (r[k].next >= 0)
        r[r[k].next].prev = r[k].prev;
    r[k].count = 0;
    r[k].prev = -2; /* gone (the head has -1) */
    r[k].next = rs->free;
    rs->free = k;
    rs->live--;
}

/* Run k joined to its neighbours where they hold the same symbol; the run that holds it now. */
static int32_t coalesce(runs *rs, int32_t k)
{
    run *r = rs->r;
    int32_t p = r[k].prev;
    if (p >= 0 && r[p].c == r[k].c && r[p].len == r[k].len) {
        r[p].count += r[k].count;
        unlink_run(rs, k);
        k = p;
    }
    int32_t nx = r[k].next;
    if (nx >= 0 && r[nx].c == r[k].c && r[nx].len == r[k].len) {
        r[k].count += r[nx].count;
        unlink_run(rs, nx);
    }
    return k;
}

/* Does the pair (a, b) merge before rank r (or with it, from further left)? */
static bool sooner(const hf_model *m, uint32_t a, uint32_t b, uint32_t r)
{
    uint32_t rank, id;
    return hf_merge_lookup(m, a, b, &rank, &id) && rank <= r;
}

/* Run z (one symbol) was just made: while the pair of it and the next run's first symbol is
 * HF's next merge -- before the heap's top, the next run's inner pair and the pair before z --
 * merge it here, without the heap (Gemma 3's U+2581 runs: the first two make one, which then
 * takes the next and the next, up to 31). */
static void chain(const hf_model *m, runs *rs, const heap *h, int32_t z)
{
    run *r = rs->r, *x = &r[z];
    int32_t seen = -1;             /* the next run whose inner pair's rank is known */
    uint32_t inner_rank = UINT32_MAX; /* (none: UINT32_MAX) */
    for (;;) {
        int32_t ny = x->next;
        uint32_t rank, id, r2, id2;
        if (ny < 0 || !hf_merge_lookup(m, x->c, r[ny].c, &rank, &id))
            return;
        if (ny != seen) {
            seen = ny;
            inner_rank = hf_merge_lookup(m, r[ny].c, r[ny].c, &r2, &id2) ? r2 : UINT32_MAX;
        }
        entry e = {rank, x->pos, 0, 0, 0, 0, false};
        if ((h->n && !entry_less(&e, &h->e[0])) || (r[ny].count >= 2 && inner_rank < rank) ||
            (x->prev >= 0 && sooner(m, r[x->prev].c, x->c, rank)))
            return;
        x->c = id;
        x->len += r[ny].len;
        r[ny].count--;
        r[ny].pos += r[ny].len;
        if (!r[ny].count)
            unlink_run(rs, ny);
    }
}

/* After run z was made or changed: joined to equal neighbours, its chain followed, the entries
 * of every pair that may be new. */
static bool settle(const hf_model *m, runs *rs, heap *h, int32_t z)
{
    if (rs->r[z].count == 1)
        chain(m, rs, h, z);
    z = coalesce(rs, z);
    int32_t p = rs->r[z].prev, nx = rs->r[z].next;
    return across(m, rs, h, p) && inner(m, rs, h, z) && across(m, rs, h, z) &&
           (nx < 0 || inner(m, rs, h, nx));
}

/* HF's merges on the runs, in its order: DONE, OOM, or DECLINE (too many runs). */
static int merge_runs(const hf_model *m, runs *rs, heap *h)
{
    for (int32_t k = 0; k < (int32_t)rs->n; k++)
        if (!inner(m, rs, h, k) || !across(m, rs, h, k))
            return OOM;
    int why = OOM;
    while (h->n) {
        entry e = entry_heap_pop(h->e, &h->n);
        run *x = &rs->r[e.at];
        if (x->count == 0)
            continue;
        if (e.inner) {
            if (x->count < 2 || x->pos != e.pos || x->c != e.left)
                continue;
            uint32_t q = x->count, b = x->c, len = x->len;
            bool level = q >= 4 && !sooner(m, e.id, e.id, e.rank) && !sooner(m, e.id, b, e.rank) &&
                         !(x->prev >= 0 && sooner(m, rs->r[x->prev].c, e.id, e.rank));
            if (level) { /* q/2 merges at once; an odd one stays */
                x->c = e.id;
                x->len = 2 * len;
                x->count = q / 2;
                int32_t odd = -1;
                if (q % 2 && (odd = insert(rs, e.at, true, b, len, x->pos + (q - 1) * len, &why)) < 0)
                    return why;
                if (!settle(m, rs, h, e.at) || (odd >= 0 && !settle(m, rs, h, odd)))
                    return OOM;
            } else { /* the first two alone */
                int32_t y = insert(rs, e.at, false, e.id, 2 * len, x->pos, &why);
                if (y < 0)
                    return why;
                x = &rs->r[e.at]; /* insert may move the runs */
                x->count -= 2;
                x->pos += 2 * len;
                if (x->count == 0)
                    unlink_run(rs, e.at);
                if (!settle(m, rs, h, y))
                    return OOM;
            }
            continue;
        }
        if (x->next < 0 || last_pos(x) != e.pos || x->c != e.left || rs->r[x->next].c != e.right)
            continue;
        /* the last symbol of x and the first of the next run become one */
        int32_t ny = x->next;
        uint32_t len = x->len + rs->r[ny].len;
        int32_t z = e.at;
        if (x->count == 1) {
            x->c = e.id;
            x->len = len;
        } else {
            x->count--;
            if ((z = insert(rs, e.at, true, e.id, len, e.pos, &why)) < 0)
                return why;
        }
        run *y = &rs->r[ny];
        y->count--;
        y->pos += y->len;
        if (y->count == 0)
            unlink_run(rs, ny);
        if (!settle(m, rs, h, z))
            return OOM;
    }
    return DONE;
}

/* Characters in s[0..n) and how many equal the one before: a cheap look at whether the text is
 * mostly runs, before any record is made. */
static size_t runs_of_chars(const uint8_t *s, size_t n, bool bytes, size_t *chars)
{
    size_t r = 0, c = 0, plen = 0;
    const uint8_t *prev = NULL;
    for (size_t i = 0; i < n;) {
        /* the symbols' characters: bytes, or as tok_utf8_decode reads them */
        size_t cl = bytes || s[i] < 0x80 ? 1 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
        if (cl > n - i)
            cl = n - i;
        if (!prev || cl != plen || !tok_same_char(prev, s + i, cl))
            r++;
        prev = s + i;
        plen = cl;
        i += cl;
        size_t j = tok_run_end(s, i, n, cl); /* the copies right after it */
        c += 1 + (j - i) / cl;
        i = j;
    }
    *chars = c;
    return r;
}

tok_status hf_bpe_runs(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                       hf_tokens *out, uint32_t base, bool drain, bool *declined)
{
    *declined = true;
    if (m->prefix_len || m->suffix_len || m->whole_words)
        return TOK_OK;
    size_t chars, nr = runs_of_chars(s, n, m->byte_level, &chars);
    if (nr * 4 > chars)
        return TOK_OK;
    uint8_t buf[8];
    runs rs = {NULL, 0, 0, 0, 2 * nr + 16, -1, 0};
    heap h = {NULL, 0, 0};
    tok_status st = hf_bpe_symbols(&t->vocab, m, s, n, buf, put_run, put_runs, &rs);
    int done = st == TOK_OK ? merge_runs(m, &rs, &h) : st == TOK_ENOMEM && rs.live >= rs.max ? DECLINE : DONE;
    if (done == DECLINE) { /* more runs than it is worth: the merge loop */
        free(rs.r);
        free(h.e);
        return TOK_OK;
    }
    *declined = false;
    if (done == OOM)
        st = TOK_ENOMEM;
    int32_t head = -1; /* runs go in before others: the first is the live one with none before */
    for (size_t k = 0; k < rs.n && head < 0; k++)
        if (rs.r[k].prev == -1)
            head = (int32_t)k;
    for (int32_t k = head; st == TOK_OK && k >= 0; k = rs.r[k].next) {
        const run *x = &rs.r[k];
        for (uint32_t i = 0; i < x->count; i++) {
            uint32_t at = base + x->pos + i * x->len;
            if (!hf_tokens_push(out, x->c, at, at + x->len)) {
                st = TOK_ENOMEM;
                break;
            }
            if (drain)
                hf_tokens_settled(out);
        }
    }
    free(rs.r);
    free(h.e);
    return st == TOK_OK && out->oom ? TOK_ENOMEM : st;
}
