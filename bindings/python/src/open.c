/* open: _open_into(obj, kind, ...) opens a tokenizer into a fresh Encoding or Tokenizer object.
 * The Python package decides what to open (tokscope/__init__.py) and records how, for pickling;
 * this file only calls the library, with the GIL released (a tokenizer.json can take 100 ms).
 *
 *   "encoding", name                     tok_open_encoding (built-in encodings)
 *   "openai_model", name                 tok_open_model (tiktoken's encoding_for_model names)
 *   "memory", data, label, pattern, specials
 *                                        tok_open_memory (any format; pattern and specials for
 *                                        .tiktoken data: tiktoken's Encoding(...) constructor)
 *   "registry", name, dirs, approximate  a model of the registry: tok_model_find, then
 *                                        tok_model_open_tokenizer over dirs
 *   "registry_memory", model_id, data, label
 *                                        a registry model's tokenizer file, from its bytes */
#include "ext.h"

#include <stdlib.h>

static int attach_model(core *c, const tok_model *m, bool exact)
{
    c->m = m;
    c->exact = exact;
    c->approx_factor = exact ? 0 : m->approx_factor;
    Py_XSETREF(c->model, PyUnicode_FromString(m->id));
    return c->model ? 0 : -1;
}

/* The registry's tokenizer of a model: exact, or an estimate only when asked for. */
static int open_registry(core *c, const char *name, PyObject *dirs, int approximate)
{
    const tok_registry *reg = registry_get();
    if (!reg)
        return -1;
    tok_error err;
    TOK_ERR_INIT(err);
    const tok_model *m;
    tok_status st = tok_model_find(reg, name, &m, &err);
    if (st == TOK_ENOENT) {
        /* not in the registry: an OpenAI model name tiktoken maps (gpt-4-0613, ft:gpt-4o:...) */
        tok_error err2;
        TOK_ERR_INIT(err2);
        tok_tokenizer *t = NULL;
        if (tok_encoding_for_model(name, &(const char *){NULL}, NULL) == TOK_OK &&
            tok_open_model(name, &t, &err2) == TOK_OK) {
            if (core_attach(c, t, NULL) < 0)
                return -1;
            return (c->asked = PyUnicode_FromString(name)) ? 0 : -1;
        }
        PyObject *msg = PyUnicode_FromString(err.message);
        if (msg) {
            raise_tok_as(TokscopeKeyError, &err, msg);
            Py_DECREF(msg);
        }
        return -1;
    }
    if (st != TOK_OK) {
        raise_tok(st, &err);
        return -1;
    }
    Py_ssize_t nd = PyTuple_Size(dirs);
    if (nd < 0)
        return -1;
    const char **dv = PyMem_Malloc((size_t)(nd ? nd : 1) * sizeof *dv);
    if (!dv) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < nd; i++)
        if (!(dv[i] = c_string(PyTuple_GET_ITEM(dirs, i), "a tokenizer directory"))) {
            PyMem_Free(dv);
            return -1;
        }
    tok_tokenizer *t = NULL;
    bool exact = false;
    TOK_ERR_INIT(err);
    Py_BEGIN_ALLOW_THREADS
    st = tok_model_open_tokenizer(m, dv, (size_t)nd, &t, &exact, &err);
    Py_END_ALLOW_THREADS
    PyMem_Free(dv);
    if (st != TOK_OK) {
        raise_tok(st, &err);
        return -1;
    }
    if (!exact && !approximate) {
        tok_close(t);
        char factor[32];
        tok_decimal_format(m->approx_factor, 6, factor, sizeof factor);
        TOK_ERR_INIT(err);
        err.status = TOK_EUNSUPPORTED;
        snprintf(err.source, sizeof err.source, "%s", m->id);
        PyObject *msg;
        if (m->tokenizer && *m->tokenizer && !m->tokenizer_builtin)
            msg = PyUnicode_FromFormat(
                "%s: its vocabulary %s is not installed (make vocabs builds it; tokenizer_dirs= "
                "or $TOKSCOPE_TOKENIZER_PATH name other places); pass approximate=True to count "
                "with %s x%s instead (an estimate)",
                m->id, m->tokenizer, m->approx_encoding, factor);
        else
            msg = PyUnicode_FromFormat(
                "%s: no public tokenizer, so its counts can only be estimated; pass "
                "approximate=True to count with %s x%s (an estimate)",
                m->id, m->approx_encoding, factor);
        if (msg) {
            raise_tok_as(TokscopeError, &err, msg);
            Py_DECREF(msg);
        }
        return -1;
    }
    if (core_attach(c, t, NULL) < 0 || attach_model(c, m, exact) < 0)
        return -1;
    return (c->asked = PyUnicode_FromString(name)) ? 0 : -1;
}

static const char *opt_utf8(PyObject *o, const char *what)
{
    return o == Py_None ? NULL : c_string(o, what);
}

/* tiktoken's special_tokens dict as parallel C arrays (texts point into the dict's strings). */
static int specials_arrays(PyObject *d, const char ***texts, uint32_t **ids, size_t *n)
{
    *texts = NULL;
    *ids = NULL;
    *n = 0;
    if (d == Py_None)
        return 0;
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "special_tokens must be a dict of str to int");
        return -1;
    }
    Py_ssize_t cnt = PyDict_Size(d), pos = 0, i = 0;
    *texts = PyMem_Malloc((size_t)(cnt ? cnt : 1) * sizeof **texts);
    *ids = PyMem_Malloc((size_t)(cnt ? cnt : 1) * sizeof **ids);
    if (!*texts || !*ids) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *k, *v;
    while (PyDict_Next(d, &pos, &k, &v)) {
        Py_ssize_t len;
        const char *s = PyUnicode_Check(k) ? PyUnicode_AsUTF8AndSize(k, &len) : NULL;
        if (!s) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "special token texts must be str");
            return -1;
        }
        if ((size_t)len != strlen(s) || len == 0) {
            PyErr_Format(PyExc_ValueError, "special token %R: must be non-empty and contain no NUL",
                         k);
            return -1;
        }
        unsigned long long id = PyLong_Check(v) ? PyLong_AsUnsignedLongLong(v) : (unsigned long long)-1;
        if (PyErr_Occurred() || id > UINT32_MAX) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "special token %R: id must be an int in 0 .. 2**32-1", k);
            return -1;
        }
        (*texts)[i] = s;
        (*ids)[i++] = (uint32_t)id;
    }
    *n = (size_t)i;
    return 0;
}

static PyObject *open_into(PyObject *mod, PyObject *args)
{
    Py_ssize_t na = PyTuple_GET_SIZE(args);
    if (na < 2)
        return PyErr_Format(PyExc_TypeError, "_open_into(obj, kind, ...)");
    PyObject *obj = PyTuple_GET_ITEM(args, 0), *kind = PyTuple_GET_ITEM(args, 1);
    if (!PyObject_TypeCheck(obj, &EncodingBase_Type) && !PyObject_TypeCheck(obj, &TokenizerBase_Type))
        return PyErr_Format(PyExc_TypeError, "_open_into: not a tokscope object");
    core *c = (core *)obj;
    if (c->tok)
        return PyErr_Format(PyExc_RuntimeError, "this tokenizer object is already open");
    const char *k = PyUnicode_Check(kind) ? PyUnicode_AsUTF8(kind) : NULL;
    if (!k)
        return PyErr_Format(PyExc_TypeError, "_open_into: kind must be str");
    tok_error err;
    TOK_ERR_INIT(err);
    tok_tokenizer *t = NULL;
    tok_status st;
    if ((!strcmp(k, "encoding") || !strcmp(k, "openai_model")) && na == 3) {
        const char *name = c_string(PyTuple_GET_ITEM(args, 2), "name");
        if (!name)
            return NULL;
        bool enc = !strcmp(k, "encoding");
        Py_BEGIN_ALLOW_THREADS
        st = enc ? tok_open_encoding(name, &t, &err) : tok_open_model(name, &t, &err);
        Py_END_ALLOW_THREADS
        if (st == TOK_ENOENT && !enc) { /* an unknown model: tiktoken's KeyError */
            PyObject *msg = PyUnicode_FromString(err.message);
            if (msg) {
                raise_tok_as(TokscopeKeyError, &err, msg);
                Py_DECREF(msg);
            }
            return NULL;
        }
    } else if (!strcmp(k, "memory") && na == 6) {
        PyObject *data = PyTuple_GET_ITEM(args, 2);
        const char *label = opt_utf8(PyTuple_GET_ITEM(args, 3), "label");
        const char *pattern = PyErr_Occurred() ? NULL : opt_utf8(PyTuple_GET_ITEM(args, 4), "pattern");
        if (PyErr_Occurred())
            return NULL;
        const char **texts;
        uint32_t *ids;
        size_t n;
        if (specials_arrays(PyTuple_GET_ITEM(args, 5), &texts, &ids, &n) < 0) {
            PyMem_Free(texts);
            PyMem_Free(ids);
            return NULL;
        }
        Py_buffer b;
        if (PyObject_GetBuffer(data, &b, PyBUF_SIMPLE) < 0) {
            PyMem_Free(texts);
            PyMem_Free(ids);
            return NULL;
        }
        tok_open_options o = {pattern, texts, ids, n};
        Py_BEGIN_ALLOW_THREADS
        st = tok_open_memory(b.buf, (size_t)b.len, label, &o, &t, &err);
        Py_END_ALLOW_THREADS
        PyBuffer_Release(&b);
        PyMem_Free(texts);
        PyMem_Free(ids);
    } else if (!strcmp(k, "registry") && na == 5) {
        const char *name = c_string(PyTuple_GET_ITEM(args, 2), "model name");
        int approx = PyObject_IsTrue(PyTuple_GET_ITEM(args, 4));
        if (!name || approx < 0 || !PyTuple_Check(PyTuple_GET_ITEM(args, 3)))
            return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_TypeError, "dirs must be a tuple");
        if (open_registry(c, name, PyTuple_GET_ITEM(args, 3), approx) < 0)
            return NULL;
        Py_RETURN_NONE;
    } else if (!strcmp(k, "registry_memory") && na == 5) {
        const char *id = c_string(PyTuple_GET_ITEM(args, 2), "model name");
        const char *label = id ? opt_utf8(PyTuple_GET_ITEM(args, 4), "label") : NULL;
        const tok_registry *reg = id ? registry_get() : NULL;
        if (!reg || PyErr_Occurred())
            return NULL;
        const tok_model *m;
        if ((st = tok_model_find(reg, id, &m, &err)) != TOK_OK)
            return raise_tok(st, &err);
        Py_buffer b;
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(args, 3), &b, PyBUF_SIMPLE) < 0)
            return NULL;
        Py_BEGIN_ALLOW_THREADS
        st = tok_open_memory(b.buf, (size_t)b.len, label, NULL, &t, &err);
        Py_END_ALLOW_THREADS
        PyBuffer_Release(&b);
        if (st != TOK_OK)
            return raise_tok(st, &err);
        if (core_attach(c, t, NULL) < 0 || attach_model(c, m, true) < 0)
            return NULL;
        c->asked = Py_NewRef(PyTuple_GET_ITEM(args, 2));
        Py_RETURN_NONE;
    } else {
        return PyErr_Format(PyExc_TypeError, "_open_into: bad kind %s or arguments", k);
    }
    if (st != TOK_OK)
        return raise_tok(st, &err);
    if (core_attach(c, t, NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyMethodDef open_functions[] = {
    {"_open_into", open_into, METH_VARARGS, "_open_into(obj, kind, ...): see open.c"},
    {NULL, NULL, 0, NULL}};
