/* tokscope chunk: JSON Lines that cover the file, every chunk at most N tokens by its own
 * count (re-counted here with the library), paragraph > sentence > word boundaries, overlap. */
#include "cli_helpers.h"
#include "tokscope.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

typedef struct chunk {
    char file[512];
    int index;
    size_t start, end, tokens;
    char *text;
} chunk;

/* Parse the output lines into chunks (at most cap); -1 when a line is not a chunk object. */
static int parse_chunks(const char *out, chunk *c, int cap)
{
    int n = 0;
    while (*out && n < cap) {
        const char *nl = strchr(out, '\n');
        size_t len = nl ? (size_t)(nl - out) : strlen(out);
        cJSON *j = cJSON_ParseWithLength(out, len);
        cJSON *f = cJSON_GetObjectItem(j, "file"), *i = cJSON_GetObjectItem(j, "index"),
              *s = cJSON_GetObjectItem(j, "start"), *e = cJSON_GetObjectItem(j, "end"),
              *t = cJSON_GetObjectItem(j, "tokens"), *x = cJSON_GetObjectItem(j, "text");
        if (!j || !cJSON_IsString(f) || !cJSON_IsNumber(i) || !cJSON_IsNumber(s) ||
            !cJSON_IsNumber(e) || !cJSON_IsNumber(t) || !cJSON_IsString(x) ||
            cJSON_GetArraySize(j) != 6) {
            cJSON_Delete(j);
            return -1;
        }
        snprintf(c[n].file, sizeof c[n].file, "%s", f->valuestring);
        c[n].index = i->valueint;
        c[n].start = (size_t)s->valuedouble;
        c[n].end = (size_t)e->valuedouble;
        c[n].tokens = (size_t)t->valuedouble;
        c[n].text = strdup(x->valuestring);
        n++;
        cJSON_Delete(j);
        out += len + (nl ? 1 : 0);
    }
    return n;
}

static void free_chunks(chunk *c, int n)
{
    for (int i = 0; i < n; i++)
        free(c[i].text);
}

static size_t count_with(const char *name, const char *s, size_t n)
{
    tok_tokenizer *t = NULL;
    size_t k = (size_t)-1;
    if (tok_open(name, &t, NULL) == TOK_OK)
        tok_count(t, s, n, NULL, &k, NULL);
    tok_close(t);
    return k;
}

/* Chunks of text, in order, for one file: they tile it (or overlap when overlap is set), each
 * holds exactly its slice, and each slice counts at most n tokens with tokenizer name. */
static bool check_tiling(const char *text, const chunk *c, int nc, size_t n, const char *name,
                         bool overlap, char *why, size_t why_cap)
{
    size_t len = strlen(text);
    for (int i = 0; i < nc; i++) {
        size_t s = c[i].start, e = c[i].end;
        size_t want_start = i ? c[i - 1].end : 0;
        if (c[i].index != i || e <= s || e > len || (!overlap && s != want_start) ||
            (overlap && i && (s <= c[i - 1].start || s > c[i - 1].end))) {
            snprintf(why, why_cap, "chunk %d: bad index or offsets [%zu,%zu)", i, s, e);
            return false;
        }
        if (strlen(c[i].text) != e - s || memcmp(c[i].text, text + s, e - s) != 0) {
            snprintf(why, why_cap, "chunk %d: text is not the file's bytes [%zu,%zu)", i, s, e);
            return false;
        }
        size_t k = count_with(name, text + s, e - s);
        if (k != c[i].tokens || k > n) {
            snprintf(why, why_cap, "chunk %d: %zu tokens recounted, %zu reported, limit %zu", i, k,
                     c[i].tokens, n);
            return false;
        }
    }
    if (nc && c[nc - 1].end != len) {
        snprintf(why, why_cap, "the last chunk ends at %zu, not %zu", c[nc - 1].end, len);
        return false;
    }
    return true;
}

static const char essay[] =
    "Tokenizers turn text into numbers. Every model has its own, and the same sentence can cost "
    "a different number of tokens in each one. That is why counting matters.\n\n"
    "Chunking splits a long document into pieces that fit a budget. A good splitter keeps "
    "paragraphs together when it can; when it cannot, it ends a chunk at a sentence; and when a "
    "sentence is too long, at a word.\n\n"
    "Offsets are bytes. Text such as \"naïve café\" or \"お誕生日おめでとう\" takes more bytes "
    "than characters, and a byte-level tokenizer may split a character between two tokens!\n";

TEST(chunk_tiles_the_file)
{
    const char *f = tmpfile_with("essay.txt", essay);
    static const size_t limits[] = {2, 5, 16, 40, 1000}; /* a kanji is 2 tokens */
    for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
        char nbuf[16];
        snprintf(nbuf, sizeof nbuf, "%zu", limits[li]);
        cli_result r = RUN("chunk", "-n", nbuf, f);
        CHECK_EQ(r.status, 0);
        CHECK(all_lines_json(r.out));
        static chunk c[400];
        int nc = parse_chunks(r.out, c, 400);
        CHECK(nc > 0);
        char why[256];
        bool ok = check_tiling(essay, c, nc, limits[li], "o200k_base", false, why, sizeof why);
        CHECK_MSG(ok, "-n %zu: %s", limits[li], why);
        CHECK_STR(c[0].file, f);
        if (limits[li] == 1000)
            CHECK_EQ(nc, 1);
        free_chunks(c, nc);
        cli_free(&r);
    }
}

TEST(chunk_prefers_paragraphs_then_sentences_then_words)
{
    /* -n 40: the first paragraph is 34 tokens; the window reaches into the second, and the
     * paragraph break is in its second half, so the chunk ends after the blank line. */
    cli_result r = RUN_IN(essay, "chunk", "-n", "40");
    chunk c[64];
    int nc = parse_chunks(r.out, c, 64);
    CHECK(nc >= 3);
    CHECK_STR(c[0].text, "Tokenizers turn text into numbers. Every model has its own, and the "
                         "same sentence can cost a different number of tokens in each one. That "
                         "is why counting matters.\n\n");
    free_chunks(c, nc);
    cli_free(&r);
    /* -n 30: the window ends at token 30 (" is", byte 137), in the third sentence; no
     * paragraph break in reach, so the chunk ends after the second sentence (byte 132) */
    r = RUN_IN(essay, "chunk", "-n", "30");
    nc = parse_chunks(r.out, c, 64);
    CHECK(nc >= 2);
    CHECK_STR(c[0].text, "Tokenizers turn text into numbers. Every model has its own, and the "
                         "same sentence can cost a different number of tokens in each one.");
    CHECK(c[1].text[0] == ' '); /* the next starts where that one ended */
    free_chunks(c, nc);
    cli_free(&r);
    /* no punctuation: chunks end where a word ends */
    const char *words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
    r = RUN_IN(words, "chunk", "-n", "5");
    nc = parse_chunks(r.out, c, 64);
    CHECK(nc >= 2);
    for (int i = 0; i + 1 < nc; i++) {
        size_t e = c[i].end;
        CHECK_MSG(words[e] == ' ' || words[e - 1] == ' ', "chunk %d ends inside a word: %s", i,
                  c[i].text);
    }
    free_chunks(c, nc);
    cli_free(&r);
}

TEST(chunk_overlap)
{
    const char *f = tmpfile_with("essay_ov.txt", essay);
    cli_result r = RUN("chunk", "-n", "20", "--overlap", "5", f);
    CHECK_EQ(r.status, 0);
    static chunk c[200];
    int nc = parse_chunks(r.out, c, 200);
    CHECK(nc > 3);
    char why[256];
    CHECK_MSG(check_tiling(essay, c, nc, 20, "o200k_base", true, why, sizeof why), "%s", why);
    int overlapping = 0;
    for (int i = 1; i < nc; i++)
        overlapping += c[i].start < c[i - 1].end;
    CHECK(overlapping >= nc / 2);
    free_chunks(c, nc);
    cli_free(&r);
    r = RUN("chunk", "-n", "20", "--overlap", "20", f);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "--overlap must be less than -n"));
    cli_free(&r);
}

TEST(chunk_characters_and_errors)
{
    /* gpt2: each of these kana and kanji is 1 or 2 tokens; -n 2 never splits one */
    cli_result r = RUN_IN("お誕生日おめでとう", "chunk", "-e", "gpt2", "-n", "2");
    CHECK_EQ(r.status, 0);
    chunk c[32];
    int nc = parse_chunks(r.out, c, 32);
    CHECK_EQ(nc, 8);
    CHECK_STR(c[0].text, "お");
    CHECK_EQ(c[0].tokens, 2);
    CHECK_STR(c[6].text, "でと");
    CHECK_EQ(c[6].start, 18);
    CHECK_EQ(c[6].end, 24);
    free_chunks(c, nc);
    cli_free(&r);
    /* a character that alone is more than N tokens cannot be chunked */
    r = RUN_IN("お", "chunk", "-e", "gpt2", "-n", "1");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "<stdin>: the character at byte 0 alone is 2 tokens, more than 1"));
    cli_free(&r);
    r = RUN_IN("x", "chunk");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "give -n N"));
    cli_free(&r);
    r = RUN_IN("x", "chunk", "-n", "0");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN_IN("x", "chunk", "-n", "5", "--overlap", "x");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
    r = RUN_IN("x", "chunk", "-n", "5", "-e", "gpt2", "-e", "cl100k_base");
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "chunk takes one tokenizer"));
    cli_free(&r);
    r = RUN_IN("", "chunk", "-n", "5");
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.out_len, 0); /* an empty file has no chunks */
    cli_free(&r);
    r = RUN("chunk", "--help");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "--overlap"));
    cli_free(&r);
}

TEST(chunk_several_files)
{
    const char *a = tmpfile_with("ca.txt", "one two three four five six seven eight");
    const char *b = tmpfile_with("cb.txt", "nine ten");
    const char *bad = tmpfile_with("cbad.txt", "fine \xC3( no");
    cli_result r = RUN("chunk", "-n", "4", a, "/nonexistent/c.txt", bad, b);
    CHECK_EQ(r.status, 2);
    CHECK(strstr(r.err, "/nonexistent/c.txt: No such file"));
    CHECK(strstr(r.err, "cbad.txt") && strstr(r.err, "invalid UTF-8"));
    chunk c[16];
    int nc = parse_chunks(r.out, c, 16);
    CHECK_EQ(nc, 3);
    CHECK_STR(c[0].file, a);
    CHECK_EQ(c[1].index, 1);
    CHECK_STR(c[2].file, b);
    CHECK_EQ(c[2].index, 0); /* the index counts within a file */
    CHECK_STR(c[2].text, "nine ten");
    free_chunks(c, nc);
    cli_free(&r);
    r = RUN("chunk", "-n", "4", "--lossy", bad);
    CHECK_EQ(r.status, 0);
    CHECK(all_lines_json(r.out));
    cli_free(&r);
}

/* Random files chunked by every kind of tokenizer (built-in, tokenizer.json byte-level BPE and
 * WordLevel): the chunks tile each file and each recounts at most N. */
TEST(chunk_property_every_tokenizer_kind)
{
    static const char *const names[] = {"r50k_base", "cl100k_base", "o200k_base",
                                        "tests/data/tiny_bytelevel.json",
                                        "tests/data/tiny_chatml.json"};
    static const char *const pieces[] = {"hello", " world", ". ", "\n\n", " ", "お", "誕生日",
                                         "😀", "e\xCC\x81", "12345", "! ", "данные", "\t",
                                         "。", "the", "ization"};
    uint64_t seed = 7;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        enum { FILES = 12 };
        static char texts[FILES][600];
        const char *args[FILES + 6] = {"chunk", "-t", names[k], "-n", NULL};
        char nbuf[16];
        size_t n = 4 + test_rand(&seed) % 12;
        snprintf(nbuf, sizeof nbuf, "%zu", n);
        args[3] = "-n";
        args[4] = nbuf;
        if (k < 3)
            args[1] = "-e";
        for (int f = 0; f < FILES; f++) {
            size_t len = 0, want = test_rand(&seed) % 60;
            for (size_t i = 0; i < want; i++) {
                const char *p = pieces[test_rand(&seed) % (sizeof pieces / sizeof pieces[0])];
                if (len + strlen(p) >= sizeof texts[f])
                    break;
                memcpy(texts[f] + len, p, strlen(p));
                len += strlen(p);
            }
            texts[f][len] = 0;
            char name[32];
            snprintf(name, sizeof name, "prop%zu_%d.txt", k, f);
            args[5 + f] = strdup(tmpfile_with(name, texts[f]));
        }
        args[5 + FILES] = NULL;
        cli_result r = run_cli(args, NULL, 0);
        CHECK_MSG(r.status == 0, "%s: %s", names[k], r.err);
        static chunk c[4000];
        int nc = parse_chunks(r.out, c, 4000), at = 0;
        CHECK(nc >= 0);
        for (int f = 0; f < FILES; f++) {
            int first = at;
            while (at < nc && !strcmp(c[at].file, args[5 + f]))
                at++;
            char why[256];
            bool ok = check_tiling(texts[f], c + first, at - first, n, names[k], false, why,
                                   sizeof why);
            CHECK_MSG(ok, "%s -n %zu file %d: %s", names[k], n, f, why);
            CHECK((at > first) == (texts[f][0] != 0));
        }
        CHECK_EQ(at, nc);
        free_chunks(c, nc);
        for (int f = 0; f < FILES; f++)
            free((char *)args[5 + f]);
        cli_free(&r);
    }
}

TEST(chunk_model_json_and_special)
{
    /* -m picks the model's encoding; --json is the default output */
    cli_result r = RUN_IN("Hello world", "chunk", "-n", "5", "-m", "gpt-4", "--json");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "{\"file\":\"-\",\"index\":0,\"start\":0,\"end\":11,\"tokens\":2,"
                     "\"text\":\"Hello world\"}\n");
    cli_free(&r);
    /* with --special allow, <|endoftext|> is one token and fits in a chunk of 3 */
    r = RUN_IN("a<|endoftext|>b", "chunk", "-n", "3", "-e", "cl100k_base", "--special", "allow");
    CHECK_EQ(r.status, 0);
    CHECK(strstr(r.out, "\"tokens\":3,\"text\":\"a<|endoftext|>b\""));
    cli_free(&r);
    r = RUN_IN("a<|endoftext|>b", "chunk", "-n", "3", "--special", "reject");
    CHECK_EQ(r.status, 2);
    cli_free(&r);
}

