/* pack: reading and writing the container of pack.h. */
#include "base/pack.h"

#include <string.h>

#define BOM 0xFEFFu

typedef struct header {
    char magic[14];
    uint16_t version, bom;
    uint32_t format, n;
} header;

_Static_assert(sizeof(header) == TOK_PACK_HEADER_SIZE, "the header's size is part of the format");

static size_t table_end(uint32_t n) { return sizeof(header) + (size_t)n * sizeof(tok_pack_section); }
static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

bool tok_pack_is(const void *data, size_t len)
{
    return len >= sizeof(header) && memcmp(data, TOK_PACK_MAGIC, sizeof TOK_PACK_MAGIC) == 0;
}

tok_status tok_pack_read(const void *data, size_t len, const char *source, tok_pack_view *p,
                         tok_error *err)
{
    header h;
    if (!tok_pack_is(data, len))
        return tok_fail(err, TOK_EFORMAT, source, 0, "%s: not a tokscope pack", source);
    memcpy(&h, data, sizeof h);
    if (h.bom != BOM)
        return tok_fail(err, TOK_EFORMAT, source, 16,
                        "%s: a pack made on a machine of the other byte order; pack the "
                        "tokenizer file again here", source);
    if (h.version != TOK_PACK_VERSION)
        return tok_fail(err, TOK_EFORMAT, source, 14,
                        "%s: pack version %u, this tokscope reads version %u; pack the "
                        "tokenizer file again", source, h.version, TOK_PACK_VERSION);
    if (h.n > TOK_PACK_MAX_SECTIONS || table_end(h.n) > len)
        return tok_fail(err, TOK_EFORMAT, source, 20, "%s: the pack's section table is damaged",
                        source);
    memset(p, 0, sizeof *p);
    p->data = data;
    p->len = len;
    p->format = h.format;
    p->n = h.n;
    memcpy(p->s, (const uint8_t *)data + sizeof h, h.n * sizeof *p->s);
    for (uint32_t i = 0; i < h.n; i++) {
        const tok_pack_section *s = &p->s[i];
        if (s->offset < table_end(h.n) || s->offset % 64 || s->offset > len ||
            s->length > len - s->offset)
            return tok_fail(err, TOK_EFORMAT, source, sizeof h + i * sizeof *s,
                            "%s: section %u of the pack lies outside the file", source, i);
    }
    return TOK_OK;
}

const void *tok_pack_get(const tok_pack_view *p, uint32_t kind, size_t *len)
{
    for (uint32_t i = 0; i < p->n; i++)
        if (p->s[i].kind == kind) {
            *len = (size_t)p->s[i].length;
            return p->data + p->s[i].offset;
        }
    *len = 0;
    return NULL;
}

void tok_pack_writer_init(tok_pack_writer *w, uint32_t format)
{
    memset(w, 0, sizeof *w);
    w->format = format;
}

void tok_pack_add(tok_pack_writer *w, uint32_t kind, const void *p, size_t len)
{
    static const uint8_t zeros[64];
    if (w->failed || w->n == TOK_PACK_MAX_SECTIONS) {
        w->failed = true;
        return;
    }
    w->s[w->n++] = (tok_pack_section){kind, 0, w->data.len, len};
    if (!tok_buf_put(&w->data, p, len) ||
        !tok_buf_put(&w->data, zeros, align64(w->data.len) - w->data.len))
        w->failed = true;
}

bool tok_pack_finish(tok_pack_writer *w, void **out, size_t *len)
{
    size_t start = align64(table_end(w->n)), total = start + w->data.len;
    uint8_t *b = w->failed ? NULL : calloc(1, total);
    if (b) {
        header h = {.version = TOK_PACK_VERSION, .bom = BOM, .format = w->format, .n = w->n};
        memcpy(h.magic, TOK_PACK_MAGIC, sizeof TOK_PACK_MAGIC);
        memcpy(b, &h, sizeof h);
        for (uint32_t i = 0; i < w->n; i++) {
            tok_pack_section s = w->s[i];
            s.offset += start;
            memcpy(b + sizeof h + i * sizeof s, &s, sizeof s);
        }
        if (w->data.len)
            memcpy(b + start, w->data.data, w->data.len);
        *out = b;
        *len = total;
    }
    tok_buf_free(&w->data);
    return b != NULL;
}
