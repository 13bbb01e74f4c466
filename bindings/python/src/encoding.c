/* encoding: tiktoken's Encoding API over libtokscope, with tiktoken's semantics (core.py of
 * tiktoken 0.14) -- the same ids, the same exceptions and the same messages -- so that
 * `import tokscope as tiktoken` works for the common uses. Differences are listed in
 * bindings/python/README.md (encode_with_unstable is not implemented).
 *
 * Every encode releases the GIL while the library works and builds the list of ids directly
 * from the library's array; return_array=True gives an array('I') instead. Batches run on the library's threads (tok_encode_batch). */
#include "ext.h"

#include <stdlib.h>

#define STACK_IDS 512

/* One text with tiktoken's special-token semantics (the request parsed). */
static PyObject *encode_text(core *c, const special_req *r, const text_view *v, int as_array)
{
    if (r->check && special_check_disallowed(c, r, v->p, v->n) < 0)
        return NULL;
    uint32_t stack[STACK_IDS];
    enc_out out;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    if (r->split) {
        PyThreadState *ts = PyEval_SaveThread();
        st = special_encode(c, r, v->p, v->n, &out, &err);
        PyEval_RestoreThread(ts);
    } else {
        tok_encode_options o = {r->policy, 0};
        st = core_encode(c, v->p, v->n, &o, stack, STACK_IDS, false, &out, &err);
    }
    if (st != TOK_OK) {
        if (st == TOK_ESPECIAL)
            return special_raise_at(c, v->p, v->n, (size_t)err.offset);
        return raise_tok(st, &err);
    }
    PyObject *res = core_ids(c, out.ids, out.n, as_array);
    if (r->split)
        free(out.ids);
    else
        enc_out_free(&out);
    return res;
}

static PyObject *enc_encode(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    core *c = (core *)self;
    PyObject *a[4];
    if (nargs == 1 && !kwnames) {
        a[0] = args[0];
        a[1] = a[2] = a[3] = NULL;
    } else {
        static const char *const names[] = {"text", "allowed_special", "disallowed_special",
                                            "return_array", NULL};
        if (parse_args("encode", args, nargs, kwnames, names, 1, 1, a) < 0)
            return NULL;
    }
    if (!core_tok(c))
        return NULL;
    int as_array = opt_bool(a[3], 0);
    if (as_array < 0)
        return NULL;
    special_req r;
    if (special_req_parse(c, a[1], a[2], &r) < 0)
        return NULL;
    text_view v;
    PyObject *res = NULL;
    if (text_from_str(a[0], 1, &v, "text") == 0) {
        res = encode_text(c, &r, &v, as_array);
        text_release(&v);
    }
    special_req_free(&r);
    return res;
}

static PyObject *enc_encode_ordinary(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                     PyObject *kwnames)
{
    core *c = (core *)self;
    PyObject *a[2];
    if (nargs == 1 && !kwnames) {
        a[0] = args[0];
        a[1] = NULL;
    } else {
        static const char *const names[] = {"text", "return_array", NULL};
        if (parse_args("encode_ordinary", args, nargs, kwnames, names, 1, 1, a) < 0)
            return NULL;
    }
    if (!core_tok(c))
        return NULL;
    int as_array = opt_bool(a[1], 0);
    if (as_array < 0)
        return NULL;
    special_req r = {.policy = TOK_SPECIAL_ORDINARY};
    text_view v;
    if (text_from_str(a[0], 1, &v, "text") < 0)
        return NULL;
    PyObject *res = encode_text(c, &r, &v, as_array);
    text_release(&v);
    return res;
}

static PyObject *enc_encode_batch(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"text", "num_threads", "allowed_special",
                                        "disallowed_special", "return_array", NULL};
    PyObject *a[5];
    if (parse_args("encode_batch", args, nargs, kwnames, names, 1, 1, a) < 0 || !core_tok(c))
        return NULL;
    long threads = opt_threads(a[1], 8);
    int as_array = opt_bool(a[4], 0);
    if (threads < 0 || as_array < 0)
        return NULL;
    special_req r;
    if (special_req_parse(c, a[2], a[3], &r) < 0)
        return NULL;
    batch_texts b;
    PyObject *res = NULL;
    if (batch_texts_get(a[0], &b, 1) == 0) {
        int ok = 0;
        /* tiktoken checks each text in order as it encodes it: the first one raises */
        for (Py_ssize_t i = 0; r.check && i < b.n && ok == 0; i++)
            ok = special_check_disallowed(c, &r, b.v[i].p, b.v[i].n);
        if (ok == 0)
            res = r.split ? batch_encode_split(c, &r, &b, batch_threads(&b, threads), as_array)
                          : batch_encode_plain(c, &b, r.policy, batch_threads(&b, threads), as_array);
    }
    batch_texts_free(&b);
    special_req_free(&r);
    return res;
}

static PyObject *enc_encode_ordinary_batch(PyObject *self, PyObject *const *args,
                                           Py_ssize_t nargs, PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"text", "num_threads", "return_array", NULL};
    PyObject *a[3];
    if (parse_args("encode_ordinary_batch", args, nargs, kwnames, names, 1, 1, a) < 0 ||
        !core_tok(c))
        return NULL;
    long threads = opt_threads(a[1], 8);
    int as_array = opt_bool(a[2], 0);
    if (threads < 0 || as_array < 0)
        return NULL;
    batch_texts b;
    PyObject *res = NULL;
    if (batch_texts_get(a[0], &b, 1) == 0)
        res = batch_encode_plain(c, &b, TOK_SPECIAL_ORDINARY, batch_threads(&b, threads), as_array);
    batch_texts_free(&b);
    return res;
}

static PyObject *enc_encode_with_unstable(PyObject *self, PyObject *const *args,
                                          Py_ssize_t nargs, PyObject *kwnames)
{
    PyErr_SetString(PyExc_NotImplementedError,
                    "tokscope does not implement encode_with_unstable (tiktoken documents this "
                    "API as unstable itself); use encode and decode_single_token_bytes");
    return NULL;
}

/* ---- single tokens ---- */

static int one_id(PyObject *o, uint32_t *id)
{
    if (!PyLong_Check(o) && !PyIndex_Check(o)) {
        PyErr_Format(PyExc_TypeError, "a token id must be an int, not %.100s", Py_TYPE(o)->tp_name);
        return -1;
    }
    id_view v;
    PyObject *t = PyTuple_Pack(1, o);
    int rc = t ? ids_from_object(t, &v) : -1;
    Py_XDECREF(t);
    if (rc == 0) {
        *id = v.ids[0];
        ids_release(&v);
    }
    return rc;
}

static PyObject *enc_encode_single_token(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    if (!core_tok(c))
        return NULL;
    text_view v;
    if (PyUnicode_Check(arg) ? text_from_str(arg, 0, &v, "text_or_bytes")
                             : text_from_any(arg, &v, "text_or_bytes"))
        return NULL;
    uint32_t id;
    tok_status st = tok_token_id(c->tok, v.p, v.n, &id);
    PyObject *res = NULL;
    if (st == TOK_OK) {
        res = core_id_int(c, id);
    } else {
        /* tiktoken: KeyError(the bytes) */
        PyObject *b = PyBytes_FromStringAndSize(v.p, (Py_ssize_t)v.n);
        if (b) {
            tok_error err;
            TOK_ERR_INIT(err);
            err.status = TOK_ENOENT;
            raise_tok_as(TokscopeKeyError, &err, b);
            Py_DECREF(b);
        }
    }
    text_release(&v);
    return res;
}

static PyObject *token_bytes_or_keyerror(core *c, uint32_t id)
{
    const char *p;
    size_t len;
    if (tok_token_bytes(c->tok, id, &p, &len) == TOK_OK)
        return PyBytes_FromStringAndSize(p, (Py_ssize_t)len);
    PyObject *msg = PyUnicode_FromFormat("%u", (unsigned)id); /* tiktoken: KeyError(str(token)) */
    if (msg) {
        tok_error err;
        TOK_ERR_INIT(err);
        err.status = TOK_EID;
        raise_tok_as(TokscopeKeyError, &err, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

static PyObject *enc_decode_single_token_bytes(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    uint32_t id;
    if (!core_tok(c) || one_id(arg, &id) < 0)
        return NULL;
    return token_bytes_or_keyerror(c, id);
}

static PyObject *enc_decode_tokens_bytes(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    id_view v;
    if (!core_tok(c) || ids_from_object(arg, &v) < 0)
        return NULL;
    PyObject *list = PyList_New((Py_ssize_t)v.n);
    for (size_t i = 0; list && i < v.n; i++) {
        PyObject *b = token_bytes_or_keyerror(c, v.ids[i]);
        if (!b) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, b);
    }
    ids_release(&v);
    return list;
}

/* ---- decoding ---- */

static PyObject *enc_decode_bytes(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    id_view v;
    if (!core_tok(c) || ids_from_object(arg, &v) < 0)
        return NULL;
    PyObject *b = core_decode_bytes(c, v.ids, v.n, 0, true);
    ids_release(&v);
    return b;
}

static const char *errors_arg(PyObject *o)
{
    if (!o)
        return "replace";
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "errors must be str, not %.100s", Py_TYPE(o)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(o);
}

static PyObject *decode_str(core *c, PyObject *tokens, const char *errors)
{
    id_view v;
    if (ids_from_object(tokens, &v) < 0)
        return NULL;
    PyObject *b = core_decode_bytes(c, v.ids, v.n, 0, true);
    ids_release(&v);
    if (!b)
        return NULL;
    PyObject *s = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b), errors);
    Py_DECREF(b);
    return s;
}

static PyObject *enc_decode(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"tokens", "errors", NULL};
    PyObject *a[2];
    if (parse_args("decode", args, nargs, kwnames, names, 2, 1, a) < 0 || !core_tok(c))
        return NULL;
    const char *errors = errors_arg(a[1]);
    return errors ? decode_str(c, a[0], errors) : NULL;
}

static PyObject *enc_decode_batch(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"batch", "errors", "num_threads", NULL};
    PyObject *a[3];
    if (parse_args("decode_batch", args, nargs, kwnames, names, 1, 1, a) < 0 || !core_tok(c))
        return NULL;
    const char *errors = errors_arg(a[1]);
    if (!errors || opt_threads(a[2], 8) < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(a[0], "a batch must be a sequence of id sequences");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        PyObject *s = decode_str(c, PySequence_Fast_GET_ITEM(seq, i), errors);
        if (!s)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, s);
    }
    Py_DECREF(seq);
    return out;
}

static PyObject *enc_decode_bytes_batch(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                        PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"batch", "num_threads", NULL};
    PyObject *a[2];
    if (parse_args("decode_bytes_batch", args, nargs, kwnames, names, 1, 1, a) < 0 ||
        !core_tok(c) || opt_threads(a[1], 8) < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(a[0], "a batch must be a sequence of id sequences");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        PyObject *b = enc_decode_bytes(self, PySequence_Fast_GET_ITEM(seq, i));
        if (!b)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, b);
    }
    Py_DECREF(seq);
    return out;
}

/* tiktoken's decode_with_offsets: each token's offset is the number of characters before it,
 * less one when the token starts inside a character (it begins with a continuation byte); the
 * text is decoded strictly (invalid UTF-8 raises UnicodeDecodeError). */
static PyObject *enc_decode_with_offsets(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    id_view v;
    if (!core_tok(c) || ids_from_object(arg, &v) < 0)
        return NULL;
    PyObject *offsets = PyList_New((Py_ssize_t)v.n), *text = NULL, *b = NULL;
    size_t text_len = 0;
    for (size_t i = 0; offsets && i < v.n; i++) {
        const char *p;
        size_t len;
        if (tok_token_bytes(c->tok, v.ids[i], &p, &len) != TOK_OK) {
            Py_CLEAR(offsets);
            token_bytes_or_keyerror(c, v.ids[i]);
            break;
        }
        bool starts_inside = len && ((unsigned char)p[0] & 0xC0) == 0x80;
        size_t off = text_len >= (size_t)starts_inside ? text_len - starts_inside : 0;
        PyObject *o = PyLong_FromSize_t(off);
        if (!o) {
            Py_CLEAR(offsets);
            break;
        }
        PyList_SET_ITEM(offsets, (Py_ssize_t)i, o);
        for (size_t k = 0; k < len; k++)
            text_len += ((unsigned char)p[k] & 0xC0) != 0x80;
    }
    if (offsets && (b = core_decode_bytes(c, v.ids, v.n, 0, true)))
        text = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b), "strict");
    ids_release(&v);
    Py_XDECREF(b);
    if (!text) {
        Py_XDECREF(offsets);
        return NULL;
    }
    PyObject *res = PyTuple_Pack(2, text, offsets);
    Py_DECREF(text);
    Py_DECREF(offsets);
    return res;
}

/* ---- facts ---- */

static PyObject *enc_token_byte_values(PyObject *self, PyObject *unused)
{
    core *c = (core *)self;
    if (!core_tok(c))
        return NULL;
    PyObject *list = PyList_New(0);
    for (uint32_t id = 0; list && id < c->n_vocab; id++) {
        const char *p;
        size_t len;
        if (tok_is_special(c->tok, id) || tok_token_bytes(c->tok, id, &p, &len) != TOK_OK)
            continue;
        PyObject *b = PyBytes_FromStringAndSize(p, (Py_ssize_t)len);
        if (!b || PyList_Append(list, b) < 0)
            Py_CLEAR(list);
        Py_XDECREF(b);
    }
    if (list && PyList_Sort(list) < 0)
        Py_CLEAR(list);
    return list;
}

static PyObject *enc_is_special_token(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    if (!core_tok(c))
        return NULL;
    if (!PyLong_Check(arg))
        return PyErr_Format(PyExc_TypeError, "a token id must be an int, not %.100s",
                            Py_TYPE(arg)->tp_name);
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(arg, &overflow);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    return PyBool_FromLong(!overflow && v >= 0 && v <= (long long)UINT32_MAX &&
                           tok_is_special(c->tok, (uint32_t)v));
}

PyObject *core_get_name(PyObject *self, void *unused)
{
    core *c = (core *)self;
    if (!core_tok(c))
        return NULL;
    return Py_NewRef(c->name);
}

static PyObject *get_n_vocab(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyLong_FromUnsignedLong(c->n_vocab) : NULL;
}

static PyObject *get_max_token_value(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyLong_FromUnsignedLong(c->n_vocab ? c->n_vocab - 1 : 0) : NULL;
}

PyObject *core_special_dict(core *c)
{
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < c->n_special; i++) {
        PyObject *id = PyLong_FromUnsignedLong(c->special_ids[i]);
        if (!id || PyDict_SetItem(d, PyTuple_GET_ITEM(c->special_texts, (Py_ssize_t)i), id) < 0)
            Py_CLEAR(d);
        Py_XDECREF(id);
    }
    return d;
}

static PyObject *get_special_tokens(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? core_special_dict(c) : NULL;
}

static PyObject *get_special_tokens_set(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PySet_New(c->special_texts) : NULL;
}

static PyObject *get_eot_token(PyObject *self, void *unused)
{
    core *c = (core *)self;
    if (!core_tok(c))
        return NULL;
    PyObject *key = PyUnicode_FromString("<|endoftext|>");
    PyObject *ix = key ? PyDict_GetItemWithError(c->special_index, key) : NULL;
    if (!ix) {
        if (key && !PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, key); /* as tiktoken's dict lookup */
        Py_XDECREF(key);
        return NULL;
    }
    Py_DECREF(key);
    return PyLong_FromUnsignedLong(c->special_ids[PyLong_AsSsize_t(ix)]);
}

static PyObject *get_pat_str(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyUnicode_FromString(tok_pattern(c->tok)) : NULL;
}

PyObject *core_get_source(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return Py_NewRef(c->source ? c->source : Py_None);
}

int core_set_source(PyObject *self, PyObject *value, void *unused)
{
    core *c = (core *)self;
    Py_XINCREF(value);
    Py_XSETREF(c->source, value);
    return 0;
}

static int set_name(PyObject *self, PyObject *value, void *unused)
{
    core *c = (core *)self;
    if (!value || !PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "name must be str");
        return -1;
    }
    Py_INCREF(value);
    Py_XSETREF(c->name, value);
    return 0;
}

static PyObject *enc_repr(PyObject *self)
{
    core *c = (core *)self;
    if (!c->tok)
        return PyUnicode_FromFormat("<%s (not open)>", Py_TYPE(self)->tp_name);
    return PyUnicode_FromFormat("<Encoding %R>", c->name);
}

static PyMethodDef enc_methods[] = {
    {"encode", (PyCFunction)(void (*)(void))enc_encode, METH_FASTCALL | METH_KEYWORDS,
     "encode(text, *, allowed_special=set(), disallowed_special='all', return_array=False)\n\n"
     "Encodes a string into tokens, as tiktoken does. Text that corresponds to a special token\n"
     "raises ValueError unless allowed (allowed_special: a set of special tokens or 'all'), or\n"
     "not disallowed (disallowed_special=() encodes it as plain text). return_array=True gives\n"
     "an array('I') instead of a list."},
    {"encode_ordinary", (PyCFunction)(void (*)(void))enc_encode_ordinary,
     METH_FASTCALL | METH_KEYWORDS,
     "encode_ordinary(text, *, return_array=False)\n\nEncodes a string, treating special-token "
     "text as plain text."},
    {"encode_batch", (PyCFunction)(void (*)(void))enc_encode_batch, METH_FASTCALL | METH_KEYWORDS,
     "encode_batch(text, *, num_threads=8, allowed_special=set(), disallowed_special='all', "
     "return_array=False)\n\nEncodes a list of strings on the library's threads (the GIL is "
     "released); the first text that fails raises, as in tiktoken."},
    {"encode_ordinary_batch", (PyCFunction)(void (*)(void))enc_encode_ordinary_batch,
     METH_FASTCALL | METH_KEYWORDS,
     "encode_ordinary_batch(text, *, num_threads=8, return_array=False)"},
    {"encode_with_unstable", (PyCFunction)(void (*)(void))enc_encode_with_unstable,
     METH_FASTCALL | METH_KEYWORDS, "Not implemented: raises NotImplementedError."},
    {"encode_single_token", enc_encode_single_token, METH_O,
     "encode_single_token(text_or_bytes) -> int\n\nThe id of one token (special tokens "
     "included); KeyError if there is none."},
    {"decode", (PyCFunction)(void (*)(void))enc_decode, METH_FASTCALL | METH_KEYWORDS,
     "decode(tokens, errors='replace') -> str"},
    {"decode_bytes", enc_decode_bytes, METH_O, "decode_bytes(tokens) -> bytes"},
    {"decode_single_token_bytes", enc_decode_single_token_bytes, METH_O,
     "decode_single_token_bytes(token) -> bytes (KeyError for an unknown id)"},
    {"decode_tokens_bytes", enc_decode_tokens_bytes, METH_O,
     "decode_tokens_bytes(tokens) -> list[bytes]"},
    {"decode_with_offsets", enc_decode_with_offsets, METH_O,
     "decode_with_offsets(tokens) -> (str, list[int])\n\nThe text and each token's offset in "
     "characters (tiktoken's rule for tokens that start inside a character); invalid UTF-8 "
     "raises UnicodeDecodeError."},
    {"decode_batch", (PyCFunction)(void (*)(void))enc_decode_batch, METH_FASTCALL | METH_KEYWORDS,
     "decode_batch(batch, *, errors='replace', num_threads=8) -> list[str]"},
    {"decode_bytes_batch", (PyCFunction)(void (*)(void))enc_decode_bytes_batch,
     METH_FASTCALL | METH_KEYWORDS, "decode_bytes_batch(batch, *, num_threads=8) -> list[bytes]"},
    {"token_byte_values", enc_token_byte_values, METH_NOARGS,
     "token_byte_values() -> list[bytes]\n\nThe bytes of every ordinary token, sorted."},
    {"is_special_token", enc_is_special_token, METH_O, "is_special_token(token) -> bool"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef enc_getset[] = {
    {"name", core_get_name, set_name, "The encoding's name.", NULL},
    {"n_vocab", get_n_vocab, NULL, "max_token_value + 1", NULL},
    {"max_token_value", get_max_token_value, NULL, "The highest token id.", NULL},
    {"eot_token", get_eot_token, NULL, "The id of <|endoftext|> (KeyError if it has none).", NULL},
    {"special_tokens_set", get_special_tokens_set, NULL, "The special tokens' texts (a new set).",
     NULL},
    {"_special_tokens", get_special_tokens, NULL, "{text: id} of the special tokens.", NULL},
    {"_pat_str", get_pat_str, NULL, "The split pattern.", NULL},
    {"_source", core_get_source, core_set_source, "How to open it again (pickling).", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject EncodingBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tokscope._tokscope.EncodingBase",
    .tp_basicsize = sizeof(core),
    .tp_dealloc = core_dealloc,
    .tp_repr = enc_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The C half of tokscope.Encoding (tiktoken's API).",
    .tp_weaklistoffset = offsetof(core, weakrefs),
    .tp_methods = enc_methods,
    .tp_getset = enc_getset,
    .tp_new = core_new,
};

int encoding_init(PyObject *module)
{
    if (PyType_Ready(&EncodingBase_Type) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "EncodingBase", (PyObject *)&EncodingBase_Type);
}
