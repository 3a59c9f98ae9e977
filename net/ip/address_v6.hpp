// proa::ip::address_v6: an IPv6 address plus scope id with Asio 1.22's interface (parsing with
// "%scope" suffixes, printing, classification, IPv4-mapped conversions, ordering, hashing).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "net/ip/address_v4.hpp"
#include "net/ip/bad_address_cast.hpp"
#include "platform/error.hpp"

namespace proa::ip {

// An interface index (if_nametoindex) for link-local addresses; 0 means none.
using scope_id_type = std::uint_least32_t;

class address_v6 {
 public:
  // Network byte order, as in in6_addr.
  using bytes_type = std::array<unsigned char, 16>;

  constexpr address_v6() noexcept = default;

  constexpr explicit address_v6(const bytes_type& bytes, scope_id_type scope_id = 0) noexcept
      : bytes_(bytes), scope_id_(scope_id) {}

  constexpr scope_id_type scope_id() const noexcept { return scope_id_; }
  constexpr void scope_id(scope_id_type id) noexcept { scope_id_ = id; }

  constexpr bytes_type to_bytes() const noexcept { return bytes_; }

  // RFC 5952-style text from the platform's inet_ntop ("::1", "::ffff:1.2.3.4"), then, for a
  // non-zero scope id, "%" and the interface name (link-local addresses whose index names an
  // interface) or the decimal id (everything else).
  std::string to_string() const;

  constexpr bool is_loopback() const noexcept { return zero_through(15) && bytes_[15] == 1; }
  constexpr bool is_unspecified() const noexcept { return zero_through(15) && bytes_[15] == 0; }
  constexpr bool is_link_local() const noexcept {
    return bytes_[0] == 0xFE && (bytes_[1] & 0xC0) == 0x80;
  }
  constexpr bool is_site_local() const noexcept {
    return bytes_[0] == 0xFE && (bytes_[1] & 0xC0) == 0xC0;
  }
  // ::ffff:a.b.c.d
  constexpr bool is_v4_mapped() const noexcept {
    return zero_through(10) && bytes_[10] == 0xFF && bytes_[11] == 0xFF;
  }
  constexpr bool is_multicast() const noexcept { return bytes_[0] == 0xFF; }
  constexpr bool is_multicast_global() const noexcept { return multicast_scope_is(0x0E); }
  constexpr bool is_multicast_link_local() const noexcept { return multicast_scope_is(0x02); }
  constexpr bool is_multicast_node_local() const noexcept { return multicast_scope_is(0x01); }
  constexpr bool is_multicast_org_local() const noexcept { return multicast_scope_is(0x08); }
  constexpr bool is_multicast_site_local() const noexcept { return multicast_scope_is(0x05); }

  static constexpr address_v6 any() noexcept { return address_v6(); }
  static constexpr address_v6 loopback() noexcept {
    bytes_type bytes{};
    bytes[15] = 1;
    return address_v6(bytes);
  }

  // Bytes compared as unsigned, most significant first, then the scope id, as Asio orders.
  friend constexpr bool operator==(const address_v6&, const address_v6&) noexcept = default;
  friend constexpr auto operator<=>(const address_v6&, const address_v6&) noexcept = default;

  // ---- Deprecated in Asio but still present there; kept so older Asio code compiles. ----
  std::string to_string(error_code& ec) const {
    ec.clear();
    return to_string();
  }
  static address_v6 from_string(const char* text);
  static address_v6 from_string(const char* text, error_code& ec);
  static address_v6 from_string(const std::string& text);
  static address_v6 from_string(const std::string& text, error_code& ec);
  // ::a.b.c.d, the obsolete IPv4-compatible form (:: and ::1 excluded).
  constexpr bool is_v4_compatible() const noexcept {
    return zero_through(12) && !(bytes_[12] == 0 && bytes_[13] == 0 && bytes_[14] == 0 &&
                                 (bytes_[15] == 0 || bytes_[15] == 1));
  }
  // Throws bad_address_cast unless the address is IPv4-mapped or IPv4-compatible.
  constexpr address_v4 to_v4() const {
    if (!is_v4_mapped() && !is_v4_compatible()) throw bad_address_cast();
    return address_v4(address_v4::bytes_type{bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
  }
  static constexpr address_v6 v4_mapped(const address_v4& addr) noexcept {
    return with_v4_tail(addr, 0xFF);
  }
  static constexpr address_v6 v4_compatible(const address_v4& addr) noexcept {
    return with_v4_tail(addr, 0x00);
  }

 private:
  // True if bytes [0, end) are all zero.
  constexpr bool zero_through(std::size_t end) const noexcept {
    for (std::size_t i = 0; i < end; ++i) {
      if (bytes_[i] != 0) return false;
    }
    return true;
  }

  constexpr bool multicast_scope_is(unsigned char scope) const noexcept {
    return bytes_[0] == 0xFF && (bytes_[1] & 0x0F) == scope;
  }

  // Ten zero bytes, two `marker` bytes, then the IPv4 address.
  static constexpr address_v6 with_v4_tail(const address_v4& addr, unsigned char marker) noexcept {
    const address_v4::bytes_type v4 = addr.to_bytes();
    bytes_type bytes{};
    bytes[10] = marker;
    bytes[11] = marker;
    bytes[12] = v4[0];
    bytes[13] = v4[1];
    bytes[14] = v4[2];
    bytes[15] = v4[3];
    return address_v6(bytes);
  }

  // Declaration order is the comparison order.
  bytes_type bytes_{};
  scope_id_type scope_id_ = 0;
};

constexpr address_v6 make_address_v6(const address_v6::bytes_type& bytes,
                                     scope_id_type scope_id = 0) noexcept {
  return address_v6(bytes, scope_id);
}

// Parses what the platform's inet_pton(AF_INET6) accepts, optionally followed by "%scope".
// Following Asio: for link-local unicast (fe80::/10) and link-local multicast (ffx2::/16)
// addresses the scope is first looked up as an interface name; otherwise, or if no interface
// has that name, it is read like atoi() (leading digits, so "%eth0" on ::1 gives scope 0).
// Text after an embedded NUL is ignored. Bad text gives error::invalid_argument and the
// unspecified address; the overloads without an error_code throw proa::system_error instead.
address_v6 make_address_v6(std::string_view text, error_code& ec) noexcept;
address_v6 make_address_v6(std::string_view text);

inline address_v6 make_address_v6(const char* text, error_code& ec) noexcept {
  return make_address_v6(std::string_view(text), ec);
}
inline address_v6 make_address_v6(const char* text) {
  return make_address_v6(std::string_view(text));
}
inline address_v6 make_address_v6(const std::string& text, error_code& ec) noexcept {
  return make_address_v6(std::string_view(text), ec);
}
inline address_v6 make_address_v6(const std::string& text) {
  return make_address_v6(std::string_view(text));
}

inline address_v6 address_v6::from_string(const char* text) { return make_address_v6(text); }
inline address_v6 address_v6::from_string(const char* text, error_code& ec) {
  return make_address_v6(text, ec);
}
inline address_v6 address_v6::from_string(const std::string& text) {
  return make_address_v6(text);
}
inline address_v6 address_v6::from_string(const std::string& text, error_code& ec) {
  return make_address_v6(text, ec);
}

// Tag selecting the IPv4-mapped (::ffff:a.b.c.d) conversions.
enum v4_mapped_t { v4_mapped };

// The IPv4 address inside ::ffff:a.b.c.d; throws bad_address_cast for any other address.
constexpr address_v4 make_address_v4(v4_mapped_t, const address_v6& v6_addr) {
  if (!v6_addr.is_v4_mapped()) throw bad_address_cast();
  const address_v6::bytes_type bytes = v6_addr.to_bytes();
  return address_v4(address_v4::bytes_type{bytes[12], bytes[13], bytes[14], bytes[15]});
}

constexpr address_v6 make_address_v6(v4_mapped_t, const address_v4& v4_addr) noexcept {
  return address_v6::v4_mapped(v4_addr);
}

template <typename Elem, typename Traits>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const address_v6& addr) {
  return os << addr.to_string().c_str();
}

}  // namespace proa::ip

template <>
struct std::hash<proa::ip::address_v6> {
  std::size_t operator()(const proa::ip::address_v6& addr) const noexcept {
    // Fold the 16 bytes in 4-byte words into the scope id with a boost-style mix, so that
    // addresses differing in any byte or only in scope spread across buckets.
    const proa::ip::address_v6::bytes_type bytes = addr.to_bytes();
    std::size_t seed = static_cast<std::size_t>(addr.scope_id());
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
      const std::size_t word = (std::size_t{bytes[i]} << 24) | (std::size_t{bytes[i + 1]} << 16) |
                               (std::size_t{bytes[i + 2]} << 8) | std::size_t{bytes[i + 3]};
      seed ^= word + 0x9e3779b9u + (seed << 6) + (seed >> 2);
    }
    return seed;
  }
};
