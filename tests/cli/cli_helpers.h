/* Helpers for the command-line tests. */
#ifndef TOKSCOPE_CLI_HELPERS_H
#define TOKSCOPE_CLI_HELPERS_H

#include "runner.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RUN(...) run_cli(ARGS(__VA_ARGS__), NULL, 0)
#define RUN_IN(input, ...) run_cli(ARGS(__VA_ARGS__), (input), strlen(input))

/* Path of a file in the test's temporary directory. */
const char *tmpfile_path(const char *name);
/* Write text to a temporary file and return its path. */
const char *tmpfile_with(const char *name, const char *text);
/* True if every line of s parses as JSON (cJSON). */
bool all_lines_json(const char *s);

#endif
