/* show: the playground's token boxes, drawn as `tokscope show --html` draws them. The rules --
 * visible whitespace, characters split across tokens grouped, the palette, HTML escaping, the
 * page's CSS -- are cli/render.c's, compiled into this module; the loop below is cmd_show.c's
 * render_html_tokens with a range, so a long text is drawn a slice at a time (the page draws
 * the slices that are on screen). make test-wasm checks that a whole text drawn here is byte
 * for byte what show --html writes.
 *
 * render.c needs three helpers of the command (messages and standard output), which have no
 * use here: they are defined at the end. */
#include "render.h"

#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT EMSCRIPTEN_KEEPALIVE

static struct {
    sbuf html;
    size_t next, next_unit, groups, grouped;
} out;

EXPORT const char *tsw_show_html(void) { return out.html.p ? out.html.p : ""; }
EXPORT size_t tsw_show_len(void) { return out.html.len; }
EXPORT size_t tsw_show_next(void) { return out.next; }
EXPORT size_t tsw_show_next_unit(void) { return out.next_unit; }
EXPORT size_t tsw_show_groups(void) { return out.groups; }
EXPORT size_t tsw_show_grouped(void) { return out.grouped; }

/* Draw the tokens from index `from` (a group start) until at least `max` tokens are drawn or
 * ids end; unit is the box number of the first (the alternating colours continue from it).
 * spans32 holds start/end pairs (tsw_result_spans32). by_id: colour by id (--color-by=id). */
EXPORT void tsw_show(const tok_tokenizer *tok, const uint32_t *ids, const uint32_t *spans32,
                     size_t n, size_t from, size_t unit, size_t max, int by_id)
{
    sbuf bytes = {0};
    const vis_style st = {"<span class=\"ws\">", "</span>", "\n", true};
    const vis_style st_tail = {"<span class=\"ws\">", "</span>", "", true};
    sb_clear(&out.html);
    size_t i = from;
    while (i < n && i - from < max) {
        size_t j = token_group_end(tok, ids, n, i);
        sb_clear(&bytes);
        token_group_bytes(tok, ids, i, j, &bytes);
        size_t tail = 0;
        while (tail < bytes.len &&
               (bytes.p[bytes.len - 1 - tail] == '\n' || bytes.p[bytes.len - 1 - tail] == '\r'))
            tail++;
        if (j - i == 1) {
            tok_span sp = {spans32[2 * i], spans32[2 * i + 1]};
            if (tok_is_special(tok, ids[i]))
                sb_puts(&out.html, "<span class=\"t sp\"");
            else if (by_id)
                sb_printf(&out.html, "<span class=\"t k%u\"", palette_index_for_id(ids[i]));
            else
                sb_printf(&out.html, "<span class=\"t c%zu\"", unit % PALETTE_ALT_N);
            sb_printf(&out.html, " data-i=\"%zu\" data-id=\"%u\"", i, ids[i]);
            html_token_title(&out.html, tok, i, ids[i], &sp, false);
            sb_puts(&out.html, ">");
            vis_append(&out.html, bytes.p, bytes.len - tail, &st);
            vis_append(&out.html, bytes.p + bytes.len - tail, tail, &st_tail);
            sb_puts(&out.html, "</span>");
            unit++;
        } else {
            sb_printf(&out.html, "<span class=\"g\" title=\"%zu tokens each hold part of these "
                                 "characters\"><span class=\"gc\">", j - i);
            vis_append(&out.html, bytes.p, bytes.len - tail, &st);
            vis_append(&out.html, bytes.p + bytes.len - tail, tail, &st_tail);
            sb_puts(&out.html, "</span>");
            for (size_t k = i; k < j; k++, unit++) {
                const char *s;
                size_t len;
                token_bytes(tok, ids[k], &s, &len);
                tok_span sp = {spans32[2 * k], spans32[2 * k + 1]};
                if (by_id)
                    sb_printf(&out.html, "<span class=\"t k%u\"", palette_index_for_id(ids[k]));
                else
                    sb_printf(&out.html, "<span class=\"t c%zu\"", unit % PALETTE_ALT_N);
                sb_printf(&out.html, " data-i=\"%zu\" data-id=\"%u\"", k, ids[k]);
                html_token_title(&out.html, tok, k, ids[k], &sp, true);
                sb_puts(&out.html, ">");
                for (size_t m = 0; m < len; m++)
                    sb_printf(&out.html, "%s%02x", m ? " " : "", (unsigned char)s[m]);
                sb_puts(&out.html, "</span>");
            }
            sb_puts(&out.html, "</span>");
        }
        for (size_t k = bytes.len - tail; k < bytes.len; k++)
            if (bytes.p[k] == '\n')
                sb_puts(&out.html, "\n");
        i = j;
    }
    out.next = i;
    out.next_unit = unit;
    sb_free(&bytes);
}

/* The first token of each slice of at least max tokens (slices end at group boundaries) into
 * starts (room for n / max + 1 entries); returns how many. */
EXPORT size_t tsw_show_chunks(const tok_tokenizer *tok, const uint32_t *ids, size_t n, size_t max,
                              uint32_t *starts)
{
    size_t k = 0;
    for (size_t i = 0, from = 0; i < n;) {
        if (i == from)
            starts[k++] = (uint32_t)i;
        i = token_group_end(tok, ids, n, i);
        if (i - from >= max)
            from = i;
    }
    return k;
}

/* Count the character groups of a whole tokenization (for the summary line) without drawing. */
EXPORT void tsw_show_count_groups(const tok_tokenizer *tok, const uint32_t *ids, size_t n)
{
    out.groups = out.grouped = 0;
    for (size_t i = 0; i < n;) {
        size_t j = token_group_end(tok, ids, n, i);
        if (j - i > 1) {
            out.groups++;
            out.grouped += j - i;
        }
        i = j;
    }
}

/* ---- for explain (api.js): a word's tokens as tokscope explain shows them ---- */

/* One past the last token of the character group that starts at ids[i]. */
EXPORT size_t tsw_group_end(const tok_tokenizer *tok, const uint32_t *ids, size_t n, size_t i)
{
    return token_group_end(tok, ids, n, i);
}

/* The tokens ids[first..last) as explain's table draws them ("token|ization", "{🙂}|!": groups
 * of tokens that each hold part of a character in braces, whitespace visible) into
 * tsw_show_html. Groups are found within the cell, as explain finds them. */
EXPORT void tsw_cell_pieces(const tok_tokenizer *tok, const uint32_t *ids, size_t first,
                            size_t last)
{
    sbuf bytes = {0};
    sb_clear(&out.html);
    for (size_t i = first; i < last;) {
        size_t j = first + token_group_end(tok, ids + first, last - first, i - first);
        sb_clear(&bytes);
        token_group_bytes(tok, ids, i, j, &bytes);
        if (i > first)
            sb_puts(&out.html, "|");
        if (j - i > 1)
            sb_puts(&out.html, "{");
        vis_append(&out.html, bytes.p ? bytes.p : "", bytes.len, &VIS_INLINE);
        if (j - i > 1)
            sb_puts(&out.html, "}");
        i = j;
    }
    sb_free(&bytes);
}

/* text[0..n) with its whitespace and invisible characters visible (VIS_INLINE) into
 * tsw_show_html. */
EXPORT void tsw_visible(const char *text, size_t n)
{
    sb_clear(&out.html);
    vis_append(&out.html, text, n, &VIS_INLINE);
}

/* Characters of a UTF-8 text as show counts them (each maximal invalid subpart one). */
EXPORT size_t tsw_chars(const char *s, size_t n) { return utf8_chars(s, n); }

/* The CSS of show --html's pages: what is between <style> and </style> of html_begin. */
EXPORT const char *tsw_page_css(void)
{
    static sbuf css;
    if (!css.len) {
        sbuf page = {0};
        html_begin(&page, "", NULL);
        const char *a = strstr(page.p, "<style>\n"), *b = strstr(page.p, "</style>");
        if (a && b)
            sb_put(&css, a + 8, (size_t)(b - a - 8));
        sb_free(&page);
    }
    return css.p ? css.p : "";
}

/* ---- what render.c needs from the command ---- */

const char *prog = "tokscope";

void warnx_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tokscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void warn_err(const char *source, const tok_error *err)
{
    warnx_("%s: %s", source, err->message);
}

void check_stdout(void) {}
