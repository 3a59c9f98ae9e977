// proa::local::stream_protocol: Unix-domain byte streams (AF_UNIX, SOCK_STREAM) with their
// endpoint, socket and acceptor types, as in Asio 1.22.
#pragma once

// Asio programs test this macro before they use Unix-domain sockets; proa always has them.
// (Asio's own config.hpp defines it the same way, and only if it is not defined yet.)
#if !defined(ASIO_HAS_LOCAL_SOCKETS)
#define ASIO_HAS_LOCAL_SOCKETS 1
#endif

#include <sys/socket.h>

#include "net/basic_socket_acceptor.hpp"
#include "net/basic_stream_socket.hpp"
#include "net/local/basic_endpoint.hpp"

namespace proa::local {

class stream_protocol {
 public:
  int type() const noexcept { return SOCK_STREAM; }
  int protocol() const noexcept { return 0; }
  int family() const noexcept { return AF_UNIX; }

  using endpoint = basic_endpoint<stream_protocol>;
  using socket = basic_stream_socket<stream_protocol>;
  using acceptor = basic_socket_acceptor<stream_protocol>;
};

}  // namespace proa::local
