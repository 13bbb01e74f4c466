/* unicode.c -- the code point facts Python's str methods use (strip's whitespace, repr's
 * printable test, case mappings), looked up in the generated tables by binary search. */
#include "template/tmpl_internal.h"
#include "template/pyunicode_data.h"

uint32_t tp_utf8_next(const char *p, size_t n, size_t *i)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t k = *i;
    uint32_t c = s[k];
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (k + (size_t)len > n)
        len = 1; /* input is validated UTF-8; stay in bounds regardless */
    switch (len) {
    case 2: c = ((c & 0x1F) << 6) | (s[k + 1] & 0x3F); break;
    case 3: c = ((c & 0x0F) << 12) | ((uint32_t)(s[k + 1] & 0x3F) << 6) | (s[k + 2] & 0x3F); break;
    case 4:
        c = ((c & 0x07) << 18) | ((uint32_t)(s[k + 1] & 0x3F) << 12) |
            ((uint32_t)(s[k + 2] & 0x3F) << 6) | (s[k + 3] & 0x3F);
        break;
    default: break;
    }
    *i = k + (size_t)len;
    return c;
}

void tp_utf8_put(sbuf *b, uint32_t c)
{
    char t[4];
    size_t n;
    if (c < 0x80) {
        t[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        t[0] = (char)(0xC0 | (c >> 6));
        t[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12));
        t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (c >> 18));
        t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    tp_sb_put(b, t, n);
}

size_t tp_utf8_cplen(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)p[i] & 0xC0) != 0x80;
    return k;
}

bool tp_uni_isspace(uint32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t c)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < r[mid][0])
            hi = mid;
        else if (c > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool tp_uni_isprintable(uint32_t c) { return !in_ranges(tp_uni_nonprintable, tp_uni_nonprintable_len, c); }

bool tp_uni_cased(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return in_ranges(tp_uni_cased_ranges, tp_uni_cased_ranges_len, c);
}

static const uni_case *find_case(uint32_t c)
{
    size_t lo = 0, hi = tp_uni_cases_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < tp_uni_cases[mid].cp)
            hi = mid;
        else if (c > tp_uni_cases[mid].cp)
            lo = mid + 1;
        else
            return &tp_uni_cases[mid];
    }
    return NULL;
}

static int mapped(uint32_t c, int which, uint32_t out[3])
{
    if (c < 0x80) {
        if (which == 0 && c >= 'A' && c <= 'Z')
            c += 32;
        else if (which != 0 && c >= 'a' && c <= 'z')
            c -= 32;
        out[0] = c;
        return 1;
    }
    const uni_case *e = find_case(c);
    uint16_t off = !e ? 0xFFFF : which == 0 ? e->lower : which == 1 ? e->upper : e->title;
    if (off == 0xFFFF) {
        out[0] = c;
        return 1;
    }
    int n = (int)tp_uni_case_pool[off];
    for (int i = 0; i < n; i++)
        out[i] = tp_uni_case_pool[off + 1 + (unsigned)i];
    return n;
}

int tp_uni_lower(uint32_t c, uint32_t out[3]) { return mapped(c, 0, out); }
int tp_uni_upper(uint32_t c, uint32_t out[3]) { return mapped(c, 1, out); }
int tp_uni_title(uint32_t c, uint32_t out[3]) { return mapped(c, 2, out); }

/* The is* methods for non-ASCII text would need more tables; they are only asked of ASCII here
 * and jinja_builtins.c refuses non-ASCII input to them (TMPL_ERR_UNSUPPORTED). */
bool tp_uni_isalpha(uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool tp_uni_isdigit(uint32_t c) { return c >= '0' && c <= '9'; }
bool tp_uni_islower(uint32_t c) { return c >= 'a' && c <= 'z'; }
bool tp_uni_isupper(uint32_t c) { return c >= 'A' && c <= 'Z'; }
