/* tokenizer: opening (by name, model or file), closing, and the facts and lookups on an open
 * tokenizer. Loaders only build tokenizers; encoding lives in encode.c. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

tok_tokenizer *tok_tokenizer_new(const char *name, tok_fmt fmt)
{
    tok_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = strdup(name ? name : "");
    if (!t->name) {
        free(t);
        return NULL;
    }
    t->fmt = fmt;
    return t;
}

/* (id, index) pairs: by id, then by index, so the first text listed for an id comes first */
static int by_id(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

tok_status tok_tokenizer_finish(tok_tokenizer *t)
{
    uint32_t n_ids = t->vocab.n_ids > t->n_ids ? t->vocab.n_ids : t->n_ids; /* a loader may
                                                                        set a larger id space */
    const tok_specials *sp = &t->specials;
    for (size_t i = 0; i < sp->n; i++)
        if (sp->toks[i].id >= n_ids)
            n_ids = sp->toks[i].id + 1;
    t->n_ids = n_ids;
    free(t->special_bits);
    free(t->special_sorted);
    t->special_bits = calloc((size_t)n_ids / 8 + 1, 1);
    /* (id, index) pairs sorted by id; the first text listed for an id is the one decode gives */
    t->special_sorted = malloc((sp->n + 1) * 2 * sizeof(uint32_t));
    if (!t->special_bits || !t->special_sorted)
        return TOK_ENOMEM;
    for (size_t i = 0; i < sp->n; i++) {
        uint32_t id = sp->toks[i].id;
        t->special_bits[id / 8] |= (uint8_t)(1u << (id % 8));
        t->special_sorted[2 * i] = id;
        t->special_sorted[2 * i + 1] = (uint32_t)i;
    }
    qsort(t->special_sorted, sp->n, 2 * sizeof(uint32_t), by_id);
    return TOK_OK;
}

void tok_close(tok_tokenizer *t)
{
    if (!t)
        return;
    if (t->ops && t->ops->free_impl)
        t->ops->free_impl(t->impl);
    tok_vocab_free(&t->vocab);
    tok_specials_free(&t->specials);
    tok_regex_free(t->regex);
    free(t->special_bits);
    free(t->special_sorted);
    free(t->pattern);
    free(t->name);
    free(t);
}

void tok_free(void *p) { free(p); }

/* ---- opening ---- */

static tok_status read_file(const char *path, uint8_t **data, size_t *len, tok_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return tok_fail(err, errno == ENOENT ? TOK_ENOENT : TOK_EIO, path, TOK_NO_OFFSET,
                        "%s: %s", path, strerror(errno));
    struct stat stbuf;
    if (fstat(fileno(f), &stbuf) != 0 || S_ISDIR(stbuf.st_mode)) {
        int e = S_ISDIR(stbuf.st_mode) ? EISDIR : errno;
        fclose(f);
        return tok_fail(err, TOK_EIO, path, TOK_NO_OFFSET, "%s: %s", path, strerror(e));
    }
    size_t cap = stbuf.st_size > 0 ? (size_t)stbuf.st_size + 1 : 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                fclose(f);
                return tok_fail(err, TOK_EIO, path, n, "%s: read error at byte %zu: %s", path,
                                n, strerror(e));
            }
            break;
        }
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (!buf)
        return tok_fail(err, TOK_ENOMEM, path, TOK_NO_OFFSET, "%s: out of memory", path);
    *data = buf;
    *len = n;
    return TOK_OK;
}

/* A SentencePiece .model is a protobuf ModelProto whose first field is a repeated
 * SentencePiece (field 1, length-delimited: tag 0x0A, a varint length) that itself starts with
 * its piece string (tag 0x0A again). Text formats do not start that way. */
static bool looks_like_model_proto(const uint8_t *p, size_t len)
{
    if (len < 4 || p[0] != 0x0A)
        return false;
    uint64_t l = 0;
    size_t i = 1;
    for (int shift = 0; i < len && shift < 35; shift += 7, i++) {
        l |= (uint64_t)(p[i] & 0x7F) << shift;
        if (!(p[i] & 0x80))
            break;
    }
    i++;
    return l > 0 && i < len && l <= len - i && p[i] == 0x0A;
}

tok_status tok_open_memory(const void *data, size_t len, const char *label,
                           const tok_open_options *opts, tok_tokenizer **out, tok_error *err)
{
    if (!out || (!data && len))
        return tok_fail(err, TOK_EINVAL, label, TOK_NO_OFFSET, "invalid arguments");
    *out = NULL;
    const char *src = label ? label : "<memory>";
    const uint8_t *p = data;
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    if (len == 0)
        return tok_fail(err, TOK_EFORMAT, src, 0, "%s: the file is empty", src);
    if (i < len && p[i] == '{')
        return tok_open_hf(p, len, src, out, err);
    if (looks_like_model_proto(p, len))
        return tok_open_spm(p, len, src, out, err);
    return tok_open_tiktoken(p, len, src, opts, out, err);
}

tok_status tok_open_file(const char *path, const tok_open_options *opts, tok_tokenizer **out,
                         tok_error *err)
{
    if (!path || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no file name given");
    *out = NULL;
    /* Map regular files (a 17 MB tokenizer.json need not be copied); read anything else. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat stbuf;
    if (fd >= 0 && fstat(fd, &stbuf) == 0 && S_ISREG(stbuf.st_mode) && stbuf.st_size > 0) {
        size_t len = (size_t)stbuf.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        close(fd);
        if (map != MAP_FAILED) {
            tok_status st = tok_open_memory(map, len, path, opts, out, err);
            munmap(map, len);
            return st;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    uint8_t *data = NULL;
    size_t len = 0;
    tok_status st = read_file(path, &data, &len, err);
    if (st != TOK_OK)
        return st;
    st = tok_open_memory(data, len, path, opts, out, err);
    free(data);
    return st;
}

tok_status tok_open_model(const char *model, tok_tokenizer **out, tok_error *err)
{
    const char *enc;
    tok_status st = tok_encoding_for_model(model, &enc, err);
    if (st != TOK_OK) {
        if (out)
            *out = NULL;
        return st;
    }
    return tok_open_encoding(enc, out, err);
}

tok_status tok_open(const char *name, tok_tokenizer **out, tok_error *err)
{
    if (!name || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no name given");
    if (tok_builtin_find(name))
        return tok_open_encoding(name, out, err);
    const char *enc;
    if (tok_encoding_for_model(name, &enc, NULL) == TOK_OK)
        return tok_open_encoding(enc, out, err);
    struct stat stbuf;
    if (stat(name, &stbuf) == 0)
        return tok_open_file(name, NULL, out, err);
    *out = NULL;
    const char *all[TOK_MODEL_NAMES_MAX + 16];
    size_t n = 0;
    while (n < tok_builtin_count())
        all[n] = tok_builtin_name(n), n++;
    n += tok_model_names(all + n, TOK_MODEL_NAMES_MAX);
    char near[256];
    tok_closest_names(name, all, n, near, sizeof near);
    return tok_fail(err, TOK_ENOENT, name, TOK_NO_OFFSET,
                    "'%s' is not a built-in encoding, a known model or a file (closest: %s)",
                    name, near);
}

/* ---- facts and lookups ---- */

const char *tok_name(const tok_tokenizer *t) { return t->name; }

const char *tok_format(const tok_tokenizer *t)
{
    return t->fmt == TOK_FMT_HF ? "huggingface" : t->fmt == TOK_FMT_SPM ? "sentencepiece"
                                                                         : "tiktoken";
}

uint32_t tok_vocab_size(const tok_tokenizer *t) { return t->n_ids; }

const char *tok_pattern(const tok_tokenizer *t) { return t->pattern ? t->pattern : ""; }

size_t tok_special_count(const tok_tokenizer *t) { return t->specials.n; }

tok_status tok_special_at(const tok_tokenizer *t, size_t i, const char **text, size_t *len,
                          uint32_t *id)
{
    if (i >= t->specials.n)
        return TOK_ERANGE;
    const tok_special_tok *s = &t->specials.toks[i];
    if (text)
        *text = (const char *)s->text;
    if (len)
        *len = s->len;
    if (id)
        *id = s->id;
    return TOK_OK;
}

int tok_is_special(const tok_tokenizer *t, uint32_t id)
{
    return id < t->n_ids && (t->special_bits[id / 8] >> (id % 8) & 1);
}

/* Index into specials.toks of the first text for a special id, or -1. */
static long special_index(const tok_tokenizer *t, uint32_t id)
{
    size_t lo = 0, hi = t->specials.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->special_sorted[2 * mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->specials.n && t->special_sorted[2 * lo] == id)
        return (long)t->special_sorted[2 * lo + 1];
    return -1;
}

tok_status tok_token_bytes(const tok_tokenizer *t, uint32_t id, const char **bytes, size_t *len)
{
    if (tok_is_special(t, id)) {
        const tok_special_tok *s = &t->specials.toks[special_index(t, id)];
        *bytes = (const char *)s->text;
        *len = s->len;
        return TOK_OK;
    }
    if (id >= t->vocab.n_ids || tok_vocab_len(&t->vocab, id) == 0)
        return TOK_EID;
    *bytes = (const char *)t->vocab.bytes + t->vocab.off[id];
    *len = tok_vocab_len(&t->vocab, id);
    return TOK_OK;
}

tok_status tok_token_id(const tok_tokenizer *t, const char *bytes, size_t len, uint32_t *id)
{
    if (!bytes && len)
        return TOK_EINVAL;
    uint32_t v = len ? tok_vocab_find(&t->vocab, (const uint8_t *)bytes, len) : TOK_NO_ID;
    if (v == TOK_NO_ID && len && t->specials.n) {
        uint32_t pos = tok_vocab_find(&t->specials.index, (const uint8_t *)bytes, len);
        if (pos != TOK_NO_ID)
            v = t->specials.toks[pos].id;
    }
    if (v == TOK_NO_ID)
        return TOK_ENOENT;
    *id = v;
    return TOK_OK;
}
