/* counter: the token count of a text that grows (tok_counter_*).
 *
 * The counter keeps the text since the last cut its format proves (budget.c says where they
 * are) and the number of tokens before it. An append adds the chunk to that tail, counts the
 * tail, and moves the cut forward when the format finds a later one: the tokens before a cut
 * never change, whatever is appended, so they are added to the committed count and their text
 * is dropped. An append therefore costs about the chunk plus the tail -- usually the last few
 * words -- and the total is always what tok_count gives for the whole text. A text with no cut
 * for a long stretch (one "word" of megabytes) keeps that stretch and recounts it per append;
 * a tokenizer with no cuts at all keeps and recounts everything.
 *
 * Bytes of a character that is not finished at the end of an append wait for the next one (a
 * chunk from a stream may end inside a character): the total is that of the text before them.
 * A failing append (invalid UTF-8, a special token under the reject policy) leaves the counter
 * as it was. */
#include "api/api.h"

#include <string.h>

struct tok_counter {
    const tok_tokenizer *t;
    tok_encode_options opts;
    tok_wrap w;           /* w.cuttable: cut the tail; else the tail is all the text */
    tok_buf tail;         /* the text since the last cut, pending bytes at its end */
    size_t pending;
    uint64_t base;        /* bytes before the tail */
    size_t committed;     /* tokens before the tail */
    size_t tail_count;    /* tokens of the tail (pending bytes aside) */
};

/* The bytes at the end of s[0..n) that begin a character more bytes could finish (0-3). */
static size_t unfinished(const uint8_t *s, size_t n)
{
    size_t j = n;
    while (j > 0 && n - j < 4 && (s[j - 1] & 0xC0) == 0x80)
        j--;
    if (j == 0 || n - j >= 4)
        return 0;
    j--; /* s[j]: the byte before the continuation bytes, a lead byte if any */
    uint8_t c = s[j];
    size_t k = n - j, need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                           : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    size_t bad;
    return k < need && tok_utf8_valid_prefix(s + j, k, &bad) == 0 && bad == k ? k : 0;
}

/* The count of the empty text, which the tail starts from. */
static size_t empty_count(const tok_counter *c)
{
    tok_out o = {0};
    return tok_encode_into(c->t, (const uint8_t *)"", 0, c->w.cuttable ? &c->w.body : &c->opts,
                           &o, NULL) == TOK_OK
               ? o.n
               : 0;
}

tok_status tok_counter_new(const tok_tokenizer *t, const tok_encode_options *opts,
                           tok_counter **out, tok_error *err)
{
    if (out)
        *out = NULL;
    if (!t || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_counter_new");
    tok_counter *c = calloc(1, sizeof *c);
    if (!c)
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    c->t = t;
    c->opts = opts ? *opts : (tok_encode_options){TOK_SPECIAL_ORDINARY, 0};
    tok_out o = {0};
    tok_status st = tok_encode_into(t, (const uint8_t *)"", 0, &c->opts, &o, err);
    if (st != TOK_OK) { /* options the tokenizer refuses */
        free(c);
        return st;
    }
    tok_wrap_probe(t, &c->opts, &c->w);
    c->tail_count = empty_count(c);
    *out = c;
    return TOK_OK;
}

tok_status tok_counter_append(tok_counter *c, const char *text, size_t len, size_t *total,
                              tok_error *err)
{
    if (!c || (!text && len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "invalid arguments to tok_counter_append");
    size_t old_len = c->tail.len, old_pending = c->pending;
    if (!tok_buf_put(&c->tail, text, len)) {
        c->tail.oom = false;
        c->tail.len = old_len;
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }
    const uint8_t *s = c->tail.data ? c->tail.data : (const uint8_t *)"";
    c->pending = unfinished(s, c->tail.len);
    size_t body = c->tail.len - c->pending;
    const tok_encode_options *eo = c->w.cuttable ? &c->w.body : &c->opts;
    tok_out o = {0};
    tok_status st = tok_encode_into(c->t, s, body, eo, &o, err);
    if (st != TOK_OK) {
        tok_error_shift(err, c->base);
        c->tail.len = old_len;
        c->pending = old_pending;
        return st;
    }
    c->tail_count = o.n;
    size_t p, q;
    if (c->w.cuttable && body && c->t->ops->cut(c->t, &c->w.body, s, body, TOK_CUT_ANY, &p, &q)) {
        tok_out before = {0};
        if (tok_encode_into(c->t, s, p, &c->w.body, &before, NULL) == TOK_OK &&
            before.n <= c->tail_count) {
            c->committed += before.n;
            c->tail_count -= before.n;
            memmove(c->tail.data, c->tail.data + q, c->tail.len - q);
            c->tail.len -= q;
            c->base += q;
        }
    }
    if (total)
        *total = tok_counter_total(c);
    return TOK_OK;
}

size_t tok_counter_total(const tok_counter *c)
{
    if (!c)
        return 0;
    return c->committed + c->tail_count + (c->w.cuttable ? c->w.pre + c->w.post : 0);
}

uint64_t tok_counter_bytes(const tok_counter *c)
{
    return c ? c->base + c->tail.len : 0;
}

size_t tok_counter_pending(const tok_counter *c)
{
    return c ? c->pending : 0;
}

void tok_counter_reset(tok_counter *c)
{
    if (!c)
        return;
    c->tail.len = 0;
    c->tail.oom = false;
    c->pending = 0;
    c->base = 0;
    c->committed = 0;
    c->tail_count = empty_count(c);
}

void tok_counter_free(tok_counter *c)
{
    if (!c)
        return;
    tok_buf_free(&c->tail);
    free(c);
}
