// The machinery shared by post, dispatch and defer: work_dispatcher, which carries a handler to
// the executor it is associated with while keeping that executor's context alive (it counts as
// outstanding work there), and the helpers that submit a handler in each of the three modes.
#pragma once

#include <type_traits>
#include <utility>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/execution/allocator.hpp"
#include "runtime/execution/blocking.hpp"
#include "runtime/execution/execute.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution/outstanding_work.hpp"
#include "runtime/execution/prefer.hpp"
#include "runtime/execution/relationship.hpp"
#include "runtime/execution/require.hpp"
#include "runtime/executor_work_guard.hpp"

namespace proa::detail {

// A handler that can be submitted: moved into an executor and called once with no arguments.
template <typename Handler>
concept nullary_handler = std::move_constructible<std::decay_t<Handler>> &&
                          std::constructible_from<std::decay_t<Handler>, Handler> &&
                          std::invocable<std::decay_t<Handler>>;

// Runs on the executor the handler was submitted to, then dispatches the handler to its own
// executor. Until then it holds outstanding work on the handler's executor.
template <typename Handler, typename HandlerExecutor>
class work_dispatcher {
 public:
  template <typename H>
  work_dispatcher(H&& handler, const HandlerExecutor& handler_ex)
      : handler_(std::forward<H>(handler)),
        work_executor_(proa::prefer(handler_ex, execution::outstanding_work.tracked)) {}

  void operator()() {
    auto allocator = get_associated_allocator(handler_);
    // The hop through prefer() copies the tracked executor, so the work stays counted until
    // the handler itself has been handed over.
    execution::execute(
        proa::prefer(work_executor_, execution::blocking.possibly, execution::allocator(allocator)),
        std::move(handler_));
  }

 private:
  using work_executor = std::decay_t<
      prefer_result_t<const HandlerExecutor&, execution::outstanding_work_t::tracked_t>>;

  Handler handler_;
  work_executor work_executor_;
};

template <typename Handler, typename HandlerExecutor>
  requires(!execution::executor<HandlerExecutor>)
class work_dispatcher<Handler, HandlerExecutor> {
 public:
  template <typename H>
  work_dispatcher(H&& handler, const HandlerExecutor& handler_ex)
      : handler_(std::forward<H>(handler)), work_(handler_ex) {}

  void operator()() {
    auto allocator = get_associated_allocator(handler_);
    work_.get_executor().dispatch(std::move(handler_), allocator);
    work_.reset();
  }

 private:
  Handler handler_;
  executor_work_guard<HandlerExecutor> work_;
};

enum class submission { post, dispatch, defer };

// Applies the properties a submission mode asks of a standard executor.
template <submission Mode, typename Executor, typename Allocator>
auto executor_for(const Executor& ex, const Allocator& allocator) {
  if constexpr (Mode == submission::dispatch) {
    return proa::prefer(ex, execution::blocking.possibly, execution::allocator(allocator));
  } else if constexpr (Mode == submission::post) {
    return proa::prefer(proa::require(ex, execution::blocking.never), execution::relationship.fork,
                        execution::allocator(allocator));
  } else {
    return proa::prefer(proa::require(ex, execution::blocking.never),
                        execution::relationship.continuation, execution::allocator(allocator));
  }
}

// proa's own executors (scheduler executors, strands) mark themselves with
// `proa_direct_submission`: their post/dispatch/defer members do exactly what the property
// route does, without building the intermediate executors (for a strand each of those is a
// shared_ptr copy, i.e. two atomic operations per submission).
template <typename Executor>
concept direct_submission_executor = requires { typename Executor::proa_direct_submission; };

template <submission Mode, typename Executor, typename Function, typename Allocator>
void submit_to_legacy(const Executor& ex, Function&& f, const Allocator& allocator) {
  if constexpr (Mode == submission::dispatch) {
    ex.dispatch(std::forward<Function>(f), allocator);
  } else if constexpr (Mode == submission::post) {
    ex.post(std::forward<Function>(f), allocator);
  } else {
    ex.defer(std::forward<Function>(f), allocator);
  }
}

// post/dispatch/defer(handler): the handler goes to its associated executor.
template <submission Mode, typename Handler>
void submit_to_associated(Handler&& handler) {
  auto ex = get_associated_executor(handler);
  auto allocator = get_associated_allocator(handler);
  if constexpr (direct_submission_executor<decltype(ex)>) {
    submit_to_legacy<Mode>(ex, std::forward<Handler>(handler), allocator);
  } else if constexpr (execution::executor<decltype(ex)>) {
    execution::execute(executor_for<Mode>(ex, allocator), std::forward<Handler>(handler));
  } else {
    submit_to_legacy<Mode>(ex, std::forward<Handler>(handler), allocator);
  }
}

// post/dispatch/defer(ex, handler): the handler goes to ex; if it has an executor of its own,
// it hops through a work_dispatcher to finish there.
template <submission Mode, typename Executor, typename Handler>
void submit_to(const Executor& ex, Handler&& handler) {
  using handler_type = std::decay_t<Handler>;
  auto allocator = get_associated_allocator(handler);
  auto submit = [&](auto&& function) {
    if constexpr (direct_submission_executor<Executor>) {
      submit_to_legacy<Mode>(ex, std::forward<decltype(function)>(function), allocator);
    } else if constexpr (execution::executor<Executor>) {
      execution::execute(executor_for<Mode>(ex, allocator),
                         std::forward<decltype(function)>(function));
    } else {
      submit_to_legacy<Mode>(ex, std::forward<decltype(function)>(function), allocator);
    }
  };
  if constexpr (has_own_associated_executor<handler_type, Executor>) {
    auto handler_ex = get_associated_executor(handler, ex);
    submit(work_dispatcher<handler_type, decltype(handler_ex)>(std::forward<Handler>(handler),
                                                                handler_ex));
  } else {
    submit(std::forward<Handler>(handler));
  }
}

}  // namespace proa::detail
