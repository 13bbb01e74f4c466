/* count_stretched: tok_count of long texts -- past TOK_COUNT_STRETCHED_MIN it counts stretch by
 * stretch at the format's cuts (api/budget.c) -- against the encoding of the whole text, for
 * the tokenizer.json pipelines off the byte-level fast path that formats/hf/cut_general.c cuts:
 * WordPiece behind BertNormalizer/BertPreTokenizer (uncased and cased), Unigram behind
 * Precompiled/Strip/Replace/Metaspace, and SentencePiece-shaped BPE (Prepend + Replace: Mistral
 * 7B, the Llama-like one; Replace alone: Gemma). test_budget.c checks every golden line in
 * small stretches; this checks that these tokenizers are cut at all (so the stretches are
 * really there), and long hostile texts built here, with the stretches tok_count uses and with
 * small ones. */
#include "api/api.h"
#include "goldens.h"

#include <stdlib.h>
#include <string.h>

static const char *const cut_sets[] = {
    "hf/gen_wordpiece_bert_uncased", "hf/gen_wordpiece_bert_cased_style", "hf/gen_unigram_nfkc",
    "hf/mistral_7b", "hf/gen_bpe_llama_like", "hf/gemma",
};
#define N_SETS (sizeof cut_sets / sizeof *cut_sets)

static tok_tokenizer *open_set(const char *name, golden_set **keep)
{
    size_t n;
    golden_set *v = golden_sets("hf", &n);
    tok_tokenizer *t = NULL;
    for (size_t i = 0; i < n && !t; i++) {
        if (strcmp(v[i].name, name) != 0)
            continue;
        tok_error err;
        if (tok_open(v[i].open, &t, &err) != TOK_OK) {
            test_fail(__FILE__, __LINE__, "%s: %s", name, err.message);
            t = NULL;
        }
        if (keep) {
            *keep = malloc(sizeof **keep);
            if (*keep)
                **keep = v[i];
        }
    }
    if (!t && !test_failed())
        test_fail(__FILE__, __LINE__, "%s: no such golden set", name);
    free(v);
    return t;
}

TEST(count_stretched_hf_general_is_cut)
{
    static const tok_encode_options ord = {TOK_SPECIAL_ORDINARY, 0},
                                    allow = {TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL};
    for (size_t i = 0; i < N_SETS; i++) {
        tok_tokenizer *t = open_set(cut_sets[i], NULL);
        if (!t)
            return;
        tok_wrap w;
        CHECK_MSG(t->ops->cut && t->ops->cut(t, &ord, NULL, 0, TOK_CUT_ANY, NULL, NULL) &&
                      tok_wrap_probe(t, &allow, &w),
                  "%s is not cut", cut_sets[i]);
        /* a word after a space is a cut for every one of them */
        static const char text[] = "hello world again and again";
        size_t p = 0, q = 0;
        CHECK_MSG(t->ops->cut(t, &ord, (const uint8_t *)text, sizeof text - 1, TOK_CUT_ANY, &p,
                              &q) && p > 0 && q < sizeof text - 1,
                  "%s: no cut in \"%s\"", cut_sets[i], text);
        tok_close(t);
    }
    /* the added tokens of gen_added_metaspace carry lstrip/rstrip/single_word and are used
     * under every policy: not cut */
    tok_tokenizer *t = open_set("hf/gen_added_metaspace", NULL);
    if (!t)
        return;
    CHECK(!t->ops->cut(t, &ord, NULL, 0, TOK_CUT_ANY, NULL, NULL));
    tok_close(t);
}

/* ---- long texts ---- */

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *x, const char *s)
{
    size_t l = strlen(s);
    if (x->n + l + 1 > x->cap) {
        x->cap = (x->n + l + 1) * 2;
        x->s = realloc(x->s, x->cap);
        if (!x->s)
            abort();
    }
    memcpy(x->s + x->n, s, l + 1);
    x->n += l;
}

#define LONG (TOK_COUNT_STRETCHED_MIN + 24 * 1024)

/* Pieces that meet at the places cut_general.c looks at: whitespace of every kind before and
 * after marks, CJK, punctuation, U+2581, added tokens' text, control characters, emoji
 * sequences and a Prepend character before a space. */
static const char *const pieces[] = {
    "the", "of", "résumé", "naïve", "Zürich", "İstanbul", "ΣΑΣ", "一二三", "中文", "\xF0\xA0\x80\x80",
    "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>", "<unk>", "\xE2\x96\x81x", "\xE2\x96\x81",
    "a\xCC\x81", "e\xCC\x96\xCC\x81", ",", ".", "!?", "'s", "(x)", "\xF0\x9F\x98\x80",
    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7",
    "\xD8\x80", "\xE2\x80\x8D", "\xEF\xBD\x86\xEF\xBD\x95", "\xEF\xAC\x81", "\x01", "\x7F",
    "12345", "a", "bb",
};
static const char *const gaps[] = {
    " ", " ", " ", "  ", "   ", "\n", "\t", "\r\n", "", "", " \xCC\x81", "\xC2\xA0",
    "\xE3\x80\x80", "\xE2\x80\x83",
};

static void build(text *x, int shape, uint64_t *rng, const golden_set *gs)
{
    x->n = 0;
    put(x, "");
    while (x->n < LONG) {
        switch (shape) {
        case 0: /* everything */
            put(x, pieces[test_rand(rng) % (sizeof pieces / sizeof *pieces)]);
            put(x, gaps[test_rand(rng) % (sizeof gaps / sizeof *gaps)]);
            break;
        case 1: /* prose: words and single spaces, now and then a line */
            put(x, pieces[test_rand(rng) % 7]);
            put(x, test_rand(rng) % 50 ? " " : ".\n");
            break;
        case 2: put(x, "\xE4\xB8\x80"); break; /* one CJK character, repeated */
        case 3: put(x, " "); break;
        case 4: put(x, "\n"); break;
        case 5: put(x, "a"); break; /* no cut anywhere: encoded whole all the same */
        case 6: { /* the golden lines, one after another */
            golden_lines gl;
            for (size_t f = 0; f < gs->n_files && x->n < LONG; f++) {
                if (!golden_load(&gs->files[f], &gl))
                    continue;
                for (size_t i = 0; i < gl.n && x->n < LONG; i++) {
                    text tmp = {0};
                    tmp.cap = gl.text[i].len + 2;
                    tmp.s = malloc(tmp.cap);
                    if (!tmp.s)
                        abort();
                    memcpy(tmp.s, gl.text[i].text, gl.text[i].len);
                    tmp.s[gl.text[i].len] = 0;
                    /* lines with a NUL are left out (put takes C strings) */
                    if (strlen(tmp.s) == gl.text[i].len) {
                        put(x, tmp.s);
                        put(x, i % 2 ? "\n" : " ");
                    }
                    free(tmp.s);
                }
                golden_lines_free(&gl);
            }
            if (x->n < LONG && x->n == 0)
                return; /* no golden text: the caller fails */
            break;
        }
        }
    }
}

static size_t whole_count(const tok_tokenizer *t, const text *x, const tok_encode_options *o,
                          tok_status *st)
{
    tok_out out = {0};
    *st = tok_encode_into(t, (const uint8_t *)x->s, x->n, o, &out, NULL);
    return out.n;
}

TEST(count_stretched_hf_general_long_texts)
{
    static const tok_encode_options opts[] = {
        {TOK_SPECIAL_ORDINARY, 0},
        {TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL},
    };
    static const char *const shapes[] = {"mixed", "prose", "CJK run", "spaces", "newlines",
                                         "'a' run", "golden lines"};
    uint64_t rng = 0x57e7c4;
    text x = {0};
    size_t cut_texts = 0;
    for (size_t i = 0; i < N_SETS; i++) {
        golden_set *gs = NULL;
        tok_tokenizer *t = open_set(cut_sets[i], &gs);
        if (!t || !gs) {
            free(gs);
            break;
        }
        for (int shape = 0; shape < 7; shape++) {
            build(&x, shape, &rng, gs);
            CHECK_MSG(x.n >= LONG, "%s: no golden text to build from", cut_sets[i]);
            for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) {
                /* make asan (TOK_GOLDEN_STRIDE > 1) takes the two option sets in turn, shape by
                 * shape: every shape and every option set, in half the time */
                if (golden_stride() > 1 && (shape + k + i) % 2)
                    continue;
                tok_status st;
                size_t want = whole_count(t, &x, &opts[k], &st), got = 0, small = 0;
                if (st != TOK_OK) { /* the whole text fails (an added token's text a WORD
                                     * model has no token for): tok_count fails alike */
                    CHECK(tok_count(t, x.s, x.n, &opts[k], &got, NULL) == st);
                    continue;
                }
                CHECK_MSG(tok_count(t, x.s, x.n, &opts[k], &got, NULL) == TOK_OK && got == want,
                          "%s, %s text of %zu bytes, options %zu: tok_count %zu, whole %zu",
                          cut_sets[i], shapes[shape], x.n, k, got, want);
                /* the way tok_count took, and small stretches: cuts everywhere */
                size_t most = 100 + test_rand(&rng) % 1000;
                CHECK_MSG(tok_count_stretched(t, (const uint8_t *)x.s, x.n, &opts[k],
                                              TOK_STRETCH_MAX, &got) && got == want &&
                              tok_count_stretched(t, (const uint8_t *)x.s, x.n, &opts[k], most,
                                                  &small) && small == want,
                          "%s, %s text, options %zu: stretched %zu, in stretches of %zu bytes "
                          "%zu, whole %zu", cut_sets[i], shapes[shape], k, got, most, small,
                          want);
                /* where the text has places to cut, the format finds one in a stretch */
                tok_wrap w;
                size_t p, q;
                if (shape != 5 && tok_wrap_probe(t, &opts[k], &w) &&
                    t->ops->cut(t, &w.body, (const uint8_t *)x.s, TOK_STRETCH_MAX, TOK_CUT_ANY,
                                &p, &q))
                    cut_texts++;
            }
        }
        tok_close(t);
        free(gs);
    }
    free(x.s);
    if (!test_failed())
        printf("  long texts counted in stretches = whole: %zu tokenizers, %zu texts cut\n",
               (size_t)N_SETS, cut_texts);
}

TEST(count_stretched_errors_are_the_whole_texts)
{
    /* invalid UTF-8 far into a long text: tok_count reports it where the whole encode does,
     * and with TOK_ENCODE_LOSSY_UTF8 counts what the whole encode counts */
    tok_tokenizer *t = open_set("hf/gen_wordpiece_bert_uncased", NULL);
    if (!t)
        return;
    text x = {0};
    while (x.n < LONG)
        put(&x, "word and word. ");
    x.s[x.n - 100] = (char)0xFF;
    tok_error e1, e2;
    size_t c1, c2 = 7;
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, 0};
    CHECK(tok_count(t, x.s, x.n, &o, &c1, &e1) == TOK_EUTF8);
    tok_out out = {0};
    CHECK(tok_encode_into(t, (const uint8_t *)x.s, x.n, &o, &out, &e2) == TOK_EUTF8);
    CHECK_EQ(e1.offset, e2.offset);
    CHECK_STR(e1.message, e2.message);
    o.flags = TOK_ENCODE_LOSSY_UTF8;
    out = (tok_out){0};
    CHECK(tok_encode_into(t, (const uint8_t *)x.s, x.n, &o, &out, NULL) == TOK_OK);
    CHECK(tok_count(t, x.s, x.n, &o, &c2, NULL) == TOK_OK);
    CHECK_EQ(c2, out.n);
    /* the reject policy meets a special token's text far in: the whole text's error */
    memcpy(x.s + x.n - 100, "[SEP]", 5);
    o = (tok_encode_options){TOK_SPECIAL_REJECT, 0};
    CHECK(tok_count(t, x.s, x.n, &o, &c1, &e1) == TOK_ESPECIAL);
    CHECK(tok_encode_into(t, (const uint8_t *)x.s, x.n, &o, &out, &e2) == TOK_ESPECIAL);
    CHECK_EQ(e1.offset, e2.offset);
    CHECK_STR(e1.message, e2.message);
    free(x.s);
    tok_close(t);
}
