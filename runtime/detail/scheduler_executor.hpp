// The executor type shared by io_context, thread_pool and system_context: a pointer to the
// context and its scheduler plus property bits, so copying it is two words and executing
// through it is one recycled allocation and one queue push.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "runtime/detail/handler_operation.hpp"
#include "runtime/detail/scheduler.hpp"
#include "runtime/execution.hpp"

namespace proa::detail {

namespace executor_bits {
inline constexpr std::uintptr_t blocking_never = 1;
inline constexpr std::uintptr_t relationship_continuation = 2;
inline constexpr std::uintptr_t outstanding_work_tracked = 4;
}  // namespace executor_bits

// Context must expose `scheduler& scheduler_of(Context&)` through a friend/ADL-free accessor:
// we take the scheduler pointer at construction instead, so this header needs no Context
// internals beyond its type.
template <typename Context, typename Allocator, std::uintptr_t Bits>
class scheduler_executor {
  static constexpr bool tracked = (Bits & executor_bits::outstanding_work_tracked) != 0;

 public:
  // post/dispatch/defer call our members directly (see work_dispatcher.hpp).
  using proa_direct_submission = void;

  scheduler_executor(Context& context, scheduler& impl, const Allocator& a = Allocator()) noexcept
      : context_(&context), scheduler_(&impl), allocator_(a) {
    if constexpr (tracked) scheduler_->work_started();
  }

  scheduler_executor(const scheduler_executor& other) noexcept
      : context_(other.context_), scheduler_(other.scheduler_), allocator_(other.allocator_) {
    if constexpr (tracked)
      if (scheduler_) scheduler_->work_started();
  }

  scheduler_executor(scheduler_executor&& other) noexcept
      : context_(other.context_), scheduler_(other.scheduler_), allocator_(std::move(other.allocator_)) {
    if constexpr (tracked) other.scheduler_ = nullptr;  // the work moves with us
  }

  scheduler_executor& operator=(const scheduler_executor& other) noexcept {
    if (this != &other) {
      scheduler_executor copy(other);
      swap(copy);
    }
    return *this;
  }

  scheduler_executor& operator=(scheduler_executor&& other) noexcept {
    if (this != &other) {
      scheduler_executor moved(std::move(other));
      swap(moved);
    }
    return *this;
  }

  ~scheduler_executor() {
    if constexpr (tracked)
      if (scheduler_) scheduler_->work_finished();
  }

  // ---- properties ----
  template <std::uintptr_t NewBits>
  using with_bits = scheduler_executor<Context, Allocator, NewBits>;

  with_bits<Bits & ~executor_bits::blocking_never> require(execution::blocking_t::possibly_t) const {
    return {*context_, *scheduler_, allocator_};
  }
  with_bits<Bits | executor_bits::blocking_never> require(execution::blocking_t::never_t) const {
    return {*context_, *scheduler_, allocator_};
  }
  with_bits<Bits & ~executor_bits::relationship_continuation> require(
      execution::relationship_t::fork_t) const {
    return {*context_, *scheduler_, allocator_};
  }
  with_bits<Bits | executor_bits::relationship_continuation> require(
      execution::relationship_t::continuation_t) const {
    return {*context_, *scheduler_, allocator_};
  }
  with_bits<Bits | executor_bits::outstanding_work_tracked> require(
      execution::outstanding_work_t::tracked_t) const {
    return {*context_, *scheduler_, allocator_};
  }
  with_bits<Bits & ~executor_bits::outstanding_work_tracked> require(
      execution::outstanding_work_t::untracked_t) const {
    return {*context_, *scheduler_, allocator_};
  }
  template <typename OtherAllocator>
  scheduler_executor<Context, OtherAllocator, Bits> require(
      const execution::allocator_t<OtherAllocator>& a) const {
    return {*context_, *scheduler_, a.value()};
  }
  scheduler_executor<Context, std::allocator<void>, Bits> require(
      const execution::allocator_t<void>&) const {
    return {*context_, *scheduler_};
  }

  Context& query(execution::context_t) const noexcept { return *context_; }
  static constexpr execution::blocking_t query(execution::blocking_t) noexcept {
    if constexpr ((Bits & executor_bits::blocking_never) != 0)
      return execution::blocking.never;
    else
      return execution::blocking.possibly;
  }
  static constexpr execution::relationship_t query(execution::relationship_t) noexcept {
    if constexpr ((Bits & executor_bits::relationship_continuation) != 0)
      return execution::relationship.continuation;
    else
      return execution::relationship.fork;
  }
  static constexpr execution::outstanding_work_t query(execution::outstanding_work_t) noexcept {
    if constexpr (tracked)
      return execution::outstanding_work.tracked;
    else
      return execution::outstanding_work.untracked;
  }
  template <typename ProtoAllocator>
  Allocator query(const execution::allocator_t<ProtoAllocator>&) const noexcept {
    return allocator_;
  }

  // ---- execution ----
  // Runs `f` inline when possibly-blocking and called from inside this context; otherwise
  // queues it. Operation memory comes from the recycler, not from Allocator (see docs).
  template <typename F>
  void execute(F&& f) const {
    if constexpr ((Bits & executor_bits::blocking_never) == 0) {
      if (scheduler_->running_in_this_thread()) {
        std::decay_t<F> local(std::forward<F>(f));
        std::move(local)();
        return;
      }
    }
    scheduler_->post(make_handler_operation(std::forward<F>(f)));
  }

  bool running_in_this_thread() const noexcept { return scheduler_->running_in_this_thread(); }
  Context& context() const noexcept { return *context_; }

  // Marks an executor whose blocking.possibly form runs a function inline exactly when
  // running_in_this_thread() is true (see detail::deliver_completion).
  using proa_inline_when_running_here = void;

  // The Networking TS executor members Asio keeps for older code.
  void on_work_started() const noexcept { scheduler_->work_started(); }
  void on_work_finished() const noexcept { scheduler_->work_finished(); }
  template <typename F, typename A>
  void dispatch(F&& f, const A&) const {
    if (running_in_this_thread()) {
      std::decay_t<F> local(std::forward<F>(f));
      std::move(local)();
      return;
    }
    scheduler_->post(make_handler_operation(std::forward<F>(f)));
  }
  template <typename F, typename A>
  void post(F&& f, const A&) const {
    scheduler_->post(make_handler_operation(std::forward<F>(f)));
  }
  template <typename F, typename A>
  void defer(F&& f, const A&) const {
    scheduler_->post(make_handler_operation(std::forward<F>(f)));
  }

  friend bool operator==(const scheduler_executor& a, const scheduler_executor& b) noexcept {
    return a.context_ == b.context_ && a.allocator_ == b.allocator_;
  }
  friend bool operator!=(const scheduler_executor& a, const scheduler_executor& b) noexcept {
    return !(a == b);
  }

  // For proa's own I/O objects and timers: the engine behind this executor.
  scheduler& engine() const noexcept { return *scheduler_; }

 private:
  template <typename, typename, std::uintptr_t>
  friend class scheduler_executor;

  void swap(scheduler_executor& other) noexcept {
    std::swap(context_, other.context_);
    std::swap(scheduler_, other.scheduler_);
    std::swap(allocator_, other.allocator_);
  }

  Context* context_;
  scheduler* scheduler_;
  [[no_unique_address]] Allocator allocator_;
};

}  // namespace proa::detail
