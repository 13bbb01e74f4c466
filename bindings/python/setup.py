"""Build the tokscope Python package: the C extension tokscope._tokscope over libtokscope.

The extension uses only the library's public header (lib/tokscope.h) and links its static
library, which make builds: this script runs `make build/libtokscope.a` in the repository and
reads the link flags of the library's dependencies from build/deps.mk (written by make from
pkg-config). `make python` runs this script with TOKSCOPE_BUILD set, having built the library.

Install from the repository root (offline; Debian: python3-dev, python3-setuptools, python3-pip):

    python3 -m pip install --no-build-isolation ./bindings/python
"""

import glob
import os
import shlex
import subprocess
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("TOKSCOPE_BUILD") or os.path.join(ROOT, "build")
LIB = os.path.join(BUILD, "libtokscope.a")
os.chdir(HERE)  # setuptools wants source paths relative to this directory
os.makedirs(os.path.join(BUILD, "python-pip"), exist_ok=True)


def library():
    """build/libtokscope.a and the link flags of its dependencies, from make."""
    if not os.environ.get("TOKSCOPE_BUILD"):  # not called from make: let make build it
        make = os.environ.get("MAKE", "make")
        rc = subprocess.call([make, "-C", ROOT, "build/libtokscope.a"])
        if rc != 0:
            sys.exit("tokscope: `make build/libtokscope.a` failed in %s" % ROOT)
    libs = []
    with open(os.path.join(BUILD, "deps.mk")) as f:
        for line in f:
            if line.startswith("DEP_LIBS :="):
                libs = shlex.split(line.split(":=", 1)[1])
    if not os.path.exists(LIB) or not libs:
        sys.exit("tokscope: %s or the DEP_LIBS of %s/deps.mk is missing" % (LIB, BUILD))
    return libs


def flags():
    warn = ["-std=c11", "-Wall", "-Wextra", "-Wshadow", "-Wstrict-prototypes",
            "-Wmissing-prototypes", "-Wno-unused-parameter", "-Wno-missing-field-initializers",
            "-fvisibility=hidden"]
    if os.environ.get("WERROR") == "1":
        warn.append("-Werror")
    return warn + shlex.split(os.environ.get("EXTRA_CFLAGS", ""))


building = not any(a in sys.argv for a in ("egg_info", "dist_info", "sdist", "--help", "clean"))
dep_libs = library() if building else []

setup(
    name="tokscope",
    version="0.1.0",
    description="Fast exact tokenizers (tiktoken, Hugging Face, SentencePiece) -- "
                "a drop-in for tiktoken's API, over libtokscope",
    license="MIT",
    python_requires=">=3.9",
    packages=["tokscope"],
    package_data={"tokscope": ["py.typed", "*.pyi"]},
    ext_modules=[
        Extension(
            "tokscope._tokscope",
            sources=sorted(glob.glob(os.path.join("src", "*.c"))),
            depends=glob.glob(os.path.join("src", "*.h"))
            + [os.path.join(ROOT, "lib", "tokscope.h"), LIB],
            include_dirs=[os.path.join(ROOT, "lib")],
            extra_compile_args=flags(),
            extra_objects=[LIB],
            # the library's own symbols stay inside the extension
            extra_link_args=dep_libs + ["-Wl,--exclude-libs,ALL"],
        )
    ],
    zip_safe=False,
    # pip builds in the source tree: keep its intermediate files under build/ with make's
    options={"build": {"build_base": os.path.join(BUILD, "python-pip")},
             "egg_info": {"egg_base": os.path.join(BUILD, "python-pip")}},
)
