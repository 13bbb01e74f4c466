/* The Precompiled normalizer passes over printable ASCII eight bytes at a time when no printable
 * character is a rule alone (formats/hf/normalizers/precompiled.c): each byte it passes must be
 * followed by ASCII, or it would split a cluster such as "e" + U+0301, which the charsmap
 * composes. Normalizing runs of ASCII of every length before such a cluster, and before other
 * text, must give the run's normalization followed by the rest's: graphemes do not cross from
 * an ASCII letter into the next cluster's start. */
#include "formats/hf/hf.h"
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(hf_precompiled_ascii_runs_keep_clusters)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gen_unigram_nfkc/tokenizer.json", test_hf_dir());
    tok_tokenizer *t = test_open_json_edited(path, NULL, NULL);
    CHECK_MSG(t, "%s does not open", path);
    if (!t)
        return;
    const hf_pipeline *hp = t->impl;
    CHECK(hp->n_norms && hp->norms[0].kind == HF_PRECOMPILED);
    static const char *const tails[] = {"e\xcc\x81", "\xef\xbc\xa1", "\xc2\xbd", "x\x7f", "\xe2\x84\xa2",
                                        "a\xcc\x88o", "\xe3\x80\x80z"};
    size_t checked = 0;
    for (size_t k = 0; k < sizeof tails / sizeof *tails; k++)
        for (size_t run = 0; run < 40; run++) {
            char s[128];
            for (size_t i = 0; i < run; i++)
                s[i] = "abcXYZ09(),.~"[i % 13];
            size_t tl = strlen(tails[k]);
            memcpy(s + run, tails[k], tl);
            size_t lw = 0, la = 0, lb = 0;
            char *whole = hf_normalize_string(hp, s, run + tl, &lw);
            char *a = hf_normalize_string(hp, s, run, &la);
            char *b = hf_normalize_string(hp, s + run, tl, &lb);
            CHECK_MSG(whole && a && b && lw == la + lb && !memcmp(whole, a, la) &&
                          !memcmp(whole + la, b, lb),
                      "%zu ASCII bytes then tail %zu: \"%.*s\" is not \"%.*s\" + \"%.*s\"", run, k,
                      (int)lw, whole ? whole : "", (int)la, a ? a : "", (int)lb, b ? b : "");
            free(whole), free(a), free(b);
            checked++;
        }
    CHECK(checked == 40 * (sizeof tails / sizeof *tails));
    tok_close(t);
}
