"""The documented ways in: `make python`'s package answers the README's one-liner, the
documented pip command installs the package offline (here into a --target directory: the same
build as into a venv), and the type stubs name what the extension has."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import tokscope
from conftest import ROOT

ONE_LINER = ("import tokscope; "
             "print(len(tokscope.get_encoding('o200k_base').encode('hello world')))")


def test_readme_one_liner():
    env = dict(os.environ, PYTHONPATH=str(Path(tokscope.__file__).parent.parent))
    out = subprocess.run([sys.executable, "-c", ONE_LINER], capture_output=True, text=True,
                         env=env, cwd="/", check=True)
    assert out.stdout == "2\n"


def test_pip_install_offline(tmp_path):
    target = tmp_path / "site"
    # a plain build, as a user's: not the make python one, not under make asan's preload, and
    # none of make asan's settings (its compiler flags reach setup.py's make through these)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "TOKSCOPE_BUILD", "LD_PRELOAD", "ASAN_OPTIONS", "MAKEFLAGS",
                        "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "BUILD", "CC", "OPT",
                        "EXTRA_CFLAGS", "LDFLAGS")}
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation",
                    "--no-index", "--target", str(target), "./bindings/python"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    env["PYTHONPATH"] = str(target)
    out = subprocess.run([sys.executable, "-c", ONE_LINER + "; print(tokscope.__file__)"],
                         capture_output=True, text=True, env=env, cwd="/", check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "2" and lines[1].startswith(str(target))
    for name in ("_tokscope.pyi", "py.typed", "dask.py"):
        assert (target / "tokscope" / name).exists()
    assert not (ROOT / "bindings" / "python" / "build").exists()  # nothing left in the sources


def test_stubs_match_the_extension():
    tree = ast.parse((Path(tokscope.__file__).parent / "_tokscope.pyi").read_text())
    ext = tokscope._tokscope
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(ext, node.name)
            if issubclass(cls, BaseException):  # their attributes are set on each instance
                continue
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AnnAssign)):
                    name = item.name if isinstance(item, ast.FunctionDef) else item.target.id
                    if name.startswith("__") and name != "__len__":
                        continue
                    assert hasattr(cls, name), f"{node.name}.{name} is in the stub only"
        elif isinstance(node, ast.FunctionDef):
            assert hasattr(ext, node.name), f"{node.name} is in the stub only"
    for name in dir(ext.EncodingBase) + dir(ext.TokenizerBase):
        if not name.startswith("__"):
            assert name in ast.dump(tree), f"{name} has no stub"
