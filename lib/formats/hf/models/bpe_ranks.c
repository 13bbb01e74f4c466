/* bpe_ranks: when a tokenizer.json BPE is tiktoken's rank BPE, so the byte-level fast path can
 * encode with algo/'s rank-BPE core (whole-piece lookup, array scan, linear encoder) instead of
 * HF's merge loop. Llama 3, Qwen2, GPT-2 and GPT-4o in HF form pass; the answer is worked out
 * when a tokenizer is packed and kept in the pack.
 *
 * The two algorithms. tiktoken: repeatedly join the adjacent pair of parts whose bytes form the
 * token of lowest id, the leftmost on ties. HF: repeatedly join the adjacent pair listed in the
 * merges with the lowest merge index, the leftmost on ties; only listed pairs join. Both start
 * from single bytes (byte-level, every byte a token).
 *
 * Lemma: in tiktoken's run on any text, whenever two adjacent parts l, r form a token c, then
 * (l, r) is c's true split -- the pair BPE of bytes(c) alone joins last (algo/bpe_verify.c).
 * The parts inside c's span were made by merges inside the span, each the lowest candidate of
 * the whole text when made, so also the lowest among the span's candidates: BPE of bytes(c)
 * alone makes the same merges in the same order (a merge crossing l | r would have been lower
 * and made first), reaching [l][r], which it then joins.
 *
 * Claim: the two agree on every text when
 *   (1) for every token c BPE can make, its true split (l, r) is a listed merge giving c, and
 *   (2) those merges' indices increase with c's id.
 * By induction on the steps, both holding the same parts: every HF candidate is a tiktoken one
 * (a listed pair forms a token); by the lemma every tiktoken candidate is its token's true
 * split, listed by (1), so the candidate sets are equal and each token has one candidate pair.
 * tiktoken takes the lowest token, HF the lowest index: the same token by (2), and among its
 * occurrences (all the same pair) both take the leftmost.
 * Two more things: HF looks the whole piece up first only with ignore_merges, tiktoken always;
 * so without ignore_merges a piece that is a token no merge makes ("unreachable") is merged
 * instead of taken whole -- the pipeline keeps their list. Which ids are tokens is the same:
 * both use the vocabulary's byte strings.
 *
 * Checking costs one merge per token (tok_bpe_true_splits, O(sum of len^2)) and one merge-table
 * probe per token: 0.1-0.3 s for 128,000-200,000 tokens, paid by tok_pack, not by opening. */
#include "formats/hf/hf.h"

#include <string.h>

bool hf_bpe_ranks_check(const tok_tokenizer *t, const hf_model *m, uint32_t **unreach,
                        uint32_t *n_unreach)
{
    const tok_vocab *v = &t->vocab;
    *unreach = NULL;
    *n_unreach = 0;
    if (m->kind != HF_BPE || !m->byte_level || m->byte_fallback || m->prefix_len ||
        m->suffix_len || !m->merges)
        return false;
    for (int b = 0; b < 256; b++)
        if (v->byte1[b] == TOK_NO_ID)
            return false;
    uint32_t n = v->n_ids;
    uint32_t *split = malloc((size_t)n * 2 * sizeof *split);
    if (!split || tok_bpe_true_splits(v, NULL, split) != TOK_OK) {
        free(split);
        return false;
    }
    bool ok = true;
    uint64_t last = 0; /* the previous reachable token's merge index, plus one */
    size_t nu = 0, cap = 0;
    uint32_t *list = NULL;
    for (uint32_t c = 0; c < n && ok; c++) {
        uint32_t l = split[2 * c], r = split[2 * c + 1], rank, id;
        if (l == c) /* a single byte */
            continue;
        if (l == TOK_NO_ID) {
            const uint8_t *p = v->bytes + v->off[c];
            uint32_t len = tok_vocab_len(v, c);
            /* a token no merge makes, found by a whole-piece lookup */
            if (len >= 2 && tok_vocab_find(v, p, len) == c) {
                if (!tok_grow(&list, &cap, nu + 1, sizeof *list, 16))
                    ok = false;
                else
                    list[nu++] = c;
            }
            continue;
        }
        ok = hf_merge_lookup(m, l, r, &rank, &id) && id == c && rank >= last;
        last = (uint64_t)rank + 1;
    }
    free(split);
    if (!ok) {
        free(list);
        return false;
    }
    *unreach = list;
    *n_unreach = (uint32_t)nu;
    return true;
}
