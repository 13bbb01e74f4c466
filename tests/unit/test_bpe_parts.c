/* Long words of a character-level BPE are merged in parts where no merge can cross
 * (formats/hf/models/bpe_pairs.c): between two characters no token holds together, and beside
 * byte-fallback characters, never beside an unknown one or between it and the next known
 * character. On long hostile words -- random CJK (many characters outside the vocabulary, so
 * byte fallback), newlines, symbols and emoji, rare characters with and without an unknown
 * token, letters glued together, digits, long words between spaces -- ids and spans must be
 * those of the word merged whole (the goldens check the whole merge against HF tokenizers). */
#include "formats/hf/hf.h"
#include "runner.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static size_t put(char *s, uint32_t cp) { return tok_utf8_encode(cp, (uint8_t *)s); }

/* n bytes (about) of shape k */
static char *shape(int k, size_t n, size_t *len)
{
    char *s = malloc(n + 1024); /* room for the last word */
    uint64_t r = 7 + (uint64_t)k;
    size_t i = 0;
    while (i < n) {
        uint64_t x = test_rand(&r);
        switch (k) {
        case 0: i += put(s + i, 0x4E00 + (uint32_t)(x % 0x5200)); break; /* random CJK */
        case 1: s[i++] = '\n'; break;
        case 2: /* CJK with newlines, tabs, emoji and rare scripts between */
            switch (x % 8) {
            case 0: s[i++] = '\n'; break;
            case 1: s[i++] = '\t'; break;
            case 2: i += put(s + i, 0x1F600 + (uint32_t)(x >> 8) % 80); break;
            case 3: i += put(s + i, 0x10400 + (uint32_t)(x >> 8) % 80); break; /* Deseret */
            case 4: i += put(s + i, 0x0F00 + (uint32_t)(x >> 8) % 200); break;  /* Tibetan */
            default: i += put(s + i, 0x4E00 + (uint32_t)(x >> 8) % 0x5200); break;
            }
            break;
        case 3: s[i++] = "abcdefghijklmnopqrstuvwxyz.,;"[x % 29]; break; /* glued letters */
        case 4: /* letters with rare characters between (unknown, dropped or bytes) */
            if (x % 6)
                s[i++] = "thequickbrownfoxjumps"[x % 21];
            else
                i += put(s + i, (x >> 8) % 2 ? 0x10400 + (uint32_t)(x >> 16) % 40
                                             : 0x0F00 + (uint32_t)(x >> 16) % 100);
            break;
        case 5: { /* prose and markup: words, single and double spaces, "> </" (a token of
                   * Gemma 3 holds ">" before U+2581) */
            static const char *const w[] = {"the ", "tokenizer ", "naïve ", "Zürich, ", "<b>",
                                            "</b> ", "> </", "a  ", "\n", "x>  </y ", "東京 "};
            const char *word = w[x % 11];
            size_t m = strlen(word);
            memcpy(s + i, word, m);
            i += m;
            break;
        }
        case 7: /* digits, some Bengali (Gemma 3's ASCII digit pairs are held only by
                 * "<unused12>"-style tokens no merge makes; its Bengali ones by merges) */
            if (x % 16)
                s[i++] = (char)('0' + x % 10);
            else
                i += put(s + i, 0x09E6 + (uint32_t)(x >> 8) % 10);
            break;
        case 8: /* long words between single spaces: digits and letters glued, 300-800
                 * bytes each (SentencePiece-style models cut them where no merge crosses) */
            for (size_t w = 300 + x % 500; w-- > 0;)
                s[i++] = "0123456789abcdefghijklmnopqrstuvwxyz+/"[test_rand(&r) % 38];
            s[i++] = ' ';
            break;
        default: /* Hangul, Thai and Devanagari: pairs often held by tokens */
            i += put(s + i, (x % 3 == 0 ? 0xAC00 : x % 3 == 1 ? 0x0E01 : 0x0915) +
                                (uint32_t)(x >> 8) % 40);
            break;
        }
    }
    *len = i;
    return s;
}

static void check(const char *name, const char *from, const char *to)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
    tok_tokenizer *parts = test_open_json_edited(path, from, to),
                  *whole = test_open_json_edited(path, from, to);
    CHECK_MSG(parts && whole, "%s: cannot open it", path);
    if (!parts || !whole) {
        tok_close(parts), tok_close(whole);
        return;
    }
    hf_use_general_path(parts); /* the fast path has its own long-word engine */
    hf_use_general_path(whole);
    hf_bpe_merge_whole(whole);
    CHECK_MSG(hf_pair_bits_get(parts, &((const hf_pipeline *)parts->impl)->model) != NULL,
              "%s: the merges are not plain: nothing is cut", name);
    for (int k = 0; k < 9; k++) {
        size_t n;
        char *s = shape(k, 40000, &n);
        uint32_t *ia = NULL, *ib = NULL;
        tok_span *sa = NULL, *sb = NULL;
        size_t na = 0, nb = 0;
        bool ok = tok_encode_alloc(parts, s, n, NULL, &ia, &sa, &na, NULL) == TOK_OK &&
                  tok_encode_alloc(whole, s, n, NULL, &ib, &sb, &nb, NULL) == TOK_OK &&
                  na == nb && na && !memcmp(ia, ib, na * sizeof *ia) &&
                  !memcmp(sa, sb, na * sizeof *sa);
        CHECK_MSG(ok, "%s%s%s: shape %d (%zu bytes): %zu tokens in parts, %zu whole", name,
                  from ? " with " : "", from ? to : "", k, n, na, nb);
        tok_free(ia), tok_free(ib), tok_free(sa), tok_free(sb), free(s);
    }
    tok_close(parts);
    tok_close(whole);
}

TEST(bpe_parts_mistral_7b) { check("mistral_7b", NULL, NULL); }
TEST(bpe_parts_gemma) { check("gemma", NULL, NULL); }
TEST(bpe_parts_gemma3) { check("gemma3", NULL, NULL); }
TEST(bpe_parts_llama_like) { check("gen_bpe_llama_like", NULL, NULL); }
TEST(bpe_parts_yi) { check("yi", NULL, NULL); }
/* unknown characters: fused into <unk> (no byte fallback), given their own <unk> each, or
 * dropped (no unknown token); and some unknown (4-byte characters: no <0xF0> token) between
 * others that fall back to bytes (an unknown run is added after the byte tokens that follow) */
TEST(bpe_parts_fused_unknowns)
{
    check("mistral_7b", "\"byte_fallback\": true", "\"byte_fallback\": false");
}
TEST(bpe_parts_unfused_unknowns)
{
    check("gen_bpe_llama_like", "\"fuse_unk\": true, \"byte_fallback\": true",
          "\"fuse_unk\": false, \"byte_fallback\": false");
}
TEST(bpe_parts_dropped_unknowns)
{
    check("gen_bpe_llama_like",
          "\"unk_token\": \"<unk>\", \"continuing_subword_prefix\": null, \"end_of_word_suffix\": "
          "null, \"fuse_unk\": true, \"byte_fallback\": true",
          "\"unk_token\": null, \"continuing_subword_prefix\": null, \"end_of_word_suffix\": "
          "null, \"fuse_unk\": true, \"byte_fallback\": false");
}
TEST(bpe_parts_unknowns_among_bytes) { check("mistral_7b", "\"<0xF0>\"", "\"<0xF0>_\""); }

/* The pair set is built by the first long word, whichever thread meets it: threads racing
 * there each get the same tokens (make tsan runs this). */
typedef struct race {
    const tok_tokenizer *t;
    const char *s;
    size_t n, want_n;
    const uint32_t *want;
    bool ok;
} race;

static void *encode_race(void *arg)
{
    race *r = arg;
    uint32_t *ids = NULL;
    size_t n = 0;
    r->ok = tok_encode_alloc(r->t, r->s, r->n, NULL, &ids, NULL, &n, NULL) == TOK_OK &&
            n == r->want_n && !memcmp(ids, r->want, n * sizeof *ids);
    tok_free(ids);
    return NULL;
}

TEST(bpe_parts_thread_first_build)
{
    char path[512];
    snprintf(path, sizeof path, "%s/mistral_7b/tokenizer.json", test_hf_dir());
    tok_tokenizer *whole = test_open_json_edited(path, NULL, NULL);
    if (whole) {
        hf_use_general_path(whole);
        hf_bpe_merge_whole(whole);
    }
    size_t n;
    char *s = shape(2, 20000, &n);
    uint32_t *want = NULL;
    size_t want_n = 0;
    CHECK(whole && tok_encode_alloc(whole, s, n, NULL, &want, NULL, &want_n, NULL) == TOK_OK);
    for (int round = 0; whole && round < 3; round++) {
        tok_tokenizer *t = test_open_json_edited(path, NULL, NULL); /* no pair set yet */
        CHECK(t);
        if (!t)
            break;
        hf_use_general_path(t);
        race r[3];
        pthread_t th[3];
        for (int i = 0; i < 3; i++) {
            r[i] = (race){t, s, n, want_n, want, false};
            CHECK_EQ(pthread_create(&th[i], NULL, encode_race, &r[i]), 0);
        }
        for (int i = 0; i < 3; i++) {
            pthread_join(th[i], NULL);
            CHECK_MSG(r[i].ok, "round %d, thread %d: other tokens", round, i);
        }
        tok_close(t);
    }
    tok_free(want);
    free(s);
    tok_close(whole);
}
