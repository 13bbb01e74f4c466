/* vocab: building, packing and viewing token tables (see vocab.h for the layout). */
#include "vocab/vocab.h"

#include <string.h>

#include <stdatomic.h>
#include <stdlib.h>

#define BLOB_MAGIC "TOKVOC04"

/* Packed blob: header, then off[n_ids + 1], slots[1 << hash_bits], pair2[65536], byte1[256],
 * bytes[bytes_len], and when has_bpe: split[2 n_ids], next_prefix[n_ids], trie[1 << trie_bits],
 * pairs[1 << pair_bits], anom[n_anom] and, when n_anom, anom_heads[8192];
 * every array starts 8-byte aligned. */
typedef struct blob_header {
    char magic[8];
    uint32_t n_ids, n_tokens, hash_bits, id_bits, bytes_len, has_bpe, trie_bits, pair_bits;
    uint32_t n_anom, reserved;
} blob_header;

static atomic_uint_fast64_t next_uid = 1;

uint64_t tok_vocab_new_uid(void) { return atomic_fetch_add(&next_uid, 1); }

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

typedef struct layout {
    size_t off, slots, pair2, byte1, bytes, split, prefix, trie, pairs, anom, heads, total;
} layout;

static layout layout_of(uint32_t n_ids, uint32_t hash_bits, size_t bytes_len, bool bpe,
                        uint32_t trie_bits, uint32_t pair_bits, uint32_t n_anom)
{
    layout l;
    l.off = align8(sizeof(blob_header));
    l.slots = align8(l.off + ((size_t)n_ids + 1) * 4);
    l.pair2 = align8(l.slots + ((size_t)1 << hash_bits) * 4);
    l.byte1 = l.pair2 + 65536 * 4;
    l.bytes = l.byte1 + 256 * 4;
    l.total = align8(l.bytes + bytes_len);
    l.split = l.prefix = l.trie = l.pairs = l.anom = l.heads = 0;
    if (bpe) {
        l.split = l.total;
        l.prefix = align8(l.split + (size_t)n_ids * 8);
        l.trie = align8(l.prefix + (size_t)n_ids * 4);
        l.pairs = l.trie + ((size_t)1 << trie_bits) * 8;
        l.anom = l.pairs + ((size_t)1 << pair_bits) * 8;
        l.heads = align8(l.anom + (size_t)n_anom * 4);
        l.total = l.heads + (n_anom ? 65536 / 8 : 0);
    }
    return l;
}

static void point_into(tok_vocab *v, uint8_t *base, const layout *l)
{
    v->off = (const uint32_t *)(base + l->off);
    v->slots = (const uint32_t *)(base + l->slots);
    v->pair2 = (const uint32_t *)(base + l->pair2);
    v->byte1 = (const uint32_t *)(base + l->byte1);
    v->bytes = base + l->bytes;
}

int tok_vocab_build(tok_vocab *v, size_t n, const uint8_t *const *toks, const uint32_t *lens,
                    const uint32_t *ids, size_t *dup)
{
    return tok_vocab_build_ex(v, n, toks, lens, ids, NULL, dup);
}

int tok_vocab_build_ex(tok_vocab *v, size_t n, const uint8_t *const *toks, const uint32_t *lens,
                       const uint32_t *ids, const uint8_t *noindex, size_t *dup)
{
    memset(v, 0, sizeof *v);
    uint32_t n_ids = 0;
    size_t bytes_len = 0, top = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= n_ids) {
            n_ids = ids[i] + 1;
            top = i;
        }
        bytes_len += lens[i];
    }
    /* Tables are indexed by id: memory follows the largest id, so a file may not claim ids
     * far beyond the tokens it holds (one token with id 2^28 would cost gigabytes). */
    if (n_ids > n + TOK_VOCAB_MAX_GAP) {
        *dup = top;
        return -3;
    }
    uint32_t hash_bits = 4, id_bits = 1;
    while (((size_t)1 << hash_bits) < 2 * n)
        hash_bits++;
    while (((uint64_t)1 << id_bits) <= n_ids)
        id_bits++;
    if (id_bits > 28 || bytes_len >= UINT32_MAX)
        return -2; /* leaves fewer than 4 tag bits: no real vocabulary is that large */

    layout l = layout_of(n_ids, hash_bits, bytes_len, false, 0, 0, 0);
    uint8_t *base = tok_big_alloc(l.total);
    if (!base)
        return -2;
    blob_header *hd = (blob_header *)base;
    memcpy(hd->magic, BLOB_MAGIC, 8);
    hd->n_ids = n_ids;
    hd->n_tokens = (uint32_t)n;
    hd->hash_bits = hash_bits;
    hd->id_bits = id_bits;
    hd->bytes_len = (uint32_t)bytes_len;

    uint32_t *off = (uint32_t *)(base + l.off);
    uint32_t *slots = (uint32_t *)(base + l.slots);
    uint32_t *pair2 = (uint32_t *)(base + l.pair2);
    uint32_t *byte1 = (uint32_t *)(base + l.byte1);
    uint8_t *bytes = base + l.bytes;

    /* Lengths per id first (to lay the bytes out in id order), detecting ids used twice. */
    uint32_t *len_of = calloc((size_t)n_ids + 1, sizeof *len_of);
    const uint8_t **src_of = calloc((size_t)n_ids + 1, sizeof *src_of);
    uint8_t *skip = noindex ? calloc((size_t)n_ids + 1, 1) : NULL;
    if (!len_of || !src_of || (noindex && !skip)) {
        free(len_of), free(src_of), free(skip);
        tok_big_free(base, l.total);
        return -2;
    }
    for (size_t i = 0; i < n; i++) {
        if (src_of[ids[i]] || lens[i] == 0) {
            *dup = i;
            free(len_of), free(src_of), free(skip);
            tok_big_free(base, l.total);
            return -1;
        }
        src_of[ids[i]] = toks[i];
        len_of[ids[i]] = lens[i];
        if (noindex && noindex[i])
            skip[ids[i]] = 1;
    }
    uint32_t pos = 0;
    for (uint32_t id = 0; id < n_ids; id++) {
        off[id] = pos;
        if (len_of[id])
            memcpy(bytes + pos, src_of[id], len_of[id]);
        pos += len_of[id];
    }
    off[n_ids] = pos;
    free(len_of);
    free(src_of);

    for (size_t i = 0; i < ((size_t)1 << hash_bits); i++)
        slots[i] = TOK_VOCAB_EMPTY_SLOT;
    for (size_t i = 0; i < 65536; i++)
        pair2[i] = TOK_NO_ID;
    for (size_t i = 0; i < 256; i++)
        byte1[i] = TOK_NO_ID;

    v->n_ids = n_ids;
    v->n_tokens = (uint32_t)n;
    v->hash_bits = hash_bits;
    v->id_bits = id_bits;
    v->uid = tok_vocab_new_uid();
    point_into(v, base, &l);
    v->heap = base;
    v->heap_size = l.total;

    uint32_t mask = (1u << hash_bits) - 1, idmask = (uint32_t)((1ull << id_bits) - 1);
    for (uint32_t id = 0; id < n_ids; id++) {
        uint32_t len = off[id + 1] - off[id];
        if (!len || (skip && skip[id]))
            continue;
        const uint8_t *p = bytes + off[id];
        if (tok_vocab_find(v, p, len) != TOK_NO_ID) {
            for (size_t i = 0; i < n; i++)
                if (ids[i] == id)
                    *dup = i;
            free(skip);
            tok_vocab_free(v);
            return -1;
        }
        uint64_t h = tok_hash_bytes(p, len);
        uint32_t i = (uint32_t)h & mask;
        while (slots[i] != TOK_VOCAB_EMPTY_SLOT)
            i = (i + 1) & mask;
        slots[i] = ((uint32_t)(h >> 32) & ~idmask) | id;
        if (len == 1)
            byte1[p[0]] = id;
        else if (len == 2)
            pair2[(uint32_t)p[0] << 8 | p[1]] = id;
    }
    free(skip);
    return 0;
}

void tok_vocab_free(tok_vocab *v)
{
    if (!v)
        return;
    tok_big_free(v->heap, v->heap_size);
    free(v->heap_bpe);
    v->heap = v->heap_bpe = NULL;
}

int tok_vocab_pack(const tok_vocab *v, void **blob, size_t *len)
{
    size_t bytes_len = v->off[v->n_ids];
    bool bpe = v->split != NULL;
    layout l = layout_of(v->n_ids, v->hash_bits, bytes_len, bpe, v->trie_bits, v->pair_bits,
                         bpe ? v->n_anom : 0);
    uint8_t *base = calloc(1, l.total);
    if (!base)
        return -2;
    blob_header *hd = (blob_header *)base;
    memcpy(hd->magic, BLOB_MAGIC, 8);
    hd->n_ids = v->n_ids;
    hd->n_tokens = v->n_tokens;
    hd->hash_bits = v->hash_bits;
    hd->id_bits = v->id_bits;
    hd->bytes_len = (uint32_t)bytes_len;
    hd->has_bpe = bpe;
    hd->trie_bits = v->trie_bits;
    hd->pair_bits = v->pair_bits;
    if (bpe) {
        hd->n_anom = v->n_anom;
        memcpy(base + l.split, v->split, (size_t)v->n_ids * 8);
        memcpy(base + l.prefix, v->next_prefix, (size_t)v->n_ids * 4);
        memcpy(base + l.trie, v->trie, ((size_t)1 << v->trie_bits) * 8);
        memcpy(base + l.pairs, v->pairs, ((size_t)1 << v->pair_bits) * 8);
        if (v->n_anom) {
            memcpy(base + l.anom, v->anom, (size_t)v->n_anom * 4);
            memcpy(base + l.heads, v->anom_heads, 65536 / 8);
        }
    }
    memcpy(base + l.off, v->off, ((size_t)v->n_ids + 1) * 4);
    memcpy(base + l.slots, v->slots, ((size_t)1 << v->hash_bits) * 4);
    memcpy(base + l.pair2, v->pair2, 65536 * 4);
    memcpy(base + l.byte1, v->byte1, 256 * 4);
    memcpy(base + l.bytes, v->bytes, bytes_len);
    *blob = base;
    *len = l.total;
    return 0;
}

int tok_vocab_view(tok_vocab *v, const void *blob, size_t len)
{
    const blob_header *hd = blob;
    if (len < sizeof *hd || memcmp(hd->magic, BLOB_MAGIC, 8) != 0 || hd->hash_bits > 31 ||
        hd->trie_bits > 31 || hd->pair_bits > 31 || (hd->has_bpe && hd->n_anom > hd->n_ids))
        return -1;
    layout l = layout_of(hd->n_ids, hd->hash_bits, hd->bytes_len, hd->has_bpe, hd->trie_bits,
                         hd->pair_bits, hd->has_bpe ? hd->n_anom : 0);
    if (l.total > len)
        return -1;
    memset(v, 0, sizeof *v);
    v->uid = tok_vocab_new_uid();
    v->n_ids = hd->n_ids;
    v->n_tokens = hd->n_tokens;
    v->hash_bits = hd->hash_bits;
    v->id_bits = hd->id_bits;
    uint8_t *base = (uint8_t *)(uintptr_t)blob;
    point_into(v, base, &l);
    if (hd->has_bpe) {
        v->split = (const uint32_t *)(base + l.split);
        v->next_prefix = (const uint32_t *)(base + l.prefix);
        v->trie = (const uint64_t *)(base + l.trie);
        v->pairs = (const uint64_t *)(base + l.pairs);
        v->trie_bits = hd->trie_bits;
        v->pair_bits = hd->pair_bits;
        v->n_anom = hd->n_anom;
        v->anom = hd->n_anom ? (const uint32_t *)(base + l.anom) : NULL;
        v->anom_heads = hd->n_anom ? base + l.heads : NULL;
    }
    return 0;
}

/* The linear encoder's tables from an untrusted blob: each of its loops must end and every
 * index stay inside the arrays, whatever the tables say (wrong tables give wrong ids, never a
 * crash or a hang). Checked here, in straight passes over each array (no lookups: a pack opens
 * in milliseconds): every id a table gives is below n_ids; a split joins two lower ids (the
 * pair check walks down them), a single byte is its own split; a prefix token is shorter than
 * its token (the candidate loop steps down them: one lookup per token, into the offsets); some
 * slot of each hash table is empty (probes stop); trie nodes fit the 24 bits a key keeps for
 * them (a wrong leaf bit only ends a walk early: wrong ids, no more). The encoder refuses the rest as it meets it -- a token running past its piece or of no
 * length, a token without a split (algo/bpe_rank.c, bpe_tables.c) -- and falls back to the
 * merge. */
static int bpe_tables_checked(const tok_vocab *v)
{
    uint32_t n = v->n_ids;
    size_t bad = 0, empty = 0;
    for (uint32_t t = 0; t < n; t++) {
        uint32_t l = v->split[2 * t], r = v->split[2 * t + 1], p = v->next_prefix[t];
        bad += (l == TOK_NO_ID) ? r != TOK_NO_ID : (l == t) ? r != t : (l > t) | (r >= t);
        bad += p != TOK_NO_ID && (p >= n || tok_vocab_len(v, p) >= tok_vocab_len(v, t));
    }
    for (size_t i = 0; i < (size_t)1 << v->trie_bits; i++) {
        uint64_t e = v->trie[i], is_empty = e == UINT64_MAX;
        empty += is_empty;
        bad += !is_empty & ((e >> 32 & 0x7FFFFFFF) >= (1u << 24)); /* bit 63: a leaf */
    }
    bad += !empty;
    empty = 0;
    uint32_t idmask = (uint32_t)((1ull << v->id_bits) - 1);
    for (size_t i = 0; i < (size_t)1 << v->pair_bits; i++) {
        uint64_t e = v->pairs[i], is_empty = e == UINT64_MAX;
        empty += is_empty;
        bad += !is_empty & (((uint32_t)e & idmask) >= n);
    }
    bad += !empty;
    for (uint32_t i = 0; i < v->n_anom; i++)
        bad += v->anom[i] >= n || tok_vocab_len(v, v->anom[i]) < 4;
    return bad ? -1 : 0;
}

int tok_vocab_view_checked(tok_vocab *v, const void *blob, size_t len)
{
    const blob_header *hd = blob;
    if (len < sizeof *hd || memcmp(hd->magic, BLOB_MAGIC, 8) != 0 ||
        hd->hash_bits < 4 || hd->hash_bits > 30 || hd->id_bits < 1 || hd->id_bits > 28 ||
        ((uint64_t)1 << hd->id_bits) <= hd->n_ids ||
        (hd->has_bpe && (hd->trie_bits < 4 || hd->trie_bits > 30 || hd->pair_bits < 4 ||
                         hd->pair_bits > 30 || 3 * hd->id_bits > 63)))
        return -1;
    if (tok_vocab_view(v, blob, len) != 0)
        return -1;
    /* every offset in order and inside the bytes, so every token's bytes are readable */
    if (v->off[0] != 0 || v->off[v->n_ids] != hd->bytes_len)
        return -1;
    uint32_t back = 0; /* branch-free scans (they read megabytes): count what is wrong */
    for (uint32_t id = 0; id < v->n_ids; id++)
        back += v->off[id] > v->off[id + 1];
    /* every id the tables give is below n_ids, and some slot is empty (probes stop) */
    uint32_t idmask = (uint32_t)((1ull << v->id_bits) - 1), n = v->n_ids;
    size_t empty = 0, bad = back;
    for (size_t i = 0; i < (size_t)1 << v->hash_bits; i++) {
        uint32_t sl = v->slots[i], is_empty = sl == TOK_VOCAB_EMPTY_SLOT;
        empty += is_empty;
        bad += !is_empty & ((sl & idmask) >= n);
    }
    for (size_t i = 0; i < 65536; i++)
        bad += v->pair2[i] != TOK_NO_ID && v->pair2[i] >= n;
    for (size_t i = 0; i < 256; i++)
        bad += v->byte1[i] != TOK_NO_ID && v->byte1[i] >= n;
    if (!empty || bad)
        return -1;
    v->untrusted = true;
    return v->split ? bpe_tables_checked(v) : 0;
}
