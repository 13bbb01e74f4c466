/* packed: a tokenizer.json compiled into tokscope's pack (base/pack.h), which opens in a few
 * milliseconds where the JSON takes a tenth of a second or more (a 33 MB Gemma 3 file: 0.4 s).
 *
 * Almost all of a load is the vocabulary and the merges: parsing hundreds of thousands of
 * strings and building two hash tables. The pack keeps those tables exactly as the loader
 * built them, and beside them the file's JSON with the vocabulary and merges cut out (as
 * null). Opening a pack runs the ordinary loader on that small JSON and views the tables in
 * place (hf_prebuilt), after checking every entry, so a damaged or hostile pack is an error,
 * never an out-of-bounds read. Everything else -- normalizers, pre-tokenizers, added tokens,
 * post-processor, decoders -- goes through the same code as the JSON, so a pack cannot behave
 * differently from its file. Unigram models keep their vocabulary in the JSON (their trie is
 * built at load).
 *
 * Byte-level BPE whose merges are tiktoken's rank BPE (models/bpe_ranks.c) is checked here,
 * once, and its vocabulary packed with the linear encoder's tables (algo/bpe_verify.c), so a
 * packed Llama 3 or Qwen encodes through the same core as the built-in encodings from the first
 * call. Character-level BPE (Gemma, Mistral 7B) gets the renumbered vocabulary an unpacked file
 * builds on its first long word (models/bpe_ranks.c: a second for Gemma 3's 262,144 tokens, and
 * 100 MB), built here and read in place: a long word costs no build, and only the pages it
 * touches. A pack without them (older, or merges that are not rank BPE) builds as a file does.
 *
 * Sections: CONFIG (the JSON), VOCAB and STRV (tok_vocab blobs, VOCAB with the rank tables when
 * they apply), VERBATIM (bits), MERGES (the table's slots), META (merge_bits; flags: whether BPE
 * may cut at U+2581, whether the merges are rank BPE), UNREACH (the ids no merge makes, when rank
 * BPE), CHARS_VOCAB, CHARS_MAP and CHARS_SHORT (character-level rank BPE: the renumbered
 * tok_vocab blob with its tables, its ids' model ids, the tokens a word must not hold), SOURCE
 * (label, SHA-256 and byte length of the original; older packs lack the length) and, when
 * given, CHAT (the tokenizer_config.json that came with it). */
#include "base/pack.h"
#include "formats/hf/load/load.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

enum { SEC_CONFIG = 1, SEC_VOCAB, SEC_STRV, SEC_VERBATIM, SEC_MERGES, SEC_META, SEC_UNREACH,
       SEC_CHARS_VOCAB, SEC_CHARS_MAP, SEC_CHARS_SHORT, SEC_SOURCE = 16, SEC_CHAT };
/* META_PLAIN_KNOWN: packs from stop 25 on record hf_merges_plain's answer (META_PLAIN) for
 * character-level merges; older ones leave both bits clear, and it is asked as before. */
enum { META_CUT_WORDS = 1, META_RANK_BPE = 2, META_PLAIN_KNOWN = 4, META_PLAIN = 8 };

/* The JSON with model.vocab and model.merges replaced by null, for kinds that are packed. */
static char *config_of(const uint8_t *data, size_t len, bool keep_vocab, size_t *out_len)
{
    json_doc d;
    size_t eoff;
    const char *emsg;
    if (!json_parse(&d, (const char *)data, len, &eoff, &emsg))
        return NULL;
    uint32_t model = json_get(&d, 0, "model");
    uint32_t cut[2] = {keep_vocab ? J_NONE : json_get(&d, model, "vocab"),
                       json_get(&d, model, "merges")};
    size_t a[2], b[2];
    for (int k = 0; k < 2; k++) {
        a[k] = cut[k] == J_NONE ? len : d.nodes[cut[k]].start;
        b[k] = cut[k] == J_NONE ? len : json_end(&d, cut[k]);
    }
    if (a[0] > a[1]) { /* in text order */
        size_t t = a[0]; a[0] = a[1]; a[1] = t;
        t = b[0]; b[0] = b[1]; b[1] = t;
    }
    tok_buf out = {0};
    tok_buf_put(&out, data, a[0]);
    if (a[0] < len)
        tok_buf_put(&out, "null", 4);
    if (b[0] < len) {
        tok_buf_put(&out, data + b[0], a[1] - b[0]);
        if (a[1] < len) {
            tok_buf_put(&out, "null", 4);
            tok_buf_put(&out, data + b[1], len - b[1]);
        }
    }
    json_free(&d);
    if (out.oom) {
        tok_buf_free(&out);
        return NULL;
    }
    *out_len = out.len;
    return (char *)out.data;
}

tok_status tok_hf_pack(const uint8_t *data, size_t len, const char *source, const uint8_t *chat,
                       size_t chat_len, void **out, size_t *out_len, tok_error *err)
{
    tok_tokenizer *t;
    tok_vocab strv = {0};
    tok_status st = hf_open(data, len, source, NULL, &strv, &t, err);
    if (st != TOK_OK)
        return st;
    const hf_pipeline *hp = t->impl;
    const hf_model *m = &hp->model;
    bool tables = m->kind != HF_UNIGRAM;
    uint32_t *unreach = NULL, n_unreach = 0, *truth = NULL;
    bool rank = hp->fast && hf_bpe_ranks_check(t, m, &unreach, &n_unreach, &truth);
    /* -1: the merge serves long pieces */
    if (rank && tok_bpe_tables_add_known(&t->vocab, truth, NULL, NULL) == -2) {
        free(unreach);
        tok_vocab_free(&strv);
        tok_close(t);
        return tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    }
    /* character-level: the first long word's build, done now (NULL: not rank BPE, or no
     * memory, which must not pass for the former: the pack would quietly lack them) */
    const hf_lazy_rank *chars = tables && m->lazy && !m->byte_level ? hf_lazy_rank_get(t, m) : NULL;
    bool chars_ask = tables && m->kind == HF_BPE && m->merges && !m->byte_level &&
                     !m->prefix_len && !m->suffix_len; /* as hf_open gives m->lazy */
    if (chars_ask && (!m->lazy || (!chars && m->lazy->oom))) {
        free(unreach);
        tok_vocab_free(&strv);
        tok_close(t);
        return tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    }
    size_t clen = 0;
    char *config = config_of(data, len, !tables, &clen);
    void *vb = NULL, *sb = NULL, *cb = NULL;
    size_t vl = 0, sl = 0, cl = 0;
    tok_pack_writer w;
    tok_pack_writer_init(&w, TOK_PACK_HF);
    bool ok = config != NULL;
    if (ok)
        tok_pack_add(&w, SEC_CONFIG, config, clen);
    if (ok && tables) {
        ok = tok_vocab_pack(&t->vocab, &vb, &vl) == 0 &&
             (!strv.n_ids || tok_vocab_pack(&strv, &sb, &sl) == 0);
        if (ok) {
            tok_pack_add(&w, SEC_VOCAB, vb, vl);
            if (sb)
                tok_pack_add(&w, SEC_STRV, sb, sl);
            if (hp->verbatim)
                tok_pack_add(&w, SEC_VERBATIM, hp->verbatim,
                             t->vocab.n_ids ? (size_t)(t->vocab.n_ids - 1) / 8 + 1 : 1);
            if (m->merges) {
                tok_pack_add(&w, SEC_MERGES, m->merges, ((size_t)1 << m->merge_bits) * sizeof *m->merges);
                uint32_t plain = 0;
                if (!m->byte_level && !m->cut_words)
                    plain = META_PLAIN_KNOWN |
                            (hf_merges_plain(&t->vocab, m, false) ? META_PLAIN : 0u);
                uint32_t meta[2] = {m->merge_bits, (m->cut_words ? META_CUT_WORDS : 0u) |
                                                       (rank ? META_RANK_BPE : 0u) | plain};
                tok_pack_add(&w, SEC_META, meta, sizeof meta);
                if (rank && n_unreach)
                    tok_pack_add(&w, SEC_UNREACH, unreach, (size_t)n_unreach * sizeof *unreach);
            }
        }
        if (ok && chars) {
            ok = tok_vocab_pack(&chars->cr.v, &cb, &cl) == 0;
            if (ok) {
                tok_pack_add(&w, SEC_CHARS_VOCAB, cb, cl);
                tok_pack_add(&w, SEC_CHARS_MAP, chars->cr.to_model,
                             (size_t)chars->cr.v.n_ids * sizeof *chars->cr.to_model);
                if (chars->cr.n_short)
                    tok_pack_add(&w, SEC_CHARS_SHORT, chars->cr.short_anom,
                                 (size_t)chars->cr.n_short * sizeof *chars->cr.short_anom);
            }
        }
    }
    if (ok) {
        char hex[65], src[512];
        tok_sha256_hex(data, len, hex);
        /* the label is cut so that the digest and the length always fit */
        snprintf(src, sizeof src, "%.400s\t%s\t%zu", source, hex, len);
        tok_pack_add(&w, SEC_SOURCE, src, strlen(src));
        if (chat)
            tok_pack_add(&w, SEC_CHAT, chat, chat_len);
    }
    ok = tok_pack_finish(&w, out, out_len) && ok; /* finish always releases the writer */
    if (!ok && *out) {
        free(*out);
        *out = NULL;
    }
    free(config), free(vb), free(sb), free(cb), free(unreach);
    tok_vocab_free(&strv);
    tok_close(t);
    if (!ok)
        return tok_fail(err, TOK_ENOMEM, source, TOK_NO_OFFSET, "%s: out of memory", source);
    return TOK_OK;
}

tok_status tok_open_hf_packed(const tok_pack_view *p, void *backing, bool mapped, const char *source,
                              tok_tokenizer **out, tok_error *err)
{
    *out = NULL;
    size_t clen, merges_len, meta_len;
    hf_prebuilt pre = {0};
    const char *config = tok_pack_get(p, SEC_CONFIG, &clen);
    pre.vocab = tok_pack_get(p, SEC_VOCAB, &pre.vocab_len);
    pre.strv = tok_pack_get(p, SEC_STRV, &pre.strv_len);
    pre.verbatim = tok_pack_get(p, SEC_VERBATIM, &pre.verbatim_len);
    pre.merges = tok_pack_get(p, SEC_MERGES, &merges_len);
    const uint32_t *meta = tok_pack_get(p, SEC_META, &meta_len);
    size_t unreach_len = 0;
    pre.unreach = tok_pack_get(p, SEC_UNREACH, &unreach_len);
    pre.n_unreach = unreach_len / sizeof(uint32_t);
    hf_lazy_packed *ch = &pre.char_level;
    size_t map_len = 0, short_len = 0;
    ch->vocab = tok_pack_get(p, SEC_CHARS_VOCAB, &ch->vocab_len);
    ch->to_model = tok_pack_get(p, SEC_CHARS_MAP, &map_len);
    ch->short_anom = tok_pack_get(p, SEC_CHARS_SHORT, &short_len);
    ch->n_to_model = map_len / sizeof(uint32_t);
    ch->n_short = short_len / sizeof(uint32_t);
    tok_status st = TOK_OK;
    if (!config)
        st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                      "%s: the pack holds no tokenizer configuration", source);
    else if (pre.merges && (!meta || meta_len < 8 || meta[0] < 4 || meta[0] > 30 ||
                            merges_len != ((size_t)1 << meta[0]) * sizeof(hf_merge)))
        st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                      "%s: the pack's merge table is damaged", source);
    else if (!ch->vocab != !ch->to_model || (ch->short_anom && !ch->vocab) ||
             map_len % sizeof(uint32_t) || short_len % sizeof(uint32_t))
        /* their contents are checked on first use (models/bpe_ranks.c: packed_view) */
        st = tok_fail(err, TOK_EFORMAT, source, TOK_NO_OFFSET,
                      "%s: the pack's character-level rank tables are damaged", source);
    if (st == TOK_OK) {
        if (pre.merges) {
            pre.merge_bits = meta[0];
            pre.cut_words = meta[1] & META_CUT_WORDS;
            pre.rank_bpe = meta[1] & META_RANK_BPE;
            if (meta[1] & META_PLAIN_KNOWN)
                pre.plain_known = meta[1] & META_PLAIN ? 2 : 1;
        }
        st = hf_open((const uint8_t *)config, clen, source, &pre, NULL, out, err);
    }
    if (st != TOK_OK) {
        if (mapped)
            munmap(backing, p->len);
        else
            free(backing);
        return st;
    }
    hf_pipeline *hp = (*out)->impl;
    (*out)->chat_config = tok_pack_get(p, SEC_CHAT, &(*out)->chat_config_len);
    hp->backing = backing;
    hp->backing_len = p->len;
    hp->backing_mapped = mapped;
    return TOK_OK;
}

bool tok_hf_pack_source(const tok_pack_view *p, char sha_hex[65], uint64_t *len)
{
    size_t n;
    const char *src = p->format == TOK_PACK_HF ? tok_pack_get(p, SEC_SOURCE, &n) : NULL;
    if (!src)
        return false;
    const char *end = src + n, *tab = memchr(src, '\t', n);
    if (!tab || end - tab < 65)
        return false;
    for (int i = 0; i < 64; i++) {
        char c = tab[1 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        sha_hex[i] = c;
    }
    sha_hex[64] = 0;
    *len = UINT64_MAX; /* not recorded */
    const char *q = tab + 65;
    if (q < end && *q == '\t') {
        uint64_t v = 0;
        const char *d = q + 1;
        while (d < end && *d >= '0' && *d <= '9' && v < UINT64_MAX / 10)
            v = v * 10 + (uint64_t)(*d++ - '0');
        if (d == end && d > q + 1)
            *len = v;
    }
    return true;
}

/* ---- a pack lending its rank tables to the same model opened from its JSON ---- */

bool hf_pack_may_lend(const tok_pack_view *p, const tok_tokenizer *t, const hf_model *m)
{
    size_t meta_len, merges_len, vocab_len, chars_len;
    const uint32_t *meta = p->format == TOK_PACK_HF ? tok_pack_get(p, SEC_META, &meta_len) : NULL;
    const void *merges = tok_pack_get(p, SEC_MERGES, &merges_len);
    const void *vocab = tok_pack_get(p, SEC_VOCAB, &vocab_len);
    tok_vocab w;
    if (!meta || meta_len < 8 || meta[0] != m->merge_bits || !merges ||
        merges_len != ((size_t)1 << m->merge_bits) * sizeof *m->merges || !vocab ||
        tok_vocab_view(&w, vocab, vocab_len) != 0 || w.n_ids != t->vocab.n_ids)
        return false;
    /* byte-level: the merges proved rank BPE and the vocabulary holds the tables; character-
     * level: the renumbered vocabulary's sections */
    return m->byte_level ? (meta[1] & META_RANK_BPE) && w.split
                         : tok_pack_get(p, SEC_CHARS_VOCAB, &chars_len) != NULL;
}

/* The pack's tables are for the pack's vocabulary; they serve t when t's is the same, id for id
 * and byte for byte, and so are m's merges: then hf_bpe_ranks_check (byte-level) or the
 * character-level build would answer as they did when the pack was made, and the tables they
 * built are these. */
bool hf_pack_lend_tables(const char *path, const tok_tokenizer *t, const hf_model *m,
                         hf_lazy_rank *z)
{
    size_t len, merges_len, vocab_len, unreach_len = 0;
    void *map = tok_map_file(path, TOK_PACK_HEADER_SIZE, &len);
    if (!map)
        return false;
    tok_pack_view p;
    tok_vocab w;
    const tok_vocab *v = &t->vocab;
    /* hf_pack_may_lend checked the merge table's length */
    bool ok = tok_pack_read(map, len, path, &p, NULL) == TOK_OK && hf_pack_may_lend(&p, t, m);
    const void *merges = ok ? tok_pack_get(&p, SEC_MERGES, &merges_len) : NULL;
    ok = ok && !memcmp(merges, m->merges, merges_len);
    const void *vocab = ok ? tok_pack_get(&p, SEC_VOCAB, &vocab_len) : NULL;
    ok = ok && tok_vocab_view_checked(&w, vocab, vocab_len) == 0 &&
         (!m->byte_level || w.split) && w.n_ids == v->n_ids &&
         !memcmp(w.off, v->off, ((size_t)v->n_ids + 1) * sizeof *v->off) &&
         !memcmp(w.bytes, v->bytes, v->off[v->n_ids]);
    if (ok && !m->byte_level) { /* the sections, checked on use (models/bpe_ranks.c) */
        hf_lazy_packed *ch = &z->packed;
        size_t map_len = 0, short_len = 0;
        ch->vocab = tok_pack_get(&p, SEC_CHARS_VOCAB, &ch->vocab_len);
        ch->to_model = tok_pack_get(&p, SEC_CHARS_MAP, &map_len);
        ch->short_anom = tok_pack_get(&p, SEC_CHARS_SHORT, &short_len);
        ch->n_to_model = map_len / sizeof(uint32_t);
        ch->n_short = short_len / sizeof(uint32_t);
        ok = ch->vocab && ch->to_model && !(map_len % 4) && !(short_len % 4);
        if (ok) {
            z->twin_map = map;
            z->twin_map_len = len;
            return true;
        }
        memset(ch, 0, sizeof *ch);
    }
    const uint32_t *unreach = ok ? tok_pack_get(&p, SEC_UNREACH, &unreach_len) : NULL;
    size_t n_unreach = unreach_len / sizeof *unreach;
    for (size_t i = 0; ok && i < n_unreach; i++) /* as a pack's list is checked when it opens */
        ok = unreach[i] < v->n_ids && (i == 0 || unreach[i] > unreach[i - 1]);
    if (!ok) {
        munmap(map, len);
        return false;
    }
    z->v = w;
    z->unreach = (uint32_t *)(uintptr_t)unreach;
    z->n_unreach = (uint32_t)n_unreach;
    z->twin_map = map;
    z->twin_map_len = len;
    return true;
}
