// Test-only execution context that runs queued functions only when a test cranks it, plus
// executors of each model (standard, minimal, Networking TS) that record what they were asked.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

#include "runtime/detail/executor_function.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"

namespace proa::testing {

// What an executor was asked when a function was submitted to it.
struct submission_record {
  bool blocking_never = false;
  bool continuation = false;
  bool ran_inline = false;
};

class manual_context : public execution_context {
 public:
  class executor_type;

  manual_context() = default;
  ~manual_context() {
    shutdown();
    destroy();
    std::deque<detail::executor_function> abandoned;
    {
      std::lock_guard lock(mutex_);
      abandoned.swap(queue_);
    }
  }

  executor_type get_executor() noexcept;

  // Runs queued functions (including ones they queue) until none is left.
  std::size_t run() {
    std::size_t count = 0;
    while (run_one()) ++count;
    return count;
  }

  std::size_t run_one() {
    detail::executor_function f;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return 0;
      f = std::move(queue_.front());
      queue_.pop_front();
    }
    manual_context* outer = std::exchange(running_, this);
    struct restore {
      manual_context* outer;
      ~restore() { running_ = outer; }
    } restore_on_exit{outer};
    f();
    return 1;
  }

  std::size_t queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

  int outstanding_work() const { return outstanding_work_.load(); }
  bool running_in_this_thread() const noexcept { return running_ == this; }

  std::deque<submission_record> submissions() const {
    std::lock_guard lock(mutex_);
    return submissions_;
  }

  void work_started() noexcept { ++outstanding_work_; }
  void work_finished() noexcept { --outstanding_work_; }

  void enqueue(detail::executor_function f, submission_record record) {
    std::lock_guard lock(mutex_);
    submissions_.push_back(record);
    queue_.push_back(std::move(f));
  }

  void record_inline(submission_record record) {
    record.ran_inline = true;
    std::lock_guard lock(mutex_);
    submissions_.push_back(record);
  }

 private:
  static inline thread_local manual_context* running_ = nullptr;

  std::atomic<int> outstanding_work_{0};
  mutable std::mutex mutex_;
  std::deque<submission_record> submissions_;
  std::deque<detail::executor_function> queue_;  // declared last: cleared before the counters go
};

// A standard executor with every property of an io_context executor.
class manual_context::executor_type {
 public:
  explicit executor_type(manual_context& context) noexcept : context_(&context) {}

  executor_type(const executor_type& other) noexcept
      : context_(other.context_), never_(other.never_), continuation_(other.continuation_),
        tracked_(other.tracked_) {
    if (tracked_) context_->work_started();
  }

  executor_type& operator=(const executor_type& other) noexcept {
    if (this != &other) {
      if (other.tracked_) other.context_->work_started();
      if (tracked_) context_->work_finished();
      context_ = other.context_;
      never_ = other.never_;
      continuation_ = other.continuation_;
      tracked_ = other.tracked_;
    }
    return *this;
  }

  ~executor_type() {
    if (tracked_) context_->work_finished();
  }

  template <typename Function>
  void execute(Function&& f) const {
    submission_record record{never_, continuation_, false};
    if (!never_ && context_->running_in_this_thread()) {
      context_->record_inline(record);
      std::decay_t<Function> local(std::forward<Function>(f));
      std::move(local)();
      return;
    }
    context_->enqueue(detail::executor_function(std::forward<Function>(f)), record);
  }

  manual_context& query(execution::context_t) const noexcept { return *context_; }
  execution::blocking_t query(execution::blocking_t) const noexcept {
    if (never_) return execution::blocking.never;
    return execution::blocking.possibly;
  }
  execution::relationship_t query(execution::relationship_t) const noexcept {
    if (continuation_) return execution::relationship.continuation;
    return execution::relationship.fork;
  }
  execution::outstanding_work_t query(execution::outstanding_work_t) const noexcept {
    if (tracked_) return execution::outstanding_work.tracked;
    return execution::outstanding_work.untracked;
  }

  executor_type require(execution::blocking_t::never_t) const {
    return with(&executor_type::never_, true);
  }
  executor_type require(execution::blocking_t::possibly_t) const {
    return with(&executor_type::never_, false);
  }
  executor_type require(execution::relationship_t::continuation_t) const {
    return with(&executor_type::continuation_, true);
  }
  executor_type require(execution::relationship_t::fork_t) const {
    return with(&executor_type::continuation_, false);
  }
  executor_type require(execution::outstanding_work_t::tracked_t) const {
    return with(&executor_type::tracked_, true);
  }
  executor_type require(execution::outstanding_work_t::untracked_t) const {
    return with(&executor_type::tracked_, false);
  }

  friend bool operator==(const executor_type& a, const executor_type& b) noexcept {
    return a.context_ == b.context_ && a.never_ == b.never_ &&
           a.continuation_ == b.continuation_ && a.tracked_ == b.tracked_;
  }

 private:
  executor_type with(bool executor_type::*flag, bool value) const {
    executor_type result(*context_);
    result.never_ = never_;
    result.continuation_ = continuation_;
    result.tracked_ = tracked_;
    result.*flag = value;
    if (result.tracked_) context_->work_started();
    return result;
  }

  manual_context* context_;
  bool never_ = false;
  bool continuation_ = false;
  bool tracked_ = false;
};

inline manual_context::executor_type manual_context::get_executor() noexcept {
  return executor_type(*this);
}

// The least an any_io_executor target needs: execute, context and require(blocking.never).
// It supports no preference, so prefer() must hand it back unchanged.
class minimal_executor {
 public:
  explicit minimal_executor(manual_context& context) noexcept : context_(&context) {}

  template <typename Function>
  void execute(Function&& f) const {
    context_->enqueue(detail::executor_function(std::forward<Function>(f)), {});
  }
  manual_context& query(execution::context_t) const noexcept { return *context_; }
  minimal_executor require(execution::blocking_t::never_t) const noexcept { return *this; }

  friend bool operator==(const minimal_executor&, const minimal_executor&) = default;

 private:
  manual_context* context_;
};

// A Networking TS executor: dispatch/post/defer and explicit work counting.
class legacy_executor {
 public:
  struct calls {
    int dispatch = 0;
    int post = 0;
    int defer = 0;
    int work = 0;
  };

  legacy_executor(manual_context& context, calls& counters) noexcept
      : context_(&context), calls_(&counters) {}

  manual_context& context() const noexcept { return *context_; }
  void on_work_started() const noexcept { ++calls_->work; }
  void on_work_finished() const noexcept { --calls_->work; }

  template <typename Function, typename Allocator>
  void dispatch(Function&& f, const Allocator&) const {
    ++calls_->dispatch;
    if (context_->running_in_this_thread()) {
      std::decay_t<Function> local(std::forward<Function>(f));
      std::move(local)();
      return;
    }
    context_->enqueue(detail::executor_function(std::forward<Function>(f)), {});
  }
  template <typename Function, typename Allocator>
  void post(Function&& f, const Allocator&) const {
    ++calls_->post;
    context_->enqueue(detail::executor_function(std::forward<Function>(f)), {true, false, false});
  }
  template <typename Function, typename Allocator>
  void defer(Function&& f, const Allocator&) const {
    ++calls_->defer;
    context_->enqueue(detail::executor_function(std::forward<Function>(f)), {true, true, false});
  }

  friend bool operator==(const legacy_executor&, const legacy_executor&) = default;

 private:
  manual_context* context_;
  calls* calls_;
};

}  // namespace proa::testing
