/* bpe_memo: a per-thread cache of the linear encoder's pair checks.
 *
 * tok_bpe_valid_pair walks two merge trees down to single bytes: hundreds of instructions on a
 * run of one character, where the same pair is asked about at every token. The answer depends
 * only on the vocabulary and the pair, so it can be kept; quicktok keeps one such table per
 * vocabulary, written by every thread. tokscope's tokenizers are shared by threads without
 * locks, so the table lives with the thread instead (as the word cache does,
 * word_cache.c): TOK_BPE_MEMO words, owned by one vocabulary (its uid)
 * at a time and cleared when the thread turns to another, freed when the thread ends.
 * A slot holds ((a << 21 | b) + 1) << 1 | answer; ids have at most 21 bits (bpe_tables.c). */
#include "algo/algo.h"

#include <pthread.h>

typedef struct memo {
    uint64_t owner;
    uint64_t slots[TOK_BPE_MEMO];
} memo;

static _Thread_local memo *table;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool have_key;

static void make_key(void) { have_key = pthread_key_create(&key, free) == 0; }

uint64_t *tok_bpe_memo(const tok_vocab *v)
{
    if (!table) {
        pthread_once(&key_once, make_key);
        memo *m = have_key ? malloc(sizeof *m) : NULL;
        if (!m || pthread_setspecific(key, m) != 0) {
            free(m);
            return NULL; /* no memory (or no key): check every pair */
        }
        m->owner = 0;
        table = m;
    }
    if (table->owner != v->uid) {
        memset(table->slots, 0, sizeof table->slots);
        table->owner = v->uid;
    }
    return table->slots;
}
