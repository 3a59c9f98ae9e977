// proa::require(ex, props...): an executor like ex that has every property (the executor must
// support each one, through a member ex.require(p)). can_require/require_result describe it.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

namespace proa {
namespace detail {

template <typename Property>
concept requirable_property = std::remove_cvref_t<Property>::is_requirable;

struct require_fn {
  template <typename Executor, requirable_property Property>
    requires requires(Executor&& ex, Property&& p) {
      std::forward<Executor>(ex).require(std::forward<Property>(p));
    }
  constexpr auto operator()(Executor&& ex, Property&& p) const
      noexcept(noexcept(std::forward<Executor>(ex).require(std::forward<Property>(p)))) {
    return std::forward<Executor>(ex).require(std::forward<Property>(p));
  }

  template <typename Executor, typename First, typename Second, typename... Rest>
    requires std::invocable<const require_fn&, Executor, First> &&
             std::invocable<const require_fn&,
                            std::invoke_result_t<const require_fn&, Executor, First>, Second,
                            Rest...>
  constexpr auto operator()(Executor&& ex, First&& first, Second&& second, Rest&&... rest) const {
    return (*this)((*this)(std::forward<Executor>(ex), std::forward<First>(first)),
                   std::forward<Second>(second), std::forward<Rest>(rest)...);
  }
};

}  // namespace detail

inline constexpr detail::require_fn require{};

template <typename T, typename... Properties>
struct can_require
    : std::bool_constant<std::is_invocable_v<const detail::require_fn&, T, Properties...>> {};

template <typename T, typename... Properties>
inline constexpr bool can_require_v = can_require<T, Properties...>::value;

template <typename T, typename... Properties>
struct require_result {
  using type = std::invoke_result_t<const detail::require_fn&, T, Properties...>;
};

template <typename T, typename... Properties>
using require_result_t = typename require_result<T, Properties...>::type;

}  // namespace proa
