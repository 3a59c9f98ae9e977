// associated_executor: the executor a handler wants to run on. A handler names one by having
// executor_type/get_executor() or by a specialisation of associated_executor; otherwise the
// executor the caller supplies (by default the system executor) is used.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>

#include "runtime/execution/blocking.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution/relationship.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

// Defined by runtime/system_context.hpp; only needed complete where the default is used.
template <typename Blocking, typename Relationship, typename Allocator>
class basic_system_executor;
using system_executor = basic_system_executor<execution::blocking_t::possibly_t,
                                              execution::relationship_t::fork_t,
                                              std::allocator<void>>;

template <typename T, typename Executor>
struct associated_executor;

namespace detail {

template <typename T>
concept has_executor_type = requires { typename T::executor_type; };

template <typename T, typename Executor>
struct associated_executor_default {
  // Marks "no executor of its own": post/dispatch/defer skip the work-tracking hop then.
  using proa_associated_executor_is_default = void;
  using type = Executor;
  static type get(const T&) noexcept { return Executor(); }
  static type get(const T&, const Executor& ex) noexcept { return ex; }
};

template <typename T, typename Executor>
  requires has_executor_type<T>
struct associated_executor_default<T, Executor> {
  using type = typename T::executor_type;
  // Two overloads rather than a defaulted argument: the one-argument form must not need the
  // default executor to be a complete type.
  static type get(const T& t) noexcept { return t.get_executor(); }
  static type get(const T& t, const Executor&) noexcept { return t.get_executor(); }
};

// True when T has an executor of its own (through a member or a specialisation).
template <typename T, typename Executor>
concept has_own_associated_executor = !requires {
  typename associated_executor<T, Executor>::proa_associated_executor_is_default;
};

// Passes the "no executor of its own" mark through wrappers that forward to their target.
template <typename T, typename Executor>
struct forward_default_executor_mark {};

template <typename T, typename Executor>
  requires(!has_own_associated_executor<T, Executor>)
struct forward_default_executor_mark<T, Executor> {
  using proa_associated_executor_is_default = void;
};

}  // namespace detail

template <typename T, typename Executor = system_executor>
struct associated_executor : detail::associated_executor_default<T, Executor> {};

// A reference_wrapper stands for the object it refers to.
template <typename T, typename Executor>
struct associated_executor<std::reference_wrapper<T>, Executor>
    : detail::forward_default_executor_mark<T, Executor> {
  using type = typename associated_executor<T, Executor>::type;
  static type get(std::reference_wrapper<T> t) noexcept {
    return associated_executor<T, Executor>::get(t.get());
  }
  static type get(std::reference_wrapper<T> t, const Executor& ex) noexcept {
    return associated_executor<T, Executor>::get(t.get(), ex);
  }
};

template <typename T, typename Executor = system_executor>
using associated_executor_t = typename associated_executor<T, Executor>::type;

template <typename T>
typename associated_executor<T>::type get_associated_executor(const T& t) noexcept {
  return associated_executor<T>::get(t);
}

template <typename T, detail::standard_or_legacy_executor Executor>
typename associated_executor<T, Executor>::type get_associated_executor(
    const T& t, const Executor& ex) noexcept {
  return associated_executor<T, Executor>::get(t, ex);
}

template <typename T, detail::execution_context_type ExecutionContext>
typename associated_executor<T, typename ExecutionContext::executor_type>::type
get_associated_executor(const T& t, ExecutionContext& context) noexcept {
  return associated_executor<T, typename ExecutionContext::executor_type>::get(
      t, context.get_executor());
}

}  // namespace proa
