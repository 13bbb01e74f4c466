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
 * drops them, joining their neighbours). */
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

/* BertPreTokenizer's punctuation, on ASCII */
static bool is_punct(uint8_t b)
{
    return (b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x40) || (b >= 0x5B && b <= 0x60) ||
           (b >= 0x7B && b <= 0x7E);
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
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    bool lower = false, cjk = ideographs_apart(hp);
    for (size_t k = 0; k < hp->n_norms; k++)
        lower = lower || hp->norms[k].kind == HF_LOWERCASE;
    size_t g = SIZE_MAX; /* where the stretch for the stages began */
    for (size_t u = 0; u < n;) {
        size_t e = u; /* the unit: up to the next whitespace */
        bool plain = true;
        while (e < n && !is_space(s[e])) {
            unsigned cl = s[e] >= 0x80 && cjk ? ideograph(s + e, n - e) : 0;
            plain = plain && ((s[e] > 0x20 && s[e] < 0x7F) || cl);
            e += cl ? cl : 1;
        }
        if (plain && e > u) {
            if (g != SIZE_MAX && !staged(hp, in, sp, g, u, out, x, y, tmp))
                return false;
            g = SIZE_MAX;
            size_t w = u;
            for (size_t k = u; k < e; k++) {
                size_t cl = s[k] >= 0x80 ? ideograph(s + k, e - k) : is_punct(s[k]);
                if (cl) { /* a piece of its own */
                    if ((k > w && !piece(in, sp, w, k, lower, out)) ||
                        !piece(in, sp, k, k + cl, false, out))
                        return false;
                    w = k + cl;
                    k += cl - 1;
                }
            }
            if (e > w && !piece(in, sp, w, e, lower, out))
                return false;
        } else if (e > u && g == SIZE_MAX) {
            g = u;
        }
        while (e < n && is_space(s[e]))
            e++;
        u = e;
    }
    return g == SIZE_MAX || staged(hp, in, sp, g, n, out, x, y, tmp);
}
