/* images: an image's size from its file header (image_size.c), what it costs by each
 * provider's published rule (image_rules.c), and the item an image part of a request becomes
 * (image_part.c). RULES.md section 4 states the rules and their sources. */
#ifndef TOK_CHAT_IMAGES_H
#define TOK_CHAT_IMAGES_H

#include "chat/request.h"

/* ---- sizes (image_size.c) ---- */

typedef struct chat_image_info {
    const char *format;  /* "png", "jpeg", "gif", "webp" */
    uint32_t width, height;
    int orientation;     /* JPEG EXIF orientation 1-8, 0 when none */
} chat_image_info;

/* Bytes of an image, read on demand: read(ctx, off, buf, n) fills up to n bytes at off and
 * returns how many (fewer at the end; 0 past it). */
typedef struct chat_image_reader {
    size_t (*read)(void *ctx, uint64_t off, uint8_t *buf, size_t n);
    void *ctx;
    const char *error; /* set by a reader that fails (bad base64, an I/O error) */
} chat_image_reader;

/* The size from the header (PNG, GIF, WebP VP8/VP8L/VP8X, JPEG's first SOF marker); nothing is
 * decoded. False with *why (static text) when it is none of these or is cut short. */
bool chat_image_size(chat_image_reader *rd, chat_image_info *out, const char **why);
/* The same from memory, from base64 text (whitespace allowed; decoded only as far as needed)
 * and from a file. */
bool chat_image_size_mem(const void *data, size_t n, chat_image_info *out, const char **why);
bool chat_image_size_base64(const char *b64, size_t n, chat_image_info *out, const char **why);
bool chat_image_size_file(const char *path, chat_image_info *out, const char **why);

/* ---- rules (image_rules.c) ---- */

typedef struct chat_image_cost {
    uint64_t tokens;
    bool exact;
    char why[200]; /* the rule and its arithmetic */
} chat_image_cost;

/* OpenAI: tiles (base + per tile x 512-px tiles, after fitting 2048x2048 and shortening the
 * short side to 768) or 32-px patches x the model's multiplier. detail: "low", "high" or "auto".
 * False when the model has no published rule. */
bool chat_image_openai(const char *model, uint32_t w, uint32_t h, const char *detail,
                       chat_image_cost *out);
uint64_t chat_openai_tiles(uint32_t w, uint32_t h, bool *scaled);
uint64_t chat_openai_patches(uint32_t w, uint32_t h);
/* Anthropic: 28-px patches after the tier's resize (standard: edge 1568, 1568 patches;
 * high-res, Claude Opus 4.7: 2576, 4784); the older width*height/750 rule. */
uint64_t chat_anthropic_patches(uint32_t w, uint32_t h, bool high_res);
uint64_t chat_anthropic_legacy(uint32_t w, uint32_t h);
bool chat_image_anthropic(const char *model, uint32_t w, uint32_t h, chat_image_cost *out);
/* Gemini 2.x: 258, or 258 per 768-px tile; Gemini 1.5 (Vertex AI's wording): tiles of
 * min(w, h) / 1.5 clamped to [256, 768]; Gemini 3: a budget per media resolution ("low",
 * "medium", "high", "ultra_high"; NULL: high). */
uint64_t chat_gemini_tiles(uint32_t w, uint32_t h);
uint64_t chat_gemini_vertex_tiles(uint32_t w, uint32_t h);
bool chat_gemini3_budget(const char *level, uint64_t *tokens);
bool chat_image_gemini(const char *model, uint32_t w, uint32_t h, const char *level,
                       chat_image_cost *out);

/* ---- request parts (image_part.c) ---- */

/* Where an image comes from. */
typedef enum chat_image_from {
    IMG_URL,    /* a URL: data:, http(s):, file://, or a local path */
    IMG_BASE64, /* base64 bytes with their media type (Anthropic, Gemini inlineData) */
    IMG_FILE_ID /* a file the provider stores (file_id, fileData): no size offline */
} chat_image_from;

/* Count one image part for the run's model and add its item (kind images, row, at the current
 * path). detail: OpenAI's detail ("" = auto) or Gemini's media resolution ("" = default).
 * A data URL or base64 that is not an image fails with TOK_EFORMAT at the current path; a
 * remote URL without the assumed size of the options is an unknown item. */
tok_status chat_image_part(chat_run *r, int64_t row, chat_image_from from, cstr data,
                           cstr detail);

#endif
