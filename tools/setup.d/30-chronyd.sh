#!/usr/bin/env bash
# chronyd as the independent NTP server the SNTP client is tested against (issue 11). Only the
# binary, unpacked from Debian's chrony package into .cache/chrony: installing the package would
# replace the machine's own time daemon (it conflicts with systemd-timesyncd) and start a service
# that steers this machine's clock. The tests run it with -x (never touches the clock) on a
# loopback port. Its libraries come from Debian packages that tools/setup.sh installs.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${GATEWAY_CACHE:-$repo/.cache}"
out="$cache/chrony"
chronyd="$out/usr/sbin/chronyd"

log() { printf 'setup: chronyd: %s\n' "$*" >&2; }
die() { printf 'setup: chronyd: ERROR: %s\n' "$*" >&2; exit 1; }

if [ -x "$chronyd" ] && "$chronyd" --version >/dev/null 2>&1; then
  log "${chronyd#"$repo"/} present"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download needs the package lists; fetch them once if this machine has none yet.
if ! (cd "$work" && apt-get download -qq chrony >/dev/null 2>&1); then
  apt-get update -qq || die "apt-get update failed"
  (cd "$work" && apt-get download -qq chrony >/dev/null) || die "apt-get download chrony failed"
fi
rm -rf "$out"
mkdir -p "$out"
dpkg-deb -x "$work"/chrony_*.deb "$out" || die "cannot unpack $(ls "$work")"
"$chronyd" --version >/dev/null || die "$chronyd does not run (missing libraries? ldd $chronyd)"
log "unpacked $(basename "$work"/chrony_*.deb) into ${out#"$repo"/}"
