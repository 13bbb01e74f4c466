/* hf_nfc_quick: text it calls NFC is NFC. Every code point with a canonical decomposition is
 * taken apart, and (unless it is excluded from composition) no character after the first of
 * its decomposition -- those are what NFC composes onto a preceding character -- may count as
 * inert; then random strings over marks,
 * Hangul and composable letters are normalized and compared wherever the check says "NFC". */
#include "formats/hf/hf.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

TEST(hf_nfc_inert_never_holds_a_composing_character)
{
    size_t seconds = 0, inert = 0;
    for (uint32_t cp = 0x80; cp < 0x110000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        bool in = hf_nfc_inert(cp);
        inert += in;
        if (in) { /* its own NFC */
            uint8_t s[4];
            size_t n = tok_utf8_encode(cp, s);
            utf8proc_uint8_t *out = NULL;
            utf8proc_ssize_t len = utf8proc_map(s, (utf8proc_ssize_t)n, &out, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
            CHECK_MSG(len == (utf8proc_ssize_t)n && memcmp(out, s, n) == 0, "U+%04X is inert but not NFC", cp);
            free(out);
        }
        const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
        if (p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0 || p->comp_exclusion)
            continue; /* no canonical decomposition, or never composed again */
        utf8proc_int32_t d[32];
        int bc = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32, UTF8PROC_DECOMPOSE, &bc);
        CHECK(k >= 1 && k <= 32);
        for (utf8proc_ssize_t i = 1; i < k; i++) {
            CHECK_MSG(!hf_nfc_inert((uint32_t)d[i]), "U+%04X composes onto U+%04X but counts as inert",
                      (unsigned)d[i], (unsigned)d[0]);
            seconds++;
        }
    }
    CHECK(seconds > 1000 && inert > 200000);
    /* Hangul: leading consonant + vowel (+ trailing consonant) compose by rule */
    CHECK(!hf_nfc_inert(0x1161) && !hf_nfc_inert(0x11A8));
    /* precomposed letters stay; a singleton does not */
    CHECK(hf_nfc_inert(0x4E00) && hf_nfc_inert(0x0439) && hf_nfc_inert(0xAC00) &&
          hf_nfc_inert(0x304C) && hf_nfc_inert(0x00E9));
    CHECK(!hf_nfc_inert(0x212B) && !hf_nfc_inert(0x0301));
}

TEST(hf_nfc_quick_agrees_with_normalizing)
{
    static const uint32_t alpha[] = {'a', 'e', 'A', ' ', 0x0301, 0x0308, 0x0327, 0x00E9, 0x0439,
                                     0x0418, 0x0306, 0x1100, 0x1161, 0x11A8, 0xAC00, 0x4E00,
                                     0x3099, 0x304B, 0x0B47, 0x0B3E, 0x212B, 0x00C5, 0x1E0B,
                                     0x0323, 0x0915, 0x093C, 0x1F600, 0xFB01};
    uint64_t seed = 5;
    uint8_t s[256];
    size_t quick = 0;
    for (int r = 0; r < 20000; r++) {
        size_t n = 0, chars = 1 + test_rand(&seed) % 12;
        for (size_t k = 0; k < chars; k++)
            n += tok_utf8_encode(alpha[test_rand(&seed) % (sizeof alpha / sizeof alpha[0])], s + n);
        if (!hf_nfc_quick(s, n))
            continue;
        quick++;
        utf8proc_uint8_t *out = NULL;
        utf8proc_ssize_t len = utf8proc_map(s, (utf8proc_ssize_t)n, &out, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        CHECK_MSG(len == (utf8proc_ssize_t)n && memcmp(out, s, n) == 0, "round %d: quick says NFC, it is not", r);
        free(out);
    }
    CHECK(quick > 1000);
}

/* hf_nfd_quick is exact: on random strings over letters, precomposed letters, marks of several
 * combining classes in and out of order, Hangul and compatibility characters, it says "NFD" (or
 * "NFKD") exactly when utf8proc's NFD (NFKD) gives the string back. */
TEST(hf_nfd_quick_agrees_with_normalizing)
{
    static const uint32_t alpha[] = {'a', 'e', ' ', 0x0301, 0x0316, 0x0308, 0x0327, 0x00E9,
                                     0x0439, 0x0306, 0x1100, 0x1161, 0xAC00, 0x4E00, 0x3099,
                                     0x304B, 0x212B, 0x1E0B, 0x0323, 0x093C, 0xFB01, 0x2460,
                                     0x00B5, 0x1F600};
    uint64_t seed = 9;
    uint8_t s[256];
    size_t yes[2] = {0, 0}, no[2] = {0, 0};
    for (int r = 0; r < 20000; r++) {
        size_t n = 0, len = 1 + test_rand(&seed) % 8;
        for (size_t k = 0; k < len; k++)
            n += tok_utf8_encode(alpha[test_rand(&seed) % (sizeof alpha / sizeof *alpha)], s + n);
        for (int compat = 0; compat < 2; compat++) {
            utf8proc_uint8_t *out = NULL;
            utf8proc_ssize_t l = utf8proc_map(s, (utf8proc_ssize_t)n, &out,
                                              UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                                                  (compat ? UTF8PROC_COMPAT : 0));
            bool same = l == (utf8proc_ssize_t)n && !memcmp(out, s, n);
            free(out);
            bool quick = hf_nfd_quick(s, n, compat);
            CHECK_MSG(quick == same, "%.*s: hf_nfd_quick (compat %d) says %d, utf8proc %d",
                      (int)n, (const char *)s, compat, quick, same);
            (same ? yes : no)[compat]++;
        }
    }
    CHECK(yes[0] > 100 && no[0] > 100 && yes[1] > 100 && no[1] > 100);
}
