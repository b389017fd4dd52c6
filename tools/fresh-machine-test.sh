#!/usr/bin/env bash
# Proves the README's test command on a fresh Debian 12 machine, as a new user would meet it.
#
#   sudo tools/fresh-machine-test.sh [ROOT] [COMMIT]
#
# 1. `debootstrap --variant=minbase bookworm ROOT` (skipped when ROOT already holds a Debian
#    root made by this script: delete ROOT to start from nothing);
# 2. only the README's prerequisites go in: the .NET SDK of this machine (copied, with the
#    libraries Microsoft lists as its dependencies on Debian 12) and Debian's npm — plus the
#    network's egress TLS CA, which every machine provisioned here carries;
# 3. a clean clone of COMMIT (default HEAD) of this repository goes to ROOT/src;
# 4. inside a chroot (private mount namespace: /proc, /sys, /dev bound, nothing left mounted
#    afterwards) it runs exactly `tools/setup.sh && dotnet test EdgeGateway.sln -c Release`.
# The log is ROOT/src/fresh-machine-test.log; the exit code is the test command's.
# Needs root, debootstrap and network access to the Debian archive, NuGet and npm.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${1:-/tmp/edge-gateway-fresh-root}"
commit="$(git -C "$repo" rev-parse "${2:-HEAD}")"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf 'fresh-machine: %s\n' "$*" >&2; }
die() { printf 'fresh-machine: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot and bind mounts need it)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
dotnet_home="$(dirname "$(readlink -f "$(command -v dotnet)")")"
[ -x "$dotnet_home/dotnet" ] || die "no .NET SDK on this machine's PATH to copy into the root"

if [ ! -f "$root/.fresh-machine-root" ]; then
  log "debootstrap --variant=minbase bookworm $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $root.debootstrap.log"
  touch "$root/.fresh-machine-root"
fi

# The SDK's own dependencies on Debian 12 (what Microsoft's packages pull in), then the SDK itself.
cp /etc/resolv.conf "$root/etc/resolv.conf"
# debootstrap writes no /etc/hosts; every installed Debian has one naming localhost (written by
# the installer or the cloud image), and the TLS tests connect to "localhost" as the name in the broker's certificate.
[ -f "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
in_root() {
  unshare -m --propagation private bash -c '
    set -e
    root=$1; shift
    # On a machine / is a mount point; make the root one too, or tests that unshare a private
    # mount namespace (unshare -m --propagation private) fail with "cannot change root propagation".
    mount --bind "$root" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/tmp"
    exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' in_root "$root" "$@"
}
log "prerequisites: .NET SDK from $dotnet_home (+ libicu72 libssl3 zlib1g ca-certificates tzdata), npm"
in_root bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends libicu72 libssl3 zlib1g ca-certificates tzdata libstdc++6 libgcc-s1 npm >/dev/null'
# A machine on this network trusts its egress TLS CA (the host's /usr/local/share/ca-certificates);
# without it npm and NuGet see a self-signed chain. Carried over as a provisioned machine has it.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  in_root update-ca-certificates >/dev/null
fi
mkdir -p "$root/usr/share/dotnet"
cp -a "$dotnet_home/." "$root/usr/share/dotnet/"
ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"

log "clean clone of $commit into $root/src"
rm -rf "$root/src"
git clone -q --no-local "$repo" "$root/src"
git -C "$root/src" checkout -q "$commit"

log "running the README's test command inside the root (log: $root/src/fresh-machine-test.log)"
set +e
in_root bash -c 'cd /src && { tools/setup.sh && dotnet test EdgeGateway.sln -c Release; } >fresh-machine-test.log 2>&1'
rc=$?
set -e
tail -n 5 "$root/src/fresh-machine-test.log" >&2
log "exit code $rc"
exit "$rc"
