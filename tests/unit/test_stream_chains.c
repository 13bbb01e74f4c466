/* Streaming decode on tokenizer.json decoder chains the goldens do not have: every chain of one,
 * two and three decoders from a list of 14 (each type, with the options that change its
 * behaviour), plus no decoder at all, on a small WordLevel vocabulary made of the strings the
 * decoders react to (U+2581, "##", "</w>", <0xXX> bytes, cleanup patterns, "Ġ", the CTC pad
 * and delimiter). Random id sequences, fed one at a time and in random chunks, with and without
 * skip-special, must give tok_decode's text byte for byte. */
#include "runner.h"
#include "tokscope.h"

#include <stdlib.h>

static const char *const decoders[] = {
    "{\"type\":\"ByteLevel\"}",
    "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\","
    "\"split\":true}",
    "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"never\","
    "\"split\":true}",
    "{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
    "{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":false}",
    "{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}",
    "{\"type\":\"ByteFallback\"}",
    "{\"type\":\"Fuse\"}",
    "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}",
    "{\"type\":\"Strip\",\"content\":\"a\",\"start\":0,\"stop\":2}",
    "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\\u2581\"},\"content\":\" \"}",
    "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" +\"},\"content\":\"_\"}",
    "{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}",
    "{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":false}",
};
#define N_DEC (sizeof decoders / sizeof decoders[0])

/* Token strings (JSON-escaped); the last is the special added token. */
static const char *const vocab[] = {
    "a",       "\\u2581b", "##c",    "<0xE4>", "<0xBD>", "<0xA0>", "<0xFF>", "d</w>", " ",
    "<pad>",   "|",        " .",     "\\u0120x", "\\u0120\\u0120", "don", "'t", "\\u2581",
    "<0x41>",  " do not",  "aa",     "e</w>f", "\\u2581\\u2581a", "##",  "<0xC3>", "\\u00a9",
    " n't",    "x ",       "<s>"};
#define N_VOCAB (sizeof vocab / sizeof vocab[0])

static char *tokenizer_json(const char *decoder)
{
    size_t cap = 8192;
    char *j = malloc(cap);
    int o = snprintf(j, cap,
                     "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":"
                     "[{\"id\":%zu,\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,"
                     "\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                     "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                     "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"a\",\"vocab\":{",
                     N_VOCAB - 1);
    for (size_t i = 0; i < N_VOCAB; i++)
        o += snprintf(j + o, cap - (size_t)o, "%s\"%s\":%zu", i ? "," : "", vocab[i], i);
    snprintf(j + o, cap - (size_t)o, "}},\"post_processor\":null,\"decoder\":%s}", decoder);
    return j;
}

static size_t checked, failed_chains;

static void check_chain(const char *decoder, uint64_t *rng)
{
    char *json = tokenizer_json(decoder);
    tok_tokenizer *t;
    tok_error err;
    tok_status st = tok_open_memory(json, strlen(json), "chain", NULL, &t, &err);
    free(json);
    if (st != TOK_OK) {
        test_fail(__FILE__, __LINE__, "%s: %s", decoder, err.message);
        failed_chains++;
        return;
    }
    uint32_t ids[16];
    char *got = malloc(4096);
    for (int round = 0; round < 40; round++) {
        size_t n = test_rand(rng) % 14;
        for (size_t i = 0; i < n; i++)
            ids[i] = (uint32_t)(test_rand(rng) % N_VOCAB);
        for (unsigned flags = 0; flags < 2; flags++) {
            char *want;
            size_t wl;
            if (tok_decode_alloc(t, ids, n, flags, &want, &wl, &err) != TOK_OK) {
                test_fail(__FILE__, __LINE__, "%s: tok_decode: %s", decoder, err.message);
                failed_chains++;
                goto out;
            }
            for (int chunked = 0; chunked < 2; chunked++) {
                tok_decode_stream *s;
                if (tok_decode_stream_new(t, flags, &s, &err) != TOK_OK) {
                    tok_free(want);
                    test_fail(__FILE__, __LINE__, "%s: %s", decoder, err.message);
                    failed_chains++;
                    goto out;
                }
                size_t gl = 0;
                const char *p;
                size_t pl;
                for (size_t k = 0; k < n;) {
                    size_t c = chunked ? test_rand(rng) % 4 : 1;
                    if (c > n - k)
                        c = n - k;
                    if (tok_decode_stream_step(s, ids + k, c, &p, &pl, &err) != TOK_OK)
                        break;
                    memcpy(got + gl, p, pl);
                    gl += pl;
                    k += c;
                }
                tok_decode_stream_flush(s, &p, &pl, &err);
                memcpy(got + gl, p, pl);
                gl += pl;
                tok_decode_stream_free(s);
                checked++;
                if (gl != wl || memcmp(got, want, wl)) {
                    char idl[200];
                    size_t o = 0;
                    for (size_t i = 0; i < n; i++)
                        o += (size_t)snprintf(idl + o, sizeof idl - o, " %u", ids[i]);
                    test_fail(__FILE__, __LINE__,
                              "decoder %s, ids%s%s%s: stream \"%.*s\", tok_decode \"%.*s\"",
                              decoder, idl, flags ? " (skip special)" : "",
                              chunked ? " (chunks)" : "", (int)gl, got, (int)wl, want);
                    tok_free(want);
                    failed_chains++;
                    goto out;
                }
            }
            tok_free(want);
        }
    }
out:
    free(got);
    tok_close(t);
}

TEST(stream_decoder_chains)
{
    uint64_t rng = 42;
    char chain[2048];
    check_chain("null", &rng);
    for (size_t a = 0; a < N_DEC; a++) {
        check_chain(decoders[a], &rng);
        for (size_t b = 0; b < N_DEC; b++) {
            snprintf(chain, sizeof chain, "{\"type\":\"Sequence\",\"decoders\":[%s,%s]}",
                     decoders[a], decoders[b]);
            check_chain(chain, &rng);
            for (size_t c = 0; c < N_DEC && failed_chains < 5; c++) {
                snprintf(chain, sizeof chain, "{\"type\":\"Sequence\",\"decoders\":[%s,%s,%s]}",
                         decoders[a], decoders[b], decoders[c]);
                check_chain(chain, &rng);
            }
        }
    }
    CHECK_MSG(failed_chains == 0, "%zu decoder chains stream differently from tok_decode",
              failed_chains);
    printf("  decoder chains: %zu streamed decodes equal tok_decode\n", checked);
}
