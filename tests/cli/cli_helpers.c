#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

const char *tmpfile_path(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", test_tmpdir(), name);
    return p;
}

const char *tmpfile_with(const char *name, const char *text)
{
    const char *p = tmpfile_path(name);
    if (!write_file(p, text, strlen(text)))
        return NULL;
    return p;
}

bool all_lines_json(const char *s)
{
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        cJSON *j = cJSON_ParseWithLength(s, len);
        if (!j)
            return false;
        cJSON_Delete(j);
        s += len + (nl ? 1 : 0);
    }
    return true;
}
