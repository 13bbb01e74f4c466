/* decode_stream: the streaming decode driver -- text as ids arrive, exactly tok_decode's.
 *
 * Why not re-decode a window of recent ids and return the difference (Hugging Face's
 * DecodeStream): that is exact only where the decoder is local, and tokenizer.json decoders are
 * not all local (a Strip after a Fuse acts on the text's very start; a byte-fallback run is
 * decided as a whole; the last token of a BPEDecoder list loses its suffix differently). Here
 * each format runs its decoder as a state machine (tok_stream_ops, core/core.h) that appends
 * only text no later id can change, holding back no more than its decoder needs to decide:
 *
 *   tiktoken        nothing: a token's bytes are final
 *   sentencepiece   the bytes of an unfinished character of a <0xXX> run (at most 3); with
 *                   denormalization rules, everything until flush (the rules are applied to
 *                   the whole text, as sentencepiece does)
 *   tokenizer.json  per decoder of the chain (lib/formats/hf/decoders/decode_stream.c): the
 *                   last token (BPEDecoder: its suffix depends on whether it is last), the
 *                   current byte-fallback run, trailing Strip characters, the tail of a
 *                   pattern being replaced, an unfinished character of ByteLevel's bytes
 *
 * and this driver holds back what ends in an unfinished UTF-8 character (at most 3 bytes), so a
 * step never returns half a character. Each id costs about its own text: nothing is decoded
 * twice. The driver checks every id of a step before the format sees any, so a bad id leaves
 * the stream as it was. */
#include "api/api.h"

#include <string.h>

struct tok_decode_stream {
    const tok_tokenizer *t;
    unsigned flags;
    void *st;      /* the format's state */
    tok_buf out;   /* final text; out.data[0..shown) was returned by the last call */
    size_t shown;
};

tok_status tok_decode_stream_new(const tok_tokenizer *t, unsigned flags, tok_decode_stream **out,
                                 tok_error *err)
{
    if (out)
        *out = NULL;
    if (!t || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_decode_stream_new");
    if (!t->ops->stream)
        return tok_fail(err, TOK_EUNSUPPORTED, t->name, TOK_NO_OFFSET,
                        "%s: streaming decode is not available for this format", t->name);
    tok_decode_stream *s = calloc(1, sizeof *s);
    if (s)
        s->st = t->ops->stream->new(t, flags);
    if (!s || !s->st) {
        free(s);
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }
    s->t = t;
    s->flags = flags;
    *out = s;
    return TOK_OK;
}

/* Drop what the last call returned; keep the held-back bytes at the front. */
static void consume_shown(tok_decode_stream *s)
{
    if (s->shown) {
        memmove(s->out.data, s->out.data + s->shown, s->out.len - s->shown);
        s->out.len -= s->shown;
        s->shown = 0;
    }
}

/* The end of what may be shown: all of out but an unfinished character at its end. Invalid
 * sequences are final as they are (tok_decode passes them through); an incomplete one that
 * reaches the end may still be completed. */
static size_t complete_end(const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t bad;
        i += tok_utf8_valid_prefix(b + i, n - i, &bad);
        if (i == n || i + bad == n)
            return i;
        i += bad;
    }
    return n;
}

static tok_status give(tok_decode_stream *s, size_t upto, const char **text, size_t *len,
                       tok_error *err)
{
    if (s->out.oom) {
        tok_decode_stream_reset(s);
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }
    s->shown = upto;
    if (text)
        *text = s->out.data ? (const char *)s->out.data : "";
    if (len)
        *len = upto;
    return TOK_OK;
}

static tok_status check_ids(const tok_decode_stream *s, const uint32_t *ids, size_t n,
                            tok_error *err)
{
    const tok_tokenizer *t = s->t;
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= t->n_ids || !t->ops->stream->id_ok(t, ids[i])) {
            tok_status st = tok_fail(err, TOK_EID, t->name, TOK_NO_OFFSET,
                                     "token id %u (position %zu) is not in the vocabulary of "
                                     "%s (size %u)",
                                     ids[i], i, t->name, t->n_ids);
            if (err)
                err->index = (uint32_t)i;
            return st;
        }
    return TOK_OK;
}

static tok_status push(tok_decode_stream *s, const uint32_t *ids, size_t n, tok_error *err)
{
    if (!s || (!ids && n))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_decode_stream_step");
    tok_status st = check_ids(s, ids, n, err);
    if (st != TOK_OK)
        return st;
    consume_shown(s);
    if (n && !s->t->ops->stream->push(s->t, s->st, ids, n, &s->out))
        s->out.oom = true;
    return TOK_OK;
}

tok_status tok_decode_stream_step(tok_decode_stream *s, const uint32_t *ids, size_t n,
                                  const char **text, size_t *len, tok_error *err)
{
    if (text)
        *text = "";
    if (len)
        *len = 0;
    tok_status st = push(s, ids, n, err);
    if (st != TOK_OK)
        return st;
    return give(s, complete_end(s->out.data, s->out.len), text, len, err);
}

tok_status tok_decode_stream_prefill(tok_decode_stream *s, const uint32_t *ids, size_t n,
                                     tok_error *err)
{
    tok_status st = push(s, ids, n, err);
    if (st != TOK_OK)
        return st;
    /* the text is the caller's already: mark it shown, keep an unfinished character */
    return give(s, complete_end(s->out.data, s->out.len), NULL, NULL, err);
}

tok_status tok_decode_stream_flush(tok_decode_stream *s, const char **text, size_t *len,
                                   tok_error *err)
{
    if (text)
        *text = "";
    if (len)
        *len = 0;
    if (!s)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_decode_stream_flush");
    consume_shown(s);
    if (!s->t->ops->stream->end(s->t, s->st, &s->out))
        s->out.oom = true;
    return give(s, s->out.len, text, len, err);
}

void tok_decode_stream_reset(tok_decode_stream *s)
{
    if (!s)
        return;
    s->t->ops->stream->reset(s->st);
    s->out.len = 0;
    s->out.oom = false;
    s->shown = 0;
}

void tok_decode_stream_free(tok_decode_stream *s)
{
    if (!s)
        return;
    s->t->ops->stream->free(s->st);
    tok_buf_free(&s->out);
    free(s);
}
