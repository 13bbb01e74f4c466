#!/usr/bin/env python3
"""check_factors: factors.tsv is well formed and agrees with the registry.

    python3 tests/golden/estimates/check_factors.py [ROOT]   (ROOT: the repository)

Fails (exit 1, one line per problem, naming the line) when a row does not have the eight
columns, a number does not parse, low <= factor <= high does not hold, the proxy is not a
built-in encoding, a model id is not in vocabs/models.in.tsv or sits in two families, a model
the registry estimates (approx column set, not an OpenAI model) has no family, or a row has
no basis or source. A family the registry is to read must not drift from the registry's ids.
"""
import os
import sys

PROXIES = {"o200k_base", "cl100k_base"}  # the built-ins a factor may be taken against


def registry(root):
    """id -> (provider, approx) of vocabs/models.in.tsv."""
    out = {}
    with open(os.path.join(root, "vocabs", "models.in.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            out[c[0]] = (c[1], c[5])
    return out


def check(root):
    problems, seen = [], {}
    reg = registry(root)
    path = os.path.join(root, "tests", "golden", "estimates", "factors.tsv")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            where = f"factors.tsv:{n}"
            c = line.rstrip("\n").split("\t")
            if len(c) != 8:
                problems.append(f"{where}: {len(c)} columns, want 8")
                continue
            family, models, proxy, factor, low, high, basis, source = c
            try:
                fv, lv, hv = float(factor), float(low), float(high)
            except ValueError:
                problems.append(f"{where}: factor/low/high '{factor}' '{low}' '{high}' not numbers")
                continue
            if not (0 < lv <= fv <= hv):
                problems.append(f"{where}: {family}: want 0 < low <= factor <= high, "
                                f"have {low} {factor} {high}")
            if proxy not in PROXIES:
                problems.append(f"{where}: {family}: proxy '{proxy}' is not a built-in encoding")
            if not basis.strip() or not source.strip():
                problems.append(f"{where}: {family}: basis and source are required")
            for m in models.split(","):
                if m not in reg:
                    problems.append(f"{where}: {family}: '{m}' is not in vocabs/models.in.tsv")
                elif m in seen:
                    problems.append(f"{where}: {family}: '{m}' is also in {seen[m]}")
                seen.setdefault(m, family)
    for m, (provider, approx) in sorted(reg.items()):
        if approx != "-" and provider != "openai" and m not in seen:
            problems.append(f"factors.tsv: registry model '{m}' is estimated but has no family")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                               "..", "..", "..")
    problems = check(root)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
