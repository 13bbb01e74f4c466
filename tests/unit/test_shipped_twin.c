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
