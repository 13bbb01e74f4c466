// The OpenAI Chat Completions request counter that tokscope's C code follows: what a
// request body costs in prompt tokens on gpt-3.5-turbo / gpt-4 (cl100k_base) and the
// gpt-4o family (o200k_base). The rules and where each constant comes from are in
// tests/golden/chat-api/RULES.md; this file is the executable form of that text.
//
// A request is rendered as a list of parts. Each part is either text, encoded on its
// own (no merging across parts), or a fixed number of tokens that are not text
// (message framing, the tools header). The sum is the count. Every part carries
// whether it is backed by API measurements ("exact") or not ("estimate"), and why.

import { get_encoding } from 'tiktoken';
import { imageTokensOpenAI, imageSizeFromDataUrl } from './chat_api_images.mjs';

const ENC = {};
export function encoding(name) {
  if (!ENC[name]) ENC[name] = get_encoding(name);
  return ENC[name];
}

// Model name -> encoding, as tiktoken 0.9's model table maps the chat models.
export function chatEncodingFor(model) {
  const m = model.replace(/^openai\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|codex-)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|gpt-35)/.test(m)) return 'cl100k_base';
  throw new Error(`${model}: not an OpenAI chat model this counter knows`);
}

// gpt-3.5-turbo-0301 framed messages as <|im_start|>{role or name}\n{content}<|im_end|>\n
// (cookbook: 4 per message, -1 for a name because the name replaces the role).
function framing(model) {
  return /^gpt-3\.5-turbo-0301/.test(model) ? { perMessage: 4, perName: -1 } : { perMessage: 3, perName: 1 };
}

// The tools header: the definitions are appended to the first system message, or to a
// system message of their own when there is none. Measured as a whole; see RULES.md
// section 2.3 for why these are constants and not text.
export const TOOLS_HEADER_TOKENS = 5; // after the system text
export const SYSTEM_PAD = '\n'; // appended to the first system message's text
export const REPLY_PRIMING = 3; // <|start|>assistant<|message|>
export const FUNCTION_CALL_EXTRA = 3; // assistant function_call: beyond name and arguments
export const FUNCTION_CALL_NONE = 1; // request function_call: "none"
export const FUNCTION_CALL_NAMED = 4; // request function_call: {name}, plus the name
export const TOOL_CHOICE_NONE = 1; // request tool_choice: "none" (measured delta, see RULES)
export const TOOL_CHOICE_NAMED = 7; // request tool_choice: {type, function: {name}}, plus the name

// ---- function definitions as the model sees them (TypeScript-like) ----

// Lines of one object's properties at an indentation of `indent` spaces. Descriptions
// are printed for the top level (indent 0) and one level down (indent 2) only: the
// measured counts drop the ones deeper down.
function objectLines(schema, indent) {
  const out = [];
  const req = Array.isArray(schema.required) ? schema.required : [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (typeof prop.description === 'string' && prop.description !== '' && indent < 2) out.push(`// ${prop.description}`);
    out.push(`${name}${req.includes(name) ? '' : '?'}: ${typeText(prop, indent)},`);
  }
  return out.map((l) => ' '.repeat(indent) + l).join('\n');
}

function typeText(prop, indent) {
  if (Array.isArray(prop.anyOf)) return prop.anyOf.map((v) => typeText(v, indent)).join(' | ');
  switch (prop.type) {
    case 'string':
      return Array.isArray(prop.enum) ? prop.enum.map((v) => `"${v}"`).join(' | ') : 'string';
    case 'number':
    case 'integer':
      return Array.isArray(prop.enum) ? prop.enum.map((v) => `${v}`).join(' | ') : 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'object':
      return `{\n${objectLines(prop, indent + 2)}\n}`;
    case 'array':
      return prop.items ? `${typeText(prop.items, indent)}[]` : 'any[]';
    default:
      return 'any'; // no measurement; see RULES.md 2.2
  }
}

export function functionsNamespace(fns) {
  const lines = ['namespace functions {', ''];
  for (const f of fns) {
    if (typeof f.description === 'string' && f.description !== '') lines.push(`// ${f.description}`);
    const props = f.parameters?.properties ?? {};
    if (Object.keys(props).length > 0) {
      lines.push(`type ${f.name} = (_: {`);
      lines.push(objectLines(f.parameters, 0));
      lines.push('}) => any;');
    } else {
      lines.push(`type ${f.name} = () => any;`);
    }
    lines.push('');
  }
  lines.push('} // namespace functions');
  return lines.join('\n');
}

// ---- the request ----

function definitions(req) {
  if (Array.isArray(req.functions) && req.functions.length) return { fns: req.functions, via: 'functions' };
  if (Array.isArray(req.tools)) {
    const fns = req.tools.filter((t) => t.type === 'function').map((t) => t.function);
    if (fns.length) return { fns, via: 'tools' };
  }
  return null;
}

// Renders a Chat Completions body into parts. `model` overrides req.model (the resolved
// model of an alias). Returns { parts, total, exact }.
export function renderChat(req, model = req.model) {
  const encName = chatEncodingFor(model);
  const enc = encoding(encName);
  const tok = (s) => enc.encode(s).length;
  const { perMessage, perName } = framing(model);
  const parts = [];
  const add = (label, tokens, exact, why, text) => parts.push({ label, tokens, exact, why, text });
  const text = (label, s, exact = true, why = 'measured') => add(label, tok(s), exact, why, s);

  const defs = definitions(req);
  const hasSystem = req.messages.some((m) => m.role === 'system');
  // Tool calls by id, so a role "tool" message can be framed with its function's name.
  const callName = new Map();
  for (const m of req.messages)
    for (const c of m.tool_calls ?? []) callName.set(c.id, c.function?.name);

  let padded = false;
  req.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'function' || m.role === 'tool') {
      // The function's name takes the role's place: framing + name + content.
      const measured = m.role === 'function';
      const why = measured ? 'measured' : 'role tool framed like role function (not measured)';
      add(`${at} framing`, perMessage, measured, why);
      const name = m.role === 'function' ? m.name : callName.get(m.tool_call_id);
      if (typeof name !== 'string') throw new Error(`${at}: no function name for this ${m.role} message`);
      text(`${at} name`, name, measured, why);
      contentParts(m, at, parts, tok, measured, why, model);
      return;
    }
    add(`${at} framing`, perMessage, true, 'measured');
    text(`${at} role`, m.role);
    if (m.role === 'system' && defs && !padded && typeof m.content === 'string') {
      padded = true;
      text(`${at} content (+ the newline before the tools)`, m.content + SYSTEM_PAD);
    } else {
      contentParts(m, at, parts, tok, true, 'measured', model);
    }
    if (typeof m.name === 'string') {
      text(`${at} name`, m.name);
      add(`${at} name separator`, perName, true, 'measured');
    }
    if (m.function_call) {
      text(`${at} function_call.name`, m.function_call.name);
      text(`${at} function_call.arguments`, m.function_call.arguments);
      add(`${at} function_call framing`, FUNCTION_CALL_EXTRA, true, 'measured');
    }
    (m.tool_calls ?? []).forEach((c, j) => {
      const why = 'tool_calls framed like function_call (not measured; several calls may be wrapped differently)';
      text(`${at}.tool_calls[${j}].function.name`, c.function.name, false, why);
      text(`${at}.tool_calls[${j}].function.arguments`, c.function.arguments, false, why);
      add(`${at}.tool_calls[${j}] framing`, FUNCTION_CALL_EXTRA, false, why);
    });
  });
  add('reply priming', REPLY_PRIMING, true, 'measured');

  if (defs) {
    const ns = functionsNamespace(defs.fns);
    const why = defs.via === 'functions' ? 'measured' : 'measured (tools and functions render alike)';
    if (hasSystem) add('tools header (in the system message)', TOOLS_HEADER_TOKENS, true, why);
    else {
      add('tools system message framing', perMessage, true, why);
      text('tools system message role', 'system', true, why);
      add('tools header', TOOLS_HEADER_TOKENS, true, why);
    }
    text('function definitions', ns, true, why);
  }
  const fc = req.function_call;
  if (fc === 'none') add('function_call "none"', FUNCTION_CALL_NONE, true, 'measured');
  else if (fc && typeof fc === 'object') {
    add('function_call {name} framing', FUNCTION_CALL_NAMED, true, 'measured');
    text('function_call name', fc.name);
  }
  const tc = req.tool_choice;
  const tcWhy = 'tool_choice deltas measured on an unrecorded cl100k_base model (pamelafox tests/functions.py)';
  if (tc === 'none') add('tool_choice "none"', TOOL_CHOICE_NONE, false, tcWhy);
  else if (tc === 'required') add('tool_choice "required"', 0, false, 'not measured anywhere: counted as 0');
  else if (tc && typeof tc === 'object') {
    add('tool_choice {function} framing', TOOL_CHOICE_NAMED, false, tcWhy);
    text('tool_choice name', tc.function.name, false, tcWhy);
  }
  const total = parts.reduce((a, p) => a + p.tokens, 0);
  return { encoding: encName, parts, total, exact: parts.every((p) => p.exact) };
}

function contentParts(m, at, parts, tok, exact, why, model) {
  const c = m.content;
  if (c === undefined || c === null) return;
  if (typeof c === 'string') {
    parts.push({ label: `${at} content`, tokens: tok(c), exact, why, text: c });
    return;
  }
  if (!Array.isArray(c)) throw new Error(`${at}.content: expected a string or an array`);
  const texts = c.filter((p) => p.type === 'text').length;
  c.forEach((p, j) => {
    const here = `${at}.content[${j}]`;
    if (p.type === 'text') {
      // One text part is measured (pamelafox image cases); how several are joined is not.
      const w = texts === 1 ? why : 'several text parts: each counted on its own (joining not measured)';
      parts.push({ label: here, tokens: tok(p.text), exact: exact && texts === 1, why: w, text: p.text });
    } else if (p.type === 'image_url') {
      const url = p.image_url?.url;
      const detail = p.image_url?.detail ?? 'auto';
      const size = imageSizeFromDataUrl(url);
      const r = imageTokensOpenAI(model, size.width, size.height, detail);
      parts.push({ label: `${here} image ${size.width}x${size.height} ${detail}`, tokens: r.tokens, exact: r.exact, why: r.why });
    } else {
      throw new Error(`${here}: part type ${p.type} is not counted by this reference`);
    }
  });
}
