"""Tokenizer: opening every way, encode / count / decode options, Encoded, chat counts, costs,
pickling, and bad input -- wrong types, invalid UTF-8, unknown names, broken files -- raising
clean exceptions that carry the library's message and details."""

import json
import os
import pickle
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import tokscope
from conftest import ROOT, hf_tokenizer_path, run_cli

LLAMA3 = "llama3_1"  # its tokenizer.json adds <|begin_of_text|> (llama3's npm copy does not)
CL100K_FILE = ROOT / "vocabs" / "cl100k_base.tiktoken"


@pytest.fixture(scope="module")
def llama3():
    return tokscope.Tokenizer.from_file(hf_tokenizer_path(LLAMA3))


# ---- opening ----


def test_open_every_way(tmp_path):
    o200k = tokscope.Tokenizer.from_model("o200k_base")
    assert (o200k.format, o200k.model, o200k.exact) == ("tiktoken", None, True)
    gpt4o = tokscope.Tokenizer.from_model("gpt-4o")
    assert (gpt4o.model, gpt4o.model_name, gpt4o.name) == ("gpt-4o", "gpt-4o", "o200k_base")
    assert tokscope.Tokenizer.from_model("openai/GPT-4o-2024-08-06").model == "gpt-4o"
    old = tokscope.Tokenizer.from_model("gpt-4-0613")  # tiktoken's prefix rule, not the registry
    assert old.name == "cl100k_base" and old.model is None and old.model_name == "gpt-4-0613"
    f = tokscope.Tokenizer.from_file(CL100K_FILE)  # OpenAI's file, recognised by its SHA-256
    assert f.encode("hello world").ids == [15339, 1917] and f.special_tokens["<|endoftext|>"]
    b = tokscope.Tokenizer.from_bytes(CL100K_FILE.read_bytes(), label="mine")
    assert b.name == "mine" and b.encode("hello world").ids == [15339, 1917]
    assert tokscope.Tokenizer(str(CL100K_FILE)).encode("x").ids == [87]
    assert tokscope.Tokenizer("gpt-4o").model == "gpt-4o"
    assert tokscope.Tokenizer(Path(hf_tokenizer_path(LLAMA3))).format == "huggingface"
    spm = tokscope.Tokenizer.from_file(ROOT / "tests/golden/spm/models/bpe_llama_like.model")
    assert spm.format == "sentencepiece" and spm.vocab_size > 0


def test_plain_tiktoken_file_needs_a_pattern(tmp_path):
    gpt2 = tokscope.get_encoding("gpt2")
    ranks = {gpt2.decode_single_token_bytes(i): i for i in range(300)}
    import base64

    path = tmp_path / "small.tiktoken"
    path.write_bytes(b"".join(base64.b64encode(k) + b" %d\n" % v for k, v in ranks.items()))
    with pytest.raises(tokscope.TokscopeError, match="split pattern is unknown") as info:
        tokscope.Tokenizer.from_file(path)
    assert info.value.status == "TOK_EFORMAT" and info.value.source == str(path)
    tok = tokscope.Tokenizer.from_file(path, pattern="gpt2", special_tokens={"<|x|>": 300})
    # with only the first 300 ranks "the" stops at "t" + "he"
    assert tok.encode("the").ids == [gpt2.encode_single_token(t) for t in ("t", "he")]
    assert tok.encode("<|x|>", special="allow").ids == [300]
    regex = tokscope.Tokenizer.from_file(path, pattern=r"\S+|\s+")
    assert regex.pattern == r"\S+|\s+"
    with pytest.raises(tokscope.TokscopeError):
        tokscope.Tokenizer.from_file(path, pattern="(unclosed")
    with pytest.raises(ValueError, match="no NUL"):
        tokscope.Tokenizer.from_file(path, pattern="gpt2", special_tokens={"a\0b": 301})


def test_registry_models(tmp_path):
    # the shipped vocabulary (make vocabs): exact, from the data directory
    tok = tokscope.Tokenizer.from_model("llama-3.1-8b")
    assert tok.exact and tok.format == "huggingface" and tok.model == "llama-3.1-8b"
    assert tokscope.Tokenizer.from_model("gemini-2.5-pro").exact
    # without it: an error that says what is missing, or the estimate when asked for
    os.environ["TOKSCOPE_DATA_DIR"] = str(tmp_path / "nothing")
    try:
        with pytest.raises(tokscope.TokscopeError, match="vocabulary llama3.1 is not installed"):
            tokscope.Tokenizer.from_model("llama-3.1-8b", tokenizer_dirs=[tmp_path])
        assert not tokscope.Tokenizer.from_model("llama-3.1-8b", approximate=True).exact
        # a directory holding NAME/tokenizer.json, given or in $TOKSCOPE_TOKENIZER_PATH
        (tmp_path / "llama3.1").mkdir()
        (tmp_path / "llama3.1" / "tokenizer.json").write_bytes(
            (ROOT / "build/hf/llama3_2/tokenizer.json").read_bytes())
        assert tokscope.Tokenizer.from_model("llama-3.1-8b", tokenizer_dirs=[tmp_path]).exact
        os.environ["TOKSCOPE_TOKENIZER_PATH"] = f"/nonexistent:{tmp_path}"
        try:
            assert tokscope.Tokenizer.from_model("llama-3.1-8b").exact
        finally:
            del os.environ["TOKSCOPE_TOKENIZER_PATH"]
    finally:
        del os.environ["TOKSCOPE_DATA_DIR"]
    with pytest.raises(tokscope.TokscopeError, match="approximate=True") as info:
        tokscope.Tokenizer.from_model("claude-sonnet-4-5")
    assert info.value.status == "TOK_EUNSUPPORTED"
    est = tokscope.Tokenizer.from_model("claude-sonnet-4-5", approximate=True)
    assert not est.exact and est.model == "claude-sonnet-4-5"
    exact_count = tokscope.Tokenizer.from_model("o200k_base").count("hello world " * 50)
    assert est.count("hello world " * 50) == -(-exact_count * 12 // 10)  # x1.20, rounded up
    assert est.count_batch(["hello world " * 50]) == [est.count("hello world " * 50)]
    with pytest.raises(tokscope.TokscopeError, match="only estimates"):
        est.encode("x")
    with pytest.raises(KeyError, match="closest"):
        tokscope.Tokenizer.from_model("no-such-model-at-all")
    with pytest.raises(TypeError):
        tokscope.Tokenizer.from_model(5)


# ---- encode, count, decode ----


def test_encode_options(llama3):
    text = "Hello wörld <|begin_of_text|>!"
    default = llama3.encode(text)
    assert default.ids[-2:] == [128000, 0] and default.ids == llama3.encode(text, special="allow").ids
    ordinary = llama3.encode(text, special="ordinary")
    assert 128000 not in ordinary.ids
    with pytest.raises(tokscope.TokscopeError, match="not allowed") as info:
        llama3.encode(text, special="reject")
    assert info.value.status == "TOK_ESPECIAL" and info.value.offset == len("Hello wörld ".encode())
    added = llama3.encode("Hi", add_special_tokens=True)
    assert added.ids[0] == 128000 and added.offsets[0] == (0, 0)
    assert llama3.encode("Hi", True).ids == added.ids  # positional, as Hugging Face's
    assert llama3.count(text) == len(default) and llama3.count(text, add_special_tokens=True) == len(
        default) + 1
    with pytest.raises(ValueError, match="special must be"):
        llama3.encode("x", special="all")
    # the tiktoken-format default is ordinary text, as the command's
    assert tokscope.Tokenizer.from_model("gpt2").encode("<|endoftext|>").ids != [50256]
    assert tokscope.Tokenizer.from_model("gpt2").encode("<|endoftext|>", special="allow").ids == [50256]


def test_offsets_str_and_bytes(llama3):
    text = "añb 😀 ok"
    e = llama3.encode(text)
    raw = text.encode()
    # Hugging Face's spans fall on character boundaries: offsets are them in code points
    assert e.byte_offsets == [(0, 3), (3, 4), (4, 9), (9, 12)]
    assert e.offsets == [(len(raw[:a].decode()), len(raw[:b].decode())) for a, b in e.byte_offsets]
    assert e.offsets == [(0, 2), (2, 3), (3, 5), (5, 8)]
    eb = llama3.encode(raw)
    assert eb.ids == e.ids and eb.offsets == eb.byte_offsets == e.byte_offsets
    assert llama3.encode(bytearray(raw)).ids == e.ids and llama3.encode(memoryview(raw)).ids == e.ids
    gpt2 = tokscope.Tokenizer.from_file(hf_tokenizer_path("gpt2"))
    emoji = gpt2.encode("😀a")  # Hugging Face: [[0,1],[0,1],[1,2]] in characters
    assert emoji.offsets == [(0, 1), (0, 1), (1, 2)]
    assert emoji.byte_offsets == [(0, 4), (0, 4), (4, 5)]
    # a span that starts or ends inside a character (tiktoken splits 😀 into byte tokens)
    parts = tokscope.Tokenizer.from_model("cl100k_base").encode("x😀")
    assert parts.byte_offsets == [(0, 1), (1, 4), (4, 5)]
    assert parts.offsets == [(0, 1), (1, 2), (1, 2)]  # the character containing each end


def test_encoded_object(llama3):
    import array

    import numpy as np

    e = llama3.encode("Hello world, hello tokens")
    ids = e.ids
    assert len(e) == len(ids) and list(e) == ids and e[0] == ids[0] and e[-1 + len(e)] == ids[-1]
    with pytest.raises(IndexError):
        e[len(e)]
    view = memoryview(e)
    assert view.format == "I" and view.itemsize == 4 and view.readonly and view.tolist() == ids
    assert np.asarray(e).tolist() == ids and np.asarray(e).dtype == np.uint32
    assert e.array == array.array("I", ids)
    assert b"".join(e.token_bytes) == b"Hello world, hello tokens"
    assert repr(e).startswith("Encoded(") and str(len(e)) in repr(e)
    del view
    empty = llama3.encode("")
    assert len(empty) == 0 and empty.ids == [] and memoryview(empty).tolist() == []


def test_decode(llama3):
    ids = llama3.encode("Hi there", add_special_tokens=True).ids
    assert llama3.decode(ids) == "Hi there"  # special tokens skipped by default, as HF
    assert llama3.decode(ids, skip_special_tokens=False) == "<|begin_of_text|>Hi there"
    assert llama3.decode_bytes(ids, False) == b"<|begin_of_text|>Hi there"
    with pytest.raises(KeyError) as info:
        llama3.decode([10**7])
    assert isinstance(info.value, tokscope.TokscopeError) and info.value.status == "TOK_EID"
    assert llama3.token_id("Hello") == 9906 and llama3.token_id(b"Hello") == 9906
    assert llama3.token_id("not-a-token-xyz") is None
    assert llama3.token_bytes(9906) == b"Hello"
    with pytest.raises(KeyError):
        llama3.token_bytes(10**7)


def test_batches(llama3):
    texts = ["one", b"two", "three <|begin_of_text|>", "", "ünïcödé " * 500]
    got = llama3.encode_batch(texts, num_threads=3)
    assert [g.ids for g in got] == [llama3.encode(t).ids for t in texts]
    assert [g.offsets for g in got] == [llama3.encode(t).offsets for t in texts]
    assert llama3.count_batch(texts) == [len(g) for g in got]
    with pytest.raises(tokscope.TokscopeError, match=r"batch item 1\)") as info:
        llama3.count_batch(["ok", b"bad \xff", b"\xfe"])
    assert info.value.index == 1 and info.value.offset == 4
    with pytest.raises(TypeError):
        llama3.encode_batch("not a list")
    with pytest.raises(TypeError):
        llama3.count_batch(["ok", 5])
    with pytest.raises(ValueError):
        llama3.count_batch(["ok"], num_threads=-1)


# ---- bad input ----


def test_bad_input(llama3, tmp_path):
    with pytest.raises(tokscope.TokscopeError) as info:
        llama3.encode(b"abc\xc3(")
    e = info.value
    assert isinstance(e, ValueError) and e.status == "TOK_EUTF8" and e.offset == 3
    assert "invalid UTF-8 at byte 3" in str(e)
    assert llama3.encode(b"abc\xc3(", lossy=True).ids == llama3.encode("abc\ufffd(").ids
    assert llama3.count(b"\xff\xff", lossy=True) == llama3.count("\ufffd\ufffd")
    with pytest.raises(UnicodeEncodeError):  # as Hugging Face; Encoding mirrors tiktoken instead
        llama3.encode("a\ud800b")
    for bad in (5, None, ["a"], 3.5):
        with pytest.raises(TypeError):
            llama3.encode(bad)
        with pytest.raises(TypeError):
            llama3.count(bad)
    with pytest.raises(TypeError):
        llama3.decode("abc")
    with pytest.raises(TypeError):
        llama3.decode([1.5])
    with pytest.raises(TypeError):
        llama3.encode("x", nonsense=True)
    with pytest.raises(TypeError):
        llama3.encode()
    with pytest.raises(FileNotFoundError):
        tokscope.Tokenizer.from_file(tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError):  # a path, not a model name
        tokscope.Tokenizer("models/tokenizer.json")
    with pytest.raises(KeyError, match="unknown model"):
        tokscope.Tokenizer("gpt-4q")
    broken = tmp_path / "broken.json"
    broken.write_text('{"model": {"type": "BPE", "vocab": 5}}')
    with pytest.raises(tokscope.TokscopeError) as info:
        tokscope.Tokenizer.from_file(broken)
    e = info.value
    assert e.source == str(broken) and e.where == "model.vocab" and str(broken) in str(e)
    with pytest.raises(tokscope.TokscopeError) as info:
        tokscope.Tokenizer.from_bytes(b"\x00garbage\xff" * 10, label="blob")
    assert "blob" in str(info.value)
    with pytest.raises(tokscope.TokscopeError):
        tokscope.Tokenizer.from_bytes(b"")
    with pytest.raises(TypeError):
        tokscope.Tokenizer.from_bytes("not bytes")
    # a NUL would cut a name short in C: refused, never matched as another name
    for call in (lambda: tokscope.encoding_for_model("gpt-4o\0x"),
                 lambda: tokscope.Tokenizer.from_model("gpt-4o\0"),
                 lambda: tokscope.cost("gpt-4o\0", 1),
                 lambda: tokscope.Tokenizer.from_bytes(b"{}", label="a\0b"),
                 lambda: tokscope.Tokenizer.from_model("llama-3.1-8b", tokenizer_dirs=["d\0"])):
        with pytest.raises(ValueError, match="NUL"):
            call()


def test_unopened_objects_do_not_crash():
    for cls in (tokscope.Tokenizer, tokscope.Encoding, tokscope._tokscope.TokenizerBase,
                tokscope._tokscope.EncodingBase):
        obj = cls.__new__(cls)
        with pytest.raises(RuntimeError, match="not opened"):
            obj.encode("x")
        with pytest.raises(RuntimeError):
            obj.decode([1])
        assert "not open" in repr(obj)
        with pytest.raises(pickle.PicklingError if cls in (tokscope.Tokenizer, tokscope.Encoding)
                           else TypeError):
            pickle.dumps(obj)
    enc = tokscope.get_encoding("gpt2")
    with pytest.raises(RuntimeError, match="already open"):
        tokscope._tokscope._open_into(enc, "encoding", "gpt2")


# ---- pickling ----


def test_pickle_tokenizers(tmp_path):
    src = tmp_path / "tokenizer.json"
    shutil.copy(hf_tokenizer_path(LLAMA3), src)
    text = "Hello <|begin_of_text|> wörld"
    for tok in (
        tokscope.Tokenizer.from_file(src),
        tokscope.Tokenizer.from_bytes(src.read_bytes(), label="llama3"),
        tokscope.Tokenizer.from_model("gpt-4o"),
        tokscope.Tokenizer.from_model("gpt-4-0613"),
        tokscope.Tokenizer.from_model("llama-3.1-8b", tokenizer_dirs=[ROOT / "build/hf"]),
        tokscope.Tokenizer.from_model("claude-sonnet-4-5", approximate=True),
    ):
        data = pickle.dumps(tok)
        back = pickle.loads(data)
        assert (back.name, back.model, back.model_name, back.exact, back.format) == (
            tok.name, tok.model, tok.model_name, tok.exact, tok.format)
        assert back.count(text) == tok.count(text)
        if tok.exact:
            assert back.encode(text).ids == tok.encode(text).ids
        again = pickle.loads(data)
        if tok._source[0] in ("file", "memory", "registry_file"):
            assert again is back  # one open tokenizer per content while it lives
    # a file that changed after loading is not silently pickled with other content
    tok = tokscope.Tokenizer.from_file(src)
    src.write_bytes(src.read_bytes() + b" ")
    with pytest.raises(pickle.PicklingError, match="changed since it was loaded"):
        pickle.dumps(tok)


def test_pickle_in_a_fresh_process():
    tok = tokscope.Tokenizer.from_file(hf_tokenizer_path("qwen2_5"))
    enc = tokscope.get_encoding("o200k_harmony")
    prog = ("import pickle, sys; tok, enc = pickle.load(sys.stdin.buffer); "
            "print(tok.encode('Hello, 世界').ids, enc.encode('<|start|>hi', allowed_special='all'))")
    out = subprocess.run([sys.executable, "-c", prog], input=pickle.dumps((tok, enc)),
                         capture_output=True, check=True, env=dict(os.environ))
    want = enc.encode("<|start|>hi", allowed_special="all")
    assert want[0] == 200006
    assert out.stdout.decode().strip() == f"{tok.encode('Hello, 世界').ids} {want}"


# ---- chat counts and costs ----

REQUEST = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "name": "bob", "content": "Hello <|endoftext|> there"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "get", "arguments": "{\"x\":1}"}}]},
        {"role": "user", "content": [{"type": "text", "text": "and again"}]},
    ],
}


@pytest.mark.parametrize("how", [("-m", "gpt-4o"), ("-m", "gpt-3.5-turbo-0301"),
                                 ("-m", "gpt-oss-20b"), ("-t", "qwen2_5", "chatml"),
                                 ("-t", "llama3", "llama3")])
def test_count_chat_equals_the_command(how, tmp_path):
    flag, what = how[:2]
    path = tmp_path / "req.json"
    path.write_text(json.dumps(REQUEST))
    extra = []
    if flag == "-m":
        tok, arg = tokscope.Tokenizer.from_model(what), what
    else:
        arg = str(hf_tokenizer_path(what))
        tok = tokscope.Tokenizer.from_file(arg)
        # beside its tokenizer_config.json, the command renders with the model's chat template;
        # count_chat counts by convention, which the command's --template names
        extra = ["--template", how[2]]
    out = run_cli(["chat", "--json", flag, arg, *extra, path]).stdout
    want = json.loads(out)
    got = tok.count_chat(REQUEST)
    assert got == tok.count_chat(json.dumps(REQUEST)) == tok.count_chat(json.dumps(REQUEST).encode())
    assert (got["total"], got["exact"], got["convention"], got["prefix"], got["reply"]) == (
        want["total"], want["exact"], want["convention"], want["prefix"], want["reply"])
    assert [(m["role"], m["content"], m["overhead"], m["total"]) for m in got["messages"]] == [
        (m["role"], m["content"], m["overhead"], m["tokens"]) for m in want["messages"]]


def test_count_chat_non_ascii():
    tok = tokscope.Tokenizer.from_model("gpt-4o")
    msgs = [{"role": "user", "content": "😀 naïve 世界 \u2028"}]
    got = tok.count_chat(msgs)
    assert got == tok.count_chat(json.dumps(msgs)) == tok.count_chat(json.dumps(msgs, ensure_ascii=False))
    assert got["messages"][0]["content"] == tok.count(msgs[0]["content"])
    with pytest.raises(UnicodeEncodeError):
        tok.count_chat([{"role": "user", "content": "\ud800"}])


def test_count_chat_errors():
    tok = tokscope.Tokenizer.from_model("gpt-4o")
    with pytest.raises(tokscope.TokscopeError) as info:
        tok.count_chat('[{"role": "user", "content": 5}]')
    assert info.value.where == "messages[0].content" and info.value.offset == 29
    assert str(info.value).startswith("messages[0].content: expected a string")
    with pytest.raises(tokscope.TokscopeError):
        tok.count_chat("not json")
    plain = tokscope.Tokenizer.from_file(hf_tokenizer_path("gpt2"))
    with pytest.raises(tokscope.TokscopeError):
        plain.count_chat(REQUEST, convention="llama3")


@pytest.mark.parametrize("model", ["qwen2.5-7b", "qwen3-32b", "llama-3.1-8b", "gemma-3-4b",
                                   "gemini-2.5-flash", "claude-sonnet-4-5", "gpt-oss-20b"])
def test_count_chat_whole_requests_as_the_command(model, tmp_path):
    """The library's request counter, as `tokscope chat -m MODEL --json` runs it: an open
    model's own chat template (from its shipped vocabulary), Gemini's OpenAI-compatible
    endpoint, an estimated model's scaled text, harmony."""
    body = {"messages": [{"role": "system", "content": "You are terse."},
                         {"role": "user", "content": "Hello, 世界! What is 12*13?"}]}
    if model.startswith("gemma"):
        body["messages"] = body["messages"][1:]  # Gemma's template folds a system turn; keep it plain
    path = tmp_path / "req.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    want = json.loads(run_cli(["chat", "--json", "-m", model, path]).stdout)
    tok = tokscope.Tokenizer.from_model(model, approximate=True)
    got = tok.count_chat(body)
    for key in ("total", "total_low", "total_high", "exact", "complete", "api", "convention",
                "prefix", "reply"):
        assert got[key] == want[key], key
    assert {k: v["tokens"] for k, v in got["parts"].items()} == {
        k: v["tokens"] for k, v in want["parts"].items() if v["items"]}
    if model in ("qwen2.5-7b", "qwen3-32b", "llama-3.1-8b", "gemma-3-4b"):
        assert got["convention"] == "template" and got["exact"]
        bare = tok.count_chat(body, add_generation_prompt=False)
        cli = json.loads(run_cli(["chat", "--json", "-m", model, "--no-generation-prompt",
                                  path]).stdout)
        assert bare["total"] == cli["total"] < got["total"]
    if model == "gemini-2.5-flash":
        assert got["convention"] == "gemini" and got["exact"]
    if model == "claude-sonnet-4-5":
        assert not got["exact"] and got["total_low"] < got["total_high"]


def test_count_chat_apis_and_template_vars(tmp_path):
    qwen3 = tokscope.Tokenizer.from_model("qwen3-32b")
    msgs = [{"role": "user", "content": "Think about 2+2."}]
    path = tmp_path / "q.json"
    path.write_text(json.dumps(msgs))
    for flag in ("false", "true"):
        cli = json.loads(run_cli(["chat", "--json", "-m", "qwen3-32b", "--var",
                                  "enable_thinking=" + flag, path]).stdout)
        got = qwen3.count_chat(msgs, template_vars={"enable_thinking": flag == "true"})
        assert got["total"] == cli["total"]
    assert (qwen3.count_chat(msgs, template_vars={"enable_thinking": False})["total"]
            != qwen3.count_chat(msgs)["total"])
    gpt = tokscope.Tokenizer.from_model("gpt-4o")
    anthropic = {"system": "Be brief.", "messages": [{"role": "user", "content": "Hi"}]}
    assert gpt.count_chat(anthropic)["api"] == "anthropic"
    as_openai = gpt.count_chat(anthropic, api="openai")  # "system" is no Chat Completions field
    assert as_openai["api"] == "openai" and not as_openai["complete"]
    assert "does not know" in as_openai["note"]
    with pytest.raises(ValueError, match="api must be"):
        gpt.count_chat(anthropic, api="bedrock")
    with pytest.raises(TypeError, match="template_vars must be a dict"):
        qwen3.count_chat(msgs, template_vars="enable_thinking=false")


def test_costs(tmp_path):
    c = tokscope.cost("gpt-4o", 1_000_000, 1_000_000, calls=3)
    assert c["model"] == "gpt-4o" and c["input"] == Decimal("2.5") and c["output"] == Decimal("10")
    assert c["total"] == Decimal("12.5") and c["total_all_calls"] == Decimal("37.5")
    assert c["fit"]["fits"] is False and c["fit"]["why"]
    cached = tokscope.cost("gpt-4o", 1000, 0, cached_tokens=400)
    assert cached["input"] == Decimal("0.0015") and cached["cached_input"] == Decimal("0.0005")
    unknown = tokscope.cost("gpt-4o", 1000, cache_write_tokens=10)
    assert unknown["cache_write"] is None and unknown["total"] is None  # never a silent zero
    with pytest.raises(tokscope.TokscopeError):
        tokscope.cost("gpt-4o", 10, cached_tokens=20)
    with pytest.raises(KeyError):
        tokscope.cost("no-such-model", 10)
    info = tokscope.model_info("gpt-4o")
    assert info["prices_per_million"]["input"] == Decimal("2.5") and info["max_input"] == 128000
    assert "gpt-4o" in tokscope.list_models() and len(tokscope.list_models()) > 50
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"gpt-4o": {"input_cost_per_token": 0.000001,
                                             "output_cost_per_token": 0.000002,
                                             "litellm_provider": "openai", "mode": "chat"}}))
    assert tokscope.cost("gpt-4o", 1_000_000, prices=[prices])["input"] == Decimal("1")
    assert tokscope.cost("gpt-4o", 1_000_000)["input"] == Decimal("2.5")  # the shared one unchanged
    bad = tmp_path / "bad.json"
    bad.write_text("{ nope")
    with pytest.raises(tokscope.TokscopeError) as info:
        tokscope.cost("gpt-4o", 1, prices=[bad])
    assert str(bad) in str(info.value)
    with pytest.raises(OSError) as info:
        tokscope.cost("gpt-4o", 1, prices=[tmp_path / "missing.json"])
    assert isinstance(info.value, tokscope.TokscopeFileError) and info.value.status == "TOK_ENOENT"
    tok = tokscope.Tokenizer.from_model("gpt-4o")
    priced = tok.cost("hello world", output_tokens=10)
    assert priced["input_tokens"] == 2 and priced["input_tokens_exact"] is True
    est = tokscope.Tokenizer.from_model("claude-sonnet-4-5", approximate=True).cost("hello world")
    assert est["input_tokens_exact"] is False
    chat = tok.cost(REQUEST, chat=True)
    assert chat["input_tokens"] == tok.count_chat(REQUEST)["total"] and not chat["input_tokens_exact"]
    with pytest.raises(tokscope.TokscopeError, match="not a registry model"):
        tokscope.Tokenizer.from_file(hf_tokenizer_path("gpt2")).cost("x")
