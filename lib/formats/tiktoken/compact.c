/* compact: a built-in vocabulary in a small file, for builds that cannot link the packed blob
 * (WebAssembly loads each on first use, over the network in a browser).
 *
 * The packed blob (tok_vocab_pack) is a few times larger than the .tiktoken text (o200k_base
 * 19.5 MB against 3.6 MB), mostly hash tables that are empty by half; the .tiktoken text is
 * small but costs tok_tiktoken_pack's proofs to open (1.5 billion instructions for o200k_base:
 * every token merged again, the splits found and compared). This form keeps what those proofs
 * decided and drops what follows from it: the tokens' bytes, and for each token the length of
 * the left part of its last merge and of its longest reachable proper prefix. Opening it is a
 * few hash insertions and look-ups per token, and gives the packed blob byte for byte
 * (tok_tiktoken_compact checks that before it hands the form out).
 *
 *   "TOKCMPCT" | u32 n_ids, n_anom, bytes_len | u16 len[n_ids] | bytes | u16 left[n_ids]
 *   | u16 prefix[n_ids] | u32 anom[n_anom]
 *
 * little-endian. left[t]: 0 for a token without a split (unreachable, excluded, or one byte,
 * whose split is itself); prefix[t]: 0 for none. anom: the ids the tables leave out, in their
 * order (tok_vocab.anom). */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

#define MAGIC "TOKCMPCT"
#define HEAD 20

static void put16(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8); }
static void put32(uint8_t *p, uint32_t x) { put16(p, x), put16(p + 2, x >> 16); }
static uint32_t get16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

static size_t size_of(uint32_t n_ids, uint32_t n_anom, uint32_t bytes_len)
{
    return HEAD + (size_t)n_ids * 6 + bytes_len + (size_t)n_anom * 4;
}

/* The compact form of v (with its tables): malloc'd, or NULL when a token is too long for it or
 * memory is short. */
static uint8_t *write_form(const tok_vocab *v, size_t *len)
{
    uint32_t n = v->n_ids, bl = v->off[n];
    size_t total = size_of(n, v->n_anom, bl);
    uint8_t *out = malloc(total), *p = out;
    if (!out)
        return NULL;
    memcpy(p, MAGIC, 8);
    put32(p + 8, n), put32(p + 12, v->n_anom), put32(p + 16, bl);
    p += HEAD;
    uint8_t *lens = p, *bytes = lens + (size_t)n * 2, *left = bytes + bl;
    uint8_t *prefix = left + (size_t)n * 2, *anom = prefix + (size_t)n * 2;
    memcpy(bytes, v->bytes, bl);
    for (uint32_t t = 0; t < n; t++) {
        uint32_t l = tok_vocab_len(v, t), a = v->split[2 * t], q = v->next_prefix[t];
        if (l > UINT16_MAX) {
            free(out);
            return NULL;
        }
        put16(lens + 2 * t, l);
        put16(left + 2 * t, a == TOK_NO_ID || a == t ? 0 : tok_vocab_len(v, a));
        put16(prefix + 2 * t, q == TOK_NO_ID ? 0 : tok_vocab_len(v, q));
    }
    for (uint32_t i = 0; i < v->n_anom; i++)
        put32(anom + 4 * i, v->anom[i]);
    *len = total;
    return out;
}

/* The splits and prefixes the form records, checked as they are found: every part a token
 * below t, every prefix a shorter token, every listed id a token of four bytes or more in the
 * order of its first four bytes. false when the form is not one this build wrote. */
static bool decide(const tok_vocab *v, const uint8_t *left, const uint8_t *prefix,
                   const uint8_t *anom, uint32_t n_anom, uint32_t *split, uint32_t *pre,
                   uint32_t *list)
{
    for (uint32_t t = 0; t < v->n_ids; t++) {
        uint32_t len = tok_vocab_len(v, t), l = get16(left + 2 * t), q = get16(prefix + 2 * t);
        const uint8_t *p = v->bytes + v->off[t];
        split[2 * t] = split[2 * t + 1] = pre[t] = TOK_NO_ID;
        if (len == 1 && !l && !q) {
            split[2 * t] = split[2 * t + 1] = t;
        } else if (l) {
            uint32_t a = l < len ? tok_vocab_find(v, p, l) : TOK_NO_ID;
            uint32_t b = a != TOK_NO_ID ? tok_vocab_find(v, p + l, len - l) : TOK_NO_ID;
            uint32_t c = q && q < len ? tok_vocab_find(v, p, q) : TOK_NO_ID;
            if (a >= t || b >= t || c == TOK_NO_ID)
                return false;
            split[2 * t] = a, split[2 * t + 1] = b, pre[t] = c;
        } else if (q) {
            return false;
        }
    }
    uint64_t last = 0; /* the order tok_bpe_piece_has_anom searches: first four bytes, id */
    for (uint32_t i = 0; i < n_anom; i++) {
        uint32_t t = get32(anom + 4 * i);
        if (t >= v->n_ids || tok_vocab_len(v, t) < 4)
            return false;
        uint64_t key = (uint64_t)tok_load32(v->bytes + v->off[t]) << 32 | t;
        if (key < last)
            return false;
        last = key;
        list[i] = t;
    }
    return true;
}

tok_status tok_tiktoken_uncompact(const uint8_t *data, size_t len, const char *source,
                                  void **blob, size_t *blob_len, tok_error *err)
{
    *blob = NULL;
    *blob_len = 0;
    uint32_t n = 0, n_anom = 0, bl = 0;
    if (len >= HEAD && memcmp(data, MAGIC, 8) == 0) {
        n = get32(data + 8), n_anom = get32(data + 12), bl = get32(data + 16);
        if (n == 0 || n > (1u << 24) || n_anom > n || size_of(n, n_anom, bl) != len)
            n = 0;
    }
    if (n == 0)
        return tok_fail(err, TOK_EFORMAT, source, 0, "%s: not a compact vocabulary of this build",
                        source);
    const uint8_t *lens = data + HEAD, *bytes = lens + (size_t)n * 2, *left = bytes + bl;
    const uint8_t *prefix = left + (size_t)n * 2, *anom = prefix + (size_t)n * 2;
    const uint8_t **toks = malloc((size_t)n * sizeof *toks);
    uint32_t *tl = malloc((size_t)n * sizeof *tl), *ids = malloc((size_t)n * sizeof *ids);
    uint32_t *split = malloc((size_t)n * 2 * sizeof *split), *pre = malloc((size_t)n * 4);
    uint32_t *list = malloc(((size_t)n_anom + 1) * sizeof *list);
    tok_vocab v = {0};
    tok_status st = TOK_ENOMEM;
    bool built = false;
    if (!toks || !tl || !ids || !split || !pre || !list)
        goto done;
    size_t k = 0, at = 0;
    for (uint32_t t = 0; t < n; t++) {
        uint32_t l = get16(lens + 2 * t);
        if (l > bl - at)
            break;
        if (l)
            toks[k] = bytes + at, tl[k] = l, ids[k++] = t;
        at += l;
    }
    st = TOK_EFORMAT;
    size_t dup = 0;
    int r = at == bl ? tok_vocab_build(&v, k, toks, tl, ids, &dup) : -1;
    built = r == 0;
    if (r == -2)
        st = TOK_ENOMEM;
    if (!built || v.n_ids != n || !decide(&v, left, prefix, anom, n_anom, split, pre, list))
        goto done;
    st = TOK_ENOMEM;
    if (tok_bpe_tables_set(&v, split, pre, list, n_anom) == 0 &&
        tok_vocab_pack(&v, blob, blob_len) == 0)
        st = TOK_OK;
done:
    if (built)
        tok_vocab_free(&v);
    free(toks), free(tl), free(ids), free(split), free(pre), free(list);
    if (st == TOK_EFORMAT)
        return tok_fail(err, st, source, TOK_NO_OFFSET, "%s: a damaged compact vocabulary",
                        source);
    if (st == TOK_ENOMEM)
        return tok_fail(err, st, source, TOK_NO_OFFSET, "%s: out of memory", source);
    return st;
}

tok_status tok_tiktoken_compact(const void *blob, size_t blob_len, const char *source,
                                void **out, size_t *out_len, tok_error *err)
{
    *out = NULL;
    *out_len = 0;
    tok_vocab v;
    if (tok_vocab_view(&v, blob, blob_len) != 0 || !v.split)
        return tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                        "%s: not a packed vocabulary with BPE tables", source);
    size_t len;
    uint8_t *form = write_form(&v, &len);
    if (!form)
        return tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET,
                        "%s: out of memory, or a token longer than 65535 bytes", source);
    /* the form is handed out only if it opens into this very blob */
    void *again;
    size_t again_len;
    tok_status st = tok_tiktoken_uncompact(form, len, source, &again, &again_len, err);
    if (st == TOK_OK && (again_len != blob_len || memcmp(again, blob, blob_len) != 0))
        st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                      "%s: its compact form does not open into the same tables", source);
    free(again);
    if (st != TOK_OK) {
        free(form);
        return st;
    }
    *out = form;
    *out_len = len;
    return TOK_OK;
}
