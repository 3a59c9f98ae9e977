// The process-wide signal dispatcher: installs proa's signal handler, reads the self-pipe it
// writes to on a background thread, and hands each signal to every signal_set registered for it.
//
// Why a thread of its own rather than the contexts' reactors: a signal is a process-wide event
// that must reach every set of every context, running or not, and counting it for a set with no
// wait pending needs nobody's run(). One reader blocked in poll() on the pipe does that without
// touching the schedulers' sleep/wake paths (which are being reworked), and delivery is a cold
// path, so a mutex around the registry is fine. The reader exists only while some set holds a
// signal: it starts with the first registration and is joined when the last one goes away, so a
// program that has destroyed its signal_sets has no thread left behind.
//
// The pipe itself is opened once and never closed: a handler already running on another thread
// may still write to it after the last set is gone, and a closed descriptor number could by then
// belong to someone else's file. Bytes such a late handler leaves behind are drained before the
// reader starts again, while no proa handler is installed.
#include "runtime/detail/signal_dispatcher.hpp"

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>

#include "platform/error.hpp"
#include "platform/signal_ops.hpp"
#include "runtime/execution.hpp"
#include "runtime/logging.hpp"

namespace proa::detail {
namespace {

// The pipe's write end as the signal handler sees it: a lock-free atomic is async-signal-safe,
// and it is set before any handler that reads it is installed.
constinit std::atomic<int> signal_pipe_write_end{-1};
static_assert(std::atomic<int>::is_always_lock_free);

// proa's signal handler. Only async-signal-safe work: one non-blocking write(2).
void forward_signal_to_pipe(int signal_number) {
  const int fd = signal_pipe_write_end.load(std::memory_order_acquire);
  if (fd >= 0) signal_ops::write_byte(fd, static_cast<unsigned char>(signal_number));
}

constexpr unsigned char wake_reader_byte = 0;

}  // namespace

class signal_dispatcher {
 public:
  // Never destroyed: a signal_set with static storage may be destroyed after any other static,
  // and a handler may still run during exit. Reachable through this pointer, so leak checkers
  // do not report it.
  static signal_dispatcher& instance() {
    static signal_dispatcher* const dispatcher = new signal_dispatcher;
    return *dispatcher;
  }

  void attach(signal_set_state& state) {
    std::lock_guard lock(registry_mutex_);
    state.next_ = states_;
    if (states_) states_->previous_ = &state;
    states_ = &state;
  }

  void detach(signal_set_state& state) noexcept {
    std::error_code ignored;
    clear(state, ignored);
    cancel(state);
    std::lock_guard lock(registry_mutex_);
    if (state.previous_)
      state.previous_->next_ = state.next_;
    else
      states_ = state.next_;
    if (state.next_) state.next_->previous_ = state.previous_;
    state.previous_ = state.next_ = nullptr;
  }

  void add(signal_set_state& state, int signal_number, std::error_code& ec) {
    if (!valid(signal_number)) {
      ec = error::invalid_argument;
      return;
    }
    std::lock_guard lifecycle(lifecycle_mutex_);
    // registered_ changes only under both mutexes, so either one is enough to read it.
    if (state.registered_[signal_number]) {
      ec.clear();
      return;
    }
    if (pipe_read_end_ < 0) {
      int fds[2];
      signal_ops::open_pipe(fds, ec);
      if (ec) return;
      pipe_read_end_ = fds[0];
      pipe_write_end_ = fds[1];
      signal_pipe_write_end.store(fds[1], std::memory_order_release);
    }
    const bool first_registration = total_registrations_ == 0;
    if (first_registration) discard_stale_notifications();
    const bool install = registrations_[signal_number] == 0;
    if (install) {
      signal_ops::install_handler(signal_number, &forward_signal_to_pipe,
                                  previous_actions_[signal_number], ec);
      if (ec) return;
    }
    if (first_registration) {
      // A signal raised from here on waits in the pipe until the reader runs.
      start_reader(ec);
      if (ec) {
        std::error_code ignored;
        if (install)
          signal_ops::restore_handler(signal_number, previous_actions_[signal_number], ignored);
        return;
      }
    }
    {
      std::lock_guard lock(registry_mutex_);
      state.registered_[signal_number] = true;
      state.undelivered_[signal_number] = 0;
    }
    ++registrations_[signal_number];
    ++total_registrations_;
    ec.clear();
  }

  void remove(signal_set_state& state, int signal_number, std::error_code& ec) {
    if (!valid(signal_number)) {
      ec = error::invalid_argument;
      return;
    }
    std::lock_guard lifecycle(lifecycle_mutex_);
    unregister(state, signal_number, ec);
    stop_reader_if_unused();
  }

  void clear(signal_set_state& state, std::error_code& ec) {
    std::lock_guard lifecycle(lifecycle_mutex_);
    ec.clear();
    for (int signal_number = 0; signal_number < max_signal_number && !ec; ++signal_number)
      unregister(state, signal_number, ec);
    stop_reader_if_unused();
  }

  void cancel(signal_set_state& state) noexcept {
    std::lock_guard lock(registry_mutex_);
    while (scheduler_operation* base = state.waits_.pop()) {
      auto* op = static_cast<signal_operation*>(base);
      op->pending_in_ = nullptr;
      op->ec_ = error::operation_aborted;
      op->signal_number_ = 0;
      state.scheduler_.post(op);
    }
  }

  void cancel_wait(signal_operation* op) noexcept {
    std::lock_guard lock(registry_mutex_);
    signal_set_state* state = op->pending_in_;
    if (!state) return;
    state->waits_.remove(op);
    op->pending_in_ = nullptr;
    op->ec_ = error::operation_aborted;
    op->signal_number_ = 0;
    state->scheduler_.post(op);
  }

  void start_wait(signal_set_state& state, signal_operation* op) noexcept {
    {
      std::lock_guard lock(registry_mutex_);
      if (!state.abandoned_) {
        state.scheduler_.work_started();
        op->work_ = &state.scheduler_;
        // Queued notifications are handed out lowest signal number first, as Asio does.
        for (int signal_number = 0; signal_number < max_signal_number; ++signal_number) {
          if (state.undelivered_[signal_number] > 0) {
            --state.undelivered_[signal_number];
            op->ec_.clear();
            op->signal_number_ = signal_number;
            state.scheduler_.post(op);
            return;
          }
        }
        op->pending_in_ = &state;
        state.waits_.push(op);
        return;
      }
    }
    // The context has shut down: nothing will ever run the handler. Destroyed outside the lock
    // because the handler may own a signal_set.
    op->destroy();
  }

  // Context shutdown: every pending wait of the context's sets is destroyed, not invoked.
  void abandon(signal_set_service& service) noexcept {
    operation_queue doomed;
    {
      std::lock_guard lock(registry_mutex_);
      for (signal_set_state* state = states_; state; state = state->next_) {
        if (&state->service_ != &service) continue;
        state->abandoned_ = true;
        for (scheduler_operation* op = state->waits_.front(); op; op = op->next_)
          static_cast<signal_operation*>(op)->pending_in_ = nullptr;
        doomed.splice(state->waits_);
      }
    }
    // Outside the lock: destroying a handler may destroy a signal_set.
    doomed.destroy_all();
  }

 private:
  signal_dispatcher() = default;

  static bool valid(int signal_number) noexcept {
    return signal_number >= 0 && signal_number < max_signal_number;
  }

  // Requires lifecycle_mutex_.
  void unregister(signal_set_state& state, int signal_number, std::error_code& ec) {
    if (!state.registered_[signal_number]) {
      ec.clear();
      return;
    }
    if (registrations_[signal_number] == 1) {
      signal_ops::restore_handler(signal_number, previous_actions_[signal_number], ec);
      if (ec) return;
    }
    {
      std::lock_guard lock(registry_mutex_);
      state.registered_[signal_number] = false;
      // Asio discards a removed signal's queued notifications.
      state.undelivered_[signal_number] = 0;
    }
    --registrations_[signal_number];
    --total_registrations_;
    ec.clear();
  }

  // Requires lifecycle_mutex_, no proa handler installed and no reader running.
  void discard_stale_notifications() noexcept {
    unsigned char buffer[256];
    while (signal_ops::read_available(pipe_read_end_, buffer, sizeof(buffer)) > 0) {
    }
  }

  // Requires lifecycle_mutex_.
  void start_reader(std::error_code& ec) {
    stop_requested_.store(false, std::memory_order_relaxed);
    // The reader inherits a full mask, so signals are always handled by application threads.
    signal_ops::all_signals_blocked blocked;
    try {
      reader_ = std::thread([this] { read_signals(); });
    } catch (const std::system_error& e) {
      log().error("signal dispatcher: cannot start its reader thread: {}", e.what());
      ec = e.code();
      return;
    }
    log().debug("signal dispatcher: reader thread started");
    ec.clear();
  }

  // Requires lifecycle_mutex_ (but not registry_mutex_, which the reader takes).
  void stop_reader_if_unused() {
    if (total_registrations_ != 0 || !reader_.joinable()) return;
    stop_requested_.store(true, std::memory_order_release);
    // If the pipe is full the byte is dropped, but then the reader is busy draining and sees
    // the flag once the pipe is empty.
    signal_ops::write_byte(pipe_write_end_, wake_reader_byte);
    reader_.join();
    log().debug("signal dispatcher: reader thread stopped");
  }

  void read_signals() {
    unsigned char buffer[256];
    for (;;) {
      if (!signal_ops::wait_readable(pipe_read_end_)) {
        log().error("signal dispatcher: poll on the signal pipe failed; signals are lost");
        return;
      }
      while (std::size_t n = signal_ops::read_available(pipe_read_end_, buffer, sizeof(buffer))) {
        std::lock_guard lock(registry_mutex_);
        for (std::size_t i = 0; i < n; ++i)
          if (buffer[i] != wake_reader_byte && valid(buffer[i])) deliver(buffer[i]);
      }
      if (stop_requested_.load(std::memory_order_acquire)) return;
    }
  }

  // Requires registry_mutex_. Each set holding the signal gets it: all of its pending waits
  // complete with it, or, with none pending, it is counted for the next async_wait. Posting
  // under the lock keeps the scheduler alive: a context's service abandons its sets under the
  // same lock before the scheduler can shut down.
  void deliver(int signal_number) noexcept {
    for (signal_set_state* state = states_; state; state = state->next_) {
      if (state->abandoned_ || !state->registered_[signal_number]) continue;
      if (state->waits_.empty()) {
        ++state->undelivered_[signal_number];
        continue;
      }
      while (scheduler_operation* base = state->waits_.pop()) {
        auto* op = static_cast<signal_operation*>(base);
        op->pending_in_ = nullptr;
        op->ec_.clear();
        op->signal_number_ = signal_number;
        state->scheduler_.post(op);
      }
    }
  }

  // Serialises add/remove/clear: handler installation and the reader's start and stop.
  // Taken before registry_mutex_, never by the reader.
  std::mutex lifecycle_mutex_;
  std::size_t registrations_[max_signal_number] = {};  // sets holding each signal
  std::size_t total_registrations_ = 0;
  struct sigaction previous_actions_[max_signal_number] = {};
  int pipe_read_end_ = -1;
  int pipe_write_end_ = -1;
  std::thread reader_;
  std::atomic<bool> stop_requested_{false};

  // Guards the list of sets and everything inside them.
  std::mutex registry_mutex_;
  signal_set_state* states_ = nullptr;
};

// ---- signal_set_state ----

signal_set_state::signal_set_state(execution_context& context)
    : service_(use_service<signal_set_service>(context)), scheduler_(service_.engine()) {
  signal_dispatcher::instance().attach(*this);
}

signal_set_state::~signal_set_state() { signal_dispatcher::instance().detach(*this); }

void signal_set_state::add(int signal_number, std::error_code& ec) {
  signal_dispatcher::instance().add(*this, signal_number, ec);
}

void signal_set_state::remove(int signal_number, std::error_code& ec) {
  signal_dispatcher::instance().remove(*this, signal_number, ec);
}

void signal_set_state::clear(std::error_code& ec) { signal_dispatcher::instance().clear(*this, ec); }

void signal_set_state::cancel() { signal_dispatcher::instance().cancel(*this); }

void signal_set_state::start_wait(signal_operation* op) {
  signal_dispatcher::instance().start_wait(*this, op);
}

void signal_set_state::cancel_wait(signal_operation* op) noexcept {
  signal_dispatcher::instance().cancel_wait(op);
}

// ---- signal_set_service ----

signal_set_service::signal_set_service(execution_context& owner)
    : execution_context_service_base<signal_set_service>(owner),
      scheduler_(use_service<scheduler>(owner)) {}

void signal_set_service::shutdown() { signal_dispatcher::instance().abandon(*this); }

}  // namespace proa::detail
