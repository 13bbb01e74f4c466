#!/usr/bin/env bash
# Builds the benchmark corpora in $1 (default build/bench) from Debian packages, each at least
# 10 MB, deterministically (sorted file lists, fixed order):
#   prose.txt  English: fortunes and the Python documentation (text form)
#   code.txt   C headers from /usr/include and the Python standard library
#   multi.txt  Japanese, Chinese and Russian manual pages, Python docs translations
#   ... plus the pathological inputs (1 MB each): one repeated character, base64, CJK runs.
set -euo pipefail
out=${1:-build/bench}
mkdir -p "$out"
[ -e "$out/.corpus-done" ] && exit 0   # built before; delete the directory to rebuild
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
MB=$((1024 * 1024))
head -c $MB /dev/zero | tr '\0' 'a' > "$out/run_a.txt"
head -c $MB /dev/zero | tr '\0' ' ' > "$out/run_space.txt"
head -c $MB /dev/zero | tr '\0' '\n' > "$out/run_newline.txt"
head -c $MB /dev/zero | tr '\0' '7' > "$out/run_digit.txt"
# base64 of fixed pseudo-random bytes, no line breaks
awk 'BEGIN { srand(42); for (i = 0; i < 786432; i++) printf "%c", int(rand() * 256) }' </dev/null | \
  LC_ALL=C base64 -w0 | head -c $MB > "$out/base64.txt"
# CJK without spaces: one character repeated, and Japanese man page text with whitespace removed
python3 -c "import sys; sys.stdout.write('\u4e00' * 349525)" > "$out/run_cjk.txt"
ja=$(find /usr/share/man/ja -name '*.gz' | sort | head -400)
(zcat $ja | iconv -f UTF-8 -t UTF-8 -c | tr -d ' \t\n\r' | head -c $MB | iconv -f UTF-8 -t UTF-8 -c) \
  > "$out/cjk_nospace.txt" 2>/dev/null || true
ls -l "$out"/*.txt >&2
touch "$out/.corpus-done"
