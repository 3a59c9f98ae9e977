// co_spawn: starts an awaitable coroutine as a new thread of execution on an executor and
// reports its outcome through a completion token, void(std::exception_ptr) or
// void(std::exception_ptr, T) (Asio 1.22's overloads). The coroutine starts inline when the
// caller already runs on that executor (Asio dispatches), and the thread's state (handler,
// work, cancellation) lives in one recycled block beside the coroutine's own frame.
#pragma once

#include <concepts>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/awaitable.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/cancellation_state.hpp"
#include "runtime/detail/awaitable_frame.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"
#include "runtime/executor_work_guard.hpp"

namespace proa {
namespace detail {

template <typename T>
struct co_spawn_signature {
  using type = void(std::exception_ptr, T);
};
template <>
struct co_spawn_signature<void> {
  using type = void(std::exception_ptr);
};

template <typename T>
using co_spawn_signature_t = typename co_spawn_signature<T>::type;

// The awaitable a callable returns, for co_spawn(ex, f, token).
template <typename F>
using co_spawn_awaitable_t = std::invoke_result_t<std::decay_t<F>&>;

template <typename T>
struct is_awaitable : std::false_type {};
template <typename T, typename Executor>
struct is_awaitable<awaitable<T, Executor>> : std::true_type {};

template <typename F>
concept awaitable_factory =
    std::invocable<std::decay_t<F>&> && is_awaitable<co_spawn_awaitable_t<F>>::value;

// Runs `f` on `ex`: inline if the executor allows it (dispatch), else queued (post).
template <typename Executor, typename Function>
void co_spawn_submit(const Executor& ex, Function&& f, bool may_run_inline) {
  if constexpr (execution::executor<Executor>) {
    if (may_run_inline)
      execution::execute(proa::prefer(ex, execution::blocking.possibly),
                         std::forward<Function>(f));
    else
      execution::execute(proa::prefer(proa::require(ex, execution::blocking.never),
                                      execution::relationship.fork),
                         std::forward<Function>(f));
  } else {
    if (may_run_inline)
      ex.dispatch(std::forward<Function>(f), std::allocator<void>());
    else
      ex.post(std::forward<Function>(f), std::allocator<void>());
  }
}

// co_spawn given an awaitable rather than a function: a function that hands it out once.
template <typename T, typename Executor>
class awaitable_as_function {
 public:
  explicit awaitable_as_function(awaitable<T, Executor>&& a) noexcept : awaitable_(std::move(a)) {}

  awaitable<T, Executor> operator()() { return std::move(awaitable_); }

 private:
  awaitable<T, Executor> awaitable_;
};

// One co_spawn'd thread: the function that makes the coroutine (kept alive while it runs, as a
// lambda coroutine refers to its captures), the coroutine, the completion handler, and work
// on both executors so their contexts keep running until the handler has been submitted.
template <typename Executor, typename T, typename Function, typename Handler>
class co_spawn_thread final : public awaitable_thread<Executor> {
  using handler_executor = associated_executor_t<Handler, Executor>;

 public:
  template <typename F, typename H>
  static void launch(const Executor& ex, F&& function, H&& handler) {
    void* memory = recycling_allocate(sizeof(co_spawn_thread));
    co_spawn_thread* thread;
    try {
      thread = ::new (memory)
          co_spawn_thread(ex, std::forward<F>(function), std::forward<H>(handler));
    } catch (...) {
      recycling_deallocate(memory, sizeof(co_spawn_thread));
      throw;
    }
    co_spawn_submit(ex, starter(thread), /*may_run_inline=*/true);
  }

  void finish() override {
    auto* frame = awaitable_access::frame(*body_);
    if (std::exception_ptr e = frame->take_exception()) {
      if constexpr (std::is_void_v<T>)
        deliver(std::move(e));
      else
        deliver(std::move(e), T());
    } else {
      if constexpr (std::is_void_v<T>)
        deliver(std::exception_ptr());
      else
        deliver(std::exception_ptr(), frame->take_result());
    }
  }

  void abandon() noexcept override { release(); }

 private:
  // Owns the thread until it runs; a starter destroyed unrun (its context shut down) takes
  // the thread with it.
  class starter {
   public:
    explicit starter(co_spawn_thread* thread) noexcept : thread_(thread) {}
    starter(starter&& other) noexcept : thread_(std::exchange(other.thread_, nullptr)) {}
    starter(const starter&) = delete;
    starter& operator=(const starter&) = delete;
    ~starter() {
      if (thread_) thread_->release();
    }

    void operator()() { std::exchange(thread_, nullptr)->start(); }

   private:
    co_spawn_thread* thread_;
  };

  template <typename F, typename H>
  co_spawn_thread(const Executor& ex, F&& function, H&& handler)
      : awaitable_thread<Executor>(ex),
        function_(std::forward<F>(function)),
        handler_(std::forward<H>(handler)),
        spawn_work_(ex),
        handler_work_(get_associated_executor(handler_, ex)) {
    // Like Asio: a proxy state takes every kind of cancellation from the handler's slot, and
    // the thread's own (resettable) state filters what reaches the awaited operation.
    proxy_ = proa::cancellation_state(get_associated_cancellation_slot(handler_),
                                      enable_total_cancellation());
    this->set_cancellation(proxy_.slot(), proa::cancellation_state(proxy_.slot()));
  }

  ~co_spawn_thread() = default;

  void start() {
    try {
      body_.emplace(std::invoke(function_));
    } catch (...) {
      if constexpr (std::is_void_v<T>)
        deliver(std::current_exception());
      else
        deliver(std::current_exception(), T());
      return;
    }
    auto* frame = awaitable_access::frame(*body_);
    frame->start_as_bottom_of(*this);
    this->clear_context_switch();
    awaitable_thread_base::run(frame);
  }

  // Frees the thread (frames first), then submits the handler: dispatched if the thread ever
  // waited for an operation, posted if it ran to completion inside its starter, so the handler
  // never runs inside co_spawn itself.
  template <typename... Values>
  void deliver(Values&&... values) {
    Handler handler(std::move(handler_));
    executor_work_guard<handler_executor> work(std::move(handler_work_));
    const bool dispatch = this->context_switched();
    std::tuple<std::decay_t<Values>...> arguments(std::forward<Values>(values)...);
    release();
    co_spawn_submit(
        work.get_executor(),
        [handler = std::move(handler), arguments = std::move(arguments)]() mutable {
          std::apply(
              [&](auto&&... args) { std::move(handler)(std::forward<decltype(args)>(args)...); },
              std::move(arguments));
        },
        dispatch);
  }

  void release() noexcept {
    this->~co_spawn_thread();
    recycling_deallocate(this, sizeof(co_spawn_thread));
  }

  Function function_;
  std::optional<awaitable<T, Executor>> body_;  // after function_: destroyed before it
  Handler handler_;
  executor_work_guard<Executor> spawn_work_;
  executor_work_guard<handler_executor> handler_work_;
  proa::cancellation_state proxy_;
};

template <typename AwaitableExecutor>
class initiate_co_spawn {
 public:
  using executor_type = AwaitableExecutor;

  template <typename OtherExecutor>
  explicit initiate_co_spawn(const OtherExecutor& ex) : executor_(ex) {}

  executor_type get_executor() const noexcept { return executor_; }

  template <typename Handler, typename Function>
  void operator()(Handler&& handler, Function&& function) const {
    using value_type = typename co_spawn_awaitable_t<Function>::value_type;
    co_spawn_thread<AwaitableExecutor, value_type, std::decay_t<Function>,
                    std::decay_t<Handler>>::launch(executor_, std::forward<Function>(function),
                                                   std::forward<Handler>(handler));
  }

 private:
  AwaitableExecutor executor_;
};

}  // namespace detail

// co_spawn(executor, awaitable, token)
template <detail::standard_or_legacy_executor Executor, typename T, typename AwaitableExecutor,
          completion_token_for<detail::co_spawn_signature_t<T>> CompletionToken =
              default_completion_token_t<Executor>>
  requires std::is_convertible_v<Executor, AwaitableExecutor>
auto co_spawn(const Executor& ex, awaitable<T, AwaitableExecutor> a,
              CompletionToken&& token = default_completion_token_t<Executor>()) {
  return async_initiate<CompletionToken, detail::co_spawn_signature_t<T>>(
      detail::initiate_co_spawn<AwaitableExecutor>(AwaitableExecutor(ex)), token,
      detail::awaitable_as_function<T, AwaitableExecutor>(std::move(a)));
}

// co_spawn(context, awaitable, token)
template <detail::execution_context_type ExecutionContext, typename T, typename AwaitableExecutor,
          completion_token_for<detail::co_spawn_signature_t<T>> CompletionToken =
              default_completion_token_t<typename ExecutionContext::executor_type>>
  requires std::is_convertible_v<typename ExecutionContext::executor_type, AwaitableExecutor>
auto co_spawn(ExecutionContext& ctx, awaitable<T, AwaitableExecutor> a,
              CompletionToken&& token =
                  default_completion_token_t<typename ExecutionContext::executor_type>()) {
  return co_spawn(ctx.get_executor(), std::move(a), std::forward<CompletionToken>(token));
}

// co_spawn(executor, function returning an awaitable, token): the function is called on the
// executor and kept alive until the coroutine finishes.
template <detail::standard_or_legacy_executor Executor, detail::awaitable_factory F,
          completion_token_for<detail::co_spawn_signature_t<
              typename detail::co_spawn_awaitable_t<F>::value_type>>
              CompletionToken = default_completion_token_t<Executor>>
auto co_spawn(const Executor& ex, F&& f,
              CompletionToken&& token = default_completion_token_t<Executor>()) {
  using awaitable_type = detail::co_spawn_awaitable_t<F>;
  return async_initiate<CompletionToken,
                        detail::co_spawn_signature_t<typename awaitable_type::value_type>>(
      detail::initiate_co_spawn<typename awaitable_type::executor_type>(ex), token,
      std::forward<F>(f));
}

// co_spawn(context, function returning an awaitable, token)
template <detail::execution_context_type ExecutionContext, detail::awaitable_factory F,
          completion_token_for<detail::co_spawn_signature_t<
              typename detail::co_spawn_awaitable_t<F>::value_type>>
              CompletionToken =
                  default_completion_token_t<typename ExecutionContext::executor_type>>
auto co_spawn(ExecutionContext& ctx, F&& f,
              CompletionToken&& token =
                  default_completion_token_t<typename ExecutionContext::executor_type>()) {
  return co_spawn(ctx.get_executor(), std::forward<F>(f), std::forward<CompletionToken>(token));
}

}  // namespace proa
