/* registry: the library's model registry and price maths for Python -- list_models,
 * model_info and cost. Amounts are exact: the library computes in integer picodollars
 * (tok_cost_compute) and prints decimals (tok_decimal_format); they become decimal.Decimal
 * here, never floats. An unknown price or cost is None, never 0.
 *
 * The built-in registry is opened once per process and only read afterwards (it is
 * thread-safe then). With price files (prices=[...]) a private registry is opened and loaded
 * for the call, so the shared one never changes. */
#include "ext.h"

static tok_registry *builtin;

const tok_registry *registry_get(void)
{
    if (builtin)
        return builtin;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_registry_open(&builtin, &err);
    if (st != TOK_OK) {
        builtin = NULL;
        raise_tok(st, &err);
    }
    return builtin;
}

/* A registry with price files laid over it (caller closes), or the shared one (*own NULL). */
static const tok_registry *registry_with(PyObject *prices, tok_registry **own)
{
    *own = NULL;
    if (!prices || prices == Py_None)
        return registry_get();
    if (PyUnicode_Check(prices) || PyBytes_Check(prices)) {
        PyErr_SetString(PyExc_TypeError, "prices must be a list of file paths");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(prices, "prices must be a list of file paths");
    if (!seq)
        return NULL;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_registry_open(own, &err);
    for (Py_ssize_t i = 0; st == TOK_OK && i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *path = PyOS_FSPath(PySequence_Fast_GET_ITEM(seq, i)), *enc = NULL;
        if (!path || !PyUnicode_FSConverter(path, &enc)) {
            Py_XDECREF(path);
            Py_DECREF(seq);
            tok_registry_close(*own);
            *own = NULL;
            return NULL;
        }
        Py_DECREF(path);
        TOK_ERR_INIT(err);
        Py_BEGIN_ALLOW_THREADS
        st = tok_registry_load(*own, PyBytes_AS_STRING(enc), &err);
        Py_END_ALLOW_THREADS
        Py_DECREF(enc);
    }
    Py_DECREF(seq);
    if (st != TOK_OK) {
        tok_registry_close(*own);
        *own = NULL;
        if (st == TOK_ENOENT || st == TOK_EIO) { /* the file itself: an OSError too */
            PyObject *msg = PyUnicode_FromString(err.message);
            if (msg) {
                raise_tok_as(TokscopeFileError, &err, msg);
                Py_DECREF(msg);
            }
        } else {
            raise_tok(st, &err);
        }
        return NULL;
    }
    return *own;
}

static PyObject *decimal_type(void)
{
    static PyObject *dec;
    if (!dec) {
        PyObject *mod = PyImport_ImportModule("decimal");
        if (!mod)
            return NULL;
        dec = PyObject_GetAttrString(mod, "Decimal");
        Py_DECREF(mod);
    }
    return dec;
}

/* value / 10^scale as a Decimal; None for `unknown`. */
static PyObject *dec(uint64_t value, unsigned scale, uint64_t unknown)
{
    if (value == unknown)
        Py_RETURN_NONE;
    char buf[48];
    tok_decimal_format(value, scale, buf, sizeof buf);
    PyObject *d = decimal_type();
    return d ? PyObject_CallFunction(d, "s", buf) : NULL;
}

static PyObject *count_or_none(uint64_t v)
{
    if (v == 0)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(v);
}

/* prices per token in picodollars -> USD per million tokens */
static PyObject *prices_dict(const tok_prices *p)
{
    return Py_BuildValue("{s:N,s:N,s:N,s:N}", "input", dec(p->input, 6, TOK_PRICE_UNKNOWN),
                         "output", dec(p->output, 6, TOK_PRICE_UNKNOWN), "cached_input",
                         dec(p->cached_input, 6, TOK_PRICE_UNKNOWN), "cache_write",
                         dec(p->cache_write, 6, TOK_PRICE_UNKNOWN));
}

static const tok_model *find(const tok_registry *reg, PyObject *name)
{
    const char *s = c_string(name, "model");
    if (!s)
        return NULL;
    const tok_model *m;
    tok_error err;
    TOK_ERR_INIT(err);
    tok_status st = tok_model_find(reg, s, &m, &err);
    if (st == TOK_OK)
        return m;
    PyObject *msg = PyUnicode_FromString(err.message);
    if (msg) {
        raise_tok_as(st == TOK_ENOENT ? TokscopeKeyError : TokscopeError, &err, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

static PyObject *model_dict(const tok_model *m)
{
    PyObject *aliases = PyList_New((Py_ssize_t)m->n_aliases);
    for (size_t i = 0; aliases && i < m->n_aliases; i++) {
        PyObject *s = PyUnicode_FromString(m->aliases[i]);
        if (!s)
            Py_CLEAR(aliases);
        else
            PyList_SET_ITEM(aliases, (Py_ssize_t)i, s);
    }
    PyObject *tiers = aliases ? PyList_New((Py_ssize_t)m->n_tiers) : NULL;
    for (size_t i = 0; tiers && i < m->n_tiers; i++) {
        PyObject *t = Py_BuildValue("{s:K,s:N}", "above", (unsigned long long)m->tiers[i].above,
                                    "prices_per_million", prices_dict(&m->tiers[i].prices));
        if (!t)
            Py_CLEAR(tiers);
        else
            PyList_SET_ITEM(tiers, (Py_ssize_t)i, t);
    }
    if (!tiers) {
        Py_XDECREF(aliases);
        return NULL;
    }
    return Py_BuildValue(
        "{s:s,s:z,s:N,s:z,s:O,s:z,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:s,s:z,s:z}", "id", m->id,
        "provider", *m->provider ? m->provider : NULL, "aliases", aliases, "tokenizer",
        *m->tokenizer ? m->tokenizer : NULL, "tokenizer_builtin",
        m->tokenizer_builtin ? Py_True : Py_False, "approx_encoding",
        *m->approx_encoding ? m->approx_encoding : NULL, "approx_factor",
        m->approx_factor ? dec(m->approx_factor, 6, UINT64_MAX) : Py_NewRef(Py_None), "max_input",
        count_or_none(m->max_input), "context", count_or_none(m->context), "max_output",
        count_or_none(m->max_output), "prices_per_million", prices_dict(&m->prices),
        "batch_prices_per_million",
        Py_BuildValue("{s:N,s:N}", "input", dec(m->batch_input, 6, TOK_PRICE_UNKNOWN), "output",
                      dec(m->batch_output, 6, TOK_PRICE_UNKNOWN)),
        "tiers", tiers, "source", m->source, "date", *m->date ? m->date : NULL, "notes",
        *m->notes ? m->notes : NULL);
}

static PyObject *list_models(PyObject *mod, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    static const char *const names[] = {"prices", NULL};
    PyObject *a[1];
    if (parse_args("list_models", args, nargs, kwnames, names, 0, 0, a) < 0)
        return NULL;
    tok_registry *own;
    const tok_registry *reg = registry_with(a[0], &own);
    if (!reg)
        return NULL;
    size_t n = tok_registry_count(reg);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *s = PyUnicode_FromString(tok_registry_model(reg, i)->id);
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    tok_registry_close(own);
    return list;
}

static PyObject *model_info(PyObject *mod, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    static const char *const names[] = {"model", "prices", NULL};
    PyObject *a[2];
    if (parse_args("model_info", args, nargs, kwnames, names, 1, 1, a) < 0)
        return NULL;
    tok_registry *own;
    const tok_registry *reg = registry_with(a[1], &own);
    if (!reg)
        return NULL;
    const tok_model *m = find(reg, a[0]);
    PyObject *d = m ? model_dict(m) : NULL;
    tok_registry_close(own);
    return d;
}

static int u64_arg(PyObject *o, const char *name, uint64_t *out)
{
    if (!o || o == Py_None)
        return 0;
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", name, Py_TYPE(o)->tp_name);
        return -1;
    }
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Format(PyExc_ValueError, "%s must be a whole number >= 0", name);
        return -1;
    }
    *out = v;
    return 0;
}

static PyObject *cost(PyObject *mod, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"model", "input_tokens", "output_tokens",
                                        "cached_tokens", "cache_write_tokens", "calls", "batch",
                                        "prices", NULL};
    PyObject *a[8];
    if (parse_args("cost", args, nargs, kwnames, names, 3, 2, a) < 0)
        return NULL;
    tok_cost_request req = {0};
    req.calls = 1;
    int batch = opt_bool(a[6], 0);
    if (u64_arg(a[1], "input_tokens", &req.input_tokens) < 0 ||
        u64_arg(a[2], "output_tokens", &req.output_tokens) < 0 ||
        u64_arg(a[3], "cached_tokens", &req.cached_tokens) < 0 ||
        u64_arg(a[4], "cache_write_tokens", &req.cache_write_tokens) < 0 ||
        u64_arg(a[5], "calls", &req.calls) < 0 || batch < 0)
        return NULL;
    req.batch = batch;
    tok_registry *own;
    const tok_registry *reg = registry_with(a[7], &own);
    if (!reg)
        return NULL;
    const tok_model *m = find(reg, a[0]);
    PyObject *d = NULL;
    if (m) {
        tok_cost c;
        tok_error err;
        TOK_ERR_INIT(err);
        tok_status st = tok_cost_compute(m, &req, &c, &err);
        if (st != TOK_OK) {
            raise_tok(st, &err);
        } else {
            tok_fit f;
            tok_model_fit(m, req.input_tokens, req.output_tokens, &f);
            PyObject *fit = Py_BuildValue(
                "{s:O,s:z,s:N,s:N,s:N}", "fits", f.fits ? Py_True : Py_False, "why", f.why,
                "window", count_or_none(f.window), "used_percent",
                f.window ? dec(f.used_bp, 2, UINT64_MAX) : Py_NewRef(Py_None), "left_for_output",
                f.left_for_output == UINT64_MAX ? Py_NewRef(Py_None)
                                                : PyLong_FromUnsignedLongLong(f.left_for_output));
            if (fit)
                d = Py_BuildValue(
                    "{s:s,s:K,s:K,s:K,s:K,s:K,s:O,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N}", "model",
                    m->id, "input_tokens", (unsigned long long)req.input_tokens, "output_tokens",
                    (unsigned long long)req.output_tokens, "cached_tokens",
                    (unsigned long long)req.cached_tokens, "cache_write_tokens",
                    (unsigned long long)req.cache_write_tokens, "calls",
                    (unsigned long long)c.calls, "batch", req.batch ? Py_True : Py_False,
                    "tier_above",
                    c.tier ? PyLong_FromUnsignedLongLong(c.tier->above) : Py_NewRef(Py_None),
                    "prices_per_million", prices_dict(&c.prices), "input",
                    dec(c.input, 12, TOK_COST_UNKNOWN), "cached_input",
                    dec(c.cached_input, 12, TOK_COST_UNKNOWN), "cache_write",
                    dec(c.cache_write, 12, TOK_COST_UNKNOWN), "output",
                    dec(c.output, 12, TOK_COST_UNKNOWN), "total", dec(c.total, 12, TOK_COST_UNKNOWN),
                    "total_all_calls", dec(c.total_calls_nano, 9, TOK_COST_UNKNOWN), "fit", fit);
        }
    }
    tok_registry_close(own);
    return d;
}

#define FAST (METH_FASTCALL | METH_KEYWORDS)
PyMethodDef registry_functions[] = {
    {"list_models", (PyCFunction)(void (*)(void))list_models, FAST,
     "list_models(*, prices=None) -> list[str]\n\nThe ids of the registry's models (built-in "
     "data, with price files laid over it when given)."},
    {"model_info", (PyCFunction)(void (*)(void))model_info, FAST,
     "model_info(model, *, prices=None) -> dict\n\nWhat the registry knows of a model: "
     "tokenizer, limits, prices per million tokens (Decimal; None when not published), tiers, "
     "source and date. Names are matched as tok_model_find does (case, provider prefixes and "
     "dates ignored)."},
    {"cost", (PyCFunction)(void (*)(void))cost, FAST,
     "cost(model, input_tokens, output_tokens=0, *, cached_tokens=0, cache_write_tokens=0, "
     "calls=1, batch=False, prices=None) -> dict\n\nThe exact cost of a request in USD "
     "(Decimal; None when a needed price is unknown), per call and for all calls, with the "
     "prices and long-context tier used and whether it fits the model's window "
     "(tok_cost_compute, tok_model_fit)."},
    {NULL, NULL, 0, NULL}};

int registry_init(PyObject *module)
{
    if (PyModule_AddFunctions(module, registry_functions) < 0 ||
        PyModule_AddFunctions(module, open_functions) < 0)
        return -1;
    return 0;
}
