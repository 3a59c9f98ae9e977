// The intrusive node every queued piece of work is: handlers, strand invocations, timer and
// (later) socket completions. One indirect call completes or destroys it.
#pragma once

#include <utility>

namespace proa::detail {

class scheduler_operation {
 public:
  // `invoke` false means the owner is shutting down: release resources, run nothing.
  using complete_function = void (*)(scheduler_operation* self, bool invoke);

  explicit scheduler_operation(complete_function f) noexcept : complete_(f) {}

  void complete() { complete_(this, true); }
  void destroy() noexcept { complete_(this, false); }

  scheduler_operation* next_ = nullptr;

 protected:
  ~scheduler_operation() = default;

 private:
  complete_function complete_;
};

// Single-threaded FIFO of operations, O(1) push/pop/splice, no allocation.
class operation_queue {
 public:
  operation_queue() noexcept = default;
  operation_queue(scheduler_operation* first, scheduler_operation* last) noexcept
      : front_(first), back_(last) {}
  operation_queue(const operation_queue&) = delete;
  operation_queue& operator=(const operation_queue&) = delete;
  operation_queue(operation_queue&& other) noexcept
      : front_(std::exchange(other.front_, nullptr)), back_(std::exchange(other.back_, nullptr)) {}
  ~operation_queue() { destroy_all(); }

  bool empty() const noexcept { return front_ == nullptr; }
  scheduler_operation* front() const noexcept { return front_; }

  void push(scheduler_operation* op) noexcept {
    op->next_ = nullptr;
    if (back_)
      back_->next_ = op;
    else
      front_ = op;
    back_ = op;
  }

  scheduler_operation* pop() noexcept {
    scheduler_operation* op = front_;
    if (op) {
      front_ = op->next_;
      if (!front_) back_ = nullptr;
      op->next_ = nullptr;
    }
    return op;
  }

  // Moves all of `other` to the back of this queue.
  void splice(operation_queue& other) noexcept {
    if (other.empty()) return;
    if (back_)
      back_->next_ = other.front_;
    else
      front_ = other.front_;
    back_ = other.back_;
    other.front_ = other.back_ = nullptr;
  }

  // Unlinks `op` if it is queued here; false if it is not. O(n): for cancelling one operation
  // of a list that usually holds one or two (a timer's or a signal set's waits).
  bool remove(scheduler_operation* op) noexcept {
    scheduler_operation* previous = nullptr;
    for (scheduler_operation* it = front_; it; previous = it, it = it->next_) {
      if (it != op) continue;
      (previous ? previous->next_ : front_) = op->next_;
      if (back_ == op) back_ = previous;
      op->next_ = nullptr;
      return true;
    }
    return false;
  }

  // Hands the chain out (first, last) and leaves the queue empty.
  std::pair<scheduler_operation*, scheduler_operation*> release() noexcept {
    return {std::exchange(front_, nullptr), std::exchange(back_, nullptr)};
  }

  void destroy_all() noexcept {
    while (scheduler_operation* op = pop()) op->destroy();
  }

 private:
  scheduler_operation* front_ = nullptr;
  scheduler_operation* back_ = nullptr;
};

}  // namespace proa::detail
