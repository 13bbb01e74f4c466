// Writes tests/golden/chat-api/requests.jsonl: Chat Completions requests whose
// usage.prompt_tokens was reported by the OpenAI API, each with its source.
//
//   node chat_api_cases.mjs TOKEN_COUNTS_TEST_TS PAMELAFOX_REPO_DIR ../golden/chat-api
//
// also writes requests-extra.jsonl: further API-measured requests (an older revision of
// the cookbook notebook; pamelafox/openai-messages-token-helper) that are not part of
// the 45 (see the MANIFEST there for what each proves).
//
// TOKEN_COUNTS_TEST_TS is tests/token-counts.test.ts of hmarr/openai-chat-tokens at
// commit b8e3b11d4f50174991f0adc17cabe9518173dbc9 (SHA-256 checked below). Its 36
// requests were sent to gpt-3.5-turbo with max_tokens 10 by that file's own
// "test data matches openai" test. The nine OpenAI cookbook cases are transcribed
// below from the notebook's recorded outputs (the notebook is Python, so it is not
// parsed); each names the cell it comes from.

import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const OCT = {
  repo: 'hmarr/openai-chat-tokens',
  path: 'tests/token-counts.test.ts',
  commit: 'b8e3b11d4f50174991f0adc17cabe9518173dbc9',
  sha256: 'a88f0c11628e8e83f42619e969dc1fa93d7aeff4cce083bafd342253eb675006',
};
const COOKBOOK = {
  repo: 'openai/openai-cookbook',
  path: 'examples/How_to_count_tokens_with_tiktoken.ipynb',
  commit: 'c81359cdc6744f001e40c08a192604c5113fdab3',
};

function die(msg) {
  process.stderr.write(`chat_api_cases: ${msg}\n`);
  process.exit(2);
}

function octCases(path) {
  const src = readFileSync(path, 'utf8');
  const sum = createHash('sha256').update(src).digest('hex');
  if (sum !== OCT.sha256) die(`${path}: SHA-256 ${sum}, expected ${OCT.sha256}`);
  const start = src.indexOf('const TEST_CASES: Example[] = [');
  const end = src.indexOf('\n];\n', start);
  if (start < 0 || end < 0) die(`${path}: no TEST_CASES array`);
  const open = src.indexOf('[', start);
  const body = src.slice(open, end + 3);
  // The array is a plain object literal (no TypeScript syntax inside it).
  const cases = new Function(`return ${body};`)();
  // Line of each case: the `tokens:` line, counted in the source.
  const lines = src.split('\n');
  const tokenLines = [];
  for (let i = 0; i < lines.length; i++)
    if (/^    tokens: \d+,$/.test(lines[i])) tokenLines.push(i + 1);
  if (tokenLines.length !== cases.length) die(`${path}: ${cases.length} cases but ${tokenLines.length} tokens lines`);
  return cases.map((c, i) => {
    if (c.validate !== undefined) die(`case ${i}: unexpected validate flag`);
    // Exactly what the test sends: openai.chat.completions.create({ model,
    // messages, functions, function_call, max_tokens: 10 }); undefined keys are
    // not sent.
    const request = { model: 'gpt-3.5-turbo', messages: c.messages };
    if (c.functions !== undefined) request.functions = c.functions;
    if (c.function_call !== undefined) request.function_call = c.function_call;
    request.max_tokens = 10;
    return {
      id: `oct-${String(i + 1).padStart(2, '0')}`,
      api: 'openai-chat',
      model: 'gpt-3.5-turbo',
      request,
      usage: { prompt_tokens: c.tokens },
      source: { ...OCT, sha256: undefined, test: `TEST_CASES[${i}]`, line: tokenLines[i] },
    };
  });
}

// Cell 15 (execution_count 15), "let's verify the function above matches the
// OpenAI API response": example_messages sent with temperature=0, max_tokens=1.
const JARGON = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];
// Cell 17 (execution_count 17): tools=[get_current_weather], temperature=0.
const WEATHER_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['location'],
      },
    },
  },
];
const WEATHER_MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

function cookbookCases() {
  const out = [];
  const jargon = [['gpt-3.5-turbo', 129], ['gpt-4-0613', 129], ['gpt-4', 129], ['gpt-4o', 124], ['gpt-4o-mini', 124]];
  for (const [model, n] of jargon)
    out.push({
      id: `cookbook-messages-${model}`,
      api: 'openai-chat',
      model,
      request: { model, messages: JARGON, temperature: 0, max_tokens: 1 },
      usage: { prompt_tokens: n },
      source: { ...COOKBOOK, cell: 'execution_count 15 ("let\'s verify the function above matches the OpenAI API response"), output line "N prompt tokens counted by the OpenAI API."' },
    });
  const tools = [['gpt-3.5-turbo', 105], ['gpt-4', 105], ['gpt-4o', 101], ['gpt-4o-mini', 101]];
  for (const [model, n] of tools)
    out.push({
      id: `cookbook-tools-${model}`,
      api: 'openai-chat',
      model,
      request: { model, messages: WEATHER_MESSAGES, tools: WEATHER_TOOLS, temperature: 0 },
      usage: { prompt_tokens: n },
      source: { ...COOKBOOK, cell: 'execution_count 17 (section "7. Counting tokens for chat completions with tool calls"), output line "N prompt tokens counted by the OpenAI API."' },
    });
  return out;
}

// Older revision of the same notebook (before gpt-4o), cell execution_count 15: the
// same messages, max_tokens=1, sent to the models of mid-2023. "gpt-3.5-turbo" then
// still pointed at gpt-3.5-turbo-0301 (127, the 0301 framing), as the notebook's own
// output shows next to its estimate of 129.
const COOKBOOK_2023 = { ...COOKBOOK, commit: '06d9feb5e21e6fdc85f3ddce7731e05892758cd7' };

function cookbook2023Cases() {
  const runs = [
    ['gpt-3.5-turbo-0301', 'gpt-3.5-turbo-0301', 127],
    ['gpt-3.5-turbo-0613', 'gpt-3.5-turbo-0613', 129],
    ['gpt-3.5-turbo', 'gpt-3.5-turbo-0301', 127],
    ['gpt-4-0314', 'gpt-4-0314', 129],
    ['gpt-4-0613', 'gpt-4-0613', 129],
    ['gpt-4', 'gpt-4-0613', 129],
  ];
  return runs.map(([model, resolved, n]) => ({
    id: `cookbook2023-messages-${model}`,
    api: 'openai-chat',
    model,
    resolved_model: resolved,
    request: { model, messages: JARGON, temperature: 0, max_tokens: 1 },
    usage: { prompt_tokens: n },
    source: { ...COOKBOOK_2023, cell: 'execution_count 15, output line "N prompt tokens counted by the OpenAI API."' },
    note: model === 'gpt-3.5-turbo' ? 'the alias resolved to gpt-3.5-turbo-0301 when this was recorded (mid-2023)' : undefined,
  }));
}

// pamelafox/openai-messages-token-helper: tests/functions.py (tools + tool_choice,
// checked by tests/verify_functions.py against a model named by the OPENAI_MODEL or
// AZURE_OPENAI_DEPLOYMENT environment variable: not recorded; added 2024-05-01, before
// gpt-4o, so a cl100k_base model) and tests/image_messages.py (checked by
// tests/verify_openai.py against gpt-4o and gpt-4o-mini by name). Read with Python's
// ast.literal_eval: the files are plain literals and are never executed.
const PF = {
  repo: 'pamelafox/openai-messages-token-helper',
  commit: 'b60075e3b4ec659b58fa06b2c27e7b0afc1587a2',
  sha256: {
    'tests/functions.py': '3747f9f601fbdfb16c1af1580f73a7c853341790b2f53c79bc0191eb1bb579c9',
    'tests/image_messages.py': '58dc78c4dded287fe9a5569c0555868c1d0899c426bc7512913c7f55fc8d47cc',
  },
};

function pyLiterals(path) {
  const src = readFileSync(path);
  const rel = Object.keys(PF.sha256).find((k) => path.endsWith(k));
  const sum = createHash('sha256').update(src).digest('hex');
  if (!rel || sum !== PF.sha256[rel]) die(`${path}: SHA-256 ${sum} is not the recorded one`);
  const py = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
out = []
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
        out.append([node.targets[0].id, node.lineno, ast.literal_eval(node.value)])
json.dump(out, sys.stdout)
`;
  const r = spawnSync('python3', ['-c', py, path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) die(`${path}: python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function pamelafoxCases(dir) {
  const out = [];
  for (const [name, line, c] of pyLiterals(`${dir}/tests/functions.py`)) {
    out.push({
      id: `pf-tools-${name}`,
      api: 'openai-chat',
      model: null,
      request: { messages: [c.system_message], tools: c.tools, tool_choice: c.tool_choice, temperature: 0.7, n: 1 },
      usage: { prompt_tokens: c.count },
      source: { repo: PF.repo, path: 'tests/functions.py', commit: PF.commit, name, line },
      note: 'model not recorded (verify_functions.py takes it from the environment); recorded 2024-05, a cl100k_base model',
    });
  }
  for (const [name, line, c] of pyLiterals(`${dir}/tests/image_messages.py`)) {
    for (const [model, key] of [['gpt-4o', 'count'], ['gpt-4o-mini', 'count_4o_mini']])
      out.push({
        id: `pf-image-${name}-${model}`,
        api: 'openai-chat',
        model,
        request: { model, messages: [c.message], temperature: 0.7, n: 1 },
        usage: { prompt_tokens: c[key] },
        source: { repo: PF.repo, path: 'tests/image_messages.py', commit: PF.commit, name, line },
      });
  }
  return out;
}

function writeJsonl(path, rows) {
  writeFileSync(path, rows.map((c) => JSON.stringify(c)).join('\n') + '\n');
}

if (process.argv.length !== 5)
  die('usage: node chat_api_cases.mjs TOKEN_COUNTS_TEST_TS PAMELAFOX_REPO_DIR OUTDIR');
const [octPath, pfDir, outDir] = process.argv.slice(2);
writeJsonl(`${outDir}/requests.jsonl`, [...octCases(octPath), ...cookbookCases()]);
writeJsonl(`${outDir}/requests-extra.jsonl`, [...cookbook2023Cases(), ...pamelafoxCases(pfDir)]);
