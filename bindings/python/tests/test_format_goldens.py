"""Tokenizer (every file format) gives the ids, offsets and decoded text of the goldens the C
conformance tests read:

* Hugging Face tokenizer.json (tests/golden/hf, npm tokenizers@0.23.2): for every distinct
  tokenizer and every corpus line -- ids (the default, which matches added tokens as HF does),
  ids_add (add_special_tokens=True) with its offsets, ids_nomatch (special="ordinary"), and
  decode / decode_skip of the golden ids_add. HF's offsets count characters; the goldens hold
  them converted to bytes, so byte_offsets must equal them and offsets (code points, for str
  input) must equal them converted back.
* SentencePiece .model (tests/golden/spm, sentencepiece 0.1.97): ids, byte offsets and decode
  on every corpus, invalid UTF-8 in lossy mode, and count() equal to the number of ids.

Texts go through encode_batch (the library's threads) and, for one corpus per file, through
single encode calls too."""

import os

import pytest

import tokscope
from conftest import GOLDEN, ROOT, corpus, hf_tokenizer_path, need, read_jsonl, read_lines

HF_NAMES = sorted(
    d for d in os.listdir(GOLDEN / "hf") if (GOLDEN / "hf" / d / "specials.jsonl.gz").exists()
)


def hf_corpora(name):
    out = ["specials"]
    if (GOLDEN / "hf" / name / "real.jsonl.gz").exists():
        out += ["real", "stress"]
    return out


def char_index(text: str) -> list:
    """byte offset -> code-point offset, for the byte offsets at character boundaries"""
    index = {}
    b = 0
    for i, ch in enumerate(text):
        index[b] = i
        b += len(ch.encode("utf-8", "surrogatepass"))
    index[b] = len(text)
    return index


def test_hf_tokenizers_listed():
    assert len(HF_NAMES) >= 35, HF_NAMES


@pytest.mark.parametrize("name", HF_NAMES)
def test_hf_goldens(name):
    tok = tokscope.Tokenizer.from_file(hf_tokenizer_path(name))
    assert tok.format == "huggingface"
    for cname in hf_corpora(name):
        if cname == "specials":
            texts = read_jsonl(need(GOLDEN / "hf" / name / "specials.jsonl", "committed"))
        else:
            texts = corpus(cname)
        gold = read_jsonl(GOLDEN / "hf" / name / f"{cname}.jsonl.gz")
        assert len(gold) == len(texts)
        ids = tok.encode_batch(texts, num_threads=2)
        add = tok.encode_batch(texts, add_special_tokens=True, num_threads=2)
        nomatch = tok.encode_batch(texts, special="ordinary", num_threads=2)
        bad = {}
        for i, (text, g) in enumerate(zip(texts, gold)):
            assert "error" not in g
            checks = {
                "ids": ids[i].ids == g["ids"],
                "ids_add": add[i].ids == g["ids_add"],
                "ids_nomatch": nomatch[i].ids == g["ids_nomatch"],
                "decode": tok.decode_bytes(g["ids_add"], skip_special_tokens=False)
                == g["decode"].encode(),
                "decode_skip": tok.decode(g["ids_add"]) == g["decode_skip"],
            }
            if "offsets" in g:
                want = [tuple(s) for s in g["offsets"]]
                checks["byte_offsets"] = add[i].byte_offsets == want
                index = char_index(text)
                checks["offsets"] = add[i].offsets == [(index[a], index[b]) for a, b in want]
            for field, ok in checks.items():
                if not ok:
                    bad.setdefault(field, []).append(i + 1)
        assert not bad, f"{name} {cname}: lines that differ per field: " + ", ".join(
            f"{k} {len(v)} (first line {v[0]})" for k, v in bad.items())
        if cname == "specials":  # the single-text path too
            for text, g in zip(texts, gold):
                assert tok.encode(text).ids == g["ids"]
                assert tok.count(text, add_special_tokens=True) == len(g["ids_add"])


SPM_MODELS = sorted(
    [(p[:-6], GOLDEN / "spm" / "models" / p) for p in os.listdir(GOLDEN / "spm" / "models")
     if p.endswith(".model")]
    + [(d, ROOT / "build" / "spm-npm-models" / f"{d}.model") for d in ("llama2",
                                                                       "albert_30k_clean")]
)
SPM_CORPORA = ["real", "stress", "botchan", "stress_spm", "invalid_utf8"]


def spm_texts(cname):
    if cname in ("real", "stress"):
        return corpus(cname)
    if cname == "invalid_utf8":
        return [bytes.fromhex(line.decode()) for line in
                read_lines(GOLDEN / "spm" / "invalid_utf8.hex")]
    return read_jsonl(GOLDEN / "spm" / f"{cname}.jsonl")


def test_spm_models_listed():
    assert len(SPM_MODELS) == 35


@pytest.mark.parametrize("name,path", SPM_MODELS, ids=[m[0] for m in SPM_MODELS])
def test_spm_goldens(name, path):
    tok = tokscope.Tokenizer.from_file(need(path, "make spm-npm-models"))
    assert tok.format == "sentencepiece"
    for cname in SPM_CORPORA:
        texts = spm_texts(cname)
        gold = read_jsonl(GOLDEN / "spm" / name / f"{cname}.jsonl.gz")
        assert len(gold) == len(texts)
        lossy = cname == "invalid_utf8"
        # a batch raises for its first failing text: the lines sentencepiece fails on go alone
        fails = [i for i, g in enumerate(gold) if "error" in g]
        for i in fails:
            with pytest.raises(tokscope.TokscopeError, match="sentencepiece"):
                tok.encode(texts[i], lossy=lossy)
        if fails:
            with pytest.raises(tokscope.TokscopeError, match=f"batch item {fails[0]}\\)") as info:
                tok.count_batch(texts, lossy=lossy)
            assert info.value.index == fails[0]
        ok = [i for i, g in enumerate(gold) if "error" not in g]
        got = dict(zip(ok, tok.encode_batch([texts[i] for i in ok], lossy=lossy, num_threads=2)))
        counts = dict(zip(ok, tok.count_batch([texts[i] for i in ok], lossy=lossy)))
        bad = {}
        for i in ok:
            g, e = gold[i], got[i]
            spans, end = [], 0
            for k in range(0, len(g["spans"]), 2):  # gap from the previous end, length
                start = end + g["spans"][k]
                end = start + g["spans"][k + 1]
                spans.append((start, end))
            checks = {
                "ids": e.ids == g["ids"],
                "offsets": e.byte_offsets == spans,
                "decode": tok.decode_bytes(e.ids, skip_special_tokens=False) == g["decode"].encode(),
                "count": counts[i] == len(g["ids"]),
            }
            for field, ok in checks.items():
                if not ok:
                    bad.setdefault(field, []).append(i + 1)
        assert not bad, f"{name} {cname}: lines that differ per field: " + ", ".join(
            f"{k} {len(v)} (first line {v[0]})" for k, v in bad.items())
