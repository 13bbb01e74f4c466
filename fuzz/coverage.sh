#!/usr/bin/env bash
# Line coverage reached by the committed fuzz corpora (what a campaign found, fuzz/campaign.sh).
#
#   fuzz/coverage.sh [HARNESS...]
#
# Builds the library and each harness with clang's source-based coverage into build-cov/ (no
# sanitizers: coverage counts need none), runs each harness once over every input of
# fuzz/corpus/NAME (-runs=0: no mutation), and prints llvm-cov's line coverage of the files that
# harness is there to exercise -- the loaders for fuzz_load_*, the interpreter for
# fuzz_template -- then the total of those files. Outside CI, like the campaigns.
set -euo pipefail
cd "$(dirname "$0")/.."

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do harnesses+=("$(basename "$f" .c)"); done
fi

# The files each harness is meant to cover (a regular expression over paths under lib/).
target() {
    case $1 in
    fuzz_load_hf) echo 'lib/formats/hf/load/|lib/base/json\.c' ;;
    fuzz_load_spm) echo 'lib/formats/spm/(model_proto|bpe_model|normalizer)\.c' ;;
    fuzz_load_tiktoken) echo 'lib/formats/tiktoken/(file|load)\.c|lib/base/(pack|base64)\.c' ;;
    fuzz_template) echo 'lib/template/' ;;
    fuzz_prices) echo 'lib/registry/(prices_tsv|prices_litellm|money)\.c' ;;
    fuzz_chat) echo 'lib/chat/' ;;
    fuzz_pretok) echo 'lib/split/' ;;
    fuzz_stream) echo 'lib/api/decode_stream|stream' ;;
    *) echo 'lib/' ;;
    esac
}

COV="-fprofile-instr-generate -fcoverage-mapping"
make -s BUILD=build-cov CC=clang OPT=-O1 EXTRA_CFLAGS="$COV -fsanitize=fuzzer-no-link" \
    LDFLAGS="$COV" build-cov/libtokscope.a
out=build-cov/fuzz
mkdir -p "$out"
for h in "${harnesses[@]}"; do
    h=${h%.c}; h=${h#fuzz/}
    name=${h#fuzz_}
    clang -std=c11 -D_GNU_SOURCE -O1 -g $COV -fsanitize=fuzzer -Ilib "fuzz/$h.c" \
        build-cov/libtokscope.a $(pkg-config --libs libpcre2-8 libutf8proc libcjson) -lpthread -lm \
        -o "$out/$h"
    rm -f "$out/$h".*.profraw
    n=$(ls "fuzz/corpus/$name" 2>/dev/null | wc -l)
    LLVM_PROFILE_FILE="$out/$h.%p.profraw" "$out/$h" -runs=0 -close_fd_mask=3 \
        "fuzz/corpus/$name" > "$out/$h.log" 2>&1 || true
    llvm-profdata merge -sparse "$out/$h".*.profraw -o "$out/$h.profdata"
    files=$(cd lib && find . -name '*.c' | sed 's|^\./|lib/|' | grep -E "$(target "$h")" | sort)
    echo "== $h: $n corpus inputs"
    # shellcheck disable=SC2086
    # columns: name, regions (3), functions (3), lines, missed lines, line cover, branches (3)
    llvm-cov report "$out/$h" -instr-profile="$out/$h.profdata" $files |
        awk '$1 !~ /^(Filename|-+)$/ && NF >= 13 {
                 printf "   %-28s %6s lines %6s missed %8s\n", $1, $8, $9, $10 }'
done
