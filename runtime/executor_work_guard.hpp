// executor_work_guard: keeps an executor's context from running out of work (io_context::run
// does not return) while the guard owns work. Executors with on_work_started/on_work_finished
// are counted through those; others by holding an outstanding_work.tracked copy.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "runtime/associated_executor.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution/outstanding_work.hpp"
#include "runtime/execution/prefer.hpp"
#include "runtime/execution_context.hpp"

namespace proa {
namespace detail {

template <typename Executor>
concept counts_work_by_calls = requires(const Executor& ex) {
  ex.on_work_started();
  ex.on_work_finished();
};

}  // namespace detail

template <typename Executor>
class executor_work_guard {
  using tracked_executor = std::decay_t<
      decltype(proa::prefer(std::declval<const Executor&>(), execution::outstanding_work.tracked))>;

 public:
  using executor_type = Executor;

  explicit executor_work_guard(const executor_type& ex)
      : executor_(ex), work_(std::in_place, proa::prefer(ex, execution::outstanding_work.tracked)) {
  }

  executor_work_guard(const executor_work_guard&) = default;

  executor_work_guard(executor_work_guard&& other) noexcept(
      std::is_nothrow_move_constructible_v<Executor> &&
      std::is_nothrow_move_constructible_v<tracked_executor>)
      : executor_(std::move(other.executor_)), work_(std::move(other.work_)) {
    other.work_.reset();
  }

  executor_work_guard& operator=(const executor_work_guard&) = delete;

  ~executor_work_guard() = default;

  executor_type get_executor() const noexcept { return executor_; }
  bool owns_work() const noexcept { return work_.has_value(); }
  void reset() noexcept { work_.reset(); }

 private:
  Executor executor_;
  std::optional<tracked_executor> work_;  // the tracked copy is the work
};

template <typename Executor>
  requires detail::counts_work_by_calls<Executor>
class executor_work_guard<Executor> {
 public:
  using executor_type = Executor;

  explicit executor_work_guard(const executor_type& ex) noexcept : executor_(ex), owns_(true) {
    executor_.on_work_started();
  }

  executor_work_guard(const executor_work_guard& other) noexcept
      : executor_(other.executor_), owns_(other.owns_) {
    if (owns_) executor_.on_work_started();
  }

  executor_work_guard(executor_work_guard&& other) noexcept
      : executor_(std::move(other.executor_)), owns_(std::exchange(other.owns_, false)) {}

  executor_work_guard& operator=(const executor_work_guard&) = delete;

  ~executor_work_guard() { reset(); }

  executor_type get_executor() const noexcept { return executor_; }
  bool owns_work() const noexcept { return owns_; }

  void reset() noexcept {
    if (std::exchange(owns_, false)) executor_.on_work_finished();
  }

 private:
  Executor executor_;
  bool owns_;
};

template <detail::standard_or_legacy_executor Executor>
executor_work_guard<Executor> make_work_guard(const Executor& ex) {
  return executor_work_guard<Executor>(ex);
}

template <detail::execution_context_type ExecutionContext>
executor_work_guard<typename ExecutionContext::executor_type> make_work_guard(
    ExecutionContext& context) {
  return executor_work_guard<typename ExecutionContext::executor_type>(context.get_executor());
}

// Work on the executor associated with a handler.
template <typename T>
  requires(!detail::standard_or_legacy_executor<T> && !detail::execution_context_type<T>)
executor_work_guard<associated_executor_t<T>> make_work_guard(const T& t) {
  return executor_work_guard<associated_executor_t<T>>(get_associated_executor(t));
}

template <typename T, detail::standard_or_legacy_executor Executor>
executor_work_guard<associated_executor_t<T, Executor>> make_work_guard(const T& t,
                                                                       const Executor& ex) {
  return executor_work_guard<associated_executor_t<T, Executor>>(get_associated_executor(t, ex));
}

template <typename T, detail::execution_context_type ExecutionContext>
executor_work_guard<associated_executor_t<T, typename ExecutionContext::executor_type>>
make_work_guard(const T& t, ExecutionContext& context) {
  return executor_work_guard<associated_executor_t<T, typename ExecutionContext::executor_type>>(
      get_associated_executor(t, context));
}

}  // namespace proa
