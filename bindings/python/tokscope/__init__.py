"""tokscope: fast, exact tokenizers over libtokscope.

Two APIs over one C library (the GIL is released while it works):

* tiktoken's, with the same semantics -- ``import tokscope as tiktoken`` works for the common
  uses: ``get_encoding``, ``encoding_for_model``, ``list_encoding_names`` and ``Encoding``
  (``encode`` with ``allowed_special`` / ``disallowed_special``, ``encode_ordinary``,
  ``encode_batch``, ``decode`` ...).
* ``Tokenizer`` for every format the library reads -- Hugging Face ``tokenizer.json``,
  SentencePiece ``.model``, ``.tiktoken`` files, built-in encodings and the model registry --
  with ids and offsets, counts, chat counts and exact costs.

Both pickle (by name, or by the bytes of their file), so they travel to worker processes:
see ``tokscope.dask`` for counting and tokenizing a corpus on a Dask cluster.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pickle
import threading
import weakref

from . import _tokscope
from ._tokscope import (
    DecodeStream,
    Encoded,
    TokscopeError,
    TokscopeFileError,
    TokscopeKeyError,
    TokenCounter,
    cost,
    encoding_name_for_model,
    list_encoding_names,
    list_models,
    model_info,
)

__version__ = _tokscope.__version__

__all__ = [
    "Encoding",
    "Tokenizer",
    "Encoded",
    "DecodeStream",
    "TokenCounter",
    "TokscopeError",
    "TokscopeFileError",
    "TokscopeKeyError",
    "get_encoding",
    "encoding_for_model",
    "encoding_name_for_model",
    "list_encoding_names",
    "list_models",
    "model_info",
    "cost",
]

_open_into = _tokscope._open_into


class Encoding(_tokscope.EncodingBase):
    """A tiktoken encoding, with tiktoken's ``Encoding`` API and semantics.

    ``get_encoding(name)`` gives the built-in ones (embedded: no download, no file). The
    constructor takes what tiktoken's does, to build an encoding from ranks, e.g. cl100k_base
    with extra special tokens::

        base = tokscope.get_encoding("cl100k_base")
        enc = tokscope.Encoding("cl100k_im", pat_str=base._pat_str,
                                mergeable_ranks=base._mergeable_ranks,
                                special_tokens={**base._special_tokens, "<|im_start|>": 100264})
    """

    __slots__ = ()

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict,
        special_tokens: dict,
        explicit_n_vocab: int | None = None,
    ):
        max_token_value = max(
            max(mergeable_ranks.values()), max(special_tokens.values(), default=0)
        )
        if explicit_n_vocab:  # tiktoken's checks
            assert len(mergeable_ranks) + len(special_tokens) == explicit_n_vocab
            assert max_token_value == explicit_n_vocab - 1
        data = b"".join(
            base64.b64encode(token) + b" %d\n" % rank
            for token, rank in sorted(mergeable_ranks.items(), key=lambda kv: kv[1])
        )
        # the built-in pattern by name, so the library uses its hand-written splitter
        pattern = _builtin_patterns().get(pat_str, pat_str)
        _open_into(self, "memory", data, name, pattern, dict(special_tokens))
        self.name = name
        self._source = ("ranks", name, pat_str, mergeable_ranks, special_tokens)

    @property
    def _mergeable_ranks(self) -> dict:
        """{token bytes: rank} of the ordinary tokens (built on each access)."""
        ranks = {}
        for token in range(self.n_vocab):
            if self.is_special_token(token):
                continue
            try:
                ranks[self.decode_single_token_bytes(token)] = token
            except KeyError:
                pass
        return ranks

    def encode_to_numpy(self, text, *, allowed_special=frozenset(), disallowed_special="all"):
        """encode(), as a numpy uint32 array (no list of ints is built)."""
        import numpy as np

        ids = self.encode(
            text,
            allowed_special=allowed_special if allowed_special else set(),
            disallowed_special=disallowed_special,
            return_array=True,
        )
        return np.frombuffer(ids, dtype=np.uint32)

    def __reduce__(self):
        return (_reopen, ("Encoding", _pickle_source(self._source)))


class Tokenizer(_tokscope.TokenizerBase):
    """A tokenizer of any format the library reads, with a Hugging Face-style API.

    Open with ``Tokenizer.from_file(path)`` (tokenizer.json, .model, .tiktoken),
    ``Tokenizer.from_bytes(data)``, ``Tokenizer.from_model(name)`` (a built-in encoding, a model
    of the registry, or an OpenAI model name), or ``Tokenizer(name_or_path)``, which picks
    from_file for an existing file or anything that looks like a path (a '/', or a .json,
    .model or .tiktoken name) and from_model otherwise.
    """

    __slots__ = ()

    def __init__(self, name_or_path):
        path = os.fspath(name_or_path)
        looks_like_a_file = os.sep in path or path.endswith((".json", ".model", ".tiktoken"))
        if os.path.isfile(path) or looks_like_a_file:  # a missing file: FileNotFoundError
            _open_file(self, path, None, None)
        else:
            _open_model(self, path, None, False)

    @classmethod
    def from_file(cls, path, *, pattern: str | None = None, special_tokens: dict | None = None):
        """A tokenizer file: tokenizer.json, a SentencePiece .model or a .tiktoken file (the
        format is detected from its content). A .tiktoken file other than OpenAI's four needs
        pattern= (a built-in encoding's name or a regular expression); special_tokens= adds
        {text: id} special tokens to a .tiktoken file."""
        obj = cls.__new__(cls)
        _open_file(obj, os.fspath(path), pattern, special_tokens)
        return obj

    @classmethod
    def from_bytes(
        cls,
        data,
        *,
        label: str | None = None,
        pattern: str | None = None,
        special_tokens: dict | None = None,
    ):
        """A tokenizer file's content (bytes); label names it in error messages."""
        obj = cls.__new__(cls)
        data = bytes(data)
        _open_into(obj, "memory", data, label, pattern, special_tokens)
        obj._source = ("memory", data, label, pattern, special_tokens)
        return obj

    @classmethod
    def from_model(cls, name: str, *, tokenizer_dirs=None, approximate: bool = False):
        """A built-in encoding ("o200k_base"), a model of the registry ("gpt-4o",
        "llama-3.1-8b", "claude-sonnet-4-5"; see list_models()), or an OpenAI model name
        tiktoken knows ("gpt-4-0613").

        A registry model whose tokenizer is a vocabulary (llama-3.1-8b: llama3.1) is looked for
        as NAME.tkz or NAME/tokenizer.json in tokenizer_dirs, then in $TOKSCOPE_TOKENIZER_PATH
        (':'-separated), then in tokscope's data directory (the vocabularies make vocabs builds
        and make install installs), as the command does. A model without a public tokenizer raises, unless approximate=True: then
        exact is False, count() gives the library's estimate and encode() refuses."""
        obj = cls.__new__(cls)
        _open_model(obj, name, tokenizer_dirs, approximate)
        return obj

    def cost(
        self,
        text=None,
        *,
        input_tokens: int | None = None,
        output_tokens: int = 0,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
        calls: int = 1,
        batch: bool = False,
        chat: bool = False,
        prices=None,
    ) -> dict:
        """The exact cost of sending text (or input_tokens) to this tokenizer's registry model,
        as tokscope.cost() computes it, plus input_tokens_exact: False when the count is an
        estimate. chat=True counts text as a chat request (count_chat)."""
        if self.model is None:
            raise TokscopeError(
                "%s is not a registry model: open it with Tokenizer.from_model to price it"
                % self.name
            )
        exact = self.exact
        if text is not None:
            if input_tokens is not None:
                raise TypeError("give text or input_tokens, not both")
            if chat:
                counted = self.count_chat(text)
                input_tokens, exact = counted["total"], exact and counted["exact"]
            else:
                input_tokens = self.count(text)
        if input_tokens is None:
            raise TypeError("cost() needs text or input_tokens")
        result = cost(
            self.model,
            input_tokens,
            output_tokens,
            cached_tokens=cached_tokens,
            cache_write_tokens=cache_write_tokens,
            calls=calls,
            batch=batch,
            prices=prices,
        )
        result["input_tokens_exact"] = exact
        return result

    def __reduce__(self):
        return (_reopen, ("Tokenizer", _pickle_source(self._source)))


# ---- the tiktoken registry functions ----

_lock = threading.RLock()
_encodings: dict[str, Encoding] = {}
_patterns: dict[str, str] = {}


def get_encoding(encoding_name: str) -> Encoding:
    """The built-in encoding of that name ("cl100k_base", "o200k_base", ...), one shared object
    per name as in tiktoken. Unknown names raise TokscopeError (a ValueError) naming the
    closest ones."""
    if not isinstance(encoding_name, str):
        raise ValueError(f"Expected a string in get_encoding, got {type(encoding_name)}")
    enc = _encodings.get(encoding_name)
    if enc is not None:
        return enc
    with _lock:
        enc = _encodings.get(encoding_name)
        if enc is None:
            enc = Encoding.__new__(Encoding)
            _open_into(enc, "encoding", encoding_name)
            enc._source = ("encoding", encoding_name)
            _encodings[encoding_name] = enc
        return enc


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding of an OpenAI model, as tiktoken maps it (exact names, then prefixes).
    Unknown models raise TokscopeKeyError (a KeyError, as in tiktoken)."""
    return get_encoding(encoding_name_for_model(model_name))


def _builtin_patterns() -> dict:
    if not _patterns:
        with _lock:
            for name in list_encoding_names():
                _patterns.setdefault(get_encoding(name)._pat_str, name)
    return _patterns


# ---- opening, and opening again in another process ----


def _file_signature(path: str):
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns)


def _open_file(obj, path, pattern, special_tokens):
    with open(path, "rb") as f:
        signature = os.fstat(f.fileno())
        data = f.read()
    _open_into(obj, "memory", data, path, pattern, special_tokens)
    obj._source = ("file", path, (signature.st_size, signature.st_mtime_ns), pattern,
                   special_tokens)


def _tokenizer_dirs(tokenizer_dirs):
    dirs = [os.fspath(d) for d in (tokenizer_dirs or ())]
    dirs += [d for d in os.environ.get("TOKSCOPE_TOKENIZER_PATH", "").split(":") if d]
    return tuple(dirs)


def _open_model(obj, name, tokenizer_dirs, approximate):
    if not isinstance(name, str):
        raise TypeError(f"model name must be str, not {type(name).__name__}")
    if name in list_encoding_names():
        _open_into(obj, "encoding", name)
        obj._source = ("encoding", name)
        return
    dirs = _tokenizer_dirs(tokenizer_dirs)
    _open_into(obj, "registry", name, dirs, bool(approximate))
    source = ("registry", name, dirs, bool(approximate))
    if obj.model is not None and obj.exact:
        # a tokenizer file found in a directory (the library's rule: DIR/NAME, in order)
        # travels by its bytes, so workers need no copy of the directories
        info = model_info(obj.model)
        if info["tokenizer"] and not info["tokenizer_builtin"]:
            for d in dirs:
                path = os.path.join(d, info["tokenizer"])
                if os.path.isfile(path):
                    source = ("registry_file", name, path, _file_signature(path))
                    break
    obj._source = source


def _pickle_source(source):
    """What to pickle for a source: files are sent by their bytes, checked unchanged."""
    if source is None:
        raise pickle.PicklingError("this tokenizer object was never opened")
    kind = source[0]
    if kind in ("file", "registry_file"):
        path, signature = source[2 if kind == "registry_file" else 1], source[3 if kind ==
                                                                              "registry_file" else 2]
        with open(path, "rb") as f:
            now = os.fstat(f.fileno())
            data = f.read()
        if (now.st_size, now.st_mtime_ns) != signature:
            raise pickle.PicklingError(
                f"{path} changed since it was loaded; pickling it now would not give the same "
                "tokenizer (open it again first)"
            )
        if kind == "file":
            return ("memory", data, path, source[3], source[4])
        return ("registry_memory", source[1], data, path)
    return source


# Reopened from bytes, the same tokenizer is shared while it lives: a worker that unpickles it
# for every task opens it once.
_reopened: "weakref.WeakValueDictionary" = weakref.WeakValueDictionary()


def _reopen(cls_name: str, source):
    kind = source[0]
    if cls_name == "Encoding":
        if kind == "encoding":
            return get_encoding(source[1])
        if kind == "ranks":
            _, name, pat_str, ranks, specials = source
            return Encoding(name, pat_str=pat_str, mergeable_ranks=ranks, special_tokens=specials)
        raise pickle.UnpicklingError(f"unknown Encoding source {kind!r}")
    if cls_name != "Tokenizer":
        raise pickle.UnpicklingError(f"unknown tokscope class {cls_name!r}")
    key = None
    if kind in ("memory", "registry_memory"):
        data = source[1] if kind == "memory" else source[2]
        rest = source[2:] if kind == "memory" else (source[1], source[3])
        key = (kind, hashlib.sha256(data).digest(), repr(rest))
        with _lock:
            tok = _reopened.get(key)
        if tok is not None:
            return tok
    tok = Tokenizer.__new__(Tokenizer)
    if kind == "encoding":
        _open_into(tok, "encoding", source[1])
    elif kind == "registry":
        _open_into(tok, "registry", source[1], tuple(source[2]), source[3])
    elif kind == "memory":
        _open_into(tok, "memory", source[1], source[2], source[3], source[4])
    elif kind == "registry_memory":
        _open_into(tok, "registry_memory", source[1], source[2], source[3])
    else:
        raise pickle.UnpicklingError(f"unknown Tokenizer source {kind!r}")
    tok._source = source
    if key is not None:
        with _lock:
            _reopened[key] = tok
    return tok
