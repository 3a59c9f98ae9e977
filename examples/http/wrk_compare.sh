#!/usr/bin/env bash
# Drives the HTTP example server's proa and Asio builds with wrk (plaintext, keep-alive) and
# prints one machine-readable line per runtime, e.g.
#   http_plaintext runtime=proa requests_per_sec=101234.5 p50_us=512.0 p99_us=1830.0 ...
# Usage: wrk_compare.sh [options] [<proa_server> <asio_server>]
#   --duration=5s --connections=64 --wrk-threads=1 --server-threads=2 --warmup=1s --pipeline=1
# Without binaries it looks for both next to itself in Bazel's runfiles
# (bazel run -c opt //bench:http_compare). Progress goes to stderr, results to stdout.
# With --pipeline=N > 1, wrk's latency percentiles are unreliable (it can print 0 for p99).
# WRK_COMPARE_DEBUG=1 also copies wrk's full reports to stderr.
set -euo pipefail

duration=5s
connections=64
wrk_threads=1
server_threads=2
warmup=1s
pipeline=1
binaries=()
for arg in "$@"; do
  case "$arg" in
    --duration=*) duration="${arg#*=}" ;;
    --connections=*) connections="${arg#*=}" ;;
    --wrk-threads=*) wrk_threads="${arg#*=}" ;;
    --server-threads=*) server_threads="${arg#*=}" ;;
    --warmup=*) warmup="${arg#*=}" ;;
    --pipeline=*) pipeline="${arg#*=}" ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "wrk_compare: unknown option $arg" >&2; exit 2 ;;
    *) binaries+=("$arg") ;;
  esac
done

find_server() {
  local name="$1" candidate
  for candidate in \
      "${RUNFILES_DIR:-/nonexistent}/proa/examples/http/$name" \
      "$0.runfiles/proa/examples/http/$name" \
      "examples/http/$name" \
      "$(dirname "$0")/../examples/http/$name"; do
    if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
  done
  echo "wrk_compare: cannot find $name; pass the server binaries as arguments" >&2
  return 1
}

if [[ ${#binaries[@]} -eq 0 ]]; then
  binaries=("$(find_server http_server)" "$(find_server http_server_asio)")
elif [[ ${#binaries[@]} -ne 2 ]]; then
  echo "usage: $0 [options] [<proa_server> <asio_server>]" >&2
  exit 2
fi
if ! command -v wrk >/dev/null; then
  echo "wrk_compare: wrk is not installed (Debian package 'wrk')" >&2
  exit 1
fi

work_dir="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

# wrk sends one request per response by default; with --pipeline=N a script sends N at once.
wrk_script=()
if [[ "$pipeline" -gt 1 ]]; then
  cat > "$work_dir/pipeline.lua" <<LUA
init = function(args)
  local r = {}
  for i = 1, $pipeline do r[i] = wrk.format(nil, "/plaintext") end
  req = table.concat(r)
end
request = function() return req end
LUA
  wrk_script=(-s "$work_dir/pipeline.lua")
fi

# Microseconds from wrk's "512.00us" / "1.83ms" / "1.20s".
to_us() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.1f", v }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.1f", v * 1000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.1f", v * 1000000 }
    else { printf "nan" } }'
}

# Server CPU ticks (user system) of every thread, from /proc/<pid>/stat.
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$1/stat"
}

ticks_per_second="$(getconf CLK_TCK)"

measure() {
  local runtime="$1" binary="$2"
  local out="$work_dir/$runtime.out"
  : > "$out"  # exists before the background child opens it, so polling it cannot fail
  "$binary" 0 "$server_threads" 127.0.0.1 > "$out" 2> "$work_dir/$runtime.err" &
  server_pid=$!
  local port="" tries=0
  while [[ -z "$port" ]]; do
    port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$out")"
    tries=$((tries + 1))
    if [[ $tries -gt 500 ]] || ! kill -0 "$server_pid" 2>/dev/null; then
      echo "wrk_compare: $runtime server did not start" >&2
      cat "$work_dir/$runtime.err" >&2
      return 1
    fi
    [[ -n "$port" ]] || sleep 0.01
  done
  local url="http://127.0.0.1:$port/plaintext"
  if [[ "$warmup" != "0" && "$warmup" != "0s" ]]; then
    echo "wrk_compare: $runtime: warming up for $warmup" >&2
    wrk -t"$wrk_threads" -c"$connections" -d"$warmup" "${wrk_script[@]}" "$url" > /dev/null
  fi
  echo "wrk_compare: $runtime: wrk -t$wrk_threads -c$connections -d$duration --latency $url" >&2
  local before after report
  before="$(cpu_ticks "$server_pid")"
  report="$(wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "${wrk_script[@]}" "$url")"
  after="$(cpu_ticks "$server_pid")"
  echo "$report" > "$work_dir/$runtime.wrk"
  [[ -z "${WRK_COMPARE_DEBUG:-}" ]] || echo "$report" >&2

  kill -TERM "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  if [[ $status -ne 0 ]]; then
    echo "wrk_compare: $runtime server exited with status $status" >&2
    cat "$work_dir/$runtime.err" >&2
    return 1
  fi

  local rps p50 p99 requests non2xx socket_errors
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<< "$report")"
  p50="$(to_us "$(awk '$1 == "50%" { print $2 }' <<< "$report")")"
  p99="$(to_us "$(awk '$1 == "99%" { print $2 }' <<< "$report")")"
  requests="$(awk '/requests in/ { print $1 }' <<< "$report")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<< "$report")"
  socket_errors="$(awk '/Socket errors:/ {
      n = 0; for (i = 3; i <= NF; ++i) { gsub(/,/, "", $i); if ($i ~ /^[0-9]+$/) n += $i }
      print n }' <<< "$report")"
  if [[ -z "$rps" || -z "$requests" || "$requests" -eq 0 ]]; then
    echo "wrk_compare: could not read wrk's report for $runtime:" >&2
    echo "$report" >&2
    return 1
  fi
  # Server CPU per request, in microseconds, split into user and kernel time.
  local cpu
  cpu="$(awk -v b="$before" -v a="$after" -v n="$requests" -v hz="$ticks_per_second" 'BEGIN {
      split(b, x, " "); split(a, y, " ");
      printf "server_user_us_per_req=%.3f server_sys_us_per_req=%.3f",
             (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) * 1e6 / hz / n }')"
  echo "http_plaintext runtime=$runtime requests_per_sec=$rps p50_us=$p50 p99_us=$p99" \
       "requests=$requests non_2xx=${non2xx:-0} socket_errors=${socket_errors:-0} $cpu" \
       "connections=$connections server_threads=$server_threads pipeline=$pipeline" \
       "duration=$duration"
}

measure proa "${binaries[0]}"
measure asio "${binaries[1]}"
