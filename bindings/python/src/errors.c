/* errors: the library's tok_error as Python exceptions.
 *
 * TokscopeError derives from ValueError (bad input, bad files and unknown names are all value
 * errors to a caller), so code written for tiktoken's ValueError keeps working. Two refinements
 * let callers catch what they already catch: TokscopeFileError is also an OSError, and
 * TokscopeKeyError is also a KeyError (tiktoken raises KeyError for unknown ids, unknown token
 * bytes and unknown model names) but prints its message unquoted. Every exception carries the
 * tok_error's parts as attributes: status ("TOK_EUTF8"), offset, line, index, source, where. */
#include "ext.h"

PyObject *TokscopeError, *TokscopeFileError, *TokscopeKeyError;

int errors_init(PyObject *module)
{
    TokscopeError = PyErr_NewExceptionWithDoc(
        "tokscope.TokscopeError",
        "An error reported by libtokscope (a ValueError). Attributes: status (the library's "
        "status name, e.g. 'TOK_EUTF8'), offset (byte offset in the text or file, or None), "
        "line, index (batch item or token position), source (file, encoding or model name) and "
        "where (JSON path or field), each None when the error has none.",
        PyExc_ValueError, NULL);
    if (!TokscopeError)
        return -1;
    PyObject *bases = PyTuple_Pack(2, TokscopeError, PyExc_OSError);
    if (!bases)
        return -1;
    TokscopeFileError = PyErr_NewExceptionWithDoc(
        "tokscope.TokscopeFileError", "A tokenizer or price file could not be read (also an OSError).",
        bases, NULL);
    Py_DECREF(bases);
    if (!TokscopeFileError)
        return -1;
    /* KeyError's str() is the repr of its argument; keep the message readable */
    PyObject *dict = PyDict_New(), *str = PyObject_GetAttrString(PyExc_BaseException, "__str__");
    bases = PyTuple_Pack(2, TokscopeError, PyExc_KeyError);
    if (dict && str && bases && PyDict_SetItemString(dict, "__str__", str) == 0)
        TokscopeKeyError = PyErr_NewExceptionWithDoc(
            "tokscope.TokscopeKeyError",
            "An unknown token id, token or model name (also a KeyError, as in tiktoken).", bases,
            dict);
    Py_XDECREF(dict);
    Py_XDECREF(str);
    Py_XDECREF(bases);
    if (!TokscopeKeyError)
        return -1;
    if (PyModule_AddObjectRef(module, "TokscopeError", TokscopeError) < 0 ||
        PyModule_AddObjectRef(module, "TokscopeFileError", TokscopeFileError) < 0 ||
        PyModule_AddObjectRef(module, "TokscopeKeyError", TokscopeKeyError) < 0)
        return -1;
    return 0;
}

static int set_attr(PyObject *exc, const char *name, PyObject *value)
{
    if (!value)
        return -1;
    int r = PyObject_SetAttrString(exc, name, value);
    Py_DECREF(value);
    return r;
}

static PyObject *str_or_none(const char *s)
{
    if (!s || !*s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

PyObject *raise_tok_as(PyObject *cls, const tok_error *err, PyObject *message)
{
    PyObject *exc = PyObject_CallOneArg(cls, message);
    if (!exc)
        return NULL;
    tok_status st = err ? err->status : TOK_EINVAL;
    bool ok = set_attr(exc, "status", PyUnicode_FromString(tok_status_name(st))) == 0;
    if (ok && err) {
        ok = set_attr(exc, "offset",
                      err->offset == TOK_NO_OFFSET ? Py_NewRef(Py_None)
                                                   : PyLong_FromUnsignedLongLong(err->offset)) == 0 &&
             set_attr(exc, "line", err->line ? PyLong_FromUnsignedLong(err->line)
                                             : Py_NewRef(Py_None)) == 0 &&
             set_attr(exc, "index", PyLong_FromUnsignedLong(err->index)) == 0 &&
             set_attr(exc, "source", str_or_none(err->source)) == 0 &&
             set_attr(exc, "where", str_or_none(err->where)) == 0;
    } else if (ok) {
        ok = set_attr(exc, "offset", Py_NewRef(Py_None)) == 0 &&
             set_attr(exc, "line", Py_NewRef(Py_None)) == 0 &&
             set_attr(exc, "index", Py_NewRef(Py_None)) == 0 &&
             set_attr(exc, "source", Py_NewRef(Py_None)) == 0 &&
             set_attr(exc, "where", Py_NewRef(Py_None)) == 0;
    }
    if (ok)
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *raise_tok(tok_status st, tok_error *err)
{
    if (err->status == TOK_OK) /* a call that failed before describing itself */
        err->status = st;
    if (err->status == TOK_ENOMEM)
        return PyErr_NoMemory();
    PyObject *cls = err->status == TOK_EIO   ? TokscopeFileError
                    : err->status == TOK_EID ? TokscopeKeyError
                                             : TokscopeError;
    const char *m = err->message[0] ? err->message : tok_status_str(err->status);
    PyObject *msg = PyUnicode_DecodeUTF8(m, (Py_ssize_t)strlen(m), "replace");
    if (!msg)
        return NULL;
    raise_tok_as(cls, err, msg);
    Py_DECREF(msg);
    return NULL;
}
