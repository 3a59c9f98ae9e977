// proa::query(ex, prop): the value of a property of an executor, through ex.query(prop).
// Results keep their reference-ness (query(ex, execution::context) returns a context&).
#pragma once

#include <type_traits>
#include <utility>

namespace proa {
namespace detail {

struct query_fn {
  template <typename Executor, typename Property>
    requires requires(Executor&& ex, Property&& p) {
      std::forward<Executor>(ex).query(std::forward<Property>(p));
    }
  constexpr decltype(auto) operator()(Executor&& ex, Property&& p) const
      noexcept(noexcept(std::forward<Executor>(ex).query(std::forward<Property>(p)))) {
    return std::forward<Executor>(ex).query(std::forward<Property>(p));
  }
};

}  // namespace detail

inline constexpr detail::query_fn query{};

template <typename T, typename Property>
struct can_query : std::bool_constant<std::is_invocable_v<const detail::query_fn&, T, Property>> {
};

template <typename T, typename Property>
inline constexpr bool can_query_v = can_query<T, Property>::value;

template <typename T, typename Property>
struct query_result {
  using type = std::invoke_result_t<const detail::query_fn&, T, Property>;
};

template <typename T, typename Property>
using query_result_t = typename query_result<T, Property>::type;

}  // namespace proa
