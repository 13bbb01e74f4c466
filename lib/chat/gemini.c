/* gemini: a Gemini generateContent body counted as Google's own local tokenizer counts it
 * (googleapis/python-genai LocalTokenizer.count_tokens; RULES.md section 6,
 * tests/conformance/chat_api_gemini.mjs): a list of strings -- parts' text, function call names
 * and arguments (a dict walk: all keys, then each value), function responses, function
 * declarations (name, description, a schema walk of parameters and response), the response
 * schema, the system instruction -- each encoded on its own with the model's vocabulary, no
 * framing. With the vocabulary LocalTokenizer maps the model to (Gemma 3's for the gemini-2.x and
 * gemini-3 preview models it lists), that count is exact as LocalTokenizer's.
 *
 * LocalTokenizer refuses images and files; here they are counted by Google's published image
 * rule (an estimate) or are unknown items, and what it skips silently (code execution parts,
 * parametersJsonSchema, thought signatures) is counted as text or shown unknown. */
#include "chat/conversation.h"
#include "chat/images.h"

#include <string.h>

static const char SRC_LOCAL[] =
    "as Google's LocalTokenizer counts (python-genai local_tokenizer.py: each string encoded on "
    "its own, no framing; the API's countTokens may add framing, unmeasured; RULES.md 6)";
static const char SRC_COMPAT[] =
    "an OpenAI-shaped body sent to Gemini's OpenAI-compatible endpoint: its text becomes the "
    "contents' parts unchanged, counted as Google's LocalTokenizer counts them (each string on its "
    "own, no framing; RULES.md 6)";
static const char SRC_COMPAT_CALL[] =
    "a tool call or tool result through Gemini's OpenAI-compatible endpoint: it becomes a "
    "functionCall/functionResponse whose keys and values LocalTokenizer counts; counted as the "
    "name and the JSON text (the conversion is Google's, not published): an estimate";
static const char SRC_COMPAT_TOOL[] =
    "an OpenAI tool definition through Gemini's OpenAI-compatible endpoint, counted as the "
    "function declaration it becomes (the schema conversion is Google's, not published): an "
    "estimate";
static const char SRC_OTHER_VOCAB[] =
    "the strings Google's LocalTokenizer counts, encoded with a tokenizer that is not the one it "
    "maps this model to (RULES.md 6)";
static const char SRC_SKIPPED[] =
    "a part LocalTokenizer skips (code execution): counted as its text, an estimate";
static const char SRC_SIGNATURE[] =
    "a thought signature: LocalTokenizer skips it; what it costs is not published";
static const char SRC_JSON_SCHEMA[] =
    "parametersJsonSchema / responseJsonSchema: LocalTokenizer does not count them; the "
    "rendering is not published";
static const char SRC_MEDIA[] = "a file that is not an image (video, audio, PDF): not computable "
                                "offline";
static const char SRC_UNKNOWN[] = "a field whose input tokens are not published or not known to "
                                  "tokscope";

typedef struct gem {
    chat_run *r;
    bool exact;
    const char *src;
    cstr level;   /* generationConfig.mediaResolution, as "low" / "medium" / "high" */
    uint64_t acc; /* the tokens of the strings gathered for the current item */
} gem;

/* Field `a` or its snake_case spelling `b`. */
static uint32_t pick(chat_run *r, uint32_t obj, const char *a, const char *b)
{
    if (obj == J_NONE || chat_type(r, obj) != J_OBJECT)
        return J_NONE;
    uint32_t v = json_get(&r->doc, obj, a);
    return v != J_NONE ? v : json_get(&r->doc, obj, b);
}

static tok_status add_string(gem *g, uint32_t node)
{
    cstr s;
    uint64_t k;
    tok_status st = chat_str(g->r, node, &s);
    if (st == TOK_OK && (st = chat_count(g->r, s.s, s.n, &k)) == TOK_OK)
        g->acc += k;
    return st;
}

static tok_status add_key(gem *g, uint32_t member)
{
    cstr s;
    uint64_t k;
    tok_status st = chat_key(g->r, member, &s);
    if (st == TOK_OK && (st = chat_count(g->r, s.s, s.n, &k)) == TOK_OK)
        g->acc += k;
    return st;
}

static tok_status dict_walk(gem *g, uint32_t d);

/* _any_traverse: a string is added, a dict walked, a list's items each; nothing else counts. */
static tok_status any_walk(gem *g, uint32_t v)
{
    chat_run *r = g->r;
    switch (chat_type(r, v)) {
    case J_STRING: return add_string(g, v);
    case J_OBJECT: return dict_walk(g, v);
    case J_ARRAY:
        for (uint32_t e = r->doc.nodes[v].child; e != J_NONE; e = r->doc.nodes[e].next) {
            tok_status st = any_walk(g, e);
            if (st != TOK_OK)
                return st;
        }
        return TOK_OK;
    default: return TOK_OK;
    }
}

/* _dict_traverse: every key first, then every value. */
static tok_status dict_walk(gem *g, uint32_t d)
{
    chat_run *r = g->r;
    tok_status st = TOK_OK;
    for (uint32_t m = r->doc.nodes[d].child; st == TOK_OK && m != J_NONE; m = r->doc.nodes[m].next)
        st = add_key(g, m);
    for (uint32_t m = r->doc.nodes[d].child; st == TOK_OK && m != J_NONE; m = r->doc.nodes[m].next)
        st = any_walk(g, m);
    return st;
}

/* Python truthiness of a JSON value. */
static bool truthy(chat_run *r, uint32_t v)
{
    const json_node *n = &r->doc.nodes[v];
    switch (n->type) {
    case J_NULL: case J_FALSE: return false;
    case J_TRUE: return true;
    case J_STRING: case J_ARRAY: case J_OBJECT: return n->type == J_STRING ? n->len > 0 : n->count > 0;
    default: {
        double x;
        return json_double(&r->doc, v, &x) && x != 0;
    }
    }
}

/* add_schema: format, description, enum values, required names, items, then each property's
 * key and schema, then a truthy example. Type, title, default, nullable, anyOf are not
 * counted. */
static tok_status schema_walk(gem *g, uint32_t s)
{
    chat_run *r = g->r;
    tok_status st = chat_want_type(r, s, J_OBJECT, "a schema object");
    if (st != TOK_OK)
        return st;
    static const char *const strs[] = {"format", "description", NULL};
    for (const char *const *k = strs; *k; k++) {
        uint32_t v = json_get(&r->doc, s, *k);
        if (v == J_NONE || chat_type(r, v) == J_NULL)
            continue;
        size_t at = chat_path_key(r, *k, strlen(*k));
        if ((st = chat_want_type(r, v, J_STRING, "a string")) != TOK_OK ||
            (st = add_string(g, v)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    static const char *const lists[] = {"enum", "required", NULL};
    for (const char *const *k = lists; *k; k++) {
        uint32_t v = json_get(&r->doc, s, *k);
        if (v == J_NONE || chat_type(r, v) == J_NULL)
            continue;
        size_t at = chat_path_key(r, *k, strlen(*k));
        if ((st = chat_want_type(r, v, J_ARRAY, "an array of strings")) != TOK_OK)
            return st;
        size_t i = 0;
        for (uint32_t e = r->doc.nodes[v].child; e != J_NONE; e = r->doc.nodes[e].next, i++) {
            size_t ea = chat_path_index(r, i);
            if ((st = chat_want_type(r, e, J_STRING, "a string")) != TOK_OK ||
                (st = add_string(g, e)) != TOK_OK)
                return st;
            chat_path_pop(r, ea);
        }
        chat_path_pop(r, at);
    }
    uint32_t it = json_get(&r->doc, s, "items");
    if (it != J_NONE && chat_type(r, it) != J_NULL) {
        size_t at = chat_path_key(r, "items", 5);
        if ((st = schema_walk(g, it)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    uint32_t props = json_get(&r->doc, s, "properties");
    if (props != J_NONE && chat_type(r, props) != J_NULL) {
        size_t at = chat_path_key(r, "properties", 10);
        if ((st = chat_want_type(r, props, J_OBJECT, "an object of schemas")) != TOK_OK)
            return st;
        for (uint32_t p = r->doc.nodes[props].child; p != J_NONE; p = r->doc.nodes[p].next) {
            cstr k;
            if ((st = chat_key(r, p, &k)) != TOK_OK)
                return st;
            size_t pa = chat_path_key(r, k.s, k.n);
            if ((st = add_key(g, p)) != TOK_OK || (st = schema_walk(g, p)) != TOK_OK)
                return st;
            chat_path_pop(r, pa);
        }
        chat_path_pop(r, at);
    }
    uint32_t ex = json_get(&r->doc, s, "example");
    if (ex != J_NONE && truthy(r, ex))
        return any_walk(g, ex);
    return TOK_OK;
}

/* The gathered strings as one item. */
static tok_status flush(gem *g, int kind, int64_t row, const char *what, bool exact,
                        const char *src)
{
    uint64_t n = g->acc;
    g->acc = 0;
    tok_status st = chat_fixed(g->r, kind, row, what, n, exact, src);
    if (st == TOK_OK)
        g->r->items[g->r->n_items - 1].text = true;
    return st;
}

/* "MEDIA_RESOLUTION_HIGH", "media_resolution_high", {"level": ...} -> "high". */
static tok_status media_level(gem *g, uint32_t v, cstr *out)
{
    chat_run *r = g->r;
    if (chat_type(r, v) == J_OBJECT) {
        uint32_t l = json_get(&r->doc, v, "level");
        if (l == J_NONE)
            return chat_fail(r, v, TOK_EINVAL, "no level");
        v = l;
    }
    cstr s;
    tok_status st = chat_want_str(r, v, &s);
    if (st != TOK_OK)
        return st;
    char *b = chat_arena_alloc(&r->arena, s.n + 1);
    if (!b)
        return chat_oom(r);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++)
        b[n++] = (char)(s.s[i] >= 'A' && s.s[i] <= 'Z' ? s.s[i] + 32 : s.s[i]);
    static const char pre[] = "media_resolution_";
    size_t skip = n >= sizeof pre - 1 && !memcmp(b, pre, sizeof pre - 1) ? sizeof pre - 1 : 0;
    *out = (cstr){b + skip, n - skip};
    if (cstr_is(*out, "unspecified"))
        *out = (cstr){"", 0};
    return TOK_OK;
}

static tok_status media(gem *g, uint32_t part, uint32_t data, bool inline_, int64_t row)
{
    chat_run *r = g->r;
    tok_status st = chat_want_type(r, data, J_OBJECT, "an object {mimeType, ...}");
    cstr mime = {"", 0}, payload = {"", 0}, level = g->level;
    uint32_t mt = pick(r, data, "mimeType", "mime_type");
    if (st == TOK_OK && mt != J_NONE) {
        size_t at = chat_path_key(r, "mimeType", 8);
        if ((st = chat_want_str(r, mt, &mime)) == TOK_OK)
            chat_path_pop(r, at);
    }
    uint32_t mr = pick(r, part, "mediaResolution", "media_resolution");
    if (st == TOK_OK && mr != J_NONE)
        st = media_level(g, mr, &level);
    if (st != TOK_OK)
        return st;
    bool image = mime.n >= 6 && !memcmp(mime.s, "image/", 6);
    if (!image)
        return chat_unknown(r, TOK_PART_FILES, row,
                            chat_fmt(r, "%s %.*s", inline_ ? "inlineData" : "fileData",
                                     (int)(mime.n > 60 ? 60 : mime.n), mime.s),
                            SRC_MEDIA);
    if (inline_) {
        uint32_t d = json_get(&r->doc, data, "data");
        if (d == J_NONE)
            return chat_fail(r, data, TOK_EINVAL, "no data");
        chat_path_key(r, "data", 4);
        if ((st = chat_want_str(r, d, &payload)) != TOK_OK)
            return st;
        return chat_image_part(r, row, IMG_BASE64, payload, level);
    }
    return chat_image_part(r, row, IMG_FILE_ID, payload, level);
}

/* One Content: each part's function call, function response, text, media. */
static tok_status content(gem *g, uint32_t c, int64_t row, int text_kind)
{
    chat_run *r = g->r;
    tok_status st;
    uint32_t parts = json_get(&r->doc, c, "parts");
    if (parts == J_NONE || chat_type(r, parts) == J_NULL)
        return TOK_OK;
    size_t at = chat_path_key(r, "parts", 5);
    if ((st = chat_want_type(r, parts, J_ARRAY, "an array of parts")) != TOK_OK)
        return st;
    size_t i = 0;
    for (uint32_t p = r->doc.nodes[parts].child; p != J_NONE; p = r->doc.nodes[p].next, i++) {
        size_t pa = chat_path_index(r, i);
        if ((st = chat_want_type(r, p, J_OBJECT, "a part object")) != TOK_OK)
            return st;
        for (uint32_t f = r->doc.nodes[p].child; f != J_NONE; f = r->doc.nodes[f].next) {
            cstr key;
            if ((st = chat_key(r, f, &key)) != TOK_OK)
                return st;
            size_t fa = chat_path_key(r, key.s, key.n);
            uint8_t t = chat_type(r, f);
            if (cstr_is(key, "text")) {
                if ((st = chat_want_str(r, f, &(cstr){0})) == TOK_OK && (st = add_string(g, f)) == TOK_OK)
                    st = flush(g, text_kind, row, "text", g->exact, g->src);
            } else if (cstr_is(key, "functionCall") || cstr_is(key, "function_call") ||
                       cstr_is(key, "functionResponse") || cstr_is(key, "function_response")) {
                bool call = cstr_is(key, "functionCall") || cstr_is(key, "function_call");
                const char *field = call ? "args" : "response";
                if ((st = chat_want_type(r, f, J_OBJECT, "an object {name, ...}")) != TOK_OK)
                    return st;
                uint32_t nm = json_get(&r->doc, f, "name"), v = json_get(&r->doc, f, field);
                if (nm != J_NONE && chat_type(r, nm) != J_NULL) {
                    size_t na = chat_path_key(r, "name", 4);
                    if ((st = chat_want_type(r, nm, J_STRING, "a string")) != TOK_OK ||
                        (st = add_string(g, nm)) != TOK_OK)
                        return st;
                    chat_path_pop(r, na);
                }
                if (v != J_NONE && chat_type(r, v) != J_NULL) {
                    size_t va = chat_path_key(r, field, strlen(field));
                    if ((st = chat_want_type(r, v, J_OBJECT, "an object")) != TOK_OK ||
                        (st = dict_walk(g, v)) != TOK_OK)
                        return st;
                    chat_path_pop(r, va);
                }
                st = flush(g, TOK_PART_TOOL_CALLS, row, call ? "functionCall" : "functionResponse",
                           g->exact, g->src);
            } else if (cstr_is(key, "inlineData") || cstr_is(key, "inline_data")) {
                st = media(g, p, f, true, row);
            } else if (cstr_is(key, "fileData") || cstr_is(key, "file_data")) {
                st = media(g, p, f, false, row);
            } else if (cstr_is(key, "executableCode") || cstr_is(key, "executable_code") ||
                       cstr_is(key, "codeExecutionResult") || cstr_is(key, "code_execution_result")) {
                if ((st = chat_want_type(r, f, J_OBJECT, "an object")) == TOK_OK) {
                    uint32_t v = json_get(&r->doc, f, key.s[0] == 'e' ? "code" : "output");
                    if (v != J_NONE && chat_type(r, v) == J_STRING)
                        st = add_string(g, v);
                    if (st == TOK_OK)
                        st = flush(g, TOK_PART_TOOL_CALLS, row, "code execution", false,
                                   SRC_SKIPPED);
                }
            } else if (cstr_is(key, "thoughtSignature") || cstr_is(key, "thought_signature")) {
                if (t != J_NULL)
                    st = chat_unknown(r, TOK_PART_TEXT, row, "thought signature", SRC_SIGNATURE);
            } else if (!cstr_is(key, "thought") && !cstr_is(key, "videoMetadata") &&
                       !cstr_is(key, "video_metadata") && !cstr_is(key, "mediaResolution") &&
                       !cstr_is(key, "media_resolution") && !cstr_is(key, "partMetadata") &&
                       !cstr_is(key, "part_metadata")) {
                st = chat_fail(r, f, TOK_EINVAL,
                               "unknown part field (expected text, inlineData, fileData, "
                               "functionCall, functionResponse, executableCode, "
                               "codeExecutionResult, thought, thoughtSignature)");
            }
            if (st != TOK_OK)
                return st;
            chat_path_pop(r, fa);
        }
        chat_path_pop(r, pa);
    }
    chat_path_pop(r, at);
    return TOK_OK;
}

static tok_status contents(gem *g, uint32_t cs)
{
    chat_run *r = g->r;
    tok_status st;
    chat_path_set(r, "contents");
    if (chat_type(r, cs) == J_STRING) { /* the SDKs take a string for one user turn */
        int64_t row = chat_row_add(r, "user", 4);
        if (row < 0)
            return chat_oom(r);
        if ((st = add_string(g, cs)) != TOK_OK)
            return st;
        return flush(g, TOK_PART_TEXT, row, "text", g->exact, g->src);
    }
    if ((st = chat_want_type(r, cs, J_ARRAY, "an array of contents")) != TOK_OK ||
        (st = chat_want_items(r, cs, "the API refuses a request without contents")) != TOK_OK)
        return st;
    size_t i = 0;
    for (uint32_t c = r->doc.nodes[cs].child; c != J_NONE; c = r->doc.nodes[c].next, i++) {
        chat_path_set(r, "contents");
        chat_path_index(r, i);
        if ((st = chat_want_type(r, c, J_OBJECT, "a content object {role, parts}")) != TOK_OK)
            return st;
        cstr role = {"user", 4};
        bool has;
        if ((st = chat_member_str(r, c, "role", true, &role, &has)) != TOK_OK)
            return st;
        if (!has)
            role = (cstr){"user", 4};
        if (!cstr_is(role, "user") && !cstr_is(role, "model") && !cstr_is(role, "function")) {
            chat_path_key(r, "role", 4);
            return chat_fail(r, json_get(&r->doc, c, "role"), TOK_EINVAL,
                             "unknown role \"%.*s\" (expected user or model)",
                             (int)(role.n > 40 ? 40 : role.n), role.s);
        }
        uint32_t parts = json_get(&r->doc, c, "parts");
        if (parts == J_NONE || chat_type(r, parts) == J_NULL)
            return chat_fail(r, c, TOK_EINVAL, "no parts (the API refuses a content without them)");
        if (chat_type(r, parts) == J_ARRAY && !r->doc.nodes[parts].count) {
            chat_path_key(r, "parts", 5);
            return chat_fail(r, parts, TOK_EINVAL,
                             "an empty array: the API refuses a content without parts");
        }
        int64_t row = chat_row_add(r, role.s, role.n);
        if (row < 0)
            return chat_oom(r);
        if ((st = content(g, c, row, TOK_PART_TEXT)) != TOK_OK)
            return st;
    }
    return TOK_OK;
}

/* A FunctionDeclaration: name, description, then the parameters and response schemas. */
static tok_status declaration(gem *g, uint32_t d)
{
    chat_run *r = g->r;
    tok_status st;
    static const char *const strs[] = {"name", "description", NULL};
    for (const char *const *s = strs; *s; s++) {
        uint32_t v = json_get(&r->doc, d, *s);
        if (v == J_NONE || chat_type(r, v) == J_NULL)
            continue;
        size_t va = chat_path_key(r, *s, strlen(*s));
        if ((st = chat_want_type(r, v, J_STRING, "a string")) != TOK_OK ||
            (st = add_string(g, v)) != TOK_OK)
            return st;
        chat_path_pop(r, va);
    }
    static const char *const schemas[] = {"parameters", "response", NULL};
    for (const char *const *s = schemas; *s; s++) {
        uint32_t v = json_get(&r->doc, d, *s);
        if (v == J_NONE || chat_type(r, v) == J_NULL)
            continue;
        size_t va = chat_path_key(r, *s, strlen(*s));
        if ((st = schema_walk(g, v)) != TOK_OK)
            return st;
        chat_path_pop(r, va);
    }
    return TOK_OK;
}

static tok_status tools(gem *g, uint32_t tl)
{
    chat_run *r = g->r;
    tok_status st;
    chat_path_set(r, "tools");
    if ((st = chat_want_type(r, tl, J_ARRAY, "an array of tools")) != TOK_OK)
        return st;
    size_t i = 0;
    for (uint32_t t = r->doc.nodes[tl].child; t != J_NONE; t = r->doc.nodes[t].next, i++) {
        size_t ta = chat_path_index(r, i);
        if ((st = chat_want_type(r, t, J_OBJECT, "a tool object")) != TOK_OK)
            return st;
        for (uint32_t f = r->doc.nodes[t].child; f != J_NONE; f = r->doc.nodes[f].next) {
            cstr key;
            if ((st = chat_key(r, f, &key)) != TOK_OK)
                return st;
            size_t fa = chat_path_key(r, key.s, key.n);
            if (!cstr_is(key, "functionDeclarations") && !cstr_is(key, "function_declarations")) {
                if ((st = chat_unknown(r, TOK_PART_TOOL_DEFS, -1,
                                       chat_fmt(r, "built-in tool %.*s",
                                                (int)(key.n > 40 ? 40 : key.n), key.s),
                                       "a built-in tool (search, code execution, URL context, "
                                       "...): Google adds its own instructions, not published")) !=
                    TOK_OK)
                    return st;
                chat_path_pop(r, fa);
                continue;
            }
            if ((st = chat_want_type(r, f, J_ARRAY, "an array of function declarations")) != TOK_OK)
                return st;
            size_t k = 0;
            for (uint32_t d = r->doc.nodes[f].child; d != J_NONE; d = r->doc.nodes[d].next, k++) {
                size_t da = chat_path_index(r, k);
                if ((st = chat_want_type(r, d, J_OBJECT, "a function declaration")) != TOK_OK)
                    return st;
                if ((st = declaration(g, d)) != TOK_OK)
                    return st;
                if ((st = flush(g, TOK_PART_TOOL_DEFS, -1, "function declaration", g->exact,
                                g->src)) != TOK_OK)
                    return st;
                for (const char *const *s = (const char *const[]){"parametersJsonSchema",
                                                                  "responseJsonSchema", NULL};
                     *s; s++)
                    if (json_get(&r->doc, d, *s) != J_NONE) {
                        size_t va = chat_path_key(r, *s, strlen(*s));
                        if ((st = chat_unknown(r, TOK_PART_TOOL_DEFS, -1, *s, SRC_JSON_SCHEMA)) !=
                            TOK_OK)
                            return st;
                        chat_path_pop(r, va);
                    }
                chat_path_pop(r, da);
            }
            chat_path_pop(r, fa);
        }
        chat_path_pop(r, ta);
    }
    return TOK_OK;
}

static tok_status generation_config(gem *g, uint32_t gc, bool schema_pass)
{
    chat_run *r = g->r;
    tok_status st;
    chat_path_set(r, "generationConfig");
    if ((st = chat_want_type(r, gc, J_OBJECT, "an object")) != TOK_OK)
        return st;
    if (!schema_pass) {
        uint32_t mr = pick(r, gc, "mediaResolution", "media_resolution");
        if (mr != J_NONE && chat_type(r, mr) != J_NULL) {
            chat_path_key(r, "mediaResolution", 15);
            return media_level(g, mr, &g->level);
        }
        return TOK_OK;
    }
    uint32_t rs = pick(r, gc, "responseSchema", "response_schema");
    if (rs != J_NONE && chat_type(r, rs) != J_NULL) {
        size_t at = chat_path_key(r, "responseSchema", 14);
        if ((st = schema_walk(g, rs)) != TOK_OK ||
            (st = flush(g, TOK_PART_SYSTEM, -1, "response schema", g->exact, g->src)) != TOK_OK)
            return st;
        chat_path_pop(r, at);
    }
    uint32_t js = pick(r, gc, "responseJsonSchema", "response_json_schema");
    if (js != J_NONE && chat_type(r, js) != J_NULL) {
        chat_path_key(r, "responseJsonSchema", 18);
        return chat_unknown(r, TOK_PART_SYSTEM, -1, "responseJsonSchema", SRC_JSON_SCHEMA);
    }
    return TOK_OK;
}

/* Fields of a generateContent body that are not input. */
static const char *const not_input[] = {"model", "safetySettings", "safety_settings", "labels",
                                        NULL};

/* Exact when the tokenizer is the vocabulary LocalTokenizer maps the model to: the registry row
 * of a Gemini model names it (gemma3), and the caller opened it, not a proxy. */
static gem gem_start(chat_run *r, const char *src)
{
    gem g = {r, false, SRC_OTHER_VOCAB, {"", 0}, 0};
    g.exact = r->rm && !r->estimate && !strcmp(r->rm->provider, "google") &&
              !strcmp(r->rm->tokenizer, "gemma3") && chat_model_is(r, "gemini");
    if (g.exact)
        g.src = src;
    return g;
}

tok_status chat_count_gemini(chat_run *r)
{
    gem g = gem_start(r, SRC_LOCAL);
    tok_status st;
    chat_path_set(r, "");
    if ((st = chat_want_type(r, 0, J_OBJECT, "a Gemini generateContent body (an object)")) != TOK_OK)
        return st;
    uint32_t cs = pick(r, 0, "contents", "contents"), gc = pick(r, 0, "generationConfig", "generation_config"),
             tl = pick(r, 0, "tools", "tools"), si = pick(r, 0, "systemInstruction", "system_instruction");
    if (gc != J_NONE && chat_type(r, gc) != J_NULL && (st = generation_config(&g, gc, false)) != TOK_OK)
        return st;
    if (cs != J_NONE && (st = contents(&g, cs)) != TOK_OK)
        return st;
    if (tl != J_NONE && chat_type(r, tl) != J_NULL && (st = tools(&g, tl)) != TOK_OK)
        return st;
    if (gc != J_NONE && chat_type(r, gc) != J_NULL && (st = generation_config(&g, gc, true)) != TOK_OK)
        return st;
    if (si != J_NONE && chat_type(r, si) != J_NULL) {
        chat_path_set(r, "systemInstruction");
        int64_t row = chat_row_add(r, "systemInstruction", 17);
        if (row < 0)
            return chat_oom(r);
        if (chat_type(r, si) == J_STRING) {
            if ((st = add_string(&g, si)) != TOK_OK ||
                (st = flush(&g, TOK_PART_SYSTEM, row, "text", g.exact, g.src)) != TOK_OK)
                return st;
        } else if ((st = chat_want_type(r, si, J_OBJECT, "a content object {parts}")) != TOK_OK ||
                   (st = content(&g, si, row, TOK_PART_SYSTEM)) != TOK_OK) {
            return st;
        }
    }
    for (uint32_t f = r->doc.nodes[0].child; f != J_NONE; f = r->doc.nodes[f].next) {
        cstr key;
        if ((st = chat_key(r, f, &key)) != TOK_OK)
            return st;
        static const char *const read[] = {"contents", "generationConfig", "generation_config",
                                           "tools", "systemInstruction", "system_instruction",
                                           NULL};
        bool known = false;
        for (const char *const *k = read; *k && !known; k++)
            known = cstr_is(key, *k);
        for (const char *const *k = not_input; *k && !known; k++)
            known = cstr_is(key, *k);
        if (known)
            continue;
        chat_path_set(r, "");
        chat_path_key(r, key.s, key.n);
        if ((st = chat_unknown(r, TOK_PART_FRAMING, -1,
                               cstr_is(key, "cachedContent") ? "cached content"
                               : cstr_is(key, "toolConfig") ? "toolConfig"
                                                            : "unknown field",
                               SRC_UNKNOWN)) != TOK_OK)
            return st;
    }
    chat_path_set(r, "");
    if (cs == J_NONE)
        return chat_fail(r, 0, TOK_EINVAL, "no \"contents\"");
    return TOK_OK;
}

/* ---- an OpenAI-shaped conversation for a Gemini model ---- */

static tok_status compat_text(gem *g, int kind, int64_t row, const char *what, cstr text,
                              bool exact, const char *src)
{
    uint64_t k;
    tok_status st = chat_count(g->r, text.s, text.n, &k);
    if (st != TOK_OK)
        return st;
    g->acc += k;
    return flush(g, kind, row, what, exact, src);
}

/* Gemini's OpenAI-compatible endpoint takes Chat Completions bodies and turns them into
 * generateContent requests: system and developer messages into the system instruction, the
 * other messages into contents (assistant -> model), tool calls into functionCall parts, tool
 * messages into functionResponse parts, tools into function declarations. The text reaches the
 * model unchanged; the rest is converted by rules Google does not publish. */
tok_status conv_count_gemini(chat_run *r, conversation *cv)
{
    gem g = gem_start(r, SRC_COMPAT);
    tok_status st = TOK_OK;
    for (size_t i = 0; st == TOK_OK && i < cv->n_msgs; i++) {
        const conv_msg *m = &cv->msgs[i];
        bool sys = cstr_is(m->role, "system") || cstr_is(m->role, "developer");
        bool tool = cstr_is(m->role, "tool") || cstr_is(m->role, "function");
        int kind = sys ? TOK_PART_SYSTEM : tool ? TOK_PART_TOOL_CALLS : TOK_PART_TEXT;
        if (tool) {
            cstr name;
            if (conv_call_name(cv, m, &name)) {
                uint64_t k;
                chat_path_set(r, m->path);
                if ((st = chat_count(r, name.s, name.n, &k)) != TOK_OK)
                    return st;
                g.acc += k;
            }
        }
        for (size_t j = 0; st == TOK_OK && j < m->n_parts; j++) {
            const conv_part *p = &m->parts[j];
            chat_path_set(r, p->path);
            switch (p->type) {
            case CP_TEXT:
            case CP_REFUSAL:
                st = tool ? compat_text(&g, kind, m->row, "functionResponse", p->text, false,
                                        SRC_COMPAT_CALL)
                          : compat_text(&g, kind, m->row, "text", p->text, g.exact, g.src);
                break;
            case CP_IMAGE:
                st = chat_image_part(r, m->row, (chat_image_from)p->from, p->url, p->detail);
                break;
            default:
                st = chat_unknown(r, TOK_PART_FILES, m->row,
                                  p->type == CP_AUDIO ? "audio" : "file", SRC_MEDIA);
            }
        }
        if (st == TOK_OK && tool && g.acc) /* a name without text */
            st = flush(&g, kind, m->row, "functionResponse", false, SRC_COMPAT_CALL);
        for (size_t k = 0; st == TOK_OK && k < m->n_calls; k++) {
            const conv_call *c = &m->calls[k];
            chat_path_set(r, c->path);
            uint64_t a, b;
            if ((st = chat_count(r, c->name.s, c->name.n, &a)) == TOK_OK &&
                (st = chat_count(r, c->args.s, c->args.n, &b)) == TOK_OK) {
                g.acc += a + b;
                st = flush(&g, TOK_PART_TOOL_CALLS, m->row, "functionCall", false,
                           SRC_COMPAT_CALL);
            }
        }
    }
    for (size_t i = 0; st == TOK_OK && i < cv->n_fns; i++) {
        chat_path_set(r, cv->fns[i].path);
        if ((st = declaration(&g, cv->fns[i].node)) == TOK_OK)
            st = flush(&g, TOK_PART_TOOL_DEFS, -1, "function declaration", false,
                       SRC_COMPAT_TOOL);
    }
    return st;
}
