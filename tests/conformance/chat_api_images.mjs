// Image tokens by each provider's published rule, and image sizes read from file
// headers (PNG, JPEG, GIF, WebP) without decoding a pixel. RULES.md section 4 gives
// the sources; tests/golden/chat-api/images.tsv holds hand-computed values that
// these functions must reproduce.

// ---- sizes from headers ----

const be16 = (b, i) => (b[i] << 8) | b[i + 1];
const le16 = (b, i) => b[i] | (b[i + 1] << 8);
const be32 = (b, i) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
const le24 = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);

// Returns { format, width, height } or throws with the reason.
export function imageSize(b) {
  const fail = (why) => {
    throw new Error(`image: ${why}`);
  };
  if (b.length >= 24 && be32(b, 0) === 0x89504e47 && be32(b, 4) === 0x0d0a1a0a) {
    // PNG: signature, then the IHDR chunk: length (13), "IHDR", width, height (big-endian).
    if (String.fromCharCode(...b.subarray(12, 16)) !== 'IHDR') fail('PNG without IHDR first');
    return { format: 'png', width: be32(b, 16), height: be32(b, 20) };
  }
  if (b.length >= 10 && (String.fromCharCode(...b.subarray(0, 6)) === 'GIF87a' || String.fromCharCode(...b.subarray(0, 6)) === 'GIF89a'))
    // GIF: logical screen width, height (little-endian) after the 6-byte signature.
    return { format: 'gif', width: le16(b, 6), height: le16(b, 8) };
  if (b.length >= 30 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') {
    const kind = String.fromCharCode(...b.subarray(12, 16));
    if (kind === 'VP8 ') {
      // Lossy: frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
      if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) fail('WebP VP8 without its start code');
      return { format: 'webp', width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
    }
    if (kind === 'VP8L') {
      // Lossless: signature 0x2f, then 14 bits width-1, 14 bits height-1 (little-endian bits).
      if (b[20] !== 0x2f) fail('WebP VP8L without its signature');
      const v = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { format: 'webp', width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8X') {
      // Extended: flags (4 bytes), then canvas width-1 and height-1 as 24-bit little-endian.
      return { format: 'webp', width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
    }
    fail(`WebP chunk ${JSON.stringify(kind)} is not VP8, VP8L or VP8X`);
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: walk the marker segments to the first SOFn (C0-CF except C4, C8, CC):
    // length, precision, height, width (big-endian).
    let i = 2;
    while (i + 4 <= b.length) {
      if (b[i] !== 0xff) fail(`JPEG: no marker at byte ${i}`);
      let m = b[i + 1];
      if (m === 0xff) {
        i++; // fill byte
        continue;
      }
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        i += 2; // markers without a length
        continue;
      }
      if (m === 0xd9 || m === 0xda) fail('JPEG: no SOF marker before the image data');
      const len = be16(b, i + 2);
      if (len < 2) fail(`JPEG: segment length ${len} at byte ${i}`);
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        if (i + 9 > b.length) fail('JPEG: SOF segment cut short');
        return { format: 'jpeg', width: be16(b, i + 7), height: be16(b, i + 5) };
      }
      i += 2 + len;
    }
    fail('JPEG: ended before a SOF marker');
  }
  fail('not a PNG, JPEG, GIF or WebP header');
}

export function imageSizeFromDataUrl(url) {
  const m = /^data:image\/[A-Za-z0-9.+-]+;base64,(.*)$/s.exec(url ?? '');
  if (!m) throw new Error('image: not a base64 data: URL (a remote image has no known size)');
  return imageSize(Buffer.from(m[1], 'base64'));
}

// ---- OpenAI ----

// Tile models: "detail": "low" costs the base; "high" scales the image to fit in
// 2048x2048, then (only if larger) to 768 px on its shortest side, and costs the base
// plus a fixed amount per 512-px tile. "auto" is billed as "high" (measured: a 1x1
// PNG with "auto" costs 255 on gpt-4o).
const TILE_MODELS = [
  // [name prefix, base, per tile]; longest prefix wins.
  ['gpt-4o-mini', 2833, 5667],
  ['gpt-4o', 85, 170],
  ['gpt-4.1', 85, 170],
  ['gpt-4.5', 85, 170],
  ['gpt-4-turbo', 85, 170],
  ['gpt-5-chat', 70, 140],
  ['gpt-5', 70, 140],
  ['o1', 75, 150],
  ['o3', 75, 150],
  ['computer-use-preview', 65, 129],
];
// Patch models: 32x32 patches, at most 1536, times a multiplier.
const PATCH_MODELS = [
  ['gpt-4.1-mini', 1.62],
  ['gpt-4.1-nano', 2.46],
  ['gpt-5-mini', 1.62],
  ['gpt-5-nano', 2.46],
  ['o4-mini', 1.72],
];

function longestPrefix(table, model) {
  let best = null;
  for (const row of table) if (model.startsWith(row[0]) && (!best || row[0].length > best[0].length)) best = row;
  return best;
}

// Returns the tile count; `scaled` says whether a resize (whose rounding is not
// published) took part.
export function openaiTiles(width, height) {
  let w = width;
  let h = height;
  const w0 = w;
  const h0 = h;
  if (w > 2048 || h > 2048) {
    const r = 2048 / Math.max(w, h);
    w = Math.floor(w * r);
    h = Math.floor(h * r);
  }
  if (Math.min(w, h) > 768) {
    const r = 768 / Math.min(w, h);
    w = Math.floor(w * r);
    h = Math.floor(h * r);
  }
  return { tiles: Math.ceil(w / 512) * Math.ceil(h / 512), scaled: w !== w0 || h !== h0 };
}

export function openaiPatches(width, height) {
  const raw = Math.ceil(width / 32) * Math.ceil(height / 32);
  if (raw <= 1536) return raw;
  let r = Math.sqrt((32 * 32 * 1536) / (width * height));
  r *= Math.min(Math.floor((width * r) / 32) / ((width * r) / 32), Math.floor((height * r) / 32) / ((height * r) / 32));
  const rw = Math.floor(width * r);
  const rh = Math.floor(height * r);
  return Math.min(1536, Math.ceil(rw / 32) * Math.ceil(rh / 32));
}

export function imageTokensOpenAI(model, width, height, detail = 'auto') {
  const patch = longestPrefix(PATCH_MODELS, model);
  const tile = longestPrefix(TILE_MODELS, model);
  if (patch && (!tile || patch[0].length >= tile[0].length)) {
    const n = openaiPatches(width, height);
    return { tokens: Math.round(n * patch[1]), exact: false, why: `OpenAI patch rule: ${n} patches x ${patch[1]} (rounding not published)` };
  }
  if (!tile) throw new Error(`${model}: no published image rule`);
  const [, base, per] = tile;
  if (detail === 'low') return { tokens: base, exact: tile[0] === 'gpt-4o' || tile[0] === 'gpt-4o-mini', why: `OpenAI detail low: ${base}` };
  const { tiles: n, scaled } = openaiTiles(width, height);
  // Measured on gpt-4o and gpt-4o-mini (8 requests, no resize involved): exact there.
  const exact = !scaled && (tile[0] === 'gpt-4o' || tile[0] === 'gpt-4o-mini');
  const why = `OpenAI tiles: ${base} + ${per} x ${n}${exact ? '' : scaled ? ' (resize rounding not published)' : ' (not measured for this model)'}`;
  return { tokens: base + per * n, exact, why };
}

// ---- Anthropic ----

// The docs' rule until 2026: about width*height/750 tokens, after scaling the image
// down (aspect kept) until its long edge is at most 1568 px and it is at most ~1600
// tokens (the docs' table: 1092x1092 for 1:1, about 1.19 megapixels).
export function anthropicLegacy(width, height) {
  let w = width;
  let h = height;
  const s = Math.min(1, 1568 / Math.max(w, h), Math.sqrt((1600 * 750) / (w * h)));
  if (s < 1) {
    w = Math.floor(w * s);
    h = Math.floor(h * s);
  }
  return Math.ceil((w * h) / 750);
}

// The current docs' rule: one token per 28x28 patch after padding right and bottom to a
// multiple of 28, the image first shrunk to the largest aspect-preserving size whose
// padded edges fit maxEdge and whose patch count fits maxTokens (found by binary search
// on the long edge; the short edge is rounded). Standard tier 1568/1568, high-res tier
// 2576/4784.
export const ANTHROPIC_TIERS = { standard: [1568, 1568], 'high-res': [2576, 4784] };
const patches28 = (w, h) => Math.ceil(w / 28) * Math.ceil(h / 28);
function fits(w, h, edge, budget) {
  return Math.ceil(w / 28) * 28 <= edge && Math.ceil(h / 28) * 28 <= edge && patches28(w, h) <= budget;
}
export function anthropicPatches(width, height, tier = 'standard') {
  const [edge, budget] = ANTHROPIC_TIERS[tier];
  if (fits(width, height, edge, budget)) return patches28(width, height);
  const long = Math.max(width, height);
  const aspect = Math.min(width, height) / long;
  let lo = 1;
  let hi = long;
  let best = 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fits(mid, Math.max(1, Math.round(mid * aspect)), edge, budget)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return patches28(best, Math.max(1, Math.round(best * aspect)));
}

// ---- Gemini ----

// Gemini 2.x (docs "Understand and count tokens"): 258 when both sides are <= 384 px,
// else 258 per 768x768 tile; the docs do not say how tiles are laid, this takes
// ceil(w/768) * ceil(h/768).
export function geminiTiles(width, height) {
  if (width <= 384 && height <= 384) return 258;
  return Math.ceil(width / 768) * Math.ceil(height / 768) * 258;
}
// Vertex AI's wording for Gemini 1.5: tile side = min(w, h) / 1.5 clamped to [256, 768].
export function geminiVertexTiles(width, height) {
  if (width <= 384 && height <= 384) return 258;
  const side = Math.min(768, Math.max(256, Math.min(width, height) / 1.5));
  return Math.ceil(width / side) * Math.ceil(height / side) * 258;
}
// Gemini 3: a fixed budget per media_resolution (default for images: high).
export const GEMINI3_IMAGE = { low: 280, medium: 560, high: 1120, ultra_high: 2240 };
