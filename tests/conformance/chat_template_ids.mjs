// chat_template_ids.mjs: the token ids of rendered chat templates, from npm tokenizers 0.23.2 (the
// Node binding of the Rust huggingface/tokenizers), encoded as transformers' apply_chat_template
// does with tokenize=True: encode(text, addSpecialTokens=false) -- the template writes BOS/EOS.
// Reads JSON lines {"tokenizer": PATH, "text": STRING} on stdin, writes one JSON array of ids per
// line on stdout, in order. Run by chat_template_goldens.py.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');
const HERE = dirname(fileURLToPath(import.meta.url));
const VERSION = JSON.parse(readFileSync(join(HERE, 'node_modules', 'tokenizers', 'package.json'), 'utf8')).version;
if (VERSION !== '0.23.2') throw new Error(`expected tokenizers 0.23.2, found ${VERSION} (run npm ci)`);

const loaded = new Map();
const out = [];
for (const line of readFileSync(0, 'utf8').split('\n')) {
  if (line === '') continue;
  const { tokenizer, text } = JSON.parse(line);
  if (!loaded.has(tokenizer)) loaded.set(tokenizer, Tokenizer.fromFile(tokenizer));
  const enc = await loaded.get(tokenizer).encode(text, null, { addSpecialTokens: false });
  out.push(JSON.stringify(Array.from(enc.getIds())));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
