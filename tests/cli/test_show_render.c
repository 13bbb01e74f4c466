/* cli/render.c, the helpers behind show, explain, compare and vocab, tested directly: visible
 * text, UTF-8 walking and widths, grouping of tokens that split a character, HTML escaping,
 * the colour decision, reading the text to analyse. */
#include "cli_helpers.h"
#include "render.h"

#include <stdlib.h>

static const char *vis(const char *s, size_t n, const vis_style *st)
{
    static sbuf b;
    sb_clear(&b);
    vis_append(&b, s, n, st);
    return b.p ? b.p : "";
}

TEST(render_visible_text)
{
    CHECK_STR(vis("a b\tc\n\r", 7, &VIS_INLINE),
              "a\xC2\xB7" "b\xE2\x86\x92" "c\xE2\x86\xB5\xE2\x90\x8D");
    CHECK_STR(vis("\x00\x1f\x7f", 3, &VIS_INLINE), "\xE2\x90\x80\xE2\x90\x9F\xE2\x90\xA1");
    /* invisible characters: ZWSP, NBSP, BOM, soft hyphen, a C1 control, LINE SEPARATOR */
    CHECK_STR(vis("\xE2\x80\x8B\xC2\xA0\xEF\xBB\xBF\xC2\xAD\xC2\x85\xE2\x80\xA8", 15, &VIS_INLINE),
              "\xE2\x9F\xA8U+200B\xE2\x9F\xA9\xE2\x9F\xA8U+00A0\xE2\x9F\xA9\xE2\x9F\xA8U+FEFF"
              "\xE2\x9F\xA9\xE2\x9F\xA8U+00AD\xE2\x9F\xA9\xE2\x9F\xA8U+0085\xE2\x9F\xA9"
              "\xE2\x9F\xA8U+2028\xE2\x9F\xA9");
    /* bytes that are not whole characters: \xHH, never U+FFFD */
    CHECK_STR(vis("a\xF0\x9F\xFF" "b\xC3", 6, &VIS_INLINE), "a\\xf0\\x9f\\xff" "b\\xc3");
    /* ordinary letters of any script pass through */
    CHECK_STR(vis("\xE4\xB8\xAD\xF0\x9F\x99\x82", 7, &VIS_INLINE), "\xE4\xB8\xAD\xF0\x9F\x99\x82");
    /* markers are wrapped once per run; newlines get the line break; HTML is escaped */
    vis_style st = {"<", ">", "|\n", false};
    CHECK_STR(vis("a  b\nc", 6, &st), "a<\xC2\xB7\xC2\xB7>b<\xE2\x86\xB5>|\nc");
    vis_style html = {"<i>", "</i>", "\n", true};
    CHECK_STR(vis("<&>\"' x", 7, &html), "&lt;&amp;&gt;&quot;&#39;<i>\xC2\xB7</i>x");
}

TEST(render_utf8_counts_and_widths)
{
    CHECK_EQ(utf8_chars("", 0), 0);
    CHECK_EQ(utf8_chars("h\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x99\x82", 10), 4);
    CHECK_EQ(utf8_chars("a\xFF\xF0\x9F", 4), 3); /* each maximal invalid subpart is one */
    CHECK_EQ(text_width("abc", 3), 3);
    CHECK_EQ(text_width("\xE4\xB8\xAD\xE6\x96\x87", 6), 4); /* CJK is two columns wide */
    CHECK_EQ(text_width("e\xCC\x81", 3), 1);                  /* a combining mark adds none */
    CHECK_EQ(text_width("\xFF", 1), 4);                       /* drawn as \xff */
    uint32_t cp;
    size_t bad;
    CHECK_EQ(utf8_next("\xED\xA0\x80", 3, &cp, &bad), 0); /* a surrogate is not UTF-8 */
    CHECK_EQ(bad, 1);
    CHECK_EQ(utf8_next("\xF0\x9F\x99", 3, &cp, &bad), 0);
    CHECK_EQ(bad, 3);
    CHECK_EQ(utf8_next("\xF0\x9F\x99\x82", 4, &cp, &bad), 4);
    CHECK_EQ(cp, 0x1F642);
}

TEST(render_token_groups)
{
    tok_tokenizer *tok;
    CHECK(tok_open_encoding("cl100k_base", &tok, NULL) == TOK_OK);
    /* 9468 = f0 9f, 19044 = 99 82 (together U+1F642), 0 = "!", 9906 = "Hello" */
    uint32_t ids[] = {9906, 9468, 19044, 0, 9468, 0, 19044};
    size_t n = sizeof ids / sizeof ids[0];
    CHECK_EQ(token_group_end(tok, ids, n, 0), 1);
    CHECK_EQ(token_group_end(tok, ids, n, 1), 3); /* the two halves of the emoji */
    CHECK_EQ(token_group_end(tok, ids, n, 3), 4);
    CHECK_EQ(token_group_end(tok, ids, n, 4), 5); /* f0 9f then "!": can never complete */
    CHECK_EQ(token_group_end(tok, ids, n, 6), 7); /* a lone continuation piece */
    CHECK_EQ(token_group_end(tok, ids, 2, 1), 2); /* the text ends inside the character */
    sbuf b = {0};
    token_group_bytes(tok, ids, 1, 3, &b);
    CHECK_EQ(b.len, 4);
    CHECK(memcmp(b.p, "\xF0\x9F\x99\x82", 4) == 0);
    sb_free(&b);
    const char *s;
    size_t len;
    token_bytes(tok, 100256, &s, &len); /* an unused id: empty */
    CHECK_EQ(len, 0);
    tok_close(tok);
}

TEST(render_html_escape_and_page_frame)
{
    sbuf b = {0};
    html_escape(&b, "<a href='x'>&\"\x01\x7f\xC2\x85\xFF", 19);
    CHECK_STR(b.p, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\xE2\x90\x81\xE2\x90\xA1"
                   "\xE2\x9F\xA8U+0085\xE2\x9F\xA9\xEF\xBF\xBD");
    sb_clear(&b);
    /* bidi controls and other format characters cannot reorder or hide a page's names */
    html_escape(&b, "a\xE2\x80\xAE" "b\xE2\x80\x8B" "c\xE2\x81\xA6" "d\xC2\xA0" "e f", 18);
    CHECK_STR(b.p, "a\xE2\x9F\xA8U+202E\xE2\x9F\xA9" "b\xE2\x9F\xA8U+200B\xE2\x9F\xA9"
                   "c\xE2\x9F\xA8U+2066\xE2\x9F\xA9" "d\xE2\x9F\xA8U+00A0\xE2\x9F\xA9" "e f");
    sb_clear(&b);
    html_begin(&b, "a <title>", ".x{}");
    html_end(&b);
    CHECK(strncmp(b.p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", 61)
          == 0);
    CHECK(strstr(b.p, "<title>a &lt;title&gt;</title>"));
    CHECK(strstr(b.p, ".c0{background:#afd7ff}") && strstr(b.p, ".k23{background:#ffffd7}"));
    CHECK(strstr(b.p, ".x{}</style>"));
    CHECK(strstr(b.p, "</body>\n</html>\n"));
    sb_free(&b);
    sb_printf(&b, "%d-%s", 42, "x");
    CHECK_STR(b.p, "42-x");
    sb_free(&b);
}

TEST(render_palette_and_colour_choice)
{
    /* The id palette is a function of the id, spread over all its colours. */
    bool seen[PALETTE_ID_N] = {false};
    for (uint32_t id = 0; id < 2000; id++) {
        unsigned k = palette_index_for_id(id);
        CHECK(k < PALETTE_ID_N);
        CHECK_EQ(k, palette_index_for_id(id));
        seen[k] = true;
    }
    for (int k = 0; k < PALETTE_ID_N; k++)
        CHECK_MSG(seen[k], "colour %d never used", k);
    for (int k = 0; k < PALETTE_ALT_N; k++) /* neighbours differ */
        CHECK(palette_alt[k].xterm != palette_alt[(k + 1) % PALETTE_ALT_N].xterm);
    /* --color's words are read by the option parser; their index is the color_mode */
    static const struct {
        const char *word;
        color_mode m;
    } words[] = {{"always", COLOR_ALWAYS}, {"never", COLOR_NEVER}, {"auto", COLOR_AUTO}};
    for (int i = 0; i < 3; i++) {
        char *argv[] = {"show", "--color", (char *)words[i].word, NULL};
        cli_args a;
        CHECK_EQ(cli_parse(&cmd_show, 3, argv, &a), -1);
        CHECK_EQ(cli_choice(&a, "color", 99), words[i].m);
    }
    CHECK(color_wanted(COLOR_ALWAYS, stdout));
    CHECK(!color_wanted(COLOR_NEVER, stdout));
    FILE *f = tmpfile();
    CHECK(f);
    CHECK(!color_wanted(COLOR_AUTO, f)); /* a file is not a terminal */
    fclose(f);
}

TEST(render_text_input_joins_arguments)
{
    char *argv[] = {"show", "Hello", "big", "world", NULL};
    input in;
    const char *label = NULL;
    CHECK(read_text_input(argv + 1, 3, NULL, &in, &label));
    CHECK_EQ(in.len, 15);
    CHECK(memcmp(in.data, "Hello big world", 15) == 0);
    CHECK_STR(label, "<argument>");
    input_free(&in);
    const char *f = tmpfile_with("render-in.txt", "from a file");
    CHECK(read_text_input(argv + 1, 0, f, &in, &label));
    CHECK_EQ(in.len, 11);
    CHECK_STR(label, f);
    input_free(&in);
}

TEST(render_shown_name)
{
    /* a plain name (spaces and all of Unicode that shows) is itself, not a copy */
    const char *plain = "my notes/caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC.txt";
    CHECK(shown_name(plain) == plain);
    CHECK_STR(shown_name("a\tb\x1b[31m\xE2\x80\xAE" "c\xFF"),
              "a\xE2\x90\x89" "b\xE2\x90\x9B[31m\xE2\x9F\xA8U+202E\xE2\x9F\xA9" "c\\xff");
    /* eight at a time stay valid */
    const char *v[8];
    char in[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(in[i], sizeof in[i], "n%d\t", i);
        v[i] = shown_name(in[i]);
    }
    for (int i = 0; i < 8; i++) {
        char want[32];
        snprintf(want, sizeof want, "n%d\xE2\x90\x89", i);
        CHECK_STR(v[i], want);
    }
}
