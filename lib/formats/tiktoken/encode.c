/* encode: the tiktoken pipeline (tiktoken's CoreBPE::encode) and its decode.
 *
 *   special tokens (as the policy says) -> the split (scanner or regex) -> rank BPE per piece
 *
 * The text between special tokens is split on its own, as tiktoken slices it; each piece goes
 * through algo/bpe_rank.c. Decoding concatenates the tokens' bytes: for byte-level BPE that is
 * exactly the text that was encoded. */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

typedef struct seg_ctx {
    const tok_tokenizer *t;
    const uint8_t *s;
    tok_out *o;
    tok_scratch *sc;
} seg_ctx;

static bool regex_piece(void *ctx, size_t start, size_t end)
{
    seg_ctx *c = ctx;
    return tok_bpe_rank_piece(&c->t->vocab, c->s + start, end - start, start, c->o, c->sc);
}

/* Encode s[a..b), a stretch without special tokens. */
static tok_status encode_segment(const tok_tokenizer *t, const uint8_t *s, size_t a, size_t b,
                                 tok_out *o, tok_scratch *sc)
{
    const tt_split *sp = t->impl;
    if (sp->scan) {
        tok_pretok_fn next = sp->scan;
        for (size_t i = a; i < b;) {
            size_t j = next(s, i, b);
            if (!tok_bpe_rank_piece(&t->vocab, s + i, j - i, i, o, sc))
                return TOK_ENOMEM;
            i = j;
        }
        return TOK_OK;
    }
    if (sp->regex) {
        seg_ctx c = {t, s, o, sc};
        return tok_regex_split(sp->regex, s, a, b, regex_piece, &c);
    }
    if (a == b || tok_bpe_rank_piece(&t->vocab, s + a, b - a, a, o, sc))
        return TOK_OK;
    return TOK_ENOMEM;
}

static tok_status tt_encode(const tok_tokenizer *t, const uint8_t *s, size_t n,
                            const tok_encode_options *opts, tok_out *o, tok_call *call,
                            tok_error *err)
{
    tok_special_policy policy = opts ? opts->special : TOK_SPECIAL_ORDINARY;
    tok_status st = TOK_OK;
    size_t pos = 0;
    if (policy != TOK_SPECIAL_ORDINARY && t->specials.n) {
        for (;;) {
            size_t which, at = tok_specials_find(&t->specials, s, pos, n, &which);
            if (at == n)
                break;
            const tok_special_tok *sp = &t->specials.toks[which];
            if (policy == TOK_SPECIAL_REJECT)
                return tok_fail_special(call, err, sp->text, sp->len, at);
            if ((st = encode_segment(t, s, pos, at, o, &call->sc)) != TOK_OK)
                goto failed;
            tok_out_push(o, sp->id, at, at + sp->len);
            pos = at + sp->len;
        }
    }
    if ((st = encode_segment(t, s, pos, n, o, &call->sc)) == TOK_OK)
        return TOK_OK;
failed:
    if (st == TOK_ENOMEM)
        return tok_fail(err, st, NULL, TOK_NO_OFFSET, "out of memory");
    return tok_fail(err, st, NULL, TOK_NO_OFFSET,
                    "the split pattern exceeded the regex engine's limits on this text");
}

static tok_status tt_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                            tok_buf *buf, tok_error *err)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        if ((flags & TOK_DECODE_SKIP_SPECIAL) && tok_is_special(t, id))
            continue;
        const char *p;
        size_t len;
        if (tok_token_bytes(t, id, &p, &len) != TOK_OK) {
            tok_status st = tok_fail(err, TOK_EID, t->name, TOK_NO_OFFSET,
                                     "token id %u (position %zu) is not in the vocabulary of "
                                     "%s (size %u)",
                                     id, i, t->name, t->n_ids);
            if (err)
                err->index = (uint32_t)i;
            return st;
        }
        if (!tok_buf_put(buf, p, len))
            return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }
    return TOK_OK;
}

/* Streaming: a token's bytes are final as soon as it arrives (the driver holds back an
 * unfinished character). */
typedef struct tt_stream {
    unsigned flags;
} tt_stream;

static void *tt_stream_new(const tok_tokenizer *t, unsigned flags)
{
    tt_stream *st = malloc(sizeof *st);
    if (st)
        st->flags = flags;
    return st;
}

static bool tt_stream_id_ok(const tok_tokenizer *t, uint32_t id)
{
    const char *p;
    size_t len;
    return tok_token_bytes(t, id, &p, &len) == TOK_OK;
}

static bool tt_stream_push(const tok_tokenizer *t, void *state, const uint32_t *ids, size_t n,
                           tok_buf *buf)
{
    const tt_stream *st = state;
    for (size_t i = 0; i < n; i++) {
        const char *p;
        size_t len;
        if ((st->flags & TOK_DECODE_SKIP_SPECIAL) && tok_is_special(t, ids[i]))
            continue;
        if (tok_token_bytes(t, ids[i], &p, &len) == TOK_OK && !tok_buf_put(buf, p, len))
            return false;
    }
    return true;
}

static bool tt_stream_end(const tok_tokenizer *t, void *st, tok_buf *buf) { return true; }
static void tt_stream_reset(void *st) {}

static const tok_stream_ops tt_stream_ops = {tt_stream_new, tt_stream_id_ok, tt_stream_push,
                                              tt_stream_end, tt_stream_reset, free};

static void tt_free(void *impl)
{
    tt_split *sp = impl;
    tok_regex_free(sp->regex);
    free(sp);
}

const tok_format_ops tiktoken_ops = {
    .name = "tiktoken", .encode = tt_encode, .decode = tt_decode, .free_impl = tt_free,
    .stream = &tt_stream_ops, .cut = tt_cut};

tok_status tt_set_split(tok_tokenizer *t, tok_pretok_fn scan, void *regex)
{
    tt_split *sp = malloc(sizeof *sp);
    if (!sp) {
        tok_regex_free(regex);
        return TOK_ENOMEM;
    }
    sp->scan = scan;
    sp->regex = regex;
    t->impl = sp;
    return TOK_OK;
}
