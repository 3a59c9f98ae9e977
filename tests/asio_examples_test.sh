#!/bin/bash
# Runs Asio's own example programs, compiled unmodified against proa, in a scenario that checks
# what each one does (echo, broadcast, timeouts, chat rooms, HTTP); one scenario per sh_test.
# Usage: asio_examples_test.sh <scenario> <example binaries...>   (see the scenario functions)
set -u

work_dir="${TEST_TMPDIR:-$(mktemp -d)}"
# Every process's stderr (and the terminal transcripts) land here to be searched at the end.
log_dir="${work_dir}/logs"
mkdir -p "${log_dir}"
started_pids=()

fail() {
  echo "FAIL: $*" >&2
  for log in "${log_dir}"/*; do
    [[ -s "${log}" ]] || continue
    echo "--- ${log##*/}:" >&2
    tr -d '\r' < "${log}" >&2
  done
  exit 1
}

stop_everything() {
  for pid in "${started_pids[@]}"; do
    kill -KILL "${pid}" 2>/dev/null
  done
  wait 2>/dev/null
}
trap stop_everything EXIT

free_port() {  # free_port tcp|udp
  python3 -c 'import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}

# is_bound tcp|udp <port> [pid]: the port is listening (tcp) or bound (udp), by <pid> if given.
is_bound() {
  local flags="-Htlnp"
  [[ "$1" == "udp" ]] && flags="-Hulnp"
  local sockets
  sockets="$(ss "${flags}" "sport = :$2" 2>/dev/null)"
  [[ -n "${sockets}" ]] && { [[ $# -lt 3 ]] || [[ "${sockets}" == *"pid=$3,"* ]]; }
}

# start_server <name> tcp|udp <binary> <args...>: starts a server whose arguments contain the
# word PORT, on a free port. A port found free can be taken before the server binds it, so a
# server that dies at start-up is restarted on a fresh one. Sets server_pid and server_port.
start_server() {
  local name="$1" protocol="$2"
  shift 2
  for attempt in 1 2 3; do
    server_port="$(free_port "${protocol}")"
    local args=("${@//PORT/${server_port}}")
    "${args[@]}" > "${log_dir}/${name}.stdout" 2> "${log_dir}/${name}.stderr" &
    server_pid=$!
    started_pids+=("${server_pid}")
    for _ in $(seq 1 100); do
      is_bound "${protocol}" "${server_port}" "${server_pid}" && return 0
      kill -0 "${server_pid}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${server_pid}" 2>/dev/null
  done
  fail "${name} did not start (attempt ${attempt})"
}

# start_on_terminal <name> <stdin file> <binary> <args...>: runs an example with its standard
# output on a pseudo-terminal so that it is line-buffered (a file would hold output back until
# exit, and these programs are stopped by signals); the transcript goes to log_dir/<name>.tty.
# The terminal stops echoing input before the program starts (the marker line says when), so
# the transcript holds only the program's output. Sets terminal_pid (the pid of `script`, which
# ends with the program).
terminal_ready_marker="--- terminal ready ---"
start_on_terminal() {
  local name="$1" input="$2"
  shift 2
  local command="stty -echo && echo '${terminal_ready_marker}' && exec"
  local word
  for word in "$@"; do
    command+=" $(printf '%q' "${word}")"
  done
  # Descriptors 5 and 6 are the fifo ends a scenario keeps to control input: the program must
  # not inherit them, or closing them would never give it end-of-file.
  SHELL=/bin/sh script --quiet --flush --return --command "${command}" /dev/null \
    < "${input}" > "${log_dir}/${name}.tty" 2>&1 5>&- 6>&- &
  terminal_pid=$!
  started_pids+=("${terminal_pid}")
  for _ in $(seq 1 100); do
    grep -qF -- "${terminal_ready_marker}" "${log_dir}/${name}.tty" && return 0
    sleep 0.1
  done
  fail "the terminal for ${name} did not start"
}

# transcript <name>: what the program printed on its terminal, without carriage returns.
transcript() {
  tr -d '\r' < "${log_dir}/$1.tty" | grep -vxF -- "${terminal_ready_marker}"
}

# wait_for_line <name> <line>: waits (10 s at most) until the transcript holds that exact line.
wait_for_line() {
  for _ in $(seq 1 100); do
    transcript "$1" | grep -qxF -- "$2" && return 0
    sleep 0.1
  done
  fail "$1 never printed '$2'"
}

# wait_for_exit <pid> <what>: waits (10 s at most) for the process and sets exit_status.
wait_for_exit() {
  for _ in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$1" 2>/dev/null && fail "$2 still runs after 10 s"
  wait "$1"
  exit_status=$?
}

check_no_sanitizer_report() {
  if grep -l "Sanitizer" "${log_dir}"/* > /dev/null 2>&1; then
    fail "a sanitizer reported in $(grep -l "Sanitizer" "${log_dir}"/* | tr '\n' ' ')"
  fi
}

# ---- scenarios ----------------------------------------------------------------------------

# udp_echo <server> <client>: echo/blocking_udp_echo_client against a UDP echo server
# (echo/async_udp_echo_server or echo/blocking_udp_echo_server), three times in a row.
scenario_udp_echo() {
  local server="$1" client="$2"
  start_server udp_echo_server udp "${server}" PORT
  for message in "hello proa" "a second datagram" "$(head -c 1000 /dev/zero | tr '\0' 'u')"; do
    local reply
    reply="$(echo "${message}" | timeout 10 "${client}" 127.0.0.1 "${server_port}" \
             2>> "${log_dir}/udp_echo_client.stderr")"
    [[ "${reply}" == "Enter message: Reply is: ${message}" ]] ||
      fail "udp client printed '${reply:0:100}' for '${message:0:100}'"
  done
  kill -0 "${server_pid}" 2>/dev/null || fail "the server did not stay up"
}

# timeouts <server> <async_tcp_client> <blocking_tcp_client> <blocking_udp_client>: the
# timeouts/ examples together. The server relays each line a TCP client sends to every TCP
# session and to a UDP address; blocking_udp_client listens there; async_tcp_client stays
# connected (sending heartbeats) and must see the line blocking_tcp_client sends.
scenario_timeouts() {
  local server="$1" async_client="$2" blocking_client="$3" udp_client="$4"
  local message="hello from the timeouts examples"

  local udp_port
  for attempt in 1 2 3; do
    udp_port="$(free_port udp)"
    start_on_terminal udp_client /dev/null "${udp_client}" 127.0.0.1 "${udp_port}"
    for _ in $(seq 1 100); do
      is_bound udp "${udp_port}" && break 2
      kill -0 "${terminal_pid}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${terminal_pid}" 2>/dev/null
  done
  is_bound udp "${udp_port}" || fail "blocking_udp_client did not bind its port"
  local udp_client_pid="${terminal_pid}"

  start_server timeouts_server tcp "${server}" PORT 127.0.0.1 "${udp_port}"

  start_on_terminal async_client /dev/null "${async_client}" 127.0.0.1 "${server_port}"
  local async_client_pid="${terminal_pid}"
  wait_for_line async_client "Connected to 127.0.0.1:${server_port}"

  local output
  output="$(timeout 20 "${blocking_client}" 127.0.0.1 "${server_port}" "${message}" \
            2>> "${log_dir}/blocking_tcp_client.stderr")"
  [[ "${output}" =~ ^Round\ trip\ time:\ [0-9]+\ microseconds$ ]] ||
    fail "blocking_tcp_client printed '${output}'"

  wait_for_line async_client "Received: ${message}"
  wait_for_line udp_client "Received: ${message}"

  # When the server goes, the connected client reads end-of-file and returns from run().
  kill -TERM "${server_pid}"
  wait_for_exit "${async_client_pid}" "async_tcp_client"
  [[ "${exit_status}" -eq 0 ]] || fail "async_tcp_client exited with ${exit_status}"
  wait_for_line async_client "Error on receive: End of file"
  [[ "$(transcript async_client | grep -c '^Received: ')" -eq 1 ]] ||
    fail "async_tcp_client received more than the one line"

  kill -0 "${udp_client_pid}" 2>/dev/null || fail "blocking_udp_client stopped"
  [[ "$(transcript udp_client)" == "Received: ${message}" ]] ||
    fail "blocking_udp_client printed more than the one line"
}

# chat <server> <client>: two chat/chat_client participants in one room. A speaks first; B
# joins afterwards and must get A's line from the room's history, then B speaks and both must
# get B's line. Closing their standard input makes both clients leave and exit 0.
scenario_chat() {
  local server="$1" client="$2"
  start_server chat_server tcp "${server}" PORT

  # Each client's standard input is a fifo this script holds open (read-write, so that opening
  # it does not block) until the client should leave.
  mkfifo "${work_dir}/a.in" "${work_dir}/b.in"
  exec 5<> "${work_dir}/a.in" 6<> "${work_dir}/b.in"
  start_on_terminal chat_a "${work_dir}/a.in" "${client}" 127.0.0.1 "${server_port}"
  local a_pid="${terminal_pid}"
  echo "from A" >&5
  wait_for_line chat_a "from A"

  start_on_terminal chat_b "${work_dir}/b.in" "${client}" 127.0.0.1 "${server_port}"
  local b_pid="${terminal_pid}"
  wait_for_line chat_b "from A"
  echo "from B" >&6
  wait_for_line chat_b "from B"
  wait_for_line chat_a "from B"

  exec 5>&- 6>&-
  wait_for_exit "${a_pid}" "chat client A"
  [[ "${exit_status}" -eq 0 ]] || fail "chat client A exited with ${exit_status}"
  wait_for_exit "${b_pid}" "chat client B"
  [[ "${exit_status}" -eq 0 ]] || fail "chat client B exited with ${exit_status}"
  for participant in chat_a chat_b; do
    [[ "$(transcript "${participant}")" == $'from A\nfrom B' ]] ||
      fail "${participant} printed '$(transcript "${participant}")'"
  done
  kill -0 "${server_pid}" 2>/dev/null || fail "the chat server did not stay up"
}

# local_stream <server> <client>: local/stream_server and local/stream_client over a Unix
# socket. The socket lives in a short /tmp directory: Bazel's TEST_TMPDIR can be longer than
# sockaddr_un's 108 bytes.
scenario_local_stream() {
  local server="$1" client="$2"
  local socket_dir
  socket_dir="$(mktemp -d /tmp/proa_local.XXXXXX)"
  local socket_path="${socket_dir}/echo.socket"
  "${server}" "${socket_path}" > "${log_dir}/stream_server.stdout" \
    2> "${log_dir}/stream_server.stderr" &
  server_pid=$!
  started_pids+=("${server_pid}")

  # The client reports (and exits 0) when it cannot connect yet: retry until the server listens.
  local reply=""
  for _ in $(seq 1 100); do
    reply="$(echo "hello over a unix socket" | timeout 10 "${client}" "${socket_path}" 2>&1)"
    [[ "${reply}" == *"Reply is:"* ]] && break
    kill -0 "${server_pid}" 2>/dev/null || break
    sleep 0.1
  done
  echo "${reply}" >> "${log_dir}/stream_client.output"
  rm -rf "${socket_dir}"
  [[ "${reply}" == "Enter message: Reply is: hello over a unix socket" ]] ||
    fail "stream_client printed '${reply}'"
  kill -0 "${server_pid}" 2>/dev/null || fail "the server did not stay up"
}

# connect_pair <program>: local/connect_pair sends each line through a socket pair to a filter
# running on another thread (asio::thread), which sends it back in upper case. The program
# loops forever once stdin ends, so it runs under a timeout and only its first reply counts.
scenario_connect_pair() {
  local program="$1"
  local output
  output="$(printf 'mixed Case line\n' | timeout 3 "${program}" 2> "${log_dir}/connect_pair.stderr" |
            head -c 200)"
  echo "${output}" > "${log_dir}/connect_pair.output"
  [[ "${output}" == "Enter a string: Result: MIXED CASE LINE"* ]] ||
    fail "connect_pair printed '${output:0:100}'"
}

# multicast <receiver> <sender>: multicast/sender sends "Message 0", "Message 1", ... a second
# apart to a group on port 30001; multicast/receiver, which joined the group, prints them.
scenario_multicast() {
  local receiver="$1" sender="$2"
  local group=239.255.0.1
  "${receiver}" 0.0.0.0 "${group}" > "${log_dir}/multicast_receiver.tty" \
    2> "${log_dir}/multicast_receiver.stderr" &
  started_pids+=("$!")
  # Joined once its port is bound; then start sending.
  for _ in $(seq 1 100); do
    is_bound udp 30001 && break
    sleep 0.1
  done
  "${sender}" "${group}" > "${log_dir}/multicast_sender.stdout" \
    2> "${log_dir}/multicast_sender.stderr" &
  started_pids+=("$!")
  wait_for_line multicast_receiver "Message 1"
  transcript multicast_receiver | grep -qxF "Message 0" || fail "the receiver missed Message 0"
}

# http_server <server>: http/server serves a file from its document root, answers 404 for a
# missing one, and exits 0 on SIGTERM through its signal_set.
scenario_http_server() {
  local server="$1"
  local root="${work_dir}/doc_root"
  mkdir -p "${root}"
  local page="<html><body>served by Asio's example on proa</body></html>"
  echo "${page}" > "${root}/index.html"
  head -c 300000 /dev/urandom > "${root}/large.bin"

  start_server http_server tcp "${server}" 127.0.0.1 PORT "${root}"
  local url="http://127.0.0.1:${server_port}"

  local body
  body="$(curl --silent --show-error --max-time 10 "${url}/" 2>> "${log_dir}/curl.stderr")" ||
    fail "GET / failed"
  [[ "${body}" == "${page}" ]] || fail "GET / returned '${body}'"

  curl --silent --show-error --max-time 10 --output "${work_dir}/large.copy" \
    "${url}/large.bin" 2>> "${log_dir}/curl.stderr" || fail "GET /large.bin failed"
  cmp -s "${root}/large.bin" "${work_dir}/large.copy" || fail "GET /large.bin: different bytes"

  local status
  status="$(curl --silent --max-time 10 --output /dev/null --write-out '%{http_code}' \
            "${url}/missing.html")"
  [[ "${status}" == "404" ]] || fail "GET /missing.html answered ${status}"

  kill -TERM "${server_pid}"
  wait_for_exit "${server_pid}" "http_server"
  [[ "${exit_status}" -eq 0 ]] || fail "http_server exited with ${exit_status} after SIGTERM"
}

# reference_counted <server>: buffers/reference_counted writes the time of day (ctime format)
# through a user-defined buffer sequence to each client, then closes the connection.
scenario_reference_counted() {
  local server="$1"
  start_server reference_counted tcp "${server}" PORT
  for client in 1 2 3; do
    local reply
    reply="$(timeout 10 cat < "/dev/tcp/127.0.0.1/${server_port}")" ||
      fail "client ${client}: no reply or the connection stayed open"
    [[ "${reply}" =~ ^[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]] ||
      fail "client ${client} got '${reply}'"
  done
  kill -0 "${server_pid}" 2>/dev/null || fail "the server did not stay up"
}

scenario="$1"
shift
case "${scenario}" in
  udp_echo | timeouts | chat | local_stream | connect_pair | multicast | http_server | reference_counted)
    "scenario_${scenario}" "$@"
    ;;
  *)
    fail "unknown scenario '${scenario}'"
    ;;
esac
check_no_sanitizer_report
echo "PASS"
