/* money: exact decimal parsing and USD formatting (lib/registry/money.c). */
#include "registry/registry.h"
#include "runner.h"

static uint64_t dec(const char *s, unsigned scale, tok_status *st)
{
    uint64_t v = 0;
    *st = tok_decimal_parse(s, strlen(s), scale, &v);
    return v;
}

TEST(money_decimal_parse_exact)
{
    tok_status st;
    CHECK_EQ(dec("2.5", 6, &st), 2500000);
    CHECK_EQ(st, TOK_OK);
    CHECK_EQ(dec("0.075", 6, &st), 75000);
    CHECK_EQ(dec("12", 6, &st), 12000000);
    CHECK_EQ(dec(".5", 6, &st), 500000);
    CHECK_EQ(dec("0.000001", 6, &st), 1);
    CHECK_EQ(dec("0", 6, &st), 0);
    CHECK_EQ(dec("18446744073709551615", 0, &st), UINT64_MAX);
    CHECK_EQ(st, TOK_OK);
    /* what it refuses: more decimals than the scale, signs, exponents, junk, overflow */
    const char *bad[] = {"0.0000001", "-1", "+1", "1e5", "", ".", "1.", "1.2.3", "1,5", " 1", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dec(bad[i], 6, &st);
        CHECK_MSG(st == TOK_EINVAL, "'%s' gave %s", bad[i], tok_status_name(st));
    }
    dec("18446744073709551616", 0, &st);
    CHECK_EQ(st, TOK_ERANGE);
    dec("18446744073710", 6, &st);
    CHECK_EQ(st, TOK_ERANGE);
}

static uint64_t scaled(const char *s, int scale, bool *rounded, tok_status *st)
{
    uint64_t v = 0;
    *st = tok_decimal_scaled(s, strlen(s), scale, &v, rounded);
    return v;
}

TEST(money_json_numbers_to_picodollars)
{
    bool r;
    tok_status st;
    /* LiteLLM's per-token USD -> pUSD per token */
    CHECK_EQ(scaled("3e-7", 12, &r, &st), 300000);
    CHECK(!r && st == TOK_OK);
    CHECK_EQ(scaled("0.0000025", 12, &r, &st), 2500000);
    CHECK(!r);
    CHECK_EQ(scaled("1.875e-08", 12, &r, &st), 18750);
    CHECK(!r);
    CHECK_EQ(scaled("2.8E-8", 12, &r, &st), 28000);
    CHECK_EQ(scaled("0.00001", 12, &r, &st), 10000000);
    CHECK_EQ(scaled("0", 12, &r, &st), 0);
    CHECK_EQ(scaled("0.000", 12, &r, &st), 0);
    CHECK(!r);
    CHECK_EQ(scaled("1E+2", 0, &r, &st), 100);
    CHECK_EQ(scaled("256000.0", 0, &r, &st), 256000);
    CHECK(!r);
    /* float noise in LiteLLM's data rounds to the nearest picodollar */
    CHECK_EQ(scaled("2.9999900000000002e-06", 12, &r, &st), 2999990);
    CHECK(r);
    CHECK_EQ(scaled("3.0001999999999996e-7", 12, &r, &st), 300020);
    CHECK(r);
    CHECK_EQ(scaled("5e-13", 12, &r, &st), 1); /* half up */
    CHECK(r);
    CHECK_EQ(scaled("4.9e-13", 12, &r, &st), 0);
    CHECK(r);
    CHECK_EQ(scaled("1e-30", 12, &r, &st), 0);
    CHECK(r);
    scaled("1e30", 12, &r, &st);
    CHECK_EQ(st, TOK_ERANGE);
    scaled("-1e-6", 12, &r, &st);
    CHECK_EQ(st, TOK_EINVAL);
    scaled("1e", 12, &r, &st);
    CHECK_EQ(st, TOK_EINVAL);
}

static const char *usd(uint64_t pico, int decimals)
{
    static char buf[64];
    tok_usd_format(pico, decimals, buf, sizeof buf);
    return buf;
}

TEST(money_usd_format)
{
    CHECK_STR(usd(25000000000ull, -1), "0.025");
    CHECK_STR(usd(0, -1), "0");
    CHECK_STR(usd(1000000000000ull, -1), "1");
    CHECK_STR(usd(1, -1), "0.000000000001");
    CHECK_STR(usd(1234567890000ull, 2), "1.23");
    CHECK_STR(usd(1235000000000ull, 2), "1.24"); /* half up */
    CHECK_STR(usd(999999999999ull, 2), "1.00");
    CHECK_STR(usd(5000000000ull, 2), "0.01");
    CHECK_STR(usd(4999999999ull, 2), "0.00");
    CHECK_STR(usd(1500000000000ull, 0), "2");
    CHECK_STR(usd(362000000ull, 6), "0.000362");
    CHECK_STR(usd(UINT64_MAX, 2), "18446744.07");
    CHECK_STR(usd(UINT64_MAX, -1), "18446744.073709551615");
    char small[4];
    CHECK_EQ(tok_usd_format(1234567890000ull, 2, small, sizeof small), 4); /* like snprintf */
    CHECK_STR(small, "1.2");
}

TEST(money_decimal_format_inverts_parse)
{
    char buf[32];
    static const struct {
        uint64_t v;
        unsigned scale;
        const char *text;
    } cases[] = {{2500000, 6, "2.5"},    {75000, 6, "0.075"}, {12000000, 6, "12"},
                 {0, 6, "0"},            {1200000, 6, "1.2"}, {362, 9, "0.000000362"},
                 {7, 0, "7"},            {UINT64_MAX, 19, "1.8446744073709551615"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ(tok_decimal_format(cases[i].v, cases[i].scale, buf, sizeof buf),
                 strlen(cases[i].text));
        CHECK_STR(buf, cases[i].text);
        uint64_t back = 1;
        CHECK_EQ(tok_decimal_parse(buf, strlen(buf), cases[i].scale, &back), TOK_OK);
        CHECK_EQ(back, cases[i].v);
    }
}
