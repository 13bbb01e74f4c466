"""tiktoken's Python API, case by case: the behaviours of tiktoken 0.14's core.py, registry.py
and model.py, and the expectations of its own tests (tests/test_encoding.py, test_offsets.py,
test_pickle.py, test_misc.py), restated here. The special-token subsets are checked against
goldens from npm tiktoken@1.0.22 (golden/special_subsets.jsonl, made by special_goldens.mjs)."""

import json
import pickle
import random
from pathlib import Path

import pytest

import tokscope
from conftest import read_lines


def tiktoken_message(token: str) -> str:
    """core.py's raise_disallowed_special_token message, character for character."""
    return (
        f"Encountered text corresponding to disallowed special token {token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{{token!r}, ...}}`.\n"
        "If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{{token!r}}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )


# ---- the npm tiktoken goldens for allowed_special / disallowed_special ----


def test_special_subsets_against_npm_tiktoken():
    path = Path(__file__).parent / "golden" / "special_subsets.jsonl"
    cases = [json.loads(line) for line in read_lines(path)]
    assert len(cases) > 5000
    bad = []
    for case in cases:
        enc = tokscope.get_encoding(case["enc"])
        allowed = case["allowed"] if case["allowed"] == "all" else set(case["allowed"])
        disallowed = case["disallowed"] if case["disallowed"] == "all" else tuple(case["disallowed"])
        try:
            got = enc.encode(case["text"], allowed_special=allowed, disallowed_special=disallowed)
            if "error" in case or got != case["ids"]:
                bad.append((case, got))
        except ValueError as e:
            if "error" not in case or str(e) != tiktoken_message(case["error"]):
                bad.append((case, str(e)))
        # the batch path cuts texts at allowed special tokens itself: same answers
        try:
            got = enc.encode_batch([case["text"], "x"], allowed_special=allowed,
                                   disallowed_special=disallowed)[0]
            if "error" in case or got != case["ids"]:
                bad.append((case, ("batch", got)))
        except ValueError as e:
            if "error" not in case or str(e) != tiktoken_message(case["error"]):
                bad.append((case, ("batch", str(e))))
    assert not bad, f"{len(bad)} of {len(cases)} cases differ; first: {bad[0]}"


# ---- special tokens, as tiktoken's test_special_token states them ----


def test_special_token_cases():
    enc = tokscope.get_encoding("cl100k_base")
    eot = enc.encode_single_token("<|endoftext|>")
    fip = enc.encode_single_token("<|fim_prefix|>")
    fim = enc.encode_single_token("<|fim_middle|>")
    assert eot == enc.eot_token == 100257

    text = "<|endoftext|> hello <|fim_prefix|>"
    assert eot not in enc.encode(text, disallowed_special=())
    for kw in ({}, {"disallowed_special": "all"}, {"disallowed_special": {"<|endoftext|>"}},
               {"disallowed_special": {"<|fim_prefix|>"}}):
        with pytest.raises(ValueError):
            enc.encode(text, **kw)

    text = "<|endoftext|> hello <|fim_prefix|> there <|fim_middle|>"
    plain = enc.encode(text, disallowed_special=())
    assert not {eot, fip, fim} & set(plain)
    assert {eot, fip, fim} <= set(enc.encode(text, allowed_special="all", disallowed_special=()))
    assert {eot, fip, fim} <= set(enc.encode(text, allowed_special="all"))
    for allowed, present in ((fip, {fip}), (eot, {eot}), (fim, {fim})):
        name = enc.decode([allowed])
        got = set(enc.encode(text, allowed_special={name}, disallowed_special=()))
        assert {eot, fip, fim} & got == present


def test_disallowed_message_and_details():
    enc = tokscope.get_encoding("cl100k_base")
    with pytest.raises(ValueError) as info:
        enc.encode("a <|fim_suffix|> b <|endoftext|>")
    assert str(info.value) == tiktoken_message("<|fim_suffix|>")  # the leftmost one
    assert isinstance(info.value, tokscope.TokscopeError)
    assert info.value.status == "TOK_ESPECIAL" and info.value.offset == 2
    # any string may be disallowed, as tiktoken builds its regex from whatever it is given
    with pytest.raises(ValueError) as info:
        enc.encode("hello world", disallowed_special={"lo w"})
    assert str(info.value) == tiktoken_message("lo w")
    # a str is a collection of characters to tiktoken's frozenset()
    with pytest.raises(ValueError) as info:
        enc.encode("hello", disallowed_special="xyzo")
    assert str(info.value) == tiktoken_message("o")
    # allowed strings that are not special tokens change nothing
    assert enc.encode("<|x|>", allowed_special={"<|x|>"}) == enc.encode_ordinary("<|x|>")
    # o200k_harmony: one id, two texts; each text is its own special token
    h = tokscope.get_encoding("o200k_harmony")
    assert h.encode("<|reserved_200018|>", allowed_special={"<|reserved_200018|>"}) == [200018]
    with pytest.raises(ValueError) as info:
        h.encode("<|reserved_200018|>", allowed_special={"<|endofprompt|>"})
    assert str(info.value) == tiktoken_message("<|reserved_200018|>")
    assert h.encode("<|start|>x<|end|>", allowed_special={"<|start|>", "<|end|>"}) == [
        200006, 87, 200007]


def test_special_argument_types():
    enc = tokscope.get_encoding("gpt2")
    with pytest.raises(TypeError):
        enc.encode("x", allowed_special="<|endoftext|>")  # a str other than "all"
    with pytest.raises(TypeError):
        enc.encode("x", allowed_special={1})
    with pytest.raises(TypeError):
        enc.encode("x", disallowed_special=[1])
    assert enc.encode("<|endoftext|>", disallowed_special=None) == enc.encode_ordinary(
        "<|endoftext|>")  # falsy: no check, as tiktoken's `if disallowed_special:`
    assert enc.encode("<|endoftext|>", allowed_special=frozenset({"<|endoftext|>"})) == [50256]
    assert enc.encode("<|endoftext|>", allowed_special=["<|endoftext|>"]) == [50256]


def test_ordinary_equals_nothing_disallowed():
    rng = random.Random(7)
    alphabet = "ab <|>endoftxt\n😀é_"
    for name in tokscope.list_encoding_names():
        enc = tokscope.get_encoding(name)
        for _ in range(200):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
            assert enc.encode_ordinary(text) == enc.encode(text, disallowed_special=())


# ---- encoding, decoding, single tokens ----


def test_simple():
    gpt2 = tokscope.get_encoding("gpt2")
    assert gpt2.encode("hello world") == [31373, 995]
    assert gpt2.decode([31373, 995]) == "hello world"
    assert gpt2.encode("hello <|endoftext|>", allowed_special="all") == [31373, 220, 50256]
    cl = tokscope.get_encoding("cl100k_base")
    assert cl.encode("hello world") == [15339, 1917]
    assert cl.encode("hello <|endoftext|>", allowed_special="all") == [15339, 220, 100257]
    assert cl.encode(" \x850") == [220, 126, 227, 15]
    assert cl.encode("today\n \n") == [31213, 27907]
    assert cl.encode("today\n  \n") == [31213, 14211]
    assert tokscope.get_encoding("r50k_base").encode("") == []
    assert [gpt2.encode("0" * k) for k in (1, 8, 9, 16, 17)] == [
        [15], [8269], [10535, 830], [25645], [8269, 10535, 830]]
    assert len(tokscope.get_encoding("o200k_base").encode("hello world")) == 2


def test_single_token_round_trip():
    for name in tokscope.list_encoding_names():
        enc = tokscope.get_encoding(name)
        for token in range(10_000):
            assert enc.encode_single_token(enc.decode_single_token_bytes(token)) == token
        assert enc.encode_single_token("<|endoftext|>") == enc.eot_token
    cl = tokscope.get_encoding("cl100k_base")
    with pytest.raises(KeyError) as info:
        cl.encode_single_token("not one token")
    assert info.value.args[0] == b"not one token"  # tiktoken: KeyError(the bytes)
    with pytest.raises(KeyError) as info:
        cl.decode_single_token_bytes(100256)  # unused id between ranks and specials
    assert info.value.args[0] == "100256"
    assert cl.decode_tokens_bytes([15339, 1917]) == [b"hello", b" world"]


def test_decode_errors_and_types():
    enc = tokscope.get_encoding("cl100k_base")
    with pytest.raises(KeyError) as info:
        enc.decode([15339, 100256])
    assert str(info.value) == "Invalid token for decoding: 100256"
    with pytest.raises(KeyError):
        enc.decode_bytes([2**31])
    with pytest.raises(OverflowError):
        enc.decode([-1])
    with pytest.raises(OverflowError):
        enc.decode([2**32])
    with pytest.raises(TypeError):
        enc.decode(["a"])
    with pytest.raises(TypeError):
        enc.decode(b"ab")
    with pytest.raises(TypeError):
        enc.encode(b"hello")
    with pytest.raises(TypeError):
        enc.encode(None)
    with pytest.raises(TypeError):
        enc.encode("x", bogus=1)
    # lossy by default, strict on request
    partial = enc.encode("😀")[:1]
    assert enc.decode(partial) == "\ufffd"
    with pytest.raises(UnicodeDecodeError):
        enc.decode(partial, errors="strict")
    assert enc.decode(partial, errors="ignore") == ""
    # ids from tuples, arrays, numpy
    import array

    import numpy as np

    ids = enc.encode("hello world")
    assert enc.decode(tuple(ids)) == enc.decode(array.array("I", ids)) == "hello world"
    assert enc.decode(np.array(ids, dtype=np.int64)) == "hello world"
    assert enc.decode([np.uint32(15339)]) == "hello"
    assert enc.decode_batch([ids, ids[:1]]) == ["hello world", "hello"]
    assert enc.decode_bytes_batch([ids]) == [b"hello world"]


def test_surrogates_as_tiktoken():
    enc = tokscope.get_encoding("cl100k_base")
    assert enc.encode("👍") == [9468, 239, 235]
    assert enc.encode("\ud83d\udc4d") == [9468, 239, 235]  # a pair becomes its character
    assert enc.encode("\ud83d") == enc.encode("\ufffd")  # a lone one U+FFFD
    assert enc.encode_ordinary("a\udc00b") == enc.encode_ordinary("a\ufffdb")
    assert enc.encode_batch(["\ud83d\udc4d", "\ud800"]) == [[9468, 239, 235], enc.encode("\ufffd")]


def test_decode_with_offsets():
    enc = tokscope.get_encoding("cl100k_base")
    for text, offsets, kw in (
        ("hello world", [0, 5], {}),
        ("hello world<|endoftext|> green cow", [0, 5, 11, 24, 30], {"allowed_special": "all"}),
        ("我非常渴望与人工智能一起工作", [0, 1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13], {}),
        ("நடிகர் சூர்யா", [0, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9, 9, 10, 11, 12, 12], {}),
        (" Ġ除", [0, 1], {}),
    ):
        assert enc.decode_with_offsets(enc.encode(text, **kw)) == (text, offsets)
    with pytest.raises(UnicodeDecodeError):
        enc.decode_with_offsets(enc.encode("😀")[:1])


def test_offsets_against_prefix_decoding():
    """tiktoken's reference for offsets: the common prefix of the text and the decoded prefix
    of the tokens (test_offsets.py), on random token strings."""
    rng = random.Random(11)
    for name in ("cl100k_base", "o200k_base", "p50k_base"):
        enc = tokscope.get_encoding(name)
        for _ in range(300):
            tokens = [rng.randrange(enc.n_vocab) for _ in range(rng.randrange(1, 20))]
            tokens = [t for t in tokens if not enc.is_special_token(t)]
            try:
                text = enc.decode(tokens, errors="ignore")
            except KeyError:
                continue
            tokens = enc.encode(text, allowed_special="all")
            full = enc.decode(tokens, errors="strict")
            want = []
            for i in range(len(tokens)):
                prefix = enc.decode(tokens[:i], errors="ignore")
                k = 0
                while k < len(full) and k < len(prefix) and full[k] == prefix[k]:
                    k += 1
                want.append(k)
            assert enc.decode_with_offsets(tokens)[1] == want


def test_round_trips_and_repetition():
    for name in tokscope.list_encoding_names():
        enc = tokscope.get_encoding(name)
        for value in ("hello", "hello ", " hello  ", "hello world", "请考试我的软件！12345"):
            assert enc.decode(enc.encode(value)) == value
            assert enc.decode(enc.encode_ordinary(value)) == value
        for c in ("^", "0", "a", "'s", " ", "\n"):
            big = c * 10_000
            for v in (big, " " + big, " " + big + "\n"):
                assert enc.decode(enc.encode(v)) == v
    assert tokscope.get_encoding("o200k_base").encode("x" * 1_000_000)


def test_facts():
    enc = tokscope.get_encoding("cl100k_base")
    assert enc.name == "cl100k_base" and repr(enc) == "<Encoding 'cl100k_base'>"
    assert enc.n_vocab == 100277 and enc.max_token_value == 100276
    assert enc.special_tokens_set == {"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>",
                                      "<|fim_suffix|>", "<|endofprompt|>"}
    assert enc._special_tokens["<|endofprompt|>"] == 100276
    assert enc.is_special_token(100257) and not enc.is_special_token(15339)
    assert enc._pat_str.startswith("'(?i:[sdmt]|ll|ve|re)|")
    assert tokscope.get_encoding("gpt2").n_vocab == 50257
    h = tokscope.get_encoding("o200k_harmony")
    assert h.n_vocab == 201088 and len(h.special_tokens_set) == 1091
    values = tokscope.get_encoding("gpt2").token_byte_values()
    assert len(values) == 50256 and values == sorted(values) and b" world" in values
    with pytest.raises(NotImplementedError):
        enc.encode_with_unstable("hello fanta")


def test_encode_to_numpy_and_arrays():
    enc = tokscope.get_encoding("o200k_base")
    text = "hello world " * 100
    arr = enc.encode_to_numpy(text)
    assert arr.dtype.name == "uint32" and arr.tolist() == enc.encode(text)
    a = enc.encode(text, return_array=True)
    assert a.typecode == "I" and a.tolist() == enc.encode(text)
    assert enc.encode_ordinary("", return_array=True).tolist() == []


# ---- the registry functions ----


def test_registry_functions():
    assert tokscope.list_encoding_names() == ["gpt2", "r50k_base", "p50k_base", "p50k_edit",
                                              "cl100k_base", "o200k_base", "o200k_harmony"]
    assert tokscope.get_encoding("cl100k_base") is tokscope.get_encoding("cl100k_base")
    for model, name in (("gpt2", "gpt2"), ("text-davinci-003", "p50k_base"),
                        ("text-davinci-edit-001", "p50k_edit"), ("gpt-3.5-turbo-0301",
                                                                 "cl100k_base"),
                        ("gpt-4", "cl100k_base"), ("gpt-4o", "o200k_base"),
                        ("gpt-oss-120b", "o200k_harmony"), ("gpt-4o-2024-05-13", "o200k_base"),
                        ("ft:gpt-4o:org::id", "o200k_base")):
        assert tokscope.encoding_for_model(model).name == name
        assert tokscope.encoding_name_for_model(model) == name
    with pytest.raises(KeyError) as info:
        tokscope.encoding_for_model("no-such-model")
    assert "no-such-model" in str(info.value)
    with pytest.raises(ValueError) as info:
        tokscope.get_encoding("cl100k")
    assert "cl100k_base" in str(info.value)  # the closest names
    with pytest.raises(ValueError, match="Expected a string in get_encoding"):
        tokscope.get_encoding(5)


# ---- pickling (tiktoken's test_pickle, and more) ----


def test_pickle():
    old = tokscope.get_encoding("r50k_base")
    new = pickle.loads(pickle.dumps(old))
    assert new is old  # registered encodings travel by name
    custom = tokscope.Encoding(
        name="custom_enc",
        pat_str=old._pat_str,
        mergeable_ranks=old._mergeable_ranks,
        special_tokens={"<|pickle|>": 100_000},
    )
    again = pickle.loads(pickle.dumps(custom))
    assert custom.encode("hello world") == again.encode("hello world") == [31373, 995]
    assert custom.encode("<|pickle|>", allowed_special="all") == [100_000]
    assert again.encode("<|pickle|>", allowed_special="all") == [100_000]
    assert again.name == "custom_enc" and again.max_token_value == 100_000


def test_constructor_extends_an_encoding():
    base = tokscope.get_encoding("cl100k_base")
    enc = tokscope.Encoding(
        "cl100k_im",
        pat_str=base._pat_str,
        mergeable_ranks=base._mergeable_ranks,
        special_tokens={**base._special_tokens, "<|im_start|>": 100264, "<|im_end|>": 100265},
    )
    text = "<|im_start|>user\nhello<|im_end|>"
    assert enc.encode(text, allowed_special="all") == [100264, 882, 198, 15339, 100265]
    assert enc.encode_ordinary(text * 3) == base.encode_ordinary(text * 3)
    with pytest.raises(ValueError) as info:
        enc.encode(text)
    assert str(info.value) == tiktoken_message("<|im_start|>")
    with pytest.raises(AssertionError):
        tokscope.Encoding("x", pat_str=base._pat_str, mergeable_ranks={b"a": 0},
                          special_tokens={}, explicit_n_vocab=5)
