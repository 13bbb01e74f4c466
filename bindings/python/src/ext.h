/* ext.h -- what the files of the tokscope._tokscope extension share.
 *
 * The extension is a thin layer over the public API (lib/tokscope.h) and nothing else: it turns
 * Python objects into byte spans and id arrays, releases the GIL around every library call that
 * reads text, and turns results and tok_error details back into Python objects. The one piece of
 * tokenizer logic it owns is tiktoken's allowed_special / disallowed_special subsets, which the C
 * API (all-or-nothing policies) does not have (special.c). */
#ifndef TOKSCOPE_PY_EXT_H
#define TOKSCOPE_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "tokscope.h"

#if PY_VERSION_HEX < 0x030A0000 /* 3.9 */
static inline PyObject *Py_NewRef(PyObject *o)
{
    Py_INCREF(o);
    return o;
}
static inline int PyModule_AddObjectRef(PyObject *m, const char *name, PyObject *v)
{
    Py_INCREF(v);
    if (PyModule_AddObject(m, name, v) < 0) {
        Py_DECREF(v);
        return -1;
    }
    return 0;
}
#endif

/* ---- errors (errors.c) -------------------------------------------------------------------- */

extern PyObject *TokscopeError;     /* ValueError: everything the library reports */
extern PyObject *TokscopeFileError; /* TokscopeError and OSError: a file could not be read */
extern PyObject *TokscopeKeyError;  /* TokscopeError and KeyError: unknown id, token or model */

int errors_init(PyObject *module);
/* Before a call whose failure may not fill every field (a few report only a status). */
#define TOK_ERR_INIT(e)                                                                        \
    do {                                                                                       \
        (e).status = TOK_OK;                                                                   \
        (e).offset = TOK_NO_OFFSET;                                                            \
        (e).line = (e).index = 0;                                                              \
        (e).source[0] = (e).where[0] = (e).message[0] = 0;                                     \
    } while (0)
/* Raise the exception class that fits err->status, carrying err's message and details.
 * Returns NULL so callers can `return raise_tok(&err);`. */
PyObject *raise_tok(tok_status st, tok_error *err);
/* The same with an explicit class and message (the details of err, when not NULL). */
PyObject *raise_tok_as(PyObject *cls, const tok_error *err, PyObject *message);

/* ---- text in (text.c) --------------------------------------------------------------------- */

typedef struct text_view {
    const char *p;
    size_t n;
    bool is_str;      /* the input was a str (offsets count code points), not bytes */
    PyObject *keep;   /* owned: a temporary that p points into, or NULL */
    Py_buffer buf;    /* held when the input was a bytes-like object */
    bool has_buf;
} text_view;

/* A str as UTF-8. surrogates: 1 = tiktoken's fix (the text goes through UTF-16 with
 * surrogatepass and back with errors="replace"), 0 = raise UnicodeEncodeError like any codec. */
int text_from_str(PyObject *o, int surrogates, text_view *v, const char *what);
/* A str (as text_from_str with surrogates=0) or a bytes-like object (its bytes as they are). */
int text_from_any(PyObject *o, text_view *v, const char *what);
void text_release(text_view *v);

/* ---- ids in and out (ids.c) ---------------------------------------------------------------- */

/* A sequence of ints (list, tuple, any iterable, or a buffer of integers such as array('I') or
 * a numpy array) as uint32. *ids is stack when it fits, else malloc'd (ids_release frees it).
 * Non-ints raise TypeError, values outside [0, 2^32) OverflowError. */
typedef struct id_view {
    uint32_t *ids;
    size_t n;
    uint32_t stack[256];
} id_view;
int ids_from_object(PyObject *o, id_view *v);
void ids_release(id_view *v);
/* array('I') holding ids[0..n) */
PyObject *ids_to_array(const uint32_t *ids, size_t n);

/* ---- the tokenizer object shared by Encoding and Tokenizer (core.c) ------------------------ */

typedef struct special_trie special_trie;

typedef struct core {
    PyObject_HEAD
    tok_tokenizer *tok;
    uint32_t n_vocab;
    bool tiktoken;         /* tok_format is "tiktoken": every token covers >= 1 input byte */
    PyObject **ints;       /* lazily built: a shared int object per id (list building) */
    /* special tokens, in the library's order: texts, ids, {text: index} */
    size_t n_special;
    PyObject *special_texts; /* tuple of str */
    uint32_t *special_ids;
    PyObject *special_index; /* dict str -> int */
    special_trie *trie;      /* lazily: all special texts, for finding them in text */
    PyObject *name;          /* the name it answers to (tiktoken's Encoding(name=...)) */
    /* registry model (Tokenizer.from_model), or NULL */
    const tok_model *m;      /* in the process-wide registry, which is never closed */
    PyObject *model;         /* str: the registry id */
    PyObject *asked;         /* str: the model name it was opened for (chat counts), or NULL */
    bool exact;              /* false: counts are scaled from another encoding (estimates) */
    uint32_t approx_factor;  /* millionths, when !exact */
    PyObject *source;        /* how to open it again (pickling; see tokscope/__init__.py) */
    PyObject *weakrefs;
} core;

extern PyTypeObject EncodingBase_Type; /* tiktoken's API (encoding.c) */
extern PyTypeObject TokenizerBase_Type;/* the HF-style API (tokenizer.c) */
extern PyTypeObject Encoded_Type;      /* Tokenizer.encode's result (encoded.c) */
extern PyTypeObject DecodeStream_Type; /* Tokenizer.decode_stream() (stream.c) */
extern PyTypeObject TokenCounter_Type; /* Tokenizer.counter() (stream.c) */

/* Take ownership of tok and fill a freshly allocated core. */
int core_attach(core *c, tok_tokenizer *tok, PyObject *source);
/* The tokenizer, or NULL with RuntimeError when the object was never opened. */
static inline const tok_tokenizer *core_tok(core *c)
{
    if (!c->tok) {
        PyErr_SetString(PyExc_RuntimeError, "this tokenizer object was not opened (use "
                                            "get_encoding, Encoding(...) or Tokenizer.from_*)");
        return NULL;
    }
    return c->tok;
}
/* A list of ints for ids[0..n) (the int objects are cached per id). */
PyObject *core_id_list(core *c, const uint32_t *ids, size_t n);
/* core_id_list, or array('I') when as_array */
PyObject *core_ids(core *c, const uint32_t *ids, size_t n, int as_array);
PyObject *core_id_int(core *c, uint32_t id);
void core_clear(core *c);
extern PyGetSetDef core_getset[];
extern PyMethodDef core_methods[];
PyObject *core_new(PyTypeObject *type, PyObject *args, PyObject *kw);
void core_dealloc(PyObject *self);

/* Encode [p, p+n) with the GIL released. ids: stack buffer of cap, replaced by a malloc'd
 * array when the text needs more (*heap set). spans may be NULL. */
typedef struct enc_out {
    uint32_t *ids;
    tok_span *spans;
    size_t n;
    bool heap;
} enc_out;
tok_status core_encode(core *c, const char *p, size_t n, const tok_encode_options *o,
                       uint32_t *stack, size_t cap, bool want_spans, enc_out *out, tok_error *err);
void enc_out_free(enc_out *o);

/* decode ids into a new bytes object. An unknown id raises TokscopeKeyError: with tiktoken's
 * message ("Invalid token for decoding: N") when tiktoken_msg, else the library's. */
PyObject *core_decode_bytes(core *c, const uint32_t *ids, size_t n, unsigned flags,
                            bool tiktoken_msg);

/* ---- tiktoken special-token subsets (special.c) --------------------------------------------- */

/* What encode(allowed_special=..., disallowed_special=...) asks for, as tiktoken reads it:
 * allowed = the given set, or every special token for "all"; disallowed = every special token
 * not allowed for "all", else the given strings (any strings, special tokens or not). */
typedef struct special_req {
    tok_special_policy policy; /* the library policy that encodes the text (after the check) */
    bool check;                /* run tiktoken's disallowed-text check here first */
    bool split;                /* allowed is a proper subset: split at allowed specials here */
    uint8_t *allowed;          /* per special index, when split */
    uint8_t *disallowed;       /* per special index, when check */
    special_trie *extra;       /* disallowed strings that are not special tokens, or NULL */
    PyObject *extra_texts;     /* their texts (list of str), owned */
} special_req;

int special_req_parse(core *c, PyObject *allowed, PyObject *disallowed, special_req *r);
void special_req_free(special_req *r);
/* tiktoken's check: raise ValueError (its exact message) naming the leftmost disallowed special
 * text; 0 when there is none. */
int special_check_disallowed(core *c, const special_req *r, const char *p, size_t n);
/* Raise tiktoken's ValueError for the special token found at byte `at` of p. */
PyObject *special_raise_at(core *c, const char *p, size_t n, size_t at);
/* Encode with tiktoken's semantics for a subset of allowed specials: the text between the
 * allowed special tokens (found leftmost first) is encoded as ordinary text. Result as
 * core_encode (heap). */
tok_status special_encode(core *c, const special_req *r, const char *p, size_t n, enc_out *out,
                          tok_error *err);
/* Cut p into ordinary segments and allowed special ids (for batches). seg[i] is followed by
 * special id after[i] when after[i] != UINT32_MAX. Arrays malloc'd; returns the count or -1. */
Py_ssize_t special_split(core *c, const special_req *r, const char *p, size_t n, tok_text **seg,
                         uint32_t **after);
void special_trie_free(special_trie *t);

/* ---- batches of texts (batch.c) ------------------------------------------------------------ */

typedef struct batch_texts {
    Py_ssize_t n;
    text_view *v;
    PyObject *seq;
} batch_texts;
/* The texts of a list: surrogates as text_from_str, or -1 for str or bytes (text_from_any). */
int batch_texts_get(PyObject *o, batch_texts *b, int surrogates);
void batch_texts_free(batch_texts *b);
/* Threads worth starting for a batch: about one per 16 KB of text, at most want (0: one per
 * CPU). Starting threads costs more than encoding a few small texts. */
unsigned batch_threads(const batch_texts *b, long want);
/* tiktoken's batches: one library policy for all, or allowed_special subsets (r->split) */
PyObject *batch_encode_plain(core *c, const batch_texts *b, tok_special_policy policy,
                             unsigned threads, int as_array);
PyObject *batch_encode_split(core *c, const special_req *r, const batch_texts *b,
                             unsigned threads, int as_array);

/* ---- encoding.c, tokenizer.c, registry.c ---------------------------------------------------- */

int encoding_init(PyObject *module);
int tokenizer_init(PyObject *module);
int encoded_init(PyObject *module);
int stream_init(PyObject *module);
/* A DecodeStream / TokenCounter over owner's tokenizer (stream.c). */
PyObject *stream_new(core *owner, unsigned flags);
PyObject *counter_new(core *owner, const tok_encode_options *o);
int registry_init(PyObject *module);
extern PyMethodDef registry_functions[];
extern PyMethodDef open_functions[];
/* The process-wide built-in registry (opened on first use; read-only after). */
const tok_registry *registry_get(void);
/* An Encoded taking ownership of the library arrays ids and spans (freed with tok_free). */
PyObject *encoded_new(core *owner, PyObject *text, bool is_str, uint32_t *ids, tok_span *spans,
                      size_t n);
/* Accessors for the Python getters defined in encoding.c and shared with tokenizer.c. */
PyObject *core_get_name(PyObject *self, void *unused);
PyObject *core_get_source(PyObject *self, void *unused);
int core_set_source(PyObject *self, PyObject *value, void *unused);
PyObject *core_special_dict(core *c);

/* ---- small helpers (module.c) ---------------------------------------------------------------- */

/* Keyword parsing for METH_FASTCALL | METH_KEYWORDS: names[] ends with NULL; positional
 * arguments fill the first slots, up to max_pos. Missing ones stay NULL. */
int parse_args(const char *fn, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
               const char *const *names, Py_ssize_t max_pos, Py_ssize_t min_pos, PyObject **out);
/* A str as a NUL-terminated C string for the library: NULL with TypeError (not a str) or
 * ValueError (an embedded NUL would silently cut the name short). */
const char *c_string(PyObject *o, const char *what);
/* A truthy option (NULL: dflt). -1 on error. */
int opt_bool(PyObject *o, int dflt);
/* num_threads as the library wants it (0 = one per CPU); -1 on error. */
long opt_threads(PyObject *o, long dflt);

#endif
