/* specials: finding special-token text ("<|endoftext|>", added tokens) in the input -- a
 * leftmost-longest matcher over a small set of literal strings (specials.c). */
#ifndef TOK_SPECIALS_H
#define TOK_SPECIALS_H

#include "vocab/trie.h"

typedef struct tok_special_tok {
    const uint8_t *text; /* points into tok_specials.text */
    uint32_t len, id;
} tok_special_tok;

typedef struct tok_specials {
    size_t n;
    tok_special_tok *toks;
    uint8_t *text;          /* all texts, owned */
    tok_trie trie;          /* text -> position in toks; walked at a candidate for the longest */
    size_t longest;         /* the longest text's length in bytes */
    uint8_t first[256];     /* 1 if some special text starts with this byte */
    int only_first;         /* the one first byte all texts share, or -2 */
} tok_specials;

/* texts[i][0..lens[i]) has id ids[i]. Returns TOK_OK, TOK_ENOMEM or TOK_EINVAL (duplicate or
 * empty text). */
tok_status tok_specials_init(tok_specials *sp, size_t n, const char *const *texts,
                             const size_t *lens, const uint32_t *ids);
void tok_specials_free(tok_specials *sp);
/* The id of the special text that is exactly p[0..n), or TOK_NO_ID. */
uint32_t tok_specials_id(const tok_specials *sp, const uint8_t *p, size_t n);
/* Does some special text hold the byte b? */
bool tok_specials_hold(const tok_specials *sp, uint8_t b);
/* The first special text at or after position from in s[0..n): returns its start (n if none)
 * and sets *which to its index in toks. */
size_t tok_specials_find(const tok_specials *sp, const uint8_t *s, size_t from, size_t n,
                         size_t *which);

#endif
