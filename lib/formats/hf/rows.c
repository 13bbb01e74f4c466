/* rows: counting a long run of spaces through SentencePiece-style tokenizer.json BPE (Gemma's
 * Replace " " -> U+2581, no pre-tokenizer that sees the marks) without writing it all out.
 * 4 MB of spaces is 12 MB of U+2581; a count needs neither.
 *
 * Let c be U+2581, u_k the token c^k, and K the length the growth merges reach: (u_k, u_1)
 * makes u_{k+1} for every k < K. When
 *   (G) each growth merge (u_k, u_1), k >= 2, comes before (u_1, u_1) (a lower rank), and
 *   (B) no merge joins u_a and u_b with a + b > K,
 * HF's merge of a word turns the inside of a run of c into rows of K from its start, and a
 * run K characters longer gives one token more. HF joins, again and again, the adjacent pair
 * of lowest (rank, position). Inside a run (its characters beyond the reach of the two ends,
 * below) the symbols are single c until the first (u_1, u_1) join, which happens at the
 * leftmost such pair; the symbol it makes then has a growth candidate, which by (G) comes
 * before every (u_1, u_1) pair, so it grows one c at a time to u_K, where by (B) it stops
 * (u_K next to anything of c joins nothing); only then does the next (u_1, u_1) pair, the
 * leftmost, start the next row. Rows next to rows join nothing (B). So the inside is cut into
 * pieces of K from where the first row starts, and whatever the ends do -- the character
 * before the run joined to its first c and then more, its last c joined to what follows --
 * involves only the ends' neighbourhoods: a token holds at most D consecutive c (the longest
 * run in the vocabulary), so no join reaches further than D + K characters into the run, and a
 * run of more than 2 (D + K) characters has the same ends whatever its length. Taking K
 * characters out of its middle removes exactly one row: one token.
 *
 * The pipeline must hand the run to the model as it is: normalizers a one-byte Replace of " "
 * by c (a Prepend of c before it allowed), pre-tokenizers none or a Split on the string " "
 * (which, after the Replace, finds nothing), no added token the policy uses that holds a space
 * (raw) or c (normalized), no truncation, and a model without ignore_merges (its whole-word look-up would
 * see the length) or affixes. hf_space_rows answers once per tokenizer. */
#include "formats/hf/hf.h"

#include <string.h>

static const uint8_t mark[3] = {0xE2, 0x96, 0x81};

/* The model's side: K, or 0 when (G) and (B) do not hold, or a run the ends may reach through
 * is longer than HF_ROW_KEEP allows for. */
static uint32_t model_rows(const tok_tokenizer *t, const hf_model *m)
{
    enum { MAX_K = 32 };
    if (m->kind != HF_BPE || m->byte_level || m->ignore_merges || m->prefix_len ||
        m->suffix_len || !m->merges)
        return 0;
    const tok_vocab *v = &t->vocab;
    uint32_t u[MAX_K + 2];
    uint8_t run[3 * (MAX_K + 1)];
    for (size_t k = 0; k < MAX_K + 1; k++)
        memcpy(run + 3 * k, mark, 3);
    u[1] = tok_vocab_find(v, mark, 3);
    if (u[1] == TOK_NO_ID)
        return 0;
    uint32_t k = 1, rank, merged, r11;
    if (!hf_merge_lookup(m, u[1], u[1], &r11, &merged))
        return 0;
    while (k <= MAX_K && hf_merge_lookup(m, u[k], u[1], &rank, &merged) &&
           merged == tok_vocab_find(v, run, 3 * (size_t)(k + 1)) && (k == 1 || rank < r11))
        u[++k] = merged;
    if (k < 2 || k > MAX_K || hf_merge_lookup(m, u[k], u[1], &rank, &merged))
        return 0; /* no rows, or growth past MAX_K, or (G) broken before the end */
    uint32_t K = k;
    for (uint32_t a = 1; a <= K; a++) /* (B) */
        for (uint32_t b = K + 1 - a; b <= K; b++)
            if (hf_merge_lookup(m, u[a], u[b], &rank, &merged))
                return 0;
    uint32_t D = 0; /* the longest run of c in a token */
    for (uint32_t id = 0; id < v->n_ids; id++) {
        const uint8_t *p = v->bytes + v->off[id];
        size_t n = tok_vocab_len(v, id), r = 0;
        for (size_t i = 0; i + 3 <= n; i++) {
            if (memcmp(p + i, mark, 3) == 0) {
                r++;
                i += 2;
                D = r > D ? (uint32_t)r : D;
            } else {
                r = 0;
            }
        }
    }
    return 2 * (D + K) < HF_ROW_KEEP ? K : 0;
}

/* The pipeline's side (the comment above) */
static bool pipeline_passes_runs(const hf_pipeline *hp, tok_special_policy policy)
{
    if (hp->trunc_max) /* truncation cuts the ids: it needs them all */
        return false;
    size_t k = 0;
    if (hp->n_norms == 2 && hp->norms[0].kind == HF_PREPEND && hp->norms[0].content_len == 3 &&
        !memcmp(hp->norms[0].content, mark, 3))
        k = 1;
    if (hp->n_norms != k + 1)
        return false;
    const hf_norm *r = &hp->norms[k];
    if (r->kind != HF_REPLACE || !r->literal || r->pattern_len != 1 || r->pattern[0] != ' ' ||
        r->content_len != 3 || memcmp(r->content, mark, 3))
        return false;
    if (hp->n_pretoks > 1 || (hp->n_pretoks == 1 && (hp->pretoks[0].kind != HF_PT_SPLIT ||
                                                     hp->pretoks[0].literal_byte != ' ' ||
                                                     hp->pretoks[0].invert)))
        return false;
    for (size_t i = 0; i < hp->n_added; i++) {
        const hf_added *ad = &hp->added[i];
        if (ad->special && policy == TOK_SPECIAL_ORDINARY)
            continue;
        if (memchr(ad->content, ' ', ad->len) ||
            (ad->is_normalized && memmem(ad->normalized, ad->nlen, mark, 3)))
            return false;
    }
    return true;
}

uint32_t hf_space_rows(const tok_tokenizer *t, tok_special_policy policy)
{
    const hf_pipeline *hp = t->impl;
    if (!pipeline_passes_runs(hp, policy))
        return 0;
    int known = atomic_load(&((hf_pipeline *)hp)->space_rows);
    if (!known) { /* threads that race store the same answer */
        known = (int)model_rows(t, &hp->model) + 1;
        atomic_store(&((hf_pipeline *)hp)->space_rows, known);
    }
    return (uint32_t)known - 1;
}
