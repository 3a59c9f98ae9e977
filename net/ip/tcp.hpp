// proa::ip::tcp: the TCP protocol class (family, socket type, protocol number) that
// parameterises endpoints, sockets and acceptors (and, later, resolvers), as in Asio 1.22.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "net/basic_socket_acceptor.hpp"
#include "net/basic_stream_socket.hpp"
#include "net/detail/socket_option.hpp"
#include "net/ip/basic_endpoint.hpp"
#include "net/ip/basic_resolver.hpp"

namespace proa::ip {

class tcp {
 public:
  using endpoint = basic_endpoint<tcp>;
  using socket = basic_stream_socket<tcp>;
  using acceptor = basic_socket_acceptor<tcp>;
  using resolver = basic_resolver<tcp>;
  // Still to come, as in Asio:
  //   using iostream = basic_socket_iostream<tcp>;

  // Disables Nagle's algorithm: small writes go out at once instead of being coalesced.
  using no_delay = proa::detail::socket_option::boolean<IPPROTO_TCP, TCP_NODELAY>;

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
