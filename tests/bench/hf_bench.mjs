// Hugging Face tokenizers (npm tokenizers@0.23.2, the Rust library's native Node binding) on the
// same chunks of the same files, single thread (one encode at a time), best of N; prints
// RESULT lines like bench.c. Texts are cut into chunks of about 4 KB at line ends, as documents
// are encoded in practice (HF slows down badly on one multi-megabyte string).
//   node hf_bench.mjs RUNS TOKENIZER_JSON LABEL FILE...
import tk from 'tokenizers';
import fs from 'node:fs';

// Byte positions, like bench.c: from at + 4096 to the next newline (inclusive).
export function chunks(buf) {
  const out = [];
  let at = 0;
  while (at < buf.length) {
    let end = Math.min(buf.length, at + 4096);
    const nl = buf.indexOf(10, end);
    end = nl < 0 ? buf.length : nl + 1;
    out.push(buf.subarray(at, end).toString('utf8'));
    at = end;
  }
  return out;
}

if (process.argv[1].endsWith('hf_bench.mjs')) {
  const [runs, path, label, ...files] = process.argv.slice(2);
  const tok = tk.Tokenizer.fromFile(path);
  for (const file of files) {
    const parts = chunks(fs.readFileSync(file));
    const bytes = fs.statSync(file).size;
    let best = Infinity, n = 0;
    for (let r = 0; r < Number(runs); r++) {
      const t0 = process.hrtime.bigint();
      n = 0;
      for (const p of parts) n += (await tok.encode(p, null, { addSpecialTokens: false })).getIds().length;
      const d = Number(process.hrtime.bigint() - t0) / 1e9;
      if (d < best) best = d;
    }
    console.log(`RESULT ${file} ${label} encode ${(bytes / best / 1e6).toFixed(2)} ${n}`);
  }
}
