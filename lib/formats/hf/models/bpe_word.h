/* bpe_word: a BPE word's first symbols, HF's Word::add (models/bpe/model.rs merge_word), for
 * the two merges that start from them: the merge loop over symbols (bpe.c) and the one over
 * runs of a repeated symbol (bpe_runs.c). Inline, so each caller's put is inlined into the
 * character loop. */
#ifndef TOK_HF_BPE_WORD_H
#define TOK_HF_BPE_WORD_H

#include "formats/hf/hf.h"

#include <string.h>

/* The vocabulary id of prefix + s[0..n) + suffix (model view), or TOK_NO_ID. */
static inline uint32_t hf_bpe_lookup_affixed(const tok_vocab *v, const hf_model *m,
                                             const uint8_t *s, size_t n, bool first, bool last,
                                             uint8_t *buf)
{
    size_t pl = !first && m->prefix ? m->prefix_len : 0, sl = last && m->suffix ? m->suffix_len : 0;
    if (!pl && !sl)
        return n == 1 ? v->byte1[s[0]] : tok_vocab_find(v, s, n);
    if (pl) /* memcpy from a NULL prefix is undefined even for 0 bytes */
        memcpy(buf, m->prefix, pl);
    memcpy(buf + pl, s, n);
    if (sl)
        memcpy(buf + pl + n, m->suffix, sl);
    return tok_vocab_find(v, buf, pl + n + sl);
}

/* Each symbol of s[0..n) in order, as put(ctx, id, byte length) -- or, when put_rep is not
 * NULL, copies of one character right after it (no affixes) as put_rep(ctx, id, length,
 * count); buf holds prefix_len + suffix_len + 8 bytes. TOK_EFORMAT when a character needs an
 * unknown token the vocabulary lacks (HF's UnkTokenOutOfVocabulary, raised when needed),
 * TOK_ENOMEM when put fails. */
static inline __attribute__((always_inline)) tok_status
hf_bpe_symbols(const tok_vocab *v, const hf_model *m, const uint8_t *s, size_t n, uint8_t *buf,
               bool (*put)(void *ctx, uint32_t id, uint32_t len),
               bool (*put_rep)(void *ctx, uint32_t id, uint32_t len, uint32_t count), void *ctx)
{
    /* an unknown run is held back until a known symbol */
    uint32_t unk_id = TOK_NO_ID, unk_len = 0;
    bool have_unk = false;
    const uint8_t *prev = NULL; /* the last character looked up, without affixes: its id */
    unsigned prev_cl = 0;
    uint32_t prev_id = TOK_NO_ID;
    bool affixes = m->prefix || m->suffix;
    for (size_t i = 0; i < n;) {
        unsigned cl = 1;
        if (!m->byte_level)
            tok_utf8_decode(s + i, &cl);
        bool first = i == 0, last = i + cl >= n;
        uint32_t id;
        if (prev && cl == prev_cl && tok_same_char(prev, s + i, cl)) {
            id = prev_id; /* a character repeated (runs of spaces): no lookup each */
        } else {
            id = hf_bpe_lookup_affixed(v, m, s + i, cl, first, last, buf);
            if (!affixes)
                prev = s + i, prev_cl = cl, prev_id = id;
        }
        if (id != TOK_NO_ID) {
            if (have_unk && !put(ctx, unk_id, unk_len))
                return TOK_ENOMEM;
            have_unk = false;
            if (!put(ctx, id, cl))
                return TOK_ENOMEM;
            i += cl;
            if (put_rep && !affixes && i < n) { /* a run: its copies at once */
                size_t j = tok_run_end(s, i, n, cl);
                if (j > i && !put_rep(ctx, id, cl, (uint32_t)((j - i) / cl)))
                    return TOK_ENOMEM;
                i = j;
            }
            continue;
        }
        if (m->byte_fallback) {
            /* every byte of prefix + char + suffix must have a <0xXX> token */
            size_t pl = !first && m->prefix ? m->prefix_len : 0, sl = last && m->suffix ? m->suffix_len : 0;
            bool all = true;
            for (size_t k = 0; k < pl && all; k++)
                all = m->byte_ids[(uint8_t)m->prefix[k]] != TOK_NO_ID;
            for (size_t k = 0; k < cl && all; k++)
                all = m->byte_ids[s[i + k]] != TOK_NO_ID;
            for (size_t k = 0; k < sl && all; k++)
                all = m->byte_ids[(uint8_t)m->suffix[k]] != TOK_NO_ID;
            if (all) {
                /* HF adds the unknown run only before a vocabulary hit; byte tokens follow
                 * directly (the pending unk stays pending, as in merge_word). The affix's
                 * bytes are not in the text: zero-width here (HF gives each a byte, which
                 * runs its offsets past the end of the word). */
                bool ok = true;
                for (size_t k = 0; k < pl; k++)
                    ok = ok && put(ctx, m->byte_ids[(uint8_t)m->prefix[k]], 0);
                for (size_t k = 0; k < cl; k++)
                    ok = ok && put(ctx, m->byte_ids[s[i + k]], 1);
                for (size_t k = 0; k < sl; k++)
                    ok = ok && put(ctx, m->byte_ids[(uint8_t)m->suffix[k]], 0);
                if (!ok)
                    return TOK_ENOMEM;
                i += cl;
                continue;
            }
        }
        if (m->unk_token) {
            if (m->unk_id == TOK_NO_ID)
                return TOK_EFORMAT;
            if (have_unk && m->fuse_unk) {
                unk_len += cl;
            } else {
                if (have_unk && !put(ctx, unk_id, unk_len))
                    return TOK_ENOMEM;
                unk_id = m->unk_id;
                unk_len = cl;
                have_unk = true;
            }
        }
        /* no unk token: the character is dropped, as HF drops it */
        i += cl;
    }
    if (have_unk && !put(ctx, unk_id, unk_len))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* Merge s[0..n) on runs of a repeated symbol (bpe_runs.c): with *declined set, nothing was
 * pushed and the caller merges symbol by symbol (the text is not mostly runs, or the model has
 * affixes). Tokens at offsets base + position; with drain they may leave as pushed. */
tok_status hf_bpe_runs(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                       hf_tokens *out, uint32_t base, bool drain, bool *declined);

#endif
