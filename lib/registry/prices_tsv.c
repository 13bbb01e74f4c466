/* prices_tsv: the registry's own format (vocabs/models.tsv, and price files in it) -> patches.
 * A header line names the columns (any order, unknown ones refused); every cell is checked and
 * an error names the file, line and column. */
#include "registry/registry.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned field; /* 0 for id */
} columns[] = {
    {"id", 0},                   {"provider", F_PROVIDER},     {"aliases", F_ALIASES},
    {"tokenizer", F_TOKENIZER},  {"approx", F_APPROX},         {"max_input", F_MAX_INPUT},
    {"context", F_CONTEXT},      {"max_output", F_MAX_OUTPUT}, {"input", F_INPUT},
    {"output", F_OUTPUT},        {"cached_input", F_CACHED},   {"cache_write", F_WRITE},
    {"batch_input", F_BATCH_IN}, {"batch_output", F_BATCH_OUT}, {"tiers", F_TIERS},
    {"source", F_SOURCE},        {"date", F_DATE},             {"notes", F_NOTES},
    {"basis", F_BASIS},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

typedef struct tsv_ctx {
    const char *data, *label;
    size_t len;
    tok_error *err;
} tsv_ctx;

static tok_status tsv_fail(const tsv_ctx *c, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tok_status tsv_fail(const tsv_ctx *c, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reg_fail_at(c->err, c->label, c->data, c->len, (size_t)(at - c->data), fmt, ap);
    va_end(ap);
    return TOK_EFORMAT;
}

tok_status reg_fail_at(tok_error *err, const char *label, const char *data, size_t len, size_t off,
                       const char *fmt, va_list ap)
{
    if (!err)
        return TOK_EFORMAT;
    uint32_t line, col;
    tok_line_col(data, len, off, &line, &col);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    tok_fail(err, TOK_EFORMAT, label, off, "%s:%u:%u: %s", label, line, col, msg);
    err->line = line;
    return TOK_EFORMAT;
}

/* A price: USD per million tokens, a plain decimal with at most 6 decimals -> pUSD/token. */
static tok_status cell_price(const tsv_ctx *c, const char *s, size_t n, const char *col,
                             uint64_t *out)
{
    if (n == 1 && s[0] == '-') {
        *out = TOK_PRICE_UNKNOWN;
        return TOK_OK;
    }
    tok_status st = tok_decimal_parse(s, n, 6, out);
    if (st == TOK_OK && *out == TOK_PRICE_UNKNOWN)
        st = TOK_ERANGE;
    if (st != TOK_OK)
        return tsv_fail(c, s, "%s '%.*s' is not a price in USD per million tokens (a plain "
                        "decimal with at most 6 decimals, or - for unknown)", col, (int)n, s);
    return TOK_OK;
}

static tok_status cell_count(const tsv_ctx *c, const char *s, size_t n, const char *col,
                             uint64_t *out)
{
    if (n == 1 && s[0] == '-') {
        *out = 0;
        return TOK_OK;
    }
    if (n == 0 || tok_decimal_parse(s, n, 0, out) != TOK_OK || memchr(s, '.', n))
        return tsv_fail(c, s, "%s '%.*s' is not a whole number of tokens (or - for unknown)",
                        col, (int)n, s);
    return TOK_OK;
}

/* "ENCODING*FACTOR" */
static tok_status cell_approx(const tsv_ctx *c, const char *s, size_t n, reg_patch *p)
{
    if (n == 1 && s[0] == '-') {
        p->approx_encoding = reg_dup_s("");
        p->approx_factor = p->approx_low = p->approx_high = 0;
        return p->approx_encoding ? TOK_OK : TOK_ENOMEM;
    }
    /* ENCODING*FACTOR or ENCODING*FACTOR[LOW-HIGH], LOW <= FACTOR <= HIGH */
    const char *star = memchr(s, '*', n), *br = memchr(s, '[', n);
    uint64_t f = 0, lo = 0, hi = 0;
    if (star) {
        char enc[64];
        size_t el = (size_t)(star - s), fl = (size_t)((br ? br : s + n) - star - 1);
        snprintf(enc, sizeof enc, "%.*s", (int)(el < 63 ? el : 63), s);
        bool ok = el < 64 && reg_is_encoding(enc) &&
                  tok_decimal_parse(star + 1, fl, 6, &f) == TOK_OK && f > 0 && f <= 100000000;
        lo = hi = f;
        if (ok && br) {
            const char *dash = memchr(br, '-', (size_t)(s + n - br));
            ok = dash && s[n - 1] == ']' &&
                 tok_decimal_parse(br + 1, (size_t)(dash - br - 1), 6, &lo) == TOK_OK &&
                 tok_decimal_parse(dash + 1, (size_t)(s + n - 1 - dash - 1), 6, &hi) == TOK_OK &&
                 lo > 0 && lo <= f && f <= hi && hi <= 100000000;
        }
        if (ok) {
            p->approx_encoding = reg_dup_s(enc);
            p->approx_factor = (uint32_t)f;
            p->approx_low = (uint32_t)lo;
            p->approx_high = (uint32_t)hi;
            return p->approx_encoding ? TOK_OK : TOK_ENOMEM;
        }
    }
    return tsv_fail(c, s, "approx '%.*s' is not ENCODING*FACTOR or ENCODING*FACTOR[LOW-HIGH] (a "
                    "built-in encoding and decimal factors such as o200k_base*1.2[1.1-1.4])",
                    (int)n, s);
}

/* "ABOVE:input=6,output=22.5;ABOVE:..." */
static tok_status cell_tiers(const tsv_ctx *c, const char *s, size_t n, reg_patch *p)
{
    if (n == 1 && s[0] == '-')
        return TOK_OK;
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += s[i] == ';';
    p->tiers = calloc(cap, sizeof *p->tiers);
    if (!p->tiers)
        return TOK_ENOMEM;
    const char *end = s + n, *q = s;
    while (q < end) {
        const char *te = memchr(q, ';', (size_t)(end - q));
        if (!te)
            te = end;
        const char *colon = memchr(q, ':', (size_t)(te - q));
        tok_price_tier *t = &p->tiers[p->n_tiers++];
        t->prices = (tok_prices){TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN, TOK_PRICE_UNKNOWN,
                                 TOK_PRICE_UNKNOWN};
        if (!colon || tok_decimal_parse(q, (size_t)(colon - q), 0, &t->above) != TOK_OK)
            return tsv_fail(c, q, "tier '%.*s' does not start with a token count and ':' "
                            "(200000:input=6,output=22.5)", (int)(te - q), q);
        for (const char *kv = colon + 1; kv < te;) {
            const char *ke = memchr(kv, ',', (size_t)(te - kv));
            if (!ke)
                ke = te;
            const char *eq = memchr(kv, '=', (size_t)(ke - kv));
            uint64_t *dst = NULL;
            size_t kl = eq ? (size_t)(eq - kv) : 0;
            if (eq && kl == 5 && !memcmp(kv, "input", 5)) dst = &t->prices.input;
            else if (eq && kl == 6 && !memcmp(kv, "output", 6)) dst = &t->prices.output;
            else if (eq && kl == 12 && !memcmp(kv, "cached_input", 12)) dst = &t->prices.cached_input;
            else if (eq && kl == 11 && !memcmp(kv, "cache_write", 11)) dst = &t->prices.cache_write;
            if (!dst)
                return tsv_fail(c, kv, "tier price '%.*s' is not input=, output=, cached_input= "
                                "or cache_write= and a price", (int)(ke - kv), kv);
            tok_status st = cell_price(c, eq + 1, (size_t)(ke - eq - 1), "tier price", dst);
            if (st != TOK_OK)
                return st;
            kv = ke + (ke < te);
        }
        q = te + (te < end);
    }
    if (!reg_tiers_sort(p->tiers, p->n_tiers))
        return tsv_fail(c, s, "two tiers start above the same token count");
    return TOK_OK;
}

static tok_status cell_aliases(const char *s, size_t n, reg_patch *p)
{
    if (n == 1 && s[0] == '-')
        return TOK_OK;
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += s[i] == ',';
    p->aliases = calloc(cap, sizeof *p->aliases);
    if (!p->aliases)
        return TOK_ENOMEM;
    for (const char *q = s, *end = s + n; q < end;) {
        const char *e = memchr(q, ',', (size_t)(end - q));
        if (!e)
            e = end;
        if (e > q && !(p->aliases[p->n_aliases++] = reg_dup(q, (size_t)(e - q))))
            return TOK_ENOMEM;
        q = e + 1;
    }
    return TOK_OK;
}

static tok_status cell_str(const char *s, size_t n, char **out)
{
    *out = (n == 1 && s[0] == '-') ? reg_dup_s("") : reg_dup(s, n);
    return *out ? TOK_OK : TOK_ENOMEM;
}

static tok_status tsv_cell(const tsv_ctx *c, unsigned field, const char *s, size_t n,
                           reg_patch *p)
{
    switch (field) {
    case F_PROVIDER: return cell_str(s, n, &p->provider);
    case F_ALIASES: return cell_aliases(s, n, p);
    case F_TOKENIZER: return cell_str(s, n, &p->tokenizer);
    case F_APPROX: return cell_approx(c, s, n, p);
    case F_MAX_INPUT: return cell_count(c, s, n, "max_input", &p->max_input);
    case F_CONTEXT: return cell_count(c, s, n, "context", &p->context);
    case F_MAX_OUTPUT: return cell_count(c, s, n, "max_output", &p->max_output);
    case F_INPUT: return cell_price(c, s, n, "input", &p->prices.input);
    case F_OUTPUT: return cell_price(c, s, n, "output", &p->prices.output);
    case F_CACHED: return cell_price(c, s, n, "cached_input", &p->prices.cached_input);
    case F_WRITE: return cell_price(c, s, n, "cache_write", &p->prices.cache_write);
    case F_BATCH_IN: return cell_price(c, s, n, "batch_input", &p->batch_input);
    case F_BATCH_OUT: return cell_price(c, s, n, "batch_output", &p->batch_output);
    case F_TIERS: return cell_tiers(c, s, n, p);
    case F_SOURCE: return cell_str(s, n, &p->source);
    case F_DATE:
        if (!(n == 1 && s[0] == '-') && !reg_is_date(s, n))
            return tsv_fail(c, s, "date '%.*s' is not YYYY-MM-DD", (int)n, s);
        return cell_str(s, n, &p->date);
    case F_NOTES: return cell_str(s, n, &p->notes);
    case F_BASIS: return cell_str(s, n, &p->basis);
    default: return TOK_EINVAL;
    }
}

/* Trim spaces around a cell. */
static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\r')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

tok_status tok_prices_tsv_parse(const char *data, size_t len, const char *label,
                                reg_patches *out, tok_error *err)
{
    tsv_ctx c = {data, label, len, err};
    unsigned col_field[N_COLUMNS];
    size_t n_cols = 0;
    bool have_header = false;
    memset(out, 0, sizeof *out);
    tok_status st = TOK_OK;
    uint32_t lineno = 0; /* counted as the loop goes: every turn takes one line */
    for (const char *line = data, *end = data + len; line < end && st == TOK_OK;) {
        lineno++;
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        size_t ll = (size_t)(le - line);
        if (ll && line[ll - 1] == '\r')
            ll--;
        if (ll == 0 || line[0] == '#') {
            line = next;
            continue;
        }
        if (line[0] == '@') {
            const char *tab = memchr(line, '\t', ll);
            if (!tab || (size_t)(tab - line) != 5 || memcmp(line, "@date", 5) != 0 ||
                !reg_is_date(tab + 1, ll - 6))
                st = tsv_fail(&c, line, "a directive must be '@date<TAB>YYYY-MM-DD'");
            else
                memcpy(out->date, tab + 1, 10);
            line = next;
            continue;
        }
        /* split into cells */
        const char *cell[N_COLUMNS + 1];
        size_t cell_n[N_COLUMNS + 1], nc = 0;
        for (const char *q = line, *qe = line + ll;;) {
            const char *tab = memchr(q, '\t', (size_t)(qe - q));
            const char *ce = tab ? tab : qe;
            if (nc <= N_COLUMNS) {
                cell[nc] = q;
                cell_n[nc] = (size_t)(ce - q);
                trim(&cell[nc], &cell_n[nc]);
            }
            nc++;
            if (!tab)
                break;
            q = tab + 1;
        }
        if (!have_header) {
            if (nc > N_COLUMNS) {
                st = tsv_fail(&c, line, "the header names %zu columns; there are only %zu",
                              nc, (size_t)N_COLUMNS);
                break;
            }
            bool has_id = false;
            for (size_t k = 0; k < nc && st == TOK_OK; k++) {
                size_t j = 0;
                while (j < N_COLUMNS && (strlen(columns[j].name) != cell_n[k] ||
                                         memcmp(columns[j].name, cell[k], cell_n[k]) != 0))
                    j++;
                if (j == N_COLUMNS) {
                    st = tsv_fail(&c, cell[k], "unknown column '%.*s' (the columns are those "
                                  "of vocabs/models.tsv: id, provider, aliases, tokenizer, "
                                  "approx, max_input, context, max_output, input, output, "
                                  "cached_input, cache_write, batch_input, batch_output, "
                                  "tiers, source, date, notes)", (int)cell_n[k], cell[k]);
                    break;
                }
                for (size_t m = 0; m < k; m++)
                    if (col_field[m] == columns[j].field)
                        st = tsv_fail(&c, cell[k], "column '%s' appears twice", columns[j].name);
                col_field[k] = columns[j].field;
                has_id |= columns[j].field == 0;
            }
            if (st == TOK_OK && !has_id)
                st = tsv_fail(&c, line, "the header has no 'id' column (is this a price "
                              "file? expected a LiteLLM JSON object or a tokscope TSV)");
            n_cols = nc;
            have_header = true;
            line = next;
            continue;
        }
        if (nc != n_cols) {
            st = tsv_fail(&c, line, "%zu cells; the header has %zu columns", nc, n_cols);
            break;
        }
        reg_patch *p = reg_patch_add(out);
        if (!p) {
            st = tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
            break;
        }
        p->line = lineno;
        for (size_t k = 0; k < nc && st == TOK_OK; k++) {
            if (col_field[k] == 0) {
                if (cell_n[k] == 0 || (cell_n[k] == 1 && cell[k][0] == '-'))
                    st = tsv_fail(&c, cell[k], "a row needs an id");
                else if (!(p->name = reg_dup(cell[k], cell_n[k])))
                    st = TOK_ENOMEM;
                continue;
            }
            st = tsv_cell(&c, col_field[k], cell[k], cell_n[k], p);
            p->set |= col_field[k];
        }
        if (st == TOK_ENOMEM)
            tok_fail(err, TOK_ENOMEM, label, TOK_NO_OFFSET, "out of memory");
        line = next;
    }
    if (st == TOK_OK && !have_header)
        st = tsv_fail(&c, data + len, "no header line (expected the column names, starting "
                      "with id)");
    if (st != TOK_OK)
        reg_patches_free(out);
    return st;
}
