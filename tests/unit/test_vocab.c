/* vocab: build, find, pack/view; sha256 */
#include "vocab/vocab.h"
#include "runner.h"

TEST(vocab_build_find_and_holes)
{
    const uint8_t *toks[] = {(const uint8_t *)"a", (const uint8_t *)"b", (const uint8_t *)"ab",
                             (const uint8_t *)"abcdefghijklmnopqrstuvwxyz"};
    uint32_t lens[] = {1, 1, 2, 26}, ids[] = {0, 1, 5, 7};
    tok_vocab v;
    size_t dup;
    CHECK(tok_vocab_build(&v, 4, toks, lens, ids, &dup) == 0);
    CHECK_EQ(v.n_ids, 8);
    CHECK_EQ(tok_vocab_find(&v, (const uint8_t *)"ab", 2), 5);
    CHECK_EQ(tok_vocab_find(&v, (const uint8_t *)"abcdefghijklmnopqrstuvwxyz", 26), 7);
    CHECK_EQ(tok_vocab_find(&v, (const uint8_t *)"abcdefghijklmnopqrstuvwxyZ", 26), TOK_NO_ID);
    CHECK_EQ(tok_vocab_find(&v, (const uint8_t *)"ba", 2), TOK_NO_ID);
    CHECK_EQ(v.byte1['b'], 1);
    CHECK_EQ(v.pair2['a' << 8 | 'b'], 5);
    CHECK_EQ(tok_vocab_len(&v, 3), 0); /* a hole */

    void *blob;
    size_t len;
    CHECK(tok_vocab_pack(&v, &blob, &len) == 0);
    tok_vocab w;
    CHECK(tok_vocab_view(&w, blob, len) == 0);
    CHECK_EQ(tok_vocab_find(&w, (const uint8_t *)"ab", 2), 5);
    CHECK(tok_vocab_view(&w, blob, len - 64) != 0); /* truncated blob is refused */
    free(blob);
    tok_vocab_free(&v);
}

TEST(vocab_rejects_duplicates)
{
    const uint8_t *toks[] = {(const uint8_t *)"x", (const uint8_t *)"x"};
    uint32_t lens[] = {1, 1}, ids[] = {0, 1}, same[] = {3, 3};
    tok_vocab v;
    size_t dup = 99;
    CHECK(tok_vocab_build(&v, 2, toks, lens, ids, &dup) == -1);
    const uint8_t *other[] = {(const uint8_t *)"x", (const uint8_t *)"y"};
    CHECK(tok_vocab_build(&v, 2, other, lens, same, &dup) == -1);
    CHECK_EQ(dup, 1);
}

TEST(vocab_hash_distinguishes_lengths_and_bytes)
{
    /* every prefix of a long string is distinct and findable */
    char buf[80];
    const uint8_t *toks[80];
    uint32_t lens[80], ids[80];
    for (int i = 0; i < 80; i++) {
        buf[i] = (char)('!' + i);
        toks[i] = (const uint8_t *)buf;
        lens[i] = (uint32_t)i + 1;
        ids[i] = (uint32_t)i;
    }
    tok_vocab v;
    size_t dup;
    CHECK(tok_vocab_build(&v, 80, toks, lens, ids, &dup) == 0);
    for (uint32_t i = 0; i < 80; i++)
        CHECK_EQ(tok_vocab_find(&v, (const uint8_t *)buf, i + 1), i);
    tok_vocab_free(&v);
}

static void hex(const uint8_t *d, char *out)
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

TEST(sha256_known_answers)
{
    uint8_t d[32];
    char h[65];
    tok_sha256("", 0, d);
    hex(d, h);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    tok_sha256("abc", 3, d);
    hex(d, h);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
    tok_sha256(s, strlen(s), d);
    hex(d, h);
    CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *m = malloc(1000000);
    memset(m, 'a', 1000000);
    tok_sha256(m, 1000000, d);
    free(m);
    hex(d, h);
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The processor's SHA extensions (when this machine has them) and the portable rounds agree on
 * every length around the block and padding edges, and on pseudo-random bytes at every offset. */
TEST(sha256_extensions_match_portable)
{
    uint8_t buf[1100], a[32], b[32];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    for (size_t len = 0; len + 3 <= sizeof buf; len += len < 200 ? 1 : 61)
        for (size_t off = 0; off < 3; off++) {
            tok_sha256_with(buf + off, len, a, true);
            tok_sha256_with(buf + off, len, b, false);
            CHECK_MSG(!memcmp(a, b, 32), "length %zu at offset %zu", len, off);
        }
}
