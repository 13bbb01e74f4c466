/* render: helpers for the commands that show tokens (show, explain, compare, vocab, ...).
 *
 * Two rules drive most of this file. First, whitespace and invisible characters are the usual
 * surprise in tokenization (" world" is one token, "\n\n" another), so they are always drawn
 * with a visible marker. Second, byte-level BPE cuts rare characters and emoji into byte
 * pieces: a token can be half a character. Printing such a token alone would give U+FFFD, which
 * hides exactly what the user came to see, so tokens are grouped until their bytes form whole
 * characters, and the group is marked. */
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- buffer ---- */

static void sb_reserve(sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        warnx_("out of memory");
        exit(EXIT_BAD);
    }
    b->p = p;
    b->cap = cap;
}

void sb_put(sbuf *b, const void *s, size_t n)
{
    sb_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    sb_reserve(b, (size_t)need);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

void sb_clear(sbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = 0;
}

void sb_free(sbuf *b)
{
    free(b->p);
    *b = (sbuf){0};
}

/* ---- colour ---- */

bool color_wanted(color_mode m, FILE *f)
{
    if (m != COLOR_AUTO)
        return m == COLOR_ALWAYS;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no && *no)
        return false;
    if (term && !strcmp(term, "dumb"))
        return false;
    return isatty(fileno(f)) == 1;
}

/* ---- UTF-8 ---- */

size_t utf8_next(const char *str, size_t n, uint32_t *cp, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t need = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (bad)
        *bad = 1;
    *cp = 0xFFFD;
    if (!need)
        return 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    uint32_t v = need == 1 ? c : need == 2 ? c & 0x1Fu : need == 3 ? c & 0x0Fu : c & 0x07u;
    for (size_t k = 1; k < need; k++) {
        if (k >= n || s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xBF)) {
            if (bad)
                *bad = k;
            return 0;
        }
        v = v << 6 | (s[k] & 0x3Fu);
    }
    *cp = v;
    return need;
}

size_t utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; chars++) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t bad, l = utf8_next(s + i, n - i, &cp, &bad);
        i += l ? l : bad;
    }
    return chars;
}

size_t text_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t bad, l = utf8_next(s + i, n - i, &cp, &bad);
        if (!l) {
            w += 4 * bad;
            i += bad;
            continue;
        }
        int cw = utf8proc_charwidth((utf8proc_int32_t)cp);
        w += cw > 0 ? (size_t)cw : 0;
        i += l;
    }
    return w;
}

void put_padded(FILE *f, const char *s, size_t width, bool right)
{
    size_t w = text_width(s, strlen(s));
    if (right)
        for (; w < width; w++)
            putc(' ', f);
    fputs(s, f);
    if (!right)
        for (; w < width; w++)
            putc(' ', f);
}

/* ---- visible text ---- */

const vis_style VIS_INLINE = {"", "", "", false};

/* A character nobody can see: format characters (ZWSP, ZWJ, BOM, soft hyphen, bidi marks),
 * spaces other than U+0020, line and paragraph separators, C1 controls, and the Hangul fillers
 * that render as nothing. */
static bool invisible(uint32_t cp)
{
    if (cp >= 0x80 && cp <= 0x9F)
        return true;
    if (cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0)
        return true;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_ZS ||
           c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

static void put_escaped(sbuf *b, const char *s, size_t n, bool html)
{
    if (!html) {
        sb_put(b, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&#39;"); break;
        default: sb_put(b, s + i, 1);
        }
    }
}

/* Consecutive markers share one mark_on/mark_off pair (a run of spaces is one colour change). */
typedef struct vis_state {
    sbuf *b;
    const vis_style *st;
    bool in_mark;
} vis_state;

static void put_mark(vis_state *v, const char *mark)
{
    if (!v->in_mark)
        sb_puts(v->b, v->st->mark_on);
    v->in_mark = true;
    sb_puts(v->b, mark);
}

static void end_mark(vis_state *v)
{
    if (v->in_mark)
        sb_puts(v->b, v->st->mark_off);
    v->in_mark = false;
}

bool vis_append(sbuf *b, const char *s, size_t n, const vis_style *st)
{
    vis_state v = {b, st, false};
    bool marked = false;
    char tmp[32];
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            if (c == ' ')
                put_mark(&v, "\xC2\xB7"); /* · */
            else if (c == '\t')
                put_mark(&v, "\xE2\x86\x92"); /* → */
            else if (c == '\n') {
                put_mark(&v, "\xE2\x86\xB5"); /* ↵ */
                if (*st->after_newline) {
                    end_mark(&v);
                    sb_puts(b, st->after_newline);
                }
            } else if (c == '\r')
                put_mark(&v, "\xE2\x90\x8D"); /* ␍ */
            else if (c < 0x20) {                 /* control pictures U+2400.. */
                snprintf(tmp, sizeof tmp, "\xE2\x90%c", (char)(0x80 + c));
                put_mark(&v, tmp);
            } else if (c == 0x7F)
                put_mark(&v, "\xE2\x90\xA1"); /* ␡ */
            else {
                end_mark(&v);
                put_escaped(b, s + i - 1, 1, st->html);
                continue;
            }
            marked = true;
            continue;
        }
        uint32_t cp;
        size_t bad, l = utf8_next(s + i, n - i, &cp, &bad);
        if (!l) {
            for (size_t k = 0; k < bad; k++) {
                snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned char)s[i + k]);
                put_mark(&v, tmp);
            }
            i += bad;
            marked = true;
            continue;
        }
        if (invisible(cp)) {
            snprintf(tmp, sizeof tmp, "\xE2\x9F\xA8U+%04X\xE2\x9F\xA9", (unsigned)cp); /* ⟨ ⟩ */
            put_mark(&v, tmp);
            marked = true;
        } else {
            end_mark(&v);
            sb_put(b, s + i, l);
        }
        i += l;
    }
    end_mark(&v);
    return marked;
}

/* ---- names ---- */

const char *shown_name(const char *name)
{
    static sbuf ring[8]; /* a few names may be shown in one message */
    static unsigned next;
    size_t n = strlen(name);
    bool plain = true;
    for (size_t i = 0; i < n && plain;) {
        uint32_t cp;
        size_t l = utf8_next(name + i, n - i, &cp, NULL);
        plain = l && cp >= 0x20 && cp != 0x7F && (cp == ' ' || !invisible(cp));
        i += l;
    }
    if (plain)
        return name;
    sbuf *b = &ring[next++ % 8];
    sb_clear(b);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t bad, l = utf8_next(name + i, n - i, &cp, &bad);
        if (!l) {
            for (size_t k = 0; k < bad; k++)
                sb_printf(b, "\\x%02x", (unsigned char)name[i + k]);
            i += bad;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) /* control pictures U+2400.., U+2421 */
            sb_printf(b, "\xE2\x90%c", (char)(cp == 0x7F ? 0xA1 : 0x80 + cp));
        else if (cp != ' ' && invisible(cp))
            sb_printf(b, "\xE2\x9F\xA8U+%04X\xE2\x9F\xA9", (unsigned)cp);
        else
            sb_put(b, name + i, l);
        i += l;
    }
    return b->p;
}

/* ---- tokens ---- */

void token_bytes(const tok_tokenizer *tok, uint32_t id, const char **s, size_t *n)
{
    if (tok_token_bytes(tok, id, s, n) != TOK_OK) {
        *s = "";
        *n = 0;
    }
}

void html_token_title(sbuf *b, const tok_tokenizer *tok, size_t k, uint32_t id,
                      const tok_span *sp, bool part)
{
    const char *s;
    size_t len;
    token_bytes(tok, id, &s, &len);
    sb_printf(b, " title=\"token %zu \xC2\xB7 id %u%s&#10;bytes", k, id,
              tok_is_special(tok, id) ? " (special)" : "");
    for (size_t m = 0; m < len; m++)
        sb_printf(b, " %02x", (unsigned char)s[m]);
    sb_printf(b, "&#10;offsets %llu\xE2\x80\x93%llu%s\"", (unsigned long long)sp->start,
              (unsigned long long)sp->end, part ? "&#10;part of a character" : "");
}

/* An incremental UTF-8 decoder state: how many continuation bytes are still due and the range
 * the next one must fall in. */
typedef struct u8state {
    unsigned need;
    unsigned char lo, hi;
} u8state;

static void u8_feed(u8state *st, unsigned char c)
{
    if (st->need) {
        if (c >= st->lo && c <= st->hi) {
            st->need--;
            st->lo = 0x80;
            st->hi = 0xBF;
            return;
        }
        st->need = 0; /* the sequence broke off: c starts afresh */
    }
    st->lo = 0x80;
    st->hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        st->need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        st->need = 2;
        if (c == 0xE0) st->lo = 0xA0;
        if (c == 0xED) st->hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        st->need = 3;
        if (c == 0xF0) st->lo = 0x90;
        if (c == 0xF4) st->hi = 0x8F;
    }
}

size_t token_group_end(const tok_tokenizer *tok, const uint32_t *ids, size_t n, size_t i)
{
    u8state st = {0, 0x80, 0xBF};
    size_t j = i;
    /* A character has at most 4 bytes, so a group that has not closed after a few tokens past
     * its start can only be waiting on bytes that never come. */
    while (j < n && j - i < 8) {
        const char *s;
        size_t len;
        token_bytes(tok, ids[j], &s, &len);
        for (size_t k = 0; k < len; k++)
            u8_feed(&st, (unsigned char)s[k]);
        j++;
        if (!st.need)
            break;
        /* The next token must continue the character; if its first byte is no continuation
         * byte, the character stays incomplete and the group ends here. */
        if (j < n) {
            const char *t;
            size_t tl;
            token_bytes(tok, ids[j], &t, &tl);
            if (tl && ((unsigned char)t[0] < st.lo || (unsigned char)t[0] > st.hi))
                break;
        }
    }
    return j;
}

void token_group_bytes(const tok_tokenizer *tok, const uint32_t *ids, size_t i, size_t j,
                       sbuf *b)
{
    for (size_t k = i; k < j; k++) {
        const char *s;
        size_t len;
        token_bytes(tok, ids[k], &s, &len);
        sb_put(b, s, len);
    }
}

/* ---- palette ---- */

/* Pastel cube colours (xterm levels 175/215/255): black text stays readable on each, and they
 * read as highlighter marks on dark terminals too. Neighbours in the alternating list differ in
 * hue so that adjacent tokens never look alike. */
const palette_color palette_alt[PALETTE_ALT_N] = {
    {153, "#afd7ff"}, {223, "#ffd7af"}, {157, "#afffaf"},
    {225, "#ffd7ff"}, {229, "#ffffaf"}, {189, "#d7d7ff"},
};

/* Every cube colour with channels in {175,215,255} except the three greys. */
const palette_color palette_id[PALETTE_ID_N] = {
    {146, "#afafd7"}, {147, "#afafff"}, {151, "#afd7af"}, {152, "#afd7d7"},
    {153, "#afd7ff"},     {157, "#afffaf"}, {158, "#afffd7"}, {159, "#afffff"},
    {181, "#d7afaf"},     {182, "#d7afd7"}, {183, "#d7afff"}, {187, "#d7d7af"},
    {189, "#d7d7ff"},     {193, "#d7ffaf"}, {194, "#d7ffd7"}, {195, "#d7ffff"},
    {217, "#ffafaf"},     {218, "#ffafd7"}, {219, "#ffafff"}, {223, "#ffd7af"},
    {224, "#ffd7d7"},     {225, "#ffd7ff"}, {229, "#ffffaf"}, {230, "#ffffd7"},
};

const palette_color palette_special = {214, "#ffaf00"};

unsigned palette_index_for_id(uint32_t id)
{
    uint32_t h = id * 2654435761u; /* Knuth's multiplicative hash spreads neighbouring ids */
    return (unsigned)((h >> 16) % PALETTE_ID_N);
}

/* ---- HTML ---- */

void html_escape(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            char tmp[4] = {'\xE2', '\x90', (char)(c == 0x7F ? 0xA1 : 0x80 + c), 0};
            sb_puts(b, tmp);
            i++;
        } else if (c < 0x80) {
            put_escaped(b, s + i, 1, true);
            i++;
        } else {
            uint32_t cp;
            size_t bad, l = utf8_next(s + i, n - i, &cp, &bad);
            if (!l) {
                sb_puts(b, "\xEF\xBF\xBD");
                i += bad;
            } else if (invisible(cp)) { /* C1 controls, bidi and other format characters */
                sb_printf(b, "\xE2\x9F\xA8U+%04X\xE2\x9F\xA9", (unsigned)cp);
                i += l;
            } else {
                sb_put(b, s + i, l);
                i += l;
            }
        }
    }
}

static const char page_css[] =
    ":root{color-scheme:light dark}\n"
    "body{margin:1.5rem;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
    "color:#1b1b1b;background:#fff}\n"
    "@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#1c1c20}"
    ".legend,.key{color:#b8b8b8}}\n"
    "h1{font-size:1.3rem;margin:0 0 .8rem}h2{font-size:1.05rem;margin:1.4rem 0 .2rem}\n"
    ".legend,.key{color:#555;margin:.2rem 0 .5rem}\n"
    ".mono,.text{font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace}\n"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:2;padding:.6rem .7rem;"
    "border:1px solid #8886;border-radius:6px}\n"
    ".t{color:#000;border-radius:3px;padding:.15em 0;cursor:default}\n"
    ".t:hover{outline:2px solid #000;outline-offset:0;position:relative;z-index:1}\n"
    ".ws{color:#6c6c6c}\n"
    ".sp{font-weight:bold}\n"
    ".id{color:#555;font-size:.75em;margin-left:.15em}\n"
    ".g{border-bottom:2px dotted #888;padding-bottom:.1em}\n"
    ".g .gc{color:inherit;margin-right:.1em}\n"
    ".g .t{font-size:.7em;vertical-align:.15em;margin-left:1px}\n"
    "table{border-collapse:collapse;margin:.4rem 0}"
    "td,th{padding:.2rem .7rem;text-align:right;border-bottom:1px solid #8884}"
    "td:first-child,th:first-child{text-align:left}\n";

void html_begin(sbuf *b, const char *title, const char *extra_css)
{
    sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; img-src data:\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"tokscope " TOK_VERSION_STRING "\">\n<title>");
    html_escape(b, title, strlen(title));
    sb_puts(b, "</title>\n<style>\n");
    sb_puts(b, page_css);
    for (int i = 0; i < PALETTE_ALT_N; i++)
        sb_printf(b, ".c%d{background:%s}", i, palette_alt[i].css);
    sb_puts(b, "\n");
    for (int i = 0; i < PALETTE_ID_N; i++)
        sb_printf(b, ".k%d{background:%s}", i, palette_id[i].css);
    sb_printf(b, "\n.sp{background:%s}\n", palette_special.css);
    if (extra_css)
        sb_puts(b, extra_css);
    sb_puts(b, "</style>\n</head>\n<body>\n");
}

void html_end(sbuf *b) { sb_puts(b, "</body>\n</html>\n"); }

bool write_output(const char *path, const sbuf *b)
{
    if (!strcmp(path, "-")) {
        fwrite(b->p, 1, b->len, stdout);
        check_stdout();
        return true;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        warnx_("%s: %s", shown_name(path), strerror(errno));
        return false;
    }
    bool ok = fwrite(b->p, 1, b->len, f) == b->len;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok)
        warnx_("%s: write error: %s", shown_name(path), strerror(saved));
    return ok;
}

/* ---- input ---- */

bool encode_all(const tok_choices *tc, const input *in, const char *label,
                const tok_encode_options *o, uint32_t **ids, tok_span **spans, size_t *n)
{
    for (size_t k = 0; k < tc->n; k++) {
        ids[k] = NULL;
        spans[k] = NULL;
        n[k] = 0;
    }
    for (size_t k = 0; k < tc->n; k++) {
        tok_error err;
        if (tok_encode_alloc(tc->v[k].tok, in->data ? in->data : "", in->len, o, &ids[k],
                             &spans[k], &n[k], &err) != TOK_OK) {
            warn_err(label, &err);
            return false;
        }
    }
    return true;
}
