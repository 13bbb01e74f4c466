/* test_template.c -- lib/template, construct by construct.
 *
 * jinja_cases: every case of tests/golden/chat-templates/jinja_cases.jsonl (lexer whitespace
 * rules, literals, operators, scoping, macros, every filter, test and method, parse errors),
 * rendered here and compared with what Debian's jinja2 gave in transformers' environment
 * (tests/conformance/jinja_cases.py wrote the expectations; this test never regenerates them).
 * The rest: the API's own contract -- error positions, context JSON errors, limits on hostile
 * templates, concurrent renders of one compiled template. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner.h"
#include "template/template.h"

static const char *raw_member(const char *s, size_t n, const char *key, size_t *len);

/* The raw JSON text of a top-level member (so numbers keep their int/float spelling). */
static size_t skip_json(const char *s, size_t i, size_t n)
{
    if (s[i] == '"') {
        for (i++; i < n && s[i] != '"'; i++)
            if (s[i] == '\\')
                i++;
        return i + 1;
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            if (s[i] == '"') {
                i = skip_json(s, i, n) - 1;
                continue;
            }
            if (s[i] == '{' || s[i] == '[')
                depth++;
            else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
                return i + 1;
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i;
}

static const char *raw_member(const char *s, size_t n, const char *key, size_t *len)
{
    size_t kl = strlen(key), i = 1;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ','))
            i++;
        if (i >= n || s[i] != '"')
            return NULL;
        size_t ke = skip_json(s, i, n);
        bool hit = ke - i - 2 == kl && memcmp(s + i + 1, key, kl) == 0;
        i = ke;
        while (i < n && (s[i] == ' ' || s[i] == ':'))
            i++;
        size_t ve = skip_json(s, i, n);
        if (hit) {
            *len = ve - i;
            return s + i;
        }
        i = ve;
    }
    return NULL;
}

static struct tm frozen_now(void)
{
    struct tm t = {.tm_year = 125, .tm_mon = 5, .tm_mday = 15, .tm_hour = 12};
    time_t secs = timegm(&t);
    gmtime_r(&secs, &t);
    return t;
}

TEST(template_jinja_cases)
{
    size_t len;
    char *file = read_file("tests/golden/chat-templates/jinja_cases.jsonl", &len);
    CHECK_MSG(file, "tests/golden/chat-templates/jinja_cases.jsonl is missing");
    struct tm now = frozen_now();
    tmpl_render_options opt = {.now = &now};
    size_t cases = 0, bad = 0;
    char *line = file, *end = file + len;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        cJSON *j = cJSON_ParseWithLength(line, ll);
        CHECK_MSG(j, "jinja_cases.jsonl: line %zu is not JSON", cases + 1);
        cases++;
        const char *name = cJSON_GetObjectItemCaseSensitive(j, "name")->valuestring;
        const char *src = cJSON_GetObjectItemCaseSensitive(j, "template")->valuestring;
        const cJSON *expect = cJSON_GetObjectItemCaseSensitive(j, "expect");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(expect, "text");
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(expect, "error");
        bool unsupported = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "unsupported"));
        size_t clen = 0;
        const char *ctx = raw_member(line, ll, "context", &clen);
        CHECK_MSG(ctx, "%s: no context", name);

        tmpl *t = NULL;
        tmpl_error err;
        char *out = NULL;
        size_t out_len = 0;
        tmpl_status st = tmpl_compile(src, strlen(src), &t, &err);
        if (st == TMPL_OK)
            st = tmpl_render(t, ctx, clen, &opt, &out, &out_len, &err);
        tmpl_free(t);

        char why[1600] = "";
        if (unsupported) {
            if (st != TMPL_ERR_UNSUPPORTED)
                snprintf(why, sizeof why, "expected TMPL_ERR_UNSUPPORTED, got %s: %.300s", tmpl_status_name(st), st == TMPL_OK ? out : err.message);
        } else if (cJSON_IsString(text)) {
            if (st != TMPL_OK)
                snprintf(why, sizeof why, "expected \"%.200s\", got %s at %d:%d: %.300s", text->valuestring, tmpl_status_name(st), err.line, err.column, err.message);
            else if (out_len != strlen(text->valuestring) || memcmp(out, text->valuestring, out_len) != 0)
                snprintf(why, sizeof why, "got \"%.500s\"\n      expected \"%.500s\"", out, text->valuestring);
        } else {
            const char *type = cJSON_GetObjectItemCaseSensitive(error, "type")->valuestring;
            const char *msg = cJSON_GetObjectItemCaseSensitive(error, "message")->valuestring;
            const char *phase = cJSON_GetObjectItemCaseSensitive(error, "phase")->valuestring;
            tmpl_status want = strcmp(phase, "parse") == 0 ? TMPL_ERR_SYNTAX
                               : strcmp(type, "TemplateError") == 0 ? TMPL_ERR_RAISE
                                                                     : TMPL_ERR_RUNTIME;
            if (st != want)
                snprintf(why, sizeof why, "expected %s (%s: %.200s), got %s: %.300s", tmpl_status_name(want), type, msg,
                         tmpl_status_name(st), st == TMPL_OK ? out : err.message);
            else if (want == TMPL_ERR_RAISE && strcmp(err.message, msg) != 0)
                snprintf(why, sizeof why, "raised \"%s\", expected \"%s\"", err.message, msg);
        }
        if (why[0]) {
            bad++;
            fprintf(stderr, "  jinja case %s: %s\n", name, why);
        }
        free(out);
        cJSON_Delete(j);
        line = nl ? nl + 1 : end;
    }
    free(file);
    CHECK_MSG(cases > 200, "only %zu cases", cases);
    CHECK_MSG(bad == 0, "%zu of %zu Jinja cases differ", bad, cases);
}

/* ---- the API's contract ---- */

static tmpl_status render_str(const char *src, const char *ctx, const tmpl_limits *lim, char **out, tmpl_error *err)
{
    tmpl *t = NULL;
    *out = NULL;
    tmpl_status st = tmpl_compile(src, strlen(src), &t, err);
    if (st != TMPL_OK)
        return st;
    tmpl_render_options opt = {.limits = lim};
    st = tmpl_render(t, ctx, strlen(ctx), &opt, out, NULL, err);
    tmpl_free(t);
    return st;
}

TEST(template_error_positions)
{
    tmpl *t = NULL;
    tmpl_error err;
    CHECK_EQ(tmpl_compile("line one\n{{ a +* b }}", 21, &t, &err), TMPL_ERR_SYNTAX);
    CHECK(t == NULL);
    CHECK_EQ(err.line, 2);
    CHECK_EQ(err.column, 7);
    /* a runtime error names the expression's position */
    char *out;
    CHECK_EQ(render_str("ok\n  {{ x.y.z }}", "{\"x\": {}}", NULL, &out, &err), TMPL_ERR_RUNTIME);
    CHECK_EQ(err.line, 2);
    CHECK(err.column >= 6);
    CHECK(strstr(err.message, "'dict object' has no attribute 'y'") != NULL);
    /* raise_exception: the template's own message, its position */
    CHECK_EQ(render_str("{% if true %}\n{{ raise_exception('bad ' ~ 1) }}{% endif %}", "{}", NULL, &out, &err), TMPL_ERR_RAISE);
    CHECK_STR(err.message, "bad 1");
    CHECK_EQ(err.line, 2);
    /* an unsupported construct is refused at its position, at compile time when it can be */
    CHECK_EQ(tmpl_compile("a\n{{ x | urlize }}", 18, &t, &err), TMPL_ERR_UNSUPPORTED);
    CHECK_EQ(err.line, 2);
    CHECK(strstr(err.message, "urlize") != NULL);
    CHECK_EQ(tmpl_compile("{% extends 'base' %}", 20, &t, &err), TMPL_ERR_UNSUPPORTED);
    /* invalid UTF-8 in the template */
    CHECK_EQ(tmpl_compile("ok\n\xff", 4, &t, &err), TMPL_ERR_SYNTAX);
    CHECK_EQ(err.line, 2);
    tmpl_free(NULL);
}

TEST(template_context_errors)
{
    char *out;
    tmpl_error err;
    CHECK_EQ(render_str("x", "{\"a\": [1, 2,]}", NULL, &out, &err), TMPL_ERR_CONTEXT);
    CHECK_EQ(err.line, 1);
    CHECK_EQ(err.column, 13);
    CHECK_EQ(render_str("x", "[1]", NULL, &out, &err), TMPL_ERR_CONTEXT);
    CHECK_EQ(render_str("x", "{\"a\": \"\\ud800\"}", NULL, &out, &err), TMPL_ERR_CONTEXT);
    CHECK_EQ(render_str("x", "{\"a\": 123456789012345678901234567890}", NULL, &out, &err), TMPL_ERR_CONTEXT);
    /* a NULL context is an empty one */
    tmpl *t;
    CHECK_EQ(tmpl_compile("[{{ a }}]", 9, &t, &err), TMPL_OK);
    size_t n;
    CHECK_EQ(tmpl_render(t, NULL, 0, NULL, &out, &n, &err), TMPL_OK);
    CHECK_STR(out, "[]");
    CHECK_EQ(n, 2);
    free(out);
    /* duplicate keys: the last value wins, as json.loads gives */
    CHECK_EQ(tmpl_render(t, "{\"a\": 1, \"a\": 2}", 16, NULL, &out, &n, &err), TMPL_OK);
    CHECK_STR(out, "[2]");
    free(out);
    tmpl_free(t);
}

TEST(template_limits)
{
    char *out;
    tmpl_error err;
    tmpl_limits lim = {.max_steps = 1000};
    /* a loop past the step limit */
    CHECK_EQ(render_str("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}", "{}", &lim, &out, &err), TMPL_ERR_LIMIT);
    /* unbounded macro recursion */
    CHECK_EQ(render_str("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "{}", NULL, &out, &err), TMPL_ERR_LIMIT);
    /* output limit */
    tmpl_limits small = {.max_output = 1000};
    CHECK_EQ(render_str("{% for i in range(2000) %}x{% endfor %}", "{}", &small, &out, &err), TMPL_ERR_LIMIT);
    /* string growth through a namespace: bounded by the memory limit, not quadratic forever */
    tmpl_limits mem = {.max_memory = 8 << 20};
    CHECK_EQ(render_str("{% set ns = namespace(s='x') %}{% for i in range(100000) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "{}", &mem, &out, &err), TMPL_ERR_LIMIT);
    /* string repetition past the output limit is refused before it is built */
    CHECK_EQ(render_str("{{ 'x' * 1000000000000 }}", "{}", NULL, &out, &err), TMPL_ERR_LIMIT);
    /* deep nesting in the source is a parse limit, not a stack overflow */
    size_t n = 100000;
    char *deep = malloc(n * 2 + 16);
    strcpy(deep, "{{ ");
    for (size_t i = 0; i < n; i++)
        strcat(deep + 3 + i - i, ""), deep[3 + i] = '(';
    deep[3 + n] = 0;
    tmpl *t = NULL;
    CHECK_EQ(tmpl_compile(deep, strlen(deep), &t, &err), TMPL_ERR_LIMIT);
    memset(deep, 0, n * 2 + 16);
    for (size_t i = 0; i < n / 20; i++)
        memcpy(deep + i * 13, "{% if true %}", 13);
    CHECK_EQ(tmpl_compile(deep, strlen(deep), &t, &err), TMPL_ERR_LIMIT);
    size_t k = 0;
    for (size_t i = 0; i < 5000; i++)
        k += (size_t)sprintf(deep + k, "not ");
    sprintf(deep + k, "x");
    char *wrapped = malloc(strlen(deep) + 8);
    sprintf(wrapped, "{{ %s }}", deep);
    CHECK_EQ(tmpl_compile(wrapped, strlen(wrapped), &t, &err), TMPL_ERR_LIMIT);
    free(wrapped);
    free(deep);
    /* a long flat chain (a + a + ... ) makes a deep tree without nesting anything: bounded at
     * render (3000 terms) and at compile (6000 terms), never a stack overflow */
    char *chain = malloc(6000 * 4 + 32);
    for (int terms = 3000; terms <= 6000; terms += 3000) {
        size_t ck = (size_t)sprintf(chain, "{{ 1");
        for (int i = 1; i < terms; i++)
            ck += (size_t)sprintf(chain + ck, " + 1");
        sprintf(chain + ck, " }}");
        tmpl_status st = render_str(chain, "{}", NULL, &out, &err);
        CHECK_EQ(st, TMPL_ERR_LIMIT);
    }
    free(chain);
    /* a value nested by a loop: bounded, not a stack overflow when printed or compared */
    CHECK_EQ(render_str("{% set ns = namespace(v=[]) %}{% for i in range(2000) %}{% set ns.v = [ns.v] %}{% endfor %}{{ ns.v == ns.v }}", "{}", NULL, &out, &err), TMPL_ERR_LIMIT);
    /* accumulating a string in a namespace is linear: 100000 appends (1 MB) fit the default
     * limits (a copy per append would allocate 50 GB) */
    CHECK_EQ(render_str("{% set ns = namespace(s='') %}{% for i in range(100000) %}{% set ns.s = ns.s ~ 'abcdefghij' %}{% endfor %}{{ ns.s | length }}", "{}", NULL, &out, &err), TMPL_OK);
    CHECK_STR(out, "1000000");
    free(out);
    CHECK_EQ(render_str("{% set ns = namespace(s='ab') %}{% set a = ns.s ~ 'x' * 100 %}{% set b = ns.s ~ 'y' * 100 %}{% set ns.s = a + 'z' %}{{ a | length }} {{ b[2:4] }} {{ ns.s[-2:] }} {{ a[100:103] }}", "{}", NULL, &out, &err), TMPL_OK);
    CHECK_STR(out, "102 yy xz xx");
    free(out);
    /* O(n) work inside a loop counts toward max_steps: `in` over a 100000-element list,
     * 100000 times, stops instead of running for minutes */
    CHECK_EQ(render_str("{% set l = range(100000) | list %}{% for i in l %}{% if i in l %}{% endif %}{% endfor %}", "{}", NULL, &out, &err), TMPL_ERR_LIMIT);
    /* a namespace holding itself */
    CHECK_EQ(render_str("{% set ns = namespace(v=1) %}{% set ns.v = [ns] %}{{ ns }}", "{}", NULL, &out, &err), TMPL_ERR_UNSUPPORTED);
}

/* String repetition as Python gives it, at every count up to 70 and at the output limit, whose
 * 64 million repetitions of one byte once took a call each (minutes under the fuzzer). */
TEST(template_string_repetition)
{
    static const char *words[] = {"", "x", "ab", "xyz", "\xc3\xa9t\xc3\xa9"};
    for (size_t w = 0; w < 5; w++)
        for (int times = -2; times <= 70; times++) {
            char src[64], *out = NULL, want[1024] = "";
            tmpl_error err;
            snprintf(src, sizeof src, "{{ '%s' * %d }}", words[w], times);
            for (int i = 0; i < times; i++)
                strcat(want, words[w]);
            CHECK_MSG(render_str(src, "{}", NULL, &out, &err) == TMPL_OK && out &&
                          strcmp(out, want) == 0,
                      "%s gave '%s'", src, out ? out : "(error)");
            free(out);
        }
    char *out = NULL;
    tmpl_error err;
    CHECK_EQ(render_str("{{ ('x' * 64000000) | length }}", "{}", NULL, &out, &err), TMPL_OK);
    CHECK(out && strcmp(out, "64000000") == 0);
    free(out);
}

TEST(template_many_names_one_line)
{
    /* 50000 distinct variables on one line: symbol interning, column tracking and frame lookup
     * must stay linear (a quadratic path here takes minutes) */
    size_t n = 50000, cap = n * 40 + 64, k = 0;
    char *src = malloc(cap);
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(src + k, cap - k, "{%% set v%zu = %zu %%}", i, i);
    k += (size_t)snprintf(src + k, cap - k, "{{ v0 + v49999 }}{{ v12345 }}");
    char *out;
    tmpl_error err;
    tmpl_status st = render_str(src, "{}", NULL, &out, &err);
    free(src);
    CHECK_EQ(st, TMPL_OK);
    CHECK_STR(out, "4999912345");
    free(out);
}

typedef struct job {
    const tmpl *t;
    const char *ctx;
    char *out;
    tmpl_status st;
} job;

static void *render_job(void *arg)
{
    job *j = arg;
    for (int i = 0; i < 200; i++) {
        char *out = NULL;
        tmpl_error err;
        j->st = tmpl_render(j->t, j->ctx, strlen(j->ctx), NULL, &out, NULL, &err);
        if (j->st != TMPL_OK)
            return NULL;
        free(j->out);
        j->out = out;
    }
    return NULL;
}

TEST(template_threads_share_a_template)
{
    const char *src = "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}<{{ m.role }}>{{ m.content | trim }}{% endfor %}{{ ns.n }}";
    tmpl *t;
    tmpl_error err;
    CHECK_EQ(tmpl_compile(src, strlen(src), &t, &err), TMPL_OK);
    const char *ctxs[4] = {
        "{\"messages\": [{\"role\": \"user\", \"content\": \" a \"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"b\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}",
        "{\"messages\": []}",
        "{\"messages\": [{\"role\": \"system\", \"content\": \"世界\"}]}",
    };
    const char *want[4] = {"<user>a1", "<user>b<assistant>c2", "0", "<system>世界1"};
    pthread_t th[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){.t = t, .ctx = ctxs[i]};
        pthread_create(&th[i], NULL, render_job, &jobs[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    bool ok = true;
    for (int i = 0; i < 4; i++) {
        ok &= jobs[i].st == TMPL_OK && jobs[i].out && strcmp(jobs[i].out, want[i]) == 0;
        free(jobs[i].out);
    }
    tmpl_free(t);
    CHECK(ok);
}

TEST(template_strftime_real_clock)
{
    /* without a frozen clock strftime_now reads the local time: a 4-digit year */
    char *out;
    tmpl_error err;
    CHECK_EQ(render_str("{{ strftime_now('%Y') | length }}", "{}", NULL, &out, &err), TMPL_OK);
    CHECK_STR(out, "4");
    free(out);
}
