/* Malformed files at scale: the four .tiktoken files (truncated, bytes flipped, ranges deleted
 * and doubled, with their pattern given so the damaged file is not recognised by hash), a
 * 3,000-line file rewritten line by line (ranks negative, past 2^32, duplicated, far beyond the
 * file; tokens empty, not base64, duplicated, 100 KB long; separators missing or doubled; lines
 * deleted and repeated), the same with broken extra special tokens; and tokscope packs (made
 * here with tok_pack from reference files, and the shipped ones in build/vocabs): cut at every
 * section boundary, every header and section-table byte changed, words of every section
 * overwritten with 0, -1 and 2^31 - 1, bytes flipped. The rules are in malformed.h. */
#include "malformed.h"

#include <stdlib.h>

static const char *const encodings[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"};

TEST(malformed_tiktoken_files)
{
    size_t total = 0;
    for (size_t e = 0; e < 4; e++) {
        char path[256];
        snprintf(path, sizeof path, "vocabs/%s.tiktoken", encodings[e]);
        size_t n;
        uint8_t *p = (uint8_t *)read_file(path, &n);
        CHECK_MSG(p, "cannot read %s", path);
        tok_open_options o = {.pattern = encodings[e]};
        mut_run r;
        mut_begin(&r, ".tiktoken", path, e + 201);
        bool ok = mut_bytes(&r, p, n, e == 0 ? 16 : 4, e == 0 ? 24 : 6, &o);
        mut_end(&r);
        total += r.loads;
        free(p);
        CHECK(ok);
    }
    printf("  malformed .tiktoken: 4 files, %zu mutants\n", total);
}

/* Lines [0, n) of r50k_base.tiktoken, with line k replaced by rep (NULL: deleted; "\x01":
 * doubled). */
static char *lines_with(char **lines, size_t n, size_t k, const char *rep, size_t *len)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += strlen(lines[i]) + 1;
    cap += (rep ? strlen(rep) : 0) + strlen(lines[k]) + 2;
    char *s = malloc(cap), *w = s;
    for (size_t i = 0; i < n; i++) {
        const char *l = i != k ? lines[i] : rep;
        if (l && !strcmp(l, "\x01")) { /* doubled */
            w += sprintf(w, "%s\n", lines[i]);
            l = lines[i];
        }
        if (l)
            w += sprintf(w, "%s\n", l);
    }
    *len = (size_t)(w - s);
    return s;
}

TEST(malformed_tiktoken_lines)
{
    size_t n;
    char *text = read_file("vocabs/r50k_base.tiktoken", &n);
    CHECK(text);
    enum { N = 3000 };
    char *lines[N];
    char *save = NULL, *l = strtok_r(text, "\n", &save);
    size_t nl = 0;
    for (; l && nl < N; l = strtok_r(NULL, "\n", &save))
        lines[nl++] = l;
    CHECK_EQ(nl, N);
    char *big = malloc(100001);
    memset(big, 'Q', 100000);
    big[100000] = 0;
    char *big_line = malloc(100010);
    snprintf(big_line, 100010, "%s 7", big);
    const char *reps[] = {
        "IQ== -1", "IQ== 4294967296", "IQ== 99999999999999999999", "IQ== 1e3", "IQ== ",
        "IQ== 12a", "IQ==  5", "IQ== 246913402", "IQ== 2999", "IQ== 0", " 5", "@@@ 5",
        "YQ 5", "YQ== 5", "==== 5", "AA== 5", "IQ==", "IQ==\t5", "IQ== 5 6", "", "\r",
        "IQ== 5\r", "\xef\xbb\xbfIQ== 5", NULL /* deleted */, "\x01" /* doubled */, big_line};
    mut_run r;
    mut_begin(&r, ".tiktoken", "r50k_base.tiktoken, lines 1-3000", 301);
    tok_open_options o = {.pattern = "r50k_base"};
    bool ok = true;
    for (size_t i = 0; i < sizeof reps / sizeof *reps && ok; i++) {
        size_t at[] = {0, 1, 1500, N - 1};
        for (size_t k = 0; k < 4 && ok; k++) {
            size_t len;
            char *s = lines_with(lines, N, at[k], reps[i], &len);
            char what[160];
            snprintf(what, sizeof what, "line %zu = \"%.20s\"", at[k] + 1,
                     !reps[i] ? "(deleted)" : !strcmp(reps[i], "\x01") ? "(doubled)" : reps[i]);
            ok = mut_try(&r, what, s, len, &o);
            free(s);
        }
    }
    /* extra special tokens that collide, are empty, or lie far away */
    size_t len;
    char *s = lines_with(lines, N, 0, lines[0], &len);
    static const struct {
        const char *text;
        uint32_t id;
    } sp[] = {{"<|x|>", 5}, {"", 3000}, {"<|x|>", 246913402}, {"<|x|>", UINT32_MAX},
              {"\xff", 3000}, {"IQ==", 3000}};
    for (size_t i = 0; i < sizeof sp / sizeof *sp && ok; i++) {
        const char *texts[2] = {sp[i].text, "<|y|>"};
        uint32_t ids[2] = {sp[i].id, 3001};
        tok_open_options os = {.pattern = "r50k_base", .special_texts = texts,
                               .special_ids = ids, .n_special = 2};
        char what[160];
        snprintf(what, sizeof what, "special token \"%s\" = %u", sp[i].text, sp[i].id);
        ok = mut_try(&r, what, s, len, &os);
    }
    mut_end(&r);
    free(s);
    free(big);
    free(big_line);
    free(text);
    CHECK(ok);
}

/* ---- packs ---- */

typedef struct section {
    uint32_t kind;
    uint64_t off, len;
} section;

static size_t sections(const uint8_t *p, size_t n, section *s, size_t cap)
{
    if (n < 28)
        return 0;
    uint32_t ns;
    memcpy(&ns, p + 24, 4);
    size_t k = 0;
    for (; k < ns && k < cap && 28 + 24 * (k + 1) <= n; k++) {
        memcpy(&s[k].kind, p + 28 + 24 * k, 4);
        memcpy(&s[k].off, p + 28 + 24 * k + 8, 8);
        memcpy(&s[k].len, p + 28 + 24 * k + 16, 8);
    }
    return k;
}

static bool mutate_pack(mut_run *r, const uint8_t *p, size_t n)
{
    char what[160];
    if (!mut_bytes(r, p, n, 8, 32, NULL))
        return false;
    section s[32];
    size_t ns = sections(p, n, s, 32);
    uint8_t *m = malloc(n);
    memcpy(m, p, n);
    /* the header and the section table, byte by byte */
    size_t head = 28 + 24 * ns;
    for (size_t i = 0; i < head && i < n; i++) {
        static const uint8_t to[] = {0x00, 0xff, 0x01};
        for (size_t k = 0; k < 3; k++) {
            uint8_t was = m[i];
            m[i] = k == 2 ? was ^ 0x01 : to[k];
            if (m[i] == was)
                continue;
            snprintf(what, sizeof what, "header byte %zu 0x%02x -> 0x%02x", i, was, m[i]);
            bool ok = mut_try(r, what, m, n, NULL);
            m[i] = was;
            if (!ok)
                return free(m), false;
        }
    }
    for (size_t k = 0; k < ns; k++) {
        if (s[k].off > n || s[k].len > n - s[k].off)
            continue;
        /* cut at the section's start, one byte into it and one byte short of its end */
        size_t cuts[] = {(size_t)s[k].off, (size_t)s[k].off + 1, (size_t)(s[k].off + s[k].len) - 1};
        for (size_t c = 0; c < 3; c++) {
            if (cuts[c] >= n || (c && !s[k].len))
                continue;
            snprintf(what, sizeof what, "cut at byte %zu (section %zu, kind %u)", cuts[c], k,
                     s[k].kind);
            if (!mut_try(r, what, p, cuts[c], NULL))
                return free(m), false;
        }
        /* words of the section overwritten; a few bytes flipped */
        static const uint32_t words[] = {0, UINT32_MAX, 0x7fffffffu};
        size_t nw = (size_t)s[k].len / 4;
        for (size_t t = 0; t < 12 && nw; t++) {
            size_t w = t < 3 ? (t == 0 ? 0 : t == 1 ? nw / 2 : nw - 1) : mut_below(r, nw);
            uint8_t *at = m + s[k].off + 4 * w;
            uint32_t was, v = words[t % 3];
            memcpy(&was, at, 4);
            if (was == v)
                continue;
            memcpy(at, &v, 4);
            snprintf(what, sizeof what, "section %zu (kind %u) word %zu = 0x%08x", k, s[k].kind,
                     w, v);
            bool ok = mut_try(r, what, m, n, NULL);
            memcpy(at, &was, 4);
            if (!ok)
                return free(m), false;
        }
        for (size_t t = 0; t < 6 && s[k].len; t++) {
            size_t b = (size_t)s[k].off + mut_below(r, (size_t)s[k].len);
            uint8_t was = m[b];
            m[b] ^= (uint8_t)(1 + mut_below(r, 255));
            snprintf(what, sizeof what, "section %zu (kind %u) byte %zu flipped", k, s[k].kind,
                     b - (size_t)s[k].off);
            bool ok = mut_try(r, what, m, n, NULL);
            m[b] = was;
            if (!ok)
                return free(m), false;
        }
    }
    free(m);
    return true;
}

TEST(malformed_packs)
{
    static const char *const names[] = {"gen_added_bytelevel", "gen_bpe_llama_like",
                                        "gen_added_wordpiece", "gen_unigram_nfkc",
                                        "gen_added_metaspace", "gpt2", "mistral_7b"};
    const char *dir = getenv("TOK_HF_DIR");
    CHECK_MSG(dir, "TOK_HF_DIR is not set");
    size_t total = 0, packs = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir, names[i]);
        size_t n;
        char *json = read_file(path, &n);
        CHECK_MSG(json, "cannot read %s", path);
        void *pack;
        size_t pn;
        tok_error err;
        tok_status st = tok_pack(json, n, names[i], NULL, 0, &pack, &pn, &err);
        free(json);
        CHECK_MSG(st == TOK_OK, "%s: %s", path, err.message);
        mut_run r;
        char label[600];
        snprintf(label, sizeof label, "pack of %s", path);
        mut_begin(&r, "pack", label, i + 401);
        bool ok = mutate_pack(&r, pack, pn);
        mut_end(&r);
        total += r.loads;
        packs++;
        tok_free(pack);
        CHECK(ok);
    }
    /* a shipped pack, as `make vocabs` built it */
    size_t n;
    uint8_t *p = (uint8_t *)read_file("build/vocabs/mistral-7b.tkz", &n);
    CHECK_MSG(p, "build/vocabs/mistral-7b.tkz is missing (make vocabs)");
    mut_run r;
    mut_begin(&r, "pack", "build/vocabs/mistral-7b.tkz", 499);
    bool ok = mutate_pack(&r, p, n);
    mut_end(&r);
    total += r.loads;
    packs++;
    free(p);
    CHECK(ok);
    printf("  malformed packs: %zu packs, %zu mutants\n", packs, total);
}
