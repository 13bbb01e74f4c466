/* hf_encode: running a tokenizer.json pipeline (tokenizer/mod.rs encode_single_sequence and
 * post_process, added_vocabulary.rs extract_and_normalize):
 *
 *   added tokens on the raw text -> normalizer -> added tokens on the normalized text
 *   -> pre-tokenizers -> model per piece -> truncation -> post-processor -> ids and spans
 *
 * Spans are byte offsets into the input: each normalized byte carries the original span it came
 * from (tracked only when the caller wants spans or a component needs them). Special-token
 * policy: ordinary is HF's encode_special_tokens=true (special added tokens are plain text;
 * other added tokens still match), allow is HF's default, reject fails on special text. */
#include "hf.h"
#include "unicode.h"

#include <stdio.h>
#include <string.h>

typedef struct enc {
    const tok_tokenizer *t;
    const hf_pipeline *hp;
    tok_special_policy policy;
    hf_splits a, b, tmp, tmp2;
    hf_tokens toks;
    tok_scratch *sc;
    tok_error *err;
    tok_status st;
} enc;

static void swap(hf_splits *x, hf_splits *y)
{
    hf_splits t = *x;
    *x = *y;
    *y = t;
}

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

/* AddedVocabulary::find_matches on one split, writing text and token splits. */
static bool split_added(enc *e, const tok_specials *match, const hf_splits *in, size_t i,
                        hf_splits *out)
{
    const hf_pipeline *hp = e->hp;
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
        if (ad->special && e->policy == TOK_SPECIAL_ORDINARY)
            continue;
        if (ad->single_word) {
            size_t b;
            bool start_space = start == 0 || !word_char(char_before(s, start, &b));
            unsigned cl;
            bool stop_space = stop == n || !word_char(tok_utf8_decode(s + stop, &cl));
            if (!start_space || !stop_space)
                continue;
        }
        if (ad->special && e->policy == TOK_SPECIAL_REJECT) {
            uint32_t where = a0 ? a0[start] : sp->orig0 + (uint32_t)start;
            e->st = tok_fail(e->err, TOK_ESPECIAL, NULL, where,
                             "special token %.*s at byte %u is not allowed (the special-token "
                             "policy is reject)",
                             (int)ad->len, (const char *)ad->content, where);
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
    if (start_offset < n)
        EMIT(start_offset, n, TOK_NO_ID);
#undef EMIT
    return true;
}

static bool each_added(enc *e, const tok_specials *match)
{
    hf_splits_reset(&e->b);
    for (size_t i = 0; i < e->a.n; i++) {
        bool ok = e->a.v[i].token != TOK_NO_ID ? hf_splits_copy(&e->b, &e->a, i)
                                                : split_added(e, match, &e->a, i, &e->b);
        if (!ok)
            return false;
    }
    swap(&e->a, &e->b);
    return true;
}

/* The normalizer chain on every text split (a Sequence runs its members one after another on
 * the same NormalizedString). */
static bool normalize_all(enc *e)
{
    const hf_pipeline *hp = e->hp;
    hf_splits_reset(&e->b);
    for (size_t i = 0; i < e->a.n; i++) {
        if (e->a.v[i].token != TOK_NO_ID) {
            if (!hf_splits_copy(&e->b, &e->a, i))
                return false;
            continue;
        }
        hf_splits *x = &e->tmp, *y = &e->tmp2;
        hf_splits_reset(x);
        if (!hf_splits_copy(x, &e->a, i))
            return false;
        for (size_t k = 0; k < hp->n_norms; k++) {
            hf_splits_reset(y);
            if (!hf_normalize(&hp->norms[k], x, 0, y))
                return false;
            hf_splits *t = x;
            x = y;
            y = t;
        }
        if (x->v[0].len && !hf_splits_copy(&e->b, x, 0))
            return false;
    }
    swap(&e->a, &e->b);
    return true;
}

static tok_status model_error(enc *e, tok_status st)
{
    if (st == TOK_EFORMAT)
        return tok_fail(e->err, TOK_EFORMAT, e->t->name, TOK_NO_OFFSET,
                        "%s: the text needs the unknown token, which is not in the vocabulary",
                        e->t->name);
    return tok_fail(e->err, st, NULL, TOK_NO_OFFSET, "out of memory");
}

/* Leading and trailing spaces of a token's text, as ByteLevel's process_offsets counts them. */
/* process_offsets counts a token's leading and trailing characters that are a space ('Ġ' in the
 * byte-level alphabet) or Unicode whitespace, the two ends independently (a lone space counts at
 * both). Byte-level model tokens are stored as the bytes they stand for, where only 0x20 is such
 * a character; added tokens and other vocabularies are text, where any White_Space character
 * counts, one each: HF adds the character count to the byte offset. */
static bool trim_char(const uint8_t *b, size_t len, size_t i, bool raw, unsigned *n)
{
    if (raw || b[i] < 0x80) {
        *n = 1;
        return b[i] == ' ' || (!raw && b[i] < 0x80 && (tok_uni_props(b[i]) & TOK_UNI_WS));
    }
    uint32_t cp = tok_utf8_decode(b + i, n);
    return i + *n <= len && (tok_uni_props(cp) & TOK_UNI_WS);
}

static void token_spaces(const tok_tokenizer *t, uint32_t id, const uint8_t *text, tok_span sp,
                         size_t *lead, size_t *trail)
{
    const hf_pipeline *hp = t->impl;
    const char *s;
    size_t len;
    *lead = *trail = 0;
    /* An added token's value is the text it matched, with the spaces lstrip/rstrip absorbed
     * (AddedVocabulary::split_with_indices takes the slice), so "<tok> " trims its space. The
     * original text stands for the normalized one here: normalizers keep white space white. */
    const hf_added *ad = hf_added_of(hp, id);
    if (ad) {
        s = (const char *)text + sp.start;
        len = (size_t)(sp.end - sp.start);
    } else if (tok_token_bytes(t, id, &s, &len) != TOK_OK) {
        return;
    }
    const uint8_t *b = (const uint8_t *)s;
    bool raw = hp->model.byte_level && !ad;
    unsigned n;
    for (size_t i = 0; i < len && trim_char(b, len, i, raw, &n); i += n)
        ++*lead;
    for (size_t e = len; e > 0;) {
        size_t i = e - 1;
        while (!raw && i > 0 && (b[i] & 0xC0) == 0x80)
            i--;
        if (!trim_char(b, len, i, raw, &n) || i + n != e)
            break;
        ++*trail;
        e = i;
    }
}

/* Truncation, offset trimming and the post-processor's template, then out (post_process). */
/* HF trims after converting the spans to characters (the binding encodes with character
 * offsets; the post-processor runs on those): so the counts move a span's ends by that many
 * characters of the text s[0..n), which differs from bytes where a space was normalized from a
 * wider one (U+3000 -> ' '). */
static uint64_t chars_forward(const uint8_t *s, uint64_t pos, uint64_t limit, size_t k)
{
    for (; k > 0 && pos < limit; k--)
        do
            pos++;
        while (pos < limit && (s[pos] & 0xC0) == 0x80);
    return pos;
}

void hf_post_process(const tok_tokenizer *t, const uint8_t *s, size_t n, uint32_t *ids,
                     tok_span *spans, size_t nt, bool add_special, tok_out *o)
{
    const hf_pipeline *hp = t->impl;
        /* truncation, leaving room for the added special tokens */
        size_t added = 0;
        if (add_special)
            for (size_t k = 0; k < hp->post.n_single; k++)
                added += hp->post.single[k].n_ids;
        if (hp->trunc_max) {
            size_t max = hp->trunc_max > added ? hp->trunc_max - added : 0;
            if (nt > max) {
                if (hp->trunc_left) {
                    memmove(ids, ids + (nt - max), max * sizeof *ids);
                    memmove(spans, spans + (nt - max), max * sizeof *spans);
                }
                nt = max;
            }
        }
        /* ByteLevel / Roberta offset trimming (process_offsets) */
        bool trim = hp->post.bytelevel_trim || hp->post.roberta_trim;
        bool prefix = hp->post.bytelevel_trim ? hp->post.bytelevel_prefix : hp->post.roberta_prefix;
        for (size_t k = 0; trim && o->want_spans && k < nt; k++) {
            size_t lead, trail;
            token_spaces(t, ids[k], s, spans[k], &lead, &trail);
            if (lead) {
                bool is_first = k == 0 || spans[k].start == 0;
                if (is_first && prefix && lead == 1)
                    lead = 0;
                spans[k].start = chars_forward(s, spans[k].start, spans[k].end, lead);
            }
            if (trail) {
                /* back `trail` characters, if the text has that many before the end, and
                 * not before the start */
                uint64_t e = spans[k].end;
                size_t c = 0;
                while (c < trail && e > 0) {
                    do
                        e--;
                    while (e > 0 && (s[e] & 0xC0) == 0x80);
                    c++;
                }
                if (c == trail)
                    spans[k].end = e > spans[k].start ? e : spans[k].start;
            }
        }
        /* the template: special pieces only with add-special, the sequence always */
        if (hp->post.n_single) {
            for (size_t k = 0; k < hp->post.n_single; k++) {
                const hf_piece *pc = &hp->post.single[k];
                if (pc->is_sequence) {
                    for (size_t j = 0; j < nt; j++)
                        tok_out_push(o, ids[j], spans[j].start, spans[j].end);
                } else if (add_special) {
                    for (size_t j = 0; j < pc->n_ids; j++)
                        tok_out_push(o, pc->ids[j], 0, 0);
                }
            }
        } else {
            for (size_t j = 0; j < nt; j++)
                tok_out_push(o, ids[j], spans[j].start, spans[j].end);
        }
}

static tok_status hf_encode(const tok_tokenizer *t, const uint8_t *s, size_t n,
                            const tok_encode_options *opts, tok_out *o, tok_scratch *sc,
                            tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    if (hp->fast && !getenv("TOK_HF_GENERAL")) /* the env var: tests compare both paths */
        return hf_encode_fast(t, s, n, opts, o, sc, err);
    return hf_encode_general(t, s, n, opts, o, sc, err);
}

tok_status hf_encode_general(const tok_tokenizer *t, const uint8_t *s, size_t n,
                             const tok_encode_options *opts, tok_out *o, tok_scratch *sc,
                             tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    enc e = {.t = t, .hp = hp, .policy = opts ? opts->special : TOK_SPECIAL_ORDINARY, .sc = sc,
             .err = err, .st = TOK_OK};
    bool add_special = opts && (opts->flags & TOK_ENCODE_ADD_SPECIAL);
    bool track = o->want_spans || hp->needs_align;
    hf_splits_init(&e.a, track);
    hf_splits_init(&e.b, track);
    hf_splits_init(&e.tmp, track);
    hf_splits_init(&e.tmp2, track);
    bool ok = hf_splits_add(&e.a, s, n, NULL, NULL, 0, TOK_NO_ID, 0, (uint32_t)n);
    if (ok && hp->raw_match.n)
        ok = each_added(&e, &hp->raw_match);
    if (ok && hp->n_norms)
        ok = normalize_all(&e);
    if (ok && hp->norm_match.n)
        ok = each_added(&e, &hp->norm_match);
    for (size_t k = 0; ok && k < hp->n_pretoks; k++) {
        hf_splits_reset(&e.b);
        ok = hf_pretokenize(&hp->pretoks[k], &e.a, &e.b, &e.tmp);
        if (ok)
            swap(&e.a, &e.b);
    }
    tok_status st = TOK_OK;
    if (!ok)
        st = e.st != TOK_OK ? e.st : tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");

    /* the model, piece by piece; spans through the alignments */
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t nt = 0, cap = 0;
    for (size_t i = 0; st == TOK_OK && i < e.a.n; i++) {
        const hf_split *sp = &e.a.v[i];
        const uint8_t *p = e.a.text + sp->off;
        e.toks.n = 0;
        if (sp->token != TOK_NO_ID) {
            ok = hf_tokens_push(&e.toks, sp->token, 0, sp->len);
        } else {
            tok_status ms = TOK_OK;
            switch (hp->model.kind) {
            case HF_BPE: ms = hf_bpe_tokenize(t, &hp->model, p, sp->len, &e.toks, sc); break;
            case HF_WORDPIECE: ms = hf_wordpiece_tokenize(t, &hp->model, p, sp->len, &e.toks); break;
            case HF_WORDLEVEL: ms = hf_wordlevel_tokenize(t, &hp->model, p, sp->len, &e.toks); break;
            case HF_UNIGRAM: ms = hf_unigram_tokenize(t, &hp->model, p, sp->len, &e.toks, sc); break;
            }
            if (ms != TOK_OK) {
                st = model_error(&e, ms);
                break;
            }
        }
        if (!ok || e.toks.oom) {
            st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
            break;
        }
        if (nt + e.toks.n > cap) {
            size_t nc = cap ? cap * 2 : 256;
            while (nc < nt + e.toks.n)
                nc *= 2;
            uint32_t *ni = realloc(ids, nc * sizeof *ni);
            if (ni)
                ids = ni;
            tok_span *nsp = ni ? realloc(spans, nc * sizeof *nsp) : NULL;
            if (nsp)
                spans = nsp;
            if (!ni || !nsp) {
                st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
                break;
            }
            cap = nc;
        }
        for (size_t k = 0; k < e.toks.n; k++) {
            uint32_t a = e.toks.start[k], b = e.toks.end[k];
            ids[nt] = e.toks.id[k];
            if (track && b > a) {
                spans[nt].start = e.a.a0[sp->off + a];
                spans[nt].end = e.a.a1[sp->off + b - 1];
            } else { /* an empty range converts to itself, shifted by the split's start */
                spans[nt].start = sp->orig0 + a;
                spans[nt].end = sp->orig0 + b;
            }
            nt++;
        }
    }

    if (st == TOK_OK)
        hf_post_process(t, s, n, ids, spans, nt, add_special, o);
    free(ids);
    free(spans);
    free(e.toks.id);
    free(e.toks.start);
    free(e.toks.end);
    hf_splits_free(&e.a);
    hf_splits_free(&e.b);
    hf_splits_free(&e.tmp);
    hf_splits_free(&e.tmp2);
    return st;
}

static void free_impl(void *impl) { hf_pipeline_free(impl); }

const tok_format_ops hf_ops = {hf_encode, hf_decode, free_impl};
