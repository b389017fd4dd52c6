#!/usr/bin/env bash
# Start-to-first-telemetry of an unpacked bundle (issue 14): the time from spawning `edge-gateway run`
# with an empty store until an independent subscriber (mosquitto_sub) receives the first telemetry
# message, set against the same run's reference: the same binary's `--version` (the runtime's own
# start, nothing of the gateway's work). Page cache warm after the first round; fresh store each round.
#   bench/deploy-cold-start.sh BUNDLE_DIR [--qemu] [--rounds N]
# --qemu runs a linux-arm64 bundle under qemu-aarch64 (emulated: not a pole's speed).
set -euo pipefail

usage() { echo "usage: $0 BUNDLE_DIR [--qemu] [--rounds N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
bundle=$(cd "$1" && pwd); shift
qemu=0
rounds=5
while [ $# -gt 0 ]; do
  case $1 in
    --qemu) qemu=1; shift ;;
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    *) usage ;;
  esac
done
for tool in mosquitto mosquitto_sub; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run tools/setup.sh" >&2; exit 1; }
done
launch=()
if ((qemu)); then
  launch=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi

work=$(mktemp -d /tmp/gw-cold-start.XXXXXX)
broker_pid=
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do mosquitto_pub -p "$port" -t bench/ready -m x 2>/dev/null && break; sleep 0.1; done

# A door contact on a simulated GPIO chip: its state is read at start, so the first reading needs no peer.
cat > "$work/gateway.json" <<JSON
{ "node": { "id": "bench-cold" }, "storage": { "path": "data/buffer.db" },
  "mqtt": { "brokers": ["mqtt://127.0.0.1:$port"], "telemetryBatchDelayMs": 100 },
  "devices": [ { "id": "door-1", "type": "gpio-input", "chip": "sim:bench", "line": 17, "activeLow": true, "debounceMs": 50 } ] }
JSON

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
echo "bundle: $bundle ($(sed -n 's/^# rid //p' "$bundle/MANIFEST"), $( ((qemu)) && echo 'qemu-aarch64 emulated' || echo native)); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %18s %8s\n' round "--version s" "first telemetry s" ratio
results=()
for round in $(seq "$rounds"); do
  t0=$(now)
  "${launch[@]}" "$bundle/edge-gateway" --version >/dev/null
  ref=$(elapsed "$t0")

  rm -rf "$work/data"
  mosquitto_sub -p "$port" -t "city/bench-cold/telemetry" -C 1 -W 600 > "$work/first.txt" &
  sub=$!
  sleep 0.5 # subscribed before the gateway exists
  t0=$(now)
  (cd "$work" && exec "${launch[@]}" "$bundle/edge-gateway" run --config "$work/gateway.json") >"$work/gateway.log" 2>&1 &
  gw=$!
  wait "$sub" || { echo "no telemetry within 600 s; gateway log:" >&2; cat "$work/gateway.log" >&2; kill "$gw"; exit 1; }
  first=$(elapsed "$t0")
  kill -TERM "$gw"; wait "$gw" || true
  ratio=$(awk -v f="$first" -v r="$ref" 'BEGIN { printf "%.2f", f / r }')
  printf '%-6s %12.3f %18.3f %8.2f\n' "$round" "$ref" "$first" "$ratio"
  results+=("$first $ref $ratio")
done
median() { printf '%s\n' "${results[@]}" | awk -v c="$1" '{ print $c }' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-6s %12.3f %18.3f %8.2f   (each column its own median)\n' median "$(median 2)" "$(median 1)" "$(median 3)"
