/* bpe_hf: HF's BPE model (models/bpe/model.rs and word.rs) for one pre-tokenized piece.
 *
 * Differs from tiktoken's BPE in three ways that change ids: only pairs listed in "merges" merge
 * (not any two parts that happen to form a token), the initial symbols are characters (bytes
 * for byte-level vocabularies) that may be missing from the vocabulary (byte_fallback to <0xXX>
 * tokens, else the unknown token, runs of unknowns fused when fuse_unk), and words may carry a
 * continuing_subword_prefix and an end_of_word_suffix. The merge loop is HF's own: a min-heap
 * of (rank, position), an entry skipped when its symbol is gone or its pair no longer yields
 * the same new id. ignore_merges looks the whole piece up first. */
#include "hf.h"

#include <string.h>

bool hf_tokens_push(hf_tokens *t, uint32_t id, uint32_t start, uint32_t end)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        uint32_t *a = realloc(t->id, cap * sizeof *a), *b = a ? realloc(t->start, cap * sizeof *b) : NULL;
        if (a)
            t->id = a;
        if (b)
            t->start = b;
        uint32_t *c = b ? realloc(t->end, cap * sizeof *c) : NULL;
        if (c)
            t->end = c;
        if (!c) {
            t->oom = true;
            return false;
        }
        t->cap = cap;
    }
    t->id[t->n] = id;
    t->start[t->n] = start;
    t->end[t->n] = end;
    t->n++;
    return true;
}

typedef struct sym {
    uint32_t c, len;
    int32_t prev, next;
} sym;

typedef struct merge_e {
    uint32_t rank, pos, id;
} merge_e;

static bool merge_less(const merge_e *a, const merge_e *b)
{
    return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

static void heap_push(merge_e *h, size_t *n, merge_e e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!merge_less(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static merge_e heap_pop(merge_e *h, size_t *n)
{
    merge_e top = h[0], last = h[--*n];
    size_t i = 0, len = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= len)
            break;
        if (c + 1 < len && merge_less(&h[c + 1], &h[c]))
            c++;
        if (!merge_less(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (len)
        h[i] = last;
    return top;
}

/* The vocabulary id of prefix + s[0..n) + suffix (model view), or TOK_NO_ID. */
static uint32_t lookup_affixed(const tok_vocab *v, const hf_model *m, const uint8_t *s, size_t n,
                               bool first, bool last, uint8_t *buf)
{
    size_t pl = !first && m->prefix ? m->prefix_len : 0, sl = last && m->suffix ? m->suffix_len : 0;
    if (!pl && !sl)
        return n == 1 ? v->byte1[s[0]] : tok_vocab_find(v, s, n);
    if (pl) /* memcpy from a NULL prefix is undefined even for 0 bytes */
        memcpy(buf, m->prefix, pl);
    memcpy(buf + pl, s, n);
    if (sl)
        memcpy(buf + pl + n, m->suffix, sl);
    return tok_vocab_find(v, buf, pl + n + sl);
}

tok_status hf_bpe_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                           hf_tokens *out, tok_scratch *sc)
{
    const tok_vocab *v = &t->vocab;
    if (n == 0)
        return TOK_OK;
    if (m->ignore_merges) {
        uint32_t id = tok_vocab_find(v, s, n);
        if (id != TOK_NO_ID)
            return hf_tokens_push(out, id, 0, (uint32_t)n) ? TOK_OK : TOK_ENOMEM;
    }
    /* scratch: symbols (n + 1), heap (3n + 1 entries), an affix buffer */
    size_t affix = m->prefix_len + m->suffix_len + 8;
    size_t need = (n + 1) * sizeof(sym) + (3 * n + 8) * sizeof(merge_e) + affix;
    uint8_t *mem = tok_scratch_get(sc, need);
    if (!mem)
        return TOK_ENOMEM;
    sym *w = (sym *)mem;
    merge_e *heap = (merge_e *)(w + n + 1);
    uint8_t *buf = (uint8_t *)(heap + 3 * n + 8);
    size_t ns = 0;
    /* Word::add: (id, byte length); an unknown run is held back until a known symbol */
    uint32_t unk_id = TOK_NO_ID, unk_len = 0;
    bool have_unk = false;
#define ADD(id_, len_)                                                                   \
    do {                                                                                 \
        w[ns] = (sym){(id_), (uint32_t)(len_), (int32_t)ns - 1, -1};                     \
        if (ns > 0)                                                                      \
            w[ns - 1].next = (int32_t)ns;                                                \
        ns++;                                                                            \
    } while (0)
    for (size_t i = 0; i < n;) {
        unsigned cl = 1;
        if (!m->byte_level)
            tok_utf8_decode(s + i, &cl);
        bool first = i == 0, last = i + cl >= n;
        uint32_t id = lookup_affixed(v, m, s + i, cl, first, last, buf);
        if (id != TOK_NO_ID) {
            if (have_unk) {
                ADD(unk_id, unk_len);
                have_unk = false;
            }
            ADD(id, cl);
            i += cl;
            continue;
        }
        if (m->byte_fallback) {
            /* every byte of prefix + char + suffix must have a <0xXX> token */
            size_t pl = !first && m->prefix ? m->prefix_len : 0, sl = last && m->suffix ? m->suffix_len : 0;
            bool all = true;
            for (size_t k = 0; k < pl && all; k++)
                all = m->byte_ids[(uint8_t)m->prefix[k]] != TOK_NO_ID;
            for (size_t k = 0; k < cl && all; k++)
                all = m->byte_ids[s[i + k]] != TOK_NO_ID;
            for (size_t k = 0; k < sl && all; k++)
                all = m->byte_ids[(uint8_t)m->suffix[k]] != TOK_NO_ID;
            if (all) {
                /* HF adds the unknown run only before a vocabulary hit; byte tokens follow
                 * directly (the pending unk stays pending, as in merge_word) */
                for (size_t k = 0; k < pl; k++)
                    ADD(m->byte_ids[(uint8_t)m->prefix[k]], 1);
                for (size_t k = 0; k < cl; k++)
                    ADD(m->byte_ids[s[i + k]], 1);
                for (size_t k = 0; k < sl; k++)
                    ADD(m->byte_ids[(uint8_t)m->suffix[k]], 1);
                i += cl;
                continue;
            }
        }
        if (m->unk_token) {
            if (m->unk_id == TOK_NO_ID)
                return TOK_EFORMAT; /* HF: UnkTokenOutOfVocabulary, raised when needed */
            if (have_unk && m->fuse_unk) {
                unk_len += cl;
            } else {
                if (have_unk)
                    ADD(unk_id, unk_len);
                unk_id = m->unk_id;
                unk_len = cl;
                have_unk = true;
            }
        }
        /* no unk token: the character is dropped, as HF drops it */
        i += cl;
    }
    if (have_unk)
        ADD(unk_id, unk_len);
#undef ADD
    /* merge_all */
    size_t hn = 0;
    for (size_t k = 0; k + 1 < ns; k++) {
        uint32_t rank, id;
        if (hf_merge_lookup(m, w[k].c, w[k + 1].c, &rank, &id))
            heap_push(heap, &hn, (merge_e){rank, (uint32_t)k, id});
    }
    while (hn) {
        merge_e top = heap_pop(heap, &hn);
        sym *cur = &w[top.pos];
        if (cur->len == 0 || cur->next == -1)
            continue;
        sym right = w[cur->next];
        uint32_t rank, id;
        if (!hf_merge_lookup(m, cur->c, right.c, &rank, &id) || id != top.id)
            continue; /* expired */
        int32_t rpos = cur->next;
        cur->c = top.id;
        cur->len += right.len;
        cur->next = right.next;
        w[rpos].len = 0;
        if (right.next > -1 && (size_t)right.next < ns)
            w[right.next].prev = (int32_t)top.pos;
        if (cur->prev >= 0 && hf_merge_lookup(m, w[cur->prev].c, cur->c, &rank, &id)) {
            if (hn >= 3 * n + 8)
                return TOK_ENOMEM; /* cannot happen: at most two pushes per merge */
            heap_push(heap, &hn, (merge_e){rank, (uint32_t)cur->prev, id});
        }
        if (cur->next >= 0 && (size_t)cur->next < ns &&
            hf_merge_lookup(m, cur->c, w[cur->next].c, &rank, &id)) {
            if (hn >= 3 * n + 8)
                return TOK_ENOMEM;
            heap_push(heap, &hn, (merge_e){rank, top.pos, id});
        }
    }
    uint32_t pos = 0;
    for (size_t k = 0; k < ns; k++) {
        if (w[k].len == 0)
            continue;
        if (!hf_tokens_push(out, w[k].c, pos, pos + w[k].len))
            return TOK_ENOMEM;
        pos += w[k].len;
    }
    return TOK_OK;
}
