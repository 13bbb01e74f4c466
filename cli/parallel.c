/* parallel: a fixed set of tasks on a few threads. Tasks are taken from an atomic counter, so a
 * thread that drew short ones takes more (files differ wildly in size). */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct pool {
    void (*fn)(void *ctx, size_t i);
    void *ctx;
    size_t n;
    atomic_size_t next;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
        p->fn(p->ctx, i);
    return NULL;
}

unsigned parallel_threads(unsigned threads)
{
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    return threads > 256 ? 256 : threads;
}

void parallel_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    pool p = {fn, ctx, n, 0};
    threads = parallel_threads(threads);
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    pthread_t tids[256];
    unsigned started = 0;
    while (started + 1 < threads && pthread_create(&tids[started], NULL, worker, &p) == 0)
        started++;
    worker(&p);
    for (unsigned k = 0; k < started; k++)
        pthread_join(tids[k], NULL);
}
