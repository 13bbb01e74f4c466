"""The calls for programs that embed a tokenizer (issue 16) through Python: decode_stream(),
count(limit=), truncate() and counter() give what the full operations give -- decode() of all
the ids, count(), the longest prefix within the budget -- on the committed corpora, for a
built-in encoding and one tokenizer of each decoder family (byte-level, Metaspace, WordPiece,
SentencePiece). The C tests (tests/conformance/test_stream.c, test_budget.c) check the library
itself on every golden line of every tokenizer; these check the binding's objects, types,
ownership and errors."""

import random

import pytest

import tokscope
from conftest import GOLDEN, HF_DIR, corpus, hf_tokenizer_path, need

TOKENIZERS = [
    ("cl100k_base", lambda: tokscope.Tokenizer.from_model("cl100k_base")),
    ("llama3", lambda: tokscope.Tokenizer.from_file(hf_tokenizer_path("llama3"))),
    ("mistral_7b", lambda: tokscope.Tokenizer.from_file(hf_tokenizer_path("mistral_7b"))),
    ("bert", lambda: tokscope.Tokenizer.from_file(
        need(GOLDEN / "hf" / "tokenizers" / "gen_wordpiece_bert_uncased" / "tokenizer.json",
             "committed"))),
    ("spm", lambda: tokscope.Tokenizer.from_file(
        need(GOLDEN / "spm" / "models" / "test_model.model", "committed"))),
]


def texts():
    lines = corpus("real")[:60] + corpus("stress")[:60]
    return [t for t in lines if isinstance(t, str)]


@pytest.mark.parametrize("name,make", TOKENIZERS, ids=[n for n, _ in TOKENIZERS])
def test_decode_stream_equals_decode(name, make):
    tok = make()
    rng = random.Random(16)
    for skip in (True, False):
        stream = tok.decode_stream(skip_special_tokens=skip)
        for text in texts():
            ids = list(tok.encode(text, add_special_tokens=True).ids)
            want = tok.decode(ids, skip_special_tokens=skip)
            one = "".join(stream.step([i]) for i in ids) + stream.flush()
            assert one == want, (name, text[:40])
            out, at = [], 0
            while at < len(ids):
                k = rng.randint(0, 7)
                out.append(stream.step(ids[at:at + k]))
                at += k
            out.append(stream.flush())
            assert "".join(out) == want, (name, text[:40])


def test_decode_stream_holds_back_a_split_character():
    tok = tokscope.Tokenizer.from_model("cl100k_base")
    ids = list(tok.encode("🦜").ids)
    assert len(ids) == 3
    stream = tok.decode_stream()
    assert [stream.step([i]) for i in ids] == ["", "", "🦜"]
    assert stream.flush() == ""


def test_decode_stream_prefill_reset_and_errors():
    tok = tokscope.Tokenizer.from_file(hf_tokenizer_path("mistral_7b"))
    prompt = list(tok.encode("Hello").ids)
    reply = list(tok.encode("Hello world").ids)[len(prompt):]  # "▁world"
    stream = tok.decode_stream()
    stream.prefill(prompt)
    assert "".join(stream.step([i]) for i in reply) + stream.flush() == " world"
    with pytest.raises(tokscope.TokscopeError):
        stream.step([tok.vocab_size + 5])
    stream.reset()  # the failed step took nothing; the stream still works
    assert stream.step(reply) + stream.flush() == "world"
    with pytest.raises(TypeError):
        stream.step(["a"])
    del tok  # the stream keeps its tokenizer alive
    assert stream.step(reply) + stream.flush() == "world"


@pytest.mark.parametrize("name,make", TOKENIZERS, ids=[n for n, _ in TOKENIZERS])
def test_count_limit_and_truncate(name, make):
    tok = make()
    for text in texts()[::3]:
        n = tok.count(text)
        for limit in {0, 1, n // 2, max(n - 1, 0), n, n + 1}:
            got = tok.count(text, limit=limit)
            assert got == (n if n <= limit else limit + 1), (name, text[:40], limit)
        for keep in {0, 1, n // 2, n}:
            head = tok.truncate(text, keep)
            assert isinstance(head, str) and text.startswith(head)
            assert tok.count(head) <= keep
            tail = tok.truncate(text, keep, from_end=True)
            assert text.endswith(tail) and tok.count(tail) <= keep
            if keep == n:
                assert head == text and tail == text
        b = text.encode()
        assert tok.truncate(b, n // 2) == tok.truncate(text, n // 2).encode()
    with pytest.raises(TypeError):
        tok.count("abc", limit="3")
    with pytest.raises(OverflowError):
        tok.truncate("abc", -1)


def test_count_limit_reads_only_what_it_needs():
    """Invalid UTF-8 far past the limit is never read: proof that the count stopped early."""
    tok = tokscope.Tokenizer.from_model("cl100k_base")
    text = b"word " * 100000 + b"\xff"
    assert tok.count(text, limit=1000) == 1001
    with pytest.raises(tokscope.TokscopeError):
        tok.count(text)


@pytest.mark.parametrize("name,make", TOKENIZERS, ids=[n for n, _ in TOKENIZERS])
def test_counter_equals_count(name, make):
    tok = make()
    rng = random.Random(7)
    counter = tok.counter()
    # the reference recounts the whole text at every append (and so does a counter for a
    # tokenizer with no cuts): quadratic, so a few kilobytes
    whole = "".join(texts()[:40])[:3000]
    at = 0
    while at < len(whole):
        k = rng.randint(1, 40)
        total = counter.append(whole[at:at + k])
        at += k
        assert total == counter.total == tok.count(whole[:at]), (name, at)
    assert counter.bytes == len(whole.encode())
    counter.reset()
    assert counter.total == tok.count("") and counter.bytes == 0


def test_counter_bytes_split_characters_and_errors():
    tok = tokscope.Tokenizer.from_model("o200k_base")
    counter = tok.counter()
    data = "日本語のテキスト".encode()
    for i in range(len(data)):  # one byte at a time: characters wait for their last byte
        counter.append(data[i:i + 1])
        done = data[:i + 1]
        while done and (done[-1] & 0xC0) == 0x80 or (done and done[-1] >= 0xC0):
            try:
                done.decode()
                break
            except UnicodeDecodeError:
                done = done[:-1]
        assert counter.total == tok.count(done)
    before = counter.total
    with pytest.raises(tokscope.TokscopeError):
        counter.append(b"\xff")
    assert counter.total == before  # as it was
    assert counter.append(" more") == tok.count("日本語のテキスト more")
