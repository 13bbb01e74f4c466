#!/bin/bash
# fetch.sh OUTDIR: the source packages of MANIFEST into OUTDIR/dl (apt-get source, every file
# checked by SHA-256), unpacked with Debian's patches into OUTDIR/src/PACKAGE. Files already
# there with the right hash are not fetched again. Needs apt-get and dpkg-source (dpkg-dev); as
# root it enables deb-src (a copy of the deb entries of /etc/apt/sources.list.d/debian.sources)
# when no source index is configured, else it says what to run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out/dl" "$out/src"
manifest=$(grep -v '^#' "$here/MANIFEST" | awk 'NF')

have_all() {
  while read -r pkg ver file sha lic; do
    [ -f "$out/dl/$file" ] && [ "$(sha256sum "$out/dl/$file" | cut -c1-64)" = "$sha" ] || return 1
  done <<< "$manifest"
}

enable_deb_src() {
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  if [ "$(id -u)" != 0 ] || [ ! -f /etc/apt/sources.list.d/debian.sources ]; then
    echo "fetch.sh: apt has no deb-src entries; add them (Types: deb-src) and run apt-get update" >&2
    exit 1
  fi
  echo "fetch.sh: enabling deb-src (/etc/apt/sources.list.d/tokscope-deb-src.sources)" >&2
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
    > /etc/apt/sources.list.d/tokscope-deb-src.sources
  apt-get update -q >&2
}

if ! have_all; then
  command -v dpkg-source >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -q dpkg-dev >&2; }
  enable_deb_src
  for spec in $(awk '{ print $1 "=" $2 }' <<< "$manifest" | sort -u); do
    (cd "$out/dl" && apt-get source --download-only -q "$spec" >&2) || {
      apt-get update -q >&2
      (cd "$out/dl" && apt-get source --download-only -q "$spec" >&2)
    }
  done
fi
bad=0
while read -r pkg ver file sha lic; do
  got=$(sha256sum "$out/dl/$file" 2>/dev/null | cut -c1-64 || true)
  if [ "$got" != "$sha" ]; then
    echo "fetch.sh: $file: SHA-256 is ${got:-missing}, MANIFEST says $sha" >&2
    bad=1
  fi
done <<< "$manifest"
[ $bad = 0 ] || exit 1

for dsc in $(awk '$3 ~ /\.dsc$/ { print $1 "/" $3 }' <<< "$manifest"); do
  pkg=${dsc%%/*}
  rm -rf "$out/src/$pkg"
  dpkg-source -q -x "$out/dl/${dsc#*/}" "$out/src/$pkg" 2>&1 | grep -v '^gpgv:' >&2 || true
  [ -d "$out/src/$pkg" ] || { echo "fetch.sh: could not unpack ${dsc#*/}" >&2; exit 1; }
done
echo "fetch.sh: $(awk '$3 ~ /\.dsc$/' <<< "$manifest" | wc -l) source packages in $out/src" >&2
