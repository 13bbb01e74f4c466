/* image_size: width and height from an image file's header, without decoding a pixel (RULES.md
 * 4.5). The bytes come through a reader, so a base64 payload is decoded only as far as the
 * header reaches and a file is read only there: a JPEG's size can sit behind large metadata
 * segments, which are skipped by their lengths. */
#include "chat/images.h"

#include <stdio.h>
#include <string.h>

static bool get(chat_image_reader *rd, uint64_t off, uint8_t *buf, size_t n)
{
    return rd->read(rd->ctx, off, buf, n) == n;
}

static uint32_t be16(const uint8_t *b) { return (uint32_t)b[0] << 8 | b[1]; }
static uint32_t be32(const uint8_t *b) { return be16(b) << 16 | be16(b + 2); }
static uint32_t le16(const uint8_t *b) { return (uint32_t)b[1] << 8 | b[0]; }
static uint32_t le24(const uint8_t *b) { return le16(b) | (uint32_t)b[2] << 16; }
static uint32_t le32(const uint8_t *b) { return le24(b) | (uint32_t)b[3] << 24; }

/* The orientation tag (0x0112) of an APP1 Exif segment whose payload starts at off, len bytes;
 * 0 when there is none or the segment is not well formed (it only adds a note). */
static int exif_orientation(chat_image_reader *rd, uint64_t off, uint32_t len)
{
    uint8_t h[14];
    if (len < 14 || !get(rd, off, h, 14) || memcmp(h, "Exif\0\0", 6) != 0)
        return 0;
    bool le = h[6] == 'I' && h[7] == 'I';
    if (!le && !(h[6] == 'M' && h[7] == 'M'))
        return 0;
    uint64_t tiff = off + 6;
    uint32_t tlen = len - 6;
    uint32_t ifd = le ? le32(h + 10) : be32(h + 10);
    uint8_t c[2];
    if ((uint64_t)ifd + 2 > tlen || !get(rd, tiff + ifd, c, 2))
        return 0;
    uint32_t n = le ? le16(c) : be16(c);
    for (uint32_t i = 0; i < n && (uint64_t)ifd + 2 + 12 * (i + 1) <= tlen; i++) {
        uint8_t e[12];
        if (!get(rd, tiff + ifd + 2 + 12 * i, e, 12))
            return 0;
        uint32_t tag = le ? le16(e) : be16(e);
        if (tag == 0x0112) {
            uint32_t v = le ? le16(e + 8) : be16(e + 8);
            return v >= 1 && v <= 8 ? (int)v : 0;
        }
    }
    return 0;
}

static bool jpeg_size(chat_image_reader *rd, chat_image_info *out, const char **why)
{
    uint64_t i = 2;
    uint8_t b[9];
    for (;;) {
        if (!get(rd, i, b, 2)) {
            *why = "JPEG ended before its size (no SOF marker)";
            return false;
        }
        if (b[0] != 0xFF) {
            *why = "JPEG: a segment does not start with a marker";
            return false;
        }
        uint8_t m = b[1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) {
            *why = "JPEG has no SOF marker before its image data";
            return false;
        }
        if (!get(rd, i + 2, b, 2)) {
            *why = "JPEG ended inside a segment header";
            return false;
        }
        uint32_t len = be16(b);
        if (len < 2) {
            *why = "JPEG: a segment length below 2";
            return false;
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (!get(rd, i + 2, b, 7)) {
                *why = "JPEG: its SOF segment is cut short";
                return false;
            }
            out->format = "jpeg";
            out->height = be16(b + 3);
            out->width = be16(b + 5);
            return true;
        }
        if (m == 0xE1 && !out->orientation)
            out->orientation = exif_orientation(rd, i + 4, len - 2);
        i += 2 + len;
    }
}

bool chat_image_size(chat_image_reader *rd, chat_image_info *out, const char **why)
{
    memset(out, 0, sizeof *out);
    uint8_t b[30];
    size_t n = rd->read(rd->ctx, 0, b, sizeof b);
    bool ok = false;
    *why = "not a PNG, JPEG, GIF or WebP image (the formats the APIs accept)";
    if (rd->error) {
        *why = rd->error;
        return false;
    }
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) {
        if (n < 24) {
            *why = "PNG cut short before its IHDR chunk";
        } else if (memcmp(b + 12, "IHDR", 4) != 0) {
            *why = "PNG without IHDR as its first chunk";
        } else {
            out->format = "png";
            out->width = be32(b + 16);
            out->height = be32(b + 20);
            ok = true;
        }
    } else if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6))) {
        if (n < 10) {
            *why = "GIF cut short before its screen size";
        } else {
            out->format = "gif";
            out->width = le16(b + 6);
            out->height = le16(b + 8);
            ok = true;
        }
    } else if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4)) {
        if (n < 30) {
            *why = "WebP cut short before its size";
        } else if (!memcmp(b + 12, "VP8 ", 4)) {
            if (b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A) {
                *why = "WebP VP8 without its start code";
            } else { /* the top two bits are scaling hints */
                out->format = "webp";
                out->width = le16(b + 26) & 0x3FFF;
                out->height = le16(b + 28) & 0x3FFF;
                ok = true;
            }
        } else if (!memcmp(b + 12, "VP8L", 4)) {
            if (b[20] != 0x2F) {
                *why = "WebP VP8L without its signature";
            } else {
                uint32_t v = le32(b + 21);
                out->format = "webp";
                out->width = (v & 0x3FFF) + 1;
                out->height = ((v >> 14) & 0x3FFF) + 1;
                ok = true;
            }
        } else if (!memcmp(b + 12, "VP8X", 4)) {
            out->format = "webp";
            out->width = le24(b + 24) + 1;
            out->height = le24(b + 27) + 1;
            ok = true;
        } else {
            *why = "WebP whose first chunk is not VP8, VP8L or VP8X";
        }
    } else if (n >= 2 && b[0] == 0xFF && b[1] == 0xD8) {
        ok = jpeg_size(rd, out, why);
    }
    if (rd->error) {
        *why = rd->error;
        return false;
    }
    if (ok && (!out->width || !out->height)) {
        *why = "the image header gives a width or height of 0";
        return false;
    }
    return ok;
}

/* ---- readers ---- */

typedef struct mem_src {
    const uint8_t *p;
    size_t n;
} mem_src;

static size_t mem_read(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
    const mem_src *m = ctx;
    if (off >= m->n)
        return 0;
    if (n > m->n - off)
        n = m->n - (size_t)off;
    memcpy(buf, m->p + off, n);
    return n;
}

bool chat_image_size_mem(const void *data, size_t n, chat_image_info *out, const char **why)
{
    mem_src m = {data, n};
    chat_image_reader rd = {mem_read, &m, NULL};
    return chat_image_size(&rd, out, why);
}

/* base64: decoded on demand into a growing prefix (headers are near the start; a JPEG's size
 * may sit behind metadata, still a small part of a photo). Whitespace is skipped, "=" ends the
 * data, anything else outside the alphabet (standard or URL-safe) is an error. */
typedef struct b64_src {
    const char *s;
    size_t n, at;   /* text, and how far it has been read */
    uint32_t acc;   /* bits read but not yet a whole byte */
    int bits;
    tok_buf out;    /* decoded so far */
    bool done;
    const char *error;
} b64_src;

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode until `want` bytes are out or the text ends. */
static void b64_more(b64_src *b, size_t want)
{
    uint8_t chunk[3072];
    size_t k = 0;
    while (!b->done && b->out.len + k < want) {
        if (b->at >= b->n) {
            b->done = true;
            break;
        }
        unsigned char c = (unsigned char)b->s[b->at++];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            b->done = true;
            break;
        }
        int v = b64_value(c);
        if (v < 0) {
            b->error = "the image data is not base64";
            b->done = true;
            break;
        }
        b->acc = (b->acc << 6 | (uint32_t)v) & 0xFFFFFF;
        b->bits += 6;
        if (b->bits >= 8) {
            b->bits -= 8;
            chunk[k++] = (uint8_t)(b->acc >> b->bits);
            if (k == sizeof chunk) {
                if (!tok_buf_put(&b->out, chunk, k))
                    b->done = true;
                k = 0;
            }
        }
    }
    if (k && !tok_buf_put(&b->out, chunk, k))
        b->done = true;
}

static size_t b64_read(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
    b64_src *b = ctx;
    if (off + n > b->out.len && !b->done) {
        size_t want = (size_t)(off + n);
        size_t grow = b->out.len * 2 > want ? b->out.len * 2 : want;
        b64_more(b, grow < 4096 ? 4096 : grow);
    }
    if (off >= b->out.len)
        return 0;
    if (n > b->out.len - off)
        n = b->out.len - (size_t)off;
    memcpy(buf, b->out.data + off, n);
    return n;
}

bool chat_image_size_base64(const char *b64, size_t n, chat_image_info *out, const char **why)
{
    b64_src b = {b64, n, 0, 0, 0, {0}, false, NULL};
    chat_image_reader rd = {b64_read, &b, NULL};
    bool ok = chat_image_size(&rd, out, why);
    if (b.error) {
        *why = b.error;
        ok = false;
    } else if (b.out.oom) {
        *why = "out of memory";
        ok = false;
    }
    tok_buf_free(&b.out);
    return ok;
}

static size_t file_read(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
    FILE *f = ctx;
    if (fseeko(f, (off_t)off, SEEK_SET) != 0)
        return 0;
    return fread(buf, 1, n, f);
}

bool chat_image_size_file(const char *path, chat_image_info *out, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = "cannot be opened";
        return false;
    }
    chat_image_reader rd = {file_read, f, NULL};
    bool ok = chat_image_size(&rd, out, why);
    if (ferror(f)) {
        *why = "cannot be read";
        ok = false;
    }
    fclose(f);
    return ok;
}
