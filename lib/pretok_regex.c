/* pretok_regex: splitting with a regular expression from a file or the caller, on PCRE2 (JIT).
 *
 * Used when a pattern has no hand-written scanner. Flags make PCRE2 read it the way Rust's regex
 * crate (tiktoken, Hugging Face) does: UTF-8, Unicode properties for \s \d \w (UCP), and '$'
 * only at the very end of the text (DOLLAR_ENDONLY; PCRE2 would also match before a final
 * newline). Each segment between special tokens is matched as its own subject, as tiktoken
 * slices the text. Note PCRE2 10.42 classifies by Unicode 14; the hand-written scanners use
 * Unicode 16 like the references. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "internal.h"

#include <pcre2.h>
#include <string.h>

tok_status tok_regex_compile(tok_tokenizer *t, const char *pattern, tok_error *err)
{
    int code;
    PCRE2_SIZE where;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &code, &where,
                                   NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        tok_status st = tok_fail(err, TOK_EFORMAT, t->name, where,
                                 "%s: bad split pattern at character %zu: %s", t->name,
                                 (size_t)where, (const char *)msg);
        return st;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if JIT fails */
    t->regex = re;
    free(t->pattern);
    t->pattern = strdup(pattern);
    return t->pattern ? TOK_OK : TOK_ENOMEM;
}

void tok_regex_free(void *re)
{
    if (re)
        pcre2_code_free(re);
}

tok_status tok_regex_split(const void *re_, const uint8_t *s, size_t from, size_t to,
                           bool (*piece)(void *ctx, size_t start, size_t end), void *ctx)
{
    const pcre2_code *re = re_;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    /* The JIT's default stack (32 KB) suffices for ordinary text; a bigger one is made only
     * when a match runs out of it (long runs under backtracking patterns). */
    pcre2_match_context *mc = NULL;
    pcre2_jit_stack *js = NULL;
    tok_status st = md ? TOK_OK : TOK_ENOMEM;
    const uint8_t *subj = s + from;
    size_t len = to - from, at = 0;
    while (st == TOK_OK && at < len) {
        int rc = pcre2_match(re, subj, len, at, PCRE2_NO_UTF_CHECK, md, mc);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !js) {
            mc = pcre2_match_context_create(NULL);
            js = pcre2_jit_stack_create(64 * 1024, 256 * 1024 * 1024, NULL);
            if (!mc || !js) {
                st = TOK_ENOMEM;
                break;
            }
            pcre2_jit_stack_assign(mc, NULL, js);
            continue;
        }
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) { /* a match or stack limit: fail rather than split differently */
            st = rc == PCRE2_ERROR_NOMEMORY ? TOK_ENOMEM : TOK_EUNSUPPORTED;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t a = ov[0], b = ov[1];
        if (b > a) {
            if (!piece(ctx, from + a, from + b))
                st = TOK_ENOMEM;
            at = b;
        } else { /* empty match: step over one character, as find_iter does */
            at = a + 1;
            while (at < len && (subj[at] & 0xC0) == 0x80)
                at++;
        }
    }
    if (js)
        pcre2_jit_stack_free(js);
    if (mc)
        pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    return st;
}
