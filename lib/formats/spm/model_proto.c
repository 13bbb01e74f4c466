/* model_proto: SentencePiece .model files -> tokenizer.
 *
 * A .model file is a serialized ModelProto (sentencepiece_model.proto, proto2). This file reads
 * the protobuf wire format itself -- varints, fixed32/64, length-delimited fields and groups --
 * keeping only the fields encoding and decoding need, and accepts exactly what protobuf-lite
 * accepts: unknown fields are skipped, a known field with another wire type counts as unknown,
 * enum values outside the enum are ignored, repeated occurrences of a message merge. Anything
 * malformed (a truncated varint, a length past the end of its message, wire type 6 or 7, field
 * number 0, an unmatched group) is an error naming the byte offset and the field path.
 *
 * Then the checks of sentencepiece's ModelInterface::InitializePieces (empty or duplicate
 * pieces, no or two unknown pieces, byte pieces), and the pipeline: vocabulary and special
 * tokens, the pieces trie, the normalizer. Nothing here encodes (processor_encode.c does). */
#include "algo/word_cache.h"
#include "formats/spm/spm.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

/* ---- the wire format ---- */

typedef struct pb_in {
    const uint8_t *d;
    const char *source;
    tok_error *err;
    char where[200]; /* the field path being read: "pieces[12].score" */
    tok_status failed;
} pb_in;

typedef struct pb_field {
    uint32_t num;
    unsigned wt;
    uint64_t v;      /* varint, fixed32, fixed64 */
    size_t at;       /* the tag's offset */
    size_t off, len; /* length-delimited payload */
} pb_field;

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

__attribute__((format(printf, 3, 4))) static tok_status pb_fail(pb_in *in, size_t at,
                                                                 const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    in->failed = tok_fail(in->err, TOK_EFORMAT, in->source, at, "%s: byte %zu: %s%s%s", in->source,
                          at, what, in->where[0] ? " (in " : "", in->where[0] ? in->where : "");
    if (in->where[0] && in->err) {
        snprintf(in->err->where, sizeof in->err->where, "%s", in->where);
        size_t l = strlen(in->err->message);
        if (l + 1 < sizeof in->err->message) {
            in->err->message[l] = ')';
            in->err->message[l + 1] = 0;
        }
    }
    return in->failed;
}

static bool varint(const uint8_t *d, size_t *pos, size_t end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (*pos >= end)
            return false;
        uint8_t b = d[(*pos)++];
        if (shift < 64)
            x |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false; /* more than 10 bytes */
}

static bool read_tag(pb_in *in, size_t *pos, size_t end, uint32_t *num, unsigned *wt)
{
    size_t at = *pos;
    uint64_t tag;
    if (!varint(in->d, pos, end, &tag)) {
        pb_fail(in, at, *pos >= end ? "truncated field tag" : "field tag longer than 10 bytes");
        return false;
    }
    if (tag >> 3 == 0 || tag >> 3 > 0x1FFFFFFF) {
        pb_fail(in, at, "invalid field number %llu", (unsigned long long)(tag >> 3));
        return false;
    }
    *num = (uint32_t)(tag >> 3);
    *wt = (unsigned)(tag & 7);
    return true;
}

/* The value of a field whose tag was read; groups are skipped whole. */
static bool read_value(pb_in *in, size_t *pos, size_t end, pb_field *f, unsigned depth)
{
    const uint8_t *d = in->d;
    size_t at = *pos;
    switch (f->wt) {
    case WT_VARINT:
        if (!varint(d, pos, end, &f->v))
            return pb_fail(in, at, *pos >= end ? "truncated varint (field %u)"
                                               : "varint longer than 10 bytes (field %u)",
                           f->num),
                   false;
        return true;
    case WT_I64:
    case WT_I32: {
        size_t k = f->wt == WT_I64 ? 8 : 4;
        if (end - *pos < k)
            return pb_fail(in, at, "truncated %s value (field %u)",
                           k == 8 ? "fixed64" : "fixed32", f->num),
                   false;
        f->v = 0;
        for (size_t i = 0; i < k; i++)
            f->v |= (uint64_t)d[*pos + i] << (8 * i);
        *pos += k;
        return true;
    }
    case WT_LEN: {
        uint64_t len;
        if (!varint(d, pos, end, &len))
            return pb_fail(in, at, "truncated length (field %u)", f->num), false;
        if (len > end - *pos)
            return pb_fail(in, f->at, "field %u is %llu bytes long but only %zu bytes remain in "
                           "its message (which ends at byte %zu)", f->num,
                           (unsigned long long)len, end - *pos, end),
                   false;
        f->off = *pos;
        f->len = (size_t)len;
        *pos += (size_t)len;
        return true;
    }
    case WT_SGROUP:
        if (depth > 100)
            return pb_fail(in, f->at, "groups nested more than 100 deep"), false;
        for (;;) {
            pb_field g = {.at = *pos};
            if (*pos >= end)
                return pb_fail(in, f->at, "group (field %u) is not closed", f->num), false;
            if (!read_tag(in, pos, end, &g.num, &g.wt))
                return false;
            if (g.wt == WT_EGROUP) {
                if (g.num != f->num)
                    return pb_fail(in, g.at, "group %u closed as group %u", f->num, g.num), false;
                return true;
            }
            if (!read_value(in, pos, end, &g, depth + 1))
                return false;
        }
    case WT_EGROUP:
        return pb_fail(in, f->at, "end of group %u without its start", f->num), false;
    default:
        return pb_fail(in, f->at, "invalid wire type %u (field %u)", f->wt, f->num), false;
    }
}

/* The next field of the message ending at end: 1, 0 at the end, -1 on error. */
static int next_field(pb_in *in, size_t *pos, size_t end, pb_field *f)
{
    if (*pos >= end)
        return 0;
    f->at = *pos;
    if (!read_tag(in, pos, end, &f->num, &f->wt))
        return -1;
    return read_value(in, pos, end, f, 0) ? 1 : -1;
}

/* ---- the messages ---- */

typedef struct raw_piece {
    const uint8_t *p;
    uint32_t len;
    float score;
    uint8_t type;
    size_t at;
} raw_piece;

typedef struct str_field {
    const uint8_t *p;
    size_t len;
    bool has;
} str_field;

typedef struct trainer_spec {
    int model_type;
    bool byte_fallback, ws_suffix;
    str_field unk_piece, bos_piece, eos_piece, pad_piece, unk_surface;
} trainer_spec;

typedef struct norm_spec {
    bool has;
    str_field charsmap;
    size_t charsmap_at;
    bool add_dummy_prefix, remove_extra_ws, escape_ws;
} norm_spec;

typedef struct model_proto {
    raw_piece *pieces;
    size_t n, cap;
    trainer_spec tr;
    norm_spec norm, denorm;
} model_proto;

static void set_str(str_field *s, const pb_in *in, const pb_field *f)
{
    s->p = in->d + f->off;
    s->len = f->len;
    s->has = true;
}

static bool parse_piece(pb_in *in, const pb_field *outer, raw_piece *rp)
{
    size_t pos = outer->off, end = outer->off + outer->len;
    pb_field f;
    int r;
    while ((r = next_field(in, &pos, end, &f)) > 0) {
        if (f.num == 1 && f.wt == WT_LEN) {
            rp->p = in->d + f.off;
            if (f.len > UINT32_MAX / 2)
                return pb_fail(in, f.at, "piece of %zu bytes", f.len), false;
            rp->len = (uint32_t)f.len;
        } else if (f.num == 2 && f.wt == WT_I32) {
            uint32_t bits = (uint32_t)f.v;
            memcpy(&rp->score, &bits, 4);
        } else if (f.num == 3 && f.wt == WT_VARINT) {
            int32_t v = (int32_t)(uint32_t)f.v;
            if (v >= SPM_NORMAL && v <= SPM_BYTE) /* else an unknown enum value: ignored */
                rp->type = (uint8_t)v;
        }
    }
    return r == 0;
}

static bool parse_trainer(pb_in *in, const pb_field *outer, trainer_spec *tr)
{
    size_t pos = outer->off, end = outer->off + outer->len;
    pb_field f;
    int r;
    while ((r = next_field(in, &pos, end, &f)) > 0) {
        if (f.wt == WT_VARINT) {
            int32_t v = (int32_t)(uint32_t)f.v;
            switch (f.num) {
            case 3:
                if (v >= SPM_UNIGRAM && v <= SPM_CHAR)
                    tr->model_type = v;
                break;
            case 35: tr->byte_fallback = f.v != 0; break;
            case 24: tr->ws_suffix = f.v != 0; break;
            default: break;
            }
        } else if (f.wt == WT_LEN) {
            switch (f.num) {
            case 45: set_str(&tr->unk_piece, in, &f); break;
            case 46: set_str(&tr->bos_piece, in, &f); break;
            case 47: set_str(&tr->eos_piece, in, &f); break;
            case 48: set_str(&tr->pad_piece, in, &f); break;
            case 44: set_str(&tr->unk_surface, in, &f); break;
            default: break;
            }
        }
    }
    return r == 0;
}

static bool parse_norm(pb_in *in, const pb_field *outer, norm_spec *ns)
{
    size_t pos = outer->off, end = outer->off + outer->len;
    pb_field f;
    int r;
    ns->has = true;
    while ((r = next_field(in, &pos, end, &f)) > 0) {
        if (f.num == 2 && f.wt == WT_LEN) {
            set_str(&ns->charsmap, in, &f);
            ns->charsmap_at = f.off;
        } else if (f.wt == WT_VARINT) {
            if (f.num == 3)
                ns->add_dummy_prefix = f.v != 0;
            else if (f.num == 4)
                ns->remove_extra_ws = f.v != 0;
            else if (f.num == 5)
                ns->escape_ws = f.v != 0;
        }
    }
    return r == 0;
}

/* SelfTestData: only checked to be well-formed, as protobuf parses it. */
static bool parse_self_test(pb_in *in, const pb_field *outer)
{
    size_t pos = outer->off, end = outer->off + outer->len;
    pb_field f;
    int r;
    size_t k = 0, base = strlen(in->where);
    while ((r = next_field(in, &pos, end, &f)) > 0) {
        if (f.num == 1 && f.wt == WT_LEN) {
            snprintf(in->where + base, sizeof in->where - base, ".samples[%zu]", k++);
            size_t p2 = f.off, e2 = f.off + f.len;
            pb_field g;
            int r2;
            while ((r2 = next_field(in, &p2, e2, &g)) > 0) {
            }
            if (r2 < 0)
                return false;
            in->where[base] = 0;
        }
    }
    return r == 0;
}

static bool parse_model(pb_in *in, size_t len, model_proto *mp)
{
    size_t pos = 0;
    pb_field f;
    int r;
    while ((r = next_field(in, &pos, len, &f)) > 0) {
        if (f.wt != WT_LEN)
            continue;
        bool ok = true;
        switch (f.num) {
        case 1:
            if (!tok_grow(&mp->pieces, &mp->cap, mp->n + 1, sizeof *mp->pieces, 1024)) {
                in->failed = tok_fail(in->err, TOK_ENOMEM, in->source, TOK_NO_OFFSET,
                                      "%s: out of memory", in->source);
                return false;
            }
            snprintf(in->where, sizeof in->where, "pieces[%zu]", mp->n);
            mp->pieces[mp->n] = (raw_piece){.type = SPM_NORMAL, .at = f.at};
            ok = parse_piece(in, &f, &mp->pieces[mp->n]);
            mp->n++;
            break;
        case 2:
            snprintf(in->where, sizeof in->where, "trainer_spec");
            ok = parse_trainer(in, &f, &mp->tr);
            break;
        case 3:
            snprintf(in->where, sizeof in->where, "normalizer_spec");
            ok = parse_norm(in, &f, &mp->norm);
            break;
        case 4:
            snprintf(in->where, sizeof in->where, "self_test_data");
            ok = parse_self_test(in, &f);
            break;
        case 5:
            snprintf(in->where, sizeof in->where, "denormalizer_spec");
            ok = parse_norm(in, &f, &mp->denorm);
            break;
        default:
            break;
        }
        if (!ok)
            return false;
        in->where[0] = 0;
    }
    return r == 0;
}

/* ---- building the tokenizer ---- */

static int byte_of_piece(const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(p, "<0x", 3) != 0 || p[5] != '>')
        return -1;
    const char *h = memchr(hex, p[3], 16), *l = memchr(hex, p[4], 16);
    if (!h || !l || !p[3] || !p[4])
        return -1;
    return (int)((h - hex) * 16 + (l - hex));
}

uint32_t spm_piece_to_id(const tok_tokenizer *t, const uint8_t *p, size_t n)
{
    const spm_model *m = t->impl;
    uint32_t special = tok_specials_id(&t->specials, p, n);
    if (special != TOK_NO_ID)
        return special;
    if (n == 6 && p[0] == '<') {
        int b = byte_of_piece(p, n);
        if (b >= 0 && m->byte_id[b] != TOK_NO_ID)
            return m->byte_id[b];
    }
    uint32_t id = tok_vocab_find(&t->vocab, p, n);
    if (id != TOK_NO_ID && m->ptype[id] != SPM_BYTE)
        return id;
    return m->unk_id;
}

void spm_model_free(void *impl)
{
    spm_model *m = impl;
    if (!m)
        return;
    free(m->ptype);
    free(m->score);
    tok_trie_free(&m->user);
    tok_trie_free(&m->uni.trie);
    free(m->uni_kind);
    tok_charsmap_free(&m->cm);
    tok_charsmap_free(&m->dcm);
    free(m->unk_surface);
    free(m->canon);
    free(m->pairs);
    free(m->cut_pairs);
    free(m->char_id);
    spm_lazy_rank_free(m->lazy);
    free(m);
}

typedef struct build {
    const char *source;
    tok_error *err;
    const model_proto *mp;
    tok_tokenizer *t;
    spm_model *m;
} build;

__attribute__((format(printf, 3, 4))) static tok_status bad_piece(build *b, size_t i,
                                                                   const char *fmt, ...)
{
    const raw_piece *rp = &b->mp->pieces[i];
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    tok_status st = tok_fail(b->err, TOK_EFORMAT, b->source, rp->at, "%s: byte %zu: pieces[%zu]: %s",
                             b->source, rp->at, i, what);
    if (b->err)
        snprintf(b->err->where, sizeof b->err->where, "pieces[%zu]", i);
    return st;
}

/* A piece's text for messages: at most 60 bytes, control bytes escaped. */
static const char *show(const raw_piece *rp, char *buf, size_t cap)
{
    size_t o = 0;
    for (uint32_t k = 0; k < rp->len && o + 8 < cap && k < 60; k++) {
        uint8_t c = rp->p[k];
        if (c < 0x20 || c == 0x7F)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = 0;
    return buf;
}

static bool is_matchable(uint8_t type)
{
    return type == SPM_NORMAL || type == SPM_USER_DEFINED || type == SPM_UNUSED;
}

/* InitializePieces' checks; fills ptype, score, unk_id, byte_id. */
static tok_status check_pieces(build *b)
{
    const model_proto *mp = b->mp;
    spm_model *m = b->m;
    char buf[300];
    bool have_byte[256] = {0};
    m->unk_id = TOK_NO_ID;
    for (int c = 0; c < 256; c++)
        m->byte_id[c] = TOK_NO_ID;
    for (size_t i = 0; i < mp->n; i++) {
        const raw_piece *rp = &mp->pieces[i];
        m->ptype[i] = rp->type;
        m->score[i] = rp->score;
        if (rp->len == 0)
            return bad_piece(b, i, "piece must not be empty");
        if (rp->type == SPM_UNKNOWN) {
            if (m->unk_id != TOK_NO_ID)
                return bad_piece(b, i, "unk is already defined (%s)", show(rp, buf, sizeof buf));
            m->unk_id = (uint32_t)i;
        }
        if (rp->type == SPM_BYTE) {
            if (!mp->tr.byte_fallback)
                return bad_piece(b, i, "byte piece %s is found although `byte_fallback` is false",
                                 show(rp, buf, sizeof buf));
            int c = byte_of_piece(rp->p, rp->len);
            if (c < 0)
                return bad_piece(b, i, "byte piece %s is invalid", show(rp, buf, sizeof buf));
            have_byte[c] = true;
            if (m->byte_id[c] == TOK_NO_ID)
                m->byte_id[c] = (uint32_t)i;
        }
    }
    if (m->unk_id == TOK_NO_ID)
        return tok_fail(b->err, TOK_EFORMAT, b->source, TOK_NO_OFFSET,
                        "%s: unk is not defined (no piece of type UNKNOWN)", b->source);
    if (mp->tr.byte_fallback)
        for (int c = 0; c < 256; c++)
            if (!have_byte[c])
                return tok_fail(b->err, TOK_EFORMAT, b->source, TOK_NO_OFFSET,
                                "%s: there are not 256 byte pieces although `byte_fallback` is "
                                "true (<0x%02X> is missing)", b->source, c);
    return TOK_OK;
}

/* Duplicate checks (per sentencepiece map: matchable pieces, and reserved ones) with a trie each,
 * then the tokenizer's vocabulary and special tokens. */
static tok_status build_tables(build *b)
{
    const model_proto *mp = b->mp;
    tok_tokenizer *t = b->t;
    size_t n = mp->n;
    const uint8_t **keys = malloc((n + 1) * sizeof *keys);
    uint32_t *lens = malloc((n + 1) * sizeof *lens), *vals = malloc((n + 1) * sizeof *vals);
    uint8_t *noindex = calloc(n + 1, 1);
    const char **stexts = malloc((n + 1) * sizeof *stexts);
    size_t *slens = malloc((n + 1) * sizeof *slens);
    uint32_t *sids = malloc((n + 1) * sizeof *sids);
    tok_status st = TOK_ENOMEM;
    char buf[300];
    if (!keys || !lens || !vals || !noindex || !stexts || !slens || !sids)
        goto out;
    /* each map on its own: a later piece with the text of an earlier one is an error */
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (is_matchable(mp->pieces[i].type) != (pass == 0))
                continue;
            keys[k] = mp->pieces[i].p;
            lens[k] = mp->pieces[i].len;
            vals[k] = (uint32_t)i;
            k++;
        }
        tok_vocab dup;
        size_t d;
        int r = tok_vocab_build(&dup, k, keys, lens, vals, &d);
        if (r == -2)
            goto out;
        if (r == -1) { /* d is the later of the two */
            const raw_piece *rp = &mp->pieces[vals[d]];
            st = bad_piece(b, vals[d], "%s is already defined", show(rp, buf, sizeof buf));
            goto out;
        }
        if (pass == 0) { /* byte pieces whose text a matchable piece has stay out of the index */
            for (size_t i = 0; i < n; i++)
                if (mp->pieces[i].type == SPM_BYTE &&
                    tok_vocab_find(&dup, mp->pieces[i].p, mp->pieces[i].len) != TOK_NO_ID)
                    noindex[i] = 1;
        }
        tok_vocab_free(&dup);
    }
    size_t nv = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        const raw_piece *rp = &mp->pieces[i];
        if (rp->type == SPM_CONTROL || rp->type == SPM_UNKNOWN) {
            stexts[ns] = (const char *)rp->p;
            slens[ns] = rp->len;
            sids[ns++] = (uint32_t)i;
        } else {
            keys[nv] = rp->p;
            lens[nv] = rp->len;
            vals[nv] = (uint32_t)i;
            noindex[nv] = noindex[i];
            nv++;
        }
    }
    size_t dupi;
    int vr = tok_vocab_build_ex(&t->vocab, nv, keys, lens, vals, noindex, &dupi);
    if (vr == -2)
        goto out;
    if (vr != 0) { /* cannot happen after the checks above */
        st = tok_fail(b->err, TOK_EFORMAT, b->source, TOK_NO_OFFSET, "%s: duplicate pieces",
                      b->source);
        goto out;
    }
    st = tok_specials_init(&t->specials, ns, stexts, slens, sids);
    if (st == TOK_EINVAL) {
        st = tok_fail(b->err, TOK_EUNSUPPORTED, b->source, TOK_NO_OFFSET,
                      "%s: the CONTROL pieces have more than 64 different lengths", b->source);
        goto out;
    }
    if (st != TOK_OK)
        goto out;
    /* every piece is in one of the two, so n_ids is the piece count */
    if ((st = tok_tokenizer_finish(t)) != TOK_OK)
        goto out;
    st = TOK_OK;
out:
    free(keys);
    free(lens);
    free(vals);
    free(noindex);
    free(stexts);
    free(slens);
    free(sids);
    if (st == TOK_ENOMEM)
        st = tok_fail(b->err, TOK_ENOMEM, b->source, TOK_NO_OFFSET, "%s: out of memory", b->source);
    return st;
}

/* The tries: user-defined symbols, and for Unigram every matchable piece. */
static tok_status build_tries(build *b)
{
    const model_proto *mp = b->mp;
    spm_model *m = b->m;
    size_t n = mp->n, k = 0, nu = 0;
    const uint8_t **keys = malloc((n + 1) * sizeof *keys);
    uint32_t *lens = malloc((n + 1) * sizeof *lens), *vals = malloc((n + 1) * sizeof *vals);
    tok_status st = TOK_ENOMEM;
    if (!keys || !lens || !vals)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (mp->pieces[i].type == SPM_USER_DEFINED) {
            keys[k] = mp->pieces[i].p;
            lens[k] = mp->pieces[i].len;
            vals[k++] = (uint32_t)i;
        }
    if (k && tok_trie_build(&m->user, k, keys, lens, vals) != 0)
        goto out;
    bool any_special = false;
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (is_matchable(mp->pieces[i].type)) {
            keys[k] = mp->pieces[i].p;
            lens[k] = mp->pieces[i].len;
            vals[k++] = (uint32_t)i;
            any_special |= mp->pieces[i].type != SPM_NORMAL;
            nu += mp->pieces[i].type == SPM_UNUSED;
        }
    m->n_unused = (uint32_t)nu;
    if (m->type == SPM_UNIGRAM) {
        if (k == 0) {
            st = tok_fail(b->err, TOK_EFORMAT, b->source, TOK_NO_OFFSET,
                          "%s: no pieces are loaded (a Unigram model needs NORMAL, USER_DEFINED "
                          "or UNUSED pieces)", b->source);
            goto out;
        }
        if (tok_trie_build(&m->uni.trie, k, keys, lens, vals) != 0)
            goto out;
        tok_trie_set_scores(&m->uni.trie, m->score);
        m->uni.spm = true;
        m->uni.cache_id = tok_vocab_new_uid();
        m->uni.unk_id = m->unk_id;
        m->uni.fmin = FLT_MAX;
        m->uni.fmax = FLT_MIN; /* sentencepiece's initial value: the smallest positive float */
        for (size_t i = 0; i < n; i++)
            if (mp->pieces[i].type == SPM_NORMAL) {
                if (mp->pieces[i].score < m->uni.fmin)
                    m->uni.fmin = mp->pieces[i].score;
                if (mp->pieces[i].score > m->uni.fmax)
                    m->uni.fmax = mp->pieces[i].score;
            }
        if (any_special) {
            if (!(m->uni_kind = calloc(n, 1)))
                goto out;
            for (size_t i = 0; i < n; i++)
                m->uni_kind[i] = mp->pieces[i].type == SPM_USER_DEFINED ? TOK_UNI_USER
                                 : mp->pieces[i].type == SPM_UNUSED     ? TOK_UNI_UNUSED
                                                                        : TOK_UNI_NORMAL;
            m->uni.kind = m->uni_kind;
        }
    }
    st = TOK_OK;
out:
    free(keys);
    free(lens);
    free(vals);
    if (st == TOK_ENOMEM)
        st = tok_fail(b->err, TOK_ENOMEM, b->source, TOK_NO_OFFSET, "%s: out of memory", b->source);
    return st;
}

static tok_status load_charsmap(build *b, const norm_spec *ns, const char *field, tok_charsmap *cm,
                                bool *broken)
{
    char why[300];
    size_t at;
    tok_status st = tok_charsmap_init(cm, ns->charsmap.p, ns->charsmap.len, false, why, sizeof why,
                                      &at);
    if (st == TOK_OK)
        return TOK_OK;
    if (broken) { /* the denormalizer: sentencepiece loads the model and decodes to "" */
        *broken = true;
        return TOK_OK;
    }
    st = tok_fail(b->err, st, b->source, ns->charsmap_at + at, "%s: byte %zu: %s (in %s)",
                  b->source, ns->charsmap_at + at, why, field);
    if (b->err)
        snprintf(b->err->where, sizeof b->err->where, "%s", field);
    return st;
}

/* Where a long text may be cut: see spm.h. */
static bool find_cuts(build *b)
{
    spm_model *m = b->m;
    const model_proto *mp = b->mp;
    if (m->type == SPM_BPE && m->n_unused)
        return true;
    if (!(m->cut_pairs = calloc(65536 / 64, sizeof *m->cut_pairs)))
        return false;
    /* no cut inside a character either: the bit of (x, continuation byte) is set for every x,
     * so the search for a cut is one test a byte */
    for (unsigned x = 0; x < 256; x++)
        for (unsigned y = 0x80; y < 0xC0; y++)
            m->cut_pairs[(x << 8 | y) / 64] |= 1ull << ((x << 8 | y) % 64);
    for (size_t i = 0; i < mp->n; i++) {
        const raw_piece *rp = &mp->pieces[i];
        if (!is_matchable(rp->type))
            continue;
        for (size_t k = 0; k + 1 < rp->len; k++) {
            unsigned pair = (unsigned)rp->p[k] << 8 | rp->p[k + 1];
            m->cut_pairs[pair / 64] |= 1ull << (pair % 64);
        }
    }
    return true;
}

tok_status tok_open_spm(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                        tok_error *err)
{
    *out = NULL;
    pb_in in = {.d = data, .source = source, .err = err, .failed = TOK_OK};
    model_proto mp = {0};
    mp.tr.model_type = SPM_UNIGRAM;
    mp.norm = (norm_spec){.add_dummy_prefix = true, .remove_extra_ws = true, .escape_ws = true};
    mp.denorm = mp.norm;
    tok_status st;
    if (!parse_model(&in, len, &mp)) {
        free(mp.pieces);
        return in.failed;
    }
    tok_tokenizer *t = tok_tokenizer_new(source, &spm_ops);
    spm_model *m = calloc(1, sizeof *m);
    if (!t || !m) {
        free(m);
        tok_close(t);
        free(mp.pieces);
        return tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    }
    t->impl = m;
    build b = {source, err, &mp, t, m};
    m->type = (spm_model_type)mp.tr.model_type;
    m->n = (uint32_t)mp.n;
    m->byte_fallback = mp.tr.byte_fallback;
    m->ptype = malloc(mp.n + 1);
    m->score = malloc((mp.n + 1) * sizeof *m->score);
    st = m->ptype && m->score ? TOK_OK
                              : tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET,
                                         "%s: out of memory", source);
    if (st == TOK_OK && mp.n > (1u << 26))
        st = tok_fail(err, TOK_EUNSUPPORTED, source, TOK_NO_OFFSET,
                      "%s: %zu pieces are more than tokscope supports", source, mp.n);
    if (st == TOK_OK)
        st = check_pieces(&b);
    if (st == TOK_OK)
        st = build_tables(&b);
    if (st == TOK_OK)
        st = build_tries(&b);
    /* the normalizer */
    m->norm.add_dummy_prefix = m->add_dummy_prefix = mp.norm.add_dummy_prefix;
    m->norm.remove_extra_ws = m->remove_extra_ws = mp.norm.remove_extra_ws;
    m->norm.escape_ws = mp.norm.escape_ws;
    m->norm.ws_suffix = mp.tr.ws_suffix;
    if (st == TOK_OK && mp.norm.charsmap.len) {
        st = load_charsmap(&b, &mp.norm, "normalizer_spec.precompiled_charsmap", &m->cm, NULL);
        m->norm.cm = &m->cm;
    }
    m->norm.user = m->user.n_keys ? &m->user : NULL;
    if (st == TOK_OK && mp.denorm.has && mp.denorm.charsmap.len) {
        bool broken = false;
        st = load_charsmap(&b, &mp.denorm, "denormalizer_spec.precompiled_charsmap", &m->dcm,
                           &broken);
        m->has_denorm = true;
        m->denorm_broken = broken;
        m->denorm = (tok_spm_norm){broken ? NULL : &m->dcm, NULL, mp.denorm.add_dummy_prefix,
                                   mp.denorm.remove_extra_ws, mp.denorm.escape_ws, false};
    }
    if (st == TOK_OK) {
        /* BOS/EOS: the ids of trainer_spec's bos/eos pieces, unless they are unknown */
        const str_field *bp = &mp.tr.bos_piece, *ep = &mp.tr.eos_piece;
        uint32_t bos = bp->len ? spm_piece_to_id(t, bp->p, bp->len)
                               : spm_piece_to_id(t, (const uint8_t *)"<s>", 3);
        uint32_t eos = ep->len ? spm_piece_to_id(t, ep->p, ep->len)
                               : spm_piece_to_id(t, (const uint8_t *)"</s>", 4);
        m->bos_id = m->ptype[bos] == SPM_UNKNOWN ? TOK_NO_ID : bos;
        m->eos_id = m->ptype[eos] == SPM_UNKNOWN ? TOK_NO_ID : eos;
        const str_field *us = &mp.tr.unk_surface;
        const char *dflt = " \xE2\x81\x87 ";
        m->unk_surface_len = us->has ? us->len : strlen(dflt);
        m->unk_surface = malloc(m->unk_surface_len + 1);
        if (!m->unk_surface)
            st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
        else
            memcpy(m->unk_surface, us->has ? (const char *)us->p : dflt, m->unk_surface_len);
    }
    if (st == TOK_OK && m->type == SPM_BPE && !spm_bpe_tables(t, m))
        st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    if (st == TOK_OK && m->type == SPM_BPE) {
        m->lazy = spm_lazy_rank_new(); /* NULL (no memory): the heap, still exact */
        m->cache_id = tok_wc_new_id();
    }
    m->rank_min = SPM_RANK_LAZY_MIN;
    if (st == TOK_OK && !find_cuts(&b))
        st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    if (st == TOK_OK) {
        /* decode looks a piece up again by its text: where that gives another id (a reserved
         * piece with the text of a matchable one), remember it */
        bool differs = false;
        for (size_t i = 0; i < mp.n && !differs; i++)
            if (!is_matchable(mp.pieces[i].type)) {
                uint32_t id = tok_vocab_find(&t->vocab, mp.pieces[i].p, mp.pieces[i].len);
                differs = id != TOK_NO_ID && id != i;
            }
        if (differs && !(m->canon = malloc(m->n * sizeof *m->canon)))
            st = tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
        for (uint32_t i = 0; differs && st == TOK_OK && i < m->n; i++) {
            const char *p;
            size_t pl;
            m->canon[i] = tok_token_bytes(t, i, &p, &pl) == TOK_OK
                              ? spm_piece_to_id(t, (const uint8_t *)p, pl)
                              : i;
        }
    }
    free(mp.pieces);
    if (st != TOK_OK) {
        tok_close(t);
        return st;
    }
    *out = t;
    return TOK_OK;
}
