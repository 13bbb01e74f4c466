/* status: status names, error details, the version, and line/column of an offset. */
#include "base/base.h"

#include <stdio.h>
#include <string.h>

const char *tok_version(void) { return TOK_VERSION_STRING; }

const char *tok_status_name(tok_status s)
{
    switch (s) {
#define NAME_(name, text) case TOK_##name: return "TOK_" #name;
        TOK_STATUS_LIST(NAME_)
#undef NAME_
    default: return "TOK_UNKNOWN_STATUS";
    }
}

const char *tok_status_str(tok_status s)
{
    switch (s) {
#define TEXT_(name, text) case TOK_##name: return text;
        TOK_STATUS_LIST(TEXT_)
#undef TEXT_
    default: return "unknown status";
    }
}

void tok_error_clear(tok_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->offset = TOK_NO_OFFSET;
}

tok_status tok_fail(tok_error *err, tok_status status, const char *source, uint64_t offset,
                    const char *fmt, ...)
{
    if (!err)
        return status;
    tok_error_clear(err);
    err->status = status;
    err->offset = offset;
    if (source)
        snprintf(err->source, sizeof err->source, "%s", source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void tok_line_col(const char *data, size_t len, size_t offset, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset && i < len; i++)
        if (data[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = (uint32_t)(offset - start + 1);
}
