/* bpe_model: sentencepiece's BPE model (bpe_model.cc), score-based.
 *
 * The normalized text starts as symbols -- user-defined symbols (longest match, never merged)
 * and single characters -- and two neighbours merge when their concatenation is a piece; the
 * pair whose piece has the highest score merges first, ties going to the leftmost pair. Pairs
 * wait in a binary heap and symbols form a linked list, so a text of n characters takes
 * O(n log n) whatever it holds (one character repeated a million times included); a pair made
 * stale by an earlier merge is recognised by its length when it comes out of the heap, as
 * sentencepiece does. Callers hand over one segment at a time (spm.h, "cutting"), which keeps
 * the heap small.
 *
 * A merge into an UNUSED piece is remembered (by piece, the last merge wins, across the whole
 * text as in sentencepiece) and the final symbols that are UNUSED pieces are split back along
 * those merges.
 *
 * A long segment (a megabyte of one letter, of spaces: no cut inside) goes instead to tiktoken's
 * linear rank BPE over a renumbered vocabulary, when the pieces' scores make it the same rule
 * (bpe_long.c: the argument, its conditions, checked once). */
#include "algo/heap.h"
#include "algo/word_cache.h"
#include "formats/spm/spm.h"

#include <string.h>

typedef struct sym {
    uint32_t start, len;
    int32_t prev, next;
    uint32_t id;  /* the matchable piece this symbol is, TOK_NO_ID if none */
    uint32_t freeze;
} sym;

typedef struct cand {
    float score;
    uint32_t left, right, size, id;
} cand;

typedef struct rev_ent {
    uint32_t id, left_len; /* an UNUSED piece and the length of the left part it was made of */
} rev_ent;

typedef struct bpe_run {
    const tok_tokenizer *t;
    const spm_model *m;
    const uint8_t *s;
    sym *sy;
    cand *heap;
    size_t nh;
    rev_ent *rev;
    uint32_t rev_mask;
} bpe_run;

/* a comes out of the heap before b */
static inline bool before(const cand *a, const cand *b)
{
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

TOK_HEAP_DEFINE(cand_heap, cand, before)

/* The id of a piece sentencepiece's pieces_ map holds (NORMAL, USER_DEFINED, UNUSED), or
 * TOK_NO_ID. */
static inline uint32_t matchable(const bpe_run *r, const uint8_t *p, size_t n)
{
    uint32_t id = tok_vocab_find(&r->t->vocab, p, n);
    if (id == TOK_NO_ID)
        return TOK_NO_ID;
    uint8_t ty = r->m->ptype[id];
    return ty == SPM_NORMAL || ty == SPM_USER_DEFINED || ty == SPM_UNUSED ? id : TOK_NO_ID;
}

static void rev_put(bpe_run *r, uint32_t id, uint32_t left_len)
{
    for (uint32_t i = (uint32_t)(tok_fib_hash(id) >> 32) & r->rev_mask;; i = (i + 1) & r->rev_mask)
        if (r->rev[i].id == id || r->rev[i].id == TOK_NO_ID) {
            r->rev[i] = (rev_ent){id, left_len};
            return;
        }
}

static uint32_t rev_get(const bpe_run *r, uint32_t id)
{
    for (uint32_t i = (uint32_t)(tok_fib_hash(id) >> 32) & r->rev_mask;; i = (i + 1) & r->rev_mask) {
        if (r->rev[i].id == id)
            return r->rev[i].left_len;
        if (r->rev[i].id == TOK_NO_ID)
            return 0;
    }
}

static void maybe_add(bpe_run *r, int32_t left, int32_t right)
{
    if (left < 0 || right < 0 || r->sy[left].freeze || r->sy[right].freeze)
        return;
    const sym *a = &r->sy[left], *b = &r->sy[right];
    uint32_t size = a->len + b->len;
    /* two pieces: the pair table; a character that is no piece: by text, as sentencepiece */
    uint32_t id = a->id != TOK_NO_ID && b->id != TOK_NO_ID ? spm_pair_find(r->m, a->id, b->id)
                                                           : matchable(r, r->s + a->start, size);
    if (id == TOK_NO_ID)
        return;
    cand_heap_push(r->heap, &r->nh, (cand){r->m->score[id], (uint32_t)left, (uint32_t)right, size, id});
    if (r->rev && r->m->ptype[id] == SPM_UNUSED)
        rev_put(r, id, a->len);
}

/* Output s[a, b) as sentencepiece's resegment does: UNUSED pieces split along their merge. */
static bool resegment(const bpe_run *r, uint32_t a, uint32_t b, spm_piece **out, size_t *len,
                      size_t *cap)
{
    uint32_t id = spm_piece_to_id(r->t, r->s + a, b - a);
    if (r->m->ptype[id] == SPM_UNUSED && r->rev) {
        uint32_t left = rev_get(r, id);
        if (left > 0 && left < b - a)
            return resegment(r, a, a + left, out, len, cap) &&
                   resegment(r, a + left, b, out, len, cap);
    }
    return spm_piece_push(out, len, cap, a, b, id);
}

bool spm_bpe_heap(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                  uint32_t base, spm_piece **out, size_t *len, size_t *cap, tok_scratch *sc)
{
    if (n == 0)
        return true;
    size_t len0 = *len;
    size_t rev_slots = 0;
    if (m->n_unused) {
        rev_slots = 16;
        while (rev_slots < 6 * n + 8)
            rev_slots *= 2;
    }
    size_t need = n * sizeof(sym) + (3 * n + 4) * sizeof(cand) + rev_slots * sizeof(rev_ent);
    uint8_t *mem = tok_scratch_get(sc, need);
    if (!mem)
        return false;
    bpe_run r = {t, m, s, (sym *)mem, (cand *)(mem + n * sizeof(sym)), 0, NULL, 0};
    if (rev_slots) {
        r.rev = (rev_ent *)(mem + n * sizeof(sym) + (3 * n + 4) * sizeof(cand));
        r.rev_mask = (uint32_t)rev_slots - 1;
        memset(r.rev, 0xFF, rev_slots * sizeof(rev_ent));
    }
    /* the symbols: user-defined symbols (frozen), else one character */
    int32_t ns = 0;
    const tok_trie *user = m->user.n_keys ? &m->user : NULL;
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        uint32_t v;
        if (user)
            k = tok_trie_longest(user, s + i, n - i, &v);
        bool frozen = k > 0;
        if (!k) {
            k = tok_spm_char_len(s[i]);
            if (k > n - i)
                k = n - i;
        }
        uint32_t id = TOK_NO_ID;
        if (!frozen) {
            unsigned cl;
            uint32_t cp = k < 4 ? tok_utf8_decode(s + i, &cl) : 0x10000;
            id = cp < 0x10000 && cl == k ? m->char_id[cp] : matchable(&r, s + i, k);
        }
        r.sy[ns] = (sym){(uint32_t)i, (uint32_t)k, ns - 1, ns + 1, id, frozen};
        ns++;
        i += k;
    }
    r.sy[ns - 1].next = -1;
    for (int32_t i = 1; i < ns; i++)
        maybe_add(&r, i - 1, i);
    while (r.nh) {
        cand top = cand_heap_pop(r.heap, &r.nh);
        sym *a = &r.sy[top.left], *b = &r.sy[top.right];
        if (a->len == 0 || b->len == 0 || a->len + b->len != top.size)
            continue;
        a->len += b->len;
        a->next = b->next;
        if (b->next >= 0)
            r.sy[b->next].prev = (int32_t)top.left;
        b->len = 0;
        a->id = top.id;
        maybe_add(&r, a->prev, (int32_t)top.left);
        maybe_add(&r, (int32_t)top.left, a->next);
    }
    for (int32_t i = 0; i >= 0; i = r.sy[i].next) {
        const sym *y = &r.sy[i];
        if (r.rev) {
            if (!resegment(&r, y->start, y->start + y->len, out, len, cap))
                return false;
        } else {
            /* PieceToId: a matchable piece is itself unless a reserved piece has its text */
            uint32_t id = y->id == TOK_NO_ID ? spm_piece_to_id(t, s + y->start, y->len)
                          : m->canon        ? m->canon[y->id]
                                            : y->id;
            if (!spm_piece_push(out, len, cap, y->start, y->start + y->len, id))
                return false;
        }
    }
    for (size_t k = len0; k < *len; k++) {
        (*out)[k].start += base;
        (*out)[k].end += base;
    }
    return true;
}

bool spm_bpe_tables(const tok_tokenizer *t, spm_model *m)
{
    bpe_run r = {.t = t, .m = m};
    if (!(m->char_id = malloc(65536 * sizeof *m->char_id)))
        return false;
    for (uint32_t cp = 0; cp < 65536; cp++) {
        uint8_t b[4];
        size_t k = tok_utf8_encode(cp, b);
        if (k > sizeof b) /* never: said for gcc, which cannot see that the lookup stays inside */
            __builtin_unreachable();
        m->char_id[cp] = cp >= 0xD800 && cp <= 0xDFFF ? TOK_NO_ID : matchable(&r, b, k);
    }
    /* count the cuts first to size the table */
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t id = 0; id < m->n; id++) {
            uint8_t ty = m->ptype[id];
            if (ty != SPM_NORMAL && ty != SPM_USER_DEFINED && ty != SPM_UNUSED)
                continue;
            const char *p;
            size_t len;
            if (tok_token_bytes(t, id, &p, &len) != TOK_OK)
                continue;
            for (size_t k = 1; k < len; k++) {
                uint32_t a = matchable(&r, (const uint8_t *)p, k);
                uint32_t b = a == TOK_NO_ID ? TOK_NO_ID
                                            : matchable(&r, (const uint8_t *)p + k, len - k);
                if (b == TOK_NO_ID)
                    continue;
                if (pass == 0) {
                    n++;
                    continue;
                }
                uint32_t i = spm_pair_hash(a, b) & m->pair_mask;
                while (m->pairs[i].left != TOK_NO_ID)
                    i = (i + 1) & m->pair_mask;
                m->pairs[i] = (struct spm_pair){a, b, id};
            }
        }
        if (pass == 0) {
            size_t slots = 16; /* a quarter full: most lookups miss, and stop at once */
            while (slots < 4 * n + 4)
                slots *= 2;
            if (slots > (1u << 31) || !(m->pairs = malloc(slots * sizeof *m->pairs)))
                return false;
            for (size_t i = 0; i < slots; i++)
                m->pairs[i].left = TOK_NO_ID;
            m->pair_mask = (uint32_t)slots - 1;
        }
    }
    return true;
}

bool spm_bpe_encode(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                    spm_put_fn put, void *ctx, spm_piece **buf, size_t *cap, tok_scratch *sc)
{
    /* A segment's pieces depend on its bytes alone, and prose repeats its words: a short
     * segment's come from the per-thread word cache when it has them (algo/word_cache.c).
     * Not when such segments may go to the rank core (tests lower rank_min to check it). */
    tok_wc_entry *slot = NULL;
    if (m->cache_id && n <= TOK_WC_WORD && n < m->rank_min) {
        const tok_wc_entry *e = tok_wc_find(m->cache_id, s, n, &slot);
        if (e) {
            for (size_t k = 0; k < e->n; k++)
                put(ctx, e->start[k], e->end[k], e->ids[k]);
            return true;
        }
    }
    size_t len = 0;
    int r = spm_bpe_long(t, m, s, n, put, ctx, buf, &len, cap, sc);
    if (r < 0 || (r == 0 && !spm_bpe_heap(t, m, s, n, 0, buf, &len, cap, sc)))
        return false;
    for (size_t i = 0; i < len; i++)
        put(ctx, (*buf)[i].start, (*buf)[i].end, (*buf)[i].id);
    if (slot && r == 0 && len <= TOK_WC_IDS) {
        uint32_t ids[TOK_WC_IDS], st[TOK_WC_IDS], en[TOK_WC_IDS];
        for (size_t i = 0; i < len; i++)
            ids[i] = (*buf)[i].id, st[i] = (*buf)[i].start, en[i] = (*buf)[i].end;
        tok_wc_store(slot, m->cache_id, s, n, len, ids, st, en, 0);
    }
    return true;
}
