/* file: reading a whole file into memory -- the one reader behind tokenizer files and price
 * files, so both report the same errors in the same words -- and mapping one. */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *tok_map_file(const char *path, size_t min, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > min)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    *len = (size_t)st.st_size;
    return map;
}

tok_status tok_read_file(const char *path, uint8_t **data, size_t *len, tok_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tok_fail(err, errno == ENOENT ? TOK_ENOENT : TOK_EIO, path, TOK_NO_OFFSET,
                        "%s: %s", path, strerror(errno));
    return tok_read_fd(fd, path, data, len, err);
}

/* The descriptor is read once, from where it stands, and closed: a FIFO opened by a caller that
 * looked at it first must not be opened again (its writer would lose what it wrote between). */
tok_status tok_read_fd(int fd, const char *path, uint8_t **data, size_t *len, tok_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        return tok_fail(err, TOK_EIO, path, TOK_NO_OFFSET, "%s: %s", path, strerror(e));
    }
    struct stat stbuf;
    if (fstat(fileno(f), &stbuf) != 0 || S_ISDIR(stbuf.st_mode)) {
        int e = S_ISDIR(stbuf.st_mode) ? EISDIR : errno;
        fclose(f);
        return tok_fail(err, TOK_EIO, path, TOK_NO_OFFSET, "%s: %s", path, strerror(e));
    }
    /* a regular file's size is a first guess only (it may change while it is read) */
    size_t first = stbuf.st_size > 0 ? (size_t)stbuf.st_size + 1 : 4096, cap = 0, n = 0;
    bool regular = S_ISREG(stbuf.st_mode) && stbuf.st_size > 0;
    uint8_t *buf = NULL;
    for (;;) {
        if (!regular && n >= TOK_MAX_STREAM_READ) { /* a pipe or device may never end */
            free(buf);
            fclose(f);
            return tok_fail(err, TOK_EIO, path, n,
                            "%s: more than %u MiB from a pipe or device; tokscope reads at most "
                            "that much from one", path, TOK_MAX_STREAM_READ >> 20);
        }
        if (!tok_grow(&buf, &cap, n + 1, 1, first)) {
            free(buf);
            fclose(f);
            return tok_fail(err, TOK_ENOMEM, path, TOK_NO_OFFSET, "%s: out of memory", path);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n == cap)
            continue;
        if (ferror(f)) {
            int e = errno;
            free(buf);
            fclose(f);
            return tok_fail(err, TOK_EIO, path, n, "%s: read error at byte %zu: %s", path, n,
                            strerror(e));
        }
        break;
    }
    fclose(f);
    buf[n] = 0; /* n < cap: room for it */
    *data = buf;
    *len = n;
    return TOK_OK;
}
