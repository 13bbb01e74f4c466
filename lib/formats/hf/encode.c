/* encode: running a tokenizer.json pipeline (tokenizer/mod.rs encode_single_sequence and
 * post_process, added_vocabulary.rs extract_and_normalize):
 *
 *   added tokens on the raw text -> normalizer -> added tokens on the normalized text
 *   -> pre-tokenizers -> model per piece -> truncation -> post-processor -> ids and spans
 *
 * Spans are byte offsets into the input: each normalized byte carries the original span it came
 * from (tracked only when the caller wants spans or a component needs them). Special-token
 * policy: ordinary is HF's encode_special_tokens=true (special added tokens are plain text;
 * other added tokens still match), allow is HF's default, reject fails on special text. */
#include "formats/hf/hf.h"

#include <stdio.h>
#include <string.h>

typedef struct enc {
    const tok_tokenizer *t;
    const hf_pipeline *hp;
    tok_special_policy policy;
    hf_splits a, b, tmp, tmp2;
    hf_tokens toks;
    tok_call *call;
    tok_error *err;
    tok_status st;
} enc;

static void swap(hf_splits *x, hf_splits *y)
{
    hf_splits t = *x;
    *x = *y;
    *y = t;
}

static bool each_added(enc *e, const tok_specials *match)
{
    hf_splits_reset(&e->b);
    for (size_t i = 0; i < e->a.n; i++) {
        bool ok = e->a.v[i].token != TOK_NO_ID
                      ? hf_splits_copy(&e->b, &e->a, i)
                      : hf_split_added(e->hp, match, e->policy, &e->a, i, &e->b, e->call, e->err,
                                       &e->st);
        if (!ok)
            return false;
    }
    swap(&e->a, &e->b);
    return true;
}

/* The normalizer chain on every text split (a Sequence runs its members one after another on
 * the same NormalizedString). */
static bool normalize_all(enc *e)
{
    const hf_pipeline *hp = e->hp;
    hf_splits_reset(&e->b);
    for (size_t i = 0; i < e->a.n; i++) {
        if (e->a.v[i].token != TOK_NO_ID) {
            if (!hf_splits_copy(&e->b, &e->a, i))
                return false;
            continue;
        }
        hf_splits *x = &e->tmp, *y = &e->tmp2;
        hf_splits_reset(x);
        if (!hf_splits_copy(x, &e->a, i))
            return false;
        for (size_t k = 0; k < hp->n_norms; k++) {
            hf_splits_reset(y);
            if (!hf_normalize(&hp->norms[k], x, 0, y))
                return false;
            hf_splits *t = x;
            x = y;
            y = t;
        }
        if (x->v[0].len && !hf_splits_copy(&e->b, x, 0))
            return false;
    }
    swap(&e->a, &e->b);
    return true;
}

static tok_status model_error(enc *e, tok_status st)
{
    if (st == TOK_EFORMAT)
        return tok_fail(e->err, TOK_EFORMAT, e->t->name, TOK_NO_OFFSET,
                        "%s: the text needs the unknown token, which is not in the vocabulary",
                        e->t->name);
    return tok_fail(e->err, st, NULL, TOK_NO_OFFSET, "out of memory");
}

static tok_status hf_encode(const tok_tokenizer *t, const uint8_t *s, size_t n,
                            const tok_encode_options *opts, tok_out *o, tok_call *call,
                            tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    if (hp->fast)
        return hf_encode_fast(t, s, n, opts, o, call, err);
    return hf_encode_general(t, s, n, opts, o, call, err);
}

void hf_use_general_path(tok_tokenizer *t)
{
    ((hf_pipeline *)t->impl)->fast = false;
}

tok_status hf_encode_general(const tok_tokenizer *t, const uint8_t *s, size_t n,
                             const tok_encode_options *opts, tok_out *o, tok_call *call,
                             tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    tok_scratch *sc = &call->sc;
    enc e = {.t = t, .hp = hp, .policy = opts ? opts->special : TOK_SPECIAL_ORDINARY,
             .call = call, .err = err, .st = TOK_OK};
    bool add_special = opts && (opts->flags & TOK_ENCODE_ADD_SPECIAL);
    bool track = o->want_spans || hp->needs_align;
    hf_splits_init(&e.a, track);
    hf_splits_init(&e.b, track);
    hf_splits_init(&e.tmp, track);
    hf_splits_init(&e.tmp2, track);
    bool ok = hf_splits_add(&e.a, s, n, NULL, NULL, 0, TOK_NO_ID, 0, (uint32_t)n);
    if (ok && hp->raw_match.n)
        ok = each_added(&e, &hp->raw_match);
    if (ok && hp->n_norms)
        ok = normalize_all(&e);
    if (ok && hp->norm_match.n)
        ok = each_added(&e, &hp->norm_match);
    for (size_t k = 0; ok && k < hp->n_pretoks; k++) {
        hf_splits_reset(&e.b);
        ok = hf_pretokenize(&hp->pretoks[k], &e.a, &e.b, &e.tmp);
        if (ok)
            swap(&e.a, &e.b);
    }
    tok_status st = TOK_OK;
    if (!ok)
        st = e.st != TOK_OK ? e.st : tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");

    /* the model, piece by piece; spans through the alignments */
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t nt = 0, cap = 0;
    for (size_t i = 0; st == TOK_OK && i < e.a.n; i++) {
        const hf_split *sp = &e.a.v[i];
        const uint8_t *p = e.a.text + sp->off;
        e.toks.n = 0;
        if (sp->token != TOK_NO_ID) {
            ok = hf_tokens_push(&e.toks, sp->token, 0, sp->len);
        } else {
            tok_status ms = TOK_OK;
            switch (hp->model.kind) {
            case HF_BPE: ms = hf_bpe_tokenize(t, &hp->model, p, sp->len, &e.toks, sc); break;
            case HF_WORDPIECE: ms = hf_wordpiece_tokenize(t, &hp->model, p, sp->len, &e.toks); break;
            case HF_WORDLEVEL: ms = hf_wordlevel_tokenize(t, &hp->model, p, sp->len, &e.toks); break;
            case HF_UNIGRAM: ms = hf_unigram_tokenize(t, &hp->model, p, sp->len, &e.toks, sc); break;
            }
            if (ms != TOK_OK) {
                st = model_error(&e, ms);
                break;
            }
        }
        if (!ok || e.toks.oom) {
            st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
            break;
        }
        /* spans only for a caller that wants them: counting a megabyte of digits keeps 4
         * bytes per token, not 20 */
        size_t nc = tok_grow_cap(cap, nt + e.toks.n, 256);
        if (!nc || !tok_realloc(&ids, nc, sizeof *ids) ||
            (o->want_spans && !tok_realloc(&spans, nc, sizeof *spans))) {
            st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
            break;
        }
        cap = nc;
        for (size_t k = 0; k < e.toks.n; k++) {
            uint32_t a = e.toks.start[k], b = e.toks.end[k];
            ids[nt] = e.toks.id[k];
            if (!spans) {
                /* nothing to record */
            } else if (track && b > a) {
                spans[nt].start = e.a.a0[sp->off + a];
                spans[nt].end = e.a.a1[sp->off + b - 1];
            } else if (track && a <= sp->len && sp->len) {
                /* zero-width (a byte-fallback affix): the original position it sits at */
                uint64_t at = a < sp->len ? e.a.a0[sp->off + a] : e.a.a1[sp->off + a - 1];
                spans[nt].start = spans[nt].end = at;
            } else { /* an empty range converts to itself, shifted by the split's start */
                spans[nt].start = sp->orig0 + a;
                spans[nt].end = sp->orig0 + b;
            }
            nt++;
        }
    }

    if (st == TOK_OK)
        hf_post_process(t, s, n, ids, spans, nt, add_special, o);
    free(ids);
    free(spans);
    free(e.toks.id);
    free(e.toks.start);
    free(e.toks.end);
    hf_splits_free(&e.a);
    hf_splits_free(&e.b);
    hf_splits_free(&e.tmp);
    hf_splits_free(&e.tmp2);
    return st;
}

static void free_impl(void *impl) { hf_pipeline_free(impl); }

/* The general pipeline aligns every normalized byte to its origin and splits the whole text
 * before the model sees it; the fast path works piece by piece. */
static bool keeps_per_byte(const tok_tokenizer *t)
{
    return !((const hf_pipeline *)t->impl)->fast;
}

/* Added tokens that are not special and lie outside the model's vocabulary ("\n\n" added as
 * id 310 of a 272-token model): their content, as HF's id_to_token gives it. */
static bool added_bytes(const tok_tokenizer *t, uint32_t id, const char **bytes, size_t *len)
{
    const hf_added *ad = hf_added_of(t->impl, id);
    if (!ad)
        return false;
    *bytes = (const char *)ad->content;
    *len = ad->len;
    return true;
}

/* Looked up only when the vocabulary and the special tokens lack the bytes: a scan of the
 * added tokens (thousands at most) on a miss. */
static bool added_id(const tok_tokenizer *t, const char *bytes, size_t len, uint32_t *id)
{
    const hf_pipeline *hp = t->impl;
    for (size_t i = 0; i < hp->n_added; i++)
        if (hp->added[i].len == len && !memcmp(hp->added[i].content, bytes, len)) {
            *id = hp->added[i].id;
            return true;
        }
    return false;
}

const tok_format_ops hf_ops = {.name = "huggingface",
                               .encode = hf_encode,
                               .decode = hf_decode,
                               .free_impl = free_impl,
                               .stream = &hf_stream_ops,
                               .extra_bytes = added_bytes,
                               .extra_id = added_id,
                               .cut = hf_cut,
                               .keeps_per_byte = keeps_per_byte};
