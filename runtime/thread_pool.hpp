// thread_pool: an execution context that owns N threads running its scheduler. Submissions
// from pool threads stay on the submitting worker; idle workers steal (runtime/detail/scheduler.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/detail/scheduler.hpp"
#include "runtime/detail/scheduler_executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

class thread_pool : public execution_context {
 public:
  template <typename Allocator, std::uintptr_t Bits>
  using basic_executor_type = detail::scheduler_executor<thread_pool, Allocator, Bits>;
  using executor_type = basic_executor_type<std::allocator<void>, 0>;

  // Asio's default: twice the hardware threads.
  thread_pool() : thread_pool(default_size()) {}

  explicit thread_pool(std::size_t num_threads)
      : scheduler_(use_service<detail::scheduler>(static_cast<execution_context&>(*this))) {
    // The pool keeps running while idle until join()/wait() give this work back.
    scheduler_.work_started();
    threads_.reserve(num_threads);
    for (std::size_t i = 0; i < num_threads; ++i)
      threads_.emplace_back([this] { scheduler_.run(); });
  }

  ~thread_pool() {
    stop();
    join();
    shutdown();
    destroy();
  }

  executor_type get_executor() noexcept { return executor_type(*this, scheduler_); }
  executor_type executor() noexcept { return get_executor(); }

  // Stops the threads as soon as possible; pending functions stay queued.
  void stop() { scheduler_.stop(); }

  // Lets the calling thread work for the pool until it stops.
  void attach() { scheduler_.run(); }

  // Waits for the pool's threads to exit once they run out of work (or are stopped).
  void join() {
    if (!threads_.empty()) {
      release_keepalive();
      for (auto& t : threads_) t.join();
      threads_.clear();
    }
  }

  // Like join(): gives up the pool's own keep-alive and waits for all work to finish.
  void wait() {
    release_keepalive();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  static std::size_t default_size() {
    std::size_t n = std::thread::hardware_concurrency() * 2;
    return n ? n : 2;
  }

  void release_keepalive() {
    if (!keepalive_released_) {
      keepalive_released_ = true;
      scheduler_.work_finished();
    }
  }

  detail::scheduler& scheduler_;
  std::vector<std::thread> threads_;
  bool keepalive_released_ = false;
};

// Asio names the same thing static_thread_pool.
using static_thread_pool = thread_pool;

}  // namespace proa
