/* bpe_pairs: where a long word's merges can never cross (models/bpe.c merge_word).
 *
 * In HF's BPE every merge makes a vocabulary token whose text is its two parts' texts joined
 * (the loader refuses a merge whose result is not in the vocabulary), and a symbol of a word
 * is always a run of the word's characters. So a symbol that covered the boundary between two
 * characters c1 c2 would be a token some merge makes holding c1 c2; when no such token holds
 * that pair, no merge ever crosses the boundary, and the word's tokens are those of its two
 * sides merged alone.
 * That needs the symbols to be the characters' own texts: no byte-fallback or unknown token in
 * any merge, no affixes, not byte-level (part of what hf_model.cut_words proves; asked once
 * of the other models). A character
 * given as byte-fallback tokens never merges, so either side of it is a cut; beside an unknown
 * or dropped character there is none (unknowns fuse; a dropped one lets its neighbours meet),
 * nor anywhere between an unknown and the next known character (HF adds the unknown run there,
 * after the byte tokens in between).
 *
 * The pairs held by merged tokens go into a bit set hashed on the two code points, built on the
 * first long word and shared (an atomic pointer: two threads may both build it; one copy is
 * kept).
 * A collision only makes a boundary look held: fewer cuts, never a wrong one. Random CJK, runs
 * of newlines or of byte-fallback characters are then merged a few characters at a time, in
 * memory that does not grow with the word. */
#include "formats/hf/hf.h"

#include <string.h>

struct hf_pair_bits {
    /* the id of each two- and three-byte character that is a token, by code point, else
     * TOK_NO_ID: one load where the vocabulary's hash probes miss the cache (a third of the
     * time Gemma 3 spent cutting multilingual text went to those lookups) */
    uint32_t bmp[0x10000];
    uint64_t ascii[128][2]; /* pairs of ASCII characters, exactly: bit b of row a */
    uint8_t join[128][128]; /* a b held and b a token: hf_pair_ascii's one load a byte */
    /* hf_pair_word: ASCII characters a U+2581 after which is no cut (some merge holds the
     * pair, or U+2581 is neither a token nor given as bytes) */
    uint64_t no_cut_before_sp[2];
    /* hf_pair_lead: u_k, the token of k U+2581 (k = 1 .. lead_k); lead_k 0: no such cut */
    uint32_t lead_k, lead_ids[HF_LEAD_MAX + 1];
    uint32_t mask;          /* bits - 1 */
    uint64_t w[];           /* the other pairs, hashed */
};

static uint32_t pair_hash(uint32_t a, uint32_t b, uint32_t mask)
{
    return (uint32_t)(tok_fib_hash((uint64_t)a << 32 | b) >> 32) & mask;
}

/* Does some token a merge makes hold the characters a b side by side (or a collision say so)? */
static inline bool held(const hf_pair_bits *p, uint32_t a, uint32_t b)
{
    if (a < 128 && b < 128)
        return p->ascii[a][b / 64] >> (b % 64) & 1;
    uint32_t h = pair_hash(a, b, p->mask);
    return p->w[h / 64] >> (h % 64) & 1;
}

/* The code point of the valid UTF-8 character at s[0..n) (*len its bytes), or UINT32_MAX for
 * an invalid or cut sequence (*len the bytes to skip). */
static uint32_t next_char(const uint8_t *s, size_t n, unsigned *len)
{
    size_t bad = 1;
    if (tok_utf8_valid_prefix(s, n < 4 ? n : 4, &bad) == 0) {
        *len = bad ? (unsigned)bad : 1;
        return UINT32_MAX;
    }
    return tok_utf8_decode(s, len); /* a whole valid character: decoding stays inside */
}

/* How a character enters merge_word: its own token, its bytes' fallback tokens (which no merge
 * involves, cut_words says), or neither (an unknown run that may fuse and is added late, or a
 * dropped character that lets its neighbours meet): no cut beside those. */
typedef enum kind { KNOWN, BYTES, OTHER } kind;

static kind kind_of(const tok_vocab *v, const hf_model *m, const uint8_t *s, unsigned cl,
                    uint32_t *id)
{
    *id = cl == 1 ? v->byte1[s[0]] : tok_vocab_find(v, s, cl);
    if (*id != TOK_NO_ID)
        return KNOWN;
    if (!m->byte_fallback)
        return OTHER;
    for (unsigned k = 0; k < cl; k++)
        if (m->byte_ids[s[k]] == TOK_NO_ID)
            return OTHER;
    return BYTES;
}

/* The code point of the two- or three-byte character at s[0..cl) when its bytes are the one
 * encoding of it (continuation bytes, not overlong), else UINT32_MAX: on such characters the
 * code point names the bytes, so bmp[cp] stands for tok_vocab_find of them. */
static inline uint32_t bmp_cp(const uint8_t *s, unsigned cl)
{
    if (cl == 2 && s[0] >= 0xC2 && s[0] < 0xE0 && (s[1] & 0xC0) == 0x80)
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3Fu);
    if (cl == 3 && (s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        uint32_t cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3Fu);
        return cp >= 0x800 ? cp : UINT32_MAX;
    }
    return UINT32_MAX;
}

/* The token of the two- or three-byte character at s[0..cl) by its code point, or TOK_NO_ID
 * (not a token, or not a character bmp holds) */
static inline uint32_t bmp_id(const hf_pair_bits *p, const uint8_t *s, unsigned cl)
{
    uint32_t cp = bmp_cp(s, cl);
    return cp != UINT32_MAX ? p->bmp[cp] : TOK_NO_ID;
}

bool hf_may_drop(const hf_model *m)
{
    if (m->unk_token)
        return false;
    for (int b = 0; m->byte_fallback && b < 256; b++)
        if (m->byte_ids[b] == TOK_NO_ID)
            return true;
    return !m->byte_fallback;
}

/* The tokens some merge makes: the only symbols of more than one character (a token no merge
 * makes -- Gemma's "<unused12>", an added token kept in the vocabulary -- is never a symbol
 * that covers a boundary, so its pairs do not hold one). NULL when out of memory. */
static uint8_t *merged_ids(const tok_vocab *v, const hf_model *m)
{
    uint8_t *made = calloc(v->n_ids / 8 + 1, 1);
    if (!made)
        return NULL;
    for (size_t i = 0, n = (size_t)1 << m->merge_bits; i < n; i++)
        if (m->merges[i].key != UINT64_MAX && m->merges[i].id < v->n_ids)
            made[m->merges[i].id / 8] |= (uint8_t)(1u << (m->merges[i].id % 8));
    return made;
}

/* ---- a word's leading run of U+2581 ----
 *
 * Gemma's words of indented text start with runs of c = U+2581 ("▁▁▁and"), whose tokens the
 * linear encoder leaves out (their merges come in an order ranks cannot express), so they went
 * to the merge loop: a tenth of Gemma 3's time on prose. Let u_k be the token c^k. When
 *   (R) a run of k characters c alone merges to the one token u_k, for every 2 <= k <= K,
 *   (A) every merge (u_1, y) with y not a token of c comes after every merge of two tokens of
 *       c, and
 *   (N) no merge (u_k, y), 2 <= k <= K, has y not a token of c,
 * the word c^k x... with 2 <= k <= K and x a character that is a token merges as u_k followed
 * by the merge of x... alone. HF joins the pair of lowest (rank, position), so the run's own
 * pairs all join before the one pair across the run's end, (u_1, x's symbol) (A): the run goes
 * as it goes alone, to u_k (R), while merges in x... join only its own characters. u_k beside
 * x's symbol then joins nothing (N) -- nor did any u_j on the way -- and the pair that waited
 * is stale. Nothing comes before the run: it starts the word. x must be a token: a character
 * dropped (no unk, no byte fallback) would let the run meet what follows it.
 * Gemma 2 and 3: K = 31 (every merge of runs comes first); Gemma: K = 31 as well. */
static const uint8_t c3[3] = {0xE2, 0x96, 0x81};

/* Is p[0..len) one or more c? */
static bool all_c(const uint8_t *b, size_t len)
{
    size_t at = 0;
    while (at + 3 <= len && b[at] == c3[0] && b[at + 1] == c3[1] && b[at + 2] == c3[2])
        at += 3;
    return len && at == len;
}

static void lead_runs(hf_pair_bits *p, const tok_tokenizer *t, const hf_model *m)
{
    const tok_vocab *v = &t->vocab;
    uint8_t run[3 * HF_LEAD_MAX];
    for (size_t i = 0; i < HF_LEAD_MAX; i++)
        memcpy(run + 3 * i, c3, 3);
    uint32_t *u = p->lead_ids, k = 2;
    p->lead_k = 0;
    u[1] = tok_vocab_find(v, c3, 3);
    if (u[1] == TOK_NO_ID)
        return;
    hf_tokens out = {0};
    tok_scratch sc = {0};
    for (; k <= HF_LEAD_MAX; k++) { /* (R) */
        out.n = 0;
        if (hf_bpe_merge(t, m, run, 3 * (size_t)k, &out, &sc, false) != TOK_OK || out.n != 1)
            break;
        u[k] = out.id[0];
    }
    free(out.id), free(out.start), free(out.end);
    tok_scratch_free(&sc);
    uint32_t K = k - 1, last_runs = 0, first_u1y = UINT32_MAX;
    /* 1: a token of c; 2: also one of u_2 .. u_K */
    uint8_t *runs = K >= 2 ? calloc(v->n_ids, 1) : NULL;
    if (!runs)
        return; /* no run, or no memory: words merge whole, still exact */
    for (uint32_t id = 0; id < v->n_ids; id++)
        runs[id] = all_c(v->bytes + v->off[id], tok_vocab_len(v, id));
    for (uint32_t j = 2; j <= K; j++)
        runs[u[j]] = 2;
    bool ok = true;
    for (size_t i = 0, n = (size_t)1 << m->merge_bits; ok && i < n; i++) {
        uint64_t key = m->merges[i].key;
        uint32_t l = (uint32_t)(key >> 32), r = (uint32_t)key, rank = m->merges[i].rank;
        if (key == UINT64_MAX || l >= v->n_ids || r >= v->n_ids || !runs[l])
            continue;
        if (runs[r])
            last_runs = rank > last_runs ? rank : last_runs;
        else if (l == u[1])
            first_u1y = rank < first_u1y ? rank : first_u1y;
        else if (runs[l] == 2 && tok_vocab_len(v, r))
            ok = false; /* (N) */
    }
    free(runs);
    if (ok && last_runs < first_u1y) /* (A) */
        p->lead_k = K;
}

static hf_pair_bits *build(const tok_tokenizer *t, const hf_model *m)
{
    const tok_vocab *v = &t->vocab;
    uint8_t *made = merged_ids(v, m);
    if (!made)
        return NULL;
#define MADE(id) (made[(id) / 8] >> ((id) % 8) & 1)
    size_t chars = 0;
    for (uint32_t id = 0; id < v->n_ids; id++)
        if (MADE(id))
            chars += tok_vocab_len(v, id);
    size_t bits = 1u << 16;
    while (bits < 16 * chars && bits < (1u << 27))
        bits <<= 1;
    hf_pair_bits *p = calloc(1, sizeof *p + bits / 8);
    if (!p) {
        free(made);
        return NULL;
    }
    p->mask = (uint32_t)(bits - 1);
    memset(p->bmp, 0xFF, sizeof p->bmp); /* TOK_NO_ID */
    for (uint32_t id = 0; id < v->n_ids; id++) {
        uint32_t len = tok_vocab_len(v, id);
        const uint8_t *s = v->bytes + v->off[id];
        uint32_t one = len == 2 || len == 3 ? bmp_cp(s, len) : UINT32_MAX;
        if (one != UINT32_MAX)
            p->bmp[one] = tok_vocab_find(v, s, len); /* the id a lookup finds */
        if (!MADE(id))
            continue;
        uint32_t prev = UINT32_MAX;
        size_t bad;
        /* a token that is valid UTF-8 throughout (all but byte tokens) is decoded without
         * asking at every character */
        bool valid = tok_utf8_valid_prefix(s, len, &bad) == len;
        for (uint32_t i = 0; i < len;) {
            unsigned cl;
            uint32_t cp = valid ? tok_utf8_decode(s + i, &cl) : next_char(s + i, len - i, &cl);
            if (prev < 128 && cp < 128) {
                p->ascii[prev][cp / 64] |= 1ull << (cp % 64);
            } else if (prev != UINT32_MAX && cp != UINT32_MAX) {
                uint32_t h = pair_hash(prev, cp, p->mask);
                p->w[h / 64] |= 1ull << (h % 64);
            }
            prev = cp;
            i += cl;
        }
    }
#undef MADE
    free(made);
    for (uint32_t a = 0; a < 128; a++)
        for (uint32_t b = 0; b < 128; b++)
            p->join[a][b] = held(p, a, b) && v->byte1[b] != TOK_NO_ID;
    lead_runs(p, t, m);
    /* hf_pair_cut's rule before a U+2581 that follows an ASCII token: a cut when U+2581 falls
     * back to bytes, none when it is unknown, else when no merge holds the pair */
    static const uint8_t sp[3] = {0xE2, 0x96, 0x81};
    uint32_t sid;
    kind k = kind_of(v, m, sp, 3, &sid);
    for (uint32_t c = 0; c < 128; c++)
        if (k == OTHER || (k == KNOWN && held(p, c, 0x2581)))
            p->no_cut_before_sp[c / 64] |= 1ull << (c % 64);
    return p;
}

size_t hf_pair_lead(const hf_pair_bits *p, const tok_vocab *v, const uint8_t *w, size_t n,
                    uint32_t *id)
{
    size_t k = 0;
    while (3 * k + 3 <= n && hf_is_sp(w + 3 * k))
        k++;
    if (k < 2 || k > p->lead_k)
        return 0;
    size_t at = 3 * k;
    if (at < n) { /* x, a token (ASCII or, by bmp, of two or three bytes) */
        unsigned cl;
        tok_utf8_decode(w + at, &cl);
        if (cl > n - at || (cl == 1 ? v->byte1[w[at]] : bmp_id(p, w + at, cl)) == TOK_NO_ID)
            return 0;
    }
    *id = p->lead_ids[k];
    return at;
}

/* Stands for "the merges are not plain": no pair set, merge words whole. */
static hf_pair_bits not_plain;

const hf_pair_bits *hf_pair_bits_get(const tok_tokenizer *t, const hf_model *m)
{
    if (m->kind != HF_BPE || !m->merges || m->byte_level || m->ignore_merges || m->prefix_len ||
        m->suffix_len || m->whole_words)
        return NULL;
    hf_model *mm = (hf_model *)m; /* the atomic slot; the tokenizer is otherwise untouched */
    hf_pair_bits *p = atomic_load_explicit(&mm->pairs, memory_order_acquire);
    if (p)
        return p == &not_plain ? NULL : p;
    /* cut_words implies plain merges; the other models are asked once (bpe.c) */
    bool plain = m->cut_words || (m->plain_known ? m->plain_known == 2
                                                 : hf_merges_plain(&t->vocab, m, false));
    p = plain ? build(t, m) : &not_plain;
    if (!p)
        return NULL; /* no memory: the word is merged whole, still exact */
    hf_pair_bits *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&mm->pairs, &expected, p, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        if (p != &not_plain)
            free(p);
        return expected == &not_plain ? NULL : expected;
    }
    return p == &not_plain ? NULL : p;
}

void hf_pair_bits_free(hf_pair_bits *p)
{
    if (p != &not_plain)
        free(p);
}

/* kind_of, with the last character above ASCII remembered */
static inline kind kind_memo(const hf_pair_bits *p, const tok_vocab *v, const hf_model *m,
                             const uint8_t *s, unsigned cl, uint32_t cp, uint32_t *id,
                             hf_pair_memo *memo)
{
    if (cl == 1 || !memo)
        return kind_of(v, m, s, cl, id);
    if ((*id = bmp_id(p, s, cl)) != TOK_NO_ID)
        return KNOWN;
    if (memo->cp != cp) {
        memo->kind = kind_of(v, m, s, cl, &memo->id);
        memo->cp = cp;
    }
    *id = memo->id;
    return (kind)memo->kind;
}

size_t hf_pair_cut(const hf_pair_bits *p, const tok_vocab *v, const hf_model *m,
                   const uint8_t *s, size_t a, size_t n, size_t min, size_t *dropped,
                   uint32_t *first_id, hf_pair_memo *memo)
{
    *dropped = 0;
    *first_id = TOK_NO_ID;
    uint32_t prev = 0;
    kind pk = OTHER;
    bool pending = false; /* an unknown run waits for the next known character */
    unsigned pcl = 0;
    uint32_t id = TOK_NO_ID, held_a = UINT32_MAX, held_b = UINT32_MAX; /* a pair some token holds */
    for (size_t i = a; i < n;) {
        unsigned cl;
        uint32_t cp = tok_utf8_decode(s + i, &cl);
        /* a character repeated is what it was (runs of spaces: no lookup each) */
        kind k = cl == pcl && cp == prev ? pk : kind_memo(p, v, m, s + i, cl, cp, &id, memo);
        pcl = cl;
        if (i == a)
            *first_id = id;
        if (i >= a + min && pk != OTHER && k != OTHER && !pending) {
            if (pk == BYTES || k == BYTES)
                return i;
            if (prev != held_a || cp != held_b) { /* a run asks the same pair again */
                if (!held(p, prev, cp))
                    return i;
                held_a = prev, held_b = cp;
            }
        }
        if (k == OTHER && !m->unk_token)
            *dropped += cl;
        prev = cp;
        pk = k;
        pending = k == OTHER || (pending && k != KNOWN);
        i += cl;
        if (k != OTHER && held_a == cp && held_b == cp && i >= a + min)
            /* a run of a character whose pair with itself some token holds: no cut inside it
             * (spaces as U+2581, newlines), passed over by comparing bytes */
            i = tok_run_end(s, i, n, cl);
        if (k == KNOWN && cp < 128 && !pending) {
            /* ASCII letters that are tokens, each pair held by some token (most words): no
             * cut, nothing dropped, in a tight loop on the exact table of ASCII pairs */
            while (i < n && s[i] < 0x80 && v->byte1[s[i]] != TOK_NO_ID && held(p, prev, s[i]))
                prev = s[i++];
            pcl = 1;
        }
    }
    return n;
}

size_t hf_pair_ascii(const hf_pair_bits *p, const tok_vocab *v, const uint8_t *s, size_t a,
                     size_t n)
{
    if (s[a] >= 0x80 || v->byte1[s[a]] == TOK_NO_ID)
        return 0;
    /* hf_pair_cut's tight loop from the first character on: every character so far a token,
     * so nothing pending and nothing dropped */
    size_t i = a + 1;
    while (i < n && s[i] < 0x80 && p->join[s[i - 1]][s[i]])
        i++;
    /* the end, or two ASCII tokens no merge holds side by side: where hf_pair_cut cuts */
    return i == n || (s[i] < 0x80 && v->byte1[s[i]] != TOK_NO_ID) ? i : 0;
}

#define HF_PAIR_WORD_MAX 64

size_t hf_pair_word(const hf_pair_bits *p, const tok_vocab *v, const uint8_t *s, size_t a,
                    size_t n)
{
    /* a word after a U+2581 only: elsewhere (base64, a run of letters) the cuts come every few
     * characters or never, and this look would be work done twice */
    if (n - a < 4 || !hf_is_sp(s + a))
        return 0;
    size_t i = a + 3;
    /* at most a word's length: where hf_pair_cut then cuts earlier (a long run of letters),
     * the next call starts there, and a longer look would be quadratic */
    size_t start = i, stop = n - i > HF_PAIR_WORD_MAX ? i + HF_PAIR_WORD_MAX : n;
    while (i < stop && s[i] < 0x80 && v->byte1[s[i]] != TOK_NO_ID)
        i++;
    if (i == start || n - i < 3 || !hf_is_sp(s + i) ||
        (p->no_cut_before_sp[s[i - 1] / 64] >> (s[i - 1] % 64) & 1))
        return 0;
    return i;
}

void hf_bpe_merge_whole(tok_tokenizer *t) { ((hf_pipeline *)t->impl)->model.whole_words = true; }
