/* compact: a packed vocabulary's compact form (formats/tiktoken/compact.c), what the WebAssembly
 * build loads, opens into the very same blob -- for the four built-in vocabularies, for one with
 * tokens the tables leave out (Llama 3's) -- and a damaged form is refused or opens into tables
 * that are safe to read, never a crash (this file runs under ASan in CI). */
#include "algo/algo.h"
#include "core/core.h"
#include "formats/tiktoken/tiktoken.h"
#include "runner.h"
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

/* blob -> compact -> blob: the same bytes; the form's length in *form_len. */
static bool round_trip(const void *blob, size_t len, const char *name, size_t *form_len)
{
    void *form, *again;
    size_t flen, alen;
    tok_error err;
    if (tok_tiktoken_compact(blob, len, name, &form, &flen, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return false;
    }
    bool same = tok_tiktoken_uncompact(form, flen, name, &again, &alen, &err) == TOK_OK &&
                alen == len && memcmp(again, blob, len) == 0;
    if (same)
        free(again);
    free(form);
    *form_len = flen;
    return same;
}

TEST(compact_vocab_opens_into_the_same_blob)
{
    static const char *names[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"};
    for (size_t i = 0; i < 4; i++) {
        size_t len, flen = 0;
        const void *blob = tok_embedded_vocab(names[i], &len);
        CHECK_MSG(blob, "%s: no embedded vocabulary", names[i]);
        CHECK_MSG(round_trip(blob, len, names[i], &flen), "%s: not the same blob", names[i]);
        CHECK_MSG(flen * 5 < len, "%s: the form (%zu) is not small next to the blob (%zu)",
                  names[i], flen, len);
    }
}

TEST(compact_vocab_keeps_tokens_the_tables_leave_out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/llama3/tokenizer.json", test_hf_dir());
    tok_tokenizer *t;
    tok_error err;
    CHECK_MSG(tok_open_file(path, NULL, &t, &err) == TOK_OK, "%s", err.message);
    CHECK(t->vocab.split != NULL && t->vocab.n_anom > 50);
    void *blob;
    size_t len, flen;
    CHECK(tok_vocab_pack(&t->vocab, &blob, &len) == 0);
    CHECK_MSG(round_trip(blob, len, "llama3", &flen), "Llama 3's vocabulary: not the same blob");
    free(blob);
    tok_close(t);
}

/* r50k_base's first 2000 ranks (BPE's parts rank below their token, so these are a vocabulary
 * of their own), then "\1\2", "\1\2\3\4", "\1\2\3": BPE of "\1\2\3\4" makes "\1\2", then
 * "\1\2\3", ranked after "\1\2\3\4" -- a token the tables leave out. Its compact form. */
static bool small_form(void **form, size_t *flen)
{
    size_t len;
    tok_vocab big, v;
    const void *blob = tok_embedded_vocab("r50k_base", &len);
    if (!blob || tok_vocab_view(&big, blob, len) != 0)
        return false;
    enum { N = 2000 };
    static const uint8_t *toks[N + 3];
    static uint32_t lens[N + 3], ids[N + 3];
    static const char *odd[] = {"\1\2", "\1\2\3\4", "\1\2\3"};
    for (uint32_t i = 0; i < N + 3; i++) {
        toks[i] = i < N ? big.bytes + big.off[i] : (const uint8_t *)odd[i - N];
        lens[i] = i < N ? tok_vocab_len(&big, i) : (uint32_t)strlen(odd[i - N]);
        ids[i] = i;
    }
    size_t dup, plen;
    void *packed;
    tok_error err;
    if (tok_vocab_build(&v, N + 3, toks, lens, ids, &dup) != 0)
        return false;
    bool ok = tok_bpe_tables_add(&v) == 0 && v.n_anom == 1 && v.anom[0] == N + 1 &&
              tok_vocab_pack(&v, &packed, &plen) == 0;
    tok_vocab_free(&v);
    if (!ok)
        return false;
    ok = tok_tiktoken_compact(packed, plen, "small", form, flen, &err) == TOK_OK;
    free(packed);
    return ok;
}

TEST(compact_vocab_refuses_damage)
{
    void *form;
    size_t flen;
    CHECK_MSG(small_form(&form, &flen), "the small vocabulary did not build");
    uint8_t *copy = malloc(flen);
    uint64_t seed = 7;
    size_t refused = 0, opened = 0;
    for (int k = 0; k < 1200; k++) {
        memcpy(copy, form, flen);
        size_t n = flen;
        if (k < 200) {
            n = flen * (size_t)k / 200; /* truncated */
        } else {
            /* anywhere; the header; the lengths; the splits, prefixes and left-out ids */
            size_t tail = 4 * 2003 + 4, at[4] = {test_rand(&seed) % flen, test_rand(&seed) % 20,
                                                  20 + test_rand(&seed) % (2 * 2003),
                                                  flen - 1 - test_rand(&seed) % tail};
            for (int f = 0; f <= k % 3; f++)
                copy[at[(k + f) % 4]] ^= (uint8_t)(1u << test_rand(&seed) % 8);
        }
        void *blob;
        size_t len;
        tok_error err;
        tok_status st = tok_tiktoken_uncompact(copy, n, "damaged.tkc", &blob, &len, &err);
        if (st == TOK_OK) {
            tok_vocab v;
            CHECK_MSG(tok_vocab_view_checked(&v, blob, len) == 0,
                      "mutation %d opened into tables that are not safe to read", k);
            free(blob);
            opened++;
        } else {
            CHECK_MSG(st == TOK_EFORMAT && strstr(err.message, "damaged.tkc"),
                      "mutation %d: status %d, '%s'", k, (int)st, err.message);
            refused++;
        }
    }
    CHECK_MSG(refused > 600 && opened > 3, "refused %zu, opened %zu", refused, opened);

    /* damage made to measure: each would give tables a walk could loop or read past in */
    const uint8_t *f8 = form;
    uint32_t n = 2003, bl = f8[16] | f8[17] << 8 | (uint32_t)f8[18] << 16, odd = 2001;
    size_t left = 20 + 2 * (size_t)n + bl, prefix = left + 2 * (size_t)n, anom = prefix + 2 * n;
    struct { size_t at; uint8_t to; size_t at2; uint8_t to2; const char *what; } cases[] = {
        {left + 2 * odd, 3, prefix + 2 * odd, 2, "a split into a token ranked after its whole"},
        {left + 2 * odd, 4, prefix + 2 * odd, 2, "a left part as long as the token"},
        {prefix + 2 * odd, 2, prefix + 2 * odd, 2, "a prefix without a split"},
        {left + 2 * 300, 0, left + 2 * 300, 0, "a split without its prefix"},
        {anom, 0x61, anom + 1, 0, "a left-out token shorter than four bytes"},
        {8, 0xd4, 8, 0xd4, "another number of tokens"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(copy, form, flen);
        copy[cases[c].at] = cases[c].to;
        copy[cases[c].at2] = cases[c].to2;
        if (c == 3) /* token 300 keeps its prefix, loses its split */
            copy[cases[c].at + 1] = 0;
        void *blob;
        size_t len;
        tok_error err;
        CHECK_MSG(tok_tiktoken_uncompact(copy, flen, "made.tkc", &blob, &len, &err) == TOK_EFORMAT,
                  "%s was not refused", cases[c].what);
    }
    free(copy);
    free(form);
}
