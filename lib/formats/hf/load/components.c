/* components: a tokenizer.json's normalizer, pre-tokenizer, post-processor, decoder,
 * truncation and padding -> hf_pipeline, Sequences flattened. Type names as HF accepts them:
 * the tagged names ("Bert", "Split", ...) and the older struct names ("BertNormalizer", ...).
 * Required fields are required as serde requires them; defaults are HF's. */
#include "formats/hf/load/load.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define TYPE_IS(t, tl, s) ((tl) == sizeof(s) - 1 && memcmp((t), (s), (tl)) == 0)

static bool grow(void **arr, size_t *n, size_t size)
{
    void *p = realloc(*arr, (*n + 1) * size);
    if (!p)
        return false;
    *arr = p;
    memset((char *)p + *n * size, 0, size);
    (*n)++;
    return true;
}

/* The one character of a JSON string field (Metaspace replacement, Strip content, ...). */
static tok_status get_char(hf_load *ld, uint32_t obj, const char *key, bool required,
                           uint32_t dflt, uint32_t *out)
{
    char *s;
    size_t len;
    *out = dflt;
    tok_status st = hf_get_string(ld, obj, key, required, &s, &len);
    if (st != TOK_OK || !s)
        return st;
    unsigned cl = 0;
    uint32_t cp = len ? tok_utf8_decode((const uint8_t *)s, &cl) : 0;
    free(s);
    if (!len || cl != len) {
        size_t was = hf_path_push(ld, key);
        st = hf_fail(ld, TOK_EFORMAT, json_get(ld->doc, obj, key), "expected one character");
        hf_path_pop(ld, was);
        return st;
    }
    *out = cp;
    return TOK_OK;
}

/* {"String": "..."} or {"Regex": "..."} -> a compiled pattern (pcre2_code); literal strings
 * compile as literals. */
static tok_status get_pattern(hf_load *ld, uint32_t obj, const char *key, void **re, char **text,
                              size_t *text_len, bool *is_regex)
{
    *text = NULL;
    uint32_t p = json_get(ld->doc, obj, key);
    if (p == J_NONE)
        return hf_fail(ld, TOK_EFORMAT, obj, "missing field \"%s\"", key);
    size_t was = hf_path_push(ld, key);
    tok_status st = TOK_OK;
    uint32_t s = json_get(ld->doc, p, "String"), r = json_get(ld->doc, p, "Regex");
    if ((s == J_NONE) == (r == J_NONE) || ld->doc->nodes[p].count != 1) {
        st = hf_fail(ld, TOK_EFORMAT, p, "expected {\"String\": ...} or {\"Regex\": ...}");
    } else {
        *is_regex = r != J_NONE;
        size_t w2 = hf_path_push(ld, *is_regex ? "Regex" : "String");
        uint32_t node = *is_regex ? r : s;
        if (ld->doc->nodes[node].type != J_STRING)
            st = hf_fail(ld, TOK_EFORMAT, node, "expected a string");
        else if (!(*text = hf_strdup_node(ld, node, text_len)))
            st = hf_fail(ld, TOK_ENOMEM, node, "out of memory");
        if (st == TOK_OK) {
            char msg[256];
            size_t at;
            *re = tok_regex_new(*text, *text_len, !*is_regex, TOK_REGEX_ONIG, msg, sizeof msg,
                                &at);
            if (!*re)
                st = hf_fail(ld, TOK_EUNSUPPORTED, node, "cannot compile the pattern at %zu: %s",
                             at, msg);
        }
        hf_path_pop(ld, w2);
    }
    hf_path_pop(ld, was);
    if (st != TOK_OK) { /* callers own *text only on success */
        free(*text);
        *text = NULL;
    }
    return st;
}

/* Is the regex a plain ASCII character repeated at least m times, "c{m,}" (T5's and ALBERT's
 * " {2,}")? Then m (1 to 999) and *c; else 0. Its leftmost-longest matches are the runs of c at
 * least m long, whole, which memchr finds without the regex engine's restart at every c. */
static uint32_t run_regex(const char *p, size_t n, uint8_t *c)
{
    if (n < 5 || n > 7 || p[1] != '{' || p[n - 2] != ',' || p[n - 1] != '}' ||
        !(p[0] >= 0x20 && p[0] < 0x7F) || strchr("\\^$.|?*+()[]{}#", p[0]))
        return 0;
    uint32_t m = 0;
    for (size_t k = 2; k < n - 2; k++) {
        if (p[k] < '0' || p[k] > '9')
            return 0;
        m = m * 10 + (uint32_t)(p[k] - '0');
    }
    *c = (uint8_t)p[0];
    return m;
}

/* Metaspace's replacement and prepend scheme, as the pre-tokenizer and the decoder of that name
 * both read them (pre_tokenizers/metaspace.rs: the older add_prefix_space: false means never, and
 * contradicting a declared scheme is an error). */
static tok_status load_metaspace(hf_load *ld, uint32_t node, uint32_t *replacement,
                                 hf_prepend *prepend)
{
    tok_status st = get_char(ld, node, "replacement", true, 0x2581, replacement);
    uint32_t aps_node = json_get(ld->doc, node, "add_prefix_space");
    bool aps = true, has_aps = aps_node != J_NONE && ld->doc->nodes[aps_node].type != J_NULL;
    if (st == TOK_OK)
        st = hf_get_bool(ld, node, "add_prefix_space", true, &aps);
    char *ps = NULL;
    size_t psl;
    if (st == TOK_OK)
        st = hf_get_string(ld, node, "prepend_scheme", false, &ps, &psl);
    *prepend = HF_PREPEND_ALWAYS;
    if (st == TOK_OK && ps) {
        if (TYPE_IS(ps, psl, "first"))
            *prepend = HF_PREPEND_FIRST;
        else if (TYPE_IS(ps, psl, "never"))
            *prepend = HF_PREPEND_NEVER;
        else if (!TYPE_IS(ps, psl, "always"))
            st = hf_fail(ld, TOK_EFORMAT, node, "prepend_scheme must be always, first or never");
    }
    free(ps);
    if (st == TOK_OK && has_aps && !aps) {
        if (*prepend != HF_PREPEND_NEVER)
            st = hf_fail(ld, TOK_EFORMAT, node,
                         "add_prefix_space does not match declared prepend_scheme");
        *prepend = HF_PREPEND_NEVER;
    }
    return st;
}

/* ---- normalizers ---- */

static tok_status load_norm(hf_load *ld, uint32_t node)
{
    hf_pipeline *hp = ld->hp;
    const char *type;
    size_t tl;
    if (ld->doc->nodes[node].type == J_NULL)
        return TOK_OK;
    tok_status st = hf_type(ld, node, &type, &tl);
    if (st != TOK_OK)
        return st;
    if (TYPE_IS(type, tl, "Sequence")) {
        uint32_t list = json_get(ld->doc, node, "normalizers");
        if (list == J_NONE || ld->doc->nodes[list].type != J_ARRAY)
            return hf_fail(ld, TOK_EFORMAT, node, "\"normalizers\" must be an array");
        size_t k = 0, was0 = hf_path_push(ld, "normalizers");
        for (uint32_t i = ld->doc->nodes[list].child; i != J_NONE && st == TOK_OK;
             i = ld->doc->nodes[i].next, k++) {
            size_t was = hf_path_index(ld, k);
            st = load_norm(ld, i);
            hf_path_pop(ld, was);
        }
        hf_path_pop(ld, was0);
        return st;
    }
    if (!grow((void **)&hp->norms, &hp->n_norms, sizeof *hp->norms))
        return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
    hf_norm *nm = &hp->norms[hp->n_norms - 1];
    if (TYPE_IS(type, tl, "NFC")) nm->kind = HF_NFC;
    else if (TYPE_IS(type, tl, "NFD")) nm->kind = HF_NFD;
    else if (TYPE_IS(type, tl, "NFKC")) nm->kind = HF_NFKC;
    else if (TYPE_IS(type, tl, "NFKD")) nm->kind = HF_NFKD;
    else if (TYPE_IS(type, tl, "Lowercase")) nm->kind = HF_LOWERCASE;
    else if (TYPE_IS(type, tl, "StripAccents")) nm->kind = HF_STRIP_ACCENTS;
    else if (TYPE_IS(type, tl, "Nmt")) nm->kind = HF_NMT;
    else if (TYPE_IS(type, tl, "ByteLevel")) nm->kind = HF_BYTELEVEL_NORM;
    else if (TYPE_IS(type, tl, "Strip")) {
        nm->kind = HF_STRIP;
        if ((st = hf_get_bool(ld, node, "strip_left", false, &nm->left)) == TOK_OK)
            st = hf_get_bool(ld, node, "strip_right", false, &nm->right);
        if (st == TOK_OK && (json_get(ld->doc, node, "strip_left") == J_NONE ||
                             json_get(ld->doc, node, "strip_right") == J_NONE))
            st = hf_fail(ld, TOK_EFORMAT, node, "Strip needs strip_left and strip_right");
    } else if (TYPE_IS(type, tl, "Bert") || TYPE_IS(type, tl, "BertNormalizer")) {
        /* normalizers/bert.rs: clean text, space out CJK characters, strip accents (NFD, then
         * drop nonspacing marks), lowercase -- each one transform, loaded as separate steps */
        hp->n_norms--;
        static const char *req[] = {"clean_text", "handle_chinese_chars", "lowercase"};
        for (int i = 0; i < 3 && st == TOK_OK; i++)
            if (json_get(ld->doc, node, req[i]) == J_NONE)
                st = hf_fail(ld, TOK_EFORMAT, node, "missing field \"%s\"", req[i]);
        bool clean = true, chinese = true, lower = true, strip = true;
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "clean_text", true, &clean);
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "handle_chinese_chars", true, &chinese);
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "lowercase", true, &lower);
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "strip_accents", lower, &strip);
        hf_norm_kind steps[5];
        size_t ns = 0;
        if (clean)
            steps[ns++] = HF_BERT_CLEAN;
        if (chinese)
            steps[ns++] = HF_BERT_CHINESE;
        if (strip)
            steps[ns++] = HF_NFD, steps[ns++] = HF_FILTER_NONSPACING;
        if (lower)
            steps[ns++] = HF_LOWERCASE;
        for (size_t k = 0; st == TOK_OK && k < ns; k++) {
            if (!grow((void **)&hp->norms, &hp->n_norms, sizeof *hp->norms))
                return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
            hp->norms[hp->n_norms - 1].kind = steps[k];
        }
    } else if (TYPE_IS(type, tl, "Replace")) {
        nm->kind = HF_REPLACE;
        bool is_regex;
        st = get_pattern(ld, node, "pattern", &nm->regex, &nm->pattern, &nm->pattern_len,
                         &is_regex);
        if (st == TOK_OK)
            st = hf_get_string(ld, node, "content", true, &nm->content, &nm->content_len);
        nm->literal = st == TOK_OK && !is_regex && nm->pattern_len > 0;
        if (st == TOK_OK && is_regex)
            nm->run_min = run_regex(nm->pattern, nm->pattern_len, &nm->run_byte);
    } else if (TYPE_IS(type, tl, "Prepend")) {
        nm->kind = HF_PREPEND;
        st = hf_get_string(ld, node, "prepend", true, &nm->content, &nm->content_len);
    } else if (TYPE_IS(type, tl, "Precompiled")) {
        nm->kind = HF_PRECOMPILED;
        st = hf_load_charsmap(ld, node, &nm->charsmap);
    } else {
        size_t was = hf_path_push(ld, "type");
        st = hf_fail(ld, TOK_EUNSUPPORTED, json_get(ld->doc, node, "type"),
                     "unknown normalizer type \"%.*s\"", (int)(tl < 60 ? tl : 60), type);
        hf_path_pop(ld, was);
    }
    return st;
}

tok_status hf_load_normalizer(hf_load *ld, uint32_t node)
{
    return node == J_NONE ? TOK_OK : load_norm(ld, node);
}

/* ---- pre-tokenizers ---- */

static bool has_bytelevel(hf_load *ld, uint32_t node, int depth)
{
    if (node == J_NONE || depth > 16 || ld->doc->nodes[node].type != J_OBJECT)
        return false;
    const char *t;
    size_t tl;
    uint32_t tn = json_get(ld->doc, node, "type");
    if (tn != J_NONE && hf_str(ld, tn, &t, &tl) && TYPE_IS(t, tl, "ByteLevel"))
        return true;
    static const char *lists[] = {"pretokenizers", "normalizers"};
    for (int k = 0; k < 2; k++) {
        uint32_t l = json_get(ld->doc, node, lists[k]);
        if (l != J_NONE && ld->doc->nodes[l].type == J_ARRAY)
            for (uint32_t i = ld->doc->nodes[l].child; i != J_NONE; i = ld->doc->nodes[i].next)
                if (has_bytelevel(ld, i, depth + 1))
                    return true;
    }
    return false;
}

bool hf_has_bytelevel(hf_load *ld, uint32_t node) { return has_bytelevel(ld, node, 0); }

static tok_status get_behavior(hf_load *ld, uint32_t node, bool required, hf_behavior dflt,
                               hf_behavior *out)
{
    char *s;
    size_t len;
    *out = dflt;
    tok_status st = hf_get_string(ld, node, "behavior", required, &s, &len);
    if (st != TOK_OK || !s)
        return st;
    if (TYPE_IS(s, len, "Removed")) *out = HF_REMOVED;
    else if (TYPE_IS(s, len, "Isolated")) *out = HF_ISOLATED;
    else if (TYPE_IS(s, len, "MergedWithPrevious")) *out = HF_MERGED_PREV;
    else if (TYPE_IS(s, len, "MergedWithNext")) *out = HF_MERGED_NEXT;
    else if (TYPE_IS(s, len, "Contiguous")) *out = HF_CONTIGUOUS;
    else {
        size_t was = hf_path_push(ld, "behavior");
        st = hf_fail(ld, TOK_EFORMAT, json_get(ld->doc, node, "behavior"),
                     "unknown behavior \"%.*s\"", (int)(len < 40 ? len : 40), s);
        hf_path_pop(ld, was);
    }
    free(s);
    return st;
}

static tok_status load_pretok(hf_load *ld, uint32_t node)
{
    hf_pipeline *hp = ld->hp;
    const char *type;
    size_t tl;
    if (ld->doc->nodes[node].type == J_NULL)
        return TOK_OK;
    tok_status st = hf_type(ld, node, &type, &tl);
    if (st != TOK_OK)
        return st;
    if (TYPE_IS(type, tl, "Sequence")) {
        uint32_t list = json_get(ld->doc, node, "pretokenizers");
        if (list == J_NONE || ld->doc->nodes[list].type != J_ARRAY)
            return hf_fail(ld, TOK_EFORMAT, node, "\"pretokenizers\" must be an array");
        size_t k = 0, was0 = hf_path_push(ld, "pretokenizers");
        for (uint32_t i = ld->doc->nodes[list].child; i != J_NONE && st == TOK_OK;
             i = ld->doc->nodes[i].next, k++) {
            size_t was = hf_path_index(ld, k);
            st = load_pretok(ld, i);
            hf_path_pop(ld, was);
        }
        hf_path_pop(ld, was0);
        return st;
    }
    if (!grow((void **)&hp->pretoks, &hp->n_pretoks, sizeof *hp->pretoks))
        return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
    hf_pretok *pt = &hp->pretoks[hp->n_pretoks - 1];
    if (TYPE_IS(type, tl, "ByteLevel")) {
        pt->kind = HF_PT_BYTELEVEL;
        if ((st = hf_get_bool(ld, node, "add_prefix_space", true, &pt->add_prefix_space)) == TOK_OK &&
            (st = hf_get_bool(ld, node, "trim_offsets", true, &pt->trim_offsets)) == TOK_OK)
            st = hf_get_bool(ld, node, "use_regex", true, &pt->use_regex);
    } else if (TYPE_IS(type, tl, "Split")) {
        pt->kind = HF_PT_SPLIT;
        char *text;
        size_t text_len;
        bool is_regex;
        st = get_pattern(ld, node, "pattern", &pt->regex, &text, &text_len, &is_regex);
        if (st == TOK_OK) {
            pt->scan = is_regex ? tok_split_scanner_for(text, text_len, TOK_REGEX_ONIG) : NULL;
            pt->looks_back = is_regex && tok_regex_looks_back(text, text_len);
            if (is_regex) { /* kept: a Sequence of Splits may have one scanner (hf_fast_check) */
                pt->pattern = text;
                pt->pattern_len = text_len;
            } else {
                if (text_len == 1) /* Gemma's " ": a no-op once a Replace took every space */
                    pt->literal_byte = (uint8_t)text[0];
                free(text);
            }
            st = get_behavior(ld, node, true, HF_ISOLATED, &pt->behavior);
        }
        if (st == TOK_OK) {
            if (json_get(ld->doc, node, "invert") == J_NONE)
                st = hf_fail(ld, TOK_EFORMAT, node, "missing field \"invert\"");
            else
                st = hf_get_bool(ld, node, "invert", false, &pt->invert);
        }
    } else if (TYPE_IS(type, tl, "Metaspace")) {
        pt->kind = HF_PT_METASPACE;
        st = load_metaspace(ld, node, &pt->replacement, &pt->prepend);
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "split", true, &pt->split);
    } else if (TYPE_IS(type, tl, "Whitespace")) {
        pt->kind = HF_PT_WHITESPACE;
    } else if (TYPE_IS(type, tl, "WhitespaceSplit")) {
        pt->kind = HF_PT_WHITESPACE_SPLIT;
    } else if (TYPE_IS(type, tl, "BertPreTokenizer")) {
        pt->kind = HF_PT_BERT;
    } else if (TYPE_IS(type, tl, "Punctuation")) {
        pt->kind = HF_PT_PUNCTUATION;
        st = get_behavior(ld, node, false, HF_ISOLATED, &pt->behavior);
    } else if (TYPE_IS(type, tl, "Digits")) {
        pt->kind = HF_PT_DIGITS;
        if (json_get(ld->doc, node, "individual_digits") == J_NONE)
            st = hf_fail(ld, TOK_EFORMAT, node, "missing field \"individual_digits\"");
        else
            st = hf_get_bool(ld, node, "individual_digits", false, &pt->individual_digits);
    } else if (TYPE_IS(type, tl, "CharDelimiterSplit")) {
        pt->kind = HF_PT_CHAR_DELIMITER;
        st = get_char(ld, node, "delimiter", true, 0, &pt->delimiter);
    } else if (TYPE_IS(type, tl, "UnicodeScripts")) {
        pt->kind = HF_PT_UNICODE_SCRIPTS;
    } else if (TYPE_IS(type, tl, "FixedLength")) {
        pt->kind = HF_PT_FIXED_LENGTH;
        uint64_t l;
        st = hf_get_uint(ld, node, "length", false, 5, &l);
        pt->length = (size_t)l;
        if (st == TOK_OK && pt->length == 0)
            st = hf_fail(ld, TOK_EFORMAT, node, "length must be at least 1");
    } else {
        size_t was = hf_path_push(ld, "type");
        st = hf_fail(ld, TOK_EUNSUPPORTED, json_get(ld->doc, node, "type"),
                     "unknown pre-tokenizer type \"%.*s\"", (int)(tl < 60 ? tl : 60), type);
        hf_path_pop(ld, was);
    }
    return st;
}

tok_status hf_load_pretokenizer(hf_load *ld, uint32_t node)
{
    return node == J_NONE ? TOK_OK : load_pretok(ld, node);
}

/* ---- post-processors ---- */

/* A special token named in a post-processor: ids as the file gives them. */
static tok_status add_piece(hf_load *ld, hf_piece p)
{
    hf_post *po = &ld->hp->post;
    if (!grow((void **)&po->single, &po->n_single, sizeof *po->single))
        return hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
    po->single[po->n_single - 1] = p;
    return TOK_OK;
}

static tok_status special_pair(hf_load *ld, uint32_t node, const char *key, uint32_t *id)
{
    uint32_t p = json_get(ld->doc, node, key);
    int64_t v;
    if (p == J_NONE || ld->doc->nodes[p].type != J_ARRAY || ld->doc->nodes[p].count != 2 ||
        !json_int(ld->doc, ld->doc->nodes[ld->doc->nodes[p].child].next, &v) || v < 0 ||
        v > UINT32_MAX) {
        size_t was = hf_path_push(ld, key);
        tok_status st = hf_fail(ld, TOK_EFORMAT, p == J_NONE ? node : p, "expected [token, id]");
        hf_path_pop(ld, was);
        return st;
    }
    *id = (uint32_t)v;
    return TOK_OK;
}

static tok_status load_template(hf_load *ld, uint32_t node)
{
    hf_post *po = &ld->hp->post;
    uint32_t single = json_get(ld->doc, node, "single");
    uint32_t specials = json_get(ld->doc, node, "special_tokens");
    if (single == J_NONE || specials == J_NONE || json_get(ld->doc, node, "pair") == J_NONE)
        return hf_fail(ld, TOK_EFORMAT, node, "TemplateProcessing needs single, pair and special_tokens");
    if (ld->doc->nodes[single].type != J_ARRAY)
        return hf_fail(ld, TOK_EFORMAT, single, "\"single\" must be an array of pieces");
    tok_status st = TOK_OK;
    size_t k = 0, was0 = hf_path_push(ld, "single");
    for (uint32_t i = ld->doc->nodes[single].child; i != J_NONE && st == TOK_OK;
         i = ld->doc->nodes[i].next, k++) {
        size_t was = hf_path_index(ld, k);
        hf_piece pc = {0};
        uint32_t seq = json_get(ld->doc, i, "Sequence"), sp = json_get(ld->doc, i, "SpecialToken");
        uint32_t body = seq != J_NONE ? seq : sp;
        uint64_t type_id = 0;
        char *id = NULL;
        size_t idl;
        if (body == J_NONE) {
            st = hf_fail(ld, TOK_EFORMAT, i, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
        } else {
            st = hf_get_string(ld, body, "id", true, &id, &idl);
            if (st == TOK_OK)
                st = hf_get_uint(ld, body, "type_id", true, 0, &type_id);
        }
        pc.type_id = (uint32_t)type_id;
        if (st == TOK_OK && seq != J_NONE) {
            pc.is_sequence = true;
            pc.seq = TYPE_IS(id, idl, "B") ? 1 : 0;
        } else if (st == TOK_OK) {
            /* its ids from special_tokens[id].ids */
            uint32_t entry = json_get(ld->doc, specials, id);
            uint32_t ids = json_get(ld->doc, entry, "ids");
            if (entry == J_NONE || ids == J_NONE || ld->doc->nodes[ids].type != J_ARRAY) {
                st = hf_fail(ld, TOK_EFORMAT, i, "Missing SpecialToken(s) with id(s) `%s`", id);
            } else {
                pc.ids = malloc((ld->doc->nodes[ids].count + 1) * sizeof *pc.ids);
                if (!pc.ids)
                    st = hf_fail(ld, TOK_ENOMEM, ids, "out of memory");
                for (uint32_t j = ld->doc->nodes[ids].child; st == TOK_OK && j != J_NONE;
                     j = ld->doc->nodes[j].next) {
                    int64_t v;
                    if (!json_int(ld->doc, j, &v) || v < 0 || v > UINT32_MAX)
                        st = hf_fail(ld, TOK_EFORMAT, j, "expected a token id");
                    else
                        pc.ids[pc.n_ids++] = (uint32_t)v;
                }
            }
        }
        free(id);
        if (st == TOK_OK)
            st = add_piece(ld, pc);
        else
            free(pc.ids);
        hf_path_pop(ld, was);
    }
    hf_path_pop(ld, was0);
    (void)po;
    return st;
}

static tok_status load_post(hf_load *ld, uint32_t node)
{
    hf_post *po = &ld->hp->post;
    const char *type;
    size_t tl;
    if (ld->doc->nodes[node].type == J_NULL)
        return TOK_OK;
    tok_status st = hf_type(ld, node, &type, &tl);
    if (st != TOK_OK)
        return st;
    po->present = true;
    if (TYPE_IS(type, tl, "Sequence")) {
        uint32_t list = json_get(ld->doc, node, "processors");
        if (list == J_NONE || ld->doc->nodes[list].type != J_ARRAY)
            return hf_fail(ld, TOK_EFORMAT, node, "\"processors\" must be an array");
        size_t k = 0, was0 = hf_path_push(ld, "processors");
        for (uint32_t i = ld->doc->nodes[list].child; i != J_NONE && st == TOK_OK;
             i = ld->doc->nodes[i].next, k++) {
            size_t was = hf_path_index(ld, k);
            st = load_post(ld, i);
            hf_path_pop(ld, was);
        }
        hf_path_pop(ld, was0);
        return st;
    }
    if (TYPE_IS(type, tl, "TemplateProcessing"))
        return load_template(ld, node);
    if (TYPE_IS(type, tl, "ByteLevel")) {
        bool trim, aps;
        if ((st = hf_get_bool(ld, node, "trim_offsets", true, &trim)) == TOK_OK &&
            (st = hf_get_bool(ld, node, "add_prefix_space", true, &aps)) == TOK_OK) {
            po->bytelevel_trim |= trim;
            po->bytelevel_prefix = aps;
        }
        return st;
    }
    if (TYPE_IS(type, tl, "BertProcessing") || TYPE_IS(type, tl, "RobertaProcessing")) {
        bool roberta = TYPE_IS(type, tl, "RobertaProcessing");
        uint32_t cls, sep;
        if ((st = special_pair(ld, node, "cls", &cls)) != TOK_OK ||
            (st = special_pair(ld, node, "sep", &sep)) != TOK_OK)
            return st;
        hf_piece a = {.n_ids = 1}, b = {.is_sequence = true}, c = {.n_ids = 1};
        a.ids = malloc(sizeof *a.ids);
        c.ids = malloc(sizeof *c.ids);
        if (!a.ids || !c.ids) {
            free(a.ids), free(c.ids);
            return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
        }
        a.ids[0] = cls;
        c.ids[0] = sep;
        if ((st = add_piece(ld, a)) != TOK_OK) {
            free(c.ids);
            return st;
        }
        if ((st = add_piece(ld, b)) != TOK_OK || (st = add_piece(ld, c)) != TOK_OK)
            return st;
        if (roberta) {
            bool trim, aps;
            if ((st = hf_get_bool(ld, node, "trim_offsets", true, &trim)) == TOK_OK &&
                (st = hf_get_bool(ld, node, "add_prefix_space", true, &aps)) == TOK_OK) {
                po->roberta_trim = trim;
                po->roberta_prefix = aps;
            }
        }
        return st;
    }
    size_t was = hf_path_push(ld, "type");
    st = hf_fail(ld, TOK_EUNSUPPORTED, json_get(ld->doc, node, "type"),
                 "unknown post-processor type \"%.*s\"", (int)(tl < 60 ? tl : 60), type);
    hf_path_pop(ld, was);
    return st;
}

tok_status hf_load_post(hf_load *ld, uint32_t node)
{
    return node == J_NONE ? TOK_OK : load_post(ld, node);
}

/* ---- decoders ---- */

static tok_status load_dec(hf_load *ld, uint32_t node)
{
    hf_pipeline *hp = ld->hp;
    const char *type;
    size_t tl;
    if (ld->doc->nodes[node].type == J_NULL)
        return TOK_OK;
    tok_status st = hf_type(ld, node, &type, &tl);
    if (st != TOK_OK)
        return st;
    hp->has_decoder = true;
    if (TYPE_IS(type, tl, "Sequence")) {
        uint32_t list = json_get(ld->doc, node, "decoders");
        if (list == J_NONE || ld->doc->nodes[list].type != J_ARRAY)
            return hf_fail(ld, TOK_EFORMAT, node, "\"decoders\" must be an array");
        size_t k = 0, was0 = hf_path_push(ld, "decoders");
        for (uint32_t i = ld->doc->nodes[list].child; i != J_NONE && st == TOK_OK;
             i = ld->doc->nodes[i].next, k++) {
            size_t was = hf_path_index(ld, k);
            st = load_dec(ld, i);
            hf_path_pop(ld, was);
        }
        hf_path_pop(ld, was0);
        return st;
    }
    if (!grow((void **)&hp->decs, &hp->n_decs, sizeof *hp->decs))
        return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
    hf_dec *dc = &hp->decs[hp->n_decs - 1];
    if (TYPE_IS(type, tl, "ByteLevel")) {
        dc->kind = HF_DEC_BYTELEVEL;
    } else if (TYPE_IS(type, tl, "Metaspace")) {
        dc->kind = HF_DEC_METASPACE;
        st = load_metaspace(ld, node, &dc->replacement, &dc->prepend);
    } else if (TYPE_IS(type, tl, "WordPiece")) {
        dc->kind = HF_DEC_WORDPIECE;
        st = hf_get_string(ld, node, "prefix", false, &dc->prefix, &dc->prefix_len);
        if (st == TOK_OK && !dc->prefix) {
            dc->prefix = strdup("##");
            dc->prefix_len = 2;
        }
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "cleanup", true, &dc->cleanup);
    } else if (TYPE_IS(type, tl, "BPEDecoder")) {
        dc->kind = HF_DEC_BPE;
        st = hf_get_string(ld, node, "suffix", false, &dc->suffix, NULL);
        if (st == TOK_OK && !dc->suffix)
            dc->suffix = strdup("</w>");
    } else if (TYPE_IS(type, tl, "ByteFallback")) {
        dc->kind = HF_DEC_BYTEFALLBACK;
    } else if (TYPE_IS(type, tl, "Fuse")) {
        dc->kind = HF_DEC_FUSE;
    } else if (TYPE_IS(type, tl, "Strip")) {
        dc->kind = HF_DEC_STRIP;
        uint64_t a = 0, b = 0;
        st = get_char(ld, node, "content", true, ' ', &dc->content);
        if (st == TOK_OK)
            st = hf_get_uint(ld, node, "start", true, 0, &a);
        if (st == TOK_OK)
            st = hf_get_uint(ld, node, "stop", true, 0, &b);
        dc->start = (size_t)a;
        dc->stop = (size_t)b;
    } else if (TYPE_IS(type, tl, "Replace")) {
        dc->kind = HF_DEC_REPLACE;
        bool is_regex = false;
        size_t pl = 0;
        st = get_pattern(ld, node, "pattern", &dc->regex, &dc->pattern, &pl, &is_regex);
        dc->pattern_regex = is_regex;
        dc->pattern_len = pl;
        if (st == TOK_OK)
            st = hf_get_string(ld, node, "content", true, &dc->with, NULL);
    } else if (TYPE_IS(type, tl, "CTC")) {
        dc->kind = HF_DEC_CTC;
        st = hf_get_string(ld, node, "pad_token", false, &dc->pad_token, NULL);
        if (st == TOK_OK)
            st = hf_get_string(ld, node, "word_delimiter_token", false, &dc->word_delimiter, NULL);
        if (st == TOK_OK)
            st = hf_get_bool(ld, node, "cleanup", true, &dc->cleanup);
        if (st == TOK_OK && !dc->pad_token)
            dc->pad_token = strdup("<pad>");
        if (st == TOK_OK && !dc->word_delimiter)
            dc->word_delimiter = strdup("|");
    } else {
        size_t was = hf_path_push(ld, "type");
        st = hf_fail(ld, TOK_EUNSUPPORTED, json_get(ld->doc, node, "type"),
                     "unknown decoder type \"%.*s\"", (int)(tl < 60 ? tl : 60), type);
        hf_path_pop(ld, was);
    }
    return st;
}

tok_status hf_load_decoder(hf_load *ld, uint32_t node)
{
    return node == J_NONE ? TOK_OK : load_dec(ld, node);
}

/* ---- truncation and padding ---- */

tok_status hf_load_truncation(hf_load *ld, uint32_t node)
{
    if (node == J_NONE || ld->doc->nodes[node].type == J_NULL)
        return TOK_OK;
    uint64_t max;
    tok_status st = hf_get_uint(ld, node, "max_length", true, 0, &max);
    char *dir = NULL;
    size_t dl;
    if (st == TOK_OK)
        st = hf_get_string(ld, node, "direction", false, &dir, &dl);
    if (st == TOK_OK) {
        ld->hp->trunc_max = (size_t)max;
        ld->hp->trunc_left = dir && TYPE_IS(dir, dl, "Left");
    }
    free(dir);
    return st;
}

tok_status hf_load_padding(hf_load *ld, uint32_t node)
{
    if (node == J_NONE || ld->doc->nodes[node].type == J_NULL)
        return TOK_OK;
    /* "BatchLongest" pads a batch to its longest member: a single text is never padded, so it
     * changes nothing here. A fixed length or a multiple would add pad tokens to every text;
     * tokscope refuses those rather than count padding as text. */
    uint32_t strat = json_get(ld->doc, node, "strategy");
    uint32_t mult = json_get(ld->doc, node, "pad_to_multiple_of");
    const char *s;
    size_t sl;
    bool longest = strat != J_NONE && hf_str(ld, strat, &s, &sl) && TYPE_IS(s, sl, "BatchLongest");
    if (longest && (mult == J_NONE || ld->doc->nodes[mult].type == J_NULL))
        return TOK_OK;
    return hf_fail(ld, TOK_EUNSUPPORTED, node,
                   "padding to a fixed length or a multiple is not supported (tokscope counts "
                   "and encodes the text itself; set padding to null)");
}

/* ---- finishing: added-token matchers, special tokens, lookups ---- */

static int by_first(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

const hf_added *hf_added_of(const hf_pipeline *hp, uint32_t id)
{
    size_t lo = 0, hi = hp->n_added;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hp->added_by_id[2 * mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < hp->n_added && hp->added_by_id[2 * lo] == id)
        return &hp->added[hp->added_by_id[2 * lo + 1]];
    return NULL;
}

/* Build a matcher over the added tokens with is_normalized == normalized ("ids" index added). */
static tok_status build_matcher(hf_load *ld, bool normalized, tok_specials *m)
{
    hf_pipeline *hp = ld->hp;
    size_t n = 0;
    for (size_t i = 0; i < hp->n_added; i++)
        n += hp->added[i].is_normalized == normalized && hp->added[i].nlen > 0;
    if (!n)
        return TOK_OK;
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    uint32_t *idx = malloc(n * sizeof *idx);
    tok_status st = TOK_ENOMEM;
    if (texts && lens && idx) {
        size_t k = 0;
        for (size_t i = 0; i < hp->n_added; i++) {
            const hf_added *a = &hp->added[i];
            if (a->is_normalized != normalized || a->nlen == 0)
                continue;
            texts[k] = (const char *)(normalized ? a->normalized : a->content);
            lens[k] = normalized ? a->nlen : a->len;
            idx[k] = (uint32_t)i;
            k++;
        }
        st = tok_specials_init(m, n, texts, lens, idx);
    }
    free(texts), free(lens), free(idx);
    if (st == TOK_EINVAL)
        return hf_fail(ld, TOK_EFORMAT, J_NONE,
                       "added_tokens: two added tokens match the same text after normalization");
    if (st != TOK_OK)
        return hf_fail(ld, st, J_NONE, "out of memory");
    return TOK_OK;
}

tok_status hf_finish(hf_load *ld)
{
    hf_pipeline *hp = ld->hp;
    tok_tokenizer *t = ld->t;
    tok_status st = TOK_OK;
    for (size_t k = 0; k < hp->n_pretoks; k++)
        if (hp->pretoks[k].kind == HF_PT_METASPACE && hp->pretoks[k].prepend == HF_PREPEND_FIRST)
            hp->needs_align = true;
    /* ByteLevel's built-in GPT-2 regex */
    for (size_t k = 0; k < hp->n_pretoks && st == TOK_OK; k++) {
        hf_pretok *pt = &hp->pretoks[k];
        if (pt->kind != HF_PT_BYTELEVEL || !pt->use_regex)
            continue;
        const char *gpt2 = tok_split_preset_named("gpt2")->pattern;
        char msg[128];
        size_t at;
        pt->regex = tok_regex_new(gpt2, strlen(gpt2), false, TOK_REGEX_ONIG, msg, sizeof msg, &at);
        pt->scan = tok_split_scanner_for(gpt2, strlen(gpt2), TOK_REGEX_ONIG);
        pt->looks_back = tok_regex_looks_back(gpt2, strlen(gpt2));
        if (!pt->regex)
            st = hf_fail(ld, TOK_ENOMEM, J_NONE, "cannot compile the ByteLevel regex: %s", msg);
    }
    /* normalized forms of normalized added tokens */
    for (size_t i = 0; i < hp->n_added && st == TOK_OK; i++) {
        hf_added *a = &hp->added[i];
        if (a->is_normalized && hp->n_norms) {
            a->normalized = (uint8_t *)hf_normalize_string(hp, (const char *)a->content, a->len, &a->nlen);
            if (!a->normalized)
                st = hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
        } else {
            a->normalized = a->content;
            a->nlen = a->len;
        }
    }
    for (size_t i = 0; i < hp->n_added && st == TOK_OK; i++) {
        hf_added *a = &hp->added[i];
        if (a->normalized == a->content || (a->nlen == a->len && !memcmp(a->normalized, a->content, a->len))) {
            a->decode_skip = a->special;
            continue;
        }
        for (size_t j = 0; j < hp->n_added && !a->decode_skip; j++) {
            const hf_added *b = &hp->added[j];
            a->decode_skip = b->special && b->len == a->nlen && !memcmp(b->content, a->normalized, a->nlen);
        }
    }
    if (st == TOK_OK)
        st = build_matcher(ld, false, &hp->raw_match);
    if (st == TOK_OK)
        st = build_matcher(ld, true, &hp->norm_match);
    /* lookups by id; the special ones become the tokenizer's special tokens */
    hp->added_by_id = malloc((hp->n_added + 1) * 2 * sizeof(uint32_t));
    if (st == TOK_OK && !hp->added_by_id)
        st = hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
    size_t n_special = 0;
    uint32_t max_id = t->vocab.n_ids ? t->vocab.n_ids - 1 : 0;
    for (size_t i = 0; st == TOK_OK && i < hp->n_added; i++) {
        hp->added_by_id[2 * i] = hp->added[i].id;
        hp->added_by_id[2 * i + 1] = (uint32_t)i;
        n_special += hp->added[i].special;
        if (hp->added[i].id > max_id)
            max_id = hp->added[i].id;
    }
    if (st == TOK_OK) {
        qsort(hp->added_by_id, hp->n_added, 2 * sizeof(uint32_t), by_first);
        const char **texts = malloc((n_special + 1) * sizeof *texts);
        size_t *lens = malloc((n_special + 1) * sizeof *lens);
        uint32_t *ids = malloc((n_special + 1) * sizeof *ids);
        size_t k = 0;
        if (!texts || !lens || !ids)
            st = hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
        for (size_t i = 0; st == TOK_OK && i < hp->n_added; i++)
            if (hp->added[i].special) {
                texts[k] = (const char *)hp->added[i].content;
                lens[k] = hp->added[i].len;
                ids[k] = hp->added[i].id;
                k++;
            }
        if (st == TOK_OK && k && tok_specials_init(&t->specials, k, texts, lens, ids) != TOK_OK)
            st = hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
        free(texts), free(lens), free(ids);
    }
    if (st == TOK_OK && hp->model.kind == HF_WORDPIECE && !hf_wordpiece_build(t, &hp->model))
        st = hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
    t->n_ids = max_id + 1; /* non-special added tokens may lie above the vocabulary */
    if (st == TOK_OK && tok_tokenizer_finish(t) != TOK_OK)
        st = hf_fail(ld, TOK_ENOMEM, J_NONE, "out of memory");
    /* The post-processor's ids are emitted as they are: each must be a token, or encode would
     * give ids that nothing decodes. */
    for (size_t i = 0; st == TOK_OK && i < hp->post.n_single; i++)
        for (size_t j = 0; st == TOK_OK && j < hp->post.single[i].n_ids; j++) {
            const char *b;
            size_t bl;
            uint32_t id = hp->post.single[i].ids[j];
            if (tok_token_bytes(t, id, &b, &bl) != TOK_OK)
                st = hf_fail(ld, TOK_EFORMAT, J_NONE,
                             "post_processor: special token id %u is not a token of this file "
                             "(%u ids)", id, t->n_ids);
        }
    if (st == TOK_OK)
        hf_fast_check(t);
    return st;
}

void hf_pipeline_free(hf_pipeline *hp)
{
    if (!hp)
        return;
    for (size_t i = 0; i < hp->n_norms; i++) {
        free(hp->norms[i].pattern);
        free(hp->norms[i].content);
        tok_regex_free(hp->norms[i].regex);
        hf_charsmap_free(hp->norms[i].charsmap);
    }
    free(hp->norms);
    for (size_t i = 0; i < hp->n_pretoks; i++) {
        tok_regex_free(hp->pretoks[i].regex);
        free(hp->pretoks[i].pattern);
    }
    free(hp->pretoks);
    hf_model *m = &hp->model;
    free(m->unk_token);
    if (!m->unreach_view)
        free((void *)m->unreach);
    hf_lazy_rank_free(m->lazy);
    hf_pair_bits_free(atomic_load(&m->pairs));
    if (m->merges && !m->merges_view)
        tok_big_free(m->merges, ((size_t)1 << m->merge_bits) * sizeof *m->merges);
    free(m->prefix);
    free(m->suffix);
    hf_unigram_free(m->unigram);
    hf_wordpiece_free(m->wordpiece);
    for (size_t i = 0; i < hp->n_added; i++) {
        if (hp->added[i].normalized != hp->added[i].content)
            free(hp->added[i].normalized);
        free(hp->added[i].content);
    }
    free(hp->added);
    tok_specials_free(&hp->raw_match);
    tok_specials_free(&hp->norm_match);
    for (size_t i = 0; i < hp->post.n_single; i++)
        free(hp->post.single[i].ids);
    free(hp->post.single);
    for (size_t i = 0; i < hp->n_decs; i++) {
        hf_dec *d = &hp->decs[i];
        free(d->prefix), free(d->suffix), free(d->pad_token), free(d->word_delimiter);
        free(d->pattern), free(d->with);
        tok_regex_free(d->regex);
    }
    free(hp->decs);
    free(hp->verbatim);
    free(hp->added_by_id);
    if (hp->backing_mapped)
        munmap(hp->backing, hp->backing_len);
    else
        free(hp->backing);
    free(hp);
}
