/* decoders: ids -> text through a tokenizer.json's decoder chain (tokenizers/src/decoders/).
 *
 * Tokenizer::decode: each id becomes its token string (an added token's content -- its
 * normalized form for normalized tokens -- else the model's string; when skipping, dropped if
 * that string is a special token's content), the decoders run on the list of strings in order, and the result is joined; with
 * no decoder the strings are joined with spaces. Byte-level vocabularies are stored as raw
 * bytes, so their strings are re-encoded into the byte alphabet first, as HF holds them. */
#include "formats/hf/hf.h"

#include <string.h>

/* A list of strings: pieces of one buffer. */
typedef struct slist {
    tok_buf b;
    size_t *off, *len;
    size_t n, cap;
    bool oom;
} slist;

static bool sl_add(slist *l, const void *p, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = tok_grow_cap(l->cap, l->n + 1, 64);
        if (!cap || !tok_realloc(&l->off, cap, sizeof *l->off) ||
            !tok_realloc(&l->len, cap, sizeof *l->len)) {
            l->oom = true;
            return false;
        }
        l->cap = cap;
    }
    l->off[l->n] = l->b.len;
    l->len[l->n] = n;
    l->n++;
    if (!tok_buf_put(&l->b, p, n)) {
        l->oom = true;
        return false;
    }
    return true;
}

/* Append to the last string of l. */
static bool sl_append(slist *l, const void *p, size_t n)
{
    if (!tok_buf_put(&l->b, p, n)) {
        l->oom = true;
        return false;
    }
    l->len[l->n - 1] += n;
    return true;
}

static void sl_reset(slist *l)
{
    l->b.len = 0;
    l->n = 0;
}

static void sl_free(slist *l)
{
    tok_buf_free(&l->b);
    free(l->off);
    free(l->len);
}

#define STR(l, i) ((const char *)(l)->b.data + (l)->off[i])

/* u8::from_str_radix(.., 16) on one digit */
static int hexdig(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
         : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s with every occurrence of from replaced by to, appended to out */
static bool put_replaced(tok_buf *out, const char *s, size_t n, const char *from, size_t fl,
                         const char *to, size_t tl)
{
    size_t k = 0, at = 0;
    while (fl && k + fl <= n) {
        if (memcmp(s + k, from, fl) == 0) {
            if (!tok_buf_put(out, s + at, k - at) || !tok_buf_put(out, to, tl))
                return false;
            k += fl;
            at = k;
        } else {
            k++;
        }
    }
    return tok_buf_put(out, s + at, n - at);
}

/* wordpiece::cleanup: chained String::replace calls, applied one after another */
const char *const hf_cleanup_pairs[HF_CLEANUP_PAIRS][2] = {
    {" .", "."},   {" ?", "?"},   {" !", "!"},   {" ,", ","},          {" ' ", "'"}, {" n't", "n't"},
    {" 'm", "'m"}, {" do not", " don't"},        {" 's", "'s"},        {" 've", "'ve"},
    {" 're", "'re"}};

static bool cleanup(tok_buf *out, const char *s, size_t n)
{
    tok_buf a = {0}, b = {0};
    bool ok = tok_buf_put(&a, s, n);
    for (size_t p = 0; ok && p < HF_CLEANUP_PAIRS; p++) {
        const char *from = hf_cleanup_pairs[p][0], *to = hf_cleanup_pairs[p][1];
        b.len = 0;
        ok = put_replaced(&b, (const char *)a.data, a.len, from, strlen(from), to, strlen(to));
        tok_buf t = a;
        a = b;
        b = t;
    }
    ok = ok && tok_buf_put(out, a.data, a.len);
    tok_buf_free(&a);
    tok_buf_free(&b);
    return ok;
}

bool hf_bytelevel_put(tok_buf *out, const uint8_t *s, size_t n)
{
    size_t start = out->len;
    /* the token as it is, then room to decode it into */
    if (!tok_buf_put(out, s, n) || !tok_buf_put(out, s, n))
        return false;
    size_t bl = hf_bytelevel_decode(s, n, out->data + start + n);
    if (bl != SIZE_MAX)
        memmove(out->data + start, out->data + start + n, bl);
    out->len = start + (bl != SIZE_MAX ? bl : n);
    return true;
}

size_t hf_dec_lossy(const uint8_t *p, size_t n, bool final, tok_buf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t bad, ok = tok_utf8_valid_prefix(p + i, n - i, &bad);
        if (!tok_buf_put(out, p + i, ok))
            return i;
        i += ok;
        if (i == n || (!final && i + bad == n))
            break;
        if (!tok_buf_put(out, "\xEF\xBF\xBD", 3))
            return i;
        i += bad;
    }
    return i;
}

int hf_dec_byte_token(const uint8_t *s, size_t n)
{
    if (n == 6 && !memcmp(s, "<0x", 3) && s[5] == '>') {
        int hi = hexdig((char)s[3]), lo = hexdig((char)s[4]);
        if (hi >= 0 && lo >= 0)
            return hi * 16 + lo;
    }
    return -1;
}

bool hf_dec_map(const hf_dec *d, const uint8_t *s, size_t n, size_t i, bool last, tok_buf *out)
{
    switch (d->kind) {
    case HF_DEC_METASPACE:
        for (size_t k = 0; k < n;) {
            unsigned cl;
            uint32_t cp = tok_utf8_decode(s + k, &cl);
            bool ok = true;
            if (cp == d->replacement) {
                if (!(i == 0 && d->prepend != HF_PREPEND_NEVER))
                    ok = tok_buf_put(out, " ", 1);
            } else {
                ok = tok_buf_put(out, s + k, cl);
            }
            if (!ok)
                return false;
            k += cl;
        }
        return true;
    case HF_DEC_WORDPIECE: {
        tok_buf tmp = {0};
        bool ok;
        if (i != 0 && n >= d->prefix_len && memcmp(s, d->prefix, d->prefix_len) == 0)
            ok = tok_buf_put(&tmp, s + d->prefix_len, n - d->prefix_len);
        else
            ok = (i == 0 || tok_buf_put(&tmp, " ", 1)) && tok_buf_put(&tmp, s, n);
        ok = ok && (d->cleanup ? cleanup(out, (const char *)tmp.data, tmp.len)
                               : tok_buf_put(out, tmp.data, tmp.len));
        tok_buf_free(&tmp);
        return ok;
    }
    case HF_DEC_BPE: {
        const char *with = last ? "" : " ";
        return put_replaced(out, (const char *)s, n, d->suffix, strlen(d->suffix), with,
                            strlen(with));
    }
    case HF_DEC_STRIP: {
        /* leading and trailing characters equal to content, up to start and stop of them */
        size_t a = 0, b = n;
        for (size_t c = 0; c < d->start && a < n; c++) {
            unsigned cl;
            if (tok_utf8_decode(s + a, &cl) != d->content)
                break;
            a += cl;
        }
        for (size_t c = 0; c < d->stop && b > 0; c++) {
            size_t k = b - 1;
            while (k > 0 && (s[k] & 0xC0) == 0x80)
                k--;
            unsigned cl;
            if (tok_utf8_decode(s + k, &cl) != d->content)
                break;
            b = k;
        }
        return b <= a || tok_buf_put(out, s + a, b - a);
    }
    case HF_DEC_REPLACE: {
        if (!n) /* nothing to replace (and no iterator to release) */
            return true;
        size_t at = 0, ma, mb;
        bool ok = true;
        tok_match_iter it;
        tok_match_begin(&it, d->regex, s, n);
        while (tok_match_next(&it, &ma, &mb)) { /* to the end: that releases the iterator */
            ok = ok && tok_buf_put(out, s + at, ma - at) &&
                 tok_buf_put(out, d->with, strlen(d->with));
            at = mb;
        }
        return ok && !it.failed && tok_buf_put(out, s + at, n - at);
    }
    default:
        return false;
    }
}

bool hf_dec_ctc(const hf_dec *d, const uint8_t *s, size_t n, tok_buf *out)
{
    tok_buf a = {0}, b = {0};
    bool ok = put_replaced(&a, (const char *)s, n, d->pad_token, strlen(d->pad_token), "", 0);
    if (ok && d->cleanup) {
        ok = cleanup(&b, (const char *)a.data, a.len);
        a.len = 0;
        ok = ok && put_replaced(&a, (const char *)b.data, b.len, d->word_delimiter,
                                strlen(d->word_delimiter), " ", 1);
    }
    ok = ok && tok_buf_put(out, a.data, a.len);
    tok_buf_free(&a);
    tok_buf_free(&b);
    return ok;
}

/* One decoder on the list in, the result to out (decode_chain). */
static bool decode_step(const hf_dec *d, const slist *in, slist *out)
{
    tok_buf tmp = {0};
    bool ok = true;
    switch (d->kind) {
    case HF_DEC_BYTELEVEL: { /* all tokens' characters mapped back to bytes, one lossy string */
        for (size_t i = 0; i < in->n && ok; i++) {
            const uint8_t *s = (const uint8_t *)STR(in, i);
            size_t n = in->len[i];
            ok = hf_bytelevel_put(&tmp, s, n);
        }
        ok = ok && sl_add(out, "", 0);
        if (ok) {
            tok_buf text = {0};
            hf_dec_lossy(tmp.data ? tmp.data : (const uint8_t *)"", tmp.len, true, &text);
            ok = !text.oom && sl_append(out, text.data, text.len);
            tok_buf_free(&text);
        }
        break;
    }
    case HF_DEC_BYTEFALLBACK: {
        tok_buf pend = {0};
        for (size_t i = 0; i <= in->n && ok; i++) {
            const uint8_t *s = i < in->n ? (const uint8_t *)STR(in, i) : NULL;
            size_t n = i < in->n ? in->len[i] : 0;
            int byte = s ? hf_dec_byte_token(s, n) : -1;
            if (byte >= 0) {
                uint8_t c = (uint8_t)byte;
                ok = tok_buf_put(&pend, &c, 1);
                continue;
            }
            if (pend.len) { /* valid UTF-8 as one string, else one U+FFFD per byte */
                size_t bad;
                if (tok_utf8_valid_prefix(pend.data, pend.len, &bad) == pend.len)
                    ok = sl_add(out, pend.data, pend.len);
                else
                    for (size_t k = 0; k < pend.len && ok; k++)
                        ok = sl_add(out, "\xEF\xBF\xBD", 3);
                pend.len = 0;
            }
            if (ok && s)
                ok = sl_add(out, s, n);
        }
        tok_buf_free(&pend);
        break;
    }
    case HF_DEC_FUSE:
        ok = sl_add(out, "", 0);
        for (size_t i = 0; i < in->n && ok; i++)
            ok = sl_append(out, STR(in, i), in->len[i]);
        break;
    case HF_DEC_CTC:
        for (size_t i = 0; i < in->n && ok; i++) {
            if (i > 0 && in->len[i] == in->len[i - 1] &&
                memcmp(STR(in, i), STR(in, i - 1), in->len[i]) == 0)
                continue; /* dedup consecutive equal tokens */
            tmp.len = 0;
            ok = hf_dec_ctc(d, (const uint8_t *)STR(in, i), in->len[i], &tmp) &&
                 (!tmp.len || sl_add(out, tmp.data, tmp.len));
        }
        break;
    default: /* one string for each */
        for (size_t i = 0; i < in->n && ok; i++) {
            tmp.len = 0;
            ok = hf_dec_map(d, (const uint8_t *)STR(in, i), in->len[i], i, i + 1 == in->n, &tmp) &&
                 sl_add(out, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len);
        }
        break;
    }
    ok = ok && !tmp.oom;
    tok_buf_free(&tmp);
    return ok;
}

int hf_dec_token(const tok_tokenizer *t, uint32_t id, unsigned flags, tok_buf *scratch,
                 const uint8_t **s, size_t *n)
{
    const hf_pipeline *hp = t->impl;
    const hf_added *ad = hf_added_of(hp, id);
    if ((flags & TOK_DECODE_SKIP_SPECIAL) && (ad ? ad->decode_skip : tok_is_special(t, id)))
        return 0;
    if (ad) {
        *s = ad->normalized;
        *n = ad->nlen;
        return 1;
    }
    if (id >= t->vocab.n_ids || tok_vocab_len(&t->vocab, id) == 0)
        return -1;
    const uint8_t *p = t->vocab.bytes + t->vocab.off[id];
    size_t len = tok_vocab_len(&t->vocab, id);
    if (!hp->model.byte_level || hf_is_verbatim(hp, id)) {
        *s = p;
        *n = len;
        return 1;
    }
    /* byte-level vocabularies are stored as raw bytes: back into the byte alphabet */
    scratch->len = 0;
    for (size_t k = 0; k < len; k++) {
        uint8_t enc[4];
        if (!tok_buf_put(scratch, enc, tok_utf8_encode(hf_bytelevel_char(p[k]), enc)))
            return -2;
    }
    *s = scratch->data;
    *n = scratch->len;
    return 1;
}

tok_status hf_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                     tok_buf *buf, tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    slist a = {0}, b = {0};
    tok_buf scratch = {0};
    bool ok = true;
    tok_status st = TOK_OK;
    for (size_t i = 0; i < n && ok; i++) {
        const uint8_t *s;
        size_t len;
        int r = hf_dec_token(t, ids[i], flags, &scratch, &s, &len);
        if (r == -1) {
            st = tok_fail(err, TOK_EID, t->name, TOK_NO_OFFSET,
                          "token id %u (position %zu) is not in the vocabulary of %s", ids[i],
                          i, t->name);
            if (err)
                err->index = (uint32_t)i;
            ok = false;
        } else {
            ok = r == 0 || (r == 1 && sl_add(&a, s, len));
        }
    }
    tok_buf_free(&scratch);
    if (ok && !hp->has_decoder) { /* tokens.join(" ") */
        for (size_t i = 0; i < a.n && ok; i++)
            ok = (i == 0 || tok_buf_put(buf, " ", 1)) && tok_buf_put(buf, STR(&a, i), a.len[i]);
    } else if (ok) {
        slist *x = &a, *y = &b;
        for (size_t k = 0; k < hp->n_decs && ok; k++) {
            sl_reset(y);
            ok = decode_step(&hp->decs[k], x, y) && !y->oom;
            slist *tmp = x;
            x = y;
            y = tmp;
        }
        for (size_t i = 0; i < x->n && ok; i++)
            ok = tok_buf_put(buf, STR(x, i), x->len[i]);
    }
    sl_free(&a);
    sl_free(&b);
    if (!ok && st == TOK_OK)
        st = tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    return st;
}
