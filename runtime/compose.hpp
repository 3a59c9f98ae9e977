// async_compose (Asio 1.22): a user-written state machine as an operation taking any token. The
// implementation runs as impl(self), then impl(self, args...) after each intermediate operation,
// and ends with self.complete(args...); the I/O objects' executors hold work meanwhile.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/cancellation_state.hpp"
#include "runtime/cancellation_type.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/executor_work_guard.hpp"
#include "runtime/system_context.hpp"

namespace proa {
namespace detail {

// An I/O object's executor, or the executor itself.
template <typename T>
decltype(auto) composed_io_executor(T&& io_object_or_executor) {
  if constexpr (standard_or_legacy_executor<std::decay_t<T>>)
    return std::forward<T>(io_object_or_executor);
  else
    return io_object_or_executor.get_executor();
}

// The executors the operation was given, each held with outstanding work. The first one is
// where the operation's steps run when the handler names no executor (system_executor when
// none was given, as in Asio).
template <typename... Executors>
class composed_work {
 public:
  using head_executor_type = std::tuple_element_t<0, std::tuple<Executors..., system_executor>>;

  explicit composed_work(const Executors&... executors) : guards_(executors...) {}

  head_executor_type head_executor() const noexcept {
    if constexpr (sizeof...(Executors) == 0)
      return system_executor();
    else
      return std::get<0>(guards_).get_executor();
  }

  void reset() noexcept {
    std::apply([](auto&... guard) { (guard.reset(), ...); }, guards_);
  }

 private:
  std::tuple<executor_work_guard<Executors>...> guards_;
};

template <typename Implementation, typename Handler, typename Signature, typename... Executors>
class composed_op;

// The `self` an implementation sees. It is the handler of each intermediate operation, so it
// runs on (and allocates like) the user's handler, and it gives those operations the slot of
// its cancellation state, which takes terminal cancellation from the handler's slot.
template <typename Implementation, typename Handler, typename R, typename... Args,
          typename... Executors>
class composed_op<Implementation, Handler, R(Args...), Executors...> {
 public:
  using executor_type =
      associated_executor_t<Handler, typename composed_work<Executors...>::head_executor_type>;
  using allocator_type = associated_allocator_t<Handler>;
  using cancellation_slot_type = cancellation_slot;

  template <typename I, typename H>
  composed_op(I&& implementation, composed_work<Executors...>&& work, H&& handler)
      : implementation_(std::forward<I>(implementation)),
        work_(std::move(work)),
        handler_(std::forward<H>(handler)),
        cancellation_(make_state(handler_, enable_terminal_cancellation())) {}

  composed_op(composed_op&&) = default;
  composed_op& operator=(composed_op&&) = delete;

  executor_type get_executor() const noexcept {
    return get_associated_executor(handler_, work_.head_executor());
  }

  allocator_type get_allocator() const noexcept { return get_associated_allocator(handler_); }

  cancellation_slot_type get_cancellation_slot() const noexcept { return cancellation_.slot(); }

  // The cancellation requested of this operation so far.
  cancellation_type_t cancelled() const noexcept { return cancellation_.cancelled(); }

  // Starts over with no cancellation recorded and the given filters (terminal only by default).
  void reset_cancellation_state() {
    cancellation_ = make_state(handler_, enable_terminal_cancellation());
  }
  template <typename Filter>
  void reset_cancellation_state(Filter&& filter) {
    cancellation_ = make_state(handler_, std::forward<Filter>(filter));
  }
  template <typename InFilter, typename OutFilter>
  void reset_cancellation_state(InFilter&& in_filter, OutFilter&& out_filter) {
    if constexpr (has_own_cancellation_slot<Handler>)
      cancellation_ = cancellation_state(get_associated_cancellation_slot(handler_),
                                         std::forward<InFilter>(in_filter),
                                         std::forward<OutFilter>(out_filter));
  }

  // Runs the next step of the implementation.
  template <typename... T>
  void operator()(T&&... t) {
    cancellation_.slot().clear();
    implementation_(*this, std::forward<T>(t)...);
  }

  // Ends the operation: releases the work and calls the user's handler.
  void complete(Args... args) {
    work_.reset();
    if constexpr (std::is_invocable_v<Handler, Args...>)
      std::move(handler_)(static_cast<Args&&>(args)...);
    else
      handler_(static_cast<Args&&>(args)...);
  }

 private:
  template <typename Filter>
  static cancellation_state make_state(Handler& handler, Filter&& filter) {
    if constexpr (has_own_cancellation_slot<Handler>)
      return cancellation_state(get_associated_cancellation_slot(handler),
                                std::forward<Filter>(filter));
    else
      return cancellation_state();
  }

  Implementation implementation_;
  composed_work<Executors...> work_;
  Handler handler_;
  cancellation_state cancellation_;
};

template <typename Signature, typename... Executors>
class initiate_composed_op {
 public:
  using executor_type = typename composed_work<Executors...>::head_executor_type;

  explicit initiate_composed_op(const Executors&... executors) : executors_(executors...) {}

  executor_type get_executor() const noexcept {
    if constexpr (sizeof...(Executors) == 0)
      return system_executor();
    else
      return std::get<0>(executors_);
  }

  template <typename Handler, typename Implementation>
  void operator()(Handler&& handler, Implementation&& implementation) const {
    composed_op<std::decay_t<Implementation>, std::decay_t<Handler>, Signature, Executors...>(
        std::forward<Implementation>(implementation),
        std::make_from_tuple<composed_work<Executors...>>(executors_),
        std::forward<Handler>(handler))();
  }

 private:
  std::tuple<Executors...> executors_;
};

template <typename Signature, typename... Executors>
initiate_composed_op<Signature, std::decay_t<Executors>...> make_initiate_composed_op(
    Executors&&... executors) {
  return initiate_composed_op<Signature, std::decay_t<Executors>...>(
      std::forward<Executors>(executors)...);
}

}  // namespace detail

// Launches `implementation` as an operation completing with Signature through `token`.
template <typename CompletionToken, completion_signature Signature, typename Implementation,
          typename... IoObjectsOrExecutors>
decltype(auto) async_compose(Implementation&& implementation,
                             std::type_identity_t<CompletionToken>& token,
                             IoObjectsOrExecutors&&... io_objects_or_executors) {
  return async_initiate<CompletionToken, Signature>(
      detail::make_initiate_composed_op<Signature>(
          detail::composed_io_executor(io_objects_or_executors)...),
      token, std::forward<Implementation>(implementation));
}

}  // namespace proa
