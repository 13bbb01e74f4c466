// api.mjs -- the JavaScript API against its references: tiktoken's special-token rules and
// model map against npm tiktoken@1.0.22 itself; files, packs, registry models, costs and chats
// against the native command on the same inputs; errors, free() and memory.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { check, cli, corpusLines, fail, firstDiff, sameIds, test } from './harness.mjs';

const require = createRequire(import.meta.url);
const tiktoken = require('tiktoken'); // npm tiktoken@1.0.22 (package-lock.json)

export async function apiTests(ts, { bin, hfDir, build }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tokscope-wasm-'));
  const real = corpusLines('tests/golden/corpus/real.jsonl');
  const sample = real.slice(0, 40).join('\n');

  await test('special-token rules: encode and count as npm tiktoken for every allowed/disallowed combination', () => {
    let cases = 0;
    for (const name of ['cl100k_base', 'o200k_base', 'p50k_edit', 'r50k_base']) {
      const ref = tiktoken.get_encoding(name), ours = ts.getEncoding(name);
      const sp = [...ours.specialTokens.keys()];
      const texts = ['plain text', `a ${sp[0]} b`, `${sp.join(' x ')} end`, `${sp[sp.length - 1]}${sp[0]}<|endoftext|`, ''];
      const alloweds = [undefined, [], 'all', [sp[0]], [sp[sp.length - 1], 'not a token'], ['<|nope|>']];
      const disalloweds = [undefined, 'all', [], [sp[0]], ['x'], ['<|nope|>']];
      for (const text of texts) for (const a of alloweds) for (const d of disalloweds) {
        const run = (f) => { try { return Array.from(f()); } catch (e) { return `error: ${e.message ?? e}`; } };
        const want = run(() => ref.encode(text, a, d)), got = run(() => ours.encode(text, a, d));
        cases++;
        if (JSON.stringify(want) !== JSON.stringify(got)) {
          fail(`${name} ${JSON.stringify(text)} allowed ${JSON.stringify(a)} disallowed ${JSON.stringify(d)}: tiktoken ${JSON.stringify(want)}, wasm ${JSON.stringify(got)}`);
        } else if (Array.isArray(got)) {
          check(ours.count(text, a, d) === got.length, `${name} count differs from encode`);
        }
        const wo = run(() => ref.encode_ordinary(text)), go = run(() => ours.encodeOrdinary(text));
        check(JSON.stringify(wo) === JSON.stringify(go), `${name} encodeOrdinary ${JSON.stringify(text)}`);
      }
      ref.free();
      ours.free();
    }
    return `${cases} cases`;
  });

  // npm tiktoken 1.0.22 predates some names of tiktoken 0.14's model.py, which the library
  // follows (its C tests check that map): a name the npm package rejects may map here.
  await test('encodingForModel maps every name npm tiktoken maps to the same encoding', () => {
    const names = ['gpt-4o', 'gpt-4o-mini', 'gpt-4o-2024-05-13', 'gpt-4', 'gpt-4-0613', 'gpt-3.5-turbo',
      'gpt-3.5-turbo-0301', 'text-davinci-003', 'text-davinci-002', 'code-davinci-002', 'davinci',
      'text-embedding-ada-002', 'text-embedding-3-small', 'gpt2', 'o1', 'o1-mini', 'o3-mini',
      'gpt-4.1', 'gpt-4.5-preview', 'ft:gpt-4o:org::abc', 'ft:gpt-3.5-turbo:org::x', 'no-such-model'];
    const newer = [];
    for (const m of names) {
      let want, got;
      try { const e = tiktoken.encoding_for_model(m); want = e.name; e.free(); } catch { want = 'error'; }
      try { const e = ts.encodingForModel(m); got = e.name; e.free(); } catch { got = 'error'; }
      check(want === got || want === 'error', `${m}: tiktoken ${want}, wasm ${got}`);
      if (want === 'error' && got !== 'error') newer.push(`${m} -> ${got}`);
    }
    return `${names.length} names; npm tiktoken rejects, tiktoken 0.14 maps: ${newer.join(', ') || 'none'}`;
  });

  await test('Tokenizer.fromBytes: OpenAI .tiktoken files, another .tiktoken with a pattern, damaged input', () => {
    const cl = ts.getEncoding('cl100k_base');
    const file = ts.Tokenizer.fromBytes(fs.readFileSync('vocabs/cl100k_base.tiktoken'), { name: 'cl100k_base.tiktoken' });
    check(sameIds(file.encode(sample, 'all'), cl.encode(sample, 'all')), '.tiktoken file and built-in encoding differ');
    check(file.format === 'tiktoken' && file.vocabSize === cl.vocabSize, 'facts of the .tiktoken file');
    // the first 2000 ranks of r50k_base: not an OpenAI file, so it needs a pattern
    const head = fs.readFileSync('vocabs/r50k_base.tiktoken', 'utf8').split('\n').slice(0, 2000).join('\n') + '\n';
    let err = null;
    try { ts.Tokenizer.fromBytes(Buffer.from(head), { name: 'small.tiktoken' }); } catch (e) { err = e; }
    check(err && err.status === 'EFORMAT' && /pattern/.test(err.message), `no pattern: ${err && err.message}`);
    const small = ts.Tokenizer.fromBytes(Buffer.from(head), { name: 'small.tiktoken', pattern: 'r50k_base' });
    check(small.encode('hello world').length > 2, 'small vocabulary encodes');
    for (const [bytes, what] of [[Buffer.from('{"model": '), 'truncated JSON'], [Buffer.alloc(100, 7), 'binary'],
      [Buffer.from(''), 'empty']]) {
      let e2 = null;
      try { ts.Tokenizer.fromBytes(bytes, { name: 'bad.json' }); } catch (e) { e2 = e; }
      check(e2 instanceof ts.TokscopeError && e2.message.includes('bad.json'), `${what}: ${e2 && e2.message}`);
    }
    for (const t of [cl, file, small]) t.free();
  });

  await test('registry models: every open-model pack (.tkz) gives the native command\'s ids; a missing one is a labelled estimate', () => {
    const models = ts.models();
    const byVocab = new Map();
    for (const m of models) if (m.tokenizer && !m.tokenizerBuiltin && !byVocab.has(m.tokenizer)) byVocab.set(m.tokenizer, m.id);
    const textFile = path.join(tmp, 'sample.txt');
    fs.writeFileSync(textFile, sample);
    const fromBuild = (name) => { try { return fs.readFileSync(path.join(build, 'wasm/vocabs', name)); } catch { return null; } };
    // first with a file source that has no packs: the estimate the registry gives, labelled as
    // one, or an error naming the vocabulary -- never a silent exact count
    ts.setFileSource((name) => (name.endsWith('.tkz') ? null : fromBuild(name)));
    for (const [vocab, id] of byVocab) {
      const m = models.find((x) => x.id === id);
      let t = null, err = null;
      try { t = ts.getModelTokenizer(id); } catch (e) { err = e; }
      if (m.approxEncoding) {
        check(t && !t.exact && t.estimate && t.estimate.encoding === m.approxEncoding && t.name === m.approxEncoding,
          `${id} without ${vocab}.tkz: ${t ? `exact ${t.exact}, ${t.name}` : err.message}`);
        const c = ts.countForModel(id, sample);
        check(!c.exact && c.low <= c.count && c.count <= c.high, `${id} estimate: ${JSON.stringify(c)}`);
      } else {
        check(err && err.status === 'ENOENT' && err.message.includes(vocab), `${id} without ${vocab}.tkz: ${err ? err.message : 'opened'}`);
      }
      if (t) t.free();
    }
    ts.setFileSource(fromBuild);
    for (const [vocab, id] of byVocab) {
      const t = ts.getModelTokenizer(id);
      check(t.exact, `${id}: ${vocab}.tkz did not load (exact false)`);
      const want = cli(bin, ['encode', '-m', id, '--special', 'allow', '-f', textFile]).trim().split(/\s+/).map(Number);
      const got = t.encode(sample, 'all', []);
      if (!sameIds(got, want)) fail(`${id} (${vocab}): differs from tokscope encode at token ${firstDiff(got, want)}`);
      check(ts.countForModel(id, sample).count === want.length, `${id}: countForModel`);
      t.free();
    }
    const claude = ts.countForModel('claude-sonnet-4', sample);
    const claudeCli = JSON.parse(cli(bin, ['cost', '-m', 'claude-sonnet-4', '--json', textFile])).models[0];
    check(!claude.exact && claude.count === claudeCli.input_tokens && claude.low <= claude.count && claude.count <= claude.high,
      `claude-sonnet-4: wasm ${JSON.stringify(claude)}, tokscope cost ${claudeCli.input_tokens}`);
    return `${byVocab.size} vocabularies`;
  });

  await test('whole requests: countChat as tokscope chat --json counts them', () => {
    const body = { messages: [{ role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hello, 世界! What is 12*13?' }] };
    const f = path.join(tmp, 'request.json');
    fs.writeFileSync(f, JSON.stringify(body));
    const keys = ['total', 'exact', 'complete', 'api', 'convention', 'prefix', 'reply'];
    const cliKeys = { total: 'total', exact: 'exact', complete: 'complete', api: 'api', convention: 'convention', prefix: 'prefix', reply: 'reply' };
    const seen = [];
    for (const model of ['qwen2.5-7b', 'llama-3.1-8b', 'gemini-2.5-flash', 'claude-sonnet-4-5', 'gpt-4o']) {
      const ref = JSON.parse(cli(bin, ['chat', '-m', model, '--json', f]));
      const t = ts.getModelTokenizer(model);
      const got = t.countChat(body);
      for (const k of keys)
        check(got[k] === ref[cliKeys[k]], `${model} ${k}: wasm ${got[k]}, tokscope chat ${ref[cliKeys[k]]}`);
      check(got.totalLow === ref.total_low && got.totalHigh === ref.total_high, `${model}: range`);
      for (const [name, part] of Object.entries(ref.parts))
        if (part.items) check(got.parts[name] && got.parts[name].tokens === part.tokens, `${model}: part ${name}`);
      if (model === 'qwen2.5-7b') {
        check(got.convention === 'template' && got.exact, `qwen2.5-7b renders with its template: ${got.convention}`);
        const bare = JSON.parse(cli(bin, ['chat', '-m', model, '--json', '--no-generation-prompt', f]));
        check(t.countChat(body, { addGenerationPrompt: false }).total === bare.total, 'qwen2.5-7b: addGenerationPrompt false');
      }
      seen.push(`${model} ${got.convention} ${got.total}`);
      t.free();
    }
    const q3 = ts.getModelTokenizer('qwen3-32b');
    const msgs = [{ role: 'user', content: 'Think about 2+2.' }];
    const qf = path.join(tmp, 'q3.json');
    fs.writeFileSync(qf, JSON.stringify(msgs));
    const off = JSON.parse(cli(bin, ['chat', '-m', 'qwen3-32b', '--json', '--var', 'enable_thinking=false', qf]));
    check(q3.countChat(msgs, { templateVars: { enable_thinking: false } }).total === off.total, 'qwen3-32b: templateVars');
    q3.free();
    const gpt = ts.getEncoding('o200k_base');
    let err = null;
    try { gpt.countChat(body, { api: 'bedrock' }); } catch (e) { err = e; }
    check(err && /api must be/.test(err.message), `api bedrock: ${err && err.message}`);
    check(gpt.countChat({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }).api === 'anthropic', 'anthropic body detected');
    gpt.free();
    return seen.join(', ');
  });

  await test('cost and window: the library\'s numbers, as tokscope cost --json gives them', () => {
    const textFile = path.join(tmp, 'cost.txt');
    fs.writeFileSync(textFile, real.slice(0, 120).join('\n'));
    const text = fs.readFileSync(textFile, 'utf8');
    const ids = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'gemini-2.5-pro', 'llama-3.1-8b', 'deepseek-chat', 'o3'];
    for (const [output, calls] of [[0, 1000], [500, 7], [200000, 1]]) {
      const ref = JSON.parse(cli(bin, ['cost', ...ids.flatMap((m) => ['-m', m]), '--output-tokens', String(output), '--calls', String(calls), '--json', textFile], undefined, true));
      for (const r of ref.models) {
        const c = ts.countForModel(r.model, text);
        check(c.count === r.input_tokens && c.exact === r.exact, `${r.model}: count ${c.count} (${c.exact}), tokscope cost ${r.input_tokens} (${r.exact})`);
        const got = ts.cost(r.model, { inputTokens: c.count, outputTokens: output, calls });
        check(got.fit.fits === r.fits && got.fit.leftForOutput === r.left_for_output && got.fit.window === r.max_input,
          `${r.model} fit: ${JSON.stringify(got.fit)} vs fits ${r.fits}, left ${r.left_for_output}, window ${r.max_input}`);
        const nano = r.cost && r.cost.calls_total ? r.cost.calls_total.nano : null;
        check(String(nano) === String(got.callsTotalNano ?? null), `${r.model} cost of ${calls} calls: ${got.callsTotalNano} nano, tokscope cost ${nano}`);
      }
    }
    const m = ts.getModel('openai/gpt-4o-2024-08-06');
    check(m.id === 'gpt-4o' && m.pricesPerMillion.input === '2.5', `getModel: ${m.id} ${m.pricesPerMillion.input}`);
  });

  await test('chat counts: as tokscope chat --json', () => {
    const convs = [
      [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: 'Hi there, how many tokens?' }],
      [{ role: 'user', content: 'x', name: 'bob' }, { role: 'assistant', content: 'Hello!' }],
    ];
    for (const model of ['gpt-4o', 'gpt-4', 'gpt-3.5-turbo-0301', 'gpt-oss-20b']) {
      convs.forEach((conv, i) => {
        const f = path.join(tmp, `chat${i}.json`);
        fs.writeFileSync(f, JSON.stringify(conv));
        const ref = JSON.parse(cli(bin, ['chat', '-m', model, '--json', f]));
        const t = ts.encodingForModel(model.startsWith('gpt-oss') ? 'gpt-4o' : model);
        const tok = model.startsWith('gpt-oss') ? ts.getEncoding('o200k_harmony') : t;
        const got = tok.countChat(conv, { model });
        check(got.total === ref.total && got.convention === ref.convention && got.exact === ref.exact,
          `${model} conversation ${i}: wasm ${got.total} ${got.convention}, tokscope chat ${ref.total} ${ref.convention}`);
        t.free();
        if (tok !== t) tok.free();
      });
    }
    let err = null;
    try { ts.getEncoding('cl100k_base').countChat('[{"role": 5}]'); } catch (e) { err = e; }
    check(err && /messages\[0\]|\[0\]/.test(err.message), `bad message: ${err && err.message}`);
  });

  await test('explain: every record as tokscope explain --json gives it', () => {
    const text = [...real.slice(0, 60), ...corpusLines('tests/golden/corpus/stress.jsonl').slice(0, 2500)].join('\n');
    const f = path.join(tmp, 'explain.txt');
    fs.writeFileSync(f, text);
    const llama = path.join(hfDir, 'llama3/tokenizer.json');
    const names = ['o200k_base', 'gpt2', llama];
    const toks = [ts.getEncoding('o200k_base'), ts.getEncoding('gpt2'), ts.Tokenizer.fromBytes(fs.readFileSync(llama))];
    const ref = cli(bin, ['explain', '-e', 'o200k_base', '-e', 'gpt2', '-t', llama, '--json', '-f', f])
      .split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const got = ts.explain(text, toks, names);
    check(got.length === ref.length, `${got.length} records, tokscope explain ${ref.length}`);
    for (let i = 0; i < Math.min(got.length, ref.length); i++) {
      const g = structuredClone(got[i]);
      delete g.shown;
      g.tokenizers.forEach((c) => delete c.shown);
      if (JSON.stringify(g) !== JSON.stringify(ref[i])) fail(`record ${i}: wasm ${JSON.stringify(g).slice(0, 300)}\n      tokscope ${JSON.stringify(ref[i]).slice(0, 300)}`);
    }
    toks.forEach((t) => t.free());
    return `${ref.length} records, 3 tokenizers`;
  });

  await test('token boxes: byte for byte what tokscope show --html draws', () => {
    const stress = corpusLines('tests/golden/corpus/stress.jsonl');
    const text = [real[5], ...stress.slice(1800, 2400), real[90]].join('\n');
    const f = path.join(tmp, 'show.txt');
    fs.writeFileSync(f, text);
    const llama = path.join(hfDir, 'llama3/tokenizer.json');
    let tokens = 0;
    for (const [args, open, special] of [[['-e', 'o200k_base'], () => ts.getEncoding('o200k_base'), 'none'],
      [['-e', 'gpt2'], () => ts.getEncoding('gpt2'), 'none'],
      [['-e', 'cl100k_base', '--special', 'allow'], () => ts.getEncoding('cl100k_base'), 'all'],
      [['-t', llama], () => ts.Tokenizer.fromBytes(fs.readFileSync(llama)), 'none']]) {
      const page = cli(bin, ['show', ...args, '--html', '-', '-f', f]);
      const m = page.match(/<div class="text">([\s\S]*?)<\/div>\n<\/section>/);
      const t = open();
      const enc = t.encodeWithOffsets(text, { specialTokens: special });
      let html = '';
      for (const from of ts.showChunks(t, enc.ids, 700)) html += ts.showHtml(t, enc, from, from, 700).html;
      if (!m || html !== m[1]) {
        let k = 0;
        while (m && k < html.length && html[k] === m[1][k]) k++;
        fail(`${args.join(' ')}: differs from show --html at character ${k}: ${JSON.stringify(html.slice(k, k + 80))} vs ${JSON.stringify(m ? m[1].slice(k, k + 80) : null)}`);
      }
      check(ts.showCss().length > 500 && page.includes(ts.showCss()), `${args.join(' ')}: the page CSS is not show --html's`);
      tokens += enc.ids.length;
      t.free();
    }
    return `4 tokenizers, ${tokens} tokens, drawn in slices of 700`;
  });

  await test('errors, bytes input, free()', () => {
    let e = null;
    try { ts.getEncoding('cl100k'); } catch (x) { e = x; }
    check(e && e.status === 'ENOENT' && /cl100k_base/.test(e.message), `unknown encoding: ${e && e.message}`);
    const enc = ts.getEncoding('o200k_base');
    const bad = Uint8Array.from([0x61, 0xff, 0x62]);
    e = null;
    try { enc.encode(bad); } catch (x) { e = x; }
    check(e && e.status === 'EUTF8', `invalid UTF-8: ${e && e.message}`);
    check(sameIds(enc.encode(bad, [], 'all', { lossy: true }), enc.encode('a\ufffdb')), 'lossy bytes = U+FFFD text');
    check(enc.decode(enc.encode('héllo wörld 🙂')) === 'héllo wörld 🙂', 'round trip');
    check(sameIds(enc.decodeBytes([enc.encode('🙂')[0]]), enc.tokenBytes(enc.encode('🙂')[0])), 'tokenBytes');
    enc.free();
    enc.free(); // a second free is a no-op
    e = null;
    try { enc.encode('x'); } catch (x) { e = x; }
    check(e && /freed/.test(e.message), `use after free: ${e && e.message}`);
  });

  await test('UTF-8 checked as the WHATWG decoder checks it (WebAssembly SIMD sixteen bytes at a time): invalid exactly when TextDecoder says so, U+FFFD where it puts them', () => {
    const enc = ts.getEncoding('o200k_base');
    const fatal = new TextDecoder('utf-8', { fatal: true }), lenient = new TextDecoder('utf-8');
    const chars = ['a', 'é', 'й', '\u07ff', '\u0800', '一', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '🦜', '\u{10ffff}', ' '];
    const junk = [0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff, 0xe0, 0xed, 0xf0, 0xf4, 0xc3, 0xe4];
    let seed = 12345;
    const rand = (m) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % m; };
    let invalid = 0;
    // a character cut short at every place in a block, then ASCII blocks; then random mixtures
    const cuts = [[0xc3], [0xe4], [0xe4, 0xb8], [0xf0], [0xf0, 0x9f], [0xf0, 0x9f, 0xa6], [0xed, 0xa0], [0x80]];
    const texts = [];
    for (const c of cuts) for (let k = 0; k < 48; k++) texts.push(Buffer.concat([Buffer.alloc(k, 'x'), Buffer.from(c), Buffer.alloc(60, 'y')]));
    for (let round = 0; round < 4000; round++) {
      const parts = [], want = rand(300), clean = round % 3 === 0;
      let n = 0;
      while (n < want) {
        if (!clean && rand(100) < 3) { parts.push(Uint8Array.of(junk[rand(junk.length)])); n++; }
        else { const b = Buffer.from(chars[rand(chars.length)]); parts.push(b); n += b.length; }
      }
      texts.push(Buffer.concat(parts));
    }
    for (const [round, bytes] of texts.entries()) {
      let ok = true;
      try { fatal.decode(bytes); } catch { ok = false; }
      let e = null, ids = null;
      try { ids = enc.encode(bytes); } catch (x) { e = x; }
      if (ok ? e : !(e && e.status === 'EUTF8')) { fail(`round ${round}: TextDecoder ${ok ? 'valid' : 'invalid'}, wasm ${e ? e.message : 'valid'}`); continue; }
      if (!ok) invalid++;
      const lossy = enc.encode(bytes, [], 'all', { lossy: true }), viaText = enc.encode(lenient.decode(bytes));
      if (!sameIds(lossy, viaText)) fail(`round ${round}: lossy ids differ from TextDecoder's text at token ${firstDiff(lossy, viaText)}`);
      if (ok && !sameIds(ids, viaText)) fail(`round ${round}: valid bytes and their text differ`);
    }
    enc.free();
    return `${texts.length} texts, ${invalid} invalid`;
  });

  await test('a built-in vocabulary file that is not the one this build made is refused, naming it', async () => {
    // a second instance of the module (its own memory and file system), given cl100k_base's
    // compact vocabulary as o200k_base's, then o200k_base's cut short
    const url = pathToFileURL(path.resolve(build, 'wasm/tokscope.mjs')).href;
    const other = await import(`${url}?wrong-vocabulary`);
    const file = (name) => fs.readFileSync(path.join(build, 'wasm/vocabs', name));
    other.setFileSource((name) => (name === 'o200k_base.tkc' ? file('cl100k_base.tkc') : null));
    let e = null;
    try { other.getEncoding('o200k_base'); } catch (x) { e = x; }
    check(e && /o200k_base\.tkc is not the file this build made/.test(e.message), `another file: ${e ? e.message : 'opened'}`);
    const other2 = await import(`${url}?short-vocabulary`);
    other2.setFileSource((name) => (name === 'r50k_base.tkc' ? file('r50k_base.tkc').subarray(0, 1000) : null));
    e = null;
    try { other2.getEncoding('r50k_base'); } catch (x) { e = x; }
    check(e && /r50k_base\.tkc/.test(e.message), `a cut file: ${e ? e.message : 'opened'}`);
    return e && e.message;
  });

  await test('memory: opening and freeing tokenizers many times does not grow the heap', () => {
    const json = fs.readFileSync(path.join(hfDir, 'llama3/tokenizer.json'));
    const tkz = fs.readFileSync(path.join(build, 'wasm/vocabs/qwen3.tkz'));
    const heap = () => ts.memorySize();
    const cycle = () => {
      for (const bytes of [json, tkz]) { const t = ts.Tokenizer.fromBytes(bytes); t.encode(sample, 'all'); t.free(); }
      ts.getEncoding('cl100k_base').free();
    };
    cycle();
    const after1 = heap();
    for (let i = 0; i < 8; i++) cycle();
    check(heap() === after1, `heap grew from ${after1} to ${heap()} bytes over 8 more cycles`);
    return `heap ${(after1 / 2 ** 20).toFixed(0)} MB`;
  });
  await test('TypeScript declarations: a program using the whole API compiles with tsc --strict', () => {
    const dir = path.join(tmp, 'ts');
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(path.resolve(build, 'wasm'), path.join(dir, 'node_modules/tokscope'));
    fs.copyFileSync(new URL('./types-check.ts', import.meta.url), path.join(dir, 'check.ts'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
    const tsc = new URL('./node_modules/typescript/bin/tsc', import.meta.url).pathname;
    try {
      execFileSync('node', [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
        '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', 'check.ts'], { cwd: dir, encoding: 'utf8' });
    } catch (e) { fail(`tsc: ${e.stdout}${e.stderr}`); }
  });
  fs.rmSync(tmp, { recursive: true, force: true });
}
