/* pricing.h -- what cost and models share (cli/pricing.c): the registry with the --prices
 * files laid over it, and how amounts and prices are printed. Amounts come from the library as
 * integers (picodollars, nanodollars); nothing here uses floating point. */
#ifndef TOKSCOPE_CLI_PRICING_H
#define TOKSCOPE_CLI_PRICING_H

#include "tokscope.h"

#include <stdbool.h>
#include <stdio.h>

/* At most this many --prices files. */
#define MAX_PRICES 16

/* The built-in registry with the price files paths[0..n) laid over it in order. Prints the
 * error (naming the file and position) and returns false on failure. */
bool open_registry(const char *const *paths, size_t n, tok_registry **out);
/* "the built-in data of 2026-07-24" plus one clause per price file, for footers. */
void describe_sources(const tok_registry *reg, FILE *f);

/* An amount in picodollars for people: "$12.35", "$0.0123", "$0.000362", "<$0.000001", "?"
 * for TOK_COST_UNKNOWN. Returns buf. */
const char *fmt_usd(uint64_t pico, char *buf, size_t cap);
/* The same for nanodollars (totals over many calls). */
const char *fmt_usd_nano(uint64_t nano, char *buf, size_t cap);
/* A price per token (picodollars) as USD per million tokens, exactly: "2.5", "0.075", "-" when
 * unknown. */
const char *fmt_per_million(uint64_t price, char *buf, size_t cap);

/* JSON: an amount as {"usd":0.000362,"nano":362} (exact decimal, nanodollars rounded half
 * up), or null when unknown. */
void json_amount(FILE *f, uint64_t pico);
void json_amount_nano(FILE *f, uint64_t nano);
/* A price per million tokens as a JSON number, or null. */
void json_per_million(FILE *f, uint64_t price);
/* JSON members "data_date":..., "sources":[{label, format, date, replaced, added}, ...]. */
void json_registry_sources(FILE *f, const tok_registry *reg);

#endif
