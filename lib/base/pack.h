/* pack: tokscope's container for packed tokenizers -- a header, a table of sections, and each
 * section's bytes, 64-byte aligned, so a format can point into a mapped file instead of
 * parsing it. Native byte order (the header says which; another is refused).
 *
 *   "TOKSCOPE-PACK" NUL, u16 version, u16 byte-order mark, u32 format, u32 n_sections,
 *   then n_sections x {u32 kind, u32 reserved, u64 offset, u64 length}, then the data.
 *
 * Reading checks that every section lies inside the data; what a section holds is checked by
 * the format that reads it. */
#ifndef TOK_PACK_H
#define TOK_PACK_H

#include "base/base.h"

#define TOK_PACK_MAGIC "TOKSCOPE-PACK"
#define TOK_PACK_VERSION 2 /* 2: rank-BPE tables and UNREACH in HF packs */
#define TOK_PACK_MAX_SECTIONS 32
#define TOK_PACK_HEADER_SIZE 28 /* the section table starts here */

typedef struct tok_pack_section {
    uint32_t kind, reserved;
    uint64_t offset, length;
} tok_pack_section;

typedef struct tok_pack_view {
    const uint8_t *data;
    size_t len;
    uint32_t format;
    uint32_t n;
    tok_pack_section s[TOK_PACK_MAX_SECTIONS];
} tok_pack_view;

/* Whether data starts like a pack. */
bool tok_pack_is(const void *data, size_t len);
/* Read the header of data[0..len) into p (which points into data). TOK_EFORMAT, naming source,
 * when it is damaged, of another version or another byte order. */
tok_status tok_pack_read(const void *data, size_t len, const char *source, tok_pack_view *p,
                         tok_error *err);
/* Section of a kind: its bytes and length, or NULL when the pack has none. */
const void *tok_pack_get(const tok_pack_view *p, uint32_t kind, size_t *len);

/* Writing: add sections (copied), then finish into one malloc'd block. */
typedef struct tok_pack_writer {
    uint32_t format, n;
    tok_pack_section s[TOK_PACK_MAX_SECTIONS];
    tok_buf data; /* the sections, each padded to 64 bytes */
    bool failed;
} tok_pack_writer;

void tok_pack_writer_init(tok_pack_writer *w, uint32_t format);
void tok_pack_add(tok_pack_writer *w, uint32_t kind, const void *p, size_t len);
/* The whole pack (free with free()); false when out of memory or too many sections. The writer
 * is released either way. */
bool tok_pack_finish(tok_pack_writer *w, void **out, size_t *len);

#endif
