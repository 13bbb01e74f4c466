/* bigmem: large zero-filled blocks on transparent huge pages, and sparse ones.
 *
 * Loading a tokenizer.json fills tens of megabytes of fresh memory (parsed JSON, token tables,
 * merges); with 4 KB pages the first touches cost more than the parsing on some machines (a
 * 9 MB file took 160 ms cold, 66 ms warm). Blocks of 2 MB or more are mapped 2 MB aligned and
 * marked MADV_HUGEPAGE, so the kernel backs them with 2 MB pages where it can; smaller ones come
 * from malloc. Free with tok_big_free and the same size.
 *
 * A sparse block is the opposite: zero pages that become memory only where they are written
 * (tok_sparse_alloc), for a table indexed by position of which a pass writes a few entries --
 * the backtracking encoder's dead positions over a piece of megabytes, read at every position
 * (reads of an untouched page map the kernel's shared zero page) and set at a few. Small pages,
 * so one write commits 4 KB, not 2 MB.
 *
 * Huge pages are Linux's: elsewhere (WebAssembly, whose mmap cannot unmap part of a mapping,
 * which the alignment below does) every block comes from calloc. */
#include "base/base.h"

#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

/* Whether a block of size bytes is mapped on huge pages (else it comes from calloc). */
static bool huge(size_t size)
{
#if defined(__linux__)
    return size >= HUGE_PAGE;
#else
    (void)size;
    return false;
#endif
}

void *tok_big_alloc(size_t size)
{
    if (!huge(size))
        return calloc(1, size ? size : 1);
    size_t len = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uint8_t *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* keep the 2 MB aligned part, return the rest */
    uint8_t *a = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    size_t tail = (size_t)(p + len + HUGE_PAGE - (a + len));
    if (tail)
        munmap(a + len, tail);
#ifdef MADV_HUGEPAGE
    madvise(a, len, MADV_HUGEPAGE);
#endif
    return a;
}

void tok_big_free(void *p, size_t size)
{
    if (!p)
        return;
    if (!huge(size)) {
        free(p);
        return;
    }
    munmap(p, (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
}

/* Below this a sparse block comes from calloc: a mapping of its own would cost more than the
 * few pages it could leave untouched. */
#define SPARSE_MIN ((size_t)64 * 1024)

void *tok_sparse_alloc(size_t size)
{
#if defined(__linux__)
    if (size >= SPARSE_MIN) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
#ifdef MADV_NOHUGEPAGE
        madvise(p, size, MADV_NOHUGEPAGE);
#endif
        return p;
    }
#endif
    return calloc(1, size ? size : 1);
}

void tok_sparse_free(void *p, size_t size)
{
    if (!p)
        return;
#if defined(__linux__)
    if (size >= SPARSE_MIN) {
        munmap(p, size);
        return;
    }
#endif
    free(p);
}
