// execution::execute(ex, f): submits f to ex by calling ex.execute(f).
#pragma once

#include <type_traits>
#include <utility>

namespace proa {
namespace detail {

struct execute_fn {
  template <typename Executor, typename Function>
    requires requires(Executor&& ex, Function&& f) {
      std::forward<Executor>(ex).execute(std::forward<Function>(f));
    }
  constexpr void operator()(Executor&& ex, Function&& f) const
      noexcept(noexcept(std::forward<Executor>(ex).execute(std::forward<Function>(f)))) {
    std::forward<Executor>(ex).execute(std::forward<Function>(f));
  }
};

}  // namespace detail

namespace execution {

inline constexpr proa::detail::execute_fn execute{};

template <typename Executor, typename Function>
struct can_execute
    : std::bool_constant<std::is_invocable_v<const proa::detail::execute_fn&, Executor, Function>> {
};

template <typename Executor, typename Function>
inline constexpr bool can_execute_v = can_execute<Executor, Function>::value;

}  // namespace execution
}  // namespace proa
