/* offsets: byte offsets into a text as code points or UTF-16 code units (tok_spans_convert).
 *
 * One walk over the text, character by character, converts the offsets in the order they
 * come; tok_encode's spans come in text order, so that is O(len + n). An offset behind the walk
 * (a special token's (0,0) span at the end of HF's list) restarts it from the last checkpoint
 * at or before the offset -- one is kept every 1 KiB walked -- so it costs at most a kilobyte.
 * Characters are what a lossy decoder shows: a valid UTF-8 sequence is one code point (two
 * UTF-16 units above U+FFFF), each maximal invalid subpart one U+FFFD. */
#include "api/api.h"

#include <string.h>

#define CHECK_EVERY 1024

typedef struct walk {
    const uint8_t *s;
    size_t len;
    bool utf16;
    size_t at;          /* a character start */
    uint64_t units;     /* units before at */
    size_t *ck_at;      /* checkpoints: the first character start at or after k * 1 KiB */
    uint64_t *ck_units;
    size_t n_ck, cap_ck;
} walk;

/* The character at w->at: its byte length and units. */
static size_t char_at(const walk *w, unsigned *units)
{
    const uint8_t *p = w->s + w->at;
    *units = 1;
    if (p[0] < 0x80)
        return 1;
    size_t room = w->len - w->at, bad;
    if (tok_utf8_valid_prefix(p, room < 4 ? room : 4, &bad) == 0)
        return bad;
    size_t k = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
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
