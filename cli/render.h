/* render.h -- what the commands that *show* tokens share: a growable string buffer, the colour
 * decision (tty, NO_COLOR, TERM=dumb, --color), UTF-8 walking and display widths, visible
 * whitespace, grouping of tokens that split a character, the token palette (terminal and HTML
 * use the same colours), HTML escaping and the page frame, and reading the text to analyse from
 * arguments, -f FILE or standard input. Uses only the public API (tokscope.h) and utf8proc. */
#ifndef TOKSCOPE_RENDER_H
#define TOKSCOPE_RENDER_H

#include "cli.h"

#include <stdarg.h>

/* ---- growable byte buffer (always NUL-terminated; exits on out of memory) ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;
void sb_put(sbuf *b, const void *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_clear(sbuf *b);
void sb_free(sbuf *b);

/* ---- colour ---- */

/* In the order of the words of --color (auto|always|never): its cli_choice index. */
typedef enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_mode;
/* always: yes; never: no; auto: only when f is a terminal, NO_COLOR is unset or empty and
 * TERM is not "dumb" (as ripgrep and the no-color.org convention do). */
bool color_wanted(color_mode m, FILE *f);

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s[0..n) and its code point, or 0 if the bytes there are
 * not valid UTF-8; then *bad (if not NULL) gets the length of the maximal invalid subpart (what
 * one U+FFFD replaces). n must be > 0. */
size_t utf8_next(const char *s, size_t n, uint32_t *cp, size_t *bad);
/* Characters in s[0..n): code points, each maximal invalid subpart counting as one. */
size_t utf8_chars(const char *s, size_t n);
/* Terminal columns s[0..n) takes (utf8proc widths; an invalid byte counts 4, as "\xHH"). */
size_t text_width(const char *s, size_t n);
/* Write s to f padded with spaces to width columns (on the left when right-aligned). */
void put_padded(FILE *f, const char *s, size_t width, bool right);

/* ---- visible text ---- */

/* How to render text with its whitespace and invisible characters made visible:
 * space '·', tab '→', newline '↵', CR '␍', other C0 controls and DEL their control pictures
 * (␀ ␁ ... ␡), other invisible characters (format characters such as U+200B, spaces other than
 * U+0020 such as NBSP, line/paragraph separators, C1 controls) as ⟨U+XXXX⟩, bytes that are not
 * valid UTF-8 as \xHH -- never a replacement character. */
typedef struct vis_style {
    const char *mark_on, *mark_off; /* written around every marker ("" for none) */
    const char *after_newline;      /* written after '↵' (a real line break, or "") */
    bool html;                      /* escape & < > " ' for HTML */
} vis_style;
extern const vis_style VIS_INLINE; /* plain text, newlines stay on one line as '↵' */
/* Append the visible form of s[0..n) to b. Returns true if anything was written as a marker. */
bool vis_append(sbuf *b, const char *s, size_t n, const vis_style *st);

/* ---- tokens ---- */

/* The bytes of token id (empty when the id is unused). */
void token_bytes(const tok_tokenizer *tok, uint32_t id, const char **s, size_t *n);
/* Tokens are shown whole characters at a time: a token whose bytes end inside a UTF-8 character
 * (byte-level BPE splits rare characters and emoji into byte pieces) is grouped with the tokens
 * that complete it. Returns one past the last token of the group that starts at ids[i]; a group
 * of one token is the usual case. Bytes that can never complete end the group. */
size_t token_group_end(const tok_tokenizer *tok, const uint32_t *ids, size_t n, size_t i);
/* Append the bytes of ids[i..j) to b. */
void token_group_bytes(const tok_tokenizer *tok, const uint32_t *ids, size_t i, size_t j,
                       sbuf *b);
/* The hover title of token k (id, bytes, offsets; part: it holds part of a character), as
 * show --html and the playground draw it: ` title="..."`. */
void html_token_title(sbuf *b, const tok_tokenizer *tok, size_t k, uint32_t id,
                      const tok_span *sp, bool part);

/* ---- palette: light backgrounds under black text, readable on dark and light terminals ---- */

typedef struct palette_color {
    unsigned char xterm; /* 256-colour index */
    const char *css;     /* the same colour for HTML */
} palette_color;
#define PALETTE_ALT_N 6  /* the alternating palette: neighbours always differ */
#define PALETTE_ID_N 24  /* --color-by=id: a larger set, the colour a function of the id */
extern const palette_color palette_alt[PALETTE_ALT_N];
extern const palette_color palette_id[PALETTE_ID_N];
extern const palette_color palette_special; /* special tokens (bold on magenta) */
unsigned palette_index_for_id(uint32_t id); /* 0 .. PALETTE_ID_N-1 */

/* ---- HTML ---- */

/* Append s[0..n) escaped for HTML text or a quoted attribute: & < > " ' become references,
 * control characters their control pictures, invisible ones (C1 controls, format characters
 * such as the bidi controls U+202E and U+200B, spaces other than U+0020) <U+XXXX> as shown,
 * invalid UTF-8 U+FFFD. For names and labels: nothing in them can reorder or hide the page. */
void html_escape(sbuf *b, const char *s, size_t n);
/* Start a self-contained page: doctype, UTF-8, a Content-Security-Policy that forbids every
 * network load and every script, the shared CSS (palette classes .c0.., .k0.., .sp, .ws, .g,
 * light and dark schemes) plus extra_css, and <body>. title is escaped. */
void html_begin(sbuf *b, const char *title, const char *extra_css);
void html_end(sbuf *b);
/* Write b to path ("-" for standard output). False with a message printed on failure. */
bool write_output(const char *path, const sbuf *b);

/* Encode with every chosen tokenizer; prints the error (naming label) and returns false on the
 * first failure. ids[k]/spans[k] are freed with tok_free. */
bool encode_all(const tok_choices *tc, const input *in, const char *label,
                const tok_encode_options *o, uint32_t **ids, tok_span **spans, size_t *n);

#endif
