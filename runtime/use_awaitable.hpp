// use_awaitable: the completion token that makes an asynchronous operation return an awaitable,
// so a coroutine writes `n = co_await socket.async_read_some(buffer, use_awaitable)`. An error
// code argument becomes a thrown std::system_error; the remaining arguments the result.
#pragma once

#include <atomic>
#include <concepts>
#include <coroutine>
#include <exception>
#include <memory>
#include <new>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/any_io_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/awaitable.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/detail/awaitable_frame.hpp"

namespace proa {

template <typename Executor = any_io_executor>
struct use_awaitable_t {
  constexpr use_awaitable_t() noexcept = default;

  // Asio's handler-tracking form; proa keeps no tracking, so the location is ignored.
  constexpr use_awaitable_t(const char*, int, const char*) noexcept {}

  // An executor that names use_awaitable_t as the default completion token of the I/O objects
  // built on it.
  template <typename InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = use_awaitable_t;

    template <typename InnerExecutor1>
      requires(!std::is_same_v<InnerExecutor1, executor_with_default> &&
               std::is_convertible_v<InnerExecutor1, InnerExecutor>)
    executor_with_default(const InnerExecutor1& ex) noexcept : InnerExecutor(ex) {}
  };

  template <typename T>
  using as_default_on_t = typename T::template rebind_executor<
      executor_with_default<typename T::executor_type>>::other;

  template <typename T>
  static typename std::decay_t<T>::template rebind_executor<
      executor_with_default<typename std::decay_t<T>::executor_type>>::other
  as_default_on(T&& object) {
    return typename std::decay_t<T>::template rebind_executor<
        executor_with_default<typename std::decay_t<T>::executor_type>>::other(
        std::forward<T>(object));
  }
};

inline constexpr use_awaitable_t<> use_awaitable(0, 0, 0);

namespace detail {

// What a completion's arguments become for the coroutine: nothing, one value, or a tuple.
template <typename... Values>
struct awaitable_value_of {
  using type = std::tuple<Values...>;
};
template <typename Value>
struct awaitable_value_of<Value> {
  using type = Value;
};
template <>
struct awaitable_value_of<> {
  using type = void;
};

enum class awaitable_failure_kind { none, error_code, exception };

// A leading error_code or exception_ptr is the failure channel (thrown when set), the rest
// the value; otherwise every argument is part of the value.
template <typename... Args>
struct awaitable_completion_traits {
  static constexpr awaitable_failure_kind failure = awaitable_failure_kind::none;
  using value_type = typename awaitable_value_of<Args...>::type;
};
template <typename... Rest>
struct awaitable_completion_traits<std::error_code, Rest...> {
  static constexpr awaitable_failure_kind failure = awaitable_failure_kind::error_code;
  using value_type = typename awaitable_value_of<Rest...>::type;
};
template <typename... Rest>
struct awaitable_completion_traits<std::exception_ptr, Rest...> {
  static constexpr awaitable_failure_kind failure = awaitable_failure_kind::exception;
  using value_type = typename awaitable_value_of<Rest...>::type;
};

// Room for an operation's value, constructed only when the operation succeeds.
template <typename T>
class awaitable_value_slot {
 public:
  awaitable_value_slot() noexcept {}
  awaitable_value_slot(const awaitable_value_slot&) = delete;
  awaitable_value_slot& operator=(const awaitable_value_slot&) = delete;
  ~awaitable_value_slot() {
    if (has_value_) value_.~T();
  }

  template <typename... Args>
  void emplace(Args&&... args) {
    ::new (static_cast<void*>(std::addressof(value_))) T(std::forward<Args>(args)...);
    has_value_ = true;
  }

  T take() { return std::move(value_); }

 private:
  union {
    T value_;
  };
  bool has_value_ = false;
};

template <>
class awaitable_value_slot<void> {
 public:
  void emplace() noexcept {}
  void take() noexcept {}
};

// The part of an awaited operation that its completion handler talks to. The coroutine and
// the handler agree through `phase_` on who resumes the coroutine:
// * the handler runs while the initiating function is still running (inline, or at once on
//   another worker): it only stores the result; the initiator sees `completed` and lets the
//   coroutine go on without suspending (no stack growth, no queueing);
// * the handler runs after the initiator returned (`waiting`): it owns the coroutine thread
//   and resumes it through the pump, on the thread's executor (its associated executor).
// A handler destroyed without being called plays the same game with `abandoned`.
template <typename Executor, typename... Args>
class awaitable_operation_state : public awaitable_operation_marker {
  using traits = awaitable_completion_traits<Args...>;

 public:
  using value_type = typename traits::value_type;

  awaitable_operation_state() noexcept = default;
  awaitable_operation_state(const awaitable_operation_state&) = delete;
  awaitable_operation_state& operator=(const awaitable_operation_state&) = delete;

  const Executor& executor() const noexcept { return frame_->owning_thread().get_executor(); }
  cancellation_slot slot() const noexcept { return frame_->thread().get_cancellation_slot(); }

  // From the handler: the operation completed with `args`.
  template <typename... A>
  void complete(A&&... args) {
    store(std::forward<A>(args)...);
    awaitable_frame_base* frame = frame_;
    if (phase_.exchange(completed, std::memory_order_acq_rel) == waiting)
      awaitable_thread_base::run(frame);
  }

  // From a handler destroyed without being called: the coroutine can never go on.
  void abandon() noexcept {
    awaitable_frame_base* frame = frame_;
    if (phase_.exchange(abandoned, std::memory_order_acq_rel) == waiting)
      frame->thread().abandon();
  }

 protected:
  enum : unsigned char { initiating, waiting, completed, abandoned };

  ~awaitable_operation_state() = default;

  // Records the frame that awaits and who must resume it; the initiating function runs next.
  void prepare(awaitable_promise<Executor>& frame) noexcept {
    frame_ = &frame;
    frame.thread().note_context_switch();
  }

  // After the initiating function returned: true if the coroutine must stay suspended.
  bool suspend_after_initiation() noexcept {
    unsigned char expected = initiating;
    if (phase_.compare_exchange_strong(expected, waiting, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      return true;  // from here on the handler owns the thread: touch nothing
    if (expected == abandoned) {
      current_awaitable_pump->ended = &frame_->thread();
      current_awaitable_pump->abandoned = true;
      return true;
    }
    return false;  // completed already: carry on at once
  }

  value_type result() {
    if constexpr (traits::failure == awaitable_failure_kind::error_code) {
      if (error_) throw std::system_error(error_);
    } else if constexpr (traits::failure == awaitable_failure_kind::exception) {
      if (exception_) std::rethrow_exception(std::exchange(exception_, nullptr));
    }
    return value_.take();
  }

 private:
  template <typename First, typename... Rest>
  void store(First&& first, Rest&&... rest) {
    if constexpr (traits::failure == awaitable_failure_kind::error_code) {
      error_ = first;
      if (!error_) value_.emplace(std::forward<Rest>(rest)...);
    } else if constexpr (traits::failure == awaitable_failure_kind::exception) {
      exception_ = std::forward<First>(first);
      if (!exception_) value_.emplace(std::forward<Rest>(rest)...);
    } else {
      value_.emplace(std::forward<First>(first), std::forward<Rest>(rest)...);
    }
  }
  void store() noexcept {}

  struct no_error_code {};
  struct no_exception {};

  std::atomic<unsigned char> phase_{initiating};
  awaitable_promise<Executor>* frame_ = nullptr;
  [[no_unique_address]] std::conditional_t<traits::failure == awaitable_failure_kind::error_code,
                                           std::error_code, no_error_code> error_{};
  [[no_unique_address]] std::conditional_t<traits::failure == awaitable_failure_kind::exception,
                                           std::exception_ptr, no_exception> exception_{};
  awaitable_value_slot<value_type> value_;
};

// The completion handler use_awaitable hands to an operation: a pointer to the awaiting
// operation state. Its executor is the coroutine thread's (so completions come back on it,
// e.g. inside the thread's strand) and its cancellation slot the thread's.
template <typename Executor, typename... Args>
class awaitable_handler {
 public:
  using executor_type = Executor;
  using cancellation_slot_type = cancellation_slot;

  explicit awaitable_handler(awaitable_operation_state<Executor, Args...>& state) noexcept
      : state_(&state) {}

  awaitable_handler(awaitable_handler&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)) {}

  awaitable_handler(const awaitable_handler&) = delete;
  awaitable_handler& operator=(const awaitable_handler&) = delete;
  awaitable_handler& operator=(awaitable_handler&&) = delete;

  ~awaitable_handler() {
    if (state_) state_->abandon();
  }

  executor_type get_executor() const noexcept { return state_->executor(); }
  cancellation_slot_type get_cancellation_slot() const noexcept { return state_->slot(); }

  void operator()(Args... args) {
    std::exchange(state_, nullptr)->complete(std::move(args)...);
  }

 private:
  awaitable_operation_state<Executor, Args...>* state_;
};

// The awaiter the coroutine made by async_result<use_awaitable_t>::initiate suspends on: it
// runs the initiating function from await_suspend, once the coroutine is safely suspended.
template <typename Executor, typename Start, typename... Args>
class awaitable_operation final : public awaitable_operation_state<Executor, Args...> {
 public:
  using value_type = typename awaitable_operation_state<Executor, Args...>::value_type;

  explicit awaitable_operation(Start& start) noexcept : start_(start) {}

  bool await_ready() const noexcept { return false; }

  template <typename U>
  bool await_suspend(std::coroutine_handle<awaitable_frame<U, Executor>> awaiting) {
    this->prepare(awaiting.promise());
    start_(awaitable_handler<Executor, Args...>(*this));
    return this->suspend_after_initiation();
  }

  value_type await_resume() { return this->result(); }

 private:
  Start& start_;
};

}  // namespace detail

template <typename Executor, typename R, typename... Args>
class async_result<use_awaitable_t<Executor>, R(Args...)> {
 public:
  using handler_type = detail::awaitable_handler<Executor, std::decay_t<Args>...>;
  using return_type = awaitable<
      typename detail::awaitable_completion_traits<std::decay_t<Args>...>::value_type, Executor>;

  // A coroutine (its frame holds the initiation and its arguments, in recycled memory) that
  // starts the operation once awaited and returns what the operation completes with.
  template <typename Initiation, typename... InitArgs>
  static return_type initiate(Initiation initiation, use_awaitable_t<Executor>,
                              InitArgs... args) {
    auto start = [&](handler_type handler) {
      std::move(initiation)(std::move(handler), std::move(args)...);
    };
    detail::awaitable_operation<Executor, decltype(start), std::decay_t<Args>...> operation(start);
    co_return co_await operation;
  }
};

}  // namespace proa
