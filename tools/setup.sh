#!/usr/bin/env bash
# One idempotent setup for the README's two commands and for CI.
#  - Debian packages the product and its tests use (real peers: mosquitto, paho, pymodbus,
#    socat, ffmpeg, mbpoll, chromium, python3-onnx, ...), installed only when missing;
#  - ONNX Runtime's native libraries for linux-x64 and linux-arm64, taken from the npm
#    package onnxruntime-node@1.22.0 (the NuGet package is not obtainable here) and checked
#    against pinned sha256 sums, into native/onnxruntime/<rid>/ (git-ignored).
# Re-running it when everything is present takes a second or two.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${GATEWAY_CACHE:-$repo/.cache}"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# --- Debian packages --------------------------------------------------------------------
# Keep this list in step with docs/ENVIRONMENT notes in README.md; add to it as issues need.
packages=(
  mosquitto mosquitto-clients        # MQTT broker and the broker authors' C clients
  python3-paho-mqtt                  # independent MQTT client (Eclipse paho)
  python3-pymodbus mbpoll            # independent Modbus server and client
  socat                              # pty pairs for serial tests
  gcc libc6-dev linux-libc-dev       # GPIO/I2C kernel struct layouts checked against linux/gpio.h, i2c-dev.h
  ffmpeg                             # video sources, image decode, JPEG encode
  python3-onnx python3-numpy         # test models, reference outputs, model converter
  python3-jsonschema                 # independent check of the shipped configuration schema
  chromium                           # browser tests of the technician's web page
  darknet                            # real test photos (person.jpg)
  openssl ca-certificates curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed"
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
else
  log "Debian packages present"
fi

# --- ONNX Runtime native libraries -------------------------------------------------------
ort_version=1.22.0
ort_tgz_sha=8007ce525b5b185b77d2b4103d3ec147ecef6d861eb14726d0bdda5e2947dbd7
declare -A ort_lib_sha=(
  [linux-x64]=08cf3bf4218f0e816c2a534e960d85221274cb319569bdf1136b29da7065b015
  [linux-arm64]=0afd69a0ae38c5099fd0e8604dda398ac43dee67cd9c6394b5142b19e82528de
)
declare -A ort_npm_dir=([linux-x64]=x64 [linux-arm64]=arm64)

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

need_ort=0
for rid in "${!ort_lib_sha[@]}"; do
  sha_ok "$repo/native/onnxruntime/$rid/libonnxruntime.so.1" "${ort_lib_sha[$rid]}" || need_ort=1
done
if ((need_ort)); then
  mkdir -p "$cache"
  tgz="$cache/onnxruntime-node-$ort_version.tgz"
  if ! sha_ok "$tgz" "$ort_tgz_sha"; then
    log "fetching onnxruntime-node@$ort_version from the npm registry (93 MB, no install scripts)"
    command -v npm >/dev/null || die "npm is needed to fetch ONNX Runtime"
    rm -f "$tgz"
    (cd "$cache" && npm pack --silent "onnxruntime-node@$ort_version" >/dev/null) || die "npm pack onnxruntime-node@$ort_version failed"
    sha_ok "$tgz" "$ort_tgz_sha" || die "onnxruntime-node-$ort_version.tgz does not match its pinned sha256"
  fi
  for rid in "${!ort_lib_sha[@]}"; do
    dest="$repo/native/onnxruntime/$rid"
    mkdir -p "$dest"
    member="package/bin/napi-v6/linux/${ort_npm_dir[$rid]}/libonnxruntime.so.1"
    tar -xzf "$tgz" -O "$member" > "$dest/libonnxruntime.so.1.tmp"
    sha_ok "$dest/libonnxruntime.so.1.tmp" "${ort_lib_sha[$rid]}" || { rm -f "$dest/libonnxruntime.so.1.tmp"; die "$member does not match its pinned sha256"; }
    mv "$dest/libonnxruntime.so.1.tmp" "$dest/libonnxruntime.so.1"
    log "ONNX Runtime $ort_version for $rid -> native/onnxruntime/$rid/"
  done
else
  log "ONNX Runtime $ort_version native libraries present"
fi

# --- Models (later issues add their fetch/convert steps here) -----------------------------
for step in "$repo"/tools/setup.d/*.sh; do
  [ -e "$step" ] || continue
  log "running ${step#"$repo"/}"
  bash "$step" || die "${step#"$repo"/} failed"
done

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
log "ready"
