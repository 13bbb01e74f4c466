// spm_train_texts.mjs: write the training texts for spm_train_models.sh.
//
//   node spm_train_texts.mjs OUTDIR
//
// Every text is a plain UTF-8 file, one training sentence per line, built from
// Debian 12 package files chosen by fixed paths and fixed rules (sorted file
// lists, a byte budget per text), so the same package versions give the same
// bytes. Lines that are empty, not valid UTF-8 or longer than 2000 bytes are
// left out (spm_train skips lines over 4192 bytes anyway).
//
//   en.txt     fortunes: a fixed list of fortune files, '%' lines dropped
//   pydoc.txt  python3.11-doc: html/_sources/library/*.rst.txt, as they are
//   pysrc.txt  libpython3.11-stdlib: /usr/lib/python3.11/*.py, indentation kept
//   ja.txt     manpages-ja: man1/*.gz with troff requests and font escapes removed,
//              only lines at least half of whose characters are CJK (Han, kana,
//              CJK punctuation, full-width forms): Japanese prose, few spaces
//   zh.txt     manpages-zh: zh_CN/man1/*.gz, the same way
//   ru.txt     manpages-ru: ru/man1/*.gz and ru/man8/*.gz, the same way
//   mixed.txt  pydoc, ja and ru lines interleaved (for split_by_unicode_script)
//
// The texts are only inputs to spm_train; they are not committed.

import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

const OUT = process.argv[2];
if (!OUT) throw new Error('usage: node spm_train_texts.mjs OUTDIR');
mkdirSync(OUT, { recursive: true });

const decoder = new TextDecoder('utf-8', { fatal: true });
function utf8(buf) {
  try { return decoder.decode(buf); } catch { return null; }
}

function list(dir, re) {
  return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
}

// Collects lines from files in order until `budget` bytes are reached.
function collect(files, budget, read, keep) {
  const out = [];
  let bytes = 0;
  for (const f of files) {
    const text = read(f);
    if (text === null) continue;
    for (let line of text.split('\n')) {
      line = keep(line);
      if (line === null || line.trim() === '') continue;
      const n = Buffer.byteLength(line) + 1;
      if (n > 2001) continue;
      out.push(line);
      bytes += n;
      if (bytes >= budget) return out;
    }
  }
  return out;
}

const readText = (f) => utf8(readFileSync(f));
const readGz = (f) => utf8(gunzipSync(readFileSync(f)));
const asIs = (l) => (l.includes('\r') ? null : l);

// Troff source to text: requests (lines starting with . or ') dropped, font and
// size escapes removed, the common character escapes spelled out.
function troff(l) {
  if (l.startsWith('.') || l.startsWith("'")) return null;
  return l
    .replace(/\\f(\[[^\]]*\]|\(..|.)/g, '')
    .replace(/\\s[+-]?\d/g, '')
    .replace(/\\[&,/|^]/g, '')
    .replace(/\\\(aq/g, "'").replace(/\\\(dq/g, '"').replace(/\\\(em/g, '\u2014')
    .replace(/\\\((lq|rq)/g, '"').replace(/\\\(bu/g, '\u2022')
    .replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\ /g, ' ')
    .replace(/\r/g, '');
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef\u30fc]/u;
function cjkLine(l) {
  l = troff(l);
  if (l === null) return null;
  const chars = [...l];
  const cjk = chars.filter((c) => CJK.test(c)).length;
  return cjk * 2 >= chars.length ? l : null;
}

const FORTUNES = ['computers', 'definitions', 'humorists', 'literature', 'people', 'science', 'wisdom', 'work'];
const texts = {
  en: collect(FORTUNES.map((f) => `/usr/share/games/fortunes/${f}`), 700000, readText,
    (l) => (l === '%' ? null : asIs(l))),
  pydoc: collect(list('/usr/share/doc/python3.11-doc/html/_sources/library', /\.rst\.txt$/), 700000,
    readText, asIs),
  pysrc: collect(list('/usr/lib/python3.11', /\.py$/), 500000, readText, asIs),
  ja: collect(list('/usr/share/man/ja/man1', /\.gz$/), 700000, readGz, cjkLine),
  zh: collect(list('/usr/share/man/zh_CN/man1', /\.gz$/), 700000, readGz, cjkLine),
  ru: collect([...list('/usr/share/man/ru/man1', /\.gz$/), ...list('/usr/share/man/ru/man8', /\.gz$/)],
    700000, readGz, troff),
};
const mixed = [];
for (let i = 0; i < 6000; i++)
  for (const k of ['pydoc', 'ja', 'ru']) if (i < texts[k].length) mixed.push(texts[k][i]);
texts.mixed = mixed;

for (const [name, lines] of Object.entries(texts)) {
  writeFileSync(join(OUT, `${name}.txt`), lines.join('\n') + '\n');
}
