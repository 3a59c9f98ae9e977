#!/usr/bin/env bash
# Smoke test of wrk_compare.sh: one short run per runtime; each result line must show a
# positive request rate and no failed or non-200 requests.
set -euo pipefail
script="$1"
proa_server="$2"
asio_server="$3"

output="$("$script" --duration=1s --warmup=0 --connections=8 "$proa_server" "$asio_server")"
echo "$output"
lines="$(grep -c '^http_plaintext ' <<< "$output" || true)"
if [[ "$lines" -ne 2 ]]; then
  echo "FAIL: expected 2 result lines, got $lines"
  exit 1
fi
for runtime in proa asio; do
  line="$(grep "^http_plaintext runtime=$runtime " <<< "$output")"
  value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$line"; }
  if ! awk -v r="$(value requests_per_sec)" 'BEGIN { exit !(r > 0) }'; then
    echo "FAIL: $runtime: no requests served"
    exit 1
  fi
  if [[ "$(value non_2xx)" != 0 || "$(value socket_errors)" != 0 ]]; then
    echo "FAIL: $runtime: errors in $line"
    exit 1
  fi
  if ! awk -v a="$(value p50_us)" -v b="$(value p99_us)" 'BEGIN { exit !(a > 0 && b >= a) }'; then
    echo "FAIL: $runtime: implausible latency in $line"
    exit 1
  fi
done
echo PASS
