#!/usr/bin/env bash
# Returns a pole to an installed version, health-gated like an upgrade:
#   sudo /opt/edge-gateway/current/deploy/rollback.sh [--root DIR] [--start-timeout S] [--settle S] [VERSION]
# VERSION defaults to /opt/edge-gateway/previous. If it does not come up healthy, the version that
# ran before is started again and the script exits 1. Configuration and data are kept.
script=rollback.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,6s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
# shellcheck source=deploy-common.sh
. "$here/deploy-common.sh"

parse_common "$@"
[ ${#args[@]} -le 1 ] || usage

from=$(linked current)
[ -n "$from" ] || die "nothing installed under $base (no current)"
to=${args[0]:-$(linked previous)}
[ -n "$to" ] || die "no previous version recorded; name one of: $(find "$base" -mindepth 1 -maxdepth 1 -type d -regex '.*/[0-9.]+' -printf '%f ')"
[ -d "$base/$to" ] || die "version $to is not installed under $base"
[ "$to" != "$from" ] || die "$to is already the current version"
(cd "$base/$to" && sha256sum --quiet --strict -c MANIFEST >/dev/null 2>&1) || die "$base/$to no longer matches its MANIFEST; not switching to it"
check_config "$to" || die "$to rejects $etc/gateway.json (above); $from keeps running, nothing changed"

say "rolling back $from -> $to"
rc=0
switch_to "$from" "$to" || rc=$?
case $rc in
  0) say "$service $to running (previous: $from)" ;;
  1) die "rollback to $to failed: $why; $from is running again" ;;
  *) printf '%s: ERROR: rollback to %s failed and %s\n' "$script" "$to" "$why" >&2; exit 2 ;;
esac
