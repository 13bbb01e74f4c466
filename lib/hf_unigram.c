/* hf_unigram: tokenizer.json's Unigram model and Precompiled normalizer, on the shared
 * SentencePiece components (unigram.h, charsmap.h). Not wired yet: both fail clearly. */
#include "hf_load.h"

tok_status hf_load_unigram(hf_load *ld, uint32_t model, void *entries, size_t n,
                           const double *scores)
{
    (void)entries, (void)n, (void)scores;
    return hf_fail(ld, TOK_EUNSUPPORTED, model, "Unigram models are not supported yet");
}

tok_status hf_load_charsmap(hf_load *ld, uint32_t node, void **charsmap)
{
    *charsmap = NULL;
    return hf_fail(ld, TOK_EUNSUPPORTED, node, "the Precompiled normalizer is not supported yet");
}

tok_status hf_unigram_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                               size_t n, hf_tokens *out, tok_scratch *sc)
{
    (void)t, (void)m, (void)s, (void)n, (void)out, (void)sc;
    return TOK_EUNSUPPORTED;
}

bool hf_precompiled(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    (void)nm;
    return hf_splits_copy(out, in, i);
}

void hf_unigram_free(void *u) { (void)u; }
void hf_charsmap_free(void *c) { (void)c; }
