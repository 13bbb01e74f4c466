/* image_part: one image of a request -- where its bytes are (a data: URL, base64 with a media
 * type, a local file, a remote URL, a provider's file id), its size from the header, and its
 * tokens by the rule of the model's provider. A remote image has no size offline: it is an
 * unknown item unless the options give a size to assume; never 0 silently. */
#include "chat/images.h"

#include <stdio.h>
#include <string.h>

static bool starts(cstr s, const char *p)
{
    size_t n = strlen(p);
    if (s.n < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s.s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != p[i])
            return false;
    }
    return true;
}

/* A local path (file:// URL or plain path) resolved against the options' directory. */
static tok_status read_file_size(chat_run *r, cstr path, chat_image_info *info)
{
    const char *dir = r->opts && r->opts->image_dir ? r->opts->image_dir : NULL;
    if (memchr(path.s, 0, path.n))
        return chat_fail(r, J_NONE, TOK_EFORMAT, "an image path with a NUL byte");
    const char *full = path.s[0] == '/' || !dir || !dir[0]
                           ? chat_strdup(r, path.s, path.n)
                           : chat_fmt(r, "%s/%.*s", dir, (int)path.n, path.s);
    if (!full)
        return chat_oom(r);
    const char *why;
    if (!chat_image_size_file(full, info, &why))
        return chat_fail(r, J_NONE, TOK_EFORMAT, "image file %s: %s", full, why);
    return TOK_OK;
}

static const char *orientation_note(int o)
{
    return o >= 5 ? "; its EXIF orientation turns it 90 degrees, which no provider documents "
                    "applying: width and height as stored"
                  : "";
}

tok_status chat_image_part(chat_run *r, int64_t row, chat_image_from from, cstr data,
                           cstr detail)
{
    chat_image_info info = {0};
    const char *why = NULL, *assumed = NULL;
    bool have = false;
    tok_status st;
    if (from == IMG_BASE64) {
        if (!chat_image_size_base64(data.s, data.n, &info, &why))
            return chat_fail(r, J_NONE, TOK_EFORMAT, "the image cannot be read: %s", why);
        have = true;
    } else if (from == IMG_URL && starts(data, "data:")) {
        const char *comma = memchr(data.s, ',', data.n);
        size_t head = comma ? (size_t)(comma - data.s) : data.n;
        if (!comma || head < 12 || memcmp(comma - 7, ";base64", 7) != 0)
            return chat_fail(r, J_NONE, TOK_EFORMAT,
                             "the image cannot be read: a data: URL without base64 data "
                             "(data:image/png;base64,...)");
        if (!chat_image_size_base64(comma + 1, data.n - head - 1, &info, &why))
            return chat_fail(r, J_NONE, TOK_EFORMAT, "the image cannot be read: %s", why);
        have = true;
    } else if (from == IMG_URL && (starts(data, "http://") || starts(data, "https://"))) {
        assumed = "a remote image";
    } else if (from == IMG_URL && (starts(data, "file://") || !memchr(data.s, ':', data.n))) {
        cstr path = data;
        if (starts(data, "file://")) {
            path.s += 7, path.n -= 7;
            if (starts(path, "localhost/"))
                path.s += 9, path.n -= 9;
        }
        if (!r->opts || !r->opts->read_image_files)
            return chat_unknown(r, TOK_PART_IMAGES, row, "image (local file)",
                                "a local image file: reading files is not enabled here, so its "
                                "size is unknown");
        if (!path.n)
            return chat_fail(r, J_NONE, TOK_EFORMAT, "an empty image path");
        if ((st = read_file_size(r, path, &info)) != TOK_OK)
            return st;
        have = true;
    } else if (from == IMG_URL) {
        return chat_fail(r, J_NONE, TOK_EFORMAT,
                         "the image URL is not a data:, http(s): or file: URL or a path");
    } else {
        assumed = "a file the provider stores";
    }
    if (!have) {
        uint32_t w = r->opts ? r->opts->image_width : 0, h = r->opts ? r->opts->image_height : 0;
        if (!w || !h)
            return chat_unknown(r, TOK_PART_IMAGES, row, "image (size unknown)",
                                chat_fmt(r, "%s: its size cannot be known offline (give the size "
                                            "to assume, --image-size WxH)", assumed));
        info.width = w, info.height = h, info.format = "assumed size";
    }
    char det[24] = "";
    if (detail.n && detail.n < sizeof det)
        memcpy(det, detail.s, detail.n), det[detail.n] = 0;
    chat_image_cost cost = {0};
    bool ruled = false;
    const char *model = r->model_lc;
    switch (chat_model_family(r)) {
    case FAM_OPENAI:
        if (det[0] && strcmp(det, "low") && strcmp(det, "high") && strcmp(det, "auto"))
            return chat_fail(r, J_NONE, TOK_EINVAL,
                             "image detail \"%s\": expected low, high or auto", det);
        ruled = chat_image_openai(model, info.width, info.height, det[0] ? det : "auto", &cost);
        break;
    case FAM_ANTHROPIC:
        ruled = chat_image_anthropic(model, info.width, info.height, &cost);
        break;
    case FAM_GOOGLE:
        ruled = chat_image_gemini(model, info.width, info.height, det, &cost);
        if (!ruled && !strncmp(model, "gemini-3", 8))
            return chat_fail(r, J_NONE, TOK_EINVAL,
                             "media resolution \"%s\": expected low, medium, high or ultra_high",
                             det);
        break;
    default:
        break;
    }
    const char *what = chat_fmt(r, "image %ux%u %s%s%s", info.width, info.height, info.format,
                                det[0] ? " detail " : "", det);
    if (!what)
        return chat_oom(r);
    if (!ruled)
        return chat_unknown(r, TOK_PART_IMAGES, row, what,
                            r->model_lc[0]
                                ? chat_fmt(r, "no published image rule for %s", r->model)
                                : "no model named: what an image costs depends on the model");
    const char *src = chat_fmt(r, "%s%s%s%s", cost.why, have ? "" : "; size assumed (",
                               have ? "" : chat_fmt(r, "%ux%u)", info.width, info.height),
                               orientation_note(info.orientation));
    if (!src)
        return chat_oom(r);
    return chat_fixed(r, TOK_PART_IMAGES, row, what, cost.tokens, cost.exact && have, src);
}
