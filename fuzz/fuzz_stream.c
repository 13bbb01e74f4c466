/* libFuzzer: the streaming decode state under any sequence of calls. Byte 0 picks the
 * tokenizer (a built-in encoding, the SentencePiece models of tests/golden/spm/models, or a
 * small tokenizer.json with a decoder chain of up to three decoders picked by bytes 1-3) and
 * the flags; the rest is a program of operations -- step or prefill with 0-7 ids (two bytes
 * each, some outside the vocabulary), reset, flush.
 *
 * Checked: nothing crashes; an id the tokenizer cannot decode fails with TOK_EID at its index
 * and changes nothing; a shadow stream that steps wherever the fuzzed one prefills returns the
 * same text at every other call; and at each flush the shadow's texts since the last reset,
 * concatenated, are tok_decode of the ids fed since then. Run from the repository's root (make
 * fuzz does). */
#include "tokscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const decoders[] = {
    "{\"type\":\"ByteLevel\"}",
    "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\"}",
    "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"never\"}",
    "{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
    "{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}",
    "{\"type\":\"ByteFallback\"}",
    "{\"type\":\"Fuse\"}",
    "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}",
    "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\\u2581\"},\"content\":\" \"}",
    "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" +\"},\"content\":\"_\"}",
    "{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}",
};
#define N_DEC (sizeof decoders / sizeof decoders[0])

static const char *const vocab[] = {
    "a", "\\u2581b", "##c", "<0xE4>", "<0xBD>", "<0xA0>", "<0xFF>", "d</w>", " ", "<pad>", "|",
    " .", "\\u0120x", "don", "'t", "\\u2581", "<0x41>", " do not", "<0xC3>", "\\u00a9", "<s>"};
#define N_VOCAB (sizeof vocab / sizeof vocab[0])

static const char *const spm_models[] = {"tests/golden/spm/models/bpe_bytefb.model",
                                         "tests/golden/spm/models/uni_en_custom_rules.model",
                                         "tests/golden/spm/models/char_ja_bytefb.model"};
#define N_SPM (sizeof spm_models / sizeof spm_models[0])

static tok_tokenizer *builtin[16], *spm[N_SPM], *chains[N_DEC * N_DEC * N_DEC];

static tok_tokenizer *open_chain(size_t a, size_t b, size_t c)
{
    size_t key = (a * N_DEC + b) * N_DEC + c;
    if (chains[key])
        return chains[key];
    char j[4096];
    int o = snprintf(j, sizeof j,
                     "{\"added_tokens\":[{\"id\":%zu,\"content\":\"<s>\",\"single_word\":false,"
                     "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                     "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                     "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"a\",\"vocab\":{",
                     N_VOCAB - 1);
    for (size_t i = 0; i < N_VOCAB; i++)
        o += snprintf(j + o, sizeof j - (size_t)o, "%s\"%s\":%zu", i ? "," : "", vocab[i], i);
    snprintf(j + o, sizeof j - (size_t)o,
             "}},\"post_processor\":null,\"decoder\":{\"type\":\"Sequence\",\"decoders\":"
             "[%s,%s,%s]}}",
             decoders[a], decoders[b], decoders[c]);
    if (tok_open_memory(j, strlen(j), "chain", NULL, &chains[key], NULL) != TOK_OK)
        abort();
    return chains[key];
}

typedef struct text {
    char *v;
    size_t n, cap;
} text;

static void put(text *t, const char *p, size_t n)
{
    if (!n)
        return;
    if (t->n + n > t->cap) {
        t->cap = (t->n + n) * 2 + 64;
        t->v = realloc(t->v, t->cap);
    }
    memcpy(t->v + t->n, p, n);
    t->n += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > 1 << 14)
        return 0;
    size_t nb = tok_builtin_count(), kinds = nb + N_SPM + 1, which = (data[0] & 0x7F) % kinds;
    tok_tokenizer *t;
    if (which < nb) {
        if (!builtin[which] && tok_open_encoding(tok_builtin_name(which), &builtin[which], NULL))
            abort();
        t = builtin[which];
    } else if (which < nb + N_SPM) {
        if (!spm[which - nb] && tok_open_file(spm_models[which - nb], NULL, &spm[which - nb], NULL))
            abort(); /* run from the repository's root */
        t = spm[which - nb];
    } else {
        t = open_chain(data[1] % N_DEC, data[2] % N_DEC, data[3] % N_DEC);
    }
    unsigned flags = data[0] & 0x80 ? TOK_DECODE_SKIP_SPECIAL : 0;
    tok_decode_stream *s, *shadow;
    if (tok_decode_stream_new(t, flags, &s, NULL) != TOK_OK ||
        tok_decode_stream_new(t, flags, &shadow, NULL) != TOK_OK)
        abort();
    uint32_t *fed = malloc(size * sizeof *fed);
    size_t n_fed = 0;
    text said = {0};
    uint32_t range = tok_vocab_size(t) + 8;
    for (size_t i = 4; i < size;) {
        uint8_t op = data[i++];
        const char *a, *b;
        size_t al, bl;
        tok_error err;
        switch (op % 8) {
        case 6:
            tok_decode_stream_reset(s);
            tok_decode_stream_reset(shadow);
            n_fed = 0;
            said.n = 0;
            break;
        case 7: {
            if (tok_decode_stream_flush(s, &a, &al, NULL) != TOK_OK ||
                tok_decode_stream_flush(shadow, &b, &bl, NULL) != TOK_OK || al != bl ||
                memcmp(a, b, al) != 0)
                abort();
            put(&said, b, bl);
            char *want;
            size_t wl;
            if (tok_decode_alloc(t, fed, n_fed, flags, &want, &wl, NULL) != TOK_OK ||
                wl != said.n || (wl && memcmp(want, said.v, wl) != 0))
                abort();
            tok_free(want);
            n_fed = 0;
            said.n = 0;
            break;
        }
        default: { /* 0-5: step (even) or prefill (odd) with op / 8 % 8 ids */
            uint32_t ids[8];
            size_t k = 0;
            for (; k < (size_t)(op / 8 % 8) && i + 1 < size; k++, i += 2)
                ids[k] = ((uint32_t)data[i] | (uint32_t)data[i + 1] << 8) * 37u % range;
            bool prefill = op % 2;
            tok_status st = prefill ? tok_decode_stream_prefill(s, ids, k, &err)
                                    : tok_decode_stream_step(s, ids, k, &a, &al, &err);
            tok_status st2 = tok_decode_stream_step(shadow, ids, k, &b, &bl, NULL);
            if (st != st2)
                abort();
            if (st == TOK_EID) { /* the same failure from tok_decode, nothing taken */
                size_t dl;
                if (err.index >= k || tok_decode(t, ids + err.index, 1, flags, NULL, 0, &dl,
                                                 NULL) != TOK_EID)
                    abort();
                break;
            }
            if (st != TOK_OK || (!prefill && (al != bl || memcmp(a, b, al) != 0)))
                abort();
            put(&said, b, bl);
            memcpy(fed + n_fed, ids, k * sizeof *ids);
            n_fed += k;
            break;
        }
        }
    }
    tok_decode_stream_free(s);
    tok_decode_stream_free(shadow);
    free(fed);
    free(said.v);
    return 0;
}
