/* buf: the library's growable memory -- one doubling step (tok_grow) under the byte buffer,
 * the per-call scratch block and the encode output. */
#include "base/base.h"

#include <string.h>

bool tok_grow(void *arr, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : (first ? first : 16);
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return false;
        c *= 2;
    }
    if (c > SIZE_MAX / size)
        return false;
    void *p; /* arr points to a T *; read and write it as bytes, whatever T is */
    memcpy(&p, arr, sizeof p);
    void *q = realloc(p, c * size);
    if (!q)
        return false;
    memcpy(arr, &q, sizeof q);
    *cap = c;
    return true;
}

void tok_out_slow(tok_out *o, uint32_t id, uint64_t start, uint64_t end)
{
    if (o->grow && !o->oom) {
        size_t cap = o->cap, scap = o->cap;
        if (tok_grow(&o->ids, &cap, o->n + 1, sizeof *o->ids, 256) &&
            (!o->want_spans || tok_grow(&o->spans, &scap, cap, sizeof *o->spans, cap))) {
            o->cap = cap;
            tok_out_push(o, id, start, end);
            return;
        }
        o->oom = true;
    }
    o->n++;
}

bool tok_buf_put(tok_buf *b, const void *p, size_t n)
{
    if (b->oom)
        return false;
    if (!tok_grow(&b->data, &b->cap, b->len + n + 1, 1, 256)) {
        b->oom = true;
        return false;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return true;
}

void tok_buf_free(tok_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void *tok_scratch_get(tok_scratch *s, size_t bytes)
{
    return tok_grow(&s->buf, &s->cap, bytes, 1, 4096) ? s->buf : NULL;
}

void tok_scratch_free(tok_scratch *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}
