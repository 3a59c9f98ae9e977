// strand<Executor>: runs the functions submitted through it one at a time, in FIFO order, on
// the underlying executor, without a mutex. Two strands share nothing, so they never contend.
//
// How: submitters push onto the strand's own lock-free completion_queue and then increment
// `pending`. Whoever moves `pending` from 0 to 1 owns the strand and schedules one *invoker*
// on the inner executor; the invoker runs queued functions and decrements `pending` after each,
// stopping when it reaches 0. A function pushed whose increment has not happened yet is picked
// up by the invoker its submitter schedules, so nothing is ever stranded. The acq_rel counter is
// also what orders one invoker's memory effects before the next one's, on whatever thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "runtime/detail/completion_queue.hpp"
#include "runtime/detail/handler_operation.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"

namespace proa {
namespace detail {

class strand_state {
 public:
  // How many functions one invoker runs before yielding the thread to other work.
  static constexpr int invoker_budget = 128;

  detail::completion_queue incoming;
  // Touched only by the invoker that owns the strand: functions taken from `incoming` or
  // submitted from inside, and how many of the latter were never added to `pending`.
  // Completions are fungible for counting: while `uncounted` is non-zero a completion
  // decrements it instead of `pending`, so `pending` stays >= 1 until the last function ran.
  operation_queue ready;
  std::size_t uncounted = 0;
  std::atomic<std::ptrdiff_t> pending{0};

  // Returns true if the caller now owns the strand and must schedule an invoker.
  bool enqueue(scheduler_operation* op) noexcept {
    incoming.push(op);
    return pending.fetch_add(1, std::memory_order_acq_rel) == 0;
  }

  // A function submitted by a handler running in this strand: the running invoker owns the
  // strand, so the function joins `ready` directly and is counted in `uncounted` instead of
  // `pending` - no atomic operation. Whatever already waits in `incoming` is moved ahead of
  // it first, so a submission that happened before this one still runs before it.
  void enqueue_from_inside(scheduler_operation* op) noexcept {
    if (!incoming.empty()) {
      operation_queue earlier = incoming.take_all();
      ready.splice(earlier);
    }
    ready.push(op);
    ++uncounted;
  }

  // The strands whose invokers run on this thread right now, innermost first, for
  // running_in_this_thread() and dispatch. Frames live on the invokers' stacks, never in the
  // state: another thread may own the state as soon as `pending` reaches zero.
  struct running_frame {
    const strand_state* state;
    running_frame* outer;
  };
  static running_frame*& innermost() noexcept {
    thread_local running_frame* frame = nullptr;
    return frame;
  }

  bool running_in_this_thread() const noexcept {
    for (running_frame* f = innermost(); f; f = f->outer) {
      if (f->state == this) return true;
    }
    return false;
  }

  // Runs up to invoker_budget functions. Returns true if functions remain that this invoker
  // still owns, so the caller must schedule it again. If a function throws, it is accounted
  // for, `reschedule` says whether work remains, and the exception propagates out of run()
  // (Asio's behaviour: the strand carries on with the rest later).
  void run_some(bool& reschedule) {
    struct running_mark {
      running_frame frame;
      explicit running_mark(const strand_state* s) : frame{s, innermost()} { innermost() = &frame; }
      ~running_mark() { innermost() = frame.outer; }
    } mark(this);

    reschedule = true;
    for (int done = 0; done < invoker_budget; ++done) {
      if (ready.empty()) {
        operation_queue more = incoming.take_all();
        ready.splice(more);
      }
      scheduler_operation* op = ready.pop();
      if (!op) return;  // defensive: every counted function was pushed before it was counted
      try {
        op->complete();
      } catch (...) {
        if (uncounted) {
          --uncounted;
          reschedule = true;  // pending is still >= 1
        } else {
          reschedule = pending.fetch_sub(1, std::memory_order_acq_rel) > 1;
        }
        throw;
      }
      if (uncounted) {
        --uncounted;
        continue;
      }
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        reschedule = false;
        return;
      }
    }
  }

  ~strand_state() {
    ready.destroy_all();
    incoming.take_all().destroy_all();
  }
};

}  // namespace detail

template <typename Executor>
class strand {
 public:
  using inner_executor_type = Executor;
  // post/dispatch/defer call our members directly (see work_dispatcher.hpp).
  using proa_direct_submission = void;

  strand() requires std::is_default_constructible_v<Executor> : executor_(), state_(make_state()) {}

  // Not for strands themselves: asking whether a strand<any_io_executor> converts to
  // any_io_executor would ask about this very constructor again (a constraint recursion).
  template <typename Executor1>
    requires(!std::is_same_v<Executor1, strand>) &&
            std::is_constructible_v<Executor, const Executor1&>
  explicit strand(const Executor1& e) : executor_(e), state_(make_state()) {}

  strand(const strand&) = default;
  strand(strand&&) noexcept = default;
  strand& operator=(const strand&) = default;
  strand& operator=(strand&&) noexcept = default;

  // Converting copy from a strand over a compatible executor: shares the same state.
  template <typename OtherExecutor>
    requires(!std::is_same_v<OtherExecutor, Executor> &&
             std::is_constructible_v<Executor, const OtherExecutor&>)
  strand(const strand<OtherExecutor>& other) : executor_(other.executor_), state_(other.state_) {}

  inner_executor_type get_inner_executor() const noexcept { return executor_; }

  // ---- properties: forwarded to the inner executor, the result wrapped in the same strand ----
  template <typename Property>
  auto require(const Property& p) const
    requires requires { proa::require(std::declval<const Executor&>(), p); }
  {
    using inner = std::decay_t<decltype(proa::require(executor_, p))>;
    return strand<inner>(proa::require(executor_, p), state_);
  }

  template <typename Property>
  auto prefer(const Property& p) const
    requires requires { proa::prefer(std::declval<const Executor&>(), p); }
  {
    using inner = std::decay_t<decltype(proa::prefer(executor_, p))>;
    return strand<inner>(proa::prefer(executor_, p), state_);
  }

  template <typename Property>
  decltype(auto) query(const Property& p) const
    requires requires { proa::query(std::declval<const Executor&>(), p); }
  {
    return proa::query(executor_, p);
  }

  // ---- execution ----
  // Possibly-blocking (dispatch): runs inline inside the strand; an idle strand starts its
  // invoker through the inner executor's own possibly-blocking execute, which runs it inline
  // when the caller is inside the inner context (Asio's behaviour). Never-blocking (post,
  // defer): always queued.
  template <typename F>
  void execute(F&& f) const {
    const bool may_block = inline_allowed();
    if (may_block && state_->running_in_this_thread()) {
      std::decay_t<F> local(std::forward<F>(f));
      std::move(local)();
      return;
    }
    submit(detail::make_handler_operation(std::forward<F>(f)), may_block);
  }

  bool running_in_this_thread() const noexcept { return state_->running_in_this_thread(); }

  // Networking TS-style members, kept for code written against older Asio.
  execution_context& context() const noexcept { return proa::query(executor_, execution::context); }
  void on_work_started() const noexcept {
    if constexpr (requires { executor_.on_work_started(); }) executor_.on_work_started();
  }
  void on_work_finished() const noexcept {
    if constexpr (requires { executor_.on_work_finished(); }) executor_.on_work_finished();
  }
  template <typename F, typename A>
  void dispatch(F&& f, const A&) const {
    if (state_->running_in_this_thread()) {
      std::decay_t<F> local(std::forward<F>(f));
      std::move(local)();
      return;
    }
    submit(detail::make_handler_operation(std::forward<F>(f)), true);
  }
  template <typename F, typename A>
  void post(F&& f, const A&) const {
    submit(detail::make_handler_operation(std::forward<F>(f)), false);
  }
  template <typename F, typename A>
  void defer(F&& f, const A&) const {
    submit(detail::make_handler_operation(std::forward<F>(f)), false);
  }

  friend bool operator==(const strand& a, const strand& b) noexcept { return a.state_ == b.state_; }
  friend bool operator!=(const strand& a, const strand& b) noexcept { return a.state_ != b.state_; }

 private:
  template <typename>
  friend class strand;

  strand(const Executor& e, std::shared_ptr<detail::strand_state> state)
      : executor_(e), state_(std::move(state)) {}

  static std::shared_ptr<detail::strand_state> make_state() {
    return std::allocate_shared<detail::strand_state>(
        detail::recycling_allocator<detail::strand_state>());
  }

  bool inline_allowed() const {
    if constexpr (requires { proa::query(executor_, execution::blocking); })
      return !(proa::query(executor_, execution::blocking) == execution::blocking.never);
    else
      return true;
  }

  void submit(detail::scheduler_operation* op, bool may_block) const {
    if (state_->running_in_this_thread())
      state_->enqueue_from_inside(op);
    else if (state_->enqueue(op))
      schedule_invoker(executor_, state_, may_block);
  }

  // Starts one invoker on the inner executor. The invoker holds the state alive; it runs a
  // budget of functions and, if work remains, queues itself again so other work interleaves.
  static void schedule_invoker(const Executor& ex, std::shared_ptr<detail::strand_state> state,
                               bool may_block = false) {
    auto invoker = [ex, state = std::move(state)]() mutable {
      struct reschedule_on_exit {
        const Executor& ex;
        std::shared_ptr<detail::strand_state>& state;
        bool more = true;
        ~reschedule_on_exit() {
          if (more) schedule_invoker(ex, std::move(state));
        }
      } on_exit{ex, state};
      state->run_some(on_exit.more);
    };
    if (may_block)
      proa::prefer(ex, execution::blocking.possibly).execute(std::move(invoker));
    else
      proa::require(ex, execution::blocking.never).execute(std::move(invoker));
  }

  Executor executor_;
  std::shared_ptr<detail::strand_state> state_;
};

template <typename Executor>
  requires execution::is_executor_v<Executor> || requires(const Executor& e) { e.context(); }
strand<Executor> make_strand(const Executor& ex) {
  return strand<Executor>(ex);
}

template <typename ExecutionContext>
  requires std::is_convertible_v<ExecutionContext&, execution_context&>
strand<typename ExecutionContext::executor_type> make_strand(ExecutionContext& ctx) {
  return strand<typename ExecutionContext::executor_type>(ctx.get_executor());
}

}  // namespace proa
