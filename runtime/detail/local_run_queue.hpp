// A worker's own run queue: a bounded ring that only its owner pushes to and that idle workers
// may steal half of, plus an unbounded overflow array only the owner touches. Posts made by a
// handler land here, so a busy worker feeds itself without any cross-core traffic.
//
// Memory ordering: the owner writes a slot, then publishes it with a release store of tail_;
// consumers (the owner's pop and thieves) read tail_ with acquire before reading slots, and
// claim slots with an acq_rel CAS on head_. A thief copies slots before its CAS; if the owner
// wrapped around onto them meanwhile, head_ moved and the CAS fails, so stale copies are dropped.
//
// Unshared mode: while its scheduler has a single worker nobody steals, and the owner's CAS on
// head_ is a third of the cost of a post (perf, post_1thread). A queue created unshared lets
// the owner claim with a plain store. Before anyone steals, share() and a process-wide barrier
// switch it for good (see share()); the owner's fast path then costs two plain stores and a
// load on its own cache line, and no fence.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/detail/scheduler_operation.hpp"

namespace proa::detail {

class local_run_queue {
 public:
  static constexpr std::uint32_t capacity = 256;

  local_run_queue() = default;
  local_run_queue(const local_run_queue&) = delete;
  local_run_queue& operator=(const local_run_queue&) = delete;

  // Owner only. Returns the number of operations now waiting (ring part), a hint for waking.
  std::uint32_t push(scheduler_operation* op) noexcept {
    // Once anything overflowed, later operations follow it there to keep FIFO order.
    if (overflow_next_ != overflow_.size()) return push_overflow(op);
    std::uint32_t head = head_.load(std::memory_order_acquire);
    std::uint32_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head >= capacity) return push_overflow(op);
    slots_[tail % capacity].store(op, std::memory_order_relaxed);
    tail_.store(tail + 1, std::memory_order_release);
    return tail + 1 - head;
  }

  // Owner only: appends `ops` in order and leaves it empty (possibly holding other storage).
  // A batch bigger than the ring's free room becomes the overflow by a swap, not a copy.
  void push_many(std::vector<scheduler_operation*>& ops) noexcept {
    std::size_t moved = 0;
    if (overflow_.empty()) {
      const std::uint32_t head = head_.load(std::memory_order_acquire);
      const std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      const std::size_t room = capacity - (tail - head);
      moved = std::min(room, ops.size());
      for (std::size_t i = 0; i < moved; ++i)
        slots_[(tail + i) % capacity].store(ops[i], std::memory_order_relaxed);
      tail_.store(tail + static_cast<std::uint32_t>(moved), std::memory_order_release);
      if (moved != ops.size()) {
        overflow_.swap(ops);
        overflow_next_ = moved;
        ops.clear();
        return;
      }
    } else {
      overflow_.insert(overflow_.end(), ops.begin(), ops.end());
    }
    ops.clear();
  }

  // Owner only. Oldest operation first.
  scheduler_operation* pop() noexcept {
    if (!shared_.load(std::memory_order_relaxed)) {
      // Announce the plain claim, then look again: with the barrier in share()'s caller, either
      // we see shared_ set here or the sharer sees us inside and waits (Dekker, with the fence
      // on the sharer's side only).
      in_unshared_pop_.store(true, std::memory_order_relaxed);
      std::atomic_signal_fence(std::memory_order_seq_cst);
      if (!shared_.load(std::memory_order_relaxed)) {
        scheduler_operation* op = pop_unshared();
        in_unshared_pop_.store(false, std::memory_order_release);
        return op;
      }
      in_unshared_pop_.store(false, std::memory_order_relaxed);
    }
    for (;;) {
      std::uint32_t head = head_.load(std::memory_order_acquire);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (head == tail) {
        if (!refill_from_overflow(tail)) return nullptr;
        continue;
      }
      scheduler_operation* op = slots_[head % capacity].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(head, head + 1, std::memory_order_acq_rel,
                                      std::memory_order_relaxed))
        return op;
    }
  }

  // Called by another worker on its own (empty) queue: moves about half of `victim`'s ring
  // here and returns one of them to run now, or null if there was nothing to take.
  scheduler_operation* steal_from(local_run_queue& victim) noexcept {
    std::uint32_t my_tail = tail_.load(std::memory_order_relaxed);
    for (;;) {
      std::uint32_t head = victim.head_.load(std::memory_order_acquire);
      std::uint32_t tail = victim.tail_.load(std::memory_order_acquire);
      std::uint32_t available = tail - head;
      if (available == 0 || available > capacity) return nullptr;  // empty or torn read
      std::uint32_t take = available - available / 2;
      for (std::uint32_t i = 0; i < take; ++i) {
        scheduler_operation* op = victim.slots_[(head + i) % capacity].load(std::memory_order_relaxed);
        slots_[(my_tail + i) % capacity].store(op, std::memory_order_relaxed);
      }
      if (victim.head_.compare_exchange_weak(head, head + take, std::memory_order_acq_rel,
                                             std::memory_order_relaxed)) {
        // Run the oldest stolen one now and publish the rest in our own ring. Nobody can touch
        // our head_ before the tail_ store below publishes the slots, so a plain store suffices.
        scheduler_operation* now = slots_[my_tail % capacity].load(std::memory_order_relaxed);
        if (take > 1) {
          head_.store(my_tail + 1, std::memory_order_relaxed);
          tail_.store(my_tail + take, std::memory_order_release);
        }
        return now;
      }
    }
  }

  // Only before any other thread can reach this queue: let the owner claim without a CAS
  // until share() is called.
  void start_unshared() noexcept { shared_.store(false, std::memory_order_relaxed); }

  // Makes every later owner pop claim with a CAS, so that thieves may come. Not enough on its
  // own: the caller must then run process_wide_barrier() and wait until
  // in_unshared_pop() is false before stealing, so that a plain claim the owner already
  // started is finished and visible. Idempotent; there is no way back.
  void share() noexcept { shared_.store(true, std::memory_order_seq_cst); }
  bool in_unshared_pop() const noexcept {
    return in_unshared_pop_.load(std::memory_order_acquire);
  }
  bool shared() const noexcept { return shared_.load(std::memory_order_relaxed); }

  // Owner only: whether anything at all is queued here, overflow included.
  bool empty_for_owner() const noexcept {
    return overflow_next_ == overflow_.size() &&
           head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_relaxed);
  }

  // Any thread: a possibly stale answer to "is there something to steal?".
  bool looks_empty() const noexcept {
    return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire);
  }

  // Owner only, when leaving run(): everything queued, oldest first.
  operation_queue drain() noexcept {
    operation_queue all;
    while (scheduler_operation* op = pop()) all.push(op);
    return all;
  }

 private:
  // Out of line so that push(), inlined into every post, stays small.
  [[gnu::noinline]] std::uint32_t push_overflow(scheduler_operation* op) noexcept {
    overflow_.push_back(op);
    return capacity;
  }

  // pop() without thieves: nobody else writes head_, so a plain store claims the slot.
  scheduler_operation* pop_unshared() noexcept {
    for (;;) {
      std::uint32_t head = head_.load(std::memory_order_relaxed);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (head == tail) {
        if (!refill_from_overflow(tail)) return nullptr;
        continue;
      }
      scheduler_operation* op = slots_[head % capacity].load(std::memory_order_relaxed);
      head_.store(head + 1, std::memory_order_release);
      return op;
    }
  }

  bool refill_from_overflow(std::uint32_t tail) noexcept {
    if (overflow_next_ == overflow_.size()) return false;
    std::uint32_t n = 0;
    while (n < capacity && overflow_next_ != overflow_.size()) {
      scheduler_operation* op = overflow_[overflow_next_++];
      // Overflowed operations waited behind many others and are likely out of cache; start
      // loading them now rather than one miss at a time as each runs. Also the line before:
      // allocators keep their block header there, which freeing the operation reads.
      const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(op);
      __builtin_prefetch(op);
      __builtin_prefetch(reinterpret_cast<const void*>(address - 24));
      slots_[(tail + n) % capacity].store(op, std::memory_order_relaxed);
      ++n;
    }
    if (overflow_next_ == overflow_.size()) {
      overflow_.clear();  // keeps the capacity for the next burst
      overflow_next_ = 0;
    }
    tail_.store(tail + n, std::memory_order_release);
    return true;
  }

  alignas(64) std::atomic<std::uint32_t> head_{0};
  // Beside head_, which the owner reads at every pop anyway. Shared unless the owner asked
  // otherwise: a queue used on its own (tests) is safe to steal from.
  std::atomic<bool> shared_{true};
  std::atomic<bool> in_unshared_pop_{false};
  alignas(64) std::atomic<std::uint32_t> tail_{0};
  std::atomic<scheduler_operation*> slots_[capacity];
  // Pointers, not a linked list: refilling the ring then copies pointers instead of chasing
  // through each operation's memory (perf: a cache miss per handler past L1). The vector
  // keeps its capacity, so steady state allocates nothing; running out of memory while
  // growing it terminates, as for any noexcept allocation.
  std::vector<scheduler_operation*> overflow_;
  std::size_t overflow_next_ = 0;
};

}  // namespace proa::detail
