// proa::ip::basic_endpoint<Protocol>: an IP address and port for tcp or udp with Asio 1.22's
// interface, stored as the sockaddr the socket layer passes to the kernel (data()/size()).
#pragma once

#include <sys/socket.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>

#include "net/detail/socket_address.hpp"
#include "net/ip/address.hpp"

namespace proa::ip {

using port_type = std::uint_least16_t;

template <typename InternetProtocol>
class basic_endpoint {
 public:
  using protocol_type = InternetProtocol;
  // What data() points at; cast it to sockaddr_in / sockaddr_in6 according to sa_family.
  using data_type = sockaddr;

  // 0.0.0.0, port 0.
  basic_endpoint() noexcept = default;

  // The unspecified address of the protocol's family with the given port: what a listening
  // socket binds to, e.g. basic_endpoint(tcp::v6(), 80).
  basic_endpoint(const InternetProtocol& internet_protocol, port_type port_num) noexcept
      : storage_(internet_protocol.family(), port_num) {}

  basic_endpoint(const proa::ip::address& addr, port_type port_num) noexcept
      : storage_(addr, port_num) {}

  protocol_type protocol() const noexcept {
    return storage_.is_v4() ? InternetProtocol::v4() : InternetProtocol::v6();
  }

  data_type* data() noexcept { return storage_.data(); }
  const data_type* data() const noexcept { return storage_.data(); }
  std::size_t size() const noexcept { return storage_.size(); }
  // Throws system_error(invalid_argument) for a length larger than sockaddr_storage.
  void resize(std::size_t new_size) { storage_.resize(new_size); }
  std::size_t capacity() const noexcept { return storage_.capacity(); }

  // Host byte order.
  port_type port() const noexcept { return storage_.port(); }
  void port(port_type port_num) noexcept { storage_.port(port_num); }

  proa::ip::address address() const noexcept { return storage_.address(); }
  // Keeps the port.
  void address(const proa::ip::address& addr) noexcept { storage_.address(addr); }

  // By address (IPv4 before IPv6), then port.
  friend bool operator==(const basic_endpoint& a, const basic_endpoint& b) noexcept {
    return a.storage_ == b.storage_;
  }
  friend std::strong_ordering operator<=>(const basic_endpoint& a,
                                          const basic_endpoint& b) noexcept {
    return a.storage_ <=> b.storage_;
  }

 private:
  proa::detail::socket_address storage_;
};

// "1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:80".
template <typename Elem, typename Traits, typename InternetProtocol>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const basic_endpoint<InternetProtocol>& endpoint) {
  const proa::detail::socket_address printable(endpoint.address(), endpoint.port());
  return os << printable.to_string().c_str();
}

}  // namespace proa::ip

template <typename InternetProtocol>
struct std::hash<proa::ip::basic_endpoint<InternetProtocol>> {
  std::size_t operator()(const proa::ip::basic_endpoint<InternetProtocol>& endpoint) const noexcept {
    const std::size_t address_hash = std::hash<proa::ip::address>()(endpoint.address());
    const std::size_t port_hash = std::hash<proa::ip::port_type>()(endpoint.port());
    return address_hash ^ (port_hash + 0x9e3779b9u + (address_hash << 6) + (address_hash >> 2));
  }
};
