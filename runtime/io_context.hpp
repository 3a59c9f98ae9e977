// io_context: the execution context most programs start with. Any number of threads may call
// run() at once; each becomes a worker of the context's scheduler (runtime/detail/scheduler.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "runtime/detail/scheduler.hpp"
#include "runtime/detail/scheduler_executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

class io_context : public execution_context {
 public:
  template <typename Allocator, std::uintptr_t Bits>
  using basic_executor_type = detail::scheduler_executor<io_context, Allocator, Bits>;
  using executor_type = basic_executor_type<std::allocator<void>, 0>;
  using count_type = std::size_t;
  class service;

  io_context();
  // The hint is accepted for compatibility; the scheduler adapts to however many threads run.
  explicit io_context(int /*concurrency_hint*/) : io_context() {}

  ~io_context() {
    shutdown();
    destroy();
  }

  executor_type get_executor() noexcept { return executor_type(*this, scheduler_); }

  count_type run() { return scheduler_.run(); }
  count_type run_one() { return scheduler_.run_one(); }
  count_type poll() { return scheduler_.poll(); }
  count_type poll_one() { return scheduler_.poll_one(); }

  template <typename Rep, typename Period>
  count_type run_for(const std::chrono::duration<Rep, Period>& rel_time) {
    return run_until(std::chrono::steady_clock::now() + rel_time);
  }
  template <typename Clock, typename Duration>
  count_type run_until(const std::chrono::time_point<Clock, Duration>& abs_time) {
    return scheduler_.run_until(to_steady(abs_time));
  }
  template <typename Rep, typename Period>
  count_type run_one_for(const std::chrono::duration<Rep, Period>& rel_time) {
    return run_one_until(std::chrono::steady_clock::now() + rel_time);
  }
  template <typename Clock, typename Duration>
  count_type run_one_until(const std::chrono::time_point<Clock, Duration>& abs_time) {
    return scheduler_.run_one_until(to_steady(abs_time));
  }

  void stop() { scheduler_.stop(); }
  bool stopped() const { return scheduler_.stopped(); }
  void restart() { scheduler_.restart(); }

 private:
  template <typename Clock, typename Duration>
  static std::chrono::steady_clock::time_point to_steady(
      const std::chrono::time_point<Clock, Duration>& t) {
    if constexpr (std::is_same_v<Clock, std::chrono::steady_clock>) {
      return std::chrono::time_point_cast<std::chrono::steady_clock::duration>(t);
    } else {
      return std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(t - Clock::now());
    }
  }

  detail::scheduler& scheduler_;
};

inline io_context::io_context()
    : scheduler_(use_service<detail::scheduler>(static_cast<execution_context&>(*this))) {}

// Base for user services that want the io_context they belong to (Asio's io_context::service).
class io_context::service : public execution_context::service {
 public:
  io_context& get_io_context() noexcept { return static_cast<io_context&>(context()); }

 protected:
  explicit service(io_context& owner) noexcept : execution_context::service(owner) {}
};

}  // namespace proa
