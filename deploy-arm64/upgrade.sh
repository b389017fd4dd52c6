#!/usr/bin/env bash
# Upgrades a pole to another bundle, health-gated:
#   sudo deploy/upgrade.sh [--root DIR] [--start-timeout S] [--settle S] [BUNDLE]
# BUNDLE (a .tar.gz or a folder) defaults to the bundle this script is in. Verifies its MANIFEST,
# checks the kept configuration with the new version, stops the running gateway, switches
# /opt/edge-gateway/current, starts the new one and waits until it is healthy. If it is not,
# the previous version is switched back and started by itself, and the script exits 1.
# Configuration and /var/lib/edge-gateway are never touched. Exit 2: neither version runs.
script=upgrade.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
# shellcheck source=deploy-common.sh
. "$here/deploy-common.sh"

parse_common "$@"
[ ${#args[@]} -le 1 ] || usage
bundle=${args[0]:-$(dirname "$here")}

from=$(linked current)
[ -n "$from" ] || die "nothing installed under $base (no current): use install.sh"
to=$(stage_bundle "$bundle") || exit 1
[ "$to" != "$from" ] || die "$to is already the current version"
check_config "$to" || die "$to rejects $etc/gateway.json (above); $from keeps running, nothing changed"
ensure_user

say "upgrading $from -> $to"
rc=0
switch_to "$from" "$to" || rc=$?
case $rc in
  0) say "$service $to running (previous: $from; rollback.sh returns to it)"; prune ;;
  1) die "upgrade to $to failed: $why; rolled back to $from, which is running" ;;
  *) printf '%s: ERROR: upgrade to %s failed and %s\n' "$script" "$to" "$why" >&2; exit 2 ;;
esac
