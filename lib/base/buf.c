/* buf: the library's growable memory -- one doubling step (tok_grow) under the byte buffer,
 * the per-call scratch block and the encode output. */
#include "base/base.h"

#include <string.h>

size_t tok_grow_cap(size_t cap, size_t need, size_t first)
{
    if (need <= cap && cap) /* 0 only means overflow: an empty array still gets `first` */
        return cap;
    size_t c = cap ? cap : (first ? first : 16);
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return 0;
        c *= 2;
    }
    return c;
}

bool tok_realloc(void *arr, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return false;
    void *p; /* arr points to a T *; read and write it as bytes, whatever T is */
    memcpy(&p, arr, sizeof p);
    void *q = realloc(p, n * size > 0 ? n * size : 1);
    if (!q)
        return false;
    memcpy(arr, &q, sizeof q);
    return true;
}

bool tok_grow(void *arr, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return true;
    size_t c = tok_grow_cap(*cap, need, first);
    if (!c || !tok_realloc(arr, c, size))
        return false;
    *cap = c;
    return true;
}

void tok_out_slow(tok_out *o, uint32_t id, uint64_t start, uint64_t end)
{
    if (o->grow && !o->oom) {
        size_t cap = tok_grow_cap(o->cap, o->n + 1, 256);
        if (cap && tok_realloc(&o->ids, cap, sizeof *o->ids) &&
            (!o->want_spans || tok_realloc(&o->spans, cap, sizeof *o->spans))) {
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
