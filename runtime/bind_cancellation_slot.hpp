// bind_cancellation_slot: gives a handler or completion token a cancellation slot (Asio 1.22),
// e.g. `socket.async_read_some(buf, bind_cancellation_slot(signal.slot(), handler))`; emitting
// the signal then cancels that operation. Other associations pass through to the target.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/detail/token_adapter.hpp"

namespace proa {

template <typename T, typename CancellationSlot>
class cancellation_slot_binder {
 public:
  using target_type = T;
  using cancellation_slot_type = CancellationSlot;

  template <typename U>
  cancellation_slot_binder(const cancellation_slot_type& slot, U&& target)
      : slot_(slot), target_(std::forward<U>(target)) {}

  target_type& get() noexcept { return target_; }
  const target_type& get() const noexcept { return target_; }

  cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) & {
    return std::invoke(target_, std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const& {
    return std::invoke(target_, std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) && {
    return std::invoke(std::move(target_), std::forward<Args>(args)...);
  }

 private:
  CancellationSlot slot_;
  T target_;
};

template <typename CancellationSlot, typename T>
cancellation_slot_binder<std::decay_t<T>, CancellationSlot> bind_cancellation_slot(
    const CancellationSlot& slot, T&& target) {
  return cancellation_slot_binder<std::decay_t<T>, CancellationSlot>(slot,
                                                                     std::forward<T>(target));
}

template <typename T, typename CancellationSlot, typename Executor>
struct associated_executor<cancellation_slot_binder<T, CancellationSlot>, Executor>
    : detail::forward_default_executor_mark<T, Executor> {
  using type = associated_executor_t<T, Executor>;
  static type get(const cancellation_slot_binder<T, CancellationSlot>& b) noexcept {
    return associated_executor<T, Executor>::get(b.get());
  }
  static type get(const cancellation_slot_binder<T, CancellationSlot>& b,
                  const Executor& ex) noexcept {
    return associated_executor<T, Executor>::get(b.get(), ex);
  }
};

template <typename T, typename CancellationSlot, typename Allocator>
struct associated_allocator<cancellation_slot_binder<T, CancellationSlot>, Allocator> {
  using type = associated_allocator_t<T, Allocator>;
  static type get(const cancellation_slot_binder<T, CancellationSlot>& b,
                  const Allocator& a = Allocator()) noexcept {
    return associated_allocator<T, Allocator>::get(b.get(), a);
  }
};

namespace detail {

template <typename CancellationSlot>
struct bind_slot_to_handler {
  CancellationSlot slot;
  template <typename Handler>
  cancellation_slot_binder<std::decay_t<Handler>, CancellationSlot> operator()(
      Handler&& handler) const {
    return {slot, std::forward<Handler>(handler)};
  }
};

}  // namespace detail

// As a completion token: the handler the target token makes gets the slot.
template <typename T, typename CancellationSlot, completion_signature... Signatures>
class async_result<cancellation_slot_binder<T, CancellationSlot>, Signatures...> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner = detail::inner_token_t<RawCompletionToken&&, T>;
    return async_initiate<inner, Signatures...>(
        detail::make_wrapping_initiation(
            std::forward<Initiation>(initiation),
            detail::bind_slot_to_handler<CancellationSlot>{token.get_cancellation_slot()}),
        token.get(), std::forward<Args>(args)...);
  }
};

}  // namespace proa
