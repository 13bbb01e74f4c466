/* cost: what a request costs and whether it fits, for one model of the registry.
 *
 * All amounts are integers: tokens * picodollars-per-token is exact, and a sum of exact
 * amounts has no drift however many calls it covers. Overflow is checked rather than assumed
 * away (10^7 tokens at $600 per million is 6e15 pUSD, far from 2^64 = 1.8e19, but a count
 * multiplied by a million calls is not). */
#include "registry/registry.h"

#include <stdio.h>
#include <string.h>



static uint64_t scale(uint64_t count, uint32_t f, bool up)
{
    unsigned __int128 v = ((unsigned __int128)count * f + (up ? 999999 : 0)) / 1000000;
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

uint64_t tok_model_approx_count(const tok_model *m, uint64_t count)
{
    return !m || m->approx_factor == 0 ? count : scale(count, m->approx_factor, true);
}

void tok_model_approx_range(const tok_model *m, uint64_t count, uint64_t *low, uint64_t *high)
{
    bool none = !m || m->approx_factor == 0;
    *low = none ? count : scale(count, m->approx_low ? m->approx_low : m->approx_factor, false);
    *high = none ? count : scale(count, m->approx_high ? m->approx_high : m->approx_factor, true);
}

void tok_model_fit(const tok_model *m, uint64_t input, uint64_t output, tok_fit *out)
{
    memset(out, 0, sizeof *out);
    out->fits = true;
    out->window = m->max_input;
    if (m->max_input && input > m->max_input) {
        out->fits = false;
        out->why = "the input is larger than the context window";
    } else if (m->max_output && output > m->max_output) {
        out->fits = false;
        out->why = "the output asked for is more than the model's maximum output";
    } else if (m->context && (input + output < input || input + output > m->context)) {
        out->fits = false;
        out->why = "input and output together are larger than the context window";
    }
    if (m->max_input) {
        unsigned __int128 bp = ((unsigned __int128)input * 10000 + m->max_input - 1) / m->max_input;
        out->used_bp = bp > UINT32_MAX ? UINT32_MAX : (uint32_t)bp;
    }
    uint64_t left = UINT64_MAX;
    if (m->context)
        left = input >= m->context ? 0 : m->context - input;
    if (m->max_input && input > m->max_input)
        left = 0;
    if (m->max_output && m->max_output < left)
        left = m->max_output;
    out->left_for_output = left;
}

/* tokens * price, or TOK_COST_UNKNOWN when the price is needed and unknown. */
static bool amount(uint64_t tokens, uint64_t price, uint64_t *out)
{
    if (tokens == 0) {
        *out = 0;
        return true;
    }
    if (price == TOK_PRICE_UNKNOWN) {
        *out = TOK_COST_UNKNOWN;
        return true;
    }
    unsigned __int128 v = (unsigned __int128)tokens * price;
    if (v >= TOK_COST_UNKNOWN)
        return false;
    *out = (uint64_t)v;
    return true;
}

tok_status tok_cost_compute(const tok_model *m, const tok_cost_request *req, tok_cost *out,
                            tok_error *err)
{
    if (!m || !req || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no model, request or result");
    memset(out, 0, sizeof *out);
    out->calls = req->calls ? req->calls : 1;
    if (req->cached_tokens > req->input_tokens ||
        req->cache_write_tokens > req->input_tokens - req->cached_tokens)
        return tok_fail(err, TOK_EINVAL, m->id, TOK_NO_OFFSET,
                        "%s: %llu cached and %llu cache-write tokens are more than the %llu "
                        "input tokens", m->id, (unsigned long long)req->cached_tokens,
                        (unsigned long long)req->cache_write_tokens,
                        (unsigned long long)req->input_tokens);
    /* the highest tier whose threshold the input passes prices the whole request */
    for (size_t i = 0; i < m->n_tiers; i++)
        if (req->input_tokens > m->tiers[i].above)
            out->tier = &m->tiers[i];
    out->prices = out->tier ? out->tier->prices : m->prices;
    if (req->batch) {
        /* batch prices are published for plain input and output, and not per tier */
        out->prices.input = out->tier ? TOK_PRICE_UNKNOWN : m->batch_input;
        out->prices.output = out->tier ? TOK_PRICE_UNKNOWN : m->batch_output;
        out->prices.cached_input = out->prices.cache_write = TOK_PRICE_UNKNOWN;
    }
    uint64_t plain = req->input_tokens - req->cached_tokens - req->cache_write_tokens;
    if (!amount(plain, out->prices.input, &out->input) ||
        !amount(req->cached_tokens, out->prices.cached_input, &out->cached_input) ||
        !amount(req->cache_write_tokens, out->prices.cache_write, &out->cache_write) ||
        !amount(req->output_tokens, out->prices.output, &out->output))
        return tok_fail(err, TOK_ERANGE, m->id, TOK_NO_OFFSET,
                        "%s: the cost of one call does not fit in 64 bits", m->id);
    const uint64_t parts[4] = {out->input, out->cached_input, out->cache_write, out->output};
    unsigned __int128 sum = 0;
    bool unknown = false;
    for (int i = 0; i < 4; i++) {
        unknown |= parts[i] == TOK_COST_UNKNOWN;
        sum += parts[i] == TOK_COST_UNKNOWN ? 0 : parts[i];
    }
    if (sum >= TOK_COST_UNKNOWN)
        return tok_fail(err, TOK_ERANGE, m->id, TOK_NO_OFFSET,
                        "%s: the cost of one call does not fit in 64 bits", m->id);
    out->total = unknown ? TOK_COST_UNKNOWN : (uint64_t)sum;
    if (unknown) {
        out->total_calls_nano = TOK_COST_UNKNOWN;
        return TOK_OK;
    }
    unsigned __int128 nano = (sum * out->calls + 500) / 1000; /* < 2^64 * 2^64: no overflow */
    if (nano >= TOK_COST_UNKNOWN)
        return tok_fail(err, TOK_ERANGE, m->id, TOK_NO_OFFSET,
                        "%s: the cost of %llu calls does not fit in 64 bits of nanodollars",
                        m->id, (unsigned long long)out->calls);
    out->total_calls_nano = (uint64_t)nano;
    return TOK_OK;
}
