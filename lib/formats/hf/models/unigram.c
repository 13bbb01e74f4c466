/* unigram: tokenizer.json's Unigram model (models/unigram/model.rs and its serialization)
 * on the Viterbi and the trie of algo/unigram.h.
 *
 * Where Hugging Face differs from sentencepiece, it is followed here: scores are doubles, every vocabulary entry is matchable (no user-defined bonus,
 *     no unused pieces), unknown characters score min(all scores) - 10, a run of unknown pieces
 *     (any piece with the unknown id) is fused into one token whose text is looked up again,
 *     and with byte_fallback a token not in the vocabulary becomes its <0xXX> tokens when all
 *     of them exist, each spanning the whole token. An unknown character in a model without
 * unk_id is an error (MissingUnkId). */
#include "algo/unigram.h"
#include "algo/word_cache.h"
#include "formats/hf/load/load.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct hf_uni {
    tok_unigram u;
    double *score;
    bool byte_fallback;
    uint32_t byte_ids[256];
} hf_uni;

tok_status hf_load_unigram(hf_load *ld, uint32_t model, const hf_entry *e, size_t n,
                           const double *scores)
{
    hf_model *m = &ld->hp->model;
    uint64_t unk = UINT64_MAX;
    bool fallback = false;
    tok_status st = hf_get_uint(ld, model, "unk_id", false, UINT64_MAX, &unk);
    if (st == TOK_OK)
        st = hf_get_bool(ld, model, "byte_fallback", false, &fallback);
    if (st != TOK_OK)
        return st;
    if (unk != UINT64_MAX && n == 0)
        return hf_fail(ld, TOK_EFORMAT, model,
                       "the vocabulary is empty but at least <unk> is needed");
    if (unk != UINT64_MAX && unk >= n)
        return hf_fail(ld, TOK_EFORMAT, model, "unk_id %llu is not below the vocabulary size %zu",
                       (unsigned long long)unk, n);
    hf_uni *h = calloc(1, sizeof *h);
    const uint8_t **keys = malloc((n + 1) * sizeof *keys);
    uint32_t *lens = malloc((n + 1) * sizeof *lens), *vals = malloc((n + 1) * sizeof *vals);
    if (h)
        h->score = malloc((n + 1) * sizeof *h->score);
    if (!h || !keys || !lens || !vals || !h->score) {
        free(keys), free(lens), free(vals);
        hf_unigram_free(h);
        return hf_fail(ld, TOK_ENOMEM, model, "out of memory");
    }
    double min = INFINITY;
    for (size_t i = 0; i < n; i++) {
        keys[i] = (const uint8_t *)e[i].s;
        lens[i] = (uint32_t)e[i].len;
        vals[i] = e[i].id;
        h->score[e[i].id] = scores[i];
        if (scores[i] < min)
            min = scores[i];
    }
    int r = tok_trie_build(&h->u.trie, n, keys, lens, vals); /* a repeated token: the last id */
    free(keys), free(lens), free(vals);
    if (r != 0) {
        hf_unigram_free(h);
        return hf_fail(ld, TOK_ENOMEM, model, "out of memory");
    }
    h->u.spm = false;
    h->u.dscore = h->score;
    h->u.dmin = min;
    h->u.unk_id = unk == UINT64_MAX ? TOK_NO_ID : (uint32_t)unk;
    h->byte_fallback = fallback;
    for (int b = 0; b < 256; b++) {
        char code[8];
        snprintf(code, sizeof code, "<0x%02X>", b);
        h->byte_ids[b] = fallback ? hf_str_id(ld, code, 6) : TOK_NO_ID;
    }
    m->unigram = h;
    m->cache_id = tok_wc_new_id();
    m->unk_id = h->u.unk_id;
    m->byte_fallback = fallback;
    return TOK_OK;
}

void hf_unigram_free(void *p)
{
    hf_uni *h = p;
    if (!h)
        return;
    tok_trie_free(&h->u.trie);
    free(h->score);
    free(h);
}

/* The pieces as they come (algo/unigram.c), runs of unknown pieces fused into one. */
typedef struct uni_out {
    const tok_tokenizer *t;
    const hf_uni *h;
    const uint8_t *s;
    hf_tokens *out;
    bool pending; /* a run of unknown pieces, [pa, pb), not yet given out */
    uint32_t pa, pb;
    bool settle;  /* may the pipeline take the tokens as they come (not when they are cached) */
} uni_out;

/* The fused run: looked up as one text, else its bytes (byte fallback), else unk. */
static void flush_unknown(uni_out *o)
{
    if (!o->pending)
        return;
    o->pending = false;
    const hf_uni *h = o->h;
    uint32_t a = o->pa, b = o->pb;
    uint32_t id = tok_vocab_find(&o->t->vocab, o->s + a, b - a);
    if (id == TOK_NO_ID && h->byte_fallback) {
        size_t j = a;
        while (j < b && h->byte_ids[o->s[j]] != TOK_NO_ID)
            j++;
        if (j == b) {
            for (j = a; j < b; j++)
                hf_tokens_push(o->out, h->byte_ids[o->s[j]], a, b);
            return;
        }
    }
    hf_tokens_push(o->out, id == TOK_NO_ID ? h->u.unk_id : id, a, b);
}

static void put_piece(void *ctx, uint32_t a, uint32_t b, uint32_t id)
{
    uni_out *o = ctx;
    uint32_t unk = o->h->u.unk_id;
    if (id == unk && unk != TOK_NO_ID) {
        if (!o->pending)
            o->pa = a;
        o->pending = true;
        o->pb = b;
        return;
    }
    flush_unknown(o);
    hf_tokens_push(o->out, id, a, b);
    if (o->settle)
        hf_tokens_settled(o->out); /* the Viterbi gives pieces out final, in order */
}

tok_status hf_unigram_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                               size_t n, hf_tokens *out, tok_scratch *sc)
{
    /* a piece's tokens depend on its bytes alone: the per-thread word cache keeps those of
     * short pieces met before (algo/word_cache.c), as HF's Unigram keeps a cache */
    tok_wc_entry *slot = NULL;
    const tok_wc_entry *e = m->cache_id ? tok_wc_find(m->cache_id, s, n, &slot) : NULL;
    if (e)
        return hf_tokens_from_cache(out, e, 0) ? TOK_OK : TOK_ENOMEM;
    size_t first = out->n;
    uni_out o = {.t = t, .h = m->unigram, .s = s, .out = out, .settle = !slot};
    double score = 0;
    int r = tok_unigram_run(&o.h->u, s, n, &score, sc, put_piece, &o);
    if (r == TOK_UNI_MISSING_UNK)
        return TOK_EFORMAT; /* MissingUnkId */
    if (r != TOK_UNI_OK)
        return TOK_ENOMEM;
    flush_unknown(&o);
    if (out->oom)
        return TOK_ENOMEM;
    if (slot)
        hf_tokens_to_cache(slot, m->cache_id, s, n, out, first, 0);
    return TOK_OK;
}

void hf_unigram_settle_every(tok_tokenizer *t, size_t every)
{
    hf_pipeline *hp = t->impl;
    if (hp->model.unigram)
        ((hf_uni *)hp->model.unigram)->u.settle_every = every;
}
