"""Speed of the Python package next to the C library, measured in the same run (make
bench-python). Not a test: numbers vary with the machine and its load; best-of-N timings.

* per call: encode() of a 20-byte string, against tok_encode of it from C (bench_c.c);
  the difference is the binding's overhead per call.
* throughput: MB/s encoding 10 KB documents (the real-text corpus of tests/golden/corpus, cut
  into ~10 KB pieces at line ends) one call per document, as a list of ints and as
  array('I'), against tok_encode from C on the same documents with the same policy;
* parallelism: the same documents split over two Python threads (the GIL is released while
  encoding) and through encode_batch on the library's threads (wall time).

Single-thread timings are CPU time of the thread (time.thread_time here,
CLOCK_THREAD_CPUTIME_ID in bench_c.c), best of several rounds with C and Python interleaved:
the development machines are shared and wall time there varies by 2x from one second to the
next.
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


def best(fn, repeat=7, clock=time.thread_time):
    """Best of repeat runs. Single-thread work is timed in CPU time of the calling thread,
    which a busy machine disturbs much less than wall time (the C side does the same); work on
    several threads in wall time."""
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
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
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()

    docs = documents()
    raw = [d.encode() for d in docs]
    nbytes = sum(map(len, raw))
    with tempfile.NamedTemporaryFile(suffix=".docs", delete=False) as f:
        for d in raw:
            f.write(struct.pack("<Q", len(d)) + d)
        docs_file = f.name
    print(f"tokscope {tokscope.__version__}, Python {sys.version.split()[0]}; "
          f"{len(docs)} documents of ~10 KB ({nbytes} bytes); short text {SHORT!r} (20 bytes); "
          f"best of {args.rounds} rounds, C and Python interleaved")

    # (tokenizer, what, Python call, the C run it compares with: (tokenizer, policy))
    cases = []
    for name in ("o200k_base", "cl100k_base"):
        enc = tokscope.get_encoding(name)
        cases += [
            (name, "encode(text)", enc.encode, (name, "reject")),
            (name, "encode(text, return_array=True)",
             lambda t, e=enc: e.encode(t, return_array=True), (name, "reject")),
            (name, "encode_ordinary(text)", enc.encode_ordinary, (name, "ordinary")),
            (name, "encode, 2 Python threads", ("threads", enc.encode), None),
            (name, "encode_ordinary_batch, 1 thread",
             ("batch", lambda ds, e=enc: e.encode_ordinary_batch(ds, num_threads=1)), None),
            (name, "encode_ordinary_batch, 2 threads",
             ("batch", lambda ds, e=enc: e.encode_ordinary_batch(ds, num_threads=2)), None),
        ]
    if os.path.exists(args.hf):
        tok = tokscope.Tokenizer.from_file(args.hf)
        cases += [
            ("llama3 (HF)", "Tokenizer.encode(t, offsets=False).ids",
             lambda t: tok.encode(t, offsets=False).ids, (args.hf, "allow")),
            ("llama3 (HF)", "Tokenizer.count(t)", tok.count, (args.hf, "allow")),
        ]
    c_best, py_best = {}, {}
    try:
        for _ in range(args.rounds):
            for key in {c[3] for c in cases if c[3]}:
                r = c_bench(args.c_bench, key[0], docs_file, key[1])
                old = c_best.get(key)
                c_best[key] = r if not old else {
                    "mbps": max(old["mbps"], r["mbps"]), "call_ns": min(old["call_ns"], r["call_ns"])}
            for i, (_, _, fn, key) in enumerate(cases):
                clock = time.thread_time
                if isinstance(fn, tuple):
                    run = two_threads(fn[1], docs) if fn[0] == "threads" else (lambda f=fn[1]: f(docs))
                    call = None
                    if fn[0] == "threads" or "2 threads" in cases[i][1]:
                        clock = time.perf_counter
                else:
                    run = lambda f=fn: [f(d) for d in docs]  # noqa: E731
                    call = per_call(fn, 50_000)
                secs = best(run, 5, clock)
                old = py_best.get(i)
                py_best[i] = (min(old[0], call) if old and call else call,
                              max(old[1], nbytes / secs / 1e6) if old else nbytes / secs / 1e6)
    finally:
        os.unlink(docs_file)
    print(f"{'tokenizer':<13} {'call':<40} {'per call':>9} {'C call':>8} {'overhead':>9}  "
          f"{'MB/s':>7} {'C MB/s':>7} {'ratio':>6}")
    for i, (name, label, _, key) in enumerate(cases):
        call, mbps = py_best[i]
        if key:
            c = c_best[key]
            c_call = c["call_ns"] / 1e9
            print(f"{name:<13} {label:<40} {call * 1e6:7.2f}us {c_call * 1e6:6.2f}us "
                  f"{(call - c_call) * 1e6:7.2f}us  {mbps:7.1f} {c['mbps']:7.1f} "
                  f"{mbps / c['mbps']:6.2f}")
        else:
            print(f"{name:<13} {label:<40} {'':>9} {'':>8} {'':>9}  {mbps:7.1f}")


if __name__ == "__main__":
    main()
