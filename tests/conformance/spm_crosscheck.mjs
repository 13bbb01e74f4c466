// spm_crosscheck.mjs: prove that the goldens written through the C++ API
// (spm_goldens.cc) are what Debian's command-line tools give.
//
//   node spm_crosscheck.mjs
//
// For every model (tests/golden/spm/models and the npm ones of
// spm_npm_models.mjs, which must have been fetched) and every corpus, the corpus lines
// without a line feed (spm_encode reads its input with std::getline, so a text
// with "\n" cannot be one input line; "\r", NUL and everything else can) are fed
// to `spm_encode --model=M --output_format=id`, its output to
// `spm_decode --model=M --input_format=id`, and each line's ids and decoded text
// are compared with the golden's "ids" and "decode". A line whose golden is
// {"error":...} is run on its own instead: spm_encode must fail with the same
// message (it stops at the first failing line). Prints the counts per model and
// in total; exits 1 on any difference.

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { CORPORA, corpusTexts, modelList } from './spm_corpora.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SPM = join(HERE, '..', 'golden', 'spm');
const models = modelList();

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

// Splits a buffer into lines on "\n" only (the output has one line per input line).
function lines(buf) {
  const out = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) { out.push(buf.subarray(start, i)); start = i + 1; }
  }
  if (start !== buf.length) throw new Error('output does not end with a newline');
  return out;
}

let total = 0, bad = 0, errors = 0;
const corpusLines = {};
for (const c of CORPORA) {
  corpusLines[c] = corpusTexts(c);
}
for (const { name: m, path: modelPath } of models) {
  let n = 0;
  for (const c of CORPORA) {
    const texts = corpusLines[c];
    const golden = gunzipSync(readFileSync(join(SPM, m, `${c}.jsonl.gz`))).toString('utf8').split('\n').slice(0, -1)
      .map((l) => JSON.parse(l));
    if (golden.length !== texts.length) throw new Error(`${m}/${c}: ${golden.length} golden lines for ${texts.length} texts`);
    const idx = texts.map((t, i) => i).filter((i) => !texts[i].includes(0x0a) && golden[i].error === undefined);
    for (const i of texts.map((t, k) => k).filter((k) => !texts[k].includes(0x0a) && golden[k].error !== undefined)) {
      const r = spawnSync('spm_encode', [`--model=${modelPath}`, '--output_format=id'],
        { input: Buffer.concat([texts[i], Buffer.from('\n')]) });
      if (r.status === 0 || !r.stderr.toString('utf8').includes(golden[i].error)) {
        bad++;
        console.log(`DIFF ${m} ${c}:${i + 1}: golden error ${JSON.stringify(golden[i].error)}, spm_encode exit ${r.status}: ` +
          JSON.stringify(r.stderr.toString('utf8')));
      }
      errors++;
      n++;
    }
    const input = Buffer.concat(idx.flatMap((i) => [texts[i], Buffer.from('\n')]));
    const ids = run('spm_encode', [`--model=${modelPath}`, '--output_format=id'], input);
    const dec = run('spm_decode', [`--model=${modelPath}`, '--input_format=id'], ids);
    const idLines = lines(ids), decLines = lines(dec);
    if (idLines.length !== idx.length || decLines.length !== idx.length)
      throw new Error(`${m}/${c}: ${idx.length} lines in, ${idLines.length} id lines and ${decLines.length} decoded lines out`);
    idx.forEach((i, k) => {
      const g = golden[i];
      const gotIds = idLines[k].toString('utf8');
      const gotDec = decLines[k];
      const okIds = g.ids !== undefined && gotIds === g.ids.join(' ');
      const okDec = g.decode !== undefined && Buffer.compare(gotDec, Buffer.from(g.decode, 'utf8')) === 0;
      if (!okIds || !okDec) {
        bad++;
        if (bad <= 20) console.log(`DIFF ${m} ${c}:${i + 1}: spm_encode "${gotIds}" golden ${JSON.stringify(g.ids)}; ` +
          `spm_decode ${JSON.stringify(gotDec.toString('utf8'))} golden ${JSON.stringify(g.decode)}`);
      }
    });
    n += idx.length;
  }
  console.log(`${m}: ${n} lines compared`);
  total += n;
}
console.log(`spm_encode/spm_decode cross-check: ${total} (model, line) pairs compared over ${models.length} models ` +
  `(${errors} of them error lines), ${bad} differ`);
process.exit(bad === 0 ? 0 : 1);
