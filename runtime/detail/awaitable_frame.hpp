// The machinery under awaitable<T, Executor>: coroutine frames (promises) in recycled memory,
// the "thread" a co_spawn starts (a stack of frames sharing one executor and cancellation
// state) and the pump that runs it. Frames hand control to each other through the pump instead
// of resuming each other, so stack depth stays constant however deep or long a chain runs.
#pragma once

#include <concepts>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

#include "platform/error.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/cancellation_state.hpp"
#include "runtime/cancellation_type.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/this_coro.hpp"

namespace proa {

class any_io_executor;

template <typename T, typename Executor = any_io_executor>
class awaitable;

namespace detail {

class awaitable_frame_base;
class awaitable_thread_base;

// The frame loop running on this OS thread. Every resumption of a frame happens inside one:
// a frame that hands control on (to a callee it awaits, or back to its caller when it returns)
// names the next frame here and suspends, and the loop resumes that frame. Nested loops (a
// co_spawn that starts inline from inside a coroutine) stack through `outer`.
struct awaitable_pump {
  awaitable_frame_base* next;
  awaitable_pump* outer;
  // Set when the thread's bottom frame returned, or when the thread can never resume.
  awaitable_thread_base* ended = nullptr;
  bool abandoned = false;
};

// constinit: no dynamic initialisation, so reading it needs no TLS wrapper call.
inline constinit thread_local awaitable_pump* current_awaitable_pump = nullptr;

// The executor-independent part of every awaitable coroutine's promise.
class awaitable_frame_base {
 public:
  // Frames come from the per-thread recyclers like any other operation state.
  static void* operator new(std::size_t size) { return recycling_allocate(size); }
  static void operator delete(void* block, std::size_t size) noexcept {
    recycling_deallocate(block, size);
  }

  // Lazy: a frame runs only once something awaits it or co_spawn starts it.
  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct final_awaiter {
    awaitable_frame_base* frame;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept { frame->hand_back(); }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {this}; }

  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  void resume() { handle_.resume(); }
  void destroy() noexcept { handle_.destroy(); }

  awaitable_thread_base& thread() const noexcept { return *thread_; }

  // `caller` co_awaits this frame: it runs next, in the caller's thread.
  void start_as_callee_of(awaitable_frame_base& caller) noexcept {
    caller_ = &caller;
    thread_ = caller.thread_;
    current_awaitable_pump->next = this;
  }

  // This frame is the bottom of `thread` (the coroutine co_spawn was given).
  void start_as_bottom_of(awaitable_thread_base& thread) noexcept {
    caller_ = nullptr;
    thread_ = &thread;
  }

  bool failed() const noexcept { return exception_ != nullptr; }
  std::exception_ptr take_exception() noexcept { return std::exchange(exception_, nullptr); }

 protected:
  awaitable_frame_base() noexcept = default;
  ~awaitable_frame_base() = default;

  void rethrow_if_failed() {
    if (exception_) std::rethrow_exception(std::exchange(exception_, nullptr));
  }

  std::coroutine_handle<> handle_;

 private:
  // The frame finished: its caller runs next or, for the bottom frame, the thread ends.
  void hand_back() noexcept {
    awaitable_pump& pump = *current_awaitable_pump;
    if (caller_)
      pump.next = caller_;
    else
      pump.ended = thread_;
  }

  awaitable_frame_base* caller_ = nullptr;
  awaitable_thread_base* thread_ = nullptr;
  std::exception_ptr exception_;
};

// One co_spawn'd thread of execution: what its frames share.
class awaitable_thread_base {
 public:
  awaitable_thread_base(const awaitable_thread_base&) = delete;
  awaitable_thread_base& operator=(const awaitable_thread_base&) = delete;

  // Runs frames on the calling OS thread, `first` first, until the coroutine thread waits for
  // an operation or ends. Called only from the thread's executor.
  static void run(awaitable_frame_base* first) {
    awaitable_pump pump{first, current_awaitable_pump};
    current_awaitable_pump = &pump;
    {
      struct restore_outer {
        awaitable_pump& pump;
        ~restore_outer() { current_awaitable_pump = pump.outer; }
      } restore{pump};
      // resume() does not throw: every frame catches into unhandled_exception().
      while (awaitable_frame_base* frame = pump.next) {
        pump.next = nullptr;
        frame->resume();
      }
    }
    // Outside the loop, so a completion handler run inline may start coroutines of its own.
    if (pump.ended) {
      if (pump.abandoned)
        pump.ended->abandon();
      else
        pump.ended->finish();
    }
  }

  // The bottom frame returned (or threw): deliver the outcome and release the thread.
  virtual void finish() = 0;

  // The thread can never be resumed (its pending operation dropped its handler): release it
  // and every frame without delivering anything.
  virtual void abandon() noexcept = 0;

  // ---- cancellation (this_coro::cancellation_state and friends) ----
  const proa::cancellation_state& get_cancellation_state() const noexcept {
    return cancellation_state_;
  }
  cancellation_slot get_cancellation_slot() const noexcept { return cancellation_state_.slot(); }

  template <typename... Filters>
  void reset_cancellation_state(Filters&&... filters) {
    cancellation_state_ = proa::cancellation_state(parent_slot_, std::forward<Filters>(filters)...);
  }

  bool throw_if_cancelled() const noexcept { return throw_if_cancelled_; }
  void throw_if_cancelled(bool value) noexcept { throw_if_cancelled_ = value; }

  // Asio's rule: a co_await in a cancelled thread throws operation_aborted instead of starting.
  void throw_if_cancelled_now() const {
    if (throw_if_cancelled_ && cancellation_state_.cancelled() != cancellation_type::none)
      throw std::system_error(make_error_code(error::operation_aborted), "co_await");
  }

  // Set by every asynchronous operation the thread awaits: co_spawn's handler is then
  // dispatched (the thread already left its starter's call stack) rather than posted.
  void note_context_switch() noexcept { context_switched_ = true; }
  bool context_switched() const noexcept { return context_switched_; }
  void clear_context_switch() noexcept { context_switched_ = false; }

 protected:
  awaitable_thread_base() noexcept = default;
  ~awaitable_thread_base() = default;

  // parent_slot: the slot this thread's cancellation state attaches to (co_spawn's proxy).
  void set_cancellation(cancellation_slot parent_slot, proa::cancellation_state state) noexcept {
    parent_slot_ = parent_slot;
    cancellation_state_ = state;
  }

 private:
  cancellation_slot parent_slot_;
  proa::cancellation_state cancellation_state_;
  bool throw_if_cancelled_ = true;
  bool context_switched_ = false;
};

template <typename Executor>
class awaitable_thread : public awaitable_thread_base {
 public:
  using executor_type = Executor;

  const executor_type& get_executor() const noexcept { return executor_; }

 protected:
  explicit awaitable_thread(const Executor& ex) : executor_(ex) {}
  ~awaitable_thread() = default;

 private:
  Executor executor_;
};

// Marks the awaiters use_awaitable's operations suspend on, so await_transform admits them.
struct awaitable_operation_marker {};

template <typename T>
concept awaitable_operation_awaiter = std::derived_from<T, awaitable_operation_marker>;

// Forwards to an awaiter that lives elsewhere in the frame (an operation's state).
template <typename Awaiter>
struct awaiter_reference {
  Awaiter* awaiter;

  bool await_ready() const noexcept { return awaiter->await_ready(); }
  template <typename Promise>
  decltype(auto) await_suspend(std::coroutine_handle<Promise> h) {
    return awaiter->await_suspend(h);
  }
  decltype(auto) await_resume() { return awaiter->await_resume(); }
};

// An awaiter that never suspends and yields `value`.
template <typename T>
struct ready_awaiter {
  T value;

  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() { return std::move(value); }
};

// The executor-aware part of the promise: what a coroutine of awaitable<..., Executor> may
// co_await. Like Asio: other awaitables of the same executor, this_coro's tags and the
// operations use_awaitable starts; nothing else.
template <typename Executor>
class awaitable_promise : public awaitable_frame_base {
 public:
  awaitable_thread<Executor>& owning_thread() const noexcept {
    return static_cast<awaitable_thread<Executor>&>(thread());
  }

  template <typename T>
  awaitable<T, Executor> await_transform(awaitable<T, Executor> a) const {
    thread().throw_if_cancelled_now();
    return a;
  }

  // By pointer: GCC copies an awaiter that await_transform returns by reference.
  template <awaitable_operation_awaiter Operation>
  awaiter_reference<Operation> await_transform(Operation& operation) const noexcept {
    return {&operation};
  }

  ready_awaiter<Executor> await_transform(this_coro::executor_t) const {
    return {owning_thread().get_executor()};
  }

  ready_awaiter<proa::cancellation_state> await_transform(this_coro::cancellation_state_t) const {
    return {thread().get_cancellation_state()};
  }

  std::suspend_never await_transform(this_coro::reset_cancellation_state_0_t) const {
    thread().reset_cancellation_state();
    return {};
  }

  template <typename Filter>
  std::suspend_never await_transform(this_coro::reset_cancellation_state_1_t<Filter> reset) const {
    thread().reset_cancellation_state(std::move(reset.filter));
    return {};
  }

  template <typename InFilter, typename OutFilter>
  std::suspend_never await_transform(
      this_coro::reset_cancellation_state_2_t<InFilter, OutFilter> reset) const {
    thread().reset_cancellation_state(std::move(reset.in_filter), std::move(reset.out_filter));
    return {};
  }

  ready_awaiter<bool> await_transform(this_coro::throw_if_cancelled_0_t) const noexcept {
    return {thread().throw_if_cancelled()};
  }

  std::suspend_never await_transform(this_coro::throw_if_cancelled_1_t set) const noexcept {
    thread().throw_if_cancelled(set.value);
    return {};
  }

 protected:
  awaitable_promise() noexcept = default;
  ~awaitable_promise() = default;
};

// The promise of awaitable<T, Executor> coroutines: holds the result until the awaiter takes it.
template <typename T, typename Executor>
class awaitable_frame final : public awaitable_promise<Executor> {
 public:
  awaitable_frame() noexcept {}
  ~awaitable_frame() {
    if (has_value_) value_.~T();
  }

  awaitable<T, Executor> get_return_object() noexcept;

  template <typename U = T>
    requires std::is_constructible_v<T, U&&>
  void return_value(U&& value) {
    ::new (static_cast<void*>(std::addressof(value_))) T(std::forward<U>(value));
    has_value_ = true;
  }

  // The coroutine's result, or its exception rethrown. Called once, after it finished.
  T take_result() {
    this->rethrow_if_failed();
    return std::move(value_);
  }

 private:
  union {
    T value_;
  };
  bool has_value_ = false;
};

template <typename Executor>
class awaitable_frame<void, Executor> final : public awaitable_promise<Executor> {
 public:
  awaitable<void, Executor> get_return_object() noexcept;

  void return_void() noexcept {}

  void take_result() { this->rethrow_if_failed(); }
};

// co_spawn's way to the frame inside an awaitable.
struct awaitable_access {
  template <typename T, typename Executor>
  static awaitable_frame<T, Executor>* frame(const awaitable<T, Executor>& a) noexcept {
    return a.frame_;
  }
};

}  // namespace detail
}  // namespace proa
