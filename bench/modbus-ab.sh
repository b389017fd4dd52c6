#!/usr/bin/env bash
# Same-session A/B of the Modbus load run between two commits (e.g. two async method builders).
#
#   bench/modbus-ab.sh REV_A REV_B [rounds=6] [devices=500] [seconds=20] [warmup=5]
#
# Builds bench/Gateway.Bench of each commit into .cache/modbus-ab/<sha>/ (unpacked with git archive),
# then runs `modbus-load` in rounds of three: A, B and A again — the second A is the A/A control,
# the noise floor — rotating the order every round so that neither build always runs first or
# last. Every run uses REV_A's simulator (MODBUS_SIM_BENCH), so both builds poll the same server.
# Prints each run's result line, then per metric the median B/A and A/A ratios with their spread.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
rev_a=$(git -C "$root" rev-parse "${1:?REV_A}")
rev_b=$(git -C "$root" rev-parse "${2:?REV_B}")
rounds=${3:-6} devices=${4:-500} seconds=${5:-20} warmup=${6:-5}
cache="$root/.cache/modbus-ab"
mkdir -p "$cache"

build() {
  local rev=$1 dir="$cache/$1"
  if [[ ! -f "$dir/out/Gateway.Bench.dll" ]]; then
    rm -rf "$dir/src" && mkdir -p "$dir/src"
    git -C "$root" archive "$rev" | tar -x -C "$dir/src"
    dotnet build -c Release "$dir/src/bench/Gateway.Bench" -o "$dir/out" -v q -nologo >&2
  fi
  echo "$dir/out/Gateway.Bench.dll"
}
dll_a=$(build "$rev_a")
dll_b=$(build "$rev_b")
results="$cache/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "# A=$rev_a B=$rev_b rounds=$rounds devices=$devices seconds=$seconds warmup=$warmup load=$(cut -d' ' -f1-3 /proc/loadavg)" | tee "$results"

run() { # label dll
  local line
  line=$(MODBUS_SIM_BENCH="$dll_a" dotnet "$2" modbus-load "$devices" "$seconds" "$warmup" | grep '^modbus-load-result')
  echo "round=$r run=$1 load=$(cut -d' ' -f1 /proc/loadavg) ${line#modbus-load-result }" | tee -a "$results"
}
for ((r = 0; r < rounds; r++)); do
  case $((r % 3)) in
    0) order="A B A2" ;;
    1) order="B A2 A" ;;
    2) order="A2 A B" ;;
  esac
  for label in $order; do
    if [[ $label == B ]]; then run B "$dll_b"; else run "$label" "$dll_a"; fi
  done
done

/usr/bin/python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.startswith('#'):
        continue
    kv = dict(p.split('=', 1) for p in line.split())
    runs.setdefault(kv['round'], {})[kv['run']] = kv
metrics = ['cpu_us_per_poll', 'p50_us', 'p99_us', 'bytes_per_poll', 'gen0', 'sim_cpu_pct']
print('| metric | A median | B median | B/A median (min–max) | A2/A median (min–max), the noise floor |')
print('| --- | --- | --- | --- | --- |')
for m in metrics:
    a = [float(r['A'][m]) for r in runs.values()]
    b = [float(r['B'][m]) for r in runs.values()]
    a2 = [float(r['A2'][m]) for r in runs.values()]
    def ratios(x):
        rs = [xi / ai for xi, ai in zip(x, a) if ai > 0]
        return f'{statistics.median(rs):.3f} ({min(rs):.3f}–{max(rs):.3f})' if rs else 'n/a (A is 0)'
    print(f'| {m} | {statistics.median(a):.2f} | {statistics.median(b):.2f} | {ratios(b)} | {ratios(a2)} |')
PY
echo "raw results: $results"
