#!/usr/bin/env bash
# Proves the README's first command on the fresh root that fresh-machine-test.sh prepared: inside it,
# `tools/setup.sh && dotnet run -c Release --project Gateway.Host -- demo`, and the mosquitto_sub line
# the demo prints, listening for 120 s from the moment setup finished. Prints what arrived (telemetry,
# events by type, the first crowd and litter events with their seq, the snapshots with their sizes)
# and fails unless telemetry, a crowd.gathering/dispersed pair and a litter.detected/cleared pair with
# their snapshots arrived within those two minutes.
#
#   sudo tools/fresh-machine-test.sh ROOT && sudo tools/fresh-machine-demo.sh ROOT
set -euo pipefail
root="${1:?usage: fresh-machine-demo.sh ROOT (a root made by fresh-machine-test.sh)}"
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine-demo: run as root (chroot and bind mounts need it)" >&2; exit 1; }
[ -f "$root/.fresh-machine-root" ] && [ -d "$root/src" ] || { echo "fresh-machine-demo: $root is not a root made by fresh-machine-test.sh" >&2; exit 1; }

cat >"$root/fresh-machine-demo.inner.sh" <<'INNER'
set -u
cd /src
tools/setup.sh >/tmp/demo-setup.out 2>&1 || { echo "setup failed:"; tail -5 /tmp/demo-setup.out; exit 1; }
t1=$(date +%s)
dotnet run -c Release --project Gateway.Host -- demo >/tmp/demo.out 2>&1 &
demo=$!
for _ in $(seq 1 600); do grep -q "^demo: city topics" /tmp/demo.out && break; sleep 0.2; done
line=$(grep "^demo: city topics" /tmp/demo.out | sed 's/^demo: city topics *//') || { echo "the demo printed no mosquitto_sub line:"; cat /tmp/demo.out; kill $demo; exit 1; }
port=$(sed -E 's/.*-p ([0-9]+).*/\1/' <<<"$line")
left=$((120 - ($(date +%s) - t1)))
timeout $left mosquitto_sub -h 127.0.0.1 -p "$port" -t 'city/#' -F '@H:@M:@S %t %l' >/tmp/sub-all.out & s1=$!
timeout $left mosquitto_sub -h 127.0.0.1 -p "$port" -t 'city/+/events' >/tmp/sub-events.out & s2=$!
wait $s1 $s2
kill -TERM $demo; wait $demo; echo "demo exit code $? after SIGTERM"
echo "--- the demo's console, first lines (password masked)"
grep '^demo:' /tmp/demo.out | sed -E 's/password [^ ]+/password ********/'
echo "--- in the 120 s after setup finished (demo started $(date -d @$t1 +%H:%M:%S)), messages by topic"
awk '{ split($2, a, "/"); print a[3] }' /tmp/sub-all.out | sort | uniq -c
echo "--- events by type"
grep -o '"type":"[a-z.]*"' /tmp/sub-events.out | sort | uniq -c
echo "--- first crowd and litter events"
grep -E '"type":"(crowd|litter)\.' /tmp/sub-events.out | head -4 | python3 -c '
import sys, json
for l in sys.stdin:
    e = json.loads(l); print(e["ts"], "seq", e["seq"], e["type"], json.dumps(e["data"])[:150])'
echo "--- snapshots (time, topic, bytes)"
grep /snapshots/ /tmp/sub-all.out || true
ok=1
grep -q ' city/[^/]*/telemetry ' /tmp/sub-all.out || { echo "MISSING: telemetry"; ok=0; }
for t in crowd.gathering crowd.dispersed litter.detected litter.cleared; do
  grep -q "\"type\":\"$t\"" /tmp/sub-events.out || { echo "MISSING: $t"; ok=0; }
done
# The first detected and the first cleared (a later event may have met the 120 s cut before its JPEG).
for seq in $(for t in litter.detected litter.cleared; do grep -m1 "\"type\":\"$t\"" /tmp/sub-events.out; done | python3 -c 'import sys, json; [print(json.loads(l)["seq"]) for l in sys.stdin]'); do
  grep -q "/snapshots/$seq " /tmp/sub-all.out || { echo "MISSING: the snapshot of event $seq"; ok=0; }
done
[ $ok = 1 ] && echo "fresh-machine-demo: telemetry, both crowd and litter pairs and their snapshots within 120 s" || exit 1
INNER

unshare -m --propagation private bash -c '
  set -e; root=$1
  mount --bind "$root" "$root"; mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"; mount --rbind /dev "$root/dev"; mount -t tmpfs tmpfs "$root/tmp"
  exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash /fresh-machine-demo.inner.sh
' fresh-machine-demo "$root"
