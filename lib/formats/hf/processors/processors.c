/* processors: post-processing (src/processors/ and tokenizer/mod.rs post_process) --
 * truncation, ByteLevel / Roberta offset trimming and the template's special tokens (Template,
 * Bert and Roberta processors are all loaded as one template), then the output. */
#include "formats/hf/hf.h"

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
                    if (spans)
                        memmove(spans, spans + (nt - max), max * sizeof *spans);
                }
                nt = max;
            }
        }
        /* ByteLevel / Roberta offset trimming (process_offsets) */
        bool trim = hp->post.bytelevel_trim || hp->post.roberta_trim;
        bool prefix = hp->post.bytelevel_trim ? hp->post.bytelevel_prefix : hp->post.roberta_prefix;
        for (size_t k = 0; trim && spans && o->want_spans && k < nt; k++) {
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
                        tok_out_push(o, ids[j], spans ? spans[j].start : 0, spans ? spans[j].end : 0);
                } else if (add_special) {
                    for (size_t j = 0; j < pc->n_ids; j++)
                        tok_out_push(o, pc->ids[j], 0, 0);
                }
            }
        } else {
            for (size_t j = 0; j < nt; j++)
                tok_out_push(o, ids[j], spans ? spans[j].start : 0, spans ? spans[j].end : 0);
        }
}

/* The sequence can go out token by token, as the model gives it, when nothing in the
 * post-processor looks at the whole of it: no truncation, no offset trimming of wanted spans,
 * and a template that places it once. */
bool hf_post_streams(const hf_pipeline *hp, bool want_spans)
{
    if (hp->trunc_max || (want_spans && (hp->post.bytelevel_trim || hp->post.roberta_trim)))
        return false;
    size_t seq = 0;
    for (size_t k = 0; k < hp->post.n_single; k++)
        seq += hp->post.single[k].is_sequence;
    return hp->post.n_single == 0 || seq == 1;
}

/* A streaming template's special tokens before the sequence (head) or after it. */
void hf_post_around(const tok_tokenizer *t, bool add_special, bool head, tok_out *o)
{
    const hf_pipeline *hp = t->impl;
    if (!add_special)
        return;
    bool before = true;
    for (size_t k = 0; k < hp->post.n_single; k++) {
        const hf_piece *pc = &hp->post.single[k];
        if (pc->is_sequence) {
            before = false;
            continue;
        }
        if (before == head)
            for (size_t j = 0; j < pc->n_ids; j++)
                tok_out_push(o, pc->ids[j], 0, 0);
    }
}
