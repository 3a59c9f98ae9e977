// proa::ip::address_v4: an IPv4 address value with Asio 1.22's interface (parsing, printing,
// classification, ordering, hashing).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace proa::ip {

class address_v4 {
 public:
  using uint_type = std::uint_least32_t;
  // Network byte order: bytes[0] is the first number of the dotted form.
  using bytes_type = std::array<unsigned char, 4>;

  static_assert(sizeof(uint_type) == 4, "address_v4 keeps the address in a 32-bit integer");

  constexpr address_v4() noexcept = default;

  constexpr explicit address_v4(const bytes_type& bytes) noexcept
      : value_((uint_type{bytes[0]} << 24) | (uint_type{bytes[1]} << 16) |
               (uint_type{bytes[2]} << 8) | uint_type{bytes[3]}) {}

  // `value` is in host byte order: 0x7F000001 is 127.0.0.1.
  constexpr explicit address_v4(uint_type value) noexcept : value_(value) {}

  constexpr bytes_type to_bytes() const noexcept {
    return {static_cast<unsigned char>(value_ >> 24), static_cast<unsigned char>(value_ >> 16),
            static_cast<unsigned char>(value_ >> 8), static_cast<unsigned char>(value_)};
  }

  constexpr uint_type to_uint() const noexcept { return value_; }

  // Dotted decimal, e.g. "192.168.0.1".
  std::string to_string() const;

  constexpr bool is_loopback() const noexcept { return (value_ & 0xFF000000u) == 0x7F000000u; }
  constexpr bool is_unspecified() const noexcept { return value_ == 0; }
  constexpr bool is_multicast() const noexcept { return (value_ & 0xF0000000u) == 0xE0000000u; }

  static constexpr address_v4 any() noexcept { return address_v4(); }
  static constexpr address_v4 loopback() noexcept { return address_v4(uint_type{0x7F000001u}); }
  static constexpr address_v4 broadcast() noexcept { return address_v4(uint_type{0xFFFFFFFFu}); }

  // Numeric order, which is also the order of the dotted form's numbers.
  friend constexpr bool operator==(const address_v4&, const address_v4&) noexcept = default;
  friend constexpr auto operator<=>(const address_v4&, const address_v4&) noexcept = default;

  // ---- Deprecated in Asio but still present there; kept so older Asio code compiles. ----
  unsigned long to_ulong() const noexcept { return value_; }
  std::string to_string(error_code& ec) const {
    ec.clear();
    return to_string();
  }
  static address_v4 from_string(const char* text);
  static address_v4 from_string(const char* text, error_code& ec);
  static address_v4 from_string(const std::string& text);
  static address_v4 from_string(const std::string& text, error_code& ec);
  // Classful networking (pre-CIDR); network_v4 is the modern replacement.
  constexpr bool is_class_a() const noexcept { return (value_ & 0x80000000u) == 0; }
  constexpr bool is_class_b() const noexcept { return (value_ & 0xC0000000u) == 0x80000000u; }
  constexpr bool is_class_c() const noexcept { return (value_ & 0xE0000000u) == 0xC0000000u; }
  static constexpr address_v4 broadcast(const address_v4& addr, const address_v4& mask) noexcept {
    return address_v4(addr.value_ | ~mask.value_);
  }
  static constexpr address_v4 netmask(const address_v4& addr) noexcept {
    if (addr.is_class_a()) return address_v4(uint_type{0xFF000000u});
    if (addr.is_class_b()) return address_v4(uint_type{0xFFFF0000u});
    if (addr.is_class_c()) return address_v4(uint_type{0xFFFFFF00u});
    return broadcast();
  }

 private:
  // Host byte order, so ordering and classification are plain integer operations.
  uint_type value_ = 0;
};

constexpr address_v4 make_address_v4(const address_v4::bytes_type& bytes) noexcept {
  return address_v4(bytes);
}

constexpr address_v4 make_address_v4(address_v4::uint_type value) noexcept {
  return address_v4(value);
}

// Parses dotted decimal exactly as the platform's inet_pton(AF_INET) does (four decimal parts,
// no leading zeros, nothing around them). Text after an embedded NUL is ignored, as Asio does.
// Bad text gives error::invalid_argument and the unspecified address; the overloads without
// an error_code throw proa::system_error instead.
address_v4 make_address_v4(std::string_view text, error_code& ec) noexcept;
address_v4 make_address_v4(std::string_view text);

inline address_v4 make_address_v4(const char* text, error_code& ec) noexcept {
  return make_address_v4(std::string_view(text), ec);
}
inline address_v4 make_address_v4(const char* text) {
  return make_address_v4(std::string_view(text));
}
inline address_v4 make_address_v4(const std::string& text, error_code& ec) noexcept {
  return make_address_v4(std::string_view(text), ec);
}
inline address_v4 make_address_v4(const std::string& text) {
  return make_address_v4(std::string_view(text));
}

inline address_v4 address_v4::from_string(const char* text) { return make_address_v4(text); }
inline address_v4 address_v4::from_string(const char* text, error_code& ec) {
  return make_address_v4(text, ec);
}
inline address_v4 address_v4::from_string(const std::string& text) {
  return make_address_v4(text);
}
inline address_v4 address_v4::from_string(const std::string& text, error_code& ec) {
  return make_address_v4(text, ec);
}

template <typename Elem, typename Traits>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const address_v4& addr) {
  return os << addr.to_string().c_str();
}

}  // namespace proa::ip

template <>
struct std::hash<proa::ip::address_v4> {
  std::size_t operator()(const proa::ip::address_v4& addr) const noexcept {
    return std::hash<proa::ip::address_v4::uint_type>()(addr.to_uint());
  }
};
