/* processor_encode: the SentencePiece encode pipeline (sentencepiece_processor.cc Encode and
 * PopulateSentencePieceText), and the WORD and CHAR models.
 *
 *   normalize (normalizer.c) -> the model on each segment -> pieces -> ids and spans
 *
 * Long texts are cut into segments where no piece can span (spm.h), so the Unigram and BPE
 * work memory stays the size of a word; the result is that of one pass over the whole text.
 * Spans come from the normalizer's map: a piece covers the input from the character its first
 * byte came from to the character the next piece's first byte came from (so a space belongs to
 * the piece after it, as in sentencepiece). Unknown pieces next to each other are merged into
 * one; with byte_fallback an unknown piece becomes the <0xXX> pieces of its UTF-8 bytes, the
 * last one carrying its span and the others an empty span at its start. */
#include "formats/spm/spm.h"

#include <string.h>

typedef struct emitter {
    const tok_tokenizer *t;
    const spm_model *m;
    const uint8_t *text; /* normalized */
    const uint32_t *map; /* normalized offset -> input offset; NULL when spans are not wanted */
    uint64_t base;       /* where the sentence starts in the input */
    tok_out *o;
    bool prev_unk, pending;
    uint32_t pend_a, pend_b; /* a run of unknown pieces, in normalized offsets */
    uint32_t control_at;     /* a CONTROL piece came out of the model here (UINT32_MAX: none) */
    uint32_t control_id;
} emitter;

static inline uint64_t orig(const emitter *e, uint32_t p)
{
    return e->map ? e->base + e->map[p] : 0;
}

static void flush(emitter *e)
{
    if (e->pending) {
        tok_out_push(e->o, e->m->unk_id, orig(e, e->pend_a), orig(e, e->pend_b));
        e->pending = false;
    }
}

static void emit(emitter *e, uint32_t a, uint32_t b, uint32_t id)
{
    const spm_model *m = e->m;
    uint8_t ty = m->ptype[id];
    if (ty == SPM_CONTROL) {
        /* sentencepiece gives a CONTROL piece no text, so the normalized text is not all
         * consumed and Encode fails */
        if (e->control_at == UINT32_MAX) {
            e->control_at = a;
            e->control_id = id;
        }
        e->prev_unk = false;
        return;
    }
    bool unk = id == m->unk_id;
    if (unk && m->byte_fallback) {
        flush(e);
        uint64_t oa = orig(e, a), ob = orig(e, b);
        for (uint32_t k = a; k < b; k++)
            tok_out_push(e->o, m->byte_id[e->text[k]], oa, k + 1 == b ? ob : oa);
    } else if (unk && e->prev_unk && e->pending) {
        e->pend_b = b;
    } else {
        flush(e);
        if (unk) {
            e->pending = true;
            e->pend_a = a;
            e->pend_b = b;
        } else {
            tok_out_push(e->o, id, orig(e, a), orig(e, b));
        }
    }
    e->prev_unk = unk;
}

/* ---- segments ---- */

/* The end of the segment starting at a: the next place the text may be cut, or n. */
static size_t segment_end(const spm_model *m, const uint8_t *s, size_t a, size_t n)
{
    const uint64_t *bits = m->cut_pairs;
    if (!bits)
        return n;
    for (size_t p = a + 1; p < n; p++) {
        unsigned pair = (unsigned)s[p - 1] << 8 | s[p];
        if (!(bits[pair / 64] >> (pair % 64) & 1))
            return p;
    }
    return n;
}

/* A segment's pieces to the emitter, at the segment's place in the text. */
typedef struct seg_put {
    emitter *e;
    uint32_t base; /* where the segment starts */
} seg_put;

static void put_piece(void *ctx, uint32_t a, uint32_t b, uint32_t id)
{
    seg_put *p = ctx;
    emit(p->e, p->base + a, p->base + b, id);
}

static bool run_unigram(const spm_model *m, const uint8_t *s, size_t n, emitter *e,
                        tok_scratch *sc)
{
    double score = 0;
    for (size_t a = 0; a < n;) {
        size_t b = segment_end(m, s, a, n);
        seg_put p = {e, (uint32_t)a};
        if (tok_unigram_run(&m->uni, s + a, b - a, &score, sc, put_piece, &p) != TOK_UNI_OK)
            return false;
        a = b;
    }
    return true;
}

static bool run_bpe(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                    emitter *e, tok_scratch *sc)
{
    spm_piece *buf = NULL;
    size_t cap = 0;
    bool ok = true;
    for (size_t a = 0; ok && a < n;) {
        size_t b = segment_end(m, s, a, n);
        seg_put p = {e, (uint32_t)a};
        ok = spm_bpe_encode(t, m, s + a, b - a, put_piece, &p, &buf, &cap, sc);
        a = b;
    }
    free(buf);
    return ok;
}

/* WORD: SplitIntoWords with its defaults (a word starts at each U+2581, whatever
 * treat_whitespace_as_suffix says), each word looked up whole. */
static void run_word(const tok_tokenizer *t, const uint8_t *s, size_t n, emitter *e)
{
    static const uint8_t ws[3] = {0xE2, 0x96, 0x81};
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        size_t k = tok_spm_char_len(s[i]);
        if (k > n - i)
            k = n - i;
        if (i > start && k == 3 && memcmp(s + i, ws, 3) == 0) {
            emit(e, (uint32_t)start, (uint32_t)i, spm_piece_to_id(t, s + start, i - start));
            start = i;
        }
        i += k;
    }
    if (n > start)
        emit(e, (uint32_t)start, (uint32_t)n, spm_piece_to_id(t, s + start, n - start));
}

/* CHAR: user-defined symbols, else one character at a time. */
static void run_char(const tok_tokenizer *t, const spm_model *m, const uint8_t *s, size_t n,
                     emitter *e)
{
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        uint32_t v;
        if (m->user.n_keys)
            k = tok_trie_longest(&m->user, s + i, n - i, &v);
        if (!k) {
            k = tok_spm_char_len(s[i]);
            if (k > n - i)
                k = n - i;
        }
        emit(e, (uint32_t)i, (uint32_t)(i + k), spm_piece_to_id(t, s + i, k));
        i += k;
    }
}

/* One sentence: s[0..n) of the input, which starts at base. */
static tok_status encode_sentence(const tok_tokenizer *t, const uint8_t *s, size_t n,
                                  uint64_t base, tok_out *o, tok_scratch *sc, tok_norm_out *no,
                                  tok_error *err)
{
    const spm_model *m = t->impl;
    /* counting BPE: the rows of a long run of spaces are counted, not normalized (4 MB of
     * spaces through Llama 2 would be 12 MB of U+2581; bpe_long.c, "Rows"), in a text long
     * enough to pay for the rank core's build (which proves the rows) */
    no->drop_row = 0;
    if (m->type == SPM_BPE && !o->grow && !o->cap && !o->want_spans && m->lazy &&
        n >= m->rank_min && !m->norm.remove_extra_ws &&
        tok_maybe_space_run(s, n, SPM_ROW_KEEP + 16)) {
        const spm_lazy_rank *z = spm_lazy_rank_get(t, m);
        no->drop_row = z ? z->ws_row : 0;
    }
    if (!tok_spm_normalize(&m->norm, s, n, no))
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    emitter e = {t, m, no->text, no->map, base, o, false, false, 0, 0, UINT32_MAX, 0};
    bool ok = true;
    switch (m->type) {
    case SPM_UNIGRAM: ok = run_unigram(m, no->text, no->len, &e, sc); break;
    case SPM_BPE: ok = run_bpe(t, m, no->text, no->len, &e, sc); break;
    case SPM_WORD: run_word(t, no->text, no->len, &e); break;
    case SPM_CHAR: run_char(t, m, no->text, no->len, &e); break;
    }
    flush(&e);
    if (no->dropped) { /* one piece a row (counting only) */
        o->n += no->dropped;
        atomic_fetch_add_explicit(&m->lazy->rows, no->dropped, memory_order_relaxed);
    }
    if (!ok)
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    if (e.control_at != UINT32_MAX) {
        const char *p = "";
        size_t pl = 0;
        tok_token_bytes(t, e.control_id, &p, &pl);
        uint64_t at = no->map ? base + no->map[e.control_at] : TOK_NO_OFFSET;
        return tok_fail(err, TOK_EUNSUPPORTED, t->name, at,
                        "sentencepiece cannot encode this text: it contains the text of the "
                        "CONTROL piece %.*s (id %u), which sentencepiece fails on (\"all "
                        "normalized characters are not consumed\")", (int)(pl < 80 ? pl : 80), p,
                        e.control_id);
    }
    return TOK_OK;
}

/* Special-token policies: ordinary is sentencepiece (CONTROL text is text); reject fails on the
 * text of a CONTROL or UNKNOWN piece; allow makes it that piece, the stretches between being
 * encoded as sentences of their own (each normalized on its own, dummy prefix included), as
 * Hugging Face does around added tokens. */
tok_status spm_encode(const tok_tokenizer *t, const uint8_t *s, size_t n,
                      const tok_encode_options *opts, tok_out *o, tok_call *call,
                      tok_error *err)
{
    const spm_model *m = t->impl;
    tok_scratch *sc = &call->sc;
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    bool add_special = opts && (opts->flags & TOK_ENCODE_ADD_SPECIAL);
    if (n >= UINT32_MAX - 1)
        return tok_fail(err, TOK_EUNSUPPORTED, t->name, TOK_NO_OFFSET,
                        "texts of 4 GB or more are not supported with SentencePiece models");
    if (policy == TOK_SPECIAL_REJECT && t->specials.n) {
        size_t which, at = tok_specials_find(&t->specials, s, 0, n, &which);
        if (at < n) {
            const tok_special_tok *sp = &t->specials.toks[which];
            return tok_fail_special(call, err, sp->text, sp->len, at);
        }
    }
    if (add_special && m->bos_id != TOK_NO_ID)
        tok_out_push(o, m->bos_id, 0, 0);
    tok_norm_out no = {.want_map = o->want_spans};
    tok_status st = TOK_OK;
    size_t pos = 0;
    if (policy == TOK_SPECIAL_ALLOW && t->specials.n) {
        for (;;) {
            size_t which, at = tok_specials_find(&t->specials, s, pos, n, &which);
            if (at == n)
                break;
            const tok_special_tok *sp = &t->specials.toks[which];
            if (at > pos &&
                (st = encode_sentence(t, s + pos, at - pos, pos, o, sc, &no, err)) != TOK_OK)
                break;
            tok_out_push(o, sp->id, at, at + sp->len);
            pos = at + sp->len;
        }
    }
    if (st == TOK_OK && (pos < n || pos == 0))
        st = encode_sentence(t, s + pos, n - pos, pos, o, sc, &no, err);
    if (st == TOK_OK && add_special && m->eos_id != TOK_NO_ID)
        tok_out_push(o, m->eos_id, n, n);
    tok_norm_out_free(&no);
    return st;
}

/* lossy_self: sentencepiece's normalizer makes each invalid byte a U+FFFD itself (where the
 * Unicode practice the driver follows replaces maximal subparts). */
const tok_format_ops spm_ops = {.name = "sentencepiece", .lossy_self = true, .encode = spm_encode,
                                .decode = spm_decode, .free_impl = spm_model_free,
                                .stream = &spm_stream_ops};
