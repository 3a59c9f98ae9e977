// The machinery behind signal_set: what one set registers with the process-wide signal
// dispatcher (runtime/detail/signal_dispatcher.cpp), and the per-context service that abandons
// a context's pending signal waits when the context shuts down.
#pragma once

#include <signal.h>

#include <cstddef>
#include <system_error>

#include "runtime/detail/scheduler.hpp"
#include "runtime/detail/scheduler_operation.hpp"
#include "runtime/execution_context.hpp"

namespace proa::detail {

// Signal numbers a signal_set accepts are [0, max_signal_number), as in Asio; numbers in range
// that sigaction refuses (0, SIGKILL, SIGSTOP) fail when added with sigaction's error.
inline constexpr int max_signal_number = NSIG;
// The self-pipe carries one byte per signal; 0 is reserved to wake the reader.
static_assert(max_signal_number <= 256);

class signal_set_state;

// A pending async_wait. The result is written before the operation is queued for completion.
//
// The wait holds one unit of its scheduler's outstanding work from async_wait until the
// operation itself runs or is destroyed, not merely until it is queued: giving the work back
// from the thread that queues it (the dispatcher) could let that thread's late check find the
// context idle and stop it after the handler already ran and the user restarted the context.
// Given back while a worker runs the operation, the work cannot end run() early.
class signal_operation : public scheduler_operation {
 public:
  using scheduler_operation::scheduler_operation;
  std::error_code ec_;
  int signal_number_ = 0;       // 0 when cancelled, like Asio
  scheduler* work_ = nullptr;   // whose work this wait holds; null if it never took any
  // The set whose pending waits hold this one; null once it left them (completed, cancelled,
  // abandoned). Under the dispatcher's registry mutex. Lets a cancellation slot find the wait
  // it cancels without trusting a set that may be gone by then.
  signal_set_state* pending_in_ = nullptr;

 protected:
  // Called once from the completion function, whether it invokes or destroys.
  void finish_work() noexcept {
    if (work_) work_->work_finished();
  }
};

class signal_set_service;

// One signal_set's entry in the dispatcher: its registered signals, the notifications that
// arrived while no wait was pending, and its pending waits. Every member but the references
// is guarded by the dispatcher's registry mutex. Neither copyable nor movable: the dispatcher
// links it by address (signal_set is not movable either, as in Asio 1.22).
class signal_set_state {
 public:
  explicit signal_set_state(execution_context& context);
  // Removes every signal (restoring dispositions nobody else holds) and completes pending waits
  // with operation_aborted.
  ~signal_set_state();
  signal_set_state(const signal_set_state&) = delete;
  signal_set_state& operator=(const signal_set_state&) = delete;

  void add(int signal_number, std::error_code& ec);
  void remove(int signal_number, std::error_code& ec);
  void clear(std::error_code& ec);
  void cancel();

  // Takes ownership of `op`: queues its completion at once if a notification is waiting (the
  // lowest signal number first), else keeps it pending as outstanding work of the scheduler.
  void start_wait(signal_operation* op);

  // Per-operation cancellation (a handler's cancellation slot): completes `op` with
  // operation_aborted if it is still pending in some set; does nothing once it left.
  static void cancel_wait(signal_operation* op) noexcept;

 private:
  friend class signal_dispatcher;

  signal_set_service& service_;
  scheduler& scheduler_;
  operation_queue waits_;
  std::size_t undelivered_[max_signal_number] = {};
  bool registered_[max_signal_number] = {};
  bool abandoned_ = false;  // the context shut down: waits are destroyed, never completed
  signal_set_state* previous_ = nullptr;
  signal_set_state* next_ = nullptr;
};

// Per-context service: its shutdown destroys (without invoking) the pending waits of every
// signal_set of the context, which may own the very set (a handler holding a shared_ptr).
class signal_set_service final : public execution_context_service_base<signal_set_service> {
 public:
  explicit signal_set_service(execution_context& owner);

  scheduler& engine() noexcept { return scheduler_; }

 private:
  void shutdown() override;

  scheduler& scheduler_;
};

}  // namespace proa::detail
