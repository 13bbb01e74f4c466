/* unigram_edges: the pieces of short texts, kept per thread, for the SentencePiece Viterbi.
 *
 * sentencepiece runs its Viterbi over a whole sentence and keeps best-path scores in float, so
 * the segmentation of a word depends on the score the path brings to it: on a long line the
 * running score is large enough that rounding decides between near-equal paths, and a word's
 * answer cannot be cached as such (tokscope cuts a sentence where no piece spans and carries
 * the score across: processor_encode.c). What a word's pass does depend on its bytes alone is
 * the set of pieces that start at each of its characters, which the trie walk finds at a cost
 * of about 180 instructions a byte. This cache keeps that set -- each piece's start, length, id
 * and the number its path adds -- for texts of up to WORD bytes, and the pass over it is the one
 * of unigram.c, offer by offer in the same order with the same arithmetic, so the ids and the
 * score carried on are the same bit for bit. On top of it, for scores deep inside one binade,
 * the outcome itself: the path and the score it adds, the same for every score of the binade
 * whose pass stays inside it (summarize, with the argument).
 *
 * The table lives with the thread (base/thread_mem.c), direct-mapped, tagged with the model's
 * cache id (never given out twice). */
#include "algo/unigram.h"

#include <math.h>
#include <string.h>

#define WORD 32   /* longest text kept, in bytes */
#define EDGES 24  /* most pieces a kept text may have */
#define PATH 8    /* most pieces of a kept outcome */
#define SLOTS 2048 /* 256 KB of entries and 768 KB of their pieces a thread */
/* Scores below it are worked word by word: a sentence of a line stays there (a score of a
 * thousand is a hundred words), where a word's outcome for one binade would be worked out anew
 * in the next line's, and a word's pass would leave a small binade anyway. */
#define SUMMARY_MIN 8192.0

typedef struct edge {
    double add;  /* what the piece adds to the path's score (unknown: min - 10) */
    uint32_t id; /* the piece (unknown: unk_id) */
    uint8_t start, len;
    bool unk;
} edge;

/* What a word costs when its score is deep in a binade, in two cache lines; its pieces, read
 * only to work the outcome out, are apart (edges[] of the same slot). */
typedef struct entry {
    uint64_t owner, hash;
    /* The pass's outcome for an incoming score -m with m_lo <= m <= m_hi (none when
     * m_lo > m_hi): np pieces and the score they add, rel (see summarize). binade: the one it
     * was worked out for (0: none yet). */
    double m_lo, m_hi, rel;
    uint8_t len, n, np;
    int16_t binade;
    uint8_t word[WORD];
    uint8_t pstart[PATH], plen[PATH];
    uint32_t pid[PATH];
} entry;

typedef struct slot_edges {
    edge e[EDGES];
} slot_edges;

static _Thread_local entry *table; /* SLOTS entries, then SLOTS slot_edges */

/* The pieces of s[0..n) in the order unigram.c's step offers them: by start, shortest first,
 * the unknown piece last where no one-character piece starts. False when there are more than
 * EDGES. */
static bool find_edges(const tok_unigram *u, const uint8_t *s, size_t n, entry *x,
                       edge *ed)
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
            uint32_t id, next = cells[node].base + s[j];
            if (cells[next].check != node)
                break;
            double add;
            size_t len = j + 1 - pos;
            if ((id = cells[node = next].value) == TOK_NO_ID ||
                !tok_unigram_piece_add(u, true, u->kind != NULL, id, len, node, &add))
                continue;
            if (k == EDGES)
                return false;
            ed[k++] = (edge){add, id, (uint8_t)pos, (uint8_t)len, false};
            if (len == mblen)
                single = true;
        }
        if (!single) {
            if (k == EDGES)
                return false;
            ed[k++] = (edge){(double)(u->fmin - 10.0f), u->unk_id, (uint8_t)pos,
                             (uint8_t)mblen, true};
        }
        pos += mblen;
    }
    x->n = (uint8_t)k;
    return true;
}

/* The pass of unigram.c over x's pieces from the score s0 (a float): best[p] the best path's
 * score at byte p (a float, as sentencepiece keeps it), from[p] the piece it ends with, plus one
 * (0: not reached yet). A later piece replaces a kept one only when strictly better.
 *
 * With track, *lo and *hi get the least and greatest amount by which any score of the pass (a
 * candidate or a kept one) differs from s0, and the pass gives up (false) when a kept score is
 * rounded from exactly halfway between two floats 1 / u apart: see summarize (u is a power of
 * two, so step * u is exact). */
static inline __attribute__((always_inline)) bool pass(const entry *x, const edge *ed,
                                                       double s0, double *best, uint8_t *from,
                                                       const bool track, double u, double *lo,
                                                       double *hi)
{
    memset(from, 0, WORD + 1);
    best[0] = s0;
    from[0] = EDGES + 1; /* reached, by no piece */
    double mn = 0, mx = 0;
    for (size_t i = 0; i < x->n; i++) {
        const edge *e = &ed[i];
        double here = best[e->start], cand, stored, step;
        if (e->unk) { /* added in float */
            cand = stored = (double)((float)e->add + (float)here);
            step = (double)(float)e->add;
        } else {
            cand = e->add + here;
            stored = (double)(float)cand;
            step = cand - here;
        }
        if (track) {
            double c = cand - s0;
            mn = c < mn ? c : mn, mx = c > mx ? c : mx;
            c = stored - s0;
            mn = c < mn ? c : mn, mx = c > mx ? c : mx;
            double q = step * u; /* u: 1 / the unit here; q has no fraction from 2^52 on */
            double f = fabs(q) < 0x1p52 ? q - (double)(int64_t)q : 0;
            if (f == 0.5 || f == -0.5)
                return false;
        }
        size_t t = e->start + e->len;
        if (!from[t] || cand > best[t]) {
            best[t] = stored;
            from[t] = (uint8_t)(i + 1);
        }
    }
    if (track)
        *lo = mn, *hi = mx;
    return true;
}

/* The best path to n, read backwards from from[], into path (forwards); its length. */
static size_t best_path(const edge *ed, size_t n, const uint8_t *from, uint8_t *path)
{
    uint8_t back[WORD];
    size_t m = 0;
    for (size_t p = n; p > 0; p -= ed[back[m++]].len)
        back[m] = (uint8_t)(from[p] - 1);
    for (size_t k = 0; k < m; k++)
        path[k] = back[m - 1 - k];
    return m;
}

/* The pass's outcome for every incoming score -m of the binade [2^(E-1), 2^E) at once.
 *
 * Scores here are floats: each kept score is the float nearest a sum (worked in double, or in
 * float for the unknown piece). Let every score of the pass lie in one binade [2^(E-1), 2^E)
 * of magnitude, where floats are u = 2^(E-24) apart. Then the incoming score S and every kept
 * score are multiples of u, and a kept score is S + r with r fixed by the piece's score alone:
 * adding a piece's score in double to a multiple of u rounds the same way whatever the
 * multiple (the double's unit there, u / 2^29, divides u an even number of times), and
 * rounding that to float moves it by the same amount -- unless the part below u is exactly
 * half of u, where round-half-to-even looks at S's last bit. Comparisons of two such scores
 * are then comparisons of their r. So when one pass from a score s0 in the middle of the binade
 * meets no exact half and keeps all its scores inside the binade with room to spare, every
 * incoming score whose pass stays inside it too -- m between m_lo and m_hi -- takes the same
 * path and adds the same rel. On a long sentence the score is deep inside one binade for
 * millions of words, and a word costs a lookup and an addition. */
static void summarize(entry *x, const edge *ed, int E)
{
    x->binade = (int16_t)E;
    x->m_lo = 1, x->m_hi = 0;
    double top = ldexp(1, E), u = ldexp(1, E - 24), s0 = -0.75 * top, lo, hi;
    double best[WORD + 1];
    uint8_t from[WORD + 1], path[WORD];
    if (!pass(x, ed, s0, best, from, true, ldexp(1, 24 - E), &lo, &hi))
        return;
    if (hi > 0.25 * top - 2 * u || lo < -0.25 * top + 2 * u)
        return; /* the pass left the binade (or came near its edge) */
    size_t np = best_path(ed, x->len, from, path);
    if (np > PATH)
        return;
    for (size_t k = 0; k < np; k++) {
        x->pstart[k] = ed[path[k]].start;
        x->plen[k] = ed[path[k]].len;
        x->pid[k] = ed[path[k]].id;
    }
    x->np = (uint8_t)np;
    x->rel = best[x->len] - s0;
    x->m_lo = 0.5 * top + 2 * u + hi; /* the magnitude of S + r stays >= 2^(E-1) + 2u */
    x->m_hi = top - 2 * u + lo;       /* ... and <= 2^E - 2u */
}

int tok_unigram_cached(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                       tok_uni_emit emit, void *ctx)
{
    if (!u->cache_id || !u->spm || n == 0 || n > WORD || u->settle_every)
        return TOK_UNI_UNCACHED;
    if (!table && !(table = tok_thread_calloc(SLOTS * (sizeof(entry) + sizeof(slot_edges)))))
        return TOK_UNI_UNCACHED;
    uint64_t h = tok_hash_bytes(s, n);
    entry *x = &table[h & (SLOTS - 1)];
    edge *ed = ((slot_edges *)(table + SLOTS))[h & (SLOTS - 1)].e;
    if (!(x->owner == u->cache_id && x->hash == h && x->len == n &&
          tok_bytes_equal(x->word, s, n))) {
        x->owner = 0;
        if (!find_edges(u, s, n, x, ed))
            return TOK_UNI_UNCACHED;
        x->hash = h;
        x->len = (uint8_t)n;
        x->m_lo = 1, x->m_hi = 0, x->binade = 0;
        memcpy(x->word, s, n);
        x->owner = u->cache_id;
    }
    double S = (double)(float)*score, m = -S;
    if (!(m >= x->m_lo && m <= x->m_hi) && m >= SUMMARY_MIN) {
        int E;
        frexp(m, &E); /* m = f * 2^E, 0.5 <= f < 1: the binade [2^(E-1), 2^E) */
        if (E != x->binade)
            summarize(x, ed, E);
    }
    if (m >= x->m_lo && m <= x->m_hi) {
        for (size_t k = 0; k < x->np; k++)
            emit(ctx, x->pstart[k], (uint32_t)x->pstart[k] + x->plen[k], x->pid[k]);
        *score = S + x->rel;
        return TOK_UNI_OK;
    }
    double best[WORD + 1];
    uint8_t from[WORD + 1], path[WORD];
    pass(x, ed, S, best, from, false, 0, NULL, NULL);
    size_t np = best_path(ed, n, from, path);
    for (size_t k = 0; k < np; k++) {
        const edge *e = &ed[path[k]];
        emit(ctx, e->start, (uint32_t)e->start + e->len, e->id);
    }
    *score = best[n];
    return TOK_UNI_OK;
}
