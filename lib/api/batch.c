/* batch: many texts on several threads. The tokenizer is immutable, so workers share it with
 * no locking; they take the next item from an atomic counter (items vary wildly in size, so
 * static partitioning would leave threads idle) and write only their own result slots.
 *
 * Memory: each worker encodes into its own growing arrays and scratch block, kept for all its
 * items (they grow to the largest item and stay), and hands each result out in one allocation
 * of exactly its size -- not arrays doubling from 256 ids per item, which with glibc's heap
 * trimming between items cost more than the encoding on a thread of its own. */
#include "api/api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

typedef struct batch_job {
    const tok_tokenizer *t;
    const tok_text *texts;
    size_t n;
    const tok_encode_options *opts;
    int want_spans;
    tok_batch_item *results;
    atomic_size_t next;
} batch_job;

/* Item i, through the worker's arrays o and scratch sc. */
static void encode_item(batch_job *job, size_t i, tok_out *o, tok_scratch *sc)
{
    tok_batch_item *r = &job->results[i];
    o->n = 0;
    o->oom = false;
    r->status = tok_encode_with(job->t, (const uint8_t *)job->texts[i].text, job->texts[i].len,
                                job->opts, o, sc, NULL);
    if (r->status != TOK_OK)
        return;
    size_t k = o->n ? o->n : 1; /* an empty result still gets valid pointers */
    r->ids = malloc(k * sizeof *r->ids);
    r->spans = job->want_spans ? malloc(k * sizeof *r->spans) : NULL;
    if (!r->ids || (job->want_spans && !r->spans)) {
        free(r->ids), free(r->spans);
        r->ids = NULL, r->spans = NULL;
        r->status = TOK_ENOMEM;
        return;
    }
    if (o->n)
        memcpy(r->ids, o->ids, o->n * sizeof *r->ids);
    if (o->n && r->spans)
        memcpy(r->spans, o->spans, o->n * sizeof *r->spans);
    r->n = o->n;
}

static void *worker(void *arg)
{
    batch_job *job = arg;
    tok_out o = {.grow = true, .want_spans = job->want_spans != 0};
    tok_scratch sc = {0};
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n)
            break;
        encode_item(job, i, &o, &sc);
    }
    free(o.ids);
    free(o.spans);
    tok_scratch_free(&sc);
    return NULL;
}

tok_status tok_encode_batch(const tok_tokenizer *t, const tok_text *texts, size_t n,
                            const tok_encode_options *opts, int want_spans, unsigned threads,
                            tok_batch_item *results, tok_error *err)
{
    if (!t || (!texts && n) || (!results && n))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_encode_batch");
    memset(results, 0, n * sizeof *results);
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    if (threads > 256)
        threads = 256;
    batch_job job = {t, texts, n, opts, want_spans, results, 0};
    pthread_t tids[256];
    unsigned started = 0;
    for (unsigned k = 1; k < threads; k++) {
        if (pthread_create(&tids[started], NULL, worker, &job) != 0)
            break; /* fewer threads is still correct */
        started++;
    }
    worker(&job);
    for (unsigned k = 0; k < started; k++)
        pthread_join(tids[k], NULL);
    for (size_t i = 0; i < n; i++) {
        if (results[i].status == TOK_OK)
            continue;
        /* the first failure by index: encode it once more to describe it */
        tok_status st = tok_encode_alloc(t, texts[i].text, texts[i].len, opts, &results[i].ids,
                                         NULL, &results[i].n, err);
        if (err) {
            err->index = (uint32_t)i;
            size_t len = strlen(err->message);
            snprintf(err->message + len, sizeof err->message - len, " (batch item %zu)", i);
        }
        return st != TOK_OK ? st : results[i].status;
    }
    return TOK_OK;
}

void tok_batch_free(tok_batch_item *results, size_t n)
{
    for (size_t i = 0; results && i < n; i++) {
        free(results[i].ids);
        free(results[i].spans);
        results[i].ids = NULL;
        results[i].spans = NULL;
    }
}
