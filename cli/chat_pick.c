/* chat_pick: the chat template a tokenizer renders conversations with (chat_pick.h). */
#include "chat_pick.h"

#include "cli.h"
#include "render.h"

#include <string.h>
#include <sys/stat.h>

bool chat_api_model(const tok_model *m)
{
    return m && !tok_model_own_template(m);
}

bool chat_pick_template(const tok_tokenizer *tok, const char *file, const char *label,
                        const char *name, tok_chat_template **t)
{
    *t = NULL;
    tok_error err;
    tok_status st = tok_chat_template_of(tok, name, t, &err);
    if (st == TOK_OK)
        return true;
    tok_chat_template *dflt = NULL;
    if (st == TOK_ENOENT && name && tok_chat_template_of(tok, NULL, &dflt, NULL) == TOK_OK)
        st = TOK_EINVAL; /* it has a template, not one of that name */
    tok_chat_template_free(dflt);
    if (st != TOK_ENOENT) {
        warn_err(label, &err);
        return false;
    }
    if (!file)
        return true;
    const char *slash = strrchr(file, '/');
    sbuf p = {0};
    if (slash)
        sb_put(&p, file, (size_t)(slash - file + 1));
    sb_puts(&p, "tokenizer_config.json");
    input cfg;
    bool ok = true;
    struct stat sb;
    if (stat(p.p, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (!read_input(p.p, &cfg)) {
            ok = false;
        } else {
            if (tok_chat_template_load(cfg.data, cfg.len, p.p, name, t, &err) != TOK_OK) {
                warn_err(p.p, &err);
                ok = false;
            }
            input_free(&cfg);
        }
    }
    sb_free(&p);
    return ok;
}
