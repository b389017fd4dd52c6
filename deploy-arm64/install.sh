#!/usr/bin/env bash
# First installation of the gateway on a pole, from an unpacked bundle:
#   sudo edge-gateway-<version>-<rid>/deploy/install.sh [--root DIR] [--start-timeout S] [--settle S] [BUNDLE]
# BUNDLE (a .tar.gz or a folder) defaults to the bundle this script is in. Creates user and groups,
# puts the version under /opt/edge-gateway, installs unit and udev rules, keeps an existing
# /etc/edge-gateway/gateway.json (else installs the example for editing), enables and starts the
# service and waits until it is healthy. Steps and layout: deploy-arm64/README.md.
script=install.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
# shellcheck source=deploy-common.sh
. "$here/deploy-common.sh"

parse_common "$@"
[ ${#args[@]} -le 1 ] || usage
bundle=${args[0]:-$(dirname "$here")}

if [ -n "$(linked current)" ]; then
  die "already installed (current is $(linked current)); use upgrade.sh to install another version"
fi
version=$(stage_bundle "$bundle") || exit 1
say "verified and unpacked $version into $base/$version"
ensure_user

mkdir -p "$etc" "$state"
if [ ! -e "$etc/gateway.json" ]; then
  install -m 0640 "$base/$version/gateway.example.json" "$etc/gateway.json"
  # its schema beside it, so that "$schema" resolves for editors
  install -m 0644 "$base/$version/gateway.schema.json" "$etc/gateway.schema.json"
  say "installed the example configuration as $etc/gateway.json: edit it (node id, broker, devices) before relying on this node"
else
  say "keeping $etc/gateway.json"
fi
chown -R "root:$service" "$etc" 2>/dev/null || [ -n "$root" ] || die "cannot give group $service read access to $etc"
chmod 0750 "$etc"
check_config "$version" || die "$version rejects $etc/gateway.json (above); fix it and run install.sh again"

install_system_files "$version"
point current "$version"
sysctl enable "$service" >/dev/null
if start_and_gate; then
  say "$service $version installed and running"
else
  die "$version installed but not healthy: $why (journalctl -u $service)"
fi
