// Handlers acting for another one (composed-operation steps, token adapters' wrappers) answer
// every association query (executor, allocator, cancellation slot) with the wrapped handler's
// answer, so a handler bound to a strand or given a cancellation slot keeps it through them.
#pragma once

#include <concepts>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"

namespace proa {
namespace detail {

template <typename T>
concept intermediate_handler = requires(const T& t) {
  typename T::user_handler_type;
  { t.user_handler() } -> std::same_as<const typename T::user_handler_type&>;
};

}  // namespace detail

template <typename T, typename Executor>
  requires detail::intermediate_handler<T>
struct associated_executor<T, Executor>
    : detail::forward_default_executor_mark<typename T::user_handler_type, Executor> {
  using handler_association = associated_executor<typename T::user_handler_type, Executor>;
  using type = typename handler_association::type;

  static type get(const T& t) noexcept { return handler_association::get(t.user_handler()); }
  static type get(const T& t, const Executor& ex) noexcept {
    return handler_association::get(t.user_handler(), ex);
  }
};

template <typename T, typename Allocator>
  requires detail::intermediate_handler<T>
struct associated_allocator<T, Allocator> {
  using handler_association = associated_allocator<typename T::user_handler_type, Allocator>;
  using type = typename handler_association::type;

  static type get(const T& t, const Allocator& a = Allocator()) noexcept {
    return handler_association::get(t.user_handler(), a);
  }
};

template <typename T, typename CancellationSlot>
  requires detail::intermediate_handler<T>
struct associated_cancellation_slot<T, CancellationSlot>
    : detail::forward_default_cancellation_slot_mark<typename T::user_handler_type> {
  using handler_association =
      associated_cancellation_slot<typename T::user_handler_type, CancellationSlot>;
  using type = typename handler_association::type;

  static type get(const T& t, const CancellationSlot& s = CancellationSlot()) noexcept {
    return handler_association::get(t.user_handler(), s);
  }
};

}  // namespace proa
