/* tokenizer: the tokenizer object -- making, finishing and closing one, and the facts and
 * lookups on it that every format shares. Opening by name or file: api/open.c. */
#include "core/core.h"

#include <string.h>

tok_tokenizer *tok_tokenizer_new(const char *name, const tok_format_ops *ops)
{
    tok_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = strdup(name ? name : "");
    if (!t->name) {
        free(t);
        return NULL;
    }
    t->ops = ops;
    return t;
}

/* (id, index) pairs: by id, then by index, so the first text listed for an id comes first */
static int by_id(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

tok_status tok_tokenizer_finish(tok_tokenizer *t)
{
    uint32_t n_ids = t->vocab.n_ids > t->n_ids ? t->vocab.n_ids : t->n_ids; /* a loader may
                                                                        set a larger id space */
    const tok_specials *sp = &t->specials;
    for (size_t i = 0; i < sp->n; i++) {
        /* loaders refuse far ids with a message; this keeps the id space from wrapping */
        if (sp->toks[i].id >= t->vocab.n_ids + (uint64_t)TOK_VOCAB_MAX_GAP)
            return TOK_EFORMAT;
        if (sp->toks[i].id >= n_ids)
            n_ids = sp->toks[i].id + 1;
    }
    t->n_ids = n_ids;
    free(t->special_bits);
    free(t->special_sorted);
    t->special_bits = calloc((size_t)n_ids / 8 + 1, 1);
    /* (id, index) pairs sorted by id; the first text listed for an id is the one decode gives */
    t->special_sorted = malloc((sp->n + 1) * 2 * sizeof(uint32_t));
    if (!t->special_bits || !t->special_sorted)
        return TOK_ENOMEM;
    for (size_t i = 0; i < sp->n; i++) {
        uint32_t id = sp->toks[i].id;
        t->special_bits[id / 8] |= (uint8_t)(1u << (id % 8));
        t->special_sorted[2 * i] = id;
        t->special_sorted[2 * i + 1] = (uint32_t)i;
    }
    qsort(t->special_sorted, sp->n, 2 * sizeof(uint32_t), by_id);
    return TOK_OK;
}

void tok_close(tok_tokenizer *t)
{
    if (!t)
        return;
    tok_cached *c = atomic_load(&t->chat_cache);
    if (c)
        c->free(c);
    if (t->ops && t->ops->free_impl && t->impl)
        t->ops->free_impl(t->impl);
    tok_vocab_free(&t->vocab);
    tok_specials_free(&t->specials);
    free(t->special_bits);
    free(t->special_sorted);
    free(t->pattern);
    free(t->name);
    free(t);
}

void tok_free(void *p) { free(p); }

/* ---- facts and lookups ---- */

const char *tok_name(const tok_tokenizer *t) { return t->name; }

const char *tok_format(const tok_tokenizer *t)
{
    return t->ops->name;
}

uint32_t tok_vocab_size(const tok_tokenizer *t) { return t->n_ids; }

const char *tok_pattern(const tok_tokenizer *t) { return t->pattern ? t->pattern : ""; }

size_t tok_special_count(const tok_tokenizer *t) { return t->specials.n; }

tok_status tok_special_at(const tok_tokenizer *t, size_t i, const char **text, size_t *len,
                          uint32_t *id)
{
    if (i >= t->specials.n)
        return TOK_ERANGE;
    const tok_special_tok *s = &t->specials.toks[i];
    if (text)
        *text = (const char *)s->text;
    if (len)
        *len = s->len;
    if (id)
        *id = s->id;
    return TOK_OK;
}

int tok_is_special(const tok_tokenizer *t, uint32_t id)
{
    return id < t->n_ids && (t->special_bits[id / 8] >> (id % 8) & 1);
}

const tok_special_tok *tok_special_of(const tok_tokenizer *t, uint32_t id)
{
    if (!tok_is_special(t, id))
        return NULL;
    size_t lo = 0, hi = t->specials.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->special_sorted[2 * mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->specials.n && t->special_sorted[2 * lo] == id)
        return &t->specials.toks[t->special_sorted[2 * lo + 1]];
    return NULL;
}

tok_status tok_token_bytes(const tok_tokenizer *t, uint32_t id, const char **bytes, size_t *len)
{
    const tok_special_tok *s = tok_special_of(t, id);
    if (s) {
        *bytes = (const char *)s->text;
        *len = s->len;
        return TOK_OK;
    }
    if (id >= t->vocab.n_ids || tok_vocab_len(&t->vocab, id) == 0)
        return t->ops->extra_bytes && t->ops->extra_bytes(t, id, bytes, len) ? TOK_OK : TOK_EID;
    *bytes = (const char *)t->vocab.bytes + t->vocab.off[id];
    *len = tok_vocab_len(&t->vocab, id);
    return TOK_OK;
}

tok_status tok_token_id(const tok_tokenizer *t, const char *bytes, size_t len, uint32_t *id)
{
    if (!bytes && len)
        return TOK_EINVAL;
    uint32_t v = len ? tok_vocab_find(&t->vocab, (const uint8_t *)bytes, len) : TOK_NO_ID;
    if (v == TOK_NO_ID && len)
        v = tok_specials_id(&t->specials, (const uint8_t *)bytes, len);
    if (v == TOK_NO_ID && len && t->ops->extra_id && t->ops->extra_id(t, bytes, len, &v))
        return *id = v, TOK_OK;
    if (v == TOK_NO_ID)
        return TOK_ENOENT;
    *id = v;
    return TOK_OK;
}

tok_status tok_fail_special(const tok_call *call, tok_error *err, const uint8_t *tok, size_t len,
                            uint64_t at)
{
    if (call && call->lossy && call->lossy->n)
        at = tok_lossy_orig(call->lossy, at, false);
    return tok_fail(err, TOK_ESPECIAL, NULL, at,
                    "special token %.*s at byte %llu is not allowed (the special-token policy is "
                    "reject)",
                    (int)len, (const char *)tok, (unsigned long long)at);
}
