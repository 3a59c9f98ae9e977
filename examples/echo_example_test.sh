#!/bin/bash
# Runs examples/async_tcp_echo_server on 4 threads, drives it with several concurrent
# blocking_tcp_echo_client runs and an idle connection, then checks that SIGTERM stops it with
# exit status 0 while that connection is still open.
# Usage: echo_example_test.sh <server binary> <client binary>
set -u

server_binary="$1"
client_binary="$2"
work_dir="${TEST_TMPDIR:-$(mktemp -d)}"
server_output="${work_dir}/server_stdout.txt"
server_errors="${work_dir}/server_stderr.txt"
server_pid=""

fail() {
  echo "FAIL: $*" >&2
  echo "--- server stdout:" >&2
  cat "${server_output}" >&2
  echo "--- server stderr:" >&2
  cat "${server_errors}" >&2
  exit 1
}

cleanup() {
  if [[ -n "${server_pid}" ]]; then
    kill -KILL "${server_pid}" 2>/dev/null
    wait "${server_pid}" 2>/dev/null
  fi
}
trap cleanup EXIT

# Port 0: the server binds a free port and prints it, so no other process can take it first.
"${server_binary}" 0 4 > "${server_output}" 2> "${server_errors}" &
server_pid=$!

port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^listening on port \([0-9]*\) with 4 threads$/\1/p' "${server_output}")"
  [[ -n "${port}" ]] && break
  kill -0 "${server_pid}" 2>/dev/null || fail "the server exited at start-up"
  sleep 0.1
done
[[ -n "${port}" ]] || fail "the server never said which port it listens on"

# A connection that stays open (and idle) across the shutdown below.
exec 4<>"/dev/tcp/127.0.0.1/${port}" || fail "could not open the idle connection"
echo "still here" >&4
read -r -t 10 idle_reply <&4 || fail "no echo on the idle connection"
[[ "${idle_reply}" == "still here" ]] || fail "idle connection echoed '${idle_reply}'"

# Several clients at once, so that sessions run on different threads; the long line takes
# many reads and writes on both sides.
long_line="$(head -c 60000 /dev/zero | tr '\0' 'x')"
client_pids=()
for client in 1 2 3 4; do
  {
    for message in 1 2 3; do
      echo "client ${client} message ${message}"
    done
    echo "${long_line}"
    echo ""
    echo "last line from ${client}"
  } | timeout 20 "${client_binary}" 127.0.0.1 "${port}" \
      > "${work_dir}/client_${client}.txt" 2>&1 &
  client_pids+=($!)
done
for index in "${!client_pids[@]}"; do
  client=$((index + 1))
  wait "${client_pids[${index}]}"
  status=$?
  output="${work_dir}/client_${client}.txt"
  [[ "${status}" -eq 0 ]] || { cat "${output}" >&2; fail "client ${client} exited with ${status}"; }
  for message in 1 2 3; do
    grep -qx "echo: client ${client} message ${message}" "${output}" ||
      fail "client ${client} did not get message ${message} back"
  done
  grep -qx "echo: ${long_line}" "${output}" || fail "client ${client}: long line not echoed"
  grep -qx "echo: last line from ${client}" "${output}" || fail "client ${client}: last line"
  [[ "$(wc -l < "${output}")" -eq 6 ]] || fail "client ${client} printed unexpected lines"
done

# SIGTERM must make the server leave run() on all threads and exit 0, promptly.
kill -TERM "${server_pid}"
for _ in $(seq 1 50); do
  kill -0 "${server_pid}" 2>/dev/null || break
  sleep 0.1
done
kill -0 "${server_pid}" 2>/dev/null && fail "the server still runs 5 s after SIGTERM"
wait "${server_pid}"
server_status=$?
server_pid=""
[[ "${server_status}" -eq 0 ]] || fail "the server exited with ${server_status} after SIGTERM"
grep -q "^signal 15 received, stopping$" "${server_output}" || fail "no shutdown message"

# Stopping the server closed the idle connection: read sees end of file (status 1), not a
# timeout (status above 128) or data (status 0).
read -r -t 10 leftover <&4
read_status=$?
[[ "${read_status}" -eq 1 ]] ||
  fail "idle connection after shutdown: read status ${read_status}, data '${leftover:-}'"
exec 4<&-

# Sanitizer builds report on stderr.
grep -q "Sanitizer" "${server_errors}" && fail "a sanitizer reported in the server"
grep -l "Sanitizer" "${work_dir}"/client_*.txt && fail "a sanitizer reported in a client"
echo "PASS"
