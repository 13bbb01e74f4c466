/* hf_unigram: tokenizer.json's Unigram model (models/unigram/model.rs) and Precompiled
 * normalizer (normalizers/precompiled.rs with the spm_precompiled crate), on the SentencePiece
 * components: the Viterbi and the trie of unigram.h, the charsmap of charsmap.h.
 *
 * Where Hugging Face differs from sentencepiece, it is followed here:
 *   - Unigram: scores are doubles, every vocabulary entry is matchable (no user-defined bonus,
 *     no unused pieces), unknown characters score min(all scores) - 10, a run of unknown pieces
 *     (any piece with the unknown id) is fused into one token whose text is looked up again,
 *     and with byte_fallback a token not in the vocabulary becomes its <0xXX> tokens when all
 *     of them exist, each spanning the whole token. An unknown character in a model without
 *     unk_id is an error (MissingUnkId).
 *   - Precompiled: the text is cut into extended grapheme clusters (utf8proc); a cluster under
 *     6 bytes is replaced whole when a rule matches a prefix of it -- the first, shortest rule,
 *     not the longest -- else each character is looked up on its own. Alignments follow the
 *     transformations HF builds, including a removal that shortens the previous entry. */
#include "charsmap.h"
#include "hf_load.h"
#include "unigram.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

typedef struct hf_uni {
    tok_unigram u;
    double *score;
    bool byte_fallback;
    uint32_t byte_ids[256];
} hf_uni;

/* load_hf.c's vocabulary entry (collect_vocab): the token's text and its id (its position). */
typedef struct hf_entry {
    const char *s;
    size_t len;
    uint32_t id;
} hf_entry;

tok_status hf_load_unigram(hf_load *ld, uint32_t model, void *entries, size_t n,
                           const double *scores)
{
    hf_model *m = &ld->hp->model;
    const hf_entry *e = entries;
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

/* ---- Precompiled ---- */

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 with padding, as the base64 crate's STANDARD engine: SIZE_MAX if invalid. */
static size_t b64decode(const uint8_t *s, size_t n, uint8_t *out)
{
    if (n % 4)
        return SIZE_MAX;
    size_t pad = 0;
    while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
        pad++;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n - pad; i++) {
        int v = b64val(s[i]);
        if (v < 0)
            return SIZE_MAX;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits && (acc & ((1u << bits) - 1))) /* non-zero trailing bits */
        return SIZE_MAX;
    return o;
}

tok_status hf_load_charsmap(hf_load *ld, uint32_t node, void **charsmap)
{
    *charsmap = NULL;
    char *text = NULL;
    size_t len = 0;
    tok_status st = hf_get_string(ld, node, "precompiled_charsmap", true, &text, &len);
    if (st != TOK_OK)
        return st;
    uint8_t *blob = malloc(len / 4 * 3 + 4);
    tok_charsmap *cm = calloc(1, sizeof *cm);
    if (!blob || !cm) {
        free(text), free(blob), free(cm);
        return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
    }
    size_t bl = b64decode((const uint8_t *)text, len, blob);
    free(text);
    size_t was = hf_path_push(ld, "precompiled_charsmap");
    if (bl == SIZE_MAX) {
        st = hf_fail(ld, TOK_EFORMAT, json_get(ld->doc, node, "precompiled_charsmap"),
                     "invalid base64");
    } else {
        char why[300];
        size_t at;
        st = tok_charsmap_init(cm, blob, bl, true, why, sizeof why, &at);
        if (st != TOK_OK)
            st = hf_fail(ld, st, json_get(ld->doc, node, "precompiled_charsmap"), "%s", why);
    }
    hf_path_pop(ld, was);
    free(blob);
    if (st != TOK_OK) {
        free(cm);
        return st;
    }
    *charsmap = cm;
    return TOK_OK;
}

void hf_charsmap_free(void *c)
{
    if (c)
        tok_charsmap_free(c);
    free(c);
}

typedef struct tx_list {
    uint32_t *cp;
    int *change;
    size_t n, cap;
    bool oom;
} tx_list;

static void tx_add(tx_list *l, uint32_t cp)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        uint32_t *c = realloc(l->cp, cap * sizeof *c);
        if (c)
            l->cp = c;
        int *ch = c ? realloc(l->change, cap * sizeof *ch) : NULL;
        if (ch)
            l->change = ch;
        if (!c || !ch) {
            l->oom = true;
            return;
        }
        l->cap = cap;
    }
    l->cp[l->n] = cp;
    l->change[l->n++] = 0;
}

static size_t count_chars(const uint8_t *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (s[i] & 0xC0) != 0x80;
    return c;
}

/* HF's replace(): the new characters (change 0); growth marks the last ones as insertions,
 * shrinking is charged to the last entry, whichever it is. */
static void tx_replace(tx_list *l, const uint8_t *old, size_t old_len, const uint8_t *rep,
                       size_t rep_len)
{
    long diff = (long)count_chars(rep, rep_len) - (long)count_chars(old, old_len);
    for (size_t i = 0; i < rep_len;) {
        unsigned cl;
        tx_add(l, tok_utf8_decode(rep + i, &cl));
        i += cl;
    }
    if (diff > 0)
        for (size_t k = 0; k < (size_t)diff && k < l->n; k++)
            l->change[l->n - 1 - k] = 1;
    else if (diff < 0 && l->n)
        l->change[l->n - 1] += (int)diff;
}

bool hf_precompiled(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    const tok_charsmap *cm = nm->charsmap;
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    tx_list l = {0};
    bool modified = false;
    const uint8_t *rep;
    size_t rl;
    utf8proc_int32_t state = 0;
    for (size_t g = 0; g < n;) {
        /* the extended grapheme cluster starting at g */
        unsigned cl;
        uint32_t prev = tok_utf8_decode(s + g, &cl);
        size_t e = g + cl;
        while (e < n) {
            uint32_t cp = tok_utf8_decode(s + e, &cl);
            if (utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)cp,
                                                 &state))
                break;
            prev = cp;
            e += cl;
        }
        if (e - g < 6 && tok_charsmap_match(cm, s + g, e - g, true, &rep, &rl)) {
            modified = true;
            tx_replace(&l, s + g, e - g, rep, rl);
        } else {
            for (size_t c = g; c < e;) {
                uint32_t cp = tok_utf8_decode(s + c, &cl);
                if (tok_charsmap_match(cm, s + c, cl, true, &rep, &rl)) {
                    modified = true;
                    tx_replace(&l, s + c, cl, rep, rl);
                } else {
                    tx_add(&l, cp);
                }
                c += cl;
            }
        }
        g = e;
    }
    bool ok = !l.oom;
    if (ok && !modified) {
        ok = hf_splits_copy(out, in, i);
    } else if (ok) {
        hf_tx t;
        hf_tx_begin(&t, out, s, in->track ? in->a0 + sp->off : NULL,
                    in->track ? in->a1 + sp->off : NULL, n, 0, sp->orig0);
        for (size_t k = 0; ok && k < l.n; k++)
            ok = hf_tx_push(&t, l.cp[k], l.change[k]);
        ok = ok && hf_tx_end(&t, sp->token, sp->orig0, sp->orig1);
    }
    free(l.cp);
    free(l.change);
    return ok;
}
