/* truncate: the longest prefix (or suffix) of a text that encodes to at most N tokens, cut at a
 * character boundary (tok_truncate; `tokscope truncate` prints it).
 *
 * Why not just decode the first N ids: a token boundary is not always a character boundary
 * (byte-level BPE splits "お" into two tokens), and the tokens of a prefix are not always the
 * prefix of the tokens (BPE merges, SentencePiece's Viterbi and normalizers all look ahead), so
 * the text of the first N tokens can encode to N + 1 tokens on its own.
 *
 * How the result is guaranteed, in about linear time:
 *   1. The text is encoded with spans -- for a prefix only as far as the budget reaches
 *      (budget.c): its first N + 1 tokens are enough.
 *   2. Keeping k tokens suggests a cut: the start of token k (the end of token len - k for a
 *      suffix), moved back (forward) to a character boundary.
 *   3. The candidate text is counted on its own. Only a text whose own count is <= N is ever
 *      returned: that is the guarantee, whatever the tokenizer does.
 *   4. If the count is over N by x, k steps back by x, then by twice as much each further
 *      failure (so at most log2(N) + 1 recounts), and a binary search between the last failing
 *      and the first fitting k then looks for a larger k that fits (another log2 of the last
 *      step; it finds the largest when fitting is monotone in k, as it is in practice). Every
 *      k the search keeps was counted and fits; the empty text fits unless N is less than the
 *      tokens added around every text (TOK_ENCODE_ADD_SPECIAL): then nothing fits, and the
 *      empty text is kept with its own count, which is over N.
 * In practice step 3 succeeds at once or after one step back: one encode and one or two counts
 * of at most the kept text. The worst case is O(len log N), never quadratic. */
#include "api/api.h"

#include <string.h>

static size_t char_floor(const uint8_t *t, size_t len, size_t i)
{
    for (int k = 0; k < 3 && i > 0 && i < len && (t[i] & 0xC0) == 0x80; k++)
        i--;
    return i;
}

static size_t char_ceil(const uint8_t *t, size_t len, size_t i)
{
    for (int k = 0; k < 3 && i < len && (t[i] & 0xC0) == 0x80; k++)
        i++;
    return i;
}

typedef struct fit {
    const tok_tokenizer *t;
    const tok_encode_options *o;
    const uint8_t *s;
    size_t len;
    const tok_out *e;   /* the tokens (at least N + 1 of them, or all) with spans */
    bool whole;         /* e holds all the tokens */
    bool from_end;
    tok_error *err;
} fit;

/* The cut that keeping k tokens suggests. */
static size_t cut_for(const fit *f, size_t k)
{
    const tok_out *e = f->e;
    if (f->whole && k >= e->n)
        return f->from_end ? 0 : f->len;
    if (k == 0)
        return f->from_end ? f->len : 0;
    if (!f->from_end) {
        uint64_t at = e->spans[k].start;
        return char_floor(f->s, f->len, at < f->len ? (size_t)at : f->len);
    }
    uint64_t at = e->spans[e->n - k].start;
    return char_ceil(f->s, f->len, at < f->len ? (size_t)at : f->len);
}

/* Count the candidate for k; *cut and *count get it. */
static tok_status try_k(const fit *f, size_t k, size_t *cut, size_t *count)
{
    *cut = cut_for(f, k);
    const char *s = (const char *)f->s + (f->from_end ? *cut : 0);
    size_t n = f->from_end ? f->len - *cut : *cut;
    *count = 0;
    /* the empty text too: tokens added around any text count (TOK_ENCODE_ADD_SPECIAL) */
    return tok_count(f->t, n ? s : "", n, f->o, count, f->err);
}

static tok_status fit_tokens(const fit *f, size_t n, size_t *cut, size_t *count)
{
    *cut = f->from_end ? 0 : f->len;
    *count = f->e->n;
    if (f->whole && f->e->n <= n)
        return TOK_OK;
    size_t k = n, c, cnt;
    tok_status st = try_k(f, k, &c, &cnt);
    if (st != TOK_OK)
        return st;
    if (cnt <= n) {
        *cut = c;
        *count = cnt;
        return TOK_OK;
    }
    /* back off: by the excess, then doubling */
    size_t bad = k, step = cnt - n, ok_k;
    for (;;) {
        size_t next = step < k ? k - step : 0;
        if ((st = try_k(f, next, &c, &cnt)) != TOK_OK)
            return st;
        if (cnt <= n) {
            ok_k = next;
            *cut = c;
            *count = cnt;
            break;
        }
        bad = next;
        k = next;
        if (next == 0) { /* not even the empty text fits: the tokens added around any text */
            *cut = c;
            *count = cnt;
            return TOK_OK;
        }
        step *= 2;
    }
    /* the largest k in (ok_k, bad) that fits */
    while (bad - ok_k > 1) {
        size_t mid = ok_k + (bad - ok_k) / 2;
        if ((st = try_k(f, mid, &c, &cnt)) != TOK_OK)
            return st;
        if (cnt <= n) {
            ok_k = mid;
            *cut = c;
            *count = cnt;
        } else {
            bad = mid;
        }
    }
    return TOK_OK;
}

tok_status tok_truncate(const tok_tokenizer *t, const char *text, size_t len,
                        const tok_encode_options *opts, size_t max_tokens, unsigned flags,
                        size_t *cut, size_t *count, tok_error *err)
{
    if (cut)
        *cut = 0;
    if (count)
        *count = 0;
    if (!t || (!text && len) || (flags & ~(unsigned)TOK_TRUNCATE_END))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "invalid arguments to tok_truncate");
    const uint8_t *s = (const uint8_t *)text;
    bool from_end = flags & TOK_TRUNCATE_END;
    tok_out e = {.grow = true, .want_spans = true};
    tok_wrap w;
    bool whole = true;
    tok_status st = TOK_OK;
    if (!from_end && tok_wrap_probe(t, opts, &w)) {
        /* the added tokens before the text, then its first tokens, as far as the budget */
        for (size_t i = 0; i < w.pre; i++)
            tok_out_push(&e, w.pre_ids[i], 0, 0);
        size_t done;
        st = tok_encode_prefix(t, &w, s, len, max_tokens, &e, &done, err);
        whole = done == len;
        if (st == TOK_OK && whole) { /* all was read: the full encoding, added tokens and all */
            e.n = 0;
            st = tok_encode_into(t, s, len, opts, &e, err);
        }
    } else {
        st = tok_encode_into(t, s, len, opts, &e, err);
    }
    if (st == TOK_OK && e.oom)
        st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    size_t c = 0, cnt = 0;
    if (st == TOK_OK) {
        fit f = {t, opts, s, len, &e, whole, from_end, err};
        st = fit_tokens(&f, max_tokens, &c, &cnt);
    }
    free(e.ids);
    free(e.spans);
    if (st != TOK_OK)
        return st;
    if (cut)
        *cut = c;
    if (count)
        *count = cnt;
    return TOK_OK;
}
