/* lossy: invalid UTF-8 replaced by U+FFFD (one per maximal invalid subpart, as the Unicode
 * standard recommends), with a map from the cleaned text's offsets back to the original bytes,
 * so spans still index what the caller passed. */
#include "text/text.h"

#include <string.h>

bool tok_lossy_clean(const uint8_t *s, size_t n, tok_lossy *m)
{
    memset(m, 0, sizeof *m);
    size_t cap = 0, acap = 0, i = 0;
    if (!tok_grow(&m->text, &cap, n + n / 2 + 4, 1, 16))
        return false;
    while (i < n) {
        size_t bad, ok = tok_utf8_valid_prefix(s + i, n - i, &bad);
        if (!tok_grow(&m->text, &cap, m->len + ok + 3, 1, 16))
            return false;
        memcpy(m->text + m->len, s + i, ok);
        m->len += ok;
        i += ok;
        if (i >= n)
            break;
        if (!tok_grow(&m->at, &acap, 3 * (m->n + 1), sizeof *m->at, 48))
            return false;
        m->at[3 * m->n] = m->len;
        m->at[3 * m->n + 1] = i;
        m->at[3 * m->n + 2] = bad;
        m->n++;
        memcpy(m->text + m->len, "\xEF\xBF\xBD", 3);
        m->len += 3;
        i += bad;
    }
    return true;
}

uint64_t tok_lossy_orig(const tok_lossy *m, uint64_t p, bool is_end)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) { /* last replacement with clean offset <= p */
        size_t mid = (lo + hi) / 2;
        if (m->at[3 * mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return p;
    const uint64_t *r = m->at + 3 * (lo - 1);
    if (p == r[0])
        return r[1];
    if (p < r[0] + 3)
        return is_end ? r[1] + r[2] : r[1];
    return p - r[0] - 3 + r[1] + r[2];
}

void tok_lossy_map_spans(const tok_lossy *m, tok_out *o)
{
    if (!m->n || !o->want_spans)
        return;
    size_t have = o->n < o->cap ? o->n : o->cap;
    for (size_t k = 0; k < have; k++) {
        o->spans[k].start = tok_lossy_orig(m, o->spans[k].start, false);
        o->spans[k].end = tok_lossy_orig(m, o->spans[k].end, true);
    }
}

void tok_lossy_free(tok_lossy *m)
{
    free(m->text);
    free(m->at);
}
