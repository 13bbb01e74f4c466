/* offsets: byte offsets into a text as code points or UTF-16 code units (tok_spans_convert).
 *
 * One walk over the text, character by character, converts the offsets in the order they
 * come; tok_encode's spans come in text order, so that is O(len + n). An offset behind the walk
 * (a special token's (0,0) span at the end of HF's list) restarts it from the last checkpoint
 * at or before the offset -- one is kept every 256 bytes walked (16 bytes each) -- so it costs
 * at most 256 bytes of walking.
 * Characters are what a lossy decoder shows: a valid UTF-8 sequence is one code point (two
 * UTF-16 units above U+FFFF), each maximal invalid subpart one U+FFFD. */
#include "api/api.h"

#include <string.h>

#define CHECK_EVERY 256

typedef struct walk {
    const uint8_t *s;
    size_t len;
    bool utf16;
    size_t at;          /* a character start */
    uint64_t units;     /* units before at */
    size_t *ck_at;      /* checkpoints: the first character start at or after k * 256 */
    uint64_t *ck_units;
    size_t n_ck, cap_ck;
} walk;

/* The character at w->at: its byte length and units. */
static size_t char_at(const walk *w, unsigned *units)
{
    const uint8_t *p = w->s + w->at;
    size_t room = w->len - w->at;
    *units = 1;
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF && room >= 2 && (p[1] & 0xC0) == 0x80)
        return 2;
    size_t bad;
    if (tok_utf8_valid_prefix(p, room < 4 ? room : 4, &bad) == 0)
        return bad; /* a maximal invalid subpart: one U+FFFD */
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (k == 4 && w->utf16)
        *units = 2;
    return k;
}

static void checkpoint(walk *w)
{
    for (size_t k = w->at / CHECK_EVERY; w->n_ck <= k;) {
        if (w->n_ck == w->cap_ck) {
            size_t cap = tok_grow_cap(w->cap_ck, w->n_ck + 1, 64);
            if (!cap || !tok_realloc(&w->ck_at, cap, sizeof *w->ck_at) ||
                !tok_realloc(&w->ck_units, cap, sizeof *w->ck_units))
                return; /* no checkpoint: going back starts further back, that is all */
            w->cap_ck = cap;
        }
        w->ck_at[w->n_ck] = w->at;
        w->ck_units[w->n_ck++] = w->units;
    }
}

/* The units before byte x: a start inside a character rounds down, an end up. */
static uint64_t convert(walk *w, size_t x, bool is_end)
{
    if (x < w->at) { /* behind the walk: from the last checkpoint at or before x */
        w->at = 0;
        w->units = 0;
        for (size_t k = x / CHECK_EVERY + 1; k-- > 0;)
            if (k < w->n_ck && w->ck_at[k] <= x) {
                w->at = w->ck_at[k];
                w->units = w->ck_units[k];
                break;
            }
    }
    for (;;) {
        if (w->at == x || w->at >= w->len)
            return w->units;
        if (w->at / CHECK_EVERY >= w->n_ck)
            checkpoint(w);
        /* ASCII eight bytes at a time, within the checkpoint's block */
        size_t block_end = (w->at / CHECK_EVERY + 1) * CHECK_EVERY;
        while (w->at + 8 <= x && w->at + 8 <= block_end) {
            uint64_t v;
            memcpy(&v, w->s + w->at, 8);
            if (v & 0x8080808080808080ull)
                break;
            w->at += 8;
            w->units += 8;
        }
        if (w->at == x)
            return w->units;
        unsigned u;
        size_t k = char_at(w, &u);
        if (w->at + k > x) /* x is inside this character */
            return w->units + (is_end ? u : 0);
        w->at += k;
        w->units += u;
    }
}

tok_status tok_spans_convert(const char *text, size_t len, tok_span *spans, size_t n,
                             tok_offset_unit unit, tok_error *err)
{
    if ((!text && len) || (!spans && n) || unit > TOK_OFFSET_UTF16)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_spans_convert");
    for (size_t i = 0; i < n; i++)
        if (spans[i].start > len || spans[i].end > len || spans[i].start > spans[i].end) {
            tok_status st = tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                                     "span %zu [%llu, %llu) is not within the text of %zu "
                                     "bytes",
                                     i, (unsigned long long)spans[i].start,
                                     (unsigned long long)spans[i].end, len);
            if (err)
                err->index = (uint32_t)i;
            return st;
        }
    if (unit == TOK_OFFSET_BYTES)
        return TOK_OK;
    walk w = {.s = (const uint8_t *)text, .len = len, .utf16 = unit == TOK_OFFSET_UTF16};
    for (size_t i = 0; i < n; i++) {
        spans[i].start = convert(&w, (size_t)spans[i].start, false);
        spans[i].end = convert(&w, (size_t)spans[i].end, true);
    }
    free(w.ck_at);
    free(w.ck_units);
    return TOK_OK;
}
