// gpt-oss: how openai/harmony (src/encoding.rs, commit ec7606df) renders tools into
// the system and developer messages, and how it frames tool calls and results. This is
// a re-statement of that renderer's behaviour, checked against harmony's own expected
// renderings (test-data/*.txt) by chat_api_ref.mjs --harmony DIR.
//
// The output is a list of pieces: { special: '<|start|>' } or { text }. harmony encodes
// each text piece on its own (encode_ordinary) and each formatting token as one token.

import { Tiktoken } from 'tiktoken/lite';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// o200k_harmony: o200k_base plus these formatting tokens (harmony src/tiktoken_ext).
export const HARMONY_SPECIALS = {
  '<|startoftext|>': 199998,
  '<|endoftext|>': 199999,
  '<|return|>': 200002,
  '<|constrain|>': 200003,
  '<|channel|>': 200005,
  '<|start|>': 200006,
  '<|end|>': 200007,
  '<|message|>': 200008,
  '<|call|>': 200012,
};

let harmonyEnc = null;
export function harmonyEncoding() {
  if (!harmonyEnc) {
    const o200k = require('tiktoken/encoders/o200k_base.json');
    harmonyEnc = new Tiktoken(o200k.bpe_ranks, HARMONY_SPECIALS, o200k.pat_str);
  }
  return harmonyEnc;
}

export function countPieces(pieces) {
  const enc = harmonyEncoding();
  let n = 0;
  for (const p of pieces) n += p.special ? 1 : enc.encode_ordinary(p.text).length;
  return n;
}

export function piecesText(pieces) {
  return pieces.map((p) => p.special ?? p.text).join('');
}

// Rust's str::lines(): split on \n, drop one trailing \r per line, no final empty line.
function lines(s) {
  if (s === '') return [];
  const out = s.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isEnum = (s) => Array.isArray(s.enum) && s.enum.length > 0;
// serde_json's Display of a value: compact JSON.
const json = (v) => JSON.stringify(v);

// `// default: ...` text. A string default is written bare (no quotes) when the schema
// has an enum, quoted otherwise; other values as compact JSON.
function defaultText(schema) {
  const d = schema.default;
  if (typeof d === 'string') return isEnum(schema) ? `default: ${d}` : `default: "${d}"`;
  return `default: ${json(d)}`;
}
// Inside a oneOf variant list the enum case still quotes through JSON.
function variantDefaultText(variant, quoteEnumString) {
  const d = variant.default;
  if (typeof d === 'string' && !isEnum(variant)) return `default: "${d}"`;
  if (typeof d === 'string' && quoteEnumString) return `default: ${json(d)}`;
  if (typeof d === 'string') return `default: ${d}`;
  return `default: ${json(d)}`;
}

function withNullable(variant, typeStr) {
  return isObj(variant) && variant.nullable === true && !typeStr.includes('null') ? `${typeStr} | null` : typeStr;
}

// json_schema_to_typescript(schema, indent)
export function schemaToTs(schema, indent) {
  // serde_json's get() on anything but an object finds nothing: such a schema is "any".
  if (!isObj(schema)) return 'any';
  if (Array.isArray(schema.oneOf)) {
    let out = '';
    for (const raw of schema.oneOf) {
      const v = isObj(raw) ? raw : {};
      out += `\n${indent} | `;
      out += withNullable(v, schemaToTs(raw, `${indent}   `));
      const trailing = [];
      if (typeof v.description === 'string') trailing.push(v.description);
      if ('default' in v) trailing.push(variantDefaultText(v, true));
      if (trailing.length) out += ` // ${trailing.join(' ')}`;
    }
    return out;
  }
  if (Array.isArray(schema.type)) {
    const t = schema.type.filter((x) => typeof x === 'string').map((x) => (x === 'integer' ? 'number' : x));
    if (t.length) return t.join(' | ');
  }
  if (typeof schema.type === 'string') {
    switch (schema.type) {
      case 'object':
        return objectToTs(schema, indent);
      case 'string': {
        if (Array.isArray(schema.enum)) {
          const e = schema.enum.filter((x) => typeof x === 'string').map((x) => `"${x}"`);
          if (e.length) return e.join(' | ');
        }
        return 'string';
      }
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
        return 'items' in schema ? `${schemaToTs(schema.items, indent)}[]` : 'Array<any>';
      default:
        return 'any';
    }
  }
  return 'any';
}

function objectToTs(schema, indent) {
  let out = '';
  if (typeof schema.description === 'string') out += `${indent}// ${schema.description}\n`;
  out += '{\n';
  if (isObj(schema.properties)) {
    const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
    for (const [key, raw] of Object.entries(schema.properties)) {
      const val = isObj(raw) ? raw : {};
      const opt = required.has(key) ? '' : '?';
      if (typeof val.title === 'string') out += `${indent}// ${val.title}\n${indent}//\n`;
      if (!('oneOf' in val) && typeof val.description === 'string') out += `${indent}// ${val.description}\n`;
      if (Array.isArray(val.examples) && val.examples.length) {
        out += `${indent}// Examples:\n`;
        for (const ex of val.examples) if (typeof ex === 'string') out += `${indent}// - "${ex}"\n`;
      }
      if (Array.isArray(val.oneOf)) {
        const propDesc = typeof val.description === 'string' ? val.description : null;
        const first = isObj(val.oneOf[0]) ? val.oneOf[0] : null;
        const skip = propDesc !== null && first && typeof first.description === 'string' && first.description === propDesc;
        let above = false;
        if (!skip && propDesc !== null) {
          out += `${indent}// ${propDesc}\n`;
          above = true;
        }
        if ('default' in val) out += `${indent}// ${defaultText(val)}\n`;
        out += `${indent}${key}${opt}:\n`;
        val.oneOf.forEach((raw, i) => {
          const v = isObj(raw) ? raw : {};
          out += `${indent} | `;
          out += withNullable(v, schemaToTs(raw, `${indent}   `));
          const trailing = [];
          if (!(i === 0 && above) && typeof v.description === 'string' && v.description !== propDesc) trailing.push(v.description);
          if ('default' in v) trailing.push(variantDefaultText(v, false));
          if (trailing.length) out += ` // ${trailing.join(' ')}`;
          out += '\n';
        });
        out += `${indent},\n`;
        continue;
      }
      out += `${indent}${key}${opt}: `;
      out += withNullable(val, schemaToTs(raw, `${indent}    `));
      out += ',';
      if (!('oneOf' in val) && 'default' in val) out += ` // ${defaultText(val)}`;
      out += '\n';
    }
  }
  out += `${indent}}`;
  return out;
}

// A namespace: { name, description?, tools: [{ name, description, parameters? }] }.
// Namespaces are rendered sorted by name (harmony keeps them in a BTreeMap).
export function toolsSection(namespaces) {
  const sections = ['# Tools'];
  for (const ns of [...namespaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const c = [`## ${ns.name}\n`];
    const has = ns.tools.length > 0;
    if (typeof ns.description === 'string') for (const l of lines(ns.description)) c.push(has ? `// ${l}` : l);
    if (has) {
      c.push(`namespace ${ns.name} {\n`);
      for (const t of ns.tools) {
        for (const l of lines(t.description ?? '')) c.push(`// ${l}`);
        if (t.parameters !== undefined && t.parameters !== null) c.push(`type ${t.name} = (_: ${schemaToTs(t.parameters, '')}) => any;\n`);
        else c.push(`type ${t.name} = () => any;\n`);
      }
      c.push(`} // namespace ${ns.name}`);
    }
    sections.push(c.join('\n'));
  }
  return sections.join('\n\n');
}

// SystemContent::new(): harmony's defaults.
export const DEFAULT_SYSTEM = {
  model_identity: 'You are ChatGPT, a large language model trained by OpenAI.',
  reasoning_effort: 'medium',
  knowledge_cutoff: '2024-06',
  conversation_start_date: null,
  channels: ['analysis', 'commentary', 'final'],
  channel_required: true,
  tools: [],
};

export function systemText(sys, hasFunctionTools) {
  const sections = [];
  const top = [];
  if (sys.model_identity) top.push(sys.model_identity);
  if (sys.knowledge_cutoff) top.push(`Knowledge cutoff: ${sys.knowledge_cutoff}`);
  if (sys.conversation_start_date) top.push(`Current date: ${sys.conversation_start_date}`);
  if (top.length) sections.push(top.join('\n'));
  if (sys.reasoning_effort) sections.push(`Reasoning: ${sys.reasoning_effort}`);
  if (sys.tools && sys.tools.length) sections.push(toolsSection(sys.tools));
  if (sys.channels && sys.channels.length) {
    let h = `# Valid channels: ${sys.channels.join(', ')}.`;
    if (sys.channel_required) h += ' Channel must be included for every message.';
    if (hasFunctionTools) h += "\nCalls to these tools must go to the commentary channel: 'functions'.";
    sections.push(h);
  }
  return sections.join('\n\n');
}

export function developerText(dev) {
  const sections = [];
  if (typeof dev.instructions === 'string') sections.push('# Instructions', dev.instructions);
  if (dev.tools && dev.tools.length) sections.push(toolsSection(dev.tools));
  return sections.join('\n\n');
}

// A harmony message: { role, name?, recipient?, channel?, content_type?, content: string
// | {system} | {developer} }.
export function renderMessage(m, hasFunctionTools) {
  const p = [{ special: '<|start|>' }];
  if (m.role === 'tool') p.push({ text: m.name });
  else {
    p.push({ text: m.role });
    if (m.name) p.push({ text: `:${m.name}` });
  }
  if (m.recipient && m.recipient !== 'all') p.push({ text: ` to=${m.recipient}` });
  if (m.channel) p.push({ special: '<|channel|>' }, { text: m.channel });
  if (m.content_type) {
    if (m.content_type.startsWith('<|constrain|>')) {
      p.push({ text: ' ' }, { special: '<|constrain|>' });
      const rest = m.content_type.slice('<|constrain|>'.length);
      if (rest) p.push({ text: rest });
    } else p.push({ text: ` ${m.content_type}` });
  }
  p.push({ special: '<|message|>' });
  if (typeof m.content === 'string') p.push({ text: m.content });
  else if (m.content.system) p.push({ text: systemText(m.content.system, hasFunctionTools) });
  else if (m.content.developer) p.push({ text: developerText(m.content.developer) });
  p.push({ special: m.role === 'assistant' && m.recipient ? '<|call|>' : '<|end|>' });
  return p;
}

// render_conversation_for_completion(messages, Role::Assistant), without the analysis
// dropping of auto_drop_analysis (it only applies after a final answer).
export function renderConversation(messages) {
  const hasFunctionTools = messages.some((m) => m.content?.developer?.tools?.some((ns) => ns.name === 'functions' && ns.tools.length));
  const out = [];
  for (const m of messages) out.push(...renderMessage(m, hasFunctionTools));
  out.push({ special: '<|start|>' }, { text: 'assistant' });
  return out;
}

// An OpenAI Chat Completions body mapped to harmony messages the way gpt-oss servers do
// (the convention of tokscope's chat.c): harmony's default system message; system and
// developer messages become the developer message's instructions, tools its functions
// namespace; assistant tool calls go to functions.NAME on the commentary channel with
// <|constrain|>json; tool results come from functions.NAME to the assistant.
export function chatToHarmony(req) {
  const fns = (req.tools ?? []).filter((t) => t.type === 'function').map((t) => t.function);
  const instructions = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content);
  const out = [{ role: 'system', content: { system: DEFAULT_SYSTEM } }];
  if (instructions.length || fns.length) {
    const dev = {};
    if (instructions.length) dev.instructions = instructions.join('\n\n');
    if (fns.length)
      dev.tools = [{ name: 'functions', tools: fns.map((f) => ({ name: f.name, description: f.description ?? '', parameters: f.parameters })) }];
    out.push({ role: 'developer', content: { developer: dev } });
  }
  const callName = new Map();
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    if (m.role === 'user') out.push({ role: 'user', content: m.content });
    else if (m.role === 'assistant') {
      if (m.content) out.push({ role: 'assistant', channel: m.tool_calls?.length ? 'commentary' : 'final', content: m.content });
      for (const c of m.tool_calls ?? []) {
        callName.set(c.id, c.function.name);
        out.push({ role: 'assistant', recipient: `functions.${c.function.name}`, channel: 'commentary', content_type: '<|constrain|>json', content: c.function.arguments });
      }
    } else if (m.role === 'tool') {
      out.push({ role: 'tool', name: `functions.${callName.get(m.tool_call_id)}`, recipient: 'assistant', channel: 'commentary', content: m.content });
    } else throw new Error(`role ${m.role}: not mapped to harmony`);
  }
  return out;
}
