PKGS="sentencepiece fortunes python3.11-doc libpython3.11-stdlib manpages-ja manpages-zh manpages-ru"; MISSING=$(for p in $PKGS; do dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || echo "$p"; done); if [ -n "$MISSING" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $MISSING; fi
# ^ Line 1 installs (only if missing, never upgrading) Debian 12's spm_train and
#   the packages whose files make up the training texts. Run with bash.
#
# spm_train_models.sh: train the small SentencePiece models of
# tests/golden/spm/models/ that are listed in tests/conformance/spm_models.tsv,
# with Debian 12's spm_train (sentencepiece 0.1.97), then rewrite
# tests/golden/spm/MANIFEST (spm_manifest.mjs).
#
#   bash tests/conformance/spm_train_models.sh          train and write the models
#   bash tests/conformance/spm_train_models.sh --check  train into a temporary
#        directory and compare with the committed models byte for byte
#
# Reproducible: the texts come from fixed package files by fixed rules
# (spm_train_texts.mjs); spm_train runs with --num_threads=1 and a fixed
# --random_seed, in a temporary directory with relative --input and
# --model_prefix (both are stored in the model's trainer_spec), and with no
# sentence sampling (--input_sentence_size is 0). Two runs give identical bytes;
# --check proves it for the committed files.
#
# The models copied from elsewhere (the 8 reference models and the upstream
# test models) are not trained here; spm_manifest.mjs documents them.
set -euo pipefail
export LC_ALL=C.UTF-8

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODELS="$ROOT/tests/golden/spm/models"
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

command -v node >/dev/null || { echo "spm_train_models.sh: node (>= 20) is required" >&2; exit 1; }
command -v spm_train >/dev/null || { echo "spm_train_models.sh: spm_train is required" >&2; exit 1; }
VERSION="$(dpkg-query -W -f='${Version}' sentencepiece)"
case "$VERSION" in
  0.1.97-*) ;;
  *) echo "spm_train_models.sh: warning: sentencepiece $VERSION, the committed models come from 0.1.97-3+b1" >&2 ;;
esac

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
node "$HERE/spm_train_texts.mjs" "$WORK"

# Rules for uni_en_custom_rules (--normalization_rule_tsv / --denormalization_rule_tsv):
# source code points <TAB> target code points, in hex. They exercise a one-to-many
# rule (U+FB01 -> "fi"), a many-to-one rule ("..." -> U+2026), a deletion (U+00AD),
# whitespace mapped to a space, U+2581 mapped to a space, and ASCII case folding of
# A-F. The denormalizer (applied by Decode) turns U+2026 back into "...".
printf '%s\t%s\n' 2019 27  201C 22  201D 22  FB01 '66 69'  '2E 2E 2E' 2026  AD ''  9 20  A 20  D 20 \
  3000 20  2581 20  41 61  42 62  43 63  44 64  45 65  46 66 > "$WORK/norm.tsv"
printf '%s\t%s\n' 2026 '2E 2E 2E' > "$WORK/denorm.tsv"

OUT="$MODELS"
[ $CHECK = 1 ] && OUT="$WORK/out"
mkdir -p "$OUT"

n=0
while IFS=$'\t' read -r name type text vocab opts; do
  case "$name" in ''|'#'*) continue ;; esac
  read -r -a extra <<< "${opts:-}"
  (cd "$WORK" && spm_train --input="$text.txt" --model_prefix="$name" --model_type="$type" \
      --vocab_size="$vocab" --num_threads=1 --random_seed=20240611 --minloglevel=1 \
      "${extra[@]}" > "$name.log" 2>&1) || { cat "$WORK/$name.log" >&2; echo "spm_train failed for $name" >&2; exit 1; }
  cp "$WORK/$name.model" "$OUT/$name.model"
  n=$((n + 1))
done < "$HERE/spm_models.tsv"

if [ $CHECK = 1 ]; then
  bad=0
  for f in "$OUT"/*.model; do
    b="$(basename "$f")"
    if cmp -s "$f" "$MODELS/$b"; then echo "identical: $b"; else echo "DIFFERENT: $b"; bad=1; fi
  done
  [ $bad = 0 ] && echo "all $n retrained models are byte-identical to the committed ones"
  exit $bad
fi

for f in "$MODELS"/*.model; do
  size=$(wc -c < "$f")
  [ "$size" -le 512000 ] || echo "warning: $(basename "$f") is $size bytes (over 500 KB)" >&2
done
echo "trained $n models into tests/golden/spm/models/"
node "$HERE/spm_npm_models.mjs" > /dev/null
node "$HERE/spm_manifest.mjs"
