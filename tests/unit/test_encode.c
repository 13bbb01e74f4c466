/* encode/decode API: special-token policies, invalid UTF-8, lossy mode, spans, buffers, NUL
 * bytes, count == length of encode. */
#include "api/api.h"
#include "runner.h"

static tok_tokenizer *open_enc(const char *name)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_encoding(name, &t, &err) != TOK_OK)
        fprintf(stderr, "%s\n", err.message);
    return t;
}

TEST(encode_special_policies)
{
    tok_tokenizer *t = open_enc("cl100k_base");
    CHECK(t);
    const char *s = "hi <|endoftext|> there";
    size_t len = strlen(s), n;
    uint32_t ids[32];
    tok_error err;
    tok_encode_options allow = {TOK_SPECIAL_ALLOW, 0}, reject = {TOK_SPECIAL_REJECT, 0};
    CHECK(tok_encode(t, s, len, &allow, ids, NULL, 32, &n, &err) == TOK_OK);
    CHECK_EQ(n, 4); /* hi, " ", <|endoftext|>, " there" */
    CHECK_EQ(ids[2], 100257);
    CHECK(tok_encode(t, s, len, NULL, ids, NULL, 32, &n, &err) == TOK_OK);
    CHECK(n > 4); /* ordinary: the text is plain text */
    for (size_t i = 0; i < n; i++)
        CHECK(ids[i] != 100257);
    CHECK(tok_encode(t, s, len, &reject, ids, NULL, 32, &n, &err) == TOK_ESPECIAL);
    CHECK_EQ(err.offset, 3);
    CHECK(strstr(err.message, "<|endoftext|>") && strstr(err.message, "byte 3"));
    /* reject passes text without special tokens */
    CHECK(tok_encode(t, "plain", 5, &reject, ids, NULL, 32, &n, &err) == TOK_OK);
    tok_close(t);
}

TEST(encode_whitespace_before_special_token_ends_the_segment)
{
    /* tiktoken matches each stretch between special tokens on its own, so "\n\n" before
     * <|endoftext|> is at the end of its text: allow and ordinary differ there. */
    tok_tokenizer *t = open_enc("cl100k_base");
    tok_encode_options allow = {TOK_SPECIAL_ALLOW, 0};
    uint32_t ids[16];
    size_t n;
    CHECK(tok_encode(t, "a  <|endoftext|>", 16, &allow, ids, NULL, 16, &n, NULL) == TOK_OK);
    CHECK_EQ(n, 3);
    CHECK_EQ(ids[1], 256); /* "  " stays one piece */
    tok_close(t);
}

TEST(encode_invalid_utf8_is_an_error_with_offset)
{
    tok_tokenizer *t = open_enc("o200k_base");
    tok_error err;
    size_t n;
    uint32_t ids[8];
    CHECK(tok_encode(t, "ok\xFFno", 5, NULL, ids, NULL, 8, &n, &err) == TOK_EUTF8);
    CHECK_EQ(err.offset, 2);
    CHECK(strstr(err.message, "byte 2"));
    CHECK(tok_count(t, "\xC3", 1, NULL, &n, &err) == TOK_EUTF8);
    tok_close(t);
}

TEST(encode_lossy_replaces_and_maps_spans_back)
{
    tok_tokenizer *t = open_enc("o200k_base");
    tok_encode_options lossy = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8};
    const char *bad = "ab\xE2\x82 cd\xFF";
    size_t blen = 8;
    uint32_t *ids, *ids2;
    tok_span *sp;
    size_t n, n2;
    CHECK(tok_encode_alloc(t, bad, blen, &lossy, &ids, &sp, &n, NULL) == TOK_OK);
    /* same ids as the text with U+FFFD written in */
    const char *good = "ab\xEF\xBF\xBD cd\xEF\xBF\xBD";
    CHECK(tok_encode_alloc(t, good, strlen(good), NULL, &ids2, NULL, &n2, NULL) == TOK_OK);
    CHECK_EQ(n, n2);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ(ids[i], ids2[i]);
    /* spans cover the original bytes, in order, without gaps */
    CHECK_EQ(sp[0].start, 0);
    for (size_t i = 1; i < n; i++)
        CHECK_EQ(sp[i].start, sp[i - 1].end);
    CHECK_EQ(sp[n - 1].end, blen);
    tok_free(ids), tok_free(ids2), tok_free(sp);
    tok_close(t);
}

TEST(encode_nul_bytes_are_ordinary_characters)
{
    tok_tokenizer *t = open_enc("cl100k_base");
    const char s[] = "a\0b";
    size_t n;
    uint32_t ids[8];
    CHECK(tok_encode(t, s, 3, NULL, ids, NULL, 8, &n, NULL) == TOK_OK);
    char out[8];
    size_t len;
    CHECK(tok_decode(t, ids, n, 0, out, sizeof out, &len, NULL) == TOK_OK);
    CHECK(len == 3 && memcmp(out, s, 3) == 0);
    tok_close(t);
}

TEST(encode_small_buffer_reports_size)
{
    tok_tokenizer *t = open_enc("cl100k_base");
    const char *s = "one two three four five";
    size_t n = 0, m;
    uint32_t ids[2];
    CHECK(tok_encode(t, s, strlen(s), NULL, NULL, NULL, 0, &n, NULL) == TOK_ERANGE);
    CHECK_EQ(n, 5);
    CHECK(tok_encode(t, s, strlen(s), NULL, ids, NULL, 2, &m, NULL) == TOK_ERANGE);
    CHECK_EQ(m, 5);
    CHECK_EQ(ids[0], 606); /* "one": the first tokens are written */
    CHECK(tok_count(t, s, strlen(s), NULL, &m, NULL) == TOK_OK);
    CHECK_EQ(m, 5);
    CHECK(tok_count(t, "", 0, NULL, &m, NULL) == TOK_OK);
    CHECK_EQ(m, 0);
    uint32_t *all;
    tok_span *sp;
    CHECK(tok_encode_alloc(t, "", 0, NULL, &all, &sp, &m, NULL) == TOK_OK);
    CHECK(all && sp && m == 0);
    tok_free(all), tok_free(sp);
    tok_close(t);
}

TEST(encode_rejects_bad_arguments)
{
    tok_tokenizer *t = open_enc("cl100k_base");
    size_t n;
    tok_error err;
    CHECK(tok_encode(t, NULL, 3, NULL, NULL, NULL, 0, &n, &err) == TOK_EINVAL);
    CHECK(tok_count(NULL, "x", 1, NULL, &n, &err) == TOK_EINVAL);
    tok_encode_options bad = {(tok_special_policy)7, 0};
    CHECK(tok_count(t, "x", 1, &bad, &n, &err) == TOK_EINVAL);
    tok_close(t);
}

TEST(decode_unknown_ids_and_skip_special)
{
    tok_tokenizer *t = open_enc("cl100k_base");
    tok_error err;
    char out[64];
    size_t len;
    uint32_t holes[] = {9906, 100256}; /* 100256 is not used by cl100k_base */
    CHECK(tok_decode(t, holes, 2, 0, out, sizeof out, &len, &err) == TOK_EID);
    CHECK_EQ(err.index, 1);
    CHECK(strstr(err.message, "100256"));
    uint32_t big[] = {5000000};
    CHECK(tok_decode(t, big, 1, 0, out, sizeof out, &len, &err) == TOK_EID);
    uint32_t with[] = {9906, 100257, 1917};
    CHECK(tok_decode(t, with, 3, 0, out, sizeof out, &len, NULL) == TOK_OK);
    CHECK(len == 24 && memcmp(out, "Hello<|endoftext|> world", 24) == 0);
    CHECK(tok_decode(t, with, 3, TOK_DECODE_SKIP_SPECIAL, out, sizeof out, &len, NULL) == TOK_OK);
    CHECK(len == 11 && memcmp(out, "Hello world", 11) == 0);
    CHECK(tok_decode(t, with, 3, 0, out, 4, &len, NULL) == TOK_ERANGE);
    CHECK_EQ(len, 24);
    tok_close(t);
}

TEST(spans_tile_the_text_and_count_matches)
{
    static const char *encs[] = {"gpt2", "p50k_edit", "cl100k_base", "o200k_harmony"};
    const char *s = "Ünïcödé   text\r\n\twith 12345 numbers, émojis 😀👍🏽 and <|endoftext|> 's";
    for (int e = 0; e < 4; e++) {
        tok_tokenizer *t = open_enc(encs[e]);
        for (int pol = 0; pol < 2; pol++) {
            tok_encode_options o = {pol ? TOK_SPECIAL_ALLOW : TOK_SPECIAL_ORDINARY, 0};
            uint32_t *ids;
            tok_span *sp;
            size_t n, c;
            CHECK(tok_encode_alloc(t, s, strlen(s), &o, &ids, &sp, &n, NULL) == TOK_OK);
            CHECK(tok_count(t, s, strlen(s), &o, &c, NULL) == TOK_OK);
            CHECK_EQ(c, n);
            uint64_t at = 0;
            for (size_t i = 0; i < n; i++) {
                const char *b;
                size_t bl;
                CHECK_EQ(sp[i].start, at);
                CHECK(tok_token_bytes(t, ids[i], &b, &bl) == TOK_OK);
                CHECK_EQ(sp[i].end - sp[i].start, bl);
                CHECK(memcmp(s + sp[i].start, b, bl) == 0);
                at = sp[i].end;
            }
            CHECK_EQ(at, strlen(s));
            tok_free(ids), tok_free(sp);
        }
        tok_close(t);
    }
}
