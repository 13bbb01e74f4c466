/* specials: finding special-token text ("<|endoftext|>") in the input.
 *
 * tiktoken builds one regex alternation of the escaped texts and takes the leftmost match; the
 * texts of its encodings are never prefixes of one another, so leftmost-longest is the same
 * thing, and longest is what Hugging Face's added-token matcher does too. Candidates are found
 * by first byte (memchr when all texts share it, as tiktoken's "<|" do); at a candidate a walk
 * of the trie of the texts finds the longest one there. The walk stops at the first byte no
 * text continues with: Gemma's added tokens include runs of 2 to 31 U+2581 and of newlines and
 * tabs (52 distinct lengths), and trying each length at every U+2581 of a text, as this did,
 * took a quarter of Gemma 2's time. */
#include "vocab/specials.h"

#include <string.h>

tok_status tok_specials_init(tok_specials *sp, size_t n, const char *const *texts,
                             const size_t *lens, const uint32_t *ids)
{
    memset(sp, 0, sizeof *sp);
    if (n == 0)
        return TOK_OK;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] == 0 || lens[i] > UINT32_MAX)
            return TOK_EINVAL;
        total += lens[i];
    }
    sp->toks = calloc(n, sizeof *sp->toks);
    sp->text = malloc(total);
    const uint8_t **ptrs = malloc(n * sizeof *ptrs);
    uint32_t *lens32 = malloc(n * sizeof *lens32), *pos = malloc(n * sizeof *pos);
    tok_status st = TOK_ENOMEM;
    if (!sp->toks || !sp->text || !ptrs || !lens32 || !pos)
        goto done;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(sp->text + at, texts[i], lens[i]);
        sp->toks[i].text = sp->text + at;
        sp->toks[i].len = (uint32_t)lens[i];
        sp->toks[i].id = ids[i];
        ptrs[i] = sp->text + at;
        lens32[i] = (uint32_t)lens[i];
        pos[i] = (uint32_t)i;
        at += lens[i];
        sp->first[(uint8_t)texts[i][0]] = 1;
        sp->longest = lens[i] > sp->longest ? lens[i] : sp->longest;
    }
    sp->only_first = -1;
    for (int c = 0; c < 256; c++)
        if (sp->first[c])
            sp->only_first = sp->only_first == -1 ? c : -2;
    st = tok_trie_build(&sp->trie, n, ptrs, lens32, pos) == 0 ? TOK_OK : TOK_ENOMEM;
    /* a text given twice keeps its last position in the trie: the earlier one finds another */
    for (size_t i = 0; st == TOK_OK && i < n; i++)
        if (tok_trie_find(&sp->trie, ptrs[i], lens32[i]) != i)
            st = TOK_EINVAL;
    sp->n = n;
done:
    free(ptrs);
    free(lens32);
    free(pos);
    if (st != TOK_OK)
        tok_specials_free(sp);
    return st;
}

uint32_t tok_specials_id(const tok_specials *sp, const uint8_t *p, size_t n)
{
    uint32_t pos = sp->n ? tok_trie_find(&sp->trie, p, n) : TOK_NO_ID;
    return pos == TOK_NO_ID ? TOK_NO_ID : sp->toks[pos].id;
}

bool tok_specials_hold(const tok_specials *sp, uint8_t b)
{
    for (size_t i = 0; i < sp->n; i++)
        if (memchr(sp->toks[i].text, b, sp->toks[i].len))
            return true;
    return false;
}

void tok_specials_free(tok_specials *sp)
{
    tok_trie_free(&sp->trie);
    free(sp->toks);
    free(sp->text);
    memset(sp, 0, sizeof *sp);
}

size_t tok_specials_find(const tok_specials *sp, const uint8_t *s, size_t from, size_t n,
                         size_t *which)
{
    if (sp->n == 0)
        return n;
    int only = sp->only_first;
    size_t i = from;
    while (i < n) {
        if (only >= 0) {
            const uint8_t *q = memchr(s + i, only, n - i);
            if (!q)
                return n;
            i = (size_t)(q - s);
        } else if (!sp->first[s[i]]) {
            i++;
            continue;
        }
        uint32_t pos;
        if (tok_trie_longest(&sp->trie, s + i, n - i, &pos)) {
            *which = pos;
            return i;
        }
        i++;
    }
    return n;
}
