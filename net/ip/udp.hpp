// proa::ip::udp: the UDP protocol class (family, socket type, protocol number) that
// parameterises endpoints and datagram sockets (and, later, resolvers), as in Asio 1.22.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "net/basic_datagram_socket.hpp"
#include "net/ip/basic_endpoint.hpp"
#include "net/ip/basic_resolver.hpp"

namespace proa::ip {

class udp {
 public:
  using endpoint = basic_endpoint<udp>;
  using socket = basic_datagram_socket<udp>;
  using resolver = basic_resolver<udp>;

  static constexpr udp v4() noexcept { return udp(AF_INET); }
  static constexpr udp v6() noexcept { return udp(AF_INET6); }

  constexpr int type() const noexcept { return SOCK_DGRAM; }
  constexpr int protocol() const noexcept { return IPPROTO_UDP; }
  constexpr int family() const noexcept { return family_; }

  friend constexpr bool operator==(const udp&, const udp&) noexcept = default;

 private:
  // Only v4() and v6() make protocol objects, so family_ is always AF_INET or AF_INET6.
  constexpr explicit udp(int protocol_family) noexcept : family_(protocol_family) {}

  int family_;
};

}  // namespace proa::ip
