// Completion conditions for composed reads and writes (transfer_all, transfer_at_least,
// transfer_exactly), with Asio 1.22's contract: called with the last error and the bytes moved
// so far, they return 0 to stop or else the most bytes the next underlying operation may move.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <system_error>
#include <type_traits>
#include <utility>

namespace proa {
namespace detail {

// Per-step cap when a condition sets no tighter one: bounds each syscall so one huge buffer
// cannot starve other work on the same thread.
inline constexpr std::size_t default_max_transfer_size = 65536;

class transfer_all_t {
 public:
  using result_type = std::size_t;

  std::size_t operator()(const std::error_code& error, std::size_t) const noexcept {
    return error ? 0 : default_max_transfer_size;
  }
};

class transfer_at_least_t {
 public:
  using result_type = std::size_t;

  explicit transfer_at_least_t(std::size_t minimum) noexcept : minimum_(minimum) {}

  std::size_t operator()(const std::error_code& error,
                         std::size_t bytes_transferred) const noexcept {
    return error || bytes_transferred >= minimum_ ? 0 : default_max_transfer_size;
  }

 private:
  std::size_t minimum_;
};

class transfer_exactly_t {
 public:
  using result_type = std::size_t;

  explicit transfer_exactly_t(std::size_t size) noexcept : size_(size) {}

  // Caps the next step at what is still missing, so the total never overshoots size.
  std::size_t operator()(const std::error_code& error,
                         std::size_t bytes_transferred) const noexcept {
    if (error || bytes_transferred >= size_) return 0;
    return std::min(size_ - bytes_transferred, default_max_transfer_size);
  }

 private:
  std::size_t size_;
};

}  // namespace detail

// What read/write overloads accept as a CompletionCondition: callable as
// condition(error, bytes_transferred), returning a byte budget (or, in the older style Asio
// still accepts, a bool that is true when the operation is complete).
template <typename Condition>
concept completion_condition =
    std::invocable<Condition&, const std::error_code&, std::size_t> &&
    std::convertible_to<std::invoke_result_t<Condition&, const std::error_code&, std::size_t>,
                        std::size_t>;

namespace detail {

// Asks `condition` for the next step's byte budget, turning an old-style bool answer into the
// size_t contract (true = done = 0).
template <completion_condition Condition>
std::size_t next_transfer_size(Condition& condition, const std::error_code& error,
                               std::size_t bytes_transferred) {
  using result = std::invoke_result_t<Condition&, const std::error_code&, std::size_t>;
  if constexpr (std::is_same_v<std::remove_cvref_t<result>, bool>) {
    return condition(error, bytes_transferred) ? 0 : default_max_transfer_size;
  } else {
    return static_cast<std::size_t>(condition(error, bytes_transferred));
  }
}

}  // namespace detail

// Keeps going until the buffers are full (or drained) or an error occurs.
inline detail::transfer_all_t transfer_all() noexcept { return {}; }

// Keeps going until at least `minimum` bytes have moved or an error occurs.
inline detail::transfer_at_least_t transfer_at_least(std::size_t minimum) noexcept {
  return detail::transfer_at_least_t(minimum);
}

// Keeps going until exactly `size` bytes have moved or an error occurs.
inline detail::transfer_exactly_t transfer_exactly(std::size_t size) noexcept {
  return detail::transfer_exactly_t(size);
}

}  // namespace proa
