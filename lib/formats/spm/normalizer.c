/* normalizer: sentencepiece's normalizer (normalizer.cc Normalize) on the precompiled character
 * map of algo/charsmap.h.
 *
 * It takes, at each position, a user-defined symbol (verbatim) or the longest rule or one
 * character (an invalid byte becomes U+FFFD), then applies the whitespace rules. ASCII bytes
 * that start no rule are copied in a tight loop: most text never searches the array. */
#include "formats/spm/spm.h"

#include <string.h>

size_t tok_spm_valid_char(const uint8_t *s, size_t n)
{
    uint8_t b = s[0];
    if (b < 0x80)
        return 1;
    if (n >= 2 && (b & 0xE0) == 0xC0) {
        uint32_t cp = (uint32_t)(b & 0x1F) << 6 | (s[1] & 0x3Fu);
        return (s[1] & 0xC0) == 0x80 && cp >= 0x80 ? 2 : 0;
    }
    if (n >= 3 && (b & 0xF0) == 0xE0) {
        uint32_t cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3Fu);
        return (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && cp >= 0x800 &&
                       (cp < 0xD800 || cp > 0xDFFF)
                   ? 3
                   : 0;
    }
    if (n >= 4 && (b & 0xF8) == 0xF0) {
        uint32_t cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
                      (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3Fu);
        return (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 &&
                       cp >= 0x10000 && cp <= 0x10FFFF
                   ? 4
                   : 0;
    }
    return 0;
}

static const uint8_t k_space[3] = {0xE2, 0x96, 0x81}; /* U+2581 */
static const uint8_t k_fffd[3] = {0xEF, 0xBF, 0xBD};

static bool grow(tok_norm_out *o, size_t extra);

/* Room for extra more bytes (and the map's entry past them). */
static inline bool reserve(tok_norm_out *o, size_t extra)
{
    return o->len + extra + 1 <= o->cap || grow(o, extra);
}

static bool grow(tok_norm_out *o, size_t extra)
{
    size_t cap = tok_grow_cap(o->cap, o->len + extra + 1, 256);
    if (!cap || !tok_realloc(&o->text, cap, 1) ||
        (o->want_map && !tok_realloc(&o->map, cap, sizeof *o->map))) {
        o->oom = true;
        return false;
    }
    o->cap = cap;
    return true;
}

static inline void put(tok_norm_out *o, const uint8_t *p, size_t k, uint32_t from)
{
    memcpy(o->text + o->len, p, k);
    if (o->want_map)
        for (size_t i = 0; i < k; i++)
            o->map[o->len + i] = from;
    o->len += k;
}

/* NormalizePrefix: the replacement for the start of s[0..n) and the bytes it consumes. */
static inline size_t norm_prefix(const tok_spm_norm *nm, const uint8_t *s, size_t n,
                                 const uint8_t **rep, size_t *rep_len)
{
    if (nm->user) {
        uint32_t v;
        size_t k = tok_trie_longest(nm->user, s, n, &v);
        if (k) {
            *rep = s;
            *rep_len = k;
            return k;
        }
    }
    if (nm->cm) {
        size_t k = tok_charsmap_match(nm->cm, s, n, false, rep, rep_len);
        if (k)
            return k;
    }
    size_t k = tok_spm_valid_char(s, n);
    if (!k) {
        *rep = k_fffd;
        *rep_len = 3;
        return 1;
    }
    *rep = s;
    *rep_len = k;
    return k;
}

bool tok_spm_normalize(const tok_spm_norm *nm, const uint8_t *s, size_t n, tok_norm_out *o)
{
    o->len = 0;
    o->oom = false;
    o->dropped = 0;
    if (o->want_map || nm->remove_extra_ws) /* rows only of a run kept whole, uncounted */
        o->drop_row = 0;
    if (!reserve(o, n + n / 4 + 16))
        return false;
    size_t i = 0;
    const uint8_t *rep;
    size_t rep_len;
    if (nm->remove_extra_ws) /* leading spaces */
        while (i < n) {
            size_t k = norm_prefix(nm, s + i, n - i, &rep, &rep_len);
            if (rep_len != 1 || rep[0] != ' ')
                break;
            i += k;
        }
    if (i == n) {
        if (o->want_map)
            o->map[0] = (uint32_t)i;
        return true;
    }
    const uint8_t *ws = nm->escape_ws ? k_space : (const uint8_t *)" ";
    const size_t ws_len = nm->escape_ws ? 3 : 1;
    if (!nm->ws_suffix && nm->add_dummy_prefix)
        put(o, ws, ws_len, (uint32_t)i);
    bool prev_space = nm->remove_extra_ws;
    /* characters that start no rule and no user-defined symbol are copied as they are */
    const tok_trie *user = nm->user;
    const tok_charsmap *cm = nm->cm;
    /* graphic ASCII bytes before graphic ASCII that start no rule that way and no user-defined
     * symbol stay themselves: passed over in a tight loop, by a table made once a call (for a
     * text long enough to pay for it) */
    /* safe[c]: bit 1 when c before graphic ASCII stays itself, bit 2 when c before a space
     * does (so the loop passes a word's last letter too); next[d]: 1 for graphic ASCII, 2 for
     * the space: one test a byte */
    uint8_t safe[256] = {0}, next[256] = {0};
    bool tight = n >= 64;
    for (unsigned c = 0x21; tight && c < 0x7F; c++) {
        bool alone = !user || tok_trie_next(user, 0, (uint8_t)c) == TOK_NO_ID;
        safe[c] = (uint8_t)(((cm ? cm->graphic_safe[c] : 1) && alone) |
                            (alone && (!cm || (!cm->ascii_leaf[c] &&
                                               !(cm->ascii_next[c][0] >> ' ' & 1))))
                                << 1);
        next[c] = 1;
    }
    next[' '] = 2;
    /* a space before a byte that starts no rule with it becomes the whitespace mark here,
     * without the general path's search: one between every two words of most text */
    const bool space_plain = (!user || tok_trie_next(user, 0, ' ') == TOK_NO_ID) &&
                             (!cm || !cm->root[' '] || !cm->ascii_leaf[' ']);
    while (i < n) {
        size_t j = i;
        if (!reserve(o, n - i))
            return false;
        for (;;) {
            if (tight) {
                size_t j0 = j;
                while (j + 1 < n && (safe[s[j]] & next[s[j + 1]]))
                    j++;
                for (size_t m = j0; o->want_map && m < j; m++)
                    o->map[o->len + m - i] = (uint32_t)m;
            }
            if (j >= n)
                break;
            uint8_t c = s[j];
            if (user && tok_trie_next(user, 0, c) != TOK_NO_ID)
                break;
            if (c < 0x80) {
                if (c == ' ' || c == 0)
                    break;
                if (cm && cm->root[c]) { /* a rule starts here: does one match? */
                    uint8_t d = j + 1 < n ? s[j + 1] : 0;
                    if (cm->ascii_leaf[c] || (cm->ascii_next[c][d / 64] >> (d % 64) & 1))
                        break;
                }
                if (o->want_map)
                    o->map[o->len + j - i] = (uint32_t)j;
                j++;
                continue;
            }
            size_t k = tok_spm_valid_char(s + j, n - j);
            if (!k || k == 4)
                break;
            if (cm) {
                unsigned cl;
                if (!tok_charsmap_plain(cm, tok_utf8_decode(s + j, &cl)))
                    break;
            }
            if (o->want_map)
                for (size_t m = 0; m < k; m++)
                    o->map[o->len + j - i + m] = (uint32_t)j;
            j += k;
        }
        if (j > i) {
            memcpy(o->text + o->len, s + i, j - i);
            o->len += j - i;
            prev_space = false;
            i = j;
            if (i == n)
                break;
        }
        if (s[i] == ' ' && space_plain &&
            (!cm || !cm->root[' '] || i + 1 == n ||
             !(cm->ascii_next[' '][s[i + 1] / 64] >> (s[i + 1] % 64) & 1))) {
            /* what norm_prefix and the lines below do with a space that is itself */
            if (o->drop_row && (i == 0 || s[i - 1] != ' ')) { /* a run's start: its rows */
                size_t rows = tok_run_rows(s, i, n, ' ', SPM_ROW_KEEP, o->drop_row);
                o->dropped += rows;
                i += rows * o->drop_row;
            }
            if (!prev_space) {
                if (!reserve(o, ws_len))
                    return false;
                put(o, ws, ws_len, (uint32_t)i);
            }
            prev_space = nm->remove_extra_ws;
            i++;
            continue;
        }
        size_t k = norm_prefix(nm, s + i, n - i, &rep, &rep_len);
        if (prev_space)
            while (rep_len && rep[0] == ' ')
                rep++, rep_len--;
        if (rep_len) {
            if (!reserve(o, rep_len * 3))
                return false;
            if (nm->escape_ws) {
                for (size_t m = 0; m < rep_len; m++) {
                    if (rep[m] == ' ')
                        put(o, k_space, 3, (uint32_t)i);
                    else
                        put(o, rep + m, 1, (uint32_t)i);
                }
            } else {
                put(o, rep, rep_len, (uint32_t)i);
            }
            prev_space = rep[rep_len - 1] == ' ';
        }
        i += k;
        if (!nm->remove_extra_ws)
            prev_space = false;
    }
    size_t consumed = n;
    if (nm->remove_extra_ws)
        while (o->len >= ws_len && memcmp(o->text + o->len - ws_len, ws, ws_len) == 0) {
            o->len -= ws_len;
            if (o->want_map)
                consumed = o->map[o->len];
        }
    if (!reserve(o, ws_len))
        return false;
    if (nm->ws_suffix && nm->add_dummy_prefix)
        put(o, ws, ws_len, (uint32_t)consumed);
    if (o->want_map)
        o->map[o->len] = (uint32_t)consumed;
    return true;
}

void tok_norm_out_free(tok_norm_out *o)
{
    free(o->text);
    free(o->map);
    memset(o, 0, sizeof *o);
}
