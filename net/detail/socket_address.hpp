// proa::detail::socket_address: the sockaddr_in / sockaddr_in6 an IP endpoint hands to the
// kernel, with the data()/size()/resize()/capacity() contract the socket layer relies on,
// plus helpers moving any endpoint's address into a sockaddr_storage and back.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <compare>
#include <cstddef>
#include <cstring>
#include <string>

#include "net/ip/address.hpp"
#include "platform/error.hpp"

namespace proa::detail {

class socket_address {
 public:
  // 0.0.0.0, port 0.
  socket_address() noexcept { storage_.v4.sin_family = AF_INET; }

  // The unspecified address of `family` (AF_INET, anything else means AF_INET6).
  socket_address(int family, unsigned short port_num) noexcept {
    if (family == AF_INET) {
      storage_.v4.sin_family = AF_INET;
      storage_.v4.sin_port = htons(port_num);
    } else {
      storage_.v6.sin6_family = AF_INET6;
      storage_.v6.sin6_port = htons(port_num);
    }
  }

  socket_address(const proa::ip::address& addr, unsigned short port_num) noexcept {
    assign(addr, port_num);
  }

  sockaddr* data() noexcept { return &storage_.base; }
  const sockaddr* data() const noexcept { return &storage_.base; }

  // The length to pass with data(): follows the family, whatever resize() was told.
  std::size_t size() const noexcept { return is_v4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6); }

  // Accepts the length the kernel reports after writing into data(); only a length no
  // sockaddr could have is an error (invalid_argument, thrown), as in Asio.
  void resize(std::size_t new_size) {
    if (new_size > sizeof(sockaddr_storage)) {
      throw_error(make_error_code(error::invalid_argument));
    }
  }

  // Bytes writable at data(): room for either family.
  std::size_t capacity() const noexcept { return sizeof(storage_); }

  int family() const noexcept { return storage_.base.sa_family; }
  bool is_v4() const noexcept { return storage_.base.sa_family == AF_INET; }

  // Host byte order.
  unsigned short port() const noexcept {
    return ntohs(is_v4() ? storage_.v4.sin_port : storage_.v6.sin6_port);
  }

  void port(unsigned short port_num) noexcept {
    if (is_v4()) {
      storage_.v4.sin_port = htons(port_num);
    } else {
      storage_.v6.sin6_port = htons(port_num);
    }
  }

  proa::ip::address address() const noexcept {
    if (is_v4()) return proa::ip::address_v4(ntohl(storage_.v4.sin_addr.s_addr));
    proa::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &storage_.v6.sin6_addr, bytes.size());
    return proa::ip::address_v6(bytes, storage_.v6.sin6_scope_id);
  }

  // Keeps the port; the family follows the new address.
  void address(const proa::ip::address& addr) noexcept { assign(addr, port()); }

  // "1.2.3.4:80" or "[::1]:80"; built by hand so no stream locale can group the port digits.
  std::string to_string() const {
    std::string text;
    if (is_v4()) {
      text = address().to_string();
    } else {
      text = '[' + address().to_string() + ']';
    }
    char digits[8];
    const auto converted = std::to_chars(digits, digits + sizeof(digits), port());
    text += ':';
    text.append(digits, converted.ptr);
    return text;
  }

  // Address (with its ordering: IPv4 first, IPv6 scope ids count), then port. Flow labels and
  // padding are ignored, as Asio does.
  friend bool operator==(const socket_address& a, const socket_address& b) noexcept {
    return a.address() == b.address() && a.port() == b.port();
  }
  friend std::strong_ordering operator<=>(const socket_address& a,
                                          const socket_address& b) noexcept {
    if (const auto by_address = a.address() <=> b.address(); by_address != 0) return by_address;
    return a.port() <=> b.port();
  }

 private:
  void assign(const proa::ip::address& addr, unsigned short port_num) noexcept {
    storage_ = {};
    if (addr.is_v4()) {
      storage_.v4.sin_family = AF_INET;
      storage_.v4.sin_port = htons(port_num);
      storage_.v4.sin_addr.s_addr = htonl(addr.to_v4().to_uint());
    } else {
      const proa::ip::address_v6 v6 = addr.to_v6();
      const proa::ip::address_v6::bytes_type bytes = v6.to_bytes();
      storage_.v6.sin6_family = AF_INET6;
      storage_.v6.sin6_port = htons(port_num);
      std::memcpy(&storage_.v6.sin6_addr, bytes.data(), bytes.size());
      storage_.v6.sin6_scope_id = v6.scope_id();
    }
  }

  // sockaddr_in6 first: value-initialising the union then zeroes all of it, so no byte the
  // kernel or a comparison might read is indeterminate. Every member starts with the family.
  union storage {
    sockaddr_in6 v6;
    sockaddr_in v4;
    sockaddr base;
  };
  static_assert(sizeof(sockaddr_in6) >= sizeof(sockaddr_in) &&
                sizeof(sockaddr_in6) >= sizeof(sockaddr));

  storage storage_{};
};

// Copies an endpoint's socket address (anything with data() and size(), e.g. ip::tcp::endpoint)
// into `storage`, for operations that must own the kernel-facing copy; returns its length.
template <typename Endpoint>
socklen_t to_sockaddr_storage(const Endpoint& endpoint, sockaddr_storage& storage) noexcept {
  const std::size_t length = endpoint.size();
  std::memcpy(&storage, endpoint.data(), length);
  return static_cast<socklen_t>(length);
}

// Fills `endpoint` from `length` bytes of socket address the kernel wrote into `storage`
// (accept, recvfrom, getsockname). invalid_argument, endpoint untouched, if it cannot hold them.
template <typename Endpoint>
void from_sockaddr_storage(const sockaddr_storage& storage, socklen_t length, Endpoint& endpoint,
                           error_code& ec) {
  const std::size_t byte_count = static_cast<std::size_t>(length);
  if (byte_count > endpoint.capacity()) {
    ec = error::invalid_argument;
    return;
  }
  std::memcpy(endpoint.data(), &storage, byte_count);
  endpoint.resize(byte_count);
  ec.clear();
}

}  // namespace proa::detail
