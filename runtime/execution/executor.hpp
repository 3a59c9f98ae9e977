// What counts as an executor: execution::executor (the standard-executors model: copyable,
// comparable, with execute()) and proa::is_executor (the older Networking TS model with
// dispatch/post/defer and on_work_started/on_work_finished).
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>

#include "runtime/execution/execute.hpp"

namespace proa {
namespace execution {

// A function object standing for "any nullary function" when testing executors.
struct invocable_archetype {
  void operator()() const noexcept {}
};

template <typename T>
// execute() is checked first: it rules out non-executors (an I/O object being moved, say)
// before copy_constructible could recurse through a constructor that takes an executor.
concept executor = requires(const std::remove_cvref_t<T>& ex) {
                     ex.execute(invocable_archetype{});
                   } && std::copy_constructible<std::remove_cvref_t<T>> &&
                   std::equality_comparable<std::remove_cvref_t<T>>;

template <typename T>
struct is_executor : std::bool_constant<executor<T>> {};

template <typename T>
inline constexpr bool is_executor_v = is_executor<T>::value;

}  // namespace execution

namespace detail {

template <typename T>
concept legacy_executor = std::copy_constructible<T> && std::equality_comparable<T> &&
                          requires(const T& ex, execution::invocable_archetype f,
                                   std::allocator<void> a) {
                            ex.context();
                            ex.on_work_started();
                            ex.on_work_finished();
                            ex.dispatch(f, a);
                            ex.post(f, a);
                            ex.defer(f, a);
                          };

// Either model; what post/dispatch/defer, bind_executor and the associators accept.
template <typename T>
concept standard_or_legacy_executor = execution::executor<T> || legacy_executor<T>;

}  // namespace detail

// The Networking TS executor trait (dispatch/post/defer members).
template <typename T>
struct is_executor : std::bool_constant<detail::legacy_executor<T>> {};

template <typename T>
inline constexpr bool is_executor_v = is_executor<T>::value;

}  // namespace proa
