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

static void flush_bytes(tok_buf *buf, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = tok_spm_valid_char(b + i, n - i);
        if (k) {
            tok_buf_put(buf, b + i, k);
            i += k;
        } else {
            tok_buf_put(buf, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
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

tok_status spm_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                      tok_buf *buf, tok_error *err)
{
    const spm_model *m = t->impl;
    size_t start = buf->len;
    tok_buf bytes = {0};
    bool is_bos_ws = true, bos_ws_seen = false;
    for (size_t i = 0; i < n; i++) {
        if ((flags & TOK_DECODE_SKIP_SPECIAL) && tok_is_special(t, ids[i]))
            continue;
        uint32_t id = m->canon ? m->canon[ids[i]] : ids[i];
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
            tok_buf_put(&bytes, &c, 1);
            continue;
        }
        flush_bytes(buf, bytes.data, bytes.len);
        bytes.len = 0;
        if (bos_ws_seen || buf->len > start)
            is_bos_ws = false;
        bos_ws_seen = false;
        if (ty == SPM_CONTROL)
            continue;
        if (ty == SPM_UNKNOWN) {
            tok_buf_put(buf, m->unk_surface, m->unk_surface_len);
            continue;
        }
        const char *pc;
        size_t pl;
        if (tok_token_bytes(t, id, &pc, &pl) != TOK_OK)
            continue;
        const uint8_t *p = (const uint8_t *)pc;
        if (is_bos_ws && (m->add_dummy_prefix || m->remove_extra_ws) && pl >= 3 &&
            memcmp(p, k_space, 3) == 0) {
            p += 3;
            pl -= 3;
            bos_ws_seen = !m->remove_extra_ws;
        }
        put_piece(buf, p, pl);
    }
    flush_bytes(buf, bytes.data, bytes.len);
    bool oom = bytes.oom;
    tok_buf_free(&bytes);
    if (oom)
        buf->oom = true;
    if (m->has_denorm && !buf->oom) {
        if (m->denorm_broken) {
            buf->len = start;
        } else {
            tok_norm_out no = {0};
            const uint8_t *text = buf->data ? buf->data + start : (const uint8_t *)"";
            if (!tok_spm_normalize(&m->denorm, text, buf->len - start, &no)) {
                tok_norm_out_free(&no);
                return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
            }
            buf->len = start;
            tok_buf_put(buf, no.text, no.len);
            tok_norm_out_free(&no);
        }
        if (buf->data)
            buf->data[buf->len] = 0;
    }
    return TOK_OK;
}
