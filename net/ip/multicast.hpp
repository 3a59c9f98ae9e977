// proa::ip::multicast: the socket options of Asio 1.22 for IP multicast (join_group,
// leave_group, outbound_interface, hops, enable_loopback). Each picks the IPv4 or IPv6 option
// from the socket's protocol when it is set or read, as Asio's do.
#pragma once

#include <netinet/in.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "net/ip/address.hpp"
#include "net/ip/address_v4.hpp"
#include "net/ip/address_v6.hpp"

namespace proa::ip::multicast {
namespace detail {

template <typename Protocol>
bool is_v6(const Protocol& protocol) noexcept {
  return protocol.family() == AF_INET6;
}

inline in_addr to_in_addr(const address_v4& a) noexcept {
  in_addr result{};
  const address_v4::bytes_type bytes = a.to_bytes();
  std::memcpy(&result.s_addr, bytes.data(), sizeof result.s_addr);
  return result;
}

// join_group and leave_group: a group request (ip_mreq or ipv6_mreq) built once, at
// construction, in the form the group address's version needs. The socket's protocol must
// match it, as in Asio (the kernel reports the mismatch).
template <int NameV4, int NameV6>
class membership {
 public:
  membership() noexcept = default;

  explicit membership(const address& group) {
    if (group.is_v6()) {
      set_v6(group.to_v6(), group.to_v6().scope_id());
    } else {
      set_v4(group.to_v4(), address_v4::any());
    }
  }
  explicit membership(const address_v4& group, const address_v4& interface = address_v4::any()) {
    set_v4(group, interface);
  }
  explicit membership(const address_v6& group, unsigned long interface_index = 0) {
    set_v6(group, interface_index);
  }

  template <typename Protocol>
  int level(const Protocol& protocol) const noexcept {
    return is_v6(protocol) ? IPPROTO_IPV6 : IPPROTO_IP;
  }
  template <typename Protocol>
  int name(const Protocol& protocol) const noexcept {
    return is_v6(protocol) ? NameV6 : NameV4;
  }
  template <typename Protocol>
  const void* data(const Protocol& protocol) const noexcept {
    return is_v6(protocol) ? static_cast<const void*>(&v6_) : static_cast<const void*>(&v4_);
  }
  template <typename Protocol>
  std::size_t size(const Protocol& protocol) const noexcept {
    return is_v6(protocol) ? sizeof v6_ : sizeof v4_;
  }

 private:
  void set_v4(const address_v4& group, const address_v4& interface) noexcept {
    v4_.imr_multiaddr = to_in_addr(group);
    v4_.imr_interface = to_in_addr(interface);
  }
  void set_v6(const address_v6& group, unsigned long interface_index) noexcept {
    const address_v6::bytes_type bytes = group.to_bytes();
    std::memcpy(v6_.ipv6mr_multiaddr.s6_addr, bytes.data(), bytes.size());
    v6_.ipv6mr_interface = static_cast<unsigned int>(interface_index);
  }

  ip_mreq v4_{};
  ipv6_mreq v6_{};
};

// An integer option whose IPv4 form may also come back as one byte (IP_MULTICAST_TTL and
// IP_MULTICAST_LOOP take an int or an unsigned char on Linux).
template <int NameV4, int NameV6>
class small_integer {
 public:
  small_integer() noexcept = default;
  explicit small_integer(int v) noexcept : value_(v) {}

  template <typename Protocol>
  int level(const Protocol& protocol) const noexcept {
    return is_v6(protocol) ? IPPROTO_IPV6 : IPPROTO_IP;
  }
  template <typename Protocol>
  int name(const Protocol& protocol) const noexcept {
    return is_v6(protocol) ? NameV6 : NameV4;
  }
  template <typename Protocol>
  int* data(const Protocol&) noexcept {
    return &value_;
  }
  template <typename Protocol>
  const int* data(const Protocol&) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  std::size_t size(const Protocol&) const noexcept {
    return sizeof value_;
  }
  template <typename Protocol>
  void resize(const Protocol&, std::size_t new_size) {
    if (new_size == sizeof value_) return;
    if (new_size != 1) throw std::length_error("multicast socket option resize");
    value_ = *reinterpret_cast<const unsigned char*>(&value_);
  }

 protected:
  int value_ = 0;
};

}  // namespace detail

// Joins a multicast group, on the interface the kernel picks (or the given one).
using join_group = detail::membership<IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP>;
// Leaves a multicast group.
using leave_group = detail::membership<IP_DROP_MEMBERSHIP, IPV6_LEAVE_GROUP>;

// The interface outgoing multicast datagrams leave by: an IPv4 address, or an IPv6 interface
// index. Set only.
class outbound_interface {
 public:
  outbound_interface() noexcept = default;
  explicit outbound_interface(const address_v4& interface) noexcept
      : v4_(detail::to_in_addr(interface)) {}
  explicit outbound_interface(unsigned int interface_index) noexcept : v6_(interface_index) {}

  template <typename Protocol>
  int level(const Protocol& protocol) const noexcept {
    return detail::is_v6(protocol) ? IPPROTO_IPV6 : IPPROTO_IP;
  }
  template <typename Protocol>
  int name(const Protocol& protocol) const noexcept {
    return detail::is_v6(protocol) ? IPV6_MULTICAST_IF : IP_MULTICAST_IF;
  }
  template <typename Protocol>
  const void* data(const Protocol& protocol) const noexcept {
    return detail::is_v6(protocol) ? static_cast<const void*>(&v6_)
                                   : static_cast<const void*>(&v4_);
  }
  template <typename Protocol>
  std::size_t size(const Protocol& protocol) const noexcept {
    return detail::is_v6(protocol) ? sizeof v6_ : sizeof v4_;
  }

 private:
  in_addr v4_{};
  unsigned int v6_ = 0;
};

// The time-to-live (IPv4) or hop limit (IPv6) of outgoing multicast datagrams.
class hops : public detail::small_integer<IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS> {
 public:
  using small_integer::small_integer;
  hops& operator=(int v) noexcept {
    value_ = v;
    return *this;
  }
  int value() const noexcept { return value_; }
};

// Whether this host's own sockets receive the multicast datagrams it sends.
class enable_loopback : public detail::small_integer<IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP> {
 public:
  enable_loopback() noexcept = default;
  explicit enable_loopback(bool v) noexcept : small_integer(v ? 1 : 0) {}
  enable_loopback& operator=(bool v) noexcept {
    value_ = v ? 1 : 0;
    return *this;
  }
  bool value() const noexcept { return value_ != 0; }
  explicit(false) operator bool() const noexcept { return value_ != 0; }
  bool operator!() const noexcept { return value_ == 0; }
};

}  // namespace proa::ip::multicast
