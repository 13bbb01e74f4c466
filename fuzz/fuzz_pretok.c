/* libFuzzer: the hand-written pre-tokenizers split exactly like PCRE2 running the pattern
 * strings. Input bytes pick characters from an alphabet on which PCRE2's Unicode 14 tables and
 * the project's Unicode 16 tables agree (see tests/unit/test_pretok.c). */
#include "split/split.h"

#include <string.h>

static const uint32_t alphabet[] = {
    'a', 'e', 's', 't', 'd', 'm', 'l', 'v', 'r', 'A', 'S', 'T', 'L', 'E', 'Z', '0', '9', ' ',
    '\t', '\n', '\r', '\v', '\f', '\'', '.', '!', '/', '-', 0x85, 0xA0, 0x2003, 0x3000, 0x2028,
    0x0301, 0x0903, 0x20DD, 0x00C9, 0x00E9, 0x01C5, 0x02B0, 0x4E00, 0x05D0, 0x0660, 0x2160,
    0x00BD, 0xFF11, 0x1F600, 0x017F, 0x212A, 0xFEFF, 0x200B, 0x00DF, 0x0130};
#define N_ALPHA (sizeof alphabet / sizeof alphabet[0])

static void *re[3];
static const char *const names[3] = {"r50k", "cl100k", "o200k"};
static const tok_pretok_fn scans[3] = {tok_pretok_r50k, tok_pretok_cl100k, tok_pretok_o200k};

typedef struct ends {
    size_t v[4096], n;
} ends;

static bool collect(void *ctx, size_t start, size_t end)
{
    ends *e = ctx;
    (void)start;
    if (e->n < 4096)
        e->v[e->n++] = end;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1000)
        return 0;
    int f = data[0] % 3;
    if (!re[f]) {
        const char *pat = tok_split_preset_named(names[f])->pattern;
        char msg[256];
        size_t at;
        re[f] = tok_regex_new(pat, strlen(pat), false, TOK_REGEX_RUST, msg, sizeof msg, &at);
        if (!re[f])
            abort();
    }
    static uint8_t text[4096];
    size_t len = 0;
    for (size_t i = 1; i < size; i++)
        len += tok_utf8_encode(alphabet[data[i] % N_ALPHA], text + len);
    static ends want, got;
    want.n = got.n = 0;
    if (tok_regex_split(re[f], text, 0, len, collect, &want) != TOK_OK)
        abort();
    for (size_t i = 0; i < len;)
        got.v[got.n++] = i = scans[f](text, i, len);
    if (want.n != got.n || memcmp(want.v, got.v, got.n * sizeof got.v[0]) != 0)
        abort();
    return 0;
}
