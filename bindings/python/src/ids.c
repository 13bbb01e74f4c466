/* ids: token id sequences between Python and uint32 arrays.
 *
 * In: lists and tuples are read item by item without an iterator; any object with the buffer
 * protocol and an integer format (array('I'), numpy arrays, memoryviews) is read directly; any
 * other iterable through PySequence_Fast. Items may be ints or have __index__ (numpy scalars),
 * as tiktoken's u32 conversion accepts.
 * Out: array('I') for callers that asked for a buffer (return_array=True). */
#include "ext.h"

static int id_from_long(PyObject *item, uint32_t *out)
{
    PyObject *num = item;
    if (!PyLong_Check(item)) {
        num = PyNumber_Index(item);
        if (!num) {
            PyErr_Format(PyExc_TypeError, "token ids must be ints, not %.100s",
                         Py_TYPE(item)->tp_name);
            return -1;
        }
    }
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(num, &overflow);
    if (num != item)
        Py_DECREF(num);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v < 0 || v > (long long)UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "token id out of range (ids are 0 .. 2**32-1)");
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static uint32_t *reserve(id_view *v, size_t n)
{
    if (n <= sizeof v->stack / sizeof v->stack[0])
        return v->ids = v->stack;
    v->ids = PyMem_Malloc(n * sizeof *v->ids);
    if (!v->ids)
        PyErr_NoMemory();
    return v->ids;
}

void ids_release(id_view *v)
{
    if (v->ids && v->ids != v->stack)
        PyMem_Free(v->ids);
    v->ids = NULL;
    v->n = 0;
}

/* One item of a buffer with format f. */
static int buffer_item(const char *p, char f, uint32_t *out)
{
    long long s = 0;
    unsigned long long u = 0;
    bool is_signed = true;
    switch (f) {
    case 'b': s = *(const signed char *)p; break;
    case 'h': s = *(const short *)p; break;
    case 'i': s = *(const int *)p; break;
    case 'l': s = *(const long *)p; break;
    case 'q': s = *(const long long *)p; break;
    case 'n': s = *(const Py_ssize_t *)p; break;
    case 'B': is_signed = false, u = *(const unsigned char *)p; break;
    case 'H': is_signed = false, u = *(const unsigned short *)p; break;
    case 'I': is_signed = false, u = *(const unsigned int *)p; break;
    case 'L': is_signed = false, u = *(const unsigned long *)p; break;
    case 'Q': is_signed = false, u = *(const unsigned long long *)p; break;
    case 'N': is_signed = false, u = *(const size_t *)p; break;
    default: return -2;
    }
    if (is_signed ? (s < 0 || s > (long long)UINT32_MAX) : u > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "token id out of range (ids are 0 .. 2**32-1)");
        return -1;
    }
    *out = is_signed ? (uint32_t)s : (uint32_t)u;
    return 0;
}

static int from_buffer(PyObject *o, id_view *v)
{
    Py_buffer b;
    if (PyObject_GetBuffer(o, &b, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    const char *f = b.format ? b.format : "B";
    if (*f == '@' || *f == '=')
        f++;
    int rc = -1;
    if (b.ndim > 1 || f[0] == 0 || f[1] != 0) {
        PyErr_Format(PyExc_TypeError, "token ids must be a flat buffer of integers, not format "
                                      "'%s' with %d dimensions", b.format ? b.format : "B", b.ndim);
        goto done;
    }
    size_t n = b.itemsize ? (size_t)(b.len / b.itemsize) : 0;
    if (!reserve(v, n ? n : 1))
        goto done;
    if (f[0] == 'I' && b.itemsize == 4) {
        memcpy(v->ids, b.buf, n * 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            int r = buffer_item((const char *)b.buf + i * (size_t)b.itemsize, f[0], &v->ids[i]);
            if (r == -2) {
                PyErr_Format(PyExc_TypeError, "token ids must be integers, not buffer format '%s'",
                             b.format);
                goto done;
            }
            if (r < 0)
                goto done;
        }
    }
    v->n = n;
    rc = 0;
done:
    PyBuffer_Release(&b);
    if (rc < 0)
        ids_release(v);
    return rc;
}

int ids_from_object(PyObject *o, id_view *v)
{
    v->ids = NULL;
    v->n = 0;
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)) {
        /* bytes have the buffer protocol and iterate as ints: never what was meant */
        PyErr_Format(PyExc_TypeError, "token ids must be a sequence of ints, not %.100s",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    if (!PyList_Check(o) && !PyTuple_Check(o) && PyObject_CheckBuffer(o))
        return from_buffer(o, v);
    PyObject *seq = PySequence_Fast(o, "token ids must be a sequence of ints");
    if (!seq)
        return -1;
    size_t n = (size_t)PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    if (!reserve(v, n ? n : 1)) {
        Py_DECREF(seq);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *it = items[i];
        /* the usual case: a small non-negative int, read without the general conversion */
        if (PyLong_CheckExact(it)) {
            int overflow;
            long long x = PyLong_AsLongLongAndOverflow(it, &overflow);
            if (!overflow && x >= 0 && x <= (long long)UINT32_MAX) {
                v->ids[i] = (uint32_t)x;
                continue;
            }
        }
        if (id_from_long(it, &v->ids[i]) < 0) {
            Py_DECREF(seq);
            ids_release(v);
            return -1;
        }
    }
    Py_DECREF(seq);
    v->n = n;
    return 0;
}

/* array('I', bytes): one constructor call, one copy into the array (the bytes object is a
 * second, short-lived copy; cheaper than the two calls array('I') + frombytes). */
PyObject *ids_to_array(const uint32_t *ids, size_t n)
{
    static PyObject *array_type, *typecode;
    if (!array_type) {
        PyObject *mod = PyImport_ImportModule("array");
        if (!mod)
            return NULL;
        array_type = PyObject_GetAttrString(mod, "array");
        Py_DECREF(mod);
        if (!array_type || !(typecode = PyUnicode_InternFromString("I"))) {
            Py_CLEAR(array_type);
            return NULL;
        }
    }
    PyObject *b = PyBytes_FromStringAndSize((const char *)ids, (Py_ssize_t)(n * sizeof *ids));
    if (!b)
        return NULL;
    PyObject *args[2] = {typecode, b};
    PyObject *arr = PyObject_Vectorcall(array_type, args, 2, NULL);
    Py_DECREF(b);
    return arr;
}
