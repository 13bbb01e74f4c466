/* json: a small JSON reader for tokenizer.json.
 *
 * Why not cJSON: a Llama 3 tokenizer.json is 9 MB with 400k strings; cJSON allocates every value
 * and copies every string and needs 160 ms for it here, more than the whole load may take.
 * This reader builds one array of nodes whose strings point into the input (decoded only when
 * asked, and only if they hold escapes), in one pass, at a few hundred MB/s.
 *
 * Strict RFC 8259: one value, no trailing commas, no comments; strings must be valid UTF-8 and
 * escapes valid (a lone surrogate escape is an error). Nesting depth is capped. */
#ifndef TOK_JSON_H
#define TOK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum json_type { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } json_type;

#define J_NONE UINT32_MAX /* no node */

typedef struct json_node {
    uint32_t start, len;   /* the value's text: a string's bytes between the quotes, a number's */
    uint32_t key, key_len; /* for members of an object: the key's bytes between the quotes */
    uint32_t next;         /* next sibling (element or member), J_NONE at the end */
    uint32_t child;        /* first element or member, J_NONE if empty or not a container */
    uint32_t count;        /* number of elements or members */
    uint8_t type;
    uint8_t esc, key_esc;  /* the string or key contains escapes */
} json_node;

typedef struct json_doc {
    const char *text;
    size_t len;
    json_node *nodes;
    size_t n, cap;
} json_doc;

/* Parse text[0..len) into doc (root is node 0). On failure returns false with *err_offset and a
 * static message. */
bool json_parse(json_doc *doc, const char *text, size_t len, size_t *err_offset,
                const char **err_msg);
void json_free(json_doc *doc);

static inline const json_node *json_at(const json_doc *d, uint32_t i)
{
    return i == J_NONE ? NULL : &d->nodes[i];
}

/* The member of object node obj named key (J_NONE if absent or obj is not an object). Compares
 * raw key bytes when the key has no escapes, else the decoded key. */
uint32_t json_get(const json_doc *d, uint32_t obj, const char *key);

/* The string value of node i: *s and *len point into the input when it has no escapes, else into
 * buf (grown with realloc; caller frees *buf). Returns false if i is not a string or on OOM. */
bool json_string(const json_doc *d, uint32_t i, const char **s, size_t *len, char **buf,
                 size_t *cap);
/* The same for a member's key. */
bool json_key(const json_doc *d, uint32_t i, const char **s, size_t *len, char **buf,
              size_t *cap);
/* Decode escapes of raw string bytes p[0..n) into out (at least n bytes); returns the length. */
size_t json_unescape(const char *p, size_t n, char *out);

/* The offset just past value i in the text (its closing quote or bracket). O(its length). */
size_t json_end(const json_doc *d, uint32_t i);

/* A number node as an integer / a double; false if not a number or out of range. */
bool json_int(const json_doc *d, uint32_t i, int64_t *v);
bool json_double(const json_doc *d, uint32_t i, double *v);
/* true/false node; false if not a boolean. */
bool json_bool(const json_doc *d, uint32_t i, bool *v);

#endif
