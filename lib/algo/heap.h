/* heap: the binary heap every byte-pair merge uses (algo/bpe_rank.c for tiktoken-style ranks,
 * formats/hf/models/bpe.c for merge lists, formats/spm/bpe_model.c for scores). One
 * implementation, instantiated per element type so each merge keeps its entries small and
 * compared inline:
 *
 *     TOK_HEAP_DEFINE(merge_heap, merge_e, merge_less)
 *
 * defines merge_heap_push(h, &n, e) and merge_heap_pop(h, &n) over an array h the caller sizes
 * (pushes never exceed it), with less(a, b) a strict order on pointers to elements. */
#ifndef TOK_HEAP_H
#define TOK_HEAP_H

#include <stddef.h>

#define TOK_HEAP_DEFINE(name, T, less)                                                    \
    static inline void name##_push(T *h, size_t *n, T e)                                  \
    {                                                                                     \
        size_t i = (*n)++;                                                                \
        while (i > 0) {                                                                   \
            size_t p = (i - 1) / 2;                                                       \
            if (!less(&e, &h[p]))                                                         \
                break;                                                                    \
            h[i] = h[p];                                                                  \
            i = p;                                                                        \
        }                                                                                 \
        h[i] = e;                                                                         \
    }                                                                                     \
    static inline T name##_pop(T *h, size_t *n)                                           \
    {                                                                                     \
        T top = h[0], last = h[--*n];                                                     \
        size_t i = 0, len = *n;                                                           \
        for (;;) {                                                                        \
            size_t c = 2 * i + 1;                                                         \
            if (c >= len)                                                                 \
                break;                                                                    \
            if (c + 1 < len && less(&h[c + 1], &h[c]))                                    \
                c++;                                                                      \
            if (!less(&h[c], &last))                                                      \
                break;                                                                    \
            h[i] = h[c];                                                                  \
            i = c;                                                                        \
        }                                                                                 \
        if (len)                                                                          \
            h[i] = last;                                                                  \
        return top;                                                                       \
    }

#endif
