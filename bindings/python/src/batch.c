/* batch: lists of texts for tiktoken's encode_batch / encode_ordinary_batch and the Tokenizer's
 * batches. Every text is turned into UTF-8 first (with the GIL), then one tok_encode_batch runs
 * them all on the library's threads without the GIL. tiktoken's allowed_special subsets cut each
 * text at its allowed special tokens first and encode all the pieces as one batch. */
#include "ext.h"

#include <stdlib.h>

void batch_texts_free(batch_texts *b)
{
    for (Py_ssize_t i = 0; b->v && i < b->n; i++)
        text_release(&b->v[i]);
    PyMem_Free(b->v);
    b->v = NULL;
    Py_CLEAR(b->seq);
}

int batch_texts_get(PyObject *o, batch_texts *b, int surrogates)
{
    b->v = NULL;
    b->n = 0;
    b->seq = NULL;
    if (PyUnicode_Check(o) || PyBytes_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "a batch must be a list of texts, not a single text");
        return -1;
    }
    if (!(b->seq = PySequence_Fast(o, "a batch must be a list of texts")))
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(b->seq);
    if (!(b->v = PyMem_Calloc((size_t)(n ? n : 1), sizeof *b->v))) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(b->seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        int rc = surrogates >= 0 ? text_from_str(items[i], surrogates, &b->v[i], "each text")
                                 : text_from_any(items[i], &b->v[i], "each text");
        if (rc < 0)
            return -1;
        b->n = i + 1;
    }
    return 0;
}

unsigned batch_threads(const batch_texts *b, long want)
{
    size_t bytes = 0;
    for (Py_ssize_t i = 0; i < b->n; i++)
        bytes += b->v[i].n;
    size_t useful = bytes / 16384 + 1;
    if (want == 0)
        return useful > 256 ? 256 : (unsigned)useful; /* the library caps at the CPU count */
    return (unsigned)((size_t)want < useful ? (size_t)want : useful);
}

PyObject *batch_encode_plain(core *c, const batch_texts *b, tok_special_policy policy,
                             unsigned threads, int as_array)
{
    size_t n = (size_t)b->n;
    tok_text *texts = PyMem_Malloc((n ? n : 1) * sizeof *texts);
    tok_batch_item *res = PyMem_Calloc(n ? n : 1, sizeof *res);
    if (!texts || !res) {
        PyMem_Free(texts);
        PyMem_Free(res);
        return PyErr_NoMemory();
    }
    for (size_t i = 0; i < n; i++)
        texts[i] = (tok_text){b->v[i].p, b->v[i].n};
    tok_encode_options o = {policy, 0};
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_encode_batch(c->tok, texts, n, &o, 0, threads, res, &err);
    Py_END_ALLOW_THREADS
    PyObject *out = NULL;
    if (st != TOK_OK) {
        size_t i = err.index;
        if (st == TOK_ESPECIAL && i < n)
            special_raise_at(c, b->v[i].p, b->v[i].n, (size_t)err.offset);
        else
            raise_tok(st, &err);
    } else if ((out = PyList_New((Py_ssize_t)n))) {
        for (size_t i = 0; i < n; i++) {
            PyObject *ids = core_ids(c, res[i].ids, res[i].n, as_array);
            if (!ids) {
                Py_CLEAR(out);
                break;
            }
            PyList_SET_ITEM(out, (Py_ssize_t)i, ids);
        }
    }
    tok_batch_free(res, n);
    PyMem_Free(res);
    PyMem_Free(texts);
    return out;
}

/* A subset of allowed specials: every text cut at its allowed special tokens, all the pieces
 * encoded as one batch, and each text's ids put back together. */
PyObject *batch_encode_split(core *c, const special_req *r, const batch_texts *b,
                             unsigned threads, int as_array)
{
    size_t n = (size_t)b->n, total = 0;
    tok_text **segs = PyMem_Calloc(n ? n : 1, sizeof *segs);
    uint32_t **afters = PyMem_Calloc(n ? n : 1, sizeof *afters);
    size_t *counts = PyMem_Calloc(n ? n : 1, sizeof *counts);
    tok_text *all = NULL;
    tok_batch_item *res = NULL;
    uint32_t *ids = NULL;
    PyObject *out = NULL;
    if (!segs || !afters || !counts)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        Py_ssize_t k = special_split(c, r, b->v[i].p, b->v[i].n, &segs[i], &afters[i]);
        if (k < 0)
            goto oom;
        counts[i] = (size_t)k;
        total += (size_t)k;
    }
    all = PyMem_Malloc((total ? total : 1) * sizeof *all);
    res = PyMem_Calloc(total ? total : 1, sizeof *res);
    if (!all || !res)
        goto oom;
    for (size_t i = 0, k = 0; i < n; i++)
        for (size_t j = 0; j < counts[i]; j++)
            all[k++] = segs[i][j];
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_encode_batch(c->tok, all, total, &o, 0, threads, res, &err);
    Py_END_ALLOW_THREADS
    if (st != TOK_OK) {
        raise_tok(st, &err);
        goto done;
    }
    if (!(out = PyList_New((Py_ssize_t)n)))
        goto done;
    for (size_t i = 0, k = 0; i < n; i++) {
        size_t len = 0, at = 0;
        for (size_t j = 0; j < counts[i]; j++)
            len += res[k + j].n + (afters[i][j] != UINT32_MAX);
        uint32_t *grown = PyMem_Realloc(ids, (len ? len : 1) * sizeof *ids);
        if (!grown) {
            Py_CLEAR(out);
            goto oom;
        }
        ids = grown;
        for (size_t j = 0; j < counts[i]; j++, k++) {
            memcpy(ids + at, res[k].ids, res[k].n * sizeof *ids);
            at += res[k].n;
            if (afters[i][j] != UINT32_MAX)
                ids[at++] = afters[i][j];
        }
        PyObject *one = core_ids(c, ids, at, as_array);
        if (!one) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, one);
    }
    goto done;
oom:
    PyErr_NoMemory();
done:
    if (res)
        tok_batch_free(res, total);
    PyMem_Free(res);
    PyMem_Free(all);
    PyMem_Free(ids);
    for (size_t i = 0; segs && i < n; i++) {
        free(segs[i]);
        free(afters[i]);
    }
    PyMem_Free(segs);
    PyMem_Free(afters);
    PyMem_Free(counts);
    return out;
}

