/* added_vocabulary: added tokens in the text (tokenizer/added_vocabulary.rs find_matches and
 * split_with_indices): the leftmost-longest match of the added tokens' texts, with their
 * single_word, lstrip and rstrip rules, cut out of a split as token splits. The encoder runs it
 * on the raw text (tokens with normalized: false) and again after normalizing (the others). */
#include "formats/hf/hf.h"

/* \w of Rust's regex crate (AddedToken single_word checks) */
static bool word_char(uint32_t cp)
{
    uint8_t p = tok_uni_props(cp);
    unsigned gc = p & 31;
    return (p & TOK_UNI_ALPHA) || tok_gc_is_mark(gc) || gc == TOK_GC_Nd || gc == TOK_GC_Pc ||
           cp == 0x200C || cp == 0x200D;
}

static bool white(uint32_t cp) { return (tok_uni_props(cp) & TOK_UNI_WS) != 0; }

/* The character ending just before s[k] (k > 0). */
static uint32_t char_before(const uint8_t *s, size_t k, size_t *start)
{
    size_t b = k - 1;
    while (b > 0 && (s[b] & 0xC0) == 0x80)
        b--;
    unsigned cl;
    *start = b;
    return tok_utf8_decode(s + b, &cl);
}

size_t hf_next_added(const hf_pipeline *hp, const tok_specials *sp, const uint8_t *s,
                     size_t from, size_t to, tok_special_policy policy, size_t *which)
{
    size_t at = sp->n ? tok_specials_find(sp, s, from, to, which) : to;
    while (at < to && hp->added[sp->toks[*which].id].special && policy == TOK_SPECIAL_ORDINARY)
        at = tok_specials_find(sp, s, at + sp->toks[*which].len, to, which);
    return at;
}

bool hf_split_added(const hf_pipeline *hp, const tok_specials *match, tok_special_policy policy,
                    const hf_splits *in, size_t i, hf_splits *out, const tok_call *call,
                    tok_error *err, tok_status *st, bool *untouched)
{
    if (untouched)
        *untouched = false;
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len, start_offset = 0, pos = 0;
    const uint32_t *a0 = in->track ? in->a0 + sp->off : NULL, *a1 = in->track ? in->a1 + sp->off : NULL;
#define EMIT(x, y, tok)                                                                    \
    do {                                                                                   \
        size_t x_ = (x), y_ = (y);                                                         \
        if (y_ > x_ &&                                                                     \
            !hf_splits_add(out, s + x_, y_ - x_, a0 ? a0 + x_ : NULL, a1 ? a1 + x_ : NULL, 0, \
                           (tok), a0 ? a0[x_] : sp->orig0 + (uint32_t)x_,                  \
                           a1 ? a1[y_ - 1] : sp->orig0 + (uint32_t)y_))                    \
            return false;                                                                  \
    } while (0)
    while (pos < n) {
        size_t which, at = tok_specials_find(match, s, pos, n, &which);
        if (at >= n)
            break;
        const hf_added *ad = &hp->added[match->toks[which].id];
        size_t start = at, stop = at + match->toks[which].len;
        pos = stop; /* the search resumes after the match, whatever happens to it */
        if (ad->special && policy == TOK_SPECIAL_ORDINARY)
            continue;
        if (ad->single_word) {
            size_t b;
            bool start_space = start == 0 || !word_char(char_before(s, start, &b));
            unsigned cl;
            bool stop_space = stop == n || !word_char(tok_utf8_decode(s + stop, &cl));
            if (!start_space || !stop_space)
                continue;
        }
        if (ad->special && policy == TOK_SPECIAL_REJECT) {
            uint32_t where = a0 ? a0[start] : sp->orig0 + (uint32_t)start;
            *st = tok_fail_special(call, err, ad->content, ad->len, where);
            return false;
        }
        if (ad->lstrip) { /* \s*$ on the text before: extend left over whitespace */
            size_t ns = start;
            while (ns > 0) {
                size_t b;
                if (!white(char_before(s, ns, &b)))
                    break;
                ns = b;
            }
            start = ns > start_offset ? ns : start_offset;
        }
        if (ad->rstrip) { /* ^\s* on the text after */
            while (stop < n) {
                unsigned cl;
                if (!white(tok_utf8_decode(s + stop, &cl)))
                    break;
                stop += cl;
            }
        }
        if (start_offset < start)
            EMIT(start_offset, start, TOK_NO_ID);
        EMIT(start, stop, ad->id);
        start_offset = stop;
    }
    if (start_offset == 0 && n && untouched) { /* no token used: the caller keeps the split
                                                 * (an empty one goes, as HF drops it) */
        *untouched = true;
        return true;
    }
    if (start_offset < n)
        EMIT(start_offset, n, TOK_NO_ID);
#undef EMIT
    return true;
}
