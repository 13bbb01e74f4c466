// harness.mjs -- the few things every part of make test-wasm shares: named tests that count
// failures (a test fails on a thrown error or on any fail() call), reading the corpora and
// goldens as the C tests read them, and running the native command.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import zlib from 'node:zlib';

export const results = { passed: 0, failed: 0 };
let failures = 0;

/** Report a mismatch inside a test (shown up to `max` times per test). */
export function fail(msg) {
  if (failures++ < 8) console.log(`    ${msg}`);
}

export async function test(name, fn) {
  failures = 0;
  const t0 = performance.now();
  try {
    const note = await fn();
    if (failures) throw new Error(`${failures} mismatch${failures === 1 ? '' : 'es'}`);
    results.passed++;
    console.log(`ok    ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)${note ? `: ${note}` : ''}`);
  } catch (e) {
    results.failed++;
    console.log(`FAIL  ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join('\n      ') : e}`);
  }
}

export function check(cond, msg) {
  if (!cond) fail(msg);
  return !!cond;
}

/** A corpus: one JSON string per line (tests/golden/corpus/README), as strings. */
export function corpusLines(path) {
  return fs.readFileSync(path, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l)
    .map((l) => JSON.parse(l));
}

/** tests/golden/spm/invalid_utf8.hex: one byte string per line in hex. */
export function hexLines(path) {
  return fs.readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => Buffer.from(l, 'hex'));
}

/** Lines of a golden file (.gz or plain). */
export function goldenLines(path) {
  let data = fs.readFileSync(path);
  if (path.endsWith('.gz')) data = zlib.gunzipSync(data);
  const text = data.toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function sameIds(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function firstDiff(a, b) {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

export function excerpt(s, n = 50) {
  const t = typeof s === 'string' ? s : Buffer.from(s).toString('latin1');
  return JSON.stringify(t.length > n ? `${t.slice(0, n)}...` : t);
}

/** Run the native command; its standard output. Exit status 1 (over a limit, does not fit)
 * is an answer too when okOne is set. */
export function cli(bin, args, input, okOne = false) {
  try {
    return execFileSync(bin, args, { input, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    if (okOne && e.status === 1) return e.stdout;
    throw new Error(`${bin} ${args.join(' ')}: exit ${e.status}: ${e.stderr}`);
  }
}
