// special_goldens.mjs: goldens for tiktoken's allowed_special / disallowed_special subsets,
// from npm tiktoken@1.0.22 (OpenAI's Rust core as WASM; tests/conformance/package-lock.json).
//
//   (cd tests/conformance && npm ci) && node bindings/python/tests/special_goldens.mjs
//
// Writes bindings/python/tests/golden/special_subsets.jsonl: one case per line,
//   {"enc":E,"text":T,"allowed":"all"|[...],"disallowed":"all"|[...],"ids":[...]}
// or with "error":TOKEN instead of "ids" when tiktoken refuses the text, TOKEN being the
// disallowed text it names. Python's encode(T, allowed_special=set(A) or "all",
// disallowed_special=D or tuple(D)) must give the same ids, or raise ValueError naming TOKEN.
// The cases: texts with special-token text in many arrangements (and the stress corpus's
// special-token lines), times every combination of the allowed and disallowed sets below.
// Deterministic: running it twice gives the same file.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const MODULES = join(ROOT, 'tests', 'conformance', 'node_modules');
const require = createRequire(join(MODULES, 'x.js'));
const { get_encoding } = require('tiktoken');
const version = JSON.parse(readFileSync(join(MODULES, 'tiktoken', 'package.json'), 'utf8')).version;
if (version !== '1.0.22') throw new Error(`expected tiktoken 1.0.22, found ${version} (npm ci in tests/conformance)`);

const ENCODINGS = ['gpt2', 'p50k_edit', 'cl100k_base', 'o200k_base'];

function texts(specials) {
  const [a, b = a] = specials;
  const out = [
    '', 'hello world', 'hell', 'o w', '<|', '|>', '<|endoftext', 'endoftext|>',
    a, b, `${a}${b}`, `${b}${a}`, `${a}${a}`, ` ${a} `, `x${a}y${b}z`, `x${b}y${a}z`,
    `hello ${a} world ${b}!`, `<|${a}|>`, `${a.slice(0, -1)}${a}`, `${a}${a.slice(1)}`,
    `${a.slice(0, 5)}`, `${a}\n${b}\n`, `\t${b}hello ${a}`, `hello world${a}`,
    `héllo wörld ${b} 😀 ${a}`, `${a.toUpperCase()} ${a}`, `<${a}>`, `hell${a}o w`,
  ];
  return out;
}

function combos(specials) {
  const [a, b = a] = specials;
  const allowed = [[], 'all', [a], [b], [a, b], ['not special']];
  const disallowed = ['all', [], [a], [b], ['hell'], ['<|'], ['o w'], [a, 'xyz'], [b, 'ó']];
  const out = [];
  for (const al of allowed) for (const dis of disallowed) out.push([al, dis]);
  return out;
}

const stress = readFileSync(join(ROOT, 'tests', 'golden', 'corpus', 'stress.jsonl'), 'utf8')
  .split('\n').filter((l) => l.includes('<|')).slice(0, 20).map((l) => JSON.parse(l));

const lines = [];
const seen = new Set();
for (const name of ENCODINGS) {
  const enc = get_encoding(name);
  const specials = Object.keys(JSON.parse(readFileSync(join(MODULES, 'tiktoken', 'encoders', `${name}.json`), 'utf8')).special_tokens);
  specials.sort();
  const pick = specials.length > 1 ? [specials.find((s) => s === '<|endoftext|>'), specials.find((s) => s !== '<|endoftext|>')] : specials;
  for (const text of [...texts(pick), ...stress]) {
    for (const [al, dis] of combos(pick)) {
      const rec = { enc: name, text, allowed: al, disallowed: dis };
      try {
        rec.ids = Array.from(enc.encode(text, al, dis));
      } catch (e) {
        const m = /not allowed: (.*)$/s.exec(String(e.message ?? e));
        if (!m) throw e;
        rec.error = m[1];
      }
      const line = JSON.stringify(rec);
      if (!seen.has(line)) lines.push(line);
      seen.add(line);
    }
  }
  enc.free();
}
mkdirSync(join(HERE, 'golden'), { recursive: true });
writeFileSync(join(HERE, 'golden', 'special_subsets.jsonl'), lines.join('\n') + '\n');
console.log(`special_subsets.jsonl: ${lines.length} cases`);
