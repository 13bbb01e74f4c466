/* encodings: the built-in OpenAI encodings, as tiktoken 0.14 defines them in
 * tiktoken_ext/openai_public.py (special tokens and ids verbatim; the pattern strings are the
 * split presets of split/presets.c).
 *
 * Four vocabularies serve seven encodings: gpt2 has r50k_base's ranks, p50k_edit p50k_base's,
 * o200k_harmony o200k_base's. The vocabularies come from tok_embedded_vocab (embedded_blobs.c:
 * packed at build time and linked in, so opening one reads no file and copies nothing). */
#include "formats/tiktoken/tiktoken.h"

#include <stdio.h>
#include <string.h>

static const tok_builtin builtins[] = {
    {"gpt2", "r50k_base", "r50k", 50257},
    {"r50k_base", "r50k_base", "r50k", 50257},
    {"p50k_base", "p50k_base", "r50k", 50281},
    {"p50k_edit", "p50k_base", "r50k", 0},
    {"cl100k_base", "cl100k_base", "cl100k", 0},
    {"o200k_base", "o200k_base", "o200k", 0},
    {"o200k_harmony", "o200k_base", "o200k", 0},
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

typedef struct named_id {
    const char *text;
    uint32_t id;
} named_id;

static const named_id sp_r50k[] = {{"<|endoftext|>", 50256}};
static const named_id sp_p50k_edit[] = {{"<|endoftext|>", 50256},
                                        {"<|fim_prefix|>", 50281},
                                        {"<|fim_middle|>", 50282},
                                        {"<|fim_suffix|>", 50283}};
static const named_id sp_cl100k[] = {{"<|endoftext|>", 100257},
                                     {"<|fim_prefix|>", 100258},
                                     {"<|fim_middle|>", 100259},
                                     {"<|fim_suffix|>", 100260},
                                     {"<|endofprompt|>", 100276}};
static const named_id sp_o200k[] = {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}};
/* o200k_harmony: o200k_base's two, these, then <|reserved_N|> for N in 200013..201087. The
 * range includes 200018, so <|reserved_200018|> and <|endofprompt|> share that id. */
static const named_id sp_harmony[] = {
    {"<|endoftext|>", 199999},       {"<|endofprompt|>", 200018},
    {"<|startoftext|>", 199998},     {"<|reserved_200000|>", 200000},
    {"<|reserved_200001|>", 200001}, {"<|return|>", 200002},
    {"<|constrain|>", 200003},       {"<|reserved_200004|>", 200004},
    {"<|channel|>", 200005},         {"<|start|>", 200006},
    {"<|end|>", 200007},             {"<|message|>", 200008},
    {"<|reserved_200009|>", 200009}, {"<|reserved_200010|>", 200010},
    {"<|reserved_200011|>", 200011}, {"<|call|>", 200012},
};
#define HARMONY_RESERVED_FIRST 200013u
#define HARMONY_RESERVED_END 201088u

size_t tok_builtin_count(void) { return N_BUILTINS; }

const char *tok_builtin_name(size_t i) { return i < N_BUILTINS ? builtins[i].name : NULL; }

const tok_builtin *tok_builtin_find(const char *name)
{
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

tok_status tok_builtin_specials(const tok_builtin *b, size_t *n, char ***texts, size_t **lens,
                                uint32_t **ids, char **arena)
{
    const named_id *fixed;
    size_t nfixed, nres = 0;
    const char *nm = b->name;
    if (!strcmp(nm, "p50k_edit"))
        fixed = sp_p50k_edit, nfixed = 4;
    else if (!strcmp(nm, "cl100k_base"))
        fixed = sp_cl100k, nfixed = 5;
    else if (!strcmp(nm, "o200k_base"))
        fixed = sp_o200k, nfixed = 2;
    else if (!strcmp(nm, "o200k_harmony"))
        fixed = sp_harmony, nfixed = sizeof sp_harmony / sizeof sp_harmony[0],
        nres = HARMONY_RESERVED_END - HARMONY_RESERVED_FIRST;
    else
        fixed = sp_r50k, nfixed = 1;

    size_t total = nfixed + nres;
    *texts = malloc(total * sizeof **texts);
    *lens = malloc(total * sizeof **lens);
    *ids = malloc(total * sizeof **ids);
    *arena = malloc(nres * 24 + 1);
    if (!*texts || !*lens || !*ids || !*arena) {
        free(*texts), free(*lens), free(*ids), free(*arena);
        return TOK_ENOMEM;
    }
    for (size_t i = 0; i < nfixed; i++) {
        (*texts)[i] = (char *)(uintptr_t)fixed[i].text;
        (*lens)[i] = strlen(fixed[i].text);
        (*ids)[i] = fixed[i].id;
    }
    char *a = *arena;
    for (size_t k = 0; k < nres; k++) {
        uint32_t id = HARMONY_RESERVED_FIRST + (uint32_t)k;
        int len = snprintf(a, 24, "<|reserved_%u|>", id);
        (*texts)[nfixed + k] = a;
        (*lens)[nfixed + k] = (size_t)len;
        (*ids)[nfixed + k] = id;
        a += len + 1;
    }
    *n = total;
    return TOK_OK;
}

tok_status tok_builtin_open(const tok_builtin *b, const tok_vocab *vocab, const char *name,
                            tok_tokenizer **out, tok_error *err)
{
    *out = NULL;
    const tok_split_preset *ps = tok_split_preset_named(b->preset);
    tok_tokenizer *t = tok_tokenizer_new(name, &tiktoken_ops);
    if (!t)
        return tok_fail(err, TOK_ENOMEM, name, TOK_NO_OFFSET, "%s: out of memory", name);
    t->vocab = *vocab;
    t->pattern = strdup(ps->pattern);
    size_t n;
    char **texts, *arena;
    size_t *lens;
    uint32_t *ids;
    tok_status st = t->pattern ? tt_set_split(t, ps->scan, NULL) : TOK_ENOMEM;
    if (st == TOK_OK)
        st = tok_builtin_specials(b, &n, &texts, &lens, &ids, &arena);
    if (st == TOK_OK) {
        st = tok_specials_init(&t->specials, n, (const char *const *)texts, lens, ids);
        free(texts), free(lens), free(ids), free(arena);
    }
    if (st == TOK_OK)
        st = tok_tokenizer_finish(t);
    if (st == TOK_OK && b->explicit_n_vocab && t->n_ids != b->explicit_n_vocab)
        st = TOK_EFORMAT; /* tiktoken's own sanity check on the vocabulary size */
    if (st != TOK_OK) {
        tok_close(t);
        return tok_fail(err, st, name, TOK_NO_OFFSET, "%s: cannot build the encoding: %s", name,
                        tok_status_str(st));
    }
    *out = t;
    return TOK_OK;
}

tok_status tok_open_encoding(const char *name, tok_tokenizer **out, tok_error *err)
{
    if (!name || !out)
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET, "no encoding name given");
    *out = NULL;
    const tok_builtin *b = tok_builtin_find(name);
    if (!b) {
        const char *names[N_BUILTINS];
        for (size_t i = 0; i < N_BUILTINS; i++)
            names[i] = builtins[i].name;
        char near[256];
        tok_closest_names(name, names, N_BUILTINS, near, sizeof near);
        return tok_fail(err, TOK_ENOENT, name, TOK_NO_OFFSET,
                        "unknown encoding '%s' (closest: %s)", name, near);
    }
    size_t len;
    const void *blob = tok_embedded_vocab(b->vocab, &len);
    tok_vocab v;
    if (!blob || tok_vocab_view(&v, blob, len) != 0)
        return tok_fail(err, TOK_EFORMAT, name, TOK_NO_OFFSET,
                        "%s: the embedded vocabulary is missing or damaged", name);
    return tok_builtin_open(b, &v, name, out, err);
}
