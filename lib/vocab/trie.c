/* trie: building the double-array trie of trie.h.
 *
 * Keys are sorted, then nodes are placed depth-first: for each node, the smallest base at which
 * every child's cell (base + byte) is free. A bitmap of used cells lets the search jump over
 * full stretches 64 cells at a time; most nodes have one or two children, so a base is usually
 * found at the first free cell. Build time is about linear in the total key length. */
#include "vocab/trie.h"

#include <string.h>

typedef struct key_ref {
    const uint8_t *p;
    uint32_t len, value, order;
} key_ref;

static int key_cmp(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    uint32_t m = x->len < y->len ? x->len : y->len;
    int c = m ? memcmp(x->p, y->p, m) : 0;
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order; /* later duplicates last */
}

typedef struct builder {
    tok_trie_cell *cells;
    uint64_t *used; /* bit per cell */
    size_t cap;     /* cells allocated */
    size_t top;     /* one past the highest cell in use */
    size_t first_free;
} builder;

static bool grow(builder *b, size_t need)
{
    if (need <= b->cap)
        return true;
    size_t cap = tok_grow_cap(b->cap, need, 1024);
    if (!cap || !tok_realloc(&b->cells, cap, sizeof *b->cells) ||
        !tok_realloc(&b->used, cap / 64 + 1, sizeof *b->used))
        return false;
    memset(b->used + b->cap / 64, 0, (cap / 64 + 1 - b->cap / 64) * sizeof *b->used);
    for (size_t i = b->cap; i < cap; i++)
        b->cells[i] = (tok_trie_cell){0, TOK_TRIE_FREE, TOK_NO_ID, 0};
    b->cap = cap;
    return true;
}

static inline bool is_used(const builder *b, size_t i) { return b->used[i / 64] >> (i % 64) & 1; }

static void mark(builder *b, size_t i)
{
    b->used[i / 64] |= 1ull << (i % 64);
    if (i + 1 > b->top)
        b->top = i + 1;
}

/* The first free cell at or after i (cells past cap count as free). */
static size_t next_free(const builder *b, size_t i)
{
    while (i < b->cap) {
        uint64_t w = ~b->used[i / 64] >> (i % 64);
        if (w)
            return i + (size_t)__builtin_ctzll(w);
        i = (i / 64 + 1) * 64;
    }
    return i;
}

/* A base for children with labels[0..k) (ascending): every base + label free, base >= 1.
 * The search starts at next_check; when the stretch it had to walk was at least 95% full, the
 * next search starts where this one ended (darts' heuristic: the few holes left behind are
 * not worth walking over again and again). */
static bool find_base(builder *b, const uint8_t *labels, size_t k, uint32_t *base)
{
    size_t from = b->first_free > (size_t)labels[0] + 1 ? b->first_free : (size_t)labels[0] + 1;
    size_t f = next_free(b, from), walked = 0, used = 0;
    for (;;) {
        size_t cand = f - labels[0];
        if (!grow(b, cand + 256 + 1))
            return false;
        size_t j = 1;
        while (j < k && !is_used(b, cand + labels[j]))
            j++;
        if (j == k && cand <= UINT32_MAX - 512) {
            *base = (uint32_t)cand;
            break;
        }
        size_t g = next_free(b, f + 1);
        walked += g - f;
        used += g - f - 1;
        f = g;
    }
    if (walked > 16 && used * 20 >= walked * 19)
        b->first_free = f;
    return true;
}

typedef struct frame {
    uint32_t node;
    size_t lo, hi, depth;
} frame;

int tok_trie_build(tok_trie *t, size_t n, const uint8_t *const *keys, const uint32_t *lens,
                   const uint32_t *values)
{
    memset(t, 0, sizeof *t);
    builder b = {0};
    key_ref *k = malloc((n + 1) * sizeof *k);
    frame *stack = malloc((n + 2) * sizeof *stack);
    int rc = -2;
    if (!k || !stack || !grow(&b, 1024))
        goto out;
    for (size_t i = 0; i < n; i++)
        k[i] = (key_ref){keys[i], lens[i], values[i], (uint32_t)i};
    qsort(k, n, sizeof *k, key_cmp);
    mark(&b, 0);
    b.cells[0].check = 0;
    b.cells[0].base = 1; /* never 0: a childless root must not find itself as child 0 */
    b.first_free = 1;
    size_t sp = 0;
    stack[sp++] = (frame){0, 0, n, 0};
    uint8_t labels[256];
    while (sp) {
        frame f = stack[--sp];
        size_t lo = f.lo;
        /* keys ending here: the last of equal keys wins */
        while (lo < f.hi && k[lo].len == f.depth) {
            b.cells[f.node].value = k[lo].value;
            lo++;
        }
        size_t nl = 0;
        for (size_t i = lo; i < f.hi; i++)
            if (nl == 0 || labels[nl - 1] != k[i].p[f.depth])
                labels[nl++] = k[i].p[f.depth];
        if (nl == 0)
            continue;
        uint32_t base;
        if (!find_base(&b, labels, nl, &base))
            goto out;
        b.cells[f.node].base = base;
        for (size_t j = 0; j < nl; j++) {
            mark(&b, base + labels[j]);
            b.cells[base + labels[j]].check = f.node;
        }
        if (is_used(&b, b.first_free))
            b.first_free = next_free(&b, b.first_free);
        /* children in reverse so the first label is placed first */
        size_t end = f.hi;
        for (size_t j = nl; j-- > 0;) {
            size_t start = end;
            while (start > lo && k[start - 1].p[f.depth] == labels[j])
                start--;
            stack[sp++] = (frame){base + labels[j], start, end, f.depth + 1};
            end = start;
        }
    }
    /* room for any base + 255 without a bounds check */
    if (!grow(&b, b.top + 257))
        goto out;
    tok_trie_cell *c = realloc(b.cells, (b.top + 257) * sizeof *c);
    if (c)
        b.cells = c;
    t->cells = b.cells;
    t->n_cells = b.top + 257;
    t->n_keys = n;
    t->max_key_len = 0;
    for (size_t i = 0; i < n; i++)
        if (lens[i] > t->max_key_len)
            t->max_key_len = lens[i];
    b.cells = NULL;
    rc = 0;
out:
    free(b.cells);
    free(b.used);
    free(k);
    free(stack);
    return rc;
}

void tok_trie_set_scores(tok_trie *t, const float *score)
{
    for (size_t i = 0; i < t->n_cells; i++)
        if (t->cells[i].check != TOK_TRIE_FREE && t->cells[i].value != TOK_NO_ID)
            t->cells[i].score = score[t->cells[i].value];
}

void tok_trie_free(tok_trie *t)
{
    free(t->cells);
    memset(t, 0, sizeof *t);
}
