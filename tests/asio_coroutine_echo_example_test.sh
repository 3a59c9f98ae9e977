#!/bin/bash
# Runs Asio's C++20 coroutine echo server example (cpp17/coroutines_ts/echo_server.cpp), built
# unmodified against proa, checks that it echoes to several clients at once (Asio's blocking echo
# client, also built against proa), then stops it with SIGTERM through its signal_set.
# The example listens on the fixed port 55555, so the test runs in a private network namespace
# (loopback only) where that port is always free; without one it needs 55555 free on the host.
# Usage: asio_coroutine_echo_example_test.sh <server binary> <client binary>
set -u

server_binary="$1"
client_binary="$2"
port=55555

if [[ "${PROA_PRIVATE_NETNS:-}" != "1" ]] && unshare --net true 2>/dev/null; then
  exec env PROA_PRIVATE_NETNS=1 unshare --net "$0" "$@"
fi
if [[ "${PROA_PRIVATE_NETNS:-}" == "1" ]]; then
  ip_tool=""
  for candidate in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
    if [[ -x "${candidate}" ]]; then ip_tool="${candidate}"; break; fi
  done
  if [[ -z "${ip_tool}" ]] || ! "${ip_tool}" link set lo up; then
    echo "FAIL: cannot bring up loopback in the private network namespace" >&2
    exit 1
  fi
  echo "running in a private network namespace"
else
  echo "no private network namespace available: using the host's loopback"
fi

scratch="${TEST_TMPDIR:-/tmp}"
server_output="${scratch}/coroutine_echo_server_output.txt"
: > "${server_output}"
server_pid=""

stop_server() {
  if [[ -n "${server_pid}" ]]; then
    kill -KILL "${server_pid}" 2>/dev/null
    wait "${server_pid}" 2>/dev/null
    server_pid=""
  fi
}
trap stop_server EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- server output ---" >&2
  cat "${server_output}" >&2
  exit 1
}

"${server_binary}" > "${server_output}" 2>&1 &
server_pid=$!

# Wait until the server answers (it may still be starting).
reply=""
for _ in $(seq 1 100); do
  kill -0 "${server_pid}" 2>/dev/null || fail "the server exited at start-up"
  reply="$(echo "first line" | timeout 10 "${client_binary}" 127.0.0.1 "${port}" 2>&1)"
  if [[ "${reply}" == *"Reply is: first line"* ]]; then break; fi
  sleep 0.1
done
[[ "${reply}" == *"Reply is: first line"* ]] || fail "no echo from the server: '${reply}'"

# Several clients at once: each gets its own line back.
clients=8
for i in $(seq 1 "${clients}"); do
  (echo "line from client ${i}" | timeout 10 "${client_binary}" 127.0.0.1 "${port}" \
      > "${scratch}/client_${i}.txt" 2>&1) &
done
wait_failed=0
for job in $(jobs -p); do
  [[ "${job}" == "${server_pid}" ]] && continue
  wait "${job}" || wait_failed=1
done
for i in $(seq 1 "${clients}"); do
  output="$(cat "${scratch}/client_${i}.txt")"
  [[ "${output}" == *"Reply is: line from client ${i}"* ]] ||
    fail "client ${i} got '${output}'"
  [[ "${output}" != *Sanitizer* ]] || fail "client ${i}: ${output}"
done
[[ "${wait_failed}" == "0" ]] || fail "a client exited with an error"
kill -0 "${server_pid}" 2>/dev/null || fail "the server died while serving"

# SIGTERM reaches the example's signal_set, whose handler stops the io_context: main returns 0.
kill -TERM "${server_pid}"
status=1
for _ in $(seq 1 100); do
  if ! kill -0 "${server_pid}" 2>/dev/null; then
    wait "${server_pid}"
    status=$?
    server_pid=""
    break
  fi
  sleep 0.1
done
[[ -z "${server_pid}" ]] || fail "the server did not stop on SIGTERM"
[[ "${status}" == "0" ]] || fail "the server exited with status ${status} after SIGTERM"
if grep -q -E "Sanitizer|^Exception" "${server_output}"; then
  fail "the server reported an error"
fi
echo "--- server output ---"
cat "${server_output}"
echo "PASS"
