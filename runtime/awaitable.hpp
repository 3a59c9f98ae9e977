// awaitable<T, Executor>: the return type of a C++20 coroutine that runs on Executor inside a
// co_spawn'd thread and may co_await other awaitables, use_awaitable operations and this_coro
// tags (Asio 1.22's interface). An awaitable owns its lazily started frame; move-only.
#pragma once

#include <coroutine>
#include <utility>

#include "runtime/any_io_executor.hpp"
#include "runtime/detail/awaitable_frame.hpp"

namespace proa {

template <typename T, typename Executor>
class [[nodiscard]] awaitable {
 public:
  using value_type = T;
  using executor_type = Executor;
  using promise_type = detail::awaitable_frame<T, Executor>;

  constexpr awaitable() noexcept = default;

  awaitable(awaitable&& other) noexcept : frame_(std::exchange(other.frame_, nullptr)) {}

  awaitable(const awaitable&) = delete;
  awaitable& operator=(const awaitable&) = delete;

  ~awaitable() {
    if (frame_) frame_->destroy();
  }

  // Whether this object owns a coroutine (false once moved from or awaited).
  bool valid() const noexcept { return frame_ != nullptr; }

  // ---- awaiter interface, used when another awaitable coroutine co_awaits this one ----
  bool await_ready() const noexcept { return false; }

  // The caller suspends and the pump runs this frame next: no nested resume, so chains of any
  // depth or length run in constant stack.
  template <typename U>
  void await_suspend(std::coroutine_handle<detail::awaitable_frame<U, Executor>> caller) noexcept {
    frame_->start_as_callee_of(caller.promise());
  }

  // The result, or the coroutine's exception rethrown. The frame is freed on the way out so
  // that its memory is back in the recycler before the caller goes on.
  T await_resume() {
    awaitable finished(std::move(*this));
    return finished.frame_->take_result();
  }

 private:
  friend promise_type;
  friend struct detail::awaitable_access;

  explicit awaitable(promise_type* frame) noexcept : frame_(frame) {}

  promise_type* frame_ = nullptr;
};

namespace detail {

template <typename T, typename Executor>
awaitable<T, Executor> awaitable_frame<T, Executor>::get_return_object() noexcept {
  this->handle_ = std::coroutine_handle<awaitable_frame>::from_promise(*this);
  return awaitable<T, Executor>(this);
}

template <typename Executor>
awaitable<void, Executor> awaitable_frame<void, Executor>::get_return_object() noexcept {
  this->handle_ = std::coroutine_handle<awaitable_frame>::from_promise(*this);
  return awaitable<void, Executor>(this);
}

}  // namespace detail
}  // namespace proa
