/* Malformed files at scale: every SentencePiece model of tests/golden/spm/models, mutated --
 * truncated, bytes flipped, ranges deleted and doubled -- and rewritten field by field through
 * the protobuf wire format: pieces with NaN and infinite scores, unknown and out-of-range
 * types, empty, invalid-UTF-8 and 70 KB pieces; no pieces, every piece twice; trainer and
 * normalizer fields overridden (model types, ids, byte fallback, a damaged
 * precompiled_charsmap); varints and tags longer than 10 bytes, lengths of 2^63, invalid wire
 * types, unmatched and 100,000-deep groups. The rules are in malformed.h. */
#include "malformed.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>

#define MODELS "tests/golden/spm/models"

/* ---- the wire format, as much as the mutations need ---- */

typedef struct pbuf {
    uint8_t *p;
    size_t n, cap;
} pbuf;

static void put(pbuf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_varint(pbuf *b, uint64_t v)
{
    do {
        uint8_t c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            c |= 0x80;
        put(b, &c, 1);
    } while (v);
}

static void put_tag(pbuf *b, unsigned field, unsigned wt) { put_varint(b, (uint64_t)field << 3 | wt); }

static void put_len(pbuf *b, unsigned field, const void *p, size_t n)
{
    put_tag(b, field, 2);
    put_varint(b, n);
    put(b, p, n);
}

static void put_fixed32(pbuf *b, unsigned field, uint32_t v)
{
    put_tag(b, field, 5);
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, le, 4);
}

/* A top-level field of a message: [at, end) in all, its payload [off, off + len). */
typedef struct pfield {
    unsigned num, wt;
    size_t at, off, len, end;
} pfield;

static bool get_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
    *v = 0;
    for (unsigned s = 0; s < 64 && *pos < n; s += 7) {
        uint8_t c = p[(*pos)++];
        *v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* The fields of a well-formed message (the reference models are). */
static size_t fields(const uint8_t *p, size_t n, pfield *out, size_t cap)
{
    size_t pos = 0, k = 0;
    while (pos < n && k < cap) {
        pfield f = {.at = pos};
        uint64_t tag, v;
        if (!get_varint(p, n, &pos, &tag))
            break;
        f.num = (unsigned)(tag >> 3), f.wt = (unsigned)(tag & 7);
        if (f.wt == 0) {
            f.off = pos;
            if (!get_varint(p, n, &pos, &v))
                break;
        } else if (f.wt == 2) {
            if (!get_varint(p, n, &pos, &v) || v > n - pos)
                break;
            f.off = pos, f.len = (size_t)v, pos += (size_t)v;
        } else if (f.wt == 5 || f.wt == 1) {
            f.off = pos, f.len = f.wt == 5 ? 4 : 8, pos += f.len;
        } else {
            break;
        }
        f.end = pos;
        out[k++] = f;
    }
    return k;
}

/* ---- mutations ---- */

typedef struct model {
    const uint8_t *p;
    size_t n;
    pfield *f; /* top-level fields */
    size_t nf;
} model;

/* The model with top-level field i's payload replaced by sub (its length re-encoded). */
static bool try_field(mut_run *r, const model *m, size_t i, const pbuf *sub, const char *what)
{
    pbuf b = {0};
    put(&b, m->p, m->f[i].at);
    put_len(&b, m->f[i].num, sub->p, sub->n);
    put(&b, m->p + m->f[i].end, m->n - m->f[i].end);
    bool ok = mut_try(r, what, b.p, b.n, NULL);
    free(b.p);
    return ok;
}

/* A field appended to submessage i (later scalars win in protobuf). */
static bool try_append(mut_run *r, const model *m, size_t i, const pbuf *extra, const char *what)
{
    pbuf sub = {0};
    put(&sub, m->p + m->f[i].off, m->f[i].len);
    put(&sub, extra->p, extra->n);
    bool ok = try_field(r, m, i, &sub, what);
    free(sub.p);
    return ok;
}

static bool mutate_piece(mut_run *r, const model *m, size_t i)
{
    char what[160];
    static const struct {
        const char *name;
        uint32_t bits;
    } scores[] = {{"NaN", 0x7fc00000u}, {"+inf", 0x7f800000u}, {"-inf", 0xff800000u},
                  {"3.4e38", 0x7f7fffffu}, {"-3.4e38", 0xff7fffffu}};
    for (size_t k = 0; k < sizeof scores / sizeof *scores; k++) {
        pbuf e = {0};
        put_fixed32(&e, 2, scores[k].bits);
        snprintf(what, sizeof what, "pieces[%zu].score = %s", i, scores[k].name);
        bool ok = try_append(r, m, i, &e, what);
        free(e.p);
        if (!ok)
            return false;
    }
    static const uint64_t types[] = {0, 2, 3, 4, 5, 6, 7, 99, UINT64_MAX};
    for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
        pbuf e = {0};
        put_tag(&e, 3, 0);
        put_varint(&e, types[k]);
        snprintf(what, sizeof what, "pieces[%zu].type = %llu", i, (unsigned long long)types[k]);
        bool ok = try_append(r, m, i, &e, what);
        free(e.p);
        if (!ok)
            return false;
    }
    static const char *const texts[] = {"", "\xff\xfe", "<0xZZ>", "<0x41>", "\xe2\x96\x81",
                                        NULL /* 70 KB */};
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        pbuf e = {0};
        char *big = NULL;
        if (texts[k]) {
            put_len(&e, 1, texts[k], strlen(texts[k]));
        } else {
            big = malloc(70000);
            memset(big, 'a', 70000);
            put_len(&e, 1, big, 70000);
        }
        snprintf(what, sizeof what, "pieces[%zu].piece = \"%s\"", i, texts[k] ? texts[k] : "a x 70000");
        bool ok = try_append(r, m, i, &e, what);
        free(e.p);
        free(big);
        if (!ok)
            return false;
    }
    pbuf only_score = {0};
    put_fixed32(&only_score, 2, 0);
    snprintf(what, sizeof what, "pieces[%zu] without its piece", i);
    bool ok = try_field(r, m, i, &only_score, what);
    free(only_score.p);
    return ok;
}

static bool mutate_spec(mut_run *r, const model *m, size_t i, unsigned num)
{
    char what[160];
    /* trainer_spec (2): model_type, vocab_size, byte_fallback, suffix, ids, pieces;
     * normalizer_spec (3): name, charsmap, flags. */
    static const struct {
        unsigned spec, field;
        uint64_t v;
    } ints[] = {{2, 3, 0}, {2, 3, 1}, {2, 3, 2}, {2, 3, 3}, {2, 3, 4}, {2, 3, 99},
                {2, 3, UINT64_MAX}, {2, 4, 0}, {2, 4, 1ull << 40}, {2, 35, 1}, {2, 35, 0},
                {2, 24, 1}, {2, 40, 1u << 31}, {2, 40, UINT64_MAX}, {2, 41, 123456789},
                {2, 42, 0}, {2, 43, 0}, {3, 3, 0}, {3, 3, 1}, {3, 4, 0}, {3, 5, 0}, {3, 5, 1}};
    for (size_t k = 0; k < sizeof ints / sizeof *ints; k++) {
        if (ints[k].spec != num)
            continue;
        pbuf e = {0};
        put_tag(&e, ints[k].field, 0);
        put_varint(&e, ints[k].v);
        snprintf(what, sizeof what, "field %u.%u = %llu", num, ints[k].field,
                 (unsigned long long)ints[k].v);
        bool ok = try_append(r, m, i, &e, what);
        free(e.p);
        if (!ok)
            return false;
    }
    static const struct {
        unsigned spec, field;
        const char *s;
        size_t n;
    } strs[] = {{2, 45, "", 0}, {2, 45, "<nope>", 6}, {2, 46, "\xff", 1}, {2, 44, "\xe2\x96", 2},
                {3, 1, "nonexistent", 11}, {3, 2, "", 0}, {3, 2, "\x01\x00\x00\x00", 4},
                {3, 2, "\xff\xff\xff\xff\x00\x00\x00\x00", 8},
                {3, 2, "\x08\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 13}};
    for (size_t k = 0; k < sizeof strs / sizeof *strs; k++) {
        if (strs[k].spec != num)
            continue;
        pbuf e = {0};
        put_len(&e, strs[k].field, strs[k].s, strs[k].n);
        snprintf(what, sizeof what, "field %u.%u = %zu bytes", num, strs[k].field, strs[k].n);
        bool ok = try_append(r, m, i, &e, what);
        free(e.p);
        if (!ok)
            return false;
    }
    if (num == 3) { /* the charsmap cut short, and with bytes flipped */
        pfield sf[64];
        size_t ns = fields(m->p + m->f[i].off, m->f[i].len, sf, 64);
        for (size_t k = 0; k < ns; k++) {
            if (sf[k].num != 2 || sf[k].wt != 2 || sf[k].len < 16)
                continue;
            const uint8_t *cm = m->p + m->f[i].off + sf[k].off;
            for (int t = 0; t < 12; t++) {
                size_t cut = t < 4 ? (size_t)t * 3 + 1 : mut_below(r, sf[k].len);
                uint8_t *flipped = malloc(sf[k].len);
                memcpy(flipped, cm, sf[k].len);
                size_t at = mut_below(r, sf[k].len);
                flipped[at] ^= (uint8_t)(1 + mut_below(r, 255));
                pbuf e = {0};
                if (t % 2)
                    put_len(&e, 2, flipped, sf[k].len);
                else
                    put_len(&e, 2, cm, cut);
                if (t % 2)
                    snprintf(what, sizeof what, "precompiled_charsmap byte %zu flipped", at);
                else
                    snprintf(what, sizeof what, "precompiled_charsmap cut to %zu bytes", cut);
                bool ok = try_append(r, m, i, &e, what);
                free(e.p);
                free(flipped);
                if (!ok)
                    return false;
            }
        }
    }
    return true;
}

/* Raw bytes spliced in at the start of the model (the parser meets them first). */
static bool try_prefix(mut_run *r, const model *m, const pbuf *pre, const char *what)
{
    size_t n;
    uint8_t *b = mut_splice(m->p, m->n, 0, 0, pre->p, pre->n, &n);
    bool ok = mut_try(r, what, b, n, NULL);
    free(b);
    return ok;
}

static bool mutate_wire(mut_run *r, const model *m)
{
    static const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0x01};
    static const uint8_t long_tag[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0x01, 0x00};
    static const uint8_t huge_len[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    static const uint8_t len_2_32[] = {0x0a, 0x80, 0x80, 0x80, 0x80, 0x10, 'a'};
    static const uint8_t field0[] = {0x00, 0x01};
    static const uint8_t wt3[] = {0x4b}, wt4[] = {0x4c}, wt6[] = {0x4e, 0x00}, wt7[] = {0x4f, 0x00};
    static const uint8_t trunc_fixed[] = {0x15, 0x00};
    static const struct {
        const uint8_t *p;
        size_t n;
        const char *name;
    } pre[] = {{long_varint, sizeof long_varint, "a varint of 11 bytes"},
               {long_tag, sizeof long_tag, "a tag of 11 bytes"},
               {huge_len, sizeof huge_len, "a length of 2^63"},
               {len_2_32, sizeof len_2_32, "a length of 2^32"},
               {field0, sizeof field0, "field number 0"},
               {wt3, sizeof wt3, "an unmatched start-group"},
               {wt4, sizeof wt4, "an unmatched end-group"},
               {wt6, sizeof wt6, "wire type 6"},
               {wt7, sizeof wt7, "wire type 7"}};
    for (size_t k = 0; k < sizeof pre / sizeof *pre; k++) {
        pbuf b = {0};
        put(&b, pre[k].p, pre[k].n);
        bool ok = try_prefix(r, m, &b, pre[k].name);
        free(b.p);
        if (!ok)
            return false;
    }
    pbuf t = {0};
    put(&t, m->p, m->n);
    put(&t, trunc_fixed, sizeof trunc_fixed);
    bool ok = mut_try(r, "a fixed32 cut short at the end", t.p, t.n, NULL);
    free(t.p);
    if (!ok)
        return false;
    /* groups: 100,000 deep and closed, 100,000 deep and open */
    for (int closed = 1; closed >= 0; closed--) {
        pbuf g = {0};
        for (int k = 0; k < 100000; k++)
            put_tag(&g, 9, 3);
        for (int k = 0; closed && k < 100000; k++)
            put_tag(&g, 9, 4);
        ok = try_prefix(r, m, &g, closed ? "100000 nested groups" : "100000 unclosed groups");
        free(g.p);
        if (!ok)
            return false;
    }
    return true;
}

/* The pieces: none, every one twice. */
static bool mutate_pieces(mut_run *r, const model *m)
{
    pbuf none = {0}, twice = {0};
    for (size_t i = 0; i < m->nf; i++)
        if (m->f[i].num != 1)
            put(&none, m->p + m->f[i].at, m->f[i].end - m->f[i].at);
    put(&twice, m->p, m->n);
    for (size_t i = 0; i < m->nf; i++)
        if (m->f[i].num == 1)
            put(&twice, m->p + m->f[i].at, m->f[i].end - m->f[i].at);
    bool ok = mut_try(r, "no pieces", none.p, none.n, NULL) &&
              mut_try(r, "every piece twice", twice.p, twice.n, NULL);
    free(none.p);
    free(twice.p);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(malformed_sentencepiece_models)
{
    DIR *d = opendir(MODELS);
    CHECK_MSG(d, "cannot open %s", MODELS);
    char *names[256];
    size_t nn = 0;
    for (struct dirent *e; (e = readdir(d)) && nn < 256;) {
        size_t l = strlen(e->d_name);
        if (l > 6 && !strcmp(e->d_name + l - 6, ".model"))
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, by_name);
    CHECK_MSG(nn >= 30, "%s holds %zu models", MODELS, nn);
    size_t total = 0;
    bool ok = true;
    for (size_t i = 0; i < nn && ok; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", MODELS, names[i]);
        size_t n;
        uint8_t *p = (uint8_t *)read_file(path, &n);
        CHECK_MSG(p, "cannot read %s", path);
        model m = {p, n, malloc(200000 * sizeof(pfield)), 0};
        m.nf = fields(p, n, m.f, 200000);
        mut_run r;
        mut_begin(&r, "SentencePiece", path, i + 101);
        ok = mut_bytes(&r, p, n, 12, 24, NULL) && mutate_wire(&r, &m) && mutate_pieces(&r, &m);
        size_t pieces[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, np = 0, k1 = 0;
        for (size_t k = 0; k < m.nf; k++)
            if (m.f[k].num == 1)
                k1++;
        for (size_t k = 0, j = 0; k < m.nf; k++)
            if (m.f[k].num == 1 && (j++ == 0 || j == k1 / 2 || j == k1) && np < 3)
                pieces[np++] = k;
        for (size_t k = 0; k < np && ok; k++)
            ok = mutate_piece(&r, &m, pieces[k]);
        for (size_t k = 0; k < m.nf && ok; k++)
            if (m.f[k].wt == 2 && (m.f[k].num == 2 || m.f[k].num == 3))
                ok = mutate_spec(&r, &m, k, m.f[k].num);
        mut_end(&r);
        total += r.loads;
        free(m.f);
        free(p);
    }
    printf("  malformed SentencePiece: %zu models, %zu mutants\n", nn, total);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
}
