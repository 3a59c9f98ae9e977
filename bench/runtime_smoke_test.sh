#!/usr/bin/env bash
# Smoke test for //bench:runtime: one quick pass must exit 0 and give every workload a positive
# items/s rate for both proa and Asio.
set -uo pipefail

binary=$1
output="${TEST_TMPDIR:-/tmp}/runtime_bench_output.txt"

if ! "$binary" --quick --benchmark_color=false >"$output" 2>&1; then
  cat "$output"
  echo "FAIL: $binary --quick exited non-zero"
  exit 1
fi

failures=0
for workload in post_1thread post_batch_then_run post_2threads post_foreign strand \
    strand_2threads timer timer_cancel; do
  # Table rows: workload, proa Mitems/s, asio Mitems/s, ratio, proa allocs, asio allocs.
  row=$(awk -v name="$workload" '$1 == name && NF == 6' "$output" | tail -n 1)
  if [[ -z $row ]]; then
    echo "FAIL: no table row for $workload"
    failures=$((failures + 1))
    continue
  fi
  if ! awk '{ exit !($2 != "-" && $2 + 0 > 0 && $3 != "-" && $3 + 0 > 0) }' <<<"$row"; then
    echo "FAIL: rate missing or not positive: $row"
    failures=$((failures + 1))
  fi
done

if ((failures > 0)); then
  cat "$output"
  exit 1
fi
echo "all workloads produced positive rates"
