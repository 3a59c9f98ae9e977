// bind_executor(ex, handler): wraps a handler so that it carries its own executor. post,
// dispatch, defer and asynchronous operations then run the handler through that executor.
#pragma once

#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

// Tag for constructors that take an executor first.
struct executor_arg_t {
  constexpr executor_arg_t() noexcept = default;
};

inline constexpr executor_arg_t executor_arg{};

template <typename T, typename Executor>
class executor_binder {
 public:
  using target_type = T;
  using executor_type = Executor;

  template <typename U>
    requires std::constructible_from<T, U>
  executor_binder(executor_arg_t, const executor_type& ex, U&& target)
      : executor_(ex), target_(std::forward<U>(target)) {}

  executor_binder(const executor_binder&) = default;
  executor_binder(executor_binder&&) = default;

  // From a binder of another target/executor type, keeping its executor.
  template <typename U, typename OtherExecutor>
    requires std::constructible_from<T, const U&> &&
             std::constructible_from<Executor, const OtherExecutor&>
  executor_binder(const executor_binder<U, OtherExecutor>& other)
      : executor_(other.get_executor()), target_(other.get()) {}

  template <typename U, typename OtherExecutor>
    requires std::constructible_from<T, U> && std::constructible_from<Executor, OtherExecutor>
  executor_binder(executor_binder<U, OtherExecutor>&& other)
      : executor_(other.get_executor()), target_(std::move(other.get())) {}

  // From a binder of another target type, replacing its executor.
  template <typename U, typename OtherExecutor>
    requires std::constructible_from<T, const U&>
  executor_binder(executor_arg_t, const executor_type& ex,
                  const executor_binder<U, OtherExecutor>& other)
      : executor_(ex), target_(other.get()) {}

  template <typename U, typename OtherExecutor>
    requires std::constructible_from<T, U>
  executor_binder(executor_arg_t, const executor_type& ex,
                  executor_binder<U, OtherExecutor>&& other)
      : executor_(ex), target_(std::move(other.get())) {}

  ~executor_binder() = default;

  target_type& get() noexcept { return target_; }
  const target_type& get() const noexcept { return target_; }

  executor_type get_executor() const noexcept { return executor_; }

  template <typename... Args>
    requires std::invocable<T&, Args...>
  std::invoke_result_t<T&, Args...> operator()(Args&&... args) & {
    return std::invoke(target_, std::forward<Args>(args)...);
  }

  template <typename... Args>
    requires std::invocable<const T&, Args...>
  std::invoke_result_t<const T&, Args...> operator()(Args&&... args) const& {
    return std::invoke(target_, std::forward<Args>(args)...);
  }

  template <typename... Args>
    requires std::invocable<T, Args...>
  std::invoke_result_t<T, Args...> operator()(Args&&... args) && {
    return std::invoke(std::move(target_), std::forward<Args>(args)...);
  }

 private:
  Executor executor_;
  T target_;
};

template <detail::standard_or_legacy_executor Executor, typename T>
executor_binder<std::decay_t<T>, Executor> bind_executor(const Executor& ex, T&& t) {
  return executor_binder<std::decay_t<T>, Executor>(executor_arg, ex, std::forward<T>(t));
}

template <detail::execution_context_type ExecutionContext, typename T>
executor_binder<std::decay_t<T>, typename ExecutionContext::executor_type> bind_executor(
    ExecutionContext& context, T&& t) {
  return executor_binder<std::decay_t<T>, typename ExecutionContext::executor_type>(
      executor_arg, context.get_executor(), std::forward<T>(t));
}

// The binder's executor wins over any the target may have.
template <typename T, typename Executor, typename DefaultExecutor>
struct associated_executor<executor_binder<T, Executor>, DefaultExecutor> {
  using type = Executor;
  static type get(const executor_binder<T, Executor>& b) noexcept { return b.get_executor(); }
  static type get(const executor_binder<T, Executor>& b, const DefaultExecutor&) noexcept {
    return b.get_executor();
  }
};

// The binder keeps the target's allocator.
template <typename T, typename Executor, typename Allocator>
struct associated_allocator<executor_binder<T, Executor>, Allocator> {
  using type = typename associated_allocator<T, Allocator>::type;
  static type get(const executor_binder<T, Executor>& b,
                  const Allocator& a = Allocator()) noexcept {
    return associated_allocator<T, Allocator>::get(b.get(), a);
  }
};

}  // namespace proa
