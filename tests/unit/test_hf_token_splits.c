/* A split that is already an added token keeps no bytes in a list without alignments (the
 * count path): Gemma's runs of newlines are tokens, and copying each one's text at every stage
 * held the input twice more. The list test checks the bytes are left out only there; the
 * pipeline test checks a tokenizer whose added tokens are matched before and after a
 * normalizer and pass through a pre-tokenizer gives the same ids with spans (alignments kept,
 * bytes copied) as without, and the ids and spans written out by hand. */
#include "formats/hf/hf.h"
#include "runner.h"

#include <stdio.h>
#include <string.h>

TEST(hf_token_split_bytes_kept_only_with_alignments)
{
    hf_splits u, t, c;
    hf_splits_init(&u, false);
    hf_splits_init(&t, true);
    hf_splits_init(&c, false);
    const uint8_t nl[] = "\n\n\n", w[] = "ab";
    CHECK(hf_splits_add(&u, w, 2, NULL, NULL, 0, TOK_NO_ID, 0, 2));
    CHECK(hf_splits_add(&u, nl, 3, NULL, NULL, 0, 7, 2, 5));
    CHECK(hf_splits_add(&t, nl, 3, NULL, NULL, 0, 7, 2, 5));
    CHECK_MSG(u.n == 2 && u.len == 2 && u.v[1].len == 3 && u.v[1].token == 7,
              "untracked: %zu splits, %zu bytes", u.n, u.len);
    CHECK_MSG(t.n == 1 && t.len == 3 && !memcmp(t.text, nl, 3) && t.a1[2] == 3,
              "tracked: %zu splits, %zu bytes", t.n, t.len);
    for (size_t i = 0; i < u.n; i++)
        CHECK(hf_splits_copy(&c, &u, i));
    CHECK_MSG(c.n == 2 && c.len == 2 && !memcmp(c.text, "ab", 2) && c.v[1].len == 3 &&
                  c.v[1].orig0 == 2 && c.v[1].orig1 == 5,
              "copy: %zu splits, %zu bytes", c.n, c.len);
    hf_splits_free(&u), hf_splits_free(&t), hf_splits_free(&c);
}

TEST(hf_token_splits_same_ids_with_and_without_spans)
{
    /* "\n\n" raw-matched, "xy" matched on the normalized text (Lowercase), a WhitespaceSplit
     * and a WordLevel model: the general pipeline, every stage */
    static const char json[] =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":["
        "{\"id\":3,\"content\":\"\\n\\n\",\"single_word\":false,\"lstrip\":false,"
        "\"rstrip\":false,\"normalized\":false,\"special\":false},"
        "{\"id\":4,\"content\":\"xy\",\"single_word\":false,\"lstrip\":false,"
        "\"rstrip\":false,\"normalized\":true,\"special\":false}],"
        "\"normalizer\":{\"type\":\"Lowercase\"},"
        "\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
        "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"WordLevel\","
        "\"vocab\":{\"a\":0,\"b\":1,\"[UNK]\":2},\"unk_token\":\"[UNK]\"}}";
    tok_tokenizer *tk = NULL;
    tok_error err;
    CHECK_MSG(tok_open_memory(json, strlen(json), "splits.json", NULL, &tk, &err) == TOK_OK,
              "%s", err.message);
    if (!tk)
        return;
    const char *text = "a\n\nB\n\n\n\n XY b a\n\n";
    const uint32_t want[] = {0, 3, 1, 3, 3, 4, 1, 0, 3};
    const uint64_t at[][2] = {{0, 1},  {1, 3},   {3, 4},   {4, 6},  {6, 8},
                              {9, 11}, {12, 13}, {14, 15}, {15, 17}};
    size_t nw = sizeof want / sizeof *want;
    uint32_t a[32], b[32];
    tok_span sp[32];
    size_t na = 0, nb = 0, count = 0;
    CHECK(tok_encode(tk, text, strlen(text), NULL, a, NULL, 32, &na, &err) == TOK_OK);
    CHECK(tok_encode(tk, text, strlen(text), NULL, b, sp, 32, &nb, &err) == TOK_OK);
    CHECK(tok_count(tk, text, strlen(text), NULL, &count, &err) == TOK_OK);
    CHECK_MSG(na == nw && nb == nw && count == nw, "%zu, %zu, %zu tokens", na, nb, count);
    for (size_t i = 0; i < nw && i < na && i < nb; i++) {
        CHECK_MSG(a[i] == want[i] && b[i] == want[i], "token %zu: %u, %u", i, a[i], b[i]);
        CHECK_MSG(sp[i].start == at[i][0] && sp[i].end == at[i][1], "span %zu: %llu-%llu", i,
                  (unsigned long long)sp[i].start, (unsigned long long)sp[i].end);
    }
    tok_close(tk);
}
