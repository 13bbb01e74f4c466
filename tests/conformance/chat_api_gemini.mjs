// Gemini generateContent bodies: the strings Google's own local tokenizer counts.
//
// googleapis/python-genai google/genai/local_tokenizer.py (commit 66807187),
// LocalTokenizer.count_tokens(contents, config): it gathers a list of strings, encodes
// each on its own with the model's SentencePiece vocabulary and sums the lengths. The
// order below is that code's order; RULES.md section 6 states it field by field.
// Images, files (inlineData, fileData) make it raise: it counts text only.
//
// Input here is a REST body (camelCase), as a user sends it to
// models/{model}:generateContent; the SDK's snake_case names are accepted too.

const pick = (o, a, b) => (o?.[a] !== undefined ? o[a] : o?.[b]);
const truthyStr = (s) => typeof s === 'string' && s !== '';

function anyValue(v, out) {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => anyValue(x, out));
  else if (v !== null && typeof v === 'object') dict(v, out);
  // numbers, booleans and null add nothing
}

// A dict: all its keys first, then each value in order.
function dict(d, out) {
  const keys = Object.keys(d);
  out.push(...keys);
  for (const k of keys) anyValue(d[k], out);
}

function schema(s, out) {
  if (!s || typeof s !== 'object') return;
  if (truthyStr(s.format)) out.push(s.format);
  if (truthyStr(s.description)) out.push(s.description);
  if (Array.isArray(s.enum) && s.enum.length) out.push(...s.enum);
  if (Array.isArray(s.required) && s.required.length) out.push(...s.required);
  if (s.items) schema(s.items, out);
  if (s.properties && typeof s.properties === 'object')
    for (const [k, v] of Object.entries(s.properties)) {
      out.push(k);
      schema(v, out);
    }
  // `example` is walked like a dict value; falsy examples are skipped (Python truthiness).
  const ex = s.example;
  if (ex !== undefined && ex !== null && ex !== '' && ex !== 0 && ex !== false && !(Array.isArray(ex) && !ex.length) && !(typeof ex === 'object' && !Array.isArray(ex) && !Object.keys(ex).length))
    anyValue(ex, out);
  // Not counted: type, title, default, nullable, anyOf, propertyOrdering, minimum, ...
}

function content(c, out, at) {
  (c.parts ?? []).forEach((p, i) => {
    if (pick(p, 'inlineData', 'inline_data') || pick(p, 'fileData', 'file_data'))
      throw new Error(`${at}.parts[${i}]: the local tokenizer counts text only (inlineData/fileData)`);
    const fc = pick(p, 'functionCall', 'function_call');
    if (fc) {
      if (truthyStr(fc.name)) out.push(fc.name);
      if (fc.args && Object.keys(fc.args).length) dict(fc.args, out);
    }
    const fr = pick(p, 'functionResponse', 'function_response');
    if (fr) {
      if (truthyStr(fr.name)) out.push(fr.name);
      if (fr.response && Object.keys(fr.response).length) dict(fr.response, out);
    }
    if (typeof p.text === 'string') out.push(p.text);
  });
}

// Returns the strings in the order count_tokens encodes them.
export function geminiCountedTexts(body) {
  const out = [];
  const contents = typeof body.contents === 'string' ? [{ role: 'user', parts: [{ text: body.contents }] }] : body.contents ?? [];
  contents.forEach((c, i) => content(c, out, `contents[${i}]`));
  for (const tool of body.tools ?? [])
    for (const fd of pick(tool, 'functionDeclarations', 'function_declarations') ?? []) {
      if (truthyStr(fd.name)) out.push(fd.name);
      if (truthyStr(fd.description)) out.push(fd.description);
      if (fd.parameters) schema(fd.parameters, out);
      if (fd.response) schema(fd.response, out);
      // parametersJsonSchema / responseJsonSchema are not looked at.
    }
  const gc = pick(body, 'generationConfig', 'generation_config');
  const rs = gc && pick(gc, 'responseSchema', 'response_schema');
  if (rs) schema(rs, out);
  const si = pick(body, 'systemInstruction', 'system_instruction');
  if (si) content(typeof si === 'string' ? { parts: [{ text: si }] } : si, out, 'systemInstruction');
  return out;
}

// _local_tokenizer_loader.py (same commit): model name -> vocabulary. Exact names only
// (no prefixes, no aliases); any other name raises "Model ... is not supported".
export const GEMINI_TOKENIZERS = {
  gemma3: [
    'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-2.0-flash-lite',
    'gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro-preview-05-06', 'gemini-2.5-pro-exp-03-25', 'gemini-live-2.5-flash',
    'gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash-preview-04-17', 'gemini-2.5-flash-lite-preview-06-17',
    'gemini-2.0-flash-001', 'gemini-2.0-flash-lite-001', 'gemini-3-pro-preview', 'gemini-3-flash-preview',
  ],
  gemma4: ['gemini-3.5-flash', 'gemini-3.1-flash-lite', 'gemini-3.1-pro-preview'],
};
