/* bpe_chars: character-level BPE (tokenizer.json Metaspace models, SentencePiece .model BPE) on
 * the rank core, which is tiktoken's BPE over bytes. The format decides whether its merge rule
 * is tiktoken's over the tokens in some order (formats/hf/models/bpe_ranks.c,
 * formats/spm/bpe_model.c: each states its conditions and checks them through the callback);
 * this file builds the renumbered vocabulary both use and encodes with it.
 *
 * The renumbering:
 *   A: the 256 bytes, then every proper prefix (2 or 3 bytes) of a character token, then the
 *      character tokens -- in that order, so each is made from two of lower rank;
 *   B: the tokens of two or more characters, in the caller's order.
 * On text whose every character is a token, tiktoken's merge over it first completes every
 * character: a part of an unfinished character joins nothing but the next byte of that
 * character (no token holds part of a character but a byte or a prefix of that one character),
 * and that join ranks below every B token, so all of them come before any B merge. From there
 * it holds the initial symbols of a character-level BPE, and merges B tokens by rank, the
 * leftmost first among equal ranks. Lemma (formats/hf/models/bpe_ranks.c): whenever two
 * adjacent parts l, r form a token c in that run, (l, r) is c's true split (what BPE of bytes(c)
 * alone joins last, algo/bpe_verify.c) -- so each B token has one pair that can make it, which
 * the callback gets to judge. */
#include "algo/algo.h"
#include "text/text.h"

#include <stdint.h>
#include <string.h>

void tok_char_rank_free(tok_char_rank *z)
{
    if (!z->in_place) {
        if (z->to_model)
            tok_vocab_free(&z->v);
        free((void *)(uintptr_t)z->to_model);
        free((void *)(uintptr_t)z->short_anom);
        free(z->split);
    }
    memset(z, 0, sizeof *z);
}

/* Is p[0..len) (len >= 1) exactly one UTF-8 character? Read from its first byte alone, as
 * tok_utf8_decode measures it, so a packed vocabulary's token is not read past its end. */
static bool one_char(const uint8_t *p, uint32_t len)
{
    uint8_t c = p[0];
    return len == (c < 0x80 ? 1u : c < 0xE0 ? 2u : c < 0xF0 ? 3u : 4u);
}

typedef struct part_ref {
    const uint8_t *p;
    uint32_t len;
} part_ref;

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int by_len_bytes(const void *a, const void *b)
{
    const part_ref *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->p, y->p, x->len);
}

/* The renumbered vocabulary into z->v and z->to_model: 0; -1 when mv is no character-level
 * vocabulary (a lone byte >= 0x80 as a token); -2 when out of memory. */
static int renumber(tok_char_rank *z, const tok_vocab *mv, const uint8_t *keep,
                     const uint32_t *key)
{
    uint32_t n = mv->n_ids;
    static const uint8_t all_bytes[256] = {
#define B4(x) x, x + 1, x + 2, x + 3
#define B16(x) B4(x), B4(x + 4), B4(x + 8), B4(x + 12)
#define B64(x) B16(x), B16(x + 16), B16(x + 32), B16(x + 48)
        B64(0), B64(64), B64(128), B64(192)
#undef B4
#undef B16
#undef B64
    };
    /* classify: chars (one character, 2+ bytes), multi (2+ characters); ids left out by the
     * caller or that do not find themselves (no bytes, decoding only) are out */
    size_t n_chars = 0, n_multi = 0, n_parts = 0;
    part_ref *parts = malloc(((size_t)n * 2 + 1) * sizeof *parts);
    uint8_t *kind = calloc((size_t)n + 1, 1); /* 0 out, 1 single byte, 2 char, 3 multi */
    bool ok = parts && kind;
    for (uint32_t id = 0; ok && id < n; id++) {
        uint32_t len = tok_vocab_len(mv, id);
        const uint8_t *p = mv->bytes + mv->off[id];
        if ((keep && !keep[id]) || !len ||
            (len == 1 ? mv->byte1[p[0]] : tok_vocab_find(mv, p, len)) != id)
            continue;
        if (len == 1) {
            if (p[0] >= 0x80) { /* a lone byte as a token: not a character-level vocabulary */
                free(parts), free(kind);
                return -1;
            }
            kind[id] = 1;
        } else if (one_char(p, len)) {
            kind[id] = 2;
            n_chars++;
            for (uint32_t k = 2; k < len; k++)
                parts[n_parts++] = (part_ref){p, k};
        } else {
            kind[id] = 3;
            n_multi++;
        }
    }
    size_t n_uniq = 0;
    if (ok) {
        qsort(parts, n_parts, sizeof *parts, by_len_bytes);
        for (size_t i = 0; i < n_parts; i++)
            if (!n_uniq || by_len_bytes(&parts[n_uniq - 1], &parts[i]) != 0)
                parts[n_uniq++] = parts[i];
    }
    size_t total = 256 + n_uniq + n_chars + n_multi;
    const uint8_t **toks = ok ? malloc(total * sizeof *toks) : NULL;
    uint32_t *lens = ok ? malloc(total * sizeof *lens) : NULL;
    uint32_t *ids = ok ? malloc(total * sizeof *ids) : NULL;
    uint32_t *to_model = ok ? malloc(total * sizeof *to_model) : NULL;
    ok = ok && toks && lens && ids && to_model;
    bool too_many = total >= TOK_NO_ID;
    ok = ok && !too_many;
    size_t k = 0;
    if (ok) {
        for (int b = 0; b < 256; b++, k++) {
            toks[k] = all_bytes + b;
            lens[k] = 1;
            ids[k] = (uint32_t)k;
            to_model[k] = b < 0x80 ? mv->byte1[b] : TOK_NO_ID;
            if (to_model[k] != TOK_NO_ID && kind[to_model[k]] != 1)
                to_model[k] = TOK_NO_ID;
        }
        for (size_t i = 0; i < n_uniq; i++, k++) {
            toks[k] = parts[i].p;
            lens[k] = parts[i].len;
            ids[k] = (uint32_t)k;
            to_model[k] = TOK_NO_ID;
        }
        for (uint32_t id = 0; id < n; id++)
            if (kind[id] == 2) {
                toks[k] = mv->bytes + mv->off[id];
                lens[k] = tok_vocab_len(mv, id);
                ids[k] = (uint32_t)k;
                to_model[k] = id;
                k++;
            }
        z->first_multi = (uint32_t)k;
        uint64_t *order = malloc((n_multi + 1) * sizeof *order);
        ok = order != NULL;
        size_t nb = 0;
        for (uint32_t id = 0; ok && id < n; id++)
            if (kind[id] == 3)
                order[nb++] = (uint64_t)key[id] << 32 | id;
        if (ok) {
            qsort(order, nb, sizeof *order, by_u64);
            for (size_t i = 0; i < nb; i++, k++) {
                uint32_t id = (uint32_t)order[i];
                toks[k] = mv->bytes + mv->off[id];
                lens[k] = tok_vocab_len(mv, id);
                ids[k] = (uint32_t)k;
                to_model[k] = id;
            }
        }
        free(order);
    }
    size_t dup;
    int built = ok ? tok_vocab_build(&z->v, k, toks, lens, ids, &dup) : -2;
    free(toks), free(lens), free(ids), free(parts), free(kind);
    if (built != 0) {
        free(to_model);
        /* out of memory is told apart: a caller may have to say so (tok_pack) */
        return built == -2 && !too_many ? -2 : -1;
    }
    z->to_model = to_model;
    return 0;
}

static void mark_ascii(tok_char_rank *z)
{
    for (uint32_t b = 0; b < 128; b++) {
        uint32_t id = z->v.byte1[b];
        z->ascii_fits[b] = id != TOK_NO_ID && z->to_model[id] != TOK_NO_ID && id < z->first_multi;
    }
}

int tok_char_rank_build(tok_char_rank *z, const tok_vocab *mv, const uint8_t *keep,
                        const uint32_t *key, tok_char_rank_check check, void *ctx,
                        bool keep_split)
{
    memset(z, 0, sizeof *z);
    int ret = renumber(z, mv, keep, key);
    if (ret != 0)
        return ret;
    uint32_t nv = z->v.n_ids;
    uint32_t *split = malloc((size_t)nv * 2 * sizeof *split);
    ret = split && tok_bpe_true_splits(&z->v, NULL, split) == TOK_OK ? 0 : -2;
    for (uint32_t c = 0; ret == 0 && c < nv; c++) {
        uint32_t l = split[2 * c], r = split[2 * c + 1];
        if (c < z->first_multi) { /* every byte, part and character must be made (above) */
            if (l == TOK_NO_ID)
                ret = -1;
            continue;
        }
        if (l == TOK_NO_ID) /* no merge makes it: taken only whole, which this path never does */
            continue;
        if (!check(ctx, z->to_model[c], z->to_model[l], z->to_model[r]))
            ret = -1;
    }
    /* Gemma 3 has two short tokens made last from a later one ("\n\n\n", "\t\t\t"): texts
     * holding them keep the format's own merge. The splits just checked are the tables' truth,
     * which the tables take over (a copy when the caller keeps them). */
    uint32_t *truth = NULL, *short_anom = NULL;
    if (ret == 0 && keep_split) {
        truth = malloc((size_t)nv * 2 * sizeof *truth);
        if (truth)
            memcpy(truth, split, (size_t)nv * 2 * sizeof *truth);
        else
            ret = -2;
    } else if (ret == 0) {
        truth = split;
        split = NULL;
    }
    if (ret == 0 && tok_bpe_tables_add_known(&z->v, truth, &short_anom, &z->n_short) == -2)
        ret = -2;
    z->short_anom = short_anom;
    if (ret == 0 && keep_split)
        z->split = split;
    else
        free(split);
    if (ret != 0)
        tok_char_rank_free(z);
    else
        mark_ascii(z);
    return ret;
}

int tok_char_rank_view(tok_char_rank *z, const void *vocab, size_t vocab_len,
                       const uint32_t *to_model, size_t n_to_model, const uint32_t *short_anom,
                       size_t n_short, uint32_t n_model)
{
    memset(z, 0, sizeof *z);
    tok_vocab v;
    if (!vocab || !to_model || tok_vocab_view_checked(&v, vocab, vocab_len) != 0 ||
        n_to_model != v.n_ids || n_short > UINT32_MAX)
        return -1;
    size_t bad = 0; /* branch-free: the map is read whole (a megabyte for Gemma 3) */
    for (size_t i = 0; i < n_to_model; i++)
        bad += to_model[i] != TOK_NO_ID && to_model[i] >= n_model;
    for (size_t i = 0; i < n_short; i++)
        bad += short_anom[i] >= v.n_ids;
    if (bad)
        return -1;
    /* first_multi as renumber set it: bytes, parts (no model token) and characters come first */
    uint32_t first = v.n_ids < 256 ? v.n_ids : 256;
    for (; first < v.n_ids; first++) {
        uint32_t len = tok_vocab_len(&v, first);
        if (to_model[first] != TOK_NO_ID && !(len && one_char(v.bytes + v.off[first], len)))
            break;
    }
    z->v = v;
    z->to_model = to_model;
    z->first_multi = first;
    z->short_anom = n_short ? short_anom : NULL;
    z->n_short = (uint32_t)n_short;
    z->in_place = true;
    mark_ascii(z);
    return 0;
}

bool tok_char_rank_fits(const tok_char_rank *z, const uint8_t *s, size_t n)
{
    const tok_vocab *v = &z->v;
    uint64_t low = 0; /* the bytes below 64 the text holds (a short token's lead: below) */
    for (size_t i = 0; i < n;) { /* every character a token: the initial symbols */
        if (s[i] < 0x80) {
            if (!z->ascii_fits[s[i]])
                return false;
            low |= (uint64_t)(s[i] < 64) << (s[i] & 63);
            i++;
            continue;
        }
        unsigned cl = 1;
        tok_utf8_decode(s + i, &cl);
        if (cl > n - i)
            return false;
        low |= (uint64_t)(s[i] < 64) << (s[i] & 63);
        if (i >= cl && tok_same_char(s + i, s + i - cl, cl)) { /* the one before again: it
                                                                 * passed, and its copies */
            i = tok_run_end(s, i + cl, n, cl);
            continue;
        }
        uint32_t id = cl == 1 ? v->byte1[s[i]] : tok_vocab_find(v, s + i, cl);
        if (id == TOK_NO_ID || z->to_model[id] == TOK_NO_ID || id >= z->first_multi)
            return false;
        i += cl;
    }
    /* without the linear encoder (no tables, or a token they leave out in the text) the rank
     * core would merge bytes with a heap: the format's own merge over characters does less */
    if (!v->split || (v->n_anom && tok_bpe_piece_has_anom(v, s, n)))
        return false;
    /* Gemma 3's are runs of newlines and tabs: a text without their lead byte (most words)
     * needs no search */
    for (uint32_t k = 0; k < z->n_short; k++) {
        const uint8_t *a = v->bytes + v->off[z->short_anom[k]];
        uint32_t len = tok_vocab_len(v, z->short_anom[k]);
        if (len && a[0] < 64 && !(low >> a[0] & 1))
            continue;
        if (memmem(s, n, a, len))
            return false;
    }
    return true;
}

int tok_char_rank_encode(const tok_char_rank *z, const uint8_t *s, size_t n, tok_scratch *sc,
                         tok_bpe_view *w)
{
    if (!tok_bpe_rank_parts_view(&z->v, s, n, sc, w))
        return -1;
    uint32_t len;
    for (size_t k = 0, at = 0; k < w->m; k++, at += len) {
        /* a byte or part of a character left over cannot be (nor, but in a damaged pack, a
         * part whose id is not found again) */
        uint32_t id = tok_bpe_view_id(&z->v, w, k, s + at, &len);
        if (id == TOK_NO_ID || z->to_model[id] == TOK_NO_ID)
            return 0;
    }
    return 1;
}
