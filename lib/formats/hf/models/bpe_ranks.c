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

bool hf_bpe_ranks_check(const tok_tokenizer *t, const hf_model *m, uint32_t **unreach,
                        uint32_t *n_unreach, uint32_t **splits)
{
    const tok_vocab *v = &t->vocab;
    *unreach = NULL;
    *n_unreach = 0;
    if (splits)
        *splits = NULL;
    if (m->kind != HF_BPE || !m->byte_level || m->byte_fallback || m->prefix_len ||
        m->suffix_len || !m->merges)
        return false;
    for (int b = 0; b < 256; b++)
        if (v->byte1[b] == TOK_NO_ID)
            return false;
    uint32_t n = v->n_ids;
    uint32_t *split = malloc((size_t)n * 2 * sizeof *split);
    if (!split || tok_bpe_true_splits(v, NULL, split) != TOK_OK) {
        free(split);
        return false;
    }
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
    if (ok && splits)
        *splits = split;
    else
        free(split);
    if (!ok) {
        free(list);
        return false;
    }
    *unreach = list;
    *n_unreach = (uint32_t)nu;
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
 * rank core is tiktoken's BPE over bytes, so it gets a vocabulary of its own, renumbered:
 *   A: the 256 bytes, then every proper prefix (2 or 3 bytes) of a character token, then the
 *      character tokens -- in that order, so each is made from two of lower rank;
 *   B: the tokens of two or more characters, in the order of the merges that make them
 *      (their lowest merge index; tokens no merge makes last).
 * On text whose every character is a token, tiktoken's merge over it first completes every
 * character: a part of an unfinished character joins nothing but the next byte of that
 * character (no token holds part of a character), and that join ranks below every B token,
 * so all of them come before any B merge. From there it holds HF's initial symbols, and the
 * claim above (conditions (1) and (2) over B, the new ids as tiktoken's ranks; both checked
 * for every token before the path is used) makes the rest HF's merges. A word with a
 * character that is not a token (byte fallback, unknown) keeps HF's merge loop. */
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
    if (!z->from_pack) { /* else v, to_model and short_anom point into the pack */
        if (z->to_model)
            tok_vocab_free(&z->v); /* its own arrays and tables */
        else
            free(z->v.heap_bpe); /* the tables; the rest of v is the tokenizer's */
        free((void *)(uintptr_t)z->to_model);
        free((void *)(uintptr_t)z->short_anom);
    }
    free(z->unreach);
    pthread_mutex_destroy(&z->mu);
    free(z);
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

/* Is p[0..len) exactly one UTF-8 character? */
static bool one_char(const uint8_t *p, uint32_t len)
{
    unsigned cl = 1;
    tok_utf8_decode(p, &cl);
    return cl == len;
}

typedef struct part_ref {
    const uint8_t *p;
    uint32_t len;
} part_ref;

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int by_len_bytes(const void *a, const void *b)
{
    const part_ref *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->p, y->p, x->len);
}

static bool char_level_build(hf_lazy_rank *z, const tok_tokenizer *t, const hf_model *m)
{
    const tok_vocab *v = &t->vocab;
    uint32_t n = v->n_ids;
    static const uint8_t all_bytes[256] = {
#define B4(x) x, x + 1, x + 2, x + 3
#define B16(x) B4(x), B4(x + 4), B4(x + 8), B4(x + 12)
#define B64(x) B16(x), B16(x + 16), B16(x + 32), B16(x + 48)
        B64(0), B64(64), B64(128), B64(192)
#undef B4
#undef B16
#undef B64
    };
    /* classify: chars (one character, 2+ bytes), multi (2+ characters); ids that do not find
     * themselves (no bytes, decoding only) are left out */
    size_t n_chars = 0, n_multi = 0, n_parts = 0;
    part_ref *parts = malloc(((size_t)n * 2 + 1) * sizeof *parts);
    uint8_t *kind = calloc((size_t)n + 1, 1); /* 0 out, 1 single byte, 2 char, 3 multi */
    bool ok = parts && kind;
    z->oom = !ok;
    for (uint32_t id = 0; ok && id < n; id++) {
        uint32_t len = tok_vocab_len(v, id);
        const uint8_t *p = v->bytes + v->off[id];
        if (!len || (len == 1 ? v->byte1[p[0]] : tok_vocab_find(v, p, len)) != id)
            continue;
        if (len == 1) {
            if (p[0] >= 0x80) { /* a lone byte as a token: not a character-level vocabulary */
                ok = false;
                break;
            }
            kind[id] = 1;
        } else if (one_char(p, len)) {
            kind[id] = 2;
            n_chars++;
            for (uint32_t k = 2; k < len; k++)
                parts[n_parts++] = (part_ref){p, k};
        } else {
            kind[id] = 3;
            n_multi++;
        }
    }
    size_t n_uniq = 0;
    if (ok) {
        qsort(parts, n_parts, sizeof *parts, by_len_bytes);
        for (size_t i = 0; i < n_parts; i++)
            if (!n_uniq || by_len_bytes(&parts[n_uniq - 1], &parts[i]) != 0)
                parts[n_uniq++] = parts[i];
    }
    size_t total = 256 + n_uniq + n_chars + n_multi;
    const uint8_t **toks = ok ? malloc(total * sizeof *toks) : NULL;
    uint32_t *lens = ok ? malloc(total * sizeof *lens) : NULL;
    uint32_t *ids = ok ? malloc(total * sizeof *ids) : NULL;
    uint32_t *to_model = ok ? malloc(total * sizeof *to_model) : NULL;
    z->oom |= ok && !(toks && lens && ids && to_model);
    ok = ok && toks && lens && ids && to_model && total < TOK_NO_ID;
    size_t k = 0;
    if (ok) {
        for (int b = 0; b < 256; b++, k++) {
            toks[k] = all_bytes + b;
            lens[k] = 1;
            ids[k] = (uint32_t)k;
            to_model[k] = b < 0x80 ? v->byte1[b] : TOK_NO_ID;
            if (to_model[k] != TOK_NO_ID && kind[to_model[k]] != 1)
                to_model[k] = TOK_NO_ID;
        }
        for (size_t i = 0; i < n_uniq; i++, k++) {
            toks[k] = parts[i].p;
            lens[k] = parts[i].len;
            ids[k] = (uint32_t)k;
            to_model[k] = TOK_NO_ID;
        }
        for (uint32_t id = 0; id < n; id++)
            if (kind[id] == 2) {
                toks[k] = v->bytes + v->off[id];
                lens[k] = tok_vocab_len(v, id);
                ids[k] = (uint32_t)k;
                to_model[k] = id;
                k++;
            }
        /* B in the order of the merges that make them (HF's order, not always the ids':
         * Mistral lists "▁ ▁" late), tokens no merge makes last */
        uint64_t *order = malloc((n_multi + 1) * sizeof *order);
        uint32_t *minrank = malloc(((size_t)n + 1) * sizeof *minrank);
        ok = order && minrank;
        z->oom = !ok;
        for (uint32_t id = 0; ok && id < n; id++)
            minrank[id] = UINT32_MAX;
        for (size_t i = 0; ok && i < (size_t)1 << m->merge_bits; i++) {
            uint32_t id = m->merges[i].id;
            if (m->merges[i].key != UINT64_MAX && id < n && m->merges[i].rank < minrank[id])
                minrank[id] = m->merges[i].rank;
        }
        size_t nb = 0;
        for (uint32_t id = 0; ok && id < n; id++)
            if (kind[id] == 3)
                order[nb++] = (uint64_t)minrank[id] << 32 | id;
        free(minrank);
        if (ok) {
            qsort(order, nb, sizeof *order, by_u64);
            for (size_t i = 0; i < nb; i++, k++) {
                uint32_t id = (uint32_t)order[i];
                toks[k] = v->bytes + v->off[id];
                lens[k] = tok_vocab_len(v, id);
                ids[k] = (uint32_t)k;
                to_model[k] = id;
            }
        }
        free(order);
    }
    size_t dup;
    int built = ok ? tok_vocab_build(&z->v, k, toks, lens, ids, &dup) : -1;
    z->oom |= built == -2;
    ok = ok && built == 0;
    free(toks), free(lens), free(ids), free(parts), free(kind);
    if (!ok) {
        free(to_model);
        return false;
    }
    /* conditions (1) and (2) over the B tokens, as hf_bpe_ranks_check */
    uint32_t nv = z->v.n_ids, first_b = (uint32_t)(256 + n_uniq + n_chars);
    uint32_t *split = malloc((size_t)nv * 2 * sizeof *split);
    ok = split && tok_bpe_true_splits(&z->v, NULL, split) == TOK_OK;
    z->oom = !ok;
    uint64_t last = 0;
    for (uint32_t c = 0; ok && c < nv; c++) {
        uint32_t l = split[2 * c], r = split[2 * c + 1], rank = 0, id = 0;
        if (c < first_b) { /* every byte, part and character must be made (the argument above) */
            ok = l != TOK_NO_ID;
            continue;
        }
        if (l == TOK_NO_ID) /* no merge makes it: taken only whole, which this path never does */
            continue;
        ok = to_model[l] != TOK_NO_ID && to_model[r] != TOK_NO_ID &&
             hf_merge_lookup(m, to_model[l], to_model[r], &rank, &id) && id == to_model[c] &&
             rank >= last;
        last = (uint64_t)rank + 1;
    }
    /* Gemma 3 has two short tokens made last from a later one ("\n\n\n", "\t\t\t"): words
     * holding them keep the merge loop. The splits just checked are the tables' truth. */
    uint32_t *short_anom = NULL;
    if (ok && tok_bpe_tables_add_known(&z->v, split, &short_anom, &z->n_short) == -2)
        ok = false, z->oom = true;
    else if (!ok)
        free(split);
    z->short_anom = short_anom;
    if (!ok) {
        tok_vocab_free(&z->v);
        free(to_model);
        return false;
    }
    z->to_model = to_model;
    return true;
}

/* A pack's character-level tables (hf_lazy_rank_adopt), checked as a packed vocabulary is
 * (tok_vocab_view_checked: every loop of the encoder ends, every index stays inside) and every
 * id they give back a token of the model. Checked here, on the first long word, not when the
 * pack opens: the scan reads them all (about 20 MB for Gemma 3), which a tokenizer that never
 * meets a long word should not pay for in time or resident memory. A damaged section leaves
 * HF's merge loop, which gives the same ids. */
static bool packed_view(hf_lazy_rank *z, const tok_tokenizer *t)
{
    const hf_lazy_packed *p = &z->packed;
    tok_vocab v;
    if (tok_vocab_view_checked(&v, p->vocab, p->vocab_len) != 0 || p->n_to_model != v.n_ids)
        return false;
    size_t bad = 0;
    uint32_t n = t->vocab.n_ids;
    for (size_t i = 0; i < p->n_to_model; i++)
        bad += p->to_model[i] != TOK_NO_ID && p->to_model[i] >= n;
    for (size_t i = 0; i < p->n_short; i++)
        bad += p->short_anom[i] >= v.n_ids;
    if (bad || p->n_short > UINT32_MAX)
        return false;
    z->v = v;
    z->to_model = p->to_model;
    z->short_anom = p->n_short ? p->short_anom : NULL;
    z->n_short = (uint32_t)p->n_short;
    return true;
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
                      : m->byte_level ? byte_level_build(z, t, m)
                                      : char_level_build(z, t, m);
            s = ok ? 1 : 2;
            atomic_store_explicit(&z->state, s, memory_order_release);
        }
        pthread_mutex_unlock(&z->mu);
    }
    return s == 1 ? z : NULL;
}

bool hf_lazy_rank_word(const hf_lazy_rank *z, const tok_vocab *mv, const uint8_t *s, size_t n,
                       hf_tokens *out, tok_scratch *sc, uint32_t base, tok_status *st)
{
    *st = TOK_OK;
    for (size_t i = 0; i < n;) { /* every character a token: HF's initial symbols */
        unsigned cl = 1;
        tok_utf8_decode(s + i, &cl);
        if (cl > n - i || (cl == 1 ? mv->byte1[s[i]] : tok_vocab_find(mv, s + i, cl)) == TOK_NO_ID)
            return false;
        i += cl;
    }
    /* without the linear encoder (no tables, or a token they leave out in the word) the rank
     * core would merge bytes with a heap: HF's loop over characters does less */
    if (!z->v.split || (z->v.n_anom && tok_bpe_piece_has_anom(&z->v, s, n)))
        return false;
    for (uint32_t k = 0; k < z->n_short; k++)
        if (memmem(s, n, z->v.bytes + z->v.off[z->short_anom[k]],
                   tok_vocab_len(&z->v, z->short_anom[k])))
            return false;
    tok_out o = {.grow = true};
    if (!tok_bpe_rank_parts(&z->v, s, n, 0, &o, sc) || o.oom) {
        free(o.ids);
        *st = TOK_ENOMEM;
        return false;
    }
    bool ok = true;
    for (size_t k = 0; ok && k < o.n; k++) /* a byte or part of a character left over cannot be */
        ok = z->to_model[o.ids[k]] != TOK_NO_ID;
    uint32_t pos = base;
    for (size_t k = 0; ok && k < o.n; k++) {
        uint32_t len = tok_vocab_len(&z->v, o.ids[k]);
        if (!hf_tokens_push(out, z->to_model[o.ids[k]], pos, pos + len)) {
            *st = TOK_ENOMEM;
            break;
        }
        pos += len;
    }
    free(o.ids);
    return ok && *st == TOK_OK;
}
