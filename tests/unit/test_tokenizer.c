/* tokenizer: opening by encoding, model and path; facts and lookups; the model table. */
#include "vocab/specials.h"
#include "formats/tiktoken/tiktoken.h"
#include "runner.h"

TEST(open_every_builtin_with_tiktoken_sizes)
{
    static const struct {
        const char *name;
        uint32_t n_vocab;
        size_t n_special;
    } want[] = {{"gpt2", 50257, 1},          {"r50k_base", 50257, 1},
                {"p50k_base", 50281, 1},     {"p50k_edit", 50284, 4},
                {"cl100k_base", 100277, 5},  {"o200k_base", 200019, 2},
                {"o200k_harmony", 201088, 1091}};
    CHECK_EQ(tok_builtin_count(), 7);
    for (size_t i = 0; i < 7; i++) {
        CHECK_STR(tok_builtin_name(i), want[i].name);
        tok_tokenizer *t;
        tok_error err;
        CHECK_MSG(tok_open_encoding(want[i].name, &t, &err) == TOK_OK, "%s", err.message);
        CHECK_EQ(tok_vocab_size(t), want[i].n_vocab);
        CHECK_EQ(tok_special_count(t), want[i].n_special);
        CHECK_STR(tok_format(t), "tiktoken");
        CHECK_STR(tok_name(t), want[i].name);
        CHECK(strlen(tok_pattern(t)) > 20);
        tok_close(t);
    }
    CHECK(tok_builtin_name(7) == NULL);
}

TEST(harmony_special_tokens)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding("o200k_harmony", &t, NULL) == TOK_OK);
    uint32_t id;
    CHECK(tok_token_id(t, "<|start|>", 9, &id) == TOK_OK && id == 200006);
    CHECK(tok_token_id(t, "<|reserved_201087|>", 19, &id) == TOK_OK && id == 201087);
    CHECK(tok_token_id(t, "<|reserved_201088|>", 19, &id) == TOK_ENOENT);
    CHECK(tok_token_id(t, "<|reserved_200018|>", 19, &id) == TOK_OK && id == 200018);
    CHECK(tok_token_id(t, "<|endofprompt|>", 15, &id) == TOK_OK && id == 200018);
    /* two texts share 200018; decoding gives the named one, listed first */
    const char *b;
    size_t len;
    CHECK(tok_token_bytes(t, 200018, &b, &len) == TOK_OK);
    CHECK(len == 15 && memcmp(b, "<|endofprompt|>", 15) == 0);
    CHECK(tok_is_special(t, 200012) && !tok_is_special(t, 1000));
    tok_close(t);
}

TEST(token_lookups_both_ways)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding("cl100k_base", &t, NULL) == TOK_OK);
    const char *b;
    size_t len;
    CHECK(tok_token_bytes(t, 9906, &b, &len) == TOK_OK);
    CHECK(len == 5 && memcmp(b, "Hello", 5) == 0);
    uint32_t id;
    CHECK(tok_token_id(t, " world", 6, &id) == TOK_OK && id == 1917);
    CHECK(tok_token_id(t, "<|endoftext|>", 13, &id) == TOK_OK && id == 100257);
    CHECK(tok_token_id(t, "zzzzzzzzzzzzzzzzq", 17, &id) == TOK_ENOENT);
    CHECK(tok_token_bytes(t, 100256, &b, &len) == TOK_EID); /* unused rank */
    CHECK(tok_token_bytes(t, 100277, &b, &len) == TOK_EID);
    tok_close(t);
}

TEST(open_by_name_model_or_path)
{
    tok_tokenizer *t;
    tok_error err;
    CHECK(tok_open("cl100k_base", &t, &err) == TOK_OK);
    CHECK_STR(tok_name(t), "cl100k_base");
    tok_close(t);
    CHECK(tok_open("gpt-4o-mini", &t, &err) == TOK_OK);
    CHECK_STR(tok_name(t), "o200k_base");
    tok_close(t);
    CHECK(tok_open_model("gpt-oss-20b", &t, &err) == TOK_OK);
    CHECK_STR(tok_name(t), "o200k_harmony");
    tok_close(t);
    CHECK(tok_open("vocabs/p50k_base.tiktoken", &t, &err) == TOK_OK);
    CHECK_STR(tok_name(t), "vocabs/p50k_base.tiktoken");
    CHECK_EQ(tok_vocab_size(t), 50281); /* recognised by SHA-256 as p50k_base */
    tok_close(t);
    CHECK(tok_open("cl100k", &t, &err) == TOK_ENOENT);
    CHECK(t == NULL);
    CHECK(strstr(err.message, "cl100k_base"));
    CHECK(tok_open_encoding("o200k_bsae", &t, &err) == TOK_ENOENT);
    CHECK(strstr(err.message, "closest: o200k_base"));
    CHECK(tok_open_file("/nonexistent/file.tiktoken", NULL, &t, &err) == TOK_ENOENT);
    CHECK(strstr(err.message, "/nonexistent/file.tiktoken"));
    CHECK(tok_open(NULL, &t, &err) == TOK_EINVAL);
    tok_close(NULL); /* a no-op */
}

TEST(model_names_as_tiktoken)
{
    static const char *cases[][2] = {
        {"gpt-4o", "o200k_base"}, {"gpt-4o-2024-05-13", "o200k_base"},
        {"gpt-4o-mini", "o200k_base"}, {"chatgpt-4o-latest", "o200k_base"},
        {"gpt-4.1-nano", "o200k_base"}, {"gpt-4.5-preview", "o200k_base"},
        {"gpt-5", "o200k_base"}, {"gpt-5-mini", "o200k_base"}, {"gpt-5.1", "o200k_base"},
        {"o1", "o200k_base"}, {"o3-mini", "o200k_base"}, {"o4-mini-2025-04-16", "o200k_base"},
        {"gpt-4", "cl100k_base"}, {"gpt-4-0613", "cl100k_base"}, {"gpt-4-32k", "cl100k_base"},
        {"gpt-3.5-turbo-16k", "cl100k_base"}, {"gpt-35-turbo", "cl100k_base"},
        {"text-embedding-3-large", "cl100k_base"}, {"davinci-002", "cl100k_base"},
        {"ft:gpt-4o:org:custom:id", "o200k_base"}, {"ft:gpt-4-0613:org::id", "cl100k_base"},
        {"ft:gpt-3.5-turbo:org::id", "cl100k_base"}, {"gpt-oss-120b", "o200k_harmony"},
        {"text-davinci-003", "p50k_base"}, {"code-davinci-002", "p50k_base"},
        {"text-davinci-edit-001", "p50k_edit"}, {"davinci", "r50k_base"},
        {"text-similarity-ada-001", "r50k_base"}, {"gpt2", "gpt2"}, {"gpt-2", "gpt2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *enc = NULL;
        CHECK_MSG(tok_encoding_for_model(cases[i][0], &enc, NULL) == TOK_OK, "%s", cases[i][0]);
        CHECK_STR(enc, cases[i][1]);
    }
    const char *enc;
    tok_error err;
    CHECK(tok_encoding_for_model("gpt-4x", &enc, &err) == TOK_ENOENT);
    CHECK(strstr(err.message, "gpt-4"));
    CHECK(tok_encoding_for_model("GPT-4O", &enc, &err) == TOK_ENOENT); /* case-sensitive, as tiktoken */
    CHECK(strstr(err.message, "gpt-4o"));
}

static char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 512, "%s/%s", test_tmpdir(), name);
    return p;
}

TEST(tiktoken_file_errors_name_the_line)
{
    static const struct {
        const char *text, *want;
        uint32_t line;
    } cases[] = {
        {"YQ== 0\nYg== 1\n!!!! 2\n", ":3: invalid base64", 3},
        {"YQ== 0\nYg==\n", ":2: expected", 2},
        {"YQ== 0\nYg== x1\n", ":2: the rank is not a number", 2},
        {"YQ== 0\nYQ== 1\n", "appears twice", 2},
        {"YQ== 0\nYg== 0\n", "appears twice", 2},
        {"\n\n", "no tokens", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = tmp_path("bad.tiktoken");
        CHECK(write_file(p, cases[i].text, strlen(cases[i].text)));
        tok_open_options o = {.pattern = "cl100k_base"};
        tok_tokenizer *t;
        tok_error err;
        CHECK(tok_open_file(p, &o, &t, &err) == TOK_EFORMAT);
        CHECK_MSG(strstr(err.message, cases[i].want) && strstr(err.message, "bad.tiktoken"),
                  "case %zu: %s", i, err.message);
        CHECK_EQ(err.line, cases[i].line);
    }
    const char *empty = tmp_path("empty");
    CHECK(write_file(empty, "", 0));
    tok_tokenizer *t;
    tok_error err;
    CHECK(tok_open_file(empty, NULL, &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "empty"));
}

/* A .tiktoken file that is not one of OpenAI's: it needs a pattern, and with one it encodes like
 * a built-in encoding using the same vocabulary (here r50k's, re-serialised without one line so
 * its hash differs). */
TEST(custom_tiktoken_file_needs_a_pattern)
{
    size_t len;
    char *data = read_file("vocabs/r50k_base.tiktoken", &len);
    CHECK(data);
    char *last = data + len - 2;
    while (last > data && *last != '\n')
        last--;
    const char *p = tmp_path("custom.tiktoken");
    CHECK(write_file(p, data, (size_t)(last - data) + 1)); /* drop the highest rank */
    free(data);
    tok_tokenizer *t, *ref;
    tok_error err;
    CHECK(tok_open_file(p, NULL, &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "pattern"));
    const char *texts[] = {"<|endoftext|>"};
    uint32_t ids[] = {50256};
    tok_open_options with_name = {.pattern = "gpt2", .special_texts = texts, .special_ids = ids,
                                  .n_special = 1};
    CHECK_MSG(tok_open_file(p, &with_name, &t, &err) == TOK_OK, "%s", err.message);
    CHECK(tok_open_encoding("gpt2", &ref, NULL) == TOK_OK);
    const char *s = "Hello world! It's 2024 and  spaces\n\nabound <|endoftext|>";
    tok_encode_options allow = {TOK_SPECIAL_ALLOW, 0};
    uint32_t a[64], b[64];
    size_t na, nb;
    CHECK(tok_encode(t, s, strlen(s), &allow, a, NULL, 64, &na, NULL) == TOK_OK);
    CHECK(tok_encode(ref, s, strlen(s), &allow, b, NULL, 64, &nb, NULL) == TOK_OK);
    CHECK(na == nb && memcmp(a, b, na * 4) == 0);
    tok_close(t);
    /* a regex pattern runs on PCRE2 and splits the same way as the built-in scanner: GPT-2's
     * original pattern (which has a scanner) with two alternatives swapped (which has none) */
    tok_open_options with_regex = {
        .pattern = "'t|'s|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"};
    CHECK_MSG(tok_open_file(p, &with_regex, &t, &err) == TOK_OK, "%s", err.message);
    const tt_split *sp = t->impl;
    CHECK(sp->regex != NULL && sp->scan == NULL);
    CHECK(tok_encode(t, s, strlen(s), NULL, a, NULL, 64, &na, NULL) == TOK_OK);
    CHECK(tok_encode(ref, s, strlen(s), NULL, b, NULL, 64, &nb, NULL) == TOK_OK);
    CHECK(na == nb && memcmp(a, b, na * 4) == 0);
    tok_close(t);
    /* the exact text of a preset gets the preset's scanner */
    tok_open_options with_preset = {.pattern = tok_pattern(ref)};
    CHECK_MSG(tok_open_file(p, &with_preset, &t, &err) == TOK_OK, "%s", err.message);
    sp = t->impl;
    CHECK(sp->regex == NULL && sp->scan == tok_pretok_r50k);
    CHECK(tok_encode(t, s, strlen(s), NULL, a, NULL, 64, &na, NULL) == TOK_OK);
    CHECK(na == nb && memcmp(a, b, na * 4) == 0);
    tok_close(t);
    tok_open_options bad = {.pattern = "(unclosed"};
    CHECK(tok_open_file(p, &bad, &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "pattern"));
    tok_close(ref);
}

TEST(tiktoken_file_missing_a_byte_is_refused)
{
    const char *p = tmp_path("nobytes.tiktoken");
    const char *text = "YQ== 0\nYg== 1\n";
    CHECK(write_file(p, text, strlen(text)));
    tok_open_options o = {.pattern = "cl100k_base"};
    tok_tokenizer *t;
    tok_error err;
    CHECK(tok_open_file(p, &o, &t, &err) == TOK_EFORMAT);
    CHECK(strstr(err.message, "byte 0x00"));
}

TEST(batch_results_in_input_order)
{
    tok_tokenizer *t;
    CHECK(tok_open_encoding("o200k_base", &t, NULL) == TOK_OK);
    enum { N = 500 };
    tok_text texts[N];
    char bufs[N][64];
    for (int i = 0; i < N; i++) {
        int len = snprintf(bufs[i], sizeof bufs[i], "item %d: %s", i, i % 3 ? "text" : "more words here");
        texts[i] = (tok_text){bufs[i], (size_t)len};
    }
    tok_batch_item res[N];
    CHECK(tok_encode_batch(t, texts, N, NULL, 1, 4, res, NULL) == TOK_OK);
    for (int i = 0; i < N; i++) {
        uint32_t ids[64];
        size_t n;
        CHECK(res[i].status == TOK_OK);
        CHECK(tok_encode(t, texts[i].text, texts[i].len, NULL, ids, NULL, 64, &n, NULL) == TOK_OK);
        CHECK(res[i].n == n && memcmp(res[i].ids, ids, n * 4) == 0);
        CHECK(res[i].spans && res[i].spans[n - 1].end == texts[i].len);
    }
    tok_batch_free(res, N);
    /* an invalid item fails with its index; the others are still encoded */
    texts[7] = (tok_text){"bad \xFF", 5};
    tok_error err;
    CHECK(tok_encode_batch(t, texts, N, NULL, 0, 0, res, &err) == TOK_EUTF8);
    CHECK_EQ(err.index, 7);
    CHECK(strstr(err.message, "batch item 7"));
    CHECK(res[8].status == TOK_OK && res[8].n > 0);
    tok_batch_free(res, N);
    tok_close(t);
}

TEST(specials_leftmost_longest)
{
    tok_specials sp;
    const char *texts[] = {"<a>", "<a><b>", "b>", "xyz"};
    size_t lens[] = {3, 6, 2, 3};
    uint32_t ids[] = {1, 2, 3, 4};
    CHECK(tok_specials_init(&sp, 4, texts, lens, ids) == TOK_OK);
    const uint8_t *s = (const uint8_t *)"..<a><b>..<a>xyz";
    size_t which, n = strlen((const char *)s);
    CHECK_EQ(tok_specials_find(&sp, s, 0, n, &which), 2);
    CHECK_EQ(sp.toks[which].id, 2); /* the longest at the leftmost position */
    CHECK_EQ(tok_specials_find(&sp, s, 8, n, &which), 10);
    CHECK_EQ(sp.toks[which].id, 1);
    CHECK_EQ(tok_specials_find(&sp, s, 13, n, &which), 13);
    CHECK_EQ(sp.toks[which].id, 4);
    CHECK_EQ(tok_specials_find(&sp, s, 14, n, &which), n);
    tok_specials_free(&sp);
    const char *dup[] = {"x", "x"};
    size_t dl[] = {1, 1};
    CHECK(tok_specials_init(&sp, 2, dup, dl, ids) == TOK_EINVAL);
}

/* The first text at or after from, longest there: every text tried at every position. */
static size_t specials_brute(const tok_specials *sp, const uint8_t *s, size_t from, size_t n,
                             size_t *which)
{
    for (size_t i = from; i < n; i++) {
        size_t best = 0;
        for (size_t k = 0; k < sp->n; k++)
            if (sp->toks[k].len <= n - i && sp->toks[k].len > best &&
                !memcmp(s + i, sp->toks[k].text, sp->toks[k].len))
                best = sp->toks[k].len, *which = k;
        if (best)
            return i;
    }
    return n;
}

/* Gemma's added tokens are runs of U+2581, newlines and tabs of every length to 31 and many
 * <tags>: more distinct lengths than the matcher once allowed (64), nested prefixes of one
 * another. Random texts of the same alphabet against the brute-force answer, with texts of
 * several first bytes and with one first byte shared by all (the memchr path). */
TEST(specials_longest_of_many_lengths)
{
    static const char *const alpha[] = {"a", "b", "\n", "\xE2\x96\x81", "<", ">"};
    for (int shared = 0; shared < 2; shared++) {
        uint64_t seed = 77 + (uint64_t)shared;
        enum { N = 300 };
        char *texts[N];
        size_t lens[N];
        uint32_t ids[N];
        size_t n = 0;
        for (size_t run = 1; run <= 100; run++) { /* "<", "<<", ... 100 distinct lengths */
            texts[n] = malloc(run);
            memset(texts[n], shared ? '<' : "a<\n"[run % 3], run);
            lens[n] = run, ids[n] = (uint32_t)n, n++;
        }
        while (n < N) {
            char buf[64];
            size_t len = 0, want = 1 + test_rand(&seed) % 12;
            buf[len++] = shared ? '<' : *alpha[test_rand(&seed) % 6];
            while (len < want) {
                const char *c = alpha[test_rand(&seed) % 6];
                memcpy(buf + len, c, strlen(c)), len += strlen(c);
            }
            bool seen = false;
            for (size_t k = 0; k < n; k++)
                seen |= lens[k] == len && !memcmp(texts[k], buf, len);
            if (seen)
                continue;
            texts[n] = malloc(len);
            memcpy(texts[n], buf, len);
            lens[n] = len, ids[n] = (uint32_t)n, n++;
        }
        tok_specials sp;
        CHECK(tok_specials_init(&sp, N, (const char *const *)texts, lens, ids) == TOK_OK);
        CHECK_EQ(sp.longest, 100);
        size_t bad = 0, found = 0;
        for (int round = 0; round < 2000; round++) {
            uint8_t s[400];
            size_t len = 0, want = test_rand(&seed) % 380;
            while (len < want) {
                const char *c = alpha[test_rand(&seed) % 6];
                if (test_rand(&seed) % 8 == 0) /* a run, as Gemma's spaces */
                    for (size_t r = test_rand(&seed) % 40; r-- && len < want;)
                        s[len++] = (uint8_t)c[0];
                memcpy(s + len, c, strlen(c)), len += strlen(c);
            }
            for (size_t from = 0; from <= len; from += 1 + test_rand(&seed) % 50) {
                size_t w1 = SIZE_MAX, w2 = SIZE_MAX;
                size_t a = tok_specials_find(&sp, s, from, len, &w1),
                       b = specials_brute(&sp, s, from, len, &w2);
                bad += a != b || (a < len && w1 != w2);
                found += a < len;
            }
        }
        CHECK_MSG(bad == 0 && found > 1000, "shared first byte %d: %zu wrong of %zu found", shared,
                  bad, found);
        tok_specials_free(&sp);
        for (size_t k = 0; k < N; k++)
            free(texts[k]);
    }
}
