"""Threads: one Encoding or Tokenizer used from many Python threads at once gives the answers
of one thread, batches equal item-by-item calls, and the GIL is released while the library
works -- shown without any timing: a tokenizer is opened from a named pipe in one thread while
another thread writes the pipe, which deadlocks unless the first released the GIL."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import tokscope
from conftest import corpus, hf_tokenizer_path


def test_shared_objects_across_threads():
    texts = corpus("real") + corpus("stress")[:2000]
    enc = tokscope.get_encoding("o200k_base")
    tok = tokscope.Tokenizer.from_file(hf_tokenizer_path("qwen2_5"))
    want_enc = [enc.encode(t, allowed_special="all") for t in texts]
    want_tok = [tok.encode(t).ids for t in texts]
    want_cnt = [tok.count(t) for t in texts]

    def work(k):
        out = []
        for i in range(k, len(texts), 4):  # each thread a different slice, all at once
            out.append((i, enc.encode(texts[i], allowed_special="all"), tok.encode(texts[i]).ids,
                        tok.count(texts[i])))
        return out

    with ThreadPoolExecutor(4) as pool:
        results = [r for part in pool.map(work, range(4)) for r in part]
    assert len(results) == len(texts)
    for i, e, t, c in results:
        assert e == want_enc[i] and t == want_tok[i] and c == want_cnt[i], i
    # and the batch calls, on the library's threads, from several Python threads at once
    with ThreadPoolExecutor(3) as pool:
        batches = list(pool.map(lambda n: enc.encode_batch(texts, num_threads=n,
                                                           allowed_special="all"), (1, 2, 8)))
    assert all(b == want_enc for b in batches)


def test_gil_released_while_opening(tmp_path):
    """A child process (so that a deadlock cannot hang the tests) opens a registry model whose
    tokenizer file is a FIFO; its main thread writes the file's bytes into the FIFO only while
    the opener thread is blocked inside the library. If the GIL were held, the writer could never
    run: the child would hang and be killed after the timeout below (which only guards against
    the hang; nothing is timed)."""
    (tmp_path / "llama3.1").mkdir()
    fifo = tmp_path / "llama3.1" / "tokenizer.json"
    os.mkfifo(fifo)
    prog = f"""
import threading, tokscope
result = {{}}
def opener():
    result["tok"] = tokscope.Tokenizer.from_model("llama-3.1-8b", tokenizer_dirs=[{str(tmp_path)!r}])
t = threading.Thread(target=opener)
t.start()
data = open({str(hf_tokenizer_path('llama3'))!r}, "rb").read()
with open({str(fifo)!r}, "wb") as f:
    f.write(data)
t.join()
print(result["tok"].encode("Hello world").ids)
"""
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, timeout=120,
                         env=dict(os.environ))
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode().strip() == "[9906, 1917]"
