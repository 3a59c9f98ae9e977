// Handlers acting for another one (composed-operation steps, token adapters' wrappers) answer
// every association query (executor, allocator, cancellation slot) with the wrapped handler's
// answer, so a handler bound to a strand or given a cancellation slot keeps it through them.
#pragma once

#include <concepts>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/cancellation_state.hpp"
#include "runtime/cancellation_type.hpp"

namespace proa {
namespace detail {

template <typename T>
concept intermediate_handler = requires(const T& t) {
  typename T::user_handler_type;
  { t.user_handler() } -> std::same_as<const typename T::user_handler_type&>;
};

// What a composed operation (async_read, async_write, ...) keeps so that a cancellation its
// handler's slot receives between two steps is not lost: the steps themselves only see emits
// made while one of them is pending. For a handler with a slot of its own, a
// cancellation_state takes the slot's emits (terminal and partial, as Asio's composed
// operations do), remembers them for cancelled(), and passes them on to the current step
// through get_cancellation_slot(). For any other handler it is empty and costs nothing.
template <typename Handler, bool = has_own_cancellation_slot<Handler>>
class step_cancellation {
 protected:
  explicit step_cancellation(const Handler&) noexcept {}
  static constexpr cancellation_type_t cancelled() noexcept { return cancellation_type::none; }
};

template <typename Handler>
class step_cancellation<Handler, true> {
 public:
  using cancellation_slot_type = cancellation_slot;
  cancellation_slot_type get_cancellation_slot() const noexcept { return state_.slot(); }

 protected:
  explicit step_cancellation(const Handler& handler)
      : state_(get_associated_cancellation_slot(handler), enable_partial_cancellation()) {}
  cancellation_type_t cancelled() const noexcept { return state_.cancelled(); }

 private:
  cancellation_state state_;
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

// A composed operation with a step_cancellation of its own gives its steps that slot.
template <typename T, typename CancellationSlot>
  requires detail::intermediate_handler<T> && detail::has_cancellation_slot_type<T>
struct associated_cancellation_slot<T, CancellationSlot> {
  using type = typename T::cancellation_slot_type;
  static type get(const T& t, const CancellationSlot& = CancellationSlot()) noexcept {
    return t.get_cancellation_slot();
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
