/* wordpiece: HF's WordPiece model (models/wordpiece).
 *
 * WordPiece: greedy longest match from the left; pieces after the first carry the
 * continuing_subword_prefix ("##"); a word with an unmatchable rest, or longer than
 * max_input_chars_per_word characters, is one unknown token. At most 100 characters by default,
 * so the quadratic search stays small. */
#include "formats/hf/hf.h"

#include <string.h>

tok_status hf_wordpiece_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                                 size_t n, hf_tokens *out)
{
    const tok_vocab *v = &t->vocab;
    size_t chars = 0;
    for (size_t k = 0; k < n; k++)
        chars += (s[k] & 0xC0) != 0x80;
    size_t first = out->n;
    bool bad = chars > m->max_input_chars_per_word;
    uint8_t stackbuf[512];
    uint8_t *buf = n + m->prefix_len <= sizeof stackbuf ? stackbuf : malloc(n + m->prefix_len);
    if (!buf)
        return TOK_ENOMEM;
    for (size_t start = 0; start < n && !bad;) {
        size_t end = n;
        uint32_t id = TOK_NO_ID;
        while (start < end) {
            size_t pl = start > 0 ? m->prefix_len : 0;
            memcpy(buf, m->prefix, pl);
            memcpy(buf + pl, s + start, end - start);
            id = tok_vocab_find(v, buf, pl + end - start);
            if (id != TOK_NO_ID)
                break;
            /* drop the last character */
            end--;
            while (end > start && (s[end] & 0xC0) == 0x80)
                end--;
        }
        if (id == TOK_NO_ID) {
            bad = true;
            break;
        }
        if (!hf_tokens_push(out, id, (uint32_t)start, (uint32_t)end)) {
            if (buf != stackbuf)
                free(buf);
            return TOK_ENOMEM;
        }
        start = end;
    }
    if (buf != stackbuf)
        free(buf);
    if (bad) {
        out->n = first;
        if (m->unk_id == TOK_NO_ID)
            return TOK_EFORMAT; /* HF: MissingUnkToken */
        return hf_tokens_push(out, m->unk_id, 0, (uint32_t)n) ? TOK_OK : TOK_ENOMEM;
    }
    return TOK_OK;
}
