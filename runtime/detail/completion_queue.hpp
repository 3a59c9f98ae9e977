// The scheduler's shared, lock-free, multi-producer multi-consumer queue of completed
// operations. Producers push with one CAS; a consumer takes everything queued with one
// exchange and so pays the cross-core hand-off once per batch instead of once per operation.
//
// Memory ordering: a push publishes the operation (and everything written to it) with a
// release CAS on `head_`; take_all's acquire exchange makes those writes visible to the
// consumer. Taking the whole stack at once means no node is ever popped individually, so the
// queue has no ABA problem even though nodes are recycled immediately.
#pragma once

#include <atomic>

#include "runtime/detail/scheduler_operation.hpp"

namespace proa::detail {

class completion_queue {
 public:
  completion_queue() = default;
  completion_queue(const completion_queue&) = delete;
  completion_queue& operator=(const completion_queue&) = delete;
  ~completion_queue() { take_all().destroy_all(); }

  // Pushes a chain first..last (linked through next_, last->next_ ignored). Returns true if the
  // queue was empty before, which tells the caller a sleeping worker may need waking.
  // seq_cst so the push is ordered before the caller's later check for sleeping workers.
  bool push_chain(scheduler_operation* first, scheduler_operation* last) noexcept {
    scheduler_operation* head = head_.load(std::memory_order_relaxed);
    do {
      last->next_ = head;
    } while (!head_.compare_exchange_weak(head, first, std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
    return head == nullptr;
  }

  bool push(scheduler_operation* op) noexcept { return push_chain(op, op); }

  // Pushes a FIFO queue so that its order is kept: the stack holds newest-first, so the chain
  // is reversed before pushing (it comes back in order when take_all reverses the stack).
  void push_queue(operation_queue& queue) noexcept {
    scheduler_operation* oldest = queue.release().first;
    if (!oldest) return;
    push_chain(reverse(oldest), oldest);
  }

  // Takes every queued operation, oldest first.
  operation_queue take_all() noexcept {
    scheduler_operation* newest = head_.exchange(nullptr, std::memory_order_seq_cst);
    if (!newest) return {};
    return operation_queue(reverse(newest), newest);
  }

  bool empty() const noexcept { return head_.load(std::memory_order_seq_cst) == nullptr; }

 private:
  // Reverses a null-terminated chain in place and returns its new first node.
  static scheduler_operation* reverse(scheduler_operation* node) noexcept {
    scheduler_operation* reversed = nullptr;
    while (node) {
      scheduler_operation* next = node->next_;
      node->next_ = reversed;
      reversed = node;
      node = next;
    }
    return reversed;
  }

  alignas(64) std::atomic<scheduler_operation*> head_{nullptr};
};

}  // namespace proa::detail
