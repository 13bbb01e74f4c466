/* template: a Jinja2 interpreter for chat templates, with the environment Hugging Face
 * transformers renders them in (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, the
 * loop-control extension, its tojson, raise_exception and strftime_now).
 *
 * Compile a template once, render it many times: a compiled template is immutable and may be
 * rendered from several threads at once (each render has its own memory). Values come in as
 * JSON text and keep JSON's distinctions the way Python's json.loads does (1 is an int, 1.0 a
 * float, object keys keep their order), so the rendered text is byte for byte what Jinja2 gives.
 *
 * A construct the interpreter does not implement is an error naming the template line and
 * column (TMPL_ERR_UNSUPPORTED), never a different rendering. Hostile templates are bounded: see
 * tmpl_limits. It stands on the C library alone (the layer rule: base/base.h).  */
#ifndef TOKSCOPE_TEMPLATE_H
#define TOKSCOPE_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tmpl tmpl;

typedef enum tmpl_status {
    TMPL_OK = 0,
    TMPL_ERR_SYNTAX,      /* the template does not parse (Jinja's TemplateSyntaxError) */
    TMPL_ERR_UNSUPPORTED, /* valid Jinja this interpreter does not implement */
    TMPL_ERR_RAISE,       /* the template called raise_exception(msg): message is msg */
    TMPL_ERR_RUNTIME,     /* an error while rendering (undefined attribute, type error, ...) */
    TMPL_ERR_LIMIT,       /* a limit of tmpl_limits was reached */
    TMPL_ERR_CONTEXT,     /* the context JSON is not valid (line/column are in the JSON) */
    TMPL_ERR_NOMEM,
} tmpl_status;

/* What went wrong. line/column (1-based, column in characters) point into the template, or
 * into the context JSON for TMPL_ERR_CONTEXT; 0 when there is no position. For TMPL_ERR_RAISE
 * message is the template's own text (truncated to fit; message_len gives its full length). */
typedef struct tmpl_error {
    tmpl_status status;
    int line, column;
    size_t message_len;
    char message[1024];
} tmpl_error;

/* Bounds on one render; a zero field takes its default. Reaching one is TMPL_ERR_LIMIT. */
typedef struct tmpl_limits {
    size_t max_output;    /* bytes of rendered text, default 64 MiB */
    size_t max_memory;    /* bytes the render may allocate, default 256 MiB */
    unsigned max_depth;   /* nested macro calls / loops / filter blocks, default 256 */
    uint64_t max_steps;   /* loop iterations + macro calls + filter steps, plus one per element
                             (or 256 bytes) of each value a filter, method or `in` scans;
                             default 10 million */
} tmpl_limits;

/* Compile NUL-free UTF-8 template text of len bytes. On success *out is the template (free it
 * with tmpl_free) and TMPL_OK is returned; otherwise *out is NULL and err (may be NULL) tells
 * why. Parse nesting deeper than 256 is TMPL_ERR_LIMIT. */
tmpl_status tmpl_compile(const char *text, size_t len, tmpl **out, tmpl_error *err);

/* Free a compiled template; NULL is a no-op. */
void tmpl_free(tmpl *t);

/* Options of one render (NULL: all defaults). */
typedef struct tmpl_render_options {
    const tmpl_limits *limits; /* NULL: defaults */
    const struct tm *now;      /* the time strftime_now() formats; NULL: the local clock */
} tmpl_render_options;

/* Render with the variables of context_json, a JSON object of len bytes: each member is a
 * template variable (for a chat template: messages, tools, documents, add_generation_prompt,
 * bos_token, eos_token, ... and extra arguments such as enable_thinking). On success *out is the
 * rendered text, NUL-terminated, *out_len its length (may be NULL; the text holds a NUL byte
 * when the template or the context writes one, e.g. "\0" or "\u0000"); free it with free(). On
 * failure *out is NULL and err (may be NULL) tells why. Thread-safe on a shared template. */
tmpl_status tmpl_render(const tmpl *t, const char *context_json, size_t len,
                        const tmpl_render_options *opt, char **out, size_t *out_len,
                        tmpl_error *err);

/* A short name of a status ("syntax", "raise", ...). */
const char *tmpl_status_name(tmpl_status s);

#ifdef __cplusplus
}
#endif
#endif
