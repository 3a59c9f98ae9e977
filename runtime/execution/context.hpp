// execution::context: query-only property giving the execution context an executor submits to.
#pragma once

namespace proa::execution {

struct context_t {
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = false;
};

inline constexpr context_t context{};

}  // namespace proa::execution
