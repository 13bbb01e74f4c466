/* module: tokscope._tokscope -- the types, the error classes and the module-level functions.
 * The Python package (tokscope/__init__.py) builds the public API on these. */
#include "ext.h"

int parse_args(const char *fn, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
               const char *const *names, Py_ssize_t max_pos, Py_ssize_t min_pos, PyObject **out)
{
    Py_ssize_t n_names = 0;
    while (names[n_names])
        n_names++;
    for (Py_ssize_t i = 0; i < n_names; i++)
        out[i] = NULL;
    if (nargs > max_pos) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd positional argument%s (%zd given)",
                     fn, max_pos, max_pos == 1 ? "" : "s", nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        out[i] = args[i];
    Py_ssize_t nk = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nk; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t i = 0;
        for (; i < n_names; i++)
            if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0)
                break;
        if (i == n_names) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fn, key);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fn,
                         names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < min_pos; i++)
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fn, names[i]);
            return -1;
        }
    return 0;
}

const char *c_string(PyObject *o, const char *what)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(o)->tp_name);
        return NULL;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(o, &n);
    if (s && strlen(s) != (size_t)n) {
        PyErr_Format(PyExc_ValueError, "%s contains a NUL character", what);
        return NULL;
    }
    return s;
}

int opt_bool(PyObject *o, int dflt)
{
    return o ? PyObject_IsTrue(o) : dflt;
}

long opt_threads(PyObject *o, long dflt)
{
    if (!o || o == Py_None)
        return dflt;
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "num_threads must be an int, not %.100s", Py_TYPE(o)->tp_name);
        return -1;
    }
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0 || v > 1024) {
        PyErr_SetString(PyExc_ValueError, "num_threads must be 0 (one per CPU) .. 1024");
        return -1;
    }
    return v;
}

static PyObject *list_encoding_names(PyObject *m, PyObject *unused)
{
    size_t n = tok_builtin_count();
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *s = PyUnicode_FromString(tok_builtin_name(i));
        if (!s) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static PyObject *encoding_name_for_model(PyObject *m, PyObject *arg)
{
    const char *name = c_string(arg, "model name");
    if (!name)
        return NULL;
    const char *enc;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_encoding_for_model(name, &enc, &err);
    if (st == TOK_OK)
        return PyUnicode_FromString(enc);
    if (st != TOK_ENOENT)
        return raise_tok(st, &err);
    /* tiktoken raises KeyError for an unknown model; the library's message names the closest */
    PyObject *msg = PyUnicode_FromString(err.message);
    if (msg) {
        raise_tok_as(TokscopeKeyError, &err, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

static PyObject *version(PyObject *m, PyObject *unused)
{
    return PyUnicode_FromString(tok_version());
}

static PyMethodDef module_functions[] = {
    {"list_encoding_names", list_encoding_names, METH_NOARGS,
     "list_encoding_names() -> list[str]\n\nThe built-in encodings, as tiktoken lists them."},
    {"encoding_name_for_model", encoding_name_for_model, METH_O,
     "encoding_name_for_model(model_name) -> str\n\nThe encoding of an OpenAI model, following "
     "tiktoken's model.py (exact names, then prefixes). Unknown names raise TokscopeKeyError "
     "(a KeyError, as in tiktoken)."},
    {"library_version", version, METH_NOARGS, "The version of the linked libtokscope."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "tokscope._tokscope",
    "The C extension of tokscope: libtokscope through its public API. Use the tokscope "
    "package, which builds the public API on these types.",
    -1, module_functions, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__tokscope(void); /* the entry point CPython looks up */
PyMODINIT_FUNC PyInit__tokscope(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    if (errors_init(m) < 0 || encoding_init(m) < 0 || tokenizer_init(m) < 0 ||
        encoded_init(m) < 0 || stream_init(m) < 0 || registry_init(m) < 0 ||
        PyModule_AddStringConstant(m, "__version__", TOK_VERSION_STRING) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
