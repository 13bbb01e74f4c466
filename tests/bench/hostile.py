#!/usr/bin/env python3
"""make bench-hostile: time and memory of `tokscope count` on hostile input, every format.

Issue 14's targets, per tokenizer and input shape: time linear in the input (4x the input, at
most ~4.5x the time), within 3x of the built-in encoding o200k_base on the same input, and
memory at most about 4x the input plus the vocabulary. "The vocabulary" is what the tokenizer
holds once the shape has reached it, not only what opening it takes: tables read in place from
a pack or the binary become resident as text touches them, and some are built on the first long
word (the pair set of a SentencePiece-style BPE, the rank tables). So memory is measured from a
warm start, the peak RSS of counting the same shape's first 128 KB ("mem", per byte of input,
which the verdict takes; the 128 KB add at most 4 x 128 KB to the start), and shown three more
ways: "MB_voc", the warm start above counting an empty file (the vocabulary this shape
touched); "cold", the peak RSS above counting an empty file, per byte of input; and "slope", the
peak RSS of the large input above the small one's, per byte between them.
One table, a verdict per row; the exit status is always 0: this is a benchmark (the machine may
be shared and noisy), not a test.

Times are user CPU seconds of the child (os.wait4's rusage, the figures /usr/bin/time -f "%U %M"
prints, at microsecond resolution), the best of HOSTILE_REPS runs (default 3), less the time of
counting an empty file with the same tokenizer (loading it: 0.2 s for a large tokenizer.json,
which says nothing about the input). The shapes are
1 MB and 4 MB; the 50 MB single line is timed at 12.5 MB and 50 MB, best of HOSTILE_LINE_REPS
(default 1). Net times under FLOOR seconds (GROWTH_FLOOR for growth) are too short to judge by:
those cells say "-" rather than a verdict built on clock ticks.

usage: hostile.py BUILD [--only TOKENIZER,...] [--shapes SHAPE,...] [--markdown FILE]
(--markdown writes the README's table: seconds at the large input (ratio to o200k_base), mem /
cold; bold cells miss a target)
(TOKSCOPE=path times another binary, e.g. a copy while BUILD is being rebuilt)
"""
import base64
import os
import random
import subprocess
import sys

FLOOR = 0.05          # seconds: below this a ratio is noise, not a measurement
GROWTH_FLOOR = 0.2    # seconds at 4 MB: below this 4x the input is a few clock ticks
GROWTH_MAX = 4.5      # time for 4x the input
RATIO_MAX = 3.0       # against o200k_base on the same input
MEM_MAX = 4.0         # bytes of peak RSS (above the empty-input RSS) per byte of input
MB = 1024 * 1024
WARM = 128 * 1024     # the warm start: the same shape, this long (past HF_RANK_LAZY_MIN)
SHAPES = ("run_a", "alt_ab", "base64", "digits", "run_cjk", "rand_cjk", "spaces", "newlines")

# name, tokscope arguments (paths relative to the build directory are filled in below)
TOKENIZERS = [
    ("o200k_base", ["-e", "o200k_base"]),
    ("cl100k_base", ["-e", "cl100k_base"]),
    ("llama3.1 pack", ["-m", "llama-3.1-8b"]),
    # byte for byte the file tokscope ships, so it opens from the pack (api/shipped_twin.c) ...
    ("llama3 json", ["-t", "{B}/hf/llama3/tokenizer.json"]),
    # ... and the same JSON one newline longer, which its own loader reads
    ("llama3 edited", ["-t", "{D}/llama3-edited.json"]),
    ("mistral7b json", ["-t", "{B}/hf/mistral_7b/tokenizer.json"]),
    ("deepseek-v3 pack", ["-m", "deepseek-v3"]),
    ("gemma3 pack", ["-m", "gemma-3-4b"]),
    ("wordpiece json", ["-t", "{B}/hf/gen_wordpiece_bert_uncased/tokenizer.json"]),
    ("unigram json", ["-t", "{B}/hf/gen_unigram_nfkc/tokenizer.json"]),
    ("spm bpe llama2", ["-t", "{B}/spm-npm-models/llama2.model"]),
    ("spm uni albert", ["-t", "{B}/spm-npm-models/albert_30k_clean.model"]),
]

WORDS = ("the of and to in a is that for it as was with be by on not he I this are or his from "
         "at which but have an they you were her she there been one all we their has would when "
         "if so no what time people water words could number other way about many then them "
         "these some into two more write go see long down day did get come made may part "
         "tokenizer unbelievable résumé naïve Zürich coöperate").split()


def make_inputs(d):
    """The shapes, at 1 MB and 4 MB (name_1m.txt, name_4m.txt), and the single line at 12.5 MB
    and 50 MB, deterministically; kept between runs (delete the directory to rebuild)."""
    os.makedirs(d, exist_ok=True)
    stamp = os.path.join(d, ".done-3")
    if os.path.exists(stamp):
        return
    r = random.Random(14)
    for mb in (1, 4):
        n = mb * MB

        def put(name, text):
            with open(os.path.join(d, f"{name}_{mb}m.txt"), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        put("run_a", "a" * n)
        put("alt_ab", "ab" * (n // 2))
        put("base64", base64.b64encode(r.randbytes(n * 3 // 4)).decode()[:n])
        put("digits", "".join(r.choice("0123456789") for _ in range(n)))
        put("run_cjk", "\u4e00" * (n // 3))
        put("rand_cjk", "".join(chr(r.randint(0x4E00, 0x9FFF)) for _ in range(n // 3)))
        put("spaces", " " * n)
        put("newlines", "\n" * n)
    # prose words with single spaces and no newline: 50 MB, and its first quarter
    parts, size = [], 0
    while size < 50 * MB:
        w = r.choice(WORDS)
        parts.append(w)
        size += len(w.encode()) + 1
    line = " ".join(parts).encode()[:50 * MB].decode("utf-8", "ignore")
    for name, text in (("line_50m.txt", line), ("line_12m.txt", line[:len(line) // 4])):
        with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    # each shape's first 128 KB (whole characters): the warm start memory is measured from
    for small, warm in [(f"{s}_1m.txt", f"{s}_128k.txt") for s in SHAPES] + [("line_12m.txt",
                                                                         "line_128k.txt")]:
        with open(os.path.join(d, small), "rb") as f:
            head = f.read(WARM).decode("utf-8", "ignore").encode()
        with open(os.path.join(d, warm), "wb") as f:
            f.write(head)
    open(stamp, "w").close()


def run(tokscope, args, path, reps):
    """Best (least) user seconds and the peak RSS in bytes of that fastest run."""
    best = None
    for _ in range(reps):
        pid = os.fork()
        if pid == 0:
            try:
                fd = os.open(os.devnull, os.O_WRONLY)
                os.dup2(fd, 1)
                os.execv(tokscope, [tokscope, "count", *args, path])
            finally:
                os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        cur = (ru.ru_utime, ru.ru_maxrss * 1024)
        if best is None or cur[0] < best[0]:
            best = (cur[0], max(cur[1], best[1]) if best else cur[1])
        elif cur[1] > best[1]:
            best = (best[0], cur[1])   # peak memory: the largest of the runs
    return best


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    if build.startswith("-"):  # a flag where the build directory goes (--help): no directory
        sys.exit(__doc__ if build in ("-h", "--help") else "hostile.py: the first argument is "
                 "the build directory, not " + build)
    only = shapes_only = markdown = None
    cells = {}
    argv = sys.argv[2:]
    while argv:
        if argv[0] == "--only":
            only = set(argv[1].split(","))
        elif argv[0] == "--shapes":
            shapes_only = set(argv[1].split(","))
        elif argv[0] == "--markdown":
            markdown = open(argv[1], "w")
        argv = argv[2:]
    reps = int(os.environ.get("HOSTILE_REPS", "3"))
    line_reps = int(os.environ.get("HOSTILE_LINE_REPS", "1"))
    tokscope = os.environ.get("TOKSCOPE", os.path.join(build, "tokscope"))
    d = os.path.join(build, "bench", "hostile")
    # The inputs are made in a child: a process forked from this one starts with this one's
    # resident pages in its peak RSS (wait4 reports the high-water mark across exec), so this
    # process must not have held 50 MB of generated text when it starts the timed runs.
    pid = os.fork()
    if pid == 0:
        try:
            make_inputs(d)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    empty = os.path.join(d, "empty.txt")
    open(empty, "w").close()

    shapes = [(s, f"{s}_128k.txt", f"{s}_1m.txt", f"{s}_4m.txt", reps) for s in SHAPES]
    shapes.append(("line_50m", "line_128k.txt", "line_12m.txt", "line_50m.txt", line_reps))
    if shapes_only:
        shapes = [s for s in shapes if s[0] in shapes_only]
    edited = os.path.join(d, "llama3-edited.json")
    src = os.path.join(build, "hf", "llama3", "tokenizer.json")
    if os.path.exists(src) and not os.path.exists(edited):
        with open(src, "rb") as f, open(edited, "wb") as g:
            g.write(f.read() + b"\n")
    toks = [(n, [a.replace("{B}", build).replace("{D}", d) for a in args])
            for n, args in TOKENIZERS]
    if only:
        toks = [t for t in toks if t[0] == "o200k_base" or t[0] in only]

    print(f"hostile input: user seconds (best of {reps}; line_50m best of {line_reps}) less the "
          f"empty-input time t0, small -> large input; growth = t_large/t_small for 4x the input (target <= {GROWTH_MAX}); "
          f"ratio = t_large / o200k_base's, taken as at least {FLOOR} s (target <= {RATIO_MAX}); MB_voc = peak RSS on "
          f"the shape's first 128 KB - RSS on an empty file (the vocabulary this shape touches); mem = (peak RSS - peak "
          f"RSS on the first 128 KB) / input size (target <= {MEM_MAX}); cold = (peak RSS - RSS on an empty file) / "
          f"input size and slope = (peak RSS large - peak RSS small) / (large - small input), shown, not judged. "
          f"'-': under {GROWTH_FLOOR} s (growth) or "
          f"{FLOOR} s (ratio), too short to judge.")
    hdr = f"{'tokenizer':<15} {'shape':<9} {'t0':>5} {'t_small':>8} {'t_large':>8} {'growth':>6} {'ratio':>6} {'MB_rss':>7} {'MB_voc':>6} {'mem':>5} {'cold':>5} {'slope':>5}  verdict"
    print(hdr)
    print("-" * len(hdr))
    ref = {}
    misses = []
    for name, args in toks:
        base = run(tokscope, args, empty, reps)
        base_rss = base[1] if base else 0
        t0 = base[0] if base else 0.0
        for shape, f0, f1, f4, n in shapes:
            p0, p1, p4 = os.path.join(d, f0), os.path.join(d, f1), os.path.join(d, f4)
            size = os.path.getsize(p4)
            r0 = run(tokscope, args, p0, 1)
            r1 = run(tokscope, args, p1, n)
            r4 = run(tokscope, args, p4, n)
            if r0 is None or r1 is None or r4 is None:
                bad = p4 if r4 is None else p1 if r1 is None else p0
                why = subprocess.run([tokscope, "count", *args, bad],
                                     capture_output=True, text=True).stderr.strip()[:100]
                print(f"{name:<15} {shape:<9} failed: {why}")
                misses.append(f"{name} {shape}: failed")
                continue
            t1, t4 = max(r1[0] - t0, 0.0), max(r4[0] - t0, 0.0)
            if name == "o200k_base":
                ref[shape] = t4
            growth = t4 / t1 if t1 > 0 and t4 >= GROWTH_FLOOR else None
            rt = ref.get(shape)
            ratio = t4 / max(rt, FLOOR) if rt is not None and t4 >= FLOOR else None
            # above the warm start (128 KB of the same shape): what the vocabulary takes once
            # this shape has touched it -- a pack's tables read in place, the pair set or the
            # rank tables built on the first long word -- is there already; 128 KB of input
            # adds at most 4 x 128 KB to it
            mem = max(r4[1] - r0[1], 0) / size
            cold = max(r4[1] - base_rss, 0) / size
            vocab_mb = max(r0[1] - base_rss, 0) / MB
            size1 = os.path.getsize(p1)
            slope = max(r4[1] - r1[1], 0) / (size - size1)
            over = []
            if growth is not None and growth > GROWTH_MAX:
                over.append("time not linear")
            if ratio is not None and ratio > RATIO_MAX:
                over.append("over 3x o200k")
            if mem > MEM_MAX:
                over.append("memory")
            verdict = "ok" if not over else "OVER: " + ", ".join(over)
            if over:
                misses.append(f"{name} {shape}: " + ", ".join(over))
            g = f"{growth:6.2f}" if growth is not None else f"{'-':>6}"
            ra = f"{ratio:6.2f}" if ratio is not None else f"{'-':>6}"
            print(f"{name:<15} {shape:<9} {t0:5.2f} {t1:8.3f} {t4:8.3f} {g} {ra} {r4[1] / MB:7.0f} {vocab_mb:6.1f} {mem:5.2f} {cold:5.2f} {slope:5.2f}  {verdict}",
                  flush=True)
            cell = f"{t4:.2f}" + (f" ({ratio:.2f}x)" if ratio is not None else "") + f", {mem:.1f} / {cold:.1f}"
            cells.setdefault(name, {})[shape] = f"**{cell}**" if over else cell
    if markdown:  # the README's table: seconds (ratio), memory from empty / slope; bold misses
        names = [s[0] for s in shapes]
        markdown.write("| tokenizer | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names) + "\n")
        for name, row in cells.items():
            markdown.write(f"| {name} | " + " | ".join(row.get(n, "") for n in names) + " |\n")
        markdown.close()
    print()
    print(f"{len(misses)} cells over target" + (":" if misses else "."))
    for m in misses:
        print("  " + m)
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
