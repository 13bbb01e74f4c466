/* unicode tables and UTF-8 helpers */
#include "runner.h"
#include "text/text.h"

#include <utf8proc.h>

TEST(unicode_categories_of_known_characters)
{
    CHECK_EQ(tok_uni_gc('a'), TOK_GC_Ll);
    CHECK_EQ(tok_uni_gc('A'), TOK_GC_Lu);
    CHECK_EQ(tok_uni_gc('7'), TOK_GC_Nd);
    CHECK_EQ(tok_uni_gc(0x0301), TOK_GC_Mn);  /* combining acute */
    CHECK_EQ(tok_uni_gc(0x01C5), TOK_GC_Lt);  /* Dz with caron */
    CHECK_EQ(tok_uni_gc(0x02B0), TOK_GC_Lm);  /* modifier h */
    CHECK_EQ(tok_uni_gc(0x4E00), TOK_GC_Lo);
    CHECK_EQ(tok_uni_gc(0x2160), TOK_GC_Nl);  /* Roman numeral one */
    CHECK_EQ(tok_uni_gc(0x00BD), TOK_GC_No);  /* one half */
    CHECK_EQ(tok_uni_gc(0x1C89), TOK_GC_Lu);  /* new in Unicode 16.0 */
    CHECK_EQ(tok_uni_gc(0x1C8A), TOK_GC_Ll);  /* new in Unicode 16.0 */
    CHECK_EQ(tok_uni_gc(0x1171E), TOK_GC_Mc); /* Mn until 15.1, Mc in 16.0 */
    CHECK_EQ(tok_uni_gc(0x10FFFF), TOK_GC_Cn);
    CHECK_EQ(tok_uni_gc(0xE000), TOK_GC_Co);
}

TEST(unicode_white_space_property)
{
    static const uint32_t ws[] = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680,
                                  0x2000, 0x2005, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
        CHECK_MSG(tok_uni_props(ws[i]) & TOK_UNI_WS, "U+%04X should be White_Space", ws[i]);
    /* not White_Space, though some regex engines' \s include them */
    static const uint32_t not_ws[] = {0x180E, 0x200B, 0xFEFF, 0x1C, 0x1F, 'a', 0x2060};
    for (size_t i = 0; i < sizeof not_ws / sizeof not_ws[0]; i++)
        CHECK_MSG(!(tok_uni_props(not_ws[i]) & TOK_UNI_WS), "U+%04X is not White_Space",
                  not_ws[i]);
    size_t n = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++)
        n += (tok_uni_props(cp) & TOK_UNI_WS) != 0;
    CHECK_EQ(n, 25); /* PropList.txt 16.0: 25 White_Space code points */
}

/* The generated table agrees with utf8proc (Unicode 15.0) everywhere utf8proc knows the
 * character, except the one character whose category changed in 16.0. */
TEST(unicode_table_agrees_with_utf8proc_where_versions_agree)
{
    size_t newer = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        int theirs = utf8proc_category((utf8proc_int32_t)cp);
        unsigned ours = tok_uni_gc(cp);
        if (theirs == 0 && ours != 0) {
            newer++;
            continue;
        }
        if (cp == 0x1171E)
            continue;
        CHECK_MSG((unsigned)theirs == ours, "U+%04X: utf8proc %d, ours %u", cp, theirs, ours);
    }
    CHECK_EQ(newer, 5812); /* assigned in Unicode 15.1 and 16.0 */
}

TEST(utf8_valid_prefix_and_maximal_subparts)
{
    struct {
        const char *s;
        size_t len, ok, bad;
    } cases[] = {
        {"hello", 5, 5, 0},
        {"\xC3\xA9", 2, 2, 0},             /* é */
        {"a\x80", 2, 1, 1},                /* lone continuation */
        {"\xC0\xAF", 2, 0, 1},             /* overlong lead */
        {"\xE0\x80\x80", 3, 0, 1},         /* overlong 3-byte: second byte out of range */
        {"\xED\xA0\x80", 3, 0, 1},         /* surrogate D800 */
        {"\xE2\x82", 2, 0, 2},             /* truncated euro sign */
        {"ab\xF0\x9F\x98", 5, 2, 3},       /* truncated emoji */
        {"\xF4\x90\x80\x80", 4, 0, 1},     /* above U+10FFFF */
        {"\xF0\x9F\x98\x80!", 5, 5, 0},    /* emoji */
        {"x\xFFy", 3, 1, 1},
        {"0123456789abcdef\xC3", 17, 16, 1}, /* after the 8-byte ASCII fast path */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t bad = 99, ok = tok_utf8_valid_prefix((const uint8_t *)cases[i].s, cases[i].len, &bad);
        CHECK_MSG(ok == cases[i].ok && bad == cases[i].bad, "case %zu: ok %zu bad %zu", i, ok, bad);
    }
}

TEST(utf8_encode_decode_round_trip)
{
    uint64_t seed = 1;
    for (int i = 0; i < 100000; i++) {
        uint32_t cp = (uint32_t)(test_rand(&seed) % 0x110000);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint8_t buf[4];
        size_t n = tok_utf8_encode(cp, buf), bad;
        unsigned len;
        CHECK(tok_utf8_valid_prefix(buf, n, &bad) == n);
        CHECK(tok_utf8_decode(buf, &len) == cp && len == n);
    }
}

/* Unicode's Table 3-7 applied literally: the length of the well-formed sequence at s[0..n), or
 * 0 with *bad the maximal subpart (at least 1). */
static size_t ref_utf8_one(const uint8_t *s, size_t n, size_t *bad)
{
    uint8_t c = s[0];
    size_t need = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    *bad = 1;
    if (need == 0)
        return 0;
    uint8_t lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    uint8_t hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (size_t k = 1; k < need; k++) {
        if (k >= n || s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xBF)) {
            *bad = k;
            return 0;
        }
    }
    return need;
}

/* Every three bytes after a run of three-byte characters (the validator's fast loop) and after
 * ASCII, with a fourth byte of either kind, against Table 3-7. */
TEST(utf8_valid_prefix_every_three_bytes)
{
    uint8_t buf[16];
    size_t wrong = 0;
    for (int pre = 0; pre < 2; pre++)
        for (uint32_t x = 0; x < 1u << 24; x++) {
            size_t k = 0;
            if (pre == 0) { /* two CJK characters */
                memcpy(buf, "\xE4\xB8\x80\xE6\x97\xA5", 6);
                k = 6;
            } else {
                buf[k++] = 'a';
            }
            buf[k] = (uint8_t)(x >> 16), buf[k + 1] = (uint8_t)(x >> 8), buf[k + 2] = (uint8_t)x;
            buf[k + 3] = (x & 1) ? 0x80 : 'z';
            size_t n = k + 4, want_ok = k, want_bad = 0, b;
            for (size_t i = k, m; i < n; i += m) {
                m = ref_utf8_one(buf + i, n - i, &b);
                if (!m) {
                    want_ok = i, want_bad = b;
                    break;
                }
                want_ok = i + m;
            }
            size_t bad = 99, ok = tok_utf8_valid_prefix(buf, n, &bad);
            wrong += ok != want_ok || bad != want_bad;
        }
    CHECK_MSG(wrong == 0, "%zu sequences validated unlike Table 3-7", wrong);
}

/* The sixteen-byte check (text/utf8.c, x86 with SSSE3, texts of 64 bytes or more) passes only
 * valid blocks and hands over at a character's start: every three bytes, and a fourth of either
 * kind, at every offset from a block's start, after 40 to 55 bytes of characters of every
 * length, then more text, against Table 3-7; a character cut short at every place in a block
 * and ASCII after it; and random mixtures of valid characters (the ends of each range among
 * them) and invalid bytes, up to 300 bytes. */
static void ref_prefix(const uint8_t *s, size_t n, size_t *ok, size_t *bad)
{
    size_t b, m;
    *ok = 0, *bad = 0;
    for (size_t i = 0; i < n; i += m) {
        m = ref_utf8_one(s + i, n - i, &b);
        if (!m) {
            *ok = i, *bad = b;
            return;
        }
        *ok = i + m;
    }
}

TEST(utf8_valid_prefix_in_blocks_of_sixteen)
{
    static const char head[] = "a\xC3\xA9\xE4\xB8\x80z\xF0\x9F\xA6\x9C \xD0\xB4\xEF\xBF\xBF"
                               "\xF4\x8F\xBF\xBF\xE0\xA0\x80\xED\x9F\xBF\xC2\x80\xDF\xBF"
                               "\xF0\x90\x80\x80\xEE\x80\x80 tail padding to fill";
    uint8_t buf[128];
    size_t wrong = 0;
    for (uint32_t x = 0; x < 1u << 24; x++) {
        size_t k = 40 + x % 16; /* the window at every offset in a block */
        memcpy(buf, head, k);
        while (k > 0 && ((uint8_t)head[k] & 0xC0) == 0x80) /* at a character's start */
            k--;
        size_t at = k;
        buf[k++] = (uint8_t)(x >> 16), buf[k++] = (uint8_t)(x >> 8), buf[k++] = (uint8_t)x;
        buf[k++] = (x >> 4 & 1) ? 0x80 : 'z';
        memcpy(buf + k, "\xE6\x97\xA5 more text after the window, past a block", 40);
        size_t n = k + 40 - (x >> 5 & 7); /* and the end at several places */
        size_t want_ok, want_bad, bad = 99;
        ref_prefix(buf, n, &want_ok, &want_bad);
        size_t ok = tok_utf8_valid_prefix(buf, n, &bad);
        if (ok != want_ok || bad != want_bad) {
            if (wrong++ < 5)
                fprintf(stderr, "  window %06x at %zu, %zu bytes: %zu/%zu, Table 3-7 %zu/%zu\n",
                        x, at, n, ok, bad, want_ok, want_bad);
        }
    }
    /* a character cut short at every place in a block, then ASCII blocks */
    static const char *cut[] = {"\xC3", "\xE4", "\xE4\xB8", "\xF0", "\xF0\x9F", "\xF0\x9F\xA6",
                                "\xED\xA0", "\x80"};
    for (size_t c = 0; c < sizeof cut / sizeof cut[0]; c++)
        for (size_t k = 0; k < 48; k++) {
            size_t cl = strlen(cut[c]), n = k + cl + 60, want_ok, want_bad, bad = 99;
            memset(buf, 'x', k);
            memcpy(buf + k, cut[c], cl);
            memset(buf + k + cl, 'y', 60);
            ref_prefix(buf, n, &want_ok, &want_bad);
            size_t ok = tok_utf8_valid_prefix(buf, n, &bad);
            if ((ok != want_ok || bad != want_bad) && wrong++ < 10)
                fprintf(stderr, "  cut %zu at %zu: %zu/%zu, Table 3-7 %zu/%zu\n", c, k, ok, bad,
                        want_ok, want_bad);
        }
    uint64_t r = 99;
    static const uint32_t cps[] = {0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF,
                                   0x10000, 0x1F99C, 0x10FFFF, 0x4E00, 0x439, 0xE9};
    static const uint8_t junk[] = {0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF, 0xE0, 0xED, 0xF0, 0xF4};
    for (int round = 0; round < 300000; round++) {
        uint8_t s[310];
        size_t n = 0, want = test_rand(&r) % 300;
        bool clean = round % 3 == 0;
        while (n < want) {
            uint64_t d = test_rand(&r) % 100;
            if (!clean && d < 2)
                s[n++] = junk[test_rand(&r) % sizeof junk];
            else
                n += tok_utf8_encode(cps[test_rand(&r) % (sizeof cps / sizeof cps[0])], s + n);
        }
        size_t want_ok, want_bad, bad = 99;
        ref_prefix(s, n, &want_ok, &want_bad);
        size_t ok = tok_utf8_valid_prefix(s, n, &bad);
        if (ok != want_ok || bad != want_bad) {
            if (wrong++ < 10)
                fprintf(stderr, "  random %d, %zu bytes: %zu/%zu, Table 3-7 %zu/%zu\n", round, n,
                        ok, bad, want_ok, want_bad);
        }
    }
    CHECK_MSG(wrong == 0, "%zu texts validated unlike Table 3-7", wrong);
}

/* tok_uni_gc_old's bitmap (text/unicode_old.c) skips the search only for code points no range
 * holds: every BMP code point gets the category the search gives, in both tables. */
TEST(unicode_old_categories_bitmap_agrees_with_search)
{
    static const struct {
        const uint32_t (*tab)[3];
        const uint32_t *n;
    } tabs[] = {{tok_uni_gc8, &tok_uni_gc8_n}, {tok_uni_gc9, &tok_uni_gc9_n}};
    for (size_t t = 0; t < 2; t++) {
        size_t in_ranges = 0;
        for (uint32_t cp = 0; cp < 0x110000; cp += cp < 0x10000 ? 1 : 97) {
            const uint32_t *r = tok_uni_range_find(tabs[t].tab, *tabs[t].n, cp);
            unsigned want = r ? r[2] : tok_uni_gc(cp);
            in_ranges += r != NULL;
            CHECK_MSG(tok_uni_gc_old(tabs[t].tab, *tabs[t].n, cp) == want, "U+%04X, table %zu",
                      cp, t);
        }
        CHECK(in_ranges > 100); /* the tables are not empty: the bitmap had ranges to mark */
    }
}
