/* SentencePiece .model loading: the protobuf reader on hand-built bytes (unknown fields, wire
 * types, enums, merged messages), corrupt and truncated files with their error offsets, and
 * sentencepiece's own checks of the pieces. */
#include "runner.h"
#include "test_spm.h"

static const tpiece basic[] = {
    {"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL}, {"</s>", 0, T_CONTROL},
    {WS "a", -1, T_NORMAL},  {"b", -2, T_NORMAL},   {"<sep>", 0, T_USER},
    {"x", -3, T_UNUSED},     {NULL, 0, 0}};

TEST(spm_load_facts)
{
    tmodel m = {.model_type = 1};
    tok_tokenizer *t = spm_open(&m, basic, false);
    CHECK(t);
    CHECK_STR(tok_format(t), "sentencepiece");
    CHECK_EQ(tok_vocab_size(t), 7);
    /* CONTROL and UNKNOWN pieces are the special tokens */
    CHECK_EQ(tok_special_count(t), 3);
    CHECK(tok_is_special(t, 0) && tok_is_special(t, 1) && tok_is_special(t, 2));
    CHECK(!tok_is_special(t, 3) && !tok_is_special(t, 5));
    const char *p;
    size_t len;
    CHECK(tok_token_bytes(t, 3, &p, &len) == TOK_OK);
    CHECK(len == 4 && memcmp(p, WS "a", 4) == 0);
    CHECK(tok_token_bytes(t, 1, &p, &len) == TOK_OK);
    CHECK(len == 3 && memcmp(p, "<s>", 3) == 0);
    uint32_t id;
    CHECK(tok_token_id(t, "b", 1, &id) == TOK_OK);
    CHECK_EQ(id, 4);
    CHECK(tok_token_id(t, "</s>", 4, &id) == TOK_OK);
    CHECK_EQ(id, 2);
    CHECK(tok_token_id(t, "zz", 2, &id) == TOK_ENOENT);
    CHECK(tok_token_bytes(t, 7, &p, &len) == TOK_EID);
    tok_close(t);
}

/* What protobuf accepts, the reader accepts: unknown fields of every wire type (groups too),
 * known fields with another wire type, enum values outside the enum, repeated messages merged,
 * the last of a repeated scalar winning. */
TEST(spm_protobuf_tolerance)
{
    pbw w = {0};
    pbw sp = {0};
    pbw_str(&sp, 1, "<unk>");
    pbw_uint(&sp, 3, T_UNKNOWN);
    pbw_uint(&sp, 77, 5);   /* unknown field in a piece */
    pbw_msg(&w, 1, &sp);
    sp.n = 0;
    pbw_str(&sp, 1, WS "a");
    pbw_float(&sp, 2, -5);
    pbw_float(&sp, 2, -1); /* the last value counts */
    pbw_uint(&sp, 3, 9);   /* not a Type: ignored, stays NORMAL */
    pbw_msg(&w, 1, &sp);
    sp.n = 0;
    pbw_str(&sp, 1, "b");
    pbw_str(&sp, 3, "x"); /* type with the wrong wire type: an unknown field */
    pbw_msg(&w, 1, &sp);
    free(sp.d);
    pbw_uint(&w, 99, 123456789);
    pbw_tag(&w, 100, 1); /* fixed64 */
    for (int i = 0; i < 8; i++)
        pbw_byte(&w, 0xAB);
    pbw_tag(&w, 101, 5); /* fixed32 */
    for (int i = 0; i < 4; i++)
        pbw_byte(&w, 0xCD);
    pbw_tag(&w, 102, 3); /* a group holding a field and a nested group */
    pbw_uint(&w, 1, 7);
    pbw_tag(&w, 5, 3);
    pbw_tag(&w, 5, 4);
    pbw_tag(&w, 102, 4);
    pbw tr = {0};
    pbw_uint(&tr, 3, 3); /* WORD */
    pbw_msg(&w, 2, &tr);
    tr.n = 0;
    pbw_uint(&tr, 4, 8000); /* a second trainer_spec merges: model_type stays WORD */
    pbw_uint(&tr, 3, 17);   /* not a ModelType: ignored */
    pbw_msg(&w, 2, &tr);
    free(tr.d);
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(tok_open_spm(w.d, w.n, "t.model", &t, &err) == TOK_OK, "%s", err.message);
    free(w.d);
    /* WORD: "a b" -> "▁a▁b" -> words "▁a" (3) and "▁b" (unknown, 0) */
    uint32_t ids[8];
    size_t n;
    CHECK(tok_encode(t, "a b", 3, NULL, ids, NULL, 8, &n, NULL) == TOK_OK);
    CHECK_EQ(n, 2);
    CHECK_EQ(ids[0], 1);
    CHECK_EQ(ids[1], 0);
    /* "b" is a NORMAL piece whose type field had the wrong wire type */
    uint32_t id;
    CHECK(tok_token_id(t, "b", 1, &id) == TOK_OK);
    CHECK(id == 2 && !tok_is_special(t, 2));
    tok_close(t);
}

/* Fail with st, at offset at, the message naming the file, "byte <at>" and containing what. */
static bool fails_at(const uint8_t *d, size_t n, uint64_t at, const char *what, const char *where)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    tok_status st = tok_open_spm(d, n, "bad.model", &t, &err);
    char byte[32];
    snprintf(byte, sizeof byte, "byte %llu", (unsigned long long)at);
    bool ok = st == TOK_EFORMAT && !t && err.offset == at && strstr(err.message, "bad.model") &&
              strstr(err.message, byte) && strstr(err.message, what) &&
              (!where || strcmp(err.where, where) == 0);
    if (!ok)
        fprintf(stderr, "    got %s offset %llu where \"%s\": %s\n", tok_status_name(st),
                (unsigned long long)err.offset, err.where, err.message);
    tok_close(t);
    return ok;
}

TEST(spm_wire_errors_name_the_offset)
{
    /* the length of pieces[0] runs past the end: reported at its tag */
    static const uint8_t past[] = {0x0A, 0x05, 0x0A, 0x03, 'a', 'b'};
    CHECK(fails_at(past, sizeof past, 0, "5 bytes long but only 4 bytes remain", NULL));
    static const uint8_t trunc_len[] = {0x0A, 0x85};
    CHECK(fails_at(trunc_len, sizeof trunc_len, 1, "truncated length", NULL));
    static const uint8_t field0[] = {0x00, 0x00};
    CHECK(fails_at(field0, sizeof field0, 0, "invalid field number 0", NULL));
    static const uint8_t long_varint[] = {0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                          0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    CHECK(fails_at(long_varint, sizeof long_varint, 1, "varint longer than 10 bytes", NULL));
    static const uint8_t open_group[] = {0x08, 0x01, 0x0B, 0x08, 0x01};
    CHECK(fails_at(open_group, sizeof open_group, 2, "group (field 1) is not closed", NULL));
    static const uint8_t wrong_close[] = {0x1B, 0x24};
    CHECK(fails_at(wrong_close, sizeof wrong_close, 1, "group 3 closed as group 4", NULL));
    static const uint8_t stray_end[] = {0x24};
    CHECK(fails_at(stray_end, sizeof stray_end, 0, "end of group 4 without its start", NULL));

    /* after a valid model: wire type 7, then a truncated fixed64 */
    tmodel m = {.model_type = 1};
    pbw w = spm_model_bytes(&m, basic, false);
    size_t at = w.n;
    pbw_byte(&w, 0x0F);
    CHECK(fails_at(w.d, w.n, at, "invalid wire type 7 (field 1)", NULL));
    w.n = at;
    pbw_tag(&w, 9, 1);
    pbw_byte(&w, 1);
    CHECK(fails_at(w.d, w.n, at + 1, "truncated fixed64 value (field 9)", NULL));
    free(w.d);

    /* inside pieces[1]: a score with 2 of its 4 bytes; the path names the piece */
    pbw v = {0};
    pbw_bytes(&v, 1, "\x0A\x05<unk>\x18\x02", 9); /* pieces[0]: <unk>, UNKNOWN: bytes 0-10 */
    static const uint8_t p1[] = {0x0A, 0x01, 'a', 0x15, 0x00, 0x00};
    pbw_bytes(&v, 1, p1, sizeof p1); /* pieces[1] at 11: tag, length, then 0A 01 61 15 00 00 */
    CHECK(fails_at(v.d, v.n, 17, "truncated fixed32 value (field 2)", "pieces[1]"));
    free(v.d);

    /* a string field of trainer_spec longer than the trainer_spec */
    pbw x = spm_model_bytes(&m, basic, false);
    at = x.n;
    static const uint8_t tr[] = {0xEA, 0x02, 0x09, 'a'}; /* field 45 (unk_piece), 9 bytes, 1 there */
    pbw_bytes(&x, 2, tr, sizeof tr);
    CHECK(fails_at(x.d, x.n, at + 2, "field 45 is 9 bytes long but only 1 bytes remain",
                   "trainer_spec"));
    free(x.d);
}

TEST(spm_piece_checks_as_sentencepiece)
{
    tmodel m = {.model_type = 1};
    /* pieces[0] starts at byte 0; each piece message below is 2 + its length bytes */
    static const tpiece no_unk[] = {{"a", 0, T_NORMAL}, {NULL, 0, 0}};
    pbw w = spm_model_bytes(&m, no_unk, false);
    tok_tokenizer *t;
    tok_error err;
    CHECK(tok_open_spm(w.d, w.n, "x.model", &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "unk is not defined"));
    free(w.d);

    /* the duplicate is reported at the second piece: "<unk>" message = 2 + 2+5 + 5 + 2 = 16
     * bytes, "a" = 2 + 2+1 + 5 = 10 bytes, so pieces[2] starts at 16 + 10 = 26 */
    static const tpiece dup[] = {{"<unk>", 0, T_UNKNOWN}, {"a", 0, T_NORMAL}, {"a", -1, T_USER},
                                 {NULL, 0, 0}};
    w = spm_model_bytes(&m, dup, false);
    CHECK(fails_at(w.d, w.n, 26, "a is already defined", "pieces[2]"));
    free(w.d);
    /* the same text as a NORMAL and a CONTROL piece is allowed (two different maps) */
    static const tpiece two_maps[] = {{"<unk>", 0, T_UNKNOWN}, {"a", 0, T_NORMAL},
                                      {"a", 0, T_CONTROL}, {NULL, 0, 0}};
    w = spm_model_bytes(&m, two_maps, false);
    CHECK(tok_open_spm(w.d, w.n, "x.model", &t, &err) == TOK_OK);
    tok_close(t);
    free(w.d);

    static const tpiece two_unk[] = {{"<unk>", 0, T_UNKNOWN}, {"a", 0, T_NORMAL},
                                     {"<unk2>", 0, T_UNKNOWN}, {NULL, 0, 0}};
    w = spm_model_bytes(&m, two_unk, false);
    CHECK(fails_at(w.d, w.n, 26, "unk is already defined", "pieces[2]"));
    free(w.d);

    static const tpiece empty[] = {{"<unk>", 0, T_UNKNOWN}, {"", 0, T_NORMAL}, {NULL, 0, 0}};
    w = spm_model_bytes(&m, empty, false);
    CHECK(fails_at(w.d, w.n, 16, "piece must not be empty", "pieces[1]"));
    free(w.d);

    static const tpiece byte_piece[] = {{"<unk>", 0, T_UNKNOWN}, {"<0x41>", 0, T_BYTE},
                                        {NULL, 0, 0}};
    w = spm_model_bytes(&m, byte_piece, false);
    CHECK(fails_at(w.d, w.n, 16, "byte piece <0x41> is found although `byte_fallback` is false",
                   "pieces[1]"));
    free(w.d);
    tmodel fb = {.model_type = 1, .byte_fallback = true};
    static const tpiece bad_byte[] = {{"<unk>", 0, T_UNKNOWN}, {"<0x4g>", 0, T_BYTE},
                                      {NULL, 0, 0}};
    w = spm_model_bytes(&fb, bad_byte, false);
    CHECK(fails_at(w.d, w.n, 16, "byte piece <0x4g> is invalid", "pieces[1]"));
    free(w.d);
    w = spm_model_bytes(&fb, byte_piece, false);
    CHECK(tok_open_spm(w.d, w.n, "x.model", &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "there are not 256 byte pieces") && strstr(err.message, "<0x00>"));
    free(w.d);
    w = spm_model_bytes(&fb, basic, true);
    CHECK(tok_open_spm(w.d, w.n, "x.model", &t, &err) == TOK_OK);
    tok_close(t);
    free(w.d);

    /* a Unigram model needs pieces it can match */
    static const tpiece only_special[] = {{"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL},
                                          {NULL, 0, 0}};
    w = spm_model_bytes(&m, only_special, false);
    CHECK(tok_open_spm(w.d, w.n, "x.model", &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "no pieces are loaded"));
    free(w.d);
    tmodel bpe = {.model_type = 2};
    w = spm_model_bytes(&bpe, only_special, false);
    CHECK(tok_open_spm(w.d, w.n, "x.model", &t, &err) == TOK_OK); /* BPE does not mind */
    tok_close(t);
    free(w.d);
}

TEST(spm_broken_charsmap_offset)
{
    /* normalizer_spec.precompiled_charsmap of 3 bytes: too short for its header. The blob's
     * bytes follow the model's pieces, trainer_spec, the normalizer_spec tag and length, the
     * name field ("custom", 8 bytes) and the charsmap's tag and length. */
    static const uint8_t tiny[3] = {1, 2, 3};
    tmodel m = {.model_type = 1, .charsmap = tiny, .charsmap_len = 3};
    pbw w = spm_model_bytes(&m, basic, false);
    tmodel plain = {.model_type = 1};
    pbw p = spm_model_bytes(&plain, basic, false);
    /* the identity model's normalizer_spec is 2 + (2 + 8) + 6 bytes; the pieces and trainer
     * spec before it are the same in both */
    size_t before = p.n - 18;
    size_t blob_at = before + 2 + 8 + 2;
    CHECK(fails_at(w.d, w.n, blob_at, "too short", "normalizer_spec.precompiled_charsmap"));
    free(w.d);
    free(p.d);
    /* trie size 16 in an 8-byte blob */
    static const uint8_t big_trie[8] = {16, 0, 0, 0, 0, 0, 0, 0};
    m.charsmap = big_trie;
    m.charsmap_len = 8;
    w = spm_model_bytes(&m, basic, false);
    CHECK(fails_at(w.d, w.n, blob_at, "trie size 16 is not below the blob size 8", NULL));
    free(w.d);
}

TEST(spm_every_truncation_is_handled)
{
    tmodel m = {.model_type = 2, .byte_fallback = true};
    pbw w = spm_model_bytes(&m, basic, true);
    for (size_t n = 0; n < w.n; n++) {
        tok_tokenizer *t = NULL;
        tok_error err;
        err.message[0] = 0;
        tok_status st = tok_open_spm(w.d, n, "cut.model", &t, &err);
        if (st == TOK_OK) { /* cut at a field boundary with every required piece present */
            uint32_t ids[64];
            size_t k;
            CHECK(tok_encode(t, "ab x", 4, NULL, ids, NULL, 64, &k, NULL) == TOK_OK);
            tok_close(t);
        } else {
            CHECK_MSG(t == NULL && strstr(err.message, "cut.model"), "cut at %zu: %s", n,
                      err.message);
        }
    }
    free(w.d);
}
