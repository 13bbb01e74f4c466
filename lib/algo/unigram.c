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

#define NO_START UINT32_MAX    /* a position no path reaches (yet) */
#define END (UINT32_MAX - 1)   /* the end of a reversed chain (settle) */
#define FIRST_CHECK 16384      /* positions held before the first look for a meeting point */

/* The best path ending at a byte position: where its last piece starts, and that piece. */
typedef struct uni_back {
    uint32_t start, id;
} uni_back;

typedef struct vit {
    const tok_unigram *u;
    const uint8_t *s;
    size_t n, L;       /* L: the longest piece or unknown character, in bytes */
    double *ring;      /* best-path score at position p: ring[p & mask] */
    size_t mask, ring_bytes;
    uni_back *back;    /* positions [base, base + cap) */
    size_t base, cap;
    size_t init_to;    /* positions below it have their back pointer initialised */
    tok_scratch *sc;   /* holds ring, then back */
    tok_uni_emit emit;
    void *ctx;
} vit;

/* Positions up to upto addressable and initialised. */
static bool ensure(vit *v, size_t upto)
{
    if (upto - v->base >= v->cap) {
        size_t need = upto - v->base + 1, cap = v->cap * 2 > need ? v->cap * 2 : need;
        uint8_t *m = tok_scratch_get(v->sc, v->ring_bytes + cap * sizeof(uni_back));
        if (!m)
            return false;
        v->ring = (double *)m;
        v->back = (uni_back *)(m + v->ring_bytes);
        v->cap = cap;
    }
    for (; v->init_to <= upto; v->init_to++)
        v->back[v->init_to - v->base].start = NO_START;
    return true;
}

/* The length of the character at s[pos], cut at n. */
static inline size_t char_at(const uint8_t *s, size_t pos, size_t n)
{
    size_t k = tok_spm_char_len(s[pos]);
    return k > n - pos ? n - pos : k;
}

/* Offer the path "best at pos, then piece id", scored cand, to position t; kept scores
 * stored (sentencepiece rounds to float what it compared in double). */
static inline __attribute__((always_inline)) bool offer(vit *v, size_t t, double cand,
                                                        double stored, size_t pos, uint32_t id)
{
    uni_back *tg = &v->back[t - v->base];
    double *ts = &v->ring[t & v->mask];
    if (tg->start == NO_START || cand > *ts) {
        *ts = stored;
        tg->start = (uint32_t)pos;
        tg->id = id;
        return true;
    }
    return false;
}

/* Every piece that starts at the character start pos. spm and kinds are constants in each
 * instantiation (sentencepiece; user-defined or unused pieces). False when an unknown
 * character won in a Hugging Face model without unk_id. */
static inline __attribute__((always_inline)) bool step(vit *v, size_t pos, size_t mblen,
                                                       const bool spm, const bool kinds)
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
        double cand;
        if (!spm) {
            cand = u->dscore[id] + here;
        } else if (kinds && u->kind[id] != TOK_UNI_NORMAL) {
            if (u->kind[id] == TOK_UNI_UNUSED)
                continue;
            cand = ((double)((float)len * u->fmax) - 0.1) + here;
        } else {
            cand = (double)cells[node].score + here;
        }
        offer(v, k + 1, cand, spm ? (double)(float)cand : cand, pos, id);
        if (len == mblen)
            single = true;
    }
    if (!single) {
        double cand = spm ? (double)((u->fmin - 10.0f) + (float)here) /* added in float */
                          : (u->dmin - 10.0) + here;
        if (offer(v, pos + mblen, cand, cand, pos, u->unk_id) && !spm && u->unk_id == TOK_NO_ID)
            return false;
    }
    return true;
}

/* Emit the best path from base to c (c's chain goes back to base) and make c the base. */
static void settle_at(vit *v, size_t c)
{
    uni_back *b = v->back;
    const size_t base = v->base;
    /* reverse the chain in place: each node's start becomes the next node */
    uint32_t next = END;
    for (size_t q = c; q > base;) {
        uint32_t p = b[q - base].start;
        b[q - base].start = next;
        next = (uint32_t)q;
        q = p;
    }
    for (size_t prev = base, q = next; q != END;) {
        uint32_t after = b[q - base].start;
        v->emit(v->ctx, (uint32_t)prev, (uint32_t)q, b[q - base].id);
        prev = q;
        q = after;
    }
    if (c > base) {
        memmove(b, b + (c - base), (v->init_to - c) * sizeof *b);
        v->base = c;
    }
}

/* Where do the best paths to the positions the path may leave pos from, (pos - L, pos], meet?
 * Follow their back pointers, latest first, until one position is left; settle there. */
static bool settle(vit *v, size_t pos)
{
    const size_t base = v->base, span = pos - base + 1;
    uint64_t *mk = calloc((span + 63) / 64, sizeof *mk);
    if (!mk)
        return false;
    size_t count = 0;
    size_t lo = pos + 1 > v->L ? pos + 1 - v->L : 0;
    for (size_t q = lo > base ? lo : base; q <= pos; q++)
        if (v->back[q - base].start != NO_START) {
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
        uint32_t st = v->back[i].start;
        if (st < base || st >= END) /* cannot be (every chain here passes through base): */
            break;                  /* then settle nowhere */
        size_t j = st - base;
        if (!(mk[j / 64] >> (j % 64) & 1)) {
            mk[j / 64] |= 1ull << (j % 64);
            count++;
        }
    }
    free(mk);
    settle_at(v, c);
    return true;
}

static inline __attribute__((always_inline)) int pass(vit *v, const bool spm, const bool kinds)
{
    const size_t every = v->u->settle_every ? v->u->settle_every : FIRST_CHECK;
    size_t check = every;
    for (size_t pos = 0; pos < v->n;) {
        const size_t mblen = char_at(v->s, pos, v->n);
        if (pos - v->base >= check) {
            if (!settle(v, pos))
                return TOK_UNI_ENOMEM;
            /* met: look again after as many positions; not met: twice as far on */
            check = 2 * (pos - v->base) > every ? 2 * (pos - v->base) : every;
        }
        size_t reach = pos + (v->L > mblen ? v->L : mblen);
        if (!ensure(v, reach < v->n ? reach : v->n))
            return TOK_UNI_ENOMEM;
        if (!step(v, pos, mblen, spm, kinds))
            return TOK_UNI_MISSING_UNK;
        pos += mblen;
    }
    return TOK_UNI_OK;
}

int tok_unigram_run(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                    tok_scratch *sc, tok_uni_emit emit, void *ctx)
{
    if (n == 0)
        return TOK_UNI_OK;
    if (n >= END)
        return TOK_UNI_ENOMEM;
    vit v = {.u = u, .s = s, .n = n, .sc = sc, .emit = emit, .ctx = ctx};
    v.L = u->trie.max_key_len > 4 ? u->trie.max_key_len : 4;
    size_t w = 16;
    while (w <= v.L)
        w *= 2;
    v.mask = w - 1;
    v.ring_bytes = w * sizeof(double);
    const size_t every = u->settle_every ? u->settle_every : FIRST_CHECK;
    if (!ensure(&v, n < every + v.L ? n : every + v.L))
        return TOK_UNI_ENOMEM;
    v.back[0].start = 0; /* the start is reached, by no piece */
    v.ring[0] = u->spm ? (double)(float)*score : *score;
    int r = !u->spm  ? pass(&v, false, false)
            : u->kind ? pass(&v, true, true)
                      : pass(&v, true, false);
    if (r != TOK_UNI_OK)
        return r;
    settle_at(&v, n);
    *score = v.ring[n & v.mask];
    return TOK_UNI_OK;
}
