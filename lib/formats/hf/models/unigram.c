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

tok_status hf_unigram_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                               size_t n, hf_tokens *out, tok_scratch *sc)
{
    const hf_uni *h = m->unigram;
    double score = 0;
    tok_uni_piece *p;
    size_t k = tok_unigram_best(&h->u, s, n, &score, sc, &p);
    if (k == SIZE_MAX - 1)
        return TOK_EFORMAT; /* MissingUnkId */
    if (k == SIZE_MAX)
        return TOK_ENOMEM;
    uint32_t unk = h->u.unk_id;
    for (size_t i = 0; i < k;) {
        uint32_t a = p[i].start, b = p[i].end, id = p[i].id;
        if (id == unk && unk != TOK_NO_ID) { /* fuse the run, then look its text up */
            while (i + 1 < k && p[i + 1].id == unk)
                b = p[++i].end;
            id = tok_vocab_find(&t->vocab, s + a, b - a);
            if (id == TOK_NO_ID && h->byte_fallback) {
                size_t j = a;
                while (j < b && h->byte_ids[s[j]] != TOK_NO_ID)
                    j++;
                if (j == b) {
                    for (j = a; j < b; j++)
                        hf_tokens_push(out, h->byte_ids[s[j]], a, b);
                    i++;
                    continue;
                }
            }
            if (id == TOK_NO_ID)
                id = unk;
        }
        hf_tokens_push(out, id, a, b);
        i++;
    }
    return out->oom ? TOK_ENOMEM : TOK_OK;
}
