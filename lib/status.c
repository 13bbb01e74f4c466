/* status: status names, error details, the version, and "did you mean" suggestions. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *tok_version(void) { return TOK_VERSION_STRING; }

const char *tok_status_name(tok_status s)
{
    switch (s) {
#define NAME_(name, text) case TOK_##name: return "TOK_" #name;
        TOK_STATUS_LIST(NAME_)
#undef NAME_
    default: return "TOK_UNKNOWN_STATUS";
    }
}

const char *tok_status_str(tok_status s)
{
    switch (s) {
#define TEXT_(name, text) case TOK_##name: return text;
        TOK_STATUS_LIST(TEXT_)
#undef TEXT_
    default: return "unknown status";
    }
}

void tok_error_clear(tok_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->offset = TOK_NO_OFFSET;
}

tok_status tok_fail(tok_error *err, tok_status status, const char *source, uint64_t offset,
                    const char *fmt, ...)
{
    if (!err)
        return status;
    tok_error_clear(err);
    err->status = status;
    err->offset = offset;
    if (source)
        snprintf(err->source, sizeof err->source, "%s", source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

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

void tok_line_col(const char *data, size_t len, size_t offset, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset && i < len; i++)
        if (data[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = (uint32_t)(offset - start + 1);
}
