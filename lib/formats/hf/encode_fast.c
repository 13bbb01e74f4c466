/* encode_fast: the byte-level BPE family (GPT-2, Llama 3, Qwen2, DeepSeek, GPT-4o in HF form)
 * without split lists. Packed tokenizers whose merges are tiktoken's rank BPE (Llama 3, Qwen2,
 * GPT-2, GPT-4o) run the same split scanners and the same rank core as the built-in encodings.
 *
 * Those pipelines are: no normalizer (or NFC on text that already is NFC), added tokens matched
 * on the raw text without lstrip/rstrip/single_word, one regex split (or ByteLevel's own) whose
 * matches tile the text, ByteLevel without a prefix space, and byte-level BPE. That is
 * tiktoken's shape: split at added tokens, cut pieces with the regex, BPE each piece with the
 * file's merges -- no per-split copies or alignment arrays. Spans come out as raw byte ranges
 * widened to whole characters, which is what HF's alignments give (each byte of a character
 * is aligned to the whole character).
 *
 * A pipeline qualifies at load (hf_fast_check); the general path in encode.c handles all
 * others, and the tests compare the two on the goldens. */
#include "formats/hf/hf.h"

#include <string.h>
#include <utf8proc.h>

#define SMALL 64

/* Is id one of the tokens no merge makes (a binary search of a list of a few)? */
static bool is_unreachable(const uint32_t *unreach, uint32_t n_unreach, uint32_t id)
{
    size_t lo = 0, hi = n_unreach;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (unreach[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n_unreach && unreach[lo] == id;
}

/* A piece through the rank core (models/bpe_ranks.c): v with its tables, the unreachable list. */
static tok_status rank_piece(const tok_vocab *v, const uint32_t *unreach, uint32_t n_unreach,
                             bool ignore_merges, const uint8_t *p, size_t n, uint64_t base,
                             tok_out *o, tok_scratch *sc)
{
    if (ignore_merges || !n_unreach)
        return tok_bpe_rank_piece(v, p, n, base, o, sc) ? TOK_OK : TOK_ENOMEM;
    uint32_t id = n == 1 ? v->byte1[p[0]] : tok_vocab_find(v, p, n);
    if (id != TOK_NO_ID && !is_unreachable(unreach, n_unreach, id)) {
        tok_out_push(o, id, base, base + n);
        return TOK_OK;
    }
    return tok_bpe_rank_parts(v, p, n, base, o, sc) ? TOK_OK : TOK_ENOMEM;
}

/* BPE of one piece. Merges that are tiktoken's rank BPE go to the rank core; others are merged
 * with the file's merges (standard BPE: lowest rank, leftmost first -- HF's heap gives the same
 * order), array scan for short pieces, the generic heap merge otherwise. */
static tok_status bpe_piece(const tok_tokenizer *t, const hf_model *m, const uint8_t *p,
                            size_t n, uint64_t base, tok_out *o, tok_scratch *sc,
                            hf_tokens *tmp)
{
    const tok_vocab *v = &t->vocab;
    if (m->rank_bpe) /* tiktoken's BPE (models/bpe_ranks.c): the rank core */
        return rank_piece(v, m->unreach, m->n_unreach, m->ignore_merges, p, n, base, o, sc);
    if (m->lazy) { /* not packed: asked on the first long piece, or the first (built-in twin) */
        const hf_lazy_rank *z = n >= HF_RANK_LAZY_MIN ? hf_lazy_rank_get(t, m)
                                                      : hf_lazy_rank_ready(t, m);
        if (z)
            return rank_piece(&z->v, z->unreach, z->n_unreach, m->ignore_merges, p, n, base, o, sc);
    }
    if (m->ignore_merges) {
        uint32_t id = n == 1 ? v->byte1[p[0]] : tok_vocab_find(v, p, n);
        if (id != TOK_NO_ID) {
            tok_out_push(o, id, base, base + n);
            return TOK_OK;
        }
    }
    if (n == 1) {
        tok_out_push(o, v->byte1[p[0]], base, base + 1);
        return TOK_OK;
    }
    tok_wc_entry *slot = NULL;
    if (!m->ignore_merges) { /* with ignore_merges most words are one lookup anyway */
        const tok_wc_entry *e = tok_wc_find(m->cache_id, p, n, &slot);
        if (e) {
            for (size_t k = 0; k < e->n; k++)
                tok_out_push(o, e->ids[k], base + e->start[k], base + e->end[k]);
            return TOK_OK;
        }
    }
    if (n > SMALL) {
        tmp->n = 0;
        tok_status st = hf_bpe_tokenize(t, m, p, n, tmp, sc);
        if (st != TOK_OK)
            return st;
        for (size_t k = 0; k < tmp->n; k++)
            tok_out_push(o, tmp->id[k], base + tmp->start[k], base + tmp->end[k]);
        return tmp->oom ? TOK_ENOMEM : TOK_OK;
    }
    uint32_t ids[SMALL], starts[SMALL + 1], rank[SMALL], merged[SMALL];
    size_t cnt = n;
    for (size_t i = 0; i < n; i++) {
        ids[i] = v->byte1[p[i]];
        starts[i] = (uint32_t)i;
    }
    starts[n] = (uint32_t)n;
    for (size_t i = 0; i + 1 < n; i++)
        if (!hf_merge_lookup(m, ids[i], ids[i + 1], &rank[i], &merged[i]))
            rank[i] = UINT32_MAX;
    rank[n - 1] = UINT32_MAX;
    for (;;) {
        uint32_t best = UINT32_MAX;
        size_t at = 0;
        for (size_t k = 0; k + 1 < cnt; k++)
            if (rank[k] < best)
                best = rank[k], at = k;
        if (best == UINT32_MAX)
            break;
        ids[at] = merged[at];
        memmove(starts + at + 1, starts + at + 2, (cnt - at - 1) * sizeof *starts);
        memmove(ids + at + 1, ids + at + 2, (cnt - at - 2) * sizeof *ids);
        memmove(rank + at + 1, rank + at + 2, (cnt - at - 2) * sizeof *rank);
        memmove(merged + at + 1, merged + at + 2, (cnt - at - 2) * sizeof *merged);
        cnt--;
        if (at + 1 >= cnt || !hf_merge_lookup(m, ids[at], ids[at + 1], &rank[at], &merged[at]))
            rank[at] = UINT32_MAX;
        if (at > 0 && !hf_merge_lookup(m, ids[at - 1], ids[at], &rank[at - 1], &merged[at - 1]))
            rank[at - 1] = UINT32_MAX;
    }
    for (size_t k = 0; k < cnt; k++)
        tok_out_push(o, ids[k], base + starts[k], base + starts[k + 1]);
    tok_wc_store(slot, m->cache_id, p, n, cnt, ids, starts, starts + 1, 0);
    return TOK_OK;
}

/* Pieces of s[a..b): the scanner's, or the regex's matches -- and, for an Isolated split, the
 * text between matches too (HF keeps it as pieces; empty ones are dropped). */
static tok_status segment(const tok_tokenizer *t, const hf_pipeline *hp, const uint8_t *s,
                          size_t a, size_t b, tok_out *o, tok_scratch *sc, hf_tokens *tmp)
{
    tok_status st = TOK_OK;
    const hf_model *m = &hp->model;
    /* the rank core's vocabulary, when every piece may go to it as the built-in encodings'
     * do: a pack's, or a built-in twin's or one worked out on a long piece (models/bpe_ranks.c);
     * asked once here, not per piece */
    const tok_vocab *rv = NULL;
    if (m->rank_bpe) {
        rv = m->ignore_merges || !m->n_unreach ? &t->vocab : NULL;
    } else if (hp->fast_scan && m->lazy) {
        const hf_lazy_rank *z = hf_lazy_rank_ready(t, m);
        rv = z && (m->ignore_merges || !z->n_unreach) ? &z->v : NULL;
    }
    if (hp->fast_scan && rv) { /* the built-in encodings' loop (formats/tiktoken/encode.c) */
        for (size_t i = a; i < b;) {
            size_t j = hp->fast_scan(s, i, b);
            if (!tok_bpe_rank_piece(rv, s + i, j - i, i, o, sc))
                return TOK_ENOMEM;
            i = j;
        }
        return TOK_OK;
    }
    if (hp->fast_scan) {
        for (size_t i = a; i < b && st == TOK_OK;) {
            size_t j = hp->fast_scan(s, i, b);
            st = bpe_piece(t, &hp->model, s + i, j - i, i, o, sc, tmp);
            i = j;
        }
        return st;
    }
    tok_match_iter it;
    tok_match_begin(&it, hp->fast_regex, s + a, b - a);
    size_t prev = 0, ms, me, n = b - a;
    while (st == TOK_OK && n && tok_match_next(&it, &ms, &me)) {
        if (hp->fast_keep_gaps && ms > prev)
            st = bpe_piece(t, &hp->model, s + a + prev, ms - prev, a + prev, o, sc, tmp);
        if (st == TOK_OK && me > ms)
            st = bpe_piece(t, &hp->model, s + a + ms, me - ms, a + ms, o, sc, tmp);
        prev = me;
    }
    if (it.md) { /* stopped early: release the iterator */
        size_t x, y;
        while (tok_match_next(&it, &x, &y))
            ;
    }
    if (it.failed)
        return TOK_EUNSUPPORTED;
    if (st == TOK_OK && hp->fast_keep_gaps && n > prev)
        st = bpe_piece(t, &hp->model, s + a + prev, n - prev, a + prev, o, sc, tmp);
    return st;
}

static tok_status fast_body(const tok_tokenizer *t, const uint8_t *s, size_t n,
                            const tok_encode_options *opts, tok_out *o, tok_call *call,
                            tok_error *err);

/* The pipeline's NFC (normalizers.c: HF's, with its Unicode 9.0 tables, not utf8proc's
 * newer ones) of s[0..n): 0 when it is NFC already (*out NULL); 1 with the normalized text in
 * *out (malloc'd, *out_len bytes); -1 when memory ran out. Only the stretches that need it are
 * normalized: NFC(a + b) = NFC(a) + NFC(b) when b starts with an ASCII character, so each run
 * of non-ASCII characters whose characters are not all inert (hf_nfc_quick) is normalized
 * with the ASCII character before it, and the rest is copied. */
static int nfc_of(const hf_pipeline *hp, const uint8_t *s, size_t n, uint8_t **out,
                  size_t *out_len)
{
    *out = NULL;
    tok_buf b = {0};
    bool changed = false;
    size_t done = 0; /* s[0..done) is in b, or is NFC and not copied yet (!changed) */
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] >= 0x80)
            j++;
        if (!hf_nfc_quick(s + i, j - i)) {
            size_t a = i > 0 ? i - 1 : 0, rl; /* with the ASCII character before the run */
            char *r = hf_normalize_string(hp, (const char *)s + a, j - a, &rl);
            if (!r) {
                tok_buf_free(&b);
                return -1;
            }
            if (rl != j - a || memcmp(r, s + a, j - a) != 0) {
                if (!changed) { /* everything before was NFC: copy it now */
                    changed = true;
                    done = 0;
                }
                tok_buf_put(&b, s + done, a - done);
                tok_buf_put(&b, r, rl);
                done = j;
            }
            free(r);
        }
        i = j;
    }
    if (!changed)
        return 0;
    tok_buf_put(&b, s + done, n - done);
    if (b.oom) {
        tok_buf_free(&b);
        return -1;
    }
    *out = b.data;
    *out_len = b.len;
    return 1;
}

/* Are the added tokens the fast path matches all ASCII? Then NFC leaves them and the text
 * between them alone (ASCII composes with nothing before it and blocks what follows), so they
 * match in the normalized text where they matched in the raw one. */
static bool added_all_ascii(const hf_pipeline *hp)
{
    const tok_specials *sp = &hp->raw_match;
    for (size_t i = 0; i < sp->n; i++)
        for (size_t j = 0; j < sp->toks[i].len; j++)
            if ((uint8_t)sp->toks[i].text[j] >= 0x80)
                return false;
    return true;
}

tok_status hf_encode_fast(const tok_tokenizer *t, const uint8_t *s, size_t n,
                          const tok_encode_options *opts, tok_out *o, tok_call *call,
                          tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    hf_lazy_rank_spend(t, &hp->model, n);
    /* NFC: text already in NFC is left as it is (nfc_of tells, in one pass that allocates
     * nothing for it). Text that is not NFC takes the general path when spans are wanted (its
     * alignments give HF's offsets); without spans its normalized form goes through the fast
     * path, which gives the same ids: the pipeline is NFC, then the split and the model, on
     * the normalized text, as here. (A single decomposed accent in a 10 MB file used to send
     * the whole file down the general path, ten times slower.) */
    if (hp->n_norms) {
        uint8_t *r = NULL;
        size_t len = 0;
        int c = nfc_of(hp, s, n, &r, &len);
        tok_status st;
        if (c == 0)
            st = fast_body(t, s, n, opts, o, call, err);
        else if (c == 1 && !o->want_spans && added_all_ascii(hp))
            st = fast_body(t, r, len, opts, o, call, err);
        else /* spans wanted, non-ASCII added tokens, or no memory */
            st = hf_encode_general(t, s, n, opts, o, call, err);
        free(r);
        return st;
    }
    return fast_body(t, s, n, opts, o, call, err);
}

typedef struct added_cut {
    const tok_tokenizer *t;
    const hf_pipeline *hp;
    const uint8_t *s;
    tok_special_policy policy;
    tok_out *dst;
    tok_scratch *sc;
    hf_tokens *tmp;
    tok_call *call;
    tok_error *err;
} added_cut;

/* s[from..to) with the added tokens of sp taken out, the text between them to the split and the
 * model. HF's AddedVocabulary finds the tokens matched on raw text first (raw_match), then, in
 * each piece between them, once normalized, those matched on normalized text (norm_match):
 * without a normalizer that is the same text, so the second level runs on the raw bytes. */
static tok_status cut_added(const added_cut *c, const tok_specials *sp, size_t from, size_t to)
{
    const hf_pipeline *hp = c->hp;
    bool nested = sp == &hp->raw_match && hp->norm_match.n;
    size_t pos = from;
    while (pos <= to) {
        size_t which, at = hf_next_added(hp, sp, c->s, pos, to, c->policy, &which), start = pos;
        if (at < to && hp->added[sp->toks[which].id].special && c->policy == TOK_SPECIAL_REJECT) {
            const hf_added *ad = &hp->added[sp->toks[which].id];
            return tok_fail_special(c->call, c->err, ad->content, ad->len, at);
        }
        tok_status st = nested ? cut_added(c, &hp->norm_match, start, at)
                               : segment(c->t, hp, c->s, start, at, c->dst, c->sc, c->tmp);
        if (st != TOK_OK || at >= to)
            return st;
        const hf_added *ad = &hp->added[sp->toks[which].id];
        tok_out_push(c->dst, ad->id, at, at + sp->toks[which].len);
        pos = at + sp->toks[which].len;
    }
    return TOK_OK;
}

static tok_status fast_body(const tok_tokenizer *t, const uint8_t *s, size_t n,
                            const tok_encode_options *opts, tok_out *o, tok_call *call,
                            tok_error *err)
{
    tok_scratch *sc = &call->sc;
    const hf_pipeline *hp = t->impl;
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    bool add_special = opts && (opts->flags & TOK_ENCODE_ADD_SPECIAL);
    /* Tokens go to a local list first when the post-processor may change them (add-special,
     * truncation, offset trimming); otherwise straight to the caller's. */
    bool direct = !add_special && !hp->trunc_max &&
                  !(o->want_spans && (hp->post.bytelevel_trim || hp->post.roberta_trim));
    tok_out mid = {.grow = true, .want_spans = true};
    tok_out *dst = direct ? o : &mid;
    size_t first = dst->n;
    hf_tokens tmp = {0};
    tok_status st = TOK_OK;
    added_cut ac = {t, hp, s, policy, dst, sc, &tmp, call, err};
    st = cut_added(&ac, &hp->raw_match, 0, n);
    if (st == TOK_OK && dst->oom)
        st = TOK_ENOMEM;
    if (st == TOK_ENOMEM)
        tok_fail(err, st, NULL, TOK_NO_OFFSET, "out of memory");
    else if (st == TOK_EFORMAT)
        tok_fail(err, st, t->name, TOK_NO_OFFSET,
                 "%s: the text needs a token missing from the vocabulary", t->name);
    else if (st == TOK_EUNSUPPORTED)
        tok_fail(err, st, NULL, TOK_NO_OFFSET,
                 "the split pattern exceeded the regex engine's limits on this text");
    if (st == TOK_OK && o->want_spans) { /* widen byte ranges to whole characters */
        for (size_t k = first; k < dst->n && k < dst->cap; k++) {
            uint64_t a = dst->spans[k].start, b = dst->spans[k].end;
            while (a > 0 && (s[a] & 0xC0) == 0x80)
                a--;
            while (b < n && (s[b] & 0xC0) == 0x80)
                b++;
            dst->spans[k].start = a;
            dst->spans[k].end = b;
        }
    }
    if (st == TOK_OK && !direct)
        hf_post_process(t, s, n, mid.ids, mid.spans, mid.n, add_special, o);
    free(mid.ids);
    free(mid.spans);
    free(tmp.id);
    free(tmp.start);
    free(tmp.end);
    return st;
}

/* The scanner of the pipeline's pre-tokenizers when they are Isolated Splits (none inverted;
 * Digits with individual_digits is one, on each numeric character) then ByteLevel without a
 * prefix space (its own regex, when it uses it, one more), two or more splits in all, and the
 * splits' sequence has one (DeepSeek's three Splits; Cohere's Digits and ByteLevel's regex). */
static tok_pretok_fn sequence_scanner(const hf_pipeline *hp)
{
    size_t n = hp->n_pretoks;
    if (n < 2 || n > 5 || hp->pretoks[n - 1].kind != HF_PT_BYTELEVEL ||
        hp->pretoks[n - 1].add_prefix_space)
        return NULL;
    const char *patterns[5];
    size_t lens[5], np = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        const hf_pretok *pt = &hp->pretoks[k];
        if (pt->kind == HF_PT_DIGITS && pt->individual_digits) {
            patterns[np] = TOK_SPLIT_NUMERIC_ONE;
            lens[np++] = strlen(TOK_SPLIT_NUMERIC_ONE);
            continue;
        }
        if (pt->kind != HF_PT_SPLIT || pt->behavior != HF_ISOLATED || pt->invert || !pt->pattern)
            return NULL;
        patterns[np] = pt->pattern;
        lens[np++] = pt->pattern_len;
    }
    if (hp->pretoks[n - 1].use_regex) {
        patterns[np] = tok_split_preset_named("gpt2")->pattern;
        lens[np] = strlen(patterns[np]);
        np++;
    }
    return np >= 2 ? tok_split_sequence_scanner(patterns, lens, np, TOK_REGEX_ONIG) : NULL;
}

/* Does the pipeline have the fast path's shape? */
void hf_fast_check(tok_tokenizer *t)
{
    hf_pipeline *hp = t->impl;
    const hf_model *m = &hp->model;
    if (m->kind != HF_BPE || !m->byte_level || m->byte_fallback || m->prefix_len || m->suffix_len)
        return;
    for (int b = 0; b < 256; b++)
        if (t->vocab.byte1[b] == TOK_NO_ID)
            return;
    if (hp->n_norms > 1 || (hp->n_norms == 1 && hp->norms[0].kind != HF_NFC))
        return;
    if (hp->norm_match.n && hp->n_norms) /* tokens matched on normalized text: see cut_added */
        return;
    for (size_t i = 0; i < hp->n_added; i++) {
        const hf_added *a = &hp->added[i];
        if (a->lstrip || a->rstrip || a->single_word)
            return;
    }
    /* pre-tokenizers: [Split(tiling regex, Isolated | Removed+invert)] then ByteLevel without a
     * prefix space (using its own regex only if there is no Split); or Isolated Splits whose
     * sequence has one scanner (DeepSeek's three; Cohere's Digits and ByteLevel's regex) */
    const hf_pretok *split = NULL, *bl = NULL;
    tok_pretok_fn seq = sequence_scanner(hp);
    if (seq) {
        hp->fast_scan = seq;
        hp->fast_regex = NULL;
        hp->fast_looks_back = false;
        hp->fast_keep_gaps = true;
        hp->fast = true;
        return;
    }
    for (size_t k = 0; k < hp->n_pretoks; k++) {
        const hf_pretok *pt = &hp->pretoks[k];
        if (pt->kind == HF_PT_SPLIT && !split && !bl &&
            ((pt->behavior == HF_ISOLATED && !pt->invert) ||
             (pt->behavior == HF_REMOVED && pt->invert)))
            split = pt;
        else if (pt->kind == HF_PT_BYTELEVEL && !bl && !pt->add_prefix_space)
            bl = pt;
        else
            return;
    }
    if (!bl || (split && bl->use_regex))
        return;
    const hf_pretok *cut = split ? split : bl->use_regex ? bl : NULL;
    if (!cut)
        return;
    /* Isolated (and ByteLevel's own regex) keeps the text between matches as pieces;
     * Removed+invert drops it. Scanners tile the text, so there is none to keep. */
    hp->fast_scan = cut->scan;
    hp->fast_regex = cut->regex;
    hp->fast_looks_back = cut->looks_back;
    hp->fast_keep_gaps = cut == bl || cut->behavior == HF_ISOLATED;
    hp->fast = true;
}
