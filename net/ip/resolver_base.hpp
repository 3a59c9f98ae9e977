// proa::ip::resolver_base: the getaddrinfo flags resolvers accept (passive, numeric_host, ...),
// combinable with the bitwise operators, as in Asio 1.22.
#pragma once

#include <netdb.h>

namespace proa::ip {

class resolver_base {
 public:
  // The values are the AI_* constants, so a flags value is passed straight into the hints.
  enum flags {
    canonical_name = AI_CANONNAME,
    passive = AI_PASSIVE,
    numeric_host = AI_NUMERICHOST,
    numeric_service = AI_NUMERICSERV,
    v4_mapped = AI_V4MAPPED,
    all_matching = AI_ALL,
    address_configured = AI_ADDRCONFIG,
  };

  friend constexpr flags operator&(flags a, flags b) noexcept {
    return static_cast<flags>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
  }
  friend constexpr flags operator|(flags a, flags b) noexcept {
    return static_cast<flags>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
  }
  friend constexpr flags operator^(flags a, flags b) noexcept {
    return static_cast<flags>(static_cast<unsigned>(a) ^ static_cast<unsigned>(b));
  }
  // Only the bits of the AI_* values above survive, so the result is still a valid flags value.
  friend constexpr flags operator~(flags a) noexcept {
    constexpr unsigned all_bits = AI_CANONNAME | AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV |
                                  AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG;
    return static_cast<flags>(~static_cast<unsigned>(a) & all_bits);
  }
  friend constexpr flags& operator&=(flags& a, flags b) noexcept { return a = a & b; }
  friend constexpr flags& operator|=(flags& a, flags b) noexcept { return a = a | b; }
  friend constexpr flags& operator^=(flags& a, flags b) noexcept { return a = a ^ b; }

 protected:
  // A base of resolvers, never deleted through.
  ~resolver_base() = default;
};

}  // namespace proa::ip
