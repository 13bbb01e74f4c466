/* encode_words: BERT's normalizer and pre-tokenizer in one pass over plain ASCII.
 *
 * A BERT-shaped pipeline (normalizers among BertNormalizer's steps -- clean, Chinese
 * characters, NFD and non-spacing marks stripped, lowercase -- and other Unicode forms;
 * BertPreTokenizer alone; no added token matched on normalized text) runs four or five stages
 * over every character, each writing a list, before the pre-tokenizer cuts words: most of the
 * time of WordPiece on English. On printable ASCII every one of those steps is the identity
 * but lowercase, which maps A-Z, and the pre-tokenizer ends a word at whitespace (dropped) and
 * makes each ASCII punctuation character a word of its own. So a run of words that are all
 * printable ASCII is cut into its pieces here, lowercased in place, aligned byte for byte with
 * the input; so are CJK ideographs, which handle_chinese_chars sets apart and nothing else
 * changes. Every other stretch goes through the stages as before.
 *
 * The stretches are cut after ASCII whitespace (space, tab, line feed, carriage return), which
 * cut_general.c proves the stages restart at for this shape: every step keeps the whitespace a
 * starter that is whitespace (clean makes it a space), so no mark reorders across it and the
 * normalized text of the whole is that of the parts; the pre-tokenizer drops it and ends a
 * piece there. Vertical tab, form feed and the other controls are not in a fast stretch (clean
 * drops them, joining their neighbours).
 *
 * When no alignments are wanted (a count, ids alone), each piece goes to a sink as it is cut
 * -- the model, in encode.c -- instead of onto a list that the model reads afterwards: on a
 * 50 MB line of prose the list's records and second pass were a fifth of the time. A word
 * without punctuation, capitals or ideographs (most of them) is seen once. */
#include "formats/hf/hf.h"

#include <string.h>

bool hf_words_shape(const hf_pipeline *hp)
{
    if (hp->n_pretoks != 1 || hp->pretoks[0].kind != HF_PT_BERT || hp->norm_match.n)
        return false;
    for (size_t k = 0; k < hp->n_norms; k++)
        switch (hp->norms[k].kind) {
        case HF_BERT_CLEAN: case HF_BERT_CHINESE: case HF_NFD: case HF_NFKD: case HF_NFC:
        case HF_NFKC: case HF_FILTER_NONSPACING: case HF_STRIP_ACCENTS: case HF_LOWERCASE:
            break;
        default:
            return false;
        }
    return true;
}

static bool is_space(uint8_t b) { return b == ' ' || b == '\t' || b == '\n' || b == '\r'; }

/* BertPreTokenizer's punctuation, on ASCII: 0x21-0x2F, 0x3A-0x40, 0x5B-0x60, 0x7B-0x7E, as
 * two 64-bit masks (bits a..b of a word: BITS(a, b)) -- a shift and a test per byte */
#define BITS(a, b) ((~0ull >> (63 - (b) + (a))) << (a))
static const uint64_t k_punct[2] = {BITS(0x21, 0x2F) | BITS(0x3A, 0x3F),
                                    BITS(0x40 - 64, 0x40 - 64) | BITS(0x5B - 64, 0x60 - 64) |
                                        BITS(0x7B - 64, 0x7E - 64)};
static bool is_punct(uint8_t b)
{
    return b < 0x80 && (k_punct[b >> 6] >> (b & 63) & 1);
}

/* s[a..b) of split sp as a piece, at its original place (ASCII: a byte each) */
static bool piece(const hf_splits *in, const hf_split *sp, size_t a, size_t b, bool lower,
                  hf_splits *out)
{
    uint32_t o0 = in->track ? in->a0[sp->off + a] : sp->orig0 + (uint32_t)a;
    if (!hf_splits_add(out, in->text + sp->off + a, b - a, NULL, NULL, o0, TOK_NO_ID, o0,
                       o0 + (uint32_t)(b - a)))
        return false;
    if (lower)
        for (uint8_t *p = out->text + out->len - (b - a); p < out->text + out->len; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p += 'a' - 'A';
    return true;
}

/* s[a..b) of split sp to the sink: as it is, or lowercased in buf when it has a capital */
static bool piece_to(const hf_piece_sink *d, const hf_splits *in, const hf_split *sp, size_t a,
                     size_t b, bool lower, hf_splits *buf)
{
    const uint8_t *p = in->text + sp->off + a;
    size_t n = b - a, k = 0;
    while (lower && k < n && !(p[k] >= 'A' && p[k] <= 'Z'))
        k++;
    if (lower && k < n) {
        hf_splits_reset(buf);
        if (!hf_splits_reserve(buf, n))
            return false;
        memcpy(buf->text, p, n);
        for (; k < n; k++)
            if (buf->text[k] >= 'A' && buf->text[k] <= 'Z')
                buf->text[k] += 'a' - 'A';
        p = buf->text;
    }
    return d->put(d->ctx, p, n, TOK_NO_ID);
}

/* s[a..b) of split sp through the normalizers and the pre-tokenizer, its pieces onto out. */
static bool staged(const hf_pipeline *hp, const hf_splits *in, const hf_split *sp, size_t a,
                   size_t b, hf_splits *out, hf_splits *x, hf_splits *y, hf_splits *tmp)
{
    hf_splits_reset(x);
    const uint32_t *a0 = in->track ? in->a0 + sp->off + a : NULL,
                   *a1 = in->track ? in->a1 + sp->off + a : NULL;
    if (!hf_splits_add(x, in->text + sp->off + a, b - a, a0, a1, 0, TOK_NO_ID,
                       a0 ? a0[0] : sp->orig0 + (uint32_t)a,
                       a1 ? a1[b - a - 1] : sp->orig0 + (uint32_t)b))
        return false;
    for (size_t k = 0; k < hp->n_norms; k++) {
        hf_splits_reset(y);
        if (!hf_normalize(&hp->norms[k], x, 0, y))
            return false;
        hf_splits *t = x;
        x = y;
        y = t;
    }
    return !x->v[0].len || hf_pretokenize(&hp->pretoks[0], x, out, tmp);
}

/* A CJK ideograph that handle_chinese_chars sets apart and no step after it changes: the
 * unified blocks (no decomposition, no case, not a mark; unassigned ones stay as they are). */
static unsigned ideograph(const uint8_t *s, size_t n)
{
    if (s[0] < 0xE3 || s[0] > 0xF0 || n < 3)
        return 0;
    unsigned cl;
    uint32_t c = tok_utf8_decode(s, &cl);
    if (cl > n || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
        (cl == 4 && (s[3] & 0xC0) != 0x80))
        return 0;
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
                   (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2CEAF)
               ? cl
               : 0;
}

/* Are CJK ideographs pieces of their own before the other steps see them: handle_chinese_chars,
 * with nothing before it but clean (which keeps them)? */
static bool ideographs_apart(const hf_pipeline *hp)
{
    for (size_t k = 0; k < hp->n_norms; k++) {
        if (hp->norms[k].kind == HF_BERT_CHINESE)
            return true;
        if (hp->norms[k].kind != HF_BERT_CLEAN)
            return false;
    }
    return false;
}

bool hf_words_pieces(const hf_pipeline *hp, const hf_splits *in, size_t i, hf_splits *out,
                     hf_splits *x, hf_splits *y, hf_splits *tmp)
{
    const hf_piece_sink *d = out->sink; /* the stages' pieces reach it through out as well */
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    bool lower = false, cjk = ideographs_apart(hp);
    for (size_t k = 0; k < hp->n_norms; k++)
        lower = lower || hp->norms[k].kind == HF_LOWERCASE;
#define PIECE(a, b, low) (d ? piece_to(d, in, sp, a, b, low, y) : piece(in, sp, a, b, low, out))
#define STAGED(a, b) staged(hp, in, sp, a, b, out, x, y, tmp)
    size_t g = SIZE_MAX; /* where the stretch for the stages began */
    for (size_t u = 0; u < n;) {
        size_t e = u; /* the unit: up to the next whitespace */
        bool plain = true;
        unsigned seen = 0; /* 1: punctuation, 2: a capital, 4: an ideograph */
        for (;;) {
            uint8_t c;
            while (e < n && (uint8_t)((c = s[e]) - 0x21) < 0x7F - 0x21) { /* printable ASCII */
                seen |= (unsigned)is_punct(c) | (unsigned)((uint8_t)(c - 'A') < 26) << 1;
                e++;
            }
            if (e == n || is_space(s[e]))
                break;
            unsigned cl = s[e] >= 0x80 && cjk ? ideograph(s + e, n - e) : 0;
            plain = plain && cl;
            seen |= 4;
            e += cl ? cl : 1;
        }
        if (plain && e > u && !(seen & 5)) { /* one word, no piece inside */
            if (g != SIZE_MAX && !STAGED(g, u))
                return false;
            g = SIZE_MAX;
            if (!PIECE(u, e, lower && (seen & 2)))
                return false;
        } else if (plain && e > u) {
            if (g != SIZE_MAX && !STAGED(g, u))
                return false;
            g = SIZE_MAX;
            size_t w = u;
            for (size_t k = u; k < e;) {
                while (k < e && s[k] < 0x80 && !is_punct(s[k]))
                    k++;
                if (k == e)
                    break;
                /* a piece of its own: punctuation, or an ideograph (all a plain unit has
                 * above ASCII) */
                size_t cl = s[k] >= 0x80 ? ideograph(s + k, e - k) : 1;
                if ((k > w && !PIECE(w, k, lower)) || !PIECE(k, k + cl, false))
                    return false;
                w = k += cl;
            }
            if (e > w && !PIECE(w, e, lower))
                return false;
        } else if (e > u && g == SIZE_MAX) {
            g = u;
        }
        while (e < n && is_space(s[e]))
            e++;
        u = e;
    }
    return g == SIZE_MAX || STAGED(g, n);
#undef PIECE
#undef STAGED
}
