/* registry: the model registry and prices -- models.tsv rows, price files laid over them, money
 * and cost maths. Data only: it opens no tokenizer (api/open_model.c does). Includes base/ only
 * (the layer rule: base/base.h). What registry.c, prices_tsv.c, prices_litellm.c, cost.c and
 * money.c share (not installed).
 *
 * Loading a price file is two steps: a parser turns the file into patches (one per row: the
 * name and the fields the row gives), checking everything; then tok_registry_apply lays the
 * patches over the registry. A malformed file therefore never leaves a half-changed registry. */
#ifndef TOK_REGISTRY_H
#define TOK_REGISTRY_H

#include "base/base.h"

#include <stdarg.h>

/* Fields of a model, one bit each (the columns of vocabs/models.tsv). */
enum {
    F_PROVIDER = 1u << 0, F_ALIASES = 1u << 1, F_TOKENIZER = 1u << 2, F_APPROX = 1u << 3,
    F_MAX_INPUT = 1u << 4, F_CONTEXT = 1u << 5, F_MAX_OUTPUT = 1u << 6, F_INPUT = 1u << 7,
    F_OUTPUT = 1u << 8, F_CACHED = 1u << 9, F_WRITE = 1u << 10, F_BATCH_IN = 1u << 11,
    F_BATCH_OUT = 1u << 12, F_TIERS = 1u << 13, F_SOURCE = 1u << 14, F_DATE = 1u << 15,
    F_NOTES = 1u << 16, F_BASIS = 1u << 17,
    F_PRICES = F_INPUT | F_OUTPUT | F_CACHED | F_WRITE | F_BATCH_IN | F_BATCH_OUT | F_TIERS
};

/* One row of a price file. Strings and arrays are malloc'd and owned by the patch. */
typedef struct reg_patch {
    char *name;           /* the row's id or key */
    unsigned set;         /* F_* fields the row gives */
    unsigned set_if_new;  /* F_* fields used only when the row adds a new model */
    uint32_t line;        /* where the row starts, for messages */
    char *provider, *tokenizer, *approx_encoding, *source, *date, *notes, *basis;
    uint32_t approx_factor, approx_low, approx_high;
    char **aliases;
    size_t n_aliases;
    uint64_t max_input, context, max_output;
    tok_prices prices;
    uint64_t batch_input, batch_output;
    tok_price_tier *tiers;
    size_t n_tiers;
} reg_patch;

typedef struct reg_patches {
    reg_patch *v;
    size_t n, cap;
    char date[16]; /* the file's date of data, "" if it does not say */
} reg_patches;

/* A new zeroed patch at the end (prices unknown); NULL when out of memory. */
reg_patch *reg_patch_add(reg_patches *p);
void reg_patches_free(reg_patches *p);
/* Sort tiers by threshold; false if two share one. */
bool reg_tiers_sort(tok_price_tier *tiers, size_t n);

/* Lay patches over reg (see tok_registry_load). label: the file; format: "tsv" or "litellm";
 * builtin: the first, built-in load (rows must be new, names unique). */
tok_status tok_registry_apply(tok_registry *reg, reg_patches *p, const char *label,
                              const char *format, const char *date, bool builtin,
                              tok_error *err);

/* The built-in vocabs/models.tsv: its text (a NUL follows it) and length (embedded_blobs.c). */
const char *tok_models_tsv_builtin(size_t *len);

/* Parsers: text -> patches. label names the file in messages. */
tok_status tok_prices_tsv_parse(const char *data, size_t len, const char *label,
                                reg_patches *out, tok_error *err);
tok_status tok_prices_litellm_parse(const char *data, size_t len, const char *label,
                                    reg_patches *out, tok_error *err);

/* Small helpers (registry.c): a NUL-terminated copy of s[0..n) (of s, "" for NULL); whether
 * s[0..n) is a YYYY-MM-DD date; whether name is a built-in encoding. */
char *reg_dup(const char *s, size_t n);
char *reg_dup_s(const char *s);
bool reg_is_date(const char *s, size_t n);
bool reg_is_encoding(const char *name);

/* value * 10^scale of a number's text (JSON syntax without sign; money.c). Extra digits are
 * rounded half up and *rounded set. TOK_EINVAL if not a number, TOK_ERANGE if too large. */
tok_status tok_decimal_scaled(const char *s, size_t n, int scale, uint64_t *out, bool *rounded);


/* A price file error at byte off of data[0..len): "label:line:col: message" in err (which may
 * be NULL), with its line set. Returns TOK_EFORMAT. */
tok_status reg_fail_at(tok_error *err, const char *label, const char *data, size_t len, size_t off,
                       const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
