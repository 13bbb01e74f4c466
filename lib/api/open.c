/* open: opening a tokenizer by name or path, from a file or from memory. The format of a file
 * is told from its content: JSON is a tokenizer.json, a protobuf that starts like a ModelProto
 * is a SentencePiece .model, anything else is read as a .tiktoken file. */
#include "api/api.h"
#include "formats/hf/hf.h"
#include "formats/spm/spm.h"
#include "formats/tiktoken/tiktoken.h"

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
    tok_status st = tok_read_file(path, &data, &len, err);
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
