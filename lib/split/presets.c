/* presets: the split patterns that have a hand-written scanner, verbatim from their sources.
 * A pattern gets a scanner only when its text is exactly one of these and it is read in the
 * dialect the scanner was proven in (tests/unit/test_pretok.c checks each scanner against PCRE2
 * on random text, and the goldens check them against the references' ids). */
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

static const tok_split_preset presets[] = {
    {"r50k", R50K_PAT, tok_pretok_r50k, "tiktoken 0.14 tiktoken_ext/openai_public.py r50k_pat_str"},
    {"cl100k", CL100K_PAT, tok_pretok_cl100k, "tiktoken 0.14 tiktoken_ext/openai_public.py cl100k_base"},
    {"o200k", O200K_PAT, tok_pretok_o200k, "tiktoken 0.14 tiktoken_ext/openai_public.py o200k_base"},
};

const tok_split_preset *tok_split_preset_named(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(presets[i].name, name) == 0)
            return &presets[i];
    return NULL;
}

tok_pretok_fn tok_split_scanner_for(const char *pattern, size_t len, tok_regex_dialect dialect)
{
    /* The scanners follow the Rust regex crate's reading (tiktoken's). Oniguruma reads the same
     * text differently in places ('$' at line ends), so tokenizer.json patterns get none until
     * a scanner is proven for that reading. */
    if (dialect != TOK_REGEX_RUST)
        return NULL;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strlen(presets[i].pattern) == len && memcmp(presets[i].pattern, pattern, len) == 0)
            return presets[i].scan;
    return NULL;
}
