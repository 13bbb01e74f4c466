/* pricing: the registry and money printing shared by cost and models. Rounding is half up on
 * exact integers; the precision follows the size of the amount so that a per-call cost of a
 * fraction of a cent still shows its digits and a total over many calls shows cents. */
#include "pricing.h"
#include "cli.h"

#include <string.h>

bool open_registry(const char *const *paths, size_t n, tok_registry **out)
{
    tok_error err;
    if (tok_registry_open(out, &err) != TOK_OK) {
        warn_err(NULL, &err);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (tok_registry_load(*out, paths[i], &err) != TOK_OK) {
            warn_err(paths[i], &err);
            tok_registry_close(*out);
            *out = NULL;
            return false;
        }
    return true;
}

void describe_sources(const tok_registry *reg, FILE *f)
{
    fprintf(f, "built-in data of %s", tok_registry_date(reg));
    for (size_t i = 1; i < tok_registry_source_count(reg); i++) {
        const tok_registry_source *s = tok_registry_source_at(reg, i);
        fprintf(f, "; %s (%s%s%s: %zu replaced, %zu added)", s->label, s->format,
                s->date[0] ? ", " : "", s->date, s->replaced, s->added);
    }
}

/* Decimals that make an amount readable: cents from $1, four places from a cent, six below. */
static int decimals_for(uint64_t pico)
{
    if (pico >= 1000000000000ull)
        return 2;
    if (pico >= 10000000000ull)
        return 4;
    return 6;
}

const char *fmt_usd(uint64_t pico, char *buf, size_t cap)
{
    if (pico == TOK_COST_UNKNOWN) {
        snprintf(buf, cap, "?");
        return buf;
    }
    if (pico == 0) {
        snprintf(buf, cap, "$0");
        return buf;
    }
    if (pico < 500000) { /* rounds to $0.000000 at six places */
        snprintf(buf, cap, "<$0.000001");
        return buf;
    }
    char num[48];
    tok_usd_format(pico, decimals_for(pico), num, sizeof num);
    snprintf(buf, cap, "$%s", num);
    return buf;
}

const char *fmt_usd_nano(uint64_t nano, char *buf, size_t cap)
{
    if (nano == TOK_COST_UNKNOWN) {
        snprintf(buf, cap, "?");
        return buf;
    }
    if (nano > UINT64_MAX / 1000) { /* past $18 million: too big for picodollars */
        unsigned __int128 cents = ((unsigned __int128)nano + 5000000) / 10000000;
        snprintf(buf, cap, "$%llu.%02u", (unsigned long long)(cents / 100),
                 (unsigned)(cents % 100));
        return buf;
    }
    return fmt_usd(nano * 1000, buf, cap);
}

const char *fmt_per_million(uint64_t price, char *buf, size_t cap)
{
    if (price == TOK_PRICE_UNKNOWN) {
        snprintf(buf, cap, "-");
        return buf;
    }
    /* price pUSD per token = price uUSD per million tokens */
    tok_decimal_format(price, 6, buf, cap);
    return buf;
}

void json_amount(FILE *f, uint64_t pico)
{
    if (pico == TOK_COST_UNKNOWN) {
        fputs("null", f);
        return;
    }
    char num[48];
    tok_usd_format(pico, -1, num, sizeof num);
    fprintf(f, "{\"usd\":%s,\"nano\":%llu}", num, (unsigned long long)((pico + 500) / 1000));
}

void json_amount_nano(FILE *f, uint64_t nano)
{
    if (nano == TOK_COST_UNKNOWN) {
        fputs("null", f);
        return;
    }
    char usd[32];
    tok_decimal_format(nano, 9, usd, sizeof usd);
    fprintf(f, "{\"usd\":%s,\"nano\":%llu}", usd, (unsigned long long)nano);
}

void json_per_million(FILE *f, uint64_t price)
{
    char buf[48];
    if (price == TOK_PRICE_UNKNOWN)
        fputs("null", f);
    else
        fputs(fmt_per_million(price, buf, sizeof buf), f);
}

void json_registry_sources(FILE *f, const tok_registry *reg)
{
    fputs("\"data_date\":", f);
    json_str(f, tok_registry_date(reg), strlen(tok_registry_date(reg)));
    fputs(",\"sources\":[", f);
    for (size_t i = 0; i < tok_registry_source_count(reg); i++) {
        const tok_registry_source *s = tok_registry_source_at(reg, i);
        fputs(i ? ",{\"label\":" : "{\"label\":", f);
        json_str(f, s->label, strlen(s->label));
        fprintf(f, ",\"format\":\"%s\",\"date\":", s->format);
        json_str(f, s->date, strlen(s->date));
        fprintf(f, ",\"replaced\":%zu,\"added\":%zu}", s->replaced, s->added);
    }
    fputc(']', f);
}
