// basic_waitable_timer and its aliases (steady_timer, system_timer, high_resolution_timer).
// Waits live in the scheduler's per-clock timer heap; a completed or cancelled wait is queued
// like any other operation and then delivered through the handler's associated executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <new>
#include <thread>
#include <tuple>
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
#include "runtime/detail/scheduler.hpp"
#include "runtime/detail/timer_queue.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

// How long to wait for a clock's duration/time point (Asio's wait_traits customisation point).
template <typename Clock>
struct wait_traits {
  static typename Clock::duration to_wait_duration(const typename Clock::duration& d) { return d; }
  static typename Clock::duration to_wait_duration(const typename Clock::time_point& t) {
    return t - Clock::now();
  }
};

namespace detail {

// Installed in a wait's cancellation slot: cancels that one wait. The operation clears the slot
// before its memory is freed, so `op` is alive whenever this runs.
template <typename Clock>
class timer_wait_cancellation {
 public:
  timer_wait_cancellation(scheduler* owner, timer_queue<Clock>* queue, timer_operation* op) noexcept
      : owner_(owner), queue_(queue), op_(op) {}

  void operator()(cancellation_type_t type) {
    if (!!(type & (cancellation_type::terminal | cancellation_type::partial |
                   cancellation_type::total)))
      owner_->cancel_timer_operation(*queue_, op_);
  }

 private:
  scheduler* owner_;
  timer_queue<Clock>* queue_;
  timer_operation* op_;
};

// The completion of one async_wait: holds the handler (and, when the handler names its own
// executor, a work-tracking copy of it) in recycled memory.
template <typename Handler, typename IoExecutor>
class timer_wait_operation final : public timer_operation {
  // Only handlers that may bring a slot (known at compile time) keep one.
  static constexpr bool cancellable = has_own_cancellation_slot<Handler>;
  using slot_type = kept_cancellation_slot_t<Handler>;

 public:
  template <typename H>
  timer_wait_operation(H&& h, const IoExecutor& io_ex)
      : timer_operation(&do_complete),
        handler_(std::forward<H>(h)),
        executor_(completion_executor<Handler, IoExecutor>::make(handler_, io_ex)) {}

  template <typename H>
  static timer_wait_operation* create(H&& h, const IoExecutor& io_ex) {
    return create_recycled<timer_wait_operation>(std::forward<H>(h), io_ex);
  }

  // Queues the wait; first, if the handler brings a connected cancellation slot, installs the
  // handler that cancels this one wait. Takes ownership of the operation, also on failure.
  template <typename Clock>
  void start(scheduler& owner, timer_queue<Clock>& queue, per_timer_data& timer,
             typename Clock::time_point expiry) {
    try {
      bool with_slot = false;
      if constexpr (cancellable) {
        slot_type slot = get_associated_cancellation_slot(handler_);
        if (slot.is_connected()) {
          slot.template emplace<timer_wait_cancellation<Clock>>(&owner, &queue, this);
          slot_ = slot;
          with_slot = true;
        }
      }
      owner.schedule_timer(queue, timer, expiry, this, with_slot);
    } catch (...) {
      destroy();  // also clears the slot's handler, if installed
      throw;
    }
  }

 private:
  using stored_executor = typename completion_executor<Handler, IoExecutor>::type;

  static void do_complete(scheduler_operation* base, bool invoke) {
    auto* self = static_cast<timer_wait_operation*>(base);
    // No cancellation may reach the operation once its memory is recycled.
    if (self->slot_.is_connected()) self->slot_.clear();
    Handler handler(std::move(self->handler_));
    stored_executor ex(std::move(self->executor_));
    std::error_code ec = self->ec_;
    self->~timer_wait_operation();
    recycling_deallocate(self, sizeof(timer_wait_operation));
    if (!invoke) return;
    deliver_completion(ex, [handler = std::move(handler), ec]() mutable {
      std::move(handler)(ec);
    });
  }

  Handler handler_;
  stored_executor executor_;
  [[no_unique_address]] slot_type slot_{};
};

}  // namespace detail

template <typename Clock, typename WaitTraits = wait_traits<Clock>,
          typename Executor = any_io_executor>
class basic_waitable_timer {
 public:
  using executor_type = Executor;
  using clock_type = Clock;
  using duration = typename Clock::duration;
  using time_point = typename Clock::time_point;
  using traits_type = WaitTraits;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_waitable_timer<Clock, WaitTraits, Executor1>;
  };

  explicit basic_waitable_timer(const executor_type& ex) : executor_(ex) { attach(); }

  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  explicit basic_waitable_timer(ExecutionContext& context)
      : basic_waitable_timer(executor_type(context.get_executor())) {}

  basic_waitable_timer(const executor_type& ex, const time_point& expiry)
      : basic_waitable_timer(ex) {
    expiry_ = expiry;
  }
  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  basic_waitable_timer(ExecutionContext& context, const time_point& expiry)
      : basic_waitable_timer(context) {
    expiry_ = expiry;
  }
  basic_waitable_timer(const executor_type& ex, const duration& expiry_time)
      : basic_waitable_timer(ex) {
    expires_after(expiry_time);
  }
  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  basic_waitable_timer(ExecutionContext& context, const duration& expiry_time)
      : basic_waitable_timer(context) {
    expires_after(expiry_time);
  }

  // Moving keeps pending waits with the moved-to timer (they live in the timer's queue data).
  basic_waitable_timer(basic_waitable_timer&& other) noexcept
      : executor_(other.executor_),
        scheduler_(other.scheduler_),
        queue_(other.queue_),
        data_(std::exchange(other.data_, nullptr)),
        expiry_(other.expiry_),
        might_have_waits_(std::exchange(other.might_have_waits_, false)) {}

  basic_waitable_timer& operator=(basic_waitable_timer&& other) {
    if (this != &other) {
      detach();
      executor_ = other.executor_;
      scheduler_ = other.scheduler_;
      queue_ = other.queue_;
      data_ = std::exchange(other.data_, nullptr);
      expiry_ = other.expiry_;
      might_have_waits_ = std::exchange(other.might_have_waits_, false);
    }
    return *this;
  }

  basic_waitable_timer(const basic_waitable_timer&) = delete;
  basic_waitable_timer& operator=(const basic_waitable_timer&) = delete;

  // Cancels pending waits.
  ~basic_waitable_timer() { detach(); }

  executor_type get_executor() noexcept { return executor_; }

  // Completes every pending wait with error::operation_aborted; returns how many.
  std::size_t cancel() {
    if (!might_have_waits_) return 0;  // e.g. expires_after() before each wait: no lock
    might_have_waits_ = false;
    return scheduler_->cancel_timer(*queue_, *data_);
  }

  // Asio's cancel_one: cancels the oldest pending wait only.
  std::size_t cancel_one() {
    if (!might_have_waits_) return 0;
    const std::size_t n = scheduler_->cancel_timer(*queue_, *data_, /*oldest_only=*/true);
    if (n == 0) might_have_waits_ = false;
    return n;
  }

  time_point expiry() const { return expiry_; }

  std::size_t expires_at(const time_point& expiry_time) {
    std::size_t cancelled = cancel();
    expiry_ = expiry_time;
    return cancelled;
  }

  std::size_t expires_after(const duration& expiry_time) {
    return expires_at(saturating_add(Clock::now(), expiry_time));
  }

  // Asio 1.22 keeps these deprecated forms unless ASIO_NO_DEPRECATED is defined, and older
  // code (and Asio's own older examples) use them; they cannot fail.
  std::size_t cancel(std::error_code& ec) {
    ec.clear();
    return cancel();
  }
  std::size_t cancel_one(std::error_code& ec) {
    ec.clear();
    return cancel_one();
  }
  std::size_t expires_at(const time_point& expiry_time, std::error_code& ec) {
    ec.clear();
    return expires_at(expiry_time);
  }
  // The time left until expiry (negative once it passed).
  duration expires_from_now() const { return expiry_ - Clock::now(); }
  std::size_t expires_from_now(const duration& expiry_time) { return expires_after(expiry_time); }
  std::size_t expires_from_now(const duration& expiry_time, std::error_code& ec) {
    ec.clear();
    return expires_after(expiry_time);
  }

  void wait() {
    std::error_code ec;
    wait(ec);
    detail::throw_error(ec, "wait");
  }

  void wait(std::error_code& ec) {
    ec.clear();
    time_point now = Clock::now();
    while (now < expiry_) {
      std::this_thread::sleep_for(WaitTraits::to_wait_duration(expiry_ - now));
      now = Clock::now();
    }
  }

  // handler(ec) at expiry, or with error::operation_aborted when cancelled (by cancel(), a
  // new expiry, or the handler's cancellation slot, which cancels this wait only).
  template <completion_token_for<void(std::error_code)> WaitToken>
  auto async_wait(WaitToken&& token) {
    return async_initiate<WaitToken, void(std::error_code)>(initiate_async_wait(this), token);
  }

 private:
  // The one place a wait starts, whatever the completion token.
  class initiate_async_wait {
   public:
    using executor_type = Executor;

    explicit initiate_async_wait(basic_waitable_timer* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename WaitHandler>
    void operator()(WaitHandler&& handler) const {
      // A moved-from timer gave its queue data away: it gets new data, as Asio's moved-from
      // timer behaves as if newly constructed with its executor.
      if (!self_->data_) self_->attach();
      using op_type = detail::timer_wait_operation<std::decay_t<WaitHandler>, Executor>;
      op_type* op = op_type::create(std::forward<WaitHandler>(handler), self_->executor_);
      self_->might_have_waits_ = true;
      op->start(*self_->scheduler_, *self_->queue_, *self_->data_, self_->expiry_);
    }

   private:
    basic_waitable_timer* self_;
  };

  static time_point saturating_add(time_point t, duration d) {
    if (d > duration::zero() && t > time_point::max() - d) return time_point::max();
    if (d < duration::zero() && t < time_point::min() - d) return time_point::min();
    return t + d;
  }

  void attach() {
    execution_context& context = proa::query(executor_, execution::context);
    scheduler_ = &use_service<detail::scheduler>(context);
    std::tie(queue_, data_) = scheduler_->template create_timer<Clock>();
  }

  // Cancels pending waits and gives the queue data back.
  void detach() noexcept {
    if (!data_) return;
    scheduler_->destroy_timer(*queue_, *data_);
    data_ = nullptr;
  }

  Executor executor_;
  detail::scheduler* scheduler_ = nullptr;
  detail::timer_queue<Clock>* queue_ = nullptr;
  detail::per_timer_data* data_ = nullptr;  // owned: in the queue's pool
  time_point expiry_{};
  // False when no wait can be pending (none started since the last cancel()), so that
  // cancelling needs no lock. Expired waits leave it set: it only has to err on that side.
  // The timer object is not thread-safe (as in Asio), so a plain flag is enough.
  bool might_have_waits_ = false;
};

using steady_timer = basic_waitable_timer<std::chrono::steady_clock>;
using system_timer = basic_waitable_timer<std::chrono::system_clock>;
using high_resolution_timer = basic_waitable_timer<std::chrono::high_resolution_clock>;

}  // namespace proa
