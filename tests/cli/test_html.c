/* The HTML pages of show and compare, checked in a real browser: Debian's chromium, headless.
 *
 * A probe script is put at the top of <head> (before the page's own Content-Security-Policy,
 * which forbids scripts, so the probe still runs): it records uncaught errors, and on load it
 * writes what it counted (token elements per tokenizer, scripts, images, chart bars) into
 * attributes of <body>, which --dump-dom prints. Console messages (a blocked load, a CSP
 * violation, an error) come out on stderr with --enable-logging=stderr and must be absent.
 * Screenshots prove that something is drawn: the page differs from a blank page of the same
 * size, and from itself with the tokens hidden.
 *
 * chromium is required: when it is missing these tests fail and say how to install it. */
#include "cli_helpers.h"

#include <stdlib.h>
#include <unistd.h>

static const char install_hint[] =
    "chromium is not installed; the HTML tests need a headless browser: "
    "apt-get install chromium (Debian's package; .ci/run installs it)";

/* The browser: chromium or chromium-browser on PATH (or /usr/bin/chromium). */
static const char *browser(void)
{
    static char found[1024];
    if (found[0])
        return found;
    const char *path = getenv("PATH");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s:/usr/bin", path ? path : "");
    static const char *names[] = {"chromium", "chromium-browser"};
    for (int k = 0; k < 2; k++) {
        for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir;
             dir = strtok_r(NULL, ":", &save)) {
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", dir, names[k]);
            if (access(p, X_OK) == 0) {
                snprintf(found, sizeof found, "%s", p);
                return found;
            }
        }
        snprintf(buf, sizeof buf, "%s:/usr/bin", path ? path : "");
    }
    return NULL;
}

/* A path in the temporary directory that stays valid (tmpfile_path reuses 8 buffers). */
static const char *stable_path(const char *name)
{
    static char paths[32][512];
    static int k;
    char *p = paths[k++ % 32];
    snprintf(p, 512, "%s/%s", test_tmpdir(), name);
    return p;
}

/* Run the browser headless on a local file with extra flags; stdout and stderr go to files in
 * the temporary directory (their paths are returned in out/err). True if it exited 0. */
static bool run_browser(const char *flags, const char *html_path, const char **out,
                        const char **err)
{
    static int run;
    char profile[600];
    run++;
    snprintf(profile, sizeof profile, "%s/chromium-profile-%d", test_tmpdir(), run);
    *out = stable_path(run % 2 ? "browser-a.out" : "browser-b.out");
    *err = stable_path(run % 2 ? "browser-a.err" : "browser-b.err");
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "XDG_CONFIG_HOME='%s' XDG_CACHE_HOME='%s' timeout -k 5 120 '%s' --headless "
             "--no-sandbox --disable-gpu --no-first-run --no-default-browser-check "
             "--disable-extensions --hide-scrollbars --user-data-dir='%s' %s 'file://%s' "
             ">'%s' 2>'%s' </dev/null",
             profile, profile, browser(), profile, flags, html_path, *out, *err);
    return system(cmd) == 0;
}

/* The page with the probe script inserted right after <head>. */
static const char probe[] =
    "<script>window.onerror=function(m){document.documentElement.setAttribute('data-error',"
    "String(m));};addEventListener('load',function(){var b=document.body,"
    "s=document.querySelectorAll('section.tokenizer'),c=[];for(var i=0;i<s.length;i++)"
    "c.push(s[i].querySelectorAll('.t').length+'/'+s[i].getAttribute('data-tokens'));"
    "b.setAttribute('data-counts',c.join(','));"
    "b.setAttribute('data-scripts',String(document.scripts.length));"
    "b.setAttribute('data-imgs',String(document.images.length));"
    "var t=document.querySelector('.text');b.setAttribute('data-escaped',"
    "t&&t.textContent.indexOf('<script>alert(1)<\\/script>&\"\\'')>=0?'yes':'no');"
    "b.setAttribute('data-bars',String(document.querySelectorAll('svg rect').length));"
    "var r=document.querySelector('.t');if(r){var q=r.getBoundingClientRect();"
    "b.setAttribute('data-box',q.width>0&&q.height>0?'drawn':'empty');"
    "b.setAttribute('data-title',r.getAttribute('title'));}"
    "b.setAttribute('data-loaded','yes');});</script>";

static const char *with_insert(const char *page, const char *insert, const char *name)
{
    const char *at = strstr(page, "<head>\n");
    if (!at)
        return NULL;
    at += 7;
    size_t len = strlen(page), ins = strlen(insert);
    char *buf = malloc(len + ins + 1);
    memcpy(buf, page, (size_t)(at - page));
    memcpy(buf + (at - page), insert, ins);
    memcpy(buf + (at - page) + ins, at, len - (size_t)(at - page) + 1);
    const char *p = stable_path(name);
    bool ok = write_file(p, buf, len + ins);
    free(buf);
    return ok ? p : NULL;
}

/* Attribute value of <body> in a dumped DOM ("" if absent). */
static const char *body_attr(const char *dom, const char *name, char *buf, size_t cap)
{
    buf[0] = 0;
    const char *body = strstr(dom, "<body");
    if (!body)
        return buf;
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(body, key);
    const char *end = strchr(body, '>');
    if (!p || (end && p > end))
        return buf;
    p += strlen(key);
    const char *q = strchr(p, '"');
    if (!q)
        return buf;
    snprintf(buf, cap, "%.*s", (int)(q - p), p);
    return buf;
}

static char *slurp(const char *path)
{
    size_t len;
    return read_file(path, &len);
}

/* Text that needs escaping, whitespace of every kind, a split emoji, a special token. */
static const char tricky[] =
    "<script>alert(1)</script>&\"' <img src=x onerror=alert(2)>\n"
    "\tdef f(x):\r\n    return 1234567 \xF0\x9F\x99\x82 \xE4\xB8\xAD\xE6\x96\x87 "
    "\xE2\x80\x8B\x01<|endoftext|>\n";

TEST(html_static_page_is_self_contained_and_escaped)
{
    const char *in = tmpfile_with("tricky.txt", tricky);
    cli_result r = RUN("show", "-e", "cl100k_base", "--special=allow", "--html", "-", "-f", in);
    CHECK_EQ(r.status, 0);
    CHECK(strncmp(r.out, "<!DOCTYPE html>\n", 16) == 0);
    CHECK(strstr(r.out, "<meta charset=\"utf-8\">"));
    CHECK(strstr(r.out, "Content-Security-Policy\" content=\"default-src 'none'"));
    /* Nothing loads from anywhere: no script, link, source or url(). */
    static const char *banned[] = {"<script", "<link", "src=\"", "url(", "@import", "http:",
                                   "https:", "<img"};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        CHECK_MSG(!strstr(r.out, banned[i]), "page contains %s", banned[i]);
    CHECK(strstr(r.out, "&lt;") && strstr(r.out, "&gt;") && strstr(r.out, "&amp;") &&
          strstr(r.out, "&quot;") && strstr(r.out, "&#39;"));
    CHECK(!strstr(r.out, "\x01")); /* control characters are drawn, not embedded */
    CHECK(strstr(r.out, "\xE2\x90\x81"));
    CHECK(!strstr(r.out, "\xEF\xBF\xBD"));
    CHECK(strstr(r.out, "data-id=\"100257\""));
    CHECK(strstr(r.out, "</html>\n"));
    cli_free(&r);
    /* Written to a file, nothing on standard output. */
    const char *page = tmpfile_path("static.html");
    r = RUN("show", "-e", "cl100k_base", "--html", page, "Hello");
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.out_len, 0);
    char *html = slurp(page);
    CHECK(html && strstr(html, "title=\"token 0 \xC2\xB7 id 9906&#10;bytes 48 65 6c 6c 6f&#10;"
                               "offsets 0\xE2\x80\x93" "5\">Hello</span>"));
    free(html);
    cli_free(&r);
}

TEST(html_show_page_loads_in_chromium)
{
    CHECK_MSG(browser() != NULL, "%s", install_hint);
    const char *in = tmpfile_with("tricky2.txt", tricky);
    const char *page = stable_path("show.html");
    cli_result r = RUN("show", "-e", "cl100k_base", "-e", "gpt2", "-m", "gpt-4o",
                       "--special=allow", "--html", page, "-f", in);
    CHECK_EQ(r.status, 0);
    cli_free(&r);
    char *html = slurp(page);
    CHECK(html);
    const char *probed = with_insert(html, probe, "show-probe.html");
    free(html);
    CHECK(probed);
    const char *out, *err;
    bool ok = run_browser("--enable-logging=stderr --v=0 --dump-dom", probed, &out, &err);
    char *dom = slurp(out), *log = slurp(err);
    CHECK_MSG(ok && dom, "chromium failed: %s", log ? log : "(no output)");
    char v[512];
    CHECK_STR(body_attr(dom, "data-loaded", v, sizeof v), "yes");
    CHECK_MSG(!strstr(dom, "data-error="), "script error: %s", dom);
    CHECK_MSG(!strstr(log, ":CONSOLE"), "console message: %s", strstr(log, ":CONSOLE"));
    /* One token element per token, per tokenizer: as many as encode gives. */
    char want[128];
    cli_result e1 = RUN("encode", "-e", "cl100k_base", "--special=allow", "--json", "-f", in);
    cli_result e2 = RUN("encode", "-e", "gpt2", "--special=allow", "--json", "-f", in);
    cli_result e3 = RUN("encode", "-m", "gpt-4o", "--special=allow", "--json", "-f", in);
    long n1 = strtol(e1.out + 10, NULL, 10), n2 = strtol(e2.out + 10, NULL, 10),
         n3 = strtol(e3.out + 10, NULL, 10); /* {"tokens":N,... */
    cli_free(&e1);
    cli_free(&e2);
    cli_free(&e3);
    CHECK(n1 > 20 && n2 > n1 && n3 > 20);
    snprintf(want, sizeof want, "%ld/%ld,%ld/%ld,%ld/%ld", n1, n1, n2, n2, n3, n3);
    CHECK_STR(body_attr(dom, "data-counts", v, sizeof v), want);
    /* The text came through as text: only the probe is a script, no image was made. */
    CHECK_STR(body_attr(dom, "data-scripts", v, sizeof v), "1");
    CHECK_STR(body_attr(dom, "data-imgs", v, sizeof v), "0");
    CHECK_STR(body_attr(dom, "data-escaped", v, sizeof v), "yes");
    CHECK_STR(body_attr(dom, "data-box", v, sizeof v), "drawn");
    CHECK_MSG(strncmp(body_attr(dom, "data-title", v, sizeof v), "token 0 \xC2\xB7 id ", 11) == 0,
              "title: %s", v);
    free(dom);
    free(log);
}

TEST(html_compare_page_loads_in_chromium)
{
    CHECK_MSG(browser() != NULL, "%s", install_hint);
    const char *in = tmpfile_with("cmp.txt", "The quick brown fox jumps over the lazy dog.\n"
                                             "\xE4\xB8\xAD\xE6\x96\x87 1234567890 <&>\n");
    const char *page = stable_path("compare.html");
    cli_result r = RUN("compare", "-e", "cl100k_base", "-e", "gpt2", "-e", "o200k_base",
                       "--html", page, in);
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "tokenizer")); /* the table still goes to standard output */
    cli_free(&r);
    char *html = slurp(page);
    CHECK(html && strstr(html, "<svg") && !strstr(html, "<script"));
    const char *probed = with_insert(html, probe, "compare-probe.html");
    free(html);
    const char *out, *err;
    bool ok = run_browser("--enable-logging=stderr --v=0 --dump-dom", probed, &out, &err);
    char *dom = slurp(out), *log = slurp(err);
    CHECK_MSG(ok && dom, "chromium failed: %s", log ? log : "(no output)");
    char v[128];
    CHECK_STR(body_attr(dom, "data-loaded", v, sizeof v), "yes");
    CHECK(!strstr(dom, "data-error="));
    CHECK_MSG(!strstr(log, ":CONSOLE"), "console message: %s", strstr(log, ":CONSOLE"));
    CHECK_STR(body_attr(dom, "data-bars", v, sizeof v), "3");
    CHECK(strstr(dom, "<td class=\"mono\">gpt2</td>"));
    free(dom);
    free(log);
}

/* Width and height from a PNG's IHDR; false if data is not a PNG. */
static bool png_size(const char *data, size_t len, unsigned *w, unsigned *h)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len < 24 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0)
        return false;
    *w = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 | (unsigned)p[18] << 8 | p[19];
    *h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 | (unsigned)p[22] << 8 | p[23];
    return true;
}

static bool screenshot(const char *html_path, const char *png, char **data, size_t *len)
{
    char flags[1024];
    snprintf(flags, sizeof flags, "--window-size=800,600 --screenshot='%s'", png);
    const char *out, *err;
    unlink(png);
    if (!run_browser(flags, html_path, &out, &err))
        return false;
    *data = read_file(png, len);
    return *data != NULL;
}

TEST(html_screenshot_is_not_blank)
{
    CHECK_MSG(browser() != NULL, "%s", install_hint);
    const char *page = stable_path("shot.html");
    cli_result r = RUN("show", "-e", "cl100k_base", "--html", page,
                       "Tokens, drawn: Hello world! 1234567 \xF0\x9F\x99\x82");
    CHECK_EQ(r.status, 0);
    cli_free(&r);
    char *html = slurp(page);
    const char *hidden = with_insert(html, "<style>.t,.gc{visibility:hidden}</style>",
                                     "shot-hidden.html");
    free(html);
    const char *blank = stable_path("blank.html");
    static const char blank_page[] = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                     "</head><body></body></html>\n";
    CHECK(write_file(blank, blank_page, strlen(blank_page)));
    char *a = NULL, *b = NULL, *c = NULL;
    size_t la = 0, lb = 0, lc = 0;
    unsigned w, h;
    CHECK_MSG(screenshot(page, stable_path("page.png"), &a, &la), "no screenshot of the page");
    CHECK_MSG(screenshot(blank, stable_path("blank.png"), &b, &lb), "no screenshot (blank)");
    CHECK_MSG(screenshot(hidden, stable_path("hidden.png"), &c, &lc), "no screenshot (hidden)");
    CHECK(png_size(a, la, &w, &h) && w == 800 && h == 600);
    CHECK(png_size(b, lb, &w, &h) && w == 800 && h == 600);
    CHECK(png_size(c, lc, &w, &h) && w == 800 && h == 600);
    /* Something is drawn at all, and the tokens themselves draw something. */
    CHECK_MSG(la != lb || memcmp(a, b, la) != 0, "the page looks blank");
    CHECK_MSG(la != lc || memcmp(a, c, la) != 0, "the tokens draw nothing");
    CHECK(la > lb);
    free(a);
    free(b);
    free(c);
}
