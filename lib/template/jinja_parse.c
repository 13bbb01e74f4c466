/* parse.c -- Jinja2's lexer and parser, with the settings transformers uses (trim_blocks,
 * lstrip_blocks, loop controls, its {% generation %} tag).
 *
 * The lexer follows jinja2/lexer.py rule for rule: newlines normalised to \n and one trailing
 * newline dropped; a data run ends at the first {{, {% or {#; "-" after the opening strips all
 * whitespace before it, and otherwise (not for {{, not with "+") lstrip_blocks removes spaces
 * and tabs between the line start and the tag; "-" before the closing strips whitespace after
 * it, and trim_blocks drops one newline after %} and #}. Inside a tag, brackets must balance
 * before an end delimiter counts. The parser is jinja2/parser.py's recursive descent (same
 * precedence: or < and < not < comparisons < + - < ~ < * / // % < ** (left-assoc) < unary <
 * postfix, filters and tests binding to the unary operand). Depth is bounded. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/tmpl_internal.h"

enum { MAX_PARSE_DEPTH = 256 };

typedef enum tok_type {
    T_EOF,
    T_DATA,
    T_VAR_BEGIN,
    T_VAR_END,
    T_BLOCK_BEGIN,
    T_BLOCK_END,
    T_NAME,
    T_STRING,
    T_INT,
    T_FLOAT,
    T_OP,
} tok_type;

/* operator codes (T_OP): single characters, plus these for two-character operators */
enum { OP_FLOORDIV = 'F', OP_POW = 'P', OP_EQ = 'E', OP_NE = 'N', OP_GE = 'G', OP_LE = 'L' };

typedef struct token {
    uint8_t type;
    char op;
    int line, col;
    const char *p; /* name / data text (data: in the arena) */
    size_t n;
    const vstr *s; /* string literal value */
    int64_t i;
    double f;
} token;

typedef struct linecache {
    size_t off;
    int line, col; /* col: code points since the line start */
} linecache;

typedef struct parser {
    tmpl *t;
    tmpl_error *err;
    jmp_buf jb;
    const char *src; /* normalised source */
    size_t n;
    token *toks;
    size_t ntoks, cap, pos;
    unsigned depth;
    linecache lc;
    int *sym_index; /* hash of t->syms: id + 1, 0 empty */
    uint32_t sym_index_cap;
} parser;

_Noreturn static void pfail_at(parser *ps, tmpl_status st, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
_Noreturn static void pfail_at(parser *ps, tmpl_status st, int line, int col, const char *fmt, ...)
{
    if (ps->err) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
        va_end(ap);
        ps->err->status = st;
        ps->err->line = line;
        ps->err->column = col;
        ps->err->message_len = n > 0 ? (size_t)n : 0;
    }
    longjmp(ps->jb, 1);
}

static void on_arena_fail(void *ud, bool limit)
{
    parser *ps = ud;
    (void)limit;
    pfail_at(ps, TMPL_ERR_NOMEM, 0, 0, "out of memory");
}

/* ---- lexer ---- */

/* Line and column of a source offset. Tokens come in increasing offset order, so the scan
 * resumes from the previous answer: linear overall, not quadratic (even on one long line). */
static void pos_of(parser *ps, size_t off, int *line, int *col)
{
    linecache *lc = &ps->lc;
    if (off < lc->off) {
        lc->off = 0;
        lc->line = 1;
        lc->col = 0;
    }
    for (size_t i = lc->off; i < off && i < ps->n; i++) {
        unsigned char ch = (unsigned char)ps->src[i];
        if (ch == '\n') {
            lc->line++;
            lc->col = 0;
        } else if ((ch & 0xC0) != 0x80) {
            lc->col++;
        }
    }
    lc->off = off;
    *line = lc->line;
    *col = lc->col + 1;
}

static token *push_tok(parser *ps, tok_type type, size_t off)
{
    if (ps->ntoks == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 256;
        token *nt = tp_arena_alloc(&ps->t->mem, sizeof(token) * cap);
        if (ps->ntoks)
            memcpy(nt, ps->toks, sizeof(token) * ps->ntoks);
        ps->toks = nt;
        ps->cap = cap;
    }
    token *tk = &ps->toks[ps->ntoks++];
    memset(tk, 0, sizeof *tk);
    tk->type = (uint8_t)type;
    pos_of(ps, off, &tk->line, &tk->col);
    return tk;
}

static bool is_py_space_at(const char *s, size_t n, size_t i, size_t *len)
{
    size_t k = i;
    uint32_t c = tp_utf8_next(s, n, &k);
    *len = k - i;
    return tp_uni_isspace(c);
}

/* Python's str.rstrip() of s[0..n) -> new length */
static size_t rstrip_len(const char *s, size_t n)
{
    size_t end = n;
    while (end > 0) {
        size_t st = end - 1;
        while (st > 0 && ((unsigned char)s[st] & 0xC0) == 0x80)
            st--;
        size_t len;
        if (!is_py_space_at(s, n, st, &len))
            break;
        end = st;
    }
    return end;
}

static bool all_space(const char *s, size_t n)
{
    if (n == 0)
        return false; /* \s+ needs one character */
    size_t i = 0;
    while (i < n) {
        size_t len;
        if (!is_py_space_at(s, n, i, &len))
            return false;
        i += len;
    }
    return true;
}

static size_t skip_space(const parser *ps, size_t i)
{
    while (i < ps->n) {
        size_t len;
        if (!is_py_space_at(ps->src, ps->n, i, &len))
            break;
        i += len;
    }
    return i;
}

static void emit_data(parser *ps, size_t off, const char *p, size_t n)
{
    if (!n)
        return;
    token *tk = push_tok(ps, T_DATA, off);
    tk->p = p;
    tk->n = n;
}

/* Apply the whitespace control of the tag at src[tag] (kind '{', '%' or '#', sign) to the
 * data text src[start..tag) and emit it. */
static void data_before_tag(parser *ps, size_t start, size_t tag, char kind, char sign, bool line_starting)
{
    const char *text = ps->src + start;
    size_t n = tag - start;
    if (sign == '-') {
        n = rstrip_len(text, n);
    } else if (sign != '+' && kind != '{') {
        size_t l_pos = 0;
        for (size_t i = n; i > 0; i--)
            if (text[i - 1] == '\n') {
                l_pos = i;
                break;
            }
        if ((l_pos > 0 || line_starting) && all_space(text + l_pos, n - l_pos))
            n = l_pos;
    }
    emit_data(ps, start, text, n);
}

static bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Python's "unicode-escape" decoding of a string literal's body, as jinja2's lexer does it. */
static const vstr *unescape(parser *ps, const char *p, size_t n, size_t off)
{
    sbuf b;
    tp_sb_init(&b, &ps->t->mem);
    size_t i = 0;
    while (i < n) {
        char c = p[i];
        if (c != '\\') {
            size_t j = i + 1;
            while (j < n && p[j] != '\\')
                j++;
            tp_sb_put(&b, p + i, j - i);
            i = j;
            continue;
        }
        if (i + 1 >= n) {
            int line, col;
            pos_of(ps, off + i, &line, &col);
            pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "\\ at end of string");
        }
        unsigned char e = (unsigned char)p[i + 1];
        i += 2;
        uint32_t cp = 0;
        int want = 0;
        switch (e) {
        case '\\': tp_sb_putc(&b, '\\'); break;
        case '\'': tp_sb_putc(&b, '\''); break;
        case '"': tp_sb_putc(&b, '"'); break;
        case 'a': tp_sb_putc(&b, '\a'); break;
        case 'b': tp_sb_putc(&b, '\b'); break;
        case 'f': tp_sb_putc(&b, '\f'); break;
        case 'n': tp_sb_putc(&b, '\n'); break;
        case 'r': tp_sb_putc(&b, '\r'); break;
        case 't': tp_sb_putc(&b, '\t'); break;
        case 'v': tp_sb_putc(&b, '\v'); break;
        case '\n': break; /* line continuation */
        case 'x': want = 2; break;
        case 'u': want = 4; break;
        case 'U': want = 8; break;
        case 'N': {
            int line, col;
            pos_of(ps, off + i - 2, &line, &col);
            pfail_at(ps, TMPL_ERR_UNSUPPORTED, line, col, "\\N{...} escapes in string literals are not supported");
        }
        default:
            if (e >= '0' && e <= '7') {
                cp = e - '0';
                for (int k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++)
                    cp = cp * 8 + (uint32_t)(p[i++] - '0');
                tp_utf8_put(&b, cp);
            } else if (e >= 0x80) {
                /* backslashreplace turned the character into an escape's text first */
                size_t k = i - 1;
                uint32_t ch = tp_utf8_next(p, n, &k);
                tp_sb_putc(&b, '\\');
                if (ch <= 0xFF)
                    tp_sb_printf(&b, "x%02x", ch);
                else if (ch <= 0xFFFF)
                    tp_sb_printf(&b, "u%04x", ch);
                else
                    tp_sb_printf(&b, "U%08x", ch);
                i = k;
            } else {
                tp_sb_putc(&b, '\\');
                tp_sb_putc(&b, (char)e);
            }
            break;
        }
        if (want) {
            for (int k = 0; k < want; k++) {
                char h = i < n ? p[i] : 0;
                int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (v < 0) {
                    int line, col;
                    pos_of(ps, off + i, &line, &col);
                    pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "truncated \\%c escape in a string literal", e);
                }
                cp = cp * 16 + (uint32_t)v;
                i++;
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                int line, col;
                pos_of(ps, off + i, &line, &col);
                pfail_at(ps, TMPL_ERR_UNSUPPORTED, line, col, "string literal escape U+%04X is not representable in UTF-8", cp);
            }
            tp_utf8_put(&b, cp);
        }
    }
    return tp_vstr_new(&ps->t->mem, b.p ? b.p : "", b.n);
}

/* Lex the inside of a {{ }} or {% %} starting at i; returns the offset after the end delimiter
 * and sets *line_starting. */
static size_t lex_tag(parser *ps, size_t i, bool block, bool *line_starting)
{
    const char *s = ps->src;
    size_t n = ps->n;
    char bal[MAX_PARSE_DEPTH];
    int nbal = 0;
    char close = block ? '%' : '}';
    for (;;) {
        if (i >= n) {
            int line, col;
            pos_of(ps, n, &line, &col);
            pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "unexpected end of template, expected '%s'", block ? "end of statement block" : "end of print statement");
        }
        /* end delimiters (only with balanced brackets) */
        if (nbal == 0) {
            if (block && s[i] == '+' && i + 2 < n + 0 && s[i + 1] == '%' && s[i + 2] == '}') {
                push_tok(ps, T_BLOCK_END, i);
                *line_starting = false;
                return i + 3;
            }
            if (s[i] == '-' && i + 2 < n && s[i + 1] == close && s[i + 2] == '}') {
                push_tok(ps, block ? T_BLOCK_END : T_VAR_END, i);
                size_t e = skip_space(ps, i + 3);
                *line_starting = e > i + 3 && s[e - 1] == '\n';
                return e;
            }
            if (s[i] == close && i + 1 < n && s[i + 1] == '}') {
                push_tok(ps, block ? T_BLOCK_END : T_VAR_END, i);
                size_t e = i + 2;
                if (block && e < n && s[e] == '\n')
                    e++; /* trim_blocks */
                *line_starting = s[e - 1] == '\n';
                return e;
            }
        }
        char c = s[i];
        size_t len;
        if (is_py_space_at(s, n, i, &len)) {
            i += len;
            continue;
        }
        /* float: digits ( .digits [e..] | e.. ), not right after a '.' */
        if (is_digit(c) && !(i > 0 && s[i - 1] == '.')) {
            size_t j = i;
            while (j < n && (is_digit(s[j]) || (s[j] == '_' && j + 1 < n && is_digit(s[j + 1]))))
                j++;
            size_t k = j;
            bool isf = false;
            if (k + 1 < n && s[k] == '.' && is_digit(s[k + 1])) {
                k++;
                while (k < n && (is_digit(s[k]) || (s[k] == '_' && k + 1 < n && is_digit(s[k + 1]))))
                    k++;
                isf = true;
            }
            if (k < n && (s[k] == 'e' || s[k] == 'E')) {
                size_t m = k + 1;
                if (m < n && (s[m] == '+' || s[m] == '-'))
                    m++;
                if (m < n && is_digit(s[m])) {
                    while (m < n && (is_digit(s[m]) || (s[m] == '_' && m + 1 < n && is_digit(s[m + 1]))))
                        m++;
                    k = m;
                    isf = true;
                }
            }
            char tmp[128];
            size_t tl = 0;
            if (isf) {
                for (size_t q = i; q < k && tl < sizeof tmp - 1; q++)
                    if (s[q] != '_')
                        tmp[tl++] = s[q];
                tmp[tl] = 0;
                token *tk = push_tok(ps, T_FLOAT, i);
                tk->f = strtod(tmp, NULL);
                i = k;
                continue;
            }
        }
        if (is_digit(c)) {
            size_t j = i;
            int base = 10;
            if (c == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X' || s[i + 1] == 'o' || s[i + 1] == 'O' || s[i + 1] == 'b' || s[i + 1] == 'B')) {
                char pfx = (char)(s[i + 1] | 0x20);
                base = pfx == 'x' ? 16 : pfx == 'o' ? 8 : 2;
                j = i + 2;
            }
            char tmp[128];
            size_t tl = 0;
            size_t k = j;
            while (k < n && tl < sizeof tmp - 1) {
                char d = s[k];
                bool ok = base == 16 ? ((d >= '0' && d <= '9') || ((d | 0x20) >= 'a' && (d | 0x20) <= 'f'))
                          : base == 8 ? (d >= '0' && d <= '7')
                          : base == 2 ? (d == '0' || d == '1')
                                      : is_digit(d);
                if (d == '_' && k + 1 < n) {
                    k++;
                    continue;
                }
                if (!ok)
                    break;
                tmp[tl++] = d;
                k++;
            }
            tmp[tl] = 0;
            if (base == 10 && c == '0') {
                /* "0(_?0)*": a decimal literal may not start with 0 (Python forbids 0123) */
                for (size_t q = 0; q < tl; q++)
                    if (tmp[q] != '0') {
                        tl = 1;
                        tmp[1] = 0;
                        k = i + 1;
                        break;
                    }
            }
            errno = 0;
            char *end;
            unsigned long long v = strtoull(tmp, &end, base);
            if (errno || v > INT64_MAX || tl == 0) {
                int line, col;
                pos_of(ps, i, &line, &col);
                pfail_at(ps, TMPL_ERR_UNSUPPORTED, line, col, "integer literal out of the 64-bit range");
            }
            token *tk = push_tok(ps, T_INT, i);
            tk->i = (int64_t)v;
            i = k;
            continue;
        }
        if (name_start(c)) {
            size_t j = i + 1;
            while (j < n && name_char(s[j]))
                j++;
            token *tk = push_tok(ps, T_NAME, i);
            tk->p = s + i;
            tk->n = j - i;
            i = j;
            continue;
        }
        if (c == '\'' || c == '"') {
            size_t j = i + 1;
            while (j < n && s[j] != c) {
                if (s[j] == '\\' && j + 1 < n)
                    j++;
                j++;
            }
            if (j >= n) {
                int line, col;
                pos_of(ps, i, &line, &col);
                pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "unexpected char %c (an unterminated string)", c);
            }
            token *tk = push_tok(ps, T_STRING, i);
            tk->s = unescape(ps, s + i + 1, j - i - 1, i + 1);
            i = j + 1;
            continue;
        }
        /* operators, longest first */
        char op = 0;
        size_t ol = 2;
        if (i + 1 < n) {
            char d = s[i + 1];
            if (c == '/' && d == '/')
                op = OP_FLOORDIV;
            else if (c == '*' && d == '*')
                op = OP_POW;
            else if (c == '=' && d == '=')
                op = OP_EQ;
            else if (c == '!' && d == '=')
                op = OP_NE;
            else if (c == '>' && d == '=')
                op = OP_GE;
            else if (c == '<' && d == '=')
                op = OP_LE;
        }
        if (!op) {
            ol = 1;
            if (strchr("+-/*%~[](){}><=.:|,;", c) && c)
                op = c;
        }
        if (!op) {
            int line, col;
            pos_of(ps, i, &line, &col);
            pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "unexpected char '%.*s'", (int)(((unsigned char)c < 0x80) ? 1 : 1), s + i);
        }
        if (op == '(' || op == '[' || op == '{') {
            if (nbal >= MAX_PARSE_DEPTH) {
                int line, col;
                pos_of(ps, i, &line, &col);
                pfail_at(ps, TMPL_ERR_LIMIT, line, col, "brackets nested deeper than %d", MAX_PARSE_DEPTH);
            }
            bal[nbal++] = op == '(' ? ')' : op == '[' ? ']' : '}';
        } else if (op == ')' || op == ']' || op == '}') {
            int line, col;
            if (!nbal) {
                pos_of(ps, i, &line, &col);
                pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "unexpected '%c'", op);
            }
            char want = bal[--nbal];
            if (want != op) {
                pos_of(ps, i, &line, &col);
                pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "unexpected '%c', expected '%c'", op, want);
            }
        }
        token *tk = push_tok(ps, T_OP, i);
        tk->op = op;
        i += ol;
    }
}

static void lex(parser *ps)
{
    const char *s = ps->src;
    size_t n = ps->n, pos = 0;
    bool line_starting = true;
    while (pos < n) {
        /* the next tag start */
        size_t t = pos;
        const char *hit = NULL;
        while (t + 1 < n) {
            hit = memchr(s + t, '{', n - t - 1);
            if (!hit)
                break;
            t = (size_t)(hit - s);
            char k = s[t + 1];
            if (k == '{' || k == '%' || k == '#')
                break;
            t++;
            hit = NULL;
        }
        if (!hit) {
            emit_data(ps, pos, s + pos, n - pos);
            /* the data rule ".+" matched: line_starting follows its last character (unused) */
            return;
        }
        char kind = s[t + 1];
        char sign = t + 2 < n && (s[t + 2] == '-' || s[t + 2] == '+') ? s[t + 2] : 0;
        size_t after = t + 2 + (sign ? 1 : 0);
        if (kind == '%') {
            /* {% raw %} */
            size_t q = skip_space(ps, after);
            if (q + 3 <= n && memcmp(s + q, "raw", 3) == 0 && !(q + 3 < n && name_char(s[q + 3]))) {
                size_t r = skip_space(ps, q + 3);
                size_t body = 0;
                if (r + 2 < n && s[r] == '-' && s[r + 1] == '%' && s[r + 2] == '}')
                    body = skip_space(ps, r + 3);
                else if (r + 1 < n && s[r] == '%' && s[r + 1] == '}')
                    body = r + 2;
                if (body) {
                    data_before_tag(ps, pos, t, '%', sign, line_starting);
                    line_starting = s[body - 1] == '\n';
                    /* find {%[-+]? endraw ... %} */
                    size_t e = body;
                    for (;;) {
                        const char *h = e < n ? strstr(s + e, "{%") : NULL;
                        if (!h) {
                            int line, col;
                            pos_of(ps, t, &line, &col);
                            pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "Missing end of raw directive");
                        }
                        size_t et = (size_t)(h - s);
                        char esign = et + 2 < n && (s[et + 2] == '-' || s[et + 2] == '+') ? s[et + 2] : 0;
                        size_t eq = skip_space(ps, et + 2 + (esign ? 1 : 0));
                        if (eq + 6 <= n && memcmp(s + eq, "endraw", 6) == 0) {
                            size_t er = skip_space(ps, eq + 6), end = 0;
                            if (er + 2 < n && s[er] == '+' && s[er + 1] == '%' && s[er + 2] == '}')
                                end = er + 3;
                            else if (er + 2 < n && s[er] == '-' && s[er + 1] == '%' && s[er + 2] == '}')
                                end = skip_space(ps, er + 3);
                            else if (er + 1 < n && s[er] == '%' && s[er + 1] == '}') {
                                end = er + 2;
                                if (end < n && s[end] == '\n')
                                    end++;
                            }
                            if (end) {
                                data_before_tag(ps, body, et, '%', esign, line_starting);
                                line_starting = s[end - 1] == '\n';
                                pos = end;
                                break;
                            }
                        }
                        e = et + 2;
                    }
                    continue;
                }
            }
        }
        data_before_tag(ps, pos, t, kind, sign, line_starting);
        if (kind == '#') {
            const char *h = after <= n ? strstr(s + after, "#}") : NULL;
            if (!h) {
                int line, col;
                pos_of(ps, t, &line, &col);
                pfail_at(ps, TMPL_ERR_SYNTAX, line, col, "Missing end of comment tag");
            }
            size_t e = (size_t)(h - s);
            char before = e > after ? s[e - 1] : 0;
            size_t end = e + 2;
            if (before == '-')
                end = skip_space(ps, end);
            else if (before != '+' && end < n && s[end] == '\n')
                end++;
            line_starting = s[end - 1] == '\n';
            pos = end;
            continue;
        }
        push_tok(ps, kind == '{' ? T_VAR_BEGIN : T_BLOCK_BEGIN, t);
        pos = lex_tag(ps, after, kind == '%', &line_starting);
    }
}

/* ---- parser ---- */

static token *cur(parser *ps) { return &ps->toks[ps->pos]; }
static token *peek(parser *ps, size_t k)
{
    size_t i = ps->pos + k;
    return &ps->toks[i < ps->ntoks ? i : ps->ntoks - 1];
}
static void advance(parser *ps)
{
    if (ps->pos + 1 < ps->ntoks)
        ps->pos++;
}

static bool is_name(const token *tk, const char *w)
{
    return tk->type == T_NAME && tk->n == strlen(w) && memcmp(tk->p, w, tk->n) == 0;
}
static bool is_op(const token *tk, char op) { return tk->type == T_OP && tk->op == op; }

static const char *describe(const token *tk, char *buf, size_t cap)
{
    switch (tk->type) {
    case T_EOF: return "end of template";
    case T_DATA: return "template data";
    case T_VAR_BEGIN: return "begin of print statement";
    case T_VAR_END: return "end of print statement";
    case T_BLOCK_BEGIN: return "begin of statement block";
    case T_BLOCK_END: return "end of statement block";
    case T_NAME: snprintf(buf, cap, "%.*s", (int)(tk->n > 60 ? 60 : tk->n), tk->p); return buf;
    case T_STRING: return "string";
    case T_INT: return "integer";
    case T_FLOAT: return "float";
    case T_OP:
        switch (tk->op) {
        case OP_FLOORDIV: return "//";
        case OP_POW: return "**";
        case OP_EQ: return "==";
        case OP_NE: return "!=";
        case OP_GE: return ">=";
        case OP_LE: return "<=";
        default: snprintf(buf, cap, "%c", tk->op); return buf;
        }
    }
    return "token";
}

_Noreturn static void fail_tok(parser *ps, const token *tk, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn static void fail_tok(parser *ps, const token *tk, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pfail_at(ps, TMPL_ERR_SYNTAX, tk->line, tk->col, "%s", msg);
}

_Noreturn static void unexpected(parser *ps, const token *tk)
{
    char buf[80];
    fail_tok(ps, tk, "unexpected '%s'", describe(tk, buf, sizeof buf));
}

static void expect_op(parser *ps, char op)
{
    token *tk = cur(ps);
    if (!is_op(tk, op)) {
        char buf[80], want[8];
        token w = {.type = T_OP, .op = op};
        fail_tok(ps, tk, "expected token '%s', got '%s'", describe(&w, want, sizeof want), describe(tk, buf, sizeof buf));
    }
    advance(ps);
}

static void expect_type(parser *ps, tok_type ty)
{
    token *tk = cur(ps);
    if (tk->type != ty) {
        char buf[80];
        token w = {.type = (uint8_t)ty};
        char wb[8];
        fail_tok(ps, tk, "expected token '%s', got '%s'", describe(&w, wb, sizeof wb), describe(tk, buf, sizeof buf));
    }
    advance(ps);
}

static token *expect_name(parser *ps)
{
    token *tk = cur(ps);
    if (tk->type != T_NAME) {
        char buf[80];
        fail_tok(ps, tk, "expected token 'name', got '%s'", describe(tk, buf, sizeof buf));
    }
    advance(ps);
    return tk;
}

static void expect_word(parser *ps, const char *w)
{
    token *tk = cur(ps);
    if (!is_name(tk, w)) {
        char buf[80];
        fail_tok(ps, tk, "expected token '%s', got '%s'", w, describe(tk, buf, sizeof buf));
    }
    advance(ps);
}

static node *mk(parser *ps, nkind k, const token *at)
{
    node *n = tp_arena_zalloc(&ps->t->mem, sizeof *n);
    n->kind = (uint8_t)k;
    n->line = at->line;
    n->col = at->col;
    n->sym = -1;
    return n;
}

typedef struct nvec {
    node **p;
    uint32_t n, cap;
} nvec;

static void nv_push(parser *ps, nvec *v, node *x)
{
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 4;
        node **p = tp_arena_alloc(&ps->t->mem, sizeof(node *) * cap);
        if (v->n)
            memcpy(p, v->p, sizeof(node *) * v->n);
        v->p = p;
        v->cap = cap;
    }
    v->p[v->n++] = x;
}

/* Symbols: names interned to dense ids through a hash (a template can hold very many names). */
static uint32_t name_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static int intern(parser *ps, const char *p, size_t n)
{
    tmpl *t = ps->t;
    if (ps->sym_index_cap) {
        uint32_t m = ps->sym_index_cap - 1, s = name_hash(p, n) & m;
        while (ps->sym_index[s]) {
            int i = ps->sym_index[s] - 1;
            if (t->syms[i]->n == n && memcmp(t->syms[i]->p, p, n) == 0)
                return i;
            s = (s + 1) & m;
        }
    }
    if ((t->nsyms & (t->nsyms - 1)) == 0) {
        int cap = t->nsyms ? t->nsyms * 2 : 16;
        if (cap < 16)
            cap = 16;
        const vstr **ns = tp_arena_alloc(&t->mem, sizeof(*ns) * (size_t)cap);
        if (t->nsyms)
            memcpy(ns, t->syms, sizeof(*ns) * (size_t)t->nsyms);
        t->syms = ns;
    }
    int id = t->nsyms++;
    t->syms[id] = tp_vstr_new(&t->mem, p, n);
    if ((uint32_t)t->nsyms * 2 > ps->sym_index_cap) {
        uint32_t cap = ps->sym_index_cap ? ps->sym_index_cap * 2 : 64;
        ps->sym_index = tp_arena_zalloc(&t->mem, sizeof(int) * cap);
        ps->sym_index_cap = cap;
        for (int i = 0; i < t->nsyms; i++) {
            uint32_t s = name_hash(t->syms[i]->p, t->syms[i]->n) & (cap - 1);
            while (ps->sym_index[s])
                s = (s + 1) & (cap - 1);
            ps->sym_index[s] = i + 1;
        }
    } else {
        uint32_t m = ps->sym_index_cap - 1, s = name_hash(p, n) & m;
        while (ps->sym_index[s])
            s = (s + 1) & m;
        ps->sym_index[s] = id + 1;
    }
    return id;
}

static void enter(parser *ps)
{
    if (++ps->depth > MAX_PARSE_DEPTH) {
        token *tk = cur(ps);
        pfail_at(ps, TMPL_ERR_LIMIT, tk->line, tk->col, "template nested deeper than %d", MAX_PARSE_DEPTH);
    }
}
static void leave(parser *ps) { ps->depth--; }

static node *parse_expression(parser *ps, bool with_condexpr);
static node *parse_tuple(parser *ps, bool simplified, bool with_condexpr, const char *extra_end, bool explicit_parens);
static node *parse_unary(parser *ps, bool with_filter);
static node *parse_primary(parser *ps);
static node *parse_postfix(parser *ps, node *n);
static node *parse_filter(parser *ps, node *operand, bool start_inline);

static void parse_call_args(parser *ps, node *call)
{
    token *open = cur(ps);
    expect_op(ps, '(');
    nvec args = {0}, kwv = {0};
    const vstr **kwn = NULL;
    uint32_t nkw = 0, kwcap = 0;
    bool require_comma = false;
    while (!is_op(cur(ps), ')')) {
        if (require_comma) {
            expect_op(ps, ',');
            if (is_op(cur(ps), ')'))
                break;
        }
        if (is_op(cur(ps), '*')) {
            if (call->d || call->e)
                fail_tok(ps, open, "invalid syntax for function call expression");
            advance(ps);
            call->d = parse_expression(ps, true);
        } else if (is_op(cur(ps), OP_POW)) {
            if (call->e)
                fail_tok(ps, open, "invalid syntax for function call expression");
            advance(ps);
            call->e = parse_expression(ps, true);
        } else if (cur(ps)->type == T_NAME && is_op(peek(ps, 1), '=')) {
            if (call->e)
                fail_tok(ps, open, "invalid syntax for function call expression");
            token *k = cur(ps);
            advance(ps);
            advance(ps);
            if (nkw == kwcap) {
                kwcap = kwcap ? kwcap * 2 : 4;
                const vstr **nk = tp_arena_alloc(&ps->t->mem, sizeof(*nk) * kwcap);
                if (nkw)
                    memcpy(nk, kwn, sizeof(*nk) * nkw);
                kwn = nk;
            }
            kwn[nkw++] = tp_vstr_new(&ps->t->mem, k->p, k->n);
            nv_push(ps, &kwv, parse_expression(ps, true));
        } else {
            if (call->d || call->e || nkw)
                fail_tok(ps, open, "invalid syntax for function call expression");
            nv_push(ps, &args, parse_expression(ps, true));
        }
        require_comma = true;
    }
    expect_op(ps, ')');
    call->kids = args.p;
    call->nkids = args.n;
    call->kids2 = kwv.p;
    call->nkids2 = kwv.n;
    call->kwnames = kwn;
}

static node *parse_subscribed(parser *ps)
{
    token *at = cur(ps);
    node *args[3] = {NULL, NULL, NULL};
    if (is_op(cur(ps), ':')) {
        advance(ps);
    } else {
        node *e = parse_expression(ps, true);
        if (!is_op(cur(ps), ':'))
            return e;
        advance(ps);
        args[0] = e;
    }
    if (is_op(cur(ps), ':')) {
        /* args[1] stays NULL */
    } else if (!is_op(cur(ps), ']') && !is_op(cur(ps), ',')) {
        args[1] = parse_expression(ps, true);
    }
    if (is_op(cur(ps), ':')) {
        advance(ps);
        if (!is_op(cur(ps), ']') && !is_op(cur(ps), ','))
            args[2] = parse_expression(ps, true);
    }
    node *s = mk(ps, E_SLICE, at);
    s->a = args[0];
    s->b = args[1];
    s->c = args[2];
    return s;
}

static node *parse_subscript(parser *ps, node *obj)
{
    token *tk = cur(ps);
    advance(ps);
    if (tk->op == '.') {
        token *at = cur(ps);
        advance(ps);
        if (at->type == T_NAME) {
            node *g = mk(ps, E_GETATTR, tk);
            g->a = obj;
            g->str = tp_vstr_new(&ps->t->mem, at->p, at->n);
            return g;
        }
        if (at->type != T_INT)
            fail_tok(ps, at, "expected name or number");
        node *g = mk(ps, E_GETITEM, tk);
        g->a = obj;
        node *k = mk(ps, E_CONST, at);
        k->constv = v_int(at->i);
        g->b = k;
        return g;
    }
    nvec args = {0};
    while (!is_op(cur(ps), ']')) {
        if (args.n)
            expect_op(ps, ',');
        nv_push(ps, &args, parse_subscribed(ps));
    }
    expect_op(ps, ']');
    node *g = mk(ps, E_GETITEM, tk);
    g->a = obj;
    if (args.n == 1) {
        g->b = args.p[0];
    } else {
        node *t = mk(ps, E_TUPLE, tk);
        t->kids = args.p;
        t->nkids = args.n;
        g->b = t;
    }
    return g;
}

static node *parse_call(parser *ps, node *callee)
{
    node *c = mk(ps, E_CALL, cur(ps));
    c->a = callee;
    parse_call_args(ps, c);
    return c;
}

static node *parse_postfix(parser *ps, node *n)
{
    for (;;) {
        token *tk = cur(ps);
        if (is_op(tk, '.') || is_op(tk, '['))
            n = parse_subscript(ps, n);
        else if (is_op(tk, '('))
            n = parse_call(ps, n);
        else
            return n;
    }
}

static node *parse_test(parser *ps, node *operand)
{
    token *is = cur(ps);
    advance(ps);
    bool negated = false;
    if (is_name(cur(ps), "not")) {
        advance(ps);
        negated = true;
    }
    token *name = expect_name(ps);
    if (is_op(cur(ps), '.'))
        fail_tok(ps, cur(ps), "dotted test names are not supported");
    int id = tp_test_id(name->p, name->n);
    if (id < 0)
        pfail_at(ps, TMPL_ERR_SYNTAX, name->line, name->col, "No test named '%.*s'.", (int)name->n, name->p);
    node *t = mk(ps, E_TEST, is);
    t->a = operand;
    t->op = (uint8_t)id;
    t->flag = negated;
    token *tk = cur(ps);
    if (is_op(tk, '(')) {
        parse_call_args(ps, t);
    } else if ((tk->type == T_NAME || tk->type == T_STRING || tk->type == T_INT || tk->type == T_FLOAT ||
                is_op(tk, '(') || is_op(tk, '[') || is_op(tk, '{')) &&
               !is_name(tk, "else") && !is_name(tk, "or") && !is_name(tk, "and")) {
        if (is_name(tk, "is"))
            fail_tok(ps, tk, "You cannot chain multiple tests with is");
        node *arg = parse_postfix(ps, parse_primary(ps));
        t->kids = tp_arena_alloc(&ps->t->mem, sizeof(node *));
        t->kids[0] = arg;
        t->nkids = 1;
    }
    return t;
}

static node *parse_filter(parser *ps, node *operand, bool start_inline)
{
    while (is_op(cur(ps), '|') || start_inline) {
        if (!start_inline)
            advance(ps);
        token *name = expect_name(ps);
        if (is_op(cur(ps), '.'))
            fail_tok(ps, cur(ps), "dotted filter names are not supported");
        int id = tp_filter_id(name->p, name->n);
        if (id < 0)
            pfail_at(ps, TMPL_ERR_SYNTAX, name->line, name->col, "No filter named '%.*s'.", (int)name->n, name->p);
        if (!tp_filter_supported(id))
            pfail_at(ps, TMPL_ERR_UNSUPPORTED, name->line, name->col, "the filter '%.*s' is not supported", (int)name->n, name->p);
        node *f = mk(ps, E_FILTER, name);
        f->a = operand;
        f->op = (uint8_t)id;
        if (is_op(cur(ps), '('))
            parse_call_args(ps, f);
        operand = f;
        start_inline = false;
    }
    return operand;
}

static node *parse_filter_expr(parser *ps, node *n)
{
    for (;;) {
        token *tk = cur(ps);
        if (is_op(tk, '|'))
            n = parse_filter(ps, n, false);
        else if (is_name(tk, "is"))
            n = parse_test(ps, n);
        else if (is_op(tk, '('))
            n = parse_call(ps, n);
        else
            return n;
    }
}

static node *parse_primary(parser *ps)
{
    token *tk = cur(ps);
    node *n;
    if (tk->type == T_NAME) {
        n = mk(ps, E_CONST, tk);
        if (is_name(tk, "true") || is_name(tk, "True"))
            n->constv = v_bool(true);
        else if (is_name(tk, "false") || is_name(tk, "False"))
            n->constv = v_bool(false);
        else if (is_name(tk, "none") || is_name(tk, "None"))
            n->constv = v_none();
        else {
            n->kind = E_NAME;
            n->sym = intern(ps, tk->p, tk->n);
        }
        advance(ps);
    } else if (tk->type == T_STRING) {
        n = mk(ps, E_CONST, tk);
        advance(ps);
        if (cur(ps)->type != T_STRING) {
            n->constv = v_strv(tk->s);
        } else {
            sbuf b;
            tp_sb_init(&b, &ps->t->mem);
            tp_sb_put(&b, tk->s->p, tk->s->n);
            while (cur(ps)->type == T_STRING) {
                tp_sb_put(&b, cur(ps)->s->p, cur(ps)->s->n);
                advance(ps);
            }
            n->constv = tp_v_str(&ps->t->mem, b.p, b.n);
        }
    } else if (tk->type == T_INT || tk->type == T_FLOAT) {
        n = mk(ps, E_CONST, tk);
        n->constv = tk->type == T_INT ? v_int(tk->i) : v_float(tk->f);
        advance(ps);
    } else if (is_op(tk, '(')) {
        advance(ps);
        n = parse_tuple(ps, false, true, NULL, true);
        expect_op(ps, ')');
    } else if (is_op(tk, '[')) {
        advance(ps);
        nvec items = {0};
        while (!is_op(cur(ps), ']')) {
            if (items.n)
                expect_op(ps, ',');
            if (is_op(cur(ps), ']'))
                break;
            nv_push(ps, &items, parse_expression(ps, true));
        }
        expect_op(ps, ']');
        n = mk(ps, E_LIST, tk);
        n->kids = items.p;
        n->nkids = items.n;
    } else if (is_op(tk, '{')) {
        advance(ps);
        nvec keys = {0}, vals = {0};
        while (!is_op(cur(ps), '}')) {
            if (keys.n)
                expect_op(ps, ',');
            if (is_op(cur(ps), '}'))
                break;
            nv_push(ps, &keys, parse_expression(ps, true));
            expect_op(ps, ':');
            nv_push(ps, &vals, parse_expression(ps, true));
        }
        expect_op(ps, '}');
        n = mk(ps, E_DICT, tk);
        n->kids = keys.p;
        n->nkids = keys.n;
        n->kids2 = vals.p;
        n->nkids2 = vals.n;
    } else {
        unexpected(ps, tk);
    }
    return n;
}

static node *parse_unary(parser *ps, bool with_filter)
{
    enter(ps);
    token *tk = cur(ps);
    node *n;
    if (is_op(tk, '-') || is_op(tk, '+')) {
        advance(ps);
        n = mk(ps, tk->op == '-' ? E_NEG : E_POS, tk);
        n->a = parse_unary(ps, false);
    } else {
        n = parse_primary(ps);
    }
    n = parse_postfix(ps, n);
    if (with_filter)
        n = parse_filter_expr(ps, n);
    leave(ps);
    return n;
}

static node *binop(parser *ps, const token *at, char op, node *l, node *r)
{
    node *n = mk(ps, E_BINOP, at);
    n->op = (uint8_t)op;
    n->a = l;
    n->b = r;
    return n;
}

static node *parse_pow(parser *ps)
{
    node *l = parse_unary(ps, true);
    while (is_op(cur(ps), OP_POW)) {
        token *at = cur(ps);
        advance(ps);
        l = binop(ps, at, 'p', l, parse_unary(ps, true));
    }
    return l;
}

static node *parse_math2(parser *ps)
{
    node *l = parse_pow(ps);
    for (;;) {
        token *tk = cur(ps);
        char op = is_op(tk, '*') ? '*' : is_op(tk, '/') ? '/' : is_op(tk, OP_FLOORDIV) ? 'f' : is_op(tk, '%') ? '%' : 0;
        if (!op)
            return l;
        advance(ps);
        l = binop(ps, tk, op, l, parse_pow(ps));
    }
}

static node *parse_concat(parser *ps)
{
    token *at = cur(ps);
    node *first = parse_math2(ps);
    if (!is_op(cur(ps), '~'))
        return first;
    nvec args = {0};
    nv_push(ps, &args, first);
    while (is_op(cur(ps), '~')) {
        advance(ps);
        nv_push(ps, &args, parse_math2(ps));
    }
    node *n = mk(ps, E_CONCAT, at);
    n->kids = args.p;
    n->nkids = args.n;
    return n;
}

static node *parse_math1(parser *ps)
{
    node *l = parse_concat(ps);
    for (;;) {
        token *tk = cur(ps);
        char op = is_op(tk, '+') ? '+' : is_op(tk, '-') ? '-' : 0;
        if (!op)
            return l;
        advance(ps);
        l = binop(ps, tk, op, l, parse_concat(ps));
    }
}

static node *parse_compare(parser *ps)
{
    token *at = cur(ps);
    node *e = parse_math1(ps);
    nvec operands = {0};
    uint8_t opsbuf[64];
    uint32_t nops = 0;
    uint8_t *ops = opsbuf;
    for (;;) {
        token *tk = cur(ps);
        int op = -1;
        if (is_op(tk, OP_EQ))
            op = C_EQ;
        else if (is_op(tk, OP_NE))
            op = C_NE;
        else if (is_op(tk, '<'))
            op = C_LT;
        else if (is_op(tk, OP_LE))
            op = C_LE;
        else if (is_op(tk, '>'))
            op = C_GT;
        else if (is_op(tk, OP_GE))
            op = C_GE;
        else if (is_name(tk, "in"))
            op = C_IN;
        else if (is_name(tk, "not") && is_name(peek(ps, 1), "in")) {
            op = C_NOTIN;
            advance(ps);
        }
        if (op < 0)
            break;
        advance(ps);
        if (nops == sizeof opsbuf)
            fail_tok(ps, tk, "too many chained comparisons");
        ops[nops++] = (uint8_t)op;
        nv_push(ps, &operands, parse_math1(ps));
    }
    if (!nops)
        return e;
    node *n = mk(ps, E_COMPARE, at);
    n->a = e;
    n->kids = operands.p;
    n->nkids = operands.n;
    n->ops = tp_arena_alloc(&ps->t->mem, nops);
    memcpy(n->ops, ops, nops);
    return n;
}

static node *parse_not(parser *ps)
{
    if (is_name(cur(ps), "not")) {
        token *at = cur(ps);
        advance(ps);
        enter(ps);
        node *n = mk(ps, E_NOT, at);
        n->a = parse_not(ps);
        leave(ps);
        return n;
    }
    return parse_compare(ps);
}

static node *parse_and(parser *ps)
{
    node *l = parse_not(ps);
    while (is_name(cur(ps), "and")) {
        token *at = cur(ps);
        advance(ps);
        node *n = mk(ps, E_AND, at);
        n->a = l;
        n->b = parse_not(ps);
        l = n;
    }
    return l;
}

static node *parse_or(parser *ps)
{
    node *l = parse_and(ps);
    while (is_name(cur(ps), "or")) {
        token *at = cur(ps);
        advance(ps);
        node *n = mk(ps, E_OR, at);
        n->a = l;
        n->b = parse_and(ps);
        l = n;
    }
    return l;
}

static node *parse_condexpr(parser *ps)
{
    enter(ps);
    token *at = cur(ps);
    node *e1 = parse_or(ps);
    while (is_name(cur(ps), "if")) {
        advance(ps);
        node *n = mk(ps, E_COND, at);
        n->a = parse_or(ps);
        n->b = e1;
        if (is_name(cur(ps), "else")) {
            advance(ps);
            n->c = parse_condexpr(ps);
        }
        e1 = n;
        at = cur(ps);
    }
    leave(ps);
    return e1;
}

static node *parse_expression(parser *ps, bool with_condexpr)
{
    return with_condexpr ? parse_condexpr(ps) : parse_or(ps);
}

static bool tuple_end(parser *ps, const char *extra_end)
{
    token *tk = cur(ps);
    if (tk->type == T_VAR_END || tk->type == T_BLOCK_END || is_op(tk, ')'))
        return true;
    return extra_end && is_name(tk, extra_end);
}

static node *parse_tuple(parser *ps, bool simplified, bool with_condexpr, const char *extra_end, bool explicit_parens)
{
    token *at = cur(ps);
    nvec args = {0};
    bool is_tuple = false;
    for (;;) {
        if (args.n)
            expect_op(ps, ',');
        if (tuple_end(ps, extra_end))
            break;
        node *e = simplified ? parse_primary(ps) : parse_expression(ps, with_condexpr);
        nv_push(ps, &args, e);
        if (is_op(cur(ps), ','))
            is_tuple = true;
        else
            break;
    }
    if (!is_tuple) {
        if (args.n)
            return args.p[0];
        if (!explicit_parens) {
            char buf[80];
            fail_tok(ps, cur(ps), "Expected an expression, got '%s'", describe(cur(ps), buf, sizeof buf));
        }
    }
    node *t = mk(ps, E_TUPLE, at);
    t->kids = args.p;
    t->nkids = args.n;
    return t;
}

/* ---- statements ---- */

static node *subparse(parser *ps, const char *const *end_words);

static node *parse_statements(parser *ps, const char *const *end_words, bool drop_needle)
{
    if (is_op(cur(ps), ':'))
        advance(ps);
    expect_type(ps, T_BLOCK_END);
    node *body = subparse(ps, end_words);
    if (cur(ps)->type == T_EOF) {
        char want[200] = "";
        for (int i = 0; end_words[i]; i++) {
            size_t l = strlen(want);
            snprintf(want + l, sizeof want - l, "%s'%s'", i ? " or " : "", end_words[i]);
        }
        fail_tok(ps, cur(ps), "Unexpected end of template. Jinja was looking for the following tags: %s.", want);
    }
    if (drop_needle)
        advance(ps);
    return body;
}

static void check_assignable(parser *ps, node *t)
{
    if (t->kind == E_NAME || t->kind == E_NSREF)
        return;
    if (t->kind == E_TUPLE) {
        for (uint32_t i = 0; i < t->nkids; i++)
            check_assignable(ps, t->kids[i]);
        return;
    }
    pfail_at(ps, TMPL_ERR_SYNTAX, t->line, t->col, "can't assign to this expression");
}

static node *parse_assign_target(parser *ps, bool with_namespace, bool name_only, const char *extra_end)
{
    token *tk = cur(ps);
    if (with_namespace && tk->type == T_NAME && is_op(peek(ps, 1), '.')) {
        advance(ps);
        advance(ps);
        token *attr = expect_name(ps);
        node *n = mk(ps, E_NSREF, tk);
        n->sym = intern(ps, tk->p, tk->n);
        n->str = tp_vstr_new(&ps->t->mem, attr->p, attr->n);
        return n;
    }
    if (name_only) {
        token *nm = expect_name(ps);
        node *n = mk(ps, E_NAME, nm);
        n->sym = intern(ps, nm->p, nm->n);
        return n;
    }
    node *t = parse_tuple(ps, true, true, extra_end, false);
    check_assignable(ps, t);
    return t;
}

static const char *const END_FOR[] = {"endfor", "else", NULL};
static const char *const END_FOR2[] = {"endfor", NULL};
static const char *const END_IF[] = {"elif", "else", "endif", NULL};
static const char *const END_IF2[] = {"endif", NULL};
static const char *const END_SET[] = {"endset", NULL};
static const char *const END_MACRO[] = {"endmacro", NULL};
static const char *const END_CALL[] = {"endcall", NULL};
static const char *const END_FILTER[] = {"endfilter", NULL};
static const char *const END_WITH[] = {"endwith", NULL};
static const char *const END_GEN[] = {"endgeneration", NULL};

static void scan_macro_uses(parser *ps, const node *n, uint8_t *uses, int depth)
{
    tmpl *t = ps->t;
    if (!n)
        return;
    if (depth > 4000)
        pfail_at(ps, TMPL_ERR_LIMIT, n->line, n->col, "an expression nested deeper than 4000");
    if (n->kind == E_NAME && n->sym >= 0) {
        const vstr *s = t->syms[n->sym];
        if (s->n == 7 && memcmp(s->p, "varargs", 7) == 0)
            *uses |= 1;
        else if (s->n == 6 && memcmp(s->p, "kwargs", 6) == 0)
            *uses |= 2;
        else if (s->n == 6 && memcmp(s->p, "caller", 6) == 0)
            *uses |= 4;
    }
    /* a nested macro's own uses are its own; Jinja still scans the outer body the same way */
    const node *kids[] = {n->a, n->b, n->c, n->d, n->e};
    for (int i = 0; i < 5; i++)
        scan_macro_uses(ps, kids[i], uses, depth + 1);
    for (uint32_t i = 0; i < n->nkids; i++)
        scan_macro_uses(ps, n->kids[i], uses, depth + 1);
    for (uint32_t i = 0; i < n->nkids2; i++)
        scan_macro_uses(ps, n->kids2[i], uses, depth + 1);
}

static void parse_signature(parser *ps, node *n)
{
    expect_op(ps, '(');
    nvec params = {0};
    bool defaults = false;
    while (!is_op(cur(ps), ')')) {
        if (params.n)
            expect_op(ps, ',');
        node *p = parse_assign_target(ps, false, true, NULL);
        if (is_op(cur(ps), '=')) {
            advance(ps);
            p->a = parse_expression(ps, true);
            defaults = true;
        } else if (defaults) {
            fail_tok(ps, cur(ps), "non-default argument follows default argument");
        }
        nv_push(ps, &params, p);
    }
    expect_op(ps, ')');
    n->kids = params.p;
    n->nkids = params.n;
}

static node *parse_statement(parser *ps)
{
    token *tk = cur(ps);
    if (tk->type != T_NAME)
        fail_tok(ps, tk, "tag name expected");
    enter(ps);
    node *n = NULL;
    if (is_name(tk, "for")) {
        advance(ps);
        n = mk(ps, N_FOR, tk);
        n->a = parse_assign_target(ps, false, false, "in");
        expect_word(ps, "in");
        n->b = parse_tuple(ps, false, false, "recursive", false);
        if (is_name(cur(ps), "if")) {
            advance(ps);
            n->e = parse_expression(ps, true);
        }
        if (is_name(cur(ps), "recursive"))
            pfail_at(ps, TMPL_ERR_UNSUPPORTED, cur(ps)->line, cur(ps)->col, "recursive for loops are not supported");
        n->c = parse_statements(ps, END_FOR, false);
        bool is_else = is_name(cur(ps), "else");
        advance(ps);
        if (is_else)
            n->d = parse_statements(ps, END_FOR2, true);
    } else if (is_name(tk, "if")) {
        advance(ps);
        n = mk(ps, N_IF, tk);
        node *at = n;
        for (;;) {
            at->a = parse_tuple(ps, false, false, NULL, false);
            at->b = parse_statements(ps, END_IF, false);
            token *e = cur(ps);
            advance(ps);
            if (is_name(e, "elif")) {
                node *x = mk(ps, N_IF, cur(ps));
                at->c = x;
                at = x;
                continue;
            }
            if (is_name(e, "else"))
                at->c = parse_statements(ps, END_IF2, true);
            break;
        }
    } else if (is_name(tk, "set")) {
        advance(ps);
        node *target = parse_assign_target(ps, true, false, NULL);
        if (is_op(cur(ps), '=')) {
            advance(ps);
            n = mk(ps, N_SET, tk);
            n->a = target;
            n->b = parse_tuple(ps, false, true, NULL, false);
        } else {
            n = mk(ps, N_SETBLOCK, tk);
            n->a = target;
            n->c = parse_filter(ps, NULL, false);
            n->b = parse_statements(ps, END_SET, true);
        }
    } else if (is_name(tk, "macro")) {
        advance(ps);
        n = mk(ps, N_MACRO, tk);
        token *nm = expect_name(ps);
        n->sym = intern(ps, nm->p, nm->n);
        n->str = tp_vstr_new(&ps->t->mem, nm->p, nm->n);
        parse_signature(ps, n);
        n->b = parse_statements(ps, END_MACRO, true);
        scan_macro_uses(ps, n->b, &n->macro_uses, 0);
    } else if (is_name(tk, "call")) {
        advance(ps);
        n = mk(ps, N_CALLBLOCK, tk);
        n->str = tp_vstr_new(&ps->t->mem, "caller", 6);
        if (is_op(cur(ps), '('))
            parse_signature(ps, n);
        node *call = parse_expression(ps, true);
        if (call->kind != E_CALL)
            fail_tok(ps, tk, "expected call");
        n->a = call;
        n->b = parse_statements(ps, END_CALL, true);
        scan_macro_uses(ps, n->b, &n->macro_uses, 0);
    } else if (is_name(tk, "filter")) {
        advance(ps);
        n = mk(ps, N_FILTERBLOCK, tk);
        n->a = parse_filter(ps, NULL, true);
        n->b = parse_statements(ps, END_FILTER, true);
    } else if (is_name(tk, "with")) {
        advance(ps);
        n = mk(ps, N_WITH, tk);
        nvec targets = {0}, values = {0};
        while (cur(ps)->type != T_BLOCK_END) {
            if (targets.n)
                expect_op(ps, ',');
            nv_push(ps, &targets, parse_assign_target(ps, false, false, NULL));
            expect_op(ps, '=');
            nv_push(ps, &values, parse_expression(ps, true));
        }
        n->kids = targets.p;
        n->nkids = targets.n;
        n->kids2 = values.p;
        n->nkids2 = values.n;
        n->b = parse_statements(ps, END_WITH, true);
    } else if (is_name(tk, "print")) {
        advance(ps);
        nvec items = {0};
        while (cur(ps)->type != T_BLOCK_END) {
            if (items.n)
                expect_op(ps, ',');
            nv_push(ps, &items, parse_expression(ps, true));
        }
        n = mk(ps, N_BODY, tk);
        for (uint32_t i = 0; i < items.n; i++) {
            node *o = mk(ps, N_OUTPUT, tk);
            o->a = items.p[i];
            items.p[i] = o;
        }
        n->kids = items.p;
        n->nkids = items.n;
    } else if (is_name(tk, "break") || is_name(tk, "continue")) {
        advance(ps);
        n = mk(ps, is_name(tk, "break") ? N_BREAK : N_CONTINUE, tk);
    } else if (is_name(tk, "generation")) {
        /* transformers' AssistantTracker: a call block that renders its body unchanged */
        advance(ps);
        n = mk(ps, N_FILTERBLOCK, tk);
        n->b = parse_statements(ps, END_GEN, true);
    } else if (is_name(tk, "block") || is_name(tk, "extends") || is_name(tk, "include") ||
               is_name(tk, "import") || is_name(tk, "from") || is_name(tk, "autoescape")) {
        pfail_at(ps, TMPL_ERR_UNSUPPORTED, tk->line, tk->col, "the '%.*s' tag is not supported", (int)tk->n, tk->p);
    } else {
        pfail_at(ps, TMPL_ERR_SYNTAX, tk->line, tk->col, "Encountered unknown tag '%.*s'.", (int)tk->n, tk->p);
    }
    leave(ps);
    return n;
}

static node *subparse(parser *ps, const char *const *end_words)
{
    nvec body = {0};
    node *blk = mk(ps, N_BODY, cur(ps));
    for (;;) {
        token *tk = cur(ps);
        if (tk->type == T_EOF)
            break;
        if (tk->type == T_DATA) {
            node *d = mk(ps, N_DATA, tk);
            d->str = tp_vstr_new(&ps->t->mem, tk->p, tk->n);
            nv_push(ps, &body, d);
            advance(ps);
        } else if (tk->type == T_VAR_BEGIN) {
            advance(ps);
            node *o = mk(ps, N_OUTPUT, tk);
            o->a = parse_tuple(ps, false, true, NULL, false);
            expect_type(ps, T_VAR_END);
            nv_push(ps, &body, o);
        } else if (tk->type == T_BLOCK_BEGIN) {
            advance(ps);
            if (end_words)
                for (int i = 0; end_words[i]; i++)
                    if (is_name(cur(ps), end_words[i])) {
                        blk->kids = body.p;
                        blk->nkids = body.n;
                        return blk;
                    }
            nv_push(ps, &body, parse_statement(ps));
            expect_type(ps, T_BLOCK_END);
        } else {
            unexpected(ps, tk);
        }
    }
    blk->kids = body.p;
    blk->nkids = body.n;
    return blk;
}

/* Jinja2 reads the template with newlines normalised and one trailing newline removed. */
static char *normalise(arena *a, const char *text, size_t len, size_t *out_len)
{
    char *o = tp_arena_alloc(a, len + 1);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r') {
            o[k++] = '\n';
            if (i + 1 < len && text[i + 1] == '\n')
                i++;
        } else {
            o[k++] = text[i];
        }
    }
    if (k && o[k - 1] == '\n')
        k--;
    o[k] = 0;
    *out_len = k;
    return o;
}

tmpl_status tp_tmpl_parse(tmpl *t, const char *text, size_t len, tmpl_error *err)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.t = t;
    ps.err = err;
    ps.lc.line = 1;
    if (setjmp(ps.jb)) {
        t->mem.on_fail = NULL;
        return err ? err->status : TMPL_ERR_SYNTAX;
    }
    t->mem.on_fail = on_arena_fail;
    t->mem.ud = &ps;
    if (memchr(text, 0, len))
        pfail_at(&ps, TMPL_ERR_SYNTAX, 0, 0, "the template contains a NUL byte");
    /* the template must be UTF-8 */
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t l = c < 0x80 ? 1 : (c >= 0xC2 && c < 0xE0) ? 2 : (c >= 0xE0 && c < 0xF0) ? 3 : (c >= 0xF0 && c < 0xF5) ? 4 : 0;
        bool ok = l && i + l <= len;
        for (size_t k = 1; ok && k < l; k++)
            ok = ((unsigned char)text[i + k] & 0xC0) == 0x80;
        if (ok && l > 1) {
            size_t q = i;
            uint32_t cp = tp_utf8_next(text, len, &q);
            ok = !(cp < (l == 2 ? 0x80u : l == 3 ? 0x800u : 0x10000u)) && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (!ok) {
            int line = 1;
            size_t ls = 0;
            for (size_t q = 0; q < i; q++)
                if (text[q] == '\n') {
                    line++;
                    ls = q + 1;
                }
            pfail_at(&ps, TMPL_ERR_SYNTAX, line, (int)tp_utf8_cplen(text + ls, i - ls) + 1, "the template is not valid UTF-8");
        }
        i += l;
    }
    ps.src = normalise(&t->mem, text, len, &ps.n);
    lex(&ps);
    push_tok(&ps, T_EOF, ps.n);
    t->root = subparse(&ps, NULL);
    if (cur(&ps)->type != T_EOF)
        unexpected(&ps, cur(&ps));
    if (!tp_analyse_scopes(t))
        pfail_at(&ps, TMPL_ERR_LIMIT, 0, 0, "the template nests expressions deeper than 4000");
    t->mem.on_fail = NULL;
    return TMPL_OK;
}
