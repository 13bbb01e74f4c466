/* Conformance: every built-in encoding against goldens made by OpenAI's tiktoken (npm
 * tiktoken@1.0.22, the Rust core as WASM) with tests/conformance/tiktoken_goldens.mjs, on the
 * shared corpus (tests/golden/corpus: real text and stress lines), in the three special-token
 * modes; plus decode(encode(x)) == x on every line, and the command's --jsonl interface byte for
 * byte. The test compares; it never regenerates. */
#include "cli.h"
#include "api/api.h"
#include "runner.h"

#include <stdlib.h>

static const char *const encodings[] = {"gpt2", "r50k_base", "p50k_base", "p50k_edit",
                                        "cl100k_base", "o200k_base", "o200k_harmony"};
static const char *const corpora[] = {"real", "stress"};
#define N_ENC (sizeof encodings / sizeof encodings[0])

typedef text_lines corpus;

static bool load_corpus(const char *name, corpus *c)
{
    char path[256];
    snprintf(path, sizeof path, "tests/golden/corpus/%s.jsonl", name);
    return load_text_lines(path, c);
}

/* Parse "[1,2,3]" into ids; returns the count, or -1 for {"error":...}, -2 if malformed. */
static long parse_golden(const char *line, size_t len, uint32_t **ids, size_t *cap)
{
    if (len && line[0] == '{')
        return strstr(line, "\"error\"") ? -1 : -2;
    if (len < 2 || line[0] != '[' || line[len - 1] != ']')
        return -2;
    size_t n = 0;
    const char *p = line + 1, *end = line + len - 1;
    while (p < end) {
        char *q;
        unsigned long v = strtoul(p, &q, 10);
        if (q == p)
            return -2;
        if (n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            *ids = realloc(*ids, *cap * sizeof **ids);
        }
        (*ids)[n++] = (uint32_t)v;
        p = q;
        if (p < end && *p == ',')
            p++;
    }
    return (long)n;
}

static size_t total_lines, total_tokens;

/* decode(encode(x)) is x, except that o200k_harmony gives <|reserved_200018|> and
 * <|endofprompt|> one id (as tiktoken defines it), which decodes to <|endofprompt|>. Returns a
 * copy with its length in *len. */
static char *expected_round_trip(const char *enc, tok_special_policy policy, const tok_text *x,
                                 size_t *len)
{
    char *out = malloc(x->len + 1);
    memcpy(out, x->text, x->len);
    *len = x->len;
    if (strcmp(enc, "o200k_harmony") != 0 || policy != TOK_SPECIAL_ALLOW)
        return out;
    static const char from[] = "<|reserved_200018|>", to[] = "<|endofprompt|>";
    const size_t fl = sizeof from - 1, tl = sizeof to - 1;
    char *p;
    while ((p = memmem(out, *len, from, fl)) != NULL) {
        memmove(p + tl, p + fl, *len - (size_t)(p - out) - fl);
        memcpy(p, to, tl);
        *len -= fl - tl;
    }
    return out;
}

static void check_mode(const char *enc, const char *cname, const corpus *c, const char *mode)
{
    char path[256];
    snprintf(path, sizeof path, "tests/golden/tiktoken/%s.%s.%s.jsonl", enc, cname, mode);
    size_t glen;
    char *golden = read_file(path, &glen);
    CHECK_MSG(golden, "%s is missing (run tests/conformance/tiktoken_goldens.mjs)", path);
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(tok_open_encoding(enc, &t, &err) == TOK_OK, "%s", err.message);
    tok_encode_options o = {!strcmp(mode, "allow")    ? TOK_SPECIAL_ALLOW
                            : !strcmp(mode, "reject") ? TOK_SPECIAL_REJECT
                                                      : TOK_SPECIAL_ORDINARY,
                            0};
    uint32_t *want = NULL;
    size_t cap = 0, lineno = 0, mismatches = 0;
    line_iter it = {golden, golden + glen, 0};
    const char *line;
    size_t len;
    while (next_line(&it, &line, &len)) {
        CHECK_MSG(lineno < c->n, "%s has more lines than the corpus", path);
        const tok_text *x = &c->v[lineno++];
        long nw = parse_golden(line, len, &want, &cap);
        CHECK_MSG(nw != -2, "%s:%zu: malformed golden line", path, lineno);
        uint32_t *got;
        size_t ng;
        tok_status st = tok_encode_alloc(t, x->text, x->len, &o, &got, NULL, &ng, &err);
        bool same;
        if (nw == -1) {
            same = st == TOK_ESPECIAL;
        } else {
            same = st == TOK_OK && ng == (size_t)nw && (ng == 0 || memcmp(got, want, ng * 4) == 0);
            total_tokens += (size_t)nw;
        }
        if (!same && mismatches++ < 3) {
            size_t k = 0;
            while (st == TOK_OK && nw > 0 && k < ng && k < (size_t)nw && got[k] == want[k])
                k++;
            test_fail(__FILE__, __LINE__,
                      "%s:%zu: %s; first difference at token %zu: tiktoken %ld tokens, tokscope "
                      "%zu (%s)",
                      path, lineno, nw == -1 ? "tiktoken raises" : "ids differ", k, nw,
                      st == TOK_OK ? ng : 0, tok_status_name(st));
        }
        /* round trip on every line the reference encoded */
        if (st == TOK_OK && same) {
            size_t bl, el;
            char *back, *expect = expected_round_trip(enc, o.special, x, &el);
            CHECK(tok_decode_alloc(t, got, ng, 0, &back, &bl, NULL) == TOK_OK);
            CHECK_MSG(bl == el && memcmp(back, expect, bl) == 0,
                      "%s:%zu: decode(encode(x)) != x", path, lineno);
            tok_free(back);
            free(expect);
        }
        tok_free(got);
    }
    CHECK_MSG(lineno == c->n, "%s has %zu lines, the corpus %zu", path, lineno, c->n);
    CHECK_MSG(mismatches == 0, "%s: %zu of %zu lines differ", path, mismatches, lineno);
    total_lines += lineno;
    free(want);
    free(golden);
    tok_close(t);
}

static void check_encoding(const char *enc)
{
    for (size_t ci = 0; ci < 2; ci++) {
        corpus c;
        CHECK_MSG(load_corpus(corpora[ci], &c), "tests/golden/corpus/%s.jsonl missing or bad",
                  corpora[ci]);
        static const char *modes[] = {"ordinary", "allow", "reject"};
        for (int m = 0; m < 3; m++)
            check_mode(enc, corpora[ci], &c, modes[m]);
        text_lines_free(&c);
    }
}

TEST(golden_gpt2) { check_encoding("gpt2"); }
TEST(golden_r50k_base) { check_encoding("r50k_base"); }
TEST(golden_p50k_base) { check_encoding("p50k_base"); }
TEST(golden_p50k_edit) { check_encoding("p50k_edit"); }
TEST(golden_cl100k_base) { check_encoding("cl100k_base"); }
TEST(golden_o200k_base) { check_encoding("o200k_base"); }
TEST(golden_o200k_harmony)
{
    check_encoding("o200k_harmony");
    if (!test_failed())
        printf("  tiktoken goldens: %zu lines, %zu tokens, all identical\n", total_lines,
               total_tokens);
}

/* The conformance interface of the command: encode --jsonl output equals the golden file. */
TEST(golden_through_the_command)
{
    for (size_t e = 0; e < N_ENC; e++)
        for (size_t ci = 0; ci < 2; ci++)
            for (int allow = 0; allow < 2; allow++) {
                char in[256], gold[256];
                snprintf(in, sizeof in, "tests/golden/corpus/%s.jsonl", corpora[ci]);
                snprintf(gold, sizeof gold, "tests/golden/tiktoken/%s.%s.%s.jsonl", encodings[e],
                         corpora[ci], allow ? "allow" : "ordinary");
                size_t glen;
                char *want = read_file(gold, &glen);
                CHECK_MSG(want, "%s missing", gold);
                cli_result r = run_cli((const char *const[]){"encode", "--jsonl", "-e",
                                                             encodings[e], "-f", in,
                                                             allow ? "--special=allow"
                                                                   : "--special=ordinary",
                                                             NULL},
                                       NULL, 0);
                bool same = r.status == 0 && r.out_len == glen && memcmp(r.out, want, glen) == 0;
                if (!same)
                    test_fail(__FILE__, __LINE__, "tokscope encode --jsonl -e %s -f %s: %s",
                              encodings[e], in, r.status ? r.err : "output differs from golden");
                cli_free(&r);
                free(want);
                if (!same)
                    return;
            }
}
