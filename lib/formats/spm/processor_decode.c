/* processor_decode: ids -> text as sentencepiece's Decode (sentencepiece_processor.cc).
 *
 * Each id is looked up again by its piece's text (as sentencepiece turns ids into pieces and
 * pieces into ids); CONTROL pieces give nothing, the unknown piece gives unk_surface (" \u2047 "
 * unless the model says otherwise), other pieces their text with U+2581 as a space. While
 * nothing has been output, one leading U+2581 is dropped from each piece when the model adds a
 * dummy prefix or removes extra whitespace (after the first such drop only when it keeps
 * extra whitespace). Runs of <0xXX> byte pieces are reassembled into UTF-8, each byte that does
 * not fit a valid character becoming U+FFFD. Last, the denormalizer's rules, if any. */
#include "formats/spm/spm.h"

#include <string.h>

static const uint8_t k_space[3] = {0xE2, 0x96, 0x81};

/* The bytes of a <0xXX> run from b[*at..n) into buf, one character at a time: valid characters
 * as they are, a byte that starts none as U+FFFD. Unless final, stop before a character that
 * more bytes could still complete (its lead byte announces more than are there). */
static void flush_bytes(tok_buf *buf, const uint8_t *b, size_t n, size_t *at, bool final)
{
    size_t i = *at;
    while (i < n) {
        uint8_t c = b[i];
        size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (!final && n - i < need)
            break;
        size_t k = tok_spm_valid_char(b + i, n - i);
        if (k) {
            tok_buf_put(buf, b + i, k);
            i += k;
        } else {
            tok_buf_put(buf, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    *at = i;
}

/* piece with U+2581 -> ' ' */
static void put_piece(tok_buf *buf, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const uint8_t *q = memchr(p + i, 0xE2, n - i);
        size_t j = q ? (size_t)(q - p) : n;
        tok_buf_put(buf, p + i, j - i);
        if (j + 3 <= n && memcmp(p + j, k_space, 3) == 0) {
            tok_buf_put(buf, " ", 1);
            i = j + 3;
        } else if (j < n) {
            tok_buf_put(buf, p + j, 1);
            i = j + 1;
        } else {
            i = j;
        }
    }
}

/* The decoder's state: Decode is a left-to-right pass, so the batch decode and the stream
 * (tok_stream_ops) are the same machine -- spm_decode feeds it all ids at once. */
typedef struct spm_dec {
    unsigned flags;
    tok_buf bytes;        /* the current <0xXX> run; bytes.data[0..done) are output */
    size_t done;
    bool is_bos_ws, bos_ws_seen;
    bool any;             /* text has been output */
    tok_buf held;         /* with denormalization rules: all text, until the end */
} spm_dec;

static void dec_start(spm_dec *d, unsigned flags)
{
    d->flags = flags;
    d->bytes.len = 0;
    d->done = 0;
    d->is_bos_ws = true;
    d->bos_ws_seen = false;
    d->any = false;
    d->held.len = 0;
}

static void dec_id(const tok_tokenizer *t, const spm_model *m, spm_dec *d, uint32_t id0,
                   tok_buf *buf)
{
    if ((d->flags & TOK_DECODE_SKIP_SPECIAL) && tok_is_special(t, id0))
        return;
    tok_buf *out = m->has_denorm ? &d->held : buf;
    size_t before = out->len;
    uint32_t id = m->canon ? m->canon[id0] : id0;
    uint8_t ty = m->ptype[id];
    if (ty == SPM_BYTE) {
        const char *p;
        size_t pl;
        tok_token_bytes(t, id, &p, &pl);
        /* <0xXX>: the byte is in the piece's text */
        unsigned v = 0;
        for (int k = 3; k < 5; k++)
            v = v * 16 + (unsigned)(p[k] <= '9' ? p[k] - '0' : p[k] - 'A' + 10);
        uint8_t c = (uint8_t)v;
        tok_buf_put(&d->bytes, &c, 1);
        flush_bytes(out, d->bytes.data, d->bytes.len, &d->done, false);
        d->any |= out->len > before;
        return;
    }
    flush_bytes(out, d->bytes.data, d->bytes.len, &d->done, true);
    d->bytes.len = d->done = 0;
    d->any |= out->len > before;
    if (d->bos_ws_seen || d->any)
        d->is_bos_ws = false;
    d->bos_ws_seen = false;
    if (ty == SPM_CONTROL)
        return;
    if (ty == SPM_UNKNOWN) {
        tok_buf_put(out, m->unk_surface, m->unk_surface_len);
    } else {
        const char *pc;
        size_t pl;
        if (tok_token_bytes(t, id, &pc, &pl) != TOK_OK)
            return;
        const uint8_t *p = (const uint8_t *)pc;
        if (d->is_bos_ws && (m->add_dummy_prefix || m->remove_extra_ws) && pl >= 3 &&
            memcmp(p, k_space, 3) == 0) {
            p += 3;
            pl -= 3;
            d->bos_ws_seen = !m->remove_extra_ws;
        }
        put_piece(out, p, pl);
    }
    d->any |= out->len > before;
}

/* The end: the rest of a byte run; with denormalization rules, the whole text through them. */
static bool dec_end(const spm_model *m, spm_dec *d, tok_buf *buf)
{
    tok_buf *out = m->has_denorm ? &d->held : buf;
    flush_bytes(out, d->bytes.data, d->bytes.len, &d->done, true);
    bool ok = !d->bytes.oom && !out->oom;
    if (ok && m->has_denorm && !m->denorm_broken) {
        tok_norm_out no = {0};
        const uint8_t *text = d->held.data ? d->held.data : (const uint8_t *)"";
        ok = tok_spm_normalize(&m->denorm, text, d->held.len, &no) &&
             tok_buf_put(buf, no.text, no.len);
        tok_norm_out_free(&no);
    }
    dec_start(d, d->flags);
    return ok && !buf->oom;
}

static void dec_free(spm_dec *d)
{
    tok_buf_free(&d->bytes);
    tok_buf_free(&d->held);
}

tok_status spm_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                      tok_buf *buf, tok_error *err)
{
    const spm_model *m = t->impl;
    spm_dec d = {0};
    dec_start(&d, flags);
    for (size_t i = 0; i < n; i++)
        dec_id(t, m, &d, ids[i], buf);
    bool ok = dec_end(m, &d, buf);
    dec_free(&d);
    if (!ok)
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    return TOK_OK;
}

/* ---- the stream ---- */

static void *stream_new(const tok_tokenizer *t, unsigned flags)
{
    spm_dec *d = calloc(1, sizeof *d);
    if (d)
        dec_start(d, flags);
    return d;
}

static bool stream_id_ok(const tok_tokenizer *t, uint32_t id) { return true; }

static bool stream_push(const tok_tokenizer *t, void *st, const uint32_t *ids, size_t n,
                        tok_buf *buf)
{
    spm_dec *d = st;
    for (size_t i = 0; i < n; i++)
        dec_id(t, t->impl, d, ids[i], buf);
    return !buf->oom && !d->bytes.oom && !d->held.oom;
}

static bool stream_end(const tok_tokenizer *t, void *st, tok_buf *buf)
{
    return dec_end(t->impl, st, buf);
}

static void stream_reset(void *st)
{
    spm_dec *d = st;
    d->bytes.oom = d->held.oom = false;
    dec_start(d, d->flags);
}

static void stream_free(void *st)
{
    if (st)
        dec_free(st);
    free(st);
}

const tok_stream_ops spm_stream_ops = {stream_new, stream_id_ok, stream_push, stream_end,
                                       stream_reset, stream_free};
