/* presets: the split patterns that have a hand-written scanner, verbatim from their sources.
 * A pattern gets a scanner only when its text is exactly one of these and it is read in a
 * dialect the scanner was proven in (tests/unit/test_pretok.c checks each scanner against PCRE2
 * reading the pattern in each of its dialects on random text, and the goldens check them
 * against the references' ids: tiktoken for the Rust dialect, HF tokenizers for Oniguruma). */
#include "split/split.h"

#include <string.h>

/* tiktoken 0.14's r50k_pat_str; the GPT-2 original is the equivalent
 * 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
#define R50K_PAT "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s"
#define CL100K_PAT                                                                          \
    "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|" \
    "\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s"
#define O200K_PAT                                                                                  \
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"     \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"                                                               \
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"     \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"                                                               \
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

/* GPT-2's original spelling: HF ByteLevel's built-in regex (pre_tokenizers/byte_level.rs) */
#define GPT2_PAT "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
/* tokenizer.json Split patterns: Llama 3 / 3.1 / 3.2 and GPT-4 in HF form (cl100k's older
 * spelling); Qwen 1.5 / 2.5 / 3; Mistral NeMo (Tekken). */
#define LLAMA3_PAT                                                                           \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|" \
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define QWEN2_PAT                                                                            \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"      \
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define TEKKEN_PAT                                                                                 \
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|"       \
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|"       \
    "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

#define RUST (1u << TOK_REGEX_RUST)
#define ONIG (1u << TOK_REGEX_ONIG)

/* .restarts: split/cut.c gives the proof (tok_split_cut). */
static const tok_split_preset presets[] = {
    {"r50k", R50K_PAT, tok_pretok_r50k, RUST, false, "tiktoken 0.14 tiktoken_ext/openai_public.py r50k_pat_str"},
    {"cl100k", CL100K_PAT, tok_pretok_cl100k, RUST, true, "tiktoken 0.14 tiktoken_ext/openai_public.py cl100k_base"},
    {"o200k", O200K_PAT, tok_pretok_o200k, RUST | ONIG, true, "tiktoken 0.14 tiktoken_ext/openai_public.py o200k_base; GPT-4o and gpt-oss tokenizer.json"},
    {"gpt2", GPT2_PAT, tok_pretok_r50k, RUST | ONIG, false, "GPT-2 encoder.py; HF tokenizers pre_tokenizers/byte_level.rs"},
    {"llama3", LLAMA3_PAT, tok_pretok_llama3, ONIG, true, "Meta Llama 3 tokenizer.json (also GPT-4's in HF form)"},
    {"qwen2", QWEN2_PAT, tok_pretok_qwen2, ONIG, true, "Qwen2.5 / Qwen3 tokenizer.json"},
    {"tekken", TEKKEN_PAT, tok_pretok_tekken, ONIG, true, "Mistral NeMo tokenizer.json"},
};

/* Sequences of Isolated Splits with one scanner for the whole sequence (DeepSeek V3, R1, V4:
 * scan_deepseek.c). The patterns as tokenizer.json holds them once its JSON is decoded. */
#define DEEPSEEK_DIGITS "\\p{N}{1,3}"
/* [\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+ written as the characters */
#define DEEPSEEK_CJK "[\xE4\xB8\x80-\xE9\xBE\xA5\xE3\x81\x80-\xE3\x82\x9F\xE3\x82\xA0-\xE3\x83\xBF]+"
#define DEEPSEEK_MAIN                                                                          \
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+|" \
    " ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"
/* HF's Digits with individual_digits is an Isolated Split on each numeric character, and
 * ByteLevel's own regex one on GPT-2's pattern: Cohere's pipeline is these two (scan_cohere.c) */
static const tok_split_sequence sequences[] = {
    {"deepseek", {DEEPSEEK_DIGITS, DEEPSEEK_CJK, DEEPSEEK_MAIN}, 3, tok_pretok_deepseek, ONIG, true,
     "DeepSeek V3 / R1 / V4 tokenizer.json (pre_tokenizer: Sequence of three Split, ByteLevel)"},
    {"cohere", {TOK_SPLIT_NUMERIC_ONE, GPT2_PAT}, 2, tok_pretok_cohere, ONIG, false,
     "Cohere Command R / R+ / Aya tokenizer.json (pre_tokenizer: Sequence of Digits with "
     "individual_digits, ByteLevel with its regex)"},
};

const tok_split_sequence *tok_split_sequence_named(const char *name)
{
    for (size_t i = 0; i < sizeof sequences / sizeof sequences[0]; i++)
        if (strcmp(sequences[i].name, name) == 0)
            return &sequences[i];
    return NULL;
}

tok_pretok_fn tok_split_sequence_scanner(const char *const *patterns, const size_t *lens, size_t n,
                                         tok_regex_dialect dialect)
{
    for (size_t i = 0; i < sizeof sequences / sizeof sequences[0]; i++) {
        const tok_split_sequence *q = &sequences[i];
        bool same = q->n == n && (q->dialects >> dialect & 1);
        for (size_t k = 0; same && k < n; k++)
            same = patterns[k] && strlen(q->patterns[k]) == lens[k] &&
                   memcmp(q->patterns[k], patterns[k], lens[k]) == 0;
        if (same)
            return q->scan;
    }
    return NULL;
}

const tok_split_preset *tok_split_preset_named(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(presets[i].name, name) == 0)
            return &presets[i];
    return NULL;
}

tok_pretok_fn tok_split_scanner_for(const char *pattern, size_t len, tok_regex_dialect dialect)
{
    /* Oniguruma reads some texts differently from the Rust regex crate ('$' at line ends), so a
     * scanner serves only the dialects it was proven in. */
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if ((presets[i].dialects >> dialect & 1) && strlen(presets[i].pattern) == len &&
            memcmp(presets[i].pattern, pattern, len) == 0)
            return presets[i].scan;
    return NULL;
}

bool tok_split_scan_restarts(tok_pretok_fn scan)
{
    /* r50k's scanner serves gpt2 too; both are false */
    for (size_t i = 0; scan && i < sizeof presets / sizeof presets[0]; i++)
        if (presets[i].scan == scan)
            return presets[i].restarts;
    for (size_t i = 0; scan && i < sizeof sequences / sizeof sequences[0]; i++)
        if (sequences[i].scan == scan)
            return sequences[i].restarts;
    return false;
}
