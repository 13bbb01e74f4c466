/* thread_mem: zeroed memory that belongs to the calling thread and is freed when it ends.
 *
 * tokscope's tokenizers are immutable and shared between threads without locks, so the caches
 * that make them fast (the word cache, the linear encoder's memos, the Unigram model's edges)
 * live with the thread instead of the tokenizer. Each keeps its block in a _Thread_local
 * pointer of its own (a load on every use); this file only hands the blocks out and frees
 * them at thread exit, through one pthread key for all of them. */
#include "base/base.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_BLOCKS 8 /* more kinds of per-thread table than the library has */

typedef struct blocks {
    size_t n;
    void *p[MAX_BLOCKS];
    size_t size[MAX_BLOCKS];
} blocks;

static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool have_key;
static _Thread_local blocks *mine;

static void free_blocks(void *arg)
{
    blocks *b = arg;
    for (size_t i = 0; i < b->n; i++)
        tok_sparse_free(b->p[i], b->size[i]);
    free(b);
}

static void make_key(void) { have_key = pthread_key_create(&key, free_blocks) == 0; }

void *tok_thread_calloc(size_t bytes)
{
    pthread_once(&key_once, make_key);
    if (!have_key) /* a thread other than the main one would leak its blocks: none at all */
        return NULL;
    if (!mine) {
        blocks *b = calloc(1, sizeof *b);
        if (!b || pthread_setspecific(key, b) != 0) {
            free(b);
            return NULL;
        }
        mine = b;
    }
    if (mine->n == MAX_BLOCKS)
        return NULL;
    /* Zero pages until touched, so a thread pays for what it uses: mapped, not calloc'd, since
     * once glibc has raised its mmap threshold (it does whenever a mapped chunk is freed, up to
     * 32 MB) calloc takes a block of megabytes from the heap and clears it, every page. */
    void *p = tok_sparse_alloc(bytes);
    if (p) {
        mine->p[mine->n] = p;
        mine->size[mine->n++] = bytes;
    }
    return p;
}
