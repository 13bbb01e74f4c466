/* encode: the encode pipeline driver -- validate UTF-8, split at special tokens, pre-tokenize,
 * run the model per piece -- and the public encode/count entry points.
 *
 * One driver serves tok_encode, tok_encode_alloc and tok_count: they differ only in the tok_out
 * they pass (caller's arrays, growing arrays, or none). Memory: the output arrays, one scratch
 * block reused by every long piece, and nothing per piece. */
#include "internal.h"

#include <string.h>

/* ---- output and scratch ---- */

void tok_out_slow(tok_out *o, uint32_t id, uint64_t start, uint64_t end)
{
    if (o->grow && !o->oom) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        uint32_t *ids = realloc(o->ids, cap * sizeof *ids);
        if (ids)
            o->ids = ids;
        tok_span *spans = o->spans;
        if (ids && o->want_spans) {
            spans = realloc(o->spans, cap * sizeof *spans);
            if (spans)
                o->spans = spans;
        }
        if (!ids || (o->want_spans && !spans)) {
            o->oom = true;
        } else {
            o->cap = cap;
            tok_out_push(o, id, start, end);
            return;
        }
    }
    o->n++;
}

bool tok_buf_put(tok_buf *b, const void *p, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->oom = true;
            return false;
        }
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return true;
}

void tok_buf_free(tok_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void *tok_scratch_get(tok_scratch *s, size_t bytes)
{
    if (bytes > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < bytes)
            cap *= 2;
        void *p = realloc(s->buf, cap);
        if (!p)
            return NULL;
        s->buf = p;
        s->cap = cap;
    }
    return s->buf;
}

void tok_scratch_free(tok_scratch *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

/* ---- lossy UTF-8: replace invalid sequences, remember where, map spans back ---- */

typedef struct lossy_map {
    uint8_t *text;
    size_t len, n;
    uint64_t *at; /* per replacement: clean offset, original offset, original length */
} lossy_map;

static bool lossy_clean(const uint8_t *s, size_t n, lossy_map *m)
{
    memset(m, 0, sizeof *m);
    size_t cap = n + n / 2 + 4, acap = 0;
    m->text = malloc(cap);
    if (!m->text)
        return false;
    size_t i = 0;
    while (i < n) {
        size_t bad, ok = tok_utf8_valid_prefix(s + i, n - i, &bad);
        if (m->len + ok + 3 > cap) {
            cap = (m->len + ok + 3) * 2;
            uint8_t *t = realloc(m->text, cap);
            if (!t)
                return false;
            m->text = t;
        }
        memcpy(m->text + m->len, s + i, ok);
        m->len += ok;
        i += ok;
        if (i >= n)
            break;
        if (m->n == acap) {
            acap = acap ? acap * 2 : 16;
            uint64_t *a = realloc(m->at, acap * 3 * sizeof *a);
            if (!a)
                return false;
            m->at = a;
        }
        m->at[3 * m->n] = m->len;
        m->at[3 * m->n + 1] = i;
        m->at[3 * m->n + 2] = bad;
        m->n++;
        memcpy(m->text + m->len, "\xEF\xBF\xBD", 3);
        m->len += 3;
        i += bad;
    }
    return true;
}

/* Clean offset -> original offset; inside a replacement, a start maps to the start of the bad
 * bytes and an end to their end. */
static uint64_t lossy_orig(const lossy_map *m, uint64_t p, bool is_end)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) { /* last replacement with clean offset <= p */
        size_t mid = (lo + hi) / 2;
        if (m->at[3 * mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return p;
    const uint64_t *r = m->at + 3 * (lo - 1);
    if (p == r[0])
        return r[1];
    if (p < r[0] + 3)
        return is_end ? r[1] + r[2] : r[1];
    return p - r[0] - 3 + r[1] + r[2];
}

/* Spans were computed on the cleaned text: map those written back to the original bytes. */
static void lossy_map_spans(const lossy_map *m, tok_out *o)
{
    if (!m->n || !o->want_spans)
        return;
    size_t have = o->n < o->cap ? o->n : o->cap;
    for (size_t k = 0; k < have; k++) {
        o->spans[k].start = lossy_orig(m, o->spans[k].start, false);
        o->spans[k].end = lossy_orig(m, o->spans[k].end, true);
    }
}

static void lossy_free(lossy_map *m)
{
    free(m->text);
    free(m->at);
}

/* ---- the driver ---- */

typedef struct seg_ctx {
    const tok_tokenizer *t;
    const uint8_t *s;
    tok_out *o;
    tok_scratch *sc;
} seg_ctx;

static bool regex_piece(void *ctx, size_t start, size_t end)
{
    seg_ctx *c = ctx;
    return tok_bpe_rank_piece(&c->t->vocab, c->s + start, end - start, start, c->o, c->sc);
}

/* Encode s[a..b), a stretch without special tokens. */
static tok_status encode_segment(const tok_tokenizer *t, const uint8_t *s, size_t a, size_t b,
                                 tok_out *o, tok_scratch *sc)
{
    if (t->pretok) {
        tok_pretok_fn next = t->pretok;
        for (size_t i = a; i < b;) {
            size_t j = next(s, i, b);
            if (!tok_bpe_rank_piece(&t->vocab, s + i, j - i, i, o, sc))
                return TOK_ENOMEM;
            i = j;
        }
        return TOK_OK;
    }
    if (t->regex) {
        seg_ctx c = {t, s, o, sc};
        return tok_regex_split(t->regex, s, a, b, regex_piece, &c);
    }
    if (a == b || tok_bpe_rank_piece(&t->vocab, s + a, b - a, a, o, sc))
        return TOK_OK;
    return TOK_ENOMEM;
}

tok_status tok_encode_into(const tok_tokenizer *t, const uint8_t *s, size_t n,
                           const tok_encode_options *opts, tok_out *o, tok_error *err)
{
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    unsigned flags = opts ? opts->flags : 0;
    if (policy > TOK_SPECIAL_REJECT)
        return tok_fail(err, TOK_EINVAL, t->name, TOK_NO_OFFSET, "unknown special-token policy");

    size_t bad, ok = tok_utf8_valid_prefix(s, n, &bad);
    lossy_map lm = {0};
    if (ok < n) {
        if (!(flags & TOK_ENCODE_LOSSY_UTF8))
            return tok_fail(err, TOK_EUTF8, NULL, ok,
                            "invalid UTF-8 at byte %zu (byte 0x%02X)", ok, s[ok]);
        if (t->fmt == TOK_FMT_SPM) {
            /* as sentencepiece, its normalizer makes each invalid byte a U+FFFD (spm_encode.c) */
        } else if (!lossy_clean(s, n, &lm)) {
            lossy_free(&lm);
            return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
        } else {
            s = lm.text;
            n = lm.len;
        }
    }

    tok_status st = TOK_OK;
    tok_scratch sc = {0};
    size_t pos = 0;
    if (t->ops) {
        st = t->ops->encode(t, s, n, opts, o, &sc, err);
        if (st == TOK_OK && o->oom)
            st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
        if (st == TOK_OK)
            lossy_map_spans(&lm, o);
        goto done;
    }
    if (policy != TOK_SPECIAL_ORDINARY && t->specials.n) {
        for (;;) {
            size_t which, at = tok_specials_find(&t->specials, s, pos, n, &which);
            if (at == n)
                break;
            const tok_special_tok *sp = &t->specials.toks[which];
            if (policy == TOK_SPECIAL_REJECT) {
                uint64_t where = lm.n ? lossy_orig(&lm, at, false) : at;
                st = tok_fail(err, TOK_ESPECIAL, NULL, where,
                              "special token %.*s at byte %llu is not allowed (the special-token "
                              "policy is reject)",
                              (int)sp->len, (const char *)sp->text, (unsigned long long)where);
                goto done;
            }
            if ((st = encode_segment(t, s, pos, at, o, &sc)) != TOK_OK)
                goto failed;
            tok_out_push(o, sp->id, at, at + sp->len);
            pos = at + sp->len;
        }
    }
    if ((st = encode_segment(t, s, pos, n, o, &sc)) != TOK_OK)
        goto failed;
    if (o->oom) {
        st = TOK_ENOMEM;
        goto failed;
    }
    lossy_map_spans(&lm, o);
    goto done;
failed:
    if (st == TOK_ENOMEM)
        tok_fail(err, st, NULL, TOK_NO_OFFSET, "out of memory");
    else
        tok_fail(err, st, NULL, TOK_NO_OFFSET,
                 "the split pattern exceeded the regex engine's limits on this text");
done:
    tok_scratch_free(&sc);
    lossy_free(&lm);
    return st;
}

/* ---- public entry points ---- */

tok_status tok_encode(const tok_tokenizer *t, const char *text, size_t len,
                      const tok_encode_options *opts, uint32_t *ids, tok_span *spans,
                      size_t cap, size_t *n_out, tok_error *err)
{
    if (!t || (!text && len) || (!ids && cap) || !n_out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "invalid arguments to tok_encode");
    tok_out o = {.ids = ids, .spans = spans, .cap = cap, .want_spans = spans != NULL};
    tok_status st = tok_encode_into(t, (const uint8_t *)text, len, opts, &o, err);
    *n_out = o.n;
    if (st == TOK_OK && o.n > cap)
        return tok_fail(err, TOK_ERANGE, NULL, TOK_NO_OFFSET,
                        "%zu tokens do not fit in a buffer of %zu", o.n, cap);
    return st;
}

tok_status tok_encode_alloc(const tok_tokenizer *t, const char *text, size_t len,
                            const tok_encode_options *opts, uint32_t **ids, tok_span **spans,
                            size_t *n_out, tok_error *err)
{
    if (ids)
        *ids = NULL;
    if (spans)
        *spans = NULL;
    if (!t || (!text && len) || !ids || !n_out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_encode_alloc");
    tok_out o = {.grow = true, .want_spans = spans != NULL};
    tok_status st = tok_encode_into(t, (const uint8_t *)text, len, opts, &o, err);
    *n_out = st == TOK_OK ? o.n : 0;
    if (st != TOK_OK) {
        free(o.ids);
        free(o.spans);
        return st;
    }
    if (!o.ids) /* no tokens: still hand back valid pointers */
        o.ids = malloc(sizeof *o.ids);
    if (spans && !o.spans)
        o.spans = malloc(sizeof *o.spans);
    if (!o.ids || (spans && !o.spans)) {
        free(o.ids);
        free(o.spans);
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }
    *ids = o.ids;
    if (spans)
        *spans = o.spans;
    return TOK_OK;
}

tok_status tok_count(const tok_tokenizer *t, const char *text, size_t len,
                     const tok_encode_options *opts, size_t *count, tok_error *err)
{
    if (!t || (!text && len) || !count)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "invalid arguments to tok_count");
    tok_out o = {0};
    tok_status st = tok_encode_into(t, (const uint8_t *)text, len, opts, &o, err);
    *count = st == TOK_OK ? o.n : 0;
    return st;
}
