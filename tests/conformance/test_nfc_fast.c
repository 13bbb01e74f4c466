/* NFC pipelines (Qwen) on text that is not NFC (formats/hf/encode_fast.c): without spans the
 * normalized text goes through the fast path; with spans the general pipeline runs (its
 * alignments give HF's offsets). The ids must be the same either way, line by line over the
 * golden corpora and for all of them as one long text (a whole file with a few decomposed
 * accents: the case that was ten times slower), and the goldens (tests/conformance/test_hf.c)
 * check the spans' ids against HF tokenizers. */
#include "goldens.h"
#include "runner.h"
#include "text/text.h"

/* the one long text: the corpora's lines up to this size (its non-NFC lines included) */
#define WHOLE_MAX (256 * 1024)

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static bool nfc(const char *s, size_t n)
{
    utf8proc_uint8_t *r = NULL;
    utf8proc_ssize_t l = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &r,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    bool same = l >= 0 && (size_t)l == n && !memcmp(r, s, n);
    free(r);
    return same;
}

/* ids of s without spans and with them: equal. */
static bool same_both_ways(const tok_tokenizer *t, const char *s, size_t n, size_t *tokens)
{
    uint32_t *a = NULL, *b = NULL;
    tok_span *sp = NULL;
    size_t na = 0, nb = 0;
    bool ok = tok_encode_alloc(t, s, n, NULL, &a, NULL, &na, NULL) == TOK_OK &&
              tok_encode_alloc(t, s, n, NULL, &b, &sp, &nb, NULL) == TOK_OK && na == nb &&
              (na == 0 || !memcmp(a, b, na * sizeof *a));
    size_t counted = 0;
    ok = ok && tok_count(t, s, n, NULL, &counted, NULL) == TOK_OK && counted == na;
    *tokens = na;
    tok_free(a), tok_free(b), tok_free(sp);
    return ok;
}

static void check_tokenizer(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", test_hf_dir(), name);
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s: %s", path, err.message);
    static const char *const corpora[] = {"tests/golden/corpus/real.jsonl",
                                          "tests/golden/corpus/stress.jsonl"};
    size_t not_nfc = 0, lines = 0, bad = 0;
    char *all = NULL;
    size_t all_n = 0;
    for (size_t c = 0; c < 2; c++) {
        text_lines tl;
        CHECK_MSG(load_text_lines(corpora[c], &tl), "%s is missing", corpora[c]);
        /* make asan (TOK_GOLDEN_STRIDE > 1): every 4th line; the spans way is the general
         * pipeline, which the sanitizers slow down a hundredfold */
        for (size_t i = 0; i < tl.n; i += golden_stride()) {
            const char *s = tl.v[i].text;
            size_t n = tl.v[i].len, k;
            size_t bad_len;
            if (tok_utf8_valid_prefix((const uint8_t *)s, n, &bad_len) != n)
                continue;
            lines++;
            not_nfc += !nfc(s, n);
            if (!same_both_ways(t, s, n, &k) && bad++ < 3)
                printf("  %s: line %zu of %s differs with and without spans\n", name, i + 1,
                       corpora[c]);
            if (all_n + n + 1 > WHOLE_MAX)
                continue;
            all = realloc(all, all_n + n + 1);
            memcpy(all + all_n, s, n);
            all_n += n;
            all[all_n++] = '\n';
        }
        text_lines_free(&tl);
    }
    size_t k = 0;
    bool whole = same_both_ways(t, all, all_n, &k) && !nfc(all, all_n);
    free(all);
    tok_close(t);
    CHECK_MSG(bad == 0, "%s: %zu of %zu lines differ with and without spans", name, bad, lines);
    CHECK_MSG(not_nfc >= 10, "%s: only %zu lines are not NFC: the path is not exercised", name,
              not_nfc);
    CHECK_MSG(whole, "%s: the corpora as one text (%zu bytes, not NFC) differ with and without "
              "spans", name, all_n);
}

TEST(nfc_fast_path_qwen2_5) { check_tokenizer("qwen2_5"); }
TEST(nfc_fast_path_qwen3) { check_tokenizer("qwen3"); }
