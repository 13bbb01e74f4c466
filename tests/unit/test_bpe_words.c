/* BPE word by word (bpe_hf.c) and the per-thread word cache (algo/word_cache.c): a model
 * without a pre-tokenizer is cut before each U+2581 that follows another character only when no
 * merge can join across such a cut, and cached words never leak between tokenizers or threads.
 * Tiny hand-written tokenizer.json files; the expected ids are worked out by hand. */
#include "formats/hf/hf.h"
#include "runner.h"

#include <pthread.h>

#define SP "\\u2581"
#define SP8 "\xE2\x96\x81" /* U+2581 as UTF-8 */
/* SentencePiece-style: spaces become U+2581, no pre-tokenizer. merges_ and ids_ vary. */
#define JSON(vocab, merges)                                                                  \
    "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":{\"type\":\"Replace\","        \
    "\"pattern\":{\"String\":\" \"},\"content\":\"" SP "\"},\"pre_tokenizer\":null,"        \
    "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"BPE\",\"dropout\":null," \
    "\"unk_token\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":{" vocab "},"   \
    "\"merges\":[" merges "]}}"

/* A: ab=4, _ab=5; merges a+b, _+ab: nothing joins a character to a following U+2581 */
static const char json_a[] = JSON("\"" SP "\":0,\"a\":1,\"b\":2,\"c\":3,\"ab\":4,\"" SP "ab\":5",
                                  "\"a b\",\"" SP " ab\"");
/* A2: as A with the ids of ab and _ab swapped */
static const char json_a2[] = JSON("\"" SP "\":0,\"a\":1,\"b\":2,\"c\":3,\"ab\":5,\"" SP "ab\":4",
                                   "\"a b\",\"" SP " ab\"");
/* B: also ab_ (6), merged before _ab: a token crosses the cut, so no cutting */
static const char json_b[] = JSON("\"" SP "\":0,\"a\":1,\"b\":2,\"c\":3,\"ab\":4,\"" SP
                                  "ab\":5,\"ab" SP "\":6",
                                  "\"a b\",\"ab " SP "\",\"" SP " ab\"");

static tok_tokenizer *open_json(const char *json)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    if (tok_open_memory(json, strlen(json), "t.json", NULL, &t, &err) != TOK_OK)
        fprintf(stderr, "    %s\n", err.message);
    return t;
}

static const hf_model *model(const tok_tokenizer *t)
{
    return &((const hf_pipeline *)t->impl)->model;
}

/* "id@start,..." for s (per thread: the thread test calls it from several) */
static const char *ids_of(const tok_tokenizer *t, const char *s)
{
    static _Thread_local char out[1024];
    uint32_t ids[64];
    tok_span sp[64];
    size_t n = 0;
    tok_error err;
    if (tok_encode(t, s, strlen(s), NULL, ids, sp, 64, &n, &err) != TOK_OK) {
        snprintf(out, sizeof out, "error: %.900s", err.message);
        return out;
    }
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && o < sizeof out - 16; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%u@%u", i ? "," : "", ids[i],
                              (unsigned)sp[i].start);
    return out;
}

TEST(bpe_words_cut_only_when_no_merge_crosses)
{
    tok_tokenizer *a = open_json(json_a), *b = open_json(json_b);
    CHECK(a && b);
    if (!a || !b)
        return;
    CHECK(model(a)->cut_words && model(a)->cache_id != 0);
    CHECK(!model(b)->cut_words && model(b)->cache_id != 0);
    /* "ab ab" -> a b _ a b: A gives ab, _ab; B merges ab+_ first (rank 1) -> ab_, ab */
    CHECK_STR(ids_of(a, "ab ab"), "4@0,5@2");
    CHECK_STR(ids_of(b, "ab ab"), "6@0,4@3");
    /* again: now from the cache, with the offsets of this text */
    CHECK_STR(ids_of(a, "c ab ab"), "3@0,5@1,5@4");
    CHECK_STR(ids_of(a, "ab ab"), "4@0,5@2");
    /* runs of U+2581 stay with the word after them; a leading run starts the first word */
    CHECK_STR(ids_of(a, "  ab"), "0@0,5@1");
    CHECK_STR(ids_of(a, "ab  ab"), "4@0,0@2,5@3");
    /* a first word of characters the vocabulary lacks (no unk token): no tokens at all, twice
     * (the second time from the cache); HF merges the whole text as one word, whose offsets
     * do not count what it dropped, in this word or any before (npm tokenizers 0.23.2 gives
     * [0,3] for "xy ab", [3,6] for the last token of "ab xy ab", [2,5] and [5,8] for the last
     * two of "c xy ab ab", whose starts these are) */
    CHECK_STR(ids_of(a, "xy ab"), "5@0");
    CHECK_STR(ids_of(a, "xy ab"), "5@0");
    CHECK_STR(ids_of(a, "ab xy ab"), "4@0,0@2,5@3");
    CHECK_STR(ids_of(a, "c xy ab ab"), "3@0,0@1,5@2,5@5");
    tok_close(a);
    tok_close(b);
}

TEST(bpe_words_cache_is_per_tokenizer)
{
    tok_tokenizer *a = open_json(json_a), *a2 = open_json(json_a2);
    CHECK(a && a2);
    if (!a || !a2)
        return;
    CHECK(model(a)->cache_id != model(a2)->cache_id);
    for (int i = 0; i < 3; i++) { /* alternate: each must see only its own entries */
        CHECK_STR(ids_of(a, "ab ab"), "4@0,5@2");
        CHECK_STR(ids_of(a2, "ab ab"), "5@0,4@2");
    }
    tok_close(a);
    /* a new tokenizer (perhaps at a's old address) does not see a's entries */
    tok_tokenizer *a3 = open_json(json_a2);
    CHECK(a3);
    if (a3) {
        CHECK_STR(ids_of(a3, "ab ab"), "5@0,4@2");
        tok_close(a3);
    }
    tok_close(a2);
}

static void *encode_many(void *arg)
{
    const tok_tokenizer *t = arg;
    for (int i = 0; i < 200; i++)
        if (strcmp(ids_of(t, "ab ab c ab"), "4@0,5@2,0@5,3@6,5@7") != 0)
            return (void *)1;
    return NULL;
}

TEST(bpe_words_cache_per_thread)
{
    tok_tokenizer *a = open_json(json_a);
    CHECK(a);
    if (!a)
        return;
    CHECK_STR(ids_of(a, "ab ab c ab"), "4@0,5@2,0@5,3@6,5@7");
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        CHECK_EQ(pthread_create(&th[i], NULL, encode_many, a), 0);
    for (int i = 0; i < 3; i++) {
        void *r = (void *)1;
        pthread_join(th[i], &r);
        CHECK(r == NULL);
    }
    tok_close(a);
}

/* Words of two or three ASCII characters skip the merge loop (bpe.c tiny_word): every two-
 * character word of printable ASCII and 30,000 three-character ones (runs and random, an
 * alphabet of base64 and punctuation) give the merge loop's tokens and spans, through the
 * files of Gemma 3, Gemma 2 and Mistral 7B. */
TEST(bpe_words_tiny_words_as_the_merge_loop)
{
    static const char *const names[] = {"gemma3", "gemma2", "mistral_7b"};
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
                                "=.,;:!?'\"()-_ ";
    for (size_t f = 0; f < sizeof names / sizeof *names; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), names[f]);
        tok_tokenizer *t;
        tok_error err;
        CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s: %s", path, err.message);
        const hf_model *m = model(t);
        tok_scratch sc = {0};
        hf_tokens a = {0}, b = {0};
        uint64_t seed = 3;
        size_t words = 0;
        for (int i = 0; i < 95 * 95 + 30000; i++) {
            uint8_t w[3];
            size_t n = i < 95 * 95 ? 2 : 3;
            if (n == 2) {
                w[0] = (uint8_t)(' ' + i / 95), w[1] = (uint8_t)(' ' + i % 95);
            } else {
                for (size_t k = 0; k < 3; k++)
                    w[k] = (uint8_t)alpha[test_rand(&seed) % (sizeof alpha - 1)];
                if (i % 5 == 0)
                    w[1] = w[2] = w[0];
            }
            if (memchr(w, ' ', n)) /* a space is U+2581 after the normalizer, never here */
                continue;
            a.n = b.n = 0;
            tok_status sa = hf_bpe_tokenize(t, m, w, n, &a, &sc),
                       sb = hf_bpe_merge(t, m, w, n, &b, &sc, false);
            bool same = sa == sb && a.n == b.n;
            for (size_t k = 0; same && k < a.n; k++)
                same = a.id[k] == b.id[k] && a.start[k] == b.start[k] && a.end[k] == b.end[k];
            if (!same) {
                test_fail(__FILE__, __LINE__, "%s: \"%.*s\": %zu tokens, the merge loop %zu",
                          names[f], (int)n, (const char *)w, a.n, b.n);
                break;
            }
            words++;
        }
        CHECK_MSG(words > 30000, "%s: %zu words", names[f], words);
        free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
        tok_scratch_free(&sc);
        tok_close(t);
    }
}

/* The reference tokenizer.json NAME, or the text small when NAME is "small"; NULL, with a
 * failure noted, when it does not open. */
static tok_tokenizer *open_named(const char *name, const char *small)
{
    tok_tokenizer *t = NULL;
    tok_error err;
    if (!strcmp(name, "small")) {
        t = open_json(small);
    } else {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
        if (test_open_json(path, &t, &err) != TOK_OK) {
            fprintf(stderr, "    %s: %s\n", path, err.message);
            t = NULL;
        }
    }
    if (!t)
        test_fail(__FILE__, __LINE__, "%s does not open", name);
    return t;
}

/* hf_bpe_tokenize and the merge loop on s[0..n): the same tokens and spans, else a failure
 * naming the text. */
static bool same_as_merge_loop(const tok_tokenizer *t, const char *name, const uint8_t *s,
                               size_t n, tok_scratch *sc, hf_tokens *a, hf_tokens *b)
{
    const hf_model *m = model(t);
    a->n = b->n = 0;
    tok_status sa = hf_bpe_tokenize(t, m, s, n, a, sc), sb = hf_bpe_merge(t, m, s, n, b, sc, false);
    bool same = sa == sb && a->n == b->n;
    for (size_t k = 0; same && k < a->n; k++)
        same = a->id[k] == b->id[k] && a->start[k] == b->start[k] && a->end[k] == b->end[k];
    if (!same)
        test_fail(__FILE__, __LINE__, "%s: %zu bytes from \"%.24s\": %zu tokens, the merge loop %zu",
                  name, n, (const char *)s, a->n, b->n);
    return same;
}

/* Long words cut where no merge crosses look two- and three-byte characters up by code point
 * (models/bpe_pairs.c, bmp): texts of letters, accents, Cyrillic, CJK, Hangul, a private-use
 * character (byte fallback in Gemma), U+0800, U+FFFD and an emoji (four bytes: the hash
 * lookup), in runs and at random, and ASCII words as base64 has them (hf_pair_ascii's table of
 * pairs) give the merge loop's tokens through Gemma 3, Gemma 2 and Mistral 7B, and through a
 * small file whose characters are known, byte fallback or unknown. */
TEST(bpe_words_characters_by_code_point_as_the_merge_loop)
{
    static const char *const chars[] = {"a", "b", "e", "\xC3\xA9", "\xC3\xA8", "\xD0\xB6",
                                        "\xD0\xB8", "\xE4\xB8\xAD", "\xE6\x96\x87",
                                        "\xED\x95\x9C", "\xEE\x80\x80", "\xE0\xA0\x80",
                                        "\xEF\xBF\xBD", "\xF0\x9F\x98\x80", "1", "."};
    static const char small[] =
        "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":null,"
        "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"BPE\",\"dropout\":null,"
        "\"unk_token\":null,\"fuse_unk\":false,\"byte_fallback\":true,\"vocab\":{\"a\":0,"
        "\"b\":1,\"\\u00e9\":2,\"\\u0436\":3,\"\\u4e2d\":4,\"\\u00e9\\u0436\":5,"
        "\"\\u4e2d\\u4e2d\":6,\"<0xE6>\":7,\"<0x96>\":8,\"<0x87>\":9,\"ab\":10},"
        "\"merges\":[\"\\u00e9 \\u0436\",\"\\u4e2d \\u4e2d\",\"a b\"]}}";
    const size_t nc = sizeof chars / sizeof *chars;
    tok_scratch sc = {0};
    hf_tokens a = {0}, b = {0};
    for (size_t f = 0; f < 4; f++) {
        static const char *const names[] = {"gemma3", "gemma2", "mistral_7b", "small"};
        tok_tokenizer *t = open_named(names[f], small);
        if (!t)
            continue;
        uint64_t seed = 11 + f;
        uint8_t s[1200];
        size_t texts = 0;
        for (int i = 0; i < 300; i++) {
            size_t n = 0;
            while (n + 4 * 8 < sizeof s) { /* a run of up to 8 of one character, or one */
                const char *c = chars[test_rand(&seed) % nc];
                size_t len = strlen(c), reps = i % 3 == 0 ? 1 + test_rand(&seed) % 8 : 1;
                for (size_t r = 0; r < reps; r++, n += len)
                    memcpy(s + n, c, len);
            }
            if (!same_as_merge_loop(t, names[f], s, n, &sc, &a, &b))
                break;
            texts++;
        }
        /* ASCII words a few characters long, as in base64 (hf_pair_ascii), with characters
         * that are not tokens of the small file and the odd two-byte one */
        static const char b64[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789+/=_-.,!\t\n";
        for (int i = 0; i < 300; i++) {
            size_t n = 0;
            while (n + 8 < sizeof s) {
                if (test_rand(&seed) % 50 == 0) {
                    memcpy(s + n, "\xC3\xA9", 2), n += 2;
                } else {
                    s[n++] = (uint8_t)b64[test_rand(&seed) % (sizeof b64 - 1)];
                    if (i % 4 == 0) /* runs of two to four */
                        for (uint64_t r = test_rand(&seed) % 4; r > 0; r--, n++)
                            s[n] = s[n - 1];
                }
            }
            if (!same_as_merge_loop(t, names[f], s, n, &sc, &a, &b))
                break;
            texts++;
        }
        CHECK_MSG(texts == 600, "%s: %zu texts", names[f], texts);
        CHECK_MSG(hf_pair_bits_get(t, model(t)) != NULL, "%s: words not cut", names[f]);
        tok_close(t);
    }
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    tok_scratch_free(&sc);
}

/* A word's leading run of U+2581 is its own token when the merges allow it (hf_pair_lead,
 * models/bpe_pairs.c): Gemma's families do up to 31 marks, Mistral 7B (runs merged in every
 * order) never; and texts of indented words -- runs of 1 to 70 marks before letters,
 * punctuation, CJK, an emoji, a private-use character (byte fallback) and single marks --
 * give the merge loop's tokens. */
TEST(bpe_words_leading_runs_as_the_merge_loop)
{
    static const char *const names[] = {"gemma3", "gemma2", "gemma", "mistral_7b"};
    static const size_t most[] = {31, 31, 31, 0};
    static const char *const after[] = {"and", "If", "..", "return", "x", "\xE4\xB8\xAD\xE6\x96\x87",
                                        "\xF0\x9F\x98\x80", "\xEE\x80\x80", "(", "\n", "\t"};
    static const char mark[] = "\xE2\x96\x81";
    tok_scratch sc = {0};
    hf_tokens a = {0}, b = {0};
    for (size_t f = 0; f < sizeof names / sizeof *names; f++) {
        tok_tokenizer *t = open_named(names[f], NULL);
        if (!t)
            continue;
        const hf_pair_bits *p = hf_pair_bits_get(t, model(t));
        CHECK_MSG(p != NULL, "%s: no pair set", names[f]);
        if (!p) {
            tok_close(t);
            continue;
        }
        /* where the run is its own token: 2 .. most marks before a token */
        uint8_t w[3 * 80 + 8];
        size_t found = 0;
        for (size_t k = 1; k <= 70; k++) {
            for (size_t i = 0; i < k; i++)
                memcpy(w + 3 * i, mark, 3);
            memcpy(w + 3 * k, "and", 3);
            uint32_t id = TOK_NO_ID;
            size_t at = hf_pair_lead(p, &t->vocab, w, 3 * k + 3, &id);
            bool want = k >= 2 && k <= most[f];
            CHECK_MSG((at != 0) == want, "%s: %zu marks: %zu", names[f], k, at);
            if (at) {
                CHECK_EQ(at, 3 * k);
                CHECK_EQ(id, tok_vocab_find(&t->vocab, w, 3 * k));
                found++;
            }
        }
        CHECK_EQ(found, most[f] ? most[f] - 1 : 0);
        /* a character that is not a token after the run: no cut (it may be dropped) */
        uint32_t cp = 0xE000, id;
        for (; cp < 0xF900; cp++) {
            tok_utf8_encode(cp, w + 6);
            if (tok_vocab_find(&t->vocab, w + 6, 3) == TOK_NO_ID)
                break;
        }
        CHECK(cp < 0xF900);
        CHECK_EQ(hf_pair_lead(p, &t->vocab, w, 9, &id), 0);
        memcpy(w + 6, "a", 1); /* and one that is */
        CHECK_EQ(hf_pair_lead(p, &t->vocab, w, 7, &id), most[f] ? 6 : 0);
        uint64_t seed = 5 + f;
        size_t texts = 0;
        for (int i = 0; i < 200; i++) {
            uint8_t s[1400];
            size_t n = 0;
            while (n + 3 * 72 + 16 < sizeof s) {
                size_t k = 1 + test_rand(&seed) % (i % 2 ? 8 : 70);
                for (size_t r = 0; r < k; r++, n += 3)
                    memcpy(s + n, mark, 3);
                const char *x = after[test_rand(&seed) % (sizeof after / sizeof *after)];
                memcpy(s + n, x, strlen(x)), n += strlen(x);
            }
            if (!same_as_merge_loop(t, names[f], s, n, &sc, &a, &b))
                break;
            texts++;
        }
        /* short texts, one indented word (a line between Gemma 3's newline tokens) */
        for (size_t k = 1; k <= 13 && texts >= 200; k++)
            for (size_t x = 0; x < sizeof after / sizeof *after; x++) {
                uint8_t s[64];
                size_t n = 0;
                for (size_t r = 0; r < k; r++, n += 3)
                    memcpy(s + n, mark, 3);
                memcpy(s + n, after[x], strlen(after[x])), n += strlen(after[x]);
                if (!same_as_merge_loop(t, names[f], s, n, &sc, &a, &b))
                    break;
                texts++;
            }
        CHECK_MSG(texts == 200 + 13 * sizeof after / sizeof *after, "%s: %zu texts", names[f],
                  texts);
        tok_close(t);
    }
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    tok_scratch_free(&sc);
}

/* A word with a control character goes through the cut where no merge crosses (Mistral 7B
 * gives newlines and tabs as byte-fallback tokens, which never merge): texts of words with
 * newlines, tabs, carriage returns and other control characters before, inside and after them
 * give the merge loop's tokens through Mistral 7B, Gemma 3 and the small byte-fallback file. */
TEST(bpe_words_control_characters_as_the_merge_loop)
{
    static const char *const names[] = {"mistral_7b", "gemma3", "small"};
    static const char *const parts[] = {"\xE2\x96\x81", "\xE2\x96\x81", "and", "The", "x", "\n",
                                        "\n\n", "\t", "\r\n", "\x01", "\x1f", "\xC3\xA9",
                                        "\xE4\xB8\xAD", ".", "("};
    static const char small[] =
        "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":null,"
        "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"BPE\",\"dropout\":null,"
        "\"unk_token\":null,\"fuse_unk\":false,\"byte_fallback\":true,\"vocab\":{\"a\":0,"
        "\"n\":1,\"d\":2,\"\\u2581\":3,\"\\u2581a\":4,\"an\":5,\"and\":6,\"<0x0A>\":7,"
        "\"<0x09>\":8,\"\\u2581and\":9},"
        "\"merges\":[\"a n\",\"an d\",\"\\u2581 a\",\"\\u2581 and\"]}}";
    tok_scratch sc = {0};
    hf_tokens a = {0}, b = {0};
    for (size_t f = 0; f < sizeof names / sizeof *names; f++) {
        tok_tokenizer *t = open_named(names[f], small);
        if (!t)
            continue;
        uint64_t seed = 17 + f;
        size_t texts = 0;
        for (int i = 0; i < 400; i++) {
            uint8_t s[700];
            size_t n = 0, want = 8 + test_rand(&seed) % (i % 2 ? 40 : 600);
            while (n < want) {
                const char *x = parts[test_rand(&seed) % (sizeof parts / sizeof *parts)];
                memcpy(s + n, x, strlen(x)), n += strlen(x);
            }
            if (!same_as_merge_loop(t, names[f], s, n, &sc, &a, &b))
                break;
            texts++;
        }
        CHECK_MSG(texts == 400, "%s: %zu texts", names[f], texts);
        tok_close(t);
    }
    free(a.id), free(a.start), free(a.end), free(b.id), free(b.start), free(b.end);
    tok_scratch_free(&sc);
}

/* A model that drops characters (no unk token, no byte fallback): what follows a dropped
 * character meets what came before it, so a U+2581 after a dropped tab may continue a run of
 * U+2581 -- no cut before it (found by fuzz_bpe_words). Ids from npm tokenizers 0.23.2 on this
 * file: "a▁\t▁▁b" -> 1,4,2; "a▁\n\t▁▁▁▁" + 44 b -> 1,3,4 and 44 times 2. */
TEST(bpe_words_dropped_characters_join_runs)
{
    static const char json[] =
        "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":null,"
        "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"BPE\",\"dropout\":null,"
        "\"unk_token\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":{"
        "\"\\u2581\":0,\"a\":1,\"b\":2,\"\\u2581\\u2581\":3,\"\\u2581\\u2581\\u2581\":4},"
        "\"merges\":[\"\\u2581 \\u2581\",\"\\u2581\\u2581 \\u2581\"]}}";
    tok_tokenizer *t = open_json(json);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(model(t)->cut_words);
    char text[128];
    uint32_t ids[64];
    size_t n = 0;
    tok_error err;
    CHECK_EQ(tok_encode(t, "a" SP8 "\t" SP8 SP8 "b", 12, NULL, ids, NULL, 64, &n, &err), TOK_OK);
    CHECK_EQ(n, 3);
    CHECK(n == 3 && ids[0] == 1 && ids[1] == 4 && ids[2] == 2);
    size_t len = (size_t)snprintf(text, sizeof text, "a" SP8 "\n\t" SP8 SP8 SP8 SP8 "%s",
                                  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    CHECK_EQ(tok_encode(t, text, len, NULL, ids, NULL, 64, &n, &err), TOK_OK);
    CHECK_EQ(n, 47);
    CHECK(n == 47 && ids[0] == 1 && ids[1] == 3 && ids[2] == 4);
    for (size_t i = 3; i < n && i < 64; i++)
        CHECK_EQ(ids[i], 2);
    tok_close(t);
}
