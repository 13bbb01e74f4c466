// make bench: tokscope next to npm tiktoken@1.0.22 on the same files in the same run, single
// thread, best of N; then the pathological inputs and the command's start-up cost.
//   node tests/bench/run.mjs BUILD_DIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const build = process.argv[2] || 'build';
const dir = path.join(build, 'bench');
const here = path.dirname(new URL(import.meta.url).pathname);
const encs = ['cl100k_base', 'o200k_base'];
const corpora = ['prose', 'code', 'multi'].map((c) => path.join(dir, `${c}.txt`));

function results(out) {
  const r = {};
  for (const line of out.split('\n')) {
    const m = line.match(/^RESULT (\S+) (\S+) (\S+) (\S+) (\d+)/);
    if (m) r[`${m[1]} ${m[2]} ${m[3]}`] = { mbps: Number(m[4]), tokens: Number(m[5]) };
  }
  return r;
}
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });

console.log('Single thread, best of runs, MB/s of input (10^6 bytes/s). Same files, same run.\n');
const ours = results(run(path.join(build, 'bench_tokscope'), [...encs.flatMap((e) => ['-e', e]), '-n', '5', ...corpora]));
const ref = results(run('node', [path.join(here, 'tiktoken_bench.mjs'), '3', encs.join(','), ...corpora]));

const pad = (s, n) => String(s).padStart(n);
console.log(`${'corpus'.padEnd(10)}${'encoding'.padEnd(13)}${pad('MB', 6)}${pad('tokscope encode', 17)}${pad('count', 9)}${pad('tiktoken', 10)}${pad('ratio', 8)}  ids`);
let worst = Infinity;
for (const e of encs)
  for (const f of corpora) {
    const o = ours[`${f} ${e} encode`], c = ours[`${f} ${e} count`], t = ref[`${f} ${e} encode`];
    const same = o.tokens === t.tokens ? 'same count' : `DIFFERENT (${o.tokens} vs ${t.tokens})`;
    const ratio = o.mbps / t.mbps;
    worst = Math.min(worst, ratio, c.mbps / t.mbps);
    console.log(`${path.basename(f, '.txt').padEnd(10)}${e.padEnd(13)}${pad((fs.statSync(f).size / 1e6).toFixed(1), 6)}${pad(o.mbps.toFixed(1), 17)}${pad(c.mbps.toFixed(1), 9)}${pad(t.mbps.toFixed(2), 10)}${pad(ratio.toFixed(1) + 'x', 8)}  ${same}`);
  }
console.log(`\nslowest tokscope/tiktoken ratio: ${worst.toFixed(1)}x (bar: at least 3x)`);

// tokenizer.json files next to Hugging Face's native binding, both on ~4 KB chunks (HF slows
// down badly on one multi-megabyte string), plus the time to open the file.
const hfNames = ['llama3', 'gemma'];
console.log(`\ntokenizer.json (build/hf, fetched by make hf-vocabs) vs npm tokenizers@0.23.2, 4 KB chunks:`);
console.log(`${'corpus'.padEnd(10)}${'tokenizer'.padEnd(11)}${pad('tokscope', 10)}${pad('HF', 8)}${pad('ratio', 8)}  ids`);
let hfWorst = Infinity;
for (const name of hfNames) {
  const file = path.join(build, 'hf', name, 'tokenizer.json');
  const outOurs = run(path.join(build, 'bench_tokscope'), ['-t', file, '-c', '-n', '3', ...corpora]);
  const o = results(outOurs), h = results(run('node', [path.join(here, 'hf_bench.mjs'), '2', file, name, ...corpora]));
  for (const f of corpora) {
    const a = o[`${f} ${name} encode`], b = h[`${f} ${name} encode`];
    const ratio = a.mbps / b.mbps;
    if (name === 'llama3') hfWorst = Math.min(hfWorst, ratio);
    console.log(`${path.basename(f, '.txt').padEnd(10)}${name.padEnd(11)}${pad(a.mbps.toFixed(1), 10)}${pad(b.mbps.toFixed(2), 8)}${pad(ratio.toFixed(1) + 'x', 8)}  ${a.tokens === b.tokens ? 'same count' : `DIFFERENT (${a.tokens} vs ${b.tokens})`}`);
  }
  const open = outOurs.match(/^OPEN \S+ ([\d.]+) ms/m);
  console.log(`${''.padEnd(10)}${name.padEnd(11)}opens in ${open ? open[1] : '?'} ms (${(fs.statSync(file).size / 1e6).toFixed(1)} MB file)`);
}
console.log(`slowest Llama 3 tokscope/HF ratio: ${hfWorst.toFixed(1)}x (bar: at least 5x)`);

console.log('\nPathological inputs (1 MB each), seconds for one encode:');
const patho = ['run_a', 'run_space', 'run_newline', 'run_digit', 'base64', 'run_cjk', 'cjk_nospace'].map((c) => path.join(dir, `${c}.txt`));
const p = results(run(path.join(build, 'bench_tokscope'), ['-e', 'r50k_base', ...encs.flatMap((e) => ['-e', e]), '-n', '1', ...patho]));
console.log(`${'input'.padEnd(14)}${['r50k_base', ...encs].map((e) => pad(e, 13)).join('')}`);
for (const f of patho) {
  const size = fs.statSync(f).size;
  const cells = ['r50k_base', ...encs].map((e) => pad((size / 1e6 / p[`${f} ${e} encode`].mbps).toFixed(3) + ' s', 13));
  console.log(`${path.basename(f, '.txt').padEnd(14)}${cells.join('')}`);
}

// The command end to end on a 1 KB file (o200k_base, the default): process start, embedded
// vocabulary, count, exit. hyperfine when installed (apt-get install hyperfine), else a loop.
const small = path.join(dir, 'small_1k.txt');
fs.writeFileSync(small, fs.readFileSync(corpora[0]).subarray(0, 1024));
const bin = path.join(build, 'tokscope');
let line;
try {
  const out = run('hyperfine', ['-N', '--warmup', '20', '-r', '300', '--export-json', path.join(dir, 'hf.json'), `${bin} count ${small}`]);
  const r = JSON.parse(fs.readFileSync(path.join(dir, 'hf.json'), 'utf8')).results[0];
  line = `${(r.mean * 1e3).toFixed(2)} ms wall (mean of ${r.times.length}, hyperfine, sd ${(r.stddev * 1e3).toFixed(2)} ms)`;
} catch {
  const N = 200;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) run(bin, ['count', small]);
  line = `${(Number(process.hrtime.bigint() - t0) / 1e6 / N).toFixed(2)} ms wall (mean of ${N}, including node's spawn; install hyperfine for a closer figure)`;
}
console.log(`\ntokscope count of a 1 KB file (o200k_base): ${line}; bar: under 10 ms`);
