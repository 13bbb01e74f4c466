/* libFuzzer: the tokenizer.json loader on arbitrary bytes never crashes, every failure explains
 * itself, and what it accepts encodes with sane offsets, counts what it encodes, and decodes,
 * under every special-token policy, with and without the post-processor, also on text with long
 * runs of spaces (which counting may take by rows). Seeds: small files
 * covering the component types (fuzz/corpus/load_hf). */
#include "tokscope.h"
#include "runs.h"

#include <stdlib.h>
#include <string.h>

static void exercise(const tok_tokenizer *t, const char *text, size_t len)
{
    static const tok_special_policy pols[] = {TOK_SPECIAL_ORDINARY, TOK_SPECIAL_ALLOW};
    for (size_t p = 0; p < 2; p++)
        for (unsigned flags = 0; flags <= TOK_ENCODE_ADD_SPECIAL; flags += TOK_ENCODE_ADD_SPECIAL) {
            tok_encode_options o = {pols[p], flags | TOK_ENCODE_LOSSY_UTF8};
            uint32_t *ids;
            tok_span *spans;
            size_t n, count;
            if (tok_encode_alloc(t, text, len, &o, &ids, &spans, &n, NULL) != TOK_OK)
                continue; /* an encode may fail (for example no unk token), never crash */
            if (tok_count(t, text, len, &o, &count, NULL) != TOK_OK || count != n)
                abort();
            for (size_t i = 0; i < n; i++)
                if (spans[i].start > spans[i].end || spans[i].end > len)
                    abort();
            for (unsigned d = 0; d <= TOK_DECODE_SKIP_SPECIAL; d++) {
                char *back;
                size_t bl;
                if (tok_decode_alloc(t, ids, n, d, &back, &bl, NULL) != TOK_OK) {
                    /* ids the model produced always decode; a template's special tokens are
                     * the file's ids verbatim, as in HF, and may name no token at all (HF
                     * then drops them when decoding; tokscope reports them) */
                    if (!(flags & TOK_ENCODE_ADD_SPECIAL))
                        abort();
                } else {
                    tok_free(back);
                }
            }
            tok_free(ids);
            tok_free(spans);
        }
}

/* text with its spaces made runs of 1 to 1,000, long enough for counting to drop rows of
 * them (formats/hf/rows.c), which exercise checks against the ids */
static void exercise_runs(const tok_tokenizer *t, const char *text, size_t len)
{
    size_t n;
    char *s = spaces_as_runs(text, len, &n);
    if (s)
        exercise(t, s, n);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    tok_tokenizer *t;
    tok_error err;
    if (tok_open_memory(data, size, "fuzz.json", NULL, &t, &err) != TOK_OK) {
        if (!err.message[0])
            abort();
        return 0;
    }
    static const char text[] = " Hello, world! 123 abab \xE6\x97\xA5\xE6\x9C\xAC <s>a</s> \t\n\n  x";
    exercise(t, text, sizeof text - 1);
    exercise(t, (const char *)data, size < 256 ? size : 256); /* the file's own bytes as text */
    exercise_runs(t, text, sizeof text - 1);
    tok_close(t);
    return 0;
}
