#!/usr/bin/env bash
# make bench, SentencePiece part: tokscope next to spm_encode (sentencepiece 0.1.97, Debian's)
# on the same 20 MB of text, single thread, same work (every line encoded, ids printed), same
# run. Times are whole-process wall times minus each program's start-up (the same command on
# empty input), best of 5, the two programs taking turns. The two outputs must be
# byte-identical.
#   bash tests/bench/spm_bench.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
dir=$build/bench
here=$(dirname "$0")
if ! command -v spm_encode >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q sentencepiece >&2 || { apt-get update -q >&2; apt-get install -y -q sentencepiece >&2; }
  else echo "spm_bench: spm_encode missing; run: sudo apt-get install sentencepiece" >&2; exit 2; fi
fi
corpus=$dir/spm20.txt
[ -s "$corpus" ] || cat "$dir/prose.txt" "$dir/multi.txt" > "$corpus"   # English + ja/zh/ru
: > "$dir/empty.txt"
cc -O2 -std=c11 -D_GNU_SOURCE -I"$here/../../lib" "$here/spm_bench.c" "$build/libtokscope.a" \
  $(pkg-config --libs libpcre2-8 libutf8proc libcjson) -lpthread -o "$build/spm_bench"

# wall-clock seconds of: "$@" < input > output
timed() {
  local input=$1 output=$2; shift 2
  local t0 t1
  t0=$EPOCHREALTIME
  "$@" < "$input" > "$output"
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
min() { awk -v x="$1" -v y="$2" 'BEGIN { print (x < y) ? x : y }'; }

mb=$(awk -v n="$(stat -c %s "$corpus")" 'BEGIN { printf "%.1f", n / 1e6 }')
echo
echo "SentencePiece: ${mb} MB ($corpus: English prose, Japanese, Chinese, Russian), one line at a time,"
echo "ids printed; whole process minus start-up, best of 5, MB/s (10^6 bytes/s)."
echo
printf '%-22s %-8s %10s %10s %8s  %s\n' model type spm_encode tokscope ratio output
worst=999
for m in test_model uni_mixed_8000 bpe_llama_like bpe_mixed_noscript; do
  model=tests/golden/spm/models/$m.model
  type=$(case $m in bpe*) echo BPE ;; *) echo Unigram ;; esac)
  # the two programs take turns, so a busy machine slows both alike; best of 5 each
  r0=999 r=999 o0=999 o=999
  for _ in 1 2 3 4 5; do
    r0=$(min "$r0" "$(timed "$dir/empty.txt" /dev/null spm_encode --model="$model" --output_format=id)")
    r=$(min "$r" "$(timed "$corpus" "$dir/spm_ref.ids" spm_encode --model="$model" --output_format=id)")
    o0=$(min "$o0" "$(timed "$dir/empty.txt" /dev/null "$build/spm_bench" "$model")")
    o=$(min "$o" "$(timed "$corpus" "$dir/spm_ours.ids" "$build/spm_bench" "$model")")
  done
  same=$(cmp -s "$dir/spm_ref.ids" "$dir/spm_ours.ids" && echo "identical ids" || echo "DIFFERENT")
  read -r rm om ratio < <(awk -v s="$(stat -c %s "$corpus")" -v r="$r" -v r0="$r0" -v o="$o" -v o0="$o0" \
    'BEGIN { a = s / (r - r0) / 1e6; b = s / (o - o0) / 1e6; printf "%.1f %.1f %.1f\n", a, b, b / a }')
  printf '%-22s %-8s %10s %10s %7sx  %s\n' "$m" "$type" "$rm" "$om" "$ratio" "$same"
  worst=$(awk -v x="$ratio" -v y="$worst" 'BEGIN { print (x < y) ? x : y }')
done
echo
echo "slowest tokscope/spm_encode ratio: ${worst}x (bar: at least 5x)"
rm -f "$dir/spm_ref.ids" "$dir/spm_ours.ids"
