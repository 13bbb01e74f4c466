/* encoded: the result of Tokenizer.encode -- ids and offsets, built into Python objects only
 * when asked for. It holds the library's arrays; `ids` and `offsets` make lists on access, the
 * buffer protocol exports the ids as uint32 ('I') without a copy (numpy.asarray(e),
 * memoryview(e)), and len(e) / e[i] / iteration work on the ids.
 *
 * offsets index the input as given: code points for a str (as Hugging Face's offsets), bytes
 * for bytes; byte_offsets are always bytes of the UTF-8 text. Code points are the library's
 * conversion of its byte spans (tok_spans_convert), made when offsets is read. */
#include "ext.h"

typedef struct encoded {
    PyObject_HEAD
    core *owner;     /* strong: its int cache and token bytes */
    PyObject *text;  /* the input, for code-point offsets (str only) */
    bool is_str;
    uint32_t *ids;
    tok_span *spans;
    size_t n;
    Py_ssize_t exports;
    Py_ssize_t shape, stride;
} encoded;

PyObject *encoded_new(core *owner, PyObject *text, bool is_str, uint32_t *ids, tok_span *spans,
                      size_t n)
{
    encoded *e = PyObject_New(encoded, &Encoded_Type);
    if (!e) {
        tok_free(ids);
        tok_free(spans);
        return NULL;
    }
    Py_INCREF(owner);
    e->owner = owner;
    e->text = is_str ? Py_NewRef(text) : NULL;
    e->is_str = is_str;
    e->ids = ids;
    e->spans = spans;
    e->n = n;
    e->exports = 0;
    return (PyObject *)e;
}

static void encoded_dealloc(PyObject *self)
{
    encoded *e = (encoded *)self;
    tok_free(e->ids);
    tok_free(e->spans);
    Py_XDECREF(e->text);
    Py_XDECREF((PyObject *)e->owner);
    PyObject_Free(self);
}

static PyObject *get_ids(PyObject *self, void *unused)
{
    encoded *e = (encoded *)self;
    return core_id_list(e->owner, e->ids, e->n);
}

static PyObject *get_array(PyObject *self, void *unused)
{
    encoded *e = (encoded *)self;
    return ids_to_array(e->ids, e->n);
}

static PyObject *pair(size_t a, size_t b)
{
    PyObject *t = PyTuple_New(2), *x = PyLong_FromSize_t(a), *y = PyLong_FromSize_t(b);
    if (!t || !x || !y) {
        Py_XDECREF(t);
        Py_XDECREF(x);
        Py_XDECREF(y);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, x);
    PyTuple_SET_ITEM(t, 1, y);
    return t;
}

static PyObject *offsets(encoded *e, bool chars)
{
    if (!e->spans && e->n) {
        PyErr_SetString(PyExc_ValueError, "encoded with offsets=False: no offsets");
        return NULL;
    }
    tok_span *sp = e->spans;
    if (chars && e->n) { /* the library's conversion, on a copy: the byte spans stay */
        Py_ssize_t len;
        const char *p = PyUnicode_AsUTF8AndSize(e->text, &len);
        if (!p)
            return NULL;
        if (!(sp = PyMem_Malloc(e->n * sizeof *sp)))
            return PyErr_NoMemory();
        memcpy(sp, e->spans, e->n * sizeof *sp);
        tok_error err;
        TOK_ERR_INIT(err);
        tok_status st = tok_spans_convert(p, (size_t)len, sp, e->n, TOK_OFFSET_CHARS, &err);
        if (st != TOK_OK) {
            PyMem_Free(sp);
            return raise_tok(st, &err);
        }
    }
    PyObject *list = PyList_New((Py_ssize_t)e->n);
    for (size_t i = 0; list && i < e->n; i++) {
        PyObject *t = pair((size_t)sp[i].start, (size_t)sp[i].end);
        if (!t)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    if (sp != e->spans)
        PyMem_Free(sp);
    return list;
}

static PyObject *get_offsets(PyObject *self, void *unused)
{
    encoded *e = (encoded *)self;
    return offsets(e, e->is_str);
}

static PyObject *get_byte_offsets(PyObject *self, void *unused)
{
    return offsets((encoded *)self, false);
}

static PyObject *get_token_bytes(PyObject *self, void *unused)
{
    encoded *e = (encoded *)self;
    PyObject *list = PyList_New((Py_ssize_t)e->n);
    for (size_t i = 0; list && i < e->n; i++) {
        const char *p = "";
        size_t len = 0;
        tok_token_bytes(e->owner->tok, e->ids[i], &p, &len);
        PyObject *b = PyBytes_FromStringAndSize(p, (Py_ssize_t)len);
        if (!b)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, b);
    }
    return list;
}

static Py_ssize_t encoded_len(PyObject *self)
{
    return (Py_ssize_t)((encoded *)self)->n;
}

static PyObject *encoded_item(PyObject *self, Py_ssize_t i)
{
    encoded *e = (encoded *)self;
    if (i < 0 || (size_t)i >= e->n) {
        PyErr_SetString(PyExc_IndexError, "token index out of range");
        return NULL;
    }
    return core_id_int(e->owner, e->ids[i]);
}

static int encoded_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    encoded *e = (encoded *)self;
    if (flags & PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "Encoded ids are read-only");
        return -1;
    }
    e->shape = (Py_ssize_t)e->n;
    e->stride = sizeof(uint32_t);
    static char format[] = "I";
    view->obj = Py_NewRef(self);
    view->buf = e->ids;
    view->len = (Py_ssize_t)(e->n * sizeof(uint32_t));
    view->readonly = 1;
    view->itemsize = sizeof(uint32_t);
    view->format = (flags & PyBUF_FORMAT) ? format : NULL;
    view->ndim = 1;
    view->shape = (flags & PyBUF_ND) ? &e->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &e->stride : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    e->exports++;
    return 0;
}

static void encoded_releasebuffer(PyObject *self, Py_buffer *view)
{
    ((encoded *)self)->exports--;
}

static PyObject *encoded_repr(PyObject *self)
{
    encoded *e = (encoded *)self;
    PyObject *ids = core_id_list(e->owner, e->ids, e->n < 8 ? e->n : 8);
    if (!ids)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("Encoded(%zu tokens, ids=%R%s)", e->n, ids,
                                       e->n > 8 ? " ..." : "");
    Py_DECREF(ids);
    return r;
}

static PyGetSetDef encoded_getset[] = {
    {"ids", get_ids, NULL, "The token ids (a new list).", NULL},
    {"array", get_array, NULL, "The token ids as array('I').", NULL},
    {"offsets", get_offsets, NULL,
     "(start, end) of each token in the input: code points for a str, bytes for bytes.", NULL},
    {"byte_offsets", get_byte_offsets, NULL, "(start, end) of each token in UTF-8 bytes.", NULL},
    {"token_bytes", get_token_bytes, NULL, "The bytes of each token.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods encoded_seq = {.sq_length = encoded_len, .sq_item = encoded_item};
static PyBufferProcs encoded_buffer = {encoded_getbuffer, encoded_releasebuffer};

PyTypeObject Encoded_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tokscope.Encoded",
    .tp_basicsize = sizeof(encoded),
    .tp_dealloc = encoded_dealloc,
    .tp_repr = encoded_repr,
    .tp_as_sequence = &encoded_seq,
    .tp_as_buffer = &encoded_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Tokenizer.encode's result: ids, offsets, byte_offsets, token_bytes; len() and "
              "indexing give the ids; the buffer protocol exports them as uint32.",
    .tp_getset = encoded_getset,
};

int encoded_init(PyObject *module)
{
    if (PyType_Ready(&Encoded_Type) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "Encoded", (PyObject *)&Encoded_Type);
}
