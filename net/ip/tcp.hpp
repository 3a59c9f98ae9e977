// proa::ip::tcp: the TCP protocol class (family, socket type, protocol number) that
// parameterises endpoints and, later, sockets, acceptors and resolvers, as in Asio 1.22.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "net/ip/basic_endpoint.hpp"

namespace proa::ip {

class tcp {
 public:
  using endpoint = basic_endpoint<tcp>;

  // Still to come with the socket layer (issue 3), as in Asio:
  //   using socket = basic_stream_socket<tcp>;
  //   using acceptor = basic_socket_acceptor<tcp>;
  //   using resolver = basic_resolver<tcp>;
  //   using iostream = basic_socket_iostream<tcp>;
  //   using no_delay = <boolean socket option IPPROTO_TCP / TCP_NODELAY>;

  static constexpr tcp v4() noexcept { return tcp(AF_INET); }
  static constexpr tcp v6() noexcept { return tcp(AF_INET6); }

  constexpr int type() const noexcept { return SOCK_STREAM; }
  constexpr int protocol() const noexcept { return IPPROTO_TCP; }
  constexpr int family() const noexcept { return family_; }

  friend constexpr bool operator==(const tcp&, const tcp&) noexcept = default;

 private:
  // Only v4() and v6() make protocol objects, so family_ is always AF_INET or AF_INET6.
  constexpr explicit tcp(int protocol_family) noexcept : family_(protocol_family) {}

  int family_;
};

}  // namespace proa::ip
