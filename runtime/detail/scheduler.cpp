// Worker loop, sleeping/waking protocol, stealing and termination for detail::scheduler.
// The header describes the design; comments here explain the orderings that make it correct.
#include "runtime/detail/scheduler.hpp"

#include <bit>
#include <stdexcept>
#include <thread>

#include "platform/process_wide_barrier.hpp"
#include "runtime/logging.hpp"

namespace proa::detail {

scheduler::scheduler(execution_context& owner) : execution_context_service_base<scheduler>(owner) {
  // Without the barrier a lone owner cannot skip its CAS safely: share from the start.
  run_queues_shared_ = !process_wide_barrier_available();
}

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
  {
    std::lock_guard lock(slot_mutex_);
    for (auto& d : descriptor_states_) {
      std::lock_guard state_lock(d->mutex);
      for (auto& q : d->directions)
        while (reactor_operation* op = q.pop()) doomed.push(op);
    }
  }
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

// A handler of ours queued `op` on our own queue while others sleep. We will run it, unless the
// handler we are in never returns (it may wait for that very op, which under Asio another
// thread would run): so either the backlog is worth a helper now, or a sleeper must come back
// soon to steal what is stuck. Claiming backlog_watched_ makes that one wake per busy spell,
// not one per post.
void scheduler::posted_locally_with_sleepers(std::uint32_t depth) noexcept {
  if (searching_workers_.load(std::memory_order_relaxed) != 0) return;  // someone will look
  if (depth > wake_backlog) {
    wake_one();
    return;
  }
  if (backlog_watched_.load(std::memory_order_relaxed) ||
      backlog_watched_.exchange(true, std::memory_order_seq_cst))
    return;
  // The watcher sleeps with no timeout (everyone was idle when it lay down): wake it, and it
  // lies down again with one, seeing us active. With no watcher, wake anyone: it looks for
  // work (and may steal ours), and the next to sleep watches.
  const int watcher = timer_watcher_.load(std::memory_order_seq_cst);
  if (watcher >= 0)
    slots_[watcher].load(std::memory_order_acquire)->reactor->wake();
  else if (!wake_one())
    backlog_watched_.store(false, std::memory_order_relaxed);  // nobody left asleep
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
// The two counters are read one after the other, so the snapshot can be torn: we read no
// outstanding work, then a worker starts some (a timer, a read that waits) and goes idle, and
// we read no active worker. That worker bumped work_epoch_ before going idle, so reading the
// epoch around the snapshot catches it; whoever ends that new work checks again.
void scheduler::maybe_finish() noexcept {
  const std::uint64_t epoch = work_epoch_.load(std::memory_order_seq_cst);
  if (outstanding_work_.load(std::memory_order_seq_cst) != 0) return;
  if (active_workers_.load(std::memory_order_seq_cst) != 0) return;
  if (anything_queued()) return;
  if (work_epoch_.load(std::memory_order_seq_cst) != epoch) return;
  stop();
}

// ---------------------------------------------------------------------------------------
// Slots

scheduler::slot& scheduler::create_slot_locked() {
  std::size_t i = slot_count_.load(std::memory_order_relaxed);
  if (i == max_workers) {
    log().error("scheduler {}: {} threads already inside run(); refusing another",
                static_cast<const void*>(this), max_workers);
    throw std::length_error("proa: more threads inside run() of one context than supported");
  }
  slot* s = new slot(i);
  if (!run_queues_shared_) s->queue.start_unshared();
  log().debug("scheduler {}: worker slot {} created", static_cast<const void*>(this), i);
  slots_[i].store(s, std::memory_order_release);
  slot_count_.store(i + 1, std::memory_order_release);
  return *s;
}

scheduler::slot& scheduler::acquire_slot() {
  std::lock_guard lock(slot_mutex_);
  slot* s;
  if (!free_slots_.empty()) {
    s = slots_[free_slots_.back()].load(std::memory_order_relaxed);
    free_slots_.pop_back();
  } else {
    s = &create_slot_locked();
  }
  s->held = true;
  const std::size_t n = slot_count_.load(std::memory_order_relaxed);
  if (!run_queues_shared_) {
    for (std::size_t i = 0; i < n; ++i) {
      slot* other = slots_[i].load(std::memory_order_relaxed);
      if (other != s && other->held) {
        // We may steal from it from now on.
        share_run_queues_locked();
        break;
      }
    }
  }
  // Descriptors left in slots nobody holds would never be watched: adopt them.
  for (std::size_t i = 0; i < n; ++i) {
    slot* other = slots_[i].load(std::memory_order_relaxed);
    if (other != s && !other->held && other->descriptors) move_descriptors_locked(*other, *s);
  }
  return *s;
}

// A second worker arrived: from now on every owner claims with a CAS. The barrier makes each
// running owner either see shared_ at its next pop or show us that it is inside a plain claim,
// which we wait out (nanoseconds, unless its thread was preempted right there). An owner
// blocked in a handler is not inside a claim, so we never wait for a handler.
void scheduler::share_run_queues_locked() noexcept {
  run_queues_shared_ = true;
  const std::size_t n = slot_count_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) slots_[i].load(std::memory_order_relaxed)->queue.share();
  process_wide_barrier();
  for (std::size_t i = 0; i < n; ++i) {
    const local_run_queue& queue = slots_[i].load(std::memory_order_relaxed)->queue;
    while (queue.in_unshared_pop()) std::this_thread::yield();
  }
  log().debug("scheduler {}: a second worker arrived; run queues are shared from now on",
              static_cast<const void*>(this));
}

void scheduler::release_slot(slot& s) noexcept {
  std::lock_guard lock(slot_mutex_);
  s.held = false;
  free_slots_.push_back(s.index);
  if (!s.descriptors) return;
  // Hand our descriptors to a worker that stays; with none left they wait for the next one.
  const std::size_t n = slot_count_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    slot* other = slots_[i].load(std::memory_order_relaxed);
    if (other->held) {
      move_descriptors_locked(s, *other);
      return;
    }
  }
}

void scheduler::move_descriptors_locked(slot& from, slot& to) noexcept {
  std::size_t moved = 0;
  descriptor_state* kept = nullptr;
  while (descriptor_state* d = from.descriptors) {
    from.descriptors = d->slot_next;
    // Adding to the new epoll reports the current readiness at once, so an edge the old
    // reactor had queued but nobody harvested is not lost.
    if (std::error_code ec = to.reactor->watch(d->fd, d)) {
      log().error("scheduler {}: cannot move descriptor {} between reactors: {}",
                  static_cast<const void*>(this), d->fd, ec.message());
      d->slot_next = kept;
      kept = d;
      continue;
    }
    from.reactor->unwatch(d->fd);
    d->slot_index = to.index;
    d->slot_prev = nullptr;
    d->slot_next = to.descriptors;
    if (to.descriptors) to.descriptors->slot_prev = d;
    to.descriptors = d;
    ++moved;
  }
  // Relink what could not move.
  for (descriptor_state* d = kept; d;) {
    descriptor_state* next = d->slot_next;
    d->slot_prev = nullptr;
    d->slot_next = from.descriptors;
    if (from.descriptors) from.descriptors->slot_prev = d;
    from.descriptors = d;
    d = next;
  }
  from.descriptor_count.fetch_sub(moved, std::memory_order_relaxed);
  to.descriptor_count.fetch_add(moved, std::memory_order_relaxed);
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
  // The owner is the only writer: a plain increment, on a line of its own.
  w.home->progress.store(w.home->progress.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  if (++tick >= ticks_between_checks) {
    // Fairness: neither the shared queue nor timers starve behind a self-feeding worker.
    tick = 0;
    const std::int64_t next_expiry = next_expiry_ns_.load(std::memory_order_relaxed);
    if (next_expiry != INT64_MAX && steady_now_ns() >= next_expiry) process_expired_timers(&w);
    pull_global(w);
    // Busy workers still serve their sockets: one non-blocking epoll_wait per round.
    poll_reactor(w);
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
    if (!limits.may_block) {
      // poll(): run what the sockets have ready, then stop.
      if (poll_reactor(w)) continue;
      break;
    }
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
    // Other workers busy, or watching sockets: come back now and then to check nobody is
    // stuck in a handler with work waiting behind it.
    const bool bounded = others_could_get_stuck(w);
    if (bounded)
      timeout = timeout < 0 ? stuck_check_interval_ns : std::min(timeout, stuck_check_interval_ns);
    backlog_watched_.store(bounded, std::memory_order_seq_cst);
  }
  if (limits.has_deadline) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(limits.deadline - clock::now())
                    .count();
    left = std::max<std::int64_t>(0, left);
    timeout = timeout < 0 ? left : std::min(timeout, left);
  }

  if (timeout != 0) sleeps_.fetch_add(1, std::memory_order_relaxed);
  readiness_event events[readiness_batch];
  const std::size_t ready = w.home->reactor->wait(timeout, events, readiness_batch);

  withdraw();
  // After withdrawing, so that completions land in our queue while we count as active.
  if (ready) dispatch_readiness(events, ready);
  if (watching_timers) {
    timer_watcher_.store(-1, std::memory_order_seq_cst);
    backlog_watched_.store(false, std::memory_order_seq_cst);
    rescue_stuck_slots(w);
    process_expired_timers(&w);
    // We may now be busy for a while: let another sleeper watch the clock.
    if (next_expiry_ns_.load(std::memory_order_seq_cst) != INT64_MAX &&
        !w.home->queue.empty_for_owner() && sleeping_workers_.load(std::memory_order_relaxed) > 0)
      wake_one();
  }
}

// ---------------------------------------------------------------------------------------
// Descriptors

scheduler::slot& scheduler::slot_for_new_descriptor_locked() {
  worker* w = current_worker_;
  if (w && w->owner == this) return *w->home;
  const std::size_t n = slot_count_.load(std::memory_order_relaxed);
  for (std::size_t k = 0; k < n; ++k) {
    slot* s = slots_[(next_descriptor_slot_ + k) % n].load(std::memory_order_relaxed);
    if (s->held) {
      next_descriptor_slot_ = (next_descriptor_slot_ + k + 1) % n;
      return *s;
    }
  }
  // Nobody is inside run(): park it in slot 0 until a worker arrives and adopts it.
  if (n == 0) {
    slot& s = create_slot_locked();
    free_slots_.push_back(s.index);
    return s;
  }
  return *slots_[0].load(std::memory_order_relaxed);
}

descriptor_state* scheduler::register_descriptor(int fd, std::error_code& ec) {
  std::lock_guard lock(slot_mutex_);
  descriptor_state* d = free_descriptor_states_;
  if (d) {
    free_descriptor_states_ = d->next_free;
  } else {
    descriptor_states_.push_back(std::make_unique<descriptor_state>());
    d = descriptor_states_.back().get();
  }
  {
    std::lock_guard state_lock(d->mutex);
    d->fd = fd;
    d->closing = false;
    d->peer_closed = false;
    for (auto& q : d->directions) {
      q.ready = true;
      q.in_flight_cancelled = false;
    }
  }
  d->registrations.fetch_add(1, std::memory_order_release);
  slot& s = slot_for_new_descriptor_locked();
  ec = s.reactor->watch(fd, d);
  if (ec) {
    d->fd = -1;
    d->next_free = free_descriptor_states_;
    free_descriptor_states_ = d;
    return nullptr;
  }
  d->slot_index = s.index;
  d->slot_prev = nullptr;
  d->slot_next = s.descriptors;
  if (s.descriptors) s.descriptors->slot_prev = d;
  s.descriptors = d;
  // A slot's first descriptor: a sleeping timer watcher may need to start its stuck-worker
  // rounds (it chose an unbounded sleep when no other slot watched anything).
  // With no watcher at all (it left to run a handler), wake a sleeper: going back to sleep,
  // it becomes the watcher.
  if (s.descriptor_count.fetch_add(1, std::memory_order_relaxed) == 0) {
    const int watcher = timer_watcher_.load(std::memory_order_seq_cst);
    if (watcher >= 0) {
      if (static_cast<std::size_t>(watcher) != s.index)
        slots_[watcher].load(std::memory_order_acquire)->reactor->wake();
    } else if (sleeping_workers_.load(std::memory_order_seq_cst) > 0) {
      wake_one();
    }
  }
  return d;
}

void scheduler::deregister_descriptor(descriptor_state* d) noexcept {
  reactor_completions out;
  {
    std::unique_lock lock(d->mutex);
    d->closing = true;
    for (auto& q : d->directions) {
      while (reactor_operation* op = q.pop()) {
        op->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
        out.add(op);
      }
      if (q.in_flight) q.in_flight_cancelled = true;
    }
    // A runner is in a syscall on this descriptor: the caller is about to close it, and the
    // number could be reused under the runner's feet. Its syscall does not block; wait for it.
    auto any_running = [d] {
      for (auto& q : d->directions)
        if (q.running) return true;
      return false;
    };
    while (any_running()) {
      lock.unlock();
      std::this_thread::yield();
      lock.lock();
    }
  }
  deliver(out);
  std::lock_guard lock(slot_mutex_);
  slot& s = *slots_[d->slot_index].load(std::memory_order_relaxed);
  s.reactor->unwatch(d->fd);
  if (d->slot_prev)
    d->slot_prev->slot_next = d->slot_next;
  else
    s.descriptors = d->slot_next;
  if (d->slot_next) d->slot_next->slot_prev = d->slot_prev;
  d->slot_prev = d->slot_next = nullptr;
  s.descriptor_count.fetch_sub(1, std::memory_order_relaxed);
  {
    std::lock_guard state_lock(d->mutex);
    d->fd = -1;
  }
  d->next_free = free_descriptor_states_;
  free_descriptor_states_ = d;
}

// Runs with the state's lock held and the queue's `running` flag set; drops the lock around
// each syscall. Leaves when the queue is empty, the descriptor would block, or it is closing.
void scheduler::run_direction(descriptor_state& d, descriptor_state::direction_state& q,
                              reactor_completions& out) noexcept {
  std::unique_lock lock(d.mutex, std::adopt_lock);
  while (!d.closing && q.ready) {
    reactor_operation* op = q.pop();
    if (!op) break;
    q.in_flight = op;
    q.in_flight_cancelled = false;
    const std::uint32_t edges = q.edges;
    const int fd = d.fd;
    lock.unlock();
    const perform_result result = op->perform(fd);
    lock.lock();
    q.in_flight = nullptr;
    // An edge during the syscall means "would block" may already be stale.
    const bool no_new_edge = q.edges == edges;
    if (result == perform_result::not_ready) {
      if (no_new_edge) q.ready = false;
      if (q.in_flight_cancelled || d.closing) {
        op->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
        out.add(op);
      } else {
        q.push_front(op);
      }
      continue;
    }
    if (result == perform_result::done_drained && no_new_edge &&
        !(d.peer_closed && &q == &d.directions[0]))
      q.ready = false;
    out.add(op);
  }
  q.running = false;
  count_waiting_operations(q);
  lock.release();
}

// Operations left queued wait for an edge: from now on they keep run() going.
void scheduler::count_waiting_operations(descriptor_state::direction_state& q) noexcept {
  std::size_t n = 0;
  for (scheduler_operation* op = q.front; op; op = op->next_) {
    auto* rop = static_cast<reactor_operation*>(op);
    if (!rop->counted_as_work_) {
      rop->counted_as_work_ = true;
      ++n;
    }
  }
  if (n) add_work(n);
}

void scheduler::deliver(reactor_completions& out) noexcept {
  while (scheduler_operation* op = out.ready.pop()) post(op);
  const std::size_t n = out.finished_work;
  if (n && outstanding_work_.fetch_sub(n, std::memory_order_seq_cst) == n) maybe_finish();
}

void scheduler::start_reactor_operation(descriptor_state& d, reactor_direction direction,
                                        reactor_operation* op) noexcept {
  reactor_completions out;
  auto& q = d[direction];
  d.mutex.lock();
  if (d.closing) {
    d.mutex.unlock();
    op->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
    out.add(op);
    deliver(out);
    return;
  }
  // A thread outside run() must keep run() from finishing before its operation is queued.
  op->counted_as_work_ = !running_in_this_thread();
  if (op->counted_as_work_) work_started();
  q.push_back(op);
  if (q.running) {
    d.mutex.unlock();  // the runner will get to it
    return;
  }
  if (!q.ready) {
    count_waiting_operations(q);
    d.mutex.unlock();
    return;
  }
  q.running = true;
  run_direction(d, q, out);  // releases nothing: returns with the lock still held
  d.mutex.unlock();
  deliver(out);
}

std::size_t scheduler::cancel_reactor_operations(descriptor_state& d) noexcept {
  reactor_completions out;
  std::size_t n = 0;
  {
    std::lock_guard lock(d.mutex);
    for (auto& q : d.directions) {
      while (reactor_operation* op = q.pop()) {
        op->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
        out.add(op);
        ++n;
      }
      if (q.in_flight) q.in_flight_cancelled = true;
    }
  }
  deliver(out);
  return n;
}

bool scheduler::cancel_reactor_operation(descriptor_state& d, reactor_operation* op) noexcept {
  reactor_completions out;
  bool found = false;
  {
    std::lock_guard lock(d.mutex);
    for (auto& q : d.directions) {
      if (q.in_flight == op) {
        q.in_flight_cancelled = true;
        return true;
      }
      scheduler_operation* previous = nullptr;
      for (scheduler_operation* it = q.front; it; previous = it, it = it->next_) {
        if (it != op) continue;
        if (previous)
          previous->next_ = it->next_;
        else
          q.front = it->next_;
        if (q.back == it) q.back = previous;
        it->next_ = nullptr;
        op->ec_ = proa::error::make_error_code(proa::error::operation_aborted);
        out.add(op);
        found = true;
        break;
      }
      if (found) break;
    }
  }
  deliver(out);
  return found;
}

void scheduler::dispatch_readiness(const readiness_event* events, std::size_t count) noexcept {
  reactor_completions out;
  for (std::size_t i = 0; i < count; ++i) {
    auto& d = *static_cast<descriptor_state*>(events[i].key);
    const unsigned bits = events[i].events;
    (void)d.registrations.load(std::memory_order_acquire);
    d.mutex.lock();
    if (bits & readiness_peer_closed) d.peer_closed = true;
    for (unsigned dir = 0; dir < reactor_direction_count; ++dir) {
      // An error wakes every direction: each operation's syscall then reports it.
      static constexpr unsigned wanted[reactor_direction_count] = {
          readiness_read, readiness_write, readiness_priority};
      if (!(bits & (wanted[dir] | readiness_error))) continue;
      auto& q = d.directions[dir];
      ++q.edges;
      q.ready = true;
      if (!q.running && !q.empty() && !d.closing) {
        q.running = true;
        run_direction(d, q, out);
      }
    }
    d.mutex.unlock();
  }
  deliver(out);
}

bool scheduler::others_could_get_stuck(const worker& w) const noexcept {
  // We already left active_workers_: anyone still counted runs (or looks for) handlers.
  if (active_workers_.load(std::memory_order_seq_cst) > 0) return true;
  const std::size_t n = slot_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) {
    const slot* s = slots_[i].load(std::memory_order_acquire);
    if (s != w.home && s->descriptor_count.load(std::memory_order_relaxed) > 0) return true;
  }
  return false;
}

// A handler that blocks (say, on a future another socket operation fulfils) or computes for
// long would otherwise leave the sockets its worker watches unserved: readiness is reaped
// only from the owner's epoll. The timer watcher polls such a worker's epoll instead; edge
// triggering hands each event to one of them. A sleeping owner is not stuck: it reaps its own.
void scheduler::rescue_stuck_slots(worker& w) noexcept {
  const std::size_t n = slot_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) {
    slot* s = slots_[i].load(std::memory_order_acquire);
    if (s == w.home || s->descriptor_count.load(std::memory_order_relaxed) == 0) continue;
    if (idle_mask_[i / 64].load(std::memory_order_relaxed) & (std::uint64_t{1} << (i % 64)))
      continue;
    const std::uint64_t progress = s->progress.load(std::memory_order_relaxed);
    if (s->progress_seen.exchange(progress, std::memory_order_relaxed) != progress) continue;
    readiness_event events[readiness_batch];
    // Not wait(): that would swallow a wake-up meant for the owner, should it have just
    // gone to sleep after all, and leave it asleep with work waiting.
    const std::size_t ready = s->reactor->poll_for_owner(events, readiness_batch);
    if (ready) {
      log().debug("scheduler {}: worker slot {} is stuck in a handler; serving {} of its sockets",
                  static_cast<const void*>(this), i, ready);
      dispatch_readiness(events, ready);
    }
  }
}

bool scheduler::poll_reactor(worker& w) noexcept {
  if (w.home->descriptor_count.load(std::memory_order_relaxed) == 0) return false;
  readiness_event events[readiness_batch];
  const std::size_t n = w.home->reactor->wait(0, events, readiness_batch);
  if (n == 0) return false;
  dispatch_readiness(events, n);
  return !w.home->queue.empty_for_owner();
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
  bool last_waits;
  std::size_t n;
  {
    std::lock_guard lock(timer_mutex_);
    for (auto& q : timer_queues_) q.queue->take_expired(expired_operations_);
    refresh_next_expiry_locked();
    n = expired_operations_.size();
    last_waits = timer_waits_left_locked(n);
    // Pointers only: a burst of cold operations is not touched until each runs.
    if (w) {
      w->home->queue.push_many(expired_operations_);
    } else {
      for (scheduler_operation* op : expired_operations_) global_queue_.push(op);
      expired_operations_.clear();
    }
  }
  // As post() does when work piles up: let a sleeper come and steal some.
  if (n > wake_backlog && sleeping_workers_.load(std::memory_order_relaxed) > 0 &&
      searching_workers_.load(std::memory_order_relaxed) == 0)
    wake_one();
  if (last_waits) work_finished();
}

void scheduler::complete_timer_waits(operation_queue& ready, bool last_waits) noexcept {
  while (scheduler_operation* op = ready.pop()) post(op);
  // After queueing: run() must not see zero work before the completions are visible.
  if (last_waits) work_finished();
}

}  // namespace proa::detail
