/* walk: files under a directory, honouring .gitignore (see walk.c). */
#ifndef TOKSCOPE_WALK_H
#define TOKSCOPE_WALK_H

#include "cli.h"

/* Called for each regular file; return false to count it as an error (already reported). */
typedef bool (*walk_fn)(void *ctx, const char *path);
/* Walk root; returns the number of errors (each reported on stderr). */
int walk_dir(const char *root, walk_fn fn, void *ctx);
/* The glob matcher, exposed for tests: '*' and '?' stop at '/', '**' crosses it. */
bool walk_gitignore_match(const char *pattern, const char *path);

#endif
