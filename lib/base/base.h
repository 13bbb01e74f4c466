/* base: what every layer of the library stands on -- errors, memory, growable buffers, whole
 * files, hashing. Nothing here knows what a token is.
 *
 * The layers of lib/, lowest first; a file includes only headers of its own folder or of lower
 * layers (tests/check_layout.sh enforces it, `make check-layout`):
 *
 *   base/      errors, buffers, files, JSON, SHA-256, big allocations (this folder)
 *   text/      UTF-8, Unicode tables, lossy decoding
 *   vocab/     token tables, the trie, special-token matching
 *   split/     pre-tokenizers: hand-written scanners, the regex fallback, regex rewriting
 *   algo/      algorithms several formats share: rank BPE, Unigram, the charsmap
 *   core/      the tokenizer object and the format interface every format implements
 *   formats/   tiktoken/, hf/, spm/ -- a format never includes another format
 *   registry/  models, prices, money, cost (data; opens no tokenizer)
 *   api/       opening by name, model or file; the encode and decode drivers; batches
 *   template/  the Jinja interpreter for chat templates
 *   chat/      counting conversations and requests
 *
 * tokscope.h, the public header, sits above them all and may be included anywhere. */
#ifndef TOK_BASE_H
#define TOK_BASE_H

#define TOK_BUILDING_LIBRARY 1
#include "tokscope.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TOK_HIDDEN __attribute__((visibility("hidden")))

/* ---- errors (status.c, names.c) ---- */

/* Fill err (if not NULL) and return status. source may be NULL. The message is printf-style
 * and should read as a complete statement ("line 3: bad base64"). */
tok_status tok_fail(tok_error *err, tok_status status, const char *source, uint64_t offset,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tok_error_clear(tok_error *err);

/* 1-based line and column (in bytes) of offset in data, for messages about text files. */
void tok_line_col(const char *data, size_t len, size_t offset, uint32_t *line, uint32_t *col);

/* Closest names to `name` among n candidates, written as "a, b, c" into buf. */
void tok_closest_names(const char *name, const char *const *cands, size_t n, char *buf,
                       size_t cap);

/* ---- memory ---- */

/* Large zero-filled blocks on huge pages (bigmem.c); free with the same size. */
void *tok_big_alloc(size_t size);
void tok_big_free(void *p, size_t size);
/* Zero-filled blocks whose pages take memory only once written (bigmem.c): for large tables of
 * which little is written. Free with the same size. */
void *tok_sparse_alloc(size_t size);
void tok_sparse_free(void *p, size_t size);

/* Zeroed memory of the calling thread, freed when the thread ends (thread_mem.c): the home of
 * the per-thread caches. NULL when out of memory; callers then work without their cache. */
void *tok_thread_calloc(size_t bytes);

/* The library's one growable-array step (buf.c). tok_grow makes room for `need` elements of
 * `size` bytes in *arr (a T **, capacity *cap, doubled from `first` as needed); false (and *arr
 * and *cap unchanged) when out of memory or the size overflows. Arrays that grow together take
 * the new capacity from tok_grow_cap (0 on overflow; at least `first` for an empty array, so
 * they always have memory) and tok_realloc each to it. */
bool tok_grow(void *arr, size_t *cap, size_t need, size_t size, size_t first);
size_t tok_grow_cap(size_t cap, size_t need, size_t first);
bool tok_realloc(void *arr, size_t n, size_t size);

/* Growable byte buffer (decoders write text into one). Always NUL-terminated when non-empty. */
typedef struct tok_buf {
    uint8_t *data;
    size_t len, cap;
    bool oom;
} tok_buf;

bool tok_buf_put(tok_buf *b, const void *p, size_t n); /* false (and oom set) when out of memory */
void tok_buf_free(tok_buf *b);

/* Per-call scratch: grown as needed, reused across pieces, freed when the call ends. The
 * counts tell the word cache (algo/word_cache.c) whether this text repeats its pieces. */
typedef struct tok_scratch {
    void *buf;
    size_t cap;
    uint32_t wc_hits, wc_misses;
} tok_scratch;

void *tok_scratch_get(tok_scratch *s, size_t bytes); /* NULL when out of memory */
void tok_scratch_free(tok_scratch *s);

/* The output of an encode call: tokens go to ids/spans while they fit; n counts all of them.
 * With grow set, the arrays are reallocated instead (the library owns them until handed to the
 * caller). */
typedef struct tok_out {
    uint32_t *ids;
    tok_span *spans;
    size_t cap, n;
    bool grow, want_spans, oom;
} tok_out;

void tok_out_slow(tok_out *o, uint32_t id, uint64_t start, uint64_t end);

static inline void tok_out_push(tok_out *o, uint32_t id, uint64_t start, uint64_t end)
{
    if (o->n < o->cap) {
        o->ids[o->n] = id;
        if (o->want_spans) {
            o->spans[o->n].start = start;
            o->spans[o->n].end = end;
        }
        o->n++;
    } else if (!o->grow) { /* counting: nothing is kept */
        o->n++;
    } else {
        tok_out_slow(o, id, start, end);
    }
}

/* ---- files (file.c) ---- */

/* The whole of path into *data (malloc'd, with a NUL after the *len bytes); errors name the
 * path (TOK_ENOENT, TOK_EIO, TOK_ENOMEM). At most TOK_MAX_STREAM_READ bytes from a pipe or a
 * device (/dev/zero never ends): more is TOK_EIO. */
#define TOK_MAX_STREAM_READ (1u << 28)
tok_status tok_read_file(const char *path, uint8_t **data, size_t *len, tok_error *err);
/* The same from an open descriptor, which it closes (path names it in messages). */
tok_status tok_read_fd(int fd, const char *path, uint8_t **data, size_t *len, tok_error *err);
/* path mapped read-only (pages read as they are touched) when it is a regular file of more
 * than min bytes: the mapping, its length in *len; NULL otherwise (no message: the callers,
 * which look through the packs of a data directory, skip what they cannot map). */
void *tok_map_file(const char *path, size_t min, size_t *len);

/* ---- base64 (base64.c) ---- */

/* Decode s[0..n) into out (at least n / 4 * 3 + 3 bytes); returns the length, or SIZE_MAX if
 * the text is not base64. strict: padding required and trailing bits zero, as Rust's base64
 * STANDARD engine (tokenizer.json); else padding optional, as tiktoken reads .tiktoken files. */
size_t tok_base64_decode(const uint8_t *s, size_t n, uint8_t *out, bool strict);

/* ---- searching ---- */
/* memchr(s, c, n) for a byte met every few bytes (a space, a word delimiter's first byte): the
 * first 32 bytes eight at a time in registers, the rest by memchr, whose set-up on every call
 * cost more than the search (29% of a Unigram count of prose went to memchr's entry). */
static inline const uint8_t *tok_memchr(const uint8_t *s, uint8_t c, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n && i < 32; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        x ^= ones * c; /* a zero byte where s has c */
        /* the lowest byte flagged is the first zero byte (a borrow only flags bytes above one) */
        uint64_t z = (x - ones) & ~x & high;
        if (z)
            return s + i + ((unsigned)__builtin_ctzll(z) >> 3); /* little-endian */
    }
    return n > i ? (const uint8_t *)memchr(s + i, c, n - i) : NULL;
}

/* a[0..n) == b[0..n) for a character's few bytes: inline, where memcmp of a length the compiler
 * cannot see is a call (a run of 4 MB of U+2581 compares each character with the one before) */
static inline bool tok_same_char(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (a[k] != b[k])
            return false;
    return true;
}

/* The end of the run that repeats the character s[i - cl..i) (cl 1-4, i >= cl) from i on: the
 * first place from which a whole copy of it does not follow. Twelve bytes at a time (a whole
 * number of characters of any length), each compared with the byte one character back. */
static inline size_t tok_run_end(const uint8_t *s, size_t i, size_t n, size_t cl)
{
    while (n - i >= 12) {
        uint64_t x, y;
        uint32_t x4, y4;
        memcpy(&x, s + i, 8), memcpy(&y, s + i - cl, 8);
        memcpy(&x4, s + i + 8, 4), memcpy(&y4, s + i + 8 - cl, 4);
        if (x != y || x4 != y4)
            break;
        i += 12;
    }
    while (n - i >= cl && tok_same_char(s + i, s + i - cl, cl))
        i += cl;
    return i;
}

/* The first place needle[0..m) (m >= 1) occurs in s[0..n), or NULL: tok_memchr for its first
 * byte, then the rest compared. For short needles met every few bytes (a word delimiter),
 * where memmem's set-up on every call costs more than the search. */
static inline const uint8_t *tok_find(const uint8_t *s, size_t n, const uint8_t *needle,
                                      size_t m)
{
    for (const uint8_t *end = s + n; (size_t)(end - s) >= m;) {
        const uint8_t *p = tok_memchr(s, needle[0], (size_t)(end - s) - m + 1);
        if (!p)
            return NULL;
        if (tok_same_char(p + 1, needle + 1, m - 1))
            return p;
        s = p + 1;
    }
    return NULL;
}

/* ---- hashing ---- */

/* Fibonacci hashing: multiply by 2^64 / phi; callers take the high bits as the slot. */
static inline uint64_t tok_fib_hash(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }

/* SHA-256 of data[0..len) (sha256.c), with the processor's SHA extensions when it has them;
 * tok_sha256_with(..., false) takes the portable rounds (for tests that compare the two). */
void tok_sha256(const void *data, size_t len, uint8_t out[32]);
void tok_sha256_with(const void *data, size_t len, uint8_t out[32], bool allow_cpu_extensions);
/* The same as 64 lowercase hex digits and a NUL, as tiktoken and packs write it. */
void tok_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
