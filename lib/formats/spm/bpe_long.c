/* bpe_long: long segments of SentencePiece BPE (bpe_model.c) on algo/'s rank core.
 *
 * The heap (bpe_model.c) takes O(n log n) time and some 50 bytes per byte on one long segment
 * (a megabyte of one letter, of spaces). tiktoken's rank BPE (algo/) does it in O(n) with a
 * few, and sentencepiece's rule is that rule when the ranks are the scores' order:
 *
 * sentencepiece: start from the symbols (user-defined symbols, frozen, else single
 * characters); repeatedly join the adjacent unfrozen pair whose concatenation is a matchable
 * piece (NORMAL, USER_DEFINED, UNUSED: pieces_) of the highest score, the leftmost pair among
 * equal scores (SymbolPairComparator); then split UNUSED pieces back (resegment).
 * tiktoken: repeatedly join the adjacent pair whose bytes form the token of lowest rank, the
 * leftmost on ties.
 *
 * The rank vocabulary (algo/bpe_chars.c): bytes, parts of characters and the character pieces,
 * then the matchable pieces of two or more characters, highest score first. Left out:
 * USER_DEFINED pieces -- a join never makes one (the concatenation of two symbols starts at a
 * symbol start, where the prefix matcher found no user-defined piece, else that symbol would be
 * frozen), and as frozen symbols they are walls no pair crosses: the text between two is a
 * stretch encoded on its own; pieces that are not valid UTF-8, which never match normalized
 * text; the run pieces R below. BYTE, CONTROL and UNKNOWN pieces are not matchable.
 *
 * Claim: on a stretch whose every character is a character piece, the two runs make the same
 * joins in the same order when
 *   (S) the multi-character pieces BPE can make (those with a true split) have distinct
 *       scores, none NaN -- so their ranks, in score order, are distinct and agree with it.
 * tiktoken first completes every character (algo/bpe_chars.c) and then holds sentencepiece's
 * initial symbols. By induction on the joins, both holding the same parts: the candidates are
 * the same (adjacent parts whose concatenation, of two or more characters, is a matchable piece
 * -- a user-defined one cannot be, see above), and by the lemma (formats/hf/models/
 * bpe_ranks.c) each candidate is the true split of the piece it makes, so that piece can be
 * made and (S) orders it. sentencepiece takes the highest score, tiktoken the lowest rank: the
 * same piece by (S); among that piece's occurrences both take the leftmost. So the final parts
 * are equal. A character that is not a piece (unknown; byte fallback comes later) is a symbol
 * sentencepiece may still join by text: its stretch keeps the heap.
 *
 * Runs (Llama 2 gives its 15 pieces of 2 to 16 U+2581 one score, -1e9, the lowest). When
 * several pieces share the lowest score, (S) fails for them; the path still holds when that
 * group R is runs of single characters: for each of its characters c, R holds c^k for every k
 * from 2 to some K_c and nothing else of c; R's pieces are NORMAL; and no other matchable piece
 * holds cc. Then sentencepiece joins R pieces only when no other pair is a candidate (their
 * score is below all others), and an R join makes a run of c, which no other piece holds, so
 * no other candidate ever appears again: every join outside R comes first (phase 1), which is
 * the BPE of the pieces without R -- the claim above, over the rank vocabulary without R.
 * Phase 2 joins only symbols that are runs of c, and after phase 1 those are single c (every
 * longer run is an R piece): each maximal row of single-c symbols on its own, the leftmost
 * candidate first -- the first symbol grows one c at a time to c^K_c (each step is the
 * leftmost candidate, the next length being a piece), then no longer (c^(K_c + j) is none),
 * then the next: rows of K_c, and what remains, one symbol. Inside a run of c (not its first or
 * last character) no phase-1 pair can be a candidate, since it would hold cc: the run's inside
 * is cut out of the rank core's text and counted.
 *
 * Rows (counting without ids: tok_norm_out.drop_row). A run of L >= 3 characters c of R, with
 * no user-defined piece holding c, makes one piece more than the same text with the run K_c
 * shorter, whatever the text around it: in phase 1 the run's inner characters are symbols no
 * candidate touches (a candidate would hold cc), so what phase 1 does at the run's two ends --
 * its first character joined to the left or not, its last to the right or not -- depends on
 * neither the run's length nor the other end; phase 2 then cuts the row of single characters
 * between into pieces of K_c from its start and one of the rest, so a row K_c longer is one
 * piece more and otherwise the same. A user-defined piece holding c would be matched inside
 * the run at places that depend on its length, hence that condition. Llama 2's 4 MB of spaces
 * are counted from a run of some 70 U+2581 instead of 12 MB of them.
 *
 * UNUSED pieces: sentencepiece remembers, per piece, the pair of the last push that made it
 * (rev_merge, over the whole call) and splits final UNUSED pieces along it, recursively. On a
 * stretch as above every push of a piece is its true split (the lemma again: a push is an adjacent
 * pair forming the piece), so every entry is the true split, whichever push was last; an UNUSED
 * piece in the output was pushed (a join made it, or it is one character, which no pair makes
 * and rev_merge does not hold), and so were its parts. So the split along true splits is
 * sentencepiece's -- provided every stretch of the call is such a stretch: with UNUSED pieces
 * a call with a stretch that is not keeps the heap for all of it (its entries are shared).
 *
 * The conditions are checked, and the rank vocabulary built, on the first long segment that
 * has many joins to make (Llama 2's 32,000 pieces: about 0.1 s, what the heap takes for some
 * 200 KiB of one letter; once per tokenizer); where they fail the heap serves. */
#include "formats/spm/spm.h"

#include <string.h>

spm_lazy_rank *spm_lazy_rank_new(void)
{
    spm_lazy_rank *z = calloc(1, sizeof *z);
    if (z && pthread_mutex_init(&z->mu, NULL) != 0) {
        free(z);
        return NULL;
    }
    return z;
}

void spm_lazy_rank_free(spm_lazy_rank *z)
{
    if (!z)
        return;
    tok_char_rank_free(&z->cr);
    pthread_mutex_destroy(&z->mu);
    free(z);
}

typedef struct score_order {
    const float *score;
    float last;
    bool first;
} score_order;

/* (S): strictly below the previous piece's score (so NaN fails) */
static bool below_last(void *ctx, uint32_t c, uint32_t l, uint32_t r)
{
    (void)l, (void)r;
    score_order *o = ctx;
    float f = o->score[c];
    if (f != f || (!o->first && !(f < o->last)))
        return false;
    o->first = false;
    o->last = f;
    return true;
}

/* An order of floats as unsigned integers, highest first */
static uint32_t score_key(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    uint32_t up = b & 0x80000000u ? ~b : b | 0x80000000u;
    return ~up;
}

/* The characters of p[0..n) (valid UTF-8 as sentencepiece reads it), 0 when it is not */
static size_t count_chars(const uint8_t *p, size_t n)
{
    size_t k = 0, chars = 0, cl;
    while (k < n && (cl = tok_spm_valid_char(p + k, n - k)) > 0) {
        k += cl;
        chars++;
    }
    return k == n ? chars : 0;
}

/* R (the runs, above) out of keep into z->runs; false when the lowest score's group is not R */
static bool find_runs(spm_lazy_rank *z, const tok_vocab *v, const spm_model *m, uint8_t *keep)
{
    float low = 0;
    size_t at_low = 0;
    for (uint32_t id = 0; id < v->n_ids; id++) {
        if (keep[id] < 2 || m->score[id] != m->score[id])
            continue;
        if (!at_low || m->score[id] < low) {
            low = m->score[id];
            at_low = 0;
        }
        at_low += m->score[id] == low;
    }
    if (at_low < 2)
        return true; /* (S) alone decides */
    uint32_t seen[SPM_RUN_CHARS] = {0}; /* a bit per length 2..33 */
    for (uint32_t id = 0; id < v->n_ids; id++) {
        if (keep[id] < 2 || m->score[id] != low)
            continue;
        const uint8_t *p = v->bytes + v->off[id];
        size_t n = tok_vocab_len(v, id), cl = tok_spm_valid_char(p, n), k = n / cl;
        if (m->ptype[id] != SPM_NORMAL || k > 33 || k * cl != n)
            return false;
        for (size_t i = cl; i < n; i += cl)
            if (memcmp(p, p + i, cl) != 0)
                return false;
        uint32_t r = 0;
        while (r < z->n_runs && !(z->runs[r].clen == cl && !memcmp(z->runs[r].c, p, cl)))
            r++;
        if (r == z->n_runs) {
            if (r == SPM_RUN_CHARS)
                return false;
            z->n_runs++;
            memcpy(z->runs[r].c, p, cl);
            z->runs[r].clen = (uint8_t)cl;
            z->run_lead[p[0] >> 6] |= 1ull << (p[0] & 63);
        }
        seen[r] |= 1u << (k - 2);
        keep[id] = 0;
    }
    for (uint32_t r = 0; r < z->n_runs; r++) {
        uint32_t b = seen[r]; /* every length from 2 to K */
        if (b & (b + 1))
            return false;
        z->runs[r].max = 1;
        while (b >> (z->runs[r].max - 1) & 1)
            z->runs[r].max++;
    }
    /* no other piece holds cc */
    for (uint32_t id = 0; id < v->n_ids; id++)
        for (uint32_t r = 0; keep[id] >= 2 && r < z->n_runs; r++) {
            uint8_t cc[8];
            memcpy(cc, z->runs[r].c, z->runs[r].clen);
            memcpy(cc + z->runs[r].clen, z->runs[r].c, z->runs[r].clen);
            if (memmem(v->bytes + v->off[id], tok_vocab_len(v, id), cc, 2u * z->runs[r].clen))
                return false;
        }
    return true;
}

/* K of the normalizer's whitespace mark when it is a run character of R and no user-defined
 * piece holds it ("Rows" above), else 0 */
static uint32_t ws_row(const spm_lazy_rank *z, const tok_tokenizer *t, const spm_model *m)
{
    static const uint8_t mark[3] = {0xE2, 0x96, 0x81};
    const uint8_t *ws = m->norm.escape_ws ? mark : (const uint8_t *)" ";
    size_t wl = m->norm.escape_ws ? 3 : 1;
    uint32_t k = 0;
    for (uint32_t r = 0; r < z->n_runs; r++)
        if (z->runs[r].clen == wl && !memcmp(z->runs[r].c, ws, wl))
            k = z->runs[r].max;
    const tok_vocab *v = &t->vocab;
    for (uint32_t id = 0; k && id < v->n_ids && id < m->n; id++)
        if (m->ptype[id] == SPM_USER_DEFINED && memmem(v->bytes + v->off[id], tok_vocab_len(v, id), ws, wl))
            k = 0;
    return k >= 2 ? k : 0;
}

static bool lazy_build(spm_lazy_rank *z, const tok_tokenizer *t, const spm_model *m)
{
    const tok_vocab *v = &t->vocab;
    uint8_t *keep = calloc(m->n + 1, 1); /* 1 a character, 2 more, of the rank vocabulary */
    uint32_t *key = malloc(((size_t)m->n + 1) * sizeof *key);
    bool ok = keep && key && v->n_ids <= m->n;
    for (uint32_t id = 0; ok && id < v->n_ids; id++) {
        uint8_t ty = m->ptype[id];
        key[id] = score_key(m->score[id]);
        if (ty == SPM_NORMAL || ty == SPM_UNUSED) {
            size_t chars = count_chars(v->bytes + v->off[id], tok_vocab_len(v, id));
            keep[id] = chars >= 2 ? 2 : (uint8_t)chars;
        }
    }
    ok = ok && find_runs(z, v, m, keep);
    score_order o = {m->score, 0, true};
    ok = ok && tok_char_rank_build(&z->cr, v, keep, key, below_last, &o, m->n_unused > 0) == 0;
    if (ok)
        z->ws_row = ws_row(z, t, m);
    free(keep);
    free(key);
    return ok;
}

const spm_lazy_rank *spm_lazy_rank_get(const tok_tokenizer *t, const spm_model *m)
{
    spm_lazy_rank *z = m->lazy;
    int s = atomic_load_explicit(&z->state, memory_order_acquire);
    if (s == 0) {
        pthread_mutex_lock(&z->mu);
        s = atomic_load_explicit(&z->state, memory_order_relaxed);
        if (s == 0) {
            s = lazy_build(z, t, m) ? 1 : 2;
            atomic_store_explicit(&z->state, s, memory_order_release);
        }
        pthread_mutex_unlock(&z->mu);
    }
    return s == 1 ? z : NULL;
}

/* Worth building the rank vocabulary for: at least one pair in 64 of neighbouring characters
 * is a piece (a long segment with few joins is cheap for the heap; the build can wait for one
 * that needs it). */
static bool joins_many(const spm_model *m, const uint8_t *s, size_t n)
{
    size_t want = n / 64, found = 0;
    uint32_t prev = TOK_NO_ID;
    for (size_t i = 0; i < n;) {
        unsigned cl = 1;
        uint32_t cp = tok_utf8_decode(s + i, &cl);
        uint32_t id = cp < 0x10000 && cl <= n - i ? m->char_id[cp] : TOK_NO_ID;
        if (prev != TOK_NO_ID && id != TOK_NO_ID && spm_pair_find(m, prev, id) != TOK_NO_ID &&
            ++found >= want)
            return true;
        prev = id;
        i += cl;
    }
    return false;
}

/* Where the rank core's tokens go: phase 2 (the runs) on the way out. */
typedef struct sink {
    const tok_tokenizer *t;
    const spm_model *m;
    const spm_lazy_rank *z;
    const uint8_t *s;
    spm_put_fn put;      /* NULL: into out (with UNUSED pieces, where the heap may yet serve) */
    void *ctx;
    spm_piece **out;
    size_t *len, *cap;
    uint32_t run, run_at, run_n; /* a row of run_n single characters z->runs[run] (run_n 0: none) */
} sink;

static inline bool sink_put(const sink *k, uint32_t a, uint32_t b, uint32_t id)
{
    if (!k->put)
        return spm_piece_push(k->out, k->len, k->cap, a, b, id);
    k->put(k->ctx, a, b, id);
    return true;
}

/* One rank-core token (v's id vid) at s[a..): with UNUSED pieces split along true splits as
 * sentencepiece's resegment (the argument above), else the piece itself */
static bool rank_out(const sink *k, uint32_t vid, uint32_t a)
{
    const tok_char_rank *cr = &k->z->cr;
    uint32_t n = tok_vocab_len(&cr->v, vid), id = cr->to_model[vid];
    if (cr->split) {
        id = spm_piece_to_id(k->t, k->s + a, n);
        if (k->m->ptype[id] == SPM_UNUSED && vid >= cr->first_multi) {
            uint32_t l = cr->split[2 * (size_t)vid], r = cr->split[2 * (size_t)vid + 1];
            return rank_out(k, l, a) && rank_out(k, r, a + tok_vocab_len(&cr->v, l));
        }
    } else if (k->m->canon) {
        id = k->m->canon[id];
    }
    return sink_put(k, a, a + n, id);
}

/* The row of single characters as phase 2 joins it: pieces of K_c, then the rest */
static bool flush_row(sink *k)
{
    const struct spm_run_char *rc = &k->z->runs[k->run];
    for (uint32_t left = k->run_n; left > 0;) {
        uint32_t take = left < rc->max ? left : rc->max, n = take * rc->clen;
        if (!sink_put(k, k->run_at, k->run_at + n, spm_piece_to_id(k->t, k->s + k->run_at, n)))
            return false;
        k->run_at += n;
        left -= take;
    }
    k->run_n = 0;
    return true;
}

/* count characters z->runs[r] at s[a..) */
static bool row_add(sink *k, uint32_t r, uint32_t a, uint32_t count)
{
    if (k->run_n && (k->run != r || k->run_at + k->run_n * k->z->runs[r].clen != a) &&
        !flush_row(k))
        return false;
    if (!k->run_n) {
        k->run = r;
        k->run_at = a;
    }
    k->run_n += count;
    return true;
}

/* Which run character s[a..a+n) is, or SPM_RUN_CHARS */
static uint32_t run_char(const spm_lazy_rank *z, const uint8_t *p, size_t n)
{
    for (uint32_t r = 0; r < z->n_runs; r++)
        if (z->runs[r].clen == n && !memcmp(z->runs[r].c, p, n))
            return r;
    return SPM_RUN_CHARS;
}

/* The rank core on s[a, b), part of a stretch that tok_char_rank_fits: 1 done, -1 out of
 * memory */
static int rank_part(sink *k, size_t a, size_t b, tok_scratch *sc)
{
    tok_bpe_view w;
    /* 0 (a byte or part of a character left over) the argument excludes; were it to happen
     * after parts of the stretch were put, the heap could not take the stretch over: fail */
    int r = tok_char_rank_encode(&k->z->cr, k->s + a, b - a, sc, &w) > 0 ? 1 : -1;
    uint32_t pos = (uint32_t)a;
    for (size_t i = 0; r > 0 && i < w.m; i++) {
        uint32_t n, id = tok_bpe_view_id(&k->z->cr.v, &w, i, k->s + pos, &n);
        uint32_t rc = k->z->n_runs ? run_char(k->z, k->s + pos, n) : SPM_RUN_CHARS;
        if (rc < SPM_RUN_CHARS ? !row_add(k, rc, pos, 1)
                               : (k->run_n && !flush_row(k)) || !rank_out(k, id, pos))
            r = -1;
        pos += n;
    }
    return r;
}

/* The first byte at or after i that starts a run character (such a byte is no continuation
 * byte, so it starts a character), or b */
static size_t next_lead(const spm_lazy_rank *z, const uint8_t *s, size_t i, size_t b)
{
    if (z->n_runs == 0 || i >= b)
        return b;
    if (z->n_runs == 1) {
        const uint8_t *q = memchr(s + i, z->runs[0].c[0], b - i);
        return q ? (size_t)(q - s) : b;
    }
    while (i < b && !(z->run_lead[s[i] >> 6] >> (s[i] & 63) & 1))
        i++;
    return i;
}

/* The parts of a stretch s[a, b) (no user-defined symbol) for the rank core: the insides of
 * runs of a run character cut out (the argument above). dry: only whether every part fits the
 * rank core (a run's inside is its first character again, which a part holds; no token spans
 * a cut, as it would hold cc), 1 or 0; else encoded and put, 1, or -1 out of memory. */
static int stretch_parts(sink *k, size_t a, size_t b, bool dry, tok_scratch *sc)
{
    const uint8_t *s = k->s;
    size_t from = a;
    for (size_t i = next_lead(k->z, s, a, b); i <= b;) {
        size_t cl = i < b ? tok_spm_char_len(s[i]) : 0, j = i + cl;
        uint32_t r = i < b && cl <= b - i ? run_char(k->z, s + i, cl) : SPM_RUN_CHARS;
        while (r < SPM_RUN_CHARS && j + cl <= b && !memcmp(s + j, s + i, cl))
            j += cl;
        if (i < b && (r == SPM_RUN_CHARS || j - i < 3 * cl)) {
            i = next_lead(k->z, s, j, b);
            continue;
        }
        size_t end = i < b ? i + cl : b; /* the part [from, end), then the run's inside */
        if (dry ? from < end && !tok_char_rank_fits(&k->z->cr, s + from, end - from)
                : from < end && rank_part(k, from, end, sc) < 0)
            return dry ? 0 : -1;
        if (i == b)
            break;
        if (!dry && !row_add(k, r, (uint32_t)end, (uint32_t)((j - i) / cl - 2)))
            return -1;
        from = j - cl;
        i = next_lead(k->z, s, j, b);
    }
    return dry || !k->run_n || flush_row(k) ? 1 : -1;
}

/* A stretch s[a, b): 1 done, 0 when it does not fit the rank core (nothing put: checked whole
 * before any of it is), -1 out of memory */
static int rank_stretch(sink *k, size_t a, size_t b, tok_scratch *sc)
{
    if (!stretch_parts(k, a, b, true, sc))
        return 0;
    return stretch_parts(k, a, b, false, sc);
}

/* s[0..n) with its stretches between user-defined symbols on the rank core, the pieces to put
 * (or, when put is NULL, appended to out): 1 done, 0 not (nothing appended; never with put),
 * -1 out of memory */
static int rank_encode(const tok_tokenizer *t, const spm_model *m, const spm_lazy_rank *z,
                       const uint8_t *s, size_t n, spm_put_fn put, void *ctx, spm_piece **out,
                       size_t *len, size_t *cap, tok_scratch *sc)
{
    const tok_trie *user = m->user.n_keys ? &m->user : NULL;
    size_t len0 = *len;
    sink k = {t, m, z, s, put, ctx, out, len, cap, 0, 0, 0};
    int ret = 1;
    for (size_t a = 0; ret > 0 && a < n;) {
        size_t b = user ? a : n, ul = 0; /* the stretch [a, b), then a user-defined symbol */
        uint32_t v;
        while (b < n && (ul = tok_trie_longest(user, s + b, n - b, &v)) == 0) {
            size_t cl = tok_spm_char_len(s[b]);
            b += cl < n - b ? cl : n - b;
        }
        if (b > a) {
            ret = rank_stretch(&k, a, b, sc);
            if (ret == 0 && put) { /* a character that is not a piece: the heap (no UNUSED) */
                size_t hl = 0;
                ret = spm_bpe_heap(t, m, s + a, b - a, (uint32_t)a, out, &hl, cap, sc) ? 1 : -1;
                for (size_t i = 0; i < hl; i++)
                    put(ctx, (*out)[i].start, (*out)[i].end, (*out)[i].id);
            }
        }
        if (ret > 0 && ul > 0 && !sink_put(&k, (uint32_t)b, (uint32_t)(b + ul),
                                           spm_piece_to_id(t, s + b, ul)))
            ret = -1;
        a = b + ul;
    }
    if (ret == 0)
        *len = len0;
    return ret;
}

int spm_bpe_long(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                 spm_put_fn put, void *ctx, spm_piece **buf, size_t *len, size_t *cap,
                 tok_scratch *sc)
{
    if (n < m->rank_min || !m->lazy ||
        (atomic_load_explicit(&m->lazy->state, memory_order_acquire) == 0 && !joins_many(m, s, n)))
        return 0;
    const spm_lazy_rank *z = spm_lazy_rank_get(t, m);
    /* without UNUSED pieces straight to put: a hostile segment's pieces are not kept */
    int r = z ? rank_encode(t, m, z, s, n, m->n_unused ? NULL : put, ctx, buf, len, cap, sc) : 0;
    if (r > 0)
        atomic_fetch_add_explicit(&m->lazy->served, 1, memory_order_relaxed);
    return r;
}
