// Another reference for make bench: npm gpt-tokenizer (pure JavaScript) on the same files,
// single thread, best of N runs; prints the same RESULT lines as bench.c. Not an exactness
// reference (the project checks ids against tiktoken), a speed one.
//   node gpt_tokenizer_bench.mjs RUNS ENC[,ENC...] FILE...
import fs from 'node:fs';

const [runs, encs, ...files] = process.argv.slice(2);
for (const name of encs.split(',')) {
  const { encode } = await import(`gpt-tokenizer/encoding/${name}`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const bytes = fs.statSync(file).size;
    let best = Infinity, n = 0;
    for (let r = 0; r < Number(runs); r++) {
      const t0 = process.hrtime.bigint();
      n = encode(text).length;
      const d = Number(process.hrtime.bigint() - t0) / 1e9;
      if (d < best) best = d;
    }
    console.log(`RESULT ${file} ${name} encode ${(bytes / best / 1e6).toFixed(2)} ${n}`);
  }
}
