#!/usr/bin/env bash
# The test suite N times in a row on a machine loaded with K CPU hogs (issue 11 acceptance: the
# suite stays green with two hogs, five runs in a row). Builds once, then runs the built tests.
#   tools/suite-under-load.sh [RUNS=5] [HOGS=2]
# Prints one line per run (passed/failed/duration) and the load average; exits non-zero if any run failed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
hogs="${2:-2}"
log_dir="$(mktemp -d /tmp/suite-under-load.XXXXXX)"
cd "$repo"
dotnet build EdgeGateway.sln -c Release >"$log_dir/build.log" 2>&1 || { echo "build failed: $log_dir/build.log" >&2; exit 1; }

pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq "$hogs"); do
  # A busy loop per hog: each takes a whole core whenever the scheduler lets it.
  sh -c 'while :; do :; done' &
  pids+=($!)
done

failed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if dotnet test EdgeGateway.sln -c Release --no-build >"$log_dir/run-$i.log" 2>&1; then status=green; else status=RED; failed=$((failed + 1)); fi
  summary="$(grep -E '^(Passed|Failed)!' "$log_dir/run-$i.log" | tail -1 | sed 's/ - Gateway.Tests.dll.*//')"
  printf 'run %d/%d (%d hogs): %s in %ds, load %s | %s\n' "$i" "$runs" "$hogs" "$status" "$(( $(date +%s) - start ))" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$summary"
  [ "$status" = RED ] && grep -E '^\s+Failed ' "$log_dir/run-$i.log" | sed 's/^/    /'
done
echo "logs: $log_dir"
exit $((failed > 0))
