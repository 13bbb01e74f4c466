// app.js -- the playground: text in, one panel of token boxes per tokenizer, the explain and
// cost tables. The whole state lives in the URL fragment:
//   #text=...&t=o200k_base,cl100k_base&m=gpt-4o&out=0&calls=1000&sp=ordinary&theme=auto
// t: tokenizers (built-in encodings, models of the registry, file:NAME for dropped files);
// m: models for the cost table. Everything runs here: libtokscope as WebAssembly
// (tokscope.js), the vocabularies loaded on first use from vocabs/NAME.js (scripts, because a
// file:// page may load scripts but not fetch).
(function () {
  'use strict';
  const T = window.tokscope;
  const $ = (id) => document.getElementById(id);
  const CHUNK = 600;         // tokens drawn at a time; the rest as they scroll into view
  const EXPLAIN_ROWS = 300;  // distinct words in the explain table
  const ENCODINGS = T.listEncodings();
  const DEFAULT_TEXT = 'Tokenizers split text into tokens: "Hello, world!" costs 4 tokens, ' +
    'but 12345678 or ünïcödé or 🙂 may take more.\n\tWhitespace  counts too.';
  const state = { text: DEFAULT_TEXT, t: ['o200k_base', 'cl100k_base'], m: ['gpt-4o'], out: 0,
    calls: 1000, sp: 'ordinary', theme: 'auto' };

  // ---- vocabulary files: scripts that call tokscopeFileLoaded(name, base64 of the gzip) ----

  const pendingFiles = new Map();
  window.tokscopeFileLoaded = (name, b64) => {
    const p = pendingFiles.get(name);
    if (p) p.resolve(b64);
  };
  function base64Bytes(b64) {
    const bin = atob(b64), out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  async function gunzip(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  function loadFile(name) {
    return new Promise((resolve) => {
      let done = false;
      pendingFiles.set(name, { resolve: (b64) => { done = true; resolve(b64); } });
      const s = document.createElement('script');
      s.src = `vocabs/${encodeURIComponent(name)}.js`;
      s.onload = () => { if (!done) resolve(null); };
      s.onerror = () => resolve(null); // not shipped: the library says what that means
      document.head.appendChild(s);
    }).then((b64) => {
      pendingFiles.delete(name);
      return b64 ? gunzip(base64Bytes(b64)) : null;
    });
  }

  // ---- the URL fragment ----

  function readFragment() {
    const h = location.hash.slice(1);
    if (!h) return;
    for (const part of h.split('&')) {
      const i = part.indexOf('=');
      if (i < 0) continue;
      const k = part.slice(0, i);
      let v;
      try { v = decodeURIComponent(part.slice(i + 1).replace(/\+/g, ' ')); } catch { continue; }
      if (k === 'text') state.text = v;
      else if (k === 't') state.t = v.split(',').map((x) => x.trim()).filter(Boolean);
      else if (k === 'm') state.m = v.split(',').map((x) => x.trim()).filter(Boolean);
      else if (k === 'out') state.out = Math.max(0, Number(v) | 0);
      else if (k === 'calls') state.calls = Math.max(1, Number(v) | 0);
      else if (k === 'sp') state.sp = v === 'allow' ? 'allow' : 'ordinary';
      else if (k === 'theme') state.theme = ['light', 'dark'].includes(v) ? v : 'auto';
    }
  }
  const list = (a) => a.map((x) => encodeURIComponent(x).replace(/%2C/gi, '%2C')).join(',');
  function fragment() {
    return `#text=${encodeURIComponent(state.text)}&t=${list(state.t)}&m=${list(state.m)}` +
      `&out=${state.out}&calls=${state.calls}&sp=${state.sp}&theme=${state.theme}`;
  }
  let fragTimer = 0;
  function saveFragment(now) {
    clearTimeout(fragTimer);
    const write = () => { if (location.hash !== fragment()) history.replaceState(null, '', fragment()); };
    if (now) write(); else fragTimer = setTimeout(write, 250);
  }

  // ---- tokenizers: opened once, kept while chosen ----

  const opened = new Map();   // key -> { tok, exact, estimate, error }
  const dropped = new Map();  // 'file:NAME' -> Tokenizer
  let status = '';
  function setStatus(msg, error) {
    status = msg;
    $('status').textContent = msg;
    $('status').classList.toggle('error', !!error);
  }

  async function open(key) {
    if (opened.has(key)) return opened.get(key);
    let entry;
    try {
      if (key.startsWith('file:')) {
        const tok = dropped.get(key);
        entry = tok ? { tok, exact: true }
          : { error: `${key.slice(5)} is not loaded: drop the file on the page again to see it` };
      } else {
        setStatus(`loading ${key}…`);
        await T.load(key);
        const tok = ENCODINGS.includes(key) ? T.getEncoding(key) : T.getModelTokenizer(key);
        entry = { tok, exact: tok.exact, estimate: tok.estimate };
      }
    } catch (e) {
      entry = { error: e.message };
    }
    opened.set(key, entry);
    return entry;
  }
  function release(key) {
    const e = opened.get(key);
    if (!e) return;
    const still = state.t.includes(key) || state.m.includes(key);
    if (still) return;
    if (e.tok && !key.startsWith('file:')) e.tok.free();
    opened.delete(key);
  }

  // ---- panels ----

  const panels = new Map(); // key -> { el, enc, tok, observer }

  function panelFor(key) {
    let p = panels.get(key);
    if (p) return p;
    const el = document.createElement('section');
    el.className = 'panel tokenizer';
    el.dataset.tokenizer = key;
    el.innerHTML = '<header><h2></h2><span class="badge"></span><span class="count"></span>' +
      '<button type="button" class="remove">×</button></header><p class="legend"></p>' +
      '<div class="text" tabindex="0" role="region"></div><p class="tokinfo" aria-live="polite"></p>';
    el.querySelector('h2').textContent = key.startsWith('file:') ? key.slice(5) : key;
    const rm = el.querySelector('.remove');
    rm.setAttribute('aria-label', `Remove ${key}`);
    rm.title = `Remove ${key}`;
    rm.addEventListener('click', () => {
      state.t = state.t.filter((k) => k !== key);
      update();
    });
    const text = el.querySelector('.text');
    p = { el, key, width: 0 };
    // its width, for the height of slices not drawn yet; observed, never read during a draw
    // (a read after a change forces a layout of the whole page)
    new ResizeObserver((entries) => { p.width = entries[entries.length - 1].contentRect.width; }).observe(text);
    text.setAttribute('aria-label', `Tokens of ${key}; arrow keys step through them`);
    text.addEventListener('keydown', (ev) => stepToken(el, ev));
    text.addEventListener('mouseover', (ev) => {
      const t = ev.target.closest('.t');
      if (t) showInfo(el, t);
    });
    text.addEventListener('click', (ev) => {
      const t = ev.target.closest('.t');
      if (t) { markCurrent(el, t); showInfo(el, t); }
    });
    panels.set(key, p);
    return p;
  }

  function showInfo(el, t) {
    el.querySelector('.tokinfo').textContent = (t.getAttribute('title') || '').replace(/\n/g, ' · ');
  }
  function markCurrent(el, t) {
    el.querySelectorAll('.t.cur').forEach((x) => x.classList.remove('cur'));
    t.classList.add('cur');
  }
  function stepToken(el, ev) {
    const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -Infinity, End: Infinity };
    if (!(ev.key in keys)) return;
    ev.preventDefault();
    const toks = [...el.querySelectorAll('.chunk:not(.pending) .t')];
    if (!toks.length) return;
    const cur = el.querySelector('.t.cur');
    let i = cur ? toks.indexOf(cur) : -1;
    const d = keys[ev.key];
    i = d === -Infinity ? 0 : d === Infinity ? toks.length - 1 : Math.max(0, Math.min(toks.length - 1, i + d));
    markCurrent(el, toks[i]);
    toks[i].scrollIntoView({ block: 'nearest', inline: 'nearest' });
    showInfo(el, toks[i]);
  }

  // Counts of the current text (special-token text as plain text), per tokenizer: the cost
  // table and the estimates need the same count as a panel often has.
  let counts = new Map();
  // Where a draw's time goes (ms per part), shown in the footer's title: for whoever tunes it.
  let parts = {};
  function timed(part, f) {
    const t0 = performance.now();
    try { return f(); } finally { parts[part] = (parts[part] || 0) + performance.now() - t0; }
  }
  function countOf(tok) {
    if (!counts.has(tok)) counts.set(tok, tok.count(state.text, [], []));
    return counts.get(tok);
  }

  const plural = (n, one, many) => (n === 1 ? one : many);
  function chars(s) { // code points; a lone surrogate is one (it becomes U+FFFD)
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff || i === 0 || s.charCodeAt(i - 1) < 0xd800 || s.charCodeAt(i - 1) > 0xdbff) n++;
    }
    return n;
  }

  function drawPanel(p, entry, text, nChars, nBytes, width) {
    const { el } = p;
    const body = el.querySelector('.text'), legend = el.querySelector('.legend');
    const badge = el.querySelector('.badge'), count = el.querySelector('.count');
    if (p.observer) { p.observer.disconnect(); p.observer = null; }
    if (entry.error) {
      el.dataset.count = '';
      el.dataset.exact = '';
      badge.textContent = '';
      count.textContent = '';
      legend.textContent = '';
      legend.className = 'legend error';
      legend.textContent = entry.error;
      body.textContent = '';
      return;
    }
    legend.className = 'legend';
    const tok = entry.tok;
    let enc;
    try {
      enc = timed('encode', () => tok.encodeWithOffsets(text, { specialTokens: state.sp === 'allow' ? 'all' : 'none' }));
    } catch (e) {
      el.dataset.count = '';
      legend.className = 'legend error';
      legend.textContent = e.message;
      body.textContent = '';
      return;
    }
    p.enc = enc;
    p.tok = tok;
    const n = enc.ids.length;
    if (state.sp === 'ordinary') counts.set(tok, n);
    el.dataset.count = String(n);
    el.dataset.exact = String(entry.exact);
    if (entry.exact) {
      badge.textContent = 'exact';
      badge.className = 'badge';
      badge.title = `${tok.name} (${tok.format})`;
      count.textContent = `${n.toLocaleString('en-US')} ${plural(n, 'token', 'tokens')}`;
    } else {
      const est = T.countForModel(p.key, text, { tokenizer: tok, count: countOf(tok) });
      el.dataset.estimate = String(est.count);
      badge.textContent = 'estimate';
      badge.className = 'badge estimate';
      badge.title = est.basis;
      count.textContent = `~${est.count.toLocaleString('en-US')} tokens`;
    }
    const g = timed('groups', () => T.showGroups(tok, enc.ids));
    let line = `${n} ${plural(n, 'token', 'tokens')}, ${nChars} ${plural(nChars, 'character', 'characters')}, ` +
      `${nBytes} ${plural(nBytes, 'byte', 'bytes')}`;
    if (n) line += `, ${(nChars / n).toFixed(2)} characters per token`;
    if (g.groups) line += `; ${g.groups} ${plural(g.groups, 'character group', 'character groups')} split across ${g.grouped} tokens`;
    if (!entry.exact) line += ` — boxes of ${tok.name}, the encoding that estimates ${p.key} (×${entry.estimate.factor})`;
    legend.textContent = line;

    // Slices: the first drawn now, the others when they come near the visible area.
    const starts = timed('chunks', () => T.showChunks(tok, enc.ids, CHUNK));
    const html = [];
    const perLine = Math.max(20, Math.floor((width || 600) / 8.5));
    starts.forEach((from, k) => {
      const to = k + 1 < starts.length ? starts[k + 1] : n;
      if (k === 0) {
        html.push(`<div class="chunk" data-from="${from}">${timed('html', () => T.showHtml(tok, enc, from, from, CHUNK).html)}</div>`);
      } else {
        const bytes = enc.offsets[2 * to - 1] - enc.offsets[2 * from];
        const h = Math.ceil(bytes / perLine) * 30;
        html.push(`<div class="chunk pending" data-from="${from}" style="height:${h}px"></div>`);
      }
    });
    timed('dom', () => { body.innerHTML = html.join(''); });
    if (starts.length > 1) {
      p.observer = new IntersectionObserver((entries) => {
        for (const e of entries) {
          if (!e.isIntersecting || !e.target.classList.contains('pending') || p.enc !== enc) continue;
          const from = Number(e.target.dataset.from);
          e.target.innerHTML = T.showHtml(tok, enc, from, from, CHUNK).html;
          e.target.classList.remove('pending');
          e.target.style.height = '';
          p.observer.unobserve(e.target);
        }
      }, { root: body, rootMargin: '800px 0px' });
      body.querySelectorAll('.chunk.pending').forEach((c) => p.observer.observe(c));
    }
  }

  // ---- explain and cost ----

  function drawExplain(live) {
    const table = $('explain'), notes = $('explain-notes');
    if (!live.length) { table.innerHTML = ''; notes.textContent = ''; return; }
    const recs = T.explain(state.text, live.map((p) => p.tok), live.map((p) => p.key),
      { limit: EXPLAIN_ROWS, encodings: live.map((p) => p.enc) });
    const esc = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const head = `<thead><tr><th scope="col">word</th>${live.map((p) =>
      `<th scope="col" colspan="2">${esc(p.key.startsWith('file:') ? p.key.slice(5) : p.key)}</th>`).join('')}</tr></thead>`;
    const rows = recs.map((r) => `<tr${r.split ? ' class="split"' : ''}><td>${esc(r.shown)}</td>${r.tokenizers.map((c) =>
      `<td class="pieces">${esc(c.shown)}</td><td class="n">${c.tokens}</td>`).join('')}</tr>`);
    table.innerHTML = `${head}<tbody>${rows.join('')}</tbody>`;
    const split = recs.filter((r) => r.split).slice(0, 40).map((r) => `${r.shown} (${r.tokenizers.map((c) => c.tokens).join(', ')})`);
    const digits = recs.filter((r) => r.kind === 'number').slice(0, 10).map((r) => `Digits of ${r.word}: ` +
      r.tokenizers.map((c) => `${c.tokenizer.replace(/^file:/, '')} ${c.digits.join('+')}${c.rule ? ` (${ruleText(c.rule)})` : ''}`).join('; '));
    notes.textContent = [
      split.length ? `Split into 2 or more tokens: ${split.join(', ')}` : 'Every word is one token.',
      ...digits,
      recs.length === EXPLAIN_ROWS ? `The first ${EXPLAIN_ROWS} distinct words are shown.` : '',
    ].filter(Boolean).join('\n');
  }
  function ruleText(r) {
    return { single: 'one token', one: 'one digit per token', left3: '3 digits per token from the left',
      right3: '3 digits per token from the right' }[r] || 'no fixed rule: learned merges';
  }

  function money(s) {
    if (s === null || s === undefined) return 'unknown';
    const v = Number(s);
    if (v === 0) return '$0';
    if (v < 0.000001) return '<$0.000001';
    return `$${v >= 100 ? v.toFixed(2) : v.toPrecision(3).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}`;
  }

  function drawCost() {
    const table = $('cost'), notes = $('cost-notes');
    const rows = [], foot = [];
    const rm = (key) => `<button type="button" class="remove" data-remove="${escape(key)}" aria-label="Remove ${escape(key)}" title="Remove ${escape(key)}">×</button> `;
    for (const key of state.m) {
      const e = opened.get(key);
      if (!e || e.error) {
        rows.push(`<tr data-model="${escape(key)}"><td>${rm(key)}${escape(key)}</td><td colspan="8" class="over">${escape(e ? e.error : 'loading…')}</td></tr>`);
        continue;
      }
      let c, r;
      try {
        c = T.countForModel(key, state.text, { tokenizer: e.tok, count: countOf(e.tok) });
        r = T.cost(key, { inputTokens: c.count, outputTokens: state.out, calls: state.calls });
      } catch (err) {
        rows.push(`<tr data-model="${escape(key)}"><td>${rm(key)}${escape(key)}</td><td colspan="8" class="over">${escape(err.message)}</td></tr>`);
        continue;
      }
      const f = r.fit;
      const used = f.window ? `${(f.usedBasisPoints / 100).toFixed(1)}%` : '?';
      const left = f.leftForOutput === null ? '?' : f.leftForOutput.toLocaleString('en-US');
      rows.push(`<tr data-model="${escape(r.model)}" data-tokens="${c.count}" data-exact="${c.exact}">` +
        `<td>${rm(key)}${escape(r.model)}</td><td class="${c.exact ? '' : 'approx'}" title="${escape(c.exact ? `exact: ${c.tokenizer}` : `estimate: ${c.low}–${c.high}`)}">${c.exact ? '' : '~'}${c.count.toLocaleString('en-US')}</td>` +
        `<td>${f.window ? f.window.toLocaleString('en-US') : '?'}</td><td class="${f.fits ? '' : 'over'}" title="${escape(f.why || '')}">${used}${f.fits ? '' : ' ✗'}</td>` +
        `<td>${left}</td><td>${money(r.usd.input)}</td><td>${money(r.usd.output)}</td><td>${money(r.usd.total)}</td><td>${money(r.usd.callsTotal)}</td></tr>`);
      if (!c.exact) foot.push(`~ ${r.model}: estimated as ${c.tokenizer} tokens × ${c.factor} (range ${c.low}–${c.high}; no public tokenizer)`);
      if (!f.fits) foot.push(`✗ ${r.model}: ${f.why}`);
    }
    table.innerHTML = `<thead><tr><th scope="col">model</th><th scope="col">tokens</th><th scope="col">window</th>` +
      `<th scope="col">used</th><th scope="col">out left</th><th scope="col">input</th><th scope="col">output</th>` +
      `<th scope="col">per call</th><th scope="col">${state.calls.toLocaleString('en-US')} calls</th></tr></thead><tbody>${rows.join('')}</tbody>`;
    notes.textContent = foot.join('\n');
  }
  function escape(s) { return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

  // ---- the whole view ----

  let drawing = false, again = false;
  async function update() {
    if (drawing) { again = true; return; }
    drawing = true;
    try {
      do {
        again = false;
        saveFragment(false);
        for (const key of [...state.t, ...state.m]) if (!opened.has(key)) await open(key);
        for (const key of [...opened.keys()]) release(key);
        draw();
      } while (again);
      if (status.startsWith('loading')) setStatus('');
    } finally { drawing = false; }
  }

  let lastDraw = 0;
  function draw() {
    const t0 = performance.now();
    counts = new Map();
    parts = {};
    const container = $('panels');
    for (const [key, p] of panels) if (!state.t.includes(key)) { if (p.observer) p.observer.disconnect(); p.el.remove(); panels.delete(key); }
    const [nChars, nBytes] = timed('chars', () => [chars(state.text), new TextEncoder().encode(state.text).length]);
    const live = [];
    // Widths first, read before anything changes: a read after a change forces a layout.
    const widths = state.t.map((key) => (panels.has(key) ? panels.get(key).width : 0));
    state.t.forEach((key, k) => {
      const p = panelFor(key);
      if (container.children[k] !== p.el) container.insertBefore(p.el, container.children[k] || null);
      const entry = opened.get(key);
      drawPanel(p, entry, state.text, nChars, nBytes, widths[k]);
      if (!entry.error && p.el.dataset.count !== '') live.push(p);
    });
    lastDraw = performance.now() - t0;
    const serial = ++draws;
    document.body.dataset.drawMs = lastDraw.toFixed(1);
    document.body.dataset.drawn = String(serial);
    // The tables next, once the boxes are on screen: typing stays as fast as the panels.
    clearTimeout(tablesTimer);
    tablesTimer = setTimeout(() => {
      const t1 = performance.now();
      timed('explain', () => drawExplain(live.filter((p) => panels.get(p.key) === p)));
      timed('cost', () => drawCost());
      document.body.dataset.tablesMs = (performance.now() - t1).toFixed(1);
      document.body.dataset.tables = String(serial);
      $('footer').title = Object.entries(parts).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ');
      $('footer').textContent = `libtokscope ${T.version()} as WebAssembly · tokens drawn in ` +
        `${lastDraw.toFixed(0)} ms, tables in ${(performance.now() - t1).toFixed(0)} ms · ` +
        'nothing is sent anywhere: this page has no network access.';
    }, 0);
  }
  let draws = 0, tablesTimer = 0;

  let frame = 0;
  function scheduleDraw() {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; update(); });
  }

  // ---- controls ----

  function fillPickers() {
    const models = T.models();
    const tok = $('add-tok'), mod = $('add-model');
    const group = (label, items) => `<optgroup label="${escape(label)}">${items.map(([v, l]) =>
      `<option value="${escape(v)}">${escape(l)}</option>`).join('')}</optgroup>`;
    const exactModels = models.filter((m) => m.tokenizer && !m.tokenizerBuiltin);
    const estModels = models.filter((m) => !m.tokenizer && m.approxEncoding);
    tok.innerHTML = group('Built-in encodings', ENCODINGS.map((e) => [e, e])) +
      group('Open models (exact, their vocabulary)', exactModels.map((m) => [m.id, `${m.id} (${m.tokenizer})`])) +
      group('Models without a public tokenizer (estimate)', estModels.map((m) => [m.id, `${m.id} (~${m.approxEncoding} ×${m.approxFactor})`])) +
      '<optgroup label="Dropped files" id="dropped-group"></optgroup>';
    mod.innerHTML = models.map((m) => `<option value="${escape(m.id)}">${escape(m.id)}${m.provider ? ` (${escape(m.provider)})` : ''}</option>`).join('');
  }

  function applyTheme() {
    if (state.theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = state.theme;
    $('theme').textContent = `Scheme: ${state.theme}`;
  }

  function syncControls() {
    if ($('text').value !== state.text) $('text').value = state.text;
    $('out').value = state.out;
    $('calls').value = state.calls;
    $('special').value = state.sp;
    applyTheme();
  }

  async function takeFiles(files) {
    for (const f of files) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const tokenizerLike = /\.(json|model|tiktoken|tkz)$/i.test(f.name);
      if (!tokenizerLike) {
        state.text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
        syncControls();
        setStatus(`text from ${f.name}`);
        continue;
      }
      try {
        let name = f.name, k = 2;
        while (dropped.has(`file:${name}`)) name = `${f.name}#${k++}`;
        const key = `file:${name}`;
        const tok = T.Tokenizer.fromBytes(bytes, { name: f.name });
        dropped.set(key, tok);
        opened.delete(key);
        const opt = document.createElement('option');
        opt.value = key;
        opt.textContent = name;
        $('dropped-group').appendChild(opt);
        if (!state.t.includes(key)) state.t.push(key);
        setStatus(`${f.name}: ${tok.format}, ${tok.vocabSize.toLocaleString('en-US')} ids`);
      } catch (e) {
        setStatus(e.message, true);
      }
    }
    update();
  }

  function wire() {
    $('text').addEventListener('input', () => { state.text = $('text').value; scheduleDraw(); });
    $('add-tok-btn').addEventListener('click', () => {
      const v = $('add-tok').value;
      if (v && !state.t.includes(v)) { state.t.push(v); update(); }
    });
    $('add-model-btn').addEventListener('click', () => {
      const v = $('add-model').value;
      if (v && !state.m.includes(v)) { state.m.push(v); update(); }
    });
    $('special').addEventListener('change', () => { state.sp = $('special').value; update(); });
    $('out').addEventListener('input', () => { state.out = Math.max(0, Number($('out').value) | 0); scheduleDraw(); });
    $('calls').addEventListener('input', () => { state.calls = Math.max(1, Number($('calls').value) | 0); scheduleDraw(); });
    $('theme').addEventListener('click', () => {
      state.theme = { auto: 'light', light: 'dark', dark: 'auto' }[state.theme];
      applyTheme();
      saveFragment(true);
    });
    $('files').addEventListener('change', (ev) => { takeFiles([...ev.target.files]); ev.target.value = ''; });
    document.addEventListener('dragover', (ev) => { ev.preventDefault(); document.body.classList.add('dragging'); });
    document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
    document.addEventListener('drop', (ev) => {
      ev.preventDefault();
      document.body.classList.remove('dragging');
      if (ev.dataTransfer && ev.dataTransfer.files.length) takeFiles([...ev.dataTransfer.files]);
    });
    window.addEventListener('hashchange', () => {
      if (location.hash === fragment()) return;
      readFragment();
      syncControls();
      update();
    });
    $('cost').addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-remove]');
      if (b) { state.m = state.m.filter((m) => m !== b.dataset.remove); update(); }
    });
  }

  async function main() {
    const css = document.createElement('style');
    await T.init({ wasmBinary: base64Bytes(window.tokscopeWasm), files: loadFile });
    css.textContent = T.showCss();
    document.head.insertBefore(css, document.head.querySelector('link'));
    readFragment();
    fillPickers();
    syncControls();
    wire();
    await update();
    document.body.dataset.ready = 'true';
  }
  main().catch((e) => { setStatus(`could not start: ${e.message}`, true); throw e; });
})();
