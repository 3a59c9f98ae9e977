// basic_signal_set and its alias signal_set: asynchronous waits for POSIX signals. Signals are
// caught by a process-wide dispatcher (runtime/detail/signal_dispatcher.cpp); a completed or
// cancelled wait is queued on the set's scheduler and then delivered through the handler's
// associated executor. A handler's cancellation slot cancels its own wait.
#pragma once

#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/cancellation_type.hpp"
#include "runtime/detail/completion_executor.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/detail/signal_dispatcher.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"

namespace proa {
namespace detail {

// Installed in a wait's cancellation slot: cancels that one wait, whatever the type (a signal
// wait has no partial progress to keep, as in Asio). The operation clears the slot before its
// memory is recycled, so `op_` is alive whenever this runs.
class signal_wait_cancellation {
 public:
  explicit signal_wait_cancellation(signal_operation* op) noexcept : op_(op) {}
  void operator()(cancellation_type_t type) noexcept {
    if (!!(type & (cancellation_type::terminal | cancellation_type::partial |
                   cancellation_type::total)))
      signal_set_state::cancel_wait(op_);
  }

 private:
  signal_operation* op_;
};

// The completion of one async_wait: holds the handler (and, when the handler names its own
// executor, a work-tracking copy of it) in recycled memory.
template <typename Handler, typename IoExecutor>
class signal_wait_operation final : public signal_operation {
  using stored_executor = typename completion_executor<Handler, IoExecutor>::type;
  using slot_type = kept_cancellation_slot_t<Handler>;

 public:
  template <typename H>
  signal_wait_operation(H&& h, const IoExecutor& io_ex)
      : signal_operation(&do_complete),
        handler_(std::forward<H>(h)),
        executor_(completion_executor<Handler, IoExecutor>::make(handler_, io_ex)) {}

  template <typename H>
  static signal_wait_operation* create(H&& h, const IoExecutor& io_ex) {
    return create_recycled<signal_wait_operation>(std::forward<H>(h), io_ex);
  }

  // Starts the wait on `state`; first, if the handler brings a connected cancellation slot,
  // installs the handler that cancels this one wait. Takes ownership of the operation.
  void start(signal_set_state& state) {
    if constexpr (has_own_cancellation_slot<Handler>) {
      slot_type slot = get_associated_cancellation_slot(handler_);
      if (slot.is_connected()) {
        try {
          slot.template emplace<signal_wait_cancellation>(this);
        } catch (...) {
          destroy();
          throw;
        }
        slot_ = slot;
      }
    }
    state.start_wait(this);
  }

 private:
  static void do_complete(scheduler_operation* base, bool invoke) {
    auto* self = static_cast<signal_wait_operation*>(base);
    // No cancellation may reach the operation once its memory is recycled.
    if (self->slot_.is_connected()) self->slot_.clear();
    Handler handler(std::move(self->handler_));
    stored_executor ex(std::move(self->executor_));
    const std::error_code ec = self->ec_;
    const int signal_number = self->signal_number_;
    // First, so a throwing handler cannot leak the work. When invoking, a worker of the set's
    // scheduler is running us, so this cannot end run() before the handler below has run or
    // been queued on its executor.
    self->finish_work();
    self->~signal_wait_operation();
    recycling_deallocate(self, sizeof(signal_wait_operation));
    if (!invoke) return;
    deliver_completion(ex, [handler = std::move(handler), ec, signal_number]() mutable {
      std::move(handler)(ec, signal_number);
    });
  }

  Handler handler_;
  stored_executor executor_;
  [[no_unique_address]] slot_type slot_{};
};

}  // namespace detail

template <typename Executor = any_io_executor>
class basic_signal_set {
 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_signal_set<Executor1>;
  };

  explicit basic_signal_set(const executor_type& ex)
      : executor_(ex), state_(proa::query(executor_, execution::context)) {}

  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  explicit basic_signal_set(ExecutionContext& context)
      : basic_signal_set(executor_type(context.get_executor())) {}

  // The constructors taking signal numbers add them in order and throw on the first failure;
  // signals already added are removed again by the destructor that then runs.
  basic_signal_set(const executor_type& ex, int signal_number_1) : basic_signal_set(ex) {
    add(signal_number_1);
  }
  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  basic_signal_set(ExecutionContext& context, int signal_number_1)
      : basic_signal_set(context) {
    add(signal_number_1);
  }

  basic_signal_set(const executor_type& ex, int signal_number_1, int signal_number_2)
      : basic_signal_set(ex) {
    add(signal_number_1);
    add(signal_number_2);
  }
  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  basic_signal_set(ExecutionContext& context, int signal_number_1, int signal_number_2)
      : basic_signal_set(context) {
    add(signal_number_1);
    add(signal_number_2);
  }

  basic_signal_set(const executor_type& ex, int signal_number_1, int signal_number_2,
                   int signal_number_3)
      : basic_signal_set(ex) {
    add(signal_number_1);
    add(signal_number_2);
    add(signal_number_3);
  }
  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  basic_signal_set(ExecutionContext& context, int signal_number_1, int signal_number_2,
                   int signal_number_3)
      : basic_signal_set(context) {
    add(signal_number_1);
    add(signal_number_2);
    add(signal_number_3);
  }

  basic_signal_set(const basic_signal_set&) = delete;
  basic_signal_set& operator=(const basic_signal_set&) = delete;

  // Removes the set's signals and completes its pending waits with operation_aborted (the
  // state's destructor does both).
  ~basic_signal_set() = default;

  executor_type get_executor() noexcept { return executor_; }

  // Adds a signal; adding one the set already holds does nothing. A number outside
  // [0, NSIG) gives error::invalid_argument; one sigaction refuses gives sigaction's error.
  void add(int signal_number) {
    std::error_code ec;
    add(signal_number, ec);
    detail::throw_error(ec, "add");
  }
  void add(int signal_number, std::error_code& ec) { state_.add(signal_number, ec); }

  // Removes a signal and discards its queued notifications. When no set holds the signal any
  // more, the disposition it had before the first set added it comes back.
  void remove(int signal_number) {
    std::error_code ec;
    remove(signal_number, ec);
    detail::throw_error(ec, "remove");
  }
  void remove(int signal_number, std::error_code& ec) { state_.remove(signal_number, ec); }

  // Removes every signal, as remove() does for each.
  void clear() {
    std::error_code ec;
    clear(ec);
    detail::throw_error(ec, "clear");
  }
  void clear(std::error_code& ec) { state_.clear(ec); }

  // Completes every pending wait with error::operation_aborted (queued, never run inline).
  // Notifications already queued for the set stay queued.
  void cancel() {
    std::error_code ec;
    cancel(ec);
    detail::throw_error(ec, "cancel");
  }
  void cancel(std::error_code& ec) {
    state_.cancel();
    ec.clear();
  }

  // Waits for one of the set's signals: handler(const std::error_code&, int signal_number).
  // The handler never runs inside this call; a pending wait keeps the context's run() going.
  template <completion_token_for<void(std::error_code, int)> SignalToken>
  auto async_wait(SignalToken&& token) {
    return async_initiate<SignalToken, void(std::error_code, int)>(initiate_async_wait(this),
                                                                   token);
  }

 private:
  // The one place a wait starts, whatever the completion token.
  class initiate_async_wait {
   public:
    using executor_type = Executor;

    explicit initiate_async_wait(basic_signal_set* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept { return self_->get_executor(); }

    template <typename SignalHandler>
    void operator()(SignalHandler&& handler) const {
      using op_type = detail::signal_wait_operation<std::decay_t<SignalHandler>, Executor>;
      op_type* op = op_type::create(std::forward<SignalHandler>(handler), self_->executor_);
      op->start(self_->state_);
    }

   private:
    basic_signal_set* self_;
  };

  Executor executor_;
  detail::signal_set_state state_;
};

using signal_set = basic_signal_set<>;

}  // namespace proa
