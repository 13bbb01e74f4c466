/* shipped_twin: a tokenizer.json that tokscope ships as a pack opens from the pack.
 *
 * Users pass the tokenizer.json they have (`-t llama3/tokenizer.json`, `Tokenizer.from_file`),
 * and for the open models tokscope ships that is often byte for byte the file a pack in the
 * data directory was made from (vocabs/open/MANIFEST). Parsing it takes 0.1-0.4 s, and a
 * byte-level file proves its merges are rank BPE on its first long piece (another 0.15 s); the
 * pack has both done and opens in milliseconds. The pack is the same tokenizer -- the goldens
 * check every shipped pack against the reference -- so the file opens from it, under the
 * file's name, without the pack's chat template (a tokenizer.json carries none).
 *
 * Each pack records its source's SHA-256 and length (load/packed.c). The length is compared
 * first, so a file no pack came from costs a directory listing and a page of each pack, never
 * a hash; a pack that does not record its length is compared by hash. */
#include "api/api.h"
#include "formats/hf/hf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The pack at path, mapped, when it was made from data[0..len): its mapping, its length and
 * its view; NULL otherwise. hex is data's SHA-256, computed on the first pack whose recorded
 * source length matches (*hashed then set), so at most once across packs. */
static void *matching_pack(const char *path, const uint8_t *data, size_t len, bool *hashed,
                           char hex[65], size_t *map_len, tok_pack_view *p)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > TOK_PACK_HEADER_SIZE)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    *map_len = (size_t)st.st_size;
    char want[65];
    uint64_t src_len;
    if (tok_pack_read(map, *map_len, path, p, NULL) == TOK_OK &&
        tok_hf_pack_source(p, want, &src_len) && (src_len == UINT64_MAX || src_len == len)) {
        if (!*hashed) {
            tok_sha256_hex(data, len, hex);
            *hashed = true;
        }
        if (!memcmp(hex, want, 64))
            return map;
    }
    munmap(map, *map_len);
    return NULL;
}

tok_status tok_open_shipped_twin(const uint8_t *data, size_t len, const char *path,
                                 tok_tokenizer **out)
{
    const char *dirs[2];
    size_t n_dirs = tok_data_dirs(dirs);
    bool hashed = false;
    char hex[65];
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        for (struct dirent *e; (e = readdir(d));) {
            size_t nl = strlen(e->d_name);
            if (nl < 5 || strcmp(e->d_name + nl - 4, ".tkz") != 0)
                continue;
            char pack[4096];
            int k = snprintf(pack, sizeof pack, "%s/%s", dirs[i], e->d_name);
            if (k <= 0 || (size_t)k >= sizeof pack)
                continue;
            size_t map_len;
            tok_pack_view p;
            void *map = matching_pack(pack, data, len, &hashed, hex, &map_len, &p);
            if (!map)
                continue;
            closedir(d);
            /* A pack that fails to open (damaged since it was installed) leaves the file to
             * its own loader: the pack is only a faster way to the same tokenizer. */
            tok_error ignored;
            if (tok_open_hf_packed(&p, map, true, path, out, &ignored) != TOK_OK)
                return TOK_ENOENT; /* it unmapped the pack */
            (*out)->chat_config = NULL;
            (*out)->chat_config_len = 0;
            return TOK_OK;
        }
        closedir(d);
    }
    return TOK_ENOENT;
}
