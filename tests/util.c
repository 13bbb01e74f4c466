/* util: helpers for tests -- files, a deterministic PRNG, and running the tokscope binary. */
#include "runner.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *b = realloc(buf, cap + 1);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    *len = n;
    return buf;
}

bool write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

uint64_t test_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static char tmpdir[64];

static void remove_tmpdir(void)
{
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/tokscope-test-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap)
            *cap = *cap ? *cap * 2 : 4096;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            abort();
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = 0;
}

cli_result run_cli_env(const char *const *args, const char *stdin_data, size_t stdin_len,
                       const char *const *env)
{
    cli_result r = {0};
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err))
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        const char *argv[64];
        int n = 0;
        argv[n++] = test_bin;
        for (const char *const *a = args; *a && n < 63; a++)
            argv[n++] = *a;
        argv[n] = NULL;
        execv(test_bin, (char *const *)argv);
        _exit(127);
    }
    close(in[0]), close(out[1]), close(err[1]);
    signal(SIGPIPE, SIG_IGN);
    size_t written = 0, out_cap = 0, err_cap = 0;
    append(&r.out, &r.out_len, &out_cap, "", 0);
    append(&r.err, &r.err_len, &err_cap, "", 0);
    if (!stdin_data || stdin_len == 0) {
        close(in[1]);
        in[1] = -1;
    } else {
        fcntl(in[1], F_SETFL, O_NONBLOCK);
    }
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        struct pollfd p[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        int np = in[1] >= 0 ? 3 : 2;
        if (poll(p, (nfds_t)np, -1) < 0 && errno != EINTR)
            break;
        char buf[65536];
        if (out_open && (p[0].revents & (POLLIN | POLLHUP))) {
            ssize_t k = read(out[0], buf, sizeof buf);
            if (k <= 0)
                out_open = false;
            else
                append(&r.out, &r.out_len, &out_cap, buf, (size_t)k);
        }
        if (err_open && (p[1].revents & (POLLIN | POLLHUP))) {
            ssize_t k = read(err[0], buf, sizeof buf);
            if (k <= 0)
                err_open = false;
            else
                append(&r.err, &r.err_len, &err_cap, buf, (size_t)k);
        }
        if (np == 3 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t k = (p[2].revents & POLLOUT)
                            ? write(in[1], stdin_data + written, stdin_len - written)
                            : -1;
            if (k > 0)
                written += (size_t)k;
            if (k < 0 || written == stdin_len) {
                close(in[1]);
                in[1] = -1;
            }
        }
    }
    if (in[1] >= 0)
        close(in[1]);
    close(out[0]), close(err[0]);
    int st;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

cli_result run_cli(const char *const *args, const char *stdin_data, size_t stdin_len)
{
    return run_cli_env(args, stdin_data, stdin_len, NULL);
}

void cli_free(cli_result *r)
{
    free(r->out);
    free(r->err);
}

char *read_gz(const char *path, size_t *len)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "gzip -dc -- '%.560s'", path);
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (pclose(f) != 0 || !buf) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

bool load_text_lines(const char *path, text_lines *out)
{
    size_t len, cap = 0;
    char *raw = read_file(path, &len);
    out->v = NULL;
    out->n = 0;
    if (!raw)
        return false;
    line_iter it = {raw, raw + len, 0};
    const char *line;
    size_t ll;
    bool ok = true;
    while (ok && next_line(&it, &line, &ll)) {
        char *s;
        size_t sl, col;
        if (json_parse_string(line, ll, &s, &sl, &col)) {
            ok = false;
            break;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 256;
            tok_text *nv = realloc(out->v, cap * sizeof *out->v);
            if (!nv) {
                free(s);
                ok = false;
                break;
            }
            out->v = nv;
        }
        out->v[out->n++] = (tok_text){s, sl};
    }
    free(raw);
    if (!ok)
        text_lines_free(out);
    return ok;
}

void text_lines_free(text_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((char *)l->v[i].text);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

size_t test_runs_text(uint8_t *p, size_t cap, uint64_t *seed, const char *const *frag,
                      size_t nfrag)
{
    size_t k = 0;
    if (test_rand(seed) % 4 == 0) { /* a run opening the text */
        memset(p, ' ', 200);
        k = 200;
    }
    while (k + 700 < cap) {
        if (test_rand(seed) % 3 == 0) {
            size_t n = test_rand(seed) % 8 ? test_rand(seed) % 600 : test_rand(seed) % 70;
            memset(p + k, ' ', n);
            k += n;
        } else {
            const char *f = frag[test_rand(seed) % nfrag];
            memcpy(p + k, f, strlen(f));
            k += strlen(f);
        }
    }
    if (test_rand(seed) % 2) { /* a run closing it */
        memset(p + k, ' ', 300);
        k += 300;
    }
    return k;
}

const char *test_hf_dir(void)
{
    const char *d = getenv("TOK_HF_DIR");
    return d && *d ? d : "build/hf";
}

tok_status test_open_json(const char *path, tok_tokenizer **out, tok_error *err)
{
    size_t len;
    char *data = read_file(path, &len);
    *out = NULL;
    if (!data) {
        if (err)
            snprintf(err->message, sizeof err->message, "%s: cannot read it", path);
        return TOK_ENOENT;
    }
    tok_status st = tok_open_memory(data, len, path, NULL, out, err);
    free(data);
    return st;
}

tok_tokenizer *test_open_json_edited(const char *path, const char *from, const char *to)
{
    size_t n;
    char *d = read_file(path, &n);
    if (!d) {
        printf("  %s: cannot read it\n", path);
        return NULL;
    }
    size_t fl = from ? strlen(from) : 0, tl = to ? strlen(to) : 0, m = 0, hits = 0;
    char *e = malloc(n + (tl > fl ? (n / (fl ? fl : 1) + 1) * (tl - fl) : 0) + 1);
    for (size_t i = 0; i < n;) {
        if (fl && i + fl <= n && !memcmp(d + i, from, fl)) {
            memcpy(e + m, to, tl);
            m += tl;
            i += fl;
            hits++;
        } else {
            e[m++] = d[i++];
        }
    }
    free(d);
    tok_tokenizer *t = NULL;
    tok_error err;
    if (from && !hits)
        printf("  %s: \"%s\" is not in it\n", path, from);
    else if (tok_open_memory(e, m, path, NULL, &t, &err) != TOK_OK)
        printf("  %s (\"%s\" -> \"%s\"): %s\n", path, from ? from : "", to ? to : "",
               err.message);
    free(e);
    return t;
}

bool test_same_tokens(const tok_tokenizer *a, const tok_tokenizer *b, const char *s, size_t n,
                      unsigned flags, size_t *tokens)
{
    tok_encode_options o = {TOK_SPECIAL_ORDINARY, flags};
    uint32_t *ia = NULL, *ib = NULL;
    tok_span *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0, count = 0;
    bool ok = tok_encode_alloc(a, s, n, &o, &ia, &sa, &na, NULL) == TOK_OK &&
              tok_encode_alloc(b, s, n, &o, &ib, &sb, &nb, NULL) == TOK_OK && na == nb &&
              (!na || (!memcmp(ia, ib, na * sizeof *ia) && !memcmp(sa, sb, na * sizeof *sa)));
    ok = ok && tok_count(a, s, n, &o, &count, NULL) == TOK_OK && count == na;
    /* ids alone (no spans asked: some paths keep no alignments then) */
    uint32_t *ic = NULL;
    size_t nc = 0;
    ok = ok && tok_encode_alloc(a, s, n, &o, &ic, NULL, &nc, NULL) == TOK_OK && nc == na &&
         (!na || !memcmp(ia, ic, na * sizeof *ia));
    tok_free(ic);
    if (tokens)
        *tokens = na;
    tok_free(ia), tok_free(ib), tok_free(sa), tok_free(sb);
    return ok;
}
