// this_coro: the tags a coroutine co_awaits to learn about, or adjust, the thread of execution it
// runs in (its executor, its cancellation state, whether cancellation throws). Asio 1.22's names.
#pragma once

#include <type_traits>
#include <utility>

namespace proa::this_coro {

// `co_await this_coro::executor` yields the executor of the calling coroutine's thread.
struct executor_t {
  constexpr executor_t() noexcept = default;
};
inline constexpr executor_t executor;

// `co_await this_coro::cancellation_state` yields the thread's proa::cancellation_state.
struct cancellation_state_t {
  constexpr cancellation_state_t() noexcept = default;
};
inline constexpr cancellation_state_t cancellation_state;

// `co_await this_coro::reset_cancellation_state(...)` replaces the thread's cancellation state
// by a new one attached to co_spawn's handler's slot, with the given filters.
struct reset_cancellation_state_0_t {
  constexpr reset_cancellation_state_0_t() noexcept = default;
};

[[nodiscard]] constexpr reset_cancellation_state_0_t reset_cancellation_state() noexcept {
  return reset_cancellation_state_0_t();
}

template <typename Filter>
struct reset_cancellation_state_1_t {
  template <typename F>
  constexpr explicit reset_cancellation_state_1_t(F&& f) : filter(std::forward<F>(f)) {}

  Filter filter;
};

template <typename Filter>
[[nodiscard]] constexpr reset_cancellation_state_1_t<std::decay_t<Filter>> reset_cancellation_state(
    Filter&& filter) {
  return reset_cancellation_state_1_t<std::decay_t<Filter>>(std::forward<Filter>(filter));
}

template <typename InFilter, typename OutFilter>
struct reset_cancellation_state_2_t {
  template <typename F1, typename F2>
  constexpr reset_cancellation_state_2_t(F1&& in, F2&& out)
      : in_filter(std::forward<F1>(in)), out_filter(std::forward<F2>(out)) {}

  InFilter in_filter;
  OutFilter out_filter;
};

template <typename InFilter, typename OutFilter>
[[nodiscard]] constexpr reset_cancellation_state_2_t<std::decay_t<InFilter>,
                                                     std::decay_t<OutFilter>>
reset_cancellation_state(InFilter&& in_filter, OutFilter&& out_filter) {
  return reset_cancellation_state_2_t<std::decay_t<InFilter>, std::decay_t<OutFilter>>(
      std::forward<InFilter>(in_filter), std::forward<OutFilter>(out_filter));
}

// `co_await this_coro::throw_if_cancelled()` yields whether a co_await in a cancelled thread
// throws operation_aborted before suspending (the default); the bool form sets it.
struct throw_if_cancelled_0_t {
  constexpr throw_if_cancelled_0_t() noexcept = default;
};

[[nodiscard]] constexpr throw_if_cancelled_0_t throw_if_cancelled() noexcept {
  return throw_if_cancelled_0_t();
}

struct throw_if_cancelled_1_t {
  constexpr explicit throw_if_cancelled_1_t(bool v) noexcept : value(v) {}

  bool value;
};

[[nodiscard]] constexpr throw_if_cancelled_1_t throw_if_cancelled(bool value) noexcept {
  return throw_if_cancelled_1_t(value);
}

}  // namespace proa::this_coro
