/* open: opening a tokenizer by name or path, from a file or from memory. The format of a file
 * is told from its content: JSON is a tokenizer.json, a protobuf that starts like a ModelProto
 * is a SentencePiece .model, anything else is read as a .tiktoken file. */
#include "api/api.h"
#include "formats/hf/hf.h"
#include "formats/spm/spm.h"
#include "formats/tiktoken/tiktoken.h"
#include "registry/registry.h"

#include <ctype.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* A pack in backing[0..len): the format it holds takes backing over (freed or unmapped with
 * the tokenizer, or at once on failure). */
static tok_status open_pack(void *backing, size_t len, bool mapped, const char *src,
                            tok_tokenizer **out, tok_error *err)
{
    tok_pack_view p;
    tok_status st = tok_pack_read(backing, len, src, &p, err);
    if (st == TOK_OK && p.format == TOK_PACK_HF)
        return tok_open_hf_packed(&p, backing, mapped, src, out, err);
    if (st == TOK_OK)
        st = tok_fail(err, TOK_EFORMAT, src, TOK_NO_OFFSET,
                      "%s: a pack of a format this tokscope does not know (%u)", src, p.format);
    if (mapped)
        munmap(backing, len);
    else
        free(backing);
    return st;
}

/* "hf:ORG/NAME": the tokenizer.json of that model in the local Hugging Face cache. */
static tok_status open_hf_cache(const char *repo, tok_tokenizer **out, tok_error *err)
{
    char path[4096], where[2048];
    if (!tok_hf_cache_find(repo, "tokenizer.json", path, sizeof path, where, sizeof where))
        return tok_fail(err, TOK_ENOENT, repo, TOK_NO_OFFSET,
                        "hf:%s: no tokenizer.json for it in the Hugging Face cache (looked in "
                        "%s/snapshots/)", repo, where[0] ? where : "$HF_HOME/hub");
    return tok_open_file(path, NULL, out, err);
}

/* .tiktoken text: the first line is base64, one space, a rank. */
static bool looks_like_tiktoken(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && (isalnum(p[i]) || p[i] == '+' || p[i] == '/' || p[i] == '='))
        i++;
    if (i == 0 || i >= len || p[i] != ' ')
        return false;
    size_t d = ++i;
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++;
    return i > d && (i == len || p[i] == '\n' || p[i] == '\r');
}

/* Where the content starts: past leading whitespace. JSON (a tokenizer.json) starts with '{'
 * there. */
static size_t skip_space(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

tok_status tok_open_memory(const void *data, size_t len, const char *label,
                           const tok_open_options *opts, tok_tokenizer **out, tok_error *err)
{
    if (!out || (!data && len))
        return tok_fail(err, TOK_EINVAL, label, TOK_NO_OFFSET, "invalid arguments");
    *out = NULL;
    const char *src = label ? label : "<memory>";
    const uint8_t *p = data;
    size_t i = skip_space(p, len);
    if (len == 0)
        return tok_fail(err, TOK_EFORMAT, src, 0, "%s: the file is empty", src);
    if (tok_pack_is(p, len)) { /* the tokenizer points into its pack: keep a copy */
        void *copy = malloc(len);
        if (!copy)
            return tok_fail(err, TOK_ENOMEM, src, TOK_NO_OFFSET, "%s: out of memory", src);
        memcpy(copy, p, len);
        return open_pack(copy, len, false, src, out, err);
    }
    if (i < len && p[i] == '{') {
        tok_status st = tok_open_hf(p, len, src, out, err);
        if (st == TOK_OK)
            tok_note_builtin_twin(*out);
        return st;
    }
    if (looks_like_model_proto(p, len))
        return tok_open_spm(p, len, src, out, err);
    /* .tiktoken text by its first line, or by its name (then its parser names the bad line) */
    if (looks_like_tiktoken(p + i, len - i) || i == len || ends_with(src, ".tiktoken"))
        return tok_open_tiktoken(p, len, src, opts, out, err);
    /* none of the formats: say what was looked for, and what the name promised */
    const char *hint = ends_with(src, ".model")
                           ? "; a .model file must be a SentencePiece ModelProto, which starts "
                             "with the byte 0x0A and a piece"
                       : ends_with(src, ".json") ? "; a tokenizer.json starts with '{'"
                       : ends_with(src, ".tiktoken")
                           ? "; a .tiktoken file holds a base64 token, a space and a rank on "
                             "each line"
                           : "";
    return tok_fail(err, TOK_EFORMAT, src, 0,
                    "%s: not a tokenizer file tokscope knows: not JSON (tokenizer.json), not a "
                    "SentencePiece ModelProto (.model), not .tiktoken text, not a tokscope pack "
                    "(byte 0 is 0x%02X)%s", src, p[0], hint);
}

tok_status tok_open_file(const char *path, const tok_open_options *opts, tok_tokenizer **out,
                         tok_error *err)
{
    if (!path || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no file name given");
    *out = NULL;
    if (!strncmp(path, "hf:", 3))
        return open_hf_cache(path + 3, out, err);
    /* Map regular files (a 17 MB tokenizer.json need not be copied); read anything else. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat stbuf;
    if (fd >= 0 && fstat(fd, &stbuf) == 0 && S_ISREG(stbuf.st_mode) && stbuf.st_size > 0) {
        size_t len = (size_t)stbuf.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        /* A pack stays mapped (no copy), its pages read as they are touched: most of a
         * character-level pack is rank tables only a long word reads (formats/hf/load/packed.c),
         * which MAP_POPULATE would make resident in every process. Anything else is read whole,
         * so populated at once. */
        if (map != MAP_FAILED && tok_pack_is(map, len)) {
            close(fd);
            return open_pack(map, len, true, path, out, err);
        }
        if (map != MAP_FAILED) {
            munmap(map, len);
            map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        }
        close(fd);
        fd = -1; /* if the map failed, the file is read below: a regular file opens again */
        if (map != MAP_FAILED) {
            /* a tokenizer.json tokscope ships opens from its pack (shipped_twin.c) */
            size_t i = skip_space(map, len);
            bool json = i < len && ((const uint8_t *)map)[i] == '{';
            if (json && tok_open_shipped_twin(map, len, path, out) == TOK_OK) {
                munmap(map, len);
                return TOK_OK;
            }
            tok_status st = tok_open_memory(map, len, path, opts, out, err);
            munmap(map, len);
            if (st == TOK_OK && json) /* a pack may hold its model (shipped_twin.c) */
                tok_note_model_twins(*out);
            return st;
        }
    }
    /* anything else (a pipe, a FIFO, a device) is read from the descriptor already open: opening
     * a FIFO a second time would lose what its writer wrote in between */
    uint8_t *data = NULL;
    size_t len = 0;
    tok_status st = fd >= 0 ? tok_read_fd(fd, path, &data, &len, err)
                            : tok_read_file(path, &data, &len, err);
    if (st != TOK_OK)
        return st;
    st = tok_open_memory(data, len, path, opts, out, err);
    free(data);
    return st;
}

/* Unknown name: the message lists the closest encodings, OpenAI names and registry models. */
static tok_status unknown(const char *name, const tok_registry *reg, const char *what,
                          tok_error *err)
{
    size_t nreg = reg ? tok_registry_count(reg) : 0;
    const char **all = malloc((TOK_MODEL_NAMES_MAX + 16 + nreg) * sizeof *all);
    if (!all)
        return tok_fail(err, TOK_ENOMEM, name, TOK_NO_OFFSET, "out of memory");
    size_t n = 0;
    while (n < tok_builtin_count())
        all[n] = tok_builtin_name(n), n++;
    n += tok_model_names(all + n, TOK_MODEL_NAMES_MAX);
    for (size_t i = 0; i < nreg; i++)
        all[n++] = tok_registry_model(reg, i)->id;
    char near[256];
    tok_closest_names(name, all, n, near, sizeof near);
    free(all);
    return tok_fail(err, TOK_ENOENT, name, TOK_NO_OFFSET, "'%s' is not %s (closest: %s)", name,
                    what, near);
}

/* A model of the built-in registry whose tokenizer counts exactly. */
static tok_status open_registry_model(const char *name, bool files, tok_tokenizer **out,
                                      tok_error *err)
{
    tok_registry *reg;
    tok_status st = tok_registry_open(&reg, err);
    if (st != TOK_OK)
        return st;
    const tok_model *m;
    if (tok_model_find(reg, name, &m, NULL) != TOK_OK) {
        st = TOK_ENOENT;
        if (strchr(name, '/') && !strchr(strchr(name, '/') + 1, '/')) { /* ORG/NAME */
            char path[4096], where[2048];
            if (tok_hf_cache_find(name, "tokenizer.json", path, sizeof path, where, sizeof where))
                st = tok_open_file(path, NULL, out, err);
        }
        if (st == TOK_ENOENT)
            st = unknown(name, reg, files ? "a built-in encoding, a known model or a file"
                                          : "a known model", err);
        tok_registry_close(reg);
        return st;
    }
    bool exact;
    st = tok_model_open_tokenizer(m, NULL, 0, out, &exact, err);
    if (st == TOK_OK && !exact) {
        tok_close(*out);
        *out = NULL;
        if (m->tokenizer[0])
            st = tok_fail(err, TOK_ENOENT, m->id, TOK_NO_OFFSET,
                          "%s: its vocabulary %s is not installed (make vocabs builds it), so "
                          "only an estimate can be had (tok_model_open_tokenizer)", m->id,
                          m->tokenizer);
        else
            st = tok_fail(err, TOK_EUNSUPPORTED, m->id, TOK_NO_OFFSET,
                          "%s: its tokenizer is not public, so its counts can only be "
                          "estimated (tok_model_open_tokenizer gives the estimating tokenizer)",
                          m->id);
    }
    tok_registry_close(reg);
    return st;
}

tok_status tok_open_model(const char *model, tok_tokenizer **out, tok_error *err)
{
    if (!model || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no model name given");
    *out = NULL;
    const char *enc;
    if (tok_encoding_for_model(model, &enc, NULL) == TOK_OK)
        return tok_open_encoding(enc, out, err);
    return open_registry_model(model, false, out, err);
}

tok_status tok_open(const char *name, tok_tokenizer **out, tok_error *err)
{
    if (!name || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no name given");
    *out = NULL;
    if (tok_builtin_find(name))
        return tok_open_encoding(name, out, err);
    const char *enc;
    if (tok_encoding_for_model(name, &enc, NULL) == TOK_OK)
        return tok_open_encoding(enc, out, err);
    struct stat stbuf;
    if (!strncmp(name, "hf:", 3) || stat(name, &stbuf) == 0)
        return tok_open_file(name, NULL, out, err);
    return open_registry_model(name, true, out, err);
}
