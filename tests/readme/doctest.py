#!/usr/bin/env python3
"""README examples are tests: run every ```console block of README.md and compare its output.

Each block runs in a fresh copy of the fixtures (tests/readme/fixtures/, plus the repository's
LICENSE and README.md and reference tokenizer files from the build), with the tokscope under
test first on PATH. A line starting with "$ " is a command (run by bash); the lines after it,
up to the next command, are what it prints, standard output and standard error together as a
terminal shows them. Rules for the expected text:

  - A line "..." stands for any number of lines (output left out of the README).
  - A command whose comment says its output varies ("# counts vary with the file") is checked
    for shape: any number where the README shows one, any run of spaces where it shows one.
  - Everything else must match exactly.

Usage: doctest.py --bin build/tokscope [--hf-dir build/hf] [--fix] [README.md]
  --fix rewrites the README's expected outputs from what the commands print (for a maintainer
  to review with git diff; the test itself never rewrites).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Files the README's commands use that are too large to commit here: copied from the build.
BUILD_FILES = {
    "llama3/tokenizer.json": "{hf}/llama3/tokenizer.json",
    "mistral-7b/tokenizer.json": "{hf}/mistral_7b/tokenizer.json",
    "test_model.model": "{root}/tests/golden/spm/models/test_model.model",
    "LICENSE": "{root}/LICENSE",
    "README.md": "{readme}",
}


def blocks(text):
    """(first line number, [lines]) of every ```console block."""
    out, cur, start = [], None, 0
    for n, line in enumerate(text.split("\n"), 1):
        if cur is None and line.strip() == "```console":
            cur, start = [], n + 1
        elif cur is not None and line.strip() == "```":
            out.append((start, cur))
            cur = None
        elif cur is not None:
            cur.append(line)
    if cur is not None:
        sys.exit(f"README.md:{start}: a ```console block is not closed")
    return out


def commands(start, lines):
    """[(line number, command, [expected lines])] of a block."""
    # Leading spaces: blocks inside list items are indented.
    indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    items = []
    for i, raw in enumerate(lines):
        line = raw[indent:] if raw[:indent].strip() == "" else raw
        if line.startswith("$ "):
            items.append((start + i, line[2:], []))
        elif not items:
            sys.exit(f"README.md:{start + i}: a console block must start with a '$ ' command")
        else:
            items[-1][2].append(line)
    return items


def varies(cmd):
    m = re.search(r"\s#\s(.*)$", cmd)
    return bool(m and re.search(r"\bvar(y|ies)\b", m.group(1)))


def pattern(expected, shape):
    parts = []
    for line in expected:
        if line == "...":
            parts.append(None)
            continue
        if shape:
            p = ""
            for tok in re.split(r"(\d+(?:\.\d+)?| +)", line):
                if not tok:
                    continue
                if tok[0].isdigit():
                    p += r"\d+(?:\.\d+)?"
                elif tok[0] == " ":
                    p += " +"
                else:
                    p += re.escape(tok)
            parts.append(p)
        else:
            parts.append(re.escape(line))
    rx = ""
    for i, p in enumerate(parts):
        if p is None:
            rx += r"(?:[^\n]*\n)*?"
        else:
            rx += p + (r"\n" if i + 1 < len(parts) else "")
    if parts and parts[-1] is None:
        rx += r"[^\n]*"
    return re.compile(rx + r"\Z")


def fixture_dir(args, readme):
    d = tempfile.mkdtemp(prefix="tokscope-readme-")
    shutil.copytree(os.path.join(HERE, "fixtures"), d, dirs_exist_ok=True)
    for dst, src in BUILD_FILES.items():
        src = src.format(hf=args.hf_dir, root=ROOT, readme=readme)
        os.makedirs(os.path.dirname(os.path.join(d, dst)) or d, exist_ok=True)
        shutil.copy(src, os.path.join(d, dst))
    os.makedirs(os.path.join(d, "home"), exist_ok=True)
    return d


def run(cmd, cwd, env):
    # Both streams into one pipe, as a terminal shows them: tokscope flushes its standard
    # output before each message on standard error.
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    return p.stdout.decode("utf-8", "replace").rstrip("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--hf-dir", default=os.path.join(ROOT, "build", "hf"))
    ap.add_argument("--fix", action="store_true")
    ap.add_argument("readme", nargs="?", default=os.path.join(ROOT, "README.md"))
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    readme = os.path.abspath(args.readme)
    text = open(readme, encoding="utf-8").read()

    bindir = tempfile.mkdtemp(prefix="tokscope-bin-")
    os.symlink(binary, os.path.join(bindir, "tokscope"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TOKSCOPE_") and k not in ("NO_COLOR", "HF_HOME", "COLUMNS")}
    env.update(PATH=bindir + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
               LC_ALL="C.UTF-8", TERM="dumb")

    failed = ran = 0
    fixes = {}  # line number of a command -> its actual output lines
    for start, lines in blocks(text):
        d = fixture_dir(args, readme)
        env["HOME"] = os.path.join(d, "home")
        try:
            for line_no, cmd, expected in commands(start, lines):
                ran += 1
                actual = run(cmd, d, env)
                shape = varies(cmd)
                if pattern(expected, shape).match(actual):
                    continue
                if args.fix and not shape and "..." not in expected:
                    fixes[line_no] = (len(expected), actual.split("\n") if actual else [])
                    continue
                failed += 1
                print(f"README.md:{line_no}: $ {cmd}")
                print("  expected" + (" (shape)" if shape else "") + ":")
                print("".join(f"    {l}\n" for l in expected), end="")
                print("  got:")
                print("".join(f"    {l}\n" for l in actual.split("\n")), end="")
        finally:
            shutil.rmtree(d)
    shutil.rmtree(bindir)

    if fixes:
        out, skip = [], 0
        src = text.split("\n")
        for n, line in enumerate(src, 1):
            if skip:
                skip -= 1
                continue
            out.append(line)
            if n in fixes:
                old, new = fixes[n]
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(indent + l if l else l for l in new)
                skip = old
        open(readme, "w", encoding="utf-8").write("\n".join(out))
        print(f"README.md: {len(fixes)} outputs rewritten; review them with git diff")
    print(f"README examples: {ran} commands in {len(blocks(text))} console blocks, "
          f"{ran - failed - len(fixes)} match, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
