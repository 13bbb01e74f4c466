/* SentencePiece BPE on the rank core (formats/spm/bpe_long.c): every BPE .model we have --
 * the trained ones in tests/golden/spm/models and the npm ones in build/spm-npm-models -- gives
 * the same ids and spans as sentencepiece's heap (the same file with the rank path removed) on
 * long hostile runs and random mixes; the rank path is taken where the argument says it may be
 * (the served counter), and not where it does not hold (equal scores, broken runs). */
#include "runner.h"
#include "test_spm.h"

#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#define MB (1024 * 1024)

static spm_model *model_of(const tok_tokenizer *t) { return (spm_model *)t->impl; }

/* The same model without the rank path: sentencepiece's heap only. */
static void heap_only(tok_tokenizer *g)
{
    spm_model *m = model_of(g);
    spm_lazy_rank_free(m->lazy);
    m->lazy = NULL;
}

/* Hostile shapes of about n bytes. */
enum { SH_RUN_A, SH_SPACES, SH_ALT_AB, SH_BASE64, SH_CJK_RUN, SH_DIGITS, SH_RAND_CJK, N_SHAPES };
static const char *const shape_name[] = {"a run", "spaces", "ab alternating", "base64",
                                         "CJK run", "digits", "random CJK"};

static size_t shape_text(int shape, uint8_t *p, size_t n, uint64_t *seed)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    while (k + 3 <= n) {
        switch (shape) {
        case SH_RUN_A: p[k++] = 'a'; break;
        case SH_SPACES: p[k++] = ' '; break;
        case SH_ALT_AB: p[k] = k % 2 ? 'b' : 'a'; k++; break;
        case SH_BASE64: p[k++] = (uint8_t)b64[test_rand(seed) % 64]; break;
        case SH_CJK_RUN: memcpy(p + k, "\xe4\xb8\x80", 3); k += 3; break; /* U+4E00 */
        case SH_DIGITS: p[k++] = (uint8_t)('0' + test_rand(seed) % 10); break;
        default: { /* a random ideograph U+4E00..U+9FFF */
            uint32_t c = 0x4E00 + (uint32_t)(test_rand(seed) % 0x5200);
            p[k++] = (uint8_t)(0xE0 | c >> 12);
            p[k++] = (uint8_t)(0x80 | (c >> 6 & 63));
            p[k++] = (uint8_t)(0x80 | (c & 63));
            break;
        }
        }
    }
    return k;
}

/* t and g (heap only) agree on p[0..n); *served: how much the served counter of t's rank path
 * went up (0: the heap served). */
static void same_as_heap(const char *what, tok_tokenizer *t, tok_tokenizer *g, const uint8_t *p,
                         size_t n, uint64_t *served)
{
    *served = 0;
    spm_lazy_rank *z = model_of(t)->lazy;
    uint64_t before = z ? atomic_load(&z->served) : 0;
    uint32_t *a = NULL, *b = NULL;
    tok_span *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0;
    tok_error err;
    CHECK_MSG(tok_encode_alloc(t, (const char *)p, n, NULL, &a, &sa, &na, &err) == TOK_OK, "%s: %s",
              what, err.message);
    CHECK_MSG(tok_encode_alloc(g, (const char *)p, n, NULL, &b, &sb, &nb, &err) == TOK_OK, "%s: %s",
              what, err.message);
    size_t i = 0;
    while (i < na && i < nb && a[i] == b[i] && sa[i].start == sb[i].start && sa[i].end == sb[i].end)
        i++;
    CHECK_MSG(na == nb && i == na, "%s: %zu tokens against the heap's %zu, first difference at "
              "token %zu", what, na, nb, i);
    free(a), free(b), free(sa), free(sb);
    *served = z ? atomic_load(&z->served) - before : 0;
}

/* Every shape at 1 MB ('a' and spaces) or 96 KiB (the rest, which the heap does slowly enough
 * for a unit test) against the heap. *served: a bit per shape the rank path served. */
static void model_matches(const char *path, unsigned *served)
{
    *served = 0;
    tok_tokenizer *t, *g;
    tok_error err;
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s", err.message);
    CHECK(test_open_json(path, &g, &err) == TOK_OK);
    CHECK_MSG(model_of(t)->type == SPM_BPE && model_of(t)->lazy, "%s: not BPE with the rank path",
              path);
    heap_only(g);
    uint8_t *p = malloc(MB);
    uint64_t seed = 14;
    for (int shape = 0; shape < N_SHAPES; shape++) {
        size_t n = shape_text(shape, p, shape <= SH_SPACES ? MB : 96 * 1024, &seed);
        char what[600];
        snprintf(what, sizeof what, "%s, %s", path, shape_name[shape]);
        uint64_t k;
        same_as_heap(what, t, g, p, n, &k);
        if (k)
            *served |= 1u << shape;
    }
    free(p);
    tok_close(t);
    tok_close(g);
}

static bool is_bpe_model(const char *path)
{
    tok_tokenizer *t;
    tok_error err;
    if (test_open_json(path, &t, &err) != TOK_OK)
        return false;
    bool bpe = strcmp(tok_format(t), "sentencepiece") == 0 && model_of(t)->type == SPM_BPE;
    tok_close(t);
    return bpe;
}

/* The paths of every BPE .model we have: the trained ones and the npm ones. */
#define MAX_MODELS 64
static size_t bpe_models(char paths[][600])
{
    static const char *const dirs[] = {"tests/golden/spm/models", "build/spm-npm-models"};
    size_t n = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            test_fail(__FILE__, __LINE__, "%s missing", dirs[d]);
        struct dirent *de;
        while (dir && n < MAX_MODELS && (de = readdir(dir)) != NULL) {
            size_t l = strlen(de->d_name);
            if (l < 7 || strcmp(de->d_name + l - 6, ".model") != 0)
                continue;
            snprintf(paths[n], 600, "%s/%s", dirs[d], de->d_name);
            n += is_bpe_model(paths[n]);
        }
        if (dir)
            closedir(dir);
    }
    return n;
}

TEST(spm_rank_llama2_matches_heap)
{
    const char *path = "build/spm-npm-models/llama2.model";
    CHECK_MSG(access(path, R_OK) == 0, "%s missing (make spm-npm-models)", path);
    unsigned served;
    model_matches(path, &served);
    /* a run of one letter and of spaces are one long segment each: the rank path serves */
    CHECK_MSG((served & (1u << SH_RUN_A)) && (served & (1u << SH_SPACES)),
              "llama2: the rank path served shapes %#x", served);
}

/* Every other BPE .model we have. */
TEST(spm_rank_every_bpe_model_matches_heap)
{
    static char paths[MAX_MODELS][600];
    size_t n = bpe_models(paths), models = 0, ranked = 0;
    for (size_t i = 0; i < n; i++) {
        if (strstr(paths[i], "/llama2.model"))
            continue;
        models++;
        unsigned served;
        model_matches(paths[i], &served);
        if (served)
            ranked++;
    }
    CHECK_MSG(models >= 10, "only %zu BPE models found", models);
    CHECK_MSG(ranked > 0, "the rank path served none of %zu models", models);
}

/* Hand-made models: UNUSED pieces (split back along their true splits), user-defined symbols
 * (frozen, the text between them encoded on its own), a character that is no piece (that
 * stretch keeps the heap), and equal scores (no rank path at all). */
static const tpiece synth[] = {
    {"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL},   {"</s>", 0, T_CONTROL},
    {WS, -20, T_NORMAL},     {"a", -20, T_NORMAL},    {"b", -20, T_NORMAL},
    {"aa", -1, T_NORMAL},    {"aaaa", -2, T_UNUSED},  {"aaaaaaaa", -3, T_NORMAL},
    {"ab", -4, T_UNUSED},    {"aab", -5, T_NORMAL},   {"abab", -6, T_NORMAL},
    {"<sep>", 0, T_USER},    {WS "a", -7, T_UNUSED},  {"ba", -8, T_NORMAL},
    {"x" WS, -9, T_NORMAL},  {NULL, 0, 0}};

static const char *const synth_units[] = {"a", "ab", "aab", "a<sep>aa", "aaaaaaaaaaaaaaaab",
                                           "abba", "a x", "bab", NULL};

/* Each unit repeated into a long text: t (rank path, offered every segment, whatever its
 * length: the text is cut wherever no piece spans) against g (heap only) */
static void synth_units_match(tok_tokenizer *t, tok_tokenizer *g, const char *const *unit,
                              bool want_rank)
{
    CHECK((spm_lazy_rank_get(t, model_of(t)) != NULL) == want_rank);
    model_of(t)->rank_min = 1;
    size_t n = SPM_RANK_LAZY_MIN + 4096;
    uint8_t *p = malloc(n + 32);
    uint64_t served = 0;
    for (size_t u = 0; unit[u]; u++) {
        size_t k = 0, l = strlen(unit[u]);
        while (k + l <= n) {
            memcpy(p + k, unit[u], l);
            k += l;
        }
        char what[80];
        snprintf(what, sizeof what, "synthetic, \"%s\" repeated", unit[u]);
        uint64_t k1;
        same_as_heap(what, t, g, p, k, &k1);
        served += k1;
    }
    free(p);
    CHECK_MSG(want_rank ? served > 0 : served == 0, "served %llu", (unsigned long long)served);
    CHECK(atomic_load(&model_of(t)->lazy->state) == (want_rank ? 1 : 2));
}

TEST(spm_rank_unused_and_user_symbols_match_heap)
{
    tmodel m = {.model_type = 2, .keep_ws = true};
    tok_tokenizer *t = spm_open(&m, synth, false), *g = spm_open(&m, synth, false);
    CHECK(t && g);
    CHECK(model_of(t)->n_unused == 3);
    heap_only(g);
    synth_units_match(t, g, synth_units, true);
    tok_close(t);
    tok_close(g);
}

TEST(spm_rank_not_taken_with_equal_scores)
{
    tpiece p[32];
    memcpy(p, synth, sizeof synth);
    /* ba as ab: on "bab" sentencepiece joins the leftmost pair, b+a, where a rank order joins
     * a+b first (or b+a everywhere first) -- leftmost among equal scores is not tiktoken's rule */
    p[14].score = -4;
    p[11].score = -5; /* abab as aab */
    tmodel m = {.model_type = 2, .keep_ws = true};
    tok_tokenizer *t = spm_open(&m, p, false), *g = spm_open(&m, p, false);
    CHECK(t && g);
    heap_only(g);
    synth_units_match(t, g, synth_units, false);
    tok_close(t);
    tok_close(g);
}

/* Every segment offered to the rank core (rank_min lowered, as the goldens' second pass does)
 * on random mixes of what the conditions are about: rows of spaces of every length (Llama 2's
 * run pieces), letters, digits, CJK, user-defined symbols, characters that are no piece (byte
 * fallback, unknown), U+2581 itself, newlines and tabs. */
static size_t random_mix(uint8_t *p, size_t cap, uint64_t *seed)
{
    static const char *const frag[] = {"a", "b", "ab", "the", "ing", "aaaa", "e", "x", "1", "42",
                                       "\xe4\xb8\x80", "\xe4\xb8\xad\xe6\x96\x87", "\xc3\xa9",
                                       "\xf0\x9f\x98\x80", "\xe2\x96\x81", "\n", "\t", ".", ",",
                                       ">>", ">>>", "<sep>", "[EOS]", "==", "()", "_"};
    size_t k = 0;
    while (k + 64 < cap) {
        uint64_t r = test_rand(seed) % 8;
        if (r < 2) { /* a row of spaces, of any length up to 40 */
            size_t n = 1 + test_rand(seed) % 40;
            memset(p + k, ' ', n);
            k += n;
        } else {
            const char *f = frag[test_rand(seed) % (sizeof frag / sizeof *frag)];
            size_t n = strlen(f);
            memcpy(p + k, f, n);
            k += n;
        }
    }
    return k;
}

/* path twice: *t with the rank core offered every segment (as a long text's), *g the heap only;
 * false (both NULL, the failure reported) when it does not open */
static bool open_with_heap(const char *path, tok_tokenizer **t, tok_tokenizer **g)
{
    tok_error err;
    *t = *g = NULL;
    if (test_open_json(path, t, &err) != TOK_OK || test_open_json(path, g, &err) != TOK_OK) {
        test_fail(__FILE__, __LINE__, "%s: %s", path, err.message);
        tok_close(*t);
        *t = NULL;
        return false;
    }
    heap_only(*g);
    return true;
}

static void mix_matches(const char *path, bool *ranked)
{
    tok_tokenizer *t, *g;
    *ranked = false;
    if (!open_with_heap(path, &t, &g))
        return;
    spm_model *m = model_of(t);
    *ranked = m->lazy && spm_lazy_rank_get(t, m);
    m->rank_min = 1;
    uint8_t p[4096];
    uint64_t seed = 2581, served = 0;
    for (int i = 0; i < 200; i++) {
        size_t n = random_mix(p, 64 + test_rand(&seed) % (sizeof p - 64), &seed);
        char what[600];
        snprintf(what, sizeof what, "%s, random mix %d", path, i);
        uint64_t k;
        same_as_heap(what, t, g, p, n, &k);
        served += k;
    }
    CHECK_MSG(*ranked == (served > 0), "%s: rank path %s, served %llu", path,
              *ranked ? "built" : "not built", (unsigned long long)served);
    tok_close(t);
    tok_close(g);
}

TEST(spm_rank_random_mixes_match_heap)
{
    static char paths[MAX_MODELS][600];
    size_t models = bpe_models(paths), ranked = 0;
    for (size_t i = 0; i < models; i++) {
        bool r;
        mix_matches(paths[i], &r);
        ranked += r;
    }
    CHECK_MSG(models >= 11 && ranked == models, "rank path on %zu of %zu BPE models", ranked,
              models);
}

/* Runs: pieces of one score, the lowest, that are x^2 .. x^K (Llama 2's U+2581 rows) are joined
 * after the rank core, K at a time from the left; a gap in the lengths, another piece holding
 * xx, or an UNUSED run piece turns the path off. */
static const tpiece runs[] = {
    {"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL}, {"</s>", 0, T_CONTROL}, {WS, -20, T_NORMAL},
    {"a", -20, T_NORMAL},    {"b", -20, T_NORMAL},  {"x", -20, T_NORMAL},   {"ab", -1, T_NORMAL},
    {"xa", -2, T_NORMAL},    {"ax", -3, T_NORMAL},  {WS "a", -4, T_NORMAL}, {"x" WS, -5, T_NORMAL},
    {"xx", -30, T_NORMAL},   {"xxx", -30, T_NORMAL}, {"xxxx", -30, T_NORMAL},
    {"bb", -30, T_NORMAL},   {"xq", -6, T_NORMAL},  {NULL, 0, 0}};

static void runs_case(const tpiece *pieces, bool want_rank)
{
    static const char *const unit[] = {"axxxxxxxb", "xxxxxxx a", "bxxa", "xxxxxxxxxxxxxxxxxxxxxxa",
                                       "abxxxbbbbbbax", "xa xxxxx", "bbbbbxxxxxxxxx",
                                       /* q is no piece (that stretch keeps the heap), but xq is,
                                        * so nothing cuts it from the row of x before it */
                                       "axxxxxq", NULL};
    tmodel m = {.model_type = 2, .keep_ws = true};
    tok_tokenizer *t = spm_open(&m, pieces, false), *g = spm_open(&m, pieces, false);
    CHECK(t && g);
    heap_only(g);
    synth_units_match(t, g, unit, want_rank);
    if (want_rank) {
        const spm_lazy_rank *z = model_of(t)->lazy;
        CHECK(z->n_runs == 2 && z->runs[0].max + z->runs[1].max == 4 + 2);
    }
    tok_close(t);
    tok_close(g);
}

TEST(spm_rank_runs_of_one_score_match_heap)
{
    runs_case(runs, true);
    tpiece p[32];
    memcpy(p, runs, sizeof runs);
    p[13].s = "xxxxx"; /* lengths 2, 4, 5: a gap */
    runs_case(p, false);
    memcpy(p, runs, sizeof runs);
    p[8].s = "bxx"; /* another piece holds xx (b + xx joins after a run join) */
    runs_case(p, false);
    memcpy(p, runs, sizeof runs);
    p[13].type = T_UNUSED;
    runs_case(p, false);
}

/* The rank vocabulary is built inside the first encode of a long segment, on a tokenizer that
 * threads share: several threads hit it at once, one builds (under the lock), all get the
 * heap's ids. make tsan runs this test (its name has "thread"). */
typedef struct rank_job {
    const tok_tokenizer *t;
    const uint8_t *p;
    size_t n;
    uint32_t *ids;
    size_t nids;
    tok_status st;
} rank_job;

static void *rank_worker(void *arg)
{
    rank_job *j = arg;
    tok_error err;
    j->st = tok_encode_alloc(j->t, (const char *)j->p, j->n, NULL, &j->ids, NULL, &j->nids, &err);
    return NULL;
}

TEST(spm_rank_build_shared_by_threads)
{
    const char *path = "build/spm-npm-models/llama2.model";
    tok_tokenizer *t, *g;
    tok_error err;
    CHECK_MSG(test_open_json(path, &t, &err) == TOK_OK, "%s (make spm-npm-models)",
              err.message);
    CHECK(test_open_json(path, &g, &err) == TOK_OK);
    heap_only(g);
    size_t n = SPM_RANK_LAZY_MIN + 4096;
    uint8_t *p = malloc(n);
    uint64_t seed = 3;
    n = shape_text(SH_ALT_AB, p, n, &seed);
    uint32_t *want;
    size_t nwant;
    CHECK(tok_encode_alloc(g, (const char *)p, n, NULL, &want, NULL, &nwant, &err) == TOK_OK);
    enum { NT = 4 };
    pthread_t th[NT];
    rank_job jobs[NT];
    for (int i = 0; i < NT; i++) {
        jobs[i] = (rank_job){.t = t, .p = p, .n = n};
        CHECK(pthread_create(&th[i], NULL, rank_worker, &jobs[i]) == 0);
    }
    for (int i = 0; i < NT; i++) {
        pthread_join(th[i], NULL);
        CHECK(jobs[i].st == TOK_OK);
        CHECK_MSG(jobs[i].nids == nwant && !memcmp(jobs[i].ids, want, nwant * 4),
                  "thread %d: %zu tokens against the heap's %zu", i, jobs[i].nids, nwant);
        free(jobs[i].ids);
    }
    CHECK(atomic_load(&model_of(t)->lazy->served) == NT);
    free(want);
    free(p);
    tok_close(t);
    tok_close(g);
}

/* Rows: counting drops rows of K spaces from inside a long run (bpe_long.c, "Rows"). The count
 * of texts with runs of every length from 0 to about 600 -- at the start, at the end, next to
 * words, tabs, U+2581 and user-defined symbols -- must equal the number of pieces
 * sentencepiece's heap gives (the same file without the rank path, which never drops), and
 * Llama 2 must have dropped rows (the counter), so the test sees the path it is about. */
static void rows_match_heap(const char *path, uint64_t *rows)
{
    *rows = 0;
    tok_tokenizer *t, *g;
    if (!open_with_heap(path, &t, &g))
        return;
    spm_model *m = model_of(t);
    m->rank_min = 1;
    tok_error err;
    static const char *const frag[] = {"a", "the", "x", "42", "\t", "\n", "\xe2\x96\x81", ".",
                                       "\xe4\xb8\x80", "<sep>", "ab"};
    static uint8_t p[16384];
    uint64_t seed = 16;
    for (int i = 0; i < 60; i++) {
        size_t n = test_runs_text(p, 1024 + test_rand(&seed) % (sizeof p - 1024), &seed, frag,
                                  sizeof frag / sizeof *frag);
        size_t count = 0, want = 0;
        uint32_t *ids = NULL;
        CHECK(tok_count(t, (const char *)p, n, NULL, &count, &err) == TOK_OK);
        CHECK(tok_encode_alloc(g, (const char *)p, n, NULL, &ids, NULL, &want, &err) == TOK_OK);
        CHECK_MSG(count == want, "%s, text %d: counted %zu, the heap gives %zu pieces", path, i,
                  count, want);
        free(ids);
    }
    *rows = m->lazy ? atomic_load(&m->lazy->rows) : 0;
    tok_close(t);
    tok_close(g);
}

TEST(spm_rank_rows_of_spaces_counted_as_the_heap)
{
    const spm_lazy_rank *z = NULL;
    tok_tokenizer *t;
    tok_error err;
    const char *llama2 = "build/spm-npm-models/llama2.model";
    CHECK_MSG(test_open_json(llama2, &t, &err) == TOK_OK, "%s (make spm-npm-models)",
              err.message);
    if (t)
        z = spm_lazy_rank_get(t, model_of(t));
    CHECK_MSG(z && z->ws_row == 16, "llama2: rows of %u", z ? z->ws_row : 0);
    tok_close(t);
    uint64_t rows;
    rows_match_heap(llama2, &rows);
    CHECK_MSG(rows > 1000, "llama2: %llu rows dropped", (unsigned long long)rows);
    static char paths[MAX_MODELS][600];
    size_t n = bpe_models(paths);
    for (size_t i = 0; i < n; i++)
        if (!strstr(paths[i], "/llama2.model"))
            rows_match_heap(paths[i], &rows);
}


/* A user-defined piece holding U+2581 is matched inside a run at places its length decides:
 * no rows then. The runs model with U+2581 as its run character, with and without one. */
TEST(spm_rank_rows_not_with_a_user_piece_of_spaces)
{
    static const tpiece base[] = {
        {"<unk>", 0, T_UNKNOWN}, {"<s>", 0, T_CONTROL}, {"</s>", 0, T_CONTROL},
        {WS, -20, T_NORMAL},     {"a", -20, T_NORMAL},  {"b", -20, T_NORMAL},
        {WS "a", -4, T_NORMAL},  {"ab", -1, T_NORMAL},  {WS WS, -30, T_NORMAL},
        {WS WS WS, -30, T_NORMAL}, {"q", -20, T_NORMAL}, {NULL, 0, 0}};
    tpiece p[16];
    memcpy(p, base, sizeof base);
    for (int user = 0; user < 2; user++) {
        if (user)
            p[10] = (tpiece){"q" WS "q", 0, T_USER};
        tmodel md = {.model_type = 2, .keep_ws = true};
        tok_tokenizer *t = spm_open(&md, p, false), *g = spm_open(&md, p, false);
        CHECK(t && g);
        if (!t || !g) {
            tok_close(t), tok_close(g);
            continue;
        }
        heap_only(g);
        spm_model *m = model_of(t);
        m->rank_min = 1;
        const spm_lazy_rank *z = spm_lazy_rank_get(t, m);
        CHECK_MSG(z && z->ws_row == (user ? 0u : 3u), "user piece %d: rows of %u", user,
                  z ? z->ws_row : 0);
        char s[600];
        for (size_t n = 0; n < 300; n += 7) {
            size_t k = (size_t)snprintf(s, sizeof s, "ab");
            memset(s + k, ' ', n);
            k += n;
            k += (size_t)snprintf(s + k, sizeof s - k, "%s", n % 2 ? "a" : "");
            size_t count = 0, want = 0;
            uint32_t *ids = NULL;
            CHECK(tok_count(t, s, k, NULL, &count, NULL) == TOK_OK);
            CHECK(tok_encode_alloc(g, s, k, NULL, &ids, NULL, &want, NULL) == TOK_OK);
            CHECK_MSG(count == want, "run of %zu: %zu against %zu", n, count, want);
            free(ids);
        }
        CHECK_MSG((atomic_load(&m->lazy->rows) > 0) == !user, "user piece %d: %llu rows", user,
                  (unsigned long long)atomic_load(&m->lazy->rows));
        tok_close(t);
        tok_close(g);
    }
}
