/* legacy: tok_chat_count_json and tok_chat_count_json_opts, the first chat API, kept for its
 * callers on top of the request counter: a Chat Completions body (or messages array) counted
 * in a chat convention, summed up per message as tok_chat_count lays it out. The request's own
 * parts (tool definitions, the system message harmony adds) are its prefix. */
#include "chat/request.h"

#include <string.h>

void tok_chat_count_free(tok_chat_count *c)
{
    if (!c)
        return;
    free(c->messages);
    free(c->internal_);
    memset(c, 0, sizeof *c);
}

tok_status tok_chat_count_json_opts(const tok_tokenizer *tok, const tok_chat_options *opts,
                                    const char *json, size_t len, tok_chat_count *out,
                                    tok_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!tok || !out || (!json && len))
        return tok_fail(err, TOK_EINVAL, NULL, TOK_NO_OFFSET,
                        "tok_chat_count_json: no tokenizer, output or text given");
    tok_request_options o = {0};
    o.model = opts ? opts->model : NULL;
    o.convention = opts ? opts->convention : NULL;
    o.api = TOK_REQUEST_OPENAI_CHAT;
    chat_run r = {0};
    r.tok = tok;
    r.opts = &o;
    r.err = err;
    tok_request_count rc;
    memset(&rc, 0, sizeof rc);
    tok_status st = chat_run_body(&r, json ? json : "", len);
    if (st == TOK_OK)
        st = chat_run_finish(&r, &rc);
    chat_run_free(&r);
    if (st != TOK_OK) {
        tok_request_count_free(&rc);
        return st;
    }
    /* roles and the note are copied into one block: tok_chat_count_free frees internal_ */
    size_t bytes = rc.note ? strlen(rc.note) + 1 : 0;
    for (size_t i = 0; i < rc.n_messages; i++)
        bytes += strlen(rc.messages[i].role) + 1;
    out->messages = calloc(rc.n_messages ? rc.n_messages : 1, sizeof *out->messages);
    char *block = malloc(bytes ? bytes : 1);
    if (!out->messages || !block) {
        free(block);
        tok_chat_count_free(out);
        tok_request_count_free(&rc);
        return tok_fail(err, TOK_ENOMEM, NULL, TOK_NO_OFFSET, "out of memory");
    }
    out->internal_ = block;
    for (size_t i = 0; i < rc.n_messages; i++) {
        const tok_request_message *m = &rc.messages[i];
        size_t l = strlen(m->role) + 1;
        memcpy(block, m->role, l);
        out->messages[i] = (tok_chat_message_count){block, m->content, m->overhead, m->total};
        block += l;
    }
    if (rc.note) {
        memcpy(block, rc.note, strlen(rc.note) + 1);
        out->note = block;
    }
    out->n_messages = rc.n_messages;
    out->total = rc.total;
    out->exact = rc.exact;
    out->convention = rc.convention;
    out->prefix = rc.prefix;
    out->reply = rc.parts[TOK_PART_REPLY].tokens;
    out->tokens_per_message = rc.tokens_per_message;
    out->tokens_per_name = rc.tokens_per_name;
    tok_request_count_free(&rc);
    return TOK_OK;
}

tok_status tok_chat_count_json(const tok_tokenizer *tok, const char *model, const char *json,
                               size_t len, tok_chat_count *out, tok_error *err)
{
    tok_chat_options o = {model, NULL};
    return tok_chat_count_json_opts(tok, &o, json, len, out, err);
}
