/* cut_general: where a text may be cut for budgets (TOK_CUT_ANY) in the general tokenizer.json
 * pipeline (encode.c) -- the pipelines off the byte-level fast path that cut.c leaves out.
 *
 * The pipeline runs stage by stage on splits: added tokens on the raw text, the normalizers
 * per text split, the pre-tokenizer per split, the model per piece, then the post-processor.
 * A cut c (before T[c]) is proven by showing that each stage's output for T is its output for
 * T[0..c) followed by its output for T[c..) (or T[c+1..), below): then so are the tokens.
 *
 * Common to every shape:
 *   - added tokens: every token the policy can use (special ones are plain text under the
 *     ordinary policy) is matched on the raw text with no single_word, lstrip or rstrip (those
 *     look at or take in text around the match: whitespace, which is where these cuts are), and
 *     none is matched on the normalized text. The matches -- used ones and those the ordinary
 *     policy passes over, which still move the search on -- are found leftmost-longest, as
 *     hf_split_added does; one starting before m = n - (longest added token) is decided by s
 *     alone. c is after the end of the last such match (seg) and before m, so no match
 *     straddles it or starts between seg and c, and the search on T[c..) alone finds T's next
 *     match. c == seg, right after a used match, starts a split of its own in T as well;
 *   - the model works per piece (WordPiece, WordLevel, Unigram, BPE), so pieces that split at
 *     c give tokens that split at c;
 *   - no truncation (it would cap the count) and no offset trimming by the post-processor
 *     (ByteLevel / Roberta trim_offsets look at a token's neighbours); the template's tokens
 *     around a text are counted apart (api/budget.c).
 *
 * The shapes, and the places each is cut:
 *
 * WORDS -- normalizers among BertNormalizer's steps (clean, Chinese characters, NFD +
 *   non-spacing marks stripped, lowercase), NFD, NFKD, StripAccents, Lowercase; one
 *   pre-tokenizer that splits on whitespace: BertPreTokenizer, WhitespaceSplit or Whitespace
 *   (\w+|[^\w\s]+ matches no whitespace). Every step maps each character on its own (clean
 *   drops or keeps it, whitespace to a space; Chinese characters get a space either side; case
 *   and accents per character) except the canonical reordering of NFD/NFKD, which moves marks
 *   only within a run of non-starters. Cut after an ASCII space, tab, line feed or carriage
 *   return: every step keeps it as whitespace (clean makes it a space), a starter, so no run of
 *   marks crosses c and the normalized text of T is that of T[0..c) followed by that of T[c..);
 *   the pre-tokenizer drops the whitespace and ends a piece there, so the pieces split at c.
 *   With handle_chinese_chars (and only BertNormalizer's clean before that step, which keeps
 *   the character), also cut before a CJK character: it is given a space before it, a starter
 *   where the steps after it see c, and the pre-tokenizer ends a piece at that space. With
 *   BertPreTokenizer, which makes each punctuation character a piece of its own, also cut
 *   before and after an ASCII punctuation character: every step keeps it (a starter, no case,
 *   no mark), so the normalized text splits there and the pieces do too.
 *
 * METASPACE -- at most one normalizer among Precompiled, NFC, NFKC, NFD, NFKD, Lowercase,
 *   then optionally SentencePiece's whitespace handling as HF converts it -- Strip of the right
 *   end only, Replace of " {2,}" -- then the Metaspace pre-tokenizer alone. Cut before a space
 *   whose neighbours are ASCII (the one before printable): a grapheme cluster boundary on both
 *   sides of the space (no ASCII character is a Prepend or an Extend character, and the space
 *   ends every emoji and regional indicator sequence the rules look back over), so
 *   Precompiled, which maps clusters, maps the space on its own and the rest either side
 *   alike -- and it maps the space and every printable ASCII character to itself (checked once
 *   per tokenizer: a charsmap could say otherwise); the Unicode forms see a starter that
 *   composes with nothing on either side and leave ASCII alone, Lowercase maps it to ASCII.
 *   With Strip or Replace both neighbours must be printable and not spaces: then the space is
 *   alone -- no run of two crosses c, and a match of the string " {2,}" starts at its one
 *   space -- and T[0..c) ends in a character Strip keeps, while T[c..) ends where T does.
 *   Metaspace replaces the space with its replacement character, so T[c..) alone
 *   starts with it and is not given one in front (neither by "always" nor by "first"); T[0..c)
 *   starts where T's split starts and is given one exactly when T's is. With split, pieces end
 *   before each replacement character (merged with the next), so they split at c. Without
 *   split the split is one piece for the model: only a BPE whose merges never join a character
 *   to a following U+2581 (hf_model.cut_words, models/bpe.c) merges the words before each
 *   U+2581 that follows another character on their own -- so the replacement must be U+2581
 *   and the character before the space neither a space nor U+2581. Cutting right after an
 *   added token is left out under "first" (T[c..) alone would be first).
 *
 * SPM_BPE -- SentencePiece's shape without a pre-tokenizer (Llama 2, Mistral 7B, Gemma):
 *   normalizers Prepend("▁") (optional) then Replace(" " -> "▁"), a BPE with cut_words. Cut at
 *   a space c inside a split (not its first character) whose previous character is neither a
 *   space nor U+2581: the U+2581 it becomes follows another character, so the BPE merges
 *   T's words before and from it on their own, which are those of T[0..c) and, since
 *   Replace maps character by character, of "▁" + T[c+1..). With Prepend the second part is
 *   T[c+1..) alone -- Prepend gives it that "▁" -- and the space is the separator (p = c,
 *   q = c + 1: its token's span starts after the space), which must be followed by text of
 *   its split (c + 1 < m: no added token starts there, else T would give the space a token of
 *   its own); without, T[c..) alone. Cutting right
 *   after an added token holds too: Prepend applies to each split.
 *
 * Anything else -- Split, ByteLevel or Digits pre-tokenizers, Strip, Replace with other
 * patterns, NMT, several pre-tokenizers -- is not cut here: its texts are encoded whole. */
#include "formats/hf/hf.h"

#include <string.h>

typedef enum shape { SHAPE_NONE, SHAPE_WORDS, SHAPE_METASPACE, SHAPE_SPM_BPE } shape;

typedef struct plan {
    shape kind;
    bool chinese;      /* WORDS: cut before CJK characters too */
    bool punct;        /* WORDS: and before and after ASCII punctuation */
    bool word_merges;  /* cut only where cut_words makes a word start (before " " not after " "/"▁") */
    bool prepend;      /* SPM_BPE: the space is a separator (q = p + 1) */
    bool after_added;  /* a cut right after a used added token holds */
    bool isolated;     /* METASPACE with Strip or Replace: the space's neighbours are not spaces */
    bool check_ascii;  /* METASPACE with Precompiled: the charsmap must keep ASCII */
} plan;

static bool used(const hf_added *ad, tok_special_policy policy)
{
    return !ad->special || policy != TOK_SPECIAL_ORDINARY;
}


static bool words_norm(hf_norm_kind k)
{
    return k == HF_BERT_CLEAN || k == HF_BERT_CHINESE || k == HF_FILTER_NONSPACING ||
           k == HF_STRIP_ACCENTS || k == HF_LOWERCASE || k == HF_NFD || k == HF_NFKD;
}

static bool metaspace_norm(hf_norm_kind k)
{
    return k == HF_PRECOMPILED || k == HF_NFC || k == HF_NFKC || k == HF_NFD || k == HF_NFKD ||
           k == HF_LOWERCASE;
}

static bool is_norm(const hf_norm *nm, hf_norm_kind k, const char *pattern, const char *content)
{
    if (nm->kind != k || !nm->content || strlen(content) != nm->content_len ||
        memcmp(nm->content, content, nm->content_len))
        return false;
    return !pattern || (nm->pattern && nm->pattern_len == strlen(pattern) &&
                        !memcmp(nm->pattern, pattern, nm->pattern_len));
}

static plan plan_of(const hf_pipeline *hp, tok_special_policy policy)
{
    plan pl = {.kind = SHAPE_NONE};
    if (hp->trunc_max || hp->post.bytelevel_trim || hp->post.roberta_trim)
        return pl;
    for (size_t i = 0; i < hp->n_added; i++) {
        const hf_added *ad = &hp->added[i];
        if (used(ad, policy) && (ad->single_word || ad->lstrip || ad->rstrip || ad->is_normalized))
            return pl;
    }
    const hf_model *m = &hp->model;
    bool word_bpe = m->kind == HF_BPE && m->cut_words;
    if (hp->n_pretoks == 1 && (hp->pretoks[0].kind == HF_PT_BERT ||
                               hp->pretoks[0].kind == HF_PT_WHITESPACE ||
                               hp->pretoks[0].kind == HF_PT_WHITESPACE_SPLIT)) {
        bool clean_only = true;
        for (size_t k = 0; k < hp->n_norms; k++) {
            if (!words_norm(hp->norms[k].kind))
                return pl;
            if (hp->norms[k].kind == HF_BERT_CHINESE && clean_only)
                pl.chinese = true;
            clean_only = clean_only && hp->norms[k].kind == HF_BERT_CLEAN;
        }
        pl.kind = SHAPE_WORDS;
        pl.punct = hp->pretoks[0].kind == HF_PT_BERT;
        pl.after_added = true;
        return pl;
    }
    if (hp->n_pretoks == 1 && hp->pretoks[0].kind == HF_PT_METASPACE) {
        const hf_pretok *pt = &hp->pretoks[0];
        size_t k = 0;
        if (k < hp->n_norms && metaspace_norm(hp->norms[k].kind))
            pl.check_ascii = hp->norms[k++].kind == HF_PRECOMPILED;
        if (k < hp->n_norms && hp->norms[k].kind == HF_STRIP && !hp->norms[k].left)
            k++, pl.isolated = true;
        if (k < hp->n_norms && hp->norms[k].kind == HF_REPLACE && hp->norms[k].pattern &&
            hp->norms[k].pattern_len == 5 && !memcmp(hp->norms[k].pattern, " {2,}", 5))
            k++, pl.isolated = true;
        if (k < hp->n_norms)
            return pl;
        if (!pt->split && !(word_bpe && pt->replacement == 0x2581))
            return pl;
        pl.kind = SHAPE_METASPACE;
        pl.word_merges = !pt->split;
        pl.after_added = pt->prepend != HF_PREPEND_FIRST;
        return pl;
    }
    if (hp->n_pretoks == 0 && word_bpe && hp->n_norms >= 1 && hp->n_norms <= 2) {
        const hf_norm *last = &hp->norms[hp->n_norms - 1];
        if (!is_norm(last, HF_REPLACE, " ", "\xE2\x96\x81") ||
            (hp->n_norms == 2 && !is_norm(&hp->norms[0], HF_PREPEND, NULL, "\xE2\x96\x81")))
            return pl;
        pl.kind = SHAPE_SPM_BPE;
        pl.word_merges = true;
        pl.prepend = hp->n_norms == 2;
        pl.after_added = true;
    }
    return pl;
}

/* Does nm map each printable ASCII character, alone, to itself? (Asked once: the answer is
 * kept in the pipeline, which is otherwise read-only; threads that race store the same.) */
static bool ascii_kept(const hf_pipeline *hp, const hf_norm *nm)
{
    int known = atomic_load(&((hf_pipeline *)hp)->ascii_kept);
    if (known)
        return known == 1;
    hf_splits in, out;
    hf_splits_init(&in, false);
    hf_splits_init(&out, false);
    bool ok = true;
    for (uint8_t b = 0x20; ok && b < 0x7F; b++) {
        hf_splits_reset(&in);
        hf_splits_reset(&out);
        ok = hf_splits_add(&in, &b, 1, NULL, NULL, 0, TOK_NO_ID, 0, 1) &&
             hf_normalize(nm, &in, 0, &out) && out.n == 1 && out.v[0].len == 1 &&
             out.text[out.v[0].off] == b;
    }
    bool oom = in.oom || out.oom;
    hf_splits_free(&in);
    hf_splits_free(&out);
    if (!oom) /* out of memory says nothing about the charsmap: ask again next time */
        atomic_store(&((hf_pipeline *)hp)->ascii_kept, ok ? 1 : 2);
    return ok;
}

static bool ascii_ws(uint8_t b) { return b == ' ' || b == '\t' || b == '\n' || b == '\r'; }

/* char::is_ascii_punctuation, which BertPreTokenizer isolates */
static bool ascii_punct(uint8_t b)
{
    return (b >= '!' && b <= '/') || (b >= ':' && b <= '@') || (b >= '[' && b <= '`') ||
           (b >= '{' && b <= '~');
}

static bool cjk_at(const uint8_t *s, size_t c)
{
    if (s[c] < 0xE3) /* every CJK range starts at U+3400 or above */
        return false;
    unsigned cl;
    uint32_t cp = tok_utf8_decode(s + c, &cl);
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* Is c (seg < c < n - 1, at a character start) a cut of pl's shape? */
static bool cut_at(const plan *pl, const uint8_t *s, size_t c)
{
    switch (pl->kind) {
    case SHAPE_WORDS:
        return ascii_ws(s[c - 1]) || (pl->chinese && cjk_at(s, c)) ||
               (pl->punct && (ascii_punct(s[c - 1]) || ascii_punct(s[c])));
    case SHAPE_METASPACE:
    case SHAPE_SPM_BPE:
        if (s[c] != ' ')
            return false;
        if (pl->word_merges && (s[c - 1] == ' ' || (c >= 3 && hf_is_sp(s + c - 3))))
            return false;
        if (pl->kind == SHAPE_SPM_BPE)
            return true;
        if (pl->isolated)
            return s[c - 1] > 0x20 && s[c - 1] < 0x7F && s[c + 1] > 0x20 && s[c + 1] < 0x7F;
        return s[c - 1] >= 0x20 && s[c - 1] < 0x7F && s[c + 1] < 0x80;
    case SHAPE_NONE:
        break;
    }
    return false;
}

bool hf_cut_general(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s,
                    size_t n, size_t *p, size_t *q)
{
    const hf_pipeline *hp = t->impl;
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    plan pl = plan_of(hp, policy);
    if (pl.kind == SHAPE_NONE || (pl.check_ascii && !ascii_kept(hp, &hp->norms[0])))
        return false;
    if (!s)
        return true;
    size_t longest = hp->raw_match.longest;
    if (n <= longest + 1)
        return false;
    size_t m = n - longest;
    /* the last match starting before m, used or passed over (seg: where it ends) */
    size_t seg = 0;
    bool seg_used = false;
    for (const tok_specials *sp = &hp->raw_match; sp->n;) {
        size_t which, at = tok_specials_find(sp, s, seg, n, &which);
        if (at >= m)
            break;
        seg = at + sp->toks[which].len;
        seg_used = used(&hp->added[sp->toks[which].id], policy);
    }
    /* the last cut, below n; for a space, below n - 1: METASPACE looks at the character after
     * it, and SPM_BPE's second part starts after it */
    size_t top = pl.kind == SHAPE_WORDS ? n - 1 : n - 2, hi = m < top ? m : top;
    if (pl.prepend && hi + 2 > m) /* the separator and what follows in one split */
        hi = m - 2;
    for (size_t c = hi; c > seg; c--) {
        if ((s[c] & 0xC0) == 0x80 || !cut_at(&pl, s, c))
            continue;
        *p = c;
        *q = pl.prepend ? c + 1 : c;
        return true;
    }
    if (seg_used && pl.after_added && seg < n) {
        *p = *q = seg;
        return true;
    }
    return false;
}
