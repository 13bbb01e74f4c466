/* runner: registered tests, run in file then registration order; prints failures with file and
 * line, and always ends with "N passed, N failed". Arguments: --bin PATH (the tokscope binary
 * for CLI tests), and optional substrings to run only matching tests. */
#include "runner.h"

#include <stdarg.h>
#include <stdlib.h>

typedef struct test {
    const char *file, *name;
    test_fn fn;
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
    tests[n_tests++] = (test){file, name, fn};
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

int main(int argc, char **argv)
{
    const char *filters[64];
    int n_filters = 0;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bin") && i + 1 < argc)
            test_bin = argv[++i];
        else if (!strcmp(argv[i], "--cc") && i + 1 < argc)
            test_cc = argv[++i];
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
        tests[i].fn();
        if (cur_failed)
            failed++;
        else
            passed++;
        fflush(stdout);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    free(tests);
    return failed ? 1 : 0;
}
