/* normalizers: HF's normalizers (tokenizers/src/normalizers/), one transform each, with the exact
 * (character, change) streams HF feeds NormalizedString::transform, so offsets come out the same.
 *
 * Unicode data: NFC/NFD/NFKC/NFKD use utf8proc's decompositions and compositions (Unicode 15),
 * limited to the characters of Unicode 9.0 as HF's tables are (after9), through the same
 * algorithm as HF's
 * unicode-normalization-alignments (decompose with change tags, stable canonical reordering,
 * recompose with k + change - 1); Lowercase is Rust's char::to_lowercase from the project's
 * Unicode 16 tables. Text that a normal form leaves unchanged is copied as is, which is what
 * the tagged algorithm yields for it. */
#include "formats/hf/hf.h"

#include <string.h>
#include <pthread.h>
#include <utf8proc.h>

/* ---- helpers ---- */

/* Copy the split unchanged. */
static bool copy(const hf_splits *in, size_t i, hf_splits *out)
{
    return hf_splits_copy(out, in, i);
}

static void begin(hf_tx *t, const hf_splits *in, size_t i, hf_splits *out, size_t skip)
{
    const hf_split *sp = &in->v[i];
    hf_tx_begin(t, out, in->text + sp->off, in->track ? in->a0 + sp->off : NULL,
                in->track ? in->a1 + sp->off : NULL, sp->len, skip, sp->orig0);
}

static bool end(hf_tx *t, const hf_splits *in, size_t i)
{
    const hf_split *sp = &in->v[i];
    return hf_tx_end(t, sp->token, sp->orig0, sp->orig1);
}

/* NormalizedString::filter: the kept character before a run of dropped ones carries -run;
 * dropped characters at the front become the transform's initial offset. A kept character that
 * maps to itself and is followed by a kept one replaces itself: runs of those are copied in one
 * go. Every filter here keeps printable ASCII (0x20-0x7E) and maps it to itself (clean_text,
 * strip accents, NMT), so those bytes are not asked about. */
static bool filter(const hf_splits *in, size_t i, hf_splits *out, bool (*keep)(uint32_t cp),
                   uint32_t (*map)(uint32_t cp))
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len, removed = 0, removed_start = 0;
    /* a text every character of which stays is copied (printable ASCII stays: no test) */
    size_t k0 = 0;
    while (k0 < n) {
        if (s[k0] >= 0x20 && s[k0] < 0x7F) {
            k0++;
            continue;
        }
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k0, &cl);
        if (!keep(cp) || (map && map(cp) != cp))
            break;
        k0 += cl;
    }
    if (k0 == n)
        return copy(in, i, out);
    /* first pass: how many leading characters are dropped */
    for (size_t k = 0; k < n;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        k += cl;
        if (keep(cp))
            break;
        removed_start++;
    }
    hf_tx t;
    begin(&t, in, i, out, removed_start);
    size_t skipped = 0, run = 0; /* run: bytes that stay as they are, not yet copied */
    bool have_last = false, last_same = false;
    uint32_t last = 0;
    unsigned last_len = 0;
    for (size_t k = 0; k < n;) {
        uint8_t b = s[k];
        uint32_t cp;
        unsigned cl;
        bool kept, same;
        if (b >= 0x20 && b < 0x7F) {
            cp = b, cl = 1, kept = same = true;
        } else {
            cp = tok_utf8_decode(s + k, &cl);
            kept = keep(cp);
            same = kept && (!map || map(cp) == cp);
        }
        k += cl;
        if (skipped < removed_start) {
            skipped++;
            continue;
        }
        if (!kept) {
            removed++;
            continue;
        }
        if (have_last) {
            if (removed == 0 && last_same) {
                run += last_len;
            } else {
                if (run && !hf_tx_copy(&t, run))
                    return false;
                run = 0;
                if (!hf_tx_push(&t, map ? map(last) : last, -(int)removed))
                    return false;
            }
        }
        have_last = true;
        last = cp, last_len = cl, last_same = same;
        removed = 0;
    }
    if (run && !hf_tx_copy(&t, run))
        return false;
    if (have_last && !hf_tx_push(&t, map ? map(last) : last, -(int)removed))
        return false;
    return end(&t, in, i);
}

/* ---- Unicode normal forms, with HF's change tags ---- */

typedef struct tagged {
    uint32_t cp;
    int change;
    uint8_t ccc;
} tagged;

/* HF's normal forms have Unicode 9.0 data: a character assigned since then is, to them,
 * unassigned -- no decomposition, combining class 0, composes with nothing. Characters of 9.0
 * keep their mappings in later versions (Unicode's stability policy), so utf8proc's 15.0 data
 * gives 9.0's answers for them. */
static bool after9(uint32_t cp)
{
    return cp >= tok_uni_gc9[0][0] && tok_uni_gc_old(tok_uni_gc9, tok_uni_gc9_n, cp) == TOK_GC_Cn &&
           tok_uni_gc(cp) != TOK_GC_Cn;
}

static uint8_t ccc_of(uint32_t cp)
{
    if (cp < 0x80)
        return 0;
    return after9(cp) ? 0 : (uint8_t)utf8proc_get_property((int32_t)cp)->combining_class;
}

/* compose(a, b) as unicode-normalization's char::compose: the primary composite or 0. */
static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    if (b < 0x80) /* ASCII is never the second of a composition pair */
        return 0;
    if (after9(a) || after9(b))
        return 0;
    utf8proc_int32_t buf[2] = {(utf8proc_int32_t)a, (utf8proc_int32_t)b};
    utf8proc_ssize_t r = utf8proc_normalize_utf32(buf, 2, UTF8PROC_COMPOSE);
    return r == 1 ? (uint32_t)buf[0] : 0;
}

/* Whether s[0..n) is in the normal form already. Checked in pieces of about 64 KB that end just
 * before an ASCII byte: an ASCII character is a starter that composes with nothing before it
 * and is the second of no composition, so no normal form joins or reorders across it, and
 * utf8proc's buffer (4 bytes a code point) stays the size of a piece, not of the text. */
static bool already(const uint8_t *s, size_t n, utf8proc_option_t opt)
{
    size_t at = 0;
    while (at < n) {
        size_t k = at;
        while (k < n && s[k] < 0x80)
            k++;
        if (k == n) /* ASCII is in every normal form */
            return true;
        if (k > at)
            k--; /* the ASCII character before may compose with what follows */
        size_t end = k + 65536 < n ? k + 65536 : n;
        while (end < n && s[end] >= 0x80)
            end++;
        utf8proc_uint8_t *r = NULL;
        utf8proc_ssize_t len = utf8proc_map(s + k, (utf8proc_ssize_t)(end - k), &r, opt);
        bool same = len >= 0 && (size_t)len == end - k && memcmp(r, s + k, end - k) == 0;
        free(r);
        if (!same)
            return false;
        at = end;
    }
    return true;
}

/* A character NFC leaves alone wherever it stands among such characters: combining class 0
 * (nothing reorders around it), its own NFC (a precomposed letter stays composed; a singleton
 * or an excluded composite does not), and never the second of a composition pair -- utf8proc
 * numbers those (comb_index) from 0x8000, and composes Hangul vowels and trailing consonants
 * by rule. Checked over every code point in tests/unit/test_hf_nfc.c. */
static bool inert_slow(uint32_t cp)
{
    if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2))
        return false;
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    if (p->combining_class != 0 || (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000))
        return false;
    if (p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0)
        return true; /* no canonical decomposition */
    uint8_t s[4];
    size_t n = tok_utf8_encode(cp, s);
    return already(s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

/* The answers for the Basic Multilingual Plane, worked out once (about a millisecond). */
static uint8_t bmp_inert[0x10000 / 8];
static pthread_once_t bmp_once = PTHREAD_ONCE_INIT;
static void bmp_fill(void)
{
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        if (cp < 0x80 || (!(cp >= 0xD800 && cp <= 0xDFFF) && inert_slow(cp)))
            bmp_inert[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}

bool hf_nfc_inert(uint32_t cp)
{
    if (cp >= 0x10000)
        return inert_slow(cp);
    pthread_once(&bmp_once, bmp_fill);
    return bmp_inert[cp >> 3] >> (cp & 7) & 1;
}

bool hf_nfc_quick(const uint8_t *s, size_t n)
{
    bool filled = false;
    for (size_t k = 0; k < n;) {
        if (s[k] < 0x80) {
            k++;
            continue;
        }
        if (!filled) {
            pthread_once(&bmp_once, bmp_fill);
            filled = true;
        }
        unsigned l;
        uint32_t cp = tok_utf8_decode(s + k, &l);
        if (cp >= 0x10000 ? !inert_slow(cp) : !(bmp_inert[cp >> 3] >> (cp & 7) & 1))
            return false;
        k += l;
    }
    return true;
}


/* The tagged characters in their final (reordered) order go to the output one at a time: as
 * they are (NFD, NFKD), or through recomposition (Recompositions::next: a composee absorbs
 * following characters that compose with it, summing changes (k + change - 1); blocked marks
 * wait in a buffer). A run of ASCII characters that replace themselves is copied in one go. */
typedef struct nf_out {
    hf_tx t;
    bool compose, ok;
    size_t copy;         /* ASCII characters replacing themselves, not yet copied */
    bool have_k;         /* recomposition: the composee kk, the blocked marks buf */
    tagged kk;
    tagged *buf;
    size_t nb, bcap;
    int last_ccc;
} nf_out;

static void nf_push(nf_out *z, tagged ch)
{
    /* change 0 takes the next input character: an ASCII character in its own place */
    if (ch.cp < 0x80 && ch.change == 0 && z->t.in_pos + z->copy < z->t.in_len &&
        z->t.in[z->t.in_pos + z->copy] == ch.cp) {
        z->copy++;
        return;
    }
    if (z->copy) {
        z->ok = z->ok && hf_tx_copy(&z->t, z->copy);
        z->copy = 0;
    }
    z->ok = z->ok && hf_tx_push(&z->t, ch.cp, ch.change);
}

static void nf_block(nf_out *z, tagged ch)
{
    if (z->nb == z->bcap) {
        size_t cap = z->bcap ? 2 * z->bcap : 16;
        tagged *b = realloc(z->buf, cap * sizeof *b);
        if (!b) {
            z->ok = false;
            return;
        }
        z->buf = b;
        z->bcap = cap;
    }
    z->buf[z->nb++] = ch;
    z->last_ccc = ch.ccc;
}

static void nf_emit(nf_out *z, tagged ch)
{
    if (!z->compose) {
        nf_push(z, ch);
        return;
    }
    if (!z->have_k) {
        if (ch.ccc != 0) {
            nf_push(z, ch);
            return;
        }
        z->kk = ch;
        z->have_k = true;
        return;
    }
    if (z->last_ccc < 0) {
        uint32_t r = compose_pair(z->kk.cp, ch.cp);
        if (r) {
            z->kk.cp = r;
            z->kk.change = z->kk.change + ch.change - 1;
        } else if (ch.ccc == 0) {
            nf_push(z, z->kk);
            z->kk = ch;
        } else {
            nf_block(z, ch);
        }
        return;
    }
    if (z->last_ccc >= ch.ccc) { /* blocked */
        if (ch.ccc == 0) {
            nf_push(z, z->kk);
            for (size_t b = 0; b < z->nb; b++)
                nf_push(z, z->buf[b]);
            z->nb = 0;
            z->kk = ch;
            z->last_ccc = -1;
            return;
        }
        nf_block(z, ch);
        return;
    }
    uint32_t r = compose_pair(z->kk.cp, ch.cp);
    if (r) {
        z->kk.cp = r;
        z->kk.change = z->kk.change + ch.change - 1;
        return;
    }
    nf_block(z, ch);
}

/* The run held (a starter and the non-starters after it; at the very start, non-starters only)
 * in canonical order -- a stable insertion sort by combining class, where a starter (class 0)
 * stays first -- emitted. */
static void nf_flush_run(nf_out *z, tagged *run, size_t m)
{
    for (size_t a = 1; a < m; a++)
        for (size_t b = a; b > 0 && run[b - 1].ccc > run[b].ccc; b--) {
            tagged x = run[b];
            run[b] = run[b - 1];
            run[b - 1] = x;
        }
    for (size_t a = 0; a < m; a++)
        nf_emit(z, run[a]);
}

/* Whether NFD (NFKD with compat) leaves s[0..n) alone, character by character as the
 * transformation below sees them: each decomposes to itself and the non-starters stand in
 * canonical order. Stops at the first that does not (text with an accent in every line costs
 * a look at the characters up to it, not a normalization of the whole). */
bool hf_nfd_quick(const uint8_t *s, size_t n, bool compat)
{
    uint8_t last = 0;
    for (size_t k = 0; k < n;) {
        if (s[k] < 0x80) {
            last = 0;
            k++;
            continue;
        }
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        k += cl;
        if (after9(cp)) {
            last = 0;
            continue;
        }
        utf8proc_int32_t dec[4];
        int last_bc = 0;
        utf8proc_ssize_t dn = utf8proc_decompose_char(
            (utf8proc_int32_t)cp, dec, 4, UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0),
            &last_bc);
        if (dn != 1 || (uint32_t)dec[0] != cp)
            return false;
        uint8_t c = ccc_of(cp);
        if (c && last > c)
            return false;
        last = c;
    }
    return true;
}

/* Decompose with tags: the first character of each decomposition replaces (0), the rest are
 * inserted (+1); each run of non-starters is stably sorted by combining class; then
 * recomposition for NFC and NFKC. Streams: memory is the longest run of non-starters, not the
 * text. */
static bool unicode_form(const hf_splits *in, size_t i, hf_splits *out, bool compat, bool compose)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    utf8proc_option_t opt = UTF8PROC_STABLE | (compose ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE) |
                            (compat ? UTF8PROC_COMPAT : 0);
    if (compose ? already(s, n, opt) : hf_nfd_quick(s, n, compat))
        return copy(in, i, out);
    nf_out z = {.compose = compose, .ok = true, .last_ccc = -1};
    begin(&z.t, in, i, out, 0);
    size_t cap = 64, m = 0; /* run[0..m): the pending run */
    tagged *run = malloc(cap * sizeof *run);
    if (!run)
        return false;
    for (size_t k = 0; k < n && z.ok;) {
        if (s[k] < 0x80) { /* a starter that decomposes to itself: the run before it is done */
            if (m)
                nf_flush_run(&z, run, m);
            m = 0;
            if (compose) {
                nf_emit(&z, (tagged){s[k++], 0, 0});
            } else { /* each character before it has given its change-0 character (one taken
                      * from the input each), so the input stands at k: copied in place */
                size_t r = 1;
                while (k + r < n && s[k + r] < 0x80)
                    r++;
                z.copy += r;
                k += r;
            }
            continue;
        }
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        k += cl;
        utf8proc_int32_t dec[32];
        int last_bc = 0;
        utf8proc_ssize_t dn = cp < 0x80 || after9(cp) ? 0 : utf8proc_decompose_char(
            (utf8proc_int32_t)cp, dec, 32, UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0), &last_bc);
        if (dn < 1 || dn > 32) {
            dec[0] = (utf8proc_int32_t)cp;
            dn = 1;
        }
        for (utf8proc_ssize_t j = 0; j < dn; j++) {
            uint8_t c = ccc_of((uint32_t)dec[j]);
            if (c == 0 && m) { /* a starter ends the pending run */
                nf_flush_run(&z, run, m);
                m = 0;
            }
            if (m == cap) {
                tagged *nr = realloc(run, 2 * cap * sizeof *nr);
                if (!nr) {
                    z.ok = false;
                    break;
                }
                run = nr;
                cap *= 2;
            }
            run[m++] = (tagged){(uint32_t)dec[j], j == 0 ? 0 : 1, c};
        }
    }
    if (z.ok && m)
        nf_flush_run(&z, run, m);
    free(run);
    if (z.ok && z.have_k)
        nf_push(&z, z.kk);
    for (size_t b = 0; z.ok && b < z.nb; b++)
        nf_push(&z, z.buf[b]);
    if (z.ok && z.copy)
        z.ok = hf_tx_copy(&z.t, z.copy);
    free(z.buf);
    return z.ok && end(&z.t, in, i);
}

/* ---- character predicates ---- */

static bool is_white(uint32_t cp) { return (tok_uni_props(cp) & TOK_UNI_WS) != 0; }

/* StripAccents: unicode-normalization-alignments' is_combining_mark (Unicode 9.0 marks);
 * BertNormalizer's strip_accents: unicode_categories' is_mark_nonspacing (Unicode 8.0). */
static bool keep_not_mark(uint32_t cp)
{
    return !tok_gc_is_mark(tok_uni_gc_old(tok_uni_gc9, tok_uni_gc9_n, cp));
}
static bool keep_not_nonspacing(uint32_t cp)
{
    return tok_uni_gc_old(tok_uni_gc8, tok_uni_gc8_n, cp) != TOK_GC_Mn;
}

/* BertNormalizer's clean_text: drop NUL, U+FFFD and control characters (unicode_categories'
 * is_other, Unicode 8.0: Cc, Cf, Co, Cs -- not unassigned code points; but tab, newline, CR);
 * whitespace becomes a space. */
static bool bert_keep(uint32_t cp)
{
    if (cp == 0 || cp == 0xFFFD)
        return false;
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return true;
    unsigned gc = tok_uni_gc_old(tok_uni_gc8, tok_uni_gc8_n, cp);
    return !(gc == TOK_GC_Cc || gc == TOK_GC_Cf || gc == TOK_GC_Co || gc == TOK_GC_Cs);
}
static uint32_t bert_map(uint32_t cp) { return cp == '\t' || cp == '\n' || cp == '\r' || is_white(cp) ? ' ' : cp; }

static bool nmt_keep(uint32_t c)
{
    return !((c >= 0x1 && c <= 0x8) || c == 0xB || (c >= 0xE && c <= 0x1F) || c == 0x7F ||
             c == 0x8F || c == 0x9F);
}
static uint32_t nmt_map(uint32_t c)
{
    switch (c) {
    case 0x9: case 0xA: case 0xC: case 0xD: case 0x1680: case 0x2028: case 0x2029:
    case 0x2581: case 0xFEFF: case 0xFFFD:
        return ' ';
    }
    return c >= 0x200B && c <= 0x200F ? ' ' : c;
}

static bool is_cjk(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* ---- the normalizers ---- */

static bool lowercase(const hf_splits *in, size_t i, hf_splits *out)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    hf_tx t;
    begin(&t, in, i, out, 0);
    for (size_t k = 0; k < sp->len;) {
        size_t r = 0; /* ASCII that is not upper case stays: copied as a run */
        while (k + r < sp->len && s[k + r] < 0x80 && !(s[k + r] >= 'A' && s[k + r] <= 'Z'))
            r++;
        if (r) {
            if (!hf_tx_copy(&t, r))
                return false;
            k += r;
            continue;
        }
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl), lo[2];
        k += cl;
        int nl = tok_uni_lower(cp, lo);
        for (int j = 0; j < nl; j++)
            if (!hf_tx_push(&t, lo[j], j > 0))
                return false;
    }
    return end(&t, in, i);
}

/* lrstrip: leading whitespace becomes the initial offset, trailing whitespace is left out. */
static bool strip(const hf_splits *in, size_t i, hf_splits *out, bool left, bool right)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len, lead = 0, lead_bytes = 0, trail_start = n;
    if (left)
        while (lead_bytes < n) {
            unsigned cl;
            uint32_t cp = tok_utf8_decode(s + lead_bytes, &cl);
            if (!is_white(cp))
                break;
            lead_bytes += cl;
            lead++;
        }
    if (right) { /* scan back over whole characters */
        size_t k = n;
        while (k > lead_bytes) {
            size_t b = k - 1;
            while (b > 0 && (s[b] & 0xC0) == 0x80)
                b--;
            unsigned cl;
            if (!is_white(tok_utf8_decode(s + b, &cl)))
                break;
            k = b;
        }
        trail_start = k;
    }
    if (lead == 0 && trail_start == n)
        return copy(in, i, out);
    hf_tx t;
    begin(&t, in, i, out, lead);
    if (trail_start > lead_bytes && !hf_tx_copy(&t, trail_start - lead_bytes))
        return false;
    return end(&t, in, i);
}

static bool chinese(const hf_splits *in, size_t i, hf_splits *out)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    hf_tx t;
    begin(&t, in, i, out, 0);
    for (size_t k = 0; k < sp->len;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + k, &cl);
        k += cl;
        bool ok = is_cjk(cp) ? hf_tx_push(&t, ' ', 0) && hf_tx_push(&t, cp, 1) &&
                                   hf_tx_push(&t, ' ', 1)
                             : hf_tx_copy(&t, cl);
        if (!ok)
            return false;
    }
    return end(&t, in, i);
}

static bool prepend(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    const hf_split *sp = &in->v[i];
    if (sp->len == 0 || nm->content_len == 0)
        return copy(in, i, out);
    const uint8_t *s = in->text + sp->off, *p = (const uint8_t *)nm->content;
    unsigned cl;
    uint32_t first = tok_utf8_decode(s, &cl);
    hf_tx t;
    begin(&t, in, i, out, 0);
    /* the prefix's first character replaces the text's first, the rest and that first
     * character follow as insertions */
    size_t k = 0;
    for (int j = 0; k < nm->content_len; j++) {
        unsigned pl;
        uint32_t cp = tok_utf8_decode(p + k, &pl);
        k += pl;
        if (!hf_tx_push(&t, cp, j > 0))
            return false;
    }
    if (!hf_tx_push(&t, first, 1) || !hf_tx_copy(&t, sp->len - cl))
        return false;
    return end(&t, in, i);
}

/* The next run of nm->run_byte at least nm->run_min long, whole (hf_norm.run_min). */
static bool run_next(const hf_norm *nm, const uint8_t *s, size_t n, size_t at, size_t *ms,
                     size_t *me)
{
    while (at < n) {
        const uint8_t *p = tok_memchr(s + at, nm->run_byte, n - at);
        if (!p)
            return false;
        size_t a = (size_t)(p - s), b = a + 1;
        while (b < n && s[b] == nm->run_byte)
            b++;
        if (b - a >= nm->run_min) {
            *ms = a;
            *me = b;
            return true;
        }
        at = b;
    }
    return false;
}

static bool literal_next(const hf_norm *nm, const uint8_t *s, size_t n, size_t at, size_t *ms,
                         size_t *me)
{
    const uint8_t *p = tok_find(s + at, n - at, (const uint8_t *)nm->pattern, nm->pattern_len);
    if (!p)
        return false;
    *ms = (size_t)(p - s);
    *me = *ms + nm->pattern_len;
    return true;
}

/* NormalizedString::replace: every match becomes content, inserted (+1) after the matched text
 * is consumed, so it aligns with the match's last byte. */
static bool replace(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    if (n == 0)
        return copy(in, i, out);
    hf_tx t;
    begin(&t, in, i, out, 0);
    /* a one-byte String pattern without alignments (Gemma's, Mistral's and Llama 2's " " ->
     * U+2581): one pass, not a copy and an insertion per space */
    if (!out->track && nm->literal && nm->pattern_len == 1)
        return hf_splits_put_replacing(out, s, n, (uint8_t)nm->pattern[0],
                                       (const uint8_t *)nm->content, nm->content_len, false,
                                       NULL) &&
               end(&t, in, i);
    size_t at = 0;
    tok_match_iter it;
    bool by_regex = !nm->literal && !nm->run_min;
    if (by_regex)
        tok_match_begin(&it, nm->regex, s, n);
    else
        it.failed = false;
    size_t ms, me;
    /* a String pattern matches where its bytes are, leftmost first and not overlapping, as the
     * escaped pattern would (Mistral's and Llama 2's " " -> U+2581: no regex engine per space);
     * so does "c{m,}" at runs of c (T5's " {2,}") */
    while (by_regex    ? tok_match_next(&it, &ms, &me)
           : nm->run_min ? run_next(nm, s, n, at, &ms, &me)
                         : literal_next(nm, s, n, at, &ms, &me)) {
        if (ms > at && !hf_tx_copy(&t, ms - at))
            return false;
        hf_tx_skip(&t, me - ms);
        if (!hf_tx_insert(&t, (const uint8_t *)nm->content, nm->content_len))
            return false;
        at = me;
    }
    if (it.failed)
        return false;
    if (n > at && !hf_tx_copy(&t, n - at))
        return false;
    return end(&t, in, i);
}

bool hf_normalize(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    switch (nm->kind) {
    case HF_NFC: return unicode_form(in, i, out, false, true);
    case HF_NFD: return unicode_form(in, i, out, false, false);
    case HF_NFKC: return unicode_form(in, i, out, true, true);
    case HF_NFKD: return unicode_form(in, i, out, true, false);
    case HF_LOWERCASE: return lowercase(in, i, out);
    case HF_STRIP: return strip(in, i, out, nm->left, nm->right);
    case HF_STRIP_ACCENTS: return filter(in, i, out, keep_not_mark, NULL);
    case HF_FILTER_NONSPACING: return filter(in, i, out, keep_not_nonspacing, NULL);
    case HF_BERT_CLEAN: return filter(in, i, out, bert_keep, bert_map);
    case HF_BERT_CHINESE: return chinese(in, i, out);
    case HF_NMT: return filter(in, i, out, nmt_keep, nmt_map);
    case HF_REPLACE: return replace(nm, in, i, out);
    case HF_PREPEND: return prepend(nm, in, i, out);
    case HF_PRECOMPILED: return hf_precompiled(nm, in, i, out);
    case HF_BYTELEVEL_NORM: /* byte-level text is kept as its raw bytes */
        return copy(in, i, out);
    }
    return copy(in, i, out);
}

/* Prepend p then the one-byte Replace r, without alignments, when p's content is r's and has
 * no byte r replaces: Replace leaves the prefix as it is, so the two are the replaced text after
 * the prefix (hf_splits_put_replacing's front). */
static bool fuses(const hf_norm *p, const hf_norm *r, const hf_splits *out)
{
    return p->kind == HF_PREPEND && r->kind == HF_REPLACE && !out->track && r->literal &&
           r->pattern_len == 1 && p->content_len == r->content_len && p->content_len &&
           memcmp(p->content, r->content, p->content_len) == 0 &&
           !memchr(p->content, (uint8_t)r->pattern[0], p->content_len);
}

size_t hf_normalize_next(const hf_norm *norms, size_t n, const hf_splits *in, size_t i,
                         hf_splits *out)
{
    const hf_split *sp = &in->v[i];
    if (n >= 2 && sp->len && fuses(&norms[0], &norms[1], out)) {
        hf_tx t;
        begin(&t, in, i, out, 0);
        return hf_splits_put_replacing(out, in->text + sp->off, sp->len,
                                       (uint8_t)norms[1].pattern[0],
                                       (const uint8_t *)norms[1].content, norms[1].content_len,
                                       true, NULL) &&
                       end(&t, in, i)
                   ? 2
                   : 0;
    }
    return hf_normalize(&norms[0], in, i, out) ? 1 : 0;
}

char *hf_normalize_string(const hf_pipeline *hp, const char *s, size_t n, size_t *out_len)
{
    hf_splits x, y;
    hf_splits_init(&x, false);
    hf_splits_init(&y, false);
    char *r = NULL;
    bool ok = hf_splits_add(&x, (const uint8_t *)s, n, NULL, NULL, 0, TOK_NO_ID, 0, (uint32_t)n);
    for (size_t k = 0, d = 0; ok && k < hp->n_norms; k += d) {
        hf_splits_reset(&y);
        ok = (d = hf_normalize_next(hp->norms + k, hp->n_norms - k, &x, 0, &y)) != 0;
        hf_splits t = x;
        x = y;
        y = t;
    }
    if (ok && (r = malloc(x.v[0].len + 1))) {
        memcpy(r, x.text + x.v[0].off, x.v[0].len);
        r[x.v[0].len] = 0;
        *out_len = x.v[0].len;
    }
    hf_splits_free(&x);
    hf_splits_free(&y);
    return r;
}
