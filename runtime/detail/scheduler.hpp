// The engine behind io_context, thread_pool and system_context.
//
// Design (see also docs/design.md):
// * Every thread inside run()/run_one()/poll()... is a *worker*. A worker borrows a *slot* from
//   the scheduler for the duration of the call; a slot owns a local_run_queue and a reactor
//   backend (platform/), and slots are kept for reuse so a run_one() loop creates nothing.
// * Posts from a worker of this scheduler go to that worker's local queue: no shared cache
//   line is written. Posts from any other thread go to the lock-free completion_queue, which
//   workers drain a whole batch at a time. Idle workers steal half of a busy worker's ring.
// * An idle worker sleeps in its own reactor. A post from outside wakes at most one sleeper
//   (it claims the sleeper's bit in `idle_mask_` with a CAS before writing its eventfd) and
//   none while a worker is already searching for work or all workers are busy.
// * Timers live in per-clock heaps under one timer mutex. One sleeping worker at a time is the
//   *timer watcher* and sleeps only until the earliest expiry; busy workers look at the clock
//   every `ticks_between_checks` handlers, so timers fire under load too.
// * Work accounting: queued handlers are not counted (an atomic per post would bounce a cache
//   line between cores). run() ends when no worker is running a handler, every queue is empty
//   and `outstanding_work_` (timers, guards, I/O in flight) is zero; the last worker to go idle
//   checks this, and so does whoever drops outstanding work to zero.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "platform/reactor_backend.hpp"
#include "runtime/execution_context.hpp"
#include "runtime/detail/completion_queue.hpp"
#include "runtime/detail/local_run_queue.hpp"
#include "runtime/detail/reactor_operation.hpp"
#include "runtime/detail/scheduler_operation.hpp"
#include "runtime/detail/timer_queue.hpp"

namespace proa::detail {

// A service of its execution context, so that timers and (later) sockets constructed from any
// executor find the engine through use_service<scheduler>(query(ex, execution::context)).
class scheduler final : public execution_context_service_base<scheduler> {
 public:
  // Upper bound on threads inside run() of one scheduler at the same time.
  static constexpr std::size_t max_workers = 512;

  explicit scheduler(execution_context& owner);
  ~scheduler() override;
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  // Queues `op` to run on some worker. Never runs it inline. Any thread. The common case, a
  // handler posting a follow-up, is inline: it only touches the worker's own queue.
  void post(scheduler_operation* op) noexcept {
    worker* w = current_worker_;
    if (w && w->owner == this) [[likely]] {
      const std::uint32_t depth = w->home->queue.push(op);
      if (sleeping_workers_.load(std::memory_order_relaxed) > 0) [[unlikely]]
        posted_locally_with_sleepers(depth);
      return;
    }
    post_from_outside(op);
  }

  // True if the calling thread is inside run()/poll() of this scheduler (innermost context).
  bool running_in_this_thread() const noexcept;

  // Work that is not a queued handler but must keep run() going (guards, timers, I/O).
  void work_started() noexcept { add_work(1); }
  void work_finished() noexcept;

  using clock = std::chrono::steady_clock;

  std::size_t run();
  std::size_t run_one();
  std::size_t run_one_until(clock::time_point deadline);
  std::size_t run_until(clock::time_point deadline);
  std::size_t poll();
  std::size_t poll_one();

  void stop() noexcept;
  bool stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }
  void restart() noexcept { stopped_.store(false, std::memory_order_release); }

  // Destroys (without invoking) every queued operation and pending timer wait. Called by the
  // owning context's destructor once no thread can be inside run() any more.
  void shutdown_operations() noexcept;

  // ---- timers ----
  // A new timer object's queue (one per clock type, made on first use) and its data there;
  // give the data back with destroy_timer.
  template <typename Clock>
  std::pair<timer_queue<Clock>*, per_timer_data*> create_timer() {
    std::lock_guard lock(timer_mutex_);
    timer_queue<Clock>& queue = timers_for_locked<Clock>();
    return {&queue, &queue.create_timer()};
  }

  // Cancels the timer's waits and recycles its data.
  template <typename Clock>
  void destroy_timer(timer_queue<Clock>& queue, per_timer_data& timer) noexcept {
    operation_queue cancelled;
    bool last_waits;
    {
      std::lock_guard lock(timer_mutex_);
      bool front_changed = false;
      last_waits = timer_waits_left_locked(queue.cancel(timer, cancelled, front_changed));
      queue.destroy_timer(timer);
      if (front_changed) refresh_next_expiry_locked();
    }
    complete_timer_waits(cancelled, last_waits);
  }

  // `cancellable`: the wait may later be cancelled alone through cancel_timer_operation. If it
  // throws (out of memory), the wait was not queued.
  template <typename Clock>
  void schedule_timer(timer_queue<Clock>& queue, per_timer_data& timer,
                      typename Clock::time_point expiry, timer_operation* op, bool cancellable) {
    bool earliest;
    {
      std::lock_guard lock(timer_mutex_);
      earliest = queue.enqueue(timer, expiry, op, cancellable);
      // One unit of outstanding work stands for all pending waits; taken under the lock, so it
      // is held before anyone else can see the wait.
      if (pending_timer_waits_++ == 0) work_started();
      if (earliest) refresh_next_expiry_locked();
    }
    if (earliest) timer_became_earlier();
  }

  // Completes the timer's waits (all, or only the oldest) with operation_aborted. The next
  // expiry is left alone unless the heap changed shape: an early one only costs a look.
  template <typename Clock>
  std::size_t cancel_timer(timer_queue<Clock>& queue, per_timer_data& timer,
                           bool oldest_only = false) {
    // No lock when nothing is pending (say, the waits expired): see per_timer_data::in_heap.
    if (!timer.pending()) return 0;
    operation_queue cancelled;
    std::size_t n;
    bool last_waits;
    {
      std::lock_guard lock(timer_mutex_);
      bool front_changed = false;
      n = oldest_only ? queue.cancel_one(timer, cancelled, front_changed)
                      : queue.cancel(timer, cancelled, front_changed);
      last_waits = timer_waits_left_locked(n);
      if (front_changed) refresh_next_expiry_locked();
    }
    complete_timer_waits(cancelled, last_waits);
    return n;
  }

  // Per-operation cancellation (cancellation slots): completes the one wait `op` with
  // operation_aborted if it is still pending in `queue`. False if it already expired or was
  // cancelled. `op` must not have completed yet (its slot handler is cleared before that).
  template <typename Clock>
  bool cancel_timer_operation(timer_queue<Clock>& queue, timer_operation* op) {
    operation_queue cancelled;
    bool found;
    bool last_waits;
    {
      std::lock_guard lock(timer_mutex_);
      bool front_changed = false;
      found = queue.cancel_operation(op, cancelled, front_changed);
      last_waits = timer_waits_left_locked(found ? 1 : 0);
      if (front_changed) refresh_next_expiry_locked();
    }
    complete_timer_waits(cancelled, last_waits);
    return found;
  }

  // ---- descriptors (sockets) ----
  // A descriptor is watched by one worker slot's reactor: the calling worker's own slot, or a
  // slot some worker holds. When that worker leaves run(), its descriptors move to a slot that
  // is still held (or, if none is, to the next worker that arrives). Registration and
  // deregistration take the slot mutex and make an epoll_ctl call: once per socket, not per
  // operation.

  // Starts watching `fd` (which must be non-blocking). Null with ec set if the reactor refuses.
  descriptor_state* register_descriptor(int fd, std::error_code& ec);

  // Completes every queued operation with operation_aborted, waits for a runner that is in the
  // middle of a syscall on the descriptor (so the caller may close it afterwards), stops
  // watching it and recycles the state. `state` must not be used again.
  void deregister_descriptor(descriptor_state* state) noexcept;

  // Tries `op` at once if nothing is queued before it and the descriptor is not known to be
  // unready, else queues it until a readiness edge. Its completion is posted, never run inline.
  void start_reactor_operation(descriptor_state& state, reactor_direction direction,
                               reactor_operation* op) noexcept;

  // Completes the queued operations of both directions with operation_aborted; returns how
  // many. An operation in the middle of its syscall finishes with its own result.
  std::size_t cancel_reactor_operations(descriptor_state& state) noexcept;

  // Per-operation cancellation (cancellation slots): completes `op` with operation_aborted if
  // it is still queued on `state`, or marks it to be aborted if its syscall would block. False
  // if it already completed or is completing.
  bool cancel_reactor_operation(descriptor_state& state, reactor_operation* op) noexcept;

  // Statistics for tests: how many times workers went to sleep in their reactor.
  std::uint64_t sleep_count() const noexcept { return sleeps_.load(std::memory_order_relaxed); }

  // Reusable resources a worker borrows for the duration of a run() call.
  struct slot {
    explicit slot(std::size_t i) : index(i), reactor(make_reactor_backend()) {}
    std::size_t index;
    local_run_queue queue;
    std::unique_ptr<reactor_backend> reactor;
    // Under slot_mutex_: whether a worker holds the slot, and the descriptors it watches.
    bool held = false;
    descriptor_state* descriptors = nullptr;
    // Read by the holder to skip polling its reactor when it watches nothing.
    std::atomic<std::size_t> descriptor_count{0};
    // Bumped by the holder each time it looks for work; a value that stops moving means the
    // holder is stuck in one handler, and the timer watcher serves its sockets meanwhile.
    alignas(64) std::atomic<std::uint64_t> progress{0};
    std::atomic<std::uint64_t> progress_seen{0};  // by the watcher, at its previous round
  };

  // Per-thread frame of a run() call (on that call's stack).
  struct worker {
    scheduler* owner;
    slot* home;
    worker* outer;  // the frame of an enclosing run() on this thread, if any
    bool searching = false;
    unsigned steal_start = 0;
  };

 private:
  // The innermost run() frame of the calling thread.
  static inline thread_local worker* current_worker_ = nullptr;

  void post_from_outside(scheduler_operation* op) noexcept;
  void posted_locally_with_sleepers(std::uint32_t depth) noexcept;

  // Handlers queued on a worker's own queue before a helper is woken to share them. A wake
  // costs a syscall on each side and, on a virtual machine, tens of microseconds before the
  // helper runs; below this backlog the owner is done sooner on its own (measured: echo with
  // 64 connections on 2 threads, 8 against 1: +10% messages/s, p99 -30%).
  static constexpr std::uint32_t wake_backlog = 8;

  // Counts `n` more pieces of outstanding work. Going from none to some bumps work_epoch_, so
  // that maybe_finish() can tell its snapshot of the counters was overtaken.
  void add_work(std::size_t n) noexcept {
    if (outstanding_work_.fetch_add(n, std::memory_order_relaxed) == 0)
      work_epoch_.fetch_add(1, std::memory_order_seq_cst);
  }

  void shutdown() override { shutdown_operations(); }


  static constexpr std::size_t mask_words = max_workers / 64;
  static constexpr unsigned ticks_between_checks = 61;

  struct run_limits {
    std::size_t max_handlers;      // stop after this many
    bool may_block;                // false for poll()
    bool has_deadline;
    clock::time_point deadline;
  };
  std::size_t run_loop(const run_limits& limits);

  slot& acquire_slot();
  void release_slot(slot& s) noexcept;
  slot& create_slot_locked();
  slot& slot_for_new_descriptor_locked();
  void share_run_queues_locked() noexcept;
  void move_descriptors_locked(slot& from, slot& to) noexcept;

  // Descriptors.
  static constexpr std::size_t readiness_batch = 64;
  void run_direction(descriptor_state& state, descriptor_state::direction_state& queue,
                     reactor_completions& out) noexcept;
  void count_waiting_operations(descriptor_state::direction_state& queue) noexcept;
  void deliver(reactor_completions& out) noexcept;
  void dispatch_readiness(const readiness_event* events, std::size_t count) noexcept;
  bool poll_reactor(worker& w) noexcept;
  bool others_could_get_stuck(const worker& w) const noexcept;
  void rescue_stuck_slots(worker& w) noexcept;
  // How often the timer watcher comes back while other workers are busy: to serve the sockets
  // of one stuck in a handler, and to steal the handlers queued behind it.
  static constexpr std::int64_t stuck_check_interval_ns = 10'000'000;

  scheduler_operation* find_work(worker& w, unsigned& tick) noexcept;
  bool pull_global(worker& w) noexcept;
  scheduler_operation* steal(worker& w) noexcept;
  bool anything_queued() const noexcept;

  // Sleeping and waking.
  void sleep(worker& w, const run_limits& limits);
  bool wake_one() noexcept;
  void wake_all() noexcept;
  void maybe_finish() noexcept;

  // Timers.
  template <typename Clock>
  timer_queue<Clock>& timers_for_locked() {
    static const int key = 0;  // identifies the clock type
    for (auto& q : timer_queues_)
      if (q.key == &key) return static_cast<timer_queue<Clock>&>(*q.queue);
    timer_queues_.push_back({&key, std::make_unique<timer_queue<Clock>>()});
    return static_cast<timer_queue<Clock>&>(*timer_queues_.back().queue);
  }
  void refresh_next_expiry_locked() noexcept;
  void timer_became_earlier() noexcept;
  void process_expired_timers(worker* w) noexcept;
  // `n` waits left the queues; true if they were the last pending ones (the caller then drops
  // the timers' unit of outstanding work, after queueing their completions).
  bool timer_waits_left_locked(std::size_t n) noexcept {
    pending_timer_waits_ -= n;
    return n != 0 && pending_timer_waits_ == 0;
  }
  void complete_timer_waits(operation_queue& ready, bool last_waits) noexcept;
  static std::int64_t steady_now_ns() noexcept;

  completion_queue global_queue_;

  alignas(64) std::atomic<bool> stopped_{false};
  std::atomic<bool> shut_down_{false};
  // Workers inside run() that are not asleep: running handlers or searching for work.
  alignas(64) std::atomic<int> active_workers_{0};
  std::atomic<int> searching_workers_{0};
  std::atomic<int> sleeping_workers_{0};
  std::atomic<std::size_t> outstanding_work_{0};
  std::atomic<std::uint64_t> work_epoch_{0};  // times outstanding_work_ rose from zero
  std::atomic<std::uint64_t> sleeps_{0};
  // Bit i set: slot i's worker is asleep (or about to be) and may be claimed for a wake.
  alignas(64) std::atomic<std::uint64_t> idle_mask_[mask_words] = {};

  // Slots are created on demand and never freed before the scheduler, so thieves and wakers
  // can index them without synchronising with run() entry and exit.
  std::atomic<slot*> slots_[max_workers] = {};
  std::atomic<std::size_t> slot_count_{0};
  std::mutex slot_mutex_;  // only on run() entry/exit
  std::vector<std::size_t> free_slots_;
  std::size_t next_descriptor_slot_ = 0;  // round robin for registrations from outside run()
  // Under slot_mutex_: whether run queues may be stolen from. False while at most one worker
  // has ever been inside run() at a time, so the lone owner pops without a CAS; set for good
  // when a second worker arrives (share_run_queues_locked).
  bool run_queues_shared_ = false;
  // Descriptor states: all ever created (owned here), and the free ones, under slot_mutex_.
  std::vector<std::unique_ptr<descriptor_state>> descriptor_states_;
  descriptor_state* free_descriptor_states_ = nullptr;

  // Timers.
  std::mutex timer_mutex_;
  struct keyed_queue {
    const int* key;
    std::unique_ptr<timer_queue_base> queue;
  };
  std::vector<keyed_queue> timer_queues_;
  // steady_clock nanoseconds of the earliest expiry over all clocks, or INT64_MAX.
  alignas(64) std::atomic<std::int64_t> next_expiry_ns_{INT64_MAX};
  std::atomic<int> timer_watcher_{-1};  // slot index of the sleeper waiting for it, or -1
  // Expired waits on their way to a run queue; under timer_mutex_ (kept for its capacity).
  std::vector<scheduler_operation*> expired_operations_;
  // Waits in the timer queues, under timer_mutex_. While nonzero they hold one unit of
  // outstanding_work_ (an atomic per wait would cost more than the rest of arming one).
  std::size_t pending_timer_waits_ = 0;
  // True while a sleeping watcher will look again within stuck_check_interval_ns (or a wake
  // that will make one is on its way): small local backlogs then need no wake of their own.
  std::atomic<bool> backlog_watched_{false};
};

}  // namespace proa::detail
