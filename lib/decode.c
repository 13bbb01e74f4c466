/* decode: ids -> bytes. For byte-level BPE the concatenated token bytes are exactly the text
 * that was encoded; special tokens give their text unless skipped. */
#include "internal.h"

#include <string.h>

/* Bytes of one id for decoding; false if the id is unused. */
static bool piece_of(const tok_tokenizer *t, uint32_t id, const uint8_t **p, size_t *len)
{
    const char *b;
    if (tok_token_bytes(t, id, &b, len) != TOK_OK)
        return false;
    *p = (const uint8_t *)b;
    return true;
}

static tok_status decode_into(const tok_tokenizer *t, const uint32_t *ids, size_t n,
                              unsigned flags, uint8_t *out, size_t cap, size_t *len_out,
                              tok_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        if ((flags & TOK_DECODE_SKIP_SPECIAL) && tok_is_special(t, id))
            continue;
        const uint8_t *p;
        size_t len;
        if (!piece_of(t, id, &p, &len)) {
            tok_status st = tok_fail(err, TOK_EID, t->name, TOK_NO_OFFSET,
                                     "token id %u (position %zu) is not in the vocabulary of "
                                     "%s (size %u)",
                                     id, i, t->name, t->n_ids);
            if (err)
                err->index = (uint32_t)i;
            return st;
        }
        if (out && total + len <= cap)
            memcpy(out + total, p, len);
        total += len;
    }
    *len_out = total;
    return TOK_OK;
}

/* Formats with decoders (tokenizer.json, .model) build the text in a buffer. */
static tok_status decode_ops(const tok_tokenizer *t, const uint32_t *ids, size_t n,
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
    tok_status st;
    if (t->ops) {
        tok_buf b = {0};
        st = decode_ops(t, ids, n, flags, &b, err);
        *len_out = b.len;
        if (st == TOK_OK && out)
            memcpy(out, b.data, b.len < cap ? b.len : cap);
        tok_buf_free(&b);
    } else {
        st = decode_into(t, ids, n, flags, (uint8_t *)out, cap, len_out, err);
    }
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
    if (t->ops) {
        tok_buf b = {0};
        tok_status st = decode_ops(t, ids, n, flags, &b, err);
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
    size_t len;
    tok_status st = decode_into(t, ids, n, flags, NULL, 0, &len, err);
    if (st != TOK_OK)
        return st;
    char *buf = malloc(len + 1);
    if (!buf)
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    decode_into(t, ids, n, flags, (uint8_t *)buf, len, &len, NULL);
    buf[len] = 0;
    *out = buf;
    *len_out = len;
    return TOK_OK;
}
