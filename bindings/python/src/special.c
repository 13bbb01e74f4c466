/* special: tiktoken's allowed_special / disallowed_special, for any subset of special tokens.
 *
 * The library encodes with one policy for all special tokens (ordinary, allow, reject), which is
 * what tiktoken's common calls ask for: encode(text) is reject, allowed_special="all" is allow,
 * disallowed_special=() is ordinary. A subset -- allowed_special={"<|endoftext|>"}, or
 * disallowed_special={"<|fim_prefix|>"} -- is done here the way tiktoken's core.py and lib.rs do
 * it:
 *   1. the check: find the leftmost occurrence of any disallowed string in the whole text (any
 *      string: tiktoken builds a regex from whatever it is given) and raise its ValueError;
 *   2. the encode: from the current position find the leftmost special token that is allowed,
 *      encode the text before it as ordinary text, emit its id, continue after it.
 * When several strings match at one position tiktoken's regex alternation takes the first in its
 * set's iteration order (so it is unspecified); this takes the longest, which is the only match
 * for every built-in encoding (their special tokens are never prefixes of each other).
 *
 * Finding is a byte trie over the strings with a first-byte filter (memchr when all start with
 * the same byte, as every tiktoken special token starts with '<'): O(text + matched prefixes),
 * nothing quadratic. */
#include "ext.h"

#include <stdlib.h>
#include <string.h>

typedef struct tnode {
    uint32_t first_edge, n_edges;
    int32_t term; /* index of the string ending here, or -1 */
} tnode;

typedef struct tedge {
    unsigned char byte;
    uint32_t child;
} tedge;

struct special_trie {
    tnode *nodes;
    tedge *edges;
    uint8_t first[32]; /* bitmap of first bytes */
    int n_first;
    unsigned char only_first; /* the first byte when n_first == 1 */
};

typedef struct tstr {
    const unsigned char *s;
    size_t len;
    int32_t term;
} tstr;

static int cmp_tstr(const void *a, const void *b)
{
    const tstr *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, m);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

void special_trie_free(special_trie *t)
{
    if (!t)
        return;
    free(t->nodes);
    free(t->edges);
    free(t);
}

/* Breadth first over the sorted strings: a node is a run [lo, hi) sharing `depth` bytes; its
 * children are the runs that share one more byte, and their edges are added together so each
 * node's edges are contiguous and sorted. */
static special_trie *trie_build(tstr *v, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].len;
    qsort(v, n, sizeof *v, cmp_tstr);
    special_trie *t = calloc(1, sizeof *t);
    typedef struct qitem {
        size_t lo, hi, depth;
    } qitem;
    qitem *q = malloc((total + 1) * sizeof *q);
    if (!t || !q)
        goto oom;
    t->nodes = malloc((total + 1) * sizeof *t->nodes);
    t->edges = malloc((total + 1) * sizeof *t->edges);
    if (!t->nodes || !t->edges)
        goto oom;
    size_t n_nodes = 1, n_edges = 0, qh = 0, qt = 0;
    q[qt++] = (qitem){0, n, 0};
    while (qh < qt) {
        size_t node = qh; /* nodes are numbered in queue order */
        qitem it = q[qh++];
        tnode *nd = &t->nodes[node];
        nd->term = -1;
        while (it.lo < it.hi && v[it.lo].len == it.depth) /* duplicates collapse */
            nd->term = v[it.lo++].term;
        nd->first_edge = (uint32_t)n_edges;
        nd->n_edges = 0;
        for (size_t i = it.lo; i < it.hi;) {
            unsigned char b = v[i].s[it.depth];
            size_t j = i + 1;
            while (j < it.hi && v[j].s[it.depth] == b)
                j++;
            t->edges[n_edges++] = (tedge){b, (uint32_t)n_nodes++};
            nd->n_edges++;
            q[qt++] = (qitem){i, j, it.depth + 1};
            if (it.depth == 0) {
                t->n_first += !(t->first[b >> 3] >> (b & 7) & 1);
                t->first[b >> 3] |= (uint8_t)(1u << (b & 7));
                t->only_first = b;
            }
            i = j;
        }
    }
    free(q);
    return t;
oom:
    free(q);
    special_trie_free(t);
    return NULL;
}

/* The longest wanted string starting at p: its length, or -1. want == NULL wants all. */
static Py_ssize_t trie_match(const special_trie *t, const unsigned char *s, size_t n, size_t p,
                             const uint8_t *want, int32_t *which)
{
    Py_ssize_t best = -1;
    const tnode *nd = &t->nodes[0];
    if (nd->term >= 0 && (!want || want[nd->term])) {
        best = 0;
        *which = nd->term;
    }
    for (size_t k = p; k < n; k++) {
        const tedge *e = &t->edges[nd->first_edge];
        uint32_t lo = 0, hi = nd->n_edges;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (e[mid].byte < s[k])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nd->n_edges || e[lo].byte != s[k])
            break;
        nd = &t->nodes[e[lo].child];
        if (nd->term >= 0 && (!want || want[nd->term])) {
            best = (Py_ssize_t)(k + 1 - p);
            *which = nd->term;
        }
    }
    return best;
}

/* The leftmost wanted match at or after `from`. */
static bool trie_find(const special_trie *t, const unsigned char *s, size_t n, size_t from,
                      const uint8_t *want, size_t *at, size_t *len, int32_t *which)
{
    if (t->nodes[0].term >= 0 && (!want || want[t->nodes[0].term])) { /* the empty string */
        Py_ssize_t m = trie_match(t, s, n, from, want, which);
        *at = from;
        *len = (size_t)m;
        return true;
    }
    if (t->n_first == 0)
        return false;
    for (size_t p = from; p < n; p++) {
        if (t->n_first == 1) {
            const unsigned char *q = memchr(s + p, t->only_first, n - p);
            if (!q)
                return false;
            p = (size_t)(q - s);
        } else if (!(t->first[s[p] >> 3] >> (s[p] & 7) & 1)) {
            continue;
        }
        Py_ssize_t m = trie_match(t, s, n, p, want, which);
        if (m > 0) {
            *at = p;
            *len = (size_t)m;
            return true;
        }
    }
    return false;
}

/* The trie of all special tokens, built on first need (with the GIL held). */
static const special_trie *core_trie(core *c)
{
    if (c->trie || !c->n_special)
        return c->trie;
    tstr *v = PyMem_Malloc(c->n_special * sizeof *v);
    if (!v) {
        PyErr_NoMemory();
        return NULL;
    }
    for (size_t i = 0; i < c->n_special; i++) {
        const char *text;
        size_t len;
        tok_special_at(c->tok, i, &text, &len, NULL);
        v[i] = (tstr){(const unsigned char *)text, len, (int32_t)i};
    }
    c->trie = trie_build(v, c->n_special);
    PyMem_Free(v);
    if (!c->trie)
        PyErr_NoMemory();
    return c->trie;
}

void special_req_free(special_req *r)
{
    PyMem_Free(r->allowed);
    PyMem_Free(r->disallowed);
    special_trie_free(r->extra);
    Py_CLEAR(r->extra_texts);
    r->allowed = r->disallowed = NULL;
    r->extra = NULL;
}

static int is_all(PyObject *o)
{
    if (!PyUnicode_Check(o))
        return 0;
    return PyUnicode_CompareWithASCIIString(o, "all") == 0;
}

/* Mark the strings of iterable o in marks (by special index); others go to *extra when given.
 * Returns the number of distinct special tokens marked, or -1. */
static Py_ssize_t mark(core *c, PyObject *o, uint8_t *marks, PyObject **extra, const char *what)
{
    PyObject *it = PyObject_GetIter(o);
    if (!it)
        return -1;
    Py_ssize_t count = 0;
    PyObject *x;
    while ((x = PyIter_Next(it))) {
        if (!PyUnicode_Check(x)) {
            PyErr_Format(PyExc_TypeError, "%s must hold str, not %.100s", what, Py_TYPE(x)->tp_name);
            Py_DECREF(x);
            Py_DECREF(it);
            return -1;
        }
        PyObject *idx = PyDict_GetItemWithError(c->special_index, x);
        if (idx) {
            Py_ssize_t i = PyLong_AsSsize_t(idx);
            count += !marks[i];
            marks[i] = 1;
        } else if (PyErr_Occurred()) {
            Py_DECREF(x);
            Py_DECREF(it);
            return -1;
        } else if (extra) {
            if ((!*extra && !(*extra = PyList_New(0))) || PyList_Append(*extra, x) < 0) {
                Py_DECREF(x);
                Py_DECREF(it);
                return -1;
            }
        }
        Py_DECREF(x);
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : count;
}

static special_trie *extra_trie(PyObject *texts)
{
    Py_ssize_t n = PyList_GET_SIZE(texts);
    tstr *v = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v)
        return (special_trie *)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(texts, i), &len);
        if (!s) { /* a lone surrogate can never occur in the (valid UTF-8) text */
            PyErr_Clear();
            s = "";
            len = -1;
        }
        v[i] = (tstr){(const unsigned char *)s, (size_t)len, (int32_t)i};
    }
    /* drop the strings that cannot occur */
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (v[i].len != (size_t)-1)
            v[k++] = v[i];
    special_trie *t = trie_build(v, (size_t)k);
    PyMem_Free(v);
    if (!t)
        PyErr_NoMemory();
    return t;
}

int special_req_parse(core *c, PyObject *allowed, PyObject *disallowed, special_req *r)
{
    memset(r, 0, sizeof *r);
    size_t ns = c->n_special;
    bool allow_all = allowed && is_all(allowed);
    if (allowed && !allow_all && PyUnicode_Check(allowed)) {
        PyErr_SetString(PyExc_TypeError, "allowed_special must be 'all' or a set of str");
        return -1;
    }
    bool dis_all = !disallowed || is_all(disallowed);
    /* the calls tiktoken users make most, without allocating */
    if (dis_all && !allowed) {
        r->policy = ns ? TOK_SPECIAL_REJECT : TOK_SPECIAL_ORDINARY;
        return 0;
    }
    int dis_empty = 0;
    if (!dis_all && (dis_empty = !PyObject_IsTrue(disallowed)) && PyErr_Occurred())
        return -1;
    if (allow_all && (dis_all || dis_empty)) {
        r->policy = ns ? TOK_SPECIAL_ALLOW : TOK_SPECIAL_ORDINARY;
        return 0;
    }
    Py_ssize_t n_allowed = allow_all ? (Py_ssize_t)ns : 0;
    if (allowed && !allow_all) {
        r->allowed = PyMem_Calloc(ns ? ns : 1, 1);
        if (!r->allowed) {
            PyErr_NoMemory();
            return -1;
        }
        if ((n_allowed = mark(c, allowed, r->allowed, NULL, "allowed_special")) < 0)
            goto fail;
    }
    if (dis_empty && n_allowed == 0) {
        r->policy = TOK_SPECIAL_ORDINARY;
        special_req_free(r);
        return 0;
    }
    Py_ssize_t n_dis = 0;
    if (dis_all) {
        n_dis = (Py_ssize_t)ns - n_allowed;
        if (n_dis > 0) {
            r->disallowed = PyMem_Calloc(ns, 1);
            if (!r->disallowed) {
                PyErr_NoMemory();
                goto fail;
            }
            for (size_t i = 0; i < ns; i++)
                r->disallowed[i] = !(allow_all || r->allowed[i]);
        }
    } else if (!dis_empty) {
        r->disallowed = PyMem_Calloc(ns ? ns : 1, 1);
        if (!r->disallowed) {
            PyErr_NoMemory();
            goto fail;
        }
        if ((n_dis = mark(c, disallowed, r->disallowed, &r->extra_texts, "disallowed_special")) < 0)
            goto fail;
        if (r->extra_texts && !(r->extra = extra_trie(r->extra_texts)))
            goto fail;
    }
    if (n_dis == (Py_ssize_t)ns && ns && n_allowed == 0 && !r->extra) {
        special_req_free(r); /* every special token disallowed, none allowed: tiktoken's default */
        r->policy = TOK_SPECIAL_REJECT;
        return 0;
    }
    r->check = n_dis > 0 || r->extra;
    if (n_dis == 0) {
        PyMem_Free(r->disallowed);
        r->disallowed = NULL;
    }
    if (n_allowed == 0 || ns == 0) {
        r->policy = TOK_SPECIAL_ORDINARY;
    } else if (n_allowed == (Py_ssize_t)ns) {
        r->policy = TOK_SPECIAL_ALLOW;
    } else {
        r->policy = TOK_SPECIAL_ORDINARY;
        r->split = true;
    }
    if (!r->split) {
        PyMem_Free(r->allowed);
        r->allowed = NULL;
    }
    if ((r->check || r->split) && !core_trie(c) && PyErr_Occurred())
        goto fail;
    return 0;
fail:
    special_req_free(r);
    return -1;
}

static PyObject *disallowed_message(PyObject *token)
{
    return PyUnicode_FromFormat(
        "Encountered text corresponding to disallowed special token %R.\n"
        "If you want this text to be encoded as a special token, pass it to `allowed_special`, "
        "e.g. `allowed_special={%R, ...}`.\n"
        "If you want this text to be encoded as normal text, disable the check for this token by "
        "passing `disallowed_special=(enc.special_tokens_set - {%R})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n",
        token, token, token);
}

static PyObject *raise_disallowed(PyObject *token, size_t at)
{
    PyObject *msg = disallowed_message(token);
    if (!msg)
        return NULL;
    tok_error err;
    TOK_ERR_INIT(err);
    err.status = TOK_ESPECIAL;
    err.offset = at;
    raise_tok_as(TokscopeError, &err, msg);
    Py_DECREF(msg);
    return NULL;
}

int special_check_disallowed(core *c, const special_req *r, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t at = 0, len = 0, at2 = 0, len2 = 0;
    int32_t which = -1, which2 = -1;
    bool found = c->trie && r->disallowed && trie_find(c->trie, s, n, 0, r->disallowed, &at, &len, &which);
    bool found2 = r->extra && trie_find(r->extra, s, n, 0, NULL, &at2, &len2, &which2);
    if (!found && !found2)
        return 0;
    PyObject *token;
    if (found2 && (!found || at2 < at || (at2 == at && len2 > len)))
        token = PyList_GET_ITEM(r->extra_texts, which2), at = at2;
    else
        token = PyTuple_GET_ITEM(c->special_texts, which);
    raise_disallowed(token, at);
    return -1;
}

PyObject *special_raise_at(core *c, const char *p, size_t n, size_t at)
{
    const special_trie *t = core_trie(c);
    int32_t which = -1;
    if (t && at < n && trie_match(t, (const unsigned char *)p, n, at, NULL, &which) > 0)
        return raise_disallowed(PyTuple_GET_ITEM(c->special_texts, which), at);
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_SystemError, "tokscope: no special token at byte %zu", at);
    return NULL;
}

tok_status special_encode(core *c, const special_req *r, const char *p, size_t n, enc_out *out,
                          tok_error *err)
{
    const tok_encode_options ord = {TOK_SPECIAL_ORDINARY, 0};
    size_t cap = n + 1, k = 0, pos = 0; /* tiktoken: every token covers at least one byte */
    uint32_t *ids = malloc(cap * sizeof *ids);
    if (!ids)
        return TOK_ENOMEM;
    for (;;) {
        size_t at = n, len = 0;
        int32_t which = -1;
        if (!trie_find(c->trie, (const unsigned char *)p, n, pos, r->allowed, &at, &len, &which))
            at = n;
        size_t got;
        tok_status st = tok_encode(c->tok, p + pos, at - pos, &ord, ids + k, NULL, cap - k, &got,
                                   err);
        if (st == TOK_ERANGE) { /* cannot happen for tiktoken files; stay correct anyway */
            uint32_t *bigger = realloc(ids, (k + got + (n - at) + 1) * sizeof *ids);
            if (!bigger) {
                free(ids);
                return TOK_ENOMEM;
            }
            ids = bigger;
            cap = k + got + (n - at) + 1;
            st = tok_encode(c->tok, p + pos, at - pos, &ord, ids + k, NULL, cap - k, &got, err);
        }
        if (st != TOK_OK) {
            free(ids);
            return st;
        }
        k += got;
        if (at == n)
            break;
        if (k == cap) {
            uint32_t *bigger = realloc(ids, (cap + (n - at) + 1) * sizeof *ids);
            if (!bigger) {
                free(ids);
                return TOK_ENOMEM;
            }
            ids = bigger;
            cap += n - at + 1;
        }
        ids[k++] = c->special_ids[which];
        pos = at + len;
    }
    out->ids = ids;
    out->spans = NULL;
    out->n = k;
    out->heap = true;
    return TOK_OK;
}

Py_ssize_t special_split(core *c, const special_req *r, const char *p, size_t n, tok_text **seg,
                         uint32_t **after)
{
    size_t cap = 4, k = 0, pos = 0;
    tok_text *sv = malloc(cap * sizeof *sv);
    uint32_t *av = malloc(cap * sizeof *av);
    for (;;) {
        if (!sv || !av)
            break;
        size_t at = n, len = 0;
        int32_t which = -1;
        if (!trie_find(c->trie, (const unsigned char *)p, n, pos, r->allowed, &at, &len, &which))
            at = n;
        if (k == cap) {
            cap *= 2;
            tok_text *s2 = realloc(sv, cap * sizeof *sv);
            if (s2)
                sv = s2;
            uint32_t *a2 = realloc(av, cap * sizeof *av);
            if (a2)
                av = a2;
            if (!s2 || !a2)
                break;
        }
        sv[k] = (tok_text){p + pos, at - pos};
        av[k++] = at == n ? UINT32_MAX : c->special_ids[which];
        if (at == n) {
            *seg = sv;
            *after = av;
            return (Py_ssize_t)k;
        }
        pos = at + len;
    }
    free(sv);
    free(av);
    return -1;
}
