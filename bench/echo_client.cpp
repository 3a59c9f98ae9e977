// The echo load generator: blocking connects, then one level-triggered epoll loop over
// non-blocking sockets. Nothing here allocates once the connections exist.
#include "bench/echo_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {
namespace {

// A server silent for this long is taken as hung rather than slow.
constexpr int silence_limit_ms = 10'000;

std::uint64_t now_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec);
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("echo client: " + what + ": " + std::strerror(errno));
}

[[noreturn]] void fail_plain(const std::string& what) {
  throw std::runtime_error("echo client: " + what);
}

}  // namespace

echo_client::echo_client(unsigned short port, int connections, std::size_t message_size)
    : message_size_(message_size) {
  if (message_size < sizeof(std::uint64_t)) fail_plain("messages must hold a sequence number");
  epoll_descriptor_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_descriptor_ < 0) fail("epoll_create1");
  connections_.resize(static_cast<std::size_t>(connections));
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    connection& each = connections_[i];
    each.outgoing.resize(message_size);
    each.incoming.resize(message_size);
    for (std::size_t b = 0; b < message_size; ++b) {
      each.outgoing[b] = static_cast<unsigned char>('a' + (b + i) % 26);
    }
    each.descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (each.descriptor < 0) fail("socket");
    if (::connect(each.descriptor, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0)
      fail("connect");
    const int on = 1;
    if (::setsockopt(each.descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
      fail("TCP_NODELAY");
    const int flags = ::fcntl(each.descriptor, F_GETFL);
    if (flags < 0 || ::fcntl(each.descriptor, F_SETFL, flags | O_NONBLOCK) != 0)
      fail("O_NONBLOCK");
    epoll_event interest{};
    interest.events = EPOLLIN;
    interest.data.u64 = i;
    if (::epoll_ctl(epoll_descriptor_, EPOLL_CTL_ADD, each.descriptor, &interest) != 0)
      fail("epoll_ctl");
  }
}

echo_client::~echo_client() {
  close();
  if (epoll_descriptor_ >= 0) ::close(epoll_descriptor_);
}

void echo_client::close() {
  for (connection& each : connections_) {
    if (each.descriptor >= 0) ::close(each.descriptor);
    each.descriptor = -1;
  }
}

void echo_client::send_next(connection& each, std::uint64_t now) {
  ++each.sequence;
  std::memcpy(each.outgoing.data(), &each.sequence, sizeof each.sequence);
  each.sent_at_ns = now;
  each.received = 0;
  std::size_t sent = 0;
  while (sent < message_size_) {
    const ssize_t n =
        ::send(each.descriptor, each.outgoing.data() + sent, message_size_ - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A full send buffer: rare with one message in flight, so just wait for room.
      pollfd room{each.descriptor, POLLOUT, 0};
      if (::poll(&room, 1, silence_limit_ms) <= 0) fail("waiting to send");
    } else if (n < 0 && errno != EINTR) {
      fail("send");
    }
  }
}

echo_window echo_client::run_for(double seconds) {
  echo_window window;
  const std::uint64_t start = now_ns();
  const std::uint64_t deadline = start + static_cast<std::uint64_t>(seconds * 1e9);
  for (connection& each : connections_) send_next(each, now_ns());
  std::size_t in_flight = connections_.size();
  epoll_event events[256];
  while (in_flight > 0) {
    const int ready = ::epoll_wait(epoll_descriptor_, events, 256, silence_limit_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait");
    }
    if (ready == 0) fail_plain("the server stopped answering");
    for (int e = 0; e < ready; ++e) {
      connection& each = connections_[events[e].data.u64];
      while (each.received < message_size_) {
        const ssize_t n = ::recv(each.descriptor, each.incoming.data() + each.received,
                                 message_size_ - each.received, 0);
        if (n > 0) {
          each.received += static_cast<std::size_t>(n);
        } else if (n == 0) {
          fail_plain("the server closed a connection");
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
          break;
        } else if (errno != EINTR) {
          fail("recv");
        }
      }
      if (each.received < message_size_) continue;
      const std::uint64_t now = now_ns();
      // The sequence number proves the echo is this message's; the tail byte that it is whole.
      if (std::memcmp(each.incoming.data(), each.outgoing.data(), sizeof each.sequence) != 0 ||
          each.incoming.back() != each.outgoing.back()) {
        fail_plain("the server echoed different bytes");
      }
      window.round_trips.record(now - each.sent_at_ns);
      ++window.messages;
      if (now < deadline) {
        send_next(each, now);
      } else {
        each.received = 0;
        --in_flight;
      }
    }
  }
  window.seconds = static_cast<double>(now_ns() - start) / 1e9;
  total_messages_ += window.messages;
  return window;
}

}  // namespace bench
