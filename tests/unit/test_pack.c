/* packs (tok_pack): a packed tokenizer gives exactly the ids, spans and text of the file it came
 * from, on every kind of tokenizer.json; damaged, truncated or hostile packs are refused with a
 * message (or open and stay within bounds), never crash; and the container's own checks. */
#include "base/pack.h"
#include "runner.h"
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

/* Pack path's file; NULL (with a failed check) if it cannot. */
static void *pack_of(const char *path, size_t *plen)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data)
        return NULL;
    void *p = NULL;
    tok_error err;
    tok_status st = tok_pack(data, len, path, NULL, 0, &p, plen, &err);
    free(data);
    if (st != TOK_OK) {
        fprintf(stderr, "  %s: %s\n", path, err.message);
        return NULL;
    }
    return p;
}

/* Texts that reach every stage: words, numbers, spaces, newlines, CJK, emoji, special and
 * added-token text, invalid-looking escapes. */
static const char *const texts[] = {
    "Hello world! It's 2024 and  spaces\n\nabound.",
    "  leading spaces, trailing spaces   ",
    "日本語の文章です。中文句子，没有空格。",
    "emoji 😀👍🏽 and accents: café naïve Ångström",
    "<|endoftext|><|begin_of_text|><s></s><start_of_turn>user\n[INST] <bos><pad>",
    "numbers 1234567890 3.14159 -42 1e10",
    "code: int main(void) { return 0; }\n\tindented\n",
    "\u2581\u2581 metaspace \u2581 marks and \xe3\x80\x80 ideographic space",
    "",
};

static void same_as_file(const char *path)
{
    size_t plen;
    void *p = pack_of(path, &plen);
    CHECK_MSG(p, "%s: cannot pack", path);
    tok_tokenizer *a = NULL, *b = NULL;
    tok_error err;
    CHECK_MSG(test_open_json(path, &a, &err) == TOK_OK, "%s", err.message);
    tok_status st = tok_open_memory(p, plen, "packed", NULL, &b, &err);
    memset(p, 0, plen); /* the tokenizer keeps its own copy */
    tok_free(p);
    CHECK_MSG(st == TOK_OK, "%s packed: %s", path, err.message);
    CHECK_EQ(tok_vocab_size(a), tok_vocab_size(b));
    CHECK_EQ(tok_special_count(a), tok_special_count(b));
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        for (int pol = 0; pol < 2; pol++) {
            tok_encode_options o = {pol ? TOK_SPECIAL_ALLOW : TOK_SPECIAL_ORDINARY,
                                    pol ? TOK_ENCODE_ADD_SPECIAL : 0};
            uint32_t *ia, *ib;
            tok_span *sa, *sb;
            size_t na, nb;
            CHECK(tok_encode_alloc(a, texts[i], strlen(texts[i]), &o, &ia, &sa, &na, NULL) ==
                  TOK_OK);
            CHECK(tok_encode_alloc(b, texts[i], strlen(texts[i]), &o, &ib, &sb, &nb, NULL) ==
                  TOK_OK);
            bool same = na == nb && !memcmp(ia, ib, na * sizeof *ia) &&
                        !memcmp(sa, sb, na * sizeof *sa);
            char *da = NULL, *db = NULL;
            size_t la = 0, lb = 0;
            same = same && tok_decode_alloc(a, ia, na, 0, &da, &la, NULL) == TOK_OK &&
                   tok_decode_alloc(b, ib, nb, 0, &db, &lb, NULL) == TOK_OK && la == lb &&
                   !memcmp(da, db, la);
            free(ia), free(ib), free(sa), free(sb), free(da), free(db);
            CHECK_MSG(same, "%s: the pack differs from the file on text %zu (policy %d)", path,
                      i, pol);
        }
    }
    tok_close(a);
    tok_close(b);
}

TEST(pack_same_as_file_tiny)
{
    same_as_file("tests/data/tiny_llama3.json");
    same_as_file("tests/data/tiny_bytelevel.json");
    same_as_file("tests/data/tiny_chatml.json");
}

/* Every model kind and pipeline shape among the reference files: byte-level BPE (Llama 3,
 * Qwen, DeepSeek, Tekken), Metaspace BPE with byte fallback and word cutting (Gemma,
 * Mistral 7B), WordPiece, Unigram with a Precompiled normalizer (vocabulary kept in the JSON),
 * and added tokens of every flag. */
TEST(pack_same_as_file_real)
{
    static const char *const names[] = {
        "llama3_2", "qwen3", "deepseek_v3", "mistral_nemo", "gemma3", "mistral_7b",
        "gen_wordpiece_bert_uncased", "gen_unigram_nfkc", "gen_bpe_llama_like",
        "gen_added_metaspace", "gen_added_wordpiece", "gen_added_bytelevel"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), names[i]);
        same_as_file(path);
        if (test_failed())
            return;
    }
}

TEST(pack_refuses_what_it_cannot_pack)
{
    void *p;
    size_t n;
    tok_error err;
    const char *tt = "YQ== 0\n";
    CHECK_EQ(tok_pack(tt, strlen(tt), "x.tiktoken", NULL, 0, &p, &n, &err), TOK_EUNSUPPORTED);
    CHECK(strstr(err.message, "only tokenizer.json"));
    size_t len;
    char *json = read_file("tests/data/tiny_llama3.json", &len);
    CHECK(json);
    CHECK_EQ(tok_pack(json, len, "t.json", "[1]", 3, &p, &n, &err), TOK_EFORMAT);
    CHECK(strstr(err.message, "not a JSON object"));
    CHECK_EQ(tok_pack(json, len, "t.json", "{\"a\":", 5, &p, &n, &err), TOK_EFORMAT);
    CHECK(strstr(err.message, "not valid JSON"));
    CHECK_EQ(tok_pack("{}", 2, "empty.json", NULL, 0, &p, &n, &err), TOK_EFORMAT);
    CHECK(strstr(err.message, "empty.json"));
    free(json);
}

/* Open a damaged pack: it must fail with TOK_EFORMAT or open and encode within bounds (ASan
 * checks the bounds); returns the status. */
static tok_status try_open(const void *p, size_t n)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    tok_status st = tok_open_memory(p, n, "damaged.tkz", NULL, &t, &err);
    if (st == TOK_OK) {
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            size_t c;
            tok_encode_options o = {TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL};
            tok_count(t, texts[i], strlen(texts[i]), &o, &c, NULL);
        }
        tok_close(t);
    } else if (st != TOK_ENOMEM && (!strstr(err.message, "damaged.tkz") || !err.message[0])) {
        return TOK_EINVAL; /* an error that does not name the file */
    }
    return st;
}

TEST(pack_damaged_is_refused_or_safe)
{
    char path[512];
    snprintf(path, sizeof path, "%s/llama3_2/tokenizer.json", test_hf_dir());
    size_t n;
    uint8_t *p = pack_of(path, &n);
    CHECK(p);
    uint8_t *q = malloc(n);
    CHECK(q);
    /* truncated anywhere before the last section's last byte (what follows is padding) */
    tok_pack_view v;
    CHECK(tok_pack_read(p, n, "x", &v, NULL) == TOK_OK);
    size_t end = 0;
    for (uint32_t s = 0; s < v.n; s++)
        if (v.s[s].offset + v.s[s].length > end)
            end = v.s[s].offset + v.s[s].length;
    size_t cuts[] = {0, 1, 13, 16, 27, 40, 100, 1000, end / 3, end / 2, end - 64, end - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        tok_status st = try_open(p, cuts[i]);
        CHECK_MSG(st != TOK_OK && st != TOK_EINVAL, "a pack cut at byte %zu: status %s", cuts[i],
                  tok_status_name(st));
    }
    /* single bytes flipped all over: refused with a message, or harmless */
    uint64_t seed = 7;
    for (int k = 0; k < 300; k++) {
        memcpy(q, p, n);
        size_t at = k < 64 ? (size_t)k : test_rand(&seed) % n;
        q[at] ^= (uint8_t)(1u << (test_rand(&seed) % 8));
        CHECK_MSG(try_open(q, n) != TOK_EINVAL, "byte %zu flipped: an error without the file", at);
    }
    /* every section overwritten with huge ids and no empty slot */
    for (uint32_t s = 0; s < v.n; s++) {
        memcpy(q, p, n);
        memset(q + v.s[s].offset, 0x7F, v.s[s].length); /* huge ids, no empty slot */
        tok_status st = try_open(q, n);
        CHECK_MSG(st != TOK_EINVAL, "section %u overwritten: an error without the file", s);
        if (v.s[s].kind == 2 || v.s[s].kind == 3 || v.s[s].kind == 5) /* vocabulary, strings, merges: refused */
            CHECK_MSG(st == TOK_EFORMAT, "section %u (kind %u) overwritten: status %s", s,
                      v.s[s].kind, tok_status_name(st));
    }
    /* another version, another byte order */
    memcpy(q, p, n);
    q[14] = 99;
    CHECK_EQ(try_open(q, n), TOK_EFORMAT);
    memcpy(q, p, n);
    q[16] ^= 0xFF;
    q[17] ^= 0xFF;
    tok_tokenizer *t;
    tok_error err;
    CHECK_EQ(tok_open_memory(q, n, "x.tkz", NULL, &t, &err), TOK_EFORMAT);
    CHECK(strstr(err.message, "byte order"));
    free(q);
    tok_free(p);
}

/* The container alone: sections round-trip, 64-byte aligned, and bounds are checked. */
TEST(pack_container)
{
    tok_pack_writer w;
    tok_pack_writer_init(&w, 9);
    tok_pack_add(&w, 1, "abc", 3);
    tok_pack_add(&w, 7, "", 0);
    tok_pack_add(&w, 2, "0123456789", 10);
    void *b;
    size_t n;
    CHECK(tok_pack_finish(&w, &b, &n));
    CHECK(tok_pack_is(b, n));
    tok_pack_view v;
    CHECK(tok_pack_read(b, n, "c", &v, NULL) == TOK_OK);
    CHECK_EQ(v.format, 9);
    size_t l;
    const char *s = tok_pack_get(&v, 2, &l);
    CHECK(s && l == 10 && !memcmp(s, "0123456789", 10) && (s - (const char *)b) % 64 == 0);
    CHECK(tok_pack_get(&v, 7, &l) && l == 0);
    CHECK(!tok_pack_get(&v, 3, &l) && l == 0);
    tok_error err;
    CHECK_EQ(tok_pack_read(b, 20, "c", &v, &err), TOK_EFORMAT);
    /* section 1's offset (8 bytes into its entry) past the end */
    ((uint8_t *)b)[TOK_PACK_HEADER_SIZE + sizeof(tok_pack_section) + 8 + 7] = 0x7F;
    CHECK_EQ(tok_pack_read(b, n, "c", &v, &err), TOK_EFORMAT);
    free(b);
    tok_pack_writer_init(&w, 1);
    for (int i = 0; i <= TOK_PACK_MAX_SECTIONS; i++)
        tok_pack_add(&w, 1, "x", 1);
    CHECK(!tok_pack_finish(&w, &b, &n));
}
