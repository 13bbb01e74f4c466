// spm_hf_pairs.mjs: how often Hugging Face tokenizers (npm tokenizers 0.23.2,
// the Rust library) and SentencePiece 0.1.97 agree on the tokenizer.json files
// that were converted from SentencePiece models the way transformers' converters
// do it. A measurement for tests/conformance/README.md, not a test.
//
//   cd tests/conformance && npm ci
//   node spm_hf_pairs.mjs [--examples N] [HF_DIR]
//
// HF_DIR holds gen_unigram_nfkc/tokenizer.json and gen_bpe_llama_like/tokenizer.json
// (default: tests/golden/hf/tokenizers). The SentencePiece side is the committed
// goldens of unigram_nfkc and bpe_llama_like (tests/golden/spm/<model>/*.jsonl.gz).
// HF runs with addSpecialTokens=false (the SentencePiece goldens have no <s>/</s>).
// For every corpus line it compares the ids, and the decoded text
// (Tokenizer.decode(ids, false) of HF's own ids against the golden's "decode");
// prints the counts per corpus and the first N differing lines (ids, pieces).
// HF's decoder spells the unknown token "<unk>" where SentencePiece writes its
// unk_surface " \u2047 "; the "decoded (unk spelled alike)" count replaces the
// former by the latter before comparing.

import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { CORPORA, corpusPath } from './spm_corpora.mjs';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const version = JSON.parse(readFileSync(join(HERE, 'node_modules', 'tokenizers', 'package.json'), 'utf8')).version;
if (version !== '0.23.2') throw new Error(`expected tokenizers 0.23.2, found ${version} (run npm ci)`);

const args = process.argv.slice(2);
let examples = 3;
if (args[0] === '--examples') { examples = Number(args[1]); args.splice(0, 2); }
const HF_DIR = args[0] ?? join(ROOT, 'tests', 'golden', 'hf', 'tokenizers');

const PAIRS = [['unigram_nfkc', 'gen_unigram_nfkc'], ['bpe_llama_like', 'gen_bpe_llama_like']];

for (const [spm, hf] of PAIRS) {
  const path = join(HF_DIR, hf, 'tokenizer.json');
  if (!existsSync(path)) throw new Error(`${path} not found (pass the directory holding ${hf}/)`);
  const tok = Tokenizer.fromFile(path);
  console.log(`== ${spm}.model (SentencePiece 0.1.97) vs ${hf}/tokenizer.json (tokenizers ${version})`);
  let shown = 0;
  const totals = { lines: 0, ids: 0, dec: 0, decUnk: 0 };
  // The Node binding takes JS strings, which cannot hold the invalid_utf8 corpus.
  for (const c of CORPORA.filter((x) => x !== 'invalid_utf8')) {
    const texts = readFileSync(corpusPath(c), 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l));
    const gold = gunzipSync(readFileSync(join(ROOT, 'tests', 'golden', 'spm', spm, `${c}.jsonl.gz`))).toString('utf8')
      .split('\n').slice(0, -1).map((l) => JSON.parse(l));
    let sameIds = 0, sameDec = 0, sameDecUnk = 0;
    for (let i = 0; i < texts.length; i++) {
      const enc = await tok.encode(texts[i], null, { addSpecialTokens: false });
      const ids = enc.getIds();
      const dec = await tok.decode(ids, false);
      const g = gold[i];
      const okIds = g.ids !== undefined && ids.length === g.ids.length && ids.every((v, k) => v === g.ids[k]);
      const okDec = g.decode !== undefined && dec === g.decode;
      if (okIds) sameIds++;
      if (okDec) sameDec++;
      if (g.decode !== undefined && dec.replaceAll('<unk>', ' \u2047 ') === g.decode) sameDecUnk++;
      if (!okIds && shown < examples) {
        shown++;
        let k = 0;
        while (k < ids.length && k < g.ids.length && ids[k] === g.ids[k]) k++;
        const lo = Math.max(0, k - 3);
        console.log(`  ${c}:${i + 1} text ${JSON.stringify(texts[i].length > 160 ? texts[i].slice(0, 160) + '...' : texts[i])}`);
        console.log(`    first difference at token ${k}; spm ` +
          `${JSON.stringify(g.ids.slice(lo, k + 4))}`);
        console.log(`    hf  ${JSON.stringify(enc.getTokens().slice(lo, k + 4))} ${JSON.stringify(ids.slice(lo, k + 4))}`);
      }
    }
    console.log(`  ${c}: ${texts.length} lines, ids agree on ${sameIds}, differ on ${texts.length - sameIds}; ` +
      `decoded text agrees on ${sameDec}, differs on ${texts.length - sameDec}; ` +
      `decoded (unk spelled alike) agrees on ${sameDecUnk}, differs on ${texts.length - sameDecUnk}`);
    totals.lines += texts.length; totals.ids += sameIds; totals.dec += sameDec; totals.decUnk += sameDecUnk;
  }
  console.log(`  all: ${totals.lines} lines, ids agree on ${totals.ids}, differ on ${totals.lines - totals.ids}; ` +
    `decoded text agrees on ${totals.dec}, differs on ${totals.lines - totals.dec}; ` +
    `decoded (unk spelled alike) agrees on ${totals.decUnk}, differs on ${totals.lines - totals.decUnk}`);
}
