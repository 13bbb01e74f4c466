/* harmony: gpt-oss's format as openai/harmony renders it (harmony.c), and a Chat Completions
 * conversation counted in it (harmony_count.c). RULES.md section 3. */
#ifndef TOK_CHAT_HARMONY_H
#define TOK_CHAT_HARMONY_H

#include "chat/request.h"

typedef struct harmony_tool {
    cstr name, description;
    uint32_t params; /* a JSON value of the run's document, J_NONE when absent or null */
} harmony_tool;

typedef struct harmony_ns {
    cstr name, description;
    bool has_description;
    const harmony_tool *tools;
    size_t n_tools;
} harmony_ns;

/* SystemContent: NULL (or "") leaves a line out. */
typedef struct harmony_system {
    const char *identity, *cutoff, *date, *effort;
    const harmony_ns *tools;
    size_t n_tools;
    const char *const *channels;
    size_t n_channels;
    bool channel_required;
} harmony_system;

/* The content kind of a developer message, whose one piece holds instructions and tools. */
#define HARMONY_DEVELOPER 0xFF

typedef struct harmony_msg {
    const char *role;  /* system, developer, user, assistant, tool */
    cstr name, recipient, channel, content_type; /* s == NULL: absent */
    const harmony_system *system;                /* content: a system message */
    bool developer;                              /* content: a developer message */
    const cstr *instructions;                    /* developer: NULL when none */
    const harmony_ns *ns;
    size_t n_ns;
    const cstr *texts; /* content: text, one piece each */
    size_t n_texts;
    int64_t row;       /* for counting: the row, and the kind of the content pieces */
    uint8_t kind;
} harmony_msg;

typedef struct harmony_piece {
    size_t start, len; /* in the rendering's text */
    bool special;      /* a formatting token: one token */
    uint8_t kind;      /* tok_request_part_kind, or HARMONY_DEVELOPER */
    int64_t row;
} harmony_piece;

typedef struct harmony_out {
    tok_buf text; /* the pieces one after another, formatting tokens as their text */
    harmony_piece *p;
    size_t n, cap;
    bool oom;
} harmony_out;

/* render_conversation_for_completion(messages, assistant): every message, then <|start|>assistant.
 * The schemas are read from r's document; errors (a schema nested too deep) name r's path. */
tok_status harmony_render(chat_run *r, const harmony_msg *msgs, size_t n, harmony_out *out);
void harmony_out_free(harmony_out *o);

/* The texts of the system and developer messages (their one content piece). */
tok_status harmony_system_text(chat_run *r, const harmony_system *s, bool function_tools,
                               tok_buf *out);
tok_status harmony_developer_text(chat_run *r, const cstr *instructions, const harmony_ns *ns,
                                  size_t n_ns, tok_buf *out);

extern const char *const harmony_default_channels[3];

#endif
