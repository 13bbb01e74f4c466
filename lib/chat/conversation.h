/* conversation: an OpenAI-style conversation read from a Chat Completions body
 * (openai_body.c) or a Responses body (responses_body.c), and the chat conventions that count
 * it (convention.c chooses; openai_count.c, harmony_count.c, templates.c count). A new way of
 * rendering conversations -- a chat-template interpreter -- is one more entry of convention.c's
 * table. */
#ifndef TOK_CHAT_CONVERSATION_H
#define TOK_CHAT_CONVERSATION_H

#include "chat/request.h"

enum { CP_TEXT, CP_IMAGE, CP_AUDIO, CP_FILE, CP_REFUSAL };

typedef struct conv_part {
    uint8_t type;
    cstr text;         /* CP_TEXT, CP_REFUSAL */
    uint8_t from;      /* CP_IMAGE: chat_image_from */
    cstr url, detail;  /* CP_IMAGE: the URL or file id, detail ("" when not given) */
    const char *path;
} conv_part;

typedef struct conv_call {
    cstr id, name, args;
    bool has_id;
    const char *path;
} conv_call;

typedef struct conv_msg {
    cstr role, name, tool_call_id;
    bool has_name, has_tool_call_id;
    bool string_content; /* content was a string, not parts */
    bool legacy_call;    /* the call is the deprecated function_call */
    conv_part *parts;
    size_t n_parts;
    conv_call *calls;
    size_t n_calls;
    const char *path;    /* "messages[3]", "input[0]", "instructions" */
    const char *row_role; /* the row's name ("instructions"), NULL: role */
    int64_t row;
} conv_msg;

/* A function definition: an object with name, description and parameters. */
typedef struct conv_fn {
    uint32_t node;
    cstr name;
    const char *path;
} conv_fn;

/* What the body asks for that cannot be counted offline, shown as an unknown item. */
typedef struct conv_extra {
    uint8_t kind;
    const char *path, *what, *source;
} conv_extra;

enum { CHOICE_ABSENT, CHOICE_AUTO, CHOICE_NONE, CHOICE_REQUIRED, CHOICE_NAMED };

typedef struct conversation {
    conv_msg *msgs;
    size_t n_msgs;
    conv_fn *fns;
    size_t n_fns, cap_fns;
    bool fns_via_functions; /* the deprecated "functions" */
    bool strict;            /* a definition asks for strict: true */
    int function_call;      /* the request's function_call */
    cstr function_call_name;
    const char *function_call_path;
    int tool_choice;
    cstr tool_choice_name;
    const char *tool_choice_path;
    cstr effort;            /* reasoning effort (harmony writes it), n == 0 when not given */
    bool responses;         /* read from a Responses body */
    conv_extra *extras;
    size_t n_extras, cap_extras;
    /* tool_call_id -> function name, sorted by id (conv_call_name) */
    conv_call **by_id;
    size_t n_by_id;
} conversation;

tok_status conv_read_chat(chat_run *r, conversation *cv);
tok_status conv_read_responses(chat_run *r, conversation *cv);

/* shared by the readers */
tok_status conv_extra_add(chat_run *r, conversation *cv, int kind, const char *what,
                          const char *source);
tok_status conv_fn_add(chat_run *r, conversation *cv, uint32_t node);
/* An unknown item for each extra (request level). */
tok_status conv_add_extras(chat_run *r, conversation *cv);
/* The name of the function a tool (or function) message answers: its tool_call_id's call, else
 * its own name. False when there is none. */
bool conv_call_name(const conversation *cv, const conv_msg *m, cstr *name);

/* the conventions */
tok_status conv_count_openai(chat_run *r, conversation *cv);
tok_status conv_count_harmony(chat_run *r, conversation *cv);
tok_status conv_count_llama3(chat_run *r, conversation *cv);
tok_status conv_count_chatml(chat_run *r, conversation *cv);
/* Gemini models through Google's OpenAI-compatible endpoint (gemini.c) */
tok_status conv_count_gemini(chat_run *r, conversation *cv);

/* The TypeScript-like namespace of OpenAI function definitions (functions_ns.c), with what in
 * it has not been measured against the API. */
typedef struct ns_shapes {
    const char *unmeasured; /* the first shape no measurement covers (static), or NULL */
    bool nested;            /* an object inside the parameters */
    bool undescribed;       /* a property without a description */
} ns_shapes;
tok_status chat_functions_ns(chat_run *r, const conversation *cv, tok_buf *out,
                             ns_shapes *shapes);

#endif
