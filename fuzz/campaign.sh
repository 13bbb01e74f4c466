#!/usr/bin/env bash
# Long fuzz campaigns, outside CI (CI runs `make fuzz`, 20 s per harness).
#
#   fuzz/campaign.sh [-t SECONDS] [-j JOBS] [HARNESS...]
#
# Each harness (default: every fuzz/fuzz_*.c) runs SECONDS (default 1800) under ASan and UBSan,
# starting from its committed corpus (fuzz/corpus/NAME) and growing a working corpus in
# build-fuzz/campaign/NAME/. Then the working corpus is minimised into fuzz/corpus/NAME (the
# inputs that keep all the coverage found, committed with the code), crashes are left in
# build-fuzz/campaign/NAME/ as crash-*, and one line per harness goes to
# build-fuzz/campaign/summary.tsv: seconds, executions, coverage (edges), features, corpus
# size before and after, crashes. Every crash becomes a regression seed in fuzz/corpus/NAME and
# a unit test when it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=1800 jobs=1
while getopts "t:j:" o; do
    case $o in
    t) secs=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: fuzz/campaign.sh [-t SECONDS] [-j JOBS] [HARNESS...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do harnesses+=("$(basename "$f" .c)"); done
fi

# FUZZ_NO_BUILD=1: the harnesses are built already (campaigns run side by side).
[ -n "${FUZZ_NO_BUILD:-}" ] || make -s fuzz-build
out=build-fuzz/campaign
mkdir -p "$out"
[ -f "$out/summary.tsv" ] || printf 'harness\tseconds\texecutions\tedges\tfeatures\tcorpus_before\tcorpus_after\tcrashes\n' > "$out/summary.tsv"

for h in "${harnesses[@]}"; do
    h=${h%.c}; h=${h#fuzz/}; h=fuzz_${h#fuzz_}
    name=${h#fuzz_}
    work=$out/$name
    mkdir -p "$work/corpus" "fuzz/corpus/$name"
    before=$(ls "fuzz/corpus/$name" | wc -l)
    # Loaders read whole files: give them room; the rest work on short texts.
    case $name in load_*|template|prices|chat) maxlen=32768 ;; *) maxlen=8192 ;; esac
    echo "== $h: $secs s, max_len $maxlen, $before seeds"
    set +e
    # Fork mode goes on after a crash (each is kept as crash-*); a run over 60 s is a hang.
    "build-fuzz/$h" -fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
        -max_total_time="$secs" -timeout=60 -rss_limit_mb=4096 \
        -dict=fuzz/tokscope.dict -max_len=$maxlen -artifact_prefix="$work/" -close_fd_mask=3 \
        "$work/corpus" "fuzz/corpus/$name" > "$work/log" 2>&1
    status=$?
    set -e
    last=$(grep -E "^#[0-9]+: cov: " "$work/log" | tail -1 || true)
    execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<< "$last")
    edges=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<< "$last")
    feats=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<< "$last")
    crashes=$(ls "$work" | grep -cE '^(crash|leak|timeout|oom)-' || true)
    # Minimise: the committed corpus and everything found, merged into a fresh set.
    rm -rf "$work/min" && mkdir -p "$work/min"
    "build-fuzz/$h" -merge=1 -max_len=$maxlen -close_fd_mask=3 "$work/min" \
        "fuzz/corpus/$name" "$work/corpus" > "$work/merge.log" 2>&1 || true
    if [ "$(ls "$work/min" | wc -l)" -gt 0 ]; then
        rm -f "fuzz/corpus/$name"/*
        cp "$work/min"/* "fuzz/corpus/$name/"
    fi
    after=$(ls "fuzz/corpus/$name" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$secs" "${execs:-?}" "${edges:-?}" "${feats:-?}" \
        "$before" "$after" "$crashes" >> "$out/summary.tsv"
    echo "   status $status, ${execs:-?} executions, cov ${edges:-?}, corpus $before -> $after, $crashes crashes"
done
column -t -s $'\t' "$out/summary.tsv"
