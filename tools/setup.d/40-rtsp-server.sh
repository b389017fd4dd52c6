#!/usr/bin/env bash
# The loopback RTSP camera of the camera tests and benchmarks (issue 12):
# Gateway.Simulation/Video/rtsp_loop_server.py runs gst-rtsp-server through Debian's python3-gi.
# Installs the GStreamer packages when missing, then asks the script itself whether every element
# it needs is there (the same check `tools/setup.sh --check` runs).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
script="$repo/Gateway.Simulation/Video/rtsp_loop_server.py"
packages=(gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)

log() { printf 'setup: rtsp-server: %s\n' "$*" >&2; }
die() { printf 'setup: rtsp-server: ERROR: %s\n' "$*" >&2; exit 1; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "apt-get install failed for: ${missing[*]}"
fi
/usr/bin/python3 "$script" --check || die "the RTSP test server cannot run (see above)"
log "gst-rtsp-server, python3-gi and the GStreamer elements present"
