/* charsmap: the precompiled character map (a Darts-clone double array over a pool of
 * replacement strings).
 *
 * Darts-clone units are 32 bits: bits 0-7 the label (bit 31 set marks a leaf unit, so a leaf
 * never matches a label), bit 8 "has a leaf" (the value sits at offset 0 from the node), bits
 * 10-31 an offset, scaled by 256 when bit 9 is set; a child is at node ^ offset ^ byte. Every
 * access is bounds-checked: a corrupt map gives wrong text, never a crash.
 */
#include "algo/charsmap.h"

#include <stdio.h>
#include <string.h>

static inline uint32_t du_offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }
static inline uint32_t du_label(uint32_t u) { return u & ((1u << 31) | 0xFFu); }
static inline bool du_has_leaf(uint32_t u) { return (u >> 8) & 1; }
static inline uint32_t du_value(uint32_t u) { return u & ((1u << 31) - 1); }

tok_status tok_charsmap_init(tok_charsmap *cm, const uint8_t *blob, size_t len, bool hf, char *why,
                             size_t why_cap, size_t *at)
{
    memset(cm, 0, sizeof *cm);
    *at = 0;
    if (len < 4 || (!hf && len == 4)) {
        snprintf(why, why_cap, "the precompiled charsmap is %zu bytes, too short for its header",
                 len);
        return TOK_EFORMAT;
    }
    uint32_t trie_size = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 |
                         (uint32_t)blob[3] << 24;
    size_t pool_at;
    if (hf) { /* whole units, then the pool */
        if ((size_t)trie_size / 4 * 4 > len - 4) {
            snprintf(why, why_cap, "the precompiled charsmap's trie (%u bytes) is longer than "
                     "the %zu bytes that follow its header", trie_size, len - 4);
            return TOK_EFORMAT;
        }
        pool_at = 4 + (size_t)trie_size / 4 * 4;
    } else { /* normalizer.cc DecodePrecompiledCharsMap */
        if (trie_size >= len) {
            snprintf(why, why_cap, "the precompiled charsmap's trie size %u is not below the "
                     "blob size %zu", trie_size, len);
            return TOK_EFORMAT;
        }
        pool_at = 4 + (size_t)trie_size;
        if (pool_at > len)
            pool_at = len;
    }
    cm->n_units = trie_size / 4;
    cm->pool_len = len - pool_at;
    cm->units = malloc((cm->n_units + 1) * sizeof *cm->units);
    cm->pool = malloc(cm->pool_len + 1);
    if (!cm->units || !cm->pool) {
        tok_charsmap_free(cm);
        snprintf(why, why_cap, "out of memory");
        return TOK_ENOMEM;
    }
    for (size_t i = 0; i < cm->n_units; i++) {
        const uint8_t *p = blob + 4 + 4 * i;
        cm->units[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24;
    }
    memcpy(cm->pool, blob + pool_at, cm->pool_len);
    cm->pool[cm->pool_len] = 0;
    if (hf) {
        size_t bad, ok = tok_utf8_valid_prefix(cm->pool, cm->pool_len, &bad);
        if (ok < cm->pool_len) {
            *at = pool_at + ok;
            snprintf(why, why_cap, "the precompiled charsmap's replacements are not UTF-8 "
                     "(byte %zu of the charsmap)", pool_at + ok);
            tok_charsmap_free(cm);
            return TOK_EFORMAT;
        }
    }
    if (cm->n_units) {
        size_t root = du_offset(cm->units[0]);
        for (unsigned c = 1; c < 256; c++) {
            size_t node = root ^ c;
            cm->root[c] = node < cm->n_units && du_label(cm->units[node]) == c;
        }
    }
    for (unsigned c = 1; c < 128 && cm->n_units; c++) {
        if (!cm->root[c])
            continue;
        size_t node = du_offset(cm->units[0]) ^ c;
        uint32_t unit = cm->units[node];
        node ^= du_offset(unit);
        cm->ascii_leaf[c] = du_has_leaf(unit);
        for (unsigned d = 1; d < 256; d++) {
            size_t next = node ^ d;
            if (next < cm->n_units && du_label(cm->units[next]) == d)
                cm->ascii_next[c][d / 64] |= 1ull << (d % 64);
        }
    }
    /* a code point is plain when walking its bytes leaves the array before its last byte
     * without passing a rule: no rule is a prefix of it and none starts with it */
    for (uint32_t cp = 1; cp < 65536; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint8_t b[4];
        size_t k = tok_utf8_encode(cp, b), i = 0;
        if (cm->n_units) {
            size_t node = du_offset(cm->units[0]);
            for (; i < k; i++) {
                node ^= b[i];
                if (node >= cm->n_units || du_label(cm->units[node]) != b[i])
                    break;
                uint32_t unit = cm->units[node];
                node ^= du_offset(unit);
                if (du_has_leaf(unit)) {
                    i = k; /* a rule ends inside or at the end: not plain */
                    break;
                }
            }
        }
        if (i < k)
            cm->plain[cp / 64] |= 1ull << (cp % 64);
    }
    cm->printable_alone = true;
    for (unsigned c = 0x20; c < 0x7F; c++) {
        cm->printable_alone = cm->printable_alone && !cm->ascii_leaf[c];
        bool safe = c > 0x20 && !cm->ascii_leaf[c];
        for (unsigned d = 0x21; safe && d < 0x7F; d++)
            safe = !(cm->ascii_next[c][d / 64] >> (d % 64) & 1);
        cm->graphic_safe[c] = safe;
    }
    return TOK_OK;
}

void tok_charsmap_free(tok_charsmap *cm)
{
    free(cm->units);
    free(cm->pool);
    memset(cm, 0, sizeof *cm);
}

size_t tok_charsmap_match(const tok_charsmap *cm, const uint8_t *s, size_t n, bool shortest,
                          const uint8_t **rep, size_t *rep_len)
{
    if (!n || !cm->root[s[0]])
        return 0;
    const uint32_t *u = cm->units;
    size_t node = du_offset(u[0]), best = 0;
    uint32_t value = 0;
    for (size_t i = 0; i < n && s[i]; i++) {
        node ^= s[i];
        if (node >= cm->n_units || du_label(u[node]) != s[i])
            break;
        uint32_t unit = u[node];
        node ^= du_offset(unit);
        if (du_has_leaf(unit)) {
            if (node >= cm->n_units)
                break;
            best = i + 1;
            value = du_value(u[node]);
            if (shortest)
                break;
        }
    }
    if (best) {
        if (value < cm->pool_len) {
            *rep = cm->pool + value;
            *rep_len = strlen((const char *)cm->pool + value); /* the pool ends with a NUL */
        } else {
            *rep = cm->pool + cm->pool_len;
            *rep_len = 0;
        }
    }
    return best;
}
