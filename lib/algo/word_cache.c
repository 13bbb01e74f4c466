/* word_cache: a per-thread cache of BPE results for short words and pieces.
 *
 * HF keeps a cache of word -> tokens inside the model, behind a lock; tiktoken none. tokscope's
 * tokenizers are immutable and shared between threads without locks, so the cache lives with
 * the thread instead: one direct-mapped table per thread, allocated on first use and freed when
 * the thread ends. Entries are tagged with their owner's id -- a vocabulary uid (the rank-BPE
 * core) or a model's cache id (HF's BPE), drawn from one counter and never given out twice --
 * so a tokenizer closed and another opened at the same address cannot see the old one's
 * entries. On English prose about 8% of pieces are not one token, and most of those recur: a
 * hit costs a compare and a copy where BPE costs over a thousand instructions. */
#include "algo/word_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096 /* about 500 KB a thread: enough for the common words of a language */

static _Thread_local tok_wc_entry *table;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool have_key;

/* the destructor frees a thread's table when the thread exits; if the key cannot be made,
 * threads other than the main one would leak, so then no thread gets a table */
static void make_key(void) { have_key = pthread_key_create(&key, free) == 0; }

uint64_t tok_wc_new_id(void)
{
    pthread_once(&key_once, make_key);
    return have_key ? tok_vocab_new_uid() : 0;
}

/* The calling thread's slot for a word hash; NULL when the thread has no table (no memory). */
static tok_wc_entry *slot_for(uint64_t hash)
{
    if (!table) {
        pthread_once(&key_once, make_key);
        tok_wc_entry *t = have_key ? calloc(SLOTS, sizeof *t) : NULL;
        if (!t || pthread_setspecific(key, t) != 0) {
            free(t);
            return NULL; /* out of memory: tokenize without the cache */
        }
        table = t;
    }
    return &table[hash & (SLOTS - 1)];
}

const tok_wc_entry *tok_wc_find_hashed(uint64_t owner, uint64_t h, const uint8_t *w, size_t n,
                                       tok_wc_entry **slot)
{
    *slot = NULL;
    if (!owner || n > TOK_WC_WORD)
        return NULL;
    tok_wc_entry *e = slot_for(h);
    if (!e)
        return NULL;
    if (e->owner == owner && e->hash == h && e->len == n && tok_bytes_equal(e->word, w, n))
        return e;
    e->hash = h; /* kept for the store that follows the miss */
    e->owner = 0;
    *slot = e;
    return NULL;
}

void tok_wc_store(tok_wc_entry *e, uint64_t owner, const uint8_t *w, size_t n, size_t k,
                  const uint32_t *ids, const uint32_t *start, const uint32_t *end, uint32_t base)
{
    if (!e || k > TOK_WC_IDS)
        return;
    e->len = (uint8_t)n;
    e->n = (uint8_t)k;
    memcpy(e->word, w, n);
    for (size_t j = 0; j < k; j++) {
        e->ids[j] = ids[j];
        e->start[j] = (uint8_t)(start[j] - base);
        e->end[j] = (uint8_t)(end[j] - base);
    }
    e->owner = owner;
}
