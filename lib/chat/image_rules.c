/* image_rules: what an image of a given size costs, by each provider's published rule
 * (RULES.md 4.1-4.3; tests/golden/chat-api/images.tsv holds hand-computed values these
 * reproduce). The arithmetic follows tests/conformance/chat_api_images.mjs step for step,
 * doubles included, so both give the same numbers. */
#include "chat/images.h"

#include <stdio.h>
#include <string.h>

/* ---- IEEE arithmetic without libm (the library links none) ----
 * Every value here is positive and far below 2^63: floor and ceil are integer conversions, and
 * the square root is computed exactly and rounded to nearest, as IEEE sqrt (and so JavaScript's
 * Math.sqrt) rounds it. */

static double dfloor(double x) { return (double)(uint64_t)x; }

static double dceil(double x)
{
    uint64_t t = (uint64_t)x;
    return (double)(t + ((double)t < x));
}

/* Math.round for x >= 0: the nearest integer, halves up. */
static double dround(double x)
{
    double f = dfloor(x);
    return x - f >= 0.5 ? f + 1 : f;
}

/* floor(sqrt(v)), digit by digit. */
static uint64_t isqrt128(unsigned __int128 v)
{
    unsigned __int128 res = 0, bit = (unsigned __int128)1 << 126;
    while (bit > v)
        bit >>= 2;
    while (bit) {
        if (v >= res + bit) {
            v -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return (uint64_t)res;
}

static double pow2(int e)
{
    uint64_t b = (uint64_t)(e + 1023) << 52;
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* sqrt(x) for a positive normal x, correctly rounded (to nearest, ties to even). */
static double dsqrt(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    int e = (int)((b >> 52) & 0x7FF);
    uint64_t m = (b & ((1ull << 52) - 1)) | (1ull << 52);
    e -= 1075; /* x = m * 2^e, 2^52 <= m < 2^53 */
    int k = 54 + ((e - 54) & 1); /* M = m * 2^k: an even exponent left, 2^106 <= M < 2^108 */
    unsigned __int128 mm = (unsigned __int128)m << k;
    uint64_t s = isqrt128(mm); /* 2^53 <= s < 2^54 */
    bool sticky = (unsigned __int128)s * s != mm;
    uint64_t q = s >> 1;
    if ((s & 1) && (sticky || (q & 1)))
        q++;
    return (double)q * pow2((e - k) / 2 + 1);
}

/* ---- OpenAI ---- */

/* Tile models: name prefix (the longest that matches wins), base (= detail low), per tile. */
static const struct {
    const char *prefix;
    uint32_t base, per_tile;
} tile_models[] = {
    {"gpt-4o-mini", 2833, 5667}, {"gpt-4o", 85, 170},      {"chatgpt-4o", 85, 170},
    {"gpt-4.1", 85, 170},        {"gpt-4.5", 85, 170},     {"gpt-4-turbo", 85, 170},
    {"gpt-5-chat", 70, 140},     {"gpt-5", 70, 140},       {"o1", 75, 150},
    {"o3", 75, 150},             {"computer-use-preview", 65, 129},
};

/* Patch models: 32-px patches (at most 1536) times a multiplier, in thousandths. */
static const struct {
    const char *prefix;
    uint32_t mult;
} patch_models[] = {
    {"gpt-4.1-mini", 1620}, {"gpt-4.1-nano", 2460}, {"gpt-5-mini", 1620},
    {"gpt-5-nano", 2460},   {"o4-mini", 1720},
};

uint64_t chat_openai_tiles(uint32_t width, uint32_t height, bool *scaled)
{
    double w = width, h = height;
    if (w > 2048 || h > 2048) {
        double r = 2048 / (w > h ? w : h);
        w = dfloor(w * r);
        h = dfloor(h * r);
    }
    if ((w < h ? w : h) > 768) { /* only larger images are scaled: measured (RULES.md 4.1) */
        double r = 768 / (w < h ? w : h);
        w = dfloor(w * r);
        h = dfloor(h * r);
    }
    *scaled = w != width || h != height;
    return (uint64_t)dceil(w / 512) * (uint64_t)dceil(h / 512);
}

uint64_t chat_openai_patches(uint32_t width, uint32_t height)
{
    double w = width, h = height;
    uint64_t raw = (uint64_t)dceil(w / 32) * (uint64_t)dceil(h / 32);
    if (raw <= 1536)
        return raw;
    double r = dsqrt(32.0 * 32 * 1536 / (w * h));
    double fw = dfloor(w * r / 32) / (w * r / 32), fh = dfloor(h * r / 32) / (h * r / 32);
    r *= fw < fh ? fw : fh;
    double rw = dfloor(w * r), rh = dfloor(h * r);
    uint64_t p = (uint64_t)dceil(rw / 32) * (uint64_t)dceil(rh / 32);
    return p < 1536 ? p : 1536;
}

bool chat_image_openai(const char *model, uint32_t w, uint32_t h, const char *detail,
                       chat_image_cost *out)
{
    int tile = -1, patch = -1;
    size_t tl = 0, pl = 0;
    for (size_t i = 0; i < sizeof tile_models / sizeof tile_models[0]; i++) {
        size_t l = strlen(tile_models[i].prefix);
        if (!strncmp(model, tile_models[i].prefix, l) && l > tl)
            tile = (int)i, tl = l;
    }
    for (size_t i = 0; i < sizeof patch_models / sizeof patch_models[0]; i++) {
        size_t l = strlen(patch_models[i].prefix);
        if (!strncmp(model, patch_models[i].prefix, l) && l > pl)
            patch = (int)i, pl = l;
    }
    if (patch >= 0 && pl >= tl) {
        uint64_t n = chat_openai_patches(w, h);
        uint32_t m = patch_models[patch].mult;
        /* rounded to nearest (not published; fits the third-party worked examples) */
        out->tokens = (n * m + 500) / 1000;
        out->exact = false;
        snprintf(out->why, sizeof out->why,
                 "OpenAI patch rule: %llu patches of 32 px x %u.%03u, rounded (OpenAI docs, "
                 "Images and vision; RULES.md 4.1)",
                 (unsigned long long)n, m / 1000, m % 1000);
        return true;
    }
    if (tile < 0)
        return false;
    uint32_t base = tile_models[tile].base, per = tile_models[tile].per_tile;
    /* measured on gpt-4o and gpt-4o-mini only (8 requests, no resize among them) */
    bool measured = !strcmp(tile_models[tile].prefix, "gpt-4o") ||
                    !strcmp(tile_models[tile].prefix, "gpt-4o-mini");
    if (!strcmp(detail, "low")) {
        out->tokens = base;
        out->exact = measured;
        snprintf(out->why, sizeof out->why, "OpenAI detail low: %u (OpenAI docs%s; RULES.md 4.1)",
                 base, measured ? ", API-measured" : "");
        return true;
    }
    bool scaled;
    uint64_t n = chat_openai_tiles(w, h, &scaled);
    out->tokens = base + per * n;
    out->exact = measured && !scaled;
    snprintf(out->why, sizeof out->why, "OpenAI tiles: %u + %u x %llu tiles of 512 px%s "
             "(OpenAI docs, Images and vision; RULES.md 4.1)", base, per, (unsigned long long)n,
             out->exact ? ", API-measured" : scaled ? "; the rounding of the resize is not published"
                                                    : "; not measured for this model");
    return true;
}

/* ---- Anthropic ---- */

uint64_t chat_anthropic_legacy(uint32_t width, uint32_t height)
{
    double w = width, h = height;
    double s = 1568 / (w > h ? w : h), t = dsqrt(1600.0 * 750 / (w * h));
    if (t < s)
        s = t;
    if (s < 1) {
        w = dfloor(w * s);
        h = dfloor(h * s);
    }
    return (uint64_t)dceil(w * h / 750);
}

static uint64_t patches28(uint64_t w, uint64_t h) { return ((w + 27) / 28) * ((h + 27) / 28); }

static bool fits(uint64_t w, uint64_t h, uint64_t edge, uint64_t budget)
{
    return (w + 27) / 28 * 28 <= edge && (h + 27) / 28 * 28 <= edge && patches28(w, h) <= budget;
}

uint64_t chat_anthropic_patches(uint32_t width, uint32_t height, bool high_res)
{
    uint64_t edge = high_res ? 2576 : 1568, budget = high_res ? 4784 : 1568;
    if (fits(width, height, edge, budget))
        return patches28(width, height);
    uint64_t lng = width > height ? width : height;
    double aspect = (double)(width < height ? width : height) / (double)lng;
    uint64_t lo = 1, hi = lng, best = 1;
    while (lo <= hi) {
        uint64_t mid = (lo + hi) / 2;
        double s = dround((double)mid * aspect); /* Math.round on a positive number */
        uint64_t sh = s < 1 ? 1 : (uint64_t)s;
        if (fits(mid, sh, edge, budget)) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    double s = dround((double)best * aspect);
    return patches28(best, s < 1 ? 1 : (uint64_t)s);
}

bool chat_image_anthropic(const char *model, uint32_t w, uint32_t h, chat_image_cost *out)
{
    bool high = !strncmp(model, "claude-opus-4-7", 15);
    out->tokens = chat_anthropic_patches(w, h, high);
    out->exact = false;
    snprintf(out->why, sizeof out->why,
             "Anthropic's published rule: 28-px patches after fitting the %s tier (%s); "
             "Anthropic vision docs, RULES.md 4.2", high ? "high-res" : "standard",
             high ? "edge 2576, at most 4784" : "edge 1568, at most 1568");
    return true;
}

/* ---- Gemini ---- */

uint64_t chat_gemini_tiles(uint32_t w, uint32_t h)
{
    if (w <= 384 && h <= 384)
        return 258;
    return ((uint64_t)w + 767) / 768 * (((uint64_t)h + 767) / 768) * 258;
}

uint64_t chat_gemini_vertex_tiles(uint32_t w, uint32_t h)
{
    if (w <= 384 && h <= 384)
        return 258;
    double side = (double)(w < h ? w : h) / 1.5;
    side = side < 256 ? 256 : side > 768 ? 768 : side;
    return (uint64_t)dceil(w / side) * (uint64_t)dceil(h / side) * 258;
}

bool chat_gemini3_budget(const char *level, uint64_t *tokens)
{
    static const struct {
        const char *name;
        uint64_t tokens;
    } levels[] = {{"low", 280}, {"medium", 560}, {"high", 1120}, {"ultra_high", 2240}};
    if (!level || !level[0])
        level = "high";
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (!strcmp(level, levels[i].name)) {
            *tokens = levels[i].tokens;
            return true;
        }
    return false;
}

bool chat_image_gemini(const char *model, uint32_t w, uint32_t h, const char *level,
                       chat_image_cost *out)
{
    out->exact = false;
    if (!strncmp(model, "gemini-3", 8)) {
        if (!chat_gemini3_budget(level, &out->tokens))
            return false;
        snprintf(out->why, sizeof out->why,
                 "Gemini 3 media resolution %s: %llu per image, whatever its size (Gemini docs, "
                 "Media resolution; RULES.md 4.3)", level && level[0] ? level : "high (default)",
                 (unsigned long long)out->tokens);
        return true;
    }
    if (!strncmp(model, "gemini-1.5", 10)) {
        out->tokens = chat_gemini_vertex_tiles(w, h);
        snprintf(out->why, sizeof out->why,
                 "Gemini 1.5 (Vertex AI's wording): 258 per tile of min(w, h) / 1.5 clamped to "
                 "256-768 px (RULES.md 4.3)");
        return true;
    }
    if (!strncmp(model, "gemini-", 7)) {
        out->tokens = chat_gemini_tiles(w, h);
        snprintf(out->why, sizeof out->why,
                 "Gemini: 258 when both sides are at most 384 px, else 258 per 768-px tile (Gemini "
                 "docs, Understand and count tokens; tile layout not published; RULES.md 4.3)");
        return true;
    }
    return false;
}
