/* stream: the library's calls for programs that embed a tokenizer (issue 16), as Python
 * objects -- DecodeStream (tok_decode_stream: text as ids arrive) and TokenCounter (tok_counter:
 * the count of a text that grows). Tokenizer.decode_stream() and Tokenizer.counter() make them;
 * count(limit=) and truncate() are in tokenizer.c.
 *
 * Both hold the library's state for one text and keep their tokenizer alive. The library wants
 * each used by one thread at a time: the GIL is held through every call (each costs about the
 * ids or text it is given, microseconds), so Python threads sharing one are serialised. */
#include "ext.h"

typedef struct dstream {
    PyObject_HEAD
    core *owner; /* strong: the tokenizer must outlive the stream */
    tok_decode_stream *s;
} dstream;

typedef struct counter {
    PyObject_HEAD
    core *owner;
    tok_counter *c;
} counter;

PyObject *stream_new(core *owner, unsigned flags)
{
    dstream *d = PyObject_New(dstream, &DecodeStream_Type);
    if (!d)
        return NULL;
    d->owner = (core *)Py_NewRef((PyObject *)owner);
    d->s = NULL;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_decode_stream_new(owner->tok, flags, &d->s, &err);
    if (st != TOK_OK) {
        Py_DECREF(d);
        return raise_tok(st, &err);
    }
    return (PyObject *)d;
}

static void dstream_dealloc(PyObject *self)
{
    dstream *d = (dstream *)self;
    tok_decode_stream_free(d->s);
    Py_XDECREF((PyObject *)d->owner);
    PyObject_Free(self);
}

/* Text the library returned: valid UTF-8, except bytes a tiktoken-format stream passes through
 * as tok_decode does (ids whose bytes never form a character): those become U+FFFD, as
 * decode()'s default errors='replace' makes them. */
static PyObject *text_out(const char *p, size_t n)
{
    return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "replace");
}

static PyObject *ds_step(PyObject *self, PyObject *arg)
{
    dstream *d = (dstream *)self;
    id_view v;
    if (ids_from_object(arg, &v) < 0)
        return NULL;
    const char *p;
    size_t n;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_decode_stream_step(d->s, v.ids, v.n, &p, &n, &err);
    ids_release(&v);
    return st == TOK_OK ? text_out(p, n) : raise_tok(st, &err);
}

static PyObject *ds_prefill(PyObject *self, PyObject *arg)
{
    dstream *d = (dstream *)self;
    id_view v;
    if (ids_from_object(arg, &v) < 0)
        return NULL;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_decode_stream_prefill(d->s, v.ids, v.n, &err);
    ids_release(&v);
    if (st != TOK_OK)
        return raise_tok(st, &err);
    Py_RETURN_NONE;
}

static PyObject *ds_flush(PyObject *self, PyObject *unused)
{
    dstream *d = (dstream *)self;
    const char *p;
    size_t n;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_decode_stream_flush(d->s, &p, &n, &err);
    return st == TOK_OK ? text_out(p, n) : raise_tok(st, &err);
}

static PyObject *ds_reset(PyObject *self, PyObject *unused)
{
    tok_decode_stream_reset(((dstream *)self)->s);
    Py_RETURN_NONE;
}

static PyMethodDef ds_methods[] = {
    {"step", ds_step, METH_O,
     "step(ids) -> str\n\nFeed ids (an int sequence); the text they complete. A character split "
     "across\ntokens waits for its last byte; all steps and flush() together are decode() of "
     "all\nthe ids. An unknown id raises and leaves the stream as it was."},
    {"prefill", ds_prefill, METH_O,
     "prefill(ids) -> None\n\nContext whose text the caller already has (the prompt): later "
     "steps continue it."},
    {"flush", ds_flush, METH_NOARGS,
     "flush() -> str\n\nThe end of the ids: the text still held back. The stream starts again "
     "empty."},
    {"reset", ds_reset, METH_NOARGS, "reset() -> None\n\nForget everything fed so far."},
    {NULL, NULL, 0, NULL}};

PyTypeObject DecodeStream_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tokscope._tokscope.DecodeStream",
    .tp_basicsize = sizeof(dstream),
    .tp_dealloc = dstream_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Decoding ids as they arrive (Tokenizer.decode_stream()).",
    .tp_methods = ds_methods,
};

PyObject *counter_new(core *owner, const tok_encode_options *o)
{
    counter *k = PyObject_New(counter, &TokenCounter_Type);
    if (!k)
        return NULL;
    k->owner = (core *)Py_NewRef((PyObject *)owner);
    k->c = NULL;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_counter_new(owner->tok, o, &k->c, &err);
    if (st != TOK_OK) {
        Py_DECREF(k);
        return raise_tok(st, &err);
    }
    return (PyObject *)k;
}

static void counter_dealloc(PyObject *self)
{
    counter *k = (counter *)self;
    tok_counter_free(k->c);
    Py_XDECREF((PyObject *)k->owner);
    PyObject_Free(self);
}

static PyObject *total_of(counter *k)
{
    size_t n = tok_counter_total(k->c);
    core *c = k->owner;
    return PyLong_FromUnsignedLongLong(c->exact || !c->m ? n : tok_model_approx_count(c->m, n));
}

static PyObject *kc_append(PyObject *self, PyObject *arg)
{
    counter *k = (counter *)self;
    text_view v;
    if (text_from_any(arg, &v, "text") < 0)
        return NULL;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_counter_append(k->c, v.p, v.n, NULL, &err);
    text_release(&v);
    return st == TOK_OK ? total_of(k) : raise_tok(st, &err);
}

static PyObject *kc_reset(PyObject *self, PyObject *unused)
{
    tok_counter_reset(((counter *)self)->c);
    Py_RETURN_NONE;
}

static PyObject *kc_total(PyObject *self, void *unused)
{
    return total_of((counter *)self);
}

static PyObject *kc_bytes(PyObject *self, void *unused)
{
    return PyLong_FromUnsignedLongLong(tok_counter_bytes(((counter *)self)->c));
}

static PyMethodDef kc_methods[] = {
    {"append", kc_append, METH_O,
     "append(text) -> int\n\nAppend a str or bytes; the new total, always count() of all the "
     "text appended.\nCosts about the chunk, not the whole text. A failing append (invalid "
     "UTF-8,\na rejected special token) raises and leaves the counter as it was."},
    {"reset", kc_reset, METH_NOARGS, "reset() -> None\n\nStart again from empty text."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef kc_getset[] = {
    {"total", kc_total, NULL, "The tokens of all the text appended so far.", NULL},
    {"bytes", kc_bytes, NULL, "The UTF-8 bytes appended so far.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject TokenCounter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tokscope._tokscope.TokenCounter",
    .tp_basicsize = sizeof(counter),
    .tp_dealloc = counter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The token count of a text that grows (Tokenizer.counter()).",
    .tp_methods = kc_methods,
    .tp_getset = kc_getset,
};

int stream_init(PyObject *module)
{
    if (PyType_Ready(&DecodeStream_Type) < 0 || PyType_Ready(&TokenCounter_Type) < 0)
        return -1;
    if (PyModule_AddObjectRef(module, "DecodeStream", (PyObject *)&DecodeStream_Type) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "TokenCounter", (PyObject *)&TokenCounter_Type);
}
