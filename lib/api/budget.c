/* budget: token budgets that read a text only as far as the budget reaches -- tok_count_limit,
 * and the prefix that tok_truncate (truncate.c) and tok_counter (counter.c) build on.
 *
 * A text is encoded from its start in stretches. Each stretch ends at a cut the format proves
 * (tok_format_ops.cut, core/core.h): a place where the tokens before it are those of the text
 * before it on its own, whatever follows. So the tokens of the stretches, one after another,
 * are the tokens of the whole text, and encoding can stop as soon as the budget is passed: a
 * 100 MB text with a limit of 1000 costs a few kilobytes of work. Where the cuts are:
 *
 *   tiktoken        piece boundaries of the split that text after them cannot move, and the
 *                   ends of special tokens (formats/tiktoken/cut.c, with the argument for the
 *                   built-in patterns)
 *   tokenizer.json  the same for the byte-level BPE family (formats/hf/cut.c); in the general
 *                   pipeline (formats/hf/cut_general.c), whitespace for the BERT family
 *                   (WordPiece and others behind a whitespace pre-tokenizer), spaces for
 *                   Metaspace and SentencePiece-shaped BPE (Prepend + Replace)
 *   sentencepiece   none here
 *
 * tok_cut_point asks for the other kind of cut (TOK_CUT_RESTART, core/core.h): only after a line
 * feed followed by a letter, where the split restarts for every pattern that has the property
 * (split/cut.c), so that one cut serves several tokenizers -- cheap (a look back from the end)
 * and independent of the special-token policy.
 *
 * A tokenizer without cuts is encoded whole: the same answers, at the cost of the whole text.
 * The tokens TOK_ENCODE_ADD_SPECIAL adds around a text (BOS, a template's [CLS] ... [SEP]) are
 * counted apart: the stretches are encoded without them, and a probe finds how many come before
 * and after. The first stretch is sized from the budget (about 6 bytes a token) and later ones
 * from the bytes per token seen so far, at most TOK_STRETCH_MAX bytes (api.h): a general
 * tokenizer.json pipeline keeps tens of bytes per byte of the text it encodes (alignments,
 * splits), so that bounds the memory of a budget however large. A stretch with no cut is doubled until it has
 * one or reaches the end. UTF-8 is checked stretch by stretch, so invalid bytes after the point
 * where the budget was passed are never looked at.
 *
 * tok_count (encode.c) counts a long text the same way, with no budget (tok_count_stretched),
 * when the format would keep state for every byte of the whole (tok_format_ops.keeps_per_byte:
 * the general tokenizer.json pipeline): its memory is then that of a stretch, not of the text.
 * The fast paths already work piece by piece, and for them the cut search is a second pass of
 * the split regex: they are counted whole. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

void tok_error_shift(tok_error *err, uint64_t delta)
{
    if (!err || !delta || err->offset == TOK_NO_OFFSET)
        return;
    char old[32], now[32];
    snprintf(old, sizeof old, "at byte %llu", (unsigned long long)err->offset);
    err->offset += delta;
    snprintf(now, sizeof now, "at byte %llu", (unsigned long long)err->offset);
    char *p = strstr(err->message, old);
    size_t ol = strlen(old), nl = strlen(now), ml = strlen(err->message);
    if (p && ml - ol + nl < sizeof err->message) {
        memmove(p + nl, p + ol, ml - (size_t)(p - err->message) - ol + 1);
        memcpy(p, now, nl);
    }
}

bool tok_wrap_probe(const tok_tokenizer *t, const tok_encode_options *opts, tok_wrap *w)
{
    memset(w, 0, sizeof *w);
    w->stretch = TOK_STRETCH_MAX;
    tok_encode_options body = opts ? *opts : (tok_encode_options){TOK_SPECIAL_ORDINARY, 0};
    body.flags &= ~(unsigned)TOK_ENCODE_ADD_SPECIAL;
    w->body = body;
    if (!t->ops->cut || !t->ops->cut(t, &body, NULL, 0, TOK_CUT_ANY, NULL, NULL))
        return false;
    if (!(opts && (opts->flags & TOK_ENCODE_ADD_SPECIAL)))
        return w->cuttable = true;
    /* the added tokens around a one-character text: the body's tokens are inside them */
    static const uint8_t probe[] = "a";
    tok_out a = {.grow = true, .want_spans = true}, b = {.grow = true, .want_spans = true};
    bool ok = tok_encode_into(t, probe, 1, &body, &a, NULL) == TOK_OK &&
              tok_encode_into(t, probe, 1, opts, &b, NULL) == TOK_OK && b.n >= a.n;
    size_t k = 0;
    for (; ok && k + a.n <= b.n; k++)
        if (!a.n || !memcmp(b.ids + k, a.ids, a.n * sizeof *a.ids))
            break;
    ok = ok && k + a.n <= b.n && k <= TOK_WRAP_MAX;
    for (size_t i = 0; ok && i < k; i++) { /* the ones before have no text: their span is 0 */
        ok = b.spans[i].start == 0 && b.spans[i].end == 0;
        w->pre_ids[i] = b.ids[i];
    }
    if (ok) {
        w->pre = k;
        w->post = b.n - k - a.n;
        w->cuttable = true;
    }
    free(a.ids);
    free(a.spans);
    free(b.ids);
    free(b.spans);
    return w->cuttable;
}

/* Does o only count (no arrays, none to grow)? Then so can the stretches. */
static bool counting(const tok_out *o)
{
    return !o->grow && !o->cap;
}

/* Append o's tokens to into, spans shifted by base. */
static bool append(tok_out *into, const tok_out *o, uint64_t base)
{
    if (counting(into)) {
        into->n += o->n;
        return true;
    }
    for (size_t i = 0; i < o->n; i++)
        tok_out_push(into, o->ids[i], base + (o->spans ? o->spans[i].start : 0),
                     base + (o->spans ? o->spans[i].end : 0));
    return !into->oom;
}

tok_status tok_encode_prefix(const tok_tokenizer *t, const tok_wrap *w, const uint8_t *s,
                             size_t len, size_t need, tok_out *o, size_t *done, tok_error *err)
{
    size_t pos = 0, window = need < SIZE_MAX / 8 - 256 ? 256 + need * 6 : SIZE_MAX / 2;
    tok_status st = TOK_OK;
    window = window < w->stretch ? window : w->stretch;
    while (pos < len && o->n <= need && st == TOK_OK) {
        size_t end = len - pos <= window ? len : pos + window, p = end, q = end;
        if (end < len) {
            size_t bad, v = tok_utf8_valid_prefix(s + pos, end - pos, &bad), cp, cq;
            if (!v || !t->ops->cut(t, &w->body, s + pos, v, TOK_CUT_ANY, &cp, &cq)) {
                window = window < SIZE_MAX / 4 ? window * 2 : SIZE_MAX / 2;
                continue;
            }
            p = pos + cp;
            q = pos + cq;
        }
        tok_out sub = {.grow = !counting(o), .want_spans = o->want_spans};
        st = tok_encode_into(t, s + pos, p - pos, &w->body, &sub, err);
        if (st == TOK_OK && !append(o, &sub, pos))
            st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
        else if (st != TOK_OK)
            tok_error_shift(err, pos);
        free(sub.ids);
        free(sub.spans);
        pos = q;
        /* the next stretch: the tokens still wanted at the bytes per token seen so far */
        size_t left = o->n <= need ? need + 1 - o->n : 1;
        size_t per = o->n ? pos / o->n + 1 : 8;
        window = left < (SIZE_MAX / 4) / per ? left * per + left * per / 4 + 64 : SIZE_MAX / 2;
        window = window < w->stretch ? window : w->stretch;
    }
    *done = pos;
    return st;
}

bool tok_count_stretched(const tok_tokenizer *t, const uint8_t *s, size_t len,
                         const tok_encode_options *opts, size_t stretch, size_t *count)
{
    size_t bad;
    tok_wrap w;
    if ((!(opts && (opts->flags & TOK_ENCODE_LOSSY_UTF8)) &&
         tok_utf8_valid_prefix(s, len, &bad) < len) ||
        !tok_wrap_probe(t, opts, &w))
        return false;
    w.stretch = stretch ? stretch : 1;
    tok_out o = {0};
    size_t done;
    tok_error err;
    if (tok_encode_prefix(t, &w, s, len, SIZE_MAX / 2, &o, &done, &err) != TOK_OK)
        return false;
    *count = w.pre + o.n + w.post;
    return true;
}

tok_status tok_count_limit(const tok_tokenizer *t, const char *text, size_t len,
                           const tok_encode_options *opts, size_t limit, size_t *count,
                           size_t *end, tok_error *err)
{
    if (count)
        *count = 0;
    if (end)
        *end = 0;
    if (!t || (!text && len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_count_limit");
    const uint8_t *s = (const uint8_t *)text;
    tok_wrap w;
    size_t n = 0, at = 0;
    tok_out o = {.grow = true, .want_spans = end != NULL};
    tok_status st = TOK_OK;
    size_t done = len;
    if (tok_wrap_probe(t, opts, &w)) {
        if (limit < w.pre) { /* over before the text begins */
            n = limit + 1;
            goto out;
        }
        st = tok_encode_prefix(t, &w, s, len, limit - w.pre, &o, &done, err);
        if (st != TOK_OK)
            goto out;
        if (done < len || w.pre + o.n + w.post > limit) {
            n = limit + 1;
            if (limit > w.pre && limit - w.pre <= o.n) {
                if (end)
                    at = (size_t)o.spans[limit - w.pre - 1].end;
                goto out;
            }
            if (limit <= w.pre)
                goto out;
            /* the limit falls among the tokens added after the text: all was read; their
             * spans are the full encoding's */
            free(o.ids);
            free(o.spans);
            o = (tok_out){.grow = true, .want_spans = end != NULL};
            st = tok_encode_into(t, s, len, opts, &o, err);
            if (st == TOK_OK && end)
                at = (size_t)o.spans[limit - 1].end;
            goto out;
        }
        n = w.pre + o.n + w.post;
        at = len;
        goto out;
    }
    /* no cuts: the whole text */
    st = tok_encode_into(t, s, len, opts, &o, err);
    if (st != TOK_OK)
        goto out;
    if (o.n <= limit) {
        n = o.n;
        at = len;
    } else {
        n = limit + 1;
        at = limit && end ? (size_t)o.spans[limit - 1].end : 0;
    }
out:
    free(o.ids);
    free(o.spans);
    if (st == TOK_OK) {
        if (count)
            *count = n;
        if (end)
            *end = at;
    }
    return st;
}

size_t tok_cut_point(const tok_tokenizer *t, const char *text, size_t len)
{
    size_t p, q;
    if (!t || !text || !len || !t->ops->cut ||
        !t->ops->cut(t, NULL, (const uint8_t *)text, len, TOK_CUT_RESTART, &p, &q) || p != q)
        return 0;
    return p;
}
