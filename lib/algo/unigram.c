/* unigram: the best segmentation of a text under a unigram language model (Viterbi).
 *
 * As sentencepiece's EncodeOptimized (unigram_model.cc) and Hugging Face's encode_optimized
 * (models/unigram/model.rs): one pass over the character starts; from each, the trie walk
 * yields every piece that begins there, and each piece offers "best score here + its score" to
 * the position where it ends. Only the best path ending at each byte position is kept (12 or
 * 16 bytes per position), so time is O(n * longest piece) and memory O(n), with no lattice nodes
 * and nothing allocated per piece. A character where no one-character piece starts gets the
 * unknown piece, scored min - 10.
 *
 * The arithmetic is the reference's, bit for bit, since ties and near-ties decide ids:
 * sentencepiece keeps best-path scores in float but adds and compares a piece's score in double
 * (its user-defined bonus, length * max - 0.1, is a double expression), while the unknown
 * piece's score is added in float; Hugging Face works in double throughout. Ties keep the
 * first path found (strictly greater replaces). */
#include "algo/unigram.h"

#define NO_START UINT32_MAX

/* The best path ending at a byte position: sentencepiece keeps its score in a float, Hugging
 * Face in a double. */
typedef struct spm_end {
    float score;
    uint32_t start; /* where its last piece starts, NO_START if unreached */
    uint32_t id;
} spm_end;

typedef struct hf_end {
    double score;
    uint32_t start, id;
} hf_end;

/* The length of the character at s[pos], cut at n. */
static inline size_t char_at(const uint8_t *s, size_t pos, size_t n)
{
    size_t k = tok_spm_char_len(s[pos]);
    return k > n - pos ? n - pos : k;
}

/* sentencepiece: kinds is a constant in each instantiation (user-defined or unused pieces). */
static inline __attribute__((always_inline)) void forward_spm(const tok_unigram *u,
                                                              const uint8_t *s, size_t n,
                                                              spm_end *b, const bool kinds)
{
    const tok_trie_cell *cells = u->trie.cells;
    const bool any = u->trie.n_keys != 0;
    const float unk = u->fmin - 10.0f;
    for (size_t pos = 0; pos < n;) {
        const float here = b[pos].score;
        const size_t mblen = char_at(s, pos, n);
        bool single = false;
        uint32_t node = 0;
        for (size_t k = pos; any && k < n; k++) {
            uint32_t next = cells[node].base + s[k];
            if (cells[next].check != node)
                break;
            node = next;
            uint32_t id = cells[node].value;
            if (id == TOK_NO_ID)
                continue;
            size_t len = k + 1 - pos;
            double cand;
            if (kinds && u->kind[id] != TOK_UNI_NORMAL) {
                if (u->kind[id] == TOK_UNI_UNUSED)
                    continue;
                cand = ((double)((float)len * u->fmax) - 0.1) + here;
            } else {
                cand = (double)cells[node].score + here;
            }
            spm_end *tg = &b[k + 1];
            if (tg->start == NO_START || cand > tg->score) {
                tg->score = (float)cand;
                tg->start = (uint32_t)pos;
                tg->id = id;
            }
            if (len == mblen)
                single = true;
        }
        if (!single) {
            const float cand = unk + here; /* added in float, as there */
            spm_end *tg = &b[pos + mblen];
            if (tg->start == NO_START || cand > tg->score) {
                tg->score = cand;
                tg->start = (uint32_t)pos;
                tg->id = u->unk_id;
            }
        }
        pos += mblen;
    }
}

/* Hugging Face. Returns false when an unknown character won a position in a model without
 * unk_id (MissingUnkId). */
static bool forward_hf(const tok_unigram *u, const uint8_t *s, size_t n, hf_end *b)
{
    const tok_trie_cell *cells = u->trie.cells;
    const bool any = u->trie.n_keys != 0;
    const double unk = u->dmin - 10.0;
    bool ok = true;
    for (size_t pos = 0; pos < n;) {
        const double here = b[pos].score;
        const size_t mblen = char_at(s, pos, n);
        bool single = false;
        uint32_t node = 0;
        for (size_t k = pos; any && k < n; k++) {
            uint32_t next = cells[node].base + s[k];
            if (cells[next].check != node)
                break;
            node = next;
            uint32_t id = cells[node].value;
            if (id == TOK_NO_ID)
                continue;
            double cand = u->dscore[id] + here;
            hf_end *tg = &b[k + 1];
            if (tg->start == NO_START || cand > tg->score) {
                tg->score = cand;
                tg->start = (uint32_t)pos;
                tg->id = id;
            }
            if (k + 1 - pos == mblen)
                single = true;
        }
        if (!single) {
            double cand = unk + here;
            hf_end *tg = &b[pos + mblen];
            if (tg->start == NO_START || cand > tg->score) {
                if (u->unk_id == TOK_NO_ID)
                    ok = false;
                tg->score = cand;
                tg->start = (uint32_t)pos;
                tg->id = u->unk_id;
            }
        }
        pos += mblen;
    }
    return ok;
}

/* Follow the best path back from n; the pieces come out in text order. */
#define BACKTRACK(b, n, pieces, cnt)                                                          \
    do {                                                                                      \
        for (size_t end_ = (n); end_ > 0;) {                                                  \
            (pieces)[(cnt)++] = (tok_uni_piece){(b)[end_].start, (uint32_t)end_, (b)[end_].id}; \
            end_ = (b)[end_].start;                                                           \
        }                                                                                     \
        for (size_t i_ = 0, j_ = (cnt) - 1; i_ < j_; i_++, j_--) {                             \
            tok_uni_piece t_ = (pieces)[i_];                                                  \
            (pieces)[i_] = (pieces)[j_];                                                      \
            (pieces)[j_] = t_;                                                                \
        }                                                                                     \
    } while (0)

size_t tok_unigram_best(const tok_unigram *u, const uint8_t *s, size_t n, double *score,
                        tok_scratch *sc, tok_uni_piece **out)
{
    *out = NULL;
    if (n == 0)
        return 0;
    if (n >= UINT32_MAX - 1)
        return SIZE_MAX;
    size_t ends = (n + 1) * (u->spm ? sizeof(spm_end) : sizeof(hf_end));
    ends = (ends + 15) & ~(size_t)15;
    uint8_t *mem = tok_scratch_get(sc, ends + n * sizeof(tok_uni_piece));
    if (!mem)
        return SIZE_MAX;
    tok_uni_piece *pieces = (tok_uni_piece *)(mem + ends);
    size_t cnt = 0;
    if (u->spm) {
        spm_end *b = (spm_end *)mem;
        for (size_t i = 0; i <= n; i++)
            b[i] = (spm_end){0, NO_START, 0};
        b[0].score = (float)*score;
        if (u->kind)
            forward_spm(u, s, n, b, true);
        else
            forward_spm(u, s, n, b, false);
        BACKTRACK(b, n, pieces, cnt);
        *score = b[n].score;
    } else {
        hf_end *b = (hf_end *)mem;
        for (size_t i = 0; i <= n; i++)
            b[i] = (hf_end){0, NO_START, 0};
        b[0].score = *score;
        if (!forward_hf(u, s, n, b))
            return SIZE_MAX - 1;
        BACKTRACK(b, n, pieces, cnt);
        *score = b[n].score;
    }
    *out = pieces;
    return cnt;
}
