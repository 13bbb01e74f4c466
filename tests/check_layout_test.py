#!/usr/bin/env python3
"""check_layout_test: check_layout.py must pass on this tree and fail on each kind of breach,
made in a copy of lib/ and cli/ (so the checker itself is tested, not assumed)."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHECK = os.path.join(HERE, "check_layout.py")

BREACHES = [
    ("upward include", "lib/base/buf.c", '#include "core/core.h"\n', "goes up"),
    ("a format including another", "lib/formats/spm/normalizer.c",
     '#include "formats/hf/hf.h"\n', "another format"),
    ("a circle between headers", "lib/base/json.h", '#include "base/base.h"\n', None),
    ("a .c file in lib/", "lib/stray.c", "int stray;\n", "only the public header"),
    ("the command including an internal header", "cli/main.c", '#include "core/core.h"\n',
     "public"),
    ("an include naming no file", "lib/text/utf8.c", '#include "text/nothing.h"\n', "names no file"),
]


def run(root):
    return subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)


def main():
    fails = 0
    r = run(ROOT)
    if r.returncode != 0:
        print("check_layout fails on the tree itself:\n" + r.stderr)
        fails += 1
    for name, path, line, want in BREACHES:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(ROOT, "lib"), os.path.join(tmp, "lib"),
                            ignore=shutil.ignore_patterns("node_modules"))
            shutil.copytree(os.path.join(ROOT, "cli"), os.path.join(tmp, "cli"))
            target = os.path.join(tmp, path)
            old = open(target).read() if os.path.exists(target) else ""
            if name == "a circle between headers":
                # json.h <- base.h would be upward-free; make base.h include json.h and json.h
                # include base.h: a circle inside one folder
                b = os.path.join(tmp, "lib/base/base.h")
                open(b, "w").write('#include "base/json.h"\n' + open(b).read())
            open(target, "w").write(line + old)
            r = run(tmp)
            ok = r.returncode != 0 and (want is None or want in r.stderr)
            if name == "a circle between headers":
                ok = ok and "circle" in r.stderr
            print(("ok   " if ok else "FAIL ") + name)
            if not ok:
                print(r.stdout + r.stderr)
                fails += 1
    print(f"check_layout_test: {len(BREACHES) + 1 - fails} passed, {fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
