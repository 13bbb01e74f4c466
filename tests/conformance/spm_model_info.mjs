// spm_model_info.mjs: read a SentencePiece .model file (a serialized
// sentencepiece.ModelProto, proto2) without protobuf libraries, and say how it
// differs from spm_train's defaults.
//
//   node spm_model_info.mjs FILE.model...    prints one summary per model
//
// Field numbers are those of sentencepiece_model.proto in v0.1.97.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function* fields(buf) {
  let i = 0;
  const varint = () => {
    let r = 0n, s = 0n;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated protobuf');
      r |= BigInt(b & 0x7f) << s;
      s += 7n;
      if (b < 0x80) return r;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const f = key >>> 3, t = key & 7;
    if (t === 0) yield [f, t, varint()];
    else if (t === 1) { yield [f, t, buf.subarray(i, i + 8)]; i += 8; }
    else if (t === 5) { yield [f, t, buf.readFloatLE(i)]; i += 4; }
    else if (t === 2) { const n = Number(varint()); yield [f, t, buf.subarray(i, i + n)]; i += n; }
    else throw new Error(`wire type ${t}`);
  }
}

// [field, name, kind, default]; kind: s string, i int32, u uint64, b bool, f float, e model type, r repeated string
const TRAINER = [
  [1, 'input', 'r'], [7, 'input_format', 's', ''], [2, 'model_prefix', 's', ''], [3, 'model_type', 'e', 1],
  [4, 'vocab_size', 'i', 8000], [5, 'accept_language', 'r'], [6, 'self_test_sample_size', 'i', 0],
  [50, 'enable_differential_privacy', 'b', false], [51, 'differential_privacy_noise_level', 'f', 0],
  [52, 'differential_privacy_clipping_threshold', 'u', 0], [10, 'character_coverage', 'f', 0.9995],
  [11, 'input_sentence_size', 'u', 0], [19, 'shuffle_input_sentence', 'b', true],
  [12, 'mining_sentence_size', 'i', undefined], [13, 'training_sentence_size', 'i', undefined],
  [14, 'seed_sentencepiece_size', 'i', 1000000], [15, 'shrinking_factor', 'f', 0.75],
  [18, 'max_sentence_length', 'i', 4192], [16, 'num_threads', 'i', 16], [17, 'num_sub_iterations', 'i', 2],
  [20, 'max_sentencepiece_length', 'i', 16], [21, 'split_by_unicode_script', 'b', true],
  [23, 'split_by_number', 'b', true], [22, 'split_by_whitespace', 'b', true],
  [24, 'treat_whitespace_as_suffix', 'b', false], [26, 'allow_whitespace_only_pieces', 'b', false],
  [25, 'split_digits', 'b', false], [53, 'pretokenization_delimiter', 's', ''], [30, 'control_symbols', 'r'],
  [31, 'user_defined_symbols', 'r'], [36, 'required_chars', 's', ''], [35, 'byte_fallback', 'b', false],
  [32, 'vocabulary_output_piece_score', 'b', true], [33, 'hard_vocab_limit', 'b', true],
  [34, 'use_all_vocab', 'b', false], [40, 'unk_id', 'i', 0], [41, 'bos_id', 'i', 1], [42, 'eos_id', 'i', 2],
  [43, 'pad_id', 'i', -1], [45, 'unk_piece', 's', '<unk>'], [46, 'bos_piece', 's', '<s>'],
  [47, 'eos_piece', 's', '</s>'], [48, 'pad_piece', 's', '<pad>'], [44, 'unk_surface', 's', ' \u2047 '],
  [49, 'train_extremely_large_corpus', 'b', false],
];
const NORMALIZER = [
  [1, 'name', 's'], [2, 'precompiled_charsmap', 'x'], [3, 'add_dummy_prefix', 'b', true],
  [4, 'remove_extra_whitespaces', 'b', true], [5, 'escape_whitespaces', 'b', true],
  [6, 'normalization_rule_tsv', 's', ''],
];
const TYPES = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };
const PIECE_TYPES = { 1: 'normal', 2: 'unknown', 3: 'control', 4: 'user-defined', 5: 'unused', 6: 'byte' };

function decodeMessage(buf, schema) {
  const out = {};
  const byNum = new Map(schema.map((s) => [s[0], s]));
  for (const [f, , v] of fields(buf)) {
    const s = byNum.get(f);
    if (!s) continue;
    const [, name, kind] = s;
    if (kind === 'r') (out[name] ??= []).push(v.toString('utf8'));
    else if (kind === 's') out[name] = v.toString('utf8');
    else if (kind === 'x') out[name] = v.length;
    else if (kind === 'b') out[name] = v !== 0n;
    else if (kind === 'f') out[name] = Math.round(v * 1e6) / 1e6;
    else if (kind === 'i') out[name] = Number(BigInt.asIntN(32, v));
    else if (kind === 'u') out[name] = Number(v);
    else if (kind === 'e') out[name] = Number(v);
  }
  return out;
}

export function readModel(path) {
  const buf = readFileSync(path);
  const model = { pieces: [], trainer: {}, normalizer: {}, denormalizer: null };
  for (const [f, , v] of fields(buf)) {
    if (f === 1) {
      const p = { piece: '', score: 0, type: 1 };
      for (const [g, , w] of fields(v)) {
        if (g === 1) p.piece = w.toString('utf8');
        else if (g === 2) p.score = w;
        else if (g === 3) p.type = Number(w);
      }
      model.pieces.push(p);
    } else if (f === 2) model.trainer = decodeMessage(v, TRAINER);
    else if (f === 3) model.normalizer = decodeMessage(v, NORMALIZER);
    else if (f === 5) model.denormalizer = decodeMessage(v, NORMALIZER);
  }
  return model;
}

// One paragraph: type, size, normalizer, piece counts, and every trainer or
// normalizer setting that differs from the proto defaults, in spm_train flag form.
export function describe(model) {
  const t = model.trainer, n = model.normalizer;
  const counts = {};
  for (const p of model.pieces) counts[PIECE_TYPES[p.type] ?? `type${p.type}`] = (counts[PIECE_TYPES[p.type]] ?? 0) + 1;
  const flags = [];
  const show = (v) => (Array.isArray(v) ? v.join(',') : typeof v === 'string' ? JSON.stringify(v) : String(v));
  for (const [, name, kind, def] of TRAINER) {
    if (['input', 'model_prefix', 'model_type', 'vocab_size', 'num_threads', 'mining_sentence_size',
      'training_sentence_size'].includes(name)) continue;
    const v = t[name];
    if (v === undefined) continue;
    if (kind === 'r' ? v.length > 0 : v !== def) flags.push(`--${name}=${show(v)}`);
  }
  for (const name of ['add_dummy_prefix', 'remove_extra_whitespaces', 'escape_whitespaces']) {
    if (n[name] === false) flags.push(`--${name}=false`);
  }
  const special = model.pieces.map((p, id) => ({ ...p, id })).filter((p) => [2, 3].includes(p.type))
    .map((p) => `${p.id}=${p.piece}`);
  const lines = [
    `type ${TYPES[t.model_type ?? 1]}, ${model.pieces.length} pieces (` +
      Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') + `); unknown/control ids: ${special.join(' ')}`,
    `normalizer ${n.name ?? '(none)'}` + (n.precompiled_charsmap ? ` (precompiled_charsmap ${n.precompiled_charsmap} bytes)` : ' (no charsmap)') +
      (n.normalization_rule_tsv ? ` from ${n.normalization_rule_tsv}` : '') +
      `, add_dummy_prefix=${n.add_dummy_prefix ?? true}, remove_extra_whitespaces=${n.remove_extra_whitespaces ?? true}` +
      (model.denormalizer ? `; denormalizer ${model.denormalizer.name ?? ''} (charsmap ${model.denormalizer.precompiled_charsmap ?? 0} bytes)` : ''),
    `trainer_spec: input=${(t.input ?? []).join(',')} model_prefix=${t.model_prefix ?? ''} vocab_size=${t.vocab_size} ` +
      `num_threads=${t.num_threads}`,
    `non-default settings: ${flags.length ? flags.join(' ') : '(none)'}`,
  ];
  return lines;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  for (const f of process.argv.slice(2)) {
    console.log(f);
    for (const l of describe(readModel(f))) console.log(`  ${l}`);
  }
}
