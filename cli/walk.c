/* walk: the files under a directory for count -r, in sorted order, leaving out what .gitignore
 * files exclude (git's rules: last matching pattern wins, '!' re-includes, a trailing '/' means
 * directories only, a pattern with a '/' is anchored at its .gitignore's directory, '**' spans
 * directories, an excluded directory is not entered) and .git itself. Symbolic links to
 * directories are not followed, so a link loop cannot trap the walk. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct rule {
    char *pat;       /* without '!' and trailing '/' */
    const char *base; /* directory of the .gitignore, relative to the walk root ("" at the root) */
    bool negate, dir_only, anchored;
} rule;

typedef struct rules {
    rule *v;
    size_t n, cap;
} rules;

/* Glob match where '*' and '?' stop at '/', and '**' crosses it. */
static bool glob(const char *p, const char *s)
{
    for (; *p; p++, s++) {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/') { /* "**" + "/": zero or more whole directories */
                p++;
                for (const char *t = s;; t++) {
                    if ((t == s || t[-1] == '/') && glob(p, t))
                        return true;
                    if (!*t)
                        return false;
                }
            }
            for (const char *t = s;; t++) { /* trailing "**": anything */
                if (glob(p, t))
                    return true;
                if (!*t)
                    return false;
            }
        }
        if (*p == '*') {
            for (const char *t = s;; t++) {
                if (glob(p + 1, t))
                    return true;
                if (!*t || *t == '/')
                    return false;
            }
        }
        if (!*s)
            return false;
        if (*p == '?') {
            if (*s == '/')
                return false;
            continue;
        }
        if (*p == '[') {
            const char *q = p + 1;
            bool neg = *q == '!' || *q == '^', hit = false;
            if (neg)
                q++;
            for (bool first = true; *q && (first || *q != ']'); q++, first = false) {
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    hit |= *s >= q[0] && *s <= q[2];
                    q += 2;
                } else {
                    hit |= *s == *q;
                }
            }
            if (*q != ']') { /* no closing bracket: a literal '[' */
                if (*s != '[')
                    return false;
                continue;
            }
            if (hit == neg || *s == '/')
                return false;
            p = q;
            continue;
        }
        if (*p == '\\' && p[1])
            p++;
        if (*p != *s)
            return false;
    }
    return !*s;
}

static void load_gitignore(rules *r, const char *dir, const char *base)
{
    size_t dl = strlen(dir);
    char *path = malloc(dl + 12);
    if (!path)
        return;
    memcpy(path, dir, dl);
    memcpy(path + dl, "/.gitignore", 12);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        while (n > 0 && line[n - 1] == ' ' && !(n > 1 && line[n - 2] == '\\'))
            line[--n] = 0;
        char *p = line;
        if (!*p || *p == '#')
            continue;
        rule ru = {0};
        ru.base = base;
        if (*p == '!') {
            ru.negate = true;
            p++;
        } else if (*p == '\\' && (p[1] == '!' || p[1] == '#')) {
            p++;
        }
        n = strlen(p);
        if (n && p[n - 1] == '/') {
            ru.dir_only = true;
            p[--n] = 0;
        }
        if (!n)
            continue;
        ru.anchored = strchr(p, '/') != NULL;
        if (*p == '/')
            p++;
        ru.pat = strdup(p);
        if (!ru.pat)
            continue;
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 16;
            rule *v = realloc(r->v, r->cap * sizeof *v);
            if (!v) {
                free(ru.pat);
                continue;
            }
            r->v = v;
        }
        r->v[r->n++] = ru;
    }
    fclose(f);
}

/* rel: path relative to the walk root. */
static bool ignored(const rules *r, const char *rel, bool is_dir)
{
    const char *name = strrchr(rel, '/');
    name = name ? name + 1 : rel;
    for (size_t i = r->n; i-- > 0;) {
        const rule *ru = &r->v[i];
        if (ru->dir_only && !is_dir)
            continue;
        size_t bl = strlen(ru->base);
        if (bl && (strncmp(rel, ru->base, bl) != 0 || rel[bl] != '/'))
            continue;
        const char *sub = bl ? rel + bl + 1 : rel;
        if (ru->anchored ? glob(ru->pat, sub) : glob(ru->pat, name))
            return !ru->negate;
    }
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_rec(const char *dir, const char *rel, rules *r, walk_fn fn, void *ctx)
{
    size_t before = r->n;
    char *base = strdup(rel);
    if (!base)
        return 1;
    load_gitignore(r, dir, base);
    int errors = 0;
    DIR *d = opendir(dir);
    if (!d) {
        warnx_("%s: %s", shown_name(dir), strerror(errno));
        errors++;
        goto out;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof *v);
            if (!v)
                break;
            names = v;
        }
        if ((names[n] = strdup(e->d_name)))
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t dl = strlen(dir), rl = strlen(rel), nl = strlen(names[i]);
        char *path = malloc(dl + nl + 2), *sub = malloc(rl + nl + 2);
        if (path && sub) {
            snprintf(path, dl + nl + 2, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                     names[i]);
            snprintf(sub, rl + nl + 2, "%s%s%s", rel, rl ? "/" : "", names[i]);
            struct stat st;
            if (lstat(path, &st) != 0) {
                warnx_("%s: %s", shown_name(path), strerror(errno));
                errors++;
            } else if (S_ISDIR(st.st_mode)) {
                if (!ignored(r, sub, true))
                    errors += walk_rec(path, sub, r, fn, ctx);
            } else if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
                                               S_ISREG(st.st_mode))) {
                if (!ignored(r, sub, false))
                    errors += fn(ctx, path) ? 0 : 1;
            }
        }
        free(path);
        free(sub);
        free(names[i]);
    }
    free(names);
out:
    for (size_t i = before; i < r->n; i++)
        free(r->v[i].pat);
    r->n = before;
    free(base);
    return errors;
}

int walk_dir(const char *root, walk_fn fn, void *ctx)
{
    rules r = {0};
    int errors = walk_rec(root, "", &r, fn, ctx);
    free(r.v);
    return errors;
}

bool walk_gitignore_match(const char *pattern, const char *path)
{
    return glob(pattern, path);
}
