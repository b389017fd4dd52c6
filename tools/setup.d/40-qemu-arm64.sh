#!/usr/bin/env bash
# ARM64 user-mode emulation for the Deploy tests (issue 14): the linux-arm64 bundle runs here under
# qemu-aarch64 with Debian's arm64 C and C++ runtime libraries as its sysroot (-L /usr/aarch64-linux-gnu).
# The libraries are the cross-compilers' runtime packages: nothing of the machine's own libc changes.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${GATEWAY_CACHE:-$repo/.cache}"

log() { printf 'setup: qemu-arm64: %s\n' "$*" >&2; }
die() { printf 'setup: qemu-arm64: ERROR: %s\n' "$*" >&2; exit 1; }

packages=(qemu-user libc6-arm64-cross libstdc++6-arm64-cross)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "apt-get install failed for: ${missing[*]}"
fi
# An arm64 program must really start: the loader and libstdc++ are where -L looks for them.
/usr/bin/qemu-aarch64 -L /usr/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 --version >/dev/null 2>&1 \
  || die "qemu-aarch64 cannot run the arm64 loader from /usr/aarch64-linux-gnu"
log "qemu-aarch64 $(/usr/bin/qemu-aarch64 --version | head -n1 | awk '{print $3}') with the arm64 sysroot /usr/aarch64-linux-gnu"

# OpenSSL for arm64: .NET needs libssl.so.3 for its hashes, TLS and certificates (a pole's Debian has
# libssl3). The cross sysroot has none, so Debian's arm64 package is downloaded and unpacked into the
# cache (not installed), and the tests hand it to the emulated gateway as LD_LIBRARY_PATH.
ssl="$cache/arm64-libssl"
if [ ! -e "$ssl/usr/lib/aarch64-linux-gnu/libssl.so.3" ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture to apt (package lists only: nothing arm64 is installed)"
    "${sudo_cmd[@]}" dpkg --add-architecture arm64
    "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed after adding arm64"
  fi
  work="$(mktemp -d)"
  chmod 755 "$work"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq libssl3:arm64 >/dev/null 2>&1) \
    || { "${sudo_cmd[@]}" apt-get update -qq && (cd "$work" && apt-get download -qq libssl3:arm64 >/dev/null); } \
    || die "apt-get download libssl3:arm64 failed"
  rm -rf "$ssl"
  mkdir -p "$ssl"
  dpkg-deb -x "$work"/libssl3_*_arm64.deb "$ssl" || die "cannot unpack $(ls "$work")"
  log "unpacked $(basename "$work"/libssl3_*_arm64.deb) into ${ssl#"$repo"/}"
fi
[ -e "$ssl/usr/lib/aarch64-linux-gnu/libssl.so.3" ] || die "no arm64 libssl.so.3 under $ssl"
