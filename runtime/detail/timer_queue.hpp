// Timer heaps, one per clock type and scheduler. Each timer object owns a per_timer_data that
// lists its pending waits; the heap orders timers, not waits, so cancelling a timer is one
// O(log n) removal however many waits it has. The owning scheduler serialises access with
// its timer mutex, held only for heap operations (never across a syscall or a handler).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <system_error>
#include <type_traits>
#include <vector>

#include "platform/error.hpp"
#include "runtime/detail/scheduler_operation.hpp"

namespace proa::detail {

struct per_timer_data;

// A pending async_wait. The result is written before the operation is queued for completion.
class timer_operation : public scheduler_operation {
 public:
  using scheduler_operation::scheduler_operation;
  std::error_code ec_;
  // The timer whose waits list holds this operation; null once it left the list (expired or
  // cancelled). Under the scheduler's timer mutex. Lets a cancellation slot find the one wait
  // it cancels without trusting a timer object that may be gone by then.
  per_timer_data* timer_ = nullptr;
};

// State a timer object keeps for the queue (its pending waits and place in the heap).
struct per_timer_data {
  static constexpr std::size_t not_in_heap = std::numeric_limits<std::size_t>::max();
  operation_queue waits;
  std::size_t heap_index = not_in_heap;

  // Marks every wait as no longer in this timer's list (before they are handed out).
  void release_waits() noexcept {
    for (scheduler_operation* op = waits.front(); op; op = op->next_)
      static_cast<timer_operation*>(op)->timer_ = nullptr;
  }
};

class timer_queue_base {
 public:
  virtual ~timer_queue_base() = default;
  // The earliest expiry as steady_clock nanoseconds since its epoch, or INT64_MAX if no timer
  // is pending. `steady_now` is read (and cached in the argument) only for other clocks.
  virtual std::int64_t next_expiry_steady_ns(std::int64_t& steady_now) const = 0;
  // Moves the waits of every expired timer to `ready`, with a success result.
  virtual void take_expired(operation_queue& ready) = 0;
  // Moves every wait to `ready` (used on shutdown, where they are destroyed, not run).
  virtual void take_all(operation_queue& ready) = 0;

  timer_queue_base* next_queue_ = nullptr;  // the scheduler's list of queues
};

template <typename Clock>
class timer_queue final : public timer_queue_base {
 public:
  using time_point = typename Clock::time_point;

  // Returns true if this timer is now the earliest in this queue.
  bool enqueue(per_timer_data& timer, time_point expiry, timer_operation* op) {
    if (timer.heap_index == per_timer_data::not_in_heap) {
      heap_.push_back({expiry, &timer});
      timer.heap_index = heap_.size() - 1;
      sift_up(timer.heap_index);
    }
    op->timer_ = &timer;
    timer.waits.push(op);
    return timer.heap_index == 0;
  }

  // Whether the timer is the earliest one (cancelling it changes the next expiry).
  static bool is_earliest(const per_timer_data& timer) { return timer.heap_index == 0; }

  // Moves the timer's waits to `ready` with operation_aborted; returns how many.
  std::size_t cancel(per_timer_data& timer, operation_queue& ready) {
    std::size_t n = 0;
    while (scheduler_operation* op = timer.waits.pop()) {
      static_cast<timer_operation*>(op)->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
      static_cast<timer_operation*>(op)->timer_ = nullptr;
      ready.push(op);
      ++n;
    }
    if (timer.heap_index != per_timer_data::not_in_heap) remove(timer.heap_index);
    return n;
  }

  // Cancels only the oldest wait; the timer leaves the heap once it has no waits left.
  std::size_t cancel_one(per_timer_data& timer, operation_queue& ready) {
    scheduler_operation* op = timer.waits.pop();
    if (!op) return 0;
    static_cast<timer_operation*>(op)->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
    static_cast<timer_operation*>(op)->timer_ = nullptr;
    ready.push(op);
    if (timer.waits.empty() && timer.heap_index != per_timer_data::not_in_heap)
      remove(timer.heap_index);
    return 1;
  }

  // Cancels the one wait `op` (per-operation cancellation) if it is still pending: it completes
  // with operation_aborted, and its timer leaves the heap if it has no other wait. Sets
  // `moved_earliest` when the earliest timer left the heap. False if `op` already left.
  bool cancel_operation(timer_operation* op, operation_queue& ready, bool& moved_earliest) {
    per_timer_data* timer = op->timer_;
    moved_earliest = false;
    if (!timer) return false;
    // The list is singly linked and usually holds one wait: rebuild it without `op`.
    operation_queue kept;
    while (scheduler_operation* other = timer->waits.pop())
      if (other != op) kept.push(other);
    timer->waits.splice(kept);
    op->timer_ = nullptr;
    op->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
    ready.push(op);
    if (timer->waits.empty() && timer->heap_index != per_timer_data::not_in_heap) {
      moved_earliest = is_earliest(*timer);
      remove(timer->heap_index);
    }
    return true;
  }

  std::int64_t next_expiry_steady_ns(std::int64_t& steady_now) const override {
    using namespace std::chrono;
    if (heap_.empty()) return INT64_MAX;
    if constexpr (std::is_same_v<Clock, steady_clock>) {
      // Same clock as the scheduler's: no clock read needed.
      return duration_cast<nanoseconds>(heap_.front().expiry.time_since_epoch()).count();
    } else {
      if (steady_now < 0)
        steady_now = duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
      auto left = heap_.front().expiry - Clock::now();
      if (left <= Clock::duration::zero()) return steady_now;
      return steady_now + duration_cast<nanoseconds>(left).count();
    }
  }

  void take_expired(operation_queue& ready) override {
    if (heap_.empty()) return;
    const time_point now = Clock::now();
    while (!heap_.empty() && !(now < heap_.front().expiry)) {
      per_timer_data* timer = heap_.front().timer;
      remove(0);
      timer->release_waits();
      ready.splice(timer->waits);
    }
  }

  void take_all(operation_queue& ready) override {
    for (auto& entry : heap_) {
      entry.timer->heap_index = per_timer_data::not_in_heap;
      entry.timer->release_waits();
      ready.splice(entry.timer->waits);
    }
    heap_.clear();
  }

 private:
  struct entry {
    time_point expiry;
    per_timer_data* timer;
  };

  void swap_entries(std::size_t a, std::size_t b) {
    std::swap(heap_[a], heap_[b]);
    heap_[a].timer->heap_index = a;
    heap_[b].timer->heap_index = b;
  }

  void sift_up(std::size_t i) {
    while (i > 0) {
      std::size_t parent = (i - 1) / 2;
      if (!(heap_[i].expiry < heap_[parent].expiry)) break;
      swap_entries(i, parent);
      i = parent;
    }
  }

  void sift_down(std::size_t i) {
    for (;;) {
      std::size_t smallest = i, l = 2 * i + 1, r = l + 1;
      if (l < heap_.size() && heap_[l].expiry < heap_[smallest].expiry) smallest = l;
      if (r < heap_.size() && heap_[r].expiry < heap_[smallest].expiry) smallest = r;
      if (smallest == i) return;
      swap_entries(i, smallest);
      i = smallest;
    }
  }

  void remove(std::size_t i) {
    per_timer_data* removed = heap_[i].timer;
    std::size_t last = heap_.size() - 1;
    if (i != last) {
      swap_entries(i, last);
      heap_.pop_back();
      if (i > 0 && heap_[i].expiry < heap_[(i - 1) / 2].expiry)
        sift_up(i);
      else
        sift_down(i);
    } else {
      heap_.pop_back();
    }
    removed->heap_index = per_timer_data::not_in_heap;
  }

  std::vector<entry> heap_;
};

}  // namespace proa::detail
