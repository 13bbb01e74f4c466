/* normalized_string: lists of normalized text splits with alignments -- HF's NormalizedString and
 * PreTokenizedString (tokenizer/normalizer.rs, pre_tokenizer.rs) without a heap object per
 * split: one list holds every split's bytes back to back, and, when the caller wants offsets,
 * for every byte the original span it came from (absolute input offsets). Stages read one list
 * and write the next.
 *
 * hf_tx_* replays NormalizedString::transform_range exactly: an output character that replaces
 * an input character takes the alignment of that character's first byte; an inserted one takes
 * the alignment of the byte before it (or the split's start at the very front). */
#include "formats/hf/hf.h"

#include <string.h>

void hf_splits_init(hf_splits *s, bool track)
{
    memset(s, 0, sizeof *s);
    s->track = track;
}

void hf_splits_reset(hf_splits *s)
{
    if (s->borrowed) {
        s->text = NULL;
        s->cap = 0;
        s->borrowed = false;
    }
    s->len = 0;
    s->n = 0;
}

void hf_splits_free(hf_splits *s)
{
    if (!s->borrowed)
        free(s->text);
    free(s->a0);
    free(s->a1);
    free(s->v);
    memset(s, 0, sizeof *s);
}

bool hf_splits_reserve(hf_splits *s, size_t extra)
{
    /* always a buffer, even for empty splits: code indexes text + off without special cases */
    if (s->len + extra <= s->cap && s->text)
        return true;
    if (s->borrowed) { /* the caller's bytes: continue in a buffer of our own */
        uint8_t *own = malloc(s->len ? s->len : 1);
        if (!own) {
            s->oom = true;
            return false;
        }
        memcpy(own, s->text, s->len);
        s->text = own;
        s->cap = s->len;
        s->borrowed = false;
    }
    size_t cap = tok_grow_cap(s->cap, s->len + extra ? s->len + extra : 1, 256);
    if (!cap || !tok_realloc(&s->text, cap, 1) ||
        (s->track && (!tok_realloc(&s->a0, cap, sizeof *s->a0) ||
                      !tok_realloc(&s->a1, cap, sizeof *s->a1)))) {
        s->oom = true;
        return false;
    }
    s->cap = cap;
    return true;
}

static bool add_entry(hf_splits *s, size_t off, size_t len, uint32_t token, uint32_t orig0,
                      uint32_t orig1)
{
    /* an empty split (say, every character removed) still needs a text buffer behind it */
    if (!s->text && !hf_splits_reserve(s, 0))
        return false;
    if (!tok_grow(&s->v, &s->vcap, s->n + 1, sizeof *s->v, 64)) {
        s->oom = true;
        return false;
    }
    s->v[s->n++] = (hf_split){(uint32_t)off, (uint32_t)len, token, orig0, orig1};
    return true;
}

bool hf_splits_view(hf_splits *s, const uint8_t *src, size_t n, uint32_t token, uint32_t orig0,
                    uint32_t orig1)
{
    if (s->track || s->len || s->n || !n)
        return hf_splits_add(s, src, n, NULL, NULL, 0, token, orig0, orig1);
    if (!s->borrowed)
        free(s->text);
    s->text = (uint8_t *)src; /* read only: stages read one list and write the next */
    s->len = s->cap = n;
    s->borrowed = true;
    return add_entry(s, 0, n, token, orig0, orig1);
}

bool hf_splits_add(hf_splits *s, const uint8_t *src, size_t n, const uint32_t *a0,
                   const uint32_t *a1, uint32_t base, uint32_t token, uint32_t orig0,
                   uint32_t orig1)
{
    /* Without alignments nothing reads the bytes of a split that is already a token (stages
     * pass it on, the model takes its id): only its length is kept. Gemma's runs of newlines
     * are tokens, so 4 MB of them would otherwise be copied once a stage. */
    if (!s->track && token != TOK_NO_ID)
        return add_entry(s, s->len, n, token, orig0, orig1);
    if (!hf_splits_reserve(s, n))
        return false;
    memcpy(s->text + s->len, src, n);
    if (s->track && n) {
        if (a0) {
            memcpy(s->a0 + s->len, a0, n * sizeof *a0);
            memcpy(s->a1 + s->len, a1, n * sizeof *a1);
        } else { /* a fresh NormalizedString: every byte aligns to its whole character */
            for (size_t i = 0; i < n;) {
                unsigned cl;
                tok_utf8_decode(src + i, &cl);
                for (unsigned k = 0; k < cl && i + k < n; k++) {
                    s->a0[s->len + i + k] = base + (uint32_t)i;
                    s->a1[s->len + i + k] = base + (uint32_t)(i + cl);
                }
                i += cl;
            }
        }
    }
    size_t off = s->len;
    s->len += n;
    return add_entry(s, off, n, token, orig0, orig1);
}

void hf_tx_begin(hf_tx *t, hf_splits *out, const uint8_t *in, const uint32_t *ia0,
                 const uint32_t *ia1, size_t in_len, size_t skip, uint32_t orig0)
{
    t->first_a0 = orig0;
    t->out = out;
    t->in = in;
    t->ia0 = ia0;
    t->ia1 = ia1;
    t->in_len = in_len;
    t->start = out->len;
    size_t pos = 0;
    for (size_t k = 0; k < skip && pos < in_len; k++) { /* transform's initial_offset */
        unsigned cl;
        tok_utf8_decode(in + pos, &cl);
        pos += cl;
    }
    t->in_pos = pos;
}

/* Skip one input character; returns its byte length (0 at the end). */
static size_t next_char(hf_tx *t)
{
    if (t->in_pos >= t->in_len)
        return 0;
    unsigned cl;
    tok_utf8_decode(t->in + t->in_pos, &cl);
    t->in_pos += cl;
    return cl;
}

bool hf_tx_push(hf_tx *t, uint32_t cp, int change)
{
    hf_splits *o = t->out;
    uint8_t buf[4];
    size_t l = tok_utf8_encode(cp, buf);
    if (!hf_splits_reserve(o, l))
        return false;
    uint32_t al0 = 0, al1 = 0;
    if (o->track) {
        size_t idx = t->in_pos;
        if (change > 0) {
            if (idx < 1) { /* HF's (0, 0): the split's own original start */
                al0 = al1 = t->first_a0;
            } else {
                al0 = t->ia0[idx - 1];
                al1 = t->ia1[idx - 1];
            }
        } else if (idx < t->in_len) {
            al0 = t->ia0[idx];
            al1 = t->ia1[idx];
        }
    }
    if (change <= 0) {
        next_char(t);
        for (int k = 0; k < -change; k++)
            next_char(t);
    }
    memcpy(o->text + o->len, buf, l);
    if (o->track)
        for (size_t k = 0; k < l; k++) {
            o->a0[o->len + k] = al0;
            o->a1[o->len + k] = al1;
        }
    o->len += l;
    return true;
}

bool hf_tx_copy(hf_tx *t, size_t n)
{
    hf_splits *o = t->out;
    if (!hf_splits_reserve(o, n))
        return false;
    memcpy(o->text + o->len, t->in + t->in_pos, n);
    if (o->track) {
        /* each copied character keeps its first byte's alignment on all its bytes */
        for (size_t i = 0; i < n;) {
            unsigned cl;
            tok_utf8_decode(t->in + t->in_pos + i, &cl);
            for (unsigned k = 0; k < cl; k++) {
                o->a0[o->len + i + k] = t->ia0[t->in_pos + i];
                o->a1[o->len + i + k] = t->ia1[t->in_pos + i];
            }
            i += cl;
        }
    }
    o->len += n;
    t->in_pos += n;
    return true;
}

bool hf_tx_end(hf_tx *t, uint32_t token, uint32_t orig0, uint32_t orig1)
{
    return add_entry(t->out, t->start, t->out->len - t->start, token, orig0, orig1);
}

void hf_tx_skip(hf_tx *t, size_t n)
{
    t->in_pos += n;
}

bool hf_tx_insert(hf_tx *t, const uint8_t *s, size_t n)
{
    hf_splits *o = t->out;
    if (o->track) {
        for (size_t k = 0; k < n;) {
            unsigned cl;
            uint32_t cp = tok_utf8_decode(s + k, &cl);
            k += cl;
            if (!hf_tx_push(t, cp, 1))
                return false;
        }
        return true;
    }
    if (!hf_splits_reserve(o, n)) /* no alignments: the bytes are all there is */
        return false;
    memcpy(o->text + o->len, s, n);
    o->len += n;
    return true;
}

bool hf_splits_copy(hf_splits *out, const hf_splits *in, size_t i)
{
    const hf_split *sp = &in->v[i];
    if (out->sink)
        return out->sink->put(out->sink->ctx, in->text + sp->off, sp->len, sp->token);
    if (in->borrowed && !out->track && !out->n && !out->len) /* the caller's input, which no
                                                                * stage writes: no copy */
        return hf_splits_view(out, in->text + sp->off, sp->len, sp->token, sp->orig0, sp->orig1);
    return hf_splits_add(out, in->text + sp->off, sp->len, in->track ? in->a0 + sp->off : NULL,
                         in->track ? in->a1 + sp->off : NULL, 0, sp->token, sp->orig0,
                         sp->orig1);
}

/* Where a replacement is written: four bytes at a time into the slack when it is short. */
static inline uint8_t *put_rep(uint8_t *o, const uint8_t *r4, const uint8_t *rep, size_t rl)
{
    if (rl <= 4)
        memcpy(o, r4, 4);
    else
        memcpy(o, rep, rl);
    return o + rl;
}

bool hf_splits_put_replacing(hf_splits *out, const uint8_t *s, size_t n, uint8_t c,
                             const uint8_t *rep, size_t rl, bool front,
                             const hf_piece_sink *sink)
{
    size_t hits = 0;
    for (const uint8_t *p = s, *e = s + n; (p = tok_memchr(p, c, (size_t)(e - p))); p++)
        hits++;
    /* 16 bytes of slack: a short stretch is moved 16 bytes at a time, a short replacement
     * four, the excess overwritten next */
    if (!hf_splits_reserve(out, n - hits + (hits + front) * rl + 16))
        return false;
    uint8_t *o = out->text + out->len, *piece = o, r4[4] = {0};
    memcpy(r4, rep, rl <= 4 ? rl : 0);
    if (front)
        o = put_rep(o, r4, rep, rl);
    for (size_t k = 0; k < n;) {
        const uint8_t *q = tok_memchr(s + k, c, n - k);
        size_t run = (q ? (size_t)(q - s) : n) - k;
        if (run <= 16 && n - k >= 16) /* a word of a few bytes: one 16-byte move, no call */
            memcpy(o, s + k, 16);
        else
            memcpy(o, s + k, run);
        o += run;
        k += run;
        if (out->drop_row && !sink) { /* counting: rows out of a long run (rows.c) */
            size_t rows = tok_run_rows(s, k, n, c, HF_ROW_KEEP, out->drop_row);
            out->dropped += rows;
            k += rows * out->drop_row;
        }
        while (k < n && s[k] == c) { /* the match, and those right after it (runs) */
            if (sink && o > piece && !sink->put(sink->ctx, piece, (size_t)(o - piece), TOK_NO_ID))
                return false;
            piece = o;
            o = put_rep(o, r4, rep, rl);
            k++;
        }
    }
    out->len = (size_t)(o - out->text);
    return !sink || o == piece || sink->put(sink->ctx, piece, (size_t)(o - piece), TOK_NO_ID);
}
