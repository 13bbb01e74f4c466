/* load: tokenizer.json -> hf_pipeline. What the loader's files share (tokenizer_json.c reads
 * the file, the vocabulary and the model; components.c the other stages), and the stages whose
 * reading lives beside them (models/unigram.c, normalizers/precompiled.c). */
#ifndef TOK_HF_LOAD_H
#define TOK_HF_LOAD_H

#include "base/json.h"
#include "formats/hf/hf.h"

#include <stdarg.h>

/* The tables of a packed tokenizer (packed.c), read in place of the model's vocabulary and
 * merges; NULL members are read from the JSON as usual. */
typedef struct hf_prebuilt {
    const void *vocab, *strv;   /* tok_vocab blobs: the model's tokens, byte-level strings */
    size_t vocab_len, strv_len;
    const uint8_t *verbatim;    /* byte-level: ids whose bytes are their string */
    size_t verbatim_len;
    const hf_merge *merges;     /* the merge table's slots */
    uint32_t merge_bits;
    int cut_words;              /* hf_bpe_prepare_words' answer for these merges */
    uint8_t plain_known;        /* hf_model.plain_known (0: the pack did not record it) */
    bool rank_bpe;              /* hf_bpe_ranks_check's answer */
    const uint32_t *unreach;    /* and its list of tokens no merge makes */
    size_t n_unreach;
    hf_lazy_packed char_level;  /* character-level rank tables (vocab NULL: none) */
} hf_prebuilt;

typedef struct hf_load {
    const char *source;
    json_doc *doc;
    tok_error *err;
    char path[512];          /* the JSON path being read, for error messages */
    char *sbuf;              /* decoded-string buffer (json_string) */
    size_t scap;
    tok_tokenizer *t;
    hf_pipeline *hp;
    tok_vocab strv;          /* the file's token strings -> ids (only while loading) */
    bool byte_level;
    uint32_t model_vocab_size;
    size_t n_added_ids;
    void **keep;             /* allocations to free when loading ends */
    size_t n_keep, cap_keep;
    uint32_t *added_index;   /* added tokens by content: open addressing of indices into
                                hp->added (UINT32_MAX empty), at most half full */
    size_t added_slots;
    const hf_prebuilt *pre;  /* a packed tokenizer's tables, or NULL */
    tok_vocab *keep_strv;    /* packing: strv is handed over here instead of freed */
} hf_load;

/* Load a tokenizer.json (tokenizer_json.c); pre and keep_strv may be NULL. */
tok_status hf_open(const uint8_t *data, size_t len, const char *source, const hf_prebuilt *pre,
                   tok_vocab *keep_strv, tok_tokenizer **out, tok_error *err);

tok_status hf_fail(hf_load *ld, tok_status st, uint32_t node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t hf_path_push(hf_load *ld, const char *key);
size_t hf_path_index(hf_load *ld, size_t i);
void hf_path_pop(hf_load *ld, size_t was);
bool hf_keep(hf_load *ld, void *p);
bool hf_str(hf_load *ld, uint32_t node, const char **s, size_t *len);
char *hf_strdup_node(hf_load *ld, uint32_t node, size_t *len);
tok_status hf_get_bool(hf_load *ld, uint32_t obj, const char *key, bool dflt, bool *out);
tok_status hf_get_string(hf_load *ld, uint32_t obj, const char *key, bool required, char **out,
                         size_t *len);
tok_status hf_get_uint(hf_load *ld, uint32_t obj, const char *key, bool required, uint64_t dflt,
                       uint64_t *out);
tok_status hf_type(hf_load *ld, uint32_t obj, const char **type, size_t *len);
uint32_t hf_str_id(hf_load *ld, const char *s, size_t len);

/* A vocabulary entry of the file: the token's text (in the JSON input) and its id. */
typedef struct hf_entry {
    const char *s;
    size_t len;
    uint32_t id;
} hf_entry;

/* components.c, models/unigram.c, normalizers/precompiled.c */
bool hf_has_bytelevel(hf_load *ld, uint32_t node);
tok_status hf_load_normalizer(hf_load *ld, uint32_t node);
tok_status hf_load_pretokenizer(hf_load *ld, uint32_t node);
tok_status hf_load_post(hf_load *ld, uint32_t node);
tok_status hf_load_decoder(hf_load *ld, uint32_t node);
tok_status hf_load_truncation(hf_load *ld, uint32_t node);
tok_status hf_load_padding(hf_load *ld, uint32_t node);
tok_status hf_load_unigram(hf_load *ld, uint32_t model, const hf_entry *entries, size_t n,
                           const double *scores);
tok_status hf_finish(hf_load *ld);
tok_status hf_load_charsmap(hf_load *ld, uint32_t node, void **charsmap);

#endif
