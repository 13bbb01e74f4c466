// types-check.ts -- uses every declaration of index.d.ts the way a program would; make test-wasm
// compiles it with tsc --noEmit --strict against the built package.
import { getEncoding, encodingForModel, getModelTokenizer, Tokenizer, Encoding, TokscopeError, models, getModel,
  countForModel, cost, explain, load, listEncodings, version } from 'tokscope';

const enc: Encoding = getEncoding('o200k_base');
const ids: Uint32Array = enc.encode('hello', 'all', []);
const n: number = enc.count('hello', ['<|endoftext|>'], 'all', { lossy: true });
const s: string = enc.decode(ids);
const b: Uint8Array = enc.decodeBytes([1, 2]);
const { offsets } = enc.encodeWithOffsets(new Uint8Array([104, 105]), { specialTokens: 'none' });
const chat = enc.countChat([{ role: 'user', content: 'hi' }], { model: 'gpt-4o', convention: 'openai' });
const total: number = chat.total + chat.messages[0].overhead;
const m = getModelTokenizer('llama-3.1-8b');
const exact: boolean = m.exact && m.estimate === null;
const t: Tokenizer = Tokenizer.fromBytes(new Uint8Array(0), { name: 'x.json' });
const c = countForModel('claude-sonnet-4', 'text', { tokenizer: m });
const usd: string | null = cost('gpt-4o', { inputTokens: c.count, calls: 3 }).usd.total;
const price: string | null = getModel('gpt-4o').pricesPerMillion.input;
const rec = explain('a b', [enc], ['o200k_base'], { limit: 3 })[0].tokenizers[0].pieces;
const missing: Promise<string[]> = load('gpt-4o');
const names: string[] = [...listEncodings(), version(), models()[0].id];
try { encodingForModel('x'); } catch (e) { if (e instanceof TokscopeError) console.log(e.status); }
enc.free();
console.log(n, s, b, offsets, total, exact, t, usd, price, rec, missing, names);
