/* arena.c -- bump allocation for a compile or a render. Values never need freeing one by one:
 * the arena dies with the render, and a render that allocates past its limit stops with
 * TMPL_ERR_LIMIT instead of growing without bound. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/tmpl_internal.h"

struct arena_chunk {
    arena_chunk *next;
    size_t size;
    max_align_t data[];
};

enum { CHUNK_MIN = 16384 };

void *tp_arena_alloc(arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->cur) < n || !a->cur) {
        size_t size = n > CHUNK_MIN / 2 ? n : CHUNK_MIN;
        if (a->used > CHUNK_MIN * 4 && size < a->used / 4 && n <= a->used / 4)
            size = a->used / 4; /* grow chunks with the arena: few mallocs for big renders */
        if (n > SIZE_MAX / 2 || (a->limit && a->used + size + sizeof(arena_chunk) > a->limit)) {
            if (a->on_fail)
                a->on_fail(a->ud, true);
            return NULL;
        }
        arena_chunk *c = malloc(sizeof *c + size);
        if (!c) {
            if (a->on_fail)
                a->on_fail(a->ud, false);
            return NULL;
        }
        c->next = a->head;
        c->size = size;
        a->head = c;
        a->used += size + sizeof *c;
        a->cur = (char *)c->data;
        a->end = a->cur + size;
    }
    void *p = a->cur;
    a->cur += n;
    return p;
}

void *tp_arena_zalloc(arena *a, size_t n)
{
    void *p = tp_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *tp_arena_strdup(arena *a, const char *s, size_t n)
{
    char *p = tp_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void tp_arena_free(arena *a)
{
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->cur = a->end = NULL;
    a->used = 0;
}

void tp_sb_init(sbuf *b, arena *a)
{
    b->a = a;
    b->p = NULL;
    b->n = b->cap = 0;
}

static void sb_grow(sbuf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + need + 1) {
        if (cap > SIZE_MAX / 4) {
            cap = SIZE_MAX / 2; /* tp_arena_alloc refuses it: a limit error */
            break;
        }
        cap *= 2;
    }
    char *p = tp_arena_alloc(b->a, cap);
    if (!p)
        return;
    if (b->n)
        memcpy(p, b->p, b->n);
    b->p = p;
    b->cap = cap;
}

void tp_sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        sb_grow(b, n);
        if (b->n + n + 1 > b->cap)
            return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void tp_sb_putc(sbuf *b, char c) { tp_sb_put(b, &c, 1); }

void tp_sb_puts(sbuf *b, const char *s) { tp_sb_put(b, s, strlen(s)); }

void tp_sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        tp_sb_put(b, tmp, (size_t)n);
        return;
    }
    char *big = tp_arena_alloc(b->a, (size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tp_sb_put(b, big, (size_t)n);
}
