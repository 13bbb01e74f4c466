/* common: messages, input, tokenizer choice and JSON helpers shared by the commands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *prog = "tokscope";

void warnx_(const char *fmt, ...)
{
    va_list ap;
    /* what was printed before the message comes before it where both streams meet (2>&1,
     * a terminal): standard output is buffered when it is not a terminal */
    fflush(stdout);
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void warn_err(const char *source, const tok_error *err)
{
    /* Library messages name the file when it knows it; for text it was handed, prefix ours. */
    if (source && err->source[0] == 0 && strncmp(err->message, source, strlen(source)) != 0)
        warnx_("%s: %s", shown_name(source), err->message);
    else
        warnx_("%s", err->message);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s%s%s: ", prog, cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s%s%s --help'.\n", prog, cmd ? " " : "", cmd ? cmd : "");
    return EXIT_BAD;
}

bool read_input(const char *path, input *in)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    in->data = NULL;
    in->len = 0;
    if (!f) {
        warnx_("%s: %s", shown_name(path), strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        warnx_("%s: is a directory", shown_name(path));
        if (!is_stdin)
            fclose(f);
        return false;
    }
    /* A regular file's size is known; a pipe or device could go on forever (/dev/zero): read at
     * most MAX_STREAM_INPUT from it, and say so rather than grow without end. */
    bool regular = S_ISREG(st.st_mode) && st.st_size > 0;
    size_t cap = regular ? (size_t)st.st_size + 1 : 65536;
    char *buf = malloc(cap);
    size_t n = 0;
    while (buf) {
        if (!regular && n >= MAX_STREAM_INPUT) {
            warnx_("%s: more than %d MiB from a pipe or device; tokscope reads at most that much "
                   "that way (a regular file has no such limit)",
                   is_stdin ? "<stdin>" : shown_name(path), MAX_STREAM_INPUT >> 20);
            free(buf);
            if (!is_stdin)
                fclose(f);
            return false;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                warnx_("%s: read error after %zu bytes: %s", is_stdin ? "<stdin>" : shown_name(path),
                       n, strerror(errno));
                free(buf);
                if (!is_stdin)
                    fclose(f);
                return false;
            }
            break;
        }
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    if (!is_stdin)
        fclose(f);
    if (!buf) {
        warnx_("%s: out of memory", shown_name(path));
        return false;
    }
    in->data = buf;
    in->len = n;
    return true;
}

bool read_text_input(char *const *words, size_t n, const char *file, input *in,
                     const char **label)
{
    in->data = NULL;
    in->len = 0;
    if (n) {
        struct stat st;
        if (n == 1 && !file && stat(words[0], &st) == 0 && S_ISREG(st.st_mode))
            warnx_("'%s' is read as text, not as the file of that name (-f %s reads the file)",
                   shown_name(words[0]), shown_name(words[0]));
        size_t len = 1;
        for (size_t i = 0; i < n; i++)
            len += strlen(words[i]) + 1;
        in->data = malloc(len);
        if (!in->data) {
            warnx_("out of memory");
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(words[i]);
            memcpy(in->data + in->len, words[i], l);
            in->len += l;
            if (i + 1 < n)
                in->data[in->len++] = ' ';
        }
        *label = "<argument>";
        return true;
    }
    const char *path = file ? file : "-";
    if (!read_input(path, in))
        return false;
    *label = strcmp(path, "-") ? path : "<stdin>";
    return true;
}

void input_free(input *in)
{
    free(in->data);
    in->data = NULL;
}

void choices_add(tok_choices *c, char kind, const char *arg)
{
    if (c->n == MAX_CHOICES) {
        warnx_("at most %d tokenizers at once", MAX_CHOICES);
        exit(EXIT_BAD);
    }
    const char *label = shown_name(arg);
    if (label != arg && !(label = strdup(label))) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    c->v[c->n++] = (tok_choice){kind, arg, label, NULL, NULL, false, NULL, label};
}

const tok_registry *cli_registry(void)
{
    static tok_registry *reg; /* lives as long as the process: models point into it */
    if (!reg) {
        tok_error err;
        if (tok_registry_open(&reg, &err) != TOK_OK) {
            warn_err(NULL, &err);
            exit(EXIT_BAD);
        }
    }
    return reg;
}

/* A factor in millionths as a decimal ("1.2"). */
static const char *factor_text(uint32_t f, char *buf, size_t cap)
{
    tok_decimal_format(f, 6, buf, cap);
    return buf;
}

/* -m NAME: exact through tok_open_model (OpenAI names, registry models with their tokenizer,
 * the Hugging Face cache); a registry model it cannot count exactly is opened as its estimate. */
static tok_status open_model_choice(tok_choice *ch, bool exact_only, tok_error *err)
{
    tok_status st = tok_open_model(ch->arg, &ch->tok, err);
    const tok_model *m = NULL;
    if (tok_model_find(cli_registry(), ch->arg, &m, NULL) == TOK_OK)
        ch->model = m;
    if (st == TOK_OK || !m || (st != TOK_EUNSUPPORTED && st != TOK_ENOENT))
        return st;
    bool exact;
    st = tok_model_open_tokenizer(m, NULL, 0, &ch->tok, &exact, err);
    if (st != TOK_OK || exact) /* exact here: tok_open_model's error was about something else */
        return st;
    ch->estimate = true;
    ch->why = m->tokenizer[0] ? "its vocabulary is not installed (make vocabs builds it)"
                              : "its tokenizer is not public";
    char title[512];
    snprintf(title, sizeof title, "%s (%s's tokens)", ch->label, m->approx_encoding);
    if (!(ch->title = strdup(title))) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    if (exact_only) {
        tok_close(ch->tok);
        ch->tok = NULL;
        memset(err, 0, sizeof *err);
        err->status = TOK_EUNSUPPORTED;
        snprintf(err->message, sizeof err->message,
                 "%s: %s, so its token ids cannot be known (count, show and cost give "
                 "estimates)", ch->label, ch->why);
        return TOK_EUNSUPPORTED;
    }
    char f[32], lo[32], hi[32];
    if (m->tokenizer[0])
        warnx_("~ %s: its vocabulary %s is not installed (make vocabs builds it), so its counts "
               "are estimates: %s tokens x %s (range x%s-%s)", ch->label, m->tokenizer,
               m->approx_encoding, factor_text(m->approx_factor, f, sizeof f),
               factor_text(m->approx_low, lo, sizeof lo), factor_text(m->approx_high, hi, sizeof hi));
    else { /* the basis without its sources (--json and tokscope models give them) */
        const char *b = m->basis, *src = strstr(b, ". Source: ");
        if (!strncmp(b, "estimate: ", 10))
            b += 10;
        int bl = src && src > b ? (int)(src - b) : (int)strlen(b);
        warnx_("~ %s: its tokenizer is not public, so its counts are estimates: %s tokens x %s "
               "(range x%s-%s); basis: %.*s", ch->label, m->approx_encoding,
               factor_text(m->approx_factor, f, sizeof f),
               factor_text(m->approx_low, lo, sizeof lo),
               factor_text(m->approx_high, hi, sizeof hi), bl, b);
    }
    return TOK_OK;
}

/* An encoding named with -m, or a model with -e: say which flag takes it (true when said). */
static bool wrong_flag(const tok_choice *ch)
{
    bool encoding = false;
    for (size_t i = 0; i < tok_builtin_count(); i++)
        encoding = encoding || !strcmp(tok_builtin_name(i), ch->arg);
    if (ch->kind == 'm' && encoding) {
        warnx_("'%s' is an encoding, not a model: -e %s counts with it", ch->arg, ch->arg);
        return true;
    }
    const tok_model *m;
    const char *enc;
    if (ch->kind == 'e' && !encoding &&
        (tok_model_find(cli_registry(), ch->arg, &m, NULL) == TOK_OK ||
         tok_encoding_for_model(ch->arg, &enc, NULL) == TOK_OK)) {
        warnx_("'%s' is a model, not an encoding: -m %s counts with its tokenizer", ch->arg,
               ch->arg);
        return true;
    }
    return false;
}

static bool open_all(tok_choices *c, const char *def, bool exact_only)
{
    if (c->n == 0)
        choices_add(c, 'e', def);
    for (size_t i = 0; i < c->n; i++) {
        tok_choice *ch = &c->v[i];
        tok_error err;
        tok_open_options oo = {.pattern = c->pattern};
        tok_status st = ch->kind == 'e'   ? tok_open_encoding(ch->arg, &ch->tok, &err)
                        : ch->kind == 'm' ? open_model_choice(ch, exact_only, &err)
                                          : tok_open_file(ch->arg, &oo, &ch->tok, &err);
        if (st == TOK_ENOENT && wrong_flag(ch))
            return false;
        if (st != TOK_OK) {
            warn_err(NULL, &err);
            return false;
        }
    }
    return true;
}

bool choices_open(tok_choices *c, const char *def) { return open_all(c, def, false); }
bool choices_open_exact(tok_choices *c, const char *def) { return open_all(c, def, true); }

uint64_t choice_tokens(const tok_choice *ch, uint64_t raw)
{
    return ch->estimate ? tok_model_approx_count(ch->model, raw) : raw;
}

void choice_range(const tok_choice *ch, uint64_t raw, uint64_t *low, uint64_t *high)
{
    if (ch->estimate)
        tok_model_approx_range(ch->model, raw, low, high);
    else
        *low = *high = raw;
}

const char *choice_mark(const tok_choice *ch) { return ch->estimate ? "~" : ""; }

const char *choice_cell(const tok_choice *ch, uint64_t raw, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%llu", choice_mark(ch), (unsigned long long)choice_tokens(ch, raw));
    return buf;
}

uint64_t choice_raw_limit(const tok_choice *ch, uint64_t n)
{
    if (!ch->estimate || !ch->model->approx_factor)
        return n;
    return (uint64_t)(((unsigned __int128)n * 1000000) / ch->model->approx_factor);
}

const char *choice_proxy_note(const tok_choice *ch, uint64_t raw, char *buf, size_t cap)
{
    if (cap)
        buf[0] = 0;
    if (!ch->estimate)
        return buf;
    uint64_t lo, hi;
    choice_range(ch, raw, &lo, &hi);
    snprintf(buf, cap, " -- the tokens of %s, its proxy: ~%llu tokens, range %llu-%llu",
             ch->model->approx_encoding, (unsigned long long)choice_tokens(ch, raw),
             (unsigned long long)lo, (unsigned long long)hi);
    return buf;
}

void choice_json_exactness(FILE *f, const tok_choice *ch)
{
    if (!ch->estimate) {
        fputs(",\"exact\":true", f);
        return;
    }
    const tok_model *m = ch->model;
    char a[32], b[32], c[32];
    fprintf(f, ",\"exact\":false,\"estimate\":{\"model\":");
    json_str(f, m->id, strlen(m->id));
    fputs(",\"why\":", f);
    json_str(f, ch->why, strlen(ch->why));
    fputs(",\"proxy\":", f);
    json_str(f, m->approx_encoding, strlen(m->approx_encoding));
    fprintf(f, ",\"factor\":%s,\"factor_low\":%s,\"factor_high\":%s,\"basis\":",
            factor_text(m->approx_factor, a, sizeof a), factor_text(m->approx_low, b, sizeof b),
            factor_text(m->approx_high, c, sizeof c));
    json_str(f, m->basis, strlen(m->basis));
    fputc('}', f);
}

void choices_close(tok_choices *c)
{
    for (size_t i = 0; i < c->n; i++) {
        tok_close(c->v[i].tok);
        c->v[i].tok = NULL;
        if (c->v[i].title != c->v[i].label)
            free((char *)c->v[i].title);
        if (c->v[i].label != c->v[i].arg)
            free((char *)c->v[i].label);
    }
    c->n = 0;
}

void cli_tokenizers(const cli_args *a, tok_choices *c)
{
    if (cli_find(a->cmd, "pattern") >= 0)
        c->pattern = cli_text(a, "pattern");
    for (size_t k = 0; k < a->n_list; k++) {
        const cli_opt *o = &a->cmd->opts[a->list[k].opt];
        if (o->kind == CLI_TOKENIZER)
            choices_add(c, o->letter, a->list[k].value);
    }
}

tok_encode_options cli_encode_options(const cli_args *a)
{
    /* the words of --special in the order of tok_special_policy */
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    int i = cli_find(a->cmd, "special");
    if (i >= 0 && a->given[i])
        o.special = (tok_special_policy)a->num[i];
    if ((i = cli_find(a->cmd, "lossy")) >= 0 && a->given[i])
        o.flags |= TOK_ENCODE_LOSSY_UTF8;
    if ((i = cli_find(a->cmd, "add-special")) >= 0 && a->given[i])
        o.flags |= TOK_ENCODE_ADD_SPECIAL;
    return o;
}

bool parse_count(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid; then *bad gets the length of
 * the maximal invalid subpart (what one U+FFFD replaces, as Python's and Rust's lossy decoders
 * count it). */
static size_t utf8_len(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char c = s[0];
    size_t need = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    *bad = 1;
    if (!need)
        return 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    for (size_t k = 1; k < need; k++) {
        if (k >= n || s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xBF)) {
            *bad = k;
            return 0;
        }
    }
    return need;
}

void json_str(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    putc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc(c, f);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            default: fprintf(f, "\\u%04x", c);
            }
            i++;
        } else if (c < 0x80) {
            putc(c, f);
            i++;
        } else {
            size_t bad, l = utf8_len(p + i, n - i, &bad);
            if (l) {
                fwrite(p + i, 1, l, f);
                i += l;
            } else {
                fputs("\xEF\xBF\xBD", f);
                i += bad;
            }
        }
    }
    putc('"', f);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *p, const char *end, unsigned *v)
{
    if (end - p < 4)
        return false;
    *v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p[k]);
        if (h < 0)
            return false;
        *v = *v * 16 + (unsigned)h;
    }
    return true;
}

static size_t put_utf8(unsigned cp, char *o)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | (cp >> 6 & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | (cp >> 12 & 63));
    o[2] = (char)(0x80 | (cp >> 6 & 63)); o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

const char *json_parse_string(const char *line, size_t n, char **out, size_t *out_len,
                              size_t *col)
{
    const char *p = line, *end = line + n;
    *out = NULL;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p != '"') {
        *col = (size_t)(p - line) + 1;
        return "expected a JSON string";
    }
    p++;
    char *buf = malloc(n + 1), *o = buf; /* escapes never expand */
    if (!buf) {
        *col = 1;
        return "out of memory";
    }
    const char *msg = NULL;
    for (;;) {
        if (p >= end) {
            msg = "unterminated string";
            break;
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            p++;
            break;
        }
        if (c < 0x20) {
            msg = "control character in string (must be escaped)";
            break;
        }
        if (c != '\\') {
            *o++ = (char)c;
            p++;
            continue;
        }
        if (++p >= end) {
            msg = "unterminated escape";
            break;
        }
        char e = *p++;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (!hex4(p, end, &cp)) {
                msg = "bad \\u escape";
                break;
            }
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, end, &lo) &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    msg = "lone surrogate in \\u escape (not valid text)";
                    break;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                msg = "lone surrogate in \\u escape (not valid text)";
                break;
            }
            o += put_utf8(cp, o);
            break;
        }
        default: msg = "unknown escape";
        }
        if (msg)
            break;
    }
    if (!msg) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p != end)
            msg = "text after the string";
    }
    if (msg) {
        *col = (size_t)(p - line) + 1;
        free(buf);
        return msg;
    }
    *out = buf;
    *out_len = (size_t)(o - buf);
    return NULL;
}

bool next_line(line_iter *it, const char **line, size_t *len)
{
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *e = nl ? nl : it->end;
    *line = it->p;
    *len = (size_t)(e - it->p);
    if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
    it->p = nl ? nl + 1 : it->end;
    it->lineno++;
    return true;
}

int run_status(const run_tally *t, const char *noun, const char *done)
{
    /* one line, when the messages above do not already say it all: some inputs failed among
     * others, or inputs failed and counts were over the limit too */
    if (t->failed && (t->inputs > 1 || t->over)) {
        char over[96] = "";
        if (t->over)
            snprintf(over, sizeof over, "; %zu %s over the limit", t->over,
                     t->over == 1 ? "count is" : "counts are");
        warnx_("%zu of %zu %s%s could not be %s%s (exit status 2)", t->failed, t->inputs, noun,
               t->inputs == 1 ? "" : "s", done, over);
    }
    return t->failed ? EXIT_BAD : t->over ? EXIT_OVER : EXIT_OK;
}

void check_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE)
            exit(EXIT_OK);
        warnx_("write error: %s", strerror(errno));
        exit(EXIT_BAD);
    }
}
