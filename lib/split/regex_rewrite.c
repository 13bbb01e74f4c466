/* regex_rewrite: give a pattern the references' Unicode meaning on Debian's PCRE2 10.42.
 *
 * tiktoken's Rust regex crate and HF tokenizers' Oniguruma both classify characters by Unicode
 * 16.0 and read \s as the White_Space property. PCRE2 10.42 has Unicode 14.0 tables and keeps
 * U+180E in \s. So before compiling, a pattern is rewritten:
 *   - \s and \S become explicit White_Space classes;
 *   - \p{X} / \P{X} (General_Category groups and values, short or long names, and scripts) are
 *     corrected by the code points whose category changed between 14.0 and 16.0
 *     (tok_uni_since14, generated): nearly all are new characters PCRE2 sees as unassigned.
 *     Outside a class: [\p{X}added] or, when some code point left X, (?:(?![left])[\p{X}added]).
 *     Inside a class the additions are listed next to \p{X}; a class member that would need a
 *     subtraction is expanded into the full 16.0 range list instead;
 *   - \d is Decimal_Number (corrected the same way) and \w the dialect's word class, written
 *     out in full (PCRE2's \w is letters, numbers and '_', neither reference's).
 * Anything else is copied unchanged. */
#include "split/split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The characters of the White_Space property. */
#define WS_BODY "\\x{9}-\\x{d}\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"

typedef struct obuf {
    char *s;
    size_t n, cap;
    bool ok;
} obuf;

static void put(obuf *o, const char *s, size_t l)
{
    if (!o->ok)
        return;
    if (!tok_grow(&o->s, &o->cap, o->n + l + 1, 1, 256)) {
        o->ok = false;
        return;
    }
    memcpy(o->s + o->n, s, l);
    o->n += l;
    o->s[o->n] = 0;
}
static void puts_(obuf *o, const char *s) { put(o, s, strlen(s)); }

/* ---- Unicode properties ---- */

#define GC(x) (1u << TOK_GC_##x)
#define GC_L (GC(Lu) | GC(Ll) | GC(Lt) | GC(Lm) | GC(Lo))
#define GC_M (GC(Mn) | GC(Mc) | GC(Me))
#define GC_N (GC(Nd) | GC(Nl) | GC(No))
#define GC_P (GC(Pc) | GC(Pd) | GC(Ps) | GC(Pe) | GC(Pi) | GC(Pf) | GC(Po))
#define GC_S (GC(Sm) | GC(Sc) | GC(Sk) | GC(So))
#define GC_Z (GC(Zs) | GC(Zl) | GC(Zp))
#define GC_C (GC(Cc) | GC(Cf) | GC(Cs) | GC(Co) | GC(Cn))

static const struct {
    const char *name; /* loose form: lower case, no '_', '-' or ' ' */
    uint32_t mask;
} gc_names[] = {
    {"l", GC_L}, {"letter", GC_L}, {"l&", GC(Lu) | GC(Ll) | GC(Lt)}, {"lc", GC(Lu) | GC(Ll) | GC(Lt)},
    {"casedletter", GC(Lu) | GC(Ll) | GC(Lt)}, {"lu", GC(Lu)}, {"uppercaseletter", GC(Lu)},
    {"ll", GC(Ll)}, {"lowercaseletter", GC(Ll)}, {"lt", GC(Lt)}, {"titlecaseletter", GC(Lt)},
    {"lm", GC(Lm)}, {"modifierletter", GC(Lm)}, {"lo", GC(Lo)}, {"otherletter", GC(Lo)},
    {"m", GC_M}, {"mark", GC_M}, {"combiningmark", GC_M}, {"mn", GC(Mn)}, {"nonspacingmark", GC(Mn)},
    {"mc", GC(Mc)}, {"spacingmark", GC(Mc)}, {"me", GC(Me)}, {"enclosingmark", GC(Me)},
    {"n", GC_N}, {"number", GC_N}, {"nd", GC(Nd)}, {"decimalnumber", GC(Nd)}, {"digit", GC(Nd)},
    {"nl", GC(Nl)}, {"letternumber", GC(Nl)}, {"no", GC(No)}, {"othernumber", GC(No)},
    {"p", GC_P}, {"punctuation", GC_P}, {"punct", GC_P}, {"pc", GC(Pc)},
    {"connectorpunctuation", GC(Pc)}, {"pd", GC(Pd)}, {"dashpunctuation", GC(Pd)},
    {"ps", GC(Ps)}, {"openpunctuation", GC(Ps)}, {"pe", GC(Pe)}, {"closepunctuation", GC(Pe)},
    {"pi", GC(Pi)}, {"initialpunctuation", GC(Pi)}, {"pf", GC(Pf)}, {"finalpunctuation", GC(Pf)},
    {"po", GC(Po)}, {"otherpunctuation", GC(Po)},
    {"s", GC_S}, {"symbol", GC_S}, {"sm", GC(Sm)}, {"mathsymbol", GC(Sm)}, {"sc", GC(Sc)},
    {"currencysymbol", GC(Sc)}, {"sk", GC(Sk)}, {"modifiersymbol", GC(Sk)}, {"so", GC(So)},
    {"othersymbol", GC(So)},
    {"z", GC_Z}, {"separator", GC_Z}, {"zs", GC(Zs)}, {"spaceseparator", GC(Zs)},
    {"zl", GC(Zl)}, {"lineseparator", GC(Zl)}, {"zp", GC(Zp)}, {"paragraphseparator", GC(Zp)},
    {"c", GC_C}, {"other", GC_C}, {"cc", GC(Cc)}, {"control", GC(Cc)}, {"cntrl", GC(Cc)},
    {"cf", GC(Cf)}, {"format", GC(Cf)}, {"cs", GC(Cs)}, {"surrogate", GC(Cs)},
    {"co", GC(Co)}, {"privateuse", GC(Co)}, {"cn", GC(Cn)}, {"unassigned", GC(Cn)},
};

typedef struct uprop {
    uint32_t mask; /* General_Category values, or 0 for a script */
    int script;    /* index into tok_uni_script_names, or -1 */
    int word;      /* \w: 0 no, else the dialect's definition (always written out in full) */
} uprop;

enum { WORD_RUST = 1, WORD_ONIG = 2, WORD_ONIG_IN_CLASS = 3 };

/* \w. Rust's regex crate: UTS #18 (Alphabetic, Mark, Decimal_Number, Connector_Punctuation,
 * Join_Control). Oniguruma inside HF (measured on every code point with npm tokenizers 0.23.2):
 * the same without Join_Control; outside a bracket class also the six Latin-1 digits and
 * fractions its single-byte table calls word characters ([\w] does not take them). */
static bool is_word(uint32_t cp, int dialect)
{
    unsigned gc = tok_uni_gc(cp);
    if ((tok_uni_props(cp) & TOK_UNI_ALPHA) || tok_gc_is_mark(gc) || gc == TOK_GC_Nd ||
        gc == TOK_GC_Pc)
        return true;
    if (dialect == WORD_RUST)
        return cp == 0x200C || cp == 0x200D;
    return dialect == WORD_ONIG && (cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0xBC && cp <= 0xBE));
}

static bool loose_eq(const char *a, size_t al, const char *loose)
{
    size_t j = 0;
    for (size_t i = 0; i < al; i++) {
        char c = a[i];
        if (c == '_' || c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (loose[j++] != c)
            return false;
    }
    return loose[j] == 0;
}

static bool lookup_prop(const char *name, size_t len, uprop *p)
{
    for (size_t i = 0; i < sizeof gc_names / sizeof gc_names[0]; i++)
        if (loose_eq(name, len, gc_names[i].name)) {
            *p = (uprop){gc_names[i].mask, -1, 0};
            return true;
        }
    /* scripts, by long name ("Han", "Old_Italic"); other forms are left to PCRE2 */
    for (uint32_t k = 1; k < tok_uni_script_n; k++) {
        char loose[64];
        size_t j = 0;
        for (const char *q = tok_uni_script_names[k]; *q && j + 1 < sizeof loose; q++)
            if (*q != '_')
                loose[j++] = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
        loose[j] = 0;
        if (loose_eq(name, len, loose)) {
            *p = (uprop){0, (int)k, 0};
            return true;
        }
    }
    return false;
}

static bool has16(const uprop *p, uint32_t cp)
{
    if (p->word)
        return is_word(cp, p->word);
    if (p->script >= 0)
        return tok_uni_script(cp) == (unsigned)p->script;
    return p->mask >> tok_uni_gc(cp) & 1;
}

/* What PCRE2 (Unicode 14.0) says, for a code point in tok_uni_since14 with 14.0 category g14:
 * code points new since 14.0 were unassigned, so their script was Unknown. */
static bool has14(const uprop *p, uint32_t cp, unsigned g14)
{
    if (p->script >= 0)
        return g14 != TOK_GC_Cn && tok_uni_script(cp) == (unsigned)p->script;
    return p->mask >> g14 & 1;
}

static void put_range(obuf *o, uint32_t a, uint32_t b)
{
    char t[40];
    if (a == b)
        snprintf(t, sizeof t, "\\x{%x}", a);
    else
        snprintf(t, sizeof t, "\\x{%x}-\\x{%x}", a, b);
    puts_(o, t);
}

/* Emit the code points of tok_uni_since14 that are in 16.0 but not 14.0 (want_added) or the
 * reverse; returns how many ranges were written. With dry set, only counts. */
static size_t put_delta(obuf *o, const uprop *p, bool want_added, bool negated, bool dry)
{
    size_t ranges = 0;
    bool open = false;
    uint32_t start = 0, prev = 0;
    for (uint32_t r = 0; r < tok_uni_since14_n; r++) {
        const uint32_t *e = tok_uni_since14[r];
        for (uint32_t cp = e[0]; cp <= e[1]; cp++) {
            bool now = has16(p, cp) != negated, before = has14(p, cp, e[2]) != negated;
            bool in = want_added ? now && !before : before && !now;
            if (in && open && cp == prev + 1) {
                prev = cp;
                continue;
            }
            if (open && !dry)
                put_range(o, start, prev);
            open = in;
            if (in) {
                start = prev = cp;
                ranges++;
            }
        }
    }
    if (open && !dry)
        put_range(o, start, prev);
    return ranges;
}

/* The full Unicode 16.0 range list of p (or its complement). */
static void put_full(obuf *o, const uprop *p, bool negated)
{
    bool open = false;
    uint32_t start = 0;
    for (uint32_t cp = 0; cp <= 0x110000; cp++) {
        bool in = cp < 0x110000 && has16(p, cp) != negated;
        if (in && !open)
            start = cp, open = true;
        else if (!in && open) {
            put_range(o, start, cp - 1);
            open = false;
        }
    }
}

/* \p or \P at p[i]: its extent, property and negation. False when it is not one we correct. */
static bool parse_prop(const char *p, size_t len, size_t i, size_t *end, uprop *prop, bool *neg)
{
    *neg = p[i + 1] == 'P';
    size_t k = i + 2;
    if (k >= len)
        return false;
    const char *name;
    size_t nl;
    if (p[k] == '{') {
        const char *close = memchr(p + k, '}', len - k);
        if (!close)
            return false;
        name = p + k + 1;
        nl = (size_t)(close - name);
        *end = (size_t)(close - p) + 1;
        if (nl && name[0] == '^') {
            *neg = !*neg;
            name++, nl--;
        }
    } else {
        name = p + k;
        nl = 1;
        *end = k + 1;
    }
    return lookup_prop(name, nl, prop);
}

static void rewrite_prop(obuf *o, const char *orig, size_t ol, const uprop *prop, bool neg,
                         bool in_class)
{
    if (prop->word) { /* no PCRE2 class to start from: the full list */
        if (!in_class)
            puts_(o, "[");
        put_full(o, prop, neg);
        if (!in_class)
            puts_(o, "]");
        return;
    }
    size_t add = put_delta(o, prop, true, neg, true), left = put_delta(o, prop, false, neg, true);
    if (!add && !left) {
        put(o, orig, ol);
    } else if (in_class) {
        if (left)
            put_full(o, prop, neg); /* a subtraction cannot be written inside a class */
        else {
            put(o, orig, ol);
            put_delta(o, prop, true, neg, false);
        }
    } else {
        if (left) {
            puts_(o, "(?:(?![");
            put_delta(o, prop, false, neg, false);
            puts_(o, "])");
        }
        puts_(o, "[");
        put(o, orig, ol);
        put_delta(o, prop, true, neg, false);
        puts_(o, left ? "])" : "]");
    }
}

char *tok_regex_rewrite(const char *p, size_t len, tok_regex_dialect dialect, const char **why)
{
    obuf o = {NULL, 0, 0, true};
    bool in_class = false, negated = false;
    size_t class_start = 0; /* output position of the current class's '[' */
    bool class_has_S = false;
    *why = NULL;
    for (size_t i = 0; i < len && o.ok;) {
        char c = p[i];
        if (c == '\\' && i + 1 < len) {
            char e = p[i + 1];
            if (e == 'Q') { /* \Q...\E: literal */
                size_t l = len - i;
                for (size_t k = i + 2; k + 1 < len; k++)
                    if (p[k] == '\\' && p[k + 1] == 'E') {
                        l = k + 2 - i;
                        break;
                    }
                put(&o, p + i, l);
                i += l;
                continue;
            }
            if (e == 's' || e == 'S') {
                if (!in_class)
                    puts_(&o, e == 's' ? "[" WS_BODY "]" : "[^" WS_BODY "]");
                else if (e == 's')
                    puts_(&o, WS_BODY);
                else if (negated) {
                    *why = "\\S inside a negated character class";
                    free(o.s);
                    return NULL;
                } else {
                    class_has_S = true; /* [...\S...] == (?:[...]|[^\s]): patched at ']' */
                }
                i += 2;
                continue;
            }
            size_t end = i + 2;
            uprop prop;
            bool neg = e == 'D' || e == 'W';
            if (e == 'd' || e == 'D' || e == 'w' || e == 'W') { /* \d is Decimal_Number in both */
                prop = e == 'd' || e == 'D'
                           ? (uprop){GC(Nd), -1, 0}
                           : (uprop){0, -1,
                                     dialect == TOK_REGEX_RUST ? WORD_RUST
                                     : in_class               ? WORD_ONIG_IN_CLASS
                                                              : WORD_ONIG};
                rewrite_prop(&o, p + i, 2, &prop, neg, in_class);
                i = end;
                continue;
            }
            if ((e == 'p' || e == 'P') && parse_prop(p, len, i, &end, &prop, &neg)) {
                rewrite_prop(&o, p + i, end - i, &prop, neg, in_class);
                i = end;
                continue;
            }
            put(&o, p + i, 2);
            i += 2;
            continue;
        }
        if (!in_class && c == '[') {
            in_class = true;
            class_start = o.n;
            class_has_S = false;
            size_t k = i + 1;
            negated = k < len && p[k] == '^';
            if (negated)
                k++;
            if (k < len && p[k] == ']') /* a leading ']' is literal */
                k++;
            put(&o, p + i, k - i);
            i = k;
            continue;
        }
        if (in_class && c == '[' && i + 1 < len && p[i + 1] == ':') { /* [:alpha:] */
            size_t l = 1;
            for (size_t k = i + 2; k + 1 < len; k++)
                if (p[k] == ':' && p[k + 1] == ']') {
                    l = k + 2 - i;
                    break;
                }
            put(&o, p + i, l);
            i += l;
            continue;
        }
        if (in_class && c == ']') {
            in_class = false;
            put(&o, "]", 1);
            if (o.ok && class_has_S) { /* wrap: (?:[...]|[^ws]) */
                size_t body = o.n - class_start;
                char *tmp = malloc(body + 1);
                if (!tmp) {
                    free(o.s);
                    return NULL;
                }
                memcpy(tmp, o.s + class_start, body);
                o.n = class_start;
                puts_(&o, "(?:");
                put(&o, tmp, body);
                puts_(&o, "|[^" WS_BODY "])");
                free(tmp);
            }
            i++;
            continue;
        }
        put(&o, p + i, 1);
        i++;
    }
    if (o.ok && !o.s)
        put(&o, "", 0);
    if (!o.ok) {
        free(o.s);
        return NULL;
    }
    return o.s;
}
