/* runs.h: text whose spaces are made runs of 1 to 1,000, for the harnesses that check counting
 * by rows of spaces (formats/spm/bpe_long.c, formats/hf/rows.c): runs long enough to lose rows,
 * and short ones between. */
#ifndef TOKSCOPE_FUZZ_RUNS_H
#define TOKSCOPE_FUZZ_RUNS_H

#include <stdlib.h>
#include <string.h>

/* text[0..len) with each space a run; *n its length; NULL when out of memory. Caller frees. */
static char *spaces_as_runs(const char *text, size_t len, size_t *n)
{
    static const size_t run[] = {1, 2, 79, 80, 97, 150, 160, 171, 300, 1000};
    char *s = malloc(len * 1000 + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    *n = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == ' ') {
            size_t r = run[k++ % (sizeof run / sizeof *run)];
            memset(s + *n, ' ', r);
            *n += r;
        } else {
            s[(*n)++] = text[i];
        }
    return s;
}

#endif
