/* decode: the decode driver -- check the ids, run the format's decoder into a buffer -- and the
 * public entry points. */
#include "api/api.h"

#include <string.h>

static tok_status decode_buf(const tok_tokenizer *t, const uint32_t *ids, size_t n,
                             unsigned flags, tok_buf *b, tok_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= t->n_ids) {
            tok_status st = tok_fail(err, TOK_EID, t->name, TOK_NO_OFFSET,
                                     "token id %u (position %zu) is not in the vocabulary of "
                                     "%s (size %u)",
                                     ids[i], i, t->name, t->n_ids);
            if (err)
                err->index = (uint32_t)i;
            return st;
        }
    tok_status st = t->ops->decode(t, ids, n, flags, b, err);
    if (st == TOK_OK && b->oom)
        st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    return st;
}

tok_status tok_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                      char *out, size_t cap, size_t *len_out, tok_error *err)
{
    if (!t || (!ids && n) || (!out && cap) || !len_out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "invalid arguments to tok_decode");
    tok_buf b = {0};
    tok_status st = decode_buf(t, ids, n, flags, &b, err);
    *len_out = b.len;
    if (st == TOK_OK && out && b.len && cap) /* no data when nothing was decoded */
        memcpy(out, b.data, b.len < cap ? b.len : cap);
    tok_buf_free(&b);
    if (st == TOK_OK && *len_out > cap)
        return tok_fail(err, TOK_ERANGE, NULL, TOK_NO_OFFSET,
                        "%zu bytes do not fit in a buffer of %zu", *len_out, cap);
    return st;
}

tok_status tok_decode_alloc(const tok_tokenizer *t, const uint32_t *ids, size_t n,
                            unsigned flags, char **out, size_t *len_out, tok_error *err)
{
    if (out)
        *out = NULL;
    if (!t || (!ids && n) || !out || !len_out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_decode_alloc");
    tok_buf b = {0};
    tok_status st = decode_buf(t, ids, n, flags, &b, err);
    if (st == TOK_OK && !b.data && !tok_buf_put(&b, "", 0))
        st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    if (st != TOK_OK) {
        tok_buf_free(&b);
        return st;
    }
    *out = (char *)b.data;
    *len_out = b.len;
    return TOK_OK;
}
