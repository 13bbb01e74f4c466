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

typedef struct tx_list {
    uint32_t *cp;
    int *change;
    size_t n, cap;
    bool oom;
} tx_list;

static void tx_add(tx_list *l, uint32_t cp)
{
    if (l->n == l->cap) {
        size_t cap = tok_grow_cap(l->cap, l->n + 1, 256);
        if (!cap || !tok_realloc(&l->cp, cap, sizeof *l->cp) ||
            !tok_realloc(&l->change, cap, sizeof *l->change)) {
            l->oom = true;
            return;
        }
        l->cap = cap;
    }
    l->cp[l->n] = cp;
    l->change[l->n++] = 0;
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
    long diff = (long)count_chars(rep, rep_len) - (long)count_chars(old, old_len);
    for (size_t i = 0; i < rep_len;) {
        unsigned cl;
        tx_add(l, tok_utf8_decode(rep + i, &cl));
        i += cl;
    }
    if (diff > 0)
        for (size_t k = 0; k < (size_t)diff && k < l->n; k++)
            l->change[l->n - 1 - k] = 1;
    else if (diff < 0 && l->n)
        l->change[l->n - 1] += (int)diff;
}

bool hf_precompiled(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out)
{
    const tok_charsmap *cm = nm->charsmap;
    const hf_split *sp = &in->v[i];
    const uint8_t *s = in->text + sp->off;
    size_t n = sp->len;
    tx_list l = {0};
    bool modified = false;
    const uint8_t *rep;
    size_t rl;
    utf8proc_int32_t state = 0;
    for (size_t g = 0; g < n;) {
        /* the extended grapheme cluster starting at g */
        unsigned cl;
        uint32_t prev = tok_utf8_decode(s + g, &cl);
        size_t e = g + cl;
        while (e < n) {
            uint32_t cp = tok_utf8_decode(s + e, &cl);
            if (utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)cp,
                                                 &state))
                break;
            prev = cp;
            e += cl;
        }
        if (e - g < 6 && tok_charsmap_match(cm, s + g, e - g, true, &rep, &rl)) {
            modified = true;
            tx_replace(&l, s + g, e - g, rep, rl);
        } else {
            for (size_t c = g; c < e;) {
                uint32_t cp = tok_utf8_decode(s + c, &cl);
                if (tok_charsmap_match(cm, s + c, cl, true, &rep, &rl)) {
                    modified = true;
                    tx_replace(&l, s + c, cl, rep, rl);
                } else {
                    tx_add(&l, cp);
                }
                c += cl;
            }
        }
        g = e;
    }
    bool ok = !l.oom;
    if (ok && !modified) {
        ok = hf_splits_copy(out, in, i);
    } else if (ok) {
        hf_tx t;
        hf_tx_begin(&t, out, s, in->track ? in->a0 + sp->off : NULL,
                    in->track ? in->a1 + sp->off : NULL, n, 0, sp->orig0);
        for (size_t k = 0; ok && k < l.n; k++)
            ok = hf_tx_push(&t, l.cp[k], l.change[k]);
        ok = ok && hf_tx_end(&t, sp->token, sp->orig0, sp->orig1);
    }
    free(l.cp);
    free(l.change);
    return ok;
}
