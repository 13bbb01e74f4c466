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
    hf_splits a, b, tmp, tmp2, c;
    hf_tokens toks;
    tok_call *call;
    tok_error *err;
    tok_status st;
    uint32_t drop_row; /* counting: rows dropped from long runs of spaces (rows.c) */
    size_t dropped;
} enc;

static void swap(hf_splits *x, hf_splits *y)
{
    hf_splits t = *x;
    *x = *y;
    *y = t;
}

static bool each_added(enc *e, const tok_specials *match)
{
    if (e->a.n == 1 && e->a.v[0].token == TOK_NO_ID) { /* one text (the common case) */
        bool untouched;
        hf_splits_reset(&e->b);
        if (!hf_split_added(e->hp, match, e->policy, &e->a, 0, &e->b, e->call, e->err, &e->st,
                            &untouched))
            return false;
        if (!untouched)
            swap(&e->a, &e->b);
        return true;
    }
    hf_splits_reset(&e->b);
    for (size_t i = 0; i < e->a.n; i++) {
        bool ok = e->a.v[i].token != TOK_NO_ID
                      ? hf_splits_copy(&e->b, &e->a, i)
                      : hf_split_added(e->hp, match, e->policy, &e->a, i, &e->b, e->call, e->err,
                                       &e->st, NULL);
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
        /* the first normalizer reads the split where it is; the rest take turns in tmp and
         * tmp2 (no copy of a whole text more than the chain needs) */
        const hf_splits *src = &e->a;
        size_t at = i;
        hf_splits *x = &e->tmp, *y = &e->tmp2;
        for (size_t k = 0, d; k < hp->n_norms; k += d) {
            hf_splits_reset(x);
            x->drop_row = e->drop_row;
            d = hf_normalize_next(hp->norms + k, hp->n_norms - k, src, at, x);
            e->dropped += x->dropped;
            x->drop_row = 0, x->dropped = 0;
            if (!d)
                return false;
            src = x;
            at = 0;
            hf_splits *t = x;
            x = y;
            y = t;
        }
        if (!src->v[0].len)
            continue;
        if (e->a.n == 1) { /* the one split (a whole text): its list becomes the output */
            swap(&e->b, y);
            break;
        }
        if (!hf_splits_copy(&e->b, src, 0))
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

/* Where the model's tokens go: straight to the output when the post-processor streams
 * (hf_post_streams), else into ids/spans for hf_post_process. Spans come through the split's
 * alignments. */
typedef struct sink {
    enc *e;
    tok_out *o;
    const hf_split *sp;
    bool track, stream;
    uint32_t *ids;
    tok_span *spans;
    size_t nt, cap;
} sink;

static tok_span span_of(const sink *k, uint32_t a, uint32_t b)
{
    const hf_split *sp = k->sp;
    const hf_splits *l = &k->e->a;
    tok_span r;
    if (k->track && b > a) {
        r.start = l->a0[sp->off + a];
        r.end = l->a1[sp->off + b - 1];
    } else if (k->track && a <= sp->len && sp->len) {
        /* zero-width (a byte-fallback affix): the original position it sits at */
        r.start = r.end = a < sp->len ? l->a0[sp->off + a] : l->a1[sp->off + a - 1];
    } else { /* an empty range converts to itself, shifted by the split's start */
        r.start = sp->orig0 + a;
        r.end = sp->orig0 + b;
    }
    return r;
}

/* Takes the tokens so far out of t (hf_tokens.drain, and after each split). Spans only for a
 * caller that wants them: counting a megabyte of digits keeps no per-token record at all. */
static bool drain(void *ctx, hf_tokens *t)
{
    sink *k = ctx;
    bool spans = k->o->want_spans;
    if (k->stream) {
        for (size_t j = 0; j < t->n; j++) {
            tok_span r = spans ? span_of(k, t->start[j], t->end[j]) : (tok_span){0, 0};
            tok_out_push(k->o, t->id[j], r.start, r.end);
        }
        t->n = 0;
        return !k->o->oom;
    }
    size_t nc = tok_grow_cap(k->cap, k->nt + t->n, 256);
    if (!nc || !tok_realloc(&k->ids, nc, sizeof *k->ids) ||
        (spans && !tok_realloc(&k->spans, nc, sizeof *k->spans)))
        return false;
    k->cap = nc;
    for (size_t j = 0; j < t->n; j++) {
        k->ids[k->nt] = t->id[j];
        if (spans)
            k->spans[k->nt] = span_of(k, t->start[j], t->end[j]);
        k->nt++;
    }
    t->n = 0;
    return true;
}

/* One piece of text through the model, its tokens onto e->toks. */
static tok_status model_piece(enc *e, const uint8_t *p, size_t n)
{
    const hf_model *m = &e->hp->model;
    switch (m->kind) {
    case HF_BPE: return hf_bpe_tokenize(e->t, m, p, n, &e->toks, &e->call->sc);
    case HF_WORDPIECE: return hf_wordpiece_tokenize(e->t, m, p, n, &e->toks);
    case HF_WORDLEVEL: return hf_wordlevel_tokenize(e->t, m, p, n, &e->toks);
    case HF_UNIGRAM: return hf_unigram_tokenize(e->t, m, p, n, &e->toks, &e->call->sc);
    }
    return TOK_EINVAL;
}

/* The last stage's pieces (the last pre-tokenizer's, or BERT's one-pass words) straight
 * through the model (hf_piece_sink): no alignments are tracked, so a piece needs nothing but
 * its bytes, and the tokens leave in batches (their offsets within pieces mean nothing then,
 * and drain reads none). */
typedef struct direct {
    enc *e;
    sink *k;
    tok_status ms; /* the model's failure, when put said no */
} direct;

static bool direct_put(void *ctx, const uint8_t *p, size_t n, uint32_t token)
{
    direct *d = ctx;
    enc *e = d->e;
    if (token != TOK_NO_ID)
        d->ms = hf_tokens_push(&e->toks, token, 0, (uint32_t)n) ? TOK_OK : TOK_ENOMEM;
    else
        d->ms = model_piece(e, p, n);
    if (d->ms != TOK_OK || e->toks.oom)
        return false;
    if (e->toks.n >= HF_TOKENS_DRAIN_AT && !drain(d->k, &e->toks)) {
        d->ms = TOK_ENOMEM;
        return false;
    }
    return true;
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
    enc e = {.t = t, .hp = hp, .policy = opts ? opts->special : TOK_SPECIAL_ORDINARY,
             .call = call, .err = err, .st = TOK_OK};
    bool add_special = opts && (opts->flags & TOK_ENCODE_ADD_SPECIAL);
    bool track = o->want_spans || hp->needs_align;
    hf_splits_init(&e.a, track);
    hf_splits_init(&e.b, track);
    hf_splits_init(&e.tmp, track);
    hf_splits_init(&e.tmp2, track);
    hf_splits_init(&e.c, track);
    /* the input itself is the first list: a stage's output is the first copy */
    bool ok = hf_splits_view(&e.a, s, n, TOK_NO_ID, 0, (uint32_t)n);
    if (ok && hp->raw_match.n)
        ok = each_added(&e, &hp->raw_match);
    /* the model's tokens go to k: straight out when the post-processor streams */
    sink k = {.e = &e, .o = o, .track = track, .stream = hf_post_streams(hp, o->want_spans)};
    if (k.stream) {
        hf_post_around(t, add_special, true, o);
        e.toks.drain = drain;
        e.toks.drain_ctx = &k;
    }
    tok_status st = TOK_OK;
    /* without alignments, the last stage's pieces go through the model as they are cut */
    direct d = {.e = &e, .k = &k, .ms = TOK_OK};
    const hf_piece_sink ds = {direct_put, &d}, *dp = track ? NULL : &ds;
    bool direct_done = false; /* every piece has been through the model */
    bool words = ok && hf_words_shape(hp); /* BERT's stages on plain ASCII in one pass */
    if (words) {
        hf_splits_reset(&e.b);
        e.b.sink = dp;
        for (size_t i = 0; ok && i < e.a.n; i++)
            ok = e.a.v[i].token == TOK_NO_ID
                     ? hf_words_pieces(hp, &e.a, i, &e.b, &e.tmp, &e.tmp2, &e.c)
                     : hf_splits_copy(&e.b, &e.a, i);
        e.b.sink = NULL;
        direct_done = dp != NULL;
        if (ok && !dp)
            swap(&e.a, &e.b);
    }
    /* counting without alignments: each row of a long run of spaces one token (rows.c) */
    if (!track && !o->grow && !o->cap && n >= HF_ROW_KEEP &&
        tok_maybe_space_run(s, n, HF_ROW_KEEP + 16))
        e.drop_row = hf_space_rows(t, e.policy);
    if (ok && hp->n_norms && !words)
        ok = normalize_all(&e);
    if (ok && hp->norm_match.n)
        ok = each_added(&e, &hp->norm_match);
    for (size_t k2 = 0; ok && !words && k2 < hp->n_pretoks; k2++) {
        hf_splits_reset(&e.b);
        bool last = k2 + 1 == hp->n_pretoks;
        e.b.sink = last ? dp : NULL;
        ok = hf_pretokenize(&hp->pretoks[k2], &e.a, &e.b, &e.tmp);
        e.b.sink = NULL;
        direct_done = last && dp;
        if (ok && !direct_done)
            swap(&e.a, &e.b);
    }
    if (direct_done) { /* the model has seen every piece: what is left of its tokens */
        if (!ok && d.ms != TOK_OK && d.ms != TOK_ENOMEM)
            st = model_error(&e, d.ms);
        else if (ok && (e.toks.oom || !drain(&k, &e.toks)))
            ok = false;
        hf_splits_reset(&e.a);
    }
    if (!ok && st == TOK_OK)
        st = e.st != TOK_OK ? e.st : tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");

    /* the stages' spare lists are done with: the model's memory comes on top of one list */
    hf_splits_free(&e.b);
    hf_splits_free(&e.tmp);
    hf_splits_free(&e.tmp2);
    hf_splits_free(&e.c);

    /* the model, piece by piece; spans through the alignments */
    for (size_t i = 0; st == TOK_OK && i < e.a.n; i++) {
        const hf_split *sp = &e.a.v[i];
        const uint8_t *p = e.a.text + sp->off;
        k.sp = sp;
        e.toks.n = 0;
        tok_status ms = TOK_OK;
        if (sp->token != TOK_NO_ID) {
            ok = hf_tokens_push(&e.toks, sp->token, 0, sp->len);
        } else {
            ms = model_piece(&e, p, sp->len);
        }
        if (ms != TOK_OK && ms != TOK_ENOMEM)
            st = model_error(&e, ms);
        else if (ms != TOK_OK || !ok || e.toks.oom || !drain(&k, &e.toks))
            st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }

    if (st == TOK_OK && e.dropped) { /* counting: the rows' tokens (no ids are kept) */
        o->n += e.dropped;
        atomic_fetch_add_explicit(&((hf_pipeline *)hp)->rows_dropped, e.dropped,
                                  memory_order_relaxed);
    }
    if (st == TOK_OK && k.stream)
        hf_post_around(t, add_special, false, o);
    else if (st == TOK_OK)
        hf_post_process(t, s, n, k.ids, k.spans, k.nt, add_special, o);
    free(k.ids);
    free(k.spans);
    free(e.toks.id);
    free(e.toks.start);
    free(e.toks.end);
    hf_splits_free(&e.a);
    hf_splits_free(&e.b);
    hf_splits_free(&e.tmp);
    hf_splits_free(&e.tmp2);
    hf_splits_free(&e.c);
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
