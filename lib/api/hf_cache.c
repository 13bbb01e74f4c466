/* hf_cache: tokenizer files in the local Hugging Face cache, so a user who has a model already
 * needs nothing else ("hf:meta-llama/Llama-3.1-8B-Instruct").
 *
 * The cache is huggingface_hub's layout: $HF_HUB_CACHE, else $HF_HOME/hub, else
 * $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub; a model ORG/NAME lives in
 * models--ORG--NAME/, its files in snapshots/<commit>/, and refs/main names the commit the
 * user downloaded last. That snapshot is used when it holds the file; otherwise the most
 * recently changed snapshot that does. Nothing is downloaded. */
#include "api/api.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool hub_dir(char *out, size_t cap)
{
    const char *v;
    int n;
    if ((v = getenv("HF_HUB_CACHE")) && *v)
        n = snprintf(out, cap, "%s", v);
    else if ((v = getenv("HF_HOME")) && *v)
        n = snprintf(out, cap, "%s/hub", v);
    else if ((v = getenv("XDG_CACHE_HOME")) && *v)
        n = snprintf(out, cap, "%s/huggingface/hub", v);
    else if ((v = getenv("HOME")) && *v)
        n = snprintf(out, cap, "%s/.cache/huggingface/hub", v);
    else
        return false;
    return n > 0 && (size_t)n < cap;
}

bool tok_hf_cache_find(const char *repo, const char *file, char *path, size_t cap, char *where,
                       size_t where_cap)
{
    char hub[2048], model[2048];
    if (!hub_dir(hub, sizeof hub))
        return false;
    const char *slash = strchr(repo, '/');
    if (!slash || slash == repo || !slash[1] || strchr(slash + 1, '/') || strstr(repo, ".."))
        return false;
    int n = snprintf(model, sizeof model, "%s/models--%.*s--%s", hub, (int)(slash - repo), repo,
                     slash + 1);
    if (n < 0 || (size_t)n >= sizeof model)
        return false;
    snprintf(where, where_cap, "%s", model);
    /* refs/main: the commit downloaded last */
    char ref[256] = "", buf[4096];
    snprintf(buf, sizeof buf, "%s/refs/main", model);
    FILE *f = fopen(buf, "r");
    if (f) {
        if (!fgets(ref, sizeof ref, f))
            ref[0] = 0;
        fclose(f);
        ref[strcspn(ref, "\r\n")] = 0;
    }
    if (ref[0] && !strchr(ref, '/')) {
        n = snprintf(path, cap, "%s/snapshots/%s/%s", model, ref, file);
        if (n > 0 && (size_t)n < cap && access(path, R_OK) == 0)
            return true;
    }
    /* else the newest snapshot that has the file */
    snprintf(buf, sizeof buf, "%s/snapshots", model);
    DIR *d = opendir(buf);
    if (!d)
        return false;
    bool found = false;
    time_t best = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char cand[4096];
        struct stat st;
        n = snprintf(cand, sizeof cand, "%s/%s/%s", buf, e->d_name, file);
        if (n < 0 || (size_t)n >= sizeof cand || stat(cand, &st) != 0 || access(cand, R_OK) != 0)
            continue;
        if (!found || st.st_mtime > best) {
            n = snprintf(path, cap, "%s", cand);
            if (n > 0 && (size_t)n < cap) {
                found = true;
                best = st.st_mtime;
            }
        }
    }
    closedir(d);
    return found;
}
