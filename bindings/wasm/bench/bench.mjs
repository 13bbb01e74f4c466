// make bench-wasm: the WebAssembly build's encode speed in Node next to npm tiktoken@1.0.22
// (OpenAI's Rust core compiled to WASM) and gpt-tokenizer@3.4.0 (pure JavaScript), on the
// same documents (tests/bench/make_corpus.sh), one thread, best of RUNS; whether each gives
// tiktoken's ids; then the sizes of the packages.
//   node bindings/wasm/bench/bench.mjs BUILD_DIR [RUNS]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';

const build = process.argv[2] || 'build';
const runs = Number(process.argv[3] || 3);
const require = createRequire(import.meta.url);
const tiktoken = require('tiktoken');
const ts = await import(path.resolve(build, 'wasm/tokscope.mjs'));
const gpt = {
  cl100k_base: await import('gpt-tokenizer/encoding/cl100k_base'),
  o200k_base: await import('gpt-tokenizer/encoding/o200k_base'),
};
const corpora = ['prose', 'code', 'multi'].map((c) => path.join(build, 'bench', `${c}.txt`));

function best(f) {
  let t = Infinity, out;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    out = f();
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return [t, out];
}
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const pad = (s, n) => String(s).padStart(n);

console.log(`Node ${process.version}, one thread, best of ${runs}; MB/s of input (10^6 bytes/s).\n`);

// First open of each encoding: tokscope reads its compact vocabulary (NAME.tkc) and opens it
// into the tables the native library links in (once per process); tiktoken parses its ranks
// from JavaScript.
const opens = [];
for (const name of ['r50k_base', 'cl100k_base', 'o200k_base']) {
  let t0 = performance.now();
  ts.getEncoding(name).free();
  const a = performance.now() - t0;
  t0 = performance.now();
  tiktoken.get_encoding(name).free();
  opens.push(`${name} ${a.toFixed(0)} ms (tiktoken ${(performance.now() - t0).toFixed(0)} ms)`);
}
console.log(`First open: ${opens.join(', ')}\n`);
console.log(`${'corpus'.padEnd(8)}${'encoding'.padEnd(13)}${pad('MB', 5)}${pad('tokscope', 10)}${pad('count', 8)}` +
  `${pad('tiktoken', 10)}${pad('gpt-tok.', 10)}${pad('vs tiktoken', 13)}${pad('vs gpt-tok.', 13)}  ids`);
let worstT = Infinity, worstG = Infinity;
for (const name of ['cl100k_base', 'o200k_base']) {
  const ours = ts.getEncoding(name), ref = tiktoken.get_encoding(name);
  for (const file of corpora) {
    const text = fs.readFileSync(file, 'utf8'), mb = Buffer.byteLength(text) / 1e6;
    const [to, a] = best(() => ours.encodeOrdinary(text));
    const [tc] = best(() => ours.count(text, [], []));
    const [tt, b] = best(() => ref.encode_ordinary(text));
    const [tg, c] = best(() => gpt[name].encode(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() }));
    const A = Array.from(a), B = Array.from(b);
    const ids = same(A, B) ? 'same as tiktoken' : 'DIFFERENT from tiktoken';
    const gids = same(c, B) ? 'gpt-tokenizer same' : `gpt-tokenizer differs (${c.length} vs ${B.length} tokens)`;
    worstT = Math.min(worstT, tt / to);
    worstG = Math.min(worstG, tg / to);
    console.log(`${path.basename(file, '.txt').padEnd(8)}${name.padEnd(13)}${pad(mb.toFixed(1), 5)}${pad((mb / to).toFixed(1), 10)}` +
      `${pad((mb / tc).toFixed(1), 8)}${pad((mb / tt).toFixed(2), 10)}${pad((mb / tg).toFixed(2), 10)}` +
      `${pad(`${(tt / to).toFixed(1)}x`, 13)}${pad(`${(tg / to).toFixed(1)}x`, 13)}  ${ids}; ${gids}`);
  }
  ours.free();
  ref.free();
}
console.log(`\nslowest: ${worstT.toFixed(1)}x tiktoken (target: 10x), ${worstG.toFixed(1)}x gpt-tokenizer (target: 3x)`);

// tokenizer.json models run their split regex on PCRE2's interpreter here (no JIT exists for
// WebAssembly): shown, not hidden.
const prose = fs.readFileSync(corpora[0], 'utf8').slice(0, 2_000_000);
console.log('\nOpen-model vocabularies (packs), 2 MB of prose:');
for (const m of ['llama-3.1-8b', 'qwen2.5-7b', 'mistral-7b', 'gemma-3-27b']) {
  const t = ts.getModelTokenizer(m);
  const mb = Buffer.byteLength(prose) / 1e6;
  const [tm] = best(() => t.count(prose, [], []));
  console.log(`  ${m.padEnd(14)}${pad((mb / tm).toFixed(1), 6)} MB/s  (${t.format}, ${t.name.replace(/^.*\//, '')})`);
  t.free();
}

// Sizes: the core module without vocabularies, gzipped as a server sends it; the package.
const gz = (f) => zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const mbs = (n) => `${(n / 2 ** 20).toFixed(1)} MB`;
const w = path.join(build, 'wasm');
const core = ['tokscope.wasm', 'tokscope.mjs'].map((f) => path.join(w, f));
const coreRaw = core.reduce((s, f) => s + fs.statSync(f).size, 0), coreGz = core.reduce((s, f) => s + gz(f), 0);
console.log(`\nPackage sizes:\n  tokscope core (tokscope.wasm + tokscope.mjs): ${kb(coreRaw)}, ${kb(coreGz)} gzipped (target: under 1 MB gzipped)`);
const vocabs = fs.readdirSync(path.join(w, 'vocabs')).map((f) => path.join(w, 'vocabs', f));
const size = (fs_) => fs_.reduce((s, f) => s + fs.statSync(f).size, 0);
const tk = vocabs.filter((f) => f.endsWith('.tkc')), packs = vocabs.filter((f) => f.endsWith('.tkz'));
console.log(`  OpenAI vocabularies (${tk.length} compact .tkc files, loaded on first use): ${mbs(size(tk))}, ${mbs(tk.reduce((s, f) => s + gz(f), 0))} gzipped`);
console.log(`  open-model packs (${packs.length} .tkz, loaded on first use): ${mbs(size(packs))}`);
const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: w, encoding: 'utf8', maxBuffer: 1 << 26 }))[0];
console.log(`  npm pack: ${mbs(pack.size)} tarball, ${mbs(pack.unpackedSize)} unpacked, ${pack.entryCount} files`);
const du = (d) => { let n = 0; for (const e of fs.readdirSync(d, { withFileTypes: true })) n += e.isDirectory() ? du(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size; return n; };
for (const p of ['tiktoken', 'gpt-tokenizer']) {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'node_modules', p);
  const v = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  console.log(`  npm ${p}@${v}: ${mbs(du(dir))} unpacked`);
}
