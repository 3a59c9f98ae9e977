// Timer heaps, one per clock type and scheduler. The heap orders timers, not waits, so a timer
// with several waits is one entry. Cancelling leaves the entry behind as a stale one (lazy
// deletion, checked by generation) instead of an O(log n) removal; compaction keeps stale
// entries bounded. The owning scheduler serialises access with its timer mutex.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>
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
  // Only for a wait that can be cancelled on its own (its handler has a connected cancellation
  // slot): the timer whose list holds it, null once it left the list. Under the scheduler's
  // timer mutex. Other waits never need it, so expiry does not touch their (cold) memory.
  per_timer_data* timer_ = nullptr;
};

// What the queue keeps for one timer object. Lives in the queue's pool, so a stale heap entry
// can always look at it, even after the timer object is gone (the pool keeps its peak size
// until the scheduler goes, about 48 bytes a timer). Under the timer mutex.
struct per_timer_data {
  operation_queue waits;
  // Bumped each time the timer enters the heap; an entry is valid only with the current value
  // while `in_heap` is set.
  std::uint32_t generation = 0;
  std::uint32_t index = 0;  // place in the pool
  std::uint32_t cancellable_waits = 0;  // waits whose timer_ points here
  std::uint32_t next_free = 0;
  // Has a valid entry, i.e. pending waits. Written under the timer mutex; atomic only so that
  // the timer's owner may read it without the lock: it set it itself when it started a wait,
  // so reading false means no wait is pending any more (cancel() then has nothing to do).
  std::atomic<bool> in_heap{false};

  bool pending() const noexcept { return in_heap.load(std::memory_order_relaxed); }
  void set_pending(bool value) noexcept { in_heap.store(value, std::memory_order_relaxed); }
};

class timer_queue_base {
 public:
  virtual ~timer_queue_base() = default;
  // The earliest expiry as steady_clock nanoseconds since its epoch, or INT64_MAX if no timer
  // is pending. May be earlier than the earliest live timer (a stale entry): the caller then
  // just looks in vain once. `steady_now` is read (and cached in the argument) only for other
  // clocks.
  virtual std::int64_t next_expiry_steady_ns(std::int64_t& steady_now) const = 0;
  // Appends the waits of every expired timer to `ready`, in expiry order, with a success result.
  virtual void take_expired(std::vector<scheduler_operation*>& ready) = 0;
  // Moves every wait to `ready` (used on shutdown, where they are destroyed, not run).
  virtual void take_all(operation_queue& ready) = 0;
};

// std::allocator, but cache-line aligned, so the heap can keep sibling groups in one line.
template <typename T>
struct cache_line_allocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};
  cache_line_allocator() noexcept = default;
  template <typename U>
  cache_line_allocator(const cache_line_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }
  template <typename U>
  bool operator==(const cache_line_allocator<U>&) const noexcept { return true; }
};

template <typename Clock>
class timer_queue final : public timer_queue_base {
 public:
  using time_point = typename Clock::time_point;

  // Stale entries allowed beyond three times the live ones before a compaction. A small heap
  // is not worth compacting: its stale entries go when the last live timer does (the heap is
  // then simply emptied) or when they expire.
  static constexpr std::size_t compaction_slack = 1024;

  timer_queue() : heap_(padding) {}

  // ---- timer objects ----
  per_timer_data& create_timer() {
    if (free_head_ != no_timer) {
      per_timer_data& timer = at_index(free_head_);
      free_head_ = timer.next_free;
      return timer;
    }
    if (pool_size_ % chunk_size == 0)
      chunks_.push_back(std::make_unique<per_timer_data[]>(chunk_size));
    per_timer_data& timer = at_index(pool_size_);
    timer.index = pool_size_++;
    return timer;
  }

  // The timer must have no pending waits (cancel them first). Its stale entries may remain.
  void destroy_timer(per_timer_data& timer) noexcept {
    timer.next_free = free_head_;
    free_head_ = timer.index;
  }

  // ---- waits ----
  // Adds a wait. Returns true if the timer's entry is now the earliest (or the heap changed
  // shape so that the earliest expiry must be read again). Throws only before changing anything.
  bool enqueue(per_timer_data& timer, time_point expiry, timer_operation* op, bool cancellable) {
    bool earliest = false;
    if (!timer.pending()) {
      if (timer.generation == std::numeric_limits<std::uint32_t>::max()) {
        // About to wrap: drop this timer's stale entries first (it is not in the heap, so all
        // of them are stale), or an old one could match the new generation.
        compact();
        earliest = true;
      }
      const std::uint32_t generation = timer.generation + 1;
      heap_.push_back({expiry, timer.index, generation});  // the only step that may throw
      timer.generation = generation;
      timer.set_pending(true);
      ++live_;
      earliest = sift_up(size() - 1) == 0 || earliest;
    }
    if (cancellable) {
      op->timer_ = &timer;
      ++timer.cancellable_waits;
    }
    timer.waits.push(op);
    return earliest;
  }

  // Moves the timer's waits to `ready` with operation_aborted; returns how many. Sets
  // `front_changed` if the earliest expiry must be read again.
  std::size_t cancel(per_timer_data& timer, operation_queue& ready, bool& front_changed) {
    if (!timer.pending()) return 0;
    std::size_t n = 0;
    while (scheduler_operation* op = timer.waits.pop()) {
      abort(static_cast<timer_operation*>(op));
      ready.push(op);
      ++n;
    }
    timer.cancellable_waits = 0;
    leave_heap(timer, front_changed);
    return n;
  }

  // Cancels only the oldest wait; the timer leaves the heap once it has no waits left.
  std::size_t cancel_one(per_timer_data& timer, operation_queue& ready, bool& front_changed) {
    auto* op = static_cast<timer_operation*>(timer.waits.pop());
    if (!op) return 0;
    if (op->timer_) --timer.cancellable_waits;
    abort(op);
    ready.push(op);
    if (timer.waits.empty()) leave_heap(timer, front_changed);
    return 1;
  }

  // Cancels the one wait `op` (per-operation cancellation) if it is still pending; its timer
  // leaves the heap if it has no other wait. False if `op` already left.
  bool cancel_operation(timer_operation* op, operation_queue& ready, bool& front_changed) {
    per_timer_data* timer = op->timer_;
    if (!timer) return false;
    timer->waits.remove(op);
    --timer->cancellable_waits;
    abort(op);
    ready.push(op);
    if (timer->waits.empty()) leave_heap(*timer, front_changed);
    return true;
  }

  // ---- the scheduler's side ----
  std::int64_t next_expiry_steady_ns(std::int64_t& steady_now) const override {
    using namespace std::chrono;
    if (size() == 0) return INT64_MAX;
    if constexpr (std::is_same_v<Clock, steady_clock>) {
      // Same clock as the scheduler's: no clock read needed.
      return duration_cast<nanoseconds>(at(0).expiry.time_since_epoch()).count();
    } else {
      if (steady_now < 0)
        steady_now = duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
      auto left = at(0).expiry - Clock::now();
      if (left <= Clock::duration::zero()) return steady_now;
      return steady_now + duration_cast<nanoseconds>(left).count();
    }
  }

  void take_expired(std::vector<scheduler_operation*>& ready) override {
    if (size() == 0) return;
    const time_point now = Clock::now();
    if (now < at(0).expiry) return;
    // A few expired entries: pop them. Many (say a burst armed at once): taking them out in
    // one pass, sorting them and rebuilding the heap from the rest costs far fewer scattered
    // memory accesses than one O(log n) pop each.
    const std::size_t batch_from = std::max<std::size_t>(size() / 8, 16);
    if (count_expired(now, batch_from) < batch_from) {
      while (size() != 0 && !(now < at(0).expiry)) {
        const entry e = at(0);
        pop_front();
        fire(e, ready);
      }
      return;
    }
    const auto first = heap_.begin() + padding;
    const auto expired = std::partition(first, heap_.end(),
                                        [&](const entry& e) { return now < e.expiry; });
    const std::size_t kept = static_cast<std::size_t>(expired - first);
    const std::size_t count = size() - kept;
    sort_by_expiry(&*expired, count);
    const entry* burst = &*expired;
    for (std::size_t i = 0; i < count; ++i) {
      // The timers are scattered in memory: ask for the next ones before they are needed.
      if (i + prefetch_distance < count)
        __builtin_prefetch(&at_index(burst[i + prefetch_distance].timer));
      fire(burst[i], ready);
    }
    heap_.erase(expired, heap_.end());
    make_heap();
  }

  void take_all(operation_queue& ready) override {
    for (std::size_t i = 0; i < size(); ++i) {
      per_timer_data& timer = at_index(at(i).timer);
      if (!is_valid(at(i), timer)) continue;
      release_waits(timer);
      ready.splice(timer.waits);
      timer.set_pending(false);
    }
    heap_.resize(padding);
    live_ = 0;
  }

  // For tests: heap entries (stale ones included) and timers with pending waits.
  std::size_t entries() const noexcept { return size(); }
  std::size_t live_timers() const noexcept { return live_; }

 private:
  struct entry {
    time_point expiry;
    std::uint32_t timer;       // pool index
    std::uint32_t generation;  // the timer's generation when this entry was made
  };

  // A 4-ary heap: a node's children are 4i+1..4i+4. Three unused entries before the root put
  // each group of four siblings in one cache line (for 16-byte entries).
  static constexpr std::size_t arity = 4;
  static constexpr std::size_t padding = 3;
  static constexpr std::size_t chunk_size = 256;  // timers per pool chunk (a power of two)
  static constexpr std::uint32_t no_timer = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::size_t prefetch_distance = 8;
  static constexpr std::size_t radix_sort_from = 4096;  // below, std::sort is as fast

  std::size_t size() const noexcept { return heap_.size() - padding; }
  entry& at(std::size_t i) noexcept { return heap_[i + padding]; }
  const entry& at(std::size_t i) const noexcept { return heap_[i + padding]; }
  per_timer_data& at_index(std::uint32_t index) noexcept {
    return chunks_[index / chunk_size][index % chunk_size];
  }

  static bool is_valid(const entry& e, const per_timer_data& timer) noexcept {
    return timer.pending() && timer.generation == e.generation;
  }

  void abort(timer_operation* op) const noexcept {
    op->ec_ = aborted_;
    op->timer_ = nullptr;
  }

  // Clears the back-pointers of waits about to leave the list (only cancellable ones have any).
  static void release_waits(per_timer_data& timer) noexcept {
    if (timer.cancellable_waits == 0) return;
    for (scheduler_operation* op = timer.waits.front(); op; op = op->next_)
      static_cast<timer_operation*>(op)->timer_ = nullptr;
    timer.cancellable_waits = 0;
  }

  // The timer's entry just became stale.
  void leave_heap(per_timer_data& timer, bool& front_changed) {
    timer.set_pending(false);
    if (--live_ == 0) {
      heap_.resize(padding);
      front_changed = true;
    } else if (size() > 3 * live_ + compaction_slack) {
      // Amortised O(1): the O(n) pass removes at least two stale entries per live one.
      compact();
      front_changed = true;
    }
  }

  // Hands out the waits of the timer `e` names, if `e` is not stale.
  void fire(const entry& e, std::vector<scheduler_operation*>& ready) {
    per_timer_data& timer = at_index(e.timer);
    if (!is_valid(e, timer)) return;
    timer.set_pending(false);
    --live_;
    release_waits(timer);
    auto [first, last] = timer.waits.release();
    if (first == last) {
      // The common single wait: its memory is not touched until it runs.
      ready.push_back(first);
      return;
    }
    while (first) {
      scheduler_operation* next = first->next_;
      first->next_ = nullptr;
      ready.push_back(first);
      first = next;
    }
  }

  // Counts expired entries (stale ones too), stopping at `limit`: a walk down from the root
  // that only enters expired subtrees.
  std::size_t count_expired(time_point now, std::size_t limit) const {
    std::size_t stack[arity * 64];
    std::size_t depth = 0, count = 0;
    stack[depth++] = 0;
    while (depth != 0 && count < limit) {
      const std::size_t i = stack[--depth];
      ++count;
      const std::size_t end = std::min(size(), arity * i + 1 + arity);
      for (std::size_t c = arity * i + 1; c < end; ++c)
        if (!(now < at(c).expiry)) stack[depth++] = c;
    }
    return count;
  }

  // Sorts a burst of expired entries, earliest first. Integer ticks (every standard clock) go
  // through an LSD radix sort on the offset from the earliest, 11 bits a pass: a burst of a
  // million timers sorts several times faster than with comparisons.
  static void sort_by_expiry(entry* first, std::size_t n) {
    auto earlier = [](const entry& a, const entry& b) { return a.expiry < b.expiry; };
    if (std::is_sorted(first, first + n, earlier)) return;  // say, a round armed at one instant
    using rep = typename time_point::rep;
    if constexpr (std::is_integral_v<rep> && std::is_trivially_copyable_v<entry>) {
      if (n >= radix_sort_from) {
        radix_sort(first, n);
        return;
      }
    }
    std::sort(first, first + n, earlier);
  }

  static void radix_sort(entry* first, std::size_t n) {
    using rep = typename time_point::rep;
    using offset = std::make_unsigned_t<rep>;
    constexpr unsigned digit_bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << digit_bits;
    rep lowest = first[0].expiry.time_since_epoch().count(), highest = lowest;
    for (std::size_t i = 1; i < n; ++i) {
      const rep t = first[i].expiry.time_since_epoch().count();
      lowest = std::min(lowest, t);
      highest = std::max(highest, t);
    }
    // Unsigned arithmetic: the offsets are right even where the signed difference overflows.
    auto key = [lowest](const entry& e) {
      return static_cast<offset>(static_cast<offset>(e.expiry.time_since_epoch().count()) -
                                 static_cast<offset>(lowest));
    };
    const offset range = static_cast<offset>(static_cast<offset>(highest) -
                                             static_cast<offset>(lowest));
    std::vector<entry> buffer(n);
    entry* from = first;
    entry* to = buffer.data();
    std::vector<std::size_t> position(buckets);
    for (unsigned shift = 0; shift < sizeof(offset) * 8 && (range >> shift) != 0;
         shift += digit_bits) {
      auto digit = [&](const entry& e) { return (key(e) >> shift) & (buckets - 1); };
      std::fill(position.begin(), position.end(), 0);
      for (std::size_t i = 0; i < n; ++i) ++position[digit(from[i])];
      std::size_t sum = 0;
      for (auto& p : position) sum += std::exchange(p, sum);
      for (std::size_t i = 0; i < n; ++i) to[position[digit(from[i])]++] = from[i];
      std::swap(from, to);
    }
    if (from != first) std::copy(from, from + n, first);
  }

  // Drops every stale entry and rebuilds the heap.
  void compact() {
    auto stale = [this](const entry& e) { return !is_valid(e, at_index(e.timer)); };
    heap_.erase(std::remove_if(heap_.begin() + padding, heap_.end(), stale), heap_.end());
    make_heap();
  }

  void make_heap() {
    const std::size_t n = size();
    if (n < 2) return;
    for (std::size_t i = (n - 2) / arity + 1; i-- > 0;) sift_down(i);
  }

  void pop_front() {
    at(0) = heap_.back();
    heap_.pop_back();
    if (size() > 1) sift_down(0);
  }

  std::size_t sift_up(std::size_t i) {
    const entry moving = at(i);
    while (i > 0) {
      const std::size_t parent = (i - 1) / arity;
      if (!(moving.expiry < at(parent).expiry)) break;
      at(i) = at(parent);
      i = parent;
    }
    at(i) = moving;
    return i;
  }

  void sift_down(std::size_t i) {
    const std::size_t n = size();
    const entry moving = at(i);
    for (;;) {
      const std::size_t first = arity * i + 1;
      if (first >= n) break;
      std::size_t smallest = first;
      const std::size_t end = std::min(n, first + arity);
      for (std::size_t c = first + 1; c < end; ++c)
        if (at(c).expiry < at(smallest).expiry) smallest = c;
      if (!(at(smallest).expiry < moving.expiry)) break;
      at(i) = at(smallest);
      i = smallest;
    }
    at(i) = moving;
  }

  // Made once: building it calls into the library for the category, per cancel otherwise.
  const std::error_code aborted_ = proa::error::make_error_code(proa::error::operation_aborted);
  std::vector<entry, cache_line_allocator<entry>> heap_;
  std::size_t live_ = 0;  // timers with a valid entry
  std::vector<std::unique_ptr<per_timer_data[]>> chunks_;
  std::uint32_t pool_size_ = 0;
  std::uint32_t free_head_ = no_timer;
};

}  // namespace proa::detail
