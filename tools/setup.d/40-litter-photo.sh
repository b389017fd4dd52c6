#!/usr/bin/env bash
# A real photograph of a litter-class object for the analytics test with the real person model
# (issue 12): Debian darknet's photos hold no bottle, cup or bag, but scikit-image's sample data
# has coffee.png (a cup, public domain, which models/person detects as "cup"). Only that file is
# taken from Debian's python3-skimage package (downloaded, not installed: the package would pull
# 139 packages — scipy, matplotlib, dask — that nothing here needs). Pinned by sha256.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${GATEWAY_CACHE:-$repo/.cache}"
out="$cache/photos"
photo="$out/coffee.png"
sha256="cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"

log() { printf 'setup: litter photo: %s\n' "$*" >&2; }
die() { printf 'setup: litter photo: ERROR: %s\n' "$*" >&2; exit 1; }

if [ -f "$photo" ] && echo "$sha256  $photo" | sha256sum -c --quiet - 2>/dev/null; then
  log "${photo#"$repo"/} present"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download needs the package lists; fetch them once if this machine has none yet.
if ! (cd "$work" && apt-get download -qq python3-skimage >/dev/null 2>&1); then
  apt-get update -qq || die "apt-get update failed"
  (cd "$work" && apt-get download -qq python3-skimage >/dev/null) || die "apt-get download python3-skimage failed"
fi
dpkg-deb -x "$work"/python3-skimage_*.deb "$work/x" || die "cannot unpack $(ls "$work")"
mkdir -p "$out"
cp "$work/x/usr/lib/python3/dist-packages/skimage/data/coffee.png" "$photo.tmp"
echo "$sha256  $photo.tmp" | sha256sum -c --quiet - || die "coffee.png from $(basename "$work"/python3-skimage_*.deb) is not the pinned one"
mv "$photo.tmp" "$photo"
log "took coffee.png from $(basename "$work"/python3-skimage_*.deb) into ${out#"$repo"/}"
