/* runner: registered tests, run in file then registration order; prints failures with file and
 * line, and always ends with "N passed, N failed". Arguments: --bin PATH (the tokscope binary
 * for CLI tests), --slowest N (list the N slowest tests after the run, so a CI log shows where
 * its hour goes), and optional substrings to run only matching tests. */
#include "runner.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

typedef struct test {
    const char *file, *name;
    test_fn fn;
    double secs; /* wall time of its run; -1 when filtered out */
} test;

static test *tests;
static size_t n_tests, cap_tests;
static bool cur_failed;
static const test *cur;
const char *test_bin = "build/tokscope";
const char *test_cc = "cc";

void test_register(const char *file, const char *name, test_fn fn)
{
    if (n_tests == cap_tests) {
        cap_tests = cap_tests ? cap_tests * 2 : 64;
        tests = realloc(tests, cap_tests * sizeof *tests);
        if (!tests)
            abort();
    }
    tests[n_tests++] = (test){file, name, fn, -1};
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    if (!cur_failed)
        printf("FAIL %s (%s)\n", cur->name, cur->file);
    cur_failed = true;
    printf("  %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

bool test_failed(void) { return cur_failed; }

static int by_file(const void *a, const void *b)
{
    const test *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* registration order within a file */
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int by_time_desc(const void *a, const void *b)
{
    const test *x = *(const test *const *)a, *y = *(const test *const *)b;
    return (x->secs < y->secs) - (x->secs > y->secs);
}

static void print_slowest(size_t n)
{
    const test **order = malloc(n_tests * sizeof *order);
    if (!order)
        return;
    size_t m = 0;
    double total = 0;
    for (size_t i = 0; i < n_tests; i++)
        if (tests[i].secs >= 0) {
            order[m++] = &tests[i];
            total += tests[i].secs;
        }
    qsort(order, m, sizeof *order, by_time_desc);
    printf("slowest tests (of %.1f s):\n", total);
    for (size_t i = 0; i < n && i < m; i++)
        printf("  %7.2f s  %s (%s)\n", order[i]->secs, order[i]->name, order[i]->file);
    free(order);
}

int main(int argc, char **argv)
{
    const char *filters[64];
    int n_filters = 0;
    bool verbose = false;
    long slowest = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bin") && i + 1 < argc)
            test_bin = argv[++i];
        else if (!strcmp(argv[i], "--cc") && i + 1 < argc)
            test_cc = argv[++i];
        else if (!strcmp(argv[i], "--slowest") && i + 1 < argc)
            slowest = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (n_filters < 64)
            filters[n_filters++] = argv[i];
    }
    qsort(tests, n_tests, sizeof *tests, by_file);
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < n_tests; i++) {
        bool run = n_filters == 0;
        for (int f = 0; f < n_filters && !run; f++)
            run = strstr(tests[i].name, filters[f]) || strstr(tests[i].file, filters[f]);
        if (!run)
            continue;
        cur = &tests[i];
        cur_failed = false;
        if (verbose) {
            printf("RUN  %s\n", tests[i].name);
            fflush(stdout);
        }
        double t0 = now();
        tests[i].fn();
        tests[i].secs = now() - t0;
        if (cur_failed)
            failed++;
        else
            passed++;
        fflush(stdout);
    }
    if (slowest > 0)
        print_slowest((size_t)slowest);
    printf("%zu passed, %zu failed\n", passed, failed);
    free(tests);
    return failed ? 1 : 0;
}
