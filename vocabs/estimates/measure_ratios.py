#!/usr/bin/env python3
"""measure_ratios: how many tokens each open tokenizer makes of a text, relative to o200k_base.

    python3 vocabs/estimates/measure_ratios.py --bench DIR --hf DIR [--grok1 FILE]
            [--tokscope PATH] [--out FILE]

The registry estimates a model without a loadable tokenizer as "o200k_base tokens x FACTOR".
This script measures that factor for every tokenizer we *can* load, per kind of text, so the
fallback factors (used when a tokenizer file is missing) and the proxies for closed families
rest on counts instead of guesses. FACTORS.md beside it explains how the numbers are used.

Corpora (the run prints each one's SHA-256, so a rerun can be compared):
  prose, code, multi  the benchmark corpora (--bench: prose.txt, code.txt, multi.txt; 10 MiB
                      each: English fortunes, C headers, Japanese man pages with troff markup)
  mo_LANG             the translated messages (msgstr) of every gettext catalog installed under
                      /usr/share/locale/LANG/LC_MESSAGES, deduplicated, in sorted file order;
                      mo_en is the English source strings (msgid) of the de catalogs. Short UI
                      strings with %s and option names in them: natural language, same genre
                      in every language, but not running prose.
Counts come from tokscope, whose tokenizer.json and .model readers are checked id for id
against tokenizers@0.23.2 and spm_encode by `make test`. Nothing here runs at build or test
time: this is the record of how vocabs/estimates/ratios.tsv was made.
"""
import argparse
import gettext
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

LANGS = ["de", "fr", "es", "ru", "zh_CN", "ja", "ko", "ar", "hi"]
BENCH = ["prose", "code", "multi"]
# registry name (vocabs/models.in.tsv) or role -> tokenizer file under --hf
HF = ["llama3", "qwen2_5", "qwen3", "deepseek_v3", "gemma3", "gemma2", "mistral_nemo", "claude"]


def catalog(path):
    """The msgid -> msgstr dict of one .mo file, or None when Python cannot read it."""
    try:
        with open(path, "rb") as fp:
            return gettext.GNUTranslations(fp)._catalog  # the parsed table; no public accessor
    except Exception:  # gettext raises IndexError, UnicodeDecodeError... on odd headers
        return None


def mo_text(lang, source=False):
    seen, out = set(), []
    for f in sorted(glob.glob(f"/usr/share/locale/{lang}/LC_MESSAGES/*.mo")):
        cat = catalog(f)
        if cat is None:
            continue
        for k in sorted(cat, key=str):
            if k == "":
                continue
            s = (k[0] if isinstance(k, tuple) else k) if source else cat[k]
            if not isinstance(s, str):
                continue
            s = s.strip()
            if len(s) < 2 or s in seen:
                continue
            seen.add(s)
            out.append(s)
    return "\n".join(out) + "\n"


def count(tokscope, args, path):
    r = subprocess.run([tokscope, "count", "--json", *args, path], capture_output=True,
                       text=True, check=True)
    first = json.loads(r.stdout.splitlines()[0])
    return list(first["tokens"].values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--hf", required=True)
    ap.add_argument("--grok1", help="tokenizer.model of xai-org/grok-1")
    ap.add_argument("--tokscope", default="build/tokscope")
    ap.add_argument("--out", default="-")
    a = ap.parse_args()

    names = ["o200k_base", "cl100k_base"] + HF
    targs = ["-e", "o200k_base", "-e", "cl100k_base"]
    for n in HF:
        targs += ["-t", os.path.join(a.hf, n, "tokenizer.json")]
    if a.grok1:
        names.append("grok1")
        targs += ["-t", a.grok1]

    with tempfile.TemporaryDirectory() as tmp:
        corpora = [(n, os.path.join(a.bench, n + ".txt")) for n in BENCH]
        for lang, src in [("en", True)] + [(l, False) for l in LANGS]:
            p = os.path.join(tmp, f"mo_{lang}.txt")
            with open(p, "w", encoding="utf-8") as f:
                f.write(mo_text("de" if src else lang, source=src))
            corpora.append((f"mo_{lang}", p))

        rows = []
        for name, path in corpora:
            data = open(path, "rb").read()
            rows.append((name, len(data), hashlib.sha256(data).hexdigest(),
                         count(a.tokscope, targs, path)))

    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    out.write("# tokens of each tokenizer / o200k_base tokens, per corpus; made by "
              "measure_ratios.py (see its docstring)\n")
    out.write("\t".join(["corpus", "bytes", "sha256", "o200k_tokens"] + names[1:]) + "\n")
    for name, size, sha, c in rows:
        out.write("\t".join([name, str(size), sha, str(c[0])] +
                            [f"{x / c[0]:.3f}" for x in c[1:]]) + "\n")
    # prose + code together: the point factor of a text-and-code workload
    pc = [r for r in rows if r[0] in ("prose", "code")]
    tot = [sum(r[3][i] for r in pc) for i in range(len(names))]
    out.write("\t".join(["prose+code", str(sum(r[1] for r in pc)), "-", str(tot[0])] +
                        [f"{x / tot[0]:.3f}" for x in tot[1:]]) + "\n")
    out.write("# raw counts\n")
    for name, _, _, c in rows:
        out.write("\t".join(["#", name] + [f"{n}={x}" for n, x in zip(names, c)]) + "\n")


if __name__ == "__main__":
    main()
