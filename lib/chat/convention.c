/* convention: how a conversation (Chat Completions or Responses) is shown to the model, chosen
 * in this one place. Each convention names the special tokens a tokenizer needs for it; the
 * model and the tokenizer choose when the caller does not:
 *
 *   harmony  gpt-oss models, or a tokenizer with harmony's formatting tokens (o200k_harmony)
 *   llama3   a tokenizer with <|start_header_id|>, <|end_header_id|>, <|eot_id|>
 *   chatml   a tokenizer with <|im_start|>, <|im_end|>
 *   gemini   Gemini models: Google's OpenAI-compatible endpoint turns the conversation into a
 *            generateContent request, counted as Google's LocalTokenizer counts one (gemini.c)
 *   openai   tiktoken encodings, and models counted with a proxy tokenizer (their own framing
 *            is not published; OpenAI's stands in, marked as an estimate)
 *
 * A chat-template renderer becomes one more row of `conventions` and one more line of
 * choose(). */
#include "chat/conversation.h"

#include <stdio.h>
#include <string.h>

static const char *const harmony_specials[] = {"<|start|>",   "<|message|>",   "<|end|>",
                                               "<|channel|>", "<|constrain|>", "<|call|>", NULL};
static const char *const llama3_specials[] = {"<|start_header_id|>", "<|end_header_id|>",
                                              "<|eot_id|>", NULL};
static const char *const chatml_specials[] = {"<|im_start|>", "<|im_end|>", NULL};

static const struct convention {
    const char *name;
    const char *const *needs;
    tok_status (*count)(chat_run *r, conversation *cv);
} conventions[] = {
    {"openai", NULL, conv_count_openai},
    {"harmony", harmony_specials, conv_count_harmony},
    {"llama3", llama3_specials, conv_count_llama3},
    {"chatml", chatml_specials, conv_count_chatml},
    {"gemini", NULL, conv_count_gemini},
};
enum { N_CONVENTIONS = sizeof conventions / sizeof conventions[0] };

static bool special(const tok_tokenizer *t, const char *text)
{
    uint32_t v;
    return tok_token_id(t, text, strlen(text), &v) == TOK_OK && tok_is_special(t, v);
}

static bool has_all(const tok_tokenizer *t, const char *const *names)
{
    for (; names && *names; names++)
        if (!special(t, *names))
            return false;
    return true;
}

static const struct convention *named(const char *name)
{
    for (size_t i = 0; i < N_CONVENTIONS; i++)
        if (!strcmp(conventions[i].name, name))
            return &conventions[i];
    return NULL;
}

static tok_status choose(chat_run *r, const struct convention **out)
{
    const tok_tokenizer *t = r->tok;
    const char *want = r->opts ? r->opts->convention : NULL;
    if (want) {
        const struct convention *c = named(want);
        if (!c)
            return tok_fail(r->err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                            "unknown chat convention '%s' (expected openai, harmony, llama3, "
                            "chatml or gemini)",
                            want);
        if (!has_all(t, c->needs)) {
            char list[160] = "";
            for (const char *const *k = c->needs; *k; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         k == c->needs ? "" : " ", *k);
            r->failed_convention = c->name;
            return tok_fail(r->err, TOK_EUNSUPPORTED, tok_name(t), TOK_NO_OFFSET,
                            "%s: the %s convention needs the special tokens %s", tok_name(t),
                            want, list);
        }
        *out = c;
        return TOK_OK;
    }
    bool oss = chat_model_is(r, "gpt-oss");
    if (chat_model_family(r) == FAM_GOOGLE && chat_model_is(r, "gemini"))
        *out = named("gemini");
    else if (has_all(t, harmony_specials))
        *out = named("harmony");
    else if (oss)
        *out = NULL; /* gpt-oss needs harmony's tokens */
    else if (has_all(t, llama3_specials))
        *out = named("llama3");
    else if (has_all(t, chatml_specials))
        *out = named("chatml");
    else if (!strcmp(tok_format(t), "tiktoken") || r->estimate)
        *out = named("openai");
    else
        *out = NULL;
    if (!*out)
        return tok_fail(r->err, TOK_EUNSUPPORTED, tok_name(t), TOK_NO_OFFSET,
                        "%s: no chat convention fits this tokenizer: its special tokens include "
                        "neither <|start_header_id|> and <|eot_id|> (llama3) nor <|im_start|> "
                        "and <|im_end|> (chatml)%s; give the model's chat template "
                        "(--chat-template: a tokenizer_config.json or a .jinja file) or name "
                        "a convention (openai, harmony, llama3, chatml or gemini)",
                        tok_name(t), oss ? ", nor harmony's (gpt-oss needs o200k_harmony)" : "");
    return TOK_OK;
}

/* ---- shared by the conventions ---- */

static int by_id(const void *a, const void *b)
{
    const conv_call *x = *(conv_call *const *)a, *y = *(conv_call *const *)b;
    size_t n = x->id.n < y->id.n ? x->id.n : y->id.n;
    int c = n ? memcmp(x->id.s, y->id.s, n) : 0;
    if (c)
        return c;
    if (x->id.n != y->id.n)
        return x->id.n < y->id.n ? -1 : 1;
    return x < y ? -1 : x > y; /* the array's order: the last call with an id wins */
}

static tok_status index_calls(chat_run *r, conversation *cv)
{
    size_t n = 0;
    for (size_t i = 0; i < cv->n_msgs; i++)
        for (size_t k = 0; k < cv->msgs[i].n_calls; k++)
            n += cv->msgs[i].calls[k].has_id;
    if (!(cv->by_id = chat_arena_alloc(&r->arena, (n ? n : 1) * sizeof *cv->by_id)))
        return chat_oom(r);
    for (size_t i = 0; i < cv->n_msgs; i++)
        for (size_t k = 0; k < cv->msgs[i].n_calls; k++)
            if (cv->msgs[i].calls[k].has_id)
                cv->by_id[cv->n_by_id++] = &cv->msgs[i].calls[k];
    qsort(cv->by_id, cv->n_by_id, sizeof *cv->by_id, by_id);
    return TOK_OK;
}

bool conv_call_name(const conversation *cv, const conv_msg *m, cstr *name)
{
    if (m->has_tool_call_id) {
        size_t lo = 0, hi = cv->n_by_id, found = SIZE_MAX;
        conv_call key = {.id = m->tool_call_id};
        const conv_call *kp = &key;
        while (lo < hi) { /* the last entry whose id is not above the key */
            size_t mid = lo + (hi - lo) / 2;
            const conv_call *c = cv->by_id[mid];
            size_t n = c->id.n < kp->id.n ? c->id.n : kp->id.n;
            int d = n ? memcmp(c->id.s, kp->id.s, n) : 0;
            if (!d)
                d = c->id.n < kp->id.n ? -1 : c->id.n > kp->id.n;
            if (d <= 0) {
                if (!d)
                    found = mid;
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (found != SIZE_MAX) {
            *name = cv->by_id[found]->name;
            return true;
        }
    }
    if (m->has_name) {
        *name = m->name;
        return true;
    }
    return false;
}

tok_status conv_add_extras(chat_run *r, conversation *cv)
{
    for (size_t i = 0; i < cv->n_extras; i++) {
        chat_path_set(r, cv->extras[i].path);
        tok_status st = chat_unknown(r, cv->extras[i].kind, -1, cv->extras[i].what,
                                     cv->extras[i].source);
        if (st != TOK_OK)
            return st;
    }
    chat_path_set(r, "");
    return TOK_OK;
}

tok_status chat_count_conversation(chat_run *r)
{
    conversation cv = {0};
    tok_status st = r->api == TOK_REQUEST_OPENAI_RESPONSES ? conv_read_responses(r, &cv)
                                                          : conv_read_chat(r, &cv);
    const struct convention *c = NULL;
    if (st == TOK_OK)
        st = index_calls(r, &cv);
    if (st == TOK_OK)
        st = choose(r, &c);
    for (size_t i = 0; st == TOK_OK && i < cv.n_msgs; i++) {
        conv_msg *m = &cv.msgs[i];
        chat_path_set(r, m->path);
        const char *role = m->row_role ? m->row_role : NULL;
        m->row = chat_row_add(r, role ? role : m->role.s, role ? strlen(role) : m->role.n);
        if (m->row < 0)
            st = chat_oom(r);
    }
    if (st == TOK_OK) {
        r->convention = c->name;
        st = c->count(r, &cv);
    }
    if (st == TOK_OK)
        st = conv_add_extras(r, &cv);
    free(cv.fns);
    free(cv.extras);
    return st;
}
