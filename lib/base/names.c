/* names: "did you mean" -- the closest known names to an unknown one, for error messages. */
#include "base/base.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Edit distance, case-insensitive, capped rows at 64 characters. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64)
        la = 64;
    if (lb > 64)
        lb = 64;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void tok_closest_names(const char *name, const char *const *cands, size_t n, char *buf,
                       size_t cap)
{
    enum { PICK = 3 };
    size_t best[PICK], bestd[PICK], nb = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(name, cands[i]);
        /* a candidate that starts with what was typed is as good as a one-letter typo */
        if (strncmp(cands[i], name, strlen(name)) == 0 && d > 1)
            d = 1;
        size_t k = nb < PICK ? nb++ : PICK;
        if (k == PICK && d >= bestd[PICK - 1])
            continue;
        if (k == PICK)
            k = PICK - 1;
        while (k > 0 && bestd[k - 1] > d) {
            best[k] = best[k - 1];
            bestd[k] = bestd[k - 1];
            k--;
        }
        best[k] = i;
        bestd[k] = d;
    }
    size_t at = 0;
    if (cap)
        buf[0] = 0;
    for (size_t k = 0; k < nb && at < cap; k++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s", k ? ", " : "", cands[best[k]]);
}
