/* Malformed files at scale: every reference tokenizer.json (tests/golden/hf/MANIFEST, in
 * TOK_HF_DIR), mutated -- truncated, bytes flipped, ranges deleted and doubled; for the files
 * small enough to mutate node by node, every value of the configuration (and the first
 * entries of vocab, merges and added_tokens) replaced by each wrong type, by huge and
 * negative numbers, by a lone surrogate and by 100,000 levels of nesting, removed, and given a
 * duplicate key -- and whole documents of deep nesting. The rules are in malformed.h. */
#include "goldens.h"
#include "malformed.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>

#define NEST 100000

static const char *const values[] = {
    "null", "true", "0", "-1", "0.5", "1e308", "1e400", "4294967296", "246913402",
    "18446744073709551616", "-9223372036854775809", "\"\"", "\"x\"", "\"\\ud800\"", "[]",
    "{}", "[[[[[]]]]]", "{\"type\":\"Nope\"}", "[\"a b c\"]", NULL /* NEST levels */,
};
#define N_VALUES (sizeof values / sizeof *values)

static char *nesting(char open, char close)
{
    char *s = malloc(2 * NEST + 1);
    memset(s, open, NEST);
    memset(s + NEST, close, NEST);
    s[2 * NEST] = 0;
    return s;
}

/* A node is named by the child indices that lead to it from the root. */
typedef struct node {
    int depth;
    int idx[8];
} node;

typedef struct nodes {
    node *v;
    size_t n, cap;
} nodes;

static void collect(const cJSON *it, const char *key, node at, nodes *out)
{
    if (at.depth > 0) {
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 64;
            out->v = realloc(out->v, out->cap * sizeof *out->v);
        }
        out->v[out->n++] = at;
    }
    if (at.depth == 8 || !(cJSON_IsArray(it) || cJSON_IsObject(it)))
        return;
    /* The big tables: their first entries stand for the rest. */
    bool table = key && (!strcmp(key, "vocab") || !strcmp(key, "merges") ||
                         !strcmp(key, "added_tokens") || !strcmp(key, "precompiled_charsmap"));
    int i = 0;
    for (const cJSON *c = it->child; c; c = c->next, i++) {
        if (table && i == 3)
            break;
        node n = at;
        n.idx[n.depth++] = i;
        collect(c, c->string ? c->string : key, n, out);
    }
}

static cJSON *resolve(cJSON *root, const node *n, cJSON **parent)
{
    cJSON *p = NULL, *it = root;
    for (int d = 0; d < n->depth && it; d++) {
        p = it;
        it = cJSON_GetArrayItem(it, n->idx[d]);
    }
    *parent = p;
    return it;
}

static void describe(const cJSON *root, const node *n, char *buf, size_t cap)
{
    size_t k = 0;
    const cJSON *it = root;
    buf[0] = 0;
    for (int d = 0; d < n->depth && it && k < cap - 24; d++) {
        it = cJSON_GetArrayItem(it, n->idx[d]);
        if (it && it->string)
            k += (size_t)snprintf(buf + k, cap - k, "%s%.40s", d ? "." : "", it->string);
        else
            k += (size_t)snprintf(buf + k, cap - k, "[%d]", n->idx[d]);
    }
}

/* The mutations work on a copy of the document (cJSON 1.7.15 loses an item put back with
 * cJSON_InsertItemInArray after cJSON_DetachItemViaPointer). */

/* The node replaced by raw JSON text. */
static char *with_value(const cJSON *root, const node *n, const char *raw)
{
    cJSON *doc = cJSON_Duplicate(root, 1), *parent, *it = resolve(doc, n, &parent);
    cJSON *rep = cJSON_CreateRaw(raw);
    if (it->string)
        rep->string = strdup(it->string);
    cJSON_ReplaceItemViaPointer(parent, it, rep);
    char *s = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return s;
}

static char *without(const cJSON *root, const node *n)
{
    cJSON *doc = cJSON_Duplicate(root, 1), *parent, *it = resolve(doc, n, &parent);
    cJSON_Delete(cJSON_DetachItemViaPointer(parent, it));
    char *s = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return s;
}

/* The object gets its first key again, with another value, at the end. */
static char *duplicate_key(const cJSON *root, const node *n, const char *raw)
{
    cJSON *doc = cJSON_Duplicate(root, 1), *parent, *obj = resolve(doc, n, &parent);
    char *s = NULL;
    if (cJSON_IsObject(obj) && obj->child && obj->child->string) {
        cJSON_AddItemToObject(obj, obj->child->string, cJSON_CreateRaw(raw));
        s = cJSON_PrintUnformatted(doc);
    }
    cJSON_Delete(doc);
    return s;
}

static bool try_text(mut_run *r, const char *what, char *s)
{
    bool ok = !s || mut_try(r, what, s, strlen(s), NULL);
    free(s);
    return ok;
}

/* Node by node: all the values on small files, a sample on larger ones. */
static bool mutate_nodes(mut_run *r, const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root)
        return true; /* the reference file itself is checked by test_hf */
    nodes ns = {0};
    collect(root, NULL, (node){0}, &ns);
    char *nest = nesting('[', ']');
    size_t per_node = len < 200000 ? N_VALUES : len < 1200000 ? 4 : 2;
    bool ok = true;
    for (size_t i = 0; i < ns.n && ok; i++) {
        char path[200], what[320];
        describe(root, &ns.v[i], path, sizeof path);
        for (size_t k = 0; k < per_node && ok; k++) {
            size_t v = per_node == N_VALUES ? k : mut_below(r, N_VALUES);
            const char *raw = values[v] ? values[v] : nest;
            snprintf(what, sizeof what, "%s = %.40s", path, values[v] ? raw : "100000 levels");
            ok = try_text(r, what, with_value(root, &ns.v[i], raw));
        }
        if (ok) {
            snprintf(what, sizeof what, "%s removed", path);
            ok = try_text(r, what, without(root, &ns.v[i]));
        }
        if (ok && ns.v[i].depth <= 3) {
            snprintf(what, sizeof what, "%s with its first key twice", path);
            ok = try_text(r, what, duplicate_key(root, &ns.v[i], "{\"type\":\"WordLevel\"}"));
        }
    }
    if (ok)
        ok = try_text(r, "the root with its first key twice",
                      duplicate_key(root, &(node){0}, "null"));
    free(nest);
    free(ns.v);
    cJSON_Delete(root);
    return ok;
}

/* Whole documents no tokenizer file looks like. */
static bool whole_documents(mut_run *r)
{
    char *s;
    if (!try_text(r, "100000 levels of [", nesting('[', ']')))
        return false;
    s = malloc(6 * NEST + 2);
    for (size_t i = 0; i < NEST; i++)
        memcpy(s + 5 * i, "{\"a\":", 5);
    memset(s + 5 * NEST, '}', NEST);
    s[6 * NEST] = 0;
    if (!try_text(r, "100000 levels of {\"a\":", s))
        return false;
    s = malloc(NEST + 1);
    memset(s, '[', NEST);
    s[NEST] = 0;
    if (!try_text(r, "100000 unclosed [", s))
        return false;
    const char *small[] = {"", " \n\t ", "{}", "[]", "null", "1e999999", "\"\\u0000\"",
                           "{\"model\":null}", "{\"model\":{\"type\":\"BPE\"}}",
                           ("{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":246913402},"
                            "\"unk_token\":\"a\"}}"),
                           "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"a\":1},\"merges\":[]}}",
                           "{\"model\":{\"type\":\"Unigram\",\"vocab\":[[\"a\",1e400]]}}"};
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        char what[120];
        snprintf(what, sizeof what, "the document %.60s", small[i]);
        if (!try_text(r, what, strdup(small[i])))
            return false;
    }
    return true;
}

/* The files of TOK_HF_DIR, each once (several MANIFEST names share a file). */
typedef struct file_list {
    char **path;
    size_t n;
} file_list;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static file_list hf_files(void)
{
    file_list l = {0};
    const char *dir = getenv("TOK_HF_DIR");
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return l;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s/tokenizer.json", dir, e->d_name);
        FILE *f = fopen(p, "rb");
        if (!f)
            continue;
        fclose(f);
        l.path = realloc(l.path, (l.n + 1) * sizeof *l.path);
        l.path[l.n++] = strdup(p);
    }
    closedir(d);
    qsort(l.path, l.n, sizeof *l.path, by_name);
    return l;
}

TEST(malformed_tokenizer_json_files)
{
    file_list files = hf_files();
    CHECK_MSG(files.n >= 30, "TOK_HF_DIR holds %zu tokenizer.json files (make hf-vocabs)",
              files.n);
    char **seen = calloc(files.n, sizeof *seen);
    size_t *seen_len = calloc(files.n, sizeof *seen_len), n_seen = 0, total = 0;
    bool ok = true;
    for (size_t i = 0; i < files.n && ok; i++) {
        size_t len;
        char *text = read_file(files.path[i], &len);
        CHECK_MSG(text, "cannot read %s", files.path[i]);
        bool dup = false;
        for (size_t k = 0; k < n_seen && !dup; k++)
            dup = seen_len[k] == len && !memcmp(seen[k], text, len);
        if (dup) {
            free(text);
            continue;
        }
        seen[n_seen] = text;
        seen_len[n_seen++] = len;
        mut_run r;
        mut_begin(&r, "tokenizer.json", files.path[i], i + 1);
        unsigned cut = len < 1000000 ? 24 : len < 4000000 ? 6 : 2;
        unsigned flip = len < 1000000 ? 48 : len < 4000000 ? 8 : 3;
        if (golden_stride() > 1 && len >= 4000000) /* make asan: a large file loads for seconds */
            cut = 1, flip = 2;
        ok = mut_bytes(&r, (const uint8_t *)text, len, cut, flip, NULL);
        if (ok && len < 2500000)
            ok = mutate_nodes(&r, text, len);
        mut_end(&r);
        total += r.loads;
    }
    if (ok) {
        mut_run r;
        mut_begin(&r, "tokenizer.json", "(whole documents)", 7);
        ok = whole_documents(&r);
        mut_end(&r);
        total += r.loads;
    }
    printf("  malformed tokenizer.json: %zu distinct files, %zu mutants\n", n_seen, total);
    for (size_t k = 0; k < n_seen; k++)
        free(seen[k]);
    free(seen);
    free(seen_len);
    for (size_t i = 0; i < files.n; i++)
        free(files.path[i]);
    free(files.path);
}
