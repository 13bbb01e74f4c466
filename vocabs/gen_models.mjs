// gen_models.mjs -- writes vocabs/models.tsv, the built-in model registry, to standard output.
//
//   node vocabs/gen_models.mjs > vocabs/models.tsv      (make regen-models)
//
// Inputs, all in the repository: vocabs/models.in.tsv (which models, their tokenizers and
// aliases), vocabs/prices/prices.tsv and the LiteLLM snapshot
// vocabs/prices/litellm_model_prices_<date>.json.gz (see vocabs/prices/README.md).
//
// Prices are carried as decimal strings from start to end: LiteLLM's per-token numbers are
// reprinted with JavaScript's shortest round-trip form (which gives back the text LiteLLM
// wrote, 3e-7 stays 3e-7) and the decimal point is moved six places by string surgery, so no
// binary floating-point arithmetic touches a price. The library parses the result exactly.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);
const SNAPSHOT_DATE = '2026-07-24';
const snapFile = `litellm_model_prices_${SNAPSHOT_DATE}.json.gz`;
const snap = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(here, 'prices', snapFile))));

function die(msg) {
  process.stderr.write(`gen_models: ${msg}\n`);
  process.exit(1);
}

// ---- decimal strings ----

// "3e-7", "0.0000025", "2.5" -> {digits: "25", exp: -7} meaning 25 * 10^exp.
function parseDec(s) {
  const m = /^(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(String(s));
  if (!m) die(`not a decimal number: '${s}'`);
  const frac = m[2] || '';
  return { digits: (m[1] + frac).replace(/^0+(?=\d)/, ''), exp: (m[3] ? +m[3] : 0) - frac.length };
}

// The plain decimal text of value * 10^shift, trailing zeros trimmed ("0.075", "3", "0").
function decText(s, shift = 0) {
  const { digits, exp } = parseDec(s);
  let e = exp + shift;
  let int, frac;
  if (e >= 0) {
    int = digits + '0'.repeat(e);
    frac = '';
  } else {
    const pad = digits.padStart(-e + 1, '0');
    int = pad.slice(0, pad.length + e);
    frac = pad.slice(pad.length + e);
  }
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

// LiteLLM per-token USD (a number) -> USD per million tokens (a string), or '-'.
const perM = (x) => (typeof x === 'number' ? decText(x.toString(), 6) : '-');

// ---- inputs ----

function readTsv(file) {
  return fs
    .readFileSync(path.join(here, file), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

const priceRows = new Map();
{
  const [head, ...rows] = readTsv('prices/prices.tsv');
  const cols = head.split('\t');
  for (const r of rows) {
    const cells = r.split('\t');
    const o = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
    priceRows.set(o.price_key, o);
  }
}

// ---- LiteLLM fields -> our columns ----

const TIER_RE = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;
const TIER_COL = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cached_input',
  cache_creation_input_token_cost: 'cache_write',
};

// A cache-write price of 0 on a paid model means "no separate charge" in LiteLLM (DeepSeek bills
// a cache miss at the input price); read as a price it would make cache writes free, so it is
// left unknown. The library's LiteLLM import does the same.
function cacheWrite(e) {
  const w = e.cache_creation_input_token_cost;
  if (w === 0 && (e.input_cost_per_token ?? 0) > 0) return '-';
  return perM(w);
}

function snapTiers(e) {
  const tiers = new Map();
  for (const [f, v] of Object.entries(e)) {
    const m = TIER_RE.exec(f);
    if (!m || typeof v !== 'number') continue;
    const above = +m[2] * 1000;
    if (!tiers.has(above)) tiers.set(above, {});
    tiers.get(above)[TIER_COL[m[1]]] = perM(v);
  }
  // tiered_pricing: [{input_cost_per_token, output_cost_per_token, range: [lo, hi]}]; the
  // range starting at 0 is the base price, the others start a tier at lo.
  let base = null;
  for (const t of e.tiered_pricing ?? []) {
    const p = { input: perM(t.input_cost_per_token), output: perM(t.output_cost_per_token) };
    if (t.range[0] === 0) base = p;
    else tiers.set(t.range[0], p);
  }
  return { base, tiers };
}

function tierText(tiers) {
  if (!tiers.size) return '-';
  return [...tiers.keys()]
    .sort((a, b) => a - b)
    .map((above) => {
      const t = tiers.get(above);
      const parts = ['input', 'output', 'cached_input', 'cache_write']
        .filter((k) => t[k] && t[k] !== '-')
        .map((k) => `${k}=${t[k]}`);
      return `${above}:${parts.join(',')}`;
    })
    .join(';');
}

// "0" and "" cells of prices.tsv: "" is unknown.
const tsvPrice = (s) => (s === '' || s === undefined ? '-' : decText(s));

function lastDate(s) {
  const all = s.match(/\d{4}-\d{2}-\d{2}/g);
  return all ? all[all.length - 1] : die(`no date in source '${s}'`);
}

// ---- estimates: vocabs/estimates/factors.tsv ----

const families = new Map();
for (const line of readTsv('estimates/factors.tsv')) {
  const [family, models, proxy, factor, low, high, basis, source] = line.split('\t');
  if (source === undefined) die(`factors.tsv: short row '${line}'`);
  if (!['o200k_base', 'cl100k_base'].includes(proxy)) die(`factors.tsv: ${family}: proxy ${proxy} is not a built-in encoding`);
  const [f, lo, hi] = [factor, low, high].map(Number);
  if (!(lo > 0 && lo <= f && f <= hi)) die(`factors.tsv: ${family}: not low <= factor <= high`);
  families.set(family, { models: new Set(models.split(',')), proxy, factor, low, high, basis, source,
    used: new Set() });
}

// ---- the rows ----

const COLS = ['id', 'provider', 'aliases', 'tokenizer', 'approx', 'max_input', 'context',
  'max_output', 'input', 'output', 'cached_input', 'cache_write', 'batch_input', 'batch_output',
  'tiers', 'source', 'date', 'notes', 'basis'];

const out = [];
const seen = new Set();
for (const line of readTsv('models.in.tsv')) {
  const [id, provider, aliases, from, tokenizer, approx, context, notes, basis] = line.split('\t');
  if (basis === undefined) die(`models.in.tsv: short row '${line}'`);
  if (seen.has(id)) die(`duplicate id ${id}`);
  seen.add(id);
  const [kind, key] = [from.slice(0, from.indexOf(':')), from.slice(from.indexOf(':') + 1)];
  const e = snap[key];
  const r = { id, provider, tokenizer, approx, context, notes, basis };
  if (approx.startsWith('family:')) {
    const fam = families.get(approx.slice(7)) ?? die(`${id}: no family ${approx.slice(7)} in factors.tsv`);
    if (!fam.models.has(id)) die(`${id}: factors.tsv's ${approx.slice(7)} does not list it`);
    fam.used.add(id);
    r.approx = `${fam.proxy}*${fam.factor}[${fam.low}-${fam.high}]`;
    if (tokenizer === '-') r.basis = `estimate: ${fam.basis}. Source: ${fam.source}`;
  } else if (approx !== '-') {
    die(`${id}: approx must be family:NAME or -`);
  }
  if (r.basis === '-') die(`${id}: no basis`);
  let names = aliases === '-' ? [] : aliases.split(',');
  names.push(key, key.replace(/^.*\//, ''));

  if (kind === 'tsv') {
    const p = priceRows.get(key) ?? die(`prices.tsv has no price_key ${key}`);
    Object.assign(r, {
      max_input: p.context_window_input_tokens || '-',
      max_output: p.max_output_tokens || '-',
      input: tsvPrice(p.input_usd_per_1M),
      output: tsvPrice(p.output_usd_per_1M),
      cached_input: tsvPrice(p.cached_input_usd_per_1M),
      cache_write: tsvPrice(p.cache_write_usd_per_1M),
      source: `prices.tsv: ${p.source}`,
      date: lastDate(p.source),
    });
    if (r.cache_write === '0' && r.input !== '0') r.cache_write = '-'; // as cacheWrite() above
    if (r.notes === '-' && p.notes) r.notes = p.notes;
    // prices.tsv copies the same LiteLLM data as the snapshot for rows dated like it; the
    // snapshot adds what prices.tsv has no column for (long-context tiers, batch prices).
    if (e && r.date === SNAPSHOT_DATE) {
      const { base, tiers } = snapTiers(e);
      for (const [col, v] of [['input', base?.input ?? perM(e.input_cost_per_token)],
        ['output', base?.output ?? perM(e.output_cost_per_token)],
        ['cached_input', perM(e.cache_read_input_token_cost)], ['cache_write', cacheWrite(e)],
        ['max_input', String(e.max_input_tokens ?? '-')],
        ['max_output', String(e.max_output_tokens ?? '-')]])
        if (v !== r[col]) die(`${id}: prices.tsv says ${col} ${r[col]}, the snapshot ${v}`);
      r.tiers = tierText(tiers);
      r.batch_input = perM(e.input_cost_per_token_batches);
      r.batch_output = perM(e.output_cost_per_token_batches);
      if (r.tiers !== '-' || r.batch_input !== '-')
        r.source += `; tiers and batch prices: LiteLLM snapshot ${SNAPSHOT_DATE}`;
    } else {
      Object.assign(r, { tiers: '-', batch_input: '-', batch_output: '-' });
    }
  } else if (kind === 'litellm') {
    if (!e) die(`the snapshot has no key ${key}`);
    const { base, tiers } = snapTiers(e);
    Object.assign(r, {
      max_input: String(e.max_input_tokens ?? '-'),
      max_output: String(e.max_output_tokens ?? '-'),
      input: base?.input ?? perM(e.input_cost_per_token),
      output: base?.output ?? perM(e.output_cost_per_token),
      cached_input: perM(e.cache_read_input_token_cost),
      cache_write: cacheWrite(e),
      batch_input: perM(e.input_cost_per_token_batches),
      batch_output: perM(e.output_cost_per_token_batches),
      tiers: tierText(tiers),
      source: `LiteLLM model_prices_and_context_window.json (BerriAI/litellm, MIT), snapshot ${SNAPSHOT_DATE}, key ${key}`,
      date: SNAPSHOT_DATE,
    });
  } else {
    die(`${id}: 'from' must be tsv:KEY or litellm:KEY, not '${from}'`);
  }
  names = [...new Set(names.map((n) => n.toLowerCase()))].filter((n) => n !== id);
  r.aliases = names.length ? names.join(',') : '-';
  out.push(COLS.map((c) => r[c]).join('\t'));
}

for (const [name, fam] of families)
  for (const m of fam.models)
    if (!fam.used.has(m)) die(`factors.tsv: ${name} lists ${m}, whose row does not name it`);

const header = `# models.tsv -- tokscope's built-in model registry. GENERATED by vocabs/gen_models.mjs from
# vocabs/models.in.tsv and vocabs/prices/ (make regen-models); edit those, not this file.
# The library embeds this file (lib/registry/embedded.S) and parses it once (lib/registry/registry.c);
# tokscope cost/models --prices FILE reads files in this same format.
#
# Format: UTF-8, tab-separated. Lines starting with # are comments. "@date<TAB>YYYY-MM-DD" gives
# the date of the data. The first other line names the columns; then one row per model.
# A cell "-" is unknown / none (a price that is unknown is never taken as 0).
#   id, provider, aliases   names; aliases comma-separated; matched without regard to case
#   tokenizer    a built-in encoding (exact), a vocabulary tokscope ships (vocabs/open/MANIFEST,
#                found as NAME.tkz or NAME/tokenizer.json; exact when found), or -
#   approx       ENCODING*FACTOR[LOW-HIGH] used when no exact tokenizer is available: count,
#                multiply, round up; LOW and HIGH bound the factor over kinds of text
#   max_input    the most input tokens (the context window for the prompt)
#   context      the total window input + output share, when larger than max_input; - = max_input
#   max_output   the most output tokens
#   input output cached_input cache_write batch_input batch_output
#                USD per million tokens, exact decimals (cached_input: cache reads;
#                cache_write: tokens written to a prompt cache, billed instead of input)
#   tiers        long-context prices: ABOVE:name=price,...;... -- when the input has more than
#                ABOVE tokens, the whole request is billed at that tier's prices (a price the
#                tier does not give is unknown)
#   source, date where the row's data comes from, and the date of that data
#   notes        free text
#   basis        how the count is made and the source of that: the tokenizer and what it is
#                checked against, or the estimate's proxy, factor and where they come from
@date\t${SNAPSHOT_DATE}
${COLS.join('\t')}
`;
process.stdout.write(header + out.join('\n') + '\n');
