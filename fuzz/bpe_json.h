/* bpe_json.h: a small BPE tokenizer.json from a harness's tokens and merges (fuzz_bpe_runs,
 * fuzz_bpe_words), opened; NULL when the loader refuses it or it does not fit. */
#ifndef TOKSCOPE_FUZZ_BPE_JSON_H
#define TOKSCOPE_FUZZ_BPE_JSON_H

#include "tokscope.h"

#include <stdio.h>
#include <string.h>

/* The merge of tokens x and y appended to merges (*nm of them), and their join to tok (*nt of
 * at most max_t) when it is new: the join's index, or -1 when the merge is there already or
 * there is no room. */
static long bpe_add_merge(char (*tok)[40], size_t *nt, size_t max_t, char (*merges)[84],
                          size_t *nm, size_t x, size_t y)
{
    char m[84], j[40];
    snprintf(m, sizeof m, "%s %s", tok[x], tok[y]);
    snprintf(j, sizeof j, "%s%s", tok[x], tok[y]);
    for (size_t k = 0; k < *nm; k++)
        if (!strcmp(merges[k], m))
            return -1;
    size_t at = 0;
    while (at < *nt && strcmp(tok[at], j))
        at++;
    if (at == *nt) {
        if (*nt == max_t)
            return -1;
        strcpy(tok[(*nt)++], j);
    }
    strcpy(merges[(*nm)++], m);
    return (long)at;
}

/* tok[k] gets id k; merges are "left right" strings, in rank order; extra is appended to the
 * vocabulary object (", \"<0x0A>\": 40" and the like: ids after the tokens), unk names the
 * unknown token or is NULL. Strings are JSON already (raw UTF-8 is fine). */
static tok_tokenizer *bpe_json_open(char (*tok)[40], size_t nt, char (*merges)[84], size_t nm,
                                    bool byte_fallback, const char *unk, const char *extra)
{
    static char json[16384];
    size_t n = (size_t)snprintf(json, sizeof json,
                                "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": "
                                "null, \"pre_tokenizer\": null, \"post_processor\": null, "
                                "\"decoder\": null, \"model\": {\"type\": \"BPE\", \"dropout\": "
                                "null, \"unk_token\": %s%s%s, \"continuing_subword_prefix\": "
                                "null, \"end_of_word_suffix\": null, \"fuse_unk\": false, "
                                "\"byte_fallback\": %s, \"vocab\": {",
                                unk ? "\"" : "", unk ? unk : "null", unk ? "\"" : "",
                                byte_fallback ? "true" : "false");
    for (size_t k = 0; k < nt && n < sizeof json; k++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"%s\": %zu", k ? ", " : "", tok[k], k);
    if (n < sizeof json)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s}, \"merges\": [", extra ? extra : "");
    for (size_t k = 0; k < nm && n < sizeof json; k++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"%s\"", k ? ", " : "", merges[k]);
    if (n < sizeof json)
        n += (size_t)snprintf(json + n, sizeof json - n, "]}}");
    tok_tokenizer *t;
    if (n >= sizeof json || tok_open_memory(json, n, "fuzz", NULL, &t, NULL) != TOK_OK)
        return NULL;
    return t;
}

#endif
