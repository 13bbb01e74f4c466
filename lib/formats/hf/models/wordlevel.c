/* wordlevel: HF's WordLevel model (models/wordlevel): the whole piece is a token, or the
 * unknown token. */
#include "formats/hf/hf.h"

tok_status hf_wordlevel_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                                 size_t n, hf_tokens *out)
{
    uint32_t id = tok_vocab_find(&t->vocab, s, n);
    if (id == TOK_NO_ID)
        id = m->unk_id;
    if (id == TOK_NO_ID)
        return TOK_EFORMAT; /* HF: MissingUnkToken */
    return hf_tokens_push(out, id, 0, (uint32_t)n) ? TOK_OK : TOK_ENOMEM;
}
