#!/usr/bin/env python3
"""doctest.py itself: a stale output fails, a right one passes, shape and "..." rules hold.

Usage: doctest_test.py --bin build/tokscope [--hf-dir build/hf]"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def check(readme_text, want_status, args):
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write(readme_text)
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, "doctest.py")] + args + [f.name],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode()
        if p.returncode != want_status:
            sys.exit(f"doctest_test: expected status {want_status}, got {p.returncode} for:\n"
                     f"{readme_text}\n--- output:\n{out}")
    finally:
        os.unlink(f.name)


def block(*lines):
    return "text\n\n```console\n" + "\n".join(lines) + "\n```\n"


def main():
    args = sys.argv[1:]
    check(block("$ tokscope encode -e cl100k_base 'Hello world'", "9906 1917"), 0, args)
    check(block("$ tokscope encode -e cl100k_base 'Hello world'", "9906 1918"), 1, args)
    check(block("$ tokscope encode -e cl100k_base 'Hello world'"), 1, args)  # output not shown
    check(block("$ tokscope count notes.txt      # varies", "   1 notes.txt"), 0, args)
    check(block("$ tokscope count notes.txt      # varies", "   1 other.txt"), 1, args)
    check(block("$ tokscope count notes.txt", "   1 notes.txt"), 1, args)  # no comment: exact
    check(block("$ tokscope encodings", "encoding         vocab  special tokens", "..."), 0, args)
    check(block("$ tokscope encodings", "...", "o200k_base      200019  nothing"), 1, args)
    check(block("$ tokscope decode 99999999", "tokscope: wrong message"), 1, args)
    print("doctest_test: 9 cases behave")


if __name__ == "__main__":
    main()
