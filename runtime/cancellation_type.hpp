// cancellation_type: what kind of cancellation a signal asks for (Asio 1.22's bitmask).
// terminal: the operation may be left in any state; partial: it may have had side effects that
// are reported; total: it had none.
#pragma once

namespace proa {

enum class cancellation_type : unsigned int {
  none = 0,
  terminal = 1,
  partial = 2,
  total = 4,
  all = 0xFFFFFFFF
};

using cancellation_type_t = cancellation_type;

constexpr bool operator!(cancellation_type_t x) noexcept {
  return static_cast<unsigned int>(x) == 0;
}

constexpr cancellation_type_t operator&(cancellation_type_t x, cancellation_type_t y) noexcept {
  return static_cast<cancellation_type_t>(static_cast<unsigned int>(x) &
                                          static_cast<unsigned int>(y));
}

constexpr cancellation_type_t operator|(cancellation_type_t x, cancellation_type_t y) noexcept {
  return static_cast<cancellation_type_t>(static_cast<unsigned int>(x) |
                                          static_cast<unsigned int>(y));
}

constexpr cancellation_type_t operator^(cancellation_type_t x, cancellation_type_t y) noexcept {
  return static_cast<cancellation_type_t>(static_cast<unsigned int>(x) ^
                                          static_cast<unsigned int>(y));
}

constexpr cancellation_type_t operator~(cancellation_type_t x) noexcept {
  return static_cast<cancellation_type_t>(~static_cast<unsigned int>(x));
}

constexpr cancellation_type_t& operator&=(cancellation_type_t& x, cancellation_type_t y) noexcept {
  return x = x & y;
}

constexpr cancellation_type_t& operator|=(cancellation_type_t& x, cancellation_type_t y) noexcept {
  return x = x | y;
}

constexpr cancellation_type_t& operator^=(cancellation_type_t& x, cancellation_type_t y) noexcept {
  return x = x ^ y;
}

}  // namespace proa
