/* Conformance: every tokenizer.json component type and option, one small tokenizer per case,
 * against goldens from npm tokenizers@0.23.2 (tests/conformance/hf_components.mjs). Each golden
 * line holds the text and what HF gave: ids (special added tokens matched), ids_add (with the
 * post-processor), ids_nomatch (special added tokens as plain text), byte offsets of ids_add,
 * decode and decode_skip of ids_add. Both encoders are checked: the fast path for the byte-level
 * BPE family and the general pipeline (hf_use_general_path). */
#include "cli.h"
#include "formats/hf/hf.h"
#include "runner.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdlib.h>

#define DIR_ "tests/golden/hf-components"

static uint64_t utf8_chars(const char *s, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* The JSON string value of "key" in a golden line, decoded (NUL and all); NULL if absent. The
 * generator writes keys in a fixed order and escapes every quote inside values. */
static char *string_field(const char *line, size_t len, const char *key, size_t *out_len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = memmem(line, len, pat, strlen(pat));
    if (!p)
        return NULL;
    const char *s = p + strlen(pat) - 1, *e = s + 1, *end = line + len;
    while (e < end && *e != '"')
        e += *e == '\\' ? 2 : 1;
    char *out;
    size_t col;
    if (e >= end || json_parse_string(s, (size_t)(e + 1 - s), &out, out_len, &col))
        return NULL;
    return out;
}

static bool ids_equal(const cJSON *want, const uint32_t *ids, size_t n)
{
    if (!cJSON_IsArray(want) || (size_t)cJSON_GetArraySize(want) != n)
        return false;
    size_t i = 0;
    for (const cJSON *v = want->child; v; v = v->next, i++)
        if (!cJSON_IsNumber(v) || (uint32_t)v->valuedouble != ids[i])
            return false;
    return true;
}

/* The Node binding reports offsets in characters: each byte maps to the index of the character
 * that contains it, the end of the text to the number of characters. A byte offset inside a
 * character (HF trims "Ġ" off a prefix space aligned to a 3-byte character) therefore reaches the
 * golden rounded down to its character's start; compare in characters, as precisely as the
 * reference can tell. */
static uint64_t char_index(const char *text, size_t len, uint64_t off)
{
    if (off >= len)
        return off == len ? utf8_chars(text, len) : off;
    while (off > 0 && ((unsigned char)text[off] & 0xC0) == 0x80)
        off--;
    return utf8_chars(text, off);
}

static bool spans_equal(const cJSON *want, const tok_span *sp, size_t n, const char *text,
                        size_t len)
{
    if (!cJSON_IsArray(want) || (size_t)cJSON_GetArraySize(want) != n)
        return false;
    size_t i = 0;
    for (const cJSON *v = want->child; v; v = v->next, i++) {
        const cJSON *a = cJSON_GetArrayItem(v, 0), *b = cJSON_GetArrayItem(v, 1);
        if (!a || !b ||
            char_index(text, len, (uint64_t)a->valuedouble) != char_index(text, len, sp[i].start) ||
            char_index(text, len, (uint64_t)b->valuedouble) != char_index(text, len, sp[i].end))
            return false;
    }
    return true;
}

static bool encode_eq(const tok_tokenizer *t, const char *text, size_t len, tok_special_policy pol,
                      unsigned flags, const cJSON *want_ids, const cJSON *want_spans)
{
    tok_encode_options o = {pol, flags};
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t n = 0;
    bool ok = tok_encode_alloc(t, text, len, &o, &ids, want_spans ? &spans : NULL, &n, NULL) == TOK_OK &&
              ids_equal(want_ids, ids, n) && (!want_spans || spans_equal(want_spans, spans, n, text, len));
    tok_free(ids);
    tok_free(spans);
    return ok;
}

static bool decode_eq(const tok_tokenizer *t, const cJSON *ids_json, unsigned flags,
                      const char *want, size_t want_len)
{
    size_t n = (size_t)cJSON_GetArraySize(ids_json), i = 0;
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    for (const cJSON *v = ids_json->child; v; v = v->next)
        ids[i++] = (uint32_t)v->valuedouble;
    char *out = NULL;
    size_t len = 0;
    bool ok = tok_decode_alloc(t, ids, n, flags, &out, &len, NULL) == TOK_OK && want &&
              len == want_len && memcmp(out, want, len) == 0;
    free(ids);
    tok_free(out);
    return ok;
}

/* Compare one case; returns the number of mismatching (line, field) pairs, printing the first. */
static size_t check_case(const char *name, size_t *lines, bool general)
{
    char path[512];
    snprintf(path, sizeof path, DIR_ "/%s.tokenizer.json", name);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (test_open_json(path, &t, &err) != TOK_OK) {
        fprintf(stderr, "  %s: %s\n", name, err.message);
        return 1;
    }
    if (general)
        hf_use_general_path(t);
    snprintf(path, sizeof path, DIR_ "/%s.jsonl", name);
    size_t raw_len, bad = 0;
    char *raw = read_file(path, &raw_len);
    if (!raw) {
        tok_close(t);
        return 1;
    }
    line_iter it = {raw, raw + raw_len, 0};
    const char *line;
    size_t len;
    while (next_line(&it, &line, &len)) {
        ++*lines;
        size_t tl, dl = 0, sl = 0;
        char *text = string_field(line, len, "text", &tl);
        char *dec = string_field(line, len, "decode", &dl);
        char *dsk = string_field(line, len, "decode_skip", &sl);
        cJSON *j = cJSON_ParseWithLength(line, len);
        const char *what = NULL;
        if (!text || !j)
            what = "malformed golden line";
        else if (cJSON_GetObjectItem(j, "error")) {
            size_t n;
            tok_encode_options o = {TOK_SPECIAL_ALLOW, 0};
            if (tok_count(t, text, tl, &o, &n, NULL) == TOK_OK)
                what = "HF fails on this text, tokscope does not";
        } else {
            const cJSON *ids = cJSON_GetObjectItem(j, "ids"), *add = cJSON_GetObjectItem(j, "ids_add");
            if (!encode_eq(t, text, tl, TOK_SPECIAL_ALLOW, 0, ids, NULL))
                what = "ids";
            else if (!encode_eq(t, text, tl, TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL, add,
                                cJSON_GetObjectItem(j, "offsets")))
                what = "ids_add or offsets";
            else if (!encode_eq(t, text, tl, TOK_SPECIAL_ORDINARY, 0,
                                cJSON_GetObjectItem(j, "ids_nomatch"), NULL))
                what = "ids_nomatch";
            else if (!decode_eq(t, add, 0, dec, dl))
                what = "decode";
            else if (!decode_eq(t, add, TOK_DECODE_SKIP_SPECIAL, dsk, sl))
                what = "decode_skip";
        }
        if (what && bad++ < 3)
            fprintf(stderr, "  %s line %zu: %s differs: %.160s\n", name, it.lineno, what, line);
        cJSON_Delete(j);
        free(text);
        free(dec);
        free(dsk);
    }
    free(raw);
    tok_close(t);
    return bad;
}

static void check_all(bool general)
{
    size_t raw_len;
    char *raw = read_file(DIR_ "/MANIFEST", &raw_len);
    CHECK_MSG(raw, "cannot read " DIR_ "/MANIFEST");
    line_iter it = {raw, raw + raw_len, 0};
    const char *line;
    size_t len, cases = 0, bad_cases = 0, bad = 0, lines = 0;
    while (next_line(&it, &line, &len)) {
        if (!len || line[0] == '#')
            continue;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)len, line);
        size_t b = check_case(name, &lines, general);
        cases++;
        bad += b;
        bad_cases += b != 0;
    }
    free(raw);
    CHECK(cases > 80 && lines > 3000);
    CHECK_MSG(bad == 0, "%zu of %zu lines differ, in %zu of %zu cases", bad, lines, bad_cases, cases);
}

TEST(hf_components_match_hf_tokenizers) { check_all(false); }

TEST(hf_components_match_on_the_general_path)
{
    check_all(true);
}

/* One loaded tokenizer.json shared by threads: the batch call on 4 threads gives, item by item,
 * what one thread gives (the scratch state is per call, the pipeline read-only). */
TEST(hf_batch_on_threads_matches_sequential)
{
    static const char *const names[] = {"added_metaspace", "norm_bert_default", "pre_bytelevel_prefix",
                                        "model_bpe_byte_fallback", "post_roberta_trim"};
    for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
        char path[256];
        snprintf(path, sizeof path, DIR_ "/%s.tokenizer.json", names[c]);
        tok_tokenizer *t = NULL;
        CHECK_EQ(test_open_json(path, &t, NULL), TOK_OK);
        snprintf(path, sizeof path, DIR_ "/%s.jsonl", names[c]);
        size_t raw_len, n = 0;
        char *raw = read_file(path, &raw_len);
        CHECK(raw);
        tok_text texts[512];
        line_iter it = {raw, raw + raw_len, 0};
        const char *line;
        size_t len;
        while (n < 512 && next_line(&it, &line, &len)) {
            size_t tl;
            char *s = string_field(line, len, "text", &tl);
            if (s)
                texts[n++] = (tok_text){s, tl};
        }
        /* every text four times over, so the threads really share the work */
        tok_text all[2048];
        size_t m = 0;
        for (int r = 0; r < 4; r++)
            for (size_t i = 0; i < n; i++)
                all[m++] = texts[i];
        tok_batch_item *res = calloc(m, sizeof *res);
        tok_encode_options o = {TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL};
        tok_status st = tok_encode_batch(t, all, m, &o, 1, 4, res, NULL);
        size_t bad = 0;
        for (size_t i = 0; i < m; i++) {
            uint32_t *ids = NULL;
            tok_span *sp = NULL;
            size_t k = 0;
            tok_status s1 = tok_encode_alloc(t, all[i].text, all[i].len, &o, &ids, &sp, &k, NULL);
            if (s1 != res[i].status || k != res[i].n ||
                (k && (memcmp(ids, res[i].ids, k * sizeof *ids) || memcmp(sp, res[i].spans, k * sizeof *sp))))
                bad++;
            tok_free(ids);
            tok_free(sp);
        }
        tok_batch_free(res, m);
        free(res);
        for (size_t i = 0; i < n; i++)
            free((char *)texts[i].text);
        free(raw);
        tok_close(t);
        CHECK_MSG(st == TOK_OK && bad == 0, "%s: %zu of %zu batch items differ", names[c], bad, m);
    }
}
