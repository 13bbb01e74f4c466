/* registry: the model registry -- rows of vocabs/models.tsv (built in: embedded_blobs.c) plus
 * the price files laid over them -- and model-name resolution.
 *
 * The registry is a handle the caller opens, not a global parsed on first use: loading a price
 * file changes it, and a handle makes "load first, then share" a rule of ownership instead of
 * a race. Rows are allocated one by one so tok_model pointers survive later loads.
 *
 * Names are found through one hash table of lower-cased ids and aliases (open addressing,
 * at most half full): a LiteLLM file brings ~3000 rows, each looked up once. */
#include "registry/registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

typedef struct reg_row {
    tok_model m;         /* the public view; its strings and arrays are owned here */
    char **aliases;      /* m.aliases */
    size_t cap_aliases;
    uint64_t context_given; /* the row's own total window, 0 if it gives none */
} reg_row;

typedef struct name_slot {
    char *name; /* lower case, owned; NULL = empty */
    size_t row;
} name_slot;

struct tok_registry {
    reg_row **rows;
    size_t n, cap;
    name_slot *slots;
    size_t n_slots, used;
    tok_registry_source *sources;
    size_t n_sources;
};

/* ---- small helpers ---- */

char *reg_dup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *reg_dup_s(const char *s) { return reg_dup(s ? s : "", s ? strlen(s) : 0); }

bool reg_is_date(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* One cell of column k into patch p. */
bool reg_is_encoding(const char *name)
{
    for (size_t i = 0; i < tok_builtin_count(); i++)
        if (strcmp(tok_builtin_name(i), name) == 0)
            return true;
    return false;
}

static char *lower_dup(const char *s)
{
    char *d = reg_dup_s(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* ---- patches ---- */

reg_patch *reg_patch_add(reg_patches *p)
{
    if (!tok_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, 64))
        return NULL;
    reg_patch *r = &p->v[p->n++];
    memset(r, 0, sizeof *r);
    r->prices = (tok_prices){TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN,
                             TOK_PRICE_UNKNOWN};
    r->batch_input = r->batch_output = TOK_PRICE_UNKNOWN;
    return r;
}

void reg_patches_free(reg_patches *p)
{
    for (size_t i = 0; i < p->n; i++) {
        reg_patch *r = &p->v[i];
        free(r->name);
        free(r->provider);
        free(r->tokenizer);
        free(r->approx_encoding);
        free(r->source);
        free(r->date);
        free(r->notes);
        free(r->basis);
        for (size_t k = 0; k < r->n_aliases; k++)
            free(r->aliases[k]);
        free(r->aliases);
        free(r->tiers);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

bool reg_tiers_sort(tok_price_tier *t, size_t n)
{
    for (size_t i = 1; i < n; i++) /* insertion sort: a model has a handful of tiers */
        for (size_t j = i; j > 0 && t[j - 1].above > t[j].above; j--) {
            tok_price_tier x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    for (size_t i = 1; i < n; i++)
        if (t[i].above == t[i - 1].above)
            return false;
    return true;
}

/* ---- the name index ---- */

static size_t *slot_find(const tok_registry *reg, const char *lname, size_t *at)
{
    if (!reg->n_slots)
        return NULL;
    size_t mask = reg->n_slots - 1;
    for (size_t i = hash_name(lname) & mask;; i = (i + 1) & mask) {
        if (!reg->slots[i].name) {
            if (at)
                *at = i;
            return NULL;
        }
        if (strcmp(reg->slots[i].name, lname) == 0)
            return &reg->slots[i].row;
    }
}

/* Add name -> row unless the name is taken (then the first model keeps it). 1 added, 0 taken,
 * -1 out of memory. */
static int index_add(tok_registry *reg, const char *name, size_t row)
{
    if ((reg->used + 1) * 2 > reg->n_slots) {
        size_t n = reg->n_slots ? reg->n_slots * 2 : 256;
        name_slot *s = calloc(n, sizeof *s);
        if (!s)
            return -1;
        name_slot *old = reg->slots;
        size_t old_n = reg->n_slots;
        reg->slots = s;
        reg->n_slots = n;
        for (size_t i = 0; i < old_n; i++)
            if (old[i].name) {
                size_t at;
                slot_find(reg, old[i].name, &at);
                reg->slots[at] = old[i];
            }
        free(old);
    }
    char *l = lower_dup(name);
    if (!l)
        return -1;
    size_t at;
    if (slot_find(reg, l, &at)) {
        free(l);
        return 0;
    }
    reg->slots[at] = (name_slot){l, row};
    reg->used++;
    return 1;
}

/* The row index of a name, or SIZE_MAX. */
static size_t lookup_index(const tok_registry *reg, const char *name)
{
    char *l = lower_dup(name);
    if (!l)
        return SIZE_MAX;
    size_t *row = slot_find(reg, l, NULL);
    free(l);
    return row ? *row : SIZE_MAX;
}

static const tok_model *lookup(const tok_registry *reg, const char *name)
{
    size_t i = lookup_index(reg, name);
    return i == SIZE_MAX ? NULL : &reg->rows[i]->m;
}

/* ---- applying patches ---- */

static void replace_str(const char **field, char **value)
{
    free((void *)*field);
    *field = *value ? *value : reg_dup_s("");
    *value = NULL;
}

static void row_finish(reg_row *r)
{
    r->m.aliases = (const char *const *)r->aliases;
    r->m.context = r->context_given > r->m.max_input ? r->context_given : r->m.max_input;
    r->m.tokenizer_builtin = r->m.tokenizer[0] && reg_is_encoding(r->m.tokenizer);
}

static void row_free(reg_row *r)
{
    if (!r)
        return;
    free((void *)r->m.id);
    free((void *)r->m.provider);
    free((void *)r->m.tokenizer);
    free((void *)r->m.approx_encoding);
    free((void *)r->m.source);
    free((void *)r->m.date);
    free((void *)r->m.notes);
    free((void *)r->m.basis);
    free((void *)r->m.tiers);
    for (size_t k = 0; k < r->m.n_aliases; k++)
        free(r->aliases[k]);
    free(r->aliases);
    free(r);
}

/* A model new to the registry and not told how to count: an OpenAI model name (after any
 * provider prefix) gets its tiktoken encoding; anything else is estimated with o200k_base. */
static void default_tokenizer(reg_row *r)
{
    const char *base = strrchr(r->m.id, '/');
    base = base ? base + 1 : r->m.id;
    const char *enc;
    if (tok_encoding_for_model(base, &enc, NULL) == TOK_OK) {
        free((void *)r->m.tokenizer);
        r->m.tokenizer = reg_dup_s(enc);
    } else {
        free((void *)r->m.approx_encoding);
        r->m.approx_encoding = reg_dup_s("o200k_base");
        r->m.approx_factor = r->m.approx_low = r->m.approx_high = 1000000;
        free((void *)r->m.basis);
        r->m.basis = reg_dup_s("not in tokscope's registry: o200k_base tokens, unscaled, as a "
                               "rough guess");
    }
}

/* Lay patch p's fields `set` over row r. -1 out of memory, -2 an alias names another model
 * and strict (the built-in data must not do that), else 0. */
static int apply_one(tok_registry *reg, reg_row *r, size_t row_index, reg_patch *p,
                     unsigned set, bool strict)
{
    if (set & F_PROVIDER) replace_str(&r->m.provider, &p->provider);
    if (set & F_TOKENIZER) replace_str(&r->m.tokenizer, &p->tokenizer);
    if (set & F_APPROX) {
        replace_str(&r->m.approx_encoding, &p->approx_encoding);
        r->m.approx_factor = p->approx_factor;
        r->m.approx_low = p->approx_low;
        r->m.approx_high = p->approx_high;
    }
    if (set & F_MAX_INPUT) r->m.max_input = p->max_input;
    if (set & F_CONTEXT) r->context_given = p->context;
    if (set & F_MAX_OUTPUT) r->m.max_output = p->max_output;
    if (set & F_INPUT) r->m.prices.input = p->prices.input;
    if (set & F_OUTPUT) r->m.prices.output = p->prices.output;
    if (set & F_CACHED) r->m.prices.cached_input = p->prices.cached_input;
    if (set & F_WRITE) r->m.prices.cache_write = p->prices.cache_write;
    if (set & F_BATCH_IN) r->m.batch_input = p->batch_input;
    if (set & F_BATCH_OUT) r->m.batch_output = p->batch_output;
    if (set & F_TIERS) {
        free((void *)r->m.tiers);
        r->m.tiers = p->tiers;
        r->m.n_tiers = p->n_tiers;
        p->tiers = NULL;
        p->n_tiers = 0;
    }
    if (set & F_SOURCE) replace_str(&r->m.source, &p->source);
    if (set & F_DATE) replace_str(&r->m.date, &p->date);
    if (set & F_NOTES) replace_str(&r->m.notes, &p->notes);
    if (set & F_BASIS) replace_str(&r->m.basis, &p->basis);
    if (set & F_ALIASES) {
        for (size_t k = 0; k < p->n_aliases; k++) {
            int added = index_add(reg, p->aliases[k], row_index);
            if (added < 0)
                return -1;
            if (!added) { /* already a name: of this model (fine) or of another */
                if (strict && lookup_index(reg, p->aliases[k]) != row_index)
                    return -2;
                continue;
            }
            if (!tok_grow(&r->aliases, &r->cap_aliases, r->m.n_aliases + 1,
                          sizeof *r->aliases, 4))
                return -1;
            r->aliases[r->m.n_aliases++] = p->aliases[k];
            p->aliases[k] = NULL;
        }
    }
    row_finish(r);
    return 0;
}

static tok_status add_source(tok_registry *reg, const char *label, const char *format,
                             const char *date, size_t replaced, size_t added)
{
    tok_registry_source *s = realloc(reg->sources, (reg->n_sources + 1) * sizeof *s);
    if (!s)
        return TOK_ENOMEM;
    reg->sources = s;
    char *l = reg_dup_s(label), *f = reg_dup_s(format), *d = reg_dup_s(date);
    if (!l || !f || !d) {
        free(l), free(f), free(d);
        return TOK_ENOMEM;
    }
    s[reg->n_sources++] = (tok_registry_source){l, f, d, replaced, added};
    return TOK_OK;
}

tok_status tok_registry_apply(tok_registry *reg, reg_patches *p, const char *label,
                              const char *format, const char *date, bool builtin,
                              tok_error *err)
{
    size_t replaced = 0, added = 0;
    for (size_t i = 0; i < p->n; i++) {
        reg_patch *pt = &p->v[i];
        size_t have = lookup_index(reg, pt->name);
        if (have != SIZE_MAX && builtin)
            return tok_fail(err, TOK_EFORMAT, label, TOK_NO_OFFSET,
                            "%s:%u: '%s' names a model twice", label, pt->line, pt->name);
        /* A row that does not say where its data comes from comes from this file. */
        if (!(pt->set & F_SOURCE)) {
            free(pt->source);
            pt->source = reg_dup_s(label);
            pt->set |= F_SOURCE;
        }
        if (!(pt->set & F_DATE)) {
            free(pt->date);
            pt->date = reg_dup_s(date);
            pt->set |= F_DATE;
        }
        if (have != SIZE_MAX) {
            if (apply_one(reg, reg->rows[have], have, pt, pt->set, false) < 0)
                return tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
            replaced++;
            continue;
        }
        if (!tok_grow(&reg->rows, &reg->cap, reg->n + 1, sizeof *reg->rows, 128))
            return tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
        reg_row *r = calloc(1, sizeof *r);
        if (!r)
            return tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
        r->m.id = pt->name;
        pt->name = NULL;
        const char **strs[] = {&r->m.provider, &r->m.tokenizer, &r->m.approx_encoding,
                               &r->m.source, &r->m.date, &r->m.notes, &r->m.basis};
        for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++)
            *strs[k] = reg_dup_s("");
        r->m.prices = (tok_prices){TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN,
                                   TOK_PRICE_UNKNOWN};
        r->m.batch_input = r->m.batch_output = TOK_PRICE_UNKNOWN;
        size_t idx = reg->n;
        reg->rows[reg->n++] = r;
        int rc = index_add(reg, r->m.id, idx) < 0 ? -1
                 : apply_one(reg, r, idx, pt, pt->set | pt->set_if_new, builtin);
        if (rc == -2)
            return tok_fail(err, TOK_EFORMAT, label, TOK_NO_OFFSET,
                            "%s:%u: an alias of '%s' names another model", label, pt->line,
                            r->m.id);
        if (rc < 0)
            return tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
        if (!r->m.tokenizer[0] && !r->m.approx_encoding[0] && !(pt->set & (F_TOKENIZER | F_APPROX)))
            default_tokenizer(r);
        row_finish(r);
        added++;
    }
    return add_source(reg, label, format, date, replaced, added);
}

/* ---- opening, loading ---- */

static tok_status registry_new(tok_registry **out, tok_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? TOK_OK : tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
}

tok_status tok_registry_open(tok_registry **out, tok_error *err)
{
    if (!out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no place for the registry");
    *out = NULL;
    tok_registry *reg;
    tok_status st = registry_new(&reg, err);
    if (st != TOK_OK)
        return st;
    reg_patches p;
    size_t len;
    const char *tsv = tok_models_tsv_builtin(&len);
    st = tok_prices_tsv_parse(tsv, len, "models.tsv (built-in)", &p, err);
    if (st == TOK_OK) {
        st = tok_registry_apply(reg, &p, "built-in", "tsv", p.date, true, err);
        reg_patches_free(&p);
    }
    if (st != TOK_OK) {
        tok_registry_close(reg);
        return st;
    }
    *out = reg;
    return TOK_OK;
}

void tok_registry_close(tok_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++)
        row_free(reg->rows[i]);
    free(reg->rows);
    for (size_t i = 0; i < reg->n_slots; i++)
        free(reg->slots[i].name);
    free(reg->slots);
    for (size_t i = 0; i < reg->n_sources; i++) {
        free((void *)reg->sources[i].label);
        free((void *)reg->sources[i].format);
        free((void *)reg->sources[i].date);
    }
    free(reg->sources);
    free(reg);
}

/* A YYYY-MM-DD in the file's name ("litellm_model_prices_2026-07-24.json"), or "". */
static void date_in_name(const char *label, char out[16])
{
    out[0] = 0;
    const char *base = strrchr(label, '/');
    base = base ? base + 1 : label;
    for (size_t i = 0; base[i]; i++)
        if (strlen(base + i) >= 10 && reg_is_date(base + i, 10)) {
            memcpy(out, base + i, 10);
            out[10] = 0;
            return;
        }
}

static tok_status load(tok_registry *reg, const char *data, size_t len, const char *label,
                       const char *mtime_date, tok_error *err)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
        i++;
    bool json = i < len && (data[i] == '{' || data[i] == '['); /* JSON: LiteLLM's */
    reg_patches p;
    tok_status st = json ? tok_prices_litellm_parse(data, len, label, &p, err)
                         : tok_prices_tsv_parse(data, len, label, &p, err);
    if (st != TOK_OK)
        return st;
    char date[16];
    if (p.date[0])
        memcpy(date, p.date, sizeof date);
    else {
        date_in_name(label, date);
        if (!date[0] && mtime_date)
            snprintf(date, sizeof date, "%s", mtime_date);
    }
    st = tok_registry_apply(reg, &p, label, json ? "litellm" : "tsv", date, false, err);
    reg_patches_free(&p);
    return st;
}

tok_status tok_registry_load_memory(tok_registry *reg, const void *data, size_t len,
                                    const char *label, tok_error *err)
{
    if (!reg || (!data && len))
        return tok_fail(err, TOK_EINVAL, label, TOK_NO_OFFSET, "no registry or no data");
    return load(reg, data, len, label ? label : "<memory>", NULL, err);
}

tok_status tok_registry_load(tok_registry *reg, const char *path, tok_error *err)
{
    if (!reg || !path)
        return tok_fail(err, TOK_EINVAL, path, TOK_NO_OFFSET, "no registry or no path");
    uint8_t *data;
    size_t len;
    tok_status st = tok_read_file(path, &data, &len, err);
    if (st != TOK_OK)
        return st;
    /* the file's date of data, when it says none itself: its modification time */
    struct stat stt;
    char mdate[16] = "";
    struct tm tmv;
    if (stat(path, &stt) == 0 && gmtime_r(&stt.st_mtime, &tmv))
        strftime(mdate, sizeof mdate, "%Y-%m-%d", &tmv);
    st = load(reg, (const char *)data, len, path, mdate, err);
    free(data);
    return st;
}

/* ---- reading ---- */

size_t tok_registry_source_count(const tok_registry *reg) { return reg ? reg->n_sources : 0; }

const tok_registry_source *tok_registry_source_at(const tok_registry *reg, size_t i)
{
    return reg && i < reg->n_sources ? &reg->sources[i] : NULL;
}

const char *tok_registry_date(const tok_registry *reg)
{
    return reg && reg->n_sources ? reg->sources[0].date : "";
}

size_t tok_registry_count(const tok_registry *reg) { return reg ? reg->n : 0; }

const tok_model *tok_registry_model(const tok_registry *reg, size_t i)
{
    return reg && i < reg->n ? &reg->rows[i]->m : NULL;
}

/* The length of name without a date or -latest suffix, or 0 if it has none. */
static size_t strip_suffix(const char *s, size_t n)
{
    static const char latest[] = "-latest";
    if (n > 7 && strncasecmp(s + n - 7, latest, 7) == 0)
        return n - 7;
    size_t d = 0; /* trailing digits */
    while (d < n && isdigit((unsigned char)s[n - 1 - d]))
        d++;
    if (d == 8 && n > 9 && (s[n - 9] == '-' || s[n - 9] == '@'))
        return n - 9; /* -20250219, @20250219 */
    if (d == 2 && n > 11 && s[n - 3] == '-' && reg_is_date(s + n - 10, 10) && s[n - 11] == '-')
        return n - 11; /* -2024-08-06 */
    return 0;
}

tok_status tok_model_find(const tok_registry *reg, const char *name, const tok_model **out,
                          tok_error *err)
{
    if (!reg || !name || !out)
        return tok_fail(err, TOK_EINVAL, name, TOK_NO_OFFSET, "no registry or no model name");
    *out = NULL;
    char buf[256];
    /* The whole name, then with each provider prefix removed; each with and without a date. */
    for (const char *s = name; s; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL) {
        if ((*out = lookup(reg, s)))
            return TOK_OK;
        size_t n = strlen(s), cut = strip_suffix(s, n);
        if (cut && cut < sizeof buf) {
            memcpy(buf, s, cut);
            buf[cut] = 0;
            if ((*out = lookup(reg, buf)))
                return TOK_OK;
        }
    }
    if (!err)
        return TOK_ENOENT;
    const char **ids = malloc((reg->n ? reg->n : 1) * sizeof *ids);
    char near[256] = "";
    if (ids) {
        for (size_t i = 0; i < reg->n; i++)
            ids[i] = reg->rows[i]->m.id;
        tok_closest_names(name, ids, reg->n, near, sizeof near);
        free(ids);
    }
    return tok_fail(err, TOK_ENOENT, name, TOK_NO_OFFSET,
                    "unknown model '%s' (closest: %s; tokscope models lists them all)", name,
                    near);
}
