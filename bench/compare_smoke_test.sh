#!/usr/bin/env bash
# Smoke test for //bench:compare: a --smoke pass (every workload briefly) must exit 0, print a
# table row with positive values for both runtimes for the key workloads, and write the JSON.
# The HTTP section is left out: wrk cannot run for less than a second per server, and
# examples/http has its own smoke test of the same script.
set -uo pipefail

binary=$1
directory="${TEST_TMPDIR:-/tmp}"
output="$directory/compare_output.txt"
json="$directory/compare_results.json"

if ! "$binary" --smoke --only=handlers,strands,timers,echo --json="$json" --png="$directory/compare_results.png" >"$output" 2>&1; then
  cat "$output"
  echo "FAIL: $binary --smoke exited non-zero"
  exit 1
fi

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# A row ends with: proa, Asio, ratio, better. Both values must be positive numbers.
check_row() {
  local label=$1
  local row
  row=$(grep -F -- "$label" "$output" | grep -E ' (higher|lower)$' | head -n 1)
  if [[ -z $row ]]; then
    fail "no table row for '$label'"
    return
  fi
  if ! awk '{ proa = $(NF - 3); asio = $(NF - 2); exit !(proa + 0 > 0 && asio + 0 > 0) }' \
      <<<"$row"; then
    fail "values missing or not positive: $row"
  fi
}

check_row "post, 1 thread in run() [Mops/s]"
check_row "post from a foreign thread [Mops/s]"
check_row "dispatch from inside a handler [Mops/s]"
check_row "256 strands, 2 threads [Mops/s]"
check_row "1 hot strand, 2 threads posting into it [Mops/s]"
check_row "timers at once [Mops/s]"
check_row "k messages/s"
check_row "p99 round trip [us]"
# (CPU time is not checked here: the kernel splits it into user and system by sampling ticks,
# so a short run can show 0 for either. The binary checks that their sum is positive.)
if grep -q "^syscalls: counted" "$output"; then
  check_row "server syscalls per msg"
fi

echo_rows=$(grep -c -F "k messages/s" "$output")
if ((echo_rows != 11)); then
  fail "expected 11 echo configurations (8 shapes, 2 context-per-thread, 1 coroutine), found $echo_rows"
fi
if grep -q "^FAILED" "$output"; then
  fail "the run reported failures"
fi
if [[ ! -s $json ]] || ! grep -q '"rows": \[' "$json"; then
  fail "no JSON results at $json"
elif command -v python3 >/dev/null 2>&1 && ! python3 -m json.tool "$json" >/dev/null; then
  fail "the JSON does not parse"
fi

if ((failures > 0)); then
  cat "$output"
  exit 1
fi
echo "compare --smoke: all workloads produced sane results"
