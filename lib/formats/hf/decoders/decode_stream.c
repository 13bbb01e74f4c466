/* decode_stream: a tokenizer.json decoder chain, streaming (tok_stream_ops; the driver is
 * lib/api/decode_stream.c).
 *
 * HF decodes a list of token strings through each decoder in turn (decode_chain: list in, list
 * out) and joins the last list. Here each decoder is a stage that takes its input strings as
 * they come and passes on what is final. A stage sees its input in one of two shapes, fixed by
 * the chain:
 *
 *   a list   every string arrives whole: the token strings, or the output of a decoder that
 *            maps strings to strings (Metaspace, WordPiece, BPEDecoder, Strip, Replace, CTC,
 *            ByteFallback);
 *   one text after a ByteLevel or Fuse (which join the list into one string), the one string
 *            arrives in pieces -- always whole characters (token strings are valid UTF-8, and
 *            every stage below passes on whole characters).
 *
 * What each stage holds back, on a list / on one text:
 *   ByteLevel     an unfinished UTF-8 sequence of its bytes / the whole text (a single string
 *                 keeps its own bytes if any character is outside the byte alphabet)
 *   Metaspace     nothing / the tail of a U+2581 (a character never splits, so nothing)
 *   WordPiece     nothing / the tail that could start a cleanup pattern (at most 7 bytes)
 *   BPEDecoder    the last string (its suffix becomes "" only if it is the last) / the tail
 *                 that could start the suffix
 *   ByteFallback  a run of <0xXX> tokens while it is valid UTF-8 so far: HF turns the whole
 *                 run into U+FFFD if any byte of it is not (once it is not, every byte of the
 *                 run comes out as U+FFFD at once) / up to 7 bytes (the text is a byte token
 *                 only if it is exactly "<0xXX>")
 *   Fuse          nothing
 *   Strip         nothing / up to `stop` trailing characters equal to its content
 *   Replace       nothing / the tail that could start the pattern; a Regex pattern: the whole
 *                 text (a match may span any distance)
 *   CTC           the previous string (repeats are dropped) / as WordPiece
 * The text of one string (the byte-level fallbacks above) is held only in chains that put
 * ByteLevel or a Regex Replace after a Fuse, which no published tokenizer does. */
#include "formats/hf/hf.h"

#include <string.h>

/* A literal replacement over one text that arrives in pieces: leftmost, non-overlapping, as
 * String::replace. carry holds the tail that could still start a match. */
typedef struct lit_rep {
    const uint8_t *from, *to;
    size_t fl, tl;
    tok_buf carry;
} lit_rep;

typedef struct stage {
    const hf_dec *d;
    bool one_text;     /* the input is one text in pieces (else a list of whole strings) */
    size_t count;      /* strings (pieces) received */
    bool flag;         /* list -- BPEDecoder: a string is held; ByteFallback: the run is
                          invalid; CTC: there is a previous string. One text -- Strip: the
                          leading part is over; ByteFallback: the text is not a byte token */
    size_t lead, held; /* Strip on one text: leading characters dropped, trailing ones held;
                          lead, ByteFallback on a list: how much of the run is checked */
    size_t run;        /* ByteFallback: bytes in the current run */
    tok_buf hold;      /* what the stage holds back (see the top of the file) */
    tok_buf out;       /* what one call passes on */
    lit_rep *reps;     /* one text: the replacements this decoder is, in order */
    size_t n_reps, cap_reps;
    tok_buf t1, t2;    /* scratch of reps_feed */
    uint8_t rc[4];     /* Metaspace on one text: the replacement character */
} stage;

typedef struct hf_stream {
    unsigned flags;
    size_t n;          /* stages */
    stage *st;
    bool join;         /* no decoder: the strings are joined with spaces */
    size_t joined;     /* strings joined so far */
    tok_buf scratch;
    tok_buf *out;      /* the driver's buffer during a call */
    bool oom;
} hf_stream;

static const uint8_t k_fffd[3] = {0xEF, 0xBF, 0xBD};
static const uint8_t k_empty[1] = {0};
#define DATA(b) ((b)->data ? (const uint8_t *)(b)->data : k_empty)

/* ---- literal replacement on one text ---- */

static bool lit_feed(lit_rep *r, const uint8_t *p, size_t n, bool final, tok_buf *out)
{
    if (!tok_buf_put(&r->carry, p, n))
        return false;
    const uint8_t *b = DATA(&r->carry);
    size_t len = r->carry.len, i = 0, from = 0;
    bool ok = true;
    while (i < len && ok) {
        const uint8_t *q = memchr(b + i, r->from[0], len - i);
        if (!q) {
            i = len;
            break;
        }
        i = (size_t)(q - b);
        if (i + r->fl <= len) {
            if (memcmp(b + i, r->from, r->fl) == 0) {
                ok = tok_buf_put(out, b + from, i - from) && tok_buf_put(out, r->to, r->tl);
                i += r->fl;
                from = i;
            } else {
                i++;
            }
        } else if (!final && memcmp(b + i, r->from, len - i) == 0) {
            break; /* may be the start of a match: wait */
        } else {
            i++;
        }
    }
    ok = ok && tok_buf_put(out, b + from, i - from);
    if (r->carry.len) {
        memmove(r->carry.data, b + i, len - i);
        r->carry.len = len - i;
    }
    return ok;
}

/* p[0..n) through the stage's replacements, one after the other, appended to out. */
static bool reps_feed(stage *s, const uint8_t *p, size_t n, bool final, tok_buf *out)
{
    tok_buf *in = &s->t1, *nx = &s->t2;
    in->len = 0;
    if (!tok_buf_put(in, p, n))
        return false;
    for (size_t k = 0; k < s->n_reps; k++) {
        tok_buf *dst = k + 1 == s->n_reps ? out : nx;
        if (dst == nx)
            nx->len = 0;
        if (!lit_feed(&s->reps[k], DATA(in), in->len, final, dst))
            return false;
        tok_buf *t = in;
        in = nx;
        nx = t;
    }
    return s->n_reps || tok_buf_put(out, DATA(in), in->len);
}

static bool add_rep(stage *s, const void *from, size_t fl, const char *to, size_t tl)
{
    if (!fl) /* an empty pattern replaces nothing (String::replace with "" aside) */
        return true;
    if (!tok_grow(&s->reps, &s->cap_reps, s->n_reps + 1, sizeof *s->reps, 4))
        return false;
    s->reps[s->n_reps++] = (lit_rep){from, (const uint8_t *)to, fl, tl, {0}};
    return true;
}

static bool add_cleanup(stage *s)
{
    for (size_t p = 0; p < HF_CLEANUP_PAIRS; p++)
        if (!add_rep(s, hf_cleanup_pairs[p][0], strlen(hf_cleanup_pairs[p][0]),
                     hf_cleanup_pairs[p][1], strlen(hf_cleanup_pairs[p][1])))
            return false;
    return true;
}

/* ---- the chain ---- */

static void put(hf_stream *h, size_t k, const uint8_t *p, size_t n);

/* Stage k's output goes into stage k + 1 (or the result). */
static void emit(hf_stream *h, size_t k, const uint8_t *p, size_t n)
{
    put(h, k + 1, p, n);
}

static void emit_buf(hf_stream *h, size_t k, tok_buf *b)
{
    if (b->oom)
        h->oom = true;
    else if (b->len)
        emit(h, k, b->data, b->len);
}

/* ByteFallback on a list: the current run ends. */
static void close_run(hf_stream *h, size_t k, stage *s)
{
    size_t bad;
    if (!s->flag && s->run) {
        if (tok_utf8_valid_prefix(s->hold.data, s->hold.len, &bad) == s->hold.len)
            emit(h, k, s->hold.data, s->hold.len); /* valid UTF-8: one string */
        else /* ends in an unfinished character: the whole run is invalid */
            for (size_t r = 0; r < s->run; r++)
                emit(h, k, k_fffd, 3);
    }
    s->hold.len = 0;
    s->run = 0;
    s->lead = 0;
    s->flag = false;
}

/* Strip on one text: leading characters equal to content dropped (up to start), trailing ones
 * held (up to stop) until more text shows they are not trailing. */
static void strip_piece(hf_stream *h, size_t k, stage *s, const uint8_t *p, size_t n)
{
    const hf_dec *d = s->d;
    tok_buf *o = &s->out;
    o->len = 0;
    uint8_t c[4];
    size_t cn = tok_utf8_encode(d->content, c);
    for (size_t a = 0; a < n;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(p + a, &cl);
        a += cl;
        if (!s->flag && s->lead < d->start && cp == d->content) {
            s->lead++;
            continue;
        }
        s->flag = true;
        if (cp == d->content && d->stop) {
            if (s->held == d->stop) /* the oldest held one is not among the last stop */
                tok_buf_put(o, c, cn);
            else
                s->held++;
        } else {
            for (; s->held; s->held--)
                tok_buf_put(o, c, cn);
            tok_buf_put(o, p + a - cl, cl);
        }
    }
    emit_buf(h, k, o);
}

/* String p[0..n) (on one text: the next piece of it) into stage k. */
static void put(hf_stream *h, size_t k, const uint8_t *p, size_t n)
{
    if (h->oom)
        return;
    if (k == h->n) { /* the result: concatenated, or joined with spaces without a decoder */
        if ((h->join && h->joined++ && !tok_buf_put(h->out, " ", 1)) || !tok_buf_put(h->out, p, n))
            h->oom = true;
        return;
    }
    stage *s = &h->st[k];
    const hf_dec *d = s->d;
    tok_buf *o = &s->out;
    o->len = 0;
    size_t i = s->count++;
    if (s->one_text) {
        switch (d->kind) {
        case HF_DEC_BYTELEVEL:
        case HF_DEC_REPLACE:
            if (d->kind == HF_DEC_BYTELEVEL || !s->n_reps) { /* all of it, until the end */
                if (!tok_buf_put(&s->hold, p, n))
                    h->oom = true;
                return;
            }
            break;
        case HF_DEC_BYTEFALLBACK:
            if (!s->flag) {
                if (!tok_buf_put(&s->hold, p, n)) {
                    h->oom = true;
                    return;
                }
                if (s->hold.len <= 6)
                    return;
                s->flag = true; /* longer than "<0xXX>": the text as it is */
                emit_buf(h, k, &s->hold);
                return;
            }
            emit(h, k, p, n);
            return;
        case HF_DEC_STRIP:
            strip_piece(h, k, s, p, n);
            return;
        case HF_DEC_FUSE:
            emit(h, k, p, n);
            return;
        default:
            break;
        }
        if (!reps_feed(s, p, n, false, o))
            h->oom = true;
        emit_buf(h, k, o);
        return;
    }

    switch (d->kind) {
    case HF_DEC_BYTELEVEL: { /* bytes out as far as they are whole characters */
        if (!hf_bytelevel_put(&s->hold, p, n)) {
            h->oom = true;
            return;
        }
        size_t used = hf_dec_lossy(DATA(&s->hold), s->hold.len, false, o);
        memmove(s->hold.data, s->hold.data + used, s->hold.len - used);
        s->hold.len -= used;
        emit_buf(h, k, o);
        return;
    }
    case HF_DEC_BPE: /* the previous string was not the last */
        if (s->flag) {
            if (!hf_dec_map(d, DATA(&s->hold), s->hold.len, i - 1, false, o))
                h->oom = true;
            else
                emit(h, k, DATA(o), o->len);
        }
        s->hold.len = 0;
        s->flag = true;
        if (!tok_buf_put(&s->hold, p, n))
            h->oom = true;
        return;
    case HF_DEC_BYTEFALLBACK: {
        int byte = hf_dec_byte_token(p, n);
        if (byte < 0) {
            close_run(h, k, s);
            emit(h, k, p, n);
            return;
        }
        s->run++;
        if (!s->flag) {
            uint8_t c = (uint8_t)byte;
            if (!tok_buf_put(&s->hold, &c, 1)) {
                h->oom = true;
                return;
            }
            /* valid so far? (s->lead: where the unchecked part starts -- each byte is looked
             * at once or twice, never the whole run again) */
            size_t bad, ok = tok_utf8_valid_prefix(s->hold.data + s->lead,
                                                   s->hold.len - s->lead, &bad);
            if (s->lead + ok == s->hold.len || s->lead + ok + bad == s->hold.len) {
                s->lead += ok;
                return; /* wait for the run to end */
            }
            s->flag = true; /* invalid: the whole run is U+FFFD, from here on at once */
            s->hold.len = 0;
            for (size_t r = 1; r < s->run; r++)
                emit(h, k, k_fffd, 3);
        }
        emit(h, k, k_fffd, 3);
        return;
    }
    case HF_DEC_FUSE:
        emit(h, k, p, n);
        return;
    case HF_DEC_CTC: { /* a repeat of the previous string is dropped */
        bool repeat = s->flag && s->hold.len == n && !memcmp(DATA(&s->hold), p, n);
        s->flag = true;
        s->hold.len = 0;
        if (!tok_buf_put(&s->hold, p, n) || !hf_dec_ctc(d, p, n, o))
            h->oom = true;
        else if (!repeat)
            emit_buf(h, k, o);
        return;
    }
    default: /* one string for each */
        if (!hf_dec_map(d, p, n, i, false, o))
            h->oom = true;
        else
            emit(h, k, DATA(o), o->len);
        return;
    }
}

/* The end of stage k's input: what it holds goes on, then the stages after it end. */
static void finish(hf_stream *h, size_t k)
{
    if (k == h->n || h->oom)
        return;
    stage *s = &h->st[k];
    const hf_dec *d = s->d;
    tok_buf *o = &s->out;
    o->len = 0;
    bool ok = true;
    if (s->one_text) {
        switch (d->kind) {
        case HF_DEC_BYTELEVEL: {
            tok_buf *b = &s->t1;
            b->len = 0;
            ok = hf_bytelevel_put(b, DATA(&s->hold), s->hold.len);
            if (ok)
                hf_dec_lossy(DATA(b), b->len, true, o);
            break;
        }
        case HF_DEC_BYTEFALLBACK:
            if (!s->flag && s->hold.len) {
                int byte = hf_dec_byte_token(s->hold.data, s->hold.len);
                uint8_t c = (uint8_t)byte;
                ok = byte < 0 ? tok_buf_put(o, s->hold.data, s->hold.len)
                   : byte < 0x80 ? tok_buf_put(o, &c, 1) : tok_buf_put(o, k_fffd, 3);
            }
            break;
        case HF_DEC_STRIP: /* what is held is the last characters: stripped */
        case HF_DEC_FUSE:
            break;
        case HF_DEC_REPLACE:
            if (!s->n_reps) {
                ok = !s->hold.len || hf_dec_map(d, s->hold.data, s->hold.len, 0, true, o);
                break;
            }
            /* fall through */
        default:
            ok = reps_feed(s, NULL, 0, true, o);
            break;
        }
        if (!ok)
            h->oom = true;
        emit_buf(h, k, o);
    } else {
        switch (d->kind) {
        case HF_DEC_BYTELEVEL:
            hf_dec_lossy(DATA(&s->hold), s->hold.len, true, o);
            emit_buf(h, k, o);
            break;
        case HF_DEC_BPE: /* the held string is the last */
            if (s->flag) {
                if (!hf_dec_map(d, DATA(&s->hold), s->hold.len, s->count - 1, true, o))
                    h->oom = true;
                else
                    emit(h, k, DATA(o), o->len);
            }
            break;
        case HF_DEC_BYTEFALLBACK:
            close_run(h, k, s);
            break;
        default:
            break;
        }
    }
    finish(h, k + 1);
}

/* ---- the state ---- */

static void stream_reset(void *state)
{
    hf_stream *h = state;
    for (size_t k = 0; k < h->n; k++) {
        stage *s = &h->st[k];
        s->count = s->lead = s->held = s->run = 0;
        s->flag = false;
        s->hold.len = s->out.len = 0;
        s->hold.oom = s->out.oom = s->t1.oom = s->t2.oom = false;
        for (size_t r = 0; r < s->n_reps; r++) {
            s->reps[r].carry.len = 0;
            s->reps[r].carry.oom = false;
        }
    }
    h->joined = 0;
    h->oom = false;
    h->scratch.oom = false;
}

static void stream_free(void *state)
{
    hf_stream *h = state;
    if (!h)
        return;
    for (size_t k = 0; k < h->n; k++) {
        stage *s = &h->st[k];
        tok_buf_free(&s->hold);
        tok_buf_free(&s->out);
        tok_buf_free(&s->t1);
        tok_buf_free(&s->t2);
        for (size_t r = 0; r < s->n_reps; r++)
            tok_buf_free(&s->reps[r].carry);
        free(s->reps);
    }
    free(h->st);
    tok_buf_free(&h->scratch);
    free(h);
}

/* The replacements a decoder is on one text, which is its list's first and last string. */
static bool one_text_reps(stage *s)
{
    const hf_dec *d = s->d;
    switch (d->kind) {
    case HF_DEC_METASPACE: {
        size_t cn = tok_utf8_encode(d->replacement, s->rc);
        return add_rep(s, s->rc, cn, d->prepend != HF_PREPEND_NEVER ? "" : " ",
                       d->prepend != HF_PREPEND_NEVER ? 0 : 1);
    }
    case HF_DEC_WORDPIECE:
        return !d->cleanup || add_cleanup(s);
    case HF_DEC_BPE:
        return add_rep(s, d->suffix, strlen(d->suffix), "", 0);
    case HF_DEC_REPLACE: /* a Regex is held whole (no reps) */
        return d->pattern_regex || !d->pattern_len ||
               add_rep(s, d->pattern, d->pattern_len, d->with, strlen(d->with));
    case HF_DEC_CTC:
        return add_rep(s, d->pad_token, strlen(d->pad_token), "", 0) &&
               (!d->cleanup || (add_cleanup(s) && add_rep(s, d->word_delimiter,
                                                          strlen(d->word_delimiter), " ", 1)));
    default:
        return true;
    }
}

static void *stream_new(const tok_tokenizer *t, unsigned flags)
{
    const hf_pipeline *hp = t->impl;
    hf_stream *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->flags = flags;
    h->join = !hp->has_decoder;
    h->n = hp->has_decoder ? hp->n_decs : 0;
    h->st = calloc(h->n + 1, sizeof *h->st);
    if (!h->st) {
        free(h);
        return NULL;
    }
    bool one_text = false, ok = true;
    for (size_t k = 0; k < h->n && ok; k++) {
        stage *s = &h->st[k];
        s->d = &hp->decs[k];
        s->one_text = one_text;
        ok = !one_text || one_text_reps(s);
        one_text |= s->d->kind == HF_DEC_BYTELEVEL || s->d->kind == HF_DEC_FUSE;
    }
    if (!ok) {
        stream_free(h);
        return NULL;
    }
    return h;
}

static bool stream_id_ok(const tok_tokenizer *t, uint32_t id)
{
    const hf_pipeline *hp = t->impl;
    return hf_added_of(hp, id) || (id < t->vocab.n_ids && tok_vocab_len(&t->vocab, id) > 0);
}

static bool stream_push(const tok_tokenizer *t, void *state, const uint32_t *ids, size_t n,
                        tok_buf *buf)
{
    hf_stream *h = state;
    h->out = buf;
    for (size_t i = 0; i < n && !h->oom; i++) {
        const uint8_t *s;
        size_t len;
        int r = hf_dec_token(t, ids[i], h->flags, &h->scratch, &s, &len);
        if (r == 1)
            put(h, 0, s, len);
        else if (r < 0)
            h->oom = r == -2 || h->oom; /* -1 cannot happen: the driver checked the ids */
    }
    h->out = NULL;
    return !h->oom && !buf->oom;
}

static bool stream_end(const tok_tokenizer *t, void *state, tok_buf *buf)
{
    hf_stream *h = state;
    h->out = buf;
    finish(h, 0);
    h->out = NULL;
    bool ok = !h->oom && !buf->oom;
    stream_reset(h);
    return ok;
}

const tok_stream_ops hf_stream_ops = {stream_new, stream_id_ok, stream_push, stream_end,
                                      stream_reset, stream_free};
