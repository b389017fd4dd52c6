#!/usr/bin/env bash
# ARM64 user-mode emulation for the Deploy tests (issue 14): the linux-arm64 bundle runs here under
# qemu-aarch64 with Debian's arm64 C and C++ runtime libraries as its sysroot (-L /usr/aarch64-linux-gnu).
# The libraries are the cross-compilers' runtime packages: nothing of the machine's own libc changes.
set -euo pipefail

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
