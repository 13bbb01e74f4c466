/* templates: the "llama3" and "chatml" conventions -- the conversation rendered as text by the
 * chat template and encoded once with special tokens allowed, as transformers'
 * apply_chat_template(tokenize=True) does; each token belongs to the message its first byte
 * came from.
 *
 *   llama3  Meta Llama 3's template (tokenizer_config.json of Meta-Llama-3-*-Instruct):
 *             <|begin_of_text|>{<|start_header_id|>role<|end_header_id|>\n\n
 *             {content | trim}<|eot_id|>}...<|start_header_id|>assistant<|end_header_id|>\n\n
 *   chatml  {<|im_start|>role\n{content}<|im_end|>\n}...<|im_start|>assistant\n
 *
 * Text parts of a message are joined with nothing between them. Neither template has tool
 * definitions, tool calls or images: those are unknown items. */
#include "chat/conversation.h"

#include <string.h>

static const char SRC_LLAMA3[] = "Meta Llama 3's chat template (tokenizer_config.json of "
                                 "Meta-Llama-3-Instruct), encoded as one text";
static const char SRC_CHATML[] = "ChatML (<|im_start|>role\\n...<|im_end|>\\n), encoded as one "
                                 "text";

/* Python's str.strip(): the characters str.isspace() accepts. Returns the byte length of the
 * whitespace character ending (back) or starting at i, or 0. */
static size_t ws_at(const uint8_t *s, size_t n, size_t i, bool back)
{
    static const uint32_t cps[] = {0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    size_t st = i;
    if (back) {
        if (i == 0)
            return 0;
        st = i - 1;
        while (st > 0 && (s[st] & 0xC0) == 0x80 && i - st < 4)
            st--;
    } else if (i >= n) {
        return 0;
    }
    uint8_t b = s[st];
    if (b < 0x80)
        return (b == ' ' || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)) ? 1 : 0;
    uint32_t cp;
    size_t l;
    if ((b & 0xE0) == 0xC0)
        cp = b & 0x1Fu, l = 2;
    else if ((b & 0xF0) == 0xE0)
        cp = b & 0x0Fu, l = 3;
    else
        return 0; /* no 4-byte character is whitespace */
    if (st + l > n || (back && st + l != i))
        return 0;
    for (size_t k = 1; k < l; k++)
        cp = cp << 6 | (s[st + k] & 0x3Fu);
    if (cp >= 0x2000 && cp <= 0x200A)
        return l;
    for (size_t k = 0; k < sizeof cps / sizeof cps[0]; k++)
        if (cp == cps[k])
            return l;
    return 0;
}

typedef struct seg {
    size_t start, end;   /* bytes of the rendering */
    size_t cstart, cend; /* the content inside it */
    int64_t row;         /* the message's row; -1 the prefix, -2 the reply */
    uint8_t kind;        /* the content's part kind */
} seg;

static bool put(tok_buf *b, const char *s) { return tok_buf_put(b, s, strlen(s)); }

static bool special(const tok_tokenizer *t, const char *text)
{
    uint32_t v;
    return tok_token_id(t, text, strlen(text), &v) == TOK_OK && tok_is_special(t, v);
}

/* What the template leaves out of a message: unknown items. */
static tok_status left_out(chat_run *r, const conv_msg *m, const char *src)
{
    tok_status st = TOK_OK;
    for (size_t k = 0; st == TOK_OK && k < m->n_parts; k++)
        if (m->parts[k].type != CP_TEXT && m->parts[k].type != CP_REFUSAL) {
            chat_path_set(r, m->parts[k].path);
            st = chat_unknown(r, m->parts[k].type == CP_IMAGE ? TOK_PART_IMAGES : TOK_PART_FILES,
                              m->row, "media", chat_fmt(r, "%s has no images, audio or files", src));
        }
    for (size_t k = 0; st == TOK_OK && k < m->n_calls; k++) {
        chat_path_set(r, m->calls[k].path);
        st = chat_unknown(r, TOK_PART_TOOL_CALLS, m->row, "tool call",
                          chat_fmt(r, "%s has no tool calls (not counted)", src));
    }
    return st;
}

/* Tokens of the encoded text that belong to one part. */
static tok_status amount(chat_run *r, int kind, int64_t row, const char *what, uint64_t n,
                         const char *src)
{
    tok_status st = chat_fixed(r, kind, row, what, n, true, src);
    if (st == TOK_OK)
        r->items[r->n_items - 1].text = true;
    return st;
}

static tok_status run_template(chat_run *r, conversation *cv, bool llama3)
{
    const char *src = llama3 ? SRC_LLAMA3 : SRC_CHATML;
    const char *name = llama3 ? "the Llama 3 template" : "ChatML";
    tok_buf b = {0};
    seg *segs = calloc(cv->n_msgs + 2, sizeof *segs);
    if (!segs)
        return chat_oom(r);
    size_t ns = 0;
    bool ok = true;
    if (llama3 && special(r->tok, "<|begin_of_text|>")) {
        ok &= put(&b, "<|begin_of_text|>");
        segs[ns++] = (seg){0, b.len, 0, 0, -1, TOK_PART_FRAMING};
    }
    for (size_t i = 0; ok && i < cv->n_msgs; i++) {
        const conv_msg *m = &cv->msgs[i];
        seg *sg = &segs[ns++];
        sg->start = b.len;
        sg->row = m->row;
        sg->kind = cstr_is(m->role, "system") || cstr_is(m->role, "developer") ? TOK_PART_SYSTEM
                   : cstr_is(m->role, "tool") || cstr_is(m->role, "function") ? TOK_PART_TOOL_CALLS
                                                                                : TOK_PART_TEXT;
        ok &= put(&b, llama3 ? "<|start_header_id|>" : "<|im_start|>");
        ok &= tok_buf_put(&b, m->role.s, m->role.n);
        ok &= put(&b, llama3 ? "<|end_header_id|>\n\n" : "\n");
        sg->cstart = b.len;
        for (size_t p = 0; ok && p < m->n_parts; p++)
            if (m->parts[p].type == CP_TEXT || m->parts[p].type == CP_REFUSAL)
                ok &= tok_buf_put(&b, m->parts[p].text.s, m->parts[p].text.n);
        if (llama3 && ok) { /* {{ message['content'] | trim }} */
            size_t s0 = sg->cstart, e = b.len, l;
            while ((l = ws_at(b.data, e, s0, false)) != 0)
                s0 += l;
            while (e > s0 && (l = ws_at(b.data, e, e, true)) != 0)
                e -= l;
            memmove(b.data + sg->cstart, b.data + s0, e - s0);
            b.len = sg->cstart + (e - s0);
        }
        sg->cend = b.len;
        ok &= put(&b, llama3 ? "<|eot_id|>" : "<|im_end|>\n");
        sg->end = b.len;
    }
    if (ok) {
        seg *sg = &segs[ns++];
        sg->start = sg->cstart = sg->cend = b.len;
        sg->row = -2;
        ok &= put(&b, llama3 ? "<|start_header_id|>assistant<|end_header_id|>\n\n"
                             : "<|im_start|>assistant\n");
        sg->end = b.len;
    }
    if (!ok || b.oom) {
        tok_buf_free(&b);
        free(segs);
        return chat_oom(r);
    }
    uint32_t *ids = NULL;
    tok_span *spans = NULL;
    size_t n = 0;
    tok_encode_options o = {TOK_SPECIAL_ALLOW, 0};
    tok_error e;
    tok_status st = tok_encode_alloc(r->tok, (const char *)b.data, b.len, &o, &ids, &spans, &n, &e);
    if (st != TOK_OK) {
        tok_buf_free(&b);
        free(segs);
        chat_path_set(r, "");
        return chat_fail(r, J_NONE, st, "%s", e.message);
    }
    /* tokens per segment: framing and content */
    uint64_t *over = calloc(ns, sizeof *over), *cont = calloc(ns, sizeof *cont);
    if (!over || !cont) {
        st = chat_oom(r);
    } else {
        size_t k = 0;
        for (size_t t = 0; t < n; t++) {
            uint64_t at = spans[t].start;
            while (k + 1 < ns && at >= segs[k].end)
                k++;
            if (at >= segs[k].cstart && at < segs[k].cend)
                cont[k]++;
            else
                over[k]++;
        }
        chat_path_set(r, "");
        for (size_t s = 0; st == TOK_OK && s < ns; s++) {
            if (segs[s].row == -1) {
                st = amount(r, TOK_PART_FRAMING, -1, "start", over[s] + cont[s], src);
            } else if (segs[s].row == -2) {
                st = amount(r, TOK_PART_REPLY, -1, "reply priming", over[s] + cont[s], src);
            } else {
                const conv_msg *m = &cv->msgs[s - (segs[0].row == -1)];
                chat_path_set(r, m->path);
                st = amount(r, TOK_PART_FRAMING, segs[s].row, "framing", over[s], src);
                if (st == TOK_OK)
                    st = amount(r, segs[s].kind, segs[s].row, "content", cont[s], src);
                if (st == TOK_OK)
                    st = left_out(r, m, name);
            }
        }
    }
    if (st == TOK_OK && cv->n_fns) {
        chat_path_set(r, cv->fns_via_functions ? "functions" : "tools");
        st = chat_unknown(r, TOK_PART_TOOL_DEFS, -1, "tool definitions",
                          chat_fmt(r, "%s has no tool definitions (not counted)", name));
    }
    free(over);
    free(cont);
    tok_free(ids);
    tok_free(spans);
    tok_buf_free(&b);
    free(segs);
    return st;
}

tok_status conv_count_llama3(chat_run *r, conversation *cv) { return run_template(r, cv, true); }
tok_status conv_count_chatml(chat_run *r, conversation *cv) { return run_template(r, cv, false); }
