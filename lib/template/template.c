/* template.c -- the public entry points of the template interpreter: compile, free, names.
 * Rendering is in jinja_render.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/tmpl_internal.h"

static int sym_of(const tmpl *t, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < t->nsyms; i++)
        if (t->syms[i]->n == n && memcmp(t->syms[i]->p, name, n) == 0)
            return i;
    return -1;
}

tmpl_status tmpl_compile(const char *text, size_t len, tmpl **out, tmpl_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    *out = NULL;
    tmpl *t = calloc(1, sizeof *t);
    if (!t) {
        if (err) {
            err->status = TMPL_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return TMPL_ERR_NOMEM;
    }
    tmpl_status st = tp_tmpl_parse(t, text ? text : "", text ? len : 0, err);
    if (st != TMPL_OK) {
        tmpl_free(t);
        return st;
    }
    t->sym_loop = sym_of(t, "loop");
    t->sym_varargs = sym_of(t, "varargs");
    t->sym_kwargs = sym_of(t, "kwargs");
    t->sym_caller = sym_of(t, "caller");
    t->global_of = tp_arena_alloc(&t->mem, sizeof(int) * (size_t)(t->nsyms + 1));
    if (!t->global_of) {
        tmpl_free(t);
        if (err) {
            err->status = TMPL_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return TMPL_ERR_NOMEM;
    }
    for (int i = 0; i < t->nsyms; i++)
        t->global_of[i] = tp_global_fn_id(t->syms[i]->p, t->syms[i]->n);
    *out = t;
    return TMPL_OK;
}

void tmpl_free(tmpl *t)
{
    if (!t)
        return;
    tp_arena_free(&t->mem);
    free(t);
}

const char *tmpl_status_name(tmpl_status s)
{
    switch (s) {
    case TMPL_OK: return "ok";
    case TMPL_ERR_SYNTAX: return "syntax";
    case TMPL_ERR_UNSUPPORTED: return "unsupported";
    case TMPL_ERR_RAISE: return "raise";
    case TMPL_ERR_RUNTIME: return "runtime";
    case TMPL_ERR_LIMIT: return "limit";
    case TMPL_ERR_CONTEXT: return "context";
    case TMPL_ERR_NOMEM: return "nomem";
    }
    return "unknown";
}
