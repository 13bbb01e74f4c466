// spm_corpora.mjs: the corpora and models the SentencePiece goldens cover, and
// where they live. Run as a program it writes the two corpora made here:
//
//   node spm_corpora.mjs
//
//   tests/golden/spm/botchan.jsonl     tests/golden/spm/botchan.txt (upstream's
//       test text) split at each "\n" byte, one JSON string per line. Each line
//       keeps what std::getline gives spm_encode: its "\r" (the file has CRLF
//       line ends) and, on line 1, the U+FEFF byte-order mark.
//   tests/golden/spm/stress_spm.jsonl  the lines of spm_stress.mjs
//   tests/golden/spm/invalid_utf8.hex  byte strings that are not valid UTF-8 (which a
//       JSON string cannot carry): one input per line, its bytes in lower-case hex
//
// The .jsonl files are written with jsonl.mjs, like the shared corpus.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { jsonString } from './jsonl.mjs';
import { stressSections } from './spm_stress.mjs';
import { NPM_MODELS, NPM_MODELS_DIR } from './spm_npm_models.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPM = join(ROOT, 'tests', 'golden', 'spm');

export const CORPORA = ['real', 'stress', 'botchan', 'stress_spm', 'invalid_utf8'];

export function corpusPath(name) {
  if (name === 'invalid_utf8') return join(SPM, 'invalid_utf8.hex');
  return name === 'real' || name === 'stress'
    ? join(ROOT, 'tests', 'golden', 'corpus', `${name}.jsonl`)
    : join(SPM, `${name}.jsonl`);
}

// A corpus's texts as Buffers (the bytes each golden line was made from).
export function corpusTexts(name) {
  const lines = readFileSync(corpusPath(name), 'utf8').split('\n').slice(0, -1);
  return name === 'invalid_utf8'
    ? lines.map((l) => Buffer.from(l, 'hex'))
    : lines.map((l) => Buffer.from(JSON.parse(l), 'utf8'));
}

// Not valid UTF-8: lone continuation bytes, bytes that never start a character,
// overlong forms, UTF-16 surrogates, code points above U+10FFFF, sequences cut
// short (at the end, before a space, before ASCII), next to whitespace, NUL,
// user-defined-symbol text and a literal U+FFFD for contrast.
const INVALID = [
  '80', 'bf', '618062', 'c0', 'c1', 'f5', 'f8', 'fe', 'ff', '61ff62', 'ffffff', 'c080', 'c1bf', 'e08080', 'e09fbf',
  'f0808080', 'f08fbfbf', 'eda080', 'edbfbf', 'eda080edb080', 'f4908080', 'f7bfbfbf', 'e381', 'e3', 'f09f98', 'f09f',
  'c3', '61e38162', 'e38120', 'e38161', 'c365', 'e38182e381', '68656c6c6fff776f726c64', '20ff20', 'ff2020ff',
  '2020ff2020', '00ff00', '3c746167ff3e', '3dff3d', '3c736570ff', 'efbfbd', '61efbfbd62', 'ffefbfbd', '610aff',
  '09ff0d', 'e2968fff', 'e29681ff', 'ffe29681', 'efbc91ff', 'f09f9880ff', 'ff' + '61'.repeat(40) + 'ff',
];

// Every model with goldens, sorted by name: the committed ones in
// tests/golden/spm/models/ and the ones spm_npm_models.mjs fetches (npm: true).
export function modelList() {
  const committed = readdirSync(join(SPM, 'models')).filter((f) => f.endsWith('.model'))
    .map((f) => ({ name: f.slice(0, -'.model'.length), path: join(SPM, 'models', f), npm: false }));
  const fetched = NPM_MODELS.map((m) => ({ name: m.name, path: join(NPM_MODELS_DIR, `${m.name}.model`), npm: true }));
  return [...committed, ...fetched].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const bytes = readFileSync(join(SPM, 'botchan.txt'));
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  const botchan = text.split('\n');
  if (botchan[botchan.length - 1] === '') botchan.pop();
  writeFileSync(corpusPath('botchan'), botchan.map(jsonString).join('\n') + '\n');
  const stress = stressSections().flatMap(([, l]) => l);
  writeFileSync(corpusPath('stress_spm'), stress.map(jsonString).join('\n') + '\n');
  writeFileSync(corpusPath('invalid_utf8'), INVALID.join('\n') + '\n');
  console.log(`botchan.jsonl: ${botchan.length} lines; stress_spm.jsonl: ${stress.length} lines; ` +
    `invalid_utf8.hex: ${INVALID.length} lines`);
}
