"""Shared paths and readers for the tokscope Python tests (run by `make test-python`).

The tests compare against the goldens the C tests use (tests/golden/); they never regenerate.
Everything they need is built or fetched by make first; nothing missing is skipped: a missing
file fails the test that needs it, naming the make target that provides it.
"""

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden"


def root_path(p) -> Path:
    p = Path(p)
    return p if p.is_absolute() else ROOT / p


HF_DIR = root_path(os.environ.get("TOK_HF_DIR") or "build/hf")
TOKSCOPE_BIN = root_path(os.environ.get("TOKSCOPE_BIN") or "build/tokscope")


def run_cli(args, **kw):
    """Run the command (make's build of it). Under make asan the tests preload the sanitizer
    runtime for the interpreter; the command links its own, so it runs without the preload."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    return subprocess.run([str(need(TOKSCOPE_BIN, "make")), *map(str, args)], env=env,
                          capture_output=True, check=True, **kw)


def need(path: Path, how: str) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing ({how})")
    return path


def read_lines(path: Path) -> list[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def read_jsonl(path: Path) -> list:
    return [json.loads(line) for line in read_lines(path)]


def corpus(name: str) -> list[str]:
    return read_jsonl(need(GOLDEN / "corpus" / f"{name}.jsonl", "committed"))


def hf_tokenizer_path(name: str) -> Path:
    p = HF_DIR / name / "tokenizer.json"
    if p.exists():
        return p
    return need(GOLDEN / "hf" / "tokenizers" / name / "tokenizer.json", "make hf-vocabs")


def first_difference(a, b) -> int:
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    return k
