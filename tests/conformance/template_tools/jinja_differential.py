#!/usr/bin/python3
"""jinja_differential.py -- random templates rendered by lib/template and by Debian's jinja2 in
transformers' environment (chat_template_ref.py), compared. A development tool that finds
semantic differences (each one found so far became a case in jinja_cases.py); it is not part of
`make test`, and it asserts nothing about time.

  cc -O1 -g -std=c11 -D_GNU_SOURCE -Ilib tests/conformance/template_tools/template_driver.c \\
     build/libtokscope.a $(pkg-config --libs libpcre2-8 libutf8proc libcjson) -lpthread -lm \\
     -o build/template_driver
  /usr/bin/python3 tests/conformance/template_tools/jinja_differential.py SEED COUNT [safe]

The templates mix statements (if/elif/else, for/else with loop filters, set, set blocks, macros,
filter blocks, namespace attributes, comments) under every whitespace-control marker, around
random expressions over a chat-like context; "safe" draws expressions that fail less often.
Outcomes: same text; both failed (any error on each side: only raise_exception messages are
compared by the conformance tests); lib/template refused (TMPL_ERR_UNSUPPORTED) where jinja2
rendered -- allowed, counted; anything else is a DIFF and is printed.
"""

import copy
import json
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
import chat_template_ref as ref  # noqa: E402

CTX = {"q": "ctxq", "x": 3, "y": -2, "f": 2.5, "g": 1e20, "s": " Hé llo\n", "t": "a,b,,c",
       "l": [1, "b", None, 2.5, [3]], "e": [], "d": {"b": 1, "a": "x", "c": [1, 2]}, "n": None,
       "tr": True, "fa": False,
       "msgs": [{"role": "system", "content": "sys"}, {"role": "user", "content": " hi "},
                {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]},
                {"role": "tool", "content": "42"}]}
ATOMS = ["x", "y", "f", "g", "s", "t", "l", "e", "d", "n", "tr", "fa", "msgs", "u", "msgs[0]", "msgs[-1].content",
         "d.a", "d['c']", "l[1]", "l[-1]", "s[1:3]", "l[::-1]", "t.split(',')", "s.strip()", "0", "1", "-1", "2.0",
         "0.1", "1e-5", "''", "'ab'", "' x '", "'é😀'", "'a\\nb'", "none", "true", "false", "[]", "[1, 2]",
         "['b', 'a', 'B']", "{'k': 1}", "(1, 2)", "range(3)", "namespace(a=1)"]
FILTERS = ["length", "count", "first", "last", "list", "string", "trim", "upper", "lower", "title", "capitalize",
           "tojson", "tojson(indent=2)", "tojson(sort_keys=true)", "join(',')", "join", "sort", "sort(reverse=true)",
           "unique", "reverse", "sum", "min", "max", "int", "float", "abs", "round", "round(1)", "default('D')",
           "default('D', true)", "items", "dictsort", "replace('a','z')", "indent(2)", "select", "reject",
           "map('string')", "map(attribute='role')", "selectattr('role')", "rejectattr('content')", "batch(2)",
           "wordcount", "safe"]
TESTS = ["defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence",
         "boolean", "true", "false", "odd", "even", "divisibleby(2)", "eq(1)", "in([1, 2])", "callable", "lower", "upper"]
BINOPS = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"]
SAFE_ATOMS = ["x", "y", "s", "t", "l", "d", "n", "tr", "msgs", "u", "q", "i", "z", "msgs[0].role", "d.a", "'ab'",
              "1", "2.5", "none", "true", "[1, 'a']", "{'k': 'v'}", "ns.v", "loop", "a", "b"]
SAFE_FILTERS = ["length", "string", "trim", "upper", "tojson", "join(',')", "default('D')", "first", "list",
                "items|list", "selectattr('role')|list", "map(attribute='role')|list"]
NAMES = ["ok", "syntax", "unsupported", "raise", "runtime", "limit", "context", "nomem"]


class Gen:
    def __init__(self, seed, safe):
        self.r = random.Random(seed)
        self.safe = safe

    def expr(self, d=0):
        r, R = self.r.random(), self.r
        if self.safe:
            if d > 2 or r < 0.45:
                return R.choice(SAFE_ATOMS)
            if r < 0.65:
                return self.expr(d + 1) + " | " + R.choice(SAFE_FILTERS)
            if r < 0.75:
                return self.expr(d + 1) + " is " + R.choice(["", "not "]) + R.choice(["defined", "none", "string", "mapping", "iterable"])
            if r < 0.9:
                return "(" + self.expr(d + 1) + " " + R.choice(["~", "==", "!=", "and", "or"]) + " " + self.expr(d + 1) + ")"
            return "(" + self.expr(d + 1) + " if " + self.expr(d + 1) + " else " + self.expr(d + 1) + ")"
        if d > 3 or r < 0.3:
            return R.choice(ATOMS)
        if r < 0.5:
            return self.expr(d + 1) + " | " + R.choice(FILTERS)
        if r < 0.6:
            return self.expr(d + 1) + " is " + R.choice(["", "not "]) + R.choice(TESTS)
        if r < 0.8:
            return "(" + self.expr(d + 1) + " " + R.choice(BINOPS) + " " + self.expr(d + 1) + ")"
        if r < 0.85:
            return "not " + self.expr(d + 1)
        if r < 0.92:
            return "(" + self.expr(d + 1) + " if " + self.expr(d + 1) + " else " + self.expr(d + 1) + ")"
        return "[" + self.expr(d + 1) + ", " + self.expr(d + 1) + "]"

    def tag(self, body):
        R = self.r
        return "{%" + R.choice(["", "-", "+"]) + " " + body + " " + R.choice(["", "-", "+"]) + "%}"

    def stmt(self, d=0):
        R, tag = self.r, self.tag
        r = R.random()
        pad = R.choice(["", "\n", "  ", "\n  ", " \n"])
        if d > 2 or r < 0.35:
            return pad + "{{" + R.choice(["", "-"]) + " " + self.expr() + " " + R.choice(["", "-"]) + "}}" + R.choice(["", "\n", "x", " "])
        if r < 0.55:
            return pad + tag("if " + self.expr()) + self.body(d + 1) + (tag("else") + self.body(d + 1) if R.random() < 0.5 else "") + tag("endif")
        if r < 0.75:
            v = R.choice(["i", "k"])
            filt = " if " + v + " is defined" if R.random() < 0.2 else ""
            return pad + tag("for " + v + " in " + self.expr() + filt) + "{{ " + v + " }}{{ loop.index }}" + self.body(d + 1) + tag("endfor")
        if r < 0.82:
            return pad + tag("set " + R.choice(["x", "z", "s", "q"]) + " = " + self.expr()) + "\n"
        if r < 0.86:
            return pad + tag("if " + self.expr()) + self.body(d + 1) + tag("elif " + self.expr()) + self.body(d + 1) + tag("else") + self.body(d + 1) + tag("endif")
        if r < 0.89:
            return pad + tag("macro mm(a, b=" + R.choice(ATOMS) + ")") + self.body(d + 1) + "{{ a }}{{ b }}" + tag("endmacro") + "{{ mm(" + self.expr() + ") }}"
        if r < 0.91:
            return pad + tag("filter " + R.choice(["upper", "trim", "lower"])) + self.body(d + 1) + tag("endfilter")
        if r < 0.93:
            return pad + tag("set " + R.choice(["x", "q"])) + self.body(d + 1) + tag("endset")
        if r < 0.95:
            return pad + tag("set ns.v = " + self.expr()) + "{{ ns.v }}"
        if r < 0.97:
            return pad + tag("for i in " + self.expr()) + self.body(d + 1) + tag("else") + self.body(d + 1) + tag("endfor")
        return pad + "{# c #}" + R.choice(["\n", ""])

    def body(self, d):
        return "".join(self.stmt(d) for _ in range(self.r.randint(1, 3)))

    def template(self):
        return "{% set ns = namespace(v=0) %}" + self.body(0)


def jinja(src):
    try:
        t = ref.compile_template(src)
    except Exception as e:  # noqa: BLE001
        return "err", f"{type(e).__name__}: {e}"
    try:
        return "ok", t.render(**copy.deepcopy(CTX))  # a template can mutate lists in place (s += "\n")
    except Exception as e:  # noqa: BLE001
        return "err", f"{type(e).__name__}: {e}"


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    gen = Gen(seed, len(sys.argv) > 3 and sys.argv[3] == "safe")
    srcs = [gen.template() for _ in range(count)]
    ctx = json.dumps(CTX).encode()
    data = b"".join(struct.pack("<II", len(s.encode()), len(ctx)) + s.encode() + ctx for s in srcs)
    driver = os.path.join(ROOT, "build", "template_driver")
    out = subprocess.run([driver], input=data, capture_output=True, check=True).stdout
    pos, stats, shown = 0, {}, 0
    for src in srcs:
        st, n = struct.unpack_from("<II", out, pos)
        pos += 8
        text = out[pos:pos + n].decode("utf-8", "replace")
        pos += n
        kind, want = jinja(src)
        ours = NAMES[st]
        if kind == "ok" and ours == "ok" and want == text:
            k = "same"
        elif kind != "ok" and ours != "ok":
            parse = want.startswith(("TemplateSyntaxError", "TemplateAssertionError"))
            k = "both failed" if parse == (ours == "syntax") or ours in ("unsupported", "limit") else "failed differently"
            if k == "failed differently" and shown < 10:
                shown += 1
                print("FAILED DIFFERENTLY", repr(src)[:300], "\n  jinja2:", want[:200], "\n  ours:  ", ours, text[:200])
        elif kind == "ok" and ours == "unsupported":
            k = "refused"
        else:
            k = "DIFF"
            shown += 1
            if shown <= 10:
                print("DIFF", repr(src)[:400], "\n  jinja2:", kind, repr(want)[:300], "\n  ours:  ", ours, repr(text)[:300])
        stats[k] = stats.get(k, 0) + 1
    print(f"seed {seed}: {count} templates:", ", ".join(f"{v} {k}" for k, v in sorted(stats.items())))
    return 1 if stats.get("DIFF") else 0


if __name__ == "__main__":
    sys.exit(main())
