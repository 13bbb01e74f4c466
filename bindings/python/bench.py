"""Speed of the Python package next to the C library, measured in the same run (make
bench-python). Not a test: numbers vary with the machine and its load; best-of-N timings.

* per call: encode() of a 20-byte string, against tok_encode of it from C (bench_c.c);
  the difference is the binding's overhead per call.
* throughput: MB/s encoding 10 KB documents (the real-text corpus of tests/golden/corpus, cut
  into ~10 KB pieces at line ends) one call per document, as a list of ints and as
  array('I'), against tok_encode from C on the same documents with the same policy;
* parallelism: the same documents split over two Python threads (the GIL is released while
  encoding) and through encode_batch on the library's threads.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# the built package (PYTHONPATH), not the sources beside this script
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
import tokscope  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SHORT = "Hello, world! 12345."  # 20 bytes
assert len(SHORT.encode()) == 20


def documents(target=10_000):
    with open(os.path.join(ROOT, "tests", "golden", "corpus", "real.jsonl"), encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    docs, cur = [], []
    for line in lines:
        cur.append(line)
        if len("\n".join(cur).encode()) >= target:
            docs.append("\n".join(cur))
            cur = []
    return docs


def best(fn, repeat=7):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def per_call(fn, n=200_000):
    def loop():
        for _ in range(n):
            fn(SHORT)
    return best(loop) / n


def two_threads(fn, docs):
    halves = [docs[0::2], docs[1::2]]

    def run():
        ts = [threading.Thread(target=lambda h=h: [fn(d) for d in h]) for h in halves]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return run


def c_bench(exe, tokenizer, docs_file, policy):
    out = subprocess.run([exe, tokenizer, docs_file, SHORT, policy], capture_output=True,
                         check=True, text=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--c-bench", required=True, help="build/bench_python_c")
    ap.add_argument("--hf", default=os.path.join(ROOT, "build", "hf", "llama3", "tokenizer.json"))
    args = ap.parse_args()

    docs = documents()
    raw = [d.encode() for d in docs]
    nbytes = sum(map(len, raw))
    with tempfile.NamedTemporaryFile(suffix=".docs", delete=False) as f:
        for d in raw:
            f.write(struct.pack("<Q", len(d)) + d)
        docs_file = f.name
    print(f"tokscope {tokscope.__version__}, Python {sys.version.split()[0]}; "
          f"{len(docs)} documents of ~10 KB ({nbytes} bytes); short text {SHORT!r} (20 bytes)")
    print(f"{'tokenizer':<14} {'call':<34} {'per call':>9} {'C call':>8} {'overhead':>9}  "
          f"{'MB/s':>7} {'C MB/s':>7} {'ratio':>6}")
    rows = []
    try:
        for name in ("o200k_base", "cl100k_base"):
            enc = tokscope.get_encoding(name)
            c = c_bench(args.c_bench, name, docs_file, "reject")
            c_ord = c_bench(args.c_bench, name, docs_file, "ordinary")
            for label, fn, cres in (
                ("encode(text)", enc.encode, c),
                ("encode(text, return_array=True)", lambda t: enc.encode(t, return_array=True), c),
                ("encode_ordinary(text)", enc.encode_ordinary, c_ord),
            ):
                call = per_call(fn)
                secs = best(lambda: [fn(d) for d in docs])
                rows.append((name, label, call, cres, nbytes / secs / 1e6))
            secs = best(two_threads(enc.encode, docs))
            print_rows(rows)
            rows.clear()
            print(f"{name:<14} {'encode, 2 Python threads':<34} {'':>9} {'':>8} {'':>9}  "
                  f"{nbytes / secs / 1e6:7.1f}")
            for threads in (1, 2):
                secs = best(lambda: enc.encode_ordinary_batch(docs, num_threads=threads))
                print(f"{name:<14} {f'encode_ordinary_batch, {threads} thread' + ('s' if threads > 1 else ''):<34} "
                      f"{'':>9} {'':>8} {'':>9}  {nbytes / secs / 1e6:7.1f}")
        if os.path.exists(args.hf):
            tok = tokscope.Tokenizer.from_file(args.hf)
            c = c_bench(args.c_bench, args.hf, docs_file, "allow")
            for label, fn in (("Tokenizer.encode(t).ids", lambda t: tok.encode(t, offsets=False).ids),
                              ("Tokenizer.count(t)", tok.count)):
                call = per_call(fn)
                secs = best(lambda: [fn(d) for d in docs])
                rows.append(("llama3 (HF)", label, call, c, nbytes / secs / 1e6))
            print_rows(rows)
    finally:
        os.unlink(docs_file)


def print_rows(rows):
    for name, label, call, c, mbps in rows:
        c_call = c["call_ns"] / 1e9
        print(f"{name:<14} {label:<34} {call * 1e6:7.2f}us {c_call * 1e6:6.2f}us "
              f"{(call - c_call) * 1e6:7.2f}us  {mbps:7.1f} {c['mbps']:7.1f} {mbps / c['mbps']:6.2f}")


if __name__ == "__main__":
    main()
