/* parallel: run n independent tasks on up to `threads` threads (parallel.c). */
#ifndef TOKSCOPE_PARALLEL_H
#define TOKSCOPE_PARALLEL_H

#include <stddef.h>

/* fn(ctx, i) for every i in [0, n), each once, on at most threads threads (the caller's among
 * them); returns when all are done. Threads that cannot be started leave their share to the
 * others. threads 0 means one per online CPU. */
void parallel_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx);
/* threads 0 made concrete: the online CPUs. */
unsigned parallel_threads(unsigned threads);

#endif
