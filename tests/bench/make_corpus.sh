#!/usr/bin/env bash
# Builds the benchmark corpora in $1 (default build/bench) from Debian packages, each at least
# 10 MB, deterministically (sorted file lists, fixed order):
#   prose.txt  English: fortunes and the Python documentation (text form)
#   code.txt   C headers from /usr/include and the Python standard library
#   multi.txt  Japanese, Chinese and Russian manual pages, Python docs translations
#   ... plus the hostile shapes at 1 MB and 4 MB (below).
set -euo pipefail
out=${1:-build/bench}
mkdir -p "$out"
[ -e "$out/.corpus-done-2" ] && exit 0   # built before; delete the directory to rebuild
need="fortunes manpages-ja manpages-zh manpages-ru python3-doc"
missing=$(for p in $need; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q $missing >&2 || { apt-get update -q >&2; apt-get install -y -q $missing >&2; }
  else echo "bench: missing packages; run: sudo apt-get install $missing" >&2; exit 2; fi
fi
TARGET=$((10 * 1024 * 1024))
# fill OUT FILE...: the files' text in order (gzip allowed), invalid UTF-8 dropped, cut at TARGET
# bytes and then at a character boundary
fill() {
  local o=$1; shift
  set +o pipefail
  for f in "$@"; do case "$f" in *.gz) zcat -- "$f" ;; *) cat -- "$f" ;; esac; done 2>/dev/null |
    iconv -f UTF-8 -t UTF-8 -c 2>/dev/null | head -c "$TARGET" > "$o.tmp"
  set -o pipefail
  iconv -f UTF-8 -t UTF-8 -c < "$o.tmp" > "$o" 2>/dev/null || true
  rm -f "$o.tmp"
}
fill "$out/prose.txt" /usr/share/games/fortunes/*.u8 $(find /usr/share/doc/python3*/ -name '*.txt' | sort)
fill "$out/code.txt" $(find /usr/include -name '*.h' | sort) $(find /usr/lib/python3.11 -maxdepth 2 -name '*.py' | sort)
fill "$out/multi.txt" $(for l in ja zh_CN zh_TW ru; do find /usr/share/man/$l -name '*.gz' | sort; done)
# The hostile shapes (issue 13), each at 1 MB and 4 MB (name_1m.txt, name_4m.txt), so make
# bench can show the time growing with the input and nothing faster: one character repeated
# (a letter, a space, a newline, a digit, a CJK character), random digits, random base64,
# random CJK ideographs -- all single pieces or long runs of them for the split patterns.
for mb in 1 4; do
  B=$((mb * 1024 * 1024))
  head -c $B /dev/zero | tr '\0' 'a' > "$out/run_a_${mb}m.txt"
  head -c $B /dev/zero | tr '\0' ' ' > "$out/run_space_${mb}m.txt"
  head -c $B /dev/zero | tr '\0' '\n' > "$out/run_newline_${mb}m.txt"
  head -c $B /dev/zero | tr '\0' '7' > "$out/run_digit_${mb}m.txt"
  python3 - "$B" "$out" "$mb" <<'PY'
import base64, random, sys
n, out, mb = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = random.Random(42)
open(f"{out}/digits_{mb}m.txt", "w").write("".join(r.choice("0123456789") for _ in range(n)))
open(f"{out}/base64_{mb}m.txt", "w").write(base64.b64encode(r.randbytes(n * 3 // 4)).decode()[:n])
open(f"{out}/run_cjk_{mb}m.txt", "w", encoding="utf-8").write("\u4e00" * (n // 3))
open(f"{out}/cjk_random_{mb}m.txt", "w", encoding="utf-8").write(
    "".join(chr(r.randint(0x4E00, 0x9FFF)) for _ in range(n // 3)))
PY
done
ls -l "$out"/*.txt >&2
touch "$out/.corpus-done-2"
