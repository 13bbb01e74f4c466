// screenshot.mjs -- the README's picture of the playground: the built page in headless Chromium
// (puppeteer-core from tests/node_modules: run `make test-wasm` or npm ci there first).
//   node bindings/wasm/tools/screenshot.mjs BUILD_DIR OUT.png
import { createRequire } from 'node:module';
import path from 'node:path';

const [build = 'build', out = 'bindings/wasm/screenshot.png'] = process.argv.slice(2);
const require = createRequire(new URL('../tests/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');
const text = 'Tokenizers split text into tokens: "Hello, world!" is 4 of them, 1234567 is 3 or 7, ' +
  'and ünïcödé, naïve café or Ελληνικά take more.\n\tdef count(text): return len(enc.encode(text))  # code too';
const frag = `#text=${encodeURIComponent(text)}&t=o200k_base,cl100k_base,llama-3.1-8b&m=gpt-4o,claude-sonnet-4,llama-3.1-8b&out=500`;
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 1020 });
await page.goto(`file://${path.resolve(build, 'wasm/playground/index.html')}${frag}`);
await page.waitForSelector('body[data-ready=true]');
await page.waitForFunction(() => document.body.dataset.tables === document.body.dataset.drawn);
await page.evaluate(() => { document.getElementById('explain-box').open = false; });
await page.focus('section.panel[data-tokenizer=cl100k_base] .text');
for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
await page.screenshot({ path: out });
await browser.close();
