#!/bin/bash
# Runs Asio's own blocking TCP echo server and client examples, built against proa, and checks
# that the client's line comes back: proof that unmodified Asio code works on proa.
# Usage: asio_blocking_echo_example_test.sh <server binary> <client binary>
set -u

server_binary="$1"
client_binary="$2"
message="hello proa"
server_pid=""
server_errors="${TEST_TMPDIR:-/tmp}/echo_server_stderr.txt"
: > "${server_errors}"

stop_server() {
  if [[ -n "${server_pid}" ]]; then
    kill "${server_pid}" 2>/dev/null
    wait "${server_pid}" 2>/dev/null
    server_pid=""
  fi
}
trap stop_server EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A port found free may be taken again before the server binds it, so a server that dies at
# start-up is restarted on a fresh port; the client is retried until the server listens.
reply=""
client_status=1
for attempt in 1 2 3; do
  port="$(free_port)"
  "${server_binary}" "${port}" 2>> "${server_errors}" &
  server_pid=$!
  for _ in $(seq 1 50); do
    if ! kill -0 "${server_pid}" 2>/dev/null; then
      wait "${server_pid}" 2>/dev/null
      server_pid=""
      break
    fi
    reply="$(echo "${message}" | timeout 10 "${client_binary}" 127.0.0.1 "${port}" 2>&1)"
    client_status=$?
    if [[ "${reply}" == *"Reply is:"* ]]; then
      break 2
    fi
    sleep 0.1
  done
  stop_server
done

echo "client output: ${reply}"
if [[ "${reply}" != *"Reply is: ${message}"* ]]; then
  echo "FAIL: expected the reply line 'Reply is: ${message}'" >&2
  exit 1
fi
if [[ -z "${server_pid}" ]] || ! kill -0 "${server_pid}" 2>/dev/null; then
  echo "FAIL: the server did not stay up after serving the client" >&2
  exit 1
fi
stop_server
# Sanitizer builds report in the programs' output without necessarily failing them.
if [[ "${client_status}" -ne 0 ]] || [[ "${reply}" == *Sanitizer* ]] ||
   grep -q Sanitizer "${server_errors}"; then
  echo "FAIL: client exited with ${client_status} or a sanitizer reported:" >&2
  cat "${server_errors}" >&2
  exit 1
fi
echo "PASS"
