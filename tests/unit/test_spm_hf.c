/* tokenizer.json's Unigram model and Precompiled normalizer, which share SentencePiece's
 * Viterbi and charsmap but follow Hugging Face where it differs: double scores, unknown runs
 * fused, byte fallback per token, and the charsmap applied per grapheme cluster with the
 * shortest rule. Tiny hand-written tokenizer.json files; expectations worked out by hand. */
#include "formats/hf/hf.h"
#include "runner.h"

static tok_tokenizer *open_json(const char *json)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_memory(json, strlen(json), "t.json", NULL, &t, &err) != TOK_OK &&
        !strstr(json, "\"unk_id\":9")) /* the one meant to fail */
        fprintf(stderr, "    %s\n", err.message);
    return t;
}

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

/* ids: 0 <unk> (0), 1 a (-1), 2 b (-1.5), 3 ab (-3), 4 xz (-20) */
#define UNI_VOCAB "[[\"<unk>\",0],[\"a\",-1],[\"b\",-1.5],[\"ab\",-3],[\"xz\",-20]"

TEST(hf_unigram_viterbi_and_unknowns)
{
    tok_tokenizer *t = open_json("{\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":" UNI_VOCAB
                                 "]}}");
    CHECK(t);
    uint32_t ids[64];
    tok_span sp[64];
    /* "ab": a+b = -2.5 beats ab = -3 */
    CHECK_EQ(enc(t, "ab", ids, sp), 2);
    CHECK(ids[0] == 1 && ids[1] == 2);
    /* "xyb": x and y unknown (min over the whole vocabulary -20, minus 10 = -30 each), fused
     * into one <unk> spanning both; "xz" would need z */
    CHECK_EQ(enc(t, "xyb", ids, sp), 2);
    CHECK(ids[0] == 0 && sp[0].start == 0 && sp[0].end == 2 && ids[1] == 2);
    tok_close(t);
    /* no unk_id: an unknown character is an error (MissingUnkId) */
    t = open_json("{\"model\":{\"type\":\"Unigram\",\"unk_id\":null,\"vocab\":" UNI_VOCAB "]}}");
    CHECK(t);
    size_t n;
    tok_error err;
    CHECK(tok_encode(t, "ab", 2, NULL, ids, NULL, 64, &n, NULL) == TOK_OK);
    CHECK(tok_encode(t, "aq", 2, NULL, ids, NULL, 64, &n, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "unknown token"));
    tok_close(t);
    /* unk_id outside the vocabulary is refused at load time */
    CHECK(!open_json("{\"model\":{\"type\":\"Unigram\",\"unk_id\":9,\"vocab\":" UNI_VOCAB "]}}"));
}

TEST(hf_unigram_byte_fallback)
{
    /* 5 <0x79> (-5), 6 <0x78> (-5): "xyb" -> the fused unknown "xy" is not a token, so it
     * becomes <0x78> <0x79>, both spanning the whole "xy"; "qb" has no <0x71>: <unk> */
    tok_tokenizer *t = open_json("{\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"byte_fallback\":"
                                 "true,\"vocab\":" UNI_VOCAB ",[\"<0x79>\",-5],[\"<0x78>\",-5]]}}");
    CHECK(t);
    uint32_t ids[64];
    tok_span sp[64];
    CHECK_EQ(enc(t, "xyb", ids, sp), 3);
    CHECK(ids[0] == 6 && ids[1] == 5 && ids[2] == 2);
    CHECK(sp[0].start == 0 && sp[0].end == 2 && sp[1].start == 0 && sp[1].end == 2);
    CHECK_EQ(enc(t, "qb", ids, sp), 2);
    CHECK(ids[0] == 0 && ids[1] == 2);
    tok_close(t);
}

/* The charsmap of test_spm_model.c ("a" -> "A", "ab" -> "XY"), base64. */
static char *charsmap_b64(void)
{
    uint32_t u[301] = {0};
    u[0] = 1u << 10;
    u[96] = (96u ^ 200u) << 10 | 1u << 8 | 0x61;
    u[200] = 1u << 31 | 0;
    u[170] = (170u ^ 300u) << 10 | 1u << 8 | 0x62;
    u[300] = 1u << 31 | 2;
    uint8_t blob[4 + 301 * 4 + 5];
    uint32_t size = 301 * 4;
    memcpy(blob, &size, 4);
    memcpy(blob + 4, u, sizeof u);
    memcpy(blob + 4 + sizeof u, "A\0XY", 5);
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = sizeof blob;
    char *out = malloc(n / 3 * 4 + 8), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)blob[i] << 16 | (i + 1 < n ? (uint32_t)blob[i + 1] << 8 : 0) |
                     (i + 2 < n ? blob[i + 2] : 0);
        *o++ = al[v >> 18];
        *o++ = al[v >> 12 & 63];
        *o++ = i + 1 < n ? al[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? al[v & 63] : '=';
    }
    *o = 0;
    return out;
}

TEST(hf_precompiled_per_grapheme_shortest_rule)
{
    char *b64 = charsmap_b64();
    char json[4096];
    snprintf(json, sizeof json,
             "{\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"%s\"},"
             "\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":" UNI_VOCAB "]}}",
             b64);
    free(b64);
    tok_tokenizer *t = open_json(json);
    CHECK(t);
    const hf_pipeline *hp = t->impl;
    size_t len;
    /* "ab": two clusters, "a" -> "A" and "b" unchanged (sentencepiece would take "ab" -> "XY") */
    char *s = hf_normalize_string(hp, "ab", 2, &len);
    CHECK_STR(s, "Ab");
    free(s);
    /* "a\u0301b": the cluster "a\u0301" (3 bytes) starts with the rule "a": all of it becomes
     * "A", the accent is gone */
    s = hf_normalize_string(hp, "a\xCC\x81" "b", 4, &len);
    CHECK_STR(s, "Ab");
    free(s);
    /* spans: A replaces the 2-character cluster and takes the alignment of its first
     * character only (NormalizedString::transform_range), so [0,1); b is [3,4). Tokens: A is
     * unknown, b is b */
    uint32_t ids[64];
    tok_span sp[64];
    CHECK_EQ(enc(t, "a\xCC\x81" "b", ids, sp), 2);
    CHECK(ids[0] == 0 && sp[0].start == 0 && sp[0].end == 1);
    CHECK(ids[1] == 2 && sp[1].start == 3 && sp[1].end == 4);
    tok_close(t);
    /* a charsmap that is not base64 is an error naming the field */
    t = NULL;
    tok_error err;
    const char *bad = "{\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"@@@@\"},"
                      "\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":" UNI_VOCAB "]}}";
    CHECK(tok_open_memory(bad, strlen(bad), "t.json", NULL, &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "base64") && strstr(err.where, "precompiled_charsmap"));
}
