/* show: the text with every token marked -- in the terminal (background colours, or brackets
 * without colour), as a self-contained HTML page (--html), or one JSON record per token.
 *
 * What a token *is* is its bytes (tok_token_bytes), so that is what is drawn: for tiktoken and
 * byte-level BPE they are exactly the input's bytes; for WordPiece or SentencePiece the reader
 * sees "##ing" or "▁Hello", which is what the model sees. Tokens that split a character are
 * drawn as one group of whole characters (see render.h). */
#include "render.h"

#include <stdlib.h>
#include <string.h>

typedef struct show_opts {
    bool ids, color, by_id;
} show_opts;

/* Facts about one tokenization, for the summary line and the page legend. */
typedef struct stats {
    size_t tokens, chars, bytes, groups, grouped;
} stats;

static void count_groups(const tok_tokenizer *tok, const uint32_t *ids, size_t n, stats *s)
{
    s->groups = s->grouped = 0;
    for (size_t i = 0; i < n;) {
        size_t j = token_group_end(tok, ids, n, i);
        if (j - i > 1) {
            s->groups++;
            s->grouped += j - i;
        }
        i = j;
    }
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void summary_line(sbuf *b, const stats *s)
{
    sb_printf(b, "%zu %s, %zu %s, %zu %s", s->tokens, plural(s->tokens, "token", "tokens"),
              s->chars, plural(s->chars, "character", "characters"), s->bytes,
              plural(s->bytes, "byte", "bytes"));
    if (s->tokens)
        sb_printf(b, ", %.2f characters per token", (double)s->chars / (double)s->tokens);
}

/* Length of the suffix of s made only of CR and LF: those line breaks are drawn after the token
 * closes, so that its colour (or bracket) does not run onto the next line. */
static size_t newline_tail(const char *s, size_t n)
{
    size_t t = 0;
    while (t < n && (s[n - 1 - t] == '\n' || s[n - 1 - t] == '\r'))
        t++;
    return t;
}

/* ---- terminal ---- */

static void render_terminal(sbuf *b, const tok_tokenizer *tok, const uint32_t *ids, size_t n,
                            const show_opts *so)
{
    sbuf bytes = {0};
    size_t unit = 0;
    for (size_t i = 0; i < n; unit++) {
        size_t j = token_group_end(tok, ids, n, i);
        bool group = j - i > 1, special = !group && tok_is_special(tok, ids[i]);
        sb_clear(&bytes);
        token_group_bytes(tok, ids, i, j, &bytes);
        size_t tail = newline_tail(bytes.p, bytes.len);
        char start[64] = "";
        vis_style st = {"", "", "\n", false};
        if (so->color) {
            unsigned bg = special  ? palette_special.xterm
                          : so->by_id ? palette_id[palette_index_for_id(ids[i])].xterm
                                      : palette_alt[unit % PALETTE_ALT_N].xterm;
            snprintf(start, sizeof start, "\x1b[%s%s38;5;16;48;5;%um", special ? "1;" : "",
                     group ? "4;" : "", bg);
            char nl[80];
            snprintf(nl, sizeof nl, "\x1b[0m\n%s", start);
            st.mark_on = "\x1b[38;5;242m";
            st.mark_off = "\x1b[38;5;16m";
            st.after_newline = nl;
            sb_puts(b, start);
            vis_append(b, bytes.p, bytes.len - tail, &st);
        } else {
            sb_puts(b, group ? "{" : special ? "\xE2\x9F\xA6" : "["); /* ⟦ */
            vis_append(b, bytes.p, bytes.len - tail, &st);
        }
        st.after_newline = "";
        vis_append(b, bytes.p + bytes.len - tail, tail, &st);
        if (so->ids) {
            sb_puts(b, st.mark_on);
            for (size_t k = i; k < j; k++)
                sb_printf(b, " %u", ids[k]);
            sb_puts(b, st.mark_off);
        }
        sb_puts(b, so->color ? "\x1b[0m" : group ? "}" : special ? "\xE2\x9F\xA7" : "]");
        for (size_t k = bytes.len - tail; k < bytes.len; k++)
            if (bytes.p[k] == '\n')
                sb_puts(b, "\n");
        i = j;
    }
    sb_free(&bytes);
}

/* ---- JSON ---- */

static void print_json(const tok_choice *ch, const uint32_t *ids, const tok_span *spans,
                       size_t n)
{
    const char *name = ch->arg;
    const tok_tokenizer *tok = ch->tok;
    sbuf group = {0};
    for (size_t i = 0; i < n;) {
        size_t j = token_group_end(tok, ids, n, i);
        sb_clear(&group);
        if (j - i > 1)
            token_group_bytes(tok, ids, i, j, &group);
        for (size_t k = i; k < j; k++) {
            const char *s;
            size_t len;
            token_bytes(tok, ids[k], &s, &len);
            fputs("{\"tokenizer\":", stdout);
            json_str(stdout, name, strlen(name));
            if (ch->estimate) { /* the proxy's tokens, shown for the model */
                fputs(",\"exact\":false,\"proxy\":", stdout);
                json_str(stdout, ch->model->approx_encoding, strlen(ch->model->approx_encoding));
            }
            printf(",\"index\":%zu,\"id\":%u,\"text\":", k, ids[k]);
            if (j - i > 1) /* part of a character: no text of its own (see bytes, group) */
                fputs("null", stdout);
            else
                json_str(stdout, s, len);
            fputs(",\"bytes\":\"", stdout);
            for (size_t m = 0; m < len; m++)
                printf("%02x", (unsigned char)s[m]);
            printf("\",\"start\":%llu,\"end\":%llu,\"special\":%s,\"partial\":%s",
                   (unsigned long long)spans[k].start, (unsigned long long)spans[k].end,
                   tok_is_special(tok, ids[k]) ? "true" : "false", j - i > 1 ? "true" : "false");
            if (j - i > 1) {
                fputs(",\"group\":", stdout);
                json_str(stdout, group.p, group.len);
            }
            fputs("}\n", stdout);
        }
        i = j;
    }
    sb_free(&group);
}

/* ---- HTML ---- */

static void render_html_tokens(sbuf *b, const tok_tokenizer *tok, const uint32_t *ids,
                               const tok_span *spans, size_t n, const show_opts *so)
{
    sbuf bytes = {0};
    const vis_style st = {"<span class=\"ws\">", "</span>", "\n", true};
    const vis_style st_tail = {"<span class=\"ws\">", "</span>", "", true};
    size_t unit = 0;
    for (size_t i = 0; i < n;) {
        size_t j = token_group_end(tok, ids, n, i);
        sb_clear(&bytes);
        token_group_bytes(tok, ids, i, j, &bytes);
        size_t tail = newline_tail(bytes.p, bytes.len);
        if (j - i == 1) {
            bool special = tok_is_special(tok, ids[i]);
            if (special)
                sb_puts(b, "<span class=\"t sp\"");
            else if (so->by_id)
                sb_printf(b, "<span class=\"t k%u\"", palette_index_for_id(ids[i]));
            else
                sb_printf(b, "<span class=\"t c%zu\"", unit % PALETTE_ALT_N);
            sb_printf(b, " data-i=\"%zu\" data-id=\"%u\"", i, ids[i]);
            html_token_title(b, tok, i, ids[i], &spans[i], false);
            sb_puts(b, ">");
            vis_append(b, bytes.p, bytes.len - tail, &st);
            vis_append(b, bytes.p + bytes.len - tail, tail, &st_tail);
            if (so->ids)
                sb_printf(b, "<span class=\"id\">%u</span>", ids[i]);
            sb_puts(b, "</span>");
            unit++;
        } else {
            /* The characters once, whole, then one small box per token with its bytes. */
            sb_printf(b, "<span class=\"g\" title=\"%zu tokens each hold part of these "
                         "characters\"><span class=\"gc\">", j - i);
            vis_append(b, bytes.p, bytes.len - tail, &st);
            vis_append(b, bytes.p + bytes.len - tail, tail, &st_tail);
            sb_puts(b, "</span>");
            for (size_t k = i; k < j; k++, unit++) {
                const char *s;
                size_t len;
                token_bytes(tok, ids[k], &s, &len);
                if (so->by_id)
                    sb_printf(b, "<span class=\"t k%u\"", palette_index_for_id(ids[k]));
                else
                    sb_printf(b, "<span class=\"t c%zu\"", unit % PALETTE_ALT_N);
                sb_printf(b, " data-i=\"%zu\" data-id=\"%u\"", k, ids[k]);
                html_token_title(b, tok, k, ids[k], &spans[k], true);
                sb_puts(b, ">");
                for (size_t m = 0; m < len; m++)
                    sb_printf(b, "%s%02x", m ? " " : "", (unsigned char)s[m]);
                if (so->ids)
                    sb_printf(b, "<span class=\"id\">%u</span>", ids[k]);
                sb_puts(b, "</span>");
            }
            sb_puts(b, "</span>");
        }
        for (size_t k = bytes.len - tail; k < bytes.len; k++)
            if (bytes.p[k] == '\n')
                sb_puts(b, "\n");
        i = j;
    }
    sb_free(&bytes);
}

static void render_html(sbuf *b, const tok_choices *tc, uint32_t **ids, tok_span **spans,
                        const size_t *n, const stats *base, const show_opts *so)
{
    html_begin(b, "tokscope show", NULL);
    sb_puts(b, "<h1>tokscope show</h1>\n<p class=\"key\">Each coloured box is one token; hover "
               "a token for its id, bytes and byte offsets. Made visible: "
               "<span class=\"ws\">\xC2\xB7</span> space, <span class=\"ws\">\xE2\x86\x92</span> "
               "tab, <span class=\"ws\">\xE2\x86\xB5</span> newline, "
               "<span class=\"ws\">\xE2\x90\x8D</span> carriage return, "
               "<span class=\"ws\">\xE2\x9F\xA8U+200B\xE2\x9F\xA9</span> other invisible "
               "characters. <span class=\"g\">Dotted underline</span>: tokens that each hold "
               "part of a character, shown as whole characters followed by each token's bytes. "
               "<span class=\"sp\">Bold orange</span>: special tokens.</p>\n");
    for (size_t k = 0; k < tc->n; k++) {
        stats s = *base;
        s.tokens = n[k];
        count_groups(tc->v[k].tok, ids[k], n[k], &s);
        sb_printf(b, "<section class=\"tokenizer\" data-tokens=\"%zu\">\n<h2>", n[k]);
        html_escape(b, tc->v[k].arg, strlen(tc->v[k].arg));
        char note[200];
        choice_proxy_note(&tc->v[k], n[k], note, sizeof note);
        html_escape(b, note, strlen(note));
        sb_puts(b, "</h2>\n<p class=\"legend\">");
        sbuf line = {0};
        summary_line(&line, &s);
        html_escape(b, line.p, line.len);
        sb_free(&line);
        if (s.groups)
            sb_printf(b, "; %zu %s split across %zu tokens", s.groups,
                      plural(s.groups, "character group", "character groups"), s.grouped);
        sb_puts(b, "</p>\n<div class=\"text\">");
        render_html_tokens(b, tc->v[k].tok, ids[k], spans[k], n[k], so);
        sb_puts(b, "</div>\n</section>\n");
    }
    html_end(b);
}

static int run(const cli_args *a)
{
    tok_choices tc = {0};
    cli_tokenizers(a, &tc);
    tok_encode_options o = cli_encode_options(a);
    const char *file = cli_text(a, "file"), *html = cli_text(a, "html");
    bool json = cli_flag(a, "json");
    color_mode cm = (color_mode)cli_choice(a, "color", COLOR_AUTO);
    show_opts so = {cli_flag(a, "ids"), false, cli_choice(a, "color-by", 0) == 1};
    if (file && a->n_pos)
        return cli_usage_error(a, "give TEXT or -f FILE, not both");
    if (json && html)
        return cli_usage_error(a, "--json and --html are two outputs: choose one");
    if (!choices_open(&tc, "o200k_base")) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    input in = {0};
    const char *label = "<stdin>";
    if (!read_text_input(a->pos, a->n_pos, file, &in, &label)) {
        choices_close(&tc);
        return EXIT_BAD;
    }
    uint32_t *ids[MAX_CHOICES];
    tok_span *spans[MAX_CHOICES];
    size_t n[MAX_CHOICES];
    int status = EXIT_OK;
    stats base = {0, utf8_chars(in.data, in.len), in.len, 0, 0};
    if (!encode_all(&tc, &in, label, &o, ids, spans, n)) {
        status = EXIT_BAD;
    } else if (json) {
        for (size_t k = 0; k < tc.n; k++)
            print_json(&tc.v[k], ids[k], spans[k], n[k]);
        check_stdout();
    } else if (html) {
        sbuf page = {0};
        render_html(&page, &tc, ids, spans, n, &base, &so);
        if (!write_output(html, &page))
            status = EXIT_BAD;
        sb_free(&page);
    } else {
        so.color = color_wanted(cm, stdout);
        sbuf out = {0};
        for (size_t k = 0; k < tc.n; k++) {
            stats s = base;
            s.tokens = n[k];
            count_groups(tc.v[k].tok, ids[k], n[k], &s);
            char note[200];
            choice_proxy_note(&tc.v[k], n[k], note, sizeof note);
            if (tc.n > 1 || note[0]) {
                if (k)
                    sb_puts(&out, "\n");
                sb_printf(&out, so.color ? "\x1b[1m%s\x1b[0m%s\n" : "%s%s\n", tc.v[k].label,
                          note);
            }
            render_terminal(&out, tc.v[k].tok, ids[k], n[k], &so);
            if (out.len && out.p[out.len - 1] != '\n')
                sb_puts(&out, "\n");
            summary_line(&out, &s);
            sb_puts(&out, "\n");
            if (s.groups)
                sb_printf(&out, "%s: %zu %s each hold part of a character (%zu %s)\n",
                          so.color ? "underlined" : "{braces}", s.grouped,
                          plural(s.grouped, "token", "tokens"), s.groups,
                          plural(s.groups, "group", "groups"));
            fwrite(out.p, 1, out.len, stdout);
            sb_clear(&out);
        }
        sb_free(&out);
        check_stdout();
    }
    for (size_t k = 0; k < tc.n; k++) {
        tok_free(ids[k]);
        tok_free(spans[k]);
    }
    input_free(&in);
    choices_close(&tc);
    return status;
}

static const cli_opt opts[] = {
    CLI_TOKENIZER_OPTS("; repeatable: one block each"),
    CLI_FILE_OPT,
    {"ids", 0, NULL, CLI_FLAG, .help = "show each token's id after it"},
    {"color", 0, "WHEN", CLI_CHOICE,
     .help = "auto (default: when standard output is a terminal, NO_COLOR is\n"
             "unset and TERM is not dumb), always or never",
     .choices = "auto|always|never", .alias = "colour"},
    {"color-by", 0, "WHAT", CLI_CHOICE,
     .help = "position (default: alternating colours) or id (the same id\n"
             "always gets the same colour)",
     .choices = "position|id"},
    {"html", 0, "FILE", CLI_TEXT,
     .help = "write a self-contained HTML page instead ('-' for standard\n"
             "output): hover a token for its id, bytes and offsets;\n"
             "several tokenizers are stacked for comparison",
     .values = CLI_V_FILE},
    {"json", 0, NULL, CLI_FLAG,
     .help = "JSON Lines, one record per token: tokenizer, index, id, text,\n"
             "bytes (hex), start, end (byte offsets), special, partial; a\n"
             "partial token (part of a character) has text null and the\n"
             "whole characters of its group in group"},
    CLI_ENCODE_OPTS,
};

CLI_COMMAND(show, "[TEXT|-f FILE]", CLI_V_NONE,
            "the text with every token marked (terminal, --html, --json)",
            /* usage */
            "show [OPTIONS] [TEXT...]\n"
            "show [OPTIONS] -f FILE\n",
            /* about */
            "Show how TEXT (several TEXT arguments are joined with spaces), FILE or standard input\n"
            "splits into tokens: each token on its own background colour, or in [brackets] without\n"
            "colour. Whitespace is made visible: '\xC2\xB7' space, '\xE2\x86\x92' tab, '\xE2\x86\xB5' newline, "
            "'\xE2\x90\x8D' carriage return,\n"
            "'\xE2\x9F\xA8U+200B\xE2\x9F\xA9' other invisible characters. Tokens that each hold part of a "
            "character are\n"
            "shown together as whole characters, underlined (or in {braces} without colour);\n"
            "special tokens are bold on orange (or in \xE2\x9F\xA6" "double brackets\xE2\x9F\xA7).\n"
            "A summary line follows: tokens, characters, bytes, characters per token.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error, unreadable input or text the tokenizer rejects.\n");
