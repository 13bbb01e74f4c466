/* test_spm.h -- building SentencePiece ModelProto bytes by hand for the unit tests (as
 * sentencepiece's own tests build protos): a small protobuf writer and a model builder. */
#ifndef TOKSCOPE_TEST_SPM_H
#define TOKSCOPE_TEST_SPM_H

#include "formats/spm/spm.h"

typedef struct pbw {
    uint8_t *d;
    size_t n, cap;
} pbw;

static inline void pbw_byte(pbw *w, uint8_t b)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        w->d = realloc(w->d, w->cap);
    }
    w->d[w->n++] = b;
}

static inline void pbw_varint(pbw *w, uint64_t v)
{
    while (v >= 0x80) {
        pbw_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    pbw_byte(w, (uint8_t)v);
}

static inline void pbw_tag(pbw *w, uint32_t field, unsigned wt) { pbw_varint(w, (uint64_t)field << 3 | wt); }

static inline void pbw_bytes(pbw *w, uint32_t field, const void *p, size_t n)
{
    pbw_tag(w, field, 2);
    pbw_varint(w, n);
    for (size_t i = 0; i < n; i++)
        pbw_byte(w, ((const uint8_t *)p)[i]);
}

static inline void pbw_str(pbw *w, uint32_t field, const char *s) { pbw_bytes(w, field, s, strlen(s)); }

static inline void pbw_uint(pbw *w, uint32_t field, uint64_t v)
{
    pbw_tag(w, field, 0);
    pbw_varint(w, v);
}

static inline void pbw_float(pbw *w, uint32_t field, float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    pbw_tag(w, field, 5);
    for (int i = 0; i < 4; i++)
        pbw_byte(w, (uint8_t)(b >> (8 * i)));
}

/* A sub-message: its bytes were written to sub. */
static inline void pbw_msg(pbw *w, uint32_t field, const pbw *sub) { pbw_bytes(w, field, sub->d, sub->n); }

/* SentencePiece.Type */
enum { T_NORMAL = 1, T_UNKNOWN = 2, T_CONTROL = 3, T_USER = 4, T_UNUSED = 5, T_BYTE = 6 };

typedef struct tpiece {
    const char *s;
    float score;
    int type;
} tpiece;

typedef struct tmodel {
    int model_type;           /* 1 unigram, 2 bpe, 3 word, 4 char */
    bool no_dummy, keep_ws, no_escape, ws_suffix, byte_fallback;
    const uint8_t *charsmap;  /* NULL: identity */
    size_t charsmap_len;
} tmodel;

/* "\xE2\x96\x81" */
#define WS "\xE2\x96\x81"

/* The model's bytes; pieces in id order (a NULL s ends the list). Byte pieces <0x00>..<0xFF>
 * are appended when with_bytes. */
static inline pbw spm_model_bytes(const tmodel *m, const tpiece *p, bool with_bytes)
{
    pbw w = {0};
    for (size_t i = 0; p[i].s; i++) {
        pbw sp = {0};
        pbw_str(&sp, 1, p[i].s);
        pbw_float(&sp, 2, p[i].score);
        if (p[i].type != T_NORMAL)
            pbw_uint(&sp, 3, (uint64_t)p[i].type);
        pbw_msg(&w, 1, &sp);
        free(sp.d);
    }
    for (int b = 0; with_bytes && b < 256; b++) {
        char s[8];
        snprintf(s, sizeof s, "<0x%02X>", b);
        pbw sp = {0};
        pbw_str(&sp, 1, s);
        pbw_float(&sp, 2, 0);
        pbw_uint(&sp, 3, T_BYTE);
        pbw_msg(&w, 1, &sp);
        free(sp.d);
    }
    pbw tr = {0};
    pbw_uint(&tr, 3, (uint64_t)m->model_type);
    if (m->byte_fallback)
        pbw_uint(&tr, 35, 1);
    if (m->ws_suffix)
        pbw_uint(&tr, 24, 1);
    pbw_msg(&w, 2, &tr);
    free(tr.d);
    pbw ns = {0};
    pbw_str(&ns, 1, m->charsmap ? "custom" : "identity");
    if (m->charsmap)
        pbw_bytes(&ns, 2, m->charsmap, m->charsmap_len);
    pbw_uint(&ns, 3, !m->no_dummy);
    pbw_uint(&ns, 4, !m->keep_ws);
    pbw_uint(&ns, 5, !m->no_escape);
    pbw_msg(&w, 3, &ns);
    free(ns.d);
    return w;
}

static inline tok_tokenizer *spm_open(const tmodel *m, const tpiece *p, bool with_bytes)
{
    pbw w = spm_model_bytes(m, p, with_bytes);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_memory(w.d, w.n, "test.model", NULL, &t, &err) != TOK_OK)
        fprintf(stderr, "%s\n", err.message);
    free(w.d);
    return t;
}

#endif
