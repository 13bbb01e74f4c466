/* tokenizer: the Hugging Face-style API over any format the library reads (tokenizer.json,
 * SentencePiece .model, .tiktoken, built-in encodings, registry models): encode with ids and
 * offsets, count, decode, batches on the library's threads, chat counts.
 *
 * special= chooses what special-token text in the input becomes: "allow" (the token), "ordinary"
 * (plain text) or "reject" (raise). The default is each format's reference behaviour:
 * tokenizer.json matches its added tokens in text, as Hugging Face does; SentencePiece never
 * does (spm_encode); tiktoken-format tokenizers encode it as plain text (encode_ordinary, and the
 * command's default). add_special_tokens=True adds BOS/EOS and template tokens where the file
 * defines them (TOK_ENCODE_ADD_SPECIAL). lossy=True replaces invalid UTF-8 in bytes input with
 * U+FFFD instead of raising.
 *
 * For programs that embed a tokenizer (issue 16): count(limit=) stops reading once the count
 * passes the limit (tok_count_limit), truncate() keeps the longest prefix or suffix within N
 * tokens (tok_truncate), decode_stream() and counter() make the objects of stream.c.
 *
 * A tokenizer opened for a registry model without a public tokenizer (approximate=True) has
 * exact == False: count() gives the library's estimate (tok_model_approx_count) and encode()
 * refuses, since its ids would be another tokenizer's. */
#include "ext.h"

#include <stdlib.h>

static int parse_special(core *c, PyObject *o, tok_special_policy *out)
{
    if (!o || o == Py_None) {
        *out = !strcmp(tok_format(c->tok), "huggingface") ? TOK_SPECIAL_ALLOW : TOK_SPECIAL_ORDINARY;
        return 0;
    }
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (s && !strcmp(s, "allow"))
        *out = TOK_SPECIAL_ALLOW;
    else if (s && !strcmp(s, "ordinary"))
        *out = TOK_SPECIAL_ORDINARY;
    else if (s && !strcmp(s, "reject"))
        *out = TOK_SPECIAL_REJECT;
    else {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "special must be 'allow', 'ordinary', 'reject' or None, "
                                           "not %R", o);
        return -1;
    }
    return 0;
}

static int parse_opts(core *c, PyObject *add, PyObject *special, PyObject *lossy,
                      tok_encode_options *o)
{
    int a = opt_bool(add, 0), l = opt_bool(lossy, 0);
    if (a < 0 || l < 0 || parse_special(c, special, &o->special) < 0)
        return -1;
    o->flags = (a ? TOK_ENCODE_ADD_SPECIAL : 0) | (l ? TOK_ENCODE_LOSSY_UTF8 : 0);
    return 0;
}

static int need_exact(core *c)
{
    if (c->exact)
        return 0;
    tok_error err;
    TOK_ERR_INIT(err);
    err.status = TOK_EUNSUPPORTED;
    PyObject *msg = PyUnicode_FromFormat(
        "%U has no public tokenizer: this tokenizer (%U) only estimates its counts, and its ids "
        "would be another tokenizer's; use count()", c->model, c->name);
    if (msg) {
        raise_tok_as(TokscopeError, &err, msg);
        Py_DECREF(msg);
    }
    return -1;
}

static uint64_t scaled(core *c, size_t n)
{
    return c->exact || !c->m ? n : tok_model_approx_count(c->m, n);
}

static PyObject *tk_encode(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"text", "add_special_tokens", "special", "lossy",
                                        "offsets", NULL};
    PyObject *a[5];
    tok_encode_options o;
    if (parse_args("encode", args, nargs, kwnames, names, 2, 1, a) < 0 || !core_tok(c) ||
        need_exact(c) < 0 || parse_opts(c, a[1], a[2], a[3], &o) < 0)
        return NULL;
    int spans = opt_bool(a[4], 1);
    if (spans < 0)
        return NULL;
    text_view v;
    if (text_from_any(a[0], &v, "text") < 0)
        return NULL;
    enc_out out;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = core_encode(c, v.p, v.n, &o, NULL, 0, spans, &out, &err);
    PyObject *res = st == TOK_OK ? encoded_new(c, a[0], v.is_str, out.ids, out.spans, out.n)
                                 : raise_tok(st, &err);
    text_release(&v);
    return res;
}

static PyObject *tk_count(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"text", "add_special_tokens", "special", "lossy",
                                        "limit", NULL};
    PyObject *a[5];
    tok_encode_options o;
    if (parse_args("count", args, nargs, kwnames, names, 2, 1, a) < 0 || !core_tok(c) ||
        parse_opts(c, a[1], a[2], a[3], &o) < 0)
        return NULL;
    size_t limit = 0;
    bool limited = a[4] && a[4] != Py_None;
    if (limited) {
        /* a limit is in the tokenizer's own tokens: an estimate's scale would move it */
        if (need_exact(c) < 0)
            return NULL;
        if (!PyLong_Check(a[4]))
            return PyErr_Format(PyExc_TypeError, "limit must be an int, not %.100s",
                                Py_TYPE(a[4])->tp_name);
        limit = PyLong_AsSize_t(a[4]);
        if (limit == (size_t)-1 && PyErr_Occurred())
            return NULL;
    }
    text_view v;
    if (text_from_any(a[0], &v, "text") < 0)
        return NULL;
    size_t n = 0;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = limited ? tok_count_limit(c->tok, v.p, v.n, &o, limit, &n, NULL, &err)
                 : tok_count(c->tok, v.p, v.n, &o, &n, &err);
    Py_END_ALLOW_THREADS
    text_release(&v);
    if (st != TOK_OK)
        return raise_tok(st, &err);
    return PyLong_FromUnsignedLongLong(scaled(c, n));
}

/* truncate: the kept text, of the input's type (a str is cut at a character boundary of its
 * UTF-8, so the slice decodes whole). */
static PyObject *tk_truncate(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"text",  "max_tokens", "add_special_tokens", "special",
                                        "lossy", "from_end",   NULL};
    PyObject *a[6];
    tok_encode_options o;
    if (parse_args("truncate", args, nargs, kwnames, names, 3, 2, a) < 0 || !core_tok(c) ||
        need_exact(c) < 0 || parse_opts(c, a[2], a[3], a[4], &o) < 0)
        return NULL;
    int from_end = opt_bool(a[5], 0);
    if (from_end < 0)
        return NULL;
    if (!PyLong_Check(a[1]))
        return PyErr_Format(PyExc_TypeError, "max_tokens must be an int, not %.100s",
                            Py_TYPE(a[1])->tp_name);
    size_t max = PyLong_AsSize_t(a[1]);
    if (max == (size_t)-1 && PyErr_Occurred())
        return NULL;
    text_view v;
    if (text_from_any(a[0], &v, "text") < 0)
        return NULL;
    size_t cut = 0;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_truncate(c->tok, v.p, v.n, &o, max, from_end ? TOK_TRUNCATE_END : 0, &cut, NULL,
                      &err);
    Py_END_ALLOW_THREADS
    PyObject *res = NULL;
    if (st != TOK_OK)
        raise_tok(st, &err);
    else {
        const char *p = from_end ? v.p + cut : v.p;
        Py_ssize_t n = (Py_ssize_t)(from_end ? v.n - cut : cut);
        res = v.is_str ? PyUnicode_DecodeUTF8(p, n, "strict") : PyBytes_FromStringAndSize(p, n);
    }
    text_release(&v);
    return res;
}

static PyObject *tk_decode_stream(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"skip_special_tokens", NULL};
    PyObject *a[1];
    if (parse_args("decode_stream", args, nargs, kwnames, names, 1, 0, a) < 0 || !core_tok(c))
        return NULL;
    int skip = opt_bool(a[0], 1);
    return skip < 0 ? NULL : stream_new(c, skip ? TOK_DECODE_SKIP_SPECIAL : 0);
}

static PyObject *tk_counter(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"add_special_tokens", "special", "lossy", NULL};
    PyObject *a[3];
    tok_encode_options o;
    if (parse_args("counter", args, nargs, kwnames, names, 1, 0, a) < 0 || !core_tok(c) ||
        parse_opts(c, a[0], a[1], a[2], &o) < 0)
        return NULL;
    return counter_new(c, &o);
}

/* encode_batch and count_batch: one tok_encode_batch over the texts (bytes or str each). */
static PyObject *batch(core *c, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                       bool counts)
{
    static const char *const names[] = {"texts", "add_special_tokens", "special", "lossy",
                                        "num_threads", "offsets", NULL};
    PyObject *a[6];
    tok_encode_options o;
    if (parse_args(counts ? "count_batch" : "encode_batch", args, nargs, kwnames, names, 2, 1,
                   a) < 0 ||
        !core_tok(c) || (!counts && need_exact(c) < 0) || parse_opts(c, a[1], a[2], a[3], &o) < 0)
        return NULL;
    long threads = opt_threads(a[4], 0);
    int spans = counts ? 0 : opt_bool(a[5], 1);
    if (threads < 0 || spans < 0)
        return NULL;
    if (counts && a[5])
        return PyErr_Format(PyExc_TypeError, "count_batch() got an unexpected keyword argument "
                                             "'offsets'");
    batch_texts b;
    if (batch_texts_get(a[0], &b, -1) < 0) {
        batch_texts_free(&b);
        return NULL;
    }
    size_t n = (size_t)b.n;
    tok_text *texts = PyMem_Malloc((n ? n : 1) * sizeof *texts);
    tok_batch_item *res = PyMem_Calloc(n ? n : 1, sizeof *res);
    PyObject *out = NULL;
    if (!texts || !res) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        texts[i] = (tok_text){b.v[i].p, b.v[i].n};
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    unsigned nt = batch_threads(&b, threads);
    Py_BEGIN_ALLOW_THREADS
    st = tok_encode_batch(c->tok, texts, n, &o, spans, nt, res, &err);
    Py_END_ALLOW_THREADS
    if (st != TOK_OK) {
        raise_tok(st, &err);
        goto done;
    }
    if (!(out = PyList_New((Py_ssize_t)n)))
        goto done;
    PyObject **items = PySequence_Fast_ITEMS(b.seq);
    for (size_t i = 0; i < n; i++) {
        PyObject *one;
        if (counts) {
            one = PyLong_FromUnsignedLongLong(scaled(c, res[i].n));
        } else {
            one = encoded_new(c, items[i], b.v[i].is_str, res[i].ids, res[i].spans, res[i].n);
            res[i].ids = NULL; /* owned by the Encoded now (or freed by encoded_new) */
            res[i].spans = NULL;
        }
        if (!one) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, one);
    }
done:
    if (res)
        tok_batch_free(res, n);
    PyMem_Free(res);
    PyMem_Free(texts);
    batch_texts_free(&b);
    return out;
}

static PyObject *tk_encode_batch(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    return batch((core *)self, args, nargs, kwnames, false);
}

static PyObject *tk_count_batch(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    return batch((core *)self, args, nargs, kwnames, true);
}

static PyObject *tk_decode_impl(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames, bool as_bytes)
{
    core *c = (core *)self;
    static const char *const names[] = {"ids", "skip_special_tokens", "errors", NULL};
    PyObject *a[3];
    if (parse_args(as_bytes ? "decode_bytes" : "decode", args, nargs, kwnames, names,
                   as_bytes ? 2 : 3, 1, a) < 0 ||
        !core_tok(c))
        return NULL;
    if (as_bytes && a[2])
        return PyErr_Format(PyExc_TypeError, "decode_bytes() got an unexpected keyword argument "
                                             "'errors'");
    int skip = opt_bool(a[1], 1);
    if (skip < 0)
        return NULL;
    const char *errors = "replace";
    if (a[2] && !(errors = PyUnicode_Check(a[2]) ? PyUnicode_AsUTF8(a[2]) : NULL))
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_TypeError, "errors must be str");
    id_view v;
    if (ids_from_object(a[0], &v) < 0)
        return NULL;
    PyObject *b = core_decode_bytes(c, v.ids, v.n, skip ? TOK_DECODE_SKIP_SPECIAL : 0, false);
    ids_release(&v);
    if (!b || as_bytes)
        return b;
    PyObject *s = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b), errors);
    Py_DECREF(b);
    return s;
}

static PyObject *tk_decode(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames)
{
    return tk_decode_impl(self, args, nargs, kwnames, false);
}

static PyObject *tk_decode_bytes(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    return tk_decode_impl(self, args, nargs, kwnames, true);
}

static PyObject *tk_token_id(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    text_view v;
    if (!core_tok(c) || text_from_any(arg, &v, "token") < 0)
        return NULL;
    uint32_t id;
    tok_status st = tok_token_id(c->tok, v.p, v.n, &id);
    text_release(&v);
    if (st == TOK_OK)
        return core_id_int(c, id);
    Py_RETURN_NONE;
}

static PyObject *tk_token_bytes(PyObject *self, PyObject *arg)
{
    core *c = (core *)self;
    if (!core_tok(c))
        return NULL;
    id_view v;
    PyObject *t = PyTuple_Pack(1, arg);
    int rc = t ? ids_from_object(t, &v) : -1;
    Py_XDECREF(t);
    if (rc < 0)
        return NULL;
    uint32_t id = v.ids[0];
    ids_release(&v);
    const char *p;
    size_t len;
    if (tok_token_bytes(c->tok, id, &p, &len) == TOK_OK)
        return PyBytes_FromStringAndSize(p, (Py_ssize_t)len);
    tok_error err;
    TOK_ERR_INIT(err);
    err.status = TOK_EID;
    PyObject *msg = PyUnicode_FromFormat("%U: token id %u is not in the vocabulary", c->name,
                                         (unsigned)id);
    if (msg) {
        raise_tok_as(TokscopeKeyError, &err, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

/* The request JSON as text: str or bytes as given, Python lists/dicts through json.dumps (raw
 * UTF-8, not \\u escapes: the text reaches the library as the user wrote it). */
static PyObject *request_text(PyObject *req)
{
    if (PyUnicode_Check(req) || PyObject_CheckBuffer(req))
        return Py_NewRef(req);
    PyObject *json = PyImport_ImportModule("json");
    PyObject *dumps = json ? PyObject_GetAttrString(json, "dumps") : NULL;
    PyObject *kw = dumps ? Py_BuildValue("{s:O}", "ensure_ascii", Py_False) : NULL;
    PyObject *args1 = kw ? PyTuple_Pack(1, req) : NULL;
    PyObject *text = args1 ? PyObject_Call(dumps, args1, kw) : NULL;
    Py_XDECREF(args1);
    Py_XDECREF(kw);
    Py_XDECREF(dumps);
    Py_XDECREF(json);
    return text;
}

static PyObject *request_dict(const tok_request_count *rc)
{
    PyObject *msgs = PyList_New((Py_ssize_t)rc->n_messages), *parts = PyDict_New(), *res = NULL;
    for (size_t i = 0; msgs && i < rc->n_messages; i++) {
        const tok_request_message *m = &rc->messages[i];
        PyObject *d = Py_BuildValue("{s:s,s:s,s:K,s:K,s:K,s:O}", "role", m->role, "path",
                                    m->path, "content", (unsigned long long)m->content,
                                    "overhead", (unsigned long long)m->overhead, "total",
                                    (unsigned long long)m->total, "exact",
                                    m->exact ? Py_True : Py_False);
        if (!d)
            Py_CLEAR(msgs);
        else
            PyList_SET_ITEM(msgs, (Py_ssize_t)i, d);
    }
    for (int k = 0; parts && k < TOK_PART_COUNT_; k++) {
        const tok_request_part *p = &rc->parts[k];
        if (!p->n_items)
            continue;
        PyObject *d = Py_BuildValue("{s:K,s:O,s:n,s:n,s:z}", "tokens",
                                    (unsigned long long)p->tokens, "exact",
                                    p->exact ? Py_True : Py_False, "items", (Py_ssize_t)p->n_items,
                                    "unknown", (Py_ssize_t)p->n_unknown, "source", p->source);
        if (!d || PyDict_SetItemString(parts, tok_request_part_name((tok_request_part_kind)k), d) < 0)
            Py_CLEAR(parts);
        Py_XDECREF(d);
    }
    if (msgs && parts)
        res = Py_BuildValue(
            "{s:K,s:K,s:K,s:O,s:O,s:s,s:s,s:s,s:N,s:N,s:K,s:K,s:i,s:i,s:z}", "total",
            (unsigned long long)rc->total, "total_low", (unsigned long long)rc->total_low,
            "total_high", (unsigned long long)rc->total_high, "exact",
            rc->exact ? Py_True : Py_False, "complete", rc->complete ? Py_True : Py_False, "api",
            tok_request_api_name(rc->api), "convention", rc->convention, "model", rc->model,
            "messages", msgs, "parts", parts, "prefix", (unsigned long long)rc->prefix, "reply",
            (unsigned long long)rc->parts[TOK_PART_REPLY].tokens, "tokens_per_message",
            rc->tokens_per_message, "tokens_per_name", rc->tokens_per_name, "note", rc->note);
    else {
        Py_XDECREF(msgs);
        Py_XDECREF(parts);
    }
    return res;
}

/* count_chat(request, *, model=None, convention=None, api=None, add_generation_prompt=True,
 * template_vars=None) -> dict, from tok_request_count_json: the whole request as the API bills
 * it (OpenAI Chat Completions and Responses, Anthropic Messages, Gemini generateContent), an
 * open model's conversation rendered with the chat template its shipped vocabulary carries (as
 * `tokscope chat -m` does), an estimated model's text scaled and marked. */
static PyObject *tk_count_chat(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames)
{
    core *c = (core *)self;
    static const char *const names[] = {"request", "model", "convention", "api",
                                        "add_generation_prompt", "template_vars", NULL};
    PyObject *a[6];
    if (parse_args("count_chat", args, nargs, kwnames, names, 1, 1, a) < 0 || !core_tok(c))
        return NULL;
    int gen = opt_bool(a[4], 1);
    if (gen < 0)
        return NULL;
    PyObject *json_text = request_text(a[0]), *vars = NULL;
    if (!json_text)
        return NULL;
    tok_request_options ro = {0};
    tok_chat_template_options topt = {0};
    topt.no_generation_prompt = !gen;
    PyObject *model = a[1] && a[1] != Py_None ? a[1] : c->asked;
    ro.registry_model = c->m;
    ro.estimate = c->m && !c->exact;
    ro.own_template = true;
    ro.chat_template_options = &topt;
    const char *api = NULL;
    if ((model && !(ro.model = c_string(model, "model"))) ||
        (a[2] && a[2] != Py_None && !(ro.convention = c_string(a[2], "convention"))) ||
        (a[3] && a[3] != Py_None && !(api = c_string(a[3], "api"))))
        goto fail;
    if (api && tok_request_api_parse(api, &ro.api) != TOK_OK) {
        PyErr_Format(PyExc_ValueError,
                     "api must be 'openai', 'responses', 'anthropic' or 'gemini', not %R", a[3]);
        goto fail;
    }
    if (a[5] && a[5] != Py_None) {
        if (!PyDict_Check(a[5])) {
            PyErr_SetString(PyExc_TypeError, "template_vars must be a dict");
            goto fail;
        }
        Py_ssize_t vl;
        if (!(vars = request_text(a[5])) || !(topt.vars = PyUnicode_AsUTF8AndSize(vars, &vl)))
            goto fail;
        topt.vars_len = (size_t)vl;
    }
    text_view v;
    if (text_from_any(json_text, &v, "request") < 0)
        goto fail;
    tok_request_count rc;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_request_count_json(c->tok, &ro, v.p, v.n, &rc, &err);
    Py_END_ALLOW_THREADS
    text_release(&v);
    Py_DECREF(json_text);
    Py_XDECREF(vars);
    if (st != TOK_OK)
        return raise_tok(st, &err);
    PyObject *res = request_dict(&rc);
    tok_request_count_free(&rc);
    return res;
fail:
    Py_DECREF(json_text);
    Py_XDECREF(vars);
    return NULL;
}

static PyObject *get_format(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyUnicode_FromString(tok_format(c->tok)) : NULL;
}

static PyObject *get_vocab_size(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyLong_FromUnsignedLong(c->n_vocab) : NULL;
}

static PyObject *get_special_tokens(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? core_special_dict(c) : NULL;
}

static PyObject *get_exact(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyBool_FromLong(c->exact) : NULL;
}

static PyObject *get_model(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return Py_NewRef(c->model ? c->model : Py_None);
}

static PyObject *get_asked(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return Py_NewRef(c->asked ? c->asked : Py_None);
}

static PyObject *get_pattern(PyObject *self, void *unused)
{
    core *c = (core *)self;
    return core_tok(c) ? PyUnicode_FromString(tok_pattern(c->tok)) : NULL;
}

static PyObject *tk_repr(PyObject *self)
{
    core *c = (core *)self;
    if (!c->tok)
        return PyUnicode_FromFormat("<%s (not open)>", Py_TYPE(self)->tp_name);
    if (c->model)
        return PyUnicode_FromFormat("<Tokenizer %R for model %R, %s%s>", c->name, c->model,
                                    tok_format(c->tok), c->exact ? "" : ", estimates only");
    return PyUnicode_FromFormat("<Tokenizer %R, %s>", c->name, tok_format(c->tok));
}

#define FAST (METH_FASTCALL | METH_KEYWORDS)
static PyMethodDef tk_methods[] = {
    {"encode", (PyCFunction)(void (*)(void))tk_encode, FAST,
     "encode(text, add_special_tokens=False, *, special=None, lossy=False, offsets=True) -> "
     "Encoded\n\nIds and offsets of a str or bytes. special: 'allow', 'ordinary', 'reject' or "
     "None (the\nformat's reference behaviour); lossy: invalid UTF-8 becomes U+FFFD instead of "
     "raising;\noffsets=False skips the offsets (less memory when only ids are wanted)."},
    {"encode_batch", (PyCFunction)(void (*)(void))tk_encode_batch, FAST,
     "encode_batch(texts, add_special_tokens=False, *, special=None, lossy=False, "
     "num_threads=0, offsets=True) -> list[Encoded]\n\nOn the library's threads, without the GIL "
     "(num_threads=0: one per CPU)."},
    {"count", (PyCFunction)(void (*)(void))tk_count, FAST,
     "count(text, add_special_tokens=False, *, special=None, lossy=False, limit=None) -> int\n\n"
     "The number of tokens, without building ids (an estimate when exact is False).\nWith "
     "limit=N: limit + 1 as soon as the count passes N, reading the text only as far\nas that "
     "(a large text with a small limit costs about the limit)."},
    {"truncate", (PyCFunction)(void (*)(void))tk_truncate, FAST,
     "truncate(text, max_tokens, add_special_tokens=False, *, special=None, lossy=False, "
     "from_end=False)\n-> str | bytes\n\nThe longest prefix (from_end: suffix) of text that "
     "encodes to at most max_tokens\ntokens on its own, cut at a character boundary; of "
     "text's type."},
    {"decode_stream", (PyCFunction)(void (*)(void))tk_decode_stream, FAST,
     "decode_stream(skip_special_tokens=True) -> DecodeStream\n\nDecode ids as they arrive: "
     "step(ids) returns the text they complete, flush() the rest."},
    {"counter", (PyCFunction)(void (*)(void))tk_counter, FAST,
     "counter(add_special_tokens=False, *, special=None, lossy=False) -> TokenCounter\n\nThe "
     "count of a text that grows: append(text) returns the new total."},
    {"count_batch", (PyCFunction)(void (*)(void))tk_count_batch, FAST,
     "count_batch(texts, add_special_tokens=False, *, special=None, lossy=False, num_threads=0) "
     "-> list[int]"},
    {"decode", (PyCFunction)(void (*)(void))tk_decode, FAST,
     "decode(ids, skip_special_tokens=True, errors='replace') -> str"},
    {"decode_bytes", (PyCFunction)(void (*)(void))tk_decode_bytes, FAST,
     "decode_bytes(ids, skip_special_tokens=True) -> bytes"},
    {"token_id", tk_token_id, METH_O,
     "token_id(token) -> int | None\n\nThe id whose bytes are exactly token (str or bytes)."},
    {"token_bytes", tk_token_bytes, METH_O,
     "token_bytes(id) -> bytes\n\nThe bytes of one token (TokscopeKeyError if unused)."},
    {"count_chat", (PyCFunction)(void (*)(void))tk_count_chat, FAST,
     "count_chat(request, *, model=None, convention=None, api=None, add_generation_prompt=True,\n"
     "template_vars=None) -> dict\n\nTokens of a whole API request as the model sees it and the\n"
     "API bills it (tok_request_count_json): request is a request body -- OpenAI Chat\n"
     "Completions or Responses, Anthropic Messages, Gemini generateContent (detected, or named\n"
     "by api) -- or a messages list, as JSON text or Python objects. An open model's\n"
     "conversation is rendered with the chat template its shipped vocabulary carries (as\n"
     "`tokscope chat -m` does; template_vars are apply_chat_template's extra arguments).\n"
     "The result has total, total_low and total_high (an estimate's range), exact, complete\n"
     "(False: some part cannot be counted offline), api, convention, model, messages (role,\n"
     "path, content, overhead, total, exact), parts (per part: tokens, exact, items, unknown,\n"
     "source), prefix, reply, tokens_per_message, tokens_per_name and note."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef tk_getset[] = {
    {"name", core_get_name, NULL, "The name or path it was opened as.", NULL},
    {"format", get_format, NULL, "'tiktoken', 'huggingface' or 'sentencepiece'.", NULL},
    {"vocab_size", get_vocab_size, NULL, "One more than the highest token id.", NULL},
    {"special_tokens", get_special_tokens, NULL, "{text: id} of the special tokens.", NULL},
    {"exact", get_exact, NULL,
     "False when counts are estimates (a registry model without a public tokenizer).", NULL},
    {"model", get_model, NULL, "The registry model it was opened for, or None.", NULL},
    {"model_name", get_asked, NULL,
     "The model name it was opened for (from_model), or None; count_chat's default model.",
     NULL},
    {"pattern", get_pattern, NULL, "The split pattern ('' if none).", NULL},
    {"_source", core_get_source, core_set_source, "How to open it again (pickling).", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject TokenizerBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tokscope._tokscope.TokenizerBase",
    .tp_basicsize = sizeof(core),
    .tp_dealloc = core_dealloc,
    .tp_repr = tk_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The C half of tokscope.Tokenizer.",
    .tp_weaklistoffset = offsetof(core, weakrefs),
    .tp_methods = tk_methods,
    .tp_getset = tk_getset,
    .tp_new = core_new,
};

int tokenizer_init(PyObject *module)
{
    if (PyType_Ready(&TokenizerBase_Type) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "TokenizerBase", (PyObject *)&TokenizerBase_Type);
}
