/* Images in requests: sizes from PNG, GIF, WebP and JPEG headers built here byte by byte (and
 * cut short, or garbage: clear errors, no crash), the providers' rules against the values of
 * tests/golden/chat-api/images.tsv (docs worked examples, API measurements, hand arithmetic),
 * and image parts of whole requests for each provider. RULES.md section 4. */
#include "chat/images.h"
#include "runner.h"

#include <stdlib.h>

/* ---- headers ---- */

static size_t png(uint8_t *b, uint32_t w, uint32_t h)
{
    static const uint8_t sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                  'I', 'H', 'D', 'R'};
    memcpy(b, sig, sizeof sig);
    for (int i = 0; i < 4; i++) {
        b[16 + i] = (uint8_t)(w >> (24 - 8 * i));
        b[20 + i] = (uint8_t)(h >> (24 - 8 * i));
    }
    memset(b + 24, 0, 9); /* bit depth, colour type, ..., CRC: not read */
    return 33;
}

static size_t gif(uint8_t *b, uint32_t w, uint32_t h)
{
    memcpy(b, "GIF89a", 6);
    b[6] = (uint8_t)w, b[7] = (uint8_t)(w >> 8), b[8] = (uint8_t)h, b[9] = (uint8_t)(h >> 8);
    memset(b + 10, 0, 3);
    return 13;
}

static size_t webp(uint8_t *b, const char *kind, uint32_t w, uint32_t h)
{
    memset(b, 0, 30);
    memcpy(b, "RIFF", 4);
    memcpy(b + 8, "WEBP", 4);
    memcpy(b + 12, kind, 4);
    if (!strcmp(kind, "VP8 ")) {
        b[23] = 0x9D, b[24] = 0x01, b[25] = 0x2A;
        uint32_t sw = w | 1u << 14; /* a scaling hint in the top bits: masked off */
        b[26] = (uint8_t)sw, b[27] = (uint8_t)(sw >> 8), b[28] = (uint8_t)h, b[29] = (uint8_t)(h >> 8);
    } else if (!strcmp(kind, "VP8L")) {
        b[20] = 0x2F;
        uint32_t v = (w - 1) | (h - 1) << 14;
        for (int i = 0; i < 4; i++)
            b[21 + i] = (uint8_t)(v >> (8 * i));
    } else {
        for (int i = 0; i < 3; i++) {
            b[24 + i] = (uint8_t)((w - 1) >> (8 * i));
            b[27 + i] = (uint8_t)((h - 1) >> (8 * i));
        }
    }
    return 30;
}

/* SOI, APP0 (JFIF, 16 bytes), optionally an APP1 Exif segment with an orientation, fill bytes
 * and a restart marker, then SOF2 (progressive) with the size. */
static size_t jpeg(uint8_t *b, uint32_t w, uint32_t h, int orientation)
{
    size_t n = 0;
    static const uint8_t head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0,
                                   1, 1, 0, 0, 1, 0, 1, 0, 0};
    memcpy(b, head, sizeof head);
    n = sizeof head;
    if (orientation) {
        /* APP1: "Exif\0\0", TIFF little-endian, IFD0 at 8 with one entry 0x0112 SHORT 1 */
        static const uint8_t exif[] = {0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I',
                                       42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0, 0};
        memcpy(b + n, exif, sizeof exif);
        b[n + 28] = (uint8_t)orientation; /* the entry's value */
        n += sizeof exif;
    }
    b[n++] = 0xFF; /* a fill byte before the next marker */
    b[n++] = 0xFF, b[n++] = 0xD0; /* RST0: no length */
    uint8_t sof[] = {0xFF, 0xC2, 0, 11, 8, (uint8_t)(h >> 8), (uint8_t)h, (uint8_t)(w >> 8),
                     (uint8_t)w, 1, 1, 0x11, 0};
    memcpy(b + n, sof, sizeof sof);
    return n + sizeof sof;
}

TEST(chat_image_headers)
{
    chat_image_info info;
    const char *why;
    typedef struct {
        size_t n;
        const char *format;
        uint32_t w, h;
    } hcase;
    hcase cases[8];
    uint8_t bufs[8][128];
    size_t k = 0;
    cases[k] = (hcase){png(bufs[k], 1126, 488), "png", 1126, 488}, k++;
    cases[k] = (hcase){gif(bufs[k], 320, 240), "gif", 320, 240}, k++;
    cases[k] = (hcase){webp(bufs[k], "VP8 ", 640, 480), "webp", 640, 480}, k++;
    cases[k] = (hcase){webp(bufs[k], "VP8L", 800, 600), "webp", 800, 600}, k++;
    cases[k] = (hcase){webp(bufs[k], "VP8X", 4000, 3000), "webp", 4000, 3000}, k++;
    cases[k] = (hcase){jpeg(bufs[k], 1024, 768, 0), "jpeg", 1024, 768}, k++;
    cases[k] = (hcase){jpeg(bufs[k], 4032, 3024, 6), "jpeg", 4032, 3024}, k++;
    for (size_t i = 0; i < k; i++) {
        CHECK_MSG(chat_image_size_mem(bufs[i], cases[i].n, &info, &why), "case %zu: %s", i, why);
        CHECK_STR(info.format, cases[i].format);
        CHECK_EQ(info.width, cases[i].w);
        CHECK_EQ(info.height, cases[i].h);
        CHECK_EQ(info.orientation, i == 6 ? 6 : 0);
        /* every shorter prefix is refused with a reason (none reads past the end) */
        size_t need = i == 0 ? 24 : i == 1 ? 10 : i < 5 ? 30 : cases[i].n - 4;
        for (size_t cut = 0; cut < need; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, bufs[i], cut);
            bool ok = chat_image_size_mem(copy, cut, &info, &why);
            free(copy);
            CHECK_MSG(!ok && why && why[0], "case %zu cut to %zu bytes: accepted", i, cut);
        }
    }
    /* the reasons */
    static const struct {
        const char *bytes;
        size_t n;
        const char *why;
    } bad[] = {
        {"not an image at all", 19, "not a PNG, JPEG, GIF or WebP image"},
        {"\x89PNG\r\n\x1a\n\0\0\0\rIHDX\0\0\0\1\0\0\0\1", 24, "PNG without IHDR as its first chunk"},
        {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "PNG cut short before its IHDR chunk"},
        {"\xff\xd8\xff\xda\0\2", 6, "JPEG has no SOF marker before its image data"},
        {"\xff\xd8\xff\xe0\0\1", 6, "JPEG: a segment length below 2"},
        {"\xff\xd8\x00\x00", 4, "JPEG: a segment does not start with a marker"},
        {"\xff\xd8\xff\xe0\0\x10JFIF", 10, "JPEG ended before its size"},
        {"GIF89a\0\0\1\0", 10, "the image header gives a width or height of 0"},
        {"RIFF\0\0\0\0WEBPVP8Z\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 30,
         "WebP whose first chunk is not VP8, VP8L or VP8X"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(!chat_image_size_mem(bad[i].bytes, bad[i].n, &info, &why), "bad %zu accepted", i);
        CHECK_MSG(strstr(why, bad[i].why), "bad %zu: '%s', expected '%s'", i, why, bad[i].why);
    }
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of b[0..n), with a line break every `wrap` characters (0: none); caller frees. */
static char *base64(const uint8_t *b, size_t n, size_t wrap)
{
    char *out = malloc(n * 2 + 8), *o = out;
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? b[i + 1] : 0) << 8 | (i + 2 < n ? b[i + 2] : 0);
        char q[4] = {b64chars[v >> 18], b64chars[(v >> 12) & 63],
                     i + 1 < n ? b64chars[(v >> 6) & 63] : '=', i + 2 < n ? b64chars[v & 63] : '='};
        for (int k = 0; k < 4; k++) {
            if (wrap && col == wrap)
                *o++ = '\n', col = 0;
            *o++ = q[k], col++;
        }
    }
    *o = 0;
    return out;
}

TEST(chat_image_base64_and_files)
{
    uint8_t b[128];
    chat_image_info info;
    const char *why;
    size_t n = jpeg(b, 1800, 2400, 0);
    for (size_t wrap = 0; wrap <= 8; wrap += 4) { /* whitespace inside base64 is skipped */
        char *t = base64(b, n, wrap);
        CHECK_MSG(chat_image_size_base64(t, strlen(t), &info, &why), "wrap %zu: %s", wrap, why);
        CHECK_EQ(info.width, 1800);
        CHECK_EQ(info.height, 2400);
        free(t);
    }
    CHECK(!chat_image_size_base64("iVBO*w0KGgo=", 12, &info, &why));
    CHECK_STR(why, "the image data is not base64");
    /* a file: only its header is read */
    char path[512];
    snprintf(path, sizeof path, "%s/pic.png", test_tmpdir());
    n = png(b, 640, 480);
    CHECK(write_file(path, b, n));
    CHECK(chat_image_size_file(path, &info, &why));
    CHECK_EQ(info.width, 640);
    snprintf(path, sizeof path, "%s/none.png", test_tmpdir());
    CHECK(!chat_image_size_file(path, &info, &why));
    CHECK_STR(why, "cannot be opened");
}

/* ---- rules: images.tsv ---- */

TEST(chat_image_rules_reproduce_images_tsv)
{
    size_t len;
    char *t = read_file("tests/golden/chat-api/images.tsv", &len);
    CHECK(t);
    size_t rows = 0;
    char *save = NULL;
    char *line = strtok_r(t, "\n", &save); /* the header */
    CHECK(line && !strncmp(line, "rule\tmodel\twidth\theight\tdetail_or_tier\ttokens\tsource", 52));
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        if (line[0] == '#')
            continue;
        char *f[7], *s2 = NULL;
        int k = 0;
        for (char *c = strtok_r(line, "\t", &s2); c && k < 7; c = strtok_r(NULL, "\t", &s2))
            f[k++] = c;
        if (k == 6) { /* an empty detail column: the fields shift */
            memmove(f + 5, f + 4, 2 * sizeof *f);
            f[4] = "";
        }
        CHECK_MSG(k >= 6, "images.tsv row %zu: %d fields", rows + 1, k);
        const char *rule = f[0], *model = f[1], *arg = f[4];
        uint32_t w = (uint32_t)atol(f[2]), h = (uint32_t)atol(f[3]);
        uint64_t want = (uint64_t)atoll(f[5]), got = 0;
        chat_image_cost c;
        if (!strcmp(rule, "openai")) {
            CHECK(chat_image_openai(model, w, h, arg, &c));
            got = c.tokens;
        } else if (!strcmp(rule, "anthropic-legacy")) {
            got = chat_anthropic_legacy(w, h);
        } else if (!strcmp(rule, "anthropic-patch")) {
            got = chat_anthropic_patches(w, h, !strcmp(arg, "high-res"));
            CHECK(chat_image_anthropic(model, w, h, &c)); /* the tier follows the model */
            CHECK_EQ(c.tokens, got);
        } else if (!strcmp(rule, "gemini-tiles")) {
            got = chat_gemini_tiles(w, h);
            CHECK(chat_image_gemini(model, w, h, NULL, &c));
            CHECK_EQ(c.tokens, got);
        } else if (!strcmp(rule, "gemini-vertex")) {
            got = chat_gemini_vertex_tiles(w, h);
            CHECK(chat_image_gemini(model, w, h, NULL, &c));
            CHECK_EQ(c.tokens, got);
        } else if (!strcmp(rule, "gemini-3")) {
            CHECK(chat_image_gemini(model, w, h, arg, &c));
            got = c.tokens;
        } else {
            CHECK_MSG(false, "images.tsv: unknown rule %s", rule);
        }
        CHECK_MSG(got == want, "images.tsv %s %s %ux%u %s: expected %llu, got %llu (%s)", rule,
                  model, w, h, arg, (unsigned long long)want, (unsigned long long)got, f[6]);
        rows++;
    }
    CHECK_EQ(rows, 33);
    free(t);
}

TEST(chat_image_rule_labels)
{
    chat_image_cost c;
    /* measured on gpt-4o and gpt-4o-mini without a resize: exact; a resize, another model, a
     * patch model: estimates */
    CHECK(chat_image_openai("gpt-4o", 1126, 488, "auto", &c) && c.exact && c.tokens == 595);
    CHECK(chat_image_openai("gpt-4o-2024-08-06", 1, 1, "low", &c) && c.exact && c.tokens == 85);
    CHECK(chat_image_openai("gpt-4o", 2048, 4096, "high", &c) && !c.exact && c.tokens == 1105);
    CHECK(chat_image_openai("gpt-5", 1024, 1024, "high", &c) && !c.exact);
    CHECK(chat_image_openai("gpt-4.1-mini", 1024, 1024, "high", &c) && !c.exact &&
          strstr(c.why, "patch rule"));
    CHECK(!chat_image_openai("gpt-3.5-turbo", 10, 10, "auto", &c)); /* no rule */
    CHECK(chat_image_anthropic("claude-opus-4-7", 1928, 1928, &c) && c.tokens == 4761 && !c.exact);
    CHECK(chat_image_gemini("gemini-3-pro-preview", 64, 64, NULL, &c) && c.tokens == 1120);
    CHECK(!chat_image_gemini("gemini-3-pro-preview", 64, 64, "huge", &c));
    CHECK(!chat_image_gemini("gemma-3-4b", 64, 64, NULL, &c));
    /* the patch rule above its cap: 1536 patches at most */
    CHECK_EQ(chat_openai_patches(4096, 4096), 39 * 39); /* scaled to 1247x1247 */
    CHECK(chat_openai_patches(10000, 200) <= 1536);
}

/* ---- image parts of requests ---- */

static tok_tokenizer *o200k(void)
{
    static tok_tokenizer *t;
    if (!t)
        tok_open_encoding("o200k_base", &t, NULL);
    return t;
}

/* Count body for model; the images part, and whether the total is complete. */
static tok_status count(const char *body, const tok_request_options *o, tok_request_count *rc,
                        tok_error *err)
{
    return tok_request_count_json(o200k(), o, body, strlen(body), rc, err);
}

static char *openai_body(const char *model, const char *url, const char *detail)
{
    char *b = malloc(strlen(url) + 512);
    sprintf(b, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
               "\"text\",\"text\":\"Describe this picture:\"},{\"type\":\"image_url\","
               "\"image_url\":{\"url\":\"%s\"%s%s%s}}]}]}",
            model, url, detail ? ",\"detail\":\"" : "", detail ? detail : "", detail ? "\"" : "");
    return b;
}

TEST(chat_image_parts_openai)
{
    uint8_t b[128];
    size_t n = png(b, 1126, 488);
    char *p64 = base64(b, n, 0), url[256];
    snprintf(url, sizeof url, "data:image/png;base64,%s", p64);
    static const struct {
        const char *model, *detail;
        uint64_t tokens;
        bool exact;
    } want[] = {{"gpt-4o", NULL, 595, true},      {"gpt-4o-mini", "auto", 19834, true},
                {"gpt-4o", "low", 85, true},      {"gpt-4.1-mini", NULL, 0, false},
                {"o1", "high", 75 + 150 * 3, false}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *body = openai_body(want[i].model, url, want[i].detail);
        tok_request_count rc;
        tok_error err;
        CHECK_MSG(count(body, NULL, &rc, &err) == TOK_OK, "%s", err.message);
        const tok_request_part *p = &rc.parts[TOK_PART_IMAGES];
        CHECK_EQ(p->n_items, 1);
        if (want[i].tokens)
            CHECK_MSG(p->tokens == want[i].tokens, "%s: %llu", want[i].model,
                      (unsigned long long)p->tokens);
        else /* 1126x488: 36 x 16 patches x 1.62 */
            CHECK_EQ(p->tokens, (36 * 16 * 1620 + 500) / 1000);
        CHECK_EQ(p->exact, want[i].exact);
        CHECK(rc.complete);
        const tok_request_item *img = NULL;
        for (size_t k = 0; k < rc.n_items; k++)
            if (rc.items[k].kind == TOK_PART_IMAGES)
                img = &rc.items[k];
        CHECK(img);
        CHECK_STR(img->path, "messages[0].content[1].image_url.url");
        tok_request_count_free(&rc);
        free(body);
    }
    /* a remote image: unknown, never 0 silently -- or the size the caller assumes */
    char *body = openai_body("gpt-4o", "https://example.com/cat.png", NULL);
    tok_request_count rc;
    CHECK(count(body, NULL, &rc, NULL) == TOK_OK);
    CHECK(!rc.complete && !rc.exact);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].n_unknown, 1);
    CHECK(strstr(rc.note, "its size cannot be known offline"));
    uint64_t without = rc.total;
    tok_request_count_free(&rc);
    tok_request_options o = {0};
    o.image_width = 1024, o.image_height = 1024;
    CHECK(count(body, &o, &rc, NULL) == TOK_OK);
    CHECK(rc.complete && !rc.exact);
    CHECK_EQ(rc.total, without + 765);
    CHECK(strstr(rc.parts[TOK_PART_IMAGES].source, "size assumed (1024x1024)"));
    tok_request_count_free(&rc);
    free(body);
    /* a local file: read when allowed, relative to image_dir */
    char path[512];
    snprintf(path, sizeof path, "%s/photo.jpg", test_tmpdir());
    n = jpeg(b, 1024, 768, 6);
    CHECK(write_file(path, b, n));
    body = openai_body("gpt-4o", "photo.jpg", "high");
    CHECK(count(body, NULL, &rc, NULL) == TOK_OK);
    CHECK(!rc.complete); /* not allowed: unknown */
    tok_request_count_free(&rc);
    o = (tok_request_options){0};
    o.read_image_files = true;
    o.image_dir = test_tmpdir();
    CHECK(count(body, &o, &rc, NULL) == TOK_OK);
    CHECK(rc.complete);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].tokens, 85 + 170 * 4); /* 1024x768: 2 x 2 tiles */
    CHECK(strstr(rc.parts[TOK_PART_IMAGES].source, "EXIF orientation")); /* noted, not applied */
    tok_request_count_free(&rc);
    free(body);
    free(p64);
}

TEST(chat_image_parts_anthropic_and_gemini)
{
    uint8_t b[128];
    size_t n = png(b, 1000, 1000);
    char *p64 = base64(b, n, 0), *body = malloc(strlen(p64) + 512);
    sprintf(body, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":"
                  "\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\","
                  "\"media_type\":\"image/png\",\"data\":\"%s\"}}]}]}", p64);
    tok_request_count rc;
    tok_error err;
    CHECK_MSG(count(body, NULL, &rc, &err) == TOK_OK, "%s", err.message);
    CHECK_EQ(rc.api, TOK_REQUEST_ANTHROPIC);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].tokens, 36 * 36); /* 28-px patches: images.tsv */
    CHECK(!rc.parts[TOK_PART_IMAGES].exact);
    tok_request_count_free(&rc);
    sprintf(body, "{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\","
                  "\"data\":\"%s\"}}]}]}", p64);
    tok_request_options o = {0};
    o.model = "gemini-2.5-flash";
    CHECK_MSG(count(body, &o, &rc, &err) == TOK_OK, "%s", err.message);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].tokens, 258 * 4); /* 2 x 2 tiles of 768 */
    tok_request_count_free(&rc);
    o.model = "gemini-3-pro-preview";
    CHECK(count(body, &o, &rc, NULL) == TOK_OK);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].tokens, 1120); /* media resolution high, the default */
    tok_request_count_free(&rc);
    sprintf(body, "{\"generationConfig\":{\"mediaResolution\":\"MEDIA_RESOLUTION_LOW\"},"
                  "\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\","
                  "\"data\":\"%s\"}}]}]}", p64);
    CHECK(count(body, &o, &rc, NULL) == TOK_OK);
    CHECK_EQ(rc.parts[TOK_PART_IMAGES].tokens, 280);
    tok_request_count_free(&rc);
    /* a video is not an image: unknown */
    CHECK(count("{\"contents\":[{\"parts\":[{\"fileData\":{\"mimeType\":\"video/mp4\","
                "\"fileUri\":\"gs://x\"}}]}]}", &o, &rc, NULL) == TOK_OK);
    CHECK(!rc.complete && rc.parts[TOK_PART_FILES].n_unknown == 1);
    tok_request_count_free(&rc);
    free(body);
    free(p64);
}
