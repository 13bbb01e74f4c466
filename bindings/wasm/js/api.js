// api.js -- the JavaScript API of libtokscope compiled to WebAssembly.
//
// One source for two builds (tools/assemble.mjs): the ES module package (tokscope.mjs, for Node
// and browsers) and the playground's classic script (a file:// page cannot import modules). The
// classic build strips `export ` at the start of a line, so exports are written only that way.
// The emscripten glue (createTokscopeModule) comes before this file in both.
//
// Memory: a Tokenizer holds memory inside the WebAssembly module; free() releases it, as in
// tiktoken's JS API. Vocabularies are files of the module's data directory (/vocabs), provided
// on first use by the file source (Node: the package's vocabs/ folder; browsers: fetched next
// to the module; the playground: scripts), and kept until the module goes away.

const utf8 = new TextEncoder();
// Invalid sequences become U+FFFD, never an error; a leading U+FEFF is text like any other.
const fromUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

const STATUS = ['OK', 'ENOMEM', 'EINVAL', 'ERANGE', 'ENOENT', 'EIO', 'EFORMAT', 'EUNSUPPORTED',
  'EUTF8', 'ESPECIAL', 'EID'];
const POLICY = { ordinary: 0, allow: 1, reject: 2 };
const ENCODE_LOSSY_UTF8 = 1, ENCODE_ADD_SPECIAL = 2, DECODE_SKIP_SPECIAL = 1;
const DATA_DIR = '/vocabs';

let M = null;           // the emscripten module, once init() has run
let fileSource = null;  // name -> Uint8Array | Promise<Uint8Array> | null (null: not available)
const present = new Set(); // files in DATA_DIR
const absent = new Set();  // files the source said it does not have

/** An error of the library: `status` is its tok_status name ("ENOENT", "ESPECIAL", ...). */
export class TokscopeError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'TokscopeError';
    this.status = status;
  }
}

function module_() {
  if (!M) throw new Error('tokscope: the WebAssembly module is not initialised (await init())');
  return M;
}

function lastError(what) {
  const m = module_();
  const status = STATUS[m._tsw_err_status()] || 'EINVAL';
  const msg = cstr(m._tsw_err_message());
  return new TokscopeError(msg || `${what}: ${status}`, status);
}

function cstr(ptr) {
  if (!ptr) return null;
  const h = M.HEAPU8;
  let e = ptr;
  while (h[e]) e++;
  return fromUtf8.decode(h.subarray(ptr, e));
}

// A JSON answer of the glue (freed here), or the last error.
function json(ptr, what) {
  if (!ptr) throw lastError(what);
  try { return JSON.parse(cstr(ptr)); } finally { M._tsw_free(ptr); }
}

// Text into the module's memory, as UTF-8 (lone surrogates become U+FFFD, as TextEncoder and
// tiktoken's bindings do). One scratch buffer is reused: the calls here never nest.
let scratch = 0, scratchCap = 0;
function putText(text, extra = 1) {
  const m = module_();
  const bytes = typeof text === 'string' ? null : text;
  const need = (bytes ? bytes.length : text.length * 3) + extra;
  if (need > scratchCap) {
    if (scratch) m._free(scratch);
    scratchCap = Math.max(need, 1 << 16);
    scratch = m._malloc(scratchCap);
    if (!scratch) { scratchCap = 0; throw new TokscopeError('out of memory', 'ENOMEM'); }
  }
  let written;
  if (bytes) {
    m.HEAPU8.set(bytes, scratch);
    written = bytes.length;
  } else {
    written = utf8.encodeInto(text, m.HEAPU8.subarray(scratch, scratch + need - extra)).written;
  }
  m.HEAPU8[scratch + written] = 0;
  return [scratch, written];
}

// Input: a string, or UTF-8 bytes (a Uint8Array, for text that may not be UTF-8).
function input(text) { return text instanceof Uint8Array ? text : String(text); }
function asString(text) { return typeof text === 'string' ? text : fromUtf8.decode(text); }

function withBytes(bytes, fn) {
  const m = module_();
  const p = m._malloc(bytes.length + 1);
  if (!p) throw new TokscopeError('out of memory', 'ENOMEM');
  try {
    m.HEAPU8.set(bytes, p);
    m.HEAPU8[p + bytes.length] = 0;
    return fn(p, bytes.length);
  } finally { m._free(p); }
}

function withCString(s, fn) { return withBytes(utf8.encode(s ?? ''), (p) => fn(p)); }

function resultIds() {
  const n = M._tsw_result_n(), p = M._tsw_result_ids();
  const ids = n ? new Uint32Array(M.HEAPU8.buffer, p, n).slice() : new Uint32Array(0);
  return ids;
}

// ---- set-up and vocabulary files ----

/** Create the module. Called by the package itself; call it again only to change options:
 * `wasmBinary` (the bytes of tokscope.wasm) and `files` (a file source: (name) => bytes, a
 * promise of bytes, or null when the file is not available). */
export async function init(options = {}) {
  if (options.files) fileSource = options.files;
  if (M) return;
  const mod = await createTokscopeModule({
    wasmBinary: options.wasmBinary,
    print: () => {},
    printErr: (s) => { if (typeof console !== 'undefined') console.warn(s); },
  });
  mod.FS.mkdir(DATA_DIR);
  M = mod;
}

/** Where vocabulary files come from: fn(name) returns their bytes, a promise of them, or null
 * when the file is not available (a model then falls back to its labelled estimate). */
export function setFileSource(fn) { fileSource = fn; absent.clear(); }

function filesFor(name) {
  const p = withCString(name, (s) => module_()._tsw_files_for(s));
  try { return cstr(p).split('\n').filter(Boolean); } finally { M._tsw_free(p); }
}

function putFile(name, bytes) {
  M.FS.writeFile(`${DATA_DIR}/${name}`, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  present.add(name);
}

/** Make sure the vocabulary files that `name` (an encoding, an OpenAI model or a model of the
 * registry) needs are in place: what getEncoding, encodingForModel and getModelTokenizer read
 * on first use. Needed in browsers, where files arrive asynchronously; in Node they are read
 * when needed. Resolves to the files that were not available. */
export async function load(name) {
  const missing = [];
  for (const f of filesFor(name)) {
    if (present.has(f)) continue;
    const got = fileSource && !absent.has(f) ? await fileSource(f) : null;
    if (got) putFile(f, got); else { absent.add(f); missing.push(f); }
  }
  return missing;
}

// The synchronous form: files a source gives synchronously (Node); a promise means the caller
// has to await load() first.
function ensureSync(name) {
  for (const f of filesFor(name)) {
    if (present.has(f) || absent.has(f)) continue;
    const got = fileSource ? fileSource(f) : null;
    if (got && typeof got.then === 'function') {
      got.catch(() => {});
      throw new TokscopeError(`${name}: its vocabulary ${f} is not loaded yet: ` +
        `await tokscope.load(${JSON.stringify(name)}) first`, 'ENOENT');
    }
    if (got) putFile(f, got); else absent.add(f);
  }
}

// ---- tokenizers ----

function flagsOf(options) {
  return (options.addSpecialTokens ? ENCODE_ADD_SPECIAL : 0) | (options.lossy ? ENCODE_LOSSY_UTF8 : 0);
}

const live = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((ptr) => { if (M) M._tsw_close(ptr); }) : null;

/** A tokenizer: a built-in encoding, a model's tokenizer or one made from a file's bytes. */
export class Tokenizer {
  constructor(ptr, info = {}) {
    if (!ptr) throw new TypeError('use getEncoding, encodingForModel, getModelTokenizer or Tokenizer.fromBytes');
    this._ptr = ptr;
    this._specials = null;
    this.model = info.model ?? null;
    this.exact = info.exact ?? true;
    this.estimate = info.estimate ?? null;
    if (live) live.register(this, ptr, this);
  }

  /** A tokenizer from the bytes of a tokenizer file: tokenizer.json, SentencePiece .model,
   * .tiktoken (OpenAI's four are recognised; another needs `pattern`: an encoding name or a
   * regex) or a tokscope pack (.tkz). The format is told from the content. */
  static fromBytes(bytes, options = {}) {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const label = options.name ?? 'tokenizer';
    const ptr = withBytes(data, (p, n) => withCString(label, (l) =>
      withCString(options.pattern ?? '', (pat) => M._tsw_open_memory(p, n, l, pat))));
    if (!ptr) throw lastError(label);
    return new Tokenizer(ptr);
  }

  _live() {
    if (!this._ptr) throw new Error('tokscope: this tokenizer has been freed');
    return this._ptr;
  }

  /** Release its memory. Using it afterwards throws. */
  free() {
    if (!this._ptr) return;
    if (live) live.unregister(this);
    M._tsw_close(this._ptr);
    this._ptr = 0;
  }

  get name() { return cstr(M._tsw_name(this._live())); }
  /** "tiktoken", "huggingface" or "sentencepiece". */
  get format() { return cstr(M._tsw_format(this._live())); }
  /** One more than the highest token id. */
  get vocabSize() { return M._tsw_vocab_size(this._live()) >>> 0; }
  get pattern() { return cstr(M._tsw_pattern(this._live())); }

  /** The special tokens: text -> id. */
  get specialTokens() {
    if (!this._specials) {
      this._specials = new Map(json(M._tsw_specials_json(this._live()), this.name));
    }
    return this._specials;
  }

  isSpecial(id) { return M._tsw_is_special(this._live(), id >>> 0) !== 0; }

  /** The bytes of one token (a copy). */
  tokenBytes(id) {
    const n = M._tsw_token_bytes(this._live(), id >>> 0);
    if (n < 0) throw new TokscopeError(`token id ${id} is not in the vocabulary of ${this.name}`, 'EID');
    const p = M._tsw_token_ptr();
    return M.HEAPU8.slice(p, p + n);
  }

  // tiktoken's rules for special-token text (core.py's encode): allowed "all" is every special
  // token; disallowed "all" is every one not allowed; disallowed text anywhere in the input is
  // an error naming it. The allowed ones then encode as their ids, the rest of the text as
  // ordinary text.
  _plan(input, allowedSpecial, disallowedSpecial) {
    const specials = this.specialTokens;
    const text = asString(input); // for finding special-token text only
    let allowed;
    if (allowedSpecial === 'all') allowed = new Set(specials.keys());
    else allowed = new Set(allowedSpecial ?? []);
    let disallowed;
    if (disallowedSpecial === 'all' || disallowedSpecial === undefined) {
      disallowed = [...specials.keys()].filter((s) => !allowed.has(s));
    } else {
      disallowed = [...(disallowedSpecial ?? [])];
    }
    let first = -1, found = null;
    for (const s of disallowed) {
      if (!s) continue;
      const at = text.indexOf(s);
      if (at >= 0 && (first < 0 || at < first || (at === first && s.length > found.length))) {
        first = at; found = s;
      }
    }
    if (found !== null) {
      throw new TokscopeError(`The text contains a special token that is not allowed: ${found}`, 'ESPECIAL');
    }
    const known = [...allowed].filter((s) => specials.has(s));
    if (known.length === 0) return { policy: POLICY.ordinary };
    if (known.length === specials.size) return { policy: POLICY.allow };
    if (this.format !== 'tiktoken' || typeof input !== 'string') {
      throw new TokscopeError(`${this.name}: allowing only some special tokens works for tiktoken ` +
        `encodings and string input; otherwise allow "all" or none`, 'EUNSUPPORTED');
    }
    return { policy: POLICY.ordinary, only: known };
  }

  // Text split at the allowed special tokens (leftmost first), as tiktoken's core does:
  // [text, null] pieces and [null, id] tokens.
  _pieces(text, only) {
    const specials = this.specialTokens, out = [];
    let at = 0;
    for (;;) {
      let best = -1, tok = null;
      for (const s of only) {
        const i = text.indexOf(s, at);
        if (i >= 0 && (best < 0 || i < best || (i === best && s.length > tok.length))) { best = i; tok = s; }
      }
      if (best < 0) break;
      if (best > at) out.push([text.slice(at, best), null]);
      out.push([null, specials.get(tok)]);
      at = best + tok.length;
    }
    if (at < text.length || out.length === 0) out.push([text.slice(at), null]);
    return out;
  }

  _encode(text, policy, flags, spans) {
    const [p, n] = putText(text);
    const st = M._tsw_encode(this._live(), p, n, policy, flags, spans ? 1 : 0);
    if (st !== 0) throw lastError(this.name);
    const ids = resultIds();
    let offsets = null;
    if (spans) {
      const q = M._tsw_result_spans32();
      offsets = q ? new Uint32Array(M.HEAPU8.buffer, q, 2 * ids.length).slice() : new Uint32Array(0);
    }
    M._tsw_result_free();
    return spans ? { ids, offsets } : ids;
  }

  /** Token ids of text, with tiktoken's special-token rules: allowedSpecial ("all" or a list
   * of special-token texts, default none) are encoded as special tokens; disallowedSpecial
   * ("all", the default: every special token not allowed; or a list) found in the text throw.
   * options.addSpecialTokens adds the tokenizer's own BOS/EOS or template (tokenizer.json and
   * .model files). text may also be UTF-8 bytes (a Uint8Array): invalid UTF-8 then throws
   * (EUTF8) unless options.lossy, which reads it as U+FFFD. */
  encode(text, allowedSpecial = [], disallowedSpecial = 'all', options = {}) {
    text = input(text);
    const plan = this._plan(text, allowedSpecial, disallowedSpecial);
    const flags = flagsOf(options);
    if (!plan.only) return this._encode(text, plan.policy, flags, false);
    const parts = [];
    let total = 0;
    for (const [piece, id] of this._pieces(text, plan.only)) {
      const ids = piece === null ? Uint32Array.of(id) : this._encode(piece, POLICY.ordinary, flags, false);
      parts.push(ids);
      total += ids.length;
    }
    const out = new Uint32Array(total);
    let o = 0;
    for (const ids of parts) { out.set(ids, o); o += ids.length; }
    return out;
  }

  /** Token ids of text with special-token text as plain text (tiktoken's encode_ordinary). */
  encodeOrdinary(text, options = {}) {
    return this._encode(input(text), POLICY.ordinary, flagsOf(options), false);
  }

  /** Ids and their byte spans in the UTF-8 text: { ids, offsets } with offsets[2i], offsets[2i+1]
   * the start and end of token i. specialTokens: "all" (match them) or "none" (plain text). */
  encodeWithOffsets(text, options = {}) {
    const policy = options.specialTokens === 'all' ? POLICY.allow : POLICY.ordinary;
    return this._encode(input(text), policy, flagsOf(options), true);
  }

  /** The number of tokens encode() would give, without making the ids. */
  count(text, allowedSpecial = [], disallowedSpecial = 'all', options = {}) {
    text = input(text);
    const plan = this._plan(text, allowedSpecial, disallowedSpecial);
    const flags = flagsOf(options);
    if (plan.only) return this.encode(text, allowedSpecial, disallowedSpecial, options).length;
    const [p, n] = putText(text);
    const st = M._tsw_count(this._live(), p, n, plan.policy, flags);
    if (st !== 0) throw lastError(this.name);
    const c = M._tsw_result_n() >>> 0;
    M._tsw_result_free();
    return c;
  }

  /** The bytes the ids stand for (a special token's text for special ids). */
  decodeBytes(ids, options = {}) {
    const arr = ids instanceof Uint32Array ? ids : Uint32Array.from(ids);
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    const st = withBytes(bytes, (p, n) =>
      M._tsw_decode(this._live(), p, n / 4, options.skipSpecialTokens ? DECODE_SKIP_SPECIAL : 0));
    if (st !== 0) throw lastError(this.name);
    const n = M._tsw_result_n() >>> 0, q = M._tsw_result_bytes();
    const out = M.HEAPU8.slice(q, q + n);
    M._tsw_result_free();
    return out;
  }

  /** The text the ids stand for; bytes that are not UTF-8 become U+FFFD. */
  decode(ids, options = {}) { return fromUtf8.decode(this.decodeBytes(ids, options)); }

  /** Count a whole API request as the API bills it (`tokscope chat --json`): a request body --
   * OpenAI Chat Completions or Responses, Anthropic Messages, Gemini generateContent (detected,
   * or options.api) -- an array of messages, or their JSON text. A model's tokenizer
   * (getModelTokenizer) renders an open model's conversation with its own chat template and
   * scales an estimated model's text. options: model, convention, api, addGenerationPrompt
   * (default true), templateVars (apply_chat_template's extra arguments, an object).
   * { total, totalLow, totalHigh, exact, complete, api, convention, model, parts, messages:
   * [{role, path, content, overhead, total, exact}], prefix, reply, note, ... }. */
  countChat(messages, options = {}) {
    const text = typeof messages === 'string' ? messages : JSON.stringify(messages);
    const model = options.model ?? this.model ?? '';
    const own = this.model !== null && model === this.model ? 1 : 0;
    const gen = options.addGenerationPrompt === false ? 0 : 1;
    const vars = options.templateVars ? JSON.stringify(options.templateVars) : '';
    return json(withBytes(utf8.encode(text), (p, n) => withCString(model, (m) =>
      withCString(options.convention ?? '', (c) => withCString(options.api ?? '', (a) =>
        withCString(vars, (v) => M._tsw_request_json(this._live(), p, n, m, c, a, own,
          this.exact ? 1 : 0, gen, v)))))), 'chat');
  }
}

/** tiktoken's name for a tokenizer of an encoding. */
export const Encoding = Tokenizer;

/** A built-in encoding: gpt2, r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base,
 * o200k_harmony. */
export function getEncoding(name) {
  ensureSync(name);
  const ptr = withCString(name, (s) => module_()._tsw_open_encoding(s));
  if (!ptr) throw lastError(name);
  return new Tokenizer(ptr);
}

/** The encoding of an OpenAI model, as tiktoken's encoding_for_model maps it. */
export function encodingForModel(model) {
  const p = withCString(model, (s) => module_()._tsw_encoding_for_model(s));
  if (!p) throw lastError(model);
  return getEncoding(cstr(p));
}

/** The names of the built-in encodings. */
export function listEncodings() {
  return ['gpt2', 'r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base', 'o200k_harmony'];
}

/** The tokenizer that counts for a model of the registry (any of its names) or an OpenAI model:
 * exact when its vocabulary is built in or available (tokenizer.exact), else the encoding that
 * estimates it, with tokenizer.exact false and tokenizer.estimate saying how (count with
 * countForModel to get the scaled estimate). */
export function getModelTokenizer(model) {
  ensureSync(model);
  const m = module_();
  const ex = m._malloc(4);
  try {
    const ptr = withCString(model, (s) => m._tsw_open_model(s, ex));
    if (!ptr) throw lastError(model);
    const exact = m.HEAP32[ex >> 2] !== 0;
    let estimate = null;
    if (!exact) {
      const info = getModel(model);
      estimate = { encoding: info.approxEncoding, factor: info.approxFactor, low: info.approxLow,
        high: info.approxHigh, basis: info.basis };
    }
    return new Tokenizer(ptr, { model, exact, estimate });
  } finally { m._free(ex); }
}

/** Every model of the built-in registry: id, provider, aliases, tokenizer, windows, prices per
 * million tokens (exact decimal strings; null when not published), source, date, basis. */
export function models() { return json(module_()._tsw_models_json(), 'models'); }

/** One model of the registry by any of its names (case, provider prefixes and dates are
 * ignored). */
export function getModel(name) {
  return json(withCString(name, (s) => module_()._tsw_model_json(s)), name);
}

/** Count text for a model: { count, exact, low, high, basis, tokenizer }. Exact when the model's
 * tokenizer is at hand; otherwise its estimating encoding's count scaled by the registry's
 * factor, with the range the factor is known to vary over -- never presented as exact.
 * options.tokenizer: the model's tokenizer from getModelTokenizer, to reuse (not freed);
 * options.count: that tokenizer's count of text (special-token text as plain text), if known. */
export function countForModel(model, text, options = {}) {
  const t = options.tokenizer ?? getModelTokenizer(model);
  try {
    // special-token text as plain text, as tokscope cost counts
    const raw = options.count ?? t.count(text, [], []);
    if (t.exact) return { count: raw, exact: true, low: raw, high: raw, basis: getModel(model).basis, tokenizer: t.name };
    const e = json(withCString(model, (s) => M._tsw_estimate_json(s, raw)), model);
    return { count: e.count, exact: false, low: e.low, high: e.high, basis: e.basis,
      tokenizer: e.encoding, factor: e.factor };
  } finally { if (!options.tokenizer) t.free(); }
}

/** Price a request for a model with the registry's prices (the library's exact integer maths):
 * { model, fit: {fits, why, window, usedBasisPoints, leftForOutput}, usd: {input, cachedInput,
 * cacheWrite, output, total, callsTotal}, calls }. Amounts are exact decimal strings, null when a
 * needed price is not published. */
export function cost(model, request = {}) {
  const r = { inputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, outputTokens: 0, calls: 1, batch: false, ...request };
  return json(withCString(model, (s) => module_()._tsw_cost_json(s, r.inputTokens, r.cachedTokens,
    r.cacheWriteTokens, r.outputTokens, r.calls, r.batch ? 1 : 0)), model);
}

/** Bytes of WebAssembly memory the module holds (it grows, never shrinks). */
export function memorySize() { return module_().HEAPU8.length; }

/** The library's version. */
export function version() { return cstr(module_()._tsw_version()); }

// ---- for the playground: token boxes as `tokscope show --html` draws them ----

/** HTML of tokens [from, ...) of an encoding (ids and offsets from encodeWithOffsets), at least
 * `max` tokens and whole character groups: { html, next, nextUnit }. */
export function showHtml(tok, enc, from, unit, max, byId = false) {
  const m = module_();
  const n = enc.ids.length;
  const ip = m._malloc(n * 4 + 4), sp = m._malloc(n * 8 + 8);
  try {
    m.HEAPU32.set(enc.ids, ip >>> 2);
    m.HEAPU32.set(enc.offsets, sp >>> 2);
    m._tsw_show(tok._live(), ip, sp, n, from, unit, max, byId ? 1 : 0);
    const h = m._tsw_show_html(), len = m._tsw_show_len() >>> 0;
    return { html: fromUtf8.decode(m.HEAPU8.subarray(h, h + len)), next: m._tsw_show_next() >>> 0,
      nextUnit: m._tsw_show_next_unit() >>> 0 };
  } finally { m._free(ip); m._free(sp); }
}

/** Where to cut ids into slices of at least `max` tokens at character-group boundaries: the
 * start index of each slice. */
export function showChunks(tok, ids, max) {
  const m = module_();
  const ip = m._malloc(ids.length * 4 + 4), op = m._malloc(4 * (Math.ceil(ids.length / max) + 2));
  try {
    m.HEAPU32.set(ids, ip >>> 2);
    const k = m._tsw_show_chunks(tok._live(), ip, ids.length, max, op) >>> 0;
    return Array.from(m.HEAPU32.subarray(op >>> 2, (op >>> 2) + k));
  } finally { m._free(ip); m._free(op); }
}

/** Character groups of an encoding: { groups, grouped } (tokens that each hold part of a
 * character). */
export function showGroups(tok, ids) {
  const m = module_();
  const ip = m._malloc(ids.length * 4 + 4);
  try {
    m.HEAPU32.set(ids, ip >>> 2);
    m._tsw_show_count_groups(tok._live(), ip, ids.length);
    return { groups: m._tsw_show_groups() >>> 0, grouped: m._tsw_show_grouped() >>> 0 };
  } finally { m._free(ip); }
}

/** The CSS of show --html's pages. */
export function showCss() { return cstr(module_()._tsw_page_css()); }

// ---- explain: how words and numbers split (tokscope explain --json, record for record) ----

const SPACE = /^[\t-\r \p{Zs}\p{Zl}\p{Zp}]$/u, PUNCT = /^\p{P}$/u, DIGIT = /^\p{Nd}$/u;

function utf8Len(cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// Words: runs of non-space characters, punctuation trimmed from both ends (a run of
// punctuation alone stays whole); numbers: digits with , . _ between them.
// A generator, so that explain() with a limit reads only as far as it needs.
function* findWords(text) {
  let i = 0, off = 0;
  const next = () => { // the character at i: { ch, start, len }; advances
    let cp = text.codePointAt(i);
    const units = cp > 0xffff ? 2 : 1;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // as TextEncoder writes a lone surrogate
    const c = { ch: String.fromCodePoint(cp), start: off };
    i += units;
    off += utf8Len(cp);
    return c;
  };
  while (i < text.length) {
    const run = [];
    let c = next();
    if (SPACE.test(c.ch)) continue;
    run.push(c);
    let endOff = off;
    while (i < text.length) {
      const si = i, so = off;
      c = next();
      if (SPACE.test(c.ch)) { i = si; off = so; break; }
      run.push(c);
    }
    endOff = off;
    let a = 0, b = run.length;
    while (a < b && PUNCT.test(run[a].ch)) a++;
    while (b > a && PUNCT.test(run[b - 1].ch)) b--;
    if (a === b) { a = 0; b = run.length; }
    const w = run.slice(a, b);
    let any = false, sepsOk = true, digits = true;
    for (const { ch } of w) {
      if (DIGIT.test(ch)) any = true;
      else if (ch === ',' || ch === '.' || ch === '_') digits = false;
      else digits = sepsOk = false;
    }
    const number = any && sepsOk && DIGIT.test(w[0].ch) && DIGIT.test(w[w.length - 1].ch);
    const end = b < run.length ? run[b].start : endOff;
    yield { text: w.map((x) => x.ch).join(''), start: w[0].start, end, chars: w, number, digitsOnly: number && digits };
  }
}

function digitRule(d) {
  if (d.length <= 1) return 'single';
  let ones = true, left = d[d.length - 1] <= 3, right = d[0] <= 3;
  d.forEach((x, i) => {
    ones &&= x === 1;
    if (i + 1 < d.length) left &&= x === 3;
    if (i > 0) right &&= x === 3;
  });
  return ones ? 'one' : left ? 'left3' : right ? 'right3' : 'learned';
}

/** How each word and number of text splits under each tokenizer (named by names[k]), as
 * tokscope explain --json reports it: one record per distinct word, in order, { word, kind,
 * start, end, split, shown, tokenizers: [{ tokenizer, tokens, ids, pieces, shown, digits?,
 * rule? }] } (start/end are byte offsets; pieces are the tokens' text, null for a token that
 * holds part of a character; shown is the table's visible form). options.limit: at most so many
 * records; options.encodings: the tokenizers' encodeWithOffsets(text), when already made. */
export function explain(text, tokenizers, names, options = {}) {
  const m = module_();
  const limit = options.limit ?? Infinity;
  const words = findWords(text);
  const encs = options.encodings ?? tokenizers.map((t) => t.encodeWithOffsets(text));
  const bufs = encs.map((e) => { const p = m._malloc(e.ids.length * 4 + 4); m.HEAPU32.set(e.ids, p >>> 2); return p; });
  const cursors = encs.map(() => 0);
  const seen = new Set(), out = [];
  const shownText = () => fromUtf8.decode(M.HEAPU8.subarray(M._tsw_show_html(), M._tsw_show_html() + (M._tsw_show_len() >>> 0)));
  try {
    for (const w of words) {
      if (out.length >= limit) break;
      const cells = encs.map((e, k) => {
        const sp = e.offsets, n = e.ids.length;
        let j = cursors[k];
        while (j < n && (sp[2 * j + 1] <= w.start || sp[2 * j] === sp[2 * j + 1])) j++;
        cursors[k] = j;
        let end = j;
        while (end < n && sp[2 * end] < w.end) end++;
        return [j, end];
      });
      if (seen.has(w.text)) continue;
      seen.add(w.text);
      const rec = { word: w.text, kind: w.number ? 'number' : 'word', start: w.start, end: w.end, split: false, tokenizers: [] };
      withBytes(utf8.encode(w.text), (p, n) => { M._tsw_visible(p, n); rec.shown = shownText(); });
      tokenizers.forEach((tok, k) => {
        const [first, last] = cells[k], e = encs[k];
        const ids = Array.from(e.ids.subarray(first, last));
        const pieces = [];
        for (let i = first; i < last;) {
          const j = first + M._tsw_group_end(tok._live(), bufs[k] + 4 * first, last - first, i - first);
          for (let t = i; t < j; t++) pieces.push(j - i > 1 ? null : fromUtf8.decode(tok.tokenBytes(e.ids[t])));
          i = j;
        }
        M._tsw_cell_pieces(tok._live(), bufs[k], first, last);
        const cell = { tokenizer: names[k], tokens: last - first, ids, pieces, shown: shownText() };
        if (w.number) {
          const d = [];
          for (let t = first; t < last; t++) {
            const a = Math.max(e.offsets[2 * t], w.start), b = Math.min(e.offsets[2 * t + 1], w.end);
            let c = 0;
            for (const ch of w.chars) {
              const len = utf8Len(ch.ch.codePointAt(0));
              if (ch.start >= a && ch.start + len <= b && DIGIT.test(ch.ch)) c++;
            }
            if (c) d.push(c);
          }
          cell.digits = d;
          if (w.digitsOnly) cell.rule = digitRule(d);
        }
        rec.split ||= cell.tokens > 1;
        rec.tokenizers.push(cell);
      });
      out.push(rec);
    }
  } finally { bufs.forEach((p) => m._free(p)); }
  return out;
}
