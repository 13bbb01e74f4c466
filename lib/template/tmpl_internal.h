/* tmpl_internal.h -- the pieces of the template interpreter: arena, values (Python's data model
 * as Jinja sees it), the syntax tree, and the render context. Private to lib/template/. */
#ifndef TOKSCOPE_TMPL_INTERNAL_H
#define TOKSCOPE_TMPL_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template/template.h"

#define TMPL_HIDDEN __attribute__((visibility("hidden")))

/* ---- arena: every allocation of a compile or a render comes from one and dies with it ---- */

typedef struct arena_chunk arena_chunk;
typedef struct arena {
    arena_chunk *head;
    char *cur, *end;
    size_t used, limit; /* bytes taken from malloc; limit 0 = none */
    void (*on_fail)(void *ud, bool limit); /* does not return (longjmp); NULL: return NULL */
    void *ud;
} arena;

void *tp_arena_alloc(arena *a, size_t n);
void *tp_arena_zalloc(arena *a, size_t n);
char *tp_arena_strdup(arena *a, const char *s, size_t n);
void tp_arena_free(arena *a);

/* A growable byte buffer in an arena. */
typedef struct sbuf {
    arena *a;
    char *p;
    size_t n, cap;
} sbuf;
void tp_sb_init(sbuf *b, arena *a);
void tp_sb_put(sbuf *b, const char *s, size_t n);
void tp_sb_putc(sbuf *b, char c);
void tp_sb_puts(sbuf *b, const char *s);
void tp_sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- values ---- */

typedef enum vkind {
    V_UNDEF,
    V_NONE,
    V_BOOL,
    V_INT,
    V_FLOAT,
    V_STR,
    V_LIST, /* flags & VF_TUPLE: a tuple */
    V_DICT,
    V_NS,     /* namespace(): the only mutable object */
    V_MACRO,  /* a {% macro %} (or a call block's caller) */
    V_FUNC,   /* a global function or a bound method: fn id + receiver */
    V_LOOP,   /* the loop variable */
} vkind;

#define VF_TUPLE 1
#define VF_ITER 2   /* a Python generator/iterator (map, select, reverse, ...): always true, no len, no [i] */
#define VF_VIEW 4   /* dict.items()/keys()/values(): len but no [i] */
#define VF_RANGE 8  /* range(): a list that prints as range(...) */
#define VF_MARKUP 16 /* a str from |safe: Markup, whose + escapes the other side */

/* A growable byte buffer several strings may share as prefixes of one another: a string ending
 * exactly at used_end can be extended in place (tp_str_concat), so `ns.s = ns.s ~ x` in a loop
 * is linear, not quadratic. */
typedef struct strbuf {
    char *used_end, *cap_end;
} strbuf;

typedef struct vstr {
    size_t n;
    bool ascii;    /* no byte >= 0x80: code point index = byte index */
    strbuf *buf;   /* NULL: p is the string's own NUL-terminated copy */
    const char *p; /* NUL-terminated only when buf is NULL: use n, never strlen */
} vstr;

typedef struct val val;
typedef struct vlist vlist;
typedef struct vdict vdict;
typedef struct vundef vundef;
typedef struct vmacro vmacro;
typedef struct vfunc vfunc;
typedef struct vloop vloop;

struct val {
    uint8_t kind;
    uint8_t flags;
    union {
        bool b;
        int64_t i;
        double f;
        const vstr *s;
        vlist *l;
        vdict *d; /* V_DICT and V_NS */
        const vundef *u;
        vmacro *m;
        vfunc *fn;
        vloop *loop;
    };
};

/* depth: 1 + the deepest container inside (a flat list is 1), capped; has_ns: a namespace is
 * inside. Kept at construction so nesting can be bounded (MAX_VALUE_DEPTH) and namespace
 * cycles refused without walking values. */
struct vlist {
    uint32_t n, cap;
    uint16_t depth;
    bool has_ns;
    val *items;
    const tmpl_error *deferred; /* a generator whose next item raises this (see lazy_filter) */
};

struct vdict {
    uint32_t n, cap;
    uint16_t depth;
    bool has_ns;
    val *keys, *vals;
    uint32_t *index; /* open addressing, slot = entry + 1, 0 = empty; NULL while small */
    uint32_t index_cap;
};

/* Why a value is undefined, for the message when it is used. */
struct vundef {
    const char *name; /* the missing name or attribute (NULL: an index, see idx) */
    int64_t idx;
    const char *owner; /* "dict object", "None", ...; NULL: a missing variable */
    const char *hint;  /* a full message instead (parameter not provided, ...) */
};

typedef struct tctx tctx;
typedef struct node node;
typedef struct frame frame;

struct vmacro {
    const node *def; /* N_MACRO, or N_CALLBLOCK for a caller */
    frame *closure;
    val caller; /* V_UNDEF unless called from a call block */
};

struct vfunc {
    int id; /* fn_id */
    val self;
    const char *name; /* "str.format", for a method this interpreter does not implement */
};

struct vloop {
    const val *items;
    size_t index0, length;
    unsigned depth;
    val last_changed;
    bool has_changed;
};

/* Global functions and bound methods. */
enum fn_id {
    FN_RANGE,
    FN_NAMESPACE,
    FN_DICT,
    FN_RAISE,
    FN_STRFTIME,
    FN_UNSUPPORTED, /* cycler, joiner, lipsum: defined, refused when called */
    /* str methods */
    M_STRIP,
    M_LSTRIP,
    M_RSTRIP,
    M_SPLIT,
    M_RSPLIT,
    M_SPLITLINES,
    M_STARTSWITH,
    M_ENDSWITH,
    M_UPPER,
    M_LOWER,
    M_TITLE,
    M_CAPITALIZE,
    M_REPLACE,
    M_FIND,
    M_RFIND,
    M_COUNT,
    M_JOIN,
    M_ISDIGIT,
    M_ISALPHA,
    M_ISSPACE,
    M_ISUPPER,
    M_ISLOWER,
    /* dict methods */
    M_ITEMS,
    M_KEYS,
    M_VALUES,
    M_GET,
    /* list / dict methods the immutable sandbox refuses */
    M_UNSAFE,
    /* methods Python has and this interpreter does not implement */
    M_UNSUPPORTED,
    /* loop methods */
    M_CYCLE,
    M_CHANGED,
};

/* Constructors and helpers (pyvalue.c). */
static inline val v_undef_plain(void) { val v = {.kind = V_UNDEF}; v.u = NULL; return v; }
static inline val v_none(void) { val v = {.kind = V_NONE}; return v; }
static inline val v_bool(bool b) { val v = {.kind = V_BOOL}; v.b = b; return v; }
static inline val v_int(int64_t i) { val v = {.kind = V_INT}; v.i = i; return v; }
static inline val v_float(double f) { val v = {.kind = V_FLOAT}; v.f = f; return v; }
static inline val v_strv(const vstr *s) { val v = {.kind = V_STR}; v.s = s; return v; }

const vstr *tp_vstr_new(arena *a, const char *p, size_t n);
val tp_v_str(arena *a, const char *p, size_t n);
vlist *tp_vlist_new(arena *a, uint32_t cap);
void tp_vlist_push(arena *a, vlist *l, val v);
val tp_v_list(vlist *l);
void tp_vlist_seal(vlist *l); /* recompute depth/has_ns after filling items directly */
enum { MAX_VALUE_DEPTH = 512 };
static inline unsigned tp_val_depth(val v)
{
    return v.kind == V_LIST ? v.l->depth : (v.kind == V_DICT || v.kind == V_NS) ? v.d->depth : 0;
}
static inline bool tp_val_has_ns(val v)
{
    return v.kind == V_NS || (v.kind == V_LIST && v.l->has_ns) || (v.kind == V_DICT && v.d->has_ns);
}
val tp_v_tuple(vlist *l);
vdict *tp_vdict_new(arena *a, uint32_t cap);
/* Insert or replace (a replaced key keeps its position, as in a Python dict). */
void tp_vdict_set(arena *a, vdict *d, val k, val v);
/* The value for k, or NULL. Keys compare with Python ==, hash with Python's rules for numbers. */
val *tp_vdict_get(const vdict *d, val k);
val *tp_vdict_get_str(const vdict *d, const char *k, size_t n);
val tp_v_dict(vdict *d);

bool tp_v_truthy(val v);
bool tp_v_eq(val a, val b);
/* Python's type name of v ("str", "int", "NoneType", ...). */
const char *tp_v_type_name(val v);
/* The name Jinja uses for v in "'dict object' has no attribute" messages. */
const char *tp_v_owner_name(val v);
size_t tp_utf8_cplen(const char *p, size_t n); /* code points */

/* Python str() and repr() of v, appended to b. Returns false when v has no deterministic text
 * (a function: its repr has an address); the caller makes that an error. */
bool tp_v_str_into(sbuf *b, val v);
bool tp_v_repr_into(sbuf *b, val v);
/* Python repr() of a float. */
void tp_float_repr(sbuf *b, double f);
/* JSON text of v as Python json.dumps(v, ensure_ascii, indent, separators, sort_keys) gives it.
 * indent_str NULL: no indent. Returns NULL on success, else the offending value's type name. */
const char *tp_json_dump(sbuf *b, val v, bool ensure_ascii, const char *indent_str, size_t indent_len,
                      const char *item_sep, size_t item_sep_len, const char *key_sep,
                      size_t key_sep_len, bool sort_keys, unsigned depth);
/* Parse JSON text (Python json.loads semantics) into a value. On error returns false with
 * *err_off the byte offset and *msg a static message. */
bool tp_json_parse(arena *a, const char *p, size_t n, val *out, size_t *err_off, const char **msg);

/* Unicode helpers (pyunicode.c). */
bool tp_uni_isspace(uint32_t c);   /* Python str.isspace */
bool tp_uni_isprintable(uint32_t c);
/* Python's case mappings of one code point: writes up to 3 code points, returns the count. */
int tp_uni_lower(uint32_t c, uint32_t out[3]);
int tp_uni_upper(uint32_t c, uint32_t out[3]);
int tp_uni_title(uint32_t c, uint32_t out[3]);
bool tp_uni_cased(uint32_t c);     /* CPython _PyUnicode_IsCased */
bool tp_uni_isalpha(uint32_t c);
bool tp_uni_isdigit(uint32_t c);
bool tp_uni_islower(uint32_t c);
bool tp_uni_isupper(uint32_t c);
uint32_t tp_utf8_next(const char *p, size_t n, size_t *i); /* decode at *i, advance */
void tp_utf8_put(sbuf *b, uint32_t c);

/* ---- syntax tree ---- */

typedef enum nkind {
    /* statements */
    N_BODY, /* kids: statements */
    N_DATA, /* str */
    N_OUTPUT, /* a: expression */
    N_IF,     /* a: test, b: body, c: else (N_BODY, N_IF for elif, or NULL) */
    N_FOR,    /* a: target, b: iterable, c: body, d: else, e: filter test */
    N_SET,    /* a: target, b: value */
    N_SETBLOCK, /* a: target, b: body, c: filter chain (N_FILTER with a = NULL) */
    N_MACRO,  /* name, kids: params (N_NAME, with .a default or NULL), b: body */
    N_CALLBLOCK, /* a: the call (E_CALL), kids: caller params, b: body */
    N_FILTERBLOCK, /* a: filter chain on NULL, b: body */
    N_WITH,   /* kids: targets, kids2: values, b: body */
    N_BREAK,
    N_CONTINUE,
    /* expressions */
    E_CONST,
    E_NAME,    /* sym */
    E_NSREF,   /* sym (namespace), str (attribute): only as a set target */
    E_GETATTR, /* a, str */
    E_GETITEM, /* a, b */
    E_SLICE,   /* a, b, c (any NULL) */
    E_CALL,    /* a: callee, kids: args, kwnames/kids2: keyword args, d: *args, e: **kwargs */
    E_FILTER,  /* a: operand (NULL in a filter block), op: filter id, args as E_CALL */
    E_TEST,    /* a: operand, op: test id, args as E_CALL */
    E_BINOP,   /* op: '+', '-', '*', '/', 'f' (//), '%', 'p' (**) */
    E_NEG,
    E_POS,
    E_NOT,
    E_AND,
    E_OR,
    E_CONCAT,  /* kids */
    E_COMPARE, /* a, kids: operands, ops: operators */
    E_COND,    /* a: test, b: then, c: else (NULL: undefined) */
    E_LIST,
    E_TUPLE,
    E_DICT,    /* kids: keys, kids2: values */
} nkind;

enum cmp_op { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_IN, C_NOTIN };

struct node {
    uint8_t kind;
    uint8_t op;
    bool flag; /* N_MACRO: uses varargs/kwargs/caller; E_TEST: negated */
    int line, col;
    node *a, *b, *c, *d, *e;
    node **kids, **kids2;
    uint32_t nkids, nkids2;
    const vstr **kwnames; /* E_CALL/E_FILTER/E_TEST keyword names; N_DATA text in str */
    uint8_t *ops;
    const vstr *str;
    int sym;
    val constv;
    uint8_t macro_uses; /* bit 1 varargs, 2 kwargs, 4 caller */
    int *undef;         /* N_BODY of a scope: symbols that start Undefined (jinja_scope.c) */
    uint32_t nundef;
};

struct tmpl {
    arena mem;
    node *root;
    const vstr **syms; /* symbol id -> name */
    int nsyms;
    int sym_loop, sym_varargs, sym_kwargs, sym_caller; /* ids of the special names, or -1 */
    int *global_of; /* symbol id -> global function id, or -1 */
};

/* Filters and tests: ids resolved at compile time (jinja_builtins.c). */
int tp_filter_id(const char *name, size_t n); /* -1: unknown */
int tp_test_id(const char *name, size_t n);
const char *tp_filter_name(int id);
const char *tp_test_name(int id);
bool tp_filter_supported(int id);

/* Scope analysis after parsing (jinja_scope.c); false: the tree is too deep to walk. */
bool tp_analyse_scopes(tmpl *t);

/* Compile (jinja_parse.c). */
tmpl_status tp_tmpl_parse(tmpl *t, const char *text, size_t len, tmpl_error *err);

/* ---- render context ---- */

struct frame {
    frame *parent;
    uint32_t n, cap;
    int *ids;
    val *vals;
    int32_t *index; /* symbol id -> slot, once the frame is big; NULL while small */
};

struct tctx {
    const tmpl *t;
    arena mem;
    jmp_buf jb;
    tmpl_error *err;
    sbuf *out; /* where output goes now */
    sbuf *result; /* the render's text */
    size_t max_output;
    uint64_t steps, max_steps;
    unsigned depth, max_depth;
    unsigned rdepth; /* tp_eval/exec recursion */
    const struct tm *now;
    frame *root, *f; /* the root frame and the current one */
    const node *where; /* the node being evaluated, for error positions */
};

/* Stop the render with an error at the current node (never returns). */
_Noreturn void tp_tc_fail(tctx *c, tmpl_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn void tp_tc_fail_undefined(tctx *c, val u);
void tp_tc_step(tctx *c);
void tp_tc_charge(tctx *c, val v); /* steps in proportion to v's size */

/* Evaluation (jinja_render.c) used by jinja_builtins.c. */
val tp_eval(tctx *c, const node *n);
val tp_call_value(tctx *c, val callee, const val *args, size_t nargs, const vstr *const *kwn,
               const val *kwv, size_t nkw);
val tp_getattr_v(tctx *c, val obj, const char *name, size_t n);
val tp_getitem_v(tctx *c, val obj, val key);
/* The items of an iterable (list, tuple, str chars, dict keys; undefined: none). */
vlist *tp_iter_list(tctx *c, val v);
void tp_raise_deferred(tctx *c, const vlist *l); /* re-raise a failed generator's error */
const vstr *tp_to_str(tctx *c, val v);
val tp_undefined_named(tctx *c, const char *name);
val tp_undefined_attr(tctx *c, val owner, const char *name, size_t n);
val tp_undefined_hint(tctx *c, const char *hint);
int tp_cmp_values(tctx *c, val a, val b);
val tp_binop_add(tctx *c, val a, val b); /* Python a + b */
const vstr *tp_str_concat(tctx *c, const vstr *a, const vstr *b);
val tp_binop_mod(tctx *c, val a, val b); /* Python a % b */
void tp_check_hashable(tctx *c, val k); /* TypeError for unhashable dict keys */ /* Python <: -1, 0, 1; TypeError if unorderable */

/* Builtins (jinja_builtins.c). */
val tp_apply_filter_id(tctx *c, int id, val operand, const val *args, size_t nargs,
                 const vstr *const *kwn, const val *kwv, size_t nkw);
bool tp_apply_test(tctx *c, const node *n, int id, val operand, const val *args, size_t nargs);
val tp_call_func(tctx *c, const vfunc *f, const val *args, size_t nargs, const vstr *const *kwn,
              const val *kwv, size_t nkw);
/* The method of a builtin type named name (str.strip, dict.items, ...), or V_UNDEF. */
val tp_method_of(tctx *c, val obj, const char *name, size_t n);
int tp_global_fn_id(const char *name, size_t n); /* -1: not a global */

#endif
