// tiktoken_goldens.mjs: write the tiktoken golden files for tokscope's
// conformance corpus, using npm tiktoken 1.0.22 (OpenAI's Rust core compiled
// to WASM) as the reference.
//
//   cd tests/conformance && npm ci && node tiktoken_goldens.mjs
//
// For each encoding E and corpus C (tests/golden/corpus/C.jsonl) it writes
// tests/golden/tiktoken/E.C.{ordinary,allow,reject}.jsonl, one line per corpus
// line:
//   ordinary: enc.encode_ordinary(text)           -> [ids]
//   allow:    enc.encode(text, "all")             -> [ids]
//   reject:   enc.encode(text) (all disallowed)   -> [ids], or {"error":"special"}
//             when tiktoken throws because the text contains special-token text.
// Arrays are compact JSON (no spaces). Also writes tests/golden/tiktoken/MANIFEST.
//
// o200k_harmony is not in npm tiktoken 1.0.22; it is built here exactly as
// tiktoken 0.14's tiktoken_ext/openai_public.py defines it: o200k_base's ranks
// and pattern with 1091 special-token strings (ids 199998..201087; id 200018 has
// two strings, <|endofprompt|> and <|reserved_200018|>).

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseJsonl } from './jsonl.mjs';

const require = createRequire(import.meta.url);
const { get_encoding } = require('tiktoken');
const { Tiktoken } = require('tiktoken/lite');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CORPUS_DIR = join(ROOT, 'tests', 'golden', 'corpus');
const OUT_DIR = join(ROOT, 'tests', 'golden', 'tiktoken');
const ENCODINGS = ['gpt2', 'r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base', 'o200k_harmony'];
const CORPORA = ['real', 'stress'];
const TIKTOKEN_VERSION = JSON.parse(readFileSync(join(HERE, 'node_modules', 'tiktoken', 'package.json'), 'utf8')).version;
if (TIKTOKEN_VERSION !== '1.0.22') throw new Error(`expected tiktoken 1.0.22, found ${TIKTOKEN_VERSION} (run npm ci)`);

function harmonySpecialTokens() {
  // Python: {**o200k_base["special_tokens"], "<|startoftext|>": 199998, ...} | {reserved 200013..201087}
  const st = { '<|endoftext|>': 199999, '<|endofprompt|>': 200018 };
  Object.assign(st, {
    '<|startoftext|>': 199998,
    '<|endoftext|>': 199999,
    '<|reserved_200000|>': 200000,
    '<|reserved_200001|>': 200001,
    '<|return|>': 200002,
    '<|constrain|>': 200003,
    '<|reserved_200004|>': 200004,
    '<|channel|>': 200005,
    '<|start|>': 200006,
    '<|end|>': 200007,
    '<|message|>': 200008,
    '<|reserved_200009|>': 200009,
    '<|reserved_200010|>': 200010,
    '<|reserved_200011|>': 200011,
    '<|call|>': 200012,
  });
  for (let i = 200013; i < 201088; i++) st[`<|reserved_${i}|>`] = i;
  if (Object.keys(st).length !== 1091) throw new Error('o200k_harmony: expected 1091 special-token strings');
  return st;
}

function makeEncoding(name) {
  if (name !== 'o200k_harmony') return get_encoding(name);
  const o200k = require('tiktoken/encoders/o200k_base.json');
  return new Tiktoken(o200k.bpe_ranks, harmonySpecialTokens(), o200k.pat_str);
}

const ids = (arr) => '[' + Array.from(arr).join(',') + ']';

function isSpecialError(e) {
  return /special token/i.test(String(e && (e.message ?? e)));
}

mkdirSync(OUT_DIR, { recursive: true });
const corpora = Object.fromEntries(CORPORA.map((c) => [c, parseJsonl(readFileSync(join(CORPUS_DIR, `${c}.jsonl`), 'utf8'))]));
const stats = [];

// Self-checks of the reference before writing anything.
{
  const enc = makeEncoding('cl100k_base');
  const got = ids(enc.encode_ordinary('\u1c89\'s'));
  enc.free();
  if (got !== '[157,110,231,596]') throw new Error(`cl100k_base("\\u1C89's") = ${got}, expected [157,110,231,596]`);
  const h = makeEncoding('o200k_harmony');
  const checks = [['<|endofprompt|>', '[200018]'], ['<|reserved_200018|>', '[200018]'], ['<|reserved_201087|>', '[201087]'], ['<|call|>', '[200012]'], ['<|startoftext|>', '[199998]']];
  for (const [t, want] of checks) {
    const g = ids(h.encode(t, 'all'));
    if (g !== want) throw new Error(`o200k_harmony(${t}) = ${g}, expected ${want}`);
  }
  h.free();
}

for (const encName of ENCODINGS) {
  const enc = makeEncoding(encName);
  for (const corpus of CORPORA) {
    const texts = corpora[corpus];
    const out = { ordinary: [], allow: [], reject: [] };
    const tokens = { ordinary: 0, allow: 0, reject: 0 };
    let rejected = 0;
    for (const t of texts) {
      const o = enc.encode_ordinary(t);
      out.ordinary.push(ids(o)); tokens.ordinary += o.length;
      const a = enc.encode(t, 'all');
      out.allow.push(ids(a)); tokens.allow += a.length;
      try {
        const r = enc.encode(t);
        out.reject.push(ids(r)); tokens.reject += r.length;
      } catch (e) {
        if (!isSpecialError(e)) throw e;
        out.reject.push('{"error":"special"}'); rejected++;
      }
    }
    for (const mode of ['ordinary', 'allow', 'reject']) {
      writeFileSync(join(OUT_DIR, `${encName}.${corpus}.${mode}.jsonl`), out[mode].join('\n') + '\n');
    }
    const s = { encoding: encName, corpus, lines: texts.length, ...tokens, rejected };
    stats.push(s);
    console.log(`${encName.padEnd(14)} ${corpus.padEnd(7)} lines=${s.lines} tokens: ordinary=${s.ordinary} allow=${s.allow} reject=${s.reject} (+${rejected} lines rejected)`);
  }
  enc.free();
}

// MANIFEST. The date is a UTC day (SOURCE_DATE_EPOCH if set, else today), so two
// runs on the same day give identical bytes; set SOURCE_DATE_EPOCH to pin it.
const when = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date();
const M = [];
M.push('tiktoken golden files');
M.push('=====================');
M.push('');
M.push('Generator: tests/conformance/tiktoken_goldens.mjs');
M.push(`Generated: ${when.toISOString().slice(0, 10)} (UTC day)`);
M.push(`Reference: npm tiktoken ${TIKTOKEN_VERSION} (OpenAI tiktoken's Rust core compiled to WASM; exact`);
M.push('versions pinned in tests/conformance/package.json and package-lock.json).');
M.push('o200k_harmony: built from tiktoken/encoders/o200k_base.json (ranks and pattern) with');
M.push("the special tokens of tiktoken 0.14's tiktoken_ext/openai_public.py: 1091 strings,");
M.push('ids 199998..201087, id 200018 has two strings (<|endofprompt|>, <|reserved_200018|>).');
M.push('Corpus: tests/golden/corpus/{real,stress}.jsonl (see tests/golden/corpus/MANIFEST).');
M.push('');
M.push('Regenerate:');
M.push('    bash tests/conformance/make_corpus.sh      # only if the corpus changes');
M.push('    cd tests/conformance && npm ci && node tiktoken_goldens.mjs');
M.push('');
M.push('Files: <encoding>.<corpus>.<mode>.jsonl, one line per corpus line, in order.');
M.push('  ordinary  enc.encode_ordinary(text): special-token text is ordinary text');
M.push('  allow     enc.encode(text, "all"): every special-token string becomes its id');
M.push('  reject    enc.encode(text): ids, or {"error":"special"} when tiktoken throws because');
M.push('            the text contains special-token text (all specials disallowed)');
M.push('Each line is a compact JSON array of token ids, e.g. [9906,1917], or the error object.');
M.push('');
M.push('Counts (lines; total tokens per mode, for reject only over the lines not rejected;');
M.push('lines rejected in reject mode):');
M.push('  encoding       corpus   lines   ordinary      allow     reject  rejected');
for (const s of stats) {
  M.push(`  ${s.encoding.padEnd(14)} ${s.corpus.padEnd(7)} ${String(s.lines).padStart(6)} ${String(s.ordinary).padStart(10)} ${String(s.allow).padStart(10)} ${String(s.reject).padStart(10)} ${String(s.rejected).padStart(9)}`);
}
writeFileSync(join(OUT_DIR, 'MANIFEST'), M.join('\n') + '\n');
