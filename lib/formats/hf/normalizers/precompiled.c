/* precompiled: tokenizer.json's Precompiled normalizer (normalizers/precompiled.rs with the
 * spm_precompiled crate) on the charsmap of algo/charsmap.h.
 *
 * The text is cut into extended grapheme clusters (utf8proc); a cluster under 6 bytes is
 * replaced whole when a rule matches a prefix of it -- the first, shortest rule, not the
 * longest -- else each character is looked up on its own. Alignments follow the transformations
 * HF builds, including a removal that shortens the previous entry. */
#include "algo/charsmap.h"
#include "formats/hf/load/load.h"

#include <string.h>
#include <utf8proc.h>

tok_status hf_load_charsmap(hf_load *ld, uint32_t node, void **charsmap)
{
    *charsmap = NULL;
    char *text = NULL;
    size_t len = 0;
    tok_status st = hf_get_string(ld, node, "precompiled_charsmap", true, &text, &len);
    if (st != TOK_OK)
        return st;
    uint8_t *blob = malloc(len / 4 * 3 + 4);
    tok_charsmap *cm = calloc(1, sizeof *cm);
    if (!blob || !cm) {
        free(text), free(blob), free(cm);
        return hf_fail(ld, TOK_ENOMEM, node, "out of memory");
    }
    size_t bl = tok_base64_decode((const uint8_t *)text, len, blob, true);
    free(text);
    size_t was = hf_path_push(ld, "precompiled_charsmap");
    if (bl == SIZE_MAX) {
        st = hf_fail(ld, TOK_EFORMAT, json_get(ld->doc, node, "precompiled_charsmap"),
                     "invalid base64");
    } else {
        char why[300];
        size_t at;
        st = tok_charsmap_init(cm, blob, bl, true, why, sizeof why, &at);
        if (st != TOK_OK)
            st = hf_fail(ld, st, json_get(ld->doc, node, "precompiled_charsmap"), "%s", why);
    }
    hf_path_pop(ld, was);
    free(blob);
    if (st != TOK_OK) {
        free(cm);
        return st;
    }
    *charsmap = cm;
    return TOK_OK;
}

void hf_charsmap_free(void *c)
{
    if (c)
        tok_charsmap_free(c);
    free(c);
}

/* HF builds the whole list of (character, change) pairs before applying it; the only entry a
 * later step changes is the last one (a removal is charged to it), so the list here holds a
 * block and goes to the transformation (hf_tx) while the last entry waits: memory stays a block
 * whatever the text's length. The transformation starts at the first change: a text no rule
 * touches is copied. */
#define TX_BLOCK 1024
/* An entry of characters the rules leave as they are, copied from the input in one go
 * (hf_tx_copy): change holds their bytes, src where they start. Never the last entry
 * (tx_settle). */
#define TX_COPY UINT32_MAX

typedef struct tx_list {
    uint32_t cp[TX_BLOCK];
    int change[TX_BLOCK];
    size_t src[TX_BLOCK];
    size_t n;
    hf_tx t;
    bool ok;
    const uint8_t *s;
    size_t kept_from, kept_to; /* s[kept_from..kept_to): unchanged, not yet entered */
} tx_list;

/* A copy entry: in one go when the input stands where its characters are; else (a deletion at
 * the start of the text was charged to no entry, and the input lags behind the output) as
 * characters, each taking the next input character's place, as hf_tx_push does. */
static bool tx_copy(tx_list *l, size_t src, size_t len)
{
    if (l->t.in_pos == src)
        return hf_tx_copy(&l->t, len);
    bool ok = true;
    for (size_t i = src; ok && i < src + len;) {
        unsigned cl;
        ok = hf_tx_push(&l->t, tok_utf8_decode(l->s + i, &cl), 0);
        i += cl;
    }
    return ok;
}

static void tx_flush(tx_list *l, size_t keep)
{
    size_t k = 0;
    for (; l->ok && k + keep < l->n; k++)
        l->ok = l->cp[k] == TX_COPY ? tx_copy(l, l->src[k], (size_t)l->change[k])
                                    : hf_tx_push(&l->t, l->cp[k], l->change[k]);
    memmove(l->cp, l->cp + k, (l->n - k) * sizeof *l->cp);
    memmove(l->src, l->src + k, (l->n - k) * sizeof *l->src);
    memmove(l->change, l->change + k, (l->n - k) * sizeof *l->change);
    l->n -= k;
}

static void tx_entry(tx_list *l, uint32_t cp, int change, size_t src)
{
    if (l->n == TX_BLOCK)
        tx_flush(l, 1);
    l->cp[l->n] = cp;
    l->src[l->n] = src;
    l->change[l->n++] = change;
}

/* The unchanged characters held back (tx_keep) as entries: all but the last in one copy, the
 * last alone, since a replacement that shrinks the text charges the last entry. */
static void tx_settle(tx_list *l)
{
    size_t a = l->kept_from, b = l->kept_to;
    if (a == b)
        return;
    size_t last = b - 1;
    while (last > a && (l->s[last] & 0xC0) == 0x80)
        last--;
    if (last > a)
        tx_entry(l, TX_COPY, (int)(last - a), a);
    unsigned cl;
    tx_entry(l, tok_utf8_decode(l->s + last, &cl), 0, 0);
    l->kept_from = l->kept_to = b;
}

/* s[a..b) stays as it is: held back while the unchanged text runs on. */
static void tx_keep(tx_list *l, size_t a, size_t b)
{
    if (a != l->kept_to || b - l->kept_from > (size_t)INT32_MAX / 2)
        tx_settle(l);
    if (l->kept_from == l->kept_to)
        l->kept_from = a;
    l->kept_to = b;
}

static void tx_add(tx_list *l, uint32_t cp, int change)
{
    tx_settle(l);
    tx_entry(l, cp, change, 0);
}

static size_t count_chars(const uint8_t *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (s[i] & 0xC0) != 0x80;
    return c;
}

/* HF's replace(): the new characters (change 0); growth marks the last ones as insertions,
 * shrinking is charged to the last entry, whichever it is. */
static void tx_replace(tx_list *l, const uint8_t *old, size_t old_len, const uint8_t *rep,
                       size_t rep_len)
{
    tx_settle(l);
    size_t nr = count_chars(rep, rep_len);
    long diff = (long)nr - (long)count_chars(old, old_len);
    size_t j = 0;
    for (size_t i = 0; i < rep_len; j++) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(rep + i, &cl);
        tx_add(l, cp, diff > 0 && j + (size_t)diff >= nr ? 1 : 0);
        i += cl;
    }
    if (diff < 0 && l->n)
        l->change[l->n - 1] += (int)diff;
}

bool hf_precompiled(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    const tok_charsmap *cm = nm->charsmap;
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    tx_list *lp = NULL; /* from the first change on */
    const uint8_t *rep;
    size_t rl;
    utf8proc_int32_t state = 0;
    bool ok = true;
    /* ASCII characters' own rules, looked up once a call (-1: not yet) */
    int8_t amatch[128];
    const uint8_t *arep[128];
    size_t arl[128];
    memset(amatch, -1, sizeof amatch);
    for (size_t g = 0; ok && g < n;) {
        if (!lp) { /* no change yet: ASCII characters before ASCII (not CR) whose own rule is
                    * known to be none stay, passed over in a tight loop */
            size_t g0 = g;
            /* eight printable ASCII bytes at a time when none is a rule alone: the first
             * seven are each followed by printable ASCII, so each is a cluster that stays */
            while (cm->printable_alone && g + 8 <= n && tok_ascii8_printable(s + g))
                g += 7;
            while (g + 1 < n && s[g] < 0x80 && s[g + 1] < 0x80 && s[g] != '\r' && !amatch[s[g]])
                g++;
            if (g > g0)
                state = 0;
        }
        unsigned cl = 1;
        size_t e;
        bool whole;
        if (s[g] < 0x80 && (g + 1 == n || (s[g + 1] < 0x80 && !(s[g] == '\r' && s[g + 1] == '\n')))) {
            /* an ASCII character before another (not CR LF) is a cluster of its own; the
             * cluster state after it is its own class, which a zero state recomputes */
            uint8_t c = s[g];
            if (amatch[c] < 0)
                amatch[c] = (int8_t)tok_charsmap_match(cm, s + g, 1, true, &arep[c], &arl[c]);
            state = 0;
            e = g + 1;
            whole = amatch[c];
            rep = arep[c];
            rl = arl[c];
            if (!whole) {
                if (lp)
                    tx_keep(lp, g, e);
                g = e;
                continue;
            }
        } else {
            /* the extended grapheme cluster starting at g */
            uint32_t prev = tok_utf8_decode(s + g, &cl);
            e = g + cl;
            while (e < n) {
                uint32_t cp = tok_utf8_decode(s + e, &cl);
                if (utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)cp,
                                                     &state))
                    break;
                prev = cp;
                e += cl;
            }
            whole = e - g < 6 && tok_charsmap_match(cm, s + g, e - g, true, &rep, &rl);
        }
        if (!lp) {
            bool any = whole;
            for (size_t c = g; !any && c < e; c += cl) {
                tok_utf8_decode(s + c, &cl);
                any = tok_charsmap_match(cm, s + c, cl, true, &rep, &rl);
            }
            if (!any) {
                g = e;
                continue;
            }
            /* the first change: the text before it goes in unchanged */
            lp = malloc(sizeof *lp);
            if (!lp)
                return false;
            lp->n = 0;
            lp->ok = true;
            lp->s = s;
            lp->kept_from = lp->kept_to = 0;
            hf_tx_begin(&lp->t, out, s, in->track ? in->a0 + sp->off : NULL,
                        in->track ? in->a1 + sp->off : NULL, n, 0, sp->orig0);
            tx_keep(lp, 0, g);
            if (whole) /* the lookup above moved rep; find the whole cluster's again */
                tok_charsmap_match(cm, s + g, e - g, true, &rep, &rl);
        }
        if (whole) {
            tx_replace(lp, s + g, e - g, rep, rl);
        } else {
            for (size_t c = g; c < e;) {
                tok_utf8_decode(s + c, &cl);
                if (tok_charsmap_match(cm, s + c, cl, true, &rep, &rl))
                    tx_replace(lp, s + c, cl, rep, rl);
                else
                    tx_keep(lp, c, c + cl);
                c += cl;
            }
        }
        ok = lp->ok;
        g = e;
    }
    if (!lp)
        return hf_splits_copy(out, in, i);
    tx_settle(lp);
    tx_flush(lp, 0);
    ok = lp->ok && hf_tx_end(&lp->t, sp->token, sp->orig0, sp->orig1);
    free(lp);
    return ok;

}
