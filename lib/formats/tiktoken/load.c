/* load: a .tiktoken file -> tokenizer.
 *
 * A .tiktoken file holds only the ranks; the pattern and special tokens live in tiktoken's code.
 * The four OpenAI files are recognised by SHA-256 (the hashes tiktoken itself checks) and get
 * their encoding's definition -- and the embedded vocabulary, which is the same bytes already
 * packed. Any other file needs a pattern from the caller: guessing one would silently give a
 * different tokenizer. */
#include "formats/tiktoken/tiktoken.h"

#include <string.h>

static const struct {
    const char *sha256, *encoding;
} known[] = {
    {"306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930", "r50k_base"},
    {"94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069", "p50k_base"},
    {"223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", "cl100k_base"},
    {"446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", "o200k_base"},
};

/* The encoding's special tokens plus the caller's extra ones. */
static tok_status add_specials(tok_tokenizer *t, const tok_open_options *o, const char *source,
                               tok_error *err)
{
    if (!o || !o->n_special)
        return TOK_OK;
    /* The caller's special tokens: text that can occur in a text, ids near the vocabulary
     * (tables are indexed by id: 4294967295 would wrap the id space, 246913402 cost 30 MB). */
    for (size_t i = 0; i < o->n_special; i++) {
        size_t bad;
        const char *tx = o->special_texts ? o->special_texts[i] : NULL;
        uint32_t id = o->special_ids ? o->special_ids[i] : 0;
        if (!tx || !*tx || !o->special_ids || tok_utf8_valid_prefix((const uint8_t *)tx, strlen(tx), &bad) != strlen(tx))
            return tok_fail(err, TOK_EINVAL, source, TOK_NO_OFFSET,
                            "%s: special token %zu is %s", source, i,
                            !tx || !o->special_ids ? "missing its text or id"
                            : !*tx                 ? "empty"
                                                   : "not valid UTF-8");
        if (id >= t->vocab.n_ids + (uint64_t)TOK_VOCAB_MAX_GAP)
            return tok_fail(err, TOK_EINVAL, source, TOK_NO_OFFSET,
                            "%s: special token %s has id %u, too large for a vocabulary of %u "
                            "tokens", source, tx, id, t->vocab.n_ids);
    }
    size_t have = t->specials.n, n = have + o->n_special;
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    uint32_t *ids = malloc(n * sizeof *ids);
    tok_specials old = t->specials;
    tok_status st = TOK_ENOMEM;
    if (texts && lens && ids) {
        for (size_t i = 0; i < have; i++) {
            texts[i] = (const char *)old.toks[i].text;
            lens[i] = old.toks[i].len;
            ids[i] = old.toks[i].id;
        }
        for (size_t i = 0; i < o->n_special; i++) {
            texts[have + i] = o->special_texts[i];
            lens[have + i] = strlen(o->special_texts[i]);
            ids[have + i] = o->special_ids[i];
        }
        st = tok_specials_init(&t->specials, n, texts, lens, ids);
        if (st == TOK_OK)
            tok_specials_free(&old);
        else
            t->specials = old;
    }
    free(texts);
    free(lens);
    free(ids);
    return st;
}

/* The split for a pattern: its scanner when it is a preset's text, else the compiled regex. */
static tok_status set_split(tok_tokenizer *t, const char *pattern, tok_error *err)
{
    size_t len = strlen(pattern);
    t->pattern = strdup(pattern);
    if (!t->pattern)
        return TOK_ENOMEM;
    tok_pretok_fn scan = tok_split_scanner_for(pattern, len, TOK_REGEX_RUST);
    if (scan)
        return tt_set_split(t, scan, NULL);
    char msg[256];
    size_t where;
    void *re = tok_regex_new(pattern, len, false, TOK_REGEX_RUST, msg, sizeof msg, &where);
    if (!re)
        return tok_fail(err, TOK_EFORMAT, t->name, where,
                        "%s: bad split pattern at character %zu: %s", t->name, where, msg);
    return tt_set_split(t, NULL, re);
}

tok_status tok_open_tiktoken(const uint8_t *data, size_t len, const char *source,
                             const tok_open_options *opts, tok_tokenizer **out, tok_error *err)
{
    *out = NULL;
    char hex[65];
    tok_sha256_hex(data, len, hex);
    const char *pattern = opts ? opts->pattern : NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(hex, known[i].sha256) != 0)
            continue;
        const tok_builtin *b = tok_builtin_find(known[i].encoding);
        size_t blen;
        const void *blob = tok_embedded_vocab(b->vocab, &blen);
        tok_vocab v;
        if (pattern || !blob || tok_vocab_view(&v, blob, blen) != 0)
            break; /* a caller-given pattern wins: build from the file itself */
        tok_status st = tok_builtin_open(b, &v, source, out, err);
        if (st == TOK_OK && (st = add_specials(*out, opts, source, err)) == TOK_OK)
            st = tok_tokenizer_finish(*out);
        if (st != TOK_OK) {
            tok_close(*out);
            *out = NULL;
            if (err && err->status == st)
                return st;
            return tok_fail(err, st, source, TOK_NO_OFFSET, "%s: %s", source,
                            tok_status_str(st));
        }
        return TOK_OK;
    }
    if (!pattern)
        return tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                        "%s: not one of the OpenAI .tiktoken files, so its split pattern is "
                        "unknown; give one (tokscope --pattern, tok_open_options.pattern: a "
                        "built-in encoding's name or a regex)",
                        source);

    tok_tokenizer *t = tok_tokenizer_new(source, &tiktoken_ops);
    if (!t)
        return tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    tok_status st = tok_tiktoken_parse(data, len, source, &t->vocab, err);
    if (st != TOK_OK) {
        tok_close(t);
        return st;
    }
    for (int b = 0; b < 256; b++)
        if (t->vocab.byte1[b] == TOK_NO_ID) {
            tok_close(t);
            return tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                            "%s: byte 0x%02X is not a token, so some text could not be encoded",
                            source, b);
        }
    const tok_builtin *b = tok_builtin_find(pattern);
    st = b ? set_split(t, tok_split_preset_named(b->preset)->pattern, err)
           : set_split(t, pattern, err);
    if (st == TOK_OK)
        st = add_specials(t, opts, source, err);
    if (st == TOK_OK)
        st = tok_tokenizer_finish(t);
    if (st != TOK_OK) {
        tok_close(t);
        if (err && err->status == st)
            return st;
        return tok_fail(err, st, source, TOK_NO_OFFSET, "%s: %s", source, tok_status_str(st));
    }
    *out = t;
    return TOK_OK;
}
