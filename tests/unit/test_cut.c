/* tok_cut_point: encoding the parts on either side of a cut gives the ids and spans of the
 * whole, for every tokenizer that claims to restart (cl100k, o200k, Llama 3, Qwen); the others
 * claim nothing. Random texts are built from fragments that reach every alternative near a
 * line break: whitespace runs with CR and LF, punctuation before line breaks, letters after,
 * CJK, digits, contractions. */
#include "runner.h"
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

static const char *const frags[] = {"\n", "\n", "\r\n", "  ", " ", "\t", "word", "Word", "x",
                                    "!", "?!", "//", "'s", "'LL", "123", "4", "\xe6\x97\xa5",
                                    "\xc3\xa9t\xc3\xa9", "\xd0\xbf\xd1\x80", " the", ".\n",
                                    "  \n", "\n\n", "<|endoftext|>", "\xe2\x80\x83"};

static void cut_agrees(const char *name, tok_tokenizer *t, uint64_t seed, int rounds, int *cuts)
{
    char s[400];
    *cuts = 0;
    for (int r = 0; r < rounds; r++) {
        size_t n = 0;
        while (n < 300) {
            const char *f = frags[test_rand(&seed) % (sizeof frags / sizeof frags[0])];
            memcpy(s + n, f, strlen(f));
            n += strlen(f);
        }
        size_t at = 1 + test_rand(&seed) % (n - 1);
        size_t cut = tok_cut_point(t, s, at);
        if (!cut)
            continue;
        CHECK(cut > 0 && cut < at && s[cut - 1] == '\n');
        (*cuts)++;
        for (int pol = 0; pol < 2; pol++) {
            tok_encode_options o = {pol ? TOK_SPECIAL_ALLOW : TOK_SPECIAL_ORDINARY, 0};
            uint32_t *w, *a, *b;
            tok_span *ws, *as, *bs;
            size_t nw, na, nb;
            CHECK(tok_encode_alloc(t, s, n, &o, &w, &ws, &nw, NULL) == TOK_OK);
            CHECK(tok_encode_alloc(t, s, cut, &o, &a, &as, &na, NULL) == TOK_OK);
            CHECK(tok_encode_alloc(t, s + cut, n - cut, &o, &b, &bs, &nb, NULL) == TOK_OK);
            bool same = nw == na + nb && !memcmp(w, a, na * 4) && !memcmp(w + na, b, nb * 4);
            for (size_t k = 0; same && k < na; k++)
                same = ws[k].start == as[k].start && ws[k].end == as[k].end;
            for (size_t k = 0; same && k < nb; k++)
                same = ws[na + k].start == bs[k].start + cut && ws[na + k].end == bs[k].end + cut;
            free(w), free(a), free(b), free(ws), free(as), free(bs);
            CHECK_MSG(same, "%s: round %d, cut at %zu of %zu: the parts differ from the whole",
                      name, r, cut, n);
        }
    }
}

TEST(cut_point_parts_encode_as_the_whole)
{
    static const char *const encs[] = {"cl100k_base", "o200k_base", "o200k_harmony"};
    for (size_t e = 0; e < sizeof encs / sizeof encs[0]; e++) {
        tok_tokenizer *t;
        CHECK(tok_open_encoding(encs[e], &t, NULL) == TOK_OK);
        int cuts;
        cut_agrees(encs[e], t, 70 + e, 3000, &cuts);
        CHECK_MSG(cuts > 1000, "%s: too few cuts", encs[e]);
        tok_close(t);
    }
    static const char *const files[] = {"llama3", "qwen2_5", "gpt4o", "mistral_nemo"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), files[f]);
        tok_tokenizer *t;
        tok_error err;
        CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s", err.message);
        int cuts;
        cut_agrees(files[f], t, 80 + f, 1500, &cuts);
        CHECK_MSG(cuts > 500, "%s: too few cuts", files[f]);
        tok_close(t);
    }
}

TEST(cut_point_only_where_the_split_restarts)
{
    const char *s = "one\ntwo\n three\n4\nfive";
    tok_tokenizer *t;
    CHECK(tok_open_encoding("cl100k_base", &t, NULL) == TOK_OK);
    CHECK_EQ(tok_cut_point(t, s, strlen(s)), 17); /* before "five" */
    CHECK_EQ(tok_cut_point(t, s, 17), 4);         /* before "two": " three", "4" are no letters */
    CHECK_EQ(tok_cut_point(t, s, 4), 0);
    tok_close(t);
    /* GPT-2's pattern splits "  \n" differently at the end of a text: no cuts */
    static const char *const none[] = {"r50k_base", "p50k_base", "gpt2"};
    for (size_t e = 0; e < 3; e++) {
        CHECK(tok_open_encoding(none[e], &t, NULL) == TOK_OK);
        CHECK_EQ(tok_cut_point(t, s, strlen(s)), 0);
        tok_close(t);
    }
}
