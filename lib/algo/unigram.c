/* unigram: the best segmentation of a text under a unigram language model (Viterbi).
 *
 * As sentencepiece's EncodeOptimized (unigram_model.cc) and Hugging Face's encode_optimized
 * (models/unigram/model.rs): one pass over the character starts; from each, the trie walk
 * yields every piece that begins there, and each piece offers "best score here + its score" to
 * the position where it ends. Only the best path ending at each byte position is kept, with no
 * lattice nodes and nothing allocated per piece, so time is O(n * longest piece). A character
 * where no one-character piece starts gets the unknown piece, scored min - 10.
 *
 * Memory does not grow with the text. A score is needed only until the pass moves a longest
 * piece past it, so scores live in a ring of that size. The back pointers (where the best path
 * to a position starts its last piece, and that piece) are needed until the path through them
 * is certain: every so often the pass follows the back pointers of the positions the best
 * path may still leave from (the last longest-piece's worth) until they meet; where they meet,
 * every way on goes through that position, so the pieces before it are final. They are emitted
 * and forgotten. On ordinary text, runs of one letter included, the paths meet within a few
 * pieces; when they do not, the checks grow geometrically apart, so their cost stays linear.
 *
 * The arithmetic is the reference's, bit for bit, since ties and near-ties decide ids:
 * sentencepiece keeps best-path scores in float but adds and compares a piece's score in double
 * (its user-defined bonus, length * max - 0.1, is a double expression), while the unknown
 * piece's score is added in float; Hugging Face works in double throughout. (A float score
 * kept in the ring's double is the same number.) Ties keep the first path found (strictly
 * greater replaces). */
#include "algo/unigram.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_CHECK 16384 /* positions held before the first look for where paths meet */
#define SHORT 256         /* texts shorter than this are worked on the stack */
#define IDS_MAX 65536     /* texts shorter than this keep the ids of their entries */

/* The best path ending at a byte position is kept as the length of its last piece, with the
 * top bit set when that piece is the unknown one (the piece's id is the trie's for its text
 * otherwise: settle_at looks it up again); 0 when no path reaches the position yet. One byte
 * per position when every piece is shorter than 128 bytes, else two or four: a run of one
 * letter, whose best paths meet only at its start, is held whole, so this is the memory a
 * long piece costs. */
typedef struct vit {
    const tok_unigram *u;
    const uint8_t *s;
    size_t n, L;       /* L: the longest piece or unknown character, in bytes */
    double *ring;      /* best-path score at position p: ring[p & mask] */
    size_t mask, ring_bytes;
    void *back;        /* entries of width w for positions [base, base + cap) */
    uint32_t *ids;     /* texts under IDS_MAX: the piece each entry's path ends with (else
                          NULL: looked up again when emitted) */
    size_t base, cap;
    size_t init_to;    /* positions below it have their entry initialised */
    tok_scratch *sc;   /* holds ring, then back */
    tok_uni_emit emit;
    void *ctx;
} vit;

static inline __attribute__((always_inline)) uint32_t get(const vit *v, size_t i, const int w)
{
    return w == 1 ? ((const uint8_t *)v->back)[i]
           : w == 2 ? ((const uint16_t *)v->back)[i]
                    : ((const uint32_t *)v->back)[i];
}

static inline __attribute__((always_inline)) void put(vit *v, size_t i, uint32_t x, const int w)
{
    if (w == 1)
        ((uint8_t *)v->back)[i] = (uint8_t)x;
    else if (w == 2)
        ((uint16_t *)v->back)[i] = (uint16_t)x;
    else
        ((uint32_t *)v->back)[i] = x;
}

#define UNK_BIT(w) (1u << (8 * (w) - 1))

/* Positions up to upto addressable and initialised (unreached). */
static inline __attribute__((always_inline)) bool ensure(vit *v, size_t upto, const int w)
{
    if (upto - v->base >= v->cap) {
        size_t need = upto - v->base + 1, cap = v->cap + v->cap / 2 > need ? v->cap + v->cap / 2
                                                                            : need;
        uint8_t *m = tok_scratch_get(v->sc, v->ring_bytes + cap * (size_t)w);
        if (!m)
            return false;
        v->ring = (double *)m;
        v->back = m + v->ring_bytes;
        v->cap = cap;
    }
    if (v->init_to <= upto) { /* all the room there is, at once: not a call per position */
        size_t to = v->base + v->cap - 1;
        if (to > v->n)
            to = v->n;
        memset((uint8_t *)v->back + (v->init_to - v->base) * (size_t)w, 0,
               (to + 1 - v->init_to) * (size_t)w);
        v->init_to = to + 1;
    }
    return true;
}

/* The length of the character at s[pos], cut at n. */
static inline size_t char_at(const uint8_t *s, size_t pos, size_t n)
{
    size_t k = tok_spm_char_len(s[pos]);
    return k > n - pos ? n - pos : k;
}

/* Offer the path "best at pos, then a piece of len bytes (unk: the unknown piece)", scored
 * cand, to position pos + len; kept scores stored (sentencepiece rounds to float what it
 * compared in double). */
static inline __attribute__((always_inline)) bool offer(vit *v, size_t pos, size_t len,
                                                        bool unk, double cand, double stored,
                                                        const int w)
{
    size_t t = pos + len;
    uint32_t e = get(v, t - v->base, w);
    double *ts = &v->ring[t & v->mask];
    if (e == 0 || cand > *ts) {
        *ts = stored;
        put(v, t - v->base, (uint32_t)len | (unk ? UNK_BIT(w) : 0), w);
        return true;
    }
    return false;
}

/* offer, with the piece's id kept when the text keeps its ids. */
static inline __attribute__((always_inline)) bool offer_id(vit *v, size_t pos, size_t len,
                                                           bool unk, double cand, double stored,
                                                           uint32_t id, const int w)
{
    if (!offer(v, pos, len, unk, cand, stored, w))
        return false;
    if (v->ids)
        v->ids[pos + len - v->base] = id;
    return true;
}

/* Every piece that starts at the character start pos. spm, kinds and w are constants in
 * each instantiation (sentencepiece; user-defined or unused pieces; entry width). False when
 * an unknown character won in a Hugging Face model without unk_id. */
static inline __attribute__((always_inline)) bool step(vit *v, size_t pos, size_t mblen,
                                                       const bool spm, const bool kinds,
                                                       const int w)
{
    const tok_unigram *u = v->u;
    const tok_trie_cell *cells = u->trie.cells;
    const uint8_t *s = v->s;
    const double here = v->ring[pos & v->mask];
    bool single = false;
    uint32_t node = 0;
    for (size_t k = pos; u->trie.n_keys && k < v->n; k++) {
        uint32_t next = cells[node].base + s[k];
        if (cells[next].check != node)
            break;
        node = next;
        uint32_t id = cells[node].value;
        if (id == TOK_NO_ID)
            continue;
        size_t len = k + 1 - pos;
        double add;
        if (!tok_unigram_piece_add(u, spm, kinds, id, len, node, &add))
            continue;
        double cand = add + here;
        offer_id(v, pos, len, false, cand, spm ? (double)(float)cand : cand, id, w);
        if (len == mblen)
            single = true;
    }
    if (!single) {
        double cand = spm ? (double)((u->fmin - 10.0f) + (float)here) /* added in float */
                          : (u->dmin - 10.0) + here;
        if (offer_id(v, pos, mblen, true, cand, cand, u->unk_id, w) && !spm &&
            u->unk_id == TOK_NO_ID)
            return false;
    }
    return true;
}

/* The id of the piece s[a..b) the pass chose (entry e of its end). */
static inline uint32_t piece_id(const vit *v, size_t a, size_t b, uint32_t e, const int w)
{
    if (v->ids)
        return v->ids[b - v->base];
    return e & UNK_BIT(w) ? v->u->unk_id : tok_trie_find(&v->u->trie, v->s + a, b - a);
}

/* Emit the best path from base to c (c's chain goes back to base) and make c the base. */
static inline __attribute__((always_inline)) void settle_at(vit *v, size_t c, const int w)
{
    const size_t base = v->base;
    if (c == base)
        return;
    /* Turn the chain around in place: each piece's entry moves from its end to its start, so
     * the chain reads forward from base (0 ends it). */
    uint32_t carry = 0;
    for (size_t q = c; q > base;) {
        uint32_t e = get(v, q - base, w);
        put(v, q - base, carry, w);
        carry = e;
        q -= e & ~UNK_BIT(w);
    }
    put(v, 0, carry, w);
    for (size_t q = base;;) {
        uint32_t e = get(v, q - base, w);
        if (!e)
            break;
        size_t next = q + (e & ~UNK_BIT(w));
        v->emit(v->ctx, (uint32_t)q, (uint32_t)next, piece_id(v, q, next, e, w));
        q = next;
    }
    if (c == v->n)
        return; /* the end: nothing comes after it */
    put(v, c - base, 1, w); /* c stays reached; its entry is read as nothing else now */
    memmove(v->back, (uint8_t *)v->back + (c - base) * (size_t)w, (v->init_to - c) * (size_t)w);
    if (v->ids)
        memmove(v->ids, v->ids + (c - base), (v->init_to - c) * sizeof *v->ids);
    v->base = c;
}

/* Where do the best paths to the positions the path may leave pos from, (pos - L, pos], meet?
 * Follow their back pointers, latest first, until one position is left; settle there. */
static inline __attribute__((always_inline)) bool settle(vit *v, size_t pos, const int w)
{
    const size_t base = v->base, span = pos - base + 1;
    uint64_t *mk = calloc((span + 63) / 64, sizeof *mk);
    if (!mk)
        return false;
    size_t count = 0;
    size_t lo = pos + 1 > v->L ? pos + 1 - v->L : 0;
    for (size_t q = lo > base ? lo : base; q <= pos; q++)
        if (get(v, q - base, w)) {
            mk[(q - base) / 64] |= 1ull << ((q - base) % 64);
            count++;
        }
    size_t c = base;
    for (size_t i = span; i-- > 0;) {
        if (!(mk[i / 64] >> (i % 64) & 1))
            continue;
        if (count == 1) {
            c = base + i;
            break;
        }
        mk[i / 64] &= ~(1ull << (i % 64));
        count--;
        size_t len = get(v, i, w) & ~UNK_BIT(w);
        if (i == 0 || len > i) /* cannot be (every chain here passes through base): */
            break;             /* then settle nowhere */
        size_t j = i - len;
        if (!(mk[j / 64] >> (j % 64) & 1)) {
            mk[j / 64] |= 1ull << (j % 64);
            count++;
        }
    }
    free(mk);
    settle_at(v, c, w);
    return true;
}

/* The pass. whole: a short text on the stack, its room made at the start, never settled on
 * the way (spm, kinds, w and whole are constants in each instantiation). */
static inline __attribute__((always_inline)) int pass(vit *v, const bool spm, const bool kinds,
                                                      const int w, const bool whole)
{
    const size_t every = v->u->settle_every ? v->u->settle_every : FIRST_CHECK;
    size_t check = every;
    if (!ensure(v, v->n < every + v->L ? v->n : every + v->L, w))
        return TOK_UNI_ENOMEM;
    put(v, 0, 1, w); /* the start is reached, by no piece */
    for (size_t pos = 0; pos < v->n;) {
        const size_t mblen = char_at(v->s, pos, v->n);
        if (!whole) {
            if (pos - v->base >= check) {
                if (!settle(v, pos, w))
                    return TOK_UNI_ENOMEM;
                /* met: look again after as many positions; not met: twice as far on */
                check = 2 * (pos - v->base) > every ? 2 * (pos - v->base) : every;
            }
            size_t reach = pos + (v->L > mblen ? v->L : mblen);
            if (!ensure(v, reach < v->n ? reach : v->n, w))
                return TOK_UNI_ENOMEM;
        }
        if (!step(v, pos, mblen, spm, kinds, w))
            return TOK_UNI_MISSING_UNK;
        pos += mblen;
    }
    settle_at(v, v->n, w);
    return TOK_UNI_OK;
}

/* One instantiation per model kind, entry width and kind of text (so the entries' accesses
 * have no branch on the width, and a short text no per-position bookkeeping). */
#define PASS_W(W, WHOLE, NAME)                                                               \
    static __attribute__((noinline)) int NAME(vit *v)                                        \
    {                                                                                        \
        const tok_unigram *u = v->u;                                                         \
        return !u->spm   ? pass(v, false, false, W, WHOLE)                                   \
               : u->kind ? pass(v, true, true, W, WHOLE)                                     \
                         : pass(v, true, false, W, WHOLE);                                   \
    }
PASS_W(1, false, pass_1)
PASS_W(2, false, pass_2)
PASS_W(4, false, pass_4)
PASS_W(1, true, pass_short_1)
PASS_W(2, true, pass_short_2)

/* The trie walk's pass (the kept pieces of unigram_edges.c did not serve): apart, so that the
 * common call does not set up its frame. */
static __attribute__((noinline)) int walk(const tok_unigram *u, const uint8_t *s, size_t n,
                                          double *score, tok_scratch *sc, tok_uni_emit emit,
                                          void *ctx)
{
    if (n >= UINT32_MAX - 1)
        return TOK_UNI_ENOMEM;
    vit v = {.u = u, .s = s, .n = n, .sc = sc, .emit = emit, .ctx = ctx};
    v.L = u->trie.max_key_len > 4 ? u->trie.max_key_len : 4;
    size_t w = 16;
    while (w <= v.L)
        w *= 2;
    v.mask = w - 1;
    v.ring_bytes = w * sizeof(double);
    if (n < v.L) /* positions beyond n are never offered */
        v.L = n > 4 ? n : 4;
    /* A short text (a word between cuts, most calls) is worked on the stack, with its ids
     * kept: no allocation, no lookups when emitting. A long one: the ring first, in sc, and
     * the entries after it. */
    double ring[SHORT];
    uint8_t back[SHORT * 2];
    uint32_t ids[SHORT];
    const bool whole = n < SHORT && !u->settle_every; /* tests settle: the long way */
    if (whole) {
        v.mask = SHORT - 1;
        v.ring = ring;
        v.back = back;
        v.ids = ids;
        v.cap = n + 1; /* ensure never grows it */
    } else {
        if (!tok_scratch_get(sc, v.ring_bytes))
            return TOK_UNI_ENOMEM;
        v.ring = (double *)sc->buf;
        /* a text of moderate length keeps its ids too (4 bytes per byte, a quarter of a
         * megabyte at most); without them (a long one, or no memory) they are looked up, as
         * they are when tests set settle_every (the goldens then check the lookups) */
        if (n < IDS_MAX && !u->settle_every)
            v.ids = malloc((n + 1) * sizeof *v.ids);
    }
    v.ring[0] = u->spm ? (double)(float)*score : *score;
    int r = whole        ? (v.L < 128 ? pass_short_1(&v) : pass_short_2(&v))
            : v.L < 128   ? pass_1(&v)
            : v.L < 32768 ? pass_2(&v)
                          : pass_4(&v);
    if (v.ids != ids)
        free(v.ids);
    if (r != TOK_UNI_OK)
        return r;
    *score = v.ring[n & v.mask];
    return TOK_UNI_OK;
}

int tok_unigram_run(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                    tok_scratch *sc, tok_uni_emit emit, void *ctx)
{
    if (n == 0)
        return TOK_UNI_OK;
    int c = tok_unigram_cached(u, s, n, score, emit, ctx);
    return c != TOK_UNI_UNCACHED ? c : walk(u, s, n, score, sc, emit, ctx);
}
