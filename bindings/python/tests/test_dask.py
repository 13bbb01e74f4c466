"""tokscope.dask on a real distributed.LocalCluster with two worker processes: per-file counts
and totals equal to the single-process counts and to the command's `tokscope count --json` on
the same files (built-in encoding, a tokenizer.json sent to the workers by its bytes, a
SentencePiece model; special-token policies), the bag and dataframe paths, id arrays, and errors
that name the file."""

import json
import os

import pytest

import tokscope
import tokscope.dask as td
from conftest import ROOT, corpus, hf_tokenizer_path, run_cli

# dask and distributed are required (make python-tools installs them): no importorskip
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster, get_task_stream  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as c:
        pids = set(c.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids  # two real worker processes
        yield c


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    paths = []
    texts = corpus("real") + ["\n".join(corpus("stress")[i:i + 300]) for i in range(0, 6375, 300)]
    texts += ["", "hello <|endoftext|> world <|begin_of_text|> <s> </s>", "😀" * 1000]
    for i, text in enumerate(texts):
        p = d / f"doc{i:04d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))
    return paths


def cli_counts(paths, args):
    out = run_cli(["count", "--json", *args, *paths]).stdout.decode().splitlines()
    rows = [json.loads(line) for line in out]
    per_file = {r["file"]: next(iter(r["tokens"].values())) for r in rows if "file" in r}
    total = next(r for r in rows if r.get("total"))
    return per_file, next(iter(total["tokens"].values()))


CASES = [
    ("o200k_base", ["-e", "o200k_base"], "ordinary"),
    ("o200k_base", ["-e", "o200k_base"], "allow"),
    ("cl100k_base", ["-e", "cl100k_base"], "ordinary"),
    ("llama3", ["-t", "{llama3}"], "ordinary"),
    ("llama3", ["-t", "{llama3}"], "allow"),
    ("spm", ["-t", "{spm}"], "ordinary"),
]


@pytest.mark.parametrize("name,args,special", CASES)
def test_file_counts_equal_the_command(client, files, name, args, special):
    spm = ROOT / "tests" / "golden" / "spm" / "models" / "bpe_llama_like.model"
    llama3 = hf_tokenizer_path("llama3")
    if name == "llama3":
        tok = tokscope.Tokenizer.from_file(llama3)  # travels by its bytes
    elif name == "spm":
        tok = tokscope.Tokenizer.from_file(spm)
    else:
        tok = tokscope.Tokenizer.from_model(name)  # travels by name
    args = [a.format(llama3=llama3, spm=spm) for a in args]
    with get_task_stream(client) as stream:
        result = td.file_counts(files, tok, special=special, files_per_partition=8)
    assert len({t["worker"] for t in stream.data}) == 2  # both workers counted
    single = {p: tok.count(open(p, "rb").read(), special=special) for p in files}
    want_files, want_total = cli_counts(files, args + ["--special", special])
    assert result.files == single == want_files
    assert result.total == sum(single.values()) == want_total
    assert list(result.files) == files


def test_texts_and_columns(client):
    texts = corpus("real") + corpus("stress")[:3000]
    tok = tokscope.Tokenizer.from_file(hf_tokenizer_path("qwen2_5"))
    single = tok.count_batch(texts)
    bag = db.from_sequence(texts, npartitions=7)
    assert td.count_texts(bag, tok).compute() == single
    assert td.count_texts(bag, tok).sum().compute() == sum(single)
    frame = dd.from_pandas(pd.DataFrame({"text": texts, "n": range(len(texts))}), npartitions=5)
    counts = td.count_column(frame, tok, "text")
    assert counts.dtype == "int64" and counts.compute().tolist() == single
    assert int(counts.sum().compute()) == sum(single)
    ids = td.encode_column(frame["text"], tok).compute()
    assert [a.tolist() for a in ids] == [e.ids for e in tok.encode_batch(texts)]
    assert all(a.dtype == "uint32" for a in ids)
    arrays = td.encode_texts(bag, tokscope.get_encoding("o200k_base")).compute()
    enc = tokscope.get_encoding("o200k_base")
    assert [a.tolist() for a in arrays] == enc.encode_ordinary_batch(texts)
    with pytest.raises(TypeError, match="column="):
        td.count_column(frame, tok)


def test_encode_files_and_errors(client, files, tmp_path):
    tok = tokscope.Tokenizer.from_model("gpt-4o")
    got = dict(td.encode_files(files[:40], tok, files_per_partition=5).compute())
    assert {p: a.tolist() for p, a in got.items()} == {
        p: tok.encode(open(p, "rb").read()).ids for p in files[:40]}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine text\nthen \xff invalid")
    with pytest.raises(tokscope.TokscopeError, match=f"{bad}: invalid UTF-8 at byte 15"):
        td.file_counts(files[:3] + [str(bad)], tok)
    lossy = td.file_counts([str(bad)], tok, lossy=True)
    assert lossy.total == tok.count(b"fine text\nthen \xff invalid", lossy=True)
    with pytest.raises(FileNotFoundError):
        td.file_counts([str(tmp_path / "missing.txt")], tok)
    with pytest.raises(ValueError, match="listed twice"):
        td.file_counts([files[0], files[0]], tok)
