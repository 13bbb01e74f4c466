/* fit: the longest prefix (or suffix) of a text that encodes to at most N tokens.
 *
 * Why not just decode the first N ids: a token boundary is not always a character boundary
 * (byte-level BPE splits "お" into two tokens), and the tokens of a prefix are not always the
 * prefix of the tokens (BPE merges, SentencePiece's Viterbi and normalizers all look ahead), so
 * the text of the first N tokens can encode to N + 1 tokens on its own.
 *
 * How the result is guaranteed, in about linear time:
 *   1. The whole text is encoded once, with spans (O(len)).
 *   2. Keeping k tokens suggests a cut: the start of token k (the end of token len - k for a
 *      suffix), moved back (forward) to a character boundary.
 *   3. The candidate text is counted on its own. Only a text whose own count is <= N is ever
 *      returned: that is the guarantee, whatever the tokenizer does.
 *   4. If the count is over N by x, k steps back by x, then by twice as much each further
 *      failure (so at most log2(N) + 1 recounts), and a binary search between the last failing
 *      and the first fitting k then looks for a larger k that fits (another log2 of the last
 *      step; it finds the largest when fitting is monotone in k, as it is in practice). Every
 *      k the search keeps was counted and fits; the empty text always fits, so it ends.
 * In practice step 3 succeeds at once or after one step back: one encode and one or two counts
 * of at most the text's length. The worst case is O(len log N), never quadratic. */
#include "fit.h"

#include <stdlib.h>

size_t char_floor(const char *t, size_t len, size_t i)
{
    for (int k = 0; k < 3 && i > 0 && i < len && ((unsigned char)t[i] & 0xC0) == 0x80; k++)
        i--;
    return i;
}

size_t char_ceil(const char *t, size_t len, size_t i)
{
    for (int k = 0; k < 3 && i < len && ((unsigned char)t[i] & 0xC0) == 0x80; k++)
        i++;
    return i;
}

bool encode_spans(const tok_tokenizer *tok, const tok_encode_options *o, const char *t, size_t len,
                  encoded *e, tok_error *err)
{
    e->ids = NULL;
    e->spans = NULL;
    e->n = 0;
    return tok_encode_alloc(tok, t, len, o, &e->ids, &e->spans, &e->n, err) == TOK_OK;
}

void encoded_free(encoded *e)
{
    tok_free(e->ids);
    tok_free(e->spans);
    e->ids = NULL;
    e->spans = NULL;
    e->n = 0;
}

size_t token_at(const encoded *e, uint64_t b)
{
    size_t lo = 0, hi = e->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->spans[mid].start < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The cut that keeping k tokens suggests. */
static size_t cut_for(const char *t, size_t len, const encoded *e, size_t k, bool from_end)
{
    if (k >= e->n)
        return from_end ? 0 : len;
    if (k == 0)
        return from_end ? len : 0;
    if (!from_end) {
        uint64_t at = e->spans[k].start;
        return char_floor(t, len, at < len ? (size_t)at : len);
    }
    uint64_t at = e->spans[e->n - k].start;
    return char_ceil(t, len, at < len ? (size_t)at : len);
}

typedef struct probe {
    const tok_tokenizer *tok;
    const tok_encode_options *o;
    const char *t;
    size_t len;
    const encoded *e;
    bool from_end;
    tok_error *err;
    bool failed;
} probe;

/* Count the candidate for k; *cut and *count get it. */
static bool try_k(probe *p, size_t k, size_t *cut, size_t *count)
{
    *cut = cut_for(p->t, p->len, p->e, k, p->from_end);
    const char *s = p->from_end ? p->t + *cut : p->t;
    size_t n = p->from_end ? p->len - *cut : *cut;
    *count = 0;
    if (n && tok_count(p->tok, s, n, p->o, count, p->err) != TOK_OK) {
        p->failed = true;
        return false;
    }
    return true;
}

bool fit_tokens(const tok_tokenizer *tok, const tok_encode_options *o, const char *t, size_t len,
                const encoded *e, uint64_t n, bool from_end, size_t *cut, size_t *count,
                tok_error *err)
{
    probe p = {tok, o, t, len, e, from_end, err, false};
    *cut = from_end ? 0 : len;
    *count = e->n;
    if (e->n <= n)
        return true;
    size_t k = (size_t)n, c, cnt;
    if (!try_k(&p, k, &c, &cnt))
        return false;
    if (cnt <= n) {
        *cut = c;
        *count = cnt;
        return true;
    }
    /* back off: by the excess, then doubling */
    size_t bad = k, step = cnt - n, ok_k;
    for (;;) {
        size_t next = step < k ? k - step : 0;
        if (!try_k(&p, next, &c, &cnt))
            return false;
        if (cnt <= n) {
            ok_k = next;
            *cut = c;
            *count = cnt;
            break;
        }
        bad = next;
        k = next;
        if (next == 0) { /* cannot happen: the empty text has no tokens */
            *cut = from_end ? len : 0;
            *count = 0;
            return true;
        }
        step *= 2;
    }
    /* the largest k in (ok_k, bad) that fits */
    while (bad - ok_k > 1) {
        size_t mid = ok_k + (bad - ok_k) / 2;
        if (!try_k(&p, mid, &c, &cnt))
            return false;
        if (cnt <= n) {
            ok_k = mid;
            *cut = c;
            *count = cnt;
        } else {
            bad = mid;
        }
    }
    return !p.failed;
}
