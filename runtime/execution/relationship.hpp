// execution::relationship: whether submitted work is independent of the caller (fork) or
// continues it (continuation), which lets a scheduler keep continuations on the current thread.
#pragma once

#include "runtime/execution/detail/enumerated_property.hpp"

namespace proa::execution {

struct relationship_t : proa::detail::enumerated_property<relationship_t> {
  using fork_t = proa::detail::enumerated_property_value<relationship_t, 0>;
  using continuation_t = proa::detail::enumerated_property_value<relationship_t, 1>;

  static constexpr fork_t fork{};
  static constexpr continuation_t continuation{};

  using enumerated_property::enumerated_property;
};

inline constexpr relationship_t relationship{};

}  // namespace proa::execution
