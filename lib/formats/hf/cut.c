/* cut: where a tokenizer.json text may be cut for budgets (tok_format_ops.cut; the callers are
 * lib/api/budget.c and lib/api/counter.c).
 *
 * The byte-level BPE family (the fast path, encode_fast.c: GPT-2, Llama 3, Qwen, DeepSeek, ...)
 * has tiktoken's shape -- added tokens, one regex split, BPE per piece -- and is cut the same
 * way (formats/tiktoken/cut.c): where its split can be cut (split/cut.c, PCRE2's partial
 * matching), analysing s[0..m) where m is n less the longest added token (an added token
 * starting before m is entirely in s). Its other parts:
 *   - NFC (Qwen's normalizer): the split runs on the normalized text, so the analysis must see
 *     it: s is analysed only up to its last ASCII character, before which nothing appended can
 *     change the NFC form (ASCII composes with nothing before it and blocks what follows), and
 *     only if that part is NFC already (else no cut); a cut must have an ASCII character after
 *     it, so each stretch is NFC on its own;
 *   - the post-processor adds the same tokens around any text, and offset trimming is per
 *     token -- except a leading space kept on a text's first token when the processor adds a
 *     prefix space (processors.c): no cut then; truncation (a tokenizer.json "truncation")
 *     would cap the count: no cut then either;
 *   - a split regex that looks behind a search's start (\b, ^, lookbehind): no cut.
 * Pipelines off the fast path (normalizers, Metaspace, WordPiece, Unigram) are cut where
 * cut_general.c proves it.
 *
 * Restarts (TOK_CUT_RESTART, for tok_cut_point): where the fast path's scanner restarts
 * (split/cut.c proves it per pattern), when NFC composes nothing onto a line feed or before a
 * letter, no added token can straddle the cut (none holds a line feed), no truncation caps
 * the count and no offset trimming is done at all (the spans of parts are the whole's). */
#include "formats/hf/hf.h"

#include <string.h>
#include <utf8proc.h>

static bool ascii_after(void *ctx, size_t at)
{
    return ((const uint8_t *)ctx)[at] < 0x80;
}

static bool restart_cut(const hf_pipeline *hp, const uint8_t *s, size_t n, size_t *p, size_t *q)
{
    if (!hp->fast || hp->trunc_max || !tok_split_scan_restarts(hp->fast_scan) ||
        hp->post.bytelevel_trim || hp->post.roberta_trim)
        return false;
    for (size_t i = 0; i < hp->n_added; i++)
        if (memchr(hp->added[i].content, '\n', hp->added[i].len))
            return false;
    if (!s)
        return true;
    *p = *q = tok_split_cut(s, n);
    return *p > 0;
}

/* The end of the last added token of sp in s[from..to) that starts before m (found as
 * hf_encode_fast finds them: special ones are text under the ordinary policy, and tokens
 * matched on normalized text, with no normalizer, in the stretches between the others), or
 * from when there is none: text after it is a segment of its own. */
static size_t last_added_end(const hf_pipeline *hp, const tok_specials *sp, const uint8_t *s,
                             size_t from, size_t to, size_t m, tok_special_policy policy)
{
    bool nested = sp == &hp->raw_match && hp->norm_match.n;
    size_t seg = from;
    for (size_t pos = from; pos <= to;) {
        size_t which, at = hf_next_added(hp, sp, s, pos, to, policy, &which);
        if (nested && pos < m) /* the stretch before this token */
            seg = last_added_end(hp, &hp->norm_match, s, pos, at, m, policy);
        if (at >= to || at >= m)
            break;
        seg = pos = at + sp->toks[which].len;
    }
    return seg;
}

bool hf_cut(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s, size_t n,
            tok_cut_kind kind, size_t *p, size_t *q)
{
    const hf_pipeline *hp = t->impl;
    if (kind == TOK_CUT_RESTART)
        return restart_cut(hp, s, n, p, q);
    if (!hp->fast)
        return hf_cut_general(t, opts, s, n, p, q);
    bool trim = hp->post.bytelevel_trim || hp->post.roberta_trim;
    bool prefix = hp->post.bytelevel_trim ? hp->post.bytelevel_prefix : hp->post.roberta_prefix;
    if (hp->trunc_max || hp->fast_looks_back || (!hp->fast_regex && !hp->fast_scan) ||
        (trim && prefix))
        return false;
    if (!s)
        return true;
    size_t longest = hp->raw_match.longest > hp->norm_match.longest ? hp->raw_match.longest
                                                                    : hp->norm_match.longest;
    /* every policy matches the non-special added tokens: always leave room for them */
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    if (n <= longest)
        return false;
    size_t m = n - longest;
    while (m > 0 && (s[m] & 0xC0) == 0x80)
        m--;
    if (hp->n_norms) { /* NFC: up to the last ASCII character, and NFC already */
        while (m > 0 && s[m - 1] >= 0x80)
            m--;
        if (m)
            m--;
        size_t k = 0;
        while (k < m && s[k] < 0x80)
            k++;
        if (k < m) {
            utf8proc_uint8_t *r = NULL;
            utf8proc_ssize_t rl = utf8proc_map(s, (utf8proc_ssize_t)m, &r,
                                               UTF8PROC_STABLE | UTF8PROC_COMPOSE);
            bool same = rl >= 0 && (size_t)rl == m && memcmp(r, s, m) == 0;
            free(r);
            if (!same)
                return false;
        }
    }
    /* the last added token that starts before m (found as hf_encode_fast finds them: special
     * ones are text under the ordinary policy): text after it is a segment of its own */
    size_t seg = last_added_end(hp, &hp->raw_match, s, 0, n, m, policy);
    size_t cut = 0;
    if (seg < m) {
        const uint8_t *x = s + seg;
        size_t c = hp->fast_regex ? tok_regex_cut(hp->fast_regex, x, m - seg,
                                                  hp->n_norms ? ascii_after : NULL, (void *)x)
                                  : tok_pretok_cut(hp->fast_scan, x, m - seg,
                                                   hp->n_norms ? ascii_after : NULL, (void *)x);
        cut = c ? seg + c : 0;
    }
    if (!cut && seg && (!hp->n_norms || s[seg] < 0x80))
        cut = seg;
    if (!cut || cut >= n)
        return false;
    *p = *q = cut;
    return true;
}
