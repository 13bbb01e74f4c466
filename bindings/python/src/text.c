/* text: Python str and bytes as UTF-8 byte spans.
 *
 * A str is read through PyUnicode_AsUTF8AndSize: no copy for ASCII, one cached UTF-8 copy kept by
 * the str otherwise (as tiktoken's pyo3 &str does). A str with lone surrogates has no UTF-8 form;
 * tiktoken catches that and re-encodes the text through UTF-16 with surrogatepass, decoding with
 * errors="replace" (a valid pair becomes its character, a lone surrogate U+FFFD). The Encoding
 * API does the same; the Tokenizer API raises UnicodeEncodeError, as Hugging Face does. */
#include "ext.h"

static int from_str(PyObject *o, int surrogates, text_view *v)
{
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(o, &n);
    if (p) {
        v->p = p;
        v->n = (size_t)n;
        return 0;
    }
    if (!surrogates || !PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
        return -1;
    PyErr_Clear();
    PyObject *u16 = PyUnicode_AsEncodedString(o, "utf-16", "surrogatepass");
    if (!u16)
        return -1;
    PyObject *fixed = PyUnicode_Decode(PyBytes_AS_STRING(u16), PyBytes_GET_SIZE(u16), "utf-16",
                                       "replace");
    Py_DECREF(u16);
    if (!fixed)
        return -1;
    p = PyUnicode_AsUTF8AndSize(fixed, &n);
    if (!p) {
        Py_DECREF(fixed);
        return -1;
    }
    v->keep = fixed;
    v->p = p;
    v->n = (size_t)n;
    return 0;
}

int text_from_str(PyObject *o, int surrogates, text_view *v, const char *what)
{
    v->keep = NULL;
    v->has_buf = false;
    v->is_str = true;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    return from_str(o, surrogates, v);
}

int text_from_any(PyObject *o, text_view *v, const char *what)
{
    v->keep = NULL;
    v->has_buf = false;
    v->is_str = PyUnicode_Check(o);
    if (v->is_str)
        return from_str(o, 0, v);
    if (PyBytes_Check(o)) { /* the common case without the buffer protocol's cost */
        v->p = PyBytes_AS_STRING(o);
        v->n = (size_t)PyBytes_GET_SIZE(o);
        return 0;
    }
    if (!PyObject_CheckBuffer(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be str or bytes-like, not %.100s", what,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(o, &v->buf, PyBUF_SIMPLE) < 0)
        return -1;
    v->has_buf = true;
    v->p = v->buf.buf;
    v->n = (size_t)v->buf.len;
    return 0;
}

void text_release(text_view *v)
{
    Py_CLEAR(v->keep);
    if (v->has_buf) {
        PyBuffer_Release(&v->buf);
        v->has_buf = false;
    }
}
