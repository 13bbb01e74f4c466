/* libFuzzer: request bodies of every API (and bare message arrays) never crash, leak or read out
 * of bounds, in every API the first byte picks (detected, or forced) and with the conventions
 * that need no special tokens; a count that succeeds adds up (items to parts to the total,
 * rows' content and overhead to their totals), and a failure leaves the output zeroed with a
 * message. Images in data: URLs exercise the header readers. The same bytes go through a chat
 * template (tok_chat_template_render / _count, and the request counter's "template" convention):
 * a failure leaves no text, a count is the rendering's tokens. */
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

static tok_tokenizer *tok;
static tok_chat_template *tpl;

/* A ChatML-like template that reads what chat templates read: roles, content, tools, names. */
static const char tpl_text[] =
    "{% for m in messages %}<|im_start|>{{ m.role }}{% if m.name %} {{ m.name }}{% endif %}\n"
    "{{ m.content if m.content is string else m.content | tojson }}<|im_end|>\n{% endfor %}"
    "{% if tools %}{{ tools | tojson(indent=2) }}{% endif %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

static void through_template(const uint8_t *data, size_t size)
{
    if (!tpl && tok_chat_template_load(tpl_text, sizeof tpl_text - 1, "fuzz", NULL, &tpl, NULL))
        abort();
    tok_chat_template_options to = {0};
    to.no_generation_prompt = data[0] & 1;
    to.now = 1750000000;
    char *text = (char *)1;
    size_t len = 1, n = 0, want = 0;
    tok_error err;
    tok_status st = tok_chat_template_render(tpl, &to, (const char *)data + 1, size - 1, &text,
                                             &len, &err);
    if (st != TOK_OK) {
        if (text || len || !err.message[0])
            abort();
        return;
    }
    tok_encode_options eo = {TOK_SPECIAL_ALLOW, 0};
    if (tok_count(tok, text, len, &eo, &want, NULL) != TOK_OK ||
        tok_chat_template_count(tpl, tok, &to, (const char *)data + 1, size - 1, &n, NULL) !=
            TOK_OK ||
        n != want)
        abort();
    tok_free(text);
    tok_request_options o = {0};
    o.chat_template = tpl;
    o.chat_template_options = &to;
    tok_request_count rc;
    if (tok_request_count_json(tok, &o, (const char *)data + 1, size - 1, &rc, NULL) == TOK_OK) {
        if (!strcmp(rc.convention, "template") && (rc.total != n || !rc.exact))
            abort();
        tok_request_count_free(&rc);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    if (!tok && tok_open_encoding("o200k_base", &tok, NULL) != TOK_OK)
        abort();
    static const char *const models[] = {NULL, "gpt-4o", "gpt-3.5-turbo-0301", "gpt-4.1-mini",
                                         "claude-sonnet-4-5", "claude-opus-4-7",
                                         "gemini-2.5-flash", "gemini-3-pro-preview"};
    tok_request_options o = {0};
    o.api = (tok_request_api)(data[0] % TOK_REQUEST_API_COUNT_);
    o.model = models[(data[0] >> 3) % (sizeof models / sizeof models[0])];
    o.image_width = data[0] & 0x80 ? 1024 : 0;
    o.image_height = o.image_width;
    tok_request_count rc;
    tok_error err;
    through_template(data, size);
    tok_status st = tok_request_count_json(tok, &o, (const char *)data + 1, size - 1, &rc, &err);
    if (st != TOK_OK) {
        if (rc.items || rc.messages || rc.total || !err.message[0])
            abort();
        return 0;
    }
    uint64_t items = 0, parts = 0, rows = 0, row_items = 0;
    for (size_t i = 0; i < rc.n_items; i++) {
        items += rc.items[i].tokens;
        if (rc.items[i].message >= 0)
            row_items += rc.items[i].tokens;
        if (rc.items[i].message >= (int64_t)rc.n_messages || !rc.items[i].path ||
            !rc.items[i].what || !rc.items[i].source || (rc.items[i].unknown && rc.items[i].tokens))
            abort();
    }
    for (int k = 0; k < TOK_PART_COUNT_; k++)
        parts += rc.parts[k].tokens;
    for (size_t i = 0; i < rc.n_messages; i++) {
        if (rc.messages[i].content + rc.messages[i].overhead != rc.messages[i].total)
            abort();
        rows += rc.messages[i].total;
    }
    if (items != rc.total || parts != rc.total || rows != row_items ||
        rc.total_low > rc.total || rc.total_high < rc.total || (rc.exact && !rc.complete))
        abort();
    tok_request_count_free(&rc);
    /* the first chat API on the same bytes */
    tok_chat_count cc;
    if (tok_chat_count_json(tok, o.model, (const char *)data + 1, size - 1, &cc, &err) == TOK_OK) {
        uint64_t sum = cc.prefix + cc.reply;
        for (size_t i = 0; i < cc.n_messages; i++)
            sum += cc.messages[i].total;
        if (sum != cc.total)
            abort();
        tok_chat_count_free(&cc);
    }
    return 0;
}
