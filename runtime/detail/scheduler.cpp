// Worker loop, sleeping/waking protocol, stealing and termination for detail::scheduler.
// The header describes the design; comments here explain the orderings that make it correct.
#include "runtime/detail/scheduler.hpp"

#include <bit>
#include <stdexcept>

#include "runtime/logging.hpp"

namespace proa::detail {

scheduler::scheduler(execution_context& owner) : execution_context_service_base<scheduler>(owner) {}

scheduler::~scheduler() {
  shutdown_operations();
  for (std::size_t i = 0; i < slot_count_.load(std::memory_order_relaxed); ++i)
    delete slots_[i].load(std::memory_order_relaxed);
}

void scheduler::shutdown_operations() noexcept {
  if (shut_down_.exchange(true)) return;
  operation_queue doomed;
  {
    std::lock_guard lock(timer_mutex_);
    for (auto& q : timer_queues_) q.queue->take_all(doomed);
  }
  operation_queue global = global_queue_.take_all();
  doomed.splice(global);
  for (std::size_t i = 0; i < slot_count_.load(std::memory_order_relaxed); ++i) {
    operation_queue left = slots_[i].load(std::memory_order_relaxed)->queue.drain();
    doomed.splice(left);
  }
  doomed.destroy_all();
}

// ---------------------------------------------------------------------------------------
// Posting and waking

bool scheduler::running_in_this_thread() const noexcept {
  for (worker* w = current_worker_; w; w = w->outer)
    if (w->owner == this) return true;
  return false;
}

void scheduler::post_from_outside(scheduler_operation* op) noexcept {
  global_queue_.push(op);
  // seq_cst pairs with the sleeper's seq_cst increment of sleeping_workers_ followed by its
  // re-check of the queues: either it sees our push, or we see it asleep and wake it.
  if (sleeping_workers_.load(std::memory_order_seq_cst) > 0 &&
      searching_workers_.load(std::memory_order_seq_cst) == 0)
    wake_one();
}

bool scheduler::wake_one() noexcept {
  for (std::size_t word = 0; word < mask_words; ++word) {
    std::uint64_t bits = idle_mask_[word].load(std::memory_order_acquire);
    while (bits) {
      unsigned bit = static_cast<unsigned>(std::countr_zero(bits));
      std::uint64_t claimed = std::uint64_t{1} << bit;
      if (idle_mask_[word].compare_exchange_weak(bits, bits & ~claimed, std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
        // The woken worker starts out searching; counting it now stops other posters from
        // waking a second worker for the same work.
        searching_workers_.fetch_add(1, std::memory_order_seq_cst);
        sleeping_workers_.fetch_sub(1, std::memory_order_seq_cst);
        slots_[word * 64 + bit].load(std::memory_order_acquire)->reactor->wake();
        return true;
      }
    }
  }
  return false;
}

void scheduler::wake_all() noexcept {
  while (sleeping_workers_.load(std::memory_order_seq_cst) > 0)
    if (!wake_one()) break;
}

void scheduler::stop() noexcept {
  if (!stopped_.exchange(true, std::memory_order_seq_cst))
    log().debug("scheduler {}: stopped", static_cast<const void*>(this));
  wake_all();
}

void scheduler::work_finished() noexcept {
  if (outstanding_work_.fetch_sub(1, std::memory_order_seq_cst) == 1) maybe_finish();
}

bool scheduler::anything_queued() const noexcept {
  if (!global_queue_.empty()) return true;
  std::size_t n = slot_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i)
    if (!slots_[i].load(std::memory_order_acquire)->queue.looks_empty()) return true;
  return false;
}

// Run out of work? Checked by whoever might have made it run out: the last worker to go idle
// and the thread that drops outstanding work to zero. Both decrement their counter before
// reading the other's (seq_cst), so at least one of them sees both at zero.
void scheduler::maybe_finish() noexcept {
  if (outstanding_work_.load(std::memory_order_seq_cst) != 0) return;
  if (active_workers_.load(std::memory_order_seq_cst) != 0) return;
  if (anything_queued()) return;
  stop();
}

// ---------------------------------------------------------------------------------------
// Slots

scheduler::slot& scheduler::acquire_slot() {
  std::lock_guard lock(slot_mutex_);
  if (!free_slots_.empty()) {
    std::size_t i = free_slots_.back();
    free_slots_.pop_back();
    return *slots_[i].load(std::memory_order_relaxed);
  }
  std::size_t i = slot_count_.load(std::memory_order_relaxed);
  if (i == max_workers) {
    log().error("scheduler {}: {} threads already inside run(); refusing another",
                static_cast<const void*>(this), max_workers);
    throw std::length_error("proa: more threads inside run() of one context than supported");
  }
  slot* s = new slot(i);
  log().debug("scheduler {}: worker slot {} created", static_cast<const void*>(this), i);
  slots_[i].store(s, std::memory_order_release);
  slot_count_.store(i + 1, std::memory_order_release);
  return *s;
}

void scheduler::release_slot(slot& s) noexcept {
  std::lock_guard lock(slot_mutex_);
  free_slots_.push_back(s.index);
}

// ---------------------------------------------------------------------------------------
// Finding work

bool scheduler::pull_global(worker& w) noexcept {
  if (global_queue_.empty()) return false;
  operation_queue batch = global_queue_.take_all();
  if (batch.empty()) return false;
  bool several = batch.front()->next_ != nullptr;
  while (scheduler_operation* op = batch.pop()) w.home->queue.push(op);
  // More than we can run at once: let one sleeper come and steal.
  if (several && sleeping_workers_.load(std::memory_order_relaxed) > 0 &&
      searching_workers_.load(std::memory_order_relaxed) == 0)
    wake_one();
  return true;
}

scheduler_operation* scheduler::steal(worker& w) noexcept {
  std::size_t n = slot_count_.load(std::memory_order_acquire);
  if (n < 2) return nullptr;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (w.steal_start + k) % n;
    slot* victim = slots_[i].load(std::memory_order_acquire);
    if (victim == w.home || victim->queue.looks_empty()) continue;
    if (scheduler_operation* op = w.home->queue.steal_from(victim->queue)) {
      w.steal_start = static_cast<unsigned>(i);
      return op;
    }
  }
  return nullptr;
}

scheduler_operation* scheduler::find_work(worker& w, unsigned& tick) noexcept {
  if (++tick >= ticks_between_checks) {
    // Fairness: neither the shared queue nor timers starve behind a self-feeding worker.
    tick = 0;
    const std::int64_t next_expiry = next_expiry_ns_.load(std::memory_order_relaxed);
    if (next_expiry != INT64_MAX && steady_now_ns() >= next_expiry) process_expired_timers(&w);
    pull_global(w);
  }
  if (scheduler_operation* op = w.home->queue.pop()) return op;
  if (pull_global(w))
    if (scheduler_operation* op = w.home->queue.pop()) return op;
  if (next_expiry_ns_.load(std::memory_order_relaxed) != INT64_MAX &&
      steady_now_ns() >= next_expiry_ns_.load(std::memory_order_relaxed)) {
    process_expired_timers(&w);
    if (scheduler_operation* op = w.home->queue.pop()) return op;
  }
  return steal(w);
}

// ---------------------------------------------------------------------------------------
// The worker loop

std::size_t scheduler::run() { return run_loop({SIZE_MAX, true, false, {}}); }
std::size_t scheduler::run_one() { return run_loop({1, true, false, {}}); }
std::size_t scheduler::run_one_until(clock::time_point d) { return run_loop({1, true, true, d}); }
std::size_t scheduler::run_until(clock::time_point d) { return run_loop({SIZE_MAX, true, true, d}); }
std::size_t scheduler::poll() { return run_loop({SIZE_MAX, false, false, {}}); }
std::size_t scheduler::poll_one() { return run_loop({1, false, false, {}}); }

std::size_t scheduler::run_loop(const run_limits& limits) {
  if (stopped_.load(std::memory_order_acquire)) return 0;

  worker w{this, &acquire_slot(), current_worker_};
  w.steal_start = static_cast<unsigned>(w.home->index + 1);
  active_workers_.fetch_add(1, std::memory_order_seq_cst);
  current_worker_ = &w;

  // Leaving (normally or because a handler threw): hand queued work back to the shared
  // queue, since nobody else can pop from this slot's overflow once we are gone.
  struct exit_guard {
    scheduler& self;
    worker& w;
    ~exit_guard() {
      current_worker_ = w.outer;
      if (w.searching) self.searching_workers_.fetch_sub(1, std::memory_order_seq_cst);
      operation_queue left = w.home->queue.drain();
      if (!left.empty()) {
        self.global_queue_.push_queue(left);
        if (self.sleeping_workers_.load(std::memory_order_seq_cst) > 0) self.wake_one();
      }
      self.release_slot(*w.home);
      if (self.active_workers_.fetch_sub(1, std::memory_order_seq_cst) == 1) self.maybe_finish();
    }
  } guard{*this, w};

  std::size_t handlers = 0;
  unsigned tick = 0;
  const bool unbounded = limits.max_handlers == SIZE_MAX && !limits.has_deadline;
  while (!stopped_.load(std::memory_order_relaxed)) {
    if (limits.has_deadline && clock::now() >= limits.deadline) break;
    if (scheduler_operation* op = find_work(w, tick)) {
      if (w.searching) {
        // Found work: stop counting as a searcher, and if more is waiting and everyone else
        // sleeps, pass the baton so work spreads one worker at a time.
        w.searching = false;
        if (searching_workers_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
            sleeping_workers_.load(std::memory_order_relaxed) > 0 && anything_queued())
          wake_one();
      }
      op->complete();
      if (++handlers >= limits.max_handlers) break;
      if (unbounded) {
        // Plain run()/poll(): drain our own queue in a tight loop; find_work (shared queue,
        // timers, stealing) runs again when it is empty or after ticks_between_checks.
        while (++tick < ticks_between_checks && !stopped_.load(std::memory_order_relaxed)) {
          scheduler_operation* next = w.home->queue.pop();
          if (!next) break;
          next->complete();
          ++handlers;
        }
      }
      continue;
    }
    if (!limits.may_block) break;
    sleep(w, limits);
  }
  return handlers;
}

void scheduler::sleep(worker& w, const run_limits& limits) {
  const std::size_t index = w.home->index;
  std::atomic<std::uint64_t>& word = idle_mask_[index / 64];
  const std::uint64_t bit = std::uint64_t{1} << (index % 64);

  if (w.searching) {
    w.searching = false;
    searching_workers_.fetch_sub(1, std::memory_order_seq_cst);
  }
  word.fetch_or(bit, std::memory_order_seq_cst);
  sleeping_workers_.fetch_add(1, std::memory_order_seq_cst);
  if (active_workers_.fetch_sub(1, std::memory_order_seq_cst) == 1) maybe_finish();

  // Withdraws from sleeping. If a waker claimed our bit first, it already moved us from
  // sleeping to searching, and we go on as a searcher.
  auto withdraw = [&] {
    active_workers_.fetch_add(1, std::memory_order_seq_cst);
    std::uint64_t bits = word.load(std::memory_order_acquire);
    while (bits & bit) {
      if (word.compare_exchange_weak(bits, bits & ~bit, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
        sleeping_workers_.fetch_sub(1, std::memory_order_seq_cst);
        return;
      }
    }
    w.searching = true;
  };

  // Re-check after announcing ourselves (pairs with post()'s push-then-check).
  if (stopped_.load(std::memory_order_seq_cst) || anything_queued()) {
    withdraw();
    return;
  }

  std::int64_t timeout = -1;
  bool watching_timers = false;
  int no_watcher = -1;
  if (timer_watcher_.compare_exchange_strong(no_watcher, static_cast<int>(index),
                                             std::memory_order_seq_cst)) {
    watching_timers = true;
    std::int64_t next = next_expiry_ns_.load(std::memory_order_seq_cst);
    if (next != INT64_MAX) timeout = std::max<std::int64_t>(0, next - steady_now_ns());
  }
  if (limits.has_deadline) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(limits.deadline - clock::now())
                    .count();
    left = std::max<std::int64_t>(0, left);
    timeout = timeout < 0 ? left : std::min(timeout, left);
  }

  if (timeout != 0) {
    sleeps_.fetch_add(1, std::memory_order_relaxed);
    w.home->reactor->wait(timeout);
  }

  withdraw();
  if (watching_timers) {
    timer_watcher_.store(-1, std::memory_order_seq_cst);
    process_expired_timers(&w);
    // We may now be busy for a while: let another sleeper watch the clock.
    if (next_expiry_ns_.load(std::memory_order_seq_cst) != INT64_MAX &&
        !w.home->queue.empty_for_owner() && sleeping_workers_.load(std::memory_order_relaxed) > 0)
      wake_one();
  }
}

// ---------------------------------------------------------------------------------------
// Timers

std::int64_t scheduler::steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch())
      .count();
}

void scheduler::refresh_next_expiry_locked() noexcept {
  std::int64_t steady_now = -1;  // read lazily, only for non-steady clocks
  std::int64_t soonest = INT64_MAX;
  for (auto& q : timer_queues_) soonest = std::min(soonest, q.queue->next_expiry_steady_ns(steady_now));
  next_expiry_ns_.store(soonest, std::memory_order_seq_cst);
}

void scheduler::timer_became_earlier() noexcept {
  // Pairs with sleep(): the watcher claims the role, then reads next_expiry_ns_.
  int watcher = timer_watcher_.load(std::memory_order_seq_cst);
  if (watcher >= 0) {
    slots_[watcher].load(std::memory_order_acquire)->reactor->wake();
  } else if (sleeping_workers_.load(std::memory_order_seq_cst) > 0 &&
             searching_workers_.load(std::memory_order_seq_cst) == 0) {
    wake_one();
  }
}

void scheduler::process_expired_timers(worker* w) noexcept {
  operation_queue ready;
  {
    std::lock_guard lock(timer_mutex_);
    for (auto& q : timer_queues_) q.queue->take_expired(ready);
    refresh_next_expiry_locked();
  }
  std::size_t n = 0;
  while (scheduler_operation* op = ready.pop()) {
    if (w)
      w->home->queue.push(op);
    else
      global_queue_.push(op);
    ++n;
  }
  if (n && outstanding_work_.fetch_sub(n, std::memory_order_seq_cst) == n) maybe_finish();
}

void scheduler::complete_timer_waits(operation_queue& ready, std::size_t count) noexcept {
  while (scheduler_operation* op = ready.pop()) post(op);
  if (outstanding_work_.fetch_sub(count, std::memory_order_seq_cst) == count) maybe_finish();
}

}  // namespace proa::detail
