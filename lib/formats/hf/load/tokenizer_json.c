/* tokenizer_json: tokenizer.json -> tokenizer (the model, the vocabulary and the added tokens;
 * the other components are read in components.c). Follows tokenizers/src/tokenizer/serialization.rs and
 * models/NAME/serialization.rs: the same fields, defaults and errors, each error naming the JSON
 * path ("model.merges[17]: ...").
 *
 * Vocabularies: a byte-level model (one with a ByteLevel pre-tokenizer) is stored as the raw
 * bytes its strings stand for ("Ġthe" -> " the"), so it runs on input bytes; its entries that
 * are not in the byte alphabet can never come out of the model and are kept for decoding only.
 * Other models keep their strings ("▁the", "##ing", "<0x0A>"). */
#include "formats/hf/load/load.h"

#include <stdio.h>
#include <string.h>

tok_status hf_fail(hf_load *ld, tok_status st, uint32_t node, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t at = node == J_NONE ? TOK_NO_OFFSET : ld->doc->nodes[node].start;
    if (ld->path[0])
        tok_fail(ld->err, st, ld->source, at, "%s: %s: %s", ld->source, ld->path, msg);
    else
        tok_fail(ld->err, st, ld->source, at, "%s: %s", ld->source, msg);
    if (ld->err)
        snprintf(ld->err->where, sizeof ld->err->where, "%.255s", ld->path);
    return st;
}

size_t hf_path_push(hf_load *ld, const char *key)
{
    size_t was = strlen(ld->path);
    snprintf(ld->path + was, sizeof ld->path - was, "%s%s", was ? "." : "", key);
    return was;
}

size_t hf_path_index(hf_load *ld, size_t i)
{
    size_t was = strlen(ld->path);
    snprintf(ld->path + was, sizeof ld->path - was, "[%zu]", i);
    return was;
}

void hf_path_pop(hf_load *ld, size_t was) { ld->path[was] = 0; }

bool hf_str(hf_load *ld, uint32_t node, const char **s, size_t *len)
{
    return json_string(ld->doc, node, s, len, &ld->sbuf, &ld->scap);
}

char *hf_strdup_node(hf_load *ld, uint32_t node, size_t *len)
{
    const char *s;
    size_t l;
    if (!hf_str(ld, node, &s, &l))
        return NULL;
    char *c = malloc(l + 1);
    if (c) {
        memcpy(c, s, l);
        c[l] = 0;
        if (len)
            *len = l;
    }
    return c;
}

tok_status hf_get_bool(hf_load *ld, uint32_t obj, const char *key, bool dflt, bool *out)
{
    uint32_t n = json_get(ld->doc, obj, key);
    *out = dflt;
    if (n == J_NONE || ld->doc->nodes[n].type == J_NULL)
        return TOK_OK;
    if (!json_bool(ld->doc, n, out)) {
        size_t was = hf_path_push(ld, key);
        tok_status st = hf_fail(ld, TOK_EFORMAT, n, "expected true or false");
        hf_path_pop(ld, was);
        return st;
    }
    return TOK_OK;
}

tok_status hf_get_string(hf_load *ld, uint32_t obj, const char *key, bool required, char **out,
                         size_t *len)
{
    uint32_t n = json_get(ld->doc, obj, key);
    *out = NULL;
    if (len)
        *len = 0;
    if (n == J_NONE || ld->doc->nodes[n].type == J_NULL) {
        if (!required)
            return TOK_OK;
        return hf_fail(ld, TOK_EFORMAT, obj, "missing field \"%s\"", key);
    }
    size_t was = hf_path_push(ld, key);
    tok_status st = TOK_OK;
    if (ld->doc->nodes[n].type != J_STRING)
        st = hf_fail(ld, TOK_EFORMAT, n, "expected a string");
    else if (!(*out = hf_strdup_node(ld, n, len)))
        st = hf_fail(ld, TOK_ENOMEM, n, "out of memory");
    hf_path_pop(ld, was);
    return st;
}

tok_status hf_get_uint(hf_load *ld, uint32_t obj, const char *key, bool required, uint64_t dflt,
                       uint64_t *out)
{
    uint32_t n = json_get(ld->doc, obj, key);
    *out = dflt;
    if (n == J_NONE || ld->doc->nodes[n].type == J_NULL) {
        if (!required)
            return TOK_OK;
        return hf_fail(ld, TOK_EFORMAT, obj, "missing field \"%s\"", key);
    }
    int64_t v;
    if (!json_int(ld->doc, n, &v) || v < 0) {
        size_t was = hf_path_push(ld, key);
        tok_status st = hf_fail(ld, TOK_EFORMAT, n, "expected a non-negative integer");
        hf_path_pop(ld, was);
        return st;
    }
    *out = (uint64_t)v;
    return TOK_OK;
}

/* The "type" of a component object, or an error naming the path. */
tok_status hf_type(hf_load *ld, uint32_t obj, const char **type, size_t *len)
{
    if (obj == J_NONE || ld->doc->nodes[obj].type != J_OBJECT)
        return hf_fail(ld, TOK_EFORMAT, obj, "expected an object");
    uint32_t t = json_get(ld->doc, obj, "type");
    if (t == J_NONE)
        return hf_fail(ld, TOK_EFORMAT, obj, "missing field \"type\"");
    size_t was = hf_path_push(ld, "type");
    tok_status st = hf_str(ld, t, type, len) ? TOK_OK
                                               : hf_fail(ld, TOK_EFORMAT, t, "expected a string");
    hf_path_pop(ld, was);
    return st;
}

/* ---- the vocabulary ---- */

/* Collect vocab entries: an object {token: id} (BPE, WordPiece, WordLevel) or, for Unigram, an
 * array [[token, score], ...] whose ids are the positions. */
static tok_status collect_vocab(hf_load *ld, uint32_t vnode, hf_entry **out, size_t *n,
                                double **scores)
{
    json_doc *d = ld->doc;
    const json_node *v = &d->nodes[vnode];
    bool unigram = scores != NULL;
    if (v->type != (unigram ? J_ARRAY : J_OBJECT))
        return hf_fail(ld, TOK_EFORMAT, vnode, unigram ? "expected an array of [piece, score]"
                                                       : "expected an object {token: id}");
    hf_entry *e = malloc(((size_t)v->count + 1) * sizeof *e);
    if (unigram)
        *scores = malloc(((size_t)v->count + 1) * sizeof **scores);
    if (!e || (unigram && !*scores)) {
        free(e);
        return hf_fail(ld, TOK_ENOMEM, vnode, "out of memory");
    }
    size_t k = 0;
    for (uint32_t i = v->child; i != J_NONE; i = d->nodes[i].next, k++) {
        const json_node *m = &d->nodes[i];
        if (unigram) {
            uint32_t p = m->type == J_ARRAY && m->count == 2 ? m->child : J_NONE;
            uint32_t sc = p != J_NONE ? d->nodes[p].next : J_NONE;
            double score;
            if (p == J_NONE || d->nodes[p].type != J_STRING || !json_double(d, sc, &score)) {
                size_t was = hf_path_index(ld, k);
                tok_status st = hf_fail(ld, TOK_EFORMAT, i, "expected [piece, score]");
                hf_path_pop(ld, was);
                free(e);
                return st;
            }
            (*scores)[k] = score;
            /* the strings stay in the document: decode escapes into an owned copy */
            const json_node *pn = &d->nodes[p];
            if (pn->esc) {
                char *c = malloc(pn->len + 1);
                if (!c) {
                    free(e);
                    return hf_fail(ld, TOK_ENOMEM, p, "out of memory");
                }
                e[k].len = json_unescape(d->text + pn->start, pn->len, c);
                e[k].s = c;
                if (!hf_keep(ld, c)) {
                    free(e);
                    return hf_fail(ld, TOK_ENOMEM, p, "out of memory");
                }
            } else {
                e[k].s = d->text + pn->start;
                e[k].len = pn->len;
            }
            e[k].id = (uint32_t)k;
        } else {
            int64_t id;
            if (!json_int(d, i, &id) || id < 0 || id >= (int64_t)1 << 28) {
                char key[64];
                snprintf(key, sizeof key, "%.*s", (int)(m->key_len < 40 ? m->key_len : 40),
                         d->text + m->key);
                size_t was = hf_path_push(ld, key);
                tok_status st = hf_fail(ld, TOK_EFORMAT, i, "expected a token id");
                hf_path_pop(ld, was);
                free(e);
                return st;
            }
            if (m->key_esc) {
                char *c = malloc(m->key_len + 1);
                if (!c || !hf_keep(ld, c)) {
                    free(c);
                    free(e);
                    return hf_fail(ld, TOK_ENOMEM, i, "out of memory");
                }
                e[k].len = json_unescape(d->text + m->key, m->key_len, c);
                e[k].s = c;
            } else {
                e[k].s = d->text + m->key;
                e[k].len = m->key_len;
            }
            e[k].id = (uint32_t)id;
        }
    }
    *out = e;
    *n = k;
    return TOK_OK;
}

bool hf_keep(hf_load *ld, void *p)
{
    if (!tok_grow(&ld->keep, &ld->cap_keep, ld->n_keep + 1, sizeof *ld->keep, 64))
        return false;
    ld->keep[ld->n_keep++] = p;
    return true;
}

/* Build t->vocab (the model's view: raw bytes for byte-level vocabularies). Token strings from
 * the file resolve through it (hf_str_id); for byte-level ones, ld->strv indexes the few
 * entries that are not in the byte alphabet by their strings. */
static tok_status build_vocab(hf_load *ld, uint32_t vnode, hf_entry *e, size_t n)
{
    const uint8_t **toks = malloc((n + 1) * sizeof *toks);
    uint32_t *lens = malloc((n + 1) * sizeof *lens), *ids = malloc((n + 1) * sizeof *ids);
    uint8_t *noindex = calloc(n + 1, 1);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += e[i].len;
    uint8_t *raw = ld->byte_level ? malloc(total + 1) : NULL;
    tok_status st = TOK_OK;
    size_t dup;
    int r;
    if (!toks || !lens || !ids || !noindex || (ld->byte_level && !raw)) {
        st = hf_fail(ld, TOK_ENOMEM, vnode, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        toks[i] = (const uint8_t *)e[i].s;
        lens[i] = (uint32_t)e[i].len;
        ids[i] = e[i].id;
        if (e[i].len == 0) {
            size_t was = hf_path_push(ld, "vocab");
            st = hf_fail(ld, TOK_EFORMAT, vnode, "the empty string is not a valid token");
            hf_path_pop(ld, was);
            goto done;
        }
    }
    if (ld->byte_level) {
        uint32_t max_id = 0;
        for (size_t i = 0; i < n; i++)
            if (e[i].id > max_id)
                max_id = e[i].id;
        ld->hp->verbatim = calloc((size_t)max_id / 8 + 1, 1);
        if (!ld->hp->verbatim) {
            st = hf_fail(ld, TOK_ENOMEM, vnode, "out of memory");
            goto done;
        }
        size_t at = 0, n_verb = 0;
        for (size_t i = 0; i < n; i++) {
            size_t bl = hf_bytelevel_decode((const uint8_t *)e[i].s, e[i].len, raw + at);
            if (bl == SIZE_MAX) { /* not in the byte alphabet: decode-only, as HF's decoder does */
                noindex[i] = 1;
                ld->hp->verbatim[e[i].id / 8] |= (uint8_t)(1u << (e[i].id % 8));
                n_verb++;
                continue;
            }
            toks[i] = raw + at;
            lens[i] = (uint32_t)bl;
            at += bl;
        }
        if (n_verb) { /* strv: those entries by their strings */
            const uint8_t **vt = malloc(n_verb * sizeof *vt);
            uint32_t *vl = malloc(n_verb * sizeof *vl), *vi = malloc(n_verb * sizeof *vi);
            size_t k = 0;
            for (size_t i = 0; vt && vl && vi && i < n; i++)
                if (noindex[i]) {
                    vt[k] = (const uint8_t *)e[i].s;
                    vl[k] = (uint32_t)e[i].len;
                    vi[k] = e[i].id;
                    k++;
                }
            r = vt && vl && vi ? tok_vocab_build(&ld->strv, n_verb, vt, vl, vi, &dup) : -2;
            free(vt), free(vl), free(vi);
            if (r != 0) {
                size_t was = hf_path_push(ld, "vocab");
                st = r == -1 ? hf_fail(ld, TOK_EFORMAT, vnode, "a token or id appears twice")
                             : hf_fail(ld, TOK_ENOMEM, vnode, "out of memory");
                hf_path_pop(ld, was);
                goto done;
            }
        }
    }
    r = tok_vocab_build_ex(&ld->t->vocab, n, toks, lens, ids, ld->byte_level ? noindex : NULL,
                           &dup);
    if (r == -1) {
        size_t was = hf_path_push(ld, "vocab");
        st = hf_fail(ld, TOK_EFORMAT, vnode,
                     ld->byte_level ? "tokens \"%.*s\" and another stand for the same bytes"
                                    : "token \"%.*s\" or its id appears twice",
                     (int)(e[dup].len < 60 ? e[dup].len : 60), e[dup].s);
        hf_path_pop(ld, was);
    } else if (r == -3) {
        size_t was = hf_path_push(ld, "vocab");
        st = hf_fail(ld, TOK_EFORMAT, vnode, "id %u (token \"%.*s\") is too large for a "
                     "vocabulary of %zu tokens", e[dup].id,
                     (int)(e[dup].len < 60 ? e[dup].len : 60), e[dup].s, n);
        hf_path_pop(ld, was);
    } else if (r != 0) {
        st = hf_fail(ld, TOK_ENOMEM, vnode, "out of memory");
    }
done:
    free(toks), free(lens), free(ids), free(noindex), free(raw);
    return st;
}

/* ---- added tokens by content (a hash index: files with thousands of them stay linear) ---- */

static size_t added_find(const hf_load *ld, const char *s, size_t len)
{
    if (!ld->added_slots)
        return SIZE_MAX;
    size_t mask = ld->added_slots - 1;
    for (size_t i = tok_hash_bytes((const uint8_t *)s, len) & mask;; i = (i + 1) & mask) {
        uint32_t k = ld->added_index[i];
        if (k == UINT32_MAX)
            return SIZE_MAX;
        const hf_added *a = &ld->hp->added[k];
        if (a->len == len && !memcmp(a->content, s, len))
            return k;
    }
}

static bool added_index_put(hf_load *ld, uint32_t k)
{
    if (2 * ((size_t)k + 1) > ld->added_slots) { /* k + 1 entries after this one */
        size_t n = ld->added_slots ? ld->added_slots * 2 : 64;
        uint32_t *t = malloc(n * sizeof *t);
        if (!t)
            return false;
        memset(t, 0xFF, n * sizeof *t);
        free(ld->added_index);
        ld->added_index = t;
        ld->added_slots = n;
        for (uint32_t j = 0; j < k; j++)
            if (!added_index_put(ld, j))
                return false;
    }
    const hf_added *a = &ld->hp->added[k];
    size_t mask = ld->added_slots - 1;
    size_t i = tok_hash_bytes(a->content, a->len) & mask;
    while (ld->added_index[i] != UINT32_MAX)
        i = (i + 1) & mask;
    ld->added_index[i] = k;
    return true;
}

/* The id of a token string as written in the file, or TOK_NO_ID. */
uint32_t hf_str_id(hf_load *ld, const char *s, size_t len)
{
    if (!len)
        return TOK_NO_ID;
    uint32_t id = TOK_NO_ID;
    if (!ld->byte_level) {
        id = tok_vocab_find(&ld->t->vocab, (const uint8_t *)s, len);
    } else {
        uint8_t stackbuf[256], *raw = len <= sizeof stackbuf ? stackbuf : malloc(len);
        size_t bl = raw ? hf_bytelevel_decode((const uint8_t *)s, len, raw) : SIZE_MAX;
        if (bl != SIZE_MAX)
            id = tok_vocab_find(&ld->t->vocab, raw, bl);
        else if (ld->strv.n_ids)
            id = tok_vocab_find(&ld->strv, (const uint8_t *)s, len);
        if (raw != stackbuf)
            free(raw);
    }
    if (id == TOK_NO_ID && ld->n_added_ids) { /* added tokens outside the model vocabulary */
        size_t k = added_find(ld, s, len);
        if (k != SIZE_MAX)
            return ld->hp->added[k].id;
    }
    return id;
}

/* ---- models ---- */

/* Merges waiting to be inserted, in file order. */
#define QUEUE 32
typedef struct pending {
    uint64_t key;
    uint32_t h, rank, id;
} pending;

/* Insert or overwrite, in order: HF collects merges into a map, so a repeated pair keeps its
 * last rank. */
static void flush_merges(hf_model *m, uint32_t mask, pending *q, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        uint32_t h = q[i].h;
        while (m->merges[h].key != UINT64_MAX && m->merges[h].key != q[i].key)
            h = (h + 1) & mask;
        m->merges[h] = (hf_merge){q[i].key, q[i].rank, q[i].id};
    }
    *n = 0;
}

static tok_status load_merges(hf_load *ld, uint32_t mnode, uint32_t vocab_size)
{
    json_doc *d = ld->doc;
    hf_model *m = &ld->hp->model;
    const json_node *mm = &d->nodes[mnode];
    if (mm->type != J_ARRAY)
        return hf_fail(ld, TOK_EFORMAT, mnode, "expected an array");
    size_t n = mm->count, bits = 4;
    while (((size_t)1 << bits) < n + n / 2 + 16) /* load factor at most 2/3 */
        bits++;
    m->merge_bits = (uint32_t)bits;
    m->merges = tok_big_alloc(((size_t)1 << bits) * sizeof *m->merges);
    char *cat = malloc(2 * 65536 + 2);
    if (!m->merges || !cat) {
        free(cat);
        return hf_fail(ld, TOK_ENOMEM, mnode, "out of memory");
    }
    memset(m->merges, 0xFF, ((size_t)1 << bits) * sizeof *m->merges); /* keys UINT64_MAX */
    uint32_t mask = (1u << bits) - 1, rank = 0;
    pending queue[QUEUE];
    size_t nq = 0;
    tok_status st = TOK_OK;
    size_t k = 0, was = strlen(ld->path); /* an index is added to the path only on failure */
    (void)vocab_size;
    for (uint32_t i = mm->child; i != J_NONE && st == TOK_OK; i = d->nodes[i].next, k++) {
        const json_node *e = &d->nodes[i];
        const char *a, *b;
        size_t la, lb;
        char *bcopy = NULL;
#define FAIL_AT(...) (hf_path_index(ld, k), hf_fail(ld, __VA_ARGS__))
        if (e->type == J_STRING) { /* "a b" (legacy) */
            const char *s;
            size_t l;
            if (!hf_str(ld, i, &s, &l)) {
                st = FAIL_AT(TOK_ENOMEM, i, "out of memory");
                goto next;
            }
            if (l >= 8 && !memcmp(s, "#version", 8))
                goto next; /* HF skips version lines */
            const char *sp = memchr(s, ' ', l);
            if (!sp || memchr(sp + 1, ' ', l - (size_t)(sp + 1 - s))) {
                st = FAIL_AT(TOK_EFORMAT, i, "a merge must be two tokens separated by one space");
                goto next;
            }
            a = s, la = (size_t)(sp - s), b = sp + 1, lb = l - la - 1;
        } else if (e->type == J_ARRAY && e->count == 2 && d->nodes[e->child].type == J_STRING &&
                   d->nodes[d->nodes[e->child].next].type == J_STRING) {
            uint32_t ca = e->child, cb = d->nodes[ca].next;
            /* decode b first into its own copy: hf_str reuses one buffer */
            if (!(bcopy = hf_strdup_node(ld, cb, &lb)) || !hf_str(ld, ca, &a, &la)) {
                st = FAIL_AT(TOK_ENOMEM, i, "out of memory");
                goto next;
            }
            b = bcopy;
        } else {
            st = FAIL_AT(TOK_EFORMAT, i, "expected \"a b\" or [\"a\", \"b\"]");
            goto next;
        }
        if (la + lb > 2 * 65536) {
            st = FAIL_AT(TOK_EFORMAT, i, "merge too long");
            goto next;
        }
        uint32_t ia, ib, ic;
        size_t pl = m->prefix_len && lb >= m->prefix_len ? m->prefix_len : 0;
        size_t ra, rb;
        if (ld->byte_level && !pl &&
            (ra = hf_bytelevel_decode((const uint8_t *)a, la, (uint8_t *)cat)) != SIZE_MAX &&
            (rb = hf_bytelevel_decode((const uint8_t *)b, lb, (uint8_t *)cat + ra)) != SIZE_MAX) {
            /* decode once: a's and b's raw bytes side by side are also the merged token's */
            const tok_vocab *v = &ld->t->vocab;
            ia = tok_vocab_find(v, (uint8_t *)cat, ra);
            ib = tok_vocab_find(v, (uint8_t *)cat + ra, rb);
            ic = tok_vocab_find(v, (uint8_t *)cat, ra + rb);
            if (ia == TOK_NO_ID || ib == TOK_NO_ID || ic == TOK_NO_ID) /* added tokens? */
                ia = hf_str_id(ld, a, la), ib = hf_str_id(ld, b, lb), ic = TOK_NO_ID;
        } else {
            ia = hf_str_id(ld, a, la), ib = hf_str_id(ld, b, lb), ic = TOK_NO_ID;
        }
        if (ic == TOK_NO_ID) { /* the merged token: a + b without b's continuing_subword_prefix */
            memcpy(cat, a, la);
            memcpy(cat + la, b + pl, lb - pl);
            ic = hf_str_id(ld, cat, la + lb - pl);
        }
        if (ia == TOK_NO_ID || ib == TOK_NO_ID || ic == TOK_NO_ID) {
            const char *what = ia == TOK_NO_ID ? a : ib == TOK_NO_ID ? b : cat;
            size_t wl = ia == TOK_NO_ID ? la : ib == TOK_NO_ID ? lb : la + lb - pl;
            st = FAIL_AT(TOK_EFORMAT, i, "token \"%.*s\" is not in the vocabulary",
                         (int)(wl < 60 ? wl : 60), what);
            goto next;
        }
        /* queued, its slot prefetched: inserting at once waits on a cache miss per merge,
         * which was most of the time to open a large file */
        uint64_t key = (uint64_t)ia << 32 | ib;
        uint32_t h = hf_merge_home(key, mask);
        __builtin_prefetch(&m->merges[h], 1);
        queue[nq++] = (pending){key, h, rank, ic};
        if (nq == QUEUE)
            flush_merges(m, mask, queue, &nq);
        rank++;
    next:
        free(bcopy);
        hf_path_pop(ld, was);
#undef FAIL_AT
    }
    flush_merges(m, mask, queue, &nq);
    free(cat);
    return st;
}

/* A packed tokenizer's vocabulary and merges, viewed in place after checking every entry. */
static tok_status prebuilt_vocab(hf_load *ld, uint32_t vnode)
{
    const hf_prebuilt *pre = ld->pre;
    tok_vocab *v = &ld->t->vocab;
    if (tok_vocab_view_checked(v, pre->vocab, pre->vocab_len) != 0)
        return hf_fail(ld, TOK_EFORMAT, vnode, "the packed vocabulary is damaged");
    if (pre->strv && tok_vocab_view_checked(&ld->strv, pre->strv, pre->strv_len) != 0)
        return hf_fail(ld, TOK_EFORMAT, vnode, "the packed vocabulary is damaged");
    if (ld->byte_level) {
        size_t need = v->n_ids ? (size_t)(v->n_ids - 1) / 8 + 1 : 1;
        if (!pre->verbatim || pre->verbatim_len != need)
            return hf_fail(ld, TOK_EFORMAT, vnode, "the packed vocabulary is damaged");
        ld->hp->verbatim = malloc(need);
        if (!ld->hp->verbatim)
            return hf_fail(ld, TOK_ENOMEM, vnode, "out of memory");
        memcpy(ld->hp->verbatim, pre->verbatim, need);
    }
    return TOK_OK;
}

static tok_status prebuilt_merges(hf_load *ld, uint32_t mnode)
{
    const hf_prebuilt *pre = ld->pre;
    hf_model *m = &ld->hp->model;
    if (pre->merge_bits < 4 || pre->merge_bits > 30)
        return hf_fail(ld, TOK_EFORMAT, mnode, "the packed merges are damaged");
    size_t slots = (size_t)1 << pre->merge_bits, empty = 0;
    uint64_t seen = 0; /* every id of a used slot, OR-ed: all below 2^28 leaves the top bits 0 */
    for (size_t i = 0; i < slots; i++) { /* branch-free: this scans megabytes */
        uint64_t k = pre->merges[i].key, is_empty = k == UINT64_MAX;
        empty += is_empty;
        seen |= (k >> 32 | (k & 0xFFFFFFFFu) | pre->merges[i].id) & (is_empty - 1);
    }
    if (!empty || seen >> 28) /* ids in range, and probes stop at an empty slot */
        return hf_fail(ld, TOK_EFORMAT, mnode, "the packed merges are damaged");
    m->merges = (hf_merge *)(uintptr_t)pre->merges;
    m->merge_bits = pre->merge_bits;
    m->merges_view = true;
    return TOK_OK;
}

static tok_status load_model(hf_load *ld, uint32_t mnode)
{
    json_doc *d = ld->doc;
    hf_model *m = &ld->hp->model;
    m->unk_id = TOK_NO_ID;
    if (mnode == J_NONE || d->nodes[mnode].type != J_OBJECT)
        return hf_fail(ld, TOK_EFORMAT, mnode, "expected an object");
    const char *type = NULL;
    size_t tl = 0;
    uint32_t tnode = json_get(d, mnode, "type");
    if (tnode != J_NONE) {
        tok_status st = hf_type(ld, mnode, &type, &tl);
        if (st != TOK_OK)
            return st;
    } else { /* files from before "type": guess as HF does (BPE, WordPiece, WordLevel, Unigram) */
        uint32_t v = json_get(d, mnode, "vocab");
        type = json_get(d, mnode, "merges") != J_NONE ? "BPE"
               : json_get(d, mnode, "max_input_chars_per_word") != J_NONE ? "WordPiece"
               : v != J_NONE && d->nodes[v].type == J_ARRAY ? "Unigram" : "WordLevel";
        tl = strlen(type);
    }
#define IS(x) (tl == sizeof(x) - 1 && !memcmp(type, x, tl))
    m->kind = IS("BPE") ? HF_BPE : IS("WordPiece") ? HF_WORDPIECE : IS("WordLevel") ? HF_WORDLEVEL
            : IS("Unigram") ? HF_UNIGRAM : (hf_model_kind)-1;
    if ((int)m->kind == -1) {
        size_t was = hf_path_push(ld, "type");
        tok_status st = hf_fail(ld, TOK_EUNSUPPORTED, tnode, "unknown model type \"%.*s\"",
                                (int)(tl < 60 ? tl : 60), type);
        hf_path_pop(ld, was);
        return st;
    }
#undef IS
    tok_status st;
    uint32_t vnode = json_get(d, mnode, "vocab");
    if (vnode == J_NONE)
        return hf_fail(ld, TOK_EFORMAT, mnode, "missing field \"vocab\"");
    hf_entry *e = NULL;
    size_t n = 0;
    double *scores = NULL;
    size_t was;
    if (ld->pre && ld->pre->vocab && m->kind != HF_UNIGRAM) {
        st = prebuilt_vocab(ld, vnode);
        n = ld->t->vocab.n_tokens;
    } else {
        was = hf_path_push(ld, "vocab");
        st = collect_vocab(ld, vnode, &e, &n, m->kind == HF_UNIGRAM ? &scores : NULL);
        hf_path_pop(ld, was);
        if (st == TOK_OK)
            st = build_vocab(ld, vnode, e, n);
    }
    ld->model_vocab_size = (uint32_t)n;

    if (st == TOK_OK && m->kind == HF_BPE) {
        uint32_t dn = json_get(d, mnode, "dropout");
        double p = 0;
        if (dn != J_NONE && d->nodes[dn].type != J_NULL) {
            was = hf_path_push(ld, "dropout");
            if (!json_double(d, dn, &p))
                st = hf_fail(ld, TOK_EFORMAT, dn, "expected a number");
            else if (p != 0)
                st = hf_fail(ld, TOK_EUNSUPPORTED, dn,
                             "dropout %g makes BPE output random; tokscope gives exact, "
                             "repeatable ids, so it refuses dropout (set it to null)", p);
            hf_path_pop(ld, was);
        }
        char *unk = NULL;
        size_t unk_len = 0;
        if (st == TOK_OK)
            st = hf_get_string(ld, mnode, "unk_token", false, &unk, &unk_len);
        if (st == TOK_OK)
            st = hf_get_string(ld, mnode, "continuing_subword_prefix", false, &m->prefix,
                               &m->prefix_len);
        if (st == TOK_OK)
            st = hf_get_string(ld, mnode, "end_of_word_suffix", false, &m->suffix,
                               &m->suffix_len);
        if (st == TOK_OK)
            st = hf_get_bool(ld, mnode, "fuse_unk", false, &m->fuse_unk);
        if (st == TOK_OK)
            st = hf_get_bool(ld, mnode, "byte_fallback", false, &m->byte_fallback);
        if (st == TOK_OK)
            st = hf_get_bool(ld, mnode, "ignore_merges", false, &m->ignore_merges);
        if (st == TOK_OK && unk) {
            m->unk_id = hf_str_id(ld, unk, unk_len);
            m->unk_token = unk;
            unk = NULL;
            /* HF only fails when the unknown token is actually needed (UnkTokenOutOfVocabulary) */
        }
        free(unk);
        uint32_t mg = json_get(d, mnode, "merges");
        if (st == TOK_OK && mg == J_NONE)
            st = hf_fail(ld, TOK_EFORMAT, mnode, "missing field \"merges\"");
        if (st == TOK_OK) {
            was = hf_path_push(ld, "merges");
            st = ld->pre && ld->pre->merges ? prebuilt_merges(ld, mg) : load_merges(ld, mg, (uint32_t)n);
            hf_path_pop(ld, was);
        }
        m->byte_level = ld->byte_level;
        for (int b = 0; b < 256; b++) {
            char code[8];
            snprintf(code, sizeof code, "<0x%02X>", b);
            m->byte_ids[b] = m->byte_fallback ? hf_str_id(ld, code, 6) : TOK_NO_ID;
        }
    } else if (st == TOK_OK && (m->kind == HF_WORDPIECE || m->kind == HF_WORDLEVEL)) {
        char *unk = NULL;
        size_t unk_len = 0;
        st = hf_get_string(ld, mnode, "unk_token", false, &unk, &unk_len);
        if (st == TOK_OK && !unk) { /* HF's default "[UNK]" / "<unk>" */
            const char *dflt = m->kind == HF_WORDPIECE ? "[UNK]" : "<unk>";
            unk = strdup(dflt);
            unk_len = strlen(dflt);
        }
        if (st == TOK_OK) {
            m->unk_id = hf_str_id(ld, unk, unk_len);
            m->unk_token = unk;
            unk = NULL;
        }
        free(unk);
        if (st == TOK_OK && m->kind == HF_WORDPIECE) {
            st = hf_get_string(ld, mnode, "continuing_subword_prefix", false, &m->prefix,
                               &m->prefix_len);
            if (st == TOK_OK && !m->prefix) {
                m->prefix = strdup("##");
                m->prefix_len = 2;
            }
            uint64_t mx = 100;
            if (st == TOK_OK)
                st = hf_get_uint(ld, mnode, "max_input_chars_per_word", false, 100, &mx);
            m->max_input_chars_per_word = (size_t)mx;
        }
    } else if (st == TOK_OK && m->kind == HF_UNIGRAM) {
        st = hf_load_unigram(ld, mnode, e, n, scores);
    }
    free(e);
    free(scores);
    return st;
}

/* ---- added tokens ---- */

static tok_status load_added(hf_load *ld, uint32_t anode)
{
    json_doc *d = ld->doc;
    hf_pipeline *hp = ld->hp;
    if (anode == J_NONE || d->nodes[anode].type == J_NULL)
        return TOK_OK;
    if (d->nodes[anode].type != J_ARRAY)
        return hf_fail(ld, TOK_EFORMAT, anode, "expected an array");
    hp->added = calloc(d->nodes[anode].count + 1, sizeof *hp->added);
    if (!hp->added)
        return hf_fail(ld, TOK_ENOMEM, anode, "out of memory");
    /* New ids start after the model's vocabulary (AddedVocabulary::add_tokens). */
    uint32_t next_id = ld->model_vocab_size;
    size_t k = 0;
    tok_status st = TOK_OK;
    for (uint32_t i = d->nodes[anode].child; i != J_NONE && st == TOK_OK;
         i = d->nodes[i].next, k++) {
        size_t was = hf_path_index(ld, k);
        hf_added a = {0};
        size_t len;
        bool special = false, normalized_set = false;
        st = hf_get_string(ld, i, "content", true, (char **)&a.content, &len);
        a.len = len;
        if (st == TOK_OK)
            st = hf_get_bool(ld, i, "special", false, &special);
        a.special = special;
        if (st == TOK_OK)
            st = hf_get_bool(ld, i, "single_word", false, &a.single_word);
        if (st == TOK_OK)
            st = hf_get_bool(ld, i, "lstrip", false, &a.lstrip);
        if (st == TOK_OK)
            st = hf_get_bool(ld, i, "rstrip", false, &a.rstrip);
        if (st == TOK_OK) {
            uint32_t nn = json_get(d, i, "normalized");
            normalized_set = nn != J_NONE && d->nodes[nn].type != J_NULL;
            st = hf_get_bool(ld, i, "normalized", !special, &a.is_normalized);
        }
        (void)normalized_set;
        if (st != TOK_OK) {
            free(a.content);
            hf_path_pop(ld, was);
            break;
        }
        if (a.len == 0) { /* HF ignores empty added tokens */
            free(a.content);
            hf_path_pop(ld, was);
            continue;
        }
        /* the same content twice: the later entry replaces the earlier one's flags, same id */
        size_t slot = added_find(ld, (const char *)a.content, a.len);
        if (slot != SIZE_MAX) {
            a.id = hp->added[slot].id;
            free(hp->added[slot].content);
            hp->added[slot] = a;
        } else {
            uint32_t id = hf_str_id(ld, (const char *)a.content, a.len);
            a.id = id != TOK_NO_ID ? id : next_id++;
            slot = hp->n_added++;
            hp->added[slot] = a;
            if (!added_index_put(ld, (uint32_t)slot)) {
                st = hf_fail(ld, TOK_ENOMEM, i, "out of memory");
                hf_path_pop(ld, was);
                break;
            }
        }
        ld->n_added_ids++;
        hf_path_pop(ld, was);
    }
    return st;
}

/* ---- the whole file ---- */

tok_status tok_open_hf(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                       tok_error *err)
{
    return hf_open(data, len, source, NULL, NULL, out, err);
}

tok_status hf_open(const uint8_t *data, size_t len, const char *source, const hf_prebuilt *pre,
                   tok_vocab *keep_strv, tok_tokenizer **out, tok_error *err)
{
    *out = NULL;
    json_doc doc;
    size_t eoff;
    const char *emsg;
    if (!json_parse(&doc, (const char *)data, len, &eoff, &emsg)) {
        uint32_t line, col;
        tok_line_col((const char *)data, len, eoff, &line, &col);
        tok_status st = tok_fail(err, TOK_EFORMAT, source, eoff,
                                 "%s: not valid JSON at byte %zu (line %u, column %u): %s",
                                 source, eoff, line, col, emsg);
        if (err)
            err->line = line;
        return st;
    }
    hf_load ld = {.source = source, .doc = &doc, .err = err, .pre = pre, .keep_strv = keep_strv};
    tok_status st = TOK_OK;
    hf_pipeline *hp = calloc(1, sizeof *hp);
    tok_tokenizer *t = tok_tokenizer_new(source, &hf_ops);
    ld.t = t;
    ld.hp = hp;
    if (!hp || !t) {
        st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
        goto fail;
    }
    t->impl = hp;
    if (doc.nodes[0].type != J_OBJECT) {
        st = hf_fail(&ld, TOK_EFORMAT, 0, "a tokenizer.json holds an object");
        goto fail;
    }
    uint32_t ver = json_get(&doc, 0, "version");
    if (ver != J_NONE) {
        const char *v;
        size_t vl;
        size_t was = hf_path_push(&ld, "version");
        if (!hf_str(&ld, ver, &v, &vl) || vl != 3 || memcmp(v, "1.0", 3) != 0)
            st = hf_fail(&ld, TOK_EUNSUPPORTED, ver, "unknown tokenizer version (only \"1.0\")");
        hf_path_pop(&ld, was);
        if (st != TOK_OK)
            goto fail;
    }
    /* byte-level? (decides how the vocabulary is stored) */
    ld.byte_level = hf_has_bytelevel(&ld, json_get(&doc, 0, "pre_tokenizer")) ||
                    hf_has_bytelevel(&ld, json_get(&doc, 0, "normalizer"));

    size_t was = hf_path_push(&ld, "model");
    uint32_t model = json_get(&doc, 0, "model");
    st = model == J_NONE ? hf_fail(&ld, TOK_EFORMAT, 0, "missing") : load_model(&ld, model);
    hf_path_pop(&ld, was);
    if (st != TOK_OK)
        goto fail;
    /* The normalizer comes before the added tokens: normalized added tokens are matched in
     * their normalized form. */
    static const struct {
        const char *key;
        tok_status (*load)(hf_load *, uint32_t);
    } parts[] = {{"normalizer", hf_load_normalizer}, {"pre_tokenizer", hf_load_pretokenizer},
                 {"post_processor", NULL}, {"decoder", hf_load_decoder},
                 {"truncation", hf_load_truncation}, {"padding", hf_load_padding}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && st == TOK_OK; i++) {
        if (!parts[i].load)
            continue;
        was = hf_path_push(&ld, parts[i].key);
        st = parts[i].load(&ld, json_get(&doc, 0, parts[i].key));
        hf_path_pop(&ld, was);
    }
    if (st == TOK_OK) {
        was = hf_path_push(&ld, "added_tokens");
        st = load_added(&ld, json_get(&doc, 0, "added_tokens"));
        hf_path_pop(&ld, was);
    }
    if (st == TOK_OK) { /* after the added tokens: templates may name them */
        was = hf_path_push(&ld, "post_processor");
        st = hf_load_post(&ld, json_get(&doc, 0, "post_processor"));
        hf_path_pop(&ld, was);
    }
    if (st == TOK_OK)
        st = hf_finish(&ld);
    if (st != TOK_OK)
        goto fail;
    hf_bpe_prepare_words(&t->vocab, &hp->model, pre && pre->merges ? pre->cut_words : -1);
    if (pre && pre->merges)
        hp->model.plain_known = pre->plain_known;
    if (pre && pre->rank_bpe && hp->fast) { /* the pack's answer, its list checked */
        hf_model *m = &hp->model;
        for (size_t i = 0; i < pre->n_unreach; i++)
            if (pre->unreach[i] >= t->vocab.n_ids || (i && pre->unreach[i] <= pre->unreach[i - 1])) {
                st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                              "%s: the pack's list of unreachable tokens is damaged", source);
                goto fail;
            }
        m->rank_bpe = true;
        m->unreach = pre->unreach;
        m->n_unreach = (uint32_t)pre->n_unreach;
        m->unreach_view = true;
    } else if (hp->model.kind == HF_BPE && hp->model.merges &&
               (hp->model.byte_level ? !pre && hp->fast
                                     : !hp->model.prefix_len && !hp->model.suffix_len)) {
        hp->model.lazy = hf_lazy_rank_new(); /* NULL (no memory): HF's merge loop, still exact */
        if (hp->model.lazy && !hp->model.byte_level && pre && pre->char_level.vocab)
            hf_lazy_rank_adopt(hp->model.lazy, &pre->char_level); /* no build on first use */
    }
    if (keep_strv)
        *keep_strv = ld.strv;
    else
        tok_vocab_free(&ld.strv);
    for (size_t i = 0; i < ld.n_keep; i++)
        free(ld.keep[i]);
    free(ld.keep);
    free(ld.sbuf);
    free(ld.added_index);
    json_free(&doc);
    *out = t;
    return TOK_OK;
fail:
    tok_vocab_free(&ld.strv);
    for (size_t i = 0; i < ld.n_keep; i++)
        free(ld.keep[i]);
    free(ld.keep);
    free(ld.sbuf);
    free(ld.added_index);
    json_free(&doc);
    if (t)
        tok_close(t); /* frees hp through ops */
    else
        hf_pipeline_free(hp);
    return st;
}
