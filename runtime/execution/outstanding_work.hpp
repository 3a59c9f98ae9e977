// execution::outstanding_work: whether an executor object keeps its context's run() from
// returning for lack of work (tracked) or not (untracked).
#pragma once

#include "runtime/execution/detail/enumerated_property.hpp"

namespace proa::execution {

struct outstanding_work_t : proa::detail::enumerated_property<outstanding_work_t> {
  using untracked_t = proa::detail::enumerated_property_value<outstanding_work_t, 0>;
  using tracked_t = proa::detail::enumerated_property_value<outstanding_work_t, 1>;

  static constexpr untracked_t untracked{};
  static constexpr tracked_t tracked{};

  using enumerated_property::enumerated_property;
};

inline constexpr outstanding_work_t outstanding_work{};

}  // namespace proa::execution
