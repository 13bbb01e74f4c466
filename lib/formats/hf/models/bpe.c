/* bpe: HF's BPE model (models/bpe/model.rs and word.rs) for one pre-tokenized piece.
 *
 * Differs from tiktoken's BPE in three ways that change ids: only pairs listed in "merges" merge
 * (not any two parts that happen to form a token), the initial symbols are characters (bytes
 * for byte-level vocabularies) that may be missing from the vocabulary (byte_fallback to <0xXX>
 * tokens, else the unknown token, runs of unknowns fused when fuse_unk), and words may carry a
 * continuing_subword_prefix and an end_of_word_suffix. The merge loop is HF's own: a min-heap
 * of (rank, position), an entry skipped when its symbol is gone or its pair no longer yields
 * the same new id. ignore_merges looks the whole piece up first. */
#include "algo/heap.h"
#include "formats/hf/hf.h"
#include "formats/hf/models/bpe_word.h"

#include <string.h>

bool hf_tokens_room(hf_tokens *t, size_t more)
{
    size_t cap = tok_grow_cap(t->cap, t->n + more, 64);
    if (!cap || !tok_realloc(&t->id, cap, sizeof *t->id) ||
        !tok_realloc(&t->start, cap, sizeof *t->start) ||
        !tok_realloc(&t->end, cap, sizeof *t->end)) {
        t->oom = true;
        return false;
    }
    t->cap = cap;
    return true;
}

bool hf_tokens_from_cache(hf_tokens *out, const tok_wc_entry *e, uint32_t base)
{
    if (out->n + e->n > out->cap && !hf_tokens_room(out, e->n))
        return false;
    for (size_t k = 0; k < e->n; k++) { /* room made once, not checked per token */
        out->id[out->n] = e->ids[k];
        out->start[out->n] = base + e->start[k];
        out->end[out->n] = base + e->end[k];
        out->n++;
    }
    return true;
}

void hf_tokens_to_cache(tok_wc_entry *slot, uint64_t owner, const uint8_t *w, size_t n,
                        const hf_tokens *out, size_t first, uint32_t base)
{
    size_t k = out->n - first;
    if (!out->oom) /* k may be 0 with no arrays yet: no pointer arithmetic */
        tok_wc_store(slot, owner, w, n, k, k ? out->id + first : NULL,
                     k ? out->start + first : NULL, k ? out->end + first : NULL, base);
}

typedef struct sym {
    uint32_t c, len;
    int32_t prev, next;
} sym;

typedef struct merge_e {
    uint32_t rank, pos, id;
    uint32_t left, right; /* the pair when pushed: unchanged, it still makes id */
} merge_e;

static bool merge_less(const merge_e *a, const merge_e *b)
{
    return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

TOK_HEAP_DEFINE(merge_heap, merge_e, merge_less)

/* A symbol merged into the one before it (a live one may be zero bytes long: an affix). */
#define MERGED UINT32_MAX

/* Pieces this long are looked at for runs of one symbol (bpe_runs.c). */
#define RUNS_MIN 256

typedef struct sym_list {
    sym *w;
    size_t n;
} sym_list;

static inline bool put_sym(void *ctx, uint32_t id, uint32_t len)
{
    sym_list *l = ctx;
    l->w[l->n] = (sym){id, len, (int32_t)l->n - 1, -1};
    if (l->n > 0)
        l->w[l->n - 1].next = (int32_t)l->n;
    l->n++;
    return true;
}

/* HF's Word::merge_all on s[0..n), pushing tokens at offsets base + position; with drain the
 * caller reads none of them back, so they may leave as they are pushed. */
static tok_status merge_symbols(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                                size_t n, hf_tokens *out, tok_scratch *sc, uint32_t base,
                                bool drain, bool runs)
{
    const tok_vocab *v = &t->vocab;
    if (runs && n >= RUNS_MIN) { /* 4 MB of spaces: a few records, not 76 bytes a character */
        bool declined;
        tok_status st = hf_bpe_runs(t, m, s, n, out, base, drain, &declined);
        if (!declined)
            return st;
    }
    /* scratch: symbols, heap (three entries a symbol), an affix buffer. A character is one
     * symbol, or one a byte with byte fallback, each with the affixes' bytes around it */
    size_t affix = m->prefix_len + m->suffix_len + 8;
    size_t most = (n + 1) * (m->byte_fallback ? 1 + m->prefix_len + m->suffix_len : 1),
           heap_max = 3 * most + 8;
    size_t need = most * sizeof(sym) + heap_max * sizeof(merge_e) + affix;
    uint8_t *mem = tok_scratch_get(sc, need);
    if (!mem)
        return TOK_ENOMEM;
    sym *w = (sym *)mem;
    merge_e *heap = (merge_e *)(w + most);
    uint8_t *buf = (uint8_t *)(heap + heap_max);
    sym_list l = {w, 0};
    tok_status st = hf_bpe_symbols(v, m, s, n, buf, put_sym, NULL, &l);
    if (st != TOK_OK)
        return st;
    size_t ns = l.n;
    /* merge_all */
    size_t hn = 0;
    for (size_t k = 0; k + 1 < ns; k++) {
        uint32_t rank, id;
        if (hf_merge_lookup(m, w[k].c, w[k + 1].c, &rank, &id))
            merge_heap_push(heap, &hn, (merge_e){rank, (uint32_t)k, id, w[k].c, w[k + 1].c});
    }
    while (hn) {
        merge_e top = merge_heap_pop(heap, &hn);
        sym *cur = &w[top.pos];
        if (cur->len == MERGED || cur->next == -1)
            continue;
        sym right = w[cur->next];
        uint32_t rank, id;
        /* HF's test is only "the pair here still makes top.id"; the same pair surely does */
        if ((cur->c != top.left || right.c != top.right) &&
            (!hf_merge_lookup(m, cur->c, right.c, &rank, &id) || id != top.id))
            continue; /* expired */
        int32_t rpos = cur->next;
        cur->c = top.id;
        cur->len += right.len;
        cur->next = right.next;
        w[rpos].len = MERGED;
        if (right.next > -1 && (size_t)right.next < ns)
            w[right.next].prev = (int32_t)top.pos;
        if (cur->prev >= 0 && hf_merge_lookup(m, w[cur->prev].c, cur->c, &rank, &id)) {
            if (hn >= heap_max)
                return TOK_ENOMEM; /* cannot happen: at most two pushes per merge */
            merge_heap_push(heap, &hn, (merge_e){rank, (uint32_t)cur->prev, id, w[cur->prev].c, cur->c});
        }
        if (cur->next >= 0 && (size_t)cur->next < ns &&
            hf_merge_lookup(m, cur->c, w[cur->next].c, &rank, &id)) {
            if (hn >= heap_max)
                return TOK_ENOMEM;
            merge_heap_push(heap, &hn, (merge_e){rank, top.pos, id, cur->c, w[cur->next].c});
        }
    }
    uint32_t pos = 0;
    for (size_t k = 0; k < ns; k++) {
        if (w[k].len == MERGED)
            continue;
        if (!hf_tokens_push(out, w[k].c, base + pos, base + pos + w[k].len))
            return TOK_ENOMEM;
        if (drain)
            hf_tokens_settled(out);
        pos += w[k].len;
    }
    return out->oom ? TOK_ENOMEM : TOK_OK;
}

static tok_status merge_piece(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                              size_t n, hf_tokens *out, tok_scratch *sc, uint32_t base,
                              bool drain)
{
    return merge_symbols(t, m, s, n, out, sc, base, drain, true);
}

tok_status hf_bpe_merge(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                        hf_tokens *out, tok_scratch *sc, bool runs)
{
    return merge_symbols(t, m, s, n, out, sc, 0, false, runs);
}

/* A word this long is merged in parts where no merge can cross (models/bpe_pairs.c): the merge
 * loop's 76 bytes per byte then follow the part, not the word. */
#define PART_MIN 256

static tok_status merge_word(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                             size_t n, hf_tokens *out, tok_scratch *sc, uint32_t base, bool drain)
{
    const hf_pair_bits *p = drain && n > 4 * PART_MIN ? hf_pair_bits_get(t, m) : NULL;
    if (!p)
        return merge_piece(t, m, s, n, out, sc, base, drain);
    size_t gone = 0; /* bytes dropped so far: the whole word's offsets skip them */
    hf_pair_memo memo = {UINT32_MAX, 0, 0};
    for (size_t a = 0; a < n;) {
        size_t dropped;
        uint32_t first_id;
        size_t b = hf_pair_cut(p, &t->vocab, m, s, a, n, PART_MIN, &dropped, &first_id, &memo);
        tok_status st = merge_piece(t, m, s + a, b - a, out, sc, base + (uint32_t)(a - gone), true);
        if (st != TOK_OK)
            return st;
        gone += dropped;
        a = b;
    }
    return TOK_OK;
}

/* ---- word by word ---- */

/* Words longer than this are cut where no merge crosses (models/bpe_pairs.c) before merging. */
#define HF_PAIRS_WORD 256
#define SP0 0xE2 /* U+2581's first byte (hf_is_sp) */

/* The end of the word that starts at a: the next U+2581 that follows another character. */
static size_t word_end(const uint8_t *s, size_t a, size_t n)
{
    for (size_t i = a + 1; i + 3 <= n; i++) {
        const uint8_t *p = memchr(s + i, SP0, n - 2 - i);
        if (!p)
            break;
        i = (size_t)(p - s);
        if (hf_is_sp(p) && !(i >= a + 3 && hf_is_sp(p - 3)))
            return i;
    }
    return n;
}

/* Does w[0..n) start with two U+2581, a run hf_pair_lead may take as one token? */
static inline bool starts_indented(const uint8_t *w, size_t n)
{
    return n >= 6 && hf_is_sp(w) && hf_is_sp(w + 3);
}

/* The first byte below 0x20 in s[i..n), or n: eight bytes a step (a byte b < 0x20 is one
 * whose b - 0x20 borrows while b itself has the top bit clear). */
static size_t next_control(const uint8_t *s, size_t i, size_t n)
{
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if ((x - 0x2020202020202020ull) & ~x & 0x8080808080808080ull)
            break;
    }
    while (i < n && s[i] >= 0x20)
        i++;
    return i;
}

/* Does the merge loop have work on w: an adjacent pair of characters with a merge for every 64
 * bytes? (Digits, most CJK: hardly any.) */
static bool merges_many(const tok_tokenizer *t, const hf_model *m, const uint8_t *w, size_t n)
{
    const tok_vocab *v = &t->vocab;
    size_t want = n / 64, found = 0;
    uint32_t prev = TOK_NO_ID;
    for (size_t i = 0; i < n;) {
        unsigned cl = 1;
        tok_utf8_decode(w + i, &cl);
        uint32_t id = cl == 1 ? v->byte1[w[i]] : tok_vocab_find(v, w + i, cl), rank, merged;
        if (prev != TOK_NO_ID && id != TOK_NO_ID && hf_merge_lookup(m, prev, id, &rank, &merged) &&
            ++found >= want)
            return true;
        prev = id;
        i += cl;
    }
    return false;
}

/* A long character-level word on the rank core, when its merges are rank BPE
 * (models/bpe_ranks.c): true when done (or failed: *st). */
static bool long_word(const tok_tokenizer *t, const hf_model *m, const uint8_t *w, size_t n,
                      hf_tokens *out, tok_scratch *sc, uint32_t base, tok_status *st)
{
    if (!m->lazy || m->byte_level || n < HF_RANK_LAZY_MIN)
        return false;
    if (!m->lazy->from_pack && atomic_load_explicit(&m->lazy->state, memory_order_acquire) == 0 &&
        !merges_many(t, m, w, n))
        return false; /* the merge loop is cheap here; the tables can wait for a word that
                       * needs them (they cost a second for Gemma's 262,000 tokens; a pack
                       * holds them ready) */
    const hf_lazy_rank *z = hf_lazy_rank_get(t, m);
    return z && (hf_lazy_rank_word(z, w, n, out, sc, base, true, st) || *st != TOK_OK);
}

/* A word of two or three ASCII characters, each a token, merged as HF does without the merge
 * loop's set-up: the listed pair of lower rank first (the leftmost when both are one pair),
 * then the pair it leaves. false: not such a word (nothing pushed). */
static bool tiny_word(const tok_tokenizer *t, const hf_model *m, const uint8_t *w, size_t n,
                      hf_tokens *out, uint32_t base, tok_status *st)
{
    if ((n != 2 && n != 3) || m->byte_level || m->ignore_merges || m->prefix_len ||
        m->suffix_len)
        return false;
    uint32_t c[3], id[3], at[4] = {0, 1, 2, 3}, k = (uint32_t)n, r1, r2, x1, x2;
    for (uint32_t i = 0; i < k; i++)
        if (w[i] >= 0x80 || (c[i] = t->vocab.byte1[w[i]]) == TOK_NO_ID)
            return false;
    bool m1 = hf_merge_lookup(m, c[0], c[1], &r1, &x1);
    if (k == 2) {
        *st = (m1 ? hf_tokens_push(out, x1, base, base + 2)
                  : hf_tokens_push(out, c[0], base, base + 1) &&
                        hf_tokens_push(out, c[1], base + 1, base + 2))
                  ? TOK_OK
                  : TOK_ENOMEM;
        return true;
    }
    bool m2 = hf_merge_lookup(m, c[1], c[2], &r2, &x2);
    uint32_t nid = 0;
    if (m1 && (!m2 || r1 <= r2)) { /* (c0 c1) first, then with c2 */
        uint32_t r, x;
        if (hf_merge_lookup(m, x1, c[2], &r, &x))
            id[nid++] = x, at[1] = 3;
        else
            id[nid++] = x1, id[nid++] = c[2], at[1] = 2;
    } else if (m2) { /* (c1 c2) first, then c0 with it */
        uint32_t r, x;
        if (hf_merge_lookup(m, c[0], x2, &r, &x))
            id[nid++] = x, at[1] = 3;
        else
            id[nid++] = c[0], id[nid++] = x2, at[1] = 1;
    } else {
        id[0] = c[0], id[1] = c[1], id[2] = c[2], nid = 3;
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < nid; i++)
        ok = hf_tokens_push(out, id[i], base + at[i], base + (i + 1 < nid ? at[i + 1] : 3));
    *st = ok ? TOK_OK : TOK_ENOMEM;
    return true;
}

static tok_status cached_word(const tok_tokenizer *t, const hf_model *m, const uint8_t *w,
                              size_t n, hf_tokens *out, tok_scratch *sc, uint32_t base,
                              const hf_pair_bits *p)
{
    tok_status st;
    uint32_t lead;
    size_t at = p && starts_indented(w, n) ? hf_pair_lead(p, &t->vocab, w, n, &lead) : 0;
    if (at) { /* an indented word: its run's token, then the rest (models/bpe_pairs.c) */
        if (!hf_tokens_push(out, lead, base, base + (uint32_t)at))
            return TOK_ENOMEM;
        return at == n ? TOK_OK
                       : cached_word(t, m, w + at, n - at, out, sc, base + (uint32_t)at, NULL);
    }
    if (long_word(t, m, w, n, out, sc, base, &st) || tiny_word(t, m, w, n, out, base, &st))
        return st;
    tok_wc_entry *slot;
    const tok_wc_entry *e = tok_wc_find(m->cache_id, w, n, &slot);
    if (e)
        return hf_tokens_from_cache(out, e, base) ? TOK_OK : TOK_ENOMEM;
    bool keep = slot != NULL; /* else not one the cache keeps (too long): nothing read back */
    size_t first = out->n;
    /* a pack's rank tables, read in place, are ready: they beat the merge loop on any word
     * (Gemma 3 on man pages: a line of 70 asterisks, 822 times, went to the merge loop) */
    const hf_lazy_rank *z = m->lazy && m->lazy->from_pack && n > 3 && n < HF_RANK_LAZY_MIN
                                ? hf_lazy_rank_get(t, m)
                                : NULL; /* (longer: long_word asked them already) */
    if (!z || !hf_lazy_rank_word(z, w, n, out, sc, base, !keep, &st)) {
        if (z && st != TOK_OK)
            return st;
        st = merge_word(t, m, w, n, out, sc, base, !keep);
    }
    if (st == TOK_OK && keep)
        hf_tokens_to_cache(slot, m->cache_id, w, n, out, first, base);
    return st;
}

/* s[0..n) as words cut where no merge can cross, each through the word cache (or the rank core
 * when long); offsets skip the characters dropped before each word, as the whole merge's do. */
static tok_status by_pairs(const tok_tokenizer *t, const hf_model *m, const hf_pair_bits *p,
                           const uint8_t *s, size_t n, uint32_t base, hf_tokens *out,
                           tok_scratch *sc)
{
    size_t gone = 0;
    hf_pair_memo memo = {UINT32_MAX, 0, 0};
    for (size_t a = 0; a < n;) {
        size_t dropped = 0, b;
        uint32_t one = TOK_NO_ID;
        if (s[a] < 0x80) { /* ASCII tokens (base64: a word every 2.4 bytes) */
            b = hf_pair_ascii(p, &t->vocab, s, a, n);
            if (b == a + 1)
                one = t->vocab.byte1[s[a]];
        } else {
            b = hf_pair_word(p, &t->vocab, s, a, n); /* a word of more than one character */
        }
        if (!b)
            b = hf_pair_cut(p, &t->vocab, m, s, a, n, 1, &dropped, &one, &memo);
        /* one character that is a token is that token (digits, most CJK: a word a character) */
        unsigned cl = 1;
        if (s[a] >= 0x80)
            tok_utf8_decode(s + a, &cl);
        if (b - a != cl)
            one = TOK_NO_ID;
        tok_status st = one != TOK_NO_ID
                            ? (hf_tokens_push(out, one, base + (uint32_t)(a - gone),
                                              base + (uint32_t)(b - gone))
                                   ? TOK_OK
                                   : TOK_ENOMEM)
                            : cached_word(t, m, s + a, b - a, out, sc,
                                          base + (uint32_t)(a - gone), p);
        if (st != TOK_OK)
            return st;
        hf_tokens_settled(out);
        gone += dropped;
        a = b;
    }
    return out->oom ? TOK_ENOMEM : TOK_OK;
}

tok_status hf_bpe_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                           hf_tokens *out, tok_scratch *sc)
{
    if (n == 0)
        return TOK_OK;
    if (m->ignore_merges) {
        uint32_t id = tok_vocab_find(&t->vocab, s, n);
        if (id != TOK_NO_ID)
            return hf_tokens_push(out, id, 0, (uint32_t)n) ? TOK_OK : TOK_ENOMEM;
    }
    if (!m->cut_words || m->may_drop) {
        /* a piece whose merges are plain goes word by word all the same, its words ending
         * where no merge can cross (models/bpe_pairs.c): Gemma 3's whole text is one piece,
         * and one token (">▁</") keeps it from cut_words; a short piece is a word. So does a
         * model that drops characters (no unk, no byte fallback): a U+2581 after a dropped
         * character may follow another U+2581 in what the merge sees, which cuts at every
         * U+2581 after another character would split (the pair cut knows dropped ones) */
        const hf_pair_bits *p = n > TOK_WC_WORD ? hf_pair_bits_get(t, m) : NULL;
        if (p)
            return by_pairs(t, m, p, s, n, 0, out, sc);
        /* (a line of Gemma 3's, between its newline tokens: indented, it asks for the pair
         * set for its leading run) */
        p = starts_indented(s, n) ? hf_pair_bits_get(t, m) : NULL;
        return cached_word(t, m, s, n, out, sc, 0, p);
    }
    /* SentencePiece-style models (Gemma, Mistral 7B, Yi, ...) have no pre-tokenizer: without
     * this a whole text would be one word for the merge loop */
    size_t ctrl_at = 0; /* the first control character at or after a (n: none) */
    for (size_t a = 0; a < n;) {
        size_t b = word_end(s, a, n);
        /* a long word (digits, base64, a run) is cut where no merge crosses, as above: its
         * parts' tokens then need no memory that grows with the word */
        /* so is a word with a control character: Mistral 7B gives newlines and tabs as
         * byte-fallback tokens, which never merge, so "▁and\n" is "▁and" and a newline, and
         * the first goes to the word cache or the rank core, not the merge loop (which took 40%
         * of its time on prose, most of it on such words at line ends) */
        if (ctrl_at < a)
            ctrl_at = next_control(s, a, n);
        bool cut = b - a > HF_PAIRS_WORD || ctrl_at < b;
        /* (an indented word asks for the pair set too: its leading run) */
        const hf_pair_bits *p =
            cut || starts_indented(s + a, b - a) ? hf_pair_bits_get(t, m) : NULL;
        tok_status st = p && cut ? by_pairs(t, m, p, s + a, b - a, (uint32_t)a, out, sc)
                                 : cached_word(t, m, s + a, b - a, out, sc, (uint32_t)a, p);
        if (st != TOK_OK)
            return st;
        hf_tokens_settled(out);
        a = b;
    }
    return out->oom ? TOK_ENOMEM : TOK_OK;
}

/* No merge involves a byte-fallback or the unknown token (their text is not the text they
 * stand for) and every merge makes a token of the vocabulary; with words, also no merge makes
 * a token holding a character before U+2581 (cut_words, below). One pass over the merges: 40
 * ms for Gemma 3. false when out of memory (merge whole pieces, still exact). */
bool hf_merges_plain(const tok_vocab *v, const hf_model *m, bool words)
{
    uint8_t *special = calloc(v->n_ids / 8 + 1, 1);
    if (!special)
        return false;
#define MARK(id) (special[(id) / 8] |= (uint8_t)(1u << ((id) % 8)))
#define MARKED(id) ((id) < v->n_ids && (special[(id) / 8] >> ((id) % 8) & 1))
    for (int b = 0; b < 256; b++)
        if (m->byte_ids[b] != TOK_NO_ID && m->byte_ids[b] < v->n_ids)
            MARK(m->byte_ids[b]);
    if (m->unk_id != TOK_NO_ID && m->unk_id < v->n_ids)
        MARK(m->unk_id);
    bool ok = true;
    for (size_t i = 0; ok && i < (size_t)1 << m->merge_bits; i++) {
        uint64_t key = m->merges[i].key;
        if (key == UINT64_MAX)
            continue;
        uint32_t left = (uint32_t)(key >> 32), right = (uint32_t)key, id = m->merges[i].id;
        if (MARKED(left) || MARKED(right) || id >= v->n_ids) {
            ok = false;
            break;
        }
        const uint8_t *p = v->bytes + v->off[id];
        uint32_t len = tok_vocab_len(v, id);
        for (uint32_t k = 1; words && ok && k + 3 <= len; k++)
            if (hf_is_sp(p + k) && !(k >= 3 && hf_is_sp(p + k - 3)))
                ok = false;
    }
#undef MARK
#undef MARKED
    free(special);
    return ok;
}

/* Cutting before a U+2581 that follows another character c changes nothing when no merge
 * makes a token holding c followed by U+2581: then no symbol ever spans the cut, no pair across
 * it has a merge, and the merges on either side neither meet nor compete. The U+2581 itself
 * must be a token (so an unknown run before it ends there, as it would whole), merges must not
 * involve byte-fallback or unknown tokens (their text is not the text they stand for), and
 * nothing may look at the whole piece (ignore_merges) or at word ends (affixes). */
void hf_bpe_prepare_words(const tok_vocab *v, hf_model *m, int known)
{
    m->cut_words = false;
    if (m->kind != HF_BPE || !m->merges)
        return;
    m->may_drop = hf_may_drop(m);
    m->cache_id = tok_wc_new_id();
    if (known >= 0) { /* a pack records the answer (it scans every merge: 40 ms for Gemma 3) */
        m->cut_words = known == 1;
        return;
    }
    if (m->byte_level || m->ignore_merges ||
        m->prefix_len || m->suffix_len ||
        tok_vocab_find(v, (const uint8_t *)"\xE2\x96\x81", 3) == TOK_NO_ID)
        return;
    m->cut_words = hf_merges_plain(v, m, true);
}
