/* hf: the Hugging Face tokenizer.json format -- the pipeline that load/ builds and encode.c
 * runs. Includes core/ and the layers below it, never another format (the layer rule:
 * base/base.h). The folders follow huggingface/tokenizers' own (src/normalizers,
 * src/pre_tokenizers, src/models, src/processors, src/decoders, tokenizer/added_vocabulary.rs):
 *
 *   normalized_string.c  text with alignments (HF's NormalizedString), shared by every stage
 *   added_vocabulary.c   added tokens found in the raw and the normalized text
 *   normalizers/ pre_tokenizers/ models/ processors/ decoders/   one stage each
 *   encode.c             the general pipeline; encode_fast.c the byte-level fast path
 *   load/                tokenizer.json -> hf_pipeline (the only part that reads JSON)
 *
 *   raw text -> added tokens (not normalized) -> normalizer -> added tokens (normalized)
 *            -> pre-tokenizer -> model -> post-processor (with add-special) -> ids, spans
 *   ids -> decoder -> text
 *
 * Every stage works on a list of "splits" (hf_splits): pieces of normalized text, each byte
 * carrying the span of original bytes it came from, as HF's NormalizedString does; a split may
 * already be a token (an added token). Sequences of normalizers, pre-tokenizers and decoders are
 * flattened into arrays at load time. Component semantics follow huggingface/tokenizers 0.23;
 * each file names the Rust file it mirrors. */
#ifndef TOK_HF_H
#define TOK_HF_H

#include "algo/algo.h"
#include "algo/word_cache.h"
#include "base/pack.h"
#include "core/core.h"
#include "split/split.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- text with alignments (normalized_string.c) ---- */

/* Where the last stage's pieces go when no alignments are wanted: to the model as each is cut
 * (encode.c), in order, instead of onto a list the model reads afterwards -- counting keeps no
 * record per piece. token: TOK_NO_ID for text, else the added token the piece already is.
 * put says false to stop (the model failed, or memory ran out). */
typedef struct hf_piece_sink {
    bool (*put)(void *ctx, const uint8_t *p, size_t n, uint32_t token);
    void *ctx;
} hf_piece_sink;

typedef struct hf_splits {
    uint8_t *text;   /* all splits' normalized bytes, back to back */
    uint32_t *a0;    /* per text byte: original start (absolute input offset); NULL if untracked */
    uint32_t *a1;    /* per text byte: original end */
    size_t len, cap;
    struct hf_split {
        uint32_t off, len; /* bytes of text (a token split of an untracked list has none there:
                              * nothing reads them, hf_splits_add) */
        uint32_t token;    /* TOK_NO_ID, or the added token this split already is */
        uint32_t orig0, orig1; /* the original span of the whole split (its NormalizedString) */
    } *v;
    size_t n, vcap;
    bool track, oom;
    bool borrowed; /* text is the caller's input (hf_splits_view), not owned */
    /* Set on the pre-tokenizer's output list: its pieces (slices and copies) go here, not
     * into the list (untracked lists only) */
    const hf_piece_sink *sink;
    /* Counting only (untracked, no sink): a run of spaces that a one-byte Replace makes U+2581
     * loses rows of drop_row from inside when longer than HF_ROW_KEEP + drop_row, and dropped
     * counts them (hf_space_rows says when each row is one token); 0: nothing is dropped */
    uint32_t drop_row;
    size_t dropped;
} hf_splits;
/* What a run keeps when rows are dropped: a few rows, so its two ends are what they were */
#define HF_ROW_KEEP 128
typedef struct hf_split hf_split;

void hf_splits_init(hf_splits *s, bool track);
void hf_splits_reset(hf_splits *s); /* empty, keep memory */
void hf_splits_free(hf_splits *s);
/* Make room for extra more bytes, so pointers into the text stay valid while they are added. */
bool hf_splits_reserve(hf_splits *s, size_t extra);

/* An empty untracked list becomes one split that is src[0..n) itself, not a copy (the input
 * of a call, read by the first stage; src must outlive the list's use). Reset or free lets it
 * go; adding to it copies it first. */
bool hf_splits_view(hf_splits *s, const uint8_t *src, size_t n, uint32_t token, uint32_t orig0,
                    uint32_t orig1);
/* Append a split copying bytes src[0..n) whose alignments are a0/a1 (may be NULL: then every byte
 * aligns to its whole character at base + position, as a fresh NormalizedString). */
bool hf_splits_add(hf_splits *s, const uint8_t *src, size_t n, const uint32_t *a0,
                   const uint32_t *a1, uint32_t base, uint32_t token, uint32_t orig0,
                   uint32_t orig1);

/* Building one split by transformations, as NormalizedString::transform: begin, then push
 * (codepoint, change) for each output character -- change 0 replaces the next input character,
 * +1 inserts (aligned like the previous output byte), -k replaces the next input character and
 * removes k more -- then end. skip = characters of input dropped before the first output
 * (transform's initial_offset). in/ia0/ia1 describe the input split. */
typedef struct hf_tx {
    hf_splits *out;
    const uint8_t *in;
    const uint32_t *ia0, *ia1;
    size_t in_len, in_pos; /* byte position of the next input character */
    size_t start;          /* out->len when the split began */
    uint32_t first_a0;     /* the split's original start: insertions at the very front */
} hf_tx;

void hf_tx_begin(hf_tx *t, hf_splits *out, const uint8_t *in, const uint32_t *ia0,
                 const uint32_t *ia1, size_t in_len, size_t skip, uint32_t orig0);
bool hf_tx_push(hf_tx *t, uint32_t cp, int change);
/* Copy the next n input bytes unchanged (a run of "replace by itself"). */
bool hf_tx_copy(hf_tx *t, size_t n);
bool hf_tx_end(hf_tx *t, uint32_t token, uint32_t orig0, uint32_t orig1);
/* Without alignments (out->track false): s[0..n) written at the end of out's text with every
 * byte c replaced by rep[0..rl), rep first when front -- one pass after one reservation, where
 * hf_tx copies and inserts per match (Replace " " -> U+2581, Metaspace). With a sink, the text
 * is also sent as pieces cut before each rep written (Metaspace's MergedWithNext when the text
 * holds no rep of its own). false when out of memory or the sink fails. */
bool hf_splits_put_replacing(hf_splits *out, const uint8_t *s, size_t n, uint8_t c,
                             const uint8_t *rep, size_t rl, bool front,
                             const hf_piece_sink *sink);

/* ---- normalizers (normalizers/) ---- */

typedef enum hf_norm_kind {
    HF_NFC, HF_NFD, HF_NFKC, HF_NFKD, HF_LOWERCASE, HF_STRIP, HF_STRIP_ACCENTS, HF_REPLACE,
    HF_PREPEND, HF_NMT, HF_PRECOMPILED, HF_BYTELEVEL_NORM,
    /* BertNormalizer is loaded as these steps, in this order */
    HF_BERT_CLEAN, HF_BERT_CHINESE, HF_FILTER_NONSPACING
} hf_norm_kind;

typedef struct hf_norm {
    hf_norm_kind kind;
    bool left, right;                 /* Strip */
    char *pattern, *content;          /* Replace (string pattern or regex), Prepend */
    size_t pattern_len, content_len;
    void *regex;                      /* Replace with a Regex pattern (pcre2_code) */
    bool literal;                     /* Replace with a non-empty String: found by tok_find */
    uint8_t run_byte;                 /* Replace with a Regex "c{m,}" (c a plain ASCII */
    uint32_t run_min;                 /* character, T5's " {2,}"): runs found by memchr; 0 not */
    void *charsmap;                   /* Precompiled (charsmap.h) */
} hf_norm;

/* Apply one normalizer to split i of in, appending the result to out as one split (possibly
 * empty). false when out of memory. */
bool hf_normalize(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out);
/* Normalizers norms[0..n) from the first: applies one, or two in one pass (a Prepend and the
 * one-byte Replace after it, as Mistral's and Llama 2's files have them: no whole copy of the
 * text between them), to split i of in into out. Returns how many it applied, 0 when out of
 * memory. */
size_t hf_normalize_next(const hf_norm *norms, size_t n, const hf_splits *in, size_t i,
                         hf_splits *out);
/* Skip n input bytes without output (the matched text a replacement stands for). */
void hf_tx_skip(hf_tx *t, size_t n);
/* Insert the valid UTF-8 s[0..n), each character as hf_tx_push(cp, 1) (aligned with the input
 * character before it); without alignments, a copy. */
bool hf_tx_insert(hf_tx *t, const uint8_t *s, size_t n);
/* Copy split i of in to out unchanged. */
bool hf_splits_copy(hf_splits *out, const hf_splits *in, size_t i);

/* ---- pre-tokenizers (pre_tokenizers/) ---- */

typedef enum hf_behavior {
    HF_REMOVED, HF_ISOLATED, HF_MERGED_PREV, HF_MERGED_NEXT, HF_CONTIGUOUS
} hf_behavior;

typedef enum hf_pretok_kind {
    HF_PT_BYTELEVEL, HF_PT_SPLIT, HF_PT_METASPACE, HF_PT_WHITESPACE, HF_PT_WHITESPACE_SPLIT,
    HF_PT_BERT, HF_PT_PUNCTUATION, HF_PT_DIGITS, HF_PT_CHAR_DELIMITER, HF_PT_UNICODE_SCRIPTS,
    HF_PT_FIXED_LENGTH
} hf_pretok_kind;

typedef enum hf_prepend { HF_PREPEND_ALWAYS, HF_PREPEND_FIRST, HF_PREPEND_NEVER } hf_prepend;

typedef struct hf_pretok {
    hf_pretok_kind kind;
    bool add_prefix_space, use_regex, trim_offsets; /* ByteLevel */
    void *regex;             /* Split (pcre2_code, also for string patterns, escaped) */
    tok_pretok_fn scan;      /* Split: a hand-written scanner proven equal to the regex */
    char *pattern;           /* Split: the regex's text (NULL for a string pattern) */
    uint8_t literal_byte;    /* Split: a string pattern of one byte, that byte; else 0 */
    size_t pattern_len;
    bool looks_back;         /* Split, ByteLevel: the regex looks behind a search's start */
    hf_behavior behavior;    /* Split, Punctuation */
    bool invert;             /* Split */
    uint32_t replacement;    /* Metaspace: the replacement character */
    hf_prepend prepend;      /* Metaspace */
    bool split;              /* Metaspace */
    bool individual_digits;  /* Digits */
    uint32_t delimiter;      /* CharDelimiterSplit */
    size_t length;           /* FixedLength */
} hf_pretok;

/* Apply one pre-tokenizer to every split of in that is not a token yet, writing out (tokens are
 * copied through). tmp is scratch for two-step pre-tokenizers. */
bool hf_pretokenize(const hf_pretok *pt, const hf_splits *in, hf_splits *out, hf_splits *tmp);
/* Text every character of which NFC leaves alone (hf_nfc_inert): NFC(s) is s. false means
 * "not known", not "changes". Linear, one property lookup per non-ASCII character. */
bool hf_nfc_quick(const uint8_t *s, size_t n);
bool hf_nfc_inert(uint32_t cp);
/* Whether NFD (NFKD with compat) as HF's tables have it leaves s[0..n) alone: exact, one
 * decomposition lookup per non-ASCII character, stopping at the first that changes. */
bool hf_nfd_quick(const uint8_t *s, size_t n, bool compat);

/* Precompiled normalizer (the charsmap; normalizers/precompiled.c). */
bool hf_precompiled(const hf_norm *nm, const hf_splits *in, size_t i, hf_splits *out);

/* ---- models (models/) ---- */

typedef enum hf_model_kind { HF_BPE, HF_WORDPIECE, HF_WORDLEVEL, HF_UNIGRAM } hf_model_kind;

/* One slot of the merge table: key and value side by side, so a lookup touches one cache line
 * (the table of a 256k vocabulary is 16 MB, and the merge loop is mostly its cache misses). */
typedef struct hf_merge {
    uint64_t key; /* left << 32 | right; UINT64_MAX: empty */
    uint32_t rank, id;
} hf_merge;

typedef struct hf_model {
    hf_model_kind kind;
    /* The vocabulary is the tokenizer's tok_vocab: token bytes as the model sees them (for
     * byte-level BPE the bytes the ByteLevel alphabet stands for). */
    uint32_t unk_id;         /* TOK_NO_ID if none (or not in the vocabulary) */
    char *unk_token;         /* its text, NULL if none */
    /* BPE */
    hf_merge *merges;        /* open addressing on (left, right) */
    uint32_t merge_bits;
    bool merges_view;        /* merges point into a packed file (not freed with the model) */
    bool byte_fallback, fuse_unk, ignore_merges, byte_level;
    char *prefix, *suffix;   /* continuing_subword_prefix, end_of_word_suffix */
    size_t prefix_len, suffix_len;
    uint32_t byte_ids[256];  /* byte_fallback: id of <0xXX>, or TOK_NO_ID */
    /* The model's id in the per-thread word cache (0: no cache). */
    uint64_t cache_id;
    /* No merge can join a character to a following U+2581 (checked at load): text can be cut
     * before every U+2581 that follows another character and each word merged alone. */
    bool cut_words;
    /* hf_may_drop's answer, worked out when the file opens (hf_bpe_prepare_words): a U+2581
     * after a character the model drops may continue the run before it, so such a model is
     * cut by the pair cut, not at every U+2581 (bpe.c) */
    bool may_drop;
    /* hf_merges_plain(vocab, model, false), when a pack recorded it: 0 not known (asked on the
     * first long word, a pass over every merge), 1 not plain, 2 plain */
    uint8_t plain_known;
    /* The merges are tiktoken's rank BPE over the vocabulary (models/bpe_ranks.c, decided when
     * packing): the fast path encodes with algo/'s rank core. unreach lists, sorted, the tokens
     * no merge makes, which without ignore_merges a whole piece is not taken as. */
    bool rank_bpe, unreach_view;
    uint32_t n_unreach;
    const uint32_t *unreach;
    /* A byte-level file opened without a pack: the same question, asked when the fast path
     * first meets a piece of HF_RANK_LAZY_MIN bytes or more (models/bpe_ranks.c). NULL when
     * the answer is known. */
    struct hf_lazy_rank *lazy;
    /* The character pairs some token holds, for cutting long words where no merge can cross
     * (models/bpe_pairs.c); built on the first long word. */
    _Atomic(struct hf_pair_bits *) pairs;
    bool whole_words;        /* a test's switch: no parts */
    /* WordPiece */
    size_t max_input_chars_per_word;
    void *wordpiece;         /* the tokens as a trie (wordpiece.c), built when the file opens */
    /* Unigram */
    void *unigram;
} hf_model;

/* Do p[0..3) hold U+2581, SentencePiece's space (E2 96 81), which starts the words of
 * SentencePiece-style models? */
static inline bool hf_is_sp(const uint8_t *p)
{
    return p[0] == 0xE2 && p[1] == 0x96 && p[2] == 0x81;
}

/* models/bpe_pairs.c: the pair set of m (NULL when out of memory), and the first boundary b in
 * s[a..n) at least min bytes after a that no merge can cross (n if none), with the bytes of
 * the characters dropped in s[a..b) (no unknown token: HF's offsets leave them out) and the
 * token of the character at a (TOK_NO_ID if it is not one). */
typedef struct hf_pair_bits hf_pair_bits;
const hf_pair_bits *hf_pair_bits_get(const tok_tokenizer *t, const hf_model *m);
/* models/bpe.c: no merge involves a byte-fallback or the unknown token and every merge makes
 * a vocabulary token; with words, also cut_words' U+2581 condition. false when out of memory. */
bool hf_merges_plain(const tok_vocab *v, const hf_model *m, bool words);
void hf_pair_bits_free(hf_pair_bits *p);
/* The last character above ASCII looked up, kept by a caller between cuts (U+2581 starts and
 * ends every word); cp UINT32_MAX: none yet. */
typedef struct hf_pair_memo {
    uint32_t cp, id;
    int kind;
} hf_pair_memo;
size_t hf_pair_cut(const hf_pair_bits *p, const tok_vocab *v, const hf_model *m,
                   const uint8_t *s, size_t a, size_t n, size_t min, size_t *dropped,
                   uint32_t *first_id, hf_pair_memo *memo);
/* A cut hf_pair_cut may pass over, found fast in prose: s[a..) as a U+2581, then at most 64
 * ASCII characters that are tokens, then a U+2581 that no merge joins to the last of them --
 * the U+2581's place (always more than one character after a), or 0: ask hf_pair_cut. Not
 * cutting is always exact, so a cut it passes over inside the word changes nothing. */
size_t hf_pair_word(const hf_pair_bits *p, const tok_vocab *v, const uint8_t *s, size_t a,
                    size_t n);
/* Can m drop a character (no token, no unknown token, not all its bytes fallback tokens)?
 * What follows it then meets what came before it, and HF's offsets do not count it. */
bool hf_may_drop(const hf_model *m);
/* A word w[0..n) that starts with 2 <= k <= HF_LEAD_MAX U+2581 and, when more follows, a
 * character that is a token: where the run ends (3k), with *id the run's one token, when HF's
 * merge of the word is that token then the merge of the rest alone (the argument is in
 * models/bpe_pairs.c); else 0. */
#define HF_LEAD_MAX 64
size_t hf_pair_lead(const hf_pair_bits *p, const tok_vocab *v, const uint8_t *w, size_t n,
                    uint32_t *id);
/* hf_pair_cut's cut (min 1) of a word of ASCII tokens from s[a], found by the table of ASCII
 * pairs alone (base64, code: a cut every few characters), or 0: ask hf_pair_cut (a character
 * above ASCII or not a token before the cut). Nothing is dropped before it. */
size_t hf_pair_ascii(const hf_pair_bits *p, const tok_vocab *v, const uint8_t *s, size_t a,
                     size_t n);

/* Where the merge table's probe for key starts (the loader and the lookup must agree). */
static inline uint32_t hf_merge_home(uint64_t key, uint32_t mask)
{
    return (uint32_t)(tok_fib_hash(key) >> 40) & mask;
}

/* The pair (left, right) merges into *merged with priority *rank (lower first). */
static inline bool hf_merge_lookup(const hf_model *m, uint32_t left, uint32_t right,
                                   uint32_t *rank, uint32_t *merged)
{
    if (!m->merges)
        return false;
    uint64_t key = (uint64_t)left << 32 | right;
    uint32_t mask = (1u << m->merge_bits) - 1;
    for (uint32_t i = hf_merge_home(key, mask);; i = (i + 1) & mask) {
        uint64_t k = m->merges[i].key;
        if (k == UINT64_MAX)
            return false;
        if (k == key) {
            *rank = m->merges[i].rank;
            *merged = m->merges[i].id;
            return true;
        }
    }
}

/* Tokenize one split's text with the model: pushes (id, start, end) relative to the split.
 * A model calls hf_tokens_settled where every token it pushed so far is final (between words,
 * after a Viterbi piece): the pipeline may then take them out (drain), so a piece of millions
 * of tokens is not held whole when only a count or a stream of ids is wanted. */
typedef struct hf_tokens {
    uint32_t *id, *start, *end;
    size_t n, cap;
    bool oom;
    bool (*drain)(void *ctx, struct hf_tokens *t); /* empties t; false when out of memory */
    void *drain_ctx;
} hf_tokens;
/* Room for more tokens after t->n (models/bpe.c); false (and oom) when out of memory. */
bool hf_tokens_room(hf_tokens *t, size_t more);
static inline bool hf_tokens_push(hf_tokens *t, uint32_t id, uint32_t start, uint32_t end)
{
    if (t->n == t->cap && !hf_tokens_room(t, 1))
        return false;
    t->id[t->n] = id;
    t->start[t->n] = start;
    t->end[t->n] = end;
    t->n++;
    return true;
}
/* The per-thread word cache (algo/word_cache.h) for a model's words: an entry's tokens pushed
 * at base + their offsets (false: out of memory), and the tokens pushed since first, a word
 * w[0..n) at base, kept in slot (which may be NULL: nothing kept). */
bool hf_tokens_from_cache(hf_tokens *out, const tok_wc_entry *e, uint32_t base);
void hf_tokens_to_cache(tok_wc_entry *slot, uint64_t owner, const uint8_t *w, size_t n,
                        const hf_tokens *out, size_t first, uint32_t base);
#define HF_TOKENS_DRAIN_AT 4096
static inline void hf_tokens_settled(hf_tokens *t)
{
    if (t->drain && t->n >= HF_TOKENS_DRAIN_AT && !t->drain(t->drain_ctx, t))
        t->oom = true;
}

tok_status hf_bpe_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                           hf_tokens *out, tok_scratch *sc);
/* One word through HF's merge loop, as it is (on runs of a repeated symbol when it is mostly
 * those, models/bpe_runs.c) or symbol by symbol when runs is false: the two agree (a test). */
tok_status hf_bpe_merge(const tok_tokenizer *t, const hf_model *m, const uint8_t *s, size_t n,
                        hf_tokens *out, tok_scratch *sc, bool runs);
/* After loading: the model's cache id, and whether its BPE may work word by word (known: the
 * answer a pack recorded, 0 or 1; -1: work it out). */
void hf_bpe_prepare_words(const tok_vocab *v, hf_model *m, int known);
/* Are m's merges tiktoken's rank BPE over t's vocabulary (models/bpe_ranks.c)? When they are,
 * *unreach (malloc'd, sorted; NULL when empty) gets the tokens no merge makes, and *splits
 * (when splits is not NULL; malloc'd) the true splits it worked out, for
 * tok_bpe_tables_add_known. */
bool hf_bpe_ranks_check(const tok_tokenizer *t, const hf_model *m, uint32_t **unreach,
                        uint32_t *n_unreach, uint32_t **splits);
/* The rank core for a file opened without a pack, on pieces this long: below it HF's merge loop
 * costs less than the check (a few hundred milliseconds), and its memory is bounded by it. */
#define HF_RANK_LAZY_MIN (64u * 1024)
/* The character-level tables as a pack keeps them: a tok_vocab blob (with the linear
 * encoder's tables), its ids' model ids, and its short anomalies. */
typedef struct hf_lazy_packed {
    const void *vocab;
    size_t vocab_len;
    const uint32_t *to_model, *short_anom;
    size_t n_to_model, n_short;
} hf_lazy_packed;
typedef struct hf_lazy_rank {
    /* byte-level: the tokenizer's vocabulary plus the linear encoder's tables */
    tok_vocab v;
    uint32_t *unreach, n_unreach;
    /* character-level (Metaspace, SentencePiece-style): a vocabulary of its own, renumbered
     * (algo/bpe_chars.c), with bytes and partial characters as tokens below everything else */
    tok_char_rank cr;
    /* Character-level, from a pack (hf_lazy_rank_adopt): cr is read in place from these
     * sections, checked on first use instead of built; nothing of it is owned. */
    bool from_pack;
    hf_lazy_packed packed;
    /* Packs that may hold this very model (hf_lazy_rank_twin: api/shipped_twin.c names them
     * when a tokenizer.json opens). On first use, the first whose vocabulary and merges are
     * equal lends its tables instead of the build -- byte-level: v and unreach; character-
     * level: packed -- pointing into its mapping, kept until free. */
    char *twins[4];
    unsigned n_twins;
    void *twin_map;
    size_t twin_map_len;
    /* Byte-level: a built-in encoding whose vocabulary may be this model's (hf_lazy_rank_builtin:
     * the GPT-2, GPT-4 and GPT-4o tokenizer.json files). Its tables are proven already, so the
     * question costs a comparison and a merge-table probe per token, not the build: it is
     * asked on the first piece (eager), not the first long one. */
    tok_vocab builtin;
    bool has_builtin;
    _Atomic int eager;
    _Atomic uint64_t spent; /* bytes of text through the merge loop (hf_lazy_rank_spend) */
    pthread_mutex_t mu;
    _Atomic int state;         /* 0: not asked yet, 1: rank BPE, 2: not (or no memory) */
    bool oom;                  /* state 2 for want of memory (character-level) */
} hf_lazy_rank;
hf_lazy_rank *hf_lazy_rank_new(void);
void hf_lazy_rank_free(hf_lazy_rank *z);
/* A packed tokenizer's character-level tables (formats/hf/load/packed.c), in place of the
 * build: the pack must outlive z. */
void hf_lazy_rank_adopt(hf_lazy_rank *z, const hf_lazy_packed *p);
/* A pack (its path) that may hold m's very model: tried, in the order given, before the build
 * (at most four are kept; false when none more is). */
bool hf_lazy_rank_twin(hf_lazy_rank *z, const char *pack_path);
/* A built-in encoding's vocabulary w (with its tables; it must outlive z) that may be t's
 * byte-level model's: cheap checks now (its size, a sample of its tokens), the proof on the
 * first piece. True when noted. */
bool hf_lazy_rank_builtin(const tok_tokenizer *t, const tok_vocab *w);
/* formats/hf/load/packed.c: when the pack at path holds t's vocabulary and m's merges, byte for
 * byte, with the rank tables (byte-level: and the proof that they are rank BPE; character-
 * level: the renumbered vocabulary's sections): its tables lent to z (true).
 * hf_pack_may_lend is the cheap first look, on a pack's header: its vocabulary's size and
 * merge table's length are m's. */
bool hf_pack_may_lend(const tok_pack_view *p, const tok_tokenizer *t, const hf_model *m);
bool hf_pack_lend_tables(const char *path, const tok_tokenizer *t, const hf_model *m,
                         hf_lazy_rank *z);
/* t's BPE model, when its lazy rank tables are still to be worked out (a pack may lend them),
 * else NULL. */
const hf_model *hf_twin_wanted(const tok_tokenizer *t);
/* m's lazy answer, worked out on the first call (once, under the lock): NULL when the merges
 * are not rank BPE. */
const hf_lazy_rank *hf_lazy_rank_get(const tok_tokenizer *t, const hf_model *m);
/* The built-in encoding's proof alone (hf_lazy_rank_ready's slow path): m's tables, or NULL and
 * never asked again. */
const hf_lazy_rank *hf_lazy_rank_first(const tok_tokenizer *t, const hf_model *m);
/* Byte-level, for a piece of any length: m's tables when they are worked out already (a long
 * piece asked), or at hand without a build (a built-in encoding's, hf_lazy_rank_builtin: the
 * first piece asks, once), else NULL. */
static inline const hf_lazy_rank *hf_lazy_rank_ready(const tok_tokenizer *t, const hf_model *m)
{
    hf_lazy_rank *z = m->lazy;
    if (!z || !m->byte_level)
        return NULL;
    int s = atomic_load_explicit(&z->state, memory_order_acquire);
    if (s == 1)
        return z;
    if (s == 0 && atomic_load_explicit(&z->eager, memory_order_relaxed))
        return hf_lazy_rank_first(t, m);
    return NULL;
}
/* Byte-level: n more bytes of text (a call's) are on their way through m's merge loop. Once
 * they add up to about what working the tables out costs (HF_RANK_SPEND_PER_ID bytes a token:
 * 0.7 s for Cohere's 255,000 tokens, which the merge loop spends on 13-55 MB), the tables are
 * worked out: rent until the rent paid equals the price, then buy, so a corpus never costs
 * much more than twice the better choice, and a short text never pays for the build. */
#define HF_RANK_SPEND_PER_ID 64u
static inline void hf_lazy_rank_spend(const tok_tokenizer *t, const hf_model *m, size_t n)
{
    hf_lazy_rank *z = m->lazy;
    if (!z || !m->byte_level || atomic_load_explicit(&z->state, memory_order_relaxed) != 0)
        return;
    uint64_t was = atomic_fetch_add_explicit(&z->spent, n, memory_order_relaxed);
    if (was + n >= (uint64_t)HF_RANK_SPEND_PER_ID * t->vocab.n_ids)
        (void)hf_lazy_rank_get(t, m);
}
/* Character-level: one word s[0..n) by the rank core when every character is a token (else
 * false, nothing pushed, *st TOK_OK); *st TOK_ENOMEM when out of memory. With drain the tokens
 * may leave as they are pushed (hf_tokens_settled): the caller reads none of them back. */
bool hf_lazy_rank_word(const hf_lazy_rank *z, const uint8_t *s, size_t n, hf_tokens *out,
                       tok_scratch *sc, uint32_t base, bool drain, tok_status *st);

tok_status hf_wordpiece_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                                 size_t n, hf_tokens *out);
tok_status hf_wordlevel_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                                 size_t n, hf_tokens *out);
tok_status hf_unigram_tokenize(const tok_tokenizer *t, const hf_model *m, const uint8_t *s,
                               size_t n, hf_tokens *out, tok_scratch *sc);

/* ---- added tokens (added_vocabulary.c) ---- */

typedef struct hf_added {
    uint8_t *content;        /* as written in the file */
    uint8_t *normalized;     /* the normalizer's output for normalized tokens, else == content */
    size_t len, nlen;
    uint32_t id;
    bool special, single_word, lstrip, rstrip, is_normalized;
    /* decode with skip-special drops it: HF tests the string it decodes (the normalized
     * form) against the special tokens' contents, so a normalized special token whose
     * normalizer changes it is kept, in its normalized form */
    bool decode_skip;
} hf_added;

/* ---- post-processors (processors/) ---- */

typedef struct hf_piece {
    bool is_sequence;        /* $A / $B, else a special token */
    int seq;                 /* 0 = A, 1 = B */
    uint32_t type_id;
    uint32_t *ids;           /* special token ids */
    size_t n_ids;
} hf_piece;

typedef struct hf_post {
    bool present;
    hf_piece *single;        /* TemplateProcessing / Bert / Roberta, for one sequence */
    size_t n_single;
    bool bytelevel_trim, bytelevel_prefix; /* a ByteLevel processor (trim_offsets) */
    bool roberta_trim, roberta_prefix;     /* RobertaProcessing's trim_offsets */
} hf_post;

/* ---- decoders (decoders/) ---- */

typedef enum hf_dec_kind {
    HF_DEC_BYTELEVEL, HF_DEC_METASPACE, HF_DEC_WORDPIECE, HF_DEC_BPE, HF_DEC_BYTEFALLBACK,
    HF_DEC_FUSE, HF_DEC_STRIP, HF_DEC_REPLACE, HF_DEC_CTC
} hf_dec_kind;

typedef struct hf_dec {
    hf_dec_kind kind;
    bool pattern_regex;      /* Replace: the pattern is a Regex (else a String) */
    size_t pattern_len;      /* Replace */
    uint32_t replacement;    /* Metaspace */
    hf_prepend prepend;      /* Metaspace */
    char *prefix, *suffix, *pad_token, *word_delimiter; /* WordPiece prefix, BPE suffix, CTC */
    size_t prefix_len;
    bool cleanup;            /* WordPiece, CTC */
    uint32_t content;        /* Strip: the character */
    size_t start, stop;      /* Strip */
    char *pattern, *with;    /* Replace */
    void *regex;
} hf_dec;

/* ---- the pipeline ---- */

typedef struct hf_pipeline {
    hf_norm *norms;
    size_t n_norms;
    hf_pretok *pretoks;
    size_t n_pretoks;
    hf_model model;
    hf_added *added;
    size_t n_added;
    tok_specials raw_match, norm_match; /* added tokens matched before / after normalizing;
                                           their "ids" index into added[] */
    hf_post post;
    hf_dec *decs;
    size_t n_decs;
    bool has_decoder;
    size_t trunc_max;        /* truncation max_length, 0 if none */
    bool trunc_left;
    /* The fast path: no normalizer, and one known regex split on bytes straight to BPE. */
    tok_pretok_fn fast_scan;
    void *fast_regex;        /* the split's regex when there is no scanner */
    bool fast, fast_keep_gaps;
    bool fast_looks_back;    /* the fast path's regex looks behind (no budget cuts) */
    bool needs_align;        /* a component reads original offsets (Metaspace "first") */
    /* cut_general.c's question about the first normalizer, asked on the first cut: 0 not yet,
     * 1 it maps each printable ASCII character alone to itself, 2 it does not */
    _Atomic int ascii_kept;
    /* hf_space_rows's answer, worked out on first use: 0 not yet, 1 none, else K + 1 */
    _Atomic int space_rows;
    _Atomic uint64_t rows_dropped; /* rows counted without being normalized (for tests) */
    uint8_t *verbatim;       /* byte-level vocabularies: ids whose bytes are their string */
    uint32_t *added_by_id;   /* (id, index into added) pairs sorted by id */
    /* A packed tokenizer's file, which the tables point into: mapped, or a malloc'd copy. */
    void *backing;
    size_t backing_len;
    bool backing_mapped;
} hf_pipeline;

/* encode_words.c: is the pipeline BERT-shaped (BertNormalizer's steps and Unicode forms,
 * BertPreTokenizer alone, no added token on normalized text)? Then hf_words_pieces appends the
 * pre-tokenized pieces of split i of in to out, plain ASCII words in one pass and the rest
 * through the stages (x, y, tmp: spare lists). false when out of memory, or when the sink
 * said no.
 *
 * With a sink on out (out->sink: no alignments wanted), each piece goes to it as soon as it is
 * cut, in order, instead of onto out. */
bool hf_words_shape(const hf_pipeline *hp);
bool hf_words_pieces(const hf_pipeline *hp, const hf_splits *in, size_t i,
                     hf_splits *out, hf_splits *x, hf_splits *y, hf_splits *tmp);

/* The added token with this id, or NULL. */
const hf_added *hf_added_of(const hf_pipeline *hp, uint32_t id);
static inline bool hf_is_verbatim(const hf_pipeline *hp, uint32_t id)
{
    return hp->verbatim && (hp->verbatim[id / 8] >> (id % 8) & 1);
}
void hf_pipeline_free(hf_pipeline *hp);
/* The fast path (encode_fast.c) and the general one (encode.c). */
void hf_fast_check(tok_tokenizer *t);
tok_status hf_encode_fast(const tok_tokenizer *t, const uint8_t *s, size_t n,
                          const tok_encode_options *opts, tok_out *o, tok_call *call,
                          tok_error *err);
/* K when counting may drop rows of K spaces from inside a long run, each one token (rows.c);
 * 0 when that is not proven for t's pipeline under policy. */
uint32_t hf_space_rows(const tok_tokenizer *t, tok_special_policy policy);
tok_status hf_encode_general(const tok_tokenizer *t, const uint8_t *s, size_t n,
                             const tok_encode_options *opts, tok_out *o, tok_call *call,
                             tok_error *err);
/* Run every later encode of t through the general pipeline even where the fast path applies:
 * the tests compare the two. Call before t is shared. */
void hf_use_general_path(tok_tokenizer *t);
/* For tests: a Unigram model's Viterbi settles every `every` positions (algo/unigram.c;
 * 0: the default). No effect on other models. */
void hf_unigram_settle_every(tok_tokenizer *t, size_t every);
/* For tests: a BPE model merges every word whole, never in parts (models/bpe_pairs.c). */
void hf_bpe_merge_whole(tok_tokenizer *t);
/* Where the next added token of sp that policy matches starts in s[from..to) (to when none),
 * its index in sp->toks in *which: special tokens are plain text under the ordinary policy,
 * and the search goes on after them. For the paths that take the tokens out of raw bytes
 * (encode_fast.c, cut.c). */
size_t hf_next_added(const hf_pipeline *hp, const tok_specials *sp, const uint8_t *s,
                     size_t from, size_t to, tok_special_policy policy, size_t *which);
/* AddedVocabulary::find_matches on split i of in (added_vocabulary.c): text and token splits
 * to out. false when out of memory, or with *st set when the policy rejects special text. With
 * untouched, a split no token is cut from is not copied: *untouched says so. */
bool hf_split_added(const hf_pipeline *hp, const tok_specials *match, tok_special_policy policy,
                    const hf_splits *in, size_t i, hf_splits *out, const tok_call *call,
                    tok_error *err, tok_status *st, bool *untouched);
void hf_post_process(const tok_tokenizer *t, const uint8_t *s, size_t n, uint32_t *ids,
                     tok_span *spans, size_t nt, bool add_special, tok_out *o);
/* Streaming instead (processors.c): when hf_post_streams, the template's tokens before the
 * sequence (head), the sequence's tokens pushed as they come, then those after it. */
bool hf_post_streams(const hf_pipeline *hp, bool want_spans);
void hf_post_around(const tok_tokenizer *t, bool add_special, bool head, tok_out *o);
tok_status hf_decode(const tok_tokenizer *t, const uint32_t *ids, size_t n, unsigned flags,
                     tok_buf *buf, tok_error *err);
/* Where a text may be cut (cut.c; tok_format_ops.cut), and TOK_CUT_ANY's cuts off the fast
 * path (cut_general.c). */
bool hf_cut(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s, size_t n,
            tok_cut_kind kind, size_t *p, size_t *q);
bool hf_cut_general(const tok_tokenizer *t, const tok_encode_options *opts, const uint8_t *s,
                    size_t n, size_t *p, size_t *q);
/* The pieces of decoding the batch decoder (decoders/decoders.c) and the stream
 * (decoders/decode_stream.c) share.
 * hf_dec_token: the string id decodes from -- an added token's normalized content, else the
 * model's token (byte-level ones back in the byte alphabet, written to scratch): 1 with *s and
 * *n set, 0 when TOK_DECODE_SKIP_SPECIAL drops it, -1 for an unused id, -2 when out of memory. */
int hf_dec_token(const tok_tokenizer *t, uint32_t id, unsigned flags, tok_buf *scratch,
                 const uint8_t **s, size_t *n);
/* A decoder that maps each string of its list to one string (Metaspace, WordPiece, BPEDecoder,
 * Strip, Replace) on s[0..n), the index-th string of the list (last: the list's last one),
 * appended to out. */
bool hf_dec_map(const hf_dec *d, const uint8_t *s, size_t n, size_t index, bool last,
                tok_buf *out);
/* CTC's map of one string: pad token removed; with cleanup, WordPiece's cleanup and the word
 * delimiter as a space. */
bool hf_dec_ctc(const hf_dec *d, const uint8_t *s, size_t n, tok_buf *out);
#define HF_CLEANUP_PAIRS 11
extern const char *const hf_cleanup_pairs[HF_CLEANUP_PAIRS][2]; /* in the order they apply */
/* ByteFallback: the byte of a "<0xHH>" token, else -1. */
int hf_dec_byte_token(const uint8_t *s, size_t n);
/* ByteLevel: a token string's bytes (its own bytes when a character is not in the alphabet)
 * appended to out. */
bool hf_bytelevel_put(tok_buf *out, const uint8_t *s, size_t n);
/* Bytes p[0..n) as String::from_utf8_lossy into out: one U+FFFD per maximal invalid subpart.
 * Unless final, stops before an unfinished sequence at the end. Returns the bytes consumed. */
size_t hf_dec_lossy(const uint8_t *p, size_t n, bool final, tok_buf *out);
extern const tok_stream_ops hf_stream_ops; /* the decoder chain, streaming */
void hf_unigram_free(void *u);
/* WordPiece's trie of the vocabulary (t->vocab and m->prefix set); false when out of memory. */
bool hf_wordpiece_build(const tok_tokenizer *t, hf_model *m);
void hf_wordpiece_free(void *w);
void hf_charsmap_free(void *c);
/* Run the normalizer chain on s[0..n): a malloc'd result (NUL-terminated), NULL on OOM. */
char *hf_normalize_string(const hf_pipeline *hp, const char *s, size_t n, size_t *out_len);

extern const tok_format_ops hf_ops;

/* A tokenizer.json in data[0..len) (load/tokenizer_json.c); source names it in messages. */
tok_status tok_open_hf(const uint8_t *data, size_t len, const char *source, tok_tokenizer **out,
                       tok_error *err);

/* Packs (load/packed.c): the tokenizer.json data[0..len) compiled into one malloc'd block, with
 * the tokenizer_config.json chat[0..chat_len) kept beside it when chat is not NULL; and a pack
 * opened, taking over backing (the memory p points into: munmap'd when mapped, else freed),
 * even when it fails. */
#define TOK_PACK_HF 1
tok_status tok_hf_pack(const uint8_t *data, size_t len, const char *source, const uint8_t *chat,
                       size_t chat_len, void **out, size_t *out_len, tok_error *err);
tok_status tok_open_hf_packed(const tok_pack_view *p, void *backing, bool mapped, const char *source,
                              tok_tokenizer **out, tok_error *err);
/* The tokenizer.json a pack was made from: its SHA-256 as 64 lowercase hex digits and its byte
 * length (UINT64_MAX when the pack predates recording it). False when p is not an HF pack or
 * does not say. */
bool tok_hf_pack_source(const tok_pack_view *p, char sha_hex[65], uint64_t *len);

/* The byte-level alphabet (pre_tokenizers/byte_level.c), shared by the pre-tokenizer, the
 * decoder and the loader. */
uint32_t hf_bytelevel_char(uint8_t b); /* the GPT-2 byte-to-character map */
int hf_bytelevel_byte(uint32_t cp);    /* its inverse, -1 if cp is not in the alphabet */
/* Decode a byte-level string s[0..n) (valid UTF-8) to raw bytes in out (n bytes room); returns
 * the length, or SIZE_MAX if a character is not in the alphabet. */
size_t hf_bytelevel_decode(const uint8_t *s, size_t n, uint8_t *out);

#endif
