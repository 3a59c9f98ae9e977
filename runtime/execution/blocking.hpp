// execution::blocking: whether execute() may run the function before returning
// (possibly), must (always) or must not (never).
#pragma once

#include "runtime/execution/detail/enumerated_property.hpp"

namespace proa::execution {

struct blocking_t : proa::detail::enumerated_property<blocking_t> {
  using possibly_t = proa::detail::enumerated_property_value<blocking_t, 0>;
  using always_t = proa::detail::enumerated_property_value<blocking_t, 1>;
  using never_t = proa::detail::enumerated_property_value<blocking_t, 2>;

  static constexpr possibly_t possibly{};
  static constexpr always_t always{};
  static constexpr never_t never{};

  using enumerated_property::enumerated_property;
};

inline constexpr blocking_t blocking{};

}  // namespace proa::execution
