/* shipped twins (api/shipped_twin.c): a tokenizer.json that is byte for byte the source of a
 * shipped pack opens from the pack -- under the file's name, without the pack's chat template,
 * with the ids of the JSON loader -- and nothing else does: a file one byte different, a data
 * directory without packs, a pack damaged since it was built (the file's own loader runs). */
#include "api/api.h"
#include "base/pack.h"
#include "formats/hf/hf.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether t was opened from a pack (its tables point into a pack's memory). */
static bool from_pack(const tok_tokenizer *t) { return ((const hf_pipeline *)t->impl)->backing; }

static const char *const texts[] = {
    "Hello world! It's 2024 and  spaces\n\nabound.",
    "日本語の文章です。中文句子，没有空格。 Привет, мир! 🙂🙂",
    "    def f(x):\n\treturn x**2  # 12345678901234567890\n",
};

/* a and b give the same ids on every text. */
static bool same_ids(const tok_tokenizer *a, const tok_tokenizer *b)
{
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        uint32_t *x = NULL, *y = NULL;
        size_t nx = 0, ny = 0;
        tok_status sa = tok_encode_alloc(a, texts[i], strlen(texts[i]), NULL, &x, NULL, &nx, NULL);
        tok_status sb = tok_encode_alloc(b, texts[i], strlen(texts[i]), NULL, &y, NULL, &ny, NULL);
        bool same = sa == TOK_OK && sb == TOK_OK && nx == ny && nx > 0 &&
                    !memcmp(x, y, nx * sizeof *x);
        tok_free(x), tok_free(y);
        if (!same)
            return false;
    }
    return true;
}

/* DeepSeek-V3's tokenizer.json: shipped as deepseek-v3.tkz, and the smallest such file. */
static bool twin_path(char *path, size_t cap)
{
    snprintf(path, cap, "%s/deepseek_v3/tokenizer.json", test_hf_dir());
    return access(path, R_OK) == 0;
}

TEST(shipped_twin_opens_from_the_pack)
{
    char path[512];
    CHECK_MSG(twin_path(path, sizeof path), "%s is missing (run make hf-vocabs)", path);
    tok_tokenizer *t = NULL, *json = NULL;
    CHECK(tok_open_file(path, NULL, &t, NULL) == TOK_OK);
    size_t len;
    char *data = read_file(path, &len);
    bool ok = data && tok_open_memory(data, len, path, NULL, &json, NULL) == TOK_OK;
    bool packed = from_pack(t), json_packed = ok && from_pack(json);
    bool same = ok && same_ids(t, json);
    bool name = !strcmp(tok_name(t), path), no_chat = !t->chat_config;
    tok_close(t), tok_close(json), free(data);
    CHECK_MSG(packed, "%s did not open from deepseek-v3.tkz (is make vocabs done?)", path);
    CHECK_MSG(ok && !json_packed, "tok_open_memory runs the JSON loader");
    CHECK(same);
    CHECK(name);
    CHECK_MSG(no_chat, "a tokenizer.json carries no chat template; its pack's must not show");
}

TEST(shipped_twin_only_for_identical_files)
{
    char path[512], copy[600];
    CHECK_MSG(twin_path(path, sizeof path), "%s is missing (run make hf-vocabs)", path);
    size_t len;
    char *data = read_file(path, &len);
    CHECK(data);
    /* the same JSON with one more newline: the same tokenizer, not the same file */
    char *longer = malloc(len + 1);
    memcpy(longer, data, len);
    longer[len] = '\n';
    snprintf(copy, sizeof copy, "%s/twin-edited.json", test_tmpdir());
    bool wrote = write_file(copy, longer, len + 1);
    free(longer);
    tok_tokenizer *t = NULL, *ref = NULL;
    bool opened = wrote && tok_open_file(copy, NULL, &t, NULL) == TOK_OK &&
                  tok_open_memory(data, len, path, NULL, &ref, NULL) == TOK_OK;
    bool packed = opened && from_pack(t), same = opened && same_ids(t, ref);
    tok_close(t), tok_close(ref);
    unlink(copy);
    free(data);
    CHECK(opened);
    CHECK_MSG(!packed, "a file one byte longer opened from the pack");
    CHECK(same);

    /* a data directory without the pack */
    const char *old = getenv("TOKSCOPE_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TOKSCOPE_DATA_DIR", test_tmpdir(), 1);
    t = NULL;
    tok_status st = tok_open_file(path, NULL, &t, NULL);
    packed = st == TOK_OK && from_pack(t);
    tok_close(t);
    if (saved)
        setenv("TOKSCOPE_DATA_DIR", saved, 1);
    else
        unsetenv("TOKSCOPE_DATA_DIR");
    free(saved);
    CHECK(st == TOK_OK);
    CHECK_MSG(!packed, "opened from a pack no data directory holds");
}

/* A pack damaged after it was built (its configuration section no longer JSON) but still
 * naming the file as its source: the file opens with its own loader, exactly. */
TEST(shipped_twin_damaged_pack_leaves_the_file_to_its_loader)
{
    char path[512], dir[600], pack[700];
    CHECK_MSG(twin_path(path, sizeof path), "%s is missing (run make hf-vocabs)", path);
    const char *dirs[2];
    size_t nd = tok_data_dirs(dirs);
    size_t plen = 0;
    char *p = NULL;
    for (size_t i = 0; i < nd && !p; i++) {
        snprintf(pack, sizeof pack, "%s/deepseek-v3.tkz", dirs[i]);
        p = read_file(pack, &plen);
    }
    CHECK_MSG(p, "deepseek-v3.tkz is in no data directory (is make vocabs done?)");
    tok_pack_view v;
    CHECK(tok_pack_read(p, plen, "pack", &v, NULL) == TOK_OK);
    size_t clen;
    const char *config = tok_pack_get(&v, 1 /* CONFIG */, &clen);
    CHECK(config && clen > 0);
    p[config - p] = '#';
    snprintf(dir, sizeof dir, "%s/twin-data", test_tmpdir());
    mkdir(dir, 0700);
    snprintf(pack, sizeof pack, "%s/deepseek-v3.tkz", dir);
    bool wrote = write_file(pack, p, plen);
    free(p);
    CHECK(wrote);

    const char *old = getenv("TOKSCOPE_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TOKSCOPE_DATA_DIR", dir, 1);
    tok_tokenizer *t = NULL, *ref = NULL;
    tok_status st = tok_open_file(path, NULL, &t, NULL);
    if (saved)
        setenv("TOKSCOPE_DATA_DIR", saved, 1);
    else
        unsetenv("TOKSCOPE_DATA_DIR");
    free(saved);
    size_t len;
    char *data = read_file(path, &len);
    bool ok = st == TOK_OK && data && tok_open_memory(data, len, path, NULL, &ref, NULL) == TOK_OK;
    bool packed = ok && from_pack(t), same = ok && same_ids(t, ref);
    tok_close(t), tok_close(ref), free(data);
    unlink(pack);
    rmdir(dir);
    CHECK(ok);
    CHECK(!packed);
    CHECK(same);
}

/* The lazy tables of t, after a long piece asked for them. */
static const hf_lazy_rank *lazy_of(const tok_tokenizer *t)
{
    static const hf_lazy_rank none;
    const hf_lazy_rank *z = ((const hf_pipeline *)t->impl)->model.lazy;
    return z ? z : &none;
}

/* Llama 3's tokenizer.json: byte-level BPE on the fast path, shipped as llama3.tkz. */
static bool llama3_path(char *path, size_t cap)
{
    snprintf(path, cap, "%s/llama3/tokenizer.json", test_hf_dir());
    return access(path, R_OK) == 0;
}

/* A piece long enough for the rank core (HF_RANK_LAZY_MIN), encoded by a and b: the same ids. */
static bool same_long_piece(const tok_tokenizer *a, const tok_tokenizer *b)
{
    size_t n = HF_RANK_LAZY_MIN + 5000;
    char *s = malloc(n + 1);
    uint64_t seed = 9;
    /* letters only: one piece; and letters every pair of which some merge of Mistral 7B's
     * makes, so a SentencePiece-style model does not cut it (models/bpe_pairs.c) and it reaches
     * the long-word tables whole */
    for (size_t i = 0; i < n; i++)
        s[i] = "aeiorstnlcdmpu"[test_rand(&seed) % 14];
    uint32_t *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    bool same = tok_encode_alloc(a, s, n, NULL, &x, NULL, &nx, NULL) == TOK_OK &&
                tok_encode_alloc(b, s, n, NULL, &y, NULL, &ny, NULL) == TOK_OK && nx == ny &&
                nx > 0 && !memcmp(x, y, nx * sizeof *x);
    tok_free(x), tok_free(y), free(s);
    return same;
}

/* data with one more newline (edit 0), its post_processor dropped too (1), or a reserved
 * added token renamed (2), written to path. */
static bool write_edited(const char *path, const char *data, size_t len, int edit)
{
    char *e = malloc(len + 64);
    size_t m = len;
    memcpy(e, data, len);
    e[m++] = '\n';
    if (edit == 2) {
        char *q = strstr(e, "reserved_special_token_5|>\"");
        if (!q)
            return free(e), false;
        q[strlen("reserved_special_token_")] = 'X';
    }
    if (edit == 1) {
        char *pp = strstr(e, "\"post_processor\"");
        char *colon = pp ? strchr(pp, ':') : NULL;
        char *next = colon ? strstr(colon, "\"decoder\"") : NULL;
        if (!next)
            return free(e), false;
        /* "post_processor": null, "decoder"... */
        size_t tail = m - (size_t)(next - e);
        memmove(colon + 8, next, tail);
        memcpy(colon + 1, " null, ", 7);
        m = (size_t)(colon + 8 - e) + tail;
    }
    bool ok = write_file(path, e, m);
    free(e);
    return ok;
}

/* A file that holds a shipped model but is not its pack's source (one more newline; no
 * post-processor, or a reserved token renamed, as fine-tunes ship them) opens from its JSON,
 * and on its first long piece the pack lends its rank tables (no 0.15 s proof): the same ids
 * as the file's own tables. */
TEST(model_twin_lends_tables_to_an_edited_file)
{
    char path[512], copy[600];
    CHECK_MSG(llama3_path(path, sizeof path), "%s is missing (run make hf-vocabs)", path);
    size_t len;
    char *data = read_file(path, &len);
    CHECK(data);
    snprintf(copy, sizeof copy, "%s/model-twin.json", test_tmpdir());
    for (int edit = 0; edit < 3; edit++) {
        CHECK(write_edited(copy, data, len, edit));
        tok_tokenizer *t = NULL, *ref = NULL;
        bool opened = tok_open_file(copy, NULL, &t, NULL) == TOK_OK &&
                      tok_open_memory(data, len, path, NULL, &ref, NULL) == TOK_OK;
        bool packed = opened && from_pack(t), named = opened && lazy_of(t)->n_twins > 0;
        bool same = opened && same_long_piece(t, ref) && (edit == 1 || same_ids(t, ref));
        bool lent = opened && lazy_of(t)->twin_map != NULL;
        bool ref_built = opened && lazy_of(ref)->twin_map == NULL; /* memory: no twins named */
        tok_close(t), tok_close(ref);
        unlink(copy);
        if (!(opened && !packed && named && same && lent && ref_built))
            free(data);
        CHECK(opened);
        CHECK_MSG(!packed, "an edited file opened from the pack");
        CHECK_MSG(named, "no pack was named as a possible twin");
        CHECK(same);
        CHECK_MSG(lent, "the pack did not lend its tables (edit %d)", edit);
        CHECK(ref_built);
    }
    free(data);
}

/* Two tokens' ids swapped ("ing" 287 and "ed" 291): the vocabulary is no longer the pack's, so
 * the pack is named (the sizes agree) but lends nothing, and the file's own tables give its
 * ids. (An added token renamed, as fine-tunes rename reserved ones, does not count: the tables
 * hold only the model's vocabulary, and they are lent.) */
TEST(model_twin_refuses_another_vocabulary)
{
    char path[512], copy[600];
    CHECK_MSG(llama3_path(path, sizeof path), "%s is missing (run make hf-vocabs)", path);
    size_t len;
    char *data = read_file(path, &len);
    CHECK(data);
    char *a = strstr(data, "\"ing\": 287,"), *b = strstr(data, "\"ed\": 291,");
    if (!a || !b)
        free(data);
    CHECK_MSG(a && b, "\"ing\": 287 or \"ed\": 291 is not in %s", path);
    memcpy(a + strlen("\"ing\": "), "291", 3);
    memcpy(b + strlen("\"ed\": "), "287", 3);
    snprintf(copy, sizeof copy, "%s/model-not-twin.json", test_tmpdir());
    bool wrote = write_file(copy, data, len);
    tok_tokenizer *t = NULL, *ref = NULL;
    bool opened = wrote && tok_open_file(copy, NULL, &t, NULL) == TOK_OK &&
                  tok_open_memory(data, len, copy, NULL, &ref, NULL) == TOK_OK;
    bool same = opened && same_long_piece(t, ref);
    bool named = opened && lazy_of(t)->n_twins > 0, lent = opened && lazy_of(t)->twin_map != NULL;
    tok_close(t), tok_close(ref);
    unlink(copy);
    free(data);
    CHECK(opened);
    CHECK_MSG(named, "the pack was not named (the test no longer reaches the comparison)");
    CHECK_MSG(!lent, "a pack lent its tables to another vocabulary");
    CHECK(same);
}

/* Character-level BPE (Mistral 7B's tokenizer.json, shipped as mistral-7b.tkz, with one more
 * newline): the pack lends its renumbered vocabulary's sections, checked on use as its own are,
 * in place of the character-level build (0.5 s and 100 MB for Gemma 3). */
TEST(model_twin_lends_character_level_tables)
{
    char path[512], copy[600];
    snprintf(path, sizeof path, "%s/mistral_7b/tokenizer.json", test_hf_dir());
    size_t len;
    char *data = read_file(path, &len);
    CHECK_MSG(data, "%s is missing (run make hf-vocabs)", path);
    snprintf(copy, sizeof copy, "%s/model-twin-chars.json", test_tmpdir());
    bool wrote = write_edited(copy, data, len, 0);
    tok_tokenizer *t = NULL, *ref = NULL;
    bool opened = wrote && tok_open_file(copy, NULL, &t, NULL) == TOK_OK &&
                  tok_open_memory(data, len, path, NULL, &ref, NULL) == TOK_OK;
    bool packed = opened && from_pack(t), named = opened && lazy_of(t)->n_twins > 0;
    bool same = opened && same_long_piece(t, ref) && same_ids(t, ref);
    bool lent = opened && lazy_of(t)->twin_map != NULL && lazy_of(ref)->twin_map == NULL;
    bool used = opened && atomic_load(&lazy_of(t)->state) == 1;
    tok_close(t), tok_close(ref);
    unlink(copy);
    free(data);
    CHECK(opened);
    CHECK_MSG(!packed, "an edited file opened from the pack");
    CHECK_MSG(named, "no pack was named as a possible twin");
    CHECK(same);
    CHECK_MSG(lent && used, "the pack did not lend its character-level tables");
}

/* A character-level pack records whether its merges are plain (no merge involves a byte or
 * the unknown token, every merge makes a vocabulary token), which the first long word otherwise
 * asks of every merge (tens of milliseconds for Gemma 3): the recorded answer is the one the
 * merges give, and a model that cuts words (which implies it) records none. */
TEST(character_level_packs_record_plain_merges)
{
    static const char *const models[] = {"gemma-3-4b", "mistral-7b"};
    for (size_t k = 0; k < sizeof models / sizeof *models; k++) {
        tok_tokenizer *t = NULL;
        CHECK_MSG(tok_open_model(models[k], &t, NULL) == TOK_OK && t, "%s does not open",
                  models[k]);
        if (!t)
            continue;
        const hf_model *m = &((const hf_pipeline *)t->impl)->model;
        /* read before the checks, which return on failure: the tokenizer is closed first */
        bool packed = from_pack(t), cut = m->cut_words;
        unsigned got = m->plain_known, want = cut ? 0 : hf_merges_plain(&t->vocab, m, false) ? 2 : 1;
        tok_close(t);
        CHECK_MSG(packed, "%s: not from its pack", models[k]);
        CHECK_MSG(got == want, "%s records %u, its merges say %u%s", models[k], got, want,
                  cut ? " (it cuts words: nothing recorded)" : "");
    }
}
