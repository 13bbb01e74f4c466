"""tiktoken's API gives the ids of the goldens made by npm tiktoken@1.0.22 (OpenAI's Rust core)
for every built-in encoding, corpus line and special-token mode -- the files the C conformance
test reads (tests/golden/tiktoken, tests/conformance/README.md):

    ordinary  enc.encode_ordinary(text)
    allow     enc.encode(text, allowed_special="all")
    reject    enc.encode(text), or ValueError where tiktoken raises ({"error":"special"})

each through the single-text call and through the batch call, plus decode(encode(x)) == x."""

import json

import pytest

import tokscope

from conftest import GOLDEN, corpus, first_difference, need, read_lines

ENCODINGS = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base",
             "o200k_harmony"]
CORPORA = ["real", "stress"]
_corpora = {}


def lines_of(name):
    if name not in _corpora:
        _corpora[name] = corpus(name)
    return _corpora[name]


def golden(enc, cname, mode):
    path = need(GOLDEN / "tiktoken" / f"{enc}.{cname}.{mode}.jsonl", "committed")
    return [json.loads(line) for line in read_lines(path)]


def call(enc, mode, text):
    if mode == "ordinary":
        return enc.encode_ordinary(text)
    if mode == "allow":
        return enc.encode(text, allowed_special="all")
    return enc.encode(text)


def expected_round_trip(name, mode, text):
    # o200k_harmony spells id 200018 two ways; it decodes as <|endofprompt|>
    if name == "o200k_harmony" and mode == "allow":
        return text.replace("<|reserved_200018|>", "<|endofprompt|>")
    return text


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("cname", CORPORA)
@pytest.mark.parametrize("mode", ["ordinary", "allow", "reject"])
def test_golden(name, cname, mode):
    enc = tokscope.get_encoding(name)
    texts = lines_of(cname)
    want = golden(name, cname, mode)
    assert len(want) == len(texts)
    bad = []
    for i, (text, w) in enumerate(zip(texts, want)):
        try:
            got = call(enc, mode, text)
        except ValueError as e:
            got = {"error": "special"}
            assert "disallowed special token" in str(e)
        if got != w:
            bad.append(i + 1)
            continue
        if isinstance(got, list):
            assert enc.decode_bytes(got) == expected_round_trip(name, mode, text).encode(), i + 1
    if bad:
        i = bad[0] - 1
        w, g = want[i], call(enc, "ordinary", texts[i]) if mode == "ordinary" else None
        pytest.fail(f"{name} {cname} {mode}: {len(bad)} of {len(texts)} lines differ, first "
                    f"line {bad[0]} (golden {str(w)[:80]}, tokscope {str(g)[:80]})")


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("cname", CORPORA)
def test_golden_batches(name, cname):
    """encode_batch / encode_ordinary_batch on the library's threads give the same ids; in
    reject mode the batch raises for the first text tiktoken raises for."""
    enc = tokscope.get_encoding(name)
    texts = lines_of(cname)
    for mode in ("ordinary", "allow", "reject"):
        want = golden(name, cname, mode)
        if mode == "ordinary":
            got = enc.encode_ordinary_batch(texts, num_threads=2)
        elif mode == "allow":
            got = enc.encode_batch(texts, num_threads=2, allowed_special="all")
        else:
            ok = [t for t, w in zip(texts, want) if isinstance(w, list)]
            got = enc.encode_batch(ok, num_threads=2)
            want = [w for w in want if isinstance(w, list)]
            first_bad = next((t for t, w in zip(texts, golden(name, cname, mode))
                              if not isinstance(w, list)), None)
            if first_bad is not None:
                with pytest.raises(ValueError, match="disallowed special token"):
                    enc.encode_batch(texts, num_threads=2)
        assert len(got) == len(want)
        diff = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
        assert not diff, (f"{name} {cname} {mode} batch: {len(diff)} lines differ, first "
                          f"{diff[0] + 1} at token {first_difference(got[diff[0]], want[diff[0]])}")
    arrays = enc.encode_ordinary_batch(texts, num_threads=2, return_array=True)
    assert [list(a) for a in arrays] == golden(name, cname, "ordinary")
