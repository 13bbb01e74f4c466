/* regex: splitting with a regular expression from a file or the caller, on PCRE2 (JIT).
 *
 * Used when a pattern has no hand-written scanner. Patterns are read the way their reference
 * reads them: tiktoken's with Rust's regex crate ('$' only at the very end of the text), HF
 * tokenizer.json's with Oniguruma's Ruby syntax ('^' and '$' at line boundaries); both with
 * Unicode properties (UCP) and the White_Space meaning of \s. Each segment between special
 * tokens is matched as its own subject, as tiktoken slices the text. Both references classify
 * by Unicode 16.0 and PCRE2 10.42 by 14.0: patterns are rewritten first (regex_rewrite.c). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "split/split.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

void *tok_regex_new(const char *pattern, size_t len, bool literal, tok_regex_dialect dialect,
                    char *msg, size_t msg_cap, size_t *err_at)
{
    uint32_t opts = PCRE2_UTF;
    char *rewritten = NULL;
    const char *src = pattern;
    size_t src_len = len;
    if (literal) {
        opts |= PCRE2_LITERAL; /* which allows no other pattern options */
    } else {
        opts |= PCRE2_UCP;
        /* Rust: '$' only at the very end. Oniguruma (Ruby syntax, as HF uses it): '^' and '$'
         * at line starts and ends. */
        opts |= dialect == TOK_REGEX_ONIG ? PCRE2_MULTILINE : PCRE2_DOLLAR_ENDONLY;
        const char *why;
        rewritten = tok_regex_rewrite(pattern, len, dialect, &why);
        if (!rewritten) {
            snprintf(msg, msg_cap, "%s", why ? why : "out of memory");
            *err_at = 0;
            return NULL;
        }
        src = rewritten;
        src_len = strlen(rewritten);
    }
    int code;
    PCRE2_SIZE where;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, src_len, opts, &code, &where, NULL);
    free(rewritten);
    if (!re) {
        PCRE2_UCHAR m[256];
        pcre2_get_error_message(code, m, sizeof m);
        snprintf(msg, msg_cap, "%s", (const char *)m);
        *err_at = where;
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if JIT fails */
    return re;
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

/* ---- Oniguruma-style match iteration (tokenizer.json's Split, Replace) ---- */

void tok_match_begin(tok_match_iter *it, const void *re, const uint8_t *s, size_t n)
{
    memset(it, 0, sizeof *it);
    it->re = re;
    it->s = s;
    it->n = n;
    it->md = pcre2_match_data_create_from_pattern(re, NULL);
    it->failed = it->md == NULL;
    it->last_end = SIZE_MAX;
}

/* Like Oniguruma's find_iter: leftmost matches left to right; an empty match right where the
 * previous match ended is skipped by one character. */
bool tok_match_next(tok_match_iter *it, size_t *start, size_t *end)
{
    while (!it->failed && it->at <= it->n) {
        int rc = pcre2_match(it->re, it->s, it->n, it->at, PCRE2_NO_UTF_CHECK, it->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            it->failed = true;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(it->md);
        size_t a = ov[0], b = ov[1];
        if (a == b && a == it->last_end) { /* step over one character and search again */
            if (a >= it->n)
                break;
            size_t k = a + 1;
            while (k < it->n && (it->s[k] & 0xC0) == 0x80)
                k++;
            it->at = k;
            continue;
        }
        it->at = b > a ? b : b + 1;
        while (it->at < it->n && (it->s[it->at] & 0xC0) == 0x80)
            it->at++;
        it->last_end = b;
        *start = a;
        *end = b;
        return true;
    }
    pcre2_match_data_free(it->md);
    it->md = NULL;
    return false;
}

/* The next non-empty match from at, with flags; its bounds in *a, *b. rc as pcre2_match. */
static int next_match(const pcre2_code *re, pcre2_match_data *md, const uint8_t *s, size_t n,
                      size_t *at, uint32_t flags, size_t *a, size_t *b)
{
    for (;;) {
        if (*at >= n)
            return PCRE2_ERROR_NOMATCH;
        int rc = pcre2_match(re, s, n, *at, PCRE2_NO_UTF_CHECK | flags, md, NULL);
        if (rc < 0)
            return rc;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *a = ov[0];
        *b = ov[1];
        if (*b > *a) {
            *at = *b;
            return rc;
        }
        *at = *a + 1; /* an empty match: the search goes on a character later */
        while (*at < n && (s[*at] & 0xC0) == 0x80)
            ++*at;
    }
}

bool tok_regex_final_matches(const void *re_, const uint8_t *s, size_t n, size_t **start,
                             size_t **end, size_t *count, size_t *cap)
{
    const pcre2_code *re = re_;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        return false;
    size_t at = 0, a, b;
    bool ok = true;
    int rc;
    while ((rc = next_match(re, md, s, n, &at, PCRE2_PARTIAL_HARD, &a, &b)) >= 0) {
        if (*count == *cap) {
            size_t nc = tok_grow_cap(*cap, *count + 1, 64);
            if (!nc || !tok_realloc(start, nc, sizeof **start) ||
                !tok_realloc(end, nc, sizeof **end)) {
                ok = false;
                break;
            }
            *cap = nc;
        }
        (*start)[*count] = a;
        (*end)[(*count)++] = b;
    }
    /* partial: not final; no match: none can start before n */
    ok = ok && (rc == PCRE2_ERROR_PARTIAL || rc == PCRE2_ERROR_NOMATCH);
    pcre2_match_data_free(md);
    return ok;
}

bool tok_regex_split_is(const void *re_, const uint8_t *s, size_t n, const size_t *start,
                        const size_t *end, size_t k)
{
    const pcre2_code *re = re_;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        return false;
    size_t at = 0, a, b, i = 0;
    bool same = true;
    while (same && next_match(re, md, s, n, &at, 0, &a, &b) >= 0)
        same = i < k && start[i] == a && end[i] == b && ++i;
    pcre2_match_data_free(md);
    return same && i == k;
}

bool tok_regex_looks_back(const char *p, size_t len)
{
    int depth = 0; /* inside a character class (Oniguruma nests them) */
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 >= len)
                return true;
            char e = p[++i];
            if (!depth && strchr("bBAGK<>`", e))
                return true;
            continue;
        }
        if (depth) {
            if (c == '[')
                depth++;
            else if (c == ']')
                depth--;
            continue;
        }
        if (c == '[') {
            depth = 1;
            if (i + 1 < len && p[i + 1] == '^')
                i++;
            if (i + 1 < len && p[i + 1] == ']') /* a ']' first is a literal */
                i++;
            continue;
        }
        if (c == '^')
            return true;
        if (c == '(' && i + 2 < len && p[i + 1] == '?' && p[i + 2] == '<' &&
            (i + 3 >= len || p[i + 3] == '=' || p[i + 3] == '!'))
            return true;
    }
    return depth != 0;
}
