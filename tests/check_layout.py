#!/usr/bin/env python3
"""check_layout: the layer rule of lib/ (lib/base/base.h states it), checked on the includes.

    python3 tests/check_layout.py [ROOT]      (ROOT: the repository, default: this one)

Fails (exit 1, one line per problem) when
  - a .c file sits directly in lib/ (only the public header tokscope.h does);
  - a file includes a header of a higher layer, or of another format;
  - an include names no file (library includes are written from lib/: "base/base.h");
  - includes form a circle, between files or between folders;
  - a cli/ file includes anything of the library but the public header.
"""
import os
import re
import sys

LAYERS = ["base", "text", "vocab", "split", "algo", "core", "formats", "registry", "api",
          "template", "chat"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    """('formats', 'hf') for lib/formats/hf/..., ('core', None) for lib/core/..."""
    parts = rel.split("/")
    if parts[0] == "formats":
        return ("formats", parts[1] if len(parts) > 2 else None)
    return (parts[0], None)


def sources(root, top):
    for d, _, files in os.walk(os.path.join(root, top)):
        if "node_modules" in d:
            continue
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(d, f), root)


def find_cycle(graph):
    """A list of nodes forming a circle in graph (dict node -> set), or None."""
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def check(root):
    problems = []
    lib = os.path.join(root, "lib")
    for f in sorted(os.listdir(lib)):
        if f.endswith(".c") or (f.endswith(".h") and f != "tokscope.h"):
            problems.append(f"lib/{f}: only the public header tokscope.h sits in lib/ itself")
    files, folders = {}, {}
    for path in sources(root, "lib"):
        rel = path[len("lib/"):]
        if "/" not in rel:
            continue
        if "/gen/" in rel:  # generators are programs of their own; they include as they like
            continue
        text = open(os.path.join(root, path), encoding="utf-8").read()
        me = layer_of(rel)
        if me[0] not in LAYERS:
            problems.append(f"{path}: lib/{me[0]}/ is not a layer ({', '.join(LAYERS)})")
            continue
        deps = set()
        for inc in INCLUDE.findall(text):
            if inc == "tokscope.h":
                continue
            target = os.path.join(lib, inc)
            if not os.path.isfile(target):
                problems.append(f'{path}: #include "{inc}" names no file under lib/')
                continue
            them = layer_of(inc)
            if them[0] not in LAYERS:
                continue
            if LAYERS.index(them[0]) > LAYERS.index(me[0]):
                problems.append(f'{path}: #include "{inc}" goes up from {me[0]}/ to {them[0]}/')
            elif me[0] == them[0] == "formats" and me[1] != them[1]:
                problems.append(f'{path}: #include "{inc}": a format includes another format')
            deps.add(inc)
            a, b = os.path.dirname(rel), os.path.dirname(inc)
            if a != b:
                folders.setdefault(a, set()).add(b)
        files[rel] = deps
    # circles: a header that (through others) includes itself, or folders that include each other
    headers = {f: {d for d in deps if d.endswith(".h")} for f, deps in files.items()}
    cycle = find_cycle(headers)
    if cycle:
        problems.append("include circle between files: " + " -> ".join(cycle))
    cycle = find_cycle(folders)
    if cycle:
        problems.append("include circle between folders: " + " -> ".join(c + "/" for c in cycle))
    for path in sources(root, "cli"):
        text = open(os.path.join(root, path), encoding="utf-8").read()
        for inc in INCLUDE.findall(text):
            if inc != "tokscope.h" and not os.path.isfile(os.path.join(root, "cli", inc)):
                problems.append(f'{path}: #include "{inc}": the command uses only the public '
                                "header tokscope.h and its own headers")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems = check(root)
    for p in problems:
        print(f"check-layout: {p}", file=sys.stderr)
    if problems:
        return 1
    n = sum(1 for _ in sources(root, "lib"))
    print(f"check-layout: {n} files under lib/, every include points down, no circles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
