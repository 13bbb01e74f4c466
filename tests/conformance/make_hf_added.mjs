// make_hf_added.mjs: the gen_added_* tokenizers, small tokenizer.json files whose added tokens
// take every combination of special, lstrip, rstrip, single_word and normalized (the real files
// on npm have almost none of these flags set). Written by the real HF library (npm tokenizers
// 0.23.2): the base pipeline is loaded, the added tokens are added with addAddedTokens, and
// Tokenizer.save writes the file.
//
//   cd tests/conformance && npm ci && node make_hf_added.mjs
//
//   gen_added_metaspace  tests/golden/hf/tokenizers/gen_bpe_llama_like plus the added tokens
//                        (Prepend + Replace normalizers: normalized tokens match on "▁" text)
//   gen_added_wordpiece  tests/golden/hf/tokenizers/gen_wordpiece_bert_uncased plus them
//                        (BertNormalizer, lowercase: normalized tokens match any case)
//   gen_added_bytelevel  a tiny byte-level BPE made here (the 256 byte symbols and a few merges;
//                        NFKC + Lowercase normalizer, ByteLevel pre-tokenizer, ByteLevel +
//                        TemplateProcessing post-processor with <|bos|> and <|eos|>) plus them
//
// Deterministic (no randomness). After running it, update the SHA-256s in
// tests/golden/hf/MANIFEST and run hf_goldens.mjs.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const { Tokenizer, AddedToken, byteLevelAlphabet } = require('tokenizers');
const HERE = dirname(fileURLToPath(import.meta.url));
const TOK = join(HERE, '..', 'golden', 'hf', 'tokenizers');

// Every flag combination, once special and once not: <Slrwn> with "-" for an unset flag. No
// non-special token can start inside a special one (hf_goldens.mjs relies on that).
function variety() {
  const out = [];
  for (const special of [true, false])
    for (let m = 0; m < 16; m++) {
      const [l, r, w, n] = [m & 8, m & 4, m & 2, m & 1].map(Boolean);
      const content = `<${special ? 'S' : 'n'}${l ? 'l' : '-'}${r ? 'r' : '-'}${w ? 'w' : '-'}${n ? 'N' : '-'}>`;
      out.push(new AddedToken(content, special, { leftStrip: l, rightStrip: r, singleWord: w, normalized: n }));
    }
  // Word-like tokens: single_word matters next to letters; normalized ones match after the
  // normalizer (case, NFKC ligatures, "▁" for spaces).
  const words = [
    ['Alpha', { singleWord: true, normalized: false }],
    ['Beta', { singleWord: true, normalized: true }],
    ['beta gamma', { normalized: true }],
    ['Delta Epsilon', { normalized: false }],
    ['ﬁne', { normalized: true }],
    ['Éclair', { normalized: true, singleWord: true }],
    ['\n\n', { normalized: false }],
    ['  ', { normalized: false, leftStrip: false, rightStrip: false }],
    ['zeta', { leftStrip: true, rightStrip: true, normalized: false }],
  ];
  for (const [c, o] of words) out.push(new AddedToken(c, false, o));
  return out;
}

function byteLevelBase() {
  const alphabet = byteLevelAlphabet().slice().sort();
  const vocab = {};
  alphabet.forEach((ch, i) => { vocab[ch] = i; });
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['i', 'n'], ['e', 'r'], ['Ġ', 'a'], ['o', 'n'], ['r', 'e'], ['Ġ', 's'], ['in', 'g'], ['Ġ', 'w'], ['o', 'r'], ['Ġ', 'c'], ['e', 'n']];
  for (const [a, b] of merges) if (vocab[a + b] === undefined) vocab[a + b] = Object.keys(vocab).length;
  for (const t of ['<|bos|>', '<|eos|>']) vocab[t] = Object.keys(vocab).length;
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [
      { id: vocab['<|bos|>'], content: '<|bos|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: vocab['<|eos|>'], content: '<|eos|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'Sequence', processors: [
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<|bos|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|eos|>', type_id: 0 } }],
          pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: {
            '<|bos|>': { id: '<|bos|>', ids: [vocab['<|bos|>']], tokens: ['<|bos|>'] },
            '<|eos|>': { id: '<|eos|>', ids: [vocab['<|eos|>']], tokens: ['<|eos|>'] },
          },
        },
      ],
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
  return Tokenizer.fromString(JSON.stringify(json));
}

const made = {
  gen_added_metaspace: Tokenizer.fromFile(join(TOK, 'gen_bpe_llama_like', 'tokenizer.json')),
  gen_added_wordpiece: Tokenizer.fromFile(join(TOK, 'gen_wordpiece_bert_uncased', 'tokenizer.json')),
  gen_added_bytelevel: byteLevelBase(),
};
for (const [name, tok] of Object.entries(made)) {
  tok.addAddedTokens(variety());
  mkdirSync(join(TOK, name), { recursive: true });
  const path = join(TOK, name, 'tokenizer.json');
  tok.save(path, true);
  // Re-serialize through JSON.parse/stringify: the same content, stable formatting.
  writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), null, 1) + '\n');
  console.log(`${name}: ${tok.getVocabSize(true)} tokens -> ${path}`);
}
