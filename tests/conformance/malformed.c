/* The harness of the malformed-file tests (malformed.h): open a mutant, check how it ended,
 * measure the load's peak memory. */
#include "malformed.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* Peak memory of a load may be this many times the input, plus a fixed allowance for the
 * allocator (and, under ASan, its quarantine and shadow): enough for every real file, far
 * below what a file claiming a 2^28 id or a 2^60-byte field would take if believed. */
#define MEM_RATIO 48
#define MEM_FIXED_KB (384u * 1024u)

/* A mutant still loading after this long is a hang (a real file opens in well under a
 * second; this is a watchdog, not a speed check). */
#define HANG_SECONDS 300

/* Valid UTF-8 that visits every kind of piece: words, numbers, spaces and newlines in runs,
 * CJK, combining marks, emoji with joiners, control characters, special-token text. */
static const char stress[] =
    "Hello world! It's 2026-12-06: 12345678901234567890 tokens, 3.14159 and -42.\n\n"
    "   indented\tline\r\n\x01\x7f  trailing   \n"
    "caf\xc3\xa9 cafe\xcc\x81 na\xc3\xafve \xc3\x85ngstr\xc3\xb6m \xef\xac\x81 \xe2\x85\xab "
    "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c\xe3\x80\x82\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
    "\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88 \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 "
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9 "
    "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb \xf0\x9f\x87\xaf\xf0\x9f\x87\xb5 \xef\xbf\xbd "
    "<|endoftext|><s></s><unk>[CLS][SEP]<pad><|im_start|>user\n"
    "def f(x):\n    return x ** 2  # comment\n"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
    "                                                                    \n\n\n\n\n\n";

static char current[200];

static void on_alarm(int sig)
{
    (void)sig;
    static const char head[] = "\nmalformed: a mutant is still loading (a hang): ";
    if (write(2, head, sizeof head - 1) < 0 || write(2, current, strlen(current)) < 0)
        _exit(3);
    _exit(3);
}

static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, fl) && line[fl] == ':') {
            kb = strtol(line + fl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Reset the peak (VmHWM) to the current resident size; false where the kernel cannot. */
static bool reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return false;
    bool ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

void mut_begin(mut_run *r, const char *family, const char *source, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->family = family;
    r->source = source;
    r->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    signal(SIGALRM, on_alarm);
}

void mut_end(mut_run *r)
{
    alarm(0);
    printf("  malformed %-15s %-44s %5zu mutants: %5zu opened, %5zu refused; peak memory <= "
           "%.1fx the input (%s)\n",
           r->family, r->source, r->loads, r->opened, r->loads - r->opened, r->worst_ratio,
           r->worst[0] ? r->worst : "-");
}

size_t mut_below(mut_run *r, size_t n)
{
    return (size_t)(test_rand(&r->rng) % n);
}

uint8_t *mut_splice(const uint8_t *data, size_t len, size_t at, size_t cut, const void *ins,
                    size_t ins_len, size_t *out_len)
{
    if (at > len)
        at = len;
    if (cut > len - at)
        cut = len - at;
    size_t n = len - cut + ins_len;
    uint8_t *m = malloc(n ? n : 1);
    if (!m)
        abort();
    memcpy(m, data, at);
    if (ins_len)
        memcpy(m + at, ins, ins_len);
    memcpy(m + at + ins_len, data + at + cut, len - at - cut);
    *out_len = n;
    return m;
}

/* Keep the mutant for reproduction; the path goes into the failure message. */
static const char *keep(const void *data, size_t len)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/mutant-%d.bin", test_tmpdir(), (int)getpid());
    char *kept = getenv("TOK_KEEP_MUTANT"); /* a directory that outlives the run */
    if (kept && *kept)
        snprintf(path, sizeof path, "%s/mutant.bin", kept);
    return write_file(path, data, len) ? path : "(could not be written)";
}

#define FAIL_IF(cond, ...)                                                       \
    do {                                                                         \
        if (cond) {                                                              \
            char m_[1200];                                                        \
            snprintf(m_, sizeof m_, __VA_ARGS__);                                \
            test_fail(__FILE__, __LINE__, "%s (%s of %s; mutant kept at %s)", m_, what, \
                      r->source, keep(data, len));                               \
            ok = false;                                                          \
            goto done;                                                           \
        }                                                                        \
    } while (0)

/* A tokenizer that opened must work: encode, count, decode, look-ups. */
static bool exercise(mut_run *r, const char *what, const void *data, size_t len,
                     tok_tokenizer *t)
{
    bool ok = true;
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    char *text = NULL;
    tok_error err;
    static const tok_encode_options modes[] = {
        {TOK_SPECIAL_ORDINARY, 0},
        {TOK_SPECIAL_ALLOW, TOK_ENCODE_ADD_SPECIAL},
    };
    uint32_t vs = tok_vocab_size(t);
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
        size_t n = 0, count = 0;
        tok_status st = tok_encode_alloc(t, stress, sizeof stress - 1, &modes[m], &ids, &spans,
                                         &n, &err);
        /* A damaged vocabulary may lack what the text needs (no <unk>, no byte fallback):
         * a clear refusal is fine, a crash or ENOMEM is not. */
        FAIL_IF(st == TOK_ENOMEM, "encode ran out of memory");
        FAIL_IF(st != TOK_OK && !err.message[0], "encode failed (%s) without a message",
                tok_status_name(st));
        if (st != TOK_OK)
            continue;
        st = tok_count(t, stress, sizeof stress - 1, &modes[m], &count, &err);
        FAIL_IF(st != TOK_OK || count != n, "count gave %zu (%s), encode %zu", count,
                tok_status_name(st), n);
        for (size_t i = 0; i < n; i++) {
            FAIL_IF(spans[i].start > spans[i].end || spans[i].end > sizeof stress - 1,
                    "span %zu is [%llu, %llu) in a text of %zu bytes", i,
                    (unsigned long long)spans[i].start, (unsigned long long)spans[i].end,
                    sizeof stress - 1);
            const char *b;
            size_t bl;
            FAIL_IF(tok_token_bytes(t, ids[i], &b, &bl) != TOK_OK,
                    "encode gave id %u, which has no bytes", ids[i]);
        }
        size_t tl = 0;
        st = tok_decode_alloc(t, ids, n, 0, &text, &tl, &err);
        FAIL_IF(st != TOK_OK && st != TOK_EID && st != TOK_EUTF8,
                "decode of its own ids failed: %s", tok_status_name(st));
        tok_free(text), text = NULL;
        tok_free(ids), ids = NULL;
        tok_free(spans), spans = NULL;
    }
    /* Look-ups at both ends of the id range and past it. */
    for (uint64_t id = 0; id < vs && id < 300; id++) {
        const char *b;
        size_t bl;
        if (tok_token_bytes(t, (uint32_t)id, &b, &bl) == TOK_OK) {
            uint32_t back;
            tok_status st = tok_token_id(t, b, bl, &back);
            FAIL_IF(st != TOK_OK && st != TOK_ENOENT, "look-up of id %llu's bytes: %s",
                    (unsigned long long)id, tok_status_name(st));
        }
    }
    for (uint64_t id = vs > 300 ? vs - 300 : 0; id < vs; id++) {
        const char *b;
        size_t bl;
        (void)tok_token_bytes(t, (uint32_t)id, &b, &bl);
    }
    const uint32_t past[] = {vs, vs + 1, UINT32_MAX};
    for (size_t i = 0; i < 3; i++) {
        const char *b;
        size_t bl;
        FAIL_IF(past[i] >= vs && tok_token_bytes(t, past[i], &b, &bl) == TOK_OK &&
                    !tok_is_special(t, past[i]),
                "id %u past a vocabulary of %u has bytes", past[i], vs);
    }
done:
    tok_free(ids);
    tok_free(spans);
    tok_free(text);
    return ok;
}

bool mut_try(mut_run *r, const char *what, const void *data, size_t len,
             const tok_open_options *opts)
{
    bool ok = true;
    r->loads++;
    snprintf(current, sizeof current, "%s of %s\n", what, r->source);
    bool peak = reset_peak();
    long before = status_kb("VmRSS");
    alarm(HANG_SECONDS);

    tok_tokenizer *t = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    tok_status st = tok_open_memory(data, len, "mutant", opts, &t, &err);
    if (st == TOK_OK) {
        r->opened++;
        ok = exercise(r, what, data, len, t);
        tok_close(t);
        if (!ok)
            goto done;
    } else {
        FAIL_IF(t != NULL, "a failed open left a tokenizer");
        FAIL_IF(st == TOK_ENOMEM, "the loader ran out of memory: %s", err.message);
        FAIL_IF(!err.message[0], "%s without a message", tok_status_name(st));
        FAIL_IF(!strstr(err.message, "mutant"), "the message does not name the input: %s",
                err.message);
    }
    alarm(0);
    if (peak && before > 0) {
        long after = status_kb("VmHWM");
        double grew = after > before ? (double)(after - before) : 0;
        double limit = (double)len / 1024 * MEM_RATIO + MEM_FIXED_KB;
        double ratio = grew * 1024 / (double)(len ? len : 1);
        if (ratio > r->worst_ratio && grew > 4096) {
            r->worst_ratio = ratio;
            snprintf(r->worst, sizeof r->worst, "%s, %.0f MB", what, grew / 1024);
        }
        FAIL_IF(grew > limit, "opening took %.0f MB for a %zu-byte input (limit %.0f MB)",
                grew / 1024, len, limit / 1024);
    }
done:
    alarm(0);
    return ok;
}

bool mut_bytes(mut_run *r, const uint8_t *data, size_t len, unsigned n_cut, unsigned n_flip,
               const tok_open_options *opts)
{
    char what[120];
    size_t cuts[] = {0, 1, 2, 7, 16, len > 1 ? len - 1 : 0, len > 2 ? len - 2 : 0};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts + n_cut; i++) {
        size_t at = i < sizeof cuts / sizeof *cuts ? cuts[i] : mut_below(r, len ? len : 1);
        if (at >= len)
            continue;
        snprintf(what, sizeof what, "truncated at byte %zu", at);
        if (!mut_try(r, what, data, at, opts))
            return false;
    }
    uint8_t *m = malloc(len ? len : 1);
    if (!m)
        abort();
    memcpy(m, data, len);
    for (unsigned i = 0; i < n_flip && len; i++) {
        size_t at = mut_below(r, len);
        uint8_t was = m[at];
        uint8_t to = (uint8_t)~was;
        if (i % 3 == 1)
            to = (uint8_t)test_rand(&r->rng);
        else if (i % 3 == 2)
            to = was ^ 0x80;
        m[at] = to;
        snprintf(what, sizeof what, "byte %zu 0x%02x -> 0x%02x", at, was, m[at]);
        bool ok = mut_try(r, what, m, len, opts);
        m[at] = was;
        if (!ok)
            return free(m), false;
    }
    free(m);
    if (len > 8) {
        size_t at = mut_below(r, len), cut = 1 + mut_below(r, len - at < 4096 ? len - at : 4096);
        size_t ml;
        m = mut_splice(data, len, at, cut, NULL, 0, &ml);
        snprintf(what, sizeof what, "bytes %zu..%zu deleted", at, at + cut);
        bool ok = mut_try(r, what, m, ml, opts);
        free(m);
        if (!ok)
            return false;
        m = mut_splice(data, len, at, 0, data + at, cut, &ml);
        snprintf(what, sizeof what, "bytes %zu..%zu doubled", at, at + cut);
        ok = mut_try(r, what, m, ml, opts);
        free(m);
        if (!ok)
            return false;
    }
    return true;
}
