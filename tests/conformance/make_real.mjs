// make_real.mjs: build tests/golden/corpus/real.jsonl from files shipped by
// Debian 12 packages. Called by make_corpus.sh (which installs the packages).
//
//   node make_real.mjs OUT.jsonl OUT.manifest
//
// Everything here is deterministic: the file lists come from `dpkg -L` (sorted
// by byte order), files are picked with a fixed stride, each file's text is cut
// into contiguous blocks at line boundaries with a fixed cycle of target sizes,
// and blocks are picked with a fixed stride. No clock, no randomness.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, lstatSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { toJsonl } from './jsonl.mjs';

const [, , OUT_JSONL, OUT_MANIFEST] = process.argv;
if (!OUT_JSONL || !OUT_MANIFEST) {
  console.error('usage: node make_real.mjs OUT.jsonl OUT.manifest');
  process.exit(2);
}

const MIN_CHUNK = 200;   // bytes
const MAX_CHUNK = 3000;  // bytes
const TARGETS = [300, 700, 1200, 2000, 2800]; // cycled, per file

const utf8 = new TextDecoder('utf-8', { fatal: true });
const blen = (s) => Buffer.byteLength(s, 'utf8');
const byteSort = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function dpkgList(pkg) {
  const out = execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8' });
  return out.split('\n').filter((p) => p && existsSync(p) && lstatSync(p).isFile()).sort(byteSort);
}
function dpkgVersion(pkg) {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
}

// ---------------------------------------------------------------- text readers
// Each reader returns the decoded text of one file (or null if the file is not
// valid UTF-8 / yields nothing), which is then cut into blocks.

function readPlain(path) {
  try { return utf8.decode(readFileSync(path)); } catch { return null; }
}
function readGz(path) {
  try { return utf8.decode(gunzipSync(readFileSync(path))); } catch { return null; }
}

// GNU gettext .mo catalog: the translated strings (msgstr) in catalog order,
// the header entry (msgid "") skipped, plural forms (NUL-separated) put on
// separate lines, one message per line.
function readMo(path) {
  const b = readFileSync(path);
  const le = b.readUInt32LE(0) === 0x950412de;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const n = u32(8), origTab = u32(12), transTab = u32(16);
  const msgs = [];
  for (let i = 0; i < n; i++) {
    const olen = u32(origTab + 8 * i);
    if (olen === 0) continue; // header
    const len = u32(transTab + 8 * i), off = u32(transTab + 8 * i + 4);
    let s;
    try { s = utf8.decode(b.subarray(off, off + len)); } catch { continue; }
    msgs.push(s.replace(/\0/g, '\n'));
  }
  return msgs.length ? msgs.join('\n') + '\n' : null;
}

// A man page with the troff markup removed, by fixed textual rules (no groff,
// so the result does not depend on a formatter version): comment lines dropped;
// font/size requests (.B .I .BR .IR .BI .RB .RI .IB .SM .SB) replaced by their
// arguments; section/paragraph macros (.SH .SS .PP .P .LP .TP .IP .HP .RS .RE
// .br .sp .nf .fi .ad .na .in .ti .ne .TH and other requests) replaced by their
// arguments (if any) or a blank line; inline escapes \f? \f(?? \fB.. removed,
// \- \e \& \(aq \(dq \(em \(en \(bu \(co \(rg \(tm \ <space> \| \^ mapped.
function stripTroff(text) {
  const out = [];
  const args = (rest) => (rest.match(/"[^"]*"|\S+/g) || []).map((a) => a.replace(/^"|"$/g, ''));
  for (const line of text.split('\n')) {
    if (/^[.']\s*\\"/.test(line) || /^\\"/.test(line)) continue;
    const m = line.match(/^[.']\s*([A-Za-z]{1,3})\s*(.*)$/);
    if (m) {
      const [, req, rest] = m;
      const a = args(rest);
      if (/^(B|I|SM|SB)$/.test(req)) out.push(a.join(' '));
      else if (/^(BR|IR|BI|RB|RI|IB)$/.test(req)) out.push(a.join(''));
      else if (/^(SH|SS)$/.test(req)) out.push('', a.join(' '));
      else if (/^(TP|PP|P|LP|HP|sp)$/.test(req)) out.push('');
      else if (req === 'IP') { out.push(''); if (a.length) out.push(a[0]); }
      else if (req === 'TH') out.push(a.join(' '), '');
      continue; // other requests (.br .nf .fi .RS .RE .ad .in ...) dropped
    }
    if (/^[.']/.test(line)) continue;
    out.push(line);
  }
  const ESC = { '(aq': "'", '(dq': '"', '(em': '\u2014', '(en': '\u2013', '(bu': '\u2022', '(co': '\u00a9', '(rg': '\u00ae', '(tm': '\u2122', '(lq': '\u201c', '(rq': '\u201d', '(oq': '\u2018', '(cq': '\u2019', '(mi': '\u2212', '(hy': '-', '(ti': '~', '(ha': '^' };
  return out.join('\n')
    .replace(/\\f(\(..|\[[^\]]*\]|.)/g, '')
    .replace(/\\s[-+]?\d/g, '')
    .replace(/\\(\(..)/g, (m, e) => ESC[e] ?? m)
    .replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\&/g, '').replace(/\\[|^]/g, '').replace(/\\ /g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '');
}
function readGzStripped(path) {
  const t = readGz(path);
  return t === null ? null : stripTroff(t);
}

const ENT = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function unescapeHtml(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
    }
    return ENT[e] ?? m;
  });
}

// Publican/DocBook HTML of the Debian Administrator's Handbook: the text of
// every <div class="para"> whose letters are mostly in `script`, tags removed,
// entities decoded, each line trimmed; paragraphs separated by a blank line.
function readHandbookParas(script) {
  const re = new RegExp(`\\p{Script=${script}}`, 'u');
  return (path) => {
    const html = readPlain(path);
    if (html === null) return null;
    const paras = [];
    for (const m of html.matchAll(/<div class="para"[^>]*>([\s\S]*?)<\/div>/g)) {
      const text = unescapeHtml(m[1].replace(/<[^>]*>/g, ''))
        .split('\n').map((l) => l.trim()).filter((l) => l !== '').join('\n');
      const letters = [...text].filter((c) => /\p{L}/u.test(c));
      const inScript = letters.filter((c) => re.test(c)).length;
      if (letters.length > 0 && inScript * 2 > letters.length) paras.push(text);
    }
    return paras.length ? paras.join('\n\n') + '\n' : null;
  };
}

// ---------------------------------------------------------------- chunking
// Cut `text` into contiguous blocks at line ends. A block is closed after a
// boundary line once it reaches the current target size, or after any line once
// it reaches 1.6x the target; it never exceeds MAX_CHUNK bytes (a single longer
// line is cut at code point boundaries). Blocks shorter than MIN_CHUNK bytes or
// made only of whitespace are dropped. Returns [{text, start, end}] with byte
// offsets into the UTF-8 text.
function chunk(text, isBoundary) {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) || [];
  const out = [];
  let cur = '', curStart = 0, pos = 0, t = 0;
  const emit = () => {
    if (cur !== '' && blen(cur) >= MIN_CHUNK && /\S/u.test(cur)) {
      out.push({ text: cur, start: curStart, end: curStart + blen(cur) });
      t++;
    }
    cur = '';
  };
  for (const line of lines) {
    const lb = blen(line);
    if (blen(cur) + lb > MAX_CHUNK) emit();
    if (cur === '') curStart = pos;
    if (lb > MAX_CHUNK) {
      // a single over-long line: cut it into MAX_CHUNK-byte pieces
      let piece = '', pStart = pos;
      for (const ch of line) {
        if (blen(piece) + blen(ch) > MAX_CHUNK) { cur = piece; curStart = pStart; emit(); pStart += blen(piece); piece = ''; }
        piece += ch;
      }
      cur = piece; curStart = pStart;
    } else {
      cur += line;
    }
    pos += lb;
    const target = TARGETS[t % TARGETS.length];
    const size = blen(cur);
    if ((size >= target && isBoundary(line)) || size >= Math.min(MAX_CHUNK, target * 1.6)) emit();
  }
  emit();
  return out;
}

const blankLine = (l) => l.trim() === '';
const fortuneSep = (l) => l === '%\n' || l.trim() === '';

// ---------------------------------------------------------------- sources
// budget: bytes of text to take; files: number of files to spread over.
const py = 'python3.11';
const SOURCES = [
  {
    cat: 'english-prose', name: 'fortunes', pkg: 'fortunes', budget: 25000, files: 16,
    list: () => dpkgList('fortunes').filter((p) => p.startsWith('/usr/share/games/fortunes/') && !/\.(dat|u8)$/.test(p)),
    read: readPlain, boundary: fortuneSep,
    note: 'fortune files (raw, "%" separator lines kept)',
  },
  {
    cat: 'english-prose', name: 'python-docs', pkg: `${py}-doc`, alsoPkg: 'python3-doc', budget: 25000, files: 16,
    list: () => dpkgList(`${py}-doc`).filter((p) => p.startsWith(`/usr/share/doc/${py}/html/_sources/`) && p.endsWith('.rst.txt')),
    read: readPlain, boundary: blankLine,
    note: 'Python documentation sources (reStructuredText .rst.txt)',
  },
  {
    cat: 'code', name: 'c-headers', pkg: 'libc6-dev', budget: 25000, files: 16,
    list: () => dpkgList('libc6-dev').filter((p) => p.startsWith('/usr/include/') && p.endsWith('.h') && !p.includes('-linux-gnu')),
    read: readPlain, boundary: blankLine,
    note: 'C headers under /usr/include (architecture-independent ones only)',
  },
  {
    cat: 'code', name: 'python-sources', pkg: `lib${py}-stdlib`, budget: 25000, files: 16,
    list: () => dpkgList(`lib${py}-stdlib`).filter((p) => p.startsWith(`/usr/lib/${py}/`) && p.endsWith('.py')),
    read: readPlain, boundary: blankLine,
    note: 'Python standard library sources',
  },
  {
    cat: 'chinese', name: 'manpages-zh', pkg: 'manpages-zh', budget: 15000, files: 12,
    list: () => dpkgList('manpages-zh').filter((p) => /^\/usr\/share\/man\/zh_(CN|TW)\/.*\.gz$/.test(p)),
    read: readGz, boundary: blankLine,
    note: 'Chinese (simplified zh_CN and traditional zh_TW) man pages, raw troff, gunzipped',
  },
  {
    cat: 'chinese', name: 'manpages-zh-text', pkg: 'manpages-zh', budget: 15000, files: 12, offset: 0.5,
    list: () => dpkgList('manpages-zh').filter((p) => /^\/usr\/share\/man\/zh_(CN|TW)\/.*\.gz$/.test(p)),
    read: readGzStripped, boundary: blankLine,
    note: 'Chinese (simplified zh_CN and traditional zh_TW) man pages, troff markup stripped by fixed rules (other files than the raw ones: stride offset 1/2)',
  },
  {
    cat: 'japanese', name: 'manpages-ja', pkg: 'manpages-ja', budget: 15000, files: 12,
    list: () => dpkgList('manpages-ja').filter((p) => /^\/usr\/share\/man\/ja\/.*\.gz$/.test(p)),
    read: readGz, boundary: blankLine,
    note: 'Japanese man pages, raw troff, gunzipped',
  },
  {
    cat: 'japanese', name: 'manpages-ja-text', pkg: 'manpages-ja', budget: 15000, files: 12, offset: 0.5,
    list: () => dpkgList('manpages-ja').filter((p) => /^\/usr\/share\/man\/ja\/.*\.gz$/.test(p)),
    read: readGzStripped, boundary: blankLine,
    note: 'Japanese man pages, troff markup stripped by fixed rules (other files than the raw ones: stride offset 1/2)',
  },
  {
    cat: 'cyrillic', name: 'manpages-ru', pkg: 'manpages-ru', budget: 15000, files: 12,
    list: () => dpkgList('manpages-ru').filter((p) => /^\/usr\/share\/man\/ru\/.*\.gz$/.test(p)),
    read: readGz, boundary: blankLine,
    note: 'Russian man pages, raw troff, gunzipped',
  },
  {
    cat: 'cyrillic', name: 'manpages-ru-text', pkg: 'manpages-ru', budget: 15000, files: 12, offset: 0.5,
    list: () => dpkgList('manpages-ru').filter((p) => /^\/usr\/share\/man\/ru\/.*\.gz$/.test(p)),
    read: readGzStripped, boundary: blankLine,
    note: 'Russian man pages, troff markup stripped by fixed rules (other files than the raw ones: stride offset 1/2)',
  },
  {
    cat: 'arabic', name: 'handbook-ar', pkg: 'debian-handbook', budget: 25000, files: 12,
    list: () => dpkgList('debian-handbook').filter((p) => /^\/usr\/share\/doc\/debian-handbook\/html\/ar-MA\/[^/]+\.html$/.test(p)),
    read: readHandbookParas('Arabic'), boundary: blankLine,
    note: 'Debian Administrator\'s Handbook, Arabic (ar-MA) translation: paragraphs whose letters are mostly Arabic script, HTML tags stripped',
  },
  {
    cat: 'arabic', name: 'handbook-fa', pkg: 'debian-handbook', budget: 6000, files: 3,
    list: () => dpkgList('debian-handbook').filter((p) => /^\/usr\/share\/doc\/debian-handbook\/html\/fa-IR\/[^/]+\.html$/.test(p)),
    read: readHandbookParas('Arabic'), boundary: blankLine,
    note: 'Debian Administrator\'s Handbook, Persian (fa-IR) translation (Arabic script): paragraphs as above',
  },
  {
    cat: 'greek', name: 'manpages-el', pkg: 'manpages-el', budget: 6000, files: 4,
    list: () => dpkgList('manpages-el').filter((p) => /^\/usr\/share\/man\/el\/.*\.gz$/.test(p)),
    read: readGz, boundary: blankLine,
    note: 'Greek man pages, raw troff, gunzipped',
  },
  {
    cat: 'greek', name: 'manpages-el-text', pkg: 'manpages-el', budget: 6000, files: 4, offset: 0.5,
    list: () => dpkgList('manpages-el').filter((p) => /^\/usr\/share\/man\/el\/.*\.gz$/.test(p)),
    read: readGzStripped, boundary: blankLine,
    note: 'Greek man pages, troff markup stripped by fixed rules (other files than the raw ones: stride offset 1/2)',
  },
  {
    cat: 'korean', name: 'man-db-ko', pkg: 'man-db', budget: 6000, files: 4,
    list: () => dpkgList('man-db').filter((p) => /^\/usr\/share\/man\/ko\/.*\.gz$/.test(p)),
    read: readGz, boundary: blankLine,
    note: 'Korean man pages of man-db, raw troff, gunzipped',
  },
  {
    cat: 'korean', name: 'coreutils-ko', pkg: 'coreutils', budget: 6000, files: 1,
    list: () => ['/usr/share/locale/ko/LC_MESSAGES/coreutils.mo'],
    read: readMo, boundary: blankLine,
    note: 'Korean gettext catalog of coreutils: translated messages, one per line',
  },
  {
    cat: 'hebrew', name: 'gettext-he', pkg: ['libgtk2.0-common', 'libgdk-pixbuf2.0-common', 'libpam-runtime'], budget: 10000, files: 3,
    list: () => ['/usr/share/locale/he/LC_MESSAGES/Linux-PAM.mo', '/usr/share/locale/he/LC_MESSAGES/gdk-pixbuf.mo', '/usr/share/locale/he/LC_MESSAGES/gtk20.mo'],
    read: readMo, boundary: blankLine,
    note: 'Hebrew gettext catalogs (Linux-PAM from libpam-runtime, gdk-pixbuf from libgdk-pixbuf2.0-common, gtk20 from libgtk2.0-common): translated messages, one per line',
  },
  {
    cat: 'devanagari', name: 'gettext-hi', pkg: ['gsettings-desktop-schemas', 'libglib2.0-data'], budget: 10000, files: 2,
    list: () => ['/usr/share/locale/hi/LC_MESSAGES/glib20.mo', '/usr/share/locale/hi/LC_MESSAGES/gsettings-desktop-schemas.mo'],
    read: readMo, boundary: blankLine,
    note: 'Hindi gettext catalogs (glib20 from libglib2.0-data, gsettings-desktop-schemas): translated messages, one per line',
  },
  {
    cat: 'thai', name: 'gettext-th', pkg: ['apt', 'dpkg'], budget: 10000, files: 2,
    list: () => ['/usr/share/locale/th/LC_MESSAGES/apt.mo', '/usr/share/locale/th/LC_MESSAGES/dpkg.mo'],
    read: readMo, boundary: blankLine,
    note: 'Thai gettext catalogs (apt, dpkg): translated messages, one per line',
  },
  {
    cat: 'emoji', name: 'emoji-test', pkg: 'unicode-data', budget: 15000, files: 1,
    list: () => ['/usr/share/unicode/emoji/emoji-test.txt'],
    read: readPlain, boundary: blankLine, perFile: 8,
    note: 'Unicode emoji test data file (code points, status, emoji, names)',
  },
  {
    cat: 'emoji', name: 'emoji-zwj', pkg: 'unicode-data', budget: 10000, files: 1,
    list: () => ['/usr/share/unicode/emoji/emoji-zwj-sequences.txt'],
    read: readPlain, boundary: blankLine, perFile: 6,
    note: 'Unicode emoji ZWJ sequences data file',
  },
];

// Pick `k` files with a fixed stride from the sorted list, then append the rest
// (in order) as fallbacks in case the picked files do not fill the budget.
function orderFiles(files, k, offset = 0) {
  const s = Math.max(1, Math.floor(files.length / k));
  const o = Math.floor(s * offset);
  const picked = [];
  for (let i = 0; i < k && o + i * s < files.length; i++) picked.push(files[o + i * s]);
  const rest = files.filter((f) => !picked.includes(f));
  return [...picked, ...rest];
}

const lines = [];
const manifest = [];
const perLine = [];
const pkgsUsed = new Map();
const skipped = [];

for (const src of SOURCES) {
  const pkgs = Array.isArray(src.pkg) ? src.pkg : [src.pkg];
  for (const p of [...pkgs, ...(src.alsoPkg ? [src.alsoPkg] : [])]) pkgsUsed.set(p, dpkgVersion(p));
  const files = src.list();
  if (files.length === 0) throw new Error(`${src.name}: no files found (is ${pkgs.join(', ')} installed?)`);
  const order = orderFiles(files, src.files, src.offset ?? 0);
  const quota = Math.ceil(src.budget / src.files);
  const perFile = src.perFile ?? 4; // blocks are spread over the file with this many strides
  let total = 0;
  const firstLine = lines.length + 1;
  const usedFiles = [];
  for (const f of order) {
    if (total >= src.budget) break;
    const text = src.read(f);
    if (text === null) { skipped.push(`${f} (not valid UTF-8 or empty)`); continue; }
    const chunks = chunk(text, src.boundary);
    if (chunks.length === 0) continue;
    const start = chunks.length > 1 ? 1 : 0; // block 0 is often a licence header
    const stride = Math.max(1, Math.floor((chunks.length - start) / perFile));
    let got = 0, n = 0;
    for (let i = start; i < chunks.length && got < quota && total < src.budget; i += stride) {
      const c = chunks[i];
      lines.push(c.text);
      perLine.push(`${lines.length}\t${src.cat}\t${src.name}\t${f}\tblock ${i} bytes ${c.start}-${c.end}`);
      got += blen(c.text); total += blen(c.text); n++;
    }
    if (n) usedFiles.push(`${f} (${n} block${n > 1 ? 's' : ''})`);
  }
  manifest.push({ src, pkgs, firstLine, lastLine: lines.length, total, nFiles: files.length, usedFiles });
}

writeFileSync(OUT_JSONL, toJsonl(lines));

// ---------------------------------------------------------------- manifest
// Licence summaries, checked by hand against /usr/share/doc/<pkg>/copyright
// (Debian 12). The "License:" fields found in each copyright file are listed
// after the summary, automatically.
const LICENSE = {
  'fortunes': 'BSD-3-clause (fortune-mod, The Regents of the University of California); some data files carry their own notices (see copyright file)',
  'python3-doc': 'PSF License (dependency package for python3.11-doc)',
  'python3.11-doc': 'PSF License (Python 3.11 documentation)',
  'libc6-dev': 'GNU C Library: LGPL-2.1+ (headers), some parts BSD/ISC/other permissive (see copyright file)',
  'libpython3.11-stdlib': 'PSF License (Python standard library), some modules under other permissive licences',
  'manpages-zh': 'GFDL-1.2+ (Chinese translations of Linux man pages; see copyright file)',
  'manpages-ja': 'Same licences as the original English man pages (varied, DFSG-free; per-page notices in the roff sources); see copyright file',
  'manpages-ru': 'GPL-3+ (translations); original man pages under their own licences (see copyright file)',
  'manpages-el': 'GPL-3+ (translations); original man pages under their own licences (see copyright file)',
  'man-db': 'GPL-2+',
  'coreutils': 'GPL-3+',
  'debian-handbook': 'GPL-2+ or CC-BY-SA-3.0',
  'libgtk2.0-common': 'LGPL-2+',
  'libgdk-pixbuf2.0-common': 'LGPL-2+',
  'libpam-runtime': 'BSD-3-clause or GPL (Linux-PAM)',
  'gsettings-desktop-schemas': 'LGPL-2.1+',
  'libglib2.0-data': 'LGPL-2.1+',
  'apt': 'GPL-2+',
  'dpkg': 'GPL-2+',
  'unicode-data': 'Unicode License (Unicode, Inc. data files licence)',
};

function licenseFields(pkg) {
  const path = `/usr/share/doc/${pkg}/copyright`;
  if (!existsSync(path)) return '(no copyright file)';
  const txt = readFileSync(path, 'utf8');
  const set = new Set();
  for (const m of txt.matchAll(/^License:[ \t]*(.*)$/gm)) {
    const v = m[1].trim();
    if (v && v.length <= 60) set.add(v);
  }
  return set.size ? [...set].sort(byteSort).join('; ') : '(not a machine-readable copyright file)';
}

const M = [];
M.push('real.jsonl');
M.push('----------');
M.push(`${lines.length} lines, ${lines.reduce((a, s) => a + blen(s), 0)} bytes of text (before JSON escaping).`);
M.push('Real text that nobody on this project wrote, taken from files shipped by Debian 12 packages.');
M.push('Generator: tests/conformance/make_real.mjs (called by make_corpus.sh).');
M.push('Selection rule, per source: the files listed by `dpkg -L <package>` that match a fixed');
M.push('pattern, sorted by byte order; N files picked with stride floor(count/N) (then the');
M.push('remaining files in order, only if the picked ones do not fill the byte budget); each');
M.push(`file's text cut into contiguous blocks at line ends (target sizes cycling ${TARGETS.join(', ')}`);
M.push(`bytes, ${MIN_CHUNK}..${MAX_CHUNK} bytes per block, cut preferably after a blank line); from each file,`);
M.push('blocks taken from block 1 on (block 0 is usually a licence header) with a stride of');
M.push('(blocks-1)/4, until the per-file share of the budget is reached. Files that are not');
M.push('valid UTF-8 are skipped. Newlines, tabs and all other characters are kept as they are.');
M.push('');
M.push('Packages (version as reported by `dpkg-query -W`) and licences:');
for (const [p, v] of [...pkgsUsed].sort((a, b) => byteSort(a[0], b[0]))) {
  M.push(`  ${p} ${v}`);
  M.push(`      licence: ${LICENSE[p] ?? 'see copyright file'}`);
  M.push(`      License fields in /usr/share/doc/${p}/copyright: ${licenseFields(p)}`);
}
M.push('');
M.push('Sources, in file order:');
for (const m of manifest) {
  M.push(`  lines ${m.firstLine}-${m.lastLine}  [${m.src.cat}] ${m.src.name}: ${m.src.note}`);
  M.push(`      package: ${m.pkgs.join(', ')}; ${m.total} bytes from ${m.usedFiles.length} of ${m.nFiles} candidate files:`);
  for (const f of m.usedFiles) M.push(`        ${f}`);
}
if (skipped.length) {
  M.push('');
  M.push('Files skipped (not valid UTF-8):');
  for (const s of skipped) M.push(`  ${s}`);
}
M.push('');
M.push('Per-line sources (line, category, source, file, block index and byte range in the');
M.push('decoded text of that file; for .gz the gunzipped text, for .mo the extracted message');
M.push('list, for the handbook the extracted paragraph list):');
for (const l of perLine) M.push('  ' + l);
writeFileSync(OUT_MANIFEST, M.join('\n') + '\n');

const byCat = {};
for (const m of manifest) byCat[m.src.cat] = (byCat[m.src.cat] ?? 0) + m.total;
console.error(`real: ${lines.length} lines; bytes per category: ${JSON.stringify(byCat)}`);
