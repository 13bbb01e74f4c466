#!/usr/bin/python3
"""chat_template_goldens.py: write tests/golden/chat-templates/{templates.jsonl, goldens.jsonl.gz}
and the goldens part of its MANIFEST.

  /usr/bin/python3 tests/conformance/chat_template_goldens.py      (from the repository root)

Needs Debian's python3-jinja2 3.1.2 (apt-get install python3-jinja2), the files of
tests/golden/chat-templates/MANIFEST in build/hf (fetch_hf.sh, run here first) and node with
tests/conformance/node_modules (npm ci) for the token ids.

Templates (templates.jsonl, one object per template, in this order):
  - every chat template of every tokenizer_config.json in the MANIFEST: the single one, or each
    named one of a list (id "<name>:<template name>" for those other than "default"); special
    tokens as transformers' special_tokens_map gives them (chat_template_ref.special_tokens_map);
    the same package's tokenizer.json gives the token ids.
  - every entry of @huggingface/ollama-utils' chat-template-automap.ts (the chat_template of GGUF
    models), id "ollama:<model>" (a model listed again gets "#2", "#3"): rendered with placeholder
    special tokens <BOS> <EOS> <UNK> <PAD> (the file holds no tokens) and no token ids (no
    tokenizer comes with them). They test the interpreter, not a model's prompt.
Conversations: tests/golden/chat-templates/conversations.jsonl, each rendered with every template.
Goldens (goldens.jsonl.gz, gzip -9n, one line per template x conversation, templates outer):
  {"template", "conversation", "text", "ids"}  -- ids null when the template has no tokenizer
  {"template", "conversation", "error": {"type", "message"}}  -- what the template raised:
     type "TemplateError" is raise_exception (message = the template's own text); other types
     are Python errors in the template's expressions (message from Python, not compared).
Deterministic: same inputs, same bytes.
"""

import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import chat_template_ref as ref  # noqa: E402

GOLD = os.path.join(ROOT, "tests", "golden", "chat-templates")
MANIFEST = os.path.join(GOLD, "MANIFEST")
HF_DIR = os.path.join(ROOT, "build", "hf")
MARKER = "# ---- goldens (written by tests/conformance/chat_template_goldens.py; everything below is regenerated) ----"
PLACEHOLDER_TOKENS = {"bos_token": "<BOS>", "eos_token": "<EOS>", "unk_token": "<UNK>", "pad_token": "<PAD>"}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def js_string(src, i):
    """Decode the JavaScript string literal starting at src[i]; (value, index after it)."""
    quote = src[i]
    i += 1
    out = []
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while src[i] != quote:
        c = src[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = src[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "u" and src[i + 2] == "{":
            j = src.index("}", i)
            out.append(chr(int(src[i + 3:j], 16)))
            i = j + 1
        elif e == "u":
            out.append(chr(int(src[i + 2:i + 6], 16)))
            i += 6
        elif e == "x":
            out.append(chr(int(src[i + 2:i + 4], 16)))
            i += 4
        elif e == "\n":
            i += 2
        else:
            out.append(e)
            i += 2
    # JavaScript strings are UTF-16: join surrogate pairs the \u escapes may have split.
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16"), i + 1


def ollama_entries(path):
    """[(model, template)] in file order, from chat-template-automap.ts."""
    src = open(path, encoding="utf-8").read()
    entries = []
    for m in re.finditer(r"\bmodel: ", src):
        model, j = js_string(src, m.end())
        g = re.compile(r",\s*gguf: ").match(src, j)
        if not g:
            raise SystemExit(f"{path}: no gguf after model {model!r}")
        template, _ = js_string(src, g.end())
        entries.append((model, template))
    return entries


def manifest_files():
    rows = []
    for line in open(MANIFEST, encoding="utf-8"):
        if line.startswith(MARKER):
            break
        f = line.split()
        if len(f) >= 4 and re.fullmatch(r"@[^/]+/\S+@\S+", f[1]) and re.fullmatch(r"[0-9a-f]{64}", f[3]):
            rows.append((f[0], f[1], f[2], f[3]))
    return rows


def templates():
    out = []
    for name, pkg, member, sha in manifest_files():
        path = os.path.join(HF_DIR, name, os.path.basename(member))
        data = open(path, "rb").read()
        if sha256(data) != sha:
            raise SystemExit(f"{path}: SHA-256 differs from the MANIFEST (run tests/conformance/fetch_hf.sh build/hf)")
        rel = f"{name}/{os.path.basename(member)}"
        if member.endswith("tokenizer_config.json"):
            config = json.loads(data)
            ct = config["chat_template"]
            names = [t["name"] for t in ct] if isinstance(ct, list) else [None]
            tok = os.path.join(HF_DIR, name, "tokenizer.json")
            for tname in names:
                source = ref.pick_template(config, tname)
                out.append({
                    "id": name if tname in (None, "default") else f"{name}:{tname}",
                    "file": rel, "template_name": tname, "source": pkg,
                    "sha256": sha256(source.encode()),
                    "special_tokens": ref.special_tokens_map(config),
                    "tokenizer": f"{name}/tokenizer.json" if os.path.exists(tok) else None,
                    "_source": source})
        else:
            seen = {}
            for model, source in ollama_entries(path):
                seen[model] = seen.get(model, 0) + 1
                out.append({
                    "id": f"ollama:{model}" + (f"#{seen[model]}" if seen[model] > 1 else ""),
                    "file": rel, "entry": model, "occurrence": seen[model], "source": pkg,
                    "sha256": sha256(source.encode()),
                    "special_tokens": PLACEHOLDER_TOKENS, "tokenizer": None, "_source": source})
    return out


def render_one(t, conv):
    request = dict(conv)
    try:
        return {"text": ref.render(t["_source"], t["special_tokens"], request)}
    except Exception as e:  # noqa: BLE001 -- every failure of the template is a golden
        return {"error": {"type": type(e).__name__, "message": str(e)}}


def encode_all(jobs):
    if not jobs:
        return []
    lines = "".join(json.dumps({"tokenizer": os.path.join(HF_DIR, tok), "text": text}, ensure_ascii=False) + "\n"
                    for tok, text in jobs)
    r = subprocess.run(["node", os.path.join(HERE, "chat_template_ids.mjs")], input=lines.encode(),
                       capture_output=True, check=False)
    if r.returncode != 0:
        raise SystemExit("chat_template_ids.mjs failed:\n" + r.stderr.decode())
    ids = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert len(ids) == len(jobs)
    return ids


def main():
    os.chdir(ROOT)
    subprocess.run(["bash", os.path.join(HERE, "fetch_hf.sh"), HF_DIR], check=True)
    tmpls = templates()
    convs = [json.loads(x) for x in open(os.path.join(GOLD, "conversations.jsonl"), encoding="utf-8")]
    rows, jobs = [], []
    for t in tmpls:
        for c in convs:
            r = {"template": t["id"], "conversation": c["id"], **render_one(t, c)}
            if "text" in r:
                r["ids"] = None
                if t["tokenizer"]:
                    jobs.append((t["tokenizer"], r["text"]))
                    r["ids"] = len(jobs) - 1
            rows.append(r)
    ids = encode_all(jobs)
    for r in rows:
        if isinstance(r.get("ids"), int):
            r["ids"] = ids[r["ids"]]

    with open(os.path.join(GOLD, "templates.jsonl"), "w", encoding="utf-8") as f:
        for t in tmpls:
            f.write(json.dumps({k: v for k, v in t.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode())
    gold_bytes = buf.getvalue()
    with open(os.path.join(GOLD, "goldens.jsonl.gz"), "wb") as f:
        f.write(gold_bytes)

    # MANIFEST: keep the hand-written part, rewrite the rest.
    head = open(MANIFEST, encoding="utf-8").read().split(MARKER)[0].rstrip("\n")
    tok_version = json.load(open(os.path.join(HERE, "node_modules", "tokenizers", "package.json")))["version"]
    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    m = [head, "", MARKER, "",
         "Generator: tests/conformance/chat_template_goldens.py (/usr/bin/python3; see its header)",
         f"Reference: tests/conformance/chat_template_ref.py, transformers' chat-template environment on",
         f"Debian python3-jinja2 {ref.jinja2.__version__}; token ids from npm tokenizers {tok_version}"
         f" (node {node_version}), encode(text, addSpecialTokens=false).",
         f"Conversations: conversations.jsonl ({len(convs)}); templates: templates.jsonl ({len(tmpls)});",
         f"goldens.jsonl.gz SHA-256 {sha256(gold_bytes)}",
         "",
         "Per template: renders, raise_exception errors, other Python errors, renders with token ids.",
         ]
    for t in tmpls:
        mine = [r for r in rows if r["template"] == t["id"]]
        ok = sum(1 for r in mine if "text" in r)
        raised = sum(1 for r in mine if "error" in r and r["error"]["type"] == "TemplateError")
        other = len(mine) - ok - raised
        withids = sum(1 for r in mine if r.get("ids") is not None)
        m.append(f"  {t['id']:<40} {ok:3d} {raised:3d} {other:3d} {withids:3d}")
    open(MANIFEST, "w", encoding="utf-8").write("\n".join(m) + "\n")
    print(f"{len(tmpls)} templates x {len(convs)} conversations = {len(rows)} goldens; "
          f"{sum(1 for r in rows if 'text' in r)} rendered, {len(jobs)} with token ids")


if __name__ == "__main__":
    main()
