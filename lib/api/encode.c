/* encode: the encode driver -- check the options, validate UTF-8 (or replace invalid sequences
 * and map spans back), run the format's pipeline -- and the public encode/count entry points.
 * It knows no algorithm: everything between the text and the ids is the format's (ops).
 *
 * One driver serves tok_encode, tok_encode_alloc and tok_count: they differ only in the tok_out
 * they pass (caller's arrays, growing arrays, or none). Memory: the output arrays, one scratch
 * block reused by every long piece, and nothing per piece. */
#include "api/api.h"
#include "split/split.h"

#include <string.h>

/* ---- the driver ---- */

tok_status tok_encode_into(const tok_tokenizer *t, const uint8_t *s, size_t n,
                           const tok_encode_options *opts, tok_out *o, tok_error *err)
{
    tok_scratch sc = {0};
    tok_status st = tok_encode_with(t, s, n, opts, o, &sc, err);
    tok_scratch_free(&sc);
    return st;
}

tok_status tok_encode_with(const tok_tokenizer *t, const uint8_t *s, size_t n,
                           const tok_encode_options *opts, tok_out *o, tok_scratch *sc,
                           tok_error *err)
{
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    unsigned flags = opts ? opts->flags : 0;
    if (policy > TOK_SPECIAL_REJECT)
        return tok_fail(err, TOK_EINVAL, t->name, TOK_NO_OFFSET, "unknown special-token policy");

    size_t bad, ok = tok_utf8_valid_prefix(s, n, &bad);
    tok_lossy lm = {0};
    tok_call call = {.sc = *sc};
    call.sc.wc_hits = call.sc.wc_misses = 0; /* what the cache learns is about one text */
    if (ok < n) {
        if (!(flags & TOK_ENCODE_LOSSY_UTF8))
            return tok_fail(err, TOK_EUTF8, NULL, ok,
                            "invalid UTF-8 at byte %zu (byte 0x%02X)", ok, s[ok]);
        if (!t->ops->lossy_self) {
            if (!tok_lossy_clean(s, n, &lm)) {
                tok_lossy_free(&lm);
                return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
            }
            s = lm.text;
            n = lm.len;
            call.lossy = &lm;
        }
    }
    tok_status st = t->ops->encode(t, s, n, opts, o, &call, err);
    if (st == TOK_OK && o->oom)
        st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    if (st == TOK_OK && lm.n)
        tok_lossy_map_spans(&lm, o);
    *sc = call.sc;
    tok_lossy_free(&lm);
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
    /* a long text stretch by stretch where the format proves cuts (budget.c) and would keep
     * state for every byte of the whole: the memory of a stretch, not of the text */
    if (len > TOK_COUNT_STRETCHED_MIN && t->ops->keeps_per_byte && t->ops->keeps_per_byte(t) &&
        tok_count_stretched(t, (const uint8_t *)text, len, opts, TOK_STRETCH_MAX, count))
        return TOK_OK;
    tok_out o = {0};
    tok_status st = tok_encode_into(t, (const uint8_t *)text, len, opts, &o, err);
    *count = st == TOK_OK ? o.n : 0;
    return st;
}
