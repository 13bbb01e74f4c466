// Golden files for every tokenizer.json component, one small tokenizer per case.
//
// The real tokenizer files (gpt2, llama3, ...) exercise only the components their authors chose.
// Here each case is a tiny tokenizer built around one component and its options, run through
// npm `tokenizers@0.23.2` (the Rust library's native binding) on the texts below. The models are
// chosen so that the output shows what the component did:
//   - normalizer cases use a character-level BPE with no pre-tokenizer: one token per normalized
//     character, so the ids spell out the normalized text and the offsets show its alignment;
//   - pre-tokenizer cases use the same model: every token ends at a pre-token boundary and the
//     few merges only join characters inside one pre-token;
//   - model, post-processor, decoder and added-token cases each vary one thing.
//
// Output: tests/golden/hf-components/<case>.tokenizer.json and <case>.jsonl, one JSON object per
// text: {"text", "ids", "ids_add", "ids_nomatch", "offsets", "decode", "decode_skip"} or
// {"text", "error"}. ids: no special tokens added, special added tokens matched (HF's default);
// ids_add: add_special_tokens=true; ids_nomatch: special added tokens not matched (HF's
// encode_special_tokens=true; the Node binding has no switch for it, so the tokenizer is loaded
// once more with its special added tokens removed, which is the same for these cases since no
// special token overlaps another added token; HF numbers added tokens by their order, not by
// their "id" fields, so ids are mapped back through the token text); offsets: byte offsets into the UTF-8 text for
// ids_add (the binding reports character offsets, each byte mapped to the index of the character
// containing it; converted back to the characters' byte offsets here, so a byte offset HF put
// inside a character arrives as that character's start, and the test compares in characters); decode and decode_skip:
// decode(ids_add) with skip_special_tokens false and true.
//
// Run: cd tests/conformance && npm ci && node hf_components.mjs   (deterministic)
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import tk from 'tokenizers';
import { jsonString } from './jsonl.mjs';

const { Tokenizer } = tk;
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'golden', 'hf-components');

// ---- texts ------------------------------------------------------------------------------------
const TEXTS = [
  '', ' ', '  ', 'a', 'Hello world', 'Hello  world ', '  leading and trailing  ',
  'The quick brown fox jumps over the lazy dog.', "don't I'll we've they're", 'HeLLo WORLD ÀÉÎ',
  'tab\there\nnewline\r\nCRLF\rCR', 'multiple\n\n\nnewlines\t\t tabs', 'café naïve résumé Ångström',
  'e\u0301 combining a\u0308 o\u0323\u0302', 'ＡＢＣ１２３ full width', 'ﬁ ligature ﬀ ㎏ ½ Ⅻ x² H₂O',
  '日本語の文章です。中文句子，没有空格。', '한국어 텍스트 한글', 'ภาษาไทย ไม่มีช่องว่าง', 'العربية نص',
  'עברית', 'हिन्दी पाठ क्षत्रिय', '👍🏽 👨‍👩‍👧 🇫🇷 ❤️', 'digits 12345 3.14159 1,000,000 007',
  'punct!!! ...??? (a) [b] {c} "q" \'s\' --x-- a/b\\c', 'İstanbul ΣΊΣΥΦΟΣ straße ǅ ﬃ',
  'zero\u200bwidth nbsp\u00a0here ideo\u3000space bom\ufeffx ls\u2028ps\u2029',
  'ctrl\u0000nul\u0007bell\u001bescape\u007fdel\u0085nel', '▁already▁escaped ▁ x',
  'a-b-c--d', 'abc123def456', 'snake_case camelCase kebab-case', 'x'.repeat(40),
  ' '.repeat(9) + 'spaces', 'Mixed 日本 text with 한국어 and English', 'ẞ ǈ ῼ ﬆ',
  // letters, digits and Han new in Unicode 15 and 16 (PCRE2 10.42 knows 14), other digits
  "Unicode 16: Ᲊᲊ's 𑎫𑎬 𓒕x 𱍐𱍑 𞓰𞓱𞓲 𖭐", 'digits ١٢٣ ۴۵۶ ४५६ ๑๒ ①② ½',
  // characters new since Unicode 9.0 (the tables inside HF's normalizers and Bert components):
  // emoji, punctuation, a letter with a compatibility decomposition (15.0), Kirat Rai (16.0)
  'new 🥰🫠🪿 x⹅y⹓z ⸽ 𞀰 𞀱 \u{16D68} ok', 'zwj a\u200db\u200cc',
];

// ---- vocabularies -----------------------------------------------------------------------------
// GPT-2's byte-to-character map (bytes_to_unicode).
function byteLevelAlphabet() {
  const bs = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const map = new Array(256);
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}
const BYTE_CHARS = byteLevelAlphabet();

// Every character the texts contain, in any normal form or case, so that normalized output
// rarely falls on [UNK]; sorted by code point for a stable vocabulary.
function textChars(extra = '') {
  const set = new Set();
  const add = (s) => { for (const ch of s) set.add(ch); };
  for (const t of TEXTS) {
    for (const f of ['NFC', 'NFD', 'NFKC', 'NFKD']) { add(t.normalize(f)); add(t.normalize(f).toLowerCase()); }
    add(t);
  }
  add(extra);
  add('▁Ġ #</w>|');
  return [...set].sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
}

// A BPE over single characters plus a few merges; tokens listed first get the low ids.
function charBpe({ specials = ['[UNK]', '<s>', '</s>', '[CLS]', '[SEP]', '<pad>', '<mask>'],
                   merges = [['t', 'h'], ['th', 'e'], ['i', 'n'], ['e', 'r'], ['o', 'r'], ['l', 'l'], ['ll', 'o'], ['▁', 't'], ['Ġ', 't']],
                   chars = textChars(), extraTokens = [], opts = {} } = {}) {
  const vocab = {};
  const put = (t) => { if (!(t in vocab)) vocab[t] = Object.keys(vocab).length; };
  specials.forEach(put);
  chars.forEach(put);
  extraTokens.forEach(put);
  for (const [a, b] of merges) { put(a); put(b); put(a + b); }
  return {
    type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: null,
    end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false,
    ...opts, vocab, merges: merges.map(([a, b]) => `${a} ${b}`),
  };
}

// The byte-level form of the same idea: 256 byte characters plus merges.
function byteBpe(opts = {}) {
  return charBpe({ specials: ['<|endoftext|>', '[UNK]'], chars: BYTE_CHARS,
    merges: [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['i', 'n'], ['Ġ', 'w'], ['o', 'r'], ['Ġw', 'or'], ['l', 'd'], ['Ġwor', 'ld'], ['Ã', '©']],
    opts: { unk_token: null, ...opts } });
}

const SPECIAL_ADDED = [['[UNK]', 0], ['<s>', 1], ['</s>', 2], ['[CLS]', 3], ['[SEP]', 4], ['<pad>', 5], ['<mask>', 6]]
  .map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));

function tokenizer({ normalizer = null, pre_tokenizer = null, model = charBpe(), post_processor = null,
                     decoder = null, added_tokens = SPECIAL_ADDED, truncation = null, padding = null }) {
  return { version: '1.0', truncation, padding, added_tokens, normalizer, pre_tokenizer,
           model, post_processor, decoder };
}

// ---- cases ------------------------------------------------------------------------------------
const cases = {};
const C = (name, spec, texts = []) => { cases[name] = { tok: tokenizer(spec), texts }; };
const seq = (type, key, items) => ({ type: 'Sequence', [key]: items });

// Normalizers: one token per normalized character.
for (const t of ['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'Nmt'])
  C(`norm_${t.toLowerCase()}`, { normalizer: { type: t } });
C('norm_strip_both', { normalizer: { type: 'Strip', strip_left: true, strip_right: true } });
C('norm_strip_left', { normalizer: { type: 'Strip', strip_left: true, strip_right: false } });
C('norm_strip_right', { normalizer: { type: 'Strip', strip_left: false, strip_right: true } });
C('norm_strip_accents', { normalizer: seq('', 'normalizers', [{ type: 'NFD' }, { type: 'StripAccents' }]) });
C('norm_strip_accents_alone', { normalizer: { type: 'StripAccents' } });
C('norm_replace_string', { normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' } });
C('norm_replace_string_longer', { normalizer: { type: 'Replace', pattern: { String: 'll' }, content: 'LLL' } });
C('norm_replace_regex', { normalizer: { type: 'Replace', pattern: { Regex: '\\s+' }, content: '_' } });
C('norm_replace_regex_empty', { normalizer: { type: 'Replace', pattern: { Regex: '[aeiou]' }, content: '' } });
C('norm_prepend', { normalizer: { type: 'Prepend', prepend: '▁' } });
C('norm_bert_default', { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true } });
C('norm_bert_cased', { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false } });
C('norm_bert_accents_kept', { normalizer: { type: 'BertNormalizer', clean_text: false, handle_chinese_chars: false, strip_accents: false, lowercase: true } });
C('norm_bert_strip_no_lower', { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: false, strip_accents: true, lowercase: false } });
C('norm_bytelevel', { normalizer: { type: 'ByteLevel' }, model: byteBpe() });
C('norm_sequence', { normalizer: seq('', 'normalizers', [{ type: 'NFKC' }, { type: 'Lowercase' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }, { type: 'Prepend', prepend: '▁' }]) });

// Pre-tokenizers.
for (const [name, add_prefix_space, use_regex, trim_offsets] of [
  ['bytelevel', false, true, true], ['bytelevel_prefix', true, true, true],
  ['bytelevel_noregex', false, false, true], ['bytelevel_notrim', true, true, false]])
  C(`pre_${name}`, { pre_tokenizer: { type: 'ByteLevel', add_prefix_space, trim_offsets, use_regex },
    model: byteBpe(), decoder: { type: 'ByteLevel', add_prefix_space, trim_offsets, use_regex } });
const BEHAVIORS = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];
for (const b of BEHAVIORS) {
  C(`pre_split_string_${b.toLowerCase()}`, { pre_tokenizer: { type: 'Split', pattern: { String: ' ' }, behavior: b, invert: false } });
  C(`pre_split_regex_${b.toLowerCase()}`, { pre_tokenizer: { type: 'Split', pattern: { Regex: '\\p{P}+|\\d' }, behavior: b, invert: false } });
  C(`pre_punctuation_${b.toLowerCase()}`, { pre_tokenizer: { type: 'Punctuation', behavior: b } });
}
C('pre_split_word_classes', { pre_tokenizer: seq('', 'pretokenizers', [{ type: 'Split', pattern: { Regex: '[\\w]+' }, behavior: 'Isolated', invert: false },
  { type: 'Split', pattern: { Regex: '\\W' }, behavior: 'Isolated', invert: false }, { type: 'Split', pattern: { Regex: '[^\\d\\s]+' }, behavior: 'Contiguous', invert: false }]) });
C('pre_split_invert', { pre_tokenizer: { type: 'Split', pattern: { Regex: '\\w+' }, behavior: 'Isolated', invert: true } });
C('pre_split_invert_removed', { pre_tokenizer: { type: 'Split', pattern: { Regex: '[a-z]+' }, behavior: 'Removed', invert: true } });
C('pre_split_gpt2_pattern', { pre_tokenizer: { type: 'Split', pattern: { Regex: "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+" }, behavior: 'Isolated', invert: false } });
for (const [name, prepend_scheme, split] of [['always', 'always', true], ['first', 'first', true], ['never', 'never', true], ['nosplit', 'always', false]])
  C(`pre_metaspace_${name}`, { pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme, split },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme, split } });
C('pre_metaspace_first_normalized', { normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true } },
  ['<s> Hello <s>world', 'Hello<s>world', '<s>']);
C('pre_whitespace', { pre_tokenizer: { type: 'Whitespace' } });
C('pre_whitespace_split', { pre_tokenizer: { type: 'WhitespaceSplit' } });
C('pre_bert', { pre_tokenizer: { type: 'BertPreTokenizer' } });
C('pre_digits_individual', { pre_tokenizer: { type: 'Digits', individual_digits: true } });
C('pre_digits_grouped', { pre_tokenizer: { type: 'Digits', individual_digits: false } });
C('pre_char_delimiter', { pre_tokenizer: { type: 'CharDelimiterSplit', delimiter: '-' } });
C('pre_unicode_scripts', { pre_tokenizer: { type: 'UnicodeScripts' } });
C('pre_fixed_length', { pre_tokenizer: { type: 'FixedLength', length: 3 } });
C('pre_sequence', { pre_tokenizer: seq('', 'pretokenizers', [{ type: 'WhitespaceSplit' }, { type: 'Digits', individual_digits: true }, { type: 'Punctuation', behavior: 'Isolated' }]) });

// The same pre-tokenizer cases on a WordLevel model that knows almost nothing: each pre-token
// becomes one token (mostly [UNK]) whose offsets are the pre-token's span, so every boundary the
// pre-tokenizer draws shows, in any script.
const WORDS = { '[UNK]': 0, '<s>': 1, '</s>': 2, '[CLS]': 3, '[SEP]': 4, '<pad>': 5, '<mask>': 6, Hello: 7, world: 8, the: 9, '▁Hello': 10, 'ĠHello': 11, ',': 12, '.': 13, ' ': 14 };
for (const name of Object.keys(cases).filter((n) => n.startsWith('pre_'))) {
  const tok = cases[name].tok;
  cases[`${name}_words`] = { tok: { ...tok, model: { type: 'WordLevel', vocab: WORDS, unk_token: '[UNK]' } }, texts: cases[name].texts };
}

// Models.
C('model_bpe_merge_arrays', { model: (() => { const m = charBpe(); m.merges = m.merges.map((s) => s.split(' ')); return m; })(), pre_tokenizer: { type: 'Whitespace' } });
C('model_bpe_no_unk', { model: charBpe({ chars: textChars().filter((c) => c < '\u0300'), opts: { unk_token: null } }), pre_tokenizer: { type: 'Whitespace' } });
C('model_bpe_unk_fused', { model: charBpe({ chars: textChars().filter((c) => c < '\u0300'), opts: { fuse_unk: true } }), pre_tokenizer: { type: 'Whitespace' } });
C('model_bpe_unk_unfused', { model: charBpe({ chars: textChars().filter((c) => c < '\u0300') }), pre_tokenizer: { type: 'Whitespace' } });
C('model_bpe_byte_fallback', {
  model: charBpe({ chars: textChars().filter((c) => c < '\u0300'), extraTokens: Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), opts: { byte_fallback: true } }),
  pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: false },
  decoder: seq('', 'decoders', [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }]) });
C('model_bpe_ignore_merges', { model: charBpe({ extraTokens: ['Hello', 'world', 'quick', 'brown'], opts: { ignore_merges: true } }), pre_tokenizer: { type: 'Whitespace' } });
C('model_bpe_subword_affixes', {
  model: charBpe({ merges: [['t', '##h'], ['##h', '##e'], ['i', '##n'], ['##e', '##r</w>']],
    // HF builds a merge's result as a + b without b's prefix, so b must carry the prefix.
    extraTokens: ['th', '##he', 'in', '##er</w>'].concat(textChars().map((c) => '##' + c).concat(textChars().map((c) => c + '</w>'), textChars().map((c) => '##' + c + '</w>'))),
    opts: { continuing_subword_prefix: '##', end_of_word_suffix: '</w>' } }),
  pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'BPEDecoder', suffix: '</w>' } });
const WP_VOCAB = ['[UNK]', '<s>', '</s>', '[CLS]', '[SEP]', '<pad>', '<mask>', 'the', 'quick', 'brown', 'fox', 'hello', 'world', 'un', '##want', '##ed', ',', '.', 'do', '##n', "'", 't', 'i', 'll', 'we', 've', 'a', 'b', 'c', '##b', '##c', '##d', 'x', '##x', '##xx', '##xxx'];
const wordpiece = (opts = {}) => ({ type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
  vocab: Object.fromEntries(WP_VOCAB.map((t, i) => [t, i])), ...opts });
C('model_wordpiece', { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true }, pre_tokenizer: { type: 'BertPreTokenizer' }, model: wordpiece(), decoder: { type: 'WordPiece', prefix: '##', cleanup: true } },
  ['unwanted unwanteddo', 'The Quick, brown fox.', 'abcd abd xxxxxxxxx']);
C('model_wordpiece_short_words', { pre_tokenizer: { type: 'BertPreTokenizer' }, model: wordpiece({ max_input_chars_per_word: 5 }), decoder: { type: 'WordPiece', prefix: '##', cleanup: false } },
  ['unwanted', 'xxxxx xxxxxx', "do n't , ."]);
C('model_wordlevel', { pre_tokenizer: { type: 'Whitespace' }, model: { type: 'WordLevel', unk_token: '[UNK]', vocab: Object.fromEntries(WP_VOCAB.map((t, i) => [t, i])) } },
  ['the quick brown fox', 'hello , world .']);

// Post-processors.
const spec = (id, type_id = 0) => ({ SpecialToken: { id, type_id } });
const A = { Sequence: { id: 'A', type_id: 0 } }, B = { Sequence: { id: 'B', type_id: 1 } };
C('post_template', { post_processor: { type: 'TemplateProcessing', single: [spec('[CLS]'), A, spec('[SEP]')], pair: [spec('[CLS]'), A, spec('[SEP]'), B, spec('[SEP]', 1)],
  special_tokens: { '[CLS]': { id: '[CLS]', ids: [3], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [4], tokens: ['[SEP]'] } } } });
C('post_template_multi_id', { post_processor: { type: 'TemplateProcessing', single: [spec('BOS2'), A], pair: [A, B],
  special_tokens: { BOS2: { id: 'BOS2', ids: [1, 3], tokens: ['<s>', '[CLS]'] } } } });
C('post_bert', { post_processor: { type: 'BertProcessing', sep: ['[SEP]', 4], cls: ['[CLS]', 3] }, pre_tokenizer: { type: 'WhitespaceSplit' } });
for (const [name, trim_offsets, add_prefix_space] of [['trim', true, true], ['notrim', false, true], ['trim_noprefix', true, false]])
  C(`post_roberta_${name}`, { pre_tokenizer: { type: 'ByteLevel', add_prefix_space, trim_offsets: true, use_regex: true }, model: byteBpe(),
    added_tokens: [{ id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', 0], cls: ['<|endoftext|>', 0], trim_offsets, add_prefix_space },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } });
C('post_bytelevel_trim', { pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, model: byteBpe(),
  post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } });
C('post_sequence', { pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, model: byteBpe(),
  added_tokens: [{ id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  post_processor: seq('', 'processors', [{ type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    { type: 'TemplateProcessing', single: [spec('<|endoftext|>'), A], pair: [A, B], special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [0], tokens: ['<|endoftext|>'] } } }]),
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } });

// Truncation in the file applies to every encode, leaving room for the post-processor's tokens;
// BatchLongest padding of a single text adds nothing.
const CLS_SEP = { type: 'TemplateProcessing', single: [spec('[CLS]'), A, spec('[SEP]')], pair: [A, B],
  special_tokens: { '[CLS]': { id: '[CLS]', ids: [3], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [4], tokens: ['[SEP]'] } } };
C('trunc_right', { pre_tokenizer: { type: 'Whitespace' }, post_processor: CLS_SEP, truncation: { direction: 'Right', max_length: 6, strategy: 'LongestFirst', stride: 0 } });
C('trunc_left', { pre_tokenizer: { type: 'Whitespace' }, post_processor: CLS_SEP, truncation: { direction: 'Left', max_length: 5, strategy: 'OnlyFirst', stride: 2 } });
C('pad_batch_longest', { pre_tokenizer: { type: 'Whitespace' }, post_processor: CLS_SEP,
  padding: { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: 5, pad_type_id: 0, pad_token: '<pad>' } });
// Split's String pattern is literal text, never a regex.
C('pre_split_string_metachars', { pre_tokenizer: { type: 'Split', pattern: { String: '.' }, behavior: 'Isolated', invert: false } },
  ['a.b..c', 'no dots', '...']);
C('pre_split_string_multichar', { pre_tokenizer: { type: 'Split', pattern: { String: 'll' }, behavior: 'MergedWithNext', invert: false } });

// Decoders (the encoding side is plain; decode shows the decoder).
C('dec_wordpiece_cleanup', { pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'WordPiece', prefix: '##', cleanup: true } });
C('dec_wordpiece_raw', { pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'WordPiece', prefix: '##', cleanup: false } });
C('dec_metaspace_never', { pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }, decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true } });
C('dec_bpe_suffix', { pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'BPEDecoder', suffix: 'e' } });
// HF's Strip decoder panics when one token is stripped from both ends past its middle (start 1,
// stop 1 on a one-character token equal to content), so the cases strip one end each.
C('dec_strip_start', { pre_tokenizer: { type: 'Metaspace', replacement: ' ', prepend_scheme: 'always', split: true }, decoder: { type: 'Strip', content: ' ', start: 1, stop: 0 } });
C('dec_strip_end', { decoder: { type: 'Strip', content: 'o', start: 0, stop: 1 } });
C('dec_replace', { decoder: { type: 'Replace', pattern: { String: 'o' }, content: '0' } });
C('dec_fuse', { pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'Fuse' } });
C('dec_ctc', { pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: true } },
  ['hello|world', 'aa<pad>bb|cc', 'll<pad>ll']);
C('dec_ctc_raw', { pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: false } },
  ['hello|world', 'aa<pad>bb|cc']);
C('dec_sequence', { pre_tokenizer: { type: 'Whitespace' }, decoder: seq('', 'decoders', [{ type: 'Replace', pattern: { String: 'l' }, content: 'L' }, { type: 'Fuse' }, { type: 'Strip', content: 'H', start: 1, stop: 0 }]) });

// Added tokens: special and not, normalized or not, lstrip/rstrip/single_word.
const at = (id, content, o = {}) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: !o.special, special: false, ...o });
const ADDED_MIX = [...SPECIAL_ADDED,
  at(7, '<mask2>', { special: true, lstrip: true }),
  at(8, '<sep2>', { special: true, rstrip: true }),
  at(9, 'hello', { single_word: true }),
  at(10, 'WOR', { normalized: true }),
  at(11, 'ABC', { normalized: false }),
  at(12, '[both]', { lstrip: true, rstrip: true, normalized: false }),
  at(13, '日本', {}),
  at(14, '<s>x', { normalized: false })];
const ADDED_TEXTS = ['hello world helloworld hello', 'say hello, hello!', 'WORD word Word abc ABC', 'x  <mask2>  y', 'a <sep2>   b',
  'p [both] q', 'p[both]q', '<s>Hello</s>', '<s>x <s> x', '日本語 日本', '  <mask2>', '<sep2>  ', '[CLS]hello[SEP]', 'hellohello hello'];
C('added_plain', { added_tokens: ADDED_MIX, pre_tokenizer: { type: 'WhitespaceSplit' } }, ADDED_TEXTS);
C('added_lowercase', { added_tokens: ADDED_MIX, normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'WhitespaceSplit' } }, ADDED_TEXTS);
C('added_metaspace', { added_tokens: ADDED_MIX, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true },
  post_processor: { type: 'TemplateProcessing', single: [spec('<s>'), A, spec('</s>')], pair: [A, B], special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] }, '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] } } },
  decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true } }, ADDED_TEXTS);
C('added_bytelevel', { model: byteBpe(), added_tokens: [at(0, '<|endoftext|>', { special: true }), at(1, '[UNK]', { special: true }), ...ADDED_MIX.slice(7).map((t, i) => ({ ...t, id: 400 + i }))],
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } },
  [...ADDED_TEXTS, '<|endoftext|>hello<|endoftext|>']);

// ---- run --------------------------------------------------------------------------------------
function byteOffsets(text, offsets) {
  const chars = [...text];
  const pos = [0];
  for (const ch of chars) pos.push(pos[pos.length - 1] + Buffer.byteLength(ch, 'utf8'));
  return offsets.map(([s, e]) => [pos[s], pos[e]]);
}

function withoutSpecialAdded(tok) {
  return { ...tok, added_tokens: tok.added_tokens.filter((t) => !t.special) };
}

const jsonArr = (a) => '[' + a.join(',') + ']';
fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) fs.unlinkSync(path.join(outDir, f));
const manifest = [];
let lines = 0;
for (const [name, { tok, texts }] of Object.entries(cases)) {
  if (process.env.HFC_TRACE) console.error(name);
  const json = JSON.stringify(tok) + '\n';
  fs.writeFileSync(path.join(outDir, `${name}.tokenizer.json`), json);
  const ref = Tokenizer.fromString(json);
  const refNoMatch = Tokenizer.fromString(JSON.stringify(withoutSpecialAdded(tok)));
  const idMap = new Map(tok.added_tokens.filter((t) => !t.special)
    .map((t) => [refNoMatch.tokenToId(t.content), ref.tokenToId(t.content)]));
  let out = '';
  for (const text of [...TEXTS, ...texts]) {
    let rec;
    try {
      const e = await ref.encode(text, null, { addSpecialTokens: false });
      const ea = await ref.encode(text, null, { addSpecialTokens: true });
      const en = await refNoMatch.encode(text, null, { addSpecialTokens: false });
      const ids = Array.from(e.getIds()), idsAdd = Array.from(ea.getIds());
      rec = `{"text":${jsonString(text)},"ids":${jsonArr(ids)},"ids_add":${jsonArr(idsAdd)},` +
        `"ids_nomatch":${jsonArr(Array.from(en.getIds(), (id) => idMap.get(id) ?? id))},` +
        `"offsets":${JSON.stringify(byteOffsets(text, ea.getOffsets()))},` +
        `"decode":${jsonString(await ref.decode(idsAdd, false))},"decode_skip":${jsonString(await ref.decode(idsAdd, true))}}`;
    } catch (err) {
      rec = `{"text":${jsonString(text)},"error":${jsonString(String(err.message || err))}}`;
    }
    out += rec + '\n';
    lines++;
  }
  fs.writeFileSync(path.join(outDir, `${name}.jsonl`), out);
  manifest.push(name);
}
fs.writeFileSync(path.join(outDir, 'MANIFEST'),
  '# tokenizer.json component goldens: generated by tests/conformance/hf_components.mjs from npm tokenizers@0.23.2\n' +
  `# ${manifest.length} cases, ${lines} texts; license: MIT (this project)\n` + manifest.join('\n') + '\n');
console.log(`${manifest.length} cases, ${lines} texts`);
