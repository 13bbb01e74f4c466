/* goldens: the tokenizers with goldens and their golden files (goldens.h). */
#include "goldens.h"
#include "cli.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(((const golden_set *)a)->name, ((const golden_set *)b)->name);
}

static golden_set *add_set(golden_set **v, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        golden_set *nv = realloc(*v, *cap * sizeof *nv);
        if (!nv)
            abort();
        *v = nv;
    }
    golden_set *s = &(*v)[(*n)++];
    memset(s, 0, sizeof *s);
    return s;
}

static void add_file(golden_set *s, const char *path, const char *field, const char *corpus,
                     tok_encode_options opts)
{
    if (s->n_files == GOLDEN_MAX_FILES)
        abort();
    golden_file *f = &s->files[s->n_files++];
    snprintf(f->path, sizeof f->path, "%s", path);
    f->field = field;
    snprintf(f->corpus, sizeof f->corpus, "%s", corpus);
    f->opts = opts;
}

static bool readable(const char *path) { return access(path, R_OK) == 0; }

static const char *const corpora[] = {"real", "stress"};

static void tiktoken_sets(golden_set **v, size_t *n, size_t *cap)
{
    for (size_t b = 0; b < tok_builtin_count(); b++) {
        const char *enc = tok_builtin_name(b);
        char probe[512];
        snprintf(probe, sizeof probe, "tests/golden/tiktoken/%s.real.allow.jsonl", enc);
        if (!readable(probe))
            continue;
        golden_set *s = add_set(v, n, cap);
        snprintf(s->name, sizeof s->name, "tiktoken/%s", enc);
        snprintf(s->open, sizeof s->open, "%s", enc);
        for (size_t c = 0; c < 2; c++) {
            char path[512], corpus[512];
            snprintf(corpus, sizeof corpus, "tests/golden/corpus/%s.jsonl", corpora[c]);
            snprintf(path, sizeof path, "tests/golden/tiktoken/%s.%s.allow.jsonl", enc,
                     corpora[c]);
            add_file(s, path, NULL, corpus, (tok_encode_options){TOK_SPECIAL_ALLOW, 0});
            snprintf(path, sizeof path, "tests/golden/tiktoken/%s.%s.ordinary.jsonl", enc,
                     corpora[c]);
            add_file(s, path, NULL, corpus, (tok_encode_options){TOK_SPECIAL_ORDINARY, 0});
        }
    }
}

static void hf_sets(golden_set **v, size_t *n, size_t *cap)
{
    const char *hf_dir = test_hf_dir();
    DIR *d = opendir("tests/golden/hf");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char probe[512];
        snprintf(probe, sizeof probe, "tests/golden/hf/%s/specials.jsonl.gz", de->d_name);
        if (de->d_name[0] == '.' || !readable(probe))
            continue;
        golden_set *s = add_set(v, n, cap);
        snprintf(s->name, sizeof s->name, "hf/%s", de->d_name);
        snprintf(s->open, sizeof s->open, "%s/%s/tokenizer.json", hf_dir, de->d_name);
        if (!readable(s->open))
            snprintf(s->open, sizeof s->open, "tests/golden/hf/tokenizers/%s/tokenizer.json",
                     de->d_name);
        const tok_encode_options add = {TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL};
        for (size_t c = 0; c < 2; c++) {
            char path[512], corpus[512];
            snprintf(path, sizeof path, "tests/golden/hf/%s/%s.jsonl.gz", de->d_name,
                     corpora[c]);
            snprintf(corpus, sizeof corpus, "tests/golden/corpus/%s.jsonl", corpora[c]);
            if (readable(path))
                add_file(s, path, "ids_add", corpus, add);
        }
        char corpus[512];
        snprintf(corpus, sizeof corpus, "tests/golden/hf/%s/specials.jsonl", de->d_name);
        add_file(s, probe, "ids_add", corpus, add);
    }
    if (d)
        closedir(d);
}

static void hf_component_sets(golden_set **v, size_t *n, size_t *cap)
{
    DIR *d = opendir("tests/golden/hf-components");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        const char *suffix = ".tokenizer.json";
        size_t sl = strlen(suffix);
        if (l <= sl || strcmp(de->d_name + l - sl, suffix) != 0)
            continue;
        golden_set *s = add_set(v, n, cap);
        snprintf(s->name, sizeof s->name, "hf-components/%.*s", (int)(l - sl), de->d_name);
        snprintf(s->open, sizeof s->open, "tests/golden/hf-components/%s", de->d_name);
        char path[512];
        snprintf(path, sizeof path, "tests/golden/hf-components/%.*s.jsonl", (int)(l - sl),
                 de->d_name);
        add_file(s, path, "ids_add", "", (tok_encode_options){TOK_SPECIAL_ALLOW,
                                                              TOK_ENCODE_ADD_SPECIAL});
    }
    if (d)
        closedir(d);
}

static void spm_sets(golden_set **v, size_t *n, size_t *cap)
{
    static const char *const cn[] = {"real", "stress", "botchan", "stress_spm", "invalid_utf8"};
    static const char *const cp[] = {"tests/golden/corpus/real.jsonl",
                                     "tests/golden/corpus/stress.jsonl",
                                     "tests/golden/spm/botchan.jsonl",
                                     "tests/golden/spm/stress_spm.jsonl",
                                     "hex:tests/golden/spm/invalid_utf8.hex"};
    DIR *d = opendir("tests/golden/spm");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char probe[512], model[512];
        snprintf(probe, sizeof probe, "tests/golden/spm/%s/real.jsonl.gz", de->d_name);
        if (de->d_name[0] == '.' || !readable(probe))
            continue;
        snprintf(model, sizeof model, "tests/golden/spm/models/%s.model", de->d_name);
        if (!readable(model))
            snprintf(model, sizeof model, "build/spm-npm-models/%s.model", de->d_name);
        golden_set *s = add_set(v, n, cap);
        snprintf(s->name, sizeof s->name, "spm/%s", de->d_name);
        snprintf(s->open, sizeof s->open, "%s", model);
        for (size_t c = 0; c < 5; c++) {
            char path[512];
            snprintf(path, sizeof path, "tests/golden/spm/%s/%s.jsonl.gz", de->d_name, cn[c]);
            add_file(s, path, "ids", cp[c],
                     (tok_encode_options){TOK_SPECIAL_ORDINARY, c == 4 ? TOK_ENCODE_LOSSY_UTF8 : 0});
        }
    }
    if (d)
        closedir(d);
}

golden_set *golden_sets(const char *family, size_t *n)
{
    golden_set *v = NULL;
    size_t cap = 0;
    *n = 0;
    if (!strcmp(family, "tiktoken"))
        tiktoken_sets(&v, n, &cap);
    else if (!strcmp(family, "hf"))
        hf_sets(&v, n, &cap);
    else if (!strcmp(family, "hf-components"))
        hf_component_sets(&v, n, &cap);
    else if (!strcmp(family, "spm"))
        spm_sets(&v, n, &cap);
    if (!*n)
        test_fail(__FILE__, __LINE__, "no goldens found for %s", family);
    else
        qsort(v, *n, sizeof *v, by_name);
    return v;
}

/* ---- reading a golden file ---- */

/* The numbers of the JSON array starting at p ('['); false if it is not one. */
static bool parse_array(const char *p, const char *end, uint32_t **ids, size_t *n)
{
    size_t cap = 16;
    *n = 0;
    *ids = malloc(cap * sizeof **ids);
    if (p >= end || *p != '[')
        return false;
    p++;
    for (;;) {
        while (p < end && (*p == ' ' || *p == ','))
            p++;
        if (p < end && *p == ']')
            return true;
        if (p >= end || *p < '0' || *p > '9')
            return false;
        uint64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9')
            v = v * 10 + (uint64_t)(*p++ - '0');
        if (*n == cap) {
            cap *= 2;
            *ids = realloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = (uint32_t)v;
    }
}

/* The "text" field of a hf-components line. */
static bool text_field(const char *line, size_t len, tok_text *out)
{
    const char *key = "{\"text\":\"";
    if (len < strlen(key) || memcmp(line, key, strlen(key)) != 0)
        return false;
    const char *s = line + strlen(key) - 1, *e = s + 1, *end = line + len;
    while (e < end && *e != '"')
        e += *e == '\\' ? 2 : 1;
    char *t;
    size_t tl, col;
    if (e >= end || json_parse_string(s, (size_t)(e + 1 - s), &t, &tl, &col))
        return false;
    *out = (tok_text){t, tl};
    return true;
}

static bool load_hex_lines(const char *path, text_lines *c)
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

bool golden_load(const golden_file *f, golden_lines *out)
{
    memset(out, 0, sizeof *out);
    size_t glen;
    size_t pl = strlen(f->path);
    char *g = pl > 3 && !strcmp(f->path + pl - 3, ".gz") ? read_gz(f->path, &glen)
                                                         : read_file(f->path, &glen);
    if (!g) {
        test_fail(__FILE__, __LINE__, "%s is missing or unreadable", f->path);
        return false;
    }
    text_lines c = {0};
    bool inline_text = !f->corpus[0];
    if (!inline_text && !(strncmp(f->corpus, "hex:", 4) == 0 ? load_hex_lines(f->corpus + 4, &c)
                                                             : load_text_lines(f->corpus, &c))) {
        free(g);
        test_fail(__FILE__, __LINE__, "%s is missing or malformed", f->corpus);
        return false;
    }
    size_t cap = 0;
    line_iter it = {g, g + glen, 0};
    const char *line;
    size_t ll;
    bool ok = true;
    while (ok && next_line(&it, &line, &ll)) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 256;
            out->ids = realloc(out->ids, cap * sizeof *out->ids);
            out->n_ids = realloc(out->n_ids, cap * sizeof *out->n_ids);
            out->text = realloc(out->text, cap * sizeof *out->text);
        }
        size_t i = out->n++;
        out->ids[i] = NULL;
        out->n_ids[i] = 0;
        out->text[i] = (tok_text){NULL, 0};
        if (inline_text) {
            ok = text_field(line, ll, &out->text[i]);
        } else if (i < c.n) {
            out->text[i] = c.v[i];
            c.v[i].text = NULL;
        } else {
            ok = false;
        }
        const char *p = line;
        if (f->field) {
            char key[64];
            snprintf(key, sizeof key, "\"%s\":[", f->field);
            p = memmem(line, ll, key, strlen(key));
            if (!p) { /* an error line: the reference failed */
                ok = ok && memmem(line, ll, "\"error\"", 7) != NULL;
                continue;
            }
            p += strlen(key) - 1;
        } else if (ll && line[0] == '{') {
            ok = ok && memmem(line, ll, "\"error\"", 7) != NULL;
            continue;
        }
        ok = ok && parse_array(p, line + ll, &out->ids[i], &out->n_ids[i]);
    }
    if (ok && !inline_text && out->n != c.n)
        ok = false;
    if (!ok)
        test_fail(__FILE__, __LINE__, "%s: malformed at line %zu (or its corpus %s differs in "
                  "length)", f->path, out->n, f->corpus);
    text_lines_free(&c);
    free(g);
    if (!ok)
        golden_lines_free(out);
    return ok;
}

void golden_lines_free(golden_lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->ids[i]);
        free((char *)l->text[i].text);
    }
    free(l->ids);
    free(l->n_ids);
    free(l->text);
    memset(l, 0, sizeof *l);
}

size_t golden_stride(void)
{
    const char *e = getenv("TOK_GOLDEN_STRIDE");
    long v = e ? strtol(e, NULL, 10) : 1;
    return v >= 1 && v <= 1000 ? (size_t)v : 1;
}

const char *golden_stride_words(void)
{
    static char buf[48];
    size_t k = golden_stride();
    if (k == 1)
        return "every golden line";
    snprintf(buf, sizeof buf, "every %zu%s golden line", k,
             k % 10 == 1 && k % 100 != 11 ? "st" : k % 10 == 2 && k % 100 != 12 ? "nd"
             : k % 10 == 3 && k % 100 != 13 ? "rd" : "th");
    return buf;
}
