/* pyunicode_data.h -- the generated tables of pyunicode_data.c (lib/template/gen/pyunicode_data.py). */
#ifndef TOKSCOPE_TMPL_PYUNICODE_DATA_H
#define TOKSCOPE_TMPL_PYUNICODE_DATA_H

#include <stddef.h>
#include <stdint.h>

/* A code point's case mappings: offsets into tp_uni_case_pool (a length, then the code points),
 * 0xFFFF when the mapping is the code point itself. Sorted by cp. */
typedef struct uni_case {
    uint32_t cp;
    uint16_t lower, upper, title;
} uni_case;

extern const uint32_t tp_uni_nonprintable[][2]; /* sorted, disjoint ranges */
extern const size_t tp_uni_nonprintable_len;
extern const uint32_t tp_uni_cased_ranges[][2];
extern const size_t tp_uni_cased_ranges_len;
extern const uint32_t tp_uni_case_pool[];
extern const uni_case tp_uni_cases[];
extern const size_t tp_uni_cases_len;

#endif
