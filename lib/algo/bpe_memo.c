/* bpe_memo: per-thread caches of the linear encoder: its pair checks, and its trie walks over
 * three-byte characters.
 *
 * tok_bpe_valid_pair walks two merge trees down to single bytes: hundreds of instructions on a
 * run of one character, where the same pair is asked about at every token. The answer depends
 * only on the vocabulary and the pair, so it can be kept; quicktok keeps one such table per
 * vocabulary, written by every thread. tokscope's tokenizers are shared by threads without
 * locks, so the table lives with the thread instead (base/thread_mem.c): owned by one
 * vocabulary (its uid) at a time and cleared when the thread turns to another, freed when the
 * thread ends. Ids have at most 21 bits (bpe_tables.c).
 *
 * A trie walk costs a cache miss per byte (the trie is a hash table of several megabytes), so
 * the first character of every token of Chinese or Japanese text cost three. quicktok resolves
 * a three-byte character with one direct lookup; r3 does the same, filled as characters are
 * met (a 512 KB table, of which a text touches the pages of its scripts), and step does it for
 * the characters after the first, from the node the walk is at (1 MB, direct-mapped).
 *
 * Nothing is cleared when the thread turns to another vocabulary: every entry carries the
 * generation it was written in (2 MB of pair answers would otherwise be cleared at each turn,
 * which `compare` of several tokenizers makes on every document). */
#include "algo/algo.h"

#include <string.h>

typedef tok_bpe_thread_memo memo;

_Thread_local memo *tok_bpe_memo_table;

tok_bpe_thread_memo *tok_bpe_memo(const tok_vocab *v)
{
    memo *m = tok_bpe_memo_table;
    if (!m) {
        m = tok_thread_calloc(sizeof *m); /* zero pages until touched */
        if (!m)
            return NULL; /* no memory: check every pair, walk every byte */
        tok_bpe_memo_table = m;
    }
    if (m->owner != v->uid || m->gen == 0) {
        m->owner = v->uid;
        if (++m->gen == 2048) { /* the generations wrapped: clear for real */
            memset(m->pairs, 0, sizeof m->pairs);
            memset(m->r3, 0, sizeof m->r3);
            memset(m->step, 0, sizeof m->step);
            memset(m->piece, 0, sizeof m->piece);
            memset(m->b2, 0, sizeof m->b2);
            m->gen = 1;
        }
    }
    return m;
}
