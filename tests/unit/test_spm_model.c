/* SentencePiece pipeline on tiny hand-built models: the charsmap (a Darts-clone array written
 * unit by unit), the normalizer and its alignment map, Unigram Viterbi (best path, ties, unknown
 * runs, byte fallback, user-defined bonus, unused pieces), BPE (score order, ties to the left,
 * unused pieces, frozen user symbols), WORD, CHAR, decode, BOS/EOS, special-token policies.
 * Every expectation is worked out by hand in the comment next to it. */
#include "formats/spm/spm.h"
#include "runner.h"
#include "test_spm.h"

/* ---- charsmap ---- */

/* A Darts-clone array for the rules "a" -> "A" and "ab" -> "XY". Units: label in bits 0-7,
 * has-leaf bit 8, offset (XOR distance to the children block) from bit 10; a leaf unit (bit
 * 31) holds the value, an offset into the pool "A\0XY\0".
 *   root (unit 0): offset 1                     -> children block at 0 ^ 1 = 1
 *   'a' (0x61): unit 1 ^ 0x61 = 96, has leaf, offset 96 ^ 200 -> block 200
 *   unit 200: leaf, value 0 ("A")
 *   'b' (0x62): unit 200 ^ 0x62 = 170, has leaf, offset 170 ^ 300 -> block 300
 *   unit 300: leaf, value 2 ("XY") */
static uint8_t *darts_blob(size_t *len, size_t units)
{
    uint32_t u[301] = {0};
    u[0] = 1u << 10;
    u[96] = (96u ^ 200u) << 10 | 1u << 8 | 0x61;
    u[200] = 1u << 31 | 0;
    u[170] = (170u ^ 300u) << 10 | 1u << 8 | 0x62;
    u[300] = 1u << 31 | 2;
    static const char pool[] = "A\0XY";
    *len = 4 + units * 4 + 5;
    uint8_t *b = malloc(*len);
    uint32_t size = (uint32_t)units * 4;
    memcpy(b, &size, 4);
    memcpy(b + 4, u, units * 4);
    memcpy(b + 4 + units * 4, pool, 5);
    return b;
}

TEST(spm_charsmap_lookups)
{
    size_t len;
    uint8_t *blob = darts_blob(&len, 301);
    tok_charsmap cm;
    char why[200];
    size_t at;
    CHECK(tok_charsmap_init(&cm, blob, len, false, why, sizeof why, &at) == TOK_OK);
    const uint8_t *rep;
    size_t rl;
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"abc", 3, false, &rep, &rl), 2);
    CHECK(rl == 2 && memcmp(rep, "XY", 2) == 0); /* longest: "ab" */
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"abc", 3, true, &rep, &rl), 1);
    CHECK(rl == 1 && rep[0] == 'A'); /* shortest (Hugging Face): "a" */
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"ac", 2, false, &rep, &rl), 1);
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"ab", 1, false, &rep, &rl), 1); /* n = 1 */
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"ba", 2, false, &rep, &rl), 0);
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"a\0b", 3, false, &rep, &rl), 1);
    CHECK(cm.root['a'] && !cm.root['b']);
    tok_charsmap_free(&cm);
    /* the same blob cut before unit 300: "ab" would need it; no crash, only "a" matches */
    free(blob);
    blob = darts_blob(&len, 250);
    CHECK(tok_charsmap_init(&cm, blob, len, false, why, sizeof why, &at) == TOK_OK);
    CHECK_EQ(tok_charsmap_match(&cm, (const uint8_t *)"ab", 2, false, &rep, &rl), 1);
    tok_charsmap_free(&cm);
    free(blob);
    /* Hugging Face's reading wants the replacements to be UTF-8 */
    uint8_t bad[12] = {4, 0, 0, 0, 0, 0, 0, 0, 'o', 'k', 0xFF, 0};
    CHECK(tok_charsmap_init(&cm, bad, sizeof bad, true, why, sizeof why, &at) == TOK_EFORMAT);
    CHECK_EQ(at, 10);
    CHECK(tok_charsmap_init(&cm, bad, sizeof bad, false, why, sizeof why, &at) == TOK_OK);
    tok_charsmap_free(&cm);
}

/* ---- the normalizer ---- */

static bool norm_is(const tok_spm_norm *nm, const char *in, const char *want,
                    const uint32_t *map, size_t map_n)
{
    tok_norm_out o = {.want_map = true};
    bool ok = tok_spm_normalize(nm, (const uint8_t *)in, strlen(in), &o) &&
              o.len == strlen(want) && memcmp(o.text, want, o.len) == 0 && map_n == o.len + 1 &&
              memcmp(o.map, map, map_n * 4) == 0;
    if (!ok) {
        fprintf(stderr, "    \"%s\" -> \"%.*s\" map", in, (int)o.len, (const char *)o.text);
        for (size_t i = 0; i <= o.len && o.map; i++)
            fprintf(stderr, " %u", o.map[i]);
        fprintf(stderr, "\n");
    }
    tok_norm_out_free(&o);
    return ok;
}

TEST(spm_normalizer_whitespace_and_map)
{
    tok_spm_norm nm = {NULL, NULL, true, true, true, false};
    /* "  a  b  ": leading spaces dropped (consumed 2); the dummy U+2581 and 'a' map to 2; the
     * first space after a becomes U+2581 at 3, the second is dropped; b at 5; the space at 6
     * gives a U+2581 that is trimmed at the end, whose offset (6) becomes the end. */
    static const uint32_t m1[] = {2, 2, 2, 2, 3, 3, 3, 5, 6};
    CHECK(norm_is(&nm, "  a  b  ", WS "a" WS "b", m1, 9));
    static const uint32_t m0[] = {3};
    CHECK(norm_is(&nm, "   ", "", m0, 1));
    /* keeping whitespace: every space is a U+2581 */
    nm.remove_extra_ws = false;
    static const uint32_t m2[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3};
    CHECK(norm_is(&nm, "  a", WS WS WS "a", m2, 11));
    /* whitespace as suffix: the dummy U+2581 goes at the end, mapped to the end */
    nm.remove_extra_ws = true;
    nm.ws_suffix = true;
    static const uint32_t m3[] = {0, 1, 1, 1, 2, 3, 3, 3, 3};
    CHECK(norm_is(&nm, "a b", "a" WS "b" WS, m3, 9));
    /* no escaping: spaces stay spaces */
    nm.ws_suffix = false;
    nm.escape_ws = false;
    static const uint32_t m4[] = {0, 0, 1, 2, 3};
    CHECK(norm_is(&nm, "a b", " a b", m4, 5));
    /* an invalid byte is one U+FFFD */
    nm.escape_ws = true;
    static const uint32_t m5[] = {0, 0, 0, 0, 1, 1, 1, 2, 3};
    CHECK(norm_is(&nm, "a\xFF" "b", WS "a\xEF\xBF\xBD" "b", m5, 9));
    /* charsmap rules, longest first: "ab" -> XY, "a" -> A */
    size_t len;
    uint8_t *blob = darts_blob(&len, 301);
    tok_charsmap cm;
    char why[200];
    size_t at;
    CHECK(tok_charsmap_init(&cm, blob, len, false, why, sizeof why, &at) == TOK_OK);
    nm.cm = &cm;
    static const uint32_t m6[] = {0, 0, 0, 0, 0, 2, 3, 4};
    CHECK(norm_is(&nm, "abac", WS "XYAc", m6, 8));
    tok_charsmap_free(&cm);
    free(blob);
}

/* ---- models ---- */

static size_t enc(const tok_tokenizer *t, const char *s, uint32_t *ids, tok_span *sp)
{
    size_t n = 0;
    tok_error err;
    if (tok_encode(t, s, strlen(s), NULL, ids, sp, 64, &n, &err) != TOK_OK) {
        fprintf(stderr, "    %s\n", err.message);
        return SIZE_MAX;
    }
    return n;
}

#define CHECK_IDS(t, text, ...)                                                               \
    do {                                                                                      \
        static const uint32_t want_[] = {__VA_ARGS__};                                        \
        uint32_t got_[64];                                                                    \
        size_t n_ = enc(t, text, got_, NULL);                                                 \
        CHECK_MSG(n_ == sizeof want_ / 4 && memcmp(got_, want_, sizeof want_) == 0,           \
                  "\"%s\": %zu ids, first %u", text, n_, n_ && n_ < 64 ? got_[0] : 0);       \
    } while (0)

/* ids: 0 <unk>, 1 <s>, 2 </s>, 3 ▁, 4 ▁a, 5 b, 6 a, 7 ▁ab, 8 ab */
static const tpiece uni[] = {
    {"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL}, {"</s>", 0, T_CONTROL},
    {WS, -2, T_NORMAL},      {WS "a", -1, T_NORMAL}, {"b", -1.5f, T_NORMAL},
    {"a", -2, T_NORMAL},     {WS "ab", -3, T_NORMAL}, {"ab", -0.5f, T_NORMAL},
    {NULL, 0, 0}};

TEST(spm_unigram_best_path_and_ties)
{
    tmodel m = {.model_type = 1};
    tpiece p[16];
    memcpy(p, uni, sizeof uni);
    p[8].s = "zz"; /* without "ab": ▁ab -3, ▁a+b -2.5, ▁+a+b -5.5 -> ▁a b */
    tok_tokenizer *t = spm_open(&m, p, false);
    CHECK(t);
    CHECK_IDS(t, "ab", 4, 5);
    uint32_t ids[64];
    tok_span sp[64];
    CHECK_EQ(enc(t, "ab", ids, sp), 2);
    CHECK(sp[0].start == 0 && sp[0].end == 1 && sp[1].start == 1 && sp[1].end == 2);
    tok_close(t);
    /* with "ab" (-0.5): ▁+ab = -2.5 = ▁a+b. ▁+ab is offered first (its last piece starts at
     * byte 3, ▁a+b's at byte 4) and a tie does not replace it. */
    t = spm_open(&m, uni, false);
    CHECK_IDS(t, "ab", 3, 8);
    tok_close(t);
}

TEST(spm_unigram_unknown_runs_merge)
{
    tmodel m = {.model_type = 1};
    tok_tokenizer *t = spm_open(&m, uni, false);
    CHECK(t);
    /* "axyb" -> ▁a, then x and y have no piece: each an unknown (min -3 - 10 = -13), merged
     * into one <unk> over bytes 1..3, then b */
    uint32_t ids[64];
    tok_span sp[64];
    CHECK_EQ(enc(t, "axyb", ids, sp), 3);
    CHECK(ids[0] == 4 && ids[1] == 0 && ids[2] == 5);
    CHECK(sp[1].start == 1 && sp[1].end == 3 && sp[2].start == 3 && sp[2].end == 4);
    /* decode: <unk> is " \u2047 " */
    char *out;
    size_t ol;
    CHECK(tok_decode_alloc(t, ids, 3, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "a \xE2\x81\x87 b");
    tok_free(out);
    /* count agrees */
    size_t c;
    CHECK(tok_count(t, "axyb", 4, NULL, &c, NULL) == TOK_OK);
    CHECK_EQ(c, 3);
    tok_close(t);
}

TEST(spm_unigram_byte_fallback)
{
    tmodel m = {.model_type = 1, .byte_fallback = true};
    tok_tokenizer *t = spm_open(&m, uni, true); /* <0xNN> is id 9 + NN */
    CHECK(t);
    uint32_t ids[64];
    tok_span sp[64];
    /* "xé": ▁ then x (0x78) one byte piece with its span; é (C3 A9) two byte pieces, the first
     * with an empty span at its start, the last with the whole character */
    CHECK_EQ(enc(t, "x\xC3\xA9", ids, sp), 4);
    CHECK(ids[0] == 3 && ids[1] == 9 + 0x78 && ids[2] == 9 + 0xC3 && ids[3] == 9 + 0xA9);
    CHECK(sp[1].start == 0 && sp[1].end == 1);
    CHECK(sp[2].start == 1 && sp[2].end == 1);
    CHECK(sp[3].start == 1 && sp[3].end == 3);
    /* decode reassembles the bytes; the ▁ before them is the dummy prefix */
    char *out;
    size_t ol;
    CHECK(tok_decode_alloc(t, ids, 4, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "x\xC3\xA9");
    tok_free(out);
    /* a byte that cannot start a character is U+FFFD, the next byte decodes on its own */
    uint32_t bad[] = {9 + 0xE4, 9 + 0x41};
    CHECK(tok_decode_alloc(t, bad, 2, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "\xEF\xBF\xBD" "A");
    tok_free(out);
    /* bytes first, then a piece with ▁: the text is no longer empty, so the ▁ is a space */
    uint32_t mixed[] = {9 + 0x41, 4};
    CHECK(tok_decode_alloc(t, mixed, 2, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "A a");
    tok_free(out);
    tok_close(t);
}

TEST(spm_unigram_user_defined_and_unused)
{
    tmodel m = {.model_type = 1};
    tpiece p[16];
    memcpy(p, uni, sizeof uni);
    p[8] = (tpiece){"xy", 0, T_USER};
    tok_tokenizer *t = spm_open(&m, p, false);
    CHECK(t);
    /* a user-defined piece scores 2 * FLT_MIN - 0.1 (max over NORMAL scores starts at
     * FLT_MIN): "axyb" -> ▁a, xy, b */
    CHECK_IDS(t, "axyb", 4, 8, 5);
    tok_close(t);
    /* ▁ab UNUSED with score 0 would win, but unused pieces are never matched */
    memcpy(p, uni, sizeof uni);
    p[7] = (tpiece){WS "ab", 0, T_UNUSED};
    p[8].s = "zz";
    t = spm_open(&m, p, false);
    CHECK_IDS(t, "ab", 4, 5);
    tok_close(t);
}

/* BPE: ids 0 <unk>, 1 <s>, 2 </s>, 3 ▁, 4 a, 5 b, 6 c, 7 aa, 8 ab, 9 bc, 10 <sep> */
static const tpiece bpe[] = {
    {"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL}, {"</s>", 0, T_CONTROL}, {WS, -1, T_NORMAL},
    {"a", -1, T_NORMAL},     {"b", -1, T_NORMAL},   {"c", -1, T_NORMAL},    {"aa", -2, T_NORMAL},
    {"ab", -5, T_NORMAL},    {"bc", -1, T_NORMAL},  {"<sep>", 0, T_USER},   {NULL, 0, 0}};

TEST(spm_bpe_merge_order)
{
    tmodel m = {.model_type = 2};
    tok_tokenizer *t = spm_open(&m, bpe, false);
    CHECK(t);
    /* "aaa": pairs aa at 1-2 and 2-3 tie (-2): the left one merges; "aaa" is no piece */
    CHECK_IDS(t, "aaa", 3, 7, 4);
    /* "abc": bc (-1) before ab (-5) */
    CHECK_IDS(t, "abc", 3, 4, 9);
    /* "ab<sep>a": <sep> is one frozen symbol; "ab" merges */
    CHECK_IDS(t, "ab<sep>a", 3, 8, 10, 4);
    /* unknown characters stay single unknown pieces, merged when adjacent */
    uint32_t ids[64];
    tok_span sp[64];
    CHECK_EQ(enc(t, "xya", ids, sp), 3);
    CHECK(ids[0] == 3 && ids[1] == 0 && ids[2] == 4);
    CHECK(sp[1].start == 0 && sp[1].end == 2);
    /* a long run stays linear-time and merges pairwise from the left: 7 a's -> aa aa aa a */
    CHECK_IDS(t, "aaaaaaa", 3, 7, 7, 7, 4);
    tok_close(t);
}

TEST(spm_bpe_unused_pieces_resegment)
{
    tmodel m = {.model_type = 2};
    tpiece p[16];
    memcpy(p, bpe, sizeof bpe);
    p[8] = (tpiece){"ab", -1, T_UNUSED};
    p[9] = (tpiece){"abc", -2, T_NORMAL};
    tok_tokenizer *t = spm_open(&m, p, false);
    CHECK(t);
    /* "ab": a+b merge into the unused piece ab, which is split back into a, b */
    CHECK_IDS(t, "ab", 3, 4, 5);
    /* "abc": ab (unused) still merges, then ab+c -> abc */
    CHECK_IDS(t, "abc", 3, 9);
    tok_close(t);
}

TEST(spm_word_and_char)
{
    /* WORD: ids 0 <unk>, 1 <s>, 2 </s>, 3 ▁hello, 4 ▁world */
    static const tpiece word[] = {{"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL},
                                  {"</s>", 0, T_CONTROL},  {WS "hello", -1, T_NORMAL},
                                  {WS "world", -1, T_NORMAL}, {NULL, 0, 0}};
    tmodel m = {.model_type = 3};
    tok_tokenizer *t = spm_open(&m, word, false);
    CHECK(t);
    CHECK_IDS(t, "hello world foo", 3, 4, 0);
    /* the unknown word and the one after it merge into one <unk> */
    uint32_t ids[64];
    tok_span sp[64];
    CHECK_EQ(enc(t, "hello foo bar", ids, sp), 2);
    CHECK(ids[1] == 0 && sp[1].start == 5 && sp[1].end == 13);
    tok_close(t);
    /* CHAR: ids 0 <unk>, 1 <s>, 2 </s>, 3 ▁, 4 a, 5 b */
    static const tpiece chr[] = {{"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL},
                                 {"</s>", 0, T_CONTROL},  {WS, -1, T_NORMAL},
                                 {"a", -1, T_NORMAL},     {"b", -1, T_NORMAL}, {NULL, 0, 0}};
    m.model_type = 4;
    t = spm_open(&m, chr, false);
    CHECK(t);
    CHECK_IDS(t, "ab a", 3, 4, 5, 3, 4);
    CHECK_IDS(t, "ac", 3, 4, 0);
    tok_close(t);
}

TEST(spm_decode_rules)
{
    tmodel m = {.model_type = 1};
    tok_tokenizer *t = spm_open(&m, uni, false);
    CHECK(t);
    char *out;
    size_t ol;
    /* removing extra whitespace: while nothing is out, each piece loses one leading ▁ */
    uint32_t a[] = {3, 4};
    CHECK(tok_decode_alloc(t, a, 2, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "a");
    tok_free(out);
    /* control pieces give nothing; unknown gives " \u2047 " unless skipped */
    uint32_t b[] = {1, 0, 4, 2};
    CHECK(tok_decode_alloc(t, b, 4, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, " \xE2\x81\x87  a");
    tok_free(out);
    CHECK(tok_decode_alloc(t, b, 4, TOK_DECODE_SKIP_SPECIAL, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "a");
    tok_free(out);
    tok_error err;
    uint32_t c[] = {4, 9};
    CHECK(tok_decode_alloc(t, c, 2, 0, &out, &ol, &err) == TOK_EID);
    CHECK_EQ(err.index, 1);
    tok_close(t);
    /* keeping whitespace (dummy prefix only): just the first ▁ goes */
    m.keep_ws = true;
    t = spm_open(&m, uni, false);
    CHECK(tok_decode_alloc(t, a, 2, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, " a");
    tok_free(out);
    tok_close(t);
    /* neither: every ▁ is a space */
    m.no_dummy = true;
    t = spm_open(&m, uni, false);
    CHECK(tok_decode_alloc(t, a, 2, 0, &out, &ol, NULL) == TOK_OK);
    CHECK_STR(out, "  a");
    tok_free(out);
    tok_close(t);
}

TEST(spm_add_special_and_policies)
{
    tmodel m = {.model_type = 1};
    tok_tokenizer *t = spm_open(&m, uni, false);
    CHECK(t);
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_ADD_SPECIAL};
    uint32_t ids[64];
    tok_span sp[64];
    size_t n;
    CHECK(tok_encode(t, "ab", 2, &o, ids, sp, 64, &n, NULL) == TOK_OK);
    CHECK(n == 4 && ids[0] == 1 && ids[3] == 2);
    CHECK(sp[0].start == 0 && sp[0].end == 0 && sp[3].start == 2 && sp[3].end == 2);
    /* reject: the text of a special piece is an error at its offset */
    tok_encode_options rej = {TOK_SPECIAL_REJECT, 0};
    tok_error err;
    CHECK(tok_encode(t, "a </s>", 6, &rej, ids, NULL, 64, &n, &err) == TOK_ESPECIAL);
    CHECK_EQ(err.offset, 2);
    /* allow: the special piece, and the text around it encoded as sentences of their own:
     * "ab</s>ab" -> ▁ ab </s> ▁ ab (the tie of spm_unigram_best_path_and_ties); the dummy ▁
     * has an empty span at its sentence's start */
    tok_encode_options allow = {TOK_SPECIAL_ALLOW, 0};
    CHECK(tok_encode(t, "ab</s>ab", 8, &allow, ids, sp, 64, &n, NULL) == TOK_OK);
    CHECK(n == 5 && ids[0] == 3 && ids[1] == 8 && ids[2] == 2 && ids[3] == 3 && ids[4] == 8);
    CHECK(sp[2].start == 2 && sp[2].end == 6 && sp[3].start == 6 && sp[3].end == 6);
    CHECK(sp[4].start == 6 && sp[4].end == 8);
    /* ordinary: it is text (no piece covers '<', so it is unknown) */
    CHECK(tok_encode(t, "</s>", 4, NULL, ids, NULL, 64, &n, NULL) == TOK_OK);
    for (size_t i = 0; i < n; i++)
        CHECK(ids[i] != 2);
    /* lossy UTF-8: each invalid byte is a U+FFFD, spans on the original bytes */
    tok_encode_options lossy = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8};
    CHECK(tok_encode(t, "a\xFF\xFE" "b", 4, NULL, ids, NULL, 64, &n, &err) == TOK_EUTF8);
    CHECK(tok_encode(t, "a\xFF\xFE" "b", 4, &lossy, ids, sp, 64, &n, NULL) == TOK_OK);
    CHECK(n == 3 && ids[1] == 0 && sp[1].start == 1 && sp[1].end == 3);
    tok_close(t);
}

TEST(spm_threads_share_a_tokenizer)
{
    tmodel m = {.model_type = 2};
    tok_tokenizer *t = spm_open(&m, bpe, false);
    CHECK(t);
    tok_text texts[64];
    char buf[64][40];
    for (int i = 0; i < 64; i++) {
        snprintf(buf[i], sizeof buf[i], "ab%*scab xa %d", i % 7, "", i);
        texts[i] = (tok_text){buf[i], strlen(buf[i])};
    }
    tok_batch_item res[64];
    CHECK(tok_encode_batch(t, texts, 64, NULL, 1, 4, res, NULL) == TOK_OK);
    for (int i = 0; i < 64; i++) {
        uint32_t ids[64];
        tok_span sp[64];
        size_t n = enc(t, buf[i], ids, sp);
        CHECK(res[i].n == n && memcmp(res[i].ids, ids, n * 4) == 0 &&
              memcmp(res[i].spans, sp, n * sizeof *sp) == 0);
    }
    tok_batch_free(res, 64);
    tok_close(t);
}
