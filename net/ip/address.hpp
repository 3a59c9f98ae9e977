// proa::ip::address: either an IPv4 or an IPv6 address, with Asio 1.22's interface
// (make_address parsing either form, version queries and checked casts, ordering, hashing).
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "net/ip/address_v4.hpp"
#include "net/ip/address_v6.hpp"
#include "net/ip/bad_address_cast.hpp"
#include "platform/error.hpp"

namespace proa::ip {

class address {
 public:
  // The IPv4 unspecified address, 0.0.0.0.
  constexpr address() noexcept = default;

  constexpr address(const address_v4& ipv4_address) noexcept
      : version_(version::v4), v4_(ipv4_address) {}

  constexpr address(const address_v6& ipv6_address) noexcept
      : version_(version::v6), v6_(ipv6_address) {}

  constexpr address& operator=(const address_v4& ipv4_address) noexcept {
    return *this = address(ipv4_address);
  }
  constexpr address& operator=(const address_v6& ipv6_address) noexcept {
    return *this = address(ipv6_address);
  }

  constexpr bool is_v4() const noexcept { return version_ == version::v4; }
  constexpr bool is_v6() const noexcept { return version_ == version::v6; }

  // Throw bad_address_cast if the address is of the other version (no v4-mapped conversion).
  constexpr address_v4 to_v4() const {
    if (!is_v4()) throw bad_address_cast();
    return v4_;
  }
  constexpr address_v6 to_v6() const {
    if (!is_v6()) throw bad_address_cast();
    return v6_;
  }

  std::string to_string() const { return is_v4() ? v4_.to_string() : v6_.to_string(); }

  constexpr bool is_loopback() const noexcept {
    return is_v4() ? v4_.is_loopback() : v6_.is_loopback();
  }
  constexpr bool is_unspecified() const noexcept {
    return is_v4() ? v4_.is_unspecified() : v6_.is_unspecified();
  }
  constexpr bool is_multicast() const noexcept {
    return is_v4() ? v4_.is_multicast() : v6_.is_multicast();
  }

  // Addresses of different versions are never equal (1.2.3.4 != ::ffff:1.2.3.4), and every
  // IPv4 address orders before every IPv6 address.
  friend constexpr bool operator==(const address& a, const address& b) noexcept {
    if (a.version_ != b.version_) return false;
    return a.is_v4() ? a.v4_ == b.v4_ : a.v6_ == b.v6_;
  }
  friend constexpr std::strong_ordering operator<=>(const address& a,
                                                    const address& b) noexcept {
    if (a.version_ != b.version_) return a.version_ <=> b.version_;
    return a.is_v4() ? a.v4_ <=> b.v4_ : a.v6_ <=> b.v6_;
  }

  // ---- Deprecated in Asio but still present there; kept so older Asio code compiles. ----
  std::string to_string(error_code& ec) const {
    ec.clear();
    return to_string();
  }
  static address from_string(const char* text);
  static address from_string(const char* text, error_code& ec);
  static address from_string(const std::string& text);
  static address from_string(const std::string& text, error_code& ec);

 private:
  // Underlying order is the cross-version ordering.
  enum class version : unsigned char { v4, v6 };

  version version_ = version::v4;
  // Only the member named by version_ is meaningful; the other stays default-constructed.
  address_v4 v4_{};
  address_v6 v6_{};
};

// Tries IPv6 (including any "%scope") first, then IPv4, with the rules of make_address_v6 and
// make_address_v4. Bad text gives error::invalid_argument and the IPv4 unspecified address;
// the overloads without an error_code throw proa::system_error instead.
address make_address(std::string_view text, error_code& ec) noexcept;
address make_address(std::string_view text);

inline address make_address(const char* text, error_code& ec) noexcept {
  return make_address(std::string_view(text), ec);
}
inline address make_address(const char* text) { return make_address(std::string_view(text)); }
inline address make_address(const std::string& text, error_code& ec) noexcept {
  return make_address(std::string_view(text), ec);
}
inline address make_address(const std::string& text) {
  return make_address(std::string_view(text));
}

inline address address::from_string(const char* text) { return make_address(text); }
inline address address::from_string(const char* text, error_code& ec) {
  return make_address(text, ec);
}
inline address address::from_string(const std::string& text) { return make_address(text); }
inline address address::from_string(const std::string& text, error_code& ec) {
  return make_address(text, ec);
}

template <typename Elem, typename Traits>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const address& addr) {
  return os << addr.to_string().c_str();
}

}  // namespace proa::ip

template <>
struct std::hash<proa::ip::address> {
  std::size_t operator()(const proa::ip::address& addr) const noexcept {
    return addr.is_v4() ? std::hash<proa::ip::address_v4>()(addr.to_v4())
                        : std::hash<proa::ip::address_v6>()(addr.to_v6());
  }
};
