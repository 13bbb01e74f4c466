/* pre_tokenizers: HF's pre-tokenizers (tokenizers/src/pre_tokenizers/), over split lists.
 *
 * Every pre-tokenizer is "find matches, then cut by a behavior" (NormalizedString::split):
 * matches come from a regex (Split, ByteLevel's GPT-2 regex), a character predicate (Bert,
 * Punctuation, Digits, WhitespaceSplit, CharDelimiterSplit) or positions (UnicodeScripts,
 * FixedLength); cut() applies HF's behaviors to the (range, is_match) list. Metaspace and
 * ByteLevel first transform the text (replace spaces, add a prefix space). */
#include "formats/hf/hf.h"

#include <string.h>

/* 32-bit like the split offsets (hf_split): a run of spaces is a range per byte */
typedef struct range {
    uint32_t a, b;
    bool match;
} range;

typedef struct ranges {
    range *v;
    size_t n, cap;
    bool oom;
} ranges;

static void push(ranges *r, size_t a, size_t b, bool match)
{
    if (!tok_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v, 64)) {
        r->oom = true;
        return;
    }
    r->v[r->n++] = (range){(uint32_t)a, (uint32_t)b, match};
}

/* Append the slice [a, b) of split sp of in to out as a new split (alignments kept). */
static bool slice(const hf_splits *in, const hf_split *sp, size_t a, size_t b, hf_splits *out)
{
    if (b <= a)
        return true; /* empty splits are dropped, as PreTokenizedString::split does */
    if (out->sink)
        return out->sink->put(out->sink->ctx, in->text + sp->off + a, b - a, TOK_NO_ID);
    const uint32_t *a0 = in->track ? in->a0 + sp->off + a : NULL;
    const uint32_t *a1 = in->track ? in->a1 + sp->off + a : NULL;
    uint32_t o0 = a0 ? a0[0] : sp->orig0 + (uint32_t)a;
    uint32_t o1 = a1 ? a1[b - a - 1] : sp->orig0 + (uint32_t)b;
    return hf_splits_add(out, in->text + sp->off + a, b - a, a0, a1, 0, TOK_NO_ID, o0, o1);
}

/* NormalizedString::split: apply a behavior to the (range, is_match) list, then slice. */
static bool cut(const hf_splits *in, const hf_split *sp, ranges *m, hf_behavior behavior,
                bool invert, hf_splits *out)
{
    if (m->oom)
        return false;
    for (size_t k = 0; invert && k < m->n; k++)
        m->v[k].match = !m->v[k].match;
    /* compute the pieces as (a, b, remove) in place */
    size_t n = 0;
    bool prev = false;
    switch (behavior) {
    case HF_ISOLATED:
        for (size_t k = 0; k < m->n; k++)
            m->v[k].match = false;
        n = m->n;
        break;
    case HF_REMOVED:
        n = m->n;
        break;
    case HF_CONTIGUOUS:
        for (size_t k = 0; k < m->n; k++) {
            bool is = m->v[k].match;
            if (is == prev && n > 0)
                m->v[n - 1].b = m->v[k].b;
            else
                m->v[n++] = (range){m->v[k].a, m->v[k].b, false};
            prev = is;
        }
        break;
    case HF_MERGED_PREV:
        for (size_t k = 0; k < m->n; k++) {
            bool is = m->v[k].match;
            if (is && !prev && n > 0)
                m->v[n - 1].b = m->v[k].b;
            else
                m->v[n++] = (range){m->v[k].a, m->v[k].b, false};
            prev = is;
        }
        break;
    case HF_MERGED_NEXT: {
        /* fold from the right: a match joins the piece after it */
        size_t w = m->n;
        for (size_t k = m->n; k-- > 0;) {
            bool is = m->v[k].match;
            if (is && !prev && w < m->n)
                m->v[w].a = m->v[k].a;
            else
                m->v[--w] = (range){m->v[k].a, m->v[k].b, false};
            prev = is;
        }
        memmove(m->v, m->v + w, (m->n - w) * sizeof *m->v);
        n = m->n - w;
        break;
    }
    }
    for (size_t k = 0; k < n; k++)
        if (!m->v[k].match && !slice(in, sp, m->v[k].a, m->v[k].b, out))
            return false;
    return true;
}

/* Pattern::find_matches for a regex: matches and the gaps between them. */
static void regex_ranges(const void *re, const uint8_t *s, size_t n, ranges *r)
{
    if (n == 0) {
        push(r, 0, 0, false);
        return;
    }
    tok_match_iter it;
    tok_match_begin(&it, re, s, n);
    size_t prev = 0, a, b;
    while (tok_match_next(&it, &a, &b)) {
        if (a != prev)
            push(r, prev, a, false);
        push(r, a, b, true);
        prev = b;
    }
    if (it.failed)
        r->oom = true;
    if (prev != n)
        push(r, prev, n, false);
}

/* The same for a hand-written scanner whose matches tile the text. */
static void scan_ranges(tok_pretok_fn scan, const uint8_t *s, size_t n, ranges *r)
{
    if (n == 0) {
        push(r, 0, 0, false);
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t j = scan(s, i, n);
        push(r, i, j, true);
        i = j;
    }
}

/* Pattern::find_matches for a character predicate: each matching character alone, runs of the
 * others together. */
static void char_ranges(bool (*pred)(uint32_t cp, const hf_pretok *pt), const hf_pretok *pt,
                        const uint8_t *s, size_t n, ranges *r)
{
    if (n == 0) {
        push(r, 0, 0, false);
        return;
    }
    size_t last = 0;
    for (size_t k = 0; k < n;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        if (pred(cp, pt)) {
            if (last < k)
                push(r, last, k, false);
            push(r, k, k + cl, true);
            last = k + cl;
        }
        k += cl;
    }
    if (last < n)
        push(r, last, n, false);
}

/* char_ranges for one character d, found by its bytes (Metaspace's U+2581, CharDelimiterSplit's
 * delimiter: no decoding of every character between) */
static void delim_ranges(uint32_t d, const uint8_t *s, size_t n, ranges *r)
{
    if (n == 0) {
        push(r, 0, 0, false);
        return;
    }
    uint8_t db[4];
    size_t dl = tok_utf8_encode(d, db), last = 0;
    for (const uint8_t *p = s; (p = tok_find(p, n - (size_t)(p - s), db, dl));) {
        size_t k = (size_t)(p - s); /* valid UTF-8: a whole character's bytes start one */
        if (last < k)
            push(r, last, k, false);
        push(r, k, k + dl, true);
        last = k + dl;
        p += dl;
    }
    if (last < n)
        push(r, last, n, false);
}

/* delim_ranges then cut with MergedWithNext, in one pass and without the list of ranges, for a
 * sink (no alignments): each delimiter joins the text after it, unless a delimiter or the end
 * comes next (then it is a piece alone); text before the first delimiter is a piece alone. */
static bool metaspace_pieces(uint32_t d, const hf_splits *in, const hf_split *sp, hf_splits *out)
{
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    uint8_t db[4];
    size_t dl = tok_utf8_encode(d, db);
    for (size_t i = 0; i < n;) {
        size_t a = i;
        if (n - i >= dl && !memcmp(s + i, db, dl))
            i += dl; /* a delimiter: to the next one (at once if one follows), or the end */
        const uint8_t *q = tok_find(s + i, n - i, db, dl);
        i = q ? (size_t)(q - s) : n;
        if (!slice(in, sp, a, i, out))
            return false;
    }
    return true;
}

/* ---- character classes, as Rust's char methods ---- */

static bool is_ws(uint32_t cp, const hf_pretok *pt)
{
    (void)pt;
    return (tok_uni_props(cp) & TOK_UNI_WS) != 0;
}

/* char::is_ascii_punctuation || unicode_categories' is_punctuation (general category P*, in
 * that crate's Unicode 8.0) */
static bool is_punc(uint32_t cp, const hf_pretok *pt)
{
    (void)pt;
    if (cp < 0x80)
        return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
               (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
    return tok_gc_is_punct(tok_uni_gc_old(tok_uni_gc8, tok_uni_gc8_n, cp));
}

static bool is_numeric(uint32_t cp, const hf_pretok *pt)
{
    (void)pt;
    return tok_gc_is_number(tok_uni_gc(cp));
}

/* \w of Rust's regex crate: Alphabetic, marks, decimal digits, connector punctuation, joiners */
static bool is_word(uint32_t cp)
{
    uint8_t p = tok_uni_props(cp);
    unsigned gc = p & 31;
    return (p & TOK_UNI_ALPHA) || tok_gc_is_mark(gc) || gc == TOK_GC_Nd || gc == TOK_GC_Pc ||
           cp == 0x200C || cp == 0x200D;
}

/* Whitespace: the matches of \w+|[^\w\s]+ are the pieces (Invert + Removed). */
static void whitespace_ranges(const uint8_t *s, size_t n, ranges *r)
{
    if (n == 0) {
        push(r, 0, 0, false);
        return;
    }
    size_t prev = 0;
    for (size_t k = 0; k < n;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        int kind = is_word(cp) ? 1 : (tok_uni_props(cp) & TOK_UNI_WS) ? 0 : 2;
        if (kind == 0) {
            k += cl;
            continue;
        }
        size_t j = k + cl;
        while (j < n) {
            unsigned l2;
            uint32_t c2 = tok_utf8_decode(s + j, &l2);
            int k2 = is_word(c2) ? 1 : (tok_uni_props(c2) & TOK_UNI_WS) ? 0 : 2;
            if (k2 != kind)
                break;
            j += l2;
        }
        if (k != prev)
            push(r, prev, k, false);
        push(r, k, j, true);
        prev = j;
        k = j;
    }
    if (prev != n)
        push(r, prev, n, false);
}

/* ---- the pre-tokenizers ---- */

static bool each_split(const hf_pretok *pt, const hf_splits *in, hf_splits *out, hf_splits *tmp);
bool hf_scripts_split(const hf_splits *in, const hf_split *sp, hf_splits *out);

bool hf_pretokenize(const hf_pretok *pt, const hf_splits *in, hf_splits *out, hf_splits *tmp)
{
    return each_split(pt, in, out, tmp);
}

/* metaspace_text's result when no alignments are kept, written in one pass: the replacement
 * in front (when wanted, and the text does not start with a space or the replacement itself,
 * which is what the transform below checks on its result), then the text with each space
 * replaced. */
static bool metaspace_bytes(const uint8_t *s, const hf_split *sp, const uint8_t *rep, size_t rl,
                            bool want, hf_splits *tmp, hf_tx *t)
{
    size_t n = sp->len;
    bool front = want && n && s[0] != ' ' && !(n >= rl && !memcmp(s, rep, rl));
    return hf_splits_put_replacing(tmp, s, n, ' ', rep, rl, front, NULL) &&
           hf_tx_end(t, sp->token, sp->orig0, sp->orig1);
}

/* Metaspace's text change: spaces become the replacement (NormalizedString::replace with a
 * char pattern), then the prefix per prepend_scheme (NormalizedString::prepend). Leaves the
 * result as the last split of tmp. */
static bool metaspace_text(const hf_pretok *pt, const hf_splits *in, size_t i, hf_splits *tmp)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    hf_tx t;
    hf_tx_begin(&t, tmp, s, in->track ? in->a0 + sp->off : NULL,
                in->track ? in->a1 + sp->off : NULL, sp->len, 0, sp->orig0);
    uint8_t rep[4] = {0};
    size_t rl = tok_utf8_encode(pt->replacement, rep);
    bool want = pt->prepend == HF_PREPEND_ALWAYS ||
                (pt->prepend == HF_PREPEND_FIRST && sp->orig0 == 0);
    if (!tmp->track) /* no alignments: bytes are all there is to write */
        return metaspace_bytes(s, sp, rep, rl, want, tmp, &t);
    for (size_t k = 0; k < sp->len;) {
        const uint8_t *sp_at = tok_memchr(s + k, ' ', sp->len - k);
        size_t run = sp_at ? (size_t)(sp_at - s) : sp->len;
        if (run > k && !hf_tx_copy(&t, run - k))
            return false;
        if (run < sp->len) {
            hf_tx_skip(&t, 1);
            if (!hf_tx_insert(&t, rep, rl))
                return false;
            run++;
        }
        k = run;
    }
    if (!hf_tx_end(&t, sp->token, sp->orig0, sp->orig1))
        return false;
    hf_split r = tmp->v[tmp->n - 1];
    unsigned cl = 0;
    uint32_t first = r.len ? tok_utf8_decode(tmp->text + r.off, &cl) : 0;
    if (!want || r.len == 0 || first == pt->replacement)
        return true;
    /* prepend as a second transform, reading the first result in place: reserve first so the
     * buffer does not move under it */
    if (!hf_splits_reserve(tmp, r.len + 4))
        return false;
    hf_tx_begin(&t, tmp, tmp->text + r.off, tmp->track ? tmp->a0 + r.off : NULL,
                tmp->track ? tmp->a1 + r.off : NULL, r.len, 0, r.orig0);
    return hf_tx_push(&t, pt->replacement, 0) && hf_tx_push(&t, first, 1) &&
           hf_tx_copy(&t, r.len - cl) && hf_tx_end(&t, r.token, r.orig0, r.orig1);
}

/* ByteLevel's add_prefix_space: prepend " " unless the split starts with one. */
static bool prefix_space(const hf_splits *in, size_t i, hf_splits *tmp)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    if (sp->len == 0 || s[0] == ' ')
        return hf_splits_copy(tmp, in, i);
    unsigned cl;
    uint32_t first = tok_utf8_decode(s, &cl);
    hf_tx t;
    hf_tx_begin(&t, tmp, s, in->track ? in->a0 + sp->off : NULL,
                in->track ? in->a1 + sp->off : NULL, sp->len, 0, sp->orig0);
    return hf_tx_push(&t, ' ', 0) && hf_tx_push(&t, first, 1) && hf_tx_copy(&t, sp->len - cl) &&
           hf_tx_end(&t, sp->token, sp->orig0, sp->orig1);
}

static bool each_split(const hf_pretok *pt, const hf_splits *in, hf_splits *out, hf_splits *tmp)
{
    ranges r = {0};
    bool ok = true;
    for (size_t i = 0; i < in->n && ok; i++) {
        const hf_split *sp = &in->v[i];
        if (sp->token != TOK_NO_ID) { /* already a token: passes through */
            ok = hf_splits_copy(out, in, i);
            continue;
        }
        const uint8_t *s = in->text + sp->off;
        size_t n = sp->len;
        r.n = 0;
        switch (pt->kind) {
        case HF_PT_SPLIT:
            if (pt->scan)
                scan_ranges(pt->scan, s, n, &r);
            else
                regex_ranges(pt->regex, s, n, &r);
            ok = cut(in, sp, &r, pt->behavior, pt->invert, out);
            break;
        case HF_PT_BYTELEVEL: {
            const hf_splits *src = in;
            size_t si = i;
            if (pt->add_prefix_space) {
                hf_splits_reset(tmp);
                if (!(ok = prefix_space(in, i, tmp)))
                    break;
                src = tmp;
                si = 0;
            }
            if (!pt->use_regex) {
                ok = hf_splits_copy(out, src, si);
                break;
            }
            const hf_split *ss = &src->v[si];
            if (pt->scan)
                scan_ranges(pt->scan, src->text + ss->off, ss->len, &r);
            else
                regex_ranges(pt->regex, src->text + ss->off, ss->len, &r);
            ok = cut(src, ss, &r, HF_ISOLATED, false, out);
            break;
        }
        case HF_PT_METASPACE: {
            hf_splits_reset(tmp);
            uint8_t rep[4] = {0};
            size_t rl = tok_utf8_encode(pt->replacement, rep);
            if (out->sink && pt->split && !tmp->track && !tok_find(s, n, rep, rl)) {
                bool want = pt->prepend == HF_PREPEND_ALWAYS ||
                            (pt->prepend == HF_PREPEND_FIRST && sp->orig0 == 0);
                /* metaspace_bytes and metaspace_pieces in one pass: the delimiters are then
                 * exactly the replacement in front and the spaces, and MergedWithNext cuts
                 * before each, so each piece goes as soon as the next delimiter is written */
                ok = hf_splits_put_replacing(tmp, s, n, ' ', rep, rl, want && n && s[0] != ' ',
                                             out->sink);
                break;
            }
            if (!(ok = metaspace_text(pt, in, i, tmp)))
                break;
            const hf_split *ts = &tmp->v[tmp->n - 1];
            if (!pt->split) {
                ok = hf_splits_copy(out, tmp, tmp->n - 1);
                break;
            }
            if (out->sink) {
                ok = metaspace_pieces(pt->replacement, tmp, ts, out);
                break;
            }
            delim_ranges(pt->replacement, tmp->text + ts->off, ts->len, &r);
            ok = cut(tmp, ts, &r, HF_MERGED_NEXT, false, out);
            break;
        }
        case HF_PT_WHITESPACE:
            whitespace_ranges(s, n, &r);
            ok = cut(in, sp, &r, HF_REMOVED, true, out);
            break;
        case HF_PT_WHITESPACE_SPLIT:
            char_ranges(is_ws, pt, s, n, &r);
            ok = cut(in, sp, &r, HF_REMOVED, false, out);
            break;
        case HF_PT_BERT: {
            char_ranges(is_ws, pt, s, n, &r);
            hf_splits_reset(tmp);
            if (!(ok = cut(in, sp, &r, HF_REMOVED, false, tmp)))
                break;
            for (size_t k = 0; k < tmp->n && ok; k++) {
                const hf_split *ts = &tmp->v[k];
                r.n = 0;
                char_ranges(is_punc, pt, tmp->text + ts->off, ts->len, &r);
                ok = cut(tmp, ts, &r, HF_ISOLATED, false, out);
            }
            break;
        }
        case HF_PT_PUNCTUATION:
            char_ranges(is_punc, pt, s, n, &r);
            ok = cut(in, sp, &r, pt->behavior, false, out);
            break;
        case HF_PT_DIGITS:
            char_ranges(is_numeric, pt, s, n, &r);
            ok = cut(in, sp, &r, pt->individual_digits ? HF_ISOLATED : HF_CONTIGUOUS, false, out);
            break;
        case HF_PT_CHAR_DELIMITER:
            delim_ranges(pt->delimiter, s, n, &r);
            ok = cut(in, sp, &r, HF_REMOVED, false, out);
            break;
        case HF_PT_UNICODE_SCRIPTS:
            ok = hf_scripts_split(in, sp, out);
            break;
        case HF_PT_FIXED_LENGTH: {
            size_t k = 0;
            while (k < n && ok) {
                size_t start = k, chars = 0;
                while (k < n && chars < pt->length) {
                    unsigned cl;
                    tok_utf8_decode(s + k, &cl);
                    k += cl;
                    chars++;
                }
                ok = slice(in, sp, start, k, out);
            }
            break;
        }
        }
        if (r.oom)
            ok = false;
    }
    free(r.v);
    return ok && !out->oom;
}

/* ---- UnicodeScripts (pre_tokenizers/unicode_scripts): cut where the script changes ---- */

/* HF's script table is Unicode 9.0's: the 16.0 script unless cp is in the generated list of
 * differences. */
static unsigned script9(uint32_t cp)
{
    const uint32_t *r = tok_uni_range_find(tok_uni_script9, tok_uni_script9_n, cp);
    return r ? r[2] : tok_uni_script(cp);
}

/* fixed_script: Hiragana, Katakana and U+30FC count as Han; a space as "Any" (no script). */
#define SCRIPT_ANY 255
static unsigned fixed_script(uint32_t cp)
{
    if (cp == 0x30FC)
        return tok_uni_script_han;
    if (cp == ' ')
        return SCRIPT_ANY;
    unsigned sc = script9(cp);
    if (sc == tok_uni_script_hiragana || sc == tok_uni_script_katakana)
        return tok_uni_script_han;
    return sc == 0 ? SCRIPT_ANY : sc;
}

/* HF records a cut before every character whose script differs from the last script seen,
 * including the first scripted character, and slices between the cuts: characters before the
 * first cut (leading spaces) are dropped, as HF drops them. */
bool hf_scripts_split(const hf_splits *in, const hf_split *sp, hf_splits *out)
{
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len, prev = SIZE_MAX;
    unsigned last = SCRIPT_ANY + 1; /* none yet */
    for (size_t k = 0; k < n;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        unsigned sc = fixed_script(cp);
        if (sc != SCRIPT_ANY && sc != last) {
            if (prev != SIZE_MAX && !slice(in, sp, prev, k, out))
                return false;
            prev = k;
        }
        if (sc != SCRIPT_ANY)
            last = sc;
        k += cl;
    }
    return prev == SIZE_MAX || slice(in, sp, prev, n, out);
}
