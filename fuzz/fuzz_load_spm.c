/* libFuzzer: the SentencePiece .model loader on arbitrary bytes never crashes and explains
 * every refusal; what it accepts encodes, counts and decodes consistently: count equals the
 * number of ids, spans are ordered and inside the text, every id decodes. The text is fixed,
 * plus the input's own first bytes (so pieces of the model appear in it). */
#include "api/api.h"
#include "formats/spm/spm.h"
#include "runs.h"

#include <stdlib.h>
#include <string.h>

static void check_text(const tok_tokenizer *t, const char *text, size_t len)
{
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8 | TOK_ENCODE_ADD_SPECIAL};
    uint32_t *ids;
    tok_span *spans;
    size_t n, count;
    tok_status st = tok_encode_alloc(t, text, len, &o, &ids, &spans, &n, NULL);
    if (st == TOK_EUNSUPPORTED) /* a CONTROL piece matched from text, as sentencepiece fails */
        return;
    if (st != TOK_OK)
        abort();
    if (tok_count(t, text, len, &o, &count, NULL) != TOK_OK || count != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (spans[i].start > spans[i].end || spans[i].end > len)
            abort();
        if (i && spans[i].start < spans[i - 1].start)
            abort();
    }
    char *back;
    size_t bl;
    if (tok_decode_alloc(t, ids, n, 0, &back, &bl, NULL) != TOK_OK)
        abort();
    tok_free(back);
    if (tok_decode_alloc(t, ids, n, TOK_DECODE_SKIP_SPECIAL, &back, &bl, NULL) != TOK_OK)
        abort();
    tok_free(back);
    tok_free(ids);
    tok_free(spans);
}

/* Unigram: the text many times over (a sentence whose running score grows large, where the
 * per-thread kept pieces and outcomes serve: algo/unigram_edges.c) gives the ids of the trie
 * walk, which never looks at what is kept. */
static void check_kept(tok_tokenizer *t, const char *text, size_t len)
{
    spm_model *m = t->impl;
    if (m->type != SPM_UNIGRAM || !len)
        return;
    size_t reps = 6000 / (len + 1) + 1, n = 0;
    char *s = malloc(reps * (len + 1));
    if (!s)
        return;
    for (size_t i = 0; i < reps; i++) {
        memcpy(s + n, text, len);
        n += len;
        s[n++] = ' ';
    }
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8};
    uint32_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    tok_status sa = tok_encode_alloc(t, s, n, &o, &a, NULL, &na, NULL);
    m->uni.settle_every = SIZE_MAX / 4; /* the walk alone, one pass over the whole text */
    tok_status sb = tok_encode_alloc(t, s, n, &o, &b, NULL, &nb, NULL);
    m->uni.settle_every = 0;
    if (sa != sb || (sa == TOK_OK && (na != nb || memcmp(a, b, na * sizeof *a))))
        abort();
    tok_free(a);
    tok_free(b);
    free(s);
}

/* BPE: the count of a text whose spaces became long runs (where rows of spaces are counted,
 * not normalized: formats/spm/bpe_long.c, "Rows") equals the number of ids, which never drop
 * any; the rank core allowed on every segment, as for a long text. */
static void check_rows(tok_tokenizer *t, const char *text, size_t len)
{
    spm_model *m = t->impl;
    if (m->type != SPM_BPE || !len)
        return;
    size_t n;
    char *s = spaces_as_runs(text, len, &n);
    if (!s)
        return;
    uint32_t keep = m->rank_min;
    m->rank_min = 1;
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8};
    uint32_t *ids = NULL;
    size_t nids = 0, count = 0;
    tok_status sa = tok_encode_alloc(t, s, n, &o, &ids, NULL, &nids, NULL);
    tok_status sb = tok_count(t, s, n, &o, &count, NULL);
    m->rank_min = keep;
    if (sa != sb || (sa == TOK_OK && nids != count))
        abort();
    tok_free(ids);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    tok_tokenizer *t;
    tok_error err;
    err.message[0] = 0;
    tok_status st = tok_open_spm(data, size, "fuzz.model", &t, &err);
    if (st != TOK_OK) {
        if (!err.message[0] || t)
            abort(); /* every failure explains itself */
        return 0;
    }
    static const char text[] = "Hello,  world! 123 \xE6\x97\xA5\xE6\x9C\xAC\t<s> </s> <unk>\n"
                               "\xEF\xBC\xA1\xCC\x81 \xE2\x96\x81x \xFF\xC3";
    check_text(t, text, sizeof text - 1);
    check_text(t, (const char *)data, size < 256 ? size : 256);
    check_kept(t, text, sizeof text - 1);
    check_kept(t, (const char *)data, size < 64 ? size : 64);
    check_rows(t, text, sizeof text - 1);
    check_rows(t, (const char *)data, size < 256 ? size : 256);
    /* every id's bytes and back */
    for (uint32_t id = 0; id < tok_vocab_size(t); id++) {
        const char *b;
        size_t bl;
        if (tok_token_bytes(t, id, &b, &bl) != TOK_OK)
            abort();
        uint32_t back;
        if (tok_token_id(t, b, bl, &back) != TOK_OK)
            abort();
    }
    tok_close(t);
    return 0;
}
