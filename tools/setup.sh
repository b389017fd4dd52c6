#!/usr/bin/env bash
# One idempotent setup for the README's two commands and for CI.
#  - Debian packages the product and its tests use (real peers: mosquitto, paho, pymodbus,
#    socat, ffmpeg, mbpoll, chromium, python3-onnx, ...), installed only when missing;
#  - the models (tools/setup.d/*.sh: the person detector, fetched with npm and converted);
#  - a final check that every command, Python module and file the product, its tests and its
#    benchmarks use is really there; it fails naming each one that is missing.
# Re-running it when everything is present takes a second or two.
# `tools/setup.sh --check` runs only the final check (installs nothing).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# --- Check: everything the product, its tests and its benchmarks use is really there ------
# A package can be "installed" and still not give what we need (a Recommends left out, a
# module only another interpreter sees, a file moved between releases), so look for the
# things themselves and name every one that is missing.
check_all() {
  local missing=() t m f
  local tools=(
    dotnet npm                                       # build; the person model's download
    mosquitto mosquitto_pub mosquitto_sub           # broker and clients
    mbpoll socat stty stdbuf ffmpeg gcc objdump openssl curl strace chromium unshare mount setsid setpriv
    faketime                                         # libfaketime: the gateway run at 1970
    qemu-aarch64 systemd-analyze useradd groupadd sha256sum   # deploy-arm64: ARM64 bundle under emulation, unit checks, install scripts
  )
  for t in "${tools[@]}"; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing+=("command '$t'")
  done
  # Debian's interpreter, not a pyenv one first on PATH: the modules below are Debian packages.
  local python=/usr/bin/python3
  if [ -x "$python" ]; then
    # pymodbus.server, not just pymodbus: the server imports serial_asyncio at load time.
    for m in paho.mqtt.client pymodbus.server serial serial_asyncio onnx numpy jsonschema; do
      "$python" -c "import $m" >/dev/null 2>&1 || missing+=("python module '$m' for $python")
    done
  else
    missing+=("$python")
  fi
  # The loopback RTSP camera (setup.d/40-rtsp-server.sh): the script names any GStreamer piece it lacks.
  if [ -x "$python" ] && ! "$python" "$repo/Gateway.Simulation/Video/rtsp_loop_server.py" --check >/dev/null 2>&1; then
    missing+=("gst-rtsp-server for $python (gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-{base,good,bad}; setup.d/40-rtsp-server.sh)")
  fi
  local files=(
    /usr/include/linux/gpio.h /usr/include/linux/i2c-dev.h /usr/include/linux/i2c.h   # kernel ABI checks
    /usr/share/darknet/data/person.jpg                                             # the real photo
    /usr/share/fonts/truetype/wqy/wqy-microhei.ttc                                 # chromium's CJK glyphs (page screenshots)
    "$repo/models/person/model.onnx" "$repo/models/person/manifest.json"           # setup.d/20-person-model.sh
    "${GATEWAY_CACHE:-$repo/.cache}/chrony/usr/sbin/chronyd"                        # setup.d/30-chronyd.sh: NTP peer
    /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 /usr/aarch64-linux-gnu/lib/libstdc++.so.6  # setup.d/40-qemu-arm64.sh: arm64 sysroot
    "${GATEWAY_CACHE:-$repo/.cache}/arm64-libssl/usr/lib/aarch64-linux-gnu/libssl.so.3"      # setup.d/40-qemu-arm64.sh: arm64 OpenSSL
    "${GATEWAY_CACHE:-$repo/.cache}/photos/coffee.png"                               # setup.d/40-litter-photo.sh: a real cup
  )
  for f in "${files[@]}"; do
    [ -e "$f" ] || missing+=("file $f")
  done
  if command -v dotnet >/dev/null 2>&1; then
    local sdk
    sdk="$(cd "$repo" && dotnet --version 2>/dev/null || true)"
    case "$sdk" in
      1[0-9].*) ;;
      *) missing+=(".NET SDK 10 or newer (dotnet --version in $repo says '${sdk:-nothing}'; global.json asks for 10.0.100+)") ;;
    esac
  fi
  if ((${#missing[@]})); then
    printf 'setup: ERROR: missing after setup:\n' >&2
    printf 'setup:   - %s\n' "${missing[@]}" >&2
    printf 'setup: install the .NET 10 SDK and npm yourself (README: prerequisites); the rest comes from apt-get: re-run tools/setup.sh as root\n' >&2
    return 1
  fi
  log "checked: ${#tools[@]} commands, 7 python modules, ${#files[@]} files, .NET SDK $sdk"
}

check_only=0
[ "${1:-}" = "--check" ] && check_only=1
if ((check_only)); then
  check_all
  exit
fi

# --- Debian packages --------------------------------------------------------------------
# Keep this list in step with the check at the end of this file and README.md's prerequisites.
packages=(
  mosquitto mosquitto-clients        # MQTT broker and the broker authors' C clients
  python3-paho-mqtt                  # independent MQTT client (Eclipse paho)
  python3-pymodbus                   # independent Modbus server; pymodbus.server imports
  python3-serial-asyncio             # serial_asyncio (+ python3-serial), only Recommends of
                                     # python3-pymodbus, so --no-install-recommends leaves them out
  mbpoll                             # independent Modbus client
  socat                              # pty pairs for serial tests
  gcc libc6-dev linux-libc-dev       # GPIO/I2C kernel struct layouts checked against linux/gpio.h, i2c-dev.h
  binutils                           # objdump: the glibc versions the shipped natives need
  ffmpeg                             # video sources, image decode, JPEG encode
  python3-onnx python3-numpy         # test models, reference outputs, model converter
  python3-jsonschema                 # independent check of the shipped configuration schema
  chromium                           # browser tests of the technician's web page
  fonts-wqy-microhei                 # CJK glyphs for chromium: the page's Chinese labels in screenshots
  darknet                            # real test photos (person.jpg)
  strace                             # bench: fsyncs per commit counted (store vs LiteDB)
  faketime                           # libfaketime: the gateway's wall clock at 1970 in tests, the machine's untouched
  libgnutls30 libnettle8 libcap2 libseccomp2   # chronyd's libraries (setup.d/30-chronyd.sh unpacks
                                     # chronyd itself: the package would replace the machine's time daemon)
  openssl ca-certificates curl coreutils procps
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

# --- Models (later issues add their fetch/convert steps here) -----------------------------
for step in "$repo"/tools/setup.d/*.sh; do
  [ -e "$step" ] || continue
  log "running ${step#"$repo"/}"
  bash "$step" || die "${step#"$repo"/} failed"
done

check_all || exit 1
log "ready"
