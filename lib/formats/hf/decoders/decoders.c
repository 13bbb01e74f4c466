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

/* s with every occurrence of from replaced by to, appended to the last string of l */
static bool append_replaced(slist *l, const char *s, size_t n, const char *from, size_t fl,
                            const char *to, size_t tl)
{
    size_t k = 0;
    while (k < n) {
        if (fl && k + fl <= n && memcmp(s + k, from, fl) == 0) {
            if (!sl_append(l, to, tl))
                return false;
            k += fl;
        } else {
            if (!sl_append(l, s + k, 1))
                return false;
            k++;
        }
    }
    return true;
}

/* wordpiece::cleanup */
static bool cleanup(slist *out, const char *s, size_t n)
{
    static const char *const pairs[][2] = {{" .", "."},  {" ?", "?"},     {" !", "!"},
                                           {" ,", ","},  {" ' ", "'"},    {" n't", "n't"},
                                           {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"},
                                           {" 've", "'ve"}, {" 're", "'re"}};
    /* chained String::replace calls: apply them one after another */
    char *cur = malloc(n + 1);
    if (!cur)
        return false;
    memcpy(cur, s, n);
    size_t len = n;
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        size_t fl = strlen(pairs[p][0]), tl = strlen(pairs[p][1]);
        char *next = malloc(len * 2 + 1);
        if (!next) {
            free(cur);
            return false;
        }
        size_t o = 0;
        for (size_t k = 0; k < len;) {
            if (k + fl <= len && memcmp(cur + k, pairs[p][0], fl) == 0) {
                memcpy(next + o, pairs[p][1], tl);
                o += tl;
                k += fl;
            } else {
                next[o++] = cur[k++];
            }
        }
        free(cur);
        cur = next;
        len = o;
    }
    bool ok = sl_append(out, cur, len);
    free(cur);
    return ok;
}

static bool lossy_append(slist *out, const uint8_t *p, size_t n)
{
    while (n) {
        size_t bad, ok = tok_utf8_valid_prefix(p, n, &bad);
        if (!sl_append(out, p, ok))
            return false;
        p += ok;
        n -= ok;
        if (n) {
            if (!sl_append(out, "\xEF\xBF\xBD", 3))
                return false;
            p += bad;
            n -= bad;
        }
    }
    return true;
}

static bool decode_step(const hf_pipeline *hp, const hf_dec *d, const slist *in, slist *out)
{
    switch (d->kind) {
    case HF_DEC_BYTELEVEL: { /* all tokens' characters mapped back to bytes, one lossy string */
        tok_buf bytes = {0};
        bool ok = true;
        for (size_t i = 0; i < in->n && ok; i++) {
            const uint8_t *s = (const uint8_t *)STR(in, i);
            size_t n = in->len[i], start = bytes.len;
            bool all = true;
            for (size_t k = 0; k < n && ok;) {
                unsigned cl;
                int b = hf_bytelevel_byte(tok_utf8_decode(s + k, &cl));
                if (b < 0) {
                    all = false;
                    break;
                }
                uint8_t c = (uint8_t)b;
                ok = tok_buf_put(&bytes, &c, 1);
                k += cl;
            }
            if (!all) { /* not in the alphabet: the token's own bytes */
                bytes.len = start;
                ok = tok_buf_put(&bytes, s, n);
            }
        }
        ok = ok && sl_add(out, "", 0) && lossy_append(out, bytes.data ? bytes.data : (const uint8_t *)"", bytes.len);
        tok_buf_free(&bytes);
        return ok;
    }
    case HF_DEC_METASPACE:
        for (size_t i = 0; i < in->n; i++) {
            if (!sl_add(out, "", 0))
                return false;
            const uint8_t *s = (const uint8_t *)STR(in, i);
            for (size_t k = 0; k < in->len[i];) {
                unsigned cl;
                uint32_t cp = tok_utf8_decode(s + k, &cl);
                bool ok = true;
                if (cp == d->replacement) {
                    if (!(i == 0 && d->prepend != HF_PREPEND_NEVER))
                        ok = sl_append(out, " ", 1);
                } else {
                    ok = sl_append(out, s + k, cl);
                }
                if (!ok)
                    return false;
                k += cl;
            }
        }
        return true;
    case HF_DEC_WORDPIECE:
        for (size_t i = 0; i < in->n; i++) {
            const char *s = STR(in, i);
            size_t n = in->len[i];
            char *tmp = malloc(n + 2);
            if (!tmp)
                return false;
            size_t tl;
            if (i != 0 && n >= d->prefix_len && memcmp(s, d->prefix, d->prefix_len) == 0) {
                memcpy(tmp, s + d->prefix_len, n - d->prefix_len);
                tl = n - d->prefix_len;
            } else if (i != 0) {
                tmp[0] = ' ';
                memcpy(tmp + 1, s, n);
                tl = n + 1;
            } else {
                memcpy(tmp, s, n);
                tl = n;
            }
            bool ok = sl_add(out, "", 0) && (d->cleanup ? cleanup(out, tmp, tl) : sl_append(out, tmp, tl));
            free(tmp);
            if (!ok)
                return false;
        }
        return true;
    case HF_DEC_BPE: {
        size_t sl = strlen(d->suffix);
        for (size_t i = 0; i < in->n; i++) {
            const char *with = i + 1 == in->n ? "" : " ";
            if (!sl_add(out, "", 0) ||
                !append_replaced(out, STR(in, i), in->len[i], d->suffix, sl, with, strlen(with)))
                return false;
        }
        return true;
    }
    case HF_DEC_BYTEFALLBACK: {
        tok_buf pend = {0};
        bool ok = true;
        for (size_t i = 0; i <= in->n && ok; i++) {
            const char *s = i < in->n ? STR(in, i) : NULL;
            size_t n = i < in->n ? in->len[i] : 0;
            int byte = -1;
            if (s && n == 6 && !memcmp(s, "<0x", 3) && s[5] == '>') {
                int hi = hexdig(s[3]), lo = hexdig(s[4]);
                if (hi >= 0 && lo >= 0)
                    byte = hi * 16 + lo;
            }
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
        return ok;
    }
    case HF_DEC_FUSE:
        if (!sl_add(out, "", 0))
            return false;
        for (size_t i = 0; i < in->n; i++)
            if (!sl_append(out, STR(in, i), in->len[i]))
                return false;
        return true;
    case HF_DEC_STRIP:
        for (size_t i = 0; i < in->n; i++) {
            const uint8_t *s = (const uint8_t *)STR(in, i);
            size_t n = in->len[i];
            /* character positions */
            size_t nch = 0;
            for (size_t k = 0; k < n; k++)
                nch += (s[k] & 0xC0) != 0x80;
            size_t *pos = malloc((nch + 1) * sizeof *pos);
            uint32_t *cps = malloc((nch + 1) * sizeof *cps);
            if (!pos || !cps) {
                free(pos), free(cps);
                return false;
            }
            for (size_t k = 0, c = 0; k < n; c++) {
                unsigned cl;
                pos[c] = k;
                cps[c] = tok_utf8_decode(s + k, &cl);
                k += cl;
            }
            pos[nch] = n;
            size_t start_cut = 0, stop_cut = nch;
            for (size_t c = 0; c < d->start && c < nch; c++) {
                if (cps[c] != d->content)
                    break;
                start_cut = c + 1;
            }
            for (size_t c = 0; c < d->stop && c < nch; c++) {
                size_t idx = nch - c - 1;
                if (cps[idx] != d->content)
                    break;
                stop_cut = idx;
            }
            bool ok = sl_add(out, "", 0) &&
                      (stop_cut <= start_cut || sl_append(out, s + pos[start_cut], pos[stop_cut] - pos[start_cut]));
            free(pos), free(cps);
            if (!ok)
                return false;
        }
        return true;
    case HF_DEC_REPLACE:
        for (size_t i = 0; i < in->n; i++) {
            const uint8_t *s = (const uint8_t *)STR(in, i);
            size_t n = in->len[i], at = 0, a, b;
            if (!sl_add(out, "", 0))
                return false;
            tok_match_iter it;
            tok_match_begin(&it, d->regex, s, n);
            while (n && tok_match_next(&it, &a, &b)) {
                if (!sl_append(out, s + at, a - at) || !sl_append(out, d->with, strlen(d->with)))
                    return false;
                at = b;
            }
            if (it.failed || !sl_append(out, s + at, n - at))
                return false;
        }
        return true;
    case HF_DEC_CTC: {
        size_t pl = strlen(d->pad_token), wl = strlen(d->word_delimiter);
        for (size_t i = 0; i < in->n; i++) {
            if (i > 0 && in->len[i] == in->len[i - 1] &&
                memcmp(STR(in, i), STR(in, i - 1), in->len[i]) == 0)
                continue; /* dedup consecutive equal tokens */
            slist tmp = {0};
            bool ok = sl_add(&tmp, "", 0) &&
                      append_replaced(&tmp, STR(in, i), in->len[i], d->pad_token, pl, "", 0);
            slist tmp2 = {0};
            if (ok && d->cleanup) {
                ok = sl_add(&tmp2, "", 0) && cleanup(&tmp2, STR(&tmp, 0), tmp.len[0]);
                sl_reset(&tmp);
                ok = ok && sl_add(&tmp, "", 0) &&
                     append_replaced(&tmp, STR(&tmp2, 0), tmp2.len[0], d->word_delimiter, wl, " ", 1);
            }
            if (ok && tmp.len[0])
                ok = sl_add(out, STR(&tmp, 0), tmp.len[0]);
            sl_free(&tmp);
            sl_free(&tmp2);
            if (!ok)
                return false;
        }
        return true;
    }
    }
    (void)hp;
    return false;
}

tok_status hf_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                     tok_buf *buf, tok_error *err)
{
    const hf_pipeline *hp = t->impl;
    slist a = {0}, b = {0};
    bool ok = true;
    tok_status st = TOK_OK;
    uint8_t *enc = NULL;
    size_t enc_cap = 0;
    for (size_t i = 0; i < n && ok; i++) {
        uint32_t id = ids[i];
        const hf_added *ad = hf_added_of(hp, id);
        if ((flags & TOK_DECODE_SKIP_SPECIAL) && (ad ? ad->decode_skip : tok_is_special(t, id)))
            continue;
        if (ad) {
            ok = sl_add(&a, ad->normalized, ad->nlen);
            continue;
        }
        if (id >= t->vocab.n_ids || tok_vocab_len(&t->vocab, id) == 0) {
            st = tok_fail(err, TOK_EID, t->name, TOK_NO_OFFSET,
                          "token id %u (position %zu) is not in the vocabulary of %s", id, i,
                          t->name);
            if (err)
                err->index = (uint32_t)i;
            ok = false;
            break;
        }
        const uint8_t *p = t->vocab.bytes + t->vocab.off[id];
        size_t len = tok_vocab_len(&t->vocab, id);
        if (hp->model.byte_level && !hf_is_verbatim(hp, id)) {
            if (enc_cap < 2 * len) {
                enc_cap = 2 * len + 64;
                uint8_t *ne = realloc(enc, enc_cap);
                if (!ne) {
                    ok = false;
                    break;
                }
                enc = ne;
            }
            size_t el = 0;
            for (size_t k = 0; k < len; k++)
                el += tok_utf8_encode(hf_bytelevel_char(p[k]), enc + el);
            ok = sl_add(&a, enc, el);
        } else {
            ok = sl_add(&a, p, len);
        }
    }
    free(enc);
    if (ok && !hp->has_decoder) { /* tokens.join(" ") */
        for (size_t i = 0; i < a.n && ok; i++)
            ok = (i == 0 || tok_buf_put(buf, " ", 1)) && tok_buf_put(buf, STR(&a, i), a.len[i]);
    } else if (ok) {
        slist *x = &a, *y = &b;
        for (size_t k = 0; k < hp->n_decs && ok; k++) {
            sl_reset(y);
            ok = decode_step(hp, &hp->decs[k], x, y) && !y->oom;
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
