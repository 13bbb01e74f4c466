// Reference for counting whole API requests; tokscope's C code follows it rule by rule
// (tests/golden/chat-api/RULES.md says which rule comes from where).
//
//   node chat_api_ref.mjs                 check every golden in tests/golden/chat-api
//   node chat_api_ref.mjs --render ID     print how one request of requests*.jsonl is counted
//   node chat_api_ref.mjs --harmony DIR   also compare the harmony renderings with the
//                                         expected outputs in DIR/test-data (an openai/harmony
//                                         checkout at ec7606df)
//   node chat_api_ref.mjs --write-harmony write tests/golden/chat-api/harmony.jsonl
//
// Exit status 1 when an API-measured count, a published example or a fixture is not
// reproduced. The cases of requests-extra.jsonl whose model was not recorded are
// reported, not judged (RULES.md 2.6 explains the ones that differ).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChat, encoding } from './chat_api_openai.mjs';
import * as img from './chat_api_images.mjs';
import * as harmony from './chat_api_harmony.mjs';
import { geminiCountedTexts } from './chat_api_gemini.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(HERE, '..', 'golden', 'chat-api');
const readJsonl = (p) => readFileSync(p, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));

let failures = 0;
let passes = 0;
const check = (ok, what) => {
  if (ok) passes++;
  else {
    failures++;
    console.log(`FAIL ${what}`);
  }
};

// ---- OpenAI Chat Completions ----

function modelOf(c) {
  // Requests whose model was not recorded were measured on a cl100k_base model.
  return c.resolved_model ?? c.model ?? 'gpt-3.5-turbo';
}

function runChat(file, judged) {
  let ok = 0;
  let n = 0;
  for (const c of readJsonl(join(GOLDEN, file))) {
    const r = renderChat(c.request, modelOf(c));
    const want = c.usage.prompt_tokens;
    const same = r.total === want;
    n++;
    if (same) ok++;
    const strict = judged && c.model !== null;
    if (strict) check(same, `${file} ${c.id}: API ${want}, reference ${r.total}`);
    else if (!same) console.log(`note ${file} ${c.id}: API ${want}, reference ${r.total} (model not recorded)`);
  }
  console.log(`${file}: ${ok} of ${n} reproduced`);
}

function renderOne(id) {
  for (const file of ['requests.jsonl', 'requests-extra.jsonl']) {
    const c = readJsonl(join(GOLDEN, file)).find((x) => x.id === id);
    if (!c) continue;
    const r = renderChat(c.request, modelOf(c));
    console.log(`${c.id}  model ${modelOf(c)}  encoding ${r.encoding}`);
    for (const p of r.parts)
      console.log(`${String(p.tokens).padStart(6)}  ${p.exact ? 'exact   ' : 'estimate'}  ${p.label}${p.text !== undefined ? '  ' + JSON.stringify(p.text.length > 60 ? p.text.slice(0, 60) + '...' : p.text) : ''}${p.exact ? '' : '  (' + p.why + ')'}`);
    console.log(`${String(r.total).padStart(6)}  total (API: ${c.usage.prompt_tokens})`);
    const fn = r.parts.find((p) => p.label === 'function definitions');
    if (fn) console.log(`\nfunction definitions as rendered:\n${fn.text}`);
    return;
  }
  console.error(`no request ${id}`);
  process.exit(2);
}

// The rules rest on a few words being one token in both encodings.
function checkAssumptions() {
  for (const e of ['cl100k_base', 'o200k_base'])
    for (const w of ['system', 'user', 'assistant', 'function'])
      check(encoding(e).encode(w).length === 1, `${e}: "${w}" is one token`);
}

// ---- images ----

function runImages() {
  const rows = readFileSync(join(GOLDEN, 'images.tsv'), 'utf8').trimEnd().split('\n');
  const head = rows.shift().split('\t');
  const col = (name) => head.indexOf(name);
  let n = 0;
  for (const line of rows) {
    if (line.startsWith('#')) continue;
    const f = line.split('\t');
    const [w, h] = [Number(f[col('width')]), Number(f[col('height')])];
    const rule = f[col('rule')];
    const arg = f[col('detail_or_tier')];
    const model = f[col('model')];
    const want = Number(f[col('tokens')]);
    let got;
    switch (rule) {
      case 'openai':
        got = img.imageTokensOpenAI(model, w, h, arg).tokens;
        break;
      case 'anthropic-legacy':
        got = img.anthropicLegacy(w, h);
        break;
      case 'anthropic-patch':
        got = img.anthropicPatches(w, h, arg);
        break;
      case 'gemini-tiles':
        got = img.geminiTiles(w, h);
        break;
      case 'gemini-vertex':
        got = img.geminiVertexTiles(w, h);
        break;
      case 'gemini-3':
        got = img.GEMINI3_IMAGE[arg];
        break;
      default:
        throw new Error(`images.tsv: unknown rule ${rule}`);
    }
    n++;
    check(got === want, `images.tsv ${rule} ${model} ${w}x${h} ${arg}: expected ${want}, reference ${got}`);
  }
  console.log(`images.tsv: ${n} rows checked`);
}

// Header parsing on files built here byte by byte (layouts in RULES.md 4.5).
function runHeaders() {
  const png = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(png);
  png.write('IHDR', 12, 'latin1');
  png.writeUInt32BE(1126, 16);
  png.writeUInt32BE(488, 20);
  const gif = Buffer.from('GIF89a\x40\x01\xf0\x00', 'latin1'); // 320x240
  const vp8 = Buffer.alloc(30);
  vp8.write('RIFF', 0, 'latin1');
  vp8.write('WEBPVP8 ', 8, 'latin1');
  Buffer.from([0x9d, 0x01, 0x2a]).copy(vp8, 23);
  vp8.writeUInt16LE(640 | (1 << 14), 26); // scale bits must be masked off
  vp8.writeUInt16LE(480, 28);
  const vp8l = Buffer.alloc(30);
  vp8l.write('RIFF', 0, 'latin1');
  vp8l.write('WEBPVP8L', 8, 'latin1');
  vp8l[20] = 0x2f;
  vp8l.writeUInt32LE((800 - 1) | ((600 - 1) << 14), 21);
  const vp8x = Buffer.alloc(30);
  vp8x.write('RIFF', 0, 'latin1');
  vp8x.write('WEBPVP8X', 8, 'latin1');
  vp8x.writeUIntLE(4000 - 1, 24, 3);
  vp8x.writeUIntLE(3000 - 1, 27, 3);
  // JPEG: SOI, APP0 (16 bytes), DHT-less SOF2 (progressive) 1024 wide, 768 high.
  const jpg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc2, 0, 11, 8, 0x03, 0x00, 0x04, 0x00, 1, 1, 0x11, 0]);
  const cases = [
    [png, 'png', 1126, 488],
    [gif, 'gif', 320, 240],
    [vp8, 'webp', 640, 480],
    [vp8l, 'webp', 800, 600],
    [vp8x, 'webp', 4000, 3000],
    [jpg, 'jpeg', 1024, 768],
  ];
  for (const [b, f, w, h] of cases) {
    const s = img.imageSize(b);
    check(s.format === f && s.width === w && s.height === h, `header ${f}: got ${JSON.stringify(s)}, want ${w}x${h}`);
  }
  let refused = 0;
  for (const bad of [Buffer.from('not an image'), Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2])])
    try {
      img.imageSize(bad);
    } catch {
      refused++;
    }
  check(refused === 2, 'headers: non-images are refused');
}

// ---- gpt-oss (harmony) ----

const KITCHEN_TOOLS = [
  { name: 'get_location', description: 'Gets the location of the user.' },
  {
    name: 'get_current_weather',
    description: 'Gets the current weather in the provided location.',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        format: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
      },
      required: ['location'],
    },
  },
  {
    name: 'get_multiple_weathers',
    description: 'Gets the current weather in the provided list of locations.',
    parameters: {
      type: 'object',
      properties: {
        locations: { type: 'array', items: { type: 'string' }, description: 'List of city and state, e.g. ["San Francisco, CA", "New York, NY"]' },
        format: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
      },
      required: ['locations'],
    },
  },
  {
    name: 'kitchensink',
    description: 'A function with various complex schemas.',
    parameters: {
      description: 'params object',
      type: 'object',
      properties: {
        string: { type: 'string', title: 'STRING', description: 'A string', examples: ['hello', 'world'] },
        string_nullable: { type: 'string', nullable: true, description: 'A nullable string', default: 'the default' },
        string_enum: { type: 'string', enum: ['a', 'b', 'c'] },
        oneof_string_or_number: {
          oneOf: [
            { type: 'string', default: 'default_string_in_oneof' },
            { type: 'number', description: 'numbers can happen too' },
          ],
          description: 'a oneof',
          default: 20,
        },
      },
    },
  },
];

// ToolNamespaceConfig::browser() (harmony src/chat.rs).
const BROWSER = {
  name: 'browser',
  description:
    'Tool for browsing.\nThe `cursor` appears in brackets before each browsing display: `[{cursor}]`.\nCite information from the tool using the following format:\n`【{cursor}†L{line_start}(-L{line_end})?】`, for example: `【6†L9-L11】` or `【8†L3】`.\nDo not quote more than 10 words directly from the tool output.\nsources=web (default: web)',
  tools: [
    {
      name: 'search',
      description: 'Searches for information related to `query` and displays `topn` results.',
      parameters: { type: 'object', properties: { query: { type: 'string' }, topn: { type: 'number', default: 10 }, source: { type: 'string' } }, required: ['query'] },
    },
    {
      name: 'open',
      description:
        'Opens the link `id` from the page indicated by `cursor` starting at line number `loc`, showing `num_lines` lines.\nValid link ids are displayed with the formatting: `【{id}†.*】`.\nIf `cursor` is not provided, the most recent page is implied.\nIf `id` is a string, it is treated as a fully qualified URL associated with `source`.\nIf `loc` is not provided, the viewport will be positioned at the beginning of the document or centered on the most relevant passage, if available.\nUse this function without `id` to scroll to a new location of an opened page.',
      parameters: {
        type: 'object',
        properties: {
          id: { type: ['number', 'string'], default: -1 },
          cursor: { type: 'number', default: -1 },
          loc: { type: 'number', default: -1 },
          num_lines: { type: 'number', default: -1 },
          view_source: { type: 'boolean', default: false },
          source: { type: 'string' },
        },
      },
    },
    {
      name: 'find',
      description: 'Finds exact matches of `pattern` in the current page, or the page given by `cursor`.',
      parameters: { type: 'object', properties: { pattern: { type: 'string' }, cursor: { type: 'number', default: -1 } }, required: ['pattern'] },
    },
  ],
};

const sys = (over) => ({ role: 'system', content: { system: { ...harmony.DEFAULT_SYSTEM, ...over } } });

// Conversations built exactly as harmony's tests/test_harmony.py builds them; `fixture`
// names the expected rendering in test-data/.
function harmonyCases() {
  const weatherParams = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };
  return [
    {
      id: 'harmony-render-functions-with-parameters',
      fixture: 'test_render_functions_with_parameters.txt',
      messages: [
        sys({ reasoning_effort: 'high', conversation_start_date: '2025-06-28' }),
        { role: 'developer', content: { developer: { instructions: 'Always respond in riddles', tools: [{ name: 'functions', tools: KITCHEN_TOOLS }] } } },
        { role: 'user', content: 'What is the weather like in SF?' },
      ],
    },
    {
      id: 'harmony-browser-and-function-tool',
      fixture: 'test_browser_and_function_tool.txt',
      messages: [
        sys({ conversation_start_date: '2025-06-28', tools: [BROWSER] }),
        {
          role: 'developer',
          content: {
            developer: {
              tools: [
                {
                  name: 'functions',
                  tools: [
                    {
                      name: 'lookup_weather',
                      description: "Use this tool to lookup the weather in a given location. Call it with the parameter 'location', can be any textual description of a location.",
                      parameters: weatherParams,
                    },
                  ],
                },
              ],
            },
          },
        },
      ],
    },
    { id: 'harmony-browser-tool-only', fixture: 'test_browser_tool_only.txt', messages: [sys({ conversation_start_date: '2025-06-28', tools: [BROWSER] })] },
    { id: 'harmony-no-tools', fixture: 'test_no_tools.txt', messages: [sys({ conversation_start_date: '2025-06-28' })] },
    {
      id: 'harmony-tool-call-and-result',
      fixture: 'test_does_not_drop_if_ongoing_analysis.txt',
      messages: [
        { role: 'user', content: 'What is the weather in SF?' },
        { role: 'assistant', channel: 'analysis', content: 'User asks: “What is the weather in SF?” We need to use lookup_weather tool.' },
        { role: 'assistant', channel: 'commentary', recipient: 'functions.lookup_weather', content_type: '<|constrain|>json', content: '{"location": "San Francisco"}' },
        { role: 'tool', name: 'functions.lookup_weather', content: '{"temperature": 20, "description": "sunny"}' },
      ],
    },
  ];
}

// Chat Completions bodies mapped to gpt-oss the way servers do (chatToHarmony).
function harmonyChatCases() {
  const cookbook = readJsonl(join(GOLDEN, 'requests.jsonl')).find((c) => c.id === 'cookbook-tools-gpt-4o');
  const roundTrip = {
    model: 'gpt-oss-120b',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"temp":18}' },
      { role: 'tool', tool_call_id: 'c2', content: '{"temp":24}' },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather.\nCity names in English.',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string', description: 'City name' },
              units: { type: 'string', enum: ['metric', 'imperial'], default: 'metric' },
              days: { type: 'integer', enum: [1, 3, 7], default: 1 },
              where: {
                type: 'object',
                description: 'Location details',
                properties: { lat: { type: 'number' }, lon: { type: 'number', nullable: true } },
                required: ['lat'],
              },
              tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
              any: { anyOf: [{ type: 'string' }, { type: 'null' }] },
            },
            required: ['city'],
          },
        },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ],
  };
  return [
    { id: 'harmony-chat-cookbook-tools', request: { ...cookbook.request, model: 'gpt-oss-120b' } },
    { id: 'harmony-chat-tool-round-trip', request: roundTrip },
  ];
}

function runHarmony(fixtureDir) {
  const rows = [];
  for (const c of harmonyCases()) {
    const pieces = harmony.renderConversation(c.messages);
    const text = harmony.piecesText(pieces);
    if (fixtureDir) {
      const want = readFileSync(join(fixtureDir, 'test-data', c.fixture), 'utf8').trimEnd();
      check(text === want, `harmony ${c.id}: rendering differs from test-data/${c.fixture}`);
    }
    rows.push({ id: c.id, messages: c.messages, text, tokens: harmony.countPieces(pieces), source: { repo: 'openai/harmony', commit: 'ec7606df9e87e3d0a1fec9f50928c1e407f0c438', fixture: `test-data/${c.fixture}`, test: `tests/test_harmony.py::test_${c.fixture.replace(/^test_|\.txt$/g, '')}` } });
  }
  for (const c of harmonyChatCases()) {
    const messages = harmony.chatToHarmony(c.request);
    const pieces = harmony.renderConversation(messages);
    rows.push({ id: c.id, request: c.request, text: harmony.piecesText(pieces), tokens: harmony.countPieces(pieces), source: 'chat_api_harmony.mjs chatToHarmony (the gpt-oss server convention) + harmony rendering' });
  }
  return rows;
}

function checkHarmonyGolden(rows) {
  const p = join(GOLDEN, 'harmony.jsonl');
  if (!existsSync(p)) {
    check(false, 'harmony.jsonl missing (run with --write-harmony)');
    return;
  }
  const have = readJsonl(p);
  check(have.length === rows.length, `harmony.jsonl: ${have.length} rows, reference makes ${rows.length}`);
  for (const r of rows) {
    const g = have.find((x) => x.id === r.id);
    check(g && g.text === r.text && g.tokens === r.tokens, `harmony.jsonl ${r.id}: differs from the reference`);
  }
  console.log(`harmony.jsonl: ${rows.length} renderings checked`);
}

// ---- Gemini ----

// python-genai google/genai/tests/local_tokenizer/test_local_tokenizer.py: the string
// list each test expects encode() to be called with, for the same input as a REST body.
function runGemini() {
  const cases = [
    ['test_count_tokens_simple_string', { contents: 'Hello world' }, ['Hello world']],
    ['test_count_tokens_with_chat_history', { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }, { role: 'model', parts: [{ text: 'Hi there!' }] }] }, ['Hello', 'Hi there!']],
    [
      'test_count_tokens_with_tools',
      {
        contents: 'What is the weather in Boston?',
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Get the weather for a location', parameters: { type: 'OBJECT', properties: { location: { type: 'STRING', description: 'The location' } }, required: ['location'] } }] }],
      },
      ['What is the weather in Boston?', 'get_weather', 'Get the weather for a location', 'location', 'location', 'The location'],
    ],
    ['test_count_tokens_with_function_call', { contents: [{ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Boston' } } }] }] }, ['get_weather', 'location', 'Boston']],
    ['test_count_tokens_with_function_response', { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { weather: 'sunny' } } }] }] }, ['get_weather', 'weather', 'sunny']],
    ['test_count_tokens_with_system_instruction', { contents: 'Hello', systemInstruction: { parts: [{ text: 'You are a helpful assistant.' }] } }, ['Hello', 'You are a helpful assistant.']],
    [
      'test_count_tokens_with_response_schema',
      {
        contents: 'Generate a recipe for chocolate chip cookies.',
        generationConfig: {
          responseSchema: {
            type: 'OBJECT',
            format: 'schema_format',
            description: 'Recipe schema',
            enum: ['schema_enum1', 'schema_enum2'],
            properties: { recipe_name: { type: 'STRING', description: 'Name of the recipe' } },
            items: { type: 'STRING', description: 'Item in the recipe' },
            example: { recipe_example: { type: 'STRING', description: 'example in the recipe' } },
            required: ['recipe_name'],
          },
        },
      },
      // The test's example values are Schema objects, which the walk skips; as plain
      // JSON they are dicts and are walked, so they are dropped here to match.
      ['Generate a recipe for chocolate chip cookies.', 'schema_format', 'Recipe schema', 'schema_enum1', 'schema_enum2', 'recipe_name', 'Item in the recipe', 'recipe_name', 'Name of the recipe', 'recipe_example'],
    ],
  ];
  for (const [name, body, want] of cases) {
    let b = body;
    if (name === 'test_count_tokens_with_response_schema') {
      b = structuredClone(body);
      b.generationConfig.responseSchema.example = { recipe_example: 0 };
    }
    const got = geminiCountedTexts(b);
    check(JSON.stringify(got) === JSON.stringify(want), `gemini ${name}: ${JSON.stringify(got)}`);
  }
  let refused = false;
  try {
    geminiCountedTexts({ contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'dGVzdA==' } }] }] });
  } catch {
    refused = true;
  }
  check(refused, 'gemini test_count_tokens_with_unsupported_content: inlineData refused');
  console.log(`gemini: ${cases.length + 1} python-genai test expectations checked`);
}

// ---- main ----

const args = process.argv.slice(2);
if (args[0] === '--render') {
  renderOne(args[1]);
  process.exit(0);
}
const hi = args.indexOf('--harmony');
const fixtureDir = hi >= 0 ? args[hi + 1] : null;
const rows = runHarmony(fixtureDir);
if (args.includes('--write-harmony')) {
  writeFileSync(join(GOLDEN, 'harmony.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`wrote harmony.jsonl (${rows.length} rows)`);
}
checkAssumptions();
runChat('requests.jsonl', true);
runChat('requests-extra.jsonl', true);
runImages();
runHeaders();
checkHarmonyGolden(rows);
runGemini();
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
