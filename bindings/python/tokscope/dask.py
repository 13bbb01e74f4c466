"""Token counts and token ids for a corpus on a Dask cluster.

The tokenizer travels to the workers by pickling (a built-in encoding or registry model by name,
a tokenizer file by its bytes) and is sent once per worker as one object of the graph, not once
per task; each task then counts or encodes a whole partition with one library call. Counts are
the library's exact counts (or its estimates, for a Tokenizer with exact == False): summed as
Python ints, they equal a single-process count and the command's `tokscope count` on the same
files with the same options.

    from dask.distributed import Client
    import tokscope, tokscope.dask

    client = Client("tcp://scheduler:8786")              # or a LocalCluster
    tok = tokscope.Tokenizer.from_model("o200k_base")
    result = tokscope.dask.file_counts(paths, tok)      # per file, and the total
    print(result.total, result.files["docs/a.txt"])

    counts = tokscope.dask.count_column(df["text"], tok)  # a dask Series of int64
    ids = tokscope.dask.encode_column(df["text"], tok)    # a dask Series of uint32 arrays

Files are read by the workers: local paths must exist on every worker (a shared file system);
URLs such as s3://bucket/key are opened with fsspec when it is installed.

Options everywhere: special ("allow", "ordinary", "reject", or None for the tokenizer format's
default -- ordinary text for tiktoken encodings, as `tokscope count`), lossy (invalid UTF-8 as
U+FFFD instead of an error), add_special_tokens (BOS/EOS where the file defines them), and
num_threads (library threads inside each task; 1 by default, since Dask already runs tasks in
parallel).
"""

from __future__ import annotations

import os
from typing import Iterable, NamedTuple

import dask
import dask.bag as db

from . import Encoding, Tokenizer, TokscopeError

__all__ = [
    "CorpusCount",
    "count_files",
    "file_counts",
    "count_texts",
    "count_column",
    "encode_texts",
    "encode_column",
    "encode_files",
]


class CorpusCount(NamedTuple):
    """file_counts' answer: tokens per file (in the order given) and their sum."""

    files: dict
    total: int


def as_tokenizer(tokenizer) -> Tokenizer:
    """A Tokenizer from a Tokenizer, a built-in Encoding, or a name or path (Tokenizer(...))."""
    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if isinstance(tokenizer, Encoding):
        if tokenizer._source and tokenizer._source[0] == "encoding":
            return Tokenizer.from_model(tokenizer.name)
        raise TypeError("pass a Tokenizer: only built-in Encodings convert to one")
    if isinstance(tokenizer, (str, os.PathLike)):
        return Tokenizer(tokenizer)
    raise TypeError(f"expected a tokscope Tokenizer, not {type(tokenizer).__name__}")


def _options(special, lossy, add_special_tokens, num_threads):
    return {"special": special, "lossy": lossy, "add_special_tokens": add_special_tokens,
            "num_threads": num_threads}


def _read(path) -> bytes:
    p = os.fspath(path)
    if "://" in p:
        import fsspec

        with fsspec.open(p, "rb") as f:
            return f.read()
    with open(p, "rb") as f:
        return f.read()


def _count_datas(tok, labels, datas, opts):
    try:
        return tok.count_batch(datas, **opts)
    except TokscopeError as e:
        # name the file or row the library's error is about
        label = labels[e.index] if e.index is not None and e.index < len(labels) else "?"
        raise TokscopeError(f"{label}: {e}") from e


def _count_paths(paths, tok, opts):
    paths = list(paths)
    datas = [_read(p) for p in paths]
    return list(zip([os.fspath(p) for p in paths],
                    _count_datas(tok, [os.fspath(p) for p in paths], datas, opts)))


def count_files(paths: Iterable, tokenizer, *, special=None, lossy=False,
                add_special_tokens=False, num_threads=1, files_per_partition=64) -> db.Bag:
    """A lazy dask Bag of (path, tokens), one per file; each task reads and counts
    files_per_partition files. file_counts() computes it."""
    tok = dask.delayed(as_tokenizer(tokenizer), pure=True, traverse=False)
    paths = [os.fspath(p) for p in paths]
    bag = db.from_sequence(paths, partition_size=max(1, files_per_partition))
    return bag.map_partitions(_count_paths, tok,
                              _options(special, lossy, add_special_tokens, num_threads))


def file_counts(paths: Iterable, tokenizer, **options) -> CorpusCount:
    """Count every file on the cluster (the current Dask scheduler: a distributed Client if
    one is active); returns CorpusCount(files={path: tokens}, total=sum)."""
    pairs = count_files(paths, tokenizer, **options).compute()
    files = dict(pairs)
    if len(files) != len(pairs):
        raise ValueError("a path is listed twice: counts per file would be ambiguous")
    return CorpusCount(files, sum(count for _, count in pairs))


def _count_texts(texts, tok, opts):
    texts = list(texts)
    return _count_datas(tok, [f"text {i} of its partition" for i in range(len(texts))],
                        texts, opts)


def count_texts(bag: db.Bag, tokenizer, *, special=None, lossy=False, add_special_tokens=False,
                num_threads=1) -> db.Bag:
    """A Bag of token counts, one per text (str or bytes) of bag; .sum() gives the total."""
    tok = dask.delayed(as_tokenizer(tokenizer), pure=True, traverse=False)
    return bag.map_partitions(_count_texts, tok,
                              _options(special, lossy, add_special_tokens, num_threads))


def _column(frame, column):
    if column is not None:
        return frame[column]
    if hasattr(frame, "columns"):
        raise TypeError("a DataFrame needs column=: the name of its text column")
    return frame


def _count_series(s, tok, opts):
    import pandas as pd

    return pd.Series(_count_texts(s.tolist(), tok, opts), index=s.index, dtype="int64",
                     name=s.name)


def count_column(frame, tokenizer, column=None, *, special=None, lossy=False,
                 add_special_tokens=False, num_threads=1):
    """A dask Series of int64 token counts for a text column (a dask Series, or a dask
    DataFrame and column=); .sum() gives the total. Missing values (None, NaN) are an error,
    not zero tokens: fill them first if they mean empty text."""
    series = _column(frame, column)
    tok = dask.delayed(as_tokenizer(tokenizer), pure=True, traverse=False)
    return series.map_partitions(_count_series, tok,
                                 _options(special, lossy, add_special_tokens, num_threads),
                                 meta=(series.name, "int64"))


def _encode_datas(tok, labels, datas, opts):
    import numpy as np

    try:
        encoded = tok.encode_batch(datas, offsets=False, **opts)
    except TokscopeError as e:
        label = labels[e.index] if e.index is not None and e.index < len(labels) else "?"
        raise TokscopeError(f"{label}: {e}") from e
    # views of the library's arrays (each keeps its Encoded alive); pickled as plain arrays
    return [np.frombuffer(e, dtype=np.uint32) for e in encoded]


def _encode_texts(texts, tok, opts):
    texts = list(texts)
    return _encode_datas(tok, [f"text {i} of its partition" for i in range(len(texts))], texts,
                         opts)


def encode_texts(bag: db.Bag, tokenizer, *, special=None, lossy=False,
                 add_special_tokens=False, num_threads=1) -> db.Bag:
    """A Bag of numpy uint32 id arrays, one per text of bag."""
    tok = dask.delayed(as_tokenizer(tokenizer), pure=True, traverse=False)
    return bag.map_partitions(_encode_texts, tok,
                              _options(special, lossy, add_special_tokens, num_threads))


def _encode_series(s, tok, opts):
    import pandas as pd

    return pd.Series(_encode_texts(s.tolist(), tok, opts), index=s.index, dtype=object,
                     name=s.name)


def encode_column(frame, tokenizer, column=None, *, special=None, lossy=False,
                  add_special_tokens=False, num_threads=1):
    """A dask Series of numpy uint32 id arrays (object dtype), one per row of a text column."""
    series = _column(frame, column)
    tok = dask.delayed(as_tokenizer(tokenizer), pure=True, traverse=False)
    return series.map_partitions(_encode_series, tok,
                                 _options(special, lossy, add_special_tokens, num_threads),
                                 meta=(series.name, "object"))


def _encode_paths(paths, tok, opts):
    paths = [os.fspath(p) for p in paths]
    return list(zip(paths, _encode_datas(tok, paths, [_read(p) for p in paths], opts)))


def encode_files(paths: Iterable, tokenizer, *, special=None, lossy=False,
                 add_special_tokens=False, num_threads=1, files_per_partition=16) -> db.Bag:
    """A Bag of (path, numpy uint32 ids), one per file."""
    tok = dask.delayed(as_tokenizer(tokenizer), pure=True, traverse=False)
    bag = db.from_sequence([os.fspath(p) for p in paths],
                           partition_size=max(1, files_per_partition))
    return bag.map_partitions(_encode_paths, tok,
                              _options(special, lossy, add_special_tokens, num_threads))
