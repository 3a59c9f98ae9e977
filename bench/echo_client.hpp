// The load generator of the TCP echo workloads: neither proa nor Asio, but raw non-blocking
// sockets and one epoll loop on the calling thread, so it drives both servers identically.
// Each connection plays ping-pong: send one message, wait for all of it to come back, record
// the round trip, send the next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/latency_histogram.hpp"

namespace bench {

// What one run_for() measured.
struct echo_window {
  std::uint64_t messages = 0;  // round trips completed
  double seconds = 0;          // from the first send to the last echo
  latency_histogram round_trips;
};

class echo_client {
 public:
  // Connects `connections` sockets to 127.0.0.1:`port`. Throws std::runtime_error on failure.
  echo_client(unsigned short port, int connections, std::size_t message_size);
  echo_client(const echo_client&) = delete;
  echo_client& operator=(const echo_client&) = delete;
  ~echo_client();

  // Ping-pong on every connection until `seconds` have passed (at least one round trip each),
  // then waits for the messages in flight. Throws std::runtime_error if the server closes a
  // connection, echoes the wrong bytes or stays silent for several seconds.
  echo_window run_for(double seconds);

  // Round trips completed over the client's lifetime.
  std::uint64_t total_messages() const { return total_messages_; }

  // Closes every connection (the server sees end-of-file on each).
  void close();

 private:
  struct connection {
    int descriptor = -1;
    std::uint64_t sequence = 0;
    std::uint64_t sent_at_ns = 0;
    std::size_t received = 0;
    std::vector<unsigned char> outgoing;
    std::vector<unsigned char> incoming;
  };

  void send_next(connection& each, std::uint64_t now_ns);

  std::size_t message_size_;
  int epoll_descriptor_ = -1;
  std::vector<connection> connections_;
  std::uint64_t total_messages_ = 0;
};

}  // namespace bench
