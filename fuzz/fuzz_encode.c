/* libFuzzer: encode, count and decode agree on any input, for every built-in encoding and
 * special-token policy; spans tile the text; decode gives the text back. First byte: encoding,
 * policy and lossy flag; the rest is the text. */
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

static tok_tokenizer *toks[16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    size_t nb = tok_builtin_count(), which = data[0] % nb;
    if (!toks[which] && tok_open_encoding(tok_builtin_name(which), &toks[which], NULL) != TOK_OK)
        abort();
    const tok_tokenizer *t = toks[which];
    tok_encode_options o = {(tok_special_policy)((data[0] >> 3) % 3),
                            (data[0] & 0x80) ? TOK_ENCODE_LOSSY_UTF8 : 0u};
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    uint32_t *ids;
    tok_span *spans;
    size_t n, count;
    tok_status st = tok_encode_alloc(t, text, len, &o, &ids, &spans, &n, NULL);
    tok_status cs = tok_count(t, text, len, &o, &count, NULL);
    if (st != cs)
        abort();
    if (st != TOK_OK)
        return 0;
    if (count != n)
        abort();
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].start != at || spans[i].end < spans[i].start)
            abort();
        at = spans[i].end;
    }
    if (at != len)
        abort();
    char *back;
    size_t bl;
    if (tok_decode_alloc(t, ids, n, 0, &back, &bl, NULL) != TOK_OK)
        abort();
    /* Without lossy replacement the text must come back byte for byte (o200k_harmony's two
     * texts for id 200018 aside). */
    if (!(o.flags & TOK_ENCODE_LOSSY_UTF8) && (bl != len || memcmp(back, text, len) != 0) &&
        !strstr(tok_name(t), "harmony"))
        abort();
    tok_free(back);
    tok_free(ids);
    tok_free(spans);
    return 0;
}
