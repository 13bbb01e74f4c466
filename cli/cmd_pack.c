/* pack: a tokenizer.json compiled into tokscope's pack (tok_pack), which opens in milliseconds
 * and gives exactly the same ids; the tokenizer_config.json beside it (its chat template) is
 * kept in the pack unless told otherwise. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The tokenizer_config.json in the directory of path, or NULL. malloc'd. */
static char *sibling_config(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    char *p = malloc(dl + sizeof "tokenizer_config.json");
    if (!p)
        return NULL;
    memcpy(p, path, dl);
    memcpy(p + dl, "tokenizer_config.json", sizeof "tokenizer_config.json");
    if (access(p, R_OK) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

static int run(const cli_args *a)
{
    const char *out = cli_text(a, "output"), *cfg_path = cli_text(a, "config");
    bool no_config = cli_flag(a, "no-config");
    if (a->n_pos != 1)
        return cli_usage_error(a, "give one tokenizer.json to pack");
    if (!out)
        return cli_usage_error(a, "where to write the pack? give -o FILE");
    if (cfg_path && no_config)
        return cli_usage_error(a, "--config and --no-config: choose one");
    const char *path = a->pos[0];
    char *found = !cfg_path && !no_config ? sibling_config(path) : NULL;
    if (found)
        cfg_path = found;
    input in = {0}, cfg = {0};
    int status = EXIT_BAD;
    if (!read_input(path, &in) || (cfg_path && !read_input(cfg_path, &cfg)))
        goto done;
    void *pack;
    size_t len;
    tok_error err;
    if (tok_pack(in.data, in.len, path, cfg_path ? cfg.data : NULL, cfg.len, &pack, &len, &err) !=
        TOK_OK) {
        warn_err(NULL, &err);
        goto done;
    }
    /* written beside the target and renamed: a failed write leaves no half pack */
    size_t ol = strlen(out);
    char *tmp = malloc(ol + 5);
    FILE *f = tmp ? (memcpy(tmp, out, ol), memcpy(tmp + ol, ".tmp", 5), fopen(tmp, "wb")) : NULL;
    if (!f || fwrite(pack, 1, len, f) != len || fclose(f) != 0 || rename(tmp, out) != 0) {
        warnx_("%s: cannot write the pack", shown_name(out));
        if (tmp)
            unlink(tmp);
    } else {
        if (found)
            warnx_("kept the chat template configuration of %s", shown_name(found));
        status = EXIT_OK;
    }
    free(tmp);
    tok_free(pack);
done:
    input_free(&in);
    input_free(&cfg);
    free(found);
    return status;
}

static const cli_opt opts[] = {
    {"output", 'o', "FILE", CLI_TEXT, .help = "write the pack to FILE (required)",
     .values = CLI_V_FILE},
    {"config", 'c', "FILE", CLI_TEXT,
     .help = "the tokenizer_config.json to keep with it (default: the one\n"
             "beside the tokenizer.json, when there is one)",
     .values = CLI_V_FILE},
    {"no-config", 0, NULL, CLI_FLAG, .help = "keep no tokenizer_config.json"},
};

CLI_COMMAND(pack, "TOKENIZER.json", CLI_V_FILE, "compile a tokenizer.json into a fast-opening pack",
            /* usage */
            "pack [OPTIONS] TOKENIZER.json -o OUT.tkz\n",
            /* about */
            "Compile a Hugging Face tokenizer.json into tokscope's pack: the same tokenizer, whose\n"
            "tables are used in place instead of rebuilt, so it opens in milliseconds (a large\n"
            "tokenizer.json takes 0.1-0.5 s to parse). -t OUT.tkz then works in every command and\n"
            "gives exactly the ids of the tokenizer.json. Packs are tied to this version of\n"
            "tokscope and to the machine's byte order; another is refused with a message.\n",
            /* footer */
            "Exit status: 0 ok, 2 usage error, or a file that cannot be read, packed or written.\n");
