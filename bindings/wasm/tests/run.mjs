// run.mjs -- make test-wasm: the WebAssembly build against the goldens and the native command
// (Node), then the playground page in headless Chromium. Ends with "N passed, N failed".
//   node bindings/wasm/tests/run.mjs [--build DIR] [--only goldens|api|page] [--sample N]
// --sample N: the HF and SentencePiece goldens compare every Nth line of their long corpora
// (goldens.mjs says which); 1, the default, compares every line.
import path from 'node:path';
import { results } from './harness.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const build = opt('--build', 'build');
const only = opt('--only', null);
const sample = Number(opt('--sample', '1'));
if (!(Number.isInteger(sample) && sample >= 1)) throw new Error(`--sample ${opt('--sample')}: a whole number >= 1`);
const hfDir = process.env.TOK_HF_DIR || 'build/hf';

const ts = await import(path.resolve(build, 'wasm/tokscope.mjs'));
const ctx = { build, hfDir, sample, bin: path.join(build, 'tokscope') };
if (!only || only === 'api') await (await import('./api.mjs')).apiTests(ts, ctx);
if (!only || only === 'goldens') await (await import('./goldens.mjs')).goldenTests(ts, ctx);
if (!only || only === 'page') await (await import('./page.mjs')).pageTests(ctx);
console.log(`wasm: ${results.passed} passed, ${results.failed} failed`);
process.exitCode = results.failed ? 1 : 0;
