/* core: the object Encoding and Tokenizer share -- an open tok_tokenizer and what the binding
 * keeps beside it: the special tokens as Python strings, a trie to find them, and one int object
 * per token id.
 *
 * Why the int cache: a list of ids needs an int object per id, and for ids above 256 CPython
 * allocates a new one each time -- on 10 KB of text that is a sizeable share of the whole
 * encode. The ints are immutable, so one object per id (created on first use, ~32 bytes each)
 * serves every list; filling a list is then a reference-count increment per id. */
#include "ext.h"

#include <stdlib.h>

PyObject *core_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    core *c = (core *)type->tp_alloc(type, 0);
    return (PyObject *)c;
}

void core_clear(core *c)
{
    if (c->ints) {
        for (uint32_t i = 0; i < c->n_vocab; i++)
            Py_XDECREF(c->ints[i]);
        PyMem_Free(c->ints);
        c->ints = NULL;
    }
    special_trie_free(c->trie);
    c->trie = NULL;
    PyMem_Free(c->special_ids);
    c->special_ids = NULL;
    Py_CLEAR(c->special_texts);
    Py_CLEAR(c->special_index);
    Py_CLEAR(c->model);
    Py_CLEAR(c->asked);
    Py_CLEAR(c->name);
    c->m = NULL;
    Py_CLEAR(c->source);
    if (c->tok) {
        tok_tokenizer *t = c->tok;
        c->tok = NULL;
        tok_close(t);
    }
}

void core_dealloc(PyObject *self)
{
    core *c = (core *)self;
    if (c->weakrefs)
        PyObject_ClearWeakRefs(self);
    core_clear(c);
    Py_TYPE(self)->tp_free(self);
}

int core_attach(core *c, tok_tokenizer *tok, PyObject *source)
{
    if (c->tok) {
        tok_close(tok);
        PyErr_SetString(PyExc_RuntimeError, "this tokenizer object is already open");
        return -1;
    }
    c->tok = tok;
    c->n_vocab = tok_vocab_size(tok);
    c->tiktoken = strcmp(tok_format(tok), "tiktoken") == 0;
    c->exact = true;
    const char *nm = tok_name(tok);
    if (!(c->name = PyUnicode_DecodeUTF8(nm, (Py_ssize_t)strlen(nm), "surrogateescape"))) {
        core_clear(c);
        return -1;
    }
    Py_XINCREF(source);
    Py_XSETREF(c->source, source);
    size_t ns = tok_special_count(tok);
    c->n_special = ns;
    c->special_texts = PyTuple_New((Py_ssize_t)ns);
    c->special_index = PyDict_New();
    c->special_ids = PyMem_Malloc((ns ? ns : 1) * sizeof *c->special_ids);
    if (!c->special_texts || !c->special_index || !c->special_ids) {
        core_clear(c);
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < ns; i++) {
        const char *text;
        size_t len;
        uint32_t id;
        tok_special_at(tok, i, &text, &len, &id);
        /* special tokens are text in every format; surrogateescape keeps any odd byte */
        PyObject *s = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "surrogateescape");
        PyObject *ix = s ? PyLong_FromSize_t(i) : NULL;
        if (!ix || PyDict_SetItem(c->special_index, s, ix) < 0) {
            Py_XDECREF(s);
            Py_XDECREF(ix);
            core_clear(c);
            return -1;
        }
        Py_DECREF(ix);
        PyTuple_SET_ITEM(c->special_texts, (Py_ssize_t)i, s);
        c->special_ids[i] = id;
    }
    return 0;
}

PyObject *core_id_int(core *c, uint32_t id)
{
    if (id >= c->n_vocab)
        return PyLong_FromUnsignedLong(id);
    if (!c->ints) {
        c->ints = PyMem_Calloc(c->n_vocab, sizeof *c->ints);
        if (!c->ints)
            return PyErr_NoMemory();
    }
    PyObject *o = c->ints[id];
    if (!o && !(o = c->ints[id] = PyLong_FromUnsignedLong(id)))
        return NULL;
    Py_INCREF(o);
    return o;
}

PyObject *core_ids(core *c, const uint32_t *ids, size_t n, int as_array)
{
    return as_array ? ids_to_array(ids, n) : core_id_list(c, ids, n);
}

PyObject *core_id_list(core *c, const uint32_t *ids, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list || n == 0)
        return list;
    if (!c->ints && !(c->ints = PyMem_Calloc(c->n_vocab ? c->n_vocab : 1, sizeof *c->ints))) {
        Py_DECREF(list);
        return PyErr_NoMemory();
    }
    PyObject **ints = c->ints;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        PyObject *o;
        if (id < c->n_vocab) {
            o = ints[id];
            if (!o && !(o = ints[id] = PyLong_FromUnsignedLong(id)))
                goto fail;
            Py_INCREF(o);
        } else if (!(o = PyLong_FromUnsignedLong(id))) {
            goto fail;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, o);
    }
    return list;
fail:
    Py_DECREF(list);
    return NULL;
}

/* The GIL is released around every library call that reads text or ids, however short:
 * uncontended, a release and re-acquire costs a few tens of nanoseconds (measured: no
 * difference in the 20-byte per-call time of bench.py). */

tok_status core_encode(core *c, const char *p, size_t n, const tok_encode_options *o,
                       uint32_t *stack, size_t cap, bool want_spans, enc_out *out, tok_error *err)
{
    tok_status st = TOK_ERANGE;
    out->heap = false;
    out->spans = NULL;
    out->ids = stack;
    out->n = 0;
    PyThreadState *ts = PyEval_SaveThread();
    /* a tiktoken text of n bytes has at most n tokens: the stack buffer is certain to do */
    if (stack && !want_spans && (c->tiktoken ? n <= cap : n < cap / 4))
        st = tok_encode(c->tok, p, n, o, stack, NULL, cap, &out->n, err);
    if (st == TOK_ERANGE) {
        st = tok_encode_alloc(c->tok, p, n, o, &out->ids, want_spans ? &out->spans : NULL,
                              &out->n, err);
        out->heap = st == TOK_OK;
        if (st != TOK_OK)
            out->ids = NULL;
    }
    PyEval_RestoreThread(ts);
    return st;
}

void enc_out_free(enc_out *o)
{
    if (o->heap) {
        tok_free(o->ids);
        tok_free(o->spans);
    }
    o->ids = NULL;
    o->spans = NULL;
    o->heap = false;
}

/* tiktoken-format tokenizers decode straight into the bytes object (the size estimate holds
 * almost always; else a second pass). The other formats build their text in the library
 * anyway: tok_decode_alloc hands it over in one pass and it is copied once. */
PyObject *core_decode_bytes(core *c, const uint32_t *ids, size_t n, unsigned flags,
                            bool tiktoken_msg)
{
    tok_error err;
    TOK_ERR_INIT(err);
    size_t len = 0;
    tok_status st;
    PyObject *b = NULL;
    PyThreadState *ts;
    if (c->tiktoken) {
        size_t cap = n * 6 + 16;
        if (!(b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap)))
            return NULL;
        ts = PyEval_SaveThread();
        st = tok_decode(c->tok, ids, n, flags, PyBytes_AS_STRING(b), cap, &len, &err);
        PyEval_RestoreThread(ts);
        if (st == TOK_ERANGE) {
            Py_DECREF(b);
            if (!(b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len)))
                return NULL;
            cap = len;
            TOK_ERR_INIT(err);
            ts = PyEval_SaveThread();
            st = tok_decode(c->tok, ids, n, flags, PyBytes_AS_STRING(b), cap, &len, &err);
            PyEval_RestoreThread(ts);
        }
        if (st == TOK_OK && len != cap && _PyBytes_Resize(&b, (Py_ssize_t)len) < 0)
            return NULL;
    } else {
        char *out = NULL;
        ts = PyEval_SaveThread();
        st = tok_decode_alloc(c->tok, ids, n, flags, &out, &len, &err);
        PyEval_RestoreThread(ts);
        if (st == TOK_OK)
            b = PyBytes_FromStringAndSize(out, (Py_ssize_t)len);
        tok_free(out);
        if (st == TOK_OK && !b)
            return NULL;
    }
    if (st == TOK_OK)
        return b;
    Py_XDECREF(b);
    if (st == TOK_EID && tiktoken_msg && err.index < n) {
        PyObject *msg = PyUnicode_FromFormat("Invalid token for decoding: %u",
                                             (unsigned)ids[err.index]);
        if (msg) {
            raise_tok_as(TokscopeKeyError, &err, msg);
            Py_DECREF(msg);
        }
        return NULL;
    }
    return raise_tok(st, &err);
}
