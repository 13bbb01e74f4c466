/* bpe_word_cache: a per-thread cache of BPE results for short words.
 *
 * HF keeps a cache of word -> tokens inside the model, behind a lock. tokscope's tokenizers are
 * immutable and shared between threads without locks, so the cache lives with the thread
 * instead: one direct-mapped table per thread, allocated on first use and freed when the thread
 * ends. Entries are tagged with the model's cache id, a number never given out twice, so a
 * tokenizer closed and another opened at the same address cannot see the old one's entries. */
#include "formats/hf/hf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096 /* about 500 KB a thread: enough for the common words of a language */

static _Thread_local hf_wc_entry *table;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t next_id = 1;

static void make_key(void)
{
    /* the destructor frees a thread's table when the thread exits; if the key cannot be
     * made, threads other than the main one would leak, so then no thread gets a table */
    if (pthread_key_create(&key, free) != 0)
        atomic_store(&next_id, 0);
}

uint64_t hf_wc_new_model_id(void)
{
    pthread_once(&key_once, make_key);
    uint64_t id = atomic_load(&next_id);
    if (id == 0)
        return 0; /* no key: no cache */
    return atomic_fetch_add(&next_id, 1);
}

/* The calling thread's slot for a word hash; NULL when the thread has no table (no memory). */
static hf_wc_entry *slot_for(uint64_t hash)
{
    if (!table) {
        hf_wc_entry *t = calloc(SLOTS, sizeof *t);
        if (!t || pthread_setspecific(key, t) != 0) {
            free(t);
            return NULL; /* out of memory: tokenize without the cache */
        }
        table = t;
    }
    return &table[hash & (SLOTS - 1)];
}

const hf_wc_entry *hf_wc_find(uint64_t model, const uint8_t *w, size_t n, hf_wc_entry **slot)
{
    *slot = NULL;
    if (!model || n > HF_WC_WORD)
        return NULL;
    uint64_t h = tok_hash_bytes(w, n);
    hf_wc_entry *e = slot_for(h);
    if (!e)
        return NULL;
    if (e->model == model && e->hash == h && e->len == n && !memcmp(e->word, w, n))
        return e;
    e->hash = h; /* kept for the store that follows the miss */
    e->model = 0;
    *slot = e;
    return NULL;
}

void hf_wc_store(hf_wc_entry *e, uint64_t model, const uint8_t *w, size_t n, size_t k,
                 const uint32_t *ids, const uint32_t *start, const uint32_t *end, uint32_t base)
{
    if (!e || k > HF_WC_IDS)
        return;
    e->len = (uint8_t)n;
    e->n = (uint8_t)k;
    memcpy(e->word, w, n);
    for (size_t j = 0; j < k; j++) {
        e->ids[j] = ids[j];
        e->start[j] = (uint8_t)(start[j] - base);
        e->end[j] = (uint8_t)(end[j] - base);
    }
    e->model = model;
}
