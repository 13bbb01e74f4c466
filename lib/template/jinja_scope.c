/* jinja_scope.c -- which names start out Undefined when a scope begins, as jinja2/idtracking.py
 * decides it at compile time.
 *
 * Jinja resolves names per scope (the template, a for-loop body, its else block, a macro or
 * call-block body, a filter/set/with block). Walking a scope's own statements in order (nested
 * scopes are analysed afterwards, against their parents' complete symbol tables), a name is:
 *   - RESOLVE when it is first loaded and no enclosing scope knows it: read from the context;
 *   - ALIAS when it is first stored and an enclosing scope knows it: starts as the outer value;
 *   - UNDEF when it is first stored and no enclosing scope knows it: it starts Undefined, so
 *     that a nested loop or macro reading it before the assignment runs sees Undefined even if
 *     the context has that name (`{% for x in l %}{{ s }}{% endfor %}{% set s = 1 %}`);
 *   - PARAM for loop targets and macro parameters.
 * An if statement visits its body, its elif chain (one group) and its else as three branches;
 * a name stored in fewer than all three falls back to RESOLVE (or ALIAS), a Jinja quirk this
 * reproduces, so `if/else` without an elif never makes a name UNDEF.
 * The result: for each scope body (an N_BODY), the symbols to bind to Undefined on entry. */
#include <string.h>

#include "template/tmpl_internal.h"

enum { S_NONE, S_RESOLVE, S_UNDEF, S_ALIAS, S_PARAM };

typedef struct scope scope;
struct scope {
    const scope *parent;
    uint8_t *state;  /* per symbol */
    uint8_t *stored; /* per symbol: stored in this scope */
};

enum { MAX_WALK = 4000 };

typedef struct an {
    tmpl *t;
    int nsyms;
    bool too_deep; /* a tree deeper than MAX_WALK: the compile fails with TMPL_ERR_LIMIT */
    node **pending; /* nested scope nodes found while walking the current scope */
    uint32_t npending, cap;
} an;

static bool find_ref(const scope *s, int sym)
{
    for (; s; s = s->parent)
        if (s->state[sym] != S_NONE)
            return true;
    return false;
}

static void load(scope *s, int sym)
{
    if (sym >= 0 && !find_ref(s, sym))
        s->state[sym] = S_RESOLVE;
}

static void store(scope *s, int sym)
{
    if (sym < 0)
        return;
    s->stored[sym] = 1;
    if (s->state[sym] == S_NONE)
        s->state[sym] = s->parent && find_ref(s->parent, sym) ? S_ALIAS : S_UNDEF;
}

static void param(scope *s, int sym)
{
    if (sym < 0)
        return;
    s->stored[sym] = 1;
    s->state[sym] = S_PARAM;
}

static void push_pending(an *a, node *n)
{
    if (a->npending == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 16;
        node **p = tp_arena_alloc(&a->t->mem, sizeof(node *) * cap);
        if (a->npending)
            memcpy(p, a->pending, sizeof(node *) * a->npending);
        a->pending = p;
        a->cap = cap;
    }
    a->pending[a->npending++] = n;
}

static void visit_expr_d(an *a, scope *s, const node *n, unsigned depth);
static void visit_expr(an *a, scope *s, const node *n) { visit_expr_d(a, s, n, 0); }

static void visit_expr_d(an *a, scope *s, const node *n, unsigned depth)
{
    if (!n)
        return;
    if (depth > MAX_WALK) {
        a->too_deep = true;
        return;
    }
    if (n->kind == E_NAME || n->kind == E_NSREF) {
        load(s, n->sym);
        return;
    }
    visit_expr_d(a, s, n->a, depth + 1);
    visit_expr_d(a, s, n->b, depth + 1);
    visit_expr_d(a, s, n->c, depth + 1);
    visit_expr_d(a, s, n->d, depth + 1);
    visit_expr_d(a, s, n->e, depth + 1);
    for (uint32_t i = 0; i < n->nkids; i++)
        visit_expr_d(a, s, n->kids[i], depth + 1);
    for (uint32_t i = 0; i < n->nkids2; i++)
        visit_expr_d(a, s, n->kids2[i], depth + 1);
}

static void store_target(scope *s, const node *t, bool as_param)
{
    if (!t)
        return;
    if (t->kind == E_NAME)
        as_param ? param(s, t->sym) : store(s, t->sym);
    else if (t->kind == E_NSREF)
        load(s, t->sym);
    else if (t->kind == E_TUPLE)
        for (uint32_t i = 0; i < t->nkids; i++)
            store_target(s, t->kids[i], as_param);
}

static void visit_stmt(an *a, scope *s, node *n);

static scope *scope_copy(an *a, const scope *s)
{
    scope *c = tp_arena_alloc(&a->t->mem, sizeof *c);
    c->parent = s->parent;
    c->state = tp_arena_alloc(&a->t->mem, (size_t)a->nsyms + 1);
    c->stored = tp_arena_alloc(&a->t->mem, (size_t)a->nsyms + 1);
    memcpy(c->state, s->state, (size_t)a->nsyms);
    memcpy(c->stored, s->stored, (size_t)a->nsyms);
    return c;
}

/* symbols.branch_update: merge the three branches back into s */
static void branch_update(an *a, scope *s, scope *const br[3])
{
    for (int sym = 0; sym < a->nsyms; sym++) {
        int count = 0;
        for (int b = 0; b < 3; b++)
            if (br[b]->stored[sym] && !s->stored[sym])
                count++;
        uint8_t merged = s->state[sym];
        bool stored = s->stored[sym];
        for (int b = 0; b < 3; b++) {
            if (br[b]->state[sym] != S_NONE)
                merged = br[b]->state[sym]; /* refs/loads.update: the last branch wins */
            stored |= br[b]->stored[sym];
        }
        if (count > 0 && count < 3)
            merged = s->parent && find_ref(s->parent, sym) ? S_ALIAS : S_RESOLVE;
        s->state[sym] = merged;
        s->stored[sym] = stored;
    }
}

static void visit_if_branches(an *a, scope *s, node *n, bool top)
{
    visit_expr(a, s, n->a);
    scope *br[3];
    br[0] = scope_copy(a, s);
    visit_stmt(a, br[0], n->b);
    br[1] = scope_copy(a, s);
    br[2] = scope_copy(a, s);
    if (top) {
        node *e = n->c;
        while (e && e->kind == N_IF) {
            visit_if_branches(a, br[1], e, false); /* each elif is an If with no else */
            e = e->c;
        }
        if (e)
            visit_stmt(a, br[2], e);
    }
    branch_update(a, s, br);
}

static void visit_stmt(an *a, scope *s, node *n)
{
    if (!n)
        return;
    switch (n->kind) {
    case N_BODY:
        for (uint32_t i = 0; i < n->nkids; i++)
            visit_stmt(a, s, n->kids[i]);
        return;
    case N_DATA:
    case N_BREAK:
    case N_CONTINUE: return;
    case N_OUTPUT: visit_expr(a, s, n->a); return;
    case N_IF: visit_if_branches(a, s, n, true); return;
    case N_FOR:
        visit_expr(a, s, n->b);
        push_pending(a, n);
        return;
    case N_SET:
        visit_expr(a, s, n->b);
        store_target(s, n->a, false);
        return;
    case N_SETBLOCK:
        store_target(s, n->a, false);
        push_pending(a, n);
        return;
    case N_MACRO:
        store(s, n->sym);
        push_pending(a, n);
        return;
    case N_CALLBLOCK:
        visit_expr(a, s, n->a);
        push_pending(a, n);
        return;
    case N_FILTERBLOCK:
        visit_expr(a, s, n->a);
        push_pending(a, n);
        return;
    case N_WITH:
        for (uint32_t i = 0; i < n->nkids2; i++)
            visit_expr(a, s, n->kids2[i]);
        push_pending(a, n);
        return;
    default: visit_expr(a, s, n); return;
    }
}

static void analyse(an *a, const scope *parent, node *body, node *owner, int branch);

/* Record on body the symbols s leaves UNDEF, then analyse the scopes nested in it. */
static void finish(an *a, scope *s, node *body, uint32_t first_pending)
{
    uint32_t n = 0;
    for (int sym = 0; sym < a->nsyms; sym++)
        n += s->state[sym] == S_UNDEF;
    if (n && body) {
        body->undef = tp_arena_alloc(&a->t->mem, sizeof(int) * n);
        body->nundef = 0;
        for (int sym = 0; sym < a->nsyms; sym++)
            if (s->state[sym] == S_UNDEF)
                body->undef[body->nundef++] = sym;
    }
    uint32_t last = a->npending;
    for (uint32_t i = first_pending; i < last; i++) {
        node *x = a->pending[i];
        switch (x->kind) {
        case N_FOR:
            analyse(a, s, x->c, x, 0);
            if (x->d)
                analyse(a, s, x->d, x, 1);
            break;
        case N_MACRO:
        case N_CALLBLOCK:
        case N_FILTERBLOCK:
        case N_SETBLOCK:
        case N_WITH: analyse(a, s, x->b, x, 0); break;
        default: break;
        }
    }
}

static void analyse(an *a, const scope *parent, node *body, node *owner, int branch)
{
    scope *s = tp_arena_alloc(&a->t->mem, sizeof *s);
    s->parent = parent;
    s->state = tp_arena_zalloc(&a->t->mem, (size_t)a->nsyms + 1);
    s->stored = tp_arena_zalloc(&a->t->mem, (size_t)a->nsyms + 1);
    uint32_t first = a->npending;
    if (owner) {
        switch (owner->kind) {
        case N_FOR:
            if (branch == 0)
                store_target(s, owner->a, true);
            break;
        case N_MACRO:
        case N_CALLBLOCK:
            for (uint32_t i = 0; i < owner->nkids; i++)
                param(s, owner->kids[i]->sym);
            for (uint32_t i = 0; i < owner->nkids; i++)
                visit_expr(a, s, owner->kids[i]->a);
            break;
        case N_WITH:
            for (uint32_t i = 0; i < owner->nkids; i++)
                store_target(s, owner->kids[i], false);
            break;
        default: break;
        }
    }
    visit_stmt(a, s, body);
    /* nested scopes see this scope complete: analyse them after it */
    finish(a, s, body, first);
}

bool tp_analyse_scopes(tmpl *t)
{
    an a = {.t = t, .nsyms = t->nsyms};
    if (!t->nsyms)
        return true;
    analyse(&a, NULL, t->root, NULL, 0);
    return !a.too_deep;
}
