/* bpe_ranks: when a tokenizer.json BPE is tiktoken's rank BPE, so the byte-level fast path can
 * encode with algo/'s rank-BPE core (whole-piece lookup, array scan, linear encoder) instead of
 * HF's merge loop. Llama 3, Qwen2, GPT-2 and GPT-4o in HF form pass; the answer is worked out
 * when a tokenizer is packed and kept in the pack.
 *
 * The two algorithms. tiktoken: repeatedly join the adjacent pair of parts whose bytes form the
 * token of lowest id, the leftmost on ties. HF: repeatedly join the adjacent pair listed in the
 * merges with the lowest merge index, the leftmost on ties; only listed pairs join. Both start
 * from single bytes (byte-level, every byte a token).
 *
 * Lemma: in tiktoken's run on any text, whenever two adjacent parts l, r form a token c, then
 * (l, r) is c's true split -- the pair BPE of bytes(c) alone joins last (algo/bpe_verify.c).
 * The parts inside c's span were made by merges inside the span, each the lowest candidate of
 * the whole text when made, so also the lowest among the span's candidates: BPE of bytes(c)
 * alone makes the same merges in the same order (a merge crossing l | r would have been lower
 * and made first), reaching [l][r], which it then joins.
 *
 * Claim: the two agree on every text when
 *   (1) for every token c BPE can make, its true split (l, r) is a listed merge giving c, and
 *   (2) those merges' indices increase with c's id.
 * By induction on the steps, both holding the same parts: every HF candidate is a tiktoken one
 * (a listed pair forms a token); by the lemma every tiktoken candidate is its token's true
 * split, listed by (1), so the candidate sets are equal and each token has one candidate pair.
 * tiktoken takes the lowest token, HF the lowest index: the same token by (2), and among its
 * occurrences (all the same pair) both take the leftmost.
 * Two more things: HF looks the whole piece up first only with ignore_merges, tiktoken always;
 * so without ignore_merges a piece that is a token no merge makes ("unreachable") is merged
 * instead of taken whole -- the pipeline keeps their list. Which ids are tokens is the same:
 * both use the vocabulary's byte strings.
 *
 * Checking costs one merge per token (tok_bpe_true_splits, O(sum of len^2)) and one merge-table
 * probe per token: 0.1-0.3 s for 128,000-200,000 tokens, paid by tok_pack, not by opening. */
#include "formats/hf/hf.h"

#include <string.h>
#include <sys/mman.h>

/* Conditions (1) and (2) for tokens 0..n of t's vocabulary, given their true splits: true
 * when they hold; *unreach gets the tokens no merge makes (malloc'd, NULL when none). */
static bool splits_listed(const tok_vocab *v, const hf_model *m, const uint32_t *split,
                          uint32_t n, uint32_t **unreach, uint32_t *n_unreach)
{
    bool ok = true;
    uint64_t last = 0; /* the previous reachable token's merge index, plus one */
    size_t nu = 0, cap = 0;
    uint32_t *list = NULL;
    for (uint32_t c = 0; c < n && ok; c++) {
        uint32_t l = split[2 * c], r = split[2 * c + 1], rank, id;
        if (l == c) /* a single byte */
            continue;
        if (l == TOK_NO_ID) {
            const uint8_t *p = v->bytes + v->off[c];
            uint32_t len = tok_vocab_len(v, c);
            /* a token no merge makes, found by a whole-piece lookup */
            if (len >= 2 && tok_vocab_find(v, p, len) == c) {
                if (!tok_grow(&list, &cap, nu + 1, sizeof *list, 16))
                    ok = false;
                else
                    list[nu++] = c;
            }
            continue;
        }
        ok = hf_merge_lookup(m, l, r, &rank, &id) && id == c && rank >= last;
        last = (uint64_t)rank + 1;
    }
    if (!ok) {
        free(list);
        return false;
    }
    *unreach = list;
    *n_unreach = (uint32_t)nu;
    return true;
}

/* The model is one the check is for: byte-level BPE, every byte a token. */
static bool checkable(const tok_vocab *v, const hf_model *m)
{
    if (m->kind != HF_BPE || !m->byte_level || m->byte_fallback || m->prefix_len ||
        m->suffix_len || !m->merges)
        return false;
    for (int b = 0; b < 256; b++)
        if (v->byte1[b] == TOK_NO_ID)
            return false;
    return true;
}

bool hf_bpe_ranks_check(const tok_tokenizer *t, const hf_model *m, uint32_t **unreach,
                        uint32_t *n_unreach, uint32_t **splits)
{
    const tok_vocab *v = &t->vocab;
    *unreach = NULL;
    *n_unreach = 0;
    if (splits)
        *splits = NULL;
    if (!checkable(v, m))
        return false;
    uint32_t *split = malloc((size_t)v->n_ids * 2 * sizeof *split);
    if (!split || tok_bpe_true_splits(v, NULL, split) != TOK_OK ||
        !splits_listed(v, m, split, v->n_ids, unreach, n_unreach)) {
        free(split);
        return false;
    }
    if (splits)
        *splits = split;
    else
        free(split);
    return true;
}

/* ---- asked on the first long piece ---- */

/* A tokenizer.json opened as it is has not had the check (tok_pack pays for it, opening does
 * not). Hostile input -- a megabyte of one letter, of spaces, of base64 -- makes one piece that
 * HF's merge loop does in O(n log n) time and 36 to 76 bytes of memory per byte; the rank core
 * does it in O(n) with 4 or less. So the first such piece asks the question, for every later
 * call.
 *
 * Character-level BPE (Mistral 7B, Gemma, Llama 2 in HF form) starts from characters, not
 * bytes, and its single characters carry the highest ids (SentencePiece appends them). The
 * rank core gets a vocabulary of its own (algo/bpe_chars.c): bytes, parts of characters and
 * characters first, then the tokens of two or more characters (B) in the order of the merges
 * that make them (their lowest merge index; tokens no merge makes last). tiktoken's merge over
 * it first completes every character (algo/bpe_chars.c), and from there holds HF's initial
 * symbols, and the claim above (conditions (1) and (2) over B, the new ids as tiktoken's ranks;
 * both checked for every token before the path is used) makes the rest HF's merges. A word
 * with a character that is not a token (byte fallback, unknown) keeps HF's merge loop. */
hf_lazy_rank *hf_lazy_rank_new(void)
{
    hf_lazy_rank *z = calloc(1, sizeof *z);
    if (z && pthread_mutex_init(&z->mu, NULL) != 0) {
        free(z);
        return NULL;
    }
    return z;
}

void hf_lazy_rank_free(hf_lazy_rank *z)
{
    if (!z)
        return;
    free(z->v.heap_bpe); /* byte-level: the tables; the rest of v is the tokenizer's */
    if (z->twin_map) /* v and unreach point into the pack that lent them */
        munmap(z->twin_map, z->twin_map_len);
    else
        free(z->unreach);
    for (unsigned i = 0; i < z->n_twins; i++)
        free(z->twins[i]);
    tok_char_rank_free(&z->cr); /* from a pack: nothing of it is owned */
    pthread_mutex_destroy(&z->mu);
    free(z);
}

bool hf_lazy_rank_twin(hf_lazy_rank *z, const char *pack_path)
{
    if (z->n_twins == sizeof z->twins / sizeof z->twins[0])
        return false;
    char *copy = strdup(pack_path);
    if (copy)
        z->twins[z->n_twins++] = copy;
    return copy != NULL;
}

const hf_model *hf_twin_wanted(const tok_tokenizer *t)
{
    if (t->ops != &hf_ops)
        return NULL;
    const hf_pipeline *hp = t->impl;
    const hf_model *m = &hp->model;
    /* byte-level as hf_bpe_ranks_check asks; character-level as hf_open gives m->lazy */
    bool want = m->kind == HF_BPE && (!m->byte_level || !m->byte_fallback) && !m->prefix_len &&
                !m->suffix_len && m->merges && m->lazy && !m->lazy->from_pack &&
                atomic_load_explicit(&m->lazy->state, memory_order_acquire) == 0;
    return want ? m : NULL;
}

void hf_lazy_rank_adopt(hf_lazy_rank *z, const hf_lazy_packed *p)
{
    z->packed = *p;
    z->from_pack = true;
}

static bool byte_level_build(hf_lazy_rank *z, const tok_tokenizer *t, const hf_model *m)
{
    uint32_t *un = NULL, nu = 0, *truth;
    if (!hf_bpe_ranks_check(t, m, &un, &nu, &truth))
        return false;
    z->v = t->vocab; /* shares its arrays; only the tables are its own */
    z->v.heap = NULL;
    z->v.heap_size = 0;
    z->v.heap_bpe = NULL;
    /* -1: no tables, and the rank core's merge serves long pieces (still exact) */
    if (tok_bpe_tables_add_known(&z->v, truth, NULL, NULL) == -2) { /* the check's splits */
        free(un);
        return false;
    }
    z->v.uid = tok_vocab_new_uid();
    z->unreach = un;
    z->n_unreach = nu;
    return true;
}

/* A built-in encoding's vocabulary w as this model's (the GPT-2, GPT-4 and GPT-4o files of
 * HF form are r50k_base, cl100k_base and o200k_base with their specials added). Its tables
 * were proven when it was packed, and with no anomalous token its splits are the true ones
 * (bpe_verify.c attaches them only when they equal tok_bpe_true_splits; a unit test holds every
 * built-in to it), so the claim needs, besides conditions (1) and (2) over its tokens:
 *   - w's tokens are t's, byte for byte and id for id (the ids the rank core gives are t's);
 *   - t's other tokens (the specials, above w's ids or at one w leaves free) are never made:
 *     no merge gives one, and without ignore_merges no whole-piece lookup meets one (with it,
 *     t must have no other token).
 * A comparison of the two vocabularies and a merge-table probe per token: a few milliseconds
 * for o200k_base against the 0.3 s of working the splits out. */
static bool builtin_twin(hf_lazy_rank *z, const tok_tokenizer *t, const hf_model *m)
{
    const tok_vocab *v = &t->vocab, *w = &z->builtin;
    uint32_t n = w->n_ids;
    if (!z->has_builtin || !checkable(v, m) || !w->split || w->n_anom || n > v->n_ids ||
        (m->ignore_merges && n != v->n_ids) ||
        memcmp(w->byte1, v->byte1, 256 * sizeof *v->byte1) != 0)
        return false;
    for (uint32_t id = 0; id < n; id++) {
        uint32_t len = tok_vocab_len(w, id);
        /* an id w leaves free (p50k_base's 50256, <|endoftext|>) may be a special of t's */
        if (len ? len != tok_vocab_len(v, id) ||
                      memcmp(w->bytes + w->off[id], v->bytes + v->off[id], len) != 0
                : m->ignore_merges)
            return false;
    }
    for (size_t i = 0; i < (size_t)1 << m->merge_bits; i++)
        if (m->merges[i].key != UINT64_MAX &&
            (m->merges[i].id >= n || !tok_vocab_len(w, m->merges[i].id)))
            return false;
    uint32_t *un, nu;
    if (!splits_listed(v, m, w->split, n, &un, &nu))
        return false;
    z->v = *w; /* the built-in's memory, which lives as long as the program */
    z->v.heap = NULL;
    z->v.heap_size = 0;
    z->v.heap_bpe = NULL;
    z->v.uid = tok_vocab_new_uid();
    z->unreach = un;
    z->n_unreach = nu;
    return true;
}

bool hf_lazy_rank_builtin(const tok_tokenizer *t, const tok_vocab *w)
{
    const hf_model *m = hf_twin_wanted(t);
    const tok_vocab *v = &t->vocab;
    if (!m || !m->byte_level || m->lazy->has_builtin || !w->split || w->n_anom ||
        w->n_ids > v->n_ids || w->n_ids < 2)
        return false;
    /* a sample of tokens, spread over the ids: a vocabulary of the same size that is not
     * this one differs in most of them */
    for (uint32_t k = 0; k < 64; k++) {
        uint32_t id = (uint32_t)((uint64_t)w->n_ids * k / 64) + (k ? 0 : 256);
        id = id < w->n_ids ? id : w->n_ids - 1;
        uint32_t len = tok_vocab_len(w, id);
        if ((len && len != tok_vocab_len(v, id)) ||
            memcmp(w->bytes + w->off[id], v->bytes + v->off[id], len) != 0)
            return false;
    }
    /* t's other tokens are added ones (Llama 3 is cl100k_base's tokens and 28,000 more) */
    for (uint32_t id = w->n_ids; id < v->n_ids; id++)
        if (tok_vocab_len(v, id) && !hf_added_of(t->impl, id))
            return false;
    hf_lazy_rank *z = m->lazy;
    z->builtin = *w;
    z->has_builtin = true;
    atomic_store_explicit(&z->eager, 1, memory_order_relaxed);
    return true;
}

/* A pack that holds this very model lends its tables (hf_lazy_rank_twin): a fine-tune's file,
 * or one saved again, with other added tokens, normalizer or post-processor, has the vocabulary
 * and merges of a model tokscope ships, and their proof is already in the pack. Byte-level:
 * the vocabulary with its rank tables; character-level: the renumbered vocabulary's sections
 * (z->packed), viewed and checked as a pack's own are (packed_view). */
static bool model_twin(hf_lazy_rank *z, const tok_tokenizer *t, const hf_model *m)
{
    for (unsigned i = 0; i < z->n_twins; i++)
        if (hf_pack_lend_tables(z->twins[i], t, m, z))
            return true;
    return false;
}

typedef struct merge_order {
    const hf_model *m;
    uint64_t last; /* the previous token's merge index, plus one */
} merge_order;

/* Conditions (1) and (2) for one B token, as hf_bpe_ranks_check */
static bool listed_in_order(void *ctx, uint32_t c, uint32_t l, uint32_t r)
{
    merge_order *o = ctx;
    uint32_t rank, id;
    if (l == TOK_NO_ID || r == TOK_NO_ID || !hf_merge_lookup(o->m, l, r, &rank, &id) || id != c ||
        rank < o->last)
        return false;
    o->last = (uint64_t)rank + 1;
    return true;
}

static bool char_level_build(hf_lazy_rank *z, const tok_tokenizer *t, const hf_model *m)
{
    uint32_t n = t->vocab.n_ids;
    if (!m->merges)
        return false;
    /* B in the order of the merges that make them (HF's order, not always the ids': Mistral
     * lists "▁ ▁" late), tokens no merge makes last */
    uint32_t *minrank = malloc(((size_t)n + 1) * sizeof *minrank);
    z->oom = !minrank;
    if (!minrank)
        return false;
    for (uint32_t id = 0; id < n; id++)
        minrank[id] = UINT32_MAX;
    for (size_t i = 0; i < (size_t)1 << m->merge_bits; i++) {
        uint32_t id = m->merges[i].id;
        if (m->merges[i].key != UINT64_MAX && id < n && m->merges[i].rank < minrank[id])
            minrank[id] = m->merges[i].rank;
    }
    merge_order o = {m, 0};
    int r = tok_char_rank_build(&z->cr, &t->vocab, NULL, minrank, listed_in_order, &o, false);
    free(minrank);
    z->oom = r == -2;
    return r == 0;
}

/* A pack's character-level tables (hf_lazy_rank_adopt), read in place and checked as
 * tok_char_rank_view checks them (a packed vocabulary's checks: every loop of the encoder ends,
 * every index stays inside; and every id they give back a token of the model). Checked here, on
 * the first long word, not when the pack opens: the scan reads them all (about 20 MB for Gemma
 * 3), which a tokenizer that never meets a long word should not pay for in time or resident
 * memory. A damaged section leaves HF's merge loop, which gives the same ids. */
static bool packed_view(hf_lazy_rank *z, const tok_tokenizer *t)
{
    const hf_lazy_packed *p = &z->packed;
    return tok_char_rank_view(&z->cr, p->vocab, p->vocab_len, p->to_model, p->n_to_model,
                              p->short_anom, p->n_short, t->vocab.n_ids) == 0;
}

const hf_lazy_rank *hf_lazy_rank_get(const tok_tokenizer *t, const hf_model *m)
{
    hf_lazy_rank *z = m->lazy;
    int s = atomic_load_explicit(&z->state, memory_order_acquire);
    if (s == 0) {
        pthread_mutex_lock(&z->mu);
        s = atomic_load_explicit(&z->state, memory_order_relaxed);
        if (s == 0) {
            bool ok = z->from_pack   ? packed_view(z, t)
                      : m->byte_level ? model_twin(z, t, m) || builtin_twin(z, t, m) ||
                                           byte_level_build(z, t, m)
                                      : (model_twin(z, t, m) && packed_view(z, t)) ||
                                            char_level_build(z, t, m);
            s = ok ? 1 : 2;
            atomic_store_explicit(&z->state, s, memory_order_release);
        }
        atomic_store_explicit(&z->eager, 0, memory_order_relaxed);
        pthread_mutex_unlock(&z->mu);
    }
    return s == 1 ? z : NULL;
}

const hf_lazy_rank *hf_lazy_rank_first(const tok_tokenizer *t, const hf_model *m)
{
    hf_lazy_rank *z = m->lazy;
    pthread_mutex_lock(&z->mu);
    int s = atomic_load_explicit(&z->state, memory_order_relaxed);
    if (s == 0 && atomic_load_explicit(&z->eager, memory_order_relaxed)) {
        if (builtin_twin(z, t, m))
            atomic_store_explicit(&z->state, s = 1, memory_order_release);
        else { /* not the built-in's: HF's merge loop, and the build on a long piece, which
                * need not prove the built-in again */
            z->has_builtin = false;
            atomic_store_explicit(&z->eager, 0, memory_order_relaxed);
        }
    }
    pthread_mutex_unlock(&z->mu);
    return s == 1 ? z : NULL;
}

bool hf_lazy_rank_word(const hf_lazy_rank *z, const uint8_t *s, size_t n, hf_tokens *out,
                       tok_scratch *sc, uint32_t base, bool drain, tok_status *st)
{
    *st = TOK_OK;
    tok_bpe_view w;
    int r = n && tok_char_rank_fits(&z->cr, s, n) ? tok_char_rank_encode(&z->cr, s, n, sc, &w)
                                                  : 0;
    if (r < 0)
        *st = TOK_ENOMEM;
    uint32_t pos = base;
    for (size_t k = 0; r > 0 && k < w.m; k++) {
        uint32_t len, id = tok_bpe_view_id(&z->cr.v, &w, k, s + (pos - base), &len);
        if (!hf_tokens_push(out, z->cr.to_model[id], pos, pos + len)) {
            *st = TOK_ENOMEM;
            break;
        }
        if (drain) /* the tokens of a long word come out final, one by one */
            hf_tokens_settled(out);
        pos += len;
    }
    if (out->oom)
        *st = TOK_ENOMEM;
    return r > 0 && *st == TOK_OK;
}
