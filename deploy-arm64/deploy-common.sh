# Shared by install.sh, upgrade.sh and rollback.sh (sourced, not run). The layout on a pole:
#   /opt/edge-gateway/<version>/        one unpacked, verified bundle per version
#   /opt/edge-gateway/current           symlink to the running version (switched atomically)
#   /opt/edge-gateway/previous          symlink to the version before it (rollback.sh's default)
#   /etc/edge-gateway/gateway.json      the configuration: never overwritten
#   /var/lib/edge-gateway/              store, users, certificate, pulse counters: never touched
# Every path is under --root DIR (default /). SYSTEMCTL (default systemctl) is the service manager:
# the tests point it at a stand-in that really starts and stops the gateway.

set -euo pipefail

service=edge-gateway
root=/
systemctl_cmd=(${SYSTEMCTL:-systemctl})
start_timeout=120   # seconds for READY=1 after `systemctl start` returned
settle=10           # seconds the new main process must then stay active, with the same pid
keep=3              # versions kept under /opt/edge-gateway (current and previous always)

say() { printf '%s: %s\n' "$script" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$script" "$*" >&2; exit 1; }

# Options common to the three scripts; the rest stay in "${args[@]}".
parse_common() {
  args=()
  while [ $# -gt 0 ]; do
    case $1 in
      --root) [ $# -ge 2 ] || die "--root needs a directory"; root=$2; shift 2 ;;
      --start-timeout) [ $# -ge 2 ] || die "--start-timeout needs seconds"; start_timeout=$2; shift 2 ;;
      --settle) [ $# -ge 2 ] || die "--settle needs seconds"; settle=$2; shift 2 ;;
      -h|--help) usage ;;
      *) args+=("$1"); shift ;;
    esac
  done
  [[ $start_timeout =~ ^[0-9]+$ && $settle =~ ^[0-9]+$ ]] || die "--start-timeout and --settle take whole seconds"
  [ -d "$root" ] || die "--root $root is not a directory"
  root=$(cd "$root" && pwd)
  [ "$root" = / ] && root=
  base=$root/opt/edge-gateway
  etc=$root/etc/edge-gateway
  state=$root/var/lib/edge-gateway
  if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (sudo): it installs a system service"
  fi
}

sysctl() { "${systemctl_cmd[@]}" "$@"; }

# The machine's bundle RID: a bundle for another machine is refused before anything changes.
machine_rid() {
  case $(uname -m) in
    aarch64|arm64) echo linux-arm64 ;;
    x86_64|amd64) echo linux-x64 ;;
    *) echo "unsupported-$(uname -m)" ;;
  esac
}

manifest_field() { sed -n "s/^# $2 //p" "$1/MANIFEST" | head -n1; }

# Unpacks a bundle (its tar.gz or its folder) into $base/<version> after checking its MANIFEST:
# every file listed with the right sha256, no file that is not listed, the machine's RID.
# Prints the version. An existing, identical version directory is reused.
stage_bundle() {
  local source=$1 work dir version rid
  mkdir -p "$base"
  work=$(mktemp -d "$base/.incoming.XXXXXX")
  if [ -f "$source" ]; then
    tar -xzf "$source" -C "$work" || { rm -rf "$work"; die "cannot unpack $source"; }
    dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n2)
    [ "$(printf '%s\n' "$dir" | wc -l)" -eq 1 ] && [ -n "$dir" ] || { rm -rf "$work"; die "$source does not hold one bundle folder"; }
  elif [ -d "$source" ]; then
    cp -a "$source" "$work/bundle"
    dir=$work/bundle
  else
    rm -rf "$work"; die "no bundle at $source"
  fi
  [ -f "$dir/MANIFEST" ] || { rm -rf "$work"; die "$source has no MANIFEST: not a gateway bundle"; }
  version=$(manifest_field "$dir" version)
  rid=$(manifest_field "$dir" rid)
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { rm -rf "$work"; die "$source: MANIFEST names no version X.Y.Z"; }
  [ "$rid" = "$(machine_rid)" ] || { rm -rf "$work"; die "$source is for $rid, this machine is $(machine_rid)"; }
  if ! (cd "$dir" && sha256sum --quiet --strict -c MANIFEST >/dev/null 2>"$work/sha256.err"); then
    say "$(cat "$work/sha256.err")"
    (cd "$dir" && sha256sum --quiet -c MANIFEST 2>/dev/null | sed "s/^/$script:   /" >&2) || true
    rm -rf "$work"; die "$source: files do not match the MANIFEST (corrupt or altered); nothing changed"
  fi
  local extra
  extra=$(cd "$dir" && comm -13 <(grep -v '^#' MANIFEST | cut -c67- | LC_ALL=C sort) <(find . -type f ! -name MANIFEST -printf '%P\n' | LC_ALL=C sort) | head -n5)
  [ -z "$extra" ] || { rm -rf "$work"; die "$source: files not in the MANIFEST: $extra; nothing changed"; }
  if [ -d "$base/$version" ]; then
    if ! (cd "$base/$version" && sha256sum --quiet --strict -c "$dir/MANIFEST" >/dev/null 2>&1); then
      rm -rf "$work"; die "$base/$version exists with other files; remove it or build another version"
    fi
    rm -rf "$work"
  else
    chmod 0755 "$dir"
    mv -T "$dir" "$base/$version"
    rm -rf "$work"
  fi
  echo "$version"
}

# Points $base/$1 (current or previous) at version $2: a new symlink renamed over the old, so a
# reader sees the old target or the new one, never none.
point() {
  ln -sfn "$2" "$base/.$1.tmp"
  mv -T "$base/.$1.tmp" "$base/$1"
}

linked() { [ -L "$base/$1" ] && readlink "$base/$1" || true; }

# The version's unit and udev rules, the user and its groups (what a version needs from the system).
install_system_files() {
  local dir=$base/$1
  mkdir -p "$root/etc/systemd/system" "$root/etc/udev/rules.d"
  install -m 0644 "$dir/deploy/edge-gateway.service" "$root/etc/systemd/system/$service.service.tmp"
  mv -T "$root/etc/systemd/system/$service.service.tmp" "$root/etc/systemd/system/$service.service"
  install -m 0644 "$dir/deploy/99-edge-gateway.rules" "$root/etc/udev/rules.d/99-edge-gateway.rules"
  if [ -z "$root" ] && command -v udevadm >/dev/null; then
    udevadm control --reload && udevadm trigger --subsystem-match=gpio --subsystem-match=i2c-dev \
      --subsystem-match=tty --subsystem-match=video4linux || say "udev reload failed; device groups apply after a reboot"
  fi
  sysctl daemon-reload
}

ensure_user() {
  local prefix=() group
  [ -n "$root" ] && prefix=(--prefix "$root")
  for group in gpio i2c dialout video; do
    if ! grep -q "^$group:" "$root/etc/group" 2>/dev/null; then
      groupadd "${prefix[@]}" --system "$group" || die "cannot create group $group"
      say "created group $group"
    fi
  done
  if ! grep -q "^$service:" "$root/etc/passwd" 2>/dev/null; then
    # No home, no shell, no password: the account exists to own the service's files.
    useradd "${prefix[@]}" --system --user-group --no-create-home --home-dir "/var/lib/$service" \
      --shell /usr/sbin/nologin --comment "edge gateway service" "$service" || die "cannot create user $service"
    say "created user $service"
  fi
}

# The kept configuration must be one the version accepts: checked before anything is stopped.
check_config() {
  local out
  if ! out=$("$base/$1/edge-gateway" check-config --config "$etc/gateway.json" 2>&1); then
    say "$out"
    return 1
  fi
}

property() { sysctl show -p "$1" "$service" | sed -n "s/^$1=//p"; }

# Starts the service and waits until it is healthy: `systemctl start` returned (Type=notify: after
# READY=1, i.e. the store is open and every component started), ActiveState is active, and the
# same main process stays active for $settle seconds (the watchdog is armed by then). Returns 1
# with the reason in $why otherwise.
start_and_gate() {
  why=
  if ! sysctl start "$service"; then
    why="systemctl start $service failed (no READY=1: the gateway exited or timed out while starting)"
    return 1
  fi
  local deadline=$(( $(date +%s) + start_timeout )) active pid first
  while :; do
    active=$(property ActiveState)
    [ "$active" = active ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      why="not active within ${start_timeout}s (ActiveState=$active)"
      return 1
    fi
    sleep 1
  done
  first=$(property MainPID)
  deadline=$(( $(date +%s) + settle ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 1
    active=$(property ActiveState)
    pid=$(property MainPID)
    if [ "$active" != active ] || [ "$pid" != "$first" ]; then
      why="did not stay up: ActiveState=$active, main pid $first then ${pid:-none} within ${settle}s of READY"
      return 1
    fi
  done
}

stop_service() {
  sysctl stop "$service" || die "systemctl stop $service failed; nothing switched"
  local active
  active=$(property ActiveState)
  case $active in
    inactive|failed) ;;
    *) die "$service is still $active after stop; nothing switched (two gateways must never share the store)" ;;
  esac
}

# Stops what runs, switches current to $to, starts it and gates on its health; on failure puts
# $from back (its unit too) and starts it again. Returns 0 when $to runs, 1 when $from runs again,
# 2 when neither could be started.
switch_to() {
  local from=$1 to=$2
  stop_service
  install_system_files "$to"
  point current "$to"
  say "switched current to $to; starting it"
  if start_and_gate; then
    [ -n "$from" ] && [ "$from" != "$to" ] && point previous "$from"
    return 0
  fi
  local failure=$why
  say "$to is not healthy: $failure"
  [ -n "$from" ] || { sysctl stop "$service" || true; return 2; }
  sysctl stop "$service" || true
  install_system_files "$from"
  point current "$from"
  say "switched current back to $from; starting it"
  if start_and_gate; then
    why=$failure
    return 1
  fi
  why="$failure; and $from did not come back either: $why"
  return 2
}

# Removes old versions beyond $keep, never current or previous.
prune() {
  local current previous v kept=0
  current=$(linked current)
  previous=$(linked previous)
  for v in $(find "$base" -mindepth 1 -maxdepth 1 -type d -regex '.*/[0-9]+\.[0-9]+\.[0-9]+' -printf '%f\n' | sort -V -r); do
    if [ "$v" = "$current" ] || [ "$v" = "$previous" ]; then
      continue
    fi
    kept=$((kept + 1))
    if [ "$kept" -gt $((keep - 2)) ]; then
      rm -rf "${base:?}/$v"
      say "removed old version $v"
    fi
  done
}
