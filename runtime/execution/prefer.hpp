// proa::prefer(ex, props...): like require, but a property the executor does not support is
// skipped (ex is returned as is). Uses ex.prefer(p) if present, else ex.require(p).
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

namespace proa {
namespace detail {

template <typename Property>
concept preferable_property = std::remove_cvref_t<Property>::is_preferable;

struct prefer_fn {
  template <typename Executor, preferable_property Property>
    requires std::constructible_from<std::decay_t<Executor>, Executor>
  constexpr auto operator()(Executor&& ex, Property&& p) const {
    if constexpr (requires { std::forward<Executor>(ex).prefer(std::forward<Property>(p)); }) {
      return std::forward<Executor>(ex).prefer(std::forward<Property>(p));
    } else if constexpr (requires {
                           std::forward<Executor>(ex).require(std::forward<Property>(p));
                         }) {
      return std::forward<Executor>(ex).require(std::forward<Property>(p));
    } else {
      return std::decay_t<Executor>(std::forward<Executor>(ex));
    }
  }

  template <typename Executor, typename First, typename Second, typename... Rest>
    requires std::invocable<const prefer_fn&, Executor, First> &&
             std::invocable<const prefer_fn&,
                            std::invoke_result_t<const prefer_fn&, Executor, First>, Second,
                            Rest...>
  constexpr auto operator()(Executor&& ex, First&& first, Second&& second, Rest&&... rest) const {
    return (*this)((*this)(std::forward<Executor>(ex), std::forward<First>(first)),
                   std::forward<Second>(second), std::forward<Rest>(rest)...);
  }
};

}  // namespace detail

inline constexpr detail::prefer_fn prefer{};

template <typename T, typename... Properties>
struct can_prefer
    : std::bool_constant<std::is_invocable_v<const detail::prefer_fn&, T, Properties...>> {};

template <typename T, typename... Properties>
inline constexpr bool can_prefer_v = can_prefer<T, Properties...>::value;

template <typename T, typename... Properties>
struct prefer_result {
  using type = std::invoke_result_t<const detail::prefer_fn&, T, Properties...>;
};

template <typename T, typename... Properties>
using prefer_result_t = typename prefer_result<T, Properties...>::type;

}  // namespace proa
