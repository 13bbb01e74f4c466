/* file: the .tiktoken text format -- one "base64(token) rank" per line -- into a
 * vocabulary. Strict where tiktoken's loader is lenient (it would silently let a later line
 * override an earlier one): bad base64, a bad rank, or a token or rank given twice is an error
 * naming the line. Packing it (the BPE tables added, laid out for tok_vocab_view) is what the
 * build does for the built-in vocabularies, and what a build without them does on first use. */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

tok_status tok_tiktoken_parse(const uint8_t *data, size_t len, const char *source, tok_vocab *v,
                              tok_error *err)
{
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    lines++;
    const uint8_t **toks = malloc(lines * sizeof *toks);
    uint32_t *lens = malloc(lines * sizeof *lens), *ranks = malloc(lines * sizeof *ranks);
    size_t *line_of = malloc(lines * sizeof *line_of);
    uint8_t *bytes = malloc(len + 1); /* decoded tokens are shorter than their base64 */
    tok_status st = TOK_OK;
    if (!toks || !lens || !ranks || !line_of || !bytes) {
        st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
        goto done;
    }
    size_t n = 0, at = 0, line = 0;
    for (size_t i = 0; i < len;) {
        line++;
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        size_t next = e + 1, le = e;
        if (le > i && data[le - 1] == '\r')
            le--;
        if (le == i) { /* blank line, as splitlines() skips them */
            i = next;
            continue;
        }
        size_t sp = i;
        while (sp < le && data[sp] != ' ')
            sp++;
        uint64_t rank = 0;
        size_t r = sp + 1;
        if (sp == le || r == le) {
            st = tok_fail(err, TOK_EFORMAT, source, i,
                          "%s:%zu: expected 'base64-token rank', got no rank", source, line);
            goto line_error;
        }
        for (; r < le; r++) {
            if (data[r] < '0' || data[r] > '9' || rank > 0x7FFFFFFF) {
                st = tok_fail(err, TOK_EFORMAT, source, r,
                              "%s:%zu: the rank is not a number below 2^31", source, line);
                goto line_error;
            }
            rank = rank * 10 + (data[r] - '0');
        }
        if (rank > 0x7FFFFFFF) {
            st = tok_fail(err, TOK_EFORMAT, source, i, "%s:%zu: rank too large", source, line);
            goto line_error;
        }
        size_t bl = tok_base64_decode(data + i, sp - i, bytes + at, false);
        if (bl == 0 || bl == SIZE_MAX) {
            st = tok_fail(err, TOK_EFORMAT, source, i, "%s:%zu: invalid base64 token", source,
                          line);
            goto line_error;
        }
        toks[n] = bytes + at;
        lens[n] = (uint32_t)bl;
        ranks[n] = (uint32_t)rank;
        line_of[n] = line;
        n++;
        at += (size_t)bl;
        i = next;
        continue;
    line_error:
        if (err)
            err->line = (uint32_t)line;
        goto done;
    }
    if (n == 0) {
        st = tok_fail(err, TOK_EFORMAT, source, 0, "%s: no tokens in the file", source);
        goto done;
    }
    size_t dup = 0;
    int r = tok_vocab_build(v, n, toks, lens, ranks, &dup);
    if (r == -1) {
        st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                      "%s:%zu: token or rank %u appears twice", source, line_of[dup],
                      ranks[dup]);
        if (err)
            err->line = (uint32_t)line_of[dup];
    } else if (r == -3) {
        st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                      "%s:%zu: rank %u is too large for a file of %zu tokens", source,
                      line_of[dup], ranks[dup], n);
        if (err)
            err->line = (uint32_t)line_of[dup];
    } else if (r != 0) {
        st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    }
done:
    free(toks);
    free(lens);
    free(ranks);
    free(line_of);
    free(bytes);
    return st;
}

tok_status tok_tiktoken_pack(const uint8_t *data, size_t len, const char *source,
                             const char *sha256, void **blob, size_t *blob_len, tok_error *err)
{
    *blob = NULL;
    *blob_len = 0;
    if (sha256) {
        char hex[65];
        tok_sha256_hex(data, len, hex);
        if (strcmp(hex, sha256) != 0)
            return tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                            "%s: SHA-256 is %s, expected %s", source, hex, sha256);
    }
    tok_vocab v;
    tok_status st = tok_tiktoken_parse(data, len, source, &v, err);
    if (st != TOK_OK)
        return st;
    if (tok_bpe_tables_add(&v) != 0 || tok_vocab_pack(&v, blob, blob_len) != 0)
        st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    tok_vocab_free(&v);
    return st;
}
